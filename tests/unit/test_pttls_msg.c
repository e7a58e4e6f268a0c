/*
 * PT-TLS message codec: every message type built byte-exact against the
 * layouts of RFC 6876 §3.5-§3.9, parsed back, and each malformed input
 * rejected with the PT-TLS Error code RFC 6876 assigns to it.
 */
#include "test_util.h"

#include "pttls_msg.h"
#include "writer.h"

static const pttls_parse_opts opts = { .max_length = 65536, .sasl_result_one_octet = false };

/* Builds with fn's result in w, compares with the expected hex. */
static void check_bytes(writer_t *w, const char *hex)
{
	size_t len;
	unsigned char *want = test_hex(hex, &len);

	ck_assert_int_eq(writer_status(w), TS_OK);
	ck_assert_uint_eq(writer_len(w), len);
	ck_assert_mem_eq(writer_data(w), want, len);
	free(want);
}

/* Parses hex and expects success. */
static void parse_ok(const char *hex, pttls_msg *m)
{
	pttls_fault fault = { 0 };
	size_t len;
	unsigned char *data = test_hex(hex, &len);
	int rc = pttls_msg_parse(data, len, &opts, m, &fault);

	ck_assert_msg(rc == TS_OK, "parse failed: %s (field %s at %zu)", ts_strerror(rc),
		      fault.field ? fault.field : "-", fault.offset);
	/* Pointers into data must not outlive it: tests only use numbers after this. */
	free(data);
}

/* Parses hex with the given options and expects a failure with the given PT-TLS Error code. */
static void parse_fails_with(const pttls_parse_opts *o, const char *hex, uint32_t code, size_t offset)
{
	pttls_fault fault = { 0 };
	pttls_msg m;
	size_t len;
	unsigned char *data = test_hex(hex, &len);
	int rc = pttls_msg_parse(data, len, o, &m, &fault);

	ck_assert_int_ne(rc, TS_OK);
	ck_assert_uint_eq(fault.code, code);
	ck_assert_uint_eq(fault.offset, offset);
	ck_assert_ptr_nonnull(fault.field);
	free(data);
}

static void parse_fails(const char *hex, uint32_t code, size_t offset)
{
	parse_fails_with(&opts, hex, code, offset);
}

START_TEST(version_request_exact)
{
	writer_t w;
	pttls_msg m;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_version_request(&w, 0, 1, 1, 1), TS_OK);
	check_bytes(&w, "00 000000 00000001 00000014 00000000  00 01 01 01");
	writer_free(&w);

	parse_ok("00 000000 00000001 00000014 00000007  00 01 02 01", &m);
	ck_assert_uint_eq(m.hdr.type, PTTLS_MSG_VERSION_REQUEST);
	ck_assert_uint_eq(m.hdr.msg_id, 7);
	ck_assert_uint_eq(m.u.version_request.min_version, 1);
	ck_assert_uint_eq(m.u.version_request.max_version, 2);
	ck_assert_uint_eq(m.u.version_request.pref_version, 1);
}
END_TEST

START_TEST(version_response_exact)
{
	writer_t w;
	pttls_msg m;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_version_response(&w, 1, 1), TS_OK);
	check_bytes(&w, "00 000000 00000002 00000014 00000001  000000 01");
	writer_free(&w);

	/* The reserved octets are ignored on receipt. */
	parse_ok("ff 000000 00000002 00000014 00000001  ffffff 01", &m);
	ck_assert_uint_eq(m.hdr.type, PTTLS_MSG_VERSION_RESPONSE);
	ck_assert_uint_eq(m.u.version_response.version, 1);
}
END_TEST

