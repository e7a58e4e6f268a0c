/*
 * PCR bank emulation. The extend vectors come from real event logs in
 * tests/data/eventlog: a PCR extended once with the EV_SEPARATOR digest (the
 * hash of four zero bytes) reads as the value tpm2-tools and the TPM report
 * for PCR 2 of those logs.
 */
#include "test_util.h"
#include "pcr_set.h"

struct vector {
	uint16_t alg;
	const char *name;
	size_t size;
	const char *separator_digest;  /* H(00000000), the logged digest */
	const char *pcr_after;         /* reset PCR extended once with it */
};

/* From tests/data/eventlog/ovmf/ovmf-direct-boot-1.pcrs.yaml (PCR 2) and the log's EV_SEPARATOR digests. */
static const struct vector vectors[] = {
	{ PCR_BANK_ALG_SHA1, "sha1", 20,
	  "9069ca78e7450a285173431b3e52c5c25299e473",
	  "b2a83b0ebf2f8374299a5b2bdfc31ea955ad7236" },
	{ PCR_BANK_ALG_SHA256, "sha256", 32,
	  "df3f619804a92fdb4057192dc43dd748ea778adc52bc498ce80524c014b81119",
	  "3d458cfe55cc03ea1f443f1562beec8df51c75e14a9fcf9a7234a13f198e7969" },
	{ PCR_BANK_ALG_SHA384, "sha384", 48,
	  "394341b7182cd227c5c6b07ef8000cdfd86136c4292b8e576573ad7ed9ae41019f5818b4b971c9effc60e1ad9f1289f0",
	  "518923b0f955d08da077c96aaba522b9decede61c599cea6c41889cfbea4ae4d50529d96fe4d1afdafb65e7f95bf23c4" },
	{ PCR_BANK_ALG_SHA512, "sha512", 64,
	  "ec2d57691d9b2d40182ac565032054b7d784ba96b18bcb5be0bb4e70e3fb041eff582c8af66ee50256539f2181d7f9e53627c0189da7e75a4d5ef10ea93b20b3",
	  "27ec091533c4b9eea38dd14c3a3ecdef0a99c1e564cbe66dfe008250154e7839b0b75228fe8debcc4ca330e6aebc1abc74070bc9c9c1e26b939c9d916e45e13c" },
};

START_TEST(pcr_bank_extend_vector)
{
	const struct vector *v = &vectors[_i];
	pcr_bank_t *bank = NULL;
	unsigned char *digest, *expected;
	size_t digest_len, expected_len, len;
	const uint8_t *value;

	ck_assert_int_eq(pcr_bank_create(v->alg, &bank), TS_OK);
	ck_assert_str_eq(pcr_bank_get_name(bank), v->name);
	ck_assert_uint_eq(pcr_bank_get_digest_size(bank), v->size);
	ck_assert_uint_eq(pcr_bank_get_alg(bank), v->alg);
	ck_assert_uint_eq(pcr_bank_alg_digest_size(v->alg), v->size);

	digest = test_hex(v->separator_digest, &digest_len);
	expected = test_hex(v->pcr_after, &expected_len);
	ck_assert_int_eq(pcr_bank_extend(bank, 2, digest, digest_len), TS_OK);
	ck_assert_int_eq(pcr_bank_read(bank, 2, &value, &len), TS_OK);
	ck_assert_uint_eq(len, expected_len);
	ck_assert_mem_eq(value, expected, len);
	ck_assert_uint_eq(pcr_bank_get_extended(bank), 1u << 2);

	free(digest);
	free(expected);
	pcr_bank_destroy(bank);
}
END_TEST

START_TEST(pcr_bank_reset_values)
{
	pcr_bank_t *bank = NULL;
	uint8_t zero[PCR_BANK_MAX_DIGEST_SIZE] = { 0 }, ones[PCR_BANK_MAX_DIGEST_SIZE];
	const uint8_t *value;
	size_t len;

	memset(ones, 0xff, sizeof(ones));
	ck_assert_int_eq(pcr_bank_create(PCR_BANK_ALG_SHA256, &bank), TS_OK);
	for (unsigned i = 0; i < PCR_BANK_NUM_PCRS; i++) {
		ck_assert_int_eq(pcr_bank_read(bank, i, &value, &len), TS_OK);
		ck_assert_uint_eq(len, 32);
		/* PC Client PTP: PCRs 17-22 (D-RTM) reset to all ones, the others to zero. */
		if (i >= 17 && i <= 22)
			ck_assert_mem_eq(value, ones, 32);
		else
			ck_assert_mem_eq(value, zero, 32);
	}
	pcr_bank_destroy(bank);
}
END_TEST

START_TEST(pcr_bank_startup_locality)
{
	pcr_bank_t *bank = NULL;
	uint8_t zero[32] = { 0 };
	const uint8_t *value;
	size_t len;

	ck_assert_int_eq(pcr_bank_create(PCR_BANK_ALG_SHA256, &bank), TS_OK);
	for (uint8_t locality = 0; locality <= 4; locality++) {
		ck_assert_int_eq(pcr_bank_reset(bank, locality), TS_OK);
		ck_assert_int_eq(pcr_bank_read(bank, 0, &value, &len), TS_OK);
		ck_assert_mem_eq(value, zero, 31);
		ck_assert_uint_eq(value[31], locality);
		/* Only PCR 0 carries the locality. */
		ck_assert_int_eq(pcr_bank_read(bank, 1, &value, &len), TS_OK);
		ck_assert_uint_eq(value[31], 0);
	}
	ck_assert_int_eq(pcr_bank_reset(bank, 5), TS_E_INVALID);
	pcr_bank_destroy(bank);
}
END_TEST

