/*
** sandbox.c -- the allow-list environment for untrusted scripts.
**
** The standard libraries are opened as usual, then a fresh table is
** filled with the functions a script may use and made the globals
** table, so every chunk (the script, load(), the REPL) sees only it.
** Left out: dofile, loadfile, binary chunks (load is forced to mode
** "t"), string.dump, debug, package.loadlib and C modules (require
** only finds package.preload and Lua files under the root), os other
** than clock/date/difftime/time (no getenv: it would hand secrets to
** untrusted code), io other than open/lines/read/write/close/type and
** the three standard files. io.open, io.lines and require check that
** every path resolves under the root. setmetatable refuses __gc
** metamethods and getmetatable hides userdata metatables, because Lua
** runs finalizers with hooks off, where the time limit cannot stop them.
*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "npio.h"
#include "npio_int.h"
#include "host_int.h"


/* {======================================================
** Paths
** ======================================================= */

/* 1 if 'path' (a realpath) is 'root' or inside it. */
static int is_under(const char *root, const char *path) {
  size_t n = strlen(root);
  if (strcmp(root, "/") == 0) return 1;
  return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}


int npiosb_checkpath(const char *root, const char *path, size_t len,
                     char *out, char *why, size_t whycap) {
  char buf[PATH_MAX], rdir[PATH_MAX];
  const char *dir, *base;
  char *slash;
  struct stat st;
  if (len != strlen(path)) {
    snprintf(why, whycap, "file name contains a NUL byte");
    return -1;
  }
  if (len == 0 || len >= PATH_MAX) {
    snprintf(why, whycap, "%s: %s", path, len ? "name too long" : "empty "
             "file name");
    return -1;
  }
  if (realpath(path, out) == NULL) {
    if (errno != ENOENT) {
      snprintf(why, whycap, "%s: %s", path, strerror(errno));
      return -1;
    }
    if (lstat(path, &st) == 0) {   /* a symbolic link to nowhere */
      snprintf(why, whycap, "%s: a symbolic link to a missing file is not "
               "allowed in the sandbox", path);
      return -1;
    }
    /* a new file: its folder must exist and resolve under the root */
    memcpy(buf, path, len + 1);
    slash = strrchr(buf, '/');
    if (slash == NULL) {
      dir = ".";
      base = buf;
    }
    else if (slash == buf) {
      dir = "/";
      base = buf + 1;
    }
    else {
      *slash = '\0';
      dir = buf;
      base = slash + 1;
    }
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0
        || realpath(dir, rdir) == NULL) {
      snprintf(why, whycap, "%s: No such file or directory", path);
      return -1;
    }
    if (snprintf(out, PATH_MAX, "%s/%s", strcmp(rdir, "/") == 0 ? "" : rdir,
                 base) >= PATH_MAX) {
      snprintf(why, whycap, "%s: name too long", path);
      return -1;
    }
  }
  if (!is_under(root, out)) {
    snprintf(why, whycap, "%s: outside the sandbox root %s", path, root);
    return -1;
  }
  return 0;
}


/*
** checkpath(path [, forwrite]) -> resolved | nil, message. The root is
** upvalue 1. Stored in the registry for the bindings.
*/
static int sb_checkpath(lua_State *L) {
  char out[PATH_MAX], why[PATH_MAX + 128];
  size_t len;
  const char *path = luaL_checklstring(L, 1, &len);
  const char *root = lua_tostring(L, lua_upvalueindex(1));
  if (npiosb_checkpath(root, path, len, out, why, sizeof why) != 0) {
    luaL_pushfail(L);
    lua_pushstring(L, why);
    return 2;
  }
  lua_pushstring(L, out);
  return 1;
}


void npiosb_pushcheckpath(lua_State *L, const char *root) {
  lua_pushstring(L, root);
  lua_pushcclosure(L, sb_checkpath, 1);
}


/* Raises unless the path at 'idx' is allowed; upvalue 'rootup' holds the
** root. */
static void checkarg(lua_State *L, int idx, int rootup) {
  char out[PATH_MAX], why[PATH_MAX + 128];
  size_t len;
  const char *path = luaL_checklstring(L, idx, &len);
  const char *root = lua_tostring(L, lua_upvalueindex(rootup));
  if (npiosb_checkpath(root, path, len, out, why, sizeof why) != 0)
    luaL_error(L, "%s", why);
}

