#!/usr/bin/python3
"""npy_gen.py -- the NumPy side of tests/interop/npy_matrix.sh.

    npy_gen.py gen DIR     NumPy writes the matrix of .npy files into DIR/np/
                           and DIR/expected.lua, a Lua table (read by
                           npy_check.lua) describing what each file holds:
                           str(dtype), shape, the C-order data bytes and the
                           elements as Lua values.
    npy_gen.py check DIR   checks the files npy_check.lua wrote into DIR/lua/
                           (arrays built by Lua): np.load gives the expected
                           dtype/shape/values and np.save of the same array
                           gives identical bytes.

Run with /usr/bin/python3 (NumPy 1.24).  NumPy is the reference here: the
expectations never come from npio.
"""
import io
import math
import os
import struct
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")

# {==================================================================
# Lua literals
# ===================================================================

def lua_str(b):
    """A Lua string literal for bytes (or str, UTF-8 encoded)."""
    if isinstance(b, str):
        b = b.encode("utf-8")
    out = ['"']
    for i, c in enumerate(b):
        ch = chr(c)
        if ch == '"' or ch == '\\':
            out.append('\\' + ch)
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append('\\%03d' % c)
    out.append('"')
    return "".join(out)


def lua_int(v):
    """A Lua integer literal; uint64 above maxinteger wraps, as SPEC says."""
    v = int(v)
    if v >= 2**63:
        v -= 2**64
    assert -2**63 <= v < 2**63, v
    if v == -2**63:
        return "math.mininteger"
    return str(v)


def lua_float(v):
    """F"..." is defined by the reader: exact hex floats and nan/inf."""
    v = float(v)
    if math.isnan(v):
        return 'F"nan"'
    if math.isinf(v):
        return 'F"inf"' if v > 0 else 'F"-inf"'
    return 'F"%s"' % v.hex()


def lua_lit(v):
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return lua_int(v)
    if isinstance(v, float):
        return lua_float(v)
    if isinstance(v, complex):
        return "{%s, %s}" % (lua_float(v.real), lua_float(v.imag))
    if isinstance(v, (bytes, str)):
        return lua_str(v)
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(lua_lit(x) for x in v) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join("[%s] = %s" % (lua_lit(k), lua_lit(x))
                               for k, x in v.items()) + "}"
    raise TypeError(type(v))


def element_value(dt, x):
    """The Lua value npio must give for one element (SPEC, Arrays)."""
    k = dt.kind
    if k == 'b':
        return bool(x)
    if k in 'iu':
        return int(x)
    if k == 'f':
        return float(x)
    if k == 'c':
        return complex(x)
    if k == 'S':
        return bytes(x)                  # NumPy strips trailing NULs
    if k == 'U':
        return str(x)
    if k == 'V':
        return bytes(x)
    if k in 'Mm':
        return int(np.array(x).view('i8'))
    raise TypeError(dt)


def expected_list(arr):
    """Nested Lua values of a non-structured array (tolist semantics)."""
    dt = arr.dtype
    if arr.ndim == 0:
        return element_value(dt, arr[()])

    def rec(a):
        if a.ndim == 1:
            return [element_value(dt, a[i]) for i in range(a.shape[0])]
        return [rec(a[i]) for i in range(a.shape[0])]
    return rec(arr)

# }==================================================================

# {==================================================================
# Deterministic values
# ===================================================================

