/*
 * PA-TNC message parsing, the NOSKIP rule, PA-TNC Error offsets and the
 * message builder. The real message is the IMC-OS PA-TNC message of batch 1
 * of a strongSwan 6.0.6 exchange (see tests/data/pa/SOURCES.md). The other
 * vectors are written out by hand from RFC 5792 sections 3.6, 4.1 and 4.2.8.
 */
#include <stdint.h>

#include "test_util.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_factory_default_pwd.h"
#include "pa/ietf_forwarding_enabled.h"
#include "pa/ietf_numeric_version.h"
#include "pa/ietf_op_status.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_string_version.h"
#include "pa/pa_msg.h"
#include "ts_error.h"

#define IMC_OS_MSG "pa/strongswan-imc-os-msg.bin"

/* Attribute offsets and lengths of the strongSwan IMC-OS message. */
static const struct {
	uint32_t vendor, type;
	size_t offset, length;
} imc_os_attrs[] = {
	{ 0, IETF_ATTR_PRODUCT_INFORMATION, 8, 23 },
	{ 0, IETF_ATTR_STRING_VERSION, 31, 24 },
	{ 0, IETF_ATTR_NUMERIC_VERSION, 55, 28 },
	{ 0, IETF_ATTR_OPERATIONAL_STATUS, 83, 36 },
	{ 0, IETF_ATTR_FORWARDING_ENABLED, 119, 16 },
	{ 0, IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED, 135, 16 },
	{ PA_VENDOR_ITA, 8, 151, 52 },  /* ITA-HSR Device ID */
};

#define DEVICE_ID "8cb3c7e3d94d84e8578949d3f271a09d987b069b"

/* Parses hex that must be rejected and returns the error. */
static pa_msg_error parse_rejected(const char *hex, int expected_rc)
{
	size_t len;
	unsigned char *data = test_hex(hex, &len);
	pa_msg *msg = NULL;
	pa_msg_error err;

	memset(&err, 0xAA, sizeof(err));
	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, &err), expected_rc);
	ck_assert_ptr_null(msg);
	free(data);
	return err;
}

static void assert_invalid_parameter(const char *hex, int expected_rc, uint32_t offset)
{
	pa_msg_error err = parse_rejected(hex, expected_rc);

	ck_assert_uint_eq(err.error.vendor, 0);
	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_INVALID_PARAMETER);
	ck_assert_uint_eq(err.error.offset, offset);
	ck_assert_ptr_nonnull(err.field);
	ck_assert(err.may_reply);
}

