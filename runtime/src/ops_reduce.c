/*
** ops_reduce.c -- reductions (sum, prod, min, max, any, all, mean, var,
** std and their nan* forms), argmin/argmax and cumsum/cumprod.
**
** To give NumPy's results to the last bit, reductions walk the input in
** the order NumPy's iterator does: axes sorted by the input's strides
** (C order on ties), contiguous axes merged; when the innermost axis is
** reduced, floats are summed pairwise over it (NumPy's pairwise_sum,
** blocks of 128 with 8 accumulators), otherwise the output accumulates
** element by element. Inputs that need a cast (int to float64 for mean)
** are buffered in chunks of 8192 elements, as NumPy's buffer is.
** var/std compute the mean, then sum the squared deviations with the
** deviation computed on the fly (the same operations NumPy does with
** temporaries, so the same bits).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

/* {======================================================
** Kernels
** ======================================================= */

/* binary reduce: *out = f(*out, in[0..n)) ; aux: per-output parameter */
typedef void (*redfn)(char *out, const char *in, int64_t n, int64_t s,
                      const char *aux);
/* accumulate: out[i] = f(out[i], in[i]) for i < n */
typedef void (*accfn)(char *out, int64_t os, const char *in, int64_t is,
                      int64_t n, const char *aux, int64_t as);

#define CP(T, p) ((const T *)(const void *)(p))
#define MP(T, p) ((T *)(void *)(p))

/* element loaders used by the pairwise sums: plain, NaN as 0, squared
** deviation from m, the same with NaN as 0 */
#define LOADERS(N, T) \
static inline T ld_##N(const char *p, T m) { (void)m; return *CP(T, p); } \
static inline T ldn_##N(const char *p, T m) { \
  T v = *CP(T, p); (void)m; return v != v ? 0 : v; } \
static inline T ldsq_##N(const char *p, T m) { \
  T d = *CP(T, p) - m; return d * d; } \
static inline T ldnsq_##N(const char *p, T m) { \
  T v = *CP(T, p), d; if (v != v) return 0; d = v - m; return d * d; }
LOADERS(F32, float)
LOADERS(F64, double)
static inline float ld_F16(const char *p, float m) {
  (void)m; return ops_h2f(*CP(uint16_t, p));
}
static inline float ldn_F16(const char *p, float m) {
  float v = ops_h2f(*CP(uint16_t, p)); (void)m; return v != v ? 0 : v;
}

/*
** NumPy's pairwise summation: below 8 elements a plain loop from 0, up
** to 128 eight accumulators combined as a tree, above that the halves
** (cut at a multiple of 8) summed recursively. 'STEP' is the stride
** expression (a constant for the contiguous copy, so it vectorises).
*/
#define PAIRWISE(NAME, ACC, LOAD, STEP) \
static ACC NAME(const char *a, int64_t n, int64_t s, ACC m) { \
  int64_t i; \
  (void)s; \
  if (n < 8) { \
    ACC res = 0; \
    for (i = 0; i < n; i++) res += LOAD(a + i * (STEP), m); \
    return res; \
  } else if (n <= 128) { \
    ACC r0, r1, r2, r3, r4, r5, r6, r7, res; \
    r0 = LOAD(a + 0 * (STEP), m); r1 = LOAD(a + 1 * (STEP), m); \
    r2 = LOAD(a + 2 * (STEP), m); r3 = LOAD(a + 3 * (STEP), m); \
    r4 = LOAD(a + 4 * (STEP), m); r5 = LOAD(a + 5 * (STEP), m); \
    r6 = LOAD(a + 6 * (STEP), m); r7 = LOAD(a + 7 * (STEP), m); \
    for (i = 8; i < n - (n % 8); i += 8) { \
      r0 += LOAD(a + (i + 0) * (STEP), m); \
      r1 += LOAD(a + (i + 1) * (STEP), m); \
      r2 += LOAD(a + (i + 2) * (STEP), m); \
      r3 += LOAD(a + (i + 3) * (STEP), m); \
      r4 += LOAD(a + (i + 4) * (STEP), m); \
      r5 += LOAD(a + (i + 5) * (STEP), m); \
      r6 += LOAD(a + (i + 6) * (STEP), m); \
      r7 += LOAD(a + (i + 7) * (STEP), m); \
    } \
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)); \
    for (; i < n; i++) res += LOAD(a + i * (STEP), m); \
    return res; \
  } else { \
    int64_t n2 = n / 2; \
    n2 -= n2 % 8; \
    return NAME(a, n2, s, m) + NAME(a + n2 * (STEP), n - n2, s, m); \
  } \
}

/* Wider vector units stream memory faster (NumPy dispatches its sums to
** AVX2/AVX-512 too); each accumulator still adds in the same order. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define OPS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define OPS_CLONES
#endif

/* a pairwise sum with a contiguous and a strided variant */
#define PW2(NAME, ACC, T, LOAD) \
  OPS_CLONES PAIRWISE(NAME##_c, ACC, LOAD, (int64_t)sizeof(T)) \
  PAIRWISE(NAME##_s, ACC, LOAD, s) \
  static ACC NAME(const char *a, int64_t n, int64_t s, ACC m) { \
    return s == (int64_t)sizeof(T) ? NAME##_c(a, n, s, m) \
                                   : NAME##_s(a, n, s, m); \
  }

PW2(pw_F64, double, double, ld_F64)
PW2(pwn_F64, double, double, ldn_F64)
PW2(pwsq_F64, double, double, ldsq_F64)
PW2(pwnsq_F64, double, double, ldnsq_F64)
PW2(pw_F32, float, float, ld_F32)
PW2(pwn_F32, float, float, ldn_F32)
PW2(pwsq_F32, float, float, ldsq_F32)
PW2(pwnsq_F32, float, float, ldnsq_F32)
PW2(pw_F16, float, uint16_t, ld_F16)
PW2(pwn_F16, float, uint16_t, ldn_F16)

/* float sums: red adds the pairwise sum, acc adds elementwise */
#define FSUM_K(NAME, T, PW, LOAD, AUX) \
static void red_##NAME(char *out, const char *in, int64_t n, int64_t s, \
                       const char *aux) { \
  T m = AUX; \
  (void)aux; (void)m; \
  *MP(T, out) += PW(in, n, s, m); \
} \
static void acc_##NAME(char *out, int64_t os, const char *in, int64_t is, \
                       int64_t n, const char *aux, int64_t as) { \
  int64_t i; \
  (void)aux; (void)as; \
  if (os == (int64_t)sizeof(T) && is == (int64_t)sizeof(T) && \
      (aux == NULL || as == (int64_t)sizeof(T))) { \
    T *o = MP(T, out); \
    for (i = 0; i < n; i++) { \
      T m = AUX; (void)m; \
      o[i] += LOAD(in + i * (int64_t)sizeof(T), m); \
      if (aux) aux += sizeof(T); \
    } \
    return; \
  } \
  for (i = 0; i < n; i++) { \
    const char *ax_ = aux ? aux + i * as : NULL; \
    T m = ax_ ? *CP(T, ax_) : 0; \
    (void)m; \
    *MP(T, out + i * os) += LOAD(in + i * is, m); \
  } \
}

