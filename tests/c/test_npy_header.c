/*
** test_npy_header.c -- unit tests of the .npy header code and of dtype
** parsing/printing (runtime/src/npy.c, dtype.c).
**
** Every expected header, descr and str() below was produced once by
** NumPy 1.24.2 (numpy.lib.format._write_array_header, which np.save uses,
** dtype_to_descr and str(dtype)) and pasted here; none comes from npio.
** The script that printed them:
**
**   d = {'descr': format.dtype_to_descr(dt), 'fortran_order': F,
**        'shape': shape}
**   b = io.BytesIO(); format._write_array_header(b, d, None)
**   print(b.getvalue())          # == np.save's header for such an array
**   print(repr(format.dtype_to_descr(dt)), str(dt))
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npio.h"
#include "testlib.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* {======================================================
** npio_npy_header_bytes against NumPy's headers
** ======================================================= */

typedef struct hcase {
  const char *descr;         /* the header's descr value (Python text) */
  int ndim;
  int64_t shape[NPIO_MAXDIMS];
  int fortran;
  const char *header;        /* NumPy's bytes: magic .. '\n' */
} hcase;

/* NUL-free except where a length field holds one: compare by length. */
static const hcase hcases[] = {
  {"'<f8'", 2, {3, 4}, 0,
   "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }                                                          \x0a"},
  {"'<f8'", 2, {4, 5}, 1,
   "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': True, 'shape': (4, 5), }                                                           \x0a"},
  {"'>i2'", 1, {5}, 0,
   "\x93NUMPY\x01\x00v\x00{'descr': '>i2', 'fortran_order': False, 'shape': (5,), }                                                            \x0a"},
  {"'|b1'", 0, {0}, 0,
   "\x93NUMPY\x01\x00v\x00{'descr': '|b1', 'fortran_order': False, 'shape': (), }                                                              \x0a"},
  {"'|S10'", 2, {0, 3}, 0,
   "\x93NUMPY\x01\x00v\x00{'descr': '|S10', 'fortran_order': False, 'shape': (0, 3), }                                                         \x0a"},
  {"'<U8'", 1, {2}, 0,
   "\x93NUMPY\x01\x00v\x00{'descr': '<U8', 'fortran_order': False, 'shape': (2,), }                                                            \x0a"},
  {"[('x', '<f8'), ('n', '<i4'), ('v', '<f4', (3,))]", 1, {2}, 0,
   "\x93NUMPY\x01\x00\xb6\x00{'descr': [('x', '<f8'), ('n', '<i4'), ('v', '<f4', (3,))], 'fortran_order': False, 'shape': (2,), }                                                                                 \x0a"},
  {"[('a', '<i2'), ('inner', [('p', '>f4'), ('q', '|S3'), ('r', '<u2', (2,))]), ('flag', '|b1')]", 1, {2}, 0,
   "\x93NUMPY\x01\x00\xb6\x00{'descr': [('a', '<i2'), ('inner', [('p', '>f4'), ('q', '|S3'), ('r', '<u2', (2,))]), ('flag', '|b1')], 'fortran_order': False, 'shape': (2,), }                                     \x0a"},
  {"[('a', '|i1'), ('', '|V3'), ('b', '<i4'), ('c', '|i1'), ('', '|V7'), ('d', '<f8')]", 1, {3}, 0,
   "\x93NUMPY\x01\x00\xb6\x00{'descr': [('a', '|i1'), ('', '|V3'), ('b', '<i4'), ('c', '|i1'), ('', '|V7'), ('d', '<f8')], 'fortran_order': False, 'shape': (3,), }                                               \x0a"},
  {"[(('Alpha title', 'a'), '<i4'), ('b', '<f8')]", 1, {2}, 0,
   "\x93NUMPY\x01\x00\xb6\x00{'descr': [(('Alpha title', 'a'), '<i4'), ('b', '<f8')], 'fortran_order': False, 'shape': (2,), }                                                                                    \x0a"},
  {"'<M8[ns]'", 1, {3}, 0,
   "\x93NUMPY\x01\x00v\x00{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (3,), }                                                        \x0a"},
  {"'>c16'", 3, {2, 3, 4}, 1,
   "\x93NUMPY\x01\x00v\x00{'descr': '>c16', 'fortran_order': True, 'shape': (2, 3, 4), }                                                       \x0a"},
  {"[('\xe6\x97\xa5\xe6\x9c\xac', '<i4')]", 1, {2}, 0,
   "\x93NUMPY\x03\x00t\x00\x00\x00{'descr': [('\xe6\x97\xa5\xe6\x9c\xac', '<i4')], 'fortran_order': False, 'shape': (2,), }                                            \x0a"},
  {"'<f8'", 32, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 0,
   "\x93NUMPY\x01\x00\xb6\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1), }                                \x0a"},
  {"'|V8'", 1, {7}, 0,
   "\x93NUMPY\x01\x00v\x00{'descr': '|V8', 'fortran_order': False, 'shape': (7,), }                                                            \x0a"},
  {"'>m8[us]'", 1, {1}, 0,
   "\x93NUMPY\x01\x00v\x00{'descr': '>m8[us]', 'fortran_order': False, 'shape': (1,), }                                                        \x0a"},
  {"'<f8'", 1, {12345678901LL}, 0,
   "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (12345678901,), }                                                  \x0a"},
  {"'<f8'", 2, {3, 12345678901LL}, 1,
   "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': True, 'shape': (3, 12345678901), }                                                 \x0a"},
  {"'<f8'", 2, {12345678901LL, 3}, 1,
   "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': True, 'shape': (12345678901, 3), }                                                 \x0a"},
};

