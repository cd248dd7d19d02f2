/*
** main.c -- the npio command.
**
** lua.c's skeleton: main -> pmain under lua_pcall, a message handler
** that adds a traceback, report() for errors; SIGINT only sets a hook.
** Options that shape the state (--sandbox, --root, --mem, --timeout) are
** read before the state is opened. Exit status: 0 success, 1 script
** error or broken limit, 2 usage error.
**
** The REPL (GNU readline when stdin is a terminal) prints expressions
** as Lua 5.4's does (trying "return <line>" first; plain tables by their
** members, arrays NumPy-style through tostring), keeps a history in
** ~/.npio_history ($NPIO_HISTORY; empty: none) and completes globals,
** fields, methods and archive members, and file names inside strings.
**
** `npio info FILE...` lists the arrays in files through np.info; the
** .npz subsystem may take it over by linking npio_info_cli().
*/
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "npio.h"
#include "lnpio.h"
#include "host_int.h"

#define PROMPT  "> "
#define PROMPT2 ">> "
#define EOFMARK "<eof>"
#define MARKLEN (sizeof(EOFMARK) / sizeof(char) - 1)

/* Seconds a script may stay inside C code past its deadline before the
** command gives up on it (C code that does not poll the deadline). */
#if !defined(NPIO_WATCHDOG_GRACE)
#define NPIO_WATCHDOG_GRACE 1.0
#endif

static const char *progname = "npio";
static npio_state *globalS = NULL;
static double wd_deadline = 0;    /* the watchdog's copy (atomic) */
static int use_readline = 0;      /* REPL input through readline */
static char *history_path = NULL;


/* {======================================================
** Options
** ======================================================= */

enum { has_e = 1, has_i = 2, has_v = 4, has_W = 8, has_h = 16 };
enum { ACT_E, ACT_L };

typedef struct Action {
  int kind;              /* ACT_E or ACT_L */
  const char *arg;
} Action;

typedef struct Args {
  npio_state_opts so;
  int flags;
  int script;            /* index of the script in argv; 0: none */
  Action *acts;          /* -e and -l, in order */
  int nacts;
  char bad[256];         /* usage error text */
} Args;


static void print_usage(FILE *f) {
  fprintf(f,
  "usage: %s [options] [script [args]]\n"
  "       %s info [--json] [--stats] FILE...\n"
  "Available options are:\n"
  "  -e stat        execute string 'stat'\n"
  "  -i             enter interactive mode after executing 'script'\n"
  "  -l mod         require library 'mod' into global 'mod'\n"
  "  -l g=mod       require library 'mod' into global 'g'\n"
  "  -v             show version information\n"
  "  -W             turn warnings on\n"
  "  -h             show this help\n"
  "  --sandbox      run untrusted code: allow-list environment, files\n"
  "                 only under --root\n"
  "  --root DIR     the sandbox's root folder (default: the current one)\n"
  "  --mem BYTES    limit Lua and array memory together (suffix K, M, G)\n"
  "  --timeout SEC  limit the run's wall time\n"
  "  --             stop handling options\n"
  "  -              stop handling options and execute stdin\n",
  progname, progname);
  fflush(f);
}


static void print_version(void) {
  lua_writestring("npio " NPIO_VERSION "  " LUA_RELEASE,
                  strlen("npio " NPIO_VERSION "  " LUA_RELEASE));
  lua_writeline();
}


/* Parses "64M", "1G", "1000", "512K", "2MB", "2MiB" into bytes. */
static int parse_bytes(const char *s, int64_t *out) {
  char *end;
  long long v;
  int64_t mul = 1;
  errno = 0;
  v = strtoll(s, &end, 10);
  if (end == s || errno != 0 || v <= 0) return -1;
  switch (*end) {
    case 'k': case 'K': mul = (int64_t)1 << 10; end++; break;
    case 'm': case 'M': mul = (int64_t)1 << 20; end++; break;
    case 'g': case 'G': mul = (int64_t)1 << 30; end++; break;
    default: break;
  }
  if (mul > 1 && *end == 'i') end++;
  if (*end == 'B' || *end == 'b') end++;
  if (*end != '\0') return -1;
  if (v > INT64_MAX / mul) return -1;
  *out = (int64_t)v * mul;
  return 0;
}


static int parse_seconds(const char *s, double *out) {
  char *end;
  double v;
  errno = 0;
  v = strtod(s, &end);
  if (end == s || *end != '\0' || errno != 0 || !(v > 0) || !isfinite(v))
    return -1;
  *out = v;
  return 0;
}


static int usage_error(Args *a, const char *fmt, const char *what) {
  snprintf(a->bad, sizeof a->bad, fmt, what);
  return -1;
}


