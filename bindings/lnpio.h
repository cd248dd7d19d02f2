/*
** lnpio.h -- declarations shared by the Lua bindings (the files in bindings/).
** Only the bindings and the host layer include Lua headers.
**
** Conventions (see bindings/README.md):
**   - Lua-facing functions are named after their table: np_load, arr_sum.
**   - Indices, axes and usecols are 1-based at the boundary only:
**     convert with lnp_absindex / lnp_checkaxis, never with "- 1" inline.
**   - Errors raise "npio.<fn>: <file>: <cause>" through lnp_error.
**   - No malloc'd memory is held across a call that can raise: keep it
**     in a userdata (an array being built, a box) on the stack.
*/
#ifndef LNPIO_H
#define LNPIO_H

#include <lua.h>
#include <lauxlib.h>

#include "npio.h"

#define LNP_ARRAY "npio.ndarray"
#define LNP_DTYPE "npio.dtype"
#define LNP_NPZFILE "npio.NpzFile"

/* The array userdata: an npio_array in place (no boxed pointer). */
typedef struct LArray {
  npio_array a;
} LArray;

/* {======================================================
** Arrays (larray.c)
** ======================================================= */

/* Pushes a new, empty array userdata (storage NULL, metatable set) and
** returns it for the caller to fill; safe to collect at any point. */
npio_array *lnp_newarray(lua_State *L);
/* Pushes a new array that views the same memory as 'a' (refs taken). */
npio_array *lnp_pushview(lua_State *L, const npio_array *a);
/* Allocates a fresh C-order array with 'dtype' (borrowed) and shape, pushes
** it and returns it; raises on failure. */
npio_array *lnp_pushnew(lua_State *L, npio_dtype *dtype, int ndim,
                        const int64_t *shape, int zero);
/* The array at 'idx' or NULL / raises a type error. */
npio_array *lnp_toarray(lua_State *L, int idx);
npio_array *lnp_checkarray(lua_State *L, int idx);
/* The data pointer of 'a' (raises "array's memory map is closed"). */
char *lnp_data(lua_State *L, const npio_array *a);
/* Converts a Lua value (array, number, boolean, string, nested table) at
** 'idx' into an array of 'dtype' (NULL: inferred as np.array does) and
** pushes it; an array of the same dtype is pushed as is. */
npio_array *lnp_asarray(lua_State *L, int idx, npio_dtype *dtype);
/* Pushes element 'p' of dtype 'd' as a Lua value (see SPEC: integers,
** floats, booleans, strings; complex as a table {re, im}). */
void lnp_pushscalar(lua_State *L, const npio_dtype *d, const char *p);
/* Stores the Lua value at 'idx' into element 'p'; raises on a bad value. */
void lnp_setscalar(lua_State *L, int idx, const npio_dtype *d, char *p);
/* The module's print options (np.set_printoptions). */
const npio_printopts *lnp_printopts(lua_State *L);

/* }====================================================== */

/* {======================================================
** dtypes (ldtype.c)
** ======================================================= */

/* Converts the dtype spec at 'idx' (a string, a structured description
** table, or a dtype object) into a dtype object stored back at 'idx', and
** returns it (borrowed: valid while the value stays on the stack). */
npio_dtype *lnp_checkdtype(lua_State *L, int idx);
/* Same, but returns NULL (stack untouched) for nil/none. */
npio_dtype *lnp_optdtype(lua_State *L, int idx);
/* Pushes a dtype object for 'd' (a reference is taken). */
void lnp_pushdtype(lua_State *L, npio_dtype *d);

/* }====================================================== */

/* {======================================================
** Helpers shared by every binding (lnpio.c)
** ======================================================= */

/* Raises "<fn>: <file>: <e->msg>" (file may be NULL). Does not return. */
int lnp_error(lua_State *L, const char *fn, const char *file,
              const npio_err *e);
