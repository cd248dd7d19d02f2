/*
** txt_conv.c -- field text to array elements, with the rules of NumPy's
** C loadtxt (txt_conv_loadtxt) and of the Python functions genfromtxt
** calls (float(), int(), complex(), str2bool).
*/
#include "txt_int.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* {======================================================
** Columns
** ======================================================= */

int txt_col_kind(const npio_dtype *d) {
  if (d->nfields > 0 || d->base != NULL) return TC_OTHER;
  switch (d->kind) {
    case 'f':
      return d->itemsize == 8 ? TC_F64 : d->itemsize == 4 ? TC_F32
           : d->itemsize == 2 ? TC_F16 : TC_F128;
    case 'c':
      return d->itemsize == 16 ? TC_C128 : d->itemsize == 8 ? TC_C64
           : TC_C256;
    case 'i':
      return d->itemsize == 1 ? TC_I8 : d->itemsize == 2 ? TC_I16
           : d->itemsize == 4 ? TC_I32 : TC_I64;
    case 'u':
      return d->itemsize == 1 ? TC_U8 : d->itemsize == 2 ? TC_U16
           : d->itemsize == 4 ? TC_U32 : TC_U64;
    case 'b': return TC_BOOL;
    case 'S': return TC_S;
    case 'U': return TC_U;
    default: return TC_OTHER;
  }
}

int txt_flatten(const npio_dtype *d, int64_t base, txt_col **cols, int *n,
                int *cap) {
  int i;
  if (d->base != NULL) {                 /* subarray: each element */
    int64_t k, count = 1;
    for (i = 0; i < d->sub_ndim; i++) count *= d->sub_shape[i];
    for (k = 0; k < count; k++)
      if (txt_flatten(d->base, base + k * d->base->itemsize, cols, n, cap) < 0)
        return -1;
    return *n;
  }
  if (d->nfields > 0) {
    for (i = 0; i < d->nfields; i++)
      if (txt_flatten(d->fields[i].type, base + d->fields[i].offset, cols, n,
                      cap) < 0)
        return -1;
    return *n;
  }
  if (*n == *cap) {
    int nc = *cap ? *cap * 2 : 8;
    txt_col *q = (txt_col *)realloc(*cols, (size_t)nc * sizeof **cols);
    if (q == NULL) return -1;
    *cols = q;
    *cap = nc;
  }
  {
    txt_col *c = &(*cols)[(*n)++];
    memset(c, 0, sizeof *c);
    c->kind = txt_col_kind(d);
    c->offset = base;
    c->size = d->itemsize;
    c->swap = !npio_dtype_isnative(d);
    c->dt = d;
  }
  return *n;
}

const char *txt_kind_name(const txt_col *c, char *buf, size_t n) {
  static const char *const names[] = {
    "float64", "float32", "float16", "float128", "complex128", "complex64",
    "complex256", "int8", "int16", "int32", "int64", "uint8", "uint16",
    "uint32", "uint64", "bool"
  };
  if (c->kind < TC_S) return names[c->kind];
  if (c->kind == TC_S) snprintf(buf, n, "S%lld", (long long)c->size);
  else if (c->kind == TC_U) snprintf(buf, n, "U%lld", (long long)c->size / 4);
  else snprintf(buf, n, "%c%lld", c->dt ? c->dt->kind : '?',
                (long long)c->size);
  return buf;
}

int txt_prefix_err(npio_err *e, const char *fmt, ...) {
  char old[sizeof e->msg], pre[256];
  va_list ap;
  memcpy(old, e->msg, sizeof old);
  old[sizeof old - 1] = '\0';
  va_start(ap, fmt);
  vsnprintf(pre, sizeof pre, fmt, ap);
  va_end(ap);
  snprintf(e->msg, sizeof e->msg, "%.200s: %.300s", pre, old);
  return e->code;
}

