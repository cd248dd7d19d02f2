#!/usr/bin/python3
# repr_gen.py -- writes tests/interop/repr_cases.txt: arrays with NumPy's
# repr(a) and str(a) under given print options, the reference that
# tests/c/test_repr.c checks npio_array_repr against.
#
#   /usr/bin/python3 tests/interop/repr_gen.py [out]   (default: the fixture)
#
# Fixture format, one record per case:
#   case NAME
#   descr PYTHON-LITERAL        the .npy header descr of the dtype
#   shape N...                  nothing after "shape" for 0-d
#   strides S...                byte strides of the view
#   offset K                    byte offset of element 0 in the data
#   opts PRECISION THRESHOLD LINEWIDTH SUPPRESS EDGEITEMS
#   data HEX                    the bytes the view looks into
#   repr TEXT                   escaped: \\ \n \xHH (other bytes as is)
#   str TEXT
#   end
import math
import sys

import numpy as np

OUT = "tests/interop/repr_cases.txt"
DEFAULT = dict(precision=8, threshold=1000, linewidth=75, suppress=False,
               edgeitems=3)

cases = []
rs = np.random.RandomState(20240611)


def add(name, a, base=None, **opts):
    """Adds array 'a' (a view of 'base' when given) with print options."""
    o = dict(DEFAULT)
    o.update(opts)
    cases.append((name, a, base, o))


def esc(s):
    out = []
    for ch in s:
        c = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif c < 0x20 or c == 0x7F:
            out.append("\\x%02x" % c)
        else:
            out.append(ch)
    return "".join(out)


def record(name, a, base, o):
    if base is None:
        base = np.ascontiguousarray(a).copy() if a.ndim else np.array(a)
        view = base
    else:
        view = a
    start = base.__array_interface__["data"][0]
    off = view.__array_interface__["data"][0] - start if view.size else 0
    if view is base:
        off = 0
    raw = base.tobytes() if base.flags.c_contiguous else None
    if raw is None:
        raise SystemExit("%s: base must be C-contiguous" % name)
    if base.dtype.char in "gG" and np.finfo(np.longdouble).nmant == 63:
        raw = bytearray(raw)   # x87: zero the 6 padding bytes of each value
        for i in range(0, len(raw), 16):
            raw[i + 10:i + 16] = bytes(6)
        raw = bytes(raw)
    with np.printoptions(precision=o["precision"], threshold=o["threshold"],
                         linewidth=o["linewidth"], suppress=o["suppress"],
                         edgeitems=o["edgeitems"]):
        r = repr(view)
        s = str(view)
    lines = ["case " + name,
             "descr " + repr(np.lib.format.dtype_to_descr(view.dtype)),
             "shape" + "".join(" %d" % n for n in view.shape),
             "strides" + "".join(" %d" % n for n in view.strides),
             "offset %d" % off,
             "opts %d %d %d %d %d" % (o["precision"], o["threshold"],
                                      o["linewidth"], int(o["suppress"]),
                                      o["edgeitems"]),
             "data " + raw.hex(),
             "repr " + esc(r),
             "str " + esc(s),
             "end"]
    return "\n".join(lines) + "\n"


# {==================================================================
# integers and bools
# ===================================================================
INTS = ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]
for t in INTS:
    info = np.iinfo(t)
    add("int_%s_small" % t, np.array([0, 1, 2, 3, 100], dtype=t))
    add("int_%s_ext" % t, np.array([info.min, info.max, 0, 7], dtype=t))
    v = rs.randint(max(info.min, -2**62), min(info.max, 2**62), size=12,
                   dtype=np.int64).astype(t)
    add("int_%s_rand" % t, v)
    add("int_%s_be" % t, v.astype(">" + t))
    add("int_%s_2d" % t, (np.arange(12) * 37 % 101).astype(t).reshape(3, 4))
    add("int_%s_0d" % t, np.array(info.max, dtype=t))
