/*
** txt_num.c -- correctly rounded number parsing and exact number
** formatting for the text readers and writer.
**
** Parsing: digits are gathered into a 64-bit integer w and a decimal
** exponent q; small cases are exact with one double multiply (Clinger),
** the rest go through the Eisel-Lemire method (w times a 128-bit
** truncated power of ten, with a proof of when the product decides the
** rounding), and the few undecided inputs (about one in 2^60 random
** ones, plus exact halfway cases) fall back to strtod_l in a "C" locale.
**
** Formatting: |v| * 10^k rounded to an integer (half to even, as glibc
** and Python do) is computed exactly with 128-bit integers when |k| <= 27,
** or from the same power-of-ten table with an error bound; undecided and
** long cases use an exact big-integer expansion of the double. Nothing
** here depends on the locale.
*/
#include "txt_num.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "txt_pow10.h"
#include "txt_pow10d.h"

typedef unsigned __int128 u128;

/* {======================================================
** Character classes
** ======================================================= */

const unsigned char txt_ws_table[256] = {
  ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
  [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [' '] = 1,
};

int txt_utf8_space(const char *s, const char *end) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = (size_t)(end - s);
  if (n >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0)) return 2;
  if (n < 3) return 0;
  if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) return 3;   /* U+1680 */
  if (p[0] == 0xE2 && p[1] == 0x80 &&
      (p[2] <= 0x8A || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
    return (p[2] >= 0x80) ? 3 : 0;                  /* U+2000-200A, ... */
  if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F) return 3;   /* U+205F */
  if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) return 3;   /* U+3000 */
  return 0;
}

/* Length of a UTF-8 white space character ending at 'e', or 0. */
static int utf8_space_before(const char *s, const char *e) {
  if (e - s >= 2 && txt_utf8_space(e - 2, e) == 2) return 2;
  if (e - s >= 3 && txt_utf8_space(e - 3, e) == 3) return 3;
  return 0;
}

void txt_strip(const char **ps, const char **pe) {
  const char *s = *ps, *e = *pe;
  int n;
  for (;;) {
    if (s < e && txt_isspace_ascii(*s)) s++;
    else if (s < e && (unsigned char)*s >= 0x80 &&
             (n = txt_utf8_space(s, e)) > 0) s += n;
    else break;
  }
  for (;;) {
    if (e > s && txt_isspace_ascii(e[-1])) e--;
    else if (e > s && (unsigned char)e[-1] >= 0x80 &&
             (n = utf8_space_before(s, e)) > 0) e -= n;
    else break;
  }
  *ps = s;
  *pe = e;
}

/* }====================================================== */

/* {======================================================
** The "C" locale for the slow paths
** ======================================================= */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* The "C" locale object, or (locale_t)0 if it could not be made. */
static locale_t get_c_locale(void) {
  pthread_once(&c_locale_once, make_c_locale);
  return c_locale;
}

/* }====================================================== */

/* {======================================================
** Decimal -> binary
** ======================================================= */


static double bits_to_double(uint64_t b) {
  double d;
  memcpy(&d, &b, sizeof d);
  return d;
}

static uint64_t double_to_bits(double d) {
  uint64_t b;
  memcpy(&b, &d, sizeof b);
  return b;
}

/*
** Eisel-Lemire: the double nearest to w * 10^q (w > 0), as bits, or -1
** when the truncated product cannot decide the rounding. U below is the
** top 128 bits of the 192-bit product W*T; the exact product lies in
** [U, U + 2) in those units, so only remainders next to one half are
** undecided.
*/
int txt_eisel_lemire(uint64_t w, int64_t q, uint64_t *bits) {
  int lz, sh, upper;
  int64_t e2;
  uint64_t W, thi, tlo, m, hi, lo, rh, halfh;
  u128 a, b, U;
  if (q < TXT_POW10_MIN) { *bits = 0; return 0; }
  if (q > 308) { *bits = 0x7FF0000000000000ull; return 0; }
  thi = txt_pow10_m[q - TXT_POW10_MIN][0];
  tlo = txt_pow10_m[q - TXT_POW10_MIN][1];
  lz = __builtin_clzll(w);
  W = w << lz;
  a = (u128)W * thi;
  b = (u128)W * tlo;
  U = a + (b >> 64);
  hi = (uint64_t)(U >> 64);
  lo = (uint64_t)U;
  upper = (int)(hi >> 63);
  sh = upper ? 11 : 10;                  /* keep 53 bits of hi */
  e2 = (int64_t)sh + 128 + txt_pow10_b[q - TXT_POW10_MIN] - lz;
  if (e2 < -1074) {                      /* subnormal: fewer mantissa bits */
    int64_t extra = -1074 - e2;
    if (sh + extra >= 63) {
      if (sh + extra >= 66) { *bits = 0; return 0; }  /* far below */
      return -1;
    }
    sh += (int)extra;
    e2 = -1074;
  }
  m = hi >> sh;
  rh = hi & ((1ull << sh) - 1);
  halfh = 1ull << (sh - 1);
  /* the exact product lies in [U, U + 2): undecided next to one half */
  if ((rh == halfh && lo == 0) || (rh == halfh - 1 && lo == UINT64_MAX))
    return -1;
  m += (uint64_t)(rh >= halfh);
  if (m == (1ull << 53)) { m >>= 1; e2++; }
  if (m < (1ull << 52)) {                /* subnormal (e2 == -1074) */
    *bits = m;
    return 0;
  }
  if (e2 + 1075 >= 2047) { *bits = 0x7FF0000000000000ull; return 0; }
  *bits = ((uint64_t)(e2 + 1075) << 52) | (m & ((1ull << 52) - 1));
  return 0;
}

/*
** The slow path: strtod_l on a clean copy (underscores dropped) of the
** validated number text [s, e).
*/
double txt_slow_strtod(const char *s, const char *e) {
  char small[128];
  char *buf = small, *o;
  size_t n = (size_t)(e - s);
  double d;
  locale_t loc = get_c_locale();
  if (n + 1 > sizeof small) {
    buf = (char *)malloc(n + 1);
    if (buf == NULL) return strtod("nan", NULL);  /* cannot happen often */
  }
  o = buf;
  for (; s < e; s++)
    if (*s != '_') *o++ = *s;
  *o = '\0';
  d = loc ? strtod_l(buf, NULL, loc) : strtod(buf, NULL);
  if (buf != small) free(buf);
  return d;
}

static int isdig(char c) { return (unsigned char)(c - '0') < 10; }

