/*
** zipscan.c -- walks the blocks of a raw DEFLATE stream without producing
** its output, to find where the last block starts and where the stream
** ends (bit positions). zipw.c needs both to join independently
** compressed pieces into one stream.
**
** This is an inflater that only counts bits: Huffman codes are decoded
** through a 12-bit table whose entries give the bits to skip (code plus
** extra bits) and the kind of symbol; longer codes (rare) are decoded bit
** by bit in canonical order. Back-references are skipped, never copied,
** so the walk runs at 2-3x zlib's inflate speed. Any inconsistency is an
** error, and the caller falls back to zlib (inflate with Z_BLOCK).
*/
#include "zip.h"

#include <stdlib.h>
#include <string.h>

#define TBITS 12
#define TSIZE (1 << TBITS)

/* table entry: bits 0-4 bits to skip, 5-6 kind */
enum { K_LIT = 0, K_LEN = 1, K_EOB = 2, K_SLOW = 3 };
#define ENTRY(skip, kind) ((uint16_t)((skip) | ((kind) << 5)))

static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2,
                                      2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5,
                                      5, 5, 0};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3,
                                       4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
                                       9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

typedef struct huff {
  uint16_t table[TSIZE];
  uint16_t count[16];    /* codes of each length */
  uint16_t sorted[320];  /* symbols in canonical order */
} huff;

typedef struct bits {
  const unsigned char *in;
  size_t n, pos;         /* next byte to load (may pass n: zeros) */
  uint64_t buf;
  unsigned cnt;
} bits;

/* Fills the bit buffer to at least 56 bits: 8 bytes at once when they
** are there, zeros past the end (counted, so overruns are seen). */
static void refill(bits *b) {
  if (b->pos + 8 <= b->n) {
    uint64_t w;
    memcpy(&w, b->in + b->pos, 8);       /* little-endian machines only */
    b->buf |= w << b->cnt;
    b->pos += (63 - b->cnt) >> 3;
    b->cnt |= 56;
    return;
  }
  while (b->cnt <= 56) {
    if (b->pos < b->n) b->buf |= (uint64_t)b->in[b->pos] << b->cnt;
    b->pos++;
    b->cnt += 8;
  }
}

static int64_t consumed(const bits *b) {
  return (int64_t)b->pos * 8 - (int64_t)b->cnt;
}

static void drop(bits *b, unsigned k) {
  b->buf >>= k;
  b->cnt -= k;
}

/* Symbol 'sym' of a literal/length (lit = 1) or distance table. */
static int entry_for(int sym, int len, int lit, uint16_t *out) {
  if (lit) {
    if (sym < 256) *out = ENTRY(len, K_LIT);
    else if (sym == 256) *out = ENTRY(len, K_EOB);
    else if (sym <= 285) *out = ENTRY(len + len_extra[sym - 257], K_LEN);
    else return -1;
  } else {
    if (sym >= 30) return -1;
    *out = ENTRY(len + dist_extra[sym], K_LIT);
  }
  return 0;
}

/*
** Builds the decoding data for code lengths 'lens' of 'n' symbols.
** Returns 0, or -1 for an over-subscribed set. Codes missing from an
** incomplete set decode as errors.
*/
static int build(huff *h, const uint8_t *lens, int n, int lit) {
  uint16_t next[16], offs[16];
  int sym, len, left = 1;
  memset(h->count, 0, sizeof(h->count));
  for (sym = 0; sym < n; sym++) h->count[lens[sym]]++;
  h->count[0] = 0;
  for (len = 1; len <= 15; len++) {
    left <<= 1;
    left -= h->count[len];
    if (left < 0) return -1;
  }
  offs[1] = 0;
  for (len = 1; len < 15; len++)
    offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
  for (sym = 0; sym < n; sym++)
    if (lens[sym]) h->sorted[offs[lens[sym]]++] = (uint16_t)sym;
  for (sym = 0; sym < TSIZE; sym++) h->table[sym] = ENTRY(0, K_SLOW);
  {
    unsigned code = 0;
    next[0] = 0;
    for (len = 1; len <= 15; len++) {
      code = (code + h->count[len - 1]) << 1;
      next[len] = (uint16_t)code;
    }
  }
  for (sym = 0; sym < n; sym++) {
    int L = lens[sym];
    unsigned code, rev = 0, k;
    uint16_t e;
    if (L == 0 || L > TBITS) continue;
    code = next[L]++;
    for (k = 0; k < (unsigned)L; k++) rev |= ((code >> k) & 1u) << (L - 1 - k);
    if (entry_for(sym, L, lit, &e) != 0) continue;   /* stays K_SLOW: error */
    for (k = rev; k < TSIZE; k += 1u << L) h->table[k] = e;
  }
  return 0;
}

