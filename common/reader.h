/*
 * Bounds-checked reader over untrusted bytes.
 *
 * Every parser of wire data, event logs and IMA lists decodes through this
 * reader. A getter either consumes the whole field and writes its output, or
 * fails with TS_E_TRUNCATED and leaves both the cursor and the output alone.
 * Numbers are big-endian unless the function name ends in _le.
 *
 * A reader does not own its bytes. reader_sub() hands out a reader over the
 * next n bytes whose offsets stay relative to the outermost buffer, so an error
 * inside a nested TLV can still report the offset a peer understands.
 */
#ifndef READER_H
#define READER_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"

typedef struct reader {
	const uint8_t *data;  /* first byte of this reader's window */
	size_t len;           /* window length */
	size_t pos;           /* cursor, 0..len */
	size_t base;          /* offset of data[0] within the outermost buffer */
} reader_t;

void reader_init(reader_t *r, const void *data, size_t len);

/* Bytes left between the cursor and the end of the window. */
static inline size_t reader_remaining(const reader_t *r)
{
	return r->len - r->pos;
}

/* Offset of the cursor within the outermost buffer, for error reports. */
static inline size_t reader_offset(const reader_t *r)
{
	return r->base + r->pos;
}

/* Pointer to the byte at the cursor (valid while the buffer lives). */
static inline const uint8_t *reader_current(const reader_t *r)
{
	return r->data + r->pos;
}

TS_MUST_CHECK int reader_u8(reader_t *r, uint8_t *out);
TS_MUST_CHECK int reader_u16(reader_t *r, uint16_t *out);
TS_MUST_CHECK int reader_u24(reader_t *r, uint32_t *out);
TS_MUST_CHECK int reader_u32(reader_t *r, uint32_t *out);
TS_MUST_CHECK int reader_u64(reader_t *r, uint64_t *out);
TS_MUST_CHECK int reader_u16_le(reader_t *r, uint16_t *out);
TS_MUST_CHECK int reader_u32_le(reader_t *r, uint32_t *out);
TS_MUST_CHECK int reader_u64_le(reader_t *r, uint64_t *out);

/* Points *out at the next n bytes without copying them. */
TS_MUST_CHECK int reader_bytes(reader_t *r, size_t n, const uint8_t **out);
/* Copies the next n bytes into out. */
TS_MUST_CHECK int reader_copy(reader_t *r, void *out, size_t n);
TS_MUST_CHECK int reader_skip(reader_t *r, size_t n);
/* Consumes everything left; *out may be NULL when *len is 0. */
void reader_rest(reader_t *r, const uint8_t **out, size_t *len);

/*
 * Length-prefixed fields: a big-endian length of 1, 2, 3 or 4 bytes, then that
 * many bytes. On failure nothing is consumed, not even the length.
 */
TS_MUST_CHECK int reader_vec8(reader_t *r, const uint8_t **out, size_t *len);
TS_MUST_CHECK int reader_vec16(reader_t *r, const uint8_t **out, size_t *len);
TS_MUST_CHECK int reader_vec24(reader_t *r, const uint8_t **out, size_t *len);
TS_MUST_CHECK int reader_vec32(reader_t *r, const uint8_t **out, size_t *len);

/* Hands out a reader over the next n bytes and moves the cursor past them. */
TS_MUST_CHECK int reader_sub(reader_t *r, size_t n, reader_t *sub);

/* Reads ahead without moving the cursor: n bytes starting `skip` bytes on. */
TS_MUST_CHECK int reader_peek(const reader_t *r, size_t skip, size_t n, const uint8_t **out);
TS_MUST_CHECK int reader_peek_u32(const reader_t *r, size_t skip, uint32_t *out);

/* TS_OK when the window is used up, TS_E_TRAILING otherwise. */
TS_MUST_CHECK int reader_expect_end(const reader_t *r);

#endif
