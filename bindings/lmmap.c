/*
** lmmap.c -- memory maps for Lua: np.memmap, np.open_memmap, np.load's
** mmap_mode, and the array methods flush, close and blocks (row blocks
** for data bigger than RAM, with madvise hints).
*/
#include "lnpio.h"

#include <string.h>

static int checkmode(lua_State *L, const char *fn, const char *s) {
  int m = npio_map_mode(s);
  if (m == 0)
    luaL_error(L, "%s: mode must be one of 'r', 'r+', 'w+', 'c' (got '%s')", fn, s);
  return m;
}

/* np.memmap(file, {dtype="uint8", mode="r+", offset=0, shape=, order="C"}) */
static int np_memmap(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  int opts = lua_istable(L, 2) ? 2 : 0;
  const char *modestr = lnp_optstr(L, opts, "mode", "r+");
  int mode = checkmode(L, "npio.memmap", modestr);
  lua_Integer offset = lnp_optint(L, opts, "offset", 0);
  const char *order = lnp_optstr(L, opts, "order", "C");
  npio_dtype *dt;
  int64_t shape[NPIO_MAXDIMS], n = 0, bytes = 0;
  int nd, i, fortran = order[0] == 'F';
  npio_storage *s;
  npio_err e = {0};
  npio_array *a;
  lnp_checkpath(L, "npio.memmap", path);
  if (lnp_optfield(L, opts, "dtype") == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushliteral(L, "uint8");
  }
  dt = lnp_checkdtype(L, -1);
  if (offset < 0) luaL_error(L, "npio.memmap: %s: offset must be non-negative", path);
  if (dt->itemsize == 0) luaL_error(L, "npio.memmap: %s: itemsize cannot be zero", path);
  if (lnp_optfield(L, opts, "shape") == LUA_TNIL) {
    int64_t fsize;
    if (mode == NPIO_MAP_WPLUS)
      luaL_error(L, "npio.memmap: %s: shape must be given in mode 'w+'", path);
    if (npio_file_size(path, &fsize, &e) != NPIO_OK) lnp_error(L, "npio.memmap", path, &e);
    if (offset > fsize)
      luaL_error(L, "npio.memmap: %s: offset %I is past the end of the file (%I bytes)",
                 path, offset, (lua_Integer)fsize);
    if ((fsize - offset) % dt->itemsize != 0)
      luaL_error(L, "npio.memmap: %s: size of available data is not a multiple "
                 "of the data-type size", path);
    nd = 1;
    shape[0] = (fsize - offset) / dt->itemsize;
  } else
    nd = lnp_checkshape(L, lua_gettop(L), shape);
  lua_pop(L, 1);
  if (npio_shape_size(nd, shape, &n, &e) != NPIO_OK ||
      __builtin_mul_overflow(n, dt->itemsize, &bytes))
    luaL_error(L, "npio.memmap: %s: shape is too large", path);
  a = lnp_newarray(L);   /* first: if this raises, nothing is mapped yet */
  if (npio_map_file(path, mode, offset, bytes, &s, &e) != NPIO_OK)
    lnp_error(L, "npio.memmap", path, &e);
  a->storage = s;
  a->dtype = npio_dtype_ref(dt);
  a->ndim = nd;
  for (i = 0; i < nd; i++) a->shape[i] = shape[i];
  npio_contiguous_strides(nd, shape, dt->itemsize, fortran, a->strides);
  return 1;
}

/* np.open_memmap(file, {mode="r+", dtype=, shape=, fortran_order=}) */
static int np_open_memmap(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  int opts = lua_istable(L, 2) ? 2 : 0;
  int mode = checkmode(L, "npio.open_memmap", lnp_optstr(L, opts, "mode", "r+"));
  int fortran = lnp_optbool(L, opts, "fortran_order", 0);
  lua_Integer mh = lnp_optint(L, opts, "max_header_size", NPIO_DEFAULT_MAX_HEADER);
  npio_dtype *dt = NULL;
  int64_t shape[NPIO_MAXDIMS];
  int nd = 0;
  npio_array *a;
  npio_err e = {0};
  lnp_checkpath(L, "npio.open_memmap", path);
  if (mode == NPIO_MAP_WPLUS) {
    if (lnp_optfield(L, opts, "dtype") == LUA_TNIL) {
      lua_pop(L, 1);
      lua_pushliteral(L, "float64");
    }
    dt = lnp_checkdtype(L, -1);
    if (lnp_optfield(L, opts, "shape") == LUA_TNIL)
      luaL_error(L, "npio.open_memmap: %s: shape must be given in mode 'w+'", path);
    nd = lnp_checkshape(L, lua_gettop(L), shape);
    lua_pop(L, 1);
  }
  a = lnp_newarray(L);
  if (npio_npy_open_memmap(path, mode, dt, nd, shape, fortran, (int64_t)mh, a,
                           &e) != NPIO_OK)
    lnp_error(L, "npio.open_memmap", path, &e);
  return 1;
}

