/*
** zipw.c -- the zip writer under np.savez / np.savez_compressed.
**
** Each member's bytes are cut at fixed NPIO_ZIP_CHUNK offsets. A chunk is
** a job: its CRC and, for deflated members, its compression by libdeflate
** (one shot). Jobs run on a small pool of threads (the main thread helps)
** and the main thread writes their output in order, so the bytes written
** never depend on the number of threads.
**
** One DEFLATE stream per member is built from independently compressed
** chunks: libdeflate ends every chunk's stream with a final block, so for
** every chunk but the last one the final-block bit is cleared and an empty
** stored block (the "sync flush" marker 00 00 FF FF) is appended, which
** brings the stream back to a byte boundary where the next chunk's blocks
** start. Finding the final block's header needs a walk over the blocks:
** zipscan.c's bit counter, or zlib's inflate with Z_BLOCK as a fallback.
**
** Positions are decided when a job is written: a member's local header
** goes out just before its first chunk, stored members get an extra field
** (id 0xD935, the one Android's zipalign uses) that puts their data on a
** 64-byte boundary, and, once the member is complete, its local header is
** rewritten in place with the CRC and sizes (or, on a stream that cannot
** seek, a data descriptor follows the data). Zip64 records are written
** wherever a size, an offset or the entry count needs them.
*/
#include "zip.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#define MAX16 0xFFFFu
#define MAX32 0xFFFFFFFFu
#define ALIGN_EXTRA_ID 0xD935u

/* DOS date of 1980-01-01, time 00:00:00: archives are reproducible. */
#define DOS_DATE 0x0021u
#define DOS_TIME 0x0000u

static void wr16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)(v & 0xFF);
  p[1] = (unsigned char)((v >> 8) & 0xFF);
}
static void wr32(unsigned char *p, uint32_t v) {
  wr16(p, v & 0xFFFF);
  wr16(p + 2, v >> 16);
}
static void wr64(unsigned char *p, uint64_t v) {
  wr32(p, (uint32_t)v);
  wr32(p + 4, (uint32_t)(v >> 32));
}

/* {======================================================
** Records and jobs
** ======================================================= */

/* A central directory record of the archive being written. */
typedef struct zrec {
  char *name;            /* raw name bytes */
  uint16_t nlen;
  uint16_t method, flags, made_by, needed, mtime, mdate;
  uint32_t ext_attr, crc;
  int64_t lho, csize, usize;
  int local64;           /* its local header carries a zip64 extra */
  int hdrlen;            /* length of its local header */
  int fresh;             /* written by this writer (not adopted) */
  unsigned char *pieces; /* the piece index extra field (deflated), or NULL */
  size_t pieces_len;
} zrec;

enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

typedef struct zjob {
  int64_t rec;           /* the member (index into w->recs) */
  const unsigned char *in;
  size_t n;
  unsigned char *own;    /* staging copy of the input, or NULL */
  unsigned char *out;    /* compressed output */
  size_t outn;
  uint32_t crc;
  int64_t syncbit;       /* bit of the closing empty block's header */
  int method;
  int first, last;       /* first / last chunk of its member */
  int state;
  int st;
  npio_err e;
} zjob;

/* What each thread needs to run jobs. */
typedef struct wctx {
  struct libdeflate_compressor *comp;
  z_stream zs;
  int zinit;
  unsigned char *scratch;
} wctx;

#define SCRATCH 65536

enum { SINK_SAFE, SINK_FD, SINK_FILE };

struct zipw {
  zipw_opts o;
  int failed;            /* an error happened: only free() is allowed */
  npio_err err;
  /* output */
  int sink;
  npio_safefile sf;
  int fd;                /* SINK_FD: the archive itself (in-place append) */
  FILE *fp;
  int64_t base;          /* SINK_FILE: where the archive starts */
  int64_t pos;           /* archive-relative write position */
  int seekable;
  /* members */
  zrec *recs;
  int64_t nrecs, caprecs;
  zip_reader *old;       /* append: the archive being extended */
  int64_t *old_slot;     /* append: old entry i -> record index */
  /* the member being fed */
  int64_t cur;           /* record index, or -1 */
  int64_t fed;           /* bytes fed to it */
  unsigned char *stage;  /* partial chunk */
  size_t stage_n, stage_cap;
  uint32_t mcrc;         /* running CRC of the member being written */
  int64_t mcsize;
  npio_buf pidx;         /* piece index of the member being written */
  int64_t npieces;
  /* jobs: a FIFO ring in write order */
  zjob **ring;
  int ring_cap, head, count;
  int threads;
  int64_t chunk;         /* bytes per job */
  pthread_t *tid;
  int nworkers;
  int stop;
  pthread_mutex_t mu;
  pthread_cond_t work, done;
  int sync_init;
  wctx mainctx;
  int64_t written;       /* uncompressed bytes written, for progress */
};

static void ctx_free(wctx *c) {
  if (c->comp) libdeflate_free_compressor(c->comp);
  if (c->zinit) inflateEnd(&c->zs);
  free(c->scratch);
  memset(c, 0, sizeof(*c));
}

/* }====================================================== */

/* {======================================================
** Compressing one chunk
** ======================================================= */