/* Matches 'word' (lower case) case-insensitively at p; returns length. */
static int match_ci(const char *p, const char *end, const char *word) {
  int i;
  for (i = 0; word[i]; i++) {
    if (p + i >= end) return 0;
    if ((p[i] | 0x20) != word[i]) return 0;
  }
  return i;
}

/* An underscore at p is allowed (flag set, digits on both sides). */
static int under_ok(const char *p, const char *start, const char *end,
                    int flags) {
  return (flags & TXT_F_UNDERSCORE) && p > start && isdig(p[-1]) &&
         p + 1 < end && isdig(p[1]);
}

/* The full scanner: underscores, more than 19 digits, inf and nan. */
const char *txt_scan_double_slow(const char *s, const char *end, int flags,
                                 double *out) {
  const char *p = s, *numstart;
  int neg = 0, any = 0, trunc = 0, nd = 0;
  uint64_t w = 0;
  int64_t q = 0, dropped = 0;
  if (p < end && (*p == '+' || *p == '-')) { neg = (*p == '-'); p++; }
  if (p >= end) return NULL;
  if (!isdig(*p) && *p != '.') {         /* inf, infinity, nan */
    int n;
    if ((n = match_ci(p, end, "infinity")) > 0 ||
        (n = match_ci(p, end, "inf")) > 0) {
      *out = neg ? -HUGE_VAL : HUGE_VAL;
      return p + n;
    }
    if ((n = match_ci(p, end, "nan")) > 0) {
      *out = neg ? -NAN : NAN;
      return p + n;
    }
    return NULL;
  }
  numstart = p;
  for (; p < end; p++) {                 /* integer part */
    char c = *p;
    if (isdig(c)) {
      any = 1;
      if (nd < 19) {
        if (w != 0 || c != '0') { w = w * 10 + (uint64_t)(c - '0'); nd++; }
      } else {
        dropped++;
        if (c != '0') trunc = 1;
      }
    } else if (c == '_' && under_ok(p, numstart, end, flags)) {
      continue;
    } else break;
  }
  if (p < end && *p == '.') {            /* fraction */
    const char *fs;
    p++;
    fs = p;
    for (; p < end; p++) {
      char c = *p;
      if (isdig(c)) {
        any = 1;
        if (nd < 19) {
          if (w != 0 || c != '0') { w = w * 10 + (uint64_t)(c - '0'); nd++; }
          q--;
        } else if (c != '0') trunc = 1;
      } else if (c == '_' && p > fs && under_ok(p, numstart, end, flags)) {
        continue;
      } else break;
    }
  }
  if (!any) return NULL;
  q += dropped;
  if (p < end && (*p == 'e' || *p == 'E')) {   /* exponent, if complete */
    const char *ep = p + 1, *ds;
    int eneg = 0;
    if (ep < end && (*ep == '+' || *ep == '-')) { eneg = (*ep == '-'); ep++; }
    if (ep < end && isdig(*ep)) {
      int64_t ev = 0;
      ds = ep;
      for (; ep < end; ep++) {
        if (isdig(*ep)) {
          if (ev < 100000000) ev = ev * 10 + (*ep - '0');
        } else if (*ep == '_' && under_ok(ep, ds, end, flags)) {
          continue;
        } else break;
      }
      q += eneg ? -ev : ev;
      p = ep;
    }
  }
  if (w == 0) {
    *out = neg ? -0.0 : 0.0;
    return p;
  }
  if (!trunc && w <= (1ull << 53) && q >= -22 && q <= 22) {
    double d = (double)w;
    d = (q < 0) ? d / txt_pow10_exact[-q] : d * txt_pow10_exact[q];
    *out = neg ? -d : d;
    return p;
  }
  {
    uint64_t b1, b2;
    if (txt_eisel_lemire(w, q, &b1) == 0 &&
        (!trunc || (txt_eisel_lemire(w + 1, q, &b2) == 0 && b1 == b2))) {
      double d = bits_to_double(b1);
      *out = neg ? -d : d;
      return p;
    }
  }
  *out = txt_slow_strtod(s, p);
  return p;
}

const char *txt_scan_double(const char *s, const char *end, int flags,
                            double *out) {
  return txt_scan_double_inl(s, end, flags, out);
}

int txt_parse_double(const char *s, const char *end, int flags,
                     double *out) {
  const char *p = txt_scan_double(s, end, flags, out);
  return (p != NULL && p == end) ? TXT_NUM_OK : TXT_NUM_BAD;
}

int txt_parse_float32(const char *s, const char *end, float *out) {
  double d;
  const char *p = txt_scan_double(s, end, 0, &d);
  char small[128];
  char *buf = small;
  size_t n;
  locale_t loc;
  if (p == NULL || p != end) return TXT_NUM_BAD;
  n = (size_t)(end - s);
  if (n + 1 > sizeof small && (buf = (char *)malloc(n + 1)) == NULL)
    return TXT_NUM_BAD;
  memcpy(buf, s, n);
  buf[n] = '\0';
  loc = get_c_locale();
  *out = loc ? strtof_l(buf, NULL, loc) : strtof(buf, NULL);
  if (buf != small) free(buf);
  return TXT_NUM_OK;
}

/* Digits of an integer: [s, end) all digits (underscores between digits
** if allowed); accumulates into *v with overflow detection. */
static int parse_digits(const char *s, const char *end, int flags,
                        uint64_t *v) {
  uint64_t x = 0;
  int over = 0;
  const char *p = s;
  if (p >= end || !isdig(*p)) return TXT_NUM_BAD;
  for (; p < end; p++) {
    if (isdig(*p)) {
      unsigned d = (unsigned)(*p - '0');
      if (x > (UINT64_MAX - d) / 10) over = 1;
      else x = x * 10 + d;
    } else if (*p == '_' && under_ok(p, s, end, flags)) {
      continue;
    } else return TXT_NUM_BAD;
  }
  *v = x;
  return over ? TXT_NUM_RANGE : TXT_NUM_OK;
}

int txt_parse_i64(const char *s, const char *end, int flags, int64_t *out) {
  int neg = 0, st;
  uint64_t v;
  if (s < end && (*s == '+' || *s == '-')) { neg = (*s == '-'); s++; }
  st = parse_digits(s, end, flags, &v);
  if (st != TXT_NUM_OK) return st;
  if (neg) {
    if (v > (uint64_t)INT64_MAX + 1) return TXT_NUM_RANGE;
    *out = (v == (uint64_t)INT64_MAX + 1) ? INT64_MIN : -(int64_t)v;
  } else {
    if (v > (uint64_t)INT64_MAX) return TXT_NUM_RANGE;
    *out = (int64_t)v;
  }
  return TXT_NUM_OK;
}

