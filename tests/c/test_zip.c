/*
** test_zip.c -- the zip container under .npz: writer and strict reader.
** Round trips (stored, deflated, chunk joins, zip64, empty members,
** data descriptors, append and replace), determinism across thread
** counts, alignment of stored data, and corruptions the reader must see.
*/
#include "testlib.h"
#include "zip.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

static char tmpdir[256];

static char *tpath(const char *name) {
  static char buf[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
  return buf[k];
}

static unsigned char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  unsigned char *b;
  long sz;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  sz = ftell(f);
  rewind(f);
  b = (unsigned char *)malloc((size_t)sz + 1);
  *n = fread(b, 1, (size_t)sz, f);
  fclose(f);
  return b;
}

static void spit(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  fwrite(p, 1, n, f);
  fclose(f);
}

/* Deterministic test data: compressible or not. */
static unsigned char *mkdata(size_t n, int kind) {
  unsigned char *p = (unsigned char *)malloc(n ? n : 1);
  uint32_t x = 12345;
  size_t i;
  for (i = 0; i < n; i++) {
    x = x * 1103515245u + 12345u;
    if (kind == 0) p[i] = (unsigned char)(x >> 24);          /* noise */
    else if (kind == 1) p[i] = (unsigned char)(i / 977 % 7); /* runs */
    else p[i] = (unsigned char)((i % 251) ^ ((x >> 28) & 1)); /* mixed */
  }
  return p;
}

typedef struct member { const char *name; int method; size_t n; int kind; } member;

/* Writes members with the given options; returns the status. The data
** fed as "stable" must stay valid until the commit, so all of it lives
** until the end. */
static int write_archive(const char *path, const member *m, int nm,
                         const zipw_opts *o, npio_err *e) {
  zipw *w = zipw_open_path(path, o, e);
  unsigned char *d[64];
  int i, st = NPIO_OK;
  if (w == NULL) return e->code;
  for (i = 0; i < nm; i++) d[i] = mkdata(m[i].n, m[i].kind);
  for (i = 0; i < nm && st == NPIO_OK; i++) {
    size_t off = 0, step = m[i].n / 3 + 1;
    st = zipw_begin(w, m[i].name, strlen(m[i].name), m[i].method,
                    (int64_t)m[i].n, e);
    /* feed in uneven pieces: some stable, some not */
    while (st == NPIO_OK && off < m[i].n) {
      size_t k = m[i].n - off < step ? m[i].n - off : step;
      st = zipw_data(w, d[i] + off, k, (off / step) % 2 == 0, e);
      off += k;
    }
    if (st == NPIO_OK) st = zipw_end(w, e);
  }
  if (st == NPIO_OK) st = zipw_commit(w, e);
  zipw_free(w);
  for (i = 0; i < nm; i++) free(d[i]);
  return st;
}

/* Reads every member back and compares with the generated data. */
static int verify_archive(const char *path, const member *m, int nm) {
  npio_err e;
  zip_reader *z = zip_open_path(path, &e);
  int i, ok = 1;
  if (z == NULL) {
    fprintf(stderr, "open %s: %s\n", path, e.msg);
    return 0;
  }
  if (z->n != nm) ok = 0;
  for (i = 0; i < nm && ok; i++) {
    int64_t k = zip_find(z, m[i].name, strlen(m[i].name));
    zip_loc loc;
    unsigned char *want = mkdata(m[i].n, m[i].kind), *got;
    if (k < 0 || zip_locate(z, k, &loc, &e) != NPIO_OK) {
      fprintf(stderr, "locate %s: %s\n", m[i].name, k < 0 ? "missing" : e.msg);
      ok = 0;
      free(want);
      break;
    }
    got = (unsigned char *)malloc(m[i].n + 1);
    if (zip_extract(z, &loc, got, &e) != NPIO_OK) {
      fprintf(stderr, "extract %s: %s\n", m[i].name, e.msg);
      ok = 0;
    } else if (memcmp(got, want, m[i].n) != 0) {
      fprintf(stderr, "extract %s: data differ\n", m[i].name);
      ok = 0;
    }
    /* the streaming path too, in odd-sized reads */
    if (ok) {
      zip_stream *s = zip_stream_open(z, &loc, &e);
      size_t off = 0;
      int64_t r;
      memset(got, 0, m[i].n);
      while ((r = zip_stream_read(s, got + off, 7777, &e)) > 0) off += (size_t)r;
      if (r < 0 || off != m[i].n || memcmp(got, want, m[i].n) != 0) {
        fprintf(stderr, "stream %s: %s\n", m[i].name, r < 0 ? e.msg : "differ");
        ok = 0;
      }
      zip_stream_close(s);
    }
    if (ok && loc.method == ZIP_STORED && loc.data_off % NPIO_ZIP_ALIGN != 0) {
      fprintf(stderr, "stored %s: data at %lld is not aligned\n", m[i].name,
              (long long)loc.data_off);
      ok = 0;
    }
    free(got);
    free(want);
  }
  zip_close(z);
  return ok;
}

