"""The peer for `report bench clip`: a randomly initialised OpenCLIP model in PyTorch on this CPU.

    /tmp/clipvenv/bin/python scripts/bench/pytorch_clip.py --save /tmp/vitb16plus.safetensors   # make the weights
    /tmp/clipvenv/bin/python scripts/bench/pytorch_clip.py --json                                # time PyTorch

Times what `report bench clip` times: images/s at batch 1 and 8, text prompts/s (32 prompts of
77 tokens, padded as open_clip runs them), one prompt-learning step (forward and backward through the
text tower, 32 prompts, 4 context vectors), and peak memory.
"""
import argparse
import json
import resource
import time

import open_clip
import torch
from safetensors.torch import save_file

p = argparse.ArgumentParser()
p.add_argument("--model", default="ViT-B-16-plus-240")
p.add_argument("--save", help="write the random weights here (safetensors) and exit")
p.add_argument("--json", action="store_true")
p.add_argument("--repeats", type=int, default=5)
args = p.parse_args()

torch.manual_seed(0)
model = open_clip.create_model(args.model, pretrained=None).eval()
if args.save:
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, args.save)
    print("wrote", args.save)
    raise SystemExit
torch.set_grad_enabled(False)
size = model.visual.image_size
size = size if isinstance(size, int) else size[0]


def best(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


one = torch.randn(1, 3, size, size)
eight = torch.randn(8, 3, size, size)
tokenizer = open_clip.get_tokenizer(args.model)
prompts = tokenizer([f"a photo of a damaged object number {i}." for i in range(32)])
t1 = best(lambda: model.encode_image(one), args.repeats)
t8 = best(lambda: model.encode_image(eight), args.repeats)
tt = best(lambda: model.encode_text(prompts), args.repeats)


def prompt_step():
    # PromptAD's shape: 32 prompts of 77 tokens, 4 learnable context vectors in place of positions 1..4.
    ctx = (torch.randn(4, model.token_embedding.weight.shape[1]) * 0.02).requires_grad_(True)
    with torch.enable_grad():
        x = model.token_embedding(prompts).detach()
        x = torch.cat([x[:, :1], ctx.unsqueeze(0).expand(x.shape[0], -1, -1), x[:, 5:]], dim=1)
        x = x + model.positional_embedding
        x = model.transformer(x, attn_mask=model.attn_mask)
        x = model.ln_final(x)
        feats = x[torch.arange(x.shape[0]), prompts.argmax(dim=-1)] @ model.text_projection
        feats.sum().backward()


ts = best(prompt_step, args.repeats)
result = {
    "engine": f"PyTorch {torch.__version__}, open_clip {open_clip.__version__}, {torch.get_num_threads()} threads",
    "batch1ImagesPerSecond": 1 / t1,
    "batch8ImagesPerSecond": 8 / t8,
    "textPromptsPerSecond": 32 / tt,
    "promptStepSeconds": ts,
    "peakRSSBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}
print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