START_TEST(msg_strongswan_imc_os)
{
	size_t len, bad;
	unsigned char *data = test_read_file(test_data_path(IMC_OS_MSG), &len);
	pa_msg *msg = NULL;
	const pa_attr *a;
	ietf_product_info pi;
	ietf_string_version sv;
	ietf_numeric_version nv;
	ietf_op_status os;
	uint32_t u32;

	ck_assert_uint_eq(len, 203);
	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);
	ck_assert_uint_eq(msg->msg_id, 0x1cec195c);
	ck_assert_uint_eq(msg->count, 7);
	for (size_t i = 0; i < msg->count; i++) {
		ck_assert_uint_eq(msg->attrs[i].flags, 0);
		ck_assert_uint_eq(msg->attrs[i].vendor, imc_os_attrs[i].vendor);
		ck_assert_uint_eq(msg->attrs[i].type, imc_os_attrs[i].type);
		ck_assert_uint_eq(msg->attrs[i].offset, imc_os_attrs[i].offset);
		ck_assert_uint_eq(msg->attrs[i].value_len, imc_os_attrs[i].length - 12);
		ck_assert_ptr_eq(msg->attrs[i].value, data + imc_os_attrs[i].offset + 12);
	}
	/* The six IETF attributes are known; the ITA-HSR one is skipped. */
	for (size_t i = 0; i < 6; i++)
		ck_assert_ptr_nonnull(msg->attrs[i].info);
	ck_assert_ptr_null(msg->attrs[6].info);

	a = msg->attrs;
	ck_assert_int_eq(ietf_product_info_decode(a[0].value, a[0].value_len, &pi, &bad), TS_OK);
	ck_assert_uint_eq(pi.vendor, 9586);
	ck_assert_uint_eq(pi.product_id, 0);
	ck_assert_uint_eq(pi.name_len, 6);
	ck_assert_mem_eq(pi.name, "Debian", 6);

	ck_assert_int_eq(ietf_string_version_decode(a[1].value, a[1].value_len, &sv, &bad), TS_OK);
	ck_assert_uint_eq(sv.version_len, 9);
	ck_assert_mem_eq(sv.version, "12 x86_64", 9);
	ck_assert_uint_eq(sv.build_len, 0);
	ck_assert_uint_eq(sv.config_len, 0);

	ck_assert_int_eq(ietf_numeric_version_decode(a[2].value, a[2].value_len, &nv, &bad), TS_OK);
	ck_assert_uint_eq(nv.major, 12);
	ck_assert_uint_eq(nv.minor, 0);
	ck_assert_uint_eq(nv.build, 0);
	ck_assert_uint_eq(nv.sp_major, 0);
	ck_assert_uint_eq(nv.sp_minor, 0);

	ck_assert_int_eq(ietf_op_status_decode(a[3].value, a[3].value_len, &os, &bad), TS_OK);
	ck_assert_uint_eq(os.status, IETF_OP_STATUS_OPERATIONAL);
	ck_assert_uint_eq(os.result, IETF_OP_RESULT_SUCCESS);
	ck_assert_str_eq(os.last_use, "2026-12-04T19:15:00Z");

	ck_assert_int_eq(ietf_forwarding_enabled_decode(a[4].value, a[4].value_len, &u32, &bad), TS_OK);
	ck_assert_uint_eq(u32, IETF_FORWARDING_DISABLED);
	ck_assert_int_eq(ietf_factory_default_pwd_decode(a[5].value, a[5].value_len, &u32, &bad), TS_OK);
	ck_assert_uint_eq(u32, 0);

	ck_assert_uint_eq(msg->attrs[6].value_len, 40);
	ck_assert_mem_eq(msg->attrs[6].value, DEVICE_ID, 40);

	pa_msg_free(msg);
	free(data);
}
END_TEST

/* Builds the IMC-OS message from typed values; it must equal strongSwan's bytes. */
START_TEST(msg_builder_reproduces_strongswan)
{
	size_t len, out_len;
	unsigned char *expected = test_read_file(test_data_path(IMC_OS_MSG), &len);
	ietf_product_info pi = { 0x002572, 0, (const uint8_t *)"Debian", 6 };
	ietf_string_version sv = { (const uint8_t *)"12 x86_64", 9, NULL, 0, NULL, 0 };
	ietf_numeric_version nv = { 12, 0, 0, 0, 0 };
	ietf_op_status os = { 3, 1, "2026-12-04T19:15:00Z" };
	pa_msg_builder b;
	writer_t *w;
	uint8_t *out;

	ck_assert_int_eq(pa_msg_builder_init(&b, 0x1cec195c, 65536), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, IETF_ATTR_PRODUCT_INFORMATION, &w), TS_OK);
	ck_assert_int_eq(ietf_product_info_encode(&pi, w), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_end(&b), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, IETF_ATTR_STRING_VERSION, &w), TS_OK);
	ck_assert_int_eq(ietf_string_version_encode(&sv, w), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_end(&b), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, IETF_ATTR_NUMERIC_VERSION, &w), TS_OK);
	ck_assert_int_eq(ietf_numeric_version_encode(&nv, w), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_end(&b), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, IETF_ATTR_OPERATIONAL_STATUS, &w), TS_OK);
	ck_assert_int_eq(ietf_op_status_encode(&os, w), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_end(&b), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, IETF_ATTR_FORWARDING_ENABLED, &w), TS_OK);
	ck_assert_int_eq(ietf_forwarding_enabled_encode(IETF_FORWARDING_DISABLED, w), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_end(&b), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED, &w),
			 TS_OK);
	ck_assert_int_eq(ietf_factory_default_pwd_encode(0, w), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_end(&b), TS_OK);
	ck_assert_int_eq(pa_msg_builder_add(&b, 0, PA_VENDOR_ITA, 8, (const uint8_t *)DEVICE_ID, 40),
			 TS_OK);
	ck_assert_uint_eq(pa_msg_builder_count(&b), 7);

	ck_assert_int_eq(pa_msg_builder_finish(&b, &out, &out_len), TS_OK);
	ck_assert_uint_eq(out_len, len);
	ck_assert_mem_eq(out, expected, len);
	free(out);
	pa_msg_builder_free(&b);
	free(expected);
}
END_TEST

