/*
** lrandom.c -- np.random: NumPy's legacy global RandomState for Lua.
** After np.random.seed(n) every function draws exactly the values NumPy's
** np.random functions draw after np.random.seed(n), in the same order.
** Indices (choice(n), permutation(n)) are 1-based: NumPy's plus one.
**
** The generator state is a userdata shared as upvalue 1 by every
** function (per Lua state, never a C global).
*/
#include <math.h>
#include <string.h>

#include "lnpio.h"
#include "ops.h"
#include "random.h"

typedef struct RState {
  rnd_state s;
  int seeded;
} RState;

static rnd_state *getstate(lua_State *L) {
  RState *r = (RState *)lua_touserdata(L, lua_upvalueindex(1));
  if (!r->seeded) {
    rnd_seed_entropy(&r->s);
    r->seeded = 1;
  }
  return &r->s;
}

/* {======================================================
** Sizes and results
** ======================================================= */

/* Reads a size at 'idx': nil -> -1 (one value), integer -> 1-D, a
** sequence -> that shape. Returns ndim. */
static int checksize(lua_State *L, int idx, int64_t *shape) {
  if (lua_isnoneornil(L, idx)) return -1;
  return lnp_checkshape(L, idx, shape);
}

/* Pushes a new array of type t and returns its data. */
static char *newarr(lua_State *L, int t, int nd, const int64_t *shape,
                    int64_t *n) {
  npio_array *a = lnp_newarray(L);
  npio_err e = {0};
  if (ops_alloc(a, t, nd, shape, 0, lnp_memhook(L), &e))
    lnp_error(L, "npio.random", NULL, &e);
  *n = npio_array_size(a);
  return ops_ptr(a);
}

/* Fills a double array of the size at 'idx' (or pushes one number)
** with f(state, p1, p2). */
typedef double (*dfn)(rnd_state *s, double p1, double p2);

static int dfill(lua_State *L, int idx, dfn f, double p1, double p2) {
  rnd_state *s = getstate(L);
  int64_t shape[NPIO_MAXDIMS], n, i;
  int nd = checksize(L, idx, shape);
  double *p;
  if (nd < 0) {
    lua_pushnumber(L, f(s, p1, p2));
    return 1;
  }
  p = (double *)(void *)newarr(L, OT_F64, nd, shape, &n);
  for (i = 0; i < n; i++) p[i] = f(s, p1, p2);
  return 1;
}

static double d_sample(rnd_state *s, double a, double b) {
  (void)a; (void)b;
  return rnd_double(s);
}
static double d_gauss(rnd_state *s, double a, double b) {
  (void)a; (void)b;
  return rnd_gauss(s);
}
static double d_uniform(rnd_state *s, double low, double range) {
  return low + range * rnd_double(s);
}
static double d_normal(rnd_state *s, double loc, double scale) {
  return loc + scale * rnd_gauss(s);
}

/* rand(d0, d1, ...) / randn(...): dimensions as arguments (or one
** sequence) */
static int dims_fill(lua_State *L, dfn f) {
  int n = lua_gettop(L), i;
  int64_t shape[NPIO_MAXDIMS], cnt, k;
  double *p;
  rnd_state *s = getstate(L);
  if (n == 0 || (n == 1 && lua_isnil(L, 1))) {
    lua_pushnumber(L, f(s, 0, 0));
    return 1;
  }
  if (n == 1 && lua_istable(L, 1)) return dfill(L, 1, f, 0, 0);
  if (n > NPIO_MAXDIMS) return luaL_error(L, "npio.random: too many "
                                          "dimensions");
  for (i = 0; i < n; i++) {
    lua_Integer d = luaL_checkinteger(L, i + 1);
    if (d < 0) return luaL_error(L, "npio.random: negative dimensions are "
                                 "not allowed");
    shape[i] = d;
  }
  p = (double *)(void *)newarr(L, OT_F64, n, shape, &cnt);
  for (k = 0; k < cnt; k++) p[k] = f(s, 0, 0);
  return 1;
}