START_TEST(sasl_mechanisms_exact)
{
	static const char *const mechs[] = { "PLAIN", "EXTERNAL" };
	writer_t w;
	pttls_msg m;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_mechanisms(&w, 2, mechs, 2), TS_OK);
	/* "PLAIN" = 50 4c 41 49 4e, "EXTERNAL" = 45 58 54 45 52 4e 41 4c */
	check_bytes(&w, "00 000000 00000003 0000001f 00000002  05 504c41494e 08 45585445524e414c");
	writer_free(&w);

	/* The three reserved bits before Mech Len are ignored. */
	parse_ok("00 000000 00000003 0000001f 00000002  e5 504c41494e 08 45585445524e414c", &m);
	ck_assert_uint_eq(m.u.sasl_mechanisms.count, 2);
	ck_assert_str_eq(m.u.sasl_mechanisms.mechs[0].name, "PLAIN");
	ck_assert_str_eq(m.u.sasl_mechanisms.mechs[1].name, "EXTERNAL");
}
END_TEST

START_TEST(sasl_mechanisms_empty)
{
	writer_t w;
	pttls_msg m;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_mechanisms(&w, 3, NULL, 0), TS_OK);
	check_bytes(&w, "00 000000 00000003 00000010 00000003");
	writer_free(&w);

	parse_ok("00 000000 00000003 00000010 00000003", &m);
	ck_assert_uint_eq(m.u.sasl_mechanisms.count, 0);
}
END_TEST

START_TEST(sasl_selection_exact)
{
	static const uint8_t initial[] = { 0, 'u', 0, 'p' };
	writer_t w;
	pttls_msg m;
	size_t len;
	unsigned char *data;
	pttls_fault fault;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_selection(&w, 4, "PLAIN", initial, sizeof(initial)), TS_OK);
	check_bytes(&w, "00 000000 00000004 0000001a 00000004  05 504c41494e 00750070");
	writer_free(&w);

	data = test_hex("00 000000 00000004 0000001a 00000004  05 504c41494e 00750070", &len);
	ck_assert_int_eq(pttls_msg_parse(data, len, &opts, &m, &fault), TS_OK);
	ck_assert_str_eq(m.u.sasl_selection.mech.name, "PLAIN");
	ck_assert_uint_eq(m.u.sasl_selection.initial_len, 4);
	ck_assert_mem_eq(m.u.sasl_selection.initial, initial, 4);
	free(data);

	/* Without an initial response. */
	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_selection(&w, 5, "PLAIN", NULL, 0), TS_OK);
	check_bytes(&w, "00 000000 00000004 00000016 00000005  05 504c41494e");
	writer_free(&w);
	parse_ok("00 000000 00000004 00000016 00000005  05 504c41494e", &m);
	ck_assert_uint_eq(m.u.sasl_selection.initial_len, 0);
}
END_TEST

START_TEST(sasl_auth_data_exact)
{
	static const uint8_t data[] = { 0xde, 0xad, 0xbe, 0xef };
	writer_t w;
	pttls_msg m;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_auth_data(&w, 6, data, sizeof(data)), TS_OK);
	check_bytes(&w, "00 000000 00000005 00000014 00000006  deadbeef");
	writer_free(&w);

	parse_ok("00 000000 00000005 00000014 00000006  deadbeef", &m);
	ck_assert_uint_eq(m.hdr.type, PTTLS_MSG_SASL_AUTH_DATA);
	ck_assert_uint_eq(m.u.value.len, 4);
}
END_TEST

START_TEST(sasl_result_rfc_form)
{
	writer_t w;
	pttls_msg m;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_result(&w, 7, PTTLS_SASL_FAILURE, NULL, 0, false), TS_OK);
	check_bytes(&w, "00 000000 00000006 00000012 00000007  0001");
	writer_free(&w);

	parse_ok("00 000000 00000006 00000012 00000007  0001", &m);
	ck_assert_uint_eq(m.u.sasl_result.code, PTTLS_SASL_FAILURE);
	ck_assert_uint_eq(m.u.sasl_result.data_len, 0);

	/* Success with result data: 2-octet code, then the data. */
	parse_ok("00 000000 00000006 00000014 00000007  0000 0102", &m);
	ck_assert_uint_eq(m.u.sasl_result.code, PTTLS_SASL_SUCCESS);
	ck_assert_uint_eq(m.u.sasl_result.data_len, 2);
}
END_TEST

