/*
** test_host.c -- the host layer: states, zero-copy host buffers, arrays
** to and from Lua, errors, sandbox, memory and time limits.
*/
#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "npio.h"
#include "testlib.h"

typedef struct Rel {
  int calls;
  void *data;
  size_t nbytes;
} Rel;

static void on_release(void *ctx, void *data, size_t nbytes) {
  Rel *r = (Rel *)ctx;
  r->calls++;
  r->data = data;
  r->nbytes = nbytes;
}


/* Runs 'code' and checks that it succeeds (prints the error if not). */
static int run_ok(npio_state *S, const char *code) {
  int r = npio_state_dostring(S, code, "=test");
  if (r != NPIO_OK) fprintf(stderr, "error: %s\n", npio_state_error(S));
  return r == NPIO_OK;
}


static void test_zero_copy(void) {
  npio_err e;
  double buf[6] = {1, 2, 3, 4, 5, 6};
  int64_t shape[2] = {2, 3};
  Rel rel = {0, NULL, 0};
  npio_array a, out;
  npio_dtype *f8 = npio_dtype_parse("float64", &e);
  npio_state *S = npio_state_open(NULL, &e);
  CHECK(S != NULL);
  CHECK(f8 != NULL);
  if (!S || !f8) return;
  CHECK(npio_state_lua(S) != NULL);
  CHECK_EQ_INT(npio_array_wrap(&a, buf, f8, 2, shape, NULL, 0, on_release,
                               &rel, &e), NPIO_OK);
  CHECK_EQ_INT(a.strides[0], 24);
  CHECK_EQ_INT(a.strides[1], 8);
  CHECK_EQ_INT(npio_state_setarray(S, "x", &a, &e), NPIO_OK);
  npio_array_release(&a);
  CHECK_EQ_INT(rel.calls, 0);     /* Lua still holds a view */
  CHECK(run_ok(S, "assert(x.shape[1] == 2 and x.shape[2] == 3)\n"
                  "assert(x[{2, 1}] == 4)\n"
                  "x[{1, 1}] = 10\n"
                  "x[{2, 3}] = x[{2, 3}] * 2\n"
                  "y = np.arange(0, 12, 3)\n"
                  "t = {{1, 2}, {3, 4}}"));
  /* the script wrote into the host's buffer */
  CHECK(buf[0] == 10.0);
  CHECK(buf[5] == 12.0);
  CHECK(buf[1] == 2.0);
  CHECK_EQ_INT(npio_state_getarray(S, "x", &out, &e), NPIO_OK);
  CHECK(npio_array_data(&out, &e) == (char *)buf);
  CHECK_EQ_INT(out.ndim, 2);
  CHECK_EQ_INT(out.shape[1], 3);
  npio_array_release(&out);
  /* an array made in Lua */
  CHECK_EQ_INT(npio_state_getarray(S, "y", &out, &e), NPIO_OK);
  CHECK_EQ_INT(out.ndim, 1);
  CHECK_EQ_INT(out.shape[0], 4);
  CHECK(out.dtype && out.dtype->kind == 'i');
  if (out.dtype && out.ndim == 1 && out.shape[0] == 4 &&
      out.dtype->itemsize == 8) {
    const char *p = npio_array_data(&out, &e);
    int64_t v;
    memcpy(&v, p + 3 * out.strides[0], 8);
    CHECK_EQ_INT(v, 9);
  }
  npio_array_release(&out);
  /* a nested table is converted as np.array would */
  CHECK_EQ_INT(npio_state_getarray(S, "t", &out, &e), NPIO_OK);
  CHECK_EQ_INT(out.ndim, 2);
  npio_array_release(&out);
  /* not there / not an array */
  CHECK(npio_state_getarray(S, "nosuch", &out, &e) != NPIO_OK);
  CHECK(strstr(e.msg, "nosuch") != NULL);
  CHECK(out.storage == NULL);
  CHECK(npio_state_getarray(S, "print", &out, &e) != NPIO_OK);
  CHECK(out.storage == NULL);
  npio_state_close(S);
  CHECK_EQ_INT(rel.calls, 1);     /* exactly once, at the last view */
  CHECK(rel.data == (void *)buf);
  CHECK_EQ_INT(rel.nbytes, sizeof buf);
  npio_dtype_unref(f8);
}


