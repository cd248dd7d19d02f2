#!/usr/bin/python3
"""Compares npio's results (ops_diff.lua) with NumPy's (ops_gen.py):
dtypes must match, integers and booleans exactly, floats within tight
tolerances (math functions a few ulps, reductions scaled by the input's
magnitude). Prints each failure, then 'N passed, N failed'; exit status
1 on any failure. Usage: ops_check.py DIR"""
import json
import os
import sys

import numpy as np

D = sys.argv[1]
cases = json.load(open(os.path.join(D, "cases.json")))
got = {}
for line in open(os.path.join(D, "results.txt")):
    parts = line.rstrip("\n").split(" ", 3)
    got.setdefault(int(parts[0]), []).append(parts[1:])

RTOL = {"tight": {"float64": 1e-12, "float32": 1e-6, "float16": 1e-3},
        "math": {"float64": 1e-13, "float32": 4e-6, "float16": 2e-3},
        "reduce": {"float64": 1e-12, "float32": 2e-5, "float16": 1e-2}}
passed = failed = exact = inexact = 0


def real_name(dt):
    return {"complex64": "float32", "complex128": "float64"}.get(dt.name,
                                                                 dt.name)


def close(r, e, c):
    """Values equal (exact kinds) or close (floats)."""
    global exact, inexact
    if r.shape != e.shape:
        return "shape %s != %s" % (r.shape, e.shape)
    if e.dtype.kind in "biu":
        return None if np.array_equal(r, e) else "values differ"
    if np.array_equal(r, e, equal_nan=True):
        exact += 1
        return None
    inexact += 1
    rt = RTOL[c["tol"]].get(real_name(e.dtype), 1e-12)
    at = rt * (c["scale"] if c["tol"] == "reduce" else 1e-3)
    if np.allclose(r, e, rtol=rt, atol=at, equal_nan=True):
        return None
    bad = ~np.isclose(r, e, rtol=rt, atol=at, equal_nan=True)
    return "values differ: got %s expected %s" % (r[bad][:4], e[bad][:4])


def check_one(c, k, item, expfile):
    e = np.load(expfile)
    if item[1] == "array":
        name = "res%d%s.npy" % (c["id"], "" if k is None else "_%d" % k)
        r = np.load(os.path.join(D, name))
        if r.dtype.name != e.dtype.name:
            return "dtype %s != %s" % (r.dtype.name, e.dtype.name)
        return close(r, e, c)
    if item[1] != "scalar":
        return "unexpected " + " ".join(item)
    kind, val = item[2].split(" ", 1)
    if e.ndim != 0:
        return "got a scalar, expected shape %s" % (e.shape,)
    want = {"b": "bool", "i": "int", "u": "int", "f": "float",
            "c": "complex"}[e.dtype.kind]
    if kind != want:
        return "scalar kind %s, expected %s (%s)" % (kind, want, e.dtype)
    if kind == "bool":
        v = np.array(val == "true")
    elif kind == "int":
        v = np.array(int(val)).astype(e.dtype) if e.dtype.kind == "i" \
            else np.array(int(val) % 2**64, dtype=np.uint64).astype(e.dtype)
    elif kind == "float":
        v = np.array(float.fromhex(val)).astype(e.dtype)
    else:
        re_, im_ = val.split()
        v = np.array(complex(float.fromhex(re_), float.fromhex(im_))
                     ).astype(e.dtype)
    return close(v, e, c)


for c in cases:
    items = got.get(c["id"])
    err = None
    if items is None:
        err = "no result (runner crashed?)"
    elif c["exp"] == "error":
        if items[0][1] != "error":
            err = "expected an error, got %s" % items[0][1]
    elif items[0][1] == "error":
        err = "raised: " + " ".join(items[0][2:])
    elif c["exp"] == "multi":
        if items[0][1] != "multi" or int(items[0][2]) != c["n"]:
            err = "expected %d results, got %s" % (c["n"], items[0])
        else:
            for k in range(c["n"]):
                err = err or check_one(c, k, items[1 + k], os.path.join(
                    D, "exp%d_%d.npy" % (c["id"], k)))
    else:
        err = check_one(c, None, items[0],
                        os.path.join(D, "exp%d.npy" % c["id"]))
    if err:
        failed += 1
        print("FAIL case %d %s(%s): %s" % (c["id"], c["call"],
                                           ", ".join(c["args"])[:200], err))
    else:
        passed += 1
print("float results bit-identical to NumPy: %d of %d" % (exact,
                                                          exact + inexact))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
