"""The peer for `report bench pretrain`: the same small CLIP in open_clip/PyTorch, one training step
as `report pretrain` takes it (batch of 128 px images and 16-token captions; symmetric InfoNCE with a
learnable temperature plus the dense patch-to-prompt term; AdamW), timed on this CPU in fp32.

    /tmp/clipvenv/bin/python scripts/bench/pytorch_pretrain.py --json [--batch 32] [--steps 5]
"""
import argparse
import json
import time

import open_clip
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=32)
p.add_argument("--steps", type=int, default=5)
p.add_argument("--layers", type=int, default=4)
p.add_argument("--width", type=int, default=192)
p.add_argument("--json", action="store_true")
args = p.parse_args()

torch.manual_seed(0)
cfg = dict(embed_dim=128,
           vision_cfg=dict(image_size=128, patch_size=8, width=args.width, layers=args.layers, head_width=64, mlp_ratio=4),
           text_cfg=dict(context_length=16, vocab_size=49408, width=args.width, heads=args.width // 64, layers=args.layers))
model = open_clip.model.CLIP(**cfg).train()
model.visual.output_tokens = True
opt = torch.optim.AdamW(model.parameters(), lr=5e-4, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.2)
B = args.batch
images = torch.randn(B, 3, 128, 128)
captions = torch.randint(1, 49000, (B, 16))
captions[:, 0] = 49406
captions[:, 10] = 49407          # end of text at position 10, as a typical caption
captions[:, 11:] = 0
prompts = captions[:18].clone() if B >= 18 else captions.repeat(2, 1)[:18]
labels = torch.randint(0, 18, (B,))
products = labels // 2
coverage = (torch.rand(B, 256) < 0.02).float()


def step():
    pooled, tokens = model.visual(images)
    text = model.encode_text(torch.cat([captions, prompts]))
    i, t = F.normalize(pooled, dim=-1), F.normalize(text[:B], dim=-1)
    s = model.logit_scale.exp().clamp(max=100)
    logits = s * i @ t.T
    target = (labels[:, None] == labels[None, :]).float()
    target = target / target.sum(1, keepdim=True)
    loss = (torch.sum(-target * F.log_softmax(logits, 1)) + torch.sum(-target * F.log_softmax(logits.T, 1))) / (2 * B)
    z = F.normalize(tokens @ model.visual.proj, dim=-1)               # (B, P, E): ln_post was applied, the projection not
    pr = F.normalize(text[B:], dim=-1).view(9, 2, -1)[products]       # (B, 2, E)
    dense_logits = s * torch.einsum("bpe,bke->bpk", z, pr)
    y = coverage.long()
    loss = loss + F.cross_entropy(dense_logits.reshape(-1, 2), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()


step()
start = time.perf_counter()
for _ in range(args.steps):
    step()
seconds = (time.perf_counter() - start) / args.steps
out = {"engine": f"open_clip {open_clip.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads)",
       "secondsPerStep": seconds, "imagesPerSecond": B / seconds,
       "parameters": sum(p.numel() for p in model.parameters())}
print(json.dumps(out) if args.json else out)
