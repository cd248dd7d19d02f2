/*
** npio.h -- the one public header of npio.
**
** Two layers live behind it:
**   - the format core (no Lua): error codes, dtypes, array memory and
**     views, .npy read/write, safe file writes;
**   - the host layer (Lua 5.4 embedded): states with sandbox and limits,
**     pushing and fetching arrays.
** All sizes are int64_t or size_t and every product is overflow-checked.
** Functions that can fail return an npio status (NPIO_OK == 0) and fill an
** npio_err with a one-line message; none of them aborts or longjmps.
*/
#ifndef NPIO_H
#define NPIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NPIO_VERSION_MAJOR 0
#define NPIO_VERSION_MINOR 1
#define NPIO_VERSION_PATCH 0
#define NPIO_VERSION "0.1.0"

#if defined(__GNUC__)
#define NPIO_API __attribute__((visibility("default")))
#else
#define NPIO_API
#endif

/* Most dimensions an array may have (NumPy 1.24's NPY_MAXDIMS). */
#define NPIO_MAXDIMS 32

/* {====================================================================
** Errors
** ===================================================================== */

enum {
  NPIO_OK = 0,     /* success */
  NPIO_ENOMEM,     /* an allocation failed or a memory budget was hit */
  NPIO_EIO,        /* the operating system refused a read/write/open */
  NPIO_EFORMAT,    /* a file's bytes are not what the format allows */
  NPIO_EVALUE,     /* an argument has a bad value (shape, dtype, index) */
  NPIO_ETYPE,      /* an operation is not offered for this dtype */
  NPIO_ELIMIT,     /* a configured limit (header size, ...) was exceeded */
  NPIO_ECLOSED,    /* the memory behind an array was closed or unmapped */
  NPIO_EREADONLY   /* a write to read-only memory was attempted */
};

/* An error: a code and a one-line message naming the cause. */
typedef struct npio_err {
  int code;
  char msg[512];
} npio_err;

/* Fills 'e' (if not NULL) and returns 'code'. printf-style. */
NPIO_API int npio_seterr(npio_err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* }==================================================================== */

/* {====================================================================
** Data types
** ===================================================================== */

/*
** A dtype is refcounted and immutable once built. 'kind' is NumPy's
** one-letter kind: b i u f c S U V M m. A structured dtype is kind 'V'
** with nfields > 0. A subarray dtype (only ever a field's type) has
** 'base' set and sub_ndim/sub_shape; its itemsize is the whole block.
** 'order' is '<', '>' or '|' (not applicable).
*/
typedef struct npio_dtype npio_dtype;

typedef struct npio_field {
  char *name;          /* UTF-8; "" for padding NumPy writes in descr */
  char *title;         /* NULL unless the field has a title */
  npio_dtype *type;
  int64_t offset;      /* byte offset inside the record */
} npio_field;

struct npio_dtype {
  int refcount;
  char kind;
  char order;
  int64_t itemsize;
  int64_t alignment;
  char unit[32];       /* M8/m8 unit text inside [...], "" if generic */
  int nfields;
  npio_field *fields;
  npio_dtype *base;    /* subarray element type, or NULL */
  int sub_ndim;
  int64_t sub_shape[NPIO_MAXDIMS];
};

/* Parses a dtype as NumPy spells it: "float64", "f8", "<f8", ">i4",
** "uint8", "bool", "complex128", "S10", "U8", "M8[s]", "datetime64[ns]",
** "V16", "int", "float". Returns NULL and fills 'e' on error. */
NPIO_API npio_dtype *npio_dtype_parse(const char *s, npio_err *e);
/* A native-order simple dtype of 'kind' and 'itemsize', or NULL. */
NPIO_API npio_dtype *npio_dtype_simple(char kind, int64_t itemsize);
/* Builds a structured dtype from 'n' fields (each type is retained) laid
** out packed, in order, as NumPy does for a list description. */
NPIO_API npio_dtype *npio_dtype_struct(int n, const char *const *names,
                                       npio_dtype *const *types, npio_err *e);
/* A subarray type 'base' x shape. */
NPIO_API npio_dtype *npio_dtype_subarray(npio_dtype *base, int ndim,
                                         const int64_t *shape, npio_err *e);