/*
** A long option "--name", "--name=value" or "--name value". Returns the
** number of extra arguments used, or -1 with a->bad set.
*/
static int long_option(Args *a, char **argv, int i) {
  const char *opt = argv[i] + 2;
  const char *eq = strchr(opt, '=');
  size_t n = eq ? (size_t)(eq - opt) : strlen(opt);
  const char *val = eq ? eq + 1 : NULL;
  int used = 0;
#define ISOPT(name) (n == sizeof(name) - 1 && strncmp(opt, name, n) == 0)
  if (ISOPT("sandbox") || ISOPT("help") || ISOPT("version")) {
    if (val) return usage_error(a, "option '%s' takes no value", argv[i]);
    if (ISOPT("sandbox")) a->so.sandbox = 1;
    else if (ISOPT("help")) a->flags |= has_h;
    else a->flags |= has_v;
    return 0;
  }
  if (!(ISOPT("root") || ISOPT("mem") || ISOPT("timeout")))
    return usage_error(a, "unrecognized option '%s'", argv[i]);
  if (val == NULL) {
    val = argv[i + 1];
    used = 1;
    if (val == NULL) return usage_error(a, "'%s' needs an argument", argv[i]);
  }
  if (ISOPT("root")) a->so.root = val;
  else if (ISOPT("mem")) {
    if (parse_bytes(val, &a->so.mem_limit) != 0)
      return usage_error(a, "bad --mem value '%s' (bytes, with suffix K, M "
                         "or G)", val);
  }
  else if (parse_seconds(val, &a->so.timeout) != 0)
    return usage_error(a, "bad --timeout value '%s' (seconds)", val);
#undef ISOPT
  return used;
}


/*
** Reads the options as lua.c's collectargs does, plus the long ones.
** Returns 0, or -1 for a usage error (a->bad says what).
*/
static int collectargs(int argc, char **argv, Args *a) {
  int i;
  a->acts = (Action *)calloc((size_t)argc + 1, sizeof(Action));
  if (a->acts == NULL) return usage_error(a, "%s", "out of memory");
  for (i = 1; i < argc; i++) {
    const char *s = argv[i];
    a->script = i;
    if (s[0] != '-' || s[1] == '\0')   /* script name, or "-" (stdin) */
      return 0;
    switch (s[1]) {
      case '-':
        if (s[2] == '\0') {   /* "--": the script follows, if any */
          a->script = (i + 1 < argc) ? i + 1 : 0;
          return 0;
        }
        else {
          int used = long_option(a, argv, i);
          if (used < 0) return -1;
          i += used;
        }
        break;
      case 'i':
        a->flags |= has_i;  /* -i implies -v, as in lua */
        /* FALLTHROUGH */
      case 'v': case 'W': case 'h':
        if (s[2] != '\0') return usage_error(a, "unrecognized option '%s'", s);
        a->flags |= s[1] == 'W' ? has_W : s[1] == 'h' ? has_h : has_v;
        break;
      case 'e': case 'l': {
        const char *arg = s + 2;
        if (*arg == '\0') {
          arg = argv[++i];
          if (arg == NULL || (s[1] == 'l' && arg[0] == '-'))
            return usage_error(a, "'%s' needs an argument", s);
        }
        if (s[1] == 'e') a->flags |= has_e;
        a->acts[a->nacts].kind = s[1] == 'e' ? ACT_E : ACT_L;
        a->acts[a->nacts++].arg = arg;
        break;
      }
      default:
        return usage_error(a, "unrecognized option '%s'", s);
    }
  }
  a->script = 0;   /* no script */
  return 0;
}

/* }====================================================== */


/* {======================================================
** Running chunks (lua.c)
** ======================================================= */

/* Starts / ends a run's time limit; the watchdog thread reads its own
** copy of the deadline, never the state. */
static void cli_arm(void) {
  double d;
  npiohost_arm(globalS);
  d = npiohost_deadline(globalS);
  __atomic_store(&wd_deadline, &d, __ATOMIC_RELAXED);
}

static void cli_disarm(void) {
  double d = 0;
  __atomic_store(&wd_deadline, &d, __ATOMIC_RELAXED);
  npiohost_disarm(globalS);
}

static void l_message(const char *pname, const char *msg) {
  if (pname) lua_writestringerror("%s: ", pname);
  lua_writestringerror("%s\n", msg);
}


/* Prints the error on the top (with the broken limit named) and pops
** it. */
static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                     : NULL;
    l_message(progname, npiohost_errmsg(globalS, status, msg));
    lua_pop(L, 1);
  }
  return status;
}


/* SIGINT: the next Lua instruction raises "interrupted!"; a second
** SIGINT kills the process. */
static void laction(int i) {
  signal(i, SIG_DFL);
  npiohost_interrupt(globalS);
}


static void setsignal(int sig, void (*handler)(int)) {
  struct sigaction sa;
  sa.sa_handler = handler;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}


static int docall(lua_State *L, int narg, int nres) {
  int status;
  int base = lua_gettop(L) - narg;
  lua_pushcfunction(L, npiohost_msghandler);
  lua_insert(L, base);
  setsignal(SIGINT, laction);
  status = lua_pcall(L, narg, nres, base);
  setsignal(SIGINT, SIG_DFL);
  lua_remove(L, base);
  return status;
}


static void createargtable(lua_State *L, char **argv, int argc, int script) {
  int i, narg;
  narg = argc - (script + 1);
  if (narg < 0) narg = 0;
  lua_createtable(L, narg, script + 1);
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}


static int dochunk(lua_State *L, int status) {
  if (status == LUA_OK) status = docall(L, 0, 0);
  return report(L, status);
}


static int dofile(lua_State *L, const char *name) {
  return dochunk(L, npiohost_loadfile(globalS, name));
}


