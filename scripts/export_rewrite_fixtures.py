"""Exports the tiny PyTorch modules whose decompositions the graph.rewrite patterns fuse.

Run with a Python that has torch 1.13 and onnx (Debian's python3-torch), from the repository root:

    python3 scripts/export_rewrite_fixtures.py

Writes src/test/resources/rewrite/: for each fixture NAME a NAME.onnx (opset 14, where LayerNorm and GELU are
exported as their decompositions), and NAME.<value>.npy pairs of what enters and leaves each fused module
(captured with forward hooks), so that a test can check the fused node's formula on real numbers.
Seeds are fixed, so the files are reproducible.
"""
import os

import numpy as np
import torch
from torch import nn

OPSET = 14
HIDDEN = 8
TOKENS = 4
OUT = os.path.join("src", "test", "resources", "rewrite")


class PreNormBlock(nn.Module):
    """One pre-norm transformer block: x + attn(ln1(x)), then + mlp(ln2(.)) with a GELU."""

    def __init__(self, hidden=HIDDEN, heads=2):
        super().__init__()
        self.ln1 = nn.LayerNorm(hidden)
        self.attn = nn.MultiheadAttention(hidden, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(hidden)
        self.ff1 = nn.Linear(hidden, 2 * hidden)
        self.act = nn.GELU()
        self.ff2 = nn.Linear(2 * hidden, hidden)

    def forward(self, x):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.ff2(self.act(self.ff1(self.ln2(x))))


def randomize_affine(module):
    """Gives every LayerNorm a non-trivial scale and bias, so that a wrong scale/bias input would show."""
    for sub in module.modules():
        if isinstance(sub, nn.LayerNorm) and sub.elementwise_affine:
            with torch.no_grad():
                sub.weight.uniform_(0.5, 1.5)
                sub.bias.uniform_(-0.5, 0.5)


def export(name, module, captured):
    """Exports the module and saves the input/output of each submodule named in `captured` (and of the whole)."""
    torch.manual_seed(7)
    module.eval()
    randomize_affine(module)
    x = torch.randn(2, TOKENS, HIDDEN) * 3 + 1
    arrays = {"input": x}
    hooks = []
    for sub_name in captured:
        def hook(_, inputs, output, sub_name=sub_name):
            arrays[sub_name + ".in"] = inputs[0]
            arrays[sub_name + ".out"] = output
        hooks.append(module.get_submodule(sub_name).register_forward_hook(hook))
    with torch.no_grad():
        arrays["output"] = module(x)
    for handle in hooks:
        handle.remove()
    torch.onnx.export(module, (x,), os.path.join(OUT, name + ".onnx"), opset_version=OPSET,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    for key, value in arrays.items():
        np.save(os.path.join(OUT, name + "." + key + ".npy"), value.detach().numpy().astype(np.float32))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    export("layernorm_affine", nn.LayerNorm(HIDDEN, eps=1e-5), [])
    export("layernorm_plain", nn.LayerNorm(HIDDEN, eps=1e-6, elementwise_affine=False), [])
    export("gelu_erf", nn.GELU(), [])
    export("gelu_tanh", nn.GELU(approximate="tanh"), [])
    export("silu", nn.SiLU(), [])
    torch.manual_seed(1)
    export("prenorm_block", PreNormBlock(), ["ln1", "ln2", "act"])


if __name__ == "__main__":
    main()