NPIO_API npio_dtype *npio_dtype_ref(npio_dtype *d);
NPIO_API void npio_dtype_unref(npio_dtype *d);   /* accepts NULL */
/* The same type with byte order 'order' ('<', '>', '=' for native). */
NPIO_API npio_dtype *npio_dtype_with_order(npio_dtype *d, char order);
NPIO_API int npio_dtype_equal(const npio_dtype *a, const npio_dtype *b);
/* 1 if values are stored in the machine's byte order (or order '|'). */
NPIO_API int npio_dtype_isnative(const npio_dtype *d);
/* 1 for b, i, u, f, c kinds (the types arithmetic is offered on). */
NPIO_API int npio_dtype_isnumeric(const npio_dtype *d);
/* Writes the .npy header 'descr' value ('<f8' or [('x', '<f8'), ...])
** into 'out' (NUL-terminated); returns the length or -1 if it does not
** fit. */
NPIO_API int64_t npio_dtype_descr(const npio_dtype *d, char *out, size_t cap);
/* Writes NumPy's str(dtype): "float64", ">i4", "|S10", "<U8",
** "datetime64[s]", "[('x', '<f8')]". Same return as npio_dtype_descr. */
NPIO_API int64_t npio_dtype_str(const npio_dtype *d, char *out, size_t cap);
/* Parses a .npy header's descr value (Python literal text). */
NPIO_API npio_dtype *npio_dtype_from_descr(const char *text, size_t len,
                                           npio_err *e);

/* }==================================================================== */

/* {====================================================================
** Array memory and arrays
** ===================================================================== */

/*
** Memory accounting hook: called with +n before array memory is taken
** and -n after it is given back. Returning non-zero refuses the
** allocation (the caller gets NPIO_ENOMEM). Used for --mem budgets.
*/
typedef struct npio_memhook {
  int (*charge)(void *ud, int64_t delta);
  void *ud;
} npio_memhook;

enum { NPIO_MEM_HEAP = 1, NPIO_MEM_MMAP, NPIO_MEM_FOREIGN };
enum { NPIO_STORAGE_READONLY = 1 };

/*
** Refcounted memory that arrays view. 'data' is NULL once closed (a
** memory map unmapped by close(), say); every access checks it.
*/
typedef struct npio_storage {
  void *data;
  size_t nbytes;
  int refcount;
  int kind;            /* NPIO_MEM_* */
  int flags;           /* NPIO_STORAGE_* */
  void (*release)(void *ctx, void *data, size_t nbytes);
  void *ctx;
  const npio_memhook *hook;   /* charged for heap memory, or NULL */
  size_t map_len;      /* mmap: the mapped length from map_base */
  void *map_base;      /* mmap: the page-aligned start of the map */
} npio_storage;

/* New heap storage of 'nbytes' (zero-filled if 'zero'). Large blocks are
** taken with mmap and transparent huge pages. */
NPIO_API npio_storage *npio_storage_new(size_t nbytes, int zero,
                                        const npio_memhook *hook,
                                        npio_err *e);
/* Wraps a host buffer without copying; 'release' (may be NULL) is called
** with 'ctx' when the last view is gone. */
NPIO_API npio_storage *npio_storage_wrap(void *data, size_t nbytes,
                                         int readonly,
                                         void (*release)(void *, void *,
                                                         size_t),
                                         void *ctx, npio_err *e);
NPIO_API npio_storage *npio_storage_ref(npio_storage *s);
NPIO_API void npio_storage_unref(npio_storage *s);     /* accepts NULL */
/* Releases the memory now (unmaps a map); views see NPIO_ECLOSED. */
NPIO_API void npio_storage_close(npio_storage *s);

/*
** An array: a view of a storage. Holds one reference to its storage and
** one to its dtype. Strides are in bytes and may be negative or zero.
** 'offset' is the byte offset of element (0,...,0) in storage->data.
*/
typedef struct npio_array {
  npio_storage *storage;
  npio_dtype *dtype;
  int ndim;
  int64_t offset;
  int64_t shape[NPIO_MAXDIMS];
  int64_t strides[NPIO_MAXDIMS];
} npio_array;

/* Initialises 'a' as a fresh C-contiguous (or Fortran if 'fortran')
** array of 'dtype' (retained) and shape, with new storage. */
NPIO_API int npio_array_init(npio_array *a, npio_dtype *dtype, int ndim,
                             const int64_t *shape, int fortran, int zero,
                             const npio_memhook *hook, npio_err *e);
/* Fills 'strides' for a contiguous C (or Fortran) layout of 'shape'. */
NPIO_API void npio_contiguous_strides(int ndim, const int64_t *shape,
                                      int64_t itemsize, int fortran,
                                      int64_t *strides);
/* Makes 'dst' a view of the same memory as 'src' (refs taken). */
NPIO_API void npio_array_view(npio_array *dst, const npio_array *src);
/* Drops the references held by 'a' and zeroes it. */
NPIO_API void npio_array_release(npio_array *a);
/* Number of elements; -1 never happens for a valid array. */
NPIO_API int64_t npio_array_size(const npio_array *a);
NPIO_API int64_t npio_array_nbytes(const npio_array *a);
NPIO_API int npio_array_is_c_contiguous(const npio_array *a);
NPIO_API int npio_array_is_f_contiguous(const npio_array *a);
/* Pointer to the first element, or NULL (with NPIO_ECLOSED) if closed. */
NPIO_API char *npio_array_data(const npio_array *a, npio_err *e);
/* Element count of 'shape' with overflow check (NPIO_EVALUE if it
** overflows or a dimension is negative). */
NPIO_API int npio_shape_size(int ndim, const int64_t *shape, int64_t *out,
                             npio_err *e);
