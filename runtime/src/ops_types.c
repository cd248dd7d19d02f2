/*
** ops_types.c -- element types of the array engine: the type table,
** NumPy's promotion rules, float16 conversions and the cast kernels
** (every numeric type to every other, generated with X-macros).
*/
#include <math.h>
#include <string.h>

#include "ops.h"

const ops_typeinfo ops_types[OT_NTYPES] = {
  {'b', 1, "bool"},    {'i', 1, "int8"},    {'u', 1, "uint8"},
  {'i', 2, "int16"},   {'u', 2, "uint16"},  {'i', 4, "int32"},
  {'u', 4, "uint32"},  {'i', 8, "int64"},   {'u', 8, "uint64"},
  {'f', 2, "float16"}, {'f', 4, "float32"}, {'f', 8, "float64"},
  {'c', 8, "complex64"}, {'c', 16, "complex128"}
};

/* {======================================================
** Type codes and promotion
** ======================================================= */

int ops_type_of(const npio_dtype *d) {
  if (d == NULL || d->nfields > 0 || d->base != NULL) return -1;
  switch (d->kind) {
    case 'b': return d->itemsize == 1 ? OT_BOOL : -1;
    case 'i': case 'u': {
      int s = d->kind == 'u';
      switch (d->itemsize) {
        case 1: return OT_I8 + s;
        case 2: return OT_I16 + s;
        case 4: return OT_I32 + s;
        case 8: return OT_I64 + s;
        default: return -1;
      }
    }
    case 'f':
      switch (d->itemsize) {
        case 2: return OT_F16;
        case 4: return OT_F32;
        case 8: return OT_F64;
        default: return -1;
      }
    case 'c':
      switch (d->itemsize) {
        case 8: return OT_C64;
        case 16: return OT_C128;
        default: return -1;
      }
    default: return -1;
  }
}

npio_dtype *ops_dtype(int t) {
  return npio_dtype_simple(ops_types[t].kind, ops_types[t].size);
}

int ops_min_float(int t) {
  switch (t) {
    case OT_BOOL: case OT_I8: case OT_U8: return OT_F16;
    case OT_I16: case OT_U16: return OT_F32;
    case OT_I32: case OT_U32: case OT_I64: case OT_U64: return OT_F64;
    default: return t;
  }
}

int ops_real_type(int t) {
  return t == OT_C64 ? OT_F32 : t == OT_C128 ? OT_F64 : t;
}

/* The complex type that holds float type 'f' (F16 goes to C64). */
static int complex_of(int f) {
  return f == OT_F64 ? OT_C128 : OT_C64;
}

/*
** promote_types as NumPy 1.24: bool is below everything; integers of
** one signedness take the wider; a signed and an unsigned integer take
** a signed type wide enough for both (int64 + uint64 is float64); an
** integer with a float takes the float that holds the integer safely.
*/
int ops_promote(int a, int b) {
  if (a == b) return a;
  if (a == OT_BOOL) return b;
  if (b == OT_BOOL) return a;
  if (ops_isint(a) && ops_isint(b)) {
    int sa = ops_types[a].size, sb = ops_types[b].size;
    int siga = ops_issigned(a), sigb = ops_issigned(b);
    if (siga == sigb) return sa >= sb ? a : b;
    if (!siga) {  /* make 'a' the signed one */
      int t = a; a = b; b = t;
      t = sa; sa = sb; sb = t;
    }
    if (sa > sb) return a;
    switch (sb) {   /* signed type twice the unsigned one's size */
      case 1: return OT_I16;
      case 2: return OT_I32;
      case 4: return OT_I64;
      default: return OT_F64;
    }
  }
  if (ops_isint(a) || ops_isint(b)) {  /* integer with inexact */
    int i = ops_isint(a) ? a : b, x = ops_isint(a) ? b : a;
    int f = ops_min_float(i);
    if (ops_iscomplex(x)) {
      int c = complex_of(f);
      return c > x ? c : x;
    }
    return f > x ? f : x;
  }
  if (ops_iscomplex(a) || ops_iscomplex(b)) {
    int c = ops_iscomplex(a) ? a : b, x = ops_iscomplex(a) ? b : a;
    if (ops_iscomplex(x)) return c > x ? c : x;
    x = complex_of(x);
    return c > x ? c : x;
  }
  return a > b ? a : b;  /* two floats */
}

/* NumPy's type numbers, which order its sequence promotion. */
static int type_num(int t) {
  static const int nums[OT_NTYPES] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 23, 11, 12,
                                      14, 15};
  return nums[t];
}