/*
** Turns the complete DEFLATE stream out[0..*outn) into one that does not
** end: clears the final-block bit of its last block and appends an empty
** non-final stored block, leaving the stream byte-aligned. 'out' has room
** for 5 more bytes.
*/
static int unfinalize(wctx *c, unsigned char *out, size_t *outn,
                      int64_t *syncbit, npio_err *e) {
  int64_t hdr = 0, endbit = -1;
  size_t n = *outn, L;
  int pad;
  /* the fast walk; zlib's inflate with Z_BLOCK if it disagrees */
  if (zip_deflate_scan(out, n, &hdr, &endbit) != 0 ||
      (size_t)((endbit + 7) / 8) != n) {
    hdr = 0;
    endbit = -1;
    if (!c->zinit) {
      memset(&c->zs, 0, sizeof(c->zs));
      if (inflateInit2(&c->zs, -15) != Z_OK)
        return npio_seterr(e, NPIO_ENOMEM, "out of memory");
      c->zinit = 1;
    } else if (inflateReset(&c->zs) != Z_OK) {
      return npio_seterr(e, NPIO_ENOMEM, "inflateReset failed");
    }
    if (c->scratch == NULL &&
        (c->scratch = (unsigned char *)malloc(SCRATCH)) == NULL)
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    c->zs.next_in = out;
    c->zs.avail_in = (uInt)n;
    for (;;) {
      int ret, dt;
      int64_t at;
      c->zs.next_out = c->scratch;
      c->zs.avail_out = SCRATCH;
      ret = inflate(&c->zs, Z_BLOCK);
      if (ret != Z_OK) break;          /* Z_STREAM_END comes after the end */
      dt = c->zs.data_type;
      at = (int64_t)(c->zs.next_in - out) * 8 - (dt & 63);
      if (dt & 128) {
        if (dt & 64) { endbit = at; break; }   /* after the final block */
        hdr = at;                              /* before a block header */
      } else if (c->zs.avail_in == 0 && c->zs.avail_out != 0) {
        break;
      }
    }
  }
  if (endbit < 0 || (size_t)((endbit + 7) / 8) != n)
    return npio_seterr(e, NPIO_EIO, "internal error: cannot find the end of "
                       "a compressed chunk");
  out[hdr >> 3] &= (unsigned char)~(1u << (hdr & 7));
  if (endbit & 7) out[endbit >> 3] &= (unsigned char)((1u << (endbit & 7)) - 1);
  pad = (int)((8 - (endbit & 7)) & 7);
  if (pad >= 3) L = n;                /* the 3 header bits fit the padding */
  else { out[n] = 0; L = n + 1; }
  out[L] = 0; out[L + 1] = 0; out[L + 2] = 0xFF; out[L + 3] = 0xFF;
  *outn = L + 4;
  *syncbit = endbit;
  return NPIO_OK;
}

/* Runs one job: CRC, and compression for deflated members. */
static void run_job(zipw *w, wctx *c, zjob *j) {
  j->crc = zip_crc32(0, j->in, j->n);
  if (j->method != ZIP_DEFLATED) return;
  if (c->comp == NULL) {
    c->comp = libdeflate_alloc_compressor(w->o.level);
    if (c->comp == NULL) {
      j->st = npio_seterr(&j->e, NPIO_ENOMEM, "cannot allocate a DEFLATE "
                          "compressor (level %d)", w->o.level);
      return;
    }
  }
  {
    size_t cap = libdeflate_deflate_compress_bound(c->comp, j->n) + 16;
    j->out = (unsigned char *)malloc(cap);
    if (j->out == NULL) {
      j->st = npio_seterr(&j->e, NPIO_ENOMEM, "out of memory");
      return;
    }
    j->outn = libdeflate_deflate_compress(c->comp, j->in, j->n, j->out,
                                          cap - 16);
    if (j->outn == 0) {
      j->st = npio_seterr(&j->e, NPIO_EIO, "internal error: DEFLATE output "
                          "did not fit its bound");
      return;
    }
    if (!j->last) j->st = unfinalize(c, j->out, &j->outn, &j->syncbit, &j->e);
  }
}

/* }====================================================== */

/* {======================================================
** Thread pool
** ======================================================= */

/* The first queued job in write order, or NULL (lock held). */
static zjob *next_queued(zipw *w) {
  int k;
  for (k = 0; k < w->count; k++) {
    zjob *j = w->ring[(w->head + k) % w->ring_cap];
    if (j->state == JOB_QUEUED) return j;
  }
  return NULL;
}

static void *worker(void *ud) {
  zipw *w = (zipw *)ud;
  wctx c;
  memset(&c, 0, sizeof(c));
  pthread_mutex_lock(&w->mu);
  for (;;) {
    zjob *j = NULL;
    while (!w->stop && (j = next_queued(w)) == NULL)
      pthread_cond_wait(&w->work, &w->mu);
    if (w->stop) break;
    j->state = JOB_RUNNING;
    pthread_mutex_unlock(&w->mu);
    run_job(w, &c, j);
    pthread_mutex_lock(&w->mu);
    j->state = JOB_DONE;
    pthread_cond_broadcast(&w->done);
  }
  pthread_mutex_unlock(&w->mu);
  ctx_free(&c);
  return NULL;
}

/* Starts the workers the first time there is parallel work. */
static void start_workers(zipw *w) {
  int k;
  if (w->tid || w->threads < 2) return;
  if (pthread_mutex_init(&w->mu, NULL) != 0) { w->threads = 1; return; }
  pthread_cond_init(&w->work, NULL);
  pthread_cond_init(&w->done, NULL);
  w->sync_init = 1;
  w->tid = (pthread_t *)calloc((size_t)w->threads, sizeof(pthread_t));
  if (w->tid == NULL) { w->threads = 1; return; }
  for (k = 0; k < w->threads - 1; k++) {
    if (pthread_create(&w->tid[k], NULL, worker, w) != 0) break;
    w->nworkers++;
  }
  if (w->nworkers == 0) w->threads = 1;
}

static void stop_workers(zipw *w) {
  int k;
  if (!w->sync_init) return;
  pthread_mutex_lock(&w->mu);
  w->stop = 1;
  pthread_cond_broadcast(&w->work);
  pthread_mutex_unlock(&w->mu);
  for (k = 0; k < w->nworkers; k++) pthread_join(w->tid[k], NULL);
  free(w->tid);
  w->tid = NULL;
  w->nworkers = 0;
  pthread_cond_destroy(&w->work);
  pthread_cond_destroy(&w->done);
  pthread_mutex_destroy(&w->mu);
  w->sync_init = 0;
}

static void job_free(zjob *j) {
  if (j == NULL) return;
  free(j->own);
  free(j->out);
  free(j);
}

/* }====================================================== */

/* {======================================================
** Output
** ======================================================= */

static int fail(zipw *w, const npio_err *src) {
  if (!w->failed) {
    w->failed = 1;
    w->err = *src;
  }
  return w->err.code;
}

