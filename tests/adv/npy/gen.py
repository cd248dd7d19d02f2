#!/usr/bin/python3
"""gen.py -- the malformed / edge .npy corpus (RELIABILITY.md, category A).

    /usr/bin/python3 tests/adv/npy/gen.py OUTDIR [--big] [--seeds DIR]

Writes every case into OUTDIR/<name>.npy and OUTDIR/manifest.lua, a Lua
table read by tests/interop/npy_malformed.lua. Each entry says what npio
must do with the file:

  expect = "accept"   loads; str(dtype), shape, C-order bytes (and the
                      elements, for small simple arrays) as NumPy gives them
  expect = "reject"   np.load raises "npio.load: <path>: ..." containing one
                      of the substrings in 'sub' (each names the field)
  expect = "either"   either of the above (never a crash): cases where
                      NumPy's behaviour is an accident of ast.literal_eval or
                      of dtype() and refusing is as correct; when accepted
                      the result must equal NumPy's

The class is decided by running NumPy 1.24's np.load on every file here;
each case where npio's expected class differs from NumPy's carries a
'note' saying why, and the generator stops if an undocumented difference
appears (so a NumPy upgrade that changes behaviour is noticed).

--seeds DIR also copies every file into DIR (fuzzing seeds). --big adds the
multi-GiB cases (sparse files; for make test-big).

Cases flagged rss=true declare huge sizes with (almost) no data; the
driver also runs them under a 1 GiB address-space limit.
"""
import io
import math
import os
import resource
import shutil
import struct
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', '..', 'interop'))
from npy_gen import lua_lit, lua_str, expected_list  # noqa: E402

MAGIC = b'\x93NUMPY'

# Expected-message substrings (any one must appear). Each names the field.
TRUNC = ["truncated", "EOF"]
BADMAGIC = ["magic"]
SHORTMAGIC = ["magic", "truncated", "EOF"]
VERSION = ["version"]
HSIZE = ["exceeds max_header_size"]
HEADER = ["header"]
UTF8 = ["UTF-8", "utf-8", "utf8", "header"]
SHAPE = ["shape"]
BIGSHAPE = ["shape", "overflow", "too large", "too big"]
NDIM = ["dimensions", "ndim", "shape"]
DESCR = ["descr"]
OBJECT = ["object"]
FORDER = ["fortran_order"]
NEST = ["nest", "deep", "depth", "header"]


# {==================================================================
# Building files
# ===================================================================

def wrap(text, version=(1, 0), align=True, newline=True, hlen=None,
         magic=None, pad_to=None):
    """Magic + version + length + header text (+ NumPy's padding)."""
    if isinstance(text, str):
        text = text.encode('latin-1' if version < (3, 0) else 'utf-8')
    lenfmt = '<H' if version[0] == 1 else '<I'
    pre = (magic if magic is not None else MAGIC) + bytes(version)
    prelen = len(pre) + struct.calcsize(lenfmt)
    body = text
    if pad_to is not None:
        body = text + b' ' * (pad_to - len(text) - 1) + b'\n'
    elif align:
        total = prelen + len(text) + (1 if newline else 0)
        body = text + b' ' * ((-total) % 64) + (b'\n' if newline else b'')
    elif newline:
        body = text + b'\n'
    n = len(body) if hlen is None else hlen
    return pre + struct.pack(lenfmt, n) + body


def dict_text(descr="'<f8'", fortran="False", shape="(3,)", extra=""):
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, %s}" % (
        descr, fortran, shape, extra)


F8_3 = np.arange(3, dtype='<f8').tobytes()


def good(**kw):
    data = kw.pop('data', F8_3)
    version = kw.pop('version', (1, 0))
    w = {k: kw.pop(k) for k in ('align', 'newline', 'hlen', 'magic', 'pad_to')
         if k in kw}
    return wrap(dict_text(**kw), version, **w) + data

# }==================================================================

# {==================================================================
# The cases
# ===================================================================

CASES = []


def case(sub_id, name, data, expect, sub=None, note=None, opts=None,
         rss=False, big=False, special=None, offset=None, sparse=None,
         accept_as=None):
    CASES.append(dict(id=sub_id, name="%s_%s" % (sub_id, name), data=data,
                      expect=expect, sub=sub, note=note, opts=opts or {},
                      rss=rss, big=big, special=special, offset=offset,
                      sparse=sparse, accept_as=accept_as))


