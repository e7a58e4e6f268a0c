#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "test_util.h"
#include "attest/meas_algo.h"
#include "attest/tpm2_ak.h"
#include "attest/tpm2_quote.h"
#include "attest/tpm2_quote_info.h"
#include "attest/tpm2_rc.h"
#include "log.h"
#include "reader.h"
#include "writer.h"

/* The 145-byte TPM Quote Info of a strongSwan log, as the TPM 2.0 quote reference decodes it. */
static const char spec_quote_info[] =
	"FF544347 8018 0022 000B BDE2F1F3E7B60CA66D931CECAC7D25B469F0E39E969D3DB8A87989FBE2C19BC5 0020"
	"7E42B5094291357287 1A47618FFFF5C0FECD4DA7AE2C98F0A981F9B7F7C42719 000000005FA74E12 00000113 00000000 01"
	"0001010200000000 00000001 000B 03 FF4300 0020 296C1DBC8BF03DA1AD87AC084534786478EE63921BD0E5E2C854AB4EA77D53E6";

static const char run1[] = "strongswan-run1-vectors.txt";

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

/* ---- The spec's 145-byte quote info ---- */

START_TEST(tpm2_quote_spec_example_fields)
{
	size_t len;
	unsigned char *data = test_hex(spec_quote_info, &len);
	size_t signer_len, extra_len, digest_len;
	unsigned char *signer = test_hex("000B BDE2F1F3E7B60CA66D931CECAC7D25B469F0E39E969D3DB8A87989FBE2C19BC5",
					 &signer_len);
	unsigned char *extra = test_hex("7E42B50942913572871A47618FFFF5C0FECD4DA7AE2C98F0A981F9B7F7C42719",
					&extra_len);
	unsigned char *digest = test_hex("296C1DBC8BF03DA1AD87AC084534786478EE63921BD0E5E2C854AB4EA77D53E6",
					 &digest_len);
	TPMS_ATTEST attest;
	const TPMS_QUOTE_INFO *quote = &attest.attested.quote;

	ck_assert_uint_eq(len, 145);
	ck_assert_int_eq(tpm2_quote_parse(data, len, &attest, NULL), TS_OK);
	ck_assert_uint_eq(attest.magic, 0xFF544347);
	ck_assert_uint_eq(attest.type, 0x8018);
	ck_assert_uint_eq(attest.qualifiedSigner.size, 34);
	ck_assert_mem_eq(attest.qualifiedSigner.name, signer, 34);
	ck_assert_uint_eq(attest.extraData.size, 32);
	ck_assert_mem_eq(attest.extraData.buffer, extra, 32);
	ck_assert_uint_eq(attest.clockInfo.clock, 1604800018);
	ck_assert_uint_eq(attest.clockInfo.resetCount, 275);
	ck_assert_uint_eq(attest.clockInfo.restartCount, 0);
	ck_assert_uint_eq(attest.clockInfo.safe, 1);
	ck_assert_uint_eq(attest.firmwareVersion, 0x0001010200000000ULL);
	ck_assert_uint_eq(quote->pcrSelect.count, 1);
	ck_assert_uint_eq(quote->pcrSelect.pcrSelections[0].hash, 0x000B);
	ck_assert_uint_eq(quote->pcrSelect.pcrSelections[0].sizeofSelect, 3);
	ck_assert_uint_eq(quote->pcrSelect.pcrSelections[0].pcrSelect[0], 0xFF);
	ck_assert_uint_eq(quote->pcrSelect.pcrSelections[0].pcrSelect[1], 0x43);
	ck_assert_uint_eq(quote->pcrSelect.pcrSelections[0].pcrSelect[2], 0x00);
	ck_assert_uint_eq(quote->pcrDigest.size, 32);
	ck_assert_mem_eq(quote->pcrDigest.buffer, digest, 32);
	free(data);
	free(signer);
	free(extra);
	free(digest);
}
END_TEST

START_TEST(tpm2_quote_truncated_everywhere)
{
	size_t len;
	unsigned char *data = test_hex(spec_quote_info, &len);
	TPMS_ATTEST attest;

	for (size_t n = 0; n < len; n++) {
		size_t offset = SIZE_MAX;
		int rc = tpm2_quote_parse(data, n, &attest, &offset);

		ck_assert_msg(rc == TS_E_TRUNCATED || rc == TS_E_INVALID,
			      "length %zu: %s", n, ts_strerror(rc));
		ck_assert_uint_le(offset, n);
	}
	free(data);
}
END_TEST

START_TEST(tpm2_quote_trailing_byte)
{
	size_t len, offset = 0;
	unsigned char *data = test_hex(spec_quote_info, &len);
	unsigned char *longer = malloc(len + 1);
	TPMS_ATTEST attest;

	memcpy(longer, data, len);
	longer[len] = 0;
	ck_assert_int_eq(tpm2_quote_parse(longer, len + 1, &attest, &offset), TS_E_TRAILING);
	ck_assert_uint_eq(offset, 145);
	free(data);
	free(longer);
}
END_TEST

/* One corrupted field: offset of the byte to change, its new value, expected result and error offset. */
static const struct {
	size_t at;
	uint8_t value;
	int rc;
	size_t err_offset;
} bad_fields[] = {
	{ 0, 0xFE, TS_E_INVALID, 0 },       /* magic */
	{ 5, 0x17, TS_E_INVALID, 4 },       /* type = TPM_ST_ATTEST_CERTIFY */
	{ 6, 0x01, TS_E_TOO_LARGE, 6 },     /* qualifiedSigner size 0x0122 */
	{ 42, 0x01, TS_E_TOO_LARGE, 42 },   /* extraData size 0x0120 */
	{ 104, 0x11, TS_E_TOO_LARGE, 101 }, /* 17 PCR banks */
	{ 104, 0x02, TS_E_TOO_LARGE, 113 }, /* 2 banks: the second is read from pcrDigest */
	{ 107, 0x05, TS_E_TOO_LARGE, 107 }, /* sizeofSelect 5 */
	{ 111, 0x01, TS_E_TOO_LARGE, 111 }, /* pcrDigest size 0x0120 */
	{ 112, 0x21, TS_E_TRUNCATED, 111 }, /* pcrDigest size 33 */
	{ 112, 0x1F, TS_E_TRAILING, 144 },  /* pcrDigest size 31 */
};

START_TEST(tpm2_quote_bad_field)
{
	size_t len, offset = SIZE_MAX;
	unsigned char *data = test_hex(spec_quote_info, &len);
	TPMS_ATTEST attest;

	data[bad_fields[_i].at] = bad_fields[_i].value;
	ck_assert_int_eq(tpm2_quote_parse(data, len, &attest, &offset), bad_fields[_i].rc);
	ck_assert_uint_eq(offset, bad_fields[_i].err_offset);
	free(data);
}
END_TEST

/* ---- TPMT_SIGNATURE ---- */

START_TEST(tpm2_quote_signature_parse)
{
	size_t len, offset = SIZE_MAX;
	unsigned char *data = test_hex("0018 000B 0002 0102 0003 030405", &len);
	TPMT_SIGNATURE sig;

	ck_assert_int_eq(tpm2_quote_parse_signature(data, len, &sig, NULL), TS_OK);
	ck_assert_uint_eq(sig.sigAlg, TPM2_ALG_ECDSA);
	ck_assert_uint_eq(sig.signature.ecdsa.hash, TPM2_ALG_SHA256);
	ck_assert_uint_eq(sig.signature.ecdsa.signatureR.size, 2);
	ck_assert_uint_eq(sig.signature.ecdsa.signatureS.size, 3);
	ck_assert_uint_eq(sig.signature.ecdsa.signatureS.buffer[2], 0x05);
	for (size_t n = 0; n < len; n++)
		ck_assert_int_ne(tpm2_quote_parse_signature(data, n, &sig, NULL), TS_OK);
	ck_assert_int_eq(tpm2_quote_parse_signature(data, len - 1, &sig, &offset), TS_E_TRUNCATED);
	ck_assert_uint_eq(offset, 8);
	free(data);
}
END_TEST

START_TEST(tpm2_quote_signature_bad)
{
	size_t trailing_len, unknown_len, big_r_len, offset = SIZE_MAX;
	TPMT_SIGNATURE sig;
	unsigned char *trailing = test_hex("0014 000B 0001 AA 00", &trailing_len);
	unsigned char *unknown = test_hex("0099 000B 0001 AA", &unknown_len);
	unsigned char *big_r = test_hex("0018 000B 0081", &big_r_len);

	ck_assert_int_eq(tpm2_quote_parse_signature(trailing, trailing_len, &sig, &offset), TS_E_TRAILING);
	ck_assert_uint_eq(offset, 7);
	ck_assert_int_eq(tpm2_quote_parse_signature(unknown, unknown_len, &sig, &offset), TS_E_UNSUPPORTED);
	ck_assert_uint_eq(offset, 0);
	ck_assert_int_eq(tpm2_quote_parse_signature(big_r, big_r_len, &sig, &offset), TS_E_TOO_LARGE);
	ck_assert_uint_eq(offset, 4);
	free(trailing);
	free(unknown);
	free(big_r);
}
END_TEST

