#include <string.h>

#include <openssl/crypto.h>
#include <tss2/tss2_mu.h>

#include "log.h"
#include "meas_algo.h"
#include "tpm2_ak.h"
#include "tpm2_quote_check.h"
#include "tpm2_quote_info.h"

static const char tpm2_quote_info_st[] = "TPM 2.0 quote info";

/* Reads a length-prefixed field (2 or 4 length octets) of at most `max` bytes. */
static int tpm2_quote_info_vec(reader_t *r, size_t prefix, size_t max, const char *field,
			       const uint8_t **data, size_t *len, size_t *err_offset)
{
	const uint8_t *hdr;
	size_t size = 0;
	int rc;

	rc = reader_peek(r, 0, prefix, &hdr);
	for (size_t i = 0; rc == TS_OK && i < prefix; i++)
		size = size << 8 | hdr[i];
	if (rc == TS_OK && size > max) {
		log_error(LOG_SUBSYS_PTS, "%s: %s length at offset %zu is %zu, more than %zu",
			  tpm2_quote_info_st, field, reader_offset(r), size, max);
		if (err_offset)
			*err_offset = reader_offset(r);
		return TS_E_TOO_LARGE;
	}
	rc = prefix == 2 ? reader_vec16(r, data, len) : reader_vec32(r, data, len);
	return tpm2_quote_check_field(rc, tpm2_quote_info_st, field, r, err_offset);
}

/* Reads a 2-byte length that must equal `expected`, then that many bytes. */
static int tpm2_quote_info_fixed(reader_t *r, size_t expected, const char *field,
				 const uint8_t **data, size_t *err_offset)
{
	size_t at = reader_offset(r);
	size_t len;
	int rc;

	rc = tpm2_quote_info_vec(r, 2, SIZE_MAX, field, data, &len, err_offset);
	if (rc != TS_OK)
		return rc;
	if (len != expected) {
		log_error(LOG_SUBSYS_PTS, "%s: %s length at offset %zu is %zu; expected %zu",
			  tpm2_quote_info_st, field, at, len, expected);
		if (err_offset)
			*err_offset = at;
		return TS_E_INVALID;
	}
	return TS_OK;
}

int tpm2_quote_info_parse(reader_t *r, tpm2_quote_info *out, size_t *err_offset)
{
	tpm2_quote_info info;
	reader_t pos = *r;
	reader_t sel;
	const uint8_t *data;
	size_t len, offset, sel_at;
	uint16_t sel_len;
	int rc;

	memset(&info, 0, sizeof(info));

	rc = tpm2_quote_info_vec(&pos, 4, sizeof(info.pcr_digest.buffer), "PCR composite", &data, &len, err_offset);
	if (rc != TS_OK)
		return rc;
	memcpy(info.pcr_digest.buffer, data, len);
	info.pcr_digest.size = (UINT16)len;

	rc = tpm2_quote_info_vec(&pos, 2, sizeof(info.qualified_signer.name), "qualified signer",
				 &data, &len, err_offset);
	if (rc != TS_OK)
		return rc;
	memcpy(info.qualified_signer.name, data, len);
	info.qualified_signer.size = (UINT16)len;

	rc = tpm2_quote_info_fixed(&pos, TPM2_CLOCK_INFO_LEN, "clock info", &data, err_offset);
	if (rc != TS_OK)
		return rc;
	offset = 0;
	if (Tss2_MU_TPMS_CLOCK_INFO_Unmarshal(data, TPM2_CLOCK_INFO_LEN, &offset, &info.clock_info) != TSS2_RC_SUCCESS)
		return tpm2_quote_check_field(TS_E_INVALID, tpm2_quote_info_st, "clock info", &pos, err_offset);

	rc = tpm2_quote_info_fixed(&pos, 8, "version", &data, err_offset);
	if (rc != TS_OK)
		return rc;
	offset = 0;
	if (Tss2_MU_UINT64_Unmarshal(data, 8, &offset, &info.firmware_version) != TSS2_RC_SUCCESS)
		return tpm2_quote_check_field(TS_E_INVALID, tpm2_quote_info_st, "version", &pos, err_offset);

	/* The PCR selection gets its own window so offsets inside it stay absolute. */
	sel_at = reader_offset(&pos);
	rc = reader_u16(&pos, &sel_len);
	if (rc == TS_OK)
		rc = reader_sub(&pos, sel_len, &sel);
	if (rc != TS_OK)
		return tpm2_quote_check_field(rc, tpm2_quote_info_st, "PCR selection", &pos, err_offset);
	rc = tpm2_quote_check_pcr_selection(&sel, tpm2_quote_info_st, err_offset);
	if (rc != TS_OK)
		return rc;
	rc = reader_expect_end(&sel);
	if (rc != TS_OK)
		return tpm2_quote_check_field(rc, tpm2_quote_info_st, "end of PCR selection", &sel, err_offset);
	offset = 0;
	if (Tss2_MU_TPML_PCR_SELECTION_Unmarshal(sel.data, sel.len, &offset, &info.pcr_select) != TSS2_RC_SUCCESS ||
	    offset != sel.len) {
		/* Not expected after the walk above; reported rather than trusted. */
		log_error(LOG_SUBSYS_PTS, "%s: tss2-mu rejected the PCR selection at offset %zu",
			  tpm2_quote_info_st, sel_at);
		if (err_offset)
			*err_offset = sel_at;
		return TS_E_INVALID;
	}

	rc = tpm2_quote_info_vec(&pos, 4, sizeof(info.signature), "quote signature", &data, &len, err_offset);
	if (rc != TS_OK)
		return rc;
	memcpy(info.signature, data, len);
	info.signature_len = len;

	*out = info;
	*r = pos;
	return TS_OK;
}

