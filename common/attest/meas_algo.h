/*
 * PTS measurement (hash) algorithms: the 16-bit hash algorithm set of the
 * TCG Attestation PTS Protocol: Binding to TNC IF-M, used by PTS Measurement
 * Algorithm Request/Response, DH Nonce Parameters Response and Finish,
 * Simple Component Evidence and Simple Evidence Final.
 *
 *   bit     algorithm  digest length
 *   0x8000  SHA-1      20
 *   0x4000  SHA-256    32
 *   0x2000  SHA-384    48
 *   0x1000  SHA-512    64
 *
 * The same numbers are the algorithms.id values of config.db.
 */
#ifndef ATTEST_MEAS_ALGO_H
#define ATTEST_MEAS_ALGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#include "conf.h"
#include "ts_error.h"

enum {
	MEAS_ALGO_NONE = 0x0000,
	MEAS_ALGO_SHA1 = 0x8000,
	MEAS_ALGO_SHA256 = 0x4000,
	MEAS_ALGO_SHA384 = 0x2000,
	MEAS_ALGO_SHA512 = 0x1000,
	/* Every bit defined here. Other bits of a received set are ignored. */
	MEAS_ALGO_ALL = MEAS_ALGO_SHA1 | MEAS_ALGO_SHA256 | MEAS_ALGO_SHA384 | MEAS_ALGO_SHA512,
	/* SHA-1 and SHA-256 are mandatory to implement for PTS. */
	MEAS_ALGO_MANDATORY = MEAS_ALGO_SHA1 | MEAS_ALGO_SHA256,
};

/* Largest digest of any algorithm above (SHA-512). */
#define MEAS_ALGO_MAX_DIGEST_LEN 64

/* Whether `algo` is exactly one known bit. */
bool meas_algo_is_single(uint16_t algo);

/* "SHA-256" etc., or "unknown" for anything that is not a single known bit. */
const char *meas_algo_name(uint16_t algo);

/* Digest length in bytes, 0 for anything that is not a single known bit. */
size_t meas_algo_digest_len(uint16_t algo);

/* The OpenSSL digest, or NULL for anything that is not a single known bit. */
const EVP_MD *meas_algo_evp_md(uint16_t algo);

/*
 * Parses a configuration name: "sha1", "sha256", "sha384" or "sha512"
 * (case-insensitive). TS_E_INVALID for anything else.
 */
TS_MUST_CHECK int meas_algo_from_name(const char *name, uint16_t *out);

/* Every known algorithm up to and including `strongest` (a single bit). */
uint16_t meas_algo_set_up_to(uint16_t strongest);

/*
 * Picks the preferred algorithm present in both sets, in the order
 * SHA-512, SHA-384, SHA-256, SHA-1. Returns TS_E_UNSUPPORTED with *out
 * untouched when the sets share none (PTS error "hash algorithm not
 * supported").
 */
TS_MUST_CHECK int meas_algo_select(uint16_t offered, uint16_t supported, uint16_t *out);

/* TPM_ALG_ID <-> PTS bit, for PCR banks and the TPM 2.0 quote's signature hash. */
TS_MUST_CHECK int meas_algo_from_tpm_alg(TPM2_ALG_ID alg, uint16_t *out);
TS_MUST_CHECK int meas_algo_to_tpm_alg(uint16_t algo, TPM2_ALG_ID *out);

/*
 * Reads `hash_algorithm` from `section` (default "sha384") and returns the
 * set of every algorithm up to it in *out. TS_E_CONFIG on an unknown name.
 */
TS_MUST_CHECK int meas_algo_config_load(const conf_t *conf, const char *section, uint16_t *out);

#endif
