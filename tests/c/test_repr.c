/*
** test_repr.c -- npio_array_repr against NumPy 1.24's repr() and str().
**
** Reads the fixture written by tests/interop/repr_gen.py (argv[1], or
** tests/interop/repr_cases.txt from the repo root), builds each array
** over the recorded bytes (placed at an odd address so that every read
** is unaligned) and compares both forms with NumPy's text.
*/
#include "npio.h"
#include "testlib.h"

#include <stdint.h>
#include <stdlib.h>

#define DEFAULT_FIXTURE "tests/interop/repr_cases.txt"

typedef struct tcase {
  char name[128];
  char *descr;
  int ndim;
  int64_t shape[NPIO_MAXDIMS], strides[NPIO_MAXDIMS], offset;
  npio_printopts o;
  unsigned char *data;
  size_t ndata;
  char *repr, *str;
} tcase;

static int shown;

static char *dupstr(const char *s) {
  size_t n = strlen(s);
  char *p = (char *)malloc(n + 1);
  if (p) memcpy(p, s, n + 1);
  return p;
}

/* Undoes the fixture's escapes: \\ \n \xHH. */
static char *unescape(const char *s) {
  char *out = (char *)malloc(strlen(s) + 1), *q = out;
  if (out == NULL) return NULL;
  while (*s) {
    if (s[0] == '\\' && s[1] == '\\') { *q++ = '\\'; s += 2; }
    else if (s[0] == '\\' && s[1] == 'n') { *q++ = '\n'; s += 2; }
    else if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
      char h[3] = {s[2], s[3], 0};
      *q++ = (char)strtol(h, NULL, 16);
      s += 4;
    }
    else *q++ = *s++;
  }
  *q = '\0';
  return out;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads "N N N" into v[]; returns the count. */
static int read_ints(const char *s, int64_t *v, int max) {
  int n = 0;
  char *end;
  while (n < max) {
    long long x = strtoll(s, &end, 10);
    if (end == s) break;
    v[n++] = x;
    s = end;
  }
  return n;
}

static void free_case(tcase *c) {
  free(c->descr);
  free(c->data);
  free(c->repr);
  free(c->str);
  memset(c, 0, sizeof *c);
}

/* Shows a mismatch (the first few in full). */
static void report(const tcase *c, const char *form, const char *got,
                   const char *want) {
  if (shown++ >= 25) return;
  fprintf(stderr, "FAIL %s (%s)\n--- got:\n%s\n--- NumPy:\n%s\n---\n", c->name,
          form, got ? got : "(null)", want);
}

/* Builds the case's array and checks repr and str. */
static void run_case(tcase *c) {
  npio_err e;
  npio_array a;
  unsigned char *block;
  char *got;
  int k;
  memset(&a, 0, sizeof a);
  memset(&e, 0, sizeof e);
  a.dtype = npio_dtype_from_descr(c->descr, strlen(c->descr), &e);
  if (a.dtype == NULL) {
    test_failed += 2;
    fprintf(stderr, "FAIL %s: descr %s: %s\n", c->name, c->descr, e.msg);
    return;
  }
  block = (unsigned char *)malloc(c->ndata + 2);
  if (block == NULL) { test_failed += 2; npio_dtype_unref(a.dtype); return; }
  if (c->ndata) memcpy(block + 1, c->data, c->ndata);
  a.storage = npio_storage_wrap(block + 1, c->ndata, 1, NULL, NULL, &e);
  if (a.storage == NULL) {
    test_failed += 2;
    fprintf(stderr, "FAIL %s: storage: %s\n", c->name, e.msg);
    npio_dtype_unref(a.dtype);
    free(block);
    return;
  }
  a.ndim = c->ndim;
  a.offset = c->offset;
  for (k = 0; k < c->ndim; k++) {
    a.shape[k] = c->shape[k];
    a.strides[k] = c->strides[k];
  }
  got = npio_array_repr(&a, &c->o, 0, &e);
  if (got && strcmp(got, c->repr) == 0) test_passed++;
  else {
    test_failed++;
    report(c, "repr", got ? got : e.msg, c->repr);
  }
  free(got);
  got = npio_array_repr(&a, &c->o, 1, &e);
  if (got && strcmp(got, c->str) == 0) test_passed++;
  else {
    test_failed++;
    report(c, "str", got ? got : e.msg, c->str);
  }
  free(got);
  npio_array_release(&a);
  free(block);
}