def values(dt, n):
    """n deterministic values of simple dtype dt, as an array of dt."""
    k = dt.kind
    if k == 'b':
        return np.array([i % 3 == 0 for i in range(n)], dtype=dt)
    if k == 'i':
        info = np.iinfo(dt)
        pool = [0, 1, -1, int(info.max), int(info.min), 42, -100, 7]
        return np.array([pool[i % len(pool)] for i in range(n)], dtype=dt)
    if k == 'u':
        info = np.iinfo(dt)
        pool = [0, 1, int(info.max), 42, int(info.max) - 1, 200, 7]
        return np.array([pool[i % len(pool)] for i in range(n)], dtype=dt)
    if k == 'f':
        fi = np.finfo(dt)
        pool = [0.0, -0.0, 1.5, math.nan, math.inf, -math.inf,
                math.pi, -2.5e-3, float(fi.max), float(fi.tiny), 1e-8, -7.0]
        a = np.array([pool[i % len(pool)] for i in range(n)], dtype=dt)
        if dt.itemsize == 8 and n > 11:
            # a signalling NaN with a payload: npio must keep the bits
            raw = a.view(np.dtype('u8').newbyteorder(dt.byteorder))
            raw[11] = 0x7ff0000000000001
        return a
    if k == 'c':
        base = dt.itemsize // 2
        fdt = np.dtype('f%d' % base).newbyteorder(dt.byteorder)
        re = values(fdt, n + 3)
        return np.array([complex(re[i], re[i + 3]) for i in range(n)],
                        dtype=dt)
    if k == 'S':
        size = dt.itemsize
        pool = [b'', b'a', b'\xff', b'hello', b'0123456789', b'a\x00b',
                b'Z~ \x01']
        return np.array([pool[i % len(pool)][:size] for i in range(n)],
                        dtype=dt)
    if k == 'U':
        size = dt.itemsize // 4
        pool = ['', 'a', '\u00e9', '\u65e5\u672c\u8a9e', '\U0001F600x',
                'h\u00e9llo wo', 'Zz']
        return np.array([pool[i % len(pool)][:size] for i in range(n)],
                        dtype=dt)
    if k == 'V':
        size = dt.itemsize
        return np.array([np.void(bytes((i * size + j * 37) % 256
                                       for j in range(size)))
                         for i in range(n)], dtype=dt)
    if k in 'Mm':
        pool = [0, 1, -1, -2**63, 1700000000, 2**63 - 1, 86400, -42]
        raw = np.array([pool[i % len(pool)] for i in range(n)],
                       dtype=np.dtype(dt.byteorder.replace('|', '=') + 'i8'))
        return raw.view(dt)
    raise TypeError(dt)


def fill(arr, dt, seed=0):
    """Fills a (possibly structured) array with deterministic values."""
    if dt.names is None:
        if dt.subdtype is not None:
            raise TypeError("subarray at top level")
        flat = values(dt, arr.size + seed)[seed:]
        arr[...] = flat.reshape(arr.shape)
        return
    for i, name in enumerate(dt.names):
        fdt = dt.fields[name][0]
        sub = arr[name]
        if fdt.subdtype is not None:
            base, subshape = fdt.subdtype
            if base.names is not None:
                fill(sub, base, seed + i)
            else:
                flat = values(base, sub.size + seed + i)[seed + i:]
                sub[...] = flat.reshape(sub.shape)
        elif fdt.names is not None:
            fill(sub, fdt, seed + i)
        else:
            flat = values(fdt, sub.size + seed + i)[seed + i:]
            sub[...] = flat.reshape(sub.shape)

# }==================================================================

# {==================================================================
# The matrix
# ===================================================================

SIMPLE = ['|b1', '|i1', '|u1', '<i2', '>i2', '<u2', '>u2', '<i4', '>i4',
          '<u4', '>u4', '<i8', '>i8', '<u8', '>u8', '<f2', '>f2', '<f4',
          '>f4', '<f8', '>f8', '<c8', '>c8', '<c16', '>c16', '|S1', '|S10',
          '<U1', '<U8', '>U8', '|V8', '<M8[ns]', '>M8[s]', '<m8[us]']

STRUCTS = {
    'rec': np.dtype([('x', '<f8'), ('n', '<i4'), ('v', '<f4', (3,))]),
    'nested': np.dtype([('a', '<i2'),
                        ('inner', [('p', '>f4'), ('q', '|S3'),
                                   ('r', '<u2', (2,))]),
                        ('flag', '|b1')]),
    'aligned': np.dtype([('a', 'i1'), ('b', '<i4'), ('c', 'i1'),
                         ('d', '<f8')], align=True),
    'titled': np.dtype({'names': ['a', 'b'], 'formats': ['<i4', '<f8'],
                        'titles': ['Alpha title', None]}),
}

SHAPES = [(), (0,), (5,), (3, 4), (2, 3, 4), (0, 3)]