add("int_neg_mixed", np.array([-5, 12345, -987654321, 0]))
add("int_one", np.array([7]))
add("int_big_wrap", np.arange(60) ** 7)
add("int_3d", np.arange(24).reshape(2, 3, 4))
add("int_4d", np.arange(48).reshape(2, 2, 3, 4) - 20)
add("int_col", np.arange(5).reshape(5, 1))
add("int_row", np.arange(5).reshape(1, 5))
add("int_111", np.array([[[42]]]))
add("int_0d_neg", np.array(-3))
add("int_0d_i4", np.array(-3, dtype="i4"))
add("bool_1d", np.array([True, False, True]))
add("bool_2d", np.array([[True, False], [False, False]]))
add("bool_0d_t", np.array(True))
add("bool_0d_f", np.array(False))
add("bool_long", np.arange(40) % 3 == 0)

# }==================================================================

# {==================================================================
# float64: every formatting regime
# ===================================================================
F = [
    ("simple", [1.0, 2.0, 3.0]),
    ("halves", [1.5, 2.25, -3.125]),
    ("tenths", [0.1, 0.2, 0.3]),
    ("sum", [0.1 + 0.2, 1 / 3, 2 / 3]),
    ("pi_e", [math.pi, math.e, -math.sqrt(2)]),
    ("zero", [0.0]),
    ("negzero", [-0.0]),
    ("zeros", [0.0, -0.0, 0.0]),
    ("zero_one", [0.0, 1.0]),
    ("small_1e5", [1e-5]),
    ("small_mix", [1e-5, 1.0]),
    ("e16", [1e16]),
    ("e16_mix", [1e16, 1.0, -2.5]),
    ("e8", [1e8]),
    ("below_e8", [99999999.0, 1.5]),
    ("e8_edge", [99999999.99999999]),
    ("e4_edge", [0.0001, 1.0]),
    ("below_e4", [0.000099999, 1.0]),
    ("ratio_1000", [1.0, 1000.0]),
    ("ratio_over", [1.0, 1000.1]),
    ("ratio_1001", [1.0, 1001.0]),
    ("ratio_neg", [-1.0, -1001.0, 3.0]),
    ("nan", [np.nan]),
    ("inf", [np.inf]),
    ("ninf", [-np.inf]),
    ("nan_inf", [np.nan, np.inf, -np.inf]),
    ("nan_num", [1.5, np.nan, 2.0]),
    ("inf_num", [1.5, np.inf, -2.0]),
    ("ninf_num", [1.0, -np.inf]),
    ("nan_exp", [1e-5, np.nan, 1e5]),
    ("ninf_exp", [1e-9, -np.inf, 1e9]),
    ("nan_zero", [0.0, np.nan]),
    ("big", [1e300, -1e-300, 1.0]),
    ("tiny", [5e-324, 2.2250738585072014e-308, 2.225073858507201e-308]),
    ("max", [1.7976931348623157e308, -1.7976931348623157e308]),
    ("e100", [1e100, 1e-100]),
    ("exp3", [1.5e-123, 2.5e200]),
    ("ints", [1.0, 10.0, 100.0, 1000.0]),
    ("intlike", [12345678.0, 1.0]),
    ("long_frac", [0.123456789123, 1.0]),
    ("round_up", [0.999999999, 1.0]),
    ("round_9s", [9.9999999999, 0.5]),
    ("round_half", [0.125, 0.375, 2.5e-9 + 1]),
    ("carry", [1.99999999999, 2.0]),
    ("pow2", [2.0 ** 60, 2.0 ** -60]),
    ("pow2b", [2.0 ** 52, 2.0 ** 53 + 2]),
    ("e23", [1e23, 9.999999999999999e22]),
    ("e22", [1e22, 1e21]),
    ("halfway", [0.5, 1.5, 2.5, 3.5]),
    ("neg", [-1.0, -2.5, -1e-3]),
    ("smallfrac", [0.001, 0.01, 0.1]),
    ("e5_7", [123456.7, 0.5]),
    ("e7", [1234567.125, 3.0]),
]
for name, vals in F:
    add("f8_" + name, np.array(vals))
    add("f8s_" + name, np.array(vals), suppress=True)
    add("f8p3_" + name, np.array(vals), precision=3)
