/*
** lnpz.c -- .npz archives in Lua: np.savez, np.savez_compressed, the
** NpzFile handle that np.load returns for zip files, and np.info.
**
** Longjmp discipline: every C resource (an open archive, a writer) lives
** in a userdata whose __gc frees it, so an error raised at any point
** leaks nothing; the C core itself never raises. Calls into Lua made
** while the core works (progress callbacks, the --timeout check) run
** under lua_pcall and turn an error into a status the core returns.
*/
#include "lnpio.h"
#include "npio.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* {======================================================
** The NpzFile handle
** ======================================================= */

typedef struct LNpz {
  npio_npz *z;           /* NULL once closed */
  int mmap_mode;         /* 0, 'r' or 'c' */
  int64_t max_header;
} LNpz;

/* user values of the handle */
#define UV_FILES 1
#define UV_PATH 2

static LNpz *checknpz(lua_State *L, int idx) {
  return (LNpz *)luaL_checkudata(L, idx, LNP_NPZFILE);
}

/* The open handle at idx; raises "attempt to use a closed NpzFile". */
static LNpz *checkopen(lua_State *L, int idx) {
  LNpz *u = checknpz(L, idx);
  if (u->z == NULL) luaL_error(L, "attempt to use a closed NpzFile");
  return u;
}

/* The path shown in messages (pushes nothing). */
static const char *npz_path(lua_State *L, int idx) {
  const char *p;
  lua_getiuservalue(L, idx, UV_PATH);
  p = lua_tostring(L, -1);
  lua_pop(L, 1);   /* the string stays anchored in the user value */
  return p ? p : "archive";
}

/* Frees the archive once; close(), __close and __gc all come here. */
static int npz_close(lua_State *L) {
  LNpz *u = checknpz(L, 1);
  npio_npz *z = u->z;
  u->z = NULL;                     /* cleared before releasing */
  npio_npz_close(z);
  return 0;
}

/* The member a key names, or raises NumPy's KeyError message. */
static int64_t findkey(lua_State *L, LNpz *u, int idx, int kidx) {
  size_t len;
  const char *k = luaL_checklstring(L, kidx, &len);
  int64_t i = npio_npz_find(u->z, k, len);
  if (i < 0)
    luaL_error(L, "npio.load: %s: '%s' is not a file in the archive",
               npz_path(L, idx), k);
  return i;
}

/*
** Pushes member i: an array for a .npy member, a string otherwise (as
** NumPy returns bytes). Reads straight into the new array's memory.
*/
static void pushmember(lua_State *L, LNpz *u, int idx, int64_t i) {
  npio_load_opts lo;
  npio_err e = {0};
  int is_array = 0;
  npio_array *a = lnp_newarray(L);
  lo.max_header = u->max_header;
  lo.hook = lnp_memhook(L);
  if (npio_npz_read(u->z, i, &lo, u->mmap_mode, a, &is_array, &e) != NPIO_OK)
    lnp_error(L, "npio.load", npz_path(L, idx), &e);
  if (!is_array) {
    luaL_Buffer b;
    int64_t n = npio_npz_member_size(u->z, i);
    char *p;
    lua_pop(L, 1);
    if ((uint64_t)n > (uint64_t)(SIZE_MAX / 2))
      luaL_error(L, "npio.load: %s: member too large", npz_path(L, idx));
    p = luaL_buffinitsize(L, &b, (size_t)n);
    if (npio_npz_read_bytes(u->z, i, p, &e) != NPIO_OK)
      lnp_error(L, "npio.load", npz_path(L, idx), &e);
    luaL_pushresultsize(&b, (size_t)n);
  }
}

/* z:get(name): always reads a member, whatever its name. */
static int npz_get(lua_State *L) {
  LNpz *u = checkopen(L, 1);
  pushmember(L, u, 1, findkey(L, u, 1, 2));
  return 1;
}

static const char *method_name(int m) {
  return m == 0 ? "stored" : m == 8 ? "deflated" : "unknown";
}