/* ---- strongSwan run 1: quote, AK and PCR values ---- */

struct run1_pcrs {
	unsigned char *values[24];
	tpm2_quote_pcr pcrs[24];
	tpm2_quote_pcr_list list;
};

static void run1_pcrs_load(struct run1_pcrs *p)
{
	static const unsigned int indices[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 14 };

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < sizeof(indices) / sizeof(indices[0]); i++) {
		char name[32];
		size_t len;

		snprintf(name, sizeof(name), "pcr_sha256_%u", indices[i]);
		p->values[i] = vector(run1, name, &len);
		p->pcrs[i] = (tpm2_quote_pcr){ TPM2_ALG_SHA256, indices[i], p->values[i], len };
	}
	p->list.pcrs = p->pcrs;
	p->list.count = sizeof(indices) / sizeof(indices[0]);
}

static void run1_pcrs_free(struct run1_pcrs *p)
{
	for (size_t i = 0; i < 24; i++)
		free(p->values[i]);
}

static EVP_PKEY *run1_ak(void)
{
	size_t len;
	unsigned char *spki = vector(run1, "aik_spki", &len);
	EVP_PKEY *ak = NULL;

	ck_assert_int_eq(tpm2_ak_from_spki_der(spki, len, &ak), TS_OK);
	free(spki);
	return ak;
}

/* The r || s of the run as a TPMT_SIGNATURE. */
static void run1_signature(TPMT_SIGNATURE *sig)
{
	size_t len;
	unsigned char *rs = vector(run1, "quote_signature", &len);

	ck_assert_uint_eq(len, 64);
	memset(sig, 0, sizeof(*sig));
	sig->sigAlg = TPM2_ALG_ECDSA;
	sig->signature.ecdsa.hash = TPM2_ALG_SHA256;
	sig->signature.ecdsa.signatureR.size = 32;
	memcpy(sig->signature.ecdsa.signatureR.buffer, rs, 32);
	sig->signature.ecdsa.signatureS.size = 32;
	memcpy(sig->signature.ecdsa.signatureS.buffer, rs + 32, 32);
	free(rs);
}

START_TEST(tpm2_quote_interop_fields)
{
	size_t len, secret_len, digest_len;
	unsigned char *data = vector(run1, "quote_info", &len);
	unsigned char *secret = vector(run1, "secret", &secret_len);
	unsigned char *digest = vector(run1, "pcr_digest", &digest_len);
	TPMS_ATTEST attest;

	ck_assert_uint_eq(len, 145);
	ck_assert_int_eq(tpm2_quote_parse(data, len, &attest, NULL), TS_OK);
	ck_assert_uint_eq(attest.qualifiedSigner.size, 34);
	ck_assert_uint_eq(attest.extraData.size, 32);
	ck_assert_mem_eq(attest.extraData.buffer, secret, 32);
	ck_assert_uint_eq(attest.clockInfo.clock, 311244);
	ck_assert_uint_eq(attest.clockInfo.resetCount, 8);
	ck_assert_uint_eq(attest.clockInfo.restartCount, 0);
	ck_assert_uint_eq(attest.clockInfo.safe, 1);
	ck_assert_uint_eq(attest.firmwareVersion, 0x2019102300163636ULL);
	ck_assert_mem_eq(attest.attested.quote.pcrDigest.buffer, digest, 32);
	free(data);
	free(secret);
	free(digest);
}
END_TEST

START_TEST(tpm2_quote_interop_pcr_digest)
{
	size_t len, expected_len;
	unsigned char *data = vector(run1, "quote_info", &len);
	unsigned char *expected = vector(run1, "pcr_digest", &expected_len);
	struct run1_pcrs pcrs;
	TPMS_ATTEST attest;
	uint8_t digest[64];
	size_t digest_len = 0;

	run1_pcrs_load(&pcrs);
	ck_assert_int_eq(tpm2_quote_parse(data, len, &attest, NULL), TS_OK);
	ck_assert_int_eq(tpm2_quote_pcr_digest(&attest.attested.quote.pcrSelect, TPM2_ALG_SHA256,
					       tpm2_quote_pcr_array, &pcrs.list, digest, sizeof(digest), &digest_len),
			 TS_OK);
	ck_assert_uint_eq(digest_len, expected_len);
	ck_assert_mem_eq(digest, expected, expected_len);
	run1_pcrs_free(&pcrs);
	free(data);
	free(expected);
}
END_TEST

