/*
** ops.h -- the array engine of the format core (no Lua): element types,
** NumPy type promotion, casts, a broadcasting N-d iterator with a
** buffered slow path, elementwise kernels, reductions, sorting, joining
** and products.
**
** Conventions: axes are 0-based here; results are freshly allocated into
** an empty npio_array (storage == NULL) with npio_array_init and the
** given memory hook, or written into an allocated one of the right
** shape. Every function returns an npio status and fills 'e'.
*/
#ifndef NPIO_OPS_H
#define NPIO_OPS_H

#include "npio_int.h"

/* {======================================================
** Element types
** ======================================================= */

/* The numeric types arithmetic is offered on, in promotion order. */
enum {
  OT_BOOL, OT_I8, OT_U8, OT_I16, OT_U16, OT_I32, OT_U32, OT_I64, OT_U64,
  OT_F16, OT_F32, OT_F64, OT_C64, OT_C128, OT_NTYPES
};

typedef struct { float re, im; } ops_c64;
typedef struct { double re, im; } ops_c128;

typedef struct ops_typeinfo {
  char kind;            /* NumPy kind: b i u f c */
  int size;             /* itemsize in bytes */
  const char *name;     /* NumPy's name: "int8", "float64", ... */
} ops_typeinfo;

NPIOI_FUNC const ops_typeinfo ops_types[OT_NTYPES];

/* The first element of an allocated, open array (no check). */
static inline char *ops_ptr(const npio_array *a) {
  return (char *)a->storage->data + a->offset;
}

#define ops_isint(t)   ((t) >= OT_I8 && (t) <= OT_U64)
#define ops_issigned(t) ((t) == OT_I8 || (t) == OT_I16 || (t) == OT_I32 || \
                         (t) == OT_I64)
#define ops_isfloat(t) ((t) >= OT_F16 && (t) <= OT_F64)
#define ops_iscomplex(t) ((t) == OT_C64 || (t) == OT_C128)
#define ops_isinexact(t) ((t) >= OT_F16)

/* The type code of a dtype (any byte order), or -1 if not numeric. */
NPIOI_FUNC int ops_type_of(const npio_dtype *d);
/* A new reference to the native dtype of type code 't'. */
NPIOI_FUNC npio_dtype *ops_dtype(int t);
/* NumPy's promote_types for two type codes. */
NPIOI_FUNC int ops_promote(int a, int b);
/* NumPy's result_type of n types (its sequence promotion, which is not
** a left fold of ops_promote). */
NPIOI_FUNC int ops_promote_seq(int n, const int *types);
/* The smallest float type an integer/bool type casts to safely (the
** loop NumPy picks for float-only ufuncs such as sqrt). */
NPIOI_FUNC int ops_min_float(int t);
/* The real type of a complex type (itself otherwise). */
NPIOI_FUNC int ops_real_type(int t);

/* IEEE half <-> float/double, round to nearest even as NumPy does. */
NPIOI_FUNC float ops_h2f(uint16_t h);
NPIOI_FUNC uint16_t ops_f2h(float f);
NPIOI_FUNC uint16_t ops_d2h(double d);

/* A cast kernel: n elements from src (stride ss) to dst (stride ds),
** both native and aligned. */
typedef void (*ops_castfn)(const char *src, int64_t ss, char *dst,
                           int64_t ds, int64_t n);
NPIOI_FUNC ops_castfn ops_cast_fn(int from, int to);

/* }====================================================== */

/* {======================================================
** The iterator
** ======================================================= */

/* An inner loop: n elements; p[i] and s[i] are operand i's pointer and
** byte stride (inputs first, then outputs). */
typedef void (*ops_kernel)(char **p, const int64_t *s, int64_t n,
                           void *ctx);

#define OPS_MAXOP 4
#define OPS_BUFSIZE 8192     /* elements per buffered chunk (NumPy's) */

/* One operand of an iteration. 'strides' are over the iteration shape
** (0 on broadcast axes). 'type' is how it is stored, 'ctype' how the
** kernel wants it; a difference, a foreign byte order or misalignment
** sends the operand through a buffer. */
typedef struct ops_operand {
  char *data;
  int64_t strides[NPIO_MAXDIMS];
  int type, ctype;
  int swap;                 /* stored in the non-native byte order */
} ops_operand;

/* Runs 'k' over 'shape' for nin inputs then nout outputs; 'forder'
** walks in Fortran order. Never fails but for memory (buffers). */
NPIOI_FUNC int ops_iterate(int nin, int nout, ops_operand *op, int ndim,
                           const int64_t *shape, int forder, ops_kernel k,
                           void *ctx, npio_err *e);

