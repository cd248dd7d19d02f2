#!/usr/bin/python3
"""
text_cases.py OUTDIR -- the differential cases for np.loadtxt,
np.genfromtxt and np.savetxt.

NumPy 1.24 runs every case here; its result is saved as .npy files (or
the fact that it raised) and the case list is written as a Lua table
(OUTDIR/cases.lua) for text_diff.lua, which runs npio on the same inputs
and compares dtypes, shapes and bytes. savetxt cases save NumPy's output
file next to the array it wrote.

Options are written in Python (0-based usecols, None) and translated to
npio's Lua spelling (1-based usecols, false) by py2lua below.
"""
import io
import os
import sys
import warnings

import numpy as np

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
warnings.simplefilter("ignore")

CASES = []


# {======================================================
# Python options -> Lua source
# =======================================================

def lua_str(s):
    if isinstance(s, bytes):
        s = s.decode("latin1")
    b = s.encode("utf-8")
    out = []
    for c in b:
        if c == 0x22 or c == 0x5C:
            out.append("\\" + chr(c))
        elif 32 <= c < 127:
            out.append(chr(c))
        else:
            out.append("\\%03d" % c)
    return '"' + "".join(out) + '"'


def lua_dtype(d):
    if d is None:
        return "false"
    if isinstance(d, str):
        return lua_str(d)
    if isinstance(d, tuple) and all(not isinstance(x, tuple) for x in d):
        return "{" + ", ".join(lua_dtype(x) for x in d) + "}"
    if isinstance(d, list):
        parts = []
        for f in d:
            if len(f) == 3:
                shp = f[2] if isinstance(f[2], tuple) else (f[2],)
                parts.append("{%s, %s, {%s}}" % (lua_str(f[0]), lua_dtype(f[1]),
                                                  ", ".join(map(str, shp))))
            else:
                parts.append("{%s, %s}" % (lua_str(f[0]), lua_dtype(f[1])))
        return "{" + ", ".join(parts) + "}"
    return lua_str(np.dtype(d).str.replace("|", ""))


def lua_value(v):
    if v is None:
        return "false"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float):
        if v != v:
            return "0/0"
        return repr(v)
    if isinstance(v, str):
        return lua_str(v)
    raise ValueError(v)


def col1(c):
    return c + 1 if c >= 0 else c


def py2lua(kw):
    parts = []
    for k, v in kw.items():
        if k == "dtype":
            parts.append("dtype=" + lua_dtype(v))
        elif k == "usecols":
            if isinstance(v, int):
                parts.append("usecols=%d" % col1(v))
            elif isinstance(v, str):
                parts.append("usecols=" + lua_str(v))
            else:
                parts.append("usecols={%s}" % ", ".join(
                    lua_str(c) if isinstance(c, str) else str(col1(c))
                    for c in v))
        elif k in ("comments",):
            if v is None:
                parts.append("comments=false")
            elif isinstance(v, (list, tuple)):
                parts.append("comments={%s}" % ", ".join(map(lua_str, v)))
            else:
                parts.append("comments=" + lua_str(v))
        elif k == "delimiter":
            if v is None:
                parts.append("delimiter=false")
            elif isinstance(v, int):
                parts.append("delimiter=%d" % v)
            elif isinstance(v, (list, tuple)):
                parts.append("delimiter={%s}" % ", ".join(map(str, v)))
            else:
                parts.append("delimiter=" + lua_str(v))
        elif k == "names":
            if v is True:
                parts.append("names=true")
            elif isinstance(v, str):
                parts.append("names=" + lua_str(v))
            else:
                parts.append("names={%s}" % ", ".join(map(lua_str, v)))
        elif k == "missing_values":
            if isinstance(v, str):
                parts.append("missing_values=" + lua_str(v))
            else:
                items = []
                for kk, vv in v.items():
                    key = "[%d]" % col1(kk) if isinstance(kk, int) else \
                        "[%s]" % lua_str(kk)
                    if isinstance(vv, (list, tuple)):
                        items.append("%s={%s}" % (key, ", ".join(
                            lua_str(str(x)) for x in vv)))
                    else:
                        items.append("%s=%s" % (key, lua_str(str(vv))))
                parts.append("missing_values={%s}" % ", ".join(items))
        elif k == "filling_values":
            if isinstance(v, dict):
                items = []
                for kk, vv in v.items():
                    key = "[%d]" % col1(kk) if isinstance(kk, int) else \
                        "[%s]" % lua_str(kk)
                    items.append("%s=%s" % (key, lua_value(vv)))
                parts.append("filling_values={%s}" % ", ".join(items))
            else:
                parts.append("filling_values=" + lua_value(v))
        elif k == "excludelist":
            parts.append("excludelist={%s}" % ", ".join(map(lua_str, v)))
        elif k == "case_sensitive":
            parts.append("case_sensitive=" + (lua_str(v) if isinstance(v, str)
                                              else lua_value(v)))
        elif k == "fmt":
            if isinstance(v, (list, tuple)):
                parts.append("fmt={%s}" % ", ".join(map(lua_str, v)))
            else:
                parts.append("fmt=" + lua_str(v))
        elif k == "converters":
            # converters are given as Lua source in the case itself
            parts.append("converters=" + v)
        else:
            parts.append("%s=%s" % (k, lua_value(v)))
    return "{" + ", ".join(parts) + "}"


# }======================================================

# {======================================================
# Running NumPy
# =======================================================

