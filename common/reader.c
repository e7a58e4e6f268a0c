#include <string.h>

#include "reader.h"

void reader_init(reader_t *r, const void *data, size_t len)
{
	r->data = data;
	r->len = data ? len : 0;
	r->pos = 0;
	r->base = 0;
}

/* The one bounds check: n is compared with what remains, never pos + n with len. */
static int take(reader_t *r, size_t n, const uint8_t **out)
{
	if (n > reader_remaining(r))
		return TS_E_TRUNCATED;
	*out = r->data + r->pos;
	r->pos += n;
	return TS_OK;
}

static uint64_t load_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return v;
}

int reader_u8(reader_t *r, uint8_t *out)
{
	const uint8_t *p;
	int rc = take(r, 1, &p);

	if (rc == TS_OK)
		*out = p[0];
	return rc;
}

int reader_u16(reader_t *r, uint16_t *out)
{
	const uint8_t *p;
	int rc = take(r, 2, &p);

	if (rc == TS_OK)
		*out = (uint16_t)load_be(p, 2);
	return rc;
}

int reader_u24(reader_t *r, uint32_t *out)
{
	const uint8_t *p;
	int rc = take(r, 3, &p);

	if (rc == TS_OK)
		*out = (uint32_t)load_be(p, 3);
	return rc;
}

int reader_u32(reader_t *r, uint32_t *out)
{
	const uint8_t *p;
	int rc = take(r, 4, &p);

	if (rc == TS_OK)
		*out = (uint32_t)load_be(p, 4);
	return rc;
}

int reader_u64(reader_t *r, uint64_t *out)
{
	const uint8_t *p;
	int rc = take(r, 8, &p);

	if (rc == TS_OK)
		*out = load_be(p, 8);
	return rc;
}

int reader_u16_le(reader_t *r, uint16_t *out)
{
	const uint8_t *p;
	int rc = take(r, 2, &p);

	if (rc == TS_OK)
		*out = (uint16_t)load_le(p, 2);
	return rc;
}

int reader_u32_le(reader_t *r, uint32_t *out)
{
	const uint8_t *p;
	int rc = take(r, 4, &p);

	if (rc == TS_OK)
		*out = (uint32_t)load_le(p, 4);
	return rc;
}

int reader_u64_le(reader_t *r, uint64_t *out)
{
	const uint8_t *p;
	int rc = take(r, 8, &p);

	if (rc == TS_OK)
		*out = load_le(p, 8);
	return rc;
}

int reader_bytes(reader_t *r, size_t n, const uint8_t **out)
{
	return take(r, n, out);
}

int reader_copy(reader_t *r, void *out, size_t n)
{
	const uint8_t *p;
	int rc = take(r, n, &p);

	if (rc == TS_OK && n > 0)
		memcpy(out, p, n);
	return rc;
}

int reader_skip(reader_t *r, size_t n)
{
	const uint8_t *p;

	return take(r, n, &p);
}

void reader_rest(reader_t *r, const uint8_t **out, size_t *len)
{
	*len = reader_remaining(r);
	*out = *len ? r->data + r->pos : NULL;
	r->pos = r->len;
}

/* Reads a length of `width` bytes and then that many bytes, all or nothing. */
static int vec(reader_t *r, size_t width, const uint8_t **out, size_t *len)
{
	size_t n;

	if (width > reader_remaining(r))
		return TS_E_TRUNCATED;
	n = (size_t)load_be(r->data + r->pos, width);
	if (n > reader_remaining(r) - width)
		return TS_E_TRUNCATED;

	*out = r->data + r->pos + width;
	*len = n;
	r->pos += width + n;
	return TS_OK;
}

int reader_vec8(reader_t *r, const uint8_t **out, size_t *len)
{
	return vec(r, 1, out, len);
}

int reader_vec16(reader_t *r, const uint8_t **out, size_t *len)
{
	return vec(r, 2, out, len);
}

int reader_vec24(reader_t *r, const uint8_t **out, size_t *len)
{
	return vec(r, 3, out, len);
}

int reader_vec32(reader_t *r, const uint8_t **out, size_t *len)
{
	return vec(r, 4, out, len);
}

int reader_sub(reader_t *r, size_t n, reader_t *sub)
{
	size_t start = reader_offset(r);
	const uint8_t *p;
	int rc = take(r, n, &p);

	if (rc != TS_OK)
		return rc;
	sub->data = p;
	sub->len = n;
	sub->pos = 0;
	sub->base = start;
	return TS_OK;
}

int reader_peek(const reader_t *r, size_t skip, size_t n, const uint8_t **out)
{
	size_t left = reader_remaining(r);

	if (skip > left || n > left - skip)
		return TS_E_TRUNCATED;
	*out = r->data + r->pos + skip;
	return TS_OK;
}

int reader_peek_u32(const reader_t *r, size_t skip, uint32_t *out)
{
	const uint8_t *p;
	int rc = reader_peek(r, skip, 4, &p);

	if (rc == TS_OK)
		*out = (uint32_t)load_be(p, 4);
	return rc;
}

int reader_expect_end(const reader_t *r)
{
	return reader_remaining(r) == 0 ? TS_OK : TS_E_TRAILING;
}