/* Computes the broadcast of two shapes into 'out' (returns its ndim) or
** -1 with NumPy's message "operands could not be broadcast together
** with shapes (3,) (4,)". */
NPIOI_FUNC int ops_broadcast_shapes(int na, const int64_t *sa, int nb,
                                    const int64_t *sb, int64_t *out,
                                    npio_err *e);
/* Fills 'op' from array 'a' for iteration over (ndim, shape): strides
** right-aligned, 0 where broadcast. Checks the data is open. */
NPIOI_FUNC int ops_operand_set(ops_operand *op, const npio_array *a,
                               int ndim, const int64_t *shape, int ctype,
                               npio_err *e);
/* Allocates 'out' (empty on entry) of type 't' and the given shape, in
** Fortran order if 'forder'. */
NPIOI_FUNC int ops_alloc(npio_array *out, int t, int ndim,
                         const int64_t *shape, int forder,
                         const npio_memhook *hook, npio_err *e);
/* Copies (casting) every element of src into dst (same shape, numeric
** types). */
NPIOI_FUNC int ops_copy_cast(npio_array *dst, const npio_array *src,
                             npio_err *e);
/* A native, contiguous (C order) array of type 't' holding src's
** values: a view of src itself when it already is one, else a copy. */
NPIOI_FUNC int ops_contig(npio_array *out, const npio_array *src, int t,
                          const npio_memhook *hook, npio_err *e);

/* }====================================================== */

/* {======================================================
** Elementwise operations
** ======================================================= */

/* Binary ufuncs. */
enum {
  OPS_ADD, OPS_SUB, OPS_MUL, OPS_TDIV, OPS_FDIV, OPS_MOD, OPS_POW,
  OPS_MIN, OPS_MAX, OPS_FMIN, OPS_FMAX,
  OPS_EQ, OPS_NE, OPS_LT, OPS_LE, OPS_GT, OPS_GE,
  OPS_LAND, OPS_LOR, OPS_LXOR,
  OPS_NBINARY
};

/* Unary ufuncs. */
enum {
  OPS_NEG, OPS_ABS, OPS_SIGN, OPS_SQUARE,
  OPS_SQRT, OPS_EXP, OPS_LOG, OPS_LOG1P, OPS_EXPM1, OPS_SIN, OPS_COS,
  OPS_TANH, OPS_LOG10, OPS_LOG2, OPS_TAN,
  OPS_FLOOR, OPS_CEIL, OPS_RINT, OPS_TRUNC,
  OPS_ISNAN, OPS_ISINF, OPS_ISFINITE, OPS_LNOT,
  OPS_NUNARY
};

NPIOI_FUNC const char *ops_binary_name(int op);
NPIOI_FUNC const char *ops_unary_name(int op);

/* An argument: an array, or a weak scalar (a Lua number, NEP 50). */
typedef struct ops_arg {
  const npio_array *a;   /* NULL for a scalar */
  char skind;            /* scalar: 'i' integer, 'f' float, 'b' boolean */
  int64_t i;
  double f;
} ops_arg;

/* Resolves the loop of a binary op: the result type, or -1 with 'e'
** (no loop for the types, weak integer out of bounds). */
NPIOI_FUNC int ops_binary_type(int op, const ops_arg *x, const ops_arg *y,
                               npio_err *e);
/* out = x op y with broadcasting. 'out' is empty (allocated here with
** 'hook') or an allocated array of the broadcast shape (any numeric
** type: the result is cast into it). */
NPIOI_FUNC int ops_binary(int op, const ops_arg *x, const ops_arg *y,
                          npio_array *out, const npio_memhook *hook,
                          npio_err *e);
NPIOI_FUNC int ops_unary_type(int op, int t, npio_err *e);
NPIOI_FUNC int ops_unary(int op, const npio_array *x, npio_array *out,
                         const npio_memhook *hook, npio_err *e);
/* np.where(c, x, y). */
NPIOI_FUNC int ops_where(const ops_arg *c, const ops_arg *x,
                         const ops_arg *y, npio_array *out,
                         const npio_memhook *hook, npio_err *e);
/* np.nan_to_num(x, nan=, posinf=, neginf=) (has_* 0: dtype's limits). */
NPIOI_FUNC int ops_nan_to_num(const npio_array *x, double nan, int has_pos,
                              double posinf, int has_neg, double neginf,
                              npio_array *out, const npio_memhook *hook,
                              npio_err *e);