int txt_parse_u64(const char *s, const char *end, int flags, uint64_t *out) {
  if (s < end && *s == '-') return TXT_NUM_BAD;
  if (s < end && *s == '+') s++;
  return parse_digits(s, end, flags, out);
}

/* Skips Python white space forward from p. */
static const char *skip_ws(const char *p, const char *end) {
  int n;
  for (;;) {
    if (p < end && txt_isspace_ascii(*p)) p++;
    else if (p < end && (unsigned char)*p >= 0x80 &&
             (n = txt_utf8_space(p, end)) > 0) p += n;
    else return p;
  }
}

int txt_parse_complex(const char *s, const char *end, int flags, char unit,
                      int allow_parens, double *re, double *im) {
  const char *p = skip_ws(s, end), *q;
  int paren = 0;
  if (allow_parens && p < end && *p == '(') {
    paren = 1;
    p = skip_ws(p + 1, end);
  }
  q = txt_scan_double(p, end, flags, re);
  if (q == NULL) {
    /* "j" alone is not a number for NumPy; Python complex('j') is 1j,
    ** but neither reader accepts it, so reject. */
    return TXT_NUM_BAD;
  }
  p = q;
  if (p == end) {
    *im = 0.0;
    return paren ? TXT_NUM_BAD : TXT_NUM_OK;
  }
  if (*p == unit) {                     /* only an imaginary part */
    *im = *re;
    *re = 0.0;
    p++;
  } else if (*p == '+' || *p == '-') {  /* imaginary part follows */
    if (*p == '+') p++;
    q = txt_scan_double(p, end, flags, im);
    if (q == NULL || q >= end || *q != unit) return TXT_NUM_BAD;
    p = q + 1;
  } else {
    *im = 0.0;
  }
  if (paren) {
    p = skip_ws(p, end);
    if (p < end && *p == ')') p++;
    else return TXT_NUM_BAD;
  }
  p = skip_ws(p, end);
  return (p == end) ? TXT_NUM_OK : TXT_NUM_BAD;
}

/* }====================================================== */

/* {======================================================
** Exact decimal expansion (big integers of 32-bit limbs)
** ======================================================= */

#define BIG_LIMBS 96

typedef struct big {
  int n;                   /* limbs in use */
  uint32_t d[BIG_LIMBS];   /* little-endian */
} big;

static void big_set64(big *b, uint64_t v) {
  b->n = 0;
  while (v) { b->d[b->n++] = (uint32_t)v; v >>= 32; }
}

static void big_mulsmall(big *b, uint32_t f) {
  uint64_t carry = 0;
  int i;
  for (i = 0; i < b->n; i++) {
    uint64_t t = (uint64_t)b->d[i] * f + carry;
    b->d[i] = (uint32_t)t;
    carry = t >> 32;
  }
  if (carry) b->d[b->n++] = (uint32_t)carry;
}

static void big_shl(big *b, int sh) {
  int limbs = sh / 32, bitsh = sh % 32, i;
  if (b->n == 0) return;
  if (bitsh) {
    uint32_t carry = 0;
    for (i = 0; i < b->n; i++) {
      uint32_t v = b->d[i];
      b->d[i] = (v << bitsh) | carry;
      carry = v >> (32 - bitsh);
    }
    if (carry) b->d[b->n++] = carry;
  }
  if (limbs) {
    for (i = b->n - 1; i >= 0; i--) b->d[i + limbs] = b->d[i];
    for (i = 0; i < limbs; i++) b->d[i] = 0;
    b->n += limbs;
  }
}

/* Divides b by 10^9 in place; returns the remainder. */
static uint32_t big_div1e9(big *b) {
  uint64_t rem = 0;
  int i;
  for (i = b->n - 1; i >= 0; i--) {
    uint64_t cur = (rem << 32) | b->d[i];
    b->d[i] = (uint32_t)(cur / 1000000000u);
    rem = cur % 1000000000u;
  }
  while (b->n > 0 && b->d[b->n - 1] == 0) b->n--;
  return (uint32_t)rem;
}

/* Splits a finite non-zero double into m * 2^e with m odd-or-any < 2^53. */
static void decompose(double v, uint64_t *m, int *e) {
  uint64_t bits = double_to_bits(v);
  int be = (int)((bits >> 52) & 0x7FF);
  uint64_t frac = bits & ((1ull << 52) - 1);
  if (be == 0) { *m = frac; *e = -1074; }
  else { *m = frac | (1ull << 52); *e = be - 1075; }
}

int txt_exact_digits(double v, char *digits, int *dexp) {
  uint64_t m;
  int e, n = 0, i, total;
  big b;
  char tmp[TXT_EXACT_MAX];
  decompose(v, &m, &e);
  while ((m & 1) == 0) { m >>= 1; e++; }   /* shortest m */
  big_set64(&b, m);
  if (e >= 0) {
    big_shl(&b, e);
  } else {
    int k = -e;
    while (k >= 13) { big_mulsmall(&b, 1220703125u); k -= 13; }
    {
      uint32_t f = 1;
      while (k-- > 0) f *= 5;
      big_mulsmall(&b, f);
    }
  }
  /* decimal digits, least significant chunk first */
  while (b.n > 0) {
    uint32_t r = big_div1e9(&b);
    for (i = 0; i < 9; i++) { tmp[n++] = (char)('0' + r % 10); r /= 10; }
  }
  while (n > 0 && tmp[n - 1] == '0') n--;   /* leading zeros */
  total = n;
  for (i = 0; i < n; i++) digits[i] = tmp[n - 1 - i];
  /* value = int(digits) * 10^min(e,0) */
  *dexp = total + (e < 0 ? e : 0);
  while (total > 0 && digits[total - 1] == '0') total--;
  return total;
}

/*
** Rounds the digit string d[0..n) (value 0.d1d2... * 10^dexp) to 'keep'
** digits, half to even; writes 'keep' digits (zero padded) into out and
** returns 1 if the rounding carried out (the result is then 1000...,
** with dexp one larger). keep may be <= 0 (result 0 or a carry).
*/
static int round_digits(const char *d, int n, int keep, char *out) {
  int up, i;
  if (keep < 0) return 0;
  if (keep >= n) {
    memcpy(out, d, (size_t)n);
    for (i = n; i < keep; i++) out[i] = '0';
    return 0;
  }
  if (d[keep] > '5') up = 1;
  else if (d[keep] < '5') up = 0;
  else {
    up = 0;
    for (i = keep + 1; i < n; i++) if (d[i] != '0') { up = 1; break; }
    if (!up) up = (keep > 0) ? ((d[keep - 1] - '0') & 1) : 0;
  }
  memcpy(out, d, (size_t)keep);
  if (up) {
    for (i = keep - 1; i >= 0; i--) {
      if (out[i] == '9') out[i] = '0';
      else { out[i]++; return 0; }
    }
    /* all nines (or keep == 0): carry */
    if (keep > 0) { out[0] = '1'; for (i = 1; i < keep; i++) out[i] = '0'; }
    return 1;
  }
  return 0;
}

