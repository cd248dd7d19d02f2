/*
** dtype.c -- NumPy data types: parsing the names NumPy accepts, the
** descriptions .npy headers carry (strings and structured lists), and
** printing them back exactly as NumPy does.
*/
#include "npio_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The largest itemsize NumPy accepts ("must fit into a C int"). */
#define MAX_ITEMSIZE ((int64_t)INT32_MAX)

static npio_dtype *dtype_alloc(npio_err *e) {
  npio_dtype *d = (npio_dtype *)calloc(1, sizeof(*d));
  if (d == NULL) npio_seterr(e, NPIO_ENOMEM, "out of memory");
  else d->refcount = 1;
  return d;
}

npio_dtype *npio_dtype_ref(npio_dtype *d) {
  if (d) d->refcount++;
  return d;
}

void npio_dtype_unref(npio_dtype *d) {
  int i;
  if (d == NULL || --d->refcount > 0) return;
  for (i = 0; i < d->nfields; i++) {
    free(d->fields[i].name);
    free(d->fields[i].title);
    npio_dtype_unref(d->fields[i].type);
  }
  free(d->fields);
  npio_dtype_unref(d->base);
  free(d);
}

/* The byte order NumPy shows for a kind and size: '|' where it cannot
** matter, else the requested order ('=' means native). */
static char norm_order(char kind, int64_t itemsize, char order) {
  if (kind == 'S' || kind == 'V' || kind == 'b' || itemsize == 1)
    return '|';
  if (order == '=' || order == '|' || order == 0) return npio_native_order();
  if (order == '!') return '>';
  return order;
}

static int valid_size(char kind, int64_t size) {
  switch (kind) {
    case 'b': return size == 1;
    case 'i': case 'u': return size == 1 || size == 2 || size == 4 || size == 8;
    case 'f': return size == 2 || size == 4 || size == 8 || size == 16;
    case 'c': return size == 8 || size == 16 || size == 32;
    case 'M': case 'm': return size == 8;
    case 'S': case 'V': return size >= 1 && size <= MAX_ITEMSIZE;
    case 'U': return size >= 4 && size <= MAX_ITEMSIZE && size % 4 == 0;
    default: return 0;
  }
}

static npio_dtype *make_simple(char kind, int64_t itemsize, char order,
                               const char *unit, npio_err *e) {
  npio_dtype *d;
  if (!valid_size(kind, itemsize)) {
    npio_seterr(e, NPIO_EVALUE, "unsupported itemsize %lld for kind '%c'",
                (long long)itemsize, kind);
    return NULL;
  }
  d = dtype_alloc(e);
  if (d == NULL) return NULL;
  d->kind = kind;
  d->itemsize = itemsize;
  d->order = norm_order(kind, itemsize, order);
  d->alignment = (kind == 'S' || kind == 'V' || kind == 'b') ? 1
                 : kind == 'U' ? 4
                 : kind == 'c' ? itemsize / 2 : itemsize;
  if (unit) snprintf(d->unit, sizeof(d->unit), "%s", unit);
  return d;
}

npio_dtype *npio_dtype_simple(char kind, int64_t itemsize) {
  return make_simple(kind, itemsize, '=', NULL, NULL);
}

/* {======================================================
** Parsing names
** ======================================================= */

typedef struct dtname { const char *name; char kind; int size; } dtname;

