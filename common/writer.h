/*
 * Growing big-endian writer with a hard size limit.
 *
 * The buffer grows on demand up to `max` bytes. The first failure (limit
 * reached or out of memory) is sticky: later calls do nothing and return the
 * same code, so a builder can append a whole structure and check once with
 * writer_status(). Numbers are big-endian unless the name ends in _le.
 */
#ifndef WRITER_H
#define WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"

typedef struct writer {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;   /* hard limit on len */
	int status;   /* TS_OK, or the first error */
} writer_t;

/* Starts an empty writer that may grow to max bytes (SIZE_MAX: no limit). */
void writer_init(writer_t *w, size_t max);
/* Frees the buffer; the writer may be reused after writer_init(). */
void writer_free(writer_t *w);
/* Forgets the contents but keeps the buffer and the limit. */
void writer_reset(writer_t *w);
/*
 * Cuts the contents back to len bytes (len <= writer_len) and clears a
 * sticky error, so a builder can drop a part that did not fit and go on.
 */
void writer_truncate(writer_t *w, size_t len);

static inline int writer_status(const writer_t *w)
{
	return w->status;
}

static inline size_t writer_len(const writer_t *w)
{
	return w->len;
}

static inline const uint8_t *writer_data(const writer_t *w)
{
	return w->data;
}

int writer_u8(writer_t *w, uint8_t v);
int writer_u16(writer_t *w, uint16_t v);
int writer_u24(writer_t *w, uint32_t v);   /* fails with TS_E_INVALID above 0xFFFFFF */
int writer_u32(writer_t *w, uint32_t v);
int writer_u64(writer_t *w, uint64_t v);
int writer_u16_le(writer_t *w, uint16_t v);
int writer_u32_le(writer_t *w, uint32_t v);
int writer_u64_le(writer_t *w, uint64_t v);
int writer_bytes(writer_t *w, const void *data, size_t n);
int writer_zeros(writer_t *w, size_t n);

/* A big-endian length of 1, 2, 3 or 4 bytes, then the bytes (TS_E_INVALID if too long). */
int writer_vec8(writer_t *w, const void *data, size_t n);
int writer_vec16(writer_t *w, const void *data, size_t n);
int writer_vec24(writer_t *w, const void *data, size_t n);
int writer_vec32(writer_t *w, const void *data, size_t n);

/*
 * Appends n bytes for the caller to fill and returns their offset in *offset,
 * for a length field that is known only after the body is written. Patch it
 * with writer_put_u16_at / writer_put_u32_at; offsets stay valid while the
 * buffer grows, pointers would not.
 */
int writer_reserve(writer_t *w, size_t n, size_t *offset);
int writer_put_u16_at(writer_t *w, size_t offset, uint16_t v);
int writer_put_u24_at(writer_t *w, size_t offset, uint32_t v);
int writer_put_u32_at(writer_t *w, size_t offset, uint32_t v);

/*
 * Hands the buffer to the caller, who frees it with free(). Returns NULL if
 * the writer failed; an empty writer returns a valid one-byte allocation.
 * The writer is left empty either way.
 */
uint8_t *writer_steal(writer_t *w, size_t *len);

#endif