/*
 * Every cut of the real message. A cut between attributes leaves a valid
 * shorter message. Any other cut is an Invalid Parameter, either at the
 * start of the cut header or at the Length field of the cut attribute.
 */
START_TEST(msg_every_truncation)
{
	size_t len;
	unsigned char *data = test_read_file(test_data_path(IMC_OS_MSG), &len);

	for (size_t cut = 0; cut < len; cut++) {
		pa_msg *msg = NULL;
		pa_msg_error err;
		size_t boundary = 0, attr_start = 8;
		int rc;

		for (size_t i = 0; i < 7; i++) {
			if (cut == imc_os_attrs[i].offset)
				boundary = 1;
			if (cut >= imc_os_attrs[i].offset)
				attr_start = imc_os_attrs[i].offset;
		}
		memset(&err, 0, sizeof(err));
		rc = pa_msg_parse(data, cut, NULL, &msg, &err);
		if (boundary) {
			ck_assert_int_eq(rc, TS_OK);
			pa_msg_free(msg);
			continue;
		}
		ck_assert_int_eq(rc, TS_E_TRUNCATED);
		ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_INVALID_PARAMETER);
		if (cut < 8)
			ck_assert_uint_eq(err.error.offset, 0);
		else if (cut - attr_start < 12)
			ck_assert_uint_eq(err.error.offset, attr_start);
		else
			ck_assert_uint_eq(err.error.offset, attr_start + 8);
	}
	free(data);
}
END_TEST

START_TEST(msg_empty_is_valid)
{
	size_t len;
	unsigned char *data = test_hex("01 000000 deadbeef", &len);
	pa_msg *msg = NULL;

	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);
	ck_assert_uint_eq(msg->msg_id, 0xdeadbeef);
	ck_assert_uint_eq(msg->count, 0);
	pa_msg_free(msg);
	free(data);
}
END_TEST

START_TEST(msg_reserved_header_octets_ignored)
{
	size_t len;
	unsigned char *data = test_hex("01 ffffff 00000001 00 000000 00000009 00000010 00000000", &len);
	pa_msg *msg = NULL;

	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);
	ck_assert_uint_eq(msg->count, 1);
	pa_msg_free(msg);
	free(data);
}
END_TEST

START_TEST(msg_wrong_version)
{
	pa_msg_error err = parse_rejected("02 000000 01020304 00 000000 00000009 00000010 00000000",
					  TS_E_UNSUPPORTED);
	size_t len, expected_len;
	uint8_t *reply;
	unsigned char *expected;

	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_VERSION_NOT_SUPPORTED);
	ck_assert_mem_eq(err.error.msg_info, "\x02\x00\x00\x00\x01\x02\x03\x04", 8);
	ck_assert_uint_eq(err.error.max_version, 1);
	ck_assert_uint_eq(err.error.min_version, 1);
	ck_assert(err.may_reply);

	/* A version 1 message whose only attribute is the error. */
	ck_assert_int_eq(pa_msg_build_error_reply(&err, 0x55667788, 4096, &reply, &len), TS_OK);
	expected = test_hex("01 000000 55667788"
			    "00 000000 00000008 00000020"
			    "00 000000 00000002 02000000 01020304 01 01 0000", &expected_len);
	ck_assert_uint_eq(len, expected_len);
	ck_assert_mem_eq(reply, expected, len);
	free(reply);
	free(expected);

	/* The version is checked before the header length. */
	err = parse_rejected("00", TS_E_UNSUPPORTED);
	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_VERSION_NOT_SUPPORTED);
	ck_assert_mem_eq(err.error.msg_info, "\x00\x00\x00\x00\x00\x00\x00\x00", 8);
}
END_TEST

