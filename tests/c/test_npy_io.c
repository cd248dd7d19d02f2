/*
** test_npy_io.c -- .npy I/O through the C API: file descriptors, readers
** that return one byte at a time or fail with EINTR, atomic saves that
** fail without touching the old file, and appends.
*/
#include "npio.h"
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/npio-test-XXXXXX";

static void path(char *out, const char *name) {
  snprintf(out, 256, "%s/%.200s", dir, name);
}

/* a 3x4 float64 array 0..11 */
static void make_array(npio_array *a) {
  int64_t shape[2] = {3, 4};
  npio_dtype *d = npio_dtype_parse("<f8", NULL);
  double *p;
  int i;
  npio_array_init(a, d, 2, shape, 0, 0, NULL, NULL);
  npio_dtype_unref(d);
  p = (double *)npio_array_data(a, NULL);
  for (i = 0; i < 12; i++) p[i] = i;
}

/* A reader over memory that hands out 1 byte per call and fails with
** EINTR every other call (the loader must retry). */
typedef struct slow { const char *p; size_t n, pos; int calls; } slow;

static int64_t slow_read(void *ud, void *buf, size_t n) {
  slow *s = (slow *)ud;
  (void)n;
  if (s->calls++ % 2 == 0) { errno = EINTR; return -1; }
  if (s->pos >= s->n) return 0;
  ((char *)buf)[0] = s->p[s->pos++];
  return 1;
}

static char *readall(const char *p, size_t *n) {
  FILE *f = fopen(p, "rb");
  char *buf;
  long len;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  len = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (char *)malloc((size_t)len + 1);
  *n = fread(buf, 1, (size_t)len, f);
  fclose(f);
  return buf;
}

int main(void) {
  char p1[300], p2[300], sub[256];
  npio_array a, b;
  npio_err e;
  npio_save_opts so = {1, 0, 0};
  int fd;
  size_t n1, n2;
  char *s1, *s2;
  if (mkdtemp(dir) == NULL) return 1;
  make_array(&a);

  /* fd save and load, twice in a row in one file */
  path(p1, "two.npy");
  fd = open(p1, O_RDWR | O_CREAT | O_TRUNC, 0644);
  CHECK_EQ_INT(npio_npy_save_fd(fd, &a, &e), NPIO_OK);
  CHECK_EQ_INT(npio_npy_save_fd(fd, &a, &e), NPIO_OK);
  lseek(fd, 0, SEEK_SET);
  CHECK_EQ_INT(npio_npy_load_fd(fd, NULL, &b, &e), NPIO_OK);
  CHECK_EQ_INT(b.ndim, 2);
  CHECK(memcmp(npio_array_data(&b, NULL), npio_array_data(&a, NULL), 96) == 0);
  npio_array_release(&b);
  CHECK_EQ_INT(npio_npy_load_fd(fd, NULL, &b, &e), NPIO_OK);
  CHECK(((double *)npio_array_data(&b, NULL))[11] == 11.0);
  npio_array_release(&b);
  CHECK(npio_npy_load_fd(fd, NULL, &b, &e) != NPIO_OK);   /* at the end */
  close(fd);

  /* a reader returning one byte per call, with EINTR in between */
  path(p2, "one.npy");
  CHECK_EQ_INT(npio_npy_save_path(p2, &a, &so, &e), NPIO_OK);
  s1 = readall(p2, &n1);
  {
    slow sr = {s1, n1, 0, 0};
    npio_reader r = {slow_read, &sr};
    CHECK_EQ_INT(npio_npy_load(&r, NULL, &b, &e), NPIO_OK);
    CHECK(memcmp(npio_array_data(&b, NULL), npio_array_data(&a, NULL), 96) == 0);
    npio_array_release(&b);
    /* the same stream cut one byte short: a truncation error */
    sr.pos = 0; sr.n = n1 - 1;
    CHECK(npio_npy_load(&r, NULL, &b, &e) == NPIO_EFORMAT);
    CHECK(strstr(e.msg, "truncated") != NULL);
  }

  /* an atomic save that fails (its folder is gone) keeps the old file */
  path(sub, "gone");
  mkdir(sub, 0755);
  snprintf(p1, sizeof(p1), "%s/x.npy", sub);
  CHECK_EQ_INT(npio_npy_save_path(p1, &a, &so, &e), NPIO_OK);
  {
    npio_array closed;
    npio_array_view(&closed, &a);
    npio_storage_close(closed.storage);   /* frees a's memory too */
    CHECK_EQ_INT(npio_npy_save_path(p1, &closed, &so, &e), NPIO_ECLOSED);
    npio_array_release(&closed);
  }
  npio_array_release(&a);
  make_array(&a);
  s2 = readall(p1, &n2);
  CHECK(s2 != NULL && n2 == n1 && memcmp(s1, s2, n1) == 0);
  free(s2);
  {
    /* nothing but x.npy is left in the folder: no temporary files */
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1", sub);
    CHECK(system(cmd) == 0);
  }

  /* append: rows grow, the header keeps its length, NumPy's padding */
  CHECK_EQ_INT(npio_npy_save_path(p2, &a, &so, &e), NPIO_OK);
  {
    npio_save_opts ap = {1, 0, 1};
    CHECK_EQ_INT(npio_npy_save_path(p2, &a, &ap, &e), NPIO_OK);
    CHECK_EQ_INT(npio_npy_load_path(p2, NULL, &b, &e), NPIO_OK);
    CHECK_EQ_INT(b.shape[0], 6);
    CHECK(((double *)npio_array_data(&b, NULL))[23] == 11.0);
    npio_array_release(&b);
    s2 = readall(p2, &n2);
    CHECK(n2 == n1 + 96);
    CHECK(s2 && memcmp(s2, s1, 8) == 0 && s2[127] == '\n');
    free(s2);
  }
  free(s1);
  npio_array_release(&a);
  {
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0) return 1;
  }
  return test_report("npy_io");
}
