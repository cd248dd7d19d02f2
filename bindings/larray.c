/*
** larray.c -- the array userdata: creation functions, fields, 1-based
** indexing and slicing with views, assignment with broadcasting, element
** conversion to and from Lua values, and the data-moving methods
** (reshape, transpose, astype, copy, tolist, tobytes, ...).
**
** The npio_array lives inside the userdata; __gc drops its references,
** so views keep their memory alive whatever order they are collected in.
*/
#include "lnpio.h"
#include "npio_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char methods_key = 'm';

/* {======================================================
** Userdata basics
** ======================================================= */

npio_array *lnp_newarray(lua_State *L) {
  LArray *u;
  lnp_gcpressure(L);
  u = (LArray *)lua_newuserdatauv(L, sizeof(LArray), 0);
  memset(u, 0, sizeof(*u));
  luaL_setmetatable(L, LNP_ARRAY);
  return &u->a;
}

npio_array *lnp_toarray(lua_State *L, int idx) {
  LArray *u = (LArray *)luaL_testudata(L, idx, LNP_ARRAY);
  return u ? &u->a : NULL;
}

npio_array *lnp_checkarray(lua_State *L, int idx) {
  return &((LArray *)luaL_checkudata(L, idx, LNP_ARRAY))->a;
}

npio_array *lnp_pushview(lua_State *L, const npio_array *a) {
  npio_array *v = lnp_newarray(L);
  npio_array_view(v, a);
  return v;
}

/* Pushes a fresh array in C (or Fortran) order; raises on failure. */
static npio_array *pushnew(lua_State *L, npio_dtype *dtype, int ndim,
                           const int64_t *shape, int fortran, int zero) {
  npio_array *a = lnp_newarray(L);
  npio_err e = {0};
  if (npio_array_init(a, dtype, ndim, shape, fortran, zero, lnp_memhook(L),
                      &e) != NPIO_OK)
    lnp_error(L, lnp_fname(L), NULL, &e);
  return a;
}

npio_array *lnp_pushnew(lua_State *L, npio_dtype *dtype, int ndim,
                        const int64_t *shape, int zero) {
  return pushnew(L, dtype, ndim, shape, 0, zero);
}

char *lnp_data(lua_State *L, const npio_array *a) {
  npio_err e = {0};
  if (a->storage == NULL || a->storage->data == NULL)
    luaL_error(L, "npio: the array's memory is closed (its memory map was "
               "closed)");
  if (a->storage->kind == NPIO_MEM_MMAP &&
      npio_storage_valid(a->storage, &e) != NPIO_OK)
    lnp_error(L, "npio", NULL, &e);
  return (char *)a->storage->data + a->offset;
}

/* The data pointer for writing (raises for read-only memory). */
static char *wdata(lua_State *L, const npio_array *a) {
  char *p = lnp_data(L, a);
  if (a->storage->flags & NPIO_STORAGE_READONLY)
    luaL_error(L, "npio: assignment destination is read-only");
  return p;
}

static int arr_gc(lua_State *L) {
  LArray *u = (LArray *)luaL_checkudata(L, 1, LNP_ARRAY);
  npio_array_release(&u->a);
  return 0;
}

/* }====================================================== */

/* {======================================================
** Element values
** ======================================================= */

/* Pushes a structured record as a table keyed by field name. */
static void pushrecord(lua_State *L, const npio_dtype *d, const char *p);

