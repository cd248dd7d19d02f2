# .npy test suites (tests/c/test_npy_header.c; the interop, spec and fuzz
# suites are scripts: tests/interop/npy_*.sh, tests/spec/npy_spec.lua,
# tests/fuzz/run.sh).
CTESTS += tests/c/test_npy_header.c