/* Length of a NumPy header literal: it ends at the first '\n'. */
static size_t hlen(const char *h) {
  size_t n = 0;
  while (h[n] != '\n') n++;
  return n + 1;
}

/* FNV-1a, to compare a header too long to paste. */
static uint64_t fnv1a(const char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL;
  size_t i;
  for (i = 0; i < n; i++) { h ^= (unsigned char)p[i]; h *= 0x100000001b3ULL; }
  return h;
}

static void show_diff(const char *what, const char *got, int64_t glen,
                      const char *want, size_t wlen) {
  size_t i = 0;
  while (i < (size_t)glen && i < wlen && got[i] == want[i]) i++;
  fprintf(stderr, "  %s: first difference at byte %zu (npio %lld bytes, "
          "NumPy %zu)\n  npio : %.*s\n  NumPy: %.*s\n", what, i,
          (long long)glen, wlen, glen > 0 ? (int)glen : 0, got, (int)wlen,
          want);
}

static void test_header_bytes(void) {
  static char out[NPIO_NPY_HEADER_CAP];
  int i;
  for (i = 0; i < NELEM(hcases); i++) {
    const hcase *c = &hcases[i];
    npio_err e = {0};
    npio_dtype *d = npio_dtype_from_descr(c->descr, strlen(c->descr), &e);
    int64_t n;
    size_t want = hlen(c->header);
    CHECK(d != NULL);
    if (d == NULL) {
      fprintf(stderr, "  from_descr(%s): %s\n", c->descr, e.msg);
      continue;
    }
    n = npio_npy_header_bytes(d, c->ndim, c->shape, c->fortran, out,
                              sizeof out, &e);
    CHECK(n == (int64_t)want && memcmp(out, c->header, want) == 0);
    if (!(n == (int64_t)want && memcmp(out, c->header, want) == 0))
      show_diff(c->descr, out, n, c->header, want);
    CHECK_EQ_INT(n % 64, 0);
    npio_dtype_unref(d);
  }
}

