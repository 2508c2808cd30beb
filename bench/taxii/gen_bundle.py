#!/usr/bin/env python3
"""Writes a synthetic STIX 2.1 bundle of N indicators (deterministic, seed 42) for benchmarks.
Usage: gen_bundle.py N OUT.json [PART]   (PART varies the seed so chunks do not collide)"""
import json, random, sys, uuid

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(42 + (int(sys.argv[3]) if len(sys.argv) > 3 else 0) * 1000003)
with open(out, "w") as f:
    f.write('{"type":"bundle","id":"bundle--%s","objects":[\n' % uuid.UUID(int=rng.getrandbits(128), version=4))
    for i in range(n):
        oid = uuid.UUID(int=rng.getrandbits(128), version=4)
        ip = "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(256))
        obj = {"type": "indicator", "spec_version": "2.1", "id": "indicator--%s" % oid,
               "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
               "name": "Synthetic indicator %d" % i, "indicator_types": ["malicious-activity"],
               "pattern": "[ipv4-addr:value = '%s']" % ip, "pattern_type": "stix",
               "valid_from": "2025-01-01T00:00:00Z",
               "description": "Generated for the tabadul benchmarks; padding " + "x" * 200}
        f.write(("," if i else "") + json.dumps(obj, separators=(",", ":")) + "\n")
    f.write("]}\n")
