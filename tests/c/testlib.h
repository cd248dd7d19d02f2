/*
** testlib.h -- a minimal C test harness. Each test program includes it,
** calls CHECK()/CHECK_EQ_INT()/CHECK_STR() and ends with
** 'return test_report("name");', which prints "N passed, N failed"
** and returns non-zero if anything failed.
*/
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond) do { \
    if (cond) test_passed++; \
    else { test_failed++; \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
  } while (0)

#define CHECK_EQ_INT(a, b) do { \
    long long va_ = (long long)(a), vb_ = (long long)(b); \
    if (va_ == vb_) test_passed++; \
    else { test_failed++; \
      fprintf(stderr, "FAIL %s:%d: %s == %lld, expected %lld\n", \
              __FILE__, __LINE__, #a, va_, vb_); } \
  } while (0)

#define CHECK_STR(a, b) do { \
    const char *sa_ = (a), *sb_ = (b); \
    if (sa_ && sb_ && strcmp(sa_, sb_) == 0) test_passed++; \
    else { test_failed++; \
      fprintf(stderr, "FAIL %s:%d: %s == \"%s\", expected \"%s\"\n", \
              __FILE__, __LINE__, #a, sa_ ? sa_ : "(null)", \
              sb_ ? sb_ : "(null)"); } \
  } while (0)

static inline int test_report(const char *name) {
  printf("%s: %d passed, %d failed\n", name, test_passed, test_failed);
  return test_failed != 0;
}

#endif