START_TEST(tpm2_quote_interop_verifies)
{
	size_t len, secret_len;
	unsigned char *data = vector(run1, "quote_info", &len);
	unsigned char *secret = vector(run1, "secret", &secret_len);
	struct run1_pcrs pcrs;
	TPMT_SIGNATURE sig;
	EVP_PKEY *ak = run1_ak();
	tpm2_quote_status status = TPM2_QUOTE_MALFORMED;
	tpm2_quote_input in = {
		.attest = data, .attest_len = len, .signature = &sig, .ak = ak,
		.qualifying_data = secret, .qualifying_data_len = secret_len,
		.read_pcr = tpm2_quote_pcr_array, .read_pcr_ctx = &pcrs.list,
	};

	run1_pcrs_load(&pcrs);
	run1_signature(&sig);
	ck_assert_int_eq(tpm2_quote_verify(&in, NULL, &status), TS_OK);
	ck_assert_int_eq(status, TPM2_QUOTE_OK);

	/* Wrong secret. */
	secret[0] ^= 0x80;
	ck_assert_int_eq(tpm2_quote_verify(&in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_QUALIFYING_DATA);
	secret[0] ^= 0x80;

	/* A PCR value changed. */
	pcrs.values[10][31] ^= 0x01;
	ck_assert_int_eq(tpm2_quote_verify(&in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_PCR_DIGEST);
	pcrs.values[10][31] ^= 0x01;

	/* PCR 14 missing. */
	pcrs.list.count = 10;
	ck_assert_int_eq(tpm2_quote_verify(&in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_PCR_MISSING);
	pcrs.list.count = 11;

	/* A flipped signature bit. */
	sig.signature.ecdsa.signatureS.buffer[5] ^= 0x04;
	ck_assert_int_eq(tpm2_quote_verify(&in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_SIGNATURE);
	sig.signature.ecdsa.signatureS.buffer[5] ^= 0x04;

	/* A changed quote byte (the clock). */
	data[80] ^= 0x01;
	ck_assert_int_eq(tpm2_quote_verify(&in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_SIGNATURE);
	data[80] ^= 0x01;

	/* The ECDSA signature cannot be checked with an RSA scheme. */
	sig.sigAlg = TPM2_ALG_RSASSA;
	ck_assert_int_eq(tpm2_quote_verify(&in, NULL, &status), TS_E_UNSUPPORTED);
	ck_assert_int_eq(status, TPM2_QUOTE_UNSUPPORTED);

	EVP_PKEY_free(ak);
	run1_pcrs_free(&pcrs);
	free(data);
	free(secret);
}
END_TEST

START_TEST(tpm2_quote_pcr_digest_errors)
{
	static const uint8_t value[32];
	tpm2_quote_pcr pcrs[] = { { TPM2_ALG_SHA256, 0, value, 32 }, { TPM2_ALG_SHA1, 0, value, 32 } };
	tpm2_quote_pcr_list list = { pcrs, 2 };
	TPML_PCR_SELECTION sel = { .count = 1, .pcrSelections = { { TPM2_ALG_SHA256, 3, { 0x01, 0, 0 } } } };
	uint8_t digest[64];
	size_t len = 0;

	ck_assert_int_eq(tpm2_quote_pcr_digest(&sel, TPM2_ALG_SHA256, tpm2_quote_pcr_array, &list,
					       digest, sizeof(digest), &len), TS_OK);
	ck_assert_uint_eq(len, 32);
	/* A SHA-1 PCR given with 32 bytes. */
	sel.pcrSelections[0].hash = TPM2_ALG_SHA1;
	ck_assert_int_eq(tpm2_quote_pcr_digest(&sel, TPM2_ALG_SHA256, tpm2_quote_pcr_array, &list,
					       digest, sizeof(digest), &len), TS_E_INVALID);
	/* PCR 1 has no value. */
	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].pcrSelect[0] = 0x02;
	ck_assert_int_eq(tpm2_quote_pcr_digest(&sel, TPM2_ALG_SHA256, tpm2_quote_pcr_array, &list,
					       digest, sizeof(digest), &len), TS_E_NOT_FOUND);
	/* An SM3 bank and an SM3 digest are not supported. */
	sel.pcrSelections[0].hash = TPM2_ALG_SM3_256;
	ck_assert_int_eq(tpm2_quote_pcr_digest(&sel, TPM2_ALG_SHA256, tpm2_quote_pcr_array, &list,
					       digest, sizeof(digest), &len), TS_E_UNSUPPORTED);
	ck_assert_int_eq(tpm2_quote_pcr_digest(&sel, TPM2_ALG_SM3_256, tpm2_quote_pcr_array, &list,
					       digest, sizeof(digest), &len), TS_E_UNSUPPORTED);
	/* Output too small for SHA-256. */
	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].pcrSelect[0] = 0x01;
	ck_assert_int_eq(tpm2_quote_pcr_digest(&sel, TPM2_ALG_SHA256, tpm2_quote_pcr_array, &list,
					       digest, 31, &len), TS_E_TOO_LARGE);
}
END_TEST

START_TEST(tpm2_quote_info_signature_errors)
{
	tpm2_quote_info info;
	TPMT_SIGNATURE sig;
	EVP_PKEY *ec = run1_ak();
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	ck_assert_ptr_nonnull(rsa);
	ck_assert_ptr_nonnull(ed);
	memset(&info, 0, sizeof(info));
	info.signature_len = 63;
	ck_assert_int_eq(tpm2_quote_info_signature(&info, ec, TPM2_ALG_NULL, TPM2_ALG_SHA256, &sig), TS_E_INVALID);
	info.signature_len = 0;
	ck_assert_int_eq(tpm2_quote_info_signature(&info, ec, TPM2_ALG_NULL, TPM2_ALG_SHA256, &sig), TS_E_INVALID);
	info.signature_len = 128;
	ck_assert_int_eq(tpm2_quote_info_signature(&info, rsa, TPM2_ALG_ECDSA, TPM2_ALG_SHA256, &sig),
			 TS_E_UNSUPPORTED);
	ck_assert_int_eq(tpm2_quote_info_signature(&info, rsa, TPM2_ALG_NULL, TPM2_ALG_SHA256, &sig), TS_OK);
	ck_assert_uint_eq(sig.sigAlg, TPM2_ALG_RSASSA);
	ck_assert_int_eq(tpm2_quote_info_signature(&info, ed, TPM2_ALG_NULL, TPM2_ALG_SHA256, &sig),
			 TS_E_UNSUPPORTED);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ed);
}
END_TEST

/* SHA-1 of the AIK SubjectPublicKeyInfo is the Device ID strongSwan's OS IMC sent. */
START_TEST(tpm2_ak_interop_keyid)
{
	size_t spki_len, id_len;
	unsigned char *spki = vector(run1, "aik_spki", &spki_len);
	unsigned char *id = vector(run1, "device_id", &id_len);
	uint8_t keyid[TPM2_AK_KEYID_LEN], reencoded[TPM2_AK_KEYID_LEN];
	char hex[TPM2_AK_KEYID_HEX_LEN + 1];
	EVP_PKEY *ak = run1_ak();

	ck_assert_int_eq(tpm2_ak_keyid_spki(spki, spki_len, keyid), TS_OK);
	ck_assert_mem_eq(keyid, id, TPM2_AK_KEYID_LEN);
	tpm2_ak_keyid_hex(keyid, hex);
	ck_assert_str_eq(hex, "8cb3c7e3d94d84e8578949d3f271a09d987b069b");
	ck_assert_int_eq(tpm2_ak_keyid(ak, reencoded), TS_OK);
	ck_assert_mem_eq(reencoded, id, TPM2_AK_KEYID_LEN);
	ck_assert_uint_eq(tpm2_ak_ecc_coordinate_len(ak), 32);
	EVP_PKEY_free(ak);
	free(spki);
	free(id);
}
END_TEST

START_TEST(tpm2_ak_spki_bad)
{
	size_t len;
	unsigned char *spki = vector(run1, "aik_spki", &len);
	unsigned char *longer = malloc(len + 1);
	EVP_PKEY *ak = NULL;

	memcpy(longer, spki, len);
	longer[len] = 0;
	ck_assert_int_eq(tpm2_ak_from_spki_der(longer, len + 1, &ak), TS_E_TRAILING);
	ck_assert_int_eq(tpm2_ak_from_spki_der(spki, len - 1, &ak), TS_E_INVALID);
	ck_assert_int_eq(tpm2_ak_from_pem("not a key", 9, &ak), TS_E_INVALID);
	ck_assert_ptr_null(ak);
	free(spki);
	free(longer);
}
END_TEST

/* ---- SubjectPublicKeyInfo layouts decoded without d2i_PUBKEY ---- */

/* The layouts that tpm2_ak_from_spki_fixed() decodes, with the DER lengths of RFC 5480 and RFC 3279 keys. */
static const struct spki_case {
	const char *type;
	const char *group;  /* EC curve, NULL for RSA */
	size_t der_len;
	size_t key_offset;  /* first octet of the EC point or RSA modulus */
} spki_cases[] = {
	{ "EC", "P-256", 91, 26 },
	{ "EC", "P-384", 120, 23 },
	{ "RSA", NULL, 294, 33 },
};

static EVP_PKEY *spki_case_keygen(const struct spki_case *c)
{
	EVP_PKEY *key = c->group ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", c->group)
				 : EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	ck_assert_ptr_nonnull(key);
	return key;
}

/* The DER SubjectPublicKeyInfo OpenSSL writes for key. */
static unsigned char *spki_der(EVP_PKEY *key, size_t *len)
{
	unsigned char *der = NULL;
	int der_len = i2d_PUBKEY(key, &der);

	ck_assert_int_gt(der_len, 0);
	*len = (size_t)der_len;
	return der;
}

/* OpenSSL's own decoder, the reference for the fixed layouts. */
static EVP_PKEY *spki_d2i(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long)len);

	if (key && p != der + len) {
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

/* Whether `pub` verifies a SHA-256 signature that `priv` made over a fixed message. */
static bool spki_verifies(EVP_PKEY *priv, EVP_PKEY *pub)
{
	static const unsigned char msg[] = "TPM2 quote info stand-in";
	unsigned char sig[512];
	size_t sig_len = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, priv, NULL), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, sig, &sig_len, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(ctx);
	ctx = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_DigestVerifyInit_ex(ctx, NULL, "SHA256", NULL, NULL, pub, NULL), 1);
	ok = EVP_DigestVerify(ctx, sig, sig_len, msg, sizeof(msg)) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

START_TEST(tpm2_ak_spki_fixed_equals_d2i)
{
	const struct spki_case *c = &spki_cases[_i];
	EVP_PKEY *priv = spki_case_keygen(c), *fast = NULL, *ref;
	size_t len, again_len;
	unsigned char *der = spki_der(priv, &len), *again;

	ck_assert_uint_eq(len, c->der_len);
	ck_assert_int_eq(tpm2_ak_from_spki_fixed(der, len, &fast), TS_OK);
	ref = spki_d2i(der, len);
	ck_assert_ptr_nonnull(ref);
	ck_assert_int_eq(EVP_PKEY_eq(fast, ref), 1);
	ck_assert_int_eq(EVP_PKEY_get_bits(fast), EVP_PKEY_get_bits(ref));
	ck_assert_int_eq(EVP_PKEY_is_a(fast, c->type), 1);

	/* Re-encoded, the key gives back the same octets, so its keyid is unchanged. */
	again = spki_der(fast, &again_len);
	ck_assert_uint_eq(again_len, len);
	ck_assert_mem_eq(again, der, len);
	ck_assert(spki_verifies(priv, fast));

	EVP_PKEY_free(fast);
	fast = NULL;
	ck_assert_int_eq(tpm2_ak_from_spki_der(der, len, &fast), TS_OK);
	ck_assert_int_eq(EVP_PKEY_eq(fast, ref), 1);

	OPENSSL_free(again);
	OPENSSL_free(der);
	EVP_PKEY_free(fast);
	EVP_PKEY_free(ref);
	EVP_PKEY_free(priv);
}
END_TEST

/* Every truncation is invalid and a trailing byte is rejected, on both paths. */
START_TEST(tpm2_ak_spki_fixed_lengths)
{
	const struct spki_case *c = &spki_cases[_i];
	EVP_PKEY *priv = spki_case_keygen(c), *key = NULL;
	size_t len;
	unsigned char *der = spki_der(priv, &len);
	unsigned char *longer = malloc(len + 1);

	ck_assert_ptr_nonnull(longer);
	memcpy(longer, der, len);
	longer[len] = 0;
	for (size_t n = 0; n < len; n++) {
		int fixed_rc = tpm2_ak_from_spki_fixed(der, n, &key);

		/* Shorter than the prefix: not this layout, so d2i_PUBKEY decides. */
		if (n < c->key_offset)
			ck_assert_msg(fixed_rc == TS_E_UNSUPPORTED, "length %zu: %d", n, fixed_rc);
		else
			ck_assert_msg(fixed_rc == TS_E_INVALID, "length %zu: %d", n, fixed_rc);
		ck_assert_msg(tpm2_ak_from_spki_der(der, n, &key) == TS_E_INVALID, "length %zu", n);
		ck_assert_ptr_null(key);
	}
	ck_assert_int_eq(tpm2_ak_from_spki_fixed(longer, len + 1, &key), TS_E_TRAILING);
	ck_assert_int_eq(tpm2_ak_from_spki_der(longer, len + 1, &key), TS_E_TRAILING);
	ck_assert_ptr_null(key);

	/* A changed prefix octet (the outer SEQUENCE length) is another layout, which d2i_PUBKEY rejects. */
	der[1] ^= 0x01;
	ck_assert_int_eq(tpm2_ak_from_spki_fixed(der, len, &key), TS_E_UNSUPPORTED);
	ck_assert_ptr_null(spki_d2i(der, len));
	ck_assert_int_eq(tpm2_ak_from_spki_der(der, len, &key), TS_E_INVALID);
	ck_assert_ptr_null(key);

	free(longer);
	OPENSSL_free(der);
	EVP_PKEY_free(priv);
}
END_TEST

/* A point with a changed Y coordinate is not on the curve, and d2i_PUBKEY rejects it as well. */
START_TEST(tpm2_ak_spki_fixed_off_curve)
{
	const struct spki_case *c = &spki_cases[_i];
	EVP_PKEY *priv = spki_case_keygen(c), *key = NULL;
	size_t len;
	unsigned char *der = spki_der(priv, &len);

	ck_assert_ptr_nonnull(c->group);
	der[len - 1] ^= 0x01;
	ck_assert_ptr_null(spki_d2i(der, len));
	ck_assert_int_eq(tpm2_ak_from_spki_fixed(der, len, &key), TS_E_INVALID);
	ck_assert_int_eq(tpm2_ak_from_spki_der(der, len, &key), TS_E_INVALID);
	ck_assert_ptr_null(key);

	/* Off the curve and one byte more: invalid first, as d2i_PUBKEY reports it. */
	{
		unsigned char *longer = malloc(len + 1);

		ck_assert_ptr_nonnull(longer);
		memcpy(longer, der, len);
		longer[len] = 0;
		ck_assert_int_eq(tpm2_ak_from_spki_der(longer, len + 1, &key), TS_E_INVALID);
		free(longer);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(priv);
}
END_TEST

/* Keys outside the fixed layouts, each as OpenSSL encodes it. */
enum fallback_form {
	FALLBACK_P521,
	FALLBACK_P256_COMPRESSED,
	FALLBACK_P256_HYBRID,
	FALLBACK_P256_EXPLICIT,
	FALLBACK_RSA1024,
	FALLBACK_RSA2048_E3,
	FALLBACK_COUNT
};

static EVP_PKEY *fallback_keygen(enum fallback_form form)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *key = NULL;
	BIGNUM *e;

	switch (form) {
	case FALLBACK_P521:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
		break;
	case FALLBACK_P256_COMPRESSED:
	case FALLBACK_P256_HYBRID:
	case FALLBACK_P256_EXPLICIT:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		ck_assert_ptr_nonnull(key);
		if (form == FALLBACK_P256_EXPLICIT)
			ck_assert_int_eq(EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING,
									 OSSL_PKEY_EC_ENCODING_EXPLICIT), 1);
		else
			ck_assert_int_eq(EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
									 form == FALLBACK_P256_COMPRESSED
									 ? OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED
									 : OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_HYBRID), 1);
		break;
	case FALLBACK_RSA1024:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		break;
	case FALLBACK_RSA2048_E3:
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
		e = BN_new();
		ck_assert_ptr_nonnull(ctx);
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(BN_set_word(e, 3), 1);
		ck_assert_int_eq(EVP_PKEY_keygen_init(ctx), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e), 1);
		ck_assert_int_eq(EVP_PKEY_generate(ctx, &key), 1);
		BN_free(e);
		EVP_PKEY_CTX_free(ctx);
		break;
	default:
		break;
	}
	ck_assert_ptr_nonnull(key);
	return key;
}