/* Copies every element of 'src' into 'dst' (same shape; dtypes must have
** the same itemsize and kind; byte order is converted). */
NPIO_API int npio_array_copyto(npio_array *dst, const npio_array *src,
                               npio_err *e);
/* Visits contiguous blocks of 'a' in C order (Fortran if 'forder');
** a zero return from 'fn' continues. Used by writers. */
NPIO_API int npio_array_foreach_block(const npio_array *a, int forder,
                                      int (*fn)(void *ud, const char *p,
                                                size_t n),
                                      void *ud, npio_err *e);

/* }==================================================================== */

/* {====================================================================
** Element values and casting (convert.c)
** ===================================================================== */

/*
** One element as a C value. 'kind' says which member is set:
**   'b' -> i (0/1), 'i' -> i, 'u' -> u, 'f' -> f, 'c' -> f + imag,
**   'S' -> s/slen (raw bytes, trailing NULs stripped),
**   'U' -> s/slen (UTF-8, trailing NULs stripped),
**   'V' -> s/slen (raw bytes), 'M'/'m' -> i (the int64 count).
** 's' points into the element (S, V) or into 'tmp' (U: UTF-8 text).
*/
typedef struct npio_scalar {
  char kind;
  int64_t i;
  uint64_t u;
  double f, imag;
  const char *s;
  size_t slen;
  char *tmp;           /* owned scratch for U; free with npio_scalar_clear */
} npio_scalar;

/* Reads the element at 'p' of type 'd' (any byte order, any alignment). */
NPIO_API int npio_scalar_get(const npio_dtype *d, const char *p,
                             npio_scalar *out, npio_err *e);
NPIO_API void npio_scalar_clear(npio_scalar *s);
/* Stores 'v' into the element at 'p' of type 'd' with NumPy's rules for
** assigning a Python value of that kind (float -> int truncates toward
** zero; NaN or inf into an int is NPIO_EVALUE; a too-long string is cut
** to the itemsize; numbers into S/U are written as their text). */
NPIO_API int npio_scalar_set(const npio_dtype *d, char *p,
                             const npio_scalar *v, npio_err *e);
/* Copies 'src' into 'dst' (same shape) converting every element as
** NumPy's astype (unsafe casting) does: all numeric kinds and sizes, any
** byte order, float16, bool, complex (real part kept), S <-> U, numbers
** to S/U text and S/U text to numbers. NPIO_ETYPE for pairs NumPy
** refuses. */
NPIO_API int npio_array_cast(npio_array *dst, const npio_array *src,
                             npio_err *e);

/* }==================================================================== */

/* {====================================================================
** Printing arrays as NumPy's repr (repr.c)
** ===================================================================== */

typedef struct npio_printopts {
  int precision;       /* 8 */
  int64_t threshold;   /* 1000: summarise arrays with more elements */
  int linewidth;       /* 75 */
  int suppress;        /* 0: 1 = never use scientific notation */
  int edgeitems;       /* 3 */
} npio_printopts;

NPIO_API void npio_printopts_default(npio_printopts *o);
/* Returns NumPy's repr(a) ("array([1., 2.])", with dtype=... where NumPy
** adds it) as a malloc'd NUL-terminated string, or NULL with 'e'. With
** 'str_form' set, returns str(a) ("[1. 2.]") instead. */
NPIO_API char *npio_array_repr(const npio_array *a, const npio_printopts *o,
                               int str_form, npio_err *e);

/* }==================================================================== */

/* {====================================================================
** .npy files
** ===================================================================== */

typedef struct npio_npy_header {
  int major, minor;          /* format version */
  npio_dtype *dtype;         /* owned by the header */
  int fortran_order;
  int ndim;
  int64_t shape[NPIO_MAXDIMS];
  int64_t header_len;        /* bytes before the data */
  int64_t data_len;          /* shape x itemsize */
} npio_npy_header;

#define NPIO_DEFAULT_MAX_HEADER 10000

/* A byte source: 'read' returns bytes read (0 at end) or -1 with errno. */
typedef struct npio_reader {
  int64_t (*read)(void *ud, void *buf, size_t n);
  void *ud;
} npio_reader;

NPIO_API void npio_npy_header_free(npio_npy_header *h);
/* Parses the header text that follows the magic and length fields.
** The caller sets h->major first (1 or 2 accept Python 2's 10L ints). */
NPIO_API int npio_npy_parse_dict(const char *text, size_t len,
                                 npio_npy_header *h, npio_err *e);
