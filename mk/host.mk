# Host layer (Lua states, sandbox, limits) and the npio command.
HOST_SRC += runtime/src/state.c runtime/src/sandbox.c
MAIN_SRC += runtime/src/main.c
CTESTS   += tests/c/test_host.c