/* Reads the fixture and runs every case; returns the number of cases. */
static int run_fixture(const char *path) {
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  tcase c;
  int ncases = 0;
  if (f == NULL) {
    fprintf(stderr, "FAIL cannot open %s\n", path);
    test_failed++;
    return 0;
  }
  memset(&c, 0, sizeof c);
  while ((len = getline(&line, &cap, f)) >= 0) {
    if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
    if (line[0] == '#' || line[0] == '\0') continue;
    if (strncmp(line, "case ", 5) == 0) {
      free_case(&c);
      snprintf(c.name, sizeof c.name, "%s", line + 5);
    }
    else if (strncmp(line, "descr ", 6) == 0) c.descr = dupstr(line + 6);
    else if (strncmp(line, "shape", 5) == 0)
      c.ndim = read_ints(line + 5, c.shape, NPIO_MAXDIMS);
    else if (strncmp(line, "strides", 7) == 0)
      read_ints(line + 7, c.strides, NPIO_MAXDIMS);
    else if (strncmp(line, "offset ", 7) == 0)
      c.offset = strtoll(line + 7, NULL, 10);
    else if (strncmp(line, "opts ", 5) == 0) {
      int64_t v[5] = {0};
      read_ints(line + 5, v, 5);
      c.o.precision = (int)v[0];
      c.o.threshold = v[1];
      c.o.linewidth = (int)v[2];
      c.o.suppress = (int)v[3];
      c.o.edgeitems = (int)v[4];
    }
    else if (strncmp(line, "data", 4) == 0) {
      const char *h = line + 4;
      size_t i, n;
      while (*h == ' ') h++;
      n = strlen(h) / 2;
      c.data = (unsigned char *)malloc(n + 1);
      c.ndata = n;
      for (i = 0; c.data && i < n; i++)
        c.data[i] = (unsigned char)(hexval(h[2 * i]) * 16 + hexval(h[2 * i + 1]));
    }
    else if (strncmp(line, "repr ", 5) == 0) c.repr = unescape(line + 5);
    else if (strncmp(line, "str ", 4) == 0) c.str = unescape(line + 4);
    else if (strcmp(line, "end") == 0) {
      if (c.descr && c.data && c.repr && c.str) run_case(&c);
      else {
        test_failed++;
        fprintf(stderr, "FAIL %s: incomplete record\n", c.name);
      }
      ncases++;
      free_case(&c);
    }
  }
  free_case(&c);
  free(line);
  fclose(f);
  return ncases;
}

/* Options, argument errors and closed memory. */
static void test_api(void) {
  npio_printopts o;
  npio_err e;
  npio_array a;
  double v[3] = {1.0, 2.5, -3.0};
  char *s;
  npio_printopts_default(&o);
  CHECK_EQ_INT(o.precision, 8);
  CHECK_EQ_INT(o.threshold, 1000);
  CHECK_EQ_INT(o.linewidth, 75);
  CHECK_EQ_INT(o.suppress, 0);
  CHECK_EQ_INT(o.edgeitems, 3);

  memset(&a, 0, sizeof a);
  a.dtype = npio_dtype_parse("float64", &e);
  a.storage = npio_storage_wrap(v, sizeof v, 1, NULL, NULL, &e);
  a.ndim = 1;
  a.shape[0] = 3;
  a.strides[0] = 8;
  s = npio_array_repr(&a, NULL, 0, &e);
  CHECK_STR(s, "array([ 1. ,  2.5, -3. ])");
  free(s);
  s = npio_array_repr(&a, NULL, 1, &e);
  CHECK_STR(s, "[ 1.   2.5 -3. ]");
  free(s);

  o.precision = -1;
  s = npio_array_repr(&a, &o, 0, &e);
  CHECK(s == NULL);
  CHECK_EQ_INT(e.code, NPIO_EVALUE);
  free(s);
  npio_printopts_default(&o);
  o.edgeitems = -2;
  s = npio_array_repr(&a, &o, 0, &e);
  CHECK(s == NULL);
  CHECK_EQ_INT(e.code, NPIO_EVALUE);

  a.shape[0] = 4;                       /* past the end of the memory */
  s = npio_array_repr(&a, NULL, 0, &e);
  CHECK(s == NULL);
  CHECK_EQ_INT(e.code, NPIO_EVALUE);
  a.shape[0] = 3;
  a.strides[0] = -8;                    /* before the start */
  s = npio_array_repr(&a, NULL, 0, &e);
  CHECK(s == NULL);
  a.offset = 16;
  s = npio_array_repr(&a, NULL, 0, &e);
  CHECK_STR(s, "array([-3. ,  2.5,  1. ])");
  free(s);

  npio_storage_close(a.storage);
  s = npio_array_repr(&a, NULL, 0, &e);
  CHECK(s == NULL);
  CHECK_EQ_INT(e.code, NPIO_ECLOSED);
  npio_array_release(&a);
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : DEFAULT_FIXTURE;
  int n;
  test_api();
  n = run_fixture(path);
  printf("repr: %d NumPy cases in %s\n", n, path);
  if (n < 300) {
    fprintf(stderr, "FAIL only %d cases in the fixture\n", n);
    test_failed++;
  }
  return test_report("repr");
}