def run_reader(name, fn, text, kw, lines=False, converters=None,
               lua_kw=None, expect=None):
    """Runs NumPy's reader; saves its result as OUT/<name>.<i>.npy."""
    idx = len(CASES)
    path = os.path.join(OUT, "in%04d.txt" % idx)
    if isinstance(text, str):
        data = text.encode("utf-8")
    else:
        data = text
    with open(path, "wb") as f:
        f.write(data)
    pykw = dict(kw)
    if converters is not None:
        pykw["converters"] = converters[0]
    src = data.decode("utf-8").splitlines(True) if lines else path
    case = {"name": name, "fn": fn, "path": path, "lines": lines,
            "opts": py2lua(dict(kw, **({"converters": converters[1]}
                                       if converters else {}))
                           if lua_kw is None else lua_kw),
            "results": [], "error": False, "expect": expect}
    try:
        r = getattr(np, fn)(src, **pykw)
    except Exception as e:  # NumPy rejects it: npio must too
        case["error"] = True
        case["numpy_error"] = "%s: %s" % (type(e).__name__, e)
        CASES.append(case)
        return
    if isinstance(r, (list, tuple)):
        arrs = list(r)
        case["unpacked"] = True
    elif kw.get("unpack") and np.ndim(r) > 0 and r.dtype.names is None:
        arrs = list(r)            # npio returns the rows of a.T
        case["unpacked"] = True
    else:
        arrs = [r]
    for k, a in enumerate(arrs):
        if isinstance(a, np.ma.MaskedArray):
            fn1 = "%s.%d.npy" % (os.path.basename(path), k)
            np.save(os.path.join(OUT, fn1), a.data)
            fn2 = "%s.%d.mask.npy" % (os.path.basename(path), k)
            np.save(os.path.join(OUT, fn2), np.ma.getmaskarray(a))
            case["results"].append(fn1)
            case["mask"] = fn2
        else:
            a = np.asarray(a)
            fn1 = "%s.%d.npy" % (os.path.basename(path), k)
            np.save(os.path.join(OUT, fn1), a)
            case["results"].append(fn1)
    CASES.append(case)


def L(text, **kw):
    conv = kw.pop("_conv", None)
    lines = kw.pop("_lines", False)
    name = kw.pop("_name", "loadtxt")
    expect = kw.pop("_expect", None)
    run_reader(name, "loadtxt", text, kw, lines=lines, converters=conv,
               expect=expect)


def G(text, **kw):
    conv = kw.pop("_conv", None)
    lines = kw.pop("_lines", False)
    name = kw.pop("_name", "genfromtxt")
    expect = kw.pop("_expect", None)
    run_reader(name, "genfromtxt", text, kw, lines=lines, converters=conv,
               expect=expect)


def S(arr, name="savetxt", **kw):
    """Saves arr with NumPy's savetxt; npio must write the same bytes."""
    idx = len(CASES)
    npy = os.path.join(OUT, "sv%04d.npy" % idx)
    np.save(npy, arr)
    out = os.path.join(OUT, "sv%04d.numpy.txt" % idx)
    case = {"name": name, "fn": "savetxt", "npy": npy, "expected": out,
            "opts": py2lua(kw), "error": False}
    try:
        np.savetxt(out, arr, **kw)
    except Exception as e:
        case["error"] = True
        case["numpy_error"] = "%s: %s" % (type(e).__name__, e)
    CASES.append(case)


# }======================================================

# {======================================================
# loadtxt cases
# =======================================================

rng = np.random.RandomState(7)
vals = rng.randn(6, 4) * 10.0 ** rng.randint(-6, 6, size=(6, 4))

def table(fmt, delim, a=vals, nl="\n"):
    return nl.join(delim.join(fmt % x for x in row) for row in a) + nl

# plain numbers in many spellings and layouts
for fmt in ("%.18e", "%.6g", "%r", "%.3f", "%.17g", "%+.10E"):
    L(table(fmt, ","), delimiter=",")
    L(table(fmt, " "))
L(table("%.6g", "\t"), delimiter="\t")
L(table("%.6g", ";", nl="\r\n"), delimiter=";")
L(table("%.6g", ",", nl="\r"), delimiter=",")
L(table("%.6g", "  ") + "\n\n")
L("1,2,3\n4,5,6", delimiter=",")
L("  1   2\t3  \n\n  4 5 6\n", _name="whitespace runs")
L("# header\n1 2\n# mid\n3 4 # tail\n")
L("1,2\n3,4\n", delimiter=",", dtype="i4")
L("1,2\n3,4\n", delimiter=",", dtype="u1")
L("-1,2\n3,-4\n", delimiter=",", dtype="i8")
L("1,0\n2,-3\n", delimiter=",", dtype="bool")
L("1.5,2.5\n", delimiter=",", dtype="f4")
L("1.5,2.5\n", delimiter=",", dtype="f2")
L("1.5,2.5\n", delimiter=",", dtype=">f8")
L("1,2\n", delimiter=",", dtype=">i4")
L("nan,inf,-inf,-Infinity,+inf,NaN\n", delimiter=",")
L("-0,0,-0.0\n", delimiter=",")
L("1e400,-1e400,1e-400,4.9e-324,2.2250738585072014e-308\n", delimiter=",")
L("0.1,0.2,0.3\n1.7976931348623157e308,5e-324,123456789012345678901234567890\n",
  delimiter=",")
