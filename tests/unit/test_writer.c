#include "test_util.h"
#include "reader.h"
#include "writer.h"

START_TEST(writer_numbers_big_endian)
{
	static const uint8_t expected[] = {
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b,
	};
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(writer_u8(&w, 0x01), TS_OK);
	ck_assert_int_eq(writer_u16(&w, 0x0203), TS_OK);
	ck_assert_int_eq(writer_u24(&w, 0x040506), TS_OK);
	ck_assert_int_eq(writer_u32(&w, 0x0708090a), TS_OK);
	ck_assert_int_eq(writer_u64(&w, 0x0b), TS_OK);
	ck_assert_uint_eq(writer_len(&w), sizeof(expected));
	ck_assert_mem_eq(writer_data(&w), expected, sizeof(expected));
	writer_free(&w);
}
END_TEST

START_TEST(writer_little_endian)
{
	static const uint8_t expected[] = { 0x02, 0x01, 0x06, 0x05, 0x04, 0x03,
					    8, 7, 6, 5, 4, 3, 2, 1 };
	writer_t w;

	writer_init(&w, 64);
	ck_assert_int_eq(writer_u16_le(&w, 0x0102), TS_OK);
	ck_assert_int_eq(writer_u32_le(&w, 0x03040506), TS_OK);
	ck_assert_int_eq(writer_u64_le(&w, 0x0102030405060708ULL), TS_OK);
	ck_assert_mem_eq(writer_data(&w), expected, sizeof(expected));
	writer_free(&w);
}
END_TEST

START_TEST(writer_limit_is_sticky)
{
	writer_t w;

	writer_init(&w, 5);
	ck_assert_int_eq(writer_u32(&w, 1), TS_OK);
	ck_assert_int_eq(writer_u16(&w, 2), TS_E_TOO_LARGE);
	/* A later write that would fit still fails: the first error sticks. */
	ck_assert_int_eq(writer_u8(&w, 3), TS_E_TOO_LARGE);
	ck_assert_int_eq(writer_status(&w), TS_E_TOO_LARGE);
	ck_assert_uint_eq(writer_len(&w), 4);
	writer_free(&w);
}
END_TEST

START_TEST(writer_u24_range)
{
	writer_t w;

	writer_init(&w, 16);
	ck_assert_int_eq(writer_u24(&w, 0x1000000), TS_E_INVALID);
	ck_assert_uint_eq(writer_len(&w), 0);
	writer_free(&w);
}
END_TEST

START_TEST(writer_vec_round_trip)
{
	writer_t w;
	reader_t r;
	const uint8_t *p;
	size_t n;

	writer_init(&w, 1024);
	ck_assert_int_eq(writer_vec8(&w, "ab", 2), TS_OK);
	ck_assert_int_eq(writer_vec16(&w, "cde", 3), TS_OK);
	ck_assert_int_eq(writer_vec24(&w, "", 0), TS_OK);
	ck_assert_int_eq(writer_vec32(&w, "f", 1), TS_OK);
	ck_assert_uint_eq(writer_len(&w), 3 + 5 + 3 + 5);

	reader_init(&r, writer_data(&w), writer_len(&w));
	ck_assert_int_eq(reader_vec8(&r, &p, &n), TS_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(p, "ab", 2);
	ck_assert_int_eq(reader_vec16(&r, &p, &n), TS_OK);
	ck_assert_mem_eq(p, "cde", 3);
	ck_assert_int_eq(reader_vec24(&r, &p, &n), TS_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(reader_vec32(&r, &p, &n), TS_OK);
	ck_assert_mem_eq(p, "f", 1);
	ck_assert_int_eq(reader_expect_end(&r), TS_OK);
	writer_free(&w);
}
END_TEST

START_TEST(writer_vec8_too_long)
{
	uint8_t big[256] = { 0 };
	writer_t w;

	writer_init(&w, 1024);
	ck_assert_int_eq(writer_vec8(&w, big, sizeof(big)), TS_E_INVALID);
	writer_free(&w);
}
END_TEST

START_TEST(writer_reserve_and_patch)
{
	static const uint8_t expected[] = { 0x00, 0x00, 0x00, 0x07, 0xAA, 0x00, 0x03, 0xBB, 0xCC };
	writer_t w;
	size_t len_at, short_at;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(writer_reserve(&w, 4, &len_at), TS_OK);
	ck_assert_int_eq(writer_u8(&w, 0xAA), TS_OK);
	ck_assert_int_eq(writer_reserve(&w, 2, &short_at), TS_OK);
	/* Grow past the first allocation so patching must use offsets. */
	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(writer_u8(&w, 0), TS_OK);
	ck_assert_int_eq(writer_put_u32_at(&w, len_at, 7), TS_OK);
	ck_assert_int_eq(writer_put_u16_at(&w, short_at, 3), TS_OK);
	ck_assert_mem_eq(writer_data(&w), expected, 7);
	ck_assert_int_eq(writer_put_u32_at(&w, writer_len(&w) - 3, 1), TS_E_INVALID);
	writer_free(&w);
}
END_TEST

START_TEST(writer_steal_hands_over)
{
	writer_t w;
	uint8_t *p;
	size_t n = 99;

	writer_init(&w, 16);
	p = writer_steal(&w, &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(n, 0);
	free(p);

	ck_assert_int_eq(writer_u32(&w, 0xdeadbeef), TS_OK);
	p = writer_steal(&w, &n);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(p[0], 0xde);
	ck_assert_uint_eq(writer_len(&w), 0);
	free(p);

	ck_assert_int_eq(writer_zeros(&w, 17), TS_E_TOO_LARGE);
	ck_assert_ptr_null(writer_steal(&w, &n));
}
END_TEST

START_TEST(writer_grows_large)
{
	writer_t w;
	uint8_t block[4096];

	memset(block, 0x5a, sizeof(block));
	writer_init(&w, 1 << 20);
	for (int i = 0; i < 256; i++)
		ck_assert_int_eq(writer_bytes(&w, block, sizeof(block)), TS_OK);
	ck_assert_uint_eq(writer_len(&w), 1 << 20);
	ck_assert_int_eq(writer_u8(&w, 0), TS_E_TOO_LARGE);
	writer_free(&w);
}
END_TEST

START_TEST(writer_truncate_clears_error)
{
	writer_t w;

	writer_init(&w, 6);
	ck_assert_int_eq(writer_u32(&w, 0x01020304), TS_OK);
	ck_assert_int_eq(writer_u32(&w, 0x05060708), TS_E_TOO_LARGE);
	writer_truncate(&w, 2);
	ck_assert_int_eq(writer_status(&w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), 2);
	ck_assert_int_eq(writer_u32(&w, 0x0a0b0c0d), TS_OK);
	ck_assert_uint_eq(writer_data(&w)[1], 0x02);
	ck_assert_uint_eq(writer_data(&w)[2], 0x0a);
	/* Truncating past the end keeps the contents. */
	writer_truncate(&w, 100);
	ck_assert_uint_eq(writer_len(&w), 6);
	writer_free(&w);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("writer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, writer_numbers_big_endian);
	tcase_add_test(tc, writer_little_endian);
	tcase_add_test(tc, writer_limit_is_sticky);
	tcase_add_test(tc, writer_u24_range);
	tcase_add_test(tc, writer_vec_round_trip);
	tcase_add_test(tc, writer_vec8_too_long);
	tcase_add_test(tc, writer_reserve_and_patch);
	tcase_add_test(tc, writer_steal_hands_over);
	tcase_add_test(tc, writer_grows_large);
	tcase_add_test(tc, writer_truncate_clears_error);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