static int sink_write(zipw *w, const void *p, size_t n) {
  npio_err e;
  int st = NPIO_OK;
  if (n == 0) return NPIO_OK;
  if (w->sink == SINK_SAFE) st = npio_safe_write(&w->sf, p, n, &e);
  else if (w->sink == SINK_FD) st = npio_write_all(w->fd, p, n, &e);
  else if (fwrite(p, 1, n, w->fp) != n)
    st = npio_seterr(&e, NPIO_EIO, "write failed: %s", strerror(errno));
  if (st != NPIO_OK) return fail(w, &e);
  w->pos += (int64_t)n;
  return NPIO_OK;
}

/* Rewrites bytes already written (a local header). */
static int sink_patch(zipw *w, const void *p, size_t n, int64_t off) {
  npio_err e;
  int fd = w->sink == SINK_SAFE ? w->sf.fd : w->sink == SINK_FD ? w->fd : -1;
  off_t at = (off_t)off;
  if (w->sink == SINK_FILE) {
    if (fflush(w->fp) != 0) {
      npio_seterr(&e, NPIO_EIO, "write failed: %s", strerror(errno));
      return fail(w, &e);
    }
    fd = fileno(w->fp);
    at = (off_t)(w->base + off);
  }
  while (n > 0) {
    ssize_t k = pwrite(fd, p, n, at);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      npio_seterr(&e, NPIO_EIO, "rewriting a local header failed: %s",
                  k < 0 ? strerror(errno) : "no progress");
      return fail(w, &e);
    }
    p = (const char *)p + k;
    n -= (size_t)k;
    at += k;
  }
  return NPIO_OK;
}

/* Upper bound of the compressed size of n bytes (chunked libdeflate:
** stored blocks cost 5 bytes per 64 KiB, each chunk ends with 5 more). */
static int64_t deflate_bound(int64_t n, int64_t chunk) {
  return n + n / 1024 + (n / chunk + 1) * 16 + 1024;
}

static int is_ascii_name(const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80) return 0;
  return 1;
}

/*
** Builds record r's local header for position 'at' into 'h' (room for
** 30 + 65535 + 20 + 70 bytes) and returns its length. The alignment
** padding depends only on 'at', so rebuilding it later gives the same
** length.
*/
static int local_header(const zipw *w, const zrec *r, int64_t at,
                        unsigned char *h) {
  int xlen = 0, pad = 0;
  unsigned char *x = h + 30 + r->nlen;
  int desc = (r->flags & 0x0008) != 0;
  uint32_t crc = desc ? 0 : r->crc;
  int64_t cs = desc ? 0 : r->csize, us = desc ? 0 : r->usize;
  if (r->local64) {
    wr16(x, 1);
    wr16(x + 2, 16);
    wr64(x + 4, (uint64_t)us);
    wr64(x + 12, (uint64_t)cs);
    xlen = 20;
  }
  if (r->method == ZIP_STORED) {
    int64_t data = at + 30 + r->nlen + xlen;
    pad = (int)((NPIO_ZIP_ALIGN - data % NPIO_ZIP_ALIGN) % NPIO_ZIP_ALIGN);
    if (pad > 0 && pad < 6) pad += NPIO_ZIP_ALIGN;
    if (pad > 0) {
      memset(x + xlen, 0, (size_t)pad);
      wr16(x + xlen, ALIGN_EXTRA_ID);
      wr16(x + xlen + 2, (unsigned)(pad - 4));
      wr16(x + xlen + 4, NPIO_ZIP_ALIGN);
      xlen += pad;
    }
  }
  wr32(h, 0x04034b50u);
  wr16(h + 4, r->needed);
  wr16(h + 6, r->flags);
  wr16(h + 8, r->method);
  wr16(h + 10, r->mtime);
  wr16(h + 12, r->mdate);
  wr32(h + 14, crc);
  wr32(h + 18, r->local64 ? MAX32 : (uint32_t)cs);
  wr32(h + 22, r->local64 ? MAX32 : (uint32_t)us);
  wr16(h + 26, r->nlen);
  wr16(h + 28, (unsigned)xlen);
  memcpy(h + 30, r->name, r->nlen);
  (void)w;
  return 30 + r->nlen + xlen;
}

#define LOCAL_MAX (30 + 65535 + 20 + 2 * NPIO_ZIP_ALIGN)

/*
** The piece index (extra field NPIO_ZIP_PIECES_ID in the central entry of
** a deflated member cut in pieces): version 1, the piece count, then per
** piece its compressed and uncompressed sizes (8 bytes each) and the bit,
** counted from the piece's first byte, of the header of the empty stored
** block that closes it (4 bytes; 0 for the last piece). A reader may set
** that header's final bit in a copy of the piece and inflate the pieces
** in parallel; other readers skip the field.
*/
static int add_piece(zipw *w, const zjob *j) {
  unsigned char rec[20];
  npio_err e;
  if (w->pidx.len == 0 && npio_buf_add(&w->pidx, "\1\0\0\0\0", 5) != 0)
    goto nomem;
  wr64(rec, (uint64_t)j->outn);
  wr64(rec + 8, (uint64_t)j->n);
  wr32(rec + 16, j->last ? 0u : (uint32_t)j->syncbit);
  if (npio_buf_add(&w->pidx, rec, 20) != 0) goto nomem;
  w->npieces++;
  return NPIO_OK;
nomem:
  npio_seterr(&e, NPIO_ENOMEM, "out of memory");
  return fail(w, &e);
}

/* Keeps the member's piece index if it fits an extra field. */
static int finish_pieces(zipw *w, zrec *r) {
  npio_err e;
  if (w->pidx.len > 65535 - 64 - 4) return NPIO_OK;   /* too many: none */
  wr32((unsigned char *)w->pidx.p + 1, (uint32_t)w->npieces);
  r->pieces = (unsigned char *)malloc(w->pidx.len);
  if (r->pieces == NULL) {
    npio_seterr(&e, NPIO_ENOMEM, "out of memory");
    return fail(w, &e);
  }
  memcpy(r->pieces, w->pidx.p, w->pidx.len);
  r->pieces_len = w->pidx.len;
  return NPIO_OK;
}

