/*
** pylit.c -- a parser for the Python literals a .npy header is made of
** (what ast.literal_eval accepts, minus sets and bytes semantics):
** None, True, False, ints (any base, '_' separators, Python 2's 10L when
** asked), floats, complex (kept as a non-int), strings with escapes,
** tuples, lists and dicts. Nesting is capped, so "((((..." cannot
** exhaust the C stack; every failure is an NPIO_EFORMAT with a reason.
*/
#include "npio_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct pyl_parser {
  const char *p, *end;
  int allow_long;
  int depth;
  npio_err *e;
} pyl_parser;

static pyl_node *node_new(pyl_parser *ps, int type) {
  pyl_node *n = (pyl_node *)calloc(1, sizeof(*n));
  if (n == NULL) npio_seterr(ps->e, NPIO_ENOMEM, "out of memory");
  else n->type = type;
  return n;
}

void pyl_free(pyl_node *n) {
  int i;
  if (n == NULL) return;
  for (i = 0; i < n->n; i++) pyl_free(n->items[i]);
  free(n->items);
  free(n->str);
  free(n);
}

static int fail(pyl_parser *ps, const char *what) {
  return npio_seterr(ps->e, NPIO_EFORMAT, "%s", what);
}

static void skipspace(pyl_parser *ps) {
  while (ps->p < ps->end) {
    char c = *ps->p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
        c == '\v')
      ps->p++;
    else if (c == '\\' && ps->p + 1 < ps->end && ps->p[1] == '\n')
      ps->p += 2;                       /* explicit line continuation */
    else
      break;
  }
}

static int addchild(pyl_parser *ps, pyl_node *parent, pyl_node *child) {
  if ((parent->n & (parent->n - 1)) == 0) {   /* grow at powers of two */
    size_t ncap = parent->n ? (size_t)parent->n * 2 : 4;
    pyl_node **ni = (pyl_node **)realloc(parent->items,
                                         ncap * sizeof(pyl_node *));
    if (ni == NULL) {
      pyl_free(child);
      return npio_seterr(ps->e, NPIO_ENOMEM, "out of memory");
    }
    parent->items = ni;
  }
  parent->items[parent->n++] = child;
  return NPIO_OK;
}

/* Appends code point 'cp' as UTF-8. */
static int put_utf8(npio_buf *b, uint32_t cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) { u[0] = (char)cp; n = 1; }
  else if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
  } else {
    u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  return npio_buf_add(b, u, n);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/*
** Parses a string literal (optional u/b/r prefix, single, double or
** triple quotes, Python escapes) into a PYL_STR node.
*/
static pyl_node *parse_string(pyl_parser *ps) {
  int raw = 0, isbytes = 0, triple;
  char q;
  npio_buf b = {0};
  pyl_node *n;
  while (ps->p < ps->end && strchr("uUbBrR", *ps->p) != NULL) {
    if (*ps->p == 'r' || *ps->p == 'R') raw = 1;
    if (*ps->p == 'b' || *ps->p == 'B') isbytes = 1;
    ps->p++;
  }
  if (ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '"')) {
    fail(ps, "invalid literal");
    return NULL;
  }
  q = *ps->p;
  triple = (ps->end - ps->p >= 3 && ps->p[1] == q && ps->p[2] == q);
  ps->p += triple ? 3 : 1;
  npio_buf_reserve(&b, 16);
  for (;;) {
    char c;
    if (ps->p >= ps->end) {
      npio_buf_free(&b);
      fail(ps, "unterminated string");
      return NULL;
    }
    c = *ps->p;
    if (c == q) {
      if (!triple) { ps->p++; break; }
      if (ps->end - ps->p >= 3 && ps->p[1] == q && ps->p[2] == q) {
        ps->p += 3;
        break;
      }
    }
    if ((c == '\n' || c == '\r') && !triple) {
      npio_buf_free(&b);
      fail(ps, "unterminated string");
      return NULL;
    }
    if (c == '\\' && !raw && ps->p + 1 < ps->end) {
      char x = ps->p[1];
      uint32_t cp = 0;
      int k, nd = 0;
      ps->p += 2;
      switch (x) {
        case '\n': continue;
        case '\\': case '\'': case '"': npio_buf_add(&b, &x, 1); continue;
        case 'n': npio_buf_add(&b, "\n", 1); continue;
        case 't': npio_buf_add(&b, "\t", 1); continue;
        case 'r': npio_buf_add(&b, "\r", 1); continue;
        case 'a': npio_buf_add(&b, "\a", 1); continue;
        case 'b': npio_buf_add(&b, "\b", 1); continue;
        case 'f': npio_buf_add(&b, "\f", 1); continue;
        case 'v': npio_buf_add(&b, "\v", 1); continue;
        case 'x': nd = 2; break;
        case 'u': nd = 4; break;
        case 'U': nd = 8; break;
        default:
          if (x >= '0' && x <= '7') {     /* up to three octal digits */
            cp = (uint32_t)(x - '0');
            for (k = 0; k < 2 && ps->p < ps->end && *ps->p >= '0' &&
                        *ps->p <= '7'; k++)
              cp = cp * 8 + (uint32_t)(*ps->p++ - '0');
            put_utf8(&b, cp);
            continue;
          }
          /* unknown escapes keep the backslash, as Python does */
          npio_buf_add(&b, "\\", 1);
          npio_buf_add(&b, &x, 1);
          continue;
      }
      for (k = 0; k < nd; k++) {
        int h = (ps->p < ps->end) ? hexval(*ps->p) : -1;
        if (h < 0) {
          npio_buf_free(&b);
          fail(ps, "truncated \\x/\\u escape in string");
          return NULL;
        }
        cp = cp * 16 + (uint32_t)h;
        ps->p++;
      }
      if (cp > 0x10FFFF) {
        npio_buf_free(&b);
        fail(ps, "escape out of the Unicode range in string");
        return NULL;
      }
      put_utf8(&b, cp);
      continue;
    }
    if (npio_buf_add(&b, &c, 1) != NPIO_OK) {
      npio_buf_free(&b);
      npio_seterr(ps->e, NPIO_ENOMEM, "out of memory");
      return NULL;
    }
    ps->p++;
  }
  if (npio_buf_add(&b, "", 0) != NPIO_OK) {   /* terminates the text */
    npio_buf_free(&b);
    npio_seterr(ps->e, NPIO_ENOMEM, "out of memory");
    return NULL;
  }
  n = node_new(ps, PYL_STR);
  if (n == NULL) { npio_buf_free(&b); return NULL; }
  n->str = b.p;
  n->slen = b.len;
  n->big = isbytes;   /* for strings: a bytes literal b'...' */
  return n;
}

