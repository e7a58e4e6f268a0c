/*
 * IETF attribute codecs: every expected byte string below is written out
 * by hand from the layouts of RFC 5792 section 4.2, not produced by the
 * encoders under test.
 */
#include <stdint.h>

#include "test_util.h"
#include "pa/ietf_assessment_result.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_attr_request.h"
#include "pa/ietf_factory_default_pwd.h"
#include "pa/ietf_forwarding_enabled.h"
#include "pa/ietf_installed_packages.h"
#include "pa/ietf_numeric_version.h"
#include "pa/ietf_op_status.h"
#include "pa/ietf_pa_tnc_error.h"
#include "pa/ietf_port_filter.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_remediation.h"
#include "pa/ietf_string_version.h"
#include "ts_error.h"
#include "writer.h"

/* Checks that the writer contains exactly the bytes of hex, then frees it. */
static void assert_written(writer_t *w, const char *hex)
{
	size_t len;
	unsigned char *expected = test_hex(hex, &len);

	ck_assert_int_eq(writer_status(w), TS_OK);
	ck_assert_uint_eq(writer_len(w), len);
	ck_assert_mem_eq(writer_data(w), expected, len);
	free(expected);
	writer_free(w);
}

/* Attribute Request (4.2.1) */

START_TEST(attr_request_round_trip)
{
	const char *hex = "00 000000 00000002  00 00902a 00000008";
	size_t len, bad = 99;
	unsigned char *v = test_hex(hex, &len);
	ietf_attr_request req;
	ietf_attr_request_entry entries[] = { { 0, 2 }, { 0x00902A, 8 } };
	writer_t w;

	ck_assert_int_eq(ietf_attr_request_decode(v, len, &req, &bad), TS_OK);
	ck_assert_uint_eq(req.count, 2);
	ck_assert_uint_eq(req.entries[0].vendor, 0);
	ck_assert_uint_eq(req.entries[0].type, 2);
	ck_assert_uint_eq(req.entries[1].vendor, 0x00902A);
	ck_assert_uint_eq(req.entries[1].type, 8);
	ietf_attr_request_free(&req);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_attr_request_encode(entries, 2, &w), TS_OK);
	assert_written(&w, hex);
	free(v);
}
END_TEST

START_TEST(attr_request_rejects_bad_entries)
{
	static const struct {
		const char *hex;
		int rc;
		size_t bad;
	} cases[] = {
		{ "", TS_E_TRUNCATED, 0 },
		{ "00 000000 00000002 00 0000", TS_E_TRUNCATED, 8 },
		{ "00 000000 00000002 00 000000 00000001", TS_E_INVALID, 12 },  /* Attribute Request */
		{ "00 000000 00000008", TS_E_INVALID, 4 },                        /* PA-TNC Error */
		{ "00 ffffff 00000002", TS_E_INVALID, 1 },
		{ "00 000000 ffffffff", TS_E_INVALID, 4 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len, bad = 99;
		unsigned char *v = test_hex(cases[i].hex, &len);

		ck_assert_int_eq(ietf_attr_request_validate(v, len, &bad), cases[i].rc);
		ck_assert_uint_eq(bad, cases[i].bad);
		free(v);
	}
}
END_TEST

START_TEST(attr_request_encode_rejects_error_type)
{
	ietf_attr_request_entry entry = { 0, IETF_ATTR_PA_TNC_ERROR };
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_attr_request_encode(&entry, 1, &w), TS_E_INVALID);
	ck_assert_int_eq(ietf_attr_request_encode(&entry, 0, &w), TS_E_INVALID);
	writer_free(&w);
}
END_TEST

/* Product Information (4.2.2) */