/* Such keys go through d2i_PUBKEY and decode as before, whatever it accepts. */
START_TEST(tpm2_ak_spki_fallback_decodes)
{
	EVP_PKEY *priv = fallback_keygen((enum fallback_form)_i), *key = NULL, *ref;
	size_t len;
	unsigned char *der = spki_der(priv, &len);

	ck_assert_int_eq(tpm2_ak_from_spki_fixed(der, len, &key), TS_E_UNSUPPORTED);
	ck_assert_ptr_null(key);
	ref = spki_d2i(der, len);
	ck_assert_ptr_nonnull(ref);
	ck_assert_int_eq(tpm2_ak_from_spki_der(der, len, &key), TS_OK);
	ck_assert_int_eq(EVP_PKEY_eq(key, ref), 1);
	ck_assert(spki_verifies(priv, key));
	EVP_PKEY_free(key);
	EVP_PKEY_free(ref);
	OPENSSL_free(der);
	EVP_PKEY_free(priv);
}
END_TEST

/* A modulus INTEGER with a 00 octet before an octet below 0x80 is not minimal DER, so d2i_PUBKEY judges it. */
START_TEST(tpm2_ak_spki_rsa_padding_not_minimal)
{
	const struct spki_case *c = &spki_cases[2];
	EVP_PKEY *priv = spki_case_keygen(c), *key = NULL, *ref;
	size_t len;
	unsigned char *der = spki_der(priv, &len);
	int rc;

	ck_assert_uint_ge(der[c->key_offset], 0x80);
	der[c->key_offset] &= 0x7f;
	ck_assert_int_eq(tpm2_ak_from_spki_fixed(der, len, &key), TS_E_UNSUPPORTED);
	ref = spki_d2i(der, len);
	rc = tpm2_ak_from_spki_der(der, len, &key);
	if (ref) {
		ck_assert_int_eq(rc, TS_OK);
		ck_assert_int_eq(EVP_PKEY_eq(key, ref), 1);
	} else {
		ck_assert_int_eq(rc, TS_E_INVALID);
	}
	EVP_PKEY_free(key);
	EVP_PKEY_free(ref);
	OPENSSL_free(der);
	EVP_PKEY_free(priv);
}
END_TEST

