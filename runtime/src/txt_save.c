/*
** txt_save.c -- NumPy's savetxt: each row is written with Python's '%'
** operator applied to the row's NumPy scalars, so the bytes match
** NumPy's. Formats are parsed once; rows are formatted in blocks on
** worker threads and written in order, to a path (atomically, through
** a temporary file; gzip when the name ends in .gz) or to a FILE*.
*/
#include "txt_int.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* {======================================================
** Python format strings
** ======================================================= */

#if !defined(SV_MAX_WIDTH)
/* Largest width or precision in a format (a row must stay small). */
#define SV_MAX_WIDTH 100000
#endif

typedef struct sv_piece {
  int conv;                  /* 0: literal text; else a conversion */
  size_t off, len;           /* literal: bytes in the format */
  txt_spec sp;
} sv_piece;

typedef struct sv_fmt {
  char *text;                /* the whole row format */
  sv_piece *pc;
  int npc, nconv;
} sv_fmt;

static void fmt_free(sv_fmt *f) {
  free(f->text);
  free(f->pc);
  memset(f, 0, sizeof *f);
}

static int add_piece(sv_fmt *f, const sv_piece *p) {
  sv_piece *q = (sv_piece *)realloc(f->pc, (size_t)(f->npc + 1) * sizeof *q);
  if (q == NULL) return -1;
  f->pc = q;
  f->pc[f->npc++] = *p;
  return 0;
}

/*
** Parses a Python %-format: %[flags][width][.precision][hlL]conv, with
** '%%' a literal percent. Mapping keys and '*' take arguments NumPy's
** savetxt never has, so they are refused.
*/
static int parse_format(const char *fmt, sv_fmt *f, npio_err *e) {
  const char *p = fmt, *lit = fmt;
  memset(f, 0, sizeof *f);
  if ((f->text = strdup(fmt)) == NULL) goto nomem;
  while (*p) {
    sv_piece pc;
    if (*p != '%') { p++; continue; }
    if (p > lit) {
      memset(&pc, 0, sizeof pc);
      pc.off = (size_t)(lit - fmt);
      pc.len = (size_t)(p - lit);
      if (add_piece(f, &pc)) goto nomem;
    }
    p++;
    memset(&pc, 0, sizeof pc);
    pc.sp.prec = -1;
    if (*p == '%') {                    /* literal percent */
      pc.off = (size_t)(p - fmt);
      pc.len = 1;
      if (add_piece(f, &pc)) goto nomem;
      lit = ++p;
      continue;
    }
    if (*p == '(')
      return npio_seterr(e, NPIO_EVALUE, "format '%s': mapping keys are not "
                         "supported (a row is a tuple)", fmt);
    for (;; p++) {
      if (*p == '-') pc.sp.flags |= TXT_FL_MINUS;
      else if (*p == '+') pc.sp.flags |= TXT_FL_PLUS;
      else if (*p == ' ') pc.sp.flags |= TXT_FL_SPACE;
      else if (*p == '#') pc.sp.flags |= TXT_FL_ALT;
      else if (*p == '0') pc.sp.flags |= TXT_FL_ZERO;
      else break;
    }
    if (*p == '*')
      return npio_seterr(e, NPIO_EVALUE, "format '%s': '*' widths are not "
                         "supported", fmt);
    while (*p >= '0' && *p <= '9') {
      pc.sp.width = pc.sp.width * 10 + (*p++ - '0');
      if (pc.sp.width > SV_MAX_WIDTH) goto big;
    }
    if (*p == '.') {
      p++;
      if (*p == '*')
        return npio_seterr(e, NPIO_EVALUE, "format '%s': '*' precisions are "
                           "not supported", fmt);
      pc.sp.prec = 0;
      while (*p >= '0' && *p <= '9') {
        pc.sp.prec = pc.sp.prec * 10 + (*p++ - '0');
        if (pc.sp.prec > SV_MAX_WIDTH) goto big;
      }
    }
    while (*p == 'h' || *p == 'l' || *p == 'L') p++;
    if (*p == '\0' || !strchr("diouxXeEfFgGcrsa", *p))
      return npio_seterr(e, NPIO_EVALUE, "format '%s': unsupported format "
                         "character '%c'", fmt, *p ? *p : '?');
    pc.conv = 1;
    pc.sp.conv = *p;
    if (add_piece(f, &pc)) goto nomem;
    f->nconv++;
    lit = ++p;
  }
  if (p > lit) {
    sv_piece pc;
    memset(&pc, 0, sizeof pc);
    pc.off = (size_t)(lit - fmt);
    pc.len = (size_t)(p - lit);
    if (add_piece(f, &pc)) goto nomem;
  }
  return NPIO_OK;
big:
  return npio_seterr(e, NPIO_EVALUE, "format '%s': width or precision too "
                     "big (at most %d)", fmt, SV_MAX_WIDTH);
nomem:
  return npio_seterr(e, NPIO_ENOMEM, "out of memory");
}

