#include "test_util.h"
#include "reader.h"

static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

START_TEST(reader_numbers_big_endian)
{
	reader_t r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u24, u32;

	reader_init(&r, bytes, sizeof(bytes));
	ck_assert_int_eq(reader_u8(&r, &u8), TS_OK);
	ck_assert_uint_eq(u8, 0x01);
	ck_assert_int_eq(reader_u16(&r, &u16), TS_OK);
	ck_assert_uint_eq(u16, 0x0203);
	ck_assert_int_eq(reader_u24(&r, &u24), TS_OK);
	ck_assert_uint_eq(u24, 0x040506);
	ck_assert_int_eq(reader_u24(&r, &u32), TS_OK);
	ck_assert_uint_eq(u32, 0x070809);
	ck_assert_uint_eq(reader_remaining(&r), 0);
	ck_assert_int_eq(reader_expect_end(&r), TS_OK);
}
END_TEST

START_TEST(reader_u64_both_orders)
{
	reader_t r;
	uint64_t v;

	reader_init(&r, bytes, 8);
	ck_assert_int_eq(reader_u64(&r, &v), TS_OK);
	ck_assert_uint_eq(v, 0x0102030405060708ULL);
	reader_init(&r, bytes, 8);
	ck_assert_int_eq(reader_u64_le(&r, &v), TS_OK);
	ck_assert_uint_eq(v, 0x0807060504030201ULL);
}
END_TEST

START_TEST(reader_little_endian)
{
	reader_t r;
	uint16_t u16;
	uint32_t u32;

	reader_init(&r, bytes, sizeof(bytes));
	ck_assert_int_eq(reader_u16_le(&r, &u16), TS_OK);
	ck_assert_uint_eq(u16, 0x0201);
	ck_assert_int_eq(reader_u32_le(&r, &u32), TS_OK);
	ck_assert_uint_eq(u32, 0x06050403);
}
END_TEST

/* Every getter at every short length fails and leaves cursor and output alone. */
START_TEST(reader_truncated_leaves_state)
{
	for (size_t len = 0; len < 8; len++) {
		reader_t r;
		uint16_t u16 = 0xAAAA;
		uint32_t u32 = 0xAAAAAAAA;
		uint64_t u64 = 0xAAAAAAAAAAAAAAAAULL;

		reader_init(&r, bytes, len);
		if (len < 2) {
			ck_assert_int_eq(reader_u16(&r, &u16), TS_E_TRUNCATED);
			ck_assert_uint_eq(u16, 0xAAAA);
		}
		if (len < 3) {
			ck_assert_int_eq(reader_u24(&r, &u32), TS_E_TRUNCATED);
			ck_assert_uint_eq(u32, 0xAAAAAAAA);
		}
		if (len < 4) {
			ck_assert_int_eq(reader_u32(&r, &u32), TS_E_TRUNCATED);
			ck_assert_int_eq(reader_u32_le(&r, &u32), TS_E_TRUNCATED);
			ck_assert_uint_eq(u32, 0xAAAAAAAA);
		}
		ck_assert_int_eq(reader_u64(&r, &u64), TS_E_TRUNCATED);
		ck_assert_uint_eq(u64, 0xAAAAAAAAAAAAAAAAULL);
		ck_assert_uint_eq(reader_remaining(&r), len);
	}
}
END_TEST