def a1():
    rest = good()[8:]
    for i, m in enumerate([b'\x92NUMPY\x01\x00', b'\x00NUMPY\x01\x00',
                           b'\x93numpy\x01\x00', b'\x93MATLB\x01\x00']):
        case("A1", "badmagic%d" % i, m + rest, "reject", BADMAGIC)
    case("A1", "magic7", b'\x93NUMPY\x01', "reject", SHORTMAGIC)
    case("A1", "magic6", b'\x93NUMPY', "reject", SHORTMAGIC)
    case("A1", "empty", b'', "reject", SHORTMAGIC + ["empty"])
    case("A1", "magic3", b'\x93NU', "reject", SHORTMAGIC)
    for v in [(1, 1), (0, 0), (0, 1), (2, 2), (255, 255), (4, 0), (255, 0),
              (3, 1), (1, 255)]:
        d = wrap(dict_text(), (1, 0)) + F8_3
        d = d[:6] + bytes(v) + d[8:]
        case("A1", "version%d_%d" % v, d, "reject", VERSION)
    case("A1", "v1_ok", good(), "accept")
    case("A1", "v2_ok", good(version=(2, 0)), "accept")
    case("A1", "v3_ok", good(version=(3, 0)), "accept")
    utf8name = "[('\u00e9t\u00e9', '<i4'), ('\u65e5', '<f4')]"
    rec = np.zeros(2, [('\u00e9t\u00e9', '<i4'), ('\u65e5', '<f4')])
    rec['\u00e9t\u00e9'] = [1, -2]
    rec['\u65e5'] = [0.5, -0.25]
    case("A1", "v3_utf8_fields",
         wrap(dict_text(utf8name, shape="(2,)"), (3, 0)) + rec.tobytes(),
         "accept")
    # v3 header holding a latin-1 byte: not UTF-8
    bad = wrap(b"{'descr': [('\xe9', '<i4')], 'fortran_order': False, "
               b"'shape': (2,), }", (3, 0)) + bytes(8)
    case("A1", "v3_bad_utf8", bad, "reject", UTF8)
    # v2 decodes as latin-1: UTF-8 bytes of a name become mojibake
    mb = wrap("{'descr': [('\u00e9', '<i4')], 'fortran_order': False, "
              "'shape': (2,), }".encode('utf-8'), (2, 0)) + bytes(8)
    case("A1", "v2_utf8_is_latin1", mb, "accept")


def a2():
    case("A2", "hlen0", MAGIC + b'\x01\x00' + struct.pack('<H', 0), "reject",
         HEADER + TRUNC)
    case("A2", "hlen0_data", MAGIC + b'\x01\x00' + struct.pack('<H', 0) + F8_3,
         "reject", HEADER)
    case("A2", "hlen1", wrap(b'{', align=False, newline=False) + F8_3,
         "reject", HEADER)
    case("A2", "hlen_past_eof", wrap(dict_text(), hlen=500), "reject", TRUNC)
    case("A2", "hlen_field_cut", MAGIC + b'\x01\x00' + b'\x76', "reject",
         TRUNC + HEADER)
    case("A2", "v2_hlen_field_cut", MAGIC + b'\x02\x00' + b'\x76\x00\x00',
         "reject", TRUNC + HEADER)
    big = dict_text() + " " * (65535 - len(dict_text()) - 1) + "\n"
    case("A2", "hlen65535", wrap(big.encode(), align=False, newline=False)
         + F8_3, "reject", HSIZE)
    case("A2", "hlen65535_allowed", wrap(big.encode(), align=False,
                                         newline=False) + F8_3,
         "accept", opts={"max_header_size": 70000})
    case("A2", "v2_hlen_4G_12bytes", MAGIC + b'\x02\x00' +
         struct.pack('<I', 0xFFFFFFF0), "reject", HSIZE, rss=True)
    case("A2", "v2_hlen_4G_12bytes_allowed", MAGIC + b'\x02\x00' +
         struct.pack('<I', 0xFFFFFFF0), "reject", TRUNC, rss=True,
         opts={"max_header_size": 2**40},
         note="with the limit lifted, the header must still not be "
              "allocated before it is read")
    case("A2", "hlen_cap", wrap(dict_text().encode(), pad_to=10000) + F8_3,
         "accept")
    case("A2", "hlen_cap_plus1", wrap(dict_text().encode(), pad_to=10001)
         + F8_3, "reject", HSIZE)
    case("A2", "opt_max_header_100", good(), "reject", HSIZE,
         opts={"max_header_size": 100})
    case("A2", "opt_max_header_118", good(), "accept",
         opts={"max_header_size": 118})
    case("A2", "no_newline", good(newline=False), "accept")
    case("A2", "not_aligned", good(align=False), "accept")
    case("A2", "v2_not_aligned", good(align=False, version=(2, 0)), "accept")
    # v3 header whose last bytes are the first two of a 3-byte sequence
    t = "{'descr': [('x\u20ac', '<i4')], 'fortran_order': False, " \
        "'shape': (0,), }".encode('utf-8')
    cut = t.replace(b"\xe2\x82\xac'", b"'") + b"\xe2\x82"
    case("A2", "v3_ends_mid_utf8", wrap(cut, (3, 0), align=False,
                                        newline=False), "reject", UTF8)