START_TEST(tpm2_ak_tpm2b_public_bad)
{
	size_t len, offset = SIZE_MAX;
	/* An ECC P-256 signing key with a 1-byte x and y: valid layout, not a curve point. */
	unsigned char *pub = test_hex("001A 0023 000B 00050072 0000 0010 0018 000B 0003 0010 0001 01 0001 02", &len);
	EVP_PKEY *ak = NULL;
	TPM2B_PUBLIC parsed;

	ck_assert_uint_eq(len, 28);
	ck_assert_int_eq(tpm2_ak_parse_public(pub, len, &parsed, NULL), TS_OK);
	ck_assert_uint_eq(parsed.publicArea.type, TPM2_ALG_ECC);
	ck_assert_uint_eq(parsed.publicArea.parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
	ck_assert_int_eq(tpm2_ak_from_tpm2b_public(pub, len, &ak), TS_E_INVALID);
	/* Outer size larger than the input. */
	ck_assert_int_eq(tpm2_ak_parse_public(pub, len - 1, &parsed, &offset), TS_E_TRUNCATED);
	ck_assert_uint_eq(offset, 0);
	/* Outer size smaller than the TPMT_PUBLIC. */
	pub[1] = 0x19;
	ck_assert_int_eq(tpm2_ak_parse_public(pub, len - 1, &parsed, &offset), TS_E_INVALID);
	ck_assert_uint_eq(offset, 2);
	/* Bytes after the TPM2B. */
	ck_assert_int_eq(tpm2_ak_parse_public(pub, len, &parsed, &offset), TS_E_TRAILING);
	ck_assert_uint_eq(offset, 27);
	ck_assert_ptr_null(ak);
	free(pub);
}
END_TEST

/* ---- strongSwan's quote info in Simple Evidence Final ---- */

START_TEST(tpm2_quote_info_interop_parse)
{
	size_t len, digest_len, rs_len;
	unsigned char *sef = vector(run1, "simple_evidence_final", &len);
	unsigned char *digest = vector(run1, "pcr_digest", &digest_len);
	unsigned char *rs = vector(run1, "quote_signature", &rs_len);
	tpm2_quote_info info;
	reader_t r;
	writer_t w;

	ck_assert_uint_eq(len, 185);
	/* flags 0x10 (TPM 2.0 quote), reserved, composite hash SHA-256 */
	ck_assert_uint_eq(sef[0], 0x10);
	ck_assert_uint_eq((unsigned)(sef[2] << 8 | sef[3]), MEAS_ALGO_SHA256);

	reader_init(&r, sef, len);
	ck_assert_int_eq(reader_skip(&r, 4), TS_OK);
	ck_assert_int_eq(tpm2_quote_info_parse(&r, &info, NULL), TS_OK);
	ck_assert_uint_eq(reader_remaining(&r), 0);
	ck_assert_uint_eq(info.pcr_digest.size, 32);
	ck_assert_mem_eq(info.pcr_digest.buffer, digest, 32);
	ck_assert_uint_eq(info.qualified_signer.size, 34);
	ck_assert_uint_eq(info.clock_info.clock, 311244);
	ck_assert_uint_eq(info.clock_info.resetCount, 8);
	ck_assert_uint_eq(info.firmware_version, 0x2019102300163636ULL);
	ck_assert_uint_eq(info.pcr_select.count, 1);
	ck_assert_uint_eq(info.pcr_select.pcrSelections[0].hash, TPM2_ALG_SHA256);
	ck_assert_uint_eq(info.signature_len, 64);
	ck_assert_mem_eq(info.signature, rs, 64);

	/* Building gives the same octets back. */
	writer_init(&w, 4096);
	ck_assert_int_eq(tpm2_quote_info_build(&info, &w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), len - 4);
	ck_assert_mem_eq(writer_data(&w), sef + 4, len - 4);
	writer_free(&w);
	free(sef);
	free(digest);
	free(rs);
}
END_TEST

/* The IMV's rebuilt TPMS_ATTEST equals the 145 octets both ends logged. */
START_TEST(tpm2_quote_info_interop_rebuild)
{
	size_t len, secret_len, quote_len;
	unsigned char *sef = vector(run1, "simple_evidence_final", &len);
	unsigned char *secret = vector(run1, "secret", &secret_len);
	unsigned char *quote = vector(run1, "quote_info", &quote_len);
	tpm2_quote_info info;
	reader_t r;
	writer_t w;

	reader_init(&r, sef + 4, len - 4);
	ck_assert_int_eq(tpm2_quote_info_parse(&r, &info, NULL), TS_OK);
	writer_init(&w, 4096);
	ck_assert_int_eq(tpm2_quote_info_attest(&info, secret, secret_len, info.pcr_digest.buffer,
						info.pcr_digest.size, &w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), quote_len);
	ck_assert_mem_eq(writer_data(&w), quote, quote_len);
	writer_free(&w);
	free(sef);
	free(secret);
	free(quote);
}
END_TEST

START_TEST(tpm2_quote_info_interop_verifies)
{
	size_t len, secret_len;
	unsigned char *sef = vector(run1, "simple_evidence_final", &len);
	unsigned char *secret = vector(run1, "secret", &secret_len);
	struct run1_pcrs pcrs;
	tpm2_quote_info info;
	tpm2_quote_status status = TPM2_QUOTE_MALFORMED;
	EVP_PKEY *ak = run1_ak();
	reader_t r;

	run1_pcrs_load(&pcrs);
	reader_init(&r, sef + 4, len - 4);
	ck_assert_int_eq(tpm2_quote_info_parse(&r, &info, NULL), TS_OK);
	ck_assert_int_eq(tpm2_quote_info_verify(&info, MEAS_ALGO_SHA256, ak, TPM2_ALG_NULL, secret, secret_len,
						tpm2_quote_pcr_array, &pcrs.list, &status), TS_OK);
	ck_assert_int_eq(status, TPM2_QUOTE_OK);

	/* Another session's secret breaks the signature, as extraData is not sent. */
	secret[3] ^= 0x10;
	ck_assert_int_eq(tpm2_quote_info_verify(&info, MEAS_ALGO_SHA256, ak, TPM2_ALG_NULL, secret, secret_len,
						tpm2_quote_pcr_array, &pcrs.list, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_SIGNATURE);
	secret[3] ^= 0x10;

	/* A changed PCR value. */
	pcrs.values[0][0] ^= 0x01;
	ck_assert_int_eq(tpm2_quote_info_verify(&info, MEAS_ALGO_SHA256, ak, TPM2_ALG_NULL, secret, secret_len,
						tpm2_quote_pcr_array, &pcrs.list, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_PCR_DIGEST);
	pcrs.values[0][0] ^= 0x01;

	/* A composite hash other than the one the TPM used. */
	ck_assert_int_eq(tpm2_quote_info_verify(&info, MEAS_ALGO_SHA384, ak, TPM2_ALG_NULL, secret, secret_len,
						tpm2_quote_pcr_array, &pcrs.list, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_PCR_DIGEST);

	EVP_PKEY_free(ak);
	run1_pcrs_free(&pcrs);
	free(sef);
	free(secret);
}
END_TEST

/* The attested side's split of the parsed quote gives the octets strongSwan's IMC sent. */
START_TEST(tpm2_quote_info_interop_from_quote)
{
	size_t len, sef_len;
	unsigned char *quote = vector(run1, "quote_info", &len);
	unsigned char *sef = vector(run1, "simple_evidence_final", &sef_len);
	EVP_PKEY *ak = run1_ak();
	TPMS_ATTEST attest;
	TPMT_SIGNATURE sig;
	tpm2_quote_info info;
	uint16_t composite_hash = 0;
	writer_t w;

	ck_assert_int_eq(tpm2_quote_parse(quote, len, &attest, NULL), TS_OK);
	run1_signature(&sig);
	/* A TPM may return r without its leading zero octet; the AK restores the width. */
	ck_assert_int_eq(tpm2_quote_info_from_quote(&attest, &sig, ak, &info, &composite_hash), TS_OK);
	ck_assert_uint_eq(composite_hash, 0x4000);
	writer_init(&w, 4096);
	ck_assert_int_eq(tpm2_quote_info_build(&info, &w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), sef_len - 4);
	ck_assert_mem_eq(writer_data(&w), sef + 4, sef_len - 4);
	writer_free(&w);
	EVP_PKEY_free(ak);
	free(quote);
	free(sef);
}
END_TEST

START_TEST(tpm2_quote_info_short_coordinate_padded)
{
	TPMS_ATTEST attest;
	TPMT_SIGNATURE sig;
	tpm2_quote_info info;
	uint16_t composite_hash = 0;
	size_t len;
	unsigned char *quote = vector(run1, "quote_info", &len);
	EVP_PKEY *ak = run1_ak();

	ck_assert_int_eq(tpm2_quote_parse(quote, len, &attest, NULL), TS_OK);
	run1_signature(&sig);
	/* r = 0x00 || 31 octets, sent as 31 octets */
	memmove(sig.signature.ecdsa.signatureR.buffer, sig.signature.ecdsa.signatureR.buffer + 1, 31);
	sig.signature.ecdsa.signatureR.size = 31;
	ck_assert_int_eq(tpm2_quote_info_from_quote(&attest, &sig, ak, &info, &composite_hash), TS_OK);
	ck_assert_uint_eq(info.signature_len, 64);
	ck_assert_uint_eq(info.signature[0], 0x00);
	ck_assert_mem_eq(info.signature + 1, sig.signature.ecdsa.signatureR.buffer, 31);
	EVP_PKEY_free(ak);
	free(quote);
}
END_TEST

START_TEST(tpm2_quote_info_truncated_everywhere)
{
	size_t len;
	unsigned char *sef = vector(run1, "simple_evidence_final", &len);
	tpm2_quote_info info;

	for (size_t n = 4; n < len; n++) {
		reader_t r;
		size_t offset = SIZE_MAX;

		reader_init(&r, sef, n);
		ck_assert_int_eq(reader_skip(&r, 4), TS_OK);
		ck_assert_int_eq(tpm2_quote_info_parse(&r, &info, &offset), TS_E_TRUNCATED);
		ck_assert_uint_le(offset, n);
		/* The cursor stays where it was. */
		ck_assert_uint_eq(reader_offset(&r), 4);
	}
	free(sef);
}
END_TEST

START_TEST(tpm2_quote_info_bad_lengths)
{
	static const struct { size_t at; uint8_t value; int rc; size_t err_offset; } cases[] = {
		{ 7, 0x41, TS_E_TOO_LARGE, 4 },    /* PCR composite of 65 octets */
		{ 77, 0x10, TS_E_INVALID, 76 },    /* clock info length 16 */
		{ 96, 0x09, TS_E_INVALID, 95 },    /* version length 9 */
		{ 106, 0x0b, TS_E_TRAILING, 117 }, /* PCR selection length 11 */
		{ 110, 0x11, TS_E_TOO_LARGE, 107 }, /* 17 banks */
		{ 118, 0x10, TS_E_TOO_LARGE, 117 }, /* signature length 0x00100040 */
	};
	size_t len;
	unsigned char *sef = vector(run1, "simple_evidence_final", &len);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *copy = malloc(len);
		tpm2_quote_info info;
		size_t offset = SIZE_MAX;
		reader_t r;

		memcpy(copy, sef, len);
		copy[cases[i].at] = cases[i].value;
		reader_init(&r, copy, len);
		ck_assert_int_eq(reader_skip(&r, 4), TS_OK);
		ck_assert_int_eq(tpm2_quote_info_parse(&r, &info, &offset), cases[i].rc);
		ck_assert_uint_eq(offset, cases[i].err_offset);
		free(copy);
	}
	free(sef);
}
END_TEST

/* ---- TPM response codes ---- */

START_TEST(tpm2_rc_transient_codes)
{
	ck_assert(tpm2_rc_is_transient(0x922));
	ck_assert(tpm2_rc_is_transient(0x908));
	ck_assert(tpm2_rc_is_transient(0x90A));
	ck_assert(tpm2_rc_is_transient(TSS2_RESMGR_TPM_RC_LAYER | 0x922));
	ck_assert(!tpm2_rc_is_transient(0));
	ck_assert(!tpm2_rc_is_transient(0x921));  /* TPM_RC_LOCKOUT */
	ck_assert(!tpm2_rc_is_transient(0x902));  /* TPM_RC_OBJECT_MEMORY */
	ck_assert(!tpm2_rc_is_transient(0x101));  /* TPM_RC_FAILURE */
	ck_assert(!tpm2_rc_is_transient(TSS2_FEATURE_RC_LAYER | 0x922));
	ck_assert(!tpm2_rc_is_transient(TSS2_TCTI_RC_LAYER | 0x00A));
}
END_TEST

/* ---- Real quotes from swtpm and tpm2-tools ---- */

static char tpm_dir[64];
static pid_t swtpm_pid;

static bool tool_available(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	bool found = false;

	if (!path)
		return false;
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char full[4096];

		snprintf(full, sizeof(full), "%s/%s", dir, name);
		found = access(full, X_OK) == 0;
	}
	free(copy);
	return found;
}

/* Runs a shell command inside tpm_dir; its output goes to tools.log there. */
static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[2048], full[2300];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd %s && (%s) >>tools.log 2>&1", tpm_dir, cmd);
	rc = system(full);
	ck_assert_msg(rc == 0, "'%s' failed (status %d); see %s/tools.log", cmd, rc, tpm_dir);
}

static void tpm_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", tpm_dir, name);
}

