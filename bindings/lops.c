/*
** lops.c -- Lua bindings of the array engine: arithmetic metamethods
** (+ - * / // % ^ and unary -), ufunc-like functions (np.add, np.sqrt,
** np.equal, ...), reductions as functions and methods, sorting, joining,
** products, np.where/clip/isclose, and boolean-mask indexing.
**
** Lua numbers are weak scalars (NEP 50): they take the array's type.
** Axes and returned indices are 1-based here and 0-based in the core.
** A result with no dimensions comes back as a Lua value, as NumPy's
** ufuncs and reductions give scalars.
*/
#include <math.h>
#include <string.h>

#include "lnpio.h"
#include "ops.h"

/* {======================================================
** Arguments and results
** ======================================================= */

/*
** Reads argument 'idx' as an engine argument: arrays as they are,
** numbers and booleans as weak scalars, tables converted to arrays (the
** new array replaces the table on the stack, so it stays alive). Raises
** on anything else and on a closed memory map.
*/
static void checkarg(lua_State *L, int idx, ops_arg *a, const char *fn) {
  npio_array *arr;
  memset(a, 0, sizeof *a);
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        a->skind = 'i';
        a->i = lua_tointeger(L, idx);
        a->f = (double)a->i;
      } else {
        a->skind = 'f';
        a->f = lua_tonumber(L, idx);
      }
      return;
    case LUA_TBOOLEAN:
      a->skind = 'b';
      a->i = lua_toboolean(L, idx);
      return;
    case LUA_TUSERDATA:
      if ((arr = lnp_toarray(L, idx)) != NULL) {
        lnp_data(L, arr);
        a->a = arr;
        return;
      }
      break;
    case LUA_TTABLE:
      arr = lnp_asarray(L, idx, NULL);
      lua_replace(L, idx);
      lnp_data(L, arr);
      a->a = arr;
      return;
    default: break;
  }
  luaL_error(L, "%s: expected an array or a number, got %s", fn,
             luaL_typename(L, idx));
}

/* An array argument (tables and numbers converted to arrays). */
static npio_array *checkarr(lua_State *L, int idx, const char *fn) {
  npio_array *a = lnp_toarray(L, idx);
  if (a == NULL) {
    if (lua_type(L, idx) != LUA_TTABLE && lua_type(L, idx) != LUA_TNUMBER &&
        lua_type(L, idx) != LUA_TBOOLEAN)
      luaL_error(L, "%s: expected an array, got %s", fn,
                 luaL_typename(L, idx));
    a = lnp_asarray(L, idx, NULL);
    lua_replace(L, idx);
  }
  lnp_data(L, a);
  return a;
}

/*
** Pushes element 'p' of dtype 'd' as a Lua value: numeric types here
** (any byte order; uint64 as the wrapped integer, float16 as a float,
** complex as {re, im}), others through lnp_pushscalar.
*/
static void push_elem(lua_State *L, const npio_dtype *d, const char *p) {
  int t = ops_type_of(d);
  char raw[16], v[16];
  if (t < 0) {
    lnp_pushscalar(L, d, p);
    return;
  }
  memcpy(raw, p, (size_t)ops_types[t].size);
  if (!npio_dtype_isnative(d)) {
    if (ops_iscomplex(t)) npio_swap_inplace(raw, 2, ops_types[t].size / 2);
    else npio_swap_inplace(raw, 1, ops_types[t].size);
  }
  if (t == OT_BOOL)
    lua_pushboolean(L, raw[0] != 0);
  else if (ops_isint(t)) {
    int64_t i;
    ops_cast_fn(t, t == OT_U64 ? OT_U64 : OT_I64)(raw, 8, v, 8, 1);
    memcpy(&i, v, 8);
    lua_pushinteger(L, (lua_Integer)i);
  } else if (ops_iscomplex(t)) {
    double c[2];
    ops_cast_fn(t, OT_C128)(raw, 16, (char *)c, 16, 1);
    lua_createtable(L, 2, 0);
    lua_pushnumber(L, c[0]);
    lua_rawseti(L, -2, 1);
    lua_pushnumber(L, c[1]);
    lua_rawseti(L, -2, 2);
  } else {
    double f;
    ops_cast_fn(t, OT_F64)(raw, 8, (char *)&f, 8, 1);
    lua_pushnumber(L, f);
  }
}

/*
** Stores the Lua number/boolean at 'idx' into element 'p' of numeric
** dtype 'd' (NumPy's assignment: floats into integers truncate, NaN
** into an integer is an error); other values through lnp_setscalar.
*/
static void set_elem(lua_State *L, int idx, const npio_dtype *d, char *p) {
  int t = ops_type_of(d), src;
  char v[16];
  if (t < 0 || !(lua_type(L, idx) == LUA_TNUMBER ||
                 lua_type(L, idx) == LUA_TBOOLEAN)) {
    lnp_setscalar(L, idx, d, p);
    return;
  }
  if (lua_isinteger(L, idx)) {
    int64_t i = lua_tointeger(L, idx);
    memcpy(v, &i, 8);
    src = OT_I64;
  } else if (lua_isboolean(L, idx)) {
    v[0] = (char)lua_toboolean(L, idx);
    src = OT_BOOL;
  } else {
    double f = lua_tonumber(L, idx);
    if (!isfinite(f) && (ops_isint(t) || t == OT_BOOL) && f != f)
      luaL_error(L, "npio: cannot convert float NaN to integer");
    memcpy(v, &f, 8);
    src = OT_F64;
  }
  ops_cast_fn(src, t)(v, 16, p, 16, 1);
  if (!npio_dtype_isnative(d)) {
    if (ops_iscomplex(t)) npio_swap_inplace(p, 2, ops_types[t].size / 2);
    else npio_swap_inplace(p, 1, ops_types[t].size);
  }
}

static int isscalar(lua_State *L, int idx) {
  int t = lua_type(L, idx);
  return t == LUA_TNUMBER || t == LUA_TBOOLEAN;
}