#define NOAUX 0
#define AUXV(T) (aux ? *CP(T, aux) : 0)
FSUM_K(sum_F64, double, pw_F64, ld_F64, NOAUX)
FSUM_K(nansum_F64, double, pwn_F64, ldn_F64, NOAUX)
FSUM_K(sqdev_F64, double, pwsq_F64, ldsq_F64, AUXV(double))
FSUM_K(nsqdev_F64, double, pwnsq_F64, ldnsq_F64, AUXV(double))
FSUM_K(sum_F32, float, pw_F32, ld_F32, NOAUX)
FSUM_K(nansum_F32, float, pwn_F32, ldn_F32, NOAUX)
FSUM_K(sqdev_F32, float, pwsq_F32, ldsq_F32, AUXV(float))
FSUM_K(nsqdev_F32, float, pwnsq_F32, ldnsq_F32, AUXV(float))

/* float16: accumulate in float over one call, round once at its end
** (NumPy's HALF_add reduce); elementwise rounds at every step */
#define HSUM_K(NAME, PW, LOAD) \
static void red_##NAME(char *out, const char *in, int64_t n, int64_t s, \
                       const char *aux) { \
  float io = ops_h2f(*CP(uint16_t, out)); \
  (void)aux; \
  io += PW(in, n, s, 0.0f); \
  *MP(uint16_t, out) = ops_f2h(io); \
} \
static void acc_##NAME(char *out, int64_t os, const char *in, int64_t is, \
                       int64_t n, const char *aux, int64_t as) { \
  int64_t i; \
  (void)aux; (void)as; \
  for (i = 0; i < n; i++) { \
    uint16_t *o = MP(uint16_t, out + i * os); \
    *o = ops_f2h(ops_h2f(*o) + LOAD(in + i * is, 0.0f)); \
  } \
}
HSUM_K(sum_F16, pw_F16, ld_F16)
HSUM_K(nansum_F16, pwn_F16, ldn_F16)

/* sequential reductions: 'io' accumulates, 'v' is the next element */
#define SEQ_K(NAME, T, V, STEP) \
static void red_##NAME(char *out, const char *in, int64_t n, int64_t s, \
                       const char *aux) { \
  T io = *CP(T, out); \
  int64_t i; \
  (void)aux; \
  for (i = 0; i < n; i++) { T v = V(T, in + i * s); STEP; } \
  *MP(T, out) = io; \
} \
static void acc_##NAME(char *out, int64_t os, const char *in, int64_t is, \
                       int64_t n, const char *aux, int64_t as) { \
  int64_t i; \
  (void)aux; (void)as; \
  for (i = 0; i < n; i++) { \
    T io = *CP(T, out + i * os), v = V(T, in + i * is); \
    STEP; \
    *MP(T, out + i * os) = io; \
  } \
}

#define VPLAIN(T, p) (*CP(T, p))
#define VNAN1(T, p) (isnan(*CP(T, p)) ? (T)1 : *CP(T, p))
#define VAL_H(p) ops_h2f(*CP(uint16_t, p))
#define VAL_NH(p) (isnan(VAL_H(p)) ? 1.0f : VAL_H(p))

/* integer sums and products wrap: done in uint64 */
SEQ_K(sum_U64, uint64_t, VPLAIN, io += v)
SEQ_K(prod_U64, uint64_t, VPLAIN, io *= v)
SEQ_K(prod_F64, double, VPLAIN, io *= v)
SEQ_K(prod_F32, float, VPLAIN, io *= v)
SEQ_K(nanprod_F64, double, VNAN1, io *= v)
SEQ_K(nanprod_F32, float, VNAN1, io *= v)
SEQ_K(or_BOOL, uint8_t, VPLAIN, io = io | v)
SEQ_K(and_BOOL, uint8_t, VPLAIN, io = io & v)

/* float16 products: float over one call, as NumPy's HALF_multiply */
#define HPROD_K(NAME, V) \
static void red_##NAME(char *out, const char *in, int64_t n, int64_t s, \
                       const char *aux) { \
  float io = ops_h2f(*CP(uint16_t, out)); \
  int64_t i; \
  (void)aux; \
  for (i = 0; i < n; i++) io *= V(in + i * s); \
  *MP(uint16_t, out) = ops_f2h(io); \
} \
static void acc_##NAME(char *out, int64_t os, const char *in, int64_t is, \
                       int64_t n, const char *aux, int64_t as) { \
  int64_t i; \
  (void)aux; (void)as; \
  for (i = 0; i < n; i++) { \
    uint16_t *o = MP(uint16_t, out + i * os); \
    *o = ops_f2h(ops_h2f(*o) * V(in + i * is)); \
  } \
}
HPROD_K(prod_F16, VAL_H)
HPROD_K(nanprod_F16, VAL_NH)

