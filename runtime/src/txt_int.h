/*
** txt_int.h -- internal declarations shared by the text I/O core
** (txt_*.c). No Lua here.
*/
#ifndef TXT_INT_H
#define TXT_INT_H

#include "npio_int.h"
#include "npio.h"
#include "txt_num.h"

#include <pthread.h>

#if !defined(TXT_BLOCK)
/* Bytes read per block (rows are parsed a block at a time). */
#define TXT_BLOCK ((size_t)4 << 20)
#endif

/* The block size in use (TXT_BLOCK unless a test changed it to reach
** block boundaries with small inputs). */
NPIOI_FUNC size_t txt_block(void);
NPIOI_FUNC void txt_set_block(size_t n);

#if !defined(TXT_MAX_LINE)
/* Default longest line (opts.max_line overrides it). */
#define TXT_MAX_LINE ((int64_t)128 << 20)
#endif

#if !defined(TXT_MAX_THREADS)
#define TXT_MAX_THREADS 8
#endif

/* {======================================================
** Sources (txt_src.c)
** ======================================================= */

/* Reads up to n bytes of UTF-8 text into buf; 0 at the end, -1 on error
** (with 'e' filled). Never returns a partial UTF-8 sequence split from
** a converted encoding. */
NPIOI_FUNC int64_t txt_src_read(npio_txt_src *s, char *buf, size_t n,
                                npio_err *e);
/* Reads one line (up to and including its \n, \r or \r\n) of a FILE
** source, for sources that must not read ahead; 0 at the end. */
NPIOI_FUNC int64_t txt_src_readline(npio_txt_src *s, npio_buf *b,
                                    npio_err *e);
/* 1 if reads must stop right after the rows used (a FILE that cannot
** seek back): the caller then reads line by line. */
NPIOI_FUNC int txt_src_linewise(npio_txt_src *s);
/* Tells the source that only the first 'used' bytes of text handed out
** were used; a seekable FILE is put back right after them at close. */
NPIOI_FUNC void txt_src_used(npio_txt_src *s, int64_t used);
/* Starts over from the beginning (for two-pass reads). */
NPIOI_FUNC int txt_src_rewind(npio_txt_src *s, npio_err *e);
/* The name for messages, the total size (-1 if unknown), bytes read. */
NPIOI_FUNC const char *txt_src_name(const npio_txt_src *s);
NPIOI_FUNC int64_t txt_src_total(const npio_txt_src *s);
NPIOI_FUNC int64_t txt_src_done(const npio_txt_src *s);
/* Whether lines come from a list (no newline translation in quotes). */
NPIOI_FUNC int txt_src_is_list(const npio_txt_src *s);

/* }====================================================== */

/* {======================================================
** Blocks of whole lines (txt_util.c)
** ======================================================= */

/*
** The reader cuts the text into blocks that end after a line end (or
** at the end of the text). 'line0' is the 1-based number of the first
** line of the block; it is only known once earlier blocks are counted,
** so workers count lines relative to the block.
*/
typedef struct txt_reader {
  npio_txt_src *src;
  char *buf;             /* carry-over plus new text */
  size_t len, cap;
  int eof;
  int64_t max_line;
  int64_t handed;        /* bytes handed out in blocks so far */
  int linewise;          /* read one line per call */
  npio_buf line;         /* linewise: the current line */
} txt_reader;

NPIOI_FUNC void txt_reader_init(txt_reader *r, npio_txt_src *src,
                                int64_t max_line);
NPIOI_FUNC void txt_reader_free(txt_reader *r);
/*
** Fills 'blk' (malloc'd, *cap bytes, grown as needed) with the next
** block of whole lines, at most about 'want' bytes; *n gets its size
** (0 at the end). In linewise mode a block is one line.
*/
NPIOI_FUNC int txt_reader_next(txt_reader *r, char **blk, size_t *cap,
                               size_t *n, size_t want, npio_err *e);
/* Frees a block buffer filled by txt_reader_next (memory maps with
** huge pages, so a fresh process does not fault 4 KiB at a time). */
NPIOI_FUNC void txt_block_free(char *blk, size_t cap);
/* Puts [p, p+n) back in front of the text still to come (a row that
** continues past the block, inside a quoted field). */
NPIOI_FUNC int txt_reader_unget(txt_reader *r, const char *p, size_t n,
                                npio_err *e);
