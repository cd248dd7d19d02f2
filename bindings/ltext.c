/*
** ltext.c -- text files in Lua: np.loadtxt, np.genfromtxt, np.savetxt.
**
** Longjmp discipline: options are read (and may raise) before the core
** runs; every C resource lives in a userdata whose __gc frees it (the
** source, scratch arrays), and result arrays are pushed before the core
** fills them, so an error at any point leaks nothing. While the core
** works, Lua runs only through lua_pcall (converters, the progress
** function, the --timeout check); an error there becomes a status the
** core returns, and is raised again once the core is done.
*/
#include "lnpio.h"
#include "npio.h"

#include <stdlib.h>
#include <string.h>

#define LNP_TXTSRC "npio.txtsrc"

/* {======================================================
** Sources
** ======================================================= */

typedef struct LSrc { npio_txt_src *s; } LSrc;

static int src_gc(lua_State *L) {
  LSrc *u = (LSrc *)luaL_checkudata(L, 1, LNP_TXTSRC);
  npio_txt_close(u->s);
  u->s = NULL;
  return 0;
}

/* Pushes an empty source box (closed by __gc). */
static LSrc *newsrc(lua_State *L) {
  LSrc *u = (LSrc *)lua_newuserdatauv(L, sizeof *u, 1);
  u->s = NULL;
  if (luaL_newmetatable(L, LNP_TXTSRC)) {
    lua_pushcfunction(L, src_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return u;
}

/*
** Opens the input at 'idx' (a path, a .gz path, a Lua file handle or a
** table of lines) into a source box pushed on the stack. '*name' gets
** the name used in messages. 'strict_lines' refuses table lines that
** hold an unquoted newline, as NumPy's loadtxt does.
*/
static LSrc *open_input(lua_State *L, const char *fn, int idx,
                        const char *enc, int strict_lines,
                        const char **name) {
  npio_err e = {0};
  FILE *f;
  LSrc *u;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TSTRING) {
    const char *path = lua_tostring(L, idx);
    lnp_checkpath(L, fn, path);
    u = newsrc(L);
    u->s = npio_txt_open_path(path, enc, &e);
    if (u->s == NULL) lnp_error(L, fn, path, &e);
    *name = path;
    return u;
  }
  if ((f = lnp_tofile(L, idx)) != NULL) {
    u = newsrc(L);
    u->s = npio_txt_open_file(f, "(file)", enc, &e);
    if (u->s == NULL) lnp_error(L, fn, "(file)", &e);
    *name = "(file)";
    return u;
  }
  if (lua_istable(L, idx)) {
    lua_Integer n = luaL_len(L, idx), i;
    size_t total = 0, pos = 0;
    char *buf;
    for (i = 1; i <= n; i++) {
      size_t len;
      if (lua_geti(L, idx, i) != LUA_TSTRING)
        luaL_error(L, "%s: <lines>: line %d of the table is not a string", fn,
                   (int)i);
      lua_tolstring(L, -1, &len);
      lua_pop(L, 1);
      total += len + 1;
    }
    u = newsrc(L);
    buf = (char *)lua_newuserdatauv(L, total ? total : 1, 0);
    lua_setiuservalue(L, -2, 1);            /* the box keeps the text */
    for (i = 1; i <= n; i++) {
      size_t len, k;
      const char *s;
      lua_geti(L, idx, i);
      s = lua_tolstring(L, -1, &len);
      if (strict_lines) {
        size_t body = len;
        if (body && s[body - 1] == '\n') body--;
        if (body && s[body - 1] == '\r') body--;
        for (k = 0; k < body; k++)
          if (s[k] == '\n' || s[k] == '\r')
            luaL_error(L, "%s: <lines>:%d: found an unquoted newline inside "
                       "a line of the table", fn, (int)i);
      }
      memcpy(buf + pos, s, len);
      pos += len;
      if (len == 0 || (s[len - 1] != '\n' && s[len - 1] != '\r'))
        buf[pos++] = '\n';
      lua_pop(L, 1);
    }
    u->s = npio_txt_open_mem(buf, pos, "<lines>", enc, &e);
    if (u->s == NULL) lnp_error(L, fn, "<lines>", &e);
    *name = "<lines>";
    return u;
  }
  luaL_error(L, "%s: expected a path, a file handle or a table of lines, "
             "got %s", fn, luaL_typename(L, idx));
  return NULL;
}

/* Closes the source now: a file handle is put back just after the
** lines used, before the caller can read on. */
static void close_input(LSrc *u) {
  npio_txt_close(u->s);
  u->s = NULL;
}

/* }====================================================== */

/* {======================================================
** Callbacks: converters and progress (Lua under lua_pcall)
** ======================================================= */

#define ERRKEY "npio.text.error"

typedef struct cb_ctx {
  lua_State *L;
  const char *fn;
  int convs;               /* stack index: converter functions 1..n */
  int slot;                /* stack index anchoring the last result */
  int progfn;              /* stack index of opts.progress, or 0 */
  int failed;              /* an error value sits in the registry */
} cb_ctx;

static int call1(lua_State *L) {
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

/* Converter callback: calls converter 'which' on the field text. */
static int on_convert(void *ud, int which, const char *s, size_t n,
                      npio_scalar *out, npio_err *e) {
  cb_ctx *c = (cb_ctx *)ud;
  lua_State *L = c->L;
  if (!lua_checkstack(L, 8))
    return npio_seterr(e, NPIO_ENOMEM, "Lua stack overflow");
  lua_pushcfunction(L, call1);
  lua_rawgeti(L, c->convs, which + 1);
  lua_pushlstring(L, s, n);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    const char *m = lua_tostring(L, -1);
    npio_seterr(e, NPIO_EVALUE, "%s", m ? m : "error object is not a string");
    lua_pop(L, 1);
    return e->code;
  }
  memset(out, 0, sizeof *out);
  switch (lua_type(L, -1)) {
    case LUA_TNUMBER:
      if (lua_isinteger(L, -1)) { out->kind = 'i'; out->i = lua_tointeger(L, -1); }
      else { out->kind = 'f'; out->f = lua_tonumber(L, -1); }
      break;
    case LUA_TBOOLEAN:
      out->kind = 'b';
      out->i = lua_toboolean(L, -1);
      break;
    case LUA_TSTRING:
      out->kind = 'S';
      out->s = lua_tolstring(L, -1, &out->slen);
      break;
    case LUA_TTABLE:                     /* complex as {re, im} */
      out->kind = 'c';
      lua_geti(L, -1, 1);
      out->f = lua_tonumber(L, -1);
      lua_geti(L, -2, 2);
      out->imag = lua_tonumber(L, -1);
      lua_pop(L, 2);
      break;
    default:
      npio_seterr(e, NPIO_EVALUE, "the converter returned %s",
                  luaL_typename(L, -1));
      lua_pop(L, 1);
      return e->code;
  }
  lua_replace(L, c->slot);               /* keeps the string alive */
  return NPIO_OK;
}

static int deadline_check(lua_State *L) {
  lnp_checkdeadline(L, lua_tostring(L, 1));
  return 0;
}

/* Progress callback: the --timeout check, then opts.progress. */
static int on_progress(void *ud, int64_t done, int64_t total) {
  cb_ctx *c = (cb_ctx *)ud;
  lua_State *L = c->L;
  if (!lua_checkstack(L, 8)) return 1;
  lua_pushcfunction(L, deadline_check);
  lua_pushstring(L, c->fn);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) goto failed;
  if (c->progfn) {
    lua_pushcfunction(L, call1);
    lua_pushvalue(L, c->progfn);
    lua_pushinteger(L, (lua_Integer)done);
    lua_pushinteger(L, (lua_Integer)total);
    if (lua_pcall(L, 3, 1, 0) != LUA_OK) goto failed;
    lua_pop(L, 1);
  }
  return 0;
failed:
  lua_setfield(L, LUA_REGISTRYINDEX, ERRKEY);
  c->failed = 1;
  return 1;
}