/* Names NumPy accepts for dtypes (on x86-64 Linux: long is 64 bits). */
static const dtname names[] = {
  {"bool", 'b', 1}, {"bool_", 'b', 1}, {"bool8", 'b', 1}, {"?", 'b', 1},
  {"int8", 'i', 1}, {"int16", 'i', 2}, {"int32", 'i', 4}, {"int64", 'i', 8},
  {"uint8", 'u', 1}, {"uint16", 'u', 2}, {"uint32", 'u', 4}, {"uint64", 'u', 8},
  {"float16", 'f', 2}, {"float32", 'f', 4}, {"float64", 'f', 8},
  {"float128", 'f', 16}, {"complex64", 'c', 8}, {"complex128", 'c', 16},
  {"complex256", 'c', 32},
  {"byte", 'i', 1}, {"ubyte", 'u', 1}, {"short", 'i', 2}, {"ushort", 'u', 2},
  {"intc", 'i', 4}, {"uintc", 'u', 4}, {"int_", 'i', 8}, {"int", 'i', 8},
  {"uint", 'u', 8}, {"long", 'i', 8}, {"ulong", 'u', 8},
  {"longlong", 'i', 8}, {"ulonglong", 'u', 8}, {"intp", 'i', 8},
  {"uintp", 'u', 8}, {"half", 'f', 2}, {"single", 'f', 4},
  {"double", 'f', 8}, {"float", 'f', 8}, {"float_", 'f', 8},
  {"longdouble", 'f', 16}, {"longfloat", 'f', 16}, {"csingle", 'c', 8},
  {"cdouble", 'c', 16}, {"complex", 'c', 16}, {"complex_", 'c', 16},
  {"clongdouble", 'c', 32},
  /* one-letter type codes */
  {"b", 'i', 1}, {"B", 'u', 1}, {"h", 'i', 2}, {"H", 'u', 2}, {"i", 'i', 4},
  {"I", 'u', 4}, {"l", 'i', 8}, {"L", 'u', 8}, {"q", 'i', 8}, {"Q", 'u', 8},
  {"p", 'i', 8}, {"P", 'u', 8}, {"e", 'f', 2}, {"f", 'f', 4}, {"d", 'f', 8},
  {"g", 'f', 16}, {"F", 'c', 8}, {"D", 'c', 16}, {"G", 'c', 32},
  {NULL, 0, 0}
};

static const char *const time_units[] = {
  "Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as",
  "generic", NULL
};

/* Checks a datetime unit "[25ms]" body: optional multiplier, a unit. */
static int valid_unit(const char *u, size_t len) {
  size_t i = 0;
  int k;
  while (i < len && isdigit((unsigned char)u[i])) i++;
  if (i > 0 && u[0] == '0') return 0;
  if (i > 9) return 0;
  for (k = 0; time_units[k]; k++)
    if (strlen(time_units[k]) == len - i &&
        memcmp(time_units[k], u + i, len - i) == 0)
      return !(i > 0 && strcmp(time_units[k], "generic") == 0);
  return 0;
}

/* Parses the decimal itemsize after a kind letter; -1 if malformed. */
static int64_t parse_size(const char *s) {
  int64_t v = 0;
  if (*s == '\0' || !isdigit((unsigned char)*s)) return -1;
  for (; *s; s++) {
    if (!isdigit((unsigned char)*s)) return -1;
    v = v * 10 + (*s - '0');
    if (v > MAX_ITEMSIZE * 4) return MAX_ITEMSIZE * 4 + 1;
  }
  return v;
}

/* Datetime forms: M8, M8[ns], datetime64, datetime64[ns]; same for m. */
static npio_dtype *parse_time(char kind, const char *rest, char order,
                              npio_err *e, const char *whole) {
  char unit[32] = "";
  if (*rest == '[') {
    const char *close = strchr(rest, ']');
    size_t len;
    if (close == NULL || close[1] != '\0') goto bad;
    len = (size_t)(close - rest - 1);
    if (len == 0 || len >= sizeof(unit) || !valid_unit(rest + 1, len))
      goto bad;
    memcpy(unit, rest + 1, len);
    unit[len] = '\0';
    if (strcmp(unit, "generic") == 0) unit[0] = '\0';
  } else if (*rest != '\0')
    goto bad;
  return make_simple(kind, 8, order, unit, e);
bad:
  npio_seterr(e, NPIO_EVALUE, "data type '%s' not understood", whole);
  return NULL;
}

