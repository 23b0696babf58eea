"""The peer for `report bench pretrain`: the same small CLIP in open_clip/PyTorch, one training step
as `report pretrain` takes it (batch of 128 px images and 16-token captions; symmetric InfoNCE with a
learnable temperature plus the dense patch-to-prompt term; AdamW), timed on this CPU in fp32.
With --dense-tokens value-value (the default, as `report pretrain`'s) the dense term reads PromptAD's
V-V surgery tokens: the vision tower runs by hand over open_clip's own modules, with the V-V stream beside it.

    /tmp/clipvenv/bin/python scripts/bench/pytorch_pretrain.py --json [--batch 32] [--steps 5] [--dense-tokens ordinary]
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
p.add_argument("--dense-tokens", choices=["value-value", "ordinary"], default="value-value")
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


def visual_with_value_value(images):
    """open_clip's ViT forward written out, one in-projection per block feeding both streams."""
    v = model.visual
    x = v.conv1(images).flatten(2).transpose(1, 2)                     # (B, P, C)
    x = torch.cat([v.class_embedding.expand(x.shape[0], 1, -1), x], 1) + v.positional_embedding
    x = v.ln_pre(x)
    vv = x
    for block in v.transformer.resblocks:
        attn = block.attn
        b, t, c = x.shape
        heads = attn.num_heads
        qkv = F.linear(block.ln_1(x), attn.in_proj_weight, attn.in_proj_bias)
        q, k, val = (z.reshape(b, t, heads, c // heads).transpose(1, 2) for z in qkv.chunk(3, dim=-1))
        ordinary = F.scaled_dot_product_attention(q, k, val).transpose(1, 2).reshape(b, t, c)
        value_value = F.scaled_dot_product_attention(val, val, val).transpose(1, 2).reshape(b, t, c)
        vv = vv + attn.out_proj(value_value)
        x = x + attn.out_proj(ordinary)
        x = x + block.mlp(block.ln_2(x))
    return v.ln_post(x[:, 0]) @ v.proj, v.ln_post(vv[:, 1:])


def step():
    if args.dense_tokens == "value-value":
        pooled, tokens = visual_with_value_value(images)
    else:
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
       "denseTokens": args.dense_tokens,
       "secondsPerStep": seconds, "imagesPerSecond": B / seconds,
       "parameters": sum(p.numel() for p in model.parameters())}
print(json.dumps(out) if args.json else out)
