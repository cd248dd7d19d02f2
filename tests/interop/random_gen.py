#!/usr/bin/python3
"""Writes NumPy's legacy random streams for tests/interop/random_streams.sh:
for each seed (0, 1, 42, 2**32-1) and each generator, the first values
after np.random.seed(seed), as DIR/np_<seed>_<k>.npy. The Lua side
(random_streams.lua) makes the same calls in the same order.
Usage: random_gen.py DIR"""
import os
import sys

import numpy as np

D = sys.argv[1]
N = 10000
SEEDS = [0, 1, 42, 2**32 - 1]
P7 = np.array([0.1, 0.2, 0.05, 0.3, 0.15, 0.1, 0.1])
P50 = np.arange(1, 51, dtype=float) / np.arange(1, 51).sum()


def gens():
    """(name, function) pairs; each runs right after seeding."""
    r = np.random
    return [
        ("rand", lambda: r.rand(N)),
        ("randn", lambda: r.randn(N)),
        ("random", lambda: r.random(N)),
        ("uniform", lambda: r.uniform(-2, 3, N)),
        ("normal", lambda: r.normal(1.5, 2.0, N)),
        ("randint10", lambda: r.randint(0, 10, N)),
        ("randint_big", lambda: r.randint(-1000, 2**40, N)),
        ("randint_u32", lambda: r.randint(0, 2**32, N)),
        ("randint_i8", lambda: r.randint(-5, 100, N, dtype=np.int8)),
        ("randint_u16", lambda: r.randint(0, 60000, N, dtype=np.uint16)),
        ("randint_bool", lambda: r.randint(0, 2, N, dtype=bool)),
        ("randint_i32", lambda: r.randint(-10**6, 10**6, N, dtype=np.int32)),
        ("choice_n", lambda: r.choice(1000, N) + 1),
        ("choice_p", lambda: r.choice(np.arange(7) * 1.5, N, p=P7)),
        ("choice_norep", lambda: r.choice(N, 5000, replace=False) + 1),
        ("choice_norep_p", lambda: r.choice(50, 20, replace=False, p=P50) + 1),
        ("permutation", lambda: r.permutation(N) + 1),
        ("shuffle", lambda: shuffled(np.arange(N))),
        ("shuffle2d", lambda: shuffled(np.arange(3000).reshape(1000, 3))),
        ("perm_array", lambda: r.permutation(np.arange(N) * 2.5)),
        ("mixed", lambda: np.concatenate([r.randn(3), r.rand(3), r.randn(5),
                                          [r.randn()], r.rand(2),
                                          [r.normal()], [r.randint(0, 100)],
                                          r.randn(7)])),
        ("scalars", lambda: np.array([r.randint(0, 100) for _ in range(50)]
                                     + [r.rand() for _ in range(50)])),
    ]


def shuffled(a):
    np.random.shuffle(a)
    return a


for seed in SEEDS:
    for k, (name, f) in enumerate(gens()):
        np.random.seed(seed)
        np.save(os.path.join(D, "np_%d_%d.npy" % (seed, k)), f())
with open(os.path.join(D, "names.txt"), "w") as f:
    f.write("\n".join(name for name, _ in gens()) + "\n")
