#!/usr/bin/python3
"""Generates the differential suite of the array engine: random cases
(shapes with broadcasting and 0-size, dtypes, byte orders, Fortran order,
strided views, operations, axes), their inputs as .npy files, NumPy 1.24's
results as .npy files, and cases.lua, the manifest tests/interop/ops_diff.lua
runs. Usage: ops_gen.py OUTDIR [NCASES] [SEED]

Each case records how npio must be called (1-based axes, Lua numbers as weak
scalars) and what NumPy gave: an array, a scalar, several results, or an
error. Cases whose NumPy 1.24 result depends on value-based casting of a
Python scalar that NEP 50 changes are not generated."""
import json
import os
import sys
import warnings

import numpy as np

OUT = sys.argv[1]
NCASES = int(sys.argv[2]) if len(sys.argv) > 2 else 700
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else 12345
rng = np.random.default_rng(SEED)
warnings.simplefilter("ignore")
np.seterr(all="ignore")

INTS = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
        "uint64"]
FLOATS = ["float16", "float32", "float64"]
REAL = ["bool"] + INTS + FLOATS
CPLX = ["complex64", "complex128"]
ALL = REAL + CPLX

lua = []          # lines of cases.lua
meta = []         # cases.json: what the checker needs
ninput = [0]


def luastr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def luanum(v):
    """A Lua literal for a Python number (floats exactly, as hex)."""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if v != v:
        return "(0/0)"
    if v in (float("inf"), float("-inf")):
        return "math.huge" if v > 0 else "-math.huge"
    return "tonumber(%s)" % luastr(v.hex())