/*
** Sets bit i of 'bits' ((n + 63) / 64 words) when p[i] is one of the
** nset (1..4) bytes in 'set'; bits past n are zero. SSE2 when built for
** it, byte by byte otherwise. Returns 1 when every byte is ASCII.
*/
NPIOI_FUNC int txt_sepmap(const char *p, size_t n, const char *set,
                          int nset, uint64_t *bits);
/* Position of the first set bit at or after pos (n if none). */
static inline size_t txt_nextsep(const uint64_t *bits, size_t n,
                                 size_t pos) {
  size_t w = pos >> 6;
  uint64_t x;
  if (pos >= n) return n;
  x = bits[w] & (~0ull << (pos & 63));
  while (x == 0) {
    w++;
    if (w * 64 >= n) return n;
    x = bits[w];
  }
  pos = w * 64 + (size_t)__builtin_ctzll(x);
  return pos < n ? pos : n;
}
/* Counts line ends (\n, \r, \r\n) in [p, p+n). */
NPIOI_FUNC int64_t txt_count_lines(const char *p, size_t n);
/* Checks [p, p+n) is valid UTF-8; returns the offset of the first bad
** byte or -1. */
NPIOI_FUNC int64_t txt_utf8_check(const char *p, size_t n);

/* }====================================================== */

/* {======================================================
** Growable result memory (txt_util.c)
** ======================================================= */

/*
** Memory for a result of unknown size: an anonymous map grown with
** mremap (no copy, no doubling peak), charged to the memory hook as it
** grows. txt_grow_finish hands it to an npio_array.
*/
typedef struct txt_grow {
  char *p;
  size_t len, cap;
  const npio_memhook *hook;
  int64_t charged;
} txt_grow;

NPIOI_FUNC void txt_grow_init(txt_grow *g, const npio_memhook *hook);
/* Ensures room for n more bytes. */
NPIOI_FUNC int txt_grow_reserve(txt_grow *g, size_t n, npio_err *e);
/* Room for n more bytes: 0, or -1 when out of memory (no message). */
static inline int txt_grow_room(txt_grow *g, size_t n) {
  if (g->p != NULL && g->cap - g->len >= n) return 0;
  return txt_grow_reserve(g, n, NULL) == NPIO_OK ? 0 : -1;
}
NPIOI_FUNC void txt_grow_free(txt_grow *g);
/* Makes 'out' a C-order array of dtype/shape over the first nbytes of
** g (which must hold them); g is emptied. */
NPIOI_FUNC int txt_grow_finish(txt_grow *g, npio_dtype *dt, int ndim,
                               const int64_t *shape, npio_array *out,
                               npio_err *e);

/* }====================================================== */

/* {======================================================
** Progress (txt_util.c)
** ======================================================= */

typedef struct txt_progress {
  npio_progress_fn fn;
  void *ud;
  double t0, last;
  int shown;              /* the terminal bar was drawn */
  int tty;
} txt_progress;

NPIOI_FUNC void txt_progress_init(txt_progress *p, npio_progress_fn fn,
                                  void *ud, int bar);
/* Reports; returns non-zero if the callback asked to stop. */
NPIOI_FUNC int txt_progress_step(txt_progress *p, int64_t done,
                                 int64_t total);
NPIOI_FUNC void txt_progress_end(txt_progress *p, int64_t done,
                                 int64_t total);
NPIOI_FUNC double txt_now(void);

/* }====================================================== */

/* {======================================================
** Ordered parallel work (txt_util.c)
** ======================================================= */

/*
** A pool of worker threads running 'fn(ctx, job)' on jobs submitted in
** order; txt_pool_wait returns jobs in the order they were submitted.
** With nthreads == 0 the job runs at submit time on the caller.
*/
typedef struct txt_job {
  void *data;             /* the caller's job object */
  int done;
  struct txt_job *next;
} txt_job;

typedef struct txt_pool {
  int nthreads;
  pthread_t th[TXT_MAX_THREADS];
  pthread_mutex_t mu;
  pthread_cond_t cv_work, cv_done;
  txt_job *head, *tail;   /* submitted, not yet taken */
  int stop;
  void (*fn)(void *ctx, void *job);
  void *ctx;
} txt_pool;

NPIOI_FUNC int txt_ncpu(void);
/* Default parser threads: one more than the cores (at most
** TXT_MAX_THREADS), so a core never idles while the reading thread
** reads or joins rows. One core gets one thread. */
static inline int txt_parse_threads(void) {
  int n = txt_ncpu();
  return n <= 1 ? 1 : (n + 1 > TXT_MAX_THREADS ? TXT_MAX_THREADS : n + 1);
}
NPIOI_FUNC int txt_pool_start(txt_pool *p, int nthreads,
                              void (*fn)(void *, void *), void *ctx);