/* }====================================================== */

/* {======================================================
** Seeding and state
** ======================================================= */

static int r_seed(lua_State *L) {
  RState *r = (RState *)lua_touserdata(L, lua_upvalueindex(1));
  int isint;
  lua_Integer v = lua_tointegerx(L, 1, &isint);
  if (lua_isnoneornil(L, 1)) rnd_seed_entropy(&r->s);
  else if (isint && lua_type(L, 1) == LUA_TNUMBER) {
    if (v < 0 || v > (lua_Integer)0xffffffffLL)
      return luaL_error(L, "npio.random.seed: Seed must be between 0 and "
                        "2**32 - 1");
    rnd_seed(&r->s, (uint32_t)v);
  } else if (lua_istable(L, 1) || lnp_toarray(L, 1)) {
    npio_array *a = lnp_asarray(L, 1, NULL), c;
    npio_err e = {0};
    int64_t n, i;
    uint32_t *key;
    int t = ops_type_of(a->dtype);
    if (t < 0 || !(ops_isint(t) || t == OT_BOOL))
      return luaL_error(L, "npio.random.seed: Seed must be integers");
    if (a->ndim != 1)
      return luaL_error(L, "npio.random.seed: Seed array must be 1-d");
    n = a->shape[0];
    if (n == 0)
      return luaL_error(L, "npio.random.seed: Seed must be non-empty");
    memset(&c, 0, sizeof c);
    if (ops_contig(&c, a, OT_I64, NULL, &e))
      lnp_error(L, "npio.random.seed", NULL, &e);
    key = (uint32_t *)lua_newuserdatauv(L, sizeof(uint32_t) * (size_t)n, 0);
    for (i = 0; i < n; i++) {
      int64_t k = ((const int64_t *)(void *)ops_ptr(&c))[i];
      if (k < 0 || k > 0xffffffffLL) {
        npio_array_release(&c);
        return luaL_error(L, "npio.random.seed: Seed must be between 0 and "
                          "2**32 - 1");
      }
      key[i] = (uint32_t)k;
    }
    npio_array_release(&c);
    rnd_seed_array(&r->s, key, n);
  } else
    return luaL_error(L, "npio.random.seed: expected an integer, got %s",
                      luaL_typename(L, 1));
  r->seeded = 1;
  return 0;
}

/* get_state(): {"MT19937", key (uint32 array), pos, has_gauss,
** cached_gaussian} as NumPy's tuple */
static int r_get_state(lua_State *L) {
  rnd_state *s = getstate(L);
  int64_t n = RND_N, cnt;
  char *p;
  lua_createtable(L, 5, 0);
  lua_pushliteral(L, "MT19937");
  lua_rawseti(L, -2, 1);
  p = newarr(L, OT_U32, 1, &n, &cnt);
  memcpy(p, s->key, sizeof s->key);
  lua_rawseti(L, -2, 2);
  lua_pushinteger(L, s->pos);
  lua_rawseti(L, -2, 3);
  lua_pushinteger(L, s->has_gauss);
  lua_rawseti(L, -2, 4);
  lua_pushnumber(L, s->gauss);
  lua_rawseti(L, -2, 5);
  return 1;
}

