"""The peer for `report bench winclip`: anomalib's own WinClipModel (anomalib 2.7.0) on a random ViT-B-16-plus-240.

    /tmp/winclipvenv/bin/python scripts/bench/anomalib_winclip.py --weights /tmp/vitb16plus.safetensors   # ~25 min on 2 cores
    /tmp/winclipvenv/bin/python scripts/bench/anomalib_winclip.py --quick                                 # a check

The venv is the one scripts/fixtures/make_winclip_fixtures.py uses: anomalib plus open_clip in anomalib's pinned
range (open-clip-torch>=2.23.0,<2.26.1); open_clip 3.x makes anomalib's window attention attend across windows
(anomalib issue #2571), so the script refuses it. No pretrained weights are fetched: while `WinClipModel.__init__`
runs, `open_clip.create_model_and_transforms` is replaced by a function returning a randomly initialised
ViT-B-16-plus-240 (torch.manual_seed(0), the same weights pytorch_clip.py makes and saves), or the one loaded from
`--weights` (the safetensors compare_winclip.sh shares with our side).

Times what `report bench winclip` times, on random preprocessed images (randn, (N, 3, 240, 240)), eval, no grad,
`--threads` intra-op threads (default 2) and 1 inter-op thread, best of `--rounds` after one warm-up call:
    encode     WinClipModel.encode_image: the whole image (pooled embedding and patch tokens) and the 196 2x2 and
               169 3x3 window embeddings, which anomalib gets by taking the whole pass's tokens after the positional
               embedding (a hook on patch_dropout) and running [class token + window tokens] through ln_pre, the
               whole transformer, ln_post and proj (per scale, all windows of all images in one batch)
    zeroShot   WinClipModel.forward after setup(class_name): encode_image, class scores of image and windows
               against the 2 text embeddings, harmonic aggregation, upsampling to 240 x 240
    fewShot    WinClipModel.forward after setup(class_name, one reference image): the same, plus the association
               scores of the patch tokens and windows against the shot's
Also, for context (not in the comparison): wholeImage = clip.encode_image alone, windows = the window embeddings
alone from an already captured feature map, and the setup times (text: the 147 + 84 prompts of the ensemble through
the text tower; textAndShot: the same again, as anomalib's setup redoes the text whenever it has a class name, plus
one encode_image of the shot). forward itself never touches the text tower: it reads the stored text embeddings.
"""
import argparse
import importlib.metadata as md
import json
import os
import resource
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")   # belt and braces: nothing here may download
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

p = argparse.ArgumentParser()
p.add_argument("--model", default="ViT-B-16-plus-240")
p.add_argument("--weights", help="OpenCLIP safetensors to load (default: the seed-0 random init, no file)")
p.add_argument("--class-name", default="bottle")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--rounds", type=int, default=5, help="timed calls per mode and batch; the best is reported")
p.add_argument("--warmup", type=int, default=1, help="untimed calls before each mode and batch's rounds")
p.add_argument("--batches", default="1,8")
p.add_argument("--quick", action="store_true", help="a check that it runs (numbers meaningless): batch 1, 1 round, no warm-up, no extras")
args = p.parse_args()
if args.quick:
    args.rounds, args.warmup, args.batches = 1, 0, "1"
batches = [int(b) for b in args.batches.split(",")]

import torch  # noqa: E402  (threads must be set before any parallel work)

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)
torch.set_grad_enabled(False)

import open_clip  # noqa: E402
from open_clip.transform import image_transform  # noqa: E402

oc = md.version("open_clip_torch")
if not ((2, 23, 0) <= tuple(int(x) for x in oc.split(".")[:3]) < (2, 26, 1)):
    sys.exit(f"open_clip_torch {oc}: anomalib {md.version('anomalib')} pins >=2.23.0,<2.26.1; newer ones break its window embeddings")
import anomalib.models.image.winclip.torch_model as tm  # noqa: E402


def flops(layers=12, width=896, mlp=3584, embed=640, patch=16, channels=3, grid=(15, 15), scales=(2, 3)):
    """Work of one image, 2 flops per multiply-add, matmuls only (layer norms, softmax, GELU, adds not counted).

    Per transformer block on L tokens, width C, MLP width M (the head count does not change the total):
        QKV 2*L*C*3C + QK^T 2*L*L*C + AV 2*L*L*C + out proj 2*L*C*C + MLP 2*L*C*M + 2*L*M*C
        = 8*L*C^2 + 4*L^2*C + 4*L*C*M                         (= 24*L*C^2 + 4*L^2*C with M = 4C)
    whole   = layers * block(1 + P) + patch embedding 2*P*(3*p*p)*C + projection 2*C*E       (P = 225 patches)
    windows = sum over windows of [layers * block(1 + s*s) + 2*C*E]  (196 of 1+4 tokens, 169 of 1+9 tokens)
    Every block runs on every token, as anomalib runs them (it pools token 0 only after ln_post). The patch
    embedding is counted once, in whole: the windows reuse the whole pass's tokens (anomalib's hook), so
    whole + windows is one image's encode_image.
    """
    C, M, E = width, mlp, embed
    P = grid[0] * grid[1]

    def block(L):
        return 8 * L * C * C + 4 * L * L * C + 4 * L * C * M

    whole = layers * block(1 + P) + 2 * P * (channels * patch * patch) * C + 2 * C * E
    windows = 0
    for s in scales:
        n = (grid[0] - s + 1) * (grid[1] - s + 1)
        windows += n * (layers * block(1 + s * s) + 2 * C * E)
    return {"whole": whole, "windows": windows}