static void test_wrap_forms(void) {
  npio_err e;
  double buf[4] = {1, 2, 3, 4};
  int64_t n = 4, neg = -8, big = INT64_MAX / 2, shape2[2] = {2, 2};
  Rel rel = {0, NULL, 0};
  npio_array a;
  npio_dtype *f8 = npio_dtype_parse("<f8", &e);
  npio_state *S = npio_state_open(NULL, &e);
  if (!S || !f8) {
    CHECK(0);
    return;
  }
  /* negative strides: element 1 is buf[3]; release gets the host pointer */
  CHECK_EQ_INT(npio_array_wrap(&a, &buf[3], f8, 1, &n, &neg, 0, on_release,
                               &rel, &e), NPIO_OK);
  CHECK_EQ_INT(npio_state_setarray(S, "r", &a, &e), NPIO_OK);
  npio_array_release(&a);
  CHECK(run_ok(S, "assert(r[1] == 4 and r[4] == 1, tostring(r[1]))\n"
                  "r[1] = 40\nr = nil\ncollectgarbage()"));
  CHECK(buf[3] == 40.0);
  CHECK_EQ_INT(rel.calls, 1);
  CHECK(rel.data == (void *)&buf[3]);
  /* read-only buffers refuse writes */
  CHECK_EQ_INT(npio_array_wrap(&a, buf, f8, 1, &n, NULL, 1, NULL, NULL, &e),
               NPIO_OK);
  CHECK_EQ_INT(npio_state_setarray(S, "ro", &a, &e), NPIO_OK);
  npio_array_release(&a);
  CHECK(npio_state_dostring(S, "ro[1] = 5", NULL) != NPIO_OK);
  CHECK(buf[0] == 1.0);
  /* bad arguments */
  CHECK(npio_array_wrap(&a, buf, f8, 1, &big, NULL, 0, NULL, NULL, &e) != NPIO_OK);
  CHECK(npio_array_wrap(&a, buf, NULL, 1, &n, NULL, 0, NULL, NULL, &e) != NPIO_OK);
  CHECK(npio_array_wrap(&a, buf, f8, -1, &n, NULL, 0, NULL, NULL, &e) != NPIO_OK);
  CHECK(npio_array_wrap(&a, NULL, f8, 2, shape2, NULL, 0, NULL, NULL, &e) != NPIO_OK);
  /* a 0-d and an empty array */
  CHECK_EQ_INT(npio_array_wrap(&a, buf, f8, 0, NULL, NULL, 0, NULL, NULL, &e),
               NPIO_OK);
  CHECK_EQ_INT(npio_state_setarray(S, "z", &a, &e), NPIO_OK);
  npio_array_release(&a);
  n = 0;
  CHECK_EQ_INT(npio_array_wrap(&a, NULL, f8, 1, &n, NULL, 0, NULL, NULL, &e),
               NPIO_OK);
  CHECK_EQ_INT(npio_state_setarray(S, "empty", &a, &e), NPIO_OK);
  npio_array_release(&a);
  CHECK(run_ok(S, "assert(z.ndim == 0 and empty.size == 0)"));
  npio_state_close(S);
  npio_dtype_unref(f8);
}


static void test_errors(void) {
  npio_err e;
  npio_state *S = npio_state_open(NULL, &e);
  if (!S) {
    CHECK(0);
    return;
  }
  CHECK_STR(npio_state_error(S), "");
  CHECK(npio_state_dostring(S, "local function f() error('boom') end f()",
                            "=chunk") != NPIO_OK);
  CHECK(strstr(npio_state_error(S), "chunk:1: boom") != NULL);
  CHECK(strstr(npio_state_error(S), "stack traceback:") != NULL);
  CHECK_EQ_INT(npio_state_dostring(S, "x = = 1", "=syn"), NPIO_EFORMAT);
  CHECK_EQ_INT(npio_state_dofile(S, "/nonexistent/file.lua"), NPIO_EIO);
  CHECK(run_ok(S, "assert(require('npio') == np)"));
  CHECK(run_ok(S, "assert(type(os.execute) == 'function')"));  /* no sandbox */
  CHECK_STR(npio_state_error(S), "");
  npio_state_close(S);
  npio_state_close(NULL);
  CHECK_STR(npio_state_error(NULL), "");
}


