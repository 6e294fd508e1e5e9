#!/usr/bin/env python3
"""Independent check of `lrp evaluate`: recomputes its faithfulness report with numpy alone.

It shares no code with the Java implementation. From the model file (its own float64 forward pass of the ONNX ops
Conv, Relu, MaxPool, Pad, AveragePool, Flatten, Gemm and Constant, from the float32 weights), the input rows, the
labels, the relevance files that `lrp evaluate --relevance-out DIR` wrote and the JSON report of `--output`, it
recomputes the regions, each source's MoRF and LeRF orders, the random control's orders, every perturbation curve,
AOPC and ABPC per row, and the estimates (mean, sample sd, 95% percentile bootstrap interval), and compares them with
the report.

Agreement: every figure is a function of the model's logits, so it is compared relative to their size: with scale
the largest magnitude of a source's logit curve values (in the report), a figure agrees when
|java - python| <= TOLERANCE * scale. That holds for figures on probabilities too: a softmax probability moves by at
most half the largest change of a logit (the sum over j of |dp_t/dz_j| is 2 p_t (1 - p_t) <= 1/2; a sigmoid's
slope is at most 1/4), so logits that agree to TOLERANCE * scale give probabilities that agree to that as well. A
difference relative to the figure itself would be meaningless for the random control's ABPC, which is near 0 by
design. The differences come from the model running in float32 in Java and in float64 here.

Definitions (docs/faithfulness.md):
- regions: each element of a rank-1 row; for images RxC cells over the last two axes, all channels together, smaller
  cells at the lower and right edges; region index = cell row * cells per row + cell column.
- region score: the sum of its elements' relevance, added in element (C) order in float64.
- MoRF: regions by descending score, LeRF ascending, ties by lower region index.
- random control: SplitMix64(seed + row) Fisher-Yates (for i from n-1 down to 1 swap i with next() mod (i+1),
  unsigned) and its reverse; its "ABPC" is area(reversed) - area(forward).
- steps L = min(steps, regions); step k perturbs the first floor(k * n / L) regions; a curve has L + 1 points.
- area = mean of the points; AOPC = c0 - area; ABPC = area(LeRF) - area(MoRF).
- probability: softmax of the logits (sigmoid for a single output).
- bootstrap: 2000 resamples, SplitMix64(12345), index = next() mod n (unsigned), drawn resample by resample; the
  interval is the 2.5% and 97.5% quantiles of the resample means, linear between order statistics (q * (B - 1)).

Usage: faithfulness_check.py --model M.onnx --input X.npy [--labels L.npy] --report report.json --relevance-dir DIR
Exit code 0 when everything agrees, 1 when something differs (listed), 2 when it cannot check (such as an op it does
not implement).
"""
import argparse
import json
import os
import re
import sys

import numpy as np
import onnx
from onnx import numpy_helper

TOLERANCE = 1e-6
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
RESAMPLES = 2000
BOOTSTRAP_SEED = 12345
SUPPORTED = ("Conv", "Relu", "MaxPool", "Pad", "AveragePool", "Flatten", "Gemm", "Constant")


class CannotCheck(Exception):
    pass


# ---------------------------------------------------------------- SplitMix64

class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + GOLDEN) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def permutation(self, n):
        order = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.next() % (i + 1)
            order[i], order[j] = order[j], order[i]
        return order


def splitmix_stream(seed, count):
    """The first `count` outputs of SplitMix64(seed), vectorised (uint64 arithmetic wraps as Java's long does)."""
    k = np.arange(1, count + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(seed & MASK) + k * np.uint64(GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


# ---------------------------------------------------------------- forward pass

def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def windows(x, kernel, strides):
    view = np.lib.stride_tricks.sliding_window_view(x, tuple(kernel), axis=(2, 3))
    return view[:, :, ::strides[0], ::strides[1]]


def conv(x, w, b, a):
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])) or a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise CannotCheck("Conv with groups, dilations or auto_pad is not implemented")
    pads = a.get("pads", [0, 0, 0, 0])
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    cols = windows(x, w.shape[2:], a.get("strides", [1, 1]))
    out = np.tensordot(cols, w, axes=([1, 4, 5], [1, 2, 3]))  # n, h, w, m
    out = out.transpose(0, 3, 1, 2)
    return out + b.reshape(1, -1, 1, 1) if b is not None else out