/* A DType's own common_dtype: declines (-1) when the other is "more
** generic" (a larger type number). */
static int common_dtype(int cls, int other) {
  if (type_num(other) > type_num(cls)) return -1;
  return ops_promote(cls, other);
}

/* NumPy's reduce_dtypes_to_most_knowledgeable (d may be reordered and
** entries cleared to -1). Returns the last result or -1. */
static int most_knowledgeable(int n, int *d) {
  int half = n / 2, lo, res = -1;
  for (lo = 0; lo < half; lo++) {
    int hi = n - 1 - lo;
    if (d[hi] == d[lo]) res = d[lo];
    else res = common_dtype(d[lo], d[hi]);
    if (res < 0) {
      int t = d[lo];
      d[lo] = d[hi];
      d[hi] = t;
    } else if (res == d[lo])
      d[hi] = -1;
  }
  if (n == 2) return res;
  return most_knowledgeable(n - half, d);
}

/*
** result_type of several types as NumPy 1.24 (PyArray_PromoteDTypeSequence):
** not a left fold: int8, uint8, float16 give float16, and int16,
** uint16, float16 give float32.
*/
int ops_promote_seq(int n, const int *types) {
  int d[64], res, start = 1, i, mainT;
  if (n == 1) return types[0];
  if (n > 64) {   /* long lists: a left fold (same result in practice) */
    res = types[0];
    for (i = 1; i < n; i++) res = ops_promote(res, types[i]);
    return res;
  }
  memcpy(d, types, sizeof(int) * (size_t)n);
  res = most_knowledgeable(n, d);
  mainT = d[0];
  if (res >= 0) start = 2;
  for (i = start; i < n; i++) {
    int p;
    if (d[i] < 0 || (i > start && d[i] == d[i - 1])) continue;
    p = ops_promote(mainT, d[i]);
    res = res < 0 ? p : ops_promote(res, p);
  }
  return res;
}

/* }====================================================== */

/* {======================================================
** float16
** ======================================================= */

float ops_h2f(uint16_t h) {
  uint32_t sgn = (uint32_t)(h & 0x8000u) << 16;
  uint32_t ex = (h >> 10) & 0x1f, sig = h & 0x3ffu, bits;
  float f;
  if (ex == 0x1f)          /* inf or nan, payload kept */
    bits = sgn | 0x7f800000u | (sig << 13);
  else if (ex != 0)
    bits = sgn | ((ex + 112) << 23) | (sig << 13);
  else {                   /* zero or subnormal: sig * 2^-24 */
    f = (float)sig * 5.9604644775390625e-08f;
    return sgn ? -f : f;
  }
  memcpy(&f, &bits, 4);
  return f;
}

/*
** Rounds a double to the nearest half (ties to even), as NumPy's
** npy_double_to_half; NaN payloads keep their top bits and stay NaN.
** A float converts exactly to double first, so this serves both.
*/
uint16_t ops_d2h(double d) {
  uint64_t x, m, r, rem, half;
  uint16_t sgn;
  int e, shift;
  memcpy(&x, &d, 8);
  sgn = (uint16_t)((x >> 48) & 0x8000u);
  e = (int)((x >> 52) & 0x7ff);
  m = x & 0xfffffffffffffULL;
  if (e == 0x7ff) {
    if (m != 0) {
      uint16_t h = (uint16_t)(0x7c00u | (m >> 42));
      if (h == 0x7c00u) h++;
      return sgn | h;
    }
    return sgn | 0x7c00u;
  }
  if (e == 0) return sgn;          /* double subnormals are far below */
  e -= 1023;
  if (e >= 16) return sgn | 0x7c00u;
  if (e < -25) return sgn;
  m |= 1ULL << 52;
  shift = e >= -14 ? 42 : 28 - e;  /* bits to drop */
  r = m >> shift;
  rem = m & ((1ULL << shift) - 1);
  half = 1ULL << (shift - 1);
  if (rem > half || (rem == half && (r & 1))) r++;
  if (e >= -14)
    return sgn | (uint16_t)(((uint64_t)(e + 15) << 10) + r - 1024);
  return sgn | (uint16_t)r;
}

uint16_t ops_f2h(float f) {
  return ops_d2h((double)f);
}

/* }====================================================== */

/* {======================================================
** Casts
** ======================================================= */

