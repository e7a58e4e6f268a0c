/*
 * The device ID that imc-os sends in the ITA-HSR Device ID attribute and
 * that config.db stores in devices.value.
 *
 * Sources, in this order:
 *   1. the configured string `device_id`;
 *   2. the keyid of the TPM attestation key (AK), read from the file
 *      `ak_public_key` (PEM or DER SubjectPublicKeyInfo, or a marshalled
 *      TPM2B_PUBLIC as `tpm2_createak -u` writes it) or from the persistent
 *      handle `ak_handle` through the TCTI `tcti`;
 *   3. the machine ID (imc_os_read_machine_device_id).
 *
 * The AK keyid is SHA-1 over the DER SubjectPublicKeyInfo of the key as
 * OpenSSL encodes it, in 40 lowercase hex digits. The attestation IMV
 * derives the same value from the AK the attestation IMC sends, so both
 * IMVs find the same device row. When an AK source is configured but
 * fails, there is no fallback to the machine ID: that would register the
 * endpoint as a second device.
 */
#ifndef IMC_OS_DEVICE_H
#define IMC_OS_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"

#define IMC_OS_KEYID_HEX_LEN 40
/* Maximum length of a configured device ID; the attribute value itself is unbounded. */
#define IMC_OS_MAX_DEVICE_ID 255
/* Maximum size of an AK public key file. */
#define IMC_OS_MAX_KEY_FILE (64 * 1024)

typedef struct imc_os_device_conf {
	const char *root;           /* root of the file tree, for the machine ID */
	const char *device_id;      /* configured ID, or NULL */
	const char *ak_public_key;  /* AK public key file, or NULL */
	uint32_t ak_handle;         /* persistent AK handle, or 0 */
	const char *tcti;           /* TCTI for ak_handle; NULL finds the TPM device */
	const char *ak_fapi_path;   /* FAPI key path of the AK, or NULL */
	bool ak_optional;           /* on a failure to read the AK, use the machine ID */
} imc_os_device_conf;

/* Computes the AK keyid of a marshalled TPM2B_PUBLIC (RSA or NIST P-256/384/521 ECC key). */
TS_MUST_CHECK int imc_os_keyid_from_tpm2b_public(const uint8_t *data, size_t len,
						 char out[IMC_OS_KEYID_HEX_LEN + 1]);

/* Computes the AK keyid of a key file: PEM or DER SubjectPublicKeyInfo, or a TPM2B_PUBLIC. */
TS_MUST_CHECK int imc_os_keyid_from_file(const char *path, char out[IMC_OS_KEYID_HEX_LEN + 1]);

/* Computes the AK keyid of the key at a persistent handle of the TPM behind tcti. */
TS_MUST_CHECK /* The AK keyid of the FAPI key at path (FAPI configuration from TSS2_FAPICONF). */
TS_MUST_CHECK int imc_os_keyid_from_fapi(const char *tcti, const char *path, char out[IMC_OS_KEYID_HEX_LEN + 1]);
int imc_os_keyid_from_handle(const char *tcti, uint32_t handle,
					   char out[IMC_OS_KEYID_HEX_LEN + 1]);

/*
 * Picks the device ID from the sources above into out (at least
 * IMC_OS_MAX_DEVICE_ID + 1 octets). Errors are logged.
 */
TS_MUST_CHECK int imc_os_device_id(const imc_os_device_conf *conf, char *out, size_t out_size);

#endif