def safe_name(s):
    out = []
    for c in s:
        if c.isalnum():
            out.append(c)
        elif c == '<':
            out.append('L')
        elif c == '>':
            out.append('B')
        elif c == '|':
            out.append('N')
        else:
            out.append('_')
    return "".join(out)


def shape_name(shape):
    return "s" + ("x".join(str(d) for d in shape) if shape else "0d")


def matrix_cases():
    """Yields (name, array) for every dtype x shape x order."""
    dtypes = [(safe_name(d), np.dtype(d)) for d in SIMPLE]
    dtypes += [(k, v) for k, v in STRUCTS.items()]
    for dname, dt in dtypes:
        for shape in SHAPES:
            orders = ['C', 'F'] if len(shape) >= 2 else ['C']
            for order in orders:
                a = np.zeros(shape, dtype=dt)
                fill(a, dt)
                if order == 'F':
                    a = np.asfortranarray(a)
                yield "%s_%s_%s" % (dname, shape_name(shape), order), a


def a9_basic_arrays():
    """RELIABILITY A9: NumPy's test_format basic arrays minus object."""
    scalars = [np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32,
               np.uint64, np.int64, np.float32, np.float64, np.complex64,
               np.complex128]
    for scalar in scalars:
        for endian in '<>':
            dtype = np.dtype(scalar).newbyteorder(endian)
            basic = np.arange(1500).astype(dtype)
            tag = "a9_%s_%s" % ('le' if endian == '<' else 'be',
                                safe_name(dtype.str))
            yield tag + "_empty", np.array([], dtype=dtype)
            yield tag + "_rank0", np.array(10, dtype=dtype)
            yield tag + "_1d", basic
            yield tag + "_2dC", basic.reshape((30, 50))
            yield tag + "_2dF", basic.reshape((30, 50)).T
            yield tag + "_2dnc", basic.reshape((30, 50))[::-1, ::2]


def a9_record_arrays():
    Pdescr = [('x', 'i4', (2,)), ('y', 'f8', (2, 2)), ('z', 'u1')]
    PbufferT = [([3, 2], [[6., 4.], [6., 4.]], 8),
                ([4, 3], [[7., 5.], [7., 5.]], 9)]
    Ndescr = [('x', 'i4', (2,)),
              ('Info', [('value', 'c16'), ('y2', 'f8'),
                        ('Info2', [('name', 'S2'), ('value', 'c16', (2,)),
                                   ('y3', 'f8', (2,)), ('z3', 'u4', (2,))]),
                        ('name', 'S2'), ('z2', 'b1')]),
              ('color', 'S2'),
              ('info', [('Name', 'U8'), ('Value', 'c16')]),
              ('y', 'f8', (2, 2)), ('z', 'u1')]
    NbufferT = [([3, 2], (6j, 6., ('nn', [6j, 4j], [6., 4.], [1, 2]), 'NN',
                          True), 'cc', ('NN', 6j), [[6., 4.], [6., 4.]], 8),
                ([4, 3], (7j, 7., ('oo', [7j, 5j], [7., 5.], [2, 1]), 'OO',
                          False), 'dd', ('OO', 7j), [[7., 5.], [7., 5.]], 9)]
    yield "a9_recP_L", np.array(PbufferT, dtype=np.dtype(Pdescr).newbyteorder('<'))
    yield "a9_recN_L", np.array(NbufferT, dtype=np.dtype(Ndescr).newbyteorder('<'))
    yield "a9_recP_B", np.array(PbufferT, dtype=np.dtype(Pdescr).newbyteorder('>'))
    yield "a9_recN_B", np.array(NbufferT, dtype=np.dtype(Ndescr).newbyteorder('>'))
    yield "a9_recsub", np.zeros(1, dtype=[('c', ('<f8', (5,)), (2,))])


def npy_bytes(arr):
    f = io.BytesIO()
    np.save(f, arr)
    return f.getvalue()

# }==================================================================

# {==================================================================
# gen: NumPy writes, describes what npio must read
# ===================================================================

