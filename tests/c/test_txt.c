/*
** test_txt.c -- the text readers and writer through the C API: block
** boundaries (tiny blocks, several threads, rows joined back in order),
** quoted fields across blocks, FILE* streams that must be left just
** after the rows used, long tokens and lines, bad UTF-8, progress
** callbacks, and savetxt to a FILE*.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "npio.h"
#include "txt_int.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static double rnd_double(void) {
  double d;
  do {
    uint64_t b = rnd();
    memcpy(&d, &b, 8);
  } while (!isfinite(d));
  return d;
}

/* Reads 'text' with loadtxt (or genfromtxt) into a float64 array. */
static int load_mem(const char *text, size_t n, int gen, int threads,
                    const char *delim, npio_array *a, npio_err *e) {
  npio_txt_src *s = npio_txt_open_mem(text, n, "mem", NULL, e);
  int st;
  if (s == NULL) return e->code;
  if (gen) {
    npio_genfromtxt_opts o;
    npio_genfromtxt_defaults(&o);
    o.delimiter = delim;
    o.nthreads = threads;
    st = npio_genfromtxt(s, &o, a, NULL, NULL, e);
  } else {
    npio_loadtxt_opts o;
    int empty;
    npio_loadtxt_defaults(&o);
    o.delimiter = delim;
    o.nthreads = threads;
    st = npio_loadtxt(s, &o, a, &empty, e);
  }
  npio_txt_close(s);
  return st;
}

/* Many rows, tiny blocks, 1..3 threads: the same bits in the same order. */
static void test_blocks(void) {
  enum { ROWS = 3000, COLS = 4 };
  double *v = (double *)malloc(sizeof(double) * ROWS * COLS);
  npio_buf b = {0};
  int r, c, gen, threads;
  char tmp[40];
  for (r = 0; r < ROWS; r++) {
    for (c = 0; c < COLS; c++) {
      double d = (r % 7 == 0) ? (double)(r * 3 + c) : rnd_double();
      v[r * COLS + c] = d;
      snprintf(tmp, sizeof tmp, "%s%.17g", c ? "," : "", d);
      npio_buf_addstr(&b, tmp);
    }
    npio_buf_addstr(&b, (r % 5 == 0) ? "\r\n" : (r % 11 == 0) ? "\n\n" : "\n");
  }
  txt_set_block(100);
  for (gen = 0; gen < 2; gen++)
    for (threads = 1; threads <= 3; threads++) {
      npio_array a;
      npio_err e = {0};
      int st = load_mem(b.p, b.len, gen, threads, ",", &a, &e);
      CHECK_EQ_INT(st, NPIO_OK);
      if (st == NPIO_OK) {
        CHECK_EQ_INT(a.shape[0], ROWS);
        CHECK_EQ_INT(a.shape[1], COLS);
        CHECK(memcmp(npio_array_data(&a, NULL), v, sizeof(double) * ROWS * COLS)
              == 0);
        npio_array_release(&a);
      } else {
        fprintf(stderr, "%s\n", e.msg);
      }
    }
  txt_set_block(0);
  npio_buf_free(&b);
  free(v);
}

/* Quoted fields with newlines that cross tiny blocks. */
static void test_quoted_blocks(void) {
  static const char text[] = "\"a\nb\",1\n\"a long \"\"quoted\"\" field\n"
                             "over lines\",2\nplain,3\n";
  npio_txt_src *s;
  npio_loadtxt_opts o;
  npio_array a;
  npio_err e = {0};
  npio_dtype *t[2];
  const char *names[2] = {"s", "n"};
  int empty;
  t[0] = npio_dtype_parse("U40", &e);
  t[1] = npio_dtype_parse("i8", &e);
  txt_set_block(16);
  s = npio_txt_open_mem(text, sizeof text - 1, "q", NULL, &e);
  npio_loadtxt_defaults(&o);
  o.delimiter = ",";
  o.quotechar = "\"";
  o.dtype = npio_dtype_struct(2, names, t, &e);
  CHECK(npio_loadtxt(s, &o, &a, &empty, &e) == NPIO_OK);
  npio_dtype_unref(o.dtype);
  if (a.storage) {
    const char *p = npio_array_data(&a, NULL);
    int64_t n;
    CHECK_EQ_INT(a.shape[0], 3);
    memcpy(&n, p + 2 * 168 + 160, 8);
    CHECK_EQ_INT(n, 3);
    {
      uint32_t c0, c1;
      memcpy(&c0, p + 4, 4);                 /* "a\nb": second char */
      memcpy(&c1, p + 168 + 4 * 7, 4);       /* 'q' of quoted */
      CHECK_EQ_INT(c0, '\n');
      CHECK_EQ_INT(c1, '"');
    }
  }
  npio_array_release(&a);
  npio_txt_close(s);
  /* a quote left open runs on past max_line: refused, memory bounded */
  {
    npio_buf b = {0};
    int i;
    npio_buf_addstr(&b, "1,\"open\n");
    for (i = 0; i < 400; i++) npio_buf_addstr(&b, "x,y\n");
    s = npio_txt_open_mem(b.p, b.len, "q2", NULL, &e);
    o.max_line = 256;
    o.dtype = NULL;
    o.flexible = 'U';
    CHECK_EQ_INT(npio_loadtxt(s, &o, &a, &empty, &e), NPIO_ELIMIT);
    CHECK(strstr(e.msg, "q2:1: a quoted field runs on") != NULL);
    npio_txt_close(s);
    npio_buf_free(&b);
  }
  npio_dtype_unref(t[0]);
  npio_dtype_unref(t[1]);
  txt_set_block(0);
}