for p in (0, 1, 2, 4, 12, 16, 17, 20):
    add("f8_prec%d" % p, np.array([math.pi, 1 / 3, 12.5, 1e-3]), precision=p)
    add("f8_prec%d_exp" % p, np.array([math.pi * 1e-7, 1 / 3, 2e10]),
        precision=p)
    add("f8s_prec%d" % p, np.array([math.pi * 1e-7, 1 / 3, 2.0]),
        precision=p, suppress=True)
for k in range(12):
    v = rs.standard_normal(9) * 10.0 ** rs.randint(-12, 12)
    add("f8_randn%d" % k, v)
    add("f8s_randn%d" % k, v, suppress=True)
for k in range(6):
    add("f8_unif%d" % k, rs.uniform(-1, 1, 10) * 10 ** k)
# random bit patterns, mostly scientific; suppress forces positional
for k in range(8):
    w = rs.randint(0, 2**63, size=10, dtype=np.uint64) | (
        rs.randint(0, 2, size=10).astype(np.uint64) << np.uint64(63))
    v = w.view("<f8")
    add("f8_bits%d" % k, v)
for k in range(8):
    v = rs.uniform(1e-3, 1e7, 8) * rs.choice([1, -1], 8)
    add("f8s_pos%d" % k, v, suppress=True)
    add("f8s_posp12_%d" % k, v, suppress=True, precision=12)
add("f8s_huge", np.array([1e20, 1.5, 123456789012345678901234.0]),
    suppress=True)
add("f8s_tinyvals", np.array([1e-20, 1.5, 3e-9, 6e-9]), suppress=True)
add("f8s_tiny_p3", np.array([0.0004, 0.0005, 0.0006, 0.0015, 1.0]),
    suppress=True, precision=3)
add("f8_be", np.array([1.5, -2.25, np.nan, 1e-7], dtype=">f8"))
add("f8_2d", np.arange(12.0).reshape(3, 4) / 7)
add("f8_3d", np.arange(24.0).reshape(2, 3, 4) * 1.5)
add("f8_2d_exp", np.arange(1, 7.0).reshape(2, 3) ** 20)
add("f8_col", (np.arange(4.0) / 3).reshape(4, 1))
add("f8_0d", np.array(2.5))
add("f8_0d_third", np.array(1 / 3))
add("f8_0d_int", np.array(3.0))
add("f8_0d_e16", np.array(1e16))
add("f8_0d_small", np.array(1e-5))
add("f8_0d_e4", np.array(0.0001))
add("f8_0d_negzero", np.array(-0.0))
add("f8_0d_nan", np.array(np.nan))
add("f8_0d_ninf", np.array(-np.inf))
add("f8_0d_big", np.array(1.2345678901234567e200))
add("f8_0d_prec", np.array(math.pi), precision=3)

# }==================================================================

# {==================================================================
# float32, float16, longdouble
# ===================================================================
for name, vals in F:
    if name in ("big", "tiny", "max", "e100", "exp3", "pow2b"):
        continue
    with np.errstate(over="ignore"):
        add("f4_" + name, np.array(vals, dtype="f4"))
        add("f2_" + name, np.array(vals, dtype="f2"))
add("f4_tiny", np.array([1e-45, 1.1754944e-38, 3.4028235e38], dtype="f4"))
add("f4_int", np.array([16777217, 3, 99999992], dtype="f4"))
add("f4s_int", np.array([16777217, 3, 99999992], dtype="f4"), suppress=True)
add("f4_be", np.array([0.1, 0.2, -7.5], dtype=">f4"))
add("f4_0d", np.array(0.1, dtype="f4"))
add("f4_0d_big", np.array(1e20, dtype="f4"))
for k in range(6):
    w = rs.randint(0, 2**32, size=10, dtype=np.uint64).astype("<u4")
    add("f4_bits%d" % k, w.view("<f4"))
    v = (rs.uniform(1e-2, 1e6, 8) * rs.choice([1, -1], 8)).astype("f4")
    add("f4s_pos%d" % k, v, suppress=True)
    add("f4_pos%d" % k, (rs.uniform(0.1, 100, 8)).astype("f4"))