void txt_quote(char *out, size_t cap, const char *s, size_t n) {
  size_t k = 0, i;
  int cut = 0;
  if (cap < 16) { if (cap) out[0] = '\0'; return; }
  if (n > 60) { n = 60; cut = 1; }
  out[k++] = '"';
  for (i = 0; i < n && k + 8 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') { out[k++] = '\\'; out[k++] = (char)c; }
    else if (c < 0x20 || c == 0x7F) {
      k += (size_t)snprintf(out + k, cap - k, "\\x%02x", c);
    } else out[k++] = (char)c;
  }
  if (cut && k + 5 < cap) { memcpy(out + k, "...", 3); k += 3; }
  out[k++] = '"';
  out[k] = '\0';
}

/* }====================================================== */

/* {======================================================
** Storing values
** ======================================================= */

void txt_swap_elem(const txt_col *c, char *p) {
  if (c->kind == TC_C128 || c->kind == TC_C64 || c->kind == TC_C256) {
    npio_swap_inplace(p, 2, c->size / 2);
  } else if (c->kind == TC_U) {
    npio_swap_inplace(p, c->size / 4, 4);
  } else if (c->kind != TC_S && c->size > 1) {
    npio_swap_inplace(p, 1, c->size);
  }
}

void txt_store_double(const txt_col *c, double v, char *dst) {
  switch (c->kind) {
    case TC_F64: memcpy(dst, &v, 8); break;
    case TC_F32: { float f = (float)v; memcpy(dst, &f, 4); break; }
    case TC_F16: {
      uint16_t h = txt_double_to_half(v);
      memcpy(dst, &h, 2);
      break;
    }
    case TC_F128: {
      long double x = v;
      memset(dst, 0, 16);
      memcpy(dst, &x, sizeof x < 16 ? sizeof x : 16);
      break;
    }
    default: txt_store_complex(c, v, 0.0, dst); return;
  }
  if (c->swap) txt_swap_elem(c, dst);
}

void txt_store_complex(const txt_col *c, double re, double im, char *dst) {
  switch (c->kind) {
    case TC_C128: memcpy(dst, &re, 8); memcpy(dst + 8, &im, 8); break;
    case TC_C64: {
      float a = (float)re, b = (float)im;
      memcpy(dst, &a, 4);
      memcpy(dst + 4, &b, 4);
      break;
    }
    case TC_C256: {
      long double a = re, b = im;
      memset(dst, 0, 32);
      memcpy(dst, &a, sizeof a < 16 ? sizeof a : 16);
      memcpy(dst + 16, &b, sizeof b < 16 ? sizeof b : 16);
      break;
    }
    default: txt_store_double(c, re, dst); return;
  }
  if (c->swap) txt_swap_elem(c, dst);
}

/* Range of an integer kind. */
static void int_range(int kind, int64_t *lo, uint64_t *hi) {
  switch (kind) {
    case TC_I8: *lo = INT8_MIN; *hi = INT8_MAX; break;
    case TC_I16: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case TC_I32: *lo = INT32_MIN; *hi = INT32_MAX; break;
    case TC_I64: *lo = INT64_MIN; *hi = INT64_MAX; break;
    case TC_U8: *lo = 0; *hi = UINT8_MAX; break;
    case TC_U16: *lo = 0; *hi = UINT16_MAX; break;
    case TC_U32: *lo = 0; *hi = UINT32_MAX; break;
    case TC_U64: *lo = 0; *hi = UINT64_MAX; break;
    default: *lo = 0; *hi = 1; break;
  }
}

