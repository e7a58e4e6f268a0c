#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "log.h"
#include "meas_algo.h"
#include "reader.h"
#include "tpm2_quote.h"
#include "tpm2_quote_check.h"

const char *tpm2_quote_status_name(tpm2_quote_status status)
{
	switch (status) {
	case TPM2_QUOTE_OK:                  return "quote verified";
	case TPM2_QUOTE_MALFORMED:           return "quote or signature is malformed";
	case TPM2_QUOTE_UNSUPPORTED:         return "signature scheme, hash or key type not supported";
	case TPM2_QUOTE_BAD_SIGNATURE:       return "quote signature does not verify with the AK";
	case TPM2_QUOTE_BAD_QUALIFYING_DATA: return "quote qualifying data does not match the expected nonce";
	case TPM2_QUOTE_PCR_MISSING:         return "a quoted PCR has no value";
	case TPM2_QUOTE_BAD_PCR_DIGEST:      return "PCR values do not match the quoted PCR digest";
	}
	return "unknown quote status";
}

int tpm2_quote_pcr_array(void *ctx, TPM2_ALG_ID bank, uint32_t index, const uint8_t **value, size_t *len)
{
	const tpm2_quote_pcr_list *list = ctx;

	for (size_t i = 0; i < list->count; i++) {
		if (list->pcrs[i].bank == bank && list->pcrs[i].index == index) {
			*value = list->pcrs[i].value;
			*len = list->pcrs[i].len;
			return TS_OK;
		}
	}
	return TS_E_NOT_FOUND;
}

int tpm2_quote_check_field(int rc, const char *structure, const char *field, const reader_t *r, size_t *err_offset)
{
	if (rc == TS_OK)
		return TS_OK;
	log_error(LOG_SUBSYS_PTS, "%s: %s at offset %zu: %s", structure, field, reader_offset(r), ts_strerror(rc));
	if (err_offset)
		*err_offset = reader_offset(r);
	return rc;
}

int tpm2_quote_check_tpm2b(reader_t *r, size_t max, const char *structure, const char *field, size_t *err_offset)
{
	const uint8_t *body;
	size_t len, size;
	int rc;

	rc = reader_peek(r, 0, 2, &body);
	size = rc == TS_OK ? (size_t)body[0] << 8 | body[1] : 0;
	if (size > max) {
		log_error(LOG_SUBSYS_PTS, "%s: %s at offset %zu has size %zu, more than %zu",
			  structure, field, reader_offset(r), size, max);
		if (err_offset)
			*err_offset = reader_offset(r);
		return TS_E_TOO_LARGE;
	}
	rc = reader_vec16(r, &body, &len);
	return tpm2_quote_check_field(rc, structure, field, r, err_offset);
}

int tpm2_quote_check_pcr_selection(reader_t *r, const char *structure, size_t *err_offset)
{
	uint32_t count;
	int rc;

	rc = reader_peek_u32(r, 0, &count);
	if (rc == TS_OK && count > TPM2_NUM_PCR_BANKS) {
		log_error(LOG_SUBSYS_PTS, "%s: pcrSelect.count at offset %zu is %u, more than %d banks",
			  structure, reader_offset(r), count, TPM2_NUM_PCR_BANKS);
		if (err_offset)
			*err_offset = reader_offset(r);
		return TS_E_TOO_LARGE;
	}
	rc = reader_skip(r, 4);
	if (rc != TS_OK)
		return tpm2_quote_check_field(rc, structure, "pcrSelect.count", r, err_offset);

	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *select;
		size_t size_of_select;

		rc = reader_skip(r, 2);
		if (rc != TS_OK)
			return tpm2_quote_check_field(rc, structure, "pcrSelections.hash", r, err_offset);
		rc = reader_peek(r, 0, 1, &select);
		if (rc != TS_OK)
			return tpm2_quote_check_field(rc, structure, "pcrSelections.sizeofSelect", r, err_offset);
		size_of_select = select[0];
		if (size_of_select > TPM2_PCR_SELECT_MAX) {
			log_error(LOG_SUBSYS_PTS, "%s: sizeofSelect at offset %zu is %zu, more than %d",
				  structure, reader_offset(r), size_of_select, TPM2_PCR_SELECT_MAX);
			if (err_offset)
				*err_offset = reader_offset(r);
			return TS_E_TOO_LARGE;
		}
		rc = reader_vec8(r, &select, &size_of_select);
		if (rc != TS_OK)
			return tpm2_quote_check_field(rc, structure, "pcrSelections.pcrSelect", r, err_offset);
	}
	return TS_OK;
}