/* Reads opts.progress: the function's index, and whether to draw a bar. */
static void read_progress(lua_State *L, int opts, cb_ctx *c, int *bar) {
  int t = lnp_optfield(L, opts, "progress");
  c->progfn = 0;
  *bar = 1;
  if (t == LUA_TFUNCTION) {
    c->progfn = lua_gettop(L);              /* stays on the stack */
    *bar = 0;
    return;
  }
  if (t == LUA_TBOOLEAN) *bar = lua_toboolean(L, -1);
  else if (t != LUA_TNIL)
    luaL_error(L, "%s: option 'progress' must be a boolean or a function",
               c->fn);
  lua_pop(L, 1);
}

/* Raises the core's error, or the Lua error a callback caught. */
static int raise_error(lua_State *L, cb_ctx *c, const npio_err *e) {
  if (c->failed) {
    lua_getfield(L, LUA_REGISTRYINDEX, ERRKEY);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, ERRKEY);
    return lua_error(L);
  }
  return lnp_error(L, c->fn, NULL, e);
}

/* }====================================================== */

/* {======================================================
** Option helpers
** ======================================================= */

/* A 1-based column (negative from the end) as a 0-based key. */
static int64_t col0(lua_State *L, const char *fn, const char *opt,
                    lua_Integer k) {
  if (k == 0)
    luaL_error(L, "%s: %s: columns are 1-based; 0 is not a column", fn, opt);
  return k > 0 ? (int64_t)k - 1 : (int64_t)k;
}

