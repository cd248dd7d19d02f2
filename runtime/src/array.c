/*
** array.c -- array memory (refcounted storage: heap, memory map or a
** host's buffer) and arrays as views over it.
*/
#include "npio_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* {======================================================
** Storage
** ======================================================= */

static void heap_release(void *ctx, void *data, size_t nbytes) {
  (void)ctx;
  if (nbytes >= NPIO_HUGE_ALLOC) munmap(data, nbytes);
  else free(data);
}

/*
** Large blocks come straight from mmap with MADV_HUGEPAGE: the kernel
** hands out zeroed 2 MiB pages, which makes filling a fresh buffer (a
** read() of a big .npy, say) about 3x faster than 4 KiB page faults.
*/
npio_storage *npio_storage_new(size_t nbytes, int zero,
                               const npio_memhook *hook, npio_err *e) {
  npio_storage *s;
  void *data;
  if (nbytes > (size_t)INT64_MAX) {
    npio_seterr(e, NPIO_ENOMEM, "array too large");
    return NULL;
  }
  if (nbytes == 0) hook = NULL;   /* nothing to charge; the hook may die first */
  if (hook && hook->charge && hook->charge(hook->ud, (int64_t)nbytes) != 0) {
    npio_seterr(e, NPIO_ENOMEM, "memory limit exceeded: cannot allocate "
                "%zu bytes for an array", nbytes);
    return NULL;
  }
  s = (npio_storage *)calloc(1, sizeof(*s));
  if (s == NULL) goto nomem;
  if (nbytes >= NPIO_HUGE_ALLOC) {
    data = mmap(NULL, nbytes, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) goto nomem;
#ifdef MADV_HUGEPAGE
    madvise(data, nbytes, MADV_HUGEPAGE);
#endif
  } else {
    data = zero ? calloc(1, nbytes ? nbytes : 1) : malloc(nbytes ? nbytes : 1);
    if (data == NULL) goto nomem;
  }
  s->data = data;
  s->nbytes = nbytes;
  s->refcount = 1;
  s->kind = NPIO_MEM_HEAP;
  s->release = heap_release;
  s->hook = hook;
  return s;
nomem:
  free(s);
  if (hook && hook->charge) hook->charge(hook->ud, -(int64_t)nbytes);
  npio_seterr(e, NPIO_ENOMEM, "out of memory allocating %zu bytes", nbytes);
  return NULL;
}

npio_storage *npio_storage_wrap(void *data, size_t nbytes, int readonly,
                                void (*release)(void *, void *, size_t),
                                void *ctx, npio_err *e) {
  npio_storage *s = (npio_storage *)calloc(1, sizeof(*s));
  if (s == NULL) {
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return NULL;
  }
  s->data = data;
  s->nbytes = nbytes;
  s->refcount = 1;
  s->kind = NPIO_MEM_FOREIGN;
  s->flags = readonly ? NPIO_STORAGE_READONLY : 0;
  s->release = release;
  s->ctx = ctx;
  return s;
}

npio_storage *npio_storage_ref(npio_storage *s) {
  if (s) s->refcount++;
  return s;
}

/* Gives the memory back once; the storage object itself stays. */
void npio_storage_close(npio_storage *s) {
  void *data;
  if (s == NULL || s->data == NULL) return;
  data = s->data;
  s->data = NULL;                 /* mark closed before releasing */
  if (s->release) {
    if (s->kind == NPIO_MEM_MMAP && s->map_base)
      s->release(s->ctx, s->map_base, s->map_len);
    else
      s->release(s->ctx, data, s->nbytes);
  }
  if (s->kind == NPIO_MEM_HEAP && s->hook && s->hook->charge)
    s->hook->charge(s->hook->ud, -(int64_t)s->nbytes);
}

void npio_storage_unref(npio_storage *s) {
  if (s == NULL || --s->refcount > 0) return;
  npio_storage_close(s);
  free(s);
}

