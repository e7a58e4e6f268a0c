#include <openssl/bn.h>

#include "test_util.h"
#include "attest/dh_nonce.h"
#include "attest/meas_algo.h"
#include "conf.h"

/* Returns the hex value called `name` in tests/data/attest/FILE, decoded. */
static unsigned char *vector(const char *file, const char *name, size_t *len)
{
	char path[256];
	size_t text_len, name_len = strlen(name);
	unsigned char *text, *value = NULL;

	snprintf(path, sizeof(path), "attest/%s", file);
	text = test_read_file(test_data_path(path), &text_len);
	for (size_t i = 0; i + name_len + 1 < text_len; i++) {
		if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, name, name_len) == 0 &&
		    text[i + name_len] == ' ') {
			size_t start = i + name_len + 1, end = start;
			char *hex;

			while (end < text_len && text[end] != '\n')
				end++;
			hex = strndup((const char *)text + start, end - start);
			ck_assert_ptr_nonnull(hex);
			value = test_hex(hex, len);
			free(hex);
			break;
		}
	}
	free(text);
	ck_assert_msg(value != NULL, "no value %s in %s", name, file);
	return value;
}

static const uint16_t all_groups[] = {
	DH_NONCE_MODP1024, DH_NONCE_MODP1536, DH_NONCE_MODP2048, DH_NONCE_ECP256, DH_NONCE_ECP384,
};

/* Public value and shared secret lengths from the PTS DH group table. */
START_TEST(dh_nonce_public_lengths)
{
	ck_assert_uint_eq(dh_nonce_public_len(0x8000), 128);
	ck_assert_uint_eq(dh_nonce_public_len(0x4000), 192);
	ck_assert_uint_eq(dh_nonce_public_len(0x2000), 256);
	ck_assert_uint_eq(dh_nonce_public_len(0x1000), 64);
	ck_assert_uint_eq(dh_nonce_public_len(0x0800), 96);
	ck_assert_uint_eq(dh_nonce_public_len(0x0400), 0);
}
END_TEST

/* Both sides of each group agree, for every hash, in both roles. */
START_TEST(dh_nonce_both_sides_agree)
{
	uint16_t group = all_groups[_i];
	dh_nonce_t *imv = NULL, *imc = NULL;
	const uint8_t *imv_pub, *imc_pub, *imv_nonce, *imc_nonce;
	size_t imv_pub_len, imc_pub_len, imv_nonce_len, imc_nonce_len;
	static const uint16_t hashes[] = { MEAS_ALGO_SHA1, MEAS_ALGO_SHA256, MEAS_ALGO_SHA384, MEAS_ALGO_SHA512 };

	ck_assert_int_eq(dh_nonce_create(group, 20, &imc), TS_OK);
	ck_assert_int_eq(dh_nonce_create(group, 20, &imv), TS_OK);
	ck_assert_uint_eq(dh_nonce_get_group(imc), group);
	dh_nonce_get_public(imv, &imv_pub, &imv_pub_len);
	dh_nonce_get_public(imc, &imc_pub, &imc_pub_len);
	dh_nonce_get_nonce(imv, &imv_nonce, &imv_nonce_len);
	dh_nonce_get_nonce(imc, &imc_nonce, &imc_nonce_len);
	ck_assert_uint_eq(imv_pub_len, dh_nonce_public_len(group));
	ck_assert_uint_eq(imc_pub_len, dh_nonce_public_len(group));
	ck_assert_uint_eq(imv_nonce_len, 20);
	ck_assert_int_ne(memcmp(imv_nonce, imc_nonce, 20), 0);
	ck_assert_int_ne(memcmp(imv_pub, imc_pub, imv_pub_len), 0);

	ck_assert_int_eq(dh_nonce_set_peer(imv, imc_pub, imc_pub_len, imc_nonce, imc_nonce_len), TS_OK);
	ck_assert_int_eq(dh_nonce_set_peer(imc, imv_pub, imv_pub_len, imv_nonce, imv_nonce_len), TS_OK);

	for (size_t h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++) {
		uint8_t a[64], b[64], wrong[64];
		size_t a_len = 0, b_len = 0, wrong_len = 0;

		ck_assert_int_eq(dh_nonce_compute_secret(imv, DH_NONCE_INITIATOR, hashes[h], a, sizeof(a), &a_len), TS_OK);
		ck_assert_int_eq(dh_nonce_compute_secret(imc, DH_NONCE_RESPONDER, hashes[h], b, sizeof(b), &b_len), TS_OK);
		ck_assert_uint_eq(a_len, meas_algo_digest_len(hashes[h]));
		ck_assert_uint_eq(b_len, a_len);
		ck_assert_mem_eq(a, b, a_len);
		/* The other role puts the nonces in the other order. */
		ck_assert_int_eq(dh_nonce_compute_secret(imc, DH_NONCE_INITIATOR, hashes[h], wrong, sizeof(wrong),
							 &wrong_len), TS_OK);
		ck_assert_int_ne(memcmp(a, wrong, a_len), 0);
	}
	dh_nonce_destroy(imv);
	dh_nonce_destroy(imc);
}
END_TEST

