/*
** txt_src.c -- text sources for the readers: files, gzip files, FILE*
** streams and memory, decoded to UTF-8 (iconv for other encodings; a
** byte-order mark picks UTF-8/16/32 and is skipped).
**
** A FILE* source consumes only what a reader used: when the stream can
** seek, the reader reads ahead in blocks and the source seeks back to
** the end of the last line used at close; when it cannot (a pipe), the
** reader asks for one line at a time.
*/
#include "txt_int.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

enum { K_FD, K_GZ, K_FILE, K_MEM };
enum { ENC_UTF8, ENC_ICONV };

#define RAWCAP 65536

struct npio_txt_src {
  int kind;
  int fd;
  gzFile gz;
  FILE *fp;
  const char *mem;
  size_t memlen, mempos;
  char *name;
  int64_t total, done;
  /* decoding */
  int encmode;
  int autobom;             /* no encoding given: BOMs choose one */
  int started;             /* the BOM check was done */
  char encname[64];        /* iconv's name for the input encoding */
  char generic[64];        /* "UTF-16"/"UTF-32": the BOM picks the order */
  int forced;              /* the caller named a fixed encoding */
  iconv_t cd;
  char *raw;               /* undecoded bytes [rawpos, rawlen) */
  size_t rawpos, rawlen;
  int raw_eof;
  int64_t bom;             /* bytes of byte-order mark skipped */
  /* FILE streams */
  int seekable;
  off_t start;
  int64_t used;            /* -1: not set */
};

/* {======================================================
** Encodings
** ======================================================= */

/*
** Maps Python's codec names to iconv's: case folded, '_' -> '-',
** "latin-1" -> "LATIN1", "utf-16-le" -> "UTF-16LE", "utf8" -> "UTF-8".
** Returns 1 for UTF-8 (and ASCII-compatible 'utf-8-sig'), 0 for others,
** -1 for 'bytes' (the caller's default).
*/
static int norm_encoding(const char *in, char *out, size_t cap) {
  size_t i, n = 0;
  char tmp[64];
  for (i = 0; in[i] && n + 1 < sizeof tmp; i++) {
    char c = in[i];
    if (c >= 'a' && c <= 'z') c = (char)(c - 32);
    if (c == '_' || c == ' ') c = '-';
    tmp[n++] = c;
  }
  tmp[n] = '\0';
  if (strcmp(tmp, "BYTES") == 0) return -1;
  if (strcmp(tmp, "UTF-8") == 0 || strcmp(tmp, "UTF8") == 0 ||
      strcmp(tmp, "UTF-8-SIG") == 0 || strcmp(tmp, "U8") == 0) {
    snprintf(out, cap, "UTF-8");
    return 1;
  }
  if (strcmp(tmp, "LATIN-1") == 0 || strcmp(tmp, "LATIN1") == 0 ||
      strcmp(tmp, "L1") == 0 || strcmp(tmp, "ISO-8859-1") == 0 ||
      strcmp(tmp, "ISO8859-1") == 0) {
    snprintf(out, cap, "LATIN1");
    return 0;
  }
  /* utf-16-le -> UTF-16LE, utf-32-be -> UTF-32BE */
  if (n > 3 && (strcmp(tmp + n - 3, "-LE") == 0 ||
                strcmp(tmp + n - 3, "-BE") == 0) &&
      strncmp(tmp, "UTF", 3) == 0) {
    tmp[n - 3] = tmp[n - 2];
    tmp[n - 2] = tmp[n - 1];
    tmp[n - 1] = '\0';
  }
  if (strcmp(tmp, "UTF16") == 0) snprintf(tmp, sizeof tmp, "UTF-16");
  if (strcmp(tmp, "UTF32") == 0) snprintf(tmp, sizeof tmp, "UTF-32");
  snprintf(out, cap, "%s", tmp);
  return 0;
}