/* Number of '%' characters (NumPy's fmt.count('%')). */
static int count_percent(const char *s) {
  int n = 0;
  for (; *s; s++) n += (*s == '%');
  return n;
}

/* }====================================================== */

/* {======================================================
** Values (NumPy scalars as Python sees them)
** ======================================================= */

typedef struct sv_val {
  char kind;                 /* f i u b S U, or 0: unsupported */
  int bits;                  /* float width for str() */
  double f;
  int64_t i;
  uint64_t u;
  const char *s;             /* S: raw bytes; U: UTF-8 (in tmp) */
  size_t n;
} sv_val;

/* Reads one element of simple dtype d at p. 'tmp' holds U text. */
static void read_val(const npio_dtype *d, const char *p, sv_val *v,
                     npio_buf *tmp) {
  char b[32];
  int swap = !npio_dtype_isnative(d) && d->itemsize > 1;
  memset(v, 0, sizeof *v);
  if (d->kind != 'S' && d->kind != 'U' && d->itemsize <= 32) {
    memcpy(b, p, (size_t)d->itemsize);
    if (swap) {
      if (d->kind == 'c') npio_swap_inplace(b, 2, d->itemsize / 2);
      else npio_swap_inplace(b, 1, d->itemsize);
    }
    p = b;
  }
  switch (d->kind) {
    case 'f':
      v->kind = 'f';
      if (d->itemsize == 8) { memcpy(&v->f, p, 8); v->bits = 64; }
      else if (d->itemsize == 4) {
        float x;
        memcpy(&x, p, 4);
        v->f = x;
        v->bits = 32;
      } else if (d->itemsize == 2) {
        uint16_t h;
        memcpy(&h, p, 2);
        v->f = txt_half_to_double(h);
        v->bits = 16;
      } else {
        long double x;
        memcpy(&x, p, sizeof x < 16 ? sizeof x : 16);
        v->f = (double)x;
        v->bits = 64;
      }
      break;
    case 'i':
      v->kind = 'i';
      switch (d->itemsize) {
        case 1: { int8_t x; memcpy(&x, p, 1); v->i = x; break; }
        case 2: { int16_t x; memcpy(&x, p, 2); v->i = x; break; }
        case 4: { int32_t x; memcpy(&x, p, 4); v->i = x; break; }
        default: memcpy(&v->i, p, 8); break;
      }
      break;
    case 'u':
      v->kind = 'u';
      switch (d->itemsize) {
        case 1: { uint8_t x; memcpy(&x, p, 1); v->u = x; break; }
        case 2: { uint16_t x; memcpy(&x, p, 2); v->u = x; break; }
        case 4: { uint32_t x; memcpy(&x, p, 4); v->u = x; break; }
        default: memcpy(&v->u, p, 8); break;
      }
      break;
    case 'b':
      v->kind = 'b';
      v->i = p[0] != 0;
      break;
    case 'S': {
      size_t n = (size_t)d->itemsize;
      while (n > 0 && p[n - 1] == '\0') n--;   /* NumPy strips NULs */
      v->kind = 'S';
      v->s = p;
      v->n = n;
      break;
    }
    case 'U': {
      int64_t k, w = d->itemsize / 4;
      tmp->len = 0;
      while (w > 0) {                           /* trailing NULs */
        uint32_t c;
        memcpy(&c, p + 4 * (w - 1), 4);
        if (swap) c = __builtin_bswap32(c);
        if (c) break;
        w--;
      }
      for (k = 0; k < w; k++) {
        uint32_t c;
        char u8[4];
        int n;
        memcpy(&c, p + 4 * k, 4);
        if (swap) c = __builtin_bswap32(c);
        if (c < 0x80) { u8[0] = (char)c; n = 1; }
        else if (c < 0x800) {
          u8[0] = (char)(0xC0 | (c >> 6)); u8[1] = (char)(0x80 | (c & 63)); n = 2;
        } else if (c < 0x10000) {
          u8[0] = (char)(0xE0 | (c >> 12));
          u8[1] = (char)(0x80 | ((c >> 6) & 63));
          u8[2] = (char)(0x80 | (c & 63));
          n = 3;
        } else {
          u8[0] = (char)(0xF0 | (c >> 18));
          u8[1] = (char)(0x80 | ((c >> 12) & 63));
          u8[2] = (char)(0x80 | ((c >> 6) & 63));
          u8[3] = (char)(0x80 | (c & 63));
          n = 4;
        }
        npio_buf_add(tmp, u8, (size_t)n);
      }
      v->kind = 'U';
      v->s = tmp->p ? tmp->p : "";
      v->n = tmp->len;
      break;
    }
    default:
      v->kind = 0;
      break;
  }
}

