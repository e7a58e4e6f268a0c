/*
 * A small PB-TNC / PA-TNC walker for the PTS tests. It lists the PA-TNC
 * attributes of every PB-PA message in one PB-TNC batch, reading through
 * common/reader.h.
 *
 * Layouts (RFC 5793, RFC 5792), in octets:
 *   batch header: 8
 *   PB message header: flags(1) vendor(3) type(4) length(4)
 *   PB-PA fixed part: flags(1) PA vendor(3) PA subtype(4) collector(2) validator(2)
 *   PA-TNC header: version(1) reserved(3) message ID(4)
 *   attribute header: flags(1) vendor(3) type(4) length(4, header included)
 */
#ifndef TEST_PTS_WALK_H
#define TEST_PTS_WALK_H

#include "test_util.h"
#include "reader.h"

typedef struct walk_attr {
	uint32_t msg_vendor;
	uint32_t msg_subtype;
	uint8_t flags;
	uint32_t vendor;
	uint32_t type;
	const uint8_t *value;
	size_t len;
} walk_attr;

static inline void walk_pa_msg(reader_t *r, uint32_t msg_vendor, uint32_t msg_subtype,
			walk_attr *out, size_t max, size_t *n)
{
	uint8_t version;
	uint32_t reserved, msg_id;

	ck_assert_int_eq(reader_u8(r, &version), TS_OK);
	ck_assert_uint_eq(version, 1);
	ck_assert_int_eq(reader_u24(r, &reserved), TS_OK);
	ck_assert_int_eq(reader_u32(r, &msg_id), TS_OK);
	while (reader_remaining(r) > 0) {
		walk_attr a = { .msg_vendor = msg_vendor, .msg_subtype = msg_subtype };
		uint32_t len;

		ck_assert_int_eq(reader_u8(r, &a.flags), TS_OK);
		ck_assert_int_eq(reader_u24(r, &a.vendor), TS_OK);
		ck_assert_int_eq(reader_u32(r, &a.type), TS_OK);
		ck_assert_int_eq(reader_u32(r, &len), TS_OK);
		ck_assert_uint_ge(len, 12);
		a.len = len - 12;
		ck_assert_int_eq(reader_bytes(r, a.len, &a.value), TS_OK);
		ck_assert_uint_lt(*n, max);
		out[(*n)++] = a;
	}
}

/* Fills out with the attributes of every PB-PA message; returns how many. */
static inline size_t walk_batch(const uint8_t *batch, size_t len, walk_attr *out, size_t max)
{
	reader_t r, msg;
	uint8_t version;
	uint32_t flags_type, batch_len;
	size_t n = 0;

	reader_init(&r, batch, len);
	ck_assert_int_eq(reader_u8(&r, &version), TS_OK);
	ck_assert_uint_eq(version, 2);
	ck_assert_int_eq(reader_u24(&r, &flags_type), TS_OK);
	ck_assert_int_eq(reader_u32(&r, &batch_len), TS_OK);
	ck_assert_uint_eq(batch_len, len);

	while (reader_remaining(&r) > 0) {
		uint8_t flags;
		uint32_t vendor, type, msg_len;

		ck_assert_int_eq(reader_u8(&r, &flags), TS_OK);
		ck_assert_int_eq(reader_u24(&r, &vendor), TS_OK);
		ck_assert_int_eq(reader_u32(&r, &type), TS_OK);
		ck_assert_int_eq(reader_u32(&r, &msg_len), TS_OK);
		ck_assert_uint_ge(msg_len, 12);
		ck_assert_int_eq(reader_sub(&r, msg_len - 12, &msg), TS_OK);
		if (vendor == 0 && type == 1) {
			uint8_t pa_flags;
			uint32_t pa_vendor, pa_subtype;
			uint16_t collector, validator;

			ck_assert_int_eq(reader_u8(&msg, &pa_flags), TS_OK);
			ck_assert_int_eq(reader_u24(&msg, &pa_vendor), TS_OK);
			ck_assert_int_eq(reader_u32(&msg, &pa_subtype), TS_OK);
			ck_assert_int_eq(reader_u16(&msg, &collector), TS_OK);
			ck_assert_int_eq(reader_u16(&msg, &validator), TS_OK);
			walk_pa_msg(&msg, pa_vendor, pa_subtype, out, max, &n);
		}
	}
	return n;
}

/* The nth (from 0) attribute of the given vendor and type, or NULL. */
static inline const walk_attr *walk_find(const walk_attr *a, size_t n, uint32_t vendor, uint32_t type,
				  size_t nth)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].vendor == vendor && a[i].type == type && nth-- == 0)
			return &a[i];
	return NULL;
}

static inline size_t walk_count(const walk_attr *a, size_t n, uint32_t vendor, uint32_t type)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += a[i].vendor == vendor && a[i].type == type;
	return c;
}

#endif