/* Pushes the info table of member i (header only, no data read). */
static void pushinfo(lua_State *L, LNpz *u, int idx, int64_t i) {
  npio_npz_info in;
  npio_load_opts lo;
  npio_err e = {0};
  size_t n;
  const char *s;
  char dt[1024];
  int k;
  lo.max_header = u->max_header;
  lo.hook = NULL;
  if (npio_npz_stat(u->z, i, &lo, &in, &e) != NPIO_OK)
    lnp_error(L, "npio.load", npz_path(L, idx), &e);
  if (in.is_array && npio_dtype_str(in.dtype, dt, sizeof(dt)) < 0)
    snprintf(dt, sizeof(dt), "(structured)");
  npio_npz_info_free(&in);             /* nothing below can fail in C */
  lua_createtable(L, 0, 10);
  s = npio_npz_key(u->z, i, &n);
  lua_pushlstring(L, s, n);
  lua_setfield(L, -2, "name");
  s = npio_npz_member(u->z, i, &n);
  lua_pushlstring(L, s, n);
  lua_setfield(L, -2, "member");
  if (in.is_array) {
    lua_pushstring(L, dt);
    lua_setfield(L, -2, "dtype");
    lua_createtable(L, in.ndim, 0);
    for (k = 0; k < in.ndim; k++) {
      lua_pushinteger(L, (lua_Integer)in.shape[k]);
      lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "shape");
    lua_pushboolean(L, in.fortran_order);
    lua_setfield(L, -2, "fortran_order");
  }
  lua_pushinteger(L, (lua_Integer)in.nbytes);
  lua_setfield(L, -2, "nbytes");
  lua_pushinteger(L, (lua_Integer)in.size);
  lua_setfield(L, -2, "size");
  lua_pushinteger(L, (lua_Integer)in.compressed_size);
  lua_setfield(L, -2, "compressed_size");
  lua_pushstring(L, method_name(in.method));
  lua_setfield(L, -2, "method");
  lua_pushinteger(L, (lua_Integer)in.offset);
  lua_setfield(L, -2, "offset");
}

static int npz_info(lua_State *L) {
  LNpz *u = checkopen(L, 1);
  pushinfo(L, u, 1, findkey(L, u, 1, 2));
  return 1;
}

/* __index: the handle's own names first, then members. */
static int npz_index(lua_State *L) {
  LNpz *u = checknpz(L, 1);
  const char *k;
  if (lua_type(L, 2) != LUA_TSTRING)   /* before lua_tostring converts it */
    return luaL_error(L, "npio.NpzFile: member names are strings (got %s)",
                      luaL_typename(L, 2));
  k = lua_tostring(L, 2);
  if (strcmp(k, "files") == 0) {
    checkopen(L, 1);
    lua_getiuservalue(L, 1, UV_FILES);
    return 1;
  }
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;  /* method */
  lua_pop(L, 1);
  if (u->z == NULL) luaL_error(L, "attempt to use a closed NpzFile");
  pushmember(L, u, 1, findkey(L, u, 1, 2));
  return 1;
}

static int npz_len(lua_State *L) {
  LNpz *u = checkopen(L, 1);
  lua_pushinteger(L, (lua_Integer)npio_npz_count(u->z));
  return 1;
}

/* The pairs iterator: keeps its position in an upvalue, so members
** whose keys repeat (x and x.npy) are all visited. */
static int npz_iter(lua_State *L) {
  LNpz *u = checkopen(L, 1);
  lua_Integer i = lua_tointeger(L, lua_upvalueindex(1));
  size_t n;
  const char *k;
  if (i >= (lua_Integer)npio_npz_count(u->z)) return 0;
  lua_pushinteger(L, i + 1);
  lua_replace(L, lua_upvalueindex(1));
  k = npio_npz_key(u->z, (int64_t)i, &n);
  lua_pushlstring(L, k, n);
  pushmember(L, u, 1, (int64_t)i);
  return 2;
}

static int npz_pairs(lua_State *L) {
  checkopen(L, 1);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, npz_iter, 1);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

/* NumPy 2's repr: NpzFile 'f.npz' with keys: a, b, c, d, e... */
static int npz_tostring(lua_State *L) {
  LNpz *u = checknpz(L, 1);
  luaL_Buffer b;
  int64_t i, n;
  if (u->z == NULL) {
    lua_pushliteral(L, "NpzFile (closed)");
    return 1;
  }
  luaL_buffinit(L, &b);
  lua_pushfstring(L, "NpzFile '%s' with keys: ", npz_path(L, 1));
  luaL_addvalue(&b);
  n = npio_npz_count(u->z);
  for (i = 0; i < n && i < 5; i++) {
    size_t len;
    const char *k = npio_npz_key(u->z, i, &len);
    if (i) luaL_addstring(&b, ", ");
    luaL_addlstring(&b, k, len);
  }
  if (n > 5) luaL_addstring(&b, "...");
  luaL_pushresult(&b);
  return 1;
}

