/*
** txt_gen.c -- NumPy's genfromtxt in C.
**
** NumPy's genfromtxt is Python: each line is cut at the comment string,
** stripped of " \r\n", split at the delimiter (or white space, or fixed
** widths), and each column goes through a StringConverter (Python's
** float(), int(), complex(), str2bool) with missing and filling values.
** This file does the same in one streaming pass over blocks of lines
** (on worker threads when possible), or in two passes for dtype=None:
** the first finds each column's type as StringConverter.upgrade would,
** the second converts. Memory stays near the size of the result.
*/
#include "txt_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* {======================================================
** Splitting lines (numpy.lib._iotools.LineSplitter)
** ======================================================= */

typedef struct gen_fld {
  const char *p;
  size_t n;
} gen_fld;

typedef struct gen_split {
  const char *comments;
  size_t clen;               /* 0: no comments */
  const char *delim;
  size_t dlen;               /* 0: white space runs */
  int fixed;                 /* 1: one width repeated; 2: a list */
  int64_t width;
  const int64_t *widths;
  int nwidths;
  int autostrip;
} gen_split;

typedef struct gen_flds {
  gen_fld *f;
  int n, cap;
} gen_flds;

static int flds_push(gen_flds *F, const char *p, size_t n) {
  if (F->n == F->cap) {
    int nc = F->cap ? F->cap * 2 : 16;
    gen_fld *q = (gen_fld *)realloc(F->f, (size_t)nc * sizeof *q);
    if (q == NULL) return -1;
    F->f = q;
    F->cap = nc;
  }
  F->f[F->n].p = p;
  F->f[F->n].n = n;
  F->n++;
  return 0;
}

/* Python white space character length at p (any, including \r \n). */
static int pyspace(const char *p, const char *e) {
  unsigned char c = (unsigned char)*p;
  if (c < 0x80) return txt_isspace_ascii(c);
  return txt_utf8_space(p, e);
}

/* Finds needle in [s, e); returns its start or NULL. */
static const char *find_str(const char *s, const char *e, const char *nd,
                            size_t n) {
  if (n == 1) return (const char *)memchr(s, nd[0], (size_t)(e - s));
  while ((size_t)(e - s) >= n) {
    const char *q = (const char *)memchr(s, nd[0], (size_t)(e - s) - n + 1);
    if (q == NULL) return NULL;
    if (memcmp(q, nd, n) == 0) return q;
    s = q + 1;
  }
  return NULL;
}

/* Advances over k UTF-8 characters from p (not past e). */
static const char *utf8_skip(const char *p, const char *e, int64_t k) {
  while (k > 0 && p < e) {
    p++;
    while (p < e && ((unsigned char)*p & 0xC0) == 0x80) p++;
    k--;
  }
  return p;
}

/*
** Splits the line [s, e) (its line end excluded) into F as
** LineSplitter.__call__ does. Returns -1 when out of memory.
*/
static int split_line(const gen_split *sp, const char *s, const char *e,
                      gen_flds *F) {
  F->n = 0;
  if (sp->clen) {
    const char *c = find_str(s, e, sp->comments, sp->clen);
    if (c) e = c;
  }
  if (sp->fixed == 2) {                      /* a list of widths */
    int i;
    const char *p = s;
    if (s == e) return 0;
    for (i = 0; i < sp->nwidths; i++) {
      const char *q = utf8_skip(p, e, sp->widths[i]);
      if (flds_push(F, p, (size_t)(q - p))) return -1;
      p = q;
    }
  } else {
    while (s < e && (*s == '\r' || *s == '\n' || (!sp->fixed && *s == ' ')))
      s++;
    while (e > s && (e[-1] == '\r' || e[-1] == '\n' ||
                     (!sp->fixed && e[-1] == ' ')))
      e--;
    if (s == e) return 0;
    if (sp->fixed == 1) {
      const char *p = s;
      while (p < e) {
        const char *q = utf8_skip(p, e, sp->width);
        if (flds_push(F, p, (size_t)(q - p))) return -1;
        p = q;
      }
    } else if (sp->dlen == 0) {              /* str.split() */
      const char *p = s;
      for (;;) {
        const char *q;
        int k;
        while (p < e && (k = pyspace(p, e)) > 0) p += k;
        if (p >= e) break;
        q = p;
        while (q < e && pyspace(q, e) == 0) q++;
        if (flds_push(F, p, (size_t)(q - p))) return -1;
        p = q;
      }
    } else {                                 /* str.split(delim) */
      const char *p = s;
      for (;;) {
        const char *q = find_str(p, e, sp->delim, sp->dlen);
        if (q == NULL) {
          if (flds_push(F, p, (size_t)(e - p))) return -1;
          break;
        }
        if (flds_push(F, p, (size_t)(q - p))) return -1;
        p = q + sp->dlen;
      }
    }
  }
  if (sp->autostrip) {
    int i;
    for (i = 0; i < F->n; i++) {
      const char *a = F->f[i].p, *b = a + F->f[i].n;
      txt_strip(&a, &b);
      F->f[i].p = a;
      F->f[i].n = (size_t)(b - a);
    }
  }
  return 0;
}

/* }====================================================== */

/* {======================================================
** Columns (StringConverter)
** ======================================================= */

/* How a column's text becomes a value. */
enum {
  GC_BOOL, GC_INT, GC_FLOAT, GC_COMPLEX,   /* the inference order */
  GC_UINT, GC_INTF, GC_BYTES, GC_STR, GC_LONGD
};

/* Inference status bits (StringConverter._mapper order). */
#define ST_BOOL 1u
#define ST_INT 2u
#define ST_FLOAT 4u
#define ST_COMPLEX 8u

/* Per-column statistics from the first pass of dtype=None. */
typedef struct gen_stat {
  unsigned ok;               /* statuses every value passed */
  int unchecked;             /* a missing value failed str2bool */
  int64_t maxchars;          /* longest text */
  int latin1;                /* every text encodes as latin-1 */
  int user_kind;             /* a converter's first result kind */
  int64_t user_len;          /* longest converter string */
} gen_stat;

typedef struct gen_col {
  txt_col c;                 /* output element */
  int conv;                  /* GC_* */
  int user;                  /* has a user converter */
  int64_t src;               /* file column */
  char **miss;               /* missing strings ("" first) */
  size_t *missn;
  int nmiss;
  char *dflt;                /* default element (c.size bytes) */
  int has_fill;
  npio_scalar fill;          /* the filling value (strings copied) */
  char *fill_text;
  gen_stat st;
} gen_col;

static void stat_init(gen_stat *s) {
  s->ok = ST_BOOL | ST_INT | ST_FLOAT | ST_COMPLEX;
  s->unchecked = 0;
  s->maxchars = 0;
  s->latin1 = 1;
  s->user_kind = 0;
  s->user_len = 0;
}

static void stat_merge(gen_stat *a, const gen_stat *b) {
  a->ok &= b->ok;
  a->unchecked |= b->unchecked;
  if (b->maxchars > a->maxchars) a->maxchars = b->maxchars;
  a->latin1 &= b->latin1;
  if (!a->user_kind) a->user_kind = b->user_kind;
  if (b->user_len > a->user_len) a->user_len = b->user_len;
}

/* v.strip() in the column's missing values. */
static int is_missing(const gen_col *g, const char *s, size_t n) {
  const char *a = s, *b = s + n;
  int i;
  txt_strip(&a, &b);
  n = (size_t)(b - a);
  for (i = 0; i < g->nmiss; i++)
    if (g->missn[i] == n && memcmp(g->miss[i], a, n) == 0) return 1;
  return 0;
}

/* A parsed value before it is stored. */
typedef struct gen_val {
  int kind;                  /* 'b' 'i' 'u' 'f' 'c' 's' */
  int64_t i;
  uint64_t u;
  double f, im;
  long double ld;
  int isld;
  const char *s;
  size_t n;
} gen_val;

/*
** Runs the column's conversion function on text s/n: 0 on success,
** 1 on a ValueError (the value may then be missing), 2 on an error that
** NumPy lets escape (OverflowError), which genfromtxt reports.
*/
static int conv_text(int conv, const char *s, size_t n, gen_val *v) {
  switch (conv) {
    case GC_BOOL: {
      int b;
      if (txt_py_bool(s, n, &b)) return 1;
      v->kind = 'b';
      v->i = b;
      return 0;
    }
    case GC_INT: {
      int big;
      if (txt_py_int(s, n, &v->i, &big)) return 1;
      if (big) return 2;
      v->kind = 'i';
      return 0;
    }
    case GC_UINT: {
      const char *a = s, *b = s + n;
      int st;
      txt_strip(&a, &b);
      if (a < b && *a == '-') {            /* np.uint64("-1") overflows */
        int64_t x;
        int big;
        if (txt_py_int(s, n, &x, &big)) return 1;
        if (x == 0 && !big) { v->kind = 'u'; v->u = 0; return 0; }
        return 2;
      }
      st = txt_parse_u64(a, b, TXT_F_UNDERSCORE, &v->u);
      if (st == TXT_NUM_BAD) return 1;
      if (st == TXT_NUM_RANGE) return 2;
      v->kind = 'u';
      return 0;
    }
    case GC_INTF: {                        /* int(float(x)) */
      double d;
      if (txt_py_float(s, n, &d)) return 1;
      if (isnan(d)) return 1;              /* ValueError */
      if (isinf(d)) return 2;              /* OverflowError */
      v->kind = 'f';
      v->f = trunc(d);
      return 0;
    }
    case GC_FLOAT: case GC_LONGD: {
      if (txt_py_float(s, n, &v->f)) return 1;
      v->kind = 'f';
      return 0;
    }
    case GC_COMPLEX:
      if (txt_py_complex(s, n, &v->f, &v->im)) return 1;
      v->kind = 'c';
      return 0;
    case GC_BYTES:
      if (!txt_latin1_ok(s, n)) return 1;  /* UnicodeEncodeError */
      v->kind = 's';
      v->s = s;
      v->n = n;
      return 0;
    default:
      v->kind = 's';
      v->s = s;
      v->n = n;
      return 0;
  }
}

/* Stores a value into an element (NumPy's np.array(data, dtype)). */
static int store_val(const txt_col *c, const gen_val *v, char *dst) {
  npio_scalar sc;
  memset(&sc, 0, sizeof sc);
  switch (v->kind) {
    case 'b': sc.kind = 'b'; sc.i = v->i; break;
    case 'i': sc.kind = 'i'; sc.i = v->i; break;
    case 'u': sc.kind = 'u'; sc.u = v->u; break;
    case 'f':
      if (c->kind == TC_S || c->kind == TC_U) {
        char buf[64];
        int n = txt_float_str(buf, v->f, 64);
        return txt_store_text(c, buf, (size_t)n, dst);
      }
      sc.kind = 'f'; sc.f = v->f; break;
    case 'c': sc.kind = 'c'; sc.f = v->f; sc.imag = v->im; break;
    default:
      if (c->kind == TC_S || c->kind == TC_U)
        return txt_store_text(c, v->s, v->n, dst);
      sc.kind = 'U'; sc.s = v->s; sc.slen = v->n; break;
  }
  return txt_store_scalar(c, &sc, 'j', dst);
}