/* The secret of the strongSwan run: SHA-256('1' || Ni || Nr || shared). */
START_TEST(dh_nonce_secret_interop)
{
	size_t ni_len, nr_len, shared_len, secret_len;
	unsigned char *ni = vector("strongswan-run1-vectors.txt", "initiator_nonce", &ni_len);
	unsigned char *nr = vector("strongswan-run1-vectors.txt", "responder_nonce", &nr_len);
	unsigned char *shared = vector("strongswan-run1-vectors.txt", "shared_secret", &shared_len);
	unsigned char *secret = vector("strongswan-run1-vectors.txt", "secret", &secret_len);
	uint8_t out[64];
	size_t out_len = 0;

	ck_assert_int_eq(dh_nonce_derive_secret(MEAS_ALGO_SHA256, ni, ni_len, nr, nr_len, shared, shared_len,
						out, sizeof(out), &out_len), TS_OK);
	ck_assert_uint_eq(out_len, secret_len);
	ck_assert_mem_eq(out, secret, secret_len);

	/* Swapped nonces do not reproduce it. */
	ck_assert_int_eq(dh_nonce_derive_secret(MEAS_ALGO_SHA256, nr, nr_len, ni, ni_len, shared, shared_len,
						out, sizeof(out), &out_len), TS_OK);
	ck_assert_int_ne(memcmp(out, secret, secret_len), 0);
	free(ni);
	free(nr);
	free(shared);
	free(secret);
}
END_TEST

/* The same inputs with the other hashes, against values from the openssl command line. */
START_TEST(dh_nonce_secret_other_hashes)
{
	static const struct { uint16_t algo; const char *name; } cases[] = {
		{ MEAS_ALGO_SHA1, "secret_sha1" },
		{ MEAS_ALGO_SHA256, "secret_sha256" },
		{ MEAS_ALGO_SHA384, "secret_sha384" },
		{ MEAS_ALGO_SHA512, "secret_sha512" },
	};
	size_t ni_len, nr_len, shared_len;
	unsigned char *ni = vector("strongswan-run1-vectors.txt", "initiator_nonce", &ni_len);
	unsigned char *nr = vector("strongswan-run1-vectors.txt", "responder_nonce", &nr_len);
	unsigned char *shared = vector("strongswan-run1-vectors.txt", "shared_secret", &shared_len);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t expected_len;
		unsigned char *expected = vector("openssl-dh-secrets.txt", cases[i].name, &expected_len);
		uint8_t out[64];
		size_t out_len = 0;

		ck_assert_int_eq(dh_nonce_derive_secret(cases[i].algo, ni, ni_len, nr, nr_len, shared, shared_len,
							out, sizeof(out), &out_len), TS_OK);
		ck_assert_uint_eq(out_len, expected_len);
		ck_assert_mem_eq(out, expected, expected_len);
		free(expected);
	}
	free(ni);
	free(nr);
	free(shared);
}
END_TEST