/* Whether `pid` is a swtpm whose command line names tpm_dir, so a wrong PID is never signalled. */
static bool is_our_swtpm(pid_t pid)
{
	char path[64], cmdline[4096];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "rb");
	if (!f)
		return false;
	len = fread(cmdline, 1, sizeof(cmdline) - 1, f);
	fclose(f);
	for (size_t i = 0; i < len; i++) {
		if (cmdline[i] == '\0')
			cmdline[i] = ' ';
	}
	cmdline[len] = '\0';
	return strncmp(cmdline, "swtpm ", 6) == 0 && strstr(cmdline, tpm_dir) != NULL;
}

static void swtpm_start(void)
{
	char path[256];
	size_t len;
	unsigned char *pid_text;

	strcpy(tpm_dir, "/tmp/tncsuite-attest-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tpm_dir));
	run("mkdir state && swtpm socket --tpm2 --tpmstate dir=%s/state"
	    " --server type=unixio,path=%s/tpm.sock --ctrl type=unixio,path=%s/tpm.sock.ctrl"
	    " --flags not-need-init,startup-clear --pid file=%s/swtpm.pid --log file=%s/swtpm.log --daemon",
	    tpm_dir, tpm_dir, tpm_dir, tpm_dir, tpm_dir);

	/* --daemon returns once the sockets exist; wait for the PID file all the same. */
	tpm_path(path, sizeof(path), "swtpm.pid");
	for (int i = 0; i < 100 && access(path, R_OK) != 0; i++)
		nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	/* swtpm writes the PID without a newline. */
	pid_text = test_read_file(path, &len);
	pid_text = realloc(pid_text, len + 1);
	ck_assert_ptr_nonnull(pid_text);
	pid_text[len] = '\0';
	swtpm_pid = (pid_t)strtol((char *)pid_text, NULL, 10);
	free(pid_text);
	ck_assert_int_gt(swtpm_pid, 0);
	ck_assert_msg(is_our_swtpm(swtpm_pid), "PID %d from %s is not the swtpm of %s", (int)swtpm_pid, path, tpm_dir);

	snprintf(path, sizeof(path), "swtpm:path=%s/tpm.sock", tpm_dir);
	setenv("TPM2TOOLS_TCTI", path, 1);
	setenv("TSS2_LOG", "all+none", 1);
}

/*
 * Provisions an ECC AK (ECDSA) and two RSA AKs (RSASSA, RSAPSS), extends
 * PCRs in two banks, quotes once with each AK over the same selection and
 * nonce, and reads the PCRs with tpm2_pcrread.
 */
static void swtpm_setup(void)
{
	uint8_t nonce[20];
	char nonce_hex[41];
	static const char selection[] = "sha256:0,7,16,23+sha1:0,16";

	swtpm_start();

	run("tpm2_createek -c ek_ecc.ctx -G ecc -u ek_ecc.pub && tpm2_flushcontext -t");
	run("tpm2_createak -C ek_ecc.ctx -c ak_ecc.ctx -G ecc -g sha256 -s ecdsa -u ak_ecc.pub -n ak_ecc.name"
	    " && tpm2_flushcontext -t");
	run("tpm2_readpublic -c ak_ecc.ctx -f pem -o ak_ecc.pem && tpm2_readpublic -c ak_ecc.ctx -f der -o ak_ecc.der"
	    " && tpm2_flushcontext -t");
	run("tpm2_createek -c ek_rsa.ctx -G rsa -u ek_rsa.pub && tpm2_flushcontext -t");
	run("tpm2_createak -C ek_rsa.ctx -c ak_rsassa.ctx -G rsa -g sha256 -s rsassa -u ak_rsassa.pub"
	    " && tpm2_flushcontext -t && tpm2_readpublic -c ak_rsassa.ctx -f der -o ak_rsassa.der"
	    " && tpm2_flushcontext -t");
	run("tpm2_createak -C ek_rsa.ctx -c ak_rsapss.ctx -G rsa -g sha256 -s rsapss -u ak_rsapss.pub"
	    " && tpm2_flushcontext -t && tpm2_readpublic -c ak_rsapss.ctx -f pem -o ak_rsapss.pem"
	    " && tpm2_flushcontext -t");

	run("tpm2_pcrextend 16:sha1=%s,sha256=%s", "1111111111111111111111111111111111111111",
	    "2222222222222222222222222222222222222222222222222222222222222222");
	run("tpm2_pcrextend 0:sha1=%s,sha256=%s", "3333333333333333333333333333333333333333",
	    "4444444444444444444444444444444444444444444444444444444444444444");
	run("tpm2_pcrextend 7:sha256=%s 16:sha256=%s",
	    "5555555555555555555555555555555555555555555555555555555555555555",
	    "6666666666666666666666666666666666666666666666666666666666666666");

	ck_assert_int_eq(RAND_bytes(nonce, sizeof(nonce)), 1);
	for (size_t i = 0; i < sizeof(nonce); i++)
		sprintf(nonce_hex + 2 * i, "%02x", nonce[i]);
	run("printf %s > nonce.hex", nonce_hex);

	run("tpm2_quote -c ak_ecc.ctx -l %s -q %s -m ecc.msg -s ecc.sig -g sha256 && tpm2_flushcontext -t",
	    selection, nonce_hex);
	run("tpm2_quote -c ak_rsassa.ctx -l %s -q %s -m rsassa.msg -s rsassa.sig -g sha256 --scheme rsassa"
	    " && tpm2_flushcontext -t", selection, nonce_hex);
	run("tpm2_quote -c ak_rsapss.ctx -l %s -q %s -m rsapss.msg -s rsapss.sig -g sha256 --scheme rsapss"
	    " && tpm2_flushcontext -t", selection, nonce_hex);
	run("tpm2_pcrread %s > pcrs.yaml", selection);
}

static void swtpm_teardown(void)
{
	if (swtpm_pid > 0 && is_our_swtpm(swtpm_pid)) {
		kill(swtpm_pid, SIGTERM);
		for (int i = 0; i < 100 && is_our_swtpm(swtpm_pid); i++)
			nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	swtpm_pid = 0;
	if (tpm_dir[0] && getenv("TNCSUITE_KEEP_TPM_DIR") == NULL) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tpm_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tpm_dir);
	}
}

static unsigned char *tpm_file(const char *name, size_t *len)
{
	char path[256];

	tpm_path(path, sizeof(path), name);
	return test_read_file(path, len);
}

