#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "log.h"
#include "meas_algo.h"
#include "reader.h"
#include "tpm2_ak.h"

/*
 * TPM2B_PUBLIC, TPM 2.0 Part 2 (Structures) section 12.2.5:
 *
 *   +------+-------------------------------------------------+
 *   | size | TPMT_PUBLIC: type(2) nameAlg(2) objectAttributes |
 *   | (2)  | (4) authPolicy(2+n) parameters(...) unique(...)  |
 *   +------+-------------------------------------------------+
 *
 * The TPMT_PUBLIC must fill `size` exactly, and `size` the whole input.
 */
static int tpm2_ak_public_window(const uint8_t *data, size_t len, reader_t *inner, size_t *err_offset)
{
	reader_t r;
	const uint8_t *body;
	size_t body_len;
	int rc;

	reader_init(&r, data, len);
	rc = reader_vec16(&r, &body, &body_len);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_PTS, "TPM2B_PUBLIC: size at offset 0 exceeds the %zu input bytes", len);
		if (err_offset)
			*err_offset = 0;
		return rc;
	}
	rc = reader_expect_end(&r);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_PTS, "TPM2B_PUBLIC: %zu trailing bytes at offset %zu",
			  reader_remaining(&r), reader_offset(&r));
		if (err_offset)
			*err_offset = reader_offset(&r);
		return rc;
	}
	reader_init(inner, body, body_len);
	return TS_OK;
}

int tpm2_ak_parse_public(const uint8_t *data, size_t len, TPM2B_PUBLIC *public_out, size_t *err_offset)
{
	TPM2B_PUBLIC pub;
	reader_t inner;
	size_t offset = 0;
	TSS2_RC trc;
	int rc;

	rc = tpm2_ak_public_window(data, len, &inner, err_offset);
	if (rc != TS_OK)
		return rc;

	memset(&pub, 0, sizeof(pub));
	trc = Tss2_MU_TPMT_PUBLIC_Unmarshal(inner.data, inner.len, &offset, &pub.publicArea);
	if (trc != TSS2_RC_SUCCESS) {
		log_error(LOG_SUBSYS_PTS, "TPM2B_PUBLIC: TPMT_PUBLIC at offset 2 is invalid (tss2-mu 0x%x)", trc);
		if (err_offset)
			*err_offset = 2;
		return TS_E_INVALID;
	}
	if (offset != inner.len) {
		log_error(LOG_SUBSYS_PTS, "TPM2B_PUBLIC: %zu bytes after TPMT_PUBLIC at offset %zu",
			  inner.len - offset, 2 + offset);
		if (err_offset)
			*err_offset = 2 + offset;
		return TS_E_TRAILING;
	}
	pub.size = (UINT16)inner.len;
	if (public_out)
		*public_out = pub;
	return TS_OK;
}

/* Imports a public key of `type` ("RSA", "EC"). Returns TS_E_INVALID when OpenSSL rejects the values. */
static int tpm2_ak_import(const char *type, OSSL_PARAM *params, EVP_PKEY **out)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = TS_E_CRYPTO;

	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0)
		goto out;
	if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		rc = TS_E_INVALID;
		goto out;
	}
	*out = pkey;
	rc = TS_OK;
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static int tpm2_ak_fromdata(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	int rc;

	if (!params)
		return TS_E_CRYPTO;
	rc = tpm2_ak_import(type, params, out);
	OSSL_PARAM_free(params);
	return rc;
}

