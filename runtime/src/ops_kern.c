/*
** ops_kern.c -- elementwise operations: typed kernels generated with
** X-macros (a contiguous path the compiler vectorises, a scalar-operand
** path and a strided path), NumPy's loop resolution with NEP 50 weak
** scalars, and np.where, nan_to_num, isclose.
*/
#include <math.h>
#include <string.h>

#include "ops.h"

/* Context passed to kernels: an error flag and extra parameters. */
typedef struct kctx {
  int err;
  double d[4];
} kctx;

/* {======================================================
** Scalar helpers
** ======================================================= */

#define INT_HELPERS_S(N, T, WT) \
static inline T fdiv_##N(T a, T b) { \
  T q; \
  if (b == 0) return 0; \
  if (b == (T)-1) return (T)(0 - (WT)a);  /* MIN // -1 wraps to MIN */ \
  q = (T)(a / b); \
  if (((a > 0) != (b > 0)) && (T)((WT)q * (WT)b) != a) q--; \
  return q; \
} \
static inline T mod_##N(T a, T b) { \
  T r; \
  if (b == 0 || b == (T)-1) return 0; \
  r = (T)(a % b); \
  if ((a > 0) == (b > 0) || r == 0) return r; \
  return (T)(r + b); \
} \
static inline T pow_##N(T a, T b, int *err) { \
  WT base = (WT)a, out; \
  uint64_t x; \
  if (b < 0) { *err = 1; return 0; } \
  if (b == 0 || a == 1) return 1; \
  x = (uint64_t)b; \
  out = (x & 1) ? base : 1; \
  x >>= 1; \
  while (x > 0) { \
    base *= base; \
    if (x & 1) out *= base; \
    x >>= 1; \
  } \
  return (T)out; \
} \
static inline T abs_##N(T a) { return a < 0 ? (T)(0 - (WT)a) : a; } \
static inline T sign_##N(T a) { return (T)((a > 0) - (a < 0)); }

#define INT_HELPERS_U(N, T, WT) \
static inline T fdiv_##N(T a, T b) { return b == 0 ? 0 : (T)(a / b); } \
static inline T mod_##N(T a, T b) { return b == 0 ? 0 : (T)(a % b); } \
static inline T pow_##N(T a, T b, int *err) { \
  WT base = (WT)a, out; \
  uint64_t x = (uint64_t)b; \
  (void)err; \
  if (b == 0 || a == 1) return 1; \
  out = (x & 1) ? base : 1; \
  x >>= 1; \
  while (x > 0) { \
    base *= base; \
    if (x & 1) out *= base; \
    x >>= 1; \
  } \
  return (T)out; \
} \
static inline T abs_##N(T a) { return a; } \
static inline T sign_##N(T a) { return (T)(a > 0); }

INT_HELPERS_S(I8, int8_t, unsigned)
INT_HELPERS_U(U8, uint8_t, unsigned)
INT_HELPERS_S(I16, int16_t, unsigned)
INT_HELPERS_U(U16, uint16_t, unsigned)
INT_HELPERS_S(I32, int32_t, uint32_t)
INT_HELPERS_U(U32, uint32_t, uint32_t)
INT_HELPERS_S(I64, int64_t, uint64_t)
INT_HELPERS_U(U64, uint64_t, uint64_t)

/*
** Floor division and remainder of floats as NumPy's npy_divmod: the
** remainder takes the divisor's sign, the quotient is rounded so that
** div * b + mod == a as closely as possible; b == 0 gives a/b and
** fmod(a, 0) (inf or nan).
*/
#define FLT_HELPERS(N, T, SFX) \
static inline T divmod_##N(T a, T b, T *modp) { \
  T mod = fmod##SFX(a, b), div, fl; \
  if (!b) { *modp = mod; return a / b; } \
  div = (a - mod) / b; \
  if (mod) { \
    if ((b < 0) != (mod < 0)) { mod += b; div -= 1; } \
  } else mod = copysign##SFX(0, b); \
  if (div) { \
    fl = floor##SFX(div); \
    if (div - fl > (T)0.5) fl += 1; \
  } else fl = copysign##SFX(0, a / b); \
  *modp = mod; \
  return fl; \
} \
static inline T fdiv_##N(T a, T b) { \
  T m; \
  if (!b) return a / b; \
  return divmod_##N(a, b, &m); \
} \
static inline T mod_##N(T a, T b) { \
  T m; \
  if (!b) return fmod##SFX(a, b); \
  divmod_##N(a, b, &m); \
  return m; \
} \
static inline T sign_##N(T a) { \
  return a > 0 ? 1 : a < 0 ? -1 : a == 0 ? 0 : a; \
}

FLT_HELPERS(F32, float, f)
FLT_HELPERS(F64, double, )

#define CPX_HELPERS(N, T, R, SFX) \
static inline T cadd_##N(T a, T b) { T r = {a.re + b.re, a.im + b.im}; \
  return r; } \
static inline T csub_##N(T a, T b) { T r = {a.re - b.re, a.im - b.im}; \
  return r; } \
static inline T cmul_##N(T a, T b) { \
  T r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; \
  return r; \
} \
static inline T cdiv_##N(T a, T b) { \
  R ar = fabs##SFX(b.re), ai = fabs##SFX(b.im), rat, scl; \
  T r; \
  if (ar >= ai) { \
    if (ar == 0 && ai == 0) { r.re = a.re / ar; r.im = a.im / ar; } \
    else { \
      rat = b.im / b.re; scl = (R)1.0 / (b.re + b.im * rat); \
      r.re = (a.re + a.im * rat) * scl; r.im = (a.im - a.re * rat) * scl; \
    } \
  } else { \
    rat = b.re / b.im; scl = (R)1.0 / (b.im + b.re * rat); \
    r.re = (a.re * rat + a.im) * scl; r.im = (a.im * rat - a.re) * scl; \
  } \
  return r; \
} \
static inline T cneg_##N(T a) { T r = {-a.re, -a.im}; return r; } \
static inline T csq_##N(T a) { return cmul_##N(a, a); }