/* Reads and checks magic, version, length and dict from 'r'. */
NPIO_API int npio_npy_read_header(npio_reader *r, int64_t max_header,
                                  npio_npy_header *h, npio_err *e);
/* Parses a header held in memory (at least the whole header). */
NPIO_API int npio_npy_header_from_bytes(const void *buf, size_t len,
                                        int64_t max_header,
                                        npio_npy_header *h, npio_err *e);
/* Builds the header bytes NumPy 1.24 writes for dtype/shape/order into
** 'out'; returns its length, or -1 (with 'e') on error or when it does
** not fit 'cap' (NPIO_NPY_HEADER_CAP holds every header of a
** non-structured array; structured ones can be longer: use the _alloc
** variant, which returns a malloc'd buffer in *out). */
#define NPIO_NPY_HEADER_CAP 65600
NPIO_API int64_t npio_npy_header_bytes(const npio_dtype *d, int ndim,
                                       const int64_t *shape, int fortran,
                                       char *out, size_t cap, npio_err *e);
NPIO_API int64_t npio_npy_header_alloc(const npio_dtype *d, int ndim,
                                       const int64_t *shape, int fortran,
                                       char **out, npio_err *e);

typedef struct npio_load_opts {
  int64_t max_header;        /* 0 = NPIO_DEFAULT_MAX_HEADER */
  const npio_memhook *hook;
} npio_load_opts;

typedef struct npio_save_opts {
  int atomic;                /* write temp + rename (default 1) */
  int durable;               /* fsync file and folder */
  int append;                /* grow an existing .npy along axis 0 */
} npio_save_opts;

/* Reads a whole .npy array from an open reader / FILE* / path. The
** result is in the file's byte order and memory order (no copy). */
NPIO_API int npio_npy_load(npio_reader *r, const npio_load_opts *o,
                           npio_array *out, npio_err *e);
NPIO_API int npio_npy_load_file(FILE *f, const npio_load_opts *o,
                                npio_array *out, npio_err *e);
NPIO_API int npio_npy_load_path(const char *path, const npio_load_opts *o,
                                npio_array *out, npio_err *e);
/* From an open file descriptor, at its position (left after the array). */
NPIO_API int npio_npy_load_fd(int fd, const npio_load_opts *o,
                              npio_array *out, npio_err *e);
/* Writes header and data of 'a' to a FILE* (in place, no rename). */
NPIO_API int npio_npy_save_file(FILE *f, const npio_array *a, npio_err *e);
NPIO_API int npio_npy_save_fd(int fd, const npio_array *a, npio_err *e);
/* Saves 'a' to 'path' (atomically unless o->atomic == 0). */
NPIO_API int npio_npy_save_path(const char *path, const npio_array *a,
                                const npio_save_opts *o, npio_err *e);

/* }==================================================================== */

/* {====================================================================
** Memory maps (mmap.c)
** ===================================================================== */

/* Modes as NumPy's memmap: read-only, read-write, create/overwrite,
** copy-on-write (changes stay in memory). */
enum { NPIO_MAP_R = 1, NPIO_MAP_RPLUS, NPIO_MAP_WPLUS, NPIO_MAP_C };

/* Parses "r", "r+", "w+", "c" (and NumPy's long names "readonly",
** "readwrite", "write", "copyonwrite"); 0 if unknown. */
NPIO_API int npio_map_mode(const char *s);
/* Maps 'length' bytes of 'path' from byte 'offset' (any offset: the map
** starts at the page below it). In r+ / w+ a range past the end of the
** file grows the file (zero-filled); in r / c it is an error. w+ first
** truncates the file to offset + length. A zero length gives an empty
** storage. The storage keeps the file open to detect truncation. */
NPIO_API int npio_map_file(const char *path, int mode, int64_t offset,
                           int64_t length, npio_storage **out, npio_err *e);
/* The size of the file at 'path' (for shape=nil memmaps). */
NPIO_API int npio_file_size(const char *path, int64_t *size, npio_err *e);
/* Checks that the storage is open and, for a map, that the file still
** covers it (another process may have truncated it). */
NPIO_API int npio_storage_valid(const npio_storage *s, npio_err *e);
/* msync of a map's dirty pages (no-op for other storage). */
NPIO_API int npio_storage_flush(npio_storage *s, npio_err *e);
/* madvise hints for [off, off+len) of a map: 's' sequential, 'w' willneed,
** 'd' dontneed (read-only and shared maps only). No-op otherwise. */
NPIO_API void npio_storage_advise(npio_storage *s, int64_t off, int64_t len,
                                  char advice);
/* Opens a .npy as a memory map: r / r+ / c map an existing file's data
** (after checking the file holds all of it); w+ creates the file with a
** NumPy header for dtype/shape/fortran and maps its data. */
NPIO_API int npio_npy_open_memmap(const char *path, int mode,
                                  npio_dtype *dtype, int ndim,
                                  const int64_t *shape, int fortran,
                                  int64_t max_header, npio_array *out,
                                  npio_err *e);

