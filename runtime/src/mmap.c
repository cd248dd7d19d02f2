/*
** mmap.c -- memory maps as array storage: NumPy's memmap modes, maps at
** any byte offset, growing files for r+/w+, .npy files opened as maps,
** and the checks that keep a truncated or closed map from crashing.
*/
#include "npio_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a map's storage keeps: the open file (to detect truncation) and
** where the mapped bytes start in it. */
typedef struct mapctx {
  int fd;
  int mode;
  int64_t file_offset;     /* offset of storage->data in the file */
} mapctx;

int npio_map_mode(const char *s) {
  if (strcmp(s, "r") == 0 || strcmp(s, "readonly") == 0) return NPIO_MAP_R;
  if (strcmp(s, "r+") == 0 || strcmp(s, "readwrite") == 0) return NPIO_MAP_RPLUS;
  if (strcmp(s, "w+") == 0 || strcmp(s, "write") == 0) return NPIO_MAP_WPLUS;
  if (strcmp(s, "c") == 0 || strcmp(s, "copyonwrite") == 0) return NPIO_MAP_C;
  return 0;
}

static void map_release(void *ctx, void *base, size_t len) {
  mapctx *m = (mapctx *)ctx;
  if (base && len) munmap(base, len);
  if (m) {
    if (m->fd >= 0) close(m->fd);
    free(m);
  }
}

int npio_file_size(const char *path, int64_t *size, npio_err *e) {
  struct stat st;
  if (stat(path, &st) != 0)
    return npio_seterr(e, NPIO_EIO, "%s", strerror(errno));
  *size = (int64_t)st.st_size;
  return NPIO_OK;
}

int npio_map_file(const char *path, int mode, int64_t offset, int64_t length,
                  npio_storage **out, npio_err *e) {
  int flags = mode == NPIO_MAP_R || mode == NPIO_MAP_C ? O_RDONLY : O_RDWR;
  int fd;
  struct stat st;
  int64_t end, page = (int64_t)sysconf(_SC_PAGESIZE), start, delta;
  void *base;
  mapctx *m;
  npio_storage *s;
  *out = NULL;
  if (mode == 0) return npio_seterr(e, NPIO_EVALUE, "mode must be one of r, r+, w+, c");
  if (offset < 0) return npio_seterr(e, NPIO_EVALUE, "offset must be non-negative");
  if (length < 0) return npio_seterr(e, NPIO_EVALUE, "length must be non-negative");
  if (npio_add_overflow(offset, length, &end))
    return npio_seterr(e, NPIO_EVALUE, "offset + length overflows");
  if (mode == NPIO_MAP_WPLUS) flags |= O_CREAT | O_TRUNC;
  fd = open(path, flags | O_CLOEXEC, 0666);
  if (fd < 0) return npio_seterr(e, NPIO_EIO, "%s", strerror(errno));
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return npio_seterr(e, NPIO_EIO, "%s", strerror(err));
  }
  if (end > (int64_t)st.st_size) {
    if (mode == NPIO_MAP_R || mode == NPIO_MAP_C) {
      close(fd);
      if (offset > (int64_t)st.st_size)
        return npio_seterr(e, NPIO_EVALUE, "offset %lld is past the end of "
                           "the file (%lld bytes)", (long long)offset,
                           (long long)st.st_size);
      return npio_seterr(e, NPIO_EVALUE, "mmap length is greater than file "
                         "size: %lld bytes needed from offset %lld, file has "
                         "%lld", (long long)length, (long long)offset,
                         (long long)st.st_size);
    }
    if (ftruncate(fd, (off_t)end) != 0) {   /* grows with zeros (sparse) */
      int err = errno;
      close(fd);
      return npio_seterr(e, NPIO_EIO, "cannot grow the file: %s", strerror(err));
    }
  }
  m = (mapctx *)calloc(1, sizeof(*m));
  if (m == NULL) { close(fd); return npio_seterr(e, NPIO_ENOMEM, "out of memory"); }
  m->fd = fd;
  m->mode = mode;
  m->file_offset = offset;
  start = offset - offset % page;
  delta = offset - start;
  if (length == 0) {
    base = NULL;   /* mmap refuses empty maps: an empty storage instead */
  } else {
    int prot = mode == NPIO_MAP_R ? PROT_READ : PROT_READ | PROT_WRITE;
    int mflags = mode == NPIO_MAP_C ? MAP_PRIVATE : MAP_SHARED;
    base = mmap(NULL, (size_t)(length + delta), prot, mflags, fd, (off_t)start);
    if (base == MAP_FAILED) {
      int err = errno;
      map_release(m, NULL, 0);
      return npio_seterr(e, err == ENOMEM ? NPIO_ENOMEM : NPIO_EIO,
                         "mmap failed: %s", strerror(err));
    }
  }
  {
    static char empty_byte;
    s = npio_storage_wrap(base ? (char *)base + delta : &empty_byte,
                          (size_t)length, mode == NPIO_MAP_R, map_release, m, e);
  }
  if (s == NULL) {
    map_release(m, base, base ? (size_t)(length + delta) : 0);
    return NPIO_ENOMEM;
  }
  s->kind = NPIO_MEM_MMAP;
  s->map_base = base;
  s->map_len = base ? (size_t)(length + delta) : 0;
  if (base == NULL) s->map_len = 0;
  *out = s;
  return NPIO_OK;
}