static int r_set_state(lua_State *L) {
  RState *r = (RState *)lua_touserdata(L, lua_upvalueindex(1));
  npio_array *a, c;
  npio_err e = {0};
  lua_Integer pos;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_rawgeti(L, 1, 1);
  if (!lua_isstring(L, -1) || strcmp(lua_tostring(L, -1), "MT19937") != 0)
    return luaL_error(L, "npio.random.set_state: state must be for a "
                      "MT19937 PRNG");
  lua_rawgeti(L, 1, 2);
  a = lnp_asarray(L, -1, NULL);
  if (a->ndim != 1 || a->shape[0] != RND_N || ops_type_of(a->dtype) < 0)
    return luaL_error(L, "npio.random.set_state: key must be 624 integers");
  memset(&c, 0, sizeof c);
  if (ops_contig(&c, a, OT_U32, NULL, &e))
    lnp_error(L, "npio.random.set_state", NULL, &e);
  memcpy(r->s.key, ops_ptr(&c), sizeof r->s.key);
  npio_array_release(&c);
  lua_rawgeti(L, 1, 3);
  pos = luaL_checkinteger(L, -1);
  if (pos < 0 || pos > RND_N)
    return luaL_error(L, "npio.random.set_state: bad position");
  r->s.pos = (int)pos;
  lua_rawgeti(L, 1, 4);
  r->s.has_gauss = lua_isinteger(L, -1) ? lua_tointeger(L, -1) != 0
                                        : lua_toboolean(L, -1);
  lua_rawgeti(L, 1, 5);
  r->s.gauss = luaL_optnumber(L, -1, 0.0);
  r->seeded = 1;
  return 0;
}

/* }====================================================== */

/* {======================================================
** Continuous distributions
** ======================================================= */

static int r_rand(lua_State *L) { return dims_fill(L, d_sample); }
static int r_randn(lua_State *L) { return dims_fill(L, d_gauss); }

static int r_random(lua_State *L) {
  return dfill(L, 1, d_sample, 0, 0);
}

static int r_standard_normal(lua_State *L) {
  return dfill(L, 1, d_gauss, 0, 0);
}

static int r_uniform(lua_State *L) {
  double low = luaL_optnumber(L, 1, 0.0), high = luaL_optnumber(L, 2, 1.0);
  double range = high - low;
  if (!isfinite(range))
    return luaL_error(L, "npio.random.uniform: Range exceeds valid bounds");
  return dfill(L, 3, d_uniform, low, range);
}

static int r_normal(lua_State *L) {
  double loc = luaL_optnumber(L, 1, 0.0), scale = luaL_optnumber(L, 2, 1.0);
  if (scale < 0 || scale != scale)
    return luaL_error(L, "npio.random.normal: scale < 0");
  return dfill(L, 3, d_normal, loc, scale);
}

/* }====================================================== */

/* {======================================================
** Integers
** ======================================================= */

/* Draws 'cnt' values in [low, high) of type t into p (NumPy's legacy
** _rand_<type> with masked rejection). */
static void bounded(rnd_state *s, int t, int64_t low, int64_t high,
                    int64_t cnt, char *p) {
  uint64_t rng = (uint64_t)high - 1 - (uint64_t)low, off = (uint64_t)low;
  switch (t) {
    case OT_I64: case OT_U64:
      rnd_bounded_u64(s, off, rng, cnt, (uint64_t *)(void *)p);
      break;
    case OT_I32: case OT_U32:
      rnd_bounded_u32(s, (uint32_t)off, (uint32_t)rng, cnt,
                      (uint32_t *)(void *)p);
      break;
    case OT_I16: case OT_U16:
      rnd_bounded_u16(s, (uint16_t)off, (uint16_t)rng, cnt,
                      (uint16_t *)(void *)p);
      break;
    case OT_I8: case OT_U8:
      rnd_bounded_u8(s, (uint8_t)off, (uint8_t)rng, cnt, (uint8_t *)(void *)p);
      break;
    default:
      rnd_bounded_bool(s, (uint8_t)off, (uint8_t)rng, cnt, (uint8_t *)p);
      break;
  }
}

