/*
** zip.c -- a strict zip reader for .npz archives.
**
** What is checked, and when:
**   open: the end of central directory record (the last one whose comment
**     reaches exactly the end of the file), the zip64 locator and record,
**     that the central directory ends where the end records begin, every
**     central entry (signature, zip64 extra fields, names: no NUL, valid
**     UTF-8 when flagged, cp437 otherwise as zipfile does), that the count
**     matches, that names are unique, and, after sorting the entries by
**     offset (O(N log N)), which entries overlap one another or the
**     directory. Overlapping, encrypted and non-deflate entries stay
**     listed (listing a zip bomb works, as in CPython) but cannot be read.
**   read: the local header must agree with the central directory (name,
**     method, flags, CRC and sizes, zip64 extra, data descriptor), the data
**     must end before the next entry, DEFLATE must end exactly at the
**     declared sizes, and the CRC must match.
** Memory is bounded by the archive: a declared size is believed only
** after it has been checked against the file size and DEFLATE's ratio.
*/
#include "zip.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END     0x06054b50u
#define SIG_END64   0x06064b50u
#define SIG_LOC64   0x07064b50u
#define SIG_DESC    0x08074b50u

#define MAX16 0xFFFFu
#define MAX32 0xFFFFFFFFu

#define FLAG_ENCRYPTED 0x0001u
#define FLAG_DESCRIPTOR 0x0008u
#define FLAG_STRONG    0x0040u
#define FLAG_UTF8      0x0800u
#define FLAG_CDMASKED  0x2000u

