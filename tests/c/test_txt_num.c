/*
** test_txt_num.c -- number parsing and formatting of the text module.
**
** Parsing is checked against glibc's strtod (correctly rounded) and by
** the round-trip property: a million random doubles printed with %.17g,
** %.18e and in shortest form read back to the same bits. Formatting is
** checked against glibc's snprintf (exact) on random values, formats,
** precisions and flags, and against Python's spellings of inf and nan.
** The test never calls setlocale, so snprintf/strtod run in "C".
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "txt_num.h"

/* {======================================================
** A small deterministic generator (xorshift64*)
** ======================================================= */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}

static double bits2d(uint64_t b) {
  double d;
  memcpy(&d, &b, sizeof d);
  return d;
}

static uint64_t d2bits(double d) {
  uint64_t b;
  memcpy(&b, &d, sizeof b);
  return b;
}

/* A random finite double: random bits, or a "nice" value (integers,
** dyadic fractions, decimal-looking numbers, values near powers of 10). */
static double rnd_double(void) {
  uint64_t r = rnd();
  double d;
  switch (r % 8) {
    case 0: case 1: case 2:
      do { d = bits2d(rnd()); } while (!isfinite(d));
      return d;
    case 3:
      return (double)(int64_t)(rnd() % 2000001) - 1000000.0;
    case 4:
      return ldexp((double)(rnd() % 100000), -(int)(rnd() % 40));
    case 5: {
      double m = (double)(rnd() % 1000000);
      int ex = (int)(rnd() % 40) - 20;
      return m * pow(10.0, ex);
    }
    case 6: {
      /* normal distribution-ish magnitudes, like test data */
      double u = (double)(rnd() >> 11) / 9007199254740992.0;
      return (u - 0.5) * pow(10.0, (double)((int)(rnd() % 12) - 6));
    }
    default: {
      int ex = (int)(rnd() % 600) - 300;
      double p = pow(10.0, ex);
      uint64_t b = d2bits(p) + (rnd() % 5) - 2;
      return bits2d(b);
    }
  }
}

/* }====================================================== */

/* {======================================================
** Parsing
** ======================================================= */

static int parse_eq(const char *s, double expect) {
  double d;
  if (txt_parse_double(s, s + strlen(s), 0, &d) != TXT_NUM_OK) return 0;
  return d2bits(d) == d2bits(expect) || (isnan(d) && isnan(expect));
}

static void test_parse_fixed(void) {
  double d;
  CHECK(parse_eq("1.5", 1.5));
  CHECK(parse_eq("-0", -0.0));
  CHECK(parse_eq("+3", 3.0));
  CHECK(parse_eq(".5", 0.5));
  CHECK(parse_eq("5.", 5.0));
  CHECK(parse_eq("1e5", 1e5));
  CHECK(parse_eq("1E+05", 1e5));
  CHECK(parse_eq("inf", HUGE_VAL));
  CHECK(parse_eq("-Infinity", -HUGE_VAL));
  CHECK(parse_eq("+INF", HUGE_VAL));
  CHECK(parse_eq("nan", NAN));
  CHECK(parse_eq("1e400", HUGE_VAL));
  CHECK(parse_eq("-1e400", -HUGE_VAL));
  CHECK(parse_eq("1e-400", 0.0));
  CHECK(parse_eq("4.9406564584124654e-324", 4.9406564584124654e-324));
  CHECK(parse_eq("2.4703282292062328e-324", 4.9406564584124654e-324));
  CHECK(parse_eq("2.4703282292062327e-324", 0.0));
  CHECK(parse_eq("9007199254740993", 9007199254740992.0));
  CHECK(parse_eq("9007199254740995", 9007199254740996.0));
  CHECK(parse_eq("1.7976931348623157e308", 1.7976931348623157e308));
  CHECK(parse_eq("1.7976931348623159e308", HUGE_VAL));
  CHECK(parse_eq("0.000000000000000000000000000000000000001", 1e-39));
  CHECK(parse_eq("123456789012345678901234567890", 1.2345678901234568e29));
  {
    const char *s = "-nan";
    CHECK(txt_parse_double(s, s + 4, 0, &d) == TXT_NUM_OK && isnan(d) &&
          signbit(d));
  }
  /* rejections */
  {
    const char *bad[] = {"", "1_000", "1.2.3", "0x1p3", "1e", "e5", ".",
                         "-", "+", "nan(12)", "infx", "1 ", " 1", "1e+",
                         "--1", "1,5", "١٢", NULL};
    int i;
    for (i = 0; bad[i]; i++)
      CHECK(txt_parse_double(bad[i], bad[i] + strlen(bad[i]), 0, &d) ==
            TXT_NUM_BAD);
  }
  /* underscores as Python float() takes them */
  {
    const char *ok[] = {"1_000", "1_0.5_5", "1e1_0", NULL};
    const char *bad[] = {"_1", "1_", "1__0", "1_.5", "1._5", "1e_5", NULL};
    int i;
    for (i = 0; ok[i]; i++)
      CHECK(txt_parse_double(ok[i], ok[i] + strlen(ok[i]), TXT_F_UNDERSCORE,
                             &d) == TXT_NUM_OK);
    for (i = 0; bad[i]; i++)
      CHECK(txt_parse_double(bad[i], bad[i] + strlen(bad[i]),
                             TXT_F_UNDERSCORE, &d) == TXT_NUM_BAD);
    d = 0;
    txt_parse_double("1_000", "1_000" + 5, TXT_F_UNDERSCORE, &d);
    CHECK(d == 1000.0);
  }
}