add("f2_max", np.array([65504, 60000, 1], dtype="f2"))
add("f2s_max", np.array([65504, 60000, 1], dtype="f2"), suppress=True)
add("f2_ratio", np.array([1, 1000.5, 1000.25], dtype="f2"))
add("f2_ratio2", np.array([0.999, 1000], dtype="f2"))
add("f2_sub", np.array([6e-8, 1e-7, 6.1e-5], dtype="f2"))
add("f2s_sub", np.array([6e-8, 1e-7, 6.1e-5], dtype="f2"), suppress=True)
add("f2_be", np.array([0.1, 0.2, -7.5], dtype=">f2"))
add("f2_0d", np.array(0.1, dtype="f2"))
add("f2_0d_max", np.array(65504, dtype="f2"))
add("f2_0d_small", np.array(1.5e-5, dtype="f2"))
for k in range(5):
    w = rs.randint(0, 2**16, size=12, dtype=np.uint64).astype("<u2")
    add("f2_bits%d" % k, w.view("<f2"))
    add("f2s_bits%d" % k, w.view("<f2"), suppress=True)
add("f2_all_pos", np.arange(0x3C00, 0x3C00 + 40, dtype="<u2").view("<f2"))
add("f2_all_small", np.arange(1, 30, dtype="<u2").view("<f2"))
add("f2s_all_big", np.arange(0x7800, 0x7800 + 30, dtype="<u2").view("<f2"),
    suppress=True)
if np.finfo(np.longdouble).nmant == 63:
    add("g_simple", np.array([1.5, 0.1, 1 / 3], dtype="g"))
    add("g_third", np.array([1, 3], dtype="g") / np.longdouble(3))
    add("g_exp", np.array([1e-300, 1e300], dtype="g") ** 10)
    add("gs_big", np.array([1e30, 1.25], dtype="g"), suppress=True)
    add("g_nan", np.array([np.nan, -np.inf, 2.5], dtype="g"))
    add("g_0d", np.array(0.1, dtype="g"))
    add("G_simple", np.array([1 + 2j, 0.1 - 0.5j], dtype="G"))

# }==================================================================

# {==================================================================
# complex
# ===================================================================
C = [
    ("simple", [1 + 2j, 3 - 4j]),
    ("zero", [0j]),
    ("negzero", [complex(-0.0, -0.0), complex(0.0, -0.0)]),
    ("frac", [0.1 + 0.2j, -1.5 + 1e-3j]),
    ("exp", [1e-5 + 1j, 1e10 - 2j]),
    ("nan", [complex(np.nan, 1), complex(1, np.nan)]),
    ("inf", [complex(np.inf, -np.inf), complex(1, 2)]),
    ("allnan", [complex(np.nan, np.nan)]),
    ("mixed", [1 + 1e-9j, 100 + 0j, -3.5j]),
    ("big", [1e200 + 1e-200j]),
]
for name, vals in C:
    add("c16_" + name, np.array(vals))
    with np.errstate(over="ignore"):
        add("c8_" + name, np.array(vals, dtype="c8"))
    add("c16s_" + name, np.array(vals), suppress=True)
add("c16_be", np.array([1 + 2j, -0.5j], dtype=">c16"))
add("c16_2d", (np.arange(6) + 1j * np.arange(6)[::-1]).reshape(2, 3) / 3)
add("c16_0d", np.array(1 + 2j))
add("c16_0d_imag", np.array(2.5j))
add("c16_0d_negreal", np.array(complex(-0.0, 1)))
add("c16_0d_nan", np.array(complex(np.nan, np.inf)))
add("c16_0d_nanimag", np.array(complex(0, np.nan)))
add("c16_0d_exp", np.array(1e20 - 1e-20j))
add("c8_0d", np.array(0.1 + 0.2j, dtype="c8"))
for k in range(4):
    v = rs.standard_normal(6) * 10.0 ** rs.randint(-6, 6) + 1j * (
        rs.standard_normal(6) * 10.0 ** rs.randint(-6, 6))
    add("c16_rand%d" % k, v)

