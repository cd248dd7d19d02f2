/*
** npio_int.h -- internal declarations shared by the format core.
** Nothing here includes Lua. Cross-file helpers carry a subsystem prefix
** and NPIOI_FUNC (hidden from the shared object's exports).
*/
#ifndef NPIO_INT_H
#define NPIO_INT_H

#include "npio.h"

#include <stdarg.h>
#include <stdbool.h>

#if defined(__GNUC__)
#define NPIOI_FUNC __attribute__((visibility("hidden"))) extern
#define npio_likely(x) __builtin_expect(!!(x), 1)
#define npio_unlikely(x) __builtin_expect(!!(x), 0)
#else
#define NPIOI_FUNC extern
#define npio_likely(x) (x)
#define npio_unlikely(x) (x)
#endif

#if !defined(NPIO_HUGE_ALLOC)
/* Blocks at least this big come from mmap with transparent huge pages. */
#define NPIO_HUGE_ALLOC (1u << 20)
#endif

/* {======================================================
** Checked arithmetic
** ======================================================= */

/* *r = a * b; returns 1 on overflow (or if either is negative). */
static inline int npio_mul_overflow(int64_t a, int64_t b, int64_t *r) {
  if (a < 0 || b < 0) return 1;
  return __builtin_mul_overflow(a, b, r);
}
static inline int npio_add_overflow(int64_t a, int64_t b, int64_t *r) {
  return __builtin_add_overflow(a, b, r);
}

/* 1 if this machine is little-endian. */
static inline int npio_little_endian(void) {
  const uint16_t one = 1;
  return *(const uint8_t *)&one == 1;
}
/* The byte-order character of native data. */
static inline char npio_native_order(void) {
  return npio_little_endian() ? '<' : '>';
}

/* Swaps every 'size'-byte word of n elements in place (size 2, 4, 8,
** 16; other sizes are reversed byte by byte). */
NPIOI_FUNC void npio_swap_inplace(void *p, int64_t n, int64_t size);
/* Copies n elements of 'size' bytes from src to dst, reversing each. */
NPIOI_FUNC void npio_swap_copy(void *dst, const void *src, int64_t n,
                               int64_t size);

/* 1 if the n bytes are valid UTF-8 (no overlongs, no surrogates). */
NPIOI_FUNC int npio_valid_utf8(const char *s, size_t n);

/* }====================================================== */

/* {======================================================
** Growable byte buffer (reserve, then commit)
** ======================================================= */

typedef struct npio_buf {
  char *p;
  size_t len, cap;
} npio_buf;

NPIOI_FUNC int npio_buf_reserve(npio_buf *b, size_t n);  /* 0 or ENOMEM */
NPIOI_FUNC int npio_buf_add(npio_buf *b, const void *p, size_t n);
NPIOI_FUNC int npio_buf_addstr(npio_buf *b, const char *s);
NPIOI_FUNC int npio_buf_printf(npio_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
NPIOI_FUNC void npio_buf_free(npio_buf *b);

/* }====================================================== */

/* {======================================================
** Python literals (the .npy header is one)
** ======================================================= */

enum { PYL_NONE, PYL_BOOL, PYL_INT, PYL_FLOAT, PYL_STR, PYL_TUPLE,
       PYL_LIST, PYL_DICT };

typedef struct pyl_node pyl_node;
struct pyl_node {
  int type;
  int big;             /* PYL_INT: does not fit int64; PYL_STR: b'..' */
  int64_t ival;        /* PYL_INT, PYL_BOOL */
  double fval;
  char *str;           /* PYL_STR: UTF-8, NUL-terminated */
  size_t slen;
  int n;               /* items (tuple/list) or pairs*2 (dict) */
  pyl_node **items;
};

#if !defined(NPIO_PYL_MAXDEPTH)
#define NPIO_PYL_MAXDEPTH 64
#endif

/* Parses one literal covering all of text (trailing white space
** allowed). 'allow_long' accepts Python 2's 10L. NULL on error. */
NPIOI_FUNC pyl_node *pyl_parse(const char *text, size_t len, int allow_long,
                               npio_err *e);
NPIOI_FUNC void pyl_free(pyl_node *n);
/* Writes repr(n) as Python does, for error messages (truncated). */
NPIOI_FUNC void pyl_repr(const pyl_node *n, npio_buf *b);
/* Writes Python's repr of a str. */
NPIOI_FUNC int pyl_repr_str(npio_buf *b, const char *s, size_t len);

/* }====================================================== */

NPIOI_FUNC npio_dtype *dtype_from_pyl(const pyl_node *n, npio_err *e);
NPIOI_FUNC int dtype_descr_buf(const npio_dtype *d, npio_buf *b);

#endif
