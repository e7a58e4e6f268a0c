/*
 * PB-TNC messages: every message type written byte for byte as laid out by
 * hand from RFC 5793 section 4 (and the TCG PB-PDP-Referral layout), parsed
 * back, and every message rule violation with its PB-Error code and offset.
 */
#include "test_util.h"
#include "pb_batch.h"

/* ---- Round trips ---- */

/* Writes msg, compares with the hand-made hex, parses it back as `receiver` in a `batch_type` batch. */
static void write_and_parse(const pb_msg *msg, const char *expected_hex, pb_role receiver,
			    pb_batch_type batch_type, pb_msg *parsed, pb_msg_verdict *verdict,
			    unsigned char **bytes)
{
	size_t len;
	unsigned char *want = test_hex(expected_hex, &len);
	writer_t w;
	reader_t r;
	pb_error_msg err;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_msg_write(&w, msg), TS_OK);
	ck_assert_uint_eq(writer_len(&w), len);
	ck_assert_mem_eq(writer_data(&w), want, len);
	writer_free(&w);

	reader_init(&r, want, len);
	ck_assert_int_eq(pb_msg_parse(&r, receiver, batch_type, parsed, verdict, &err), TS_OK);
	ck_assert_uint_eq(reader_remaining(&r), 0);
	ck_assert_uint_eq(parsed->vendor_id, msg->vendor_id);
	ck_assert_uint_eq(parsed->type, msg->type);
	ck_assert_uint_eq(parsed->offset, 0);
	*bytes = want;
}

START_TEST(msg_experimental_round_trip)
{
	static const uint8_t value[] = { 0xab, 0xcd };
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;
	reader_t r;
	pb_error_msg err;

	pb_msg_init_experimental(&m, false, value, sizeof(value));
	write_and_parse(&m, "00 000000 00000000 0000000e abcd", PB_ROLE_SERVER, PB_BATCH_CDATA,
			&p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_SKIP);
	ck_assert_uint_eq(p.value_len, 2);
	free(bytes);

	/* With NOSKIP the receiver cannot skip it. */
	pb_msg_init_experimental(&m, true, value, sizeof(value));
	{
		writer_t w;
		size_t len;
		unsigned char *want = test_hex("80 000000 00000000 0000000e abcd", &len);

		writer_init(&w, SIZE_MAX);
		ck_assert_int_eq(pb_msg_write(&w, &m), TS_OK);
		ck_assert_mem_eq(writer_data(&w), want, len);
		reader_init(&r, writer_data(&w), writer_len(&w));
		ck_assert_int_eq(pb_msg_parse(&r, PB_ROLE_SERVER, PB_BATCH_CDATA, &p, &verdict, &err),
				 TS_E_PROTOCOL);
		ck_assert_uint_eq(err.code, PB_ERROR_UNSUPPORTED_MANDATORY_MSG);
		ck_assert_uint_eq(err.offset, 0);
		ck_assert_uint_eq(reader_remaining(&r), len);
		writer_free(&w);
		free(want);
	}
}
END_TEST

START_TEST(msg_pa_round_trip)
{
	static const uint8_t body[] = { 0x01, 0x00, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44 };
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;

	pb_msg_init_pa(&m, true, 0x005597, 1, 2, 3, body, sizeof(body));
	write_and_parse(&m, "80 000000 00000001 00000020  80 005597 00000001 0002 0003  01000000 11223344",
			PB_ROLE_SERVER, PB_BATCH_CDATA, &p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_ACCEPT);
	ck_assert_uint_eq(p.flags, PB_MSG_FLAG_NOSKIP);
	ck_assert_int_eq(p.pa.excl, true);
	ck_assert_uint_eq(p.pa.vendor_id, 0x005597);
	ck_assert_uint_eq(p.pa.subtype, 1);
	ck_assert_uint_eq(p.pa.collector_id, 2);
	ck_assert_uint_eq(p.pa.validator_id, 3);
	ck_assert_uint_eq(p.pa.body_len, sizeof(body));
	ck_assert_mem_eq(p.pa.body, body, sizeof(body));
	free(bytes);

	/* EXCL clear, no body: the shortest PB-PA (24 octets). */
	pb_msg_init_pa(&m, false, 0, 1, 1, PB_PA_ID_ANY, NULL, 0);
	write_and_parse(&m, "80 000000 00000001 00000018  00 000000 00000001 0001 ffff",
			PB_ROLE_SERVER, PB_BATCH_CDATA, &p, &verdict, &bytes);
	ck_assert_int_eq(p.pa.excl, false);
	ck_assert_uint_eq(p.pa.validator_id, PB_PA_ID_ANY);
	ck_assert_uint_eq(p.pa.body_len, 0);
	free(bytes);
}
END_TEST