/* }==================================================================== */

/* {====================================================================
** .npz archives (zip.c, zipw.c, zipscan.c, npz.c)
**
** Reading: npio_npz_open* validates the zip structure and lists the
** members; npio_npz_read parses a member's .npy header, checks that the
** member holds exactly header + data, then reads the data straight into
** the array's memory (CRC checked), or, with a mmap mode, maps a stored
** member's data from the archive without copying. Writing: a writer
** collects arrays (views, no copies) and writes them all at commit,
** compressing members in parallel; saving to a path is atomic, appending
** keeps the existing members' bytes and replaces members of the same name.
** ===================================================================== */

/* Reading */

typedef struct npio_npz npio_npz;

/* Opens an archive from a path, a file descriptor (duplicated: the
** caller keeps its own) or memory (not copied; must outlive the handle). */
NPIO_API int npio_npz_open(const char *path, npio_npz **out, npio_err *e);
NPIO_API int npio_npz_open_fd(int fd, npio_npz **out, npio_err *e);
NPIO_API int npio_npz_open_mem(const void *p, size_t n, npio_npz **out,
                               npio_err *e);
NPIO_API void npio_npz_close(npio_npz *z);               /* accepts NULL */

/* Number of members, in archive (central directory) order. */
NPIO_API int64_t npio_npz_count(const npio_npz *z);
/* Member i's full name ("x.npy", UTF-8) / its key as NumPy's
** NpzFile.files gives it (".npy" removed). Not NUL-free in general:
** use the length. */
NPIO_API const char *npio_npz_member(const npio_npz *z, int64_t i,
                                     size_t *len);
NPIO_API const char *npio_npz_key(const npio_npz *z, int64_t i, size_t *len);
/* The member a key names, as NpzFile.__getitem__ does: an exact member
** name first, then key + ".npy". -1 if none. */
NPIO_API int64_t npio_npz_find(const npio_npz *z, const char *key,
                               size_t len);

/* What a member holds, read from its header only. */
typedef struct npio_npz_info {
  int is_array;          /* 1 if the member starts with the .npy magic */
  npio_dtype *dtype;     /* arrays: owned (npio_npz_info_free) */
  int fortran_order;
  int ndim;
  int64_t shape[NPIO_MAXDIMS];
  int64_t nbytes;        /* array data bytes; member bytes otherwise */
  int64_t header_len;    /* .npy header bytes (0 if not an array) */
  int64_t size;          /* uncompressed member bytes */
  int64_t compressed_size;
  int method;            /* 0 stored, 8 deflated */
  int64_t offset;        /* archive offset of the array data (stored) or of
                            the compressed data (deflated) */
} npio_npz_info;

NPIO_API int npio_npz_stat(npio_npz *z, int64_t i, const npio_load_opts *o,
                           npio_npz_info *info, npio_err *e);
NPIO_API void npio_npz_info_free(npio_npz_info *info);

/* Memory-map modes for stored members (NumPy's mmap_mode). */
enum { NPIO_MMAP_NONE = 0, NPIO_MMAP_READ = 'r', NPIO_MMAP_COPY = 'c' };

/*
** Reads member i. If it is a .npy, *is_array = 1 and 'out' gets the
** array: with 'mmap_mode' 'r' or 'c', a stored member whose data is
** suitably aligned is mapped from the archive (no copy, no CRC check);
** otherwise the data is read into fresh memory and its CRC checked.
** If it is not a .npy, *is_array = 0 and 'out' is untouched: read the
** bytes with npio_npz_read_bytes.
*/
NPIO_API int npio_npz_read(npio_npz *z, int64_t i, const npio_load_opts *o,
                           int mmap_mode, npio_array *out, int *is_array,
                           npio_err *e);
/* Uncompressed size of member i (what npio_npz_read_bytes writes). */
NPIO_API int64_t npio_npz_member_size(const npio_npz *z, int64_t i);
/* Reads all of member i's bytes into 'out' (CRC checked). */
NPIO_API int npio_npz_read_bytes(npio_npz *z, int64_t i, void *out,
                                 npio_err *e);

/* Writing */

typedef struct npio_npz_writer npio_npz_writer;

typedef struct npio_npz_save_opts {
  int compress;          /* 0: stored (np.savez), 1: deflated */
  int level;             /* 0..12; libdeflate's scale (6 = zlib's 6) */
  int append;            /* keep an existing archive's members */
  int atomic;            /* temporary file + rename (default 1) */
  int durable;           /* fsync the file and its folder */
  int threads;           /* 0: one per core */
  int force_zip64;       /* zip64 records everywhere (as NumPy's members) */
  /* Called on the writing thread as data goes out; non-zero aborts. */
  int (*progress)(void *ud, int64_t done, int64_t total);
  void *progress_ud;
} npio_npz_save_opts;

