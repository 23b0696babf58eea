#!/usr/bin/env bash
# Training throughput of `report pretrain` against the same small CLIP in open_clip/PyTorch, in one session.
#   scripts/bench/compare_pretrain.sh [PYTHON]     (PYTHON: a venv with open_clip_torch; DENSE_TOKENS=ordinary for the other recipe)
# REPORT_BIN: a report binary to time instead of building this tree's; OPENBLAS_CORETYPE/L2_SIZE unset for both, as in compare_clip.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${1:-/tmp/clipvenv/bin/python}
report=${REPORT_BIN:-}
if [ -z "$report" ]; then swift build -c release --product report >/dev/null; report=.build/release/report; fi
for round in $(seq 1 "${ROUNDS:-2}"); do
  tokens=${DENSE_TOKENS:-value-value}
  ours=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$report" bench pretrain --json --steps "${STEPS:-5}" --dense-tokens "$tokens")
  theirs=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" scripts/bench/pytorch_pretrain.py --json --steps "${STEPS:-5}" --dense-tokens "$tokens")
  "$python" - "$ours" "$theirs" "$round" <<'PY'
import json, sys
ours, theirs, rnd = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
print(f"round {rnd}: training step, batch {ours['batchSize']}, dense term on {ours['denseTokens']} tokens: ours {ours['secondsPerStep']:.2f} s ({ours['imagesPerSecond']:.1f} images/s), "
      f"{theirs['engine']} {theirs['secondsPerStep']:.2f} s ({theirs['imagesPerSecond']:.1f} images/s): ratio {ours['imagesPerSecond']/theirs['imagesPerSecond']:.2f}x; "
      f"ours {ours['gflopPerSecond']:.0f} GFLOP/s = {100*ours['fractionOfSgemmPeak']:.0f}% of the sgemm peak measured in the same run")
PY
done