/*
** A header past 65535 bytes: NumPy switches to version 2.0 (4-byte
** length). 5000 int32 fields f0..f4999, shape (7,): NumPy writes 89024
** bytes whose FNV-1a hash is below.
*/
static void test_header_v2(void) {
  static char out[1 << 18];   /* NumPy's header here exceeds 65600 bytes */
  static char text[200000];
  size_t pos = 0;
  int i;
  npio_err e = {0};
  npio_dtype *d;
  int64_t shape[1] = {7}, n;
  pos += (size_t)snprintf(text + pos, sizeof text - pos, "[");
  for (i = 0; i < 5000; i++)
    pos += (size_t)snprintf(text + pos, sizeof text - pos, "%s('f%d', '<i4')",
                            i ? ", " : "", i);
  pos += (size_t)snprintf(text + pos, sizeof text - pos, "]");
  d = npio_dtype_from_descr(text, pos, &e);
  CHECK(d != NULL);
  if (d == NULL) return;
  CHECK_EQ_INT(d->itemsize, 20000);
  n = npio_npy_header_bytes(d, 1, shape, 0, out, sizeof out, &e);
  CHECK_EQ_INT(n, 89024);
  if (n != 89024) fprintf(stderr, "  5000-field header: %s\n", e.msg);
  if (n == 89024) {
    CHECK(memcmp(out, "\x93NUMPY\x02\x00\xb4\x5b\x01\x00", 12) == 0);
    CHECK(fnv1a(out, (size_t)n) == 0x9562ea9ccb616f7fULL);
  }
  /* too small an output buffer is an error, not an overflow */
  n = npio_npy_header_bytes(d, 1, shape, 0, out, 1000, &e);
  CHECK(n == -1 || n <= 1000);
  npio_dtype_unref(d);
}

/* }====================================================== */

/* {======================================================
** dtypes: parse, descr, str
** ======================================================= */

typedef struct dcase {
  const char *in;            /* npio_dtype_parse input, or NULL */
  const char *descr;         /* repr(format.dtype_to_descr(dt)) */
  const char *str;           /* str(dt) */
} dcase;

static const dcase dcases[] = {
  {"float64", "'<f8'", "float64"},
  {"f8", "'<f8'", "float64"},
  {"<f8", "'<f8'", "float64"},
  {">i4", "'>i4'", ">i4"},
  {"uint8", "'|u1'", "uint8"},
  {"bool", "'|b1'", "bool"},
  {"complex128", "'<c16'", "complex128"},
  {"S10", "'|S10'", "|S10"},
  {"U8", "'<U8'", "<U8"},
  {"M8[s]", "'<M8[s]'", "datetime64[s]"},
  {"datetime64[ns]", "'<M8[ns]'", "datetime64[ns]"},
  {"V16", "'|V16'", "|V16"},
  {"int", "'<i8'", "int64"},
  {"float", "'<f8'", "float64"},
  {"m8[us]", "'<m8[us]'", "timedelta64[us]"},
  {"<f2", "'<f2'", "float16"},
  {">f2", "'>f2'", ">f2"},
  {"i1", "'|i1'", "int8"},
  {"u1", "'|u1'", "uint8"},
  {">u8", "'>u8'", ">u8"},
  {"<c8", "'<c8'", "complex64"},
  {">U8", "'>U8'", ">U8"},
  {">M8[s]", "'>M8[s]'", ">M8[s]"},
  {"|S1", "'|S1'", "|S1"},
  {"<U1", "'<U1'", "<U1"},
  {"b1", "'|b1'", "bool"},
  {"?", "'|b1'", "bool"},
  {"int16", "'<i2'", "int16"},
  {"uint32", "'<u4'", "uint32"},
  {"float32", "'<f4'", "float32"},
  {"complex64", "'<c8'", "complex64"},
  {">c16", "'>c16'", ">c16"},
  {"timedelta64[s]", "'<m8[s]'", "timedelta64[s]"},
  {NULL, "[('x', '<f8'), ('n', '<i4'), ('v', '<f4', (3,))]", "[('x', '<f8'), ('n', '<i4'), ('v', '<f4', (3,))]"},
  {NULL, "[('a', '<i2'), ('inner', [('p', '>f4'), ('q', '|S3'), ('r', '<u2', (2,))]), ('flag', '|b1')]", "[('a', '<i2'), ('inner', [('p', '>f4'), ('q', 'S3'), ('r', '<u2', (2,))]), ('flag', '?')]"},
  {NULL, "[('a', '|i1'), ('', '|V3'), ('b', '<i4'), ('c', '|i1'), ('', '|V7'), ('d', '<f8')]", "{'names': ['a', 'b', 'c', 'd'], 'formats': ['i1', '<i4', 'i1', '<f8'], 'offsets': [0, 4, 8, 16], 'itemsize': 24}"},
  {NULL, "[(('Alpha title', 'a'), '<i4'), ('b', '<f8')]", "[(('Alpha title', 'a'), '<i4'), ('b', '<f8')]"},
};

