/*
** test_npz.c -- .npy members in zip archives: writing arrays of several
** dtypes and layouts, reading them back (plain, mapped, copy-on-write),
** member info, raw members, append/replace, names, and the member-level
** checks (trailing bytes, truncation, header limits).
*/
#include "testlib.h"
#include "npio.h"
#include "zip.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static char *tpath(const char *name) {
  static char buf[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
  return buf[k];
}

typedef struct bytes { unsigned char *p; size_t n; } bytes;

static int collect(void *ud, const char *p, size_t n) {
  bytes *b = (bytes *)ud;
  b->p = (unsigned char *)realloc(b->p, b->n + n + 1);
  memcpy(b->p + b->n, p, n);
  b->n += n;
  return NPIO_OK;
}

/* 1 if a and b have the same dtype, shape and elements (C order). */
static int same(const npio_array *a, const npio_array *b) {
  bytes x = {NULL, 0}, y = {NULL, 0};
  int k, ok;
  if (!npio_dtype_equal(a->dtype, b->dtype) || a->ndim != b->ndim) return 0;
  for (k = 0; k < a->ndim; k++)
    if (a->shape[k] != b->shape[k]) return 0;
  npio_array_foreach_block(a, 0, collect, &x, NULL);
  npio_array_foreach_block(b, 0, collect, &y, NULL);
  ok = x.n == y.n && (x.n == 0 || memcmp(x.p, y.p, x.n) == 0);
  free(x.p);
  free(y.p);
  return ok;
}

static void fill(npio_array *a, unsigned seed) {
  unsigned char *p = (unsigned char *)npio_array_data(a, NULL);
  int64_t i, n = npio_array_nbytes(a);
  for (i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    p[i] = (unsigned char)(seed >> 23);
  }
  if (a->dtype->kind == 'b')
    for (i = 0; i < n; i++) p[i] &= 1;
}

static npio_dtype *dt(const char *s) {
  npio_err e;
  npio_dtype *d = npio_dtype_parse(s, &e);
  if (d == NULL) d = npio_dtype_from_descr(s, strlen(s), &e);
  if (d == NULL) fprintf(stderr, "dtype %s: %s\n", s, e.msg);
  return d;
}

#define NARR 8
static npio_array arrs[NARR];
static const char *keys[NARR] = {"f8", "i4_fortran", "strided", "flag",
                                 "cplx", "scalar", "empty", "rec"};

static void make_arrays(void) {
  int64_t s2[2] = {30, 70}, s1[1] = {1000}, s0[1] = {0}, se[2] = {0, 5};
  npio_array tmp;
  npio_dtype *d;
  int k;
  d = dt("<f8");
  npio_array_init(&arrs[0], d, 2, s2, 0, 0, NULL, NULL);
  npio_dtype_unref(d);
  d = dt(">i4");
  npio_array_init(&arrs[1], d, 2, s2, 1, 0, NULL, NULL);   /* Fortran */
  npio_dtype_unref(d);
  /* every third element of a 1-D array: not contiguous */
  d = dt("<u2");
  npio_array_init(&tmp, d, 1, s1, 0, 0, NULL, NULL);
  npio_dtype_unref(d);
  fill(&tmp, 3);
  npio_array_view(&arrs[2], &tmp);
  arrs[2].shape[0] = 334;
  arrs[2].strides[0] = 6;
  npio_array_release(&tmp);
  d = dt("bool");
  npio_array_init(&arrs[3], d, 1, s1, 0, 0, NULL, NULL);
  npio_dtype_unref(d);
  d = dt("<c16");
  npio_array_init(&arrs[4], d, 2, s2, 0, 0, NULL, NULL);
  npio_dtype_unref(d);
  d = dt("<i8");
  npio_array_init(&arrs[5], d, 0, s0, 0, 0, NULL, NULL);
  npio_dtype_unref(d);
  d = dt("<f4");
  npio_array_init(&arrs[6], d, 2, se, 0, 0, NULL, NULL);
  npio_dtype_unref(d);
  d = dt("[('x', '<f8'), ('n', '>i2'), ('s', '|S3')]");
  npio_array_init(&arrs[7], d, 1, s1, 0, 0, NULL, NULL);
  npio_dtype_unref(d);
  for (k = 0; k < NARR; k++)
    if (k != 2) fill(&arrs[k], (unsigned)k + 10);
}