static int tpm2_ak_rsa(const TPMT_PUBLIC *pub, EVP_PKEY **out)
{
	const TPM2B_PUBLIC_KEY_RSA *modulus = &pub->unique.rsa;
	UINT32 exponent = pub->parameters.rsaDetail.exponent;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *n = NULL, *e = NULL;
	int rc = TS_E_NOMEM;

	if (!bld)
		goto out;
	if (modulus->size == 0) {
		log_error(LOG_SUBSYS_PTS, "TPMT_PUBLIC: RSA key has an empty modulus");
		rc = TS_E_INVALID;
		goto out;
	}
	n = BN_bin2bn(modulus->buffer, modulus->size, NULL);
	e = BN_new();
	if (!n || !e)
		goto out;
	rc = TS_E_CRYPTO;
	/* TPM 2.0 Part 2, TPMS_RSA_PARMS: an exponent of zero means 2^16 + 1. */
	if (!BN_set_word(e, exponent ? exponent : 65537))
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	rc = tpm2_ak_fromdata("RSA", bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return rc;
}

static const char *tpm2_ak_curve_name(TPMI_ECC_CURVE curve, size_t *coordinate_len)
{
	switch (curve) {
	case TPM2_ECC_NIST_P192:
		*coordinate_len = 24;
		return "P-192";
	case TPM2_ECC_NIST_P224:
		*coordinate_len = 28;
		return "P-224";
	case TPM2_ECC_NIST_P256:
		*coordinate_len = 32;
		return "P-256";
	case TPM2_ECC_NIST_P384:
		*coordinate_len = 48;
		return "P-384";
	case TPM2_ECC_NIST_P521:
		*coordinate_len = 66;
		return "P-521";
	default:
		return NULL;
	}
}

static int tpm2_ak_ecc(const TPMT_PUBLIC *pub, EVP_PKEY **out)
{
	const TPMS_ECC_POINT *point = &pub->unique.ecc;
	uint8_t encoded[1 + 2 * 66];
	OSSL_PARAM_BLD *bld = NULL;
	size_t clen = 0;
	const char *curve = tpm2_ak_curve_name(pub->parameters.eccDetail.curveID, &clen);
	int rc;

	if (!curve) {
		log_error(LOG_SUBSYS_PTS, "TPMT_PUBLIC: ECC curve 0x%04x is not supported",
			  pub->parameters.eccDetail.curveID);
		return TS_E_UNSUPPORTED;
	}
	if (point->x.size == 0 || point->x.size > clen || point->y.size == 0 || point->y.size > clen) {
		log_error(LOG_SUBSYS_PTS, "TPMT_PUBLIC: ECC point of %u + %u bytes does not fit %s",
			  point->x.size, point->y.size, curve);
		return TS_E_INVALID;
	}

	/* SEC 1 uncompressed point, each coordinate left-padded to the field size. */
	memset(encoded, 0, sizeof(encoded));
	encoded[0] = 0x04;
	memcpy(encoded + 1 + clen - point->x.size, point->x.buffer, point->x.size);
	memcpy(encoded + 1 + 2 * clen - point->y.size, point->y.buffer, point->y.size);

	rc = TS_E_NOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		goto out;
	rc = TS_E_CRYPTO;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, encoded, 1 + 2 * clen))
		goto out;
	rc = tpm2_ak_fromdata("EC", bld, out);
	if (rc == TS_E_INVALID)
		log_error(LOG_SUBSYS_PTS, "TPMT_PUBLIC: ECC point is not on %s", curve);
out:
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

int tpm2_ak_from_tpmt_public(const TPMT_PUBLIC *pub, EVP_PKEY **out)
{
	switch (pub->type) {
	case TPM2_ALG_RSA:
		return tpm2_ak_rsa(pub, out);
	case TPM2_ALG_ECC:
		return tpm2_ak_ecc(pub, out);
	default:
		log_error(LOG_SUBSYS_PTS, "TPMT_PUBLIC: key type 0x%04x is not supported", pub->type);
		return TS_E_UNSUPPORTED;
	}
}

int tpm2_ak_from_tpm2b_public(const uint8_t *data, size_t len, EVP_PKEY **out)
{
	TPM2B_PUBLIC pub;
	int rc;

	rc = tpm2_ak_parse_public(data, len, &pub, NULL);
	if (rc != TS_OK)
		return rc;
	return tpm2_ak_from_tpmt_public(&pub.publicArea, out);
}