/* Leaves the result on the top: a Lua value for a 0-d array (replacing
** it), the array otherwise. */
static int result(lua_State *L, npio_array *out) {
  if (out->ndim == 0) {
    push_elem(L, out->dtype, ops_ptr(out));
    lua_remove(L, -2);
  }
  return 1;
}

static void check(lua_State *L, int rc, const char *fn, const npio_err *e) {
  if (rc != NPIO_OK) lnp_error(L, fn, NULL, e);
}

/* Adds 1 to every element of a fresh int64 array (0-based -> 1-based). */
static void plus_one(npio_array *a) {
  int64_t n = npio_array_size(a), i;
  int64_t *p = (int64_t *)(void *)ops_ptr(a);
  for (i = 0; i < n; i++) p[i]++;
}

/* }====================================================== */

/* {======================================================
** Elementwise functions and operators
** ======================================================= */

/* upvalues: op code, function name */
static int l_binary(lua_State *L) {
  int op = (int)lua_tointeger(L, lua_upvalueindex(1));
  const char *fn = lua_tostring(L, lua_upvalueindex(2));
  ops_arg x, y;
  npio_err e = {0};
  npio_array *out;
  lua_settop(L, 2);
  checkarg(L, 1, &x, fn);
  checkarg(L, 2, &y, fn);
  out = lnp_newarray(L);
  check(L, ops_binary(op, &x, &y, out, lnp_memhook(L), &e), fn, &e);
  return result(L, out);
}

static int l_unary(lua_State *L) {
  int op = (int)lua_tointeger(L, lua_upvalueindex(1));
  const char *fn = lua_tostring(L, lua_upvalueindex(2));
  npio_array *x, *out;
  npio_err e = {0};
  lua_settop(L, 1);
  x = checkarr(L, 1, fn);
  out = lnp_newarray(L);
  check(L, ops_unary(op, x, out, lnp_memhook(L), &e), fn, &e);
  return result(L, out);
}

static const struct { const char *name; int op; } binary_funcs[] = {
  {"add", OPS_ADD}, {"subtract", OPS_SUB}, {"multiply", OPS_MUL},
  {"divide", OPS_TDIV}, {"true_divide", OPS_TDIV},
  {"floor_divide", OPS_FDIV}, {"remainder", OPS_MOD}, {"mod", OPS_MOD},
  {"power", OPS_POW}, {"minimum", OPS_MIN}, {"maximum", OPS_MAX},
  {"fmin", OPS_FMIN}, {"fmax", OPS_FMAX}, {"equal", OPS_EQ},
  {"not_equal", OPS_NE}, {"less", OPS_LT}, {"less_equal", OPS_LE},
  {"greater", OPS_GT}, {"greater_equal", OPS_GE},
  {"logical_and", OPS_LAND}, {"logical_or", OPS_LOR},
  {"logical_xor", OPS_LXOR}, {NULL, 0}
};

static const struct { const char *name; int op; } unary_funcs[] = {
  {"negative", OPS_NEG}, {"abs", OPS_ABS}, {"absolute", OPS_ABS},
  {"sign", OPS_SIGN}, {"square", OPS_SQUARE}, {"sqrt", OPS_SQRT},
  {"exp", OPS_EXP}, {"log", OPS_LOG}, {"log1p", OPS_LOG1P},
  {"expm1", OPS_EXPM1}, {"sin", OPS_SIN}, {"cos", OPS_COS},
  {"tan", OPS_TAN}, {"tanh", OPS_TANH}, {"log10", OPS_LOG10},
  {"log2", OPS_LOG2}, {"floor", OPS_FLOOR}, {"ceil", OPS_CEIL},
  {"rint", OPS_RINT}, {"trunc", OPS_TRUNC}, {"isnan", OPS_ISNAN},
  {"isinf", OPS_ISINF}, {"isfinite", OPS_ISFINITE},
  {"logical_not", OPS_LNOT}, {NULL, 0}
};

/* Comparison methods a:eq(b) ... */
static const struct { const char *name; int op; } cmp_methods[] = {
  {"eq", OPS_EQ}, {"ne", OPS_NE}, {"lt", OPS_LT}, {"le", OPS_LE},
  {"gt", OPS_GT}, {"ge", OPS_GE}, {NULL, 0}
};

/* Metamethods: the operator and the ufunc named in messages. */
static const struct { const char *event; int op; const char *fn; }
    arith_meta[] = {
  {"__add", OPS_ADD, "npio.add"}, {"__sub", OPS_SUB, "npio.subtract"},
  {"__mul", OPS_MUL, "npio.multiply"}, {"__div", OPS_TDIV, "npio.divide"},
  {"__idiv", OPS_FDIV, "npio.floor_divide"},
  {"__mod", OPS_MOD, "npio.remainder"}, {"__pow", OPS_POW, "npio.power"},
  {NULL, 0, NULL}
};

/* np.where(cond, x, y) / np.where(cond) (= nonzero) */
static int l_nonzero(lua_State *L);

static int l_where(lua_State *L) {
  ops_arg c, x, y;
  npio_err e = {0};
  npio_array *out;
  if (lua_gettop(L) == 1) return l_nonzero(L);
  lua_settop(L, 3);
  checkarg(L, 1, &c, "npio.where");
  checkarg(L, 2, &x, "npio.where");
  checkarg(L, 3, &y, "npio.where");
  out = lnp_newarray(L);
  check(L, ops_where(&c, &x, &y, out, lnp_memhook(L), &e), "npio.where", &e);
  return result(L, out);
}

/* np.clip(a, lo, hi): maximum then minimum; nil or false skips a bound */
static int l_clip(lua_State *L) {
  ops_arg x, b;
  npio_err e = {0};
  npio_array *out;
  int i;
  lua_settop(L, 3);
  if (lua_isnoneornil(L, 2) && lua_isnoneornil(L, 3))
    return luaL_error(L, "npio.clip: one of max or min must be given");
  checkarg(L, 1, &x, "npio.clip");
  for (i = 2; i <= 3; i++) {
    if (lua_isnil(L, i) || (lua_isboolean(L, i) && !lua_toboolean(L, i)))
      continue;
    checkarg(L, i, &b, "npio.clip");
    out = lnp_newarray(L);
    check(L, ops_binary(i == 2 ? OPS_MAX : OPS_MIN, &x, &b, out,
                        lnp_memhook(L), &e), "npio.clip", &e);
    lua_replace(L, 1);
    memset(&x, 0, sizeof x);
    x.a = lnp_toarray(L, 1);
  }
  lua_settop(L, 1);
  if (x.a == NULL) return 1;
  return result(L, (npio_array *)x.a);
}

