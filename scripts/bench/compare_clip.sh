#!/usr/bin/env bash
# Our CLIP against open_clip in PyTorch, on the same random ViT-B-16-plus-240, in one session.
#   scripts/bench/compare_clip.sh [PYTHON]     (PYTHON: a venv with open_clip_torch and safetensors)
# Makes the weights if needed (not committed: 830 MB), builds the release binary, runs both ROUNDS times (2).
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${1:-/tmp/clipvenv/bin/python}
weights=${WEIGHTS:-/tmp/vitb16plus.safetensors}
[ -f "$weights" ] || "$python" scripts/bench/pytorch_clip.py --save "$weights"
swift build -c release --product report >/dev/null
for round in $(seq 1 "${ROUNDS:-2}"); do
  ours=$(.build/release/report bench clip --weights "$weights" --json 2>/dev/null)
  theirs=$("$python" scripts/bench/pytorch_clip.py --json 2>/dev/null)
  "$python" - "$ours" "$theirs" "$round" <<'PY'
import json, sys
ours, theirs, rnd = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
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
print(f"  matrix work: {ours['batch8GFLOPPerSecond']:.1f} GFLOP/s at batch 8 = {100*ours['fractionOfSgemmPeak']:.0f}% of the sgemm rate measured in the same run ({ours['sgemmPeakGFLOPPerSecond']:.1f})")
PY
done