NPIO_API void npio_npz_save_opts_init(npio_npz_save_opts *o);

/* Opens a writer on a path (".npz" is not added here) or a stdio stream. */
NPIO_API int npio_npz_writer_open(const char *path,
                                  const npio_npz_save_opts *o,
                                  npio_npz_writer **out, npio_err *e);
NPIO_API int npio_npz_writer_open_file(FILE *f, const npio_npz_save_opts *o,
                                       npio_npz_writer **out, npio_err *e);
/* 1 if an existing archive (append mode) has member 'name' (full name). */
NPIO_API int npio_npz_writer_has(npio_npz_writer *w, const char *name,
                                 size_t len);
/* Queues array 'a' as member key + ".npy" (a view is kept: the memory must
** not change until commit). */
NPIO_API int npio_npz_writer_add(npio_npz_writer *w, const char *key,
                                 size_t len, const npio_array *a,
                                 npio_err *e);
/* Queues raw bytes as member 'name' (copied). */
NPIO_API int npio_npz_writer_add_bytes(npio_npz_writer *w, const char *name,
                                       size_t len, const void *p, size_t n,
                                       npio_err *e);
/* Writes everything and commits the file. */
NPIO_API int npio_npz_writer_commit(npio_npz_writer *w, npio_err *e);
/* Frees the writer; without a successful commit nothing is left behind. */
NPIO_API void npio_npz_writer_free(npio_npz_writer *w);

/* }==================================================================== */

/* {====================================================================
** Text files: loadtxt, genfromtxt, savetxt (txt_*.c)
**
** Inputs are opened as a source (a path, a .gz path, an open FILE*, or
** bytes in memory) and read in blocks; results are npio_arrays. Every
** function returns an npio status and fills an npio_err whose message
** names the file, the line and the column:
**     d.csv:1042: column 3: "1.2.3" is not a float64
** ===================================================================== */

/* {====================================================================
** Sources
** ===================================================================== */

typedef struct npio_txt_src npio_txt_src;

/* Opens 'path' (gzip if it ends in .gz) for reading. 'encoding' is any
** name iconv knows (NULL: UTF-8; a byte-order mark picks UTF-16/32 and
** is skipped, a UTF-8 one is skipped too). */
NPIO_API npio_txt_src *npio_txt_open_path(const char *path,
                                          const char *encoding,
                                          npio_err *e);
/* Reads from an open FILE* (not closed by npio). Only the lines a reader
** uses are consumed: npio_txt_close leaves the stream just after them
** (by seeking back, or by reading a pipe line by line). 'name' is used
** in messages. */
NPIO_API npio_txt_src *npio_txt_open_file(FILE *f, const char *name,
                                          const char *encoding,
                                          npio_err *e);
/* Reads the bytes [p, p+n) (borrowed; must outlive the source). Quoted
** \r and \r\n are kept as they are (text from a list of lines), where
** a file's are read as \n, as Python's universal newlines do. */
NPIO_API npio_txt_src *npio_txt_open_mem(const char *p, size_t n,
                                         const char *name,
                                         const char *encoding, npio_err *e);
/* Closes a source (accepts NULL). */
NPIO_API void npio_txt_close(npio_txt_src *s);

/* Progress: called from the calling thread about every 50 ms with bytes
** done and the total (-1 when unknown). A non-zero
** return stops the operation with NPIO_EIO. Independently, the options'
** progress_bar draws a bar on stderr when it is a terminal and the
** operation takes more than about a second. */
typedef int (*npio_progress_fn)(void *ud, int64_t done, int64_t total);

/* }==================================================================== */

/* {====================================================================
** User converters (Lua functions in the bindings)
** ===================================================================== */

/*
** Converts the text [s, s+n) with the user's converter number 'which'
** (the index into the options' conv_keys; 0 with conv_all) into a
** value: 'out' gets kind 'i', 'u', 'f', 'b' (i = 0/1), 'c' (f + imag)
** or 'S'/'U' (s/slen, valid until the next call). The reader stores it
** into the column's dtype (strings into numeric columns are parsed).
** Returns NPIO_OK, or an error with the cause in 'e' (the reader adds
** file, line and column). Always called from the reading thread.
*/
typedef int (*npio_txt_convfn)(void *ud, int which, const char *s,
                               size_t n, npio_scalar *out, npio_err *e);

/* }==================================================================== */

/* {====================================================================
** loadtxt
** ===================================================================== */