/* np.nan_to_num(x [, {nan=, posinf=, neginf=}]) */
static int l_nan_to_num(lua_State *L) {
  npio_array *x = checkarr(L, 1, "npio.nan_to_num"), *out;
  npio_err e = {0};
  int o = lua_istable(L, 2) ? 2 : 0, hp, hn;
  double nan = lnp_optnum(L, o, "nan", 0.0), pi, ni;
  hp = lnp_optfield(L, o, "posinf") != LUA_TNIL;
  lua_pop(L, 1);
  hn = lnp_optfield(L, o, "neginf") != LUA_TNIL;
  lua_pop(L, 1);
  pi = lnp_optnum(L, o, "posinf", 0);
  ni = lnp_optnum(L, o, "neginf", 0);
  out = lnp_newarray(L);
  check(L, ops_nan_to_num(x, nan, hp, pi, hn, ni, out, lnp_memhook(L), &e),
        "npio.nan_to_num", &e);
  return result(L, out);
}

/* np.round(a [, decimals]) as NumPy's around: rint(a * 10^d) / 10^d */
static int l_round(lua_State *L) {
  npio_array *x = checkarr(L, 1, "npio.round"), *out;
  npio_err e = {0};
  lua_Integer d = lua_istable(L, 2) ? lnp_optint(L, 2, "decimals", 0)
                                    : luaL_optinteger(L, 2, 0);
  int t = ops_type_of(x->dtype);
  ops_arg a, f;
  if (t < 0) return luaL_error(L, "npio.round: not a numeric array");
  if (!ops_isinexact(t)) {
    if (d < 0)
      return luaL_error(L, "npio.round: negative decimals on integers are "
                        "not supported");
    out = lnp_newarray(L);
    check(L, ops_alloc(out, t, x->ndim, x->shape, 0, lnp_memhook(L), &e),
          "npio.round", &e);
    check(L, ops_copy_cast(out, x, &e), "npio.round", &e);
    return result(L, out);
  }
  if (d == 0) {
    out = lnp_newarray(L);
    check(L, ops_unary(OPS_RINT, x, out, lnp_memhook(L), &e), "npio.round",
          &e);
    return result(L, out);
  }
  memset(&a, 0, sizeof a);
  memset(&f, 0, sizeof f);
  a.a = x;
  f.skind = 'f';
  f.f = pow(10.0, (double)(d < 0 ? -d : d));
  out = lnp_newarray(L);
  check(L, ops_binary(d > 0 ? OPS_MUL : OPS_TDIV, &a, &f, out,
                      lnp_memhook(L), &e), "npio.round", &e);
  check(L, ops_unary(OPS_RINT, out, out, NULL, &e), "npio.round", &e);
  a.a = out;
  check(L, ops_binary(d > 0 ? OPS_TDIV : OPS_MUL, &a, &f, out, NULL, &e),
        "npio.round", &e);
  return result(L, out);
}

/* rtol, atol, equal_nan from an option table at 'o' */
static void close_opts(lua_State *L, int o, double *rtol, double *atol,
                       int *eqnan) {
  *rtol = lnp_optnum(L, o, "rtol", 1e-05);
  *atol = lnp_optnum(L, o, "atol", 1e-08);
  *eqnan = lnp_optbool(L, o, "equal_nan", 0);
}

static int l_isclose(lua_State *L) {
  ops_arg x, y;
  npio_err e = {0};
  npio_array *out;
  double rtol, atol;
  int eqnan;
  lua_settop(L, 3);
  close_opts(L, lua_istable(L, 3) ? 3 : 0, &rtol, &atol, &eqnan);
  checkarg(L, 1, &x, "npio.isclose");
  checkarg(L, 2, &y, "npio.isclose");
  out = lnp_newarray(L);
  check(L, ops_isclose(&x, &y, rtol, atol, eqnan, out, lnp_memhook(L), &e),
        "npio.isclose", &e);
  return result(L, out);
}

static int l_allclose(lua_State *L) {
  ops_arg x, y;
  npio_err e = {0};
  npio_array out;
  double rtol, atol;
  int eqnan;
  int64_t n, cnt;
  lua_settop(L, 3);
  close_opts(L, lua_istable(L, 3) ? 3 : 0, &rtol, &atol, &eqnan);
  checkarg(L, 1, &x, "npio.allclose");
  checkarg(L, 2, &y, "npio.allclose");
  memset(&out, 0, sizeof out);
  check(L, ops_isclose(&x, &y, rtol, atol, eqnan, &out, NULL, &e),
        "npio.allclose", &e);
  n = npio_array_size(&out);
  if (ops_count_true(&out, &cnt, &e) != NPIO_OK) {
    npio_array_release(&out);
    lnp_error(L, "npio.allclose", NULL, &e);
  }
  npio_array_release(&out);
  lua_pushboolean(L, cnt == n);
  return 1;
}

/* }====================================================== */

/* {======================================================
** Reductions
** ======================================================= */