L(" 1 , 2 \n 3 , 4 \n", delimiter=",")
L("1+2j,(3-4j),5j\n-1.5e3+2.5e-3j,6,(7)\n", delimiter=",", dtype="complex")
L("1+2j 3-4j\n", dtype="c8")
L("a,1\nbb,2\n", delimiter=",", dtype="U")
L("a,1\nbb,2\n", delimiter=",", dtype="S")
L("a,1\nbb,2\n", delimiter=",", dtype="U5")
L("a,1\nbbbbbbb,2\n", delimiter=",", dtype="S3")
L("1,2,3,4\n5,6,7,8\n", delimiter=",", usecols=(0, 2))
L("1,2,3,4\n5,6,7,8\n", delimiter=",", usecols=(-1, 0))
L("1,2,3,4\n5,6,7,8\n", delimiter=",", usecols=2)
L("1,2,3,4\n5,6,7,8\n", delimiter=",", usecols=(1, 1))
L("0,0,XXX\n0,XXX,0,XXX\n0,XXX,XXX,0,XXX\n", delimiter=",", usecols=[0, -2])
L("1 2 3\n4 5 6\n7 8 9\n", skiprows=1)
L("1 2 3\n4 5 6\n7 8 9\n", max_rows=2)
L("1 2 3\n\n# c\n4 5 6\n7 8 9\n", skiprows=1, max_rows=1)
L("1 2 3\n", ndmin=2)
L("1\n2\n3\n", ndmin=2)
L("1\n2\n3\n", ndmin=1)
L("5\n")
L("5\n", ndmin=1)
L("5\n", ndmin=2)
L("", ndmin=0)
L("", ndmin=2)
L("", usecols=(1, 2))
L("# only\n# comments\n")
L("1 2\n3 4\n", unpack=True)
L("1,a,2.5\n2,b,3.5\n", delimiter=",",
  dtype=[("n", "i4"), ("s", "S2"), ("x", "f8")])
L("1,a,2.5\n2,b,3.5\n", delimiter=",",
  dtype=[("n", "i4"), ("s", "U2"), ("x", "f8")], unpack=True)
L("1 2 3 4\n5 6 7 8\n", dtype=[("a", "f8", (2,)), ("b", "i4"), ("c", "f4")])
L("1;2;3\n", delimiter=";", dtype=[("a", "f8"), ("b", [("x", "i4"), ("y", "f4")])])
L("1000;2.4;'alpha';-34\n2000;3.1;'beta';29\n", delimiter=";", quotechar="'",
  dtype=[("f0", "u2"), ("f1", "f8"), ("f2", "S7"), ("f3", "i1")])
L('"alpha, x", 2.5\n"beta, y", 4.5\n', delimiter=",", quotechar='"',
  dtype=[("f0", "U8"), ("f1", "f8")])
L('"alpha, x"     2.5\n"beta, y" 4.5\n', quotechar='"',
  dtype=[("f0", "U8"), ("f1", "f8")])
L('"Hello, my name is ""Monty""!"', delimiter=",", quotechar='"', dtype="U40")
L('1\n\n"4"\n""', delimiter=",", dtype="U1", quotechar='"')
L('1\n\n"4"\n"', delimiter=",", dtype="U1", quotechar='"')
L('1,"2\n3",4\n', delimiter=",", quotechar='"', dtype="U")
L('"ab"cd 1\n', quotechar='"', dtype="U")
L('x"ab" 1\n', quotechar='"', dtype="U")
L(' "" \n', quotechar='"', dtype="U")
L("1,2 % c1\n3,4 // c2\n", delimiter=",", comments=["%", "//"])
L("1,2 ## c\n3,4\n", delimiter=",", comments="##")
L("1,2\n3,4\n", delimiter=",", comments=None)
L("1:2\n3:4\n", delimiter=":")
L("1\u00e92\n3\u00e94\n", delimiter="\u00e9")
L("1 2\n3 4", comments="@")
L("\ufeff1,2\n3,4\n", delimiter=",", encoding="utf-8-sig")
L("1.5, 2.5\n3.0, XXX\n5.5, 6.0\n", delimiter=",",
  _conv=({-1: lambda s: np.nan if s.strip() == "XXX" else float(s)},
         '{[-1]=function(s) if s:match("XXX") then return 0/0 end return tonumber(s) end}'),
  encoding=None)
L("1,2,3\n4,5,6\n", delimiter=",", usecols=[0, 2],
  _conv=({2: lambda s: float(s) * 10}, '{[3]=function(s) return tonumber(s) * 10 end}'))
L("1,2,3\n4,5,6\n", delimiter=",",
  _conv=(lambda s: float(s) + 1, 'function(s) return tonumber(s) + 1 end'),
  encoding=None)