/* Raises "<fn>: <formatted cause>". Does not return. */
int lnp_errorf(lua_State *L, const char *fn, const char *fmt, ...);
/* A 1-based Lua index i (negative from the end) into [0, len); raises
** "index i is out of bounds for axis of size len" when out of range. */
int64_t lnp_absindex(lua_State *L, const char *fn, lua_Integer i,
                     int64_t len);
/* A 1-based axis (negative from the end) into [0, ndim); raises. */
int lnp_checkaxis(lua_State *L, const char *fn, lua_Integer axis, int ndim);
/* Reads a shape (integer or sequence) at 'idx'; returns ndim; raises. */
int lnp_checkshape(lua_State *L, int idx, int64_t *shape);
/* Pushes and returns "npio.<name>" of the running C function. */
const char *lnp_fname(lua_State *L);
/* Option-table readers: 'opts' is the table's index (0 or none = no
** table); each returns 'def' when the field is absent or nil. */
lua_Integer lnp_optint(lua_State *L, int opts, const char *name,
                       lua_Integer def);
double lnp_optnum(lua_State *L, int opts, const char *name, double def);
int lnp_optbool(lua_State *L, int opts, const char *name, int def);
const char *lnp_optstr(lua_State *L, int opts, const char *name,
                       const char *def);
/* Pushes opts[name] (nil if absent) and returns its type. */
int lnp_optfield(lua_State *L, int opts, const char *name);
/* If the value at 'idx' is a Lua file handle, its FILE* (raises if the
** handle is closed); NULL otherwise. */
FILE *lnp_tofile(lua_State *L, int idx);
/* Checks that 'path' may be opened by this state: under --sandbox every
** file must resolve under the root folder (registry "npio.root").
** Raises "<fn>: <path>: outside the sandbox root" otherwise. */
void lnp_checkpath(lua_State *L, const char *fn, const char *path);
/* Raises "<fn>: timeout ..." if the --timeout deadline (registry
** "npio.deadline") has passed; long C loops call it between blocks. */
void lnp_checkdeadline(lua_State *L, const char *fn);
/* The memory hook for this state's arrays: counts array bytes for the
** collector and forwards to the host's --mem budget, if any. */
const npio_memhook *lnp_memhook(lua_State *L);
/* Runs a full collection when much array memory was allocated since the
** last one (array memory is invisible to Lua's collector). Called by
** lnp_newarray; safe wherever a Lua allocation is. */
void lnp_gcpressure(lua_State *L);

/* }====================================================== */

/* {======================================================
** Subsystem openers, called by luaopen_npio with the module table on
** top of the stack. Each adds its functions to that table.
** ======================================================= */

void lnp_open_array(lua_State *L);   /* larray.c: creation, methods */
void lnp_open_dtype(lua_State *L);   /* ldtype.c */
void lnp_open_npy(lua_State *L);     /* lnpy.c: save, load */
void lnp_open_npz(lua_State *L);     /* lnpz.c: savez, NpzFile, info */
void lnp_open_ops(lua_State *L);     /* lops.c: arithmetic, reductions */
void lnp_open_random(lua_State *L);  /* lrandom.c: np.random */
void lnp_open_mmap(lua_State *L);    /* lmmap.c: memmap, flush, close */
void lnp_open_text(lua_State *L);    /* ltext.c: loadtxt, genfromtxt, savetxt */

/* np.load's helpers. lnp_npy_mmap (lmmap.c) pushes a memory-mapped .npy
** for the path at pathidx. lnp_npz_open (lnpz.c) opens the archive at
** pathidx (a path or a Lua file handle) and pushes an NpzFile handle.
** Both raise "npio.load: <file>: <cause>". */
int lnp_npy_mmap(lua_State *L, int pathidx, int optsidx);
int lnp_npz_open(lua_State *L, int pathidx, int optsidx);

NPIO_API int luaopen_npio(lua_State *L);

/* }====================================================== */

#endif