static void test_roundtrip(void) {
  static const member m[] = {
    {"a.npy", ZIP_STORED, 1000, 0},
    {"b.npy", ZIP_DEFLATED, 300000, 1},
    {"empty.npy", ZIP_DEFLATED, 0, 0},
    {"empty_stored", ZIP_STORED, 0, 0},
    {"noise.npy", ZIP_DEFLATED, 200000, 0},
    {"mixed.npy", ZIP_DEFLATED, 150001, 2},
    {"caf\xc3\xa9.npy", ZIP_STORED, 77, 2},
  };
  zipw_opts o;
  npio_err e;
  size_t chunks[] = {0, 65536, 4096, 1000, 1};
  int c;
  for (c = 0; c < 5; c++) {
    char name[64];
    memset(&o, 0, sizeof(o));
    o.level = 6;
    o.atomic = 1;
    o.chunk = (int64_t)chunks[c];
    o.threads = c % 2 ? 1 : 3;
    snprintf(name, sizeof(name), "rt%d.zip", c);
    if (chunks[c] == 1) {   /* 1-byte chunks: only small members */
      static const member s[] = {{"x", ZIP_DEFLATED, 3000, 1},
                                 {"y", ZIP_DEFLATED, 2000, 0}};
      CHECK_EQ_INT(write_archive(tpath(name), s, 2, &o, &e), NPIO_OK);
      CHECK(verify_archive(tpath(name), s, 2));
      continue;
    }
    CHECK_EQ_INT(write_archive(tpath(name), m, 7, &o, &e), NPIO_OK);
    CHECK(verify_archive(tpath(name), m, 7));
  }
  /* every level */
  for (c = 0; c <= 12; c += 3) {
    static const member s[] = {{"l.npy", ZIP_DEFLATED, 100000, 2}};
    memset(&o, 0, sizeof(o));
    o.level = c;
    o.atomic = 1;
    o.chunk = 30000;
    CHECK_EQ_INT(write_archive(tpath("lv.zip"), s, 1, &o, &e), NPIO_OK);
    CHECK(verify_archive(tpath("lv.zip"), s, 1));
  }
  memset(&o, 0, sizeof(o));
  o.level = 13;
  CHECK(zipw_open_path(tpath("bad.zip"), &o, &e) == NULL);
  CHECK(strstr(e.msg, "level 13") != NULL);
}

/* Output bytes must not depend on the thread count. */
static void test_deterministic(void) {
  static const member m[] = {
    {"a.npy", ZIP_DEFLATED, 500000, 2},
    {"b.npy", ZIP_STORED, 70000, 0},
    {"c.npy", ZIP_DEFLATED, 260000, 1},
  };
  zipw_opts o;
  npio_err e;
  unsigned char *a, *b;
  size_t na, nb;
  memset(&o, 0, sizeof(o));
  o.level = 6;
  o.atomic = 1;
  o.chunk = 50000;
  o.threads = 1;
  CHECK_EQ_INT(write_archive(tpath("d1.zip"), m, 3, &o, &e), NPIO_OK);
  o.threads = 4;
  CHECK_EQ_INT(write_archive(tpath("d4.zip"), m, 3, &o, &e), NPIO_OK);
  a = slurp(tpath("d1.zip"), &na);
  b = slurp(tpath("d4.zip"), &nb);
  CHECK(a && b && na == nb && memcmp(a, b, na) == 0);
  free(a);
  free(b);
}