npio_dtype *npio_dtype_parse(const char *s, npio_err *e) {
  const char *whole = s;
  char order = '=';
  int i;
  int64_t size;
  if (s == NULL || *s == '\0') {
    npio_seterr(e, NPIO_EVALUE, "data type '' not understood");
    return NULL;
  }
  if (strchr("<>|=!", *s) != NULL) order = *s++;
  if (*s == 'O' || strcmp(s, "object") == 0 || strcmp(s, "object_") == 0) {
    npio_seterr(e, NPIO_ETYPE,
                "object arrays are not supported (npio never unpickles)");
    return NULL;
  }
  for (i = 0; names[i].name; i++)
    if (strcmp(s, names[i].name) == 0)
      return make_simple(names[i].kind, names[i].size, order, NULL, e);
  if (strncmp(s, "datetime64", 10) == 0) return parse_time('M', s + 10, order, e, whole);
  if (strncmp(s, "timedelta64", 11) == 0) return parse_time('m', s + 11, order, e, whole);
  if ((s[0] == 'M' || s[0] == 'm') && s[1] == '8')
    return parse_time(s[0], s + 2, order, e, whole);
  if (strncmp(s, "bytes", 5) == 0 || strncmp(s, "str", 3) == 0 ||
      strncmp(s, "void", 4) == 0) {
    const char *num = s + (s[0] == 'b' ? 5 : s[0] == 's' ? 3 : 4);
    char kind = s[0] == 'b' ? 'S' : s[0] == 's' ? 'U' : 'V';
    size = parse_size(num);
    if (size <= 0) goto bad;
    if (kind == 'U') {
      if (size > MAX_ITEMSIZE / 4) goto toobig;
      size *= 4;
    } else if (kind != 'V')
      size /= 8;   /* bytes8 etc. are given in bits */
    return make_simple(kind, size, order, NULL, e);
  }
  /* kind letter + size: i4, f8, S10, a10, U8, V16, b1, c16 */
  if (strchr("biufcSaUV", s[0]) != NULL) {
    char kind = s[0] == 'a' ? 'S' : s[0];
    size = parse_size(s + 1);
    if (size < 0) goto bad;
    if (size == 0) {
      npio_seterr(e, NPIO_EVALUE, "data type '%s': zero-sized %s type is not "
                  "supported", whole, kind == 'U' ? "unicode" : kind == 'V' ?
                  "void" : kind == 'S' ? "bytes" : "numeric");
      return NULL;
    }
    if (kind == 'U') {
      if (size > MAX_ITEMSIZE / 4) goto toobig;
      size *= 4;
    }
    if (size > MAX_ITEMSIZE) goto toobig;
    if (!valid_size(kind, size)) goto bad;
    return make_simple(kind, size, order, NULL, e);
  }
bad:
  npio_seterr(e, NPIO_EVALUE, "data type '%s' not understood", whole);
  return NULL;
toobig:
  npio_seterr(e, NPIO_EVALUE, "data type '%s': itemsize too large (must "
              "fit in a C int)", whole);
  return NULL;
}

/* }====================================================== */

/* {======================================================
** Building structured and subarray types
** ======================================================= */

npio_dtype *npio_dtype_subarray(npio_dtype *base, int ndim,
                                const int64_t *shape, npio_err *e) {
  npio_dtype *d;
  int64_t n = 1, size;
  int i;
  if (ndim < 0 || ndim > NPIO_MAXDIMS) {
    npio_seterr(e, NPIO_EVALUE, "subarray has too many dimensions");
    return NULL;
  }
  for (i = 0; i < ndim; i++)
    if (npio_mul_overflow(n, shape[i], &n)) {
      npio_seterr(e, NPIO_EVALUE, "invalid subarray shape");
      return NULL;
    }
  if (npio_mul_overflow(n, base->itemsize, &size) || size > MAX_ITEMSIZE) {
    npio_seterr(e, NPIO_EVALUE, "subarray too large");
    return NULL;
  }
  d = dtype_alloc(e);
  if (d == NULL) return NULL;
  d->kind = 'V';
  d->order = '|';
  d->itemsize = size;
  d->alignment = base->alignment;
  d->base = npio_dtype_ref(base);
  d->sub_ndim = ndim;
  for (i = 0; i < ndim; i++) d->sub_shape[i] = shape[i];
  return d;
}

