/*
 * TPM 2.0 quote verification: the TPMS_ATTEST that TPM2_Quote signs, the
 * PCR digest inside it, and the TPMT_SIGNATURE over it.
 *
 * A quote verifies when
 *   1. the TPMS_ATTEST parses (magic TPM_GENERATED_VALUE, type
 *      TPM_ST_ATTEST_QUOTE, no trailing bytes),
 *   2. the signature verifies with the AK over the TPMS_ATTEST bytes, with
 *      the hash named in the signature,
 *   3. extraData equals the expected qualifying data (the PTS secret or a
 *      nonce), and
 *   4. hashing the caller's PCR values, in the order of the quote's
 *      TPML_PCR_SELECTION, with the signature's hash gives pcrDigest.
 *
 * NOTE: qualifiedSigner is not checked, because it depends on the AK's
 * parent chain, which a verifier with only the AK public key lacks.
 * strongSwan 6.0.6 does not check it either.
 */
#ifndef ATTEST_TPM2_QUOTE_H
#define ATTEST_TPM2_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "ts_error.h"

/*
 * Source of PCR values: returns TS_OK and points *value at the value of PCR
 * `index` in bank `bank` (a TPM_ALG_ID), or TS_E_NOT_FOUND. The value must
 * stay valid until the verification call returns.
 */
typedef int (*tpm2_quote_pcr_fn)(void *ctx, TPM2_ALG_ID bank, uint32_t index,
				 const uint8_t **value, size_t *len);

/* One PCR value of a plain array, for tpm2_quote_pcr_array(). */
typedef struct tpm2_quote_pcr {
	TPM2_ALG_ID bank;
	uint32_t index;
	const uint8_t *value;
	size_t len;
} tpm2_quote_pcr;

typedef struct tpm2_quote_pcr_list {
	const tpm2_quote_pcr *pcrs;
	size_t count;
} tpm2_quote_pcr_list;

/* A tpm2_quote_pcr_fn over a tpm2_quote_pcr_list passed as ctx. */
int tpm2_quote_pcr_array(void *ctx, TPM2_ALG_ID bank, uint32_t index, const uint8_t **value, size_t *len);

/* Why a verification failed, or TPM2_QUOTE_OK when it did not. */
typedef enum tpm2_quote_status {
	TPM2_QUOTE_OK = 0,
	TPM2_QUOTE_MALFORMED,           /* TPMS_ATTEST or TPMT_SIGNATURE invalid */
	TPM2_QUOTE_UNSUPPORTED,         /* signature scheme, hash or key type not supported */
	TPM2_QUOTE_BAD_SIGNATURE,       /* signature does not verify with this AK */
	TPM2_QUOTE_BAD_QUALIFYING_DATA, /* extraData is not the expected nonce */
	TPM2_QUOTE_PCR_MISSING,         /* a selected PCR has no value */
	TPM2_QUOTE_BAD_PCR_DIGEST,      /* PCR values do not hash to pcrDigest */
} tpm2_quote_status;

const char *tpm2_quote_status_name(tpm2_quote_status status);

/*
 * Parses a marshalled TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE (TPM 2.0
 * Part 2, section 10.12.12) that must fill `len` exactly:
 *
 *   magic(4) type(2) qualifiedSigner(2+n) extraData(2+n) clockInfo(17)
 *   firmwareVersion(8) pcrSelect: count(4) {hash(2) sizeofSelect(1)
 *   pcrSelect(sizeofSelect)}*count  pcrDigest(2+n)
 *
 * On error *err_offset (may be NULL) receives the offset of the offending
 * field, which is also logged with the field name.
 */
TS_MUST_CHECK int tpm2_quote_parse(const uint8_t *data, size_t len, TPMS_ATTEST *out, size_t *err_offset);

/*
 * Parses a marshalled TPMT_SIGNATURE (sigAlg(2), then the scheme's body)
 * that must fill `len` exactly.
 */
TS_MUST_CHECK int tpm2_quote_parse_signature(const uint8_t *data, size_t len, TPMT_SIGNATURE *out,
					     size_t *err_offset);

/*
 * Hashes the PCR values of `selection` with `hash` (a TPM_ALG_ID): banks in
 * list order, indices ascending inside a bank, values concatenated without
 * length prefixes. TS_E_NOT_FOUND if a selected PCR has no value,
 * TS_E_INVALID if a value does not have its bank's digest length.
 */
TS_MUST_CHECK int tpm2_quote_pcr_digest(const TPML_PCR_SELECTION *selection, TPM2_ALG_ID hash,
					tpm2_quote_pcr_fn read_pcr, void *ctx,
					uint8_t *out, size_t out_size, size_t *out_len);

/*
 * Verifies an RSASSA, RSAPSS or ECDSA TPMT_SIGNATURE over data[0..len)
 * with `ak`. TS_E_VERIFY if it does not verify, TS_E_UNSUPPORTED for another
 * scheme, an unknown hash or a key of the wrong type.
 */
TS_MUST_CHECK int tpm2_quote_verify_signature(EVP_PKEY *ak, const TPMT_SIGNATURE *signature,
					      const uint8_t *data, size_t len);

typedef struct tpm2_quote_input {
	const uint8_t *attest;          /* marshalled TPMS_ATTEST (TPM2B_ATTEST contents) */
	size_t attest_len;
	const TPMT_SIGNATURE *signature;
	EVP_PKEY *ak;
	const uint8_t *qualifying_data; /* the expected extraData */
	size_t qualifying_data_len;
	tpm2_quote_pcr_fn read_pcr;
	void *read_pcr_ctx;
} tpm2_quote_input;

/*
 * Runs the four checks above. Returns TS_OK, or TS_E_VERIFY (or the parse
 * or crypto error) with the reason in *status. *attest_out (may be NULL)
 * receives the parsed quote whenever it parsed.
 */
TS_MUST_CHECK int tpm2_quote_verify(const tpm2_quote_input *in, TPMS_ATTEST *attest_out,
				    tpm2_quote_status *status);

#endif
