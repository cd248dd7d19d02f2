/*
** repr.c -- NumPy 1.24's repr(a) and str(a) for arrays.
**
** The rules are those of numpy/core/arrayprint.py with the default
** floatmode 'maxprec', sign '-', nanstr 'nan', infstr 'inf' and no legacy
** mode; the options precision, threshold, linewidth, suppress and
** edgeitems are taken from npio_printopts. Floats are printed with an
** exact big-integer Dragon4 (shortest round-trip digits in the element's
** own precision, half/single/double/x87 extended), which makes the text
** equal NumPy's digit for digit.
**
** Format core: plain C, no Lua.
*/

#include "npio_int.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if !defined(NPIO_REPR_MAXPREC)
/* Largest 'precision' accepted (NumPy's own output buffer is 16384). */
#define NPIO_REPR_MAXPREC 4096
#endif

/* Digits Dragon4 may produce for one value: the integer digits of the
** largest x87 extended value (4933) plus the fraction a precision of
** NPIO_REPR_MAXPREC allows. */
#define D4CAP (4960 + NPIO_REPR_MAXPREC)

/* {======================================================
** Output buffer that tracks the column of its last line
** ======================================================= */

typedef struct rbuf {
  char *p;
  size_t len, cap;
  int64_t col;     /* characters (code points) after the last newline */
  int oom;         /* sticky: an allocation failed */
} rbuf;

/* Number of characters in UTF-8 text (bytes that are not continuation
** bytes): Python's len() of the same text. */
static int64_t u8len(const char *s, size_t n) {
  int64_t k = 0;
  size_t i;
  for (i = 0; i < n; i++)
    k += ((unsigned char)s[i] & 0xC0) != 0x80;
  return k;
}

/*
** Appends n bytes, keeping the text NUL-terminated and the column up to
** date. On a failed allocation the buffer stops growing and 'oom' is set;
** the caller checks it once at the end.
*/
static void rb_add(rbuf *b, const char *s, size_t n) {
  size_t i;
  if (b->oom) return;
  if (b->cap - b->len <= n) {
    size_t want = b->len + n + 1, nc = b->cap ? b->cap : 128;
    char *q;
    if (want <= b->len) { b->oom = 1; return; }   /* size_t overflow */
    while (nc < want) nc = (nc > SIZE_MAX / 2) ? want : nc * 2;
    q = (char *)realloc(b->p, nc);
    if (q == NULL) { b->oom = 1; return; }
    b->p = q;
    b->cap = nc;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
  for (i = n; i > 0 && s[i - 1] != '\n'; i--) ;
  if (i > 0) b->col = u8len(s + i, n - i);
  else b->col += u8len(s, n);
}

static void rb_adds(rbuf *b, const char *s) { rb_add(b, s, strlen(s)); }
static void rb_addc(rbuf *b, char c) { rb_add(b, &c, 1); }

static void rb_spaces(rbuf *b, int64_t n) {
  static const char sp[] = "                                ";
  while (n > 0) {
    size_t k = n > 32 ? 32 : (size_t)n;
    rb_add(b, sp, k);
    n -= (int64_t)k;
  }
}

/* Removes trailing blanks of the last line (Python's line.rstrip()). */
static void rb_rstrip(rbuf *b) {
  while (b->len > 0 && b->col > 0 && b->p[b->len - 1] == ' ') {
    b->len--;
    b->col--;
  }
  if (b->p) b->p[b->len] = '\0';
}

static void rb_reset(rbuf *b) {
  b->len = 0;
  b->col = 0;
  if (b->p) b->p[0] = '\0';
}

static void rb_i64(rbuf *b, int64_t v) {
  char t[32];
  int n = snprintf(t, sizeof t, "%lld", (long long)v);
  rb_add(b, t, (size_t)n);
}

static void rb_u64(rbuf *b, uint64_t v) {
  char t[32];
  int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
  rb_add(b, t, (size_t)n);
}

/* Appends code point c as UTF-8 (lone surrogates too, WTF-8 style). */
static void rb_utf8(rbuf *b, uint32_t c) {
  char t[4];
  if (c < 0x80) { t[0] = (char)c; rb_add(b, t, 1); }
  else if (c < 0x800) {
    t[0] = (char)(0xC0 | (c >> 6)); t[1] = (char)(0x80 | (c & 0x3F));
    rb_add(b, t, 2);
  }
  else if (c < 0x10000) {
    t[0] = (char)(0xE0 | (c >> 12)); t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    t[2] = (char)(0x80 | (c & 0x3F));
    rb_add(b, t, 3);
  }
  else {
    t[0] = (char)(0xF0 | ((c >> 18) & 0x07));
    t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    t[2] = (char)(0x80 | ((c >> 6) & 0x3F)); t[3] = (char)(0x80 | (c & 0x3F));
    rb_add(b, t, 4);
  }
}

/* }====================================================== */

/* {======================================================
** Reading elements (any byte order, any alignment)
** ======================================================= */

static int need_swap(const npio_dtype *d) {
  return d->order == (npio_little_endian() ? '>' : '<');
}

/* Copies an n-byte word into 'dst' in native order. */
static void rd_word(unsigned char *dst, const char *p, int n, int swap) {
  int i;
  if (swap)
    for (i = 0; i < n; i++) dst[i] = (unsigned char)p[n - 1 - i];
  else
    memcpy(dst, p, (size_t)n);
}

static uint64_t rd_uint(const char *p, int size, int swap) {
  unsigned char w[8];
  rd_word(w, p, size, swap);
  switch (size) {
    case 1: return w[0];
    case 2: { uint16_t v; memcpy(&v, w, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, w, 4); return v; }
    default: { uint64_t v; memcpy(&v, w, 8); return v; }
  }
}

static int64_t rd_int(const char *p, int size, int swap) {
  uint64_t u = rd_uint(p, size, swap);
  if (size < 8 && (u >> (size * 8 - 1)) & 1)
    u |= ~(uint64_t)0 << (size * 8);   /* sign-extend */
  return (int64_t)u;
}

/* Float kinds, by storage. */
enum { FK_HALF, FK_SINGLE, FK_DOUBLE, FK_LONG };

/*
** One float decoded for printing: its value (exact in long double for
** every kind) and Dragon4's view of it, value = mant * 2^exp.
*/
typedef struct rfloat {
  int fk;
  int neg;           /* sign bit (also for -0.0 and NaN) */
  int finite, nan;
  long double v;
  uint64_t mant;
  int exp;
  int mbit;          /* index of the highest set bit of mant */
  int unequal;       /* the gap to the next value below is half the gap above */
} rfloat;

static int hibit64(uint64_t v) {
  int k = 0;
  while (v >>= 1) k++;
  return k;
}

/* Decodes IEEE binary bits with 'mb' mantissa and 'eb' exponent bits. */
static void ieee_decode(uint64_t bits, int mb, int eb, rfloat *x) {
  uint64_t m = bits & (((uint64_t)1 << mb) - 1);
  int e = (int)((bits >> mb) & ((1u << eb) - 1));
  int bias = (1 << (eb - 1)) - 1;
  x->neg = (int)((bits >> (mb + eb)) & 1);
  x->finite = 1;
  x->nan = 0;
  if (e == (1 << eb) - 1) {
    x->finite = 0;
    x->nan = m != 0;
    x->v = x->nan ? (long double)NAN : (x->neg ? -(long double)INFINITY
                                             : (long double)INFINITY);
    x->mant = 0; x->exp = 0; x->mbit = 0; x->unequal = 0;
    return;
  }
  if (e != 0) {
    x->mant = m | ((uint64_t)1 << mb);
    x->exp = e - bias - mb;
    x->mbit = mb;
    x->unequal = (e != 1) && (m == 0);
  }
  else {
    x->mant = m;
    x->exp = 1 - bias - mb;
    x->mbit = m ? hibit64(m) : 0;
    x->unequal = 0;
  }
  x->v = ldexpl((long double)x->mant, x->exp);
  if (x->neg) x->v = -x->v;
}

/* 1 if this build can print x87 extended (NumPy's float96/float128). */
static int have_long(void) {
  return LDBL_MANT_DIG == 64 && LDBL_MAX_EXP == 16384;
}

/* Decodes an x87 80-bit extended value stored in 'size' (12 or 16) bytes. */
static void x87_decode(const char *p, int size, int swap, rfloat *x) {
  unsigned char w[16];
  uint64_t m;
  uint16_t se;
  int e;
  rd_word(w, p, size, swap);
  memcpy(&m, w, 8);          /* little-endian layout (x86) */
  memcpy(&se, w + 8, 2);
  e = se & 0x7FFF;
  x->neg = se >> 15;
  x->finite = 1;
  x->nan = 0;
  m &= ~((uint64_t)1 << 63);  /* the explicit integer bit is ignored */
  if (e == 0x7FFF) {
    x->finite = 0;
    x->nan = m != 0;
    x->v = x->nan ? (long double)NAN : (x->neg ? -(long double)INFINITY
                                             : (long double)INFINITY);
    x->mant = 0; x->exp = 0; x->mbit = 0; x->unequal = 0;
    return;
  }
  if (e != 0) {
    x->mant = m | ((uint64_t)1 << 63);
    x->exp = e - 16383 - 63;
    x->mbit = 63;
    x->unequal = (e != 1) && (m == 0);
  }
  else {
    x->mant = m;
    x->exp = 1 - 16383 - 63;
    x->mbit = m ? hibit64(m) : 0;
    x->unequal = 0;
  }
  x->v = ldexpl((long double)x->mant, x->exp);
  if (x->neg) x->v = -x->v;
}

/* Reads the float of kind 'fk' stored in 'size' bytes at p. */
static void rd_float(const char *p, int fk, int size, int swap, rfloat *x) {
  x->fk = fk;
  switch (fk) {
    case FK_HALF: ieee_decode(rd_uint(p, 2, swap), 10, 5, x); break;
    case FK_SINGLE: ieee_decode(rd_uint(p, 4, swap), 23, 8, x); break;
    case FK_DOUBLE: ieee_decode(rd_uint(p, 8, swap), 52, 11, x); break;
    default: x87_decode(p, size, swap, x); break;
  }
}

/* The float kind of a real float of 'itemsize' bytes, or -1. */
static int float_kind(int64_t itemsize) {
  switch (itemsize) {
    case 2: return FK_HALF;
    case 4: return FK_SINGLE;
    case 8: return FK_DOUBLE;
    case 12: case 16: return have_long() ? FK_LONG : -1;
    default: return -1;
  }
}

/* }====================================================== */

/* {======================================================
** Dragon4: exact shortest digits with big integers
** ======================================================= */

/* Enough 32-bit blocks for x87 extended extremes (about 16,600 bits). */
#define BIG_BLOCKS 640

typedef struct big {
  int n;                     /* used blocks; no leading zero blocks */
  uint32_t d[BIG_BLOCKS];
} big;

static void big_set(big *a, uint64_t v) {
  a->n = 0;
  while (v) {
    a->d[a->n++] = (uint32_t)v;
    v >>= 32;
  }
}

static void big_pow2(big *a, int e) {
  int blk = e / 32, i;
  for (i = 0; i < blk; i++) a->d[i] = 0;
  a->d[blk] = (uint32_t)1 << (e % 32);
  a->n = blk + 1;
}

static void big_shl(big *a, int s) {
  int blk = s / 32, bits = s % 32, i;
  if (a->n == 0) return;
  if (a->n + blk + 1 > BIG_BLOCKS) return;   /* cannot happen for floats */
  if (bits == 0) {
    for (i = a->n - 1; i >= 0; i--) a->d[i + blk] = a->d[i];
    a->d[a->n + blk] = 0;
  }
  else {
    a->d[a->n + blk] = 0;
    for (i = a->n - 1; i >= 0; i--) {
      a->d[i + blk + 1] |= a->d[i] >> (32 - bits);
      a->d[i + blk] = a->d[i] << bits;
    }
  }
  for (i = 0; i < blk; i++) a->d[i] = 0;
  a->n += blk + 1;
  while (a->n > 0 && a->d[a->n - 1] == 0) a->n--;
}

static void big_mulsmall(big *a, uint32_t m) {
  uint64_t carry = 0;
  int i;
  for (i = 0; i < a->n; i++) {
    uint64_t t = (uint64_t)a->d[i] * m + carry;
    a->d[i] = (uint32_t)t;
    carry = t >> 32;
  }
  if (carry && a->n < BIG_BLOCKS) a->d[a->n++] = (uint32_t)carry;
}

static void big_mulpow10(big *a, int e) {
  static const uint32_t p10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000,
                                  10000000, 100000000};
  while (e >= 9) {
    big_mulsmall(a, 1000000000u);
    e -= 9;
  }
  if (e > 0) big_mulsmall(a, p10[e]);
}