def a3():
    def h(text, data=F8_3, version=(1, 0), **kw):
        return wrap(text.encode('latin-1') if isinstance(text, str) else text,
                    version, **kw) + data
    case("A3", "not_dict_list", h("[1, 2]"), "reject", HEADER)
    case("A3", "not_dict_str", h("'descr'"), "reject", HEADER)
    case("A3", "set_literal", h("{'descr', 'shape', 'fortran_order'}"),
         "reject", HEADER)
    case("A3", "empty_dict", h("{}"), "reject", HEADER + ["key"])
    case("A3", "empty_text", h(""), "reject", HEADER)
    case("A3", "missing_descr",
         h("{'fortran_order': False, 'shape': (3,), }"), "reject",
         DESCR + ["key"])
    case("A3", "missing_fortran_order",
         h("{'descr': '<f8', 'shape': (3,), }"), "reject", FORDER + ["key"])
    case("A3", "missing_shape",
         h("{'descr': '<f8', 'fortran_order': False, }"), "reject",
         SHAPE + ["key"])
    case("A3", "extra_key", h(dict_text(extra="'extrakey': -1, ")), "reject",
         ["extrakey", "key"])
    case("A3", "key_not_str", h(dict_text(extra="1: 2, ")), "reject",
         HEADER + ["key"])
    case("A3", "duplicate_key",
         h("{'descr': '<i8', 'descr': '<f8', 'fortran_order': False, "
           "'shape': (3,), }"), "either", HEADER + DESCR + ["key",
                                                          "duplicate"],
         note="ast.literal_eval keeps the last value; refusing a duplicate "
              "key is as correct (if accepted it must be the last, '<f8')")
    case("A3", "unterminated_string",
         h("{'descr': '<f8, 'fortran_order': False, 'shape': (3,), }"),
         "reject", HEADER)
    case("A3", "unterminated_dict",
         h("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), "),
         "reject", HEADER)
    case("A3", "trailing_garbage", h(dict_text() + " junk"), "reject", HEADER)
    case("A3", "two_dicts", h(dict_text() + dict_text()), "reject", HEADER)
    case("A3", "lowercase_true", h(dict_text(fortran="false")), "reject",
         FORDER + HEADER)
    case("A3", "py2_long_v1", h(dict_text(shape="(3L,)")), "accept")
    case("A3", "py2_long_v2", h(dict_text(shape="(3L,)"), version=(2, 0)),
         "accept")
    case("A3", "py2_long_2d", h(dict_text(shape="(1L, 3L)")), "accept")
    case("A3", "py2_long_v3", h(dict_text(shape="(3L,)").encode(),
                                version=(3, 0)), "reject", SHAPE + HEADER)
    case("A3", "py2_long_lower", h(dict_text(shape="(3l,)")), "reject",
         SHAPE + HEADER)
    case("A3", "nul_in_padding", h(dict_text() + "\x00"), "reject",
         HEADER + ["NUL", "null"])
    case("A3", "nul_in_descr", h(dict_text(descr="'<f8\x00'")), "reject",
         HEADER + DESCR + ["NUL", "null"])
    deep = "(" * 4000 + "3," + ")" * 4000
    case("A3", "deep_parens_4000", h(dict_text(shape=deep)), "reject", NEST)
    deep = "(" * 10000 + ")" * 10000
    case("A3", "deep_parens_10000", h(dict_text(shape=deep),
                                      version=(2, 0)), "reject", NEST,
         opts={"max_header_size": 100000})
    deep = "[" * 3000 + "]" * 3000
    case("A3", "deep_list_descr", h(dict_text(descr=deep)), "reject",
         NEST + DESCR)
    deep = "{'a': " * 2000 + "1" + "}" * 2000
    case("A3", "deep_dict_value", h(dict_text(extra="'x': %s, " % deep),
                                    version=(2, 0)),
         "reject", NEST + ["key"], opts={"max_header_size": 100000})
    longkey = "'" + "k" * 65536 + "': 1, "
    case("A3", "key_64k", h(dict_text(extra=longkey), version=(2, 0)),
         "reject", HSIZE)
    case("A3", "key_64k_allowed", h(dict_text(extra=longkey), version=(2, 0)),
         "reject", ["key", "k" * 20], opts={"max_header_size": 200000})
    longname = "[('" + "n" * 65536 + "', '<f8')]"
    case("A3", "field_name_64k", h(dict_text(descr=longname, shape="(1,)"),
                                   version=(2, 0), data=bytes(8)),
         "accept", opts={"max_header_size": 200000})
    case("A3", "no_trailing_comma",
         h("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}"),
         "accept")
    case("A3", "double_comma",
         h("{'descr': '<f8', 'fortran_order': False, 'shape': (3,),, }"),
         "reject", HEADER)
    case("A3", "odd_whitespace",
         h("{\n'descr' :\t'<f8' ,\n\t'fortran_order':False,'shape':( 3 , ) }"),
         "accept")
    case("A3", "keys_reordered",
         h("{'shape': (3,), 'descr': '<f8', 'fortran_order': False}"),
         "accept")
    case("A3", "crlf_before_pad", h(dict_text() + "\r\n"), "accept")
    case("A3", "double_quotes",
         h('{"descr": "<f8", "fortran_order": False, "shape": (3,), }'),
         "accept")
    case("A3", "escape_in_descr", h(dict_text(descr="'\\x3cf8'")), "accept")
    case("A3", "bytes_descr", h(dict_text(descr="b'<f8'")), "reject",
         DESCR)
    case("A3", "implicit_concat", h(dict_text(descr="'<' 'f8'")), "either",
         HEADER + DESCR,
         note="Python's implicit string concatenation; refusing is fine")
    case("A3", "comment", h(dict_text() + " # comment"), "either", HEADER,
         note="the tokenizer drops comments; refusing is fine")
    case("A3", "leading_space", h("  " + dict_text()), "either", HEADER,
         note="literal_eval strips leading blanks; refusing is fine")
    case("A3", "latin1_v1_name",
         h("{'descr': [('\u00e9', '<i4')], 'fortran_order': False, "
           "'shape': (2,), }", data=struct.pack('<ii', 7, -7)), "accept")
    case("A3", "unicode_escape_name",
         h("{'descr': [('\\u00e9', '<i4')], 'fortran_order': False, "
           "'shape': (2,), }", data=struct.pack('<ii', 7, -7)), "accept")