START_TEST(dh_nonce_secret_bad_hash)
{
	uint8_t in[20] = { 0 }, out[64];
	size_t out_len = 0;

	ck_assert_int_eq(dh_nonce_derive_secret(0x0800, in, 20, in, 20, in, 20, out, sizeof(out), &out_len),
			 TS_E_UNSUPPORTED);
	ck_assert_int_eq(dh_nonce_derive_secret(MEAS_ALGO_SHA256, in, 20, in, 20, in, 20, out, 31, &out_len),
			 TS_E_TOO_LARGE);
}
END_TEST

/* Both public values of the strongSwan run are accepted as P-256 points. */
START_TEST(dh_nonce_interop_public_values)
{
	static const char *const names[] = { "responder_public", "initiator_public" };

	for (size_t i = 0; i < 2; i++) {
		size_t pub_len, nonce_len;
		unsigned char *pub = vector("strongswan-run1-vectors.txt", names[i], &pub_len);
		unsigned char *nonce = vector("strongswan-run1-vectors.txt", "initiator_nonce", &nonce_len);
		dh_nonce_t *dh = NULL;

		ck_assert_uint_eq(pub_len, 64);
		ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, nonce_len, &dh), TS_OK);
		ck_assert_int_eq(dh_nonce_set_peer(dh, pub, pub_len, nonce, nonce_len), TS_OK);
		dh_nonce_destroy(dh);
		free(pub);
		free(nonce);
	}
}
END_TEST

static void expect_rejected(uint16_t group, const uint8_t *pub, size_t pub_len)
{
	uint8_t nonce[20] = { 1 };
	uint8_t out[32];
	size_t out_len;
	dh_nonce_t *dh = NULL;

	ck_assert_int_eq(dh_nonce_create(group, sizeof(nonce), &dh), TS_OK);
	ck_assert_int_eq(dh_nonce_set_peer(dh, pub, pub_len, nonce, sizeof(nonce)), TS_E_INVALID);
	/* Nothing was derived. */
	ck_assert_int_eq(dh_nonce_compute_secret(dh, DH_NONCE_INITIATOR, MEAS_ALGO_SHA256, out, sizeof(out),
						 &out_len), TS_E_STATE);
	dh_nonce_destroy(dh);
}

START_TEST(dh_nonce_ecp_invalid_points)
{
	size_t len;
	unsigned char *good = vector("strongswan-run1-vectors.txt", "responder_public", &len);
	uint8_t bad[96];

	/* y changed: the point leaves the curve. */
	memcpy(bad, good, 64);
	bad[63] ^= 0x01;
	expect_rejected(DH_NONCE_ECP256, bad, 64);
	/* All zero (the point at infinity has no affine encoding). */
	memset(bad, 0, sizeof(bad));
	expect_rejected(DH_NONCE_ECP256, bad, 64);
	/* x and y equal to the field prime of P-256: out of range. */
	memset(bad, 0xff, sizeof(bad));
	expect_rejected(DH_NONCE_ECP256, bad, 64);
	/* A valid P-256 point does not belong to P-384, nor does its length. */
	expect_rejected(DH_NONCE_ECP384, good, 64);
	memcpy(bad, good, 64);
	memset(bad + 64, 0, 32);
	expect_rejected(DH_NONCE_ECP384, bad, 96);
	/* Wrong lengths, including a 0x04 prefix that the wire format omits. */
	expect_rejected(DH_NONCE_ECP256, good, 63);
	bad[0] = 0x04;
	memcpy(bad + 1, good, 64);
	expect_rejected(DH_NONCE_ECP256, bad, 65);
	free(good);
}
END_TEST