static void test_dtypes(void) {
  char buf[4096];
  int i;
  for (i = 0; i < NELEM(dcases); i++) {
    const dcase *c = &dcases[i];
    npio_err e = {0};
    npio_dtype *d, *d2, *d3;
    if (c->in) {
      d = npio_dtype_parse(c->in, &e);
      CHECK(d != NULL);
      if (!d) { fprintf(stderr, "  parse(%s): %s\n", c->in, e.msg); continue; }
    } else {
      d = npio_dtype_from_descr(c->descr, strlen(c->descr), &e);
      CHECK(d != NULL);
      if (!d) { fprintf(stderr, "  from_descr(%s): %s\n", c->descr, e.msg); continue; }
    }
    CHECK(npio_dtype_descr(d, buf, sizeof buf) == (int64_t)strlen(c->descr));
    CHECK_STR(buf, c->descr);
    CHECK(npio_dtype_str(d, buf, sizeof buf) == (int64_t)strlen(c->str));
    CHECK_STR(buf, c->str);
    /* round trips: descr -> dtype and str -> dtype give the same type */
    d2 = npio_dtype_from_descr(c->descr, strlen(c->descr), &e);
    CHECK(d2 != NULL && npio_dtype_equal(d, d2));
    if (c->in) {
      d3 = npio_dtype_parse(c->str, &e);
      CHECK(d3 != NULL && npio_dtype_equal(d, d3));
      if (!d3) fprintf(stderr, "  parse(str %s): %s\n", c->str, e.msg);
      npio_dtype_unref(d3);
    }
    /* a too-small buffer gives -1 */
    CHECK_EQ_INT(npio_dtype_str(d, buf, 2), -1);
    npio_dtype_unref(d2);
    npio_dtype_unref(d);
  }
}