/* randint(low [, high [, size [, dtype]]]) */
static int r_randint(lua_State *L) {
  rnd_state *s = getstate(L);
  lua_Integer low = luaL_checkinteger(L, 1), high;
  int64_t shape[NPIO_MAXDIMS], n;
  int nd, t = OT_I64;
  double lo_lim, hi_lim;
  if (lua_isnoneornil(L, 2)) {
    high = low;
    low = 0;
  } else
    high = luaL_checkinteger(L, 2);
  if (!lua_isnoneornil(L, 4)) {
    npio_dtype *d = lnp_checkdtype(L, 4);
    t = ops_type_of(d);
    if (t < 0 || !(ops_isint(t) || t == OT_BOOL))
      return luaL_error(L, "npio.random.randint: Unsupported dtype %s for "
                        "randint", lua_tostring(L, 4) ? lua_tostring(L, 4)
                                                      : "given");
  }
  switch (t) {
    case OT_BOOL: lo_lim = 0; hi_lim = 2; break;
    case OT_I8: lo_lim = -128; hi_lim = 128; break;
    case OT_U8: lo_lim = 0; hi_lim = 256; break;
    case OT_I16: lo_lim = -32768; hi_lim = 32768; break;
    case OT_U16: lo_lim = 0; hi_lim = 65536; break;
    case OT_I32: lo_lim = -2147483648.0; hi_lim = 2147483648.0; break;
    case OT_U32: lo_lim = 0; hi_lim = 4294967296.0; break;
    case OT_U64: lo_lim = 0; hi_lim = 18446744073709551616.0; break;
    default: lo_lim = -9223372036854775808.0; hi_lim = 9223372036854775808.0;
  }
  if ((double)low < lo_lim)
    return luaL_error(L, "npio.random.randint: low is out of bounds for %s",
                      ops_types[t].name);
  if ((double)high > hi_lim)
    return luaL_error(L, "npio.random.randint: high is out of bounds for %s",
                      ops_types[t].name);
  if (low >= high)
    return luaL_error(L, "npio.random.randint: low >= high");
  nd = checksize(L, 3, shape);
  if (nd < 0) {
    char one[8], v[8];
    int64_t i;
    bounded(s, t, low, high, 1, one);
    if (t == OT_BOOL) {
      lua_pushboolean(L, one[0] != 0);
      return 1;
    }
    ops_cast_fn(t, t == OT_U64 ? OT_U64 : OT_I64)(one, 8, v, 8, 1);
    memcpy(&i, v, 8);
    lua_pushinteger(L, (lua_Integer)i);
    return 1;
  }
  {
    char *p = newarr(L, t, nd, shape, &n);
    if (n > 0) bounded(s, t, low, high, n, p);
  }
  return 1;
}

/* }====================================================== */

/* {======================================================
** Permutations and choice
** ======================================================= */

/* Swaps sub-arrays x[i] and x[j] (any strides). */
static void swap_rows(const npio_array *x, int64_t i, int64_t j) {
  int64_t idx[NPIO_MAXDIMS], sz = x->dtype->itemsize;
  char *a = ops_ptr(x) + i * x->strides[0], *b = ops_ptr(x) + j * x->strides[0];
  char tmp[64];
  int d, nd = x->ndim;
  for (d = 1; d < nd; d++) {
    idx[d] = 0;
    if (x->shape[d] == 0) return;
  }
  for (;;) {
    int64_t k;
    for (k = 0; k < sz; k += (int64_t)sizeof tmp) {
      size_t c = (size_t)(sz - k < (int64_t)sizeof tmp ? sz - k
                                                       : (int64_t)sizeof tmp);
      memcpy(tmp, a + k, c);
      memcpy(a + k, b + k, c);
      memcpy(b + k, tmp, c);
    }
    for (d = nd - 1; d >= 1; d--) {
      if (++idx[d] < x->shape[d]) {
        a += x->strides[d];
        b += x->strides[d];
        break;
      }
      a -= x->strides[d] * (x->shape[d] - 1);
      b -= x->strides[d] * (x->shape[d] - 1);
      idx[d] = 0;
    }
    if (d < 1) break;
  }
}

/* Shuffles x in place along its first axis as RandomState.shuffle. */
static void shuffle_array(lua_State *L, rnd_state *s, npio_array *x) {
  int64_t n = x->shape[0], i;
  if (x->ndim == 1) {
    char tmp[64];
    if (x->dtype->itemsize <= (int64_t)sizeof tmp) {
      rnd_shuffle(s, ops_ptr(x), n, x->dtype->itemsize, x->strides[0], tmp);
      return;
    }
  }
  (void)L;
  for (i = n - 1; i >= 1; i--) {
    int64_t j = (int64_t)rnd_interval(s, (uint64_t)i);
    if (i != j) swap_rows(x, i, j);
  }
}

