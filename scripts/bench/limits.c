/*
** limits.c -- the machine's physical limits, measured in the same run as
** npio's benchmark (scripts/bench/run.sh compiles it with cc -O2 ... -lz).
**
**   limits all DIR SIZE_MB [REPS]   measure everything below with buffers
**                                   and files of SIZE_MB MB (in DIR); print
**                                   one "@@L key median min max unit label"
**                                   line per figure
**   limits readfile PATH            read() PATH once, 16 MiB at a time into
**                                   one reused buffer; print "@@T seconds"
**   limits noop                     exit at once (start-up floor of a C
**                                   program)
**   limits spawn RES TIMEOUT ARGV...  run ARGV as a child (stdio inherited),
**                                   kill it after TIMEOUT seconds, write
**                                   "wall_seconds maxrss_kib wait_status"
**                                   to the file RES. The bench driver runs
**                                   every child through this small process
**                                   so that a child's peak RSS is its own
**                                   (Linux counts the pre-exec copy of the
**                                   parent in ru_maxrss) and its wall time
**                                   has no Python in it.
**
** Every figure is the median of REPS timed repetitions (default 5), in
** decimal units (1 GB/s = 1e9 bytes per second). Nothing here is npio code:
** it is the yardstick that npio's and NumPy's figures are read against.
*/

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAXREPS 32
#define HUGE_ALIGN ((size_t)2 << 20)
#define CHUNK ((size_t)16 << 20)

static volatile uint64_t sink;  /* keeps results observable */

static double now (void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die (const char *what, const char *path) {
  fprintf(stderr, "limits: %s%s%s: %s\n", what, path ? " " : "",
          path ? path : "", strerror(errno));
  exit(1);
}


/*
** Anonymous mapping of n bytes aligned to 2 MiB (so that transparent huge
** pages can back it); *base and *len receive what munmap needs. Pages are
** not touched here: a fresh buffer faults on first use, as a new array does.
*/
static char *fresh_buffer (size_t n, int huge, void **base, size_t *len) {
  size_t l = n + HUGE_ALIGN;
  char *p = mmap(NULL, l, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die("mmap", NULL);
  *base = p;
  *len = l;
  p = (char *)(((uintptr_t)p + HUGE_ALIGN - 1) & ~(uintptr_t)(HUGE_ALIGN - 1));
  if (huge) madvise(p, n, MADV_HUGEPAGE);
  else madvise(p, n, MADV_NOHUGEPAGE);
  return p;
}

static void write_all (int fd, const char *p, size_t n, const char *path) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("write", path);
    }
    p += w;
    n -= (size_t)w;
  }
}

static size_t read_all (int fd, char *p, size_t n, const char *path) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("read", path);
    }
    if (r == 0) break;
    got += (size_t)r;
  }
  return got;
}


/*
** {======================================================
** One timed repetition per function; each returns seconds.
** =======================================================
*/

static char *gsrc, *gdst;       /* SIZE bytes each, touched */
static size_t gsize;
static const char *gpath;       /* scratch file in DIR */

static double t_memcpy_warm (void) {
  double t0 = now();
  memcpy(gdst, gsrc, gsize);
  double t1 = now();
  sink += (uint64_t)gdst[gsize - 1];
  return t1 - t0;
}

static double timed_memcpy_fresh (int huge) {
  void *base; size_t len;
  char *d = fresh_buffer(gsize, huge, &base, &len);
  double t0 = now();
  memcpy(d, gsrc, gsize);
  double t1 = now();
  sink += (uint64_t)d[gsize - 1];
  munmap(base, len);
  return t1 - t0;
}

static double t_memcpy_fresh (void) { return timed_memcpy_fresh(0); }
static double t_memcpy_fresh_huge (void) { return timed_memcpy_fresh(1); }

static double t_bswap32 (void) {
  const uint32_t *s = (const uint32_t *)gsrc;
  uint32_t *d = (uint32_t *)gdst;
  size_t n = gsize / 4;
  double t0 = now();
  for (size_t i = 0; i < n; i++) d[i] = __builtin_bswap32(s[i]);
  double t1 = now();
  sink += d[n - 1];
  return t1 - t0;
}