/* Python's repr() of bytes (b'...') or of str ('...'). */
static int py_repr(npio_buf *b, const char *s, size_t n, int bytes,
                   int ascii) {
  size_t i;
  int sq = 0, dq = 0;
  char q;
  for (i = 0; i < n; i++) { sq |= s[i] == '\''; dq |= s[i] == '"'; }
  q = (sq && !dq) ? '"' : '\'';
  if (bytes && npio_buf_add(b, "b", 1)) return -1;
  if (npio_buf_add(b, &q, 1)) return -1;
  for (i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    char t[16];
    int k = 0;
    uint32_t cp = c;
    size_t len = 1;
    if (!bytes && c >= 0x80) {               /* decode UTF-8 */
      if (c < 0xE0 && i + 1 < n) { cp = ((c & 31u) << 6) | (s[i + 1] & 63); len = 2; }
      else if (c < 0xF0 && i + 2 < n) {
        cp = ((c & 15u) << 12) | ((uint32_t)(s[i + 1] & 63) << 6) | (s[i + 2] & 63);
        len = 3;
      } else if (i + 3 < n) {
        cp = ((c & 7u) << 18) | ((uint32_t)(s[i + 1] & 63) << 12) |
             ((uint32_t)(s[i + 2] & 63) << 6) | (s[i + 3] & 63);
        len = 4;
      }
    }
    if (cp == (uint32_t)q || cp == '\\') { t[k++] = '\\'; t[k++] = (char)cp; }
    else if (cp == '\t') { t[k++] = '\\'; t[k++] = 't'; }
    else if (cp == '\n') { t[k++] = '\\'; t[k++] = 'n'; }
    else if (cp == '\r') { t[k++] = '\\'; t[k++] = 'r'; }
    else if (cp < 0x20 || cp == 0x7F || (bytes && cp >= 0x80) ||
             (!bytes && cp >= 0x80 && (cp <= 0xA0 || cp == 0xAD || ascii))) {
      if (cp < 0x100) k = snprintf(t, sizeof t, "\\x%02x", cp);
      else if (cp < 0x10000) k = snprintf(t, sizeof t, "\\u%04x", cp);
      else k = snprintf(t, sizeof t, "\\U%08x", cp);
    } else {
      memcpy(t, s + i, len);
      k = (int)len;
    }
    if (npio_buf_add(b, t, (size_t)k)) return -1;
    i += len;
  }
  return npio_buf_add(b, &q, 1);
}

/* Python type name of a value, for messages. */
static const char *val_type(const sv_val *v) {
  switch (v->kind) {
    case 'f': return v->bits == 32 ? "numpy.float32" : v->bits == 16 ?
                     "numpy.float16" : "numpy.float64";
    case 'i': case 'u': return "an integer";
    case 'b': return "numpy.bool_";
    case 'S': return "numpy.bytes_";
    case 'U': return "numpy.str_";
    default: return "this dtype";
  }
}

