#!/usr/bin/env python3
"""Operator census of ONNX exports: what each one contains and what the Java engine refuses in it today.

For every file it prints the file size, the size without initializer data, node count, opset, initializer count, op
types with counts, and three views of the graph:

* ``today``: an emulation of what the engine does before its support check (``graph/ConstantFolder``,
  ``graph/Canonicalizer``, ``engine/OperatorSupport``), grouped by op type and reason. The emulation is an estimate;
  ``lrp inspect`` is the ground truth.
* ``data path``: the nodes whose output depends on the input's values, with the input kinds of each
  (``x`` = depends on the input, ``c`` = constant or shape-only), i.e. what needs an LRP rule once constant branches
  and shape arithmetic are folded or carry no relevance.
* ``patterns``: the decompositions and attributes a rule author must know about (depthwise convs, SiLU, squeeze-
  excitation gates, erf GELU, decomposed LayerNorm, attention MatMuls, class-token Concat, ...).

Needs onnx (Debian ``python3-onnx``). Usage::

    python3 scripts/coverage/census.py [FILE.onnx | DIR ...] [--json OUT.json] [--strip DIR]

``--strip DIR`` also writes, per file, a copy whose large float initializers keep name, dtype and dims but no data
(``<name>.weightless.onnx``); each emptied initializer's ``doc_string`` records ``fill mean=.. std=.. min=.. max=..``
so that a test can refill it with seeded values of the same statistics.
"""

import argparse
import collections
import json
import pathlib
import sys

import numpy as np
import onnx
from onnx import numpy_helper

# What the engine supports today, copied from the Java sources (keep in step with them):
# engine/OperatorSupport.java PLAIN and the switch of reason(), engine/reference/Kernels.java.
PLAIN = {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Identity", "Dropout", "Flatten", "Transpose", "Concat",
         "GlobalAveragePool"}
OUTPUT_ACTIVATIONS = {"Softmax", "LogSoftmax", "Sigmoid"}
CONDITIONAL = {"Gemm", "MatMul", "Conv", "MaxPool", "AveragePool", "BatchNormalization", "Reshape", "Squeeze",
               "Unsqueeze", "Pad", "Add", "Sub", "Mul", "Div", "Softmax", "LogSoftmax"}
# graph/ConstantFolder.java FOLDABLE: evaluated when every input is constant (Shape: when the input's shape is known).
FOLDABLE = {"Constant", "Shape", "Gather", "Concat", "Unsqueeze", "Squeeze", "Cast", "Identity", "Reshape",
            "Flatten", "Add", "Sub", "Mul", "Div"}
# graph/ShapeInference.java: the ops whose output shape the engine infers (Shape folds only below these).
JAVA_SHAPE_OPS = {"Dense", "Gemm", "MatMul", "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "Relu",
                  "LeakyRelu", "Sigmoid", "Tanh", "Identity", "Dropout", "BatchNormalization", "Softmax",
                  "LogSoftmax", "Add", "Sub", "Mul", "Div", "Flatten", "Reshape", "Squeeze", "Unsqueeze",
                  "Transpose", "Concat", "Pad"}
STRIP_MIN_ELEMENTS = 16


def constant_values(graph):
    """Initializers and Constant node outputs as numpy arrays."""
    values = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            for attribute in node.attribute:
                if attribute.name == "value":
                    values[node.output[0]] = numpy_helper.to_array(attribute.t)
    return values


def attributes(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute if a.name != "value"}


def producers(graph):
    return {output: node for node in graph.node for output in node.output}


