/*
** txt_load.c -- NumPy's loadtxt: the tokenizer of NumPy's C reader,
** a fast path for plain numeric rows, and a reader that parses blocks of
** lines on worker threads and joins the rows back in file order.
**
** Rows are tokenized exactly as numpy/core/src/multiarray/textreading
** does (quote and comment handling, white space splitting, the empty
** last field rule); fields are converted by txt_conv_loadtxt. The fast
** path parses numbers straight from the text and falls back to the full
** tokenizer for any row it does not fully understand, so the two always
** agree.
*/
#include "txt_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* {======================================================
** The tokenizer (NumPy's tokenize.cpp semantics)
** ======================================================= */

typedef struct lt_cfg {
  const char *delim;
  int dlen;                  /* 0: split on white space */
  const char *quote;
  int qlen;                  /* 0: no quoting */
  const char *comment;
  int clen;                  /* 0: no comment character */
  const char *const *mc;     /* several/multi-character comments */
  int nmc;
  int translate_cr;          /* quoted \r, \r\n read as \n (files) */
} lt_cfg;

typedef struct lt_field {
  size_t off, len;
  int quoted;
} lt_field;

typedef struct lt_tok {
  char *buf;
  size_t len, cap;
  lt_field *f;
  int nf, fcap;
} lt_tok;

static void tok_free(lt_tok *t) {
  free(t->buf);
  free(t->f);
  memset(t, 0, sizeof *t);
}

static int tok_add(lt_tok *t, const char *p, size_t n) {
  if (n == 0) return 0;
  if (t->len + n > t->cap) {
    size_t nc = t->cap ? t->cap * 2 : 256;
    char *q;
    while (nc < t->len + n) nc *= 2;
    q = (char *)realloc(t->buf, nc);
    if (q == NULL) return -1;
    t->buf = q;
    t->cap = nc;
  }
  memcpy(t->buf + t->len, p, n);
  t->len += n;
  return 0;
}

static int tok_newfield(lt_tok *t) {
  if (t->nf == t->fcap) {
    int nc = t->fcap ? t->fcap * 2 : 16;
    lt_field *q = (lt_field *)realloc(t->f, (size_t)nc * sizeof *q);
    if (q == NULL) return -1;
    t->f = q;
    t->fcap = nc;
  }
  t->f[t->nf].off = t->len;
  t->f[t->nf].len = 0;
  t->f[t->nf].quoted = 0;
  t->nf++;
  return 0;
}

static void tok_endfield(lt_tok *t) {
  lt_field *f = &t->f[t->nf - 1];
  f->len = t->len - f->off;
}

/* Length of the white space character at p (not \r or \n), or 0. */
static int ws_len(const char *p, const char *end) {
  unsigned char c = (unsigned char)*p;
  if (c < 0x80) return (txt_isspace_ascii(c) && c != '\r' && c != '\n');
  return txt_utf8_space(p, end);
}

static int match(const char *p, const char *end, const char *s, int n) {
  return n > 0 && end - p >= n && p[0] == s[0] &&
         (n == 1 || memcmp(p, s, (size_t)n) == 0);
}

enum { ST_CHECK_QUOTED, ST_UNQUOTED, ST_QUOTED };

/*
** Tokenizes one row from p (which is < end) into t; returns the
** position after the row. *nl gets the line ends passed (quoted ones
** too). *incomplete is set when the text ended inside a quoted field.
** Returns NULL when out of memory.
*/
static const char *tok_core(const lt_cfg *c, const char *p, const char *end,
                            lt_tok *t, int64_t *nl, int *incomplete) {
  int state = ST_CHECK_QUOTED, ws = (c->dlen == 0);
  t->nf = 0;
  t->len = 0;
  if (tok_newfield(t)) return NULL;
  for (;;) {
    switch (state) {
      case ST_CHECK_QUOTED:
        if (ws) {
          int k;
          while (p < end && (k = ws_len(p, end)) > 0) p += k;
        }
        if (p >= end) goto finish;
        if (c->qlen && match(p, end, c->quote, c->qlen)) {
          t->f[t->nf - 1].quoted = 1;
          p += c->qlen;
          state = ST_QUOTED;
        } else {
          state = ST_UNQUOTED;
        }
        break;
      case ST_UNQUOTED: {
        const char *s = p;
        for (; p < end; p++) {
          char ch = *p;
          int k;
          if (ch == '\r' || ch == '\n') {
            if (tok_add(t, s, (size_t)(p - s))) return NULL;
            p++;
            if (ch == '\r' && p < end && *p == '\n') p++;
            (*nl)++;
            goto finish;
          }
          if (ws) {
            k = ws_len(p, end);
            if (k > 0) {
              if (tok_add(t, s, (size_t)(p - s))) return NULL;
              p += k;
              tok_endfield(t);
              if (tok_newfield(t)) return NULL;
              state = ST_CHECK_QUOTED;
              goto next;
            }
          } else if (match(p, end, c->delim, c->dlen)) {
            if (tok_add(t, s, (size_t)(p - s))) return NULL;
            p += c->dlen;
            tok_endfield(t);
            if (tok_newfield(t)) return NULL;
            state = ST_CHECK_QUOTED;
            goto next;
          }
          if (c->clen && match(p, end, c->comment, c->clen)) {
            if (tok_add(t, s, (size_t)(p - s))) return NULL;
            while (p < end && *p != '\n' && *p != '\r') p++;
            if (p < end) {
              if (*p == '\r' && p + 1 < end && p[1] == '\n') p++;
              p++;
              (*nl)++;
            }
            goto finish;
          }
        }
        if (tok_add(t, s, (size_t)(p - s))) return NULL;
        goto finish;
      }
      case ST_QUOTED: {
        const char *s = p;
        for (; p < end; p++) {
          if (match(p, end, c->quote, c->qlen)) {
            if (tok_add(t, s, (size_t)(p - s))) return NULL;
            p += c->qlen;
            if (p < end && match(p, end, c->quote, c->qlen)) {   /* "" */
              if (tok_add(t, c->quote, (size_t)c->qlen)) return NULL;
              p += c->qlen;
              s = p;
              p--;
              continue;
            }
            state = ST_UNQUOTED;
            goto next;
          }
          if (*p == '\n') (*nl)++;
          else if (*p == '\r') {
            (*nl)++;
            if (c->translate_cr) {
              if (tok_add(t, s, (size_t)(p - s)) || tok_add(t, "\n", 1))
                return NULL;
              if (p + 1 < end && p[1] == '\n') p++;
              s = p + 1;
            } else if (p + 1 < end && p[1] == '\n') {
              p++;                           /* \r\n is one line end */
            }
          }
        }
        if (tok_add(t, s, (size_t)(p - s))) return NULL;
        *incomplete = 1;
        goto finish;
      }
    }
  next:;
  }
finish:
  tok_endfield(t);
  /* One empty unquoted field is an empty line; with white space
  ** splitting a last empty field is dropped ("1 2 ".split()). NumPy tests
  ** the first field's quote flag here, and so do we. */
  if (t->nf == 1 || (t->nf > 0 && ws)) {
    if (t->f[t->nf - 1].len == 0 && !t->f[0].quoted) t->nf--;
  }
  return p;
}

/*
** One row: with several comment strings (or a multi-character one), the
** line is cut at the first comment as NumPy's Python pre-processing
** does, then tokenized without quotes.
*/
static const char *tok_row(const lt_cfg *c, const char *p, const char *end,
                           lt_tok *t, int64_t *nl, int *incomplete) {
  const char *le, *cut, *after, *q;
  int i;
  if (c->nmc == 0) return tok_core(c, p, end, t, nl, incomplete);
  le = p;
  while (le < end && *le != '\n' && *le != '\r') le++;
  after = le;
  if (after < end) {
    if (*after == '\r' && after + 1 < end && after[1] == '\n') after++;
    after++;
  }
  cut = le;
  for (i = 0; i < c->nmc; i++) {
    size_t n = strlen(c->mc[i]);
    const char *s;
    for (s = p; s + n <= cut; s++)
      if (memcmp(s, c->mc[i], n) == 0) { cut = s; break; }
  }
  q = tok_core(c, p, cut, t, nl, incomplete);
  if (q == NULL) return NULL;
  if (after > le) (*nl)++;
  return after;
}

/* }====================================================== */

/* {======================================================
** Reader state
** ======================================================= */

typedef struct lt_job {
  txt_job job;
  char *text;
  size_t n, cap;
  int last;                 /* no text follows this block */
  int64_t limit;            /* rows wanted (-1: all) */
  /* results */
  txt_grow out;             /* row records */
  npio_buf strs;            /* flexible strings */
  int64_t nrows, nlines;
  size_t used;              /* bytes of text consumed */
  int incomplete;           /* stopped inside a quoted field */
  int err;
  int64_t err_line;         /* line (relative to the block) of the error */
  char emsg[400];
  lt_tok tok;
  uint64_t *bits;           /* separator bitmap (fast path) */
  size_t nbits;
} lt_job;

typedef struct lt_ctx {
  const npio_loadtxt_opts *o;
  lt_cfg cfg;
  char unit;
  npio_dtype *dtype;        /* the result dtype (record or element) */
  int structured;
  txt_col *cols;            /* result columns */
  int ncols, colcap;
  int64_t rowsize;
  int64_t nfields;          /* fields per row (no usecols); -1 unknown */
  int flex;                 /* 'S'/'U' width found from the data */
  int64_t *flexw;           /* widest value per column */
  int *convi;               /* result column -> converter index or -1 */
  /* fast path */
  int fast;
  int fast_ws;
  char fdelim, fcomment;
  int64_t fmaxfield;        /* highest field used (usecols) */
  int *fmap;                /* field -> first result column, -1 unused */
  int *fnext;               /* result column -> next column of that field */
} lt_ctx;

/* Sets up the result columns once the number of fields is known. */
static int ctx_columns(lt_ctx *c, int64_t nfields, npio_err *e) {
  int64_t n, i;
  c->nfields = nfields;
  if (c->structured) return NPIO_OK;     /* columns come from the dtype */
  n = c->o->usecols ? c->o->nusecols : nfields;
  if (n > 1000000000)
    return npio_seterr(e, NPIO_ELIMIT, "too many columns (%lld)",
                       (long long)n);
  c->cols = (txt_col *)calloc((size_t)(n ? n : 1), sizeof *c->cols);
  if (c->cols == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  c->ncols = (int)n;
  c->rowsize = c->flex ? 16 * n : c->dtype->itemsize * n;
  for (i = 0; i < n; i++) {
    txt_col *col = &c->cols[i];
    col->kind = c->flex ? (c->flex == 'S' ? TC_S : TC_U)
                        : txt_col_kind(c->dtype);
    col->offset = c->flex ? 16 * i : c->dtype->itemsize * i;
    col->size = c->dtype->itemsize;
    col->swap = !npio_dtype_isnative(c->dtype);
    col->dt = c->dtype;
  }
  if (c->flex) {
    c->flexw = (int64_t *)calloc((size_t)(n ? n : 1), sizeof *c->flexw);
    if (c->flexw == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
  return NPIO_OK;
}

/*
** Maps converters to result columns as NumPy's create_conv_funcs does:
** with usecols, a key matches the usecols entries equal to it; without,
** a key is a column index (negative from the end) that must exist.
*/
static int ctx_converters(lt_ctx *c, npio_err *e) {
  const npio_loadtxt_opts *o = c->o;
  int i, k;
  if (!o->conv) return NPIO_OK;
  free(c->convi);
  c->convi = (int *)malloc((size_t)(c->ncols ? c->ncols : 1) * sizeof(int));
  if (c->convi == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  for (i = 0; i < c->ncols; i++) c->convi[i] = o->conv_all ? 0 : -1;
  if (o->conv_all) return NPIO_OK;
  for (k = 0; k < o->nconv; k++) {
    int64_t key = o->conv_keys[k];
    if (o->usecols) {
      for (i = 0; i < o->nusecols; i++)
        if (o->usecols[i] == key) c->convi[i] = k;
    } else {
      if (key < -(int64_t)c->ncols || key >= c->ncols)
        return npio_seterr(e, NPIO_EVALUE, "converter specified for column "
                           "%lld, which is invalid for the number of fields "
                           "%d", (long long)(key >= 0 ? key + 1 : key),
                           c->ncols);
      c->convi[key < 0 ? key + c->ncols : key] = k;
    }
  }
  return NPIO_OK;
}

/* Decides whether the fast path applies, and builds its field map. */
static int ctx_fast(lt_ctx *c, npio_err *e) {
  const npio_loadtxt_opts *o = c->o;
  int i;
  c->fast = 0;
  if (c->cfg.qlen || c->cfg.nmc || o->conv || c->flex) return NPIO_OK;
  if (c->cfg.dlen > 1 || c->cfg.clen > 1) return NPIO_OK;
  if (c->cfg.dlen == 1 && ((unsigned char)c->cfg.delim[0] >= 0x80 ||
                           c->cfg.delim[0] == '\r' || c->cfg.delim[0] == '\n'))
    return NPIO_OK;
  if (c->cfg.clen == 1 && (unsigned char)c->cfg.comment[0] >= 0x80)
    return NPIO_OK;
  for (i = 0; i < c->ncols; i++) {
    int k = c->cols[i].kind;
    if (!(k <= TC_F16 || (k >= TC_I8 && k <= TC_BOOL))) return NPIO_OK;
  }
  c->fast_ws = (c->cfg.dlen == 0);
  c->fdelim = c->cfg.dlen ? c->cfg.delim[0] : 0;
  c->fcomment = c->cfg.clen ? c->cfg.comment[0] : 0;
  if (o->usecols) {
    int64_t mx = -1;
    for (i = 0; i < o->nusecols; i++) {
      if (o->usecols[i] < 0) return NPIO_OK;
      if (o->usecols[i] > mx) mx = o->usecols[i];
    }
    if (mx > 100000000) return NPIO_OK;
    c->fmaxfield = mx;
    c->fmap = (int *)malloc((size_t)(mx + 1) * sizeof(int));
    c->fnext = (int *)malloc((size_t)(o->nusecols + 1) * sizeof(int));
    if (c->fmap == NULL || c->fnext == NULL)
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    for (i = 0; i <= mx; i++) c->fmap[i] = -1;
    for (i = o->nusecols - 1; i >= 0; i--) {   /* chain repeated fields */
      int64_t f = o->usecols[i];
      c->fnext[i] = c->fmap[f];
      c->fmap[f] = i;
    }
  } else {
    c->fmaxfield = c->ncols - 1;
  }
  c->fast = 1;
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** The fast path
** ======================================================= */

enum { FR_FALLBACK = 0, FR_ROW, FR_EMPTY };

static int isdig_(char ch) { return (unsigned char)(ch - '0') < 10; }

/* Parses [+-]digits at p as an integer (no other syntax): end or NULL. */
static const char *fast_int(const char *p, const char *end, int64_t *v) {
  int neg = 0;
  uint64_t x = 0;
  const char *s;
  if (p < end && (*p == '-' || *p == '+')) { neg = (*p == '-'); p++; }
  s = p;
  while (p < end && isdig_(*p)) {
    if (p - s >= 18) return NULL;        /* long: let the full path do it */
    x = x * 10 + (uint64_t)(*p - '0');
    p++;
  }
  if (p == s) return NULL;
  if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return NULL;
  *v = neg ? -(int64_t)x : (int64_t)x;
  return p;
}

/* Parses one number of column kind at p into dst; end or NULL. */
static inline __attribute__((always_inline)) const char *
fast_value(const txt_col *col, const char *p, const char *end, char *dst) {
  if (col->kind <= TC_F16) {
    double d;
    const char *q = txt_scan_double_inl(p, end, 0, &d);
    if (q == NULL) return NULL;
    if (col->kind == TC_F64 && !col->swap) memcpy(dst, &d, 8);
    else txt_store_double(col, d, dst);
    return q;
  } else {
    int64_t v;
    const char *q = fast_int(p, end, &v);
    if (q == NULL) return NULL;
    if (col->kind == TC_BOOL) *dst = (char)(v != 0);
    else if (txt_store_int(col, v, 0, 0, dst) != TXT_OK) return NULL;
    return q;
  }
}

/* Skips ' ' and '\t' that are not the delimiter. */
static const char *skip_blank(const char *p, const char *end, char delim) {
  while (p < end && (*p == ' ' || *p == '\t') && *p != delim) p++;
  return p;
}

/* Consumes the line end (or a comment and its line end) at p. */
static const char *eat_eol(const lt_ctx *c, const char *p, const char *end,
                           int64_t *nl) {
  if (p < end && *p == c->fcomment && c->fcomment) {
    while (p < end && *p != '\n' && *p != '\r') p++;
  }
  if (p < end) {
    if (*p == '\r') { p++; if (p < end && *p == '\n') p++; }
    else p++;
    (*nl)++;
  }
  return p;
}

/*
** Parses a whole numeric row at *pp into 'row'. FR_FALLBACK means the
** row needs the full tokenizer (nothing is consumed).
*/
static int fast_row(const lt_ctx *c, const char **pp, const char *end,
                    char *row, int64_t *nl) {
  const char *p = *pp;
  const char delim = c->fdelim, cm = c->fcomment;
  const int ws = c->fast_ws;
  int64_t f;
  if (ws) p = skip_blank(p, end, 0);
  if (p >= end) { *pp = p; return FR_EMPTY; }
  if (*p == '\n' || *p == '\r' || (cm && *p == cm)) {
    *pp = eat_eol(c, p, end, nl);
    return FR_EMPTY;
  }
  for (f = 0;; f++) {
    const char *q;
    int j;
    if (f > c->fmaxfield && c->o->usecols) {
      /* rest of the line is not needed */
      while (p < end && *p != '\n' && *p != '\r') {
        if (cm && *p == cm) break;
        p++;
      }
      *pp = eat_eol(c, p, end, nl);
      return FR_ROW;
    }
    if (!ws) p = skip_blank(p, end, delim);
    j = c->o->usecols ? c->fmap[f] : (f < c->ncols ? (int)f : -2);
    if (j == -2) return FR_FALLBACK;     /* too many fields */
    if (j >= 0) {
      const txt_col *col = &c->cols[j];
      q = fast_value(col, p, end, row + col->offset);
      if (q == NULL) return FR_FALLBACK;
      if (c->o->usecols) {               /* the same field used again */
        int k;
        for (k = c->fnext[j]; k >= 0; k = c->fnext[k]) {
          const txt_col *c2 = &c->cols[k];
          if (fast_value(c2, p, end, row + c2->offset) == NULL)
            return FR_FALLBACK;
        }
      }
    } else {                             /* an unused field: skip it */
      q = p;
      if (ws) {
        while (q < end && *q != ' ' && *q != '\t' && *q != '\n' &&
               *q != '\r' && *q != cm) {
          if ((unsigned char)*q >= 0x80 || txt_isspace_ascii(*q))
            return FR_FALLBACK;
          q++;
        }
      } else {
        while (q < end && *q != delim && *q != '\n' && *q != '\r' &&
               *q != cm)
          q++;
      }
    }
    p = skip_blank(q, end, delim);
    if (p >= end || *p == '\n' || *p == '\r' || (cm && *p == cm)) {
      if (!c->o->usecols && f + 1 != c->ncols) return FR_FALLBACK;
      if (c->o->usecols && f < c->fmaxfield) return FR_FALLBACK;
      *pp = eat_eol(c, p, end, nl);
      return FR_ROW;
    }
    if (ws) {
      if (p == q) return FR_FALLBACK;    /* "1.5x": not a separator */
    } else {
      if (*p != delim) return FR_FALLBACK;
      p++;
    }
  }
}

/*
** The delimited fast path: 'bits' marks every delimiter, line end and
** comment character of the block, so field ends are known before the
** numbers are parsed (the parses no longer wait on each other). Same
** contract as fast_row; *pp is an offset into text.
*/
static int bm_row(const lt_ctx *c, const char *text, size_t n,
                  const uint64_t *bits, size_t *pp, char *row, int64_t *nl) {
  const char *end = text + n;
  const char delim = c->fdelim, cm = c->fcomment;
  const int uc = c->o->usecols != NULL;
  size_t pos = *pp;
  int64_t f;
  char ch = text[pos];
  if (ch == '\n' || ch == '\r' || (cm && ch == cm)) {   /* empty line */
    *pp = (size_t)(eat_eol(c, text + pos, end, nl) - text);
    return FR_EMPTY;
  }
  for (f = 0;; f++) {
    size_t sep = txt_nextsep(bits, n, pos);
    int j;
    if (uc) {
      if (f > c->fmaxfield) {            /* the rest is not needed */
        while (sep < n && text[sep] != '\n' && text[sep] != '\r')
          sep = txt_nextsep(bits, n, sep + 1);
        *pp = (size_t)(eat_eol(c, text + sep, end, nl) - text);
        return FR_ROW;
      }
      j = c->fmap[f];
    } else {
      if (f >= c->ncols) return FR_FALLBACK;
      j = (int)f;
    }
    if (j >= 0) {
      const char *s = text + pos, *e = text + sep, *q;
      const txt_col *col = &c->cols[j];
      while (s < e && (*s == ' ' || *s == '\t')) s++;
      while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
      q = fast_value(col, s, end, row + col->offset);
      if (q != e) return FR_FALLBACK;
      if (uc) {
        int k;
        for (k = c->fnext[j]; k >= 0; k = c->fnext[k]) {
          const txt_col *c2 = &c->cols[k];
          fast_value(c2, s, end, row + c2->offset);
        }
      }
    }
    ch = sep < n ? text[sep] : '\n';
    if (ch == delim) { pos = sep + 1; continue; }
    if (!uc && f + 1 != c->ncols) return FR_FALLBACK;
    if (uc && f < c->fmaxfield) return FR_FALLBACK;
    *pp = (size_t)(eat_eol(c, text + sep, end, nl) - text);
    return FR_ROW;
  }
}

/* }====================================================== */

/* {======================================================
** Converting tokenized rows
** ======================================================= */

/* Formats an error for the row at relative line 'line' of the job. */
static void job_error(lt_job *j, int code, int64_t line, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
static void job_error(lt_job *j, int code, int64_t line, const char *fmt,
                      ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(j->emsg, sizeof j->emsg, fmt, ap);
  va_end(ap);
  j->err = code;
  j->err_line = line;
}

/* Reports a failed conversion of field text s/n in file column fcol. */
static void conv_error(lt_job *j, const txt_col *col, int st, int64_t line,
                       int64_t fcol, const char *s, size_t n) {
  char q[128], nb[32];
  const char *nm;
  txt_quote(q, sizeof q, s, n);
  nm = txt_kind_name(col, nb, sizeof nb);
  if (st == TXT_ERANGE)
    job_error(j, NPIO_EVALUE, line, "column %lld: %s is out of range for %s",
              (long long)fcol + 1, q, nm);
  else if (st == TXT_ELATIN1)
    job_error(j, NPIO_EVALUE, line, "column %lld: %s cannot be stored as "
              "%s (characters above U+00FF)", (long long)fcol + 1, q, nm);
  else
    job_error(j, NPIO_EVALUE, line, "column %lld: %s is not a %s",
              (long long)fcol + 1, q, nm);
}

/* Converts the tokenized row in j->tok into row (record). */
static int convert_row(lt_ctx *c, lt_job *j, int64_t line, char *row) {
  const npio_loadtxt_opts *o = c->o;
  lt_tok *t = &j->tok;
  int i;
  for (i = 0; i < c->ncols; i++) {
    const txt_col *col = &c->cols[i];
    int64_t fi = i;
    const char *s;
    size_t n;
    int st;
    if (o->usecols) {
      fi = o->usecols[i];
      if (fi < 0) fi += t->nf;
      if (fi < 0 || fi >= t->nf) {
        int64_t u = o->usecols[i];
        job_error(j, NPIO_EVALUE, line, "usecols: column %lld is out of "
                  "range for a row with %d column%s", (long long)(u >= 0 ?
                  u + 1 : u), t->nf, t->nf == 1 ? "" : "s");
        return -1;
      }
    }
    s = t->buf ? t->buf + t->f[fi].off : "";   /* all fields empty */
    n = t->f[fi].len;
    if (c->convi && c->convi[i] >= 0) {
      npio_scalar sc;
      npio_err ce;
      memset(&sc, 0, sizeof sc);
      ce.code = 0;
      ce.msg[0] = '\0';
      if (o->conv(o->conv_ud, c->convi[i], s, n, &sc, &ce) != NPIO_OK) {
        job_error(j, ce.code ? ce.code : NPIO_EVALUE, line,
                  "column %lld: converter: %s", (long long)fi + 1, ce.msg);
        return -1;
      }
      if (c->flex) {
        if (sc.kind == 'S' || sc.kind == 'U') { s = sc.s; n = sc.slen; }
        else {
          job_error(j, NPIO_ETYPE, line, "column %lld: the converter must "
                    "return a string for dtype '%c'", (long long)fi + 1,
                    c->flex);
          return -1;
        }
      } else {
        st = txt_store_scalar(col, &sc, c->unit, row + col->offset);
        if (st != TXT_OK) {
          char nb[32];
          job_error(j, NPIO_EVALUE, line, "column %lld: the converter's "
                    "result cannot be stored as %s", (long long)fi + 1,
                    txt_kind_name(col, nb, sizeof nb));
          return -1;
        }
        continue;
      }
    }
    if (c->flex) {                       /* keep the text for later */
      uint64_t rec[2];
      size_t w;
      if (c->flex == 'S' && !txt_latin1_ok(s, n)) {
        conv_error(j, col, TXT_ELATIN1, line, fi, s, n);
        return -1;
      }
      rec[0] = j->strs.len;
      rec[1] = n;
      if (npio_buf_add(&j->strs, s, n)) {
        job_error(j, NPIO_ENOMEM, line, "out of memory");
        return -1;
      }
      memcpy(row + col->offset, rec, 16);
      w = txt_utf8_len(s, n);
      if ((int64_t)w > c->flexw[i]) c->flexw[i] = (int64_t)w;
      continue;
    }
    st = txt_conv_loadtxt(col, s, n, c->unit, row + col->offset);
    if (st != TXT_OK) {
      conv_error(j, col, st, line, fi, s, n);
      return -1;
    }
  }
  return 0;
}

/* }====================================================== */

/* {======================================================
** Parsing a block
** ======================================================= */

/* Builds the separator bitmap of job j's text for bm_row; returns -1
** when out of memory, else 1 if the text is all ASCII, 0 if not. */
static int build_bitmap(const lt_ctx *c, lt_job *j) {
  size_t words = (j->n + 63) / 64;
  char set[4];
  int nset = 0;
  set[nset++] = c->fdelim;
  set[nset++] = '\n';
  set[nset++] = '\r';
  if (c->fcomment) set[nset++] = c->fcomment;
  if (words > j->nbits) {
    uint64_t *q = (uint64_t *)realloc(j->bits, words * sizeof *q);
    if (q == NULL) return -1;
    j->bits = q;
    j->nbits = words;
  }
  return txt_sepmap(j->text, j->n, set, nset, j->bits);
}

/*
** Parses the rows of job j. Runs on a worker thread unless the reader
** is sequential; in sequential mode it may learn the column count from
** the first row. The caller sees j->err, j->nrows, j->nlines, j->used.
*/
static void parse_block(lt_ctx *c, lt_job *j) {
  const char *p = j->text, *end = j->text + j->n;
  int64_t nl = 0;
  int bm_ready = 0, ascii = 0;
  j->nrows = j->nlines = 0;
  j->out.len = 0;
  j->strs.len = 0;
  j->incomplete = 0;
  j->err = 0;
  j->used = 0;
  if (c->fast && !c->fast_ws && j->n > 0) {   /* bitmap, ASCII check too */
    int r = build_bitmap(c, j);
    if (r < 0) goto nomem;
    bm_ready = 1;
    ascii = r;
  }
  if (!ascii) {
    int64_t bad = txt_utf8_check(j->text, j->n);
    if (bad >= 0) {
      job_error(j, NPIO_EFORMAT, txt_count_lines(j->text, (size_t)bad),
                "invalid UTF-8 byte 0x%02x (pass the file's encoding)",
                (unsigned)(unsigned char)j->text[bad]);
      return;
    }
  }
  while (p < end && (j->limit < 0 || j->nrows < j->limit)) {
    const char *start = p, *q;
    int64_t line = j->nlines;
    int inc = 0;
    if (c->fast) {
      int r;
      if (txt_grow_room(&j->out, (size_t)c->rowsize)) goto nomem;
      nl = 0;
      if (!c->fast_ws) {
        size_t pos = (size_t)(p - j->text);
        if (!bm_ready) {
          if (build_bitmap(c, j) < 0) goto nomem;
          bm_ready = 1;
        }
        r = bm_row(c, j->text, j->n, j->bits, &pos, j->out.p + j->out.len,
                   &nl);
        if (r != FR_FALLBACK) p = j->text + pos;
      } else {
        r = fast_row(c, &p, end, j->out.p + j->out.len, &nl);
      }
      if (r != FR_FALLBACK) {
        j->nlines += nl;
        if (r == FR_ROW) {
          j->out.len += (size_t)c->rowsize;
          j->nrows++;
        }
        continue;
      }
    }
    nl = 0;
    q = tok_row(&c->cfg, p, end, &j->tok, &nl, &inc);
    if (q == NULL) goto nomem;
    if (inc && !j->last) {               /* the row goes on past the block */
      j->incomplete = 1;
      j->used = (size_t)(start - j->text);
      return;
    }
    p = q;
    j->nlines += nl;
    if (j->tok.nf == 0) continue;        /* empty or comment line */
    if (c->nfields < 0) {                /* first row: the column count */
      npio_err e;
      if (ctx_columns(c, j->tok.nf, &e) != NPIO_OK) {
        job_error(j, e.code, line, "%s", e.msg);
        return;
      }
      if (ctx_fast(c, &e) != NPIO_OK || ctx_converters(c, &e) != NPIO_OK) {
        job_error(j, e.code, line, "%s", e.msg);
        return;
      }
    }
    if (!c->o->usecols && j->tok.nf != c->nfields) {
      job_error(j, NPIO_EVALUE, line, "the number of columns changed from "
                "%lld to %d; use usecols to select a subset",
                (long long)c->nfields, j->tok.nf);
      return;
    }
    if (txt_grow_room(&j->out, (size_t)c->rowsize)) goto nomem;
    if (convert_row(c, j, line, j->out.p + j->out.len) != 0) return;
    j->out.len += (size_t)c->rowsize;
    j->nrows++;
  }
  j->used = (size_t)(p - j->text);
  return;
nomem:
  job_error(j, NPIO_ENOMEM, j->nlines, "out of memory");
}

static void work(void *ctx, void *job) {
  parse_block((lt_ctx *)ctx, (lt_job *)job);
}

/* }====================================================== */

/* {======================================================
** Options
** ======================================================= */

void npio_loadtxt_defaults(npio_loadtxt_opts *o) {
  static const char *const hash[] = {"#", NULL};
  memset(o, 0, sizeof *o);
  o->comments = hash;
  o->imaginary_unit = 'j';
  o->max_rows = -1;
}

/* Byte length of the single UTF-8 character s, or -1 if s is not one. */
static int one_char(const char *s) {
  size_t n = strlen(s);
  unsigned char c0 = (unsigned char)s[0];
  size_t want = c0 < 0x80 ? 1 : c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
  return (n == want) ? (int)n : -1;
}

static int is_space_char(const char *s, int n) {
  if (n == 1) return txt_isspace_ascii(s[0]);
  return txt_utf8_space(s, s + n) == n;
}

/* Checks the control characters as NumPy does (TypeErrors there). */
static int setup_cfg(lt_ctx *c, npio_txt_src *src, npio_err *e) {
  const npio_loadtxt_opts *o = c->o;
  lt_cfg *g = &c->cfg;
  int ncom = 0, i;
  memset(g, 0, sizeof *g);
  if (o->delimiter) {
    if (o->delimiter[0] == '\0' || (g->dlen = one_char(o->delimiter)) < 0)
      return npio_seterr(e, NPIO_EVALUE, "delimiter must be a single "
                         "character or nil");
    g->delim = o->delimiter;
  }
  if (o->quotechar) {
    if (o->quotechar[0] == '\0' || (g->qlen = one_char(o->quotechar)) < 0)
      return npio_seterr(e, NPIO_EVALUE, "quotechar must be a single "
                         "character or nil");
    g->quote = o->quotechar;
  }
  if (o->comments) {
    for (ncom = 0; o->comments[ncom]; ncom++)
      if (o->comments[ncom][0] == '\0')
        return npio_seterr(e, NPIO_EVALUE, "comments cannot be an empty "
                           "string; use comments=false to disable comments");
  }
  if (ncom == 1 && one_char(o->comments[0]) > 0) {
    g->comment = o->comments[0];
    g->clen = one_char(o->comments[0]);
  } else if (ncom > 0) {
    if (g->qlen)
      return npio_seterr(e, NPIO_EVALUE, "when multiple comments or a "
                         "multi-character comment is given, quotes are not "
                         "supported; set quotechar to nil");
    for (i = 0; i < ncom; i++)
      if (g->dlen && strcmp(o->comments[i], o->delimiter) == 0)
        return npio_seterr(e, NPIO_EVALUE, "comment characters cannot "
                           "include the delimiter '%s'", o->delimiter);
    g->mc = o->comments;
    g->nmc = ncom;
  }
  /* collisions and newlines */
  {
    const char *ch[3] = {g->delim, g->comment, g->quote};
    const int len[3] = {g->dlen, g->clen, g->qlen};
    int a, b;
    for (a = 0; a < 3; a++) {
      if (!len[a]) continue;
      if (ch[a][0] == '\n' || ch[a][0] == '\r')
        return npio_seterr(e, NPIO_EVALUE, "control character '\\%c' "
                           "cannot be a newline", ch[a][0] == '\n' ? 'n' : 'r');
      for (b = a + 1; b < 3; b++)
        if (len[b] && len[a] == len[b] &&
            memcmp(ch[a], ch[b], (size_t)len[a]) == 0)
          return npio_seterr(e, NPIO_EVALUE, "the control characters "
                             "delimiter, comments and quotechar are "
                             "incompatible (the same character twice)");
      if (!g->dlen && a > 0 && is_space_char(ch[a], len[a]))
        return npio_seterr(e, NPIO_EVALUE, "the control characters are "
                           "incompatible: white space cannot be a comment or "
                           "quote character when the delimiter is white "
                           "space");
    }
  }
  g->translate_cr = !txt_src_is_list(src);
  c->unit = o->imaginary_unit ? o->imaginary_unit : 'j';
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** The reader
** ======================================================= */

#define NJOBS (2 * TXT_MAX_THREADS + 2)

typedef struct lt_run {
  lt_ctx c;
  txt_reader rd;
  txt_pool pool;
  lt_job *jobs;
  int njobs;
  txt_grow g;               /* the result rows */
  npio_buf allstrs;         /* flexible: every string */
  int64_t nrows;
  int64_t lines;            /* line ends before the next block */
  int64_t skip;             /* lines still to skip */
  txt_progress prog;
  const char *name;
} lt_run;

/* Skips up to *left line ends at the start of [p, p+n); returns the
** offset after them. */
static size_t skip_lines(const char *p, size_t n, int64_t *left,
                         int64_t *lines) {
  size_t i = 0;
  while (*left > 0 && i < n) {
    const char *q = p + i;
    while (q < p + n && *q != '\n' && *q != '\r') q++;
    if (q >= p + n) return n;        /* the block ends first */
    if (*q == '\r' && q + 1 < p + n && q[1] == '\n') q++;
    i = (size_t)(q - p) + 1;
    (*left)--;
    (*lines)++;
  }
  return i;
}

/* Appends a finished job's rows to the result (main thread). */
static int absorb(lt_run *R, lt_job *j, npio_err *e) {
  if (j->err) {
    return npio_seterr(e, j->err, "%s:%lld: %s", R->name,
                       (long long)(R->lines + j->err_line + 1), j->emsg);
  }
  if (j->out.len) {
    if (txt_grow_reserve(&R->g, j->out.len, e) != NPIO_OK) return e->code;
    if (R->c.flex) {                    /* rebase string offsets */
      int64_t r, k;
      uint64_t base = R->allstrs.len;
      char *dst = R->g.p + R->g.len;
      memcpy(dst, j->out.p, j->out.len);
      for (r = 0; r < j->nrows; r++)
        for (k = 0; k < R->c.ncols; k++) {
          uint64_t off;
          char *cell = dst + r * R->c.rowsize + 16 * k;
          memcpy(&off, cell, 8);
          off += base;
          memcpy(cell, &off, 8);
        }
      if (npio_buf_add(&R->allstrs, j->strs.p ? j->strs.p : "", j->strs.len))
        return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    } else {
      memcpy(R->g.p + R->g.len, j->out.p, j->out.len);
    }
    R->g.len += j->out.len;
  }
  R->nrows += j->nrows;
  R->lines += j->nlines;
  if (txt_progress_step(&R->prog, txt_src_done(R->rd.src),
                        txt_src_total(R->rd.src)))
    return npio_seterr(e, NPIO_EIO, "%s: stopped by the progress callback",
                       R->name);
  return NPIO_OK;
}

/*
** Reads the next block into j (skipping the first skiprows lines);
** returns 0 with j->n == 0 at the end.
*/
static int fill_job(lt_run *R, lt_job *j, size_t want, npio_err *e) {
  for (;;) {
    size_t off;
    if (txt_reader_next(&R->rd, &j->text, &j->cap, &j->n, want, e))
      return txt_prefix_err(e, "%s:%lld", R->name, (long long)R->lines + 1);
    j->last = R->rd.eof && R->rd.len == 0;
    if (j->n == 0) return NPIO_OK;
    if (R->skip == 0) return NPIO_OK;
    off = skip_lines(j->text, j->n, &R->skip, &R->lines);
    if (off < j->n) {
      memmove(j->text, j->text + off, j->n - off);
      j->n -= off;
      return NPIO_OK;
    }
  }
}

/* Builds the flexible-width S/U result from the string records. */
static int finish_flex(lt_run *R, const int64_t *shape, int ndim,
                       npio_array *out, npio_err *e) {
  lt_ctx *c = &R->c;
  int64_t w = 1, r, k;
  npio_dtype *dt;
  char *dst;
  txt_col col;
  for (k = 0; k < c->ncols; k++) if (c->flexw[k] > w) w = c->flexw[k];
  dt = npio_dtype_simple(c->flex, c->flex == 'U' ? 4 * w : w);
  if (dt == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  if (npio_array_init(out, dt, ndim, shape, 0, 0, c->o->hook, e)) {
    npio_dtype_unref(dt);
    return e->code;
  }
  npio_dtype_unref(dt);
  dst = npio_array_data(out, e);
  memset(&col, 0, sizeof col);
  col.kind = c->flex == 'S' ? TC_S : TC_U;
  col.size = out->dtype->itemsize;
  for (r = 0; r < R->nrows; r++)
    for (k = 0; k < c->ncols; k++) {
      uint64_t rec[2];
      memcpy(rec, R->g.p + r * c->rowsize + 16 * k, 16);
      txt_store_text(&col, R->allstrs.p + rec[0], (size_t)rec[1],
                     dst + (r * c->ncols + k) * col.size);
    }
  return NPIO_OK;
}

/*
** NumPy's _ensure_ndmin_ndarray on a shape: squeeze when ndim > ndmin,
** then atleast_1d / atleast_2d(a).T.
*/
static int apply_ndmin(int64_t *shape, int ndim, int ndmin) {
  int i, k = 0;
  if (ndim > ndmin) {
    for (i = 0; i < ndim; i++) if (shape[i] != 1) shape[k++] = shape[i];
    ndim = k;
  }
  if (ndim < ndmin) {
    if (ndmin == 1) { shape[0] = 1; ndim = 1; }
    else if (ndim == 0) { shape[0] = shape[1] = 1; ndim = 2; }
    else { shape[1] = 1; ndim = 2; }     /* (n,) -> (1,n).T = (n,1) */
  }
  return ndim;
}

static int run(lt_run *R, npio_array *out, int *empty, npio_err *e) {
  lt_ctx *c = &R->c;
  const npio_loadtxt_opts *o = c->o;
  int seq, nth, k, st = NPIO_OK, preloaded = 0;
  size_t want = txt_block();
  int64_t shape[3];
  int ndim;
  nth = o->nthreads > 0 ? o->nthreads : txt_parse_threads();
  seq = o->conv != NULL || c->cfg.qlen || o->max_rows >= 0 ||
        R->rd.linewise || nth <= 1;
  R->njobs = seq ? 1 : (nth + 2 < NJOBS ? nth + 2 : NJOBS);
  R->jobs = (lt_job *)calloc((size_t)R->njobs, sizeof *R->jobs);
  if (R->jobs == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  for (k = 0; k < R->njobs; k++) R->jobs[k].job.data = &R->jobs[k];
  /* parallel: find the column count from the first row of the first
  ** block, which then goes to the workers like the others */
  if (!seq && c->nfields < 0) {
    lt_job *j = &R->jobs[0];
    const char *p, *end;
    if ((st = fill_job(R, j, want, e)) != NPIO_OK) return st;
    if (j->n == 0) goto done;
    p = j->text;
    end = p + j->n;
    while (p < end) {
      int64_t nl = 0;
      int inc = 0;
      const char *q = tok_row(&c->cfg, p, end, &j->tok, &nl, &inc);
      if (q == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
      if (j->tok.nf > 0) {
        if ((st = ctx_columns(c, j->tok.nf, e)) != NPIO_OK ||
            (st = ctx_fast(c, e)) != NPIO_OK ||
            (st = ctx_converters(c, e)) != NPIO_OK)
          return st;
        preloaded = 1;
        break;
      }
      p = q;
    }
    if (!preloaded) {                    /* no row yet: only blank lines */
      j->limit = -1;
      parse_block(c, j);
      if ((st = absorb(R, j, e)) != NPIO_OK) return st;
    }
  }
  /* sequential part: until the column count is known (always, if seq) */
  for (;;) {
    lt_job *j = &R->jobs[0];
    if (!seq && c->nfields >= 0) break;
    if ((st = fill_job(R, j, want, e)) != NPIO_OK) return st;
    if (j->n == 0) goto done;
    j->limit = o->max_rows >= 0 ? o->max_rows - R->nrows : -1;
    parse_block(c, j);
    if (j->incomplete) {                 /* a quoted field spans blocks */
      int64_t maxl = o->max_line > 0 ? o->max_line : TXT_MAX_LINE;
      if ((int64_t)(j->n - j->used) > maxl) {
        if ((st = absorb(R, j, e)) != NPIO_OK) return st;
        return npio_seterr(e, NPIO_ELIMIT, "%s:%lld: a quoted field runs on "
                           "for more than max_line (%lld bytes); pass a larger "
                           "max_line", R->name, (long long)R->lines + 1,
                           (long long)maxl);
      }
      if (j->used == 0) want *= 2;
      else want = txt_block();
      if ((st = txt_reader_unget(&R->rd, j->text + j->used, j->n - j->used,
                                 e)) != NPIO_OK)
        return st;
    } else if (j->used < j->n) {         /* max_rows reached */
      if ((st = absorb(R, j, e)) != NPIO_OK) return st;
      txt_src_used(R->rd.src, R->rd.handed - (int64_t)(j->n - j->used));
      goto done;
    }
    if ((st = absorb(R, j, e)) != NPIO_OK) return st;
    if (o->max_rows >= 0 && R->nrows >= o->max_rows) {
      txt_src_used(R->rd.src, R->rd.handed);
      goto done;
    }
  }
  /* parallel part: blocks parsed on workers, joined in order */
  txt_pool_start(&R->pool, nth, work, c);
  {
    int head = 0, tail = 0, inflight = 0, eof = 0;
    if (preloaded) {                     /* the first block, read above */
      R->jobs[0].limit = -1;
      txt_pool_submit(&R->pool, &R->jobs[0].job);
      tail = 1 % R->njobs;
      inflight = 1;
    }
    while (!eof || inflight > 0) {
      if (!eof && inflight < R->njobs) {
        lt_job *j = &R->jobs[tail];
        if ((st = fill_job(R, j, want, e)) != NPIO_OK) break;
        if (j->n == 0) { eof = 1; continue; }
        j->limit = -1;
        txt_pool_submit(&R->pool, &j->job);
        tail = (tail + 1) % R->njobs;
        inflight++;
        if (inflight < R->njobs && !eof) continue;
      }
      if (inflight > 0) {
        lt_job *j = &R->jobs[head];
        txt_pool_wait(&R->pool, &j->job);
        if ((st = absorb(R, j, e)) != NPIO_OK) break;
        head = (head + 1) % R->njobs;
        inflight--;
      }
    }
    txt_pool_stop(&R->pool);
    if (st != NPIO_OK) return st;
  }
done:
  txt_progress_end(&R->prog, txt_src_done(R->rd.src),
                   txt_src_total(R->rd.src));
  if (c->nfields < 0) {                 /* no data at all */
    if ((st = ctx_columns(c, 1, e)) != NPIO_OK) return st;
  }
  *empty = (R->nrows == 0);
  if (c->structured) { shape[0] = R->nrows; ndim = 1; }
  else { shape[0] = R->nrows; shape[1] = c->ncols; ndim = 2; }
  ndim = apply_ndmin(shape, ndim, o->ndmin);
  if (c->flex) return finish_flex(R, shape, ndim, out, e);
  return txt_grow_finish(&R->g, c->dtype, ndim, shape, out, e);
}

int npio_loadtxt(npio_txt_src *src, const npio_loadtxt_opts *o,
                 npio_array *out, int *empty, npio_err *e) {
  lt_run *R;
  lt_ctx *c;
  int st, k, dummy;
  memset(out, 0, sizeof *out);
  if (empty == NULL) empty = &dummy;
  if (o->ndmin < 0 || o->ndmin > 2)
    return npio_seterr(e, NPIO_EVALUE, "illegal value of ndmin keyword: %d",
                       o->ndmin);
  if (o->skiprows < 0)
    return npio_seterr(e, NPIO_EVALUE, "skiprows must be nonnegative");
  R = (lt_run *)calloc(1, sizeof *R);
  if (R == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  c = &R->c;
  c->o = o;
  c->nfields = -1;
  R->name = txt_src_name(src);
  R->skip = o->skiprows;
  txt_reader_init(&R->rd, src, o->max_line);
  txt_grow_init(&R->g, o->hook);
  txt_progress_init(&R->prog, o->progress, o->progress_ud,
                    o->progress_bar);
  if ((st = setup_cfg(c, src, e)) != NPIO_OK) goto out;
  c->dtype = o->dtype ? npio_dtype_ref(o->dtype) : npio_dtype_simple('f', 8);
  if (o->flexible) {
    npio_dtype_unref(c->dtype);
    c->dtype = npio_dtype_simple(o->flexible, o->flexible == 'U' ? 4 : 1);
    c->flex = o->flexible;
  }
  if (c->dtype == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  c->structured = c->dtype->nfields > 0;
  if (c->structured) {
    if (txt_flatten(c->dtype, 0, &c->cols, &c->ncols, &c->colcap) < 0) {
      st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
      goto out;
    }
    if (o->usecols && o->nusecols != c->ncols) {
      st = npio_seterr(e, NPIO_EVALUE, "if a structured dtype is used, the "
                       "number of columns in usecols must match the number of "
                       "fields: %d usecols were given and there are %d fields",
                       o->nusecols, c->ncols);
      goto out;
    }
    c->rowsize = c->dtype->itemsize;
    c->nfields = c->ncols;
  } else if (c->dtype->base != NULL) {
    st = npio_seterr(e, NPIO_ETYPE, "subarray dtypes are not supported by "
                     "loadtxt; use a structured dtype");
    goto out;
  } else if (o->usecols) {
    if ((st = ctx_columns(c, o->nusecols, e)) != NPIO_OK) goto out;
  }
  for (k = 0; k < c->ncols; k++) {
    if (c->cols[k].kind == TC_OTHER) {
      char nm[64];
      npio_dtype_str(c->cols[k].dt, nm, sizeof nm);
      st = npio_seterr(e, NPIO_ETYPE, "loadtxt cannot read dtype %s; use a "
                       "converter", nm);
      goto out;
    }
  }
  if (c->ncols > 0 || c->structured) {
    if ((st = ctx_fast(c, e)) != NPIO_OK) goto out;
    if ((st = ctx_converters(c, e)) != NPIO_OK) goto out;
  }
  st = run(R, out, empty, e);
out:
  if (R->jobs) {
    for (k = 0; k < R->njobs; k++) {
      txt_block_free(R->jobs[k].text, R->jobs[k].cap);
      txt_grow_free(&R->jobs[k].out);
      npio_buf_free(&R->jobs[k].strs);
      tok_free(&R->jobs[k].tok);
      free(R->jobs[k].bits);
    }
    free(R->jobs);
  }
  txt_reader_free(&R->rd);
  txt_grow_free(&R->g);
  npio_buf_free(&R->allstrs);
  npio_dtype_unref(c->dtype);
  free(c->cols);
  free(c->flexw);
  free(c->fmap);
  free(c->fnext);
  free(c->convi);
  free(R);
  return st;
}

/* }====================================================== */