/* PCR values parsed from tpm2_pcrread's YAML output. */
struct tool_pcrs {
	uint8_t values[32][64];
	tpm2_quote_pcr pcrs[32];
	tpm2_quote_pcr_list list;
};

static void tool_pcrs_load(struct tool_pcrs *p)
{
	size_t len;
	char *text = (char *)tpm_file("pcrs.yaml", &len);
	char *line, *save = NULL;
	TPM2_ALG_ID bank = 0;
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	text = realloc(text, len + 1);
	text[len] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned int index;
		char hex[160];

		if (strstr(line, "sha1:"))
			bank = TPM2_ALG_SHA1;
		else if (strstr(line, "sha256:"))
			bank = TPM2_ALG_SHA256;
		else if (sscanf(line, " %u : 0x%159s", &index, hex) == 2) {
			size_t vlen;
			unsigned char *value = test_hex(hex, &vlen);

			ck_assert_uint_lt(n, 32);
			ck_assert_uint_le(vlen, 64);
			memcpy(p->values[n], value, vlen);
			p->pcrs[n] = (tpm2_quote_pcr){ bank, index, p->values[n], vlen };
			n++;
			free(value);
		}
	}
	free(text);
	ck_assert_uint_eq(n, 6);
	p->list.pcrs = p->pcrs;
	p->list.count = n;
}

enum key_form { FORM_TPM2B, FORM_DER, FORM_PEM };

static EVP_PKEY *tool_key(const char *file, enum key_form form)
{
	size_t len;
	unsigned char *data = tpm_file(file, &len);
	EVP_PKEY *key = NULL;
	int rc = form == FORM_TPM2B ? tpm2_ak_from_tpm2b_public(data, len, &key)
		: form == FORM_DER ? tpm2_ak_from_spki_der(data, len, &key)
		: tpm2_ak_from_pem((const char *)data, len, &key);

	ck_assert_int_eq(rc, TS_OK);
	free(data);
	return key;
}

static const struct quote_kind {
	const char *name;
	TPM2_ALG_ID scheme;
	const char *key_file;
	enum key_form form;
	const char *wrong_key_file;  /* same key type, another key */
	enum key_form wrong_form;
} kinds[] = {
	{ "ecc", TPM2_ALG_ECDSA, "ak_ecc.pub", FORM_TPM2B, "ek_ecc.pub", FORM_TPM2B },
	{ "rsassa", TPM2_ALG_RSASSA, "ak_rsassa.der", FORM_DER, "ak_rsapss.pem", FORM_PEM },
	{ "rsapss", TPM2_ALG_RSAPSS, "ak_rsapss.pem", FORM_PEM, "ak_rsassa.pub", FORM_TPM2B },
};

/* Everything one verification needs, loaded from the files of one quote kind. */
struct tool_quote {
	unsigned char *attest;
	size_t attest_len;
	unsigned char *nonce;
	size_t nonce_len;
	TPMT_SIGNATURE sig;
	EVP_PKEY *ak;
	struct tool_pcrs pcrs;
	tpm2_quote_input in;
};

static void tool_quote_load(struct tool_quote *q, const struct quote_kind *kind)
{
	char name[64];
	size_t sig_len, hex_len;
	unsigned char *sig, *hex;
	char *nonce_text;

	memset(q, 0, sizeof(*q));
	snprintf(name, sizeof(name), "%s.msg", kind->name);
	q->attest = tpm_file(name, &q->attest_len);
	snprintf(name, sizeof(name), "%s.sig", kind->name);
	sig = tpm_file(name, &sig_len);
	ck_assert_int_eq(tpm2_quote_parse_signature(sig, sig_len, &q->sig, NULL), TS_OK);
	ck_assert_uint_eq(q->sig.sigAlg, kind->scheme);
	free(sig);

	hex = tpm_file("nonce.hex", &hex_len);
	nonce_text = strndup((char *)hex, hex_len);
	q->nonce = test_hex(nonce_text, &q->nonce_len);
	free(nonce_text);
	free(hex);

	q->ak = tool_key(kind->key_file, kind->form);
	tool_pcrs_load(&q->pcrs);
	q->in = (tpm2_quote_input){
		.attest = q->attest, .attest_len = q->attest_len, .signature = &q->sig, .ak = q->ak,
		.qualifying_data = q->nonce, .qualifying_data_len = q->nonce_len,
		.read_pcr = tpm2_quote_pcr_array, .read_pcr_ctx = &q->pcrs.list,
	};
}

static void tool_quote_free(struct tool_quote *q)
{
	EVP_PKEY_free(q->ak);
	free(q->attest);
	free(q->nonce);
}

START_TEST(tpm2_quote_swtpm_verifies)
{
	struct tool_quote q;
	tpm2_quote_status status = TPM2_QUOTE_MALFORMED;
	TPMS_ATTEST attest;

	tool_quote_load(&q, &kinds[_i]);
	ck_assert_int_eq(tpm2_quote_verify(&q.in, &attest, &status), TS_OK);
	ck_assert_int_eq(status, TPM2_QUOTE_OK);
	/* The TPM's own digest covered two banks: sha256 first, as selected. */
	ck_assert_uint_eq(attest.attested.quote.pcrSelect.count, 2);
	ck_assert_uint_eq(attest.attested.quote.pcrSelect.pcrSelections[0].hash, TPM2_ALG_SHA256);
	ck_assert_uint_eq(attest.attested.quote.pcrDigest.size, 32);
	tool_quote_free(&q);
}
END_TEST