START_TEST(product_info_round_trip)
{
	/* Debian's PEN 9586 = 0x002572, product id 0, name "Debian". */
	size_t len, bad;
	unsigned char *v;
	ietf_product_info info, in = { 0x002572, 0, (const uint8_t *)"Debian", 6 };
	writer_t w;

	v = test_hex("002572 0000 446562 69616e", &len);
	ck_assert_int_eq(ietf_product_info_decode(v, len, &info, &bad), TS_OK);
	ck_assert_uint_eq(info.vendor, 0x002572);
	ck_assert_uint_eq(info.product_id, 0);
	ck_assert_uint_eq(info.name_len, 6);
	ck_assert_mem_eq(info.name, "Debian", 6);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_product_info_encode(&in, &w), TS_OK);
	assert_written(&w, "002572 0000 446562 69616e");
	free(v);
}
END_TEST

START_TEST(product_info_rejects_bad_values)
{
	size_t len, bad = 99;
	unsigned char *v;

	v = test_hex("002572 00", &len);
	ck_assert_int_eq(ietf_product_info_validate(v, len, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 3);
	free(v);

	/* Product ID must be 0 when the vendor is 0. */
	v = test_hex("000000 0001 41", &len);
	ck_assert_int_eq(ietf_product_info_validate(v, len, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 3);
	free(v);

	v = test_hex("000000 0000 41 00 42", &len);
	ck_assert_int_eq(ietf_product_info_validate(v, len, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 6);
	free(v);

	/* An empty name is allowed. */
	v = test_hex("000000 0000", &len);
	ck_assert_int_eq(ietf_product_info_validate(v, len, &bad), TS_OK);
	free(v);
}
END_TEST

/* Numeric Version (4.2.3) */

START_TEST(numeric_version_round_trip)
{
	const char *hex = "0000000c 00000001 00000203 0004 0005";
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_numeric_version nv, in = { 12, 1, 0x203, 4, 5 };
	writer_t w;

	ck_assert_int_eq(ietf_numeric_version_decode(v, len, &nv, &bad), TS_OK);
	ck_assert_uint_eq(nv.major, 12);
	ck_assert_uint_eq(nv.minor, 1);
	ck_assert_uint_eq(nv.build, 0x203);
	ck_assert_uint_eq(nv.sp_major, 4);
	ck_assert_uint_eq(nv.sp_minor, 5);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_numeric_version_encode(&in, &w), TS_OK);
	assert_written(&w, hex);

	ck_assert_int_eq(ietf_numeric_version_validate(v, len - 1, &bad), TS_E_TRUNCATED);
	ck_assert_int_eq(ietf_numeric_version_validate(v, 0, &bad), TS_E_TRUNCATED);
	free(v);
}
END_TEST

/* String Version (4.2.4) */

START_TEST(string_version_round_trip)
{
	const char *hex = "09 3132207838365f3634 02 6231 00";
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_string_version sv, in = { (const uint8_t *)"12 x86_64", 9, (const uint8_t *)"b1", 2,
				       NULL, 0 };
	writer_t w;

	ck_assert_int_eq(ietf_string_version_decode(v, len, &sv, &bad), TS_OK);
	ck_assert_uint_eq(sv.version_len, 9);
	ck_assert_mem_eq(sv.version, "12 x86_64", 9);
	ck_assert_uint_eq(sv.build_len, 2);
	ck_assert_mem_eq(sv.build, "b1", 2);
	ck_assert_uint_eq(sv.config_len, 0);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_string_version_encode(&in, &w), TS_OK);
	assert_written(&w, hex);
	free(v);
}
END_TEST

START_TEST(string_version_rejects_bad_lengths)
{
	size_t len, bad = 99;
	unsigned char *v;

	/* Version Len is 9, but only 8 octets follow. */
	v = test_hex("09 3132207838365f36", &len);
	ck_assert_int_eq(ietf_string_version_validate(v, len, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 0);
	free(v);

	/* The Config. Len octet is missing. */
	v = test_hex("01 41 00", &len);
	ck_assert_int_eq(ietf_string_version_validate(v, len, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 3);
	free(v);

	v = test_hex("01 41 00 00 ff", &len);
	ck_assert_int_eq(ietf_string_version_validate(v, len, &bad), TS_E_TRAILING);
	ck_assert_uint_eq(bad, 4);
	free(v);

	v = test_hex("00 02 4100 00", &len);
	ck_assert_int_eq(ietf_string_version_validate(v, len, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 3);
	free(v);
}
END_TEST

START_TEST(string_version_encode_rejects_long)
{
	uint8_t big[256];
	ietf_string_version in = { big, sizeof(big), NULL, 0, NULL, 0 };
	writer_t w;

	memset(big, 'a', sizeof(big));
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_string_version_encode(&in, &w), TS_E_INVALID);
	in.version_len = 255;
	ck_assert_int_eq(ietf_string_version_encode(&in, &w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), 3 + 255);
	writer_free(&w);
}
END_TEST

/* Operational Status (4.2.5) */

START_TEST(op_status_round_trip)
{
	/* Status 3 operational, Result 1 success, "2026-12-04T19:15:00Z". */
	const char *hex = "03 01 0000 323032362d31322d30345431393a31353a30305a";
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_op_status st, in = { 3, 1, "2026-12-04T19:15:00Z" };
	writer_t w;

	ck_assert_int_eq(ietf_op_status_decode(v, len, &st, &bad), TS_OK);
	ck_assert_uint_eq(st.status, IETF_OP_STATUS_OPERATIONAL);
	ck_assert_uint_eq(st.result, IETF_OP_RESULT_SUCCESS);
	ck_assert_str_eq(st.last_use, "2026-12-04T19:15:00Z");

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_op_status_encode(&in, &w), TS_OK);
	assert_written(&w, hex);
	free(v);
}
END_TEST

START_TEST(op_status_time_rules)
{
	static const struct {
		const char *time;
		int rc;
		size_t bad;
	} cases[] = {
		{ "0000-00-00T00:00:00Z", TS_OK, 0 },
		{ "2016-12-31T23:59:60Z", TS_OK, 0 },     /* leap second */
		{ "2024-02-29T00:00:00Z", TS_OK, 0 },
		{ "2023-02-29T00:00:00Z", TS_E_INVALID, 4 + 8 },
		{ "2026-13-04T19:15:00Z", TS_E_INVALID, 4 + 5 },
		{ "2026-12-04t19:15:00Z", TS_E_INVALID, 4 + 10 },
		{ "2026-12-04T24:15:00Z", TS_E_INVALID, 4 + 11 },
		{ "2026-12-04T19:60:00Z", TS_E_INVALID, 4 + 14 },
		{ "2026-12-04T19:15:61Z", TS_E_INVALID, 4 + 17 },
		{ "2026-12-04T19:15:00z", TS_E_INVALID, 4 + 19 },
		{ "2026-12-04 19:15:00Z", TS_E_INVALID, 4 + 10 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t v[24] = { 3, 1, 0, 0 };
		size_t bad = 0;

		memcpy(v + 4, cases[i].time, 20);
		ck_assert_int_eq(ietf_op_status_validate(v, sizeof(v), &bad), cases[i].rc);
		ck_assert_uint_eq(bad, cases[i].bad);
	}
}
END_TEST

START_TEST(op_status_unknown_values_read_as_zero)
{
	uint8_t v[24] = { 7, 9, 0, 0 };
	ietf_op_status st;

	memcpy(v + 4, IETF_OP_STATUS_TIME_UNKNOWN, 20);
	ck_assert_int_eq(ietf_op_status_decode(v, sizeof(v), &st, NULL), TS_OK);
	ck_assert_uint_eq(st.status, 0);
	ck_assert_uint_eq(st.result, 0);
	ck_assert_int_eq(ietf_op_status_decode(v, 23, &st, NULL), TS_E_TRUNCATED);
}
END_TEST

START_TEST(op_status_format_time)
{
	char out[IETF_OP_STATUS_TIME_LEN + 1];
	ietf_op_status in = { 0, 0, "2026-12-04T19:15:0Z" };
	writer_t w;

	/* date -u -d @1796411700 +%Y-%m-%dT%H:%M:%SZ */
	ck_assert_int_eq(ietf_op_status_format_time(1796411700, out), TS_OK);
	ck_assert_str_eq(out, "2026-12-04T19:15:00Z");
	ck_assert_int_eq(ietf_op_status_format_time(0, out), TS_OK);
	ck_assert_str_eq(out, "0000-00-00T00:00:00Z");

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_op_status_encode(&in, &w), TS_E_INVALID);
	writer_free(&w);
}
END_TEST

/* Port Filter (4.2.6) */

START_TEST(port_filter_round_trip)
{
	/* TCP 22 allowed, TCP 80 allowed, UDP 53 blocked. */
	const char *hex = "00 06 0016  00 06 0050  01 11 0035";
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_port_filter pf;
	ietf_port_filter_entry in[] = { { false, 6, 22 }, { false, 6, 80 }, { true, 17, 53 } };
	writer_t w;

	ck_assert_int_eq(ietf_port_filter_decode(v, len, &pf, &bad), TS_OK);
	ck_assert_uint_eq(pf.count, 3);
	ck_assert(!pf.entries[0].blocked);
	ck_assert_uint_eq(pf.entries[1].protocol, 6);
	ck_assert_uint_eq(pf.entries[1].port, 80);
	ck_assert(pf.entries[2].blocked);
	ck_assert_uint_eq(pf.entries[2].protocol, 17);
	ck_assert_uint_eq(pf.entries[2].port, 53);
	ietf_port_filter_free(&pf);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_port_filter_encode(in, 3, &w), TS_OK);
	assert_written(&w, hex);
	free(v);
}
END_TEST

START_TEST(port_filter_rejects_conflicts)
{
	static const struct {
		const char *hex;
		int rc;
		size_t bad;
	} cases[] = {
		{ "", TS_E_TRUNCATED, 0 },
		{ "00 06 0016 00 06", TS_E_TRUNCATED, 4 },
		{ "00 06 0016 01 06 0050", TS_E_INVALID, 4 },              /* mixed B for TCP */
		{ "00 06 0016 00 11 0035 00 06 0016", TS_E_INVALID, 8 },   /* duplicate */
		{ "fe 06 0016 00 11 0016", TS_OK, 0 },                     /* reserved bits ignored */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len, bad = 0;
		unsigned char *v = test_hex(cases[i].hex, &len);

		ck_assert_int_eq(ietf_port_filter_validate(v, len, &bad), cases[i].rc);
		ck_assert_uint_eq(bad, cases[i].bad);
		free(v);
	}
}
END_TEST

/* Installed Packages (4.2.7) */

START_TEST(installed_packages_round_trip)
{
	/* bash 5.2 and an empty version for "zlib". */
	const char *hex = "0000 0002  04 62617368 03 352e32  04 7a6c6962 00";
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_installed_packages ip;
	ietf_package in[] = { { (const uint8_t *)"bash", 4, (const uint8_t *)"5.2", 3 },
			      { (const uint8_t *)"zlib", 4, NULL, 0 } };
	writer_t w;

	ck_assert_int_eq(ietf_installed_packages_decode(v, len, &ip, &bad), TS_OK);
	ck_assert_uint_eq(ip.count, 2);
	ck_assert_mem_eq(ip.packages[0].name, "bash", 4);
	ck_assert_uint_eq(ip.packages[0].version_len, 3);
	ck_assert_mem_eq(ip.packages[0].version, "5.2", 3);
	ck_assert_mem_eq(ip.packages[1].name, "zlib", 4);
	ck_assert_uint_eq(ip.packages[1].version_len, 0);
	ietf_installed_packages_free(&ip);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_installed_packages_encode(in, 2, &w), TS_OK);
	assert_written(&w, hex);
	free(v);
}
END_TEST

