/*
** util.c -- errors, byte swapping and the growable byte buffer shared by
** the format core.
*/
#include "npio_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int npio_seterr(npio_err *e, int code, const char *fmt, ...) {
  if (e != NULL) {
    va_list ap;
    va_start(ap, fmt);
    e->code = code;
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
  }
  return code;
}

/* {======================================================
** Byte order
** ======================================================= */

void npio_swap_inplace(void *p, int64_t n, int64_t size) {
  npio_swap_copy(p, p, n, size);
}

/*
** Reverses the bytes of each of n 'size'-byte words. dst may equal src.
** The fixed sizes use bswap builtins on memcpy'd words, so unaligned data
** is fine and the compiler turns the loops into vector shuffles.
*/
void npio_swap_copy(void *dst, const void *src, int64_t n, int64_t size) {
  char *d = (char *)dst;
  const char *s = (const char *)src;
  int64_t i;
  switch (size) {
    case 1:
      if (d != s) memmove(d, s, (size_t)n);
      return;
    case 2:
      for (i = 0; i < n; i++) {
        uint16_t w; memcpy(&w, s + 2 * i, 2);
        w = __builtin_bswap16(w); memcpy(d + 2 * i, &w, 2);
      }
      return;
    case 4:
      for (i = 0; i < n; i++) {
        uint32_t w; memcpy(&w, s + 4 * i, 4);
        w = __builtin_bswap32(w); memcpy(d + 4 * i, &w, 4);
      }
      return;
    case 8:
      for (i = 0; i < n; i++) {
        uint64_t w; memcpy(&w, s + 8 * i, 8);
        w = __builtin_bswap64(w); memcpy(d + 8 * i, &w, 8);
      }
      return;
    default:
      for (i = 0; i < n; i++) {
        char tmp[64];
        const char *e = s + size * i;
        char *o = d + size * i;
        int64_t k;
        if (size <= (int64_t)sizeof(tmp)) {
          for (k = 0; k < size; k++) tmp[k] = e[size - 1 - k];
          memcpy(o, tmp, (size_t)size);
        } else {  /* huge words: swap pairs in place after a copy */
          if (o != e) memmove(o, e, (size_t)size);
          for (k = 0; k < size / 2; k++) {
            char c = o[k]; o[k] = o[size - 1 - k]; o[size - 1 - k] = c;
          }
        }
      }
      return;
  }
}

/* }====================================================== */

int npio_valid_utf8(const char *text, size_t n) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t k, len;
    uint32_t cp;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (i + len > n) return 0;
    for (k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return 0;
    i += len;
  }
  return 1;
}

/* {======================================================
** npio_buf
** ======================================================= */

int npio_buf_reserve(npio_buf *b, size_t n) {
  size_t need, ncap;
  char *np_;
  if (n <= b->cap - b->len && b->p != NULL) return NPIO_OK;
  if (n > SIZE_MAX - b->len - 1) return NPIO_ENOMEM;
  need = b->len + n + 1;              /* room for a terminating NUL */
  ncap = b->cap ? b->cap : 64;
  while (ncap < need) ncap = (ncap > SIZE_MAX / 2) ? need : ncap * 2;
  np_ = (char *)realloc(b->p, ncap);
  if (np_ == NULL) return NPIO_ENOMEM;
  b->p = np_;
  b->cap = ncap - 1;
  return NPIO_OK;
}

int npio_buf_add(npio_buf *b, const void *p, size_t n) {
  if (npio_buf_reserve(b, n) != NPIO_OK) return NPIO_ENOMEM;
  if (n) memcpy(b->p + b->len, p, n);
  b->len += n;
  b->p[b->len] = '\0';
  return NPIO_OK;
}

int npio_buf_addstr(npio_buf *b, const char *s) {
  return npio_buf_add(b, s, strlen(s));
}

int npio_buf_printf(npio_buf *b, const char *fmt, ...) {
  va_list ap;
  int n;
  char small[256];
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof(small), fmt, ap);
  va_end(ap);
  if (n < 0) return NPIO_ENOMEM;
  if ((size_t)n < sizeof(small)) return npio_buf_add(b, small, (size_t)n);
  if (npio_buf_reserve(b, (size_t)n) != NPIO_OK) return NPIO_ENOMEM;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return NPIO_OK;
}

void npio_buf_free(npio_buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

/* }====================================================== */
