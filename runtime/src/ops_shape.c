/*
** ops_shape.c -- sorting (stable merge sorts, NaN last as NumPy),
** unique, concatenation, dot/matmul for 1-D and 2-D operands, and
** boolean masks (selection and assignment).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

#define CP(T, p) ((const T *)(const void *)(p))
#define MP(T, p) ((T *)(void *)(p))

/* {======================================================
** Sorting
** ======================================================= */

/* "a sorts before b": NaN after everything, as NumPy sorts */
#define LT_INT(a, b) ((a) < (b))
#define LT_FLT(a, b) ((a) < (b) || ((b) != (b) && (a) == (a)))
#define LT_HALF(a, b) LT_FLT(ops_h2f(a), ops_h2f(b))

/*
** Stable merge sort of v[0..n) using tmp[0..n) (values), and an
** indirect one sorting idx[0..n) by v[idx[]] (argsort).
*/
#define SORTK(N, T, LT) \
static void msort_##N(T *v, T *tmp, int64_t n) { \
  int64_t i, j, k, h; \
  if (n <= 16) { \
    for (i = 1; i < n; i++) { \
      T x = v[i]; \
      for (j = i; j > 0 && LT(x, v[j - 1]); j--) v[j] = v[j - 1]; \
      v[j] = x; \
    } \
    return; \
  } \
  h = n / 2; \
  msort_##N(v, tmp, h); \
  msort_##N(v + h, tmp, n - h); \
  if (!LT(v[h], v[h - 1])) return;    /* already in order */ \
  memcpy(tmp, v, (size_t)h * sizeof(T)); \
  i = 0; j = h; k = 0; \
  while (i < h && j < n) v[k++] = LT(v[j], tmp[i]) ? v[j++] : tmp[i++]; \
  while (i < h) v[k++] = tmp[i++]; \
} \
static void asort_##N(const T *v, int64_t *idx, int64_t *tmp, int64_t n) { \
  int64_t i, j, k, h; \
  if (n <= 16) { \
    for (i = 1; i < n; i++) { \
      int64_t x = idx[i]; \
      for (j = i; j > 0 && LT(v[x], v[idx[j - 1]]); j--) idx[j] = idx[j - 1]; \
      idx[j] = x; \
    } \
    return; \
  } \
  h = n / 2; \
  asort_##N(v, idx, tmp, h); \
  asort_##N(v, idx + h, tmp, n - h); \
  if (!LT(v[idx[h]], v[idx[h - 1]])) return; \
  memcpy(tmp, idx, (size_t)h * sizeof(int64_t)); \
  i = 0; j = h; k = 0; \
  while (i < h && j < n) \
    idx[k++] = LT(v[idx[j]], v[tmp[i]]) ? idx[j++] : tmp[i++]; \
  while (i < h) idx[k++] = tmp[i++]; \
}
SORTK(BOOL, uint8_t, LT_INT)
SORTK(I8, int8_t, LT_INT)
SORTK(U8, uint8_t, LT_INT)
SORTK(I16, int16_t, LT_INT)
SORTK(U16, uint16_t, LT_INT)
SORTK(I32, int32_t, LT_INT)
SORTK(U32, uint32_t, LT_INT)
SORTK(I64, int64_t, LT_INT)
SORTK(U64, uint64_t, LT_INT)
SORTK(F16, uint16_t, LT_HALF)
SORTK(F32, float, LT_FLT)
SORTK(F64, double, LT_FLT)

static void sort_line(int t, char *v, char *tmp, int64_t n) {
#define SC(N, T) case OT_##N: msort_##N(MP(T, v), MP(T, tmp), n); break;
  switch (t) {
    SC(BOOL, uint8_t) SC(I8, int8_t) SC(U8, uint8_t) SC(I16, int16_t)
    SC(U16, uint16_t) SC(I32, int32_t) SC(U32, uint32_t) SC(I64, int64_t)
    SC(U64, uint64_t) SC(F16, uint16_t) SC(F32, float) SC(F64, double)
  }
#undef SC
}