/* Pushes a subarray element (base x shape) as nested tables. */
static void pushsub(lua_State *L, const npio_dtype *base, int ndim,
                    const int64_t *shape, const char *p) {
  int64_t i, inner = base->itemsize;
  int k;
  if (ndim == 0) { lnp_pushscalar(L, base, p); return; }
  for (k = 1; k < ndim; k++) inner *= shape[k];
  luaL_checkstack(L, 4, "nested too deeply");
  lua_createtable(L, (int)(shape[0] < 1 << 20 ? shape[0] : 0), 0);
  for (i = 0; i < shape[0]; i++) {
    pushsub(L, base, ndim - 1, shape + 1, p + i * inner);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static void pushrecord(lua_State *L, const npio_dtype *d, const char *p) {
  int i;
  luaL_checkstack(L, 4, "record nested too deeply");
  lua_createtable(L, 0, d->nfields);
  for (i = 0; i < d->nfields; i++) {
    const npio_field *f = &d->fields[i];
    if (f->type->base)
      pushsub(L, f->type->base, f->type->sub_ndim, f->type->sub_shape,
              p + f->offset);
    else
      lnp_pushscalar(L, f->type, p + f->offset);
    lua_setfield(L, -2, f->name);
  }
}

void lnp_pushscalar(lua_State *L, const npio_dtype *d, const char *p) {
  npio_scalar s;
  npio_err e = {0};
  if (npio_dtype_isnative(d) && d->nfields == 0 && d->base == NULL) {
    switch (d->kind) {   /* the common cases, without a detour */
      case 'f':
        if (d->itemsize == 8) { double v; memcpy(&v, p, 8); lua_pushnumber(L, v); return; }
        if (d->itemsize == 4) { float v; memcpy(&v, p, 4); lua_pushnumber(L, v); return; }
        break;
      case 'i':
        switch (d->itemsize) {
          case 8: { int64_t v; memcpy(&v, p, 8); lua_pushinteger(L, v); return; }
          case 4: { int32_t v; memcpy(&v, p, 4); lua_pushinteger(L, v); return; }
          case 2: { int16_t v; memcpy(&v, p, 2); lua_pushinteger(L, v); return; }
          case 1: lua_pushinteger(L, (int8_t)*p); return;
        }
        break;
      case 'u':
        switch (d->itemsize) {
          case 8: { uint64_t v; memcpy(&v, p, 8); lua_pushinteger(L, (lua_Integer)v); return; }
          case 4: { uint32_t v; memcpy(&v, p, 4); lua_pushinteger(L, v); return; }
          case 2: { uint16_t v; memcpy(&v, p, 2); lua_pushinteger(L, v); return; }
          case 1: lua_pushinteger(L, (uint8_t)*p); return;
        }
        break;
      case 'b': lua_pushboolean(L, *p != 0); return;
    }
  }
  if (d->nfields) { pushrecord(L, d, p); return; }
  if (d->base) { pushsub(L, d->base, d->sub_ndim, d->sub_shape, p); return; }
  memset(&s, 0, sizeof(s));
  if (npio_scalar_get(d, p, &s, &e) != NPIO_OK) lnp_error(L, "npio", NULL, &e);
  switch (s.kind) {
    case 'b': lua_pushboolean(L, s.i != 0); break;
    case 'i': case 'M': case 'm': lua_pushinteger(L, (lua_Integer)s.i); break;
    case 'u': lua_pushinteger(L, (lua_Integer)s.u); break;
    case 'f': lua_pushnumber(L, s.f); break;
    case 'c':   /* complex: a table {re, im} */
      lua_createtable(L, 2, 0);
      lua_pushnumber(L, s.f); lua_rawseti(L, -2, 1);
      lua_pushnumber(L, s.imag); lua_rawseti(L, -2, 2);
      break;
    default: lua_pushlstring(L, s.s ? s.s : "", s.slen); break;
  }
  npio_scalar_clear(&s);
}

/* Raises NumPy 2's error for an integer that the dtype cannot hold. */
static void int_range(lua_State *L, const npio_dtype *d, lua_Integer v) {
  int bits = (int)d->itemsize * 8;
  int ok;
  if (d->kind == 'i')
    ok = bits == 64 || (v >= -((lua_Integer)1 << (bits - 1)) &&
                        v < ((lua_Integer)1 << (bits - 1)));
  else
    ok = v >= 0 && (bits == 64 || v < ((lua_Integer)1 << bits));
  if (!ok) {
    char name[64];
    npio_dtype_str(d, name, sizeof(name));
    luaL_error(L, "npio: Python integer %I out of bounds for %s", v, name);
  }
}

static void setrecord(lua_State *L, int idx, const npio_dtype *d, char *p);

/* Stores nested tables into a subarray element. */
static void setsub(lua_State *L, int idx, const npio_dtype *base, int ndim,
                   const int64_t *shape, char *p) {
  int64_t i, inner = base->itemsize;
  int k;
  if (ndim == 0) { lnp_setscalar(L, idx, base, p); return; }
  for (k = 1; k < ndim; k++) inner *= shape[k];
  if (!lua_istable(L, idx)) {   /* a scalar fills the whole subarray */
    for (i = 0; i < shape[0]; i++)
      setsub(L, idx, base, ndim - 1, shape + 1, p + i * inner);
    return;
  }
  if ((int64_t)luaL_len(L, idx) != shape[0])
    luaL_error(L, "npio: subarray field expects %I values, got %I",
               (lua_Integer)shape[0], (lua_Integer)luaL_len(L, idx));
  luaL_checkstack(L, 4, "nested too deeply");
  for (i = 0; i < shape[0]; i++) {
    lua_geti(L, idx, (lua_Integer)i + 1);
    setsub(L, lua_gettop(L), base, ndim - 1, shape + 1, p + i * inner);
    lua_pop(L, 1);
  }
}

/* A record from a table keyed by field name, or positional. */
static void setrecord(lua_State *L, int idx, const npio_dtype *d, char *p) {
  int i;
  luaL_checkstack(L, 4, "record nested too deeply");
  idx = lua_absindex(L, idx);
  if (!lua_istable(L, idx)) {
    for (i = 0; i < d->nfields; i++) {  /* a scalar goes to every field */
      const npio_field *f = &d->fields[i];
      if (f->type->base)
        setsub(L, idx, f->type->base, f->type->sub_ndim, f->type->sub_shape,
               p + f->offset);
      else
        lnp_setscalar(L, idx, f->type, p + f->offset);
    }
    return;
  }
  for (i = 0; i < d->nfields; i++) {
    const npio_field *f = &d->fields[i];
    if (lua_getfield(L, idx, f->name) == LUA_TNIL) {
      lua_pop(L, 1);
      if (lua_geti(L, idx, i + 1) == LUA_TNIL)
        luaL_error(L, "npio: record has no value for field '%s'", f->name);
    }
    if (f->type->base)
      setsub(L, lua_gettop(L), f->type->base, f->type->sub_ndim,
             f->type->sub_shape, p + f->offset);
    else
      lnp_setscalar(L, lua_gettop(L), f->type, p + f->offset);
    lua_pop(L, 1);
  }
}

void lnp_setscalar(lua_State *L, int idx, const npio_dtype *d, char *p) {
  npio_scalar s;
  npio_err e = {0};
  int t = lua_type(L, idx);
  if (d->nfields) { setrecord(L, idx, d, p); return; }
  if (d->base) { setsub(L, idx, d->base, d->sub_ndim, d->sub_shape, p); return; }
  if (npio_dtype_isnative(d) && (t == LUA_TNUMBER || t == LUA_TBOOLEAN)) {
    int isint = t == LUA_TBOOLEAN || lua_isinteger(L, idx);
    lua_Integer iv = t == LUA_TBOOLEAN ? lua_toboolean(L, idx)
                     : isint ? lua_tointeger(L, idx) : 0;
    double fv = isint ? (double)iv : (double)lua_tonumber(L, idx);
    switch (d->kind) {
      case 'f':
        if (d->itemsize == 8) { memcpy(p, &fv, 8); return; }
        if (d->itemsize == 4) { float f = (float)fv; memcpy(p, &f, 4); return; }
        break;
      case 'b': *p = (char)(isint ? iv != 0 : fv != 0); return;
      case 'i': case 'u':
        if (!isint) {
          if (isnan(fv)) luaL_error(L, "npio: cannot convert float NaN to integer");
          if (isinf(fv)) luaL_error(L, "npio: cannot convert float infinity to integer");
          fv = trunc(fv);
          if (!(fv >= -9223372036854775808.0 && fv < 9223372036854775808.0))
            luaL_error(L, "npio: float %f out of bounds for an integer", fv);
          iv = (lua_Integer)fv;
        }
        int_range(L, d, iv);
        switch (d->itemsize) {
          case 8: memcpy(p, &iv, 8); return;
          case 4: { int32_t v = (int32_t)iv; memcpy(p, &v, 4); return; }
          case 2: { int16_t v = (int16_t)iv; memcpy(p, &v, 2); return; }
          case 1: *p = (char)iv; return;
        }
        break;
    }
  }
  memset(&s, 0, sizeof(s));
  switch (t) {
    case LUA_TBOOLEAN: s.kind = 'b'; s.i = lua_toboolean(L, idx); break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        s.kind = 'i';
        s.i = lua_tointeger(L, idx);
        if (d->kind == 'i' || d->kind == 'u') int_range(L, d, s.i);
      } else { s.kind = 'f'; s.f = lua_tonumber(L, idx); }
      break;
    case LUA_TSTRING: s.kind = 'U'; s.s = lua_tolstring(L, idx, &s.slen); break;
    case LUA_TTABLE:   /* complex {re, im} */
      lua_geti(L, idx, 1);
      lua_geti(L, idx, 2);
      if (!lua_isnumber(L, -2) || !lua_isnumber(L, -1))
        luaL_error(L, "npio: a complex value is a table {re, im}");
      s.kind = 'c';
      s.f = lua_tonumber(L, -2);
      s.imag = lua_tonumber(L, -1);
      lua_pop(L, 2);
      break;
    default:
      luaL_error(L, "npio: cannot store a %s in an array", luaL_typename(L, idx));
  }
  if (npio_scalar_set(d, p, &s, &e) != NPIO_OK) lnp_error(L, "npio", NULL, &e);
}

/* }====================================================== */

/* {======================================================
** Walking elements
** ======================================================= */

/* Calls fn for each element pointer of 'a' in C order. */
#define FOR_EACH(a, base, ptr, body) do { \
    int64_t idx_[NPIO_MAXDIMS] = {0}, n_ = npio_array_size(a), k_; \
    int i_; \
    for (k_ = 0; k_ < n_; k_++) { \
      char *ptr = (base); \
      for (i_ = 0; i_ < (a)->ndim; i_++) ptr += idx_[i_] * (a)->strides[i_]; \
      body; \
      for (i_ = (a)->ndim - 1; i_ >= 0; i_--) { \
        if (++idx_[i_] < (a)->shape[i_]) break; \
        idx_[i_] = 0; \
      } \
    } \
  } while (0)

/* Fills every element of 'a' with the Lua value at 'idx'. */
static void fill_value(lua_State *L, const npio_array *a, int idx) {
  int64_t isz = a->dtype->itemsize;
  char *base, *one;
  if (npio_array_size(a) == 0) return;
  base = wdata(L, a);
  one = (char *)lua_newuserdatauv(L, (size_t)isz, 0);
  memset(one, 0, (size_t)isz);
  lnp_setscalar(L, idx, a->dtype, one);
  FOR_EACH(a, base, p, memcpy(p, one, (size_t)isz));
  lua_pop(L, 1);
}

/* }====================================================== */

/* {======================================================
** np.array: from nested tables
** ======================================================= */

typedef struct infer {
  int ndim;
  int64_t shape[NPIO_MAXDIMS];
  int has_bool, has_int, has_float, has_str, has_other;
  int64_t maxchars;
  npio_dtype *arrtype;     /* dtype of the first array leaf */
  int mixed_arrays;
  int record_fields;       /* >0: tables of this many fields are records */
} infer;

static int64_t utf8_chars(const char *s, size_t n) {
  int64_t c = 0;
  size_t i;
  for (i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
  return c;
}

/* A table is a record (not a nesting level) for structured dtypes when
** it has string keys, or holds nfields non-table values first. */
static int is_record(lua_State *L, int idx, const infer *in) {
  int isrec;
  if (in->record_fields == 0) return 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int strkey = lua_type(L, -2) == LUA_TSTRING;
    lua_pop(L, 1);
    if (strkey) { lua_pop(L, 1); return 1; }
  }
  if ((int)luaL_len(L, idx) != in->record_fields) return 0;
  lua_geti(L, idx, 1);
  isrec = !lua_istable(L, -1) || lnp_toarray(L, -1) != NULL;
  lua_pop(L, 1);
  return isrec;
}

