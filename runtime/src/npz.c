/*
** npz.c -- .npz archives: .npy members read from and written to the zip
** container of zip.c / zipw.c.
**
** Reading a member never holds more than that member: its header is read
** through the streaming path (at most max_header_size + 12 bytes), the
** member's declared size must equal header + data before anything is
** allocated, and the data then goes straight into the array's memory:
** stored data by parallel pread + CRC, deflated data by one-shot
** libdeflate from a read-only map of the archive into a buffer that holds
** the header too (the array starts after it). With a mmap mode a stored
** member is mapped from the archive instead (at any alignment).
*/
#include "npio.h"
#include "zip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NPY_MAGIC "\x93NUMPY"

struct npio_npz {
  zip_reader *zr;
};

/* {======================================================
** Opening and names
** ======================================================= */

static int wrap_reader(zip_reader *zr, npio_npz **out, npio_err *e) {
  npio_npz *z;
  *out = NULL;
  if (zr == NULL) return e ? e->code : NPIO_EFORMAT;
  z = (npio_npz *)calloc(1, sizeof(*z));
  if (z == NULL) {
    zip_close(zr);
    return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
  z->zr = zr;
  *out = z;
  return NPIO_OK;
}

int npio_npz_open(const char *path, npio_npz **out, npio_err *e) {
  return wrap_reader(zip_open_path(path, e), out, e);
}

int npio_npz_open_fd(int fd, npio_npz **out, npio_err *e) {
  return wrap_reader(zip_open_fd(fd, e), out, e);
}

int npio_npz_open_mem(const void *p, size_t n, npio_npz **out, npio_err *e) {
  return wrap_reader(zip_open_mem(p, n, e), out, e);
}

void npio_npz_close(npio_npz *z) {
  if (z == NULL) return;
  zip_close(z->zr);
  free(z);
}

int64_t npio_npz_count(const npio_npz *z) {
  return z->zr->n;
}

const char *npio_npz_member(const npio_npz *z, int64_t i, size_t *len) {
  return zip_name(z->zr, i, len);
}

static int ends_npy(const char *s, size_t n) {
  return n >= 4 && memcmp(s + n - 4, ".npy", 4) == 0;
}

const char *npio_npz_key(const npio_npz *z, int64_t i, size_t *len) {
  size_t n;
  const char *s = zip_name(z->zr, i, &n);
  if (ends_npy(s, n)) n -= 4;
  if (len) *len = n;
  return s;
}

int64_t npio_npz_find(const npio_npz *z, const char *key, size_t len) {
  int64_t i = zip_find(z->zr, key, len);
  char *k;
  if (i >= 0 || len > 65535) return i;
  k = (char *)malloc(len + 5);
  if (k == NULL) return -1;
  memcpy(k, key, len);
  memcpy(k + len, ".npy", 4);
  i = zip_find(z->zr, k, len + 4);
  free(k);
  return i;
}

int64_t npio_npz_member_size(const npio_npz *z, int64_t i) {
  return z->zr->ent[i].usize;
}

/* }====================================================== */

/* {======================================================
** Headers
** ======================================================= */

/* Puts "member '<name>': " in front of e's message. */
static int prefix_err(const npio_npz *z, int64_t i, npio_err *e) {
  char m[sizeof(e->msg)], nm[200];
  size_t n;
  const char *s;
  if (e == NULL) return NPIO_EFORMAT;
  if (strncmp(e->msg, "member '", 8) == 0) return e->code;
  s = zip_name(z->zr, i, &n);
  snprintf(nm, sizeof(nm), "%.*s", (int)(n > 150 ? 150 : n), s);
  snprintf(m, sizeof(m), "%s", e->msg);
  return npio_seterr(e, e->code, "member '%s': %s", nm, m);
}

static int64_t eff_max(const npio_load_opts *o) {
  return o && o->max_header > 0 ? o->max_header : NPIO_DEFAULT_MAX_HEADER;
}

/*
** Reads the start of member i through the streaming path: if it is a
** .npy, parses its header into 'h' and sets *is_array. The header bytes
** are kept in *hbuf (malloc'd, h->header_len bytes) for the CRC.
*/
static int read_header(npio_npz *z, const zip_loc *loc,
                       const npio_load_opts *o, npio_npy_header *h,
                       int *is_array, unsigned char **hbuf, npio_err *e) {
  zip_stream *s;
  unsigned char pre[12];
  unsigned char *buf = NULL;
  int64_t got, total, have;
  int st = NPIO_OK;
  memset(h, 0, sizeof(*h));
  *is_array = 0;
  *hbuf = NULL;
  s = zip_stream_open(z->zr, loc, e);
  if (s == NULL) return e ? e->code : NPIO_ENOMEM;
  got = zip_stream_readfull(s, pre,
                            loc->usize < 12 ? (size_t)loc->usize : 12, e);
  if (got < 0) { st = e ? e->code : NPIO_EFORMAT; goto done; }
  if (got < 6 || memcmp(pre, NPY_MAGIC, 6) != 0) goto done;   /* not .npy */
  *is_array = 1;
  /* how long the header says it is, within max_header_size */
  total = got;
  if (got >= 10 && pre[6] == 1) total = 10 + (int64_t)(pre[8] | (pre[9] << 8));
  else if (got >= 12 && (pre[6] == 2 || pre[6] == 3))
    total = 12 + (int64_t)((uint32_t)pre[8] | ((uint32_t)pre[9] << 8) |
                           ((uint32_t)pre[10] << 16) | ((uint32_t)pre[11] << 24));
  if (total > 12 + eff_max(o) || total < got) total = got;  /* parser refuses */
  have = total < loc->usize ? total : loc->usize;
  if (have < got) have = got;
  buf = (unsigned char *)malloc((size_t)have + 1);
  if (buf == NULL) {
    st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
    goto done;
  }
  memcpy(buf, pre, (size_t)got);
  if (have > got) {
    int64_t k = zip_stream_readfull(s, buf + got, (size_t)(have - got), e);
    if (k < 0) { st = e ? e->code : NPIO_EFORMAT; goto done; }
    have = got + k;
  }
  st = npio_npy_header_from_bytes(buf, (size_t)have, o ? o->max_header : 0,
                                  h, e);
  if (st != NPIO_OK) goto done;
  if (h->header_len + h->data_len != loc->usize) {
    if (h->header_len + h->data_len > loc->usize) {
      int64_t left = loc->usize - h->header_len;
      st = npio_seterr(e, NPIO_EFORMAT, "truncated: header says %lld data "
                       "bytes, member has %lld", (long long)h->data_len,
                       (long long)(left < 0 ? 0 : left));
    } else {
      st = npio_seterr(e, NPIO_EFORMAT, "%lld bytes after the array data "
                       "(header says %lld data bytes)",
                       (long long)(loc->usize - h->header_len - h->data_len),
                       (long long)h->data_len);
    }
    npio_npy_header_free(h);
    goto done;
  }
  *hbuf = buf;
  buf = NULL;
done:
  free(buf);
  zip_stream_close(s);
  if (st != NPIO_OK) {
    *is_array = 0;
    prefix_err(z, loc->index, e);
  }
  return st;
}

int npio_npz_stat(npio_npz *z, int64_t i, const npio_load_opts *o,
                  npio_npz_info *info, npio_err *e) {
  zip_loc loc;
  npio_npy_header h;
  unsigned char *hb = NULL;
  int st, k;
  memset(info, 0, sizeof(*info));
  if (i < 0 || i >= z->zr->n)
    return npio_seterr(e, NPIO_EVALUE, "member index %lld out of range",
                       (long long)i);
  if ((st = zip_locate(z->zr, i, &loc, e)) != NPIO_OK) return st;
  st = read_header(z, &loc, o, &h, &info->is_array, &hb, e);
  if (st != NPIO_OK) return st;
  free(hb);
  info->size = loc.usize;
  info->compressed_size = loc.csize;
  info->method = loc.method;
  info->offset = loc.data_off;
  if (info->is_array) {
    info->dtype = h.dtype;          /* ownership moves to info */
    h.dtype = NULL;
    info->fortran_order = h.fortran_order;
    info->ndim = h.ndim;
    for (k = 0; k < h.ndim; k++) info->shape[k] = h.shape[k];
    info->nbytes = h.data_len;
    info->header_len = h.header_len;
    if (loc.method == ZIP_STORED) info->offset += h.header_len;
  } else {
    info->nbytes = loc.usize;
  }
  return NPIO_OK;
}

void npio_npz_info_free(npio_npz_info *info) {
  if (info == NULL) return;
  npio_dtype_unref(info->dtype);
  info->dtype = NULL;
}

/* }====================================================== */

/* {======================================================
** Reading arrays
** ======================================================= */

/* Strides of a contiguous array of 'h' in its memory order. */
static void set_layout(npio_array *a, const npio_npy_header *h) {
  int64_t stride = h->dtype->itemsize;
  int k;
  a->ndim = h->ndim;
  if (h->fortran_order) {
    for (k = 0; k < h->ndim; k++) {
      a->shape[k] = h->shape[k];
      a->strides[k] = stride;
      stride *= h->shape[k] ? h->shape[k] : 1;
    }
  } else {
    for (k = h->ndim - 1; k >= 0; k--) {
      a->shape[k] = h->shape[k];
      a->strides[k] = stride;
      stride *= h->shape[k] ? h->shape[k] : 1;
    }
  }
}

static void unmap_release(void *ctx, void *data, size_t n) {
  (void)ctx;
  munmap(data, n);
}

/*
** Maps a stored member's data from the archive: 'r' read-only and
** shared, 'c' private and writable (copy on write). Returns 1 if mapped,
** 0 to fall back to reading (no file, mmap refused).
*/
static int map_member(npio_npz *z, const zip_loc *loc,
                      const npio_npy_header *h, int mode, npio_array *out,
                      npio_err *e, int *st) {
  int64_t off = loc->data_off + h->header_len;
  long pg = sysconf(_SC_PAGESIZE);
  int64_t start;
  size_t len;
  void *base;
  npio_storage *s;
  *st = NPIO_OK;
  /* NumPy's own archives leave member data unaligned: map it anyway
  ** (every npio loop reads elements at any alignment) */
  if (z->zr->fd < 0 || h->data_len == 0) return 0;
  if (pg <= 0) pg = 4096;
  start = off - off % pg;
  len = (size_t)(off + h->data_len - start);
  base = mmap(NULL, len, mode == NPIO_MMAP_READ ? PROT_READ
                                                 : PROT_READ | PROT_WRITE,
              mode == NPIO_MMAP_READ ? MAP_SHARED : MAP_PRIVATE,
              z->zr->fd, (off_t)start);
  if (base == MAP_FAILED) return 0;
  s = npio_storage_wrap((char *)base + (off - start), (size_t)h->data_len,
                        mode == NPIO_MMAP_READ, unmap_release, NULL, e);
  if (s == NULL) {
    munmap(base, len);
    *st = e ? e->code : NPIO_ENOMEM;
    return 1;
  }
  s->kind = NPIO_MEM_MMAP;
  s->map_base = base;
  s->map_len = len;
  memset(out, 0, sizeof(*out));
  out->storage = s;
  out->dtype = npio_dtype_ref(h->dtype);
  set_layout(out, h);
  return 1;
}

int npio_npz_read(npio_npz *z, int64_t i, const npio_load_opts *o,
                  int mmap_mode, npio_array *out, int *is_array,
                  npio_err *e) {
  zip_loc loc;
  npio_npy_header h;
  unsigned char *hb = NULL;
  int st;
  *is_array = 0;
  if (i < 0 || i >= z->zr->n)
    return npio_seterr(e, NPIO_EVALUE, "member index %lld out of range",
                       (long long)i);
  if (mmap_mode != NPIO_MMAP_NONE && mmap_mode != NPIO_MMAP_READ &&
      mmap_mode != NPIO_MMAP_COPY)
    return npio_seterr(e, NPIO_EVALUE, "mmap mode '%c' is not supported for "
                       "archive members (use 'r' or 'c')", mmap_mode);
  if ((st = zip_locate(z->zr, i, &loc, e)) != NPIO_OK) return st;
  st = read_header(z, &loc, o, &h, is_array, &hb, e);
  if (st != NPIO_OK || !*is_array) return st;
  memset(out, 0, sizeof(*out));
  if (loc.method == ZIP_STORED) {
    uint32_t crc;
    if (mmap_mode != NPIO_MMAP_NONE &&
        map_member(z, &loc, &h, mmap_mode, out, e, &st))
      goto done;
    st = npio_array_init(out, h.dtype, h.ndim, h.shape, h.fortran_order, 0,
                         o ? o->hook : NULL, e);
    if (st != NPIO_OK) goto done;
    st = zip_read_stored(z->zr, &loc, h.header_len, out->storage->data,
                         h.data_len, &crc, e);
    if (st == NPIO_OK) {
      crc = zip_crc32_combine(zip_crc32(0, hb, (size_t)h.header_len), crc,
                              h.data_len);
      st = zip_check_crc(z->zr, &loc, crc, e);
    }
  } else {
    /* the whole member into one buffer; the array starts after the header */
    npio_storage *s = npio_storage_new((size_t)loc.usize, 0,
                                       o ? o->hook : NULL, e);
    if (s == NULL) { st = e ? e->code : NPIO_ENOMEM; goto done; }
    out->storage = s;
    out->dtype = npio_dtype_ref(h.dtype);
    set_layout(out, &h);
    st = zip_extract(z->zr, &loc, s->data, e);
    if (st == NPIO_OK) {
      int64_t align = h.dtype->alignment > 16 ? h.dtype->alignment : 16;
      if (h.header_len % align == 0) {
        out->offset = h.header_len;
      } else {   /* an odd header length: move the data to the start */
        memmove(s->data, (char *)s->data + h.header_len, (size_t)h.data_len);
        out->offset = 0;
      }
    }
  }
done:
  if (st != NPIO_OK) {
    npio_array_release(out);
    prefix_err(z, i, e);
  } else if (mmap_mode == NPIO_MMAP_READ && out->storage) {
    /* 'r' gives read-only arrays even when the member could not be mapped */
    out->storage->flags |= NPIO_STORAGE_READONLY;
  }
  free(hb);
  npio_npy_header_free(&h);
  return st;
}

int npio_npz_read_bytes(npio_npz *z, int64_t i, void *out, npio_err *e) {
  zip_loc loc;
  int st;
  if (i < 0 || i >= z->zr->n)
    return npio_seterr(e, NPIO_EVALUE, "member index %lld out of range",
                       (long long)i);
  if ((st = zip_locate(z->zr, i, &loc, e)) != NPIO_OK) return st;
  return zip_extract(z->zr, &loc, out, e);
}

/* }====================================================== */

/* {======================================================
** Writing
** ======================================================= */

typedef struct witem {
  char *name;            /* full member name */
  size_t len;
  int is_array;
  npio_array a;          /* a view (is_array) */
  void *bytes;           /* a copy (!is_array) */
  size_t nbytes;
} witem;

struct npio_npz_writer {
  npio_npz_save_opts o;
  zipw *zw;
  witem *items;
  size_t n, cap;
};

void npio_npz_save_opts_init(npio_npz_save_opts *o) {
  memset(o, 0, sizeof(*o));
  o->level = 6;
  o->atomic = 1;
}

static void to_zipw_opts(const npio_npz_save_opts *o, zipw_opts *zo) {
  memset(zo, 0, sizeof(*zo));
  zo->level = o->level;
  zo->threads = o->threads;
  zo->force_zip64 = o->force_zip64;
  zo->atomic = o->atomic;
  zo->durable = o->durable;
  zo->append = o->append;
  zo->progress = o->progress;
  zo->progress_ud = o->progress_ud;
}

static int new_writer(const npio_npz_save_opts *o, npio_npz_writer **out,
                      npio_err *e) {
  npio_npz_writer *w = (npio_npz_writer *)calloc(1, sizeof(*w));
  *out = NULL;
  if (w == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  if (o) w->o = *o;
  else npio_npz_save_opts_init(&w->o);
  *out = w;
  return NPIO_OK;
}

int npio_npz_writer_open(const char *path, const npio_npz_save_opts *o,
                         npio_npz_writer **out, npio_err *e) {
  zipw_opts zo;
  int st = new_writer(o, out, e);
  if (st != NPIO_OK) return st;
  to_zipw_opts(&(*out)->o, &zo);
  (*out)->zw = zipw_open_path(path, &zo, e);
  if ((*out)->zw == NULL) {
    free(*out);
    *out = NULL;
    return e ? e->code : NPIO_EIO;
  }
  return NPIO_OK;
}

int npio_npz_writer_open_file(FILE *f, const npio_npz_save_opts *o,
                              npio_npz_writer **out, npio_err *e) {
  zipw_opts zo;
  int st = new_writer(o, out, e);
  if (st != NPIO_OK) return st;
  to_zipw_opts(&(*out)->o, &zo);
  (*out)->zw = zipw_open_file(f, &zo, e);
  if ((*out)->zw == NULL) {
    free(*out);
    *out = NULL;
    return e ? e->code : NPIO_EIO;
  }
  return NPIO_OK;
}

int npio_npz_writer_has(npio_npz_writer *w, const char *name, size_t len) {
  return zipw_find_old(w->zw, name, len) >= 0;
}

/*
** npio writes archives that are safe to extract: member names are UTF-8
** relative paths without NUL, "..", a leading "/" or "\", or a drive.
*/
static int check_name(const char *s, size_t n, npio_err *e) {
  size_t i, start = 0;
  const char *shown = n > 150 ? "(long name)" : NULL;
  if (n > 65535)
    return npio_seterr(e, NPIO_EVALUE, "member name is %zu bytes; zip allows "
                       "at most 65535", n);
  if (memchr(s, 0, n))
    return npio_seterr(e, NPIO_EVALUE, "member name contains a NUL byte");
  if (!npio_valid_utf8(s, n))
    return npio_seterr(e, NPIO_EVALUE, "member name is not valid UTF-8");
  if (n > 0 && (s[0] == '/' || s[0] == '\\'))
    goto unsafe;
  if (n >= 2 && s[1] == ':' && ((s[0] >= 'A' && s[0] <= 'Z') ||
                                (s[0] >= 'a' && s[0] <= 'z')))
    goto unsafe;
  for (i = 0; i <= n; i++) {
    if (i == n || s[i] == '/' || s[i] == '\\') {
      if (i - start == 2 && s[start] == '.' && s[start + 1] == '.')
        goto unsafe;
      start = i + 1;
    }
  }
  return NPIO_OK;
unsafe:
  if (shown)
    return npio_seterr(e, NPIO_EVALUE, "member name %s is not a safe relative "
                       "path", shown);
  return npio_seterr(e, NPIO_EVALUE, "member name '%.*s' is not a safe "
                     "relative path (absolute, drive or '..')", (int)n, s);
}

static witem *new_item(npio_npz_writer *w, const char *name, size_t len,
                       int add_npy, npio_err *e) {
  witem *it;
  if (w->n == w->cap) {
    size_t nc = w->cap ? w->cap * 2 : 16;
    witem *ni = (witem *)realloc(w->items, nc * sizeof(witem));
    if (ni == NULL) {
      npio_seterr(e, NPIO_ENOMEM, "out of memory");
      return NULL;
    }
    w->items = ni;
    w->cap = nc;
  }
  it = &w->items[w->n];
  memset(it, 0, sizeof(*it));
  it->len = len + (add_npy ? 4 : 0);
  if (check_name(name, len, e) != NPIO_OK) return NULL;
  if (it->len > 65535) {
    npio_seterr(e, NPIO_EVALUE, "member name is %zu bytes; zip allows at "
                "most 65535", it->len);
    return NULL;
  }
  it->name = (char *)malloc(it->len + 1);
  if (it->name == NULL) {
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return NULL;
  }
  memcpy(it->name, name, len);
  if (add_npy) memcpy(it->name + len, ".npy", 4);
  it->name[it->len] = '\0';
  w->n++;
  return it;
}

int npio_npz_writer_add(npio_npz_writer *w, const char *key, size_t len,
                        const npio_array *a, npio_err *e) {
  witem *it;
  if (npio_array_data(a, e) == NULL) return e ? e->code : NPIO_ECLOSED;
  it = new_item(w, key, len, 1, e);
  if (it == NULL) return e ? e->code : NPIO_EVALUE;
  it->is_array = 1;
  npio_array_view(&it->a, a);
  return NPIO_OK;
}

int npio_npz_writer_add_bytes(npio_npz_writer *w, const char *name,
                              size_t len, const void *p, size_t n,
                              npio_err *e) {
  witem *it = new_item(w, name, len, 0, e);
  if (it == NULL) return e ? e->code : NPIO_EVALUE;
  it->bytes = malloc(n ? n : 1);
  if (it->bytes == NULL) {
    free(it->name);
    w->n--;
    return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
  memcpy(it->bytes, p, n);
  it->nbytes = n;
  return NPIO_OK;
}

typedef struct feed { zipw *zw; npio_err *e; } feed;

static int feed_block(void *ud, const char *p, size_t n) {
  feed *f = (feed *)ud;
  return zipw_data(f->zw, p, n, 0, f->e);
}

/* Writes one array member: the .npy header, then the data in place. */
static int write_array(npio_npz_writer *w, const witem *it, char *hdr,
                       npio_err *e) {
  const npio_array *a = &it->a;
  int fo = !npio_array_is_c_contiguous(a) && npio_array_is_f_contiguous(a);
  int method = w->o.compress ? ZIP_DEFLATED : ZIP_STORED;
  int64_t hn, nb = npio_array_nbytes(a);
  const char *data = npio_array_data(a, e);
  int st;
  if (data == NULL) return e ? e->code : NPIO_ECLOSED;
  hn = npio_npy_header_bytes(a->dtype, a->ndim, a->shape, fo, hdr,
                             NPIO_NPY_HEADER_CAP, e);
  if (hn < 0) return e ? e->code : NPIO_EVALUE;
  st = zipw_begin(w->zw, it->name, it->len, method, hn + nb, e);
  if (st == NPIO_OK) st = zipw_data(w->zw, hdr, (size_t)hn, 0, e);
  if (st == NPIO_OK && nb > 0) {
    if (fo || npio_array_is_c_contiguous(a)) {
      st = zipw_data(w->zw, data, (size_t)nb, 1, e);   /* used in place */
    } else {
      feed f;
      f.zw = w->zw;
      f.e = e;
      st = npio_array_foreach_block(a, 0, feed_block, &f, e);
    }
  }
  if (st == NPIO_OK) st = zipw_end(w->zw, e);
  return st;
}

int npio_npz_writer_commit(npio_npz_writer *w, npio_err *e) {
  char *hdr = (char *)malloc(NPIO_NPY_HEADER_CAP);
  size_t k;
  int st = NPIO_OK;
  int64_t total = 0;
  if (hdr == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  for (k = 0; k < w->n; k++)
    total += w->items[k].is_array ? npio_array_nbytes(&w->items[k].a) + 128
                                  : (int64_t)w->items[k].nbytes;
  /* stored archives: reserve about the final size in one extent */
  zipw_set_total(w->zw, total, w->o.compress ? 0 : total + 200 * (int64_t)w->n);
  for (k = 0; k < w->n && st == NPIO_OK; k++) {
    const witem *it = &w->items[k];
    if (it->is_array) {
      st = write_array(w, it, hdr, e);
    } else {
      st = zipw_begin(w->zw, it->name, it->len,
                      w->o.compress ? ZIP_DEFLATED : ZIP_STORED,
                      (int64_t)it->nbytes, e);
      if (st == NPIO_OK) st = zipw_data(w->zw, it->bytes, it->nbytes, 1, e);
      if (st == NPIO_OK) st = zipw_end(w->zw, e);
    }
  }
  free(hdr);
  if (st == NPIO_OK) st = zipw_commit(w->zw, e);
  return st;
}

void npio_npz_writer_free(npio_npz_writer *w) {
  size_t k;
  if (w == NULL) return;
  zipw_free(w->zw);
  for (k = 0; k < w->n; k++) {
    free(w->items[k].name);
    if (w->items[k].is_array) npio_array_release(&w->items[k].a);
    free(w->items[k].bytes);
  }
  free(w->items);
  free(w);
}

/* }====================================================== */