/* }====================================================== */

/* {======================================================
** Context and jobs
** ======================================================= */

typedef struct gen_inv {     /* an invalid row */
  int64_t line;              /* relative line (job) / absolute (run) */
  int64_t nvalues;
} gen_inv;

typedef struct gen_job {
  txt_job job;
  char *text;
  size_t n, cap;
  int64_t limit;
  /* results */
  txt_grow out, mask;
  int64_t nrows, nlines;
  size_t used;
  gen_inv *inv;
  int ninv, invcap;
  gen_stat *st;              /* pass 1: per column */
  int err;
  int64_t err_line;
  char emsg[400];
  gen_flds F;
  uint64_t *bits;            /* separator bitmap (fast path) */
  size_t nbits;
} gen_job;

typedef struct gen_ctx {
  const npio_genfromtxt_opts *o;
  gen_split sp;
  int nbcols;                /* values per row (usecols or the first row) */
  int nstore;                /* of which converted and stored */
  int64_t *use;              /* resolved usecols (>= 0) or NULL */
  gen_col *cols;
  int64_t rowsize;
  int pass1;                 /* classifying (dtype=None, first pass) */
  int usemask;
  npio_dtype *dtype;         /* the result dtype */
  int structured;
  char **names;              /* result names or NULL */
  int nnames;
  int fast;                  /* the delimited numeric fast path */
  int64_t fmax;              /* highest field used */
  unsigned char *fextra;     /* column has missing values besides "" */
} gen_ctx;