/* Writes job j's bytes, with its member's local header first and the
** member's finishing touches after its last chunk. */
static int write_job(zipw *w, zjob *j) {
  zrec *r = &w->recs[j->rec];
  unsigned char *h = NULL;
  if (j->first) {
    h = (unsigned char *)malloc(LOCAL_MAX);
    if (h == NULL) {
      npio_err e;
      npio_seterr(&e, NPIO_ENOMEM, "out of memory");
      return fail(w, &e);
    }
    r->lho = w->pos;
    r->hdrlen = local_header(w, r, r->lho, h);
    if (sink_write(w, h, (size_t)r->hdrlen) != NPIO_OK) goto failed;
    w->mcrc = 0;
    w->mcsize = 0;
    w->pidx.len = 0;
    w->npieces = 0;
  }
  if (j->method == ZIP_DEFLATED && add_piece(w, j) != NPIO_OK) goto failed;
  if (j->method == ZIP_DEFLATED) {
    if (sink_write(w, j->out, j->outn) != NPIO_OK) goto failed;
    w->mcsize += (int64_t)j->outn;
  } else {
    if (sink_write(w, j->in, j->n) != NPIO_OK) goto failed;
    w->mcsize += (int64_t)j->n;
  }
  w->mcrc = zip_crc32_combine(w->mcrc, j->crc, (int64_t)j->n);
  w->written += (int64_t)j->n;
  if (j->last) {
    npio_err e;
    r->crc = w->mcrc;
    r->csize = w->mcsize;
    if (w->npieces > 1 && finish_pieces(w, r) != NPIO_OK) goto failed;
    if (!r->local64 && r->csize >= (int64_t)MAX32) {
      npio_seterr(&e, NPIO_EIO, "internal error: compressed size exceeds "
                  "the zip64 estimate");
      free(h);
      return fail(w, &e);
    }
    if (r->flags & 0x0008) {
      unsigned char d[24];
      size_t dn;
      wr32(d, 0x08074b50u);
      wr32(d + 4, r->crc);
      if (r->local64) {
        wr64(d + 8, (uint64_t)r->csize);
        wr64(d + 16, (uint64_t)r->usize);
        dn = 24;
      } else {
        wr32(d + 8, (uint32_t)r->csize);
        wr32(d + 12, (uint32_t)r->usize);
        dn = 16;
      }
      if (sink_write(w, d, dn) != NPIO_OK) goto failed;
    } else {
      if (h == NULL && (h = (unsigned char *)malloc(LOCAL_MAX)) == NULL) {
        npio_seterr(&e, NPIO_ENOMEM, "out of memory");
        return fail(w, &e);
      }
      if (local_header(w, r, r->lho, h) != r->hdrlen) {
        npio_seterr(&e, NPIO_EIO, "internal error: local header changed "
                    "length");
        free(h);
        return fail(w, &e);
      }
      if (sink_patch(w, h, (size_t)r->hdrlen, r->lho) != NPIO_OK) goto failed;
    }
  }
  free(h);
  if (w->o.progress && w->o.progress(w->o.progress_ud, w->written,
                                     w->o.total) != 0) {
    npio_err e;
    npio_seterr(&e, NPIO_EVALUE, "interrupted");
    return fail(w, &e);
  }
  return NPIO_OK;
failed:
  free(h);
  return w->err.code;
}

/* Waits for the oldest job (running queued ones meanwhile), writes it
** and drops it from the ring. */
static int retire_one(zipw *w) {
  zjob *j = w->ring[w->head];
  int st;
  if (w->nworkers > 0) {
    pthread_mutex_lock(&w->mu);
    while (j->state != JOB_DONE) {
      zjob *q = next_queued(w);
      if (q) {
        q->state = JOB_RUNNING;
        pthread_mutex_unlock(&w->mu);
        run_job(w, &w->mainctx, q);
        pthread_mutex_lock(&w->mu);
        q->state = JOB_DONE;
        pthread_cond_broadcast(&w->done);
      } else {
        pthread_cond_wait(&w->done, &w->mu);
      }
    }
    w->head = (w->head + 1) % w->ring_cap;
    w->count--;
    pthread_mutex_unlock(&w->mu);
  } else {
    if (j->state != JOB_DONE) {
      run_job(w, &w->mainctx, j);
      j->state = JOB_DONE;
    }
    w->head = (w->head + 1) % w->ring_cap;
    w->count--;
  }
  if (j->st != NPIO_OK) st = fail(w, &j->e);
  else st = write_job(w, j);
  job_free(j);
  return st;
}