START_TEST(msg_assessment_result_round_trip)
{
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;

	pb_msg_init_assessment_result(&m, PB_ASSESSMENT_ERROR);
	write_and_parse(&m, "80 000000 00000002 00000010 00000003", PB_ROLE_CLIENT, PB_BATCH_RESULT,
			&p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_ACCEPT);
	ck_assert_uint_eq(p.assessment_result, 3);
	free(bytes);
}
END_TEST

START_TEST(msg_access_recommendation_round_trip)
{
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;

	pb_msg_init_access_recommendation(&m, PB_ACCESS_QUARANTINED);
	write_and_parse(&m, "00 000000 00000003 00000010 0000 0003", PB_ROLE_CLIENT, PB_BATCH_RESULT,
			&p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_ACCEPT);
	ck_assert_uint_eq(p.access_recommendation, 3);
	free(bytes);
}
END_TEST

START_TEST(msg_remediation_uri_round_trip)
{
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;

	pb_msg_init_remediation_uri(&m, "http://a/", 9);
	write_and_parse(&m, "00 000000 00000004 0000001d 00 000000 00000001 687474703a2f2f612f",
			PB_ROLE_CLIENT, PB_BATCH_RESULT, &p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_ACCEPT);
	ck_assert_uint_eq(p.remediation.vendor_id, 0);
	ck_assert_uint_eq(p.remediation.type, PB_REMEDIATION_URI);
	ck_assert_uint_eq(p.remediation.params_len, 9);
	ck_assert_mem_eq(p.remediation.params, "http://a/", 9);
	free(bytes);
}
END_TEST

START_TEST(msg_remediation_string_round_trip)
{
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;

	pb_msg_init_remediation_string(&m, "fix", 3, "en", 2);
	write_and_parse(&m, "00 000000 00000004 0000001e 00 000000 00000002 00000003 666978 02 656e",
			PB_ROLE_CLIENT, PB_BATCH_SDATA, &p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_ACCEPT);
	ck_assert_uint_eq(p.remediation.type, PB_REMEDIATION_STRING);
	ck_assert_uint_eq(p.remediation.text_len, 3);
	ck_assert_mem_eq(p.remediation.text, "fix", 3);
	ck_assert_uint_eq(p.remediation.lang_len, 2);
	ck_assert_mem_eq(p.remediation.lang, "en", 2);
	ck_assert_uint_eq(p.remediation.params_len, 10);
	free(bytes);
}
END_TEST

