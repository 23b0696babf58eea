#!/usr/bin/env bash
# Our WinCLIP / WinCLIP+ against anomalib 2.7.0's WinClipModel, on the same random ViT-B-16-plus-240, in one session.
#   scripts/bench/compare_winclip.sh [ANOMALIB_PYTHON] [CLIP_PYTHON]
#     ANOMALIB_PYTHON: a venv with anomalib and open_clip in its pinned range (default /tmp/winclipvenv/bin/python,
#                      see scripts/fixtures/make_winclip_fixtures.py); CLIP_PYTHON: one with open_clip_torch and
#                      safetensors for pytorch_clip.py, open_clip 3.x as compare_clip.sh uses (default /tmp/clipvenv/bin/python;
#                      pytorch_clip.py does not run on anomalib's pinned open_clip 2.x)
# Each round times, every one at 2 threads (ours --threads 2; torch.set_num_threads(2) / OMP_NUM_THREADS=2):
#   report bench winclip  vs  anomalib_winclip.py     window features (encode), WinCLIP (zeroShot), WinCLIP+ 1-shot (fewShot)
#   report bench clip     vs  pytorch_clip.py         the full-image encoding, for the bar: the window-encoding ratio
#                                                     against anomalib should be at least this ratio, same run
#   report bench sgemm                                the machine's matrix-multiply peak, for context
# Makes the weights if needed (not committed: 830 MB), builds the release binary, runs ROUNDS times (1: one round is
# ~30 min on 2 cores, most of it anomalib's batch-8 calls). REPEATS (5): timed calls per measurement, best kept.
# REPORT_BIN: a report binary to time instead of building this tree's (a before/after pair in one session).
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (which this workplace sets for old-library safety) are unset for
# the benchmark commands alone, ours and the peers alike, so each runs its best kernels for this CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
anomalib_python=${1:-/tmp/winclipvenv/bin/python}
clip_python=${2:-/tmp/clipvenv/bin/python}
weights=${WEIGHTS:-/tmp/vitb16plus.safetensors}
threads=2
repeats=${REPEATS:-5}
[ -f "$weights" ] || "$clip_python" scripts/bench/pytorch_clip.py --save "$weights"
report=${REPORT_BIN:-}
if [ -z "$report" ]; then swift build -c release --product report >/dev/null; report=.build/release/report; fi
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
bench() {   # bench NAME COMMAND...: its stdout; on failure, "null" and the tail of its stderr on ours
  local name=$1 out; shift
  if out=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=$threads "$@" 2>"$logs/$name.err"); then
    printf '%s\n' "$out"
  else
    { echo "$name failed:"; tail -n 5 "$logs/$name.err"; } >&2
    echo null
  fi
}
for round in $(seq 1 "${ROUNDS:-1}"); do
  ours=$(bench "report-bench-winclip" "$report" bench winclip --weights "$weights" --threads $threads --repeats "$repeats" --json)
  theirs=$(bench "anomalib_winclip.py" "$anomalib_python" scripts/bench/anomalib_winclip.py --weights "$weights" --threads $threads --rounds "$repeats")
  ours_clip=$(bench "report-bench-clip" "$report" bench clip --weights "$weights" --threads $threads --repeats "$repeats" --json)
  torch_clip=$(bench "pytorch_clip.py" "$clip_python" scripts/bench/pytorch_clip.py --repeats "$repeats" --json)
  sgemm=$(bench "report-bench-sgemm" "$report" bench sgemm --threads $threads --json)
  "$anomalib_python" - "$round" "$ours" "$theirs" "$ours_clip" "$torch_clip" "$sgemm" <<'PY'
import json, sys
rnd = sys.argv[1]
ours, theirs, ours_clip, torch_clip, sgemm = (json.loads(a) for a in sys.argv[2:])
ours, theirs = ours or {}, theirs or {}
ips_o, ips_t = ours.get("imagesPerSecond", {}), theirs.get("imagesPerSecond", {})