static void test_dtype_fields(void) {
  npio_err e = {0};
  const char *rec = "[('x', '<f8'), ('n', '<i4'), ('v', '<f4', (3,))]";
  const char *al = "[('a', '|i1'), ('', '|V3'), ('b', '<i4'), ('c', '|i1'), "
                   "('', '|V7'), ('d', '<f8')]";
  npio_dtype *d = npio_dtype_from_descr(rec, strlen(rec), &e);
  npio_dtype *f8, *i4, *s, *sub, *be;
  const char *names[2] = {"x", "n"};
  npio_dtype *types[2];
  char buf[256];
  int64_t sh2[2] = {INT64_C(1) << 40, INT64_C(1) << 40};
  int64_t sh3[1] = {3};
  CHECK(d != NULL);
  if (d) {
    CHECK_EQ_INT(d->kind, 'V');
    CHECK_EQ_INT(d->nfields, 3);
    CHECK_EQ_INT(d->itemsize, 24);
    if (d->nfields == 3) {
      CHECK_STR(d->fields[2].name, "v");
      CHECK_EQ_INT(d->fields[1].offset, 8);
      CHECK_EQ_INT(d->fields[2].offset, 12);
      CHECK(d->fields[2].type->base != NULL);
      CHECK_EQ_INT(d->fields[2].type->itemsize, 12);
      CHECK_EQ_INT(d->fields[2].type->sub_ndim, 1);
      CHECK_EQ_INT(d->fields[2].type->sub_shape[0], 3);
    }
    npio_dtype_unref(d);
  }
  /* padding entries keep the offsets and the itemsize */
  d = npio_dtype_from_descr(al, strlen(al), &e);
  CHECK(d != NULL);
  if (d) {
    int i, named = 0;
    CHECK_EQ_INT(d->itemsize, 24);
    for (i = 0; i < d->nfields; i++) {
      if (d->fields[i].name[0] == '\0') continue;
      named++;
      if (strcmp(d->fields[i].name, "b") == 0) CHECK_EQ_INT(d->fields[i].offset, 4);
      if (strcmp(d->fields[i].name, "d") == 0) CHECK_EQ_INT(d->fields[i].offset, 16);
    }
    CHECK_EQ_INT(named, 4);
    npio_dtype_unref(d);
  }
  /* npio_dtype_struct packs fields in order */
  f8 = npio_dtype_parse("<f8", &e);
  i4 = npio_dtype_parse("<i4", &e);
  CHECK(f8 && i4);
  if (!(f8 && i4)) return;
  types[0] = f8; types[1] = i4;
  s = npio_dtype_struct(2, names, types, &e);
  CHECK(s != NULL);
  if (s) {
    CHECK_EQ_INT(s->itemsize, 12);
    CHECK(npio_dtype_descr(s, buf, sizeof buf) > 0);
    CHECK_STR(buf, "[('x', '<f8'), ('n', '<i4')]");
    npio_dtype_unref(s);
  }
  /* subarrays: itemsize is the whole block; overflow is refused */
  sub = npio_dtype_subarray(f8, 1, sh3, &e);
  CHECK(sub != NULL && sub->itemsize == 24);
  npio_dtype_unref(sub);
  sub = npio_dtype_subarray(f8, 2, sh2, &e);
  CHECK(sub == NULL);
  npio_dtype_unref(sub);
  /* byte order variants */
  be = npio_dtype_with_order(f8, '>');
  CHECK(be != NULL);
  if (be) {
    CHECK(npio_dtype_str(be, buf, sizeof buf) > 0);
    CHECK_STR(buf, ">f8");
    CHECK(!npio_dtype_equal(be, f8));
    CHECK(!npio_dtype_isnative(be));
    npio_dtype_unref(be);
  }
  CHECK(npio_dtype_isnative(f8));
  npio_dtype_unref(f8);
  npio_dtype_unref(i4);
}

/* Strings that are not dtypes, or whose itemsize overflows. */
static void test_dtype_errors(void) {
  static const char *const bad[] = {
    "", "<i3", "<x4", "O", "|O", "M8[xx]", " <f8", "S-1", "float65",
    "S99999999999999999999", "U4611686018427387904", "U9223372036854775807",
    "V99999999999999999999", "<f8 ", "f8[s]",
  };
  static const char *const baddescr[] = {
    "", "5", "None", "'<i3'", "'|O'", "[('a', '|O')]", "[('a', '<i4'), ('a', '<f8')]",
    "[(1, '<i4')]", "[('a', '<i4', (2,), 5)]", "[('a', '<i4', (-2,))]",
    "[('a', '<f8', (1099511627776, 1099511627776))]", "b'<f8'", "'<f8", "[('a', '<f8')",
  };
  int i;
  for (i = 0; i < NELEM(bad); i++) {
    npio_err e = {0};
    npio_dtype *d = npio_dtype_parse(bad[i], &e);
    CHECK(d == NULL);
    if (d) fprintf(stderr, "  npio_dtype_parse(\"%s\") accepted it\n", bad[i]);
    else CHECK(e.code != NPIO_OK && e.msg[0] != '\0');
    npio_dtype_unref(d);
  }
  for (i = 0; i < NELEM(baddescr); i++) {
    npio_err e = {0};
    npio_dtype *d = npio_dtype_from_descr(baddescr[i], strlen(baddescr[i]), &e);
    CHECK(d == NULL);
    if (d) fprintf(stderr, "  npio_dtype_from_descr(%s) accepted it\n", baddescr[i]);
    else CHECK(e.code != NPIO_OK && e.msg[0] != '\0');
    npio_dtype_unref(d);
  }
  /* NumPy 1.24 wraps these itemsizes; npio must refuse them or keep the
  ** exact size, never a wrapped one */
  {
    npio_err e = {0};
    npio_dtype *d = npio_dtype_parse("S2147483648", &e);
    if (d) CHECK(d->itemsize == INT64_C(2147483648));
    npio_dtype_unref(d);
    d = npio_dtype_parse("U1073741824", &e);
    if (d) CHECK(d->itemsize == INT64_C(4294967296));
    npio_dtype_unref(d);
  }
}

