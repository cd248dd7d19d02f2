# Printing arrays as NumPy's repr/str (runtime/src/repr.c).
CORE_SRC += runtime/src/repr.c
CTESTS   += tests/c/test_repr.c