/*
** Parses a number: ints in bases 10/16/8/2 with '_' separators, floats,
** an imaginary 'j' suffix (kept as a non-int). Values past int64 set
** 'big' instead of overflowing.
*/
static pyl_node *parse_number(pyl_parser *ps, int neg) {
  const char *s = ps->p;
  int base = 10, isfloat = 0, big = 0, ndig = 0;
  uint64_t v = 0;
  uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  pyl_node *n;
  if (s + 1 < ps->end && s[0] == '0' && strchr("xXoObB", s[1]) != NULL) {
    base = (s[1] == 'x' || s[1] == 'X') ? 16 : (s[1] == 'o' || s[1] == 'O') ? 8 : 2;
    ps->p += 2;
    if (ps->p < ps->end && *ps->p == '_') ps->p++;
  }
  for (; ps->p < ps->end; ps->p++) {
    char c = *ps->p;
    int d;
    if (c == '_') {
      if (ps->p + 1 >= ps->end || hexval(ps->p[1]) < 0 ||
          ps->p[-1] == '_') {
        fail(ps, "invalid number");
        return NULL;
      }
      continue;
    }
    d = hexval(c);
    if (d < 0 || d >= base) break;
    if (v > (limit - (uint64_t)d) / (uint64_t)base) big = 1;
    else v = v * (uint64_t)base + (uint64_t)d;
    ndig++;
  }
  if (base == 10 && ps->p < ps->end &&
      (*ps->p == '.' || *ps->p == 'e' || *ps->p == 'E' || *ps->p == 'j' ||
       *ps->p == 'J')) {
    char tmp[512];
    size_t len;
    const char *q = ps->p;
    if (*q == '.') { q++; while (q < ps->end && (isdigit((unsigned char)*q) || *q == '_')) q++; }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
      const char *r = q + 1;
      if (r < ps->end && (*r == '+' || *r == '-')) r++;
      if (r < ps->end && isdigit((unsigned char)*r)) {
        q = r;
        while (q < ps->end && isdigit((unsigned char)*q)) q++;
      }
    }
    len = (size_t)(q - s);
    if (len >= sizeof(tmp)) { fail(ps, "number too long"); return NULL; }
    {
      size_t i, k = 0;
      for (i = 0; i < len; i++) if (s[i] != '_') tmp[k++] = s[i];
      tmp[k] = '\0';
    }
    isfloat = 1;
    ps->p = q;
    if (ps->p < ps->end && (*ps->p == 'j' || *ps->p == 'J')) ps->p++;
    n = node_new(ps, PYL_FLOAT);
    if (n) n->fval = neg ? -strtod(tmp, NULL) : strtod(tmp, NULL);
    return n;
  }
  if (ndig == 0) { fail(ps, "invalid number"); return NULL; }
  /* Python 3 forbids leading zeros in non-zero decimal literals (007). */
  if (base == 10 && s[0] == '0' && v != 0) {
    fail(ps, "leading zeros in a decimal integer literal");
    return NULL;
  }
  if (ps->p < ps->end && *ps->p == 'L') {   /* NumPy filters only 'L' */
    if (!ps->allow_long) { fail(ps, "invalid number"); return NULL; }
    ps->p++;
  }
  if (ps->p < ps->end && (*ps->p == 'j' || *ps->p == 'J')) {
    ps->p++;
    isfloat = 1;
  }
  if (ps->p < ps->end && (isalnum((unsigned char)*ps->p) || *ps->p == '.')) {
    fail(ps, "invalid number");
    return NULL;
  }
  n = node_new(ps, isfloat ? PYL_FLOAT : PYL_INT);
  if (n == NULL) return NULL;
  n->big = big;
  if (!big) n->ival = neg ? (int64_t)(0 - v) : (int64_t)v;
  n->fval = neg ? -(double)v : (double)v;
  return n;
}