/*
** Reads usecols (an integer, a sequence of integers, or with 'names' also
** column names and a "a,b" string) into scratch userdata left on the
** stack, with the values they point into. Returns the count, or -1.
*/
static int read_usecols(lua_State *L, const char *fn, int opts,
                        int64_t **cols, const char ***names) {
  int t = lnp_optfield(L, opts, "usecols"), n, i, tb;
  int64_t *c;
  const char **nm = NULL;
  if (names) *names = NULL;
  *cols = NULL;
  if (t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)))
    return -1;
  if (t == LUA_TNUMBER) {
    int ok;
    lua_Integer k = lua_tointegerx(L, -1, &ok);
    if (!ok) luaL_error(L, "%s: usecols must hold integers", fn);
    c = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t), 0);
    c[0] = col0(L, fn, "usecols", k);
    *cols = c;
    if (names) {
      nm = (const char **)lua_newuserdatauv(L, sizeof(char *), 0);
      nm[0] = NULL;
      *names = nm;
    }
    return 1;
  }
  if (t == LUA_TSTRING && names) {               /* "a, b" */
    const char *s = lua_tostring(L, -1), *st = s, *p;
    lua_newtable(L);
    for (i = 0, p = s;; p++) {
      if (*p == ',' || *p == '\0') {
        const char *a = st, *z = p;
        while (a < z && (*a == ' ' || *a == '\t')) a++;
        while (z > a && (z[-1] == ' ' || z[-1] == '\t')) z--;
        lua_pushlstring(L, a, (size_t)(z - a));
        lua_rawseti(L, -2, ++i);
        st = p + 1;
        if (*p == '\0') break;
      }
    }
    t = LUA_TTABLE;
  }
  if (t != LUA_TTABLE)
    luaL_error(L, "%s: usecols must be an integer or a table", fn);
  tb = lua_gettop(L);
  n = (int)luaL_len(L, tb);
  c = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n ? n : 1), 0);
  if (names)
    nm = (const char **)lua_newuserdatauv(L, sizeof(char *) *
                                          (size_t)(n ? n : 1), 0);
  for (i = 0; i < n; i++) {
    int vt = lua_geti(L, tb, i + 1);
    if (vt == LUA_TSTRING && names) {
      nm[i] = lua_tostring(L, -1);             /* anchored by the table */
      c[i] = 0;
    } else {
      int ok;
      lua_Integer k = lua_tointegerx(L, -1, &ok);
      if (!ok) luaL_error(L, "%s: usecols must hold integers%s", fn,
                          names ? " or names" : "");
      c[i] = col0(L, fn, "usecols", k);
      if (nm) nm[i] = NULL;
    }
    lua_pop(L, 1);
  }
  *cols = c;
  if (names) *names = nm;
  return n;
}

/* Reads a dtype option: nil -> NULL, "S"/"U" unsized -> *flex. The
** dtype object (if any) is left on the stack as an anchor. */
static npio_dtype *read_dtype(lua_State *L, int opts, char *flex,
                              int *isfalse) {
  int t = lnp_optfield(L, opts, "dtype");
  *flex = 0;
  if (isfalse) *isfalse = 0;
  if (t == LUA_TNIL) { lua_pop(L, 1); return NULL; }
  if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    if (isfalse) *isfalse = 1;
    return NULL;
  }
  if (t == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    if (!strcmp(s, "S") || !strcmp(s, "|S") || !strcmp(s, "S0") ||
        !strcmp(s, "bytes") || !strcmp(s, "bytes_") || !strcmp(s, "|S0")) {
      *flex = 'S';
      lua_pop(L, 1);
      return NULL;
    }
    if (!strcmp(s, "U") || !strcmp(s, "<U") || !strcmp(s, "U0") ||
        !strcmp(s, "str") || !strcmp(s, "unicode") || !strcmp(s, "<U0") ||
        !strcmp(s, "str_")) {
      *flex = 'U';
      lua_pop(L, 1);
      return NULL;
    }
  }
  return lnp_checkdtype(L, lua_gettop(L));
}

/* Reads 'encoding' ("bytes", false and nil mean UTF-8); *bytes tells
** whether it was NumPy's default 'bytes' (nil counts). */
static const char *read_encoding(lua_State *L, int opts, int *bytes) {
  int t = lnp_optfield(L, opts, "encoding");
  const char *s = NULL;
  if (bytes) *bytes = (t == LUA_TNIL);
  if (t == LUA_TSTRING) {
    s = lua_tostring(L, -1);
    if (strcmp(s, "bytes") == 0) {
      s = NULL;
      if (bytes) *bytes = 1;
    }
  } else if (!(t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)))) {
    luaL_error(L, "option 'encoding' must be a string");
  }
  lua_pop(L, 1);   /* the string stays anchored in the options table */
  return s;
}

/* }====================================================== */

/* {======================================================
** Results
** ======================================================= */

/* Pushes a view of field 'k' of structured array a. */
static void push_field(lua_State *L, const npio_array *a, int k) {
  npio_array v;
  const npio_field *f = &a->dtype->fields[k];
  npio_dtype *t = f->type;
  int i;
  v = *a;
  v.offset = a->offset + f->offset;
  if (t->base) {                       /* subarray: more axes */
    int64_t st = t->base->itemsize;
    v.dtype = t->base;
    for (i = t->sub_ndim - 1; i >= 0; i--) {
      v.shape[a->ndim + i] = t->sub_shape[i];
      v.strides[a->ndim + i] = st;
      st *= t->sub_shape[i];
    }
    v.ndim = a->ndim + t->sub_ndim;
  } else {
    v.dtype = t;
  }
  lnp_pushview(L, &v);
}

/*
** unpack=true: one array per field of a structured result; else the
** rows of a.T (columns of a 2-D result; elements of a 1-D one).
*/
static int push_unpacked(lua_State *L, int idx) {
  npio_array *a = lnp_checkarray(L, idx);
  int n, i;
  if (a->dtype->nfields > 0) {
    n = a->dtype->nfields;
    luaL_checkstack(L, n, "too many fields to unpack");
    for (i = 0; i < n; i++) push_field(L, a, i);
    return n;
  }
  if (a->ndim == 0) { lua_pushvalue(L, idx); return 1; }
  if (a->ndim == 1) {
    char *p = lnp_data(L, a);
    if (a->shape[0] > 100000)
      luaL_error(L, "unpack: too many values (%d) to return",
                 (int)a->shape[0]);
    n = (int)a->shape[0];
    luaL_checkstack(L, n, "too many values to unpack");
    for (i = 0; i < n; i++) lnp_pushscalar(L, a->dtype, p + i * a->strides[0]);
    return n;
  }
  /* a.T: the last axis first; each row of it is a view */
  n = (int)a->shape[a->ndim - 1];
  luaL_checkstack(L, n, "too many columns to unpack");
  for (i = 0; i < n; i++) {
    npio_array v = *a;
    int d, k = 0;
    v.offset = a->offset + (int64_t)i * a->strides[a->ndim - 1];
    for (d = a->ndim - 2; d >= 0; d--) {   /* reversed remaining axes */
      v.shape[k] = a->shape[d];
      v.strides[k] = a->strides[d];
      k++;
    }
    v.ndim = a->ndim - 1;
    lnp_pushview(L, &v);
  }
  return n;
}