/*
 * Walks a quote's TPMS_ATTEST with the bounds-checked reader before
 * tss2-mu decodes it, so a bad length is reported with its field and offset.
 */
static int tpm2_quote_walk_attest(const uint8_t *data, size_t len, size_t *err_offset)
{
	static const char st[] = "TPMS_ATTEST";
	reader_t r;
	uint32_t magic;
	uint16_t type;
	int rc;

	reader_init(&r, data, len);
	rc = reader_u32(&r, &magic);
	if (rc != TS_OK)
		return tpm2_quote_check_field(rc, st, "magic", &r, err_offset);
	if (magic != TPM2_GENERATED_VALUE) {
		log_error(LOG_SUBSYS_PTS, "%s: magic at offset 0 is 0x%08x, not TPM_GENERATED_VALUE 0x%08x",
			  st, magic, TPM2_GENERATED_VALUE);
		if (err_offset)
			*err_offset = 0;
		return TS_E_INVALID;
	}
	rc = reader_u16(&r, &type);
	if (rc != TS_OK)
		return tpm2_quote_check_field(rc, st, "type", &r, err_offset);
	if (type != TPM2_ST_ATTEST_QUOTE) {
		log_error(LOG_SUBSYS_PTS, "%s: type at offset 4 is 0x%04x, not TPM_ST_ATTEST_QUOTE 0x%04x",
			  st, type, TPM2_ST_ATTEST_QUOTE);
		if (err_offset)
			*err_offset = 4;
		return TS_E_INVALID;
	}
	rc = tpm2_quote_check_tpm2b(&r, sizeof(TPMU_NAME), st, "qualifiedSigner", err_offset);
	if (rc != TS_OK)
		return rc;
	rc = tpm2_quote_check_tpm2b(&r, sizeof(TPMT_HA), st, "extraData", err_offset);
	if (rc != TS_OK)
		return rc;
	rc = reader_skip(&r, TPM2_CLOCK_INFO_LEN);
	if (rc != TS_OK)
		return tpm2_quote_check_field(rc, st, "clockInfo", &r, err_offset);
	rc = reader_skip(&r, 8);
	if (rc != TS_OK)
		return tpm2_quote_check_field(rc, st, "firmwareVersion", &r, err_offset);
	rc = tpm2_quote_check_pcr_selection(&r, st, err_offset);
	if (rc != TS_OK)
		return rc;
	rc = tpm2_quote_check_tpm2b(&r, sizeof(TPMU_HA), st, "pcrDigest", err_offset);
	if (rc != TS_OK)
		return rc;
	return tpm2_quote_check_field(reader_expect_end(&r), st, "end of structure", &r, err_offset);
}

int tpm2_quote_parse(const uint8_t *data, size_t len, TPMS_ATTEST *out, size_t *err_offset)
{
	TPMS_ATTEST attest;
	size_t offset = 0;
	TSS2_RC trc;
	int rc;

	rc = tpm2_quote_walk_attest(data, len, err_offset);
	if (rc != TS_OK)
		return rc;

	memset(&attest, 0, sizeof(attest));
	trc = Tss2_MU_TPMS_ATTEST_Unmarshal(data, len, &offset, &attest);
	if (trc != TSS2_RC_SUCCESS || offset != len) {
		/* Not expected after the walk above; reported rather than trusted. */
		log_error(LOG_SUBSYS_PTS, "TPMS_ATTEST: tss2-mu rejected %zu bytes (0x%x, %zu consumed)",
			  len, trc, offset);
		if (err_offset)
			*err_offset = offset;
		return TS_E_INVALID;
	}
	*out = attest;
	return TS_OK;
}