/* Makes a structured type with room for n fields; the caller fills them. */
static npio_dtype *struct_alloc(int n, npio_err *e) {
  npio_dtype *d = dtype_alloc(e);
  if (d == NULL) return NULL;
  d->kind = 'V';
  d->order = '|';
  d->alignment = 1;
  if (n > 0) {
    d->fields = (npio_field *)calloc((size_t)n, sizeof(npio_field));
    if (d->fields == NULL) {
      free(d);
      npio_seterr(e, NPIO_ENOMEM, "out of memory");
      return NULL;
    }
  }
  return d;
}

static int add_field(npio_dtype *d, const char *name, const char *title,
                     npio_dtype *type, int64_t offset, npio_err *e) {
  npio_field *f = &d->fields[d->nfields];
  int i;
  if (!npio_valid_utf8(name, strlen(name)) ||
      (title && !npio_valid_utf8(title, strlen(title))))
    return npio_seterr(e, NPIO_EVALUE, "field names and titles must be "
                       "valid UTF-8");
  for (i = 0; i < d->nfields; i++)
    if (strcmp(d->fields[i].name, name) == 0)
      return npio_seterr(e, NPIO_EVALUE, "field '%s' occurs more than once",
                         name);
  f->name = strdup(name);
  f->title = title ? strdup(title) : NULL;
  if (f->name == NULL || (title && f->title == NULL)) {
    free(f->name);
    free(f->title);
    return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  }
  f->type = npio_dtype_ref(type);
  f->offset = offset;
  if (type->alignment > d->alignment) d->alignment = type->alignment;
  d->nfields++;
  return NPIO_OK;
}

npio_dtype *npio_dtype_struct(int n, const char *const *fnames,
                              npio_dtype *const *types, npio_err *e) {
  npio_dtype *d = struct_alloc(n, e);
  int64_t off = 0;
  int i;
  if (d == NULL) return NULL;
  for (i = 0; i < n; i++) {
    if (add_field(d, fnames[i], NULL, types[i], off, e) != NPIO_OK ||
        npio_add_overflow(off, types[i]->itemsize, &off) ||
        off > MAX_ITEMSIZE) {
      if (e && e->code == NPIO_OK) npio_seterr(e, NPIO_EVALUE, "record too large");
      npio_dtype_unref(d);
      return NULL;
    }
  }
  d->itemsize = off;
  return d;
}

/* Parses a subarray shape: an int or a tuple of ints. */
static int shape_from_pyl(const pyl_node *n, int *ndim, int64_t *shape,
                          npio_err *e) {
  int i;
  if (n->type == PYL_INT && !n->big && n->ival >= 0) {
    *ndim = 1;
    shape[0] = n->ival;
    return NPIO_OK;
  }
  if (n->type != PYL_TUPLE || n->n > NPIO_MAXDIMS)
    return npio_seterr(e, NPIO_EFORMAT, "invalid subarray shape");
  for (i = 0; i < n->n; i++) {
    const pyl_node *it = n->items[i];
    if ((it->type != PYL_INT && it->type != PYL_BOOL) || it->big || it->ival < 0)
      return npio_seterr(e, NPIO_EFORMAT, "invalid subarray shape");
    shape[i] = it->ival;
  }
  *ndim = n->n;
  return NPIO_OK;
}

