#!/usr/bin/python3
"""npz_gen.py -- the NumPy side of tests/interop/npz_interop.sh.

    npz_gen.py gen DIR     writes the source arrays (DIR/src/<name>.npy, the
                           foundation matrix of tests/interop/npy_gen.py)
                           and archives NumPy builds from them (DIR/np/),
                           plus DIR/cases.lua: for each archive, its
                           members in NumPy's NpzFile.files order and the
                           source each must equal (or the raw bytes).
    npz_gen.py check DIR   checks the archives npz_check.lua wrote into
                           DIR/lua/ as listed in DIR/lua_cases.txt: zipfile's
                           CRC test, NpzFile.files order, and every member
                           equal to its source (dtype, shape, bytes).

Run with /usr/bin/python3 (NumPy 1.24). NumPy is the reference: what an
archive must hold always comes from NumPy here, never from npio.
"""
import io
import os
import sys
import warnings
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import npy_gen  # noqa: E402  (the foundation matrix)

warnings.simplefilter("ignore")

lua_str = npy_gen.lua_str


def sources():
    """(name, array): the foundation matrix, NumPy's A9 arrays, extras."""
    out = list(npy_gen.matrix_cases())
    out += list(npy_gen.a9_basic_arrays())
    # a9_recsub (a subarray of subarrays) is left to the .npy suite: the
    # members here must be arrays npio's np.load reads as .npy files
    out += [c for c in npy_gen.a9_record_arrays() if c[0] != 'a9_recsub']
    out.append(("views_base", np.arange(48, dtype='<i8').reshape(6, 8)))
    return out


class NoSeek(io.RawIOBase):
    """A write-only stream that cannot seek: zipfile writes data
    descriptors (general purpose bit 3) to it."""

    def __init__(self, f):
        self.f = f

    def writable(self):
        return True

    def seekable(self):
        return False

    def write(self, b):
        return self.f.write(b)

    def tell(self):
        raise io.UnsupportedOperation("tell")


