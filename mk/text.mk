# Text I/O: np.loadtxt, np.genfromtxt, np.savetxt (runtime/src/txt_*.c:
# tokenizer, correctly rounded parsing, exact formatting, the readers and
# the writer; bindings/ltext.c: the Lua functions). zlib for .gz files,
# iconv (glibc) for encodings, pthreads for parsing blocks in parallel.
CORE_SRC += runtime/src/txt_num.c runtime/src/txt_src.c \
  runtime/src/txt_util.c runtime/src/txt_conv.c runtime/src/txt_load.c \
  runtime/src/txt_gen.c runtime/src/txt_save.c
BIND_SRC += bindings/ltext.c
CTESTS   += tests/c/test_txt_num.c tests/c/test_txt.c

.DEFAULT_GOAL := all
TXT_H := runtime/src/txt_int.h runtime/src/txt_num.h
$(BUILD)/runtime/src/txt_%.o: $(TXT_H) runtime/src/txt_pow10.h
$(BUILD)/bindings/ltext.o: $(TXT_H)
