/*
** zip.h -- the zip container under .npz: a strict reader and a streaming,
** parallel writer. Plain C (no Lua); DEFLATE through libdeflate (one-shot
** compression of fixed-size chunks, one-shot decompression) and zlib
** (streaming inflate, CRC combination, block-boundary scan).
**
** Reader: zip_open_* validates the end records (zip64 too), the central
** directory and the names at open; overlapping entries, encrypted entries
** and unknown methods are listed but refused when read. Reading a member
** validates its local header against the central directory, bounds its
** data by the next entry, and checks sizes, stream end and CRC.
**
** Writer: members are fed as byte streams; each member is cut into fixed
** NPIO_ZIP_CHUNK pieces that worker threads compress (or CRC) in
** parallel, and the main thread writes them in order. Output bytes do not
** depend on the number of threads.
*/
#ifndef NPIO_ZIP_H
#define NPIO_ZIP_H

#include "npio_int.h"

#include <stdio.h>

/* Smallest piece of a member compressed as one job (pieces are a quarter
** of the archive's data, 4..16 MiB; see zipw_set_total). */
#if !defined(NPIO_ZIP_CHUNK)
#define NPIO_ZIP_CHUNK ((size_t)4 << 20)
#endif

/* Stored members' data start on this boundary inside the archive. */
#define NPIO_ZIP_ALIGN 64

/* Extra field id of npio's piece index (see zipw.c), "pn". */
#define NPIO_ZIP_PIECES_ID 0x6E70u

/* DEFLATE cannot expand by more than 1032:1; larger claims are lies. */
#define NPIO_ZIP_MAXRATIO 1032

enum { ZIP_STORED = 0, ZIP_DEFLATED = 8 };

/* Why an entry listed in the central directory cannot be read. */
enum {
  ZIP_OK_ENTRY = 0,
  ZIP_BAD_OVERLAP,     /* its bytes overlap another entry or the directory */
  ZIP_BAD_ENCRYPTED,   /* general purpose flag bit 0 or 6 */
  ZIP_BAD_METHOD,      /* not stored nor deflated */
  ZIP_BAD_BOUNDS       /* local header or data outside the file */
};

/* {======================================================
** Reader
** ======================================================= */

typedef struct zip_entry {
  int64_t lho;           /* offset of the local header */
  int64_t csize, usize;  /* compressed / uncompressed sizes */
  int64_t limit;         /* the entry's bytes must end before this offset */
  int64_t name;          /* offset of the (UTF-8) name in zip_reader.names */
  int64_t raw;           /* offset of the raw name bytes (== name if same) */
  uint32_t crc;
  uint32_t ext_attr;
  uint16_t name_len, raw_len;
  uint16_t method, flags;
  uint16_t made_by, needed;
  uint16_t mtime, mdate;
  uint8_t bad;           /* ZIP_BAD_* */
  int32_t overlaps;      /* the other entry for ZIP_BAD_OVERLAP, or -1 */
  int64_t pieces;        /* offset of its piece index in zip_reader.extras,
                            or -1 */
  uint32_t pieces_len;
} zip_entry;

typedef struct zip_reader {
  int fd;                /* -1 for a memory source */
  int own_fd;
  const unsigned char *mem;
  int64_t size;          /* bytes in the source */
  int64_t n;             /* entries, central directory order */
  zip_entry *ent;
  char *names;           /* every name, NUL-terminated */
  size_t names_len;
  int64_t *by_name;      /* entry indices sorted by name */
  unsigned char *extras; /* piece indexes (NPIO_ZIP_PIECES_ID) */
  size_t extras_len;
  int64_t cd_off, cd_size;
  int64_t end_off;       /* offset of the (zip64) end record */
  int zip64;             /* the archive has a zip64 end record */
} zip_reader;

/* Opens 'path' / an fd (dup'd: the caller keeps its own) / memory (not
** copied: it must outlive the reader). Fills 'e' and returns NULL on a
** malformed archive. */
NPIOI_FUNC zip_reader *zip_open_path(const char *path, npio_err *e);
NPIOI_FUNC zip_reader *zip_open_fd(int fd, npio_err *e);
NPIOI_FUNC zip_reader *zip_open_mem(const void *p, size_t n, npio_err *e);
NPIOI_FUNC void zip_close(zip_reader *z);                /* accepts NULL */

NPIOI_FUNC const char *zip_name(const zip_reader *z, int64_t i, size_t *len);
/* Index of the entry named exactly 'name', or -1. */
NPIOI_FUNC int64_t zip_find(const zip_reader *z, const char *name,
                            size_t len);

/* A located member: where its data is, after checking the local header. */
typedef struct zip_loc {
  int64_t index;
  int64_t data_off;      /* first byte of the (compressed) data */
  int64_t csize, usize;
  uint32_t crc;
  int method;
} zip_loc;

/* Validates entry i's local header and bounds; fills 'loc'. Messages
** start with "member '<name>': ". */
NPIOI_FUNC int zip_locate(zip_reader *z, int64_t i, zip_loc *loc,
                          npio_err *e);

