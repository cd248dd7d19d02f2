/*
** state.c -- the host layer: Lua states with memory and time limits and
** an optional sandbox, host buffers wrapped as arrays, arrays passed to
** and from Lua.
**
** One budget counts Lua's memory (through the state's allocator) and
** array memory (through an npio_memhook the bindings find in the
** registry), so --mem is one limit for both. A count hook checks a
** monotonic deadline; once it has passed, the hook fires on every
** instruction and line, so a pcall that swallows the timeout error is
** interrupted again at once (Redis does the same).
*/
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "npio.h"
#include "npio_int.h"
#include "lnpio.h"
#include "host_int.h"

/* Instructions between two looks at the clock. */
#if !defined(NPIO_HOOKCOUNT)
#define NPIO_HOOKCOUNT 1000
#endif


/* {======================================================
** The memory budget
** ======================================================= */

/*
** Shared by Lua's allocator and array storage. It outlives the state
** when arrays taken out by the host (npio_state_getarray) are still
** alive at npio_state_close: the last release frees it.
*/
typedef struct npio_budget {
  npio_memhook hook;      /* handed to array storage; ud is this budget */
  int64_t limit;          /* bytes; 0: no limit */
  int64_t lua_bytes;      /* held by Lua's allocator */
  int64_t array_bytes;    /* charged by array storage (atomic) */
  int refused;            /* a request was refused since the last arm */
  int closed;             /* the state is gone */
  npio_state *S;          /* NULL once closed */
} npio_budget;

struct npio_state {
  lua_State *L;
  npio_budget *budget;
  int sandbox;
  char *root;             /* sandbox root (realpath), or NULL */
  double timeout;         /* seconds; 0: none */
  double deadline;        /* monotonic seconds; 0: none armed (atomic) */
  int expired;            /* the deadline passed during this run */
  volatile sig_atomic_t interrupted;
  int warnon, warncont;   /* warn() state, as lauxlib's */
  char *errmsg;           /* last error text (malloc'd), or NULL */
};


static int64_t loadi64(const int64_t *p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}


/*
** Lua's allocator: refuses growth past the budget (Lua then runs an
** emergency collection and retries, then raises LUA_ERRMEM). Shrinking
** never fails, as Lua requires.
*/
static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  npio_budget *b = (npio_budget *)ud;
  void *np;
  if (ptr == NULL) osize = 0;   /* osize then tells the object's type */
  if (nsize == 0) {
    free(ptr);
    b->lua_bytes -= (int64_t)osize;
    return NULL;
  }
  if (nsize > osize && b->limit > 0) {
    int64_t grow = (int64_t)(nsize - osize);
    if (nsize > (size_t)INT64_MAX ||
        b->lua_bytes + loadi64(&b->array_bytes) + grow > b->limit) {
      b->refused = 1;
      return NULL;
    }
  }
  np = realloc(ptr, nsize);
  if (np == NULL) return NULL;
  b->lua_bytes += (int64_t)nsize - (int64_t)osize;
  return np;
}


/*
** The npio_memhook's charge: +n before array memory is taken, -n after
** it is given back. A zero charge touches nothing (the budget may be
** gone by then if a zero-byte array outlived the state).
*/
static int budget_charge(void *ud, int64_t delta) {
  npio_budget *b = (npio_budget *)ud;
  int64_t now;
  if (delta == 0) return 0;
  if (delta > 0 && b->limit > 0) {
    int64_t used = b->lua_bytes + loadi64(&b->array_bytes);
    if (delta > b->limit || used > b->limit - delta) {
      b->refused = 1;
      return 1;
    }
  }
  now = __atomic_add_fetch(&b->array_bytes, delta, __ATOMIC_RELAXED);
  if (delta < 0 && now <= 0 && b->closed)
    free(b);                    /* the last array outlived the state */
  return 0;
}


void npiohost_fmtbytes(int64_t n, char *out, size_t cap) {
  static const char units[] = "KMGT";
  int u = -1;
  while (u < 3 && n >= 1024 && n % 1024 == 0) {
    n /= 1024;
    u++;
  }
  if (u < 0) snprintf(out, cap, "%lld bytes", (long long)n);
  else snprintf(out, cap, "%lld%c", (long long)n, units[u]);
}