/* Stores v (or uv if is_unsigned) into an integer or bool element;
** TXT_ERANGE if it does not fit. */
int txt_store_int(const txt_col *c, int64_t v, uint64_t uv, int is_unsigned,
                  char *dst) {
  int64_t lo;
  uint64_t hi;
  if (c->kind == TC_BOOL) {
    *dst = (char)(is_unsigned ? uv != 0 : v != 0);
    return TXT_OK;
  }
  if (c->kind < TC_I8 || c->kind > TC_U64) {   /* float / complex */
    txt_store_double(c, is_unsigned ? (double)uv : (double)v, dst);
    return TXT_OK;
  }
  int_range(c->kind, &lo, &hi);
  if (is_unsigned) {
    if (uv > hi) return TXT_ERANGE;
    v = (int64_t)uv;
  } else {
    if (v < lo) return TXT_ERANGE;
    if (v > 0 && (uint64_t)v > hi) return TXT_ERANGE;
  }
  switch (c->size) {
    case 1: { int8_t x = (int8_t)v; memcpy(dst, &x, 1); break; }
    case 2: { int16_t x = (int16_t)v; memcpy(dst, &x, 2); break; }
    case 4: { int32_t x = (int32_t)v; memcpy(dst, &x, 4); break; }
    default: memcpy(dst, &v, 8); break;
  }
  if (c->swap) txt_swap_elem(c, dst);
  return TXT_OK;
}

