#!/usr/bin/env bash
# NumPy's legacy random streams: for seeds 0, 1, 42 and 2**32-1, the first
# 10,000 values of every np.random generator must equal NumPy's bit for
# bit (random_gen.py writes NumPy's, random_streams.lua npio's). Run from
# the repo root; NPIO=./build-san/npio runs the sanitizer build.
set -u
NPIO=${NPIO:-./npio}
PY=/usr/bin/python3
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
$PY tests/interop/random_gen.py "$DIR" || { echo "0 passed, 1 failed"; exit 1; }
"$NPIO" tests/interop/random_streams.lua "$DIR"
$PY - "$DIR" <<'PYEOF'
import os, sys
import numpy as np
D = sys.argv[1]
names = open(os.path.join(D, "names.txt")).read().split()
ok = bad = 0
for seed in [0, 1, 42, 2**32 - 1]:
    for k, name in enumerate(names):
        e = np.load(os.path.join(D, "np_%d_%d.npy" % (seed, k)))
        f = os.path.join(D, "lua_%d_%d.npy" % (seed, k))
        if not os.path.exists(f):
            bad += 1
            print("FAIL seed %d %s: no result" % (seed, name))
            continue
        g = np.load(f)
        same = g.shape == e.shape and (
            np.array_equal(g, e) if e.dtype.kind != "f"
            else np.array_equal(g.view(np.uint64 if g.dtype.itemsize == 8
                                       else np.uint8), e.view(
                np.uint64 if e.dtype.itemsize == 8 else np.uint8)))
        if g.dtype.kind != e.dtype.kind and name not in ("mixed", "scalars"):
            same = False
        if same:
            ok += 1
        else:
            bad += 1
            i = 0
            if g.shape == e.shape:
                i = int(np.argmax(g.ravel() != e.ravel()))
            print("FAIL seed %d %s: %s %s vs %s %s, first difference at %d: "
                  "%r vs %r" % (seed, name, g.dtype, g.shape, e.dtype, e.shape,
                                i, g.ravel()[i:i+1], e.ravel()[i:i+1]))
print("%d passed, %d failed" % (ok, bad))
sys.exit(1 if bad else 0)
PYEOF
