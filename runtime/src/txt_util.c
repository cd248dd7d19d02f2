/*
** txt_util.c -- shared machinery of the text readers and writer: blocks
** of whole lines, growable result memory, the progress bar, and a small
** pool of worker threads whose results are taken back in order.
*/
#include "txt_int.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* {======================================================
** Blocks of whole lines
** ======================================================= */

static size_t block_size = TXT_BLOCK;

size_t txt_block(void) { return block_size; }
void txt_set_block(size_t n) { block_size = n ? n : TXT_BLOCK; }

void txt_reader_init(txt_reader *r, npio_txt_src *src, int64_t max_line) {
  memset(r, 0, sizeof *r);
  r->src = src;
  r->max_line = max_line > 0 ? max_line : TXT_MAX_LINE;
  r->linewise = txt_src_linewise(src);
}

void txt_reader_free(txt_reader *r) {
  free(r->buf);
  npio_buf_free(&r->line);
  r->buf = NULL;
}

/* Grows *p to hold at least n bytes. */
static int ensure(char **p, size_t *cap, size_t n) {
  if (*cap >= n) return 0;
  {
    size_t nc = *cap ? *cap : 4096;
    char *q;
    while (nc < n) nc = nc > SIZE_MAX / 2 ? n : nc * 2;
    q = (char *)realloc(*p, nc);
    if (q == NULL) return -1;
    *p = q;
    *cap = nc;
  }
  return 0;
}

/* Grows a block buffer (an anonymous map, huge pages when large) to at
** least n bytes, keeping its contents. */
static int big_ensure(char **p, size_t *cap, size_t n) {
  size_t nc;
  void *q;
  if (*cap >= n && *p != NULL) return 0;
  nc = *cap * 2 > n ? *cap * 2 : n;
  nc = (nc + ((size_t)2 << 20) - 1) & ~(((size_t)2 << 20) - 1);
  if (*p == NULL)
    q = mmap(NULL, nc, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
  else
    q = mremap(*p, *cap, nc, MREMAP_MAYMOVE);
  if (q == MAP_FAILED) return -1;
  *p = (char *)q;
  *cap = nc;
  return 0;
}

void txt_block_free(char *blk, size_t cap) {
  if (blk != NULL) munmap(blk, cap);
}

/* Offset just after the last line end in [0, n), keeping a final \r
** (it may start a \r\n) unless at the end of the text; 0 if none. */
static size_t last_line_end(const char *p, size_t n, int eof) {
  size_t i = n;
  if (!eof && i > 0 && p[i - 1] == '\r') i--;
  while (i > 0) {
    char c = p[i - 1];
    if (c == '\n' || c == '\r') return i;
    i--;
  }
  return 0;
}

int txt_reader_next(txt_reader *r, char **blk, size_t *cap, size_t *n,
                    size_t want, npio_err *e) {
  size_t have;
  if (r->linewise) {                    /* carry-over, then one line */
    int64_t k = txt_src_readline(r->src, &r->line, e);
    if (k < 0) return e->code;
    if (k == 0) r->eof = 1;
    if (big_ensure(blk, cap, r->len + (size_t)k + 1))
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    if (r->len) memcpy(*blk, r->buf, r->len);
    if (k) memcpy(*blk + r->len, r->line.p, (size_t)k);
    *n = r->len + (size_t)k;
    r->len = 0;
    r->handed += (int64_t)*n;
    return NPIO_OK;
  }
  if (big_ensure(blk, cap, want + r->len + 1))
    return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  if (r->len) memcpy(*blk, r->buf, r->len);
  have = r->len;
  r->len = 0;
  for (;;) {
    size_t cut;
    while (have < want && !r->eof) {
      int64_t k = txt_src_read(r->src, *blk + have, want - have, e);
      if (k < 0) return e->code;
      if (k == 0) r->eof = 1;
      have += (size_t)k;
    }
    cut = last_line_end(*blk, have, r->eof);
    if (r->eof && (cut == 0 || cut < have)) cut = have;   /* last line */
    if (cut > 0) {
      size_t rest = have - cut;
      if (rest) {
        if (ensure(&r->buf, &r->cap, rest))
          return npio_seterr(e, NPIO_ENOMEM, "out of memory");
        memcpy(r->buf, *blk + cut, rest);
      }
      r->len = rest;
      *n = cut;
      r->handed += (int64_t)cut;
      return NPIO_OK;
    }
    if (have == 0 && r->eof) { *n = 0; return NPIO_OK; }
    /* a line longer than the block: read more */
    if ((int64_t)have >= r->max_line)
      return npio_seterr(e, NPIO_ELIMIT, "a line is longer than max_line "
                         "(%lld bytes); pass a larger max_line",
                         (long long)r->max_line);
    want = have * 2;
    if ((int64_t)want > r->max_line + 1) want = (size_t)r->max_line + 1;
    if (big_ensure(blk, cap, want + 1))
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
}

int txt_reader_unget(txt_reader *r, const char *p, size_t n, npio_err *e) {
  if (ensure(&r->buf, &r->cap, r->len + n))
    return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  memmove(r->buf + n, r->buf, r->len);
  memcpy(r->buf, p, n);
  r->len += n;
  r->handed -= (int64_t)n;
  return NPIO_OK;
}

int64_t txt_count_lines(const char *p, size_t n) {
  int64_t c = 0;
  const char *end = p + n;
  while (p < end) {
    const char *q = (const char *)memchr(p, '\n', (size_t)(end - p));
    const char *r = (const char *)memchr(p, '\r', (size_t)((q ? q : end) - p));
    if (r != NULL) {                   /* a \r before the next \n */
      c++;
      p = r + 1;
      if (p < end && *p == '\n') p++;
      continue;
    }
    if (q == NULL) break;
    c++;
    p = q + 1;
  }
  return c;
}

int txt_sepmap(const char *p, size_t n, const char *set, int nset,
               uint64_t *bits) {
  size_t i = 0, nw = (n + 63) / 64, w;
  unsigned hi = 0;
  char c[4];
  int k;
  for (k = 0; k < 4; k++) c[k] = set[k < nset ? k : 0];
#ifdef __SSE2__
  {
    __m128i s0 = _mm_set1_epi8(c[0]), s1 = _mm_set1_epi8(c[1]);
    __m128i s2 = _mm_set1_epi8(c[2]), s3 = _mm_set1_epi8(c[3]);
    __m128i any = _mm_setzero_si128();
    size_t full = n / 64;
    for (w = 0; w < full; w++, i += 64) {
      uint64_t m = 0;
      int q;
      for (q = 0; q < 4; q++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p + i + 16 * q));
        __m128i e = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, s0), _mm_cmpeq_epi8(x, s1)),
            _mm_or_si128(_mm_cmpeq_epi8(x, s2), _mm_cmpeq_epi8(x, s3)));
        any = _mm_or_si128(any, x);
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(e) << (16 * q);
      }
      bits[w] = m;
    }
    hi = (unsigned)_mm_movemask_epi8(any);
  }