static void test_parse_ints(void) {
  int64_t i;
  uint64_t u;
  CHECK(txt_parse_i64("9223372036854775807", "9223372036854775807" + 19, 0,
                      &i) == TXT_NUM_OK && i == INT64_MAX);
  CHECK(txt_parse_i64("-9223372036854775808", "-9223372036854775808" + 20,
                      0, &i) == TXT_NUM_OK && i == INT64_MIN);
  CHECK(txt_parse_i64("9223372036854775808", "9223372036854775808" + 19, 0,
                      &i) == TXT_NUM_RANGE);
  CHECK(txt_parse_i64("-9223372036854775809", "-9223372036854775809" + 20,
                      0, &i) == TXT_NUM_RANGE);
  CHECK(txt_parse_u64("18446744073709551615", "18446744073709551615" + 20,
                      0, &u) == TXT_NUM_OK && u == UINT64_MAX);
  CHECK(txt_parse_u64("18446744073709551616", "18446744073709551616" + 20,
                      0, &u) == TXT_NUM_RANGE);
  CHECK(txt_parse_u64("-1", "-1" + 2, 0, &u) == TXT_NUM_BAD);
  CHECK(txt_parse_i64("+12", "+12" + 3, 0, &i) == TXT_NUM_OK && i == 12);
  CHECK(txt_parse_i64("1.5", "1.5" + 3, 0, &i) == TXT_NUM_BAD);
  CHECK(txt_parse_i64("", "", 0, &i) == TXT_NUM_BAD);
  CHECK(txt_parse_i64("1_000", "1_000" + 5, 0, &i) == TXT_NUM_BAD);
  CHECK(txt_parse_i64("1_000", "1_000" + 5, TXT_F_UNDERSCORE, &i) ==
        TXT_NUM_OK && i == 1000);
}

static void test_parse_complex(void) {
  double re, im;
  const char *s;
#define CPX(str, r, i_) \
  (s = (str), txt_parse_complex(s, s + strlen(s), 0, 'j', 1, &re, &im) == \
   TXT_NUM_OK && re == (r) && im == (i_))
  CHECK(CPX("1+2j", 1, 2));
  CHECK(CPX("(3-4j)", 3, -4));
  CHECK(CPX("5j", 0, 5));
  CHECK(CPX("  ( 1+2j )  ", 1, 2));
  CHECK(CPX("1.5", 1.5, 0));
  CHECK(CPX("1+-2j", 1, -2));
  CHECK(!CPX("(1+2j", 1, 2));
  CHECK(!CPX("1+2", 1, 2));
  CHECK(!CPX("j", 0, 1));
#undef CPX
}

/* Random decimal strings: same bits as strtod. */
static void test_parse_vs_strtod(int n) {
  char buf[96];
  int i, bad = 0;
  for (i = 0; i < n; i++) {
    int nd = 1 + (int)(rnd() % 25), k = 0, j, point = (int)(rnd() % (nd + 1));
    int ex = (int)(rnd() % 700) - 350;
    double a, b;
    if (rnd() & 1) buf[k++] = '-';
    for (j = 0; j < nd; j++) {
      if (j == point) buf[k++] = '.';
      buf[k++] = (char)('0' + (j == 0 ? 1 + rnd() % 9 : rnd() % 10));
    }
    k += snprintf(buf + k, sizeof buf - (size_t)k, "e%d", ex);
    a = strtod(buf, NULL);
    if (txt_parse_double(buf, buf + k, 0, &b) != TXT_NUM_OK ||
        d2bits(a) != d2bits(b)) {
      if (bad++ < 5) fprintf(stderr, "parse mismatch: %s\n", buf);
    }
  }
  CHECK_EQ_INT(bad, 0);
}