L("1 2\n3 4\n", _lines=True)
L("1,2\n3,4\r\n5,6\n", delimiter=",", _lines=True)
L(" 3 ,\"\u202f2\n\"", delimiter=",", quotechar='"', dtype="f8")
L("1 2 3\n", dtype="i2")
L("1.0 2.0\n", dtype="i8", _expect="deprecated")
L("1e3\n", dtype="i4", _expect="deprecated")
# edges
L("1 2\n3 4\n", max_rows=0)
L("1 2\n3 4\n", skiprows=5)
L("1 2\n3 4\n", skiprows=2)
L("\n\n\n", delimiter=",")
L('"a,#b",1\n"c\td",2\n', delimiter=",", quotechar='"', dtype=[("s", "U5"), ("n", "f8")])
L('"a\r\nb",1\n', delimiter=",", quotechar='"', dtype=[("s", "U5"), ("n", "f8")])
L("1\t2\n3\t\t4\n", delimiter="\t", dtype="U")
L("1\x0b2\n3\x0c4\n")
L("1 2 3\n# 4 5 6\n7 8 9\n", usecols=(2, 0), dtype="i8")
L("1;2;3\n4;5;6\n", delimiter=";", usecols=(1,), ndmin=2)
L("1;2;3\n4;5;6\n", delimiter=";", dtype=[("a", "i4"), ("b", "i4"), ("c", "i4")], ndmin=2)
L("1,2\n", delimiter=",", dtype=[("a", "i4"), ("b", "i4")], ndmin=1)
L("  1,2\n", delimiter=",")
L("1e5,1E-5,-1.5e+10,+.5e1\n", delimiter=",", dtype="f4")
L("65504,1e5,-0.0001,6e-8\n", delimiter=",", dtype="f2")
L("127,-128\n", delimiter=",", dtype="i1")
L("255,0\n", delimiter=",", dtype="u1")
L("18446744073709551615,0\n", delimiter=",", dtype="u8")
L("-9223372036854775808,9223372036854775807\n", delimiter=",", dtype="i8")
L("1.99,-1.99\n", delimiter=",", dtype="i4", _expect="deprecated")
L("1+1j,2\n", delimiter=",", dtype="c8")
L("a b\nc d\n", dtype="S1")
L("\u00e9\u00e8 x\n", dtype="U2", encoding="utf-8")
L("1.5,2\n,\n", delimiter=",")
L("1,2,\n", delimiter=",")
L(",1,2\n", delimiter=",")
L("1 2\n  \n3 4\n", delimiter=",")
L("1,2\n3,4", delimiter=",", usecols=(0,))
# rejections
L("1,2\n3,XXX\n", delimiter=",")
L("1,2\n3,XXX\n", delimiter=",", dtype="i2")
L("1 2\n3\n")
L("1,,2\n", delimiter=",")
L("1.2.3\n")
L("0x1p3\n")
L("1_000\n")
L("1_1\n", dtype="i4")
L("True\n", dtype="bool")
L("1.5\n", dtype="bool")
L("nan(12)\n")
L("1\x00\n", delimiter=",")
L("(1+2j\n", delimiter=",", dtype="complex")
L("1 +2j\n", delimiter=",", dtype="complex")
L("1+2\n", delimiter=",", dtype="complex")
L("0,0,XXX\n0\n0,XXX,XXX,0,XXX\n", delimiter=",", usecols=[0, -2])
L("1,2\n4,5,6\n", delimiter=",", dtype=[("a", "f8"), ("b", "f8"), ("c", "f8")])
L("1,2,3\n", delimiter=",", usecols=[0, 2], dtype=[("a", "f8"), ("b", "f8"), ("c", "f8")])
L("1,2\n", delimiter=",", usecols=[5])
L("1 2\n", delimiter=",", comments=",")
L("1 2\n", delimiter=",", quotechar=",")
L("1 2\n", comments="#", quotechar="#")
L("1 2\n", comments="")
L("1 2\n", delimiter="ab")
L("1 2\n", skiprows=-1)
L("1 2\n", ndmin=3)
L("1,2\n", delimiter=",", comments="12", quotechar='"')
L("\u03b1,1\n", delimiter=",", dtype="S2", encoding="utf-8")
L("1,2\n", delimiter=",", _conv=({5: float}, "{[6]=tonumber}"))

# }======================================================

# {======================================================
# genfromtxt cases
# =======================================================

G(table("%.18e", ","), delimiter=",")
G(table("%.6g", " "))
G(table("%.6g", "\t"), delimiter="\t")
G("1,2\n3,\n", delimiter=",")
G("1,2\n3,\n", delimiter=",", dtype=None)
G("1,abc\n", delimiter=",")
G("1,abc\n", delimiter=",", loose=False)
G("1,-999\n", delimiter=",", missing_values="-999", filling_values=0)
G("1,-999\n", delimiter=",", missing_values="-999", filling_values=0,
  usemask=True)
G("1,N/A\n2,3\n", delimiter=",", missing_values="N/A", filling_values=0,
  usemask=True)
G("1,N/A\n2,3\n", delimiter=",", missing_values={1: "N/A"},
  filling_values={1: -1})
G("a,b\n1,N/A\n2,3\n", delimiter=",", names=True, missing_values={"b": "N/A"},
  filling_values={"b": 7}, usemask=True)