def a4():
    def s(shape, data=b'', descr="'<f8'", fortran="False", **kw):
        return wrap(dict_text(descr=descr, fortran=fortran, shape=shape),
                    **kw) + data
    case("A4", "neg1", s("(-1,)", F8_3), "reject", SHAPE,
         note="NumPy 1.24 accepts (-1,): count -1 makes fromfile read the "
              "whole file and reshape infers -1; a negative dimension is "
              "never valid")
    case("A4", "neg2_neg3", s("(-2, -3)", bytes(48)), "reject", SHAPE)
    case("A4", "neg_3_m1", s("(3, -1)", bytes(24)), "reject", SHAPE,
         note="NumPy infers -1 here too")
    case("A4", "pow62_u1", s("(4611686018427387904,)", descr="'|u1'"),
         "reject", TRUNC + BIGSHAPE, rss=True)
    case("A4", "pow62_f8", s("(4611686018427387904,)"), "reject",
         BIGSHAPE + TRUNC, rss=True)
    case("A4", "pow40_f8", s("(1099511627776,)"), "reject", TRUNC, rss=True)
    case("A4", "pow32_x_pow32", s("(4294967296, 4294967296)"), "reject",
         BIGSHAPE, rss=True)
    case("A4", "product_wraps_to_small",
         s("(4294967296, 4294967296, 4294967296, 4294967296)", F8_3),
         "reject", BIGSHAPE, rss=True)
    case("A4", "pow63", s("(9223372036854775808,)"), "reject", BIGSHAPE)
    case("A4", "pow63m1_u1", s("(9223372036854775807,)", descr="'|u1'"),
         "reject", TRUNC + BIGSHAPE, rss=True)
    case("A4", "ten30", s("(1000000000000000000000000000000,)"), "reject",
         BIGSHAPE)
    case("A4", "ndim65", s("(" + "1, " * 65 + ")", bytes(8)), "reject", NDIM)
    case("A4", "ndim33", s("(" + "1, " * 33 + ")", bytes(8)), "reject", NDIM)
    case("A4", "ndim32", s("(" + "1, " * 32 + ")", bytes(8)), "accept")
    case("A4", "scalar", s("()", bytes(8)), "accept")
    case("A4", "zero_by_5", s("(0, 5)"), "accept")
    case("A4", "zero_by_pow62", s("(0, 4611686018427387904)"), "either",
         BIGSHAPE, note="no elements, but NumPy refuses the byte count "
                        "of the other dimensions; accepting is fine",
         accept_as=("float64", [0, 2**62]))
    case("A4", "int_not_tuple", s("5", bytes(40)), "reject", SHAPE)
    case("A4", "paren_int", s("(3)", F8_3), "reject", SHAPE)
    case("A4", "list_shape", s("[3]", F8_3), "reject", SHAPE)
    case("A4", "float_dim", s("(3.0,)", F8_3), "reject", SHAPE)
    case("A4", "bool_dim", s("(True,)", bytes(8)), "reject", SHAPE)
    case("A4", "octal_007", s("(007,)", F8_3), "reject", SHAPE + HEADER)
    case("A4", "plus5", s("(+3,)", F8_3), "either", SHAPE + HEADER,
         note="literal_eval allows unary plus; refusing is fine")
    case("A4", "hex_dim", s("(0x3,)", F8_3), "either", SHAPE + HEADER,
         note="literal_eval reads 0x3; refusing is fine")
    case("A4", "underscore_dim", s("(1_0,)", bytes(80)), "either",
         SHAPE + HEADER, note="literal_eval reads 1_0; refusing is fine")
    case("A4", "minus_zero_dim", s("(-0,)"), "either", SHAPE,
         note="literal_eval gives 0; refusing is fine")
    case("A4", "np_int64", s("(np.int64(3),)", F8_3), "reject",
         SHAPE + HEADER)
    case("A4", "str_dim", s("('3',)", F8_3), "reject", SHAPE)
    case("A4", "none_shape", s("None", F8_3), "reject", SHAPE)
    case("A4", "nested_tuple", s("((3,),)", F8_3), "reject", SHAPE)
    case("A4", "gib_no_data", s("(1073741824,)", descr="'|u1'"), "reject",
         TRUNC, rss=True)
    case("A4", "more_than_file", s("(10,)", F8_3), "reject", TRUNC)
    case("A4", "spaces_2d", s("( 3 , 4 )", bytes(96)), "accept")
    case("A4", "fortran_2d", s("(3, 4)", np.arange(12, dtype='<i4').tobytes(),
                               descr="'<i4'", fortran="True"), "accept")
    case("A4", "fortran_3d_be", s("(2, 3, 2)",
                                  np.arange(12, dtype='>i2').tobytes(),
                                  descr="'>i2'", fortran="True"), "accept")