/* Halfway cases: exact midpoints between neighbouring doubles. */
static void test_parse_halfway(int n) {
  char buf[64];
  int i, bad = 0;
  for (i = 0; i < n; i++) {
    double a = rnd_double(), b2, r;
    long double mid;
    if (a == 0 || !isfinite(a)) continue;
    b2 = nextafter(a, HUGE_VAL);
    mid = ((long double)a + (long double)b2) / 2;
    snprintf(buf, sizeof buf, "%.40Lg", mid);
    if (txt_parse_double(buf, buf + strlen(buf), 0, &r) != TXT_NUM_OK ||
        d2bits(r) != d2bits(strtod(buf, NULL))) {
      if (bad++ < 5) fprintf(stderr, "halfway mismatch: %s\n", buf);
    }
  }
  CHECK_EQ_INT(bad, 0);
}

/* The property test: %.17g, %.18e and shortest read back exactly. */
static void test_roundtrip(int n) {
  char buf[64];
  int i, bad = 0;
  for (i = 0; i < n; i++) {
    double d = rnd_double(), r;
    int k;
    k = snprintf(buf, sizeof buf, "%.17g", d);
    if (txt_parse_double(buf, buf + k, 0, &r) || d2bits(r) != d2bits(d))
      bad++;
    k = snprintf(buf, sizeof buf, "%.18e", d);
    if (txt_parse_double(buf, buf + k, 0, &r) || d2bits(r) != d2bits(d))
      bad++;
    k = txt_float_str(buf, d, 64);
    if (txt_parse_double(buf, buf + k, 0, &r) || d2bits(r) != d2bits(d)) {
      if (bad < 5) fprintf(stderr, "shortest mismatch: %s\n", buf);
      bad++;
    }
  }
  CHECK_EQ_INT(bad, 0);
}

/* }====================================================== */

/* {======================================================
** Formatting
** ======================================================= */

static int fmt_check(double v, const char *cfmt, const txt_spec *sp) {
  char want[2048];
  npio_buf b = {0};
  int ok;
  snprintf(want, sizeof want, cfmt, v);
  if (txt_fmt_double(&b, v, sp) != NPIO_OK) return 0;
  ok = b.len == strlen(want) && memcmp(b.p, want, b.len) == 0;
  if (!ok) {
    fprintf(stderr, "format mismatch %s %.17g: got '%.*s' want '%s'\n",
            cfmt, v, (int)b.len, b.p, want);
  }
  npio_buf_free(&b);
  return ok;
}

/* Builds a C format and the matching spec. */
static void make_spec(txt_spec *sp, char *cfmt, char conv, int flags,
                      int width, int prec) {
  int k = 0;
  cfmt[k++] = '%';
  if (flags & TXT_FL_MINUS) cfmt[k++] = '-';
  if (flags & TXT_FL_PLUS) cfmt[k++] = '+';
  if (flags & TXT_FL_SPACE) cfmt[k++] = ' ';
  if (flags & TXT_FL_ALT) cfmt[k++] = '#';
  if (flags & TXT_FL_ZERO) cfmt[k++] = '0';
  if (width > 0) k += sprintf(cfmt + k, "%d", width);
  if (prec >= 0) k += sprintf(cfmt + k, ".%d", prec);
  cfmt[k++] = conv;
  cfmt[k] = '\0';
  sp->conv = conv;
  sp->flags = flags;
  sp->width = width;
  sp->prec = prec;
}

static void test_format_defaults(int n) {
  txt_spec e18 = {'e', 0, 0, 18}, g6 = {'g', 0, 0, 6};
  int i, bad = 0;
  for (i = 0; i < n; i++) {
    double v = rnd_double();
    if (!fmt_check(v, "%.18e", &e18)) bad++;
    if (!fmt_check(v, "%.6g", &g6)) bad++;
    if (bad > 10) break;
  }
  CHECK_EQ_INT(bad, 0);
}

static void test_format_random(int n) {
  static const char convs[] = "eEfFgG";
  int i, bad = 0;
  for (i = 0; i < n; i++) {
    double v = rnd_double();
    txt_spec sp;
    char cfmt[32];
    char conv = convs[rnd() % 6];
    int flags = (rnd() % 4 == 0) ? (int)(rnd() % 32) : 0;
    int width = (rnd() % 3 == 0) ? (int)(rnd() % 30) : 0;
    int prec = (int)(rnd() % 8 == 0 ? rnd() % 60 : rnd() % 21);
    if (rnd() % 10 == 0) prec = -1;
    if ((conv == 'f' || conv == 'F') && fabs(v) > 1e60 && prec > 10)
      prec = 10;
    /* glibc drops the 0 of "%#.2g" when rounding carries (1.E+02);
    ** Python writes 1.0E+02: those are checked by hand below */
    if (conv == 'g' || conv == 'G') flags &= ~TXT_FL_ALT;
    make_spec(&sp, cfmt, conv, flags, width, prec);
    if (!fmt_check(v, cfmt, &sp)) bad++;
    if (bad > 10) break;
  }
  CHECK_EQ_INT(bad, 0);
}