#else
  w = 0;
#endif
  for (; w < nw; w++, i += 64) {            /* the rest, byte by byte */
    uint64_t m = 0;
    size_t j, lim = n - i < 64 ? n - i : 64;
    for (j = 0; j < lim; j++) {
      char ch = p[i + j];
      m |= (uint64_t)(ch == c[0] || ch == c[1] || ch == c[2] || ch == c[3])
           << j;
      hi |= (unsigned char)ch >> 7;
    }
    bits[w] = m;
  }
  return hi == 0;
}

int64_t txt_utf8_check(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    /* skip ASCII 32, then eight bytes at a time */
    while (i + 32 <= n) {
      uint64_t w[4];
      memcpy(w, p + i, 32);
      if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ull) break;
      i += 32;
    }
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) { i++; continue; }
    {
      unsigned c = p[i];
      size_t len;
      uint32_t cp;
      if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
      else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
      else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
      else return (int64_t)i;
      if (i + len > n) return (int64_t)i;
      {
        size_t k;
        for (k = 1; k < len; k++) {
          if ((p[i + k] & 0xC0) != 0x80) return (int64_t)i;
          cp = (cp << 6) | (p[i + k] & 0x3F);
        }
      }
      if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
          cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return (int64_t)i;
      i += len;
    }
  }
  return -1;
}

/* }====================================================== */

/* {======================================================
** Growable result memory
** ======================================================= */

#define GROW_ROUND ((size_t)2 << 20)   /* big results: huge pages */
#define GROW_PAGE ((size_t)4096)

void txt_grow_init(txt_grow *g, const npio_memhook *hook) {
  memset(g, 0, sizeof *g);
  g->hook = hook;
}

static int charge(txt_grow *g, int64_t delta) {
  if (g->hook && g->hook->charge && delta != 0) {
    if (g->hook->charge(g->hook->ud, delta) != 0) return -1;
  }
  g->charged += delta;
  return 0;
}

