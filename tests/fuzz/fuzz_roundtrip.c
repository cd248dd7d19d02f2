/*
** fuzz_roundtrip.c -- random dtype / shape / order / view -> save -> load
** -> equal. The input bytes choose (in order):
**   [0] dtype (simple types in both byte orders, S/U/V, M8/m8, structs)
**   [1] flags: bit0 Fortran, bit1 reversed axis 0, bit2 every other row,
**       bit3 also through a path (atomic), bit4 path non-atomic
**   [2] ndim (0..4)   [3..6] dimensions (0..5)
**   rest: element bytes, repeated to fill the array
** The saved header must say fortran_order exactly when the array is
** Fortran- but not C-contiguous; the loaded array must have the same
** dtype, shape and elements (compared in C order).
*/
#include <unistd.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const simple[] = {
  "|b1", "|i1", "|u1", "<i2", ">i2", "<u2", ">u2", "<i4", ">i4", "<u4",
  ">u4", "<i8", ">i8", "<u8", ">u8", "<f2", ">f2", "<f4", ">f4", "<f8",
  ">f8", "<c8", ">c8", "<c16", ">c16", "|S1", "|S7", "<U1", ">U3", "|V5",
  "<M8[ns]", ">M8[s]", "<m8[us]", ">m8[D]",
};
#define NSIMPLE ((int)(sizeof simple / sizeof simple[0]))

static const char *const structs[] = {
  "[('x', '<f8'), ('n', '<i4'), ('v', '<f4', (3,))]",
  "[('a', '|i1'), ('', '|V3'), ('b', '<i4'), ('c', '|i1'), ('', '|V7'), ('d', '<f8')]",
  "[(('Alpha title', 'a'), '<i4'), ('b', '>f8')]",
  "[('a', '<i2'), ('inner', [('p', '>f4'), ('q', '|S3'), ('r', '<u2', (2,))]), ('flag', '|b1')]",
  "[('\\u00e9t\\u00e9', '<i4'), ('\\u65e5', '>u2', (2, 2))]",
  "[('c', '<f8', (2, 5))]",
};
#define NSTRUCTS ((int)(sizeof structs / sizeof structs[0]))

static char tmpdir[64];

/* Removes the scratch folder when the fuzzer exits. */
static void rm_tmpdir(void) {
  if (tmpdir[0]) rmdir(tmpdir);
}

static npio_dtype *pick_dtype(int k, npio_err *e) {
  k %= NSIMPLE + NSTRUCTS;
  if (k < NSIMPLE) return npio_dtype_parse(simple[k], e);
  k -= NSIMPLE;
  return npio_dtype_from_descr(structs[k], strlen(structs[k]), e);
}

static void check_same(const npio_array *a, const npio_array *b,
                       const char *how) {
  uint64_t ha, hb;
  int64_t na, nb;
  if (!npio_dtype_equal(a->dtype, b->dtype)) fuzz_fail("%s: dtype changed", how);
  if (a->ndim != b->ndim ||
      memcmp(a->shape, b->shape, sizeof(int64_t) * (size_t)a->ndim) != 0)
    fuzz_fail("%s: shape changed", how);
  if (fuzz_hash(a, &ha, &na) != NPIO_OK || fuzz_hash(b, &hb, &nb) != NPIO_OK)
    fuzz_fail("%s: cannot walk", how);
  if (na != nb || ha != hb) fuzz_fail("%s: elements changed", how);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npio_err e;
  npio_dtype *d;
  npio_array a, v, b;
  int64_t shape[4], nbytes, i;
  int ndim, k, flags;
  char *p;
  if (size < 7) return 0;
  d = pick_dtype(data[0], &e);
  if (d == NULL) fuzz_fail("cannot build dtype %d: %s", data[0], e.msg);
  flags = data[1];
  ndim = data[2] % 5;
  for (k = 0; k < ndim; k++) shape[k] = data[3 + k] % 6;
  if (npio_array_init(&a, d, ndim, shape, flags & 1, 1, NULL, &e) != NPIO_OK)
    fuzz_fail("npio_array_init: %s", e.msg);
  npio_dtype_unref(d);
  nbytes = npio_array_nbytes(&a);
  p = npio_array_data(&a, &e);
  if (size > 7 && p)
    for (i = 0; i < nbytes; i++) p[i] = (char)data[7 + (size_t)i % (size - 7)];

  /* a view: reversed and/or strided along axis 0 */
  npio_array_view(&v, &a);
  if (ndim > 0 && v.shape[0] > 0) {
    if (flags & 2) {
      v.offset += (v.shape[0] - 1) * v.strides[0];
      v.strides[0] = -v.strides[0];
    }
    if (flags & 4) {
      v.shape[0] = (v.shape[0] + 1) / 2;
      v.strides[0] *= 2;
    }
  }

  {
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    fuzz_src src;
    npio_reader r;
    npio_npy_header h;
    int want_f;
    if (f == NULL) goto done;
    if (npio_npy_save_file(f, &v, &e) != NPIO_OK)
      fuzz_fail("npio_npy_save_file: %s", e.msg);
    fclose(f);
    memset(&h, 0, sizeof h);
    if (npio_npy_header_from_bytes(buf, blen, (int64_t)1 << 40, &h, &e) != NPIO_OK)
      fuzz_fail("cannot read the header npio wrote: %s", e.msg);
    want_f = !npio_array_is_c_contiguous(&v) && npio_array_is_f_contiguous(&v);
    if (h.fortran_order != want_f)
      fuzz_fail("fortran_order %d, array C-contiguous %d F-contiguous %d",
                h.fortran_order, npio_array_is_c_contiguous(&v),
                npio_array_is_f_contiguous(&v));
    if (h.header_len % 64 != 0) fuzz_fail("data not 64-aligned");
    if ((int64_t)blen != h.header_len + h.data_len)
      fuzz_fail("file is %zu bytes, header says %lld + %lld", blen,
                (long long)h.header_len, (long long)h.data_len);
    npio_npy_header_free(&h);
    memset(&src, 0, sizeof src);
    src.p = (const uint8_t *)buf;
    src.n = blen;
    src.chunk = flags >> 5;
    r.read = fuzz_read;
    r.ud = &src;
    if (npio_npy_load(&r, NULL, &b, &e) != NPIO_OK)
      fuzz_fail("cannot load what npio saved: %s", e.msg);
    check_same(&v, &b, "memory");
    npio_array_release(&b);
    free(buf);
  }

  if (flags & (8 | 16)) {
    char path[128];
    npio_save_opts so = {!(flags & 16), 0, 0};
    if (tmpdir[0] == '\0') {
      strcpy(tmpdir, "/tmp/npio-fuzz-XXXXXX");
      if (mkdtemp(tmpdir) == NULL) { tmpdir[0] = '\0'; goto done; }
      atexit(rm_tmpdir);
    }
    snprintf(path, sizeof path, "%s/x.npy", tmpdir);
    if (npio_npy_save_path(path, &v, &so, &e) != NPIO_OK)
      fuzz_fail("npio_npy_save_path: %s", e.msg);
    if (npio_npy_load_path(path, NULL, &b, &e) != NPIO_OK)
      fuzz_fail("npio_npy_load_path: %s", e.msg);
    check_same(&v, &b, "path");
    npio_array_release(&b);
    unlink(path);
  }
done:
  npio_array_release(&v);
  npio_array_release(&a);
  return 0;
}