/*
** Builds a dtype from a header descr: a string, or a list of (name,
** descr[, shape]) tuples, where name may be (title, name) and '' names
** of plain void type are padding (skipped, but they move the offset).
*/
npio_dtype *dtype_from_pyl(const pyl_node *n, npio_err *e) {
  npio_dtype *d;
  int64_t off = 0;
  int i;
  if (n->type == PYL_STR) {
    if (n->big) {   /* NumPy's descr_to_dtype takes str, never bytes */
      npio_seterr(e, NPIO_EFORMAT, "descr is a bytes literal, not a string");
      return NULL;
    }
    if (memchr(n->str, '\0', n->slen) != NULL) {
      npio_seterr(e, NPIO_EFORMAT, "descr contains a NUL byte");
      return NULL;
    }
    return npio_dtype_parse(n->str, e);
  }
  if (n->type == PYL_TUPLE && n->n == 2) {   /* (descr, shape): a subarray */
    int sd = 0;
    int64_t ss[NPIO_MAXDIMS];
    npio_dtype *base = dtype_from_pyl(n->items[0], e);
    if (base == NULL) return NULL;
    if (shape_from_pyl(n->items[1], &sd, ss, e) != NPIO_OK) {
      npio_dtype_unref(base);
      return NULL;
    }
    d = npio_dtype_subarray(base, sd, ss, e);
    npio_dtype_unref(base);
    return d;
  }
  if (n->type != PYL_LIST) {
    npio_seterr(e, NPIO_EFORMAT, "descr is not a valid dtype descriptor");
    return NULL;
  }
  d = struct_alloc(n->n, e);
  if (d == NULL) return NULL;
  for (i = 0; i < n->n; i++) {
    const pyl_node *f = n->items[i], *nm;
    const char *name, *title = NULL;
    npio_dtype *ft;
    if (f->type != PYL_TUPLE || f->n < 2 || f->n > 3) goto bad;
    nm = f->items[0];
    if (nm->type == PYL_TUPLE && nm->n == 2 && nm->items[0]->type == PYL_STR &&
        nm->items[1]->type == PYL_STR) {
      title = nm->items[0]->str;
      name = nm->items[1]->str;
    } else if (nm->type == PYL_STR)
      name = nm->str;
    else
      goto bad;
    ft = dtype_from_pyl(f->items[1], e);
    if (ft == NULL) { npio_dtype_unref(d); return NULL; }
    if (f->n == 3) {
      int sd = 0;
      int64_t ss[NPIO_MAXDIMS];
      npio_dtype *sub;
      if (shape_from_pyl(f->items[2], &sd, ss, e) != NPIO_OK) {
        npio_dtype_unref(ft);
        npio_dtype_unref(d);
        return NULL;
      }
      sub = npio_dtype_subarray(ft, sd, ss, e);
      npio_dtype_unref(ft);
      if (sub == NULL) { npio_dtype_unref(d); return NULL; }
      ft = sub;
    }
    if (!(name[0] == '\0' && ft->kind == 'V' && ft->nfields == 0 &&
          ft->base == NULL)) {
      if (name[0] == '\0') {
        /* NumPy names unnamed non-padding fields f<index> */
        char auto_name[32];
        snprintf(auto_name, sizeof(auto_name), "f%d", i);
        if (add_field(d, auto_name, title, ft, off, e) != NPIO_OK) goto fail;
      } else if (add_field(d, name, title, ft, off, e) != NPIO_OK)
        goto fail;
    }
    if (npio_add_overflow(off, ft->itemsize, &off) || off > MAX_ITEMSIZE) {
      npio_seterr(e, NPIO_EVALUE, "record too large");
      goto fail;
    }
    npio_dtype_unref(ft);
    continue;
  fail:
    npio_dtype_unref(ft);
    npio_dtype_unref(d);
    return NULL;
  }
  if (d->nfields == 0) {
    npio_dtype_unref(d);
    npio_seterr(e, NPIO_EVALUE, "structured dtype with no fields is not supported");
    return NULL;
  }
  d->itemsize = off;
  return d;
bad:
  npio_dtype_unref(d);
  npio_seterr(e, NPIO_EFORMAT, "descr is not a valid dtype descriptor");
  return NULL;
}