/* A FILE* is left right after the rows a max_rows read used. */
static void test_file_continuation(void) {
  FILE *f = tmpfile();
  npio_err e = {0};
  npio_loadtxt_opts o;
  int round, empty;
  char line[32];
  fputs("1 2\n3 4\n# c\n\n5 6\n7 8\nrest\n", f);
  rewind(f);
  npio_loadtxt_defaults(&o);
  o.max_rows = 2;
  for (round = 0; round < 2; round++) {
    npio_array a;
    npio_txt_src *s = npio_txt_open_file(f, "f", NULL, &e);
    CHECK(npio_loadtxt(s, &o, &a, &empty, &e) == NPIO_OK);
    npio_txt_close(s);
    if (a.storage) {
      double *d = (double *)npio_array_data(&a, NULL);
      CHECK(d[0] == (round ? 5.0 : 1.0) && d[3] == (round ? 8.0 : 4.0));
    }
    npio_array_release(&a);
  }
  CHECK(fgets(line, sizeof line, f) != NULL && strcmp(line, "rest\n") == 0);
  fclose(f);
}

/* A 1 MB numeric token, and a line past max_line. */
static void test_long(void) {
  size_t n = 1 << 20, i;
  char *t = (char *)malloc(n + 16);
  npio_array a;
  npio_err e = {0};
  memcpy(t, "0.", 2);
  for (i = 2; i < n; i++) t[i] = '0';
  memcpy(t + n - 3, "125", 3);
  t[n] = '\n';
  CHECK(load_mem(t, n + 1, 0, 1, NULL, &a, &e) == NPIO_OK);
  if (a.storage) {
    double d = *(double *)npio_array_data(&a, NULL);
    CHECK(d == 0.0);                     /* 1.25e-1048574 underflows */
  }
  npio_array_release(&a);
  for (i = 0; i < n; i++) t[i] = (char)('1' + i % 9);
  CHECK(load_mem(t, n + 1, 0, 1, NULL, &a, &e) == NPIO_OK);
  if (a.storage) CHECK(isinf(*(double *)npio_array_data(&a, NULL)));
  npio_array_release(&a);
  {
    npio_txt_src *s = npio_txt_open_mem(t, n, "long", NULL, &e);
    npio_loadtxt_opts o;
    int empty;
    npio_loadtxt_defaults(&o);
    o.max_line = 4096;
    txt_set_block(1024);                   /* the line spans blocks */
    CHECK_EQ_INT(npio_loadtxt(s, &o, &a, &empty, &e), NPIO_ELIMIT);
    CHECK(strstr(e.msg, "max_line") != NULL);
    txt_set_block(0);
    npio_txt_close(s);
  }
  free(t);
}

/* Bad UTF-8 names its line; the progress callback can stop a read. */
static int stop_cb(void *ud, int64_t done, int64_t total) {
  (void)done;
  (void)total;
  (*(int *)ud)++;
  return 1;
}

static void test_errors(void) {
  static const char bad[] = "1\n2\n3 \xff\n";
  npio_array a;
  npio_err e = {0};
  CHECK(load_mem(bad, sizeof bad - 1, 0, 1, NULL, &a, &e) == NPIO_EFORMAT);
  CHECK(strstr(e.msg, "mem:3: invalid UTF-8") != NULL);
  CHECK(load_mem(bad, sizeof bad - 1, 1, 1, NULL, &a, &e) == NPIO_EFORMAT);
  CHECK(strstr(e.msg, "mem:3:") != NULL);
  {
    npio_txt_src *s = npio_txt_open_mem("1 2\n3 4\n", 8, "p", NULL, &e);
    npio_loadtxt_opts o;
    int calls = 0, empty;
    npio_loadtxt_defaults(&o);
    o.progress = stop_cb;
    o.progress_ud = &calls;
    /* a single block finishes before the first report: the end report */
    CHECK(npio_loadtxt(s, &o, &a, &empty, &e) == NPIO_OK);
    CHECK(calls >= 1);
    npio_array_release(&a);
    npio_txt_close(s);
  }
}

/* savetxt to a FILE*, and the bytes Python's % would give. */
static void test_savetxt(void) {
  FILE *f = tmpfile();
  npio_array a;
  npio_err e = {0};
  npio_dtype *d = npio_dtype_parse("f8", &e);
  int64_t shape[2] = {2, 2};
  npio_savetxt_opts o;
  const char *fmt[1] = {"%.3g"};
  char out[128];
  size_t n;
  double *p;
  npio_array_init(&a, d, 2, shape, 0, 0, NULL, &e);
  p = (double *)npio_array_data(&a, NULL);
  p[0] = 1.5;
  p[1] = -0.0;
  p[2] = NAN;
  p[3] = 12345.0;
  npio_savetxt_defaults(&o);
  o.fmt = fmt;
  o.nfmt = 1;
  o.header = "h";
  CHECK(npio_savetxt(NULL, f, &a, &o, &e) == NPIO_OK);
  rewind(f);
  n = fread(out, 1, sizeof out - 1, f);
  out[n] = '\0';
  CHECK_STR(out, "# h\n1.5 -0\nnan 1.23e+04\n");
  fclose(f);
  npio_array_release(&a);
  npio_dtype_unref(d);
}

int main(void) {
  test_blocks();
  test_quoted_blocks();
  test_file_continuation();
  test_long();
  test_errors();
  test_savetxt();
  return test_report("txt");
}