static int r_shuffle(lua_State *L) {
  rnd_state *s = getstate(L);
  npio_array *x = lnp_checkarray(L, 1);
  lnp_data(L, x);
  if (x->storage->flags & NPIO_STORAGE_READONLY)
    return luaL_error(L, "npio.random.shuffle: array is read-only");
  if (x->ndim == 0)
    return luaL_error(L, "npio.random.shuffle: x must be an integer or at "
                      "least 1-dimensional");
  if (npio_array_size(x) > 0) shuffle_array(L, s, x);
  return 0;
}

/* Pushes arange(n) shuffled (0-based, int64). */
static int64_t *perm_n(lua_State *L, rnd_state *s, int64_t n) {
  int64_t cnt, i;
  int64_t *p = (int64_t *)(void *)newarr(L, OT_I64, 1, &n, &cnt);
  char tmp[8];
  for (i = 0; i < n; i++) p[i] = i;
  rnd_shuffle(s, (char *)p, n, 8, 8, tmp);
  return p;
}

static int r_permutation(lua_State *L) {
  rnd_state *s = getstate(L);
  if (lua_isinteger(L, 1)) {
    lua_Integer n = lua_tointeger(L, 1), i;
    int64_t *p;
    if (n < 0)
      return luaL_error(L, "npio.random.permutation: negative dimensions are "
                        "not allowed");
    p = perm_n(L, s, n);
    for (i = 0; i < n; i++) p[i]++;   /* 1-based */
    return 1;
  } else {
    npio_array *x = lnp_asarray(L, 1, NULL), *out;
    npio_err e = {0};
    lnp_data(L, x);
    if (x->ndim == 0)
      return luaL_error(L, "npio.random.permutation: x must be an integer "
                        "or at least 1-dimensional");
    out = lnp_newarray(L);
    if (npio_array_init(out, x->dtype, x->ndim, x->shape, 0, 0,
                        lnp_memhook(L), &e) ||
        npio_array_copyto(out, x, &e))
      lnp_error(L, "npio.random.permutation", NULL, &e);
    if (npio_array_size(out) > 0) shuffle_array(L, s, out);
    return 1;
  }
}

/* NumPy's kahan_sum over p (used to check probabilities). */
static double kahan(const double *p, int64_t n) {
  double sum = p[0], c = 0, y, t;
  int64_t i;
  for (i = 1; i < n; i++) {
    y = p[i] - c;
    t = sum + y;
    c = (t - sum) - y;
    sum = t;
  }
  return sum;
}