/* }====================================================== */


/* {======================================================
** Time limit and interrupts
** ======================================================= */

double npiohost_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}


static npio_state *state_of(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ((npio_budget *)ud)->S;
}


static void hosthook(lua_State *L, lua_Debug *ar);

/* The hook a thread carries between events: a clock check every
** NPIO_HOOKCOUNT instructions with a timeout, none without. */
static void sethook_normal(npio_state *S, lua_State *L) {
  if (S->timeout > 0) lua_sethook(L, hosthook, LUA_MASKCOUNT, NPIO_HOOKCOUNT);
  else lua_sethook(L, NULL, 0, 0);
}


static void push_timeout_msg(lua_State *L, double t) {
  char buf[64];
  snprintf(buf, sizeof buf, "timeout of %.14g s exceeded", t);
  lua_pushstring(L, buf);
}


/*
** Runs in whatever thread is executing (hooks are per thread; a new
** coroutine copies its creator's hook). Raises "interrupted!" after
** npiohost_interrupt, the timeout message after the deadline; once
** expired the thread's hook fires on every instruction so that no
** pcall can keep the script running.
*/
static void hosthook(lua_State *L, lua_Debug *ar) {
  npio_state *S = state_of(L);
  double d;
  (void)ar;
  if (S == NULL) return;
  if (S->interrupted) {
    S->interrupted = 0;
    sethook_normal(S, L);
    lua_pushliteral(L, "interrupted!");
    lua_error(L);
  }
  d = npiohost_deadline(S);
  if (d > 0 && npiohost_now() >= d) {
    S->expired = 1;
    lua_sethook(L, hosthook, LUA_MASKCOUNT | LUA_MASKLINE, 1);
    push_timeout_msg(L, S->timeout);
    lua_error(L);
  }
  if (lua_gethookcount(L) != NPIO_HOOKCOUNT)   /* left over from before */
    sethook_normal(S, L);
}


double npiohost_deadline(const npio_state *S) {
  double d;
  __atomic_load(&S->deadline, &d, __ATOMIC_RELAXED);
  return d;
}


static void set_deadline(npio_state *S, double d) {
  __atomic_store(&S->deadline, &d, __ATOMIC_RELAXED);
  /* the key exists already (set at open), so this cannot allocate */
  if (d > 0) lua_pushnumber(S->L, d);
  else lua_pushboolean(S->L, 0);
  lua_setfield(S->L, LUA_REGISTRYINDEX, NPIOH_DEADLINE);
}


void npiohost_arm(npio_state *S) {
  S->expired = 0;
  S->budget->refused = 0;
  if (S->timeout > 0) {
    set_deadline(S, npiohost_now() + S->timeout);
    sethook_normal(S, S->L);
  }
}


void npiohost_disarm(npio_state *S) {
  if (S->timeout > 0) {
    set_deadline(S, 0);
    sethook_normal(S, S->L);
  }
}


/* Async-signal-safe: lua_sethook may be called from a signal handler
** (lua.c relies on it too). */
void npiohost_interrupt(npio_state *S) {
  S->interrupted = 1;
  lua_sethook(S->L, hosthook,
              LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

/* }====================================================== */


/* {======================================================
** Errors
** ======================================================= */

/*
** As lua.c's msghandler: a non-string error object is converted with
** __tostring or named by its type, then a traceback is appended.
*/
int npiohost_msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)",
                          luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}


/* The broken limit of this run as text, or NULL. */
static const char *limit_text(npio_state *S, char *buf, size_t cap) {
  double d = npiohost_deadline(S);
  if (S->expired || (d > 0 && npiohost_now() >= d)) {
    snprintf(buf, cap, "timeout of %.14g s exceeded", S->timeout);
    return buf;
  }
  if (S->budget->refused && S->budget->limit > 0) {
    char n[48];
    npiohost_fmtbytes(S->budget->limit, n, sizeof n);
    snprintf(buf, cap, "memory limit of %s exceeded", n);
    return buf;
  }
  return NULL;
}