/*
** Reads the axis argument at 'idx' (nil: all axes; an integer; a table
** {axis=, keepdims=, ddof=} whose axis is an integer, a list or false;
** or a plain list of axes) into 'axes' (x's ndim flags). Returns the
** single axis (0-based) or -1 for several/all.
*/
static int read_axes(lua_State *L, int idx, int ndim, const char *fn,
                     char *axes, int *keepdims, int *ddof) {
  int i, single = -1, av;
  *keepdims = 0;
  if (ddof) *ddof = 0;
  memset(axes, 0, (size_t)NPIO_MAXDIMS);
  if (lua_istable(L, idx)) {
    *keepdims = lnp_optbool(L, idx, "keepdims", 0);
    if (ddof) *ddof = (int)lnp_optint(L, idx, "ddof", 0);
    if (lua_getfield(L, idx, "axis") == LUA_TNIL) {
      lua_pop(L, 1);
      if (lua_rawgeti(L, idx, 1) == LUA_TNIL) {
        lua_pop(L, 1);
        goto all;
      }
      lua_pop(L, 1);
      lua_pushvalue(L, idx);     /* a plain list of axes */
    }
    av = lua_gettop(L);
  } else if (lua_isnoneornil(L, idx))
    goto all;
  else
    av = idx;
  if (lua_isboolean(L, av) && !lua_toboolean(L, av)) {
    if (av != idx) lua_pop(L, 1);
    goto all;
  }
  if (lua_istable(L, av)) {
    int n = (int)luaL_len(L, av);
    for (i = 1; i <= n; i++) {
      int ax;
      lua_rawgeti(L, av, i);
      if (!lua_isinteger(L, -1))
        luaL_error(L, "%s: axis must be an integer", fn);
      ax = lnp_checkaxis(L, fn, lua_tointeger(L, -1), ndim);
      lua_pop(L, 1);
      if (axes[ax]) luaL_error(L, "%s: duplicate value in 'axis'", fn);
      axes[ax] = 1;
      single = n == 1 ? ax : -1;
    }
  } else {
    if (!lua_isinteger(L, av))
      luaL_error(L, "%s: axis must be an integer", fn);
    single = lnp_checkaxis(L, fn, lua_tointeger(L, av), ndim);
    axes[single] = 1;
  }
  if (av != idx) lua_pop(L, 1);
  return single;
all:
  for (i = 0; i < ndim; i++) axes[i] = 1;
  return -1;
}

/* upvalues: reduction code, name */
static int l_reduce(lua_State *L) {
  int rop = (int)lua_tointeger(L, lua_upvalueindex(1));
  const char *fn = lua_tostring(L, lua_upvalueindex(2));
  npio_array *x, *out;
  char axes[NPIO_MAXDIMS];
  int keepdims, ddof;
  npio_err e = {0};
  lua_settop(L, 2);
  x = checkarr(L, 1, fn);
  read_axes(L, 2, x->ndim, fn, axes, &keepdims, &ddof);
  out = lnp_newarray(L);
  check(L, ops_reduce(rop, x, axes, keepdims, ddof, out, lnp_memhook(L), &e),
        fn, &e);
  return result(L, out);
}

static const struct { const char *name; int rop; } reduce_funcs[] = {
  {"sum", OPS_R_SUM}, {"prod", OPS_R_PROD}, {"min", OPS_R_MIN},
  {"max", OPS_R_MAX}, {"amin", OPS_R_MIN}, {"amax", OPS_R_MAX},
  {"any", OPS_R_ANY}, {"all", OPS_R_ALL}, {"mean", OPS_R_MEAN},
  {"var", OPS_R_VAR}, {"std", OPS_R_STD}, {"nansum", OPS_R_NANSUM},
  {"nanprod", OPS_R_NANPROD}, {"nanmin", OPS_R_NANMIN},
  {"nanmax", OPS_R_NANMAX}, {"nanmean", OPS_R_NANMEAN},
  {"nanvar", OPS_R_NANVAR}, {"nanstd", OPS_R_NANSTD},
  {"count_nonzero", OPS_R_COUNT_NONZERO}, {NULL, 0}
};

/* A single optional axis (nil/false: flattened) -> 0-based or -1. */
static int one_axis(lua_State *L, int idx, int ndim, const char *fn,
                    int *keepdims, int def) {
  int v;
  if (keepdims) *keepdims = 0;
  if (lua_istable(L, idx)) {
    if (keepdims) *keepdims = lnp_optbool(L, idx, "keepdims", 0);
    v = lua_getfield(L, idx, "axis");
    if (v == LUA_TNIL) { lua_pop(L, 1); return def; }
    idx = lua_gettop(L);
  } else if (lua_isnoneornil(L, idx))
    return def;
  if (lua_isboolean(L, idx) && !lua_toboolean(L, idx)) v = -1;
  else if (!lua_isinteger(L, idx))
    return luaL_error(L, "%s: axis must be an integer", fn);
  else v = lnp_checkaxis(L, fn, lua_tointeger(L, idx), ndim);
  return v;
}

/* upvalue: 1 for argmax */
static int l_argreduce(lua_State *L) {
  int ismax = (int)lua_tointeger(L, lua_upvalueindex(1));
  const char *fn = ismax ? "npio.argmax" : "npio.argmin";
  npio_array *x, *out;
  int axis, keepdims;
  npio_err e = {0};
  lua_settop(L, 2);
  x = checkarr(L, 1, fn);
  axis = one_axis(L, 2, x->ndim, fn, &keepdims, -1);
  out = lnp_newarray(L);
  check(L, ops_argreduce(ismax, x, axis, keepdims, out, lnp_memhook(L), &e),
        fn, &e);
  plus_one(out);
  return result(L, out);
}

static int l_cumulate(lua_State *L) {
  int isprod = (int)lua_tointeger(L, lua_upvalueindex(1));
  const char *fn = isprod ? "npio.cumprod" : "npio.cumsum";
  npio_array *x, *out;
  int axis;
  npio_err e = {0};
  lua_settop(L, 2);
  x = checkarr(L, 1, fn);
  axis = one_axis(L, 2, x->ndim, fn, NULL, -1);
  out = lnp_newarray(L);
  check(L, ops_cumulate(isprod, x, axis, out, lnp_memhook(L), &e), fn, &e);
  return 1;
}

/* }====================================================== */

/* {======================================================
** Sorting, unique, nonzero
** ======================================================= */