START_TEST(msg_bad_headers)
{
	/* Header too short, and no header at all. */
	assert_invalid_parameter("01 0000", TS_E_TRUNCATED, 0);
	assert_invalid_parameter("", TS_E_TRUNCATED, 0);
	/* Attribute header of 11 octets. */
	assert_invalid_parameter("01 000000 00000001 00 000000 00000009 000000", TS_E_TRUNCATED, 8);
	/* Length 11 in the first attribute: the offset of its Length field, 16. */
	assert_invalid_parameter("01 000000 00000001 00 000000 00000009 0000000b", TS_E_INVALID, 16);
	/* Length past the end of the message. */
	assert_invalid_parameter("01 000000 00000001 00 000000 00000009 00000011 00000000",
				 TS_E_TRUNCATED, 16);
	/* Length 0xFFFFFFFF. */
	assert_invalid_parameter("01 000000 00000001 00 000000 00000009 ffffffff", TS_E_TRUNCATED, 16);
	/* Reserved vendor and type. */
	assert_invalid_parameter("01 000000 00000001 00 ffffff 00000009 00000010 00000000",
				 TS_E_INVALID, 9);
	assert_invalid_parameter("01 000000 00000001 00 000000 ffffffff 0000000c", TS_E_INVALID, 12);
	/* A bad Length in the second attribute. */
	assert_invalid_parameter("01 000000 00000001 00 000000 00000009 00000010 00000000"
				 "00 000000 0000000b 00000005", TS_E_INVALID, 32);
}
END_TEST

START_TEST(msg_wrong_fixed_length)
{
	/* Numeric Version with 15 value octets (Length 27), and with 17. */
	assert_invalid_parameter("01 000000 00000001 00 000000 00000003 0000001b"
				 "0000000c 00000000 00000000 0000 00", TS_E_INVALID, 16);
	assert_invalid_parameter("01 000000 00000001 00 000000 00000003 0000001d"
				 "0000000c 00000000 00000000 0000 0000 00", TS_E_INVALID, 16);
	/* Assessment Result (fixed 4) after a valid attribute, Length 17. */
	assert_invalid_parameter("01 000000 00000001 00 000000 0000000b 00000010 00000000"
				 "00 000000 00000009 00000011 00000000 00", TS_E_INVALID, 32);
	/* String Version whose Version Len overruns the value. */
	assert_invalid_parameter("01 000000 00000001 00 000000 00000004 0000000f 05 00 00",
				 TS_E_TRUNCATED, 20);
}
END_TEST

/*
 * A String Version value longer than 3 + 3 * 255 octets cannot be valid, so
 * its Length is rejected before the strings are read.
 */
START_TEST(msg_oversized_value)
{
	size_t value_len = 3 + 3 * 255 + 1;
	size_t len = 8 + 12 + value_len;
	uint8_t *data = calloc(1, len);
	pa_msg *msg = NULL;
	pa_msg_error err;

	ck_assert_ptr_nonnull(data);
	data[0] = 1;
	data[8 + 7] = IETF_ATTR_STRING_VERSION;
	data[8 + 10] = (uint8_t)((12 + value_len) >> 8);
	data[8 + 11] = (uint8_t)(12 + value_len);
	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_INVALID_PARAMETER);
	ck_assert_uint_eq(err.error.offset, 16);

	/* One octet less is a valid length, whose contents are then checked. */
	data[8 + 11]--;
	ck_assert_int_eq(pa_msg_parse(data, len - 1, NULL, &msg, &err), TS_E_TRAILING);
	ck_assert_uint_eq(err.error.offset, 8 + 12 + 3);
	free(data);
}
END_TEST

/* A malformed PA-TNC Error is rejected, but no error is sent in reply. */
START_TEST(msg_bad_error_attr_not_answered)
{
	pa_msg_error err = parse_rejected("01 000000 00000001"
					  "00 000000 00000008 00000013 00000000 000000",
					  TS_E_INVALID);
	uint8_t *reply = NULL;
	size_t len = 0;

	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_INVALID_PARAMETER);
	ck_assert_uint_eq(err.error.offset, 16);
	ck_assert(!err.may_reply);
	ck_assert_int_eq(pa_msg_build_error_reply(&err, 1, 4096, &reply, &len), TS_E_STATE);
	ck_assert_ptr_null(reply);
}
END_TEST

START_TEST(msg_bad_layout_offset)
{
	/* Operational Status with month 13: offset 8 + 12 + 4 + 5 = 29. */
	assert_invalid_parameter("01 000000 00000001 00 000000 00000005 00000024 03 01 0000"
				 "323032362d31332d30345431393a31353a30305a", TS_E_INVALID, 29);
	/* Assessment Result 7. */
	assert_invalid_parameter("01 000000 00000001 80 000000 00000009 00000010 00000007",
				 TS_E_INVALID, 20);
}
END_TEST