static void set_errmsg(npio_state *S, const char *a, const char *b) {
  size_t la = strlen(a), lb = b ? strlen(b) : 0;
  char *m = (char *)malloc(la + lb + 2);
  free(S->errmsg);
  S->errmsg = m;
  if (m == NULL) return;
  memcpy(m, a, la);
  if (b) {
    m[la] = '\n';
    memcpy(m + la + 1, b, lb + 1);
  }
  else m[la] = '\0';
}


const char *npiohost_errmsg(npio_state *S, int status, const char *msg) {
  char lim[128];
  const char *l = limit_text(S, lim, sizeof lim);
  if (msg == NULL) msg = "(error object is not a string)";
  if (l == NULL || strstr(msg, l) != NULL)
    set_errmsg(S, msg, NULL);
  else if (status == LUA_ERRMEM || strcmp(msg, "not enough memory") == 0)
    set_errmsg(S, l, NULL);     /* Lua's own message says nothing more */
  else
    set_errmsg(S, l, msg);      /* the limit first, then what raised */
  return S->errmsg ? S->errmsg : "not enough memory";
}


const char *npio_state_error(npio_state *S) {
  return (S && S->errmsg) ? S->errmsg : "";
}

/* }====================================================== */


/* {======================================================
** Opening and closing
** ======================================================= */

static int panicf(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "npio: PANIC: unprotected error in call to Lua API (%s)\n",
          msg ? msg : "error object is not a string");
  fflush(stderr);
  return 0;   /* Lua aborts */
}


/*
** warn() as lauxlib's: off by default, "@on"/"@off" switch it, pieces
** with 'tocont' are continued.
*/
static void warnf(void *ud, const char *msg, int tocont) {
  npio_state *S = (npio_state *)ud;
  if (!S->warncont && !tocont && msg[0] == '@') {   /* control message */
    if (strcmp(msg, "@off") == 0) S->warnon = 0;
    else if (strcmp(msg, "@on") == 0) S->warnon = 1;
    return;
  }
  if (S->warnon) {
    if (!S->warncont) fputs("Lua warning: ", stderr);
    fputs(msg, stderr);
    if (!tocont) fputc('\n', stderr);
    fflush(stderr);
  }
  S->warncont = tocont;
}


/*
** Protected part of npio_state_open: libraries (or the sandbox),
** registry keys for the bindings, "npio" preloaded and 'np' set.
*/
static int init_state(lua_State *L) {
  npio_state *S = (npio_state *)lua_touserdata(L, 1);
  lua_settop(L, 0);
  luaL_checkversion(L);
  lua_gc(L, LUA_GCSTOP);    /* as lua.c: no collection while opening */
  if (S->sandbox) {
    npiosb_open(L, S->root, luaopen_npio);
    lua_pushstring(L, S->root);
    lua_setfield(L, LUA_REGISTRYINDEX, NPIOH_ROOT);
    npiosb_pushcheckpath(L, S->root);
    lua_setfield(L, LUA_REGISTRYINDEX, NPIOH_CHECKPATH);
  }
  else {
    luaL_openlibs(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_npio);
    lua_setfield(L, -2, "npio");
    lua_pop(L, 1);
  }
  if (S->budget->limit > 0) {
    lua_pushlightuserdata(L, &S->budget->hook);
    lua_setfield(L, LUA_REGISTRYINDEX, NPIOH_MEMHOOK);
  }
  lua_pushboolean(L, 0);      /* created now: arming never allocates */
  lua_setfield(L, LUA_REGISTRYINDEX, NPIOH_DEADLINE);
  lua_pushnumber(L, S->timeout);
  lua_setfield(L, LUA_REGISTRYINDEX, NPIOH_TIMEOUT);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "npio");
  lua_call(L, 1, 1);
  lua_setglobal(L, "np");
  lua_gc(L, LUA_GCRESTART);
  return 0;
}