START_TEST(msg_error_round_trip)
{
	static const uint8_t params[] = { 0xaa, 0xbb };
	pb_error_msg e;
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;

	/* A non-fatal Invalid Parameter. */
	pb_msg_error_invalid_parameter(&e, 0x1234, "test");
	e.fatal = false;
	pb_msg_init_error(&m, &e);
	write_and_parse(&m, "80 000000 00000005 00000018 00 000000 0001 0000 00001234",
			PB_ROLE_SERVER, PB_BATCH_CDATA, &p, &verdict, &bytes);
	ck_assert_int_eq(p.error.fatal, false);
	ck_assert_uint_eq(p.error.code, PB_ERROR_INVALID_PARAMETER);
	ck_assert_int_eq(p.error.has_offset, true);
	ck_assert_uint_eq(p.error.offset, 0x1234);
	ck_assert_ptr_null(p.error.detail);
	free(bytes);

	pb_msg_error_local(&e, "test");
	pb_msg_init_error(&m, &e);
	write_and_parse(&m, "80 000000 00000005 00000014 80 000000 0002 0000",
			PB_ROLE_CLIENT, PB_BATCH_CLOSE, &p, &verdict, &bytes);
	ck_assert_int_eq(p.error.fatal, true);
	ck_assert_uint_eq(p.error.code, PB_ERROR_LOCAL_ERROR);
	ck_assert_int_eq(p.error.has_offset, false);
	free(bytes);

	pb_msg_error_unsupported_mandatory(&e, 8, "test");
	pb_msg_init_error(&m, &e);
	write_and_parse(&m, "80 000000 00000005 00000018 80 000000 0003 0000 00000008",
			PB_ROLE_CLIENT, PB_BATCH_CLOSE, &p, &verdict, &bytes);
	ck_assert_uint_eq(p.error.code, PB_ERROR_UNSUPPORTED_MANDATORY_MSG);
	ck_assert_uint_eq(p.error.offset, 8);
	free(bytes);

	pb_msg_error_version_not_supported(&e, 7);
	pb_msg_init_error(&m, &e);
	write_and_parse(&m, "80 000000 00000005 00000018 80 000000 0004 0000 07 02 02 00",
			PB_ROLE_CLIENT, PB_BATCH_CLOSE, &p, &verdict, &bytes);
	ck_assert_uint_eq(p.error.bad_version, 7);
	ck_assert_uint_eq(p.error.max_version, 2);
	ck_assert_uint_eq(p.error.min_version, 2);
	free(bytes);

	/* A vendor-specific code keeps its parameters raw. */
	memset(&e, 0, sizeof(e));
	e.fatal = true;
	e.vendor_id = 0x00902a;
	e.code = 7;
	e.params = params;
	e.params_len = sizeof(params);
	pb_msg_init_error(&m, &e);
	write_and_parse(&m, "80 000000 00000005 00000016 80 00902a 0007 0000 aabb",
			PB_ROLE_CLIENT, PB_BATCH_CLOSE, &p, &verdict, &bytes);
	ck_assert_uint_eq(p.error.vendor_id, 0x00902a);
	ck_assert_uint_eq(p.error.code, 7);
	ck_assert_uint_eq(p.error.params_len, 2);
	ck_assert_mem_eq(p.error.params, params, 2);
	free(bytes);
}
END_TEST

START_TEST(msg_language_preference_round_trip)
{
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;

	pb_msg_init_language_preference(&m, "Accept-Language: fr, en", 23);
	write_and_parse(&m, "00 000000 00000006 00000023 "
			"4163636570742d4c616e67756167653a2066722c20656e",
			PB_ROLE_SERVER, PB_BATCH_CDATA, &p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_ACCEPT);
	ck_assert_uint_eq(p.value_len, 23);
	ck_assert_mem_eq(p.value, "Accept-Language: fr, en", 23);
	free(bytes);

	/* The RFC's zero-length "no preference". */
	pb_msg_init_language_preference(&m, "", 0);
	write_and_parse(&m, "00 000000 00000006 0000000c", PB_ROLE_SERVER, PB_BATCH_CDATA,
			&p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_ACCEPT);
	ck_assert_uint_eq(p.value_len, 0);
	free(bytes);
}
END_TEST

START_TEST(msg_reason_string_round_trip)
{
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;

	pb_msg_init_reason_string(&m, "bad", 3, "de", 2);
	write_and_parse(&m, "00 000000 00000007 00000016 00000003 626164 02 6465",
			PB_ROLE_CLIENT, PB_BATCH_RESULT, &p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_ACCEPT);
	ck_assert_uint_eq(p.reason.text_len, 3);
	ck_assert_mem_eq(p.reason.text, "bad", 3);
	ck_assert_uint_eq(p.reason.lang_len, 2);
	ck_assert_mem_eq(p.reason.lang, "de", 2);
	free(bytes);

	/* Unknown language: Lang Code Len 0. */
	pb_msg_init_reason_string(&m, "x", 1, NULL, 0);
	write_and_parse(&m, "00 000000 00000007 00000012 00000001 78 00",
			PB_ROLE_CLIENT, PB_BATCH_RESULT, &p, &verdict, &bytes);
	ck_assert_uint_eq(p.reason.lang_len, 0);
	free(bytes);
}
END_TEST