static int big_cmp(const big *a, const big *b) {
  int i;
  if (a->n != b->n) return a->n < b->n ? -1 : 1;
  for (i = a->n - 1; i >= 0; i--)
    if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
  return 0;
}

/* r = a + b (r may not alias). */
static void big_add(big *r, const big *a, const big *b) {
  const big *lo = a->n < b->n ? a : b, *hi = a->n < b->n ? b : a;
  uint64_t carry = 0;
  int i;
  for (i = 0; i < hi->n; i++) {
    uint64_t t = (uint64_t)hi->d[i] + (i < lo->n ? lo->d[i] : 0) + carry;
    r->d[i] = (uint32_t)t;
    carry = t >> 32;
  }
  r->n = hi->n;
  if (carry && r->n < BIG_BLOCKS) r->d[r->n++] = (uint32_t)carry;
}

/* a -= b, with a >= b. */
static void big_sub(big *a, const big *b) {
  int64_t borrow = 0;
  int i;
  for (i = 0; i < a->n; i++) {
    int64_t t = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
    borrow = t < 0;
    a->d[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
  }
  while (a->n > 0 && a->d[a->n - 1] == 0) a->n--;
}

/* r = 2 * a. */
static void big_twice(big *r, const big *a) {
  *r = *a;
  big_shl(r, 1);
}

/* Divides v by s when v < 10 s: returns the quotient digit, leaves the
** remainder in v. */
static int big_divdigit(big *v, const big *s) {
  int q = 0;
  while (q < 9 && big_cmp(v, s) >= 0) {
    big_sub(v, s);
    q++;
  }
  return q;
}

/* Dragon4's input: value = mant * 2^exp. */
typedef struct d4in {
  uint64_t mant;
  int exp, mbit, unequal;
} d4in;

enum { CUT_TOTAL, CUT_FRACTION };

/*
** Dragon4 (Steele & White; Burger & Dybvig's exponent estimate) in the
** shape NumPy 1.24 runs it: digit mode 'unique' (stop as soon as the
** digits identify the value among its neighbours, boundaries included
** for even significands), but never before the cutoff_min digit and
** always at the cutoff_max digit; a cutoff counts digits after the
** decimal point (CUT_FRACTION) or in all (CUT_TOTAL); -1 = no cutoff.
** The last digit is rounded to nearest, ties to even. Writes ASCII
** digits to 'dig' (at most 'cap') and the decimal exponent of the first
** digit to *oexp; returns the number of digits.
*/
static int dragon4(const d4in *in, int cutmode, int cutoff_max,
                   int cutoff_min, char *dig, int cap, int *oexp) {
  big scale, val, mlow, mhigh_st, high;
  big *mhigh;
  int even = (in->mant & 1) == 0;
  int de, cmax, cmin, n = 0, digit = 0, low = 0, hi = 0, rdown;
  if (in->mant == 0) {
    dig[0] = '0';
    *oexp = 0;
    return 1;
  }
  big_set(&val, in->mant);
  if (in->unequal) {
    if (in->exp > 0) {
      big_shl(&val, in->exp + 2);
      big_set(&scale, 4);
      big_pow2(&mlow, in->exp);
      big_pow2(&mhigh_st, in->exp + 1);
    }
    else {
      big_shl(&val, 2);
      big_pow2(&scale, -in->exp + 2);
      big_set(&mlow, 1);
      big_set(&mhigh_st, 2);
    }
    mhigh = &mhigh_st;
  }
  else {
    if (in->exp > 0) {
      big_shl(&val, in->exp + 1);
      big_set(&scale, 2);
      big_pow2(&mlow, in->exp);
    }
    else {
      big_shl(&val, 1);
      big_pow2(&scale, -in->exp + 1);
      big_set(&mlow, 1);
    }
    mhigh = &mlow;
  }
  /* estimate of floor(log10(v)) + 1, correct or one too low */
  de = (int)ceil((double)(in->mbit + in->exp) * 0.30102999566398119521 - 0.69);
  /* a fraction cutoff above the first digit: start at the cutoff */
  if (cutoff_max >= 0 && cutmode == CUT_FRACTION && de <= -cutoff_max)
    de = -cutoff_max + 1;
  if (de > 0)
    big_mulpow10(&scale, de);
  else if (de < 0) {
    big_mulpow10(&val, -de);
    big_mulpow10(&mlow, -de);
    if (mhigh != &mlow) big_twice(mhigh, &mlow);
  }
  if (big_cmp(&val, &scale) >= 0)
    de++;                           /* the estimate was one too low */
  else {
    big_mulsmall(&val, 10);
    big_mulsmall(&mlow, 10);
    if (mhigh != &mlow) big_twice(mhigh, &mlow);
  }
  cmax = de - cap;
  if (cutoff_max >= 0) {
    int want = cutmode == CUT_TOTAL ? de - cutoff_max : -cutoff_max;
    if (want > cmax) cmax = want;
  }
  cmin = de;
  if (cutoff_min >= 0) {
    int want = cutmode == CUT_TOTAL ? de - cutoff_min : -cutoff_min;
    if (want < cmin) cmin = want;
  }
  *oexp = de - 1;
  for (;;) {
    int c;
    de--;
    digit = big_divdigit(&val, &scale);
    big_add(&high, &val, mhigh);
    c = big_cmp(&val, &mlow);
    low = even ? c <= 0 : c < 0;
    c = big_cmp(&high, &scale);
    hi = even ? c >= 0 : c > 0;
    if (((low | hi) && de <= cmin) || de == cmax) break;
    dig[n++] = (char)('0' + digit);
    big_mulsmall(&val, 10);
    big_mulsmall(&mlow, 10);
    if (mhigh != &mlow) big_twice(mhigh, &mlow);
  }
  rdown = low;
  if (low == hi) {               /* both ways legal: round to nearest */
    int c;
    big_shl(&val, 1);
    c = big_cmp(&val, &scale);
    rdown = c < 0;
    if (c == 0) rdown = (digit & 1) == 0;
  }
  if (rdown)
    dig[n++] = (char)('0' + digit);
  else if (digit == 9) {          /* carry: drop the nines */
    for (;;) {
      if (n == 0) {
        dig[n++] = '1';
        *oexp += 1;
        break;
      }
      n--;
      if (dig[n] != '9') {
        dig[n]++;
        n++;
        break;
      }
    }
  }
  else
    dig[n++] = (char)('0' + digit + 1);
  return n;
}

/* Trim modes of NumPy's format_float_*: 'k', '.', '0', '-'. */
enum { TRIM_NONE, TRIM_ZEROS, TRIM_ONEZERO, TRIM_DPT };

static void d4_input(const rfloat *x, d4in *in) {
  in->mant = x->mant;
  in->exp = x->exp;
  in->mbit = x->mbit;
  in->unequal = x->unequal;
}

/*
** NumPy's dragon4_positional(x, precision, min_digits, unique=True,
** fractional=True, trim, sign, pad_left, pad_right) for a finite x;
** -1 means "not given". Appends to 'b'.
*/
static void fmt_positional(rbuf *b, const rfloat *x, int precision,
                           int min_digits, int trim, int sign_plus,
                           int pad_left, int pad_right) {
  char dig[D4CAP];
  rbuf t = {0};
  d4in in;
  int pexp, nd, nwhole, nfrac = 0, has_sign = 0, desired;
  d4_input(x, &in);
  if (x->neg) { rb_addc(&t, '-'); has_sign = 1; }
  else if (sign_plus) { rb_addc(&t, '+'); has_sign = 1; }
  nd = dragon4(&in, CUT_FRACTION, precision, min_digits, dig, D4CAP, &pexp);
  if (pexp >= 0) {
    nwhole = pexp + 1;
    if (nd <= nwhole) {
      rb_add(&t, dig, (size_t)nd);
      while (nd < nwhole) { rb_addc(&t, '0'); nd++; }
    }
    else {
      rb_add(&t, dig, (size_t)nwhole);
      rb_addc(&t, '.');
      rb_add(&t, dig + nwhole, (size_t)(nd - nwhole));
      nfrac = nd - nwhole;
    }
  }
  else {
    int zeros = -(pexp + 1), i;
    nwhole = 1;
    rb_adds(&t, "0.");
    for (i = 0; i < zeros; i++) rb_addc(&t, '0');
    rb_add(&t, dig, (size_t)nd);
    nfrac = nd + zeros;
  }
  if (trim != TRIM_DPT && nfrac == 0) rb_addc(&t, '.');
  desired = min_digits < 0 ? 0 : min_digits;
  if (trim == TRIM_ONEZERO) {
    if (nfrac == 0) { rb_addc(&t, '0'); nfrac++; }
  }
  else if (trim == TRIM_NONE && desired > nfrac) {
    while (nfrac < desired) { rb_addc(&t, '0'); nfrac++; }
  }
  if (precision >= 0 && trim != TRIM_NONE && nfrac > 0 && !t.oom) {
    while (t.p[t.len - 1] == '0') { t.len--; nfrac--; }
    if (t.p[t.len - 1] == '.') {
      if (trim == TRIM_ONEZERO) { rb_addc(&t, '0'); nfrac++; }
      else if (trim == TRIM_DPT) t.len--;
    }
    if (!t.oom) t.p[t.len] = '\0';
  }
  if (pad_right >= nfrac) {
    if (trim == TRIM_DPT && nfrac == 0) rb_addc(&t, ' ');
    rb_spaces(&t, pad_right - nfrac);
  }
  if (pad_left > nwhole + has_sign) rb_spaces(b, pad_left - nwhole - has_sign);
  if (t.oom) b->oom = 1;
  else rb_add(b, t.p, t.len);
  free(t.p);
}

/*
** NumPy's dragon4_scientific(x, precision, min_digits, unique=True, trim,
** sign, pad_left, exp_digits) for a finite x; -1 means "not given".
*/
static void fmt_scientific(rbuf *b, const rfloat *x, int precision,
                           int min_digits, int trim, int sign_plus,
                           int pad_left, int exp_digits) {
  char dig[D4CAP], ebuf[16];
  rbuf t = {0};
  d4in in;
  int pexp, nd, nfrac, add, has_sign, k, i, ed[5];
  d4_input(x, &in);
  has_sign = x->neg || sign_plus;
  if (pad_left > 1 + has_sign) rb_spaces(&t, pad_left - 1 - has_sign);
  if (x->neg) rb_addc(&t, '-');
  else if (sign_plus) rb_addc(&t, '+');
  nd = dragon4(&in, CUT_TOTAL, precision < 0 ? -1 : precision + 1,
               min_digits < 0 ? -1 : min_digits + 1, dig, D4CAP, &pexp);
  rb_add(&t, dig, 1);
  nfrac = nd - 1;
  if (nfrac > 0) {
    rb_addc(&t, '.');
    rb_add(&t, dig + 1, (size_t)nfrac);
  }
  if (trim != TRIM_DPT && nfrac == 0) rb_addc(&t, '.');
  add = min_digits < 0 ? 0 : min_digits;
  if (trim == TRIM_ONEZERO) {
    if (nfrac == 0) { rb_addc(&t, '0'); nfrac++; }
  }
  else if (trim == TRIM_NONE) {
    while (nfrac < add) { rb_addc(&t, '0'); nfrac++; }
  }
  if (precision >= 0 && trim != TRIM_NONE && nfrac > 0 && !t.oom) {
    while (t.p[t.len - 1] == '0') { t.len--; nfrac--; }
    t.p[t.len] = '\0';
    if (trim == TRIM_ONEZERO && t.p[t.len - 1] == '.') {
      rb_addc(&t, '0');
      nfrac++;
    }
  }
  if (exp_digits > 5) exp_digits = 5;
  if (exp_digits < 0) exp_digits = 2;
  k = 0;
  ebuf[k++] = 'e';
  ebuf[k++] = pexp >= 0 ? '+' : '-';
  if (pexp < 0) pexp = -pexp;
  for (i = 0; i < 5; i++) { ed[i] = pexp % 10; pexp /= 10; }
  for (i = 5; i > exp_digits && ed[i - 1] == 0; i--) ;
  for (; i > 0; i--) ebuf[k++] = (char)('0' + ed[i - 1]);
  rb_add(&t, ebuf, (size_t)k);
  if (t.oom) b->oom = 1;
  else rb_add(b, t.p, t.len);
  free(t.p);
}

/* }====================================================== */

/* {======================================================
** NumPy's FloatingFormat ('maxprec', sign '-' or '+')
** ======================================================= */

typedef struct ffmt {
  int sign_plus;     /* the imaginary part of a complex prints its sign */
  int exp_format;
  int precision;
  int min_digits;
  int trim;
  int pad_left, pad_right;
  int exp_size;
} ffmt;

/* max/min computed in the element's own precision (NumPy's division of
** two scalars of the type), then compared with 1000 as a double. */
static int ratio_over_1000(int fk, long double mx, long double mn) {
  switch (fk) {
    case FK_HALF: {
      double r = (double)mx / (double)mn;   /* exact enough: 53 >= 2*11+2 */
      int e;
      double q;
      if (r >= 65520.0) return 1;           /* rounds to inf */
      frexp(r, &e);                         /* r = f * 2^e, f in [0.5,1) */
      q = e - 1 < -14 ? ldexp(1.0, -24) : ldexp(1.0, e - 1 - 10);
      r = nearbyint(r / q) * q;             /* round to half, ties even */
      return r > 1000.0;
    }
    case FK_SINGLE: {
      volatile float r = (float)mx / (float)mn;
      return (double)r > 1000.0;
    }
    case FK_DOUBLE: {
      volatile double r = (double)mx / (double)mn;
      return r > 1000.0;
    }
    default:
      return mx / mn > 1000.0L;
  }
}

/* Splits a formatted float into the lengths NumPy measures: characters
** before '.', between '.' and 'e' (or the end), and after 'e'. */
static void float_parts(const char *s, size_t n, int *ilen, int *flen,
                        int *elen) {
  size_t dot = 0, e = n, i;
  for (i = 0; i < n; i++) {
    if (s[i] == '.' && dot == 0) dot = i;
    if (s[i] == 'e') { e = i; break; }
  }
  *ilen = (int)dot;
  *flen = (int)(e - dot - 1);
  *elen = e < n ? (int)(n - e - 1) : 0;
}

/*
** FloatingFormat.fillFormat: chooses positional or scientific notation
** and the common paddings from the values 'xs' (all elements shown).
*/
static void ffmt_fill(ffmt *f, const rfloat *xs, int64_t n,
                      const npio_printopts *o, int sign_plus) {
  rbuf t = {0};
  int64_t i, nfinite = 0;
  int any_nonzero = 0, neginf = 0, fk = n > 0 ? xs[0].fk : FK_DOUBLE;
  long double mx = 0, mn = 0;
  f->sign_plus = sign_plus;
  f->exp_format = 0;
  f->precision = o->precision;
  for (i = 0; i < n; i++) {
    const rfloat *x = &xs[i];
    if (!x->finite) {
      if (!x->nan && x->neg) neginf = 1;
      continue;
    }
    nfinite++;
    if (x->mant != 0) {            /* exact, even where long double is emulated */
      long double a = fabsl(x->v);
      if (!any_nonzero || a > mx) mx = a;
      if (!any_nonzero || a < mn) mn = a;
      any_nonzero = 1;
    }
  }
  if (any_nonzero) {
    if (mx >= (long double)1.e8 ||
        (!o->suppress && (mn < (long double)0.0001 ||
                          ratio_over_1000(fk, mx, mn))))
      f->exp_format = 1;
  }
  if (nfinite == 0) {
    f->pad_left = 0;
    f->pad_right = 0;
    f->trim = TRIM_ZEROS;
    f->exp_size = -1;
    f->min_digits = -1;
  }
  else if (f->exp_format) {
    int maxi = 0, maxf = 0, maxe = 0;
    for (i = 0; i < n; i++) {
      int il, fl, el;
      if (!xs[i].finite) continue;
      rb_reset(&t);
      fmt_scientific(&t, &xs[i], f->precision, -1, TRIM_ZEROS, sign_plus,
                     -1, -1);
      if (t.oom) break;
      float_parts(t.p, t.len, &il, &fl, &el);
      if (il > maxi) maxi = il;
      if (fl > maxf) maxf = fl;
      if (el > maxe) maxe = el;
    }
    f->exp_size = maxe - 1;
    f->trim = TRIM_NONE;
    f->precision = maxf;
    f->min_digits = maxf;
    f->pad_left = maxi;
    f->pad_right = f->exp_size + 2 + f->precision;
  }
  else {
    int maxi = 0, maxf = 0;
    for (i = 0; i < n; i++) {
      int il, fl, el;
      if (!xs[i].finite) continue;
      rb_reset(&t);
      fmt_positional(&t, &xs[i], f->precision, -1, TRIM_ZEROS, sign_plus,
                     -1, -1);
      if (t.oom) break;
      float_parts(t.p, t.len, &il, &fl, &el);
      if (il > maxi) maxi = il;
      if (fl > maxf) maxf = fl;
    }
    f->pad_left = maxi;
    f->pad_right = maxf;
    f->exp_size = -1;
    f->trim = TRIM_ZEROS;
    f->min_digits = 0;
  }
  if (nfinite != n) {
    int ng = sign_plus || neginf;
    int off = f->pad_right + 1;
    if (3 - off > f->pad_left) f->pad_left = 3 - off;
    if (3 + ng - off > f->pad_left) f->pad_left = 3 + ng - off;
  }
  free(t.p);
}

/* FloatingFormat.__call__. */
static void ffmt_word(const ffmt *f, const rfloat *x, rbuf *b) {
  if (!x->finite) {
    const char *s;
    if (x->nan) s = f->sign_plus ? "+nan" : "nan";
    else if (x->neg) s = "-inf";
    else s = f->sign_plus ? "+inf" : "inf";
    rb_spaces(b, (int64_t)f->pad_left + f->pad_right + 1 - (int64_t)strlen(s));
    rb_adds(b, s);
    return;
  }
  if (f->exp_format)
    fmt_scientific(b, x, f->precision, f->min_digits, f->trim, f->sign_plus,
                   f->pad_left, f->exp_size);
  else
    fmt_positional(b, x, f->precision, f->min_digits, f->trim, f->sign_plus,
                   f->pad_left, f->pad_right);
}

/*
** str() of a float scalar (numpy's scalartypes.c): positional for 0 and
** 1e-4 <= |x| < 1e16, scientific otherwise; 'trim_pos'/'trim_sci' as
** the caller (float or complex) asks.
*/
static void float_scalar_str(rbuf *b, const rfloat *x, int trim_pos,
                             int trim_sci, int sign_plus) {
  long double a;
  if (!x->finite) {
    if (x->nan) rb_adds(b, "nan");
    else rb_adds(b, x->neg ? "-inf" : (sign_plus ? "+inf" : "inf"));
    return;
  }
  a = fabsl(x->v);
  if (x->mant == 0 || ((long double)1.e-4 <= a && a < (long double)1.e16))
    fmt_positional(b, x, -1, -1, trim_pos, sign_plus, -1, -1);
  else
    fmt_scientific(b, x, -1, -1, trim_sci, sign_plus, -1, -1);
}

/* }====================================================== */

/* {======================================================
** Python's repr of str and bytes
** ======================================================= */

/* Generated by tests/interop/repr_unitab.py from Python 3.11.2's Unicode 14.0.0
** database: code point ranges str.isprintable() rejects. */
static const uint32_t unprintable[][2] = {
  {0x0, 0x1F}, {0x7F, 0xA0}, {0xAD, 0xAD}, {0x378, 0x379}, {0x380, 0x383},
  {0x38B, 0x38B}, {0x38D, 0x38D}, {0x3A2, 0x3A2}, {0x530, 0x530},
  {0x557, 0x558}, {0x58B, 0x58C}, {0x590, 0x590}, {0x5C8, 0x5CF},
  {0x5EB, 0x5EE}, {0x5F5, 0x605}, {0x61C, 0x61C}, {0x6DD, 0x6DD},
  {0x70E, 0x70F}, {0x74B, 0x74C}, {0x7B2, 0x7BF}, {0x7FB, 0x7FC},
  {0x82E, 0x82F}, {0x83F, 0x83F}, {0x85C, 0x85D}, {0x85F, 0x85F},
  {0x86B, 0x86F}, {0x88F, 0x897}, {0x8E2, 0x8E2}, {0x984, 0x984},
  {0x98D, 0x98E}, {0x991, 0x992}, {0x9A9, 0x9A9}, {0x9B1, 0x9B1},
  {0x9B3, 0x9B5}, {0x9BA, 0x9BB}, {0x9C5, 0x9C6}, {0x9C9, 0x9CA},
  {0x9CF, 0x9D6}, {0x9D8, 0x9DB}, {0x9DE, 0x9DE}, {0x9E4, 0x9E5},
  {0x9FF, 0xA00}, {0xA04, 0xA04}, {0xA0B, 0xA0E}, {0xA11, 0xA12},
  {0xA29, 0xA29}, {0xA31, 0xA31}, {0xA34, 0xA34}, {0xA37, 0xA37},
  {0xA3A, 0xA3B}, {0xA3D, 0xA3D}, {0xA43, 0xA46}, {0xA49, 0xA4A},
  {0xA4E, 0xA50}, {0xA52, 0xA58}, {0xA5D, 0xA5D}, {0xA5F, 0xA65},
  {0xA77, 0xA80}, {0xA84, 0xA84}, {0xA8E, 0xA8E}, {0xA92, 0xA92},
  {0xAA9, 0xAA9}, {0xAB1, 0xAB1}, {0xAB4, 0xAB4}, {0xABA, 0xABB},
  {0xAC6, 0xAC6}, {0xACA, 0xACA}, {0xACE, 0xACF}, {0xAD1, 0xADF},
  {0xAE4, 0xAE5}, {0xAF2, 0xAF8}, {0xB00, 0xB00}, {0xB04, 0xB04},
  {0xB0D, 0xB0E}, {0xB11, 0xB12}, {0xB29, 0xB29}, {0xB31, 0xB31},
  {0xB34, 0xB34}, {0xB3A, 0xB3B}, {0xB45, 0xB46}, {0xB49, 0xB4A},
  {0xB4E, 0xB54}, {0xB58, 0xB5B}, {0xB5E, 0xB5E}, {0xB64, 0xB65},
  {0xB78, 0xB81}, {0xB84, 0xB84}, {0xB8B, 0xB8D}, {0xB91, 0xB91},
  {0xB96, 0xB98}, {0xB9B, 0xB9B}, {0xB9D, 0xB9D}, {0xBA0, 0xBA2},
  {0xBA5, 0xBA7}, {0xBAB, 0xBAD}, {0xBBA, 0xBBD}, {0xBC3, 0xBC5},
  {0xBC9, 0xBC9}, {0xBCE, 0xBCF}, {0xBD1, 0xBD6}, {0xBD8, 0xBE5},
  {0xBFB, 0xBFF}, {0xC0D, 0xC0D}, {0xC11, 0xC11}, {0xC29, 0xC29},
  {0xC3A, 0xC3B}, {0xC45, 0xC45}, {0xC49, 0xC49}, {0xC4E, 0xC54},
  {0xC57, 0xC57}, {0xC5B, 0xC5C}, {0xC5E, 0xC5F}, {0xC64, 0xC65},
  {0xC70, 0xC76}, {0xC8D, 0xC8D}, {0xC91, 0xC91}, {0xCA9, 0xCA9},
  {0xCB4, 0xCB4}, {0xCBA, 0xCBB}, {0xCC5, 0xCC5}, {0xCC9, 0xCC9},
  {0xCCE, 0xCD4}, {0xCD7, 0xCDC}, {0xCDF, 0xCDF}, {0xCE4, 0xCE5},
  {0xCF0, 0xCF0}, {0xCF3, 0xCFF}, {0xD0D, 0xD0D}, {0xD11, 0xD11},
  {0xD45, 0xD45}, {0xD49, 0xD49}, {0xD50, 0xD53}, {0xD64, 0xD65},
  {0xD80, 0xD80}, {0xD84, 0xD84}, {0xD97, 0xD99}, {0xDB2, 0xDB2},
  {0xDBC, 0xDBC}, {0xDBE, 0xDBF}, {0xDC7, 0xDC9}, {0xDCB, 0xDCE},
  {0xDD5, 0xDD5}, {0xDD7, 0xDD7}, {0xDE0, 0xDE5}, {0xDF0, 0xDF1},
  {0xDF5, 0xE00}, {0xE3B, 0xE3E}, {0xE5C, 0xE80}, {0xE83, 0xE83},
  {0xE85, 0xE85}, {0xE8B, 0xE8B}, {0xEA4, 0xEA4}, {0xEA6, 0xEA6},
  {0xEBE, 0xEBF}, {0xEC5, 0xEC5}, {0xEC7, 0xEC7}, {0xECE, 0xECF},
  {0xEDA, 0xEDB}, {0xEE0, 0xEFF}, {0xF48, 0xF48}, {0xF6D, 0xF70},
  {0xF98, 0xF98}, {0xFBD, 0xFBD}, {0xFCD, 0xFCD}, {0xFDB, 0xFFF},
  {0x10C6, 0x10C6}, {0x10C8, 0x10CC}, {0x10CE, 0x10CF}, {0x1249, 0x1249},
  {0x124E, 0x124F}, {0x1257, 0x1257}, {0x1259, 0x1259}, {0x125E, 0x125F},
  {0x1289, 0x1289}, {0x128E, 0x128F}, {0x12B1, 0x12B1}, {0x12B6, 0x12B7},
  {0x12BF, 0x12BF}, {0x12C1, 0x12C1}, {0x12C6, 0x12C7}, {0x12D7, 0x12D7},
  {0x1311, 0x1311}, {0x1316, 0x1317}, {0x135B, 0x135C}, {0x137D, 0x137F},
  {0x139A, 0x139F}, {0x13F6, 0x13F7}, {0x13FE, 0x13FF}, {0x1680, 0x1680},
  {0x169D, 0x169F}, {0x16F9, 0x16FF}, {0x1716, 0x171E}, {0x1737, 0x173F},
  {0x1754, 0x175F}, {0x176D, 0x176D}, {0x1771, 0x1771}, {0x1774, 0x177F},
  {0x17DE, 0x17DF}, {0x17EA, 0x17EF}, {0x17FA, 0x17FF}, {0x180E, 0x180E},
  {0x181A, 0x181F}, {0x1879, 0x187F}, {0x18AB, 0x18AF}, {0x18F6, 0x18FF},
  {0x191F, 0x191F}, {0x192C, 0x192F}, {0x193C, 0x193F}, {0x1941, 0x1943},
  {0x196E, 0x196F}, {0x1975, 0x197F}, {0x19AC, 0x19AF}, {0x19CA, 0x19CF},
  {0x19DB, 0x19DD}, {0x1A1C, 0x1A1D}, {0x1A5F, 0x1A5F}, {0x1A7D, 0x1A7E},
  {0x1A8A, 0x1A8F}, {0x1A9A, 0x1A9F}, {0x1AAE, 0x1AAF}, {0x1ACF, 0x1AFF},
  {0x1B4D, 0x1B4F}, {0x1B7F, 0x1B7F}, {0x1BF4, 0x1BFB}, {0x1C38, 0x1C3A},
  {0x1C4A, 0x1C4C}, {0x1C89, 0x1C8F}, {0x1CBB, 0x1CBC}, {0x1CC8, 0x1CCF},
  {0x1CFB, 0x1CFF}, {0x1F16, 0x1F17}, {0x1F1E, 0x1F1F}, {0x1F46, 0x1F47},
  {0x1F4E, 0x1F4F}, {0x1F58, 0x1F58}, {0x1F5A, 0x1F5A}, {0x1F5C, 0x1F5C},
  {0x1F5E, 0x1F5E}, {0x1F7E, 0x1F7F}, {0x1FB5, 0x1FB5}, {0x1FC5, 0x1FC5},
  {0x1FD4, 0x1FD5}, {0x1FDC, 0x1FDC}, {0x1FF0, 0x1FF1}, {0x1FF5, 0x1FF5},
  {0x1FFF, 0x200F}, {0x2028, 0x202F}, {0x205F, 0x206F}, {0x2072, 0x2073},
  {0x208F, 0x208F}, {0x209D, 0x209F}, {0x20C1, 0x20CF}, {0x20F1, 0x20FF},
  {0x218C, 0x218F}, {0x2427, 0x243F}, {0x244B, 0x245F}, {0x2B74, 0x2B75},
  {0x2B96, 0x2B96}, {0x2CF4, 0x2CF8}, {0x2D26, 0x2D26}, {0x2D28, 0x2D2C},
  {0x2D2E, 0x2D2F}, {0x2D68, 0x2D6E}, {0x2D71, 0x2D7E}, {0x2D97, 0x2D9F},
  {0x2DA7, 0x2DA7}, {0x2DAF, 0x2DAF}, {0x2DB7, 0x2DB7}, {0x2DBF, 0x2DBF},
  {0x2DC7, 0x2DC7}, {0x2DCF, 0x2DCF}, {0x2DD7, 0x2DD7}, {0x2DDF, 0x2DDF},
  {0x2E5E, 0x2E7F}, {0x2E9A, 0x2E9A}, {0x2EF4, 0x2EFF}, {0x2FD6, 0x2FEF},
  {0x2FFC, 0x3000}, {0x3040, 0x3040}, {0x3097, 0x3098}, {0x3100, 0x3104},
  {0x3130, 0x3130}, {0x318F, 0x318F}, {0x31E4, 0x31EF}, {0x321F, 0x321F},
  {0xA48D, 0xA48F}, {0xA4C7, 0xA4CF}, {0xA62C, 0xA63F}, {0xA6F8, 0xA6FF},
  {0xA7CB, 0xA7CF}, {0xA7D2, 0xA7D2}, {0xA7D4, 0xA7D4}, {0xA7DA, 0xA7F1},
  {0xA82D, 0xA82F}, {0xA83A, 0xA83F}, {0xA878, 0xA87F}, {0xA8C6, 0xA8CD},
  {0xA8DA, 0xA8DF}, {0xA954, 0xA95E}, {0xA97D, 0xA97F}, {0xA9CE, 0xA9CE},
  {0xA9DA, 0xA9DD}, {0xA9FF, 0xA9FF}, {0xAA37, 0xAA3F}, {0xAA4E, 0xAA4F},
  {0xAA5A, 0xAA5B}, {0xAAC3, 0xAADA}, {0xAAF7, 0xAB00}, {0xAB07, 0xAB08},
  {0xAB0F, 0xAB10}, {0xAB17, 0xAB1F}, {0xAB27, 0xAB27}, {0xAB2F, 0xAB2F},
  {0xAB6C, 0xAB6F}, {0xABEE, 0xABEF}, {0xABFA, 0xABFF}, {0xD7A4, 0xD7AF},
  {0xD7C7, 0xD7CA}, {0xD7FC, 0xF8FF}, {0xFA6E, 0xFA6F}, {0xFADA, 0xFAFF},
  {0xFB07, 0xFB12}, {0xFB18, 0xFB1C}, {0xFB37, 0xFB37}, {0xFB3D, 0xFB3D},
  {0xFB3F, 0xFB3F}, {0xFB42, 0xFB42}, {0xFB45, 0xFB45}, {0xFBC3, 0xFBD2},
  {0xFD90, 0xFD91}, {0xFDC8, 0xFDCE}, {0xFDD0, 0xFDEF}, {0xFE1A, 0xFE1F},
  {0xFE53, 0xFE53}, {0xFE67, 0xFE67}, {0xFE6C, 0xFE6F}, {0xFE75, 0xFE75},
  {0xFEFD, 0xFF00}, {0xFFBF, 0xFFC1}, {0xFFC8, 0xFFC9}, {0xFFD0, 0xFFD1},
  {0xFFD8, 0xFFD9}, {0xFFDD, 0xFFDF}, {0xFFE7, 0xFFE7}, {0xFFEF, 0xFFFB},
  {0xFFFE, 0xFFFF}, {0x1000C, 0x1000C}, {0x10027, 0x10027},
  {0x1003B, 0x1003B}, {0x1003E, 0x1003E}, {0x1004E, 0x1004F},
  {0x1005E, 0x1007F}, {0x100FB, 0x100FF}, {0x10103, 0x10106},
  {0x10134, 0x10136}, {0x1018F, 0x1018F}, {0x1019D, 0x1019F},
  {0x101A1, 0x101CF}, {0x101FE, 0x1027F}, {0x1029D, 0x1029F},
  {0x102D1, 0x102DF}, {0x102FC, 0x102FF}, {0x10324, 0x1032C},
  {0x1034B, 0x1034F}, {0x1037B, 0x1037F}, {0x1039E, 0x1039E},
  {0x103C4, 0x103C7}, {0x103D6, 0x103FF}, {0x1049E, 0x1049F},
  {0x104AA, 0x104AF}, {0x104D4, 0x104D7}, {0x104FC, 0x104FF},
  {0x10528, 0x1052F}, {0x10564, 0x1056E}, {0x1057B, 0x1057B},
  {0x1058B, 0x1058B}, {0x10593, 0x10593}, {0x10596, 0x10596},
  {0x105A2, 0x105A2}, {0x105B2, 0x105B2}, {0x105BA, 0x105BA},
  {0x105BD, 0x105FF}, {0x10737, 0x1073F}, {0x10756, 0x1075F},
  {0x10768, 0x1077F}, {0x10786, 0x10786}, {0x107B1, 0x107B1},
  {0x107BB, 0x107FF}, {0x10806, 0x10807}, {0x10809, 0x10809},
  {0x10836, 0x10836}, {0x10839, 0x1083B}, {0x1083D, 0x1083E},
  {0x10856, 0x10856}, {0x1089F, 0x108A6}, {0x108B0, 0x108DF},
  {0x108F3, 0x108F3}, {0x108F6, 0x108FA}, {0x1091C, 0x1091E},
  {0x1093A, 0x1093E}, {0x10940, 0x1097F}, {0x109B8, 0x109BB},
  {0x109D0, 0x109D1}, {0x10A04, 0x10A04}, {0x10A07, 0x10A0B},
  {0x10A14, 0x10A14}, {0x10A18, 0x10A18}, {0x10A36, 0x10A37},
  {0x10A3B, 0x10A3E}, {0x10A49, 0x10A4F}, {0x10A59, 0x10A5F},
  {0x10AA0, 0x10ABF}, {0x10AE7, 0x10AEA}, {0x10AF7, 0x10AFF},
  {0x10B36, 0x10B38}, {0x10B56, 0x10B57}, {0x10B73, 0x10B77},
  {0x10B92, 0x10B98}, {0x10B9D, 0x10BA8}, {0x10BB0, 0x10BFF},
  {0x10C49, 0x10C7F}, {0x10CB3, 0x10CBF}, {0x10CF3, 0x10CF9},
  {0x10D28, 0x10D2F}, {0x10D3A, 0x10E5F}, {0x10E7F, 0x10E7F},
  {0x10EAA, 0x10EAA}, {0x10EAE, 0x10EAF}, {0x10EB2, 0x10EFF},
  {0x10F28, 0x10F2F}, {0x10F5A, 0x10F6F}, {0x10F8A, 0x10FAF},
  {0x10FCC, 0x10FDF}, {0x10FF7, 0x10FFF}, {0x1104E, 0x11051},
  {0x11076, 0x1107E}, {0x110BD, 0x110BD}, {0x110C3, 0x110CF},
  {0x110E9, 0x110EF}, {0x110FA, 0x110FF}, {0x11135, 0x11135},
  {0x11148, 0x1114F}, {0x11177, 0x1117F}, {0x111E0, 0x111E0},
  {0x111F5, 0x111FF}, {0x11212, 0x11212}, {0x1123F, 0x1127F},
  {0x11287, 0x11287}, {0x11289, 0x11289}, {0x1128E, 0x1128E},
  {0x1129E, 0x1129E}, {0x112AA, 0x112AF}, {0x112EB, 0x112EF},
  {0x112FA, 0x112FF}, {0x11304, 0x11304}, {0x1130D, 0x1130E},
  {0x11311, 0x11312}, {0x11329, 0x11329}, {0x11331, 0x11331},
  {0x11334, 0x11334}, {0x1133A, 0x1133A}, {0x11345, 0x11346},
  {0x11349, 0x1134A}, {0x1134E, 0x1134F}, {0x11351, 0x11356},
  {0x11358, 0x1135C}, {0x11364, 0x11365}, {0x1136D, 0x1136F},
  {0x11375, 0x113FF}, {0x1145C, 0x1145C}, {0x11462, 0x1147F},
  {0x114C8, 0x114CF}, {0x114DA, 0x1157F}, {0x115B6, 0x115B7},
  {0x115DE, 0x115FF}, {0x11645, 0x1164F}, {0x1165A, 0x1165F},
  {0x1166D, 0x1167F}, {0x116BA, 0x116BF}, {0x116CA, 0x116FF},
  {0x1171B, 0x1171C}, {0x1172C, 0x1172F}, {0x11747, 0x117FF},
  {0x1183C, 0x1189F}, {0x118F3, 0x118FE}, {0x11907, 0x11908},
  {0x1190A, 0x1190B}, {0x11914, 0x11914}, {0x11917, 0x11917},
  {0x11936, 0x11936}, {0x11939, 0x1193A}, {0x11947, 0x1194F},
  {0x1195A, 0x1199F}, {0x119A8, 0x119A9}, {0x119D8, 0x119D9},
  {0x119E5, 0x119FF}, {0x11A48, 0x11A4F}, {0x11AA3, 0x11AAF},
  {0x11AF9, 0x11BFF}, {0x11C09, 0x11C09}, {0x11C37, 0x11C37},
  {0x11C46, 0x11C4F}, {0x11C6D, 0x11C6F}, {0x11C90, 0x11C91},
  {0x11CA8, 0x11CA8}, {0x11CB7, 0x11CFF}, {0x11D07, 0x11D07},
  {0x11D0A, 0x11D0A}, {0x11D37, 0x11D39}, {0x11D3B, 0x11D3B},
  {0x11D3E, 0x11D3E}, {0x11D48, 0x11D4F}, {0x11D5A, 0x11D5F},
  {0x11D66, 0x11D66}, {0x11D69, 0x11D69}, {0x11D8F, 0x11D8F},
  {0x11D92, 0x11D92}, {0x11D99, 0x11D9F}, {0x11DAA, 0x11EDF},
  {0x11EF9, 0x11FAF}, {0x11FB1, 0x11FBF}, {0x11FF2, 0x11FFE},
  {0x1239A, 0x123FF}, {0x1246F, 0x1246F}, {0x12475, 0x1247F},
  {0x12544, 0x12F8F}, {0x12FF3, 0x12FFF}, {0x1342F, 0x143FF},
  {0x14647, 0x167FF}, {0x16A39, 0x16A3F}, {0x16A5F, 0x16A5F},
  {0x16A6A, 0x16A6D}, {0x16ABF, 0x16ABF}, {0x16ACA, 0x16ACF},
  {0x16AEE, 0x16AEF}, {0x16AF6, 0x16AFF}, {0x16B46, 0x16B4F},
  {0x16B5A, 0x16B5A}, {0x16B62, 0x16B62}, {0x16B78, 0x16B7C},
  {0x16B90, 0x16E3F}, {0x16E9B, 0x16EFF}, {0x16F4B, 0x16F4E},
  {0x16F88, 0x16F8E}, {0x16FA0, 0x16FDF}, {0x16FE5, 0x16FEF},
  {0x16FF2, 0x16FFF}, {0x187F8, 0x187FF}, {0x18CD6, 0x18CFF},
  {0x18D09, 0x1AFEF}, {0x1AFF4, 0x1AFF4}, {0x1AFFC, 0x1AFFC},
  {0x1AFFF, 0x1AFFF}, {0x1B123, 0x1B14F}, {0x1B153, 0x1B163},
  {0x1B168, 0x1B16F}, {0x1B2FC, 0x1BBFF}, {0x1BC6B, 0x1BC6F},
  {0x1BC7D, 0x1BC7F}, {0x1BC89, 0x1BC8F}, {0x1BC9A, 0x1BC9B},
  {0x1BCA0, 0x1CEFF}, {0x1CF2E, 0x1CF2F}, {0x1CF47, 0x1CF4F},
  {0x1CFC4, 0x1CFFF}, {0x1D0F6, 0x1D0FF}, {0x1D127, 0x1D128},
  {0x1D173, 0x1D17A}, {0x1D1EB, 0x1D1FF}, {0x1D246, 0x1D2DF},
  {0x1D2F4, 0x1D2FF}, {0x1D357, 0x1D35F}, {0x1D379, 0x1D3FF},
  {0x1D455, 0x1D455}, {0x1D49D, 0x1D49D}, {0x1D4A0, 0x1D4A1},
  {0x1D4A3, 0x1D4A4}, {0x1D4A7, 0x1D4A8}, {0x1D4AD, 0x1D4AD},
  {0x1D4BA, 0x1D4BA}, {0x1D4BC, 0x1D4BC}, {0x1D4C4, 0x1D4C4},
  {0x1D506, 0x1D506}, {0x1D50B, 0x1D50C}, {0x1D515, 0x1D515},
  {0x1D51D, 0x1D51D}, {0x1D53A, 0x1D53A}, {0x1D53F, 0x1D53F},
  {0x1D545, 0x1D545}, {0x1D547, 0x1D549}, {0x1D551, 0x1D551},
  {0x1D6A6, 0x1D6A7}, {0x1D7CC, 0x1D7CD}, {0x1DA8C, 0x1DA9A},
  {0x1DAA0, 0x1DAA0}, {0x1DAB0, 0x1DEFF}, {0x1DF1F, 0x1DFFF},
  {0x1E007, 0x1E007}, {0x1E019, 0x1E01A}, {0x1E022, 0x1E022},
  {0x1E025, 0x1E025}, {0x1E02B, 0x1E0FF}, {0x1E12D, 0x1E12F},
  {0x1E13E, 0x1E13F}, {0x1E14A, 0x1E14D}, {0x1E150, 0x1E28F},
  {0x1E2AF, 0x1E2BF}, {0x1E2FA, 0x1E2FE}, {0x1E300, 0x1E7DF},
  {0x1E7E7, 0x1E7E7}, {0x1E7EC, 0x1E7EC}, {0x1E7EF, 0x1E7EF},
  {0x1E7FF, 0x1E7FF}, {0x1E8C5, 0x1E8C6}, {0x1E8D7, 0x1E8FF},
  {0x1E94C, 0x1E94F}, {0x1E95A, 0x1E95D}, {0x1E960, 0x1EC70},
  {0x1ECB5, 0x1ED00}, {0x1ED3E, 0x1EDFF}, {0x1EE04, 0x1EE04},
  {0x1EE20, 0x1EE20}, {0x1EE23, 0x1EE23}, {0x1EE25, 0x1EE26},
  {0x1EE28, 0x1EE28}, {0x1EE33, 0x1EE33}, {0x1EE38, 0x1EE38},
  {0x1EE3A, 0x1EE3A}, {0x1EE3C, 0x1EE41}, {0x1EE43, 0x1EE46},
  {0x1EE48, 0x1EE48}, {0x1EE4A, 0x1EE4A}, {0x1EE4C, 0x1EE4C},
  {0x1EE50, 0x1EE50}, {0x1EE53, 0x1EE53}, {0x1EE55, 0x1EE56},
  {0x1EE58, 0x1EE58}, {0x1EE5A, 0x1EE5A}, {0x1EE5C, 0x1EE5C},
  {0x1EE5E, 0x1EE5E}, {0x1EE60, 0x1EE60}, {0x1EE63, 0x1EE63},
  {0x1EE65, 0x1EE66}, {0x1EE6B, 0x1EE6B}, {0x1EE73, 0x1EE73},
  {0x1EE78, 0x1EE78}, {0x1EE7D, 0x1EE7D}, {0x1EE7F, 0x1EE7F},
  {0x1EE8A, 0x1EE8A}, {0x1EE9C, 0x1EEA0}, {0x1EEA4, 0x1EEA4},
  {0x1EEAA, 0x1EEAA}, {0x1EEBC, 0x1EEEF}, {0x1EEF2, 0x1EFFF},
  {0x1F02C, 0x1F02F}, {0x1F094, 0x1F09F}, {0x1F0AF, 0x1F0B0},
  {0x1F0C0, 0x1F0C0}, {0x1F0D0, 0x1F0D0}, {0x1F0F6, 0x1F0FF},
  {0x1F1AE, 0x1F1E5}, {0x1F203, 0x1F20F}, {0x1F23C, 0x1F23F},
  {0x1F249, 0x1F24F}, {0x1F252, 0x1F25F}, {0x1F266, 0x1F2FF},
  {0x1F6D8, 0x1F6DC}, {0x1F6ED, 0x1F6EF}, {0x1F6FD, 0x1F6FF},
  {0x1F774, 0x1F77F}, {0x1F7D9, 0x1F7DF}, {0x1F7EC, 0x1F7EF},
  {0x1F7F1, 0x1F7FF}, {0x1F80C, 0x1F80F}, {0x1F848, 0x1F84F},
  {0x1F85A, 0x1F85F}, {0x1F888, 0x1F88F}, {0x1F8AE, 0x1F8AF},
  {0x1F8B2, 0x1F8FF}, {0x1FA54, 0x1FA5F}, {0x1FA6E, 0x1FA6F},
  {0x1FA75, 0x1FA77}, {0x1FA7D, 0x1FA7F}, {0x1FA87, 0x1FA8F},
  {0x1FAAD, 0x1FAAF}, {0x1FABB, 0x1FABF}, {0x1FAC6, 0x1FACF},
  {0x1FADA, 0x1FADF}, {0x1FAE8, 0x1FAEF}, {0x1FAF7, 0x1FAFF},
  {0x1FB93, 0x1FB93}, {0x1FBCB, 0x1FBEF}, {0x1FBFA, 0x1FFFF},
  {0x2A6E0, 0x2A6FF}, {0x2B739, 0x2B73F}, {0x2B81E, 0x2B81F},
  {0x2CEA2, 0x2CEAF}, {0x2EBE1, 0x2F7FF}, {0x2FA1E, 0x2FFFF},
  {0x3134B, 0xE00FF}, {0xE01F0, 0x10FFFF},
};

#define n_unprintable (sizeof unprintable / sizeof unprintable[0])

/* Python's str.isprintable() for one code point. */
static int uni_printable(uint32_t c) {
  size_t lo = 0, hi = n_unprintable;
  if (c < 0x7F) return c >= 0x20;
  if (c > 0x10FFFF) return 0;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (c < unprintable[mid][0]) hi = mid;
    else if (c > unprintable[mid][1]) lo = mid + 1;
    else return 0;
  }
  return 1;
}