START_TEST(tpm2_quote_swtpm_wrong_nonce)
{
	struct tool_quote q;
	tpm2_quote_status status = TPM2_QUOTE_OK;

	tool_quote_load(&q, &kinds[_i]);
	q.nonce[q.nonce_len - 1] ^= 0x01;
	ck_assert_int_eq(tpm2_quote_verify(&q.in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_QUALIFYING_DATA);
	q.in.qualifying_data_len--;
	ck_assert_int_eq(tpm2_quote_verify(&q.in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_QUALIFYING_DATA);
	tool_quote_free(&q);
}
END_TEST

START_TEST(tpm2_quote_swtpm_changed_pcr)
{
	struct tool_quote q;
	tpm2_quote_status status = TPM2_QUOTE_OK;

	tool_quote_load(&q, &kinds[_i]);
	/* The last value is sha1 PCR 16. */
	q.pcrs.values[5][0] ^= 0x01;
	ck_assert_int_eq(tpm2_quote_verify(&q.in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_PCR_DIGEST);
	tool_quote_free(&q);
}
END_TEST

START_TEST(tpm2_quote_swtpm_flipped_signature_bit)
{
	struct tool_quote q;
	tpm2_quote_status status = TPM2_QUOTE_OK;

	tool_quote_load(&q, &kinds[_i]);
	if (q.sig.sigAlg == TPM2_ALG_ECDSA)
		q.sig.signature.ecdsa.signatureR.buffer[7] ^= 0x20;
	else
		q.sig.signature.rsassa.sig.buffer[100] ^= 0x20;
	ck_assert_int_eq(tpm2_quote_verify(&q.in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_SIGNATURE);
	tool_quote_free(&q);
}
END_TEST

START_TEST(tpm2_quote_swtpm_wrong_key)
{
	struct tool_quote q;
	tpm2_quote_status status = TPM2_QUOTE_OK;
	EVP_PKEY *wrong = tool_key(kinds[_i].wrong_key_file, kinds[_i].wrong_form);

	tool_quote_load(&q, &kinds[_i]);
	q.in.ak = wrong;
	ck_assert_int_eq(tpm2_quote_verify(&q.in, NULL, &status), TS_E_VERIFY);
	ck_assert_int_eq(status, TPM2_QUOTE_BAD_SIGNATURE);
	EVP_PKEY_free(wrong);
	tool_quote_free(&q);
}
END_TEST

/* The TPM quote split into strongSwan's quote info and verified the way the IMV does. */
START_TEST(tpm2_quote_info_swtpm_roundtrip)
{
	struct tool_quote q;
	tpm2_quote_status status = TPM2_QUOTE_MALFORMED;
	TPMS_ATTEST attest;
	tpm2_quote_info info, parsed;
	uint16_t composite_hash = 0;
	TPM2_ALG_ID rsa_scheme;
	writer_t w;
	reader_t r;

	tool_quote_load(&q, &kinds[_i]);
	ck_assert_int_eq(tpm2_quote_parse(q.attest, q.attest_len, &attest, NULL), TS_OK);
	ck_assert_int_eq(tpm2_quote_info_from_quote(&attest, &q.sig, q.ak, &info, &composite_hash), TS_OK);
	ck_assert_uint_eq(composite_hash, MEAS_ALGO_SHA256);
	writer_init(&w, 4096);
	ck_assert_int_eq(tpm2_quote_info_build(&info, &w), TS_OK);
	reader_init(&r, writer_data(&w), writer_len(&w));
	ck_assert_int_eq(tpm2_quote_info_parse(&r, &parsed, NULL), TS_OK);
	ck_assert_int_eq(reader_expect_end(&r), TS_OK);
	/* With the RSA scheme named, and unnamed as strongSwan sends it. */
	rsa_scheme = kinds[_i].scheme == TPM2_ALG_ECDSA ? TPM2_ALG_NULL : kinds[_i].scheme;
	ck_assert_int_eq(tpm2_quote_info_verify(&parsed, composite_hash, q.ak, rsa_scheme, q.nonce, q.nonce_len,
						tpm2_quote_pcr_array, &q.pcrs.list, &status), TS_OK);
	ck_assert_int_eq(status, TPM2_QUOTE_OK);
	ck_assert_int_eq(tpm2_quote_info_verify(&parsed, composite_hash, q.ak, TPM2_ALG_NULL, q.nonce, q.nonce_len,
						tpm2_quote_pcr_array, &q.pcrs.list, &status), TS_OK);
	ck_assert_int_eq(status, TPM2_QUOTE_OK);
	/* An RSAPSS signature does not pass as RSASSA, nor the reverse. */
	if (kinds[_i].scheme != TPM2_ALG_ECDSA) {
		rsa_scheme = kinds[_i].scheme == TPM2_ALG_RSASSA ? TPM2_ALG_RSAPSS : TPM2_ALG_RSASSA;
		ck_assert_int_eq(tpm2_quote_info_verify(&parsed, composite_hash, q.ak, rsa_scheme, q.nonce,
							q.nonce_len, tpm2_quote_pcr_array, &q.pcrs.list, &status),
				 TS_E_VERIFY);
		ck_assert_int_eq(status, TPM2_QUOTE_BAD_SIGNATURE);
	}
	writer_free(&w);
	tool_quote_free(&q);
}
END_TEST

START_TEST(tpm2_ak_swtpm_keyid_all_forms)
{
	static const enum key_form forms[] = { FORM_TPM2B, FORM_DER, FORM_PEM };
	static const char *const files[] = { "ak_ecc.pub", "ak_ecc.der", "ak_ecc.pem" };
	uint8_t keyids[3][TPM2_AK_KEYID_LEN], der_keyid[TPM2_AK_KEYID_LEN];
	size_t der_len;
	unsigned char *der = tpm_file("ak_ecc.der", &der_len);

	for (size_t i = 0; i < 3; i++) {
		EVP_PKEY *key = tool_key(files[i], forms[i]);

		ck_assert_int_eq(tpm2_ak_keyid(key, keyids[i]), TS_OK);
		EVP_PKEY_free(key);
	}
	/* tpm2-tools' own DER encoding gives the same keyid. */
	ck_assert_int_eq(tpm2_ak_keyid_spki(der, der_len, der_keyid), TS_OK);
	ck_assert_mem_eq(keyids[0], der_keyid, TPM2_AK_KEYID_LEN);
	ck_assert_mem_eq(keyids[1], der_keyid, TPM2_AK_KEYID_LEN);
	ck_assert_mem_eq(keyids[2], der_keyid, TPM2_AK_KEYID_LEN);
	free(der);
}
END_TEST

/* The DER files of tpm2-tools have the fixed layouts and give the key of the TPM2B_PUBLIC. */
START_TEST(tpm2_ak_swtpm_der_fixed_layout)
{
	static const char *const names[] = { "ak_ecc", "ak_rsassa" };

	for (size_t i = 0; i < 2; i++) {
		char file[32];
		size_t der_len;
		unsigned char *der;
		EVP_PKEY *fast = NULL, *tpm;

		snprintf(file, sizeof(file), "%s.der", names[i]);
		der = tpm_file(file, &der_len);
		snprintf(file, sizeof(file), "%s.pub", names[i]);
		tpm = tool_key(file, FORM_TPM2B);
		ck_assert_int_eq(tpm2_ak_from_spki_fixed(der, der_len, &fast), TS_OK);
		ck_assert_int_eq(EVP_PKEY_eq(fast, tpm), 1);
		EVP_PKEY_free(fast);
		EVP_PKEY_free(tpm);
		free(der);
	}
}
END_TEST

START_TEST(tpm2_ak_swtpm_name_matches)
{
	size_t pub_len, name_len, out_len = 0;
	unsigned char *pub = tpm_file("ak_ecc.pub", &pub_len);
	unsigned char *name = tpm_file("ak_ecc.name", &name_len);
	uint8_t out[2 + 64];

	ck_assert_int_eq(tpm2_ak_name(pub, pub_len, out, sizeof(out), &out_len), TS_OK);
	ck_assert_uint_eq(out_len, name_len);
	ck_assert_mem_eq(out, name, name_len);
	free(pub);
	free(name);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("tpm2_quote");
	TCase *tc = tcase_create("core");
	int nkinds = (int)(sizeof(kinds) / sizeof(kinds[0]));

	tcase_add_test(tc, tpm2_quote_spec_example_fields);
	tcase_add_test(tc, tpm2_quote_truncated_everywhere);
	tcase_add_test(tc, tpm2_quote_trailing_byte);
	tcase_add_loop_test(tc, tpm2_quote_bad_field, 0, (int)(sizeof(bad_fields) / sizeof(bad_fields[0])));
	tcase_add_test(tc, tpm2_quote_signature_parse);
	tcase_add_test(tc, tpm2_quote_signature_bad);
	tcase_add_test(tc, tpm2_quote_interop_fields);
	tcase_add_test(tc, tpm2_quote_interop_pcr_digest);
	tcase_add_test(tc, tpm2_quote_interop_verifies);
	tcase_add_test(tc, tpm2_quote_pcr_digest_errors);
	tcase_add_test(tc, tpm2_quote_info_signature_errors);
	tcase_add_test(tc, tpm2_ak_interop_keyid);
	tcase_add_test(tc, tpm2_ak_spki_bad);
	tcase_add_loop_test(tc, tpm2_ak_spki_fixed_equals_d2i, 0, 3);
	tcase_add_loop_test(tc, tpm2_ak_spki_fixed_lengths, 0, 3);
	tcase_add_loop_test(tc, tpm2_ak_spki_fixed_off_curve, 0, 2);
	tcase_add_loop_test(tc, tpm2_ak_spki_fallback_decodes, 0, FALLBACK_COUNT);
	tcase_add_test(tc, tpm2_ak_spki_rsa_padding_not_minimal);
	tcase_add_test(tc, tpm2_ak_tpm2b_public_bad);
	tcase_add_test(tc, tpm2_quote_info_interop_parse);
	tcase_add_test(tc, tpm2_quote_info_interop_rebuild);
	tcase_add_test(tc, tpm2_quote_info_interop_verifies);
	tcase_add_test(tc, tpm2_quote_info_interop_from_quote);
	tcase_add_test(tc, tpm2_quote_info_short_coordinate_padded);
	tcase_add_test(tc, tpm2_quote_info_truncated_everywhere);
	tcase_add_test(tc, tpm2_quote_info_bad_lengths);
	tcase_add_test(tc, tpm2_rc_transient_codes);
	suite_add_tcase(s, tc);

	if (tool_available("swtpm") && tool_available("tpm2_quote") && tool_available("tpm2_createak") &&
	    tool_available("tpm2_pcrread")) {
		TCase *real = tcase_create("swtpm");

		tcase_set_timeout(real, 120);
		tcase_add_unchecked_fixture(real, swtpm_setup, swtpm_teardown);
		tcase_add_loop_test(real, tpm2_quote_swtpm_verifies, 0, nkinds);
		tcase_add_loop_test(real, tpm2_quote_swtpm_wrong_nonce, 0, nkinds);
		tcase_add_loop_test(real, tpm2_quote_swtpm_changed_pcr, 0, nkinds);
		tcase_add_loop_test(real, tpm2_quote_swtpm_flipped_signature_bit, 0, nkinds);
		tcase_add_loop_test(real, tpm2_quote_swtpm_wrong_key, 0, nkinds);
		tcase_add_loop_test(real, tpm2_quote_info_swtpm_roundtrip, 0, nkinds);
		tcase_add_test(real, tpm2_ak_swtpm_keyid_all_forms);
		tcase_add_test(real, tpm2_ak_swtpm_der_fixed_layout);
		tcase_add_test(real, tpm2_ak_swtpm_name_matches);
		suite_add_tcase(s, real);
	} else {
		fprintf(stderr, "SKIP: swtpm or tpm2-tools (tpm2_createak, tpm2_quote, tpm2_pcrread) not found in PATH;"
			" the real-quote tests did not run. Install them with scripts/install-deps.\n");
	}
	return s;
}

TEST_MAIN()