/* }====================================================== */


/* {======================================================
** Wrapped functions (upvalue 1: the original; 2: the root)
** ======================================================= */

/* Calls the original (upvalue 1) with the current arguments. */
static int call_original(lua_State *L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}


/* io.open(path [, mode]): nil, message, EACCES for a path outside. */
static int sb_ioopen(lua_State *L) {
  char out[PATH_MAX], why[PATH_MAX + 128];
  size_t len;
  const char *path = luaL_checklstring(L, 1, &len);
  const char *root = lua_tostring(L, lua_upvalueindex(2));
  if (npiosb_checkpath(root, path, len, out, why, sizeof why) != 0) {
    luaL_pushfail(L);
    lua_pushstring(L, why);
    lua_pushinteger(L, EACCES);
    return 3;
  }
  return call_original(L);
}


/* io.lines([path, ...]): stdin when no path; raises for a path outside. */
static int sb_iolines(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) checkarg(L, 1, 2);
  return call_original(L);
}


/* load(chunk [, name [, mode [, env]]]) with mode forced to "t". */
static int sb_load(lua_State *L) {
  if (lua_gettop(L) < 3) lua_settop(L, 3);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  return call_original(L);
}


/* setmetatable(t, mt) refusing finalizers (see the file's comment). */
static int sb_setmetatable(lua_State *L) {
  if (lua_type(L, 2) == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL)
      return luaL_error(L, "setmetatable: __gc metamethods are not allowed "
                        "in the sandbox");
    lua_pop(L, 1);
  }
  return call_original(L);
}


/*
** getmetatable(v) hiding the metatables of userdata (arrays, files,
** archives): Lua code could otherwise put a looping __gc in them, and
** finalizers run with hooks off. Their __metatable field, if any, is
** still returned.
*/
static int sb_getmetatable(lua_State *L) {
  luaL_checkany(L, 1);
  if (lua_type(L, 1) != LUA_TUSERDATA) return call_original(L);
  if (!lua_getmetatable(L, 1)) return 0;
  lua_pushliteral(L, "__metatable");
  lua_rawget(L, -2);
  return 1;
}


/*
** Looks for module 'name' along the sandbox's package.path; every
** candidate must resolve under the root and be readable. Pushes one
** value: the file's resolved name (returns 1), or the list of places
** tried (returns 0).
*/
static int search_path(lua_State *L, const char *name, const char *path,
                       const char *root) {
  int top = lua_gettop(L);
  const char *n = luaL_gsub(L, name, ".", LUA_DIRSEP);   /* top + 1 */
  lua_pushliteral(L, "");                                /* top + 2 */
  while (*path) {
    char out[PATH_MAX], why[PATH_MAX + 128];
    const char *e = strchr(path, ';');
    size_t tl = e ? (size_t)(e - path) : strlen(path);
    const char *file;
    FILE *f;
    lua_pushlstring(L, path, tl);                        /* top + 3 */
    path += tl + (e != NULL);
    if (tl == 0) {
      lua_pop(L, 1);
      continue;
    }
    file = luaL_gsub(L, lua_tostring(L, -1), "?", n);    /* top + 4 */
    if (npiosb_checkpath(root, file, lua_rawlen(L, -1), out, why,
                         sizeof why) == 0 &&
        (f = fopen(out, "r")) != NULL) {
      fclose(f);
      lua_pushstring(L, out);
      lua_replace(L, top + 1);
      lua_settop(L, top + 1);
      return 1;
    }
    lua_pushfstring(L, "\n\tno file '%s'", file);
    lua_replace(L, top + 3);
    lua_settop(L, top + 3);
    lua_concat(L, 2);                                    /* top + 2 */
  }
  lua_replace(L, top + 1);
  lua_settop(L, top + 1);
  return 0;
}