G("1\n", dtype=bool)
G("True\n", dtype=bool)
G("1_000\n")
G("1_000 2\n", dtype=None)
G("1.5\n", dtype=np.int64)
G("1.5\n", dtype=np.int32)
G("nan\n", dtype=np.int32)
G("1 2\n3\n4 5\n")
G("1 2\n3\n4 5\n", invalid_raise=False)
G("a,1\nb,2.5\n", delimiter=",", dtype=None)
G("a,1\nb,2.5\n", delimiter=",", dtype=None, encoding="utf-8")
G("True,1\nfalse,2\n", delimiter=",", dtype=None)
G("True,1\n,2\n", delimiter=",", dtype=None)
G("1,2\n3,4\n", delimiter=",", dtype=None)
G("1,2\n3,4.5\n", delimiter=",", dtype=None)
G("1,2\n3,1+2j\n", delimiter=",", dtype=None)
G("99999999999999999999\n", dtype=None)
G("a b c\n1 2 3\n", names=True)
G("#a b c\n1 2 3\n", names=True)
G("# a b c\n1 2 3\n", names=True, dtype=None)
G("a,b\n1 , x\n", delimiter=",", names=True, dtype=None)
G("a,b\n1 , x\n", delimiter=",", names=True, dtype=None, autostrip=True)
G("A B\n1 2\n", names=True, case_sensitive=False)
G("A B\n1 2\n", names=True, case_sensitive="lower")
G("file print x\n1 2 3\n", names=True)
G("a a a\n1 2 3\n", names=True)
G("a-b c.d e f\n1 2 3 4\n", names=True)
G("a b\n1 2\n", names=True, deletechars="b")
G("1 2 3\n", names="x, y, z")
G("1 2 3\n", names=["x", "y", "z"], dtype=None)
G("1 2 3\n", dtype=[("a", "i4"), ("b", "f8"), ("c", "i8")])
G("1 2 3\n", dtype=("i4", "f8", "i8"))
G("1 2 3\n", dtype=("i4", "f8", "i8"), defaultfmt="col_%02i")
G("1 2 3\n4 5 6\n", usecols=(0, 2))
G("1 2 3\n4 5 6\n", usecols=(-1,))
G("a b c\n1 2 3\n4 5 6\n", names=True, usecols=("a", "c"))
G("a b c\n1 2 3\n4 5 6\n", names=True, usecols=(0, 2), dtype=None)
G("1 2 3\n4 5 6\n", usecols=(0, 2), dtype=[("a", "i4"), ("b", "f8"), ("c", "i8")])
G("h1\nh2\n1 2\n3 4\n5 6\n", skip_header=2)
G("1 2\n3 4\n5 6\n# end\n", skip_footer=1)
G("1 2\n3 4\n5 6\n7\n", skip_footer=1)
G("1 2\n3 4\n5 6\n7\n", skip_footer=2, invalid_raise=False)
G("1 2\n3 4\n5 6\n", max_rows=2)
G("  1  2\n 3   4\n", delimiter=3)
G("123456\n789012\n", delimiter=(2, 3, 1))
G("123456\n789012\n", delimiter=(2, 3, 1), dtype=None)
G("1 2\n3 4\n", unpack=True)
G("a,b\n1,2\n3,4\n", delimiter=",", names=True, unpack=True)
G("1 2 # c\n# full\n\n3 4\n")
G("1 2 % c\n3 4\n", comments="%")
G("1 2\n3 4\n", comments=None)
G("1,2\n3,4\n", delimiter=",", dtype="S")
G("1,2\n3,4\n", delimiter=",", dtype="U3")
G("1,2\n3,4\n", delimiter=",", dtype="i4", usemask=True)
G("1,,3\n4,5,\n", delimiter=",", usemask=True)
G("1,,3\n4,5,\n", delimiter=",", dtype=None, usemask=True)
G("1,,3\n4,5,\n", delimiter=",", filling_values=-1)
G("1,,3\n4,5,\n", delimiter=",", dtype=int, filling_values=99)
G("x,1\ny,2\n", delimiter=",", dtype=None, names="s,n")
G("1 2\n3 4\n", ndmin=2)
G("5\n")
G("5\n", ndmin=1)
G("1;2;3\n", delimiter=";", dtype=None)
G("1.5e3 inf -nan\n")
G("1,2\n", delimiter=",", dtype="complex")
G("(1+2j),3j\n", delimiter=",", dtype="complex")
G("1+2j,3\n", delimiter=",", dtype=None)
G("\u00e9,1\n", delimiter=",", dtype=None)
G("\u00e9,1\n", delimiter=",", dtype=None, encoding="utf-8")
G("\u03b1,1\n", delimiter=",", dtype=None)
G("1 2\n3 4\n", _lines=True)
G("a b\n1 2\n", names=True, _lines=True, dtype=None)
G("1,2,3\n4,5,6\n", delimiter=",",
  _conv=({1: lambda s: float(s or 0) * 2}, '{[2]=function(s) return (tonumber(s) or 0) * 2.0 end}'))
G("1 2\n3 4\n", dtype=np.float32)
G("1 2\n3 4\n", dtype=np.uint8)
G("1 2\n3 4\n", dtype="f8", names="a,b", usemask=True)
# ported from NumPy's test_io.py TestFromTxt
G("1 2\n3 4", dtype=[("x", "i4"), ("y", "i4")])
G("M 64.0 75.0\nF 25.0 60.0", dtype=[("gender", "S1"), ("age", "i4"), ("weight", "f4")])
G("1 2\n3 4", dtype=int)
G("1\n2\n3\n4\n", dtype=int)
G("1,2,3,4\n", dtype=int, delimiter=",")
G("# comment\n1,2,3,5\n", dtype=int, delimiter=",", comments="#")
G("1,2,3,5# comment\n", dtype=int, delimiter=",", comments="#")
G("comment\n1,2,3,5\n", skip_header=1, dtype=int, delimiter=",")
G("\n".join(["# %i" % i for i in range(1, 6)] + ["A, B, C"] +
             ["%i,%3.1f,%03s" % (i, i, i) for i in range(50)] + ["99,99"]),
  delimiter=",", names=True, skip_header=5, skip_footer=10)
G("1 1\n2 2\n3 3\n4 4\n5  \n6  \n7  \n", skip_footer=1)
G("1 1\n2 2\n3 3\n4 4\n5  \n6  \n7  \n", skip_footer=1, invalid_raise=False)
G("1 1\n2 2\n3 3\n4 4\n5  \n6  \n7  \n", skip_footer=3)
G("1 1\n2  \n3 3\n4 4\n5  \n6 6\n7 7\n", skip_footer=1, invalid_raise=False)
G("1 1\n2  \n3 3\n4 4\n5  \n6 6\n7 7\n", skip_footer=3, invalid_raise=False)
G("gender age weight\nM 64.0 75.0\nF 25.0 60.0", dtype=None, names=True)
G("A 64 75.0 3+4j True\nBCD 25 60.0 5+6j False", dtype=None)
G("1 2 3 4\n5 6 7 8\n", dtype=None)
G("1,2,3.0\n4,5,6.0\n", dtype=[("x", int), ("y", [("t", int), ("s", float)])],
  delimiter=",")
G("M 64.0 75.0\nF 25.0 60.0", dtype=[("g", "S1"), ("a", "i4"), ("w", "f4")],
  names=("gender", "age", "weight"))
