/*
** npy.c -- the .npy format: header parsing and writing byte-identical to
** NumPy 1.24 (format.py), loading into fresh (huge-page) memory without
** conversion, saving atomically, and appending along the growth axis.
*/
#include "npio_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define ARRAY_ALIGN 64
#define GROWTH_AXIS_MAX_DIGITS 21

void npio_npy_header_free(npio_npy_header *h) {
  npio_dtype_unref(h->dtype);
  h->dtype = NULL;
}

/* {======================================================
** Parsing
** ======================================================= */

/* Latin-1 bytes to UTF-8 (v1/v2 headers are latin-1). */
static char *latin1_to_utf8(const char *s, size_t n, size_t *outlen) {
  char *o = (char *)malloc(2 * n + 1), *p = o;
  size_t i;
  if (o == NULL) return NULL;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) *p++ = (char)c;
    else { *p++ = (char)(0xC0 | (c >> 6)); *p++ = (char)(0x80 | (c & 0x3F)); }
  }
  *p = '\0';
  *outlen = (size_t)(p - o);
  return o;
}

static const pyl_node *dict_get(const pyl_node *d, const char *key) {
  int i;
  const pyl_node *found = NULL;
  for (i = 0; i + 1 < d->n; i += 2)   /* the last duplicate wins, as in Python */
    if (d->items[i]->type == PYL_STR && strcmp(d->items[i]->str, key) == 0)
      found = d->items[i + 1];
  return found;
}

/* The header's keys must be exactly descr, fortran_order and shape. */
static int check_keys(const pyl_node *d, npio_err *e) {
  static const char *const want[] = {"descr", "fortran_order", "shape"};
  int i, k;
  for (i = 0; i + 1 < d->n; i += 2) {
    const pyl_node *key = d->items[i];
    int ok = 0;
    if (key->type == PYL_STR)
      for (k = 0; k < 3; k++) ok |= strcmp(key->str, want[k]) == 0;
    if (!ok) {
      npio_buf b = {0};
      pyl_repr(key, &b);
      npio_seterr(e, NPIO_EFORMAT, "header does not contain the correct "
                  "keys: unexpected key %s", b.p ? b.p : "?");
      npio_buf_free(&b);
      return NPIO_EFORMAT;
    }
  }
  for (k = 0; k < 3; k++)
    if (dict_get(d, want[k]) == NULL)
      return npio_seterr(e, NPIO_EFORMAT, "header does not contain the "
                         "correct keys: '%s' is missing", want[k]);
  return NPIO_OK;
}

static int bad_value(npio_err *e, const char *what, const pyl_node *v) {
  npio_buf b = {0};
  pyl_repr(v, &b);
  npio_seterr(e, NPIO_EFORMAT, "%s is not valid: %s", what, b.p ? b.p : "?");
  npio_buf_free(&b);
  return NPIO_EFORMAT;
}

