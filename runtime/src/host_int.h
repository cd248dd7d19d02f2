/*
** host_int.h -- internal declarations of the host layer (state.c,
** sandbox.c) shared with the npio command (main.c).
**
** Registry keys the host layer sets for the bindings (all under
** LUA_REGISTRYINDEX; absent in stock lua5.4):
**   "npio.memhook"   light userdata: the state's npio_memhook (only when
**                    a memory limit is set), for lnp_memhook().
**   "npio.root"      string: the sandbox root (realpath), only in a
**                    sandbox. Every file a binding opens must pass
**                    "npio.checkpath" first.
**   "npio.checkpath" function (path [, forwrite]) -> resolved path, or
**                    nil and a message "<path>: outside the sandbox
**                    root <root>"; only in a sandbox.
**   "npio.deadline"  number (monotonic seconds, CLOCK_MONOTONIC) while a
**                    run with a timeout is going on, false otherwise.
**   "npio.timeout"   number: the configured timeout in seconds.
*/
#ifndef HOST_INT_H
#define HOST_INT_H

#include <lua.h>

#include "npio.h"
#include "npio_int.h"

#define NPIOH_MEMHOOK   "npio.memhook"
#define NPIOH_ROOT      "npio.root"
#define NPIOH_CHECKPATH "npio.checkpath"
#define NPIOH_DEADLINE  "npio.deadline"
#define NPIOH_TIMEOUT   "npio.timeout"

/* {======================================================
** state.c
** ======================================================= */

/* Monotonic clock in seconds (CLOCK_MONOTONIC). */
NPIOI_FUNC double npiohost_now(void);
/* Starts a run: resets the limit flags and, with a timeout, sets the
** deadline to now + timeout. */
NPIOI_FUNC void npiohost_arm(npio_state *S);
/* Ends a run: no deadline until the next npiohost_arm. */
NPIOI_FUNC void npiohost_disarm(npio_state *S);
/* The armed deadline (0: none); safe to call from another thread. */
NPIOI_FUNC double npiohost_deadline(const npio_state *S);
/* Asks the running script to stop with "interrupted!" (for SIGINT).
** Async-signal-safe. */
NPIOI_FUNC void npiohost_interrupt(npio_state *S);
/* 1 if the state is a sandbox. */
NPIOI_FUNC int npiohost_sandboxed(const npio_state *S);
/* Loads a chunk as the state allows ("t" only in a sandbox). */
NPIOI_FUNC int npiohost_loadfile(npio_state *S, const char *path);
NPIOI_FUNC int npiohost_loadbuffer(npio_state *S, const char *s, size_t n,
                                   const char *chunkname);
/* The message handler: adds a traceback to the error message. */
NPIOI_FUNC int npiohost_msghandler(lua_State *L);
/* The final text for an error 'msg' with Lua status 'status': names the
** broken limit (memory, timeout) when one was broken during this run.
** The result stays valid until the next call or npio_state_close. */
NPIOI_FUNC const char *npiohost_errmsg(npio_state *S, int status,
                                       const char *msg);
/* Formats a byte count as the user would write it (64M, 1G, 1000). */
NPIOI_FUNC void npiohost_fmtbytes(int64_t n, char *out, size_t cap);

/* }====================================================== */

/* {======================================================
** sandbox.c
** ======================================================= */

/* Checks that 'path' resolves under 'root' (a realpath): the file
** itself, or for a file that does not exist yet its folder. Writes the
** resolved path to 'out' (PATH_MAX bytes). Returns 0, or -1 with a
** message in 'why'. */
NPIOI_FUNC int npiosb_checkpath(const char *root, const char *path,
                                size_t len, char *out, char *why,
                                size_t whycap);
/* Pushes the registry's "npio.checkpath" closure for 'root'. */
NPIOI_FUNC void npiosb_pushcheckpath(lua_State *L, const char *root);
/* Builds the allow-list environment from the standard libraries (opened
** here), makes it the globals table and preloads 'opener' as "npio".
** Raises on error (run it in protected mode). */
NPIOI_FUNC void npiosb_open(lua_State *L, const char *root,
                            lua_CFunction opener);

/* }====================================================== */

/* {======================================================
** main.c hook for `npio info` (the .npz helper may provide it)
** ======================================================= */

/* If linked, `npio info ARGS...` calls it with the state's Lua state and
** the arguments after "info"; it returns the exit status. */
int npio_info_cli(lua_State *L, int argc, char **argv)
    __attribute__((weak));

/* }====================================================== */

#endif