/* }====================================================== */

/* {======================================================
** Arrays
** ======================================================= */

int npio_shape_size(int ndim, const int64_t *shape, int64_t *out,
                    npio_err *e) {
  int64_t n = 1;
  int i, zero = 0;
  if (ndim < 0 || ndim > NPIO_MAXDIMS)
    return npio_seterr(e, NPIO_EVALUE, "number of dimensions %d is out of "
                       "range (at most %d)", ndim, NPIO_MAXDIMS);
  for (i = 0; i < ndim; i++) {
    if (shape[i] < 0)
      return npio_seterr(e, NPIO_EVALUE, "negative dimensions are not "
                         "allowed");
    if (shape[i] == 0) zero = 1;
  }
  /* NumPy checks the product of the non-zero dimensions too. */
  for (i = 0; i < ndim; i++) {
    if (shape[i] == 0) continue;
    if (npio_mul_overflow(n, shape[i], &n))
      return npio_seterr(e, NPIO_EVALUE, "array is too big; the product of "
                         "the dimensions overflows");
  }
  *out = zero ? 0 : n;
  return NPIO_OK;
}

int npio_array_init(npio_array *a, npio_dtype *dtype, int ndim,
                    const int64_t *shape, int fortran, int zero,
                    const npio_memhook *hook, npio_err *e) {
  int64_t n, nbytes;
  int i;
  memset(a, 0, sizeof(*a));
  if (npio_shape_size(ndim, shape, &n, e) != NPIO_OK) return e ? e->code : NPIO_EVALUE;
  if (npio_mul_overflow(n, dtype->itemsize, &nbytes) ||
      nbytes > (int64_t)(SIZE_MAX / 2))
    return npio_seterr(e, NPIO_EVALUE, "array is too big: %lld elements of "
                       "%lld bytes", (long long)n, (long long)dtype->itemsize);
  a->storage = npio_storage_new((size_t)nbytes, zero, hook, e);
  if (a->storage == NULL) return e ? e->code : NPIO_ENOMEM;
  a->dtype = npio_dtype_ref(dtype);
  a->ndim = ndim;
  for (i = 0; i < ndim; i++) a->shape[i] = shape[i];
  npio_contiguous_strides(ndim, shape, dtype->itemsize, fortran, a->strides);
  return NPIO_OK;
}

/*
** Strides of a C- (or Fortran-) contiguous layout. Products are taken in
** unsigned arithmetic: they can only overflow for zero-size arrays (a
** shape like (0, 2**62)), whose strides are never used to address data.
*/
void npio_contiguous_strides(int ndim, const int64_t *shape, int64_t itemsize,
                             int fortran, int64_t *strides) {
  uint64_t stride = (uint64_t)itemsize;
  int k;
  for (k = 0; k < ndim; k++) {
    int i = fortran ? k : ndim - 1 - k;
    strides[i] = (int64_t)stride;
    stride *= (uint64_t)(shape[i] ? shape[i] : 1);
  }
}

void npio_array_view(npio_array *dst, const npio_array *src) {
  if (dst != src) *dst = *src;
  npio_storage_ref(dst->storage);
  npio_dtype_ref(dst->dtype);
}

void npio_array_release(npio_array *a) {
  npio_storage_unref(a->storage);
  npio_dtype_unref(a->dtype);
  memset(a, 0, sizeof(*a));
}

int64_t npio_array_size(const npio_array *a) {
  int64_t n = 1;
  int i;
  for (i = 0; i < a->ndim; i++) n *= a->shape[i];
  return n;
}

int64_t npio_array_nbytes(const npio_array *a) {
  return npio_array_size(a) * (a->dtype ? a->dtype->itemsize : 0);
}