/* Python picks '"' only when the text has ' and no ". */
static char py_quote(int has_sq, int has_dq) {
  return (has_sq && !has_dq) ? '"' : '\'';
}

/* repr() of a Python str of n code points. */
static void py_repr_str(rbuf *b, const uint32_t *cp, size_t n) {
  size_t i;
  int sq = 0, dq = 0;
  char q, t[16];
  for (i = 0; i < n; i++) {
    if (cp[i] == '\'') sq = 1;
    else if (cp[i] == '"') dq = 1;
  }
  q = py_quote(sq, dq);
  rb_addc(b, q);
  for (i = 0; i < n; i++) {
    uint32_t c = cp[i];
    if (c == (uint32_t)q || c == '\\') { rb_addc(b, '\\'); rb_addc(b, (char)c); }
    else if (c == '\t') rb_adds(b, "\\t");
    else if (c == '\n') rb_adds(b, "\\n");
    else if (c == '\r') rb_adds(b, "\\r");
    else if (c < 0x20 || c == 0x7F) {
      snprintf(t, sizeof t, "\\x%02x", (unsigned)c);
      rb_adds(b, t);
    }
    else if (c < 0x7F) rb_addc(b, (char)c);
    else if (uni_printable(c)) rb_utf8(b, c);
    else {
      if (c <= 0xFF) snprintf(t, sizeof t, "\\x%02x", (unsigned)c);
      else if (c <= 0xFFFF) snprintf(t, sizeof t, "\\u%04x", (unsigned)c);
      else snprintf(t, sizeof t, "\\U%08x", (unsigned)c);
      rb_adds(b, t);
    }
  }
  rb_addc(b, q);
}