/* }====================================================== */

/* {======================================================
** npio_npy_parse_dict and npio_npy_header_from_bytes
** ======================================================= */

static void test_parse_dict(void) {
  static const char ok1[] =
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }"
    "                                                          \n";
  static const char ok2[] =
    "{'shape': (), 'fortran_order': True, 'descr': '>i2'}";
  static const char ok3[] =
    "{\"descr\": [('x', '<f8'), ('n', '<i4')], \"fortran_order\": False,"
    " \"shape\": (2, 0, 5),}\n";
  static const char *const bad[] = {
    "", "{", "[1, 2]", "{}",
    "{'descr': '<f8', 'fortran_order': False}",
    "{'descr': '<f8', 'shape': (3,)}",
    "{'fortran_order': False, 'shape': (3,)}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'x': 1}",
    "{'descr': '<f8', 'fortran_order': 1, 'shape': (3,)}",
    "{'descr': '<f8', 'fortran_order': 'True', 'shape': (3,)}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3.0,)}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': 3}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': [3]}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000000000000000,)}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1)}",
    "{'descr': '|O', 'fortran_order': False, 'shape': (3,)}",
    "{'descr': '<f8', 'fortran_order': false, 'shape': (3,)}",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} x",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}\0",
    "{'descr': '<f8, 'fortran_order': False, 'shape': (3,)}",
  };
  npio_npy_header h;
  npio_err e = {0};
  int i;

  memset(&h, 0, sizeof h);
  CHECK_EQ_INT(npio_npy_parse_dict(ok1, sizeof ok1 - 1, &h, &e), NPIO_OK);
  if (h.dtype) {
    CHECK_EQ_INT(h.dtype->kind, 'f');
    CHECK_EQ_INT(h.dtype->itemsize, 8);
    CHECK_EQ_INT(h.dtype->order, '<');
  }
  CHECK_EQ_INT(h.ndim, 2);
  CHECK_EQ_INT(h.shape[0], 3);
  CHECK_EQ_INT(h.shape[1], 4);
  CHECK_EQ_INT(h.fortran_order, 0);
  npio_npy_header_free(&h);

  memset(&h, 0, sizeof h);
  CHECK_EQ_INT(npio_npy_parse_dict(ok2, sizeof ok2 - 1, &h, &e), NPIO_OK);
  CHECK_EQ_INT(h.ndim, 0);
  CHECK_EQ_INT(h.fortran_order, 1);
  if (h.dtype) CHECK_EQ_INT(h.dtype->order, '>');
  npio_npy_header_free(&h);

  memset(&h, 0, sizeof h);
  CHECK_EQ_INT(npio_npy_parse_dict(ok3, sizeof ok3 - 1, &h, &e), NPIO_OK);
  CHECK_EQ_INT(h.ndim, 3);
  CHECK_EQ_INT(h.shape[1], 0);
  if (h.dtype) CHECK_EQ_INT(h.dtype->itemsize, 12);
  npio_npy_header_free(&h);

  for (i = 0; i < NELEM(bad); i++) {
    size_t len = strlen(bad[i]);
    if (i == NELEM(bad) - 2) len += 1;     /* the case ending in a NUL */
    memset(&h, 0, sizeof h);
    e.code = NPIO_OK; e.msg[0] = '\0';
    if (npio_npy_parse_dict(bad[i], len, &h, &e) == NPIO_OK) {
      CHECK(0);
      fprintf(stderr, "  npio_npy_parse_dict accepted: %s\n", bad[i]);
    } else {
      CHECK(e.code != NPIO_OK && e.msg[0] != '\0');
    }
    npio_npy_header_free(&h);
  }
  /* the error names the field */
  memset(&h, 0, sizeof h);
  npio_npy_parse_dict(bad[16], strlen(bad[16]), &h, &e);
  CHECK(strstr(e.msg, "object") != NULL);
  npio_npy_header_free(&h);
  memset(&h, 0, sizeof h);
  npio_npy_parse_dict(bad[8], strlen(bad[8]), &h, &e);
  CHECK(strstr(e.msg, "fortran_order") != NULL);
  npio_npy_header_free(&h);
  memset(&h, 0, sizeof h);
  npio_npy_parse_dict(bad[10], strlen(bad[10]), &h, &e);
  CHECK(strstr(e.msg, "shape") != NULL);
  npio_npy_header_free(&h);
}

