#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <tss2/tss2_mu.h>

#include "imc_os_device.h"
#include "imc_os_info.h"
#include "log.h"
#include "tpm/tpm.h"

/* The NIST curves a TPM AK may use, with their OpenSSL group names. */
static const struct ecc_curve {
	TPMI_ECC_CURVE id;
	const char *group;
	size_t coordinate_len;
} ecc_curves[] = {
	{ TPM2_ECC_NIST_P256, "P-256", 32 },
	{ TPM2_ECC_NIST_P384, "P-384", 48 },
	{ TPM2_ECC_NIST_P521, "P-521", 66 },
};

/* Builds a public EVP_PKEY of key type `type` ("RSA", "EC") from params. */
static int pkey_from_params(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	int rc = TS_E_CRYPTO;

	if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
		rc = TS_OK;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return rc;
}

static int rsa_from_tpmt(const TPMT_PUBLIC *pub, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	BIGNUM *n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
	BIGNUM *e = BN_new();
	uint32_t exponent = pub->parameters.rsaDetail.exponent;
	int rc = TS_E_CRYPTO;

	/* TPM 2.0 Part 2, TPMS_RSA_PARMS: an exponent of 0 means 2^16 + 1. */
	if (n && e && BN_set_word(e, exponent ? exponent : 65537) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		rc = pkey_from_params("RSA", bld, out);
	BN_free(n);
	BN_free(e);
	return rc;
}

static int ecc_from_tpmt(const TPMT_PUBLIC *pub, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	const TPMS_ECC_POINT *q = &pub->unique.ecc;
	const struct ecc_curve *curve = NULL;
	uint8_t point[1 + 2 * 66];
	size_t n;

	for (size_t i = 0; i < sizeof(ecc_curves) / sizeof(ecc_curves[0]); i++)
		if (ecc_curves[i].id == pub->parameters.eccDetail.curveID)
			curve = &ecc_curves[i];
	if (!curve) {
		log_error(LOG_SUBSYS_IMC, "the AK uses the unsupported ECC curve 0x%04x",
			  pub->parameters.eccDetail.curveID);
		return TS_E_UNSUPPORTED;
	}
	n = curve->coordinate_len;
	if (q->x.size > n || q->y.size > n) {
		log_error(LOG_SUBSYS_IMC, "the AK's ECC point has coordinates of %u and %u octets, more than %zu",
			  q->x.size, q->y.size, n);
		return TS_E_INVALID;
	}
	/* An uncompressed point: 0x04, then x and y, each left-padded to the coordinate size. */
	memset(point, 0, sizeof(point));
	point[0] = 0x04;
	memcpy(point + 1 + n - q->x.size, q->x.buffer, q->x.size);
	memcpy(point + 1 + 2 * n - q->y.size, q->y.buffer, q->y.size);
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve->group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * n))
		return TS_E_CRYPTO;
	return pkey_from_params("EC", bld, out);
}

static int pkey_from_tpm2b_public(const uint8_t *data, size_t len, EVP_PKEY **out)
{
	TPM2B_PUBLIC pub;
	OSSL_PARAM_BLD *bld;
	size_t offset = 0;
	int rc;

	memset(&pub, 0, sizeof(pub));
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(data, len, &offset, &pub) != TSS2_RC_SUCCESS || offset != len)
		return TS_E_INVALID;
	bld = OSSL_PARAM_BLD_new();
	if (!bld)
		return TS_E_NOMEM;
	switch (pub.publicArea.type) {
	case TPM2_ALG_RSA:
		rc = rsa_from_tpmt(&pub.publicArea, bld, out);
		break;
	case TPM2_ALG_ECC:
		rc = ecc_from_tpmt(&pub.publicArea, bld, out);
		break;
	default:
		log_error(LOG_SUBSYS_IMC, "the AK has the unsupported key type 0x%04x", pub.publicArea.type);
		rc = TS_E_UNSUPPORTED;
		break;
	}
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

/* SHA-1 over the DER SubjectPublicKeyInfo of key, in lowercase hex. */
static int keyid_of(EVP_PKEY *key, char out[IMC_OS_KEYID_HEX_LEN + 1])
{
	unsigned char *der = NULL;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	int der_len = i2d_PUBKEY(key, &der);
	int rc = TS_E_CRYPTO;

	if (der_len > 0 && EVP_Digest(der, (size_t)der_len, digest, &digest_len, EVP_sha1(), NULL) == 1 &&
	    digest_len == IMC_OS_KEYID_HEX_LEN / 2) {
		for (unsigned int i = 0; i < digest_len; i++)
			snprintf(out + 2 * i, 3, "%02x", digest[i]);
		rc = TS_OK;
	}
	OPENSSL_free(der);
	return rc;
}

int imc_os_keyid_from_tpm2b_public(const uint8_t *data, size_t len, char out[IMC_OS_KEYID_HEX_LEN + 1])
{
	EVP_PKEY *key = NULL;
	int rc = pkey_from_tpm2b_public(data, len, &key);

	if (rc == TS_OK)
		rc = keyid_of(key, out);
	EVP_PKEY_free(key);
	return rc;
}