def today(graph, values):
    """Emulates ConstantFolder + Canonicalizer + OperatorSupport: unsupported (op, reason) -> node names.

    Not modelled: the Java folder loses a shape whose size with its batch sentinel (104729) exceeds an int, so it
    folds a few Shape nodes fewer than this emulation (one in ViT-B/16).
    """
    constant = set(values)
    shape_known = {i.name for i in graph.input}
    kept = []
    for node in graph.node:
        inputs = [i for i in node.input if i]
        foldable = node.op_type in FOLDABLE and len(node.output) == 1 and (
            node.op_type == "Constant"
            or (node.op_type == "Shape" and node.input[0] in shape_known)
            or (node.op_type != "Shape" and all(i in constant for i in inputs)))
        if foldable:
            constant.add(node.output[0])
            continue
        kept.append(node)
        second_constant = len(node.input) < 2 or not node.input[1] or node.input[1] in constant
        if node.input and node.input[0] in shape_known and node.op_type in JAVA_SHAPE_OPS and (
                node.op_type not in {"Reshape", "Squeeze", "Unsqueeze"} or second_constant):
            shape_known.update(node.output)
    consumers = collections.defaultdict(list)
    for node in kept:
        for i in node.input:
            consumers[i].append(node)
    output = graph.output[0].name
    absorbed_adds = set()
    problems = collections.defaultdict(list)
    for node in kept:
        reason = support_reason(node, constant, values, node.output[0] == output)
        if node.op_type == "MatMul" and reason is None:
            following = consumers[node.output[0]]
            if len(following) == 1 and following[0].op_type == "Add":
                absorbed_adds.add(following[0].name)
        if reason is not None and node.name not in absorbed_adds:
            problems[(node.op_type, reason)].append(node.name)
    return problems


def support_reason(node, constant, values, ends_graph):
    """None when OperatorSupport accepts the node, else its reason ("" for an unknown op)."""
    op = node.op_type
    const = lambda index: index < len(node.input) and (not node.input[index] or node.input[index] in constant)
    if len(node.output) > 1 and op not in {"Dropout", "BatchNormalization", "MaxPool"}:
        return "more than one output"
    if op in OUTPUT_ACTIVATIONS and ends_graph:
        return None
    if op in PLAIN:
        return None
    if op in {"Softmax", "LogSoftmax"}:
        return "only supported where it ends the graph"
    if op == "Gemm":
        return None if const(1) and (len(node.input) < 3 or const(2)) else "weight B and bias C must be constants"
    if op == "MatMul":
        weight = values.get(node.input[1])
        ok = const(1) and not const(0) and (weight is None or weight.ndim == 2)
        return None if ok else "weight must be a constant 2-D tensor"
    if op == "Conv":
        return None if const(1) and (len(node.input) < 3 or const(2)) else "weight and bias must be constants"
    if op in {"MaxPool", "AveragePool"}:
        return None if len(attributes(node).get("kernel_shape", [])) <= 2 else "only 1-D and 2-D pools"
    if op == "BatchNormalization":
        return None if all(const(i) for i in range(1, 5)) else "statistics must be constants"
    if op in {"Reshape", "Squeeze", "Unsqueeze"}:
        return None if len(node.input) < 2 or const(1) else "input 1 must be a constant"
    if op == "Pad":
        return None if attributes(node).get("mode", b"constant") in {b"constant", "constant"} else "only zero pad"
    if op == "Add":
        return None if not (const(0) and const(1)) else "both inputs are constants"
    if op in {"Sub", "Mul"}:
        return None if const(0) != const(1) else "only by a constant"
    if op == "Div":
        return None if const(1) and not const(0) else "only division of an activation by a constant"
    return ""


def data_path(graph):
    """The nodes whose outputs depend on the input's values (Shape cuts the dependency)."""
    dependent = {i.name for i in graph.input}
    nodes = []
    for node in graph.node:
        if node.op_type != "Shape" and any(i in dependent for i in node.input if i):
            dependent.update(node.output)
            nodes.append(node)
    return nodes, dependent