START_TEST(pcr_bank_reset_clears_extends)
{
	pcr_bank_t *bank = NULL;
	uint8_t digest[20] = { 1 }, zero[20] = { 0 };
	const uint8_t *value;
	size_t len;

	ck_assert_int_eq(pcr_bank_create(PCR_BANK_ALG_SHA1, &bank), TS_OK);
	ck_assert_int_eq(pcr_bank_extend(bank, 23, digest, sizeof(digest)), TS_OK);
	ck_assert_uint_eq(pcr_bank_get_extended(bank), 1u << 23);
	ck_assert_int_eq(pcr_bank_reset(bank, 0), TS_OK);
	ck_assert_uint_eq(pcr_bank_get_extended(bank), 0);
	ck_assert_int_eq(pcr_bank_read(bank, 23, &value, &len), TS_OK);
	ck_assert_mem_eq(value, zero, 20);
	pcr_bank_destroy(bank);
}
END_TEST

START_TEST(pcr_bank_bad_arguments)
{
	pcr_bank_t *bank = NULL;
	uint8_t digest[33] = { 0 };
	const uint8_t *value;
	size_t len;

	ck_assert_int_eq(pcr_bank_create(0x0012, &bank), TS_E_UNSUPPORTED);  /* SM3-256 */
	ck_assert_int_eq(pcr_bank_create(0x0099, &bank), TS_E_UNSUPPORTED);
	ck_assert_ptr_null(bank);

	ck_assert_int_eq(pcr_bank_create(PCR_BANK_ALG_SHA256, &bank), TS_OK);
	ck_assert_int_eq(pcr_bank_extend(bank, 24, digest, 32), TS_E_INVALID);
	ck_assert_int_eq(pcr_bank_extend(bank, 0, digest, 31), TS_E_INVALID);
	ck_assert_int_eq(pcr_bank_extend(bank, 0, digest, 33), TS_E_INVALID);
	ck_assert_int_eq(pcr_bank_read(bank, 24, &value, &len), TS_E_INVALID);
	ck_assert_uint_eq(pcr_bank_get_extended(bank), 0);
	pcr_bank_destroy(bank);
	pcr_bank_destroy(NULL);
}
END_TEST

START_TEST(pcr_bank_alg_names)
{
	ck_assert_str_eq(pcr_bank_alg_name(0x0004), "sha1");
	ck_assert_str_eq(pcr_bank_alg_name(0x000B), "sha256");
	ck_assert_str_eq(pcr_bank_alg_name(0x000C), "sha384");
	ck_assert_str_eq(pcr_bank_alg_name(0x000D), "sha512");
	ck_assert_str_eq(pcr_bank_alg_name(0x0012), "sm3_256");
	ck_assert_ptr_null(pcr_bank_alg_name(0x0099));
	ck_assert_uint_eq(pcr_bank_alg_digest_size(0x0012), 0);
}
END_TEST

START_TEST(pcr_set_lookup)
{
	pcr_set_t *set = NULL;
	pcr_bank_t *bank;
	uint8_t digest[48] = { 0 };
	const uint8_t *value;
	size_t len;

	ck_assert_int_eq(pcr_set_create(&set), TS_OK);
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		bank = pcr_set_get_bank(set, vectors[i].alg);
		ck_assert_ptr_nonnull(bank);
		ck_assert_uint_eq(pcr_bank_get_alg(bank), vectors[i].alg);
		ck_assert_ptr_eq(pcr_set_get_bank_at(set, i), bank);
	}
	ck_assert_ptr_null(pcr_set_get_bank(set, 0x0012));
	ck_assert_ptr_null(pcr_set_get_bank_at(set, PCR_SET_NUM_BANKS));

	/* Banks are independent, and a set reset reaches every bank. */
	bank = pcr_set_get_bank(set, PCR_BANK_ALG_SHA384);
	ck_assert_int_eq(pcr_bank_extend(bank, 7, digest, 48), TS_OK);
	ck_assert_uint_eq(pcr_bank_get_extended(pcr_set_get_bank(set, PCR_BANK_ALG_SHA256)), 0);
	ck_assert_int_eq(pcr_set_reset(set, 3), TS_OK);
	ck_assert_uint_eq(pcr_bank_get_extended(bank), 0);
	ck_assert_int_eq(pcr_bank_read(pcr_set_get_bank(set, PCR_BANK_ALG_SHA512), 0, &value, &len), TS_OK);
	ck_assert_uint_eq(len, 64);
	ck_assert_uint_eq(value[63], 3);
	pcr_set_destroy(set);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pcr_bank");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, pcr_bank_extend_vector, 0, sizeof(vectors) / sizeof(vectors[0]));
	tcase_add_test(tc, pcr_bank_reset_values);
	tcase_add_test(tc, pcr_bank_startup_locality);
	tcase_add_test(tc, pcr_bank_reset_clears_extends);
	tcase_add_test(tc, pcr_bank_bad_arguments);
	tcase_add_test(tc, pcr_bank_alg_names);
	tcase_add_test(tc, pcr_set_lookup);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