START_TEST(installed_packages_rejects_bad_counts)
{
	static const struct {
		const char *hex;
		int rc;
		size_t bad;
	} cases[] = {
		{ "0000 00", TS_E_TRUNCATED, 2 },
		{ "0000 0002 01 61 00", TS_E_TRUNCATED, 7 },             /* second package missing */
		{ "0000 0001 05 6161", TS_E_TRUNCATED, 4 },              /* name cut */
		{ "0000 0001 01 61", TS_E_TRUNCATED, 6 },                /* Version Len missing */
		{ "0000 0001 01 61 00 ff", TS_E_TRAILING, 7 },
		{ "0000 0001 01 00 00", TS_E_INVALID, 5 },               /* NUL in name */
		{ "0000 0000", TS_OK, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len, bad = 0;
		unsigned char *v = test_hex(cases[i].hex, &len);

		ck_assert_int_eq(ietf_installed_packages_validate(v, len, &bad), cases[i].rc);
		ck_assert_uint_eq(bad, cases[i].bad);
		free(v);
	}
}
END_TEST

/* 65535 packages with 255-octet names and versions, the largest the format allows. */
START_TEST(installed_packages_max_list)
{
	static uint8_t name[255], version[255];
	size_t count = IETF_INSTALLED_PACKAGES_MAX_COUNT;
	ietf_package *in = calloc(count + 1, sizeof(*in));
	ietf_installed_packages ip;
	writer_t w;

	ck_assert_ptr_nonnull(in);
	memset(name, 'n', sizeof(name));
	memset(version, 'v', sizeof(version));
	for (size_t i = 0; i <= count; i++)
		in[i] = (ietf_package){ name, sizeof(name), version, sizeof(version) };

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_installed_packages_encode(in, count + 1, &w), TS_E_INVALID);
	ck_assert_int_eq(ietf_installed_packages_encode(in, count, &w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), 4 + count * (1 + 255 + 1 + 255));
	ck_assert_uint_eq(writer_data(&w)[2], 0xff);
	ck_assert_uint_eq(writer_data(&w)[3], 0xff);

	ck_assert_int_eq(ietf_installed_packages_decode(writer_data(&w), writer_len(&w), &ip, NULL),
			 TS_OK);
	ck_assert_uint_eq(ip.count, count);
	ck_assert_uint_eq(ip.packages[count - 1].version_len, 255);
	ck_assert_mem_eq(ip.packages[count - 1].version, version, 255);
	ietf_installed_packages_free(&ip);
	writer_free(&w);

	in[0].name_len = 256;
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_installed_packages_encode(in, 1, &w), TS_E_INVALID);
	writer_free(&w);
	free(in);
}
END_TEST