/* Streaming read of a located member (bounded memory). At the end of
** the data it checks the size, the end of the DEFLATE stream and the CRC;
** zip_stream_read then returns 0. */
typedef struct zip_stream zip_stream;
NPIOI_FUNC zip_stream *zip_stream_open(zip_reader *z, const zip_loc *loc,
                                       npio_err *e);
/* Reads up to n bytes; returns the count, 0 at the verified end, -1 on
** error (with 'e'). */
NPIOI_FUNC int64_t zip_stream_read(zip_stream *s, void *buf, size_t n,
                                   npio_err *e);
/* Reads exactly n bytes (fewer only at the end); -1 on error. */
NPIOI_FUNC int64_t zip_stream_readfull(zip_stream *s, void *buf, size_t n,
                                       npio_err *e);
NPIOI_FUNC void zip_stream_close(zip_stream *s);          /* accepts NULL */

/* Reads the whole member into 'out' (loc->usize bytes), verifying size,
** stream end and CRC: stored data with pread, DEFLATE in one shot from a
** read-only map of the archive. 'out' must hold loc->usize bytes. */
NPIOI_FUNC int zip_extract(zip_reader *z, const zip_loc *loc, void *out,
                           npio_err *e);
/* Reads bytes [off, off+n) of a stored member straight into 'out' and
** returns their CRC-32 in *crc (parallel pread + CRC for large n). */
NPIOI_FUNC int zip_read_stored(zip_reader *z, const zip_loc *loc,
                               int64_t off, void *out, int64_t n,
                               uint32_t *crc, npio_err *e);
/* Checks a CRC computed by the caller over the whole member. */
NPIOI_FUNC int zip_check_crc(zip_reader *z, const zip_loc *loc, uint32_t crc,
                             npio_err *e);

/* }====================================================== */

/* {======================================================
** CRC-32 (libdeflate's, with zlib's combination)
** ======================================================= */

NPIOI_FUNC uint32_t zip_crc32(uint32_t crc, const void *p, size_t n);
NPIOI_FUNC uint32_t zip_crc32_combine(uint32_t a, uint32_t b, int64_t blen);
/* CRC of a large buffer on up to 'threads' threads. */
NPIOI_FUNC uint32_t zip_crc32_par(const void *p, size_t n, int threads);
/* Number of threads to use by default (online cores, at least 1). */
NPIOI_FUNC int zip_ncores(void);

/* Walks a complete raw DEFLATE stream: the bit offset of its last
** block's header and of the end of that block. 0 on success, -1 if the
** stream is not valid (zipscan.c). */
NPIOI_FUNC int zip_deflate_scan(const unsigned char *in, size_t n,
                                int64_t *lasthdr, int64_t *endbit);

/* }====================================================== */

/* {======================================================
** Writer
** ======================================================= */

typedef struct zipw zipw;

typedef struct zipw_opts {
  int level;             /* DEFLATE level 0..12 (libdeflate scale) */
  int threads;           /* 0: one per core */
  int force_zip64;       /* zip64 records for every entry and the end */
  int atomic, durable;   /* for paths: temp + rename, fsync */
  int append;            /* keep the existing archive's members */
  /* Called on the main thread as data is written; non-zero aborts. */
  int (*progress)(void *ud, int64_t done, int64_t total);
  void *progress_ud;
  int64_t total;         /* expected uncompressed bytes, for progress */
  int64_t chunk;         /* bytes per job; 0: NPIO_ZIP_CHUNK (tests only) */
} zipw_opts;

/* Opens a writer on 'path' (atomically unless !atomic; with 'append' an
** existing archive there is validated and its members kept). */
NPIOI_FUNC zipw *zipw_open_path(const char *path, const zipw_opts *o,
                                npio_err *e);
/* Opens a writer on a stdio stream at its current position (seekable
** streams get patched local headers, others data descriptors). */
NPIOI_FUNC zipw *zipw_open_file(FILE *f, const zipw_opts *o, npio_err *e);
/* The existing archive's entry named 'name' (append mode), or -1. */
NPIOI_FUNC int64_t zipw_find_old(zipw *w, const char *name, size_t len);
/* Starts a member: 'usize' is its exact uncompressed size. */
NPIOI_FUNC int zipw_begin(zipw *w, const char *name, size_t len, int method,
                          int64_t usize, npio_err *e);
/* Feeds member bytes. With 'stable' the memory stays valid and unchanged
** until zipw_commit returns (so whole chunks are used in place). */
NPIOI_FUNC int zipw_data(zipw *w, const void *p, size_t n, int stable,
                         npio_err *e);
NPIOI_FUNC int zipw_end(zipw *w, npio_err *e);
/* Sets the expected total of member bytes (for progress and the piece
** size; call it before the first member) and reserves 'reserve' bytes of
** disk for the output if > 0 (best effort). */
NPIOI_FUNC void zipw_set_total(zipw *w, int64_t total, int64_t reserve);
/* Writes the central directory and the end records and commits the file.
** The writer is finished (free it) whatever the result. */
NPIOI_FUNC int zipw_commit(zipw *w, npio_err *e);
/* Frees a writer; before a successful commit this aborts (removes the
** temporary file). Accepts NULL. */
NPIOI_FUNC void zipw_free(zipw *w);

/* }====================================================== */

#endif
