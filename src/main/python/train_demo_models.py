#!/usr/bin/env python3
"""Trains the two demo models of lrp-sidecar and writes them, with held-out data, to src/main/resources/demo.

Reproducible: fixed seeds, datasets that ship inside scikit-learn, CPU only. Needs Debian's python3-torch,
python3-sklearn and python3-onnx (torch 1.13 exports opset 13). The service itself never needs Python.

    python3 src/main/python/train_demo_models.py

* digits.onnx: a small CNN on load_digits (8x8 images, pixel/16 in [0, 1]), 10 classes.
* breast_cancer.onnx: an MLP on load_breast_cancer (30 named features, 2 classes: 0 = malignant, 1 = benign, the
  dataset's target_names order). Events carry standardised features (the scaler is written to
  breast_cancer_scaler.json; the service shows raw values with it). The standardisation is kept out of the model on
  purpose: LRP, like zennit, passes relevance through a scaling by its gradient, so a Sub/Div layer in front would
  rescale every feature's relevance by 1/std and break conservation. The report gives the range of the whole
  standardised dataset, from which the service's data range (the bounds of a bare epsilon-gamma-box) is rounded
  outward.

scikit-learn bundles no credit-scoring dataset (its loaders are breast_cancer, diabetes, digits, iris, linnerud, wine
and sample images) and Debian packages none, so the tabular demo is the breast-cancer model under its own name.
"""
import json
import os

import numpy as np
import torch
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "demo")
torch.manual_seed(0)
np.random.seed(0)
torch.use_deterministic_algorithms(True)


class DigitsCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, padding=1)
        self.fc1 = torch.nn.Linear(64, 32)
        self.fc2 = torch.nn.Linear(32, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.nn.functional.avg_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


class BreastCancerMlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(30, 32)
        self.fc2 = torch.nn.Linear(32, 16)
        self.fc3 = torch.nn.Linear(16, 2)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


def train(model, x, y, epochs, lr):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.tensor(x)
    y = torch.tensor(y)
    for _ in range(epochs):
        permutation = torch.randperm(len(x))
        for start in range(0, len(x), 64):
            batch = permutation[start:start + 64]
            optimizer.zero_grad()
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
    return model.eval()


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(torch.tensor(x)).argmax(1).numpy() == y).mean())


def export(model, example, name):
    torch.onnx.export(model, torch.tensor(example), os.path.join(OUT, name), input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      opset_version=13, do_constant_folding=True)


def main():
    os.makedirs(OUT, exist_ok=True)
    report = {}

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    cnn = train(DigitsCnn(), x_train, y_train, epochs=40, lr=3e-3)
    export(cnn, x_test[:1], "digits.onnx")
    np.save(os.path.join(OUT, "digits_holdout.npy"), x_test)
    np.save(os.path.join(OUT, "digits_labels.npy"), y_test)
    report["digits"] = {"train_accuracy": accuracy(cnn, x_train, y_train),
                        "test_accuracy": accuracy(cnn, x_test, y_test), "test_rows": len(y_test)}

    cancer = load_breast_cancer()
    x = cancer.data.astype(np.float32)
    y = cancer.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    mean, scale = x_train.mean(0), x_train.std(0)
    x_train = ((x_train - mean) / scale).astype(np.float32)
    x_test = ((x_test - mean) / scale).astype(np.float32)
    standardised = (cancer.data - mean) / scale
    with open(os.path.join(OUT, "breast_cancer_scaler.json"), "w") as scaler:
        json.dump({"mean": mean.tolist(), "scale": scale.tolist()}, scaler, indent=1)
    mlp = train(BreastCancerMlp(), x_train, y_train, epochs=60, lr=2e-3)
    export(mlp, x_test[:1], "breast_cancer.onnx")
    np.save(os.path.join(OUT, "breast_cancer_holdout.npy"), x_test)
    np.save(os.path.join(OUT, "breast_cancer_labels.npy"), y_test)
    with open(os.path.join(OUT, "breast_cancer_features.json"), "w") as names:
        json.dump([name.replace(" ", "_") for name in cancer.feature_names], names, indent=1)
    report["breast_cancer"] = {"train_accuracy": accuracy(mlp, x_train, y_train),
                               "test_accuracy": accuracy(mlp, x_test, y_test), "test_rows": len(y_test),
                               "classes": list(cancer.target_names),
                               "standardised_range": [float(standardised.min()), float(standardised.max())]}

    report["software"] = {"torch": torch.__version__, "numpy": np.__version__}
    with open(os.path.join(OUT, "training_report.json"), "w") as out:
        json.dump(report, out, indent=1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
