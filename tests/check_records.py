#!/usr/bin/env python3
"""Compare `smtpstatus bounce --format jsonl` output with expected records.

usage: check_records.py EXPECTED.jsonl ACTUAL.jsonl
Each expected line lists the fields that matter; each must be equal in the
record at the same position, and the number of records must match.
"""
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


exp, act = load(sys.argv[1]), load(sys.argv[2])
bad = []
if len(exp) != len(act):
    bad.append(f"{len(act)} records, expected {len(exp)}")
for i, (e, a) in enumerate(zip(exp, act)):
    for k, v in e.items():
        if a.get(k) != v:
            bad.append(f"record {i + 1}: {k} = {a.get(k)!r}, expected {v!r}")
for b in bad:
    print("   ", b)
sys.exit(1 if bad else 0)
