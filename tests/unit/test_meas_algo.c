#include "test_util.h"
#include "attest/meas_algo.h"
#include "conf.h"

/* Bit values and digest lengths from the PTS hash algorithm table. */
START_TEST(meas_algo_bits_and_lengths)
{
	ck_assert_uint_eq(MEAS_ALGO_SHA1, 0x8000);
	ck_assert_uint_eq(MEAS_ALGO_SHA256, 0x4000);
	ck_assert_uint_eq(MEAS_ALGO_SHA384, 0x2000);
	ck_assert_uint_eq(MEAS_ALGO_SHA512, 0x1000);
	ck_assert_uint_eq(meas_algo_digest_len(0x8000), 20);
	ck_assert_uint_eq(meas_algo_digest_len(0x4000), 32);
	ck_assert_uint_eq(meas_algo_digest_len(0x2000), 48);
	ck_assert_uint_eq(meas_algo_digest_len(0x1000), 64);
	ck_assert_uint_eq(meas_algo_digest_len(0x0000), 0);
	ck_assert_uint_eq(meas_algo_digest_len(0xC000), 0);
	ck_assert_str_eq(meas_algo_name(0x4000), "SHA-256");
	ck_assert_str_eq(meas_algo_name(0x0800), "unknown");
}
END_TEST

START_TEST(meas_algo_evp_md_matches)
{
	static const uint16_t algos[] = { 0x8000, 0x4000, 0x2000, 0x1000 };

	for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
		const EVP_MD *md = meas_algo_evp_md(algos[i]);

		ck_assert_ptr_nonnull(md);
		ck_assert_uint_eq((size_t)EVP_MD_get_size(md), meas_algo_digest_len(algos[i]));
	}
	ck_assert_ptr_null(meas_algo_evp_md(0x0400));
}
END_TEST

START_TEST(meas_algo_select_strongest)
{
	uint16_t out = 0;

	ck_assert_int_eq(meas_algo_select(0xE000, MEAS_ALGO_ALL, &out), TS_OK);
	ck_assert_uint_eq(out, MEAS_ALGO_SHA384);
	ck_assert_int_eq(meas_algo_select(0xF000, MEAS_ALGO_ALL, &out), TS_OK);
	ck_assert_uint_eq(out, MEAS_ALGO_SHA512);
	ck_assert_int_eq(meas_algo_select(0x8000, MEAS_ALGO_ALL, &out), TS_OK);
	ck_assert_uint_eq(out, MEAS_ALGO_SHA1);
}
END_TEST

/* The reference exchange: the IMV offered 0xC000, strongSwan's IMC chose 0x4000. */
START_TEST(meas_algo_select_interop)
{
	uint16_t out = 0;

	ck_assert_int_eq(meas_algo_select(0xC000, meas_algo_set_up_to(MEAS_ALGO_SHA384), &out), TS_OK);
	ck_assert_uint_eq(out, 0x4000);
}
END_TEST

START_TEST(meas_algo_select_restricted_side)
{
	uint16_t out = 0;

	/* An IMC whose TPM has only a SHA-1 and a SHA-256 bank. */
	ck_assert_int_eq(meas_algo_select(0xE000, MEAS_ALGO_SHA1 | MEAS_ALGO_SHA256, &out), TS_OK);
	ck_assert_uint_eq(out, MEAS_ALGO_SHA256);
}
END_TEST

START_TEST(meas_algo_select_none_common)
{
	uint16_t out = 0x1234;

	ck_assert_int_eq(meas_algo_select(0x2000, 0xC000, &out), TS_E_UNSUPPORTED);
	ck_assert_uint_eq(out, 0x1234);
	/* Unknown bits are never selected. */
	ck_assert_int_eq(meas_algo_select(0x0FFF, 0xFFFF, &out), TS_E_UNSUPPORTED);
	ck_assert_uint_eq(out, 0x1234);
	ck_assert_int_eq(meas_algo_select(0, MEAS_ALGO_ALL, &out), TS_E_UNSUPPORTED);
}
END_TEST