/*
** require(name): package.loaded, then package.preload, then Lua files
** (text only) under the root. Upvalues: 1 the sandbox's package table,
** 2 the root. Returns the module and the loader's extra value.
*/
static int sb_require(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  const char *root = lua_tostring(L, lua_upvalueindex(2));
  lua_settop(L, 1);
  if (lua_getfield(L, lua_upvalueindex(1), "loaded") != LUA_TTABLE)  /* 2 */
    return luaL_error(L, "'package.loaded' must be a table");
  if (lua_getfield(L, 2, name) != LUA_TNIL && lua_toboolean(L, -1))
    return 1;   /* already loaded */
  lua_settop(L, 2);
  /* 3: the loader, 4: its extra value */
  if (lua_getfield(L, lua_upvalueindex(1), "preload") == LUA_TTABLE &&
      lua_getfield(L, 3, name) != LUA_TNIL) {
    lua_remove(L, 3);
    lua_pushliteral(L, ":preload:");
  }
  else {
    const char *path;
    lua_settop(L, 2);
    lua_getfield(L, lua_upvalueindex(1), "path");        /* 3 */
    path = lua_tostring(L, 3);
    if (path == NULL)
      return luaL_error(L, "'package.path' must be a string");
    if (!search_path(L, name, path, root))               /* 4 */
      return luaL_error(L, "module '%s' not found:\n\tno field "
                        "package.preload['%s']%s", name, name,
                        lua_tostring(L, 4));
    if (luaL_loadfilex(L, lua_tostring(L, 4), "t") != LUA_OK)   /* 5 */
      return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s",
                        name, lua_tostring(L, 4), lua_tostring(L, 5));
    lua_replace(L, 3);
  }
  lua_pushvalue(L, 3);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 4);
  lua_call(L, 2, 1);                                     /* 5 */
  if (!lua_isnil(L, 5)) lua_setfield(L, 2, name);
  lua_settop(L, 4);
  if (lua_getfield(L, 2, name) == LUA_TNIL) {            /* 5 */
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, -1);
    lua_setfield(L, 2, name);
  }
  lua_pushvalue(L, 4);
  return 2;
}

/* }====================================================== */


/* {======================================================
** Building the environment
** ======================================================= */

static const char *const base_names[] = {
  "assert", "collectgarbage", "error", "ipairs", "next",
  "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset",
  "select", "tonumber", "tostring", "type", "warn", "xpcall", "_VERSION",
  NULL
};
static const char *const string_names[] = {
  "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower",
  "match", "pack", "packsize", "rep", "reverse", "sub", "unpack", "upper",
  NULL
};
static const char *const table_names[] = {
  "concat", "insert", "move", "pack", "remove", "sort", "unpack", NULL
};
static const char *const math_names[] = {
  "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor",
  "fmod", "huge", "log", "max", "maxinteger", "min", "mininteger", "modf",
  "pi", "rad", "random", "randomseed", "sin", "sqrt", "tan", "tointeger",
  "type", "ult", NULL
};
static const char *const utf8_names[] = {
  "char", "charpattern", "codepoint", "codes", "len", "offset", NULL
};
static const char *const coroutine_names[] = {
  "close", "create", "isyieldable", "resume", "running", "status", "wrap",
  "yield", NULL
};
static const char *const os_names[] = {
  "clock", "date", "difftime", "time", NULL
};
static const char *const io_names[] = {
  "close", "read", "write", "type", "stdin", "stdout", "stderr", NULL
};


/* Copies the listed fields of the table at 'src' into the table on top. */
static void copy_names(lua_State *L, int src, const char *const *names) {
  for (; *names; names++) {
    lua_getfield(L, src, *names);
    lua_setfield(L, -2, *names);
  }
}


/*
** Pushes a new table holding the allowed fields of library 'lib' (a
** field of the real globals at 'g') and registers it in the sandbox's
** globals ('env') and package.loaded ('loaded').
*/
static void sandbox_lib(lua_State *L, int g, int env, int loaded,
                        const char *lib, const char *const *names) {
  lua_getfield(L, g, lib);
  lua_newtable(L);
  copy_names(L, lua_gettop(L) - 1, names);
  lua_pushvalue(L, -1);
  lua_setfield(L, env, lib);
  lua_pushvalue(L, -1);
  lua_setfield(L, loaded, lib);
  lua_remove(L, -2);   /* the real library */
}


/* Sets field 'name' of the table on top to a wrapper closure of the
** real function 'lib.name' (lib NULL: a base function). */
static void wrap(lua_State *L, int g, const char *lib, const char *name,
                 lua_CFunction f, const char *root) {
  if (lib) {
    lua_getfield(L, g, lib);
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
  }
  else lua_getfield(L, g, name);
  lua_pushstring(L, root);
  lua_pushcclosure(L, f, 2);
  lua_setfield(L, -2, name);
}


