/*
** convert_int.h -- internal helpers of convert.c that other parts of the
** format core may use (printing, text I/O). No Lua here.
*/
#ifndef CONVERT_INT_H
#define CONVERT_INT_H

#include "npio_int.h"

/* Room that is always enough for cvt_elem_str's text of one number. */
#define CVT_STRMAX 128

/*
** Writes NumPy's str() of the element at 'p' of the simple dtype 'd'
** (bool, ints, floats of every size with NumPy's shortest repr, complex,
** datetime64 as ISO text, timedelta64 as "5 seconds") into 'out' (at
** least CVT_STRMAX bytes), NUL-terminated. Returns the length, or -1
** with 'e' set for kinds that have no such text (S, U, V, structured).
*/
NPIOI_FUNC int cvt_elem_str(const npio_dtype *d, const char *p, char *out,
                            npio_err *e);

/* NumPy's str() of a double (repr of a Python float): "1.5", "1e+20". */
NPIOI_FUNC int cvt_double_str(double x, char *out);

/*
** The number of characters NumPy picks for astype('S') / astype('U')
** of a dtype: 5 for bool, 21 for int64, 32 for float64, 64 for
** complex128, 38 for datetime64[s]... ; 0 if NumPy has no default.
*/
NPIOI_FUNC int64_t cvt_default_strlen(const npio_dtype *d);

/*
** Parses text as Python's float() does (surrounding white space,
** underscores between digits, inf/nan words); 0 on success, else -1.
*/
NPIOI_FUNC int cvt_parse_double(const char *s, size_t len, double *out);

#endif