static int open_iconv(npio_txt_src *s, const char *name, npio_err *e) {
  snprintf(s->encname, sizeof s->encname, "%s", name);
  s->cd = iconv_open("UTF-8", name);
  if (s->cd == (iconv_t)-1) {
    s->cd = (iconv_t)-1;
    return npio_seterr(e, NPIO_EVALUE, "unknown encoding '%s'", name);
  }
  s->encmode = ENC_ICONV;
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Opening and closing
** ======================================================= */

static npio_txt_src *src_new(const char *name, const char *encoding,
                             npio_err *e) {
  npio_txt_src *s = (npio_txt_src *)calloc(1, sizeof *s);
  char norm[64];
  if (s == NULL) goto nomem;
  s->fd = -1;
  s->cd = (iconv_t)-1;
  s->total = -1;
  s->used = -1;
  s->name = strdup(name ? name : "<input>");
  s->raw = (char *)malloc(RAWCAP);
  if (s->name == NULL || s->raw == NULL) goto nomem;
  s->encmode = ENC_UTF8;
  if (encoding == NULL) {
    s->autobom = 1;
  } else {
    int r = norm_encoding(encoding, norm, sizeof norm);
    if (r != 0) {
      s->autobom = 1;            /* UTF-8 or 'bytes': still honour BOMs */
    } else if (strcmp(norm, "UTF-16") == 0 || strcmp(norm, "UTF-32") == 0) {
      snprintf(s->generic, sizeof s->generic, "%s", norm);  /* at start */
      snprintf(s->encname, sizeof s->encname, "%s", norm);
    } else if (open_iconv(s, norm, e) != NPIO_OK) {
      npio_txt_close(s);
      return NULL;
    } else {
      s->forced = 1;
    }
  }
  return s;
nomem:
  npio_seterr(e, NPIO_ENOMEM, "out of memory");
  npio_txt_close(s);
  return NULL;
}

static int ends_with_gz(const char *p) {
  size_t n = strlen(p);
  return n >= 3 && strcmp(p + n - 3, ".gz") == 0;
}

npio_txt_src *npio_txt_open_path(const char *path, const char *encoding,
                                 npio_err *e) {
  npio_txt_src *s = src_new(path, encoding, e);
  struct stat st;
  if (s == NULL) return NULL;
  s->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (s->fd < 0) {
    npio_seterr(e, NPIO_EIO, "%s", strerror(errno));
    npio_txt_close(s);
    return NULL;
  }
  if (fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode)) s->total = st.st_size;
  if (ends_with_gz(path)) {
    int fd2 = dup(s->fd);
    if (fd2 < 0 || (s->gz = gzdopen(fd2, "rb")) == NULL) {
      if (fd2 >= 0) close(fd2);
      npio_seterr(e, NPIO_ENOMEM, "cannot open gzip stream");
      npio_txt_close(s);
      return NULL;
    }
    gzbuffer(s->gz, 1 << 17);
    s->kind = K_GZ;
  } else {
    s->kind = K_FD;
#ifdef POSIX_FADV_SEQUENTIAL
    posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  return s;
}

npio_txt_src *npio_txt_open_file(FILE *f, const char *name,
                                 const char *encoding, npio_err *e) {
  npio_txt_src *s = src_new(name ? name : "<file>", encoding, e);
  struct stat st;
  if (s == NULL) return NULL;
  s->kind = K_FILE;
  s->fp = f;
  s->start = ftello(f);
  s->seekable = s->start >= 0 && fseeko(f, s->start, SEEK_SET) == 0;
  if (!s->seekable) { s->start = 0; clearerr(f); }
  if (s->seekable && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
      st.st_size >= s->start)
    s->total = st.st_size - s->start;
  return s;
}

npio_txt_src *npio_txt_open_mem(const char *p, size_t n, const char *name,
                                const char *encoding, npio_err *e) {
  npio_txt_src *s = src_new(name ? name : "<lines>", encoding, e);
  if (s == NULL) return NULL;
  s->kind = K_MEM;
  s->mem = p;
  s->memlen = n;
  s->total = (int64_t)n;
  return s;
}

void npio_txt_close(npio_txt_src *s) {
  if (s == NULL) return;
  if (s->kind == K_FILE && s->seekable && s->used >= 0 &&
      s->encmode == ENC_UTF8) {
    fseeko(s->fp, s->start + (off_t)s->bom + (off_t)s->used, SEEK_SET);
  }
  if (s->gz) gzclose(s->gz);
  if (s->fd >= 0) close(s->fd);
  if (s->cd != (iconv_t)-1) iconv_close(s->cd);
  free(s->raw);
  free(s->name);
  free(s);
}

const char *txt_src_name(const npio_txt_src *s) { return s->name; }
int64_t txt_src_total(const npio_txt_src *s) { return s->total; }
int64_t txt_src_done(const npio_txt_src *s) { return s->done; }
int txt_src_is_list(const npio_txt_src *s) { return s->kind == K_MEM; }

int txt_src_linewise(npio_txt_src *s) {
  return s->kind == K_FILE && !s->seekable;
}

void txt_src_used(npio_txt_src *s, int64_t used) { s->used = used; }

/* }====================================================== */

/* {======================================================
** Raw reading and decoding
** ======================================================= */

/* Reads raw bytes; 0 at the end, -1 with 'e' on error. */
static int64_t raw_read(npio_txt_src *s, char *buf, size_t n, npio_err *e) {
  int64_t r = 0;
  switch (s->kind) {
    case K_FD:
      do { r = read(s->fd, buf, n); } while (r < 0 && errno == EINTR);
      if (r < 0) npio_seterr(e, NPIO_EIO, "read error: %s", strerror(errno));
      else s->done += r;
      return r;
    case K_GZ: {
      int k = gzread(s->gz, buf, (unsigned)(n > (1u << 30) ? (1u << 30) : n));
      if (k < 0) {
        int en;
        const char *m = gzerror(s->gz, &en);
        npio_seterr(e, NPIO_EFORMAT, "gzip: %s", m ? m : "read error");
        return -1;
      }
      s->done = (int64_t)gzoffset(s->gz);
      return k;
    }
    case K_FILE: {
      size_t k = fread(buf, 1, n, s->fp);
      if (k < n && ferror(s->fp)) {
        npio_seterr(e, NPIO_EIO, "read error: %s", strerror(errno));
        return -1;
      }
      s->done += (int64_t)k;
      return (int64_t)k;
    }
    default: {
      size_t k = s->memlen - s->mempos;
      if (k > n) k = n;
      memcpy(buf, s->mem + s->mempos, k);
      s->mempos += k;
      s->done += (int64_t)k;
      return (int64_t)k;
    }
  }
}

/* Fills the raw buffer (keeping unconsumed bytes). */
static int fill_raw(npio_txt_src *s, npio_err *e) {
  int64_t r;
  if (s->rawpos > 0) {
    memmove(s->raw, s->raw + s->rawpos, s->rawlen - s->rawpos);
    s->rawlen -= s->rawpos;
    s->rawpos = 0;
  }
  if (s->raw_eof || s->rawlen == RAWCAP) return NPIO_OK;
  r = raw_read(s, s->raw + s->rawlen, RAWCAP - s->rawlen, e);
  if (r < 0) return e->code;
  if (r == 0) s->raw_eof = 1;
  s->rawlen += (size_t)r;
  return NPIO_OK;
}

/*
** Looks at the first bytes: a byte-order mark is skipped and, when no
** encoding was forced, chooses UTF-8/16/32. "UTF-16"/"UTF-32" without a
** mark are little-endian, as Python reads them on this machine.
*/
static int start_decoding(npio_txt_src *s, npio_err *e) {
  const unsigned char *u;
  size_t have;
  s->started = 1;
  while (s->rawlen < 4 && !s->raw_eof)
    if (fill_raw(s, e) != NPIO_OK) return e->code;
  u = (const unsigned char *)s->raw;
  have = s->rawlen;
  if (s->encmode == ENC_ICONV) return NPIO_OK;   /* forced: iconv decides */
  if (s->generic[0]) {
    int is32 = s->generic[4] == '3';
    const char *nm = is32 ? "UTF-32LE" : "UTF-16LE";
    if (is32 && have >= 4 && u[0] == 0xFF && u[1] == 0xFE && !u[2] && !u[3])
      s->bom = 4;
    else if (is32 && have >= 4 && !u[0] && !u[1] && u[2] == 0xFE &&
             u[3] == 0xFF) { s->bom = 4; nm = "UTF-32BE"; }
    else if (!is32 && have >= 2 && u[0] == 0xFF && u[1] == 0xFE) s->bom = 2;
    else if (!is32 && have >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
      s->bom = 2;
      nm = "UTF-16BE";
    }
    s->rawpos = (size_t)s->bom;
    return open_iconv(s, nm, e);
  }
  if (!s->autobom) return NPIO_OK;
  if (have >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
    s->bom = 3;
  } else if (have >= 4 && u[0] == 0xFF && u[1] == 0xFE && !u[2] && !u[3]) {
    s->bom = 4;
    if (open_iconv(s, "UTF-32LE", e)) return e->code;
  } else if (have >= 4 && !u[0] && !u[1] && u[2] == 0xFE && u[3] == 0xFF) {
    s->bom = 4;
    if (open_iconv(s, "UTF-32BE", e)) return e->code;
  } else if (have >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
    s->bom = 2;
    if (open_iconv(s, "UTF-16LE", e)) return e->code;
  } else if (have >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
    s->bom = 2;
    if (open_iconv(s, "UTF-16BE", e)) return e->code;
  }
  s->rawpos = (size_t)s->bom;
  return NPIO_OK;
}

int64_t txt_src_read(npio_txt_src *s, char *buf, size_t n, npio_err *e) {
  if (!s->started && start_decoding(s, e) != NPIO_OK) return -1;
  if (s->encmode == ENC_UTF8) {
    if (s->rawpos < s->rawlen) {        /* bytes read while starting */
      size_t k = s->rawlen - s->rawpos;
      if (k > n) k = n;
      memcpy(buf, s->raw + s->rawpos, k);
      s->rawpos += k;
      return (int64_t)k;
    }
    if (s->raw_eof) return 0;
    {
      int64_t r = raw_read(s, buf, n, e);
      if (r == 0) s->raw_eof = 1;
      return r;
    }
  }
  /* iconv */
  {
    char *out = buf;
    size_t outleft = n;
    for (;;) {
      char *in = s->raw + s->rawpos;
      size_t inleft = s->rawlen - s->rawpos;
      size_t r;
      if (inleft == 0) {
        if (s->raw_eof) break;
        if (fill_raw(s, e) != NPIO_OK) return -1;
        continue;
      }
      r = iconv(s->cd, &in, &inleft, &out, &outleft);
      s->rawpos = (size_t)(in - s->raw);
      if (r != (size_t)-1) continue;          /* all input converted */
      if (errno == E2BIG) break;
      if (errno == EINVAL) {                   /* incomplete sequence */
        if (s->raw_eof) {
          npio_seterr(e, NPIO_EFORMAT, "cannot decode as %s: truncated "
                      "character at the end of the input", s->encname);
          return -1;
        }
        if (fill_raw(s, e) != NPIO_OK) return -1;
        if (s->raw_eof && s->rawlen - s->rawpos == inleft) {
          npio_seterr(e, NPIO_EFORMAT, "cannot decode as %s: truncated "
                      "character at the end of the input", s->encname);
          return -1;
        }
        continue;
      }
      npio_seterr(e, NPIO_EFORMAT, "cannot decode as %s: invalid byte 0x%02x",
                  s->encname, (unsigned)(unsigned char)*in);
      return -1;
    }
    return (int64_t)(n - outleft);
  }
}

int64_t txt_src_readline(npio_txt_src *s, npio_buf *b, npio_err *e) {
  FILE *f = s->fp;
  int c;
  b->len = 0;
  if (!s->started) {                     /* a UTF-8 BOM, if any */
    int c1, c2, c3;
    s->started = 1;
    c1 = getc(f);
    if (c1 == 0xEF) {
      c2 = getc(f);
      if (c2 == 0xBB) {
        c3 = getc(f);
        if (c3 == 0xBF) { s->bom = 3; }
        else {
          if (npio_buf_add(b, "\xEF\xBB", 2)) goto nomem;
          if (c3 != EOF) ungetc(c3, f);
        }
      } else {
        if (npio_buf_add(b, "\xEF", 1)) goto nomem;
        if (c2 != EOF) ungetc(c2, f);
      }
    } else if (c1 != EOF) {
      ungetc(c1, f);
    }
  }
  for (;;) {
    c = getc(f);
    if (c == EOF) break;
    if (b->len + 2 > b->cap && npio_buf_reserve(b, 4096)) goto nomem;
    b->p[b->len++] = (char)c;
    if (c == '\n') break;
    if (c == '\r') {
      c = getc(f);
      if (c == '\n') b->p[b->len++] = '\n';
      else if (c != EOF) ungetc(c, f);
      break;
    }
  }
  if (ferror(f)) {
    npio_seterr(e, NPIO_EIO, "read error: %s", strerror(errno));
    return -1;
  }
  s->done += (int64_t)b->len;
  if (b->p) b->p[b->len] = '\0';
  return (int64_t)b->len;
nomem:
  npio_seterr(e, NPIO_ENOMEM, "out of memory");
  return -1;
}

int txt_src_rewind(npio_txt_src *s, npio_err *e) {
  switch (s->kind) {
    case K_FD:
      if (lseek(s->fd, 0, SEEK_SET) < 0)
        return npio_seterr(e, NPIO_EIO, "cannot rewind: %s", strerror(errno));
      break;
    case K_GZ:
      if (gzrewind(s->gz) != 0)
        return npio_seterr(e, NPIO_EIO, "cannot rewind the gzip stream");
      break;
    case K_FILE:
      if (!s->seekable || fseeko(s->fp, s->start, SEEK_SET) != 0)
        return npio_seterr(e, NPIO_EIO, "cannot rewind the stream");
      break;
    default:
      s->mempos = 0;
      break;
  }
  s->done = 0;
  s->rawpos = s->rawlen = 0;
  s->raw_eof = 0;
  s->started = 0;
  s->bom = 0;
  if (s->cd != (iconv_t)-1) {
    if (s->forced) {
      iconv(s->cd, NULL, NULL, NULL, NULL);
    } else {                     /* chosen by a BOM: choose again */
      iconv_close(s->cd);
      s->cd = (iconv_t)-1;
      s->encmode = ENC_UTF8;
    }
  }
  return NPIO_OK;
}

/* }====================================================== */
