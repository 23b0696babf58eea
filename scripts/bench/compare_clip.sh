#!/usr/bin/env bash
# Our CLIP against open_clip in PyTorch and against its vision tower in ONNX Runtime, on the same random
# ViT-B-16-plus-240, in one session.
#   scripts/bench/compare_clip.sh [PYTHON]     (PYTHON: a venv with open_clip_torch, safetensors, onnx, onnxruntime)
# Makes the weights if needed (not committed: 830 MB), builds the release binary, runs all three ROUNDS times (2).
# REPORT_BIN: a report binary to time instead of building this tree's (a before/after pair in one session).
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (which this workplace sets for old-library safety) are unset for
# the benchmark commands alone, ours and the peers alike, so each runs its best kernels for this CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${1:-/tmp/clipvenv/bin/python}
weights=${WEIGHTS:-/tmp/vitb16plus.safetensors}
[ -f "$weights" ] || "$python" scripts/bench/pytorch_clip.py --save "$weights"
report=${REPORT_BIN:-}
if [ -z "$report" ]; then swift build -c release --product report >/dev/null; report=.build/release/report; fi
for round in $(seq 1 "${ROUNDS:-2}"); do
  ours=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$report" bench clip --weights "$weights" --json 2>/dev/null)
  theirs=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" scripts/bench/pytorch_clip.py --json 2>/dev/null)
  onnx=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" scripts/bench/onnx_clip.py --weights "$weights" --json 2>/dev/null)
  "$python" - "$ours" "$theirs" "$round" "$onnx" <<'PY'
import json, sys
ours, theirs, rnd, onnx = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
print(f"round {rnd}: ours (Swift, OpenBLAS) vs {theirs['engine']}")
for key, label in [("batch1ImagesPerSecond", "images/s, batch 1"), ("batch8ImagesPerSecond", "images/s, batch 8"),
                   ("textPromptsPerSecond", "text prompts/s (32)"), ("promptStepSeconds", "prompt step, s"),
                   ("peakRSSBytes", "peak memory, MB")]:
    a, b = ours[key], theirs[key]
    if key == "peakRSSBytes":
        print(f"  {label:22s} {a/1e6:9.0f} {b/1e6:9.0f}")
    elif key == "promptStepSeconds":
        print(f"  {label:22s} {a:9.3f} {b:9.3f}   {b/a:.1f}x faster")
    else:
        print(f"  {label:22s} {a:9.2f} {b:9.2f}   ratio {a/b:.2f}x")
print(f"  against {onnx['engine']} (its graph within {onnx['maxDifferenceFromOpenCLIP']:.1e} of open_clip):")
for key, label in [("batch1ImagesPerSecond", "images/s, batch 1"), ("batch8ImagesPerSecond", "images/s, batch 8")]:
    print(f"  {label:22s} {ours[key]:9.2f} {onnx[key]:9.2f}   ratio {ours[key]/onnx[key]:.2f}x")
print(f"  matrix work: {ours['batch8GFLOPPerSecond']:.1f} GFLOP/s at batch 8 = {100*ours['fractionOfSgemmPeak']:.0f}% of the sgemm rate measured in the same run ({ours['sgemmPeakGFLOPPerSecond']:.1f})")
PY
done