START_TEST(msg_unknown_noskip)
{
	pa_msg_error err = parse_rejected("01 000000 0a0b0c0d"
					  "00 000000 00000009 00000010 00000000"
					  "80 00abcd 00000063 0000000d ee",
					  TS_E_UNSUPPORTED);
	size_t len, expected_len;
	uint8_t *reply;
	unsigned char *expected;

	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED);
	ck_assert_uint_eq(err.error.attr_flags, 0x80);
	ck_assert_uint_eq(err.error.attr_vendor, 0x00abcd);
	ck_assert_uint_eq(err.error.attr_type, 0x63);
	ck_assert_mem_eq(err.error.msg_info, "\x01\x00\x00\x00\x0a\x0b\x0c\x0d", 8);

	ck_assert_int_eq(pa_msg_build_error_reply(&err, 1, 4096, &reply, &len), TS_OK);
	expected = test_hex("01 000000 00000001"
			    "00 000000 00000008 00000024"
			    "00 000000 00000003 01000000 0a0b0c0d 80 00abcd 00000063", &expected_len);
	ck_assert_uint_eq(len, expected_len);
	ck_assert_mem_eq(reply, expected, len);
	free(reply);
	free(expected);

	/* SWIMA types are not implemented, so they count as unknown. */
	err = parse_rejected("01 000000 00000001 80 000000 0000000d 0000000c", TS_E_UNSUPPORTED);
	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED);
}
END_TEST

/* NOSKIP is applied to all headers before any value is checked. */
START_TEST(msg_noskip_before_values)
{
	pa_msg_error err = parse_rejected("01 000000 00000001"
					  "00 000000 00000003 0000000c"
					  "80 00abcd 00000001 0000000c",
					  TS_E_UNSUPPORTED);

	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED);
	ck_assert_uint_eq(err.error.attr_vendor, 0x00abcd);
}
END_TEST

START_TEST(msg_unknown_without_noskip_skipped)
{
	size_t len, pos = 0;
	unsigned char *data = test_hex("01 000000 00000001"
				       "7f 00abcd 00000063 0000000e eeee"
				       "00 000000 00000009 00000010 00000000", &len);
	pa_msg *msg = NULL;
	const pa_attr *attr;

	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);
	ck_assert_uint_eq(msg->count, 2);
	ck_assert_ptr_null(msg->attrs[0].info);
	ck_assert_uint_eq(msg->attrs[0].flags, 0x7f);
	ck_assert_uint_eq(msg->attrs[0].value_len, 2);
	ck_assert_ptr_nonnull(msg->attrs[1].info);
	ck_assert_str_eq(msg->attrs[1].info->name, "Assessment Result");
	ck_assert_uint_eq(pa_attr_value_offset(&msg->attrs[1]), 34);

	attr = pa_msg_find(msg, 0, IETF_ATTR_ASSESSMENT_RESULT, &pos);
	ck_assert_ptr_eq(attr, &msg->attrs[1]);
	ck_assert_uint_eq(pos, 1);
	pos++;
	ck_assert_ptr_null(pa_msg_find(msg, 0, IETF_ATTR_ASSESSMENT_RESULT, &pos));
	pa_msg_free(msg);
	free(data);
}
END_TEST

START_TEST(msg_attribute_limit)
{
	size_t len;
	unsigned char *data = test_hex("01 000000 00000001"
				       "00 000000 0000000b 00000010 00000000"
				       "00 000000 0000000c 00000010 00000000"
				       "00 000000 00000009 00000010 00000000", &len);
	pa_msg_limits limits = { 2 };
	pa_msg *msg = NULL;
	pa_msg_error err;

	ck_assert_int_eq(pa_msg_parse(data, len, &limits, &msg, &err), TS_E_TOO_LARGE);
	ck_assert_ptr_null(msg);
	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_INVALID_PARAMETER);
	ck_assert_uint_eq(err.error.offset, 40);
	limits.max_attrs = 3;
	ck_assert_int_eq(pa_msg_parse(data, len, &limits, &msg, &err), TS_OK);
	ck_assert_uint_eq(msg->count, 3);
	pa_msg_free(msg);
	free(data);
}
END_TEST