static int save(const char *path, int compress, int append) {
  npio_npz_save_opts o;
  npio_npz_writer *w;
  npio_err e;
  int k, st;
  npio_npz_save_opts_init(&o);
  o.compress = compress;
  o.append = append;
  st = npio_npz_writer_open(path, &o, &w, &e);
  if (st != NPIO_OK) {
    fprintf(stderr, "open: %s\n", e.msg);
    return st;
  }
  for (k = 0; k < NARR && st == NPIO_OK; k++)
    st = npio_npz_writer_add(w, keys[k], strlen(keys[k]), &arrs[k], &e);
  if (st == NPIO_OK)
    st = npio_npz_writer_add_bytes(w, "notes.txt", 9, "hello npz", 9, &e);
  if (st == NPIO_OK) st = npio_npz_writer_commit(w, &e);
  if (st != NPIO_OK) fprintf(stderr, "save: %s\n", e.msg);
  npio_npz_writer_free(w);
  return st;
}

static void test_roundtrip(int compress, int mmap_mode) {
  npio_npz *z;
  npio_err e;
  int k;
  const char *path = tpath(compress ? "c.npz" : "s.npz");
  CHECK_EQ_INT(save(path, compress, 0), NPIO_OK);
  CHECK_EQ_INT(npio_npz_open(path, &z, &e), NPIO_OK);
  if (z == NULL) return;
  CHECK_EQ_INT(npio_npz_count(z), NARR + 1);
  for (k = 0; k < NARR; k++) {
    npio_array a;
    int is_array;
    int64_t i = npio_npz_find(z, keys[k], strlen(keys[k]));
    size_t n;
    CHECK(i == k);
    CHECK(strcmp(npio_npz_key(z, k, &n), keys[k]) >= 0 && n == strlen(keys[k]));
    CHECK_EQ_INT(npio_npz_read(z, i, NULL, mmap_mode, &a, &is_array, &e), NPIO_OK);
    CHECK(is_array);
    CHECK(same(&a, &arrs[k]));
    if (k == 1) CHECK(npio_array_is_f_contiguous(&a));   /* kept Fortran */
    if (mmap_mode && !compress && npio_array_nbytes(&a) > 0) {
      /* mapped straight from the archive, aligned */
      CHECK_EQ_INT(a.storage->kind, NPIO_MEM_MMAP);
      CHECK(((uintptr_t)npio_array_data(&a, NULL)) % 64 == 0);
      CHECK_EQ_INT(!!(a.storage->flags & NPIO_STORAGE_READONLY),
                   mmap_mode == NPIO_MMAP_READ);
    } else if (npio_array_nbytes(&a) > 0) {
      CHECK_EQ_INT(a.storage->kind, NPIO_MEM_HEAP);
      CHECK(((uintptr_t)npio_array_data(&a, NULL)) % 16 == 0);
    }
    npio_array_release(&a);
  }
  {
    int64_t i = npio_npz_find(z, "notes.txt", 9);
    npio_array a;
    int is_array = 1;
    char buf[16];
    CHECK(i == NARR);
    CHECK_EQ_INT(npio_npz_read(z, i, NULL, 0, &a, &is_array, &e), NPIO_OK);
    CHECK(!is_array);
    CHECK_EQ_INT(npio_npz_member_size(z, i), 9);
    CHECK_EQ_INT(npio_npz_read_bytes(z, i, buf, &e), NPIO_OK);
    CHECK(memcmp(buf, "hello npz", 9) == 0);
  }
  CHECK(npio_npz_find(z, "nope", 4) < 0);
  CHECK(npio_npz_find(z, "f8.npy", 6) == 0);
  npio_npz_close(z);
}