/* A sorted copy (np.sort) or in place (a:sort()); axis default last,
** false flattens (np.sort only). */
static int sort_common(lua_State *L, int inplace) {
  const char *fn = inplace ? "npio.ndarray.sort" : "npio.sort";
  npio_array *x, *out;
  int axis, t;
  npio_err e = {0};
  lua_settop(L, 2);
  x = checkarr(L, 1, fn);
  t = ops_type_of(x->dtype);
  if (t < 0 || ops_iscomplex(t))
    return luaL_error(L, "%s: not supported for this dtype", fn);
  if (x->ndim == 0) {
    if (inplace) return 0;
    return luaL_error(L, "%s: cannot sort a 0-d array", fn);
  }
  axis = one_axis(L, 2, x->ndim, fn, NULL, x->ndim - 1);
  if (inplace && npio_dtype_isnative(x->dtype) && axis >= 0) {
    if (x->storage->flags & NPIO_STORAGE_READONLY)
      return luaL_error(L, "%s: array is read-only", fn);
    check(L, ops_sort_inplace(x, axis, &e), fn, &e);
    return 0;
  }
  out = lnp_newarray(L);
  check(L, ops_alloc(out, t, x->ndim, x->shape, 0, lnp_memhook(L), &e), fn,
        &e);
  check(L, ops_copy_cast(out, x, &e), fn, &e);
  if (axis < 0) {
    out->shape[0] = npio_array_size(out);
    out->strides[0] = ops_types[t].size;
    out->ndim = 1;
    axis = 0;
  }
  check(L, ops_sort_inplace(out, axis, &e), fn, &e);
  if (inplace) {
    if (x->storage->flags & NPIO_STORAGE_READONLY)
      return luaL_error(L, "%s: array is read-only", fn);
    check(L, ops_copy_cast(x, out, &e), fn, &e);
    return 0;
  }
  return 1;
}

static int l_sort(lua_State *L) { return sort_common(L, 0); }
static int m_sort(lua_State *L) { return sort_common(L, 1); }

static int l_argsort(lua_State *L) {
  npio_array *x, *out, flat;
  int axis;
  npio_err e = {0};
  lua_settop(L, 2);
  x = checkarr(L, 1, "npio.argsort");
  axis = x->ndim ? one_axis(L, 2, x->ndim, "npio.argsort", NULL, x->ndim - 1)
                 : -1;
  out = lnp_newarray(L);
  if (axis < 0) {   /* flattened: sort a contiguous copy viewed 1-D */
    memset(&flat, 0, sizeof flat);
    check(L, ops_contig(&flat, x, ops_type_of(x->dtype) < 0 ? 0
                        : ops_type_of(x->dtype), NULL, &e), "npio.argsort",
          &e);
    flat.shape[0] = npio_array_size(x);
    flat.strides[0] = flat.dtype->itemsize;
    flat.ndim = 1;
    if (ops_argsort(&flat, 0, out, lnp_memhook(L), &e) != NPIO_OK) {
      npio_array_release(&flat);
      lnp_error(L, "npio.argsort", NULL, &e);
    }
    npio_array_release(&flat);
  } else
    check(L, ops_argsort(x, axis, out, lnp_memhook(L), &e), "npio.argsort",
          &e);
  plus_one(out);
  return 1;
}

/* np.unique(a [, {return_index=, return_inverse=, return_counts=}]) */
static int l_unique(lua_State *L) {
  npio_array *x = checkarr(L, 1, "npio.unique");
  int o = lua_istable(L, 2) ? 2 : 0, n = 1;
  int ri = lnp_optbool(L, o, "return_index", 0);
  int rv = lnp_optbool(L, o, "return_inverse", 0);
  int rc_ = lnp_optbool(L, o, "return_counts", 0);
  npio_array *vals, *idx = NULL, *inv = NULL, *cnt = NULL;
  npio_err e = {0};
  vals = lnp_newarray(L);
  if (ri) { idx = lnp_newarray(L); n++; }
  if (rv) { inv = lnp_newarray(L); n++; }
  if (rc_) { cnt = lnp_newarray(L); n++; }
  check(L, ops_unique(x, vals, idx, inv, cnt, lnp_memhook(L), &e),
        "npio.unique", &e);
  if (idx) plus_one(idx);
  if (inv) plus_one(inv);
  return n;
}

/* np.nonzero(a): one 1-based index array per axis */
static int l_nonzero(lua_State *L) {
  npio_array *x = checkarr(L, 1, "npio.nonzero"), flat;
  npio_err e = {0};
  int nd = x->ndim ? x->ndim : 1, d;
  int64_t n, i;
  const int64_t *fi;
  memset(&flat, 0, sizeof flat);
  check(L, ops_flatnonzero(x, &flat, NULL, &e), "npio.nonzero", &e);
  n = flat.shape[0];
  fi = (const int64_t *)(const void *)ops_ptr(&flat);
  luaL_checkstack(L, nd + 2, "too many dimensions");
  for (d = 0; d < nd; d++) {
    npio_array *o = lnp_newarray(L);
    int64_t div = 1, k;
    if (ops_alloc(o, OT_I64, 1, &n, 0, lnp_memhook(L), &e) != NPIO_OK) {
      npio_array_release(&flat);
      lnp_error(L, "npio.nonzero", NULL, &e);
    }
    for (k = d + 1; k < x->ndim; k++) div *= x->shape[k];
    for (i = 0; i < n; i++) {
      int64_t v = x->ndim ? (fi[i] / div) % x->shape[d] : fi[i];
      ((int64_t *)(void *)ops_ptr(o))[i] = v + 1;
    }
  }
  npio_array_release(&flat);
  return nd;
}

static int l_flatnonzero(lua_State *L) {
  npio_array *x = checkarr(L, 1, "npio.flatnonzero"), *out;
  npio_err e = {0};
  out = lnp_newarray(L);
  check(L, ops_flatnonzero(x, out, lnp_memhook(L), &e), "npio.flatnonzero",
        &e);
  plus_one(out);
  return 1;
}

/* }====================================================== */

/* {======================================================
** Joining, splitting, views
** ======================================================= */