/* Canonical bit-by-bit decoding, for codes longer than TBITS. */
static int slow_decode(bits *b, const huff *h) {
  int len, code = 0, first = 0, index = 0;
  refill(b);
  for (len = 1; len <= 15; len++) {
    int count = h->count[len];
    code |= (int)(b->buf & 1);
    drop(b, 1);
    if (code - first < count) return h->sorted[index + code - first];
    index += count;
    first += count;
    first <<= 1;
    code <<= 1;
  }
  return -1;
}

/* Skips the symbols of one Huffman block up to its end-of-block code. */
static int skip_block(bits *b, const huff *lit, const huff *dist) {
  int64_t limit = (int64_t)b->n * 8;
  for (;;) {
    uint16_t e;
    refill(b);
    /* up to four literals per refill: 4 x 12 bits fit the 56 */
    e = lit->table[b->buf & (TSIZE - 1)];
    if ((e >> 5) == K_LIT) {
      drop(b, e & 31);
      e = lit->table[b->buf & (TSIZE - 1)];
      if ((e >> 5) != K_LIT) goto other;
      drop(b, e & 31);
      e = lit->table[b->buf & (TSIZE - 1)];
      if ((e >> 5) != K_LIT) goto other;
      drop(b, e & 31);
      e = lit->table[b->buf & (TSIZE - 1)];
      if ((e >> 5) != K_LIT) goto other;
      drop(b, e & 31);
      if (consumed(b) > limit) return -1;   /* zeros past the end */
      continue;
    }
  other:
    if (b->cnt < 32) {       /* lengths need up to 17 bits, then a refill */
      refill(b);
      e = lit->table[b->buf & (TSIZE - 1)];
    }
    switch (e >> 5) {
      case K_LIT:
        drop(b, e & 31);
        if (consumed(b) > limit) return -1;
        continue;
      case K_EOB:
        drop(b, e & 31);
        return consumed(b) <= limit ? 0 : -1;
      case K_LEN:
        drop(b, e & 31);
        break;
      default: {   /* a long code, or a code missing from the table */
        int sym = slow_decode(b, lit);
        if (sym < 0 || sym > 285 || consumed(b) > limit) return -1;
        if (sym < 256) continue;
        if (sym == 256) return consumed(b) <= limit ? 0 : -1;
        refill(b);
        drop(b, len_extra[sym - 257]);
        break;
      }
    }
    /* a distance follows the length */
    refill(b);
    e = dist->table[b->buf & (TSIZE - 1)];
    if ((e >> 5) == K_LIT) {
      drop(b, e & 31);
    } else {
      int sym = slow_decode(b, dist);
      if (sym < 0 || sym >= 30) return -1;
      refill(b);
      drop(b, dist_extra[sym]);
    }
    if (consumed(b) > limit) return -1;
  }
}