int tpm2_quote_info_build(const tpm2_quote_info *info, writer_t *w)
{
	uint8_t clock[TPM2_CLOCK_INFO_LEN];
	uint8_t version[8];
	uint8_t selection[sizeof(TPML_PCR_SELECTION)];
	size_t clock_len = 0, version_len = 0, selection_len = 0;

	if (info->signature_len > sizeof(info->signature))
		return TS_E_INVALID;
	if (Tss2_MU_TPMS_CLOCK_INFO_Marshal(&info->clock_info, clock, sizeof(clock), &clock_len) != TSS2_RC_SUCCESS ||
	    Tss2_MU_UINT64_Marshal(info->firmware_version, version, sizeof(version), &version_len) != TSS2_RC_SUCCESS ||
	    Tss2_MU_TPML_PCR_SELECTION_Marshal(&info->pcr_select, selection, sizeof(selection),
					       &selection_len) != TSS2_RC_SUCCESS)
		return TS_E_INVALID;

	writer_vec32(w, info->pcr_digest.buffer, info->pcr_digest.size);
	writer_vec16(w, info->qualified_signer.name, info->qualified_signer.size);
	writer_vec16(w, clock, clock_len);
	writer_vec16(w, version, version_len);
	writer_vec16(w, selection, selection_len);
	writer_vec32(w, info->signature, info->signature_len);
	return writer_status(w);
}

/* Copies a big-endian number right-aligned into out[0..width). */
static int tpm2_quote_info_pad(const TPM2B_ECC_PARAMETER *value, size_t width, uint8_t *out)
{
	if (value->size > width)
		return TS_E_INVALID;
	memset(out, 0, width - value->size);
	memcpy(out + width - value->size, value->buffer, value->size);
	return TS_OK;
}