/*
** Appends Python's '%<spec>' % value. Returns NPIO_OK or an error with
** the message in 'e' (Python's TypeError/ValueError text).
*/
static int fmt_value(npio_buf *b, const txt_spec *sp, const sv_val *v,
                     npio_buf *tmp, npio_err *e) {
  char t[64];
  int n;
  switch (sp->conv) {
    case 'd': case 'i': case 'u': {
      txt_spec s2 = *sp;
      s2.conv = 'd';
      if (v->kind == 'f') {
        int r = txt_fmt_double_int(b, v->f, &s2);
        if (r == NPIO_EVALUE)
          return npio_seterr(e, NPIO_EVALUE, isnan(v->f) ? "cannot convert "
                             "float NaN to integer" : "cannot convert float "
                             "infinity to integer");
        return r;
      }
      if (v->kind == 'i') return txt_fmt_int(b, v->i < 0 ? 0 - (uint64_t)v->i
                                             : (uint64_t)v->i, v->i < 0, &s2);
      if (v->kind == 'u') return txt_fmt_int(b, v->u, 0, &s2);
      if (v->kind == 'b') return txt_fmt_int(b, (uint64_t)v->i, 0, &s2);
      return npio_seterr(e, NPIO_ETYPE, "%%%c format: a real number is "
                         "required, not %s", sp->conv, val_type(v));
    }
    case 'o': case 'x': case 'X':
      if (v->kind == 'i') return txt_fmt_int(b, v->i < 0 ? 0 - (uint64_t)v->i
                                             : (uint64_t)v->i, v->i < 0, sp);
      if (v->kind == 'u') return txt_fmt_int(b, v->u, 0, sp);
      if (v->kind == 'b') return txt_fmt_int(b, (uint64_t)v->i, 0, sp);
      return npio_seterr(e, NPIO_ETYPE, "%%%c format: an integer is "
                         "required, not %s", sp->conv, val_type(v));
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
      switch (v->kind) {
        case 'f': return txt_fmt_double(b, v->f, sp);
        case 'i': return txt_fmt_double(b, (double)v->i, sp);
        case 'u': return txt_fmt_double(b, (double)v->u, sp);
        case 'b': return txt_fmt_double(b, (double)v->i, sp);
        default:
          return npio_seterr(e, NPIO_ETYPE, "must be real number, not %s",
                             val_type(v));
      }
    case 'c':
      if (v->kind == 'i' || v->kind == 'u' || v->kind == 'b') {
        uint64_t cp = v->kind == 'u' ? v->u : (uint64_t)v->i;
        char u8[4];
        if ((v->kind == 'i' && v->i < 0) || cp > 0x10FFFF)
          return npio_seterr(e, NPIO_EVALUE, "%%c arg not in "
                             "range(0x110000)");
        if (cp < 0x80) { u8[0] = (char)cp; n = 1; }
        else if (cp < 0x800) {
          u8[0] = (char)(0xC0 | (cp >> 6)); u8[1] = (char)(0x80 | (cp & 63)); n = 2;
        } else if (cp < 0x10000) {
          u8[0] = (char)(0xE0 | (cp >> 12)); u8[1] = (char)(0x80 | ((cp >> 6) & 63));
          u8[2] = (char)(0x80 | (cp & 63)); n = 3;
        } else {
          u8[0] = (char)(0xF0 | (cp >> 18)); u8[1] = (char)(0x80 | ((cp >> 12) & 63));
          u8[2] = (char)(0x80 | ((cp >> 6) & 63)); u8[3] = (char)(0x80 | (cp & 63));
          n = 4;
        }
        return txt_fmt_str(b, u8, (size_t)n, sp);
      }
      if (v->kind == 'U' && txt_utf8_len(v->s, v->n) == 1)
        return txt_fmt_str(b, v->s, v->n, sp);
      return npio_seterr(e, NPIO_ETYPE, "%%c requires int or char");
    default: {                           /* s r a */
      switch (v->kind) {
        case 'f': n = txt_float_str(t, v->f, v->bits); break;
        case 'i': n = snprintf(t, sizeof t, "%lld", (long long)v->i); break;
        case 'u': n = snprintf(t, sizeof t, "%llu", (unsigned long long)v->u);
          break;
        case 'b': n = snprintf(t, sizeof t, "%s", v->i ? "True" : "False");
          break;
        case 'S': {
          npio_buf r = {0};
          int rc;
          if (py_repr(&r, v->s, v->n, 1, 0)) { npio_buf_free(&r); return NPIO_ENOMEM; }
          rc = txt_fmt_str(b, r.p, r.len, sp);
          npio_buf_free(&r);
          return rc;
        }
        case 'U':
          if (sp->conv == 's') return txt_fmt_str(b, v->s, v->n, sp);
          {
            npio_buf r = {0};
            int rc;
            if (py_repr(&r, v->s, v->n, 0, sp->conv == 'a')) {
              npio_buf_free(&r);
              return NPIO_ENOMEM;
            }
            rc = txt_fmt_str(b, r.p, r.len, sp);
            npio_buf_free(&r);
            return rc;
          }
        default:
          return npio_seterr(e, NPIO_ETYPE, "savetxt cannot format %s",
                             val_type(v));
      }
      (void)tmp;
      return txt_fmt_str(b, t, (size_t)n, sp);
    }
  }
}

/* }====================================================== */

/* {======================================================
** Rows
** ======================================================= */

typedef struct sv_ctx {
  const npio_array *a;
  const char *base;
  int64_t nrows;
  int ncol;                  /* columns as NumPy counts them */
  int complex_;              /* complex X: two values per column */
  const npio_dtype **coldt;  /* element dtype per column */
  int64_t *coloff;           /* byte offset per column (in a row) */
  int64_t rstride, cstride;
  sv_fmt f;
  const char *newline;
  size_t nllen;
  int fast;                  /* native float64 columns, e/f/g conversions */
} sv_ctx;

typedef struct sv_job {
  txt_job job;
  int64_t r0, r1;            /* rows [r0, r1) */
  npio_buf out;
  npio_buf tmp, line;
  int err;
  int64_t err_row;
  char emsg[300];
} sv_job;

/* Replaces every "+-" with "-" in b from 'start' (str.replace). */
static void plus_minus(npio_buf *b, size_t start) {
  size_t i = start, o = start;
  while (i < b->len) {
    if (b->p[i] == '+' && i + 1 < b->len && b->p[i + 1] == '-') {
      b->p[o++] = '-';
      i += 2;
    } else {
      b->p[o++] = b->p[i++];
    }
  }
  b->len = o;
}

