# Element values and casting (runtime/src/convert.c).
CORE_SRC += runtime/src/convert.c
CTESTS   += tests/c/test_convert.c