/* Deep nesting must be refused by a limit, not by the C stack. */
static void test_parse_deep(void) {
  size_t depth = 100000, n = 0, i;
  char *t = malloc(2 * depth + 100);
  npio_npy_header h;
  npio_err e = {0};
  if (!t) return;
  n += (size_t)sprintf(t, "{'descr': '<f8', 'fortran_order': False, 'shape': ");
  for (i = 0; i < depth; i++) t[n++] = '(';
  for (i = 0; i < depth; i++) t[n++] = ')';
  t[n++] = '}';
  memset(&h, 0, sizeof h);
  CHECK(npio_npy_parse_dict(t, n, &h, &e) != NPIO_OK);
  npio_npy_header_free(&h);
  free(t);
}

static void test_from_bytes(void) {
  const char *hdr = hcases[0].header;       /* '<f8' (3, 4), 128 bytes */
  size_t n = hlen(hdr);
  char buf[256];
  npio_npy_header h;
  npio_err e = {0};

  memset(&h, 0, sizeof h);
  CHECK_EQ_INT(npio_npy_header_from_bytes(hdr, n, 0, &h, &e), NPIO_OK);
  CHECK_EQ_INT(h.major, 1);
  CHECK_EQ_INT(h.minor, 0);
  CHECK_EQ_INT(h.header_len, 128);
  CHECK_EQ_INT(h.data_len, 96);
  CHECK_EQ_INT(h.ndim, 2);
  npio_npy_header_free(&h);

  /* cut short: every prefix is an error */
  {
    size_t k;
    int bad = 0;
    for (k = 0; k < n; k++) {
      memset(&h, 0, sizeof h);
      if (npio_npy_header_from_bytes(hdr, k, 0, &h, &e) == NPIO_OK) bad++;
      npio_npy_header_free(&h);
    }
    CHECK_EQ_INT(bad, 0);
  }
  /* the header limit */
  memset(&h, 0, sizeof h);
  CHECK_EQ_INT(npio_npy_header_from_bytes(hdr, n, 100, &h, &e), NPIO_ELIMIT);
  npio_npy_header_free(&h);
  memset(&h, 0, sizeof h);
  CHECK_EQ_INT(npio_npy_header_from_bytes(hdr, n, 118, &h, &e), NPIO_OK);
  npio_npy_header_free(&h);
  /* bad magic, bad version */
  memcpy(buf, hdr, n);
  buf[0] = '\x92';
  memset(&h, 0, sizeof h);
  CHECK_EQ_INT(npio_npy_header_from_bytes(buf, n, 0, &h, &e), NPIO_EFORMAT);
  npio_npy_header_free(&h);
  memcpy(buf, hdr, n);
  buf[6] = 4;
  memset(&h, 0, sizeof h);
  CHECK_EQ_INT(npio_npy_header_from_bytes(buf, n, 0, &h, &e), NPIO_EFORMAT);
  CHECK(strstr(e.msg, "version") != NULL);
  npio_npy_header_free(&h);
  /* a v2 header declaring 0xFFFFFFF0 bytes in a 12-byte buffer */
  memcpy(buf, "\x93NUMPY\x02\x00\xf0\xff\xff\xff", 12);
  memset(&h, 0, sizeof h);
  CHECK(npio_npy_header_from_bytes(buf, 12, 0, &h, &e) == NPIO_ELIMIT);
  npio_npy_header_free(&h);
  memset(&h, 0, sizeof h);
  CHECK(npio_npy_header_from_bytes(buf, 12, INT64_C(1) << 40, &h, &e) != NPIO_OK);
  npio_npy_header_free(&h);
}

