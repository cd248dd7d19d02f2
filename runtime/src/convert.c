/*
** convert.c -- element values and casting, as NumPy 1.24 does them.
**
** npio_array_cast is ndarray.astype with unsafe casting; npio_scalar_get
** and npio_scalar_set read and assign one element. Three layers:
**   - numeric kernels: one tight loop per (source, destination) type pair
**     in native order, generated from X-macros, with the exact x86-64
**     results NumPy gives for NaN, inf and out-of-range floats;
**   - the iteration driver: axes sorted and coalesced as NumPy does,
**     byte-swapped operands staged through small stack blocks;
**   - element conversions for everything else: text (S/U) to and from
**     numbers, datetime units, void and structured copies.
** Nothing here includes Lua.
*/
#include "npio_int.h"
#include "convert_int.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {======================================================
** Long double (NumPy's float128 on x86-64: 80-bit extended in 16 bytes)
** ======================================================= */

#if !defined(NPIO_NO_X87) && LDBL_MANT_DIG == 64 && \
    defined(__SIZEOF_LONG_DOUBLE__) && __SIZEOF_LONG_DOUBLE__ == 16
#define CVT_X87 1
typedef long double ldbl;
#define LDFMT "L"
#else
/* No native 80-bit type: f16 is decoded to double and encoded back. */
#define CVT_X87 0
typedef double ldbl;
#define LDFMT ""
#endif

#if CVT_X87
static inline ldbl ld_load(const char *p) {
  long double x;
  memcpy(&x, p, sizeof(x));
  return x;
}

/* Stores the 10 meaningful bytes and zeroes the 6 bytes of padding, so
** that no indeterminate bytes reach files. */
static inline void ld_store(char *p, ldbl x) {
  unsigned char b[16];
  memset(b, 0, sizeof(b));
  memcpy(b, &x, 10);
  memcpy(p, b, 16);
}
#else
/* x87 extended: 64-bit significand with explicit integer bit, 15-bit
** exponent (bias 16383), sign; little-endian bytes as x86 writes them. */
static ldbl ld_load(const char *p) {
  const unsigned char *b = (const unsigned char *)p;
  uint64_t m = 0;
  int i, ex, neg;
  for (i = 7; i >= 0; i--) m = (m << 8) | b[i];
  ex = ((b[9] & 0x7f) << 8) | b[8];
  neg = b[9] >> 7;
  if (ex == 0x7fff) {
    if ((m << 1) == 0) return neg ? -INFINITY : INFINITY;
    return neg ? -NAN : NAN;
  }
  return (neg ? -1.0 : 1.0) * ldexp((double)m, ex - 16383 - 63);
}

static void ld_store(char *p, ldbl x) {
  unsigned char b[16];
  uint64_t m = 0;
  int ex = 0, neg = signbit(x) != 0, i;
  memset(b, 0, sizeof(b));
  if (isnan(x)) { ex = 0x7fff; m = 0xC000000000000000ULL; }
  else if (isinf(x)) { ex = 0x7fff; m = 0x8000000000000000ULL; }
  else if (x != 0) {
    int e2;
    double f = frexp(fabs(x), &e2);            /* x = f * 2^e2, f in [.5,1) */
    m = (uint64_t)ldexp(f, 64);
    ex = e2 - 1 + 16383;
  }
  for (i = 0; i < 8; i++) b[i] = (unsigned char)(m >> (8 * i));
  b[8] = (unsigned char)ex;
  b[9] = (unsigned char)((ex >> 8) | (neg << 7));
  memcpy(p, b, 16);
}
#endif

/* }====================================================== */

/* {======================================================
** Half precision (bit-exact with numpy/core/src/npymath/halffloat.c:
** round to nearest even, overflow to inf, NaN payload kept when it fits)
** ======================================================= */

static inline uint32_t f32bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}
static inline float bitsf32(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static inline uint64_t f64bits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static inline double bitsf64(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}

/*
** Rounds a finite double's magnitude (sign handled by the caller) to
** half bits with round-half-even; values >= 65520 become inf.
*/
static uint16_t d2h_finite(uint64_t b) {
  int e = (int)((b >> 52) & 0x7ff);
  uint64_t m = b & 0xFFFFFFFFFFFFFULL, hm, rem, half;
  int shift;
  if (e == 0) return 0;                  /* double subnormal: far below */
  m |= 1ULL << 52;
  e -= 1023;
  if (e > 15) return 0x7c00;
  if (e >= -14) {                        /* normal half */
    hm = m >> 42;
    rem = m & ((1ULL << 42) - 1);
    half = 1ULL << 41;
    if (rem > half || (rem == half && (hm & 1))) hm++;
    /* adding lets a carry move into the exponent (and on to inf) */
    return (uint16_t)((((uint32_t)(e + 15)) << 10) + (uint32_t)hm - 1024);
  }
  shift = 28 - e;                        /* subnormal half: units 2^-24 */
  if (shift > 53) return 0;
  hm = m >> shift;
  rem = m & ((1ULL << shift) - 1);
  half = 1ULL << (shift - 1);
  if (rem > half || (rem == half && (hm & 1))) hm++;
  return (uint16_t)hm;
}

static uint16_t d2h(double d) {
  uint64_t b = f64bits(d);
  uint16_t sgn = (uint16_t)((b >> 48) & 0x8000);
  if (((b >> 52) & 0x7ff) == 0x7ff) {
    uint64_t sig = b & 0xFFFFFFFFFFFFFULL;
    if (sig) {
      uint16_t r = (uint16_t)(0x7c00 + (sig >> 42));
      if (r == 0x7c00) r++;
      return sgn | r;
    }
    return sgn | 0x7c00;
  }
  return sgn | d2h_finite(b & 0x7FFFFFFFFFFFFFFFULL);
}

static uint16_t f2h(float f) {
  uint32_t b = f32bits(f);
  uint16_t sgn = (uint16_t)((b >> 16) & 0x8000);
  if ((b & 0x7f800000) == 0x7f800000) {
    uint32_t sig = b & 0x7fffff;
    if (sig) {
      uint16_t r = (uint16_t)(0x7c00 + (sig >> 13));
      if (r == 0x7c00) r++;
      return sgn | r;
    }
    return sgn | 0x7c00;
  }
  /* a float is exactly a double: one rounding, as NumPy's float path */
  return sgn | d2h_finite(f64bits(fabs((double)f)));
}

static float h2f(uint16_t h) {
  uint32_t sgn = (uint32_t)(h & 0x8000) << 16;
  uint32_t ex = h & 0x7c00, sig = h & 0x3ff;
  if (ex == 0x7c00) return bitsf32(sgn | 0x7f800000 | (sig << 13));
  if (ex == 0) {
    float v = (float)sig * 0x1p-24f;     /* exact */
    return sgn ? -v : v;
  }
  return bitsf32(sgn | (((uint32_t)(h & 0x7fff) + 0x1c000) << 13));
}

static double h2d(uint16_t h) {
  if ((h & 0x7c00) == 0x7c00)            /* inf/NaN bits move as is */
    return bitsf64(((uint64_t)(h & 0x8000) << 48) | 0x7ff0000000000000ULL |
                   ((uint64_t)(h & 0x3ff) << 42));
  return (double)h2f(h);
}

/* }====================================================== */

/* {======================================================
** Float to integer as NumPy 1.24 on x86-64 computes it
**
** NumPy's casts are plain C conversions compiled by GCC; out-of-range
** values give what the instructions give. We spell those results out
** instead of relying on undefined behaviour:
**   - float/double to int32 (cvttss2si/cvttsd2si): INT32_MIN when out of
**     range or NaN; int8/int16/uint8/uint16 take the low bits of that;
**   - to int64 likewise with INT64_MIN; uint32 takes the low 32 bits of
**     the int64 conversion; uint64 subtracts 2^63 first when x >= 2^63;
**   - long double (x87 fisttp) converts to int16 for int8/uint8/int16,
**     to int32 for uint16/int32, to int64 for uint32/int64;
**   - in NumPy's contiguous loops GCC vectorises float/double to uint32
**     and gets a different sequence (see VU4 below).
** ======================================================= */

static inline int32_t cvt32f(float x) {
  return ((x >= -0x1p31f) & (x < 0x1p31f)) ? (int32_t)x : INT32_MIN;
}
static inline int64_t cvt64f(float x) {
  return ((x >= -0x1p63f) & (x < 0x1p63f)) ? (int64_t)x : INT64_MIN;
}
static inline int32_t cvt32d(double x) {
  return ((x > -2147483649.0) & (x < 2147483648.0)) ? (int32_t)x : INT32_MIN;
}
static inline int64_t cvt64d(double x) {
  return ((x >= -0x1p63) & (x < 0x1p63)) ? (int64_t)x : INT64_MIN;
}
static inline int16_t fist16(ldbl x) {
  return (x > -32769.0 && x < 32768.0) ? (int16_t)x : INT16_MIN;
}
static inline int32_t fist32(ldbl x) {
  return (x > -2147483649.0 && x < 2147483648.0) ? (int32_t)x : INT32_MIN;
}
static inline int64_t fist64(ldbl x) {
  return (x >= -0x1p63 && x < 0x1p63) ? (int64_t)x : INT64_MIN;
}
static inline uint64_t u64f(float x) {
  return x >= 0x1p63f ? (uint64_t)cvt64f(x - 0x1p63f) ^ 0x8000000000000000ULL
                      : (uint64_t)cvt64f(x);
}
static inline uint64_t u64d(double x) {
  return x >= 0x1p63 ? (uint64_t)cvt64d(x - 0x1p63) ^ 0x8000000000000000ULL
                     : (uint64_t)cvt64d(x);
}
static inline uint64_t u64l(ldbl x) {
  return x >= 0x1p63 ? (uint64_t)fist64(x - 0x1p63) ^ 0x8000000000000000ULL
                     : (uint64_t)fist64(x);
}
/* The vectorised float/double -> uint32 of NumPy's contiguous loops. */
/* (Written without branches so that these loops vectorise too.) */
static inline uint32_t vu4f(float x) {
  int big = x >= 0x1p31f;
  uint32_t r = (uint32_t)cvt32f(x - (big ? 0x1p31f : 0.0f));
  return r ^ ((uint32_t)big << 31);
}
static inline uint32_t vu4d(double x) {
  int big = x >= 0x1p31;
  uint32_t r = (uint32_t)cvt32d(x - (big ? 0x1p31 : 0.0));
  return r ^ ((uint32_t)big << 31);
}

/* }====================================================== */

/* {======================================================
** Numeric kernels
**
** Types are named by id (B, I1 ... C32). Each has a C type CT_x, a size
** SZ_x, loader ld_x and storer st_x, and describes its value with:
**   FAM_x  the family deciding float->int rules: FINT (bool and ints),
**          FHALF (raw half bits), FFLT, FDBL, FLDB;
**   VAL_x  the real value in that family, NZ_x its truth (bool casts),
**          IM_x the imaginary part (0 for real types).
** CV_<dst>(src, x) converts a loaded source value x to the destination.
** ======================================================= */

typedef struct cflt { float re, im; } cflt;
typedef struct cdbl { double re, im; } cdbl;
typedef struct cldb { ldbl re, im; } cldb;

enum { T_B, T_I1, T_I2, T_I4, T_I8, T_U1, T_U2, T_U4, T_U8, T_F2, T_F4,
       T_F8, T_F16, T_C8, T_C16, T_C32, NTYPES };

#define CT_B uint8_t
#define CT_I1 int8_t
#define CT_I2 int16_t
#define CT_I4 int32_t
#define CT_I8 int64_t
#define CT_U1 uint8_t
#define CT_U2 uint16_t
#define CT_U4 uint32_t
#define CT_U8 uint64_t
#define CT_F2 uint16_t
#define CT_F4 float
#define CT_F8 double
#define CT_F16 ldbl
#define CT_C8 cflt
#define CT_C16 cdbl
#define CT_C32 cldb

#define SZ_B 1
#define SZ_I1 1
#define SZ_I2 2
#define SZ_I4 4
#define SZ_I8 8
#define SZ_U1 1
#define SZ_U2 2
#define SZ_U4 4
#define SZ_U8 8
#define SZ_F2 2
#define SZ_F4 4
#define SZ_F8 8
#define SZ_F16 16
#define SZ_C8 8
#define SZ_C16 16
#define SZ_C32 32

/* Plain loaders and storers: memcpy, so any alignment is fine. */
#define DEF_LDST(T) \
  static inline CT_##T ld_##T(const char *p) { \
    CT_##T v; memcpy(&v, p, SZ_##T); return v; } \
  static inline void st_##T(char *p, CT_##T v) { memcpy(p, &v, SZ_##T); }
DEF_LDST(B) DEF_LDST(I1) DEF_LDST(I2) DEF_LDST(I4) DEF_LDST(I8)
DEF_LDST(U1) DEF_LDST(U2) DEF_LDST(U4) DEF_LDST(U8) DEF_LDST(F2)
DEF_LDST(F4) DEF_LDST(F8) DEF_LDST(C8) DEF_LDST(C16)

static inline ldbl ld_F16(const char *p) { return ld_load(p); }
static inline void st_F16(char *p, ldbl v) { ld_store(p, v); }
static inline cldb ld_C32(const char *p) {
  cldb v;
  v.re = ld_load(p);
  v.im = ld_load(p + 16);
  return v;
}
static inline void st_C32(char *p, cldb v) {
  ld_store(p, v.re);
  ld_store(p + 16, v.im);
}

#define FAM_B FINT
#define FAM_I1 FINT
#define FAM_I2 FINT
#define FAM_I4 FINT
#define FAM_I8 FINT
#define FAM_U1 FINT
#define FAM_U2 FINT
#define FAM_U4 FINT
#define FAM_U8 FINT
#define FAM_F2 FHALF
#define FAM_F4 FFLT
#define FAM_F8 FDBL
#define FAM_F16 FLDB
#define FAM_C8 FFLT
#define FAM_C16 FDBL
#define FAM_C32 FLDB

#define VAL_B(x) ((x) != 0)
#define VAL_I1(x) (x)
#define VAL_I2(x) (x)
#define VAL_I4(x) (x)
#define VAL_I8(x) (x)
#define VAL_U1(x) (x)
#define VAL_U2(x) (x)
#define VAL_U4(x) (x)
#define VAL_U8(x) (x)
#define VAL_F2(x) (x)
#define VAL_F4(x) (x)
#define VAL_F8(x) (x)
#define VAL_F16(x) (x)
#define VAL_C8(x) ((x).re)
#define VAL_C16(x) ((x).re)
#define VAL_C32(x) ((x).re)

#define NZ_B(x) ((x) != 0)
#define NZ_I1(x) ((x) != 0)
#define NZ_I2(x) ((x) != 0)
#define NZ_I4(x) ((x) != 0)
#define NZ_I8(x) ((x) != 0)
#define NZ_U1(x) ((x) != 0)
#define NZ_U2(x) ((x) != 0)
#define NZ_U4(x) ((x) != 0)
#define NZ_U8(x) ((x) != 0)
#define NZ_F2(x) (((x) & 0x7fff) != 0)
#define NZ_F4(x) ((x) != 0)
#define NZ_F8(x) ((x) != 0)
#define NZ_F16(x) ((x) != 0)
#define NZ_C8(x) ((x).re != 0 || (x).im != 0)
#define NZ_C16(x) ((x).re != 0 || (x).im != 0)
#define NZ_C32(x) ((x).re != 0 || (x).im != 0)

#define IM_B(x) 0
#define IM_I1(x) 0
#define IM_I2(x) 0
#define IM_I4(x) 0
#define IM_I8(x) 0
#define IM_U1(x) 0
#define IM_U2(x) 0
#define IM_U4(x) 0
#define IM_U8(x) 0
#define IM_F2(x) 0
#define IM_F4(x) 0
#define IM_F8(x) 0
#define IM_F16(x) 0
#define IM_C8(x) ((x).im)
#define IM_C16(x) ((x).im)
#define IM_C32(x) ((x).im)

/* Destination rules per family. Integer wrap-around relies on GCC's
** documented modulo conversion to narrower signed types. */
#define TOI1_FINT(v) ((int8_t)(v))
#define TOI1_FFLT(v) ((int8_t)(uint32_t)cvt32f(v))
#define TOI1_FDBL(v) ((int8_t)(uint32_t)cvt32d(v))
#define TOI1_FLDB(v) ((int8_t)(uint16_t)fist16(v))
#define TOI1_FHALF(v) TOI1_FFLT(h2f(v))
#define TOI2_FINT(v) ((int16_t)(v))
#define TOI2_FFLT(v) ((int16_t)(uint32_t)cvt32f(v))
#define TOI2_FDBL(v) ((int16_t)(uint32_t)cvt32d(v))
#define TOI2_FLDB(v) (fist16(v))
#define TOI2_FHALF(v) TOI2_FFLT(h2f(v))
#define TOI4_FINT(v) ((int32_t)(v))
#define TOI4_FFLT(v) (cvt32f(v))
#define TOI4_FDBL(v) (cvt32d(v))
#define TOI4_FLDB(v) (fist32(v))
#define TOI4_FHALF(v) TOI4_FFLT(h2f(v))
#define TOI8_FINT(v) ((int64_t)(v))
#define TOI8_FFLT(v) (cvt64f(v))
#define TOI8_FDBL(v) (cvt64d(v))
#define TOI8_FLDB(v) (fist64(v))
#define TOI8_FHALF(v) TOI8_FFLT(h2f(v))
#define TOU1_FINT(v) ((uint8_t)(v))
#define TOU1_FFLT(v) ((uint8_t)(uint32_t)cvt32f(v))
#define TOU1_FDBL(v) ((uint8_t)(uint32_t)cvt32d(v))
#define TOU1_FLDB(v) ((uint8_t)(uint16_t)fist16(v))
#define TOU1_FHALF(v) TOU1_FFLT(h2f(v))
#define TOU2_FINT(v) ((uint16_t)(v))
#define TOU2_FFLT(v) ((uint16_t)(uint32_t)cvt32f(v))
#define TOU2_FDBL(v) ((uint16_t)(uint32_t)cvt32d(v))
#define TOU2_FLDB(v) ((uint16_t)(uint32_t)fist32(v))
#define TOU2_FHALF(v) TOU2_FFLT(h2f(v))
#define TOU4_FINT(v) ((uint32_t)(v))
#define TOU4_FFLT(v) ((uint32_t)(uint64_t)cvt64f(v))
#define TOU4_FDBL(v) ((uint32_t)(uint64_t)cvt64d(v))
#define TOU4_FLDB(v) ((uint32_t)(uint64_t)fist64(v))
#define TOU4_FHALF(v) TOU4_FFLT(h2f(v))
#define TOU8_FINT(v) ((uint64_t)(v))
#define TOU8_FFLT(v) (u64f(v))
#define TOU8_FDBL(v) (u64d(v))
#define TOU8_FLDB(v) (u64l(v))
#define TOU8_FHALF(v) TOU8_FFLT(h2f(v))
#define TOH_FINT(v) (d2h((double)(v)))
#define TOH_FHALF(v) ((uint16_t)(v))
#define TOH_FFLT(v) (f2h(v))
#define TOH_FDBL(v) (d2h(v))
#define TOH_FLDB(v) (f2h((float)(v)))       /* NumPy goes through float */
#define TOF4_FINT(v) ((float)(v))
#define TOF4_FHALF(v) (h2f(v))
#define TOF4_FFLT(v) ((float)(v))
#define TOF4_FDBL(v) ((float)(v))
#define TOF4_FLDB(v) ((float)(v))
#define TOF8_FINT(v) ((double)(v))
#define TOF8_FHALF(v) (h2d(v))
#define TOF8_FFLT(v) ((double)(v))
#define TOF8_FDBL(v) ((double)(v))
#define TOF8_FLDB(v) ((double)(v))
#define TOLD_FINT(v) ((ldbl)(v))
#define TOLD_FHALF(v) ((ldbl)h2f(v))
#define TOLD_FFLT(v) ((ldbl)(v))
#define TOLD_FDBL(v) ((ldbl)(v))
#define TOLD_FLDB(v) ((ldbl)(v))

#define PASTE_(a, b) a##b
#define PASTE(a, b) PASTE_(a, b)
#define RULE(to, S) PASTE(to, FAM_##S)

#define CV_B(S, x) ((uint8_t)NZ_##S(x))
#define CV_I1(S, x) RULE(TOI1_, S)(VAL_##S(x))
#define CV_I2(S, x) RULE(TOI2_, S)(VAL_##S(x))
#define CV_I4(S, x) RULE(TOI4_, S)(VAL_##S(x))
#define CV_I8(S, x) RULE(TOI8_, S)(VAL_##S(x))
#define CV_U1(S, x) RULE(TOU1_, S)(VAL_##S(x))
#define CV_U2(S, x) RULE(TOU2_, S)(VAL_##S(x))
#define CV_U4(S, x) RULE(TOU4_, S)(VAL_##S(x))
#define CV_U8(S, x) RULE(TOU8_, S)(VAL_##S(x))
#define CV_F2(S, x) RULE(TOH_, S)(VAL_##S(x))
#define CV_F4(S, x) RULE(TOF4_, S)(VAL_##S(x))
#define CV_F8(S, x) RULE(TOF8_, S)(VAL_##S(x))
#define CV_F16(S, x) RULE(TOLD_, S)(VAL_##S(x))
#define CV_C8(S, x) \
  ((cflt){RULE(TOF4_, S)(VAL_##S(x)), RULE(TOF4_, S)(IM_##S(x))})
#define CV_C16(S, x) \
  ((cdbl){RULE(TOF8_, S)(VAL_##S(x)), RULE(TOF8_, S)(IM_##S(x))})
#define CV_C32(S, x) \
  ((cldb){RULE(TOLD_, S)(VAL_##S(x)), RULE(TOLD_, S)(IM_##S(x))})

/*
** A kernel converts n elements from s (stride ss) to d (stride ds), both
** in native order. The operands never overlap (the driver copies first
** when they would), hence 'restrict'. The contiguous loop is written in
** blocks of a fixed length so that GCC vectorises it even at -O2.
*/
typedef void (*cvfn)(const char *restrict s, char *restrict d, int64_t n,
                     int64_t ss, int64_t ds);

#define CVT_UNROLL 16

#define DEF_PAIR(S, D) \
  static void cv_##S##_##D(const char *restrict s, char *restrict d, \
                           int64_t n, int64_t ss, int64_t ds) { \
    int64_t i = 0; \
    if (ss == SZ_##S && ds == SZ_##D) { \
      for (; i + CVT_UNROLL <= n; i += CVT_UNROLL) { \
        int k; \
        for (k = 0; k < CVT_UNROLL; k++) { \
          CT_##S x = ld_##S(s + (i + k) * SZ_##S); \
          st_##D(d + (i + k) * SZ_##D, CV_##D(S, x)); \
        } \
      } \
      for (; i < n; i++) { \
        CT_##S x = ld_##S(s + i * SZ_##S); \
        st_##D(d + i * SZ_##D, CV_##D(S, x)); \
      } \
    } else { \
      for (; i < n; i++) { \
        CT_##S x = ld_##S(s + i * ss); \
        st_##D(d + i * ds, CV_##D(S, x)); \
      } \
    } \
  }

#define EACH_DST(M, S) M(S, B) M(S, I1) M(S, I2) M(S, I4) M(S, I8) \
  M(S, U1) M(S, U2) M(S, U4) M(S, U8) M(S, F2) M(S, F4) M(S, F8) \
  M(S, F16) M(S, C8) M(S, C16) M(S, C32)
#define EACH_TYPE(M) M(B) M(I1) M(I2) M(I4) M(I8) M(U1) M(U2) M(U4) M(U8) \
  M(F2) M(F4) M(F8) M(F16) M(C8) M(C16) M(C32)

#define DEF_ROW(S) EACH_DST(DEF_PAIR, S)
EACH_TYPE(DEF_ROW)

#define FN_ENTRY(S, D) cv_##S##_##D,
#define TAB_ROW(S) {EACH_DST(FN_ENTRY, S)},
static const cvfn cvtab[NTYPES][NTYPES] = {EACH_TYPE(TAB_ROW)};

/* The vectorised uint32 results, for the leading elements of NumPy's
** contiguous loops (see vec_count). Only out-of-range values differ from
** the plain kernels; the loop is blocked the same way for speed. */
#define DEF_VU4(S, conv) \
  static void cvv_##S(const char *restrict s, char *restrict d, int64_t n, \
                      int64_t ss, int64_t ds) { \
    int64_t i = 0; \
    if (ss == SZ_##S && ds == 4) { \
      for (; i + CVT_UNROLL <= n; i += CVT_UNROLL) { \
        int k; \
        for (k = 0; k < CVT_UNROLL; k++) { \
          CT_##S x = ld_##S(s + (i + k) * SZ_##S); \
          st_U4(d + (i + k) * 4, conv(VAL_##S(x))); \
        } \
      } \
    } \
    for (; i < n; i++) { \
      CT_##S x = ld_##S(s + i * ss); \
      st_U4(d + i * ds, conv(VAL_##S(x))); \
    } \
  }
DEF_VU4(F4, vu4f)
DEF_VU4(F8, vu4d)
DEF_VU4(C8, vu4f)
DEF_VU4(C16, vu4d)

static const int type_size[NTYPES] = {1, 1, 2, 4, 8, 1, 2, 4, 8,
                                      2, 4, 8, 16, 8, 16, 32};

/* The kernel type id of a simple dtype, or -1 (S, U, V, structured).
** datetime64/timedelta64 count as int64. */
static int type_id(const npio_dtype *d) {
  if (d->nfields > 0 || d->base != NULL) return -1;
  switch (d->kind) {
    case 'b': return d->itemsize == 1 ? T_B : -1;
    case 'i': case 'u': {
      int u = d->kind == 'u';
      switch (d->itemsize) {
        case 1: return u ? T_U1 : T_I1;
        case 2: return u ? T_U2 : T_I2;
        case 4: return u ? T_U4 : T_I4;
        case 8: return u ? T_U8 : T_I8;
        default: return -1;
      }
    }
    case 'f':
      switch (d->itemsize) {
        case 2: return T_F2;
        case 4: return T_F4;
        case 8: return T_F8;
        case 16: return T_F16;
        default: return -1;
      }
    case 'c':
      switch (d->itemsize) {
        case 8: return T_C8;
        case 16: return T_C16;
        case 32: return T_C32;
        default: return -1;
      }
    case 'M': case 'm': return d->itemsize == 8 ? T_I8 : -1;
    default: return -1;
  }
}

/* The word a byte swap reverses: the component of complex numbers. */
static int64_t swap_word(const npio_dtype *d) {
  if (d->kind == 'c') return d->itemsize / 2;
  if (d->kind == 'U') return 4;
  return d->itemsize;
}

/* 1 if the dtype's bytes must be reversed to be read natively. */
static int needs_swap(const npio_dtype *d) {
  return d->order != '|' && d->order != npio_native_order() &&
         swap_word(d) > 1;
}

/* }====================================================== */

/* {======================================================
** Byte swapping and copying runs
** ======================================================= */

/*
** Reverses each of 'nw' words of 'w' bytes from s into d (d != s).
** Blocked like the kernels so that the common sizes vectorise.
*/
static void swap_words(char *restrict d, const char *restrict s, int64_t nw,
                       int64_t w) {
  int64_t i = 0;
  switch (w) {
    case 2:
      for (; i + CVT_UNROLL <= nw; i += CVT_UNROLL) {
        int k;
        for (k = 0; k < CVT_UNROLL; k++) {
          uint16_t v; memcpy(&v, s + 2 * (i + k), 2);
          v = __builtin_bswap16(v); memcpy(d + 2 * (i + k), &v, 2);
        }
      }
      for (; i < nw; i++) {
        uint16_t v; memcpy(&v, s + 2 * i, 2);
        v = __builtin_bswap16(v); memcpy(d + 2 * i, &v, 2);
      }
      return;
    case 4:
      for (; i + CVT_UNROLL <= nw; i += CVT_UNROLL) {
        int k;
        for (k = 0; k < CVT_UNROLL; k++) {
          uint32_t v; memcpy(&v, s + 4 * (i + k), 4);
          v = __builtin_bswap32(v); memcpy(d + 4 * (i + k), &v, 4);
        }
      }
      for (; i < nw; i++) {
        uint32_t v; memcpy(&v, s + 4 * i, 4);
        v = __builtin_bswap32(v); memcpy(d + 4 * i, &v, 4);
      }
      return;
    case 8:
      for (; i + CVT_UNROLL <= nw; i += CVT_UNROLL) {
        int k;
        for (k = 0; k < CVT_UNROLL; k++) {
          uint64_t v; memcpy(&v, s + 8 * (i + k), 8);
          v = __builtin_bswap64(v); memcpy(d + 8 * (i + k), &v, 8);
        }
      }
      for (; i < nw; i++) {
        uint64_t v; memcpy(&v, s + 8 * i, 8);
        v = __builtin_bswap64(v); memcpy(d + 8 * i, &v, 8);
      }
      return;
    default:
      npio_swap_copy(d, s, nw, w);
      return;
  }
}

/* Copies n elements of 'size' bytes, swapping words of 'w' bytes in each
** (w == 0: no swap), from a strided source to a strided destination. */
static void move_elems(char *restrict d, int64_t ds, const char *restrict s,
                       int64_t ss, int64_t n, int64_t size, int64_t w) {
  int64_t i;
  if (ss == size && ds == size) {
    if (w) swap_words(d, s, n * (size / w), w);
    else memcpy(d, s, (size_t)(n * size));
    return;
  }
  if (w) {
    switch (w == size ? size : 0) {   /* strided single words: inline */
      case 2:
        for (i = 0; i < n; i++) {
          uint16_t v; memcpy(&v, s + i * ss, 2);
          v = __builtin_bswap16(v); memcpy(d + i * ds, &v, 2);
        }
        return;
      case 4:
        for (i = 0; i < n; i++) {
          uint32_t v; memcpy(&v, s + i * ss, 4);
          v = __builtin_bswap32(v); memcpy(d + i * ds, &v, 4);
        }
        return;
      case 8:
        for (i = 0; i < n; i++) {
          uint64_t v; memcpy(&v, s + i * ss, 8);
          v = __builtin_bswap64(v); memcpy(d + i * ds, &v, 8);
        }
        return;
      default:
        for (i = 0; i < n; i++)
          swap_words(d + i * ds, s + i * ss, size / w, w);
        return;
    }
  }
  switch (size) {      /* fixed sizes let memcpy become one move */
    case 1: for (i = 0; i < n; i++) d[i * ds] = s[i * ss]; return;
    case 2: for (i = 0; i < n; i++) memcpy(d + i * ds, s + i * ss, 2); return;
    case 4: for (i = 0; i < n; i++) memcpy(d + i * ds, s + i * ss, 4); return;
    case 8: for (i = 0; i < n; i++) memcpy(d + i * ds, s + i * ss, 8); return;
    default:
      for (i = 0; i < n; i++) memcpy(d + i * ds, s + i * ss, (size_t)size);
      return;
  }
}

/* }====================================================== */

/* {======================================================
** Iteration: NumPy's PyArray_PrepareTwoRawArrayIter
**
** Axes are sorted by the destination's strides (largest first, ties in
** axis order), negative destination strides are flipped, and axes that
** form one run in both arrays are merged. The innermost (merged) axis is
** handed to a run function; this reproduces the calls NumPy's strided
** loops get, which matters for the few results that depend on them.
** ======================================================= */

typedef struct iter2 {
  int nd;                       /* >= 1 */
  int64_t shape[NPIO_MAXDIMS];  /* [0] is the innermost axis */
  int64_t ss[NPIO_MAXDIMS], ds[NPIO_MAXDIMS];
  int64_t soff, doff;           /* first element, from the data pointers */
} iter2;

typedef int (*runfn)(void *ud, const char *s, int64_t ss, char *d,
                     int64_t ds, int64_t n, npio_err *e);

static int64_t iabs64(int64_t v) { return v < 0 ? -v : v; }

/* Fills 'it'; returns 0 when there are no elements. */
static int iter_prepare(iter2 *it, int ndim, const int64_t *shape,
                        const int64_t *dstr, const int64_t *sstr) {
  int perm[NPIO_MAXDIMS];
  int64_t sh[NPIO_MAXDIMS], sa[NPIO_MAXDIMS], da[NPIO_MAXDIMS];
  int i, j, k;
  it->soff = it->doff = 0;
  for (i = 0; i < ndim; i++)
    if (shape[i] == 0) return 0;
  if (ndim == 0) {
    it->nd = 1;
    it->shape[0] = 1;
    it->ss[0] = it->ds[0] = 0;
    return 1;
  }
  for (i = 0; i < ndim; i++) perm[i] = i;
  for (i = 1; i < ndim; i++) {          /* stable insertion sort */
    int p = perm[i];
    for (j = i; j > 0 && iabs64(dstr[perm[j - 1]]) < iabs64(dstr[p]); j--)
      perm[j] = perm[j - 1];
    perm[j] = p;
  }
  for (k = 0; k < ndim; k++) {          /* innermost first */
    int a = perm[ndim - 1 - k];
    sh[k] = shape[a];
    da[k] = dstr[a];
    sa[k] = sstr[a];
    if (da[k] < 0) {
      it->doff += da[k] * (sh[k] - 1);
      it->soff += sa[k] * (sh[k] - 1);
      da[k] = -da[k];
      sa[k] = -sa[k];
    }
  }
  i = 0;
  for (j = 1; j < ndim; j++) {          /* coalesce */
    if (sh[i] == 1) {
      sh[i] = sh[j]; da[i] = da[j]; sa[i] = sa[j];
    } else if (sh[j] == 1) {
      /* drop axis j */
    } else if (da[i] * sh[i] == da[j] && sa[i] * sh[i] == sa[j]) {
      sh[i] *= sh[j];
    } else {
      i++;
      sh[i] = sh[j]; da[i] = da[j]; sa[i] = sa[j];
    }
  }
  it->nd = i + 1;
  for (k = 0; k < it->nd; k++) {
    it->shape[k] = sh[k];
    it->ss[k] = sa[k];
    it->ds[k] = da[k];
  }
  return 1;
}

/* Calls fn on every innermost run; stops at the first error. */
static int iter_walk(const iter2 *it, const char *sbase, char *dbase,
                     runfn fn, void *ud, npio_err *e) {
  int64_t idx[NPIO_MAXDIMS];
  int64_t so = it->soff, dof = it->doff;
  int k, st;
  memset(idx, 0, sizeof(idx));
  for (;;) {
    st = fn(ud, sbase + so, it->ss[0], dbase + dof, it->ds[0], it->shape[0],
            e);
    if (st != NPIO_OK) return st;
    for (k = 1; k < it->nd; k++) {
      if (++idx[k] < it->shape[k]) {
        so += it->ss[k];
        dof += it->ds[k];
        break;
      }
      so -= it->ss[k] * (it->shape[k] - 1);
      dof -= it->ds[k] * (it->shape[k] - 1);
      idx[k] = 0;
    }
    if (k >= it->nd) return NPIO_OK;
  }
}

/* }====================================================== */

/* {======================================================
** Numeric runs
** ======================================================= */

/* Bytes of the stack blocks that stage byte-swapped operands. */
#define CVT_BLOCK 8192
/* Elements per block in NumPy's wrapped (swapping) loops. */
#define NPY_BLOCK 128

typedef struct numrun {
  cvfn fn;          /* the native kernel */
  cvfn vfn;         /* vectorised uint32 variant, or NULL */
  int vkind;        /* 1: float/double -> uint32; 2: complex -> uint32 */
  int aligned;      /* both arrays aligned as NumPy checks it */
  int sswap, dswap;
  int64_t ssize, dsize, sword, dword;
} numrun;

/*
** How many leading elements of a kernel call NumPy 1.24 computes with
** GCC's vectorised float -> uint32 sequence: its contiguous loops handle
** blocks of 4 in SIMD and the rest one by one. For real sources any
** alignment vectorises; complex sources only when aligned, and the loop
** keeps the last block scalar (GCC peels for the gap of the interleaved
** load). Other calls (strided) are all scalar.
*/
static int64_t vec_count(const numrun *r, int64_t n, int64_t ss,
                         int64_t ds, int aligned) {
  if (r->vkind == 0 || ss != r->ssize || ds != r->dsize) return 0;
  if (r->vkind == 1) return n & ~(int64_t)3;
  if (!aligned || n < 1) return 0;
  return (n - 1) & ~(int64_t)3;
}

/* 'aligned': the operands the kernel sees count as aligned for NumPy;
** that is the arrays' alignment unless both sides are staged blocks. */
static void num_core(const numrun *r, const char *s, int64_t ss, char *d,
                     int64_t ds, int64_t n, int aligned) {
  int64_t v = vec_count(r, n, ss, ds, aligned);
  if (v > 0) r->vfn(s, d, v, ss, ds);
  if (n > v) r->fn(s + v * ss, d + v * ds, n - v, ss, ds);
}

/*
** A run of a numeric cast. Byte-swapped operands go through stack
** blocks: the source is swapped into one, the kernel writes into the
** other, which is swapped out. Blocks are NumPy's 128 elements where
** that is visible (the uint32 case), else as many as fit. NumPy wraps a
** cast with both sides swapped as a whole, so its inner loop then sees
** aligned buffers; with one side swapped the other keeps its alignment.
*/
static int num_run(void *ud, const char *s, int64_t ss, char *d, int64_t ds,
                   int64_t n, npio_err *e) {
  const numrun *r = (const numrun *)ud;
  _Alignas(64) char sbuf[CVT_BLOCK];
  _Alignas(64) char dbuf[CVT_BLOCK];
  int64_t blk, i, m;
  (void)e;
  if (!r->sswap && !r->dswap) {
    num_core(r, s, ss, d, ds, n, r->aligned);
    return NPIO_OK;
  }
  blk = CVT_BLOCK / (r->ssize > r->dsize ? r->ssize : r->dsize);
  if (r->vkind) blk = NPY_BLOCK;
  for (i = 0; i < n; i += m) {
    const char *s2 = s + i * ss;
    char *d2 = d + i * ds;
    int64_t ss2 = ss, ds2 = ds;
    m = n - i < blk ? n - i : blk;
    if (r->sswap) {
      move_elems(sbuf, r->ssize, s2, ss, m, r->ssize, r->sword);
      s2 = sbuf;
      ss2 = r->ssize;
    }
    if (r->dswap) {
      d2 = dbuf;
      ds2 = r->dsize;
    }
    num_core(r, s2, ss2, d2, ds2, m, r->aligned || (r->sswap && r->dswap));
    if (r->dswap) move_elems(d + i * ds, ds, dbuf, r->dsize, m, r->dsize,
                             r->dword);
  }
  return NPIO_OK;
}

/* A run of a same-type copy ('w' in ud: 0 = plain, else swap words). */
typedef struct copyrun { int64_t size, w; } copyrun;

static int copy_run(void *ud, const char *s, int64_t ss, char *d, int64_t ds,
                    int64_t n, npio_err *e) {
  const copyrun *c = (const copyrun *)ud;
  (void)e;
  move_elems(d, ds, s, ss, n, c->size, c->w);
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Locale-independent number text
** ======================================================= */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* The "C" locale object, or 0 if it could not be made. */
static locale_t cloc(void) {
  pthread_once(&c_locale_once, make_c_locale);
  return c_locale;
}

/* snprintf in the C locale (the decimal point is always '.'). */
static int cfmt(char *out, size_t cap, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int cfmt(char *out, size_t cap, const char *fmt, ...) {
  va_list ap;
  locale_t c = cloc(), old = (locale_t)0;
  int n;
  if (c) old = uselocale(c);
  va_start(ap, fmt);
  n = vsnprintf(out, cap, fmt, ap);
  va_end(ap);
  if (c) uselocale(old);
  return n;
}

static double c_strtod(const char *s, char **end) {
  locale_t c = cloc();
  return c ? strtod_l(s, end, c) : strtod(s, end);
}

static float c_strtof(const char *s, char **end) {
  locale_t c = cloc();
  return c ? strtof_l(s, end, c) : strtof(s, end);
}

static ldbl c_strtold(const char *s, char **end) {
#if CVT_X87
  locale_t c = cloc();
  return c ? strtold_l(s, end, c) : strtold(s, end);
#else
  return c_strtod(s, end);
#endif
}

/* }====================================================== */

/* {======================================================
** Formatting numbers as NumPy's str()
** ======================================================= */

/* Float widths: how a value's shortest repr is found and checked. */
enum { FW_HALF, FW_FLOAT, FW_DOUBLE, FW_LDBL };

static const int fw_maxdigits[] = {5, 9, 17, 21};

/*
** A real value to print: half, float and double values are carried as
** a double (exactly); only float128 uses long double arithmetic (which
** also keeps the other widths right under valgrind, whose x87 support
** is only 64-bit).
*/
typedef struct fval {
  int fw;
  double d;        /* FW_HALF, FW_FLOAT, FW_DOUBLE */
  ldbl l;          /* FW_LDBL */
  uint16_t h;      /* FW_HALF: the bits */
} fval;

static int fv_isnan(const fval *v) {
  return v->fw == FW_LDBL ? isnan(v->l) : isnan(v->d);
}
static int fv_isinf(const fval *v) {
  return v->fw == FW_LDBL ? isinf(v->l) : isinf(v->d);
}
static int fv_signbit(const fval *v) {
  return v->fw == FW_LDBL ? signbit(v->l) != 0 : signbit(v->d) != 0;
}
static int fv_iszero(const fval *v) {
  return v->fw == FW_LDBL ? v->l == 0 : v->d == 0;
}
/* NumPy's choice: positional when 1e-4 <= |x| < 1e16 or x == 0 (it
** compares in long double; for the narrower widths a double comparison
** gives the same answer, no double lying between 1e-4 and 1e-4L). */
static int fv_positional(const fval *v) {
  if (v->fw == FW_LDBL) {
    ldbl a = v->l < 0 ? -v->l : v->l;
    return a == 0 || (a < 1e16L && a >= 1e-4L);
  } else {
    double a = fabs(v->d);
    return a == 0 || (a < 1e16 && a >= 1e-4);
  }
}

/* Formats |v| with p significant digits ("%.{p-1}e"), C locale. */
static void fmt_sig(char *buf, size_t cap, const fval *v, int p) {
  if (v->fw == FW_LDBL) cfmt(buf, cap, "%.*" LDFMT "e", p - 1, v->l);
  else cfmt(buf, cap, "%.*e", p - 1, v->d);
}

/* 1 if the decimal text 'buf' reads back as the value (|v|). */
static int roundtrips(const char *buf, const fval *v) {
  switch (v->fw) {
    case FW_HALF: return d2h(c_strtod(buf, NULL)) == v->h;
    case FW_FLOAT: return c_strtof(buf, NULL) == (float)v->d;
    case FW_DOUBLE: return c_strtod(buf, NULL) == v->d;
    default: return c_strtold(buf, NULL) == v->l;
  }
}

/* 1 if the decimal text is below the value. */
static int text_below(const char *buf, const fval *v) {
  if (v->fw == FW_LDBL) return c_strtold(buf, NULL) < v->l;
  return c_strtod(buf, NULL) < v->d;
}

/* 1 if |v| (finite, > 0) is a power of two of its width, where the gap
** below is half the gap above. */
static int is_pow2(const fval *v) {
  switch (v->fw) {
    case FW_HALF: return (v->h & 0x3ff) == 0 && (v->h & 0x7c00) != 0;
    case FW_FLOAT: {
      uint32_t b = f32bits((float)v->d);
      return (b & 0x7fffff) == 0 && (b & 0x7f800000) != 0;
    }
    case FW_DOUBLE: {
      uint64_t b = f64bits(v->d);
      return (b & 0xFFFFFFFFFFFFFULL) == 0 && ((b >> 52) & 0x7ff) != 0;
    }
    default: {
#if CVT_X87
      unsigned char b[16];
      uint64_t m;
      memcpy(b, &v->l, 10);
      memcpy(&m, b, 8);
      return m == 0x8000000000000000ULL && ((b[8] | (b[9] & 0x7f)) != 0);
#else
      uint64_t b = f64bits((double)v->l);
      return (b & 0xFFFFFFFFFFFFFULL) == 0 && ((b >> 52) & 0x7ff) != 0;
#endif
    }
  }
}

/* Splits "d.ddde+XX" into digits and the decimal exponent. */
static int split_sci(const char *buf, char *dig, int *ex) {
  int n = 0;
  const char *q = buf;
  for (; *q && *q != 'e'; q++)
    if (*q >= '0' && *q <= '9') dig[n++] = *q;
  dig[n] = '\0';
  *ex = *q == 'e' ? atoi(q + 1) : 0;
  return n;
}

/*
** The shortest digits that read back as v (finite, > 0), as Python's
** repr and NumPy's Dragon4 (unique mode) find them: the fewest digits
** such that the correctly rounded decimal is inside v's rounding
** interval; the count is binary searched (more digits never fail).
** Where v is a power of two the interval is wider above, so one digit
** fewer may work rounded up. Writes digits (no point) and returns their
** count; *ex is the decimal exponent of the first digit.
*/
static int shortest_digits(const fval *v, char *dig, int *ex) {
  char buf[64];
  int lo = 1, hi = fw_maxdigits[v->fw], n;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    fmt_sig(buf, sizeof(buf), v, mid);
    if (roundtrips(buf, v)) hi = mid;
    else lo = mid + 1;
  }
  if (lo > 1 && is_pow2(v)) {
    char d2[32];
    int e2, k, m = lo - 1;
    fmt_sig(buf, sizeof(buf), v, m);
    split_sci(buf, d2, &e2);
    if (text_below(buf, v)) {              /* try the next decimal up */
      for (k = m - 1; k >= 0 && d2[k] == '9'; k--) d2[k] = '0';
      if (k < 0) { d2[0] = '1'; e2++; }
      else d2[k]++;
      cfmt(buf, sizeof(buf), "%c.%se%d", d2[0], d2 + 1, e2);
      if (roundtrips(buf, v)) {
        memcpy(dig, d2, (size_t)m);
        /* a carry leaves "10..0": drop the extra zero */
        while (m > 1 && dig[m - 1] == '0') m--;
        dig[m] = '\0';
        *ex = e2;
        return m;
      }
    }
  }
  fmt_sig(buf, sizeof(buf), v, lo);
  n = split_sci(buf, dig, ex);
  while (n > 1 && dig[n - 1] == '0') n--;  /* "1.0e+20" has one digit */
  dig[n] = '\0';
  return n;
}

/*
** NumPy's str() of a real value: positional when 1e-4 <= |x| < 1e16
** or x is zero, else scientific with at least two exponent digits.
** 'trim' drops a ".0" fraction (the parts of complex numbers:
** "(1+2j)"); 'plus' adds '+' to non-negative values. Returns the length.
*/
static int fmt_real(char *out, const fval *v, int trim, int plus) {
  char dig[40];
  int n = 0, nd, ex, k;
  fval a = *v;
  if (fv_isnan(v)) return sprintf(out, "%snan", plus ? "+" : "");
  if (fv_signbit(v)) out[n++] = '-';
  else if (plus) out[n++] = '+';
  if (fv_isinf(v)) {
    memcpy(out + n, "inf", 4);
    return n + 3;
  }
  a.d = fabs(a.d);
  a.l = a.l < 0 ? -a.l : a.l;
  a.h &= 0x7fff;
  if (fv_iszero(&a)) {
    nd = 1; ex = 0; dig[0] = '0'; dig[1] = '\0';
  } else {
    nd = shortest_digits(&a, dig, &ex);
  }
  if (fv_positional(&a)) {
    if (ex >= 0) {
      for (k = 0; k <= ex; k++) out[n++] = k < nd ? dig[k] : '0';
      if (nd > ex + 1) {
        out[n++] = '.';
        for (k = ex + 1; k < nd; k++) out[n++] = dig[k];
      } else if (!trim) {
        out[n++] = '.';
        out[n++] = '0';
      }
    } else {
      out[n++] = '0';
      out[n++] = '.';
      for (k = 0; k < -ex - 1; k++) out[n++] = '0';
      for (k = 0; k < nd; k++) out[n++] = dig[k];
    }
    out[n] = '\0';
    return n;
  }
  out[n++] = dig[0];
  if (nd > 1) {
    out[n++] = '.';
    for (k = 1; k < nd; k++) out[n++] = dig[k];
  }
  n += sprintf(out + n, "e%c%02d", ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
  return n;
}

static fval fv_double(int fw, double x) {
  fval v;
  memset(&v, 0, sizeof(v));
  v.fw = fw;
  v.d = x;
  return v;
}

static fval fv_ldbl(ldbl x) {
  fval v;
  memset(&v, 0, sizeof(v));
  v.fw = FW_LDBL;
  v.l = x;
  return v;
}

/* NumPy's str() of a complex number (the parts as given). */
static int fmt_complex(char *out, const fval *re, const fval *im) {
  int n;
  if (fv_iszero(re) && !fv_signbit(re)) {
    n = fmt_real(out, im, 1, 0);
    out[n++] = 'j';
    out[n] = '\0';
    return n;
  }
  out[0] = '(';
  n = 1;
  if (fv_isnan(re)) n += sprintf(out + n, "nan");
  else n += fmt_real(out + n, re, 1, 0);
  n += fmt_real(out + n, im, 1, 1);
  memcpy(out + n, "j)", 3);
  return n + 2;
}

int cvt_double_str(double x, char *out) {
  fval v = fv_double(FW_DOUBLE, x);
  return fmt_real(out, &v, 0, 0);
}

/* }====================================================== */

/* {======================================================
** datetime64 / timedelta64
** ======================================================= */

enum { DT_Y, DT_M, DT_W, DT_D, DT_h, DT_m, DT_s, DT_ms, DT_us, DT_ns,
       DT_ps, DT_fs, DT_as, DT_GENERIC };

static const char *const dt_names[] = {
  "Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"
};
static const char *const dt_long[] = {
  "years", "months", "weeks", "days", "hours", "minutes", "seconds",
  "milliseconds", "microseconds", "nanoseconds", "picoseconds",
  "femtoseconds", "attoseconds"
};

typedef __int128 i128;

/* Attoseconds in one unit; years and months are NumPy's 400-year
** averages (365.2425 days, 1/12 of that), which make them exact. */
static i128 dt_as(int u) {
  static const int64_t secs[] = {31556952, 2629746, 604800, 86400, 3600, 60,
                                 1};
  static const int64_t sub[] = {1000000000000000LL, 1000000000000LL,
                                1000000000LL, 1000000LL, 1000LL, 1LL};
  if (u <= DT_s) return (i128)secs[u] * 1000000000000000000LL;
  return sub[u - DT_ms];
}

typedef struct dtunit {
  int base;        /* DT_* */
  int64_t mult;    /* the 25 of "25s" */
} dtunit;

/* Parses a dtype's unit text ("s", "25ms", "" for generic). */
static int dt_unit(const npio_dtype *d, dtunit *u) {
  const char *p = d->unit;
  int k;
  u->mult = 1;
  u->base = DT_GENERIC;
  if (*p == '\0') return 0;
  if (*p >= '0' && *p <= '9') {
    u->mult = 0;
    while (*p >= '0' && *p <= '9') u->mult = u->mult * 10 + (*p++ - '0');
    if (u->mult <= 0) return -1;
  }
  for (k = 0; k <= DT_as; k++)
    if (strcmp(p, dt_names[k]) == 0) {
      u->base = k;
      return 0;
    }
  return -1;
}

static i128 floordiv128(i128 a, i128 b) {
  i128 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static i128 days_from_civil(i128 y, int m, int d) {
  i128 era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
static int month_days(int64_t y, int m) {
  static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* count * mult with the wrap-around NumPy's C code has. */
static int64_t wrapmul(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a * (uint64_t)b);
}

/*
** A unit conversion: the factor num/den between two units and whether
** a datetime goes through the calendar (years or months involved).
*/
typedef struct dtconv {
  dtunit from, to;
  int64_t num, den;
  int calendar;
  int copy;        /* generic on a side, or identical units */
} dtconv;

static uint64_t gcd64(uint64_t a, uint64_t b) {
  while (b != 0) { uint64_t t = a % b; a = b; b = t; }
  return a;
}

/* NumPy's get_datetime_units_factor: the product of the step factors
** from 'big' down to 'little', 0 once it reaches 2^56. */
static uint64_t dt_steps(int big, int little) {
  static const uint64_t step[] = {1, 1, 7, 24, 60, 60, 1000, 1000, 1000,
                                  1000, 1000, 1000, 1};
  uint64_t f = 1;
  int u;
  for (u = big; u < little; u++) {
    f *= step[u];
    if (f & 0xff00000000000000ULL) return 0;
  }
  return f;
}

/*
** The conversion factor as NumPy's get_datetime_conversion_factor
** computes it (uint64, years and months by the 400-year cycle), with its
** "Integer overflow" error when a step product reaches 2^56.
*/
static int dt_prepare(dtconv *c, const npio_dtype *sd, const npio_dtype *dd,
                      npio_err *e) {
  uint64_t n = 1, d = 1, g;
  int lo, hi;
  memset(c, 0, sizeof(*c));
  if (dt_unit(sd, &c->from) || dt_unit(dd, &c->to))
    return npio_seterr(e, NPIO_EVALUE, "bad datetime unit [%s] or [%s]",
                       sd->unit, dd->unit);
  c->num = c->den = 1;
  /* datetime <-> timedelta and generic units keep the count */
  if (sd->kind != dd->kind || c->from.base == DT_GENERIC ||
      c->to.base == DT_GENERIC ||
      (c->from.base == c->to.base && c->from.mult == c->to.mult)) {
    c->copy = 1;
    return NPIO_OK;
  }
  lo = c->from.base < c->to.base ? c->from.base : c->to.base;
  hi = c->from.base < c->to.base ? c->to.base : c->from.base;
  if (lo != hi) {
    if (lo == DT_Y && hi == DT_M) {
      n = 12;
    } else if (lo <= DT_M && hi == DT_W) {
      n = 146097;
      d = lo == DT_Y ? 400 * 7 : 400 * 12 * 7;
    } else if (lo <= DT_M) {
      n = 146097 * dt_steps(DT_D, hi);
      d = lo == DT_Y ? 400 : 400 * 12;
    } else {
      n = dt_steps(lo, hi);
    }
    if (n == 0)
      return npio_seterr(e, NPIO_EVALUE, "Integer overflow while computing "
                         "the conversion factor between NumPy datetime units "
                         "%s and %s", dt_names[lo], dt_names[hi]);
  }
  if (c->from.base > c->to.base) { g = n; n = d; d = g; }
  n *= (uint64_t)c->from.mult;
  d *= (uint64_t)c->to.mult;
  g = gcd64(n, d);
  c->num = (int64_t)(n / g);
  c->den = (int64_t)(d / g);
  /* NumPy converts datetimes through the calendar when years or months
  ** are on either side (it matters only where int64 wraps) */
  c->calendar = sd->kind == 'M' &&
                (c->from.base <= DT_M || c->to.base <= DT_M);
  return NPIO_OK;
}

/* The broken-down time of a datetime count: date, time of day and the
** sub-second fraction in attoseconds. */
typedef struct dtparts {
  int64_t year;
  int month, day, hour, min, sec;
  int64_t as;
} dtparts;

/* Adds with the wrap-around of NumPy's int64 C arithmetic. */
static int64_t wrapadd(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Floor division and remainder of a by b > 0. */
static int64_t floordivmod(int64_t a, int64_t b, int64_t *rem) {
  int64_t q = a / b, r = a % b;
  if (r < 0) { r += b; q--; }
  *rem = r;
  return q;
}

/*
** The date of a day count as NumPy's set_datetimestruct_days finds it:
** 400/100/4-year cycles counted from 2000 in int64, so that counts near
** the ends of the range give the same (wrapped) years NumPy prints.
*/
static void np_days_to_date(int64_t days, dtparts *p) {
  static const int ml[2][12] = {
    {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
    {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
  };
  const int64_t per400 = 400 * 365 + 100 - 4 + 1;
  int64_t year, r;
  int i;
  days = wrapadd(days, -(365 * 30 + 7));   /* relative to 2000-01-01 */
  year = 400 * floordivmod(days, per400, &r);
  days = r;
  if (days >= 366) {
    year += 100 * ((days - 1) / (100 * 365 + 25 - 1));
    days = (days - 1) % (100 * 365 + 25 - 1);
    if (days >= 365) {
      year += 4 * ((days + 1) / (4 * 365 + 1));
      days = (days + 1) % (4 * 365 + 1);
      if (days >= 366) {
        year += (days - 1) / 365;
        days = (days - 1) % 365;
      }
    }
  }
  p->year = wrapadd(year, 2000);
  for (i = 0; i < 12; i++) {
    int len = ml[is_leap(p->year)][i];
    if (days < len) {
      p->month = i + 1;
      p->day = (int)days + 1;
      return;
    }
    days -= len;
  }
}

/* Breaks a datetime count down as NumPy's
** convert_datetime_to_datetimestruct does. */
static void dt_split(int64_t v, dtunit u, dtparts *p) {
  int64_t x = wrapmul(v, u.mult), r;
  memset(p, 0, sizeof(*p));
  p->month = p->day = 1;
  switch (u.base) {
    case DT_Y:
      p->year = wrapadd(1970, x);
      return;
    case DT_M:
      p->year = wrapadd(1970, floordivmod(x, 12, &r));
      p->month = (int)r + 1;
      return;
    case DT_W:
      np_days_to_date(wrapmul(x, 7), p);
      return;
    case DT_D:
      np_days_to_date(x, p);
      return;
    default: {
      /* finer units: whole days first (the as/fs ranges stay near 1970) */
      i128 per = dt_as(DT_D) / dt_as(u.base), days, rem, sod;
      days = floordiv128(x, per);
      rem = (i128)x - days * per;
      np_days_to_date((int64_t)days, p);
      rem *= dt_as(u.base);                     /* attoseconds */
      sod = rem / dt_as(DT_s);
      p->as = (int64_t)(rem - sod * dt_as(DT_s));
      p->hour = (int)(sod / 3600);
      p->min = (int)(sod / 60 % 60);
      p->sec = (int)(sod % 60);
      return;
    }
  }
}

/* NumPy's get_datetimestruct_days: days since 1970 of a date, int64. */
static int64_t np_date_days(const dtparts *p) {
  static const int ml[2][12] = {
    {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
    {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
  };
  int64_t year = wrapadd(p->year, -1970), days = wrapmul(year, 365);
  int i;
  if (days >= 0) {
    year = wrapadd(year, 1);
    days = wrapadd(days, year / 4);
    year = wrapadd(year, 68);
    days = wrapadd(days, -(year / 100));
    year = wrapadd(year, 300);
    days = wrapadd(days, year / 400);
  } else {
    year = wrapadd(year, -2);
    days = wrapadd(days, year / 4);
    year = wrapadd(year, -28);
    days = wrapadd(days, -(year / 100));
    days = wrapadd(days, year / 400);
  }
  for (i = 0; i < p->month - 1; i++)
    days = wrapadd(days, ml[is_leap(p->year)][i]);
  return wrapadd(days, p->day - 1);
}

/* NumPy's convert_datetimestruct_to_datetime, int64 wrap included. */
static int64_t np_parts_to_count(const dtparts *p, dtunit u) {
  int64_t r, days, us, ps, as;
  if (u.base == DT_Y) {
    r = wrapadd(p->year, -1970);
  } else if (u.base == DT_M) {
    r = wrapadd(wrapmul(wrapadd(p->year, -1970), 12), p->month - 1);
  } else {
    days = np_date_days(p);
    us = p->as / 1000000000000LL;
    ps = p->as / 1000000 % 1000000;
    as = p->as % 1000000;
    switch (u.base) {
      case DT_W: r = (days >= 0 ? days : wrapadd(days, -6)) / 7; break;
      case DT_D: r = days; break;
      default:
        r = wrapadd(wrapmul(days, 24), p->hour);
        if (u.base == DT_h) break;
        r = wrapadd(wrapmul(r, 60), p->min);
        if (u.base == DT_m) break;
        r = wrapadd(wrapmul(r, 60), p->sec);
        if (u.base == DT_s) break;
        if (u.base == DT_ms) {
          r = wrapadd(wrapmul(r, 1000), us / 1000);
          break;
        }
        r = wrapadd(wrapmul(r, 1000000), us);
        if (u.base == DT_us) break;
        if (u.base == DT_ns) {
          r = wrapadd(wrapmul(r, 1000), ps / 1000);
          break;
        }
        r = wrapadd(wrapmul(r, 1000000), ps);
        if (u.base == DT_ps) break;
        if (u.base == DT_fs) {
          r = wrapadd(wrapmul(r, 1000), as / 1000);
          break;
        }
        r = wrapadd(wrapmul(r, 1000000), as);
        break;
    }
  }
  if (u.mult > 1)
    r = r >= 0 ? r / u.mult
               : (int64_t)((uint64_t)r - (uint64_t)u.mult + 1) / u.mult;
  return r;
}

/* Converts one count as NumPy's datetime/timedelta casts do: linear
** scaling (with int64 wrap-around), or through the calendar. */
static int64_t dt_convert(const dtconv *c, int64_t v) {
  if (v == INT64_MIN || c->copy) return v;
  if (!c->calendar) {
    if (v < 0)
      return (int64_t)((uint64_t)v * (uint64_t)c->num -
                       (uint64_t)(c->den - 1)) / c->den;
    return (int64_t)((uint64_t)v * (uint64_t)c->num) / c->den;
  } else {
    dtparts p;
    dt_split(v, c->from, &p);
    return np_parts_to_count(&p, c->to);
  }
}

/*
** NumPy's ISO 8601 text of a datetime into a field of 'cap' characters,
** with its checks: the year is printed with snprintf into the field
** (so a year that exactly fills it loses its last digit), every later
** part must fit whole, "NaT" needs 3. Returns the length or -1.
*/
static int dt_iso(int64_t v, dtunit u, int64_t cap, char *out) {
  char full[96];
  int yl, n;
  dtparts p;
  if (v == INT64_MIN) {
    if (cap < 3) return -1;
    memcpy(out, "NaT", 4);
    return 3;
  }
  if (u.base == DT_GENERIC) return -2;
  dt_split(v, u, &p);
  yl = sprintf(full, "%04lld", (long long)p.year);
  n = yl;
  if (u.base >= DT_M) n += sprintf(full + n, "-%02d", p.month);
  if (u.base >= DT_W) n += sprintf(full + n, "-%02d", p.day);
  if (u.base >= DT_h) n += sprintf(full + n, "T%02d", p.hour);
  if (u.base >= DT_m) n += sprintf(full + n, ":%02d", p.min);
  if (u.base >= DT_s) n += sprintf(full + n, ":%02d", p.sec);
  if (u.base >= DT_ms) {
    int digits = 3 * (u.base - DT_s);
    char fr[24];
    sprintf(fr, "%018lld", (long long)p.as);
    n += sprintf(full + n, ".%.*s", digits, fr);
  }
  if (yl > cap) return -1;
  if (u.base == DT_Y) {
    if (yl == cap) yl--;
    memcpy(out, full, (size_t)yl);
    out[yl] = '\0';
    return yl;
  }
  if (n > cap) return -1;
  memcpy(out, full, (size_t)n + 1);
  return n;
}

/* NumPy's str() of a timedelta: "5 seconds", "NaT". NumPy's cast to
** text goes through its default width for timedelta64 (21), so longer
** texts lose their end ("4611686018427387904 y"). */
static int td_text(int64_t v, dtunit u, char *out) {
  int n;
  if (v == INT64_MIN) return sprintf(out, "NaT");
  if (u.base == DT_GENERIC)
    n = sprintf(out, "%lld generic time units", (long long)v);
  else
    n = sprintf(out, "%lld %s", (long long)wrapmul(v, u.mult),
                dt_long[u.base]);
  if (n > 21) out[n = 21] = '\0';
  return n;
}

/* For error messages: text shown between quotes, cut short. */
static void show_text(char *out, size_t cap, const char *s, size_t len) {
  size_t i, n = 0;
  for (i = 0; i < len && n + 5 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f) out[n++] = (char)c;
    else n += (size_t)snprintf(out + n, cap - n, "\\x%02x", c);
  }
  if (i < len && n + 4 < cap) { memcpy(out + n, "...", 3); n += 3; }
  out[n] = '\0';
}

static int isdig(int c) { return c >= '0' && c <= '9'; }

static int dt_perr(npio_err *e, const char *what, const char *s, size_t len,
                   size_t pos) {
  char shown[160];
  show_text(shown, sizeof(shown), s, len);
  if (what)
    return npio_seterr(e, NPIO_EVALUE, "%s out of range in datetime string "
                       "\"%s\"", what, shown);
  return npio_seterr(e, NPIO_EVALUE, "Error parsing datetime string \"%s\" "
                     "at position %zu", shown, pos);
}

/*
** Parses ISO 8601 text as NumPy's parse_iso_8601_datetime: leading
** spaces, [+-]year, then optionally -MM, -DD, T or space hh, :mm, :ss,
** .fraction (up to 18 digits), and a Z or +-hh[:mm] offset. "" and "NaT"
** (any case) give NaT. The result is floored to the unit of 'u'.
*/
static int dt_parse(const char *s, size_t len, dtunit u, int64_t *out,
                    npio_err *e) {
  size_t i = 0;
  int neg = 0, ndig = 0, k, month = 1, day = 1, hour = 0, min = 0, sec = 0;
  int64_t year = 0;
  i128 as = 0, total;
  if (len == 0 || (len == 3 && (s[0] | 0x20) == 'n' && (s[1] | 0x20) == 'a'
                   && (s[2] | 0x20) == 't')) {
    *out = INT64_MIN;
    return NPIO_OK;
  }
  if (u.base == DT_GENERIC)
    return npio_seterr(e, NPIO_EVALUE, "cannot parse a datetime string into "
                       "a datetime64 without a unit");
  while (i < len && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
  if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  while (i < len && isdig(s[i]) && ndig < 12) {
    year = year * 10 + (s[i++] - '0');
    ndig++;
  }
  if (ndig == 0 || (i < len && isdig(s[i]))) return dt_perr(e, NULL, s, len, i);
  if (neg) year = -year;
  if (i == len) goto done;
  if (s[i] != '-') return dt_perr(e, NULL, s, len, i);
  i++;
  if (i + 1 >= len || !isdig(s[i]) || !isdig(s[i + 1]))
    return dt_perr(e, NULL, s, len, i);
  month = (s[i] - '0') * 10 + (s[i + 1] - '0');
  if (month < 1 || month > 12) return dt_perr(e, "Month", s, len, i);
  i += 2;
  if (i == len) goto done;
  if (s[i] != '-') return dt_perr(e, NULL, s, len, i);
  i++;
  if (i + 1 >= len || !isdig(s[i]) || !isdig(s[i + 1]))
    return dt_perr(e, NULL, s, len, i);
  day = (s[i] - '0') * 10 + (s[i + 1] - '0');
  if (day < 1 || day > month_days(year, month))
    return dt_perr(e, "Day", s, len, i);
  i += 2;
  if (i == len) goto done;
  if (s[i] != 'T' && s[i] != ' ') return dt_perr(e, NULL, s, len, i);
  i++;
  if (i + 1 >= len || !isdig(s[i]) || !isdig(s[i + 1]))
    return dt_perr(e, NULL, s, len, i);
  hour = (s[i] - '0') * 10 + (s[i + 1] - '0');
  if (hour > 23) return dt_perr(e, "Hours", s, len, i);
  i += 2;
  if (i < len && s[i] == ':') {
    i++;
    if (i + 1 >= len || !isdig(s[i]) || !isdig(s[i + 1]))
      return dt_perr(e, NULL, s, len, i);
    min = (s[i] - '0') * 10 + (s[i + 1] - '0');
    if (min > 59) return dt_perr(e, "Minutes", s, len, i);
    i += 2;
    if (i < len && s[i] == ':') {
      i++;
      if (i + 1 >= len || !isdig(s[i]) || !isdig(s[i + 1]))
        return dt_perr(e, NULL, s, len, i);
      sec = (s[i] - '0') * 10 + (s[i + 1] - '0');
      if (sec > 59) return dt_perr(e, "Seconds", s, len, i);
      i += 2;
      if (i < len && s[i] == '.') {
        int64_t scale = 100000000000000000LL;
        i++;
        for (k = 0; i < len && isdig(s[i]) && k < 18; k++, i++) {
          as += (s[i] - '0') * scale;
          scale /= 10;
        }
      }
    }
  }
  total = (days_from_civil(year, month, day) * 86400 + hour * 3600 +
           min * 60 + sec) * dt_as(DT_s) + as;
  if (i < len && s[i] == 'Z') {
    i++;
  } else if (i < len && (s[i] == '+' || s[i] == '-')) {
    int sg = s[i] == '-' ? -1 : 1, oh, om = 0;
    i++;
    if (i + 1 >= len || !isdig(s[i]) || !isdig(s[i + 1]))
      return dt_perr(e, NULL, s, len, i);
    oh = (s[i] - '0') * 10 + (s[i + 1] - '0');
    i += 2;
    if (i < len && s[i] == ':') i++;
    if (i + 1 < len && isdig(s[i]) && isdig(s[i + 1])) {
      om = (s[i] - '0') * 10 + (s[i + 1] - '0');
      i += 2;
    }
    total -= (i128)sg * (oh * 60 + om) * 60 * dt_as(DT_s);
  }
  if (i != len) return dt_perr(e, NULL, s, len, i);
  goto linear;
done:
  total = days_from_civil(year, month, day) * dt_as(DT_D);
linear:
  {                       /* back to broken-down time, then NumPy's rules */
    dtparts pp;
    i128 days = floordiv128(total, dt_as(DT_D));
    i128 rem = total - days * dt_as(DT_D), sod;
    memset(&pp, 0, sizeof(pp));
    np_days_to_date((int64_t)days, &pp);
    sod = rem / dt_as(DT_s);
    pp.as = (int64_t)(rem - sod * dt_as(DT_s));
    pp.hour = (int)(sod / 3600);
    pp.min = (int)(sod / 60 % 60);
    pp.sec = (int)(sod % 60);
    *out = np_parts_to_count(&pp, u);
  }
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Parsing numbers as Python's int(), float() and complex() do
** ======================================================= */

static int py_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static void strip_py(const char **s, size_t *len) {
  while (*len > 0 && py_space((unsigned char)(*s)[0])) { (*s)++; (*len)--; }
  while (*len > 0 && py_space((unsigned char)(*s)[*len - 1])) (*len)--;
}

/*
** Python's rule for underscores in numbers: only between two digits.
** Copies s without them into out (len + 1 bytes), NUL-terminated;
** returns the new length or -1.
*/
static int64_t drop_underscores(const char *s, size_t len, char *out) {
  size_t i, n = 0;
  int prev = 0;
  for (i = 0; i < len; i++) {
    int c = (unsigned char)s[i];
    if (c == '_') {
      if (!isdig(prev)) return -1;
    } else {
      if (prev == '_' && !isdig(c)) return -1;
      out[n++] = (char)c;
    }
    prev = c;
  }
  if (prev == '_') return -1;
  out[n] = '\0';
  return (int64_t)n;
}

static int ieq(const char *s, const char *word, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (s[i] == '\0' || (s[i] | 0x20) != word[i]) return 0;
  return 1;
}

/*
** Reads the longest float Python accepts at the start of s (a writable
** NUL-terminated buffer): [sign] then inf, infinity, nan or decimal
** digits with an optional point and exponent. Returns the characters
** used, 0 if none.
*/
static size_t float_prefix(char *s, double *out) {
  size_t i = 0, nd = 0;
  int neg = 0;
  char save;
  if (s[i] == '+' || s[i] == '-') neg = s[i++] == '-';
  if (ieq(s + i, "infinity", 8) || ieq(s + i, "inf", 3)) {
    i += ieq(s + i, "infinity", 8) ? 8 : 3;
    *out = neg ? -INFINITY : INFINITY;
    return i;
  }
  if (ieq(s + i, "nan", 3)) {
    *out = neg ? -NAN : NAN;
    return i + 3;
  }
  while (isdig(s[i])) { i++; nd++; }
  if (s[i] == '.') {
    i++;
    while (isdig(s[i])) { i++; nd++; }
  }
  if (nd == 0) return 0;
  if (s[i] == 'e' || s[i] == 'E') {
    size_t j = i + 1;
    if (s[j] == '+' || s[j] == '-') j++;
    if (isdig(s[j])) {
      while (isdig(s[j])) j++;
      i = j;
    }
  }
  save = s[i];
  s[i] = '\0';
  *out = c_strtod(s, NULL);        /* glibc rounds correctly */
  s[i] = save;
  return i;
}

/* A scratch buffer: on the stack when small. */
typedef struct scratch {
  char small[256];
  char *heap;
} scratch;

static char *scratch_get(scratch *b, size_t n) {
  b->heap = NULL;
  if (n <= sizeof(b->small)) return b->small;
  b->heap = (char *)malloc(n);
  return b->heap;
}

static void scratch_free(scratch *b) { free(b->heap); }

/* float(text): 0, -1 (bad text) or NPIO_ENOMEM (as -2). */
static int parse_float(const char *s, size_t len, double *out) {
  scratch sb;
  char *buf;
  int64_t n;
  int st = 0;
  strip_py(&s, &len);
  if ((buf = scratch_get(&sb, len + 1)) == NULL) return -2;
  n = drop_underscores(s, len, buf);
  if (n <= 0 || float_prefix(buf, out) != (size_t)n) st = -1;
  scratch_free(&sb);
  return st;
}

int cvt_parse_double(const char *s, size_t len, double *out) {
  return parse_float(s, len, out) == 0 ? 0 : -1;
}

/* complex(text), following CPython's complex_from_string_inner. */
static int parse_complex(const char *s, size_t len, double *re,
                         double *im) {
  scratch sb;
  char *buf, *q;
  int64_t n;
  int st = -1, bracket = 0;
  double z;
  size_t k;
  *re = *im = 0;
  strip_py(&s, &len);
  if ((buf = scratch_get(&sb, len + 1)) == NULL) return -2;
  n = drop_underscores(s, len, buf);
  if (n < 0) goto out;
  q = buf;
  if (*q == '(') {
    bracket = 1;
    q++;
    while (py_space((unsigned char)*q)) q++;
  }
  k = float_prefix(q, &z);
  if (k > 0) {
    q += k;
    if (*q == '+' || *q == '-') {
      double y;
      *re = z;
      k = float_prefix(q, &y);
      if (k > 0) { *im = y; q += k; }
      else { *im = *q == '+' ? 1.0 : -1.0; q++; }
      if (*q != 'j' && *q != 'J') goto out;
      q++;
    } else if (*q == 'j' || *q == 'J') {
      *im = z;
      q++;
    } else {
      *re = z;
    }
  } else {
    if (*q == '+' || *q == '-') { *im = *q == '+' ? 1.0 : -1.0; q++; }
    else *im = 1.0;
    if (*q != 'j' && *q != 'J') goto out;
    q++;
  }
  while (py_space((unsigned char)*q)) q++;
  if (bracket) {
    if (*q != ')') goto out;
    q++;
    while (py_space((unsigned char)*q)) q++;
  }
  if (q == buf + n) st = 0;
out:
  scratch_free(&sb);
  return st;
}

/*
** NumPy's long double parser (NumPyOS_ascii_strtold): leading white
** space, then "nan" (any sign, optional "(chars)"), which is always the
** positive NaN, or [sign]inf[inity], or strtold; nothing may follow.
*/
static int parse_ldbl(const char *s, size_t len, ldbl *out) {
  scratch sb;
  char *buf, *p, *end;
  int st = -1, neg = 0;
  if ((buf = scratch_get(&sb, len + 1)) == NULL) return -2;
  memcpy(buf, s, len);
  buf[len] = '\0';
  if (strlen(buf) != len) goto out;            /* a NUL inside */
  p = buf;
  while (py_space((unsigned char)*p)) p++;
  end = p;
  if (*end == '-' || *end == '+') neg = *end++ == '-';
  if (ieq(end, "nan", 3)) {
    end += 3;
    if (*end == '(') {
      end++;
      while (isdig(*end) || ((*end | 0x20) >= 'a' && (*end | 0x20) <= 'z') ||
             *end == '_')
        end++;
      if (*end == ')') end++;
    }
    *out = NAN;
  } else if (ieq(end, "inf", 3)) {
    end += ieq(end, "infinity", 8) ? 8 : 3;
    *out = neg ? -INFINITY : INFINITY;
  } else {
    *out = c_strtold(p, &end);
    if (end == p) goto out;
  }
  if (*end == '\0') st = 0;
out:
  scratch_free(&sb);
  return st;
}

/*
** NumPy's timedelta64 from text: "" or "NaT" (any case) is NaT, else
** strtoll over the whole text (leading white space, a sign, saturating
** at the int64 limits, so "-99999999999999999999" is NaT).
*/
static int parse_td(const char *s, size_t len, int64_t *out) {
  size_t i = 0;
  int neg = 0, nd = 0;
  uint64_t mag = 0;
  int big = 0;
  if (len == 0 || (len == 3 && ieq(s, "nat", 3))) {
    *out = INT64_MIN;
    return 0;
  }
  while (i < len && py_space((unsigned char)s[i])) i++;
  if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  for (; i < len && isdig(s[i]); i++, nd++) {
    unsigned d = (unsigned)(s[i] - '0');
    if (mag > ((uint64_t)INT64_MAX + (uint64_t)neg - d) / 10) big = 1;
    else mag = mag * 10 + d;
  }
  if (nd == 0 || i != len) return -1;
  if (big) *out = neg ? INT64_MIN : INT64_MAX;
  else *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  return 0;
}

/* int(text) in base 10: sign, digits with single underscores between
** them, white space around. The magnitude may exceed 64 bits ('big'). */
typedef struct pyint {
  int neg, big, nonzero;
  uint64_t mag;
} pyint;

static int parse_int(const char *s, size_t len, pyint *r) {
  size_t i = 0;
  int prev = 0, nd = 0;
  memset(r, 0, sizeof(*r));
  strip_py(&s, &len);
  if (i < len && (s[i] == '+' || s[i] == '-')) r->neg = s[i++] == '-';
  for (; i < len; i++) {
    int c = (unsigned char)s[i];
    if (c == '_') {
      if (!isdig(prev)) return -1;
    } else if (isdig(c)) {
      unsigned d = (unsigned)(c - '0');
      if (r->mag > (UINT64_MAX - d) / 10) r->big = 1;
      else r->mag = r->mag * 10 + d;
      if (d) r->nonzero = 1;
      nd++;
    } else {
      return -1;
    }
    prev = c;
  }
  if (nd == 0 || prev == '_') return -1;
  return 0;
}

/* }====================================================== */

/* {======================================================
** Text elements (S and U)
** ======================================================= */

/* Unicode (14.0, as Python 3.11) decimal digit blocks: each start is a
** zero followed by nine more digits. */
static const uint32_t nd_starts[] = {
  0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6,
  0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0,
  0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50,
  0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0,
  0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0,
  0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0,
  0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6,
  0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0
};

/*
** What Python's number parsers see of a code point
** (_PyUnicode_TransformDecimalAndSpaceToASCII): decimal digits become
** '0'-'9', white space a blank, anything else non-ASCII a '?'.
*/
static char ascii_of(uint32_t c) {
  int lo = 0, hi = (int)(sizeof(nd_starts) / sizeof(nd_starts[0])) - 1;
  if (c < 0x80) return (char)c;
  if (c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
      c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000)
    return ' ';
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (nd_starts[mid] <= c) lo = mid + 1;
    else hi = mid - 1;
  }
  if (hi >= 0 && c - nd_starts[hi] < 10)
    return (char)('0' + (c - nd_starts[hi]));
  return '?';
}

static uint32_t ucs4_at(const char *p, int64_t i, int swap) {
  uint32_t c;
  memcpy(&c, p + 4 * i, 4);
  return swap ? __builtin_bswap32(c) : c;
}

static void ucs4_put(char *p, int64_t i, uint32_t c, int swap) {
  if (swap) c = __builtin_bswap32(c);
  memcpy(p + 4 * i, &c, 4);
}

/* Characters of an S or U element once trailing NULs are dropped. */
static int64_t text_len(const npio_dtype *d, const char *p) {
  int64_t n;
  if (d->kind == 'S') {
    n = d->itemsize;
    while (n > 0 && p[n - 1] == '\0') n--;
  } else {
    n = d->itemsize / 4;
    while (n > 0 && ucs4_at(p, n - 1, 0) == 0) n--;
  }
  return n;
}

/* Writes UTF-8 of code point c (<= 0x10FFFF) to out; returns bytes. */
static int utf8_put(char *out, uint32_t c) {
  if (c < 0x80) { out[0] = (char)c; return 1; }
  if (c < 0x800) {
    out[0] = (char)(0xC0 | (c >> 6));
    out[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = (char)(0xE0 | (c >> 12));
    out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (c >> 18));
  out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
  out[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

/*
** Decodes one UTF-8 sequence at s (n bytes left) strictly, as Python's
** decoder: no overlong forms, no surrogates, nothing past U+10FFFF.
** Returns the bytes used or 0 if invalid.
*/
static int utf8_get(const unsigned char *s, size_t n, uint32_t *c) {
  uint32_t v;
  int k, i;
  if (s[0] < 0x80) { *c = s[0]; return 1; }
  if (s[0] >= 0xC2 && s[0] <= 0xDF) { k = 2; v = s[0] & 0x1F; }
  else if (s[0] >= 0xE0 && s[0] <= 0xEF) { k = 3; v = s[0] & 0x0F; }
  else if (s[0] >= 0xF0 && s[0] <= 0xF4) { k = 4; v = s[0] & 0x07; }
  else return 0;
  if ((size_t)k > n) return 0;
  for (i = 1; i < k; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if ((k == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
      (k == 4 && (v < 0x10000 || v > 0x10FFFF)))
    return 0;
  *c = v;
  return k;
}

/*
** Text of an S or U element as the number parsers see it (U mapped by
** ascii_of), in a scratch buffer. 'shown' gets the text for messages.
*/
typedef struct textarg {
  const char *p;
  size_t len;
  scratch sb;
  char shown[160];
} textarg;

static int text_get(textarg *t, const npio_dtype *d, const char *p,
                    int map, npio_err *e) {
  int64_t n = text_len(d, p), i;
  t->sb.heap = NULL;
  if (d->kind == 'S') {
    t->p = p;
    t->len = (size_t)n;
    show_text(t->shown, sizeof(t->shown), p, (size_t)n);
    return NPIO_OK;
  } else {
    int sw = needs_swap(d);
    size_t k = 0;
    char *buf = scratch_get(&t->sb, (size_t)n + 1);
    if (buf == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
      uint32_t ch = ucs4_at(p, i, sw);
      buf[i] = map ? ascii_of(ch) : ch < 0x80 ? (char)ch : '?';
    }
    t->p = buf;
    t->len = (size_t)n;
    for (i = 0; i < n && k + 12 < sizeof(t->shown); i++) {  /* UTF-8 */
      uint32_t c = ucs4_at(p, i, sw);
      if (c < 0x20 || c == 0x7f)
        k += (size_t)sprintf(t->shown + k, "\\x%02x", c);
      else if (c <= 0x10FFFF) k += (size_t)utf8_put(t->shown + k, c);
      else t->shown[k++] = '?';
    }
    if (i < n) { memcpy(t->shown + k, "...", 3); k += 3; }
    t->shown[k] = '\0';
    return NPIO_OK;
  }
}

static void text_free(textarg *t) { scratch_free(&t->sb); }

/* Stores ASCII/bytes text into an S or U element: cut to fit, the rest
** zero-filled. */
static void text_store(const npio_dtype *d, char *p, const char *s,
                       size_t len) {
  if (d->kind == 'S') {
    size_t n = len < (size_t)d->itemsize ? len : (size_t)d->itemsize;
    memcpy(p, s, n);
    memset(p + n, 0, (size_t)d->itemsize - n);
  } else {
    int64_t cap = d->itemsize / 4, i;
    int sw = needs_swap(d);
    for (i = 0; i < cap; i++)
      ucs4_put(p, i, i < (int64_t)len ? (unsigned char)s[i] : 0, sw);
  }
}

/* }====================================================== */

/* {======================================================
** Element conversions
** ======================================================= */

/* Reads the element at s of a numeric (or M/m) dtype and converts it to
** kernel type 'to', native, into out. */
static void get_num(const npio_dtype *sd, const char *s, int to, void *out) {
  _Alignas(16) char tmp[32];
  int sid = type_id(sd);
  if (needs_swap(sd)) {
    int64_t w = swap_word(sd);
    swap_words(tmp, s, sd->itemsize / w, w);
    s = tmp;
  }
  cvtab[sid][to](s, (char *)out, 1, type_size[sid], type_size[to]);
}

/* Converts the native value 'val' of kernel type 'from' into the element
** at d of a numeric (or M/m) dtype. */
static void put_num(const npio_dtype *dd, int from, const void *val,
                    char *d) {
  _Alignas(16) char tmp[32];
  int did = type_id(dd);
  if (needs_swap(dd)) {
    int64_t w = swap_word(dd);
    cvtab[from][did]((const char *)val, tmp, 1, type_size[from],
                     type_size[did]);
    swap_words(d, tmp, dd->itemsize / w, w);
  } else {
    cvtab[from][did]((const char *)val, d, 1, type_size[from],
                     type_size[did]);
  }
}

static void dtype_name(const npio_dtype *d, char *buf, size_t cap) {
  if (npio_dtype_str(d, buf, cap) < 0) snprintf(buf, cap, "%c%lld", d->kind,
                                                (long long)d->itemsize);
}

/*
** Stores a Python int into an integer (or bool) element with NumPy
** 1.24's rules for setting Python ints: the value must fit a C long
** (int64), or for uint32/uint64 an unsigned long too; then it wraps to
** the type (NumPy only warns that this will fail in the future).
*/
static int store_pyint(const npio_dtype *dd, char *d, const pyint *r,
                       const char *shown, npio_err *e) {
  int did = type_id(dd);
  char name[64];
  if (dd->kind == 'b') {
    uint8_t b = (uint8_t)r->nonzero;
    memcpy(d, &b, 1);
    return NPIO_OK;
  }
  if (!r->big && (r->neg ? r->mag <= (uint64_t)INT64_MAX + 1
                         : r->mag <= (uint64_t)INT64_MAX)) {
    int64_t v = r->neg ? (int64_t)(0 - r->mag) : (int64_t)r->mag;
    put_num(dd, T_I8, &v, d);
    return NPIO_OK;
  }
  if (!r->big && !r->neg && (did == T_U4 || did == T_U8)) {
    put_num(dd, T_U8, &r->mag, d);
    return NPIO_OK;
  }
  dtype_name(dd, name, sizeof(name));
  return npio_seterr(e, NPIO_EVALUE, "Python int too large to convert to C "
                     "long: '%s' into %s", shown, name);
}

/* NumPy's str() of a numeric, datetime or timedelta element. */
int cvt_elem_str(const npio_dtype *d, const char *p, char *out,
                 npio_err *e) {
  int id = type_id(d);
  if (id < 0)
    return npio_seterr(e, NPIO_ETYPE, "no number text for dtype kind '%c'",
                       d->kind), -1;
  if (d->kind == 'M' || d->kind == 'm') {
    int64_t v;
    dtunit u;
    get_num(d, p, T_I8, &v);
    if (dt_unit(d, &u))
      return npio_seterr(e, NPIO_EVALUE, "bad datetime unit [%s]", d->unit),
             -1;
    if (d->kind == 'm') return td_text(v, u, out);
    if (dt_iso(v, u, CVT_STRMAX - 1, out) < 0)
      return npio_seterr(e, NPIO_EVALUE, "Cannot convert a NumPy datetime "
                         "value other than NaT with generic units"), -1;
    return (int)strlen(out);
  }
  switch (id) {
    case T_B: return sprintf(out, "%s", p[0] ? "True" : "False");
    case T_I1: case T_I2: case T_I4: case T_I8: {
      int64_t v;
      get_num(d, p, T_I8, &v);
      return sprintf(out, "%lld", (long long)v);
    }
    case T_U1: case T_U2: case T_U4: case T_U8: {
      uint64_t v;
      get_num(d, p, T_U8, &v);
      return sprintf(out, "%llu", (unsigned long long)v);
    }
    case T_F2: {
      uint16_t h;
      get_num(d, p, T_F2, &h);
      fval v = fv_double(FW_HALF, h2f(h));
      v.h = h;
      return fmt_real(out, &v, 0, 0);
    }
    case T_F4: {
      float x;
      fval v;
      get_num(d, p, T_F4, &x);
      v = fv_double(FW_FLOAT, x);
      return fmt_real(out, &v, 0, 0);
    }
    case T_F8: {
      double x;
      fval v;
      get_num(d, p, T_F8, &x);
      v = fv_double(FW_DOUBLE, x);
      return fmt_real(out, &v, 0, 0);
    }
    case T_F16: {
      _Alignas(16) char b[16];
      fval v;
      get_num(d, p, T_F16, b);
      v = fv_ldbl(ld_load(b));
      return fmt_real(out, &v, 0, 0);
    }
    case T_C8: {
      cflt z;
      fval re, im;
      get_num(d, p, T_C8, &z);
      re = fv_double(FW_FLOAT, z.re);
      im = fv_double(FW_FLOAT, z.im);
      return fmt_complex(out, &re, &im);
    }
    case T_C16: {
      cdbl z;
      fval re, im;
      get_num(d, p, T_C16, &z);
      re = fv_double(FW_DOUBLE, z.re);
      im = fv_double(FW_DOUBLE, z.im);
      return fmt_complex(out, &re, &im);
    }
    default: {
      _Alignas(16) char b[32];
      fval re, im;
      get_num(d, p, T_C32, b);
      re = fv_ldbl(ld_load(b));
      im = fv_ldbl(ld_load(b + 16));
      return fmt_complex(out, &re, &im);
    }
  }
}

int64_t cvt_default_strlen(const npio_dtype *d) {
  static const int lens[NTYPES] = {5, 4, 6, 11, 21, 3, 5, 10, 20,
                                   32, 32, 32, 48, 64, 64, 96};
  static const int dtlens[] = {22, 25, 28, 28, 32, 35, 38, 42, 45, 48, 51,
                               54, 57};
  int id = type_id(d);
  if (d->kind == 'M') {
    dtunit u;
    if (dt_unit(d, &u) || u.base == DT_GENERIC) return 0;
    return dtlens[u.base];
  }
  if (d->kind == 'm') return 21;
  if (d->kind == 'S' || d->kind == 'U')
    return d->kind == 'S' ? d->itemsize : d->itemsize / 4;
  return id < 0 ? 0 : lens[id];
}

enum { P_COPY, P_SWAP, P_NUM, P_DT, P_TEXT, P_NUM2TEXT, P_TEXT2NUM,
       P_TOVOID, P_STRUCT, P_SUB };

/* What converting one element of 'sd' into 'dd' takes, decided once. */
typedef struct cvctx cvctx;
struct cvctx {
  int path;
  const npio_dtype *sd, *dd;
  int sid, did;          /* kernel type ids, -1 for none */
  numrun nr;             /* P_NUM */
  copyrun cr;            /* P_COPY, P_SWAP */
  dtconv dc;             /* P_DT */
  dtunit unit;           /* the datetime side of P_NUM2TEXT/P_TEXT2NUM */
  int nsub;              /* P_STRUCT: fields; P_SUB: 1 */
  cvctx *sub;
  int64_t *soff, *doff;  /* P_STRUCT: field offsets */
  int64_t count;         /* P_SUB: elements of the subarray */
  int64_t sstep;         /* P_SUB: source step (0: one value for all) */
};

static void cvctx_free(cvctx *c) {
  int i;
  if (c->sub) {
    for (i = 0; i < c->nsub; i++) cvctx_free(&c->sub[i]);
    free(c->sub);
  }
  free(c->soff);
  free(c->doff);
  memset(c, 0, sizeof(*c));
}

static int cast_refused(const npio_dtype *sd, const npio_dtype *dd,
                        npio_err *e) {
  char a[128], b[128];
  dtype_name(sd, a, sizeof(a));
  dtype_name(dd, b, sizeof(b));
  return npio_seterr(e, NPIO_ETYPE, "cannot cast array data from dtype('%s') "
                     "to dtype('%s')", a, b);
}

static int cvctx_init(cvctx *c, const npio_dtype *sd, const npio_dtype *dd,
                      npio_err *e) {
  char sk = sd->kind, dk = dd->kind;
  int st, i;
  memset(c, 0, sizeof(*c));
  c->sd = sd;
  c->dd = dd;
  c->sid = type_id(sd);
  c->did = type_id(dd);
  if (npio_dtype_equal(sd, dd)) {
    c->path = P_COPY;
    c->cr.size = sd->itemsize;
    return NPIO_OK;
  }
  if (sd->nfields > 0 || dd->nfields > 0) {
    /* records: field by field, matched by position; a one-field record
    ** casts to a plain type and a plain type to every field, as NumPy */
    int n = sd->nfields > 0 ? sd->nfields : dd->nfields;
    if (sd->nfields != dd->nfields && !(sd->nfields == 1 && dd->nfields == 0)
        && sd->nfields != 0)
      return cast_refused(sd, dd, e);
    c->path = P_STRUCT;
    c->nsub = n;
    c->sub = (cvctx *)calloc((size_t)c->nsub, sizeof(cvctx));
    c->soff = (int64_t *)calloc((size_t)c->nsub, sizeof(int64_t));
    c->doff = (int64_t *)calloc((size_t)c->nsub, sizeof(int64_t));
    if (!c->sub || !c->soff || !c->doff) {
      cvctx_free(c);
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    }
    for (i = 0; i < c->nsub; i++) {
      const npio_dtype *ft = sd->nfields ? sd->fields[i].type : sd;
      const npio_dtype *tt = dd->nfields ? dd->fields[i].type : dd;
      c->soff[i] = sd->nfields ? sd->fields[i].offset : 0;
      c->doff[i] = dd->nfields ? dd->fields[i].offset : 0;
      st = cvctx_init(&c->sub[i], ft, tt, e);
      if (st != NPIO_OK) {
        cvctx_free(c);
        return st;
      }
    }
    return NPIO_OK;
  }
  if (sd->base != NULL || dd->base != NULL) {
    /* subarrays: element by element, or one value into all of them */
    int64_t n2;
    if (dd->base == NULL) return cast_refused(sd, dd, e);
    n2 = dd->itemsize / dd->base->itemsize;
    if (sd->base != NULL && sd->itemsize / sd->base->itemsize != n2)
      return cast_refused(sd, dd, e);
    c->path = P_SUB;
    c->count = n2;
    c->sstep = sd->base != NULL ? sd->base->itemsize : 0;
    c->nsub = 1;
    c->sub = (cvctx *)calloc(1, sizeof(cvctx));
    if (c->sub == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    st = cvctx_init(c->sub, sd->base != NULL ? sd->base : sd, dd->base, e);
    if (st != NPIO_OK) cvctx_free(c);
    return st;
  }
  if (sk == dk && sd->itemsize == dd->itemsize &&
      ((sk != 'M' && sk != 'm') || strcmp(sd->unit, dd->unit) == 0)) {
    c->cr.size = sd->itemsize;        /* the same type, another order */
    if (needs_swap(sd) != needs_swap(dd)) {
      c->path = P_SWAP;
      c->cr.w = swap_word(sd);
    } else {
      c->path = P_COPY;
    }
    return NPIO_OK;
  }
  if (dk == 'V') {
    c->path = P_TOVOID;
    return NPIO_OK;
  }
  if (sk == 'V') return cast_refused(sd, dd, e);
  if (c->sid >= 0 && c->did >= 0) {
    if ((sk == 'M' || sk == 'm') && (dk == 'M' || dk == 'm')) {
      st = dt_prepare(&c->dc, sd, dd, e);
      if (st != NPIO_OK) return st;
      if (!c->dc.copy) {
        c->path = P_DT;
        return NPIO_OK;
      }
    }
    c->path = P_NUM;
    c->nr.fn = cvtab[c->sid][c->did];
    c->nr.ssize = type_size[c->sid];
    c->nr.dsize = type_size[c->did];
    c->nr.sswap = needs_swap(sd);
    c->nr.dswap = needs_swap(dd);
    c->nr.sword = swap_word(sd);
    c->nr.dword = swap_word(dd);
    if (c->did == T_U4) {
      switch (c->sid) {
        case T_F4: c->nr.vkind = 1; c->nr.vfn = cvv_F4; break;
        case T_F8: c->nr.vkind = 1; c->nr.vfn = cvv_F8; break;
        case T_C8: c->nr.vkind = 2; c->nr.vfn = cvv_C8; break;
        case T_C16: c->nr.vkind = 2; c->nr.vfn = cvv_C16; break;
        default: break;
      }
    }
    return NPIO_OK;
  }
  if (c->sid >= 0 && (dk == 'S' || dk == 'U')) {
    c->path = P_NUM2TEXT;
    if (sk == 'M' && dt_unit(sd, &c->unit))
      return npio_seterr(e, NPIO_EVALUE, "bad datetime unit [%s]", sd->unit);
    return NPIO_OK;
  }
  if ((sk == 'S' || sk == 'U') && c->did >= 0) {
    c->path = P_TEXT2NUM;
    if (dk == 'M' && dt_unit(dd, &c->unit))
      return npio_seterr(e, NPIO_EVALUE, "bad datetime unit [%s]", dd->unit);
    return NPIO_OK;
  }
  if ((sk == 'S' || sk == 'U') && (dk == 'S' || dk == 'U')) {
    c->path = P_TEXT;
    return NPIO_OK;
  }
  return cast_refused(sd, dd, e);
}

static int cv_elem(const cvctx *c, const char *s, char *d, npio_err *e);

/* S/U to S/U: bytes and code points as NumPy's ASCII codec allows. */
static int text_elem(const cvctx *c, const char *s, char *d, npio_err *e) {
  const npio_dtype *sd = c->sd, *dd = c->dd;
  int64_t n = text_len(sd, s), i;
  if (sd->kind == 'S' && dd->kind == 'S') {
    int64_t k = sd->itemsize < dd->itemsize ? sd->itemsize : dd->itemsize;
    memcpy(d, s, (size_t)k);
    memset(d + k, 0, (size_t)(dd->itemsize - k));
  } else if (sd->kind == 'S') {               /* S -> U */
    int64_t cap = dd->itemsize / 4;
    int sw = needs_swap(dd);
    for (i = 0; i < n; i++)
      if ((unsigned char)s[i] >= 0x80)
        return npio_seterr(e, NPIO_EVALUE, "'ascii' codec can't decode byte "
                           "0x%02x in position %lld: ordinal not in "
                           "range(128)", (unsigned char)s[i], (long long)i);
    for (i = 0; i < cap; i++)
      ucs4_put(d, i, i < n ? (unsigned char)s[i] : 0, sw);
  } else if (dd->kind == 'S') {               /* U -> S */
    int sw = needs_swap(sd);
    for (i = 0; i < n; i++) {
      uint32_t ch = ucs4_at(s, i, sw);
      if (ch >= 0x80)
        return npio_seterr(e, NPIO_EVALUE, "'ascii' codec can't encode "
                           "character '\\u%04x' in position %lld: ordinal "
                           "not in range(128)", ch, (long long)i);
    }
    for (i = 0; i < dd->itemsize; i++)
      d[i] = (char)(i < n ? ucs4_at(s, i, sw) : 0);
  } else {                                    /* U -> U */
    int64_t cap = dd->itemsize / 4, have = sd->itemsize / 4;
    int ss = needs_swap(sd), ds = needs_swap(dd);
    for (i = 0; i < cap; i++)
      ucs4_put(d, i, i < have ? ucs4_at(s, i, ss) : 0, ds);
  }
  return NPIO_OK;
}

/* Numbers, datetimes and timedeltas to S/U text. */
static int num2text_elem(const cvctx *c, const char *s, char *d,
                         npio_err *e) {
  char buf[CVT_STRMAX];
  int n;
  if (c->sd->kind == 'M') {
    int64_t v, cap = c->dd->kind == 'S' ? c->dd->itemsize
                                         : c->dd->itemsize / 4;
    get_num(c->sd, s, T_I8, &v);
    n = dt_iso(v, c->unit, cap < CVT_STRMAX - 1 ? cap : CVT_STRMAX - 1, buf);
    if (n == -1)
      return npio_seterr(e, NPIO_EVALUE, "The string provided for NumPy ISO "
                         "datetime formatting was too short, with length "
                         "%lld", (long long)cap);
    if (n < 0)
      return npio_seterr(e, NPIO_EVALUE, "Cannot convert a NumPy datetime "
                         "value other than NaT with generic units");
  } else {
    n = cvt_elem_str(c->sd, s, buf, e);
    if (n < 0) return e ? e->code : NPIO_EVALUE;
  }
  text_store(c->dd, d, buf, (size_t)n);
  return NPIO_OK;
}

/* S/U text to numbers, datetimes and timedeltas, parsed as NumPy does:
** int() for bool and integers, float() for floats, complex(), NumPy's
** long double parser for float128, ISO 8601 for datetime64. */
static int text2num_elem(const cvctx *c, const char *s, char *d,
                         npio_err *e) {
  const npio_dtype *dd = c->dd;
  textarg t;
  int st = NPIO_OK, r, map;
  /* Python's parsers map Unicode digits and spaces; NumPy's own
  ** (float128, datetime64, timedelta64) do not */
  map = !(dd->kind == 'M' || dd->kind == 'm' ||
          (dd->kind == 'f' && dd->itemsize == 16));
  if ((st = text_get(&t, c->sd, s, map, e)) != NPIO_OK) return st;
  switch (dd->kind) {
    case 'b': case 'i': case 'u': {
      pyint pi;
      if (parse_int(t.p, t.len, &pi) != 0)
        st = npio_seterr(e, NPIO_EVALUE, "invalid literal for int() with "
                         "base 10: '%s'", t.shown);
      else
        st = store_pyint(dd, d, &pi, t.shown, e);
      break;
    }
    case 'f':
      if (dd->itemsize == 16) {
        _Alignas(16) char b[16];
        ldbl v = 0;
        r = parse_ldbl(t.p, t.len, &v);
        if (r == 0) {
          ld_store(b, v);
          put_num(dd, T_F16, b, d);
        } else {
          st = r == -2 ? npio_seterr(e, NPIO_ENOMEM, "out of memory")
                       : npio_seterr(e, NPIO_EVALUE, "invalid literal for "
                                     "long double: '%s'", t.shown);
        }
      } else {
        double v;
        r = parse_float(t.p, t.len, &v);
        if (r == 0) put_num(dd, T_F8, &v, d);
        else
          st = r == -2 ? npio_seterr(e, NPIO_ENOMEM, "out of memory")
                       : npio_seterr(e, NPIO_EVALUE, "could not convert "
                                     "string to float: '%s'", t.shown);
      }
      break;
    case 'c': {
      cdbl v;
      r = parse_complex(t.p, t.len, &v.re, &v.im);
      if (r == 0) put_num(dd, T_C16, &v, d);
      else
        st = r == -2 ? npio_seterr(e, NPIO_ENOMEM, "out of memory")
                     : npio_seterr(e, NPIO_EVALUE, "complex() arg is a "
                                   "malformed string: '%s'", t.shown);
      break;
    }
    case 'M': {
      int64_t v;
      st = dt_parse(t.p, t.len, c->unit, &v, e);
      if (st == NPIO_OK) put_num(dd, T_I8, &v, d);
      break;
    }
    default: {                                  /* 'm' */
      int64_t v;
      if (parse_td(t.p, t.len, &v) != 0)
        st = npio_seterr(e, NPIO_EVALUE, "Could not convert object to NumPy "
                         "timedelta: '%s'", t.shown);
      else
        put_num(dd, T_I8, &v, d);
      break;
    }
  }
  text_free(&t);
  return st;
}

/* Anything to an unstructured void: the element's bytes in native
** order, cut or zero-filled to the void's size. */
static int tovoid_elem(const cvctx *c, const char *s, char *d) {
  const npio_dtype *sd = c->sd, *dd = c->dd;
  int64_t n = sd->itemsize < dd->itemsize ? sd->itemsize : dd->itemsize;
  if (needs_swap(sd) && sd->nfields == 0 && sd->base == NULL) {
    int64_t w = swap_word(sd), k;
    char tmp[64];
    for (k = 0; k < sd->itemsize; k += w) {   /* one word at a time */
      int64_t take;
      swap_words(tmp, s + k, 1, w);
      take = n - k < w ? n - k : w;
      if (take > 0) memcpy(d + k, tmp, (size_t)take);
    }
  } else {
    memcpy(d, s, (size_t)n);
  }
  memset(d + n, 0, (size_t)(dd->itemsize - n));
  return NPIO_OK;
}

/* Converts one element (s and d never overlap). */
static int cv_elem(const cvctx *c, const char *s, char *d, npio_err *e) {
  int i, st;
  switch (c->path) {
    case P_COPY:
      memcpy(d, s, (size_t)c->cr.size);
      return NPIO_OK;
    case P_SWAP:
      swap_words(d, s, c->cr.size / c->cr.w, c->cr.w);
      return NPIO_OK;
    case P_NUM: {
      _Alignas(16) char a[32], b[32];
      const char *sp = s;
      char *dp = c->nr.dswap ? b : d;
      if (c->nr.sswap) {
        swap_words(a, s, c->nr.ssize / c->nr.sword, c->nr.sword);
        sp = a;
      }
      c->nr.fn(sp, dp, 1, c->nr.ssize, c->nr.dsize);
      if (c->nr.dswap) swap_words(d, b, c->nr.dsize / c->nr.dword,
                                  c->nr.dword);
      return NPIO_OK;
    }
    case P_DT: {
      int64_t v;
      get_num(c->sd, s, T_I8, &v);
      v = dt_convert(&c->dc, v);
      put_num(c->dd, T_I8, &v, d);
      return NPIO_OK;
    }
    case P_TEXT: return text_elem(c, s, d, e);
    case P_NUM2TEXT: return num2text_elem(c, s, d, e);
    case P_TEXT2NUM: return text2num_elem(c, s, d, e);
    case P_TOVOID: return tovoid_elem(c, s, d);
    case P_STRUCT:
      for (i = 0; i < c->nsub; i++) {
        st = cv_elem(&c->sub[i], s + c->soff[i], d + c->doff[i], e);
        if (st != NPIO_OK) return st;
      }
      return NPIO_OK;
    default: {                                  /* P_SUB */
      int64_t k, si = c->sstep, di = c->dd->base->itemsize;
      for (k = 0; k < c->count; k++) {
        st = cv_elem(c->sub, s + k * si, d + k * di, e);
        if (st != NPIO_OK) return st;
      }
      return NPIO_OK;
    }
  }
}

static int elem_run(void *ud, const char *s, int64_t ss, char *d, int64_t ds,
                    int64_t n, npio_err *e) {
  const cvctx *c = (const cvctx *)ud;
  int64_t i;
  int st;
  for (i = 0; i < n; i++)
    if ((st = cv_elem(c, s + i * ss, d + i * ds, e)) != NPIO_OK) return st;
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** npio_array_cast
** ======================================================= */

/* NumPy's alignment requirement for casting: the dtype's alignment and
** that of the unsigned integer its size is copied as. */
static int64_t cast_align(const npio_dtype *d) {
  int64_t u = 0, a = d->alignment;
  switch (d->itemsize) {
    case 1: case 2: case 4: case 8: u = d->itemsize; break;
    case 16: u = 8; break;
    default: break;
  }
  return a > u ? a : u;
}

static int is_aligned(const char *data, int ndim, const int64_t *shape,
                      const int64_t *strides, int64_t req) {
  uint64_t bits = (uint64_t)(uintptr_t)data;
  int i;
  if (req <= 1) return 1;
  for (i = 0; i < ndim; i++)
    if (shape[i] > 1) bits |= (uint64_t)strides[i];
  return bits % (uint64_t)req == 0;
}

/* The byte range [lo, hi) an array's elements occupy. */
static void extent(const char *data, const npio_array *a, uintptr_t *lo,
                   uintptr_t *hi) {
  int64_t mn = 0, mx = 0;
  int i;
  for (i = 0; i < a->ndim; i++) {
    int64_t span = a->strides[i] * (a->shape[i] - 1);
    if (span < 0) mn += span;
    else mx += span;
  }
  *lo = (uintptr_t)data + (uintptr_t)mn;
  *hi = (uintptr_t)data + (uintptr_t)mx + (uintptr_t)a->dtype->itemsize;
}

static void shape_text(const npio_array *a, char *buf, size_t cap) {
  size_t n = 0;
  int i;
  n += (size_t)snprintf(buf + n, cap - n, "(");
  for (i = 0; i < a->ndim && n < cap; i++)
    n += (size_t)snprintf(buf + n, cap - n, i ? ", %lld" : "%lld",
                          (long long)a->shape[i]);
  if (n < cap) snprintf(buf + n, cap - n, a->ndim == 1 ? ",)" : ")");
}

int npio_array_cast(npio_array *dst, const npio_array *src, npio_err *e) {
  cvctx c;
  iter2 it;
  const char *sp;
  char *dp, *tmp = NULL;
  int64_t tstr[NPIO_MAXDIMS];
  const int64_t *sstr = src->strides;
  int i, st;
  if (dst->ndim != src->ndim) goto badshape;
  for (i = 0; i < src->ndim; i++)
    if (dst->shape[i] != src->shape[i]) goto badshape;
  if (dst->storage && (dst->storage->flags & NPIO_STORAGE_READONLY))
    return npio_seterr(e, NPIO_EREADONLY, "assignment destination is "
                       "read-only");
  if ((dp = npio_array_data(dst, e)) == NULL) return NPIO_ECLOSED;
  if ((sp = npio_array_data(src, e)) == NULL) return NPIO_ECLOSED;
  if ((st = cvctx_init(&c, src->dtype, dst->dtype, e)) != NPIO_OK) return st;
  if (!iter_prepare(&it, src->ndim, src->shape, dst->strides, src->strides)) {
    cvctx_free(&c);
    return NPIO_OK;                             /* no elements */
  }
  {                                             /* overlap: copy first */
    uintptr_t slo, shi, dlo, dhi;
    extent(sp, src, &slo, &shi);
    extent(dp, dst, &dlo, &dhi);
    if (slo < dhi && dlo < shi) {
      int64_t n = npio_array_size(src), bytes, stride;
      copyrun cr;
      iter2 ct;
      if (npio_mul_overflow(n, src->dtype->itemsize, &bytes) ||
          (tmp = (char *)malloc(bytes > 0 ? (size_t)bytes : 1)) == NULL) {
        cvctx_free(&c);
        return npio_seterr(e, NPIO_ENOMEM, "out of memory");
      }
      stride = src->dtype->itemsize;
      for (i = src->ndim - 1; i >= 0; i--) {
        tstr[i] = stride;
        stride *= src->shape[i];
      }
      cr.size = src->dtype->itemsize;
      cr.w = 0;
      iter_prepare(&ct, src->ndim, src->shape, tstr, src->strides);
      iter_walk(&ct, sp, tmp, copy_run, &cr, e);
      sp = tmp;
      sstr = tstr;
      iter_prepare(&it, src->ndim, src->shape, dst->strides, sstr);
    }
  }
  switch (c.path) {
    case P_COPY:
      st = iter_walk(&it, sp, dp, copy_run, &c.cr, e);
      break;
    case P_SWAP:
      st = iter_walk(&it, sp, dp, copy_run, &c.cr, e);
      break;
    case P_NUM:
      c.nr.aligned = is_aligned(sp, src->ndim, src->shape, sstr,
                                cast_align(src->dtype)) &&
                     is_aligned(dp, dst->ndim, dst->shape, dst->strides,
                                cast_align(dst->dtype));
      st = iter_walk(&it, sp, dp, num_run, &c.nr, e);
      break;
    default:
      st = iter_walk(&it, sp, dp, elem_run, &c, e);
      break;
  }
  free(tmp);
  cvctx_free(&c);
  return st;
badshape: {
    char a[256], b[256];
    shape_text(src, a, sizeof(a));
    shape_text(dst, b, sizeof(b));
    return npio_seterr(e, NPIO_EVALUE, "cast: shape mismatch: source %s, "
                       "destination %s", a, b);
  }
}

/* }====================================================== */

/* {======================================================
** Scalars
** ======================================================= */

int npio_scalar_get(const npio_dtype *d, const char *p, npio_scalar *out,
                    npio_err *e) {
  memset(out, 0, sizeof(*out));
  out->kind = d->kind;
  if (d->nfields > 0 || d->base != NULL) {
    out->kind = 'V';
    out->s = p;
    out->slen = (size_t)d->itemsize;
    return NPIO_OK;
  }
  switch (d->kind) {
    case 'b':
      out->i = p[0] != 0;
      return NPIO_OK;
    case 'i': case 'M': case 'm':
      get_num(d, p, T_I8, &out->i);
      return NPIO_OK;
    case 'u':
      get_num(d, p, T_U8, &out->u);
      return NPIO_OK;
    case 'f':
      get_num(d, p, T_F8, &out->f);
      return NPIO_OK;
    case 'c': {
      cdbl v;
      get_num(d, p, T_C16, &v);
      out->f = v.re;
      out->imag = v.im;
      return NPIO_OK;
    }
    case 'S':
      out->s = p;
      out->slen = (size_t)text_len(d, p);
      return NPIO_OK;
    case 'U': {
      int64_t n = text_len(d, p), i;
      int sw = needs_swap(d);
      size_t k = 0;
      out->s = "";
      if (n == 0) return NPIO_OK;
      if ((out->tmp = (char *)malloc((size_t)n * 4 + 1)) == NULL)
        return npio_seterr(e, NPIO_ENOMEM, "out of memory");
      for (i = 0; i < n; i++) {
        uint32_t ch = ucs4_at(p, i, sw);
        if (ch > 0x10FFFF) {
          free(out->tmp);
          out->tmp = NULL;
          return npio_seterr(e, NPIO_EVALUE, "invalid code point 0x%x at "
                             "position %lld of a unicode element", ch,
                             (long long)i);
        }
        k += (size_t)utf8_put(out->tmp + k, ch);
      }
      out->tmp[k] = '\0';
      out->s = out->tmp;
      out->slen = k;
      return NPIO_OK;
    }
    default:                                    /* 'V' */
      out->s = p;
      out->slen = (size_t)d->itemsize;
      return NPIO_OK;
  }
}

void npio_scalar_clear(npio_scalar *s) {
  if (s == NULL) return;
  free(s->tmp);
  s->tmp = NULL;
}

/* Decodes UTF-8 into an U element (cut to fit, zero-filled). */
static int set_utf8(const npio_dtype *d, char *p, const char *s, size_t len,
                    npio_err *e) {
  int64_t cap = d->itemsize / 4, n = 0;
  int sw = needs_swap(d);
  size_t i = 0;
  /* check all of it first: a bad byte anywhere fails, as decoding does */
  while (i < len) {
    uint32_t ch;
    int k = utf8_get((const unsigned char *)s + i, len - i, &ch);
    if (k == 0)
      return npio_seterr(e, NPIO_EVALUE, "'utf-8' codec can't decode byte "
                         "0x%02x in position %zu: invalid UTF-8",
                         (unsigned char)s[i], i);
    i += (size_t)k;
  }
  for (i = 0; i < len && n < cap;) {
    uint32_t ch = 0;
    i += (size_t)utf8_get((const unsigned char *)s + i, len - i, &ch);
    ucs4_put(p, n++, ch, sw);
  }
  for (; n < cap; n++) ucs4_put(p, n, 0, sw);
  return NPIO_OK;
}

/* Stores a Python float into an integer element: truncated toward zero;
** NaN and inf are errors, as int(x) raises them; then the int rules. */
static int set_int_from_float(const npio_dtype *d, char *p, double f,
                              npio_err *e) {
  pyint r;
  double t;
  char shown[40];
  if (isnan(f))
    return npio_seterr(e, NPIO_EVALUE, "cannot convert float NaN to integer");
  if (isinf(f))
    return npio_seterr(e, NPIO_EVALUE, "cannot convert float infinity to "
                       "integer");
  t = trunc(f);
  memset(&r, 0, sizeof(r));
  r.neg = t < 0;
  r.nonzero = t != 0;
  if (fabs(t) < 0x1p64) r.mag = (uint64_t)fabs(t);
  else r.big = 1;
  cvt_double_str(f, shown);
  return store_pyint(d, p, &r, shown, e);
}

/* The text of a number scalar, as str() of the Python value. */
static int scalar_text(const npio_scalar *v, char *buf) {
  switch (v->kind) {
    case 'b': return sprintf(buf, "%s", v->i ? "True" : "False");
    case 'u': return sprintf(buf, "%llu", (unsigned long long)v->u);
    case 'f': return cvt_double_str(v->f, buf);
    case 'c': {
      fval re = fv_double(FW_DOUBLE, v->f), im = fv_double(FW_DOUBLE, v->imag);
      return fmt_complex(buf, &re, &im);
    }
    default: return sprintf(buf, "%lld", (long long)v->i);
  }
}

static int set_refused(const npio_dtype *d, const npio_scalar *v,
                       npio_err *e) {
  char name[64];
  dtype_name(d, name, sizeof(name));
  return npio_seterr(e, NPIO_ETYPE, "cannot assign a value of kind '%c' to "
                     "an element of dtype %s", v->kind, name);
}

/*
** The text of a string scalar as the number parsers see it: 'U' (text)
** is decoded from UTF-8 and mapped as Python maps str for int()/float()
** (Unicode digits and spaces); 'S' (bytes) is used as is, except that
** complex, datetime and timedelta first decode bytes as ASCII, as NumPy
** does ('ascii_only' 1). NumPy's own parsers (float128, datetime64,
** timedelta64) see text unmapped ('ascii_only' 2), so non-ASCII fails;
** mode 1 for datetimes from bytes.
*/
static int scalar_textarg(const npio_scalar *v, textarg *t, int ascii_only,
                          npio_err *e) {
  size_t i, n = 0;
  t->sb.heap = NULL;
  show_text(t->shown, sizeof(t->shown), v->s, v->slen);
  t->p = v->s;
  t->len = v->slen;
  if (v->kind == 'U' && ascii_only == 2) return NPIO_OK;  /* raw UTF-8 */
  if (v->kind != 'U') {
    if (ascii_only == 1)
      for (i = 0; i < v->slen; i++)
        if ((unsigned char)v->s[i] >= 0x80)
          return npio_seterr(e, NPIO_EVALUE, "'ascii' codec can't decode "
                             "byte 0x%02x in position %zu: ordinal not in "
                             "range(128)", (unsigned char)v->s[i], i);
    return NPIO_OK;
  }
  {
    char *buf = scratch_get(&t->sb, v->slen + 1);
    if (buf == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    for (i = 0; i < v->slen;) {
      uint32_t ch;
      int k = utf8_get((const unsigned char *)v->s + i, v->slen - i, &ch);
      if (k == 0) {
        scratch_free(&t->sb);
        return npio_seterr(e, NPIO_EVALUE, "'utf-8' codec can't decode byte "
                           "0x%02x in position %zu: invalid UTF-8",
                           (unsigned char)v->s[i], i);
      }
      buf[n++] = ascii_of(ch);
      i += (size_t)k;
    }
    t->p = buf;
    t->len = n;
  }
  return NPIO_OK;
}

/*
** NumPy 1.24's rules for a[i] = value (checked against NumPy):
**   - int into an integer array wraps when it fits int64 (uint32/uint64:
**     also when it fits uint64); NumPy only warns ("will fail in the
**     future"), bigger ints raise OverflowError -> NPIO_EVALUE;
**   - float into an integer array truncates toward zero (300.7 into int8
**     is 44); NaN and inf raise -> NPIO_EVALUE; complex -> NPIO_ETYPE;
**   - ints into float128 are exact; into other floats via a double;
**   - strings into numbers are parsed (int(), float(), complex(); NumPy's
**     own parsers for float128 and timedelta64, ISO 8601 for datetime64);
**   - bool from anything is its truth (a non-empty string is True);
**   - numbers into S/U are their str(), cut to the itemsize; strings
**     into S are copied as bytes, into U decoded from UTF-8;
**   - void takes bytes only; datetime64 takes ints (counts) and strings,
**     not floats. A datetime scalar carries no unit, so into S/U it is
**     written as its count.
** Lua strings carry no bytes/text distinction, so 'S' and 'U' scalars are
** stored alike into S, U and V (bytes for S and V, UTF-8 for U); they
** differ only where NumPy parses them (see scalar_textarg).
*/
int npio_scalar_set(const npio_dtype *d, char *p, const npio_scalar *v,
                    npio_err *e) {
  char vk = v->kind, dk = d->kind;
  int istext = vk == 'S' || vk == 'U', st;
  textarg t;
  if (d->nfields > 0 || d->base != NULL) return set_refused(d, v, e);
  if (vk == 'V' && dk != 'b' && dk != 'S' && dk != 'U' && dk != 'V')
    return set_refused(d, v, e);
  if (dk == 'b') {
    uint8_t b;
    switch (vk) {
      case 'u': b = v->u != 0; break;
      case 'f': b = v->f != 0; break;
      case 'c': b = v->f != 0 || v->imag != 0; break;
      case 'S': case 'U': case 'V': b = v->slen > 0; break;
      default: b = v->i != 0; break;
    }
    memcpy(p, &b, 1);
    return NPIO_OK;
  }
  if (dk == 'S' || dk == 'U') {
    char buf[CVT_STRMAX];
    int n;
    if (istext || vk == 'V') {
      if (dk == 'U') return set_utf8(d, p, v->s, v->slen, e);
      text_store(d, p, v->s, v->slen);
      return NPIO_OK;
    }
    n = scalar_text(v, buf);
    text_store(d, p, buf, (size_t)n);
    return NPIO_OK;
  }
  if (dk == 'V') {
    int64_t n;
    if (!istext && vk != 'V')
      return npio_seterr(e, NPIO_ETYPE, "a bytes-like object is required "
                         "to set a void element, not kind '%c'", vk);
    n = (int64_t)v->slen < d->itemsize ? (int64_t)v->slen : d->itemsize;
    memcpy(p, v->s, (size_t)n);
    memset(p + n, 0, (size_t)(d->itemsize - n));
    return NPIO_OK;
  }
  if (istext) {
    int mode = dk == 'c' ? 1 : 0;
    if (dk == 'f' && d->itemsize == 16) mode = 2;
    if (dk == 'M' || dk == 'm') mode = vk == 'S' ? 1 : 2;
    st = scalar_textarg(v, &t, mode, e);
    if (st != NPIO_OK) return st;
  }
  switch (dk) {
    case 'i': case 'u': {
      pyint r;
      if (vk == 'f') return set_int_from_float(d, p, v->f, e);
      if (vk == 'c')
        return npio_seterr(e, NPIO_ETYPE, "int() argument must be a string, "
                           "a bytes-like object or a real number, not "
                           "'complex'");
      if (istext) {
        if (parse_int(t.p, t.len, &r) != 0)
          st = npio_seterr(e, NPIO_EVALUE, "invalid literal for int() with "
                           "base 10: '%s'", t.shown);
        else
          st = store_pyint(d, p, &r, t.shown, e);
        text_free(&t);
        return st;
      }
      memset(&r, 0, sizeof(r));
      if (vk == 'u') r.mag = v->u;
      else {
        r.neg = v->i < 0;
        r.mag = r.neg ? 0 - (uint64_t)v->i : (uint64_t)v->i;
      }
      r.nonzero = r.mag != 0;
      {
        char shown[32];
        scalar_text(v, shown);
        return store_pyint(d, p, &r, shown, e);
      }
    }
    case 'f': {
      double f;
      if (vk == 'c')
        return npio_seterr(e, NPIO_ETYPE, "float() argument must be a string "
                           "or a real number, not 'complex'");
      if (istext) {
        int r;
        if (d->itemsize == 16) {
          _Alignas(16) char b[16];
          ldbl x = 0;
          r = parse_ldbl(t.p, t.len, &x);
          if (r == 0) {
            ld_store(b, x);
            put_num(d, T_F16, b, p);
            st = NPIO_OK;
          } else {
            st = r == -2 ? npio_seterr(e, NPIO_ENOMEM, "out of memory")
                         : npio_seterr(e, NPIO_EVALUE, "invalid literal for "
                                       "long double: '%s'", t.shown);
          }
          text_free(&t);
          return st;
        }
        r = parse_float(t.p, t.len, &f);
        if (r != 0) {
          st = r == -2 ? npio_seterr(e, NPIO_ENOMEM, "out of memory")
                       : npio_seterr(e, NPIO_EVALUE, "could not convert "
                                     "string to float: '%s'", t.shown);
          text_free(&t);
          return st;
        }
        text_free(&t);
      } else if (vk == 'f') {
        f = v->f;
      } else if (d->itemsize == 16) {             /* ints: exact */
        _Alignas(16) char b[16];
        ld_store(b, vk == 'u' ? (ldbl)v->u : (ldbl)v->i);
        put_num(d, T_F16, b, p);
        return NPIO_OK;
      } else {
        f = vk == 'u' ? (double)v->u : (double)v->i;
      }
      put_num(d, T_F8, &f, p);
      return NPIO_OK;
    }
    case 'c': {
      cdbl z = {0, 0};
      if (istext) {
        int r = parse_complex(t.p, t.len, &z.re, &z.im);
        if (r != 0) {
          st = r == -2 ? npio_seterr(e, NPIO_ENOMEM, "out of memory")
                       : npio_seterr(e, NPIO_EVALUE, "complex() arg is a "
                                     "malformed string: '%s'", t.shown);
          text_free(&t);
          return st;
        }
        text_free(&t);
      } else if (vk == 'u') {
        z.re = (double)v->u;
      } else if (vk == 'f' || vk == 'c') {
        z.re = v->f;
        z.im = vk == 'c' ? v->imag : 0;
      } else {
        z.re = (double)v->i;
      }
      put_num(d, T_C16, &z, p);
      return NPIO_OK;
    }
    default: {                                  /* 'M', 'm' */
      int64_t cnt;
      const char *what = dk == 'M' ? "datetime" : "timedelta";
      if (vk == 'f' || vk == 'c')
        return npio_seterr(e, NPIO_EVALUE, "Could not convert object to "
                           "NumPy %s", what);
      if (vk == 'u') {
        if (v->u > (uint64_t)INT64_MAX)
          return npio_seterr(e, NPIO_EVALUE, "Python int too large to "
                             "convert to C long: '%llu'",
                             (unsigned long long)v->u);
        cnt = (int64_t)v->u;
      } else if (istext) {
        if (dk == 'M') {
          dtunit u;
          if (dt_unit(d, &u))
            st = npio_seterr(e, NPIO_EVALUE, "bad datetime unit [%s]",
                             d->unit);
          else
            st = dt_parse(t.p, t.len, u, &cnt, e);
        } else if (parse_td(t.p, t.len, &cnt) != 0) {
          st = npio_seterr(e, NPIO_EVALUE, "Could not convert object to "
                           "NumPy timedelta: '%s'", t.shown);
        } else {
          st = NPIO_OK;
        }
        text_free(&t);
        if (st != NPIO_OK) return st;
      } else {
        cnt = v->i;
      }
      put_num(d, T_I8, &cnt, p);
      return NPIO_OK;
    }
  }
}

/* }====================================================== */
