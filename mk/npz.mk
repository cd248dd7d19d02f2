# .npz archives: the zip container (strict reader, parallel writer),
# .npy members, and the Lua binding (np.savez, np.savez_compressed,
# NpzFile, np.info). DEFLATE through libdeflate (Debian libdeflate-dev).
CORE_SRC += runtime/src/zip.c runtime/src/zipw.c runtime/src/zipscan.c runtime/src/npz.c
BIND_SRC += bindings/lnpz.c
CTESTS   += tests/c/test_zip.c tests/c/test_npz.c
EXTRA_LIBS += -ldeflate

# Header dependencies (the Makefile pins 'all' as the default goal).
$(BUILD)/runtime/src/zip.o $(BUILD)/runtime/src/zipw.o $(BUILD)/runtime/src/zipscan.o: runtime/src/zip.h
$(BUILD)/runtime/src/npz.o: runtime/src/zip.h
$(BUILD)/tests/test_zip: runtime/src/zip.h
$(BUILD)/tests/test_npz: runtime/src/zip.h
