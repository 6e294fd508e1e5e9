"""Exports a PyTorch classifier to ONNX the way lrp-sidecar reads it (docs/own-model.md, "Export from PyTorch").

Run with a Python that has torch and onnx, from the repository root:

    python3 examples/export/export_pytorch.py --output target/own-model/cnn.onnx

The model here is a small CNN for 1 x 8 x 8 inputs (random weights, fixed seed) so the export is quick and the file
small; replace SmallCnn by your own module and EXAMPLE_INPUT by one real input. The three things that matter:
- input_names / output_names: the names the sidecar checks (lrp.models.NAME.input-name, .logits-name);
- dynamic_axes on axis 0 of both: a batch of any size, so the sidecar can explain micro-batches;
- the model in eval() mode, returning logits (a final softmax is allowed, relevance then starts at its input).
"""
import argparse
import os

import torch
from torch import nn

SEED = 20240611
OPSET = 17
EXAMPLE_INPUT = torch.zeros(1, 1, 8, 8)


class SmallCnn(nn.Module):
    """Conv, BatchNorm, ReLU, MaxPool, then a dense head: 1 x 8 x 8 in, 10 logits out."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(4 * 4 * 4, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn(self.conv(x))))
        return self.fc2(torch.relu(self.fc1(torch.flatten(x, 1))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="where to write the .onnx file")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    model = SmallCnn().eval()
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    torch.onnx.export(
        model,
        EXAMPLE_INPUT,
        args.output,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=OPSET,
        do_constant_folding=True,
    )
    print("wrote", args.output)


if __name__ == "__main__":
    main()