/* }====================================================== */

/* {======================================================
** np.loadtxt
** ======================================================= */

/*
** loadtxt(file [, opts]) -> array (or several with unpack=true).
*/
static int np_loadtxt(lua_State *L) {
  static const char *const FN = "npio.loadtxt";
  npio_loadtxt_opts o;
  npio_err e = {0};
  cb_ctx cb;
  int opts = lua_istable(L, 2) ? 2 : 0, t, unpack, empty = 0, bar;
  const char *name = NULL, *enc;
  LSrc *src;
  npio_array *res;
  int64_t *uc;
  lua_Integer v;
  int st;
  memset(&cb, 0, sizeof cb);
  cb.L = L;
  cb.fn = FN;
  npio_loadtxt_defaults(&o);
  luaL_checkany(L, 1);
  lua_settop(L, 2);
  o.dtype = read_dtype(L, opts, &o.flexible, NULL);
  /* comments: a string, a list of strings, or false */
  t = lnp_optfield(L, opts, "comments");
  if (t == LUA_TSTRING) {
    const char **c = (const char **)lua_newuserdatauv(L, 2 * sizeof(char *), 1);
    lua_pushvalue(L, -2);
    lua_setiuservalue(L, -2, 1);
    c[0] = lua_tostring(L, -2);
    c[1] = NULL;
    o.comments = c;
  } else if (t == LUA_TTABLE) {
    int n = (int)luaL_len(L, -1), i, tb = lua_gettop(L);
    const char **c = (const char **)lua_newuserdatauv(L, sizeof(char *) *
                                                      (size_t)(n + 1), 1);
    lua_pushvalue(L, tb);
    lua_setiuservalue(L, -2, 1);
    for (i = 0; i < n; i++) {
      if (lua_geti(L, tb, i + 1) != LUA_TSTRING)
        luaL_error(L, "%s: comments must be strings", FN);
      c[i] = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    c[n] = NULL;
    o.comments = n ? c : NULL;
  } else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
    o.comments = NULL;
  } else if (t != LUA_TNIL) {
    luaL_error(L, "%s: comments must be a string, a table or false", FN);
  }
  /* (the comment values stay on the stack as anchors) */
  t = lnp_optfield(L, opts, "delimiter");
  if (t == LUA_TSTRING) o.delimiter = lua_tostring(L, -1);
  else if (!(t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))))
    luaL_error(L, "%s: delimiter must be a string", FN);
  t = lnp_optfield(L, opts, "quotechar");
  if (t == LUA_TSTRING) o.quotechar = lua_tostring(L, -1);
  else if (!(t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1))))
    luaL_error(L, "%s: quotechar must be a string", FN);
  v = lnp_optint(L, opts, "skiprows", 0);
  if (v < 0) luaL_error(L, "%s: skiprows must be nonnegative", FN);
  o.skiprows = v;
  v = lnp_optint(L, opts, "max_rows", -1);
  if (lnp_optfield(L, opts, "max_rows") != LUA_TNIL && v < 0)
    luaL_error(L, "%s: max_rows must be nonnegative", FN);
  lua_pop(L, 1);
  o.max_rows = v;
  v = lnp_optint(L, opts, "ndmin", 0);
  if (v < 0 || v > 2) luaL_error(L, "%s: illegal value of ndmin keyword: %d",
                                 FN, (int)v);
  o.ndmin = (int)v;
  o.nusecols = read_usecols(L, FN, opts, &uc, NULL);
  if (o.nusecols >= 0) o.usecols = uc;
  else o.nusecols = 0;
  unpack = lnp_optbool(L, opts, "unpack", 0);
  o.max_line = lnp_optint(L, opts, "max_line", 0);
  o.nthreads = (int)lnp_optint(L, opts, "threads", 0);
  enc = read_encoding(L, opts, NULL);
  /* converters: one function, or a table keyed by 1-based column */
  t = lnp_optfield(L, opts, "converters");
  lua_newtable(L);
  cb.convs = lua_gettop(L);
  if (t == LUA_TFUNCTION) {
    lua_pushvalue(L, -2);
    lua_rawseti(L, cb.convs, 1);
    o.conv_all = 1;
    o.conv = on_convert;
  } else if (t == LUA_TTABLE) {
    int n = 0, cap = 8;
    int64_t *keys = (int64_t *)malloc(sizeof(int64_t) * (size_t)cap);
    int64_t *kb;
    if (keys == NULL) luaL_error(L, "out of memory");
    lua_pushnil(L);
    while (lua_next(L, cb.convs - 1) != 0) {
      int ok;
      lua_Integer k = lua_tointegerx(L, -2, &ok);
      if (!ok || k == 0) {
        free(keys);
        luaL_error(L, "%s: converter keys must be 1-based column numbers", FN);
      }
      if (!lua_isfunction(L, -1)) {
        free(keys);
        luaL_error(L, "%s: converters must be functions", FN);
      }
      if (n == cap) {
        int64_t *q = (int64_t *)realloc(keys, sizeof(int64_t) * (size_t)(cap *= 2));
        if (q == NULL) { free(keys); luaL_error(L, "out of memory"); }
        keys = q;
      }
      keys[n++] = k > 0 ? k - 1 : k;
      lua_rawseti(L, cb.convs, n);          /* pops the function */
    }
    kb = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n ? n : 1), 0);
    memcpy(kb, keys, sizeof(int64_t) * (size_t)n);
    free(keys);
    o.conv_keys = kb;
    o.nconv = n;
    if (n) o.conv = on_convert;
  } else if (t != LUA_TNIL && !(t == LUA_TBOOLEAN && !lua_toboolean(L, -2))) {
    luaL_error(L, "%s: converters must be a function or a table", FN);
  }
  o.conv_ud = &cb;
  lua_pushnil(L);
  cb.slot = lua_gettop(L);
  read_progress(L, opts, &cb, &bar);
  o.progress = on_progress;
  o.progress_ud = &cb;
  o.progress_bar = bar;
  o.hook = lnp_memhook(L);
  /* the input, then the result array, then the work */
  src = open_input(L, FN, 1, enc, o.quotechar == NULL, &name);
  res = lnp_newarray(L);
  st = npio_loadtxt(src->s, &o, res, &empty, &e);
  close_input(src);
  if (st != NPIO_OK) return raise_error(L, &cb, &e);
  if (empty) {
    lua_pushfstring(L, "%s: input contained no data: \"%s\"", FN, name);
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 1);
  }
  if (unpack) return push_unpacked(L, lua_gettop(L));
  return 1;
}