npio_dtype *npio_dtype_from_descr(const char *text, size_t len,
                                  npio_err *e) {
  pyl_node *n = pyl_parse(text, len, 0, e);
  npio_dtype *d;
  if (n == NULL) return NULL;
  d = dtype_from_pyl(n, e);
  pyl_free(n);
  return d;
}

/* }====================================================== */

/* {======================================================
** Printing
** ======================================================= */

/* The simple type's descr: '<f8', '|S10', '<U8', '<M8[ns]'. */
static int simple_descr(const npio_dtype *d, npio_buf *b) {
  int64_t n = d->kind == 'U' ? d->itemsize / 4 : d->itemsize;
  if (d->kind == 'M' || d->kind == 'm') {
    if (d->unit[0]) return npio_buf_printf(b, "%c%c8[%s]", d->order, d->kind, d->unit);
    return npio_buf_printf(b, "%c%c8", d->order, d->kind);
  }
  return npio_buf_printf(b, "%c%c%lld", d->order, d->kind, (long long)n);
}

static void shape_repr(npio_buf *b, int ndim, const int64_t *shape) {
  int i;
  npio_buf_addstr(b, "(");
  for (i = 0; i < ndim; i++)
    npio_buf_printf(b, i ? ", %lld" : "%lld", (long long)shape[i]);
  npio_buf_addstr(b, ndim == 1 ? ",)" : ")");
}

static int is_struct(const npio_dtype *d) { return d->nfields > 0; }

/* Writes a field type's descr: a string or a nested list. 'shortform'
** selects str(dtype)'s spelling of leaves ('?', 'i1', 'S3' without '|'). */
static void field_descr(const npio_dtype *t, npio_buf *b, int shortform);

/*
** dtype.descr for a structured type: fields in offset order with ('',
** '|V<n>') entries for gaps and for trailing padding.
*/
static void struct_descr(const npio_dtype *d, npio_buf *b, int shortform) {
  int i;
  int64_t pos = 0;
  int first = 1;
  npio_buf_addstr(b, "[");
  for (i = 0; i < d->nfields; i++) {
    const npio_field *f = &d->fields[i];
    const npio_dtype *t = f->type;
    if (f->offset > pos) {
      npio_buf_printf(b, "%s('', '|V%lld')", first ? "" : ", ",
                      (long long)(f->offset - pos));
      first = 0;
    }
    npio_buf_addstr(b, first ? "(" : ", (");
    first = 0;
    if (f->title) {
      npio_buf_addstr(b, "(");
      pyl_repr_str(b, f->title, strlen(f->title));
      npio_buf_addstr(b, ", ");
      pyl_repr_str(b, f->name, strlen(f->name));
      npio_buf_addstr(b, ")");
    } else
      pyl_repr_str(b, f->name, strlen(f->name));
    npio_buf_addstr(b, ", ");
    if (t->base) {
      field_descr(t->base, b, shortform);
      npio_buf_addstr(b, ", ");
      shape_repr(b, t->sub_ndim, t->sub_shape);
    } else
      field_descr(t, b, shortform);
    npio_buf_addstr(b, ")");
    if (f->offset + t->itemsize > pos) pos = f->offset + t->itemsize;
  }
  if (d->itemsize > pos)
    npio_buf_printf(b, "%s('', '|V%lld')", first ? "" : ", ",
                    (long long)(d->itemsize - pos));
  npio_buf_addstr(b, "]");
}

static void field_descr(const npio_dtype *t, npio_buf *b, int shortform) {
  if (is_struct(t))
    struct_descr(t, b, shortform);
  else if (t->base) {            /* a subarray of a subarray */
    npio_buf_addstr(b, "(");
    field_descr(t->base, b, shortform);
    npio_buf_addstr(b, ", ");
    shape_repr(b, t->sub_ndim, t->sub_shape);
    npio_buf_addstr(b, ")");
  } else {
    npio_buf_addstr(b, "'");
    if (shortform && t->kind == 'b')
      npio_buf_addstr(b, "?");
    else if (shortform && t->order == '|') {
      /* NumPy's short form leaves out the '|' of order-less types */
      size_t at = b->len;
      simple_descr(t, b);
      memmove(b->p + at, b->p + at + 1, b->len - at);
      b->len--;
    } else
      simple_descr(t, b);
    npio_buf_addstr(b, "'");
  }
}