typedef struct npio_loadtxt_opts {
  npio_dtype *dtype;          /* NULL: float64; structured: one row each */
  char flexible;              /* 'S' or 'U': dtype "S"/"U" without a size
                              ** (the width is the longest field) */
  const char *const *comments; /* NULL-terminated list; NULL: none */
  const char *delimiter;      /* one character (UTF-8); NULL: white space */
  const char *quotechar;      /* one character; NULL: no quoting */
  char imaginary_unit;        /* 0: 'j' */
  int64_t skiprows;
  const int64_t *usecols;     /* 0-based file columns, negative from the
                              ** end; NULL: all */
  int nusecols;
  int ndmin;                  /* 0, 1, 2 */
  int64_t max_rows;           /* < 0: all */
  /* converters, keyed as NumPy keys its dict: without usecols a key is
  ** a column (negative from the end, checked against the field count);
  ** with usecols a key applies to the usecols entries equal to it */
  npio_txt_convfn conv;
  void *conv_ud;
  const int64_t *conv_keys;   /* 0-based column keys */
  int nconv;
  int conv_all;               /* converter 0 applies to every column */
  int64_t max_line;           /* longest line accepted; 0: 128 MiB */
  int nthreads;               /* 0: one per core (at most 8) */
  npio_progress_fn progress;  /* NULL: none */
  void *progress_ud;
  int progress_bar;           /* a bar on stderr if it is a terminal */
  const npio_memhook *hook;
} npio_loadtxt_opts;

NPIO_API void npio_loadtxt_defaults(npio_loadtxt_opts *o);
/* Reads the whole table into 'out' (shape as NumPy's loadtxt after
** ndmin). NumPy's "input contained no data" warning sets *empty. */
NPIO_API int npio_loadtxt(npio_txt_src *src, const npio_loadtxt_opts *o,
                          npio_array *out, int *empty, npio_err *e);

/* }==================================================================== */

/* {====================================================================
** genfromtxt
** ===================================================================== */

/* Which columns a missing or filling value is for, as NumPy reads its
** forms: a dict key (a file column, mapped through usecols, or a name),
** a list position (a result column), or everything. */
enum { NPIO_GEN_ALL, NPIO_GEN_COL, NPIO_GEN_POS, NPIO_GEN_NAME };

typedef struct npio_gen_colval {
  int how;                    /* NPIO_GEN_* */
  int64_t col;                /* COL: 0-based file column; POS: result
                              ** column (negative from the end) */
  const char *name;           /* NAME */
  const char *text;           /* missing_values: the text */
  npio_scalar value;          /* filling_values (strings in s/slen) */
} npio_gen_colval;

typedef struct npio_genfromtxt_opts {
  npio_dtype *dtype;          /* NULL with infer == 0: float64 */
  int infer;                  /* dtype=None: infer each column (reads
                              ** the input twice: it must rewind) */
  char flexible;              /* dtype "S"/"U" without a size */
  const char *comments;       /* NULL: none; default "#" */
  const char *delimiter;      /* NULL: white space runs */
  const int64_t *widths;      /* fixed-width fields (delimiter ignored) */
  int nwidths;                /* -1: one width repeated (widths[0]) */
  int64_t skip_header, skip_footer;
  const npio_gen_colval *missing;   /* missing_values */
  int nmissing;
  const npio_gen_colval *filling;   /* filling_values */
  int nfilling;
  const int64_t *usecols;     /* 0-based (negative from the end) */
  const char *const *usecol_names;  /* or names (NULL entries: use index) */
  int nusecols;
  int names_from_header;      /* names=True */
  const char *const *names;   /* explicit names (NULL: none) */
  int nnames;
  const char *const *excludelist; /* NULL-terminated; NULL: none */
  const char *deletechars;    /* NULL: NumPy's default set */
  const char *replace_space;  /* default "_" */
  int case_sensitive;         /* 1 true, 0/'u' upper, 'l' lower */
  const char *defaultfmt;     /* "f%i" */
  int autostrip;
  int usemask;
  int loose;                  /* default 1 */
  int invalid_raise;          /* default 1 */
  int64_t max_rows;           /* < 0: all */
  int ndmin;
  int bytes_strings;          /* encoding='bytes' (default): inferred
                              ** string columns are S (latin-1) */
  /* converters: entry k is for file column conv_keys[k] (mapped through
  ** usecols; negative from the end), or for the field named
  ** conv_names[k] when that is not NULL */
  npio_txt_convfn conv;
  void *conv_ud;
  const int64_t *conv_keys;
  const char *const *conv_names;
  int nconv;
  int64_t max_line;
  int nthreads;
  npio_progress_fn progress;
  void *progress_ud;
  int progress_bar;
  const npio_memhook *hook;
} npio_genfromtxt_opts;

NPIO_API void npio_genfromtxt_defaults(npio_genfromtxt_opts *o);
/* Reads into 'out' (and the mask into 'mask' when o->usemask); rows
** skipped by invalid_raise=false are counted in *nskipped (may be NULL). */
NPIO_API int npio_genfromtxt(npio_txt_src *src, const npio_genfromtxt_opts *o,
                             npio_array *out, npio_array *mask,
                             int64_t *nskipped, npio_err *e);