/* Byte counts that overflow int64 are refused while parsing. */
static void test_overflow(void) {
  static const char *const dicts[] = {
    "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }",
    "{'descr': '|u1', 'fortran_order': False, 'shape': (9223372036854775808,), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (65536, 65536, 65536, 65536), }",
    "{'descr': '|S1000000000', 'fortran_order': False, 'shape': (1000000000000,), }",
    "{'descr': [('a', '<f8', (1000000000, 1000000000))], 'fortran_order': False, 'shape': (1000000000,), }",
  };
  int64_t s[3];
  int64_t out = -7;
  npio_err e = {0};
  int i;
  for (i = 0; i < NELEM(dicts); i++) {
    char buf[512];
    size_t len = strlen(dicts[i]);
    size_t pad = 63 - (10 + len) % 64;
    npio_npy_header h;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)((len + pad + 1) & 0xff);
    buf[9] = (char)((len + pad + 1) >> 8);
    memcpy(buf + 10, dicts[i], len);
    memset(buf + 10 + len, ' ', pad);
    buf[10 + len + pad] = '\n';
    memset(&h, 0, sizeof h);
    if (npio_npy_header_from_bytes(buf, 11 + len + pad, 0, &h, &e) == NPIO_OK) {
      CHECK(0);
      fprintf(stderr, "  accepted an overflowing header: %s (data_len %lld)\n",
              dicts[i], (long long)h.data_len);
    } else
      CHECK(e.msg[0] != '\0');
    npio_npy_header_free(&h);
  }
  s[0] = INT64_C(4294967296); s[1] = INT64_C(4294967296);
  CHECK(npio_shape_size(2, s, &out, &e) != NPIO_OK);
  s[0] = 3; s[1] = -1;
  CHECK(npio_shape_size(2, s, &out, &e) != NPIO_OK);
  s[0] = 0; s[1] = 5;
  CHECK_EQ_INT(npio_shape_size(2, s, &out, &e), NPIO_OK);
  CHECK_EQ_INT(out, 0);
  CHECK_EQ_INT(npio_shape_size(0, s, &out, &e), NPIO_OK);
  CHECK_EQ_INT(out, 1);
  s[0] = 3; s[1] = 4; s[2] = 5;
  CHECK_EQ_INT(npio_shape_size(3, s, &out, &e), NPIO_OK);
  CHECK_EQ_INT(out, 60);
}

/* }====================================================== */

int main(void) {
  test_header_bytes();
  test_header_v2();
  test_dtypes();
  test_dtype_fields();
  test_dtype_errors();
  test_parse_dict();
  test_parse_deep();
  test_from_bytes();
  test_overflow();
  return test_report("test_npy_header");
}