/* PA-TNC Error (4.2.8) */

START_TEST(pa_tnc_error_invalid_parameter)
{
	/* Invalid Parameter about message 01 000000 1cec195c, offset 16. */
	const char *hex = "00 000000 00000001  01000000 1cec195c  00000010";
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_pa_tnc_error e;
	writer_t w;

	ck_assert_int_eq(ietf_pa_tnc_error_decode(v, len, &e, &bad), TS_OK);
	ck_assert_uint_eq(e.vendor, 0);
	ck_assert_uint_eq(e.code, IETF_PA_ERROR_INVALID_PARAMETER);
	ck_assert_mem_eq(e.msg_info, "\x01\x00\x00\x00\x1c\xec\x19\x5c", 8);
	ck_assert_uint_eq(e.offset, 16);
	ck_assert_ptr_null(e.info);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_pa_tnc_error_encode(&e, &w), TS_OK);
	assert_written(&w, hex);

	/* Error Information one octet short and one octet long. */
	ck_assert_int_eq(ietf_pa_tnc_error_validate(v, len - 1, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 8);
	free(v);
	v = test_hex("00 000000 00000001 01000000 1cec195c 00000010 00", &len);
	ck_assert_int_eq(ietf_pa_tnc_error_validate(v, len, &bad), TS_E_TRAILING);
	ck_assert_uint_eq(bad, 20);
	free(v);
}
END_TEST