START_TEST(sasl_result_strongswan_form)
{
	pttls_parse_opts one = opts;
	writer_t w;
	pttls_msg m;
	pttls_fault fault;
	size_t len;
	unsigned char *data;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_result(&w, 8, PTTLS_SASL_ABORT, NULL, 0, true), TS_OK);
	check_bytes(&w, "00 000000 00000006 00000011 00000008  02");
	writer_free(&w);

	/* A 1-octet value is always a 1-octet code. */
	parse_ok("00 000000 00000006 00000011 00000008  00", &m);
	ck_assert_uint_eq(m.u.sasl_result.code, PTTLS_SASL_SUCCESS);
	parse_ok("00 000000 00000006 00000011 00000008  03", &m);
	ck_assert_uint_eq(m.u.sasl_result.code, PTTLS_SASL_MECHANISM_FAILURE);

	/* 1-octet code followed by data: the 2-octet reading (0x0041) is unknown, so 1 octet is taken. */
	parse_ok("00 000000 00000006 00000013 00000008  00 4142", &m);
	ck_assert_uint_eq(m.u.sasl_result.code, PTTLS_SASL_SUCCESS);
	ck_assert_uint_eq(m.u.sasl_result.data_len, 2);

	/* Configured 1-octet reading. */
	one.sasl_result_one_octet = true;
	data = test_hex("00 000000 00000006 00000012 00000008  01 00", &len);
	ck_assert_int_eq(pttls_msg_parse(data, len, &one, &m, &fault), TS_OK);
	ck_assert_uint_eq(m.u.sasl_result.code, PTTLS_SASL_FAILURE);
	ck_assert_uint_eq(m.u.sasl_result.data_len, 1);
	free(data);
}
END_TEST

START_TEST(batch_exact)
{
	/* An empty PB-TNC CLOSE batch: version 2, D=0, type 6, length 8 (RFC 5793 §4.1). */
	static const uint8_t close_batch[] = { 0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x08 };
	writer_t w;
	pttls_msg m;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_batch(&w, 0xFFFFFFFFu, close_batch, sizeof(close_batch)), TS_OK);
	check_bytes(&w, "00 000000 00000007 00000018 ffffffff  0200000600000008");
	writer_free(&w);

	parse_ok("00 000000 00000007 00000018 ffffffff  0200000600000008", &m);
	ck_assert_uint_eq(m.hdr.type, PTTLS_MSG_PB_TNC_BATCH);
	ck_assert_uint_eq(m.hdr.msg_id, 0xFFFFFFFFu);
	ck_assert_uint_eq(m.u.value.len, 8);
}
END_TEST

START_TEST(error_exact)
{
	static const uint8_t orig[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
					0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05 };
	writer_t w;
	pttls_msg m;

	writer_init(&w, 4096);
	ck_assert_int_eq(pttls_msg_build_error(&w, 9, PTTLS_ERR_TYPE_NOT_SUPPORTED, orig, sizeof(orig)), TS_OK);
	check_bytes(&w, "00 000000 00000008 00000028 00000009  00 000000 00000003 "
			"00000000 00000009 00000010 00000005");
	writer_free(&w);

	parse_ok("00 000000 00000008 00000028 00000009  00 000000 00000003 "
		 "00000000 00000009 00000010 00000005", &m);
	ck_assert_uint_eq(m.u.error.vendor, 0);
	ck_assert_uint_eq(m.u.error.code, PTTLS_ERR_TYPE_NOT_SUPPORTED);
	ck_assert_uint_eq(m.u.error.copy_len, 16);
}
END_TEST

START_TEST(error_copy_capped)
{
	uint8_t orig[2000];
	writer_t w;

	memset(orig, 0xAB, sizeof(orig));
	writer_init(&w, 4096);
	ck_assert_int_eq(pttls_msg_build_error(&w, 1, PTTLS_ERR_MALFORMED_MESSAGE, orig, sizeof(orig)), TS_OK);
	/* 16 header + 8 fixed + 1024 copied octets. */
	ck_assert_uint_eq(writer_len(&w), 16 + 8 + PTTLS_ERROR_COPY_MAX);
	ck_assert_uint_eq(writer_data(&w)[11], (16 + 8 + 1024) & 0xFF);
	writer_free(&w);
}
END_TEST