def signature(node, dependent, values, shapes):
    kinds = "".join("x" if i in dependent else "c" for i in node.input if i)
    if node.op_type == "Concat" and len(kinds) > 2:
        kinds = "x..." if "c" not in kinds else "x...c..."
    attrs = attributes(node)
    detail = ""
    if node.op_type == "Conv":
        weight = values.get(node.input[1])
        group = attrs.get("group", 1)
        kind = "plain" if group == 1 else (
            "depthwise" if weight is not None and weight.shape[1] == 1 else "grouped")
        detail = f" {kind} k={attrs.get('kernel_shape')} s={attrs.get('strides')}"
    elif node.op_type == "Gemm":
        detail = f" transA={attrs.get('transA', 0)} transB={attrs.get('transB', 0)}"
    elif node.op_type in {"Transpose"}:
        detail = f" perm={attrs.get('perm')}"
    elif node.op_type in {"Softmax", "Gather", "Concat", "Flatten", "LayerNormalization"}:
        detail = f" axis={attrs.get('axis')}"
    elif node.op_type == "ReduceMean":
        detail = f" axes={attrs.get('axes')} keepdims={attrs.get('keepdims', 1)}"
    elif node.op_type == "HardSigmoid":
        detail = f" alpha={attrs.get('alpha', 0.2):.4g} beta={attrs.get('beta', 0.5):.4g}"
    elif node.op_type == "Pow" and node.input[1] in values:
        detail = f" exponent={values[node.input[1]].tolist()}"
    elif node.op_type == "Reshape" and node.input[1] in values:
        target = values[node.input[1]].tolist()
        detail = f" target={target}" if (-1 in target or 0 in target) else ""
    elif node.op_type == "MatMul":
        other = node.input[1]
        detail = f" weight rank {values[other].ndim}" if other in values else ""
    if node.op_type in {"Mul", "Add", "Div", "Sub"} and kinds in {"xc", "cx"}:
        constant = next(i for i in node.input if i not in dependent)
        shape = shapes.get(constant) if constant not in values else list(values[constant].shape)
        detail = f" constant shape {shape}"
    return f"{node.op_type}({kinds}){detail}"


def patterns(graph, dependent, values):
    """Counts of the decompositions and structures rules must handle."""
    found = collections.Counter()
    producer = producers(graph)
    source = lambda name: producer.get(name)
    for node in graph.node:
        ins = [i for i in node.input if i]
        if node.op_type == "Conv":
            weight = values.get(node.input[1])
            group = attributes(node).get("group", 1)
            if group > 1:
                found["Conv depthwise (group = channels)" if weight is not None and weight.shape[1] == 1
                      else "Conv grouped"] += 1
        if node.op_type == "Mul" and len(ins) == 2 and all(i in dependent for i in ins):
            sources = [source(i) for i in ins]
            ops = {s.op_type if s else None for s in sources}
            if "Sigmoid" in ops and any(s and s.op_type == "Sigmoid" and s.input[0] in ins for s in sources):
                found["SiLU: Mul(x, Sigmoid(x))"] += 1
            elif ops & {"Sigmoid", "HardSigmoid"}:
                found["squeeze-excitation: Mul(x, gate(GlobalAveragePool(x) ...)) (activation x activation)"] += 1
            elif "Erf" in {s2.op_type for s in sources if s for s2 in [source(j) for j in s.input] if s2}:
                found["GELU (erf): x * (Erf(x / sqrt 2) + 1), then * 0.5"] += 1
            else:
                found["Mul of two activations (other)"] += 1
        if node.op_type == "Erf":
            found["Erf (GELU decomposition)"] += 1
        if node.op_type == "ReduceMean" and source(node.input[0]) and source(node.input[0]).op_type == "Pow":
            found["LayerNorm decomposed: ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div, Mul, Add"] += 1
        if node.op_type == "LayerNormalization":
            found["LayerNormalization (opset 17 op)"] += 1
        if node.op_type == "MatMul" and len(ins) == 2 and all(i in dependent for i in ins):
            found["MatMul of two activations (attention QK^T or AV)"] += 1
        if node.op_type == "Softmax" and node.output[0] != graph.output[0].name:
            found["Softmax inside the graph (attention)"] += 1
        if node.op_type == "Concat" and node.output[0] in dependent and any(i not in dependent for i in ins):
            found["Concat of an activation with a constant branch (class token)"] += 1
        if node.op_type == "Expand":
            found["Expand (class token broadcast to the batch)"] += 1
        if node.op_type == "Gather" and node.input[0] in dependent:
            found["Gather on an activation with a constant index (class token readout)"] += 1
        if node.op_type == "Slice" and node.input[0] in dependent:
            found["Slice of an activation (q, k, v split of the packed in-projection)"] += 1
        if node.op_type == "Reshape" and node.input[0] in dependent and node.input[1] not in values:
            found["Reshape whose target is computed from Shape at run time"] += 1
        if node.op_type == "Identity" and node.input[0] in values:
            found["Identity of an initializer (deduplicated weights)"] += 1
        if node.op_type == "BatchNormalization":
            previous = source(node.input[0])
            found["BatchNormalization after Conv (mergeable)" if previous and previous.op_type == "Conv"
                  else "BatchNormalization not after a Conv (stays, pass rule)"] += 1
    return found