/* min/max: integers plainly, floats propagating NaN (fmin/fmax skip it) */
#define MINMAX_INT(N, T) \
  SEQ_K(min_##N, T, VPLAIN, io = io <= v ? io : v) \
  SEQ_K(max_##N, T, VPLAIN, io = io >= v ? io : v)
MINMAX_INT(BOOL, uint8_t)
MINMAX_INT(I8, int8_t)
MINMAX_INT(U8, uint8_t)
MINMAX_INT(I16, int16_t)
MINMAX_INT(U16, uint16_t)
MINMAX_INT(I32, int32_t)
MINMAX_INT(U32, uint32_t)
MINMAX_INT(I64, int64_t)
MINMAX_INT(U64, uint64_t)
#define MINMAX_FLT(N, T) \
  SEQ_K(min_##N, T, VPLAIN, io = (io <= v || io != io) ? io : v) \
  SEQ_K(max_##N, T, VPLAIN, io = (io >= v || io != io) ? io : v) \
  SEQ_K(fmin_##N, T, VPLAIN, io = (io <= v || v != v) ? io : v) \
  SEQ_K(fmax_##N, T, VPLAIN, io = (io >= v || v != v) ? io : v)
MINMAX_FLT(F32, float)
MINMAX_FLT(F64, double)

/* float16 min/max compare as float and keep the half bits */
#define HMM_K(NAME, COND) \
static void red_##NAME(char *out, const char *in, int64_t n, int64_t s, \
                       const char *aux) { \
  uint16_t io = *CP(uint16_t, out); \
  int64_t i; \
  (void)aux; \
  for (i = 0; i < n; i++) { \
    uint16_t v = *CP(uint16_t, in + i * s); \
    float a = ops_h2f(io), b = ops_h2f(v); \
    if (!(COND)) io = v; \
  } \
  *MP(uint16_t, out) = io; \
} \
static void acc_##NAME(char *out, int64_t os, const char *in, int64_t is, \
                       int64_t n, const char *aux, int64_t as) { \
  int64_t i; \
  (void)aux; (void)as; \
  for (i = 0; i < n; i++) \
    red_##NAME(out + i * os, in + i * is, 1, 0, NULL); \
}
HMM_K(min_F16, a <= b || a != a)
HMM_K(max_F16, a >= b || a != a)
HMM_K(fmin_F16, a <= b || b != b)
HMM_K(fmax_F16, a >= b || b != b)

/* counts into int64: of true elements (input cast to bool), of
** non-NaN elements */
#define CNT_K(NAME, T, COND) \
static void red_##NAME(char *out, const char *in, int64_t n, int64_t s, \
                       const char *aux) { \
  int64_t c = 0, i; \
  (void)aux; \
  for (i = 0; i < n; i++) { T v = *CP(T, in + i * s); c += (COND); } \
  *MP(int64_t, out) += c; \
} \
static void acc_##NAME(char *out, int64_t os, const char *in, int64_t is, \
                       int64_t n, const char *aux, int64_t as) { \
  int64_t i; \
  (void)aux; (void)as; \
  for (i = 0; i < n; i++) { \
    T v = *CP(T, in + i * is); \
    *MP(int64_t, out + i * os) += (COND); \
  } \
}
CNT_K(cnt_BOOL, uint8_t, v != 0)
CNT_K(cntnn_F64, double, v == v)
CNT_K(cntnn_F32, float, v == v)

/* complex sums: NumPy's pairwise over interleaved parts */
#define CPW(N, R) \
static void cpw_##N(R *rr, R *ri, const char *a, int64_t n, int64_t s) { \
  int64_t i; \
  if (n < 8) { \
    *rr = 0; *ri = 0; \
    for (i = 0; i < n; i += 2) { \
      *rr += *CP(R, a + i * s); \
      *ri += *CP(R, a + i * s + (int64_t)sizeof(R)); \
    } \
  } else if (n <= 128) { \
    R r[8]; \
    int j; \
    for (j = 0; j < 8; j += 2) { \
      r[j] = *CP(R, a + j * s); \
      r[j + 1] = *CP(R, a + j * s + (int64_t)sizeof(R)); \
    } \
    for (i = 8; i < n - (n % 8); i += 8) \
      for (j = 0; j < 8; j += 2) { \
        r[j] += *CP(R, a + (i + j) * s); \
        r[j + 1] += *CP(R, a + (i + j) * s + (int64_t)sizeof(R)); \
      } \
    *rr = ((r[0] + r[2]) + (r[4] + r[6])); \
    *ri = ((r[1] + r[3]) + (r[5] + r[7])); \
    for (; i < n; i += 2) { \
      *rr += *CP(R, a + i * s); \
      *ri += *CP(R, a + i * s + (int64_t)sizeof(R)); \
    } \
  } else { \
    R rr1, ri1, rr2, ri2; \
    int64_t n2 = n / 2; \
    n2 -= n2 % 8; \
    cpw_##N(&rr1, &ri1, a, n2, s); \
    cpw_##N(&rr2, &ri2, a + n2 * s, n - n2, s); \
    *rr = rr1 + rr2; \
    *ri = ri1 + ri2; \
  } \
} \
static void red_csum_##N(char *out, const char *in, int64_t n, int64_t s, \
                         const char *aux) { \
  R rr, ri; \
  (void)aux; \
  cpw_##N(&rr, &ri, in, n * 2, s / 2); \
  MP(R, out)[0] += rr; \
  MP(R, out)[1] += ri; \
} \
static void acc_csum_##N(char *out, int64_t os, const char *in, int64_t is, \
                         int64_t n, const char *aux, int64_t as) { \
  int64_t i; \
  (void)aux; (void)as; \
  for (i = 0; i < n; i++) { \
    MP(R, out + i * os)[0] += CP(R, in + i * is)[0]; \
    MP(R, out + i * os)[1] += CP(R, in + i * is)[1]; \
  } \
} \
static void red_cprod_##N(char *out, const char *in, int64_t n, int64_t s, \
                          const char *aux) { \
  R ar = MP(R, out)[0], ai = MP(R, out)[1]; \
  int64_t i; \
  (void)aux; \
  for (i = 0; i < n; i++) { \
    R br = CP(R, in + i * s)[0], bi = CP(R, in + i * s)[1]; \
    R t = ar * br - ai * bi; \
    ai = ar * bi + ai * br; \
    ar = t; \
  } \
  MP(R, out)[0] = ar; \
  MP(R, out)[1] = ai; \
} \
static void acc_cprod_##N(char *out, int64_t os, const char *in, \
                          int64_t is, int64_t n, const char *aux, \
                          int64_t as) { \
  int64_t i; \
  (void)aux; (void)as; \
  for (i = 0; i < n; i++) \
    red_cprod_##N(out + i * os, in + i * is, 1, 0, NULL); \
}
CPW(C64, float)
CPW(C128, double)

/* }====================================================== */

/* {======================================================
** The reduction engine
** ======================================================= */

typedef struct redk {
  redfn red;
  accfn acc;
  int ict;        /* type the kernel reads */
  int ot;         /* type of the output (and aux) */
} redk;

/* Internal reduction kinds. */
enum { RK_SUM, RK_PROD, RK_MIN, RK_MAX, RK_FMIN, RK_FMAX, RK_OR, RK_AND,
       RK_NANSUM, RK_NANPROD, RK_SQDEV, RK_NSQDEV, RK_CNT, RK_CNTNN };

#define K(n, t, o) {red_##n, acc_##n, t, o}

