/*
** lnpio.c -- the npio Lua module: luaopen_npio, the helpers every binding
** shares (errors, 1-based index conversion, option tables, file handles,
** sandbox checks) and small module-level functions (clock, version,
** print options).
*/

#include "lnpio.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lualib.h>

/* {======================================================
** Errors and argument helpers
** ======================================================= */

int lnp_error(lua_State *L, const char *fn, const char *file,
              const npio_err *e) {
  if (file) return luaL_error(L, "%s: %s: %s", fn, file, e->msg);
  return luaL_error(L, "%s: %s", fn, e->msg);
}

int lnp_errorf(lua_State *L, const char *fn, const char *fmt, ...) {
  va_list ap;
  luaL_where(L, 1);
  lua_pushstring(L, fn);
  lua_pushstring(L, ": ");
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_concat(L, 4);
  return lua_error(L);
}

int64_t lnp_absindex(lua_State *L, const char *fn, lua_Integer i,
                     int64_t len) {
  if (i > 0 && (lua_Unsigned)i <= (lua_Unsigned)len) return (int64_t)i - 1;
  if (i < 0 && (lua_Unsigned)(-(i + 1)) < (lua_Unsigned)len)
    return len + (int64_t)i;
  return lnp_errorf(L, fn, "index %I is out of bounds for axis of size %I",
                    (lua_Integer)i, (lua_Integer)len);
}

int lnp_checkaxis(lua_State *L, const char *fn, lua_Integer axis, int ndim) {
  if (axis > 0 && axis <= ndim) return (int)axis - 1;
  if (axis < 0 && axis >= -(lua_Integer)ndim) return ndim + (int)axis;
  return lnp_errorf(L, fn, "axis %I is out of bounds for array of dimension "
                    "%d", (lua_Integer)axis, ndim);
}

int lnp_checkshape(lua_State *L, int idx, int64_t *shape) {
  int n, i;
  if (lua_isinteger(L, idx)) {
    lua_Integer v = lua_tointeger(L, idx);
    if (v < 0) luaL_argerror(L, idx, "negative dimensions are not allowed");
    shape[0] = (int64_t)v;
    return 1;
  }
  luaL_argexpected(L, lua_istable(L, idx), idx, "shape (integer or table)");
  n = (int)luaL_len(L, idx);
  if (n > NPIO_MAXDIMS) luaL_argerror(L, idx, "too many dimensions");
  for (i = 0; i < n; i++) {
    lua_Integer v;
    int isint;
    lua_geti(L, idx, i + 1);
    v = lua_tointegerx(L, -1, &isint);
    lua_pop(L, 1);
    if (!isint) luaL_argerror(L, idx, "shape must hold integers");
    if (v < 0) luaL_argerror(L, idx, "negative dimensions are not allowed");
    shape[i] = (int64_t)v;
  }
  return n;
}

/*
** "npio.<name>" of the C function running now (as luaL_argerror finds
** it), for errors raised by shared helpers that do not know their caller.
*/
const char *lnp_fname(lua_State *L) {
  lua_Debug ar;
  if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.name)
    return lua_pushfstring(L, "npio.%s", ar.name);
  return lua_pushliteral(L, "npio");
}

static int opterror(lua_State *L, const char *name, const char *what) {
  return luaL_error(L, "%s: option '%s' must be %s", lnp_fname(L), name, what);
}

int lnp_optfield(lua_State *L, int opts, const char *name) {
  if (opts == 0 || !lua_istable(L, opts)) {
    lua_pushnil(L);
    return LUA_TNIL;
  }
  return lua_getfield(L, opts, name);
}

lua_Integer lnp_optint(lua_State *L, int opts, const char *name,
                       lua_Integer def) {
  lua_Integer v = def;
  if (lnp_optfield(L, opts, name) != LUA_TNIL) {
    int ok;
    v = lua_tointegerx(L, -1, &ok);
    if (!ok) opterror(L, name, "an integer");
  }
  lua_pop(L, 1);
  return v;
}

double lnp_optnum(lua_State *L, int opts, const char *name, double def) {
  double v = def;
  if (lnp_optfield(L, opts, name) != LUA_TNIL) {
    int ok;
    v = (double)lua_tonumberx(L, -1, &ok);
    if (!ok) opterror(L, name, "a number");
  }
  lua_pop(L, 1);
  return v;
}