static void asort_line(int t, const char *v, int64_t *idx, int64_t *tmp,
                       int64_t n) {
#define SC(N, T) case OT_##N: asort_##N(CP(T, v), idx, tmp, n); break;
  switch (t) {
    SC(BOOL, uint8_t) SC(I8, int8_t) SC(U8, uint8_t) SC(I16, int16_t)
    SC(U16, uint16_t) SC(I32, int32_t) SC(U32, uint32_t) SC(I64, int64_t)
    SC(U64, uint64_t) SC(F16, uint16_t) SC(F32, float) SC(F64, double)
  }
#undef SC
}

/* Calls fn(ud, p) for the first element of every line along 'axis'. */
static void for_lines(const npio_array *a, char *base, int axis,
                      void (*fn)(void *ud, char *p), void *ud) {
  int64_t idx[NPIO_MAXDIMS];
  int nd = a->ndim, i;
  char *p = base;
  for (i = 0; i < nd; i++) {
    idx[i] = 0;
    if (a->shape[i] == 0) return;
  }
  for (;;) {
    fn(ud, p);
    for (i = nd - 1; i >= 0; i--) {
      if (i == axis) continue;
      if (++idx[i] < a->shape[i]) { p += a->strides[i]; break; }
      p -= a->strides[i] * (a->shape[i] - 1);
      idx[i] = 0;
    }
    if (i < 0) break;
  }
}

typedef struct linectx {
  int t;
  int64_t n, stride, sz;
  char *buf, *tmp;
  int64_t *idx, *itmp;
  char *out;           /* argsort: next output line */
  int64_t ostride;
  const npio_array *outa;
} linectx;

static void sort_one(void *ud, char *p) {
  linectx *c = (linectx *)ud;
  int64_t i;
  if (c->stride == c->sz) {
    sort_line(c->t, p, c->tmp, c->n);
    return;
  }
  for (i = 0; i < c->n; i++)
    memcpy(c->buf + i * c->sz, p + i * c->stride, (size_t)c->sz);
  sort_line(c->t, c->buf, c->tmp, c->n);
  for (i = 0; i < c->n; i++)
    memcpy(p + i * c->stride, c->buf + i * c->sz, (size_t)c->sz);
}