/* Index of the first cdf value > u (searchsorted side='right'). */
static int64_t search_right(const double *cdf, int64_t n, double u) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (u < cdf[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/* choice(a [, size] [, {replace=, p=, size=}]) */
static int r_choice(lua_State *L) {
  rnd_state *s = getstate(L);
  int64_t pop, shape[NPIO_MAXDIMS], size = 1, i, cnt;
  int nd = -1, o = 0, replace, k;
  npio_array *a = NULL, *pa = NULL, pc;
  const double *p = NULL;
  int64_t *idx;
  npio_err e = {0};
  lua_settop(L, 3);
  if (lua_istable(L, 2)) {
    lua_rawgeti(L, 2, 1);
    if (lua_isnil(L, -1)) o = 2;
    lua_pop(L, 1);
  }
  if (lua_istable(L, 3)) o = 3;
  if (o == 2) {
    lnp_optfield(L, o, "size");
    if (!lua_isnil(L, -1)) nd = lnp_checkshape(L, lua_gettop(L), shape);
    lua_pop(L, 1);
  } else
    nd = checksize(L, 2, shape);
  replace = lnp_optbool(L, o, "replace", 1);
  if (lua_isinteger(L, 1)) {
    pop = lua_tointeger(L, 1);
  } else {
    a = lnp_asarray(L, 1, NULL);
    lua_replace(L, 1);
    lnp_data(L, a);
    if (a->ndim != 1)
      return luaL_error(L, "npio.random.choice: a must be 1-dimensional");
    pop = a->shape[0];
  }
  for (k = 0; k < nd; k++) size *= shape[k];
  if (nd >= 0 && size == 0) {   /* nothing drawn */
    npio_array *z;
    if (a == NULL) {
      newarr(L, OT_I64, nd, shape, &cnt);
      return 1;
    }
    z = lnp_newarray(L);
    if (npio_array_init(z, a->dtype, nd, shape, 0, 0, lnp_memhook(L), &e))
      lnp_error(L, "npio.random.choice", NULL, &e);
    return 1;
  }
  if (pop <= 0 && size != 0)
    return luaL_error(L, a ? "npio.random.choice: 'a' cannot be empty unless "
                      "no samples are taken" : "npio.random.choice: a must "
                      "be greater than 0 unless no samples are taken");
  memset(&pc, 0, sizeof pc);
  if (lnp_optfield(L, o, "p") != LUA_TNIL) {
    int top = lua_gettop(L);
    double sum, atol = 1.4901161193847656e-08;
    pa = lnp_asarray(L, top, NULL);
    lua_replace(L, top);
    if (pa->ndim != 1)
      return luaL_error(L, "npio.random.choice: p must be 1-dimensional");
    if (pa->shape[0] != pop)
      return luaL_error(L, "npio.random.choice: 'a' and 'p' must have same "
                        "size");
    if (ops_contig(&pc, pa, OT_F64, NULL, &e))
      lnp_error(L, "npio.random.choice", NULL, &e);
    /* keep the copy alive in a userdata-free way: copy into Lua memory */
    {
      double *q = (double *)lua_newuserdatauv(L, sizeof(double) *
                                              (size_t)(pop ? pop : 1), 0);
      memcpy(q, ops_ptr(&pc), sizeof(double) * (size_t)pop);
      npio_array_release(&pc);
      p = q;
    }
    for (i = 0; i < pop; i++)
      if (p[i] < 0)
        return luaL_error(L, "npio.random.choice: probabilities are not "
                          "non-negative");
    sum = kahan(p, pop);
    if (fabs(sum - 1.0) > atol)
      return luaL_error(L, "npio.random.choice: probabilities do not sum "
                        "to 1");
  }
  /* draw 0-based indices into idx (an int64 array on the stack) */
  if (replace) {
    if (p) {
      double *cdf = (double *)lua_newuserdatauv(L, sizeof(double) *
                                                (size_t)pop, 0);
      cdf[0] = p[0];
      for (i = 1; i < pop; i++) cdf[i] = cdf[i - 1] + p[i];
      for (i = 0; i < pop; i++) cdf[i] /= cdf[pop - 1];
      if (nd < 0) {
        int64_t one = 1;
        idx = (int64_t *)(void *)newarr(L, OT_I64, 1, &one, &cnt);
        idx[0] = search_right(cdf, pop, rnd_double(s));
      } else {
        idx = (int64_t *)(void *)newarr(L, OT_I64, nd, shape, &cnt);
        for (i = 0; i < cnt; i++) {
          double u = rnd_double(s);
          idx[i] = u != u ? pop : search_right(cdf, pop, u);
        }
      }
    } else {
      int64_t one = 1;
      idx = (int64_t *)(void *)newarr(L, OT_I64, nd < 0 ? 1 : nd,
                                      nd < 0 ? &one : shape, &cnt);
      rnd_bounded_u64(s, 0, (uint64_t)pop - 1, cnt, (uint64_t *)idx);
    }
  } else {
    if (size > pop)
      return luaL_error(L, "npio.random.choice: Cannot take a larger sample "
                        "than population when 'replace=False'");
    if (p) {
      double *pp = (double *)lua_newuserdatauv(L, sizeof(double) *
                                               (size_t)pop * 2, 0);
      double *cdf = pp + pop;
      int64_t nz = 0, nu = 0, one = 1;
      for (i = 0; i < pop; i++) nz += p[i] > 0;
      if (nz < size)
        return luaL_error(L, "npio.random.choice: Fewer non-zero entries in "
                          "p than size");
      memcpy(pp, p, sizeof(double) * (size_t)pop);
      idx = (int64_t *)(void *)newarr(L, OT_I64, nd < 0 ? 1 : nd,
                                      nd < 0 ? &one : shape, &cnt);
      while (nu < size) {
        int64_t want = size - nu, j, q;
        /* x = rand(want); zero found; cdf; new = searchsorted; unique in
           order of first appearance */
        double *x = (double *)lua_newuserdatauv(L, sizeof(double) *
                                                (size_t)want * 2, 0);
        int64_t *nw = (int64_t *)(void *)(x + want);
        for (j = 0; j < want; j++) x[j] = rnd_double(s);
        for (j = 0; j < nu; j++) pp[idx[j]] = 0;
        cdf[0] = pp[0];
        for (j = 1; j < pop; j++) cdf[j] = cdf[j - 1] + pp[j];
        for (j = 0; j < pop; j++) cdf[j] /= cdf[pop - 1];
        for (j = 0; j < want; j++) nw[j] = search_right(cdf, pop, x[j]);
        for (j = 0; j < want; j++) {   /* keep first occurrences */
          int dup = 0;
          for (q = 0; q < j && !dup; q++) dup = nw[q] == nw[j];
          if (!dup) idx[nu++] = nw[j];
        }
        lua_pop(L, 1);
      }
    } else {
      int64_t *perm = perm_n(L, s, pop), one = 1;
      idx = (int64_t *)(void *)newarr(L, OT_I64, nd < 0 ? 1 : nd,
                                      nd < 0 ? &one : shape, &cnt);
      for (i = 0; i < cnt; i++) idx[i] = perm[i];
    }
  }
  /* results: 1-based indices for an integer population, else elements */
  if (a == NULL) {
    if (nd < 0) {
      lua_pushinteger(L, idx[0] + 1);
      return 1;
    }
    for (i = 0; i < cnt; i++) idx[i]++;
    return 1;
  }
  if (nd < 0) {
    lnp_pushscalar(L, a->dtype, ops_ptr(a) + idx[0] * a->strides[0]);
    return 1;
  }
  {
    npio_array *out = lnp_newarray(L);
    int64_t sz = a->dtype->itemsize;
    if (npio_array_init(out, a->dtype, nd, shape, 0, 0, lnp_memhook(L), &e))
      lnp_error(L, "npio.random.choice", NULL, &e);
    for (i = 0; i < cnt; i++)
      memcpy(ops_ptr(out) + i * sz, ops_ptr(a) + idx[i] * a->strides[0],
             (size_t)sz);
  }
  return 1;
}

/* }====================================================== */

static const luaL_Reg random_funcs[] = {
  {"seed", r_seed}, {"get_state", r_get_state}, {"set_state", r_set_state},
  {"rand", r_rand}, {"randn", r_randn}, {"random", r_random},
  {"random_sample", r_random}, {"sample", r_random}, {"ranf", r_random},
  {"standard_normal", r_standard_normal}, {"uniform", r_uniform},
  {"normal", r_normal}, {"randint", r_randint}, {"choice", r_choice},
  {"permutation", r_permutation}, {"shuffle", r_shuffle}, {NULL, NULL}
};

void lnp_open_random(lua_State *L) {
  RState *r;
  lua_newtable(L);
  r = (RState *)lua_newuserdatauv(L, sizeof(RState), 0);
  memset(r, 0, sizeof *r);
  luaL_setfuncs(L, random_funcs, 1);
  lua_setfield(L, -2, "random");
}