/* The kernel of kind 'rk' for loop type 't', or 0 in k.red. */
static redk find_kernel(int rk, int t) {
  static const redk none = {NULL, NULL, 0, 0};
  switch (rk) {
    case RK_SUM:
      switch (t) {
        case OT_I64: { redk k = K(sum_U64, OT_I64, OT_I64); return k; }
        case OT_U64: { redk k = K(sum_U64, OT_U64, OT_U64); return k; }
        case OT_F16: { redk k = K(sum_F16, OT_F16, OT_F16); return k; }
        case OT_F32: { redk k = K(sum_F32, OT_F32, OT_F32); return k; }
        case OT_F64: { redk k = K(sum_F64, OT_F64, OT_F64); return k; }
        case OT_C64: { redk k = K(csum_C64, OT_C64, OT_C64); return k; }
        case OT_C128: { redk k = K(csum_C128, OT_C128, OT_C128); return k; }
      }
      break;
    case RK_PROD:
      switch (t) {
        case OT_I64: { redk k = K(prod_U64, OT_I64, OT_I64); return k; }
        case OT_U64: { redk k = K(prod_U64, OT_U64, OT_U64); return k; }
        case OT_F16: { redk k = K(prod_F16, OT_F16, OT_F16); return k; }
        case OT_F32: { redk k = K(prod_F32, OT_F32, OT_F32); return k; }
        case OT_F64: { redk k = K(prod_F64, OT_F64, OT_F64); return k; }
        case OT_C64: { redk k = K(cprod_C64, OT_C64, OT_C64); return k; }
        case OT_C128: { redk k = K(cprod_C128, OT_C128, OT_C128); return k; }
      }
      break;
    case RK_NANSUM:
      switch (t) {
        case OT_F16: { redk k = K(nansum_F16, OT_F16, OT_F16); return k; }
        case OT_F32: { redk k = K(nansum_F32, OT_F32, OT_F32); return k; }
        case OT_F64: { redk k = K(nansum_F64, OT_F64, OT_F64); return k; }
      }
      break;
    case RK_NANPROD:
      switch (t) {
        case OT_F16: { redk k = K(nanprod_F16, OT_F16, OT_F16); return k; }
        case OT_F32: { redk k = K(nanprod_F32, OT_F32, OT_F32); return k; }
        case OT_F64: { redk k = K(nanprod_F64, OT_F64, OT_F64); return k; }
      }
      break;
    case RK_SQDEV:
      switch (t) {
        case OT_F32: { redk k = K(sqdev_F32, OT_F32, OT_F32); return k; }
        case OT_F64: { redk k = K(sqdev_F64, OT_F64, OT_F64); return k; }
      }
      break;
    case RK_NSQDEV:
      switch (t) {
        case OT_F32: { redk k = K(nsqdev_F32, OT_F32, OT_F32); return k; }
        case OT_F64: { redk k = K(nsqdev_F64, OT_F64, OT_F64); return k; }
      }
      break;
    case RK_MIN: case RK_MAX: case RK_FMIN: case RK_FMAX: {
      int mx = rk == RK_MAX || rk == RK_FMAX;
      int fl = rk == RK_FMIN || rk == RK_FMAX;
#define MM(N, T) case OT_##N: { redk k = {mx ? red_max_##N : red_min_##N, \
      mx ? acc_max_##N : acc_min_##N, OT_##N, OT_##N}; return k; }
      if (fl) {
        switch (t) {
          case OT_F16: { redk k = {mx ? red_fmax_F16 : red_fmin_F16,
              mx ? acc_fmax_F16 : acc_fmin_F16, t, t}; return k; }
          case OT_F32: { redk k = {mx ? red_fmax_F32 : red_fmin_F32,
              mx ? acc_fmax_F32 : acc_fmin_F32, t, t}; return k; }
          case OT_F64: { redk k = {mx ? red_fmax_F64 : red_fmin_F64,
              mx ? acc_fmax_F64 : acc_fmin_F64, t, t}; return k; }
        }
      }
      switch (t) {
        MM(BOOL, uint8_t) MM(I8, int8_t) MM(U8, uint8_t) MM(I16, int16_t)
        MM(U16, uint16_t) MM(I32, int32_t) MM(U32, uint32_t)
        MM(I64, int64_t) MM(U64, uint64_t) MM(F16, uint16_t)
        MM(F32, float) MM(F64, double)
      }
#undef MM
      break;
    }
    case RK_OR: { redk k = K(or_BOOL, OT_BOOL, OT_BOOL); return k; }
    case RK_AND: { redk k = K(and_BOOL, OT_BOOL, OT_BOOL); return k; }
    case RK_CNT: { redk k = K(cnt_BOOL, OT_BOOL, OT_I64); return k; }
    case RK_CNTNN:
      switch (t) {
        case OT_F32: { redk k = K(cntnn_F32, OT_F32, OT_I64); return k; }
        case OT_F64: { redk k = K(cntnn_F64, OT_F64, OT_I64); return k; }
      }
      break;
  }
  return none;
}

static int64_t iabs64(int64_t v) { return v < 0 ? -v : v; }

