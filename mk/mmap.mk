CORE_SRC += runtime/src/mmap.c
BIND_SRC += bindings/lmmap.c