/* A PEM or DER SubjectPublicKeyInfo; NULL if the bytes are neither. */
static EVP_PKEY *pkey_from_spki(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	EVP_PKEY *key = NULL;

	if (len >= 10 && memcmp(data, "-----BEGIN", 10) == 0) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);

		if (bio)
			key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
		return key;
	}
	key = d2i_PUBKEY(NULL, &p, (long)len);
	if (key && p != (const unsigned char *)data + len) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	return key;
}

int imc_os_keyid_from_file(const char *path, char out[IMC_OS_KEYID_HEX_LEN + 1])
{
	EVP_PKEY *key = NULL;
	char *data = NULL;
	size_t len = 0;
	int rc;

	rc = imc_os_read_file(path, IMC_OS_MAX_KEY_FILE, &data, &len);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_IMC, "cannot read the AK public key %s: %s", path, ts_strerror(rc));
		return rc;
	}
	key = pkey_from_spki(data, len);
	if (key) {
		rc = keyid_of(key, out);
		EVP_PKEY_free(key);
	} else {
		rc = imc_os_keyid_from_tpm2b_public((const uint8_t *)data, len, out);
	}
	free(data);
	if (rc != TS_OK)
		log_error(LOG_SUBSYS_IMC, "%s is no PEM or DER public key and no TPM2B_PUBLIC: %s", path,
			  ts_strerror(rc));
	return rc;
}

int imc_os_keyid_from_handle(const char *tcti, uint32_t handle, char out[IMC_OS_KEYID_HEX_LEN + 1])
{
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	tpm_t *tpm = NULL;
	int rc;

	rc = tpm_open(tcti, &tpm);
	if (rc == TS_OK)
		rc = tpm_read_public(tpm, handle, &pub, &pub_len);
	if (rc == TS_OK)
		rc = imc_os_keyid_from_tpm2b_public(pub, pub_len, out);
	if (rc != TS_OK)
		log_error(LOG_SUBSYS_IMC, "cannot get the AK keyid from handle 0x%08x: %s", handle,
			  ts_strerror(rc));
	free(pub);
	tpm_close(tpm);
	return rc;
}

int imc_os_keyid_from_fapi(const char *tcti, const char *path, char out[IMC_OS_KEYID_HEX_LEN + 1])
{
	uint8_t *blob = NULL, *pub = NULL, type = 0;
	size_t blob_len = 0, pub_len = 0;
	tpm_t *tpm = NULL;
	int rc;

	/* FAPI first: a TPM that serves one client at a time must not be open yet. */
	rc = tpm_fapi_get_ak_blob(path, &type, &blob, &blob_len);
	if (rc == TS_OK)
		rc = tpm_open(tcti, &tpm);
	if (rc == TS_OK)
		rc = tpm_set_ak_blob(tpm, type, blob, blob_len);
	if (rc == TS_OK)
		rc = tpm_read_public(tpm, TPM_AK_FAPI, &pub, &pub_len);
	if (rc == TS_OK)
		rc = imc_os_keyid_from_tpm2b_public(pub, pub_len, out);
	if (rc != TS_OK)
		log_error(LOG_SUBSYS_IMC, "cannot get the AK keyid of the FAPI key %s: %s", path, ts_strerror(rc));
	free(blob);
	free(pub);
	tpm_close(tpm);
	return rc;
}

int imc_os_device_id(const imc_os_device_conf *conf, char *out, size_t out_size)
{
	char id[IMC_OS_KEYID_HEX_LEN + 1];
	size_t replaced;
	int rc;

	if (out_size < IMC_OS_MAX_DEVICE_ID + 1)
		return TS_E_INVALID;
	if (conf->device_id) {
		size_t len = strlen(conf->device_id);

		replaced = imc_os_clean_utf8((const uint8_t *)conf->device_id, len, out, out_size);
		if (replaced || len == 0 || strlen(out) != len) {
			log_error(LOG_SUBSYS_IMC, "the configured device_id is empty, longer than %d octets "
				  "or not clean UTF-8", IMC_OS_MAX_DEVICE_ID);
			return TS_E_CONFIG;
		}
		return TS_OK;
	}

	if (conf->ak_public_key)
		rc = imc_os_keyid_from_file(conf->ak_public_key, id);
	else if (conf->ak_fapi_path)
		rc = imc_os_keyid_from_fapi(conf->tcti, conf->ak_fapi_path, id);
	else if (conf->ak_handle)
		rc = imc_os_keyid_from_handle(conf->tcti, conf->ak_handle, id);
	else
		rc = imc_os_read_machine_device_id(conf->root, id);
	if (rc != TS_OK && conf->ak_optional) {
		log_info(LOG_SUBSYS_IMC, "no AK at handle 0x%08x: deriving the device ID from the machine ID",
			 conf->ak_handle);
		rc = imc_os_read_machine_device_id(conf->root, id);
	}
	if (rc == TS_OK)
		snprintf(out, out_size, "%s", id);
	return rc;
}