/* The common case: every value a native float64 and every conversion
** e, f or g (NaN and inf need no special care there). */
static void format_rows_f8(const sv_ctx *c, sv_job *j) {
  int64_t r;
  for (r = j->r0; r < j->r1; r++) {
    const char *row = c->base + r * c->rstride;
    int pi, arg = 0;
    for (pi = 0; pi < c->f.npc; pi++) {
      const sv_piece *pc = &c->f.pc[pi];
      if (!pc->conv) {
        if (npio_buf_add(&j->out, c->f.text + pc->off, pc->len)) goto nomem;
      } else {
        double v;
        memcpy(&v, row + c->coloff[arg++], 8);
        if (txt_fmt_double(&j->out, v, &pc->sp)) goto nomem;
      }
    }
    if (npio_buf_add(&j->out, c->newline, c->nllen)) goto nomem;
  }
  return;
nomem:
  j->err = NPIO_ENOMEM;
  j->err_row = r;
  snprintf(j->emsg, sizeof j->emsg, "out of memory");
}

/* Formats rows [j->r0, j->r1) into j->out. */
static void format_rows(const sv_ctx *c, sv_job *j) {
  int64_t r;
  npio_err e;
  j->out.len = 0;
  j->err = 0;
  if (c->fast) { format_rows_f8(c, j); return; }
  for (r = j->r0; r < j->r1; r++) {
    const char *row = c->base + r * c->rstride;
    size_t start = j->out.len;
    int pi, arg = 0;
    sv_val vals[2];
    int nv = 0, vi = 0;
    for (pi = 0; pi < c->f.npc; pi++) {
      const sv_piece *pc = &c->f.pc[pi];
      if (!pc->conv) {
        if (npio_buf_add(&j->out, c->f.text + pc->off, pc->len)) goto nomem;
        continue;
      }
      /* the next argument of the row tuple */
      if (vi >= nv) {
        int col = c->complex_ ? arg / 2 : arg;
        const npio_dtype *d = c->coldt[col];
        const char *p = row + c->coloff[col];
        if (c->complex_) {
          npio_dtype *ft = NULL;
          char b2[32];
          memcpy(b2, p, (size_t)d->itemsize);
          if (!npio_dtype_isnative(d)) npio_swap_inplace(b2, 2, d->itemsize / 2);
          memset(vals, 0, sizeof vals);
          if (d->kind == 'c') {
            if (d->itemsize == 16) {
              memcpy(&vals[0].f, b2, 8);
              memcpy(&vals[1].f, b2 + 8, 8);
              vals[0].bits = vals[1].bits = 64;
            } else if (d->itemsize == 8) {
              float x, y;
              memcpy(&x, b2, 4);
              memcpy(&y, b2 + 4, 4);
              vals[0].f = x;
              vals[1].f = y;
              vals[0].bits = vals[1].bits = 32;
            } else {
              long double x, y;
              memcpy(&x, b2, sizeof x < 16 ? sizeof x : 16);
              memcpy(&y, b2 + 16, sizeof y < 16 ? sizeof y : 16);
              vals[0].f = (double)x;
              vals[1].f = (double)y;
              vals[0].bits = vals[1].bits = 64;
            }
            vals[0].kind = vals[1].kind = 'f';
          } else {
            read_val(d, p, &vals[0], &j->tmp);
            vals[1].kind = 'f';
            vals[1].bits = 64;
            vals[1].f = 0.0;
            if (vals[0].kind == 'i') { vals[0].f = (double)vals[0].i; vals[0].kind = 'f'; }
          }
          (void)ft;
          nv = 2;
          vi = 0;
        } else {
          read_val(d, p, &vals[0], &j->tmp);
          nv = 1;
          vi = 0;
        }
      }
      e.code = 0;
      e.msg[0] = '\0';
      if (fmt_value(&j->out, &pc->sp, &vals[vi], &j->tmp, &e) != NPIO_OK) {
        if (e.code == 0) goto nomem;
        j->err = e.code;
        j->err_row = r;
        snprintf(j->emsg, sizeof j->emsg, "column %d: %.200s (format '%%%c')",
                 (c->complex_ ? arg / 2 : arg) + 1, e.msg, pc->sp.conv);
        return;
      }
      vi++;
      arg++;
    }
    if (npio_buf_add(&j->out, c->newline, c->nllen)) goto nomem;
    if (c->complex_) plus_minus(&j->out, start);
  }
  return;
nomem:
  j->err = NPIO_ENOMEM;
  j->err_row = r;
  snprintf(j->emsg, sizeof j->emsg, "out of memory");
}

static void work(void *ctx, void *job) {
  format_rows((const sv_ctx *)ctx, (sv_job *)job);
}

/* }====================================================== */

/* {======================================================
** Output
** ======================================================= */

typedef struct sv_out {
  npio_safefile sf;
  int open_sf;
  gzFile gz;
  FILE *fp;
  iconv_t cd;                /* (iconv_t)-1: UTF-8 as is */
  npio_buf conv;
  const char *name;
  int64_t written;
} sv_out;

