# npio -- build, test, demo, bench, install.
#
# Settings (override on the command line: make CC=clang OPT=-O0):
#   CC, OPT           compiler and optimisation flags
#   SAN=1             build everything with -fsanitize=address,undefined
#                     into build-san/ (make test runs both builds)
#   PREFIX            install prefix (make install PREFIX=/usr/local)
#   -DNPIO_HUGE_ALLOC=N   blocks >= N bytes come from mmap + huge pages
#   -DNPIO_PYL_MAXDEPTH=N nesting limit of .npy header literals
#
# Each subsystem adds its sources in mk/<name>.mk:
#   CORE_SRC += runtime/src/x.c      (format core, no Lua)
#   BIND_SRC += bindings/lx.c        (Lua bindings)
#   HOST_SRC += runtime/src/y.c      (host layer, includes Lua)
#   CTESTS   += tests/c/test_x.c     (C unit tests, linked with libnpio.a)

CC      ?= gcc
OPT     ?= -O2
PREFIX  ?= /usr/local
LUA_INC ?= /usr/include/lua5.4
LUA_LIB ?= -llua5.4
PY      := /usr/bin/python3

WARN    := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wmissing-prototypes -Wno-unused-parameter
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -fPIC -fvisibility=hidden $(WARN) \
  -Iruntime/include -Iruntime/src -Ibindings -I$(LUA_INC)

ifeq ($(SAN),1)
BUILD   := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g
else
BUILD   := build
SANFLAGS :=
endif

CFLAGS  := $(CFLAGS_BASE) $(OPT) $(SANFLAGS) $(EXTRA_CFLAGS)
LDLIBS  := -lz -lm -lpthread

CORE_SRC := runtime/src/util.c runtime/src/pylit.c runtime/src/dtype.c \
  runtime/src/array.c runtime/src/npy.c runtime/src/safefile.c
BIND_SRC := bindings/lnpio.c bindings/larray.c bindings/ldtype.c bindings/lnpy.c
HOST_SRC :=
MAIN_SRC :=
CTESTS   := tests/c/test_npy_io.c
EXTRA_LIBS :=

.DEFAULT_GOAL := all
-include mk/*.mk

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
BIND_OBJ := $(BIND_SRC:%.c=$(BUILD)/%.o)
HOST_OBJ := $(HOST_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(MAIN_SRC:%.c=$(BUILD)/%.o)
CTEST_BIN := $(CTESTS:tests/c/%.c=$(BUILD)/tests/%)

ifeq ($(SAN),1)
NPIO_BIN := $(BUILD)/npio
else
NPIO_BIN := npio
endif

.PHONY: all lib module deps demo test check bench install clean test-big fuzz

all: $(BUILD)/libnpio.a $(BUILD)/libnpio.so $(BUILD)/npio.so $(NPIO_BIN) $(CTEST_BIN)
ifneq ($(SAN),1)
	@cp -f $(BUILD)/libnpio.a libnpio.a; cp -f $(BUILD)/libnpio.so libnpio.so; cp -f $(BUILD)/npio.so npio.so
endif

$(BUILD)/%.o: %.c runtime/include/npio.h runtime/src/npio_int.h bindings/lnpio.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# The library holds the core, the bindings and the host layer, so that a
# host links one thing; the Lua module holds core + bindings only.
$(BUILD)/libnpio.a: $(CORE_OBJ) $(BIND_OBJ) $(HOST_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libnpio.so: $(CORE_OBJ) $(BIND_OBJ) $(HOST_OBJ)
	$(CC) -shared $(SANFLAGS) -o $@ $^ $(LUA_LIB) $(LDLIBS) $(EXTRA_LIBS)

# Stock lua5.4 provides the Lua symbols, so the module does not link them.
$(BUILD)/npio.so: $(CORE_OBJ) $(BIND_OBJ)
	$(CC) -shared $(SANFLAGS) -o $@ $^ $(LDLIBS) $(EXTRA_LIBS)

$(NPIO_BIN): $(MAIN_OBJ) $(CORE_OBJ) $(BIND_OBJ) $(HOST_OBJ)
	$(CC) $(SANFLAGS) -Wl,-E -o $@ $^ $(LUA_LIB) $(LDLIBS) $(EXTRA_LIBS) -lreadline

$(BUILD)/tests/%: tests/c/%.c $(BUILD)/libnpio.a tests/c/testlib.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/c -o $@ $< $(BUILD)/libnpio.a $(LUA_LIB) $(LDLIBS) $(EXTRA_LIBS)

# Installs the Debian packages the build and the tests need, if missing.
DEB_PKGS := gcc make lua5.4 liblua5.4-dev zlib1g-dev libminizip-dev lua-busted \
  python3-numpy libreadline-dev libdeflate-dev unzip zip clang locales
deps:
	@bash tests/deps.sh $(DEB_PKGS)

demo: deps
	$(MAKE) all
	./npio scripts/demo.lua

test: deps
	$(MAKE) all
	$(MAKE) SAN=1 all
	@bash tests/run.sh

check: test

bench: deps
	$(MAKE) all
	@bash scripts/bench/run.sh $(BENCH)

# libFuzzer harnesses (clang), FUZZ_SECONDS per harness
FUZZ_SECONDS ?= 30
fuzz: deps
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS)

test-big: deps
	$(MAKE) all
	@bash tests/run.sh --big

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/lua/5.4
	install -m 755 npio $(DESTDIR)$(PREFIX)/bin/npio
	install -m 644 libnpio.a $(DESTDIR)$(PREFIX)/lib/libnpio.a
	install -m 755 libnpio.so $(DESTDIR)$(PREFIX)/lib/libnpio.so
	install -m 644 runtime/include/npio.h $(DESTDIR)$(PREFIX)/include/npio.h
	install -m 755 npio.so $(DESTDIR)$(PREFIX)/lib/lua/5.4/npio.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(shell sed -n 's/^#define NPIO_VERSION "\(.*\)"/\1/p' runtime/include/npio.h)|' \
	  npio.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/npio.pc

clean:
	rm -rf build build-san npio libnpio.a libnpio.so npio.so