G("\n#gender age weight\nM   21  72.100000\nF   35  58.330000\nM   33  21.99\n        ",
  names=True, dtype=None)
G("\n# gender age weight\nM   21  72.100000\nF   35  58.330000\nM   33  21.99\n        ",
  names=True, dtype=None)
G("col1 col2\n 1 2\n 3 4", dtype=(int, int), comments=None, names=True)
G("A B C D\n aaaa 121 45 9.1", usecols=("A", "C", "D"), names=True, dtype=None)
G("1,2,3,,5\n6,7,8,9,10\n", dtype=int, delimiter=",", usecols=(1, 3),
  _conv=({3: lambda s: int(s or -999)},
         '{[4]=function(s) return s == "" and -999 or math.tointeger(tonumber(s)) end}'))
G("A B C D\n aaaa 121 45 9.1", usecols=("A", "C", "D"), names=True, dtype=None,
  _conv=({"C": lambda s: 2 * int(s)}, '{C=function(s) return 2 * math.tointeger(tonumber(s)) end}'))
G("1 21\n  3 42\n", usecols=(1,),
  _conv=({0: lambda s: int(s, 16)}, '{[1]=function(s) return tonumber(s, 16) end}'))
G("1 21\n  3 42\n", usecols=(1,),
  _conv=({1: lambda s: int(s, 16)}, '{[2]=function(s) return tonumber(s, 16) end}'))
G("q1,2\nq3,4", delimiter=",",
  _conv=({0: lambda s: float(s[1:])}, '{[1]=function(s) return tonumber(s:sub(2)) + 0.0 end}'))
G("2009; 23; 46", delimiter=";", dtype=float,
  _conv=({0: float}, '{[1]=function(s) return tonumber(s) + 0.0 end}'))
G("2009; 23; 46", delimiter=";", dtype=float,
  _conv=({0: int}, '{[1]=function(s) return math.tointeger(tonumber(s)) end}'))
G("1,2,3,,5\n", dtype=int, delimiter=",",
  _conv=({3: lambda s: int(s or -999)},
         '{[4]=function(s) return s == "" and -999 or math.tointeger(tonumber(s)) end}'))
G("1\t2\t3\n\t2\t\n1\t\t3", delimiter="\t", usemask=True)
G("1 2\n3 4\n", dtype=float, usecols=(1,))
G("1 2 3\n3 4 5\n", dtype=float, usecols=(1, 2))
G("1 2 3\n4 5 6", names="a, b, c", usecols="a, c")
G("JOE 70.1 25.3\nBOB 60.5 27.9", usecols=(0, 2), dtype=[("stid", "S4"), ("temp", "f8")])
G("1 2 3\n4 5 6", usecols=0)
G("1 2 3\n4 5 6", usecols=(0, -1), names="a, b, c")
G("")
G("", skip_header=1)
G("aaaa  1.0  8.0  1 2 3 4 5 6", dtype=[("name", "S4"), ("x", float), ("y", float),
                                        ("block", int, (2, 3))])
G("A,B\n0,1\n2,N/A", delimiter=",", missing_values="N/A", names=True, dtype=None,
  usemask=True)
G("A,B\n0,1\n2,N/A", delimiter=",", missing_values="N/A", names=True, usemask=True)
G("A, B, C\n0, 0., 0j\n1, N/A, 1j\n-9, 2.2, N/A\n3, -99, 3j", dtype=None,
  delimiter=",", names=True, missing_values="N/A")
G("A, B, C\n0, 0., 0j\n1, N/A, 1j\n-9, 2.2, N/A\n3, -99, 3j",
  dtype=[("A", int), ("B", float), ("C", complex)], delimiter=",", names=True,
  missing_values={0: -9, 1: -99, 2: -999j}, usemask=True)
G("N/A, 2, 3\n4, ,???", delimiter=",", dtype=int, names="a,b,c",
  missing_values={0: "N/A", "b": " ", 2: "???"}, filling_values={0: 0, "b": 0, 2: -999})
G("N/A, 2, 3\n4, ,???", delimiter=",", dtype=int, names="a,b,c", usecols=(0, -1),
  missing_values={0: "N/A", "b": " ", 2: "???"}, filling_values={0: 0, "b": 0, 2: -999})
G("1,2,*,4\n5,*,7,8\n", delimiter=",", dtype=int, missing_values="*", filling_values=0)
G("1,2,*,4\n5,*,7,8\n", delimiter=",", dtype=int, missing_values="*", filling_values=-1)
G("A,B\n0,1.5\n2,-999.00", dtype=None, delimiter=",", missing_values="-999.0",
  names=True, usemask=True)
G("1 2 3\n4 5 6\n", dtype=None, missing_values="2,5", usemask=True)
G("True 2 3\nFalse 5 6\n", dtype=None, missing_values="2,5", usemask=True)
G("\n".join(["a, b, c, d, e"] + [("2, 2, 2, 2 2" if i % 10 == 0 else "1, 1, 1, 1, 1")
                                  for i in range(50)]),
  delimiter=",", dtype=None, names=True, invalid_raise=False)
G("\n".join(["a, b, c, d, e"] + [("2, 2, 2, 2 2" if i % 10 == 0 else "1, 1, 1, 1, 1")
                                  for i in range(50)]),
  delimiter=",", dtype=None, names=True)
G("\n".join(["a, b, c, d, e"] + [("2, 2, 2, 2 2" if i % 10 == 0 else "1, 1, 1, 1, 1")
                                  for i in range(50)]),
  delimiter=",", dtype=None, names=True, invalid_raise=False, usecols=(0, 4))