/* repr() of a Python bytes object. */
static void py_repr_bytes(rbuf *b, const unsigned char *s, size_t n) {
  size_t i;
  int sq = 0, dq = 0;
  char q, t[8];
  for (i = 0; i < n; i++) {
    if (s[i] == '\'') sq = 1;
    else if (s[i] == '"') dq = 1;
  }
  q = py_quote(sq, dq);
  rb_addc(b, 'b');
  rb_addc(b, q);
  for (i = 0; i < n; i++) {
    unsigned c = s[i];
    if (c == (unsigned char)q || c == '\\') { rb_addc(b, '\\'); rb_addc(b, (char)c); }
    else if (c == '\t') rb_adds(b, "\\t");
    else if (c == '\n') rb_adds(b, "\\n");
    else if (c == '\r') rb_adds(b, "\\r");
    else if (c < 0x20 || c >= 0x7F) {
      snprintf(t, sizeof t, "\\x%02x", c);
      rb_adds(b, t);
    }
    else rb_addc(b, (char)c);
  }
  rb_addc(b, q);
}

/* Length of an S element without its trailing NULs. */
static size_t bytes_len(const char *p, int64_t size) {
  size_t n = (size_t)size;
  while (n > 0 && p[n - 1] == '\0') n--;
  return n;
}

