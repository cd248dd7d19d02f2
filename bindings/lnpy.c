/*
** lnpy.c -- np.save and np.load. np.load looks at the magic bytes, not
** the name: .npy files load here, zip archives go to the .npz binding and
** mmap_mode to the memory-map binding (each when linked in).
*/
#include "lnpio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int np_save(lua_State *L) {
  FILE *f = lnp_tofile(L, 1);
  int opts = lua_istable(L, 3) ? 3 : 0;
  npio_array *a;
  npio_err e = {0};
  luaL_checkany(L, 2);
  a = lnp_asarray(L, 2, NULL);
  lnp_data(L, a);
  if (f) {
    if (npio_npy_save_file(f, a, &e) != NPIO_OK)
      lnp_error(L, "npio.save", "file", &e);
    return 0;
  }
  {
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    npio_save_opts so;
    if (len < 4 || strcmp(path + len - 4, ".npy") != 0) {
      lua_pushfstring(L, "%s.npy", path);   /* NumPy appends the suffix */
      path = lua_tostring(L, -1);
    }
    lnp_checkpath(L, "npio.save", path);
    so.atomic = lnp_optbool(L, opts, "atomic", 1);
    so.durable = lnp_optbool(L, opts, "durable", 0);
    so.append = lnp_optbool(L, opts, "append", 0);
    if (npio_npy_save_path(path, a, &so, &e) != NPIO_OK)
      lnp_error(L, "npio.save", path, &e);
  }
  return 0;
}

static void load_opts(lua_State *L, int opts, npio_load_opts *lo) {
  lua_Integer mh = lnp_optint(L, opts, "max_header_size",
                              NPIO_DEFAULT_MAX_HEADER);
  if (mh <= 0) luaL_error(L, "npio.load: max_header_size must be positive");
  lo->max_header = (int64_t)mh;
  lo->hook = lnp_memhook(L);
}

/* 1 if the first bytes are a zip's (a local header or an empty
** archive's end record). */
static int is_zip(const unsigned char *m, size_t n) {
  return n >= 4 && m[0] == 'P' && m[1] == 'K' &&
         ((m[2] == 3 && m[3] == 4) || (m[2] == 5 && m[3] == 6));
}

/* Reads up to 6 magic bytes of 'path'; raises naming the cause. */
static size_t read_magic(lua_State *L, const char *path, unsigned char *m) {
  FILE *probe = fopen(path, "rb");
  size_t got;
  if (probe == NULL)
    luaL_error(L, "npio.load: %s: %s", path, strerror(errno));
  got = fread(m, 1, 6, probe);
  if (ferror(probe)) {
    int err = errno;
    fclose(probe);
    luaL_error(L, "npio.load: %s: %s", path, strerror(err));
  }
  fclose(probe);
  return got;
}

static int np_load(lua_State *L) {
  FILE *f = lnp_tofile(L, 1);
  int opts = lua_istable(L, 2) ? 2 : 0;
  npio_load_opts lo;
  npio_err e = {0};
  npio_array *a;
  const char *path;
  unsigned char magic[6] = {0};
  size_t got;
  int mapped;
  load_opts(L, opts, &lo);
  lnp_optfield(L, opts, "mmap_mode");   /* nil and false: a plain load */
  mapped = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (f) {
    /* peek at the magic; archives are read from the whole file */
    long pos = ftell(f);
    if (mapped) luaL_error(L, "npio.load: mmap_mode needs a path, not a file handle");
    got = fread(magic, 1, 4, f);
    if (pos >= 0) fseek(f, pos, SEEK_SET);
    if (is_zip(magic, got)) return lnp_npz_open(L, 1, opts);
    a = lnp_newarray(L);
    if (npio_npy_load_file(f, &lo, a, &e) != NPIO_OK)
      lnp_error(L, "npio.load", "file", &e);
    return 1;
  }
  path = luaL_checkstring(L, 1);
  lnp_checkpath(L, "npio.load", path);
  got = read_magic(L, path, magic);
  if (is_zip(magic, got)) return lnp_npz_open(L, 1, opts);   /* maps members itself */
  if (got >= 1 && magic[0] == 0x80)
    luaL_error(L, "npio.load: %s: this looks like a pickle; npio never "
               "unpickles (allow_pickle cannot change that)", path);
  if (got < 6 || memcmp(magic, "\x93NUMPY", 6) != 0) {
    if (got == 0) luaL_error(L, "npio.load: %s: file is empty", path);
    luaL_error(L, "npio.load: %s: not a .npy or .npz file (unknown magic "
               "string)", path);
  }
  if (mapped) return lnp_npy_mmap(L, 1, opts);
  a = lnp_newarray(L);
  if (npio_npy_load_path(path, &lo, a, &e) != NPIO_OK)
    lnp_error(L, "npio.load", path, &e);
  return 1;
}

static const luaL_Reg np_funcs[] = {
  {"save", np_save},
  {"load", np_load},
  {NULL, NULL}
};

void lnp_open_npy(lua_State *L) {
  luaL_setfuncs(L, np_funcs, 0);
}