G("\n".join(["a, b, c, d, e"] + [("2, 2, 2, 2 2" if i % 10 == 0 else "1, 1, 1, 1, 1")
                                  for i in range(50)]),
  delimiter=",", dtype=None, names=True, invalid_raise=False, usecols=(0, 1))
G("0, 1, 2.3\n4, 5, 6.7", delimiter=",", dtype=None, defaultfmt="f%02i")
G("0, 1, 2.3\n4, 5, 6.7", delimiter=",", dtype=float, defaultfmt="f%02i")
G("0, 1, 2.3\n4, 5, 6.7", delimiter=",", dtype=float, names="a, b, c")
G("a, b, c\n0, 1, 2.3\n4, 5, 6.7", delimiter=",", dtype=float, names=True)
G("0, 1, 2.3\n4, 5, 6.7", delimiter=",", dtype=(int, float, float), defaultfmt="f_%02i")
G("01/01/2003  , 1.3,   abcde", delimiter=",", dtype=None)
G("01/01/2003  , 1.3,   abcde", delimiter=",", dtype=None, autostrip=True)
G("A.A, B (B), C:C\n1, 2, 3.14", delimiter=",", names=True, dtype=None)
G("A.A, B (B), C:C\n1, 2, 3.14", delimiter=",", names=True, dtype=None,
  replace_space="", deletechars="")
G("A.A, B (B), C:C\n1, 2, 3.14", delimiter=",", names=True, dtype=None, deletechars="")
G("A.A, B (B), C:C\n1, 2, 3", delimiter=",", names=True, dtype=int)
G("A,,C\n0,1,2\n3,4,5", delimiter=",", names=True, dtype=None)
G("A,,C\n0,1,2\n3,4,5", delimiter=",", names=True)
G("1 2 3\n 4 5 6", dtype=(int, float, int), names="a")
G("A,B,C,D,E\n0,1,2,3,4\n0,1,2,3,4\n0,1,2,3,4", dtype=(int, int, int), delimiter=",",
  usecols=(0, 2, 4), names=True)
G("A,B,C,D,E\n0,1,2,3,4\n0,1,2,3,4\n0,1,2,3,4", dtype=(int, int, int), delimiter=",",
  usecols=("A", "C", "E"), names=True)
G("A,B,C,D,E\n0,1,2,3,4\n0,1,2,3,4\n0,1,2,3,4", dtype=int, delimiter=",",
  usecols=("A", "C", "E"), names=True)
G("    A    B   C\n    0    1 2.3\n   45   67   9.", delimiter=(5, 5, 4), names=True,
  dtype=None)
G("    A    B   C\n    0    1 2.3\n   45   67   9.", delimiter=5, names=True, dtype=None)
G("1, 2, 3\n1, , 5\n0, 6, \n", delimiter=",", dtype=None, filling_values=-999)
G("test1,testNonetherestofthedata", dtype=None, comments=None, delimiter=",")
G("test1, testNonetherestofthedata", dtype=None, comments=None, delimiter=",")
G("  1  2  3\n  4  5 67\n890123  4", delimiter=3)
G("1  2  3  4   5\n6  7  8  9  10")
# ported from test_loadtxt.py
L("1.5,2.5\n3.0,4.0\n5.5,6.0", delimiter=",", max_rows=2)
L("1 2\n3 4\n", comments=("#",), quotechar="'")
L("#header\n1,2,3", comments="#", delimiter=",")
L("1.0 2.0\n3.0 4.0\n\n5.0 6.0\n", dtype="f8")
L("1 2{}30\n\n{}\n4 5 60{}\n  {}  \n7 8 {} 90\n  # comment\n3 2 1".replace("{}", "\t"),
  dtype=int, comments="#")
L("1 2{}30\n\n{}\n4 5 60{}\n  {}  \n7 8 {} 90\n  # comment\n3 2 1".replace("{}", "\u3000"),
  dtype=int, comments="#")
L("1 2{}30\n\n{}\n4 5 60{}\n  {}  \n7 8 {} 90\n  # comment\n3 2 1".replace("{}", "\u00a0"),
  dtype=int, comments="#")
L("1,2,30\n\n4,5,60\n\n7,8,90\n# comment\n3,2,1", dtype=int, delimiter=",", comments="#")
L("a,\u306e,c,1.0\ne,\U0001fad5,2.0,g", dtype="U12", delimiter=",")
L("cat,dog\n\u03b1\u03b2\u03b3,\u03b4\u03b5\u03b6\nabc,def\n", dtype="U12", delimiter=",",
  _conv=({0: lambda s: s + "!"}, '{[1]=function(s) return s .. "!" end}'), encoding=None)
L(("1.5, 2.5," * 5000)[:-1] + "\n" + ("1.5, 2.5," * 5000)[:-1] + "\n", delimiter=",")
L("1e300\n-1e300\n1e-300", dtype="f4")
L("0.5,1.5\n", delimiter=",", dtype="i4", _expect="deprecated")
L("+1 -1 +0 -0\n", dtype="i8")
L("+1 +0 -0\n", dtype="u8")
L("1 2\n3 4", dtype=np.dtype([]), usecols=[]) if False else None
L("x,1\ny,2\n", delimiter=",", dtype=[("a", "S1"), ("b", ">f8")])
L(" 1 , 2+3j , ( 4+5j ), ( 6+-7j )  , 8j , ( 9j ) \n", dtype="c16", delimiter=",")
L("\u202f1\u202f,\u202f2+3j\u202f\n", dtype="c16", delimiter=",")
L("1,2\n", dtype="S", delimiter=",")
L("1\t2\n3\t4\n", delimiter="\t", dtype="i2", usecols=(1,))
# rejections
G("1 2\n3 x\n", loose=False)
G("1 2\n3\n")
G("1 2\n", skip_footer=1, max_rows=1)
G("1 2\n", max_rows=0)
G("1 2\n", ndmin=3)
G("inf\n", dtype=np.int32)
G("99999999999999999999\n", dtype=np.int64)