CPX_HELPERS(C64, ops_c64, float, f)
CPX_HELPERS(C128, ops_c128, double, )

/* }====================================================== */

/* {======================================================
** Kernel generators
** ======================================================= */

#define CP(T, p) ((const T *)(const void *)(p))
#define MP(T, p) ((T *)(void *)(p))

/* Binary kernel: 'a' and 'b' of type T in EXPR give a TO. */
#define BINK(name, T, TO, EXPR) \
static void name(char **p, const int64_t *s, int64_t n, void *ctx) { \
  int64_t i; \
  int err_ = 0; \
  const int64_t sT = (int64_t)sizeof(T), sO = (int64_t)sizeof(TO); \
  if (s[0] == sT && s[1] == sT && s[2] == sO) { \
    const T *A = CP(T, p[0]), *B = CP(T, p[1]); \
    TO *O = MP(TO, p[2]); \
    for (i = 0; i < n; i++) { T a = A[i], b = B[i]; O[i] = (EXPR); } \
  } else if (s[0] == sT && s[1] == 0 && s[2] == sO) { \
    const T *A = CP(T, p[0]); \
    const T b = *CP(T, p[1]); \
    TO *O = MP(TO, p[2]); \
    for (i = 0; i < n; i++) { T a = A[i]; O[i] = (EXPR); } \
  } else if (s[0] == 0 && s[1] == sT && s[2] == sO) { \
    const T a = *CP(T, p[0]); \
    const T *B = CP(T, p[1]); \
    TO *O = MP(TO, p[2]); \
    for (i = 0; i < n; i++) { T b = B[i]; O[i] = (EXPR); } \
  } else { \
    for (i = 0; i < n; i++) { \
      T a = *CP(T, p[0] + i * s[0]), b = *CP(T, p[1] + i * s[1]); \
      *MP(TO, p[2] + i * s[2]) = (EXPR); \
    } \
  } \
  if (err_) ((kctx *)ctx)->err = err_; \
}

/* Unary kernel: 'a' of type T in EXPR gives a TO. */
#define UNK(name, T, TO, EXPR) \
static void name(char **p, const int64_t *s, int64_t n, void *ctx) { \
  int64_t i; \
  (void)ctx; \
  if (s[0] == (int64_t)sizeof(T) && s[1] == (int64_t)sizeof(TO)) { \
    const T *A = CP(T, p[0]); \
    TO *O = MP(TO, p[1]); \
    for (i = 0; i < n; i++) { T a = A[i]; O[i] = (EXPR); } \
  } else { \
    for (i = 0; i < n; i++) { \
      T a = *CP(T, p[0] + i * s[0]); \
      *MP(TO, p[1] + i * s[1]) = (EXPR); \
    } \
  } \
}

#define ALL_INT(X) \
  X(I8, int8_t, unsigned) X(U8, uint8_t, unsigned) \
  X(I16, int16_t, unsigned) X(U16, uint16_t, unsigned) \
  X(I32, int32_t, uint32_t) X(U32, uint32_t, uint32_t) \
  X(I64, int64_t, uint64_t) X(U64, uint64_t, uint64_t)

#define ALL_FLT(X) X(F32, float, f) X(F64, double, )
#define ALL_CPX(X) X(C64, ops_c64, float, f) X(C128, ops_c128, double, )