/* Queues a job; writes the oldest ones while the ring is full. */
static int submit(zipw *w, zjob *j) {
  while (w->count >= w->ring_cap)
    if (retire_one(w) != NPIO_OK) { job_free(j); return w->err.code; }
  if (w->threads > 1 && w->tid == NULL) start_workers(w);
  if (w->nworkers > 0) {
    pthread_mutex_lock(&w->mu);
    w->ring[(w->head + w->count) % w->ring_cap] = j;
    w->count++;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
  } else {
    w->ring[(w->head + w->count) % w->ring_cap] = j;
    w->count++;
  }
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Opening
** ======================================================= */

static zipw *new_writer(const zipw_opts *o, npio_err *e) {
  zipw *w = (zipw *)calloc(1, sizeof(*w));
  if (w == NULL) {
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return NULL;
  }
  if (o) w->o = *o;
  else w->o.atomic = 1;
  if (w->o.level < 0 || w->o.level > 12) {
    npio_seterr(e, NPIO_EVALUE, "compression level %d is out of range "
                "(0..12)", w->o.level);
    free(w);
    return NULL;
  }
  w->threads = w->o.threads > 0 ? w->o.threads : zip_ncores();
  w->chunk = w->o.chunk > 0 ? w->o.chunk : (int64_t)NPIO_ZIP_CHUNK;
  if (w->threads > 64) w->threads = 64;
  w->ring_cap = w->threads + 2;
  w->ring = (zjob **)calloc((size_t)w->ring_cap, sizeof(zjob *));
  w->fd = -1;
  w->sf.fd = -1;
  w->cur = -1;
  if (w->ring == NULL) {
    free(w);
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return NULL;
  }
  return w;
}

/* Adds a record; returns its index or -1 (ENOMEM). */
static int64_t add_rec(zipw *w) {
  if (w->nrecs == w->caprecs) {
    int64_t nc = w->caprecs ? w->caprecs * 2 : 16;
    zrec *nr = (zrec *)realloc(w->recs, (size_t)nc * sizeof(zrec));
    if (nr == NULL) return -1;
    w->recs = nr;
    w->caprecs = nc;
  }
  memset(&w->recs[w->nrecs], 0, sizeof(zrec));
  return w->nrecs++;
}

/*
** Copies bytes [0, n) of 'src' into 'dst' (both at offset 0): a reflink
** clone when the file system offers one, else copy_file_range, else
** read/write. Leaves dst's offset at n.
*/
static int copy_prefix(int src, int dst, int64_t n, npio_err *e) {
  int64_t done = 0;
  if (ioctl(dst, FICLONE, src) == 0) {
    if (ftruncate(dst, (off_t)n) != 0)
      return npio_seterr(e, NPIO_EIO, "truncate failed: %s", strerror(errno));
    if (lseek(dst, (off_t)n, SEEK_SET) < 0)
      return npio_seterr(e, NPIO_EIO, "seek failed: %s", strerror(errno));
    return NPIO_OK;
  }
  {
    loff_t in = 0;
    while (done < n) {
      ssize_t k = copy_file_range(src, &in, dst, NULL, (size_t)(n - done), 0);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) break;
      done += k;
    }
  }
  if (done < n) {
    char *buf = (char *)malloc((size_t)1 << 20);
    if (buf == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    if (lseek(dst, (off_t)done, SEEK_SET) < 0) {
      free(buf);
      return npio_seterr(e, NPIO_EIO, "seek failed: %s", strerror(errno));
    }
    while (done < n) {
      size_t want = n - done > ((int64_t)1 << 20) ? (size_t)1 << 20
                                                   : (size_t)(n - done);
      ssize_t k = pread(src, buf, want, (off_t)done);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) {
        free(buf);
        return npio_seterr(e, NPIO_EIO, "reading the old archive failed: %s",
                           k < 0 ? strerror(errno) : "unexpected end");
      }
      if (npio_write_all(dst, buf, (size_t)k, e) != NPIO_OK) {
        free(buf);
        return e ? e->code : NPIO_EIO;
      }
      done += k;
    }
    free(buf);
  }
  return NPIO_OK;
}

/* Takes over the existing archive's entries as records (append mode). */
static int adopt_old(zipw *w, npio_err *e) {
  zip_reader *z = w->old;
  int64_t i;
  char nm[200];
  w->old_slot = (int64_t *)malloc((size_t)(z->n ? z->n : 1) * sizeof(int64_t));
  if (w->old_slot == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  for (i = 0; i < z->n; i++) {
    const zip_entry *en = &z->ent[i];
    int64_t k;
    zrec *r;
    if (en->bad != ZIP_OK_ENTRY) {
      size_t n;
      const char *s = zip_name(z, i, &n);
      snprintf(nm, sizeof(nm), "%.*s", (int)(n > 150 ? 150 : n), s);
      return npio_seterr(e, NPIO_EFORMAT, "cannot append: member '%s' of the "
                         "existing archive is not readable (overlapping, "
                         "encrypted or unknown method)", nm);
    }
    k = add_rec(w);
    if (k < 0) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    r = &w->recs[k];
    r->name = (char *)malloc(en->raw_len + 1u);
    if (r->name == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    memcpy(r->name, z->names + en->raw, en->raw_len);
    r->nlen = en->raw_len;
    r->method = en->method;
    r->flags = en->flags;
    r->made_by = en->made_by;
    r->needed = en->needed;
    r->mtime = en->mtime;
    r->mdate = en->mdate;
    r->ext_attr = en->ext_attr;
    r->crc = en->crc;
    r->lho = en->lho;
    r->csize = en->csize;
    r->usize = en->usize;
    if (en->pieces >= 0) {   /* keep its piece index */
      r->pieces = (unsigned char *)malloc(en->pieces_len);
      if (r->pieces == NULL)
        return npio_seterr(e, NPIO_ENOMEM, "out of memory");
      memcpy(r->pieces, z->extras + en->pieces, en->pieces_len);
      r->pieces_len = en->pieces_len;
    }
    w->old_slot[i] = k;
  }
  return NPIO_OK;
}

zipw *zipw_open_path(const char *path, const zipw_opts *o, npio_err *e) {
  zipw *w = new_writer(o, e);
  if (w == NULL) return NULL;
  if (w->o.append && access(path, F_OK) == 0) {
    w->old = zip_open_path(path, e);
    if (w->old == NULL) {
      char m[sizeof(e->msg)];
      snprintf(m, sizeof(m), "%s", e ? e->msg : "");
      npio_seterr(e, e ? e->code : NPIO_EFORMAT, "cannot append: %s", m);
      zipw_free(w);
      return NULL;
    }
    if (adopt_old(w, e) != NPIO_OK) { zipw_free(w); return NULL; }
    if (w->o.atomic) {
      w->sink = SINK_SAFE;
      if (npio_safe_open(&w->sf, path, 1, w->o.durable, e) != NPIO_OK) {
        w->sf.fd = -1;
        zipw_free(w);
        return NULL;
      }
      if (copy_prefix(w->old->fd, w->sf.fd, w->old->cd_off, e) != NPIO_OK) {
        zipw_free(w);
        return NULL;
      }
    } else {
      w->sink = SINK_FD;
      w->fd = open(path, O_RDWR | O_CLOEXEC);
      if (w->fd < 0 || lseek(w->fd, (off_t)w->old->cd_off, SEEK_SET) < 0) {
        npio_seterr(e, NPIO_EIO, "cannot open for appending: %s",
                    strerror(errno));
        zipw_free(w);
        return NULL;
      }
    }
    w->pos = w->old->cd_off;
    w->seekable = 1;
    return w;
  }
  w->sink = SINK_SAFE;
  if (npio_safe_open(&w->sf, path, w->o.atomic, w->o.durable, e) != NPIO_OK) {
    w->sf.fd = -1;
    zipw_free(w);
    return NULL;
  }
  w->seekable = 1;
  return w;
}

zipw *zipw_open_file(FILE *f, const zipw_opts *o, npio_err *e) {
  zipw *w = new_writer(o, e);
  off_t at;
  int fl;
  if (w == NULL) return NULL;
  if (w->o.append) {
    npio_seterr(e, NPIO_EVALUE, "mode \"a\" needs a path, not a file handle");
    zipw_free(w);
    return NULL;
  }
  w->sink = SINK_FILE;
  w->fp = f;
  at = ftello(f);
  fl = fcntl(fileno(f), F_GETFL);
  /* pwrite on an O_APPEND descriptor appends: use descriptors there */
  w->seekable = at >= 0 && fl >= 0 && !(fl & O_APPEND) &&
                lseek(fileno(f), 0, SEEK_CUR) >= 0;
  w->base = at >= 0 ? (int64_t)at : 0;
  return w;
}

void zipw_set_total(zipw *w, int64_t total, int64_t reserve) {
  int fd = w->sink == SINK_SAFE ? w->sf.fd : w->sink == SINK_FD ? w->fd : -1;
  w->o.total = total;
  /* Pieces of a quarter of the data, within [4, 16] MiB: an archive of a
  ** few big members still spreads over 4 threads, one of many members
  ** keeps its members whole (only non-final pieces cost a block walk).
  ** It depends on the data alone, so the output does not depend on the
  ** thread count. */
  if (w->o.chunk <= 0 && w->cur < 0 && w->nrecs == (w->old ? w->old->n : 0)) {
    int64_t c = total / 4;
    if (c < (int64_t)NPIO_ZIP_CHUNK) c = (int64_t)NPIO_ZIP_CHUNK;
    if (c > (int64_t)NPIO_ZIP_CHUNK * 4) c = (int64_t)NPIO_ZIP_CHUNK * 4;
    w->chunk = (c + 65535) & ~(int64_t)65535;
  }
  /* keep the size: the archive's final length is not known exactly */
  if (reserve > 0 && fd >= 0)
    (void)fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)w->pos, (off_t)reserve);
}