START_TEST(experimental_roundtrip)
{
	writer_t w;
	pttls_msg m;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build(&w, 0, PTTLS_MSG_EXPERIMENTAL, 10, "xy", 2), TS_OK);
	check_bytes(&w, "00 000000 00000000 00000012 0000000a  7879");
	writer_free(&w);
	parse_ok("00 000000 00000000 00000012 0000000a  7879", &m);
	ck_assert_uint_eq(m.hdr.type, PTTLS_MSG_EXPERIMENTAL);
	ck_assert_uint_eq(m.u.value.len, 2);
}
END_TEST

START_TEST(header_invalid_parameter)
{
	/* Message Length below 16. */
	parse_fails("00 000000 00000007 0000000f 00000000", PTTLS_ERR_INVALID_PARAMETER, 8);
	/* Message Length 0. */
	parse_fails("00 000000 00000007 00000000 00000000", PTTLS_ERR_INVALID_PARAMETER, 8);
	/* Reserved vendor 0xFFFFFF. */
	parse_fails("00 ffffff 00000007 00000010 00000000", PTTLS_ERR_INVALID_PARAMETER, 1);
	/* Reserved type 0xFFFFFFFF. */
	parse_fails("00 000000 ffffffff 00000010 00000000", PTTLS_ERR_INVALID_PARAMETER, 4);
	/* Above the configured maximum (65536). */
	parse_fails("00 000000 00000007 00010001 00000000", PTTLS_ERR_INVALID_PARAMETER, 8);
	/* Message Length disagrees with the bytes given. */
	parse_fails("00 000000 00000007 00000014 00000000 0200", PTTLS_ERR_INVALID_PARAMETER, 8);
}
END_TEST

START_TEST(header_truncated)
{
	pttls_header h;
	pttls_fault fault;
	size_t len;
	unsigned char *data = test_hex("00 000000 00000007 00000010 000000", &len);

	ck_assert_int_eq(pttls_msg_parse_header(data, len, &opts, &h, &fault), TS_E_TRUNCATED);
	ck_assert_uint_eq(fault.code, PTTLS_ERR_MALFORMED_MESSAGE);
	free(data);
}
END_TEST

START_TEST(header_max_length_boundary)
{
	pttls_parse_opts small = { .max_length = 20 };
	pttls_header h;
	pttls_fault fault;
	size_t len;
	unsigned char *data = test_hex("00 000000 00000007 00000014 00000000", &len);

	ck_assert_int_eq(pttls_msg_parse_header(data, len, &small, &h, &fault), TS_OK);
	ck_assert_uint_eq(h.length, 20);
	small.max_length = 19;
	ck_assert_int_eq(pttls_msg_parse_header(data, len, &small, &h, &fault), TS_E_TOO_LARGE);
	ck_assert_uint_eq(fault.code, PTTLS_ERR_INVALID_PARAMETER);
	free(data);
}
END_TEST

START_TEST(unknown_type_not_supported)
{
	pttls_fault fault = { 0 };
	pttls_msg m;
	size_t len;
	unsigned char *data = test_hex("00 000000 00000009 00000010 00000005", &len);

	ck_assert_int_eq(pttls_msg_parse(data, len, &opts, &m, &fault), TS_E_UNSUPPORTED);
	ck_assert_uint_eq(fault.code, PTTLS_ERR_TYPE_NOT_SUPPORTED);
	ck_assert_uint_eq(m.hdr.type, 9);
	ck_assert_uint_eq(m.hdr.msg_id, 5);
	free(data);

	/* A vendor-specific type this codec does not know. */
	data = test_hex("00 005597 00000001 00000010 00000005", &len);
	ck_assert_int_eq(pttls_msg_parse(data, len, &opts, &m, &fault), TS_E_UNSUPPORTED);
	ck_assert_uint_eq(fault.code, PTTLS_ERR_TYPE_NOT_SUPPORTED);
	ck_assert_uint_eq(m.hdr.vendor, 0x005597);
	free(data);
}
END_TEST