int txt_grow_reserve(txt_grow *g, size_t n, npio_err *e) {
  size_t need, nc;
  void *q;
  if (g->cap - g->len >= n && g->p != NULL) return NPIO_OK;
  if (n > SIZE_MAX / 4 - g->len)
    return npio_seterr(e, NPIO_ENOMEM, "result too large");
  need = g->len + n;
  nc = g->cap + g->cap / 4;               /* grow by a quarter */
  if (nc < need) nc = need;
  if (nc >= GROW_ROUND) nc = (nc + GROW_ROUND - 1) / GROW_ROUND * GROW_ROUND;
  else {                                  /* small: pages, doubling */
    if (nc < 2 * g->cap) nc = 2 * g->cap;
    nc = (nc + GROW_PAGE - 1) / GROW_PAGE * GROW_PAGE;
  }
  if (charge(g, (int64_t)(nc - g->cap)) != 0)
    return npio_seterr(e, NPIO_ENOMEM, "memory limit exceeded: cannot grow "
                       "the result to %zu bytes", nc);
  if (g->p == NULL) {
    q = mmap(NULL, nc, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
  } else {
    q = mremap(g->p, g->cap, nc, MREMAP_MAYMOVE);
  }
  if (q == MAP_FAILED) {
    charge(g, -(int64_t)(nc - g->cap));
    return npio_seterr(e, NPIO_ENOMEM, "out of memory growing the result "
                       "to %zu bytes", nc);
  }
#ifdef MADV_HUGEPAGE
  if (nc >= GROW_ROUND) madvise(q, nc, MADV_HUGEPAGE);
#endif
  g->p = (char *)q;
  g->cap = nc;
  return NPIO_OK;
}

void txt_grow_free(txt_grow *g) {
  if (g->p) munmap(g->p, g->cap);
  charge(g, -g->charged);
  g->p = NULL;
  g->len = g->cap = 0;
}

/* Release callback of result storage: ctx holds the mapped length. */
static void grow_release(void *ctx, void *data, size_t nbytes) {
  (void)nbytes;
  munmap(data, (size_t)(uintptr_t)ctx);
}

int txt_grow_finish(txt_grow *g, npio_dtype *dt, int ndim,
                    const int64_t *shape, npio_array *out, npio_err *e) {
  int64_t n, nbytes, stride;
  size_t maplen, page = (size_t)sysconf(_SC_PAGESIZE);
  npio_storage *st;
  int i;
  memset(out, 0, sizeof *out);
  if (npio_shape_size(ndim, shape, &n, e) != NPIO_OK) return e->code;
  if (npio_mul_overflow(n, dt->itemsize, &nbytes))
    return npio_seterr(e, NPIO_EVALUE, "result too large");
  if (g->p == NULL && txt_grow_reserve(g, 1, e) != NPIO_OK) return e->code;
  if ((size_t)nbytes > g->cap)
    return npio_seterr(e, NPIO_EVALUE, "internal error: result size");
  maplen = ((size_t)nbytes + page - 1) / page * page;
  if (maplen == 0) maplen = page;
  if (maplen < g->cap) {                 /* give back the tail */
    void *q = mremap(g->p, g->cap, maplen, 0);
    if (q != MAP_FAILED) {
      charge(g, -(int64_t)(g->cap - maplen));
      g->cap = maplen;
    }
  }
  maplen = g->cap;
  st = npio_storage_wrap(g->p, (size_t)nbytes, 0, grow_release,
                         (void *)(uintptr_t)maplen, e);
  if (st == NULL) return e->code;
  /* charged as heap memory: exactly nbytes from now on */
  charge(g, (int64_t)nbytes - g->charged);
  st->kind = NPIO_MEM_HEAP;
  st->hook = g->hook;
  g->charged = 0;
  g->p = NULL;
  g->len = g->cap = 0;
  out->storage = st;
  out->dtype = npio_dtype_ref(dt);
  out->ndim = ndim;
  stride = dt->itemsize;
  for (i = ndim - 1; i >= 0; i--) {
    out->shape[i] = shape[i];
    out->strides[i] = stride;
    stride *= shape[i] ? shape[i] : 1;
  }
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Progress
** ======================================================= */

double txt_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void txt_progress_init(txt_progress *p, npio_progress_fn fn, void *ud,
                       int bar) {
  memset(p, 0, sizeof *p);
  p->t0 = p->last = txt_now();
  p->tty = bar && isatty(2);
  p->fn = fn;
  p->ud = ud;
}

/* Formats a byte count as "12.3 MB" (no %f: the locale must not
** turn the point into a comma). */
static void human(char *out, size_t cap, double v) {
  const char *u[] = {"B", "kB", "MB", "GB", "TB"};
  int i = 0;
  long long t;
  while (v >= 1000 && i < 4) { v /= 1000; i++; }
  t = (long long)(v * 10 + 0.5);
  if (i) snprintf(out, cap, "%lld.%lld %s", t / 10, t % 10, u[i]);
  else snprintf(out, cap, "%lld %s", (long long)(v + 0.5), u[i]);
}

static void draw(txt_progress *p, int64_t done, int64_t total, double now) {
  char a[32], b[32], r[32], line[256], bar[31];
  double el = now - p->t0, rate = el > 0 ? (double)done / el : 0;
  int k;
  human(a, sizeof a, (double)done);
  human(r, sizeof r, rate);
  if (total > 0) {
    double frac = (double)done / (double)total;
    int left;
    if (frac > 1) frac = 1;
    for (k = 0; k < 30; k++) bar[k] = k < (int)(frac * 30) ? '#' : '.';
    bar[30] = '\0';
    human(b, sizeof b, (double)total);
    left = rate > 0 ? (int)(((double)total - (double)done) / rate) : 0;
    snprintf(line, sizeof line, "\r[%s] %3d%% %s / %s  %s/s  %d:%02d left ",
             bar, (int)(frac * 100), a, b, r, left / 60, left % 60);
  } else {
    snprintf(line, sizeof line, "\r%s  %s/s ", a, r);
  }
  fputs(line, stderr);
  fflush(stderr);
  p->shown = 1;
}

int txt_progress_step(txt_progress *p, int64_t done, int64_t total) {
  double now;
  if (p->fn == NULL && !p->tty) return 0;
  now = txt_now();
  if (now - p->last < 0.05) return 0;
  p->last = now;
  if (p->tty && now - p->t0 >= 1.0) draw(p, done, total, now);
  if (p->fn) return p->fn(p->ud, done, total);
  return 0;
}

void txt_progress_end(txt_progress *p, int64_t done, int64_t total) {
  if (p->fn) p->fn(p->ud, done, total);
  if (p->shown) {
    draw(p, done, total > 0 ? total : done, txt_now());
    fputc('\n', stderr);
  }
}

/* }====================================================== */

/* {======================================================
** Worker threads
** ======================================================= */

int txt_ncpu(void) {
  int n = 1;
#ifdef CPU_COUNT
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  else
#endif
  n = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  if (n > TXT_MAX_THREADS) n = TXT_MAX_THREADS;
  return n;
}

static void *worker(void *arg) {
  txt_pool *p = (txt_pool *)arg;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    txt_job *j;
    while (p->head == NULL && !p->stop) pthread_cond_wait(&p->cv_work, &p->mu);
    if (p->head == NULL) break;
    j = p->head;
    p->head = j->next;
    if (p->head == NULL) p->tail = NULL;
    pthread_mutex_unlock(&p->mu);
    p->fn(p->ctx, j->data);
    pthread_mutex_lock(&p->mu);
    j->done = 1;
    pthread_cond_broadcast(&p->cv_done);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

int txt_pool_start(txt_pool *p, int nthreads, void (*fn)(void *, void *),
                   void *ctx) {
  int i;
  memset(p, 0, sizeof *p);
  p->fn = fn;
  p->ctx = ctx;
  if (nthreads > TXT_MAX_THREADS) nthreads = TXT_MAX_THREADS;
  if (nthreads <= 0) return NPIO_OK;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv_work, NULL);
  pthread_cond_init(&p->cv_done, NULL);
  for (i = 0; i < nthreads; i++) {
    if (pthread_create(&p->th[i], NULL, worker, p) != 0) break;
  }
  p->nthreads = i;
  if (i == 0) {               /* no threads: run jobs inline */
    pthread_cond_destroy(&p->cv_work);
    pthread_cond_destroy(&p->cv_done);
    pthread_mutex_destroy(&p->mu);
  }
  return NPIO_OK;
}

void txt_pool_submit(txt_pool *p, txt_job *j) {
  j->done = 0;
  j->next = NULL;
  if (p->nthreads == 0) {
    p->fn(p->ctx, j->data);
    j->done = 1;
    return;
  }
  pthread_mutex_lock(&p->mu);
  if (p->tail) p->tail->next = j;
  else p->head = j;
  p->tail = j;
  pthread_cond_signal(&p->cv_work);
  pthread_mutex_unlock(&p->mu);
}

void txt_pool_wait(txt_pool *p, txt_job *j) {
  if (p->nthreads == 0) return;
  pthread_mutex_lock(&p->mu);
  while (!j->done) pthread_cond_wait(&p->cv_done, &p->mu);
  pthread_mutex_unlock(&p->mu);
}

void txt_pool_stop(txt_pool *p) {
  int i;
  if (p->nthreads == 0) return;
  pthread_mutex_lock(&p->mu);
  p->stop = 1;
  pthread_cond_broadcast(&p->cv_work);
  pthread_mutex_unlock(&p->mu);
  for (i = 0; i < p->nthreads; i++) pthread_join(p->th[i], NULL);
  pthread_cond_destroy(&p->cv_work);
  pthread_cond_destroy(&p->cv_done);
  pthread_mutex_destroy(&p->mu);
  p->nthreads = 0;
}

/* }====================================================== */