/* Finds the shape from the first element at each level and the kinds of
** all leaves; checks rectangularity later, while filling. */
static void scan(lua_State *L, int idx, int depth, infer *in) {
  npio_array *a;
  idx = lua_absindex(L, idx);
  if (depth >= NPIO_MAXDIMS) luaL_error(L, "npio.array: nested too deeply");
  if ((a = lnp_toarray(L, idx)) != NULL) {
    int i;
    if (depth == in->ndim) {
      if (depth + a->ndim > NPIO_MAXDIMS) luaL_error(L, "npio.array: too many dimensions");
      for (i = 0; i < a->ndim; i++) in->shape[depth + i] = a->shape[i];
      in->ndim = depth + a->ndim;
    }
    if (in->arrtype == NULL) in->arrtype = a->dtype;
    else if (!npio_dtype_equal(in->arrtype, a->dtype)) in->mixed_arrays = 1;
    return;
  }
  if (lua_istable(L, idx) && !is_record(L, idx, in)) {
    lua_Integer n = luaL_len(L, idx), i;
    if (depth == in->ndim) {
      in->shape[depth] = (int64_t)n;
      in->ndim = depth + 1;
    }
    luaL_checkstack(L, 4, "nested too deeply");
    for (i = 1; i <= n; i++) {
      lua_geti(L, idx, i);
      scan(L, -1, depth + 1, in);
      lua_pop(L, 1);
    }
    return;
  }
  switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN: in->has_bool = 1; break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) in->has_int = 1; else in->has_float = 1;
      break;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      int64_t c = utf8_chars(s, len);
      in->has_str = 1;
      if (c > in->maxchars) in->maxchars = c;
      break;
    }
    default: in->has_other = 1; break;
  }
}

static void fill_nested(lua_State *L, int idx, int depth, const infer *in,
                        const npio_array *a, char *p);
static npio_array *pushcopy(lua_State *L, const npio_array *a, int fortran);

static void inhomogeneous(lua_State *L, int depth) {
  luaL_error(L, "npio.array: setting an array element with a sequence: the "
             "nested tables have an inhomogeneous shape after %d "
             "dimensions", depth);
}

static void fill_nested(lua_State *L, int idx, int depth, const infer *in,
                        const npio_array *a, char *p) {
  npio_array *src;
  idx = lua_absindex(L, idx);
  if ((src = lnp_toarray(L, idx)) != NULL) {
    npio_array dst;
    npio_err e = {0};
    int i;
    if (src->ndim != a->ndim - depth) inhomogeneous(L, depth);
    for (i = 0; i < src->ndim; i++)
      if (src->shape[i] != a->shape[depth + i]) inhomogeneous(L, depth);
    dst = *a;
    dst.ndim = src->ndim;
    dst.offset = p - (char *)a->storage->data;
    for (i = 0; i < src->ndim; i++) {
      dst.shape[i] = a->shape[depth + i];
      dst.strides[i] = a->strides[depth + i];
    }
    if (npio_array_copyto(&dst, src, &e) != NPIO_OK) {
      if (npio_array_cast(&dst, src, &e) != NPIO_OK)
        lnp_error(L, "npio.array", NULL, &e);
    }
    return;
  }
  if (depth < a->ndim) {
    lua_Integer n, i;
    if (!lua_istable(L, idx) || is_record(L, idx, in)) inhomogeneous(L, depth);
    n = luaL_len(L, idx);
    if ((int64_t)n != a->shape[depth]) inhomogeneous(L, depth);
    for (i = 0; i < n; i++) {
      lua_geti(L, idx, i + 1);
      fill_nested(L, -1, depth + 1, in, a, p + i * a->strides[depth]);
      lua_pop(L, 1);
    }
    return;
  }
  if (lua_istable(L, idx) && !is_record(L, idx, in) &&
      a->dtype->kind != 'c')
    inhomogeneous(L, depth);
  lnp_setscalar(L, idx, a->dtype, p);
}

npio_array *lnp_asarray(lua_State *L, int idx, npio_dtype *dtype) {
  npio_array *a = lnp_toarray(L, idx), *r;
  infer in;
  npio_dtype *dt = dtype;
  int anchor = 0;
  idx = lua_absindex(L, idx);
  if (a != NULL) {
    npio_err e = {0};
    if (dtype == NULL || npio_dtype_equal(dtype, a->dtype)) {
      lua_pushvalue(L, idx);
      return a;
    }
    r = pushnew(L, dtype, a->ndim, a->shape, 0, 0);
    lnp_data(L, a);
    if (npio_array_copyto(r, a, &e) == NPIO_OK) return r;
    if (npio_array_cast(r, a, &e) != NPIO_OK) lnp_error(L, "npio.astype", NULL, &e);
    return r;
  }
  memset(&in, 0, sizeof(in));
  if (dtype && dtype->nfields) in.record_fields = dtype->nfields;
  scan(L, idx, 0, &in);
  if (dt == NULL) {
    const char *name = "float64";
    char ubuf[32];
    if (in.has_other)
      luaL_error(L, "npio.array: cannot make an array of %s values",
                 luaL_typename(L, idx));
    if (in.arrtype && !in.has_bool && !in.has_int && !in.has_float &&
        !in.has_str && !in.mixed_arrays)
      dt = in.arrtype;
    else if (in.has_str) {
      snprintf(ubuf, sizeof(ubuf), "<U%lld",
               (long long)(in.maxchars > 0 ? in.maxchars : 1));
      name = ubuf;
    } else if (in.has_float || in.arrtype) name = "float64";
    else if (in.has_int) name = "int64";
    else if (in.has_bool) name = "bool";
    if (dt == NULL) {
      lua_pushstring(L, name);
      dt = lnp_checkdtype(L, -1);
      anchor = 1;
    }
  }
  r = lnp_pushnew(L, dt, in.ndim, in.shape, 1);
  if (npio_array_size(r) > 0) fill_nested(L, idx, 0, &in, r, lnp_data(L, r));
  if (anchor) lua_remove(L, -2);
  return r;
}

static int np_array(lua_State *L) {
  npio_dtype *dt;
  luaL_checkany(L, 1);
  dt = lnp_optdtype(L, 2);
  lnp_asarray(L, 1, dt);
  if (lnp_toarray(L, 1) == lnp_toarray(L, -1))   /* np.array(a) copies */
    pushcopy(L, lnp_toarray(L, 1), 0);
  return 1;
}

/* }====================================================== */

/* {======================================================
** Creation functions
** ======================================================= */

/* dtype argument at 'idx' or float64. */
static npio_dtype *dtype_or(lua_State *L, int idx, const char *def) {
  if (lua_isnoneornil(L, idx)) {
    if (lua_gettop(L) < idx) lua_settop(L, idx);
    lua_pushstring(L, def);
    lua_replace(L, idx);
  }
  return lnp_checkdtype(L, idx);
}

static int np_zeros(lua_State *L) {
  int64_t shape[NPIO_MAXDIMS];
  int nd = lnp_checkshape(L, 1, shape);
  npio_dtype *dt = dtype_or(L, 2, "float64");
  lnp_pushnew(L, dt, nd, shape, 1);
  return 1;
}

static int np_empty(lua_State *L) {
  int64_t shape[NPIO_MAXDIMS];
  int nd = lnp_checkshape(L, 1, shape);
  npio_dtype *dt = dtype_or(L, 2, "float64");
  lnp_pushnew(L, dt, nd, shape, 0);
  return 1;
}

static int np_ones(lua_State *L) {
  int64_t shape[NPIO_MAXDIMS];
  int nd = lnp_checkshape(L, 1, shape);
  npio_dtype *dt = dtype_or(L, 2, "float64");
  npio_array *a = lnp_pushnew(L, dt, nd, shape, 1);
  lua_pushinteger(L, 1);
  fill_value(L, a, lua_gettop(L));
  lua_pop(L, 1);
  return 1;
}

