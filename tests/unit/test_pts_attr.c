/*
 * TCG PTS attribute codecs: byte-exact encodings from the layouts of the TCG
 * PTS IF-M binding (as strongSwan 6.0.6 sends them), round trips, the
 * attributes of a real strongSwan exchange, truncated and off-by-one values.
 */
#include "test_util.h"
#include "test_pts_walk.h"

#include "pts/ita_attr.h"
#include "pts/pts_attr_info.h"
#include "pts/pts_caps.h"
#include "pts/pts_comp.h"
#include "pts/pts_dh.h"
#include "pts/pts_file.h"
#include "pts/pts_meas_algo.h"
#include "pts/pts_sce.h"
#include "pts/pts_sef.h"
#include "pts/pts_tpm.h"
#include "pts/pts_verif.h"
#include "pts/seg_attr.h"

#define TCG PTS_PEN_TCG
#define ITA PTS_PEN_ITA

/* Checks that the writer contains exactly the bytes of `hex`, then frees it. */
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

/* Hex of n bytes counting up from `first`, for nonces and keys. */
static char *hex_run(uint8_t first, size_t n)
{
	char *s = malloc(2 * n + 1);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", (uint8_t)(first + i));
	return s;
}

static uint8_t *bytes_run(uint8_t first, size_t n)
{
	uint8_t *b = malloc(n);

	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(first + i);
	return b;
}

static char *concat(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 1;
	char *s = malloc(n);

	ck_assert_ptr_nonnull(s);
	snprintf(s, n, "%s%s%s", a, b, c ? c : "");
	return s;
}

/* ---- negotiation ---- */

START_TEST(caps_byte_exact)
{
	pts_caps caps = { PTS_PROTO_CAPS_V | PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T }, back;
	writer_t w;
	uint8_t v[] = { 0x00, 0x00, 0x00, 0x0e };
	size_t bad = 99;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_caps_encode(&caps, &w), TS_OK);
	assert_written(&w, "0000000e");
	ck_assert_int_eq(pts_caps_decode(v, sizeof(v), &back, &bad), TS_OK);
	ck_assert_uint_eq(back.flags, 0x000e);
	ck_assert_uint_eq(bad, 99);
}
END_TEST

START_TEST(caps_trailing_rejected)
{
	uint8_t v[] = { 0, 0, 0, 0x1f, 0 };
	pts_caps out = { 0x1234 };
	size_t bad = 0;

	ck_assert_int_eq(pts_caps_decode(v, sizeof(v), &out, &bad), TS_E_TRAILING);
	ck_assert_uint_eq(bad, 4);
	ck_assert_uint_eq(out.flags, 0x1234);
	ck_assert_int_eq(pts_caps_decode(v, 3, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 2);
}
END_TEST

START_TEST(meas_algo_byte_exact)
{
	pts_meas_algo req = { PTS_MEAS_ALGO_SHA1 | PTS_MEAS_ALGO_SHA256 }, sel = { PTS_MEAS_ALGO_SHA384 };
	pts_meas_algo out;
	uint8_t two_bits[] = { 0, 0, 0xc0, 0x00 }, none[] = { 0, 0, 0, 0 };
	size_t bad = 0;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_meas_algo_encode(&req, &w), TS_OK);
	assert_written(&w, "0000c000");
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_meas_algo_selection_encode(&sel, &w), TS_OK);
	assert_written(&w, "00002000");

	ck_assert_int_eq(pts_meas_algo_decode(two_bits, 4, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.algos, 0xc000);
	/* A selection must name exactly one algorithm. */
	ck_assert_int_eq(pts_meas_algo_selection_decode(two_bits, 4, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 2);
	ck_assert_int_eq(pts_meas_algo_selection_decode(none, 4, &out, &bad), TS_E_INVALID);
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_meas_algo_selection_encode(&req, &w), TS_E_INVALID);
	writer_free(&w);
}
END_TEST

START_TEST(dh_params_req_byte_exact)
{
	pts_dh_params_req req = { 17, PTS_DH_GROUP_ECP256 | PTS_DH_GROUP_ECP384 }, out;
	uint8_t v[] = { 0x00, 0x11, 0x18, 0x00 };
	size_t bad;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_dh_params_req_encode(&req, &w), TS_OK);
	assert_written(&w, "00111800");
	ck_assert_int_eq(pts_dh_params_req_decode(v, sizeof(v), &out, &bad), TS_OK);
	ck_assert_uint_eq(out.min_nonce_len, 17);
	ck_assert_uint_eq(out.dh_groups, 0x1800);
}
END_TEST