START_TEST(reader_vec_prefix)
{
	static const uint8_t v[] = { 0x00, 0x03, 'a', 'b', 'c', 0x02, 'x' };
	const uint8_t *p;
	size_t n;
	reader_t r;

	reader_init(&r, v, sizeof(v));
	ck_assert_int_eq(reader_vec16(&r, &p, &n), TS_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(p, "abc", 3);
	/* The last vector claims 2 bytes but only 1 follows: nothing is consumed. */
	ck_assert_int_eq(reader_vec8(&r, &p, &n), TS_E_TRUNCATED);
	ck_assert_uint_eq(reader_offset(&r), 5);
	ck_assert_int_eq(reader_expect_end(&r), TS_E_TRAILING);
}
END_TEST

START_TEST(reader_vec32_huge_length)
{
	static const uint8_t v[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0x00 };
	const uint8_t *p;
	size_t n;
	reader_t r;

	reader_init(&r, v, sizeof(v));
	ck_assert_int_eq(reader_vec32(&r, &p, &n), TS_E_TRUNCATED);
	ck_assert_uint_eq(reader_offset(&r), 0);
}
END_TEST

START_TEST(reader_sub_keeps_offsets)
{
	reader_t r, sub, inner;
	uint8_t u8;
	uint32_t u32;

	reader_init(&r, bytes, sizeof(bytes));
	ck_assert_int_eq(reader_skip(&r, 2), TS_OK);
	ck_assert_int_eq(reader_sub(&r, 5, &sub), TS_OK);
	ck_assert_uint_eq(reader_offset(&r), 7);
	ck_assert_uint_eq(reader_offset(&sub), 2);
	ck_assert_int_eq(reader_u8(&sub, &u8), TS_OK);
	ck_assert_uint_eq(u8, 0x03);
	ck_assert_int_eq(reader_sub(&sub, 2, &inner), TS_OK);
	ck_assert_uint_eq(reader_offset(&inner), 3);
	/* The sub-reader ends at its window even though the outer buffer goes on. */
	ck_assert_int_eq(reader_u32(&inner, &u32), TS_E_TRUNCATED);
	ck_assert_int_eq(reader_sub(&sub, 3, &inner), TS_E_TRUNCATED);
	ck_assert_int_eq(reader_sub(&r, 3, &sub), TS_E_TRUNCATED);
}
END_TEST

START_TEST(reader_peek_does_not_move)
{
	reader_t r;
	uint32_t v;
	const uint8_t *p;

	reader_init(&r, bytes, sizeof(bytes));
	ck_assert_int_eq(reader_peek_u32(&r, 1, &v), TS_OK);
	ck_assert_uint_eq(v, 0x02030405);
	ck_assert_uint_eq(reader_offset(&r), 0);
	ck_assert_int_eq(reader_peek(&r, 6, 4, &p), TS_E_TRUNCATED);
	ck_assert_int_eq(reader_peek(&r, SIZE_MAX, 1, &p), TS_E_TRUNCATED);
	ck_assert_int_eq(reader_peek(&r, 1, SIZE_MAX, &p), TS_E_TRUNCATED);
}
END_TEST

START_TEST(reader_bytes_copy_rest)
{
	reader_t r;
	const uint8_t *p;
	uint8_t out[3];
	size_t n;

	reader_init(&r, bytes, sizeof(bytes));
	ck_assert_int_eq(reader_bytes(&r, 2, &p), TS_OK);
	ck_assert_ptr_eq(p, bytes);
	ck_assert_int_eq(reader_copy(&r, out, 3), TS_OK);
	ck_assert_mem_eq(out, bytes + 2, 3);
	ck_assert_int_eq(reader_skip(&r, SIZE_MAX), TS_E_TRUNCATED);
	reader_rest(&r, &p, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_ptr_eq(p, bytes + 5);
	reader_rest(&r, &p, &n);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(p);
}
END_TEST

START_TEST(reader_null_buffer_is_empty)
{
	reader_t r;
	uint8_t u8;

	reader_init(&r, NULL, 10);
	ck_assert_uint_eq(reader_remaining(&r), 0);
	ck_assert_int_eq(reader_u8(&r, &u8), TS_E_TRUNCATED);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("reader");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, reader_numbers_big_endian);
	tcase_add_test(tc, reader_u64_both_orders);
	tcase_add_test(tc, reader_little_endian);
	tcase_add_test(tc, reader_truncated_leaves_state);
	tcase_add_test(tc, reader_vec_prefix);
	tcase_add_test(tc, reader_vec32_huge_length);
	tcase_add_test(tc, reader_sub_keeps_offsets);
	tcase_add_test(tc, reader_peek_does_not_move);
	tcase_add_test(tc, reader_bytes_copy_rest);
	tcase_add_test(tc, reader_null_buffer_is_empty);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