/* No error is sent in reply to a message that carries an error. */
START_TEST(msg_error_not_answered)
{
	pa_msg_error err = parse_rejected("01 000000 00000001"
					  "00 000000 00000008 00000018 00000000 00000001 00000000"
					  "80 00abcd 00000063 0000000c",
					  TS_E_UNSUPPORTED);
	uint8_t *reply = NULL;
	size_t len = 0;

	ck_assert(!err.may_reply);
	ck_assert_int_eq(pa_msg_build_error_reply(&err, 1, 4096, &reply, &len), TS_E_STATE);
	ck_assert_ptr_null(reply);
}
END_TEST

START_TEST(msg_invalid_parameter_reply)
{
	pa_msg_error err = parse_rejected("01 000000 11223344 00 000000 00000009 0000000b",
					  TS_E_INVALID);
	size_t len, expected_len;
	uint8_t *reply;
	unsigned char *expected;

	ck_assert_int_eq(pa_msg_build_error_reply(&err, 2, 4096, &reply, &len), TS_OK);
	expected = test_hex("01 000000 00000002"
			    "00 000000 00000008 00000020"
			    "00 000000 00000001 01000000 11223344 00000010", &expected_len);
	ck_assert_uint_eq(len, expected_len);
	ck_assert_mem_eq(reply, expected, len);
	free(reply);
	free(expected);

	/* The reply does not fit into 39 octets. */
	ck_assert_int_eq(pa_msg_build_error_reply(&err, 2, 39, &reply, &len), TS_E_TOO_LARGE);
}
END_TEST

/* Errors that a handler finds after the message was accepted. */
START_TEST(msg_handler_errors)
{
	size_t len;
	unsigned char *data = test_read_file(test_data_path(IMC_OS_MSG), &len);
	pa_msg *msg = NULL;
	pa_msg_error err;
	uint8_t *reply;
	size_t reply_len, expected_len;
	unsigned char *expected;

	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);

	/* The Product Name of attribute 0 starts at 8 + 12 + 5 = 25. */
	pa_msg_error_invalid_parameter(msg, pa_attr_value_offset(&msg->attrs[0]) + 5, "Product Name",
				       &err);
	ck_assert_int_eq(pa_msg_build_error_reply(&err, 3, 4096, &reply, &reply_len), TS_OK);
	expected = test_hex("01 000000 00000003"
			    "00 000000 00000008 00000020"
			    "00 000000 00000001 01000000 1cec195c 00000019", &expected_len);
	ck_assert_uint_eq(reply_len, expected_len);
	ck_assert_mem_eq(reply, expected, reply_len);
	free(reply);
	free(expected);

	pa_msg_error_attr_not_supported(msg, &msg->attrs[6], &err);
	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED);
	ck_assert_uint_eq(err.error.attr_flags, 0);
	ck_assert_uint_eq(err.error.attr_vendor, PA_VENDOR_ITA);
	ck_assert_uint_eq(err.error.attr_type, 8);
	ck_assert_mem_eq(err.error.msg_info, data, 8);
	ck_assert(err.may_reply);
	pa_msg_free(msg);
	free(data);

	/* A message that carries a PA-TNC Error gets no error in reply. */
	data = test_hex("01 000000 00000001"
			"00 000000 00000008 00000020 00000000 00000001 01000000 00000002 00000010", &len);
	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, NULL), TS_OK);
	pa_msg_error_invalid_parameter(msg, 8, "test", &err);
	ck_assert(!err.may_reply);
	pa_msg_free(msg);
	free(data);
}
END_TEST

START_TEST(builder_size_limit)
{
	static const uint8_t zero[4] = { 0 };
	pa_msg_builder b;
	uint8_t *out;
	size_t len;
	unsigned char *expected;
	size_t expected_len;

	/* Room for the header and one 16-octet attribute, one octet short of two. */
	ck_assert_int_eq(pa_msg_builder_init(&b, 7, 8 + 16 + 15), TS_OK);
	ck_assert_int_eq(pa_msg_builder_add(&b, 0, 0, IETF_ATTR_FORWARDING_ENABLED, zero, 4), TS_OK);
	ck_assert_int_eq(pa_msg_builder_add(&b, 0, 0, IETF_ATTR_ASSESSMENT_RESULT, zero, 4),
			 TS_E_TOO_LARGE);
	ck_assert_uint_eq(pa_msg_builder_count(&b), 1);
	ck_assert_uint_eq(pa_msg_builder_len(&b), 24);
	/* The builder still works after the failed attribute. */
	ck_assert_int_eq(pa_msg_builder_add(&b, PA_ATTR_FLAG_NOSKIP, 0, 1, NULL, 0), TS_OK);
	ck_assert_int_eq(pa_msg_builder_finish(&b, &out, &len), TS_OK);
	expected = test_hex("01 000000 00000007 00 000000 0000000b 00000010 00000000"
			    "80 000000 00000001 0000000c", &expected_len);
	ck_assert_uint_eq(len, expected_len);
	ck_assert_mem_eq(out, expected, len);
	free(out);
	free(expected);
	pa_msg_builder_free(&b);

	ck_assert_int_eq(pa_msg_builder_init(&b, 7, 7), TS_E_TOO_LARGE);
}
END_TEST