def stripped(model, only_large_floats):
    """A copy whose (large float) initializers keep name, dtype and dims but no data."""
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    emptied = 0
    for init in copy.graph.initializer:
        array = numpy_helper.to_array(init)
        if only_large_floats and (array.dtype.kind != "f" or array.size < STRIP_MIN_ELEMENTS):
            continue
        stats = array.astype(np.float64)
        init.doc_string = (f"fill mean={stats.mean():.9g} std={stats.std():.9g} min={stats.min():.9g} "
                           f"max={stats.max():.9g}")
        for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data", "string_data"):
            init.ClearField(field)
        emptied += 1
    return copy, emptied


def census(path, strip_dir):
    model = onnx.load(str(path))
    graph = model.graph
    values = constant_values(graph)
    inferred = onnx.shape_inference.infer_shapes(model)
    shapes = {v.name: [d.dim_value or d.dim_param for d in v.type.tensor_type.shape.dim]
              for v in list(inferred.graph.value_info) + list(inferred.graph.input)}
    nodes, dependent = data_path(graph)
    no_data, _ = stripped(model, only_large_floats=False)
    large_stripped, emptied = stripped(model, only_large_floats=True)
    if strip_dir:
        strip_dir.mkdir(parents=True, exist_ok=True)
        onnx.save(large_stripped, str(strip_dir / (path.stem + ".weightless.onnx")))
    problems = today(graph, values)
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "bytes_without_initializer_data": no_data.ByteSize(),
        "bytes_weightless_large_floats": large_stripped.ByteSize(),
        "initializers_emptied": emptied,
        "opset": next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
        "nodes": len(graph.node),
        "initializers": len(graph.initializer),
        "parameters": int(sum(np.prod(i.dims) for i in graph.initializer)),
        "op_types": dict(collections.Counter(n.op_type for n in graph.node).most_common()),
        "unsupported_today": {f"{op}: {reason or 'unknown op'}": len(names)
                              for (op, reason), names in sorted(problems.items())},
        "unsupported_op_types_today": sorted({op for op, _ in problems}),
        "data_path": dict(collections.Counter(signature(n, dependent, values, shapes) for n in nodes).most_common()),
        "data_path_op_types": sorted({n.op_type for n in nodes}),
        "patterns": dict(patterns(graph, dependent, values).most_common()),
    }


def print_report(entry):
    mb = lambda b: f"{b / 1e6:.2f} MB"
    print(f"== {entry['file']}: {mb(entry['bytes'])}, without initializer data "
          f"{mb(entry['bytes_without_initializer_data'])} (large floats only emptied: "
          f"{mb(entry['bytes_weightless_large_floats'])}, {entry['initializers_emptied']} initializers), "
          f"opset {entry['opset']}, {entry['nodes']} nodes, {entry['initializers']} initializers, "
          f"{entry['parameters']} parameters")
    print("   op types: " + ", ".join(f"{op} {count}" for op, count in entry["op_types"].items()))
    print("   unsupported today (emulated): " + (", ".join(
        f"{key} x{count}" for key, count in entry["unsupported_today"].items()) or "none"))
    print("   data path (x = depends on the input, c = constant or shape-only):")
    for key, count in entry["data_path"].items():
        print(f"     {count:4d}  {key}")
    print("   patterns:")
    for key, count in entry["patterns"].items():
        print(f"     {count:4d}  {key}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", default=["target/coverage-models"], help="ONNX files or directories")
    parser.add_argument("--json", help="also write every entry to this JSON file")
    parser.add_argument("--strip", help="write weight-less copies (large float initializers emptied) to this dir")
    args = parser.parse_args()
    files = []
    for name in args.paths:
        path = pathlib.Path(name)
        files += sorted(p for p in path.glob("*.onnx") if not p.name.endswith(".weightless.onnx")) \
            if path.is_dir() else [path]
    if not files:
        sys.exit(f"census: no .onnx files in {args.paths}")
    entries = []
    for path in files:
        entry = census(path, pathlib.Path(args.strip) if args.strip else None)
        print_report(entry)
        entries.append(entry)
    distinct = sorted({op for entry in entries for op in entry["unsupported_op_types_today"]})
    print("distinct op types with unsupported nodes today: " + ", ".join(distinct))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(entries, indent=2) + "\n")


if __name__ == "__main__":
    main()