void npiosb_open(lua_State *L, const char *root, lua_CFunction opener) {
  int g, env, loaded, pkg;
  static const lua_CFunction openers[] = {
    luaopen_base, luaopen_coroutine, luaopen_table, luaopen_io, luaopen_os,
    luaopen_string, luaopen_math, luaopen_utf8
  };
  static const char *const names[] = {
    LUA_GNAME, LUA_COLIBNAME, LUA_TABLIBNAME, LUA_IOLIBNAME, LUA_OSLIBNAME,
    LUA_STRLIBNAME, LUA_MATHLIBNAME, LUA_UTF8LIBNAME
  };
  size_t i;
  /* the real libraries (no package, no debug) in the real globals */
  for (i = 0; i < sizeof openers / sizeof openers[0]; i++) {
    luaL_requiref(L, names[i], openers[i], 1);
    lua_pop(L, 1);
  }
  lua_pushglobaltable(L);
  g = lua_gettop(L);
  lua_newtable(L);
  env = lua_gettop(L);
  lua_newtable(L);
  loaded = lua_gettop(L);
  lua_newtable(L);
  pkg = lua_gettop(L);

  /* base functions */
  lua_pushvalue(L, env);
  copy_names(L, g, base_names);
  wrap(L, g, NULL, "load", sb_load, root);
  wrap(L, g, NULL, "setmetatable", sb_setmetatable, root);
  wrap(L, g, NULL, "getmetatable", sb_getmetatable, root);
  lua_pushvalue(L, env);
  lua_setfield(L, -2, LUA_GNAME);
  lua_pop(L, 1);
  lua_pushvalue(L, env);
  lua_setfield(L, loaded, LUA_GNAME);

  sandbox_lib(L, g, env, loaded, LUA_COLIBNAME, coroutine_names);
  lua_pop(L, 1);
  sandbox_lib(L, g, env, loaded, LUA_TABLIBNAME, table_names);
  lua_pop(L, 1);
  sandbox_lib(L, g, env, loaded, LUA_MATHLIBNAME, math_names);
  lua_pop(L, 1);
  sandbox_lib(L, g, env, loaded, LUA_UTF8LIBNAME, utf8_names);
  lua_pop(L, 1);
  sandbox_lib(L, g, env, loaded, LUA_OSLIBNAME, os_names);
  lua_pop(L, 1);
  sandbox_lib(L, g, env, loaded, LUA_IOLIBNAME, io_names);
  wrap(L, g, LUA_IOLIBNAME, "open", sb_ioopen, root);
  wrap(L, g, LUA_IOLIBNAME, "lines", sb_iolines, root);
  lua_pop(L, 1);

  /* string: methods on strings see the sandbox's table, and the string
  ** metatable is hidden from getmetatable */
  sandbox_lib(L, g, env, loaded, LUA_STRLIBNAME, string_names);
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 2);

  /* package: loaded, preload (npio), a Lua-only path under the root */
  lua_pushvalue(L, loaded);
  lua_setfield(L, pkg, "loaded");
  lua_newtable(L);
  lua_pushcfunction(L, opener);
  lua_setfield(L, -2, "npio");
  lua_setfield(L, pkg, "preload");
  lua_pushfstring(L, "%s/?.lua;%s/?/init.lua", strcmp(root, "/") ? root : "",
                  strcmp(root, "/") ? root : "");
  lua_setfield(L, pkg, "path");
  lua_pushliteral(L, LUA_DIRSEP "\n;\n?\n!\n-\n");
  lua_setfield(L, pkg, "config");
  lua_pushvalue(L, pkg);
  lua_setfield(L, env, LUA_LOADLIBNAME);
  lua_pushvalue(L, pkg);
  lua_setfield(L, loaded, LUA_LOADLIBNAME);
  lua_pushvalue(L, pkg);
  lua_pushstring(L, root);
  lua_pushcclosure(L, sb_require, 2);
  lua_setfield(L, env, "require");

  /* from now on every chunk's _ENV is the sandbox */
  lua_pushvalue(L, env);
  lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  lua_settop(L, g - 1);
}

/* }====================================================== */