def a5():
    def d(descr, data=b'', shape="(0,)", **kw):
        return wrap(dict_text(descr=descr, shape=shape), **kw) + data
    case("A5", "unknown_code", d("'<x4'"), "reject", DESCR)
    case("A5", "i3", d("'<i3'"), "reject", DESCR)
    case("A5", "f16", d("'<f16'", bytes(32), "(2,)"), "either", DESCR,
         note="x86 long double (float128); npio need not offer it")
    case("A5", "c32", d("'<c32'", bytes(32), "(1,)"), "either", DESCR,
         note="complex256; npio need not offer it")
    case("A5", "S0", d("'|S0'", b'', "(3,)"), "either", DESCR,
         note="NumPy makes a zero-size flexible type; refusing is fine")
    case("A5", "U0", d("'<U0'", b'', "(3,)"), "either", DESCR,
         note="as |S0")
    case("A5", "V0", d("'|V0'", b'', "(3,)"), "either", DESCR,
         note="as |S0")
    case("A5", "S2p31", d("'|S2147483648'"), "reject", DESCR,
         note="NumPy 1.24 wraps the itemsize to -2147483648 and accepts; "
              "npio must refuse (or take it exactly)")
    case("A5", "U2p30", d("'<U1073741824'"), "reject", DESCR,
         note="NumPy 1.24 wraps 4*2**30 to 0 and accepts; npio must not")
    case("A5", "U2p29", d("'<U536870912'"), "reject", DESCR,
         note="NumPy 1.24 wraps 4*2**29 to a negative itemsize")
    case("A5", "S_huge", d("'|S99999999999999999999'"), "reject", DESCR,
         note="NumPy 1.24 wraps the itemsize and accepts; npio must not")
    case("A5", "O", d("'|O'"), "reject", OBJECT)
    case("A5", "O_plain", d("'O'", b'', "(3,)"), "reject", OBJECT)
    case("A5", "O_in_struct", d("[('a', '<i4'), ('b', '|O')]"), "reject",
         OBJECT)
    case("A5", "O_in_subarray", d("[('a', '|O', (2,))]"), "reject", OBJECT)
    for t in ['>i2', '>u4', '>i8', '>f4', '>f8', '>c16', '>u2', '>f2']:
        vals = [1, 2, 3, 100, 65535] if t[1] == 'u' else [1, -2.5, 3, 100, -5]
        a = np.array(vals).astype(t)
        case("A5", "be_%s" % t[1:], d("'%s'" % t, a.tobytes(), "(5,)"),
             "accept")
    case("A5", "bool_bytes", d("'|b1'", bytes([0, 1, 2, 127, 128, 255]),
                               "(6,)"), "accept")
    case("A5", "struct", d("[('x', '<f8'), ('n', '<i4')]", bytes(24), "(2,)"),
         "accept")
    case("A5", "nested", d("[('a', [('p', '>i2'), ('q', '|S2')]), "
                           "('b', '<u1')]", bytes(10), "(2,)"), "accept")
    case("A5", "subarray", d("[('a', '<i4', (2, 3))]", bytes(48), "(2,)"),
         "accept")
    case("A5", "padding_field", d("[('a', '<i4'), ('', '|V4'), "
                                  "('b', '<f8')]", bytes(32), "(2,)"),
         "accept")
    case("A5", "titled", d("[(('T', 'a'), '<i4')]", bytes(8), "(2,)"),
         "accept")
    case("A5", "dup_field", d("[('a', '<i4'), ('a', '<f8')]"), "reject",
         DESCR)
    case("A5", "field_name_int", d("[(1, '<i4')]"), "reject", DESCR)
    case("A5", "field_4tuple", d("[('a', '<i4', (2,), 5)]"), "reject", DESCR)
    case("A5", "field_bad_shape", d("[('a', '<i4', (-2,))]"), "reject",
         DESCR + SHAPE)
    case("A5", "empty_struct", d("[]", b'', "(3,)"), "either", DESCR,
         note="a record with no fields and itemsize 0; refusing is fine")
    case("A5", "V8", d("'|V8'", bytes(range(16)), "(2,)"), "accept")
    case("A5", "M8ns", d("'<M8[ns]'", struct.pack('<qq', 0, -2**63),
                         "(2,)"), "accept")
    case("A5", "m8_generic", d("'<m8'", struct.pack('<q', 5), "(1,)"),
         "accept")
    case("A5", "M8_7s", d("'<M8[7s]'", struct.pack('<q', 5), "(1,)"),
         "either", DESCR, note="a unit with a multiplier; refusing is fine")
    case("A5", "M8_badunit", d("'<M8[xx]'"), "reject", DESCR)
    case("A5", "empty_string", d("''"), "reject", DESCR)
    case("A5", "not_string", d("5"), "reject", DESCR)
    case("A5", "none", d("None"), "reject", DESCR)
    case("A5", "name_float64", d("'float64'", F8_3, "(3,)"), "accept")
    case("A5", "name_int", d("'int'", bytes(8), "(1,)"), "accept")
    case("A5", "native_eq", d("'=f8'", F8_3, "(3,)"), "accept")
    case("A5", "charcode_d", d("'d'", F8_3, "(3,)"), "either", DESCR,
         note="a one-letter type code; refusing is fine")
    case("A5", "S_with_order", d("'>S5'", b'abcde', "(1,)"), "accept")
    case("A5", "space_descr", d("' <f8'", F8_3, "(3,)"), "reject", DESCR)
    case("A5", "tuple_subarray_top", d("('<i4', (2,))", bytes(24), "(3,)"),
         "reject", DESCR + SHAPE + TRUNC)


