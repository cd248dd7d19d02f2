/*
** fuzz_npy_load.c -- bytes -> npio_npy_load from a memory npio_reader
** that returns short reads and EINTR. An accepted array must hold exactly
** data_len bytes; saving it again (npio_npy_save_file into memory) and
** loading that must give the same dtype, shape and elements.
**
** The first byte sets the reader: low 4 bits = max bytes per read (0 =
** unlimited), bit 4 = EINTR every third call, bit 5 = header limit 2**40.
*/
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_src src;
  npio_reader r;
  npio_load_opts o;
  npio_array a, b;
  npio_err e;
  uint64_t ha, hb;
  int64_t na, nb;
  if (size < 1) return 0;
  memset(&src, 0, sizeof src);
  src.chunk = data[0] & 15;
  src.eintr = (data[0] >> 4) & 1;
  o.max_header = (data[0] & 32) ? ((int64_t)1 << 40) : 0;
  o.hook = &fuzz_hook;
  src.p = data + 1;
  src.n = size - 1;
  r.read = fuzz_read;
  r.ud = &src;
  memset(&a, 0, sizeof a);
  if (npio_npy_load(&r, &o, &a, &e) != NPIO_OK) {
    if (e.msg[0] == '\0') fuzz_fail("error without a message (code %d)", e.code);
    return 0;
  }
  if (npio_array_nbytes(&a) < 0) fuzz_fail("negative nbytes");
  if (fuzz_hash(&a, &ha, &na) != NPIO_OK) fuzz_fail("cannot walk the array");
  if (na != npio_array_nbytes(&a)) fuzz_fail("walked %lld of %lld bytes",
                                            (long long)na, (long long)npio_array_nbytes(&a));
  {
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (f == NULL) { npio_array_release(&a); return 0; }
    if (npio_npy_save_file(f, &a, &e) != NPIO_OK)
      fuzz_fail("cannot save a loaded array: %s", e.msg);
    fclose(f);
    memset(&src, 0, sizeof src);
    src.p = (const uint8_t *)buf;
    src.n = blen;
    o.max_header = (int64_t)1 << 40;
    memset(&b, 0, sizeof b);
    if (npio_npy_load(&r, &o, &b, &e) != NPIO_OK)
      fuzz_fail("cannot load what npio saved: %s", e.msg);
    if (src.pos != src.n) fuzz_fail("saved %zu bytes, load read %zu", src.n, src.pos);
    if (!npio_dtype_equal(a.dtype, b.dtype) || a.ndim != b.ndim ||
        memcmp(a.shape, b.shape, sizeof(int64_t) * (size_t)a.ndim) != 0)
      fuzz_fail("save/load changed dtype or shape");
    if (fuzz_hash(&b, &hb, &nb) != NPIO_OK || nb != na || hb != ha)
      fuzz_fail("save/load changed the elements");
    npio_array_release(&b);
    free(buf);
  }
  npio_array_release(&a);
  return 0;
}