int tpm2_quote_info_from_quote(const TPMS_ATTEST *attest, const TPMT_SIGNATURE *signature,
			       const EVP_PKEY *ak, tpm2_quote_info *out, uint16_t *composite_hash)
{
	tpm2_quote_info info;
	uint16_t hash_bit;
	int rc;

	if (attest->magic != TPM2_GENERATED_VALUE || attest->type != TPM2_ST_ATTEST_QUOTE)
		return TS_E_INVALID;

	memset(&info, 0, sizeof(info));
	info.pcr_digest = attest->attested.quote.pcrDigest;
	info.qualified_signer = attest->qualifiedSigner;
	info.clock_info = attest->clockInfo;
	info.firmware_version = attest->firmwareVersion;
	info.pcr_select = attest->attested.quote.pcrSelect;

	switch (signature->sigAlg) {
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS: {
		const TPM2B_PUBLIC_KEY_RSA *sig = &signature->signature.rsassa.sig;

		if (sig->size > sizeof(info.signature))
			return TS_E_INVALID;
		memcpy(info.signature, sig->buffer, sig->size);
		info.signature_len = sig->size;
		break;
	}
	case TPM2_ALG_ECDSA: {
		const TPMS_SIGNATURE_ECC *ecc = &signature->signature.ecdsa;
		size_t width = ak ? tpm2_ak_ecc_coordinate_len(ak) : 0;

		/* strongSwan splits r || s in equal halves, so both get the curve size. */
		if (width == 0)
			width = ecc->signatureR.size > ecc->signatureS.size ? ecc->signatureR.size
									    : ecc->signatureS.size;
		if (2 * width > sizeof(info.signature))
			return TS_E_INVALID;
		rc = tpm2_quote_info_pad(&ecc->signatureR, width, info.signature);
		if (rc == TS_OK)
			rc = tpm2_quote_info_pad(&ecc->signatureS, width, info.signature + width);
		if (rc != TS_OK) {
			log_error(LOG_SUBSYS_PTS, "ECDSA quote signature does not fit %zu-byte coordinates", width);
			return rc;
		}
		info.signature_len = 2 * width;
		break;
	}
	default:
		log_error(LOG_SUBSYS_PTS, "quote signature scheme 0x%04x has no quote info encoding", signature->sigAlg);
		return TS_E_UNSUPPORTED;
	}

	if (meas_algo_from_tpm_alg(signature->signature.any.hashAlg, &hash_bit) != TS_OK) {
		log_error(LOG_SUBSYS_PTS, "quote signature hash 0x%04x has no PTS hash bit",
			  signature->signature.any.hashAlg);
		return TS_E_UNSUPPORTED;
	}
	*out = info;
	*composite_hash = hash_bit;
	return TS_OK;
}

int tpm2_quote_info_attest(const tpm2_quote_info *info,
			   const uint8_t *qualifying_data, size_t qualifying_data_len,
			   const uint8_t *pcr_digest, size_t pcr_digest_len, writer_t *w)
{
	TPMS_ATTEST attest;
	uint8_t buf[sizeof(TPMS_ATTEST)];
	size_t len = 0;

	memset(&attest, 0, sizeof(attest));
	if (qualifying_data_len > sizeof(attest.extraData.buffer) ||
	    pcr_digest_len > sizeof(attest.attested.quote.pcrDigest.buffer))
		return TS_E_INVALID;

	attest.magic = TPM2_GENERATED_VALUE;
	attest.type = TPM2_ST_ATTEST_QUOTE;
	attest.qualifiedSigner = info->qualified_signer;
	memcpy(attest.extraData.buffer, qualifying_data, qualifying_data_len);
	attest.extraData.size = (UINT16)qualifying_data_len;
	attest.clockInfo = info->clock_info;
	attest.firmwareVersion = info->firmware_version;
	attest.attested.quote.pcrSelect = info->pcr_select;
	memcpy(attest.attested.quote.pcrDigest.buffer, pcr_digest, pcr_digest_len);
	attest.attested.quote.pcrDigest.size = (UINT16)pcr_digest_len;

	if (Tss2_MU_TPMS_ATTEST_Marshal(&attest, buf, sizeof(buf), &len) != TSS2_RC_SUCCESS)
		return TS_E_INVALID;
	writer_bytes(w, buf, len);
	return writer_status(w);
}

int tpm2_quote_info_signature(const tpm2_quote_info *info, const EVP_PKEY *ak,
			      TPM2_ALG_ID rsa_scheme, TPM2_ALG_ID hash, TPMT_SIGNATURE *out)
{
	TPMT_SIGNATURE sig;

	memset(&sig, 0, sizeof(sig));
	if (EVP_PKEY_is_a(ak, "EC")) {
		size_t half = info->signature_len / 2;

		if (info->signature_len % 2 != 0 || half == 0 || half > TPM2_MAX_ECC_KEY_BYTES) {
			log_error(LOG_SUBSYS_PTS, "ECDSA quote signature of %zu bytes cannot be split into r and s",
				  info->signature_len);
			return TS_E_INVALID;
		}
		sig.sigAlg = TPM2_ALG_ECDSA;
		sig.signature.ecdsa.hash = hash;
		memcpy(sig.signature.ecdsa.signatureR.buffer, info->signature, half);
		sig.signature.ecdsa.signatureR.size = (UINT16)half;
		memcpy(sig.signature.ecdsa.signatureS.buffer, info->signature + half, half);
		sig.signature.ecdsa.signatureS.size = (UINT16)half;
	} else if (EVP_PKEY_is_a(ak, "RSA")) {
		if (rsa_scheme == TPM2_ALG_NULL)
			rsa_scheme = TPM2_ALG_RSASSA;
		if (rsa_scheme != TPM2_ALG_RSASSA && rsa_scheme != TPM2_ALG_RSAPSS)
			return TS_E_UNSUPPORTED;
		if (info->signature_len > sizeof(sig.signature.rsassa.sig.buffer))
			return TS_E_INVALID;
		sig.sigAlg = rsa_scheme;
		sig.signature.rsassa.hash = hash;
		memcpy(sig.signature.rsassa.sig.buffer, info->signature, info->signature_len);
		sig.signature.rsassa.sig.size = (UINT16)info->signature_len;
	} else {
		log_error(LOG_SUBSYS_PTS, "AK type %s cannot verify a TPM 2.0 quote", EVP_PKEY_get0_type_name(ak));
		return TS_E_UNSUPPORTED;
	}
	*out = sig;
	return TS_OK;
}

