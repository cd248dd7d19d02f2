/*
** fuzz_csv.c -- libFuzzer harness for the text readers and the savetxt
** format parser (RELIABILITY D: fuzz_csv).
**
** Input: an 8-byte option block, then the text. The options pick the
** reader (loadtxt or genfromtxt), the delimiter, dtype, quoting,
** comments, usecols, skip/max rows, ndmin, masks, threads, an encoding
** and a small block size (so rows cross block boundaries). A last step
** formats a small array with a format string taken from the input.
** Invariants: the readers return a status and a consistent array or an
** error message; nothing crashes, leaks or reads out of bounds.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "npio.h"
#include "txt_int.h"

static const char *const delims[] = {NULL, ",", ";", "\t", "|", " ", "::",
                                     "\xc3\xa9"};
static const char *const dtypes[] = {"f8", "i8", "i4", "u1", "bool", "c16",
                                     "f4", "S5", "U5", "f2", ">f8", "i2"};

static npio_dtype *make_struct(void) {
  npio_dtype *t[3];
  const char *names[3] = {"a", "b", "c"};
  npio_dtype *d;
  t[0] = npio_dtype_parse("i4", NULL);
  t[1] = npio_dtype_parse("f8", NULL);
  t[2] = npio_dtype_parse("S3", NULL);
  d = (t[0] && t[1] && t[2]) ? npio_dtype_struct(3, names, t, NULL) : NULL;
  npio_dtype_unref(t[0]);
  npio_dtype_unref(t[1]);
  npio_dtype_unref(t[2]);
  return d;
}

/* The array must describe memory it owns. */
static void check_array(const npio_array *a) {
  int64_t n = 1;
  int i;
  if (a->storage == NULL || a->dtype == NULL) fuzz_fail("empty result");
  for (i = 0; i < a->ndim; i++) {
    if (a->shape[i] < 0) fuzz_fail("negative shape");
    n *= a->shape[i];
  }
  if (n * a->dtype->itemsize > (int64_t)a->storage->nbytes)
    fuzz_fail("array larger than its storage");
  if (n > 0) {                       /* touch the first and last bytes */
    volatile char c = ((char *)a->storage->data)[0];
    c = ((char *)a->storage->data)[n * a->dtype->itemsize - 1];
    (void)c;
  }
}