static void test_zip64_forced(void) {
  static const member m[] = {
    {"a.npy", ZIP_STORED, 5000, 0},
    {"b.npy", ZIP_DEFLATED, 5000, 1},
  };
  zipw_opts o;
  npio_err e;
  zip_reader *z;
  memset(&o, 0, sizeof(o));
  o.level = 6;
  o.atomic = 1;
  o.force_zip64 = 1;
  CHECK_EQ_INT(write_archive(tpath("z64.zip"), m, 2, &o, &e), NPIO_OK);
  CHECK(verify_archive(tpath("z64.zip"), m, 2));
  z = zip_open_path(tpath("z64.zip"), &e);
  CHECK(z && z->zip64);
  zip_close(z);
}

/* A stream that cannot seek gets data descriptors (bit 3). */
static void test_descriptor(void) {
  static const member m[] = {
    {"p.npy", ZIP_DEFLATED, 9000, 2},
    {"q.npy", ZIP_STORED, 333, 0},
  };
  zipw_opts o;
  npio_err e;
  int fds[2];
  FILE *wf;
  zipw *w;
  unsigned char *buf = (unsigned char *)malloc(1 << 20);
  size_t got = 0;
  ssize_t k;
  int i;
  memset(&o, 0, sizeof(o));
  o.level = 6;
  o.threads = 2;
  CHECK(pipe(fds) == 0);
  wf = fdopen(fds[1], "wb");
  w = zipw_open_file(wf, &o, &e);
  CHECK(w != NULL);
  for (i = 0; i < 2; i++) {
    unsigned char *d = mkdata(m[i].n, m[i].kind);
    CHECK_EQ_INT(zipw_begin(w, m[i].name, strlen(m[i].name), m[i].method,
                            (int64_t)m[i].n, &e), NPIO_OK);
    CHECK_EQ_INT(zipw_data(w, d, m[i].n, 0, &e), NPIO_OK);
    CHECK_EQ_INT(zipw_end(w, &e), NPIO_OK);
    free(d);
  }
  CHECK_EQ_INT(zipw_commit(w, &e), NPIO_OK);
  zipw_free(w);
  fclose(wf);
  while ((k = read(fds[0], buf + got, (1 << 20) - got)) > 0) got += (size_t)k;
  close(fds[0]);
  spit(tpath("desc.zip"), buf, got);
  CHECK(buf[6] & 0x08);            /* first local header: bit 3 */
  CHECK(verify_archive(tpath("desc.zip"), m, 2));
  free(buf);
}

static void test_append(void) {
  static const member m1[] = {
    {"a.npy", ZIP_STORED, 1000, 0},
    {"b.npy", ZIP_DEFLATED, 5000, 1},
  };
  static const member m2[] = {
    {"c.npy", ZIP_DEFLATED, 7000, 2},
  };
  static const member all[] = {
    {"a.npy", ZIP_STORED, 1000, 0},
    {"b.npy", ZIP_DEFLATED, 5000, 1},
    {"c.npy", ZIP_DEFLATED, 7000, 2},
  };
  /* replacing b with other content and method */
  static const member m3[] = {
    {"b.npy", ZIP_STORED, 4444, 2},
  };
  static const member after[] = {
    {"a.npy", ZIP_STORED, 1000, 0},
    {"b.npy", ZIP_STORED, 4444, 2},
    {"c.npy", ZIP_DEFLATED, 7000, 2},
  };
  zipw_opts o;
  npio_err e;
  zip_reader *z;
  int atomic;
  for (atomic = 1; atomic >= 0; atomic--) {
    memset(&o, 0, sizeof(o));
    o.level = 6;
    o.atomic = atomic;
    CHECK_EQ_INT(write_archive(tpath("ap.zip"), m1, 2, &o, &e), NPIO_OK);
    o.append = 1;
    CHECK_EQ_INT(write_archive(tpath("ap.zip"), m2, 1, &o, &e), NPIO_OK);
    CHECK(verify_archive(tpath("ap.zip"), all, 3));
    CHECK_EQ_INT(write_archive(tpath("ap.zip"), m3, 1, &o, &e), NPIO_OK);
    CHECK(verify_archive(tpath("ap.zip"), after, 3));
    z = zip_open_path(tpath("ap.zip"), &e);
    /* the replaced member keeps its place in the directory order */
    CHECK(z && strcmp(zip_name(z, 1, NULL), "b.npy") == 0);
    zip_close(z);
  }
  /* append to a missing file creates it */
  unlink(tpath("new.zip"));
  memset(&o, 0, sizeof(o));
  o.level = 6;
  o.atomic = 1;
  o.append = 1;
  CHECK_EQ_INT(write_archive(tpath("new.zip"), m1, 2, &o, &e), NPIO_OK);
  CHECK(verify_archive(tpath("new.zip"), m1, 2));
  /* append to garbage is refused and leaves it alone */
  spit(tpath("junk.zip"), "not a zip at all, no", 20);
  CHECK(write_archive(tpath("junk.zip"), m1, 2, &o, &e) != NPIO_OK);
  CHECK(strstr(e.msg, "cannot append") != NULL);
  {
    size_t n;
    unsigned char *j = slurp(tpath("junk.zip"), &n);
    CHECK(n == 20 && memcmp(j, "not a zip", 9) == 0);
    free(j);
  }
}