npio_state *npio_state_open(const npio_state_opts *o, npio_err *e) {
  npio_state_opts def;
  npio_state *S;
  npio_budget *b;
  lua_State *L;
  int status;
  if (o == NULL) {
    memset(&def, 0, sizeof def);
    o = &def;
  }
  if (o->mem_limit < 0 || !(o->timeout >= 0)) {
    npio_seterr(e, NPIO_EVALUE, "npio_state_open: negative limit");
    return NULL;
  }
  S = (npio_state *)calloc(1, sizeof *S);
  b = (npio_budget *)calloc(1, sizeof *b);
  if (S == NULL || b == NULL) {
    free(S);
    free(b);
    npio_seterr(e, NPIO_ENOMEM, "npio_state_open: out of memory");
    return NULL;
  }
  b->hook.charge = budget_charge;
  b->hook.ud = b;
  b->limit = o->mem_limit;
  b->S = S;
  S->budget = b;
  S->sandbox = o->sandbox != 0;
  S->timeout = o->timeout;
  if (S->sandbox) {
    const char *root = o->root ? o->root : ".";
    S->root = realpath(root, NULL);
    if (S->root == NULL) {
      npio_seterr(e, NPIO_EIO, "npio_state_open: sandbox root %s: %s", root,
                  strerror(errno));
      free(S);
      free(b);
      return NULL;
    }
  }
  L = lua_newstate(budget_alloc, b);
  if (L == NULL) {
    npio_seterr(e, NPIO_ENOMEM, "npio_state_open: cannot create a Lua "
                "state (memory limit too small?)");
    free(S->root);
    free(S);
    free(b);
    return NULL;
  }
  S->L = L;
  lua_atpanic(L, panicf);
  lua_setwarnf(L, warnf, S);
  lua_pushcfunction(L, init_state);
  lua_pushlightuserdata(L, S);
  status = lua_pcall(L, 1, 0, 0);
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    if (status == LUA_ERRMEM && b->refused)
      npio_seterr(e, NPIO_ENOMEM, "npio_state_open: memory limit too small "
                  "to open a state");
    else
      npio_seterr(e, status == LUA_ERRMEM ? NPIO_ENOMEM : NPIO_EVALUE,
                  "npio_state_open: %s", msg ? msg : "error");
    npio_state_close(S);
    return NULL;
  }
  sethook_normal(S, L);   /* coroutines created from now on inherit it */
  return S;
}


void npio_state_close(npio_state *S) {
  npio_budget *b;
  if (S == NULL) return;
  b = S->budget;
  if (S->L) {
    /* a full collection first, so that finalizers run while the state
    ** is whole (lua_close would run them too, but late) */
    lua_sethook(S->L, NULL, 0, 0);
    lua_gc(S->L, LUA_GCCOLLECT);
    lua_close(S->L);
  }
  b->S = NULL;
  b->closed = 1;
  if (loadi64(&b->array_bytes) <= 0) free(b);
  free(S->root);
  free(S->errmsg);
  free(S);
}


struct lua_State *npio_state_lua(npio_state *S) {
  return S ? S->L : NULL;
}


int npiohost_sandboxed(const npio_state *S) {
  return S->sandbox;
}

/* }====================================================== */


/* {======================================================
** Running code
** ======================================================= */

int npiohost_loadfile(npio_state *S, const char *path) {
  return luaL_loadfilex(S->L, path, S->sandbox ? "t" : NULL);
}


int npiohost_loadbuffer(npio_state *S, const char *s, size_t n,
                        const char *chunkname) {
  return luaL_loadbufferx(S->L, s, n, chunkname, S->sandbox ? "t" : NULL);
}


/* The npio status for a Lua status. */
static int npio_code(npio_state *S, int status) {
  switch (status) {
    case LUA_OK: return NPIO_OK;
    case LUA_ERRMEM: return NPIO_ENOMEM;
    case LUA_ERRFILE: return NPIO_EIO;
    case LUA_ERRSYNTAX: return NPIO_EFORMAT;
    default:
      if (S->expired) return NPIO_ELIMIT;
      if (S->budget->refused) return NPIO_ENOMEM;
      return NPIO_EVALUE;
  }
}


/*
** Calls the chunk on the top (if 'status' says it loaded) with the
** traceback handler, records the error text, ends the run.
*/
static int run_loaded(npio_state *S, int status) {
  lua_State *L = S->L;
  int code;
  if (status == LUA_OK) {
    int base = lua_gettop(L);
    lua_pushcfunction(L, npiohost_msghandler);
    lua_insert(L, base);
    status = lua_pcall(L, 0, 0, base);
    lua_remove(L, base);
  }
  if (status != LUA_OK) {
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                     : NULL;
    npiohost_errmsg(S, status, msg);
    lua_pop(L, 1);
  }
  else {
    free(S->errmsg);
    S->errmsg = NULL;
  }
  code = npio_code(S, status);
  npiohost_disarm(S);
  return code;
}