int dtype_descr_buf(const npio_dtype *d, npio_buf *b) {
  size_t before = b->len;
  field_descr(d, b, 0);
  return b->p && b->len > before ? NPIO_OK : NPIO_ENOMEM;
}

static int64_t buf_out(npio_buf *b, char *out, size_t cap) {
  int64_t n = -1;
  if (b->p && b->len < cap) {
    memcpy(out, b->p, b->len + 1);
    n = (int64_t)b->len;
  }
  npio_buf_free(b);
  return n;
}

int64_t npio_dtype_descr(const npio_dtype *d, char *out, size_t cap) {
  npio_buf b = {0};
  dtype_descr_buf(d, &b);
  return buf_out(&b, out, cap);
}

/* 1 if the fields lie packed in order with no padding (NumPy then
** prints the list form; otherwise the dict form). */
static int is_packed(const npio_dtype *d) {
  int64_t pos = 0;
  int i;
  for (i = 0; i < d->nfields; i++) {
    if (d->fields[i].offset != pos) return 0;
    pos += d->fields[i].type->itemsize;
  }
  return pos == d->itemsize;
}

static void str_buf(const npio_dtype *d, npio_buf *b);

/* NumPy's str() of a field type inside a dict-form struct. */
static void field_str_quoted(const npio_dtype *t, npio_buf *b) {
  if (is_struct(t)) { str_buf(t, b); return; }
  field_descr(t, b, 1);
}

static void str_buf(const npio_dtype *d, npio_buf *b) {
  static const char *const fnames[] = {"float16", "float32", "float64", "float128"};
  if (is_struct(d)) {
    int i;
    if (is_packed(d)) { struct_descr(d, b, 1); return; }
    npio_buf_addstr(b, "{'names': [");
    for (i = 0; i < d->nfields; i++) {
      if (i) npio_buf_addstr(b, ", ");
      pyl_repr_str(b, d->fields[i].name, strlen(d->fields[i].name));
    }
    npio_buf_addstr(b, "], 'formats': [");
    for (i = 0; i < d->nfields; i++) {
      const npio_dtype *t = d->fields[i].type;
      if (i) npio_buf_addstr(b, ", ");
      if (t->base) {
        npio_buf_addstr(b, "(");
        field_str_quoted(t->base, b);
        npio_buf_addstr(b, ", ");
        shape_repr(b, t->sub_ndim, t->sub_shape);
        npio_buf_addstr(b, ")");
      } else
        field_str_quoted(t, b);
    }
    npio_buf_addstr(b, "], 'offsets': [");
    for (i = 0; i < d->nfields; i++)
      npio_buf_printf(b, i ? ", %lld" : "%lld", (long long)d->fields[i].offset);
    npio_buf_printf(b, "], 'itemsize': %lld}", (long long)d->itemsize);
    return;
  }
  if (d->base) {  /* a subarray type on its own: ('<f4', (3,)) */
    npio_buf_addstr(b, "(");
    field_str_quoted(d->base, b);
    npio_buf_addstr(b, ", ");
    shape_repr(b, d->sub_ndim, d->sub_shape);
    npio_buf_addstr(b, ")");
    return;
  }
  if (!npio_dtype_isnative(d) || d->kind == 'S' || d->kind == 'U' ||
      d->kind == 'V') {
    simple_descr(d, b);
    return;
  }
  switch (d->kind) {
    case 'b': npio_buf_addstr(b, "bool"); break;
    case 'i': npio_buf_printf(b, "int%d", (int)(d->itemsize * 8)); break;
    case 'u': npio_buf_printf(b, "uint%d", (int)(d->itemsize * 8)); break;
    case 'f':
      npio_buf_addstr(b, fnames[d->itemsize == 2 ? 0 : d->itemsize == 4 ? 1
                                : d->itemsize == 8 ? 2 : 3]);
      break;
    case 'c': npio_buf_printf(b, "complex%d", (int)(d->itemsize * 8)); break;
    case 'M': case 'm':
      npio_buf_addstr(b, d->kind == 'M' ? "datetime64" : "timedelta64");
      if (d->unit[0]) npio_buf_printf(b, "[%s]", d->unit);
      break;
  }
}