def describe(name, path, arr, with_list=True):
    """One entry of expected.lua for the file NumPy wrote at 'path'."""
    loaded = np.load(path)
    dt = loaded.dtype
    e = {
        'name': name,
        'file': os.path.relpath(path, OUT),
        'str': str(dt),
        'shape': list(loaded.shape),
        'fortran': bool(loaded.flags.f_contiguous and
                        not loaded.flags.c_contiguous),
        'bytes': loaded.tobytes(order='C'),
    }
    parts = ["name = %s" % lua_str(e['name']),
             "file = %s" % lua_str(e['file']),
             "str = %s" % lua_str(e['str']),
             "shape = %s" % lua_lit(e['shape']),
             "fortran = %s" % lua_lit(e['fortran']),
             "bytes = %s" % lua_str(e['bytes'])]
    if dt.names is None and with_list:
        parts.append("kind = %s" % lua_str(dt.kind))
        parts.append("list = %s" % lua_lit(expected_list(loaded)))
    elif dt.names is not None:
        parts.append("kind = \"struct\"")
        # simple top-level fields: field(name):tolist() must give these
        fl = []
        for fname in dt.names:
            fdt = dt.fields[fname][0]
            if fdt.names is None and fdt.subdtype is None:
                fl.append("{%s, %s}" % (lua_str(fname),
                                        lua_lit(expected_list(loaded[fname]))))
        parts.append("fields = {%s}" % ", ".join(fl))
    return "{" + ", ".join(parts) + "}"


def gen(out):
    global OUT
    OUT = out
    os.makedirs(os.path.join(out, 'np'), exist_ok=True)
    os.makedirs(os.path.join(out, 'lua'), exist_ok=True)
    lines = ["-- generated by tests/interop/npy_gen.py with NumPy %s"
             % np.__version__, "return {", "matrix = {"]
    for name, arr in matrix_cases():
        p = os.path.join(out, 'np', name + '.npy')
        np.save(p, arr)
        lines.append(describe(name, p, arr) + ",")
    for name, arr in list(a9_basic_arrays()) + list(a9_record_arrays()):
        p = os.path.join(out, 'np', name + '.npy')
        np.save(p, arr)
        lines.append(describe(name, p, arr,
                              with_list=arr.size <= 64) + ",")
    lines.append("},")
    # A base file that Lua appends rows to (checked by 'check').
    np.save(os.path.join(out, 'lua', 'append_np_base.npy'),
            np.arange(6, dtype='<i4').reshape(3, 2))
    lines.append("}")
    with open(os.path.join(out, 'expected.lua'), 'w') as f:
        f.write("\n".join(lines) + "\n")

# }==================================================================

# {==================================================================
# check: Lua wrote, NumPy reads
# ===================================================================