static int np_full(lua_State *L) {
  int64_t shape[NPIO_MAXDIMS];
  int nd = lnp_checkshape(L, 1, shape);
  npio_dtype *dt;
  npio_array *a;
  luaL_checkany(L, 2);
  if (lua_isnoneornil(L, 3)) {   /* NumPy infers the dtype from the value */
    int t = lua_type(L, 2);
    const char *def = t == LUA_TBOOLEAN ? "bool"
                      : (t == LUA_TNUMBER && lua_isinteger(L, 2)) ? "int64"
                      : "float64";
    if (t == LUA_TSTRING) {
      size_t len;
      const char *s = lua_tolstring(L, 2, &len);
      lua_settop(L, 3);
      lua_pushfstring(L, "<U%d", (int)(utf8_chars(s, len) > 0 ? utf8_chars(s, len) : 1));
      lua_replace(L, 3);
      def = NULL;
    }
    dt = def ? dtype_or(L, 3, def) : lnp_checkdtype(L, 3);
  } else
    dt = lnp_checkdtype(L, 3);
  a = lnp_pushnew(L, dt, nd, shape, 1);
  if (lnp_toarray(L, 2)) {   /* an array value broadcasts */
    lua_getfield(L, lua_upvalueindex(1), "__setall");
    lua_pushvalue(L, -2);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 0);
  } else
    fill_value(L, a, 2);
  return 1;
}

/* np.arange([start,] stop [, step] [, dtype]), values as NumPy gives. */
static int np_arange(lua_State *L) {
  int nargs = lua_gettop(L), nnum = 0, i, allint = 1;
  lua_Number v[3];
  lua_Integer iv[3];
  npio_dtype *dt = NULL;
  npio_array *a;
  int64_t len;
  double start, stop, step;
  char *p;
  for (i = 1; i <= nargs && i <= 4; i++) {
    if (lua_type(L, i) == LUA_TNUMBER && nnum < 3) {
      allint &= lua_isinteger(L, i);
      iv[nnum] = lua_tointeger(L, i);
      v[nnum++] = lua_tonumber(L, i);
    } else if (!lua_isnil(L, i)) {
      dt = lnp_checkdtype(L, i);
      break;
    }
  }
  if (nnum == 0) luaL_argerror(L, 1, "arange needs a stop value");
  start = nnum >= 2 ? v[0] : 0;
  stop = nnum >= 2 ? v[1] : v[0];
  step = nnum == 3 ? v[2] : 1;
  if (step == 0) luaL_error(L, "npio.arange: step must not be zero");
  if (dt == NULL) {
    lua_pushstring(L, allint ? "int64" : "float64");
    dt = lnp_checkdtype(L, -1);
  }
  if (allint) {
    lua_Integer s0 = nnum >= 2 ? iv[0] : 0, s1 = nnum >= 2 ? iv[1] : iv[0];
    lua_Integer st = nnum == 3 ? iv[2] : 1;
    /* ceil((stop - start) / step), exactly, without overflow */
    __int128 diff = (__int128)s1 - (__int128)s0, q;
    if ((st > 0 && s1 <= s0) || (st < 0 && s1 >= s0)) len = 0;
    else {
      q = diff / st;
      if (diff % st != 0) q++;
      if (q > INT64_MAX) luaL_error(L, "npio.arange: maximum allowed size exceeded");
      len = (int64_t)q;
    }
    a = lnp_pushnew(L, dt, 1, &len, 0);
    p = lnp_data(L, a);
    if (dt->kind == 'i' && dt->itemsize == 8 && npio_dtype_isnative(dt)) {
      int64_t k, *o = (int64_t *)(void *)p;
      for (k = 0; k < len; k++) o[k] = (int64_t)((lua_Unsigned)s0 + (lua_Unsigned)k * (lua_Unsigned)st);
    } else {
      int64_t k;
      for (k = 0; k < len; k++) {
        lua_pushinteger(L, (lua_Integer)((lua_Unsigned)s0 + (lua_Unsigned)k * (lua_Unsigned)st));
        lnp_setscalar(L, -1, dt, p + k * dt->itemsize);
        lua_pop(L, 1);
      }
    }
    return 1;
  }
  {
    double n = ceil((stop - start) / step);
    double delta = (start + step) - start;   /* NumPy fills with this */
    int64_t k;
    if (!(n > 0)) n = 0;
    if (n > 9.0e18) luaL_error(L, "npio.arange: maximum allowed size exceeded");
    len = (int64_t)n;
    a = lnp_pushnew(L, dt, 1, &len, 0);
    p = lnp_data(L, a);
    for (k = 0; k < len; k++) {
      double x = k == 0 ? start : k == 1 ? start + delta : start + (double)k * delta;
      if (dt->kind == 'f' && dt->itemsize == 8 && npio_dtype_isnative(dt))
        memcpy(p + 8 * k, &x, 8);
      else {
        lua_pushnumber(L, x);
        lnp_setscalar(L, -1, dt, p + k * dt->itemsize);
        lua_pop(L, 1);
      }
    }
  }
  return 1;
}

/* np.linspace(a, b, n [, opts{endpoint=, dtype=}]) as NumPy computes it. */
static int np_linspace(lua_State *L) {
  double start = luaL_checknumber(L, 1), stop = luaL_checknumber(L, 2);
  lua_Integer n = luaL_optinteger(L, 3, 50);
  int opts = lua_istable(L, 4) ? 4 : 0;
  int endpoint = lnp_optbool(L, opts, "endpoint", 1);
  int64_t len, k;
  npio_dtype *dt;
  npio_array *a;
  double div, step, delta = stop - start;
  char *p;
  if (n < 0) luaL_argerror(L, 3, "number of samples must be non-negative");
  if (lnp_optfield(L, opts, "dtype") != LUA_TNIL) dt = lnp_checkdtype(L, -1);
  else { lua_pop(L, 1); lua_pushliteral(L, "float64"); dt = lnp_checkdtype(L, -1); }
  len = (int64_t)n;
  div = endpoint ? (double)(n - 1) : (double)n;
  step = div > 0 ? delta / div : NAN;
  a = lnp_pushnew(L, dt, 1, &len, 0);
  p = lnp_data(L, a);
  for (k = 0; k < len; k++) {
    double x;
    if (div > 0) x = step == 0 ? ((double)k / div) * delta + start
                               : (double)k * step + start;
    else x = (double)k * delta + start;
    if (endpoint && n > 1 && k == len - 1) x = stop;
    lua_pushnumber(L, x);
    lnp_setscalar(L, -1, dt, p + k * dt->itemsize);
    lua_pop(L, 1);
  }
  return 1;
}

/* np.eye(n [, m] [, dtype]) */
static int np_eye(lua_State *L) {
  int64_t shape[2], i;
  int didx = 2;
  npio_dtype *dt;
  npio_array *a;
  char *p;
  shape[0] = shape[1] = (int64_t)luaL_checkinteger(L, 1);
  if (lua_isinteger(L, 2)) { shape[1] = (int64_t)lua_tointeger(L, 2); didx = 3; }
  if (shape[0] < 0 || shape[1] < 0) luaL_argerror(L, 1, "negative dimensions are not allowed");
  dt = dtype_or(L, didx, "float64");
  a = lnp_pushnew(L, dt, 2, shape, 1);
  p = lnp_data(L, a);
  lua_pushinteger(L, 1);
  for (i = 0; i < shape[0] && i < shape[1]; i++)
    lnp_setscalar(L, -1, dt, p + i * a->strides[0] + i * a->strides[1]);
  lua_pop(L, 1);
  return 1;
}

/* count/offset from either positional numbers or an option table */
static void count_offset(lua_State *L, int idx, lua_Integer *count,
                         lua_Integer *offset) {
  if (lua_istable(L, idx)) {
    *count = lnp_optint(L, idx, "count", -1);
    *offset = lnp_optint(L, idx, "offset", 0);
  } else {
    *count = luaL_optinteger(L, idx, -1);
    *offset = luaL_optinteger(L, idx + 1, 0);
  }
}

/* Makes a 1-D array of 'dt' from raw bytes (copied). */
static void from_bytes(lua_State *L, const char *fn, const char *buf,
                       size_t len, npio_dtype *dt, lua_Integer count) {
  int64_t n;
  npio_array *a;
  if (dt->itemsize == 0) luaL_error(L, "%s: itemsize cannot be zero in type", fn);
  if (count < 0) {
    if (len % (size_t)dt->itemsize != 0)
      luaL_error(L, "%s: buffer size must be a multiple of element size", fn);
    n = (int64_t)(len / (size_t)dt->itemsize);
  } else {
    n = (int64_t)count;
    if ((uint64_t)n > len / (size_t)dt->itemsize)
      luaL_error(L, "%s: buffer is smaller than requested size", fn);
  }
  a = lnp_pushnew(L, dt, 1, &n, 0);
  if (n) memcpy(lnp_data(L, a), buf, (size_t)(n * dt->itemsize));
}