static void test_duplicates_refused(void) {
  static const member m[] = {
    {"a.npy", ZIP_STORED, 10, 0},
    {"a.npy", ZIP_STORED, 10, 0},
  };
  zipw_opts o;
  npio_err e;
  memset(&o, 0, sizeof(o));
  o.level = 6;
  o.atomic = 1;
  unlink(tpath("dup.zip"));
  CHECK(write_archive(tpath("dup.zip"), m, 2, &o, &e) != NPIO_OK);
  CHECK(strstr(e.msg, "duplicate member name 'a.npy'") != NULL);
  CHECK(access(tpath("dup.zip"), F_OK) != 0);   /* nothing left behind */
}

/* Flips or cuts bytes of a good archive; each must be refused. */
static void test_corruptions(void) {
  static const member m[] = {
    {"s.npy", ZIP_STORED, 3000, 0},
    {"d.npy", ZIP_DEFLATED, 20000, 1},
  };
  zipw_opts o;
  npio_err e;
  unsigned char *a, *b;
  size_t n;
  zip_reader *z;
  zip_loc ls, ld;
  unsigned char *out = (unsigned char *)malloc(20000);
  memset(&o, 0, sizeof(o));
  o.level = 6;
  o.atomic = 1;
  CHECK_EQ_INT(write_archive(tpath("c.zip"), m, 2, &o, &e), NPIO_OK);
  a = slurp(tpath("c.zip"), &n);
  z = zip_open_mem(a, n, &e);
  CHECK(z != NULL);
  CHECK_EQ_INT(zip_locate(z, 0, &ls, &e), NPIO_OK);
  CHECK_EQ_INT(zip_locate(z, 1, &ld, &e), NPIO_OK);
  zip_close(z);
  b = (unsigned char *)malloc(n);

  /* a flipped data byte of the stored member: CRC mismatch */
  memcpy(b, a, n);
  b[ls.data_off + 100] ^= 1;
  z = zip_open_mem(b, n, &e);
  CHECK(z && zip_locate(z, 0, &ls, &e) == NPIO_OK);
  CHECK(z && zip_extract(z, &ls, out, &e) != NPIO_OK);
  CHECK(strstr(e.msg, "member 's.npy': CRC mismatch") != NULL);
  zip_close(z);

  /* a flipped byte in the deflated data */
  memcpy(b, a, n);
  b[ld.data_off + ld.csize / 2] ^= 0x55;
  z = zip_open_mem(b, n, &e);
  CHECK(z && zip_locate(z, 1, &ld, &e) == NPIO_OK);
  CHECK(z && zip_extract(z, &ld, out, &e) != NPIO_OK);
  zip_close(z);

  /* truncated: no end record */
  z = zip_open_mem(a, n - 1, &e);
  CHECK(z == NULL && strstr(e.msg, "no end of central directory") != NULL);
  z = zip_open_mem(a, 10, &e);
  CHECK(z == NULL && strstr(e.msg, "too short") != NULL);

  /* entry count in the end record off by one */
  memcpy(b, a, n);
  b[n - 22 + 8]++;
  b[n - 22 + 10]++;
  z = zip_open_mem(b, n, &e);
  CHECK(z == NULL);
  zip_close(z);

  /* central uncompressed size of d.npy smaller than the data */
  {
    int64_t cd = (int64_t)(a[n - 22 + 16] | (a[n - 22 + 17] << 8) |
                           (a[n - 22 + 18] << 16) | ((uint32_t)a[n - 22 + 19] << 24));
    int64_t second = cd + 46 + 5;      /* after s.npy's entry (no extra) */
    memcpy(b, a, n);
    CHECK(b[second] == 'P' && b[second + 1] == 'K');
    b[second + 24] -= 1;  /* usize low byte */
    z = zip_open_mem(b, n, &e);
    CHECK(z != NULL);
    if (z) {
      CHECK(zip_locate(z, 1, &ld, &e) != NPIO_OK);   /* local differs */
      CHECK(strstr(e.msg, "uncompressed size") != NULL);
    }
    zip_close(z);
  }
  free(a);
  free(b);
  free(out);
}