int npio_array_is_c_contiguous(const npio_array *a) {
  int64_t stride = a->dtype->itemsize;
  int i;
  if (npio_array_size(a) == 0) return 1;
  for (i = a->ndim - 1; i >= 0; i--) {
    if (a->shape[i] != 1 && a->strides[i] != stride) return 0;
    stride *= a->shape[i];
  }
  return 1;
}

int npio_array_is_f_contiguous(const npio_array *a) {
  int64_t stride = a->dtype->itemsize;
  int i;
  if (npio_array_size(a) == 0) return 1;
  for (i = 0; i < a->ndim; i++) {
    if (a->shape[i] != 1 && a->strides[i] != stride) return 0;
    stride *= a->shape[i];
  }
  return 1;
}

char *npio_array_data(const npio_array *a, npio_err *e) {
  if (a->storage == NULL || a->storage->data == NULL) {
    npio_seterr(e, NPIO_ECLOSED, "the array's memory is closed");
    return NULL;
  }
  return (char *)a->storage->data + a->offset;
}

/*
** Calls fn(ud, dst_row, src_row, n) for every innermost row of two
** arrays of the same shape, walking the outer axes in C order. The
** last axis is the row. 0-d arrays give one row of one element.
*/
typedef void (*rowfn)(void *ud, char *d, int64_t ds, const char *s,
                      int64_t ss, int64_t n);

static void walk2(npio_array *dst, const npio_array *src, char *dp,
                  const char *sp, rowfn fn, void *ud) {
  int nd = src->ndim, i;
  int64_t idx[NPIO_MAXDIMS] = {0};
  int64_t rows = 1, r;
  if (nd == 0) { fn(ud, dp, 0, sp, 0, 1); return; }
  for (i = 0; i < nd - 1; i++) rows *= src->shape[i];
  if (rows == 0 || src->shape[nd - 1] == 0) return;
  for (r = 0; r < rows; r++) {
    char *d = dp;
    const char *s = sp;
    for (i = 0; i < nd - 1; i++) {
      d += idx[i] * dst->strides[i];
      s += idx[i] * src->strides[i];
    }
    fn(ud, d, dst->strides[nd - 1], s, src->strides[nd - 1],
       src->shape[nd - 1]);
    for (i = nd - 2; i >= 0; i--) {          /* odometer step */
      if (++idx[i] < src->shape[i]) break;
      idx[i] = 0;
    }
  }
}

typedef struct copyctx { int64_t size; int swap; } copyctx;

static void copyrow(void *ud, char *d, int64_t ds, const char *s,
                    int64_t ss, int64_t n) {
  const copyctx *c = (const copyctx *)ud;
  int64_t i;
  if (ds == c->size && ss == c->size) {
    if (c->swap) npio_swap_copy(d, s, n, c->size);
    else memmove(d, s, (size_t)(n * c->size));
    return;
  }
  for (i = 0; i < n; i++) {
    if (c->swap) npio_swap_copy(d + i * ds, s + i * ss, 1, c->size);
    else memmove(d + i * ds, s + i * ss, (size_t)c->size);
  }
}