/* np.frombuffer(str, dtype [, count [, offset]]) -- a copy of the bytes */
static int np_frombuffer(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  npio_dtype *dt = dtype_or(L, 2, "float64");
  lua_Integer count, offset;
  count_offset(L, 3, &count, &offset);
  if (offset < 0 || (size_t)offset > len)
    luaL_error(L, "npio.frombuffer: offset must be non-negative and no "
               "greater than buffer length (%d)", (int)len);
  from_bytes(L, "npio.frombuffer", s + offset, len - (size_t)offset, dt, count);
  return 1;
}

/* A FILE* owned by a userdata, so an error cannot leak it. */
static int filebox_gc(lua_State *L) {
  FILE **box = (FILE **)lua_touserdata(L, 1);
  if (*box) fclose(*box);
  *box = NULL;
  return 0;
}

static FILE **newfilebox(lua_State *L) {
  FILE **box = (FILE **)lua_newuserdatauv(L, sizeof(FILE *), 0);
  *box = NULL;
  if (luaL_newmetatable(L, "npio.filebox")) {
    lua_pushcfunction(L, filebox_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return box;
}

/* np.fromfile(path, dtype [, count [, offset]]) -- raw binary data */
static int np_fromfile(lua_State *L) {
  FILE *f = lnp_tofile(L, 1);
  const char *path = f ? NULL : luaL_checkstring(L, 1);
  npio_dtype *dt = dtype_or(L, 2, "float64");
  lua_Integer count, offset;
  luaL_Buffer b;
  size_t want, got;
  FILE **box = NULL;
  count_offset(L, 3, &count, &offset);
  if (dt->itemsize == 0) luaL_error(L, "npio.fromfile: itemsize cannot be zero in type");
  if (path) {
    lnp_checkpath(L, "npio.fromfile", path);
    box = newfilebox(L);
    f = *box = fopen(path, "rb");
    if (f == NULL) luaL_error(L, "npio.fromfile: %s: %s", path, strerror(errno));
  }
  if (offset > 0 && fseek(f, (long)offset, SEEK_CUR) != 0)
    luaL_error(L, "npio.fromfile: %s: cannot seek to offset %I", path ? path : "file",
               offset);
  luaL_buffinit(L, &b);
  want = count < 0 ? (size_t)-1 : (size_t)count * (size_t)dt->itemsize;
  got = 0;
  while (got < want) {
    size_t chunk = want - got < LUAL_BUFFERSIZE * 64 ? want - got : LUAL_BUFFERSIZE * 64;
    char *dst = luaL_prepbuffsize(&b, chunk);
    size_t k = fread(dst, 1, chunk, f);
    luaL_addsize(&b, k);
    got += k;
    if (k < chunk) break;
  }
  if (ferror(f)) luaL_error(L, "npio.fromfile: %s: %s", path ? path : "file", strerror(errno));
  luaL_pushresult(&b);
  if (box) { fclose(*box); *box = NULL; }
  {
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (count >= 0 && len < want)
      count = (lua_Integer)(len / (size_t)dt->itemsize);  /* as NumPy: fewer */
    from_bytes(L, "npio.fromfile", s, len - len % (size_t)dt->itemsize, dt, count);
  }
  return 1;
}

/* }====================================================== */

/* {======================================================
** Indexing
** ======================================================= */

/* Resolves a range {first, last[, step]} (inclusive, 1-based) on an axis
** of length len into a 0-based start, count and step, clamping. */
static void resolve_range(lua_State *L, int idx, int64_t len,
                          int64_t *start, int64_t *count, int64_t *step) {
  lua_Integer f, l, s = 1;
  int hasf, hasl;
  idx = lua_absindex(L, idx);
  lua_geti(L, idx, 3);
  if (!lua_isnil(L, -1)) s = luaL_checkinteger(L, -1);
  lua_pop(L, 1);
  if (s == 0) luaL_error(L, "npio: slice step cannot be zero");
  if (s == LUA_MININTEGER) luaL_error(L, "npio: slice step out of range");
  hasf = lua_geti(L, idx, 1) != LUA_TNIL;
  f = hasf ? luaL_checkinteger(L, -1) : 0;
  hasl = lua_geti(L, idx, 2) != LUA_TNIL;
  l = hasl ? luaL_checkinteger(L, -1) : 0;
  lua_pop(L, 2);
  /* 1-based inclusive, negatives from the end, like string.sub */
  if (!hasf) f = s > 0 ? 1 : len;
  if (!hasl) l = s > 0 ? len : 1;
  if (f < 0) f = len + f + 1;
  if (l < 0) l = len + l + 1;
  if (s > 0) {
    if (f < 1) f = 1;
    if (l > len) l = len;
    *count = l >= f ? (l - f) / s + 1 : 0;
  } else {
    if (f > len) f = len;
    if (l < 1) l = 1;
    *count = f >= l ? (f - l) / (-s) + 1 : 0;
  }
  *start = *count > 0 ? f - 1 : 0;
  *step = s;
}

/*
** Applies the index at 'key' (integer or table of integers/ranges) to
** 'a', writing the result view into 'out'. Returns 1 if every axis got an
** integer (the result is one element).
*/
static int apply_index(lua_State *L, const npio_array *a, int key,
                       npio_array *out) {
  int nidx, i, od = 0, allint = 1;
  *out = *a;
  out->ndim = 0;
  key = lua_absindex(L, key);
  if (lua_isinteger(L, key)) {
    if (a->ndim == 0) luaL_error(L, "npio: too many indices for a 0-d array");
    out->offset = a->offset +
        lnp_absindex(L, "npio", lua_tointeger(L, key), a->shape[0]) * a->strides[0];
    for (i = 1; i < a->ndim; i++) {
      out->shape[od] = a->shape[i];
      out->strides[od++] = a->strides[i];
    }
    out->ndim = od;
    return a->ndim == 1;
  }
  if (!lua_istable(L, key))
    luaL_error(L, "npio: an array index must be an integer or a table, not %s",
               luaL_typename(L, key));
  nidx = (int)luaL_len(L, key);
  if (nidx > a->ndim)
    luaL_error(L, "npio: too many indices for array: array is %d-dimensional, "
               "but %d were indexed", a->ndim, nidx);
  for (i = 0; i < a->ndim; i++) {
    int t = i < nidx ? lua_geti(L, key, i + 1) : (lua_pushnil(L), LUA_TNIL);
    if (t == LUA_TNUMBER && lua_isinteger(L, -1)) {
      int64_t k = lnp_absindex(L, "npio", lua_tointeger(L, -1), a->shape[i]);
      out->offset += k * a->strides[i];
    } else if (t == LUA_TTABLE) {
      int64_t start, count, step;
      resolve_range(L, -1, a->shape[i], &start, &count, &step);
      out->offset += start * a->strides[i];
      out->shape[od] = count;
      out->strides[od++] = a->strides[i] * step;
      allint = 0;
    } else if (t == LUA_TNIL) {
      out->shape[od] = a->shape[i];
      out->strides[od++] = a->strides[i];
      allint = 0;
    } else
      luaL_error(L, "npio: index %d must be an integer or a range table", i + 1);
    lua_pop(L, 1);
  }
  out->ndim = od;
  return allint;
}

static int arr_field(lua_State *L, npio_array *a, const char *k);

static int arr_index(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1), view;
  if (lua_type(L, 2) == LUA_TSTRING) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &methods_key);
    if (lua_getfield(L, -1, lua_tostring(L, 2)) != LUA_TNIL) return 1;
    lua_pop(L, 2);
    return arr_field(L, a, lua_tostring(L, 2));
  }
  if (apply_index(L, a, 2, &view)) {
    lnp_pushscalar(L, view.dtype, lnp_data(L, &view));
    return 1;
  }
  lnp_pushview(L, &view);
  return 1;
}