START_TEST(version_wrong_length)
{
	/* Version Request and Response have a fixed 4-octet value. */
	parse_fails("00 000000 00000001 00000013 00000000  000101", PTTLS_ERR_INVALID_PARAMETER, 8);
	parse_fails("00 000000 00000001 00000015 00000000  0001010100", PTTLS_ERR_INVALID_PARAMETER, 8);
	parse_fails("00 000000 00000002 00000010 00000000", PTTLS_ERR_INVALID_PARAMETER, 8);
}
END_TEST

START_TEST(mechanisms_malformed)
{
	/* Mech Len 0. */
	parse_fails("00 000000 00000003 00000011 00000000  00", PTTLS_ERR_MALFORMED_MESSAGE, 16);
	/* Mech Len 5 with 4 octets left. */
	parse_fails("00 000000 00000003 00000015 00000000  05 504c4149", PTTLS_ERR_MALFORMED_MESSAGE, 16);
	/* Second entry truncated. */
	parse_fails("00 000000 00000003 00000018 00000000  05 504c41494e 03 41", PTTLS_ERR_MALFORMED_MESSAGE, 22);
	/* Lower-case letters are not valid in a SASL mechanism name. */
	parse_fails("00 000000 00000003 00000016 00000000  05 706c61696e", PTTLS_ERR_MALFORMED_MESSAGE, 17);
}
END_TEST

START_TEST(mechanisms_too_many)
{
	writer_t w;
	pttls_fault fault;
	pttls_msg m;
	char hex[8];

	/* 17 one-letter names: one more than PTTLS_SASL_MECHS_MAX. */
	writer_init(&w, 1024);
	writer_u8(&w, 0);
	writer_u24(&w, 0);
	writer_u32(&w, PTTLS_MSG_SASL_MECHANISMS);
	writer_u32(&w, 16 + 2 * (PTTLS_SASL_MECHS_MAX + 1));
	writer_u32(&w, 0);
	for (int i = 0; i <= PTTLS_SASL_MECHS_MAX; i++) {
		snprintf(hex, sizeof(hex), "%c", 'A' + i);
		writer_vec8(&w, hex, 1);
	}
	ck_assert_int_eq(pttls_msg_parse(writer_data(&w), writer_len(&w), &opts, &m, &fault), TS_E_TOO_LARGE);
	ck_assert_uint_eq(fault.code, PTTLS_ERR_MALFORMED_MESSAGE);
	ck_assert_uint_eq(fault.offset, 16 + 2 * PTTLS_SASL_MECHS_MAX);
	writer_free(&w);
}
END_TEST

START_TEST(selection_malformed)
{
	/* Empty value: no Mech Len octet. */
	parse_fails("00 000000 00000004 00000010 00000000", PTTLS_ERR_MALFORMED_MESSAGE, 16);
	/* Mech Len larger than what follows. */
	parse_fails("00 000000 00000004 00000013 00000000  1f 4142", PTTLS_ERR_MALFORMED_MESSAGE, 16);
}
END_TEST

START_TEST(result_malformed)
{
	/* No Result Code at all. */
	parse_fails("00 000000 00000006 00000010 00000000", PTTLS_ERR_INVALID_PARAMETER, 16);
	/* Unknown codes in either width. */
	parse_fails("00 000000 00000006 00000011 00000000  04", PTTLS_ERR_INVALID_PARAMETER, 16);
	parse_fails("00 000000 00000006 00000012 00000000  0400", PTTLS_ERR_INVALID_PARAMETER, 16);
}
END_TEST