/*
 * SubjectPublicKeyInfo (RFC 5280) of the usual TPM AK key types, each with
 * one DER layout: a fixed prefix, the key octets and, for RSA, a fixed
 * suffix.
 *
 *   EC P-256 (RFC 5480), 91 octets:
 *     30 59                          SEQUENCE
 *       30 13                          AlgorithmIdentifier
 *         06 07 2a8648ce3d0201           id-ecPublicKey
 *         06 08 2a8648ce3d030107         prime256v1
 *       03 42 00                       BIT STRING, no unused bits
 *         04 X(32) Y(32)                 SEC 1 uncompressed point
 *
 *   EC P-384, 120 octets: the same with 30 76, 30 10, the curve
 *   06 05 2b81040022 (secp384r1), 03 62 00 and 04 X(48) Y(48).
 *
 *   RSA 2048 with exponent 65537 (RFC 3279), 294 octets:
 *     30 82 01 22                    SEQUENCE
 *       30 0d                          AlgorithmIdentifier
 *         06 09 2a864886f70d010101       rsaEncryption
 *         05 00                          NULL parameters
 *       03 82 01 0f 00                 BIT STRING, no unused bits
 *         30 82 01 0a                    RSAPublicKey
 *           02 82 01 01 00 n(256)          modulus, its top bit set
 *           02 03 01 00 01                 publicExponent 65537
 */
typedef struct tpm2_ak_spki_layout {
	const char *name;          /* for log messages */
	const char *type;          /* OpenSSL key type */
	const char *group;         /* EC curve name, NULL for RSA */
	const uint8_t *prefix;     /* DER from the outer SEQUENCE up to the key octets */
	size_t prefix_len;
	size_t key_len;            /* EC point or RSA modulus */
	uint8_t first_mask;        /* bits of the first key octet that are fixed */
	uint8_t first_value;       /* value of those bits */
	const uint8_t *suffix;     /* DER after the key octets, NULL for none */
	size_t suffix_len;
} tpm2_ak_spki_layout;

static const uint8_t spki_p256_prefix[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
};
static const uint8_t spki_p384_prefix[] = {
	0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
};
static const uint8_t spki_rsa2048_prefix[] = {
	0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
	0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00, 0x30, 0x82,
	0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00,
};
static const uint8_t spki_rsa_e65537[] = { 0x02, 0x03, 0x01, 0x00, 0x01 };

/*
 * A key whose first octet fails the mask test goes to d2i_PUBKEY: an EC
 * point that is not uncompressed (first octet other than 04), or an RSA
 * modulus below 2^2047, because its 00 padding octet would not be minimal DER.
 */
static const tpm2_ak_spki_layout spki_layouts[] = {
	{ "EC P-256", "EC", "P-256", spki_p256_prefix, sizeof(spki_p256_prefix), 65, 0xff, 0x04, NULL, 0 },
	{ "EC P-384", "EC", "P-384", spki_p384_prefix, sizeof(spki_p384_prefix), 97, 0xff, 0x04, NULL, 0 },
	{ "RSA 2048", "RSA", NULL, spki_rsa2048_prefix, sizeof(spki_rsa2048_prefix), 256, 0x80, 0x80,
	  spki_rsa_e65537, sizeof(spki_rsa_e65537) },
};

static const tpm2_ak_spki_layout *tpm2_ak_spki_find_layout(const reader_t *r)
{
	for (size_t i = 0; i < sizeof(spki_layouts) / sizeof(spki_layouts[0]); i++) {
		const tpm2_ak_spki_layout *l = &spki_layouts[i];
		const uint8_t *p;

		if (reader_peek(r, 0, l->prefix_len, &p) == TS_OK && memcmp(p, l->prefix, l->prefix_len) == 0)
			return l;
	}
	return NULL;
}