int npio_storage_valid(const npio_storage *s, npio_err *e) {
  const mapctx *m;
  struct stat st;
  if (s == NULL || s->data == NULL)
    return npio_seterr(e, NPIO_ECLOSED, "the array's memory is closed");
  if (s->kind != NPIO_MEM_MMAP || s->release != map_release || s->nbytes == 0)
    return NPIO_OK;
  m = (const mapctx *)s->ctx;
  if (m->mode == NPIO_MAP_C) return NPIO_OK;   /* private pages stay valid */
  if (fstat(m->fd, &st) == 0 &&
      (int64_t)st.st_size < m->file_offset + (int64_t)s->nbytes)
    return npio_seterr(e, NPIO_EIO, "the mapped file was truncated to %lld "
                       "bytes while mapped (the map needs %lld)",
                       (long long)st.st_size,
                       (long long)(m->file_offset + (int64_t)s->nbytes));
  return NPIO_OK;
}

int npio_storage_flush(npio_storage *s, npio_err *e) {
  if (s == NULL || s->data == NULL)
    return npio_seterr(e, NPIO_ECLOSED, "the array's memory is closed");
  if (s->kind != NPIO_MEM_MMAP || s->map_base == NULL) return NPIO_OK;
  if (msync(s->map_base, s->map_len, MS_SYNC) != 0)
    return npio_seterr(e, NPIO_EIO, "msync failed: %s", strerror(errno));
  return NPIO_OK;
}

void npio_storage_advise(npio_storage *s, int64_t off, int64_t len,
                         char advice) {
  int64_t page = (int64_t)sysconf(_SC_PAGESIZE), base, start, end;
  int adv;
  const mapctx *m;
  if (s == NULL || s->data == NULL || s->kind != NPIO_MEM_MMAP ||
      s->map_base == NULL || len <= 0)
    return;
  m = (const mapctx *)s->ctx;
  base = (int64_t)((char *)s->data - (char *)s->map_base);
  start = base + off;
  end = start + len;
  if (start < 0) start = 0;
  if (end > (int64_t)s->map_len) end = (int64_t)s->map_len;
  switch (advice) {
    case 's': adv = MADV_SEQUENTIAL; start -= start % page; break;
    case 'w': adv = MADV_WILLNEED; start -= start % page; break;
    case 'd':
      /* dropping private (copy-on-write) pages would lose changes */
      if (m && m->mode == NPIO_MAP_C) return;
      adv = MADV_DONTNEED;
      start += (page - start % page) % page;   /* whole pages inside only */
      end -= end % page;
      break;
    default: return;
  }
  if (end > start)
    (void)madvise((char *)s->map_base + start, (size_t)(end - start), adv);
}

