/*
 * Emulated TPM 2.0 PCR banks (SHA-1, SHA-256, SHA-384, SHA-512).
 *
 * A bank holds 24 PCRs of one hash algorithm and extends them the way a TPM
 * does: PCR[i] = H(PCR[i] || digest). Hashing goes through OpenSSL 3 EVP.
 *
 * Reset values follow the TCG PC Client Platform TPM Profile after
 * TPM2_Startup(CLEAR): PCRs 0-16 and 23 are all zero, PCRs 17-22 (D-RTM) are
 * all 0xff, and the last byte of PCR 0 is the locality TPM2_Startup ran at
 * (0 normally, 3 when the firmware logged a StartupLocality event of 3, 4 when
 * an H-CRTM sequence started the TPM).
 */
#ifndef PCR_BANK_H
#define PCR_BANK_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"

#define PCR_BANK_NUM_PCRS 24
#define PCR_BANK_MAX_DIGEST_SIZE 64

/* TPM_ALG_ID values of the supported banks (TPM 2.0 Library Part 2, 6.3). */
#define PCR_BANK_ALG_SHA1   0x0004
#define PCR_BANK_ALG_SHA256 0x000B
#define PCR_BANK_ALG_SHA384 0x000C
#define PCR_BANK_ALG_SHA512 0x000D

typedef struct pcr_bank pcr_bank_t;

/*
 * Creates a bank for the algorithm `alg_id`, reset for locality 0.
 * Returns TS_E_UNSUPPORTED for an algorithm outside the four above,
 * TS_E_CRYPTO if OpenSSL cannot provide it. The caller frees *out with
 * pcr_bank_destroy().
 */
TS_MUST_CHECK int pcr_bank_create(uint16_t alg_id, pcr_bank_t **out);
void pcr_bank_destroy(pcr_bank_t *bank);

/* Resets all 24 PCRs as after TPM2_Startup at `startup_locality` (0..4). */
TS_MUST_CHECK int pcr_bank_reset(pcr_bank_t *bank, uint8_t startup_locality);

/*
 * Extends PCR `index` with `digest`, which must be exactly the bank's digest
 * size. Returns TS_E_INVALID for a bad index or size, TS_E_CRYPTO on an
 * OpenSSL failure (the PCR is then unchanged).
 */
TS_MUST_CHECK int pcr_bank_extend(pcr_bank_t *bank, unsigned index,
				  const uint8_t *digest, size_t len);

/*
 * Points *value at PCR `index` (valid until the next reset, extend or
 * destroy) and sets *len to the digest size. TS_E_INVALID for a bad index.
 */
TS_MUST_CHECK int pcr_bank_read(const pcr_bank_t *bank, unsigned index,
				const uint8_t **value, size_t *len);

/* Bit i is set when PCR i was extended since the last reset. */
uint32_t pcr_bank_get_extended(const pcr_bank_t *bank);
uint16_t pcr_bank_get_alg(const pcr_bank_t *bank);
size_t pcr_bank_get_digest_size(const pcr_bank_t *bank);
/* Lowercase bank name as tpm2-tools prints it ("sha256"). */
const char *pcr_bank_get_name(const pcr_bank_t *bank);

/* Digest size of a supported algorithm, 0 for any other TPM_ALG_ID. */
size_t pcr_bank_alg_digest_size(uint16_t alg_id);
/* Name of a TPM_ALG_ID ("sha1", "sm3_256", ...) or NULL when unknown. */
const char *pcr_bank_alg_name(uint16_t alg_id);

#endif