int64_t zipw_find_old(zipw *w, const char *name, size_t len) {
  return w->old ? zip_find(w->old, name, len) : -1;
}

/* }====================================================== */

/* {======================================================
** Feeding members
** ======================================================= */

static int check_usable(zipw *w, npio_err *e) {
  if (w->failed) {
    if (e) *e = w->err;
    return w->err.code;
  }
  return NPIO_OK;
}

int zipw_begin(zipw *w, const char *name, size_t len, int method,
               int64_t usize, npio_err *e) {
  int64_t k, slot = -1, old;
  zrec *r;
  npio_err err;
  if (check_usable(w, e) != NPIO_OK) return w->err.code;
  if (w->cur >= 0) {
    npio_seterr(&err, NPIO_EVALUE, "internal error: member not ended");
    goto bad;
  }
  if (len > 65535) {
    npio_seterr(&err, NPIO_EVALUE, "member name is %zu bytes; zip allows at "
                "most 65535", len);
    goto bad;
  }
  if (usize < 0) {
    npio_seterr(&err, NPIO_EVALUE, "negative member size");
    goto bad;
  }
  /* a member replacing one of the existing archive takes its slot */
  old = zipw_find_old(w, name, len);
  if (old >= 0) slot = w->old_slot[old];
  if (slot >= 0 && w->recs[slot].fresh) {
    npio_seterr(&err, NPIO_EVALUE, "duplicate member name '%.*s'",
                (int)(len > 150 ? 150 : len), name);
    goto bad;
  }
  if (slot >= 0) {
    k = slot;
    free(w->recs[k].name);
    free(w->recs[k].pieces);
    memset(&w->recs[k], 0, sizeof(zrec));
  } else {
    k = add_rec(w);
    if (k < 0) {
      npio_seterr(&err, NPIO_ENOMEM, "out of memory");
      goto bad;
    }
  }
  r = &w->recs[k];
  r->name = (char *)malloc(len + 1);
  if (r->name == NULL) {
    npio_seterr(&err, NPIO_ENOMEM, "out of memory");
    goto bad;
  }
  memcpy(r->name, name, len);
  r->nlen = (uint16_t)len;
  r->fresh = 1;
  r->method = (uint16_t)method;
  r->usize = usize;
  r->mtime = DOS_TIME;
  r->mdate = DOS_DATE;
  r->ext_attr = (uint32_t)0100644 << 16;    /* regular file, rw-r--r-- */
  r->local64 = w->o.force_zip64 || usize >= (int64_t)MAX32 ||
               (method == ZIP_DEFLATED &&
                deflate_bound(usize, w->chunk) >= (int64_t)MAX32);
  r->needed = r->local64 ? 45 : 20;
  r->made_by = (uint16_t)((3 << 8) | r->needed);   /* Unix */
  r->flags = is_ascii_name(name, len) ? 0 : 0x0800;
  if (!w->seekable) r->flags |= 0x0008;
  w->cur = k;
  w->fed = 0;
  return NPIO_OK;
bad:
  if (e) *e = err;
  return fail(w, &err);
}

/* Makes a job for bytes [p, p+n) of the current member. */
static int push_chunk(zipw *w, const unsigned char *p, size_t n,
                      unsigned char *own) {
  zrec *r = &w->recs[w->cur];
  zjob *j = (zjob *)calloc(1, sizeof(*j));
  if (j == NULL) {
    npio_err e;
    free(own);
    npio_seterr(&e, NPIO_ENOMEM, "out of memory");
    return fail(w, &e);
  }
  j->rec = w->cur;
  j->in = p;
  j->n = n;
  j->own = own;
  j->method = r->method;
  j->first = w->fed == 0;
  w->fed += (int64_t)n;
  j->last = w->fed == r->usize;
  j->state = JOB_QUEUED;
  return submit(w, j);
}