/* Exact ties at every precision: k/2^j values. */
static void test_format_ties(void) {
  int j, k, p, bad = 0;
  for (j = 1; j <= 12; j++)
    for (k = 1; k < 64; k += 2)
      for (p = 0; p < 6; p++) {
        double v = ldexp((double)k, -j);
        txt_spec sp;
        char cfmt[32];
        make_spec(&sp, cfmt, 'f', 0, 0, p);
        if (!fmt_check(v, cfmt, &sp)) bad++;
        make_spec(&sp, cfmt, 'e', 0, 0, p);
        if (!fmt_check(v, cfmt, &sp)) bad++;
        make_spec(&sp, cfmt, 'g', 0, 0, p);
        if (!fmt_check(v, cfmt, &sp)) bad++;
      }
  CHECK_EQ_INT(bad, 0);
}

/* Extremes: subnormals, the largest values, long %f. */
static void test_format_extremes(void) {
  double vals[] = {5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
                   1e300, 1e-300, 123456789e200, 0.1, 1e22, 1e23};
  int i, p, bad = 0;
  for (i = 0; i < (int)(sizeof vals / sizeof vals[0]); i++)
    for (p = 0; p < 40; p += 3) {
      txt_spec sp;
      char cfmt[32];
      make_spec(&sp, cfmt, 'e', 0, 0, p);
      if (!fmt_check(vals[i], cfmt, &sp)) bad++;
      make_spec(&sp, cfmt, 'g', 0, 0, p);
      if (!fmt_check(vals[i], cfmt, &sp)) bad++;
      make_spec(&sp, cfmt, 'f', 0, 0, p);
      if (!fmt_check(vals[i], cfmt, &sp)) bad++;
    }
  {
    txt_spec sp;
    char cfmt[32];
    make_spec(&sp, cfmt, 'f', 0, 0, 1080);
    if (!fmt_check(5e-324, cfmt, &sp)) bad++;
    make_spec(&sp, cfmt, 'e', 0, 0, 800);
    if (!fmt_check(5e-324, cfmt, &sp)) bad++;
  }
  CHECK_EQ_INT(bad, 0);
}

static int fmt_is(double v, txt_spec sp, const char *want) {
  npio_buf b = {0};
  int ok;
  txt_fmt_double(&b, v, &sp);
  ok = b.p && strcmp(b.p, want) == 0;
  if (!ok) fprintf(stderr, "got '%s' want '%s'\n", b.p ? b.p : "", want);
  npio_buf_free(&b);
  return ok;
}

/* Python's spelling of inf and nan (no NaN sign, zeros pad). */
static void test_format_python_special(void) {
  txt_spec f = {'f', 0, 0, -1}, F = {'F', 0, 0, -1};
  txt_spec z = {'f', TXT_FL_ZERO, 10, 3}, p = {'e', TXT_FL_PLUS, 0, -1};
  CHECK(fmt_is(HUGE_VAL, f, "inf"));
  CHECK(fmt_is(-HUGE_VAL, f, "-inf"));
  CHECK(fmt_is(-NAN, f, "nan"));
  CHECK(fmt_is(NAN, F, "NAN"));
  CHECK(fmt_is(HUGE_VAL, z, "0000000inf"));
  CHECK(fmt_is(-HUGE_VAL, z, "-000000inf"));
  CHECK(fmt_is(NAN, p, "+nan"));
  CHECK(fmt_is(-0.0, z, "-00000.000"));
  {
    txt_spec g2 = {'G', TXT_FL_ALT, 0, 2}, g8 = {'G', TXT_FL_SPACE | TXT_FL_ALT | TXT_FL_ZERO, 19, 8};
    txt_spec g6 = {'g', TXT_FL_MINUS | TXT_FL_SPACE | TXT_FL_ALT, 0, -1};
    txt_spec g0 = {'g', TXT_FL_ALT, 0, -1};
    CHECK(fmt_is(99.999999999999972, g2, "1.0E+02"));
    CHECK(fmt_is(99999999.999999985, g8, " 000001.0000000E+08"));
    CHECK(fmt_is(999999.99999999988, g6, " 1.00000e+06"));
    CHECK(fmt_is(0.0001, g0, "0.000100000"));
    CHECK(fmt_is(-0.0, g0, "-0.00000"));
  }
}

