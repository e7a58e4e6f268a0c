#include <stdlib.h>
#include <string.h>

#include "writer.h"

#define WRITER_MIN_CAPACITY 64

void writer_init(writer_t *w, size_t max)
{
	w->data = NULL;
	w->len = 0;
	w->cap = 0;
	w->max = max;
	w->status = TS_OK;
}

void writer_free(writer_t *w)
{
	free(w->data);
	writer_init(w, w->max);
}

void writer_reset(writer_t *w)
{
	w->len = 0;
	w->status = TS_OK;
}

void writer_truncate(writer_t *w, size_t len)
{
	if (len < w->len)
		w->len = len;
	w->status = TS_OK;
}

static int fail(writer_t *w, int code)
{
	if (w->status == TS_OK)
		w->status = code;
	return w->status;
}

/* Makes room for n more bytes, doubling the buffer but never past max. */
static int grow(writer_t *w, size_t n)
{
	size_t need, cap;
	uint8_t *p;

	if (w->status != TS_OK)
		return w->status;
	if (n > w->max - w->len)
		return fail(w, TS_E_TOO_LARGE);
	need = w->len + n;
	if (need <= w->cap)
		return TS_OK;

	cap = w->cap ? w->cap : WRITER_MIN_CAPACITY;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > w->max)
		cap = w->max;
	p = realloc(w->data, cap);
	if (!p)
		return fail(w, TS_E_NOMEM);
	w->data = p;
	w->cap = cap;
	return TS_OK;
}

static int put_be(writer_t *w, uint64_t v, size_t n)
{
	int rc = grow(w, n);

	if (rc != TS_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		w->data[w->len + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	w->len += n;
	return TS_OK;
}

static int put_le(writer_t *w, uint64_t v, size_t n)
{
	int rc = grow(w, n);

	if (rc != TS_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		w->data[w->len + i] = (uint8_t)(v >> (8 * i));
	w->len += n;
	return TS_OK;
}

int writer_u8(writer_t *w, uint8_t v)
{
	return put_be(w, v, 1);
}

int writer_u16(writer_t *w, uint16_t v)
{
	return put_be(w, v, 2);
}

int writer_u24(writer_t *w, uint32_t v)
{
	if (v > 0xFFFFFF)
		return fail(w, TS_E_INVALID);
	return put_be(w, v, 3);
}

int writer_u32(writer_t *w, uint32_t v)
{
	return put_be(w, v, 4);
}

int writer_u64(writer_t *w, uint64_t v)
{
	return put_be(w, v, 8);
}

int writer_u16_le(writer_t *w, uint16_t v)
{
	return put_le(w, v, 2);
}

int writer_u32_le(writer_t *w, uint32_t v)
{
	return put_le(w, v, 4);
}

int writer_u64_le(writer_t *w, uint64_t v)
{
	return put_le(w, v, 8);
}

int writer_bytes(writer_t *w, const void *data, size_t n)
{
	int rc = grow(w, n);

	if (rc != TS_OK)
		return rc;
	if (n > 0)
		memcpy(w->data + w->len, data, n);
	w->len += n;
	return TS_OK;
}

int writer_zeros(writer_t *w, size_t n)
{
	int rc = grow(w, n);

	if (rc != TS_OK)
		return rc;
	if (n > 0)
		memset(w->data + w->len, 0, n);
	w->len += n;
	return TS_OK;
}

static int vec(writer_t *w, size_t width, const void *data, size_t n)
{
	int rc;

	if (width < sizeof(size_t) && n >> (8 * width) != 0)
		return fail(w, TS_E_INVALID);
	rc = put_be(w, n, width);
	if (rc != TS_OK)
		return rc;
	return writer_bytes(w, data, n);
}

int writer_vec8(writer_t *w, const void *data, size_t n)
{
	return vec(w, 1, data, n);
}

int writer_vec16(writer_t *w, const void *data, size_t n)
{
	return vec(w, 2, data, n);
}

int writer_vec24(writer_t *w, const void *data, size_t n)
{
	return vec(w, 3, data, n);
}

int writer_vec32(writer_t *w, const void *data, size_t n)
{
	return vec(w, 4, data, n);
}

int writer_reserve(writer_t *w, size_t n, size_t *offset)
{
	size_t at = w->len;
	int rc = writer_zeros(w, n);

	if (rc == TS_OK)
		*offset = at;
	return rc;
}

static int put_at(writer_t *w, size_t offset, uint64_t v, size_t n)
{
	if (w->status != TS_OK)
		return w->status;
	if (offset > w->len || n > w->len - offset)
		return fail(w, TS_E_INVALID);
	for (size_t i = 0; i < n; i++)
		w->data[offset + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return TS_OK;
}

int writer_put_u16_at(writer_t *w, size_t offset, uint16_t v)
{
	return put_at(w, offset, v, 2);
}

int writer_put_u24_at(writer_t *w, size_t offset, uint32_t v)
{
	if (v > 0xFFFFFF)
		return fail(w, TS_E_INVALID);
	return put_at(w, offset, v, 3);
}

int writer_put_u32_at(writer_t *w, size_t offset, uint32_t v)
{
	return put_at(w, offset, v, 4);
}

uint8_t *writer_steal(writer_t *w, size_t *len)
{
	uint8_t *p = NULL;

	if (w->status == TS_OK) {
		p = w->data ? w->data : malloc(1);
		if (p) {
			*len = w->len;
			w->data = NULL;
		}
	}
	writer_free(w);
	return p;
}