int zipw_data(zipw *w, const void *data, size_t n, int stable, npio_err *e) {
  const unsigned char *p = (const unsigned char *)data;
  zrec *r;
  if (check_usable(w, e) != NPIO_OK) return w->err.code;
  r = &w->recs[w->cur];
  if ((int64_t)n > r->usize - w->fed - (int64_t)w->stage_n) {
    npio_err err;
    npio_seterr(&err, NPIO_EVALUE, "internal error: more member data than "
                "declared");
    if (e) *e = err;
    return fail(w, &err);
  }
  while (n > 0) {
    int64_t start = w->fed + (int64_t)w->stage_n;   /* member offset of p */
    int64_t cend = (start / w->chunk + 1) * w->chunk;
    size_t room;
    if (cend > r->usize) cend = r->usize;
    room = (size_t)(cend - start);
    if (w->stage_n == 0 && stable && n >= room) {
      if (push_chunk(w, p, room, NULL) != NPIO_OK) goto failed;
      p += room;
      n -= room;
      continue;
    }
    if (w->stage == NULL) {
      w->stage_cap = (size_t)(cend - start);
      w->stage = (unsigned char *)malloc(w->stage_cap ? w->stage_cap : 1);
      if (w->stage == NULL) {
        npio_err err;
        npio_seterr(&err, NPIO_ENOMEM, "out of memory");
        fail(w, &err);
        goto failed;
      }
    }
    {
      size_t k = n < room ? n : room;
      memcpy(w->stage + w->stage_n, p, k);
      w->stage_n += k;
      p += k;
      n -= k;
      if (k == room) {
        unsigned char *s = w->stage;
        size_t sn = w->stage_n;
        w->stage = NULL;
        w->stage_n = 0;
        if (push_chunk(w, s, sn, s) != NPIO_OK) goto failed;
      }
    }
  }
  return NPIO_OK;
failed:
  if (e) *e = w->err;
  return w->err.code;
}