static void job_error(gen_job *j, int code, int64_t line, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
static void job_error(gen_job *j, int code, int64_t line, const char *fmt,
                      ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(j->emsg, sizeof j->emsg, fmt, ap);
  va_end(ap);
  j->err = code;
  j->err_line = line;
}

/* Converts field s/n of column k into dst (pass 2 / given dtype). */
static int convert_field(gen_ctx *g, gen_job *j, int k, const char *s,
                         size_t n, char *dst, int64_t line) {
  gen_col *c = &g->cols[k];
  const npio_genfromtxt_opts *o = g->o;
  gen_val v;
  int r;
  memset(&v, 0, sizeof v);
  if (c->user) {
    npio_scalar sc;
    npio_err ce;
    memset(&sc, 0, sizeof sc);
    ce.code = 0;
    ce.msg[0] = '\0';
    if (is_missing(c, s, n) && !o->loose) goto use_default;
    if (o->conv(o->conv_ud, c->user - 1, s, n, &sc, &ce) != NPIO_OK) {
      if (is_missing(c, s, n) || o->loose) goto use_default;
      job_error(j, ce.code ? ce.code : NPIO_EVALUE, line,
                "column %lld: converter: %s", (long long)c->src + 1, ce.msg);
      return -1;
    }
    if (sc.kind == 'S' || sc.kind == 'U') {
      v.kind = 's';
      v.s = sc.s;
      v.n = sc.slen;
    } else if (sc.kind == 'b' || sc.kind == 'i') {
      v.kind = sc.kind;
      v.i = sc.i;
    } else if (sc.kind == 'u') {
      v.kind = 'u';
      v.u = sc.u;
    } else {
      v.kind = sc.kind == 'c' ? 'c' : 'f';
      v.f = sc.f;
      v.im = sc.imag;
    }
    r = store_val(&c->c, &v, dst);
    if (r != TXT_OK) goto bad;
    return 0;
  }
  r = conv_text(c->conv, s, n, &v);
  if (r == 0) {
    r = store_val(&c->c, &v, dst);
    if (r == TXT_OK) return 0;
    goto bad;
  }
  if (r == 2) goto range;
  /* a ValueError: loose gives the default; strict needs a missing value */
  if (o->loose || is_missing(c, s, n)) goto use_default;
  {
    char q[128];
    txt_quote(q, sizeof q, s, n);
    job_error(j, NPIO_EVALUE, line, "column %lld: cannot convert %s",
              (long long)c->src + 1, q);
    return -1;
  }
use_default:
  memcpy(dst, c->dflt, (size_t)c->c.size);
  return 0;
range: {
    char q[128], nb[32];
    txt_quote(q, sizeof q, s, n);
    job_error(j, NPIO_EVALUE, line, "column %lld: %s is out of range for %s",
              (long long)c->src + 1, q, txt_kind_name(&c->c, nb, sizeof nb));
    return -1;
  }
bad: {
    char q[128], nb[32];
    txt_quote(q, sizeof q, s, n);
    job_error(j, NPIO_EVALUE, line, "column %lld: %s cannot be stored as %s",
              (long long)c->src + 1, q, txt_kind_name(&c->c, nb, sizeof nb));
    return -1;
  }
}

/* Pass 1: records what column k's value allows. */
static void classify_field(gen_ctx *g, gen_job *j, int k, const char *s,
                           size_t n) {
  gen_col *c = &g->cols[k];
  gen_stat *st = &j->st[k];
  int miss = is_missing(c, s, n), b;
  int64_t chars = (int64_t)txt_utf8_len(s, n);
  double re, im;
  if (c->user) {
    npio_scalar sc;
    npio_err ce;
    memset(&sc, 0, sizeof sc);
    if (g->o->conv(g->o->conv_ud, c->user - 1, s, n, &sc, &ce) == NPIO_OK) {
      if (!st->user_kind) st->user_kind = sc.kind;
      if ((sc.kind == 'S' || sc.kind == 'U') &&
          (int64_t)txt_utf8_len(sc.s, sc.slen) > st->user_len)
        st->user_len = (int64_t)txt_utf8_len(sc.s, sc.slen);
    }
    return;
  }
  if (chars > st->maxchars) st->maxchars = chars;
  if (st->latin1 && !txt_latin1_ok(s, n)) st->latin1 = 0;
  if (miss) {
    if (txt_py_bool(s, n, &b)) st->unchecked = 1;
    return;
  }
  if ((st->ok & ST_BOOL) && txt_py_bool(s, n, &b)) st->ok &= ~ST_BOOL;
  if (st->ok & ST_INT) {
    int64_t x;
    int big;
    if (txt_py_int(s, n, &x, &big) || big) st->ok &= ~ST_INT;
  }
  if ((st->ok & ST_FLOAT) && txt_py_float(s, n, &re)) st->ok &= ~ST_FLOAT;
  if ((st->ok & ST_COMPLEX) && !(st->ok & ST_FLOAT) &&
      txt_py_complex(s, n, &re, &im))
    st->ok &= ~ST_COMPLEX;
}

/* }====================================================== */

/* {======================================================
** Parsing a block of lines
** ======================================================= */

static int add_invalid(gen_job *j, int64_t line, int64_t nv) {
  if (j->ninv == j->invcap) {
    int nc = j->invcap ? j->invcap * 2 : 8;
    gen_inv *q = (gen_inv *)realloc(j->inv, (size_t)nc * sizeof *q);
    if (q == NULL) return -1;
    j->inv = q;
    j->invcap = nc;
  }
  j->inv[j->ninv].line = line;
  j->inv[j->ninv].nvalues = nv;
  j->ninv++;
  return 0;
}

/* Handles one line [s, e) at relative line 'line'. */
static int do_line(gen_ctx *g, gen_job *j, const char *s, const char *e,
                   int64_t line) {
  gen_flds *F = &j->F;
  int k;
  if (split_line(&g->sp, s, e, F)) goto nomem;
  if (F->n == 0) return 0;
  if (g->use) {
    for (k = 0; k < g->nbcols; k++)
      if (g->use[k] >= F->n) {
        if (add_invalid(j, line, F->n)) goto nomem;
        return 0;
      }
  } else if (F->n != g->nbcols) {
    if (add_invalid(j, line, F->n)) goto nomem;
    return 0;
  }
  if (g->pass1) {
    for (k = 0; k < g->nstore; k++) {
      const gen_fld *f = &F->f[g->use ? g->use[k] : k];
      classify_field(g, j, k, f->p, f->n);
    }
  } else {
    char *row;
    if (txt_grow_room(&j->out, (size_t)g->rowsize)) goto nomem;
    row = j->out.p + j->out.len;
    if (g->usemask && txt_grow_room(&j->mask, (size_t)g->nstore))
      goto nomem;
    for (k = 0; k < g->nstore; k++) {
      const gen_fld *f = &F->f[g->use ? g->use[k] : k];
      if (convert_field(g, j, k, f->p, f->n, row + g->cols[k].c.offset,
                        line))
        return -1;
      if (g->usemask)
        j->mask.p[j->mask.len + k] =
            (char)is_missing(&g->cols[k], f->p, f->n);
    }
    j->out.len += (size_t)g->rowsize;
    if (g->usemask) j->mask.len += (size_t)g->nstore;
  }
  j->nrows++;
  return 0;
nomem:
  job_error(j, NPIO_ENOMEM, line, "out of memory");
  return -1;
}

/*
** The fast path for a delimited numeric row (no comment on the line, no
** leading space): 1 when the row was handled, 0 to use do_line. Empty
** fields are missing (the default, masked); fields that do not parse go
** to do_line, which knows about missing strings and loose defaults.
*/
static int fast_line(gen_ctx *g, gen_job *j, const char *text, size_t n,
                     size_t *pp, int *eol) {
  const char *end = text + n;
  const char delim = g->sp.delim[0];
  size_t pos = *pp;
  int64_t f;
  char *row, *mrow = NULL;
  char ch = text[pos];
  if (ch == '\n' || ch == '\r') return 0;
  if (ch == ' ') return 0;
  if (txt_grow_room(&j->out, (size_t)g->rowsize)) return 0;
  row = j->out.p + j->out.len;
  if (g->usemask) {
    if (txt_grow_room(&j->mask, (size_t)g->nstore)) return 0;
    mrow = j->mask.p + j->mask.len;
  }
  for (f = 0;; f++) {
    size_t sep = txt_nextsep(j->bits, n, pos);
    int k = -1;
    if (g->use) {
      int i;
      for (i = 0; i < g->nstore; i++)
        if (g->use[i] == f) { k = i; break; }
    } else if (f < g->nstore) {
      k = (int)f;
    } else if (f >= g->nbcols) {
      return 0;
    }
    if (k >= 0) {
      const gen_col *c = &g->cols[k];
      const char *s = text + pos, *e = text + sep;
      char *dst = row + c->c.offset;
      while (s < e && (*s == ' ' || *s == '\t')) s++;
      while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
      if (s == e) {                          /* missing */
        memcpy(dst, c->dflt, (size_t)c->c.size);
        if (mrow) mrow[k] = 1;
      } else {
        if (c->conv == GC_FLOAT) {
          double d;
          const char *q = txt_scan_double_inl(s, end, TXT_F_UNDERSCORE, &d);
          if (q != e) return 0;
          if (c->c.kind == TC_F64 && !c->c.swap) memcpy(dst, &d, 8);
          else txt_store_double(&c->c, d, dst);
        } else {                             /* GC_INT */
          int64_t v;
          int big;
          if (txt_py_int(s, (size_t)(e - s), &v, &big) || big) return 0;
          if (txt_store_int(&c->c, v, 0, 0, dst) != TXT_OK) return 0;
        }
        if (mrow)
          mrow[k] = (char)(g->fextra[k] &&
                           is_missing(c, s, (size_t)(e - s)));
      }
    }
    ch = sep < n ? text[sep] : '\n';
    if (ch == delim) { pos = sep + 1; continue; }
    if (ch != '\n' && ch != '\r') return 0;      /* a comment */
    if (f + 1 < (g->use ? g->fmax + 1 : g->nbcols)) return 0;
    if (!g->use && f + 1 != g->nbcols) return 0;
    pos = sep;
    if (pos < n) {
      if (text[pos] == '\r' && pos + 1 < n && text[pos + 1] == '\n') pos++;
      pos++;
      *eol = 1;
    } else {
      *eol = 0;
    }
    *pp = pos;
    j->out.len += (size_t)g->rowsize;
    if (mrow) j->mask.len += (size_t)g->nstore;
    j->nrows++;
    return 1;
  }
}

static void parse_block(gen_ctx *g, gen_job *j) {
  const char *p = j->text, *end = j->text + j->n;
  int ascii = 0;
  j->nrows = j->nlines = 0;
  j->out.len = j->mask.len = 0;
  j->ninv = 0;
  j->err = 0;
  if (g->fast && !g->pass1 && j->n > 0) {
    size_t words = (j->n + 63) / 64;
    char set[4];
    int nset = 0;
    set[nset++] = g->sp.delim[0];
    set[nset++] = '\n';
    set[nset++] = '\r';
    if (g->sp.clen) set[nset++] = g->sp.comments[0];
    if (words > j->nbits) {
      uint64_t *q = (uint64_t *)realloc(j->bits, words * sizeof *q);
      if (q == NULL) {
        job_error(j, NPIO_ENOMEM, 0, "out of memory");
        return;
      }
      j->bits = q;
      j->nbits = words;
    }
    ascii = txt_sepmap(j->text, j->n, set, nset, j->bits);
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
    const char *le = p, *next;
    if (g->fast && !g->pass1) {
      size_t pos = (size_t)(p - j->text);
      int eol = 0;
      if (fast_line(g, j, j->text, j->n, &pos, &eol)) {
        p = j->text + pos;
        j->nlines += eol;
        continue;
      }
    }
    while (le < end && *le != '\n' && *le != '\r') le++;
    next = le;
    if (next < end) {
      if (*next == '\r' && next + 1 < end && next[1] == '\n') next++;
      next++;
    }
    if (do_line(g, j, p, le, j->nlines) != 0) return;
    if (next > le) j->nlines++;
    p = next;
  }
  j->used = (size_t)(p - j->text);
}

static void work(void *ctx, void *job) {
  parse_block((gen_ctx *)ctx, (gen_job *)job);
}

/* }====================================================== */

/* {======================================================
** Names (NameValidator) and dtypes (easy_dtype)
** ======================================================= */

static const char default_delete[] = "~!@#$%^&*()-=+~\\|]}[{';: /?.>,<";

/* Python's 'fmt % i' for a format with one integer conversion. */
static int fmt_index(npio_buf *b, const char *fmt, int64_t i) {
  const char *p = fmt;
  while (*p) {
    if (*p == '%' && p[1] == '%') { if (npio_buf_add(b, "%", 1)) return -1; p += 2; continue; }
    if (*p == '%') {
      txt_spec sp;
      memset(&sp, 0, sizeof sp);
      sp.prec = -1;
      p++;
      for (;; p++) {
        if (*p == '-') sp.flags |= TXT_FL_MINUS;
        else if (*p == '+') sp.flags |= TXT_FL_PLUS;
        else if (*p == ' ') sp.flags |= TXT_FL_SPACE;
        else if (*p == '#') sp.flags |= TXT_FL_ALT;
        else if (*p == '0') sp.flags |= TXT_FL_ZERO;
        else break;
      }
      while (*p >= '0' && *p <= '9') {
        sp.width = sp.width * 10 + (*p++ - '0');
        if (sp.width > 1000) return -1;
      }
      if (*p == '.') {
        p++;
        sp.prec = 0;
        while (*p >= '0' && *p <= '9') {
          sp.prec = sp.prec * 10 + (*p++ - '0');
          if (sp.prec > 1000) return -1;
        }
      }
      if (*p == 0) return -1;
      sp.conv = *p == 'i' || *p == 'u' ? 'd' : *p;
      p++;
      if (sp.conv == 'd' || sp.conv == 'x' || sp.conv == 'X' || sp.conv == 'o') {
        if (txt_fmt_int(b, (uint64_t)(i < 0 ? -i : i), i < 0, &sp)) return -1;
      } else if (sp.conv == 's') {
        char t[32];
        int n = snprintf(t, sizeof t, "%lld", (long long)i);
        if (txt_fmt_str(b, t, (size_t)n, &sp)) return -1;
      } else {
        if (txt_fmt_double(b, (double)i, &sp)) return -1;
      }
      continue;
    }
    if (npio_buf_add(b, p, 1)) return -1;
    p++;
  }
  return 0;
}

static int in_list(char **list, int n, const char *s) {
  int i;
  for (i = 0; i < n; i++) if (list[i] && strcmp(list[i], s) == 0) return 1;
  return 0;
}

static void free_names(char **names, int n) {
  int i;
  if (names == NULL) return;
  for (i = 0; i < n; i++) free(names[i]);
  free(names);
}

/*
** NameValidator.validate: strips, replaces spaces, deletes characters,
** fills empty names from defaultfmt, suffixes excluded names with '_'
** and repeats with _1, _2. 'nb' >= 0 pads/cuts to that many names.
** Returns a malloc'd array of *nout names, or NULL.
*/
static char **validate_names(const npio_genfromtxt_opts *o, char **in,
                             int nin, int nb, int *nout) {
  const char *del = o->deletechars ? o->deletechars : default_delete;
  const char *rs = o->replace_space ? o->replace_space : "_";
  const char *dfmt = o->defaultfmt ? o->defaultfmt : "f%i";
  static const char *const dflt_ex[] = {"return", "file", "print", NULL};
  int n = nb >= 0 ? nb : nin, i, nbempty = 0;
  char **out = (char **)calloc((size_t)(n ? n : 1), sizeof(char *));
  char **seen_names = (char **)calloc((size_t)(n ? n : 1), sizeof(char *));
  int *seen_cnt = (int *)calloc((size_t)(n ? n : 1), sizeof(int));
  int nseen = 0;
  npio_buf b = {0};
  if (out == NULL || seen_names == NULL || seen_cnt == NULL) goto fail;
  for (i = 0; i < n; i++) {
    const char *item = i < nin ? in[i] : "";
    const char *a = item, *z = item + strlen(item), *p;
    int k, cnt = 0, idx = -1;
    b.len = 0;
    /* case conversion, strip */
    txt_strip(&a, &z);
    for (p = a; p < z; p++) {
      char ch = *p;
      if (o->case_sensitive == 0 || o->case_sensitive == 'u') {
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 32);
      } else if (o->case_sensitive == 'l') {
        if (ch >= 'A' && ch <= 'Z') ch = (char)(ch + 32);
      }
      if (ch == ' ' && rs[0]) {
        const char *r;
        for (r = rs; *r; r++)
          if (*r != '"' && !strchr(del, *r) && npio_buf_add(&b, r, 1))
            goto fail;
        continue;
      }
      if (ch == '"' || ((unsigned char)ch < 0x80 && strchr(del, ch) && ch))
        continue;
      if (npio_buf_add(&b, &ch, 1)) goto fail;
    }
    if (npio_buf_add(&b, "", 0)) goto fail;
    if (b.len == 0) {
      for (;;) {
        b.len = 0;
        if (fmt_index(&b, dfmt, nbempty) || npio_buf_add(&b, "", 0)) goto fail;
        if (!in_list(in, nin, b.p)) break;
        nbempty++;
      }
      nbempty++;
    } else {
      const char *const *ex;
      int excluded = 0;
      for (ex = dflt_ex; *ex; ex++) if (strcmp(*ex, b.p) == 0) excluded = 1;
      if (o->excludelist)
        for (ex = o->excludelist; *ex; ex++)
          if (strcmp(*ex, b.p) == 0) excluded = 1;
      if (excluded && npio_buf_add(&b, "_", 1)) goto fail;
    }
    for (k = 0; k < nseen; k++)
      if (strcmp(seen_names[k], b.p) == 0) { idx = k; cnt = seen_cnt[k]; break; }
    if (cnt > 0) {
      char suf[24];
      snprintf(suf, sizeof suf, "_%d", cnt);
      out[i] = (char *)malloc(b.len + strlen(suf) + 1);
      if (out[i] == NULL) goto fail;
      memcpy(out[i], b.p, b.len);
      strcpy(out[i] + b.len, suf);
    } else {
      out[i] = strdup(b.p);
      if (out[i] == NULL) goto fail;
    }
    if (idx < 0) {
      seen_names[nseen] = strdup(b.p);
      if (seen_names[nseen] == NULL) goto fail;
      seen_cnt[nseen++] = 1;
    } else {
      seen_cnt[idx]++;
    }
  }
  free_names(seen_names, nseen);
  free(seen_cnt);
  npio_buf_free(&b);
  *nout = n;
  return out;
fail:
  free_names(out, n);
  free_names(seen_names, nseen);
  free(seen_cnt);
  npio_buf_free(&b);
  return NULL;
}

/* }====================================================== */

/* {======================================================
** The run
** ======================================================= */

#define NJOBS (2 * TXT_MAX_THREADS + 2)

typedef struct gen_run {
  gen_ctx g;
  txt_reader rd;
  txt_pool pool;
  gen_job *jobs;
  int njobs;
  txt_grow data, mask;
  int64_t nrows;
  int64_t lines;             /* line ends before the next block */
  int64_t first_line;        /* 0-based line of NumPy's first_line */
  gen_inv *inv;              /* invalid rows (absolute 0-based lines) */
  int ninv, invcap;
  gen_stat *stats;
  txt_progress prog;
  const char *name;
  int64_t data_off;          /* text offset where rows start */
  int64_t data_lines;        /* line ends before it */
} gen_run;