static int tpm2_ak_spki_import(const tpm2_ak_spki_layout *l, const uint8_t *key, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld;
	BIGNUM *n = NULL, *e = NULL;
	int rc;

	if (l->group) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)l->group, 0),
			OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)key, l->key_len),
			OSSL_PARAM_construct_end(),
		};

		return tpm2_ak_import(l->type, params, out);
	}

	rc = TS_E_NOMEM;
	bld = OSSL_PARAM_BLD_new();
	n = BN_bin2bn(key, (int)l->key_len, NULL);
	e = BN_new();
	if (!bld || !n || !e)
		goto out;
	rc = TS_E_CRYPTO;
	if (!BN_set_word(e, 65537) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	rc = tpm2_ak_fromdata(l->type, bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return rc;
}

int tpm2_ak_from_spki_fixed(const uint8_t *der, size_t len, EVP_PKEY **out)
{
	const tpm2_ak_spki_layout *l;
	const uint8_t *key = NULL, *suffix = NULL;
	EVP_PKEY *pkey = NULL;
	size_t key_offset;
	reader_t r;
	int rc;

	reader_init(&r, der, len);
	l = tpm2_ak_spki_find_layout(&r);
	if (!l)
		return TS_E_UNSUPPORTED;
	rc = reader_skip(&r, l->prefix_len);
	key_offset = reader_offset(&r);
	if (rc == TS_OK)
		rc = reader_bytes(&r, l->key_len, &key);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_PTS, "AK SubjectPublicKeyInfo (%s): the %zu-octet key at offset %zu is truncated "
			  "to %zu octets", l->name, l->key_len, key_offset, len - key_offset);
		return TS_E_INVALID;
	}
	if ((key[0] & l->first_mask) != l->first_value)
		return TS_E_UNSUPPORTED;
	if (l->suffix) {
		rc = reader_bytes(&r, l->suffix_len, &suffix);
		if (rc != TS_OK) {
			log_error(LOG_SUBSYS_PTS, "AK SubjectPublicKeyInfo (%s): the public exponent at offset %zu is truncated",
				  l->name, reader_offset(&r));
			return TS_E_INVALID;
		}
		if (memcmp(suffix, l->suffix, l->suffix_len) != 0)
			return TS_E_UNSUPPORTED;
	}

	/* Import before the trailing-byte check, in the order d2i_PUBKEY reports errors. */
	rc = tpm2_ak_spki_import(l, key, &pkey);
	if (rc == TS_E_INVALID)
		log_error(LOG_SUBSYS_PTS, "AK SubjectPublicKeyInfo (%s): the key at offset %zu is invalid%s", l->name,
			  key_offset, l->group ? " (not a point on the curve)" : "");
	if (rc != TS_OK)
		return rc;
	if (reader_expect_end(&r) != TS_OK) {
		log_error(LOG_SUBSYS_PTS, "AK SubjectPublicKeyInfo: %zu trailing bytes at offset %zu", reader_remaining(&r),
			  reader_offset(&r));
		EVP_PKEY_free(pkey);
		return TS_E_TRAILING;
	}
	*out = pkey;
	return TS_OK;
}

int tpm2_ak_from_spki_der(const uint8_t *der, size_t len, EVP_PKEY **out)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey;
	int rc;

	/*
	 * d2i_PUBKEY sets up an OpenSSL decoder context on every call and took
	 * 82 us, against 13 us for the fixed P-256 layout (OpenSSL 3.0.22, 2-core
	 * AMD EPYC VM), so it only decodes the other layouts.
	 */
	rc = tpm2_ak_from_spki_fixed(der, len, out);
	if (rc != TS_E_UNSUPPORTED)
		return rc;

	if (len > LONG_MAX)
		return TS_E_TOO_LARGE;
	pkey = d2i_PUBKEY(NULL, &p, (long)len);
	if (!pkey) {
		log_error(LOG_SUBSYS_PTS, "AK SubjectPublicKeyInfo (%zu bytes) is not valid DER", len);
		return TS_E_INVALID;
	}
	if ((size_t)(p - der) != len) {
		log_error(LOG_SUBSYS_PTS, "AK SubjectPublicKeyInfo: %zu trailing bytes at offset %zu",
			  len - (size_t)(p - der), (size_t)(p - der));
		EVP_PKEY_free(pkey);
		return TS_E_TRAILING;
	}
	*out = pkey;
	return TS_OK;
}