static const luaL_Reg npz_meth[] = {
  {"get", npz_get},
  {"info", npz_info},
  {"close", npz_close},
  {NULL, NULL}
};

static const luaL_Reg npz_metameth[] = {
  {"__len", npz_len},
  {"__pairs", npz_pairs},
  {"__close", npz_close},
  {"__gc", npz_close},
  {"__tostring", npz_tostring},
  {NULL, NULL}
};

/* The mmap mode of np.load's options for archive members. */
static int member_mmap_mode(lua_State *L, int opts, const char *path) {
  int t = lnp_optfield(L, opts, "mmap_mode"), m;
  const char *s;
  if (t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
    lua_pop(L, 1);
    return NPIO_MMAP_NONE;
  }
  s = lua_tostring(L, -1);
  if (t != LUA_TSTRING) luaL_error(L, "npio.load: mmap_mode must be a string");
  if (strcmp(s, "r") == 0 || strcmp(s, "readonly") == 0) m = NPIO_MMAP_READ;
  else if (strcmp(s, "c") == 0 || strcmp(s, "copyonwrite") == 0)
    m = NPIO_MMAP_COPY;
  else if (strcmp(s, "r+") == 0 || strcmp(s, "w+") == 0 ||
           strcmp(s, "readwrite") == 0 || strcmp(s, "write") == 0)
    return luaL_error(L, "npio.load: %s: mmap_mode '%s' cannot map archive "
                      "members (writing would break their CRC); use 'r' or "
                      "'c'", path, s);
  else
    return luaL_error(L, "npio.load: mmap_mode '%s' is not one of 'r', "
                      "'r+', 'w+', 'c'", s);
  lua_pop(L, 1);
  return m;
}

int lnp_npz_open(lua_State *L, int pathidx, int optsidx) {
  FILE *f;
  const char *path;
  LNpz *u;
  npio_err e = {0};
  int64_t i, n;
  lua_Integer mh;
  int st, mode;
  pathidx = lua_absindex(L, pathidx);
  if (optsidx) optsidx = lua_absindex(L, optsidx);
  f = lnp_tofile(L, pathidx);
  path = f ? "file" : luaL_checkstring(L, pathidx);
  if (!f) lnp_checkpath(L, "npio.load", path);
  mode = member_mmap_mode(L, optsidx, path);
  mh = lnp_optint(L, optsidx, "max_header_size", NPIO_DEFAULT_MAX_HEADER);
  if (mh <= 0) luaL_error(L, "npio.load: max_header_size must be positive");
  u = (LNpz *)lua_newuserdatauv(L, sizeof(LNpz), 2);
  u->z = NULL;
  u->mmap_mode = mode;
  u->max_header = (int64_t)mh;
  luaL_setmetatable(L, LNP_NPZFILE);
  lua_pushstring(L, path);
  lua_setiuservalue(L, -2, UV_PATH);
  st = f ? npio_npz_open_fd(fileno(f), &u->z, &e)
         : npio_npz_open(path, &u->z, &e);
  if (st != NPIO_OK) lnp_error(L, "npio.load", path, &e);
  n = npio_npz_count(u->z);
  lua_createtable(L, n < 1 << 24 ? (int)n : 0, 0);
  for (i = 0; i < n; i++) {
    size_t len;
    const char *k = npio_npz_key(u->z, i, &len);
    lua_pushlstring(L, k, len);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setiuservalue(L, -2, UV_FILES);
  return 1;
}

/* }====================================================== */

/* {======================================================
** np.savez / np.savez_compressed
** ======================================================= */

/* The writer lives in a box: __gc/__close free it (removing the
** temporary file if it was not committed). */
typedef struct WBox { npio_npz_writer *w; } WBox;

static int wbox_gc(lua_State *L) {
  WBox *b = (WBox *)lua_touserdata(L, 1);
  if (b && b->w) {
    npio_npz_writer *w = b->w;
    b->w = NULL;
    npio_npz_writer_free(w);
  }
  return 0;
}

/* Frees the box's writer now (before raising an error). */
static void wbox_gc_at(lua_State *L, WBox *b) {
  (void)L;
  if (b->w) {
    npio_npz_writer *w = b->w;
    b->w = NULL;
    npio_npz_writer_free(w);
  }
}

static WBox *newwbox(lua_State *L) {
  WBox *b = (WBox *)lua_newuserdatauv(L, sizeof(WBox), 0);
  b->w = NULL;
  if (luaL_newmetatable(L, "npio.npzwriter")) {
    lua_pushcfunction(L, wbox_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, wbox_gc);
    lua_setfield(L, -2, "__close");
  }
  lua_setmetatable(L, -2);
  return b;
}

/* Progress: a bar on a terminal, or the caller's function; both checked
** against the --timeout deadline. Runs Lua only under lua_pcall. */
typedef struct progress {
  lua_State *L;
  const char *fn;
  int func;              /* stack index of opts.progress, or 0 */
  int bar;               /* draw a bar on stderr */
  int drawn;
  double t0, last;
  int failed;            /* an error value sits in the registry */
} progress;

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int deadline_check(lua_State *L) {
  lnp_checkdeadline(L, lua_tostring(L, 1));
  return 0;
}

static int call_progress(lua_State *L) {
  lua_call(L, 2, 0);
  return 0;
}

static int on_progress(void *ud, int64_t done, int64_t total) {
  progress *p = (progress *)ud;
  lua_State *L = p->L;
  double t = now_sec();
  lua_pushcfunction(L, deadline_check);
  lua_pushstring(L, p->fn);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) goto failed;
  if (p->func) {
    lua_pushcfunction(L, call_progress);
    lua_pushvalue(L, p->func);
    lua_pushinteger(L, (lua_Integer)done);
    lua_pushinteger(L, (lua_Integer)total);
    if (lua_pcall(L, 3, 0, 0) != LUA_OK) goto failed;
  } else if (p->bar && t - p->t0 > 1.0 &&
             (t - p->last > 0.1 || done == total)) {
    double rate = done / (t - p->t0);
    double left = rate > 0 ? (total - done) / rate : 0;
    fprintf(stderr, "\r%s: %.1f / %.1f MB  %.1f MB/s  %.0f s left  ", p->fn,
            done / 1e6, total / 1e6, rate / 1e6, left);
    fflush(stderr);
    p->drawn = 1;
    p->last = t;
  }
  return 0;
failed:
  lua_setfield(L, LUA_REGISTRYINDEX, "npio.npz.progress_error");
  p->failed = 1;
  return 1;
}