/* Decodes a U element into 'cp' (room for size/4), trailing NULs cut. */
static size_t uni_decode(const char *p, int64_t size, int swap,
                         uint32_t *cp) {
  size_t n = (size_t)(size / 4), i;
  for (i = 0; i < n; i++) cp[i] = (uint32_t)rd_uint(p + 4 * i, 4, swap);
  while (n > 0 && cp[n - 1] == 0) n--;
  return n;
}

/* str() of an unstructured void scalar: b'\xAB\x00' (every byte). */
static void void_str(rbuf *b, const char *p, int64_t size) {
  static const char hex[] = "0123456789ABCDEF";
  int64_t i;
  rb_adds(b, "b'");
  for (i = 0; i < size; i++) {
    char t[4];
    unsigned c = (unsigned char)p[i];
    t[0] = '\\'; t[1] = 'x'; t[2] = hex[c >> 4]; t[3] = hex[c & 15];
    rb_add(b, t, 4);
  }
  rb_addc(b, '\'');
}

/* }====================================================== */

/* {======================================================
** datetime64 and timedelta64
** ======================================================= */

enum { DU_Y, DU_M, DU_W, DU_D, DU_h, DU_m, DU_s, DU_ms, DU_us, DU_ns,
       DU_ps, DU_fs, DU_as, DU_GENERIC };