static int int_is(uint64_t mag, int neg, txt_spec sp, const char *want) {
  npio_buf b = {0};
  int ok;
  txt_fmt_int(&b, mag, neg, &sp);
  ok = b.p && strcmp(b.p, want) == 0;
  if (!ok) fprintf(stderr, "got '%s' want '%s'\n", b.p ? b.p : "", want);
  npio_buf_free(&b);
  return ok;
}

static void test_format_ints(void) {
  txt_spec d = {'d', 0, 0, -1}, x = {'x', 0, 0, -1};
  txt_spec ax = {'x', TXT_FL_ALT, 0, -1}, ao = {'o', TXT_FL_ALT, 0, -1};
  txt_spec d3 = {'d', 0, 0, 3}, z = {'x', TXT_FL_ALT | TXT_FL_ZERO, 10, -1};
  CHECK(int_is(31, 1, d, "-31"));
  CHECK(int_is(31, 1, x, "-1f"));
  CHECK(int_is(UINT64_MAX, 0, x, "ffffffffffffffff"));
  CHECK(int_is(31, 1, ax, "-0x1f"));
  CHECK(int_is(8, 0, ao, "0o10"));
  CHECK(int_is(31, 1, d3, "-031"));
  CHECK(int_is(255, 0, z, "0x000000ff"));
  {
    npio_buf b = {0};
    txt_spec dd = {'d', 0, 0, -1};
    txt_fmt_double_int(&b, 1e300, &dd);
    CHECK(b.p && strncmp(b.p, "10000000000000000525047602552044202487", 38)
          == 0 && b.len == 301);
    npio_buf_free(&b);
    CHECK(txt_fmt_double_int(&b, NAN, &dd) == NPIO_EVALUE);
    npio_buf_free(&b);
  }
}

static void test_float_str(void) {
  char buf[64];
  struct { double v; int bits; const char *want; } cases[] = {
    {1e16, 64, "1e+16"}, {9999999999999998.0, 64, "9999999999999998.0"},
    {1e15, 64, "1000000000000000.0"}, {0.0001, 64, "0.0001"},
    {9.9e-5, 64, "9.9e-05"}, {-0.0, 64, "-0.0"}, {5e-324, 64, "5e-324"},
    {1152921504606846976.0, 64, "1.152921504606847e+18"},
    {1.0 / 3, 64, "0.3333333333333333"}, {100.0, 64, "100.0"},
    {(float)0.0001, 32, "1e-04"}, {(float)123456789.123, 32, "123456790.0"},
    {(float)(1.0 / 3), 32, "0.33333334"}, {65504.0, 16, "65500.0"},
    {0.333251953125, 16, "0.3333"}, {NAN, 64, "nan"}, {-HUGE_VAL, 64, "-inf"},
    {1.5, 64, "1.5"}, {1e22, 64, "1e+22"},
  };
  int i;
  for (i = 0; i < (int)(sizeof cases / sizeof cases[0]); i++) {
    txt_float_str(buf, cases[i].v, cases[i].bits);
    CHECK_STR(buf, cases[i].want);
  }
}

static void test_half(void) {
  CHECK(txt_double_to_half(1.0) == 0x3C00);
  CHECK(txt_double_to_half(65504.0) == 0x7BFF);
  CHECK(txt_double_to_half(65520.0) == 0x7C00);
  CHECK(txt_double_to_half(5.960464477539063e-08) == 0x0001);
  CHECK(txt_double_to_half(2.9802322387695312e-08) == 0x0000);  /* tie */
  CHECK(txt_half_to_double(0x3555) == 0.333251953125);
  CHECK(txt_half_to_double(0xFC00) == -HUGE_VAL);
}

/* }====================================================== */

int main(int argc, char **argv) {
  int big = argc > 1 && strcmp(argv[1], "--big") == 0;
  (void)argv;
  test_parse_fixed();
  test_parse_ints();
  test_parse_complex();
  test_parse_vs_strtod(big ? 5000000 : 300000);
  test_parse_halfway(big ? 1000000 : 100000);
  test_roundtrip(big ? 10000000 : 1000000);
  test_format_defaults(big ? 5000000 : 300000);
  test_format_random(big ? 5000000 : 300000);
  test_format_ties();
  test_format_extremes();
  test_format_python_special();
  test_format_ints();
  test_float_str();
  test_half();
  return test_report("txt_num");
}