def a6():
    def f(v, **kw):
        return wrap(dict_text(fortran=v), **kw) + F8_3
    case("A6", "one", f("1"), "reject", FORDER)
    case("A6", "zero", f("0"), "reject", FORDER)
    case("A6", "str_True", f("'True'"), "reject", FORDER)
    case("A6", "none", f("None"), "reject", FORDER)
    case("A6", "missing", wrap("{'descr': '<f8', 'shape': (3,), }") + F8_3,
         "reject", FORDER + ["key"])


def a7():
    def s(descr, shape, data, **kw):
        return wrap(dict_text(descr=descr, shape=shape), **kw) + data
    for t, shape in [('|u1', (3,)), ('<i2', (2, 2)), ('<f4', (3,)),
                     ('>f8', (3,)), ('<c16', (2,)), ('<U3', (2,)),
                     ('|S4', (2,))]:
        a = np.zeros(shape, t)
        case("A7", "short1_%s" % t[1:], s("'%s'" % t, repr(shape),
                                          a.tobytes()[:-1]), "reject", TRUNC)
    rec = np.zeros(2, [('x', '<f8'), ('n', '<i4')])
    case("A7", "short1_struct", s("[('x', '<f8'), ('n', '<i4')]", "(2,)",
                                  rec.tobytes()[:-1]), "reject", TRUNC)
    case("A7", "trailing1", s("'<f8'", "(3,)", F8_3 + b'\x00'), "accept")
    case("A7", "trailing_many", s("'<f8'", "(3,)", F8_3 + bytes(1000)),
         "accept")
    case("A7", "no_data", s("'<f8'", "(3,)", b''), "reject", TRUNC)
    case("A7", "no_data_scalar", s("'<i4'", "()", b''), "reject", TRUNC)
    case("A7", "empty_exact", s("'<f8'", "(0,)", b''), "accept")
    case("A7", "mmap_exact", s("'<f8'", "(3,)", F8_3), "accept",
         opts={"mmap_mode": "r"})
    case("A7", "mmap_short", s("'<f8'", "(3,)", F8_3[:-1]), "reject", TRUNC,
         opts={"mmap_mode": "r"})
    case("A7", "mmap_truncated_after", s("'<f8'", "(512,)",
                                         bytes(512 * 8)), "accept",
         opts={"mmap_mode": "r"}, special="mmap_truncate",
         note="after mapping, the file is truncated to 0 bytes: reading "
              "the map must not kill the process (error or old data)")
    # a 5 GiB hole, then a .npy: loaded through a Lua file handle seeked
    # to the offset (NumPy's test_large_file_support)
    case("A7", "offset_5gib", good(), "accept", special="offset",
         offset=5 * 2**30)
    # 2**31 + 1 elements: past the int32 boundary (gh-7598); sparse data
    case("A7", "int32_boundary", s("'|u1'", "(%d,)" % (2**31 + 1), b''),
         "accept", big=True, sparse=2**31 + 1)