/* }====================================================== */

/* {======================================================
** np.genfromtxt
** ======================================================= */

/* Reads a list of strings at opts[name] into a NULL-terminated scratch
** array left on the stack; NULL if absent. */
static const char **read_strlist(lua_State *L, const char *fn, int opts,
                                 const char *name, int *count) {
  int t = lnp_optfield(L, opts, name), n, i, tb;
  const char **a;
  *count = 0;
  if (t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)))
    return NULL;
  if (t == LUA_TSTRING) {
    a = (const char **)lua_newuserdatauv(L, 2 * sizeof(char *), 0);
    a[0] = lua_tostring(L, -2);
    a[1] = NULL;
    *count = 1;
    return a;
  }
  if (t != LUA_TTABLE)
    luaL_error(L, "%s: option '%s' must be a table of strings", fn, name);
  tb = lua_gettop(L);
  n = (int)luaL_len(L, tb);
  a = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)(n + 1), 0);
  for (i = 0; i < n; i++) {
    if (lua_geti(L, tb, i + 1) != LUA_TSTRING)
      luaL_error(L, "%s: option '%s' must hold strings", fn, name);
    a[i] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  a[n] = NULL;
  *count = n;
  return a;
}

/* A Lua value as a filling scalar (strings point into Lua). */
static void to_scalar(lua_State *L, int idx, npio_scalar *s, const char *fn) {
  memset(s, 0, sizeof *s);
  switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) { s->kind = 'i'; s->i = lua_tointeger(L, idx); }
      else { s->kind = 'f'; s->f = lua_tonumber(L, idx); }
      break;
    case LUA_TBOOLEAN: s->kind = 'b'; s->i = lua_toboolean(L, idx); break;
    case LUA_TSTRING: s->kind = 'U'; s->s = lua_tolstring(L, idx, &s->slen);
      break;
    default:
      luaL_error(L, "%s: a filling value must be a number, a boolean or a "
                 "string", fn);
  }
}

/* A scratch array of n column values, left on the stack. */
static npio_gen_colval *new_colvals(lua_State *L, int n) {
  npio_gen_colval *v = (npio_gen_colval *)lua_newuserdatauv(
      L, sizeof *v * (size_t)(n ? n : 1), 0);
  memset(v, 0, sizeof *v * (size_t)(n ? n : 1));
  return v;
}

/* Sets where a keyed entry applies (key at index -2 of a next loop). */
static void key_target(lua_State *L, npio_gen_colval *v, const char *fn,
                       const char *opt, int kidx) {
  if (lua_type(L, kidx) == LUA_TSTRING) {
    v->how = NPIO_GEN_NAME;
    v->name = lua_tostring(L, kidx);
  } else {
    int ok;
    lua_Integer k = lua_tointegerx(L, kidx, &ok);
    if (!ok) luaL_error(L, "%s: %s keys must be columns or names", fn, opt);
    v->how = NPIO_GEN_COL;
    v->col = col0(L, fn, opt, k);
  }
}

