/*
** ldtype.c -- dtype objects for Lua: np.dtype(spec), a.dtype, and the
** conversion of every dtype spelling (strings, structured description
** tables, sequences of column types) into npio_dtype.
*/
#include "lnpio.h"

#include <string.h>

typedef struct LDtype { npio_dtype *d; } LDtype;

void lnp_pushdtype(lua_State *L, npio_dtype *d) {
  LDtype *u = (LDtype *)lua_newuserdatauv(L, sizeof(LDtype), 0);
  u->d = NULL;
  luaL_setmetatable(L, LNP_DTYPE);
  u->d = npio_dtype_ref(d);
}

static npio_dtype *todtype(lua_State *L, int idx) {
  LDtype *u = (LDtype *)luaL_testudata(L, idx, LNP_DTYPE);
  return u ? u->d : NULL;
}

static npio_dtype *fromspec(lua_State *L, int idx, int depth);

/* Reads a subarray shape (integer or sequence) at the top of the stack. */
static int subshape(lua_State *L, int64_t *shape) {
  int top = lua_gettop(L);
  int n = lnp_checkshape(L, top, shape);
  return n;
}

/*
** A structured description: { {name, dtype[, shape]}, ... } or a plain
** sequence of dtype strings (column types: fields f0, f1, ...).
*/
static npio_dtype *fromtable(lua_State *L, int idx, int depth) {
  int n = (int)luaL_len(L, idx), i;
  npio_err e = {0};
  npio_dtype *d;
  const char **names;
  npio_dtype **types;
  if (depth > 32) luaL_error(L, "npio.dtype: structured dtype nested too deeply");
  if (n == 0) luaL_error(L, "npio.dtype: structured dtype with no fields");
  names = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)n, 0);
  types = (npio_dtype **)lua_newuserdatauv(L, sizeof(npio_dtype *) * (size_t)n, 0);
  for (i = 0; i < n; i++) {
    int t;
    luaL_checkstack(L, 8, "too many fields");
    t = lua_geti(L, idx, i + 1);           /* the field spec */
    int fi = lua_gettop(L);
    if (t == LUA_TSTRING || todtype(L, fi)) {
      /* column type list: name f<i> */
      lua_pushfstring(L, "f%d", i);
      lua_replace(L, fi);                  /* keep the name anchored */
      lua_geti(L, idx, i + 1);
      names[i] = lua_tostring(L, fi);
      types[i] = fromspec(L, lua_gettop(L), depth + 1);
      /* the converted dtype object stays on the stack as an anchor */
      continue;
    }
    if (t != LUA_TTABLE)
      luaL_error(L, "npio.dtype: field %d must be {name, dtype[, shape]}", i + 1);
    lua_geti(L, fi, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "npio.dtype: field %d has no name", i + 1);
    names[i] = lua_tostring(L, -1);
    lua_geti(L, fi, 2);
    types[i] = fromspec(L, lua_gettop(L), depth + 1);
    if (lua_geti(L, fi, 3) != LUA_TNIL) {
      int64_t shape[NPIO_MAXDIMS];
      int nd = subshape(L, shape);
      npio_dtype *sub = npio_dtype_subarray(types[i], nd, shape, &e);
      if (sub == NULL) lnp_error(L, "npio.dtype", NULL, &e);
      lnp_pushdtype(L, sub);
      npio_dtype_unref(sub);
      types[i] = todtype(L, -1);
    }
  }
  d = npio_dtype_struct(n, names, types, &e);
  if (d == NULL) lnp_error(L, "npio.dtype", NULL, &e);
  return d;  /* a new reference; the caller anchors it */
}

/* Returns a new reference for the spec at idx. */
static npio_dtype *fromspec(lua_State *L, int idx, int depth) {
  npio_dtype *d = todtype(L, idx);
  npio_err e = {0};
  if (d) return d;   /* already anchored */
  if (lua_type(L, idx) == LUA_TSTRING) {
    d = npio_dtype_parse(lua_tostring(L, idx), &e);
    if (d == NULL) lnp_error(L, "npio.dtype", NULL, &e);
  } else if (lua_istable(L, idx)) {
    d = fromtable(L, idx, depth);
  } else {
    luaL_typeerror(L, idx, "dtype (string or table)");
    return NULL;
  }
  lnp_pushdtype(L, d);          /* anchor: the object owns a reference */
  npio_dtype_unref(d);
  lua_replace(L, idx);
  return todtype(L, idx);
}

npio_dtype *lnp_checkdtype(lua_State *L, int idx) {
  int top = lua_gettop(L);
  npio_dtype *d;
  idx = lua_absindex(L, idx);
  d = fromspec(L, idx, 0);
  lua_settop(L, top);
  return d;
}

npio_dtype *lnp_optdtype(lua_State *L, int idx) {
  if (lua_isnoneornil(L, idx)) return NULL;
  return lnp_checkdtype(L, idx);
}

/* {======================================================
** The dtype object's methods and fields
** ======================================================= */

static npio_dtype *checkdt(lua_State *L, int idx) {
  return ((LDtype *)luaL_checkudata(L, idx, LNP_DTYPE))->d;
}

static int dt_gc(lua_State *L) {
  LDtype *u = (LDtype *)luaL_checkudata(L, 1, LNP_DTYPE);
  npio_dtype_unref(u->d);
  u->d = NULL;
  return 0;
}