/* integers: wrapping arithmetic through the unsigned type WT */
#define INT_KERNELS(N, T, WT) \
  BINK(add_##N, T, T, (T)((WT)a + (WT)b)) \
  BINK(sub_##N, T, T, (T)((WT)a - (WT)b)) \
  BINK(mul_##N, T, T, (T)((WT)a * (WT)b)) \
  BINK(fdiv_k_##N, T, T, fdiv_##N(a, b)) \
  BINK(mod_k_##N, T, T, mod_##N(a, b)) \
  BINK(pow_k_##N, T, T, pow_##N(a, b, &err_)) \
  BINK(min_##N, T, T, (a <= b ? a : b)) \
  BINK(max_##N, T, T, (a >= b ? a : b)) \
  BINK(eq_##N, T, uint8_t, (a == b)) \
  BINK(ne_##N, T, uint8_t, (a != b)) \
  BINK(lt_##N, T, uint8_t, (a < b)) \
  BINK(le_##N, T, uint8_t, (a <= b)) \
  BINK(gt_##N, T, uint8_t, (a > b)) \
  BINK(ge_##N, T, uint8_t, (a >= b)) \
  UNK(neg_##N, T, T, (T)(0 - (WT)a)) \
  UNK(abs_k_##N, T, T, abs_##N(a)) \
  UNK(sign_k_##N, T, T, sign_##N(a)) \
  UNK(square_##N, T, T, (T)((WT)a * (WT)a))
ALL_INT(INT_KERNELS)

/* The hot float loops are also built for AVX2 and AVX-512 (picked at
** load time): wider loads stream memory faster, values are the same (no
** contraction into FMA in ISO C mode). */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define OPS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define OPS_CLONES
#endif

#define FLT_KERNELS(N, T, SFX) \
  OPS_CLONES BINK(add_##N, T, T, a + b) \
  OPS_CLONES BINK(sub_##N, T, T, a - b) \
  OPS_CLONES BINK(mul_##N, T, T, a * b) \
  OPS_CLONES BINK(tdiv_##N, T, T, a / b) \
  BINK(fdiv_k_##N, T, T, fdiv_##N(a, b)) \
  BINK(mod_k_##N, T, T, mod_##N(a, b)) \
  BINK(pow_k_##N, T, T, pow##SFX(a, b)) \
  BINK(min_##N, T, T, ((a <= b || a != a) ? a : b)) \
  BINK(max_##N, T, T, ((a >= b || a != a) ? a : b)) \
  BINK(fmin_##N, T, T, ((a <= b || b != b) ? a : b)) \
  BINK(fmax_##N, T, T, ((a >= b || b != b) ? a : b)) \
  BINK(eq_##N, T, uint8_t, (a == b)) \
  BINK(ne_##N, T, uint8_t, (a != b)) \
  BINK(lt_##N, T, uint8_t, (a < b)) \
  BINK(le_##N, T, uint8_t, (a <= b)) \
  BINK(gt_##N, T, uint8_t, (a > b)) \
  BINK(ge_##N, T, uint8_t, (a >= b)) \
  UNK(neg_##N, T, T, -a) \
  UNK(abs_k_##N, T, T, fabs##SFX(a)) \
  UNK(sign_k_##N, T, T, sign_##N(a)) \
  UNK(square_##N, T, T, a * a) \
  OPS_CLONES UNK(sqrt_##N, T, T, sqrt##SFX(a)) \
  UNK(exp_##N, T, T, exp##SFX(a)) \
  UNK(log_##N, T, T, log##SFX(a)) \
  UNK(log1p_##N, T, T, log1p##SFX(a)) \
  UNK(expm1_##N, T, T, expm1##SFX(a)) \
  UNK(sin_##N, T, T, sin##SFX(a)) \
  UNK(cos_##N, T, T, cos##SFX(a)) \
  UNK(tanh_##N, T, T, tanh##SFX(a)) \
  UNK(log10_##N, T, T, log10##SFX(a)) \
  UNK(log2_##N, T, T, log2##SFX(a)) \
  UNK(tan_##N, T, T, tan##SFX(a)) \
  UNK(floor_##N, T, T, floor##SFX(a)) \
  UNK(ceil_##N, T, T, ceil##SFX(a)) \
  UNK(rint_##N, T, T, rint##SFX(a)) \
  UNK(trunc_##N, T, T, trunc##SFX(a)) \
  UNK(isnan_##N, T, uint8_t, isnan(a) != 0) \
  UNK(isinf_##N, T, uint8_t, isinf(a) != 0) \
  UNK(isfinite_##N, T, uint8_t, isfinite(a) != 0)
ALL_FLT(FLT_KERNELS)

#define CPX_KERNELS(N, T, R, SFX) \
  BINK(add_##N, T, T, cadd_##N(a, b)) \
  BINK(sub_##N, T, T, csub_##N(a, b)) \
  BINK(mul_##N, T, T, cmul_##N(a, b)) \
  BINK(tdiv_##N, T, T, cdiv_##N(a, b)) \
  BINK(eq_##N, T, uint8_t, (a.re == b.re && a.im == b.im)) \
  BINK(ne_##N, T, uint8_t, (a.re != b.re || a.im != b.im)) \
  UNK(neg_##N, T, T, cneg_##N(a)) \
  UNK(square_##N, T, T, csq_##N(a)) \
  UNK(abs_k_##N, T, R, hypot##SFX(a.re, a.im)) \
  UNK(isnan_##N, T, uint8_t, (isnan(a.re) || isnan(a.im))) \
  UNK(isinf_##N, T, uint8_t, (isinf(a.re) || isinf(a.im))) \
  UNK(isfinite_##N, T, uint8_t, (isfinite(a.re) && isfinite(a.im)))
ALL_CPX(CPX_KERNELS)

/* bool: + is or, * is and, min/max are and/or */
BINK(add_BOOL, uint8_t, uint8_t, (uint8_t)(a | b))
BINK(mul_BOOL, uint8_t, uint8_t, (uint8_t)(a & b))
BINK(min_BOOL, uint8_t, uint8_t, (uint8_t)(a & b))
BINK(max_BOOL, uint8_t, uint8_t, (uint8_t)(a | b))
BINK(eq_BOOL, uint8_t, uint8_t, (a == b))
BINK(ne_BOOL, uint8_t, uint8_t, (a != b))
BINK(lt_BOOL, uint8_t, uint8_t, (a < b))
BINK(le_BOOL, uint8_t, uint8_t, (a <= b))
BINK(gt_BOOL, uint8_t, uint8_t, (a > b))
BINK(ge_BOOL, uint8_t, uint8_t, (a >= b))
BINK(land_BOOL, uint8_t, uint8_t, (uint8_t)(a & b))
BINK(lor_BOOL, uint8_t, uint8_t, (uint8_t)(a | b))
BINK(lxor_BOOL, uint8_t, uint8_t, (uint8_t)(a ^ b))
UNK(abs_k_BOOL, uint8_t, uint8_t, a)
UNK(lnot_BOOL, uint8_t, uint8_t, (uint8_t)!a)
UNK(isnan_BOOL, uint8_t, uint8_t, (uint8_t)(a && 0))
UNK(isinf_BOOL, uint8_t, uint8_t, (uint8_t)(a && 0))
UNK(isfinite_BOOL, uint8_t, uint8_t, (uint8_t)(a || 1))

/* }====================================================== */

/* {======================================================
** Kernel tables
** ======================================================= */

#define R_INT(k) [OT_I8] = k##_I8, [OT_U8] = k##_U8, [OT_I16] = k##_I16, \
  [OT_U16] = k##_U16, [OT_I32] = k##_I32, [OT_U32] = k##_U32, \
  [OT_I64] = k##_I64, [OT_U64] = k##_U64
#define R_FLT(k) [OT_F32] = k##_F32, [OT_F64] = k##_F64
#define R_CPX(k) [OT_C64] = k##_C64, [OT_C128] = k##_C128
#define R_BOOL(k) [OT_BOOL] = k##_BOOL

static const ops_kernel bin_kernels[OPS_NBINARY][OT_NTYPES] = {
  [OPS_ADD] = {R_BOOL(add), R_INT(add), R_FLT(add), R_CPX(add)},
  [OPS_SUB] = {R_INT(sub), R_FLT(sub), R_CPX(sub)},
  [OPS_MUL] = {R_BOOL(mul), R_INT(mul), R_FLT(mul), R_CPX(mul)},
  [OPS_TDIV] = {R_FLT(tdiv), R_CPX(tdiv)},
  [OPS_FDIV] = {R_INT(fdiv_k), R_FLT(fdiv_k)},
  [OPS_MOD] = {R_INT(mod_k), R_FLT(mod_k)},
  [OPS_POW] = {R_INT(pow_k), R_FLT(pow_k)},
  [OPS_MIN] = {R_BOOL(min), R_INT(min), R_FLT(min)},
  [OPS_MAX] = {R_BOOL(max), R_INT(max), R_FLT(max)},
  [OPS_FMIN] = {R_BOOL(min), R_INT(min), R_FLT(fmin)},
  [OPS_FMAX] = {R_BOOL(max), R_INT(max), R_FLT(fmax)},
  [OPS_EQ] = {R_BOOL(eq), R_INT(eq), R_FLT(eq), R_CPX(eq)},
  [OPS_NE] = {R_BOOL(ne), R_INT(ne), R_FLT(ne), R_CPX(ne)},
  [OPS_LT] = {R_BOOL(lt), R_INT(lt), R_FLT(lt)},
  [OPS_LE] = {R_BOOL(le), R_INT(le), R_FLT(le)},
  [OPS_GT] = {R_BOOL(gt), R_INT(gt), R_FLT(gt)},
  [OPS_GE] = {R_BOOL(ge), R_INT(ge), R_FLT(ge)},
  [OPS_LAND] = {R_BOOL(land)},
  [OPS_LOR] = {R_BOOL(lor)},
  [OPS_LXOR] = {R_BOOL(lxor)},
};

static const ops_kernel un_kernels[OPS_NUNARY][OT_NTYPES] = {
  [OPS_NEG] = {R_INT(neg), R_FLT(neg), R_CPX(neg)},
  [OPS_ABS] = {R_BOOL(abs_k), R_INT(abs_k), R_FLT(abs_k), R_CPX(abs_k)},
  [OPS_SIGN] = {R_INT(sign_k), R_FLT(sign_k)},
  [OPS_SQUARE] = {R_INT(square), R_FLT(square), R_CPX(square)},
  [OPS_SQRT] = {R_FLT(sqrt)}, [OPS_EXP] = {R_FLT(exp)},
  [OPS_LOG] = {R_FLT(log)}, [OPS_LOG1P] = {R_FLT(log1p)},
  [OPS_EXPM1] = {R_FLT(expm1)}, [OPS_SIN] = {R_FLT(sin)},
  [OPS_COS] = {R_FLT(cos)}, [OPS_TANH] = {R_FLT(tanh)},
  [OPS_LOG10] = {R_FLT(log10)}, [OPS_LOG2] = {R_FLT(log2)},
  [OPS_TAN] = {R_FLT(tan)},
  [OPS_FLOOR] = {R_FLT(floor)}, [OPS_CEIL] = {R_FLT(ceil)},
  [OPS_RINT] = {R_FLT(rint)}, [OPS_TRUNC] = {R_FLT(trunc)},
  [OPS_ISNAN] = {R_BOOL(isnan), R_FLT(isnan), R_CPX(isnan)},
  [OPS_ISINF] = {R_BOOL(isinf), R_FLT(isinf), R_CPX(isinf)},
  [OPS_ISFINITE] = {R_BOOL(isfinite), R_FLT(isfinite), R_CPX(isfinite)},
  [OPS_LNOT] = {R_BOOL(lnot)},
};

static const char *const bin_names[OPS_NBINARY] = {
  "add", "subtract", "multiply", "true_divide", "floor_divide",
  "remainder", "power", "minimum", "maximum", "fmin", "fmax", "equal",
  "not_equal", "less", "less_equal", "greater", "greater_equal",
  "logical_and", "logical_or", "logical_xor"
};

static const char *const un_names[OPS_NUNARY] = {
  "negative", "absolute", "sign", "square", "sqrt", "exp", "log", "log1p",
  "expm1", "sin", "cos", "tanh", "log10", "log2", "tan", "floor", "ceil",
  "rint", "trunc", "isnan", "isinf", "isfinite", "logical_not"
};

const char *ops_binary_name(int op) { return bin_names[op]; }
const char *ops_unary_name(int op) { return un_names[op]; }

/* }====================================================== */

/* {======================================================
** Loop resolution
** ======================================================= */

static int is_cmp(int op) { return op >= OPS_EQ && op <= OPS_GE; }

static int noloop(npio_err *e, const char *name, int ta, int tb) {
  if (tb < 0)
    return npio_seterr(e, NPIO_ETYPE,
                       "ufunc '%s' not supported for the input type %s",
                       name, ops_types[ta].name);
  return npio_seterr(e, NPIO_ETYPE,
                     "ufunc '%s' not supported for the input types %s and %s",
                     name, ops_types[ta].name, ops_types[tb].name);
}

/* The type an argument is stored as; scalars: -1. */
static int arg_type(const ops_arg *x) {
  return x->a ? ops_type_of(x->a->dtype) : -1;
}

/* The default type of a scalar standing alone (Python int/float). */
static int scalar_default(const ops_arg *x) {
  return x->skind == 'f' ? OT_F64 : x->skind == 'b' ? OT_BOOL : OT_I64;
}

/* 1 if integer v fits type t. */
static int int_fits(int64_t v, int t) {
  switch (t) {
    case OT_I8: return v >= INT8_MIN && v <= INT8_MAX;
    case OT_U8: return v >= 0 && v <= UINT8_MAX;
    case OT_I16: return v >= INT16_MIN && v <= INT16_MAX;
    case OT_U16: return v >= 0 && v <= UINT16_MAX;
    case OT_I32: return v >= INT32_MIN && v <= INT32_MAX;
    case OT_U32: return v >= 0 && v <= (int64_t)UINT32_MAX;
    case OT_U64: return v >= 0;
    default: return 1;
  }
}

/*
** NEP 50: the type a weak scalar 's' takes next to an operand of type
** 'other'. A Lua integer takes an integer array's type (and must fit,
** unless 'lenient', where it widens to int64 as comparisons need), the
** default int64 next to bool; a Lua float takes a float array's type,
** float64 next to bool or integers.
*/
static int weak_type(const ops_arg *s, int other, int lenient, npio_err *e) {
  if (s->skind == 'b') return OT_BOOL;
  if (s->skind == 'f')
    return ops_isinexact(other) ? other : OT_F64;
  if (other == OT_BOOL) return OT_I64;
  if (ops_isint(other) && !int_fits(s->i, other)) {
    if (lenient) return OT_I64;
    npio_seterr(e, NPIO_EVALUE, "Lua integer %lld out of bounds for %s",
                (long long)s->i, ops_types[other].name);
    return -1;
  }
  return other;
}

/* Resolves the stored types of both arguments (weak scalars decided). */
static int arg_types(const ops_arg *x, const ops_arg *y, int lenient,
                     int *tx, int *ty, npio_err *e) {
  *tx = arg_type(x);
  *ty = arg_type(y);
  if (x->a && *tx < 0) return npio_seterr(e, NPIO_ETYPE,
                                          "not a numeric dtype");
  if (y->a && *ty < 0) return npio_seterr(e, NPIO_ETYPE,
                                          "not a numeric dtype");
  if (!x->a && !y->a) {
    *tx = scalar_default(x);
    *ty = scalar_default(y);
  } else if (!x->a) {
    if ((*tx = weak_type(x, *ty, lenient, e)) < 0) return NPIO_EVALUE;
  } else if (!y->a) {
    if ((*ty = weak_type(y, *tx, lenient, e)) < 0) return NPIO_EVALUE;
  }
  return NPIO_OK;
}

/* Loop type of a binary op on resolved types, or -1 (with e). */
static int binary_ctype(int op, int tx, int ty, npio_err *e) {
  int p = ops_promote(tx, ty), k;
  switch (op) {
    case OPS_SUB:
      if (p == OT_BOOL) {
        npio_seterr(e, NPIO_ETYPE, "numpy boolean subtract, the `-` "
                    "operator, is not supported, use the bitwise_xor, the "
                    "`^` operator, or the logical_xor function instead.");
        return -1;
      }
      break;
    case OPS_TDIV:
      if (!ops_isinexact(tx) && !ops_isinexact(ty)) p = OT_F64;
      break;
    case OPS_FDIV: case OPS_MOD: case OPS_POW:
      if (p == OT_BOOL) p = OT_I8;
      break;
    case OPS_LAND: case OPS_LOR: case OPS_LXOR:
      p = OT_BOOL;
      break;
    default: break;
  }
  k = p == OT_F16 ? OT_F32 : p;
  if (bin_kernels[op][k] == NULL) {
    noloop(e, bin_names[op], tx, ty);
    return -1;
  }
  return p;
}

int ops_binary_type(int op, const ops_arg *x, const ops_arg *y,
                    npio_err *e) {
  int tx, ty, ct;
  if (arg_types(x, y, is_cmp(op), &tx, &ty, e)) return -1;
  if ((ct = binary_ctype(op, tx, ty, e)) < 0) return -1;
  if (is_cmp(op) || op >= OPS_LAND) return OT_BOOL;
  return ct;
}

/* Writes scalar 'x' as one element of type 't' into buf (16 bytes). */
static void scalar_store(const ops_arg *x, int t, char *buf) {
  if (x->skind == 'f')
    ops_cast_fn(OT_F64, t)((const char *)&x->f, 8, buf, 16, 1);
  else if (x->skind == 'b') {
    uint8_t b = x->i != 0;
    ops_cast_fn(OT_BOOL, t)((const char *)&b, 1, buf, 16, 1);
  } else
    ops_cast_fn(OT_I64, t)((const char *)&x->i, 8, buf, 16, 1);
}

/* Sets operand 'op' for argument x over (nd, shape); a scalar is stored
** in 'buf' as type 't'. */
static int arg_operand(ops_operand *op, const ops_arg *x, int t, int ctype,
                       char *buf, int nd, const int64_t *shape,
                       npio_err *e) {
  if (x->a) return ops_operand_set(op, x->a, nd, shape, ctype, e);
  scalar_store(x, t, buf);
  memset(op, 0, sizeof *op);
  op->data = buf;
  op->type = t;
  op->ctype = ctype;
  return NPIO_OK;
}

/* The result's layout: Fortran when every array input of more than one
** dimension is Fortran-contiguous and not C-contiguous (NumPy's K). */
static int want_forder(int n, const ops_arg *const *xs, int nd) {
  int i, any = 0;
  if (nd < 2) return 0;
  for (i = 0; i < n; i++) {
    const npio_array *a = xs[i]->a;
    if (a == NULL || a->ndim < nd) continue;
    if (npio_array_is_c_contiguous(a) || !npio_array_is_f_contiguous(a))
      return 0;
    any = 1;
  }
  return any;
}

/* Broadcast shape of up to 3 arguments into sh; returns ndim or -1. */
static int args_shape(int n, const ops_arg *const *xs, int64_t *sh,
                      npio_err *e) {
  int nd = 0, i;
  for (i = 0; i < n; i++) {
    if (xs[i]->a == NULL) continue;
    nd = ops_broadcast_shapes(nd, sh, xs[i]->a->ndim, xs[i]->a->shape, sh, e);
    if (nd < 0) return -1;
  }
  return nd;
}

/* Allocates 'out' when empty, or checks its shape. */
static int prepare_out(npio_array *out, int rt, int nd, const int64_t *sh,
                       int forder, const npio_memhook *hook, int *owned,
                       npio_err *e) {
  int i;
  *owned = 0;
  if (out->storage == NULL) {
    int rc = ops_alloc(out, rt, nd, sh, forder, hook, e);
    if (rc == NPIO_OK) *owned = 1;
    return rc;
  }
  if (ops_type_of(out->dtype) < 0)
    return npio_seterr(e, NPIO_ETYPE, "output is not a numeric array");
  if (out->ndim != nd)
    goto bad;
  for (i = 0; i < nd; i++)
    if (out->shape[i] != sh[i]) goto bad;
  return NPIO_OK;
bad:
  return npio_seterr(e, NPIO_EVALUE,
                     "output array does not have the broadcast shape");
}

int ops_binary(int op, const ops_arg *x, const ops_arg *y, npio_array *out,
               const npio_memhook *hook, npio_err *e) {
  int tx, ty, ct, kt, rt, ot, nd, rc, owned, forder;
  int64_t sh[NPIO_MAXDIMS];
  ops_operand o[3];
  char bx[16], by[16];
  kctx ctx;
  const ops_arg *xs[2];
  xs[0] = x;
  xs[1] = y;
  if ((rc = arg_types(x, y, is_cmp(op), &tx, &ty, e))) return rc;
  if ((ct = binary_ctype(op, tx, ty, e)) < 0) return e ? e->code : -1;
  kt = ct == OT_F16 ? OT_F32 : ct;
  rt = (is_cmp(op) || op >= OPS_LAND) ? OT_BOOL : ct;
  ot = (is_cmp(op) || op >= OPS_LAND) ? OT_BOOL : kt;
  if ((nd = args_shape(2, xs, sh, e)) < 0) return e ? e->code : -1;
  forder = want_forder(2, xs, nd);
  if ((rc = prepare_out(out, rt, nd, sh, forder, hook, &owned, e))) return rc;
  if ((rc = arg_operand(&o[0], x, tx, kt, bx, nd, sh, e)) ||
      (rc = arg_operand(&o[1], y, ty, kt, by, nd, sh, e)) ||
      (rc = ops_operand_set(&o[2], out, nd, sh, ot, e)))
    goto fail;
  memset(&ctx, 0, sizeof ctx);
  if ((rc = ops_iterate(2, 1, o, nd, sh, forder, bin_kernels[op][kt], &ctx,
                        e)))
    goto fail;
  if (ctx.err) {
    rc = npio_seterr(e, NPIO_EVALUE,
                     "Integers to negative integer powers are not allowed.");
    goto fail;
  }
  return NPIO_OK;
fail:
  if (owned) npio_array_release(out);
  return rc;
}

int ops_unary_type(int op, int t, npio_err *e) {
  int ct = t, k;
  if (t < 0) return npio_seterr(e, NPIO_ETYPE, "not a numeric dtype"), -1;
  switch (op) {
    case OPS_NEG:
      if (t == OT_BOOL) {
        npio_seterr(e, NPIO_ETYPE, "The numpy boolean negative, the `-` "
                    "operator, is not supported, use the `~` operator or "
                    "the logical_not function instead.");
        return -1;
      }
      break;
    case OPS_SQUARE:
      if (t == OT_BOOL) ct = OT_I8;
      break;
    case OPS_ISNAN: case OPS_ISINF: case OPS_ISFINITE:
      if (!ops_isinexact(t)) ct = OT_BOOL;
      break;
    case OPS_LNOT:
      ct = OT_BOOL;
      break;
    case OPS_ABS: case OPS_SIGN:
      break;
    default:   /* float functions */
      ct = ops_min_float(t);
      break;
  }
  k = ct == OT_F16 ? OT_F32 : ct;
  if (un_kernels[op][k] == NULL) {
    noloop(e, un_names[op], t, -1);
    return -1;
  }
  return ct;
}

/* The stored result type of unary op on loop type ct. */
static int unary_rtype(int op, int ct) {
  if (op == OPS_ISNAN || op == OPS_ISINF || op == OPS_ISFINITE ||
      op == OPS_LNOT)
    return OT_BOOL;
  if (op == OPS_ABS) return ops_real_type(ct);
  return ct;
}

int ops_unary(int op, const npio_array *x, npio_array *out,
              const npio_memhook *hook, npio_err *e) {
  int t = ops_type_of(x->dtype), ct, kt, rt, ot, rc, owned, forder;
  ops_operand o[2];
  kctx ctx;
  ops_arg ax;
  const ops_arg *xs[1];
  if ((ct = ops_unary_type(op, t, e)) < 0) return e ? e->code : -1;
  kt = ct == OT_F16 ? OT_F32 : ct;
  rt = unary_rtype(op, ct);
  ot = unary_rtype(op, kt);
  memset(&ax, 0, sizeof ax);
  ax.a = x;
  xs[0] = &ax;
  forder = want_forder(1, xs, x->ndim);
  if ((rc = prepare_out(out, rt, x->ndim, x->shape, forder, hook, &owned, e)))
    return rc;
  if ((rc = ops_operand_set(&o[0], x, x->ndim, x->shape, kt, e)) ||
      (rc = ops_operand_set(&o[1], out, x->ndim, x->shape, ot, e)))
    goto fail;
  memset(&ctx, 0, sizeof ctx);
  if ((rc = ops_iterate(1, 1, o, x->ndim, x->shape, forder,
                        un_kernels[op][kt], &ctx, e)))
    goto fail;
  return NPIO_OK;
fail:
  if (owned) npio_array_release(out);
  return rc;
}

/* }====================================================== */

/* {======================================================
** where, nan_to_num, isclose
** ======================================================= */

#define WHEREK(SZ, T) \
static void where_##SZ(char **p, const int64_t *s, int64_t n, void *ctx) { \
  int64_t i; \
  (void)ctx; \
  for (i = 0; i < n; i++) { \
    const char *src = *CP(uint8_t, p[0] + i * s[0]) ? p[1] + i * s[1] \
                                                    : p[2] + i * s[2]; \
    memcpy(p[3] + i * s[3], src, sizeof(T)); \
  } \
}
typedef struct { uint64_t a, b; } u128_t;
WHEREK(1, uint8_t)
WHEREK(2, uint16_t)
WHEREK(4, uint32_t)
WHEREK(8, uint64_t)
WHEREK(16, u128_t)

/* Contiguous where on 8-byte elements (the common float64 case). */
static void where_8c(char **p, const int64_t *s, int64_t n, void *ctx) {
  int64_t i;
  if (s[0] == 1 && s[1] == 8 && s[2] == 8 && s[3] == 8) {
    const uint8_t *c = CP(uint8_t, p[0]);
    const uint64_t *a = CP(uint64_t, p[1]), *b = CP(uint64_t, p[2]);
    uint64_t *o = MP(uint64_t, p[3]);
    for (i = 0; i < n; i++) o[i] = c[i] ? a[i] : b[i];
    return;
  }
  where_8(p, s, n, ctx);
}

int ops_where(const ops_arg *c, const ops_arg *x, const ops_arg *y,
              npio_array *out, const npio_memhook *hook, npio_err *e) {
  int tx, ty, rt, nd, rc, owned, forder;
  int64_t sh[NPIO_MAXDIMS];
  ops_operand o[4];
  char bc[16], bx[16], by[16];
  const ops_arg *xs[3];
  ops_kernel k;
  xs[0] = c;
  xs[1] = x;
  xs[2] = y;
  if (c->a && ops_type_of(c->a->dtype) < 0)
    return npio_seterr(e, NPIO_ETYPE, "where: condition is not numeric");
  if ((rc = arg_types(x, y, 1, &tx, &ty, e))) return rc;
  rt = ops_promote(tx, ty);
  if ((nd = args_shape(3, xs, sh, e)) < 0) return e ? e->code : -1;
  forder = want_forder(3, xs, nd);
  if ((rc = prepare_out(out, rt, nd, sh, forder, hook, &owned, e))) return rc;
  if ((rc = arg_operand(&o[0], c, c->a ? ops_type_of(c->a->dtype) : OT_BOOL,
                        OT_BOOL, bc, nd, sh, e)) ||
      (rc = arg_operand(&o[1], x, tx, rt, bx, nd, sh, e)) ||
      (rc = arg_operand(&o[2], y, ty, rt, by, nd, sh, e)) ||
      (rc = ops_operand_set(&o[3], out, nd, sh, rt, e)))
    goto fail;
  if (!c->a) {   /* a Lua boolean/number condition */
    uint8_t b = c->skind == 'f' ? c->f != 0 : c->i != 0;
    bc[0] = (char)b;
    o[0].type = OT_BOOL;
  }
  switch (ops_types[rt].size) {
    case 1: k = where_1; break;
    case 2: k = where_2; break;
    case 4: k = where_4; break;
    case 8: k = where_8c; break;
    default: k = where_16; break;
  }
  if ((rc = ops_iterate(3, 1, o, nd, sh, forder, k, NULL, e))) goto fail;
  return NPIO_OK;
fail:
  if (owned) npio_array_release(out);
  return rc;
}

#define NAN2NUM(N, T) \
static void nan2num_##N(char **p, const int64_t *s, int64_t n, void *ctx) { \
  const kctx *c = (const kctx *)ctx; \
  const T vn = (T)c->d[0], vp = (T)c->d[1], vm = (T)c->d[2]; \
  int64_t i; \
  for (i = 0; i < n; i++) { \
    T a = *CP(T, p[0] + i * s[0]); \
    if (isnan(a)) a = vn; \
    else if (isinf(a)) a = a > 0 ? vp : vm; \
    *MP(T, p[1] + i * s[1]) = a; \
  } \
}
NAN2NUM(F32, float)
NAN2NUM(F64, double)

static void nan2num_C64(char **p, const int64_t *s, int64_t n, void *ctx) {
  int64_t s2[2] = {s[0], s[1]}, i;
  for (i = 0; i < 2; i++) {
    char *q[2] = {p[0] + i * 4, p[1] + i * 4};
    nan2num_F32(q, s2, n, ctx);
  }
}
static void nan2num_C128(char **p, const int64_t *s, int64_t n, void *ctx) {
  int64_t s2[2] = {s[0], s[1]}, i;
  for (i = 0; i < 2; i++) {
    char *q[2] = {p[0] + i * 8, p[1] + i * 8};
    nan2num_F64(q, s2, n, ctx);
  }
}

int ops_nan_to_num(const npio_array *x, double nan, int has_pos,
                   double posinf, int has_neg, double neginf,
                   npio_array *out, const npio_memhook *hook, npio_err *e) {
  int t = ops_type_of(x->dtype), kt, rc, owned;
  ops_operand o[2];
  kctx ctx;
  ops_kernel k;
  double big;
  if (t < 0) return npio_seterr(e, NPIO_ETYPE, "not a numeric dtype");
  if ((rc = prepare_out(out, t, x->ndim, x->shape, 0, hook, &owned, e)))
    return rc;
  if (!ops_isinexact(t)) {
    rc = ops_copy_cast(out, x, e);
    goto done;
  }
  big = ops_real_type(t) == OT_F16 ? 65504.0
        : ops_real_type(t) == OT_F32 ? 3.4028234663852886e+38
                                     : 1.7976931348623157e+308;
  memset(&ctx, 0, sizeof ctx);
  ctx.d[0] = nan;
  ctx.d[1] = has_pos ? posinf : big;
  ctx.d[2] = has_neg ? neginf : -big;
  switch (t) {
    case OT_C64: kt = OT_C64; k = nan2num_C64; break;
    case OT_C128: kt = OT_C128; k = nan2num_C128; break;
    case OT_F64: kt = OT_F64; k = nan2num_F64; break;
    default: kt = OT_F32; k = nan2num_F32; break;
  }
  if ((rc = ops_operand_set(&o[0], x, x->ndim, x->shape, kt, e)) ||
      (rc = ops_operand_set(&o[1], out, x->ndim, x->shape, kt, e)))
    goto done;
  rc = ops_iterate(1, 1, o, x->ndim, x->shape, 0, k, &ctx, e);
done:
  if (rc && owned) npio_array_release(out);
  return rc;
}

/*
** isclose as NumPy: finite pairs compare |x - y| <= atol + rtol * |y|,
** others by equality (and NaN == NaN with equal_nan). Computed in
** float32 when both are at most float32, else in float64.
*/
#define ISCLOSE(N, T, SFX) \
static void isclose_##N(char **p, const int64_t *s, int64_t n, void *ctx) { \
  const kctx *c = (const kctx *)ctx; \
  const T rtol = (T)c->d[0], atol = (T)c->d[1]; \
  const int eqnan = c->d[2] != 0; \
  int64_t i; \
  for (i = 0; i < n; i++) { \
    T a = *CP(T, p[0] + i * s[0]), b = *CP(T, p[1] + i * s[1]); \
    uint8_t r; \
    if (isfinite(a) && isfinite(b)) \
      r = fabs##SFX(a - b) <= atol + rtol * fabs##SFX(b); \
    else \
      r = a == b || (eqnan && isnan(a) && isnan(b)); \
    *MP(uint8_t, p[2] + i * s[2]) = r; \
  } \
}
ISCLOSE(F32, float, f)
ISCLOSE(F64, double, )

int ops_isclose(const ops_arg *x, const ops_arg *y, double rtol, double atol,
                int equal_nan, npio_array *out, const npio_memhook *hook,
                npio_err *e) {
  int tx, ty, ct, nd, rc, owned;
  int64_t sh[NPIO_MAXDIMS];
  ops_operand o[3];
  char bx[16], by[16];
  kctx ctx;
  const ops_arg *xs[2];
  xs[0] = x;
  xs[1] = y;
  if ((rc = arg_types(x, y, 1, &tx, &ty, e))) return rc;
  if (ops_iscomplex(tx) || ops_iscomplex(ty))
    return npio_seterr(e, NPIO_ETYPE, "isclose: complex is not supported");
  ct = ops_promote(ops_promote(tx, ty), OT_F16);
  ct = ct == OT_F64 ? OT_F64 : OT_F32;
  if ((nd = args_shape(2, xs, sh, e)) < 0) return e ? e->code : -1;
  if ((rc = prepare_out(out, OT_BOOL, nd, sh, 0, hook, &owned, e))) return rc;
  if ((rc = arg_operand(&o[0], x, tx, ct, bx, nd, sh, e)) ||
      (rc = arg_operand(&o[1], y, ty, ct, by, nd, sh, e)) ||
      (rc = ops_operand_set(&o[2], out, nd, sh, OT_BOOL, e)))
    goto fail;
  memset(&ctx, 0, sizeof ctx);
  ctx.d[0] = rtol;
  ctx.d[1] = atol;
  ctx.d[2] = equal_nan;
  if ((rc = ops_iterate(2, 1, o, nd, sh, 0,
                        ct == OT_F64 ? isclose_F64 : isclose_F32, &ctx, e)))
    goto fail;
  return NPIO_OK;
fail:
  if (owned) npio_array_release(out);
  return rc;
}

/* }====================================================== */