/*
** Runs kernel 'k' over input x (its own strides) into 'out' (native,
** type k.ot, strides 'ostr' over x's axes, 0 on reduced ones) with an
** optional 'aux' (same type and strides 'astr').
*/
static int red_run(const redk *k, const npio_array *x, char *out,
                   const int64_t *ostr, const char *aux,
                   const int64_t *astr, npio_err *e) {
  int nd = 0, i, j, perm[NPIO_MAXDIMS], xt = ops_type_of(x->dtype);
  int64_t sh[NPIO_MAXDIMS], si[NPIO_MAXDIMS], so[NPIO_MAXDIMS],
      sa[NPIO_MAXDIMS], idx[NPIO_MAXDIMS];
  const char *pin;
  char *po;
  const char *pa;
  int buffered, swap = !npio_dtype_isnative(x->dtype);
  char *buf = NULL, *tmp = NULL;
  int64_t isz = ops_types[k->ict].size;
  const char *xd = npio_array_data(x, e);
  if (xd == NULL) return e ? e->code : NPIO_ECLOSED;
  for (i = 0; i < x->ndim; i++)
    if (x->shape[i] == 0) return NPIO_OK;
  /* axes innermost first (reversed C order), length 1 dropped */
  for (i = x->ndim - 1; i >= 0; i--)
    if (x->shape[i] != 1) perm[nd++] = i;
  /* NumPy's stable insertion sort: smaller |input stride| goes inner */
  for (i = 1; i < nd; i++) {
    int ipos = i, j0 = perm[i], i1;
    for (i1 = i - 1; i1 >= 0; i1--) {
      int64_t s0 = x->strides[j0], s1 = x->strides[perm[i1]];
      if (s0 != 0 && s1 != 0) {
        if (iabs64(s1) <= iabs64(s0)) break;
        ipos = i1;
      }
    }
    if (ipos != i) {
      for (j = i; j > ipos; j--) perm[j] = perm[j - 1];
      perm[ipos] = j0;
    }
  }
  for (i = 0; i < nd; i++) {
    sh[i] = x->shape[perm[i]];
    si[i] = x->strides[perm[i]];
    so[i] = ostr[perm[i]];
    sa[i] = astr ? astr[perm[i]] : 0;
  }
  /* merge contiguous neighbours */
  if (nd > 1) {
    int cur = 0;
    for (i = 1; i < nd; i++) {
      if (si[i] == si[cur] * sh[cur] && so[i] == so[cur] * sh[cur] &&
          sa[i] == sa[cur] * sh[cur])
        sh[cur] *= sh[i];
      else {
        cur++;
        sh[cur] = sh[i]; si[cur] = si[i]; so[cur] = so[i]; sa[cur] = sa[i];
      }
    }
    nd = cur + 1;
  }
  if (nd == 0) {
    nd = 1;
    sh[0] = 1;
    si[0] = so[0] = sa[0] = 0;
  }
  buffered = xt != k->ict || swap;
  {
    int64_t al = ops_iscomplex(xt) ? ops_types[xt].size / 2
                                   : ops_types[xt].size;
    if ((uintptr_t)xd % (uintptr_t)al) buffered = 1;
    for (i = 0; i < nd; i++)
      if (si[i] % al) buffered = 1;
  }
  if (buffered) {
    buf = malloc((size_t)OPS_BUFSIZE * 16);
    tmp = malloc((size_t)OPS_BUFSIZE * 16);
    if (buf == NULL || tmp == NULL) {
      free(buf);
      free(tmp);
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    }
  }
  for (i = 0; i < nd; i++) idx[i] = 0;
  pin = xd;
  po = out;
  pa = aux;
  for (;;) {
    int64_t n = sh[0];
    if (!buffered) {
      if (so[0] == 0) k->red(po, pin, n, si[0], pa);
      else k->acc(po, so[0], pin, si[0], n, pa, sa[0]);
    } else {
      int64_t done = 0;
      while (done < n) {
        int64_t c = n - done < OPS_BUFSIZE ? n - done : OPS_BUFSIZE;
        const char *src = pin + done * si[0];
        /* gather, swap, cast into buf */
        if (!swap && xt != k->ict &&
            (uintptr_t)src % (uintptr_t)ops_types[xt].size == 0 &&
            si[0] % ops_types[xt].size == 0)
          ops_cast_fn(xt, k->ict)(src, si[0], buf, isz, c);
        else {
          int64_t xs = ops_types[xt].size, q;
          for (q = 0; q < c; q++) memcpy(tmp + q * xs, src + q * si[0],
                                         (size_t)xs);
          if (swap) {
            if (ops_iscomplex(xt)) npio_swap_inplace(tmp, 2 * c, xs / 2);
            else npio_swap_inplace(tmp, c, xs);
          }
          ops_cast_fn(xt, k->ict)(tmp, xs, buf, isz, c);
        }
        if (so[0] == 0) k->red(po, buf, c, isz, pa);
        else k->acc(po + done * so[0], so[0], buf, isz, c,
                    pa ? pa + done * sa[0] : NULL, sa[0]);
        done += c;
      }
    }
    for (i = 1; i < nd; i++) {
      if (++idx[i] < sh[i]) {
        pin += si[i]; po += so[i]; pa = pa ? pa + sa[i] : NULL;
        break;
      }
      pin -= si[i] * (sh[i] - 1);
      po -= so[i] * (sh[i] - 1);
      if (pa) pa -= sa[i] * (sh[i] - 1);
      idx[i] = 0;
    }
    if (i >= nd) break;
  }
  free(buf);
  free(tmp);
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Reductions
** ======================================================= */

static const char *const red_names[OPS_NREDUCE] = {
  "sum", "prod", "minimum", "maximum", "any", "all", "mean", "var", "std",
  "nansum", "nanprod", "nanmin", "nanmax", "nanmean", "nanvar", "nanstd",
  "count_nonzero"
};

const char *ops_reduce_name(int rop) { return red_names[rop]; }

/* Shapes of one reduction: the result's, and a view over x's axes. */
typedef struct redshape {
  int ndim;                          /* result */
  int64_t shape[NPIO_MAXDIMS];
  int64_t count;                     /* elements reduced into each */
  int64_t outsize;
} redshape;

static void red_shape(const npio_array *x, const char *axes, int keepdims,
                      redshape *r) {
  int i;
  r->ndim = 0;
  r->count = 1;
  r->outsize = 1;
  for (i = 0; i < x->ndim; i++) {
    if (axes[i]) {
      r->count *= x->shape[i];
      if (keepdims) r->shape[r->ndim++] = 1;
    } else {
      r->shape[r->ndim++] = x->shape[i];
      r->outsize *= x->shape[i];
    }
  }
}

/* Strides over x's axes of an array 'o' holding a result of x (C
** order, reduced axes 0). */
static void out_strides(const npio_array *x, const char *axes, int keepdims,
                        const npio_array *o, int64_t *st) {
  int i, j = 0;
  for (i = 0; i < x->ndim; i++) {
    if (axes[i]) {
      st[i] = 0;
      if (keepdims) j++;
    } else
      st[i] = o->strides[j++];
  }
}

/* Fills array 'o' (native type t) with v. */
static void fill_value(npio_array *o, int t, double v) {
  char one[16];
  int64_t n = npio_array_size(o), i, sz = ops_types[t].size;
  char *p = ops_ptr(o);
  if (ops_isint(t) || t == OT_BOOL) {
    int64_t iv = (int64_t)v;
    ops_cast_fn(OT_I64, t)((const char *)&iv, 8, one, sz, 1);
  } else
    ops_cast_fn(OT_F64, t)((const char *)&v, 8, one, sz, 1);
  for (i = 0; i < n; i++) memcpy(p + i * sz, one, (size_t)sz);
}

/* Copies x's first element along the reduced axes into o (the
** starting value of reductions without an identity). */
static int fill_first(npio_array *o, const npio_array *x, const char *axes,
                      int keepdims, npio_err *e) {
  npio_array xs = *x, os = *o;
  int i, j = 0;
  for (i = 0; i < x->ndim; i++) {
    if (axes[i]) {
      xs.shape[i] = 1;
      os.shape[i] = 1;
      os.strides[i] = 0;
      if (keepdims) j++;
    } else {
      os.shape[i] = o->shape[j];
      os.strides[i] = o->strides[j];
      j++;
    }
  }
  os.ndim = x->ndim;
  return ops_copy_cast(&os, &xs, e);
}

/* The accumulator type of sum/prod: small integers widen to 64 bits. */
static int sum_type(int t) {
  if (t == OT_BOOL || ops_issigned(t)) return OT_I64;
  if (ops_isint(t)) return OT_U64;
  return t;
}

/* Reduces x with kind rk on loop type ct into 'o' (allocated here, type
** of the kernel's output) with the optional aux array. */
static int reduce_into(int rk, int ct, const npio_array *x, const char *axes,
                       int keepdims, const redshape *rs, npio_array *o,
                       const npio_array *aux, const npio_memhook *hook,
                       npio_err *e) {
  redk k = find_kernel(rk, ct);
  int64_t ost[NPIO_MAXDIMS], ast[NPIO_MAXDIMS];
  int rc;
  if (k.red == NULL)
    return npio_seterr(e, NPIO_ETYPE, "reduction not supported for %s",
                       ops_types[ops_type_of(x->dtype)].name);
  if ((rc = ops_alloc(o, k.ot, rs->ndim, rs->shape, 0, hook, e))) return rc;
  switch (rk) {
    case RK_MIN: case RK_MAX: case RK_FMIN: case RK_FMAX:
      if (rs->count == 0) {   /* an error even when the result is empty */
        npio_array_release(o);
        return npio_seterr(e, NPIO_EVALUE,
                           "zero-size array to reduction operation %s which "
                           "has no identity",
                           rk == RK_MIN ? "minimum" : rk == RK_MAX ? "maximum"
                           : rk == RK_FMIN ? "fmin" : "fmax");
      }
      if ((rc = fill_first(o, x, axes, keepdims, e))) goto fail;
      break;
    case RK_PROD: case RK_NANPROD: case RK_AND:
      fill_value(o, k.ot, 1);
      break;
    default:
      fill_value(o, k.ot, 0);
      break;
  }
  out_strides(x, axes, keepdims, o, ost);
  if (aux) out_strides(x, axes, 1, aux, ast);   /* aux keeps its dims */
  rc = red_run(&k, x, ops_ptr(o), ost,
               aux ? ops_ptr(aux) : NULL,
               aux ? ast : NULL, e);
  if (rc) goto fail;
  return NPIO_OK;
fail:
  npio_array_release(o);
  return rc;
}

/* o[i] = o[i] / d[i] (d int64 counts, or the constant c if d NULL),
** computed in the type of o, or in float64 when 'dbl'. Counts <= 0 give
** NaN when 'badnan'. */
static void divide_by(npio_array *o, int t, const npio_array *d, double c,
                      int dbl, int badnan) {
  int64_t n = npio_array_size(o), i;
  char *p = ops_ptr(o);
  const int64_t *dv = d ? CP(int64_t, ops_ptr(d)) : NULL;
  for (i = 0; i < n; i++) {
    double den = dv ? (double)dv[i] : c;
    switch (t) {
      case OT_F64: {
        double *v = MP(double, p) + i;
        *v = (badnan && den <= 0) ? NAN : *v / den;
        break;
      }
      case OT_F32: {
        float *v = MP(float, p) + i;
        if (badnan && den <= 0) *v = NAN;
        else if (dbl) *v = (float)((double)*v / den);
        else *v = *v / (float)den;
        break;
      }
      case OT_F16: {
        uint16_t *v = MP(uint16_t, p) + i;
        if (badnan && den <= 0) *v = 0x7e00;
        else if (dbl) *v = ops_d2h((double)ops_h2f(*v) / den);
        else *v = ops_f2h(ops_h2f(*v) / (float)ops_h2f(ops_f2h((float)den)));
        break;
      }
      case OT_C64: case OT_C128: {
        /* NumPy's complex division by (den + 0j) */
        double scl = 1.0 / den;
        if (t == OT_C64) {
          float *v = MP(float, p) + 2 * i, fs = 1.0f / (float)den;
          v[0] = v[0] * fs;
          v[1] = v[1] * fs;
        } else {
          double *v = MP(double, p) + 2 * i;
          v[0] = v[0] * scl;
          v[1] = v[1] * scl;
        }
        break;
      }
    }
  }
}

/* o = sqrt(o) in its type */
static void sqrt_inplace(npio_array *o, int t) {
  int64_t n = npio_array_size(o), i;
  char *p = ops_ptr(o);
  for (i = 0; i < n; i++) {
    if (t == OT_F64) MP(double, p)[i] = sqrt(MP(double, p)[i]);
    else if (t == OT_F32) MP(float, p)[i] = sqrtf(MP(float, p)[i]);
    else MP(uint16_t, p)[i] = ops_f2h(sqrtf(ops_h2f(MP(uint16_t, p)[i])));
  }
}

/* Moves 'tmp' into 'out' converting to type t (or just moves it). */
static int finish(npio_array *out, npio_array *tmp, int t,
                  const npio_memhook *hook, npio_err *e) {
  int rc;
  if (ops_type_of(tmp->dtype) == t) {
    *out = *tmp;
    memset(tmp, 0, sizeof *tmp);
    return NPIO_OK;
  }
  rc = ops_alloc(out, t, tmp->ndim, tmp->shape, 0, hook, e);
  if (rc == NPIO_OK && (rc = ops_copy_cast(out, tmp, e)))
    npio_array_release(out);
  npio_array_release(tmp);
  return rc;
}

/* var/std through temporaries, exactly as NumPy's _var (float16). */
static int var_composed(const npio_array *x, const char *axes, int keepdims,
                        int ddof, int isstd, const redshape *rs,
                        npio_array *out, const npio_memhook *hook,
                        npio_err *e) {
  npio_array mean, dev, res;
  redshape rk;
  ops_arg a, b;
  int rc, t = ops_type_of(x->dtype);
  memset(&mean, 0, sizeof mean);
  memset(&dev, 0, sizeof dev);
  memset(&res, 0, sizeof res);
  red_shape(x, axes, 1, &rk);
  if ((rc = reduce_into(RK_SUM, t, x, axes, 1, &rk, &mean, NULL, hook, e)))
    return rc;
  divide_by(&mean, t, NULL, (double)rk.count, 0, 0);
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  a.a = x;
  b.a = &mean;
  if ((rc = ops_binary(OPS_SUB, &a, &b, &dev, hook, e))) goto done;
  a.a = &dev;
  b.a = &dev;
  {
    npio_array sq;
    memset(&sq, 0, sizeof sq);
    if ((rc = ops_binary(OPS_MUL, &a, &b, &sq, hook, e))) goto done;
    npio_array_release(&dev);
    dev = sq;
  }
  if ((rc = reduce_into(RK_SUM, t, &dev, axes, keepdims, rs, &res, NULL,
                        hook, e)))
    goto done;
  divide_by(&res, t, NULL,
            (double)(rs->count - ddof > 0 ? rs->count - ddof : 0), 0, 0);
  if (isstd) sqrt_inplace(&res, t);
  *out = res;
  memset(&res, 0, sizeof res);
done:
  npio_array_release(&mean);
  npio_array_release(&dev);
  npio_array_release(&res);
  return rc;
}

int ops_reduce(int rop, const npio_array *x, const char *axes, int keepdims,
               int ddof, npio_array *out, const npio_memhook *hook,
               npio_err *e) {
  int t = ops_type_of(x->dtype), rc, nanok;
  redshape rs;
  npio_array tmp, aux, cnt;
  if (t < 0)
    return npio_seterr(e, NPIO_ETYPE, "%s: not supported for this dtype",
                       red_names[rop]);
  if (npio_array_data(x, e) == NULL) return e ? e->code : NPIO_ECLOSED;
  red_shape(x, axes, keepdims, &rs);
  memset(&tmp, 0, sizeof tmp);
  memset(&aux, 0, sizeof aux);
  memset(&cnt, 0, sizeof cnt);
  nanok = ops_isfloat(t);    /* nan* differ from the plain ones */
  switch (rop) {
    case OPS_R_NANSUM: if (!nanok) rop = OPS_R_SUM; break;
    case OPS_R_NANPROD: if (!nanok) rop = OPS_R_PROD; break;
    case OPS_R_NANMIN: if (!nanok) rop = OPS_R_MIN; break;
    case OPS_R_NANMAX: if (!nanok) rop = OPS_R_MAX; break;
    case OPS_R_NANMEAN: if (!nanok) rop = OPS_R_MEAN; break;
    case OPS_R_NANVAR: if (!nanok) rop = OPS_R_VAR; break;
    case OPS_R_NANSTD: if (!nanok) rop = OPS_R_STD; break;
  }
  switch (rop) {
    case OPS_R_SUM:
      return reduce_into(RK_SUM, sum_type(t), x, axes, keepdims, &rs, out,
                         NULL, hook, e);
    case OPS_R_PROD:
      return reduce_into(RK_PROD, sum_type(t), x, axes, keepdims, &rs, out,
                         NULL, hook, e);
    case OPS_R_NANSUM:
      return reduce_into(RK_NANSUM, t, x, axes, keepdims, &rs, out, NULL,
                         hook, e);
    case OPS_R_NANPROD:
      return reduce_into(RK_NANPROD, t, x, axes, keepdims, &rs, out, NULL,
                         hook, e);
    case OPS_R_MIN: case OPS_R_MAX:
      if (ops_iscomplex(t)) break;
      return reduce_into(rop == OPS_R_MIN ? RK_MIN : RK_MAX, t, x, axes,
                         keepdims, &rs, out, NULL, hook, e);
    case OPS_R_NANMIN: case OPS_R_NANMAX:
      return reduce_into(rop == OPS_R_NANMIN ? RK_FMIN : RK_FMAX, t, x, axes,
                         keepdims, &rs, out, NULL, hook, e);
    case OPS_R_ANY: case OPS_R_ALL:
      return reduce_into(rop == OPS_R_ANY ? RK_OR : RK_AND, OT_BOOL, x, axes,
                         keepdims, &rs, out, NULL, hook, e);
    case OPS_R_COUNT_NONZERO:
      return reduce_into(RK_CNT, OT_BOOL, x, axes, keepdims, &rs, out, NULL,
                         hook, e);
    case OPS_R_MEAN: {
      /* sum in float64 for integers, float32 for float16 */
      int st = ops_isinexact(t) ? (t == OT_F16 ? OT_F32 : t) : OT_F64;
      if ((rc = reduce_into(RK_SUM, st, x, axes, keepdims, &rs, &tmp, NULL,
                            hook, e)))
        return rc;
      divide_by(&tmp, st, NULL, (double)rs.count, 0, 0);
      return finish(out, &tmp, ops_isinexact(t) ? t : OT_F64, hook, e);
    }
    case OPS_R_VAR: case OPS_R_STD: {
      int st = ops_isinexact(t) ? t : OT_F64;
      redshape rk;
      if (ops_iscomplex(t)) break;
      if (st == OT_F16)
        return var_composed(x, axes, keepdims, ddof, rop == OPS_R_STD, &rs,
                            out, hook, e);
      red_shape(x, axes, 1, &rk);
      if ((rc = reduce_into(RK_SUM, st, x, axes, 1, &rk, &aux, NULL, hook,
                            e)))
        return rc;
      divide_by(&aux, st, NULL, (double)rk.count, 0, 0);
      rc = reduce_into(RK_SQDEV, st, x, axes, keepdims, &rs, &tmp, &aux,
                       hook, e);
      npio_array_release(&aux);
      if (rc) return rc;
      divide_by(&tmp, st, NULL,
                (double)(rs.count - ddof > 0 ? rs.count - ddof : 0), 0, 0);
      if (rop == OPS_R_STD) sqrt_inplace(&tmp, st);
      *out = tmp;
      return NPIO_OK;
    }
    case OPS_R_NANMEAN: case OPS_R_NANVAR: case OPS_R_NANSTD: {
      int st = t == OT_F16 ? OT_F32 : t;
      redshape rk;
      int kd = rop == OPS_R_NANMEAN ? keepdims : 1;
      if (ops_iscomplex(t)) break;
      red_shape(x, axes, kd, &rk);
      if ((rc = reduce_into(RK_CNTNN, st, x, axes, kd, &rk, &cnt, NULL, hook,
                            e)))
        return rc;
      if ((rc = reduce_into(t == OT_F16 ? RK_NANSUM : RK_NANSUM, st, x, axes,
                            kd, &rk, &aux, NULL, hook, e)))
        goto nanfail;
      divide_by(&aux, st, &cnt, 0, 1, 0);
      if (rop == OPS_R_NANMEAN) {
        npio_array_release(&cnt);
        return finish(out, &aux, t, hook, e);
      }
      rc = reduce_into(RK_NSQDEV, st, x, axes, keepdims, &rs, &tmp, &aux,
                       hook, e);
      npio_array_release(&aux);
      if (rc) goto nanfail;
      {  /* dof = cnt - ddof, <= 0 gives NaN */
        int64_t n = npio_array_size(&cnt), i;
        int64_t *c = MP(int64_t, ops_ptr(&cnt));
        for (i = 0; i < n; i++) c[i] -= ddof;
      }
      divide_by(&tmp, st, &cnt, 0, 1, 1);
      npio_array_release(&cnt);
      if (rop == OPS_R_NANSTD) sqrt_inplace(&tmp, st);
      return finish(out, &tmp, t, hook, e);
    nanfail:
      npio_array_release(&cnt);
      npio_array_release(&aux);
      return rc;
    }
  }
  return npio_seterr(e, NPIO_ETYPE, "%s: not supported for %s",
                     red_names[rop], ops_types[t].name);
}

/* }====================================================== */

/* {======================================================
** argmin/argmax
** ======================================================= */

/* NumPy's argmax: the first maximum; a NaN is maximal (first one wins);
** argmin the same with minimum. */
#define ARGK(N, T, ISF) \
static int64_t argmax_##N(const T *v, int64_t n) { \
  T mp = v[0]; int64_t k = 0, i; \
  if (ISF && mp != mp) return 0; \
  for (i = 1; i < n; i++) \
    if (!(v[i] <= mp)) { mp = v[i]; k = i; if (ISF && mp != mp) break; } \
  return k; \
} \
static int64_t argmin_##N(const T *v, int64_t n) { \
  T mp = v[0]; int64_t k = 0, i; \
  if (ISF && mp != mp) return 0; \
  for (i = 1; i < n; i++) \
    if (!(v[i] >= mp)) { mp = v[i]; k = i; if (ISF && mp != mp) break; } \
  return k; \
}
ARGK(BOOL, uint8_t, 0)
ARGK(I8, int8_t, 0)
ARGK(U8, uint8_t, 0)
ARGK(I16, int16_t, 0)
ARGK(U16, uint16_t, 0)
ARGK(I32, int32_t, 0)
ARGK(U32, uint32_t, 0)
ARGK(I64, int64_t, 0)
ARGK(U64, uint64_t, 0)
ARGK(F32, float, 1)
ARGK(F64, double, 1)

