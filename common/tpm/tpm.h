/*
 * Access to a TPM 2.0 through tpm2-tss (ESAPI over the TCTI loader).
 *
 * The TCTI comes from the configuration: "device:/dev/tpmrm0" on a real
 * machine, "swtpm:path=/run/x/tpm.sock" in tests. With no TCTI configured,
 * tpm_open() looks for the kernel's resource-manager device through
 * libudev. Commands for which the TPM returns TPM_RC_RETRY, TPM_RC_YIELDED
 * or TPM_RC_TESTING are repeated up to TPM_MAX_RETRIES times.
 *
 * The attestation key (AK) is a restricted signing key at a persistent
 * handle. tpm_provision_ak() creates one as a primary key of the
 * endorsement hierarchy, so no policy session is needed to use it. An AK
 * that FAPI created (a key path such as "HS/SRK/AK") works too: fetch its
 * ESAPI blob with tpm_fapi_get_ak_blob(), hand it to tpm_set_ak_blob() and
 * pass TPM_AK_FAPI where a handle is expected.
 */
#ifndef TPM_H
#define TPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"

typedef struct tpm tpm_t;

#define TPM_MAX_RETRIES 10
#define TPM_DEFAULT_AK_HANDLE 0x81010002u
/* The "handle" of the AK set with tpm_set_ak_blob(). */
#define TPM_AK_FAPI 0u
#define TPM_PCR_COUNT 24
#define TPM_MAX_DIGEST_SIZE 64

/* Bits of tpm_version_info.banks and of tpm_get_banks(). */
enum tpm_bank {
	TPM_BANK_SHA1 = 1u << 0,
	TPM_BANK_SHA256 = 1u << 1,
	TPM_BANK_SHA384 = 1u << 2,
	TPM_BANK_SHA512 = 1u << 3,
};

typedef struct tpm_version_info {
	uint32_t spec_level;       /* TPM2_PT_LEVEL */
	uint32_t spec_revision;    /* TPM2_PT_REVISION, e.g. 159 for 1.59 */
	uint32_t spec_day_of_year;
	uint32_t spec_year;
	uint32_t manufacturer;     /* TPM2_PT_MANUFACTURER, four ASCII letters, e.g. "IBM " */
	uint32_t vendor_string[4]; /* TPM2_PT_VENDOR_STRING_1..4 */
	uint32_t firmware_version1;
	uint32_t firmware_version2;
	uint32_t banks;            /* TPM_BANK_* with at least one PCR allocated */
} tpm_version_info;

typedef enum tpm_ak_type {
	TPM_AK_ECC_P256,   /* ECDSA with SHA-256 */
	TPM_AK_RSA_2048,   /* RSASSA-PKCS1-v1_5 with SHA-256 */
} tpm_ak_type;

/* A TPM algorithm id (TPM2_ALG_SHA1 ...) for a TPM_BANK_* bit, 0 if unknown. */
uint16_t tpm_bank_alg(uint32_t bank);
/* The digest size of a TPM hash algorithm id, 0 if unknown. */
size_t tpm_alg_digest_size(uint16_t alg);

/*
 * Connects to the TPM. tcti NULL or "" means: the resource-manager device
 * found by libudev, else "device:/dev/tpmrm0". Errors name the TCTI.
 */
TS_MUST_CHECK int tpm_open(const char *tcti, tpm_t **out);
void tpm_close(tpm_t *tpm);
const char *tpm_tcti(const tpm_t *tpm);

/*
 * Reads the ESAPI blob of the FAPI key at `path` (e.g. "HS/SRK/AK") through
 * FAPI, whose configuration file TSS2_FAPICONF names (keystore and TCTI).
 * A TPM that serves one client at a time (swtpm) must not be open through
 * tpm_open() meanwhile. *blob is malloc()ed.
 */
TS_MUST_CHECK int tpm_fapi_get_ak_blob(const char *path, uint8_t *type, uint8_t **blob, size_t *len);
/* Makes TPM_AK_FAPI refer to a blob from tpm_fapi_get_ak_blob() (copied). */
TS_MUST_CHECK int tpm_set_ak_blob(tpm_t *tpm, uint8_t type, const uint8_t *blob, size_t len);

/* Finds the TPM resource-manager device node with libudev (e.g. "/dev/tpmrm0"). */
TS_MUST_CHECK int tpm_find_device(char *path, size_t path_size);

TS_MUST_CHECK int tpm_get_version_info(tpm_t *tpm, tpm_version_info *out);
TS_MUST_CHECK int tpm_get_banks(tpm_t *tpm, uint32_t *banks);

/* Reads one PCR of the bank with TPM hash algorithm alg into digest (size *len on return). */
TS_MUST_CHECK int tpm_pcr_read(tpm_t *tpm, uint16_t alg, unsigned pcr, uint8_t *digest, size_t *len);
/* Extends one PCR of one bank; for tests and for replaying a log into a fresh TPM. */
TS_MUST_CHECK int tpm_pcr_extend(tpm_t *tpm, unsigned pcr, uint16_t alg, const uint8_t *digest, size_t len);

/*
 * Creates an AK at the persistent handle. An existing key there makes it
 * fail with TS_E_INVALID unless replace is set. *public_out (malloc()ed,
 * may be NULL) receives the marshalled TPM2B_PUBLIC.
 */
TS_MUST_CHECK int tpm_provision_ak(tpm_t *tpm, uint32_t handle, tpm_ak_type type, bool replace,
				   uint8_t **public_out, size_t *public_len);

/*
 * Reads the public area of the key at a persistent handle as a marshalled
 * TPM2B_PUBLIC (malloc()ed). TS_E_NOT_FOUND when there is no key.
 */
TS_MUST_CHECK int tpm_read_public(tpm_t *tpm, uint32_t handle, uint8_t **public_out, size_t *public_len);

/*
 * Quotes the PCRs in pcr_mask (bit n = PCR n) of the bank with algorithm
 * alg, signed by the AK at handle with its own scheme, over qualifying data
 * (at most 64 bytes). Returns the marshalled TPMS_ATTEST and TPMT_SIGNATURE,
 * both malloc()ed.
 */
TS_MUST_CHECK int tpm_quote(tpm_t *tpm, uint32_t handle, uint16_t alg, uint32_t pcr_mask,
			    const uint8_t *qualifying, size_t qualifying_len,
			    uint8_t **attest, size_t *attest_len, uint8_t **signature, size_t *signature_len);

#endif