def cell(x, fmt="9.3f"):
    return format(x, fmt) if x is not None else f"{'-':>9s}"


def ratio(a, b):
    return a / b if a is not None and b else None


print(f"round {rnd}: ours (Swift, OpenBLAS) vs {theirs.get('engine', 'anomalib (failed)')}; images/s")
print(f"  {'':34s} {'ours':>9s} {'anomalib':>9s}   ours/anomalib")
encode_ratio = {}
for mode, label in [("encode", "window features (encode)"), ("zeroShot", "WinCLIP, zero-shot"), ("fewShot", "WinCLIP+, 1 shot")]:
    for b in sorted(set(ips_o.get(mode, {})) | set(ips_t.get(mode, {})), key=int):
        a, t = ips_o.get(mode, {}).get(b), ips_t.get(mode, {}).get(b)
        r = ratio(a, t)
        if mode == "encode":
            encode_ratio[b] = r
        print(f"  {label + ', batch ' + b:34s} {cell(a)} {cell(t)}   {cell(r, '.2f') + 'x' if r else '-'}")

# The bar: our window-encoding ratio against anomalib at least our full-image ratio against PyTorch, same run.
if ours_clip and torch_clip:
    print(f"  full image, ours vs {torch_clip['engine']} (pytorch_clip.py):")
    for b in ("1", "8"):
        key = f"batch{b}ImagesPerSecond"
        clip_r = ours_clip[key] / torch_clip[key]
        enc_r = encode_ratio.get(b)
        verdict = "-" if enc_r is None else ("holds" if enc_r >= clip_r else "falls short")
        bar = "" if enc_r is None else f"; window ratio {enc_r:.2f}x: {verdict}"
        print(f"  {'full image, batch ' + b:34s} {ours_clip[key]:9.3f} {torch_clip[key]:9.3f}   {clip_r:.2f}x{bar}")
whole_t = ips_t.get("wholeImage", {})
if whole_t:
    print("  (anomalib's own clip.encode_image in its run, images/s: "
          + ", ".join(f"batch {b} {v:.3f}" for b, v in sorted(whole_t.items(), key=lambda kv: int(kv[0]))) + ")")

# Work per image. The peer counts anomalib's work (every block on every window token, the patch embedding once);
# ours may count its own (e.g. a last block that computes only the class token's row for windows).
fl = theirs.get("flopsPerImage")
gpi = ours.get("gflopPerImage") or ours.get("gflops")
if fl:
    per_image = (fl["whole"] + fl["windows"]) / 1e9
    print(f"  work per image (anomalib's): {per_image:.1f} GFLOP = {fl['whole']/1e9:.1f} whole + {fl['windows']/1e9:.1f} windows")
    if gpi and "whole" in gpi and "windows" in gpi:
        print(f"  work per image (ours, as it counts): {gpi['whole'] + gpi['windows']:.1f} GFLOP = {gpi['whole']:.1f} whole + {gpi['windows']:.1f} windows")
    for b in sorted(set(ips_o.get("encode", {})) | set(ips_t.get("encode", {})), key=int):
        a, t = ips_o.get("encode", {}).get(b), ips_t.get("encode", {}).get(b)
        print(f"  encode at batch {b}, at anomalib's count: ours {cell(a and a * per_image, '.1f')} GFLOP/s, anomalib {cell(t and t * per_image, '.1f')} GFLOP/s")
peaks = [r["gflopPerSecond"] for r in (sgemm or {}).get("results", []) if r["name"].startswith("sgemm")]
if peaks:
    line = f"  report bench sgemm peak: {max(peaks):.1f} GFLOP/s ({sgemm.get('threads')} threads, {sgemm.get('openblas', '')})"
    if "encodeGFLOPPerSecond" in ours:
        line += (f"; ours reports {ours['encodeGFLOPPerSecond']:.1f} GFLOP/s for window features at batch 8"
                 f" = {100 * ours['encodeGFLOPPerSecond'] / max(peaks):.0f}% of it")
    print(line)
PY
done