def values(dtype, shape, special=False, small=False):
    """Random values of dtype: integers over the type's range or small,
    floats normal with a few NaN/inf when 'special'."""
    dt = np.dtype(dtype)
    n = int(np.prod(shape)) if len(shape) else 1
    if dt.kind == "b":
        v = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        if small or rng.random() < 0.5:
            lo = max(info.min, -20)
            v = rng.integers(lo, 21, n, endpoint=False)
        else:
            v = rng.integers(info.min, info.max, n, endpoint=True,
                             dtype=np.int64 if dt != np.uint64 else np.uint64)
        v = v.astype(dt)
    elif dt.kind == "f":
        v = (rng.standard_normal(n) * (3 if small else 10)).astype(dt)
        if rng.random() < 0.3:
            v = np.round(v).astype(dt)   # ties and exact integers
        if special and n > 0:
            k = max(1, n // 8)
            idx = rng.integers(0, n, k)
            v[idx] = rng.choice([np.nan, np.inf, -np.inf, np.nan], k)
    else:
        re = rng.standard_normal(n) * 5
        im = rng.standard_normal(n) * 5
        v = (re + 1j * im).astype(dt)
    return v.reshape(shape)


def save_input(arr, layout=None):
    """Saves arr as an input; returns the Lua description of the
    argument. Layouts: C, F (Fortran order), > (big-endian), strided (a
    view taking every other row of a bigger array)."""
    if layout is None:
        layout = rng.choice(["C", "C", "F", ">", "strided"])
    if arr.ndim < 2 and layout == "F":
        layout = "C"
    if arr.ndim == 0 and layout == "strided":
        layout = "C"
    name = "in%d.npy" % ninput[0]
    ninput[0] += 1
    view = ""
    if layout == "F":
        np.save(os.path.join(OUT, name), np.asfortranarray(arr))
    elif layout == ">":
        np.save(os.path.join(OUT, name), arr.astype(arr.dtype.newbyteorder(">")))
    elif layout == "strided":
        big = np.empty((arr.shape[0] * 2,) + arr.shape[1:], arr.dtype)
        big[0::2] = arr
        if big.size:
            big[1::2] = arr  # any values
        np.save(os.path.join(OUT, name), big)
        view = ", step=2"
    else:
        np.save(os.path.join(OUT, name), arr)
    return '{"arr", %s%s}' % (luastr(name), view)


def shape_pair():
    """Two broadcast-compatible shapes (0-size and length-1 axes too)."""
    nd = int(rng.integers(0, 4))
    base = [int(rng.choice([0, 1, 2, 3, 4, 5])) if rng.random() < 0.15
            else int(rng.integers(1, 6)) for _ in range(nd)]
    a, b = list(base), list(base)
    for i in range(nd):
        r = rng.random()
        if r < 0.2:
            a[i] = 1
        elif r < 0.4:
            b[i] = 1
    if nd and rng.random() < 0.3:
        b = b[int(rng.integers(0, nd + 1)):]
    if rng.random() < 0.5:
        a, b = b, a
    return tuple(a), tuple(b)


def rand_shape(maxnd=3, zero=0.1):
    nd = int(rng.integers(1, maxnd + 1))
    return tuple(int(rng.integers(0, 3)) if rng.random() < zero
                 else int(rng.integers(1, 6)) for _ in range(nd))


ncase = [0]


def emit(call, args, result, tol="tight", method=False, scale=1.0):
    """Records one case: call name, Lua argument descriptions, and the
    NumPy result (array, scalar, list of arrays, or an Exception)."""
    cid = ncase[0]
    ncase[0] += 1
    if isinstance(result, Exception):
        exp = '{"error"}'
    elif isinstance(result, (list, tuple)):
        for k, r in enumerate(result):
            np.save(os.path.join(OUT, "exp%d_%d.npy" % (cid, k)), np.asarray(r))
        exp = '{"multi", %d}' % len(result)
    else:
        r = np.asarray(result)
        np.save(os.path.join(OUT, "exp%d.npy" % cid), r)
        exp = '{"%s"}' % ("scalar" if np.ndim(result) == 0 and
                          not isinstance(result, np.ndarray) else "array")
    lua.append('{id=%d, call=%s, method=%s, narg=%d, args={%s}, exp=%s},'
               % (cid, luastr(call), "true" if method else "false",
                  len(args), ", ".join(args), exp))
    meta.append({"id": cid, "call": call, "exp": exp.split('"')[1],
                 "n": len(result) if isinstance(result, (list, tuple)) else 0,
                 "tol": tol, "scale": float(scale), "args": args})


def attempt(f):
    try:
        return f()
    except Exception as ex:   # NumPy refused: npio must refuse too
        return ex


# {==================================================================
# Case families
# ===================================================================

BINARY = ["add", "subtract", "multiply", "divide", "floor_divide",
          "remainder", "power", "minimum", "maximum", "fmin", "fmax",
          "equal", "not_equal", "less", "less_equal", "greater",
          "greater_equal", "logical_and", "logical_or", "logical_xor"]
CPLX_OK = {"add", "subtract", "multiply", "divide", "equal", "not_equal",
           "logical_and", "logical_or", "logical_xor"}
OPERATOR = {"add": "__add", "subtract": "__sub", "multiply": "__mul",
            "divide": "__div", "floor_divide": "__idiv",
            "remainder": "__mod", "power": "__pow"}


def weak_ok(dt, v):
    """True if NumPy 1.24's value-based result equals NEP 50's for a Python
    scalar v next to an array of dtype dt (no upcast by value)."""
    dt = np.dtype(dt)
    if isinstance(v, float):
        return True
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return info.min <= v <= info.max
    return True


def case_binary():
    op = str(rng.choice(BINARY))
    dts = ALL if op in CPLX_OK else REAL
    da, db = str(rng.choice(dts)), str(rng.choice(dts))
    sa, sb = shape_pair()
    if len(sa) == 0 or len(sb) == 0:
        db = da   # 0-d arrays: 1.24 casts them by value, NEP 50 does not
    a = values(da, sa, special=rng.random() < 0.2)
    mode = rng.choice(["aa", "aa", "as", "sa"])
    if len(sa) == 0:
        mode = "aa"   # 1.24 casts a 0-d array next to a scalar by value
    if op == "power" and np.dtype(db).kind in "iu":
        b = values(db, sb, small=True)
        if rng.random() < 0.9:
            b = (np.abs(b.astype(np.int64)) % 6).astype(db)
    else:
        b = values(db, sb, special=rng.random() < 0.2)
    if mode == "aa":
        args = [save_input(a), save_input(b)]
        res = attempt(lambda: getattr(np, op)(a, b))
    else:
        arr = a
        if rng.random() < 0.5:
            s = int(rng.integers(-5, 30))
            if np.dtype(da).kind == "u" or op == "power":
                s = abs(s)
        else:
            s = float(rng.standard_normal() * 4)
        if not weak_ok(da, s):
            return
        if op == "power" and isinstance(s, float) and mode == "sa":
            s = abs(s)
        x = [save_input(arr), luanum(s)]
        if mode == "sa":
            x.reverse()
            res = attempt(lambda: getattr(np, op)(s, arr))
        else:
            res = attempt(lambda: getattr(np, op)(arr, s))
        args = x
    if op in OPERATOR and rng.random() < 0.5:
        emit(OPERATOR[op], args, res)
    else:
        emit(op, args, res)


UNARY = ["negative", "absolute", "sign", "square", "sqrt", "exp", "log",
         "log1p", "expm1", "sin", "cos", "tanh", "floor", "ceil", "rint",
         "trunc", "isnan", "isinf", "isfinite", "logical_not", "log10",
         "log2", "tan"]
UNARY_CPLX = {"negative", "absolute", "square", "isnan", "isinf",
              "isfinite", "logical_not"}


def case_unary():
    op = str(rng.choice(UNARY))
    dt = str(rng.choice(ALL if op in UNARY_CPLX else REAL))
    a = values(dt, rand_shape(), special=rng.random() < 0.3)
    if op in ("sqrt", "log", "log10", "log2", "log1p") and rng.random() < 0.7:
        a = np.abs(a)
    res = attempt(lambda: getattr(np, op)(a))
    call = "__unm" if op == "negative" and rng.random() < 0.5 else op
    emit(call, [save_input(a)], res, tol="math")


REDUCE = ["sum", "prod", "mean", "std", "var", "min", "max", "any", "all",
          "nansum", "nanmean", "nanstd", "nanvar", "nanmin", "nanmax",
          "nanprod", "count_nonzero", "argmin", "argmax", "cumsum",
          "cumprod"]


def case_reduce():
    op = str(rng.choice(REDUCE))
    if op in ("sum", "prod", "mean", "any", "all", "count_nonzero",
              "cumsum", "cumprod"):
        dts = ALL
    elif op.startswith("nan"):
        dts = FLOATS + FLOATS + INTS[:3]
    else:
        dts = REAL
    dt = str(rng.choice(dts))
    shape = rand_shape(3, zero=0.08)
    a = values(dt, shape, special=op.startswith("nan") or rng.random() < 0.1,
               small=op in ("prod", "cumprod", "nanprod"))
    nd = a.ndim
    kw = {}
    largs = [save_input(a)]
    single = op in ("argmin", "argmax", "cumsum", "cumprod")
    r = rng.random()
    if r < 0.3:
        axis = None
    elif r < 0.8 or single:
        axis = int(rng.integers(-nd, nd))
    else:
        k = int(rng.integers(1, nd + 1))
        axis = tuple(int(x) for x in rng.choice(nd, k, replace=False))
    if axis is not None:
        kw["axis"] = axis
    opts = []
    if axis is not None:
        if isinstance(axis, tuple):
            opts.append("axis={%s}" % ", ".join(str(x + 1) for x in axis))
        else:
            opts.append("axis=%d" % (axis + 1 if axis >= 0 else axis))
    if not op.startswith("cum") and op != "count_nonzero" and rng.random() < 0.3:
        kw["keepdims"] = True
        opts.append("keepdims=true")
    if op in ("std", "var", "nanstd", "nanvar") and rng.random() < 0.4:
        kw["ddof"] = 1
        opts.append("ddof=1")
    if op == "count_nonzero" and "keepdims" in kw:
        del kw["keepdims"]
    res = attempt(lambda: getattr(np, op)(a, **kw))
    if op in ("argmin", "argmax") and not isinstance(res, Exception):
        res = res + 1
        if np.ndim(res) == 0:
            res = int(res)
    if opts:
        if len(opts) == 1 and axis is not None and not isinstance(axis, tuple) \
                and rng.random() < 0.5:
            largs.append(opts[0].split("=")[1])
        else:
            largs.append("{%s}" % ", ".join(opts))
    scale = 1.0
    if a.size and np.dtype(dt).kind in "fc":
        fin = np.abs(a[np.isfinite(a)]) if np.dtype(dt).kind == "f" else np.abs(a)
        if fin.size:
            scale = max(1.0, float(fin.max()) * max(1, a.size) ** 0.5)
    method = op not in ("count_nonzero",) and rng.random() < 0.5
    emit(op, largs, res, tol="reduce", method=method, scale=scale)


def case_misc():
    kind = str(rng.choice(["where", "clip", "isclose", "allclose", "sort",
                           "argsort", "unique", "concatenate", "stack",
                           "vstack", "hstack", "dot", "matmul",
                           "nan_to_num", "round", "mask", "flip", "squeeze",
                           "expand_dims", "split", "nonzero", "maskset"]))
    if kind == "where":
        sa, sb = shape_pair()
        dx, dy = str(rng.choice(REAL)), str(rng.choice(REAL))
        if len(sa) == 0 or len(sb) == 0:
            dy = dx
        c = values("bool", sa)
        x, y = values(dx, sb), values(dy, sa)
        if rng.random() < 0.3 and len(sb) > 0:
            s = 0 if np.dtype(dy).kind != "b" else 1
            emit("where", [save_input(c), save_input(x), luanum(s)],
                 attempt(lambda: np.where(c, x, s)))
        else:
            emit("where", [save_input(c), save_input(x), save_input(y)],
                 attempt(lambda: np.where(c, x, y)))
    elif kind == "clip":
        dt = str(rng.choice(INTS + FLOATS))
        a = values(dt, rand_shape(), small=True)
        lo = int(rng.integers(-5, 3)) if rng.random() < 0.5 else None
        hi = int(rng.integers(3, 9)) if lo is None or rng.random() < 0.7 else None
        if np.dtype(dt).kind == "u":
            lo = abs(lo) if lo is not None else None
        emit("clip", [save_input(a), luanum(lo) if lo is not None else "nil",
                      luanum(hi) if hi is not None else "nil"],
             attempt(lambda: np.clip(a, lo, hi)), method=rng.random() < 0.5)
    elif kind in ("isclose", "allclose"):
        sa, sb = shape_pair()
        dt = str(rng.choice(["float32", "float64", "int32"]))
        a = values(dt, sa, special=True)
        b = (a + values(dt, sa, small=True) * 1e-6).astype(dt) \
            if rng.random() < 0.5 else values(dt, sb, special=True)
        eq = bool(rng.random() < 0.5)
        emit(kind, [save_input(a), save_input(b),
                    "{equal_nan=%s}" % ("true" if eq else "false")],
             attempt(lambda: getattr(np, kind)(a, b, equal_nan=eq)))
    elif kind in ("sort", "argsort"):
        dt = str(rng.choice(REAL))
        a = values(dt, rand_shape(), special=True, small=rng.random() < 0.5)
        r = rng.random()
        axis = None if r < 0.2 else int(rng.integers(-a.ndim, a.ndim))
        la = "false" if axis is None else str(axis + 1 if axis >= 0 else axis)
        if kind == "sort":
            res = attempt(lambda: np.sort(a, axis=axis))
        else:
            res = attempt(lambda: np.argsort(a, axis=axis, kind="stable") + 1)
        emit(kind, [save_input(a), la], res)
    elif kind == "unique":
        dt = str(rng.choice(REAL))
        a = values(dt, rand_shape(), special=True, small=True)
        ri, rv, rc = (bool(rng.random() < 0.5) for _ in range(3))
        res = np.unique(a, return_index=ri, return_inverse=rv,
                        return_counts=rc)
        if isinstance(res, tuple):
            res = list(res)
            k = 1
            if ri:
                res[k] = res[k] + 1
                k += 1
            if rv:
                res[k] = res[k] + 1
        else:
            res = [res]
        emit("unique", [save_input(a), "{return_index=%s, return_inverse=%s, "
                        "return_counts=%s}" % tuple("true" if f else "false"
                                                    for f in (ri, rv, rc))],
             res)
    elif kind in ("concatenate", "stack", "vstack", "hstack"):
        n = int(rng.integers(1, 4))
        shape = rand_shape(3, zero=0.1)
        axis = int(rng.integers(-len(shape), len(shape)))
        arrs = []
        for _ in range(n):
            s = list(shape)
            if kind == "concatenate":
                s[axis] = int(rng.integers(0, 4))
            arrs.append(values(str(rng.choice(REAL)), tuple(s)))
        largs = ["{list={%s}}" % ", ".join(save_input(x) for x in arrs)]
        if kind == "concatenate":
            if rng.random() < 0.2:
                largs.append("false")
                res = attempt(lambda: np.concatenate(arrs, axis=None))
            else:
                largs.append(str(axis + 1 if axis >= 0 else axis))
                res = attempt(lambda: np.concatenate(arrs, axis=axis))
        elif kind == "stack":
            ax = int(rng.integers(-len(shape) - 1, len(shape) + 1))
            largs.append(str(ax + 1 if ax >= 0 else ax))
            res = attempt(lambda: np.stack(arrs, axis=ax))
        else:
            res = attempt(lambda: getattr(np, kind)(arrs))
        emit(kind, largs, res)
    elif kind in ("dot", "matmul"):
        dt1, dt2 = str(rng.choice(INTS + FLOATS[1:])), str(rng.choice(
            INTS + FLOATS[1:]))
        m, k, p = (int(rng.integers(1, 6)) for _ in range(3))
        s1 = (m, k) if rng.random() < 0.6 else (k,)
        s2 = (k, p) if rng.random() < 0.6 else (k,)
        if rng.random() < 0.1:
            s2 = (k + 1,)
        a, b = values(dt1, s1, small=True), values(dt2, s2, small=True)
        emit(kind, [save_input(a), save_input(b)],
             attempt(lambda: getattr(np, kind)(a, b)), tol="reduce",
             scale=100.0)
    elif kind == "nan_to_num":
        dt = str(rng.choice(FLOATS + ["int32"]))
        a = values(dt, rand_shape(), special=True)
        if rng.random() < 0.5:
            emit(kind, [save_input(a)], attempt(lambda: np.nan_to_num(a)))
        else:
            emit(kind, [save_input(a), "{nan=-1.5, posinf=7}"],
                 attempt(lambda: np.nan_to_num(a, nan=-1.5, posinf=7)))
    elif kind == "round":
        dt = str(rng.choice(FLOATS + ["int16"]))
        a = values(dt, rand_shape()) / (7 if dt != "int16" else 1)
        a = a.astype(dt)
        d = int(rng.integers(0, 3)) if dt == "int16" else int(rng.integers(-1, 3))
        emit(kind, [save_input(a), str(d)], attempt(lambda: np.round(a, d)),
             method=rng.random() < 0.5)
    elif kind in ("mask", "maskset"):
        dt = str(rng.choice(REAL))
        a = values(dt, rand_shape())
        k = int(rng.integers(1, a.ndim + 1))
        m = values("bool", a.shape[:k])
        if kind == "mask":
            emit("index", [save_input(a), save_input(m)], a[m])
        else:
            v = 1 if np.dtype(dt).kind != "b" else True
            b = a.copy()
            b[m] = v
            emit("maskset", [save_input(a), save_input(m), luanum(v)], b)
    elif kind == "flip":
        a = values(str(rng.choice(REAL)), rand_shape())
        ax = int(rng.integers(-a.ndim, a.ndim))
        if rng.random() < 0.3:
            emit("flip", [save_input(a)], np.flip(a))
        else:
            emit("flip", [save_input(a), str(ax + 1 if ax >= 0 else ax)],
                 np.flip(a, ax))
    elif kind == "squeeze":
        s = tuple(int(rng.choice([1, 1, 2, 3])) for _ in range(int(rng.integers(1, 4))))
        a = values("float64", s)
        emit("squeeze", [save_input(a)], np.squeeze(a))
    elif kind == "expand_dims":
        a = values("int32", rand_shape())
        ax = int(rng.integers(-a.ndim - 1, a.ndim + 1))
        emit("expand_dims", [save_input(a), str(ax + 1 if ax >= 0 else ax)],
             np.expand_dims(a, ax))
    elif kind == "split":
        a = values("float32", rand_shape(2, zero=0))
        ax = int(rng.integers(0, a.ndim))
        n = a.shape[ax]
        if rng.random() < 0.5:
            divs = [d for d in range(1, n + 1) if n % d == 0]
            d = int(rng.choice(divs))
            res = np.split(a, d, axis=ax)
            emit("split", [save_input(a), str(d), str(ax + 1)], list(res))
        else:
            pts = sorted(int(x) for x in rng.integers(0, n + 1, 2))
            res = np.split(a, pts, axis=ax)
            emit("split", [save_input(a), "{%s}" % ", ".join(map(str, pts)),
                           str(ax + 1)], list(res))
    elif kind == "nonzero":
        a = values(str(rng.choice(REAL)), rand_shape(), small=True)
        emit("nonzero", [save_input(a)], [x + 1 for x in np.nonzero(a)])


def main():
    os.makedirs(OUT, exist_ok=True)
    fams = [case_binary] * 9 + [case_unary] * 4 + [case_reduce] * 7 + \
        [case_misc] * 5
    while ncase[0] < NCASES:
        fams[int(rng.integers(0, len(fams)))]()
    with open(os.path.join(OUT, "cases.lua"), "w") as f:
        f.write("return {\n" + "\n".join(lua) + "\n}\n")
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(meta, f)


main()