/* Converts the list at 'idx' into arrays, kept alive in a new table
** pushed on the stack; returns their count and (in *xs, a userdata
** pushed after the table) pointers to them. */
static int list_arrays(lua_State *L, int idx, const char *fn,
                       const npio_array ***xs) {
  int n, i;
  luaL_checktype(L, idx, LUA_TTABLE);
  n = (int)luaL_len(L, idx);
  if (n < 0 || n > 1 << 20) luaL_error(L, "%s: too many arrays", fn);
  lua_createtable(L, n, 0);
  *xs = (const npio_array **)lua_newuserdatauv(
      L, sizeof(npio_array *) * (size_t)(n + 1), 0);
  for (i = 1; i <= n; i++) {
    npio_array *a;
    lua_rawgeti(L, idx, i);
    a = lnp_asarray(L, -1, NULL);
    lnp_data(L, a);
    (*xs)[i - 1] = a;
    lua_rawseti(L, -4, i);
    lua_pop(L, 1);
  }
  (void)fn;
  return n;
}

#define MAXJOIN 4096

/* Pushes the concatenation of n arrays (views of them in 'vs'). */
static int join(lua_State *L, int n, const npio_array *const *vs, int axis,
                const char *fn) {
  npio_err e = {0};
  npio_array *out = lnp_newarray(L);
  check(L, ops_concatenate(n, vs, axis, out, lnp_memhook(L), &e), fn, &e);
  return 1;
}

/* A copy of the header of 'a' with a length-1 axis inserted at 'ax'. */
static npio_array with_axis(const npio_array *a, int ax) {
  npio_array v = *a;
  int i;
  for (i = a->ndim; i > ax; i--) {
    v.shape[i] = a->shape[i - 1];
    v.strides[i] = a->strides[i - 1];
  }
  v.shape[ax] = 1;
  v.strides[ax] = ax < a->ndim ? a->shape[ax] * a->strides[ax]
                               : a->dtype->itemsize;
  v.ndim = a->ndim + 1;
  return v;
}

static int l_concatenate(lua_State *L) {
  const npio_array **xs;
  npio_array *vs;
  const npio_array **pv;
  int n, i, axis, flatten = 0;
  lua_settop(L, 2);
  n = list_arrays(L, 1, "npio.concatenate", &xs);
  if (lua_isboolean(L, 2) && !lua_toboolean(L, 2)) flatten = 1;
  else if (lua_istable(L, 2)) {
    if (lua_getfield(L, 2, "axis") == LUA_TBOOLEAN && !lua_toboolean(L, -1))
      flatten = 1;
    lua_pop(L, 1);
  }
  vs = (npio_array *)lua_newuserdatauv(L, sizeof(npio_array) * (size_t)(n + 1)
                                       + sizeof(void *) * (size_t)(n + 1), 0);
  pv = (const npio_array **)(void *)(vs + n + 1);
  for (i = 0; i < n; i++) {
    vs[i] = *xs[i];
    if (flatten) {
      if (!npio_array_is_c_contiguous(xs[i])) {   /* a C-order copy */
        npio_array *c = lnp_newarray(L);
        npio_err e = {0};
        int t = ops_type_of(xs[i]->dtype);
        if (t >= 0)
          check(L, ops_alloc(c, t, xs[i]->ndim, xs[i]->shape, 0,
                             lnp_memhook(L), &e), "npio.concatenate", &e);
        else
          check(L, npio_array_init(c, xs[i]->dtype, xs[i]->ndim,
                                   xs[i]->shape, 0, 0, lnp_memhook(L), &e),
                "npio.concatenate", &e);
        check(L, t >= 0 ? ops_copy_cast(c, xs[i], &e)
                        : npio_array_copyto(c, xs[i], &e),
              "npio.concatenate", &e);
        lua_rawseti(L, 3, n + 1 + i);   /* kept alive by the list table */
        vs[i] = *c;
      }
      vs[i].shape[0] = npio_array_size(xs[i]);
      vs[i].strides[0] = xs[i]->dtype->itemsize;
      vs[i].ndim = 1;
    }
    pv[i] = &vs[i];
  }
  if (n == 0) return luaL_error(L, "npio.concatenate: need at least one "
                                "array to concatenate");
  axis = flatten ? 0 : one_axis(L, 2, vs[0].ndim ? vs[0].ndim : 1,
                                "npio.concatenate", NULL, 0);
  return join(L, n, pv, axis, "npio.concatenate");
}

/* kind: 0 stack, 1 vstack, 2 hstack */
static int stack_common(lua_State *L, int kind, const char *fn) {
  const npio_array **xs;
  npio_array *vs;
  const npio_array **pv;
  int n, i, j, axis = 0;
  lua_settop(L, 2);
  n = list_arrays(L, 1, fn, &xs);
  if (n == 0) return luaL_error(L, "%s: need at least one array to "
                                "concatenate", fn);
  vs = (npio_array *)lua_newuserdatauv(L, sizeof(npio_array) * (size_t)n +
                                       sizeof(void *) * (size_t)n, 0);
  pv = (const npio_array **)(void *)(vs + n);
  if (kind == 0) {
    axis = one_axis(L, 2, xs[0]->ndim + 1, fn, NULL, 0);
    for (i = 0; i < n; i++) {
      if (xs[i]->ndim != xs[0]->ndim)
        return luaL_error(L, "%s: all input arrays must have the same shape",
                          fn);
      for (j = 0; j < xs[0]->ndim; j++)
        if (xs[i]->shape[j] != xs[0]->shape[j])
          return luaL_error(L, "%s: all input arrays must have the same "
                            "shape", fn);
      vs[i] = with_axis(xs[i], axis);
    }
  } else {
    for (i = 0; i < n; i++) {
      vs[i] = *xs[i];
      if (vs[i].ndim == 0) vs[i] = with_axis(&vs[i], 0);
      if (kind == 1 && vs[i].ndim == 1) vs[i] = with_axis(&vs[i], 0);
    }
    axis = kind == 1 ? 0 : (vs[0].ndim == 1 ? 0 : 1);
  }
  for (i = 0; i < n; i++) pv[i] = &vs[i];
  return join(L, n, pv, axis, fn);
}

static int l_stack(lua_State *L) { return stack_common(L, 0, "npio.stack"); }
static int l_vstack(lua_State *L) { return stack_common(L, 1, "npio.vstack"); }
static int l_hstack(lua_State *L) { return stack_common(L, 2, "npio.hstack"); }