static int64_t argrow(int ismax, int t, const char *p, int64_t n) {
#define AC(N, T) case OT_##N: return ismax ? argmax_##N(CP(T, p), n) \
                                           : argmin_##N(CP(T, p), n);
  switch (t) {
    AC(BOOL, uint8_t) AC(I8, int8_t) AC(U8, uint8_t) AC(I16, int16_t)
    AC(U16, uint16_t) AC(I32, int32_t) AC(U32, uint32_t) AC(I64, int64_t)
    AC(U64, uint64_t) AC(F32, float) AC(F64, double)
  }
#undef AC
  return 0;
}

int ops_argreduce(int ismax, const npio_array *x, int axis, int keepdims,
                  npio_array *out, const npio_memhook *hook, npio_err *e) {
  int t = ops_type_of(x->dtype), ct, rc, i, j;
  npio_array v, c;
  int64_t n, rows, r, sh[NPIO_MAXDIMS];
  int nd = 0;
  const char *fn = ismax ? "argmax" : "argmin";
  if (t < 0 || ops_iscomplex(t))
    return npio_seterr(e, NPIO_ETYPE, "%s: not supported for this dtype", fn);
  ct = t == OT_F16 ? OT_F32 : t;
  v = *x;
  if (axis >= 0) {   /* move the axis last */
    for (i = 0, j = 0; i < x->ndim; i++) {
      if (i == axis) continue;
      v.shape[j] = x->shape[i];
      v.strides[j] = x->strides[i];
      sh[nd++] = x->shape[i];
      j++;
    }
    v.shape[j] = x->shape[axis];
    v.strides[j] = x->strides[axis];
    n = x->shape[axis];
  } else
    n = npio_array_size(x);
  rows = n ? npio_array_size(x) / n : 0;
  if (n == 0)
    return npio_seterr(e, NPIO_EVALUE,
                       "attempt to get %s of an empty sequence", fn);
  memset(&c, 0, sizeof c);
  if ((rc = ops_contig(&c, &v, ct, hook, e))) return rc;
  if (keepdims) {
    nd = 0;
    for (i = 0; i < x->ndim; i++)
      sh[nd++] = (axis < 0 || i == axis) ? 1 : x->shape[i];
  } else if (axis < 0)
    nd = 0;
  if ((rc = ops_alloc(out, OT_I64, nd, sh, 0, hook, e))) {
    npio_array_release(&c);
    return rc;
  }
  {
    const char *base = ops_ptr(&c);
    int64_t *o = MP(int64_t, ops_ptr(out));
    int64_t sz = ops_types[ct].size;
    for (r = 0; r < rows; r++) o[r] = argrow(ismax, ct, base + r * n * sz, n);
  }
  npio_array_release(&c);
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** cumsum/cumprod
** ======================================================= */

#define CUMK(N, T, OPE) \
static void cum_##N(char *p, int64_t outer, int64_t n, int64_t inner, \
                    int isprod) { \
  int64_t o, k, j; \
  for (o = 0; o < outer; o++) { \
    T *base = MP(T, p) + o * n * inner; \
    for (k = 1; k < n; k++) { \
      T *prev = base + (k - 1) * inner, *cur = base + k * inner; \
      if (isprod) for (j = 0; j < inner; j++) cur[j] = OPE(prev[j], cur[j], *); \
      else for (j = 0; j < inner; j++) cur[j] = OPE(prev[j], cur[j], +); \
    } \
  } \
}
#define OPU(a, b, op) ((uint64_t)(a) op (uint64_t)(b))
#define OPF(a, b, op) ((a) op (b))
#define OPH(a, b, op) ops_f2h(ops_h2f(a) op ops_h2f(b))
CUMK(I64, int64_t, OPU)
CUMK(U64, uint64_t, OPU)
CUMK(F32, float, OPF)
CUMK(F64, double, OPF)
CUMK(F16, uint16_t, OPH)