START_TEST(msg_pdp_referral_round_trip)
{
	static const uint8_t v4[4] = { 127, 0, 0, 1 };
	static const uint8_t v6[16] = { [15] = 1 };
	pb_msg m, p;
	pb_msg_verdict verdict;
	unsigned char *bytes;

	pb_msg_init_pdp_referral_fqdn(&m, 0, 271, "pdp.example", 11);
	write_and_parse(&m, "00 005597 00000001 00000023 00 005597 00000000 00 00 010f "
			"7064702e6578616d706c65", PB_ROLE_CLIENT, PB_BATCH_SDATA, &p, &verdict, &bytes);
	ck_assert_int_eq(verdict, PB_MSG_ACCEPT);
	ck_assert_uint_eq(p.pdp_referral.id_vendor, 0x005597);
	ck_assert_uint_eq(p.pdp_referral.id_type, PB_PDP_ID_FQDN);
	ck_assert_uint_eq(p.pdp_referral.protocol, 0);
	ck_assert_uint_eq(p.pdp_referral.port, 271);
	ck_assert_uint_eq(p.pdp_referral.fqdn_len, 11);
	ck_assert_mem_eq(p.pdp_referral.fqdn, "pdp.example", 11);
	ck_assert_uint_eq(p.pdp_referral.id_len, 15);
	free(bytes);

	pb_msg_init_pdp_referral_ipv4(&m, 0, 271, v4);
	write_and_parse(&m, "00 005597 00000001 0000001c 00 005597 00000001 00 00 010f 7f000001",
			PB_ROLE_CLIENT, PB_BATCH_SDATA, &p, &verdict, &bytes);
	ck_assert_uint_eq(p.pdp_referral.id_type, PB_PDP_ID_IPV4);
	ck_assert_mem_eq(p.pdp_referral.addr, v4, 4);
	free(bytes);

	pb_msg_init_pdp_referral_ipv6(&m, 0, 271, v6);
	write_and_parse(&m, "00 005597 00000001 00000028 00 005597 00000002 00 00 010f "
			"00000000 00000000 00000000 00000001",
			PB_ROLE_CLIENT, PB_BATCH_SDATA, &p, &verdict, &bytes);
	ck_assert_uint_eq(p.pdp_referral.id_type, PB_PDP_ID_IPV6);
	ck_assert_mem_eq(p.pdp_referral.addr, v6, 16);
	free(bytes);
}
END_TEST

/* Values the RFC forbids to send are rejected and leave the writer alone. */
START_TEST(msg_write_rejects_invalid)
{
	pb_msg msgs[12];
	pb_error_msg e;
	writer_t w;
	size_t n = 0;

	pb_msg_init_assessment_result(&msgs[n++], 5);
	pb_msg_init_access_recommendation(&msgs[n++], 0);
	pb_msg_init_access_recommendation(&msgs[n++], 4);
	pb_msg_init_reason_string(&msgs[n++], "", 0, "en", 2);
	pb_msg_init_reason_string(&msgs[n++], "a\0b", 3, "en", 2);
	pb_msg_init_reason_string(&msgs[n++], "ab", 2, "e\0", 2);
	pb_msg_init_pa(&msgs[n++], false, PB_VENDOR_RESERVED, 1, 1, 1, NULL, 0);
	pb_msg_init_pa(&msgs[n++], false, 0, PB_PA_SUBTYPE_RESERVED, 1, 1, NULL, 0);
	pb_msg_init_remediation_uri(&msgs[n++], "", 0);
	pb_msg_init_pdp_referral_fqdn(&msgs[n++], 0, 271, "", 0);
	pb_msg_error_local(&e, "test");
	e.vendor_id = 0x1000000;  /* does not fit 24 bits */
	pb_msg_init_error(&msgs[n++], &e);
	pb_msg_init_experimental(&msgs[n], false, NULL, 0);
	msgs[n++].type = PB_MSG_TYPE_RESERVED;

	for (size_t i = 0; i < n; i++) {
		writer_init(&w, SIZE_MAX);
		ck_assert_msg(pb_msg_write(&w, &msgs[i]) == TS_E_INVALID, "invalid message %zu was written", i);
		ck_assert_uint_eq(writer_len(&w), 0);
		ck_assert_int_eq(writer_status(&w), TS_OK);
		writer_free(&w);
	}
}
END_TEST

/* ---- Violations in received messages ---- */

typedef struct msg_case {
	const char *name;
	pb_role receiver;
	pb_batch_type batch_type;
	const char *msgs;        /* hex of the messages after the 8-octet batch header */
	uint16_t code;
	uint32_t offset;         /* from the first octet of the batch */
} msg_case;

#define C PB_ROLE_CLIENT
#define S PB_ROLE_SERVER
#define INV PB_ERROR_INVALID_PARAMETER
#define UMM PB_ERROR_UNSUPPORTED_MANDATORY_MSG
#define AR_OK "80 000000 00000002 00000010 00000000"