/* Float to integer without undefined behaviour: out-of-range values and
** NaN give the x86 "integer indefinite" pattern, as NumPy does there. */
static inline int64_t f2i64(double v) {
  if (v >= -9223372036854775808.0 && v < 9223372036854775808.0)
    return (int64_t)v;
  return INT64_MIN;
}
static inline uint64_t f2u64(double v) {
  if (v >= 0 && v < 18446744073709551616.0) return (uint64_t)v;
  if (v < 0 && v > -9223372036854775809.0) return (uint64_t)(int64_t)v;
  return 0x8000000000000000ULL;
}

/*
** Each type has a class: B bool, I integer, U uint64 (for the
** float->uint64 path), H float16, F float/double, C complex. A value is
** read as the class's natural C value and converted by CV_<from>_<to>.
*/
#define RD_B(T, p)   (*(const T *)(p))
#define RD_I(T, p)   (*(const T *)(p))
#define RD_U(T, p)   (*(const T *)(p))
#define RD_H(T, p)   ops_h2f(*(const uint16_t *)(p))
#define RD_F(T, p)   (*(const T *)(p))
#define RD_C(T, p)   (*(const T *)(p))

/* v is the read value; TO the destination C type */
#define CV_B_B(v, TO)  (v)
#define CV_B_I(v, TO)  ((TO)(v))
#define CV_B_U(v, TO)  ((TO)(v))
#define CV_B_H(v, TO)  ops_f2h((float)(v))
#define CV_B_F(v, TO)  ((TO)(v))
#define CV_I_B(v, TO)  ((TO)((v) != 0))
#define CV_I_I(v, TO)  ((TO)(v))
#define CV_I_U(v, TO)  ((TO)(v))
#define CV_I_H(v, TO)  ops_f2h((float)(v))
#define CV_I_F(v, TO)  ((TO)(v))
#define CV_U_B CV_I_B
#define CV_U_I CV_I_I
#define CV_U_U CV_I_U
#define CV_U_H CV_I_H
#define CV_U_F CV_I_F
#define CV_H_B(v, TO)  ((TO)((v) != 0))
#define CV_H_I(v, TO)  ((TO)f2i64(v))
#define CV_H_U(v, TO)  ((TO)f2u64(v))
#define CV_H_H(v, TO)  ops_f2h(v)
#define CV_H_F(v, TO)  ((TO)(v))
#define CV_F_B(v, TO)  ((TO)((v) != 0))
#define CV_F_I(v, TO)  ((TO)f2i64(v))
#define CV_F_U(v, TO)  ((TO)f2u64(v))
#define CV_F_H(v, TO)  ops_d2h(v)
#define CV_F_F(v, TO)  ((TO)(v))

/* stores for complex destinations and reads of complex sources */
#define TOC(v, TO, d)  do { (d)->re = (v); (d)->im = 0; } while (0)

#define OPS_CAST_TYPES(X) \
  X(BOOL, uint8_t, B)  X(I8, int8_t, I)     X(U8, uint8_t, I) \
  X(I16, int16_t, I)   X(U16, uint16_t, I)  X(I32, int32_t, I) \
  X(U32, uint32_t, I)  X(I64, int64_t, I)   X(U64, uint64_t, U) \
  X(F16, uint16_t, H)  X(F32, float, F)     X(F64, double, F)

/* real -> real */
#define CAST_RR(A, TA, CA, B, TB, CB) \
static void cast_##A##_##B(const char *s, int64_t ss, char *d, int64_t ds, \
                           int64_t n) { \
  int64_t i; \
  if (ss == (int64_t)sizeof(TA) && ds == (int64_t)sizeof(TB)) { \
    const TA *src = (const TA *)(const void *)s; TB *dst = (TB *)(void *)d; \
    for (i = 0; i < n; i++) dst[i] = CV_##CA##_##CB(RD_##CA(TA, src + i), TB); \
  } else { \
    for (i = 0; i < n; i++) \
      *(TB *)(void *)(d + i * ds) = \
        CV_##CA##_##CB(RD_##CA(TA, s + i * ss), TB); \
  } \
}

/* fix the class of destination reads: U (uint64) class reads like I */
#define CV_I_B_ CV_I_B