# }======================================================

# {======================================================
# savetxt cases
# =======================================================

sv = rng.randn(5, 3) * 10.0 ** rng.randint(-8, 8, size=(5, 3))
sv[0, 0] = -0.0
sv[1, 1] = np.nan
sv[2, 2] = np.inf
sv[3, 0] = -np.inf
ints = np.array([[1, -2, 3], [40000, 5, -600]], dtype=np.int64)

S(sv)
S(sv, fmt="%.6g")
S(sv, fmt="%.6g", delimiter=",")
S(sv, fmt="%10.3f")
S(sv, fmt="%-12.4e|")
S(sv, fmt="%+.3E")
S(sv, fmt="%g")
S(sv, fmt="%#g")
S(sv, fmt="%.0f")
S(sv, fmt="%.30f")
S(sv, fmt="%s")
S(sv, fmt="%r")
S(sv, fmt="%.0e")
S(sv, fmt="%020.10g")
S(sv, fmt=["%.2f", "%.3e", "%g"])
S(sv, fmt="%.2f, %.3e; %g")
S(sv, header="a b c", footer="end\nof file", comments="## ")
S(sv, newline="\r\n")
S(sv, fmt="%d")
S(np.nan_to_num(sv, nan=1.5, posinf=2.5e300, neginf=-1e22), fmt="%d")
S(ints)
S(ints, fmt="%d")
S(ints, fmt="%5d")
S(ints, fmt="%x")
S(ints, fmt="%#X")
S(ints, fmt="%o")
S(ints, fmt="%#o")
S(ints, fmt="%+08d")
S(ints, fmt="%.3d")
S(ints, fmt="%s")
S(ints, fmt="%e")
S(ints.astype(np.uint64) * 2 ** 40, fmt="%d")
S(np.array([True, False, True]), fmt="%d")
S(np.array([True, False, True]), fmt="%s")
S(np.arange(5.0))
S(np.arange(5.0), fmt="%.2f")
S(np.array([1.5, 2.5], dtype=np.float32))
S(np.array([0.1, 2.5], dtype=np.float32), fmt="%s")
S(np.array([0.1, 2.5], dtype=np.float16), fmt="%s")
S(np.array([[1 + 2j, 3 - 4j], [-5.5j, 6]]))
S(np.array([[1 + 2j, 3 - 4j], [-5.5j, 6]]), fmt="%.3f")
S(np.array([[1 + 2j, 3 - 4j]]), fmt="%.1f %+.1fj %.1f %+.1fj")
S(np.array([[1 + 2j, 3 - 4j]]), fmt=["%.2e + %.2ej", "(%.3f%+.3fj)"])
S(np.array([(1, 2.5, b"ab"), (3, -4.5, b"cd")],
           dtype=[("n", "i4"), ("x", "f8"), ("s", "S2")]),
  fmt=["%d", "%.2f", "%s"])
S(np.array([(1, 2.5), (3, -4.5)], dtype=[("n", "i4"), ("x", "f8")]))
S(np.array(["abc", "de"]), fmt="%s")
S(np.array(["abc", "de"]), fmt="%5s|%-4s", )
S(np.array([["abc", "de"]]), fmt="%5s|%-4s")
S(np.array(["a'b", "c\"d"]), fmt="%r")
S(np.array([1e22, 1e-5, 123456789.0, 0.0001]), fmt="%s")
S(np.array([5e-324, 2.2250738585072014e-308, 1.7976931348623157e308]))
S(np.array([0.5, 1.5, 2.5, 0.125, 0.375]), fmt="%.0f")
S(np.array([0.5, 1.5, 2.5, 0.125, 0.375]), fmt="%.2f")
S(sv, fmt="%.6g", header="x\ny", footer="z")
S(sv, delimiter="\t", fmt="%.8e")
# rejections
S(sv, fmt="%x")
S(sv, fmt=["%g", "%g"])
S(sv, fmt="%g %g")
S(np.zeros((2, 2, 2)))
S(np.array(5.0))
S(ints, fmt="%d %d")

# }======================================================

# {======================================================
# The Lua case list
# =======================================================

with open(os.path.join(OUT, "cases.lua"), "w") as f:
    f.write("return {\n")
    for c in CASES:
        items = ["name=%s" % lua_str(c["name"]), "fn=%s" % lua_str(c["fn"])]
        if c["fn"] == "savetxt":
            items.append("npy=%s" % lua_str(c["npy"]))
            items.append("expected=%s" % lua_str(c["expected"]))
        else:
            items.append("path=%s" % lua_str(c["path"]))
            items.append("lines=%s" % ("true" if c["lines"] else "false"))
            items.append("results={%s}" % ", ".join(
                lua_str(os.path.join(OUT, r)) for r in c["results"]))
            if c.get("mask"):
                items.append("mask=%s" % lua_str(os.path.join(OUT, c["mask"])))
            if c.get("unpacked"):
                items.append("unpacked=true")
            if c.get("expect"):
                items.append("expect=%s" % lua_str(c["expect"]))
        items.append("opts=%s" % c["opts"])
        items.append("error=%s" % ("true" if c["error"] else "false"))
        if c.get("numpy_error"):
            items.append("numpy_error=%s" % lua_str(c["numpy_error"][:200]))
        f.write("  {" + ", ".join(items) + "},\n")
    f.write("}\n")
counts = {}
for c in CASES:
    counts[c["fn"]] = counts.get(c["fn"], 0) + 1
print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