static const msg_case msg_cases[] = {
	/* Message header */
	{ "truncated header", S, PB_BATCH_CDATA, "00 0000", INV, 8 },
	{ "length below 12", S, PB_BATCH_CDATA, "00 000000 00000006 0000000b", INV, 16 },
	{ "length beyond the batch", S, PB_BATCH_CDATA, "00 000000 00000006 00000010", INV, 16 },
	{ "huge length", S, PB_BATCH_CDATA, "00 000000 00000006 ffffffff", INV, 16 },
	{ "reserved vendor", S, PB_BATCH_CDATA, "00 ffffff 00000001 0000000c", INV, 9 },
	{ "reserved type", S, PB_BATCH_CDATA, "00 000000 ffffffff 0000000c", INV, 12 },
	/* NOSKIP on types the receiver does not know */
	{ "unknown IETF type with NOSKIP", S, PB_BATCH_CDATA, "80 000000 00000008 0000000c", UMM, 8 },
	{ "experimental with NOSKIP", S, PB_BATCH_CDATA, "80 000000 00000000 0000000d ee", UMM, 8 },
	{ "unknown vendor type with NOSKIP second", S, PB_BATCH_CDATA,
	  "00 000000 00000006 0000000c  80 00902a 00000001 0000000c", UMM, 20 },
	{ "NOSKIP message after a bad one", S, PB_BATCH_CDATA,
	  "80 000000 00000008 0000000c  00 000000 ffffffff 0000000c", UMM, 8 },
	/* NOSKIP flag against the rule of the type */
	{ "PB-PA without NOSKIP", S, PB_BATCH_CDATA, "00 000000 00000001 00000018 00 000000 00000001 0001 ffff",
	  INV, 8 },
	{ "Assessment-Result without NOSKIP", C, PB_BATCH_RESULT, "00 000000 00000002 00000010 00000000", INV, 8 },
	{ "Access-Recommendation with NOSKIP", C, PB_BATCH_SDATA, "80 000000 00000003 00000010 0000 0001",
	  INV, 8 },
	{ "Remediation with NOSKIP", C, PB_BATCH_SDATA,
	  "80 000000 00000004 00000015 00 000000 00000001 61", INV, 8 },
	{ "Error without NOSKIP", C, PB_BATCH_CLOSE, "00 000000 00000005 00000014 80 000000 0002 0000", INV, 8 },
	{ "Language-Preference with NOSKIP", S, PB_BATCH_CDATA, "80 000000 00000006 0000000c", INV, 8 },
	{ "Reason-String with NOSKIP", C, PB_BATCH_SDATA, "80 000000 00000007 00000012 00000001 78 00", INV, 8 },
	{ "PDP-Referral with NOSKIP", C, PB_BATCH_SDATA,
	  "80 005597 00000001 0000001c 00 005597 00000001 00 00 010f 7f000001", INV, 8 },
	/* Length rules of the types */
	{ "PB-PA of 23 octets", S, PB_BATCH_CDATA, "80 000000 00000001 00000017 00 000000 00000001 0001 ff", INV, 16 },
	{ "Assessment-Result of 17 octets", C, PB_BATCH_RESULT, "80 000000 00000002 00000011 00000000 00", INV, 16 },
	{ "Assessment-Result of 15 octets", C, PB_BATCH_RESULT, "80 000000 00000002 0000000f 000000", INV, 16 },
	{ "Access-Recommendation of 17 octets", C, PB_BATCH_RESULT,
	  AR_OK "00 000000 00000003 00000011 0000 0001 00", INV, 32 },
	{ "Remediation of 19 octets", C, PB_BATCH_SDATA, "00 000000 00000004 00000013 00 000000 000000", INV, 16 },
	{ "Error of 19 octets", C, PB_BATCH_CLOSE, "80 000000 00000005 00000013 80 000000 0002 00", INV, 16 },
	{ "Reason-String of 16 octets", C, PB_BATCH_RESULT, AR_OK "00 000000 00000007 00000010 00000000",
	  INV, 32 },
	{ "PDP-Referral of 19 octets", C, PB_BATCH_SDATA, "00 005597 00000001 00000013 00 005597 000000", INV, 16 },
	/* Types only a server may send, received by a server */
	{ "server receives Assessment-Result", S, PB_BATCH_CDATA, AR_OK, INV, 12 },
	{ "server receives Access-Recommendation", S, PB_BATCH_CDATA, "00 000000 00000003 00000010 0000 0001",
	  INV, 12 },
	{ "server receives Remediation", S, PB_BATCH_CDATA, "00 000000 00000004 00000015 00 000000 00000001 61",
	  INV, 12 },
	{ "server receives Reason-String", S, PB_BATCH_CDATA, "00 000000 00000007 00000012 00000001 78 00",
	  INV, 12 },
	/* Values */
	{ "Assessment-Result 5", C, PB_BATCH_RESULT, "80 000000 00000002 00000010 00000005", INV, 20 },
	{ "Access-Recommendation 0", C, PB_BATCH_RESULT, AR_OK "00 000000 00000003 00000010 0000 0000", INV, 38 },
	{ "Access-Recommendation 4", C, PB_BATCH_RESULT, AR_OK "00 000000 00000003 00000010 0000 0004", INV, 38 },
	{ "PB-PA reserved vendor", S, PB_BATCH_CDATA, "80 000000 00000001 00000018 00 ffffff 00000001 0001 ffff",
	  INV, 21 },
	{ "PB-PA reserved subtype", S, PB_BATCH_CDATA, "80 000000 00000001 00000018 00 000000 ffffffff 0001 ffff",
	  INV, 24 },
	{ "empty Reason-String", C, PB_BATCH_RESULT, AR_OK "00 000000 00000007 00000011 00000000 00", INV, 36 },
	{ "NUL in Reason-String", C, PB_BATCH_RESULT, AR_OK "00 000000 00000007 00000014 00000002 6100 01 65",
	  INV, 40 },
	{ "NUL in Reason-String language", C, PB_BATCH_RESULT, AR_OK "00 000000 00000007 00000013 00000001 61 01 00",
	  INV, 42 },
	{ "Reason-String longer than its fields", C, PB_BATCH_RESULT,
	  AR_OK "00 000000 00000007 00000013 00000001 61 00 ff", INV, 32 },
	{ "Reason-String length past the message", C, PB_BATCH_RESULT,
	  AR_OK "00 000000 00000007 00000013 0000000a 61 00 00", INV, 36 },
	{ "Reason-String language past the message", C, PB_BATCH_RESULT,
	  AR_OK "00 000000 00000007 00000012 00000001 61 05", INV, 41 },
	{ "NUL in Remediation string", C, PB_BATCH_SDATA,
	  "00 000000 00000004 0000001b 00 000000 00000002 00000002 6100 00", INV, 32 },
	{ "Remediation string longer than its fields", C, PB_BATCH_SDATA,
	  "00 000000 00000004 0000001c 00 000000 00000002 00000002 6161 00 ff", INV, 16 },
	{ "empty Remediation URI", C, PB_BATCH_SDATA, "00 000000 00000004 00000014 00 000000 00000001", INV, 16 },
	{ "Invalid Parameter error without offset", C, PB_BATCH_CLOSE,
	  "80 000000 00000005 00000014 80 000000 0001 0000", INV, 16 },
	{ "Unsupported Mandatory error with 5 octets", C, PB_BATCH_CLOSE,
	  "80 000000 00000005 00000019 80 000000 0003 0000 00000008 00", INV, 16 },
	{ "Version error with 2 octets", C, PB_BATCH_CLOSE,
	  "80 000000 00000005 00000016 80 000000 0004 0000 0102", INV, 16 },
	{ "Local Error with 2 octets", C, PB_BATCH_CLOSE,
	  "80 000000 00000005 00000016 80 000000 0002 0000 0000", INV, 16 },
	{ "Language-Preference digit in primary tag", S, PB_BATCH_CDATA,
	  "00 000000 00000006 0000001f 4163636570742d4c616e67756167653a206531", INV, 38 },
	{ "Language-Preference control character", S, PB_BATCH_CDATA,
	  "00 000000 00000006 00000020 4163636570742d4c616e67756167653a20656e01", INV, 39 },
	{ "Language-Preference other header", S, PB_BATCH_CDATA,
	  "00 000000 00000006 00000016 4163636570743a20656e", INV, 20 },
	{ "Language-Preference subtag of 9 letters", S, PB_BATCH_CDATA,
	  "00 000000 00000006 00000026 4163636570742d4c616e67756167653a20616263646566676869", INV, 45 },
	{ "Language-Preference NUL at the end", S, PB_BATCH_CDATA,
	  "00 000000 00000006 00000020 4163636570742d4c616e67756167653a20656e00", INV, 39 },
	{ "PDP-Referral IPv4 of 3 octets", C, PB_BATCH_SDATA,
	  "00 005597 00000001 0000001b 00 005597 00000001 00 00 010f 7f0000", INV, 32 },
	{ "PDP-Referral empty FQDN", C, PB_BATCH_SDATA, "00 005597 00000001 00000018 00 005597 00000000 00 00 010f",
	  INV, 32 },
	{ "PDP-Referral identifier of 2 octets", C, PB_BATCH_SDATA,
	  "00 005597 00000001 00000016 00 005597 00000000 0000", INV, 28 },
};

