/* Tests of the TPM access layer against a real swtpm started for each test. */
#include <openssl/sha.h>
#include <tss2/tss2_mu.h>

#include "test_util.h"
#include "test_swtpm.h"
#include "attest/tpm2_ak.h"
#include "attest/tpm2_quote.h"
#include "tpm/tpm.h"

static test_swtpm swtpm;
static tpm_t *tpm;

static void setup(void)
{
	ck_assert_msg(test_swtpm_start(&swtpm) == 0, "cannot start swtpm (is the swtpm package installed?)");
	ck_assert_int_eq(tpm_open(swtpm.tcti, &tpm), TS_OK);
}

static void teardown(void)
{
	tpm_close(tpm);
	tpm = NULL;
	test_swtpm_stop(&swtpm);
}

START_TEST(tpm_version_info_from_swtpm)
{
	tpm_version_info info;

	ck_assert_int_eq(tpm_get_version_info(tpm, &info), TS_OK);
	/* swtpm (libtpms) reports the manufacturer "IBM" (tpm2_getcap properties-fixed: 0x49424D00). */
	ck_assert_uint_eq(info.manufacturer, 0x49424d00);
	ck_assert_uint_ge(info.spec_year, 2014);
	ck_assert_uint_ge(info.spec_revision, 100);
	/* A fresh swtpm state has all four banks active. */
	ck_assert_uint_eq(info.banks, TPM_BANK_SHA1 | TPM_BANK_SHA256 | TPM_BANK_SHA384 | TPM_BANK_SHA512);
}
END_TEST

START_TEST(tpm_extend_then_read)
{
	uint8_t digest[32], before[64], after[64], concat[64], expected[32];
	size_t len = 0;

	memset(digest, 0xab, sizeof(digest));
	ck_assert_int_eq(tpm_pcr_read(tpm, TPM2_ALG_SHA256, 16, before, &len), TS_OK);
	ck_assert_uint_eq(len, 32);
	ck_assert_int_eq(tpm_pcr_extend(tpm, 16, TPM2_ALG_SHA256, digest, 32), TS_OK);
	ck_assert_int_eq(tpm_pcr_read(tpm, TPM2_ALG_SHA256, 16, after, &len), TS_OK);

	/* The TPM computes SHA-256(old value || digest); OpenSSL checks it. */
	memcpy(concat, before, 32);
	memcpy(concat + 32, digest, 32);
	SHA256(concat, sizeof(concat), expected);
	ck_assert_mem_eq(after, expected, 32);

	ck_assert_int_eq(tpm_pcr_extend(tpm, 16, TPM2_ALG_SHA256, digest, 20), TS_E_INVALID);
	ck_assert_int_eq(tpm_pcr_read(tpm, TPM2_ALG_SHA256, 24, after, &len), TS_E_INVALID);
}
END_TEST