int64_t npio_dtype_str(const npio_dtype *d, char *out, size_t cap) {
  npio_buf b = {0};
  str_buf(d, &b);
  return buf_out(&b, out, cap);
}

/* }====================================================== */

/* {======================================================
** Queries and variants
** ======================================================= */

int npio_dtype_isnative(const npio_dtype *d) {
  int i;
  if (d->nfields) {
    for (i = 0; i < d->nfields; i++)
      if (!npio_dtype_isnative(d->fields[i].type)) return 0;
    return 1;
  }
  if (d->base) return npio_dtype_isnative(d->base);
  return d->order == '|' || d->order == npio_native_order();
}

int npio_dtype_isnumeric(const npio_dtype *d) {
  return d->nfields == 0 && d->base == NULL && strchr("biufc", d->kind) != NULL;
}

int npio_dtype_equal(const npio_dtype *a, const npio_dtype *b) {
  int i;
  if (a == b) return 1;
  if (a == NULL || b == NULL) return 0;
  if (a->kind != b->kind || a->itemsize != b->itemsize ||
      a->order != b->order || strcmp(a->unit, b->unit) != 0 ||
      a->nfields != b->nfields || (a->base == NULL) != (b->base == NULL))
    return 0;
  if (a->base) {
    if (a->sub_ndim != b->sub_ndim || !npio_dtype_equal(a->base, b->base))
      return 0;
    for (i = 0; i < a->sub_ndim; i++)
      if (a->sub_shape[i] != b->sub_shape[i]) return 0;
  }
  for (i = 0; i < a->nfields; i++) {
    const npio_field *fa = &a->fields[i], *fb = &b->fields[i];
    if (strcmp(fa->name, fb->name) != 0 || fa->offset != fb->offset ||
        (fa->title == NULL) != (fb->title == NULL) ||
        (fa->title && strcmp(fa->title, fb->title) != 0) ||
        !npio_dtype_equal(fa->type, fb->type))
      return 0;
  }
  return 1;
}

npio_dtype *npio_dtype_with_order(npio_dtype *d, char order) {
  npio_dtype *r;
  int i;
  if (order == '=') order = npio_native_order();
  if (d->nfields == 0 && d->base == NULL) {
    if (norm_order(d->kind, d->itemsize, order) == d->order)
      return npio_dtype_ref(d);
    return make_simple(d->kind, d->itemsize, order, d->unit, NULL);
  }
  if (d->base) {
    npio_dtype *b2 = npio_dtype_with_order(d->base, order);
    if (b2 == NULL) return NULL;
    r = npio_dtype_subarray(b2, d->sub_ndim, d->sub_shape, NULL);
    npio_dtype_unref(b2);
    return r;
  }
  r = struct_alloc(d->nfields, NULL);
  if (r == NULL) return NULL;
  for (i = 0; i < d->nfields; i++) {
    npio_dtype *t = npio_dtype_with_order(d->fields[i].type, order);
    int st = t ? add_field(r, d->fields[i].name, d->fields[i].title, t,
                           d->fields[i].offset, NULL) : NPIO_ENOMEM;
    npio_dtype_unref(t);
    if (st != NPIO_OK) { npio_dtype_unref(r); return NULL; }
  }
  r->itemsize = d->itemsize;
  return r;
}

/* }====================================================== */
