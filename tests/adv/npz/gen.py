#!/usr/bin/python3
"""gen.py -- hostile .npz archives (RELIABILITY.md category B).

    tests/adv/npz/gen.py DIR [--big]

Writes one archive per case into DIR and DIR/cases.lua, the expected
outcome of each, read by tests/adv/npz/check.lua:

    expect = "open"   np.load must raise, with 'msg' in the message
    expect = "read"   np.load opens (listing works: 'count' members), and
                      reading member 'key' must raise with 'msg'
    expect = "ok"     every member reads; 'key' (if given) must hold an
                      array of 'shape' / the string 'bytes'
    expect = "info"   like "read", through np.info (header only)

Archives are built byte by byte here (a small zip writer below) so that
each field can lie on its own. Sources for the shapes: David Fifield's
"A better zip bomb" (overlapping and quoted-overlap entries), CPython
gh-109858, minizip's silent truncation, and the npy corpus of category A.
--big adds the 1,000,000-entry archive (O(N log N) overlap check).
"""
import io
import os
import struct
import sys
import zlib

import numpy as np

# {==================================================================
# A zip writer whose every field can be overridden
# ===================================================================

def npy(arr):
    b = io.BytesIO()
    np.save(b, arr)
    return b.getvalue()


def deflate(data, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def zip64_extra(*vals):
    body = b"".join(struct.pack("<Q", v) for v in vals)
    return struct.pack("<HH", 1, len(body)) + body


def build(entries, comment=b"", count=None, zip64_end=False, cd_extra=b"",
          after_end=b"", disk=0, cd_off_delta=0, end_cd_size=None):
    """entries: dicts with 'name' (bytes), 'raw' (uncompressed bytes) and
    optional: method (0/8/other), data (the bytes stored, default: raw or
    its deflate), flags, crc/csize/usize (both headers), l_crc/l_csize/
    l_usize/c_crc/c_csize/c_usize (one header), l_name, l_extra, c_extra,
    c_lho (offset written in the central entry), ext_attr, descriptor
    (bytes after the data), l_method."""
    out = bytearray()
    central = bytearray()
    for e in entries:
        raw = e.get('raw', b"")
        method = e.get('method', 8)
        data = e.get('data')
        if data is None:
            data = deflate(raw) if method == 8 else raw
        crc = e.get('crc', zlib.crc32(raw) & 0xFFFFFFFF)
        csize = e.get('csize', len(data))
        usize = e.get('usize', len(raw))
        flags = e.get('flags', 0)
        lho = len(out)
        c_extra = e.get('c_extra', b"")
        if e.get('central_only'):
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031e,
                                   20, flags, method, 0, 0x21, crc, csize,
                                   usize, len(e['name']), len(c_extra), 0, 0,
                                   0, 0o100644 << 16, e['c_lho'])
            central += e['name'] + c_extra
            continue
        l_name = e.get('l_name', e['name'])
        l_extra = e.get('l_extra', b"")
        out += struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, flags,
                           e.get('l_method', method), 0, 0x21,
                           e.get('l_crc', crc), e.get('l_csize', csize),
                           e.get('l_usize', usize), len(l_name), len(l_extra))
        out += l_name + l_extra + data + e.get('descriptor', b"")
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x031e, 20,
                               flags, method, 0, 0x21, e.get('c_crc', crc),
                               e.get('c_csize', csize), e.get('c_usize', usize),
                               len(e['name']), len(c_extra), 0, 0, 0,
                               e.get('ext_attr', 0o100644 << 16),
                               e.get('c_lho', lho))
        central += e['name'] + c_extra
    central += cd_extra
    cd_off = len(out) + cd_off_delta
    n = len(entries) if count is None else count
    out += central
    cd_size = len(central) if end_cd_size is None else end_cd_size
    if zip64_end:
        z64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0,
                           n, n, cd_size, cd_off)
        out += struct.pack("<IIQI", 0x07064b50, 0, z64, 1)
        out += struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xFFFF, 0xFFFF,
                           0xFFFFFFFF, 0xFFFFFFFF, len(comment))
    else:
        out += struct.pack("<IHHHHIIH", 0x06054b50, disk, disk, n & 0xFFFF,
                           n & 0xFFFF, cd_size, cd_off, len(comment))
    out += comment + after_end
    return bytes(out)

# }==================================================================

# {==================================================================
# The cases
# ===================================================================