START_TEST(dh_params_resp_byte_exact)
{
	uint8_t *nonce = bytes_run(0x01, 20), *pub = bytes_run(0x80, 64);
	char *nonce_hex = hex_run(0x01, 20), *pub_hex = hex_run(0x80, 64);
	char *expect = concat("00000014" "1000" "4000", nonce_hex, pub_hex);
	pts_dh_params_resp resp = {
		.dh_group = PTS_DH_GROUP_ECP256,
		.hash_algos = PTS_MEAS_ALGO_SHA256,
		.nonce = { nonce, 20 },
		.pub_value = { pub, 64 },
	};
	pts_dh_params_resp out;
	size_t n, bad = 0;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_dh_params_resp_encode(&resp, &w), TS_OK);
	assert_written(&w, expect);

	v = test_hex(expect, &n);
	ck_assert_int_eq(pts_dh_params_resp_decode(v, n, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.dh_group, PTS_DH_GROUP_ECP256);
	ck_assert_uint_eq(out.hash_algos, PTS_MEAS_ALGO_SHA256);
	ck_assert_uint_eq(out.nonce.len, 20);
	ck_assert_mem_eq(out.nonce.data, nonce, 20);
	ck_assert_uint_eq(out.pub_value.len, 64);
	ck_assert_mem_eq(out.pub_value.data, pub, 64);

	/* A public value of the wrong length for ECP-256, and a nonce length of 0. */
	ck_assert_int_eq(pts_dh_params_resp_decode(v, n - 1, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 28);
	v[3] = 0;
	ck_assert_int_eq(pts_dh_params_resp_decode(v, n, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 3);
	v[3] = 20;
	v[4] = 0x30;  /* two group bits */
	ck_assert_int_eq(pts_dh_params_resp_decode(v, n, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 4);

	free(v);
	free(expect);
	free(nonce_hex);
	free(pub_hex);
	free(nonce);
	free(pub);
}
END_TEST

START_TEST(dh_finish_byte_exact)
{
	uint8_t *nonce = bytes_run(0x40, 20), *pub = bytes_run(0x90, 96);
	char *nonce_hex = hex_run(0x40, 20), *pub_hex = hex_run(0x90, 96);
	char *expect = concat("00" "14" "2000", pub_hex, nonce_hex);
	pts_dh_finish fin = {
		.hash_algo = PTS_MEAS_ALGO_SHA384,
		.pub_value = { pub, 96 },
		.nonce = { nonce, 20 },
	};
	pts_dh_finish out;
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_dh_finish_encode(&fin, &w), TS_OK);
	assert_written(&w, expect);

	v = test_hex(expect, &n);
	ck_assert_int_eq(pts_dh_finish_decode(v, n, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.hash_algo, PTS_MEAS_ALGO_SHA384);
	ck_assert_uint_eq(out.pub_value.len, 96);
	ck_assert_mem_eq(out.pub_value.data, pub, 96);
	ck_assert_uint_eq(out.nonce.len, 20);
	ck_assert_mem_eq(out.nonce.data, nonce, 20);

	/* Only the nonce left: no public value. */
	ck_assert_int_eq(pts_dh_finish_decode(v, 4 + 20, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 4);

	free(v);
	free(expect);
	free(nonce_hex);
	free(pub_hex);
	free(nonce);
	free(pub);
}
END_TEST

/* ---- TPM identity ---- */

START_TEST(reserved_requests_byte_exact)
{
	uint8_t zero[4] = { 0 }, five[5] = { 0 };
	size_t bad = 0;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_tpm_get_version_encode(&w), TS_OK);
	ck_assert_int_eq(pts_tpm_get_aik_encode(&w), TS_OK);
	ck_assert_int_eq(pts_comp_gen_evid_encode(&w), TS_OK);
	assert_written(&w, "00000000 00000000 00000000");

	ck_assert_int_eq(pts_tpm_get_version_decode(zero, 4, &bad), TS_OK);
	ck_assert_int_eq(pts_tpm_get_aik_decode(zero, 4, &bad), TS_OK);
	ck_assert_int_eq(pts_comp_gen_evid_decode(zero, 4, &bad), TS_OK);
	ck_assert_int_eq(pts_tpm_get_aik_decode(five, 5, &bad), TS_E_TRAILING);
	ck_assert_uint_eq(bad, 4);
	ck_assert_int_eq(pts_comp_gen_evid_decode(zero, 3, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

START_TEST(tpm_version2_byte_exact)
{
	pts_tpm_version2 ver = { .locality = 3, .revision = 164, .year = 2021,
				 .manufacturer = { 'I', 'B', 'M', 0 } }, out;
	pts_tpm_version blob;
	pts_bytes info;
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_tpm_version2_encode(&ver, &w), TS_OK);
	assert_written(&w, "0200 00 03 000000a4 000007e5 49424d00");

	v = test_hex("0200 00 03 000000a4 000007e5 49424d00", &n);
	ck_assert_int_eq(pts_tpm_version_decode(v, n, &blob, &bad), TS_OK);
	ck_assert_uint_eq(blob.info.len, 16);
	ck_assert_int_eq(pts_tpm_version2_decode(&blob.info, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.locality, 3);
	ck_assert_uint_eq(out.revision, 164);
	ck_assert_uint_eq(out.year, 2021);
	ck_assert_mem_eq(out.manufacturer, "IBM", 4);

	/* A TPM 1.2 TPM_CAP_VERSION_INFO (tag 0x0030) is not the TPM 2.0 form. */
	v[1] = 0x30;
	v[0] = 0x00;
	ck_assert_int_eq(pts_tpm_version2_decode(&blob.info, &out, &bad), TS_E_UNSUPPORTED);
	v[0] = 0x02;
	v[1] = 0x00;
	info.data = v;
	info.len = 15;
	ck_assert_int_eq(pts_tpm_version2_decode(&info, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 12);
	ck_assert_int_eq(pts_tpm_version_decode(v, 0, &blob, &bad), TS_E_TRUNCATED);
	free(v);
}
END_TEST

START_TEST(aik_both_forms)
{
	static const uint8_t der[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	pts_tpm_aik naked = { true, { der, sizeof(der) } }, cert = { false, { der, sizeof(der) } };
	pts_tpm_aik out;
	uint8_t v[] = { 0x00, 0x30, 0x03 }, only_flags[] = { 0x80 };
	size_t bad;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_tpm_aik_encode(&naked, &w), TS_OK);
	assert_written(&w, "80 3003020105");
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_tpm_aik_encode(&cert, &w), TS_OK);
	assert_written(&w, "00 3003020105");

	ck_assert_int_eq(pts_tpm_aik_decode(v, sizeof(v), &out, &bad), TS_OK);
	ck_assert(!out.naked_key);
	ck_assert_uint_eq(out.blob.len, 2);
	ck_assert_int_eq(pts_tpm_aik_decode(only_flags, 1, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 1);
}
END_TEST

/* ---- evidence ---- */

START_TEST(comp_req_byte_exact)
{
	pts_comp_req_entry e[2] = {
		{ PTS_COMP_REQ_FLAG_P, 0, { ITA, 0, 0x21, PTS_COMP_ITA_IMA } },
		{ 0xF0, 0x000102, { TCG, 0, PTS_COMP_QUAL_WILDCARD, PTS_COMP_TCG_BIOS } },
	};
	pts_comp_req req = { 2, e }, out;
	const char *hex = "10000000 00902a21 00000003  f0000102 0055973f 00000002";
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_comp_req_encode(&req, &w), TS_OK);
	assert_written(&w, hex);

	v = test_hex(hex, &n);
	ck_assert_int_eq(pts_comp_req_decode(v, n, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.count, 2);
	ck_assert_uint_eq(out.entries[1].flags, 0xF0);
	ck_assert_uint_eq(out.entries[1].depth, 0x102);
	ck_assert_uint_eq(out.entries[1].name.vendor, TCG);
	ck_assert_uint_eq(out.entries[1].name.qualifier, 0x3F);
	ck_assert_uint_eq(out.entries[1].name.name, PTS_COMP_TCG_BIOS);
	pts_comp_req_free(&out);

	/* Family bits are kept for the caller (PTS error 8). */
	v[7] = 0x80 | 0x21;
	ck_assert_int_eq(pts_comp_req_decode(v, n, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.entries[0].name.family, 2);
	ck_assert_uint_eq(out.entries[0].name.qualifier, 0x21);
	pts_comp_req_free(&out);

	/* A partial second entry is reported where it starts. */
	ck_assert_int_eq(pts_comp_req_decode(v, n - 1, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 12);
	ck_assert_int_eq(pts_comp_req_decode(v, 0, &out, &bad), TS_E_TRUNCATED);
	free(v);

	req.count = 0;
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_comp_req_encode(&req, &w), TS_E_INVALID);
	writer_free(&w);
}
END_TEST

START_TEST(comp_req_entry_limit)
{
	size_t len = (PTS_COMP_REQ_MAX_ENTRIES + 1) * PTS_COMP_REQ_ENTRY_LEN, bad = 0;
	uint8_t *v = calloc(1, len);
	pts_comp_req out;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(pts_comp_req_decode(v, len, &out, &bad), TS_E_TOO_LARGE);
	ck_assert_uint_eq(bad, PTS_COMP_REQ_MAX_ENTRIES * PTS_COMP_REQ_ENTRY_LEN);
	ck_assert_int_eq(pts_comp_req_decode(v, len - PTS_COMP_REQ_ENTRY_LEN, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.count, PTS_COMP_REQ_MAX_ENTRIES);
	pts_comp_req_free(&out);
	free(v);
}
END_TEST

/* The first Simple Component Evidence of the reference exchange, from its layout. */
#define SCE_FIRST_HEX \
	"00 000000 00902a21 00000003 80 000000 4000 01 00" \
	"323032362d31322d30345431393a33303a34385a" \
	"d0fcf11a32a8fbf5a4e1a58cd74dd2357d07e7503b5b6afd5a7989a98e17be7f"

START_TEST(sce_byte_exact)
{
	size_t mlen;
	uint8_t *meas = test_hex("d0fcf11a32a8fbf5a4e1a58cd74dd2357d07e7503b5b6afd5a7989a98e17be7f",
				 &mlen);
	pts_sce sce = {
		.flags = 0,
		.depth = 0,
		.name = { ITA, 0, 0x21, PTS_COMP_ITA_IMA },
		.meas_type = PTS_SCE_MEAS_TYPE_HASH,
		.extended_pcr = 0,
		.hash_algo = PTS_MEAS_ALGO_SHA256,
		.transform = PTS_SCE_TRANSFORM_MATCH,
		.meas_time = "2026-12-04T19:30:48Z",
		.measurement = { meas, mlen },
	};
	pts_sce out;
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_sce_encode(&sce, &w), TS_OK);
	assert_written(&w, SCE_FIRST_HEX);

	v = test_hex(SCE_FIRST_HEX, &n);
	ck_assert_uint_eq(n, 72);
	ck_assert_int_eq(pts_sce_decode(v, n, &out, &bad), TS_OK);
	ck_assert_str_eq(out.meas_time, "2026-12-04T19:30:48Z");
	ck_assert_uint_eq(out.measurement.len, 32);
	ck_assert_mem_eq(out.measurement.data, meas, 32);
	ck_assert_uint_eq(out.policy_uri.len, 0);
	ck_assert_uint_eq(out.pcr_before.len, 0);

	/* Measurement one octet short or long for SHA-256. */
	ck_assert_int_eq(pts_sce_decode(v, n - 1, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 40);
	free(v);
	v = test_hex(SCE_FIRST_HEX "00", &n);
	ck_assert_int_eq(pts_sce_decode(v, n, &out, &bad), TS_E_TRAILING);
	ck_assert_uint_eq(bad, 72);

	/* Transform 4, an unknown hash and a malformed time are rejected. */
	v[18] = 4;
	ck_assert_int_eq(pts_sce_decode(v, n - 1, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 18);
	v[18] = 1;
	v[16] = 0x03;
	ck_assert_int_eq(pts_sce_decode(v, n - 1, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 16);
	v[16] = 0x40;
	v[24] = '/';
	ck_assert_int_eq(pts_sce_decode(v, n - 1, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 20);
	free(v);
	free(meas);
}
END_TEST

START_TEST(sce_policy_and_pcrs)
{
	static const char uri[] = "sha256:/usr/bin/ls";
	uint8_t *before = bytes_run(0x00, 20), *after = bytes_run(0x20, 20), *meas = bytes_run(0x50, 20);
	char *bh = hex_run(0x00, 20), *ah = hex_run(0x20, 20), *mh = hex_run(0x50, 20);
	pts_sce sce = {
		.flags = PTS_SCE_FLAG_PCR | PTS_SCE_VALIDATION_PASSED,
		.depth = 1,
		.name = { ITA, 0, 0x22, PTS_COMP_ITA_IMA },
		.meas_type = PTS_SCE_MEAS_TYPE_HASH,
		.extended_pcr = 10,
		.hash_algo = PTS_MEAS_ALGO_SHA1,
		.transform = PTS_SCE_TRANSFORM_MATCH,
		.meas_time = PTS_SCE_TIME_UNKNOWN,
		.policy_uri = { (const uint8_t *)uri, sizeof(uri) - 1 },
		.pcr_before = { before, 20 },
		.pcr_after = { after, 20 },
		.measurement = { meas, 20 },
	};
	char head[512], *tail, *expect;
	pts_sce out;
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	/* Fixed part, policy URI (length 18), PCR length 20, before, after, measurement. */
	snprintf(head, sizeof(head),
		 "e0 000001 00902a22 00000003 80 00000a 8000 01 00"
		 "303030302d30302d30305430303a30303a30305a"
		 "0012 7368613235363a2f7573722f62696e2f6c73"
		 "0014 %s", bh);
	tail = concat(ah, mh, NULL);
	expect = concat(head, tail, NULL);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_sce_encode(&sce, &w), TS_OK);
	assert_written(&w, expect);

	v = test_hex(expect, &n);
	ck_assert_int_eq(pts_sce_decode(v, n, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.depth, 1);
	ck_assert_uint_eq(out.extended_pcr, 10);
	ck_assert_uint_eq(out.policy_uri.len, sizeof(uri) - 1);
	ck_assert_mem_eq(out.policy_uri.data, uri, sizeof(uri) - 1);
	ck_assert_uint_eq(out.pcr_before.len, 20);
	ck_assert_mem_eq(out.pcr_before.data, before, 20);
	ck_assert_mem_eq(out.pcr_after.data, after, 20);
	ck_assert_mem_eq(out.measurement.data, meas, 20);

	/* A NUL inside the policy URI is reported at its offset. */
	v[42 + 3] = 0;
	ck_assert_int_eq(pts_sce_decode(v, n, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 45);

	/* A policy URI without validation "failed" or "passed" cannot be encoded. */
	sce.flags = PTS_SCE_FLAG_PCR | PTS_SCE_VALIDATION_UNABLE;
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_sce_encode(&sce, &w), TS_E_INVALID);
	writer_free(&w);

	free(v);
	free(expect);
	free(tail);
	free(bh);
	free(ah);
	free(mh);
	free(before);
	free(after);
	free(meas);
}
END_TEST

/* The Simple Evidence Final of the reference exchange (185 octets). */
#define SEF_HEX \
	"10 00 4000" \
	"00000020 ae59abee4cd55315eb17deeda2cfabb9790ccf6cdc4595ba425f1ab8a5e92467" \
	"0022 000bf6fc7fe44ed5888ec3a3b4936802ac00206954138184dd5f1a70abc6f0599fc7" \
	"0011 000000000004bfcc000000080000000001" \
	"0008 2019102300163636" \
	"000a 00000001000b03ff4300" \
	"00000040 043465655985d5604e8181f2089ab7f10a6202ed1371a9936966bed59c6cf64e" \
	"fcb65729dcf3eba46b5af0f5deec60ec3b0518803bdacdd0986e1adbe5b0d4e0"

START_TEST(sef_byte_exact)
{
	size_t n, len_digest, len_signer, len_clock, len_fw, len_sel, len_sig, bad;
	uint8_t *digest = test_hex("ae59abee4cd55315eb17deeda2cfabb9790ccf6cdc4595ba425f1ab8a5e92467", &len_digest);
	uint8_t *signer = test_hex("000bf6fc7fe44ed5888ec3a3b4936802ac00206954138184dd5f1a70abc6f0599fc7", &len_signer);
	uint8_t *clock = test_hex("000000000004bfcc000000080000000001", &len_clock);
	uint8_t *fw = test_hex("2019102300163636", &len_fw);
	uint8_t *sel = test_hex("00000001000b03ff4300", &len_sel);
	uint8_t *sig = test_hex("043465655985d5604e8181f2089ab7f10a6202ed1371a9936966bed59c6cf64e"
				"fcb65729dcf3eba46b5af0f5deec60ec3b0518803bdacdd0986e1adbe5b0d4e0", &len_sig);
	pts_sef sef = {
		.flags = PTS_SEF_QUOTE_TPM2,
		.comp_hash_algo = PTS_MEAS_ALGO_SHA256,
		.pcr_composite = { digest, len_digest },
		.qualified_signer = { signer, len_signer },
		.clock_info = { clock, len_clock },
		.firmware_version = { fw, len_fw },
		.pcr_select = { sel, len_sel },
		.quote_sig = { sig, len_sig },
	};
	pts_sef out;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_sef_encode(&sef, &w), TS_OK);
	assert_written(&w, SEF_HEX);

	v = test_hex(SEF_HEX, &n);
	ck_assert_uint_eq(n, 185);
	ck_assert_int_eq(pts_sef_decode(v, n, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.flags, 0x10);
	ck_assert_uint_eq(out.comp_hash_algo, 0x4000);
	ck_assert_mem_eq(out.pcr_composite.data, digest, 32);
	ck_assert_uint_eq(out.qualified_signer.len, 34);
	ck_assert_uint_eq(out.clock_info.len, 17);
	ck_assert_uint_eq(out.firmware_version.len, 8);
	ck_assert_uint_eq(out.pcr_select.len, 10);
	ck_assert_uint_eq(out.quote_sig.len, 64);
	ck_assert_mem_eq(out.quote_sig.data, sig, 64);
	ck_assert_uint_eq(out.evid_sig.len, 0);

	/* Signature length one above what is left, and a clock info of 16 octets. */
	v[120] = 0x41;
	ck_assert_int_eq(pts_sef_decode(v, n, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 117);
	v[120] = 0x40;
	v[77] = 0x10;
	ck_assert_int_eq(pts_sef_decode(v, n, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 76);
	v[77] = 0x11;
	/* Quote kind 0x50 does not exist. */
	v[0] = 0x50;
	ck_assert_int_eq(pts_sef_decode(v, n, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 0);

	free(v);
	free(digest);
	free(signer);
	free(clock);
	free(fw);
	free(sel);
	free(sig);
}
END_TEST

START_TEST(sef_tpm12_and_evidence_signature)
{
	static const uint8_t comp[] = { 1, 2, 3 }, sig[] = { 4, 5 }, esig[] = { 6 };
	pts_sef q = {
		.flags = PTS_SEF_QUOTE_INFO2 | PTS_SEF_FLAG_EVID_SIG,
		.comp_hash_algo = PTS_MEAS_ALGO_SHA1,
		.pcr_composite = { comp, 3 },
		.quote_sig = { sig, 2 },
		.evid_sig = { esig, 1 },
	}, none = { .flags = 0 }, out;
	uint8_t v[] = { 0x20, 0x00, 0x00, 0x00 };
	size_t bad;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_sef_encode(&q, &w), TS_OK);
	assert_written(&w, "a0 00 8000 00000003 010203 00000002 0405 06");
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_sef_encode(&none, &w), TS_OK);
	assert_written(&w, "00 00 0000");

	/* The evidence signature flag without a signature. */
	ck_assert_int_eq(pts_sef_decode(v, sizeof(v), &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 4);
	v[0] = 0;
	ck_assert_int_eq(pts_sef_decode(v, sizeof(v), &out, &bad), TS_OK);
	ck_assert_uint_eq(out.quote_sig.len, 0);
}
END_TEST

START_TEST(verif_result_opaque_xml)
{
	static const char xml[] = "<r/>";
	pts_verif res = { { (const uint8_t *)xml, 4 } }, out;
	uint8_t nul[] = { '<', 0, '>' };
	size_t bad;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_verif_encode(&res, &w), TS_OK);
	assert_written(&w, "3c722f3e");
	ck_assert_int_eq(pts_verif_decode((const uint8_t *)xml, 4, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.xml.len, 4);
	ck_assert_int_eq(pts_verif_decode(nul, 3, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 1);
	ck_assert_int_eq(pts_verif_decode(nul, 0, &out, &bad), TS_E_TRUNCATED);
}
END_TEST

/* ---- files ---- */

START_TEST(file_req_meas_byte_exact)
{
	pts_file_req_meas req = { true, 0x1234, PTS_FILE_DELIM_SLASH, { (const uint8_t *)"/etc", 4 } };
	pts_file_req_meas out;
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_file_req_meas_encode(&req, &w), TS_OK);
	assert_written(&w, "80 00 1234 0000002f 2f657463");
	v = test_hex("80 00 1234 0000002f 2f657463", &n);
	ck_assert_int_eq(pts_file_req_meas_decode(v, n, &out, &bad), TS_OK);
	ck_assert(out.directory);
	ck_assert_uint_eq(out.request_id, 0x1234);
	ck_assert_uint_eq(out.delimiter, '/');
	ck_assert_uint_eq(out.path.len, 4);
	ck_assert_int_eq(pts_file_req_meas_decode(v, 8, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 8);
	v[10] = 0;
	ck_assert_int_eq(pts_file_req_meas_decode(v, n, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 10);
	free(v);
}
END_TEST

START_TEST(file_meas_byte_exact)
{
	uint8_t *m1 = bytes_run(0x10, 20), *m2 = bytes_run(0x30, 20);
	char *h1 = hex_run(0x10, 20), *h2 = hex_run(0x30, 20);
	pts_file_meas_entry files[2] = {
		{ { m1, 20 }, { (const uint8_t *)"a.txt", 5 } },
		{ { m2, 20 }, { (const uint8_t *)"bc", 2 } },
	};
	pts_file_meas meas = { 0x0102, 20, 2, files }, out;
	char *part1 = concat("0000000000000002 0102 0014", h1, "0005612e747874");
	char *expect = concat(part1, h2, "00026263");
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_file_meas_encode(&meas, &w), TS_OK);
	assert_written(&w, expect);

	v = test_hex(expect, &n);
	ck_assert_int_eq(pts_file_meas_decode(v, n, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.count, 2);
	ck_assert_uint_eq(out.request_id, 0x0102);
	ck_assert_mem_eq(out.files[1].measurement.data, m2, 20);
	ck_assert_uint_eq(out.files[1].filename.len, 2);
	ck_assert_mem_eq(out.files[1].filename.data, "bc", 2);
	pts_file_meas_free(&out);

	/* A file count above what the value can hold, and above the limit. */
	v[7] = 3;
	ck_assert_int_eq(pts_file_meas_decode(v, n, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 0);
	v[7] = 2;
	v[5] = 0x01;  /* 65538 files */
	ck_assert_int_eq(pts_file_meas_decode(v, n, &out, &bad), TS_E_TOO_LARGE);
	v[5] = 0;
	v[0] = 0xFF;
	ck_assert_int_eq(pts_file_meas_decode(v, n, &out, &bad), TS_E_TOO_LARGE);

	free(v);
	free(part1);
	free(expect);
	free(h1);
	free(h2);
	free(m1);
	free(m2);
}
END_TEST

START_TEST(file_req_meta_byte_exact)
{
	pts_file_req_meta req = { false, PTS_FILE_DELIM_BACKSLASH, { (const uint8_t *)"C:\\x", 4 } };
	pts_file_req_meta out;
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_file_req_meta_encode(&req, &w), TS_OK);
	assert_written(&w, "00 5c 0000 433a5c78");
	v = test_hex("80 2f 0000 2f", &n);
	ck_assert_int_eq(pts_file_req_meta_decode(v, n, &out, &bad), TS_OK);
	ck_assert(out.directory);
	ck_assert_uint_eq(out.delimiter, '/');
	ck_assert_uint_eq(out.path.len, 1);
	ck_assert_int_eq(pts_file_req_meta_decode(v, 4, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 4);
	free(v);
}
END_TEST

#define META_HEX \
	"0000000000000001" \
	"0039 08 00" \
	"0000000000001000 0000000065000000 0000000065000001 0000000065000002" \
	"00000000000003e8 00000000000003e9" \
	"2f62696e2f78"

START_TEST(file_meta_byte_exact)
{
	pts_file_meta_entry f = {
		.type = PTS_FILE_REGULAR, .size = 4096, .created = 0x65000000,
		.modified = 0x65000001, .accessed = 0x65000002, .owner = 1000, .group = 1001,
		.filename = { (const uint8_t *)"/bin/x", 6 },
	};
	pts_file_meta meta = { 1, &f }, out;
	size_t n, bad;
	uint8_t *v;
	writer_t w;

	/* Record length 0x3a = 52 + 6. */
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_file_meta_encode(&meta, &w), TS_OK);
	v = test_hex(META_HEX, &n);
	v[9] = 0x3a;
	ck_assert_uint_eq(writer_len(&w), n);
	ck_assert_mem_eq(writer_data(&w), v, n);
	writer_free(&w);

	ck_assert_int_eq(pts_file_meta_decode(v, n, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.count, 1);
	ck_assert_uint_eq(out.files[0].type, PTS_FILE_REGULAR);
	ck_assert_uint_eq(out.files[0].size, 4096);
	ck_assert_uint_eq(out.files[0].modified, 0x65000001);
	ck_assert_uint_eq(out.files[0].group, 1001);
	ck_assert_uint_eq(out.files[0].filename.len, 6);
	pts_file_meta_free(&out);

	/* Record length one short of the filename leaves a trailing octet. */
	v[9] = 0x39;
	ck_assert_int_eq(pts_file_meta_decode(v, n, &out, &bad), TS_E_TRAILING);
	ck_assert_uint_eq(bad, n - 1);
	/* Record length one past the end. */
	v[9] = 0x3b;
	ck_assert_int_eq(pts_file_meta_decode(v, n, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 8);
	/* Record length without a filename, and a reserved file type. */
	v[9] = 0x34;
	ck_assert_int_eq(pts_file_meta_decode(v, n, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 8);
	v[9] = 0x3a;
	v[10] = 3;
	ck_assert_int_eq(pts_file_meta_decode(v, n, &out, &bad), TS_E_INVALID);
	ck_assert_uint_eq(bad, 10);
	free(v);
}
END_TEST

/* ---- every decoder (PTS, segmentation, ITA) on truncated and extended values ---- */

typedef struct vector {
	uint32_t vendor;
	uint32_t type;
	const char *hex;
	bool prefix_fails;   /* every proper prefix must be rejected */
	bool extra_fails;    /* one more octet must be rejected */
} vector;

static const vector vectors[] = {
	{ TCG, PTS_ATTR_REQ_PROTO_CAPS, "0000000e", true, true },
	{ TCG, PTS_ATTR_PROTO_CAPS, "0000000e", true, true },
	{ TCG, PTS_ATTR_DH_NONCE_PARAMS_REQ, "0000f000", true, true },
	{ TCG, PTS_ATTR_DH_NONCE_PARAMS_RESP,
	  "00000011 1000 4000 0102030405060708090a0b0c0d0e0f1011"
	  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf", true, true },
	{ TCG, PTS_ATTR_DH_NONCE_FINISH, "00 02 4000 aabbcc 0102", false, false },
	{ TCG, PTS_ATTR_MEAS_ALGO, "0000e000", true, true },
	{ TCG, PTS_ATTR_MEAS_ALGO_SELECTION, "00004000", true, true },
	{ TCG, PTS_ATTR_GET_TPM_VERSION_INFO, "00000000", true, true },
	{ TCG, PTS_ATTR_TPM_VERSION_INFO, "02000003000000a4000007e549424d00", false, false },
	{ TCG, PTS_ATTR_GET_AIK, "00000000", true, true },
	{ TCG, PTS_ATTR_AIK, "80 3003020105", false, false },
	{ TCG, PTS_ATTR_REQ_FUNC_COMP_EVID, "10000000 00902a21 00000003", true, true },
	{ TCG, PTS_ATTR_GEN_ATTEST_EVID, "00000000", true, true },
	{ TCG, PTS_ATTR_SIMPLE_COMP_EVID, SCE_FIRST_HEX, true, true },
	{ TCG, PTS_ATTR_SIMPLE_EVID_FINAL, SEF_HEX, true, true },
	{ TCG, PTS_ATTR_VERIFICATION_RESULT, "3c722f3e", false, false },
	{ TCG, PTS_ATTR_REQ_FILE_META, "80 2f 0000 2f6574", false, false },
	{ TCG, PTS_ATTR_UNIX_FILE_META, "0000000000000001 003a 08 00"
	  "0000000000001000 0000000065000000 0000000065000001 0000000065000002"
	  "00000000000003e8 00000000000003e9 2f62696e2f78", true, true },
	{ TCG, PTS_ATTR_REQ_FILE_MEAS, "00 00 0001 0000002f 2f", false, false },
	{ TCG, PTS_ATTR_FILE_MEAS, "0000000000000001 0001 0004 a1a2a3a4 0001 78", true, true },
	{ TCG, SEG_ATTR_CONTRACT_REQ, "ffffffff 001fffb8", true, true },
	{ TCG, SEG_ATTR_CONTRACT_RESP, "ffffffff 00007fba", true, true },
	{ TCG, SEG_ATTR_ENVELOPE, "c0000001 aabb", false, false },
	{ TCG, SEG_ATTR_NEXT_SEGMENT, "00000001", true, true },
	{ TCG, SEG_ATTR_CANCEL, "00000001", true, true },
	{ ITA, ITA_ATTR_DEVICE_ID, "38636233", false, false },
	{ ITA, ITA_ATTR_GET_SYMLINKS, "2f", true, false },
	{ ITA, ITA_ATTR_SYMLINKS, "00000001 0001 2f 0002 2f75", true, true },
};

START_TEST(decoders_truncated_and_extended)
{
	const vector *vec = &vectors[_i];
	const pa_attr_info *info = pts_attr_info_find(vec->vendor, vec->type);
	size_t n, bad;
	uint8_t *v;

	ck_assert_ptr_nonnull(info);
	ck_assert_ptr_nonnull(info->validate);
	v = test_hex(vec->hex, &n);
	bad = 12345;
	ck_assert_int_eq(info->validate(v, n, &bad), TS_OK);
	ck_assert_uint_eq(bad, 12345);
	ck_assert_uint_ge(n, info->min_value_len);
	ck_assert_uint_le(n, info->max_value_len);

	/* Each prefix goes in a buffer of its own size, so that ASan reports any over-read. */
	for (size_t len = 0; len < n; len++) {
		uint8_t *p = malloc(len ? len : 1);
		int rc;

		ck_assert_ptr_nonnull(p);
		memcpy(p, v, len);
		bad = SIZE_MAX;
		rc = info->validate(len ? p : NULL, len, &bad);
		if (vec->prefix_fails || len < info->min_value_len) {
			ck_assert_msg(rc != TS_OK, "%s accepted %zu of %zu octets", info->name, len, n);
		}
		if (rc != TS_OK)
			ck_assert_uint_le(bad, len);
		free(p);
	}

	/* One octet more. */
	{
		uint8_t *p = malloc(n + 1);
		int rc;

		ck_assert_ptr_nonnull(p);
		memcpy(p, v, n);
		p[n] = 0x41;
		bad = SIZE_MAX;
		rc = info->validate(p, n + 1, &bad);
		if (vec->extra_fails) {
			ck_assert_int_ne(rc, TS_OK);
			ck_assert_uint_le(bad, n);
		}
		free(p);
	}
	free(v);
}
END_TEST

START_TEST(registry_table_consistent)
{
	ck_assert_uint_ge(pts_attr_info_count, 40);
	for (size_t i = 0; i < pts_attr_info_count; i++) {
		const pa_attr_info *a = &pts_attr_infos[i];

		ck_assert_msg(a->vendor == TCG || a->vendor == ITA, "%s: vendor 0x%x", a->name, a->vendor);
		ck_assert_ptr_nonnull(a->name);
		ck_assert_uint_le(a->min_value_len, a->max_value_len);
		ck_assert_ptr_eq(pts_attr_info_find(a->vendor, a->type), a);
	}
	ck_assert_ptr_null(pts_attr_info_find(TCG, 0x12345678));
	ck_assert_ptr_null(pts_attr_info_find(0, PTS_ATTR_PROTO_CAPS));
	ck_assert_str_eq(pts_attr_info_find(TCG, 0x00300000)->name, "Simple Component Evidence");
	ck_assert_str_eq(pts_attr_info_find(TCG, 0x21)->name, "Segmentation Contract Request");
	ck_assert_str_eq(pts_attr_info_find(ITA, 10)->name, "Symlinks");
}
END_TEST

/* ---- the reference exchange ---- */

static walk_attr *load_batch(int n, size_t *count, uint8_t **buf)
{
	static walk_attr attrs[200];
	char name[64];
	size_t len;

	snprintf(name, sizeof(name), "pts/run1-batch%02d.bin", n);
	*buf = test_read_file(test_data_path(name), &len);
	*count = walk_batch(*buf, len, attrs, 200);
	return attrs;
}

START_TEST(interop_negotiation)
{
	size_t n, bad;
	uint8_t *buf;
	walk_attr *a;
	const walk_attr *x;
	pts_caps caps;
	pts_meas_algo algo;

	/* Batch 2: IMV requests, with NOSKIP on the PTS requests. */
	a = load_batch(2, &n, &buf);
	x = walk_find(a, n, TCG, PTS_ATTR_REQ_PROTO_CAPS, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->flags, 0x80);
	ck_assert_uint_eq(x->msg_vendor, TCG);
	ck_assert_uint_eq(x->msg_subtype, PTS_MSG_SUBTYPE);
	ck_assert_int_eq(pts_caps_decode(x->value, x->len, &caps, &bad), TS_OK);
	ck_assert_uint_eq(caps.flags, 0x000E);
	x = walk_find(a, n, TCG, PTS_ATTR_MEAS_ALGO, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(pts_meas_algo_decode(x->value, x->len, &algo, &bad), TS_OK);
	ck_assert_uint_eq(algo.algos, 0xC000);
	free(buf);

	/* Batch 3: the IMC's replies. */
	a = load_batch(3, &n, &buf);
	x = walk_find(a, n, TCG, PTS_ATTR_PROTO_CAPS, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->flags, 0x00);
	ck_assert_int_eq(pts_caps_decode(x->value, x->len, &caps, &bad), TS_OK);
	ck_assert_uint_eq(caps.flags, PTS_PROTO_CAPS_V | PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T);
	x = walk_find(a, n, TCG, PTS_ATTR_MEAS_ALGO_SELECTION, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(pts_meas_algo_selection_decode(x->value, x->len, &algo, &bad), TS_OK);
	ck_assert_uint_eq(algo.algos, PTS_MEAS_ALGO_SHA256);
	free(buf);
}
END_TEST

START_TEST(interop_dh_nonce)
{
	size_t n, bad, len;
	uint8_t *buf, *want;
	walk_attr *a;
	const walk_attr *x;
	pts_dh_params_req req;
	pts_dh_params_resp resp;
	pts_dh_finish fin;
	writer_t w;

	a = load_batch(4, &n, &buf);
	x = walk_find(a, n, TCG, PTS_ATTR_DH_NONCE_PARAMS_REQ, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(pts_dh_params_req_decode(x->value, x->len, &req, &bad), TS_OK);
	ck_assert_uint_eq(req.min_nonce_len, 0);
	ck_assert_uint_eq(req.dh_groups, 0xF000);
	free(buf);

	a = load_batch(5, &n, &buf);
	x = walk_find(a, n, TCG, PTS_ATTR_DH_NONCE_PARAMS_RESP, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->len, 92);
	ck_assert_int_eq(pts_dh_params_resp_decode(x->value, x->len, &resp, &bad), TS_OK);
	ck_assert_uint_eq(resp.dh_group, PTS_DH_GROUP_ECP256);
	ck_assert_uint_eq(resp.hash_algos, PTS_MEAS_ALGO_SHA256);
	want = test_hex("964c95f9bbc453b91ff3fda1559eee06fc158f55", &len);
	ck_assert_uint_eq(resp.nonce.len, len);
	ck_assert_mem_eq(resp.nonce.data, want, len);
	free(want);
	ck_assert_uint_eq(resp.pub_value.len, 64);
	/* Re-encoding gives the captured bytes. */
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_dh_params_resp_encode(&resp, &w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), x->len);
	ck_assert_mem_eq(writer_data(&w), x->value, x->len);
	writer_free(&w);
	free(buf);

	a = load_batch(6, &n, &buf);
	x = walk_find(a, n, TCG, PTS_ATTR_DH_NONCE_FINISH, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->flags, 0x80);
	ck_assert_int_eq(pts_dh_finish_decode(x->value, x->len, &fin, &bad), TS_OK);
	ck_assert_uint_eq(fin.hash_algo, PTS_MEAS_ALGO_SHA256);
	ck_assert_uint_eq(fin.pub_value.len, 64);
	want = test_hex("d5fe7ff45ac2b469d44f45bdfff284730fa698f6", &len);
	ck_assert_uint_eq(fin.nonce.len, len);
	ck_assert_mem_eq(fin.nonce.data, want, len);
	free(want);
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pts_dh_finish_encode(&fin, &w), TS_OK);
	ck_assert_mem_eq(writer_data(&w), x->value, x->len);
	writer_free(&w);
	x = walk_find(a, n, TCG, PTS_ATTR_GET_TPM_VERSION_INFO, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(pts_tpm_get_version_decode(x->value, x->len, &bad), TS_OK);
	x = walk_find(a, n, TCG, PTS_ATTR_GET_AIK, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(pts_tpm_get_aik_decode(x->value, x->len, &bad), TS_OK);
	free(buf);
}
END_TEST

START_TEST(interop_tpm_version_and_aik)
{
	size_t n, bad, len;
	uint8_t *buf, *prefix;
	walk_attr *a;
	const walk_attr *x;
	pts_tpm_version ver;
	pts_tpm_version2 v2;
	pts_tpm_aik aik;

	a = load_batch(7, &n, &buf);
	x = walk_find(a, n, TCG, PTS_ATTR_TPM_VERSION_INFO, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(pts_tpm_version_decode(x->value, x->len, &ver, &bad), TS_OK);
	ck_assert_uint_eq(ver.info.len, 16);
	ck_assert_int_eq(pts_tpm_version2_decode(&ver.info, &v2, &bad), TS_OK);
	ck_assert_uint_eq(v2.locality, 3);
	ck_assert_uint_eq(v2.revision, 164);
	ck_assert_uint_eq(v2.year, 2021);
	ck_assert_mem_eq(v2.manufacturer, "IBM\0", 4);

	x = walk_find(a, n, TCG, PTS_ATTR_AIK, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(pts_tpm_aik_decode(x->value, x->len, &aik, &bad), TS_OK);
	ck_assert(aik.naked_key);
	ck_assert_uint_eq(aik.blob.len, 91);
	/* DER SubjectPublicKeyInfo of an id-ecPublicKey on prime256v1. */
	prefix = test_hex("3059301306072a8648ce3d020106082a8648ce3d030107034200 04", &len);
	ck_assert_mem_eq(aik.blob.data, prefix, len);
	free(prefix);
	free(buf);
}
END_TEST

START_TEST(interop_evidence_request)
{
	size_t n, bad;
	uint8_t *buf;
	walk_attr *a;
	const walk_attr *x;
	pts_comp_req req;

	a = load_batch(8, &n, &buf);
	x = walk_find(a, n, TCG, PTS_ATTR_REQ_FUNC_COMP_EVID, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(pts_comp_req_decode(x->value, x->len, &req, &bad), TS_OK);
	ck_assert_uint_eq(req.count, 1);
	ck_assert_uint_eq(req.entries[0].flags, PTS_COMP_REQ_FLAG_P);
	ck_assert_uint_eq(req.entries[0].depth, 0);
	ck_assert_uint_eq(req.entries[0].name.vendor, ITA);
	ck_assert_uint_eq(req.entries[0].name.family, 0);
	ck_assert_uint_eq(req.entries[0].name.qualifier,
			  PTS_COMP_QUAL_KERNEL | PTS_COMP_QUAL_TRUSTED_PLATFORM);
	ck_assert_uint_eq(req.entries[0].name.name, PTS_COMP_ITA_IMA);
	pts_comp_req_free(&req);
	x = walk_find(a, n, TCG, PTS_ATTR_GEN_ATTEST_EVID, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(pts_comp_gen_evid_decode(x->value, x->len, &bad), TS_OK);
	free(buf);
}
END_TEST

START_TEST(interop_evidence)
{
	size_t n, bad, list_len;
	uint8_t *buf, *list;
	walk_attr *a;
	const walk_attr *x;
	char *line;
	pts_sef sef;
	size_t ok = 0;

	a = load_batch(9, &n, &buf);
	ck_assert_uint_eq(walk_count(a, n, TCG, PTS_ATTR_SIMPLE_COMP_EVID), 105);
	list = test_read_file(test_data_path("pts/run1-eventlog-sha256.txt"), &list_len);
	list = realloc(list, list_len + 1);
	ck_assert_ptr_nonnull(list);
	list[list_len] = '\0';

	/* Every measurement is the SHA-256 digest of the matching firmware log event. */
	line = (char *)list;
	for (size_t i = 0; i < 105; i++) {
		pts_sce sce;
		unsigned pcr;
		char digest_hex[65];
		uint8_t *digest;
		size_t dlen;
		writer_t w;

		x = walk_find(a, n, TCG, PTS_ATTR_SIMPLE_COMP_EVID, i);
		ck_assert_ptr_nonnull(x);
		ck_assert_uint_eq(x->len, 72);
		ck_assert_uint_eq(x->flags, 0);
		ck_assert_int_eq(pts_sce_decode(x->value, x->len, &sce, &bad), TS_OK);
		ck_assert_int_eq(sscanf(line, "%u %64s", &pcr, digest_hex), 2);
		line = strchr(line, '\n') + 1;
		digest = test_hex(digest_hex, &dlen);

		ck_assert_uint_eq(sce.flags, 0);
		ck_assert_uint_eq(sce.depth, 0);
		ck_assert_uint_eq(sce.name.vendor, ITA);
		ck_assert_uint_eq(sce.name.qualifier, 0x21);
		ck_assert_uint_eq(sce.name.name, PTS_COMP_ITA_IMA);
		ck_assert_uint_eq(sce.meas_type, PTS_SCE_MEAS_TYPE_HASH);
		ck_assert_uint_eq(sce.extended_pcr, pcr);
		ck_assert_uint_eq(sce.hash_algo, PTS_MEAS_ALGO_SHA256);
		ck_assert_uint_eq(sce.transform, PTS_SCE_TRANSFORM_MATCH);
		ck_assert_str_eq(sce.meas_time, "2026-12-04T19:30:48Z");
		ck_assert_uint_eq(sce.measurement.len, dlen);
		ck_assert_mem_eq(sce.measurement.data, digest, dlen);

		writer_init(&w, SIZE_MAX);
		ck_assert_int_eq(pts_sce_encode(&sce, &w), TS_OK);
		ck_assert_uint_eq(writer_len(&w), x->len);
		ck_assert_mem_eq(writer_data(&w), x->value, x->len);
		writer_free(&w);
		free(digest);
		ok++;
	}
	ck_assert_uint_eq(ok, 105);

	x = walk_find(a, n, TCG, PTS_ATTR_SIMPLE_EVID_FINAL, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->len, 185);
	ck_assert_int_eq(pts_sef_decode(x->value, x->len, &sef, &bad), TS_OK);
	ck_assert_uint_eq(sef.flags, PTS_SEF_QUOTE_TPM2);
	ck_assert_uint_eq(sef.comp_hash_algo, PTS_MEAS_ALGO_SHA256);
	ck_assert_uint_eq(sef.pcr_composite.len, 32);
	ck_assert_uint_eq(sef.qualified_signer.len, 34);
	ck_assert_uint_eq(sef.quote_sig.len, 64);
	/* The SEF is the last attribute of the batch. */
	ck_assert_ptr_eq(x, &a[n - 1]);
	free(list);
	free(buf);
}
END_TEST

/* Every TCG and ITA attribute of the nine batches passes its registry check. */
START_TEST(interop_registry_validates_all)
{
	size_t total = 0;

	for (int b = 1; b <= 9; b++) {
		size_t n, bad;
		uint8_t *buf;
		walk_attr *a = load_batch(b, &n, &buf);

		for (size_t i = 0; i < n; i++) {
			const pa_attr_info *info;

			if (a[i].vendor != TCG && a[i].vendor != ITA)
				continue;
			info = pts_attr_info_find(a[i].vendor, a[i].type);
			ck_assert_ptr_nonnull(info);
			ck_assert_uint_ge(a[i].len, info->min_value_len);
			ck_assert_uint_le(a[i].len, info->max_value_len);
			ck_assert_ptr_nonnull(info->validate);
			ck_assert_msg(info->validate(a[i].value, a[i].len, &bad) == TS_OK,
				      "batch %d: %s rejected at %zu", b, info->name, bad);
			total++;
		}
		free(buf);
	}
	/* 1 + 3 + 3 + 1 + 1 + 3 + 2 + 3 + 107 */
	ck_assert_uint_eq(total, 124);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pts_attr");
	TCase *tc = tcase_create("codec");
	TCase *ti = tcase_create("interop");

	tcase_add_test(tc, caps_byte_exact);
	tcase_add_test(tc, caps_trailing_rejected);
	tcase_add_test(tc, meas_algo_byte_exact);
	tcase_add_test(tc, dh_params_req_byte_exact);
	tcase_add_test(tc, dh_params_resp_byte_exact);
	tcase_add_test(tc, dh_finish_byte_exact);
	tcase_add_test(tc, reserved_requests_byte_exact);
	tcase_add_test(tc, tpm_version2_byte_exact);
	tcase_add_test(tc, aik_both_forms);
	tcase_add_test(tc, comp_req_byte_exact);
	tcase_add_test(tc, comp_req_entry_limit);
	tcase_add_test(tc, sce_byte_exact);
	tcase_add_test(tc, sce_policy_and_pcrs);
	tcase_add_test(tc, sef_byte_exact);
	tcase_add_test(tc, sef_tpm12_and_evidence_signature);
	tcase_add_test(tc, verif_result_opaque_xml);
	tcase_add_test(tc, file_req_meas_byte_exact);
	tcase_add_test(tc, file_meas_byte_exact);
	tcase_add_test(tc, file_req_meta_byte_exact);
	tcase_add_test(tc, file_meta_byte_exact);
	tcase_add_loop_test(tc, decoders_truncated_and_extended, 0,
			    (int)(sizeof(vectors) / sizeof(vectors[0])));
	tcase_add_test(tc, registry_table_consistent);
	suite_add_tcase(s, tc);

	tcase_add_test(ti, interop_negotiation);
	tcase_add_test(ti, interop_dh_nonce);
	tcase_add_test(ti, interop_tpm_version_and_aik);
	tcase_add_test(ti, interop_evidence_request);
	tcase_add_test(ti, interop_evidence);
	tcase_add_test(ti, interop_registry_validates_all);
	suite_add_tcase(s, ti);
	return s;
}

TEST_MAIN()