/* Wraps message hex into a batch from the peer of `receiver`, with a computed Batch Length. */
static unsigned char *make_batch(pb_role receiver, pb_batch_type type, const char *msgs_hex, size_t *len)
{
	size_t mlen;
	unsigned char *msgs = test_hex(msgs_hex, &mlen);
	unsigned char *batch = malloc(8 + mlen);
	size_t total = 8 + mlen;

	ck_assert_ptr_nonnull(batch);
	batch[0] = 2;
	batch[1] = receiver == PB_ROLE_CLIENT ? 0x80 : 0x00;
	batch[2] = 0;
	batch[3] = (unsigned char)type;
	batch[4] = (unsigned char)(total >> 24);
	batch[5] = (unsigned char)(total >> 16);
	batch[6] = (unsigned char)(total >> 8);
	batch[7] = (unsigned char)total;
	memcpy(batch + 8, msgs, mlen);
	free(msgs);
	*len = total;
	return batch;
}

START_TEST(msg_violations)
{
	const msg_case *c = &msg_cases[_i];
	pb_limits limits;
	pb_batch *batch = NULL;
	pb_error_msg err;
	size_t len;
	unsigned char *data = make_batch(c->receiver, c->batch_type, c->msgs, &len);

	pb_limits_default(&limits);
	memset(&err, 0, sizeof(err));
	ck_assert_msg(pb_batch_parse(data, len, c->receiver, &limits, &batch, &err) == TS_E_PROTOCOL,
		      "case '%s' was accepted", c->name);
	ck_assert_ptr_null(batch);
	ck_assert_msg(err.code == c->code, "case '%s': code %u (%s)", c->name, err.code,
		      err.detail ? err.detail : "");
	ck_assert_msg(err.offset == c->offset, "case '%s': offset %u, expected %u (%s)", c->name, err.offset,
		      c->offset, err.detail ? err.detail : "");
	ck_assert_int_eq(err.has_offset, true);
	ck_assert_int_eq(err.fatal, true);
	ck_assert_ptr_nonnull(err.detail);
	free(data);
}
END_TEST