/* A mapped member outlives the archive handle; 'c' never writes back. */
static void test_mmap_lifetime(void) {
  npio_npz *z;
  npio_err e;
  npio_array a, b;
  int is_array;
  const char *path = tpath("s.npz");
  double *p;
  CHECK_EQ_INT(npio_npz_open(path, &z, &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_read(z, 0, NULL, NPIO_MMAP_COPY, &a, &is_array, &e), NPIO_OK);
  npio_npz_close(z);
  p = (double *)npio_array_data(&a, NULL);
  p[0] = 12345.0;                       /* private copy-on-write page */
  CHECK_EQ_INT(npio_npz_open(path, &z, &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_read(z, 0, NULL, NPIO_MMAP_READ, &b, &is_array, &e), NPIO_OK);
  npio_npz_close(z);
  CHECK(((double *)npio_array_data(&b, NULL))[0] != 12345.0);
  CHECK(same(&b, &arrs[0]));
  npio_array_release(&a);
  npio_array_release(&b);
  /* 'r+' is refused for members */
  CHECK_EQ_INT(npio_npz_open(path, &z, &e), NPIO_OK);
  CHECK(npio_npz_read(z, 0, NULL, '+', &a, &is_array, &e) != NPIO_OK);
  npio_npz_close(z);
}

static void test_stat(void) {
  npio_npz *z;
  npio_err e;
  npio_npz_info in;
  char s[64];
  CHECK_EQ_INT(npio_npz_open(tpath("s.npz"), &z, &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_stat(z, 1, NULL, &in, &e), NPIO_OK);
  CHECK(in.is_array && in.fortran_order && in.ndim == 2);
  CHECK(in.shape[0] == 30 && in.shape[1] == 70);
  npio_dtype_str(in.dtype, s, sizeof(s));
  CHECK_STR(s, ">i4");
  CHECK_EQ_INT(in.nbytes, 30 * 70 * 4);
  CHECK_EQ_INT(in.method, 0);
  CHECK_EQ_INT(in.offset % 64, 0);
  CHECK_EQ_INT(in.compressed_size, in.size);
  npio_npz_info_free(&in);
  CHECK_EQ_INT(npio_npz_stat(z, NARR, NULL, &in, &e), NPIO_OK);
  CHECK(!in.is_array && in.nbytes == 9);
  npio_npz_close(z);
  CHECK_EQ_INT(npio_npz_open(tpath("c.npz"), &z, &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_stat(z, 0, NULL, &in, &e), NPIO_OK);
  CHECK_EQ_INT(in.method, 8);
  CHECK(in.compressed_size < in.size);
  npio_npz_info_free(&in);
  npio_npz_close(z);
}

static void test_append(void) {
  npio_npz_save_opts o;
  npio_npz_writer *w;
  npio_npz *z;
  npio_err e;
  npio_array a;
  int is_array;
  const char *path = tpath("ap.npz");
  CHECK_EQ_INT(save(path, 1, 0), NPIO_OK);
  npio_npz_save_opts_init(&o);
  o.append = 1;
  CHECK_EQ_INT(npio_npz_writer_open(path, &o, &w, &e), NPIO_OK);
  CHECK(npio_npz_writer_has(w, "f8.npy", 6));
  CHECK(!npio_npz_writer_has(w, "zz.npy", 6));
  /* replace f8 with the bool array, add a new member */
  CHECK_EQ_INT(npio_npz_writer_add(w, "f8", 2, &arrs[3], &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_writer_add(w, "zz", 2, &arrs[0], &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_writer_commit(w, &e), NPIO_OK);
  npio_npz_writer_free(w);
  CHECK_EQ_INT(npio_npz_open(path, &z, &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_count(z), NARR + 2);
  CHECK_EQ_INT(npio_npz_read(z, 0, NULL, 0, &a, &is_array, &e), NPIO_OK);
  CHECK(same(&a, &arrs[3]));
  npio_array_release(&a);
  CHECK_EQ_INT(npio_npz_read(z, npio_npz_find(z, "zz", 2), NULL, 0, &a,
                             &is_array, &e), NPIO_OK);
  CHECK(same(&a, &arrs[0]));
  npio_array_release(&a);
  CHECK_EQ_INT(npio_npz_read(z, npio_npz_find(z, "rec", 3), NULL, 0, &a,
                             &is_array, &e), NPIO_OK);
  CHECK(same(&a, &arrs[7]));
  npio_array_release(&a);
  npio_npz_close(z);
}

static void test_names(void) {
  static const char *bad[] = {"../x", "/abs", "a/../b", "C:x", "a\\..\\b",
                              ".."};
  npio_npz_save_opts o;
  npio_npz_writer *w;
  npio_err e;
  int k;
  char *big;
  npio_npz_save_opts_init(&o);
  CHECK_EQ_INT(npio_npz_writer_open(tpath("names.npz"), &o, &w, &e), NPIO_OK);
  for (k = 0; k < 6; k++) {
    CHECK(npio_npz_writer_add(w, bad[k], strlen(bad[k]), &arrs[0], &e) != NPIO_OK);
    CHECK(strstr(e.msg, "not a safe relative path") != NULL);
  }
  CHECK(npio_npz_writer_add(w, "a\0b", 3, &arrs[0], &e) != NPIO_OK);
  CHECK(strstr(e.msg, "NUL") != NULL);
  CHECK(npio_npz_writer_add(w, "\xff", 1, &arrs[0], &e) != NPIO_OK);
  CHECK(strstr(e.msg, "UTF-8") != NULL);
  big = (char *)malloc(65536);
  memset(big, 'x', 65536);
  CHECK(npio_npz_writer_add(w, big, 65532, &arrs[0], &e) != NPIO_OK);
  CHECK(strstr(e.msg, "65535") != NULL);
  CHECK_EQ_INT(npio_npz_writer_add(w, big, 65531, &arrs[5], &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_writer_add(w, "dir/ok..name", 12, &arrs[5], &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_writer_commit(w, &e), NPIO_OK);
  npio_npz_writer_free(w);
  {
    npio_npz *z;
    CHECK_EQ_INT(npio_npz_open(tpath("names.npz"), &z, &e), NPIO_OK);
    CHECK(npio_npz_find(z, big, 65531) == 0);
    CHECK(npio_npz_find(z, "dir/ok..name", 12) == 1);
    npio_npz_close(z);
  }
  free(big);
  /* duplicates in one call */
  CHECK_EQ_INT(npio_npz_writer_open(tpath("dup.npz"), &o, &w, &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_writer_add(w, "a", 1, &arrs[0], &e), NPIO_OK);
  CHECK_EQ_INT(npio_npz_writer_add(w, "a", 1, &arrs[1], &e), NPIO_OK);
  CHECK(npio_npz_writer_commit(w, &e) != NPIO_OK);
  CHECK(strstr(e.msg, "duplicate member name 'a.npy'") != NULL);
  npio_npz_writer_free(w);
  CHECK(access(tpath("dup.npz"), F_OK) != 0);
}

/* Members whose .npy does not fill them exactly, or whose header is too
** long for max_header_size. */
static void test_member_checks(void) {
  char hdr[NPIO_NPY_HEADER_CAP], *buf;
  int64_t hn;
  npio_npz_save_opts o;
  npio_npz_writer *w;
  npio_npz *z;
  npio_err e;
  npio_array a;
  npio_load_opts lo;
  int is_array;
  int64_t shape[1] = {10};
  npio_dtype *d = dt("<f8");
  hn = npio_npy_header_bytes(d, 1, shape, 0, hdr, sizeof(hdr), &e);
  buf = (char *)calloc(1, (size_t)hn + 81);
  memcpy(buf, hdr, (size_t)hn);
  npio_npz_save_opts_init(&o);
  CHECK_EQ_INT(npio_npz_writer_open(tpath("m.npz"), &o, &w, &e), NPIO_OK);
  npio_npz_writer_add_bytes(w, "long.npy", 8, buf, (size_t)hn + 81, &e);
  npio_npz_writer_add_bytes(w, "short.npy", 9, buf, (size_t)hn + 79, &e);
  npio_npz_writer_add_bytes(w, "ok.npy", 6, buf, (size_t)hn + 80, &e);
  npio_npz_writer_add_bytes(w, "hdr.npy", 7, buf, 20, &e);
  CHECK_EQ_INT(npio_npz_writer_commit(w, &e), NPIO_OK);
  npio_npz_writer_free(w);
  CHECK_EQ_INT(npio_npz_open(tpath("m.npz"), &z, &e), NPIO_OK);
  CHECK(npio_npz_read(z, 0, NULL, 0, &a, &is_array, &e) != NPIO_OK);
  CHECK(strstr(e.msg, "member 'long.npy': 1 bytes after the array data") != NULL);
  CHECK(npio_npz_read(z, 1, NULL, 0, &a, &is_array, &e) != NPIO_OK);
  CHECK(strstr(e.msg, "member 'short.npy': truncated: header says 80 data "
               "bytes, member has 79") != NULL);
  CHECK_EQ_INT(npio_npz_read(z, 2, NULL, 0, &a, &is_array, &e), NPIO_OK);
  npio_array_release(&a);
  CHECK(npio_npz_read(z, 3, NULL, 0, &a, &is_array, &e) != NPIO_OK);
  CHECK(strstr(e.msg, "member 'hdr.npy': EOF") != NULL);
  memset(&lo, 0, sizeof(lo));
  lo.max_header = 50;
  CHECK(npio_npz_read(z, 2, &lo, 0, &a, &is_array, &e) != NPIO_OK);
  CHECK_EQ_INT(e.code, NPIO_ELIMIT);
  npio_npz_close(z);
  npio_dtype_unref(d);
  free(buf);
}

int main(void) {
  const char *t = getenv("TMPDIR");
  int k;
  snprintf(tmpdir, sizeof(tmpdir), "%s/npio_npzXXXXXX", t ? t : "/tmp");
  if (mkdtemp(tmpdir) == NULL) { perror("mkdtemp"); return 1; }
  make_arrays();
  test_roundtrip(0, NPIO_MMAP_NONE);
  test_roundtrip(1, NPIO_MMAP_NONE);
  test_roundtrip(0, NPIO_MMAP_READ);
  test_roundtrip(0, NPIO_MMAP_COPY);
  test_roundtrip(1, NPIO_MMAP_READ);   /* compressed: read normally */
  test_mmap_lifetime();
  test_stat();
  test_append();
  test_names();
  test_member_checks();
  for (k = 0; k < NARR; k++) npio_array_release(&arrs[k]);
  {
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  }
  return test_report("test_npz");
}