def make_clip():
    torch.manual_seed(0)
    model = open_clip.create_model(args.model, pretrained=None)
    if args.weights:
        from safetensors.torch import load_file
        model.load_state_dict(load_file(args.weights))
    return model.eval()


def make_winclip(model):
    """anomalib's WinClipModel, its __init__ given the random CLIP by create_model_and_transforms (no download)."""
    real = open_clip.create_model_and_transforms

    def random_clip(name, pretrained=None, **kwargs):
        assert (name, pretrained) == (tm.BACKBONE, tm.PRETRAINED), (name, pretrained)
        return model, None, image_transform(model.visual.image_size, is_train=False)

    open_clip.create_model_and_transforms = random_clip
    try:
        wc = tm.WinClipModel(class_name=None, scales=(2, 3)).eval()   # setup(class_name) is timed below
    finally:
        open_clip.create_model_and_transforms = real
    return wc


def best(fn, rounds):
    """The shortest of `rounds` timed calls after `--warmup` untimed ones; the last call's output kept for checks."""
    for _ in range(args.warmup):
        fn()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        last["out"] = fn()
        times.append(time.perf_counter() - t)
    return min(times)


last = {}


def progress(text):
    print(f"anomalib_winclip: {text}", file=sys.stderr, flush=True)


clip = make_clip()
assert tm.BACKBONE == args.model, tm.BACKBONE
wc = make_winclip(clip)
size = clip.visual.image_size
size = size if isinstance(size, int) else size[0]
grid = tuple(wc.grid_size)
vis = clip.visual
work = flops(layers=len(vis.transformer.resblocks), width=vis.transformer.width,
             mlp=vis.transformer.resblocks[0].mlp.c_fc.out_features, embed=vis.proj.shape[1],
             patch=vis.conv1.kernel_size[0], grid=grid, scales=tuple(wc.scales))
assert [m.shape[1] for m in wc.masks] == [196, 169], [m.shape for m in wc.masks]

torch.manual_seed(1)
images = {b: torch.randn(b, 3, size, size) for b in batches}
reference = torch.randn(1, 3, size, size)

progress("setup: text embeddings")
t = time.perf_counter()
wc.setup(args.class_name)
setup_text = time.perf_counter() - t
assert wc.k_shot == 0

rates = {"zeroShot": {}, "fewShot": {}, "encode": {}, "wholeImage": {}, "windows": {}}
for b in batches:
    progress(f"encode_image, batch {b}")
    rates["encode"][str(b)] = b / best(lambda: wc.encode_image(images[b]), args.rounds)
    # The windows are not all one vector (the open_clip 3.x failure) and come in anomalib's shapes.
    image_embeddings, window_embeddings, patch_tokens = last["out"]
    assert [tuple(w.shape) for w in window_embeddings] == [(b, 196, vis.proj.shape[1]), (b, 169, vis.proj.shape[1])]
    assert tuple(patch_tokens.shape) == (b, grid[0] * grid[1], vis.transformer.width)
    assert all(float(w.std(dim=1).max()) > 1e-4 for w in window_embeddings), "identical windows: wrong open_clip layout"
    progress(f"zero-shot forward, batch {b}")
    rates["zeroShot"][str(b)] = b / best(lambda: wc(images[b]), args.rounds)
    if not args.quick:
        progress(f"whole image alone, batch {b}")
        rates["wholeImage"][str(b)] = b / best(lambda: clip.encode_image(images[b]), args.rounds)
        captured = {}
        hook = vis.patch_dropout.register_forward_hook(lambda _m, inputs, _o: captured.update(fm=inputs[0].detach()))
        clip.encode_image(images[b])
        hook.remove()
        progress(f"windows alone, batch {b}")
        rates["windows"][str(b)] = b / best(lambda: [wc._get_window_embeddings(captured["fm"], m) for m in wc.masks], args.rounds)

progress("setup: text embeddings again and the shot")
t = time.perf_counter()
wc.setup(args.class_name, reference)   # setup re-encodes the prompts whenever it knows a class name, even with only new shots
setup_shot = time.perf_counter() - t
assert wc.k_shot == 1
for b in batches:
    progress(f"few-shot forward, batch {b}")
    rates["fewShot"][str(b)] = b / best(lambda: wc(images[b]), args.rounds)
    out = last["out"]
    assert tuple(out.anomaly_map.shape) == (b, size, size) and tuple(out.pred_score.shape) == (b,)

per_image = work["whole"] + work["windows"]
result = {
    "peer": "anomalib",
    "engine": f"anomalib {md.version('anomalib')} WinClipModel, open_clip {oc}, PyTorch {torch.__version__}, {torch.get_num_threads()} threads",
    "versions": {"anomalib": md.version("anomalib"), "open_clip": oc, "torch": torch.__version__,
                 "python": sys.version.split()[0]},
    "threads": torch.get_num_threads(),
    "model": f"{args.model} (random" + (f", {os.path.basename(args.weights)})" if args.weights else ", seed 0)"),
    "rounds": args.rounds,
    "warmup": args.warmup,
    "quick": args.quick,
    "imagesPerSecond": {k: v for k, v in rates.items() if v},
    "flopsPerImage": work,
    "gflopPerSecond": {"encode": {b: r * per_image / 1e9 for b, r in rates["encode"].items()},
                       **({"wholeImage": {b: r * work["whole"] / 1e9 for b, r in rates["wholeImage"].items()},
                           "windows": {b: r * work["windows"] / 1e9 for b, r in rates["windows"].items()}}
                          if rates["windows"] else {})},
    "setupSeconds": {"text": setup_text, "textAndShot": setup_shot},
    "peakRSSBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}
print(json.dumps(result))