START_TEST(meas_algo_set_up_to_caps)
{
	ck_assert_uint_eq(meas_algo_set_up_to(MEAS_ALGO_SHA1), 0x8000);
	ck_assert_uint_eq(meas_algo_set_up_to(MEAS_ALGO_SHA256), 0xC000);
	ck_assert_uint_eq(meas_algo_set_up_to(MEAS_ALGO_SHA384), 0xE000);
	ck_assert_uint_eq(meas_algo_set_up_to(MEAS_ALGO_SHA512), 0xF000);
	ck_assert_uint_eq(meas_algo_set_up_to(0xC000), 0);
}
END_TEST

/* TPM_ALG_ID values from the TPM 2.0 constants table. */
START_TEST(meas_algo_tpm_alg_map)
{
	uint16_t bit = 0;
	TPM2_ALG_ID alg = 0;

	ck_assert_int_eq(meas_algo_from_tpm_alg(0x0004, &bit), TS_OK);
	ck_assert_uint_eq(bit, 0x8000);
	ck_assert_int_eq(meas_algo_from_tpm_alg(0x000B, &bit), TS_OK);
	ck_assert_uint_eq(bit, 0x4000);
	ck_assert_int_eq(meas_algo_from_tpm_alg(0x000C, &bit), TS_OK);
	ck_assert_uint_eq(bit, 0x2000);
	ck_assert_int_eq(meas_algo_from_tpm_alg(0x000D, &bit), TS_OK);
	ck_assert_uint_eq(bit, 0x1000);
	ck_assert_int_eq(meas_algo_from_tpm_alg(0x0012, &bit), TS_E_UNSUPPORTED);
	ck_assert_int_eq(meas_algo_to_tpm_alg(0x2000, &alg), TS_OK);
	ck_assert_uint_eq(alg, 0x000C);
	ck_assert_int_eq(meas_algo_to_tpm_alg(0x6000, &alg), TS_E_UNSUPPORTED);
}
END_TEST

START_TEST(meas_algo_names_parse)
{
	uint16_t bit = 0;

	ck_assert_int_eq(meas_algo_from_name("sha1", &bit), TS_OK);
	ck_assert_uint_eq(bit, 0x8000);
	ck_assert_int_eq(meas_algo_from_name("SHA512", &bit), TS_OK);
	ck_assert_uint_eq(bit, 0x1000);
	ck_assert_int_eq(meas_algo_from_name("md5", &bit), TS_E_INVALID);
	ck_assert_int_eq(meas_algo_from_name("", &bit), TS_E_INVALID);
}
END_TEST

static int load_set(const char *text, uint16_t *set)
{
	conf_t *conf = NULL;
	int rc;

	ck_assert_int_eq(conf_parse("test.conf", text, strlen(text), &conf), TS_OK);
	rc = meas_algo_config_load(conf, "attestation", set);
	conf_free(conf);
	return rc;
}

START_TEST(meas_algo_config_values)
{
	uint16_t set = 0;

	ck_assert_int_eq(load_set("", &set), TS_OK);
	ck_assert_uint_eq(set, 0xE000);
	ck_assert_int_eq(load_set("[attestation]\nhash_algorithm = sha256\n", &set), TS_OK);
	ck_assert_uint_eq(set, 0xC000);
	set = 0x1111;
	ck_assert_int_eq(load_set("[attestation]\nhash_algorithm = sha3\n", &set), TS_E_CONFIG);
	ck_assert_uint_eq(set, 0x1111);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("meas_algo");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, meas_algo_bits_and_lengths);
	tcase_add_test(tc, meas_algo_evp_md_matches);
	tcase_add_test(tc, meas_algo_select_strongest);
	tcase_add_test(tc, meas_algo_select_interop);
	tcase_add_test(tc, meas_algo_select_restricted_side);
	tcase_add_test(tc, meas_algo_select_none_common);
	tcase_add_test(tc, meas_algo_set_up_to_caps);
	tcase_add_test(tc, meas_algo_tpm_alg_map);
	tcase_add_test(tc, meas_algo_names_parse);
	tcase_add_test(tc, meas_algo_config_values);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