/* np.isclose (out: bool array). */
NPIOI_FUNC int ops_isclose(const ops_arg *x, const ops_arg *y, double rtol,
                           double atol, int equal_nan, npio_array *out,
                           const npio_memhook *hook, npio_err *e);

/* }====================================================== */

/* {======================================================
** Reductions
** ======================================================= */

enum {
  OPS_R_SUM, OPS_R_PROD, OPS_R_MIN, OPS_R_MAX, OPS_R_ANY, OPS_R_ALL,
  OPS_R_MEAN, OPS_R_VAR, OPS_R_STD,
  OPS_R_NANSUM, OPS_R_NANPROD, OPS_R_NANMIN, OPS_R_NANMAX, OPS_R_NANMEAN,
  OPS_R_NANVAR, OPS_R_NANSTD, OPS_R_COUNT_NONZERO,
  OPS_NREDUCE
};

NPIOI_FUNC const char *ops_reduce_name(int rop);
/* Reduces 'x' over the axes flagged in 'axes' (ndim entries, 0/1) into
** 'out' (empty). With keepdims the reduced axes stay with length 1.
** 'ddof' is used by var/std. */
NPIOI_FUNC int ops_reduce(int rop, const npio_array *x, const char *axes,
                          int keepdims, int ddof, npio_array *out,
                          const npio_memhook *hook, npio_err *e);
/* argmin/argmax over one axis (axis < 0: of the flattened array). */
NPIOI_FUNC int ops_argreduce(int ismax, const npio_array *x, int axis,
                             int keepdims, npio_array *out,
                             const npio_memhook *hook, npio_err *e);
/* cumsum/cumprod along 'axis' (axis < 0: of the flattened array). */
NPIOI_FUNC int ops_cumulate(int isprod, const npio_array *x, int axis,
                            npio_array *out, const npio_memhook *hook,
                            npio_err *e);

/* }====================================================== */

/* {======================================================
** Sorting, joining, products (ops_shape.c)
** ======================================================= */

/* Sorts along 'axis' in place (a native copy is made by the caller if
** needed); NaNs last, stable. */
NPIOI_FUNC int ops_sort_inplace(npio_array *a, int axis, npio_err *e);
/* Stable argsort along 'axis' into 'out' (int64, 0-based). */
NPIOI_FUNC int ops_argsort(const npio_array *x, int axis, npio_array *out,
                           const npio_memhook *hook, npio_err *e);
/* Joins n arrays along 'axis' (they must match elsewhere) into 'out'
** (empty) of the promoted type. */
NPIOI_FUNC int ops_concatenate(int n, const npio_array *const *xs, int axis,
                               npio_array *out, const npio_memhook *hook,
                               npio_err *e);
/* np.dot / np.matmul for 1-D and 2-D operands. */
NPIOI_FUNC int ops_dot(const npio_array *x, const npio_array *y,
                       npio_array *out, const npio_memhook *hook,
                       npio_err *e);
/* Indices (0-based, int64, 1-D) of the nonzero elements of the
** flattened array, in C order. */
NPIOI_FUNC int ops_flatnonzero(const npio_array *x, npio_array *out,
                               const npio_memhook *hook, npio_err *e);
/* The number of nonzero elements of x. */
NPIOI_FUNC int ops_count_true(const npio_array *x, int64_t *count,
                              npio_err *e);
/* np.unique of the flattened array: sorted values, and optionally the
** first index of each (0-based), the inverse map and the counts (each
** an empty array to fill, or NULL). */
NPIOI_FUNC int ops_unique(const npio_array *x, npio_array *vals,
                          npio_array *index, npio_array *inverse,
                          npio_array *counts, const npio_memhook *hook,
                          npio_err *e);
/* x[mask] (mask: bool array matching x's leading axes) into 'out'
** (empty), keeping x's dtype. */
NPIOI_FUNC int ops_mask_select(const npio_array *x, const npio_array *mask,
                               npio_array *out, const npio_memhook *hook,
                               npio_err *e);
/* x[mask] = v: 'elem' is one element in x's dtype (bytes), or 'vals' an
** array of shape (count,) + x's trailing axes. */
NPIOI_FUNC int ops_mask_assign(npio_array *x, const npio_array *mask,
                               const char *elem, const npio_array *vals,
                               npio_err *e);

/* }====================================================== */

#endif