/* Broadcasts 'src' to the shape of 'dst' (NumPy's rules) into 'out'. */
static void broadcast_to(lua_State *L, const npio_array *src,
                         const npio_array *dst, npio_array *out) {
  int i, off = dst->ndim - src->ndim;
  *out = *src;
  if (off < 0) goto bad;
  out->ndim = dst->ndim;
  for (i = 0; i < dst->ndim; i++) {
    int si = i - off;
    if (si < 0) { out->shape[i] = dst->shape[i]; out->strides[i] = 0; continue; }
    if (src->shape[si] == dst->shape[i]) {
      out->shape[i] = dst->shape[i];
      out->strides[i] = src->strides[si];
    } else if (src->shape[si] == 1) {
      out->shape[i] = dst->shape[i];
      out->strides[i] = 0;
    } else
      goto bad;
  }
  return;
bad:
  {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "npio: could not broadcast input array from shape (");
    for (i = 0; i < src->ndim; i++) {
      lua_pushfstring(L, i ? ",%I" : "%I", (lua_Integer)src->shape[i]);
      luaL_addvalue(&b);
    }
    luaL_addstring(&b, ") into shape (");
    for (i = 0; i < dst->ndim; i++) {
      lua_pushfstring(L, i ? ",%I" : "%I", (lua_Integer)dst->shape[i]);
      luaL_addvalue(&b);
    }
    luaL_addstring(&b, ")");
    luaL_pushresult(&b);
    lua_error(L);
  }
}

/* Copies the value at 'vidx' (array, table or scalar) into view 'dst'. */
static void assign(lua_State *L, const npio_array *dst, int vidx) {
  npio_array *src, b;
  npio_err e = {0};
  vidx = lua_absindex(L, vidx);
  wdata(L, dst);
  if (!lnp_toarray(L, vidx) && !lua_istable(L, vidx)) {
    fill_value(L, dst, vidx);
    return;
  }
  if (lua_istable(L, vidx) && dst->dtype->nfields && dst->ndim == 0) {
    lnp_setscalar(L, vidx, dst->dtype, lnp_data(L, dst));
    return;
  }
  src = lnp_asarray(L, vidx, lnp_toarray(L, vidx) ? NULL : dst->dtype);
  lnp_data(L, src);
  if (src->storage == dst->storage) {      /* may overlap: copy first */
    npio_array *tmp = pushnew(L, src->dtype, src->ndim, src->shape, 0, 0);
    if (npio_array_copyto(tmp, src, &e) != NPIO_OK) lnp_error(L, "npio", NULL, &e);
    src = tmp;
  }
  broadcast_to(L, src, dst, &b);
  if (npio_array_copyto((npio_array *)dst, &b, &e) != NPIO_OK) {
    if (e.code != NPIO_ETYPE) lnp_error(L, "npio", NULL, &e);
    if (npio_array_cast((npio_array *)dst, &b, &e) != NPIO_OK)
      lnp_error(L, "npio", NULL, &e);
  }
}

static int arr_newindex(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1), view;
  if (lua_type(L, 2) == LUA_TSTRING)
    luaL_error(L, "npio: cannot set field '%s' of an array", lua_tostring(L, 2));
  if (apply_index(L, a, 2, &view)) {
    lnp_setscalar(L, 3, view.dtype, wdata(L, &view));
    return 0;
  }
  assign(L, &view, 3);
  return 0;
}

/* np.ndarray:__setall(value): a[{}] = value, for whole-array broadcasts */
static int arr_setall(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  luaL_checkany(L, 2);
  assign(L, a, 2);
  return 0;
}

static int arr_len(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  if (a->ndim == 0) luaL_error(L, "npio: len() of unsized object");
  lua_pushinteger(L, (lua_Integer)a->shape[0]);
  return 1;
}

/* }====================================================== */

/* {======================================================
** Fields and methods
** ======================================================= */

static void push_dims(lua_State *L, int n, const int64_t *v) {
  int i;
  lua_createtable(L, n, 0);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, (lua_Integer)v[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

static void transpose_into(const npio_array *a, npio_array *out,
                           const int *perm) {
  int i;
  *out = *a;
  for (i = 0; i < a->ndim; i++) {
    out->shape[i] = a->shape[perm[i]];
    out->strides[i] = a->strides[perm[i]];
  }
}

static int arr_field(lua_State *L, npio_array *a, const char *k) {
  if (strcmp(k, "shape") == 0) push_dims(L, a->ndim, a->shape);
  else if (strcmp(k, "ndim") == 0) lua_pushinteger(L, a->ndim);
  else if (strcmp(k, "size") == 0) lua_pushinteger(L, (lua_Integer)npio_array_size(a));
  else if (strcmp(k, "dtype") == 0) lnp_pushdtype(L, a->dtype);
  else if (strcmp(k, "itemsize") == 0) lua_pushinteger(L, (lua_Integer)a->dtype->itemsize);
  else if (strcmp(k, "nbytes") == 0) lua_pushinteger(L, (lua_Integer)npio_array_nbytes(a));
  else if (strcmp(k, "strides") == 0) push_dims(L, a->ndim, a->strides);
  else if (strcmp(k, "T") == 0) {
    int perm[NPIO_MAXDIMS], i;
    npio_array v;
    for (i = 0; i < a->ndim; i++) perm[i] = a->ndim - 1 - i;
    transpose_into(a, &v, perm);
    lnp_pushview(L, &v);
  } else if (strcmp(k, "flags") == 0) {
    lua_createtable(L, 0, 4);
    lua_pushboolean(L, npio_array_is_c_contiguous(a));
    lua_setfield(L, -2, "c_contiguous");
    lua_pushboolean(L, npio_array_is_f_contiguous(a));
    lua_setfield(L, -2, "f_contiguous");
    lua_pushboolean(L, a->storage && !(a->storage->flags & NPIO_STORAGE_READONLY));
    lua_setfield(L, -2, "writeable");
    lua_pushboolean(L, a->storage && a->storage->kind == NPIO_MEM_HEAP);
    lua_setfield(L, -2, "owndata");
  } else
    lua_pushnil(L);
  return 1;
}

/* Makes a C-order (or Fortran-order) copy of 'a' and pushes it. */
static npio_array *pushcopy(lua_State *L, const npio_array *a, int fortran) {
  npio_array *r = pushnew(L, a->dtype, a->ndim, a->shape, fortran, 0);
  npio_err e = {0};
  lnp_data(L, a);
  if (npio_array_copyto(r, a, &e) != NPIO_OK) lnp_error(L, "npio.copy", NULL, &e);
  return r;
}

/* a:copy([order]) 'C' (default), 'F' or 'K' (keep) */
static int arr_copy(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  const char *order = luaL_optstring(L, 2, "C");
  int f = order[0] == 'F' ||
          (order[0] == 'K' && !npio_array_is_c_contiguous(a) &&
           npio_array_is_f_contiguous(a));
  pushcopy(L, a, f);
  return 1;
}

static int arr_reshape(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1), v;
  int64_t shape[NPIO_MAXDIMS], known = 1, n = npio_array_size(a);
  int nd, i, unknown = -1;
  if (lua_isinteger(L, 2) && lua_gettop(L) > 2) {   /* a:reshape(3, 4) */
    nd = lua_gettop(L) - 1;
    if (nd > NPIO_MAXDIMS) luaL_error(L, "npio.reshape: too many dimensions");
    for (i = 0; i < nd; i++) shape[i] = (int64_t)luaL_checkinteger(L, i + 2);
  } else if (lua_isinteger(L, 2)) {
    nd = 1;
    shape[0] = (int64_t)lua_tointeger(L, 2);
  } else {
    luaL_checktype(L, 2, LUA_TTABLE);
    nd = (int)luaL_len(L, 2);
    if (nd > NPIO_MAXDIMS) luaL_error(L, "npio.reshape: too many dimensions");
    for (i = 0; i < nd; i++) {
      lua_geti(L, 2, i + 1);
      shape[i] = (int64_t)luaL_checkinteger(L, -1);
      lua_pop(L, 1);
    }
  }
  for (i = 0; i < nd; i++) {
    if (shape[i] == -1) {
      if (unknown >= 0) luaL_error(L, "npio.reshape: can only specify one unknown dimension");
      unknown = i;
    } else if (shape[i] < 0)
      luaL_error(L, "npio.reshape: negative dimensions are not allowed");
    else if (__builtin_mul_overflow(known, shape[i], &known))
      luaL_error(L, "npio.reshape: dimensions too large");
  }
  if (unknown >= 0) {
    if (known == 0 || n % known != 0) goto bad;
    shape[unknown] = n / known;
    known = n;
  }
  if (known != n) goto bad;
  if (!npio_array_is_c_contiguous(a)) a = pushcopy(L, a, 0);
  v = *a;
  v.ndim = nd;
  for (i = 0; i < nd; i++) v.shape[i] = shape[i];
  npio_contiguous_strides(nd, shape, a->dtype->itemsize, 0, v.strides);
  lnp_pushview(L, &v);
  return 1;
bad:
  {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "npio.reshape: cannot reshape array of size %I into shape (",
                    (lua_Integer)n);
    luaL_addvalue(&b);
    for (i = 0; i < nd; i++) {
      lua_pushfstring(L, i ? ",%I" : "%I", (lua_Integer)shape[i]);
      luaL_addvalue(&b);
    }
    luaL_addstring(&b, ")");
    luaL_pushresult(&b);
    return lua_error(L);
  }
}