/* }==================================================================== */

/* {====================================================================
** savetxt
** ===================================================================== */

typedef struct npio_savetxt_opts {
  const char *const *fmt;     /* NULL: "%.18e"; one spec, a row format
                              ** (nfmt == 1) or one spec per column */
  int nfmt;
  const char *delimiter;      /* " " */
  const char *newline;        /* "\n" */
  const char *header;         /* "" */
  const char *footer;         /* "" */
  const char *comments;       /* "# " */
  const char *encoding;       /* NULL: UTF-8 (NumPy's locale default) */
  int atomic;                 /* paths: temp + rename (default 1) */
  int nthreads;
  npio_progress_fn progress;
  void *progress_ud;
  int progress_bar;
} npio_savetxt_opts;

NPIO_API void npio_savetxt_defaults(npio_savetxt_opts *o);
/* Writes 'a' (1-D, 2-D, or 1-D structured) to 'path' (gzip if it ends
** in .gz) or to 'f' (when path is NULL). */
NPIO_API int npio_savetxt(const char *path, FILE *f, const npio_array *a,
                          const npio_savetxt_opts *o, npio_err *e);

/* }==================================================================== */

/* {====================================================================
** Safe file writes: temp file in the same folder, then rename
** ===================================================================== */

typedef struct npio_safefile {
  int fd;
  int durable;
  char *path;          /* the target */
  char *tmppath;       /* the temporary, or NULL when writing in place */
} npio_safefile;

/* Opens a temporary next to 'path' (or 'path' itself if !atomic). */
NPIO_API int npio_safe_open(npio_safefile *sf, const char *path, int atomic,
                            int durable, npio_err *e);
/* Writes all of 'n' bytes, retrying short writes and EINTR. */
NPIO_API int npio_safe_write(npio_safefile *sf, const void *p, size_t n,
                             npio_err *e);
/* Reserves 'n' bytes of disk for the file (fallocate), best effort. */
NPIO_API void npio_safe_reserve(npio_safefile *sf, int64_t n);
/* Finishes: fsync if durable, close, rename over the target, fsync dir. */
NPIO_API int npio_safe_commit(npio_safefile *sf, npio_err *e);
/* Gives up: closes and removes the temporary. Safe after commit. */
NPIO_API void npio_safe_abort(npio_safefile *sf);
/* Writes all bytes to fd, retrying short writes and EINTR. */
NPIO_API int npio_write_all(int fd, const void *p, size_t n, npio_err *e);

/* }==================================================================== */

/* {====================================================================
** Host layer: Lua states for embedding (state.c)
** ===================================================================== */

struct lua_State;
typedef struct npio_state npio_state;

typedef struct npio_state_opts {
  int sandbox;            /* allow-list environment, no C modules */
  const char *root;       /* sandbox: files must resolve under it (NULL: ".") */
  int64_t mem_limit;      /* bytes of Lua + array memory; 0 = none */
  double timeout;         /* seconds of wall time; 0 = none */
} npio_state_opts;

/* Opens a state with the standard libraries (or the sandbox's subset),
** the npio module preloaded and the global 'np' set. NULL on error. */
NPIO_API npio_state *npio_state_open(const npio_state_opts *o, npio_err *e);
/* Runs a full GC, closes Lua and frees the state. Accepts NULL. */
NPIO_API void npio_state_close(npio_state *S);
/* The Lua state, for hosts that want the raw Lua API. */
NPIO_API struct lua_State *npio_state_lua(npio_state *S);
/* Runs a file (NULL: stdin) or a string; returns NPIO_OK or an error
** code, with the message (and traceback) in npio_state_error(). */
NPIO_API int npio_state_dofile(npio_state *S, const char *path);
NPIO_API int npio_state_dostring(npio_state *S, const char *code,
                                 const char *chunkname);
NPIO_API const char *npio_state_error(npio_state *S);
/* Wraps host memory as an array without copying ('strides' NULL: C
** order). 'release' (may be NULL) runs when the last view is gone. */
NPIO_API int npio_array_wrap(npio_array *out, void *data, npio_dtype *dtype,
                             int ndim, const int64_t *shape,
                             const int64_t *strides, int readonly,
                             void (*release)(void *, void *, size_t),
                             void *ctx, npio_err *e);
/* Sets global 'name' to a view of 'a' / reads global 'name' as an array
** (out gets its own references; release it with npio_array_release). */
NPIO_API int npio_state_setarray(npio_state *S, const char *name,
                                 const npio_array *a, npio_err *e);
NPIO_API int npio_state_getarray(npio_state *S, const char *name,
                                 npio_array *out, npio_err *e);

/* }==================================================================== */

#ifdef __cplusplus
}
#endif

#endif