int npio_state_dofile(npio_state *S, const char *path) {
  npiohost_arm(S);
  return run_loaded(S, npiohost_loadfile(S, path));
}


int npio_state_dostring(npio_state *S, const char *code,
                        const char *chunkname) {
  npiohost_arm(S);
  return run_loaded(S, npiohost_loadbuffer(S, code, strlen(code),
                                           chunkname ? chunkname : code));
}

/* }====================================================== */


/* {======================================================
** Arrays between host and Lua
** ======================================================= */

/*
** A host buffer viewed with negative strides starts before the host's
** pointer; the storage then covers [data + low, ...) and this shim hands
** the host back its own pointer on release.
*/
typedef struct wrap_shim {
  void (*release)(void *, void *, size_t);
  void *ctx;
  void *data;
  size_t nbytes;
} wrap_shim;

static void shim_release(void *ctx, void *data, size_t nbytes) {
  wrap_shim *w = (wrap_shim *)ctx;
  (void)data;
  (void)nbytes;
  if (w->release) w->release(w->ctx, w->data, w->nbytes);
  free(w);
}


/*
** Computes the byte extent [low, high) of an array of 'shape' and
** 'strides' with items of 'isz' bytes, relative to element 0, with
** overflow checks. An empty array has extent [0, 0).
*/
static int extent(int ndim, const int64_t *shape, const int64_t *strides,
                  int64_t isz, int64_t *low, int64_t *high, npio_err *e) {
  int64_t lo = 0, hi = 0;
  int i;
  for (i = 0; i < ndim; i++)
    if (shape[i] == 0) {
      *low = *high = 0;
      return NPIO_OK;
    }
  for (i = 0; i < ndim; i++) {
    int64_t span;
    int64_t st = strides[i];
    if (st == INT64_MIN ||
        npio_mul_overflow(shape[i] - 1, st < 0 ? -st : st, &span))
      return npio_seterr(e, NPIO_EVALUE, "npio_array_wrap: strides overflow");
    if (st < 0) {
      if (npio_add_overflow(lo, -span, &lo))
        return npio_seterr(e, NPIO_EVALUE, "npio_array_wrap: strides overflow");
    }
    else if (npio_add_overflow(hi, span, &hi))
      return npio_seterr(e, NPIO_EVALUE, "npio_array_wrap: strides overflow");
  }
  if (npio_add_overflow(hi, isz, &hi))
    return npio_seterr(e, NPIO_EVALUE, "npio_array_wrap: strides overflow");
  *low = lo;
  *high = hi;
  return NPIO_OK;
}