/* a:transpose([axes]) with 1-based axes, reversed by default */
static int arr_transpose(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1), v;
  int perm[NPIO_MAXDIMS], seen[NPIO_MAXDIMS] = {0}, i, n;
  if (lua_isnoneornil(L, 2)) {
    for (i = 0; i < a->ndim; i++) perm[i] = a->ndim - 1 - i;
  } else {
    int tbl = lua_istable(L, 2);
    n = tbl ? (int)luaL_len(L, 2) : lua_gettop(L) - 1;
    if (n != a->ndim) luaL_error(L, "npio.transpose: axes don't match array");
    for (i = 0; i < n; i++) {
      lua_Integer ax;
      if (tbl) { lua_geti(L, 2, i + 1); ax = luaL_checkinteger(L, -1); lua_pop(L, 1); }
      else ax = luaL_checkinteger(L, i + 2);
      perm[i] = lnp_checkaxis(L, "npio.transpose", ax, a->ndim);
      if (seen[perm[i]]++) luaL_error(L, "npio.transpose: repeated axis in transpose");
    }
  }
  transpose_into(a, &v, perm);
  lnp_pushview(L, &v);
  return 1;
}

static int arr_flatten(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1), *r;
  int64_t n = npio_array_size(a);
  r = pushcopy(L, a, 0);
  r->ndim = 1;
  r->shape[0] = n;
  r->strides[0] = a->dtype->itemsize;
  return 1;
}

static int arr_ravel(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1), v;
  if (!npio_array_is_c_contiguous(a)) return arr_flatten(L);
  v = *a;
  v.ndim = 1;
  v.shape[0] = npio_array_size(a);
  v.strides[0] = a->dtype->itemsize;
  lnp_pushview(L, &v);
  return 1;
}

static int arr_fill(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  luaL_checkany(L, 2);
  fill_value(L, a, 2);
  lua_settop(L, 1);
  return 1;
}

/* a:astype(dtype) -- NumPy's astype: a new array, layout kept ('K') */
static int arr_astype(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1), *r;
  npio_dtype *dt = lnp_checkdtype(L, 2);
  npio_err e = {0};
  int f = !npio_array_is_c_contiguous(a) && npio_array_is_f_contiguous(a);
  lnp_data(L, a);
  r = pushnew(L, dt, a->ndim, a->shape, f, 0);
  if (npio_array_copyto(r, a, &e) == NPIO_OK) return 1;
  if (e.code != NPIO_ETYPE) lnp_error(L, "npio.astype", NULL, &e);
  if (npio_array_cast(r, a, &e) != NPIO_OK) lnp_error(L, "npio.astype", NULL, &e);
  return 1;
}

/* Swaps the bytes of each element in place (per field, per word). */
static void swap_elems(lua_State *L, const npio_dtype *d, const npio_array *a,
                       char *base) {
  int64_t word = d->kind == 'c' ? d->itemsize / 2 : d->kind == 'U' ? 4 : d->itemsize;
  if (d->nfields || d->base || d->kind == 'S' || d->kind == 'V' ||
      d->kind == 'b')
    luaL_error(L, "npio.byteswap: not supported for this dtype");
  FOR_EACH(a, base, p, npio_swap_copy(p, p, d->itemsize / word, word));
}

/* a:byteswap([inplace]) -- swaps the bytes, keeps the dtype (values change) */
static int arr_byteswap(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  if (lua_toboolean(L, 2)) {
    swap_elems(L, a->dtype, a, wdata(L, a));
    lua_settop(L, 1);
    return 1;
  }
  {
    npio_array *r = pushcopy(L, a, 0);
    swap_elems(L, a->dtype, r, lnp_data(L, r));
  }
  return 1;
}

/* a:newbyteorder([order]) -- a view with the dtype's byte order changed */
static int arr_newbyteorder(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1), *v;
  const char *o = luaL_optstring(L, 2, "S");
  char order = o[0];
  npio_dtype *d;
  if (order == 'S' || order == 's')
    order = a->dtype->order == '<' ? '>' : a->dtype->order == '>' ? '<' : '=';
  if (!strchr("<>=", order)) luaL_argerror(L, 2, "byte order must be <, >, = or S");
  d = npio_dtype_with_order(a->dtype, order);
  if (d == NULL) luaL_error(L, "npio.newbyteorder: out of memory");
  v = lnp_pushview(L, a);
  npio_dtype_unref(v->dtype);
  v->dtype = d;
  return 1;
}