static pyl_node *parse_value(pyl_parser *ps);

/* Parses the items of a tuple, list or dict after its opening bracket. */
static pyl_node *parse_seq(pyl_parser *ps, char close, int type) {
  pyl_node *n = node_new(ps, type);
  int sawcomma = 0, count = 0;
  if (n == NULL) return NULL;
  for (;;) {
    pyl_node *item;
    skipspace(ps);
    if (ps->p < ps->end && *ps->p == close) { ps->p++; break; }
    if (count > 0 && !sawcomma) goto bad;
    item = parse_value(ps);
    if (item == NULL) { pyl_free(n); return NULL; }
    if (addchild(ps, n, item) != NPIO_OK) { pyl_free(n); return NULL; }
    if (type == PYL_DICT) {
      skipspace(ps);
      if (ps->p >= ps->end || *ps->p != ':') goto bad;
      ps->p++;
      item = parse_value(ps);
      if (item == NULL) { pyl_free(n); return NULL; }
      if (addchild(ps, n, item) != NPIO_OK) { pyl_free(n); return NULL; }
    }
    count++;
    skipspace(ps);
    sawcomma = 0;
    if (ps->p < ps->end && *ps->p == ',') { ps->p++; sawcomma = 1; }
  }
  /* "(x)" is a parenthesised value, not a tuple */
  if (type == PYL_TUPLE && count == 1 && !sawcomma) {
    pyl_node *only = n->items[0];
    n->n = 0;
    pyl_free(n);
    return only;
  }
  return n;
bad:
  pyl_free(n);
  fail(ps, type == PYL_DICT ? "malformed dict" : "malformed sequence");
  return NULL;
}

static int word(pyl_parser *ps, const char *w) {
  size_t k = strlen(w);
  if ((size_t)(ps->end - ps->p) < k || memcmp(ps->p, w, k) != 0) return 0;
  if (ps->p + k < ps->end &&
      (isalnum((unsigned char)ps->p[k]) || ps->p[k] == '_'))
    return 0;
  ps->p += k;
  return 1;
}