NPIOI_FUNC void txt_pool_submit(txt_pool *p, txt_job *j);
NPIOI_FUNC void txt_pool_wait(txt_pool *p, txt_job *j);
NPIOI_FUNC void txt_pool_stop(txt_pool *p);

/* }====================================================== */

/* {======================================================
** Columns and element conversion (txt_conv.c)
** ======================================================= */

enum {
  TC_F64, TC_F32, TC_F16, TC_F128, TC_C128, TC_C64, TC_C256,
  TC_I8, TC_I16, TC_I32, TC_I64, TC_U8, TC_U16, TC_U32, TC_U64,
  TC_BOOL, TC_S, TC_U, TC_OTHER
};

/* One result element per field: where it goes and how to convert. */
typedef struct txt_col {
  int kind;               /* TC_* */
  int64_t offset;         /* byte offset in the row record */
  int64_t size;           /* element size */
  int swap;               /* stored in non-native byte order */
  const npio_dtype *dt;   /* the element's dtype */
} txt_col;

/* The element kind for a simple dtype (TC_OTHER if unsupported). */
NPIOI_FUNC int txt_col_kind(const npio_dtype *d);
/* Flattens 'd' into its leaf elements (structured fields, subarray
** elements) appended to *cols; returns the count or -1 (ENOMEM). */
NPIOI_FUNC int txt_flatten(const npio_dtype *d, int64_t base, txt_col **cols,
                           int *n, int *cap);
/* dtype name for messages ("float64", "int32", "S5", ...). */
NPIOI_FUNC const char *txt_kind_name(const txt_col *c, char *buf, size_t n);

/* Conversion results. */
enum { TXT_OK = 0, TXT_EBAD, TXT_ERANGE, TXT_ELATIN1 };

/*
** loadtxt's conversion (NumPy's C reader): numbers with Python's float
** grammar, white space stripped; ints fall back to a float that is
** truncated; bool from an integer; S as latin-1; U as UCS4.
*/
NPIOI_FUNC int txt_conv_loadtxt(const txt_col *c, const char *s, size_t n,
                                char unit, char *dst);

/* Python-level conversions used by genfromtxt: float(), int(), complex(),
** str2bool; 0 on success. */
NPIOI_FUNC int txt_py_float(const char *s, size_t n, double *out);
NPIOI_FUNC int txt_py_int(const char *s, size_t n, int64_t *out, int *big);
NPIOI_FUNC int txt_py_complex(const char *s, size_t n, double *re,
                              double *im);
NPIOI_FUNC int txt_py_bool(const char *s, size_t n, int *out);
/* Stores a double / int64 / complex into element kind c (casting). */
NPIOI_FUNC void txt_store_double(const txt_col *c, double v, char *dst);
NPIOI_FUNC int txt_store_int(const txt_col *c, int64_t v, uint64_t uv,
                             int is_unsigned, char *dst);
NPIOI_FUNC void txt_store_complex(const txt_col *c, double re, double im,
                                  char *dst);
/* Stores text as S (latin-1 bytes, error if a character is above 255)
** or U (UCS4); truncates and pads with zeros. */
NPIOI_FUNC int txt_store_text(const txt_col *c, const char *s, size_t n,
                              char *dst);
/* Characters in UTF-8 text; and latin-1 encodability. */
NPIOI_FUNC size_t txt_utf8_len(const char *s, size_t n);
NPIOI_FUNC int txt_latin1_ok(const char *s, size_t n);
/* Byte-swaps an element of kind c in place. */
NPIOI_FUNC void txt_swap_elem(const txt_col *c, char *p);

/* Stores a converter's value into element kind c with NumPy's rules for
** packing a Python object (strings are parsed as loadtxt parses text,
** floats truncate into ints). */
NPIOI_FUNC int txt_store_scalar(const txt_col *c, const npio_scalar *v,
                                char unit, char *dst);

/* Puts "prefix: " in front of e's message (the message is copied first,
** so it may be e->msg itself); returns e->code. */
NPIOI_FUNC int txt_prefix_err(npio_err *e, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Quotes text for a message: "1.2.3" (cut to about 60 bytes). */
NPIOI_FUNC void txt_quote(char *out, size_t cap, const char *s, size_t n);

/* }====================================================== */

#endif