static void pushstr(lua_State *L, npio_dtype *d, int descr) {
  char small[256];
  size_t cap = sizeof(small);
  int64_t n = descr ? npio_dtype_descr(d, small, cap) : npio_dtype_str(d, small, cap);
  if (n >= 0) { lua_pushlstring(L, small, (size_t)n); return; }
  for (cap = 1 << 12; cap < ((size_t)1 << 31); cap *= 4) {  /* long names */
    char *big = (char *)lua_newuserdatauv(L, cap, 0);
    n = descr ? npio_dtype_descr(d, big, cap) : npio_dtype_str(d, big, cap);
    if (n >= 0) {
      lua_pushlstring(L, big, (size_t)n);
      lua_remove(L, -2);
      return;
    }
    lua_pop(L, 1);
  }
  luaL_error(L, "npio.dtype: description too long");
}

static int dt_tostring(lua_State *L) {
  pushstr(L, checkdt(L, 1), 0);
  return 1;
}

static int dt_eq(lua_State *L) {
  npio_dtype *a = todtype(L, 1), *b = todtype(L, 2);
  lua_pushboolean(L, a && b && npio_dtype_equal(a, b));
  return 1;
}

static const char *kindname(npio_dtype *d) {
  switch (d->kind) {
    case 'b': return "bool";
    case 'i': return "int";
    case 'u': return "uint";
    case 'f': return "float";
    case 'c': return "complex";
    case 'S': return "bytes";
    case 'U': return "str";
    case 'M': return "datetime64";
    case 'm': return "timedelta64";
    default: return "void";
  }
}

static int dt_index(lua_State *L) {
  npio_dtype *d = checkdt(L, 1);
  const char *k = luaL_checkstring(L, 2);
  int i;
  if (strcmp(k, "itemsize") == 0) lua_pushinteger(L, (lua_Integer)d->itemsize);
  else if (strcmp(k, "kind") == 0) lua_pushlstring(L, &d->kind, 1);
  else if (strcmp(k, "byteorder") == 0) {
    char o = d->order == '|' ? '|' : npio_dtype_isnative(d) ? '=' : d->order;
    lua_pushlstring(L, &o, 1);
  } else if (strcmp(k, "str") == 0 || strcmp(k, "descr") == 0) pushstr(L, d, 1);
  else if (strcmp(k, "name") == 0) {
    if (d->nfields || d->base || d->kind == 'V')
      lua_pushfstring(L, "void%d", (int)(d->itemsize * 8));
    else if (d->kind == 'b') lua_pushliteral(L, "bool");
    else if (d->kind == 'S' || d->kind == 'U')
      lua_pushfstring(L, "%s%d", d->kind == 'S' ? "bytes" : "str",
                      (int)(d->itemsize * 8));
    else if (d->kind == 'M' || d->kind == 'm') {
      if (d->unit[0]) lua_pushfstring(L, "%s[%s]", kindname(d), d->unit);
      else lua_pushstring(L, kindname(d));
    } else
      lua_pushfstring(L, "%s%d", kindname(d), (int)(d->itemsize * 8));
  } else if (strcmp(k, "names") == 0) {
    if (d->nfields == 0) { lua_pushnil(L); return 1; }
    lua_createtable(L, d->nfields, 0);
    for (i = 0; i < d->nfields; i++) {
      lua_pushstring(L, d->fields[i].name);
      lua_rawseti(L, -2, i + 1);
    }
  } else if (strcmp(k, "fields") == 0) {
    if (d->nfields == 0) { lua_pushnil(L); return 1; }
    lua_createtable(L, 0, d->nfields);
    for (i = 0; i < d->nfields; i++) {
      lua_createtable(L, 2, 0);
      lnp_pushdtype(L, d->fields[i].type);
      lua_rawseti(L, -2, 1);
      lua_pushinteger(L, (lua_Integer)d->fields[i].offset);
      lua_rawseti(L, -2, 2);
      lua_setfield(L, -2, d->fields[i].name);
    }
  } else if (strcmp(k, "shape") == 0) {
    lua_createtable(L, d->sub_ndim, 0);
    for (i = 0; i < d->sub_ndim; i++) {
      lua_pushinteger(L, (lua_Integer)d->sub_shape[i]);
      lua_rawseti(L, -2, i + 1);
    }
  } else if (strcmp(k, "base") == 0) lnp_pushdtype(L, d->base ? d->base : d);
  else if (strcmp(k, "isnative") == 0) lua_pushboolean(L, npio_dtype_isnative(d));
  else if (strcmp(k, "newbyteorder") == 0) {
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__newbyteorder");
  } else
    lua_pushnil(L);
  return 1;
}

/* d:newbyteorder([order]): '<', '>', '=' or 'S' (swap, the default). */
static int dt_newbyteorder(lua_State *L) {
  npio_dtype *d = checkdt(L, 1), *r;
  const char *o = luaL_optstring(L, 2, "S");
  char order = o[0];
  if (order == 'S' || order == 's')
    order = d->order == '<' ? '>' : d->order == '>' ? '<' : '|';
  if (order == '|') { lnp_pushdtype(L, d); return 1; }
  if (!strchr("<>=", order)) luaL_argerror(L, 2, "byte order must be <, >, = or S");
  r = npio_dtype_with_order(d, order);
  if (r == NULL) luaL_error(L, "npio.dtype: out of memory");
  lnp_pushdtype(L, r);
  npio_dtype_unref(r);
  return 1;
}

static int np_dtype(lua_State *L) {
  lnp_pushdtype(L, lnp_checkdtype(L, 1));
  return 1;
}

static const luaL_Reg dt_meta[] = {
  {"__gc", dt_gc},
  {"__tostring", dt_tostring},
  {"__eq", dt_eq},
  {"__index", dt_index},
  {"__newbyteorder", dt_newbyteorder},
  {NULL, NULL}
};

void lnp_open_dtype(lua_State *L) {
  luaL_newmetatable(L, LNP_DTYPE);
  luaL_setfuncs(L, dt_meta, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, np_dtype);
  lua_setfield(L, -2, "dtype");
}

/* }====================================================== */