int npio_npy_parse_dict(const char *text, size_t len, npio_npy_header *h,
                        npio_err *e) {
  pyl_node *d;
  const pyl_node *shape, *fo, *descr;
  int i, st;
  int64_t n;
  npio_err local;
  if (e == NULL) e = &local;
  h->dtype = NULL;
  d = pyl_parse(text, len, h->major < 3, e);
  if (d == NULL) {
    char m[sizeof(e->msg)];
    snprintf(m, sizeof(m), "%s", e->msg);
    return npio_seterr(e, e->code == NPIO_ENOMEM ? NPIO_ENOMEM : NPIO_EFORMAT,
                       "cannot parse header: %s", m);
  }
  if (d->type != PYL_DICT) {
    pyl_free(d);
    return npio_seterr(e, NPIO_EFORMAT, "header is not a dictionary");
  }
  if ((st = check_keys(d, e)) != NPIO_OK) goto done;
  shape = dict_get(d, "shape");
  fo = dict_get(d, "fortran_order");
  descr = dict_get(d, "descr");
  if (shape->type != PYL_TUPLE) { st = bad_value(e, "shape", shape); goto done; }
  if (shape->n > NPIO_MAXDIMS) {
    st = npio_seterr(e, NPIO_EFORMAT, "shape has %d dimensions; at most %d "
                     "are supported", shape->n, NPIO_MAXDIMS);
    goto done;
  }
  for (i = 0; i < shape->n; i++) {
    const pyl_node *s = shape->items[i];
    /* NumPy's header check lets (True,) through, but reading then fails
    ** ("an integer is required"): refuse it here */
    if (s->type != PYL_INT) {
      st = bad_value(e, "shape", shape);
      goto done;
    }
    if (s->big || s->ival < 0) {
      st = npio_seterr(e, NPIO_EFORMAT, "shape is not valid: dimension %d "
                       "is %s", i + 1, s->big ? "too large" : "negative");
      goto done;
    }
    h->shape[i] = s->ival;
  }
  h->ndim = shape->n;
  if (fo->type != PYL_BOOL) { st = bad_value(e, "fortran_order", fo); goto done; }
  h->fortran_order = (int)fo->ival;
  h->dtype = dtype_from_pyl(descr, e);
  if (h->dtype != NULL && h->dtype->base != NULL) {
    /* NumPy makes a subarray dtype here and then fails to reshape */
    npio_dtype_unref(h->dtype);
    h->dtype = NULL;
    st = npio_seterr(e, NPIO_EFORMAT, "descr is a subarray type at the top "
                     "level, which NumPy cannot load either");
    goto done;
  }
  if (h->dtype == NULL) {
    char m[sizeof(e->msg)];
    snprintf(m, sizeof(m), "%s", e->msg);
    st = npio_seterr(e, e->code == NPIO_ETYPE ? NPIO_ETYPE : NPIO_EFORMAT,
                     "descr is not a valid dtype descriptor: %s", m);
    goto done;
  }
  if (npio_shape_size(h->ndim, h->shape, &n, e) != NPIO_OK ||
      npio_mul_overflow(n, h->dtype->itemsize, &h->data_len)) {
    st = npio_seterr(e, NPIO_EFORMAT, "shape is too large: the data size "
                     "overflows");
    goto done;
  }
  st = NPIO_OK;
done:
  if (st != NPIO_OK) npio_npy_header_free(h);
  pyl_free(d);
  return st;
}

/*
** Checks magic and version in the first 8 bytes and returns how many
** bytes the length field takes (2 or 4), or 0 with 'e' set.
*/
static int check_magic(const unsigned char *b, size_t n, npio_npy_header *h,
                       npio_err *e) {
  if (n < 8 || memcmp(b, MAGIC, MAGIC_LEN) != 0) {
    npio_seterr(e, NPIO_EFORMAT, "not a .npy file: the magic string is not "
                "\\x93NUMPY");
    return 0;
  }
  h->major = b[6];
  h->minor = b[7];
  if (!((h->major == 1 || h->major == 2 || h->major == 3) && h->minor == 0)) {
    npio_seterr(e, NPIO_EFORMAT, "unsupported format version (%d, %d): npio "
                "reads (1, 0), (2, 0) and (3, 0)", h->major, h->minor);
    return 0;
  }
  return h->major == 1 ? 2 : 4;
}