START_TEST(tpm_provision_and_quote)
{
	uint8_t *pub = NULL, *attest = NULL, *sig = NULL, *pub2 = NULL;
	size_t pub_len = 0, attest_len = 0, sig_len = 0, pub2_len = 0, offset = 0;
	const uint8_t nonce[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	TPMS_ATTEST info;
	TPMT_SIGNATURE s;

	ck_assert_int_eq(tpm_provision_ak(tpm, 0x81010002, TPM_AK_ECC_P256, false, &pub, &pub_len), TS_OK);
	ck_assert_uint_gt(pub_len, 80);
	/* A second provisioning keeps the key unless asked to replace it. */
	ck_assert_int_eq(tpm_provision_ak(tpm, 0x81010002, TPM_AK_ECC_P256, false, NULL, NULL), TS_E_INVALID);
	ck_assert_int_eq(tpm_read_public(tpm, 0x81010002, &pub2, &pub2_len), TS_OK);
	ck_assert_uint_eq(pub2_len, pub_len);
	ck_assert_mem_eq(pub2, pub, pub_len);
	free(pub2);

	ck_assert_int_eq(tpm_quote(tpm, 0x81010002, TPM2_ALG_SHA256, 0xff, nonce, sizeof(nonce), &attest,
				   &attest_len, &sig, &sig_len), TS_OK);
	ck_assert_int_eq(Tss2_MU_TPMS_ATTEST_Unmarshal(attest, attest_len, &offset, &info), TSS2_RC_SUCCESS);
	ck_assert_uint_eq(offset, attest_len);
	ck_assert_uint_eq(info.magic, TPM2_GENERATED_VALUE);
	ck_assert_uint_eq(info.type, TPM2_ST_ATTEST_QUOTE);
	ck_assert_uint_eq(info.extraData.size, sizeof(nonce));
	ck_assert_mem_eq(info.extraData.buffer, nonce, sizeof(nonce));
	ck_assert_uint_eq(info.attested.quote.pcrSelect.count, 1);
	ck_assert_uint_eq(info.attested.quote.pcrSelect.pcrSelections[0].hash, TPM2_ALG_SHA256);
	ck_assert_uint_eq(info.attested.quote.pcrSelect.pcrSelections[0].pcrSelect[0], 0xff);
	offset = 0;
	ck_assert_int_eq(Tss2_MU_TPMT_SIGNATURE_Unmarshal(sig, sig_len, &offset, &s), TSS2_RC_SUCCESS);
	ck_assert_uint_eq(s.sigAlg, TPM2_ALG_ECDSA);

	/* Replacing the ECC key with an RSA one gives a different public area. */
	pub2 = NULL;
	ck_assert_int_eq(tpm_provision_ak(tpm, 0x81010002, TPM_AK_RSA_2048, true, &pub2, &pub2_len), TS_OK);
	ck_assert_uint_ne(pub2_len, pub_len);
	free(pub);
	free(pub2);
	free(attest);
	free(sig);
}
END_TEST

START_TEST(tpm_quote_without_ak)
{
	uint8_t *attest = NULL, *sig = NULL, *pub = NULL;
	size_t attest_len, sig_len, pub_len;

	ck_assert_int_eq(tpm_quote(tpm, 0x81010009, TPM2_ALG_SHA256, 0x1, NULL, 0, &attest, &attest_len, &sig,
				   &sig_len), TS_E_NOT_FOUND);
	ck_assert_int_eq(tpm_read_public(tpm, 0x81010009, &pub, &pub_len), TS_E_NOT_FOUND);
	/* Not a persistent handle at all. */
	ck_assert_int_eq(tpm_read_public(tpm, 0x80000001, &pub, &pub_len), TS_E_INVALID);
	ck_assert_int_eq(tpm_provision_ak(tpm, 0x01000000, TPM_AK_ECC_P256, false, NULL, NULL), TS_E_INVALID);
}
END_TEST

START_TEST(tpm_open_without_tpm)
{
	tpm_t *none = NULL;

	ck_assert_int_eq(tpm_open("swtpm:path=/nonexistent/tpm.sock", &none), TS_E_NOT_FOUND);
	ck_assert_ptr_null(none);
}
END_TEST

/*
 * An AK that FAPI created (tss2_provision, tss2_createkey, as the swtpm
 * guide does) quotes through ESAPI, and the signature verifies with the
 * public key read the same way.
 */
START_TEST(tpm_fapi_key_quotes)
{
	const uint8_t nonce[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };
	uint8_t *blob = NULL, *pub = NULL, *attest = NULL, *sig = NULL, type = 0;
	size_t blob_len = 0, pub_len = 0, attest_len = 0, sig_len = 0, offset = 0;
	char path[256], cmd[512];
	TPMS_ATTEST info;
	TPMT_SIGNATURE s;
	EVP_PKEY *key = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/fapi.json", swtpm.dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{ \"profile_name\": \"P_ECCP256SHA256\", \"profile_dir\": \"/etc/tpm2-tss/fapi-profiles/\",\n"
		"  \"user_dir\": \"%s/ks/user\", \"system_dir\": \"%s/ks/system\", \"log_dir\": \"%s/log\",\n"
		"  \"tcti\": \"%s\", \"system_pcrs\": [], \"ek_cert_less\": \"yes\" }\n",
		swtpm.dir, swtpm.dir, swtpm.dir, swtpm.tcti);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/ks/user %s/ks/system %s/log", swtpm.dir, swtpm.dir, swtpm.dir);
	ck_assert_int_eq(system(cmd), 0);
	setenv("TSS2_FAPICONF", path, 1);
	setenv("TSS2_LOG", "all+none", 1);

	/* swtpm serves one client at a time: FAPI runs while our connection is closed. */
	tpm_close(tpm);
	tpm = NULL;
	ck_assert_int_eq(system("tss2_provision >/dev/null 2>&1"), 0);
	ck_assert_int_eq(system("tss2_createkey --path=HS/SRK/AK --type='sign,restricted,noda' --authValue='' "
				">/dev/null 2>&1"), 0);
	ck_assert_int_eq(tpm_fapi_get_ak_blob("HS/SRK/NOSUCH", &type, &blob, &blob_len), TS_E_NOT_FOUND);
	ck_assert_int_eq(tpm_fapi_get_ak_blob("HS/SRK/AK", &type, &blob, &blob_len), TS_OK);

	ck_assert_int_eq(tpm_open(swtpm.tcti, &tpm), TS_OK);
	ck_assert_int_eq(tpm_read_public(tpm, TPM_AK_FAPI, &pub, &pub_len), TS_E_NOT_FOUND);
	ck_assert_int_eq(tpm_set_ak_blob(tpm, type, blob, blob_len), TS_OK);
	ck_assert_int_eq(tpm_read_public(tpm, TPM_AK_FAPI, &pub, &pub_len), TS_OK);
	/* Four rounds: the loaded key is flushed after each use, or swtpm's three object slots would run out. */
	for (int round = 0; round < 4; round++) {
		free(attest);
		free(sig);
		ck_assert_int_eq(tpm_quote(tpm, TPM_AK_FAPI, TPM2_ALG_SHA256, 0x1, nonce, sizeof(nonce), &attest,
					   &attest_len, &sig, &sig_len), TS_OK);
	}
	ck_assert_int_eq(Tss2_MU_TPMS_ATTEST_Unmarshal(attest, attest_len, &offset, &info), TSS2_RC_SUCCESS);
	ck_assert_uint_eq(info.magic, TPM2_GENERATED_VALUE);
	ck_assert_mem_eq(info.extraData.buffer, nonce, sizeof(nonce));
	offset = 0;
	ck_assert_int_eq(Tss2_MU_TPMT_SIGNATURE_Unmarshal(sig, sig_len, &offset, &s), TSS2_RC_SUCCESS);
	ck_assert_int_eq(tpm2_ak_from_tpm2b_public(pub, pub_len, &key), TS_OK);
	ck_assert_int_eq(tpm2_quote_verify_signature(key, &s, attest, attest_len), TS_OK);
	attest[attest_len - 1] ^= 1;
	ck_assert_int_ne(tpm2_quote_verify_signature(key, &s, attest, attest_len), TS_OK);

	EVP_PKEY_free(key);
	free(blob);
	free(pub);
	free(attest);
	free(sig);
	unsetenv("TSS2_FAPICONF");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("tpm");
	TCase *tc = tcase_create("swtpm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tpm_version_info_from_swtpm);
	tcase_add_test(tc, tpm_extend_then_read);
	tcase_add_test(tc, tpm_provision_and_quote);
	tcase_add_test(tc, tpm_quote_without_ak);
	tcase_add_test(tc, tpm_open_without_tpm);
	tcase_add_test(tc, tpm_fapi_key_quotes);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