/* The reference: zlib's inflate with Z_BLOCK reports block boundaries. */
static int zlib_scan(const unsigned char *in, size_t n, int64_t *hdr,
                     int64_t *end) {
  z_stream zs;
  unsigned char *out = (unsigned char *)malloc(65536);
  int ok = -1;
  memset(&zs, 0, sizeof(zs));
  inflateInit2(&zs, -15);
  zs.next_in = (unsigned char *)in;
  zs.avail_in = (uInt)n;
  *hdr = 0;
  for (;;) {
    int ret, dt;
    int64_t at;
    zs.next_out = out;
    zs.avail_out = 65536;
    ret = inflate(&zs, Z_BLOCK);
    if (ret != Z_OK) break;
    dt = zs.data_type;
    at = (int64_t)(zs.next_in - in) * 8 - (dt & 63);
    if (dt & 128) {
      if (dt & 64) { *end = at; ok = 0; break; }
      *hdr = at;
    } else if (zs.avail_in == 0 && zs.avail_out != 0) {
      break;
    }
  }
  inflateEnd(&zs);
  free(out);
  return ok;
}

/* zip_deflate_scan must find what zlib finds, on streams of every block
** type (stored, fixed, dynamic) from libdeflate and zlib, and refuse
** damaged ones without reading out of bounds. */
static void test_scan(void) {
  size_t sizes[] = {0, 1, 100, 5000, 70000, 300000, 1000000};
  int kinds[] = {0, 1, 2};
  size_t si;
  int ki, level, agree = 0, total = 0;
  for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
    for (ki = 0; ki < 3; ki++) {
      unsigned char *d = mkdata(sizes[si], kinds[ki]);
      for (level = -3; level <= 12; level++) {
        unsigned char *out;
        size_t cap = sizes[si] + sizes[si] / 8 + 1024, on;
        int64_t h1 = -1, e1 = -1, h2 = -1, e2 = -1;
        out = (unsigned char *)malloc(cap);
        if (level >= 0) {
          struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
          on = libdeflate_deflate_compress(c, d, sizes[si], out, cap);
          libdeflate_free_compressor(c);
        } else {
          /* zlib: -1 fixed Huffman, -2 level 0 (stored), -3 filtered */
          z_stream zs;
          memset(&zs, 0, sizeof(zs));
          deflateInit2(&zs, level == -2 ? 0 : 6, Z_DEFLATED, -15, 8,
                       level == -1 ? Z_FIXED : Z_FILTERED);
          zs.next_in = d;
          zs.avail_in = (uInt)sizes[si];
          zs.next_out = out;
          zs.avail_out = (uInt)cap;
          deflate(&zs, Z_FINISH);
          on = zs.total_out;
          deflateEnd(&zs);
        }
        total++;
        if (zip_deflate_scan(out, on, &h1, &e1) == 0 &&
            zlib_scan(out, on, &h2, &e2) == 0 && h1 == h2 && e1 == e2 &&
            (size_t)((e1 + 7) / 8) == on)
          agree++;
        else
          fprintf(stderr, "scan: size %zu kind %d level %d: %lld/%lld vs "
                  "zlib %lld/%lld\n", sizes[si], kinds[ki], level,
                  (long long)h1, (long long)e1, (long long)h2, (long long)e2);
        /* damaged copies: truncated, flipped bits; must not crash */
        if (on > 4) {
          int64_t a, b;
          size_t k;
          (void)zip_deflate_scan(out, on / 2, &a, &b);
          for (k = 0; k < 8; k++) {
            out[(k * 7919) % on] ^= (unsigned char)(1u << k);
            (void)zip_deflate_scan(out, on, &a, &b);
          }
        }
        free(out);
      }
      free(d);
    }
  CHECK_EQ_INT(agree, total);
}