int lnp_optbool(lua_State *L, int opts, const char *name, int def) {
  int v = def;
  if (lnp_optfield(L, opts, name) != LUA_TNIL) v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* The returned string stays valid while opts[name] is not changed. */
const char *lnp_optstr(lua_State *L, int opts, const char *name,
                       const char *def) {
  const char *v = def;
  int t = lnp_optfield(L, opts, name);
  if (t != LUA_TNIL) {
    if (t != LUA_TSTRING) opterror(L, name, "a string");
    v = lua_tostring(L, -1);
  }
  lua_pop(L, 1);
  return v;
}

FILE *lnp_tofile(lua_State *L, int idx) {
  luaL_Stream *p = (luaL_Stream *)luaL_testudata(L, idx, LUA_FILEHANDLE);
  if (p == NULL) return NULL;
  if (p->closef == NULL) luaL_error(L, "attempt to use a closed file");
  return p->f;
}

/*
** Array memory lives outside Lua's heap, so the collector does not see
** it: a loop making big temporaries would grow without bound. Every
** state therefore gets a 'memstat' hook that counts array bytes (and
** forwards to the host's --mem budget, if any), and lnp_gcpressure runs a
** full collection once more than max(32 MiB, live bytes) were allocated
** since the last one. The memstat outlives the state while arrays do
** (a host may hold some): the last release frees it.
*/
typedef struct memstat {
  npio_memhook hook;            /* what storages call */
  const npio_memhook *inner;    /* the host's budget, or NULL */
  int64_t live;                 /* array bytes alive (atomic) */
  int64_t since_gc;             /* bytes allocated since the last GC */
  int64_t live_at_gc;           /* live bytes right after that GC */
  int closed;                   /* the state is gone */
} memstat;

#if !defined(NPIO_GC_STEP_BYTES)
#define NPIO_GC_STEP_BYTES ((int64_t)32 << 20)
#endif

static const char memstat_key = 'M';

static int memstat_charge(void *ud, int64_t delta) {
  memstat *m = (memstat *)ud;
  int64_t now;
  if (delta == 0) return 0;
  if (m->inner && m->inner->charge &&
      m->inner->charge(m->inner->ud, delta) != 0)
    return 1;                    /* over the host's budget */
  now = __atomic_add_fetch(&m->live, delta, __ATOMIC_RELAXED);
  if (delta > 0) __atomic_add_fetch(&m->since_gc, delta, __ATOMIC_RELAXED);
  else if (now <= 0 && __atomic_load_n(&m->closed, __ATOMIC_ACQUIRE))
    free(m);                     /* the last array outlived the state */
  return 0;
}

static int memstat_gc(lua_State *L) {
  memstat **box = (memstat **)lua_touserdata(L, 1);
  memstat *m = *box;
  *box = NULL;
  if (m == NULL) return 0;
  __atomic_store_n(&m->closed, 1, __ATOMIC_RELEASE);
  if (__atomic_load_n(&m->live, __ATOMIC_ACQUIRE) <= 0) free(m);
  return 0;
}

static memstat *getmemstat(lua_State *L) {
  memstat **box, *m;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &memstat_key);
  box = (memstat **)lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (box != NULL && *box != NULL) return *box;
  box = (memstat **)lua_newuserdatauv(L, sizeof(memstat *), 0);
  *box = NULL;
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, memstat_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  m = (memstat *)calloc(1, sizeof(*m));
  if (m == NULL) luaL_error(L, "npio: out of memory");
  m->hook.charge = memstat_charge;
  m->hook.ud = m;
  lua_getfield(L, LUA_REGISTRYINDEX, "npio.memhook");
  m->inner = (const npio_memhook *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  *box = m;
  lua_rawsetp(L, LUA_REGISTRYINDEX, &memstat_key);
  return m;
}

const npio_memhook *lnp_memhook(lua_State *L) {
  return &getmemstat(L)->hook;
}

void lnp_gcpressure(lua_State *L) {
  memstat *m = getmemstat(L);
  int64_t since = __atomic_load_n(&m->since_gc, __ATOMIC_RELAXED);
  /* under a --mem budget, collect sooner: garbage counts against it */
  int64_t step = m->inner ? NPIO_GC_STEP_BYTES / 4 : NPIO_GC_STEP_BYTES;
  if (since > step && since > m->live_at_gc) {
    __atomic_store_n(&m->since_gc, 0, __ATOMIC_RELAXED);
    lua_gc(L, LUA_GCCOLLECT);
    m->live_at_gc = __atomic_load_n(&m->live, __ATOMIC_RELAXED);
  }
}

/*
** Under --sandbox the host registers "npio.checkpath" (path -> resolved
** path, or nil and a message): every file npio opens must pass it.
** Without a sandbox there is nothing to check.
*/
void lnp_checkpath(lua_State *L, const char *fn, const char *path) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, "npio.checkpath") != LUA_TFUNCTION) {
    lua_pop(L, 1);
    return;
  }
  lua_pushstring(L, path);
  lua_call(L, 1, 2);
  if (lua_isnil(L, -2))
    luaL_error(L, "%s: %s", fn, lua_isstring(L, -1) ? lua_tostring(L, -1)
                                : "file outside the sandbox root");
  lua_pop(L, 2);
}

