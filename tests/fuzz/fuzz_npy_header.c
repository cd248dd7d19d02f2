/*
** fuzz_npy_header.c -- bytes -> npio_npy_header_from_bytes (and
** npio_npy_parse_dict on the same bytes). Accepted headers must be
** sane, and writing them back with npio_npy_header_bytes must parse to
** the same dtype, shape and order.
**
** The first byte picks the header limit: odd = 2**40 (a trusted file),
** even = the default 10000.
*/
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char out[1 << 20];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npio_npy_header h, h2;
  npio_err e;
  int64_t maxh, n, count;
  int i;
  if (size < 1) return 0;
  maxh = (data[0] & 1) ? ((int64_t)1 << 40) : 0;
  data++; size--;

  memset(&h, 0, sizeof h);
  if (npio_npy_header_from_bytes(data, size, maxh, &h, &e) == NPIO_OK) {
    if (h.dtype == NULL) fuzz_fail("accepted without a dtype");
    if (h.ndim < 0 || h.ndim > NPIO_MAXDIMS) fuzz_fail("ndim %d", h.ndim);
    for (i = 0; i < h.ndim; i++)
      if (h.shape[i] < 0) fuzz_fail("negative dimension %lld", (long long)h.shape[i]);
    if (h.header_len > (int64_t)size) fuzz_fail("header_len %lld past %zu bytes",
                                                 (long long)h.header_len, size);
    if (npio_shape_size(h.ndim, h.shape, &count, &e) != NPIO_OK)
      fuzz_fail("accepted a shape whose size overflows");
    if (h.dtype->itemsize < 0) fuzz_fail("itemsize %lld", (long long)h.dtype->itemsize);
    if (count > 0 && h.dtype->itemsize > INT64_MAX / count)
      fuzz_fail("accepted a byte count that overflows");
    if (h.data_len != count * h.dtype->itemsize)
      fuzz_fail("data_len %lld != %lld x %lld", (long long)h.data_len,
                (long long)count, (long long)h.dtype->itemsize);
    n = npio_npy_header_bytes(h.dtype, h.ndim, h.shape, h.fortran_order,
                              out, sizeof out, &e);
    if (n > 0) {
      if (n % 64 != 0) fuzz_fail("written header is %lld bytes", (long long)n);
      memset(&h2, 0, sizeof h2);
      if (npio_npy_header_from_bytes(out, (size_t)n, (int64_t)1 << 40, &h2, &e) != NPIO_OK)
        fuzz_fail("npio cannot read its own header: %s\n%.*s", e.msg, (int)n, out);
      if (!npio_dtype_equal(h.dtype, h2.dtype) || h.ndim != h2.ndim ||
          h.fortran_order != h2.fortran_order ||
          memcmp(h.shape, h2.shape, sizeof(int64_t) * (size_t)h.ndim) != 0)
        fuzz_fail("header round trip changed the header:\n%.*s", (int)n, out);
      npio_npy_header_free(&h2);
    }
  }
  npio_npy_header_free(&h);

  /* The dict parser alone, on the raw bytes. */
  memset(&h, 0, sizeof h);
  npio_npy_parse_dict((const char *)data, size, &h, &e);
  npio_npy_header_free(&h);
  return 0;
}
