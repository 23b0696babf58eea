"""The second peer for `report bench clip`: open_clip's vision tower exported to ONNX and run by ONNX Runtime.

    /tmp/clipvenv/bin/pip install open_clip_torch safetensors onnx onnxruntime
    /tmp/clipvenv/bin/python scripts/bench/onnx_clip.py --weights /tmp/vitb16plus.safetensors --json

The same random ViT-B-16-plus-240 as scripts/bench/pytorch_clip.py makes (loaded from its safetensors),
exported once (opset 17, dynamic batch) to a temporary file, then timed as `report bench clip` times
the vision tower: images/s at batch 1 and 8, best of `--repeats`, on `--threads` intra-op threads.
The exported graph's output is checked against open_clip's own on the same input before timing.
"""
import argparse
import json
import os
import resource
import tempfile
import time

import numpy as np
import onnxruntime as ort
import open_clip
import torch
from safetensors.torch import load_file

p = argparse.ArgumentParser()
p.add_argument("--model", default="ViT-B-16-plus-240")
p.add_argument("--weights", default="/tmp/vitb16plus.safetensors")
p.add_argument("--threads", type=int, default=os.cpu_count())
p.add_argument("--repeats", type=int, default=5)
p.add_argument("--json", action="store_true")
args = p.parse_args()

model = open_clip.create_model(args.model, pretrained=None).eval()
model.load_state_dict(load_file(args.weights))
size = model.visual.image_size
size = size if isinstance(size, int) else size[0]


class Vision(torch.nn.Module):
    """The pooled image embedding, as `encode_image` gives it."""

    def __init__(self, visual):
        super().__init__()
        self.visual = visual

    def forward(self, images):
        return self.visual(images)


path = os.path.join(tempfile.mkdtemp(), "vision.onnx")
# nn.MultiheadAttention's fused inference path has no ONNX form; the plain one exports as MatMul and Softmax.
torch.backends.mha.set_fastpath_enabled(False)
with torch.no_grad():
    torch.onnx.export(Vision(model.visual), torch.randn(1, 3, size, size), path, opset_version=17,
                      input_names=["images"], output_names=["embedding"], dynamic_axes={"images": {0: "batch"}, "embedding": {0: "batch"}},
                      dynamo=False)

options = ort.SessionOptions()
options.intra_op_num_threads = args.threads
options.inter_op_num_threads = 1
options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

check = torch.randn(2, 3, size, size)
with torch.no_grad():
    want = model.encode_image(check).numpy()
got = session.run(None, {"images": check.numpy()})[0]
worst = float(np.abs(got - want).max())
assert worst < 1e-3, f"the exported graph differs from open_clip by {worst}"


def best(batch):
    x = np.random.default_rng(0).standard_normal((batch, 3, size, size)).astype(np.float32)
    session.run(None, {"images": x})
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        session.run(None, {"images": x})
        times.append(time.perf_counter() - t)
    return min(times)


t1, t8 = best(1), best(8)
result = {
    "engine": f"ONNX Runtime {ort.__version__} ({args.threads} threads), exported from open_clip {open_clip.__version__}",
    "batch1ImagesPerSecond": 1 / t1,
    "batch8ImagesPerSecond": 8 / t8,
    "maxDifferenceFromOpenCLIP": worst,
    "peakRSSBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}
print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