/* create + (fallocate) + one write + (fsync) + close, as np.save does */
static double timed_write (int falloc, int dosync) {
  unlink(gpath);
  double t0 = now();
  int fd = open(gpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("open", gpath);
  if (falloc && posix_fallocate(fd, 0, (off_t)gsize) != 0) {
    /* not every file system has it: fall back silently */
  }
  write_all(fd, gsrc, gsize, gpath);
  if (dosync && fsync(fd) != 0) die("fsync", gpath);
  close(fd);
  double t1 = now();
  return t1 - t0;
}

static double t_write_falloc (void) { return timed_write(1, 0); }
static double t_write_plain (void) { return timed_write(0, 0); }
static double t_write_fsync (void) { return timed_write(0, 1); }

/* read the page-cached scratch file into a fresh buffer */
static double timed_read (int huge) {
  void *base; size_t len;
  char *d = fresh_buffer(gsize, huge, &base, &len);
  double t0 = now();
  int fd = open(gpath, O_RDONLY);
  if (fd < 0) die("open", gpath);
  size_t got = read_all(fd, d, gsize, gpath);
  close(fd);
  double t1 = now();
  if (got != gsize) { errno = EIO; die("short read", gpath); }
  sink += (uint64_t)d[gsize - 1];
  munmap(base, len);
  return t1 - t0;
}

static double t_read_huge (void) { return timed_read(1); }
static double t_read_4k (void) { return timed_read(0); }

static double t_mmap_sum (void) {
  double t0 = now();
  int fd = open(gpath, O_RDONLY);
  if (fd < 0) die("open", gpath);
  const uint64_t *p = mmap(NULL, gsize, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) die("mmap", gpath);
  uint64_t s = 0;
  size_t n = gsize / 8;
  for (size_t i = 0; i < n; i++) s += p[i];
  munmap((void *)p, gsize);
  close(fd);
  double t1 = now();
  sink += s;
  return t1 - t0;
}

static double t_crc32 (void) {
  double t0 = now();
  uLong c = crc32_z(0L, (const Bytef *)gsrc, gsize);
  double t1 = now();
  sink += c;
  return t1 - t0;
}

/* text: NVALS doubles as CSV rows of 10, formatted and parsed back */
static double *gvals;
static size_t nvals;
static char *gtext;
static size_t gtextcap, gtextlen;

static double timed_format (const char *fmt) {
  double t0 = now();
  char *p = gtext, *end = gtext + gtextcap;
  for (size_t i = 0; i < nvals; i++) {
    int w = snprintf(p, (size_t)(end - p), fmt, gvals[i]);
    p += w;
    *p++ = (i % 10 == 9) ? '\n' : ',';
  }
  double t1 = now();
  gtextlen = (size_t)(p - gtext);
  return t1 - t0;
}

static double t_fmt_18e (void) { return timed_format("%.18e"); }
static double t_fmt_6g (void) { return timed_format("%.6g"); }

static double t_strtod (void) {
  double t0 = now();
  const char *p = gtext, *end = gtext + gtextlen;
  double s = 0;
  while (p < end) {
    char *q;
    s += strtod(p, &q);
    p = q + 1;  /* skip ',' or '\n' */
  }
  double t1 = now();
  sink += (uint64_t)s;
  return t1 - t0;
}

/* }====================================================== */


static int cmpd (const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/*
** Run f reps times and print the rate bytes/second as
** "@@L key median min max unit label" in the unit given (GB/s or MB/s).
*/
static void report (const char *key, double (*f)(void), int reps,
                    double bytes, const char *unit, const char *label) {
  double t[MAXREPS];
  for (int i = 0; i < reps; i++) t[i] = f();
  qsort(t, (size_t)reps, sizeof t[0], cmpd);
  double scale = (strcmp(unit, "GB/s") == 0) ? 1e9 : 1e6;
  double med = (reps % 2) ? t[reps / 2] : 0.5 * (t[reps / 2 - 1] + t[reps / 2]);
  printf("@@L %s %.4g %.4g %.4g %s %s\n", key, bytes / med / scale,
         bytes / t[reps - 1] / scale, bytes / t[0] / scale, unit, label);
  fflush(stdout);
}

static void lcg_fill (void) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  uint64_t *p = (uint64_t *)gsrc;
  for (size_t i = 0; i < gsize / 8; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    p[i] = x;
  }
  memset(gdst, 1, gsize);
  for (size_t i = 0; i < nvals; i++) {  /* normal-ish values, sign mixed */
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    double u = (double)(x >> 11) * (1.0 / 9007199254740992.0);
    gvals[i] = (u - 0.5) * ((i % 7 == 0) ? 1e5 : 3.0);
  }
}

static void thp_setting (void) {
  char buf[128] = "unknown";
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (f) {
    if (!fgets(buf, sizeof buf, f)) strcpy(buf, "unknown");
    fclose(f);
  }
  buf[strcspn(buf, "\n")] = '\0';
  printf("@@I thp %s\n", buf);
}

static int do_all (const char *dir, long mb, int reps) {
  char path[4096];
  if (reps < 1) reps = 1;
  if (reps > MAXREPS) reps = MAXREPS;
  snprintf(path, sizeof path, "%s/limits.scratch", dir);
  gpath = path;
  gsize = (size_t)mb * 1000000u;
  gsize &= ~(size_t)63;
  nvals = gsize / 800 < 1000000 ? gsize / 800 : 1000000;  /* 1M at 800 MB */
  if (nvals < 10000) nvals = 10000;
  nvals -= nvals % 10;
  if (posix_memalign((void **)&gsrc, HUGE_ALIGN, gsize) != 0 ||
      posix_memalign((void **)&gdst, HUGE_ALIGN, gsize) != 0) die("alloc", NULL);
  gvals = malloc(nvals * sizeof *gvals);
  gtextcap = nvals * 32 + 64;
  gtext = malloc(gtextcap);
  if (!gvals || !gtext) die("alloc", NULL);
  lcg_fill();
  double B = (double)gsize;
  printf("@@I size %zu\n@@I reps %d\n", gsize, reps);
  thp_setting();
  report("memcpy", t_memcpy_warm, reps, B, "GB/s",
         "memcpy, warm destination (bytes copied)");
  report("memcpy_fresh", t_memcpy_fresh, reps, B, "GB/s",
         "memcpy into a fresh buffer (4 KB page faults)");
  report("memcpy_fresh_huge", t_memcpy_fresh_huge, reps, B, "GB/s",
         "memcpy into a fresh buffer, MADV_HUGEPAGE");
  report("bswap32", t_bswap32, reps, B, "GB/s", "byteswap copy of 4-byte items");
  report("write_falloc", t_write_falloc, reps, B, "GB/s",
         "write page-cached file: fallocate + one write");
  report("write_plain", t_write_plain, reps, B, "GB/s",
         "write page-cached file: one plain write");
  report("write_fsync", t_write_fsync, reps < 3 ? reps : 3, B, "GB/s",
         "write + fsync");
  t_write_plain();                     /* leave a cached file to read */
  report("read_huge", t_read_huge, reps, B, "GB/s",
         "read cached file into fresh buffer, MADV_HUGEPAGE");
  report("read_4k", t_read_4k, reps, B, "GB/s",
         "read cached file into fresh buffer, 4 KB pages");
  report("mmap_sum", t_mmap_sum, reps, B, "GB/s", "mmap cached file + sum");
  unlink(path);
  report("crc32", t_crc32, reps, B, "GB/s", "zlib crc32() in memory");
  t_fmt_18e();                         /* sizes the output */
  report("fmt_18e", t_fmt_18e, reps, (double)gtextlen, "MB/s",
         "snprintf %.18e (CSV bytes out)");
  report("strtod_18e", t_strtod, reps, (double)gtextlen, "MB/s",
         "strtod on %.18e CSV (bytes in)");
  t_fmt_6g();
  report("fmt_6g", t_fmt_6g, reps, (double)gtextlen, "MB/s",
         "snprintf %.6g (CSV bytes out)");
  report("strtod_6g", t_strtod, reps, (double)gtextlen, "MB/s",
         "strtod on %.6g CSV (bytes in)");
  free(gsrc); free(gdst); free(gvals); free(gtext);
  return 0;
}

static int do_readfile (const char *path) {
  void *base; size_t len;
  char *buf = fresh_buffer(CHUNK, 0, &base, &len);
  memset(buf, 0, CHUNK);               /* a reused, already touched buffer */
  double t0 = now();
  int fd = open(path, O_RDONLY);
  if (fd < 0) die("open", path);
  uint64_t total = 0;
  for (;;) {
    size_t got = read_all(fd, buf, CHUNK, path);
    total += got;
    if (got < CHUNK) break;
  }
  close(fd);
  double t1 = now();
  sink += (uint64_t)buf[0];
  munmap(base, len);
  printf("@@T %.9f\n@@K bytes %llu\n", t1 - t0, (unsigned long long)total);
  return 0;
}

static volatile pid_t child_pid;

static void on_alarm (int sig) {
  (void)sig;
  if (child_pid > 0) kill(child_pid, SIGKILL);
}

/*
** Fork and exec argv, wait for it with wait4 and write its wall time, peak
** RSS and wait status to resfile. A child still running after timeout
** seconds is killed (status then says SIGKILL).
*/
static int do_spawn (const char *resfile, double timeout, char **argv) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  double t0 = now();
  pid_t pid = fork();
  if (pid < 0) die("fork", NULL);
  if (pid == 0) {
    execvp(argv[0], argv);
    fprintf(stderr, "cannot start %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  child_pid = pid;
  struct itimerval it;
  memset(&it, 0, sizeof it);
  it.it_value.tv_sec = (time_t)timeout;
  it.it_value.tv_usec = (suseconds_t)((timeout - (double)(time_t)timeout) * 1e6);
  if (timeout > 0) setitimer(ITIMER_REAL, &it, NULL);
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) die("wait4", NULL);
  }
  double t1 = now();
  FILE *f = fopen(resfile, "w");
  if (!f) die("open", resfile);
  fprintf(f, "%.9f %ld %d\n", t1 - t0, (long)ru.ru_maxrss, status);
  fclose(f);
  return 0;
}

int main (int argc, char **argv) {
  if (argc >= 5 && strcmp(argv[1], "spawn") == 0)
    return do_spawn(argv[2], atof(argv[3]), argv + 4);
  if (argc >= 2 && strcmp(argv[1], "noop") == 0) return 0;
  if (argc == 3 && strcmp(argv[1], "readfile") == 0) return do_readfile(argv[2]);
  if ((argc == 4 || argc == 5) && strcmp(argv[1], "all") == 0)
    return do_all(argv[2], atol(argv[3]), argc == 5 ? atoi(argv[4]) : 5);
  fprintf(stderr, "usage: limits all DIR SIZE_MB [REPS] | readfile PATH | noop"
                  " | spawn RES TIMEOUT ARGV...\n");
  return 2;
}
