/*
** test_ops.c -- the array engine's C core: type promotion (values from
** NumPy's promote_types table), float16 rounding, broadcasting and its
** message, the buffered path (big-endian, misaligned), NumPy's pairwise
** sum order, reductions over axes and a closed storage.
*/
#include <math.h>
#include <string.h>

#include "ops.h"
#include "testlib.h"

/* A fresh 1-D array of type t holding n values given as doubles. */
static void make(npio_array *a, int t, int64_t n, const double *v) {
  npio_err e;
  int64_t i;
  memset(a, 0, sizeof *a);
  CHECK(ops_alloc(a, t, 1, &n, 0, NULL, &e) == NPIO_OK);
  for (i = 0; i < n; i++)
    ops_cast_fn(OT_F64, t)((const char *)&v[i], 8,
                           ops_ptr(a) + i * ops_types[t].size, 8, 1);
}

static double at(const npio_array *a, int64_t i) {
  double d;
  int t = ops_type_of(a->dtype);
  ops_cast_fn(t, OT_F64)(ops_ptr(a) + i * a->strides[0], 8, (char *)&d, 8, 1);
  return d;
}

int main(void) {
  npio_err e;
  npio_array a, b, c, big;
  ops_arg x, y;
  int64_t n;
  memset(&e, 0, sizeof e);

  /* promote_types as NumPy 1.24 */
  CHECK_EQ_INT(ops_promote(OT_I8, OT_U8), OT_I16);
  CHECK_EQ_INT(ops_promote(OT_I64, OT_U64), OT_F64);
  CHECK_EQ_INT(ops_promote(OT_U32, OT_I32), OT_I64);
  CHECK_EQ_INT(ops_promote(OT_I16, OT_F16), OT_F32);
  CHECK_EQ_INT(ops_promote(OT_U8, OT_F16), OT_F16);
  CHECK_EQ_INT(ops_promote(OT_I64, OT_C64), OT_C128);
  CHECK_EQ_INT(ops_promote(OT_F64, OT_C64), OT_C128);
  CHECK_EQ_INT(ops_promote(OT_BOOL, OT_U16), OT_U16);
  {
    int t1[3] = {OT_I8, OT_U8, OT_F16}, t2[3] = {OT_I16, OT_U16, OT_F16};
    CHECK_EQ_INT(ops_promote_seq(3, t1), OT_F16);   /* not float32 */
    CHECK_EQ_INT(ops_promote_seq(3, t2), OT_F32);   /* not float64 */
  }

  /* float16: round to nearest even, overflow, subnormals */
  CHECK_EQ_INT(ops_f2h(1.0f), 0x3c00);
  CHECK_EQ_INT(ops_f2h(65504.0f), 0x7bff);
  CHECK_EQ_INT(ops_f2h(65520.0f), 0x7c00);      /* ties up to inf */
  CHECK_EQ_INT(ops_d2h(1.0 + 1.0 / 2048), 0x3c00);  /* tie to even */
  CHECK_EQ_INT(ops_d2h(1.0 + 3.0 / 2048), 0x3c02);
  CHECK_EQ_INT(ops_d2h(5.960464477539063e-08), 0x0001);
  CHECK_EQ_INT(ops_d2h(2.9802322387695312e-08), 0x0000);  /* half: even */
  CHECK(ops_h2f(0x0001) == 5.960464477539063e-08f);
  CHECK(ops_h2f(0xc000) == -2.0f);
  CHECK(isnan(ops_h2f(ops_d2h(NAN))));

  /* broadcasting and its error text */
  {
    int64_t s1[1] = {3}, s2[1] = {4}, s3[2] = {2, 1}, out[NPIO_MAXDIMS];
    CHECK_EQ_INT(ops_broadcast_shapes(2, s3, 1, s1, out, &e), 2);
    CHECK_EQ_INT(out[0], 2);
    CHECK_EQ_INT(out[1], 3);
    CHECK_EQ_INT(ops_broadcast_shapes(1, s1, 1, s2, out, &e), -1);
    CHECK_STR(e.msg, "operands could not be broadcast together with shapes "
                     "(3,) (4,)");
  }

  /* int8 + weak 300 is an error; + 1 wraps */
  {
    double v[2] = {127, -128};
    make(&a, OT_I8, 2, v);
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    x.a = &a;
    y.skind = 'i';
    y.i = 300;
    memset(&c, 0, sizeof c);
    CHECK(ops_binary(OPS_ADD, &x, &y, &c, NULL, &e) == NPIO_EVALUE);
    CHECK_STR(e.msg, "Lua integer 300 out of bounds for int8");
    CHECK(c.storage == NULL);
    y.i = 1;
    CHECK(ops_binary(OPS_ADD, &x, &y, &c, NULL, &e) == NPIO_OK);
    CHECK_STR(ops_types[ops_type_of(c.dtype)].name, "int8");
    CHECK(at(&c, 0) == -128 && at(&c, 1) == -127);
    npio_array_release(&c);
    npio_array_release(&a);
  }

  /* the buffered path: a big-endian, misaligned float64 view */
  {
    double v[5] = {1.5, -2.25, 3, 4, 1e10};
    npio_dtype *be;
    int i;
    n = 5 * 8 + 1;
    memset(&big, 0, sizeof big);
    CHECK(ops_alloc(&big, OT_U8, 1, &n, 0, NULL, &e) == NPIO_OK);
    for (i = 0; i < 5; i++) {   /* big-endian bytes at offset 1 */
      uint64_t u;
      int k;
      memcpy(&u, &v[i], 8);
      for (k = 0; k < 8; k++)
        ops_ptr(&big)[1 + i * 8 + k] = (char)(u >> (56 - 8 * k));
    }
    be = npio_dtype_parse(">f8", &e);
    CHECK(be != NULL);
    b = big;
    b.dtype = be;
    b.offset = 1;
    b.shape[0] = 5;
    b.strides[0] = 8;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    x.a = &b;
    y.skind = 'f';
    y.f = 2.0;
    memset(&c, 0, sizeof c);
    CHECK(ops_binary(OPS_MUL, &x, &y, &c, NULL, &e) == NPIO_OK);
    for (i = 0; i < 5; i++) CHECK(at(&c, i) == v[i] * 2);
    npio_array_release(&c);
    {
      char axes[1] = {1};
      CHECK(ops_reduce(OPS_R_SUM, &b, axes, 0, 0, &c, NULL, &e) == NPIO_OK);
      CHECK(at(&c, 0) == 1.5 - 2.25 + 3 + 4 + 1e10);   /* c is 0-d */
      npio_array_release(&c);
    }
    npio_dtype_unref(be);
    npio_array_release(&big);
  }

  /* pairwise summation differs from a plain loop (which gives 0 or 8):
  ** 6.0 is NumPy's np.sum of the same 9 values */
  {
    double v[9] = {1e16, 1, 1, 1, 1, 1, 1, 1, -1e16};
    char axes[1] = {1};
    make(&a, OT_F64, 9, v);
    memset(&c, 0, sizeof c);
    CHECK(ops_reduce(OPS_R_SUM, &a, axes, 0, 0, &c, NULL, &e) == NPIO_OK);
    CHECK(at(&c, 0) == 6.0);
    npio_array_release(&c);
    npio_array_release(&a);
  }

  /* mean/std over an axis of a 2-D array */
  {
    double v[6] = {1, 2, 3, 4, 5, 6};
    char ax0[2] = {1, 0};
    make(&a, OT_F64, 6, v);
    a.ndim = 2;
    a.shape[0] = 2; a.shape[1] = 3;
    a.strides[0] = 24; a.strides[1] = 8;
    memset(&c, 0, sizeof c);
    CHECK(ops_reduce(OPS_R_MEAN, &a, ax0, 0, 0, &c, NULL, &e) == NPIO_OK);
    CHECK(c.ndim == 1 && c.shape[0] == 3);
    CHECK(at(&c, 0) == 2.5 && at(&c, 2) == 4.5);
    npio_array_release(&c);
    CHECK(ops_reduce(OPS_R_STD, &a, ax0, 1, 0, &c, NULL, &e) == NPIO_OK);
    CHECK(c.ndim == 2 && c.shape[0] == 1 && c.shape[1] == 3);
    CHECK(((const double *)(void *)ops_ptr(&c))[1] == 1.5);
    npio_array_release(&c);
    /* a closed storage is refused */
    npio_storage_close(a.storage);
    CHECK(ops_reduce(OPS_R_SUM, &a, ax0, 0, 0, &c, NULL, &e) == NPIO_ECLOSED);
    CHECK(ops_unary(OPS_SQRT, &a, &c, NULL, &e) == NPIO_ECLOSED);
    npio_array_release(&a);
  }
  return test_report("ops");
}