static const char *const du_names[] = {"Y", "M", "W", "D", "h", "m", "s",
  "ms", "us", "ns", "ps", "fs", "as"};
static const char *const du_words[] = {"years", "months", "weeks", "days",
  "hours", "minutes", "seconds", "milliseconds", "microseconds",
  "nanoseconds", "picoseconds", "femtoseconds", "attoseconds"};

#define NAT INT64_MIN

/* Parses a dtype's unit text ("s", "25ms", "" for generic). */
static int du_parse(const char *u, int *unit, int64_t *mult) {
  int i;
  int64_t m = 0;
  if (u[0] == '\0') { *unit = DU_GENERIC; *mult = 1; return 1; }
  while (*u >= '0' && *u <= '9') {
    if (m > INT64_MAX / 10) return 0;
    m = m * 10 + (*u++ - '0');
  }
  for (i = 0; i < DU_GENERIC; i++) {
    if (strcmp(u, du_names[i]) == 0) {
      *unit = i;
      *mult = m ? m : 1;
      return 1;
    }
  }
  return 0;
}

/* floor(a / b) and the remainder in [0, b), b > 0, with no overflow. */
static int64_t floordiv(int64_t a, int64_t b, int64_t *rem) {
  int64_t q = a / b, r = a % b;
  if (r < 0) { r += b; q -= 1; }
  *rem = r;
  return q;
}

/* Wrapping int64 arithmetic: NumPy's C code overflows silently for the
** most extreme values, and its text shows it. */
static int64_t wadd(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a + (uint64_t)b);
}
static int64_t wmul(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a * (uint64_t)b);
}

/*
** Year, month and day of 'days' counted from 1970-01-01, computed the way
** NumPy's set_datetimestruct_days does (400/100/4-year cycles from 2000),
** including its wrap-around at the ends of the int64 range.
*/
static void civil(int64_t days, int64_t *y, int *mo, int *d) {
  static const int mlen[2][12] = {
    {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31},
    {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}};
  const int64_t p400 = 400 * 365 + 100 - 4 + 1;
  int64_t year, dd = wadd(days, -(365 * 30 + 7));   /* from 2000-01-01 */
  int leap, i;
  if (dd >= 0) {
    year = 400 * (dd / p400);
    dd %= p400;
  }
  else {
    year = wmul(400, wadd(dd, -(p400 - 1)) / p400);
    dd %= p400;
    if (dd < 0) dd += p400;
  }
  if (dd >= 366) {
    year += 100 * ((dd - 1) / (100 * 365 + 25 - 1));
    dd = (dd - 1) % (100 * 365 + 25 - 1);
    if (dd >= 365) {
      year += 4 * ((dd + 1) / (4 * 365 + 1));
      dd = (dd + 1) % (4 * 365 + 1);
      if (dd >= 366) {
        year += (dd - 1) / 365;
        dd = (dd - 1) % 365;
      }
    }
  }
  year = wadd(year, 2000);
  leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
  *y = year;
  *mo = 12;
  *d = 31;
  for (i = 0; i < 12; i++) {
    if (dd < mlen[leap][i]) {
      *mo = i + 1;
      *d = (int)dd + 1;
      return;
    }
    dd -= mlen[leap][i];
  }
}

/*
** NumPy's datetime_as_string for a non-NaT value 't' (already times the
** unit's multiplier) printed at the precision of unit 'u'.
*/
static void datetime_text(rbuf *b, int64_t t, int u) {
  static const int fdig[] = {3, 6, 9, 12, 15, 18};
  int64_t days = 0, year, secs = 0, frac = 0, r;
  int mo = 1, d = 1, hh = 0, mm = 0, ss = 0;
  char s[96];
  int n;
  switch (u) {
    case DU_Y: year = wadd(t, 1970); break;
    case DU_M: {
      int64_t q = floordiv(t, 12, &r);
      year = wadd(q, 1970);
      mo = (int)r + 1;
      break;
    }
    default: {
      if (u == DU_W) days = wmul(t, 7);
      else if (u == DU_D) days = t;
      else if (u <= DU_s) {
        static const int64_t perday[] = {24, 1440, 86400};
        days = floordiv(t, perday[u - DU_h], &r);
        secs = u == DU_h ? r * 3600 : u == DU_m ? r * 60 : r;
      }
      else {
        int64_t per = 1;
        int k;
        for (k = 0; k < fdig[u - DU_ms]; k++) per *= 10;
        secs = floordiv(t, per, &frac);
        days = floordiv(secs, 86400, &r);
        secs = r;
      }
      civil(days, &year, &mo, &d);
      hh = (int)(secs / 3600);
      mm = (int)(secs / 60 % 60);
      ss = (int)(secs % 60);
      break;
    }
  }
  n = snprintf(s, sizeof s, "%04lld", (long long)year);
  if (u >= DU_M) n += snprintf(s + n, sizeof s - (size_t)n, "-%02d", mo);
  if (u >= DU_W) n += snprintf(s + n, sizeof s - (size_t)n, "-%02d", d);
  if (u >= DU_h) n += snprintf(s + n, sizeof s - (size_t)n, "T%02d", hh);
  if (u >= DU_m) n += snprintf(s + n, sizeof s - (size_t)n, ":%02d", mm);
  if (u >= DU_s) n += snprintf(s + n, sizeof s - (size_t)n, ":%02d", ss);
  if (u >= DU_ms)
    n += snprintf(s + n, sizeof s - (size_t)n, ".%0*lld", fdig[u - DU_ms],
                  (long long)frac);
  rb_add(b, s, (size_t)n);
}


/* }====================================================== */

/* {======================================================
** Element formatters (NumPy's *Format classes)
** ======================================================= */

enum { FM_BOOL, FM_INT, FM_UINT, FM_FLOAT, FM_COMPLEX, FM_BYTES,
       FM_UNICODE, FM_VOID, FM_DATETIME, FM_TIMEDELTA, FM_STRUCT };

typedef struct fmt fmt;

struct fmt {
  int kind;
  const npio_dtype *dt;
  int size;            /* itemsize (of one float for complex) */
  int swap, fk;
  int zero_d;          /* BoolFormat of 0-d data prints "True" unpadded */
  int64_t width;       /* IntegerFormat / _TimelikeFormat width */
  int unit;
  int64_t mult;
  ffmt re, im;
  int nfields;
  fmt *fields;         /* structured: one per field */
  int *sub_ndim;       /* structured: subarray shape of each field */
  const int64_t **sub_shape;
  int64_t *base_size;
};

static void fmt_free(fmt *f) {
  int i;
  if (f->fields) {
    for (i = 0; i < f->nfields; i++) fmt_free(&f->fields[i]);
    free(f->fields);
  }
  free(f->sub_ndim);
  free((void *)f->sub_shape);
  free(f->base_size);
  memset(f, 0, sizeof *f);
}

/* Chars of an int64/uint64 in decimal. */
static int64_t declen_i(int64_t v) {
  char t[32];
  return snprintf(t, sizeof t, "%lld", (long long)v);
}
static int64_t declen_u(uint64_t v) {
  char t[32];
  return snprintf(t, sizeof t, "%llu", (unsigned long long)v);
}

/* Length of a datetime's "'text'" for the width computation. */
static int64_t dt_len(int64_t t, const fmt *f) {
  rbuf w = {0};
  int64_t n;
  datetime_text(&w, wmul(t, f->mult), f->unit);
  n = (int64_t)w.len + 2;
  free(w.p);
  return n;
}

static int fmt_init(fmt *f, const npio_dtype *d, const char **el, int64_t n,
                    int zero_d, const npio_printopts *o, npio_err *e);

/* A nameless field is padding a .npy descr spelled out ('', '|V4'):
** NumPy's dtype has no such field, so it is not printed. */
static int is_padding(const npio_field *fl) {
  return fl->name == NULL || fl->name[0] == '\0';
}

/*
** Structured formatter: one formatter per field, built from that field
** of every shown element (all subarray items included), as NumPy's
** StructuredVoidFormat.from_data does.
*/
static int fmt_init_struct(fmt *f, const npio_dtype *d, const char **el,
                           int64_t n, int zero_d, const npio_printopts *o,
                           npio_err *e) {
  int i, st = NPIO_OK;
  f->nfields = d->nfields;
  f->fields = (fmt *)calloc((size_t)d->nfields + 1, sizeof(fmt));
  f->sub_ndim = (int *)calloc((size_t)d->nfields + 1, sizeof(int));
  f->sub_shape = (const int64_t **)calloc((size_t)d->nfields + 1,
                                          sizeof(int64_t *));
  f->base_size = (int64_t *)calloc((size_t)d->nfields + 1, sizeof(int64_t));
  if (!f->fields || !f->sub_ndim || !f->sub_shape || !f->base_size)
    return npio_seterr(e, NPIO_ENOMEM, "repr: out of memory");
  for (i = 0; i < d->nfields && st == NPIO_OK; i++) {
    const npio_field *fl = &d->fields[i];
    const npio_dtype *t = fl->type;
    int64_t cnt = 1, total, j, k;
    const char **sub;
    if (is_padding(fl)) continue;
    if (t->base != NULL) {
      int a;
      if (t->base->base != NULL)
        return npio_seterr(e, NPIO_ETYPE, "repr: nested subarray dtype");
      for (a = 0; a < t->sub_ndim; a++) {
        if (npio_mul_overflow(cnt, t->sub_shape[a], &cnt))
          return npio_seterr(e, NPIO_EVALUE, "repr: subarray too large");
      }
      f->sub_ndim[i] = t->sub_ndim;
      f->sub_shape[i] = t->sub_shape;
      t = t->base;
    }
    f->base_size[i] = t->itemsize;
    if (npio_mul_overflow(n, cnt, &total) ||
        (uint64_t)total > SIZE_MAX / sizeof(char *))
      return npio_seterr(e, NPIO_ENOMEM, "repr: too many elements");
    sub = (const char **)malloc((size_t)(total ? total : 1) * sizeof(char *));
    if (sub == NULL) return npio_seterr(e, NPIO_ENOMEM, "repr: out of memory");
    for (j = 0; j < n; j++)
      for (k = 0; k < cnt; k++)
        sub[j * cnt + k] = el[j] + fl->offset + k * t->itemsize;
    st = fmt_init(&f->fields[i], t, sub, total,
                  zero_d && f->sub_ndim[i] == 0, o, e);
    free(sub);
  }
  return st;
}