static int dostring(lua_State *L, const char *s, const char *name) {
  return dochunk(L, npiohost_loadbuffer(globalS, s, strlen(s), name));
}


/* -l g=mod: g = require(mod); -l mod: mod = require(mod). */
static int dolibrary(lua_State *L, const char *spec) {
  int status;
  const char *eq = strchr(spec, '=');
  const char *modname = eq ? eq + 1 : spec;
  lua_getglobal(L, "require");
  lua_pushstring(L, modname);
  status = docall(L, 1, 1);
  if (status == LUA_OK) {
    if (eq) lua_pushlstring(L, spec, (size_t)(eq - spec));
    else lua_pushstring(L, spec);
    lua_insert(L, -2);
    lua_setglobal(L, lua_tostring(L, -2));
    lua_pop(L, 1);
  }
  return report(L, status);
}


static int pushargs(lua_State *L) {
  int i, n;
  if (lua_getglobal(L, "arg") != LUA_TTABLE)
    luaL_error(L, "'arg' is not a table");
  n = (int)luaL_len(L, -1);
  luaL_checkstack(L, n + 3, "too many arguments to script");
  for (i = 1; i <= n; i++)
    lua_rawgeti(L, -i, i);
  lua_remove(L, -i);
  return n;
}


static int handle_script(lua_State *L, char **argv) {
  int status;
  const char *fname = argv[0];
  if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0)
    fname = NULL;   /* stdin */
  status = npiohost_loadfile(globalS, fname);
  if (status == LUA_OK) {
    int n = pushargs(L);
    status = docall(L, n, LUA_MULTRET);
  }
  return report(L, status);
}


static int runargs(lua_State *L, const Args *a) {
  int i;
  for (i = 0; i < a->nacts; i++) {
    int status = a->acts[i].kind == ACT_E
                     ? dostring(L, a->acts[i].arg, "=(command line)")
                     : dolibrary(L, a->acts[i].arg);
    if (status != LUA_OK) return 0;
  }
  return 1;
}

/* }====================================================== */


/* {======================================================
** Completion (readline)
** ======================================================= */

static const char *const keywords[] = {
  "and", "break", "do", "else", "elseif", "end", "false", "for",
  "function", "goto", "if", "in", "local", "nil", "not", "or", "repeat",
  "return", "then", "true", "until", "while", NULL
};

static const char *const array_fields[] = {
  "shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides", "T",
  NULL
};

static char **cands = NULL;     /* the current completion candidates */
static size_t ncands = 0, candpos = 0;


static int is_ident(const char *s, size_t n) {
  size_t i;
  if (n == 0 || (s[0] >= '0' && s[0] <= '9')) return 0;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
      return 0;
  }
  return 1;
}


/* Adds name -> type to the result table at 'res' if it fits. */
static void add_cand(lua_State *L, int res, const char *name, size_t n,
                     const char *prefix, const char *type) {
  size_t pl = strlen(prefix);
  if (!is_ident(name, n) || n < pl || strncmp(name, prefix, pl) != 0) return;
  if (n >= 2 && name[0] == '_' && name[1] == '_' && prefix[0] != '_')
    return;   /* metamethods only when asked for */
  lua_pushlstring(L, name, n);
  if (lua_rawget(L, res) == LUA_TNIL) {
    lua_pushlstring(L, name, n);
    lua_pushstring(L, type);
    lua_rawset(L, res);
  }
  lua_pop(L, 1);
}