START_TEST(pa_tnc_error_version_not_supported)
{
	const char *hex = "00 000000 00000002  02000000 01020304  01 01 0000";
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_pa_tnc_error e;
	writer_t w;

	ck_assert_int_eq(ietf_pa_tnc_error_decode(v, len, &e, &bad), TS_OK);
	ck_assert_uint_eq(e.code, IETF_PA_ERROR_VERSION_NOT_SUPPORTED);
	ck_assert_uint_eq(e.msg_info[0], 2);
	ck_assert_uint_eq(e.max_version, 1);
	ck_assert_uint_eq(e.min_version, 1);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_pa_tnc_error_encode(&e, &w), TS_OK);
	assert_written(&w, hex);
	free(v);
}
END_TEST

START_TEST(pa_tnc_error_attr_type_not_supported)
{
	const char *hex = "00 000000 00000003  01000000 01020304  80 00902a 00000063";
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_pa_tnc_error e;
	writer_t w;

	ck_assert_int_eq(ietf_pa_tnc_error_decode(v, len, &e, &bad), TS_OK);
	ck_assert_uint_eq(e.code, IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED);
	ck_assert_uint_eq(e.attr_flags, 0x80);
	ck_assert_uint_eq(e.attr_vendor, 0x00902A);
	ck_assert_uint_eq(e.attr_type, 0x63);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_pa_tnc_error_encode(&e, &w), TS_OK);
	assert_written(&w, hex);
	free(v);
}
END_TEST