int tpm2_quote_info_verify(const tpm2_quote_info *info, uint16_t composite_hash, EVP_PKEY *ak,
			   TPM2_ALG_ID rsa_scheme,
			   const uint8_t *qualifying_data, size_t qualifying_data_len,
			   tpm2_quote_pcr_fn read_pcr, void *read_pcr_ctx,
			   tpm2_quote_status *status)
{
	uint8_t digest[EVP_MAX_MD_SIZE];
	size_t digest_len = 0;
	TPMT_SIGNATURE sig;
	TPM2_ALG_ID hash;
	writer_t w;
	int rc;

	writer_init(&w, sizeof(TPMS_ATTEST));

	/* 1. PCR digest over the caller's values, with the composite hash. */
	if (meas_algo_to_tpm_alg(composite_hash, &hash) != TS_OK) {
		log_error(LOG_SUBSYS_PTS, "composite hash algorithm 0x%04x is not supported", composite_hash);
		*status = TPM2_QUOTE_UNSUPPORTED;
		rc = TS_E_UNSUPPORTED;
		goto out;
	}
	rc = tpm2_quote_pcr_digest(&info->pcr_select, hash, read_pcr, read_pcr_ctx,
				   digest, sizeof(digest), &digest_len);
	if (rc != TS_OK) {
		*status = rc == TS_E_NOT_FOUND ? TPM2_QUOTE_PCR_MISSING
			: rc == TS_E_UNSUPPORTED ? TPM2_QUOTE_UNSUPPORTED : TPM2_QUOTE_MALFORMED;
		rc = rc == TS_E_NOT_FOUND ? TS_E_VERIFY : rc;
		goto out;
	}
	if (info->pcr_digest.size != digest_len ||
	    CRYPTO_memcmp(info->pcr_digest.buffer, digest, digest_len) != 0) {
		*status = TPM2_QUOTE_BAD_PCR_DIGEST;
		log_error(LOG_SUBSYS_PTS, "%s", tpm2_quote_status_name(*status));
		rc = TS_E_VERIFY;
		goto out;
	}

	/* 2. The signed TPMS_ATTEST, with this side's secret and digest. */
	rc = tpm2_quote_info_attest(info, qualifying_data, qualifying_data_len, digest, digest_len, &w);
	if (rc == TS_OK)
		rc = tpm2_quote_info_signature(info, ak, rsa_scheme, hash, &sig);
	if (rc != TS_OK) {
		*status = rc == TS_E_UNSUPPORTED ? TPM2_QUOTE_UNSUPPORTED : TPM2_QUOTE_MALFORMED;
		goto out;
	}

	/* 3. Signature. The quote info does not name the RSA padding, so an unknown one may be either. */
	rc = tpm2_quote_verify_signature(ak, &sig, writer_data(&w), writer_len(&w));
	if (rc == TS_E_VERIFY && rsa_scheme == TPM2_ALG_NULL && sig.sigAlg == TPM2_ALG_RSASSA) {
		sig.sigAlg = TPM2_ALG_RSAPSS;
		rc = tpm2_quote_verify_signature(ak, &sig, writer_data(&w), writer_len(&w));
	}
	if (rc != TS_OK) {
		*status = rc == TS_E_VERIFY ? TPM2_QUOTE_BAD_SIGNATURE : TPM2_QUOTE_UNSUPPORTED;
		if (rc == TS_E_VERIFY)
			log_error(LOG_SUBSYS_PTS, "%s", tpm2_quote_status_name(*status));
		goto out;
	}
	*status = TPM2_QUOTE_OK;
out:
	writer_free(&w);
	return rc;
}
