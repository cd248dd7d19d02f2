/*
** txt_num.h -- number parsing and formatting for the text readers and
** writer (no Lua). Parsing is correctly rounded (the bits strtod gives);
** formatting is exact (the digits C's printf and Python's % give). The
** locale never changes a result: nothing here calls setlocale or the
** locale-dependent printf/strtod.
*/
#ifndef TXT_NUM_H
#define TXT_NUM_H

#include "npio_int.h"

#include <string.h>

/* {======================================================
** Character classes
** ======================================================= */

/* 1 for the ASCII bytes Python's str.isspace() accepts:
** \t \n \v \f \r \x1c-\x1f and space. */
extern const unsigned char txt_ws_table[256];
#define txt_isspace_ascii(c) (txt_ws_table[(unsigned char)(c)])

/* Length (2 or 3) of a non-ASCII UTF-8 white space character at s
** (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
** U+205F, U+3000), or 0. */
int txt_utf8_space(const char *s, const char *end);

/* Skips leading / trailing Python white space of [*s, *e). */
void txt_strip(const char **s, const char **e);

/* }====================================================== */

/* {======================================================
** Parsing
** ======================================================= */

enum { TXT_NUM_OK = 0, TXT_NUM_BAD = 1, TXT_NUM_RANGE = 2 };

#define TXT_F_UNDERSCORE 1   /* Python float()/int(): '1_000' */

/*
** Scans the longest prefix of [s, end) that is a float in Python's
** grammar (sign, digits, point, exponent; inf, infinity, nan in any case)
** and stores its correctly rounded value. Returns the end of the prefix,
** or NULL when no number starts at s. No white space is skipped.
*/
const char *txt_scan_double(const char *s, const char *end, int flags,
                            double *out);
/* The whole of [s, end) must be a float (after nothing is stripped). */
int txt_parse_double(const char *s, const char *end, int flags, double *out);
/* Correctly rounded decimal -> float32 of the whole of [s, end). */
int txt_parse_float32(const char *s, const char *end, float *out);

/* Integers: [+|-]digits over the whole of [s, end). TXT_NUM_RANGE when
** the value does not fit. The unsigned form rejects any '-'. */
int txt_parse_i64(const char *s, const char *end, int flags, int64_t *out);
int txt_parse_u64(const char *s, const char *end, int flags, uint64_t *out);

/* Python complex() / NumPy loadtxt complex syntax: "1", "1+2j", "2j",
** "(1-2j)"; 'unit' is the imaginary unit character. White space around
** (and inside parentheses) is allowed. */
int txt_parse_complex(const char *s, const char *end, int flags, char unit,
                      int allow_parens, double *re, double *im);

/* }====================================================== */


/* {======================================================
** The inline fast path of txt_scan_double (used by the row parsers)
** ======================================================= */

NPIOI_FUNC const char *txt_scan_double_slow(const char *s, const char *end,
                                            int flags, double *out);
NPIOI_FUNC int txt_eisel_lemire(uint64_t w, int64_t q, uint64_t *bits);
NPIOI_FUNC double txt_slow_strtod(const char *s, const char *e);

static const double txt_pow10_exact[23] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static inline int txt_isdig(char c) { return (unsigned char)(c - '0') < 10; }

static inline double txt_bits2d(uint64_t b) {
  double d;
  memcpy(&d, &b, sizeof d);
  return d;
}

static inline uint64_t txt_d2bits(double d) {
  uint64_t b;
  memcpy(&b, &d, sizeof b);
  return b;
}

/* The value of 8 ASCII digits loaded little-endian (first digit in the
** low byte): pairs, then groups of four, then all eight. */
static inline uint32_t txt_swar_parse8(uint64_t v) {
  v -= 0x3030303030303030ull;
  v = ((v * 10) + (v >> 8)) & 0x00FF00FF00FF00FFull;
  v = ((v * (1 + (100ull << 16))) >> 16) & 0x0000FFFF0000FFFFull;
  return (uint32_t)((v * (1 + (10000ull << 32))) >> 32);
}