static int out_raw(sv_out *o, const char *p, size_t n, npio_err *e) {
  if (n == 0) return NPIO_OK;
  if (o->gz) {
    while (n > 0) {
      unsigned k = n > (1u << 30) ? (1u << 30) : (unsigned)n;
      if (gzwrite(o->gz, p, k) != (int)k) {
        int en;
        const char *m = gzerror(o->gz, &en);
        return npio_seterr(e, NPIO_EIO, "%s: gzip write failed: %s", o->name,
                           m ? m : "error");
      }
      p += k;
      n -= k;
    }
  } else if (o->fp) {
    if (fwrite(p, 1, n, o->fp) != n)
      return npio_seterr(e, NPIO_EIO, "%s: write failed: %s", o->name,
                         strerror(errno));
  } else {
    if (npio_safe_write(&o->sf, p, n, e) != NPIO_OK)
      return txt_prefix_err(e, "%s", o->name);
  }
  o->written += (int64_t)n;
  return NPIO_OK;
}

/* Writes UTF-8 text, converted to the output encoding. */
static int out_text(sv_out *o, const char *p, size_t n, npio_err *e) {
  char *in;
  size_t inleft;
  if (o->cd == (iconv_t)-1) return out_raw(o, p, n, e);
  in = (char *)p;
  inleft = n;
  while (inleft > 0) {
    char *outp;
    size_t outleft, r;
    if (npio_buf_reserve(&o->conv, 65536))
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    o->conv.len = 0;
    outp = o->conv.p;
    outleft = 65536;
    r = iconv(o->cd, &in, &inleft, &outp, &outleft);
    o->conv.len = (size_t)(outp - o->conv.p);
    if (out_raw(o, o->conv.p, o->conv.len, e)) return e->code;
    if (r == (size_t)-1 && errno != E2BIG)
      return npio_seterr(e, NPIO_EVALUE, "%s: a character cannot be encoded "
                         "in the output encoding", o->name);
  }
  return NPIO_OK;
}

