/*
** random.h -- NumPy's legacy random streams (RandomState) in plain C:
** MT19937 with its seeding, 53-bit doubles, the Marsaglia polar Gaussian
** with its cached second value, masked-rejection bounded integers, and
** the interval draw behind shuffle/permutation. No Lua here.
*/
#ifndef NPIO_RANDOM_H
#define NPIO_RANDOM_H

#include "npio_int.h"

#define RND_N 624

typedef struct rnd_state {
  uint32_t key[RND_N];
  int pos;
  int has_gauss;
  double gauss;
} rnd_state;

/* np.random.seed(n) for 0 <= n < 2**32 (init_genrand). */
NPIOI_FUNC void rnd_seed(rnd_state *s, uint32_t seed);
/* np.random.seed(sequence) (init_by_array). */
NPIOI_FUNC void rnd_seed_array(rnd_state *s, const uint32_t *key, int64_t n);
/* Seeds from the operating system's entropy (NumPy's seed(None)). */
NPIOI_FUNC void rnd_seed_entropy(rnd_state *s);

NPIOI_FUNC uint32_t rnd_next32(rnd_state *s);
NPIOI_FUNC uint64_t rnd_next64(rnd_state *s);
/* random_sample: (a >> 5, b >> 6) as a 53-bit double in [0, 1). */
NPIOI_FUNC double rnd_double(rnd_state *s);
/* legacy_gauss: polar method, second value cached in the state. */
NPIOI_FUNC double rnd_gauss(rnd_state *s);
/* random_interval: uniform in [0, max] by masked rejection. */
NPIOI_FUNC uint64_t rnd_interval(rnd_state *s, uint64_t max);

/*
** Bounded integers as NumPy's legacy randint (use_masked=True): 'cnt'
** values off + [0, rng] written to 'out' in the given width. 8- and
** 16-bit draws and bools share 32-bit words as NumPy's buffered
** generators do.
*/
NPIOI_FUNC void rnd_bounded_u64(rnd_state *s, uint64_t off, uint64_t rng,
                                int64_t cnt, uint64_t *out);
NPIOI_FUNC void rnd_bounded_u32(rnd_state *s, uint32_t off, uint32_t rng,
                                int64_t cnt, uint32_t *out);
NPIOI_FUNC void rnd_bounded_u16(rnd_state *s, uint16_t off, uint16_t rng,
                                int64_t cnt, uint16_t *out);
NPIOI_FUNC void rnd_bounded_u8(rnd_state *s, uint8_t off, uint8_t rng,
                               int64_t cnt, uint8_t *out);
NPIOI_FUNC void rnd_bounded_bool(rnd_state *s, uint8_t off, uint8_t rng,
                                 int64_t cnt, uint8_t *out);

/* Fisher-Yates of n items of 'size' bytes 'stride' apart, as
** RandomState.shuffle: i from n-1 down to 1 swaps with interval(i). */
NPIOI_FUNC void rnd_shuffle(rnd_state *s, char *data, int64_t n,
                            int64_t size, int64_t stride, char *tmp);

#endif