/* String keys of the table at 't'; only functions if 'methods'. */
static void add_table(lua_State *L, int t, int res, const char *prefix,
                      int methods) {
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) == LUA_TSTRING &&
        (!methods || lua_type(L, -1) == LUA_TFUNCTION)) {
      size_t n;
      const char *k = lua_tolstring(L, -2, &n);
      add_cand(L, res, k, n, prefix, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
}


static int getfield_p(lua_State *L) {
  lua_gettable(L, 1);
  return 1;
}


/*
** Members of the value at 'v': its own keys (a table), and through its
** metatable's __index: a table (followed), or the tables among a C
** __index function's upvalues; and the metatable's __methods table
** (where npio's bindings keep methods). Arrays add
** their fields; archives (anything with a 'files' list) their members.
*/
static void add_members(lua_State *L, int v, int res, const char *prefix,
                        int methods, int depth) {
  if (depth > 8) return;
  luaL_checkstack(L, 8, "completion");
  if (lua_type(L, v) == LUA_TTABLE) add_table(L, v, res, prefix, methods);
  if (lua_getmetatable(L, v)) {
    int mt = lua_gettop(L);
    lua_pushliteral(L, "__index");
    lua_rawget(L, mt);
    if (lua_type(L, -1) == LUA_TTABLE)
      add_members(L, lua_gettop(L), res, prefix, methods, depth + 1);
    else if (lua_iscfunction(L, -1)) {
      int f = lua_gettop(L), i;
      for (i = 1; lua_getupvalue(L, f, i) != NULL; i++) {
        if (lua_type(L, -1) == LUA_TTABLE)
          add_table(L, lua_gettop(L), res, prefix, methods);
        lua_pop(L, 1);
      }
    }
    lua_pushliteral(L, "__methods");   /* where npio keeps methods */
    if (lua_rawget(L, mt) == LUA_TTABLE)
      add_table(L, lua_gettop(L), res, prefix, methods);
    lua_settop(L, mt - 1);
  }
  if (lua_type(L, v) == LUA_TUSERDATA && !methods) {
    int i;
    if (luaL_testudata(L, v, LNP_ARRAY)) {
      lua_pop(L, 1);
      for (i = 0; array_fields[i]; i++)
        add_cand(L, res, array_fields[i], strlen(array_fields[i]), prefix,
                 "field");
    }
    lua_pushcfunction(L, getfield_p);
    lua_pushvalue(L, v);
    lua_pushliteral(L, "files");
    if (lua_pcall(L, 2, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TTABLE) {
      int t = lua_gettop(L);
      lua_Integer k, n = luaL_len(L, t);
      add_cand(L, res, "files", 5, prefix, "field");
      for (k = 1; k <= n && k <= 10000; k++) {
        if (lua_geti(L, t, k) == LUA_TSTRING) {
          size_t len;
          const char *s = lua_tolstring(L, -1, &len);
          add_cand(L, res, s, len, prefix, "member");
        }
        lua_pop(L, 1);
      }
    }
    lua_pop(L, 1);
  }
}


/*
** Protected: (chain, sep, prefix) -> table of candidate name -> type.
** 'chain' is "a.b.c" (may be empty: globals), 'sep' '.' or ':'.
*/
static int collect_p(lua_State *L) {
  const char *chain = lua_tostring(L, 1);
  int methods = lua_tointeger(L, 2) == ':';
  const char *prefix = lua_tostring(L, 3);
  int i;
  lua_settop(L, 3);
  lua_newtable(L);            /* 4: results */
  lua_pushglobaltable(L);     /* 5: the value walked */
  if (*chain == '\0') {
    add_members(L, 5, 4, prefix, 0, 0);
    for (i = 0; keywords[i]; i++)
      add_cand(L, 4, keywords[i], strlen(keywords[i]), prefix, "keyword");
    lua_settop(L, 4);
    return 1;
  }
  while (*chain) {
    const char *dot = strchr(chain, '.');
    size_t n = dot ? (size_t)(dot - chain) : strlen(chain);
    lua_pushlstring(L, chain, n);
    lua_gettable(L, -2);
    lua_remove(L, -2);
    if (lua_isnil(L, -1)) {
      lua_settop(L, 4);
      return 1;
    }
    chain += n + (dot != NULL);
  }
  add_members(L, lua_gettop(L), 4, prefix, methods, 0);
  lua_settop(L, 4);
  return 1;
}


static void free_cands(void) {
  size_t i;
  for (i = 0; i < ncands; i++) free(cands[i]);
  free(cands);
  cands = NULL;
  ncands = candpos = 0;
}


static char *cand_generator(const char *text, int state) {
  (void)text;
  if (state == 0) candpos = 0;
  if (candpos < ncands) return strdup(cands[candpos++]);
  return NULL;
}


/* 1 if position 'pos' of 'line' is inside a quoted string. */
static int in_string(const char *line, int pos) {
  char q = 0;
  int i;
  for (i = 0; i < pos && line[i]; i++) {
    if (q) {
      if (line[i] == '\\') i++;
      else if (line[i] == q) q = 0;
    }
    else if (line[i] == '"' || line[i] == '\'') q = line[i];
    else if (line[i] == '-' && line[i + 1] == '-') return 0;  /* comment */
  }
  return q != 0;
}


/* Inside a string the word is all that follows the quote (file names). */
static char *word_break_hook(void) {
  if (in_string(rl_line_buffer, rl_point)) return (char *)"\"'";
  return NULL;
}


static char **npio_completion(const char *text, int start, int end) {
  lua_State *L = npio_state_lua(globalS);
  char chain[512];
  int sep = 0, top = lua_gettop(L);
  (void)end;
  rl_completion_append_character = '\0';
  if (in_string(rl_line_buffer, start)) {
    rl_attempted_completion_over = 0;   /* readline's file names */
    return NULL;
  }
  rl_attempted_completion_over = 1;
  chain[0] = '\0';
  if (start > 0 && (rl_line_buffer[start - 1] == '.' ||
                    rl_line_buffer[start - 1] == ':')) {
    int p = start - 1, b = p;
    sep = rl_line_buffer[p];
    while (b > 0) {
      char c = rl_line_buffer[b - 1];
      if (c == '_' || c == '.' || (c >= 'a' && c <= 'z') ||
          (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        b--;
      else break;
    }
    if (b == p || p - b >= (int)sizeof chain) return NULL;
    if (b > 0 && strchr(")]}\"'", rl_line_buffer[b - 1])) return NULL;
    memcpy(chain, rl_line_buffer + b, (size_t)(p - b));
    chain[p - b] = '\0';
    if (strstr(chain, "..") || chain[0] == '.' || chain[p - b - 1] == '.')
      return NULL;
  }
  free_cands();
  cli_arm();   /* a metamethod that loops times out too */
  lua_pushcfunction(L, collect_p);
  lua_pushstring(L, chain);
  lua_pushinteger(L, sep);
  lua_pushstring(L, text);
  if (lua_pcall(L, 3, 1, 0) == LUA_OK && lua_istable(L, -1)) {
    size_t cap = 0;
    const char *lasttype = NULL;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      if (ncands == cap) {
        char **nc = (char **)realloc(cands, (cap = cap * 2 + 16) *
                                                sizeof(char *));
        if (nc == NULL) {
          lua_pop(L, 2);
          break;
        }
        cands = nc;
      }
      cands[ncands] = strdup(lua_tostring(L, -2));
      if (cands[ncands]) ncands++;
      lasttype = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
    if (ncands == 1 && lasttype && strcmp(lasttype, "function") == 0)
      rl_completion_append_character = '(';
  }
  cli_disarm();
  lua_settop(L, top);
  if (ncands == 0) return NULL;
  return rl_completion_matches(text, cand_generator);
}


static void init_readline(void) {
  const char *h = getenv("NPIO_HISTORY");
  rl_readline_name = "npio";
  rl_attempted_completion_function = npio_completion;
  rl_completion_word_break_hook = word_break_hook;
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(}),[]+-*/%^~#.:";
  if (h == NULL) {
    const char *home = getenv("HOME");
    if (home && *home) {
      size_t n = strlen(home) + sizeof "/.npio_history";
      history_path = (char *)malloc(n);
      if (history_path) snprintf(history_path, n, "%s/.npio_history", home);
    }
  }
  else if (*h) history_path = strdup(h);
  stifle_history(1000);
  if (history_path) read_history(history_path);
}


static void save_line(const char *line) {
  if (!use_readline || line[0] == '\0') return;
  add_history(line);
  if (history_path && append_history(1, history_path) != 0)
    write_history(history_path);
}

/* }====================================================== */


/* {======================================================
** The REPL (lua.c)
** ======================================================= */

/* Reads one line into a new string on the stack; 0 at end of input. */
static int pushline(lua_State *L, int firstline) {
  const char *prmt;
  char *b = NULL;
  size_t l;
  if (lua_getglobal(L, firstline ? "_PROMPT" : "_PROMPT2") == LUA_TNIL ||
      (prmt = lua_tostring(L, -1)) == NULL)
    prmt = firstline ? PROMPT : PROMPT2;
  if (use_readline) {
    b = readline(prmt);
    if (b == NULL) {
      lua_pop(L, 1);
      return 0;
    }
    l = strlen(b);
  }
  else {
    size_t cap = 0;
    ssize_t r;
    fputs(prmt, stdout);
    fflush(stdout);
    r = getline(&b, &cap, stdin);
    if (r < 0) {
      free(b);
      lua_pop(L, 1);
      return 0;
    }
    l = (size_t)r;
  }
  lua_pop(L, 1);   /* the prompt */
  if (l > 0 && b[l - 1] == '\n') b[--l] = '\0';
  if (firstline && b[0] == '=')   /* 5.2 style "=expr" */
    lua_pushfstring(L, "return %s", b + 1);
  else
    lua_pushlstring(L, b, l);
  free(b);
  return 1;
}


static int addreturn(lua_State *L) {
  const char *line = lua_tostring(L, -1);
  const char *retline = lua_pushfstring(L, "return %s;", line);
  int status = npiohost_loadbuffer(globalS, retline, strlen(retline),
                                   "=stdin");
  if (status == LUA_OK) {
    lua_remove(L, -2);
    save_line(line);
  }
  else lua_pop(L, 2);
  return status;
}


static int incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t lmsg;
    const char *msg = lua_tolstring(L, -1, &lmsg);
    if (lmsg >= MARKLEN && strcmp(msg + lmsg - MARKLEN, EOFMARK) == 0) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}


/* Reads continuation lines until the chunk is complete (or input ends:
** then the syntax error is reported). */
static int multiline(lua_State *L) {
  for (;;) {
    size_t len;
    const char *line = lua_tolstring(L, 1, &len);
    int status = npiohost_loadbuffer(globalS, line, len, "=stdin");
    if (!incomplete(L, status)) {
      save_line(line);
      return status;
    }
    if (!pushline(L, 0)) {
      save_line(line);
      return npiohost_loadbuffer(globalS, line, len, "=stdin");
    }
    lua_pushliteral(L, "\n");
    lua_insert(L, -2);
    lua_concat(L, 3);
  }
}


static int loadline(lua_State *L) {
  int status;
  lua_settop(L, 0);
  if (!pushline(L, 1)) return -1;
  if ((status = addreturn(L)) != LUA_OK) status = multiline(L);
  lua_remove(L, 1);
  return status;
}


/*
** The REPL shows a plain table (no __tostring, no __name) by its members,
** Lua-literal style, up to 3 levels and 50 entries per table:
** {dtype = "float64", name = "a", shape = {1000}}. Built once per REPL;
** the library functions are captured then.
*/
static const char show_chunk[] =
  "local type, tostring, getmetatable, rawlen, rawget, next, ipairs =\n"
  "      type, tostring, getmetatable, rawlen, rawget, next, ipairs\n"
  "local format, sort, concat, mtype = string.format, table.sort,\n"
  "      table.concat, math.type\n"
  "local function plain(v)\n"
  "  local mt = getmetatable(v)\n"
  "  return mt == nil or (type(mt) == 'table' and mt.__tostring == nil\n"
  "                      and mt.__name == nil)\n"
  "end\n"
  "local function before(a, b)\n"
  "  local ta, tb = type(a), type(b)\n"
  "  if ta ~= tb then return ta < tb end\n"
  "  if ta == 'string' or ta == 'number' then return a < b end\n"
  "  return tostring(a) < tostring(b)\n"
  "end\n"
  "local show\n"
  "function show(v, depth, seen)\n"
  "  local t = type(v)\n"
  "  if t == 'string' then\n"
  "    return depth > 0 and (format('%q', v):gsub('\\\\\\n', '\\\\n')) or v\n"
  "  end\n"
  "  if t ~= 'table' or not plain(v) then return tostring(v) end\n"
  "  if seen[v] then return '<cycle>' end\n"
  "  if depth >= 2 or seen.n >= 200 then return '{...}' end\n"
  "  seen[v] = true\n"
  "  local parts, len, keys = {}, rawlen(v), {}\n"
  "  for i = 1, len do\n"
  "    if #parts >= 50 or seen.n >= 200 then break end\n"
  "    seen.n = seen.n + 1\n"
  "    parts[#parts + 1] = show(rawget(v, i), depth + 1, seen)\n"
  "  end\n"
  "  for k in next, v do\n"
  "    if not (mtype(k) == 'integer' and k >= 1 and k <= len) then\n"
  "      keys[#keys + 1] = k\n"
  "    end\n"
  "  end\n"
  "  sort(keys, before)\n"
  "  for _, k in ipairs(keys) do\n"
  "    if #parts >= 50 or seen.n >= 200 then parts[#parts + 1] = '...' break end\n"
  "    seen.n = seen.n + 1\n"
  "    local ks = type(k) == 'string' and k:match('^[%a_][%w_]*$') or\n"
  "               '[' .. show(k, depth + 1, seen) .. ']'\n"
  "    parts[#parts + 1] = ks .. ' = ' .. show(rawget(v, k), depth + 1, seen)\n"
  "  end\n"
  "  if #parts < len + #keys and parts[#parts] ~= '...' then\n"
  "    parts[#parts + 1] = '...'\n"
  "  end\n"
  "  seen[v] = nil\n"
  "  return '{' .. concat(parts, ', ') .. '}'\n"
  "end\n"
  "return function(v) return show(v, 0, {n = 0}) end\n";

static int show_ref = LUA_NOREF;

static void init_show(lua_State *L) {
  if (show_ref != LUA_NOREF) return;
  if (luaL_loadbuffer(L, show_chunk, sizeof show_chunk - 1, "=show") ==
          LUA_OK &&
      lua_pcall(L, 0, 1, 0) == LUA_OK && lua_isfunction(L, -1))
    show_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  else
    lua_pop(L, 1);
}


static void l_print(lua_State *L) {
  int n = lua_gettop(L), i;
  if (n > 0) {
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    for (i = 1; i <= n && show_ref != LUA_NOREF; i++) {
      if (lua_type(L, i) != LUA_TTABLE) continue;
      lua_rawgeti(L, LUA_REGISTRYINDEX, show_ref);
      lua_pushvalue(L, i);
      if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TSTRING)
        lua_replace(L, i);
      else
        lua_pop(L, 1);
    }
    lua_getglobal(L, "print");
    lua_insert(L, 1);
    if (lua_pcall(L, n, 0, 0) != LUA_OK)
      l_message(progname, lua_pushfstring(L, "error calling 'print' (%s)",
                                          lua_tostring(L, -1)));
  }
}


static void doREPL(lua_State *L) {
  int status;
  const char *oldprogname = progname;
  progname = NULL;
  use_readline = isatty(STDIN_FILENO);
  if (use_readline) init_readline();
  init_show(L);
  cli_disarm();
  while ((status = loadline(L)) != -1) {
    cli_arm();
    if (status == LUA_OK) status = docall(L, 0, LUA_MULTRET);
    if (status == LUA_OK) l_print(L);
    else report(L, status);
    cli_disarm();
  }
  lua_settop(L, 0);
  lua_writeline();
  progname = oldprogname;
}

/* }====================================================== */


/* {======================================================
** `npio info`
** ======================================================= */

/* Lists arrays through np.info: (np, args) -> exit status. */
static const char info_chunk[] =
  "local np, args = ...\n"
  "local USAGE = 'usage: npio info [--json] [--stats] FILE...\\n'\n"
  "local json, stats, files = false, false, {}\n"
  "local i = 1\n"
  "while i <= #args do\n"
  "  local a = args[i]\n"
  "  if a == '--' then\n"
  "    for j = i + 1, #args do files[#files + 1] = args[j] end\n"
  "    break\n"
  "  elseif a == '--json' then json = true\n"
  "  elseif a == '--stats' then stats = true\n"
  "  elseif a == '-h' or a == '--help' then io.stdout:write(USAGE) return 0\n"
  "  elseif a:sub(1, 1) == '-' and a ~= '-' then\n"
  "    io.stderr:write(\"npio info: unrecognized option '\", a, \"'\\n\", USAGE)\n"
  "    return 2\n"
  "  else files[#files + 1] = a end\n"
  "  i = i + 1\n"
  "end\n"
  "if #files == 0 then io.stderr:write(USAGE) return 2 end\n"
  "if stats then\n"
  "  io.stderr:write('npio info: --stats is not available in this build\\n')\n"
  "  return 1\n"
  "end\n"
  "if type(np.info) ~= 'function' then\n"
  "  io.stderr:write('npio info: np.info is not available in this build\\n')\n"
  "  return 1\n"
  "end\n"
  "local function shapestr(s)\n"
  "  if type(s) ~= 'table' then return tostring(s) end\n"
  "  local t = {}\n"
  "  for k, v in ipairs(s) do t[k] = tostring(v) end\n"
  "  if #t == 1 then return '(' .. t[1] .. ',)' end\n"
  "  return '(' .. table.concat(t, ', ') .. ')'\n"
  "end\n"
  "local function jstr(s)\n"
  "  return '\"' .. s:gsub('[%c\"\\\\]', function(c)\n"
  "    local m = {['\"'] = '\\\\\"', ['\\\\'] = '\\\\\\\\', ['\\n'] = '\\\\n',\n"
  "               ['\\t'] = '\\\\t', ['\\r'] = '\\\\r'}\n"
  "    return m[c] or string.format('\\\\u%04x', c:byte())\n"
  "  end) .. '\"'\n"
  "end\n"
  "local function jval(v)\n"
  "  local t = type(v)\n"
  "  if t == 'number' then\n"
  "    if math.type(v) == 'integer' then return string.format('%d', v) end\n"
  "    if v ~= v or v == math.huge or v == -math.huge then return 'null' end\n"
  "    return string.format('%.17g', v)\n"
  "  elseif t == 'boolean' then return tostring(v)\n"
  "  elseif t == 'string' then return jstr(v)\n"
  "  elseif t == 'table' then\n"
  "    local p = {}\n"
  "    for k, x in ipairs(v) do p[k] = jval(x) end\n"
  "    return '[' .. table.concat(p, ', ') .. ']'\n"
  "  elseif t == 'nil' then return 'null' end\n"
  "  return jstr(tostring(v))\n"
  "end\n"
  "local function is_npy(f)\n"
  "  local h = io.open(f, 'rb')\n"
  "  local m = h and h:read(6)\n"
  "  if h then h:close() end\n"
  "  return m == '\\x93NUMPY'\n"
  "end\n"
  "local function rows_of(f, infos)\n"
  "  local rows = {}\n"
  "  for k, t in ipairs(infos) do\n"
  "    local name = t.name or f:match('([^/]*)$'):gsub('%.npy$', '')\n"
  "    local r = {name, tostring(t.dtype), shapestr(t.shape),\n"
  "               tostring(t.nbytes)}\n"
  "    if t.compressed_size and not is_npy(f) then\n"
  "      r[5] = tostring(t.compressed_size)\n"
  "      r[6] = t.compressed_size > 0 and\n"
  "             string.format('%.2f', t.nbytes / t.compressed_size) or '-'\n"
  "    end\n"
  "    rows[k] = r\n"
  "  end\n"
  "  return rows\n"
  "end\n"
  "local function print_table(rows)\n"
  "  local head = {'name', 'dtype', 'shape', 'bytes', 'stored', 'ratio'}\n"
  "  local ncol = 4\n"
  "  for _, r in ipairs(rows) do if r[5] then ncol = 6 end end\n"
  "  local w = {}\n"
  "  for c = 1, ncol do w[c] = #head[c] end\n"
  "  for _, r in ipairs(rows) do\n"
  "    for c = 1, ncol do r[c] = r[c] or '-'; w[c] = math.max(w[c], #r[c]) end\n"
  "  end\n"
  "  local function line(r)\n"
  "    local out = {}\n"
  "    for c = 1, ncol do\n"
  "      local pad = string.rep(' ', w[c] - #r[c])\n"
  "      out[c] = c <= 3 and r[c] .. pad or pad .. r[c]\n"
  "    end\n"
  "    io.stdout:write('  ', (table.concat(out, '  '):gsub('%s+$', '')), '\\n')\n"
  "  end\n"
  "  local h = {}\n"
  "  for c = 1, ncol do h[c] = head[c] end\n"
  "  line(h)\n"
  "  for _, r in ipairs(rows) do line(r) end\n"
  "end\n"
  "local status, docs = 0, {}\n"
  "for _, f in ipairs(files) do\n"
  "  local ok, infos = pcall(np.info, f)\n"
  "  if not ok then\n"
  "    io.stderr:write('npio info: ', tostring(infos), '\\n')\n"
  "    status = 1\n"
  "  elseif json then\n"
  "    for _, t in ipairs(infos) do\n"
  "      local keys = {'file'}\n"
  "      for k in pairs(t) do if type(k) == 'string' then keys[#keys + 1] = k end end\n"
  "      table.sort(keys)\n"
  "      local p = {}\n"
  "      for _, k in ipairs(keys) do\n"
  "        p[#p + 1] = jstr(k) .. ': ' .. jval(k == 'file' and f or t[k])\n"
  "      end\n"
  "      docs[#docs + 1] = '  {' .. table.concat(p, ', ') .. '}'\n"
  "    end\n"
  "  else\n"
  "    io.stdout:write(f, '\\n')\n"
  "    print_table(rows_of(f, infos))\n"
  "  end\n"
  "end\n"
  "if json then\n"
  "  io.stdout:write('[\\n', table.concat(docs, ',\\n'), #docs > 0 and '\\n' or '', ']\\n')\n"
  "end\n"
  "return status\n";


static int info_main(int argc, char **argv) {
  npio_err e;
  npio_state *S = npio_state_open(NULL, &e);
  lua_State *L;
  int status, rc = 1, i;
  if (S == NULL) {
    l_message(progname, e.msg);
    return 1;
  }
  globalS = S;
  L = npio_state_lua(S);
  if (npio_info_cli) {
    rc = npio_info_cli(L, argc - 2, argv + 2);
    npio_state_close(S);
    return rc;
  }
  status = luaL_loadbuffer(L, info_chunk, sizeof info_chunk - 1, "=info");
  if (status == LUA_OK) {
    lua_getglobal(L, "np");
    lua_createtable(L, argc - 2, 0);
    for (i = 2; i < argc; i++) {
      lua_pushstring(L, argv[i]);
      lua_rawseti(L, -2, i - 1);
    }
    status = docall(L, 2, 1);
    if (status == LUA_OK) rc = (int)lua_tointeger(L, -1);
  }
  report(L, status);
  npio_state_close(S);
  return rc;
}

/* }====================================================== */


/* {======================================================
** main
** ======================================================= */

/*
** With a timeout: the count hook stops Lua code, and bindings poll the
** deadline in long C loops; this thread ends a script still stuck in C
** code (a backtracking pattern match, say) NPIO_WATCHDOG_GRACE seconds
** past its deadline.
*/
static double watchdog_timeout = 0;
static int watchdog_stop = 0;    /* atomic */

static void *watchdog(void *ud) {
  (void)ud;
  while (!__atomic_load_n(&watchdog_stop, __ATOMIC_ACQUIRE)) {
    struct timespec ts = {0, 50 * 1000 * 1000};
    double d;
    nanosleep(&ts, NULL);
    __atomic_load(&wd_deadline, &d, __ATOMIC_RELAXED);
    if (d > 0 && npiohost_now() > d + NPIO_WATCHDOG_GRACE) {
      char buf[200];
      int n = snprintf(buf, sizeof buf, "%s: timeout of %.14g s exceeded "
                       "(stuck in a C function or a finalizer, where the "
                       "time is not checked)\n", progname ? progname : "npio",
                       watchdog_timeout);
      if (n > 0 && write(STDERR_FILENO, buf, (size_t)n) < 0) _exit(1);
      _exit(1);
    }
  }
  return NULL;
}


static int pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = (char **)lua_touserdata(L, 2);
  const Args *a = (const Args *)lua_touserdata(L, 3);
  luaL_checkversion(L);
  if (a->flags & has_v) print_version();
  createargtable(L, argv, argc, a->script);
  if (a->flags & has_W) lua_warning(L, "@on", 0);
  if (!runargs(L, a)) return 0;
  if (a->script > 0 && handle_script(L, argv + a->script) != LUA_OK)
    return 0;
  if (a->flags & has_i)
    doREPL(L);
  else if (a->script == 0 && !(a->flags & (has_e | has_v))) {
    if (isatty(STDIN_FILENO)) {
      print_version();
      doREPL(L);
    }
    else if (dofile(L, NULL) != LUA_OK)
      return 0;
  }
  lua_pushboolean(L, 1);
  return 1;
}