/* Decodes one UTF-8 character at s (valid UTF-8 assumed); sets *len. */
static uint32_t utf8_decode(const unsigned char *s, size_t n, size_t *len) {
  uint32_t c = s[0];
  if (c < 0x80 || n < 2) { *len = 1; return c; }
  if (c < 0xE0) { *len = 2; return ((c & 0x1F) << 6) | (s[1] & 0x3F); }
  if (c < 0xF0 || n < 4) {
    if (n < 3) { *len = n; return 0xFFFD; }
    *len = 3;
    return ((c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
  }
  *len = 4;
  return ((c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
         ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
}

size_t txt_utf8_len(const char *s, size_t n) {
  size_t i, c = 0;
  for (i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
  return c;
}

int txt_latin1_ok(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) { i++; continue; }
    if (c == 0xC2 || c == 0xC3) { i += 2; continue; }
    return 0;
  }
  return 1;
}

int txt_store_text(const txt_col *c, const char *s, size_t n, char *dst) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  int64_t k = 0;
  if (c->kind == TC_S) {
    while (i < n && k < c->size) {
      size_t len;
      uint32_t cp = utf8_decode(u + i, n - i, &len);
      if (cp > 255) return TXT_ELATIN1;
      dst[k++] = (char)cp;
      i += len;
    }
    /* characters past the width are dropped but must still be latin-1 */
    while (i < n) {
      size_t len;
      if (utf8_decode(u + i, n - i, &len) > 255) return TXT_ELATIN1;
      i += len;
    }
    if (k < c->size) memset(dst + k, 0, (size_t)(c->size - k));
    return TXT_OK;
  }
  if (c->kind == TC_U) {
    int64_t w = c->size / 4;
    while (i < n && k < w) {
      size_t len;
      uint32_t cp = utf8_decode(u + i, n - i, &len);
      memcpy(dst + 4 * k, &cp, 4);
      k++;
      i += len;
    }
    if (k < w) memset(dst + 4 * k, 0, (size_t)(4 * (w - k)));
    if (c->swap) txt_swap_elem(c, dst);
    return TXT_OK;
  }
  return TXT_EBAD;
}

/* }====================================================== */

/* {======================================================
** loadtxt conversions
** ======================================================= */

/* long double from validated number text (the slow path). */
static long double parse_ld(const char *s, size_t n) {
  char small[128];
  char *buf = small;
  long double x;
  static locale_t loc;
  if (loc == (locale_t)0) loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
  if (n + 1 > sizeof small && (buf = (char *)malloc(n + 1)) == NULL) return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  x = loc ? strtold_l(buf, NULL, loc) : strtold(buf, NULL);
  if (buf != small) free(buf);
  return x;
}

int txt_conv_loadtxt(const txt_col *c, const char *s, size_t n, char unit,
                     char *dst) {
  const char *e = s + n;
  switch (c->kind) {
    case TC_F64: case TC_F32: case TC_F16: {
      double d;
      txt_strip(&s, &e);
      if (txt_parse_double(s, e, 0, &d) != TXT_NUM_OK) return TXT_EBAD;
      txt_store_double(c, d, dst);
      return TXT_OK;
    }
    case TC_F128: {
      double d;
      long double x;
      txt_strip(&s, &e);
      if (txt_parse_double(s, e, 0, &d) != TXT_NUM_OK) return TXT_EBAD;
      x = isfinite(d) && d != 0 ? parse_ld(s, (size_t)(e - s)) : d;
      memset(dst, 0, 16);
      memcpy(dst, &x, sizeof x < 16 ? sizeof x : 16);
      if (c->swap) txt_swap_elem(c, dst);
      return TXT_OK;
    }
    case TC_C128: case TC_C64: case TC_C256: {
      double re, im;
      if (txt_parse_complex(s, e, 0, unit ? unit : 'j', 1, &re, &im))
        return TXT_EBAD;
      txt_store_complex(c, re, im, dst);
      return TXT_OK;
    }
    case TC_BOOL: {
      int64_t v;
      txt_strip(&s, &e);
      if (txt_parse_i64(s, e, 0, &v) != TXT_NUM_OK) return TXT_EBAD;
      *dst = (char)(v != 0);
      return TXT_OK;
    }
    case TC_I8: case TC_I16: case TC_I32: case TC_I64:
    case TC_U8: case TC_U16: case TC_U32: case TC_U64: {
      int st;
      int uns = c->kind >= TC_U8;
      int64_t v = 0;
      uint64_t uv = 0;
      double d;
      txt_strip(&s, &e);
      st = uns ? txt_parse_u64(s, e, 0, &uv) : txt_parse_i64(s, e, 0, &v);
      if (st == TXT_NUM_OK) return txt_store_int(c, v, uv, uns, dst);
      if (st == TXT_NUM_RANGE) return TXT_ERANGE;
      /* NumPy reads "1.5" or "1e3" as a float and truncates it */
      if (txt_parse_double(s, e, 0, &d) != TXT_NUM_OK || isnan(d))
        return TXT_EBAD;
      d = trunc(d);
      if (uns) {
        if (!(d >= 0 && d < 18446744073709551616.0)) return TXT_ERANGE;
        return txt_store_int(c, 0, (uint64_t)d, 1, dst);
      }
      if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return TXT_ERANGE;
      return txt_store_int(c, (int64_t)d, 0, 0, dst);
    }
    case TC_S: case TC_U:
      return txt_store_text(c, s, n, dst);
    default:
      return TXT_EBAD;
  }
}

int txt_store_scalar(const txt_col *c, const npio_scalar *v, char unit,
                     char *dst) {
  double d;
  switch (v->kind) {
    case 'S': case 'U':
      if (c->kind == TC_S || c->kind == TC_U)
        return txt_store_text(c, v->s, v->slen, dst);
      return txt_conv_loadtxt(c, v->s, v->slen, unit, dst);
    case 'b': case 'i': case 'u':
      if (c->kind == TC_S || c->kind == TC_U) {
        char buf[32];
        int n;
        if (v->kind == 'b') n = snprintf(buf, sizeof buf, "%s",
                                         v->i ? "True" : "False");
        else if (v->kind == 'u') n = snprintf(buf, sizeof buf, "%llu",
                                              (unsigned long long)v->u);
        else n = snprintf(buf, sizeof buf, "%lld", (long long)v->i);
        return txt_store_text(c, buf, (size_t)n, dst);
      }
      if (v->kind == 'u') return txt_store_int(c, 0, v->u, 1, dst);
      return txt_store_int(c, v->i, 0, 0, dst);
    case 'f': case 'c':
      d = v->f;
      if (c->kind == TC_S || c->kind == TC_U) {
        char buf[64];
        int n = txt_float_str(buf, d, 64);
        return txt_store_text(c, buf, (size_t)n, dst);
      }
      if (c->kind == TC_C128 || c->kind == TC_C64 || c->kind == TC_C256) {
        txt_store_complex(c, d, v->kind == 'c' ? v->imag : 0.0, dst);
        return TXT_OK;
      }
      if (c->kind == TC_BOOL) { *dst = (char)(d != 0); return TXT_OK; }
      if (c->kind >= TC_I8 && c->kind <= TC_U64) {
        if (isnan(d)) return TXT_EBAD;
        d = trunc(d);
        if (c->kind >= TC_U8) {
          if (!(d >= 0 && d < 18446744073709551616.0)) return TXT_ERANGE;
          return txt_store_int(c, 0, (uint64_t)d, 1, dst);
        }
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
          return TXT_ERANGE;
        return txt_store_int(c, (int64_t)d, 0, 0, dst);
      }
      if (c->kind <= TC_F128) { txt_store_double(c, d, dst); return TXT_OK; }
      return TXT_EBAD;
    default:
      return TXT_EBAD;
  }
}

/* }====================================================== */

/* {======================================================
** Python's conversions (genfromtxt)
** ======================================================= */

int txt_py_float(const char *s, size_t n, double *out) {
  const char *e = s + n;
  txt_strip(&s, &e);
  return txt_parse_double(s, e, TXT_F_UNDERSCORE, out) != TXT_NUM_OK;
}

int txt_py_int(const char *s, size_t n, int64_t *out, int *big) {
  const char *e = s + n;
  int st;
  txt_strip(&s, &e);
  st = txt_parse_i64(s, e, TXT_F_UNDERSCORE, out);
  *big = (st == TXT_NUM_RANGE);
  return st == TXT_NUM_BAD;
}

int txt_py_bool(const char *s, size_t n, int *out) {
  if (n == 4 && (s[0] | 0x20) == 't' && (s[1] | 0x20) == 'r' &&
      (s[2] | 0x20) == 'u' && (s[3] | 0x20) == 'e') { *out = 1; return 0; }
  if (n == 5 && (s[0] | 0x20) == 'f' && (s[1] | 0x20) == 'a' &&
      (s[2] | 0x20) == 'l' && (s[3] | 0x20) == 's' &&
      (s[4] | 0x20) == 'e') { *out = 0; return 0; }
  return 1;
}

/* "j", "+j", "-j" at [p, e): the imaginary unit alone. */
static int lone_j(const char *p, const char *e, double *im) {
  double sign = 1;
  if (p < e && (*p == '+' || *p == '-')) { sign = *p == '-' ? -1 : 1; p++; }
  if (e - p == 1 && (*p == 'j' || *p == 'J')) { *im = sign; return 1; }
  return 0;
}

int txt_py_complex(const char *s, size_t n, double *re, double *im) {
  const char *e = s + n, *q;
  double v;
  txt_strip(&s, &e);
  if (s < e && *s == '(') {
    if (e[-1] != ')' || e - s < 2) return 1;
    s++;
    e--;
    txt_strip(&s, &e);
  }
  if (s >= e) return 1;
  q = txt_scan_double(s, e, TXT_F_UNDERSCORE, &v);
  if (q == NULL) {
    *re = 0;
    return lone_j(s, e, im) ? 0 : 1;
  }
  if (q == e) { *re = v; *im = 0; return 0; }
  if ((*q == 'j' || *q == 'J') && q + 1 == e) { *re = 0; *im = v; return 0; }
  if (*q == '+' || *q == '-') {
    const char *r;
    double w;
    *re = v;
    r = txt_scan_double(q, e, TXT_F_UNDERSCORE, &w);
    if (r == NULL) return lone_j(q, e, im) ? 0 : 1;
    if (r + 1 == e && (*r == 'j' || *r == 'J')) { *im = w; return 0; }
  }
  return 1;
}

/* }====================================================== */