static int ends_with(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Maps a Python codec name to iconv's (as txt_src.c does). */
static void iconv_name(const char *in, char *out, size_t cap) {
  size_t i, n = 0;
  for (i = 0; in[i] && n + 1 < cap; i++) {
    char c = in[i];
    if (c >= 'a' && c <= 'z') c = (char)(c - 32);
    if (c == '_') c = '-';
    out[n++] = c;
  }
  out[n] = '\0';
  if (strcmp(out, "LATIN-1") == 0 || strcmp(out, "L1") == 0)
    snprintf(out, cap, "LATIN1");
  if (n > 3 && strncmp(out, "UTF", 3) == 0 &&
      (strcmp(out + n - 3, "-LE") == 0 || strcmp(out + n - 3, "-BE") == 0)) {
    out[n - 3] = out[n - 2];
    out[n - 2] = out[n - 1];
    out[n - 1] = '\0';
  }
}

static int is_utf8_name(const char *s) {
  char t[64];
  iconv_name(s, t, sizeof t);
  return strcmp(t, "UTF-8") == 0 || strcmp(t, "UTF8") == 0 ||
         strcmp(t, "BYTES") == 0;
}

/* }====================================================== */

/* {======================================================
** savetxt
** ======================================================= */

void npio_savetxt_defaults(npio_savetxt_opts *o) {
  memset(o, 0, sizeof *o);
  o->delimiter = " ";
  o->newline = "\n";
  o->header = "";
  o->footer = "";
  o->comments = "# ";
  o->atomic = 1;
}

/* Writes comments + text (with '\n' -> '\n' + comments) + newline. */
static int write_note(sv_out *w, const npio_savetxt_opts *o,
                      const char *text, npio_err *e) {
  npio_buf b = {0};
  const char *p;
  int st;
  if (text == NULL || text[0] == '\0') return NPIO_OK;
  if (npio_buf_addstr(&b, o->comments)) goto nomem;
  for (p = text; *p; p++) {
    if (npio_buf_add(&b, p, 1)) goto nomem;
    if (*p == '\n' && npio_buf_addstr(&b, o->comments)) goto nomem;
  }
  if (npio_buf_addstr(&b, o->newline)) goto nomem;
  st = out_text(w, b.p, b.len, e);
  npio_buf_free(&b);
  return st;
nomem:
  npio_buf_free(&b);
  return npio_seterr(e, NPIO_ENOMEM, "out of memory");
}

/* Builds the row format as NumPy does from fmt and the delimiter. */
static int build_format(sv_ctx *c, const npio_savetxt_opts *o, npio_err *e) {
  npio_buf b = {0};
  const char *fmt0 = (o->fmt && o->nfmt > 0) ? o->fmt[0] : "%.18e";
  int k, st;
  if (o->fmt && o->nfmt > 1) {                  /* a list of formats */
    if (o->nfmt != c->ncol)
      return npio_seterr(e, NPIO_EVALUE, "fmt has wrong shape: %d formats "
                         "for %d columns", o->nfmt, c->ncol);
    for (k = 0; k < o->nfmt; k++) {
      if (k && npio_buf_addstr(&b, o->delimiter)) goto nomem;
      if (npio_buf_addstr(&b, o->fmt[k])) goto nomem;
    }
  } else {
    int n = count_percent(fmt0);
    if (n == 1) {
      for (k = 0; k < c->ncol; k++) {
        if (k && npio_buf_addstr(&b, o->delimiter)) goto nomem;
        if (c->complex_) {
          if (npio_buf_addstr(&b, " (") || npio_buf_addstr(&b, fmt0) ||
              npio_buf_addstr(&b, "+") || npio_buf_addstr(&b, fmt0) ||
              npio_buf_addstr(&b, "j)"))
            goto nomem;
        } else if (npio_buf_addstr(&b, fmt0)) goto nomem;
      }
    } else if ((c->complex_ && n != 2 * c->ncol) ||
               (!c->complex_ && n != c->ncol)) {
      return npio_seterr(e, NPIO_EVALUE, "fmt has wrong number of %% "
                         "formats: %s", fmt0);
    } else if (npio_buf_addstr(&b, fmt0)) goto nomem;
  }
  if (npio_buf_add(&b, "", 0)) goto nomem;
  st = parse_format(b.p, &c->f, e);
  npio_buf_free(&b);
  if (st) return st;
  {
    int want = c->complex_ ? 2 * c->ncol : c->ncol;
    if (c->f.nconv != want)
      return npio_seterr(e, NPIO_EVALUE, "format '%s' has %d conversions for "
                         "%d values per row", c->f.text, c->f.nconv, want);
  }
  return NPIO_OK;
nomem:
  npio_buf_free(&b);
  return npio_seterr(e, NPIO_ENOMEM, "out of memory");
}

int npio_savetxt(const char *path, FILE *f, const npio_array *a,
                 const npio_savetxt_opts *o, npio_err *e) {
  sv_ctx c;
  sv_out w;
  txt_pool pool;
  txt_progress prog;
  sv_job *jobs = NULL;
  int njobs = 1, nth, st = NPIO_OK, k;
  int64_t rows_per_job;
  char *data;
  memset(&c, 0, sizeof c);
  memset(&w, 0, sizeof w);
  memset(&pool, 0, sizeof pool);
  w.cd = (iconv_t)-1;
  w.name = path ? path : "<file>";
  if (a->ndim == 0 || a->ndim > 2)
    return npio_seterr(e, NPIO_EVALUE, "expected a 1-D or 2-D array, got a "
                       "%d-D array", a->ndim);
  data = npio_array_data(a, e);
  if (data == NULL) return e->code;
  c.a = a;
  c.base = data;
  c.nrows = a->shape[0];
  c.rstride = a->strides[0];
  c.newline = o->newline ? o->newline : "\n";
  c.nllen = strlen(c.newline);
  if (a->ndim == 1 && a->dtype->nfields > 0) {  /* one column per field */
    c.ncol = a->dtype->nfields;
  } else if (a->ndim == 1) {
    c.ncol = 1;
  } else {
    c.ncol = (int)a->shape[1];
    if (a->shape[1] > 100000000)
      return npio_seterr(e, NPIO_ELIMIT, "too many columns");
    c.cstride = a->strides[1];
  }
  c.complex_ = a->dtype->kind == 'c' && a->dtype->nfields == 0;
  c.coldt = (const npio_dtype **)calloc((size_t)(c.ncol ? c.ncol : 1),
                                        sizeof *c.coldt);
  c.coloff = (int64_t *)calloc((size_t)(c.ncol ? c.ncol : 1), sizeof(int64_t));
  if (c.coldt == NULL || c.coloff == NULL) {
    st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
    goto out;
  }
  for (k = 0; k < c.ncol; k++) {
    if (a->ndim == 1 && a->dtype->nfields > 0) {
      c.coldt[k] = a->dtype->fields[k].type;
      c.coloff[k] = a->dtype->fields[k].offset;
    } else {
      c.coldt[k] = a->dtype;
      c.coloff[k] = (int64_t)k * c.cstride;
    }
    if (c.coldt[k]->nfields > 0 || c.coldt[k]->base != NULL) {
      st = npio_seterr(e, NPIO_ETYPE, "savetxt cannot format a nested or "
                       "subarray field (column %d)", k + 1);
      goto out;
    }
  }
  if ((st = build_format(&c, o, e)) != NPIO_OK) goto out;
  c.fast = !c.complex_;
  for (k = 0; k < c.ncol && c.fast; k++)
    c.fast = c.coldt[k]->kind == 'f' && c.coldt[k]->itemsize == 8 &&
             npio_dtype_isnative(c.coldt[k]);
  for (k = 0; k < c.f.npc && c.fast; k++)
    if (c.f.pc[k].conv && !strchr("eEfFgG", c.f.pc[k].sp.conv)) c.fast = 0;
  /* the output */
  if (o->encoding && !is_utf8_name(o->encoding)) {
    char nm[64];
    iconv_name(o->encoding, nm, sizeof nm);
    w.cd = iconv_open(nm, "UTF-8");
    if (w.cd == (iconv_t)-1) {
      st = npio_seterr(e, NPIO_EVALUE, "unknown encoding '%s'", o->encoding);
      goto out;
    }
  }
  if (path) {
    if ((st = npio_safe_open(&w.sf, path, o->atomic, 0, e)) != NPIO_OK) {
      st = txt_prefix_err(e, "%s", path);
      goto out;
    }
    w.open_sf = 1;
    if (ends_with(path, ".gz")) {
      int fd2 = dup(w.sf.fd);
      if (fd2 < 0 || (w.gz = gzdopen(fd2, "wb")) == NULL) {
        if (fd2 >= 0) close(fd2);
        st = npio_seterr(e, NPIO_EIO, "%s: cannot open a gzip stream", path);
        goto out;
      }
      gzbuffer(w.gz, 1 << 17);
    }
  } else {
    w.fp = f;
  }
  txt_progress_init(&prog, o->progress, o->progress_ud, o->progress_bar);
  if ((st = write_note(&w, o, o->header, e)) != NPIO_OK) goto out;
  /* rows, in blocks */
  nth = o->nthreads > 0 ? o->nthreads : txt_ncpu();
  rows_per_job = (int64_t)((1u << 20) / (size_t)(c.ncol ? c.ncol : 1)) / 8 + 1;
  if (c.nrows > rows_per_job && nth > 1) njobs = nth + 2 < 2 * TXT_MAX_THREADS
                                                 ? nth + 2 : 2 * TXT_MAX_THREADS;
  else nth = 0;
  jobs = (sv_job *)calloc((size_t)njobs, sizeof *jobs);
  if (jobs == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  for (k = 0; k < njobs; k++) jobs[k].job.data = &jobs[k];
  txt_pool_start(&pool, nth, work, &c);
  {
    int64_t next = 0;
    int head = 0, tail = 0, inflight = 0;
    while (next < c.nrows || inflight > 0) {
      if (next < c.nrows && inflight < njobs) {
        sv_job *j = &jobs[tail];
        j->r0 = next;
        j->r1 = next + rows_per_job < c.nrows ? next + rows_per_job : c.nrows;
        next = j->r1;
        txt_pool_submit(&pool, &j->job);
        tail = (tail + 1) % njobs;
        inflight++;
        if (inflight < njobs && next < c.nrows) continue;
      }
      {
        sv_job *j = &jobs[head];
        txt_pool_wait(&pool, &j->job);
        if (j->err) {
          st = npio_seterr(e, j->err, "%s: row %lld: %s", w.name,
                           (long long)j->err_row + 1, j->emsg);
          break;
        }
        if ((st = out_text(&w, j->out.p, j->out.len, e)) != NPIO_OK) break;
        head = (head + 1) % njobs;
        inflight--;
        /* bytes written, and the total they point to */
        if (txt_progress_step(&prog, w.written,
                              (int64_t)((double)w.written * (double)c.nrows /
                                        (double)(j->r1 ? j->r1 : 1)))) {
          st = npio_seterr(e, NPIO_EIO, "%s: stopped by the progress "
                           "callback", w.name);
          break;
        }
      }
    }
    txt_pool_stop(&pool);
  }
  if (st != NPIO_OK) goto out;
  if ((st = write_note(&w, o, o->footer, e)) != NPIO_OK) goto out;
  txt_progress_end(&prog, w.written, w.written);
  if (w.gz) {
    int r = gzclose(w.gz);
    w.gz = NULL;
    if (r != Z_OK) {
      st = npio_seterr(e, NPIO_EIO, "%s: gzip close failed", w.name);
      goto out;
    }
  }
  if (w.fp && fflush(w.fp) != 0) {
    st = npio_seterr(e, NPIO_EIO, "%s: write failed: %s", w.name,
                     strerror(errno));
    goto out;
  }
  if (w.open_sf) {
    w.open_sf = 0;
    if ((st = npio_safe_commit(&w.sf, e)) != NPIO_OK) {
      st = txt_prefix_err(e, "%s", w.name);
      npio_safe_abort(&w.sf);
      goto out;
    }
  }
out:
  if (w.gz) gzclose(w.gz);
  if (w.open_sf) npio_safe_abort(&w.sf);
  if (w.cd != (iconv_t)-1) iconv_close(w.cd);
  npio_buf_free(&w.conv);
  if (jobs) {
    for (k = 0; k < njobs; k++) {
      npio_buf_free(&jobs[k].out);
      npio_buf_free(&jobs[k].tmp);
      npio_buf_free(&jobs[k].line);
    }
    free(jobs);
  }
  fmt_free(&c.f);
  free(c.coldt);
  free(c.coloff);
  return st;
}

/* }====================================================== */