def pool(x, a, kind):
    if a.get("ceil_mode", 0) != 0 or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise CannotCheck(kind + " with ceil_mode or dilations is not implemented")
    pads = a.get("pads", [0, 0, 0, 0])
    kernel, strides = a["kernel_shape"], a.get("strides", [1, 1])
    widths = ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3]))
    if kind == "MaxPool":
        return windows(np.pad(x, widths, constant_values=-np.inf), kernel, strides).max(axis=(4, 5))
    sums = windows(np.pad(x, widths), kernel, strides).sum(axis=(4, 5))
    if a.get("count_include_pad", 0):
        return sums / (kernel[0] * kernel[1])
    ones = np.pad(np.ones((1, 1) + x.shape[2:]), widths)
    return sums / windows(ones, kernel, strides).sum(axis=(4, 5))


class Forward:
    """The model's forward pass in float64, op by op."""

    def __init__(self, path):
        model = onnx.load(path)
        graph = model.graph
        self.constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.nodes = list(graph.node)
        unsupported = sorted({n.op_type for n in self.nodes if n.op_type not in SUPPORTED})
        if unsupported:
            raise CannotCheck("the model uses %s; this check implements only %s" % (unsupported, list(SUPPORTED)))
        self.input = [i.name for i in graph.input if i.name not in self.constants][0]
        self.output = graph.output[0].name

    def value(self, values, name):
        if name == "":
            return None
        v = values[name]
        return v.astype(np.float64) if v.dtype.kind == "f" else v

    def __call__(self, x):
        values = dict(self.constants)
        values[self.input] = x
        for node in self.nodes:
            a = attributes(node)
            ins = [self.value(values, name) for name in node.input]
            op = node.op_type
            if op == "Constant":
                out = numpy_helper.to_array(a["value"])
            elif op == "Relu":
                out = np.maximum(ins[0], 0.0)
            elif op == "Conv":
                out = conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a)
            elif op in ("MaxPool", "AveragePool"):
                out = pool(ins[0], a, op)
            elif op == "Pad":
                mode = a.get("mode", b"constant")
                if mode not in (b"constant", "constant"):
                    raise CannotCheck("Pad mode %s is not implemented" % mode)
                pads = [int(p) for p in ins[1]]
                if any(p < 0 for p in pads):
                    raise CannotCheck("Pad with negative pads is not implemented")
                rank = ins[0].ndim
                fill = float(ins[2]) if len(ins) > 2 and ins[2] is not None else 0.0
                out = np.pad(ins[0], [(pads[i], pads[i + rank]) for i in range(rank)], constant_values=fill)
            elif op == "Flatten":
                axis = a.get("axis", 1)
                out = ins[0].reshape(int(np.prod(ins[0].shape[:axis])), -1)
            elif op == "Gemm":
                x_, w = ins[0], ins[1]
                x_ = x_.T if a.get("transA", 0) else x_
                w = w.T if a.get("transB", 0) else w
                out = a.get("alpha", 1.0) * (x_ @ w)
                if len(ins) > 2 and ins[2] is not None:
                    out = out + a.get("beta", 1.0) * ins[2]
            values[node.output[0]] = out
        return values[self.output]


# ---------------------------------------------------------------- faithfulness