/* Walks a TPMT_SIGNATURE (TPM 2.0 Part 2, section 11.3.4) before tss2-mu decodes it. */
static int tpm2_quote_walk_signature(const uint8_t *data, size_t len, size_t *err_offset)
{
	static const char st[] = "TPMT_SIGNATURE";
	reader_t r;
	uint16_t sig_alg, hash;
	uint16_t algo;
	int rc;

	reader_init(&r, data, len);
	rc = reader_u16(&r, &sig_alg);
	if (rc != TS_OK)
		return tpm2_quote_check_field(rc, st, "sigAlg", &r, err_offset);

	switch (sig_alg) {
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS:
		rc = reader_u16(&r, &hash);
		if (rc != TS_OK)
			return tpm2_quote_check_field(rc, st, "hash", &r, err_offset);
		rc = tpm2_quote_check_tpm2b(&r, TPM2_MAX_RSA_KEY_BYTES, st, "sig", err_offset);
		break;
	case TPM2_ALG_ECDSA:
	case TPM2_ALG_ECDAA:
	case TPM2_ALG_SM2:
	case TPM2_ALG_ECSCHNORR:
		rc = reader_u16(&r, &hash);
		if (rc != TS_OK)
			return tpm2_quote_check_field(rc, st, "hash", &r, err_offset);
		rc = tpm2_quote_check_tpm2b(&r, TPM2_MAX_ECC_KEY_BYTES, st, "signatureR", err_offset);
		if (rc == TS_OK)
			rc = tpm2_quote_check_tpm2b(&r, TPM2_MAX_ECC_KEY_BYTES, st, "signatureS", err_offset);
		break;
	case TPM2_ALG_HMAC:
		rc = reader_u16(&r, &hash);
		if (rc != TS_OK)
			return tpm2_quote_check_field(rc, st, "hashAlg", &r, err_offset);
		if (meas_algo_from_tpm_alg(hash, &algo) != TS_OK)
			return tpm2_quote_check_field(TS_E_UNSUPPORTED, st, "hashAlg", &r, err_offset);
		rc = reader_skip(&r, meas_algo_digest_len(algo));
		if (rc != TS_OK)
			return tpm2_quote_check_field(rc, st, "digest", &r, err_offset);
		break;
	case TPM2_ALG_NULL:
		break;
	default:
		reader_init(&r, data, 0);
		return tpm2_quote_check_field(TS_E_UNSUPPORTED, st, "sigAlg", &r, err_offset);
	}
	if (rc != TS_OK)
		return rc;
	return tpm2_quote_check_field(reader_expect_end(&r), st, "end of structure", &r, err_offset);
}

int tpm2_quote_parse_signature(const uint8_t *data, size_t len, TPMT_SIGNATURE *out, size_t *err_offset)
{
	TPMT_SIGNATURE sig;
	size_t offset = 0;
	TSS2_RC trc;
	int rc;

	rc = tpm2_quote_walk_signature(data, len, err_offset);
	if (rc != TS_OK)
		return rc;

	memset(&sig, 0, sizeof(sig));
	trc = Tss2_MU_TPMT_SIGNATURE_Unmarshal(data, len, &offset, &sig);
	if (trc != TSS2_RC_SUCCESS || offset != len) {
		log_error(LOG_SUBSYS_PTS, "TPMT_SIGNATURE: tss2-mu rejected %zu bytes (0x%x, %zu consumed)",
			  len, trc, offset);
		if (err_offset)
			*err_offset = offset;
		return TS_E_INVALID;
	}
	*out = sig;
	return TS_OK;
}