static double monotonic_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void lnp_checkdeadline(lua_State *L, const char *fn) {
  double deadline;
  int ok;
  lua_getfield(L, LUA_REGISTRYINDEX, "npio.deadline");
  deadline = (double)lua_tonumberx(L, -1, &ok);
  lua_pop(L, 1);
  if (ok && monotonic_now() > deadline)
    luaL_error(L, "%s: timeout: the script ran past its time limit", fn);
}

/* }====================================================== */

/* {======================================================
** Module-level functions
** ======================================================= */

static int np_clock(lua_State *L) {
  lua_pushnumber(L, (lua_Number)monotonic_now());
  return 1;
}

/* Print options live in a userdata in the registry, one per state. */
static const char printopts_key = 'p';

const npio_printopts *lnp_printopts(lua_State *L) {
  npio_printopts *o;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &printopts_key);
  o = (npio_printopts *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (o == NULL) {
    o = (npio_printopts *)lua_newuserdatauv(L, sizeof(*o), 0);
    o->precision = 8;
    o->threshold = 1000;
    o->linewidth = 75;
    o->suppress = 0;
    o->edgeitems = 3;
    lua_rawsetp(L, LUA_REGISTRYINDEX, &printopts_key);
  }
  return o;
}

static int np_set_printoptions(lua_State *L) {
  npio_printopts *o = (npio_printopts *)lnp_printopts(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  o->precision = (int)lnp_optint(L, 1, "precision", o->precision);
  o->threshold = (int64_t)lnp_optint(L, 1, "threshold", o->threshold);
  o->linewidth = (int)lnp_optint(L, 1, "linewidth", o->linewidth);
  o->suppress = lnp_optbool(L, 1, "suppress", o->suppress);
  o->edgeitems = (int)lnp_optint(L, 1, "edgeitems", o->edgeitems);
  if (o->precision < 0) luaL_argerror(L, 1, "precision must be >= 0");
  if (o->edgeitems < 0) luaL_argerror(L, 1, "edgeitems must be >= 0");
  return 0;
}

static int np_get_printoptions(lua_State *L) {
  const npio_printopts *o = lnp_printopts(L);
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, o->precision); lua_setfield(L, -2, "precision");
  lua_pushinteger(L, (lua_Integer)o->threshold); lua_setfield(L, -2, "threshold");
  lua_pushinteger(L, o->linewidth); lua_setfield(L, -2, "linewidth");
  lua_pushboolean(L, o->suppress); lua_setfield(L, -2, "suppress");
  lua_pushinteger(L, o->edgeitems); lua_setfield(L, -2, "edgeitems");
  return 1;
}

static const luaL_Reg np_funcs[] = {
  {"clock", np_clock},
  {"set_printoptions", np_set_printoptions},
  {"get_printoptions", np_get_printoptions},
  {NULL, NULL}
};

/* }====================================================== */

int luaopen_npio(lua_State *L) {
  luaL_newlib(L, np_funcs);
  lua_pushliteral(L, NPIO_VERSION);
  lua_setfield(L, -2, "__version__");
  lnp_open_dtype(L);
  lnp_open_array(L);
  lnp_open_npy(L);
  lnp_open_npz(L);
  lnp_open_text(L);
  lnp_open_ops(L);
  lnp_open_random(L);
  lnp_open_mmap(L);
  lnp_printopts(L);
  return 1;
}