#define CCUMK(N, T, R) \
static void cum_##N(char *p, int64_t outer, int64_t n, int64_t inner, \
                    int isprod) { \
  int64_t o, k, j; \
  for (o = 0; o < outer; o++) { \
    T *base = MP(T, p) + o * n * inner; \
    for (k = 1; k < n; k++) { \
      T *prev = base + (k - 1) * inner, *cur = base + k * inner; \
      for (j = 0; j < inner; j++) { \
        if (isprod) { \
          R re = prev[j].re * cur[j].re - prev[j].im * cur[j].im; \
          R im = prev[j].re * cur[j].im + prev[j].im * cur[j].re; \
          cur[j].re = re; cur[j].im = im; \
        } else { \
          cur[j].re = prev[j].re + cur[j].re; \
          cur[j].im = prev[j].im + cur[j].im; \
        } \
      } \
    } \
  } \
}
CCUMK(C64, ops_c64, float)
CCUMK(C128, ops_c128, double)

int ops_cumulate(int isprod, const npio_array *x, int axis, npio_array *out,
                 const npio_memhook *hook, npio_err *e) {
  int t = ops_type_of(x->dtype), ct, rc, i;
  int64_t outer = 1, n, inner = 1, size;
  if (t < 0)
    return npio_seterr(e, NPIO_ETYPE, "%s: not supported for this dtype",
                       isprod ? "cumprod" : "cumsum");
  ct = sum_type(t);
  if ((rc = ops_alloc(out, ct, x->ndim, x->shape, 0, hook, e))) return rc;
  if ((rc = ops_copy_cast(out, x, e))) {
    npio_array_release(out);
    return rc;
  }
  size = npio_array_size(x);
  if (axis < 0) {
    n = size;
    out->ndim = 1;
    out->shape[0] = size;
    out->strides[0] = ops_types[ct].size;
  } else {
    for (i = 0; i < axis; i++) outer *= x->shape[i];
    for (i = axis + 1; i < x->ndim; i++) inner *= x->shape[i];
    n = x->shape[axis];
  }
  if (size == 0) return NPIO_OK;
  {
    char *p = ops_ptr(out);
    switch (ct) {
      case OT_I64: cum_I64(p, outer, n, inner, isprod); break;
      case OT_U64: cum_U64(p, outer, n, inner, isprod); break;
      case OT_F16: cum_F16(p, outer, n, inner, isprod); break;
      case OT_F32: cum_F32(p, outer, n, inner, isprod); break;
      case OT_F64: cum_F64(p, outer, n, inner, isprod); break;
      case OT_C64: cum_C64(p, outer, n, inner, isprod); break;
      case OT_C128: cum_C128(p, outer, n, inner, isprod); break;
    }
  }
  return NPIO_OK;
}

/* }====================================================== */