# }==================================================================

# {==================================================================
# strings, void
# ===================================================================
add("S_simple", np.array([b"abc", b"d", b""]))
add("S_quotes", np.array([b"a'b", b'a"b', b"a'\"b"]))
add("S_esc", np.array([b"\n\t\r\\", b"\x00x", b"\xff\x7f\x80", b"x\x00y"]))
add("S_trailing_nul", np.array([b"ab\x00\x00"], dtype="S6"))
add("S_2d", np.array([[b"a", b"bb"], [b"ccc", b""]]))
add("S_0d", np.array(b"hello"))
add("S_0d_esc", np.array(b"it's\n"))
add("S_long", np.array([b"x" * 30] * 5))
add("U_simple", np.array(["abc", "d", ""]))
add("U_quotes", np.array(["a'b", 'a"b', "a'\"b", "'"]))
add("U_esc", np.array(["\n\t\r\\", "\x00x", "\x7f\x1b", "x\x00y"]))
add("U_unicode", np.array(["é€😀", "日本語", "\u200b", "\xa0\xad", "\ud7ff"]))
add("U_nonprint", np.array(["\u0378", "\U000e0001", "\u2028", "\U0010ffff",
                            "\ue000"]))
add("U_be", np.array(["abc", "é"], dtype=">U4"))
add("U_2d", np.array([["α", "ββ"], ["γγγ", ""]]))
add("U_wrap", np.array(["é" * 7] * 12))
add("U_0d", np.array("héllo"))
add("U_0d_ctrl", np.array("a\nb"))
add("U_0d_be", np.array("xyz", dtype=">U3"))
add("V_simple", np.array([b"\x01\x02\xab", b"\x00\x00\x00"], dtype="V3"))
add("V_0d", np.array(b"\xcd\xef", dtype="V2"))

# }==================================================================

# {==================================================================
# datetime64 and timedelta64
# ===================================================================
for u in ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs",
          "as"]:
    add("M8_" + u, np.array([-1000000, -1, 0, 1, 123456789], "M8[%s]" % u))
    add("m8_" + u, np.array([-1000000, -1, 0, 1, 123456789], "m8[%s]" % u))
    add("M8_0d_" + u, np.array(86400 * 365 + 12345, "M8[%s]" % u))
    add("m8_0d_" + u, np.array(-7, "m8[%s]" % u))
add("M8_nat", np.array(["NaT", "2020-01-01"], "M8[D]"))
add("M8_allnat", np.array(["NaT", "NaT"], "M8[s]"))
add("M8_generic_nat", np.array(["NaT"], "M8"))
add("M8_years", np.array([-5000, -1971, -1970, -1969, 0, 8030], "M8[Y]"))
add("M8_far", np.array([2**62, -2**62], "M8[D]"))
add("M8_as_min", np.array([-(2**63 - 1), 2**63 - 1], "M8[as]"))
add("M8_fs_ext", np.array([-(2**63 - 1), 2**63 - 1], "M8[fs]"))
for u in ("W", "D", "h", "s", "ns"):
    add("M8_ext_" + u, np.array([2**63 - 1, -(2**63 - 1), 2**62, -2**62],
                                "M8[%s]" % u))