def gen(out):
    src = os.path.join(out, 'src')
    npd = os.path.join(out, 'np')
    os.makedirs(src, exist_ok=True)
    os.makedirs(npd, exist_ok=True)
    os.makedirs(os.path.join(out, 'lua'), exist_ok=True)
    arrays = {}
    order = []
    for name, arr in sources():
        np.save(os.path.join(src, name + '.npy'), arr)
        arrays[name] = arr
        order.append(name)
    matrix = [n for n in order if not n.startswith(('a9_', 'views_'))]
    a9 = [n for n in order if n.startswith('a9_')]
    cases = []   # (archive, [(key, source name or b'bytes')], stored?)

    def savez(fname, keys, compress, **extra):
        d = {k: arrays[k] for k in keys}
        d.update(extra)
        (np.savez_compressed if compress else np.savez)(
            os.path.join(npd, fname), **d)
        # NumPy's own listing is the expected order
        with np.load(os.path.join(npd, fname)) as z:
            files = list(z.files)
        members = [(k, k if k in arrays else None) for k in files]
        cases.append((fname, members, not compress))

    savez('matrix.npz', matrix, False)
    savez('matrix_c.npz', matrix, True)
    savez('a9.npz', a9, False)
    savez('a9_c.npz', a9, True)
    # positional arrays: arr_0, arr_1, ... after the keywords, in NumPy
    p = [arrays[n] for n in matrix[:3]]
    for compress, fname in ((False, 'positional.npz'),
                            (True, 'positional_c.npz')):
        (np.savez_compressed if compress else np.savez)(
            os.path.join(npd, fname), *p, named=arrays[matrix[5]])
        cases.append((fname, [('named', matrix[5]), ('arr_0', matrix[0]),
                              ('arr_1', matrix[1]), ('arr_2', matrix[2])],
                      not compress))
    # empty archives (numpy gh-9989)
    np.savez(os.path.join(npd, 'empty.npz'))
    cases.append(('empty.npz', [], True))
    np.savez_compressed(os.path.join(npd, 'empty_c.npz'))
    cases.append(('empty_c.npz', [], False))
    # 1000 members
    many = {'m%04d' % i: np.arange(i % 7 + 1, dtype='<i4') + i
            for i in range(1000)}
    np.savez_compressed(os.path.join(npd, 'many_c.npz'), **many)
    for k, v in many.items():
        np.save(os.path.join(src, k + '.npy'), v)
    cases.append(('many_c.npz', [(k, k) for k in many], False))
    # written to a stream that cannot seek: data descriptors
    with open(os.path.join(npd, 'descriptor.npz'), 'wb') as f:
        np.savez_compressed(NoSeek(f), **{k: arrays[k] for k in matrix[:20]})
    with np.load(os.path.join(npd, 'descriptor.npz')) as z:
        cases.append(('descriptor.npz', [(k, k) for k in z.files], False))
    # odd members: a text file, a ".npy" that is not one, directories in
    # names, non-ASCII names, and a member without ".npy"
    with zipfile.ZipFile(os.path.join(npd, 'mixed.npz'), 'w',
                         zipfile.ZIP_DEFLATED) as zf:
        zf.writestr('notes.txt', b'hello from zipfile\n')
        zf.writestr('fake.npy', b'not an array')
        buf = io.BytesIO()
        np.save(buf, arrays[matrix[4]])
        zf.writestr('sub/dir/x.npy', buf.getvalue())
        zf.writestr('d\u00e9j\u00e0 vu.npy', buf.getvalue(),
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr('noext', buf.getvalue())
    cases.append(('mixed.npz', [('notes.txt', b'hello from zipfile\n'),
                                ('fake', b'not an array'),
                                ('sub/dir/x', matrix[4]),
                                ('d\u00e9j\u00e0 vu', matrix[4]),
                                ('noext', matrix[4])], False))
    lines = ["-- generated by tests/interop/npz_gen.py with NumPy %s"
             % np.__version__, "return {"]
    for fname, members, stored in cases:
        ms = []
        for key, srcname in members:
            if isinstance(srcname, bytes):
                ms.append("{key = %s, bytes = %s}" % (lua_str(key),
                                                      lua_str(srcname)))
            else:
                ms.append("{key = %s, src = %s}" % (lua_str(key),
                                                    lua_str(srcname)))
        lines.append("{file = %s, stored = %s, members = {%s}}," % (
            lua_str(fname), 'true' if stored else 'false', ", ".join(ms)))
    lines.append("}")
    with open(os.path.join(out, 'cases.lua'), 'w') as f:
        f.write("\n".join(lines) + "\n")


# Views that npz_check.lua takes of views_base, built here independently.
def view_of(base, name):
    return {'view_T': base.T,
            'view_rows': base[0:6:2, :],
            'view_cols': base[:, 1:7:3],
            'view_rev': base[::-1, ::-1]}[name]


def canon(a):
    """The C-order bytes of a's fields, without padding: NumPy leaves the
    padding of structured arrays it reads from zip members uninitialised
    (it assigns field by field), so padding bytes are not data."""
    if a.dtype.names is None:
        return a.tobytes(order='C')
    return b"".join(canon(np.ascontiguousarray(a[n])) for n in a.dtype.names)


def same(a, b):
    return (a.dtype == b.dtype and a.dtype.str == b.dtype.str and
            a.shape == b.shape and canon(a) == canon(b))


def check(out):
    passed = failed = 0

    def fail(msg):
        nonlocal failed
        failed += 1
        print("FAIL", msg)

    archives = {}
    with open(os.path.join(out, 'lua_cases.txt'), encoding='utf-8') as f:
        for line in f:
            fname, key, src = line.rstrip('\n').split('\t')
            archives.setdefault(fname, [])
            if key:
                archives[fname].append((key, src))
    for fname, members in archives.items():
        path = os.path.join(out, 'lua', fname)
        try:
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
            if bad is not None:
                fail("%s: zipfile CRC test fails on %s" % (fname, bad))
                continue
            with np.load(path) as z:
                files = list(z.files)
                want = [k for k, _ in members]
                if files != want:
                    fail("%s: files %r, expected %r" % (fname, files[:8],
                                                        want[:8]))
                    continue
                passed += 1
                for key, src in members:
                    got = z[key]
                    if src.startswith('view_'):
                        exp = view_of(np.load(os.path.join(
                            out, 'src', 'views_base.npy')), src)
                    else:
                        exp = np.load(os.path.join(out, 'src', src + '.npy'))
                    if same(got, exp):
                        passed += 1
                    else:
                        fail("%s: member %s differs from %s (%s %s vs %s %s)"
                             % (fname, key, src, got.dtype, got.shape,
                                exp.dtype, exp.shape))
        except Exception as ex:  # a crash of NumPy's reader is a failure
            fail("%s: %s: %s" % (fname, type(ex).__name__, ex))
    print("%d passed, %d failed" % (passed, failed))
    return failed == 0


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ('gen', 'check'):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == 'gen':
        gen(sys.argv[2])
    else:
        sys.exit(0 if check(sys.argv[2]) else 1)


if __name__ == '__main__':
    main()