/*
** The number of leading ASCII digits (0..8) of the 8 bytes in v (first
** byte lowest). A carry out of a byte >= 0xFA can only disturb bytes
** after the first non-digit, which are not counted.
*/
static inline int txt_swar_ndigits(uint64_t v) {
  uint64_t t = ((v & 0xF0F0F0F0F0F0F0F0ull) ^ 0x3030303030303030ull) |
               (((v + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) ^
                0x3030303030303030ull);
  uint64_t m = (((t & 0x7F7F7F7F7F7F7F7Full) + 0x7F7F7F7F7F7F7F7Full) | t) &
               0x8080808080808080ull;
  return m ? __builtin_ctzll(m) >> 3 : 8;
}

/* The value of the first k (1..8) digits of v. */
static inline uint32_t txt_swar_value(uint64_t v, int k) {
  if (k < 8)
    v = (v << (8 * (8 - k))) | (0x3030303030303030ull >> (8 * k));
  return txt_swar_parse8(v);
}

static const uint64_t txt_pow10_u64[9] = {
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
};

/*
** Accumulates the digit run at *pp into *w (which may wrap past 19
** digits: the caller checks the count); returns the number of digits.
*/
static inline __attribute__((always_inline)) int64_t
txt_digit_run(const char **pp, const char *end, uint64_t *w) {
  const char *p = *pp, *s = p;
  uint64_t x = *w;
  if (npio_little_endian()) {
    while (end - p >= 8) {
      uint64_t v;
      int k;
      memcpy(&v, p, 8);
      k = txt_swar_ndigits(v);
      if (k == 0) break;
      x = x * txt_pow10_u64[k] + txt_swar_value(v, k);
      p += k;
      if (k < 8) { *pp = p; *w = x; return p - s; }
    }
  }
  while (p < end && txt_isdig(*p)) { x = x * 10 + (uint64_t)(*p - '0'); p++; }
  *pp = p;
  *w = x;
  return p - s;
}

/*
** The common case, quickly: at most 19 digits, no underscores. Anything
** else (inf, nan, long mantissas, '_') goes to scan_slow, which accepts
** the same grammar, so both give the same prefix and value.
*/
static inline __attribute__((always_inline)) const char *
txt_scan_double_inl(const char *s, const char *end, int flags, double *out) {
  const char *p = s;
  int neg = 0;
  uint64_t w = 0;
  int64_t ndig, q = 0;
  if (p < end) {                        /* sign, without a branch */
    neg = (*p == '-');
    p += (*p == '-') | (*p == '+');
  }
  ndig = txt_digit_run(&p, end, &w);
  if (p < end && *p == '.') {
    int64_t nf;
    p++;
    nf = txt_digit_run(&p, end, &w);
    q = -nf;
    ndig += nf;
  }
  if (ndig == 0 || ndig > 19 ||
      (p < end && *p == '_' && (flags & TXT_F_UNDERSCORE)))
    return txt_scan_double_slow(s, end, flags, out);
  if (p < end && (*p == 'e' || *p == 'E')) {
    const char *ep = p + 1;
    int eneg = 0;
    if (ep < end && (*ep == '+' || *ep == '-')) { eneg = (*ep == '-'); ep++; }
    if (ep < end && txt_isdig(*ep)) {
      int64_t ev = 0;
      for (; ep < end && txt_isdig(*ep); ep++)
        if (ev < 100000000) ev = ev * 10 + (*ep - '0');
      if (ep < end && *ep == '_' && (flags & TXT_F_UNDERSCORE))
        return txt_scan_double_slow(s, end, flags, out);
      q += eneg ? -ev : ev;
      p = ep;
    }
  }
  if (w == 0) {
    *out = neg ? -0.0 : 0.0;
    return p;
  }
  if (w <= (1ull << 53) && q >= -22 && q <= 22) {
    double d = (double)w;
    d = (q < 0) ? d / txt_pow10_exact[-q] : d * txt_pow10_exact[q];
    *out = txt_bits2d(txt_d2bits(d) | ((uint64_t)neg << 63));
    return p;
  }
  {
    uint64_t b;
    if (txt_eisel_lemire(w, q, &b) == 0) {
      *out = txt_bits2d(b | ((uint64_t)neg << 63));
      return p;
    }
  }
  *out = txt_slow_strtod(s, p);
  return p;
}

/* }====================================================== */

/* {======================================================
** Formatting (Python's % operator on floats and ints)
** ======================================================= */

/* Flags of one conversion. */
#define TXT_FL_MINUS 1     /* '-' left justify */
#define TXT_FL_PLUS  2     /* '+' */
#define TXT_FL_SPACE 4     /* ' ' */
#define TXT_FL_ALT   8     /* '#' */
#define TXT_FL_ZERO  16    /* '0' */

/* One conversion spec: %[flags][width][.prec]conv. prec < 0: none. */
typedef struct txt_spec {
  char conv;           /* d i u o x X e E f F g G s r a c */
  int flags;
  int width;
  int prec;
} txt_spec;

/*
** Appends Python's '%<spec>' % v for a float conversion (e E f F g G)
** to 'b'. Exact for every precision; NaN and inf as Python writes them.
*/
int txt_fmt_double(npio_buf *b, double v, const txt_spec *sp);
/* Python's '%d' (or o x X) of int(v) for a finite float v. */
int txt_fmt_double_int(npio_buf *b, double v, const txt_spec *sp);
/* Python's %d %i %u %o %x %X of an integer (negative = 'neg' set). */
int txt_fmt_int(npio_buf *b, uint64_t mag, int neg, const txt_spec *sp);
/* Pads the string s (already converted) to the spec's width/precision
** as %s does. */
int txt_fmt_str(npio_buf *b, const char *s, size_t n, const txt_spec *sp);

/*
** NumPy's str() of a float scalar: the shortest digits that read back
** to the same value of the given 'bits' (64, 32 or 16; v holds the
** value exactly), positional when 1e-4 <= |v| < 1e16, else scientific.
** Writes at most 48 bytes plus NUL into 'out'; returns the length.
*/
int txt_float_str(char *out, double v, int bits);

/* }====================================================== */

/* {======================================================
** Exact decimal digits (the slow paths)
** ======================================================= */

/*
** The exact decimal expansion of |v| (finite, non-zero): 'digits' gets
** the significant digits (no leading or trailing zeros, as ASCII), the
** return is their count, and |v| = 0.d1d2d3... * 10^(*dexp).
** 'digits' must hold TXT_EXACT_MAX bytes.
*/
#define TXT_EXACT_MAX 800
int txt_exact_digits(double v, char *digits, int *dexp);

/* float16 <-> float conversions (round to nearest even). */
double txt_half_to_double(uint16_t h);
uint16_t txt_double_to_half(double d);

/* }====================================================== */

#endif