int ops_sort_inplace(npio_array *a, int axis, npio_err *e) {
  linectx c;
  char *base = npio_array_data(a, e);
  int t = ops_type_of(a->dtype);
  if (base == NULL) return e ? e->code : NPIO_ECLOSED;
  if (t < 0 || ops_iscomplex(t) || !npio_dtype_isnative(a->dtype))
    return npio_seterr(e, NPIO_ETYPE, "sort: not supported for this dtype");
  if (a->ndim == 0 || npio_array_size(a) == 0) return NPIO_OK;
  memset(&c, 0, sizeof c);
  c.t = t;
  c.n = a->shape[axis];
  c.stride = a->strides[axis];
  c.sz = ops_types[t].size;
  c.buf = malloc((size_t)(c.n * c.sz));
  c.tmp = malloc((size_t)(c.n * c.sz));
  if (c.buf == NULL || c.tmp == NULL) {
    free(c.buf);
    free(c.tmp);
    return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
  for_lines(a, base, axis, sort_one, &c);
  free(c.buf);
  free(c.tmp);
  return NPIO_OK;
}

/* argsort of one line of the contiguous copy 'p' (elements 'stride'
** apart) into the next output line */
static void asort_one(void *ud, char *p) {
  linectx *c = (linectx *)ud;
  int64_t i;
  const char *v = p;
  if (c->stride != c->sz) {
    for (i = 0; i < c->n; i++)
      memcpy(c->buf + i * c->sz, p + i * c->stride, (size_t)c->sz);
    v = c->buf;
  }
  for (i = 0; i < c->n; i++) c->idx[i] = i;
  asort_line(c->t, v, c->idx, c->itmp, c->n);
  for (i = 0; i < c->n; i++)
    *MP(int64_t, c->out + i * c->ostride) = c->idx[i];
}

int ops_argsort(const npio_array *x, int axis, npio_array *out,
                const npio_memhook *hook, npio_err *e) {
  int t = ops_type_of(x->dtype), ct, rc, i;
  npio_array c;
  linectx lc;
  int64_t idx[NPIO_MAXDIMS], lines, l;
  if (t < 0 || ops_iscomplex(t))
    return npio_seterr(e, NPIO_ETYPE, "argsort: not supported for this dtype");
  ct = t;
  memset(&c, 0, sizeof c);
  if ((rc = ops_contig(&c, x, ct, hook, e))) return rc;
  if ((rc = ops_alloc(out, OT_I64, x->ndim, x->shape, 0, hook, e))) {
    npio_array_release(&c);
    return rc;
  }
  if (x->ndim == 0 || npio_array_size(x) == 0) {
    if (x->ndim == 0) *MP(int64_t, ops_ptr(out)) = 0;
    npio_array_release(&c);
    return NPIO_OK;
  }
  memset(&lc, 0, sizeof lc);
  lc.t = ct;
  lc.n = x->shape[axis];
  lc.sz = ops_types[ct].size;
  lc.stride = c.strides[axis];
  lc.buf = malloc((size_t)(lc.n * lc.sz));
  lc.idx = malloc((size_t)lc.n * sizeof(int64_t));
  lc.itmp = malloc((size_t)lc.n * sizeof(int64_t));
  if (lc.buf == NULL || lc.idx == NULL || lc.itmp == NULL) {
    rc = npio_seterr(e, NPIO_ENOMEM, "out of memory");
    npio_array_release(out);
    goto done;
  }
  /* walk lines of the copy and of the output together (both C order) */
  lines = npio_array_size(x) / lc.n;
  for (i = 0; i < x->ndim; i++) idx[i] = 0;
  lc.ostride = out->strides[axis];
  for (l = 0; l < lines; l++) {
    int64_t off = 0, ooff = 0;
    for (i = 0; i < x->ndim; i++) {
      off += idx[i] * c.strides[i];
      ooff += idx[i] * out->strides[i];
    }
    lc.out = ops_ptr(out) + ooff;
    asort_one(&lc, ops_ptr(&c) + off);
    for (i = x->ndim - 1; i >= 0; i--) {
      if (i == axis) continue;
      if (++idx[i] < x->shape[i]) break;
      idx[i] = 0;
    }
  }
  rc = NPIO_OK;
done:
  free(lc.buf);
  free(lc.idx);
  free(lc.itmp);
  npio_array_release(&c);
  return rc;
}

/* }====================================================== */

/* {======================================================
** unique
** ======================================================= */

/* 1 if elements i and j of contiguous type-t data are equal (NaNs equal
** each other, as NumPy 1.24's equal_nan=True) */
static int elem_eq(int t, const char *v, int64_t i, int64_t j) {
  switch (t) {
    case OT_F64: {
      double a = CP(double, v)[i], b = CP(double, v)[j];
      return a == b || (a != a && b != b);
    }
    case OT_F32: {
      float a = CP(float, v)[i], b = CP(float, v)[j];
      return a == b || (a != a && b != b);
    }
    case OT_F16: {
      float a = ops_h2f(CP(uint16_t, v)[i]), b = ops_h2f(CP(uint16_t, v)[j]);
      return a == b || (a != a && b != b);
    }
    default: {
      int64_t sz = ops_types[t].size;
      return memcmp(v + i * sz, v + j * sz, (size_t)sz) == 0;
    }
  }
}

int ops_unique(const npio_array *x, npio_array *vals, npio_array *index,
               npio_array *inverse, npio_array *counts,
               const npio_memhook *hook, npio_err *e) {
  int t = ops_type_of(x->dtype), rc;
  npio_array c, flat, perm;
  int64_t n, i, k, nu = 0, sz;
  int64_t *pm = NULL, *first = NULL;
  memset(&c, 0, sizeof c);
  memset(&perm, 0, sizeof perm);
  if (t < 0 || ops_iscomplex(t))
    return npio_seterr(e, NPIO_ETYPE, "unique: not supported for this dtype");
  if ((rc = ops_contig(&c, x, t, hook, e))) return rc;
  n = npio_array_size(x);
  sz = ops_types[t].size;
  flat = c;
  flat.ndim = 1;
  flat.shape[0] = n;
  flat.strides[0] = sz;
  if ((rc = ops_argsort(&flat, 0, &perm, hook, e))) goto done;
  pm = MP(int64_t, ops_ptr(&perm));
  first = malloc((size_t)(n + 1) * sizeof(int64_t));
  if (first == NULL) {
    rc = npio_seterr(e, NPIO_ENOMEM, "out of memory");
    goto done;
  }
  /* first[k]: position in sorted order where unique value k starts */
  for (i = 0; i < n; i++)
    if (i == 0 || !elem_eq(t, ops_ptr(&c), pm[i], pm[i - 1]))
      first[nu++] = i;
  first[nu] = n;
  if ((rc = ops_alloc(vals, t, 1, &nu, 0, hook, e))) goto done;
  for (k = 0; k < nu; k++)
    memcpy(ops_ptr(vals) + k * sz, ops_ptr(&c) + pm[first[k]] * sz,
           (size_t)sz);
  if (index) {
    if ((rc = ops_alloc(index, OT_I64, 1, &nu, 0, hook, e))) goto done;
    for (k = 0; k < nu; k++)
      MP(int64_t, ops_ptr(index))[k] = pm[first[k]];
  }
  if (inverse) {
    if ((rc = ops_alloc(inverse, OT_I64, 1, &n, 0, hook, e))) goto done;
    for (k = 0; k < nu; k++)
      for (i = first[k]; i < first[k + 1]; i++)
        MP(int64_t, ops_ptr(inverse))[pm[i]] = k;
  }
  if (counts) {
    if ((rc = ops_alloc(counts, OT_I64, 1, &nu, 0, hook, e))) goto done;
    for (k = 0; k < nu; k++)
      MP(int64_t, ops_ptr(counts))[k] = first[k + 1] - first[k];
  }
done:
  free(first);
  npio_array_release(&perm);
  npio_array_release(&c);
  return rc;
}

/* }====================================================== */

/* {======================================================
** Joining
** ======================================================= */

/* result_type of the arrays' types (NumPy's sequence promotion). */
static int ops_promote_n(int n, const npio_array *const *xs) {
  int i, t, *ts;
  if (n <= 0) return -1;
  ts = malloc(sizeof(int) * (size_t)n);
  if (ts == NULL) return -1;
  for (i = 0; i < n; i++) ts[i] = ops_type_of(xs[i]->dtype);
  t = ops_promote_seq(n, ts);
  free(ts);
  return t;
}

int ops_concatenate(int n, const npio_array *const *xs, int axis,
                    npio_array *out, const npio_memhook *hook, npio_err *e) {
  int i, j, nd, rc, t = -1, numeric = 1;
  int64_t sh[NPIO_MAXDIMS], off = 0;
  if (n == 0)
    return npio_seterr(e, NPIO_EVALUE, "need at least one array to "
                       "concatenate");
  nd = xs[0]->ndim;
  if (nd == 0)
    return npio_seterr(e, NPIO_EVALUE, "zero-dimensional arrays cannot be "
                       "concatenated");
  for (i = 0; i < nd; i++) sh[i] = xs[0]->shape[i];
  sh[axis] = 0;
  for (i = 0; i < n; i++) {
    int ti = ops_type_of(xs[i]->dtype);
    if (xs[i]->ndim != nd)
      return npio_seterr(e, NPIO_EVALUE, "all the input arrays must have same "
                         "number of dimensions, but the array at index 0 has "
                         "%d dimension(s) and the array at index %d has %d "
                         "dimension(s)", nd, i, xs[i]->ndim);
    for (j = 0; j < nd; j++)
      if (j != axis && xs[i]->shape[j] != sh[j])
        return npio_seterr(e, NPIO_EVALUE, "all the input array dimensions "
                           "except for the concatenation axis must match "
                           "exactly, but along dimension %d, the array at "
                           "index 0 has size %lld and the array at index %d "
                           "has size %lld", j, (long long)sh[j], i,
                           (long long)xs[i]->shape[j]);
    if (npio_add_overflow(sh[axis], xs[i]->shape[axis], &sh[axis]))
      return npio_seterr(e, NPIO_EVALUE, "concatenate: too large");
    if (ti < 0) numeric = 0;
  }
  if (numeric && (t = ops_promote_n(n, xs)) < 0)
    return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  if (!numeric) {   /* strings, records: the dtypes must agree */
    for (i = 1; i < n; i++)
      if (!npio_dtype_equal(xs[i]->dtype, xs[0]->dtype))
        return npio_seterr(e, NPIO_ETYPE, "concatenate: arrays of different "
                           "non-numeric dtypes");
    rc = npio_array_init(out, xs[0]->dtype, nd, sh, 0, 0, hook, e);
  } else
    rc = ops_alloc(out, t, nd, sh, 0, hook, e);
  if (rc) return rc;
  for (i = 0; i < n; i++) {
    npio_array v = *out;
    v.shape[axis] = xs[i]->shape[axis];
    v.offset = out->offset + off * out->strides[axis];
    off += xs[i]->shape[axis];
    if (npio_array_size(&v) == 0) continue;
    rc = numeric ? ops_copy_cast(&v, xs[i], e)
                 : npio_array_copyto(&v, xs[i], e);
    if (rc) {
      npio_array_release(out);
      return rc;
    }
  }
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** dot / matmul
** ======================================================= */

/* C[m x p] = A[m x k] . B[k x p], all contiguous, i-k-j order */
#define GEMM(N, T, MUL, ADD, ZERO) \
static void gemm_##N(const T *A, const T *B, T *C, int64_t m, int64_t k, \
                     int64_t p) { \
  int64_t i, q, j; \
  for (i = 0; i < m * p; i++) C[i] = ZERO; \
  for (i = 0; i < m; i++) \
    for (q = 0; q < k; q++) { \
      const T a = A[i * k + q]; \
      const T *b = B + q * p; \
      T *c = C + i * p; \
      for (j = 0; j < p; j++) c[j] = ADD(c[j], MUL(a, b[j])); \
    } \
}
#define MULP(a, b) ((a) * (b))
#define ADDP(a, b) ((a) + (b))
#define MULU(a, b) ((uint64_t)(a) * (uint64_t)(b))
#define ADDU(a, b) ((uint64_t)(a) + (uint64_t)(b))
#define MULB(a, b) ((uint8_t)((a) && (b)))
#define ADDB(a, b) ((uint8_t)((a) || (b)))
static inline ops_c64 cm64(ops_c64 a, ops_c64 b) {
  ops_c64 r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  return r;
}
static inline ops_c64 ca64(ops_c64 a, ops_c64 b) {
  ops_c64 r = {a.re + b.re, a.im + b.im};
  return r;
}
static inline ops_c128 cm128(ops_c128 a, ops_c128 b) {
  ops_c128 r = {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  return r;
}
static inline ops_c128 ca128(ops_c128 a, ops_c128 b) {
  ops_c128 r = {a.re + b.re, a.im + b.im};
  return r;
}
static const ops_c64 CZ64 = {0, 0};
static const ops_c128 CZ128 = {0, 0};
GEMM(BOOL, uint8_t, MULB, ADDB, 0)
GEMM(I8, int8_t, MULU, ADDU, 0)
GEMM(U8, uint8_t, MULU, ADDU, 0)
GEMM(I16, int16_t, MULU, ADDU, 0)
GEMM(U16, uint16_t, MULU, ADDU, 0)
GEMM(I32, int32_t, MULU, ADDU, 0)
GEMM(U32, uint32_t, MULU, ADDU, 0)
GEMM(I64, int64_t, MULU, ADDU, 0)
GEMM(U64, uint64_t, MULU, ADDU, 0)
GEMM(F32, float, MULP, ADDP, 0)
GEMM(F64, double, MULP, ADDP, 0)
GEMM(C64, ops_c64, cm64, ca64, CZ64)
GEMM(C128, ops_c128, cm128, ca128, CZ128)

int ops_dot(const npio_array *x, const npio_array *y, npio_array *out,
            const npio_memhook *hook, npio_err *e) {
  int tx = ops_type_of(x->dtype), ty = ops_type_of(y->dtype), t, ct, rc;
  int64_t m, k, k2, p, sh[2];
  int nd = 0;
  npio_array a, b, c, xv = *x, yv = *y;
  if (tx < 0 || ty < 0)
    return npio_seterr(e, NPIO_ETYPE, "dot: not a numeric dtype");
  if (x->ndim < 1 || x->ndim > 2 || y->ndim < 1 || y->ndim > 2)
    return npio_seterr(e, NPIO_EVALUE, "dot: only 1-D and 2-D operands are "
                       "supported");
  /* view both as matrices: x (m, k), y (k, p) */
  if (x->ndim == 1) {
    xv.ndim = 2;
    xv.shape[0] = 1; xv.shape[1] = x->shape[0];
    xv.strides[0] = 0; xv.strides[1] = x->strides[0];
    m = 1;
  } else {
    m = x->shape[0];
    sh[nd++] = m;
  }
  k = xv.shape[1];
  if (y->ndim == 1) {
    yv.ndim = 2;
    yv.shape[0] = y->shape[0]; yv.shape[1] = 1;
    yv.strides[0] = y->strides[0]; yv.strides[1] = 0;
    p = 1;
  } else {
    p = y->shape[1];
    sh[nd++] = p;
  }
  k2 = yv.shape[0];
  if (k != k2) {
    char sx[64], sy[64];
    if (x->ndim == 1) snprintf(sx, sizeof sx, "(%lld,)", (long long)k);
    else snprintf(sx, sizeof sx, "(%lld,%lld)", (long long)m, (long long)k);
    if (y->ndim == 1) snprintf(sy, sizeof sy, "(%lld,)", (long long)k2);
    else snprintf(sy, sizeof sy, "(%lld,%lld)", (long long)k2, (long long)p);
    return npio_seterr(e, NPIO_EVALUE, "shapes %s and %s not aligned: %lld "
                       "(dim %d) != %lld (dim 0)", sx, sy, (long long)k,
                       x->ndim - 1, (long long)k2);
  }
  t = ops_promote(tx, ty);
  ct = t == OT_F16 ? OT_F32 : t;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  memset(&c, 0, sizeof c);
  if ((rc = ops_contig(&a, &xv, ct, hook, e))) return rc;
  if ((rc = ops_contig(&b, &yv, ct, hook, e))) goto done;
  if ((rc = ops_alloc(&c, ct, nd, sh, 0, hook, e))) goto done;
  {
    const char *pa = ops_ptr(&a), *pb = ops_ptr(&b);
    char *pc = ops_ptr(&c);
#define GC(N, T) case OT_##N: gemm_##N(CP(T, pa), CP(T, pb), MP(T, pc), m, k, \
                                       p); break;
    switch (ct) {
      GC(BOOL, uint8_t) GC(I8, int8_t) GC(U8, uint8_t) GC(I16, int16_t)
      GC(U16, uint16_t) GC(I32, int32_t) GC(U32, uint32_t) GC(I64, int64_t)
      GC(U64, uint64_t) GC(F32, float) GC(F64, double) GC(C64, ops_c64)
      GC(C128, ops_c128)
    }
#undef GC
  }
  if (ct != t) {
    if ((rc = ops_alloc(out, t, nd, sh, 0, hook, e))) goto done;
    if ((rc = ops_copy_cast(out, &c, e))) npio_array_release(out);
  } else {
    *out = c;
    memset(&c, 0, sizeof c);
  }
done:
  npio_array_release(&a);
  npio_array_release(&b);
  npio_array_release(&c);
  return rc;
}

/* }====================================================== */

/* {======================================================
** Nonzero and boolean masks
** ======================================================= */

int ops_flatnonzero(const npio_array *x, npio_array *out,
                    const npio_memhook *hook, npio_err *e) {
  npio_array c;
  int64_t n, cnt = 0, i, k = 0;
  const uint8_t *b;
  int rc;
  if (ops_type_of(x->dtype) < 0)
    return npio_seterr(e, NPIO_ETYPE, "nonzero: not a numeric dtype");
  memset(&c, 0, sizeof c);
  if ((rc = ops_contig(&c, x, OT_BOOL, hook, e))) return rc;
  n = npio_array_size(x);
  b = CP(uint8_t, ops_ptr(&c));
  for (i = 0; i < n; i++) cnt += b[i] != 0;
  if ((rc = ops_alloc(out, OT_I64, 1, &cnt, 0, hook, e))) goto done;
  for (i = 0; i < n; i++)
    if (b[i]) MP(int64_t, ops_ptr(out))[k++] = i;
done:
  npio_array_release(&c);
  return rc;
}

int ops_count_true(const npio_array *x, int64_t *count, npio_err *e) {
  npio_array c;
  int64_t n, i, cnt = 0;
  int rc;
  memset(&c, 0, sizeof c);
  if ((rc = ops_contig(&c, x, OT_BOOL, NULL, e))) return rc;
  n = npio_array_size(x);
  for (i = 0; i < n; i++) cnt += CP(uint8_t, ops_ptr(&c))[i] != 0;
  npio_array_release(&c);
  *count = cnt;
  return NPIO_OK;
}

/* Checks mask against x's leading axes (NumPy's messages). */
static int mask_check(const npio_array *x, const npio_array *mask,
                      npio_err *e) {
  int i;
  if (ops_type_of(mask->dtype) != OT_BOOL)
    return npio_seterr(e, NPIO_ETYPE, "mask must be a bool array");
  if (mask->ndim > x->ndim)
    return npio_seterr(e, NPIO_EVALUE, "too many indices for array: array "
                       "is %d-dimensional, but %d were indexed", x->ndim,
                       mask->ndim);
  for (i = 0; i < mask->ndim; i++)
    if (mask->shape[i] != x->shape[i])
      return npio_seterr(e, NPIO_EVALUE, "boolean index did not match "
                         "indexed array along dimension %d; dimension is "
                         "%lld but corresponding boolean dimension is %lld",
                         i, (long long)x->shape[i],
                         (long long)mask->shape[i]);
  return NPIO_OK;
}

/* Walks the true positions of 'mask' (C order), calling fn with the
** byte offset of x's sub-array there and the running count. */
static int mask_walk(const npio_array *x, const npio_array *mask,
                     int (*fn)(void *ud, int64_t off, int64_t k), void *ud,
                     const npio_memhook *hook, npio_err *e) {
  npio_array c;
  int64_t n, i, k = 0, idx[NPIO_MAXDIMS], off = 0;
  int rc, d, nd = mask->ndim;
  memset(&c, 0, sizeof c);
  if ((rc = ops_contig(&c, mask, OT_BOOL, hook, e))) return rc;
  n = npio_array_size(mask);
  for (d = 0; d < nd; d++) idx[d] = 0;
  for (i = 0; i < n; i++) {
    if (CP(uint8_t, ops_ptr(&c))[i]) {
      if ((rc = fn(ud, off, k++))) break;
    }
    for (d = nd - 1; d >= 0; d--) {
      if (++idx[d] < mask->shape[d]) { off += x->strides[d]; break; }
      off -= x->strides[d] * (mask->shape[d] - 1);
      idx[d] = 0;
    }
  }
  npio_array_release(&c);
  return rc;
}

typedef struct maskctx {
  const npio_array *x;
  npio_array sub;        /* x's trailing axes at offset 0 */
  npio_array dst;        /* output row view */
  int64_t rowbytes;
  const char *elem;      /* assignment: one element's bytes */
  npio_err *e;
} maskctx;

static int select_one(void *ud, int64_t off, int64_t k) {
  maskctx *m = (maskctx *)ud;
  npio_array s = m->sub, d = m->dst;
  s.offset += off;
  d.offset += k * m->rowbytes;
  if (s.ndim == 0) {
    memcpy(ops_ptr(&d), ops_ptr(&s), (size_t)s.dtype->itemsize);
    return NPIO_OK;
  }
  return npio_array_copyto(&d, &s, m->e);
}

int ops_mask_select(const npio_array *x, const npio_array *mask,
                    npio_array *out, const npio_memhook *hook, npio_err *e) {
  int64_t cnt, sh[NPIO_MAXDIMS];
  int rc, i, nd = 0;
  maskctx m;
  if ((rc = mask_check(x, mask, e))) return rc;
  if (npio_array_data(x, e) == NULL) return e ? e->code : NPIO_ECLOSED;
  if ((rc = ops_count_true(mask, &cnt, e))) return rc;
  sh[nd++] = cnt;
  for (i = mask->ndim; i < x->ndim; i++) sh[nd++] = x->shape[i];
  if ((rc = npio_array_init(out, x->dtype, nd, sh, 0, 0, hook, e))) return rc;
  memset(&m, 0, sizeof m);
  m.x = x;
  m.e = e;
  m.sub = *x;
  m.sub.ndim = x->ndim - mask->ndim;
  for (i = 0; i < m.sub.ndim; i++) {
    m.sub.shape[i] = x->shape[mask->ndim + i];
    m.sub.strides[i] = x->strides[mask->ndim + i];
  }
  m.dst = *out;
  m.dst.ndim = nd - 1;
  for (i = 0; i < nd - 1; i++) {
    m.dst.shape[i] = out->shape[i + 1];
    m.dst.strides[i] = out->strides[i + 1];
  }
  m.rowbytes = out->ndim > 0 && out->shape[0] > 0 ? out->strides[0] : 0;
  if (nd == 1) m.rowbytes = x->dtype->itemsize;
  if (cnt > 0 && npio_array_size(&m.sub) > 0 &&
      (rc = mask_walk(x, mask, select_one, &m, hook, e))) {
    npio_array_release(out);
    return rc;
  }
  return NPIO_OK;
}

/* x[mask] = one element (bytes of x's dtype) */
static void fill_sub(const npio_array *s, const char *elem) {
  int64_t idx[NPIO_MAXDIMS], sz = s->dtype->itemsize;
  int i;
  char *p = ops_ptr(s);
  for (i = 0; i < s->ndim; i++) {
    idx[i] = 0;
    if (s->shape[i] == 0) return;
  }
  for (;;) {
    memcpy(p, elem, (size_t)sz);
    for (i = s->ndim - 1; i >= 0; i--) {
      if (++idx[i] < s->shape[i]) { p += s->strides[i]; break; }
      p -= s->strides[i] * (s->shape[i] - 1);
      idx[i] = 0;
    }
    if (i < 0) break;
  }
}

static int assign_one(void *ud, int64_t off, int64_t k) {
  maskctx *m = (maskctx *)ud;
  npio_array s = m->sub;
  (void)k;
  s.offset += off;
  fill_sub(&s, m->elem);
  return NPIO_OK;
}

/* x[mask] = rows of values (shape (count,) + trailing) */
static int assign_rows(void *ud, int64_t off, int64_t k) {
  maskctx *m = (maskctx *)ud;
  npio_array s = m->sub, d = m->dst;
  s.offset += off;
  d.offset += k * m->rowbytes;
  if (ops_type_of(s.dtype) >= 0 && ops_type_of(d.dtype) >= 0)
    return ops_copy_cast(&s, &d, m->e);
  return npio_array_copyto(&s, &d, m->e);
}

int ops_mask_assign(npio_array *x, const npio_array *mask, const char *elem,
                    const npio_array *vals, npio_err *e) {
  int rc, i;
  maskctx m;
  int64_t cnt;
  if ((rc = mask_check(x, mask, e))) return rc;
  if (npio_array_data(x, e) == NULL) return e ? e->code : NPIO_ECLOSED;
  if (x->storage->flags & NPIO_STORAGE_READONLY)
    return npio_seterr(e, NPIO_EREADONLY, "assignment destination is "
                       "read-only");
  memset(&m, 0, sizeof m);
  m.x = x;
  m.e = e;
  m.elem = elem;
  m.sub = *x;
  m.sub.ndim = x->ndim - mask->ndim;
  for (i = 0; i < m.sub.ndim; i++) {
    m.sub.shape[i] = x->shape[mask->ndim + i];
    m.sub.strides[i] = x->strides[mask->ndim + i];
  }
  if (vals == NULL)
    return mask_walk(x, mask, assign_one, &m, NULL, e);
  if ((rc = ops_count_true(mask, &cnt, e))) return rc;
  if (vals->ndim != m.sub.ndim + 1 || vals->shape[0] != cnt)
    goto bad;
  for (i = 0; i < m.sub.ndim; i++)
    if (vals->shape[i + 1] != m.sub.shape[i]) goto bad;
  m.dst = *vals;
  m.dst.ndim = vals->ndim - 1;
  for (i = 0; i < m.dst.ndim; i++) {
    m.dst.shape[i] = vals->shape[i + 1];
    m.dst.strides[i] = vals->strides[i + 1];
  }
  m.rowbytes = vals->strides[0];
  return mask_walk(x, mask, assign_rows, &m, NULL, e);
bad:
  return npio_seterr(e, NPIO_EVALUE, "NumPy boolean array indexing "
                     "assignment cannot assign %lld input values to the %lld "
                     "output values where the mask is true",
                     (long long)npio_array_size(vals), (long long)cnt);
}

/* }====================================================== */
