/*
** random.c -- NumPy's legacy RandomState streams, bit for bit: the
** MT19937 generator (Matsumoto and Nishimura's algorithm and seeding),
** and the way NumPy turns its words into doubles, Gaussians and bounded
** integers.
*/
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "random.h"

/* {======================================================
** MT19937
** ======================================================= */

#define MT_M 397
#define MT_MATRIX 0x9908b0dfU
#define MT_UPPER 0x80000000U
#define MT_LOWER 0x7fffffffU

void rnd_seed(rnd_state *s, uint32_t seed) {
  int i;
  s->key[0] = seed;
  for (i = 1; i < RND_N; i++)
    s->key[i] = 1812433253U * (s->key[i - 1] ^ (s->key[i - 1] >> 30)) +
                (uint32_t)i;
  s->pos = RND_N;
  s->has_gauss = 0;
  s->gauss = 0;
}

void rnd_seed_array(rnd_state *s, const uint32_t *key, int64_t n) {
  int i = 1;
  int64_t j = 0, k;
  uint32_t *mt = s->key;
  rnd_seed(s, 19650218U);
  for (k = RND_N > n ? RND_N : n; k > 0; k--) {
    mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525U)) +
            (n > 0 ? key[j] : 0) + (uint32_t)j;
    i++;
    j++;
    if (i >= RND_N) { mt[0] = mt[RND_N - 1]; i = 1; }
    if (j >= n) j = 0;
  }
  for (k = RND_N - 1; k > 0; k--) {
    mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941U)) -
            (uint32_t)i;
    i++;
    if (i >= RND_N) { mt[0] = mt[RND_N - 1]; i = 1; }
  }
  mt[0] = 0x80000000U;
  s->pos = RND_N;
  s->has_gauss = 0;
  s->gauss = 0;
}

void rnd_seed_entropy(rnd_state *s) {
  uint32_t key[RND_N];
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC), got = 0;
  if (fd >= 0) {
    got = read(fd, key, sizeof key) == (ssize_t)sizeof key;
    close(fd);
  }
  if (!got) {   /* no /dev/urandom: time and address */
    struct timespec ts;
    int i;
    clock_gettime(CLOCK_REALTIME, &ts);
    for (i = 0; i < RND_N; i++)
      key[i] = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^
               (uint32_t)(uintptr_t)s ^ (uint32_t)i * 2654435761U;
  }
  rnd_seed_array(s, key, RND_N);
}

/* Refills the whole state block (the generator's "twist"). */
static void mt_gen(rnd_state *s) {
  uint32_t *mt = s->key, y;
  int i;
  for (i = 0; i < RND_N - MT_M; i++) {
    y = (mt[i] & MT_UPPER) | (mt[i + 1] & MT_LOWER);
    mt[i] = mt[i + MT_M] ^ (y >> 1) ^ (-(y & 1) & MT_MATRIX);
  }
  for (; i < RND_N - 1; i++) {
    y = (mt[i] & MT_UPPER) | (mt[i + 1] & MT_LOWER);
    mt[i] = mt[i + (MT_M - RND_N)] ^ (y >> 1) ^ (-(y & 1) & MT_MATRIX);
  }
  y = (mt[RND_N - 1] & MT_UPPER) | (mt[0] & MT_LOWER);
  mt[RND_N - 1] = mt[MT_M - 1] ^ (y >> 1) ^ (-(y & 1) & MT_MATRIX);
  s->pos = 0;
}