int tpm2_quote_pcr_digest(const TPML_PCR_SELECTION *selection, TPM2_ALG_ID hash,
			  tpm2_quote_pcr_fn read_pcr, void *ctx,
			  uint8_t *out, size_t out_size, size_t *out_len)
{
	uint16_t hash_algo;
	const EVP_MD *md;
	EVP_MD_CTX *mctx = NULL;
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int written = 0;
	int rc;

	if (meas_algo_from_tpm_alg(hash, &hash_algo) != TS_OK) {
		log_error(LOG_SUBSYS_PTS, "PCR digest hash 0x%04x is not supported", hash);
		return TS_E_UNSUPPORTED;
	}
	md = meas_algo_evp_md(hash_algo);
	if (out_size < meas_algo_digest_len(hash_algo))
		return TS_E_TOO_LARGE;
	if (selection->count > TPM2_NUM_PCR_BANKS)
		return TS_E_INVALID;

	mctx = EVP_MD_CTX_new();
	if (!mctx)
		return TS_E_NOMEM;
	rc = TS_E_CRYPTO;
	if (EVP_DigestInit_ex(mctx, md, NULL) != 1)
		goto out;

	for (UINT32 b = 0; b < selection->count; b++) {
		const TPMS_PCR_SELECTION *sel = &selection->pcrSelections[b];
		uint16_t bank_algo;
		size_t bank_len;

		if (sel->sizeofSelect > TPM2_PCR_SELECT_MAX) {
			rc = TS_E_INVALID;
			goto out;
		}
		if (meas_algo_from_tpm_alg(sel->hash, &bank_algo) != TS_OK) {
			log_error(LOG_SUBSYS_PTS, "PCR bank 0x%04x is not supported", sel->hash);
			rc = TS_E_UNSUPPORTED;
			goto out;
		}
		bank_len = meas_algo_digest_len(bank_algo);

		for (uint32_t i = 0; i < 8u * sel->sizeofSelect; i++) {
			const uint8_t *value = NULL;
			size_t len = 0;

			if (!(sel->pcrSelect[i / 8] & (1u << (i % 8))))
				continue;
			if (read_pcr(ctx, sel->hash, i, &value, &len) != TS_OK) {
				log_error(LOG_SUBSYS_PTS, "no value for PCR %u of bank %s", i,
					  meas_algo_name(bank_algo));
				rc = TS_E_NOT_FOUND;
				goto out;
			}
			if (len != bank_len) {
				log_error(LOG_SUBSYS_PTS, "PCR %u of bank %s has %zu bytes; expected %zu",
					  i, meas_algo_name(bank_algo), len, bank_len);
				rc = TS_E_INVALID;
				goto out;
			}
			if (EVP_DigestUpdate(mctx, value, len) != 1)
				goto out;
		}
	}

	if (EVP_DigestFinal_ex(mctx, digest, &written) != 1)
		goto out;
	memcpy(out, digest, written);
	*out_len = written;
	rc = TS_OK;
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

/* Re-encodes a TPM's (r, s) as the DER ECDSA-Sig-Value that OpenSSL verifies. */
static int tpm2_quote_ecdsa_der(const TPMS_SIGNATURE_ECC *ecc, unsigned char **der, int *der_len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(ecc->signatureR.buffer, ecc->signatureR.size, NULL);
	BIGNUM *s = BN_bin2bn(ecc->signatureS.buffer, ecc->signatureS.size, NULL);
	int rc = TS_E_NOMEM;

	if (!sig || !r || !s)
		goto out;
	if (!ECDSA_SIG_set0(sig, r, s)) {
		rc = TS_E_CRYPTO;
		goto out;
	}
	r = NULL;
	s = NULL;
	*der = NULL;
	*der_len = i2d_ECDSA_SIG(sig, der);
	rc = *der_len > 0 ? TS_OK : TS_E_CRYPTO;
out:
	ECDSA_SIG_free(sig);
	BN_free(r);
	BN_free(s);
	return rc;
}

int tpm2_quote_verify_signature(EVP_PKEY *ak, const TPMT_SIGNATURE *signature, const uint8_t *data, size_t len)
{
	const TPMU_SIGNATURE *body = &signature->signature;
	EVP_MD_CTX *mctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	const unsigned char *sig;
	size_t sig_len;
	TPM2_ALG_ID hash;
	uint16_t hash_algo;
	const char *key_type;
	int der_len = 0;
	int rc;

	switch (signature->sigAlg) {
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS:
		key_type = "RSA";
		hash = body->rsassa.hash;
		sig = body->rsassa.sig.buffer;
		sig_len = body->rsassa.sig.size;
		break;
	case TPM2_ALG_ECDSA:
		key_type = "EC";
		hash = body->ecdsa.hash;
		sig = NULL;
		sig_len = 0;
		break;
	default:
		log_error(LOG_SUBSYS_PTS, "quote signature scheme 0x%04x is not supported", signature->sigAlg);
		return TS_E_UNSUPPORTED;
	}
	if (!EVP_PKEY_is_a(ak, key_type)) {
		log_error(LOG_SUBSYS_PTS, "quote signature scheme 0x%04x needs an %s AK", signature->sigAlg, key_type);
		return TS_E_UNSUPPORTED;
	}
	if (meas_algo_from_tpm_alg(hash, &hash_algo) != TS_OK) {
		log_error(LOG_SUBSYS_PTS, "quote signature hash 0x%04x is not supported", hash);
		return TS_E_UNSUPPORTED;
	}

	if (signature->sigAlg == TPM2_ALG_ECDSA) {
		rc = tpm2_quote_ecdsa_der(&body->ecdsa, &der, &der_len);
		if (rc != TS_OK)
			return rc;
		sig = der;
		sig_len = (size_t)der_len;
	}

	rc = TS_E_CRYPTO;
	mctx = EVP_MD_CTX_new();
	if (!mctx)
		goto out;
	if (EVP_DigestVerifyInit_ex(mctx, &pctx, EVP_MD_get0_name(meas_algo_evp_md(hash_algo)),
				    NULL, NULL, ak, NULL) != 1)
		goto out;
	if (signature->sigAlg == TPM2_ALG_RSASSA &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	/*
	 * TPMs choose the PSS salt length (the digest length, or the largest
	 * that fits, depending on the specification version), so accept any
	 * salt length that the signature itself encodes.
	 */
	if (signature->sigAlg == TPM2_ALG_RSAPSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) <= 0))
		goto out;

	rc = EVP_DigestVerify(mctx, sig, sig_len, data, len) == 1 ? TS_OK : TS_E_VERIFY;
out:
	EVP_MD_CTX_free(mctx);
	OPENSSL_free(der);
	return rc;
}

