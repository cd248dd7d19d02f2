# ops: the array engine (arithmetic, reductions, sorting, products) and
# NumPy's legacy random streams. Kernels are built with -O3 (loop
# vectorisation) and -fno-math-errno (sqrt vectorises) outside SAN=1.
CORE_SRC += runtime/src/ops_types.c runtime/src/ops_iter.c \
  runtime/src/ops_kern.c runtime/src/ops_reduce.c runtime/src/ops_shape.c \
  runtime/src/random.c
BIND_SRC += bindings/lops.c bindings/lrandom.c
ifneq ($(SAN),1)
$(BUILD)/runtime/src/ops_%.o: CFLAGS += -O3 -fno-math-errno
endif
$(BUILD)/runtime/src/ops_%.o: runtime/src/ops.h
$(BUILD)/runtime/src/random%.o: runtime/src/random.h
CTESTS += tests/c/test_ops.c tests/c/test_random.c