uint32_t rnd_next32(rnd_state *s) {
  uint32_t y;
  if (s->pos >= RND_N) mt_gen(s);
  y = s->key[s->pos++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= (y >> 18);
  return y;
}

uint64_t rnd_next64(rnd_state *s) {
  uint64_t hi = rnd_next32(s);
  return (hi << 32) | rnd_next32(s);
}

double rnd_double(rnd_state *s) {
  int32_t a = (int32_t)(rnd_next32(s) >> 5), b = (int32_t)(rnd_next32(s) >> 6);
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

/* }====================================================== */

/* {======================================================
** Legacy distributions
** ======================================================= */

double rnd_gauss(rnd_state *s) {
  double f, x1, x2, r2;
  if (s->has_gauss) {
    double t = s->gauss;
    s->has_gauss = 0;
    s->gauss = 0;
    return t;
  }
  do {
    x1 = 2.0 * rnd_double(s) - 1.0;
    x2 = 2.0 * rnd_double(s) - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  f = sqrt(-2.0 * log(r2) / r2);
  s->gauss = f * x1;
  s->has_gauss = 1;
  return f * x2;
}

/* The smallest all-ones mask covering max. */
static uint64_t gen_mask(uint64_t max) {
  uint64_t m = max;
  m |= m >> 1;
  m |= m >> 2;
  m |= m >> 4;
  m |= m >> 8;
  m |= m >> 16;
  m |= m >> 32;
  return m;
}

uint64_t rnd_interval(rnd_state *s, uint64_t max) {
  uint64_t mask, v;
  if (max == 0) return 0;
  mask = gen_mask(max);
  if (max <= 0xffffffffULL) {
    while ((v = (rnd_next32(s) & mask)) > max) {}
  } else {
    while ((v = (rnd_next64(s) & mask)) > max) {}
  }
  return v;
}

void rnd_bounded_u64(rnd_state *s, uint64_t off, uint64_t rng, int64_t cnt,
                     uint64_t *out) {
  int64_t i;
  if (rng == 0) {
    for (i = 0; i < cnt; i++) out[i] = off;
  } else if (rng <= 0xffffffffULL) {
    if (rng == 0xffffffffULL) {
      for (i = 0; i < cnt; i++) out[i] = off + rnd_next32(s);
    } else {
      uint32_t mask = (uint32_t)gen_mask(rng), v;
      for (i = 0; i < cnt; i++) {
        while ((v = rnd_next32(s) & mask) > rng) {}
        out[i] = off + v;
      }
    }
  } else if (rng == 0xffffffffffffffffULL) {
    for (i = 0; i < cnt; i++) out[i] = off + rnd_next64(s);
  } else {
    uint64_t mask = gen_mask(rng), v;
    for (i = 0; i < cnt; i++) {
      while ((v = rnd_next64(s) & mask) > rng) {}
      out[i] = off + v;
    }
  }
}

void rnd_bounded_u32(rnd_state *s, uint32_t off, uint32_t rng, int64_t cnt,
                     uint32_t *out) {
  int64_t i;
  if (rng == 0) {
    for (i = 0; i < cnt; i++) out[i] = off;
  } else if (rng == 0xffffffffU) {
    for (i = 0; i < cnt; i++) out[i] = off + rnd_next32(s);
  } else {
    uint32_t mask = (uint32_t)gen_mask(rng), v;
    for (i = 0; i < cnt; i++) {
      while ((v = rnd_next32(s) & mask) > rng) {}
      out[i] = off + v;
    }
  }
}

/* 16- and 8-bit draws take the low bits of one 32-bit word, then its
** higher parts on the next calls (NumPy's buffered_uint16/uint8). */
#define BUFFERED_FILL(NAME, T, PARTS, BITS) \
void NAME(rnd_state *s, T off, T rng, int64_t cnt, T *out) { \
  int64_t i; \
  uint32_t buf = 0; \
  int bcnt = 0; \
  T mask, v; \
  if (rng == 0) { \
    for (i = 0; i < cnt; i++) out[i] = off; \
    return; \
  } \
  mask = (T)gen_mask(rng); \
  for (i = 0; i < cnt; i++) { \
    do { \
      if (!bcnt) { buf = rnd_next32(s); bcnt = PARTS - 1; } \
      else { buf >>= BITS; bcnt--; } \
      v = (T)((T)buf & mask); \
    } while (v > rng); \
    out[i] = (T)(off + v); \
  } \
}
BUFFERED_FILL(rnd_bounded_u16, uint16_t, 2, 16)
BUFFERED_FILL(rnd_bounded_u8, uint8_t, 4, 8)

void rnd_bounded_bool(rnd_state *s, uint8_t off, uint8_t rng, int64_t cnt,
                      uint8_t *out) {
  int64_t i;
  uint32_t buf = 0;
  int bcnt = 0;
  for (i = 0; i < cnt; i++) {
    if (rng == 0) { out[i] = off; continue; }
    if (!bcnt) { buf = rnd_next32(s); bcnt = 31; }
    else { buf >>= 1; bcnt--; }
    out[i] = (buf & 1) != 0;
  }
}

void rnd_shuffle(rnd_state *s, char *data, int64_t n, int64_t size,
                 int64_t stride, char *tmp) {
  int64_t i;
  for (i = n - 1; i >= 1; i--) {
    int64_t j = (int64_t)rnd_interval(s, (uint64_t)i);
    memcpy(tmp, data + j * stride, (size_t)size);
    memcpy(data + j * stride, data + i * stride, (size_t)size);
    memcpy(data + i * stride, tmp, (size_t)size);
  }
}

/* }====================================================== */