def region_of(row_shape, region):
    size = int(np.prod(row_shape))
    if len(row_shape) < 2:
        if region != "1":
            raise CannotCheck("region %s on rank-1 rows" % region)
        return np.arange(size), size
    height, width = (1, 1) if region == "1" else [int(v) for v in region.split("x")]
    rows, columns = row_shape[-2], row_shape[-1]
    cell_columns = -(-columns // width)
    cell_rows = -(-rows // height)
    index = np.arange(size)
    column = index % columns
    row = (index // columns) % rows
    return (row // height) * cell_columns + column // width, cell_rows * cell_columns


def region_scores(relevance, regions, count):
    scores = np.zeros((relevance.shape[0], count))
    for i in range(relevance.shape[1]):  # element order, as the definition adds
        scores[:, regions[i]] += relevance[:, i]
    return scores


def morf(scores):
    return [sorted(range(len(s)), key=lambda r: (-s[r], r)) for s in scores]


def lerf(scores):
    return [sorted(range(len(s)), key=lambda r: (s[r], r)) for s in scores]


def baseline_rows(text, inputs, row_shape):
    n = inputs.shape[0]
    if text == "zero":
        return np.zeros_like(inputs)
    if text == "mean":
        mean = np.zeros(inputs.shape[1])
        for r in range(n):  # row by row in float64, then float32 as the model runs
            mean += inputs[r]
        return np.tile((mean / n).astype(np.float32).astype(np.float64), (n, 1))
    if text.startswith("pad:"):
        return np.full_like(inputs, float(int(text[4:])))
    if text.startswith("blur:"):
        sigma = float(text[5:])
        radius = int(np.ceil(3 * sigma))
        d = np.arange(-radius, radius + 1)
        w = np.exp(-(d * d) / (2 * sigma * sigma))
        w = w / w.sum()
        h, wd = row_shape[-2], row_shape[-1]
        images = inputs.reshape(n, -1, h, wd)
        rows_idx = np.clip(np.arange(h)[:, None] + d[None, :], 0, h - 1)
        cols_idx = np.clip(np.arange(wd)[:, None] + d[None, :], 0, wd - 1)
        vertical = np.einsum("ncykx,k->ncyx", images[:, :, rows_idx, :], w)
        blurred = np.einsum("ncyxk,k->ncyx", vertical[:, :, :, cols_idx], w)
        return blurred.astype(np.float32).astype(np.float64).reshape(n, -1)
    if text.startswith("@"):
        values = np.load(text[1:]).astype(np.float64).reshape(-1)
        return np.tile(values, (n, 1))
    raise CannotCheck("baseline %r is not implemented" % text)


def probabilities(logits, targets):
    if logits.shape[1] == 1:
        return 1 / (1 + np.exp(-logits[:, 0]))
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e[np.arange(len(targets)), targets] / e.sum(axis=1)


def curves(forward, inputs, baselines, targets, orders, regions, count, steps, row_shape, chunk=20000):
    """Curves [len(orders), L+1] of logit and probability; orders is a list of (row, order)."""
    stepcount = min(steps, count)
    rows = []
    for row, order in orders:
        rank = np.empty(count, dtype=np.int64)
        rank[np.asarray(order)] = np.arange(count)
        element_rank = rank[regions]
        for k in range(stepcount + 1):
            perturbed = element_rank < (k * count) // stepcount
            rows.append(np.where(perturbed, baselines[row], inputs[row]))
    batch = np.asarray(rows)
    target = np.repeat(np.asarray([targets[row] for row, _ in orders]), stepcount + 1)
    logit = np.empty(len(batch))
    prob = np.empty(len(batch))
    for start in range(0, len(batch), chunk):
        out = forward(batch[start:start + chunk].reshape((-1,) + tuple(row_shape)))
        t = target[start:start + chunk]
        logit[start:start + chunk] = out[np.arange(len(t)), t] if out.shape[1] > 1 else out[:, 0]
        prob[start:start + chunk] = probabilities(out, t)
    return logit.reshape(len(orders), -1), prob.reshape(len(orders), -1)


def area(c):
    return c.mean(axis=1)


def aopc(c):
    return c[:, 0] - area(c)


def estimate(values, indices):
    n = len(values)
    mean = values.mean()
    sd = float(np.sqrt(((values - mean) ** 2).sum() / (n - 1))) if n > 1 else 0.0
    means = np.sort(values[indices].mean(axis=1))
    def quantile(q):
        position = q * (len(means) - 1)
        below = int(np.floor(position))
        above = min(len(means) - 1, below + 1)
        return means[below] + (means[above] - means[below]) * (position - below)
    return {"mean": mean, "sd": sd, "low": quantile(0.025), "high": quantile(0.975), "rows": n}


def file_name(source):
    return re.sub(r"[^A-Za-z0-9.-]", "_", source) + ".npy"


class Comparison:
    def __init__(self):
        self.count = 0
        self.failures = []
        self.worst = 0.0

    def check(self, what, java, python, scale):
        java = np.asarray(java, dtype=np.float64)
        python = np.asarray(python, dtype=np.float64)
        if java.shape != python.shape:
            self.failures.append("%s: shape %s in the report, %s here" % (what, java.shape, python.shape))
            return
        difference = np.abs(java - python) / scale
        self.count += difference.size
        worst = float(difference.max()) if difference.size else 0.0
        self.worst = max(self.worst, worst)
        if worst > TOLERANCE:
            at = np.unravel_index(int(np.argmax(difference)), difference.shape)
            self.failures.append("%s: relative difference %.3g at %s (report %r, here %r, scale %g)"
                                 % (what, worst, at, java[at].item(), python[at].item(), scale))

    def exact(self, what, java, python):
        self.count += 1
        if list(java) != list(python):
            self.failures.append("%s: report %s, here %s" % (what, list(java)[:10], list(python)[:10]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--labels")
    parser.add_argument("--report", required=True)
    parser.add_argument("--relevance-dir", required=True)
    args = parser.parse_args()
    assert SplitMix64(0).next() == 0xE220A8397B1DCDAF, "SplitMix64 self-check"
    assert int(splitmix_stream(0, 1)[0]) == 0xE220A8397B1DCDAF, "vectorised SplitMix64 self-check"

    report = json.load(open(args.report))
    settings = report["settings"]
    n = settings["rows"]
    forward = Forward(args.model)
    raw = np.load(args.input)[:n]
    row_shape = raw.shape[1:]
    inputs = raw.astype(np.float64).reshape(n, -1)
    result = Comparison()

    logits = forward(raw.astype(np.float64))
    if args.labels:
        targets = np.load(args.labels)[:n].astype(np.int64)
    else:
        targets = np.argmax(logits, axis=1)
    result.exact("targets", report["targets"], targets.tolist())
    targets = np.asarray(report["targets"])

    regions, count = region_of(row_shape, settings["region"])
    result.exact("region count", [settings["regions"]], [count])
    steps = settings["steps"]
    stepcount = min(steps, count)
    result.exact("steps used", [settings["stepsUsed"]], [stepcount])
    baselines = baseline_rows(settings["baseline"], inputs, row_shape)
    indices = (splitmix_stream(BOOTSTRAP_SEED, RESAMPLES * n) % np.uint64(n)).astype(np.int64).reshape(RESAMPLES, n)
    seed = settings["seed"]

    for source in report["sources"]:
        name = source["name"]
        if name == "random":
            first = [SplitMix64(seed + r).permutation(count) for r in range(n)]
            labels = {"random": first, "random-reversed": [list(reversed(o)) for o in first]}
            pair = ("random", "random-reversed")
        else:
            relevance = np.load(os.path.join(args.relevance_dir, file_name(name))).astype(np.float64).reshape(n, -1)
            scores = region_scores(relevance, regions, count)
            labels = {}
            if "morf" in source["curves"]:
                labels["morf"] = morf(scores)
            if "lerf" in source["curves"]:
                labels["lerf"] = lerf(scores)
            pair = ("morf", "lerf")
        scale_logit = max(np.abs(np.asarray(source["curves"][label]["logit"])).max() for label in labels)
        scale_prob = scale_logit
        mine = {}
        for label, orders in labels.items():
            logit, prob = curves(forward, inputs, baselines, targets, list(enumerate(orders)), regions, count, steps,
                                 row_shape)
            mine[label] = (logit, prob)
            result.check("%s %s logit curves" % (name, label), source["curves"][label]["logit"], logit, scale_logit)
            result.check("%s %s probability curves" % (name, label), source["curves"][label]["probability"], prob,
                         scale_prob)
            result.check("%s %s mean logit curve" % (name, label), source["meanCurves"][label]["logit"],
                         logit.mean(axis=0), scale_logit)
            result.check("%s %s mean probability curve" % (name, label), source["meanCurves"][label]["probability"],
                         prob.mean(axis=0), scale_prob)
        if pair[0] in mine and pair[1] in mine:
            (first_logit, first_prob), (second_logit, second_prob) = mine[pair[0]], mine[pair[1]]
            figures = {
                "abpc": (area(second_prob) - area(first_prob), scale_prob),
                "abpcLogit": (area(second_logit) - area(first_logit), scale_logit),
                "aopcMorf": (aopc(first_prob), scale_prob),
                "aopcLerf": (aopc(second_prob), scale_prob),
                "aopcMorfLogit": (aopc(first_logit), scale_logit),
                "aopcLerfLogit": (aopc(second_logit), scale_logit),
            }
            for key, (values, scale) in figures.items():
                result.check("%s per-row %s" % (name, key), [row[key] for row in source["rows"]], values, scale)
                mine_estimate = estimate(values, indices)
                java_estimate = source["estimates"][key]
                for field in ("mean", "sd", "low", "high"):
                    result.check("%s %s %s" % (name, key, field), java_estimate[field], mine_estimate[field], scale)
                result.exact("%s %s rows" % (name, key), [java_estimate["rows"]], [mine_estimate["rows"]])
        summary = source["estimates"].get("abpc")
        if summary:
            print("%-40s ABPC %+.6f [%+.6f, %+.6f] (report)  %+.6f (here)" % (
                name, summary["mean"], summary["low"], summary["high"],
                area(mine[pair[1]][1]).mean() - area(mine[pair[0]][1]).mean()))

    if result.failures:
        for failure in result.failures[:20]:
            print("DIFFERS: " + failure)
        print("faithfulness check: %d values compared, %d groups differ beyond %g relative"
              % (result.count, len(result.failures), TOLERANCE))
        return 1
    print("faithfulness check: %d values compared, largest relative difference %.3g (tolerance %g): agreed"
          % (result.count, result.worst, TOLERANCE))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CannotCheck as e:
        print("faithfulness check: cannot check: %s" % e, file=sys.stderr)
        sys.exit(2)