int npio_npy_open_memmap(const char *path, int mode, npio_dtype *dtype,
                         int ndim, const int64_t *shape, int fortran,
                         int64_t max_header, npio_array *out, npio_err *e) {
  npio_npy_header h;
  npio_storage *s = NULL;
  int st, i;
  memset(out, 0, sizeof(*out));
  memset(&h, 0, sizeof(h));
  if (mode == NPIO_MAP_WPLUS) {
    char *hdr;
    int64_t hn, n;
    npio_safefile sf;
    if (dtype == NULL) return npio_seterr(e, NPIO_EVALUE, "w+ needs a dtype");
    if (npio_shape_size(ndim, shape, &n, e) != NPIO_OK) return NPIO_EVALUE;
    hn = npio_npy_header_alloc(dtype, ndim, shape, fortran, &hdr, e);
    if (hn < 0) return e ? e->code : NPIO_EVALUE;
    /* the whole file (header, then a sparse data area) is built aside and
    ** renamed in: a failure leaves an old file at 'path' untouched */
    st = npio_safe_open(&sf, path, 1, 0, e);
    if (st == NPIO_OK) {
      int64_t total = 0;
      st = npio_safe_write(&sf, hdr, (size_t)hn, e);
      if (st == NPIO_OK && (npio_mul_overflow(n, dtype->itemsize, &total) ||
                            npio_add_overflow(total, hn, &total)))
        st = npio_seterr(e, NPIO_EVALUE, "array is too big");
      if (st == NPIO_OK && ftruncate(sf.fd, (off_t)total) != 0)
        st = npio_seterr(e, NPIO_EIO, "cannot size the file: %s", strerror(errno));
      if (st == NPIO_OK) st = npio_safe_commit(&sf, e);
      else npio_safe_abort(&sf);
    }
    free(hdr);
    if (st != NPIO_OK) return st;
    h.dtype = npio_dtype_ref(dtype);
    h.ndim = ndim;
    for (i = 0; i < ndim; i++) h.shape[i] = shape[i];
    h.fortran_order = fortran;
    h.header_len = hn;
    if (npio_mul_overflow(n, dtype->itemsize, &h.data_len)) {
      npio_npy_header_free(&h);
      return npio_seterr(e, NPIO_EVALUE, "array is too big");
    }
    st = npio_map_file(path, NPIO_MAP_RPLUS, hn, h.data_len, &s, e);
  } else {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *buf;
    ssize_t got;
    int64_t cap = (max_header > 0 ? max_header : NPIO_DEFAULT_MAX_HEADER) + 12;
    int64_t fsize;
    if (fd < 0) return npio_seterr(e, NPIO_EIO, "%s", strerror(errno));
    buf = (char *)malloc((size_t)cap);
    if (buf == NULL) { close(fd); return npio_seterr(e, NPIO_ENOMEM, "out of memory"); }
    got = pread(fd, buf, (size_t)cap, 0);
    close(fd);
    if (got < 0) { free(buf); return npio_seterr(e, NPIO_EIO, "%s", strerror(errno)); }
    st = npio_npy_header_from_bytes(buf, (size_t)got, max_header, &h, e);
    free(buf);
    if (st != NPIO_OK) return st;
    if (npio_file_size(path, &fsize, e) != NPIO_OK) { npio_npy_header_free(&h); return NPIO_EIO; }
    if (fsize - h.header_len < h.data_len) {
      int64_t have = fsize - h.header_len;
      npio_npy_header_free(&h);
      return npio_seterr(e, NPIO_EFORMAT, "truncated: header says %lld data "
                         "bytes, file has %lld", (long long)h.data_len,
                         (long long)(have < 0 ? 0 : have));
    }
    st = npio_map_file(path, mode, h.header_len, h.data_len, &s, e);
  }
  if (st != NPIO_OK) { npio_npy_header_free(&h); return st; }
  out->storage = s;
  out->dtype = h.dtype;     /* the header's reference moves to the array */
  out->ndim = h.ndim;
  for (i = 0; i < h.ndim; i++) out->shape[i] = h.shape[i];
  npio_contiguous_strides(h.ndim, h.shape, h.dtype->itemsize, h.fortran_order,
                          out->strides);
  return NPIO_OK;
}