/* np.load(path, {mmap_mode=...}) for a .npy (called by lnpy.c) */
int lnp_npy_mmap(lua_State *L, int pathidx, int optsidx) {
  const char *path = luaL_checkstring(L, pathidx);
  const char *ms = lnp_optstr(L, optsidx, "mmap_mode", "r");
  int mode = checkmode(L, "npio.load", ms);
  lua_Integer mh = lnp_optint(L, optsidx, "max_header_size", NPIO_DEFAULT_MAX_HEADER);
  npio_array *a;
  npio_err e = {0};
  if (mode == NPIO_MAP_WPLUS)
    luaL_error(L, "npio.load: %s: mmap_mode 'w+' would truncate the file; use "
               "np.open_memmap to create one", path);
  a = lnp_newarray(L);
  if (npio_npy_open_memmap(path, mode, NULL, 0, NULL, 0, (int64_t)mh, a, &e)
      != NPIO_OK)
    lnp_error(L, "npio.load", path, &e);
  return 1;
}

/* a:flush() -- writes a map's changes to the file (no-op otherwise) */
static int arr_flush(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  npio_err e = {0};
  if (npio_storage_flush(a->storage, &e) != NPIO_OK) lnp_error(L, "npio.flush", NULL, &e);
  return 0;
}

/* a:close() -- unmaps now; later use of the array or any view raises */
static int arr_close(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  if (a->storage == NULL || a->storage->kind != NPIO_MEM_MMAP)
    luaL_error(L, "npio.close: only memory-mapped arrays can be closed");
  npio_storage_close(a->storage);
  return 0;
}

/*
** for i, block in a:blocks(rows) do ... end: views of 'rows' rows at a
** time along the first axis (i is the 1-based first row). For maps it
** advises sequential reading and drops the pages of finished blocks, so a
** pass over a file larger than RAM does not push the machine into swap.
*/
static int blocks_iter(lua_State *L) {
  npio_array *a = lnp_checkarray(L, lua_upvalueindex(1)), *v;
  lua_Integer rows = lua_tointeger(L, lua_upvalueindex(2));
  lua_Integer next = lua_tointeger(L, lua_upvalueindex(3));
  int64_t n = a->ndim ? a->shape[0] : 1, cnt;
  if (next > 1 && a->ndim && a->storage && a->storage->kind == NPIO_MEM_MMAP) {
    /* the block before the one just finished is done with */
    int64_t first = next - 1 - rows, last = next - 1;
    if (first >= 0)
      npio_storage_advise(a->storage, a->offset + first * a->strides[0],
                          (last - first) * a->strides[0], 'd');
  }
  if (next > n) return 0;
  lnp_data(L, a);
  cnt = n - (next - 1) < rows ? n - (next - 1) : rows;
  v = lnp_pushview(L, a);
  if (a->ndim) {
    v->offset += (next - 1) * a->strides[0];
    v->shape[0] = cnt;
  }
  lua_pushinteger(L, next + rows);
  lua_replace(L, lua_upvalueindex(3));
  lua_pushinteger(L, next);
  lua_insert(L, -2);
  return 2;
}

static int arr_blocks(lua_State *L) {
  npio_array *a = lnp_checkarray(L, 1);
  lua_Integer rows = luaL_checkinteger(L, 2);
  if (rows <= 0) luaL_argerror(L, 2, "rows must be positive");
  if (a->ndim == 0) luaL_error(L, "npio.blocks: a 0-d array has no rows");
  lnp_data(L, a);
  if (a->storage->kind == NPIO_MEM_MMAP && a->strides[0] > 0)
    npio_storage_advise(a->storage, a->offset, a->shape[0] * a->strides[0], 's');
  lua_pushvalue(L, 1);
  lua_pushinteger(L, rows);
  lua_pushinteger(L, 1);
  lua_pushcclosure(L, blocks_iter, 3);
  return 1;
}

static const luaL_Reg np_funcs[] = {
  {"memmap", np_memmap},
  {"open_memmap", np_open_memmap},
  {NULL, NULL}
};

static const luaL_Reg arr_meth[] = {
  {"flush", arr_flush},
  {"close", arr_close},
  {"blocks", arr_blocks},
  {NULL, NULL}
};

void lnp_open_mmap(lua_State *L) {
  luaL_setfuncs(L, np_funcs, 0);
  luaL_getmetatable(L, LNP_ARRAY);
  lua_getfield(L, -1, "__methods");
  luaL_setfuncs(L, arr_meth, 0);
  lua_pop(L, 2);
}