/*
** Builds the formatter of dtype 'd' from the n elements at el[] (the
** shown part of the array), as NumPy's _get_format_function does.
*/
static int fmt_init(fmt *f, const npio_dtype *d, const char **el, int64_t n,
                    int zero_d, const npio_printopts *o, npio_err *e) {
  int64_t i;
  memset(f, 0, sizeof *f);
  f->dt = d;
  f->zero_d = zero_d;
  f->swap = need_swap(d);
  if (d->itemsize > INT32_MAX)
    return npio_seterr(e, NPIO_ETYPE, "repr: itemsize too large");
  f->size = (int)d->itemsize;
  if (d->nfields > 0) {
    f->kind = FM_STRUCT;
    return fmt_init_struct(f, d, el, n, zero_d, o, e);
  }
  if (d->base != NULL)
    return npio_seterr(e, NPIO_ETYPE, "repr: subarray dtype at top level");
  switch (d->kind) {
    case 'b':
      if (d->itemsize != 1) break;
      f->kind = FM_BOOL;
      return NPIO_OK;
    case 'i': case 'u': {
      if (d->itemsize != 1 && d->itemsize != 2 && d->itemsize != 4 &&
          d->itemsize != 8)
        break;
      f->kind = d->kind == 'i' ? FM_INT : FM_UINT;
      if (n > 0) {
        if (f->kind == FM_INT) {
          int64_t mx = INT64_MIN, mn = INT64_MAX;
          for (i = 0; i < n; i++) {
            int64_t v = rd_int(el[i], f->size, f->swap);
            if (v > mx) mx = v;
            if (v < mn) mn = v;
          }
          f->width = declen_i(mx) > declen_i(mn) ? declen_i(mx) : declen_i(mn);
        }
        else {
          uint64_t mx = 0, mn = UINT64_MAX;
          for (i = 0; i < n; i++) {
            uint64_t v = rd_uint(el[i], f->size, f->swap);
            if (v > mx) mx = v;
            if (v < mn) mn = v;
          }
          f->width = declen_u(mx) > declen_u(mn) ? declen_u(mx) : declen_u(mn);
        }
      }
      return NPIO_OK;
    }
    case 'f': case 'c': {
      int half = d->kind == 'c';
      int64_t fsz = half ? d->itemsize / 2 : d->itemsize;
      rfloat *xs;
      if (half && d->itemsize % 2) break;
      f->fk = float_kind(fsz);
      if (f->fk < 0) break;
      f->size = (int)fsz;
      f->kind = half ? FM_COMPLEX : FM_FLOAT;
      if ((uint64_t)n > SIZE_MAX / sizeof(rfloat) - 1)
        return npio_seterr(e, NPIO_ENOMEM, "repr: too many elements");
      xs = (rfloat *)calloc((size_t)n + 1, sizeof(rfloat));
      if (xs == NULL) return npio_seterr(e, NPIO_ENOMEM, "repr: out of memory");
      for (i = 0; i < n; i++)
        rd_float(el[i], f->fk, f->size, f->swap, &xs[i]);
      ffmt_fill(&f->re, xs, n, o, 0);
      if (half) {
        for (i = 0; i < n; i++)
          rd_float(el[i] + fsz, f->fk, f->size, f->swap, &xs[i]);
        ffmt_fill(&f->im, xs, n, o, 1);
      }
      free(xs);
      return NPIO_OK;
    }
    case 'S':
      f->kind = FM_BYTES;
      return NPIO_OK;
    case 'U':
      if (d->itemsize % 4) break;
      f->kind = FM_UNICODE;
      return NPIO_OK;
    case 'V':
      f->kind = FM_VOID;
      return NPIO_OK;
    case 'M': case 'm': {
      int64_t mx = INT64_MIN, mn = INT64_MAX, cnt = 0, nat = 0;
      if (d->itemsize != 8 || !du_parse(d->unit, &f->unit, &f->mult)) break;
      f->kind = d->kind == 'M' ? FM_DATETIME : FM_TIMEDELTA;
      for (i = 0; i < n; i++) {
        int64_t v = rd_int(el[i], 8, f->swap);
        if (v == NAT) { nat = 1; continue; }
        if (v > mx) mx = v;
        if (v < mn) mn = v;
        cnt++;
      }
      if (cnt > 0) {
        int64_t a, b;
        if (f->kind == FM_TIMEDELTA) {
          a = declen_i(mx);
          b = declen_i(mn);
        }
        else {
          if (f->unit == DU_GENERIC)
            return npio_seterr(e, NPIO_EVALUE, "repr: Cannot create a NumPy "
                               "datetime other than NaT with generic units");
          a = dt_len(mx, f);
          b = dt_len(mn, f);
        }
        f->width = a > b ? a : b;
      }
      if (nat && f->width < 5) f->width = 5;
      return NPIO_OK;
    }
    default:
      break;
  }
  return npio_seterr(e, NPIO_ETYPE, "repr: cannot print dtype kind '%c' "
                     "itemsize %lld", d->kind, (long long)d->itemsize);
}

static void fmt_word(const fmt *f, const char *p, rbuf *b);

/* SubArrayFormat: "[a, b]" nested over the field's subarray shape. */
static void fmt_subarray(const fmt *f, const char *p, int ndim,
                         const int64_t *shape, int64_t bsize, rbuf *b) {
  int64_t i, inner = 1;
  int a;
  for (a = 1; a < ndim; a++) inner *= shape[a];
  rb_addc(b, '[');
  for (i = 0; i < shape[0]; i++) {
    if (i > 0) rb_adds(b, ", ");
    if (ndim <= 1) fmt_word(f, p + i * bsize, b);
    else fmt_subarray(f, p + i * inner * bsize, ndim - 1, shape + 1, bsize, b);
  }
  rb_addc(b, ']');
}

/* Appends the word for the element at p. */
static void fmt_word(const fmt *f, const char *p, rbuf *b) {
  switch (f->kind) {
    case FM_BOOL:
      rb_adds(b, *p ? (f->zero_d ? "True" : " True") : "False");
      break;
    case FM_INT: {
      int64_t v = rd_int(p, f->size, f->swap);
      rb_spaces(b, f->width - declen_i(v));
      rb_i64(b, v);
      break;
    }
    case FM_UINT: {
      uint64_t v = rd_uint(p, f->size, f->swap);
      rb_spaces(b, f->width - declen_u(v));
      rb_u64(b, v);
      break;
    }
    case FM_FLOAT: {
      rfloat x;
      rd_float(p, f->fk, f->size, f->swap, &x);
      ffmt_word(&f->re, &x, b);
      break;
    }
    case FM_COMPLEX: {
      rfloat x;
      size_t end, k, blanks;
      rd_float(p, f->fk, f->size, f->swap, &x);
      ffmt_word(&f->re, &x, b);
      rd_float(p + f->size, f->fk, f->size, f->swap, &x);
      end = b->len;
      ffmt_word(&f->im, &x, b);
      if (b->oom) break;
      /* the 'j' goes before the imaginary part's trailing blanks */
      k = b->len;
      while (k > end && b->p[k - 1] == ' ') k--;
      blanks = b->len - k;
      b->len = k;
      b->col -= (int64_t)blanks;
      rb_addc(b, 'j');
      rb_spaces(b, (int64_t)blanks);
      break;
    }
    case FM_BYTES:
      py_repr_bytes(b, (const unsigned char *)p, bytes_len(p, f->size));
      break;
    case FM_UNICODE: {
      uint32_t stackcp[64], *cp = stackcp;
      size_t n;
      if (f->size / 4 > 64) {
        cp = (uint32_t *)malloc((size_t)(f->size / 4) * sizeof(uint32_t));
        if (cp == NULL) { b->oom = 1; break; }
      }
      n = uni_decode(p, f->size, f->swap, cp);
      py_repr_str(b, cp, n);
      if (cp != stackcp) free(cp);
      break;
    }
    case FM_VOID:
      void_str(b, p, f->size);
      break;
    case FM_DATETIME: case FM_TIMEDELTA: {
      int64_t v = rd_int(p, 8, f->swap);
      rbuf w = {0};
      if (v == NAT) rb_adds(&w, "'NaT'");
      else if (f->kind == FM_TIMEDELTA) rb_i64(&w, v);
      else {
        rb_addc(&w, '\'');
        datetime_text(&w, wmul(v, f->mult), f->unit);
        rb_addc(&w, '\'');
      }
      if (w.oom) { b->oom = 1; free(w.p); break; }
      rb_spaces(b, f->width - (int64_t)w.len);
      rb_add(b, w.p, w.len);
      free(w.p);
      break;
    }
    case FM_STRUCT: {
      int i, shown = 0;
      rb_addc(b, '(');
      for (i = 0; i < f->nfields; i++) {
        const char *q = p + f->dt->fields[i].offset;
        if (is_padding(&f->dt->fields[i])) continue;
        if (shown++ > 0) rb_adds(b, ", ");
        if (f->sub_ndim[i] > 0)
          fmt_subarray(&f->fields[i], q, f->sub_ndim[i], f->sub_shape[i],
                       f->base_size[i], b);
        else
          fmt_word(&f->fields[i], q, b);
      }
      if (shown == 1) rb_addc(b, ',');
      rb_addc(b, ')');
      break;
    }
    default:
      break;
  }
}

/* }====================================================== */

/* {======================================================
** Scalar str() (0-d arrays print as str(a[()]))
** ======================================================= */

/*
** str() of the one element of a 0-d array, as NumPy's scalar types
** print it (floats unaffected by the print options, strings unquoted).
*/
static int scalar_str(const npio_dtype *d, const char *p,
                      const npio_printopts *o, rbuf *b, npio_err *e) {
  int swap = need_swap(d);
  if (d->nfields > 0 || d->kind == 'V' || d->kind == 'b' || d->kind == 'i' ||
      d->kind == 'u' || d->kind == 'S') {
    fmt f;
    int st = fmt_init(&f, d, &p, 1, 1, o, e);
    if (st == NPIO_OK) fmt_word(&f, p, b);
    fmt_free(&f);
    return st;
  }
  switch (d->kind) {
    case 'f': {
      rfloat x;
      int fk = float_kind(d->itemsize);
      if (fk < 0) break;
      rd_float(p, fk, (int)d->itemsize, swap, &x);
      float_scalar_str(b, &x, TRIM_ONEZERO, TRIM_DPT, 0);
      return NPIO_OK;
    }
    case 'c': {
      rfloat re, im;
      int fk = float_kind(d->itemsize / 2), sz = (int)(d->itemsize / 2);
      if (fk < 0 || d->itemsize % 2) break;
      rd_float(p, fk, sz, swap, &re);
      rd_float(p + sz, fk, sz, swap, &im);
      if (re.finite && re.v == 0 && !re.neg) {
        float_scalar_str(b, &im, TRIM_DPT, TRIM_DPT, 0);
        rb_addc(b, 'j');
        return NPIO_OK;
      }
      rb_addc(b, '(');
      if (re.finite) float_scalar_str(b, &re, TRIM_DPT, TRIM_DPT, 0);
      else rb_adds(b, re.nan ? "nan" : re.neg ? "-inf" : "inf");
      if (im.finite) float_scalar_str(b, &im, TRIM_DPT, TRIM_DPT, 1);
      else rb_adds(b, im.nan ? "+nan" : im.neg ? "-inf" : "+inf");
      rb_adds(b, "j)");
      return NPIO_OK;
    }
    case 'U': {
      uint32_t *cp;
      size_t n, i;
      if (d->itemsize % 4) break;
      cp = (uint32_t *)malloc((size_t)(d->itemsize / 4 + 1) * sizeof(uint32_t));
      if (cp == NULL) return npio_seterr(e, NPIO_ENOMEM, "repr: out of memory");
      n = uni_decode(p, d->itemsize, swap, cp);
      for (i = 0; i < n; i++) rb_utf8(b, cp[i]);
      free(cp);
      return NPIO_OK;
    }
    case 'M': case 'm': {
      int unit;
      int64_t mult, v;
      if (d->itemsize != 8 || !du_parse(d->unit, &unit, &mult)) break;
      v = rd_int(p, 8, swap);
      if (v == NAT) rb_adds(b, "NaT");
      else if (d->kind == 'm') {
        rb_i64(b, wmul(v, mult));
        rb_addc(b, ' ');
        rb_adds(b, unit == DU_GENERIC ? "generic time units" : du_words[unit]);
      }
      else if (unit == DU_GENERIC)
        return npio_seterr(e, NPIO_EVALUE, "repr: Cannot create a NumPy "
                           "datetime other than NaT with generic units");
      else datetime_text(b, wmul(v, mult), unit);
      return NPIO_OK;
    }
    default:
      break;
  }
  return npio_seterr(e, NPIO_ETYPE, "repr: cannot print dtype kind '%c' "
                     "itemsize %lld", d->kind, (long long)d->itemsize);
}

/* }====================================================== */

/* {======================================================
** dtype=... in repr
** ======================================================= */

/* NumPy's dtype_is_implied: the repr leaves out dtype= for these. */
static int dtype_implied(const npio_dtype *d) {
  if (d->nfields > 0 || d->base != NULL) return 0;
  return (d->kind == 'b' && d->itemsize == 1) ||
         (d->kind == 'i' && d->itemsize == 8) ||
         (d->kind == 'f' && d->itemsize == 8) ||
         (d->kind == 'c' && d->itemsize == 16);
}