/* }====================================================== */

/* {======================================================
** Fast scaled rounding: round(|v| * 10^k)
** ======================================================= */

static const uint64_t pow5_64[28] = {
  1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull,
  390625ull, 1953125ull, 9765625ull, 48828125ull, 244140625ull,
  1220703125ull, 6103515625ull, 30517578125ull, 152587890625ull,
  762939453125ull, 3814697265625ull, 19073486328125ull, 95367431640625ull,
  476837158203125ull, 2384185791015625ull, 11920928955078125ull,
  59604644775390625ull, 298023223876953125ull, 1490116119384765625ull,
  7450580596923828125ull
};

static const uint64_t pow10_64[20] = {
  1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
  10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
  100000000000ull, 1000000000000ull, 10000000000000ull,
  100000000000000ull, 1000000000000000ull, 10000000000000000ull,
  100000000000000000ull, 1000000000000000000ull,
  10000000000000000000ull
};

static int bitlen128(u128 x) {
  uint64_t hi = (uint64_t)(x >> 64);
  if (hi) return 128 - __builtin_clzll(hi);
  if ((uint64_t)x) return 64 - __builtin_clzll((uint64_t)x);
  return 0;
}

/* 192-bit helpers: x[0] least significant. */
static int cmp192(const uint64_t *a, const uint64_t *b) {
  int i;
  for (i = 2; i >= 0; i--) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

static void set_pow2_192(uint64_t *x, int s) {
  x[0] = x[1] = x[2] = 0;
  x[s / 64] = 1ull << (s % 64);
}

static void add192(uint64_t *x, const uint64_t *y) {
  u128 t = (u128)x[0] + y[0];
  x[0] = (uint64_t)t;
  t = (u128)x[1] + y[1] + (uint64_t)(t >> 64);
  x[1] = (uint64_t)t;
  x[2] = x[2] + y[2] + (uint64_t)(t >> 64);
}

/*
** Sets *I = floor(|v| * 10^k) and *up = whether rounding to nearest
** (half to even) goes up, for v = m * 2^e. Returns 1 when decided and
** *I < 2^64, 0 to take the exact path.
*/
static int fast_scaled(uint64_t m, int e, int k, uint64_t *I, int *up) {
  if (k >= 0 && k <= 27) {
    u128 N = (u128)m * pow5_64[k];
    int sh = e + k;
    if (sh >= 0) {
      if (bitlen128(N) + sh > 64) return 0;
      *I = (uint64_t)N << sh;
      *up = 0;
      return 1;
    } else {
      int t = -sh;
      u128 R, half;
      if (t >= 128) { *I = 0; *up = 0; return 1; }
      if ((N >> t) >> 64) return 0;
      *I = (uint64_t)(N >> t);
      R = N & (((u128)1 << t) - 1);
      half = (u128)1 << (t - 1);
      *up = R > half || (R == half && (*I & 1));
      return 1;
    }
  }
  if (k < 0 && k >= -27) {
    uint64_t d5 = pow5_64[-k];
    int sh = e + k;      /* X = m * 2^(e-j) / 5^j with j = -k */
    if (sh >= 0) {
      u128 Nn, Q, R;
      if (64 - __builtin_clzll(m) + sh > 127) return 0;
      Nn = (u128)m << sh;
      Q = Nn / d5;
      if (Q >> 64) return 0;
      R = Nn - Q * d5;
      *I = (uint64_t)Q;
      *up = 2 * R > d5;
      return 1;
    } else {
      int t = -sh;
      u128 Dv, R2;
      if (t >= 60) { *I = 0; *up = 0; return 1; }
      Dv = (u128)d5 << t;
      if ((u128)m < Dv) {
        *I = 0;
        R2 = (u128)m * 2;
        *up = R2 > Dv;     /* I = 0 is even: a tie goes down */
        return 1;
      } else {
        u128 Q = (u128)m / Dv, R = (u128)m - Q * Dv;
        *I = (uint64_t)Q;
        R2 = R * 2;
        *up = R2 > Dv || (R2 == Dv && (*I & 1));
        return 1;
      }
    }
  }
  if (k < TXT_POW10_MIN || k > TXT_POW10_MAX) return 0;
  {
    uint64_t thi = txt_pow10_m[k - TXT_POW10_MIN][0];
    uint64_t tlo = txt_pow10_m[k - TXT_POW10_MIN][1];
    int s = -(e + txt_pow10_b[k - TXT_POW10_MIN]);
    int exact = (k >= 0 && k <= 55);
    u128 lo = (u128)m * tlo, hi = (u128)m * thi, mid;
    uint64_t P[3], R[3], half[3], lim[3];
    P[0] = (uint64_t)lo;
    mid = (lo >> 64) + (uint64_t)hi;
    P[1] = (uint64_t)mid;
    P[2] = (uint64_t)(hi >> 64) + (uint64_t)(mid >> 64);
    if (s <= 64 || s >= 190) return 0;
    /* I = P >> s must fit in 64 bits */
    if (s < 128) {
      if (P[2] >> (s - 64)) return 0;
      *I = (P[1] >> (s - 64)) | (s == 64 ? 0 : (P[2] << (128 - s)));
      R[0] = P[0];
      R[1] = P[1] & ((1ull << (s - 64)) - 1);
      R[2] = 0;
    } else {
      *I = (s == 128) ? P[2] : (P[2] >> (s - 128));
      R[0] = P[0];
      R[1] = P[1];
      R[2] = (s == 128) ? 0 : (P[2] & ((1ull << (s - 128)) - 1));
    }
    set_pow2_192(half, s - 1);
    if (exact) {
      int c = cmp192(R, half);
      *up = c > 0 || (c == 0 && (*I & 1));
      return 1;
    }
    /* true remainder is in [R, R + 2^53) */
    {
      uint64_t err[3] = {1ull << 53, 0, 0};
      memcpy(lim, R, sizeof lim);
      add192(lim, err);
      if (cmp192(lim, half) <= 0) { *up = 0; return 1; }
      if (cmp192(R, half) > 0) { *up = 1; return 1; }
      return 0;
    }
  }
}

static const char digit_pairs[201] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536"
  "37383940414243444546474849505152535455565758596061626364656667686970717273"
  "7475767778798081828384858687888990919293949596979899";

static void put2(char *p, uint32_t v) { memcpy(p, digit_pairs + 2 * v, 2); }

/* Exactly eight digits of v < 10^8. */
static void put8(char *p, uint32_t v) {
  uint32_t a = v / 10000, b = v % 10000;
  put2(p, a / 100);
  put2(p + 2, a % 100);
  put2(p + 4, b / 100);
  put2(p + 6, b % 100);
}

/* Number of decimal digits of x (1 for 0): from the bit length, then
** one table compare. */
static int ndigits(uint64_t x) {
  int b = 64 - __builtin_clzll(x | 1);
  int n = (b * 1233) >> 12;               /* floor(b * log10 2) */
  return n + (n < 20 && x >= pow10_64[n]);
}

/* Writes the decimal digits of x, zero padded to 'width' digits, at
** out; returns the count written. Eight digits at a time. */
static int write_u64(char *out, uint64_t x, int width) {
  int n = (width >= 1 && width < 20 && x < pow10_64[width]) ? width
                                                            : ndigits(x);
  char *p;
  if (n < width) n = width;
  p = out + n;
  while (p - out >= 8) {
    put8(p - 8, (uint32_t)(x % 100000000u));
    x /= 100000000u;
    p -= 8;
  }
  while (p - out >= 2) {
    put2(p - 2, (uint32_t)(x % 100u));
    x /= 100u;
    p -= 2;
  }
  if (p > out) *--p = (char)('0' + x % 10);
  return n;
}

/* v >= 10^q exactly, for finite v > 0. */
static int ge_pow10(double v, int q) {
  double d;
  if (q < TXT_P10D_MIN) return 1;
  if (q > TXT_P10D_MAX) return 0;
  d = bits_to_double(txt_p10d_bits[q - TXT_P10D_MIN]);
  if (v != d) return v > d;
  return txt_p10d_ge[q - TXT_P10D_MIN];
}

/* floor(log10 |v|) for finite v != 0 with floor(log2 |v|) = L. */
static int floor_log10(double v, int L) {
  int E = (int)(((int64_t)L * 78913) >> 18);     /* E or E - 1 */
  v = fabs(v);
  if (ge_pow10(v, E + 1)) return E + 1;
  if (!ge_pow10(v, E)) return E - 1;
  return E;
}

/*
** The first 'nsig' (<= 19) significant digits of |v| (finite, non-zero)
** rounded half to even, as the integer *D, and the decimal exponent of
** the rounded value. Returns 0 when the fast arithmetic cannot decide.
*/
static int sig_digits_u64(double v, int nsig, uint64_t *D, int *X) {
  uint64_t m, I;
  int e, up, E;
  decompose(v, &m, &e);
  E = floor_log10(v, 63 - __builtin_clzll(m) + e);
  if (!fast_scaled(m, e, nsig - 1 - E, &I, &up)) return 0;
  I += (uint64_t)up;
  if (I >= pow10_64[nsig]) {                   /* carried to 10^nsig */
    I /= 10;
    E++;
  }
  *D = I;
  *X = E;
  return 1;
}

/*
** The first 'nsig' significant digits of |v| (v finite, non-zero),
** rounded half to even, into out (nsig bytes), and the decimal exponent
** X of the rounded value (v ~ d.ddd * 10^X).
*/
static void sig_digits(double v, int nsig, char *out, int *X) {
  uint64_t D;
  if (nsig <= 19 && sig_digits_u64(v, nsig, &D, X)) {
    write_u64(out, D, nsig);
    return;
  }
  {
    char d[TXT_EXACT_MAX];
    int dexp, n = txt_exact_digits(v, d, &dexp);
    int carry = round_digits(d, n, nsig, out);
    *X = dexp - 1 + carry;
  }
}

/*
** Fixed-point digits of |v| with 'prec' digits after the point: the
** integer round(|v| * 10^prec) as a digit string (at least prec + 1
** digits, zero padded) appended to b. Returns NPIO_OK or NPIO_ENOMEM.
*/
static int fixed_digits(npio_buf *b, double v, int prec) {
  uint64_t m, I;
  int e, up;
  char d[TXT_EXACT_MAX];
  int dexp, n, carry;
  int64_t keep, len, i;
  char *o;
  if (v != 0) {
    decompose(v, &m, &e);
    if (prec <= 400 && fast_scaled(m, e, prec, &I, &up) &&
        !(up && I == UINT64_MAX)) {
      char tmp[24];
      int k = write_u64(tmp, I + (uint64_t)up, 1);
      int pad = (k < prec + 1) ? prec + 1 - k : 0;
      if (npio_buf_reserve(b, (size_t)(k + pad))) return NPIO_ENOMEM;
      memset(b->p + b->len, '0', (size_t)pad);
      memcpy(b->p + b->len + pad, tmp, (size_t)k);
      b->len += (size_t)(k + pad);
      return NPIO_OK;
    }
    n = txt_exact_digits(v, d, &dexp);
    keep = (int64_t)dexp + prec;         /* digits before the cut */
  } else {
    n = 0;
    dexp = 0;
    keep = -1;
  }
  if (keep < 0) {                         /* rounds to zero */
    if (npio_buf_reserve(b, (size_t)prec + 1)) return NPIO_ENOMEM;
    memset(b->p + b->len, '0', (size_t)prec + 1);
    b->len += (size_t)prec + 1;
    return NPIO_OK;
  }
  /* keep + 1 digits at most (a carry), at least prec + 1 */
  len = (keep + 1 > prec + 1) ? keep + 1 : prec + 1;
  if (npio_buf_reserve(b, (size_t)len + 1)) return NPIO_ENOMEM;
  o = b->p + b->len;
  /* digits go to o+1 so that a carry can take o[0] */
  carry = round_digits(d, n, (int)keep, o + 1);
  if (carry) {
    o[0] = '1';
    len = keep + 1;
  } else {
    memmove(o, o + 1, (size_t)keep);
    len = keep;
  }
  if (len < prec + 1) {                   /* leading zeros */
    int64_t pad = prec + 1 - len;
    memmove(o + pad, o, (size_t)len);
    for (i = 0; i < pad; i++) o[i] = '0';
    len += pad;
  }
  b->len += (size_t)len;
  return NPIO_OK;
}

/* }====================================================== */

/* {======================================================
** Python's % for floats and ints
** ======================================================= */

/* Appends n copies of c. */
static int put_fill(npio_buf *b, char c, size_t n) {
  if (npio_buf_reserve(b, n)) return NPIO_ENOMEM;
  memset(b->p + b->len, c, n);
  b->len += n;
  return NPIO_OK;
}

static int put_char(npio_buf *b, char c) {
  if (b->len >= b->cap && npio_buf_reserve(b, 1)) return NPIO_ENOMEM;
  b->p[b->len++] = c;
  return NPIO_OK;
}

/* NUL-terminates b (npio_buf keeps a spare byte) and passes r through. */
static int term(npio_buf *b, int r) {
  if (b->p != NULL) b->p[b->len] = '\0';
  return r;
}

/*
** Pads the text written since 'start' (sign, then 'signlen' bytes of
** sign and prefix, then the digits) to the spec's width: left (flag
** '-'), zeros after the sign (flag '0', if 'zero_ok'), or spaces before.
*/
static int pad_field(npio_buf *b, size_t start, size_t signlen,
                     const txt_spec *sp, int zero_ok) {
  size_t total = b->len - start, pad;
  if (sp->width <= 0 || (size_t)sp->width <= total) return NPIO_OK;
  pad = (size_t)sp->width - total;
  if (sp->flags & TXT_FL_MINUS) return put_fill(b, ' ', pad);
  if (npio_buf_reserve(b, pad)) return NPIO_ENOMEM;
  if ((sp->flags & TXT_FL_ZERO) && zero_ok) {
    char *p = b->p + start + signlen;
    memmove(p + pad, p, total - signlen);
    memset(p, '0', pad);
  } else {
    char *p = b->p + start;
    memmove(p + pad, p, total);
    memset(p, ' ', pad);
  }
  b->len += pad;
  return NPIO_OK;
}

static int put_exponent(npio_buf *b, int X, int upper) {
  char tmp[8];
  int n = 0;
  unsigned ax = (unsigned)(X < 0 ? -X : X);
  tmp[n++] = upper ? 'E' : 'e';
  tmp[n++] = X < 0 ? '-' : '+';
  if (ax >= 100) tmp[n++] = (char)('0' + ax / 100);
  tmp[n++] = (char)('0' + (ax / 10) % 10);
  tmp[n++] = (char)('0' + ax % 10);
  return npio_buf_add(b, tmp, (size_t)n) ? NPIO_ENOMEM : NPIO_OK;
}

/* The nsig rounded significant digits of |v| into a buffer of at least
** nsig bytes (v == 0 gives zeros and X = 0). */
static void get_sig(double v, int nsig, char *d, int *X) {
  if (v == 0) {
    memset(d, '0', (size_t)nsig);
    *X = 0;
  } else {
    sig_digits(v, nsig, d, X);
  }
}

/* Writes "e+XX" at o; returns the end. */
static char *put_exp(char *o, int X, int upper) {
  unsigned ax = (unsigned)(X < 0 ? -X : X);
  *o++ = upper ? 'E' : 'e';
  *o++ = X < 0 ? '-' : '+';
  if (ax >= 100) { *o++ = (char)('0' + ax / 100); ax %= 100; }
  put2(o, ax);
  return o + 2;
}

/* %e body. */
static int body_e(npio_buf *b, double v, int prec, int alt, int upper) {
  char small[64];
  char *d = small;
  int nsig = prec + 1, X, r;
  uint64_t D;
  if (nsig <= 19 && v != 0 && sig_digits_u64(v, nsig, &D, &X)) {
    char *o;
    if (npio_buf_reserve(b, (size_t)nsig + 8)) return NPIO_ENOMEM;
    o = b->p + b->len;
    write_u64(o + 1, D, nsig);
    o[0] = o[1];
    if (prec > 0 || alt) { o[1] = '.'; o += nsig + 1; }
    else o += 1;
    o = put_exp(o, X, upper);
    b->len = (size_t)(o - b->p);
    return NPIO_OK;
  }
  if (nsig > (int)sizeof small && (d = (char *)malloc((size_t)nsig)) == NULL)
    return NPIO_ENOMEM;
  get_sig(v, nsig, d, &X);
  r = npio_buf_reserve(b, (size_t)nsig + 2);
  if (r == NPIO_OK) {
    char *o = b->p + b->len;
    *o++ = d[0];
    if (prec > 0 || alt) *o++ = '.';
    memcpy(o, d + 1, (size_t)(nsig - 1));
    o += nsig - 1;
    b->len = (size_t)(o - b->p);
    r = put_exponent(b, X, upper);
  }
  if (d != small) free(d);
  return r;
}

/* %f body. */
static int body_f(npio_buf *b, double v, int prec, int alt) {
  size_t start = b->len, n;
  if (fixed_digits(b, v, prec)) return NPIO_ENOMEM;
  n = b->len - start;
  if (prec > 0 || alt) {
    char *p;
    if (npio_buf_reserve(b, 1)) return NPIO_ENOMEM;
    p = b->p + start;
    memmove(p + n - prec + 1, p + n - prec, (size_t)prec);
    p[n - prec] = '.';
    b->len++;
  }
  return NPIO_OK;
}

/* %g body. */
static int body_g(npio_buf *b, double v, int prec, int alt, int upper) {
  char small[64];
  char *d = small;
  int P = (prec == 0) ? 1 : prec, X, nd, r = NPIO_OK;
  uint64_t D;
  if (!alt && P <= 17 && v != 0 && sig_digits_u64(v, P, &D, &X)) {
    char *o;
    char dg[24];
    nd = P;
    while (nd > 1 && D % 10 == 0) { D /= 10; nd--; }   /* trailing zeros */
    if (npio_buf_reserve(b, (size_t)P + 8 + (X < 0 ? (size_t)(-X) : 0)))
      return NPIO_ENOMEM;
    o = b->p + b->len;
    if (X >= -4 && X < P) {                  /* positional */
      if (X >= 0) {
        if (nd <= X + 1) {                   /* an integer: pad with zeros */
          write_u64(o, D, nd);
          memset(o + nd, '0', (size_t)(X + 1 - nd));
          o += X + 1;
        } else {
          write_u64(dg, D, nd);
          memcpy(o, dg, (size_t)(X + 1));
          o[X + 1] = '.';
          memcpy(o + X + 2, dg + X + 1, (size_t)(nd - X - 1));
          o += nd + 1;
        }
      } else {
        o[0] = '0';
        o[1] = '.';
        memset(o + 2, '0', (size_t)(-X - 1));
        o += 1 - X;
        write_u64(o, D, nd);
        o += nd;
      }
    } else {                                 /* exponent form */
      write_u64(o + 1, D, nd);
      o[0] = o[1];
      if (nd > 1) { o[1] = '.'; o += nd + 1; }
      else o += 1;
      o = put_exp(o, X, upper);
    }
    b->len = (size_t)(o - b->p);
    return NPIO_OK;
  }
  if (P > (int)sizeof small && (d = (char *)malloc((size_t)P)) == NULL)
    return NPIO_ENOMEM;
  get_sig(v, P, d, &X);
  nd = P;
  if (!alt) while (nd > 1 && d[nd - 1] == '0') nd--;   /* trailing zeros */
  if (X >= -4 && X < P) {                 /* positional */
    size_t need = (size_t)P + 8 + (X < 0 ? (size_t)(-X) : 0);
    if (npio_buf_reserve(b, need)) { r = NPIO_ENOMEM; goto done; }
    {
      char *o = b->p + b->len;
      if (X >= 0) {
        int ip = X + 1, i;
        for (i = 0; i < ip; i++) *o++ = (i < nd || alt) ? d[i] : '0';
        if (nd > ip || alt) {
          if (alt || nd > ip) *o++ = '.';
          for (i = ip; i < (alt ? P : nd); i++) *o++ = d[i];
        }
      } else {
        int i;
        *o++ = '0';
        *o++ = '.';
        for (i = 0; i < -X - 1; i++) *o++ = '0';
        for (i = 0; i < (alt ? P : nd); i++) *o++ = d[i];
      }
      b->len = (size_t)(o - b->p);
    }
  } else {                                /* exponent form */
    if (npio_buf_reserve(b, (size_t)P + 2)) { r = NPIO_ENOMEM; goto done; }
    {
      char *o = b->p + b->len;
      int last = alt ? P : nd, i;
      *o++ = d[0];
      if (last > 1 || alt) *o++ = '.';
      for (i = 1; i < last; i++) *o++ = d[i];
      b->len = (size_t)(o - b->p);
    }
    r = put_exponent(b, X, upper);
  }
done:
  if (d != small) free(d);
  return r;
}

int txt_fmt_double(npio_buf *b, double v, const txt_spec *sp) {
  size_t start = b->len, signlen = 0;
  int conv = sp->conv, upper = (conv == 'E' || conv == 'F' || conv == 'G');
  int prec = sp->prec < 0 ? 6 : sp->prec, alt = (sp->flags & TXT_FL_ALT);
  int neg = !isnan(v) && signbit(v), r;
  if (neg) { if (put_char(b, '-')) return NPIO_ENOMEM; signlen = 1; }
  else if (sp->flags & TXT_FL_PLUS) {
    if (put_char(b, '+')) return NPIO_ENOMEM;
    signlen = 1;
  } else if (sp->flags & TXT_FL_SPACE) {
    if (put_char(b, ' ')) return NPIO_ENOMEM;
    signlen = 1;
  }
  if (!isfinite(v)) {
    const char *t = isnan(v) ? (upper ? "NAN" : "nan")
                             : (upper ? "INF" : "inf");
    if (npio_buf_add(b, t, 3)) return NPIO_ENOMEM;
    return term(b, pad_field(b, start, signlen, sp, 1));
  }
  v = fabs(v);
  switch (conv) {
    case 'e': case 'E': r = body_e(b, v, prec, alt, upper); break;
    case 'f': case 'F': r = body_f(b, v, prec, alt); break;
    default: r = body_g(b, v, prec, alt, upper); break;
  }
  if (r) return r;
  return term(b, pad_field(b, start, signlen, sp, 1));
}

int txt_fmt_int(npio_buf *b, uint64_t mag, int neg, const txt_spec *sp) {
  char digits[72];
  int nd = 0, i, prec = sp->prec;
  size_t start = b->len, signlen = 0;
  const char *prefix = "";
  char conv = sp->conv;
  if (conv == 'x' || conv == 'X') {
    const char *hx = (conv == 'x') ? "0123456789abcdef" : "0123456789ABCDEF";
    do { digits[nd++] = hx[mag & 15]; mag >>= 4; } while (mag);
    if (sp->flags & TXT_FL_ALT) prefix = (conv == 'x') ? "0x" : "0X";
  } else if (conv == 'o') {
    do { digits[nd++] = (char)('0' + (mag & 7)); mag >>= 3; } while (mag);
    if (sp->flags & TXT_FL_ALT) prefix = "0o";
  } else {
    do { digits[nd++] = (char)('0' + mag % 10); mag /= 10; } while (mag);
  }
  if (neg) { if (put_char(b, '-')) return NPIO_ENOMEM; signlen = 1; }
  else if (sp->flags & TXT_FL_PLUS) {
    if (put_char(b, '+')) return NPIO_ENOMEM;
    signlen = 1;
  } else if (sp->flags & TXT_FL_SPACE) {
    if (put_char(b, ' ')) return NPIO_ENOMEM;
    signlen = 1;
  }
  if (*prefix) {
    if (npio_buf_add(b, prefix, 2)) return NPIO_ENOMEM;
    signlen += 2;
  }
  if (prec > nd && put_fill(b, '0', (size_t)(prec - nd))) return NPIO_ENOMEM;
  if (npio_buf_reserve(b, (size_t)nd)) return NPIO_ENOMEM;
  for (i = nd - 1; i >= 0; i--) b->p[b->len++] = digits[i];
  return term(b, pad_field(b, start, signlen, sp, 1));
}

int txt_fmt_double_int(npio_buf *b, double v, const txt_spec *sp) {
  double t;
  if (!isfinite(v)) return NPIO_EVALUE;
  t = trunc(v);
  if (fabs(t) < 18446744073709551616.0) {
    uint64_t mag = (uint64_t)fabs(t);
    return txt_fmt_int(b, mag, t < 0, sp);
  } else {
    /* an exact big integer: its digits, then zeros up to the point */
    char d[TXT_EXACT_MAX];
    int dexp, n = txt_exact_digits(t, d, &dexp), i;
    size_t start = b->len, signlen = 0;
    if (t < 0) { if (put_char(b, '-')) return NPIO_ENOMEM; signlen = 1; }
    else if (sp->flags & TXT_FL_PLUS) {
      if (put_char(b, '+')) return NPIO_ENOMEM;
      signlen = 1;
    } else if (sp->flags & TXT_FL_SPACE) {
      if (put_char(b, ' ')) return NPIO_ENOMEM;
      signlen = 1;
    }
    if (sp->prec > dexp && put_fill(b, '0', (size_t)(sp->prec - dexp)))
      return NPIO_ENOMEM;
    if (npio_buf_add(b, d, (size_t)n)) return NPIO_ENOMEM;
    for (i = n; i < dexp; i++) if (put_char(b, '0')) return NPIO_ENOMEM;
    return term(b, pad_field(b, start, signlen, sp, 1));
  }
}

/* Number of UTF-8 characters in [s, s+n). */
static size_t utf8_count(const char *s, size_t n) {
  size_t i, c = 0;
  for (i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
  return c;
}

/* Byte length of the first 'k' UTF-8 characters of [s, s+n). */
static size_t utf8_prefix(const char *s, size_t n, size_t k) {
  size_t i, c = 0;
  for (i = 0; i < n; i++) {
    if (((unsigned char)s[i] & 0xC0) != 0x80) {
      if (c == k) return i;
      c++;
    }
  }
  return n;
}

int txt_fmt_str(npio_buf *b, const char *s, size_t n, const txt_spec *sp) {
  size_t chars, pad = 0;
  if (sp->prec >= 0) n = utf8_prefix(s, n, (size_t)sp->prec);
  chars = utf8_count(s, n);
  if (sp->width > 0 && (size_t)sp->width > chars)
    pad = (size_t)sp->width - chars;
  if (pad && !(sp->flags & TXT_FL_MINUS) && put_fill(b, ' ', pad))
    return NPIO_ENOMEM;
  if (npio_buf_add(b, s, n)) return NPIO_ENOMEM;
  if (pad && (sp->flags & TXT_FL_MINUS) && put_fill(b, ' ', pad))
    return NPIO_ENOMEM;
  return term(b, NPIO_OK);
}

/* }====================================================== */

/* {======================================================
** float16
** ======================================================= */

double txt_half_to_double(uint16_t h) {
  int s = h >> 15, e = (h >> 10) & 31, f = h & 1023;
  double v;
  if (e == 0) v = ldexp((double)f, -24);
  else if (e == 31) v = f ? NAN : HUGE_VAL;
  else v = ldexp((double)(f | 1024), e - 25);
  return s ? -v : v;
}

uint16_t txt_double_to_half(double d) {
  uint64_t bits = double_to_bits(d);
  uint16_t sign = (uint16_t)((bits >> 48) & 0x8000);
  int e = (int)((bits >> 52) & 0x7FF);
  uint64_t f = bits & ((1ull << 52) - 1);
  int he;
  uint64_t m, r, half, mant;
  int sh;
  if (e == 0x7FF) return (uint16_t)(sign | 0x7C00 | (f ? 0x200 : 0));
  if (e == 0) return sign;                 /* double subnormals -> 0 */
  he = e - 1023 + 15;
  mant = f | (1ull << 52);
  if (he >= 31) return (uint16_t)(sign | 0x7C00);
  if (he <= 0) {                           /* half subnormal */
    sh = 42 + 1 - he;                      /* 52 - 10 + (1 - he) */
    if (sh > 63) return sign;
  } else {
    sh = 42;
  }
  m = mant >> sh;
  r = mant & ((1ull << sh) - 1);
  half = 1ull << (sh - 1);
  if (r > half || (r == half && (m & 1))) m++;
  if (he <= 0) return (uint16_t)(sign | m);   /* m may reach 0x400: ok */
  /* normal: m in [1024, 2048] */
  if (m == 2048) { m = 1024; he++; }
  if (he >= 31) return (uint16_t)(sign | 0x7C00);
  return (uint16_t)(sign | (he << 10) | (m & 1023));
}

/* }====================================================== */

/* {======================================================
** NumPy's str() of float scalars (shortest round trip)
** ======================================================= */

/* Reads back nsig digits d with exponent X into the type of 'bits'
** and says whether it gives v again. */
static int round_trips(const char *d, int nsig, int X, double v, int bits) {
  char buf[48];
  int n = 0;
  double back;
  memcpy(buf, d, (size_t)nsig);
  n = nsig;
  buf[n++] = 'e';
  n += snprintf(buf + n, sizeof buf - (size_t)n, "%d", X - nsig + 1);
  if (bits == 32) {
    float f;
    txt_parse_float32(buf, buf + n, &f);
    return (double)f == v;
  }
  txt_parse_double(buf, buf + n, 0, &back);
  if (bits == 16) return txt_half_to_double(txt_double_to_half(back)) == v;
  return back == v;
}

/* Adds one unit in the last place to the digit string; returns 1 on a
** carry out (all nines). */
static int digits_inc(char *d, int n) {
  int i;
  for (i = n - 1; i >= 0; i--) {
    if (d[i] == '9') d[i] = '0';
    else { d[i]++; return 0; }
  }
  d[0] = '1';
  return 1;
}

int txt_float_str(char *out, double v, int bits) {
  char d[24];
  int nsig, X = 0, maxsig = bits == 64 ? 17 : bits == 32 ? 9 : 5, n = 0, i;
  double av;
  if (isnan(v)) { memcpy(out, "nan", 4); return 3; }
  if (signbit(v)) out[n++] = '-';
  av = fabs(v);
  if (isinf(v)) { memcpy(out + n, "inf", 4); return n + 3; }
  if (av == 0) { memcpy(out + n, "0.0", 4); return n + 3; }
  for (nsig = 1; nsig <= maxsig; nsig++) {
    sig_digits(av, nsig, d, &X);
    if (round_trips(d, nsig, X, av, bits)) break;
    {
      /* at a power of two the interval above is wider: try one up */
      char d2[24];
      int X2 = X;
      memcpy(d2, d, (size_t)nsig);
      if (digits_inc(d2, nsig)) X2++;
      if (round_trips(d2, nsig, X2, av, bits)) {
        memcpy(d, d2, (size_t)nsig);
        X = X2;
        break;
      }
    }
  }
  if (nsig > maxsig) { nsig = maxsig; sig_digits(av, nsig, d, &X); }
  while (nsig > 1 && d[nsig - 1] == '0') nsig--;
  if (av >= 1e-4 && av < 1e16) {
    if (X >= 0) {
      for (i = 0; i <= X; i++) out[n++] = i < nsig ? d[i] : '0';
      out[n++] = '.';
      if (nsig > X + 1) for (i = X + 1; i < nsig; i++) out[n++] = d[i];
      else out[n++] = '0';
    } else {
      out[n++] = '0';
      out[n++] = '.';
      for (i = 0; i < -X - 1; i++) out[n++] = '0';
      for (i = 0; i < nsig; i++) out[n++] = d[i];
    }
  } else {
    unsigned ax = (unsigned)(X < 0 ? -X : X);
    out[n++] = d[0];
    if (nsig > 1) {
      out[n++] = '.';
      for (i = 1; i < nsig; i++) out[n++] = d[i];
    }
    out[n++] = 'e';
    out[n++] = X < 0 ? '-' : '+';
    if (ax >= 100) out[n++] = (char)('0' + ax / 100);
    out[n++] = (char)('0' + (ax / 10) % 10);
    out[n++] = (char)('0' + ax % 10);
  }
  out[n] = '\0';
  return n;
}

/* }====================================================== */