/*
** Members cut in pieces carry a piece index, and the reader inflates the
** pieces in parallel. Proof that it does: make the first piece's closing
** block final in the file itself. A plain inflater then stops after the
** first piece; the piece path (which sets that bit anyway) still reads
** the member, and the CRC confirms it.
*/
static void test_pieces(void) {
  static const member m[] = {{"p.npy", ZIP_DEFLATED, 200000, 2}};
  zipw_opts o;
  npio_err e;
  unsigned char *a, *x;
  size_t n, k;
  zip_reader *z;
  zip_loc loc;
  unsigned char *out = (unsigned char *)malloc(200000);
  uint32_t cd, sync;
  uint16_t nlen, xlen;
  int found = 0;
  memset(&o, 0, sizeof(o));
  o.level = 6;
  o.atomic = 1;
  o.chunk = 50000;
  CHECK_EQ_INT(write_archive(tpath("pc.zip"), m, 1, &o, &e), NPIO_OK);
  a = slurp(tpath("pc.zip"), &n);
  cd = (uint32_t)(a[n - 6] | (a[n - 5] << 8) | (a[n - 4] << 16) |
                  ((uint32_t)a[n - 3] << 24));
  nlen = (uint16_t)(a[cd + 28] | (a[cd + 29] << 8));
  xlen = (uint16_t)(a[cd + 30] | (a[cd + 31] << 8));
  x = a + cd + 46 + nlen;
  for (k = 0; k + 4 <= xlen;) {
    unsigned id = x[k] | (x[k + 1] << 8), len = x[k + 2] | (x[k + 3] << 8);
    if (id == NPIO_ZIP_PIECES_ID) {
      const unsigned char *r = x + k + 4 + 5;     /* piece 0 */
      CHECK(x[k + 4] == 1 && x[k + 5] == 4);      /* version 1, 4 pieces */
      sync = (uint32_t)(r[16] | (r[17] << 8) | (r[18] << 16) |
                        ((uint32_t)r[19] << 24));
      found = 1;
      z = zip_open_mem(a, n, &e);
      CHECK(z != NULL && zip_locate(z, 0, &loc, &e) == NPIO_OK);
      zip_close(z);
      a[loc.data_off + sync / 8] |= (unsigned char)(1u << (sync % 8));
      break;
    }
    k += 4 + len;
  }
  CHECK(found);
  z = zip_open_mem(a, n, &e);
  CHECK(z != NULL);
  if (z && found) {
    zip_stream *s;
    int64_t r;
    CHECK_EQ_INT(zip_locate(z, 0, &loc, &e), NPIO_OK);
    if (zip_ncores() > 1) {
      CHECK_EQ_INT(zip_extract(z, &loc, out, &e), NPIO_OK);
    }
    s = zip_stream_open(z, &loc, &e);
    r = zip_stream_readfull(s, out, 200000, &e);
    CHECK(r < 0 && strstr(e.msg, "the data ends after 50000 bytes") != NULL);
    zip_stream_close(s);
  }
  zip_close(z);
  free(a);
  free(out);
}

int main(void) {
  const char *t = getenv("TMPDIR");
  snprintf(tmpdir, sizeof(tmpdir), "%s/npio_zipXXXXXX", t ? t : "/tmp");
  if (mkdtemp(tmpdir) == NULL) { perror("mkdtemp"); return 1; }
  test_scan();
  test_pieces();
  test_roundtrip();
  test_deterministic();
  test_zip64_forced();
  test_descriptor();
  test_append();
  test_duplicates_refused();
  test_corruptions();
  {
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  }
  return test_report("test_zip");
}