START_TEST(dh_nonce_modp_invalid_values)
{
	static const struct { uint16_t group; size_t len; } groups[] = {
		{ DH_NONCE_MODP1024, 128 }, { DH_NONCE_MODP1536, 192 }, { DH_NONCE_MODP2048, 256 },
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		size_t n = groups[i].len;
		uint8_t value[256];
		BIGNUM *p = n == 128 ? BN_get_rfc2409_prime_1024(NULL)
			: n == 192 ? BN_get_rfc3526_prime_1536(NULL) : BN_get_rfc3526_prime_2048(NULL);

		ck_assert_ptr_nonnull(p);
		/* 0 and 1 */
		memset(value, 0, n);
		expect_rejected(groups[i].group, value, n);
		value[n - 1] = 1;
		expect_rejected(groups[i].group, value, n);
		/* p - 1, of order 2 */
		ck_assert_int_eq(BN_sub_word(p, 1), 1);
		ck_assert_int_eq(BN_bn2binpad(p, value, (int)n), (int)n);
		expect_rejected(groups[i].group, value, n);
		/* p itself and anything above */
		ck_assert_int_eq(BN_add_word(p, 1), 1);
		ck_assert_int_eq(BN_bn2binpad(p, value, (int)n), (int)n);
		expect_rejected(groups[i].group, value, n);
		memset(value, 0xff, n);
		expect_rejected(groups[i].group, value, n);
		/* p - 2 is a quadratic non-residue, outside the subgroup of order q. */
		if (groups[i].group != DH_NONCE_MODP1024) {
			ck_assert_int_eq(BN_sub_word(p, 2), 1);
			ck_assert_int_eq(BN_bn2binpad(p, value, (int)n), (int)n);
			expect_rejected(groups[i].group, value, n);
		}
		/* Wrong length, with a value that is valid at the right length (g = 2). */
		memset(value, 0, n);
		value[n - 1] = 2;
		expect_rejected(groups[i].group, value, n - 1);
		BN_free(p);
	}
}
END_TEST

START_TEST(dh_nonce_short_nonce_rejected)
{
	dh_nonce_t *dh = NULL;

	ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, 15, &dh), TS_E_INVALID);
	ck_assert_ptr_null(dh);
	ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, 0, &dh), TS_E_INVALID);
	ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, 256, &dh), TS_E_INVALID);
	ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, 16, &dh), TS_OK);
	dh_nonce_destroy(dh);
	dh = NULL;
	ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, 255, &dh), TS_OK);
	dh_nonce_destroy(dh);
}
END_TEST

START_TEST(dh_nonce_check_nonce_len_limits)
{
	dh_nonce_config cfg;

	dh_nonce_config_init(&cfg);
	ck_assert_int_eq(dh_nonce_check_nonce_len(&cfg, 15), TS_E_INVALID);
	ck_assert_int_eq(dh_nonce_check_nonce_len(&cfg, 16), TS_OK);
	ck_assert_int_eq(dh_nonce_check_nonce_len(&cfg, 255), TS_OK);
	ck_assert_int_eq(dh_nonce_check_nonce_len(&cfg, 256), TS_E_INVALID);
	cfg.min_nonce_len = 20;
	ck_assert_int_eq(dh_nonce_check_nonce_len(&cfg, 19), TS_E_INVALID);
	ck_assert_int_eq(dh_nonce_check_nonce_len(&cfg, 20), TS_OK);
}
END_TEST

START_TEST(dh_nonce_peer_nonce_length_mismatch)
{
	dh_nonce_t *a = NULL, *b = NULL;
	const uint8_t *pub, *nonce;
	size_t pub_len, nonce_len;

	ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, 20, &a), TS_OK);
	ck_assert_int_eq(dh_nonce_create(DH_NONCE_ECP256, 24, &b), TS_OK);
	dh_nonce_get_public(b, &pub, &pub_len);
	dh_nonce_get_nonce(b, &nonce, &nonce_len);
	ck_assert_int_eq(dh_nonce_set_peer(a, pub, pub_len, nonce, nonce_len), TS_E_INVALID);
	ck_assert_int_eq(dh_nonce_set_peer(a, pub, pub_len, nonce, 20), TS_OK);
	/* A second peer is not accepted. */
	ck_assert_int_eq(dh_nonce_set_peer(a, pub, pub_len, nonce, 20), TS_E_STATE);
	dh_nonce_destroy(a);
	dh_nonce_destroy(b);
}
END_TEST