/* np.split(a, n_or_ends [, axis]): ends are NumPy's indices, i.e. the
** 1-based last element of each piece ({3, 5}: 1..3, 4..5, 6..). */
static int l_split(lua_State *L) {
  npio_array *x = checkarr(L, 1, "npio.split");
  int axis, k, np_;
  int64_t len, bounds[MAXJOIN + 2];
  lua_settop(L, 3);
  if (x->ndim == 0)
    return luaL_error(L, "npio.split: cannot split a 0-d array");
  axis = one_axis(L, 3, x->ndim, "npio.split", NULL, 0);
  if (axis < 0) axis = 0;
  len = x->shape[axis];
  if (lua_isinteger(L, 2)) {
    lua_Integer s = lua_tointeger(L, 2);
    if (s <= 0 || s > MAXJOIN)
      return luaL_error(L, "npio.split: number sections must be larger "
                        "than 0.");
    if (len % s)
      return luaL_error(L, "npio.split: array split does not result in an "
                        "equal division");
    np_ = (int)s;
    for (k = 0; k <= np_; k++) bounds[k] = len / s * k;
  } else {
    int n;
    luaL_checktype(L, 2, LUA_TTABLE);
    n = (int)luaL_len(L, 2);
    if (n > MAXJOIN) return luaL_error(L, "npio.split: too many sections");
    bounds[0] = 0;
    for (k = 1; k <= n; k++) {
      lua_Integer v;
      lua_rawgeti(L, 2, k);
      v = luaL_checkinteger(L, -1);
      lua_pop(L, 1);
      if (v < 0) v += len;     /* NumPy's negative indices */
      bounds[k] = v < 0 ? 0 : v > len ? len : v;
    }
    bounds[n + 1] = len;
    np_ = n + 1;
  }
  lua_createtable(L, np_, 0);
  for (k = 0; k < np_; k++) {
    int64_t lo = bounds[k], hi = bounds[k + 1];
    npio_array *v = lnp_pushview(L, x);
    if (hi < lo) hi = lo;
    v->offset += lo * x->strides[axis];
    v->shape[axis] = hi - lo;
    lua_rawseti(L, -2, k + 1);
  }
  return 1;
}

static int l_squeeze(lua_State *L) {
  npio_array *x = checkarr(L, 1, "npio.squeeze"), *v;
  int axis = -1, i, j = 0;
  if (!lua_isnoneornil(L, 2))
    axis = one_axis(L, 2, x->ndim, "npio.squeeze", NULL, -1);
  if (axis >= 0 && x->shape[axis] != 1)
    return luaL_error(L, "npio.squeeze: cannot select an axis to squeeze "
                      "out which has size not equal to one");
  v = lnp_pushview(L, x);
  for (i = 0; i < x->ndim; i++) {
    if (axis >= 0 ? i == axis : x->shape[i] == 1) continue;
    v->shape[j] = x->shape[i];
    v->strides[j] = x->strides[i];
    j++;
  }
  v->ndim = j;
  return 1;
}

static int l_expand_dims(lua_State *L) {
  npio_array *x = checkarr(L, 1, "npio.expand_dims"), *v;
  int axis = lnp_checkaxis(L, "npio.expand_dims", luaL_checkinteger(L, 2),
                           x->ndim + 1);
  npio_array h;
  if (x->ndim >= NPIO_MAXDIMS)
    return luaL_error(L, "npio.expand_dims: too many dimensions");
  h = with_axis(x, axis);
  v = lnp_pushview(L, x);
  memcpy(v->shape, h.shape, sizeof h.shape);
  memcpy(v->strides, h.strides, sizeof h.strides);
  v->ndim = h.ndim;
  return 1;
}

static int l_flip(lua_State *L) {
  npio_array *x = checkarr(L, 1, "npio.flip"), *v;
  char axes[NPIO_MAXDIMS];
  int kd, i;
  lua_settop(L, 2);
  read_axes(L, 2, x->ndim, "npio.flip", axes, &kd, NULL);
  v = lnp_pushview(L, x);
  for (i = 0; i < x->ndim; i++) {
    if (!axes[i] || x->shape[i] == 0) continue;
    v->offset += (x->shape[i] - 1) * x->strides[i];
    v->strides[i] = -x->strides[i];
  }
  return 1;
}

static int l_dot(lua_State *L) {
  npio_array *x, *y, *out;
  npio_err e = {0};
  const char *fn = lua_tostring(L, lua_upvalueindex(1));
  lua_settop(L, 2);
  if (isscalar(L, 1) || isscalar(L, 2)) {   /* dot with a scalar multiplies */
    ops_arg a, b;
    checkarg(L, 1, &a, fn);
    checkarg(L, 2, &b, fn);
    out = lnp_newarray(L);
    check(L, ops_binary(OPS_MUL, &a, &b, out, lnp_memhook(L), &e), fn, &e);
    return result(L, out);
  }
  x = checkarr(L, 1, fn);
  y = checkarr(L, 2, fn);
  out = lnp_newarray(L);
  check(L, ops_dot(x, y, out, lnp_memhook(L), &e), fn, &e);
  return result(L, out);
}

/* }====================================================== */

/* {======================================================
** Boolean masks in a[mask] and a[mask] = v
** ======================================================= */

/* The bool array at 'idx', or NULL. */
static npio_array *tomask(lua_State *L, int idx) {
  npio_array *m;
  if (lua_type(L, idx) != LUA_TUSERDATA) return NULL;
  m = lnp_toarray(L, idx);
  if (m == NULL || ops_type_of(m->dtype) != OT_BOOL || m->ndim == 0)
    return NULL;
  return m;
}

/* __index: masks here, anything else to the array's own __index
** (upvalue 1). */
static int mask_index(lua_State *L) {
  npio_array *m = tomask(L, 2), *x, *out;
  npio_err e = {0};
  if (m == NULL) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
  }
  x = lnp_checkarray(L, 1);
  lnp_data(L, x);
  lnp_data(L, m);
  out = lnp_newarray(L);
  check(L, ops_mask_select(x, m, out, lnp_memhook(L), &e), "npio.index", &e);
  return 1;
}