static pyl_node *parse_value(pyl_parser *ps) {
  pyl_node *n = NULL;
  char c;
  skipspace(ps);
  if (ps->p >= ps->end) { fail(ps, "unexpected end of literal"); return NULL; }
  if (++ps->depth > NPIO_PYL_MAXDEPTH) {
    fail(ps, "literal nested too deeply");
    return NULL;
  }
  c = *ps->p;
  if (c == '(') { ps->p++; n = parse_seq(ps, ')', PYL_TUPLE); }
  else if (c == '[') { ps->p++; n = parse_seq(ps, ']', PYL_LIST); }
  else if (c == '{') { ps->p++; n = parse_seq(ps, '}', PYL_DICT); }
  else if (c == '\'' || c == '"' ||
           ((c == 'u' || c == 'b' || c == 'r' || c == 'U' || c == 'B' ||
             c == 'R') && ps->p + 1 < ps->end &&
            strchr("'\"uUbBrR", ps->p[1]) != NULL))
    n = parse_string(ps);
  else if (c == '-' || c == '+') {
    ps->p++;
    skipspace(ps);
    if (ps->p < ps->end && (isdigit((unsigned char)*ps->p) || *ps->p == '.'))
      n = parse_number(ps, c == '-');
    else
      fail(ps, "invalid literal");
  } else if (isdigit((unsigned char)c) ||
             (c == '.' && ps->p + 1 < ps->end && isdigit((unsigned char)ps->p[1])))
    n = parse_number(ps, 0);
  else if (word(ps, "True")) { n = node_new(ps, PYL_BOOL); if (n) n->ival = 1; }
  else if (word(ps, "False")) n = node_new(ps, PYL_BOOL);
  else if (word(ps, "None")) n = node_new(ps, PYL_NONE);
  else
    fail(ps, "invalid literal");
  ps->depth--;
  return n;
}

pyl_node *pyl_parse(const char *text, size_t len, int allow_long,
                    npio_err *e) {
  pyl_parser ps;
  pyl_node *n;
  ps.p = text;
  ps.end = text + len;
  ps.allow_long = allow_long;
  ps.depth = 0;
  ps.e = e;
  n = parse_value(&ps);
  if (n == NULL) return NULL;
  skipspace(&ps);
  if (ps.p != ps.end) {   /* including NUL bytes, which Python refuses */
    pyl_free(n);
    npio_seterr(e, NPIO_EFORMAT, "unexpected text after the literal");
    return NULL;
  }
  return n;
}

/* {======================================================
** repr
** ======================================================= */

int pyl_repr_str(npio_buf *b, const char *s, size_t len) {
  char q = '\'';
  size_t i;
  if (memchr(s, '\'', len) != NULL && memchr(s, '"', len) == NULL) q = '"';
  npio_buf_add(b, &q, 1);
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\\' || c == (unsigned char)q) {
      char esc[2] = {'\\', (char)c};
      npio_buf_add(b, esc, 2);
    } else if (c == '\n') npio_buf_add(b, "\\n", 2);
    else if (c == '\t') npio_buf_add(b, "\\t", 2);
    else if (c == '\r') npio_buf_add(b, "\\r", 2);
    else if (c < 0x20 || c == 0x7f) npio_buf_printf(b, "\\x%02x", c);
    else if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
             (unsigned char)s[i + 1] < 0xA0) {
      /* U+0080..U+009F are not printable: Python writes \x80 */
      npio_buf_printf(b, "\\x%02x", (unsigned char)s[i + 1]);
      i++;
    } else
      npio_buf_add(b, (const char *)&c, 1);
  }
  return npio_buf_add(b, &q, 1);
}

void pyl_repr(const pyl_node *n, npio_buf *b) {
  int i;
  if (b->len > 400) { npio_buf_addstr(b, "..."); return; }
  switch (n->type) {
    case PYL_NONE: npio_buf_addstr(b, "None"); break;
    case PYL_BOOL: npio_buf_addstr(b, n->ival ? "True" : "False"); break;
    case PYL_INT:
      if (n->big) npio_buf_addstr(b, n->fval < 0 ? "-<huge>" : "<huge>");
      else npio_buf_printf(b, "%lld", (long long)n->ival);
      break;
    case PYL_FLOAT: npio_buf_printf(b, "%.17g", n->fval); break;
    case PYL_STR: pyl_repr_str(b, n->str, n->slen); break;
    case PYL_TUPLE: case PYL_LIST:
      npio_buf_addstr(b, n->type == PYL_TUPLE ? "(" : "[");
      for (i = 0; i < n->n; i++) {
        if (i) npio_buf_addstr(b, ", ");
        pyl_repr(n->items[i], b);
      }
      if (n->type == PYL_TUPLE && n->n == 1) npio_buf_addstr(b, ",");
      npio_buf_addstr(b, n->type == PYL_TUPLE ? ")" : "]");
      break;
    case PYL_DICT:
      npio_buf_addstr(b, "{");
      for (i = 0; i + 1 < n->n; i += 2) {
        if (i) npio_buf_addstr(b, ", ");
        pyl_repr(n->items[i], b);
        npio_buf_addstr(b, ": ");
        pyl_repr(n->items[i + 1], b);
      }
      npio_buf_addstr(b, "}");
      break;
  }
}

/* }====================================================== */