/* Parses the header text of a known version (decoding, filtering). */
static int parse_text(const char *text, size_t len, int64_t max_header,
                      npio_npy_header *h, npio_err *e) {
  size_t ulen;
  char *utf;
  int st;
  if (h->major >= 3) {
    if (!npio_valid_utf8(text, len))
      return npio_seterr(e, NPIO_EFORMAT, "header is not valid UTF-8");
    utf = (char *)malloc(len + 1);
    if (utf == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    memcpy(utf, text, len);
    utf[len] = '\0';
    ulen = len;
  } else {
    utf = latin1_to_utf8(text, len, &ulen);
    if (utf == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
  (void)max_header;
  st = npio_npy_parse_dict(utf, ulen, h, e);
  free(utf);
  return st;
}

static int64_t eff_max(int64_t max_header) {
  return max_header > 0 ? max_header : NPIO_DEFAULT_MAX_HEADER;
}

/* Reads exactly n bytes unless the source ends; returns bytes read or
** -1 (errno set). Short reads and EINTR are retried. */
static int64_t read_full(npio_reader *r, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    int64_t k = r->read(r->ud, (char *)buf + got, n - got);
    if (k < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (k == 0) break;
    got += (size_t)k;
  }
  return (int64_t)got;
}

int npio_npy_read_header(npio_reader *r, int64_t max_header,
                         npio_npy_header *h, npio_err *e) {
  unsigned char pre[12];
  int64_t got, hlen;
  int lenbytes;
  char *text;
  int st;
  memset(h, 0, sizeof(*h));
  got = read_full(r, pre, 8);
  if (got < 0) return npio_seterr(e, NPIO_EIO, "read failed: %s", strerror(errno));
  if (got < 8) {
    if (got >= 6 && memcmp(pre, MAGIC, MAGIC_LEN) == 0)
      return npio_seterr(e, NPIO_EFORMAT, "EOF: reading the format version, "
                         "expected 2 bytes got %d", (int)(got - 6));
    return npio_seterr(e, NPIO_EFORMAT, got == 0 ? "file is empty (no .npy "
                       "magic string)" : "not a .npy file: the magic string "
                       "is not \\x93NUMPY");
  }
  lenbytes = check_magic(pre, 8, h, e);
  if (lenbytes == 0) return e ? e->code : NPIO_EFORMAT;
  got = read_full(r, pre + 8, (size_t)lenbytes);
  if (got < 0) return npio_seterr(e, NPIO_EIO, "read failed: %s", strerror(errno));
  if (got < lenbytes)
    return npio_seterr(e, NPIO_EFORMAT, "EOF: reading the array header "
                       "length, expected %d bytes got %d", lenbytes, (int)got);
  hlen = lenbytes == 2 ? (int64_t)(pre[8] | (pre[9] << 8))
                       : (int64_t)((uint32_t)pre[8] | ((uint32_t)pre[9] << 8) |
                                   ((uint32_t)pre[10] << 16) |
                                   ((uint32_t)pre[11] << 24));
  if (hlen > eff_max(max_header))
    return npio_seterr(e, NPIO_ELIMIT, "header length %lld exceeds "
                       "max_header_size %lld (raise max_header_size if you "
                       "trust the file)", (long long)hlen,
                       (long long)eff_max(max_header));
  /* read in growing steps: a short file claiming a huge header must not
  ** make us allocate what it claims */
  {
    int64_t cap = hlen < 65536 ? hlen : 65536;
    got = 0;
    text = (char *)malloc((size_t)cap + 1);
    while (text != NULL) {
      int64_t k = read_full(r, text + got, (size_t)(cap - got));
      if (k < 0) {
        free(text);
        return npio_seterr(e, NPIO_EIO, "read failed: %s", strerror(errno));
      }
      got += k;
      if (got < cap || cap == hlen) break;
      cap = cap * 2 < hlen ? cap * 2 : hlen;
      {
        char *t2 = (char *)realloc(text, (size_t)cap + 1);
        if (t2 == NULL) { free(text); text = NULL; break; }
        text = t2;
      }
    }
    if (text == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
  if (got < hlen) {
    free(text);
    return npio_seterr(e, NPIO_EFORMAT, "EOF: reading the array header, "
                       "expected %lld bytes got %lld", (long long)hlen,
                       (long long)got);
  }
  st = parse_text(text, (size_t)hlen, max_header, h, e);
  free(text);
  h->header_len = 8 + lenbytes + hlen;
  return st;
}

typedef struct memsrc { const char *p; size_t n, pos; } memsrc;

static int64_t mem_read(void *ud, void *buf, size_t n) {
  memsrc *m = (memsrc *)ud;
  size_t k = m->n - m->pos < n ? m->n - m->pos : n;
  memcpy(buf, m->p + m->pos, k);
  m->pos += k;
  return (int64_t)k;
}

int npio_npy_header_from_bytes(const void *buf, size_t len,
                               int64_t max_header, npio_npy_header *h,
                               npio_err *e) {
  memsrc m = {(const char *)buf, len, 0};
  npio_reader r = {mem_read, &m};
  return npio_npy_read_header(&r, max_header, h, e);
}

/* }====================================================== */

/* {======================================================
** Writing headers
** ======================================================= */

/*
** The dict text NumPy writes: keys sorted, repr of each value, a trailing
** ", }" and spaces for growing the growth axis in place (NumPy 1.24).
*/
static int dict_text(const npio_dtype *d, int ndim, const int64_t *shape,
                     int fortran, npio_buf *b) {
  int i;
  npio_buf_addstr(b, "{'descr': ");
  dtype_descr_buf(d, b);
  npio_buf_printf(b, ", 'fortran_order': %s, 'shape': (",
                  fortran ? "True" : "False");
  for (i = 0; i < ndim; i++)
    npio_buf_printf(b, i ? ", %lld" : "%lld", (long long)shape[i]);
  npio_buf_addstr(b, ndim == 1 ? ",), }" : "), }");
  if (ndim > 0) {
    char digits[32];
    int n = snprintf(digits, sizeof(digits), "%lld",
                     (long long)shape[fortran ? ndim - 1 : 0]);
    for (i = n; i < GROWTH_AXIS_MAX_DIGITS; i++) npio_buf_add(b, " ", 1);
  }
  return b->p ? NPIO_OK : NPIO_ENOMEM;
}

/* 1 if every code point of the UTF-8 text is below 256. */
static int fits_latin1(const unsigned char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (s[i] >= 0xC4) return 0;   /* lead bytes from U+0100 up */
  return 1;
}

/* Wraps dict text into prefix + text + padding + '\n' for 'version'
** (1..3); returns the length, or -1 if it does not fit that version. */
static int64_t wrap(const char *text, size_t tlen, int version,
                    int64_t target_total, char *out, size_t cap) {
  int64_t pre = version == 1 ? 10 : 12;
  int64_t hlen = (int64_t)tlen + 1, pad, total;
  pad = ARRAY_ALIGN - ((pre + hlen) % ARRAY_ALIGN);
  if (target_total > 0) pad = target_total - pre - hlen;  /* appending */
  if (pad < 0) return -1;
  total = pre + hlen + pad;
  if (version == 1 && hlen + pad > 65535) return -1;
  if (hlen + pad > (int64_t)UINT32_MAX) return -1;
  if ((size_t)total > cap) return -1;
  memcpy(out, MAGIC, MAGIC_LEN);
  out[6] = (char)version;
  out[7] = 0;
  if (version == 1) {
    out[8] = (char)((hlen + pad) & 0xFF);
    out[9] = (char)(((hlen + pad) >> 8) & 0xFF);
  } else {
    uint32_t v = (uint32_t)(hlen + pad);
    out[8] = (char)(v & 0xFF); out[9] = (char)((v >> 8) & 0xFF);
    out[10] = (char)((v >> 16) & 0xFF); out[11] = (char)((v >> 24) & 0xFF);
  }
  memcpy(out + pre, text, tlen);
  memset(out + pre + tlen, ' ', (size_t)pad);
  out[total - 1] = '\n';
  return total;
}

/*
** Builds the header into a malloc'd buffer (*out); 'version' 0 picks the
** oldest that fits (as NumPy), and 'target_total' > 0 pads to exactly that
** length (for appends). Returns the length or -1 with 'e'.
*/
static int64_t header_alloc(const npio_dtype *d, int ndim,
                            const int64_t *shape, int fortran, int version,
                            int64_t target_total, char **out, npio_err *e) {
  npio_buf b = {0};
  int64_t n = -1;
  size_t cap;
  char *o;
  *out = NULL;
  if (dict_text(d, ndim, shape, fortran, &b) != NPIO_OK) {
    npio_buf_free(&b);
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return -1;
  }
  cap = b.len + 12 + ARRAY_ALIGN + 1;
  if (target_total > 0 && (size_t)target_total > cap) cap = (size_t)target_total;
  o = (char *)malloc(cap);
  if (o == NULL) {
    npio_buf_free(&b);
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return -1;
  }
  if (fits_latin1((const unsigned char *)b.p, b.len)) {
    /* re-encode as latin-1 for versions 1 and 2 (in place: it shrinks) */
    size_t i, k = 0;
    char *l1 = (char *)malloc(b.len + 1);
    if (l1 == NULL) {
      free(o);
      npio_buf_free(&b);
      npio_seterr(e, NPIO_ENOMEM, "out of memory");
      return -1;
    }
    for (i = 0; i < b.len; i++) {
      unsigned char c = (unsigned char)b.p[i];
      if (c >= 0xC0) { l1[k++] = (char)(((c & 0x03) << 6) | (b.p[i + 1] & 0x3F)); i++; }
      else l1[k++] = (char)c;
    }
    if (version == 0 || version == 1) n = wrap(l1, k, 1, target_total, o, cap);
    if (n < 0 && (version == 0 || version == 2)) n = wrap(l1, k, 2, target_total, o, cap);
    free(l1);
  }
  if (n < 0 && (version == 0 || version == 3))
    n = wrap(b.p, b.len, 3, target_total, o, cap);
  npio_buf_free(&b);
  if (n < 0) {
    free(o);
    npio_seterr(e, NPIO_EVALUE, target_total > 0 ? "the new header does not "
                "fit in the existing one (the file has no growth padding)"
                : "header too large");
    return -1;
  }
  *out = o;
  return n;
}

int64_t npio_npy_header_bytes(const npio_dtype *d, int ndim,
                              const int64_t *shape, int fortran, char *out,
                              size_t cap, npio_err *e) {
  char *h;
  int64_t n = header_alloc(d, ndim, shape, fortran, 0, 0, &h, e);
  if (n < 0) return -1;
  if ((size_t)n > cap) {
    free(h);
    npio_seterr(e, NPIO_ELIMIT, "header of %lld bytes does not fit the "
                "buffer", (long long)n);
    return -1;
  }
  memcpy(out, h, (size_t)n);
  free(h);
  return n;
}

int64_t npio_npy_header_alloc(const npio_dtype *d, int ndim,
                              const int64_t *shape, int fortran, char **out,
                              npio_err *e) {
  return header_alloc(d, ndim, shape, fortran, 0, 0, out, e);
}

/* }====================================================== */

/* {======================================================
** Loading
** ======================================================= */

/* Allocates the array for a parsed header (Fortran strides if needed). */
static int alloc_for(const npio_npy_header *h, const npio_load_opts *o,
                     npio_array *out, npio_err *e) {
  return npio_array_init(out, h->dtype, h->ndim, h->shape, h->fortran_order,
                         0, o ? o->hook : NULL, e);
}

/*
** Loads header and data from a reader. 'avail' is how many bytes the
** source still holds after the current position, or -1 if unknown; when
** known, a header promising more data than the file has is refused before
** any allocation.
*/
static int load_reader(npio_reader *r, int64_t avail,
                       const npio_load_opts *o, npio_array *out,
                       npio_err *e) {
  npio_npy_header h;
  int64_t got;
  int st = npio_npy_read_header(r, o ? o->max_header : 0, &h, e);
  memset(out, 0, sizeof(*out));
  if (st != NPIO_OK) return st;
  if (avail >= 0 && avail - h.header_len < h.data_len) {
    int64_t have = avail - h.header_len;
    npio_npy_header_free(&h);
    return npio_seterr(e, NPIO_EFORMAT, "truncated: header says %lld data "
                       "bytes, file has %lld", (long long)h.data_len,
                       (long long)(have < 0 ? 0 : have));
  }
  st = alloc_for(&h, o, out, e);
  if (st != NPIO_OK) { npio_npy_header_free(&h); return st; }
  got = read_full(r, out->storage->data, (size_t)h.data_len);
  if (got < 0) {
    st = npio_seterr(e, NPIO_EIO, "read failed: %s", strerror(errno));
  } else if (got < h.data_len) {
    st = npio_seterr(e, NPIO_EFORMAT, "truncated: header says %lld data "
                     "bytes, file has %lld", (long long)h.data_len,
                     (long long)got);
  }
  npio_npy_header_free(&h);
  if (st != NPIO_OK) npio_array_release(out);
  return st;
}

int npio_npy_load(npio_reader *r, const npio_load_opts *o, npio_array *out,
                  npio_err *e) {
  return load_reader(r, -1, o, out, e);
}

static int64_t fd_read(void *ud, void *buf, size_t n) {
  int fd = *(int *)ud;
  if (n > ((size_t)1 << 30)) n = (size_t)1 << 30;
  return (int64_t)read(fd, buf, n);
}

static int64_t file_read(void *ud, void *buf, size_t n) {
  FILE *f = (FILE *)ud;
  size_t k = fread(buf, 1, n, f);
  if (k == 0 && ferror(f)) return -1;
  return (int64_t)k;
}

int npio_npy_load_path(const char *path, const npio_load_opts *o,
                       npio_array *out, npio_err *e) {
  struct stat st;
  int fd, rc;
  npio_reader r;
  memset(out, 0, sizeof(*out));
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return npio_seterr(e, NPIO_EIO, "%s", strerror(errno));
  r.read = fd_read;
  r.ud = &fd;
  rc = load_reader(&r, fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                            ? (int64_t)st.st_size : -1, o, out, e);
  close(fd);
  return rc;
}

int npio_npy_load_fd(int fd, const npio_load_opts *o, npio_array *out,
                     npio_err *e) {
  struct stat st;
  off_t pos = lseek(fd, 0, SEEK_CUR);
  npio_reader r;
  r.read = fd_read;
  r.ud = &fd;
  return load_reader(&r, pos >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
                             ? (int64_t)st.st_size - (int64_t)pos : -1,
                     o, out, e);
}

int npio_npy_load_file(FILE *f, const npio_load_opts *o, npio_array *out,
                       npio_err *e) {
  struct stat st;
  int64_t avail = -1;
  long pos = ftell(f);
  npio_reader r;
  if (pos >= 0 && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
    avail = (int64_t)st.st_size - pos;
  r.read = file_read;
  r.ud = f;
  return load_reader(&r, avail, o, out, e);
}

/* }====================================================== */

/* {======================================================
** Saving
** ======================================================= */

/* Memory order to write: Fortran only when F- but not C-contiguous. */
static int write_fortran(const npio_array *a) {
  return !npio_array_is_c_contiguous(a) && npio_array_is_f_contiguous(a);
}

typedef struct fdsink { int fd; npio_err *e; } fdsink;

static int fd_block(void *ud, const char *p, size_t n) {
  fdsink *s = (fdsink *)ud;
  return npio_write_all(s->fd, p, n, s->e);
}

typedef struct filesink { FILE *f; npio_err *e; } filesink;

static int file_block(void *ud, const char *p, size_t n) {
  filesink *s = (filesink *)ud;
  if (fwrite(p, 1, n, s->f) != n)
    return npio_seterr(s->e, NPIO_EIO, "write failed: %s", strerror(errno));
  return NPIO_OK;
}

static int check_saveable(const npio_array *a, npio_err *e) {
  if (a->storage == NULL || a->storage->data == NULL)
    return npio_seterr(e, NPIO_ECLOSED, "the array's memory is closed");
  return NPIO_OK;
}

int npio_npy_save_file(FILE *f, const npio_array *a, npio_err *e) {
  char *hdr;
  int64_t hn;
  int fo = write_fortran(a), st;
  filesink s = {f, e};
  if ((st = check_saveable(a, e)) != NPIO_OK) return st;
  hn = header_alloc(a->dtype, a->ndim, a->shape, fo, 0, 0, &hdr, e);
  if (hn < 0) return e ? e->code : NPIO_EVALUE;
  st = file_block(&s, hdr, (size_t)hn);
  free(hdr);
  if (st == NPIO_OK) st = npio_array_foreach_block(a, fo, file_block, &s, e);
  return st;
}

int npio_npy_save_fd(int fd, const npio_array *a, npio_err *e) {
  char *hdr;
  int64_t hn;
  int fo = write_fortran(a), st;
  fdsink s = {fd, e};
  if ((st = check_saveable(a, e)) != NPIO_OK) return st;
  hn = header_alloc(a->dtype, a->ndim, a->shape, fo, 0, 0, &hdr, e);
  if (hn < 0) return e ? e->code : NPIO_EVALUE;
  st = npio_write_all(fd, hdr, (size_t)hn, e);
  free(hdr);
  if (st == NPIO_OK) st = npio_array_foreach_block(a, fo, fd_block, &s, e);
  return st;
}

/*
** Appends 'a' to the .npy at 'path' along its growth axis (axis 0 for C
** order, the last axis for Fortran order): data first, at the end of the
** data the header promises, then the header rewritten in place, so a
** crash in between leaves the old, consistent array.
*/
static int append_path(const char *path, const npio_array *a,
                       const npio_save_opts *o, npio_err *e) {
  npio_npy_header h;
  npio_reader r;
  int fd, st, i, ax, fo;
  int64_t newshape[NPIO_MAXDIMS], hn;
  char *hdr = NULL;
  fdsink s;
  fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return npio_seterr(e, NPIO_EIO, "%s", strerror(errno));
  r.read = fd_read;
  r.ud = &fd;
  st = npio_npy_read_header(&r, 0, &h, e);
  if (st != NPIO_OK) { close(fd); return st; }
  fo = h.fortran_order;
  ax = fo ? h.ndim - 1 : 0;
  {
    struct stat sb;
    if (fstat(fd, &sb) != 0 || (int64_t)sb.st_size < h.header_len + h.data_len) {
      st = npio_seterr(e, NPIO_EFORMAT, "cannot append: the file is "
                       "truncated (header says %lld data bytes)",
                       (long long)h.data_len);
      goto done;
    }
  }
  if (h.ndim == 0) {
    st = npio_seterr(e, NPIO_EVALUE, "cannot append to a 0-d array");
    goto done;
  }
  if (!npio_dtype_equal(h.dtype, a->dtype)) {
    char want[256], got[256];
    npio_dtype_str(h.dtype, want, sizeof(want));
    npio_dtype_str(a->dtype, got, sizeof(got));
    st = npio_seterr(e, NPIO_EVALUE, "cannot append: file dtype is %s, "
                     "array dtype is %s", want, got);
    goto done;
  }
  /* the array may leave out the growth axis (one row) or match all others */
  if (a->ndim == h.ndim) {
    for (i = 0; i < h.ndim; i++)
      if (i != ax && a->shape[i] != h.shape[i]) break;
    if (i < h.ndim) {
      st = npio_seterr(e, NPIO_EVALUE, "cannot append: shapes do not match "
                       "outside the growth axis %d", ax + 1);
      goto done;
    }
  } else {
    st = npio_seterr(e, NPIO_EVALUE, "cannot append: the array has %d "
                     "dimensions, the file %d", a->ndim, h.ndim);
    goto done;
  }
  for (i = 0; i < h.ndim; i++) newshape[i] = h.shape[i];
  if (npio_add_overflow(newshape[ax], a->shape[ax], &newshape[ax])) {
    st = npio_seterr(e, NPIO_EVALUE, "cannot append: shape overflows");
    goto done;
  }
  hn = header_alloc(h.dtype, h.ndim, newshape, fo, h.major, h.header_len,
                    &hdr, e);
  if (hn < 0) { st = e ? e->code : NPIO_EVALUE; goto done; }
  if (lseek(fd, (off_t)(h.header_len + h.data_len), SEEK_SET) < 0) {
    st = npio_seterr(e, NPIO_EIO, "seek failed: %s", strerror(errno));
    goto done;
  }
  s.fd = fd;
  s.e = e;
  /* data in the file's memory order */
  if (fo) {
    st = npio_array_foreach_block(a, 1, fd_block, &s, e);
  } else
    st = npio_array_foreach_block(a, 0, fd_block, &s, e);
  if (st != NPIO_OK) goto done;
  if (o && o->durable && fsync(fd) != 0) {
    st = npio_seterr(e, NPIO_EIO, "fsync failed: %s", strerror(errno));
    goto done;
  }
  if (pwrite(fd, hdr, (size_t)hn, 0) != (ssize_t)hn) {
    st = npio_seterr(e, NPIO_EIO, "rewriting the header failed: %s",
                     strerror(errno));
    goto done;
  }
  if (o && o->durable && fsync(fd) != 0)
    st = npio_seterr(e, NPIO_EIO, "fsync failed: %s", strerror(errno));
done:
  free(hdr);
  npio_npy_header_free(&h);
  if (close(fd) != 0 && st == NPIO_OK)
    st = npio_seterr(e, NPIO_EIO, "close failed: %s", strerror(errno));
  return st;
}

int npio_npy_save_path(const char *path, const npio_array *a,
                       const npio_save_opts *o, npio_err *e) {
  npio_safefile sf;
  char *hdr;
  int64_t hn;
  int fo = write_fortran(a), st;
  fdsink s;
  if ((st = check_saveable(a, e)) != NPIO_OK) return st;
  if (o && o->append && access(path, F_OK) == 0)
    return append_path(path, a, o, e);
  hn = header_alloc(a->dtype, a->ndim, a->shape, fo, 0, 0, &hdr, e);
  if (hn < 0) return e ? e->code : NPIO_EVALUE;
  st = npio_safe_open(&sf, path, o ? o->atomic : 1, o ? o->durable : 0, e);
  if (st != NPIO_OK) { free(hdr); return st; }
  npio_safe_reserve(&sf, hn + npio_array_nbytes(a));
  s.fd = sf.fd;
  s.e = e;
  st = npio_safe_write(&sf, hdr, (size_t)hn, e);
  free(hdr);
  if (st == NPIO_OK) st = npio_array_foreach_block(a, fo, fd_block, &s, e);
  if (st == NPIO_OK) return npio_safe_commit(&sf, e);
  npio_safe_abort(&sf);
  return st;
}

/* }====================================================== */
