/*
 * ITA-HSR attribute codecs (strongSwan 6.0.6's private namespace): Device ID,
 * Get Symlinks and Symlinks, byte-exact, against the reference exchange, and
 * on truncated and malformed values.
 */
#include "test_util.h"
#include "test_pts_walk.h"

#include "pts/ita_attr.h"
#include "pts/pts_attr_info.h"

#define ITA PTS_PEN_ITA

static void assert_written(writer_t *w, const char *hex)
{
	size_t n;
	unsigned char *want = test_hex(hex, &n);

	ck_assert_int_eq(writer_status(w), TS_OK);
	ck_assert_uint_eq(writer_len(w), n);
	ck_assert_mem_eq(writer_data(w), want, n);
	free(want);
	writer_free(w);
}

static pts_bytes text(const char *s)
{
	pts_bytes b = { (const uint8_t *)s, strlen(s) };

	return b;
}

START_TEST(device_id_byte_exact)
{
	pts_bytes id = text("8cb3"), out;
	uint8_t bad_nul[] = { 'a', 0, 'b' };
	size_t bad;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ita_attr_device_id_encode(&id, &w), TS_OK);
	assert_written(&w, "38636233");
	ck_assert_int_eq(ita_attr_device_id_decode(id.data, id.len, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.len, 4);
	ck_assert_int_eq(ita_attr_device_id_decode(bad_nul, 3, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 1);
	ck_assert_int_eq(ita_attr_device_id_decode(bad_nul, 0, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

START_TEST(strings_utf8_checked)
{
	/* Valid: "é" (c3 a9), "€" (e2 82 ac), U+1F600 (f0 9f 98 80). */
	static const uint8_t good[] = { 0x2f, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80 };
	/* Invalid: a lone continuation, an overlong '/', a surrogate, a cut sequence. */
	static const uint8_t cont[] = { 0x2f, 0x80 };
	static const uint8_t overlong[] = { 0x2f, 0x2f, 0xc0, 0xaf };
	static const uint8_t surrogate[] = { 0xed, 0xa0, 0x80 };
	static const uint8_t cut[] = { 0x2f, 0xe2, 0x82 };
	pts_bytes out;
	size_t bad;

	ck_assert_int_eq(ita_attr_get_symlinks_decode(good, sizeof(good), &out, &bad), TS_OK);
	ck_assert_int_eq(ita_attr_get_symlinks_decode(cont, sizeof(cont), &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 1);
	ck_assert_int_eq(ita_attr_get_symlinks_decode(overlong, sizeof(overlong), &out, &bad),
			 TS_E_INVALID);
	ck_assert_uint_eq(bad, 2);
	ck_assert_int_eq(ita_attr_get_symlinks_decode(surrogate, sizeof(surrogate), &out, &bad),
			 TS_E_INVALID);
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(ita_attr_get_symlinks_decode(cut, sizeof(cut), &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 1);
}
END_TEST

START_TEST(symlinks_byte_exact)
{
	ita_attr_symlink l[2] = { { text("/bin"), text("/usr/bin") }, { text("/l"), text("/u") } };
	ita_attr_symlinks links = { 2, l }, out;
	const char *hex = "00000002 0004 2f62696e 0008 2f7573722f62696e 0002 2f6c 0002 2f75";
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ita_attr_symlinks_encode(&links, &w), TS_OK);
	assert_written(&w, hex);

	v = test_hex(hex, &n);
	ck_assert_int_eq(ita_attr_symlinks_decode(v, n, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.count, 2);
	ck_assert_uint_eq(out.links[0].dir.len, 8);
	ck_assert_mem_eq(out.links[0].dir.data, "/usr/bin", 8);
	ck_assert_mem_eq(out.links[1].symlink.data, "/l", 2);
	ita_attr_symlinks_free(&out);

	/* Count one too high, directory length one past the end, an empty path. */
	v[3] = 3;
	ck_assert_int_eq(ita_attr_symlinks_decode(v, n, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, n);
	v[3] = 2;
	v[n - 3] = 3;
	ck_assert_int_eq(ita_attr_symlinks_decode(v, n, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, n - 4);
	v[n - 3] = 2;
	v[5] = 0;
	ck_assert_int_eq(ita_attr_symlinks_decode(v, n, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 4);
	free(v);

	/* An over-limit count is rejected before any allocation. */
	{
		uint8_t big[] = { 0x00, 0x01, 0x00, 0x01 };

		ck_assert_int_eq(ita_attr_symlinks_decode(big, 4, &out, &bad), TS_E_TOO_LARGE);
		ck_assert_uint_eq(bad, 0);
	}
}
END_TEST

START_TEST(symlinks_truncated_every_length)
{
	const char *hex = "00000001 0001 2f 0002 2f75";
	size_t n, bad;
	uint8_t *v = test_hex(hex, &n);
	ita_attr_symlinks out;

	for (size_t len = 0; len < n; len++) {
		uint8_t *p = malloc(len ? len : 1);

		memcpy(p, v, len);
		bad = SIZE_MAX;
		ck_assert_int_ne(ita_attr_symlinks_decode(p, len, &out, &bad), TS_OK);
		ck_assert_uint_le(bad, len);
		free(p);
	}
	v = realloc(v, n + 1);
	v[n] = 0;
	ck_assert_int_eq(ita_attr_symlinks_decode(v, n + 1, &out, &bad), TS_E_TRAILING);
	ck_assert_uint_eq(bad, n);
	free(v);
}
END_TEST

START_TEST(interop_device_id)
{
	walk_attr a[16];
	const walk_attr *x;
	size_t len, n, bad;
	uint8_t *buf = test_read_file(test_data_path("pts/run1-batch01.bin"), &len);
	pts_bytes id;

	n = walk_batch(buf, len, a, 16);
	x = walk_find(a, n, ITA, ITA_ATTR_DEVICE_ID, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->flags, 0);
	ck_assert_uint_eq(x->msg_vendor, 0);
	ck_assert_int_eq(ita_attr_device_id_decode(x->value, x->len, &id, &bad), TS_OK);
	ck_assert_uint_eq(id.len, 40);
	ck_assert_mem_eq(id.data, "8cb3c7e3d94d84e8578949d3f271a09d987b069b", 40);
	free(buf);
}
END_TEST

START_TEST(interop_symlinks)
{
	static const char *const expect[5][2] = {
		{ "/sbin", "/usr/sbin" }, { "/lib", "/usr/lib" }, { "/lib64", "/usr/lib64" },
		{ "/lib32", "/usr/lib32" }, { "/bin", "/usr/bin" },
	};
	walk_attr a[200];
	const walk_attr *x;
	size_t len, n, bad;
	uint8_t *buf;
	pts_bytes path;
	ita_attr_symlinks links;
	writer_t w;

	buf = test_read_file(test_data_path("pts/run1-batch08.bin"), &len);
	n = walk_batch(buf, len, a, 200);
	x = walk_find(a, n, ITA, ITA_ATTR_GET_SYMLINKS, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->flags, 0);
	ck_assert_int_eq(ita_attr_get_symlinks_decode(x->value, x->len, &path, &bad), TS_OK);
	ck_assert_uint_eq(path.len, 1);
	ck_assert_mem_eq(path.data, "/", 1);
	free(buf);

	buf = test_read_file(test_data_path("pts/run1-batch09.bin"), &len);
	n = walk_batch(buf, len, a, 200);
	x = walk_find(a, n, ITA, ITA_ATTR_SYMLINKS, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_eq(x, &a[0]);
	ck_assert_uint_eq(x->len + 12, 106);
	ck_assert_int_eq(ita_attr_symlinks_decode(x->value, x->len, &links, &bad), TS_OK);
	ck_assert_uint_eq(links.count, 5);
	for (size_t i = 0; i < 5; i++) {
		ck_assert_uint_eq(links.links[i].symlink.len, strlen(expect[i][0]));
		ck_assert_mem_eq(links.links[i].symlink.data, expect[i][0], strlen(expect[i][0]));
		ck_assert_uint_eq(links.links[i].dir.len, strlen(expect[i][1]));
		ck_assert_mem_eq(links.links[i].dir.data, expect[i][1], strlen(expect[i][1]));
	}
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ita_attr_symlinks_encode(&links, &w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), x->len);
	ck_assert_mem_eq(writer_data(&w), x->value, x->len);
	writer_free(&w);
	ita_attr_symlinks_free(&links);
	free(buf);
}
END_TEST

START_TEST(registry_ita_entries)
{
	const pa_attr_info *info = pts_attr_info_find(ITA, ITA_ATTR_SYMLINKS);
	uint8_t zero[4] = { 0 };
	size_t bad;

	ck_assert_ptr_nonnull(info);
	ck_assert_uint_eq(info->min_value_len, 4);
	ck_assert_int_eq(info->validate(zero, 4, &bad), TS_OK);
	info = pts_attr_info_find(ITA, ITA_ATTR_DEVICE_ID);
	ck_assert_ptr_nonnull(info);
	ck_assert_str_eq(info->name, "Device ID");
	ck_assert_int_eq(info->validate(zero, 1, &bad), TS_E_INVALID);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("ita_attr");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, device_id_byte_exact);
	tcase_add_test(tc, strings_utf8_checked);
	tcase_add_test(tc, symlinks_byte_exact);
	tcase_add_test(tc, symlinks_truncated_every_length);
	tcase_add_test(tc, interop_device_id);
	tcase_add_test(tc, interop_symlinks);
	tcase_add_test(tc, registry_ita_entries);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
