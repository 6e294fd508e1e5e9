#!/usr/bin/env python3
"""Exports the torchvision classifiers of issue #10 point 6 to ONNX, with random weights.

Every model is built with ``weights=None`` (nothing is downloaded) after ``torch.manual_seed`` (ViT-B/16's head,
which torchvision initialises to zero, is then drawn from N(0, 0.02^2)), put in eval mode and
exported with input ``input`` [batch, 3, 224, 224], output ``logits`` [batch, classes], a dynamic batch axis and
constant folding, once per requested opset. A failed export is recorded with its exact error and the others go on.

Besides the six classifiers the script exports, with ``--variants``, smaller MobileNetV3-Small variants (10 classes,
width multipliers 1.0, 0.5 and 0.25) for sizing the export a unit test could run.

Writes ``<model>_opset<N>.onnx``, ``manifest.json`` (one entry per export: file, status, seconds, error) and
``input_1x3x224x224.npy`` (one seeded standard-normal float32 row, the input ``run_coverage.sh`` explains) to the
output directory, which is never committed (``target/coverage-models/`` by default).

Needs torch, torchvision and onnx (Debian: ``python3-torch python3-torchvision python3-onnx``; torch 1.13.1 and
torchvision 0.14.1 were used). Usage::

    python3 scripts/coverage/export_torchvision.py [--output DIR] [--opsets 14,17] [--models a,b] [--variants]
"""

import argparse
import json
import pathlib
import time
import traceback

import numpy
import torch
import torchvision

SEED = 20240610
INPUT_SHAPE = (1, 3, 224, 224)
INPUT_FILE = "input_1x3x224x224.npy"

CLASSIFIERS = {
    "densenet121": lambda: torchvision.models.densenet121(weights=None),
    "resnet50": lambda: torchvision.models.resnet50(weights=None),
    "mobilenet_v3_small": lambda: torchvision.models.mobilenet_v3_small(weights=None),
    "efficientnet_b0": lambda: torchvision.models.efficientnet_b0(weights=None),
    "convnext_tiny": lambda: torchvision.models.convnext_tiny(weights=None),
    "vit_b_16": lambda: with_random_head(torchvision.models.vit_b_16(weights=None)),
}



def with_random_head(vit):
    """torchvision initialises ViT's classification head to zero, so every logit (and relevance) would be 0: draw it
    from N(0, 0.02^2) instead, after the seeded initialisation of everything else."""
    with torch.no_grad():
        torch.nn.init.normal_(vit.heads.head.weight, std=0.02)
        torch.nn.init.normal_(vit.heads.head.bias, std=0.02)
    return vit


VARIANTS = {
    "mobilenet_v3_small_c10": lambda: torchvision.models.mobilenet_v3_small(weights=None, num_classes=10),
    "mobilenet_v3_small_c10_w050": lambda: torchvision.models.mobilenet_v3_small(
        weights=None, num_classes=10, width_mult=0.5),
    "mobilenet_v3_small_c10_w025": lambda: torchvision.models.mobilenet_v3_small(
        weights=None, num_classes=10, width_mult=0.25),
}


def export(name, build, opset, output_dir):
    """Exports one model at one opset; returns its manifest entry (never raises)."""
    path = output_dir / f"{name}_opset{opset}.onnx"
    entry = {"model": name, "opset": opset, "file": path.name}
    started = time.monotonic()
    try:
        torch.manual_seed(SEED)
        model = build().eval()
        example = torch.randn(*INPUT_SHAPE)
        # No torch.no_grad(): under it nn.MultiheadAttention (ViT) takes its fused fast path,
        # aten::_native_multi_head_attention, which has no ONNX export.
        torch.onnx.export(
            model, example, str(path),
            input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=opset, do_constant_folding=True)
        entry.update(status="ok", bytes=path.stat().st_size,
                     parameters=sum(p.numel() for p in model.parameters()))
    except Exception as failure:  # recorded, the other exports go on
        if path.exists():
            path.unlink()
        entry.update(status="failed", error=f"{type(failure).__name__}: {failure}",
                     traceback=traceback.format_exc())
    entry["seconds"] = round(time.monotonic() - started, 1)
    return entry


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default="target/coverage-models", help="output directory (never committed)")
    parser.add_argument("--opsets", default="14,17", help="comma-separated opsets (default 14,17)")
    parser.add_argument("--models", default=",".join(CLASSIFIERS),
                        help="comma-separated subset of: " + ", ".join(CLASSIFIERS))
    parser.add_argument("--variants", action="store_true",
                        help="also export the small MobileNetV3-Small variants: " + ", ".join(VARIANTS))
    args = parser.parse_args()

    output_dir = pathlib.Path(args.output)
    output_dir.mkdir(parents=True, exist_ok=True)
    selected = {name: CLASSIFIERS[name] for name in args.models.split(",") if name}
    if args.variants:
        selected.update(VARIANTS)
    opsets = [int(opset) for opset in args.opsets.split(",")]

    manifest_path = output_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else []
    for name, build in selected.items():
        for opset in opsets:
            entry = export(name, build, opset, output_dir)
            manifest = [old for old in manifest if old["file"] != entry["file"]] + [entry]
            manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
            summary = f"{entry['bytes']} bytes" if entry["status"] == "ok" else entry["error"].splitlines()[0]
            print(f"{entry['file']}: {entry['status']} in {entry['seconds']} s ({summary})", flush=True)
    torch.manual_seed(SEED)
    numpy.save(output_dir / INPUT_FILE, torch.randn(*INPUT_SHAPE).numpy())
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, seed {SEED}; manifest: {manifest_path}")


if __name__ == "__main__":
    main()