/* Reads a dynamic block's code lengths and builds its two tables. */
static int read_dynamic(bits *b, huff *lit, huff *dist, huff *tmp) {
  static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4,
                                    12, 3, 13, 2, 14, 1, 15};
  uint8_t lens[320], cl[19];
  int hlit, hdist, hclen, i, n;
  refill(b);
  hlit = (int)(b->buf & 31) + 257;
  hdist = (int)((b->buf >> 5) & 31) + 1;
  hclen = (int)((b->buf >> 10) & 15) + 4;
  drop(b, 14);
  if (hlit > 286 || hdist > 30) return -1;
  memset(cl, 0, sizeof(cl));
  for (i = 0; i < hclen; i++) {
    refill(b);
    cl[order[i]] = (uint8_t)(b->buf & 7);
    drop(b, 3);
  }
  /* the code-length code: decoded canonically (7 bits at most) */
  if (build(tmp, cl, 19, 0) != 0) return -1;
  n = hlit + hdist;
  i = 0;
  while (i < n) {
    int sym = slow_decode(b, tmp), rep, val;
    if (sym < 0) return -1;
    if (sym < 16) { lens[i++] = (uint8_t)sym; continue; }
    refill(b);
    if (sym == 16) {
      if (i == 0) return -1;
      val = lens[i - 1];
      rep = 3 + (int)(b->buf & 3);
      drop(b, 2);
    } else if (sym == 17) {
      val = 0;
      rep = 3 + (int)(b->buf & 7);
      drop(b, 3);
    } else {
      val = 0;
      rep = 11 + (int)(b->buf & 127);
      drop(b, 7);
    }
    if (i + rep > n) return -1;
    while (rep--) lens[i++] = (uint8_t)val;
  }
  if (lens[256] == 0) return -1;               /* no end-of-block code */
  if (build(lit, lens, hlit, 1) != 0) return -1;
  if (build(dist, lens + hlit, hdist, 0) != 0) return -1;
  return 0;
}

int zip_deflate_scan(const unsigned char *in, size_t n, int64_t *lasthdr,
                     int64_t *endbit) {
  struct { huff lit, dist, tmp; } *t;
  bits b;
  int st = -1, fixed_built = 0;
  t = malloc(sizeof(*t));                  /* ~27 KiB: not on the stack */
  if (t == NULL) return -1;
  memset(&b, 0, sizeof(b));
  b.in = in;
  b.n = n;
  for (;;) {
    int64_t hdr = consumed(&b);
    unsigned final, type;
    refill(&b);
    final = (unsigned)(b.buf & 1);
    type = (unsigned)((b.buf >> 1) & 3);
    drop(&b, 3);
    if (type == 0) {            /* stored: to a byte boundary, LEN, NLEN */
      size_t at;
      unsigned len, nlen;
      drop(&b, b.cnt & 7);
      refill(&b);
      len = (unsigned)(b.buf & 0xFFFF);
      nlen = (unsigned)((b.buf >> 16) & 0xFFFF);
      drop(&b, 32);
      if ((len ^ 0xFFFF) != nlen) break;
      at = (size_t)(consumed(&b) / 8) + len;   /* byte aligned here */
      if (at > n) break;
      b.pos = at;
      b.buf = 0;
      b.cnt = 0;
    } else if (type == 1) {
      if (!fixed_built) {
        uint8_t lens[320];
        int i;
        for (i = 0; i < 144; i++) lens[i] = 8;
        for (; i < 256; i++) lens[i] = 9;
        for (; i < 280; i++) lens[i] = 7;
        for (; i < 288; i++) lens[i] = 8;
        build(&t->lit, lens, 288, 1);
        for (i = 0; i < 30; i++) lens[i] = 5;
        build(&t->dist, lens, 30, 0);
        fixed_built = 1;
      }
      if (skip_block(&b, &t->lit, &t->dist) != 0) break;
    } else if (type == 2) {
      fixed_built = 0;
      if (read_dynamic(&b, &t->lit, &t->dist, &t->tmp) != 0) break;
      if (skip_block(&b, &t->lit, &t->dist) != 0) break;
    } else {
      break;
    }
    if (consumed(&b) > (int64_t)n * 8) break;
    if (final) {
      *lasthdr = hdr;
      *endbit = consumed(&b);
      st = 0;
      break;
    }
  }
  free(t);
  return st;
}