# }==================================================================

# {==================================================================
# NumPy's verdict and the manifest
# ===================================================================

def numpy_verdict(path, c):
    kw = {}
    if 'max_header_size' in c['opts']:
        kw['max_header_size'] = c['opts']['max_header_size']
    if 'mmap_mode' in c['opts']:
        kw['mmap_mode'] = c['opts']['mmap_mode']
    try:
        if c['special'] == 'offset':
            with open(path, 'rb') as f:
                f.seek(c['offset'])
                a = np.load(f, **kw)
        else:
            a = np.load(path, **kw)
        if isinstance(a, np.lib.npyio.NpzFile):
            return "reject", "opened as npz", None
        return "accept", None, a
    except Exception as e:
        return "reject", "%s: %s" % (type(e).__name__, str(e)[:200]), None


def main():
    args = sys.argv[1:]
    big = '--big' in args
    seeds = None
    if '--seeds' in args:
        seeds = args[args.index('--seeds') + 1]
        args = [a for a in args if a not in ('--seeds', seeds)]
    args = [a for a in args if a != '--big']
    if len(args) != 1:
        sys.stderr.write(__doc__)
        sys.exit(2)
    out = args[0]
    os.makedirs(out, exist_ok=True)
    # NumPy itself must not take the machine's memory on the huge cases
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))

    a1(); a2(); a3(); a4(); a5(); a6(); a7()
    names = [c['name'] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"

    lines = ["-- generated by tests/adv/npy/gen.py with NumPy %s"
             % np.__version__, "return {"]
    problems = []
    counts = {}
    for c in CASES:
        if c['big'] and not big:
            continue
        path = os.path.join(out, c['name'] + '.npy')
        if c['special'] == 'offset':
            with open(path, 'wb') as f:
                f.truncate(c['offset'])
                f.seek(c['offset'])
                f.write(c['data'])
        else:
            with open(path, 'wb') as f:
                f.write(c['data'])
                if c['sparse']:
                    f.truncate(len(c['data']) + c['sparse'])
        if seeds and not c['sparse'] and c['special'] != 'offset':
            os.makedirs(seeds, exist_ok=True)
            shutil.copy(path, os.path.join(seeds, c['name'] + '.npy'))
        if c['big']:
            verdict, why, arr = "accept", None, None
            arr_info = (str(np.dtype('|u1')), [2**31 + 1])
        else:
            verdict, why, arr = numpy_verdict(path, c)
        exp = c['expect']
        if exp != "either" and exp != verdict and not c['note']:
            problems.append("%s: expected %s but NumPy says %s (%s) and "
                            "there is no note" % (c['name'], exp, verdict,
                                                  why))
        if exp == "either" and not c['note']:
            problems.append("%s: 'either' needs a note" % c['name'])
        counts[exp] = counts.get(exp, 0) + 1
        parts = ["name = %s" % lua_str(c['name']),
                 "file = %s" % lua_str(c['name'] + '.npy'),
                 "id = %s" % lua_str(c['id']),
                 "expect = %s" % lua_str(exp),
                 "numpy = %s" % lua_str(verdict if why is None
                                        else "reject: " + why),
                 "size = %d" % os.path.getsize(path)]
        if c['sub']:
            parts.append("sub = %s" % lua_lit(c['sub']))
        if c['note']:
            parts.append("note = %s" % lua_str(c['note']))
        if c['opts']:
            parts.append("opts = %s" % lua_lit(c['opts']))
        if c['rss']:
            parts.append("rss = true")
        if c['big']:
            parts.append("big = true")
        if c['special']:
            parts.append("special = %s" % lua_str(c['special']))
        if c['offset']:
            parts.append("offset = %d" % c['offset'])
        if c['big']:
            parts.append("str = \"uint8\", shape = {%d}" % (2**31 + 1))
        elif c['accept_as']:
            parts.append("str = %s, shape = %s" % (
                lua_str(c['accept_as'][0]), lua_lit(c['accept_as'][1])))
        elif verdict == "accept" and exp != "reject":
            a = arr
            parts.append("str = %s" % lua_str(str(a.dtype)))
            parts.append("shape = %s" % lua_lit(list(a.shape)))
            if a.nbytes <= 4096:
                parts.append("bytes = %s" % lua_str(a.tobytes(order='C')))
                if a.dtype.names is None and a.size <= 64:
                    parts.append("list = %s" % lua_lit(expected_list(a)))
        lines.append("{" + ", ".join(parts) + "},")
    lines.append("}")
    if problems:
        sys.stderr.write("gen.py: NumPy disagrees with the manifest:\n  "
                         + "\n  ".join(problems) + "\n")
        sys.exit(1)
    with open(os.path.join(out, 'manifest.lua'), 'w') as f:
        f.write("\n".join(lines) + "\n")
    total = sum(counts.values())
    print("gen.py: %d cases (%s) in %s" % (
        total, ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items())),
        out))


if __name__ == '__main__':
    main()