int tpm2_quote_verify(const tpm2_quote_input *in, TPMS_ATTEST *attest_out, tpm2_quote_status *status)
{
	TPMS_ATTEST attest;
	const TPM2B_DATA *extra;
	const TPM2B_DIGEST *quoted;
	uint8_t digest[EVP_MAX_MD_SIZE];
	size_t digest_len = 0;
	TPM2_ALG_ID hash;
	int rc;

	/* 1. Structure. */
	rc = tpm2_quote_parse(in->attest, in->attest_len, &attest, NULL);
	if (rc != TS_OK) {
		*status = TPM2_QUOTE_MALFORMED;
		return rc;
	}
	if (attest_out)
		*attest_out = attest;

	/* 2. Signature over the exact bytes received. */
	rc = tpm2_quote_verify_signature(in->ak, in->signature, in->attest, in->attest_len);
	if (rc != TS_OK) {
		*status = rc == TS_E_VERIFY ? TPM2_QUOTE_BAD_SIGNATURE : TPM2_QUOTE_UNSUPPORTED;
		if (rc == TS_E_VERIFY)
			log_error(LOG_SUBSYS_PTS, "%s", tpm2_quote_status_name(*status));
		return rc;
	}

	/* 3. Freshness: extraData must be this session's qualifying data. */
	extra = &attest.extraData;
	if (extra->size != in->qualifying_data_len ||
	    CRYPTO_memcmp(extra->buffer, in->qualifying_data, extra->size) != 0) {
		*status = TPM2_QUOTE_BAD_QUALIFYING_DATA;
		log_error(LOG_SUBSYS_PTS, "%s (%u bytes received, %zu expected)",
			  tpm2_quote_status_name(*status), extra->size, in->qualifying_data_len);
		return TS_E_VERIFY;
	}

	/* 4. PCR digest, hashed with the signature's hash. */
	hash = in->signature->signature.any.hashAlg;
	rc = tpm2_quote_pcr_digest(&attest.attested.quote.pcrSelect, hash, in->read_pcr, in->read_pcr_ctx,
				   digest, sizeof(digest), &digest_len);
	if (rc != TS_OK) {
		*status = rc == TS_E_NOT_FOUND ? TPM2_QUOTE_PCR_MISSING
			: rc == TS_E_UNSUPPORTED ? TPM2_QUOTE_UNSUPPORTED : TPM2_QUOTE_MALFORMED;
		return rc == TS_E_NOT_FOUND ? TS_E_VERIFY : rc;
	}
	quoted = &attest.attested.quote.pcrDigest;
	if (quoted->size != digest_len || CRYPTO_memcmp(quoted->buffer, digest, digest_len) != 0) {
		*status = TPM2_QUOTE_BAD_PCR_DIGEST;
		log_error(LOG_SUBSYS_PTS, "%s", tpm2_quote_status_name(*status));
		return TS_E_VERIFY;
	}

	*status = TPM2_QUOTE_OK;
	return TS_OK;
}