/* ---- Messages that are accepted or skipped ---- */

/* The received bytes behind the batch parse_ok() returned last; the messages point into them. */
static unsigned char *parsed_data;

static pb_batch *parse_ok(pb_role receiver, pb_batch_type type, const char *msgs_hex)
{
	pb_limits limits;
	pb_batch *batch = NULL;
	pb_error_msg err;
	size_t len;

	parsed_data = make_batch(receiver, type, msgs_hex, &len);
	pb_limits_default(&limits);
	ck_assert_msg(pb_batch_parse(parsed_data, len, receiver, &limits, &batch, &err) == TS_OK,
		      "rejected: %s at offset %u", err.detail ? err.detail : "", err.offset);
	return batch;
}

static void parsed_free(pb_batch *batch)
{
	pb_batch_destroy(batch);
	free(parsed_data);
	parsed_data = NULL;
}

START_TEST(msg_skipped_types)
{
	pb_batch *b;

	/* Unknown vendor and IETF types without NOSKIP, and experimental, are skipped. */
	b = parse_ok(S, PB_BATCH_CDATA, "00 00902a 00000001 0000000d 00  00 000000 00000009 0000000c"
		     "  00 000000 00000000 0000000c");
	ck_assert_uint_eq(b->count, 0);
	ck_assert_uint_eq(b->skipped, 3);
	parsed_free(b);

	/* A client ignores results outside RESULT (RFC 5793 sections 4.6, 4.7). */
	b = parse_ok(C, PB_BATCH_SDATA, AR_OK "00 000000 00000003 00000010 0000 0001");
	ck_assert_uint_eq(b->count, 0);
	ck_assert_uint_eq(b->skipped, 2);
	parsed_free(b);

	/* The message after a skipped one keeps its offset. */
	b = parse_ok(S, PB_BATCH_CDATA, "00 00902a 00000001 0000000d 00  00 000000 00000006 0000000c");
	ck_assert_uint_eq(b->count, 1);
	ck_assert_uint_eq(b->msgs[0].offset, 21);
	parsed_free(b);
}
END_TEST