int npio_array_wrap(npio_array *out, void *data, npio_dtype *dtype,
                    int ndim, const int64_t *shape, const int64_t *strides,
                    int readonly, void (*release)(void *, void *, size_t),
                    void *ctx, npio_err *e) {
  int64_t cstrides[NPIO_MAXDIMS];
  int64_t size, nb, low, high;
  npio_storage *st;
  wrap_shim *shim = NULL;
  int i, r;
  memset(out, 0, sizeof *out);
  if (dtype == NULL)
    return npio_seterr(e, NPIO_EVALUE, "npio_array_wrap: no dtype");
  if (ndim < 0 || ndim > NPIO_MAXDIMS)
    return npio_seterr(e, NPIO_EVALUE, "npio_array_wrap: ndim %d is not in "
                       "0..%d", ndim, NPIO_MAXDIMS);
  if (dtype->itemsize <= 0)
    return npio_seterr(e, NPIO_EVALUE, "npio_array_wrap: dtype has no size");
  if ((r = npio_shape_size(ndim, shape, &size, e)) != NPIO_OK) return r;
  if (npio_mul_overflow(size, dtype->itemsize, &nb))
    return npio_seterr(e, NPIO_EVALUE, "npio_array_wrap: array size "
                       "overflows");
  if (strides == NULL) {   /* C order */
    int64_t s = dtype->itemsize;
    for (i = ndim - 1; i >= 0; i--) {
      cstrides[i] = s;
      if (shape[i] > 0 && npio_mul_overflow(s, shape[i], &s)) s = 0;
    }
    strides = cstrides;
  }
  if ((r = extent(ndim, shape, strides, dtype->itemsize, &low, &high, e))
      != NPIO_OK)
    return r;
  if (data == NULL && high > low)
    return npio_seterr(e, NPIO_EVALUE, "npio_array_wrap: NULL data");
  if (low < 0) {   /* storage starts before the host's pointer */
    shim = (wrap_shim *)malloc(sizeof *shim);
    if (shim == NULL)
      return npio_seterr(e, NPIO_ENOMEM, "npio_array_wrap: out of memory");
    shim->release = release;
    shim->ctx = ctx;
    shim->data = data;
    shim->nbytes = (size_t)(high - low);
    st = npio_storage_wrap((char *)data + low, (size_t)(high - low), readonly,
                           shim_release, shim, e);
  }
  else
    st = npio_storage_wrap(data, (size_t)high, readonly, release, ctx, e);
  if (st == NULL) {
    free(shim);
    return e ? e->code : NPIO_ENOMEM;
  }
  out->storage = st;
  out->dtype = npio_dtype_ref(dtype);
  out->ndim = ndim;
  out->offset = -low;
  for (i = 0; i < ndim; i++) {
    out->shape[i] = shape[i];
    out->strides[i] = strides[i];
  }
  return NPIO_OK;
}


/* Protected: (array pointer, name) -> sets global name to a view. */
static int setarray_p(lua_State *L) {
  const npio_array *a = (const npio_array *)lua_touserdata(L, 1);
  const char *name = (const char *)lua_touserdata(L, 2);
  lnp_pushview(L, a);
  lua_setglobal(L, name);
  return 0;
}


/* Protected: (out pointer, name) -> out becomes a view of global name
** (converted as np.array would if it is not an array yet). */
static int getarray_p(lua_State *L) {
  npio_array *out = (npio_array *)lua_touserdata(L, 1);
  const char *name = (const char *)lua_touserdata(L, 2);
  const npio_array *a;
  if (lua_getglobal(L, name) == LUA_TNIL)
    return luaL_error(L, "global '%s' is not set", name);
  a = lnp_toarray(L, -1);
  if (a == NULL) a = lnp_asarray(L, -1, NULL);
  npio_array_view(out, a);
  return 0;
}


/*
** Runs 'f' in protected mode with two light userdata (nothing is
** allocated outside the pcall) and turns an error into an npio code.
*/
static int call_p(npio_state *S, lua_CFunction f, void *p, const char *name,
                  const char *fn, npio_err *e) {
  lua_State *L;
  int status;
  if (S == NULL || name == NULL || p == NULL)
    return npio_seterr(e, NPIO_EVALUE, "%s: NULL argument", fn);
  L = S->L;
  S->budget->refused = 0;
  lua_pushcfunction(L, f);
  lua_pushlightuserdata(L, p);
  lua_pushlightuserdata(L, (void *)name);
  status = lua_pcall(L, 2, 0, 0);
  if (status != LUA_OK) {
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                     : NULL;
    int code = (status == LUA_ERRMEM || S->budget->refused) ? NPIO_ENOMEM
                                                            : NPIO_EVALUE;
    npio_seterr(e, code, "%s: %s", fn, msg ? msg : "error");
    lua_pop(L, 1);
    return code;
  }
  return NPIO_OK;
}


int npio_state_setarray(npio_state *S, const char *name, const npio_array *a,
                        npio_err *e) {
  if (a == NULL || a->storage == NULL)
    return npio_seterr(e, NPIO_EVALUE, "npio_state_setarray: no array");
  return call_p(S, setarray_p, (void *)a, name, "npio_state_setarray", e);
}


int npio_state_getarray(npio_state *S, const char *name, npio_array *out,
                        npio_err *e) {
  if (out) memset(out, 0, sizeof *out);
  return call_p(S, getarray_p, out, name, "npio_state_getarray", e);
}

/* }====================================================== */
