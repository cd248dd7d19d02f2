/*
** fuzz_common.h -- helpers shared by the libFuzzer harnesses in tests/fuzz.
** Harness invariants that fail call fuzz_fail(), which aborts: libFuzzer
** then records the input as a crash.
*/
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npio.h"

#define fuzz_fail(...) do { \
    fprintf(stderr, "fuzz invariant failed at %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); abort(); \
  } while (0)

/* A memory byte source that returns 1..chunk bytes per call and, when
** 'eintr' is set, fails every third call with EINTR (RELIABILITY A8). */
typedef struct fuzz_src {
  const uint8_t *p;
  size_t n, pos;
  size_t chunk;        /* 0: as much as asked */
  int eintr;
  unsigned calls;
} fuzz_src;

static inline int64_t fuzz_read(void *ud, void *buf, size_t n) {
  fuzz_src *s = (fuzz_src *)ud;
  size_t k = s->n - s->pos;
  s->calls++;
  if (s->eintr && s->calls % 3 == 0) { errno = EINTR; return -1; }
  if (k > n) k = n;
  if (s->chunk && k > s->chunk) k = 1 + (s->calls * 7919u) % s->chunk;
  if (k > n) k = n;
  memcpy(buf, s->p + s->pos, k);
  s->pos += k;
  return (int64_t)k;
}

/* A --mem-like budget: array memory beyond this is refused (ENOMEM), so
** a header promising terabytes costs an error, not the machine. */
#define FUZZ_BUDGET ((int64_t)256 << 20)
__attribute__((unused)) static int64_t fuzz_charged;
static inline int fuzz_charge(void *ud, int64_t delta) {
  (void)ud;
  if (delta > 0 && fuzz_charged + delta > FUZZ_BUDGET) return 1;
  fuzz_charged += delta;
  return 0;
}
__attribute__((unused)) static const npio_memhook fuzz_hook = {fuzz_charge, NULL};

typedef struct fuzz_blocks { uint64_t h; int64_t n; } fuzz_blocks;
static inline int fuzz_block(void *ud, const char *p, size_t n) {
  fuzz_blocks *b = (fuzz_blocks *)ud;
  size_t i;
  for (i = 0; i < n; i++) { b->h ^= (unsigned char)p[i]; b->h *= 0x100000001b3ULL; }
  b->n += (int64_t)n;
  return 0;
}
/* FNV-1a of the elements of 'a' in C order, and their byte count. */
static inline int fuzz_hash(const npio_array *a, uint64_t *h, int64_t *n) {
  npio_err e;
  fuzz_blocks b = {0xcbf29ce484222325ULL, 0};
  int st = npio_array_foreach_block(a, 0, fuzz_block, &b, &e);
  *h = b.h;
  *n = b.n;
  return st;
}

#endif