add("M8_mult", np.array([1, 2, 3], "M8[2s]"))
add("M8_mult7D", np.array([1, 2], "M8[7D]"))
add("M8_be", np.array(["2020-02-29T12:34:56", "NaT"], ">M8[s]"))
add("M8_2d", np.array([[0, 1], [2, 3]], "M8[h]"))
add("M8_0d_nat", np.array("NaT", "M8[s]"))
add("m8_nat", np.array([1, -2, "NaT"], "m8[ms]"))
add("m8_generic", np.array([5, -3], "m8"))
add("m8_0d_generic", np.array(5, "m8"))
add("m8_0d_mult", np.array(5, "m8[2s]"))
add("m8_0d_nat", np.array("NaT", "m8[s]"))
add("m8_be", np.array([7, 8], ">m8[us]"))
for k in range(4):
    v = rs.randint(-2**40, 2**40, size=8, dtype=np.int64)
    add("M8_rand_s%d" % k, v.astype("M8[s]"))
    add("M8_rand_us%d" % k, (v * 1000003).astype("M8[us]"))
    add("M8_rand_D%d" % k, (v // 10**6).astype("M8[D]"))

# }==================================================================

# {==================================================================
# structured
# ===================================================================
add("st_simple", np.array([(1, 2.5), (3, -1.0)], dtype="i4,f8"))
add("st_named", np.array([(1, 2.5)], dtype=[("x", "<i2"), ("y", ">f4")]))
add("st_one", np.array([(1,), (22,)], dtype=[("a", "i8")]))
add("st_mixed", np.array([(1, "ab", b"x", True, 1.5, [1, 2])],
                         "i2,U3,S2,?,f4,(2,)f8"))
add("st_nested", np.zeros(2, [("a", "i4", (2,)), ("b", [("c", "f4"),
                                                         ("d", "?")])]))
add("st_sub2d", np.array([(np.arange(6).reshape(2, 3),)], [("m", "f8", (2, 3))]))
add("st_dt", np.array([(0, 1)], [("t", "M8[s]"), ("d", "m8[s]")]))
add("st_2d", np.array([[(1, 2.0), (3, 4.5)], [(5, 6.0), (7, 8.0)]],
                      dtype="i4,f8"))
add("st_padded", np.array([(1, 2.5), (3, -1.0)], dtype={
    "names": ["a", "b"], "formats": ["i1", "<f8"], "offsets": [0, 8],
    "itemsize": 16}))
add("st_0d", np.array((1, 2.5), dtype="i4,f8"))
add("st_0d_bool", np.array((True, [True, False]), dtype="?,(2,)?"))
add("st_floats_exp", np.array([(1e-9, 1), (1e9, 2)], dtype="f8,i1"))
add("st_long", np.array([(i, i / 7.0) for i in range(30)], dtype="i4,f8"))
add("st_summ", np.array([(i, i / 7.0) for i in range(30)], dtype="i4,f8"),
    threshold=10)

# }==================================================================

# {==================================================================
# summarising, line width, edge items, empty, views
# ===================================================================
add("sum_1001", np.arange(1001, dtype="i2"))
add("sum_1000", np.arange(1000))
add("sum_2x1000", np.arange(2000, dtype="i2").reshape(2, 1000))
add("sum_f_1001", np.linspace(0, 1, 1001))
add("sum_33x33", (np.arange(1089.0).reshape(33, 33) / 3).astype("f4"))
add("sum_3d", np.arange(1100, dtype="i2").reshape(11, 10, 10))
add("sum_4d", np.arange(4 * 5 * 6 * 10, dtype="u2").reshape(4, 5, 6, 10),
    threshold=100)
add("sum_thr5", np.arange(10), threshold=5)
add("sum_thr5_edge1", np.arange(10), threshold=5, edgeitems=1)
add("sum_thr5_edge0", np.arange(10), threshold=5, edgeitems=0)
add("sum_thr0_2d", np.arange(12).reshape(3, 4), threshold=0, edgeitems=1)
add("sum_edge5", np.arange(30.0) ** 2, threshold=10, edgeitems=5)
add("sum_edge_big", np.arange(20), threshold=10, edgeitems=20)
add("sum_float_fmt", np.concatenate([np.arange(1000.0), [1e-9]]))
add("sum_float_hidden", np.concatenate([[0.5], np.full(999, 7.0), [1e-9],
                                        [0.25]]).astype("f4"))
add("sum_str", np.array(["é'"[i % 2] * (i % 4) for i in range(1001)]))
add("sum_bool", np.arange(1001) % 2 == 0)
add("sum_2d_wide", np.arange(3000, dtype="i2").reshape(3, 1000), edgeitems=2)
add("sum_2d_tall", np.arange(3000, dtype="i2").reshape(1000, 3))
for lw in (1, 10, 20, 33, 40, 60, 100, 200):
    add("lw%d_int" % lw, np.arange(40), linewidth=lw)
    add("lw%d_float" % lw, np.arange(30) / 7, linewidth=lw)
    add("lw%d_2d" % lw, np.arange(60).reshape(3, 20) * 1001, linewidth=lw)
    add("lw%d_dtype" % lw, np.arange(20, dtype="i2"), linewidth=lw)
add("lw0_int", np.arange(5), linewidth=0)
add("lw_neg_2d", np.arange(6.0).reshape(2, 3), linewidth=-5)
add("lw_dtype_wrap", np.arange(14, dtype="u1"), linewidth=60)
add("lw_dtype_wrap2", np.arange(15, dtype="u1"), linewidth=64)
add("lw_complex", (np.arange(20) + 1j) / 3, linewidth=50)
add("lw_str", np.array(["abcdef"] * 20), linewidth=40)
add("lw_summ", np.arange(100), threshold=20, linewidth=25)
add("lw_0d_dtype", np.array(5, dtype="i1"), linewidth=10)
for t in ["f8", "i8", "?", "i4", "f4", "c16", "U3", "S2", "M8[s]", "i4,f8"]:
    tn = t.replace(",", "_").replace("[", "_").replace("]", "")
    add("empty_%s" % tn, np.zeros(0, t))
    add("empty2_%s" % tn, np.zeros((0, 3), t))
add("empty_20", np.zeros((2, 0)))
add("empty_000", np.zeros((0, 0, 0), "u2"))
add("empty_str2d", np.zeros((3, 0)), linewidth=10)
b = np.arange(24.0).reshape(4, 6) / 4
add("view_T", b.T, b)
add("view_rev", b[::-1, ::-2], b)
add("view_step", b[1::2, 1:5], b)
b2 = np.arange(30, dtype=">i4")
add("view_rev1d", b2[::-3], b2)
b3 = np.array([(1, 2.5), (3, 4.5), (5, 6.5)], dtype="i4,f8")
add("view_field", b3["f1"], b3)
b4 = np.arange(3.0)
add("view_bcast", np.broadcast_to(b4, (4, 3)), b4)

# }==================================================================


def random_cases(n, seed):
    """n random float/complex/int arrays under random options (for the
    big run: tests/interop/repr_big.sh)."""
    r = np.random.RandomState(seed)
    del cases[:]
    kinds = ["f2", "f4", "f8", "c8", "c16", "i8", "u2", ">f8", ">f4"]
    if np.finfo(np.longdouble).nmant == 63:
        kinds += ["g", "G"]
    for k in range(n):
        t = kinds[r.randint(len(kinds))]
        dt = np.dtype(t)
        size = r.randint(1, 13)
        mode = r.randint(4)
        if k % 10 == 7:                      # datetime64 / timedelta64
            u = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps",
                 "fs", "as"][r.randint(13)]
            w = r.randint(-2**63 + 1, 2**63 - 1, size=size, dtype=np.int64)
            w >>= np.int64(r.randint(0, 63))
            if r.randint(4) == 0:
                w[r.randint(size)] = -2**63    # NaT
            mult = ["", "3"][r.randint(2)]
            kind = "Mm"[r.randint(2)]
            v = w.view("%s8[%s%s]" % (kind, mult, u))
            if r.randint(3) == 0:
                v = v[:1].reshape(())
            add("rand%d" % k, v, linewidth=int(r.randint(10, 120)))
            continue
        if k % 10 == 3:                      # unicode, any code point
            n = r.randint(0, 6)
            cps = r.randint(0, 0x110000, size=(size, n))
            small = r.randint(0, 2, size=(size, n)) == 1
            cps[small] = r.randint(1, 0x3000, size=small.sum())
            v = np.array(["".join(map(chr, row)) for row in cps])
            if r.randint(3) == 0:
                v = v[:1].reshape(())
            add("rand%d" % k, v, linewidth=int(r.randint(10, 120)))
            continue
        if k % 10 == 5 and np.finfo(np.longdouble).nmant == 63:
            raw = np.zeros((size, 16), np.uint8)      # x87 bit patterns
            e = r.randint(0, 0x8000, size=size)
            e[r.randint(0, 2, size=size) == 0] = r.randint(16383 - 80,
                                                           16383 + 80)
            m = r.randint(0, 2**63, size=size, dtype=np.uint64)
            m = np.where(e != 0, m | np.uint64(2**63), m)
            raw[:, :8] = m.astype("<u8").view(np.uint8).reshape(size, 8)
            se = (e | (r.randint(0, 2, size=size) << 15)).astype("<u2")
            raw[:, 8:10] = se.view(np.uint8).reshape(size, 2)
            v = raw.reshape(-1).view(np.longdouble)
            add("rand%d" % k, v, precision=int(r.randint(0, 22)),
                suppress=bool(r.randint(2)), linewidth=int(r.randint(10, 120)))
            continue
        if dt.kind in "iu":
            info = np.iinfo(dt)
            v = r.randint(max(info.min, -2**62), min(info.max, 2**62),
                          size=size, dtype=np.int64).astype(dt)
        else:
            fdt = np.dtype(dt.char.lower())  # the real type: f, d, g, e
            nb = fdt.itemsize
            if mode == 0 and nb <= 8:        # raw bits
                w = r.randint(0, 2**63, size=size * (2 if dt.kind == "c"
                              else 1), dtype=np.uint64)
                w ^= r.randint(0, 2, size=w.size).astype(np.uint64) << \
                    np.uint64(63)
                w = (w >> np.uint64(64 - 8 * nb)).astype("<u%d" % nb)
                v = w.view("<f%d" % nb).astype(fdt)
            elif mode == 1:                  # log-uniform magnitudes
                e = r.uniform(-12, 12, size * 2)
                with np.errstate(over="ignore"):
                    v = (10.0 ** e * r.choice([1, -1], size * 2)).astype(fdt)
            elif mode == 2:                  # short decimals
                with np.errstate(over="ignore"):
                    v = (r.randint(-10**6, 10**6, size * 2) /
                         10.0 ** r.randint(0, 7, size * 2)).astype(fdt)
            else:                            # binary fractions
                with np.errstate(over="ignore"):
                    v = (r.randint(-2**20, 2**20, size * 2) *
                         2.0 ** r.randint(-30, 10, size * 2)).astype(fdt)
            v = np.asarray(v)
            if dt.kind == "c":
                c = np.empty(size, dt)
                c.real = v[:size]
                c.imag = v[size:2 * size]
                v = c
            else:
                v = v[:size].astype(dt)
        add("rand%d" % k, v, precision=int(r.randint(0, 18)),
            suppress=bool(r.randint(2)), linewidth=int(r.randint(10, 120)))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--random":
        random_cases(int(sys.argv[2]), int(sys.argv[3]))
        sys.argv[1:] = sys.argv[4:]
    else:
        fixed = list(cases)
        random_cases(120, 7)   # a sample of the big run's random cases
        cases[:0] = fixed
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    text = ["# repr cases generated by NumPy %s with tests/interop/repr_gen.py"
            % np.__version__,
            "# (/usr/bin/python3); do not edit: regenerate."]
    names = set()
    body = []
    for name, a, base, o in cases:
        if name in names:
            raise SystemExit("duplicate case " + name)
        names.add(name)
        body.append(record(name, a, base, o))
    with open(out, "w", encoding="utf-8", errors="surrogatepass") as f:
        f.write("\n".join(text) + "\n")
        f.write("".join(body))
    print("%d cases written to %s" % (len(cases), out))


if __name__ == "__main__":
    main()
