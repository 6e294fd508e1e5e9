"""Writes one PredictionEvent to the sidecar's predictions topic (docs/own-model.md, "Producers").

Needs the avro and confluent_kafka packages (Debian: python3-avro python3-confluent-kafka; pip: avro
confluent-kafka) and the schema files of avro-schemas/. The record is written in Avro's single-object encoding
(marker C3 01, the schema's 8-byte CRC-64-AVRO fingerprint little-endian, then the binary record), which the sidecar
reads without a schema registry. The key is the event id.

    python3 examples/producer-python/produce_prediction.py --bootstrap localhost:9092 --schemas avro-schemas \
        --model digits --version 1 --event-id order-17 --shape 1,8,8 --values 0,0.1,... --reported-class 7 \
        [--label 7] [--reported-scores 0.1,...] [--topic predictions] [--client-config client.properties]

--client-config is a file of key=value librdkafka settings (security.protocol, sasl.mechanism, sasl.username, ...),
passed through unchanged.
"""
import argparse
import datetime
import io
import json
import os
import struct
import sys

import avro.io
import avro.schema
from confluent_kafka import Producer

NAMESPACE = "io.lrpsidecar.events.v1."
SINGLE_OBJECT_MARKER = b"\xc3\x01"
CRC64_EMPTY = 0xC15D213AA4D7A795


def _crc64_table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (CRC64_EMPTY & -(fp & 1))
        table.append(fp)
    return table


_TABLE = _crc64_table()


PRIMITIVES = ("null", "boolean", "int", "long", "float", "double", "bytes", "string")


def canonical_form(node, namespace=""):
    """The Parsing Canonical Form of a schema in JSON, as the Avro specification defines it (python3-avro 1.11 keeps
    {"type":"long"} for a logical long where the specification, and the Java library, write "long")."""
    if isinstance(node, str):
        name = node if node in PRIMITIVES or "." in node or not namespace else namespace + "." + node
        return json.dumps(name)
    if isinstance(node, list):
        return "[" + ",".join(canonical_form(item, namespace) for item in node) + "]"
    kind = node["type"]
    if not isinstance(kind, str) or kind in PRIMITIVES:
        return canonical_form(kind, namespace)
    parts = []
    if kind in ("record", "enum", "fixed"):
        name = node["name"]
        if "." not in name:
            namespace = node.get("namespace", namespace)
            name = namespace + "." + name if namespace else name
        else:
            namespace = name.rsplit(".", 1)[0]
        parts.append('"name":' + json.dumps(name))
    parts.append('"type":' + json.dumps(kind))
    if kind == "record":
        parts.append('"fields":[' + ",".join('{"name":%s,"type":%s}' % (json.dumps(field["name"]),
                     canonical_form(field["type"], namespace)) for field in node["fields"]) + "]")
    elif kind == "enum":
        parts.append('"symbols":' + json.dumps(node["symbols"], separators=(",", ":")))
    elif kind == "array":
        parts.append('"items":' + canonical_form(node["items"], namespace))
    elif kind == "map":
        parts.append('"values":' + canonical_form(node["values"], namespace))
    elif kind == "fixed":
        parts.append('"size":' + str(node["size"]))
    return "{" + ",".join(parts) + "}"


def fingerprint(schema_json):
    """The CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form."""
    fp = CRC64_EMPTY
    for byte in canonical_form(schema_json).encode("utf-8"):
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


def prediction_event_schema(folder):
    """The PredictionEvent schema in JSON from avro-schemas/, the named types it refers to inlined where first used."""
    definitions = {}
    for name in ("DataType", "Tensor", "PredictionEvent"):
        with open(os.path.join(folder, name + ".avsc"), encoding="utf-8") as f:
            definitions[NAMESPACE + name] = json.load(f)
    defined = set()

    def inline(node):
        if isinstance(node, str) and node in definitions and node not in defined:
            defined.add(node)
            return inline(definitions[node])
        if isinstance(node, dict):
            if node.get("type") in ("record", "enum"):
                defined.add(node.get("namespace", NAMESPACE.rstrip(".")) + "." + node["name"])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(NAMESPACE + "PredictionEvent")


def encode(schema_json, event):
    """One event (a dict of the schema's fields) as single-object-encoded bytes."""
    body = io.BytesIO()
    avro.io.DatumWriter(avro.schema.parse(json.dumps(schema_json))).write(event, avro.io.BinaryEncoder(body))
    return SINGLE_OBJECT_MARKER + struct.pack("<Q", fingerprint(schema_json)) + body.getvalue()


def prediction_event(event_id, model, version, shape, values, reported_class, reported_scores=None, label=None):
    """A PredictionEvent dict: the input as a float32 tensor, little-endian, C order."""
    return {
        "eventId": event_id,
        "modelName": model,
        "modelVersion": version,
        "eventTime": datetime.datetime.now(datetime.timezone.utc),
        "input": {"dtype": "FLOAT32", "shape": list(shape), "data": struct.pack("<%df" % len(values), *values)},
        "reportedClass": reported_class,
        "reportedScores": list(reported_scores) if reported_scores is not None else None,
        "label": label,
        "targetClass": None,
        "composite": None,
        "attributes": {},
        "traceparent": None,
    }


def client_config(path):
    config = {}
    if path:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    key, _, value = line.partition("=")
                    config[key.strip()] = value.strip()
    return config


def floats(text):
    return [float(part) for part in text.split(",")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", default="predictions")
    parser.add_argument("--schemas", default="avro-schemas")
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", default="1")
    parser.add_argument("--event-id", required=True)
    parser.add_argument("--shape", required=True, help="comma-separated, without or with a batch axis of 1")
    parser.add_argument("--values", required=True, help="comma-separated, C order")
    parser.add_argument("--reported-class", type=int, required=True)
    parser.add_argument("--reported-scores")
    parser.add_argument("--label", type=int)
    parser.add_argument("--client-config")
    args = parser.parse_args()

    schema = prediction_event_schema(args.schemas)
    value = encode(schema, prediction_event(
        args.event_id, args.model, args.version, [int(d) for d in args.shape.split(",")], floats(args.values),
        args.reported_class, floats(args.reported_scores) if args.reported_scores else None, args.label))
    config = client_config(args.client_config)
    config.update({"bootstrap.servers": args.bootstrap, "acks": "all", "enable.idempotence": True})
    producer = Producer(config)
    outcome = {}

    def delivered(error, message):
        outcome["error"] = error
        outcome["message"] = message

    producer.produce(args.topic, key=args.event_id.encode("utf-8"), value=value, on_delivery=delivered)
    if producer.flush(30) > 0 or "error" not in outcome:
        sys.exit("lrp example: event %s was not delivered to %s within 30 s" % (args.event_id, args.bootstrap))
    if outcome["error"] is not None:
        sys.exit("lrp example: event %s was refused: %s" % (args.event_id, outcome["error"]))
    message = outcome["message"]
    print("wrote event %s to %s-%d at offset %d (%d bytes)"
          % (args.event_id, message.topic(), message.partition(), message.offset(), len(value)))


if __name__ == "__main__":
    main()