int tpm2_ak_from_pem(const char *pem, size_t len, EVP_PKEY **out)
{
	BIO *bio;
	EVP_PKEY *pkey;

	if (len > INT_MAX)
		return TS_E_TOO_LARGE;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return TS_E_NOMEM;
	pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!pkey) {
		log_error(LOG_SUBSYS_PTS, "AK PEM input contains no valid PUBLIC KEY block");
		return TS_E_INVALID;
	}
	*out = pkey;
	return TS_OK;
}

int tpm2_ak_keyid_spki(const uint8_t *der, size_t len, uint8_t out[TPM2_AK_KEYID_LEN])
{
	unsigned int written = 0;

	if (EVP_Digest(der, len, out, &written, EVP_sha1(), NULL) != 1 || written != TPM2_AK_KEYID_LEN)
		return TS_E_CRYPTO;
	return TS_OK;
}

int tpm2_ak_keyid(EVP_PKEY *key, uint8_t out[TPM2_AK_KEYID_LEN])
{
	unsigned char *der = NULL;
	int der_len = i2d_PUBKEY(key, &der);
	int rc;

	if (der_len <= 0)
		return TS_E_CRYPTO;
	rc = tpm2_ak_keyid_spki(der, (size_t)der_len, out);
	OPENSSL_free(der);
	return rc;
}

void tpm2_ak_keyid_hex(const uint8_t keyid[TPM2_AK_KEYID_LEN], char out[TPM2_AK_KEYID_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < TPM2_AK_KEYID_LEN; i++) {
		out[2 * i] = digits[keyid[i] >> 4];
		out[2 * i + 1] = digits[keyid[i] & 0x0f];
	}
	out[TPM2_AK_KEYID_HEX_LEN] = '\0';
}

int tpm2_ak_name(const uint8_t *data, size_t len, uint8_t *out, size_t out_size, size_t *out_len)
{
	TPM2B_PUBLIC pub;
	reader_t inner;
	uint16_t algo;
	const EVP_MD *md;
	size_t digest_len;
	uint8_t digest[MEAS_ALGO_MAX_DIGEST_LEN];
	unsigned int written = 0;
	int rc;

	/* Parse first so the hash covers a valid TPMT_PUBLIC and nothing else. */
	rc = tpm2_ak_parse_public(data, len, &pub, NULL);
	if (rc != TS_OK)
		return rc;
	rc = tpm2_ak_public_window(data, len, &inner, NULL);
	if (rc != TS_OK)
		return rc;

	if (meas_algo_from_tpm_alg(pub.publicArea.nameAlg, &algo) != TS_OK) {
		log_error(LOG_SUBSYS_PTS, "TPMT_PUBLIC: nameAlg 0x%04x is not supported", pub.publicArea.nameAlg);
		return TS_E_UNSUPPORTED;
	}
	md = meas_algo_evp_md(algo);
	digest_len = meas_algo_digest_len(algo);
	if (out_size < 2 + digest_len)
		return TS_E_TOO_LARGE;

	if (EVP_Digest(inner.data, inner.len, digest, &written, md, NULL) != 1 || written != digest_len)
		return TS_E_CRYPTO;
	out[0] = (uint8_t)(pub.publicArea.nameAlg >> 8);
	out[1] = (uint8_t)pub.publicArea.nameAlg;
	memcpy(out + 2, digest, digest_len);
	*out_len = 2 + digest_len;
	return TS_OK;
}

size_t tpm2_ak_ecc_coordinate_len(const EVP_PKEY *key)
{
	if (!EVP_PKEY_is_a(key, "EC"))
		return 0;
	return ((size_t)EVP_PKEY_get_bits(key) + 7) / 8;
}