int npio_array_copyto(npio_array *dst, const npio_array *src, npio_err *e) {
  copyctx c;
  char *dp;
  const char *sp;
  int i;
  if (dst->ndim != src->ndim)
    return npio_seterr(e, NPIO_EVALUE, "shape mismatch in copy");
  for (i = 0; i < src->ndim; i++)
    if (dst->shape[i] != src->shape[i])
      return npio_seterr(e, NPIO_EVALUE, "shape mismatch in copy");
  if (dst->storage && (dst->storage->flags & NPIO_STORAGE_READONLY))
    return npio_seterr(e, NPIO_EREADONLY, "assignment destination is "
                       "read-only");
  if ((dp = npio_array_data(dst, e)) == NULL) return NPIO_ECLOSED;
  if ((sp = npio_array_data(src, e)) == NULL) return NPIO_ECLOSED;
  c.size = src->dtype->itemsize;
  if (npio_dtype_equal(dst->dtype, src->dtype))
    c.swap = 0;
  else if (dst->dtype->nfields == 0 && src->dtype->nfields == 0 &&
           dst->dtype->base == NULL && src->dtype->base == NULL &&
           dst->dtype->kind == src->dtype->kind &&
           dst->dtype->itemsize == src->dtype->itemsize &&
           strcmp(dst->dtype->unit, src->dtype->unit) == 0) {
    c.swap = dst->dtype->order != src->dtype->order &&
             dst->dtype->order != '|' && src->dtype->order != '|';
    if (c.swap && src->dtype->kind == 'c') c.size /= 2;  /* swap halves */
    if (c.swap && src->dtype->kind == 'U') c.size = 4;
  } else
    return npio_seterr(e, NPIO_ETYPE, "copy between different dtypes");
  if (c.swap && npio_dtype_isnumeric(src->dtype))
    return npio_array_cast(dst, src, e);   /* convert.c's swap loops are faster */
  if (c.size != src->dtype->itemsize) {
    /* complex/unicode: each element is several words; copy elementwise */
    int64_t words = src->dtype->itemsize / c.size;
    npio_array d2 = *dst, s2 = *src;
    int nd = src->ndim;
    if (nd + 1 > NPIO_MAXDIMS)
      return npio_seterr(e, NPIO_EVALUE, "too many dimensions");
    d2.shape[nd] = s2.shape[nd] = words;
    d2.strides[nd] = s2.strides[nd] = c.size;
    d2.ndim = s2.ndim = nd + 1;
    walk2(&d2, &s2, dp, sp, copyrow, &c);
    return NPIO_OK;
  }
  walk2(dst, src, dp, sp, copyrow, &c);
  return NPIO_OK;
}

/*
** Visits the bytes of 'a' in C (or Fortran) order as large contiguous
** blocks: the whole buffer if the layout allows, else rows gathered into
** a 1 MiB staging buffer.
*/
int npio_array_foreach_block(const npio_array *a, int forder,
                             int (*fn)(void *ud, const char *p, size_t n),
                             void *ud, npio_err *e) {
  const char *base = npio_array_data(a, e);
  int64_t nbytes = npio_array_nbytes(a), isz = a->dtype->itemsize;
  npio_array v;
  int64_t idx[NPIO_MAXDIMS] = {0};
  int64_t total, k;
  char *stage;
  size_t cap, used = 0;
  int i, nd, st = NPIO_OK;
  if (base == NULL) return NPIO_ECLOSED;
  if (nbytes == 0) return NPIO_OK;
  if (forder ? npio_array_is_f_contiguous(a) : npio_array_is_c_contiguous(a))
    return fn(ud, base, (size_t)nbytes);
  /* a C-order walk of the axes reversed is a Fortran-order walk */
  v = *a;
  nd = a->ndim;
  if (forder)
    for (i = 0; i < nd; i++) {
      v.shape[i] = a->shape[nd - 1 - i];
      v.strides[i] = a->strides[nd - 1 - i];
    }
  cap = (size_t)1 << 20;
  if ((size_t)isz > cap) cap = (size_t)isz;
  stage = (char *)malloc(cap);
  if (stage == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  total = npio_array_size(a);
  for (k = 0; k < total && st == NPIO_OK; k++) {
    const char *p = base;
    for (i = 0; i < nd; i++) p += idx[i] * v.strides[i];
    if (used + (size_t)isz > cap) {
      st = fn(ud, stage, used);
      used = 0;
    }
    memcpy(stage + used, p, (size_t)isz);
    used += (size_t)isz;
    for (i = nd - 1; i >= 0; i--) {
      if (++idx[i] < v.shape[i]) break;
      idx[i] = 0;
    }
  }
  if (st == NPIO_OK && used) st = fn(ud, stage, used);
  free(stage);
  return st;
}

/* }====================================================== */