START_TEST(builder_misuse)
{
	pa_msg_builder b;
	writer_t *w;
	uint8_t *out;
	size_t len;

	ck_assert_int_eq(pa_msg_builder_init(&b, 1, 1024), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, PA_VENDOR_RESERVED, 1, &w), TS_E_INVALID);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0x1000000, 1, &w), TS_E_INVALID);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, PA_TYPE_RESERVED, &w), TS_E_INVALID);
	ck_assert_int_eq(pa_msg_builder_attr_end(&b), TS_E_STATE);

	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, 9, &w), TS_OK);
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, 9, &w), TS_E_STATE);
	ck_assert_int_eq(pa_msg_builder_finish(&b, &out, &len), TS_E_STATE);
	writer_u32(w, 99);
	pa_msg_builder_attr_cancel(&b);
	ck_assert_uint_eq(pa_msg_builder_len(&b), 8);
	ck_assert_uint_eq(pa_msg_builder_count(&b), 0);

	/* A failing encoder inside an attribute: the attribute is dropped. */
	ck_assert_int_eq(pa_msg_builder_attr_begin(&b, 0, 0, 3, &w), TS_OK);
	writer_u24(w, 0x1000000);
	ck_assert_int_eq(pa_msg_builder_attr_end(&b), TS_E_INVALID);
	ck_assert_uint_eq(pa_msg_builder_len(&b), 8);
	ck_assert_int_eq(pa_msg_builder_finish(&b, &out, &len), TS_OK);
	ck_assert_uint_eq(len, 8);
	ck_assert_mem_eq(out, "\x01\x00\x00\x00\x00\x00\x00\x01", 8);
	free(out);
	pa_msg_builder_free(&b);
}
END_TEST

START_TEST(msg_new_id_random)
{
	uint32_t a = 0, b = 0;

	ck_assert_int_eq(pa_msg_new_id(&a), TS_OK);
	ck_assert_int_eq(pa_msg_new_id(&b), TS_OK);
	/* Fails with probability 2^-32. */
	ck_assert_uint_ne(a, b);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pa_msg");
	TCase *parse = tcase_create("parse");
	TCase *build = tcase_create("build");

	tcase_add_test(parse, msg_strongswan_imc_os);
	tcase_add_test(parse, msg_every_truncation);
	tcase_add_test(parse, msg_empty_is_valid);
	tcase_add_test(parse, msg_reserved_header_octets_ignored);
	tcase_add_test(parse, msg_wrong_version);
	tcase_add_test(parse, msg_bad_headers);
	tcase_add_test(parse, msg_wrong_fixed_length);
	tcase_add_test(parse, msg_bad_layout_offset);
	tcase_add_test(parse, msg_oversized_value);
	tcase_add_test(parse, msg_unknown_noskip);
	tcase_add_test(parse, msg_noskip_before_values);
	tcase_add_test(parse, msg_unknown_without_noskip_skipped);
	tcase_add_test(parse, msg_attribute_limit);
	tcase_add_test(parse, msg_error_not_answered);
	tcase_add_test(parse, msg_bad_error_attr_not_answered);
	tcase_add_test(parse, msg_invalid_parameter_reply);
	tcase_add_test(parse, msg_handler_errors);
	suite_add_tcase(s, parse);

	tcase_add_test(build, msg_builder_reproduces_strongswan);
	tcase_add_test(build, builder_size_limit);
	tcase_add_test(build, builder_misuse);
	tcase_add_test(build, msg_new_id_random);
	suite_add_tcase(s, build);
	return s;
}

TEST_MAIN()