int zipw_end(zipw *w, npio_err *e) {
  zrec *r;
  if (check_usable(w, e) != NPIO_OK) return w->err.code;
  r = &w->recs[w->cur];
  if (w->fed + (int64_t)w->stage_n != r->usize) {
    npio_err err;
    npio_seterr(&err, NPIO_EVALUE, "internal error: member has %lld bytes, "
                "declared %lld", (long long)(w->fed + (int64_t)w->stage_n),
                (long long)r->usize);
    if (e) *e = err;
    return fail(w, &err);
  }
  if (r->usize == 0 &&
      push_chunk(w, (const unsigned char *)"", 0, NULL) != NPIO_OK) {
    if (e) *e = w->err;
    return w->err.code;
  }
  w->cur = -1;
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Central directory and end records
** ======================================================= */

/* Appends bytes to a growing buffer; on failure marks the writer. */
static int cd_add(zipw *w, npio_buf *b, const void *p, size_t n) {
  if (npio_buf_add(b, p, n) != 0) {
    npio_err e;
    npio_seterr(&e, NPIO_ENOMEM, "out of memory");
    return fail(w, &e);
  }
  return NPIO_OK;
}

static int write_central(zipw *w) {
  npio_buf b = {0};
  int64_t i, cd_off = w->pos, cd_size, n = w->nrecs;
  unsigned char h[46 + 28];
  int zip64_end;
  for (i = 0; i < n; i++) {
    zrec *r = &w->recs[i];
    unsigned char x[28];
    int xl = 0, z64u, z64c, z64o;
    if (r->name == NULL) continue;
    z64u = w->o.force_zip64 || r->usize >= (int64_t)MAX32;
    z64c = w->o.force_zip64 || r->csize >= (int64_t)MAX32;
    z64o = w->o.force_zip64 || r->lho >= (int64_t)MAX32;
    if (z64u || z64c || z64o) {
      wr16(x, 1);
      xl = 4;
      if (z64u) { wr64(x + xl, (uint64_t)r->usize); xl += 8; }
      if (z64c) { wr64(x + xl, (uint64_t)r->csize); xl += 8; }
      if (z64o) { wr64(x + xl, (uint64_t)r->lho); xl += 8; }
      wr16(x + 2, (unsigned)(xl - 4));
    }
    wr32(h, 0x02014b50u);
    {
      unsigned needed = r->needed, made = r->made_by;
      if (xl && needed < 45) needed = 45;
      if (xl && (made & 0xFF) < 45) made = (made & 0xFF00) | 45;
      wr16(h + 4, made);
      wr16(h + 6, needed);
    }
    wr16(h + 8, r->flags);
    wr16(h + 10, r->method);
    wr16(h + 12, r->mtime);
    wr16(h + 14, r->mdate);
    wr32(h + 16, r->crc);
    wr32(h + 20, z64c ? MAX32 : (uint32_t)r->csize);
    wr32(h + 24, z64u ? MAX32 : (uint32_t)r->usize);
    wr16(h + 28, r->nlen);
    wr16(h + 30, (unsigned)xl);
    wr16(h + 32, 0);
    wr16(h + 34, 0);
    wr16(h + 36, 0);
    wr32(h + 38, r->ext_attr);
    wr32(h + 42, z64o ? MAX32 : (uint32_t)r->lho);
    if (r->pieces) {
      unsigned char ph[4];
      wr16(ph, NPIO_ZIP_PIECES_ID);
      wr16(ph + 2, (unsigned)r->pieces_len);
      wr16(h + 30, (unsigned)(xl + 4 + (int)r->pieces_len));
      if (cd_add(w, &b, h, 46) || cd_add(w, &b, r->name, r->nlen) ||
          cd_add(w, &b, x, (size_t)xl) || cd_add(w, &b, ph, 4) ||
          cd_add(w, &b, r->pieces, r->pieces_len))
        goto failed;
    } else if (cd_add(w, &b, h, 46) || cd_add(w, &b, r->name, r->nlen) ||
               cd_add(w, &b, x, (size_t)xl)) {
      goto failed;
    }
    if (b.len >= ((size_t)1 << 20)) {
      if (sink_write(w, b.p, b.len) != NPIO_OK) goto failed;
      b.len = 0;
    }
  }
  if (sink_write(w, b.p, b.len) != NPIO_OK) goto failed;
  b.len = 0;
  cd_size = w->pos - cd_off;
  {
    int64_t live = 0;
    for (i = 0; i < n; i++) live += w->recs[i].name != NULL;
    n = live;
  }
  zip64_end = w->o.force_zip64 || n >= (int64_t)MAX16 ||
              cd_size >= (int64_t)MAX32 || cd_off >= (int64_t)MAX32;
  if (zip64_end) {
    unsigned char r64[56 + 20];
    int64_t at = w->pos;
    wr32(r64, 0x06064b50u);
    wr64(r64 + 4, 44);
    wr16(r64 + 12, (3 << 8) | 45);
    wr16(r64 + 14, 45);
    wr32(r64 + 16, 0);
    wr32(r64 + 20, 0);
    wr64(r64 + 24, (uint64_t)n);
    wr64(r64 + 32, (uint64_t)n);
    wr64(r64 + 40, (uint64_t)cd_size);
    wr64(r64 + 48, (uint64_t)cd_off);
    wr32(r64 + 56, 0x07064b50u);
    wr32(r64 + 60, 0);
    wr64(r64 + 64, (uint64_t)at);
    wr32(r64 + 72, 1);
    if (sink_write(w, r64, sizeof(r64)) != NPIO_OK) goto failed;
  }
  {
    unsigned char end[22];
    unsigned cnt = n >= (int64_t)MAX16 ? MAX16 : (unsigned)n;
    wr32(end, 0x06054b50u);
    wr16(end + 4, 0);
    wr16(end + 6, 0);
    wr16(end + 8, cnt);
    wr16(end + 10, cnt);
    wr32(end + 12, cd_size >= (int64_t)MAX32 ? MAX32 : (uint32_t)cd_size);
    wr32(end + 16, cd_off >= (int64_t)MAX32 ? MAX32 : (uint32_t)cd_off);
    wr16(end + 20, 0);
    if (sink_write(w, end, 22) != NPIO_OK) goto failed;
  }
  npio_buf_free(&b);
  return NPIO_OK;
failed:
  npio_buf_free(&b);
  return w->err.code;
}

static int cmp_recname(const void *a, const void *b) {
  const zrec *x = *(const zrec *const *)a, *y = *(const zrec *const *)b;
  size_t n = x->nlen < y->nlen ? x->nlen : y->nlen;
  int c = memcmp(x->name, y->name, n);
  if (c) return c;
  return x->nlen < y->nlen ? -1 : x->nlen > y->nlen;
}

/* Refuses two records with the same raw name. */
static int check_unique(zipw *w) {
  zrec **v;
  int64_t i, k = 0;
  npio_err e;
  v = (zrec **)malloc((size_t)(w->nrecs ? w->nrecs : 1) * sizeof(zrec *));
  if (v == NULL) {
    npio_seterr(&e, NPIO_ENOMEM, "out of memory");
    return fail(w, &e);
  }
  for (i = 0; i < w->nrecs; i++)
    if (w->recs[i].name) v[k++] = &w->recs[i];
  qsort(v, (size_t)k, sizeof(zrec *), cmp_recname);
  for (i = 1; i < k; i++)
    if (cmp_recname(&v[i - 1], &v[i]) == 0) {
      npio_seterr(&e, NPIO_EVALUE, "duplicate member name '%.*s'",
                  (int)(v[i]->nlen > 150 ? 150 : v[i]->nlen), v[i]->name);
      free(v);
      return fail(w, &e);
    }
  free(v);
  return NPIO_OK;
}

int zipw_commit(zipw *w, npio_err *e) {
  npio_err err;
  if (check_usable(w, e) != NPIO_OK) return w->err.code;
  if (w->cur >= 0) {
    npio_seterr(&err, NPIO_EVALUE, "internal error: member not ended");
    fail(w, &err);
    goto failed;
  }
  while (w->count > 0)
    if (retire_one(w) != NPIO_OK) goto failed;
  stop_workers(w);
  if (check_unique(w) != NPIO_OK) goto failed;
  if (write_central(w) != NPIO_OK) goto failed;
  if (w->sink == SINK_SAFE) {
    if (npio_safe_commit(&w->sf, &err) != NPIO_OK) {
      w->sf.fd = -1;
      fail(w, &err);
      goto failed;
    }
    w->sf.fd = -1;
  } else if (w->sink == SINK_FD) {
    int st = NPIO_OK;
    if (ftruncate(w->fd, (off_t)w->pos) != 0)
      st = npio_seterr(&err, NPIO_EIO, "truncate failed: %s", strerror(errno));
    else if (w->o.durable && fsync(w->fd) != 0)
      st = npio_seterr(&err, NPIO_EIO, "fsync failed: %s", strerror(errno));
    if (close(w->fd) != 0 && st == NPIO_OK)
      st = npio_seterr(&err, NPIO_EIO, "close failed: %s", strerror(errno));
    w->fd = -1;
    if (st != NPIO_OK) { fail(w, &err); goto failed; }
  } else if (fflush(w->fp) != 0) {
    npio_seterr(&err, NPIO_EIO, "write failed: %s", strerror(errno));
    fail(w, &err);
    goto failed;
  }
  w->sink = -1;            /* committed: free() has nothing to undo */
  return NPIO_OK;
failed:
  if (e) *e = w->err;
  return w->err.code;
}

void zipw_free(zipw *w) {
  int64_t i;
  if (w == NULL) return;
  stop_workers(w);
  while (w->count > 0) {
    job_free(w->ring[w->head]);
    w->head = (w->head + 1) % w->ring_cap;
    w->count--;
  }
  free(w->ring);
  free(w->stage);
  if (w->sink == SINK_SAFE && (w->sf.fd >= 0 || w->sf.path))
    npio_safe_abort(&w->sf);
  else if (w->sink == SINK_FD && w->fd >= 0)
    close(w->fd);
  for (i = 0; i < w->nrecs; i++) {
    free(w->recs[i].name);
    free(w->recs[i].pieces);
  }
  free(w->recs);
  npio_buf_free(&w->pidx);
  free(w->old_slot);
  zip_close(w->old);
  ctx_free(&w->mainctx);
  free(w);
}

/* }====================================================== */