static void test_sandbox(void) {
  npio_err e;
  npio_state_opts o;
  npio_state *S;
  memset(&o, 0, sizeof o);
  o.sandbox = 1;
  o.root = "/nonexistent/root/dir";
  CHECK(npio_state_open(&o, &e) == NULL);
  CHECK_EQ_INT(e.code, NPIO_EIO);
  o.root = ".";
  S = npio_state_open(&o, &e);
  if (!S) {
    CHECK(0);
    return;
  }
  CHECK(run_ok(S, "assert(os.execute == nil and io.popen == nil)\n"
                  "assert(debug == nil and string.dump == nil)\n"
                  "assert(dofile == nil and loadfile == nil)\n"
                  "assert(io.open('/etc/passwd') == nil)\n"
                  "assert(np and require('npio') == np)"));
  CHECK(npio_state_dostring(S, "os.exit(0)", NULL) != NPIO_OK);
  {
    lua_State *L = npio_state_lua(S);
    lua_getfield(L, LUA_REGISTRYINDEX, "npio.root");
    CHECK(lua_type(L, -1) == LUA_TSTRING);
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, "npio.checkpath");
    lua_pushstring(L, "/etc/passwd");
    lua_call(L, 1, 2);
    CHECK(lua_isnil(L, -2));
    CHECK(lua_tostring(L, -1) &&
          strstr(lua_tostring(L, -1), "outside the sandbox root") != NULL);
    lua_pop(L, 2);
  }
  npio_state_close(S);
}


static void test_limits(void) {
  npio_err e;
  npio_state_opts o;
  npio_state *S;
  npio_array keep;
  memset(&o, 0, sizeof o);
  o.mem_limit = 32 << 20;
  S = npio_state_open(&o, &e);
  if (!S) {
    CHECK(0);
    return;
  }
  CHECK_EQ_INT(npio_state_dostring(S, "s = string.rep('x', 64 << 20)", NULL),
               NPIO_ENOMEM);
  CHECK(strstr(npio_state_error(S), "memory limit of 32M exceeded") != NULL);
  CHECK(npio_state_dostring(S, "a = np.zeros(8 << 20)", NULL) != NPIO_OK);
  CHECK(strstr(npio_state_error(S), "memory limit of 32M exceeded") != NULL);
  CHECK(run_ok(S, "w = np.zeros(1000) w:fill(1)"));    /* still usable */
  CHECK_EQ_INT(npio_state_getarray(S, "w", &keep, &e), NPIO_OK);
  npio_state_close(S);            /* 'keep' outlives the state */
  {
    double v = 0;
    const char *p = npio_array_data(&keep, &e);
    if (p && keep.ndim == 1) memcpy(&v, p + 999 * keep.strides[0], sizeof v);
    CHECK(v == 1.0);
  }
  npio_array_release(&keep);

  memset(&o, 0, sizeof o);
  o.timeout = 0.3;
  S = npio_state_open(&o, &e);
  if (!S) {
    CHECK(0);
    return;
  }
  CHECK_EQ_INT(npio_state_dostring(S, "while true do end", NULL), NPIO_ELIMIT);
  CHECK(strstr(npio_state_error(S), "timeout of 0.3 s exceeded") != NULL);
  CHECK_EQ_INT(npio_state_dostring(S, "while true do pcall(function() "
                                   "while true do end end) end", NULL),
               NPIO_ELIMIT);
  CHECK(strstr(npio_state_error(S), "timeout of 0.3 s exceeded") != NULL);
  CHECK(run_ok(S, "x = 0 for i = 1, 1000 do x = x + i end"));  /* re-armed */
  npio_state_close(S);
}


int main(void) {
  test_zero_copy();
  test_wrap_forms();
  test_errors();
  test_sandbox();
  test_limits();
  return test_report("host");
}
