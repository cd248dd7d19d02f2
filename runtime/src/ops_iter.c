/*
** ops_iter.c -- the N-d iterator of the array engine. It broadcasts
** operands over one shape, drops length-1 axes, merges axes that are
** contiguous for every operand, and calls a 1-D kernel on the innermost
** axis. Operands whose stored type, byte order or alignment differ from
** what the kernel wants go through a buffer, chunk by chunk.
*/
#include <stdlib.h>
#include <string.h>

#include "ops.h"

/* {======================================================
** Shapes and operands
** ======================================================= */

/* Appends "(3, 4)" NumPy-style ("(3,)" for 1-D) to buf. */
static void shape_str(char *buf, size_t cap, int nd, const int64_t *sh) {
  size_t len = strlen(buf);
  int i;
  len += (size_t)snprintf(buf + len, cap > len ? cap - len : 0, "(");
  for (i = 0; i < nd && len < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, i ? ",%lld" : "%lld",
                            (long long)sh[i]);
  if (len < cap)
    snprintf(buf + len, cap - len, nd == 1 ? ",)" : ")");
}

int ops_broadcast_shapes(int na, const int64_t *sa, int nb,
                         const int64_t *sb, int64_t *out, npio_err *e) {
  int nd = na > nb ? na : nb, i;
  int64_t res[NPIO_MAXDIMS];   /* 'out' may be 'sa' or 'sb' */
  for (i = 0; i < nd; i++) {
    int ia = na - nd + i, ib = nb - nd + i;
    int64_t da = ia >= 0 ? sa[ia] : 1, db = ib >= 0 ? sb[ib] : 1;
    if (da == db || db == 1) res[i] = da;
    else if (da == 1) res[i] = db;
    else {
      char msg[400] = "";
      shape_str(msg, sizeof msg, na, sa);
      strcat(msg, " ");
      shape_str(msg, sizeof msg, nb, sb);
      npio_seterr(e, NPIO_EVALUE,
                  "operands could not be broadcast together with shapes %s",
                  msg);
      return -1;
    }
  }
  memcpy(out, res, sizeof(int64_t) * (size_t)nd);
  return nd;
}

int ops_operand_set(ops_operand *op, const npio_array *a, int ndim,
                    const int64_t *shape, int ctype, npio_err *e) {
  int i, off = ndim - a->ndim;
  op->data = npio_array_data(a, e);
  if (op->data == NULL) return e ? e->code : NPIO_ECLOSED;
  op->type = ops_type_of(a->dtype);
  op->ctype = ctype;
  op->swap = !npio_dtype_isnative(a->dtype);
  for (i = 0; i < ndim; i++) {
    if (i < off) op->strides[i] = 0;
    else {
      int64_t d = a->shape[i - off];
      op->strides[i] = d == 1 ? 0 : a->strides[i - off];
    }
  }
  return NPIO_OK;
}