int main(int argc, char **argv) {
  Args a;
  npio_err e;
  lua_State *L;
  int status, result, has_watchdog = 0;
  pthread_t watchdog_th;
  if (argv[0] == NULL || argv[0][0] == '\0') argc = 0;
  if (argc >= 2 && strcmp(argv[1], "info") == 0)
    return info_main(argc, argv);
  memset(&a, 0, sizeof a);
  if (collectargs(argc, argv, &a) != 0) {
    l_message(progname, a.bad);
    print_usage(stderr);
    free(a.acts);
    return 2;
  }
  if (a.flags & has_h) {
    print_usage(stdout);
    free(a.acts);
    return 0;
  }
  globalS = npio_state_open(&a.so, &e);
  if (globalS == NULL) {
    l_message(progname, e.msg);
    free(a.acts);
    return 1;
  }
  L = npio_state_lua(globalS);
  if (a.so.timeout > 0) {
    watchdog_timeout = a.so.timeout;
    has_watchdog = pthread_create(&watchdog_th, NULL, watchdog, NULL) == 0;
  }
  cli_arm();
  lua_pushcfunction(L, pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  lua_pushlightuserdata(L, &a);
  status = lua_pcall(L, 3, 1, 0);
  result = lua_toboolean(L, -1);
  report(L, status);
  cli_disarm();
  if (has_watchdog) {   /* finalizers run at close, with hooks off */
    double d = npiohost_now() + a.so.timeout;
    __atomic_store(&wd_deadline, &d, __ATOMIC_RELAXED);
  }
  npio_state_close(globalS);
  if (has_watchdog) {
    __atomic_store_n(&watchdog_stop, 1, __ATOMIC_RELEASE);
    pthread_join(watchdog_th, NULL);
  }
  free(a.acts);
  free(history_path);
  return (result && status == LUA_OK) ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* }====================================================== */