static uint16_t rd16(const unsigned char *p) {
  return (uint16_t)(p[0] | (p[1] << 8));
}
static uint32_t rd32(const unsigned char *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
         ((uint32_t)p[3] << 24);
}
static uint64_t rd64(const unsigned char *p) {
  return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

/* {======================================================
** CRC-32
** ======================================================= */

uint32_t zip_crc32(uint32_t crc, const void *p, size_t n) {
  return libdeflate_crc32(crc, p, n);
}

uint32_t zip_crc32_combine(uint32_t a, uint32_t b, int64_t blen) {
  return (uint32_t)crc32_combine64((uLong)a, (uLong)b, (z_off64_t)blen);
}

int zip_ncores(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  if (n > 64) n = 64;
  return (int)n;
}

typedef struct crcjob {
  const unsigned char *p;
  size_t n;
  uint32_t crc;
} crcjob;

static void *crc_thread(void *ud) {
  crcjob *j = (crcjob *)ud;
  j->crc = zip_crc32(0, j->p, j->n);
  return NULL;
}

/*
** CRC of a large buffer: split in 'threads' parts, each part on its own
** thread (the first on the caller's), then combined. Falls back to one
** thread if a thread cannot be started.
*/
uint32_t zip_crc32_par(const void *p, size_t n, int threads) {
  crcjob jobs[8];
  pthread_t tid[8];
  int started[8] = {0};
  int t, k;
  size_t part;
  uint32_t crc;
  if (threads > 8) threads = 8;
  if (threads < 2 || n < ((size_t)8 << 20)) return zip_crc32(0, p, n);
  part = n / (size_t)threads;
  for (t = 0; t < threads; t++) {
    jobs[t].p = (const unsigned char *)p + (size_t)t * part;
    jobs[t].n = t == threads - 1 ? n - (size_t)t * part : part;
  }
  for (t = 1; t < threads; t++)
    started[t] = pthread_create(&tid[t], NULL, crc_thread, &jobs[t]) == 0;
  crc_thread(&jobs[0]);
  for (t = 1; t < threads; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    else crc_thread(&jobs[t]);
  }
  crc = jobs[0].crc;
  for (k = 1; k < threads; k++)
    crc = zip_crc32_combine(crc, jobs[k].crc, (int64_t)jobs[k].n);
  return crc;
}

/* }====================================================== */

/* {======================================================
** Source access
** ======================================================= */

/* Reads exactly n bytes at 'off'; a short read is a format error. */
static int src_read(const zip_reader *z, void *buf, size_t n, int64_t off,
                    npio_err *e) {
  size_t got = 0;
  if (off < 0 || off > z->size || (int64_t)n > z->size - off)
    return npio_seterr(e, NPIO_EFORMAT, "unexpected end of file: %zu bytes "
                       "at offset %lld are past the end (%lld bytes)", n,
                       (long long)off, (long long)z->size);
  if (z->fd < 0) {
    memcpy(buf, z->mem + off, n);
    return NPIO_OK;
  }
  while (got < n) {
    size_t want = n - got;
    ssize_t k;
    if (want > ((size_t)1 << 30)) want = (size_t)1 << 30;
    k = pread(z->fd, (char *)buf + got, want, (off_t)(off + (int64_t)got));
    if (k < 0) {
      if (errno == EINTR) continue;
      return npio_seterr(e, NPIO_EIO, "read failed: %s", strerror(errno));
    }
    if (k == 0)
      return npio_seterr(e, NPIO_EFORMAT, "unexpected end of file (the file "
                         "shrank while open)");
    got += (size_t)k;
  }
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Names
** ======================================================= */

/* Code points of cp437 bytes 0x80..0xFF (zipfile's default encoding). */
static const uint16_t cp437[128] = {
  0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,
  0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
  0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
  0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
  0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,
  0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
  0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
  0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
  0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
  0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
  0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,
  0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
  0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
  0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
  0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
  0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

static int is_ascii(const unsigned char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (s[i] >= 0x80) return 0;
  return 1;
}

/* Appends the UTF-8 form of cp437 bytes to 'b'. */
static int cp437_to_utf8(npio_buf *b, const unsigned char *s, size_t n) {
  size_t i;
  if (npio_buf_reserve(b, 3 * n + 1) != 0) return NPIO_ENOMEM;
  for (i = 0; i < n; i++) {
    uint32_t cp = s[i] < 0x80 ? s[i] : cp437[s[i] - 0x80];
    char *o = b->p + b->len;
    if (cp < 0x80) { o[0] = (char)cp; b->len += 1; }
    else if (cp < 0x800) {
      o[0] = (char)(0xC0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3F));
      b->len += 2;
    } else {
      o[0] = (char)(0xE0 | (cp >> 12));
      o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
      o[2] = (char)(0x80 | (cp & 0x3F));
      b->len += 3;
    }
  }
  return NPIO_OK;
}

const char *zip_name(const zip_reader *z, int64_t i, size_t *len) {
  if (len) *len = z->ent[i].name_len;
  return z->names + z->ent[i].name;
}

/* Writes "'<name>'" of entry i, shortened, for messages. */
static const char *short_name(const zip_reader *z, int64_t i, char *buf,
                              size_t cap) {
  size_t n;
  const char *s = zip_name(z, i, &n);
  if (n + 1 <= cap) {
    memcpy(buf, s, n);
    buf[n] = '\0';
  } else {
    size_t k = cap - 4;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;  /* UTF-8 */
    memcpy(buf, s, k);
    memcpy(buf + k, "...", 4);
  }
  return buf;
}

/* }====================================================== */

/* {======================================================
** End records
** ======================================================= */

typedef struct endinfo {
  int64_t n, cd_size, cd_off, end_off;
  int zip64;
} endinfo;

/*
** Finds the end of central directory record: scanning back from the end,
** the first signature whose comment length reaches exactly the end of
** the file. A fake record inside a comment does not qualify unless its
** own comment length also ends at the end of the file.
*/
static int find_end(zip_reader *z, endinfo *ei, npio_err *e) {
  int64_t tail = z->size < 22 + 65535 ? z->size : 22 + 65535, pos, base;
  unsigned char *buf;
  unsigned char rec[22];
  int st;
  if (z->size < 22)
    return npio_seterr(e, NPIO_EFORMAT, "not a zip file: %lld bytes is too "
                       "short for an end of central directory record",
                       (long long)z->size);
  base = z->size - tail;
  buf = (unsigned char *)malloc((size_t)tail);
  if (buf == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  st = src_read(z, buf, (size_t)tail, base, e);
  if (st != NPIO_OK) { free(buf); return st; }
  for (pos = tail - 22; pos >= 0; pos--) {
    if (buf[pos] == 'P' && rd32(buf + pos) == SIG_END &&
        (int64_t)rd16(buf + pos + 20) == tail - pos - 22)
      break;
  }
  if (pos < 0) {
    free(buf);
    return npio_seterr(e, NPIO_EFORMAT, "not a zip file or truncated: no end "
                       "of central directory record");
  }
  memcpy(rec, buf + pos, 22);
  free(buf);
  ei->end_off = base + pos;
  if (rd16(rec + 4) != 0 || rd16(rec + 6) != 0 ||
      rd16(rec + 8) != rd16(rec + 10))
    return npio_seterr(e, NPIO_EFORMAT, "multi-disk archives are not "
                       "supported (disk %u, directory disk %u, entries %u of "
                       "%u)", rd16(rec + 4), rd16(rec + 6), rd16(rec + 8),
                       rd16(rec + 10));
  ei->n = rd16(rec + 10);
  ei->cd_size = rd32(rec + 12);
  ei->cd_off = rd32(rec + 16);
  ei->zip64 = 0;
  /* zip64: a locator right before the end record */
  if (ei->end_off >= 20) {
    unsigned char loc[20], r64[56];
    uint64_t off64, recsize, n64, nd64, size64, cdoff64;
    st = src_read(z, loc, 20, ei->end_off - 20, e);
    if (st != NPIO_OK) return st;
    if (rd32(loc) == SIG_LOC64) {
      off64 = rd64(loc + 8);
      if (rd32(loc + 4) != 0 || rd32(loc + 16) > 1)
        return npio_seterr(e, NPIO_EFORMAT, "multi-disk zip64 archives are "
                           "not supported");
      if (off64 > (uint64_t)(ei->end_off - 20) ||
          (uint64_t)(ei->end_off - 20) - off64 < 56)
        return npio_seterr(e, NPIO_EFORMAT, "bad zip64 end of central "
                           "directory locator: record offset %llu",
                           (unsigned long long)off64);
      st = src_read(z, r64, 56, (int64_t)off64, e);
      if (st != NPIO_OK) return st;
      recsize = rd64(r64 + 4);
      if (rd32(r64) != SIG_END64 ||
          recsize != (uint64_t)(ei->end_off - 20) - off64 - 12)
        return npio_seterr(e, NPIO_EFORMAT, "bad zip64 end of central "
                           "directory record at offset %llu",
                           (unsigned long long)off64);
      if (rd32(r64 + 16) != 0 || rd32(r64 + 20) != 0)
        return npio_seterr(e, NPIO_EFORMAT, "multi-disk zip64 archives are "
                           "not supported");
      nd64 = rd64(r64 + 24);
      n64 = rd64(r64 + 32);
      size64 = rd64(r64 + 40);
      cdoff64 = rd64(r64 + 48);
      if (nd64 != n64 || n64 > (uint64_t)INT64_MAX ||
          size64 > (uint64_t)INT64_MAX || cdoff64 > (uint64_t)INT64_MAX)
        return npio_seterr(e, NPIO_EFORMAT, "bad zip64 end of central "
                           "directory record: impossible counts or sizes");
      /* the 32-bit fields must be "see zip64" or the same value */
      if ((ei->n != MAX16 && (uint64_t)ei->n != n64) ||
          (ei->cd_size != MAX32 && (uint64_t)ei->cd_size != size64) ||
          (ei->cd_off != MAX32 && (uint64_t)ei->cd_off != cdoff64))
        return npio_seterr(e, NPIO_EFORMAT, "the zip64 end record disagrees "
                           "with the end of central directory record");
      ei->n = (int64_t)n64;
      ei->cd_size = (int64_t)size64;
      ei->cd_off = (int64_t)cdoff64;
      ei->zip64 = 1;
      ei->end_off = (int64_t)off64;  /* the directory ends where this starts */
    }
  }
  if (ei->cd_off > ei->end_off || ei->cd_size != ei->end_off - ei->cd_off)
    return npio_seterr(e, NPIO_EFORMAT, "the central directory (offset %lld, "
                       "%lld bytes) does not end where the end record starts "
                       "(offset %lld): truncated, or data before the archive",
                       (long long)ei->cd_off, (long long)ei->cd_size,
                       (long long)ei->end_off);
  if (ei->n > ei->cd_size / 46)
    return npio_seterr(e, NPIO_EFORMAT, "the end record claims %lld entries "
                       "but the central directory has room for at most %lld",
                       (long long)ei->n, (long long)(ei->cd_size / 46));
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Central directory
** ======================================================= */

/* A window over the central directory, refilled from the source. */
typedef struct cdwin {
  zip_reader *z;
  unsigned char *buf;    /* NULL for memory sources */
  size_t cap;
  int64_t off, len;      /* the window's offset and length */
  int64_t end;           /* end of the directory */
} cdwin;

/* Makes [pos, pos+n) available; returns a pointer or NULL with 'e'. */
static const unsigned char *cd_get(cdwin *w, int64_t pos, size_t n,
                                   npio_err *e) {
  int64_t want;
  if (pos < 0 || (int64_t)n > w->end - pos) {
    npio_seterr(e, NPIO_EFORMAT, "central directory entry runs past the "
                "end of the central directory");
    return NULL;
  }
  if (w->z->fd < 0) return w->z->mem + pos;
  if (pos >= w->off && pos + (int64_t)n <= w->off + w->len)
    return w->buf + (pos - w->off);
  want = w->end - pos;
  if (want > (int64_t)w->cap) want = (int64_t)w->cap;
  if (src_read(w->z, w->buf, (size_t)want, pos, e) != NPIO_OK) return NULL;
  w->off = pos;
  w->len = want;
  return w->buf;
}

/*
** Resolves the zip64 extra field (id 1) of a central entry: values are
** present, in order, only for the fields set to 0xFFFF(FFFF).
*/
static int central_zip64(const unsigned char *x, size_t xlen, uint64_t *usize,
                         uint64_t *csize, uint64_t *lho, uint32_t *disk,
                         npio_err *e) {
  size_t p = 0;
  int found = 0;
  while (p + 4 <= xlen) {
    uint16_t id = rd16(x + p), len = rd16(x + p + 2);
    if (p + 4 + len > xlen)
      return npio_seterr(e, NPIO_EFORMAT, "malformed extra field (id 0x%04x "
                         "runs past the end)", id);
    if (id == 1 && !found) {
      const unsigned char *v = x + p + 4;
      size_t k = 0;
      found = 1;
      if (*usize == MAX32) {
        if (k + 8 > len) goto short64;
        *usize = rd64(v + k); k += 8;
      }
      if (*csize == MAX32) {
        if (k + 8 > len) goto short64;
        *csize = rd64(v + k); k += 8;
      }
      if (*lho == MAX32) {
        if (k + 8 > len) goto short64;
        *lho = rd64(v + k); k += 8;
      }
      if (*disk == MAX16) {
        if (k + 4 > len) goto short64;
        *disk = rd32(v + k);
      }
    }
    p += 4 + (size_t)len;
  }
  if (p != xlen && xlen - p >= 4)
    return npio_seterr(e, NPIO_EFORMAT, "malformed extra field");
  if (!found && (*usize == MAX32 || *csize == MAX32 || *lho == MAX32))
    return npio_seterr(e, NPIO_EFORMAT, "a size or offset is 0xFFFFFFFF but "
                       "there is no zip64 extra field");
  return NPIO_OK;
short64:
  return npio_seterr(e, NPIO_EFORMAT, "zip64 extra field is too short for "
                     "the fields it must hold");
}

typedef struct offidx { int64_t off, i; } offidx;

static int cmp_off(const void *a, const void *b) {
  const offidx *x = (const offidx *)a, *y = (const offidx *)b;
  if (x->off != y->off) return x->off < y->off ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

static int cmp_name(const void *a, const void *b, void *ud) {
  const zip_reader *z = (const zip_reader *)ud;
  const zip_entry *x = &z->ent[*(const int64_t *)a];
  const zip_entry *y = &z->ent[*(const int64_t *)b];
  size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
  int c = memcmp(z->names + x->name, z->names + y->name, n);
  if (c) return c;
  return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

/* Parses all central entries; 'names' collects their names. */
static int read_central(zip_reader *z, const endinfo *ei, npio_err *e) {
  cdwin w;
  npio_buf nb = {0}, xb = {0};
  int64_t pos = ei->cd_off, i;
  int st = NPIO_OK;
  memset(&w, 0, sizeof(w));
  w.z = z;
  w.end = ei->cd_off + ei->cd_size;
  if (z->fd >= 0) {
    w.cap = ((size_t)1 << 20) + 46 + 3 * 65535;
    w.buf = (unsigned char *)malloc(w.cap);
    if (w.buf == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
  z->ent = (zip_entry *)calloc((size_t)(ei->n ? ei->n : 1), sizeof(zip_entry));
  if (z->ent == NULL) {
    st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
    goto done;
  }
  for (i = 0; i < ei->n; i++) {
    const unsigned char *h = cd_get(&w, pos, 46, e), *v;
    zip_entry *en = &z->ent[i];
    uint16_t nlen, xlen, clen;
    uint64_t usize, csize, lho;
    uint32_t disk;
    if (h == NULL) { st = NPIO_EFORMAT; goto entry_err; }
    if (rd32(h) != SIG_CENTRAL) {
      st = npio_seterr(e, NPIO_EFORMAT, "bad central directory entry "
                       "signature at offset %lld", (long long)pos);
      goto entry_err;
    }
    en->made_by = rd16(h + 4);
    en->needed = rd16(h + 6);
    en->flags = rd16(h + 8);
    en->method = rd16(h + 10);
    en->mtime = rd16(h + 12);
    en->mdate = rd16(h + 14);
    en->crc = rd32(h + 16);
    csize = rd32(h + 20);
    usize = rd32(h + 24);
    nlen = rd16(h + 28);
    xlen = rd16(h + 30);
    clen = rd16(h + 32);
    disk = rd16(h + 34);
    en->ext_attr = rd32(h + 38);
    lho = rd32(h + 42);
    v = cd_get(&w, pos + 46, (size_t)nlen + xlen + clen, e);
    if (v == NULL) { st = NPIO_EFORMAT; goto entry_err; }
    if (memchr(v, 0, nlen) != NULL) {
      st = npio_seterr(e, NPIO_EFORMAT, "entry %lld: member name contains a "
                       "NUL byte", (long long)(i + 1));
      goto entry_err;
    }
    if ((en->flags & FLAG_UTF8) && !npio_valid_utf8((const char *)v, nlen)) {
      st = npio_seterr(e, NPIO_EFORMAT, "entry %lld: member name is flagged "
                       "UTF-8 but is not valid UTF-8", (long long)(i + 1));
      goto entry_err;
    }
    st = central_zip64(v + nlen, xlen, &usize, &csize, &lho, &disk, e);
    if (st != NPIO_OK) goto entry_err;
    if (disk != 0) {
      st = npio_seterr(e, NPIO_EFORMAT, "entry %lld: multi-disk archives are "
                       "not supported", (long long)(i + 1));
      goto entry_err;
    }
    if (usize > (uint64_t)INT64_MAX || csize > (uint64_t)z->size ||
        lho > (uint64_t)z->size) {
      st = npio_seterr(e, NPIO_EFORMAT, "entry %lld: sizes or offset are "
                       "past the end of the file", (long long)(i + 1));
      goto entry_err;
    }
    en->usize = (int64_t)usize;
    en->csize = (int64_t)csize;
    en->lho = (int64_t)lho;
    en->overlaps = -1;
    en->pieces = -1;
    {
      /* npio's piece index, kept for parallel inflating */
      const unsigned char *x = v + nlen;
      size_t p = 0;
      while (p + 4 <= xlen) {
        uint16_t id = rd16(x + p), len = rd16(x + p + 2);
        if (id == NPIO_ZIP_PIECES_ID && len >= 25 && en->method == ZIP_DEFLATED) {
          en->pieces = (int64_t)xb.len;
          en->pieces_len = len;
          if (npio_buf_add(&xb, x + p + 4, len) != 0) {
            st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
            goto done;
          }
          break;
        }
        p += 4 + (size_t)len;
      }
    }
    /* names: raw bytes, then the decoded form if it differs */
    en->raw = (int64_t)nb.len;
    en->raw_len = nlen;
    if (npio_buf_add(&nb, v, nlen) != 0 || npio_buf_add(&nb, "", 1) != 0) {
      st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
      goto done;
    }
    en->name = en->raw;
    en->name_len = nlen;
    if (!(en->flags & FLAG_UTF8) && !is_ascii(v, nlen)) {
      size_t before = nb.len;
      if (cp437_to_utf8(&nb, v, nlen) != NPIO_OK ||
          npio_buf_add(&nb, "", 1) != 0) {
        st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
        goto done;
      }
      en->name = (int64_t)before;
      if (nb.len - before - 1 > 0xFFFF) {
        st = npio_seterr(e, NPIO_EFORMAT, "entry %lld: name too long",
                         (long long)(i + 1));
        goto done;
      }
      en->name_len = (uint16_t)(nb.len - before - 1);
    }
    if (en->flags & (FLAG_ENCRYPTED | FLAG_STRONG | FLAG_CDMASKED))
      en->bad = ZIP_BAD_ENCRYPTED;
    else if (en->method != ZIP_STORED && en->method != ZIP_DEFLATED)
      en->bad = ZIP_BAD_METHOD;
    pos += 46 + (int64_t)nlen + xlen + clen;
  }
  if (pos != w.end) {
    st = npio_seterr(e, NPIO_EFORMAT, "the end record says %lld entries in "
                     "%lld bytes, but the central directory holds %s",
                     (long long)ei->n, (long long)ei->cd_size,
                     pos < w.end ? "more" : "less");
    goto done;
  }
  z->names = nb.p ? nb.p : (char *)calloc(1, 1);
  z->names_len = nb.len;
  nb.p = NULL;
  z->extras = (unsigned char *)xb.p;
  z->extras_len = xb.len;
  xb.p = NULL;
  if (z->names == NULL) st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
  goto done;
entry_err:
  if (st == NPIO_EFORMAT && e && strncmp(e->msg, "entry ", 6) != 0) {
    char m[sizeof(e->msg)];
    snprintf(m, sizeof(m), "%s", e->msg);
    npio_seterr(e, NPIO_EFORMAT, "central directory entry %lld of %lld: %s",
                (long long)(i + 1), (long long)ei->n, m);
  }
done:
  npio_buf_free(&nb);
  npio_buf_free(&xb);
  free(w.buf);
  return st;
}

/*
** Sorts entries by offset and marks those whose minimal extent (local
** header with the central name, plus the compressed data) reaches into
** the next entry or the directory: both sides of an overlap are marked.
** Also sets each entry's limit, used again when it is read.
*/
static int check_overlaps(zip_reader *z, npio_err *e) {
  offidx *o;
  int64_t k, n = z->n;
  if (n == 0) return NPIO_OK;
  o = (offidx *)malloc((size_t)n * sizeof(*o));
  if (o == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  for (k = 0; k < n; k++) {
    o[k].off = z->ent[k].lho;
    o[k].i = k;
  }
  qsort(o, (size_t)n, sizeof(*o), cmp_off);
  for (k = 0; k < n; k++) {
    zip_entry *en = &z->ent[o[k].i];
    int64_t next = k + 1 < n ? o[k + 1].off : z->cd_off;
    int64_t hdr_end = en->lho + 30 + en->raw_len;
    en->limit = next;
    if (hdr_end > z->cd_off) {
      if (en->bad == ZIP_OK_ENTRY) en->bad = ZIP_BAD_BOUNDS;
      continue;
    }
    if (en->csize > next - hdr_end) {   /* no overflow: all < file size */
      en->bad = ZIP_BAD_OVERLAP;
      en->overlaps = k + 1 < n ? (int32_t)(o[k + 1].i & 0x7FFFFFFF) : -1;
      if (k + 1 < n) {
        zip_entry *nx = &z->ent[o[k + 1].i];
        nx->bad = ZIP_BAD_OVERLAP;
        if (nx->overlaps < 0) nx->overlaps = (int32_t)(o[k].i & 0x7FFFFFFF);
      }
    }
  }
  free(o);
  return NPIO_OK;
}

/* Builds the by-name index and refuses duplicate names. */
static int index_names(zip_reader *z, npio_err *e) {
  int64_t k;
  char a[80];
  z->by_name = (int64_t *)malloc((size_t)(z->n ? z->n : 1) * sizeof(int64_t));
  if (z->by_name == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  for (k = 0; k < z->n; k++) z->by_name[k] = k;
  qsort_r(z->by_name, (size_t)z->n, sizeof(int64_t), cmp_name, z);
  for (k = 1; k < z->n; k++)
    if (cmp_name(&z->by_name[k - 1], &z->by_name[k], z) == 0)
      return npio_seterr(e, NPIO_EFORMAT, "duplicate member name '%s'",
                         short_name(z, z->by_name[k], a, sizeof(a)));
  return NPIO_OK;
}

static zip_reader *open_common(zip_reader *z, npio_err *e) {
  endinfo ei;
  if (find_end(z, &ei, e) != NPIO_OK) goto fail;
  z->n = ei.n;
  z->cd_off = ei.cd_off;
  z->cd_size = ei.cd_size;
  z->end_off = ei.end_off;
  z->zip64 = ei.zip64;
  if (read_central(z, &ei, e) != NPIO_OK) goto fail;
  if (check_overlaps(z, e) != NPIO_OK) goto fail;
  if (index_names(z, e) != NPIO_OK) goto fail;
  return z;
fail:
  zip_close(z);
  return NULL;
}

zip_reader *zip_open_fd(int fd, npio_err *e) {
  struct stat st;
  zip_reader *z = (zip_reader *)calloc(1, sizeof(*z));
  if (z == NULL) {
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return NULL;
  }
  z->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (z->fd < 0) {
    npio_seterr(e, NPIO_EIO, "cannot duplicate the file descriptor: %s",
                strerror(errno));
    free(z);
    return NULL;
  }
  z->own_fd = 1;
  if (fstat(z->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    npio_seterr(e, NPIO_EIO, "not a regular file (an archive must be "
                "seekable)");
    zip_close(z);
    return NULL;
  }
  z->size = (int64_t)st.st_size;
  return open_common(z, e);
}

zip_reader *zip_open_path(const char *path, npio_err *e) {
  zip_reader *z;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    npio_seterr(e, NPIO_EIO, "%s", strerror(errno));
    return NULL;
  }
  z = zip_open_fd(fd, e);
  close(fd);
  return z;
}

zip_reader *zip_open_mem(const void *p, size_t n, npio_err *e) {
  zip_reader *z = (zip_reader *)calloc(1, sizeof(*z));
  if (z == NULL) {
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return NULL;
  }
  z->fd = -1;
  z->mem = (const unsigned char *)p;
  z->size = (int64_t)n;
  return open_common(z, e);
}

void zip_close(zip_reader *z) {
  if (z == NULL) return;
  if (z->own_fd && z->fd >= 0) close(z->fd);
  free(z->ent);
  free(z->names);
  free(z->by_name);
  free(z->extras);
  free(z);
}

int64_t zip_find(const zip_reader *z, const char *name, size_t len) {
  int64_t lo = 0, hi = z->n - 1;
  while (lo <= hi) {
    int64_t mid = lo + (hi - lo) / 2;
    const zip_entry *en = &z->ent[z->by_name[mid]];
    size_t n = en->name_len < len ? en->name_len : len;
    int c = memcmp(z->names + en->name, name, n);
    if (c == 0) c = en->name_len < len ? -1 : en->name_len > len;
    if (c == 0) return z->by_name[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/* }====================================================== */

/* {======================================================
** Locating a member
** ======================================================= */

static const char *method_name(int m) {
  switch (m) {
    case 1: return "shrunk";
    case 6: return "imploded";
    case 9: return "deflate64";
    case 12: return "bzip2";
    case 14: return "lzma";
    case 93: return "zstd";
    case 95: return "xz";
    case 98: return "ppmd";
    case 99: return "AE-x encrypted";
    default: return "unknown";
  }
}

/* Message with the member's name in front. */
static int merr(const zip_reader *z, int64_t i, npio_err *e, int code,
                const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static int merr(const zip_reader *z, int64_t i, npio_err *e, int code,
                const char *fmt, ...) {
  char nm[200], m[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m, sizeof(m), fmt, ap);
  va_end(ap);
  return npio_seterr(e, code, "member '%s': %s", short_name(z, i, nm,
                     sizeof(nm)), m);
}

/*
** Checks the optional data descriptor after the data of a bit-3 entry:
** [signature] crc csize usize, sizes 4 or 8 bytes. Whichever layout
** matches the central directory is accepted; none matching is an error.
*/
static int check_descriptor(zip_reader *z, int64_t i, int64_t at,
                            int64_t limit, npio_err *e) {
  const zip_entry *en = &z->ent[i];
  unsigned char d[24];
  int64_t avail = limit - at;
  int sig, wide;
  size_t n = avail < 24 ? (size_t)(avail < 0 ? 0 : avail) : 24;
  if (n < 12)
    return merr(z, i, e, NPIO_EFORMAT, "data descriptor is missing");
  if (src_read(z, d, n, at, e) != NPIO_OK) return e ? e->code : NPIO_EFORMAT;
  for (sig = 1; sig >= 0; sig--) {
    const unsigned char *p = d + (sig ? 4 : 0);
    size_t have = n - (sig ? 4 : 0);
    if (sig && rd32(d) != SIG_DESC) continue;
    for (wide = 0; wide <= 1; wide++) {
      size_t need = wide ? 20 : 12;
      uint64_t c, u;
      if (have < need) continue;
      c = wide ? rd64(p + 4) : rd32(p + 4);
      u = wide ? rd64(p + 12) : rd32(p + 8);
      if (rd32(p) == en->crc && c == (uint64_t)en->csize &&
          u == (uint64_t)en->usize)
        return NPIO_OK;
    }
  }
  return merr(z, i, e, NPIO_EFORMAT, "data descriptor disagrees with the "
              "central directory");
}

int zip_locate(zip_reader *z, int64_t i, zip_loc *loc, npio_err *e) {
  const zip_entry *en = &z->ent[i];
  unsigned char h[30];
  unsigned char *var = NULL;
  uint16_t lflags, lmethod, nlen, xlen;
  uint64_t lcrc, lcsize, lusize;
  int64_t data_off;
  int st;
  char other[200];
  memset(loc, 0, sizeof(*loc));
  switch (en->bad) {
    case ZIP_BAD_OVERLAP:
      if (en->overlaps >= 0)
        return merr(z, i, e, NPIO_EFORMAT, "overlaps member '%s' (a zip "
                    "bomb?)", short_name(z, en->overlaps, other,
                                         sizeof(other)));
      return merr(z, i, e, NPIO_EFORMAT, "overlaps the central directory "
                  "(a zip bomb?)");
    case ZIP_BAD_ENCRYPTED:
      return merr(z, i, e, NPIO_EFORMAT, "encrypted members are not "
                  "supported");
    case ZIP_BAD_METHOD:
      return merr(z, i, e, NPIO_EFORMAT, "compression method %u (%s) is not "
                  "supported: only stored (0) and deflated (8)", en->method,
                  method_name(en->method));
    case ZIP_BAD_BOUNDS:
      return merr(z, i, e, NPIO_EFORMAT, "local header at offset %lld is "
                  "outside the member area", (long long)en->lho);
    default: break;
  }
  if ((st = src_read(z, h, 30, en->lho, e)) != NPIO_OK) return st;
  if (rd32(h) != SIG_LOCAL)
    return merr(z, i, e, NPIO_EFORMAT, "bad local header signature at "
                "offset %lld", (long long)en->lho);
  lflags = rd16(h + 6);
  lmethod = rd16(h + 8);
  lcrc = rd32(h + 14);
  lcsize = rd32(h + 18);
  lusize = rd32(h + 22);
  nlen = rd16(h + 26);
  xlen = rd16(h + 28);
  data_off = en->lho + 30 + nlen + xlen;
  if (data_off > en->limit)
    return merr(z, i, e, NPIO_EFORMAT, "local header runs into the next "
                "member");
  var = (unsigned char *)malloc((size_t)nlen + xlen + 1);
  if (var == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  if ((st = src_read(z, var, (size_t)nlen + xlen, en->lho + 30, e)) != NPIO_OK)
    goto done;
  if (nlen != en->raw_len || memcmp(var, z->names + en->raw, nlen) != 0) {
    st = merr(z, i, e, NPIO_EFORMAT, "the local header's name differs from "
              "the central directory's");
    goto done;
  }
  if (lmethod != en->method ||
      (lflags & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR)) !=
          (en->flags & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR))) {
    st = merr(z, i, e, NPIO_EFORMAT, "the local header disagrees with the "
              "central directory (method or flags)");
    goto done;
  }
  {
    /* zip64 extra in the local header: both sizes, usize first */
    const unsigned char *x = var + nlen;
    size_t p = 0;
    while (p + 4 <= xlen) {
      uint16_t id = rd16(x + p), len = rd16(x + p + 2);
      if (p + 4 + len > xlen) {
        st = merr(z, i, e, NPIO_EFORMAT, "malformed extra field in the local "
                  "header");
        goto done;
      }
      if (id == 1) {
        const unsigned char *v = x + p + 4;
        if (len >= 16) {
          uint64_t u = rd64(v), c = rd64(v + 8);
          if ((lusize != MAX32 && lusize != u) ||
              (lcsize != MAX32 && lcsize != c)) {
            st = merr(z, i, e, NPIO_EFORMAT, "the zip64 extra field "
                      "disagrees with the local header's sizes");
            goto done;
          }
          lusize = u;
          lcsize = c;
        } else if (len >= 8) {
          if (lusize == MAX32) lusize = rd64(v);
          else if (lcsize == MAX32) lcsize = rd64(v);
        }
        break;
      }
      p += 4 + (size_t)len;
    }
  }
  if (en->flags & FLAG_DESCRIPTOR) {
    /* values may be zero here; if present they must agree */
    if ((lcrc && lcrc != en->crc) ||
        (lcsize && lcsize != (uint64_t)en->csize) ||
        (lusize && lusize != (uint64_t)en->usize)) {
      st = merr(z, i, e, NPIO_EFORMAT, "the local header disagrees with the "
                "central directory (CRC or sizes)");
      goto done;
    }
  } else if (lcrc != en->crc || lcsize != (uint64_t)en->csize ||
             lusize != (uint64_t)en->usize) {
    st = merr(z, i, e, NPIO_EFORMAT, "the local header disagrees with the "
              "central directory (%s)", lcrc != en->crc ? "CRC" :
              lcsize != (uint64_t)en->csize ? "compressed size" :
              "uncompressed size");
    goto done;
  }
  if (en->csize > en->limit - data_off) {
    st = merr(z, i, e, NPIO_EFORMAT, "compressed data runs into the next "
              "member or the central directory (%lld bytes declared, %lld "
              "available)", (long long)en->csize,
              (long long)(en->limit - data_off));
    goto done;
  }
  if (en->flags & FLAG_DESCRIPTOR) {
    st = check_descriptor(z, i, data_off + en->csize, en->limit, e);
    if (st != NPIO_OK) goto done;
  }
  if (en->method == ZIP_STORED && en->csize != en->usize) {
    st = merr(z, i, e, NPIO_EFORMAT, "stored member with different sizes "
              "(%lld compressed, %lld uncompressed)", (long long)en->csize,
              (long long)en->usize);
    goto done;
  }
  if (en->method == ZIP_DEFLATED &&
      en->usize / NPIO_ZIP_MAXRATIO > en->csize + 64) {
    st = merr(z, i, e, NPIO_EFORMAT, "declared size %lld is impossible for "
              "%lld bytes of DEFLATE data (a zip bomb?)",
              (long long)en->usize, (long long)en->csize);
    goto done;
  }
  loc->index = i;
  loc->data_off = data_off;
  loc->csize = en->csize;
  loc->usize = en->usize;
  loc->crc = en->crc;
  loc->method = en->method;
  st = NPIO_OK;
done:
  free(var);
  return st;
}

int zip_check_crc(zip_reader *z, const zip_loc *loc, uint32_t crc,
                  npio_err *e) {
  if (crc != loc->crc)
    return merr(z, loc->index, e, NPIO_EFORMAT, "CRC mismatch (data "
                "%08x, directory %08x): the member is corrupt",
                (unsigned)crc, (unsigned)loc->crc);
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Streaming reads
** ======================================================= */

#define STREAM_IN 65536

struct zip_stream {
  zip_reader *z;
  zip_loc loc;
  int64_t in_pos;        /* compressed bytes fed so far */
  int64_t out_pos;       /* bytes delivered */
  uint32_t crc;
  int done;              /* verified end reached */
  int ended;             /* inflate returned Z_STREAM_END */
  int zinit;
  z_stream zs;
  unsigned char *ibuf;
};

zip_stream *zip_stream_open(zip_reader *z, const zip_loc *loc, npio_err *e) {
  zip_stream *s = (zip_stream *)calloc(1, sizeof(*s));
  if (s == NULL) {
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return NULL;
  }
  s->z = z;
  s->loc = *loc;
  if (loc->method == ZIP_DEFLATED) {
    s->ibuf = (unsigned char *)malloc(STREAM_IN);
    if (s->ibuf == NULL || inflateInit2(&s->zs, -15) != Z_OK) {
      free(s->ibuf);
      free(s);
      npio_seterr(e, NPIO_ENOMEM, "out of memory");
      return NULL;
    }
    s->zinit = 1;
  }
  return s;
}

void zip_stream_close(zip_stream *s) {
  if (s == NULL) return;
  if (s->zinit) inflateEnd(&s->zs);
  free(s->ibuf);
  free(s);
}

/* Refills the inflater's input from the member's compressed bytes. */
static int stream_fill(zip_stream *s, npio_err *e) {
  int64_t left = s->loc.csize - s->in_pos;
  size_t n = left < STREAM_IN ? (size_t)left : STREAM_IN;
  int st = src_read(s->z, s->ibuf, n, s->loc.data_off + s->in_pos, e);
  if (st != NPIO_OK) return st;
  s->in_pos += (int64_t)n;
  s->zs.next_in = s->ibuf;
  s->zs.avail_in = (uInt)n;
  return NPIO_OK;
}

/*
** After the declared number of bytes: the DEFLATE stream must end here,
** with no output left and no compressed bytes after it.
*/
static int stream_finish(zip_stream *s, npio_err *e) {
  zip_reader *z = s->z;
  int64_t i = s->loc.index;
  if (s->loc.method == ZIP_DEFLATED) {
    unsigned char probe[1];
    while (!s->ended) {
      int ret;
      if (s->zs.avail_in == 0 && s->in_pos < s->loc.csize &&
          stream_fill(s, e) != NPIO_OK)
        return e ? e->code : NPIO_EIO;
      s->zs.next_out = probe;
      s->zs.avail_out = 1;
      ret = inflate(&s->zs, Z_NO_FLUSH);
      if (s->zs.avail_out == 0)
        return merr(z, i, e, NPIO_EFORMAT, "the data is longer than its "
                    "declared size %lld", (long long)s->loc.usize);
      if (ret == Z_STREAM_END) { s->ended = 1; break; }
      if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT)
        return merr(z, i, e, NPIO_EFORMAT, "invalid compressed data: %s",
                    s->zs.msg ? s->zs.msg : "corrupt stream");
      if (ret == Z_MEM_ERROR)
        return npio_seterr(e, NPIO_ENOMEM, "out of memory");
      if (s->zs.avail_in == 0 && s->in_pos >= s->loc.csize)
        return merr(z, i, e, NPIO_EFORMAT, "compressed data is truncated "
                    "(the DEFLATE stream does not end)");
    }
    if (s->zs.avail_in != 0 || s->in_pos != s->loc.csize)
      return merr(z, i, e, NPIO_EFORMAT, "%lld bytes after the end of the "
                  "DEFLATE stream", (long long)(s->loc.csize - s->in_pos +
                                                s->zs.avail_in));
  }
  s->done = 1;
  return zip_check_crc(z, &s->loc, s->crc, e);
}

int64_t zip_stream_read(zip_stream *s, void *buf, size_t n, npio_err *e) {
  int64_t left = s->loc.usize - s->out_pos, got = 0;
  if (s->done || n == 0) return 0;
  if ((int64_t)n > left) n = (size_t)left;
  if (n > ((size_t)1 << 30)) n = (size_t)1 << 30;
  if (s->loc.method == ZIP_STORED) {
    if (src_read(s->z, buf, n, s->loc.data_off + s->out_pos, e) != NPIO_OK)
      return -1;
    got = (int64_t)n;
  } else {
    s->zs.next_out = (unsigned char *)buf;
    s->zs.avail_out = (uInt)n;
    while (s->zs.avail_out > 0) {
      int ret;
      if (s->zs.avail_in == 0 && s->in_pos < s->loc.csize &&
          stream_fill(s, e) != NPIO_OK)
        return -1;
      ret = inflate(&s->zs, Z_NO_FLUSH);
      if (ret == Z_STREAM_END) {
        int64_t have = s->out_pos + (int64_t)(n - s->zs.avail_out);
        s->ended = 1;
        if (have == s->loc.usize) break;
        merr(s->z, s->loc.index, e, NPIO_EFORMAT, "the data ends after %lld "
             "bytes but its declared size is %lld", (long long)have,
             (long long)s->loc.usize);
        return -1;
      }
      if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT) {
        merr(s->z, s->loc.index, e, NPIO_EFORMAT, "invalid compressed data: "
             "%s", s->zs.msg ? s->zs.msg : "corrupt stream");
        return -1;
      }
      if (ret == Z_MEM_ERROR) {
        npio_seterr(e, NPIO_ENOMEM, "out of memory");
        return -1;
      }
      if (ret == Z_BUF_ERROR && s->zs.avail_in == 0 &&
          s->in_pos >= s->loc.csize) {
        merr(s->z, s->loc.index, e, NPIO_EFORMAT, "compressed data is "
             "truncated (%lld of %lld bytes)", (long long)(s->out_pos +
             (int64_t)(n - s->zs.avail_out)), (long long)s->loc.usize);
        return -1;
      }
    }
    got = (int64_t)n;
  }
  s->crc = zip_crc32(s->crc, buf, (size_t)got);
  s->out_pos += got;
  if (s->out_pos == s->loc.usize && stream_finish(s, e) != NPIO_OK) return -1;
  return got;
}

int64_t zip_stream_readfull(zip_stream *s, void *buf, size_t n, npio_err *e) {
  size_t got = 0;
  while (got < n) {
    int64_t k = zip_stream_read(s, (char *)buf + got, n - got, e);
    if (k < 0) return -1;
    if (k == 0) break;
    got += (size_t)k;
  }
  return (int64_t)got;
}

/* }====================================================== */

/* {======================================================
** Whole-member reads
** ======================================================= */

typedef struct readjob {
  const zip_reader *z;
  unsigned char *out;
  size_t n;
  int64_t off;
  uint32_t crc;
  int st;
  npio_err e;
} readjob;

static void *read_thread(void *ud) {
  readjob *j = (readjob *)ud;
  size_t done = 0;
  /* in slices, so the CRC runs on data still in the cache */
  while (done < j->n && j->st == NPIO_OK) {
    size_t k = j->n - done > ((size_t)1 << 20) ? (size_t)1 << 20 : j->n - done;
    j->st = src_read(j->z, j->out + done, k, j->off + (int64_t)done, &j->e);
    if (j->st == NPIO_OK) j->crc = zip_crc32(j->crc, j->out + done, k);
    done += k;
  }
  return NULL;
}

int zip_read_stored(zip_reader *z, const zip_loc *loc, int64_t off,
                    void *out, int64_t n, uint32_t *crc, npio_err *e) {
  readjob jobs[4];
  pthread_t tid[4];
  int started[4] = {0};
  int t, nt = zip_ncores();
  int64_t part;
  if (off < 0 || n < 0 || off > loc->usize || n > loc->usize - off)
    return merr(z, loc->index, e, NPIO_EFORMAT, "read past the member's end");
  if (nt > 4) nt = 4;
  if (n < ((int64_t)16 << 20) || z->fd < 0) nt = 1;
  part = n / nt;
  for (t = 0; t < nt; t++) {
    jobs[t].z = z;
    jobs[t].out = (unsigned char *)out + t * part;
    jobs[t].n = (size_t)(t == nt - 1 ? n - t * part : part);
    jobs[t].off = loc->data_off + off + t * part;
    jobs[t].crc = 0;
    jobs[t].st = NPIO_OK;
  }
  for (t = 1; t < nt; t++)
    started[t] = pthread_create(&tid[t], NULL, read_thread, &jobs[t]) == 0;
  read_thread(&jobs[0]);
  for (t = 1; t < nt; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    else read_thread(&jobs[t]);
  }
  *crc = jobs[0].crc;
  for (t = 0; t < nt; t++) {
    if (jobs[t].st != NPIO_OK) {
      if (e) *e = jobs[t].e;
      return jobs[t].st;
    }
    if (t > 0) *crc = zip_crc32_combine(*crc, jobs[t].crc, (int64_t)jobs[t].n);
  }
  return NPIO_OK;
}

/* Reads a member through the streaming path (bounded memory). */
static int extract_stream(zip_reader *z, const zip_loc *loc, void *out,
                          npio_err *e) {
  zip_stream *s = zip_stream_open(z, loc, e);
  int64_t got;
  if (s == NULL) return e ? e->code : NPIO_ENOMEM;
  got = zip_stream_readfull(s, out, (size_t)loc->usize, e);
  if (got >= 0 && !s->done) {
    /* a zero-byte member: the end checks still have to run */
    if (stream_finish(s, e) != NPIO_OK) got = -1;
  }
  zip_stream_close(s);
  return got < 0 ? (e ? e->code : NPIO_EFORMAT) : NPIO_OK;
}

/* {------------------------------------------------------
** Inflating npio's pieces in parallel
** ------------------------------------------------------- */

typedef struct piece {
  const unsigned char *in;
  size_t cin, uout;
  unsigned char *out;
  int64_t syncbit;       /* -1 for the last piece */
} piece;

typedef struct piecework {
  piece *p;
  int64_t n, first, step;
  int ok;
} piecework;

/*
** Inflates pieces first, first+step, ...: each is copied, the header of
** its closing empty stored block is made final, and libdeflate must
** give exactly the piece's bytes from exactly its input.
*/
static void *piece_thread(void *ud) {
  piecework *w = (piecework *)ud;
  struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
  unsigned char *tmp = NULL;
  size_t cap = 0;
  int64_t k;
  w->ok = d != NULL;
  for (k = w->first; k < w->n && w->ok; k += w->step) {
    piece *p = &w->p[k];
    size_t ain = 0, aout = 0;
    if (p->cin > cap) {
      free(tmp);
      cap = p->cin;
      tmp = (unsigned char *)malloc(cap);
      if (tmp == NULL) { w->ok = 0; break; }
    }
    memcpy(tmp, p->in, p->cin);
    if (p->syncbit >= 0)
      tmp[p->syncbit >> 3] |= (unsigned char)(1u << (p->syncbit & 7));
    if (libdeflate_deflate_decompress_ex(d, tmp, p->cin, p->out, p->uout,
                                         &ain, &aout) != LIBDEFLATE_SUCCESS ||
        ain != p->cin || aout != p->uout)
      w->ok = 0;
  }
  free(tmp);
  if (d) libdeflate_free_decompressor(d);
  return NULL;
}

/* 1 if the member was inflated from its piece index (0: use the stream). */
static int extract_pieces(zip_reader *z, const zip_loc *loc,
                          const unsigned char *in, unsigned char *out) {
  const zip_entry *en = &z->ent[loc->index];
  const unsigned char *x;
  piece *pc;
  piecework jobs[8];
  pthread_t tid[8];
  int started[8] = {0};
  int64_t n, k, coff = 0, uoff = 0;
  int t, nt = zip_ncores(), ok = 1;
  if (en->pieces < 0 || nt < 2) return 0;
  x = z->extras + en->pieces;
  n = rd32(x + 1);
  if (x[0] != 1 || n < 2 || en->pieces_len != 5 + 20 * (uint64_t)n) return 0;
  pc = (piece *)malloc((size_t)n * sizeof(piece));
  if (pc == NULL) return 0;
  for (k = 0; k < n; k++) {
    const unsigned char *r = x + 5 + 20 * k;
    uint64_t c = rd64(r), u = rd64(r + 8);
    uint32_t sb = rd32(r + 16);
    if (c > (uint64_t)(loc->csize - coff) || u > (uint64_t)(loc->usize - uoff) ||
        (k < n - 1 && (uint64_t)sb >= c * 8)) {
      free(pc);
      return 0;
    }
    pc[k].in = in + coff;
    pc[k].cin = (size_t)c;
    pc[k].out = out + uoff;
    pc[k].uout = (size_t)u;
    pc[k].syncbit = k < n - 1 ? (int64_t)sb : -1;
    coff += (int64_t)c;
    uoff += (int64_t)u;
  }
  if (coff != loc->csize || uoff != loc->usize) {
    free(pc);
    return 0;
  }
  if (nt > 8) nt = 8;
  if (nt > n) nt = (int)n;
  for (t = 0; t < nt; t++) {
    jobs[t].p = pc;
    jobs[t].n = n;
    jobs[t].first = t;
    jobs[t].step = nt;
  }
  for (t = 1; t < nt; t++)
    started[t] = pthread_create(&tid[t], NULL, piece_thread, &jobs[t]) == 0;
  piece_thread(&jobs[0]);
  for (t = 1; t < nt; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    else piece_thread(&jobs[t]);
    ok &= jobs[t].ok;
  }
  ok &= jobs[0].ok;
  free(pc);
  return ok;
}

/* }------------------------------------------------------ */

int zip_extract(zip_reader *z, const zip_loc *loc, void *out, npio_err *e) {
  const unsigned char *in;
  void *map = NULL;
  size_t maplen = 0;
  struct libdeflate_decompressor *d;
  size_t ain = 0, aout = 0;
  enum libdeflate_result r;
  int st;
  if (loc->method == ZIP_STORED) {
    uint32_t crc;
    st = zip_read_stored(z, loc, 0, out, loc->usize, &crc, e);
    return st != NPIO_OK ? st : zip_check_crc(z, loc, crc, e);
  }
  if (z->fd < 0) {
    in = z->mem + loc->data_off;
  } else {
    long pg = sysconf(_SC_PAGESIZE);
    int64_t start = loc->data_off - loc->data_off % (pg > 0 ? pg : 4096);
    maplen = (size_t)(loc->data_off + loc->csize - start);
    map = maplen ? mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, z->fd,
                        (off_t)start) : MAP_FAILED;
    if (map == MAP_FAILED) return extract_stream(z, loc, out, e);
#ifdef MADV_SEQUENTIAL
    madvise(map, maplen, MADV_SEQUENTIAL);
#endif
    in = (const unsigned char *)map + (loc->data_off - start);
  }
  /* npio's archives: their pieces in parallel; the CRC then checks all */
  if (extract_pieces(z, loc, in, (unsigned char *)out)) {
    if (map) munmap(map, maplen);
    return zip_check_crc(z, loc, zip_crc32_par(out, (size_t)loc->usize,
                                               zip_ncores()), e);
  }
  d = libdeflate_alloc_decompressor();
  if (d == NULL) {
    if (map) munmap(map, maplen);
    return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
  r = libdeflate_deflate_decompress_ex(d, in, (size_t)loc->csize, out,
                                       (size_t)loc->usize, &ain, &aout);
  libdeflate_free_decompressor(d);
  if (map) munmap(map, maplen);
  switch (r) {
    case LIBDEFLATE_SUCCESS:
      if ((int64_t)aout != loc->usize)
        return merr(z, loc->index, e, NPIO_EFORMAT, "the data ends after %lld "
                    "bytes but its declared size is %lld", (long long)aout,
                    (long long)loc->usize);
      if ((int64_t)ain != loc->csize)
        return merr(z, loc->index, e, NPIO_EFORMAT, "%lld bytes after the end "
                    "of the DEFLATE stream", (long long)(loc->csize -
                                                         (int64_t)ain));
      break;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      return merr(z, loc->index, e, NPIO_EFORMAT, "the data is longer than "
                  "its declared size %lld", (long long)loc->usize);
    default:
      return merr(z, loc->index, e, NPIO_EFORMAT, "invalid or truncated "
                  "compressed data");
  }
  return zip_check_crc(z, loc, zip_crc32_par(out, (size_t)loc->usize,
                                             zip_ncores()), e);
}

/* }====================================================== */