static void tolist(lua_State *L, const npio_dtype *d, const char *p, int ndim,
                   const int64_t *shape, const int64_t *strides) {
  int64_t i;
  if (ndim == 0) { lnp_pushscalar(L, d, p); return; }
  luaL_checkstack(L, 4, "array nested too deeply");
  lua_createtable(L, shape[0] < (1 << 24) ? (int)shape[0] : 0, 0);
  for (i = 0; i < shape[0]; i++) {
    tolist(L, d, p + i * strides[0], ndim - 1, shape + 1, strides + 1);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static int arr_tolist(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  tolist(L, a->dtype, lnp_data(L, a), a->ndim, a->shape, a->strides);
  return 1;
}

/* a:item([i]) -- one element as a Lua value (flat 1-based index) */
static int arr_item(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  int64_t n = npio_array_size(a), k, i;
  char *p = lnp_data(L, a);
  if (lua_isnoneornil(L, 2)) {
    if (n != 1) luaL_error(L, "npio.item: can only convert an array of size 1 to a Lua value");
    k = 0;
  } else
    k = lnp_absindex(L, "npio.item", luaL_checkinteger(L, 2), n);
  for (i = a->ndim - 1; i >= 0; i--) {
    p += (k % a->shape[i]) * a->strides[i];
    k /= a->shape[i];
  }
  lnp_pushscalar(L, a->dtype, p);
  return 1;
}

/* Appends into space reserved up front, so it never raises (a raise
** here would leak the walker's staging buffer). */
static int add_block(void *ud, const char *p, size_t n) {
  char **dst = (char **)ud;
  memcpy(*dst, p, n);
  *dst += n;
  return NPIO_OK;
}

/* a:tobytes() -- the raw bytes in C order */
static int arr_tobytes(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  luaL_Buffer b;
  npio_err e = {0};
  size_t n = (size_t)npio_array_nbytes(a);
  char *dst;
  lnp_data(L, a);
  dst = luaL_buffinitsize(L, &b, n);
  if (npio_array_foreach_block(a, 0, add_block, &dst, &e) != NPIO_OK)
    lnp_error(L, "npio.tobytes", NULL, &e);
  luaL_pushresultsize(&b, n);
  return 1;
}

typedef struct filesink { FILE *f; } filesink;

static int file_block(void *ud, const char *p, size_t n) {
  return fwrite(p, 1, n, ((filesink *)ud)->f) == n ? NPIO_OK : NPIO_EIO;
}

static int fd_block(void *ud, const char *p, size_t n) {
  return npio_write_all(*(int *)ud, p, n, NULL);
}

/* a:tofile(path or file) -- raw bytes in C order; paths atomically */
static int arr_tofile(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  FILE *f = lnp_tofile(L, 2);
  npio_err e = {0};
  lnp_data(L, a);
  if (f) {
    filesink s = {f};
    if (npio_array_foreach_block(a, 0, file_block, &s, &e) != NPIO_OK)
      luaL_error(L, "npio.tofile: write failed: %s", strerror(errno));
  } else {
    const char *path = luaL_checkstring(L, 2);
    npio_safefile sf;
    lnp_checkpath(L, "npio.tofile", path);
    if (npio_safe_open(&sf, path, 1, 0, &e) != NPIO_OK)
      lnp_error(L, "npio.tofile", path, &e);
    if (npio_array_foreach_block(a, 0, fd_block, &sf.fd, &e) != NPIO_OK) {
      int err = errno;
      npio_safe_abort(&sf);
      luaL_error(L, "npio.tofile: %s: write failed: %s", path, strerror(err));
    }
    if (npio_safe_commit(&sf, &e) != NPIO_OK) lnp_error(L, "npio.tofile", path, &e);
  }
  return 0;
}

/* a:field(name) -- a view of one field of a structured array */
static int arr_getfield(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1), *v;
  const char *name = luaL_checkstring(L, 2);
  const npio_dtype *d = a->dtype;
  const npio_field *f = NULL;
  int i;
  for (i = 0; i < d->nfields; i++)
    if (strcmp(d->fields[i].name, name) == 0 ||
        (d->fields[i].title && strcmp(d->fields[i].title, name) == 0))
      f = &d->fields[i];
  if (f == NULL) luaL_error(L, "npio.field: no field of name %s", name);
  v = lnp_pushview(L, a);
  v->offset += f->offset;
  npio_dtype_unref(v->dtype);
  if (f->type->base) {   /* subarray: extra trailing dimensions */
    int64_t stride = f->type->base->itemsize;
    int k, nd = f->type->sub_ndim;
    if (v->ndim + nd > NPIO_MAXDIMS) luaL_error(L, "npio.field: too many dimensions");
    for (k = nd - 1; k >= 0; k--) {
      v->shape[v->ndim + k] = f->type->sub_shape[k];
      v->strides[v->ndim + k] = stride;
      stride *= f->type->sub_shape[k];
    }
    v->ndim += nd;
    v->dtype = npio_dtype_ref(f->type->base);
  } else
    v->dtype = npio_dtype_ref(f->type);
  return 1;
}

static int arr_tostring(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  npio_err e = {0};
  char *s;
  if (a->storage == NULL || a->storage->data == NULL) {
    lua_pushliteral(L, "array(<closed>)");
    return 1;
  }
  s = npio_array_repr(a, lnp_printopts(L), 0, &e);
  if (s == NULL) lnp_error(L, "npio.tostring", NULL, &e);
  lua_pushstring(L, s);
  free(s);
  return 1;
}

/* np.array_equal(a, b [, {equal_nan=}]) */
static int np_array_equal(lua_State *L) {
  npio_array *a, *b;
  int equal_nan = lua_istable(L, 3) ? lnp_optbool(L, 3, "equal_nan", 0) : lua_toboolean(L, 3);
  int i, eq = 1;
  a = lnp_asarray(L, 1, NULL);
  b = lnp_asarray(L, 2, NULL);
  if (a->ndim != b->ndim) { lua_pushboolean(L, 0); return 1; }
  for (i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) { lua_pushboolean(L, 0); return 1; }
  {
    const char *pa = lnp_data(L, a), *pb = lnp_data(L, b);
    int64_t idx[NPIO_MAXDIMS] = {0}, n = npio_array_size(a), k;
    int top = lua_gettop(L);
    for (k = 0; k < n && eq; k++) {
      const char *x = pa, *y = pb;
      for (i = 0; i < a->ndim; i++) { x += idx[i] * a->strides[i]; y += idx[i] * b->strides[i]; }
      lnp_pushscalar(L, a->dtype, x);
      lnp_pushscalar(L, b->dtype, y);
      if (lua_type(L, -1) == LUA_TTABLE || lua_type(L, -2) == LUA_TTABLE) {
        /* complex or records: compare the parts */
        lua_getglobal(L, "tostring");
        eq = lua_type(L, -2) == lua_type(L, -3) && lua_istable(L, -2) ?
             (lua_pop(L, 1), 1) : (lua_pop(L, 1), 0);
        if (eq) {
          lua_pushnil(L);
          while (eq && lua_next(L, -3)) {
            lua_pushvalue(L, -2);
            lua_gettable(L, -4);
            eq = lua_compare(L, -1, -2, LUA_OPEQ) ||
                 (equal_nan && lua_tonumber(L, -1) != lua_tonumber(L, -1) &&
                  lua_tonumber(L, -2) != lua_tonumber(L, -2));
            lua_pop(L, 2);
          }
          if (!eq) lua_pop(L, 1);
        }
      } else {
        eq = lua_compare(L, -1, -2, LUA_OPEQ);
        if (!eq && equal_nan && lua_type(L, -1) == LUA_TNUMBER &&
            lua_type(L, -2) == LUA_TNUMBER) {
          lua_Number u = lua_tonumber(L, -1), w = lua_tonumber(L, -2);
          eq = u != u && w != w;
        }
      }
      lua_settop(L, top);
      for (i = a->ndim - 1; i >= 0; i--) {
        if (++idx[i] < a->shape[i]) break;
        idx[i] = 0;
      }
    }
  }
  lua_pushboolean(L, eq);
  return 1;
}

/* np.ascontiguousarray(a) / np.asfortranarray(a) */
static int np_ascontiguousarray(lua_State *L) {
  npio_array *a = lnp_asarray(L, 1, lnp_optdtype(L, 2));
  if (!npio_array_is_c_contiguous(a)) pushcopy(L, a, 0);
  return 1;
}

static int np_asfortranarray(lua_State *L) {
  npio_array *a = lnp_asarray(L, 1, lnp_optdtype(L, 2));
  if (!npio_array_is_f_contiguous(a)) pushcopy(L, a, 1);
  return 1;
}

static int np_asarray(lua_State *L) {
  lnp_asarray(L, 1, lnp_optdtype(L, 2));
  return 1;
}

static const luaL_Reg arr_meth[] = {
  {"reshape", arr_reshape},
  {"transpose", arr_transpose},
  {"astype", arr_astype},
  {"copy", arr_copy},
  {"flatten", arr_flatten},
  {"ravel", arr_ravel},
  {"fill", arr_fill},
  {"byteswap", arr_byteswap},
  {"newbyteorder", arr_newbyteorder},
  {"tolist", arr_tolist},
  {"item", arr_item},
  {"tobytes", arr_tobytes},
  {"tofile", arr_tofile},
  {"field", arr_getfield},
  {"__setall", arr_setall},
  {NULL, NULL}
};

static const luaL_Reg arr_metameth[] = {
  {"__index", arr_index},
  {"__newindex", arr_newindex},
  {"__len", arr_len},
  {"__gc", arr_gc},
  {"__tostring", arr_tostring},
  {NULL, NULL}
};

static const luaL_Reg np_funcs[] = {
  {"array", np_array},
  {"asarray", np_asarray},
  {"ascontiguousarray", np_ascontiguousarray},
  {"asfortranarray", np_asfortranarray},
  {"zeros", np_zeros},
  {"ones", np_ones},
  {"empty", np_empty},
  {"full", np_full},
  {"arange", np_arange},
  {"linspace", np_linspace},
  {"eye", np_eye},
  {"frombuffer", np_frombuffer},
  {"fromfile", np_fromfile},
  {"array_equal", np_array_equal},
  {NULL, NULL}
};

void lnp_open_array(lua_State *L) {
  /* methods live in one table, shared by __index and other subsystems
  ** (which add theirs): metatable.__methods and the registry */
  luaL_newmetatable(L, LNP_ARRAY);
  luaL_setfuncs(L, arr_metameth, 0);
  luaL_newlib(L, arr_meth);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &methods_key);
  lua_setfield(L, -2, "__methods");
  lua_pop(L, 1);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &methods_key);
  luaL_setfuncs(L, np_funcs, 1);   /* into np; upvalue: the methods table */
}

/* }====================================================== */