int ops_alloc(npio_array *out, int t, int ndim, const int64_t *shape,
              int forder, const npio_memhook *hook, npio_err *e) {
  npio_dtype *d = ops_dtype(t);
  int rc;
  if (d == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  rc = npio_array_init(out, d, ndim, shape, forder, 0, hook, e);
  npio_dtype_unref(d);
  return rc;
}

/* }====================================================== */

/* {======================================================
** Buffered conversion
** ======================================================= */

/* alignment a type's kernels rely on */
static int64_t type_align(int t) {
  int s = ops_types[t].size;
  return ops_iscomplex(t) ? s / 2 : s;
}

/*
** Reads n elements of stored type 't' (byte order 'swap', any
** alignment) at p with stride s into the contiguous native buffer 'dst'
** of type 'ct', using 'tmp' (n * itemsize bytes) when two steps are
** needed.
*/
static void load_chunk(const char *p, int64_t s, int t, int swap, int ct,
                       char *dst, char *tmp, int64_t n) {
  int64_t sz = ops_types[t].size, al = type_align(t), i;
  int direct = !swap && ((uintptr_t)p % (uintptr_t)al) == 0 && s % al == 0;
  if (direct) {
    ops_cast_fn(t, ct)(p, s, dst, ops_types[ct].size, n);
    return;
  }
  {
    char *stage = t == ct ? dst : tmp;
    for (i = 0; i < n; i++) memcpy(stage + i * sz, p + i * s, (size_t)sz);
    if (swap) {
      if (ops_iscomplex(t)) npio_swap_inplace(stage, 2 * n, sz / 2);
      else npio_swap_inplace(stage, n, sz);
    }
    if (t != ct) ops_cast_fn(t, ct)(stage, sz, dst, ops_types[ct].size, n);
  }
}

/* The reverse of load_chunk: n elements of type 'ct' in 'src' stored to
** p (stride s) as type 't'. May clobber 'src'. */
static void store_chunk(char *p, int64_t s, int t, int swap, int ct,
                        char *src, char *tmp, int64_t n) {
  int64_t sz = ops_types[t].size, al = type_align(t), i;
  int direct = !swap && ((uintptr_t)p % (uintptr_t)al) == 0 && s % al == 0;
  if (direct) {
    ops_cast_fn(ct, t)(src, ops_types[ct].size, p, s, n);
    return;
  }
  {
    char *stage = t == ct ? src : tmp;
    if (t != ct) ops_cast_fn(ct, t)(src, ops_types[ct].size, stage, sz, n);
    if (swap) {
      if (ops_iscomplex(t)) npio_swap_inplace(stage, 2 * n, sz / 2);
      else npio_swap_inplace(stage, n, sz);
    }
    for (i = 0; i < n; i++) memcpy(p + i * s, stage + i * sz, (size_t)sz);
  }
}

/* 1 if operand 'op' must go through a buffer over these axes. */
static int needs_buffer(const ops_operand *op, int nd) {
  int64_t al = type_align(op->type);
  int i;
  if (op->type != op->ctype || op->swap) return 1;
  if ((uintptr_t)op->data % (uintptr_t)al) return 1;
  for (i = 0; i < nd; i++)
    if (op->strides[i] % al) return 1;
  return 0;
}

/* }====================================================== */

/* {======================================================
** The iteration
** ======================================================= */

typedef struct iterstate {
  int nop, nin, nd;            /* nd axes, axis 0 innermost */
  int64_t shape[NPIO_MAXDIMS];
  int64_t st[OPS_MAXOP][NPIO_MAXDIMS];
  char *ptr[OPS_MAXOP];
} iterstate;

/*
** Reorders the axes innermost first (C order reversed, or Fortran
** order), drops length-1 axes and merges neighbours that are contiguous
** for every operand.
*/
static void iter_setup(iterstate *it, int nop, ops_operand *op, int ndim,
                       const int64_t *shape, int forder) {
  int i, k, nd = 0;
  it->nop = nop;
  for (k = 0; k < nop; k++) it->ptr[k] = op[k].data;
  for (i = 0; i < ndim; i++) {
    int ax = forder ? i : ndim - 1 - i;
    if (shape[ax] == 1) continue;
    it->shape[nd] = shape[ax];
    for (k = 0; k < nop; k++) it->st[k][nd] = op[k].strides[ax];
    nd++;
  }
  /* merge axis j+1 into the current outermost merged axis when
     stride[outer] == shape[inner] * stride[inner] for all operands */
  if (nd > 1) {
    int cur = 0;
    for (i = 1; i < nd; i++) {
      int ok = 1;
      for (k = 0; k < nop && ok; k++)
        ok = it->st[k][i] == it->st[k][cur] * it->shape[cur];
      if (ok) it->shape[cur] *= it->shape[i];
      else {
        cur++;
        it->shape[cur] = it->shape[i];
        for (k = 0; k < nop; k++) it->st[k][cur] = it->st[k][i];
      }
    }
    nd = cur + 1;
  }
  if (nd == 0) {   /* a single element */
    it->shape[0] = 1;
    for (k = 0; k < nop; k++) it->st[k][0] = 0;
    nd = 1;
  }
  it->nd = nd;
}

int ops_iterate(int nin, int nout, ops_operand *op, int ndim,
                const int64_t *shape, int forder, ops_kernel k, void *ctx,
                npio_err *e) {
  iterstate it;
  int nop = nin + nout, i, j, buffered = 0;
  int needbuf[OPS_MAXOP], isconst[OPS_MAXOP];
  char *bufs[OPS_MAXOP], *tmp = NULL, *scal = NULL;
  int64_t idx[NPIO_MAXDIMS], inner_s[OPS_MAXOP];
  char *p[OPS_MAXOP];
  for (i = 0; i < ndim; i++)
    if (shape[i] == 0) return NPIO_OK;
  iter_setup(&it, nop, op, ndim, shape, forder);
  memset(bufs, 0, sizeof bufs);
  for (j = 0; j < nop; j++) {
    ops_operand o = op[j];
    memcpy(o.strides, it.st[j], sizeof(int64_t) * (size_t)it.nd);
    needbuf[j] = needs_buffer(&o, it.nd);
    isconst[j] = 0;
    if (needbuf[j] && j < nin) {   /* an input constant everywhere? */
      int c = 1;
      for (i = 0; i < it.nd; i++) c = c && it.st[j][i] == 0;
      isconst[j] = c;
    }
    if (needbuf[j] && !isconst[j]) buffered = 1;
  }
  /* constant inputs are converted once */
  for (j = 0; j < nin; j++) {
    if (!isconst[j]) continue;
    if (scal == NULL && (scal = malloc(64 * OPS_MAXOP)) == NULL)
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    {
      char t1[16];
      load_chunk(it.ptr[j], 0, op[j].type, op[j].swap, op[j].ctype,
                 scal + 64 * j, t1, 1);
    }
    it.ptr[j] = scal + 64 * j;
    needbuf[j] = 0;
  }
  if (buffered) {
    tmp = malloc((size_t)OPS_BUFSIZE * 16);
    if (tmp == NULL) goto nomem;
    for (j = 0; j < nop; j++)
      if (needbuf[j] &&
          (bufs[j] = malloc((size_t)OPS_BUFSIZE * 16)) == NULL)
        goto nomem;
  }
  for (i = 0; i < it.nd; i++) idx[i] = 0;
  for (j = 0; j < nop; j++) p[j] = it.ptr[j];
  for (;;) {
    int64_t n = it.shape[0];
    if (!buffered) {
      for (j = 0; j < nop; j++) inner_s[j] = it.st[j][0];
      k(p, inner_s, n, ctx);
    } else {
      int64_t done = 0;
      while (done < n) {
        int64_t c = n - done < OPS_BUFSIZE ? n - done : OPS_BUFSIZE;
        char *q[OPS_MAXOP];
        for (j = 0; j < nop; j++) {
          char *at = p[j] + done * it.st[j][0];
          if (!needbuf[j]) {
            q[j] = at;
            inner_s[j] = it.st[j][0];
          } else {
            q[j] = bufs[j];
            inner_s[j] = ops_types[op[j].ctype].size;
            if (j < nin)
              load_chunk(at, it.st[j][0], op[j].type, op[j].swap,
                         op[j].ctype, bufs[j], tmp, c);
          }
        }
        k(q, inner_s, c, ctx);
        for (j = nin; j < nop; j++)
          if (needbuf[j])
            store_chunk(p[j] + done * it.st[j][0], it.st[j][0], op[j].type,
                        op[j].swap, op[j].ctype, bufs[j], tmp, c);
        done += c;
      }
    }
    /* advance the outer index */
    for (i = 1; i < it.nd; i++) {
      if (++idx[i] < it.shape[i]) {
        for (j = 0; j < nop; j++) p[j] += it.st[j][i];
        break;
      }
      for (j = 0; j < nop; j++) p[j] -= it.st[j][i] * (it.shape[i] - 1);
      idx[i] = 0;
    }
    if (i >= it.nd) break;
  }
  for (j = 0; j < nop; j++) free(bufs[j]);
  free(tmp);
  free(scal);
  return NPIO_OK;
nomem:
  for (j = 0; j < nop; j++) free(bufs[j]);
  free(tmp);
  free(scal);
  return npio_seterr(e, NPIO_ENOMEM, "out of memory");
}

/* }====================================================== */

/* {======================================================
** Copies
** ======================================================= */

static void copy_kernel(char **p, const int64_t *s, int64_t n, void *ctx) {
  int64_t sz = *(const int64_t *)ctx, i;
  if (s[0] == sz && s[1] == sz) {
    memcpy(p[1], p[0], (size_t)(n * sz));
    return;
  }
  for (i = 0; i < n; i++) memcpy(p[1] + i * s[1], p[0] + i * s[0], (size_t)sz);
}

int ops_copy_cast(npio_array *dst, const npio_array *src, npio_err *e) {
  ops_operand op[2];
  int td = ops_type_of(dst->dtype), ts = ops_type_of(src->dtype), rc;
  int64_t sz;
  if (td < 0 || ts < 0)
    return npio_seterr(e, NPIO_ETYPE, "copy: not a numeric dtype");
  if ((rc = ops_operand_set(&op[0], src, dst->ndim, dst->shape, td, e)) ||
      (rc = ops_operand_set(&op[1], dst, dst->ndim, dst->shape, td, e)))
    return rc;
  sz = ops_types[td].size;
  return ops_iterate(1, 1, op, dst->ndim, dst->shape,
                     !npio_array_is_c_contiguous(dst) &&
                         npio_array_is_f_contiguous(dst),
                     copy_kernel, &sz, e);
}

int ops_contig(npio_array *out, const npio_array *src, int t,
               const npio_memhook *hook, npio_err *e) {
  int rc;
  int64_t al = type_align(t);
  char *p = npio_array_data(src, e);
  if (p == NULL) return e ? e->code : NPIO_ECLOSED;
  if (ops_type_of(src->dtype) == t && npio_dtype_isnative(src->dtype) &&
      npio_array_is_c_contiguous(src) && (uintptr_t)p % (uintptr_t)al == 0) {
    npio_array_view(out, src);
    return NPIO_OK;
  }
  if ((rc = ops_alloc(out, t, src->ndim, src->shape, 0, hook, e))) return rc;
  if ((rc = ops_copy_cast(out, src, e))) npio_array_release(out);
  return rc;
}

/* }====================================================== */