A = np.arange(12, dtype='<i4').reshape(3, 4)
NPY_A = npy(A)


def npy_v1(text, data=b""):
    """A version 1.0 .npy with header dict 'text' padded as NumPy pads."""
    body = text.encode('latin1')
    pad = 64 - (10 + len(body) + 1) % 64
    hdr = body + b" " * (pad % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr + data


def member(name, arr=A, **kw):
    d = {'name': name, 'raw': npy(arr) if arr is not None else b""}
    d.update(kw)
    return d


def cases(big):
    C = []   # (file, expect, fields)

    def add(name, data, expect, **f):
        C.append((name, data, expect, f))

    ok = member(b"a.npy")
    # ---- B1 bombs
    # zbsm-like: many central entries sharing one local header and kernel
    kernel = npy(np.zeros(1 << 16, 'u1'))
    e0 = member(b"k0.npy", None, raw=kernel)
    bomb = [e0] + [dict(e0, name=b"k%d.npy" % i, central_only=True, c_lho=0)
                   for i in range(1, 50)]
    add("b1_zbsm.npz", build(bomb), "read", count=50, key="k7",
        msg="overlaps")
    # zblg-like: each entry's data covers every later local header
    ents = [member(b"z%d.npy" % i) for i in range(5)]
    raw = build(ents)
    big_csize = len(raw)
    ents2 = [dict(e, c_csize=big_csize // 2, l_csize=big_csize // 2)
             for e in ents]
    add("b1_zblg.npz", build(ents2), "read", count=5, key="z0",
        msg="overlaps")
    # quoted overlap (gh-109858): the first entry's data runs on over the
    # next local header (as stored blocks quoting it would)
    q1 = member(b"q1.npy")
    q2 = member(b"q2.npy")
    quoted = dict(q1, c_csize=len(deflate(npy(A))) + 40,
                  l_csize=len(deflate(npy(A))) + 40)
    add("b1_quoted.npz", build([quoted, q2]), "read", count=2, key="q1",
        msg="overlaps")
    # an honest 64 MiB of zeros: accepted (and bounded by --mem elsewhere)
    zeros = np.zeros(1 << 23, '<f8')
    add("b1_honest_zeros.npz", build([member(b"zeros.npy", zeros)]), "ok",
        key="zeros", shape=[1 << 23])
    # 1,000 tiny members each claiming 1 GiB: refused before inflating
    lies = [member(b"m%03d.npy" % i, None, raw=b"x" * 10,
                   usize=1 << 30) for i in range(1000)]
    add("b1_1000_liars.npz", build(lies), "read", count=1000, key="m500",
        msg="impossible for")
    add("b1_liar_info.npz", build(lies[:3]), "info", count=3,
        msg="impossible for")
    # ---- B2 size lies
    raw = npy(A)
    add("b2_usize_small.npz", build([member(b"a.npy", usize=len(raw) - 8)]),
        "read", count=1, key="a", msg="truncated")
    add("b2_usize_small_bytes.npz", build([member(b"a.bin", None,
        raw=b"0123456789" * 50, usize=100)]), "read", count=1, key="a.bin",
        msg="longer than its declared size")
    add("b2_usize_large.npz", build([member(b"t.txt", None,
        raw=b"0123456789" * 5, usize=60)]), "read", count=1, key="t.txt",
        msg="declared size is 60")
    add("b2_crc.npz", build([member(b"a.npy", crc=0x12345678)]), "read",
        count=1, key="a", msg="CRC mismatch")
    add("b2_crc_stored.npz", build([member(b"a.npy", method=0,
        crc=0x1234)]), "read", count=1, key="a", msg="CRC mismatch")
    d = deflate(raw)
    add("b2_csize_short.npz", build([member(b"a.npy", data=d[:-10])]),
        "read", count=1, key="a", msg="truncated")
    add("b2_local_ne_central.npz", build([member(b"a.npy", l_crc=7)]),
        "read", count=1, key="a", msg="disagrees with the central")
    desc = struct.pack("<IIII", 0x08074b50, zlib.crc32(raw), len(d), len(raw))
    add("b2_descriptor_ok.npz", build([member(b"a.npy", flags=8, l_crc=0,
        l_csize=0, l_usize=0, descriptor=desc)]), "ok", key="a",
        shape=[3, 4])
    add("b2_descriptor_bad.npz", build([member(b"a.npy", flags=8, l_crc=0,
        l_csize=0, l_usize=0, descriptor=desc[:4] + b"\0\0\0\0" +
        desc[8:])]), "read", count=1, key="a", msg="data descriptor")
    add("b2_zip64_extra_disagrees.npz", build([member(b"a.npy",
        l_extra=zip64_extra(len(raw) + 1, len(d)))]), "read", count=1,
        key="a", msg="zip64 extra field disagrees")
    add("b2_count_high.npz", build([ok], count=2), "open",
        msg="entries")
    add("b2_count_low.npz", build([ok, member(b"b.npy")], count=1), "open",
        msg="central directory holds more")
    # ---- B3 names: keys only, never paths (nothing is extracted)
    for tag, nm in (("dotdot", b"../x.npy"), ("abs", b"/abs.npy"),
                    ("backslash", b"a\\..\\b.npy"), ("drive", b"C:x.npy"),
                    ("short", b"a"), ("nosuffix", b"data.bin")):
        key = nm[:-4].decode() if nm.endswith(b".npy") else nm.decode()
        add("b3_%s.npz" % tag, build([member(nm)]), "ok", key=key,
            shape=[3, 4])
    add("b3_nul.npz", build([member(b"a\0b.npy")]), "open", msg="NUL")
    add("b3_long_name.npz", build([member(b"n" * 65531 + b".npy")]), "ok",
        key="n" * 65531, shape=[3, 4])
    add("b3_duplicates.npz", build([ok, member(b"a.npy")]), "open",
        msg="duplicate member name 'a.npy'")
    add("b3_bad_utf8.npz", build([member(b"\xff\xfe.npy", flags=0x800)]),
        "open", msg="not valid UTF-8")
    add("b3_cp437.npz", build([member(b"caf\x82.npy")]), "ok",
        key=b"caf\x82".decode('cp437'), shape=[3, 4])
    add("b3_directory.npz", build([member(b"dir/", None, method=0)]), "ok",
        key="dir/", bytes="")
    add("b3_symlink.npz", build([member(b"link", None, raw=b"/etc/passwd",
        method=0, ext_attr=0o120777 << 16)]), "ok", key="link",
        bytes="/etc/passwd")
    # ---- B4 structure
    good = build([ok, member(b"b.npy", method=0)])
    add("b4_no_end.npz", good[:-22], "open", msg="no end of central")
    add("b4_truncated_half.npz", good[:len(good) // 2], "open",
        msg="no end of central")
    add("b4_empty_file.npz", b"", "open", msg="empty")
    add("b4_short_zip.npz", b"PK\x05\x06" + b"\0" * 10, "open",
        msg="too short")
    add("b4_max_comment.npz", build([ok], comment=b"c" * 65535), "ok",
        key="a", shape=[3, 4])
    fake = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 9, 9, 999, 999, 3)
    add("b4_fake_end_in_comment.npz", build([ok], comment=b"xx" + fake +
        b"yyyy"), "ok", key="a", shape=[3, 4])
    add("b4_two_ends.npz", good + good[-22:], "open",
        msg="does not end where the end record starts")
    z64 = build([ok], zip64_end=True)
    add("b4_zip64_end_ok.npz", z64, "ok", key="a", shape=[3, 4])
    bad = bytearray(z64)
    loc = bad.rindex(struct.pack("<I", 0x07064b50))
    bad[loc + 8:loc + 16] = struct.pack("<Q", 1 << 40)
    add("b4_zip64_locator_bad.npz", bytes(bad), "open", msg="bad zip64")
    add("b4_zero_entries.npz", build([]), "ok", count=0)
    many = [member(b"e%05d" % i, None, raw=b"", method=0)
            for i in range(65536)]
    add("b4_65536_entries.npz", build(many, zip64_end=True), "ok",
        count=65536, key="e65535", bytes="")
    add("b4_encrypted.npz", build([member(b"a.npy", flags=1)]), "read",
        count=1, key="a", msg="encrypted")
    for m, label in ((12, "bzip2"), (14, "lzma"), (93, "zstd")):
        add("b4_method_%s.npz" % label, build([member(b"a.npy", method=m,
            data=b"garbage")]), "read", count=1, key="a",
            msg="method %d (%s)" % (m, label))
    add("b4_stored_ok.npz", good, "ok", key="b", shape=[3, 4])
    badnpy = npy_v1("{'descr': '<f8', 'fortran_order': False, "
                    "'shape': (-1,), }")
    add("b4_npy_negative_shape.npz", build([member(b"a.npy", None,
        raw=badnpy)]), "read", count=1, key="a", msg="member 'a.npy': shape")
    add("b4_npy_bad_version.npz", build([member(b"a.npy", None,
        raw=b"\x93NUMPY\x09\x00" + NPY_A[8:])]), "read", count=1, key="a",
        msg="unsupported format version")
    add("b4_npy_object.npz", build([member(b"a.npy", None,
        raw=npy_v1("{'descr': '|O', 'fortran_order': False, "
                   "'shape': (2,), }", b"\0" * 16))]), "read", count=1,
        key="a", msg="member 'a.npy':")
    add("b4_npy_trailing.npz", build([member(b"a.npy", None,
        raw=NPY_A + b"!")]), "read", count=1, key="a",
        msg="1 bytes after the array data")
    add("b4_npy_big_header.npz", build([member(b"a.npy", None,
        raw=b"\x93NUMPY\x02\x00" + struct.pack("<I", 20000) +
        b" " * 20000)]), "read", count=1, key="a",
        msg="exceeds max_header_size")
    add("b4_npy_huge_shape.npz", build([member(b"a.npy", None,
        raw=npy(np.zeros(0, '<f8')).replace(b"(0,)", b"(9,)"))]),
        "read", count=1, key="a", msg="truncated")
    # more structural lies
    second = good.index(b"PK\x03\x04", 4)
    add("b4_bad_local_sig.npz", good[:second] + b"XX" + good[second + 2:],
        "read", count=2, key="b", msg="bad local header signature")
    add("b4_local_name_differs.npz", build([member(b"a.npy",
        l_name=b"b.npy")]), "read", count=1, key="a",
        msg="name differs")
    bad = bytearray(good)
    cd = bad.index(struct.pack("<I", 0x02014b50))
    bad[cd] = ord('Q')
    add("b4_bad_central_sig.npz", bytes(bad), "open",
        msg="bad central directory entry signature")
    add("b4_cd_offset_past_end.npz", build([ok], cd_off_delta=1000), "open",
        msg="does not end where")
    add("b4_multidisk.npz", build([ok], disk=1), "open", msg="multi-disk")
    add("b4_zip64_missing.npz", build([member(b"a.npy",
        c_usize=0xFFFFFFFF)]), "open", msg="no zip64 extra field")
    add("b4_garbage_deflate.npz", build([member(b"a.npy",
        data=b"\xff" * 40)]), "read", count=1, key="a",
        msg="member 'a.npy'")
    add("b4_trailing_in_stream.npz", build([member(b"a.npy",
        data=deflate(raw) + b"junk")]), "read", count=1, key="a",
        msg="after the end of the DEFLATE stream")
    add("b4_lho_past_cd.npz", build([member(b"a.npy", c_lho=5000)]), "open",
        msg="past the end")
    add("b4_extra_malformed.npz", build([member(b"a.npy",
        c_extra=b"\x01\x00\xff\x00")]), "open", msg="malformed extra")
    if big:
        mill = build([member(b"%07d" % i, None, raw=b"", method=0)
                      for i in range(1000000)], zip64_end=True)
        add("big_1m_entries.npz", mill, "ok", count=1000000, key="0999999",
            bytes="")
    return C

# }==================================================================


def lua_str(b):
    if isinstance(b, str):
        b = b.encode("utf-8")
    out = ['"']
    for c in b:
        ch = chr(c)
        if ch in '"\\':
            out.append('\\' + ch)
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append('\\%03d' % c)
    out.append('"')
    return "".join(out)


def lua_val(v):
    if isinstance(v, (str, bytes)):
        return lua_str(v)
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "{" + ", ".join(lua_val(x) for x in v) + "}"
    raise TypeError(v)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    out = sys.argv[1]
    big = "--big" in sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    lines = ["-- generated by tests/adv/npz/gen.py", "return {"]
    cs = cases(big)
    for name, data, expect, f in cs:
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(data)
        fields = ["file = %s" % lua_str(name), "expect = %s" % lua_str(expect)]
        for k in sorted(f):
            fields.append("%s = %s" % (k, lua_val(f[k])))
        lines.append("{" + ", ".join(fields) + "},")
    lines.append("}")
    with open(os.path.join(out, "cases.lua"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("%d hostile archives" % len(cs))


if __name__ == "__main__":
    main()