static int run_absorb(gen_run *R, gen_job *j, npio_err *e) {
  gen_ctx *g = &R->g;
  int i;
  if (j->err)
    return npio_seterr(e, j->err, "%s:%lld: %s", R->name,
                       (long long)(R->lines + j->err_line + 1), j->emsg);
  for (i = 0; i < j->ninv; i++) {
    if (R->ninv == R->invcap) {
      int nc = R->invcap ? R->invcap * 2 : 16;
      gen_inv *q = (gen_inv *)realloc(R->inv, (size_t)nc * sizeof *q);
      if (q == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
      R->inv = q;
      R->invcap = nc;
    }
    R->inv[R->ninv].line = R->lines + j->inv[i].line;
    R->inv[R->ninv].nvalues = j->inv[i].nvalues;
    R->ninv++;
  }
  if (g->pass1) {
    for (i = 0; i < g->nstore; i++) stat_merge(&R->stats[i], &j->st[i]);
  } else {
    if (j->out.len) {
      if (txt_grow_reserve(&R->data, j->out.len, e)) return e->code;
      memcpy(R->data.p + R->data.len, j->out.p, j->out.len);
      R->data.len += j->out.len;
    }
    if (g->usemask && j->mask.len) {
      if (txt_grow_reserve(&R->mask, j->mask.len, e)) return e->code;
      memcpy(R->mask.p + R->mask.len, j->mask.p, j->mask.len);
      R->mask.len += j->mask.len;
    }
  }
  R->nrows += j->nrows;
  R->lines += j->nlines;
  if (txt_progress_step(&R->prog, txt_src_done(R->rd.src),
                        txt_src_total(R->rd.src)))
    return npio_seterr(e, NPIO_EIO, "%s: stopped by the progress callback",
                       R->name);
  return NPIO_OK;
}

static void job_reset_stats(gen_run *R, gen_job *j) {
  int i;
  for (i = 0; i < R->g.nstore; i++) stat_init(&j->st[i]);
}

/*
** Reads the rows from the reader's current position: sequentially
** (converters, max_rows, pipes) or on workers.
*/
static int read_rows(gen_run *R, gen_job *first, npio_err *e) {
  gen_ctx *g = &R->g;
  const npio_genfromtxt_opts *o = g->o;
  int nth = o->nthreads > 0 ? o->nthreads : txt_parse_threads(), k, st = NPIO_OK;
  int seq = o->conv != NULL || o->max_rows >= 0 || R->rd.linewise ||
            nth <= 1;
  if (first && first->n > 0 && seq) {        /* the rest of the header block */
    gen_job *j = first;
    j->limit = o->max_rows >= 0 ? o->max_rows : -1;
    if (g->pass1) job_reset_stats(R, j);
    parse_block(g, j);
    if ((st = run_absorb(R, j, e)) != NPIO_OK) return st;
    if (o->max_rows >= 0 && R->nrows >= o->max_rows) {
      txt_src_used(R->rd.src, R->rd.handed - (int64_t)(j->n - j->used));
      return NPIO_OK;
    }
  }
  if (seq) {
    gen_job *j = &R->jobs[0];
    for (;;) {
      if (txt_reader_next(&R->rd, &j->text, &j->cap, &j->n, txt_block(), e))
        return txt_prefix_err(e, "%s:%lld", R->name, (long long)R->lines + 1);
      if (j->n == 0) return NPIO_OK;
      j->limit = o->max_rows >= 0 ? o->max_rows - R->nrows : -1;
      if (g->pass1) job_reset_stats(R, j);
      parse_block(g, j);
      if ((st = run_absorb(R, j, e)) != NPIO_OK) return st;
      if (o->max_rows >= 0 && R->nrows >= o->max_rows) {
        txt_src_used(R->rd.src, R->rd.handed - (int64_t)(j->n - j->used));
        return NPIO_OK;
      }
    }
  }
  txt_pool_start(&R->pool, nth, work, g);
  {
    int head = 0, tail = 0, inflight = 0, eof = 0;
    if (first && first->n > 0) {             /* the header block's rest */
      first->limit = -1;
      if (g->pass1) job_reset_stats(R, first);
      txt_pool_submit(&R->pool, &first->job);
      tail = 1 % R->njobs;
      inflight = 1;
    }
    while (!eof || inflight > 0) {
      if (!eof && inflight < R->njobs) {
        gen_job *j = &R->jobs[tail];
        if (txt_reader_next(&R->rd, &j->text, &j->cap, &j->n, txt_block(), e)) {
          st = txt_prefix_err(e, "%s:%lld", R->name, (long long)R->lines + 1);
          break;
        }
        if (j->n == 0) { eof = 1; continue; }
        j->limit = -1;
        if (g->pass1) job_reset_stats(R, j);
        txt_pool_submit(&R->pool, &j->job);
        tail = (tail + 1) % R->njobs;
        inflight++;
        if (inflight < R->njobs && !eof) continue;
      }
      if (inflight > 0) {
        gen_job *j = &R->jobs[head];
        txt_pool_wait(&R->pool, &j->job);
        if ((st = run_absorb(R, j, e)) != NPIO_OK) break;
        head = (head + 1) % R->njobs;
        inflight--;
      }
    }
    txt_pool_stop(&R->pool);
  }
  for (k = 0; k < R->njobs; k++) R->jobs[k].ninv = 0;
  return st;
}

/* }====================================================== */

/* {======================================================
** Setting up columns
** ======================================================= */

void npio_genfromtxt_defaults(npio_genfromtxt_opts *o) {
  memset(o, 0, sizeof *o);
  o->comments = "#";
  o->replace_space = "_";
  o->case_sensitive = 1;
  o->defaultfmt = "f%i";
  o->loose = 1;
  o->invalid_raise = 1;
  o->max_rows = -1;
  o->bytes_strings = 1;
}

/* The conversion for an explicit dtype (StringConverter(dtype)). */
static int conv_for(const txt_col *c) {
  switch (c->kind) {
    case TC_F64: case TC_F32: case TC_F16: return GC_FLOAT;
    case TC_F128: return GC_LONGD;
    case TC_C128: case TC_C64: case TC_C256: return GC_COMPLEX;
    case TC_I64: return GC_INT;
    case TC_U64: return GC_UINT;
    case TC_I8: case TC_I16: case TC_I32:
    case TC_U8: case TC_U16: case TC_U32: return GC_INTF;
    case TC_BOOL: return GC_BOOL;
    case TC_S: return GC_BYTES;
    case TC_U: return GC_STR;
    default: return -1;
  }
}

/* Index of a result name, or -1. */
static int name_index(const gen_ctx *g, const char *nm) {
  int i;
  for (i = 0; i < g->nnames; i++)
    if (g->names[i] && strcmp(g->names[i], nm) == 0) return i;
  return -1;
}

/* The result column a dict-style key (file column) refers to. */
static int64_t key_column(const gen_ctx *g, int64_t key) {
  int i;
  if (g->use)
    for (i = 0; i < g->nbcols; i++)
      if (g->use[i] == key) return i;
  if (key < 0) key += g->nbcols;
  return key;
}

/* Adds a missing string to column k. */
static int add_missing(gen_col *c, const char *s, size_t n) {
  char **m = (char **)realloc(c->miss, (size_t)(c->nmiss + 1) * sizeof *m);
  size_t *mn;
  if (m == NULL) return -1;
  c->miss = m;
  mn = (size_t *)realloc(c->missn, (size_t)(c->nmiss + 1) * sizeof *mn);
  if (mn == NULL) return -1;
  c->missn = mn;
  c->miss[c->nmiss] = (char *)malloc(n + 1);
  if (c->miss[c->nmiss] == NULL) return -1;
  memcpy(c->miss[c->nmiss], s, n);
  c->miss[c->nmiss][n] = '\0';
  c->missn[c->nmiss] = n;
  c->nmiss++;
  return 0;
}

/* Resolves missing_values and filling_values onto the columns. */
static int setup_missing(gen_ctx *g, npio_err *e) {
  const npio_genfromtxt_opts *o = g->o;
  int i, k;
  for (k = 0; k < g->nbcols; k++)
    if (add_missing(&g->cols[k], "", 0)) goto nomem;
  for (i = 0; i < o->nmissing; i++) {
    const npio_gen_colval *m = &o->missing[i];
    const char *t = m->text ? m->text : "";
    int64_t col;
    if (m->how == NPIO_GEN_ALL) {
      for (k = 0; k < g->nbcols; k++)
        if (add_missing(&g->cols[k], t, strlen(t))) goto nomem;
      continue;
    }
    if (m->how == NPIO_GEN_NAME) {
      col = name_index(g, m->name);
      if (col < 0) continue;
    } else if (m->how == NPIO_GEN_POS) {
      col = m->col;
    } else {
      col = key_column(g, m->col);
    }
    if (col < 0 || col >= g->nbcols) continue;
    if (add_missing(&g->cols[col], t, strlen(t))) goto nomem;
  }
  for (i = 0; i < o->nfilling; i++) {
    const npio_gen_colval *f = &o->filling[i];
    int64_t col, lo, hi;
    if (f->how == NPIO_GEN_ALL) { lo = 0; hi = g->nbcols; }
    else {
      if (f->how == NPIO_GEN_NAME) col = name_index(g, f->name);
      else if (f->how == NPIO_GEN_POS) col = f->col;
      else col = key_column(g, f->col);
      if (col < 0 || col >= g->nbcols) continue;
      lo = col;
      hi = col + 1;
    }
    for (k = (int)lo; k < hi; k++) {
      gen_col *c = &g->cols[k];
      free(c->fill_text);
      c->fill_text = NULL;
      c->fill = f->value;
      if (f->value.kind == 'S' || f->value.kind == 'U') {
        c->fill_text = (char *)malloc(f->value.slen + 1);
        if (c->fill_text == NULL) goto nomem;
        memcpy(c->fill_text, f->value.s, f->value.slen);
        c->fill_text[f->value.slen] = '\0';
        c->fill.s = c->fill_text;
      }
      c->has_fill = 1;
    }
  }
  return NPIO_OK;
nomem:
  return npio_seterr(e, NPIO_ENOMEM, "out of memory");
}

/* Computes column k's default element (filling value or type default). */
static int setup_default(gen_col *c, npio_err *e) {
  free(c->dflt);
  c->dflt = (char *)calloc(1, (size_t)(c->c.size ? c->c.size : 1));
  if (c->dflt == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  if (c->has_fill) {
    if (txt_store_scalar(&c->c, &c->fill, 'j', c->dflt) != TXT_OK) {
      char nb[32];
      return npio_seterr(e, NPIO_EVALUE, "filling value for column %lld "
                         "cannot be stored as %s", (long long)c->src + 1,
                         txt_kind_name(&c->c, nb, sizeof nb));
    }
    return NPIO_OK;
  }
  /* the converter's default (StringConverter._mapper), then cast to the
  ** element type (a bool column's False in an int64 result is 0) */
  {
    gen_val v;
    memset(&v, 0, sizeof v);
    switch (c->conv) {
      case GC_BOOL: v.kind = 'b'; v.i = 0; break;
      case GC_FLOAT: case GC_LONGD: v.kind = 'f'; v.f = NAN; break;
      case GC_COMPLEX: v.kind = 'c'; v.f = NAN; v.im = 0.0; break;
      case GC_BYTES: case GC_STR: v.kind = 's'; v.s = "???"; v.n = 3; break;
      default:                                   /* ints: -1 */
        if (c->c.kind >= TC_U8 && c->c.kind <= TC_U64) {
          memset(c->dflt, 0xFF, (size_t)c->c.size);   /* -1 wraps */
          return NPIO_OK;
        }
        v.kind = 'i';
        v.i = -1;
        break;
    }
    if (store_val(&c->c, &v, c->dflt) != TXT_OK)
      memset(c->dflt, 0, (size_t)c->c.size);
  }
  return NPIO_OK;
}

/* Marks the columns that have a user converter. */
static int setup_converters(gen_ctx *g, npio_err *e) {
  const npio_genfromtxt_opts *o = g->o;
  int k;
  (void)e;
  if (!o->conv) return NPIO_OK;
  for (k = 0; k < o->nconv; k++) {
    int64_t col;
    if (o->conv_names && o->conv_names[k]) {
      col = name_index(g, o->conv_names[k]);
      if (col < 0) continue;
    } else if (g->use) {
      int i;
      col = -1;
      for (i = 0; i < g->nbcols; i++)
        if (g->use[i] == o->conv_keys[k]) col = i;
      if (col < 0) continue;
    } else {
      col = o->conv_keys[k];
      if (col < 0) col += g->nbcols;
    }
    if (col < 0 || col >= g->nbcols) continue;
    g->cols[col].user = k + 1;
  }
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** The header: skip_header, the first line, names
** ======================================================= */

/* Copies [s, s+n) as a NUL-terminated string. */
static char *dupn(const char *s, size_t n) {
  char *p = (char *)malloc(n + 1);
  if (p) { memcpy(p, s, n); p[n] = '\0'; }
  return p;
}

/*
** Finds NumPy's first_line: skips skip_header lines, then lines that
** split into nothing. Leaves the block in j0 starting at the first row
** to read (the first line itself, or the line after it with names=True)
** and fills *vals and *nvals with the first line's fields.
*/
static int find_first(gen_run *R, gen_job *j0, char ***vals, int *nvals,
                       npio_err *e) {
  gen_ctx *g = &R->g;
  const npio_genfromtxt_opts *o = g->o;
  int64_t skip = o->skip_header;
  npio_buf tmp = {0};
  gen_flds F = {0};
  int st = NPIO_OK, i;
  *vals = NULL;
  *nvals = 0;
  for (;;) {
    const char *p, *end;
    if (txt_reader_next(&R->rd, &j0->text, &j0->cap, &j0->n, txt_block(), e)) {
      st = txt_prefix_err(e, "%s:%lld", R->name, (long long)R->lines + 1);
      goto done;
    }
    if (j0->n == 0) goto done;               /* empty input */
    {
      int64_t bad = txt_utf8_check(j0->text, j0->n);
      if (bad >= 0) {
        st = npio_seterr(e, NPIO_EFORMAT, "%s:%lld: invalid UTF-8 byte "
                         "0x%02x (pass the file's encoding)", R->name,
                         (long long)(R->lines + txt_count_lines(j0->text,
                                                     (size_t)bad) + 1),
                         (unsigned)(unsigned char)j0->text[bad]);
        goto done;
      }
    }
    p = j0->text;
    end = p + j0->n;
    while (p < end) {
      const char *le = p, *next, *ls = p, *lend;
      while (le < end && *le != '\n' && *le != '\r') le++;
      next = le;
      if (next < end) {
        if (*next == '\r' && next + 1 < end && next[1] == '\n') next++;
        next++;
      }
      if (skip > 0) {
        skip--;
        if (next > le) R->lines++;
        p = next;
        continue;
      }
      lend = le;
      if (o->names_from_header && g->sp.clen &&
          find_str(ls, le, g->sp.comments, g->sp.clen)) {
        /* ''.join(line.split(comments)[1:]) */
        const char *c = find_str(ls, le, g->sp.comments, g->sp.clen), *q;
        tmp.len = 0;
        q = c + g->sp.clen;
        for (;;) {
          const char *c2 = find_str(q, le, g->sp.comments, g->sp.clen);
          if (npio_buf_add(&tmp, q, (size_t)((c2 ? c2 : le) - q))) goto nomem;
          if (c2 == NULL) break;
          q = c2 + g->sp.clen;
        }
        if (npio_buf_add(&tmp, "", 0)) goto nomem;
        ls = tmp.p;
        lend = tmp.p + tmp.len;
      }
      if (split_line(&g->sp, ls, lend, &F)) goto nomem;
      if (F.n > 0) {
        size_t start = (size_t)((o->names_from_header ? next : p) -
                                j0->text);
        *vals = (char **)calloc((size_t)F.n, sizeof(char *));
        if (*vals == NULL) goto nomem;
        for (i = 0; i < F.n; i++)
          if (((*vals)[i] = dupn(F.f[i].p, F.f[i].n)) == NULL) goto nomem;
        *nvals = F.n;
        R->first_line = R->lines;
        if (o->names_from_header && next > le) R->lines++;
        R->data_off = R->rd.handed - (int64_t)(j0->n - start);
        R->data_lines = R->lines;
        memmove(j0->text, j0->text + start, j0->n - start);
        j0->n -= start;
        goto done;
      }
      if (next > le) R->lines++;
      p = next;
    }
  }
nomem:
  st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
done:
  npio_buf_free(&tmp);
  free(F.f);
  if (j0->n == 0 && *vals == NULL) R->data_off = R->rd.handed;
  return st;
}

/* }====================================================== */

/* {======================================================
** Result dtypes
** ======================================================= */

/* A structured dtype with the given names and types (packed). */
static npio_dtype *make_struct(int n, char **names, npio_dtype **types,
                               npio_err *e) {
  return npio_dtype_struct(n, (const char *const *)names,
                           (npio_dtype *const *)types, e);
}

/* 'd' with its fields renamed (packed again). */
static npio_dtype *rename_fields(npio_dtype *d, char **names, npio_err *e) {
  npio_dtype **types = (npio_dtype **)malloc((size_t)d->nfields *
                                             sizeof *types);
  npio_dtype *r;
  int i;
  if (types == NULL) { npio_seterr(e, NPIO_ENOMEM, "out of memory"); return NULL; }
  for (i = 0; i < d->nfields; i++) types[i] = d->fields[i].type;
  r = make_struct(d->nfields, names, types, e);
  free(types);
  return r;
}

/* The mask dtype: bool, or the same fields (and shapes) as bool. */
static npio_dtype *mask_dtype(const npio_dtype *d, npio_err *e) {
  npio_dtype *b = npio_dtype_simple('b', 1), *r;
  npio_dtype **types;
  char **names;
  int i;
  if (b == NULL || d->nfields == 0) {
    if (b == NULL) npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return b;
  }
  types = (npio_dtype **)calloc((size_t)d->nfields, sizeof *types);
  names = (char **)calloc((size_t)d->nfields, sizeof *names);
  if (types == NULL || names == NULL) {
    free(types);
    free(names);
    npio_dtype_unref(b);
    npio_seterr(e, NPIO_ENOMEM, "out of memory");
    return NULL;
  }
  for (i = 0; i < d->nfields; i++) {
    const npio_dtype *t = d->fields[i].type;
    names[i] = d->fields[i].name;
    if (t->nfields > 0) types[i] = mask_dtype(t, e);
    else if (t->base) types[i] = npio_dtype_subarray(b, t->sub_ndim,
                                                     t->sub_shape, e);
    else types[i] = npio_dtype_ref(b);
    if (types[i] == NULL) break;
  }
  r = (i == d->nfields) ? make_struct(d->nfields, names, types, e) : NULL;
  for (i = 0; i < d->nfields; i++) npio_dtype_unref(types[i]);
  free(types);
  free(names);
  npio_dtype_unref(b);
  return r;
}

/* Fills g->names from a structured dtype's field names. */
static int names_from_dtype(gen_ctx *g, const npio_dtype *d) {
  int i;
  free_names(g->names, g->nnames);
  g->names = NULL;
  g->nnames = 0;
  if (d->nfields == 0) return 0;
  g->names = (char **)calloc((size_t)d->nfields, sizeof(char *));
  if (g->names == NULL) return -1;
  g->nnames = d->nfields;
  for (i = 0; i < d->nfields; i++)
    if ((g->names[i] = strdup(d->fields[i].name)) == NULL) return -1;
  return 0;
}

/*
** easy_dtype for an explicit dtype, then the usecols selection of
** fields. Sets g->dtype (a new reference).
*/
static int explicit_dtype(gen_ctx *g, npio_err *e) {
  const npio_genfromtxt_opts *o = g->o;
  npio_dtype *d = o->dtype ? npio_dtype_ref(o->dtype) : npio_dtype_simple('f', 8);
  npio_dtype *nd = NULL;
  const char *dfmt = o->defaultfmt ? o->defaultfmt : "f%i";
  if (o->flexible) {
    npio_dtype_unref(d);
    d = npio_dtype_simple(o->flexible, o->flexible == 'U' ? 4 : 1);
  }
  if (d == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  if (g->names) {
    if (d->nfields == 0) {
      npio_dtype **types = (npio_dtype **)malloc((size_t)g->nnames *
                                                 sizeof *types);
      int i;
      if (types == NULL) goto nomem;
      for (i = 0; i < g->nnames; i++) types[i] = d;
      nd = make_struct(g->nnames, g->names, types, e);
      free(types);
    } else {
      int nn;
      char **v = validate_names(o, g->names, g->nnames, d->nfields, &nn);
      if (v == NULL) goto nomem;
      nd = rename_fields(d, v, e);
      free_names(v, nn);
    }
    if (nd == NULL) goto fail;
    npio_dtype_unref(d);
    d = nd;
  } else if (d->nfields > 0) {
    int i, numbered = 1, nn;
    char **v, **cur = (char **)calloc((size_t)d->nfields, sizeof(char *));
    if (cur == NULL) goto nomem;
    for (i = 0; i < d->nfields; i++) {
      char t[24];
      snprintf(t, sizeof t, "f%d", i);
      if (strcmp(d->fields[i].name, t) != 0) numbered = 0;
      cur[i] = d->fields[i].name;
    }
    if (numbered && strcmp(dfmt, "f%i") != 0) {
      for (i = 0; i < d->nfields; i++) cur[i] = (char *)"";
    }
    v = validate_names(o, cur, d->nfields, -1, &nn);
    free(cur);
    if (v == NULL) goto nomem;
    nd = rename_fields(d, v, e);
    free_names(v, nn);
    if (nd == NULL) goto fail;
    npio_dtype_unref(d);
    d = nd;
  }
  if (g->use && d->nfields > g->nbcols) {   /* fields picked by usecols */
    npio_dtype **types = (npio_dtype **)malloc((size_t)g->nbcols *
                                               sizeof *types);
    char **nm = (char **)malloc((size_t)g->nbcols * sizeof(char *));
    int i;
    if (types == NULL || nm == NULL) { free(types); free(nm); goto nomem; }
    for (i = 0; i < g->nbcols; i++) {
      if (g->use[i] >= d->nfields) {
        int nf = d->nfields;
        free(types);
        free(nm);
        npio_dtype_unref(d);
        return npio_seterr(e, NPIO_EVALUE, "usecols: column %lld is out "
                           "of range for a dtype with %d fields",
                           (long long)g->use[i] + 1, nf);
      }
      types[i] = d->fields[g->use[i]].type;
      nm[i] = d->fields[g->use[i]].name;
    }
    nd = make_struct(g->nbcols, nm, types, e);
    free(types);
    free(nm);
    if (nd == NULL) goto fail;
    npio_dtype_unref(d);
    d = nd;
    if (names_from_dtype(g, d)) goto nomem;
  } else if (g->use && g->names && g->nnames > g->nbcols) {
    char **sel = (char **)calloc((size_t)g->nbcols, sizeof(char *));
    int i;
    if (sel == NULL) goto nomem;
    for (i = 0; i < g->nbcols; i++)
      sel[i] = strdup(g->use[i] < g->nnames ? g->names[g->use[i]] : "");
    free_names(g->names, g->nnames);
    g->names = sel;
    g->nnames = g->nbcols;
  } else if (!g->use && g->names && d->nfields > 0) {
    if (names_from_dtype(g, d)) goto nomem;     /* names = dtype.names */
  }
  /* dtype.names = names */
  if (g->names && d->nfields > 0 && g->nnames != d->nfields) {
    int nf = d->nfields;
    npio_dtype_unref(d);
    return npio_seterr(e, NPIO_EVALUE, "%d names for a dtype with %d fields",
                       g->nnames, nf);
  }
  if (g->names && d->nfields > 0) {
    nd = rename_fields(d, g->names, e);
    if (nd == NULL) goto fail;
    npio_dtype_unref(d);
    d = nd;
  }
  if (d->nfields > 0 && names_from_dtype(g, d)) { npio_dtype_unref(d); goto nomem; }
  g->dtype = d;
  return NPIO_OK;
nomem:
  npio_seterr(e, NPIO_ENOMEM, "out of memory");
fail:
  npio_dtype_unref(d);
  return e->code;
}

/* Allocates the column array for n columns. */
static int alloc_cols(gen_ctx *g, int n, npio_err *e) {
  g->cols = (gen_col *)calloc((size_t)(n ? n : 1), sizeof *g->cols);
  if (g->cols == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  return NPIO_OK;
}

/* Lays out the columns of an explicit dtype. */
static int explicit_columns(gen_ctx *g, npio_err *e) {
  int k, st;
  if ((st = alloc_cols(g, g->nbcols, e)) != NPIO_OK) return st;
  g->structured = g->dtype->nfields > 0;
  if (g->structured) {
    txt_col *leaves = NULL;
    int nl = 0, cap = 0;
    if (txt_flatten(g->dtype, 0, &leaves, &nl, &cap) < 0)
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    if (nl > g->nbcols) {
      free(leaves);
      return npio_seterr(e, NPIO_EVALUE, "the dtype has %d fields but the "
                         "rows have %d columns", nl, g->nbcols);
    }
    g->nstore = nl;
    for (k = 0; k < nl; k++) g->cols[k].c = leaves[k];
    free(leaves);
    g->rowsize = g->dtype->itemsize;
  } else {
    g->nstore = g->nbcols;
    for (k = 0; k < g->nbcols; k++) {
      txt_col *c = &g->cols[k].c;
      c->kind = txt_col_kind(g->dtype);
      c->offset = g->dtype->itemsize * k;
      c->size = g->dtype->itemsize;
      c->swap = !npio_dtype_isnative(g->dtype);
      c->dt = g->dtype;
    }
    g->rowsize = g->dtype->itemsize * g->nbcols;
  }
  for (k = 0; k < g->nstore; k++) {
    gen_col *c = &g->cols[k];
    c->conv = conv_for(&c->c);
    c->src = g->use ? g->use[k] : k;
    if (c->conv < 0) {
      char nm[64];
      npio_dtype_str(c->c.dt, nm, sizeof nm);
      return npio_seterr(e, NPIO_ETYPE, "genfromtxt cannot read dtype %s; "
                         "use a converter", nm);
    }
  }
  return NPIO_OK;
}

/*
** dtype=None: each column's type from the first pass, as
** StringConverter.iterupgrade ends up; then NumPy's choice between one
** uniform type and a structured result.
*/
static int inferred_columns(gen_run *R, npio_err *e) {
  gen_ctx *g = &R->g;
  const npio_genfromtxt_opts *o = g->o;
  npio_dtype **types;
  int k, n = g->nstore, strbytes = o->bytes_strings, uniform = -1, st;
  int *conv = (int *)calloc((size_t)(n ? n : 1), sizeof(int));
  int *checked = (int *)calloc((size_t)(n ? n : 1), sizeof(int));
  int64_t *width = (int64_t *)calloc((size_t)(n ? n : 1), sizeof(int64_t));
  types = (npio_dtype **)calloc((size_t)(n ? n : 1), sizeof *types);
  if (!conv || !checked || !width || !types) {
    st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
    goto out;
  }
  for (k = 0; k < n; k++) {
    gen_stat *s = &R->stats[k];
    checked[k] = 1;
    if (g->cols[k].user) {
      switch (s->user_kind) {
        case 'b': conv[k] = GC_BOOL; break;
        case 'i': case 'u': conv[k] = GC_INT; break;
        case 'c': conv[k] = GC_COMPLEX; break;
        case 'S': case 'U': conv[k] = GC_STR; width[k] = s->user_len; break;
        default: conv[k] = GC_FLOAT; break;
      }
    } else if (s->ok & ST_BOOL) {
      conv[k] = GC_BOOL;
      checked[k] = !s->unchecked;
    } else if (s->ok & ST_INT) conv[k] = GC_INT;
    else if (s->ok & ST_FLOAT) conv[k] = GC_FLOAT;
    else if (s->ok & ST_COMPLEX) conv[k] = GC_COMPLEX;
    else { conv[k] = GC_STR; width[k] = s->maxchars; }
    if (conv[k] == GC_STR && !g->cols[k].user && !s->latin1) strbytes = 0;
  }
  /* one type for every checked column: a plain 2-D result */
  if (g->names == NULL) {
    for (k = 0; k < n; k++) {
      if (!checked[k]) continue;
      if (uniform == -1) uniform = conv[k];
      else if (uniform != conv[k]) { uniform = -2; break; }
    }
  } else {
    uniform = -2;
  }
  for (k = 0; k < n; k++) {
    int c = uniform >= 0 ? uniform : conv[k];
    int64_t w = 1;
    if (c == GC_STR) {
      int i;
      if (uniform >= 0) { for (i = 0; i < n; i++) if (width[i] > w) w = width[i]; }
      else if (width[k] > w) w = width[k];
    }
    switch (c) {
      case GC_BOOL: types[k] = npio_dtype_simple('b', 1); break;
      case GC_INT: types[k] = npio_dtype_simple('i', 8); break;
      case GC_FLOAT: types[k] = npio_dtype_simple('f', 8); break;
      case GC_COMPLEX: types[k] = npio_dtype_simple('c', 16); break;
      default:
        types[k] = strbytes ? npio_dtype_simple('S', w)
                            : npio_dtype_simple('U', 4 * w);
        break;
    }
    if (types[k] == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  }
  if (uniform >= 0 || n == 0) {
    g->dtype = n ? npio_dtype_ref(types[0]) : npio_dtype_simple('f', 8);
    g->structured = 0;
  } else {
    char **nm = g->names;
    int nn = g->nnames, i;
    char **made = NULL;
    if (nm == NULL) {                       /* defaultfmt % i, as is */
      npio_buf b = {0};
      made = (char **)calloc((size_t)n, sizeof(char *));
      if (made == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
      for (i = 0; i < n; i++) {
        b.len = 0;
        if (fmt_index(&b, o->defaultfmt ? o->defaultfmt : "f%i", i) ||
            npio_buf_add(&b, "", 0) || (made[i] = strdup(b.p)) == NULL) {
          npio_buf_free(&b);
          free_names(made, n);
          st = npio_seterr(e, NPIO_EVALUE, "bad defaultfmt");
          goto out;
        }
      }
      npio_buf_free(&b);
      nm = made;
      nn = n;
    }
    if (nn < n) {
      free_names(made, n);
      st = npio_seterr(e, NPIO_EVALUE, "%d names for %d columns", nn, n);
      goto out;
    }
    g->dtype = make_struct(n, nm, types, e);
    free_names(made, n);
    if (g->dtype == NULL) { st = e->code; goto out; }
    g->structured = 1;
    if (names_from_dtype(g, g->dtype)) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  }
  for (k = 0; k < n; k++) {
    gen_col *c = &g->cols[k];
    c->conv = conv[k];
    c->src = g->use ? g->use[k] : k;
    if (g->structured) {
      c->c.kind = txt_col_kind(types[k]);
      c->c.offset = g->dtype->fields[k].offset;
      c->c.size = types[k]->itemsize;
      c->c.dt = g->dtype->fields[k].type;
    } else {
      c->c.kind = txt_col_kind(g->dtype);
      c->c.offset = g->dtype->itemsize * k;
      c->c.size = g->dtype->itemsize;
      c->c.dt = g->dtype;
    }
    c->c.swap = 0;
  }
  g->rowsize = g->structured ? g->dtype->itemsize : g->dtype->itemsize * n;
  st = NPIO_OK;
out:
  if (types) for (k = 0; k < n; k++) npio_dtype_unref(types[k]);
  free(types);
  free(conv);
  free(checked);
  free(width);
  return st;
}

/* }====================================================== */

/* Skips 'off' bytes of text after a rewind (the header). */
static int skip_to_data(gen_run *R, gen_job *j, npio_err *e) {
  int64_t left = R->data_off;
  j->n = 0;
  while (left > 0) {
    if (txt_reader_next(&R->rd, &j->text, &j->cap, &j->n, txt_block(), e))
      return e->code;
    if (j->n == 0) break;
    if ((int64_t)j->n <= left) { left -= (int64_t)j->n; j->n = 0; continue; }
    memmove(j->text, j->text + left, j->n - (size_t)left);
    j->n -= (size_t)left;
    left = 0;
  }
  R->lines = R->data_lines;
  return NPIO_OK;
}

/* {======================================================
** Converter columns of a plain dtype
** ======================================================= */

/*
** With a plain dtype, a column with a converter takes the type of the
** converter's result on the first row's value (StringConverter.update
** with a testing value); if any differs from the dtype, the result is
** that type (one column) or a structured dtype with fields f0, f1, ...
** String results take their width from a first pass over the data.
** Returns 1 when the columns were changed.
*/
static int retype_columns(gen_run *R, gen_job *j0, char **first, int nfirst,
                          npio_txt_src *src, npio_err *e) {
  gen_ctx *g = &R->g;
  const npio_genfromtxt_opts *o = g->o;
  int k, n = g->nstore, changed = 0, strings = 0, st = NPIO_OK;
  char *kinds = (char *)calloc((size_t)(n ? n : 1), 1);
  npio_dtype **types = NULL;
  if (kinds == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  for (k = 0; k < n; k++) {
    gen_col *c = &g->cols[k];
    npio_scalar sc;
    npio_err ce;
    const char *t;
    char want;
    if (!c->user) continue;
    t = (o->names_from_header || c->src >= nfirst) ? "1" : first[c->src];
    memset(&sc, 0, sizeof sc);
    if (o->conv(o->conv_ud, c->user - 1, t, strlen(t), &sc, &ce) != NPIO_OK)
      continue;                          /* NumPy keeps the dtype then */
    kinds[k] = sc.kind == 'u' ? 'i' : sc.kind == 'U' ? 'S' : sc.kind;
    want = g->dtype->kind == 'b' ? 'b' : g->dtype->kind;
    if (!((kinds[k] == 'i' && want == 'i' && g->dtype->itemsize == 8) ||
          (kinds[k] == 'f' && want == 'f' && g->dtype->itemsize == 8) ||
          (kinds[k] == 'b' && want == 'b') ||
          (kinds[k] == 'c' && want == 'c' && g->dtype->itemsize == 16)))
      changed = 1;
    if (kinds[k] == 'S') strings = 1;
  }
  if (!changed) { free(kinds); return 0; }
  if (strings) {                         /* widths: a first pass */
    R->stats = (gen_stat *)calloc((size_t)(n ? n : 1), sizeof(gen_stat));
    if (R->stats == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
    for (k = 0; k < n; k++) stat_init(&R->stats[k]);
    g->pass1 = 1;
    st = read_rows(R, j0, e);
    g->pass1 = 0;
    if (st) goto out;
    R->nrows = 0;
    R->ninv = 0;
    if ((st = txt_src_rewind(src, e)) != NPIO_OK) goto out;
    txt_reader_free(&R->rd);
    txt_reader_init(&R->rd, src, o->max_line);
    if ((st = skip_to_data(R, j0, e)) != NPIO_OK) goto out;
  }
  types = (npio_dtype **)calloc((size_t)(n ? n : 1), sizeof *types);
  if (types == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  for (k = 0; k < n; k++) {
    switch (kinds[k]) {
      case 'i': types[k] = npio_dtype_simple('i', 8); break;
      case 'f': types[k] = npio_dtype_simple('f', 8); break;
      case 'b': types[k] = npio_dtype_simple('b', 1); break;
      case 'c': types[k] = npio_dtype_simple('c', 16); break;
      case 'S': {
        int64_t w = R->stats && R->stats[k].user_len > 0 ? R->stats[k].user_len : 1;
        types[k] = o->bytes_strings ? npio_dtype_simple('S', w)
                                    : npio_dtype_simple('U', 4 * w);
        break;
      }
      default: types[k] = npio_dtype_ref(g->dtype); break;
    }
    if (types[k] == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  }
  {
    npio_dtype *nd;
    if (n == 1) {
      nd = npio_dtype_ref(types[0]);
    } else {
      char **nm = (char **)calloc((size_t)n, sizeof(char *));
      if (nm == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
      for (k = 0; k < n; k++) {
        char t[24];
        snprintf(t, sizeof t, "f%d", k);
        nm[k] = strdup(t);
      }
      nd = make_struct(n, nm, types, e);
      free_names(nm, n);
      if (nd == NULL) { st = e->code; goto out; }
    }
    npio_dtype_unref(g->dtype);
    g->dtype = nd;
    g->structured = nd->nfields > 0;
    for (k = 0; k < n; k++) {
      txt_col *c = &g->cols[k].c;
      const npio_dtype *t = g->structured ? nd->fields[k].type : nd;
      c->kind = txt_col_kind(t);
      c->offset = g->structured ? nd->fields[k].offset : 0;
      c->size = t->itemsize;
      c->swap = 0;
      c->dt = t;
    }
    g->rowsize = nd->itemsize;
    if (g->structured && names_from_dtype(g, nd)) {
      st = npio_seterr(e, NPIO_ENOMEM, "out of memory");
      goto out;
    }
  }
out:
  if (types) for (k = 0; k < n; k++) npio_dtype_unref(types[k]);
  free(types);
  free(kinds);
  return st ? -1 : 1;
}

/* }====================================================== */

/* {======================================================
** genfromtxt
** ======================================================= */

/* NumPy's _ensure_ndmin_ndarray on a shape (see txt_load.c). */
static int apply_ndmin(int64_t *shape, int ndim, int ndmin) {
  int i, k = 0;
  if (ndim > ndmin) {
    for (i = 0; i < ndim; i++) if (shape[i] != 1) shape[k++] = shape[i];
    ndim = k;
  }
  if (ndim < ndmin) {
    if (ndmin == 1) { shape[0] = 1; ndim = 1; }
    else if (ndim == 0) { shape[0] = shape[1] = 1; ndim = 2; }
    else { shape[1] = 1; ndim = 2; }
  }
  return ndim;
}

/* Element equality for the mask of converted missing values. */
static int elem_equal(const txt_col *c, const char *a, const char *b) {
  switch (c->kind) {
    case TC_F64: { double x, y; memcpy(&x, a, 8); memcpy(&y, b, 8); return x == y; }
    case TC_F32: { float x, y; memcpy(&x, a, 4); memcpy(&y, b, 4); return x == y; }
    case TC_F16: {
      uint16_t x, y;
      memcpy(&x, a, 2);
      memcpy(&y, b, 2);
      return txt_half_to_double(x) == txt_half_to_double(y);
    }
    case TC_C128: {
      double x[2], y[2];
      memcpy(x, a, 16);
      memcpy(y, b, 16);
      return x[0] == y[0] && x[1] == y[1];
    }
    default: return memcmp(a, b, (size_t)c->size) == 0;
  }
}

/*
** NumPy's "take care of the missing data we missed" (usemask with a
** structured result): cells equal to a converted missing value are
** masked too.
*/
static int mask_missed(gen_run *R, char *data, char *mask, npio_err *e) {
  gen_ctx *g = &R->g;
  int k, m;
  char *tmp = NULL;
  for (k = 0; k < g->nstore; k++) {
    gen_col *c = &g->cols[k];
    char *nt = (char *)realloc(tmp, (size_t)c->c.size + 1);
    if (nt == NULL) { free(tmp); return npio_seterr(e, NPIO_ENOMEM, "out of memory"); }
    tmp = nt;
    for (m = 0; m < c->nmiss; m++) {
      gen_val v;
      int64_t r;
      if (c->missn[m] == 0) continue;
      memset(&v, 0, sizeof v);
      if (conv_text(c->conv, c->miss[m], c->missn[m], &v) == 0) {
        if (store_val(&c->c, &v, tmp) != TXT_OK) continue;
      } else {
        memcpy(tmp, c->dflt, (size_t)c->c.size);
      }
      for (r = 0; r < R->nrows; r++)
        if (elem_equal(&c->c, data + r * g->rowsize + c->c.offset, tmp))
          mask[r * g->nstore + k] = 1;
    }
  }
  free(tmp);
  return NPIO_OK;
}

int npio_genfromtxt(npio_txt_src *src, const npio_genfromtxt_opts *o,
                    npio_array *out, npio_array *mask, int64_t *nskipped,
                    npio_err *e) {
  gen_run *R;
  gen_ctx *g;
  gen_job *j0;
  char **first = NULL;
  int nfirst = 0, st = NPIO_OK, k, nth;
  int64_t shape[3], skip_footer = o->skip_footer, dummy;
  int ndim;
  npio_dtype *mdt = NULL;
  memset(out, 0, sizeof *out);
  if (mask) memset(mask, 0, sizeof *mask);
  if (nskipped == NULL) nskipped = &dummy;
  *nskipped = 0;
  if (o->ndmin < 0 || o->ndmin > 2)
    return npio_seterr(e, NPIO_EVALUE, "illegal value of ndmin keyword: %d",
                       o->ndmin);
  if (o->max_rows >= 0) {
    if (o->skip_footer)
      return npio_seterr(e, NPIO_EVALUE, "the options skip_footer and "
                         "max_rows cannot be given together");
    if (o->max_rows < 1)
      return npio_seterr(e, NPIO_EVALUE, "max_rows must be at least 1");
  }
  if (o->skip_header < 0 || o->skip_footer < 0)
    return npio_seterr(e, NPIO_EVALUE, "skip_header and skip_footer must be "
                       "nonnegative");
  R = (gen_run *)calloc(1, sizeof *R);
  if (R == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  g = &R->g;
  g->o = o;
  g->usemask = o->usemask && mask != NULL;
  R->name = txt_src_name(src);
  txt_reader_init(&R->rd, src, o->max_line);
  txt_grow_init(&R->data, o->hook);
  txt_grow_init(&R->mask, o->hook);
  txt_progress_init(&R->prog, o->progress, o->progress_ud,
                    o->progress_bar);
  nth = o->nthreads > 0 ? o->nthreads : txt_parse_threads();
  R->njobs = (o->conv || o->max_rows >= 0 || R->rd.linewise || nth <= 1)
                 ? 1 : (nth + 2 < NJOBS ? nth + 2 : NJOBS);
  R->jobs = (gen_job *)calloc((size_t)R->njobs, sizeof *R->jobs);
  if (R->jobs == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  for (k = 0; k < R->njobs; k++) R->jobs[k].job.data = &R->jobs[k];
  j0 = &R->jobs[0];
  /* the splitter */
  if (o->comments && o->comments[0]) {
    g->sp.comments = o->comments;
    g->sp.clen = strlen(o->comments);
  }
  if (o->widths && o->nwidths != 0) {
    if (o->nwidths < 0) {
      g->sp.fixed = 1;
      g->sp.width = o->widths[0];
      if (g->sp.width <= 0) { g->sp.fixed = 0; }
    } else {
      g->sp.fixed = 2;
      g->sp.widths = o->widths;
      g->sp.nwidths = o->nwidths;
    }
  } else if (o->delimiter && o->delimiter[0]) {
    g->sp.delim = o->delimiter;
    g->sp.dlen = strlen(o->delimiter);
  }
  g->sp.autostrip = o->autostrip;
  /* the first line */
  if ((st = find_first(R, j0, &first, &nfirst, e)) != NPIO_OK) goto out;
  if (o->names_from_header && nfirst > 0 && g->sp.clen) {
    const char *a = first[0], *z = first[0] + strlen(first[0]);
    char *fv;
    txt_strip(&a, &z);
    fv = dupn(a, (size_t)(z - a));
    if (fv == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
    if (strstr(o->comments, fv) != NULL) {     /* fval in comments */
      free(first[0]);
      memmove(first, first + 1, (size_t)(nfirst - 1) * sizeof *first);
      nfirst--;
    }
    free(fv);
  }
  /* names */
  if (o->names_from_header) {
    int i, nn;
    char **stripped = (char **)calloc((size_t)(nfirst ? nfirst : 1), sizeof(char *));
    if (stripped == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
    for (i = 0; i < nfirst; i++) {
      const char *a = first[i], *z = a + strlen(a);
      txt_strip(&a, &z);
      stripped[i] = dupn(a, (size_t)(z - a));
    }
    g->names = validate_names(o, stripped, nfirst, -1, &nn);
    g->nnames = nn;
    free_names(stripped, nfirst);
    if (g->names == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  } else if (o->names && o->nnames > 0) {
    int nn;
    g->names = validate_names(o, (char **)o->names, o->nnames, -1, &nn);
    g->nnames = nn;
    if (g->names == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  }
  /* usecols */
  if (o->usecols || o->usecol_names) {
    int i;
    g->nbcols = o->nusecols;
    g->use = (int64_t *)malloc((size_t)(o->nusecols ? o->nusecols : 1) *
                               sizeof(int64_t));
    if (g->use == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
    for (i = 0; i < o->nusecols; i++) {
      if (o->usecol_names && o->usecol_names[i]) {
        int idx = g->names ? name_index(g, o->usecol_names[i]) : -1;
        if (idx < 0) {
          st = npio_seterr(e, NPIO_EVALUE, "usecols: '%s' is not a column "
                           "name", o->usecol_names[i]);
          goto out;
        }
        g->use[i] = idx;
      } else {
        int64_t u = o->usecols[i];
        if (u < 0) u += nfirst;
        if (u < 0) {
          st = npio_seterr(e, NPIO_EVALUE, "usecols: column %lld is out of "
                           "range for %d columns", (long long)o->usecols[i],
                           nfirst);
          goto out;
        }
        g->use[i] = u;
      }
    }
    if (g->names && g->nnames > g->nbcols && o->infer) {
      char **sel = (char **)calloc((size_t)g->nbcols, sizeof(char *));
      if (sel == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
      for (i = 0; i < g->nbcols; i++)
        sel[i] = strdup(g->use[i] < g->nnames ? g->names[g->use[i]] : "");
      free_names(g->names, g->nnames);
      g->names = sel;
      g->nnames = g->nbcols;
    }
  } else {
    g->nbcols = nfirst;
  }
  if (nfirst == 0 && !g->use) {               /* empty input */
    npio_dtype *d = (o->dtype && !o->infer) ? npio_dtype_ref(o->dtype)
                                            : npio_dtype_simple('f', 8);
    txt_progress_end(&R->prog, 0, 0);
    shape[0] = 0;
    ndim = apply_ndmin(shape, 1, o->ndmin);
    st = txt_grow_finish(&R->data, d, ndim, shape, out, e);
    if (st == NPIO_OK && g->usemask) {
      mdt = mask_dtype(d, e);
      st = mdt ? txt_grow_finish(&R->mask, mdt, ndim, shape, mask, e) : e->code;
    }
    npio_dtype_unref(d);
    goto out;
  }
  /* columns */
  if (!o->infer) {
    if ((st = explicit_dtype(g, e)) != NPIO_OK) goto out;
    if ((st = explicit_columns(g, e)) != NPIO_OK) goto out;
  } else {
    g->nstore = g->nbcols;
    if ((st = alloc_cols(g, g->nbcols, e)) != NPIO_OK) goto out;
    for (k = 0; k < g->nbcols; k++) g->cols[k].src = g->use ? g->use[k] : k;
  }
  if ((st = setup_missing(g, e)) != NPIO_OK) goto out;
  if ((st = setup_converters(g, e)) != NPIO_OK) goto out;
  for (k = 0; k < R->njobs; k++) {
    R->jobs[k].st = (gen_stat *)calloc((size_t)(g->nstore ? g->nstore : 1),
                                       sizeof(gen_stat));
    if (R->jobs[k].st == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
  }
  if (!o->infer && !g->structured && o->conv &&
      retype_columns(R, j0, first, nfirst, src, e) < 0) {
    st = e->code;
    goto out;
  }
  if (o->infer) {
    /* pass 1: the types */
    R->stats = (gen_stat *)calloc((size_t)(g->nstore ? g->nstore : 1),
                                  sizeof(gen_stat));
    if (R->stats == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
    for (k = 0; k < g->nstore; k++) stat_init(&R->stats[k]);
    g->pass1 = 1;
    if ((st = read_rows(R, j0, e)) != NPIO_OK) goto out;
    g->pass1 = 0;
    if ((st = inferred_columns(R, e)) != NPIO_OK) goto out;
    /* pass 2: from the first row again */
    R->nrows = 0;
    R->ninv = 0;
    if ((st = txt_src_rewind(src, e)) != NPIO_OK) {
      st = txt_prefix_err(e, "%s: dtype=false reads the input twice and "
                          "it cannot be rewound", R->name);
      goto out;
    }
    txt_reader_free(&R->rd);
    txt_reader_init(&R->rd, src, o->max_line);
    if ((st = skip_to_data(R, j0, e)) != NPIO_OK) goto out;
  }
  for (k = 0; k < g->nstore; k++)
    if ((st = setup_default(&g->cols[k], e)) != NPIO_OK) goto out;
  /* the delimited numeric fast path */
  g->fast = g->sp.dlen == 1 && !g->sp.fixed && !o->conv &&
            (unsigned char)g->sp.delim[0] < 0x80 && g->sp.delim[0] != ' ' &&
            g->sp.delim[0] != '\n' && g->sp.delim[0] != '\r' &&
            (g->sp.clen == 0 || (g->sp.clen == 1 &&
                                 (unsigned char)g->sp.comments[0] < 0x80));
  if (g->fast) {
    g->fextra = (unsigned char *)calloc((size_t)(g->nstore ? g->nstore : 1), 1);
    if (g->fextra == NULL) { st = npio_seterr(e, NPIO_ENOMEM, "out of memory"); goto out; }
    g->fmax = -1;
    for (k = 0; k < g->nstore; k++) {
      gen_col *c = &g->cols[k];
      if (!(c->conv == GC_FLOAT || (c->conv == GC_INT && c->c.kind == TC_I64)) ||
          c->user || !(c->c.kind <= TC_F16 || c->c.kind == TC_I64))
        g->fast = 0;
      g->fextra[k] = c->nmiss > 1;
      if (g->use && g->use[k] > g->fmax) g->fmax = g->use[k];
    }
  }
  if ((st = read_rows(R, j0, e)) != NPIO_OK) goto out;
  txt_progress_end(&R->prog, txt_src_done(src), txt_src_total(src));
  /* invalid rows (NumPy numbers them from first_line) */
  if (R->ninv > 0) {
    int64_t nbrows = R->nrows + R->ninv - skip_footer;
    int nvalid = R->ninv;
    if (skip_footer > 0) {
      int skipped = 0, i;
      for (i = 0; i < R->ninv; i++) {
        int64_t numpy_line = R->inv[i].line - R->first_line + o->skip_header + 1;
        if (numpy_line > nbrows + o->skip_header) skipped++;
      }
      nvalid = R->ninv - skipped;
      skip_footer -= skipped;
    }
    if (nvalid > 0) {
      if (o->invalid_raise) {
        st = npio_seterr(e, NPIO_EVALUE, "%s:%lld: expected %d columns, got "
                         "%lld%s", R->name, (long long)R->inv[0].line + 1,
                         g->nbcols, (long long)R->inv[0].nvalues,
                         nvalid > 1 ? " (and more rows with a wrong number "
                                      "of columns; invalid_raise=false skips "
                                      "them)" : "");
        if (nvalid > 1) {
          size_t l = strlen(e->msg);
          snprintf(e->msg + l, sizeof e->msg - l, " [%d rows]", nvalid);
        }
        goto out;
      }
      *nskipped = nvalid;
    }
  }
  if (skip_footer > 0) {
    int64_t drop = skip_footer < R->nrows ? skip_footer : R->nrows;
    R->nrows -= drop;
  }
  if (g->usemask && g->structured && R->nrows > 0) {
    if ((st = mask_missed(R, R->data.p, R->mask.p, e)) != NPIO_OK) goto out;
  }
  /* the arrays */
  if (g->structured || R->nrows == 0) { shape[0] = R->nrows; ndim = 1; }
  else { shape[0] = R->nrows; shape[1] = g->nbcols; ndim = 2; }
  ndim = apply_ndmin(shape, ndim, o->ndmin);
  if (R->data.p == NULL && (st = txt_grow_reserve(&R->data, 1, e))) goto out;
  if ((st = txt_grow_finish(&R->data, g->dtype, ndim, shape, out, e))) goto out;
  if (g->usemask) {
    mdt = mask_dtype(g->dtype, e);
    if (mdt == NULL) { st = e->code; goto out; }
    if (R->mask.p == NULL && (st = txt_grow_reserve(&R->mask, 1, e))) goto out;
    st = txt_grow_finish(&R->mask, mdt, ndim, shape, mask, e);
  }
out:
  if (st != NPIO_OK) {
    npio_array_release(out);
    if (mask) npio_array_release(mask);
  }
  npio_dtype_unref(mdt);
  free_names(first, nfirst);
  if (R->jobs) {
    for (k = 0; k < R->njobs; k++) {
      gen_job *j = &R->jobs[k];
      txt_block_free(j->text, j->cap);
      txt_grow_free(&j->out);
      txt_grow_free(&j->mask);
      free(j->inv);
      free(j->st);
      free(j->F.f);
      free(j->bits);
    }
    free(R->jobs);
  }
  if (g->cols) {
    for (k = 0; k < g->nbcols; k++) {
      gen_col *c = &g->cols[k];
      int m;
      for (m = 0; m < c->nmiss; m++) free(c->miss[m]);
      free(c->miss);
      free(c->missn);
      free(c->dflt);
      free(c->fill_text);
    }
    free(g->cols);
  }
  free_names(g->names, g->nnames);
  free(g->use);
  free(g->fextra);
  npio_dtype_unref(g->dtype);
  free(R->inv);
  free(R->stats);
  txt_reader_free(&R->rd);
  txt_grow_free(&R->data);
  txt_grow_free(&R->mask);
  free(R);
  return st;
}

/* }====================================================== */