START_TEST(error_malformed)
{
	/* Value shorter than the 8 fixed octets. */
	parse_fails("00 000000 00000008 00000014 00000000  00000000", PTTLS_ERR_INVALID_PARAMETER, 8);
	/* A copy longer than 1024 octets is not allowed. */
	{
		writer_t w;
		pttls_fault fault;
		pttls_msg m;
		pttls_parse_opts big = { .max_length = 4096 };

		writer_init(&w, 4096);
		writer_u8(&w, 0);
		writer_u24(&w, 0);
		writer_u32(&w, PTTLS_MSG_ERROR);
		writer_u32(&w, 16 + 8 + 1025);
		writer_u32(&w, 0);
		writer_zeros(&w, 8 + 1025);
		ck_assert_int_eq(pttls_msg_parse(writer_data(&w), writer_len(&w), &big, &m, &fault),
				 TS_E_TOO_LARGE);
		ck_assert_uint_eq(fault.code, PTTLS_ERR_MALFORMED_MESSAGE);
		ck_assert_uint_eq(fault.offset, 24);
		writer_free(&w);
	}
}
END_TEST

START_TEST(builder_rejects_bad_names)
{
	static const char *const bad[] = { "plain" };
	static const char *const long_name[] = { "ABCDEFGHIJKLMNOPQRSTU" };  /* 21 characters */
	writer_t w;

	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_mechanisms(&w, 0, bad, 1), TS_E_INVALID);
	writer_free(&w);
	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_mechanisms(&w, 0, long_name, 1), TS_E_INVALID);
	writer_free(&w);
	writer_init(&w, 1024);
	ck_assert_int_eq(pttls_msg_build_sasl_selection(&w, 0, "", NULL, 0), TS_E_INVALID);
	writer_free(&w);
}
END_TEST

START_TEST(builder_respects_writer_limit)
{
	uint8_t batch[64] = { 0 };
	writer_t w;

	writer_init(&w, 16 + 63);
	ck_assert_int_eq(pttls_msg_build_batch(&w, 0, batch, sizeof(batch)), TS_E_TOO_LARGE);
	writer_free(&w);
}
END_TEST

START_TEST(type_and_code_names)
{
	ck_assert_str_eq(pttls_msg_type_name(0, PTTLS_MSG_PB_TNC_BATCH), "PB-TNC Batch");
	ck_assert_str_eq(pttls_msg_type_name(0, 9), "unknown");
	ck_assert_str_eq(pttls_error_code_name(0, PTTLS_ERR_INVALID_PARAMETER), "Invalid Parameter");
	ck_assert_str_eq(pttls_error_code_name(0, 7), "unknown");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pttls_msg");
	TCase *build = tcase_create("build_parse");
	TCase *bad = tcase_create("malformed");

	tcase_add_test(build, version_request_exact);
	tcase_add_test(build, version_response_exact);
	tcase_add_test(build, sasl_mechanisms_exact);
	tcase_add_test(build, sasl_mechanisms_empty);
	tcase_add_test(build, sasl_selection_exact);
	tcase_add_test(build, sasl_auth_data_exact);
	tcase_add_test(build, sasl_result_rfc_form);
	tcase_add_test(build, sasl_result_strongswan_form);
	tcase_add_test(build, batch_exact);
	tcase_add_test(build, error_exact);
	tcase_add_test(build, error_copy_capped);
	tcase_add_test(build, experimental_roundtrip);
	tcase_add_test(build, type_and_code_names);
	tcase_add_test(bad, header_invalid_parameter);
	tcase_add_test(bad, header_truncated);
	tcase_add_test(bad, header_max_length_boundary);
	tcase_add_test(bad, unknown_type_not_supported);
	tcase_add_test(bad, version_wrong_length);
	tcase_add_test(bad, mechanisms_malformed);
	tcase_add_test(bad, mechanisms_too_many);
	tcase_add_test(bad, selection_malformed);
	tcase_add_test(bad, result_malformed);
	tcase_add_test(bad, error_malformed);
	tcase_add_test(bad, builder_rejects_bad_names);
	tcase_add_test(bad, builder_respects_writer_limit);
	suite_add_tcase(s, build);
	suite_add_tcase(s, bad);
	return s;
}

TEST_MAIN()