static int mask_newindex(lua_State *L) {
  npio_array *m = tomask(L, 2), *x, *vals = NULL;
  npio_err e = {0};
  char elem[64];
  if (m == NULL) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 0);
    return 0;
  }
  x = lnp_checkarray(L, 1);
  lnp_data(L, x);
  lnp_data(L, m);
  if (lua_type(L, 3) == LUA_TTABLE || lnp_toarray(L, 3)) {
    vals = lnp_asarray(L, 3, NULL);
    lnp_data(L, vals);
    if (npio_array_size(vals) == 1 && vals->ndim <= 1) {
      push_elem(L, vals->dtype, ops_ptr(vals));
      lua_replace(L, 3);
      vals = NULL;
    }
  }
  if (vals == NULL) {
    if (x->dtype->itemsize > (int64_t)sizeof elem) {
      npio_array *tmp;
      int64_t one = 1;
      tmp = lnp_pushnew(L, x->dtype, 0, &one, 1);
      set_elem(L, 3, x->dtype, ops_ptr(tmp));
      check(L, ops_mask_assign(x, m, ops_ptr(tmp), NULL, &e), "npio.index",
            &e);
      return 0;
    }
    memset(elem, 0, sizeof elem);
    set_elem(L, 3, x->dtype, elem);
    check(L, ops_mask_assign(x, m, elem, NULL, &e), "npio.index", &e);
  } else
    check(L, ops_mask_assign(x, m, NULL, vals, &e), "npio.index", &e);
  return 0;
}

/* }====================================================== */

/* {======================================================
** Registration
** ======================================================= */

/* Sets t[name] = closure(f, upvalues op, fnname) for the table at -1. */
static void set_closure(lua_State *L, const char *name, lua_CFunction f,
                        int op, const char *fn) {
  lua_pushinteger(L, op);
  lua_pushstring(L, fn);
  lua_pushcclosure(L, f, 2);
  lua_setfield(L, -2, name);
}

static const luaL_Reg plain_funcs[] = {
  {"where", l_where}, {"clip", l_clip}, {"nan_to_num", l_nan_to_num},
  {"round", l_round}, {"around", l_round}, {"isclose", l_isclose},
  {"allclose", l_allclose}, {"sort", l_sort}, {"argsort", l_argsort},
  {"unique", l_unique}, {"nonzero", l_nonzero},
  {"flatnonzero", l_flatnonzero}, {"concatenate", l_concatenate},
  {"stack", l_stack}, {"vstack", l_vstack}, {"hstack", l_hstack},
  {"split", l_split}, {"squeeze", l_squeeze},
  {"expand_dims", l_expand_dims}, {"flip", l_flip}, {NULL, NULL}
};

static const luaL_Reg plain_methods[] = {
  {"clip", l_clip}, {"round", l_round}, {"sort", m_sort},
  {"argsort", l_argsort}, {"nonzero", l_nonzero}, {"squeeze", l_squeeze},
  {"flip", l_flip}, {NULL, NULL}
};

/* Adds every function to the table at the top (module or methods). */
static void add_all(lua_State *L, int methods) {
  char name[64];
  int i;
  for (i = 0; reduce_funcs[i].name; i++) {
    snprintf(name, sizeof name, "npio.%s", reduce_funcs[i].name);
    if (methods && strcmp(reduce_funcs[i].name, "count_nonzero") == 0)
      continue;
    set_closure(L, reduce_funcs[i].name, l_reduce, reduce_funcs[i].rop, name);
  }
  set_closure(L, "argmin", l_argreduce, 0, "npio.argmin");
  set_closure(L, "argmax", l_argreduce, 1, "npio.argmax");
  set_closure(L, "cumsum", l_cumulate, 0, "npio.cumsum");
  set_closure(L, "cumprod", l_cumulate, 1, "npio.cumprod");
  lua_pushstring(L, "npio.dot");
  lua_pushcclosure(L, l_dot, 1);
  lua_setfield(L, -2, "dot");
  if (methods) {
    for (i = 0; cmp_methods[i].name; i++) {
      snprintf(name, sizeof name, "npio.%s",
               ops_binary_name(cmp_methods[i].op));
      set_closure(L, cmp_methods[i].name, l_binary, cmp_methods[i].op, name);
    }
    luaL_setfuncs(L, plain_methods, 0);
    return;
  }
  for (i = 0; binary_funcs[i].name; i++) {
    snprintf(name, sizeof name, "npio.%s", binary_funcs[i].name);
    set_closure(L, binary_funcs[i].name, l_binary, binary_funcs[i].op, name);
  }
  for (i = 0; unary_funcs[i].name; i++) {
    snprintf(name, sizeof name, "npio.%s", unary_funcs[i].name);
    set_closure(L, unary_funcs[i].name, l_unary, unary_funcs[i].op, name);
  }
  lua_pushstring(L, "npio.matmul");
  lua_pushcclosure(L, l_dot, 1);
  lua_setfield(L, -2, "matmul");
  luaL_setfuncs(L, plain_funcs, 0);
}

/* Wraps metatable field 'event' (table at -1) with f, the old value as
** its upvalue. */
static void wrap_meta(lua_State *L, const char *event, lua_CFunction f) {
  lua_getfield(L, -1, event);
  lua_pushcclosure(L, f, 1);
  lua_setfield(L, -2, event);
}

void lnp_open_ops(lua_State *L) {
  int i;
  add_all(L, 0);                         /* into the module table */
  luaL_getmetatable(L, LNP_ARRAY);
  for (i = 0; arith_meta[i].event; i++)
    set_closure(L, arith_meta[i].event, l_binary, arith_meta[i].op,
                arith_meta[i].fn);
  set_closure(L, "__unm", l_unary, OPS_NEG, "npio.negative");
  if (lua_getfield(L, -1, "__methods") == LUA_TTABLE) add_all(L, 1);
  lua_pop(L, 1);
  wrap_meta(L, "__index", mask_index);
  wrap_meta(L, "__newindex", mask_newindex);
  lua_pop(L, 1);
}

/* }====================================================== */