/* strongSwan's IMV offered 0xF000 and its IMC chose ECP 256 (0x1000). */
START_TEST(dh_nonce_select_group_order)
{
	dh_nonce_config cfg;
	uint16_t out = 0;

	dh_nonce_config_init(&cfg);
	ck_assert_int_eq(dh_nonce_select_group(0xF000, dh_nonce_supported_groups(&cfg), &out), TS_OK);
	ck_assert_uint_eq(out, 0x1000);
	ck_assert_int_eq(dh_nonce_select_group(0xF800, dh_nonce_supported_groups(&cfg), &out), TS_OK);
	ck_assert_uint_eq(out, 0x0800);
	ck_assert_int_eq(dh_nonce_select_group(0xE000, dh_nonce_supported_groups(&cfg), &out), TS_OK);
	ck_assert_uint_eq(out, 0x2000);
	ck_assert_int_eq(dh_nonce_select_group(0xC000, dh_nonce_supported_groups(&cfg), &out), TS_OK);
	ck_assert_uint_eq(out, 0x4000);
	ck_assert_int_eq(dh_nonce_select_group(0x8000, dh_nonce_supported_groups(&cfg), &out), TS_OK);
	ck_assert_uint_eq(out, 0x8000);
	out = 0x1234;
	ck_assert_int_eq(dh_nonce_select_group(0x0400, dh_nonce_supported_groups(&cfg), &out), TS_E_UNSUPPORTED);
	ck_assert_uint_eq(out, 0x1234);
}
END_TEST

static int load_config(const char *text, dh_nonce_config *cfg)
{
	conf_t *conf = NULL;
	int rc;

	ck_assert_int_eq(conf_parse("test.conf", text, strlen(text), &conf), TS_OK);
	rc = dh_nonce_config_load(conf, "attestation", cfg);
	conf_free(conf);
	return rc;
}

START_TEST(dh_nonce_modp1024_switched_off)
{
	dh_nonce_config cfg;
	uint16_t out = 0;

	ck_assert_int_eq(load_config("[attestation]\nallow_modp1024 = no\n", &cfg), TS_OK);
	ck_assert_uint_eq(dh_nonce_supported_groups(&cfg), 0x7800);
	ck_assert_int_eq(dh_nonce_select_group(0x8000, dh_nonce_supported_groups(&cfg), &out), TS_E_UNSUPPORTED);
	ck_assert_int_eq(dh_nonce_select_group(0xC000, dh_nonce_supported_groups(&cfg), &out), TS_OK);
	ck_assert_uint_eq(out, 0x4000);
}
END_TEST

START_TEST(dh_nonce_config_defaults_and_limits)
{
	dh_nonce_config cfg;

	ck_assert_int_eq(load_config("", &cfg), TS_OK);
	ck_assert(cfg.allow_modp1024);
	ck_assert_uint_eq(cfg.nonce_len, 20);
	ck_assert_uint_eq(cfg.min_nonce_len, 16);
	ck_assert_uint_eq(dh_nonce_supported_groups(&cfg), 0xF800);
	ck_assert_int_eq(load_config("[attestation]\nnonce_len = 32\nmin_nonce_len = 24\n", &cfg), TS_OK);
	ck_assert_uint_eq(cfg.nonce_len, 32);
	ck_assert_uint_eq(cfg.min_nonce_len, 24);
	ck_assert_int_ne(load_config("[attestation]\nnonce_len = 15\n", &cfg), TS_OK);
	ck_assert_int_ne(load_config("[attestation]\nnonce_len = 256\n", &cfg), TS_OK);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("dh_nonce");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, dh_nonce_public_lengths);
	tcase_add_loop_test(tc, dh_nonce_both_sides_agree, 0, (int)(sizeof(all_groups) / sizeof(all_groups[0])));
	tcase_add_test(tc, dh_nonce_secret_interop);
	tcase_add_test(tc, dh_nonce_secret_other_hashes);
	tcase_add_test(tc, dh_nonce_secret_bad_hash);
	tcase_add_test(tc, dh_nonce_interop_public_values);
	tcase_add_test(tc, dh_nonce_ecp_invalid_points);
	tcase_add_test(tc, dh_nonce_modp_invalid_values);
	tcase_add_test(tc, dh_nonce_short_nonce_rejected);
	tcase_add_test(tc, dh_nonce_check_nonce_len_limits);
	tcase_add_test(tc, dh_nonce_peer_nonce_length_mismatch);
	tcase_add_test(tc, dh_nonce_select_group_order);
	tcase_add_test(tc, dh_nonce_modp1024_switched_off);
	tcase_add_test(tc, dh_nonce_config_defaults_and_limits);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