START_TEST(pa_tnc_error_other_codes_raw)
{
	/* SWIMA Error, and a TCG code: the Error Information stays raw. */
	static const char *hexes[] = {
		"00 000000 00000004  00000007 6f6f7073",
		"00 005597 00000001  aabbcc",
		"00 000000 00000000",
	};

	for (size_t i = 0; i < sizeof(hexes) / sizeof(hexes[0]); i++) {
		size_t len, bad;
		unsigned char *v = test_hex(hexes[i], &len);
		ietf_pa_tnc_error e;
		writer_t w;

		ck_assert_int_eq(ietf_pa_tnc_error_decode(v, len, &e, &bad), TS_OK);
		ck_assert_uint_eq(e.info_len, len - 8);
		if (e.info_len > 0)
			ck_assert_mem_eq(e.info, v + 8, len - 8);
		writer_init(&w, SIZE_MAX);
		ck_assert_int_eq(ietf_pa_tnc_error_encode(&e, &w), TS_OK);
		assert_written(&w, hexes[i]);
		free(v);
	}
	ck_assert_int_eq(ietf_pa_tnc_error_validate((const uint8_t *)"\0\0\0\0\0\0\0", 7, NULL),
			 TS_E_TRUNCATED);
}
END_TEST

START_TEST(pa_tnc_error_code_names)
{
	ck_assert_str_eq(ietf_pa_tnc_error_code_name(0, 1), "Invalid Parameter");
	ck_assert_str_eq(ietf_pa_tnc_error_code_name(0, 2), "Version Not Supported");
	ck_assert_str_eq(ietf_pa_tnc_error_code_name(0, 3), "Attribute Type Not Supported");
	ck_assert_str_eq(ietf_pa_tnc_error_code_name(0, 6), "SWIMA Response Too Large");
	ck_assert_ptr_null(ietf_pa_tnc_error_code_name(0, 9));
	ck_assert_ptr_null(ietf_pa_tnc_error_code_name(0x005597, 1));
}
END_TEST