START_TEST(msg_lenient_receipt)
{
	pb_batch *b;

	/* strongSwan appends an offset to Unexpected Batch Type and Local Error. */
	b = parse_ok(C, PB_BATCH_CLOSE, "80 000000 00000005 00000018 80 000000 0000 0000 00000003");
	ck_assert_uint_eq(b->count, 1);
	ck_assert_uint_eq(b->msgs[0].error.code, PB_ERROR_UNEXPECTED_BATCH_TYPE);
	ck_assert_int_eq(b->msgs[0].error.has_offset, true);
	ck_assert_uint_eq(b->msgs[0].error.offset, 3);
	parsed_free(b);

	/* Reserved flag bits are ignored; so is the reserved field of Access-Recommendation. */
	b = parse_ok(C, PB_BATCH_RESULT, "ff 000000 00000002 00000010 00000000"
		     "7f 000000 00000003 00000010 ffff 0002");
	ck_assert_uint_eq(b->count, 2);
	ck_assert_uint_eq(b->msgs[1].access_recommendation, PB_ACCESS_DENIED);
	parsed_free(b);

	/* Accept-Language without the space strongSwan writes, and in upper case. */
	b = parse_ok(S, PB_BATCH_CDATA, "00 000000 00000006 0000001e 4143434550542d4c414e47554147453a656e");
	ck_assert_uint_eq(b->count, 1);
	parsed_free(b);

	/* An unknown IETF error code and a vendor PDP identifier type are kept raw. */
	b = parse_ok(C, PB_BATCH_CLOSE, "80 000000 00000005 00000016 80 000000 0009 0000 abcd");
	ck_assert_uint_eq(b->msgs[0].error.code, 9);
	ck_assert_uint_eq(b->msgs[0].error.params_len, 2);
	parsed_free(b);
	b = parse_ok(C, PB_BATCH_SDATA, "00 005597 00000001 00000016 00 00902a 00000007 abcd");
	ck_assert_uint_eq(b->msgs[0].pdp_referral.id_vendor, 0x00902a);
	ck_assert_uint_eq(b->msgs[0].pdp_referral.id_len, 2);
	parsed_free(b);
}
END_TEST

START_TEST(msg_names)
{
	ck_assert_str_eq(pb_msg_type_name(0, PB_MSG_PA), "PB-PA");
	ck_assert_str_eq(pb_msg_type_name(0, PB_MSG_REASON_STRING), "PB-Reason-String");
	ck_assert_str_eq(pb_msg_type_name(0, 8), "unknown");
	ck_assert_str_eq(pb_msg_type_name(PB_VENDOR_TCG, 1), "PB-PDP-Referral");
	ck_assert_str_eq(pb_error_code_name(0, PB_ERROR_VERSION_NOT_SUPPORTED), "Version Not Supported");
	ck_assert_str_eq(pb_error_code_name(0, 5), "unknown");
	ck_assert_str_eq(pb_error_code_name(1, 0), "unknown");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pb_msg");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, msg_experimental_round_trip);
	tcase_add_test(tc, msg_pa_round_trip);
	tcase_add_test(tc, msg_assessment_result_round_trip);
	tcase_add_test(tc, msg_access_recommendation_round_trip);
	tcase_add_test(tc, msg_remediation_uri_round_trip);
	tcase_add_test(tc, msg_remediation_string_round_trip);
	tcase_add_test(tc, msg_error_round_trip);
	tcase_add_test(tc, msg_language_preference_round_trip);
	tcase_add_test(tc, msg_reason_string_round_trip);
	tcase_add_test(tc, msg_pdp_referral_round_trip);
	tcase_add_test(tc, msg_write_rejects_invalid);
	tcase_add_loop_test(tc, msg_violations, 0, sizeof(msg_cases) / sizeof(msg_cases[0]));
	tcase_add_test(tc, msg_skipped_types);
	tcase_add_test(tc, msg_lenient_receipt);
	tcase_add_test(tc, msg_names);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