static int conv_fn(void *ud, int which, const char *s, size_t n,
                   npio_scalar *out, npio_err *e) {
  (void)ud;
  if (n > 0 && s[0] == '!') return npio_seterr(e, NPIO_EVALUE, "bang");
  if (which % 2) { out->kind = 'S'; out->s = s; out->slen = n; }
  else { out->kind = 'f'; out->f = (double)n; }
  return NPIO_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *o;
  const char *text;
  size_t n;
  npio_err e;
  npio_txt_src *src;
  npio_array a, m;
  static const char *const hash[] = {"#", NULL};
  static const char *const multi[] = {"#", "//", NULL};
  int64_t uc[2];
  npio_dtype *dt = NULL;
  int sel;
  if (size < 8) return 0;
  o = data;
  text = (const char *)data + 8;
  n = size - 8;
  txt_set_block(16 + (o[7] & 63));
  memset(&e, 0, sizeof e);
  src = npio_txt_open_mem(text, n, "fuzz", (o[7] & 64) ? "latin1" :
                          (o[7] & 128) ? "utf-16" : NULL, &e);
  if (src == NULL) fuzz_fail("open_mem failed: %s", e.msg);
  sel = o[2] % 14;
  if (sel < 12) dt = npio_dtype_parse(dtypes[sel], NULL);
  else if (sel == 12) dt = make_struct();
  memset(&a, 0, sizeof a);
  memset(&m, 0, sizeof m);
  if (!(o[0] & 1)) {
    npio_loadtxt_opts lo;
    int empty;
    npio_loadtxt_defaults(&lo);
    lo.dtype = dt;
    if (sel == 13) lo.flexible = (o[0] & 2) ? 'S' : 'U';
    lo.delimiter = delims[o[1] % 6];
    lo.quotechar = (o[3] & 1) ? "\"" : NULL;
    lo.comments = (o[3] & 6) == 0 ? NULL : (o[3] & 6) == 2 ? hash :
                  (lo.quotechar ? hash : multi);
    switch (o[4] % 5) {
      case 1: uc[0] = 0; lo.usecols = uc; lo.nusecols = 1; break;
      case 2: uc[0] = -1; lo.usecols = uc; lo.nusecols = 1; break;
      case 3: uc[0] = 1; uc[1] = 0; lo.usecols = uc; lo.nusecols = 2; break;
      case 4: uc[0] = 5; lo.usecols = uc; lo.nusecols = 1; break;
      default: break;
    }
    if (dt && dt->nfields && lo.usecols) lo.nusecols = 0, lo.usecols = NULL;
    lo.skiprows = o[5] & 3;
    lo.max_rows = (o[5] >> 2) % 4 == 0 ? -1 : (o[5] >> 2) % 4 - 1;
    lo.ndmin = o[6] % 3;
    lo.nthreads = (o[6] & 8) ? 2 : 1;
    if (o[6] & 16) { lo.conv = conv_fn; lo.conv_all = 1; }
    if (npio_loadtxt(src, &lo, &a, &empty, &e) == NPIO_OK) check_array(&a);
    else if (e.msg[0] == '\0') fuzz_fail("error without a message");
  } else {
    npio_genfromtxt_opts go;
    int64_t skipped, w[3] = {2, 3, 1};
    npio_genfromtxt_defaults(&go);
    go.dtype = dt;
    go.infer = (sel == 13) && (o[0] & 2);
    go.delimiter = delims[o[1] % 8];
    if (o[1] & 16) { go.widths = w; go.nwidths = (o[1] & 32) ? -1 : 3; }
    go.comments = (o[3] & 2) ? NULL : "#";
    go.names_from_header = o[3] & 4;
    go.autostrip = o[3] & 8;
    go.loose = !(o[3] & 16);
    go.invalid_raise = !(o[3] & 32);
    go.usemask = o[3] & 64;
    switch (o[4] % 4) {
      case 1: uc[0] = 0; go.usecols = uc; go.nusecols = 1; break;
      case 2: uc[0] = -1; go.usecols = uc; go.nusecols = 1; break;
      case 3: uc[0] = 1; uc[1] = 0; go.usecols = uc; go.nusecols = 2; break;
      default: break;
    }
    go.skip_header = o[5] & 3;
    if ((o[5] >> 2) & 1) go.skip_footer = (o[5] >> 3) & 3;
    else go.max_rows = (o[5] >> 3) % 4 == 0 ? -1 : (o[5] >> 3) % 4;
    go.ndmin = o[6] % 3;
    go.nthreads = (o[6] & 8) ? 2 : 1;
    if (npio_genfromtxt(src, &go, &a, &m, &skipped, &e) == NPIO_OK) {
      check_array(&a);
      if (go.usemask) check_array(&m);
    } else if (e.msg[0] == '\0') {
      fuzz_fail("error without a message");
    }
  }
  npio_array_release(&a);
  npio_array_release(&m);
  npio_txt_close(src);
  npio_dtype_unref(dt);
  /* savetxt's format parser on a format from the input */
  if (n > 0 && (o[0] & 4)) {
    char fmt[24];
    size_t k = n < sizeof fmt - 1 ? n : sizeof fmt - 1;
    npio_savetxt_opts so;
    npio_array x;
    int64_t shape[2] = {2, 2};
    FILE *f = fopen("/dev/null", "w");
    npio_dtype *d = npio_dtype_parse((o[0] & 8) ? "i8" : "f8", NULL);
    const char *fm[1];
    memcpy(fmt, text, k);
    fmt[k] = '\0';
    fm[0] = fmt;
    npio_savetxt_defaults(&so);
    so.fmt = fm;
    so.nfmt = 1;
    if (f && d && npio_array_init(&x, d, 2, shape, 0, 1, NULL, &e) == NPIO_OK) {
      npio_savetxt(NULL, f, &x, &so, &e);
      npio_array_release(&x);
    }
    if (f) fclose(f);
    npio_dtype_unref(d);
  }
  return 0;
}