/* Assessment Result (4.2.9), Forwarding Enabled (4.2.11), Factory Default Password (4.2.12) */

START_TEST(uint32_attrs_round_trip)
{
	uint8_t v4[4] = { 0, 0, 0, 4 }, v2[4] = { 0, 0, 0, 2 }, v1[4] = { 0, 0, 0, 1 };
	uint32_t out;
	size_t bad = 99;
	writer_t w;

	ck_assert_int_eq(ietf_assessment_result_decode(v4, 4, &out, &bad), TS_OK);
	ck_assert_uint_eq(out, IETF_ASSESSMENT_DONT_KNOW);
	ck_assert_int_eq(ietf_forwarding_enabled_decode(v2, 4, &out, &bad), TS_OK);
	ck_assert_uint_eq(out, IETF_FORWARDING_UNKNOWN);
	ck_assert_int_eq(ietf_factory_default_pwd_decode(v1, 4, &out, &bad), TS_OK);
	ck_assert_uint_eq(out, 1);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_assessment_result_encode(4, &w), TS_OK);
	ck_assert_int_eq(ietf_forwarding_enabled_encode(2, &w), TS_OK);
	ck_assert_int_eq(ietf_factory_default_pwd_encode(1, &w), TS_OK);
	assert_written(&w, "00000004 00000002 00000001");
}
END_TEST