/* missing_values: "a,b" (every column) or {[col or name] = text or
** {texts}}. The texts are anchored in a table left on the stack. */
static npio_gen_colval *read_missing(lua_State *L, const char *fn, int opts,
                                     int *count) {
  int t = lnp_optfield(L, opts, "missing_values"), n = 0, tb, anchor;
  npio_gen_colval *v;
  *count = 0;
  if (t == LUA_TNIL) return NULL;
  tb = lua_gettop(L);
  lua_newtable(L);
  anchor = lua_gettop(L);
  if (t == LUA_TSTRING || t == LUA_TNUMBER) {
    const char *s = lua_tostring(L, tb), *st = s, *p;
    for (p = s; *p; p++) n += (*p == ',');
    v = new_colvals(L, n + 1);
    n = 0;
    for (p = s;; p++) {
      if (*p == ',' || *p == '\0') {
        lua_pushlstring(L, st, (size_t)(p - st));
        v[n].how = NPIO_GEN_ALL;
        v[n].text = lua_tostring(L, -1);
        lua_rawseti(L, anchor, n + 1);
        n++;
        st = p + 1;
        if (*p == '\0') break;
      }
    }
    *count = n;
    return v;
  }
  if (t != LUA_TTABLE)
    luaL_error(L, "%s: missing_values must be a string or a table", fn);
  lua_pushnil(L);
  while (lua_next(L, tb) != 0) {
    n += lua_istable(L, -1) ? (int)luaL_len(L, -1) : 1;
    lua_pop(L, 1);
  }
  v = new_colvals(L, n);
  n = 0;
  lua_pushnil(L);
  while (lua_next(L, tb) != 0) {
    int m = lua_istable(L, -1) ? (int)luaL_len(L, -1) : 1, i;
    for (i = 1; i <= m; i++) {
      key_target(L, &v[n], fn, "missing_values", -2);
      if (lua_istable(L, -1)) lua_geti(L, -1, i);
      else lua_pushvalue(L, -1);
      if (!lua_isstring(L, -1))
        luaL_error(L, "%s: missing values must be strings", fn);
      lua_pushstring(L, lua_tostring(L, -1));    /* str(value) */
      v[n].text = lua_tostring(L, -1);
      lua_rawseti(L, anchor, n + 1);
      lua_pop(L, 1);
      n++;
    }
    lua_pop(L, 1);
  }
  *count = n;
  return v;
}

/* filling_values: a value (every column) or {[col or name] = value}. */
static npio_gen_colval *read_filling(lua_State *L, const char *fn, int opts,
                                     int *count) {
  int t = lnp_optfield(L, opts, "filling_values"), n = 0, tb;
  npio_gen_colval *v;
  *count = 0;
  if (t == LUA_TNIL) return NULL;
  tb = lua_gettop(L);
  if (t != LUA_TTABLE) {
    v = new_colvals(L, 1);
    v[0].how = NPIO_GEN_ALL;
    to_scalar(L, tb, &v[0].value, fn);
    *count = 1;
    return v;
  }
  lua_pushnil(L);
  while (lua_next(L, tb) != 0) { n++; lua_pop(L, 1); }
  v = new_colvals(L, n);
  n = 0;
  lua_pushnil(L);
  while (lua_next(L, tb) != 0) {
    key_target(L, &v[n], fn, "filling_values", -2);
    to_scalar(L, -1, &v[n].value, fn);
    n++;
    lua_pop(L, 1);
  }
  *count = n;
  return v;
}

