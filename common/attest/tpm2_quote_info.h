/*
 * strongSwan's TPM 2.0 quote info in Simple Evidence Final.
 *
 * PTS 1.0 defines quotes for TPM 1.2 only. strongSwan 6.0.6 carries a
 * TPM 2.0 quote with Simple Evidence Final flag 0x10 and these fields after
 * the flags, reserved and composite hash algorithm octets:
 *
 *   +-------------------------------+
 *   | PCR composite length C (4)    |  the quote's pcrDigest
 *   | pcrDigest (C)                 |
 *   | qualified signer length (2)   |  TPM2B_NAME contents: nameAlg || digest
 *   | qualifiedSigner               |
 *   | clock info length (2) = 17    |  TPMS_CLOCK_INFO
 *   | clockInfo (17)                |
 *   | version length (2) = 8        |  firmwareVersion
 *   | firmwareVersion (8)           |
 *   | PCR selection length (2)      |  TPML_PCR_SELECTION (10 for one bank)
 *   | pcrSelect                     |
 *   | quote signature length (4)    |  RSA: the raw signature;
 *   | signature                     |  ECDSA: r || s, each curve-size
 *   +-------------------------------+
 *
 * The composite hash algorithm field contains the signature's hash as a PTS
 * hash bit (meas_algo.h), which is also the pcrDigest hash. The verifier
 * rebuilds the TPMS_ATTEST from these fields with its own secret as
 * extraData and its own PCR digest, then checks the signature over it.
 */
#ifndef ATTEST_TPM2_QUOTE_INFO_H
#define ATTEST_TPM2_QUOTE_INFO_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "reader.h"
#include "tpm2_quote.h"
#include "ts_error.h"
#include "writer.h"

/* The largest quote signature: an RSA 4096 signature. */
#define TPM2_QUOTE_INFO_MAX_SIGNATURE_LEN TPM2_MAX_RSA_KEY_BYTES

typedef struct tpm2_quote_info {
	TPM2B_DIGEST pcr_digest;
	TPM2B_NAME qualified_signer;
	TPMS_CLOCK_INFO clock_info;
	UINT64 firmware_version;
	TPML_PCR_SELECTION pcr_select;
	uint8_t signature[TPM2_QUOTE_INFO_MAX_SIGNATURE_LEN];
	size_t signature_len;
} tpm2_quote_info;

/*
 * Splits a TPM quote into the quote info fields (the attested side).
 * *composite_hash receives the PTS hash bit of the signature's hash. `ak`
 * (may be NULL) sets the width of ECDSA r and s; without it both are
 * padded to the longer of the two.
 */
TS_MUST_CHECK int tpm2_quote_info_from_quote(const TPMS_ATTEST *attest, const TPMT_SIGNATURE *signature,
					     const EVP_PKEY *ak, tpm2_quote_info *out, uint16_t *composite_hash);

/* Appends the fields in the layout above. */
TS_MUST_CHECK int tpm2_quote_info_build(const tpm2_quote_info *info, writer_t *w);

/*
 * Reads the fields in the layout above from `r` and leaves r after the
 * signature. The caller checks what follows (an evidence signature or the
 * end of the attribute). On error, r is unchanged and *err_offset (may be
 * NULL) receives the offset of the offending field in r's outermost buffer.
 */
TS_MUST_CHECK int tpm2_quote_info_parse(reader_t *r, tpm2_quote_info *out, size_t *err_offset);

/*
 * Rebuilds the marshalled TPMS_ATTEST that the TPM signed, with
 * `qualifying_data` as extraData and `pcr_digest` as pcrDigest.
 */
TS_MUST_CHECK int tpm2_quote_info_attest(const tpm2_quote_info *info,
					 const uint8_t *qualifying_data, size_t qualifying_data_len,
					 const uint8_t *pcr_digest, size_t pcr_digest_len, writer_t *w);

/*
 * Turns the quote info's signature into a TPMT_SIGNATURE for `ak`: ECDSA for
 * an EC key (r and s are the two halves), `rsa_scheme` (TPM2_ALG_RSASSA or
 * TPM2_ALG_RSAPSS; TPM2_ALG_NULL means RSASSA, as strongSwan assumes) for an
 * RSA key. `hash` is a TPM_ALG_ID.
 */
TS_MUST_CHECK int tpm2_quote_info_signature(const tpm2_quote_info *info, const EVP_PKEY *ak,
					    TPM2_ALG_ID rsa_scheme, TPM2_ALG_ID hash, TPMT_SIGNATURE *out);

/*
 * The verifier's check: hashes the caller's PCR values over the quote info's
 * PCR selection with `composite_hash` (a PTS hash bit), compares the result
 * with pcrDigest, rebuilds the TPMS_ATTEST with `qualifying_data` and checks
 * the signature with `ak`. A quote made for another secret fails as
 * TPM2_QUOTE_BAD_SIGNATURE, because extraData is not transmitted. With an
 * RSA AK and `rsa_scheme` TPM2_ALG_NULL, RSASSA is tried first, then RSAPSS
 * (strongSwan 6.0.6 tries RSASSA only).
 */
TS_MUST_CHECK int tpm2_quote_info_verify(const tpm2_quote_info *info, uint16_t composite_hash, EVP_PKEY *ak,
					 TPM2_ALG_ID rsa_scheme,
					 const uint8_t *qualifying_data, size_t qualifying_data_len,
					 tpm2_quote_pcr_fn read_pcr, void *read_pcr_ctx,
					 tpm2_quote_status *status);

#endif