#define CAST_ROW(A, TA, CA) \
  CAST_RR(A, TA, CA, BOOL, uint8_t, B) CAST_RR(A, TA, CA, I8, int8_t, I) \
  CAST_RR(A, TA, CA, U8, uint8_t, I)   CAST_RR(A, TA, CA, I16, int16_t, I) \
  CAST_RR(A, TA, CA, U16, uint16_t, I) CAST_RR(A, TA, CA, I32, int32_t, I) \
  CAST_RR(A, TA, CA, U32, uint32_t, I) CAST_RR(A, TA, CA, I64, int64_t, I) \
  CAST_RR(A, TA, CA, U64, uint64_t, U) CAST_RR(A, TA, CA, F16, uint16_t, H) \
  CAST_RR(A, TA, CA, F32, float, F)    CAST_RR(A, TA, CA, F64, double, F) \
  CAST_RC(A, TA, CA, C64, ops_c64, float) \
  CAST_RC(A, TA, CA, C128, ops_c128, double) \
  CAST_CR(C64, ops_c64, float, A, TA, CA) \
  CAST_CR(C128, ops_c128, double, A, TA, CA)

/* real -> complex */
#define CAST_RC(A, TA, CA, B, TB, TR) \
static void cast_##A##_##B(const char *s, int64_t ss, char *d, int64_t ds, \
                           int64_t n) { \
  int64_t i; \
  for (i = 0; i < n; i++) { \
    TB *o = (TB *)(void *)(d + i * ds); \
    o->re = CV_##CA##_F(RD_##CA(TA, s + i * ss), TR); \
    o->im = 0; \
  } \
}

/* complex -> real (the real part, as NumPy with a ComplexWarning);
** to bool: either part nonzero */
#define CAST_CR(A, TA, TR, B, TB, CB) \
static void cast_##A##_##B(const char *s, int64_t ss, char *d, int64_t ds, \
                           int64_t n) { \
  int64_t i; \
  for (i = 0; i < n; i++) { \
    const TA *v = (const TA *)(const void *)(s + i * ss); \
    if (#CB[0] == 'B') \
      *(TB *)(void *)(d + i * ds) = (TB)(v->re != 0 || v->im != 0); \
    else \
      *(TB *)(void *)(d + i * ds) = CV_F_##CB(v->re, TB); \
  } \
}

#define CV_F_B_F(v, TO) ((TO)(v))

CAST_ROW(BOOL, uint8_t, B)
CAST_ROW(I8, int8_t, I)
CAST_ROW(U8, uint8_t, I)
CAST_ROW(I16, int16_t, I)
CAST_ROW(U16, uint16_t, I)
CAST_ROW(I32, int32_t, I)
CAST_ROW(U32, uint32_t, I)
CAST_ROW(I64, int64_t, I)
CAST_ROW(U64, uint64_t, U)
CAST_ROW(F16, uint16_t, H)
CAST_ROW(F32, float, F)
CAST_ROW(F64, double, F)

/* complex -> complex */
#define CAST_CC(A, TA, B, TB, TR) \
static void cast_##A##_##B(const char *s, int64_t ss, char *d, int64_t ds, \
                           int64_t n) { \
  int64_t i; \
  for (i = 0; i < n; i++) { \
    const TA *v = (const TA *)(const void *)(s + i * ss); \
    TB *o = (TB *)(void *)(d + i * ds); \
    o->re = (TR)v->re; o->im = (TR)v->im; \
  } \
}
CAST_CC(C64, ops_c64, C64, ops_c64, float)
CAST_CC(C64, ops_c64, C128, ops_c128, double)
CAST_CC(C128, ops_c128, C64, ops_c64, float)
CAST_CC(C128, ops_c128, C128, ops_c128, double)

#define CAST_TABLE_ROW(A) \
  {cast_##A##_BOOL, cast_##A##_I8, cast_##A##_U8, cast_##A##_I16, \
   cast_##A##_U16, cast_##A##_I32, cast_##A##_U32, cast_##A##_I64, \
   cast_##A##_U64, cast_##A##_F16, cast_##A##_F32, cast_##A##_F64, \
   cast_##A##_C64, cast_##A##_C128}

static const ops_castfn cast_table[OT_NTYPES][OT_NTYPES] = {
  CAST_TABLE_ROW(BOOL), CAST_TABLE_ROW(I8), CAST_TABLE_ROW(U8),
  CAST_TABLE_ROW(I16), CAST_TABLE_ROW(U16), CAST_TABLE_ROW(I32),
  CAST_TABLE_ROW(U32), CAST_TABLE_ROW(I64), CAST_TABLE_ROW(U64),
  CAST_TABLE_ROW(F16), CAST_TABLE_ROW(F32), CAST_TABLE_ROW(F64),
  CAST_TABLE_ROW(C64), CAST_TABLE_ROW(C128)
};

ops_castfn ops_cast_fn(int from, int to) {
  return cast_table[from][to];
}

/* }====================================================== */