START_TEST(uint32_attrs_reject_out_of_range)
{
	uint8_t v5[4] = { 0, 0, 0, 5 }, v3[4] = { 0, 0, 0, 3 }, v2[4] = { 0, 0, 0, 2 };
	uint8_t long_value[5] = { 0 };
	uint32_t out = 77;
	size_t bad = 99;
	writer_t w;

	ck_assert_int_eq(ietf_assessment_result_decode(v5, 4, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 0);
	ck_assert_int_eq(ietf_forwarding_enabled_decode(v3, 4, &out, &bad), TS_E_INVALID);
	ck_assert_int_eq(ietf_factory_default_pwd_decode(v2, 4, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(out, 77);
	ck_assert_int_eq(ietf_assessment_result_validate(v5, 3, &bad), TS_E_TRUNCATED);
	ck_assert_int_eq(ietf_forwarding_enabled_validate(long_value, 5, &bad), TS_E_TRAILING);
	ck_assert_uint_eq(bad, 4);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_assessment_result_encode(5, &w), TS_E_INVALID);
	ck_assert_int_eq(ietf_forwarding_enabled_encode(3, &w), TS_E_INVALID);
	ck_assert_int_eq(ietf_factory_default_pwd_encode(2, &w), TS_E_INVALID);
	ck_assert_uint_eq(writer_len(&w), 0);
	writer_free(&w);
}
END_TEST

/* Remediation Instructions (4.2.10) */

START_TEST(remediation_uri_round_trip)
{
	const char *hex = "00 000000 00000001 68747470733a2f2f782f";  /* "https://x/" */
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_remediation rem, in = { 0 };
	writer_t w;

	ck_assert_int_eq(ietf_remediation_decode(v, len, &rem, &bad), TS_OK);
	ck_assert_uint_eq(rem.type, IETF_REMEDIATION_URI);
	ck_assert_uint_eq(rem.uri_len, 10);
	ck_assert_mem_eq(rem.uri, "https://x/", 10);

	in.type = IETF_REMEDIATION_URI;
	in.uri = (const uint8_t *)"https://x/";
	in.uri_len = 10;
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_remediation_encode(&in, &w), TS_OK);
	assert_written(&w, hex);

	ck_assert_int_eq(ietf_remediation_validate(v, 8, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 8);
	free(v);
}
END_TEST

START_TEST(remediation_string_round_trip)
{
	/* String "Update" in language "en". */
	const char *hex = "00 000000 00000002 00000006 557064617465 02 656e";
	size_t len, bad;
	unsigned char *v = test_hex(hex, &len);
	ietf_remediation rem, in = { 0 };
	writer_t w;

	ck_assert_int_eq(ietf_remediation_decode(v, len, &rem, &bad), TS_OK);
	ck_assert_uint_eq(rem.type, IETF_REMEDIATION_STRING);
	ck_assert_uint_eq(rem.string_len, 6);
	ck_assert_mem_eq(rem.string, "Update", 6);
	ck_assert_uint_eq(rem.lang_len, 2);
	ck_assert_mem_eq(rem.lang, "en", 2);

	in.type = IETF_REMEDIATION_STRING;
	in.string = (const uint8_t *)"Update";
	in.string_len = 6;
	in.lang = (const uint8_t *)"en";
	in.lang_len = 2;
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(ietf_remediation_encode(&in, &w), TS_OK);
	assert_written(&w, hex);
	free(v);
}
END_TEST

START_TEST(remediation_rejects_bad_strings)
{
	static const struct {
		const char *hex;
		int rc;
		size_t bad;
	} cases[] = {
		{ "00 000000 00000002 00000002 5500 00", TS_E_INVALID, 13 },  /* NUL in string */
		{ "00 000000 00000002 0000000a 557064617465 02 656e", TS_E_TRUNCATED, 8 },
		{ "00 000000 00000002 00000001 55", TS_E_TRUNCATED, 13 },     /* Lang Code Len missing */
		{ "00 000000 00000002 00000001 55 00 ff", TS_E_TRAILING, 14 },
		{ "00 000000 000000", TS_E_TRUNCATED, 4 },
		{ "00 005597 00000002 00", TS_OK, 0 },                         /* other vendor: raw */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len, bad = 0;
		unsigned char *v = test_hex(cases[i].hex, &len);

		ck_assert_int_eq(ietf_remediation_validate(v, len, &bad), cases[i].rc);
		ck_assert_uint_eq(bad, cases[i].bad);
		free(v);
	}
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("ietf_attrs");
	TCase *tc = tcase_create("codecs");

	tcase_add_test(tc, attr_request_round_trip);
	tcase_add_test(tc, attr_request_rejects_bad_entries);
	tcase_add_test(tc, attr_request_encode_rejects_error_type);
	tcase_add_test(tc, product_info_round_trip);
	tcase_add_test(tc, product_info_rejects_bad_values);
	tcase_add_test(tc, numeric_version_round_trip);
	tcase_add_test(tc, string_version_round_trip);
	tcase_add_test(tc, string_version_rejects_bad_lengths);
	tcase_add_test(tc, string_version_encode_rejects_long);
	tcase_add_test(tc, op_status_round_trip);
	tcase_add_test(tc, op_status_time_rules);
	tcase_add_test(tc, op_status_unknown_values_read_as_zero);
	tcase_add_test(tc, op_status_format_time);
	tcase_add_test(tc, port_filter_round_trip);
	tcase_add_test(tc, port_filter_rejects_conflicts);
	tcase_add_test(tc, installed_packages_round_trip);
	tcase_add_test(tc, installed_packages_rejects_bad_counts);
	tcase_add_test(tc, installed_packages_max_list);
	tcase_add_test(tc, pa_tnc_error_invalid_parameter);
	tcase_add_test(tc, pa_tnc_error_version_not_supported);
	tcase_add_test(tc, pa_tnc_error_attr_type_not_supported);
	tcase_add_test(tc, pa_tnc_error_other_codes_raw);
	tcase_add_test(tc, pa_tnc_error_code_names);
	tcase_add_test(tc, uint32_attrs_round_trip);
	tcase_add_test(tc, uint32_attrs_reject_out_of_range);
	tcase_add_test(tc, remediation_uri_round_trip);
	tcase_add_test(tc, remediation_string_round_trip);
	tcase_add_test(tc, remediation_rejects_bad_strings);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