/* NumPy's dtype_short_repr. */
static int dtype_short(const npio_dtype *d, rbuf *b, npio_err *e) {
  char t[96];
  if (d->nfields > 0) {
    int64_t n = npio_dtype_str(d, t, sizeof t);
    if (n >= 0) { rb_add(b, t, (size_t)n); return NPIO_OK; }
    else {
      size_t cap = 1024;
      for (;;) {
        char *s = (char *)malloc(cap);
        if (s == NULL) return npio_seterr(e, NPIO_ENOMEM, "repr: out of memory");
        n = npio_dtype_str(d, s, cap);
        if (n >= 0) { rb_add(b, s, (size_t)n); free(s); return NPIO_OK; }
        free(s);
        if (cap > ((size_t)1 << 28))
          return npio_seterr(e, NPIO_EVALUE, "repr: dtype text too long");
        cap *= 4;
      }
    }
  }
  switch (d->kind) {
    case 'S':
      snprintf(t, sizeof t, "'|S%lld'", (long long)d->itemsize);
      break;
    case 'V':
      snprintf(t, sizeof t, "'|V%lld'", (long long)d->itemsize);
      break;
    case 'U':
      snprintf(t, sizeof t, "'%cU%lld'",
               d->order == '>' || d->order == '<' ? d->order : npio_native_order(),
               (long long)(d->itemsize / 4));
      break;
    case 'b': snprintf(t, sizeof t, "bool"); break;
    case 'i': snprintf(t, sizeof t, "int%lld", (long long)d->itemsize * 8); break;
    case 'u': snprintf(t, sizeof t, "uint%lld", (long long)d->itemsize * 8); break;
    case 'f': snprintf(t, sizeof t, "float%lld", (long long)d->itemsize * 8); break;
    case 'c': snprintf(t, sizeof t, "complex%lld", (long long)d->itemsize * 8); break;
    case 'M': case 'm': {
      const char *nm = d->kind == 'M' ? "datetime64" : "timedelta64";
      if (d->unit[0]) snprintf(t, sizeof t, "'%s[%s]'", nm, d->unit);
      else snprintf(t, sizeof t, "%s", nm);
      break;
    }
    default:
      return npio_seterr(e, NPIO_ETYPE, "repr: cannot print dtype kind '%c'",
                         d->kind);
  }
  rb_adds(b, t);
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Array layout (NumPy's _formatArray)
** ======================================================= */

typedef struct rctx {
  const npio_array *a;
  const fmt *f;
  rbuf *out;
  rbuf word;
  const char *sep;          /* ", " (repr) or " " (str) */
  int summary;              /* more elements than the threshold */
  int64_t edge;
} rctx;

/* _extendLine: wraps before 'word' when it would pass 'width'. */
static void extend_line(rctx *c, const char *w, size_t wn, int64_t width,
                        int64_t hang) {
  rbuf *o = c->out;
  int64_t wl = u8len(w, wn);
  if (o->col + wl > width && o->col > hang) {
    rb_rstrip(o);
    rb_addc(o, '\n');
    rb_spaces(o, hang);
  }
  rb_add(o, w, wn);
}

/* Formats the element at p and adds it to the current line. */
static void add_elem(rctx *c, const char *p, int64_t width, int64_t hang) {
  rb_reset(&c->word);
  fmt_word(c->f, p, &c->word);
  if (c->word.oom) { c->out->oom = 1; return; }
  extend_line(c, c->word.p, c->word.len, width, hang);
}

/*
** The recursion of _formatArray for axis 'ax' of the sub-array starting
** at p: 'hang' is the hanging indent, 'width' the usable line width.
*/
static void layout(rctx *c, int ax, const char *p, int64_t hang,
                   int64_t width) {
  const npio_array *a = c->a;
  int left = a->ndim - ax;
  int64_t n = a->shape[ax], st = a->strides[ax];
  int show = c->summary && 2 * c->edge < n;
  int64_t lead = show ? c->edge : 0, trail = show ? c->edge : n, i;
  rb_addc(c->out, '[');
  if (left == 1) {
    int64_t ew = width - 1;   /* room for "," or "]" */
    size_t sl = strlen(c->sep);
    for (i = 0; i < lead; i++) {
      add_elem(c, p + i * st, ew, hang);
      rb_add(c->out, c->sep, sl);
    }
    if (show) {
      extend_line(c, "...", 3, ew, hang);
      rb_add(c->out, c->sep, sl);
    }
    for (i = trail; i > 1; i--) {
      add_elem(c, p + (n - i) * st, ew, hang);
      rb_add(c->out, c->sep, sl);
    }
    add_elem(c, p + (n - 1) * st, ew, hang);
  }
  else {
    int k, first = 1;
    const char *comma = c->sep[0] == ',' ? "," : "";
#define ROWSEP() do { rb_adds(c->out, comma); \
      for (k = 0; k < left - 1; k++) rb_addc(c->out, '\n'); } while (0)
#define ROWSTART() do { if (!first) rb_spaces(c->out, hang); first = 0; } while (0)
    for (i = 0; i < lead; i++) {
      ROWSTART();
      layout(c, ax + 1, p + i * st, hang + 1, width - 1);
      ROWSEP();
    }
    if (show) {
      ROWSTART();
      rb_adds(c->out, "...");
      ROWSEP();
    }
    for (i = trail; i > 1; i--) {
      ROWSTART();
      layout(c, ax + 1, p + (n - i) * st, hang + 1, width - 1);
      ROWSEP();
    }
    ROWSTART();
    layout(c, ax + 1, p + (n - 1) * st, hang + 1, width - 1);
#undef ROWSEP
#undef ROWSTART
  }
  rb_addc(c->out, ']');
}

/*
** Collects pointers to the elements NumPy's formatters look at: all of
** them, or with summarising the leading and trailing 'edge' items of
** every axis longer than 2*edge (edge 0 keeps a whole axis, as
** a[:0] + a[-0:] does in NumPy).
*/
static int gather(const npio_array *a, const char *base, int summary,
                  int64_t edge, const char ***out, int64_t *count,
                  npio_err *e) {
  int64_t sel[NPIO_MAXDIMS], idx[NPIO_MAXDIMS], total = 1, k;
  const char **v;
  int ax;
  for (ax = 0; ax < a->ndim; ax++) {
    int64_t n = a->shape[ax];
    sel[ax] = (summary && edge > 0 && n > 2 * edge) ? 2 * edge : n;
    if (npio_mul_overflow(total, sel[ax], &total))
      return npio_seterr(e, NPIO_EVALUE, "repr: array too large");
    idx[ax] = 0;
  }
  if ((uint64_t)total > SIZE_MAX / sizeof(char *) - 1)
    return npio_seterr(e, NPIO_ENOMEM, "repr: array too large");
  v = (const char **)malloc((size_t)(total + 1) * sizeof(char *));
  if (v == NULL) return npio_seterr(e, NPIO_ENOMEM, "repr: out of memory");
  for (k = 0; k < total; k++) {
    const char *p = base;
    for (ax = 0; ax < a->ndim; ax++) {
      int64_t i = idx[ax];
      if (sel[ax] != a->shape[ax] && i >= edge)
        i = a->shape[ax] - 2 * edge + i;
      p += i * a->strides[ax];
    }
    v[k] = p;
    for (ax = a->ndim - 1; ax >= 0; ax--) {
      if (++idx[ax] < sel[ax]) break;
      idx[ax] = 0;
    }
  }
  *out = v;
  *count = total;
  return NPIO_OK;
}

/* Checks that every element of 'a' lies inside its storage. */
static int check_bounds(const npio_array *a, int64_t size, npio_err *e) {
  int64_t lo = 0, hi = 0, end;
  int ax;
  if (a->storage == NULL || a->storage->data == NULL)
    return npio_seterr(e, NPIO_ECLOSED, "repr: the array's memory is closed");
  if (a->dtype == NULL)
    return npio_seterr(e, NPIO_EVALUE, "repr: array without dtype");
  if (size == 0) return NPIO_OK;
  for (ax = 0; ax < a->ndim; ax++) {
    int64_t ext;
    if (__builtin_mul_overflow(a->strides[ax], a->shape[ax] - 1, &ext))
      return npio_seterr(e, NPIO_EVALUE, "repr: bad strides");
    if (ext < 0) {
      if (__builtin_add_overflow(lo, ext, &lo))
        return npio_seterr(e, NPIO_EVALUE, "repr: bad strides");
    }
    else if (__builtin_add_overflow(hi, ext, &hi))
      return npio_seterr(e, NPIO_EVALUE, "repr: bad strides");
  }
  if (__builtin_add_overflow(a->offset, lo, &lo) || lo < 0 ||
      __builtin_add_overflow(a->offset, hi, &hi) ||
      __builtin_add_overflow(hi, a->dtype->itemsize, &end) ||
      (uint64_t)end > a->storage->nbytes)
    return npio_seterr(e, NPIO_EVALUE, "repr: array view outside its memory");
  return NPIO_OK;
}

/* array2string for a non-empty array: gathers, builds the formatter and
** lays the elements out. */
static int array2string(const npio_array *a, const char *base, int64_t size,
                        const npio_printopts *o, const char *sep,
                        int64_t linewidth, int64_t hang, rbuf *out,
                        npio_err *e) {
  rctx c;
  fmt f;
  const char **el = NULL;
  int64_t n = 0;
  int st;
  memset(&c, 0, sizeof c);
  c.summary = size > o->threshold;
  c.edge = o->edgeitems;
  st = gather(a, base, c.summary, c.edge, &el, &n, e);
  if (st != NPIO_OK) return st;
  st = fmt_init(&f, a->dtype, el, n, a->ndim == 0, o, e);
  free(el);
  if (st == NPIO_OK) {
    c.a = a;
    c.f = &f;
    c.out = out;
    c.sep = sep;
    if (a->ndim == 0) {
      fmt_word(&f, base, out);
    }
    else
      layout(&c, 0, base, hang, linewidth);
    if (c.word.oom) out->oom = 1;
  }
  free(c.word.p);
  fmt_free(&f);
  return st;
}

/* }====================================================== */

/* {======================================================
** Public API
** ======================================================= */

NPIO_API void npio_printopts_default(npio_printopts *o) {
  o->precision = 8;
  o->threshold = 1000;
  o->linewidth = 75;
  o->suppress = 0;
  o->edgeitems = 3;
}

/*
** NumPy's array_repr / array_str. The result is malloc'd; NULL with 'e'
** on error (bad options, unsupported dtype, closed memory, no memory).
*/
NPIO_API char *npio_array_repr(const npio_array *a, const npio_printopts *o,
                               int str_form, npio_err *e) {
  npio_printopts defo;
  rbuf out = {0};
  int64_t size = 1;
  const char *base;
  int ax, st = NPIO_OK;
  if (o == NULL) {
    npio_printopts_default(&defo);
    o = &defo;
  }
  if (a == NULL || a->ndim < 0 || a->ndim > NPIO_MAXDIMS) {
    npio_seterr(e, NPIO_EVALUE, "repr: bad array");
    return NULL;
  }
  if (o->precision < 0 || o->precision > NPIO_REPR_MAXPREC) {
    npio_seterr(e, NPIO_EVALUE, "repr: precision must be in 0..%d",
                NPIO_REPR_MAXPREC);
    return NULL;
  }
  if (o->edgeitems < 0) {
    npio_seterr(e, NPIO_EVALUE, "repr: edgeitems must be >= 0");
    return NULL;
  }
  for (ax = 0; ax < a->ndim; ax++) {
    if (a->shape[ax] < 0 || npio_mul_overflow(size, a->shape[ax], &size)) {
      npio_seterr(e, NPIO_EVALUE, "repr: bad shape");
      return NULL;
    }
  }
  if (check_bounds(a, size, e) != NPIO_OK) return NULL;
  base = (const char *)a->storage->data + a->offset;
  if (str_form) {
    if (a->ndim == 0)
      st = scalar_str(a->dtype, base, o, &out, e);
    else if (size == 0)
      rb_adds(&out, "[]");
    else
      st = array2string(a, base, size, o, " ", o->linewidth, 1, &out, e);
  }
  else {
    int skip = dtype_implied(a->dtype) && size > 0;
    rb_adds(&out, "array(");
    if (size > 0)
      st = array2string(a, base, size, o, ", ", (int64_t)o->linewidth - 1, 7,
                        &out, e);
    else if (a->ndim == 1)
      rb_adds(&out, "[]");
    else {
      rb_adds(&out, "[], shape=(");
      for (ax = 0; ax < a->ndim; ax++) {
        if (ax > 0) rb_adds(&out, ", ");
        rb_i64(&out, a->shape[ax]);
      }
      rb_adds(&out, a->ndim == 1 ? ",)" : ")");
    }
    if (st == NPIO_OK) {
      if (skip) rb_addc(&out, ')');
      else {
        rbuf dt = {0};
        rb_addc(&out, ',');
        rb_adds(&dt, "dtype=");
        st = dtype_short(a->dtype, &dt, e);
        rb_addc(&dt, ')');
        if (st == NPIO_OK && !dt.oom) {
          int64_t dl = u8len(dt.p, dt.len);
          if (out.col + dl + 1 > o->linewidth) {
            rb_addc(&out, '\n');
            rb_spaces(&out, 6);
          }
          else rb_addc(&out, ' ');
          rb_add(&out, dt.p, dt.len);
        }
        if (dt.oom) out.oom = 1;
        free(dt.p);
      }
    }
  }
  if (st == NPIO_OK && out.oom)
    st = npio_seterr(e, NPIO_ENOMEM, "repr: out of memory");
  if (st != NPIO_OK) {
    free(out.p);
    return NULL;
  }
  if (out.p == NULL) {    /* cannot happen: something is always written */
    out.p = (char *)malloc(1);
    if (out.p == NULL) {
      npio_seterr(e, NPIO_ENOMEM, "repr: out of memory");
      return NULL;
    }
    out.p[0] = '\0';
  }
  return out.p;
}

/* }====================================================== */