/* A member to write: its name and where its array sits on the stack. */
typedef struct pending {
  const char *name;
  size_t len;
  int holder_idx;        /* index in the holder table */
  int positional;
} pending;

static int cmp_pending(const void *a, const void *b) {
  const pending *x = (const pending *)a, *y = (const pending *)b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->name, y->name, n);
  if (c) return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

/* 1 if the table at idx looks like {name, array} pairs. */
static int is_pairlist(lua_State *L, int idx) {
  int r = 0;
  if (lua_rawgeti(L, idx, 1) == LUA_TTABLE && lnp_toarray(L, -1) == NULL) {
    r = lua_rawgeti(L, -1, 1) == LUA_TSTRING && lua_rawlen(L, -2) == 2;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return r;
}

/*
** savez(file, arrays [, opts]). Phase 1 reads the arguments and converts
** every value to an array (which may raise); phase 2 writes without
** calling Lua except through pcall'd progress callbacks.
*/
static int do_savez(lua_State *L, int compress) {
  const char *fn = compress ? "npio.savez_compressed" : "npio.savez";
  FILE *f = lnp_tofile(L, 1);
  const char *path = NULL, *mode;
  int opts = lua_istable(L, 3) ? 3 : 0, holder, pairs, st;
  npio_npz_save_opts so;
  npio_err e = {0};
  pending *pl;
  size_t np = 0, cap = 0, k, npos = 0;
  progress pr;
  WBox *box;
  lua_Integer level;
  luaL_checktype(L, 2, LUA_TTABLE);
  if (!f) {
    size_t len;
    path = luaL_checklstring(L, 1, &len);
    if (len < 4 || strcmp(path + len - 4, ".npz") != 0) {
      lua_pushfstring(L, "%s.npz", path);   /* NumPy appends the suffix */
      lua_replace(L, 1);
      path = lua_tostring(L, 1);
    }
    lnp_checkpath(L, fn, path);
  }
  npio_npz_save_opts_init(&so);
  so.compress = compress;
  level = lnp_optint(L, opts, "level", 6);
  if (compress && (level < 0 || level > 12))
    luaL_error(L, "%s: level must be 0..12 (got %d)", fn, (int)level);
  so.level = compress ? (int)level : 6;
  mode = lnp_optstr(L, opts, "mode", "w");
  if (strcmp(mode, "w") != 0 && strcmp(mode, "a") != 0)
    luaL_error(L, "%s: mode must be \"w\" or \"a\" (got \"%s\")", fn, mode);
  so.append = mode[0] == 'a';
  so.atomic = lnp_optbool(L, opts, "atomic", 1);
  so.durable = lnp_optbool(L, opts, "durable", 0);
  so.force_zip64 = lnp_optbool(L, opts, "zip64", 0);
  so.threads = (int)lnp_optint(L, opts, "threads", 0);
  if (so.threads < 0 || so.threads > 64)
    luaL_error(L, "%s: threads must be 0..64", fn);
  if (so.append && f) luaL_error(L, "%s: mode \"a\" needs a path", fn);
  /* progress: false, a function, or nil (a bar on a terminal) */
  memset(&pr, 0, sizeof(pr));
  pr.L = L;
  pr.fn = fn;
  if (lnp_optfield(L, opts, "progress") == LUA_TFUNCTION) {
    pr.func = lua_gettop(L);
  } else {
    pr.bar = !(lua_isboolean(L, -1) && !lua_toboolean(L, -1)) && isatty(2);
  }
  /* phase 1: every member as an array, kept alive in 'holder' */
  lua_newtable(L);
  holder = lua_gettop(L);
  pairs = is_pairlist(L, 2);
  {
    lua_Integer n = (lua_Integer)lua_rawlen(L, 2), i;
    pl = (pending *)lua_newuserdatauv(L, sizeof(pending) * (size_t)(n + 1), 0);
    cap = (size_t)n + 1;
    for (i = 1; i <= n; i++) {
      if (pairs) {
        if (lua_rawgeti(L, 2, i) != LUA_TTABLE || lnp_toarray(L, -1) ||
            lua_rawgeti(L, -1, 1) != LUA_TSTRING)
          luaL_error(L, "%s: arrays[%d] must be a {name, array} pair", fn,
                     (int)i);
        lua_rawgeti(L, -2, 2);
        lnp_data(L, lnp_asarray(L, -1, NULL));   /* raises if closed */
        lua_rawseti(L, holder, (lua_Integer)np + 1);
        lua_pop(L, 1);                       /* the raw value */
        pl[np].name = lua_tolstring(L, -1, &pl[np].len);
        lua_rawseti(L, holder, -(lua_Integer)np - 1);  /* anchor the name */
        lua_pop(L, 1);
        pl[np].holder_idx = (int)np + 1;
        pl[np].positional = 0;
      } else {
        lua_rawgeti(L, 2, i);
        lnp_data(L, lnp_asarray(L, -1, NULL));
        lua_rawseti(L, holder, (lua_Integer)np + 1);
        lua_pop(L, 1);
        pl[np].name = NULL;
        pl[np].len = 0;
        pl[np].holder_idx = (int)np + 1;
        pl[np].positional = 1;
        npos++;
      }
      np++;
    }
  }
  /* named members: string keys, sorted by their bytes */
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    if (lua_type(L, -2) == LUA_TNUMBER && lua_isinteger(L, -2) &&
        lua_tointeger(L, -2) >= 1 &&
        lua_tointeger(L, -2) <= (lua_Integer)lua_rawlen(L, 2)) {
      lua_pop(L, 1);
      continue;
    }
    if (lua_type(L, -2) != LUA_TSTRING)
      luaL_error(L, "%s: arrays: key %s is neither a position (1..%d) nor a "
                 "name", fn, luaL_tolstring(L, -2, NULL),
                 (int)lua_rawlen(L, 2));
    if (pairs)
      luaL_error(L, "%s: arrays mixes {name, array} pairs with named arrays",
                 fn);
    if (np == cap) {
      pending *nl;
      cap *= 2;
      nl = (pending *)lua_newuserdatauv(L, sizeof(pending) * cap, 0);
      memcpy(nl, pl, sizeof(pending) * np);
      lua_replace(L, holder + 1);             /* the old block is dropped */
      pl = nl;
    }
    lnp_data(L, lnp_asarray(L, -1, NULL));
    lua_rawseti(L, holder, (lua_Integer)np + 1);
    lua_pop(L, 1);
    pl[np].name = lua_tolstring(L, -1, &pl[np].len);
    pl[np].holder_idx = (int)np + 1;
    pl[np].positional = 0;
    np++;
  }
  if (!pairs) qsort(pl + npos, np - npos, sizeof(pending), cmp_pending);
  if (!so.append) {
    /* NumPy's clash check, before anything is written */
    for (k = 0; k < npos; k++) {
      char name[40];
      pending key;
      key.name = name;
      key.len = (size_t)snprintf(name, sizeof(name), "arr_%lld", (long long)k);
      if (bsearch(&key, pl + npos, np - npos, sizeof(pending), cmp_pending))
        luaL_error(L, "%s: cannot use un-named variables and keyword %s", fn,
                   name);
    }
  }
  /* phase 2: the writer. The core calls the progress hook on this thread
  ** only; it also checks the --timeout deadline between pieces. */
  pr.t0 = pr.last = now_sec();
  so.progress = on_progress;
  so.progress_ud = &pr;
  box = newwbox(L);
  st = f ? npio_npz_writer_open_file(f, &so, &box->w, &e)
         : npio_npz_writer_open(path, &so, &box->w, &e);
  if (st != NPIO_OK) lnp_error(L, fn, path ? path : "file", &e);
  {
    lua_Integer next = 0;   /* positional names: arr_0, arr_1, ... */
    for (k = 0; k < np; k++) {
      npio_array *a;
      char name[40];
      const char *nm = pl[k].name;
      size_t len = pl[k].len;
      if (pl[k].positional) {
        for (;;) {
          pending key;
          int clash;
          len = (size_t)snprintf(name, sizeof(name), "arr_%lld",
                                 (long long)next);
          key.name = name;
          key.len = len;
          clash = bsearch(&key, pl + npos, np - npos, sizeof(pending),
                          cmp_pending) != NULL;
          memcpy(name + len, ".npy", 5);
          /* appending: positional arrays take the next free arr_N */
          if (!clash &&
              !(so.append && npio_npz_writer_has(box->w, name, len + 4)))
            break;
          next++;
        }
        next++;
        nm = name;
      }
      lua_rawgeti(L, holder, pl[k].holder_idx);
      a = lnp_toarray(L, -1);
      if (npio_npz_writer_add(box->w, nm, len, a, &e) != NPIO_OK) {
        wbox_gc_at(L, box);          /* removes the temporary file now */
        lnp_error(L, fn, path ? path : "file", &e);
      }
      lua_pop(L, 1);
    }
  }
  st = npio_npz_writer_commit(box->w, &e);
  npio_npz_writer_free(box->w);
  box->w = NULL;
  if (pr.drawn) fprintf(stderr, "\r\033[K");
  if (pr.failed) {
    lua_getfield(L, LUA_REGISTRYINDEX, "npio.npz.progress_error");
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "npio.npz.progress_error");
    return lua_error(L);
  }
  if (st != NPIO_OK) lnp_error(L, fn, path ? path : "file", &e);
  return 0;
}