def lua_expectations():
    """name -> the array each Lua construction in npy_check.lua must give
    (built here independently, with NumPy)."""
    E = {}
    E['arr_i4_2x3'] = np.array([[1, 2, 3], [4, 5, 6]], '<i4')
    E['arr_f8_be'] = np.array([1.5, -0.0, math.nan, math.inf, -math.inf,
                               2.0**-1074], '>f8')
    E['zeros_f4_2x3'] = np.zeros((2, 3), 'f4')
    E['zeros_default_0x3'] = np.zeros((0, 3))
    E['zeros_u2_0d'] = np.zeros((), 'u2')
    E['arange_2x3x4'] = np.arange(24).reshape(2, 3, 4)
    E['arange_f8_T'] = np.arange(12, dtype='f8').reshape(3, 4).T
    E['arange_i2_be'] = np.arange(6).astype('>i2')
    E['astype_f2'] = np.arange(6).astype('f2')
    E['astype_c16'] = np.arange(6).astype('c16')
    E['astype_bool'] = np.arange(6).astype('bool')
    E['astype_S3'] = np.arange(6).astype('S3')
    E['arr_S4'] = np.array([b'ab', b'c', b''], 'S4')
    E['arr_U6'] = np.array(['h\u00e9llo', 'x', '\u65e5\u672c'], 'U6')
    E['full_u8'] = np.full((2, 2), 7, 'u8')
    E['zeros_m8_us'] = np.zeros(3, 'm8[us]')
    E['zeros_M8_s_be'] = np.zeros(2, '>M8[s]')
    E['zeros_struct'] = np.zeros(2, [('x', '<f8'), ('n', '<i4'),
                                     ('v', '<f4', (3,))])
    E['scalar_int'] = np.array(5)
    E['scalar_float'] = np.array(2.5)
    E['arr_bool'] = np.array([True, False, True])
    E['view_rows'] = np.arange(20).reshape(4, 5)[0:4:2, :]
    E['view_cols'] = np.arange(20).reshape(4, 5)[:, ::2]
    E['eye3'] = np.eye(3)
    E['linspace'] = np.linspace(0, 1, 5)
    E['extreme_i8'] = np.array([2**63 - 1, -2**63, 0], '<i8')
    E['T_3d'] = np.arange(24, dtype='<i4').reshape(2, 3, 4).transpose()
    E['fortran_u1'] = np.asfortranarray(np.arange(6, dtype='u1').reshape(2, 3))
    # append: Lua saved the first part, then appended the second
    E['append_rows'] = np.concatenate([np.arange(12, dtype='<f8').reshape(3, 4),
                                       np.arange(8, dtype='<f8').reshape(2, 4)])
    E['append_fortran'] = np.asfortranarray(np.concatenate(
        [np.arange(12, dtype='<f8').reshape(3, 4).T,
         np.arange(8, dtype='<f8').reshape(2, 4).T], axis=1))
    E['append_np_base'] = np.concatenate([np.arange(6, dtype='<i4').reshape(3, 2),
                                          np.array([[10, 11], [12, 13]], '<i4')])
    E['append_many'] = np.arange(100, dtype='<i2').reshape(100, 1)
    E['append_digits'] = np.zeros((10, 2), '<u1')  # 9 -> 10 rows: 1 more digit
    # A9, Lua direction: NumPy's basic arrays built by Lua
    for name, arr in a9_basic_arrays():
        E['lua_' + name] = arr
    return E


def same_values(a, b):
    """Bit-exact equality of two arrays of the same dtype (NaN payloads,
    -0.0 and padding included)."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return a.tobytes(order='C') == b.tobytes(order='C')


def check(out):
    passed = failed = 0

    def fail(name, msg):
        nonlocal failed
        failed += 1
        print("FAIL lua->numpy %s: %s" % (name, msg))

    E = lua_expectations()
    for name in sorted(E):
        exp = E[name]
        p = os.path.join(out, 'lua', name + '.npy')
        if not os.path.exists(p):
            fail(name, "npio did not write %s (see npy_check.lua output)"
                 % os.path.basename(p))
            continue
        with open(p, 'rb') as f:
            data = f.read()
        try:
            got = np.load(p)
        except Exception as e:
            fail(name, "np.load failed: %s" % e)
            continue
        ok = True
        if got.dtype.descr != exp.dtype.descr or got.dtype != exp.dtype:
            fail(name, "dtype %r, expected %r" % (got.dtype.str if got.dtype.names is None else got.dtype.descr,
                                                  exp.dtype.str if exp.dtype.names is None else exp.dtype.descr))
            ok = False
        elif got.shape != exp.shape:
            fail(name, "shape %r, expected %r" % (got.shape, exp.shape))
            ok = False
        elif not same_values(got, exp):
            fail(name, "values differ: got %r, expected %r"
                 % (got.ravel()[:8], exp.ravel()[:8]))
            ok = False
        # The file must be exactly what np.save writes for that array.
        ref = npy_bytes(exp)
        if data != ref:
            i = next((k for k in range(min(len(data), len(ref)))
                      if data[k] != ref[k]), min(len(data), len(ref)))
            fail(name, "file differs from np.save's bytes at offset %d "
                 "(npio %d bytes, NumPy %d); npio header %r, NumPy header %r"
                 % (i, len(data), len(ref), data[:data.find(b'\n') + 1][:160],
                    ref[:ref.find(b'\n') + 1][:160]))
            ok = False
        if ok:
            passed += 1
    print("lua->numpy: %d passed, %d failed" % (passed, failed))
    return failed


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ('gen', 'check'):
        sys.stderr.write(__doc__)
        sys.exit(2)
    if sys.argv[1] == 'gen':
        gen(sys.argv[2])
    else:
        sys.exit(1 if check(sys.argv[2]) else 0)


if __name__ == '__main__':
    main()