/*
** genfromtxt(file [, opts]) -> array, or data, mask with usemask=true
** (several arrays with unpack=true).
*/
static int np_genfromtxt(lua_State *L) {
  static const char *const FN = "npio.genfromtxt";
  npio_genfromtxt_opts o;
  npio_err e = {0};
  cb_ctx cb;
  int opts = lua_istable(L, 2) ? 2 : 0, t, unpack, isfalse, bar, n;
  const char *name = NULL, *enc;
  LSrc *src;
  int st;
  npio_array *res, *mask = NULL;
  int64_t *uc, nskipped = 0;
  const char **ucn;
  lua_Integer v;
  memset(&cb, 0, sizeof cb);
  cb.L = L;
  cb.fn = FN;
  npio_genfromtxt_defaults(&o);
  luaL_checkany(L, 1);
  lua_settop(L, 2);
  o.dtype = read_dtype(L, opts, &o.flexible, &isfalse);
  o.infer = isfalse;
  t = lnp_optfield(L, opts, "comments");
  if (t == LUA_TSTRING) o.comments = lua_tostring(L, -1);
  else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) o.comments = NULL;
  else if (t != LUA_TNIL) luaL_error(L, "%s: comments must be a string or false", FN);
  t = lnp_optfield(L, opts, "delimiter");
  if (t == LUA_TSTRING) {
    o.delimiter = lua_tostring(L, -1);
  } else if (t == LUA_TNUMBER) {
    int64_t *w = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t), 0);
    w[0] = (int64_t)luaL_checkinteger(L, -2);
    o.widths = w;
    o.nwidths = -1;
  } else if (t == LUA_TTABLE) {
    int i, tb = lua_gettop(L);
    int64_t *w;
    n = (int)luaL_len(L, tb);
    w = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(n ? n : 1), 0);
    for (i = 0; i < n; i++) {
      int ok;
      lua_geti(L, tb, i + 1);
      w[i] = (int64_t)lua_tointegerx(L, -1, &ok);
      if (!ok || w[i] < 0) luaL_error(L, "%s: field widths must be "
                                      "nonnegative integers", FN);
      lua_pop(L, 1);
    }
    o.widths = w;
    o.nwidths = n;
  } else if (!(t == LUA_TNIL || (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)))) {
    luaL_error(L, "%s: delimiter must be a string, an integer or a table of "
               "widths", FN);
  }
  v = lnp_optint(L, opts, "skip_header", 0);
  if (v < 0) luaL_error(L, "%s: skip_header must be nonnegative", FN);
  o.skip_header = v;
  v = lnp_optint(L, opts, "skip_footer", 0);
  if (v < 0) luaL_error(L, "%s: skip_footer must be nonnegative", FN);
  o.skip_footer = v;
  o.max_rows = lnp_optint(L, opts, "max_rows", -1);
  if (lnp_optfield(L, opts, "max_rows") != LUA_TNIL && o.max_rows < 1)
    luaL_error(L, "%s: max_rows must be at least 1", FN);
  lua_pop(L, 1);
  v = lnp_optint(L, opts, "ndmin", 0);
  if (v < 0 || v > 2) luaL_error(L, "%s: illegal value of ndmin keyword: %d",
                                 FN, (int)v);
  o.ndmin = (int)v;
  n = read_usecols(L, FN, opts, &uc, &ucn);
  if (n >= 0) {
    int i, byname = 0;
    o.nusecols = n;
    o.usecols = uc;
    for (i = 0; i < n; i++) byname |= ucn[i] != NULL;
    o.usecol_names = byname ? ucn : NULL;
  }
  t = lnp_optfield(L, opts, "names");
  if (t == LUA_TBOOLEAN) {
    o.names_from_header = lua_toboolean(L, -1);
  } else if (t == LUA_TSTRING) {           /* "a, b, c" */
    const char *s = lua_tostring(L, -1), *b0 = s, *p;
    int k = 1, i = 0;
    const char **nm;
    for (p = s; *p; p++) k += (*p == ',');
    nm = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)k, 1);
    lua_newtable(L);
    for (p = s;; p++) {
      if (*p == ',' || *p == '\0') {
        lua_pushlstring(L, b0, (size_t)(p - b0));
        nm[i] = lua_tostring(L, -1);
        lua_rawseti(L, -2, ++i);
        b0 = p + 1;
        if (*p == '\0') break;
      }
    }
    lua_setiuservalue(L, -2, 1);
    o.names = nm;
    o.nnames = k;
  } else if (t == LUA_TTABLE) {
    int k;
    lua_pop(L, 1);
    o.names = read_strlist(L, FN, opts, "names", &k);
    o.nnames = k;
  } else if (t != LUA_TNIL) {
    luaL_error(L, "%s: names must be true, a string or a table", FN);
  }
  o.excludelist = read_strlist(L, FN, opts, "excludelist", &n);
  o.deletechars = lnp_optstr(L, opts, "deletechars", NULL);
  t = lnp_optfield(L, opts, "replace_space");
  if (t == LUA_TSTRING) o.replace_space = lua_tostring(L, -1);
  else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) o.replace_space = "";
  t = lnp_optfield(L, opts, "case_sensitive");
  if (t == LUA_TBOOLEAN) o.case_sensitive = lua_toboolean(L, -1);
  else if (t == LUA_TSTRING) {
    const char *cs = lua_tostring(L, -1);
    if (cs[0] == 'u') o.case_sensitive = 'u';
    else if (cs[0] == 'l') o.case_sensitive = 'l';
    else luaL_error(L, "%s: unrecognized case_sensitive value '%s'", FN, cs);
  }
  o.defaultfmt = lnp_optstr(L, opts, "defaultfmt", "f%i");
  o.autostrip = lnp_optbool(L, opts, "autostrip", 0);
  o.loose = lnp_optbool(L, opts, "loose", 1);
  o.invalid_raise = lnp_optbool(L, opts, "invalid_raise", 1);
  unpack = lnp_optbool(L, opts, "unpack", 0);
  o.usemask = lnp_optbool(L, opts, "usemask", 0);
  o.max_line = lnp_optint(L, opts, "max_line", 0);
  o.nthreads = (int)lnp_optint(L, opts, "threads", 0);
  enc = read_encoding(L, opts, &o.bytes_strings);
  o.missing = read_missing(L, FN, opts, &o.nmissing);
  o.filling = read_filling(L, FN, opts, &o.nfilling);
  /* converters: {[col] = f, name = f} */
  t = lnp_optfield(L, opts, "converters");
  lua_newtable(L);
  cb.convs = lua_gettop(L);
  if (t == LUA_TTABLE) {
    int k = 0, cnt = 0;
    int64_t *keys;
    const char **names;
    lua_pushnil(L);
    while (lua_next(L, cb.convs - 1) != 0) { cnt++; lua_pop(L, 1); }
    keys = (int64_t *)lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(cnt ? cnt : 1), 0);
    names = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)(cnt ? cnt : 1), 0);
    lua_pushnil(L);
    while (lua_next(L, cb.convs - 1) != 0) {
      if (!lua_isfunction(L, -1))
        luaL_error(L, "%s: converters must be functions", FN);
      if (lua_type(L, -2) == LUA_TSTRING) {
        names[k] = lua_tostring(L, -2);
        keys[k] = 0;
      } else {
        int ok;
        lua_Integer kk = lua_tointegerx(L, -2, &ok);
        if (!ok) luaL_error(L, "%s: converter keys must be columns or names", FN);
        keys[k] = col0(L, FN, "converters", kk);
        names[k] = NULL;
      }
      lua_rawseti(L, cb.convs, ++k);
    }
    o.conv_keys = keys;
    o.conv_names = names;
    o.nconv = k;
    if (k) o.conv = on_convert;
  } else if (t != LUA_TNIL) {
    luaL_error(L, "%s: converters must be a table", FN);
  }
  o.conv_ud = &cb;
  lua_pushnil(L);
  cb.slot = lua_gettop(L);
  read_progress(L, opts, &cb, &bar);
  o.progress = on_progress;
  o.progress_ud = &cb;
  o.progress_bar = bar;
  o.hook = lnp_memhook(L);
  src = open_input(L, FN, 1, enc, 0, &name);
  res = lnp_newarray(L);
  if (o.usemask) mask = lnp_newarray(L);
  st = npio_genfromtxt(src->s, &o, res, mask, &nskipped, &e);
  close_input(src);
  if (st != NPIO_OK) return raise_error(L, &cb, &e);
  if (nskipped > 0) {
    lua_pushfstring(L, "%s: %s: %I rows with a wrong number of columns were "
                    "skipped", FN, name, (lua_Integer)nskipped);
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 1);
  }
  if (unpack) {
    int top = lua_gettop(L), k;
    int data = o.usemask ? top - 1 : top;
    int cnt;
    npio_array *a = lnp_checkarray(L, data);
    if (a->dtype->nfields == 1) {          /* squeezed to the one field */
      push_field(L, a, 0);
      cnt = 1;
    } else {
      cnt = push_unpacked(L, data);
    }
    if (o.usemask) {
      lua_pushvalue(L, top);
      cnt++;
    }
    (void)k;
    return cnt;
  }
  return o.usemask ? 2 : 1;
}