static int np_savez(lua_State *L) { return do_savez(L, 0); }
static int np_savez_compressed(lua_State *L) { return do_savez(L, 1); }

/* }====================================================== */

/* {======================================================
** np.info
** ======================================================= */

/* An .npy's header through a FILE. */
static int64_t fread_read(void *ud, void *buf, size_t n) {
  FILE *f = (FILE *)ud;
  size_t k = fread(buf, 1, n, f);
  if (k == 0 && ferror(f)) return -1;
  return (int64_t)k;
}

/* A box for a FILE* (closed by __gc / __close if an error is raised). */
static int fbox_gc(lua_State *L) {
  FILE **b = (FILE **)lua_touserdata(L, 1);
  if (b && *b) {
    fclose(*b);
    *b = NULL;
  }
  return 0;
}

static FILE **newfbox(lua_State *L) {
  FILE **b = (FILE **)lua_newuserdatauv(L, sizeof(FILE *), 0);
  *b = NULL;
  if (luaL_newmetatable(L, "npio.infofile")) {
    lua_pushcfunction(L, fbox_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return b;
}

static int np_info(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  int opts = lua_istable(L, 2) ? 2 : 0;
  lua_Integer mh = lnp_optint(L, opts, "max_header_size",
                              NPIO_DEFAULT_MAX_HEADER);
  unsigned char magic[6] = {0};
  size_t got;
  FILE **fb;
  lnp_checkpath(L, "npio.info", path);
  if (mh <= 0) luaL_error(L, "npio.info: max_header_size must be positive");
  fb = newfbox(L);
  *fb = fopen(path, "rb");
  if (*fb == NULL)
    luaL_error(L, "npio.info: %s: No such file or directory, or unreadable",
               path);
  got = fread(magic, 1, 6, *fb);
  if (got >= 4 && magic[0] == 'P' && magic[1] == 'K') {
    int64_t i, n, row = 0;
    int res, hidx;
    LNpz *u;
    fclose(*fb);
    *fb = NULL;
    lua_newtable(L);                         /* the result */
    res = lua_gettop(L);
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, mh);
    lua_setfield(L, -2, "max_header_size");
    lnp_npz_open(L, 1, lua_gettop(L));
    hidx = lua_gettop(L);
    u = checknpz(L, hidx);
    n = npio_npz_count(u->z);
    for (i = 0; i < n; i++) {
      pushinfo(L, u, hidx, i);
      if (lua_getfield(L, -1, "dtype") != LUA_TNIL) {   /* arrays only */
        lua_pop(L, 1);
        lua_rawseti(L, res, ++row);
      } else {
        lua_pop(L, 2);
      }
    }
    npio_npz_close(u->z);
    u->z = NULL;
    lua_pushvalue(L, res);
    return 1;
  }
  if (got == 6 && memcmp(magic, "\x93NUMPY", 6) == 0) {
    npio_npy_header h;
    npio_reader r;
    npio_err e = {0};
    char dt[1024];
    const char *base = strrchr(path, '/');
    size_t blen;
    int k;
    long size;
    rewind(*fb);
    r.read = fread_read;
    r.ud = *fb;
    if (npio_npy_read_header(&r, (int64_t)mh, &h, &e) != NPIO_OK)
      lnp_error(L, "npio.info", path, &e);
    if (npio_dtype_str(h.dtype, dt, sizeof(dt)) < 0)
      snprintf(dt, sizeof(dt), "(structured)");
    fseek(*fb, 0, SEEK_END);
    size = ftell(*fb);
    lua_createtable(L, 1, 0);
    lua_createtable(L, 0, 10);
    base = base ? base + 1 : path;
    blen = strlen(base);
    if (blen >= 4 && strcmp(base + blen - 4, ".npy") == 0) blen -= 4;
    lua_pushlstring(L, base, blen);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, dt);
    lua_setfield(L, -2, "dtype");
    lua_createtable(L, h.ndim, 0);
    for (k = 0; k < h.ndim; k++) {
      lua_pushinteger(L, (lua_Integer)h.shape[k]);
      lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "shape");
    lua_pushboolean(L, h.fortran_order);
    lua_setfield(L, -2, "fortran_order");
    lua_pushinteger(L, (lua_Integer)h.data_len);
    lua_setfield(L, -2, "nbytes");
    lua_pushinteger(L, (lua_Integer)size);
    lua_setfield(L, -2, "size");
    lua_pushinteger(L, (lua_Integer)(size - h.header_len));
    lua_setfield(L, -2, "compressed_size");
    lua_pushliteral(L, "stored");
    lua_setfield(L, -2, "method");
    lua_pushinteger(L, (lua_Integer)h.header_len);
    lua_setfield(L, -2, "offset");
    lua_rawseti(L, -2, 1);
    npio_npy_header_free(&h);
    return 1;
  }
  if (got == 0) return luaL_error(L, "npio.info: %s: file is empty", path);
  return luaL_error(L, "npio.info: %s: not a .npy or .npz file", path);
}

/* }====================================================== */

static const luaL_Reg npz_funcs[] = {
  {"savez", np_savez},
  {"savez_compressed", np_savez_compressed},
  {"info", np_info},
  {NULL, NULL}
};

void lnp_open_npz(lua_State *L) {
  luaL_setfuncs(L, npz_funcs, 0);
  if (luaL_newmetatable(L, LNP_NPZFILE)) {
    luaL_setfuncs(L, npz_metameth, 0);
    lua_newtable(L);                  /* the methods, __index's upvalue */
    luaL_setfuncs(L, npz_meth, 0);
    lua_pushcclosure(L, npz_index, 1);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
}
