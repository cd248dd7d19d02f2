/*
** fuzz_npz_load.c -- bytes -> the .npz reader (zip container + .npy
** members) on a memory source, walking every entry as minizip-ng's
** unzip_fuzzer does: list it, stat its header, read it (array or raw
** bytes). An accepted array must hold exactly its data bytes; the first
** one is written again into an in-memory archive (a stream without
** seeks: data descriptors) and read back, which must give the same dtype,
** shape and elements.
**
** The same bytes also go through zip_deflate_scan (the writer's block
** walker) as a raw DEFLATE stream.
**
** Memory stays under fuzz_common.h's budget: arrays are charged to the
** hook, raw members above 16 MiB are skipped (the reader itself refuses
** sizes DEFLATE cannot reach from the input).
*/
#include "fuzz_common.h"
#include "npio.h"
#include "zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes 'a' as the only member of an archive in memory and reads it. */
static void rewrite(const npio_array *a, int compress) {
  npio_npz_save_opts so;
  npio_npz_writer *w;
  npio_npz *z;
  npio_err e;
  npio_array b;
  char *buf = NULL;
  size_t blen = 0;
  int is_array = 0;
  uint64_t ha, hb;
  int64_t na, nb;
  FILE *f = open_memstream(&buf, &blen);
  if (f == NULL) return;
  npio_npz_save_opts_init(&so);
  so.compress = compress;
  so.threads = 1;
  so.level = 1;
  if (npio_npz_writer_open_file(f, &so, &w, &e) != NPIO_OK)
    fuzz_fail("cannot open a writer: %s", e.msg);
  if (npio_npz_writer_add(w, "x", 1, a, &e) != NPIO_OK ||
      npio_npz_writer_commit(w, &e) != NPIO_OK)
    fuzz_fail("cannot write a loaded array: %s", e.msg);
  npio_npz_writer_free(w);
  fclose(f);
  if (npio_npz_open_mem(buf, blen, &z, &e) != NPIO_OK)
    fuzz_fail("cannot open what npio wrote: %s", e.msg);
  memset(&b, 0, sizeof b);
  if (npio_npz_read(z, 0, NULL, 0, &b, &is_array, &e) != NPIO_OK || !is_array)
    fuzz_fail("cannot read what npio wrote: %s", e.msg);
  if (!npio_dtype_equal(a->dtype, b.dtype) || a->ndim != b.ndim ||
      memcmp(a->shape, b.shape, sizeof(int64_t) * (size_t)a->ndim) != 0)
    fuzz_fail("write/read changed dtype or shape");
  if (fuzz_hash(a, &ha, &na) != NPIO_OK || fuzz_hash(&b, &hb, &nb) != NPIO_OK ||
      na != nb || ha != hb)
    fuzz_fail("write/read changed the elements");
  npio_array_release(&b);
  npio_npz_close(z);
  free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npio_npz *z;
  npio_err e;
  npio_load_opts o;
  int64_t i, n;
  int rewritten = 0;
  {
    /* the writer's DEFLATE block walker must survive any bytes too */
    int64_t hdr, end;
    if (zip_deflate_scan(data, size, &hdr, &end) == 0 &&
        (end < 0 || end > (int64_t)size * 8 || hdr > end))
      fuzz_fail("deflate scan out of range");
  }
  memset(&e, 0, sizeof e);
  if (npio_npz_open_mem(data, size, &z, &e) != NPIO_OK) {
    if (e.msg[0] == '\0') fuzz_fail("error without a message (code %d)", e.code);
    return 0;
  }
  o.max_header = 0;
  o.hook = &fuzz_hook;
  n = npio_npz_count(z);
  for (i = 0; i < n && i < 64; i++) {
    npio_npz_info in;
    npio_array a;
    int is_array = 0;
    size_t klen, mlen;
    const char *key = npio_npz_key(z, i, &klen);
    const char *mem = npio_npz_member(z, i, &mlen);
    if (klen > mlen || memcmp(key, mem, klen) != 0)
      fuzz_fail("key is not a prefix of the member name");
    if (npio_npz_find(z, mem, mlen) < 0) fuzz_fail("listed member not found");
    memset(&e, 0, sizeof e);
    if (npio_npz_stat(z, i, &o, &in, &e) == NPIO_OK) {
      if (in.is_array && in.header_len + in.nbytes != in.size)
        fuzz_fail("stat: header + data != member size");
      npio_npz_info_free(&in);
    } else if (e.msg[0] == '\0') {
      fuzz_fail("stat error without a message");
    }
    memset(&a, 0, sizeof a);
    memset(&e, 0, sizeof e);
    if (npio_npz_read(z, i, &o, (i & 1) ? NPIO_MMAP_READ : 0, &a, &is_array,
                      &e) != NPIO_OK) {
      if (e.msg[0] == '\0') fuzz_fail("read error without a message");
      continue;
    }
    if (is_array) {
      uint64_t h;
      int64_t nb;
      if (fuzz_hash(&a, &h, &nb) != NPIO_OK || nb != npio_array_nbytes(&a))
        fuzz_fail("cannot walk a loaded array");
      if (!rewritten) {
        rewrite(&a, (int)(size & 1));
        rewritten = 1;
      }
      npio_array_release(&a);
    } else {
      int64_t us = npio_npz_member_size(z, i);
      if (us >= 0 && us <= ((int64_t)16 << 20)) {
        void *buf = malloc((size_t)us + 1);
        if (buf) {
          memset(&e, 0, sizeof e);
          if (npio_npz_read_bytes(z, i, buf, &e) != NPIO_OK && e.msg[0] == '\0')
            fuzz_fail("read_bytes error without a message");
          free(buf);
        }
      }
    }
  }
  npio_npz_close(z);
  return 0;
}