/* }====================================================== */

/* {======================================================
** np.savetxt
** ======================================================= */

/* savetxt(file, X [, opts]). */
static int np_savetxt(lua_State *L) {
  static const char *const FN = "npio.savetxt";
  npio_savetxt_opts o;
  npio_err e = {0};
  cb_ctx cb;
  int opts = lua_istable(L, 3) ? 3 : 0, t, bar;
  const char *path = NULL;
  FILE *f = NULL;
  npio_array *a;
  memset(&cb, 0, sizeof cb);
  cb.L = L;
  cb.fn = FN;
  npio_savetxt_defaults(&o);
  lua_settop(L, 3);
  if (lua_type(L, 1) == LUA_TSTRING) {
    path = lua_tostring(L, 1);
    lnp_checkpath(L, FN, path);
  } else if ((f = lnp_tofile(L, 1)) == NULL) {
    return luaL_error(L, "%s: expected a path or a file handle, got %s", FN,
                      luaL_typename(L, 1));
  }
  luaL_checkany(L, 2);
  a = lnp_asarray(L, 2, NULL);
  t = lnp_optfield(L, opts, "fmt");
  if (t == LUA_TSTRING) {
    const char **fm = (const char **)lua_newuserdatauv(L, sizeof(char *), 0);
    fm[0] = lua_tostring(L, -2);
    o.fmt = fm;
    o.nfmt = 1;
  } else if (t == LUA_TTABLE) {
    int n = (int)luaL_len(L, -1), i, tb = lua_gettop(L);
    const char **fm = (const char **)lua_newuserdatauv(
        L, sizeof(char *) * (size_t)(n ? n : 1), 0);
    for (i = 0; i < n; i++) {
      if (lua_geti(L, tb, i + 1) != LUA_TSTRING)
        luaL_error(L, "%s: fmt must hold strings", FN);
      fm[i] = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    o.fmt = fm;
    o.nfmt = n;
    if (n == 1) {
      /* a one-element list is a list: it must match the columns */
      int ncol = a->ndim == 2 ? (int)a->shape[1]
               : a->dtype->nfields > 0 ? a->dtype->nfields : 1;
      if (ncol != 1)
        luaL_error(L, "%s: fmt has wrong shape: 1 format for %d columns", FN,
                   ncol);
    }
  } else if (t != LUA_TNIL) {
    luaL_error(L, "%s: fmt must be a string or a table of strings", FN);
  }
  o.delimiter = lnp_optstr(L, opts, "delimiter", " ");
  o.newline = lnp_optstr(L, opts, "newline", "\n");
  o.header = lnp_optstr(L, opts, "header", "");
  o.footer = lnp_optstr(L, opts, "footer", "");
  o.comments = lnp_optstr(L, opts, "comments", "# ");
  o.encoding = lnp_optstr(L, opts, "encoding", NULL);
  o.atomic = lnp_optbool(L, opts, "atomic", 1);
  o.nthreads = (int)lnp_optint(L, opts, "threads", 0);
  read_progress(L, opts, &cb, &bar);
  o.progress = on_progress;
  o.progress_ud = &cb;
  o.progress_bar = bar;
  (void)lnp_data(L, a);                    /* raises if closed */
  if (npio_savetxt(path, f, a, &o, &e) != NPIO_OK)
    return raise_error(L, &cb, &e);
  return 0;
}

/* }====================================================== */

void lnp_open_text(lua_State *L) {
  lua_pushcfunction(L, np_loadtxt);
  lua_setfield(L, -2, "loadtxt");
  lua_pushcfunction(L, np_genfromtxt);
  lua_setfield(L, -2, "genfromtxt");
  lua_pushcfunction(L, np_savetxt);
  lua_setfield(L, -2, "savetxt");
}
