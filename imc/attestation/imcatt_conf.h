/*
 * Configuration of imc-attestation.so, section [imc-attestation] of
 * tncsuite.conf:
 *
 *   tcti     = device:/dev/tpmrm0   TCTI string; empty: libudev discovery,
 *                                   else device:/dev/tpmrm0
 *   ak_handle = 0x81010002          persistent handle of the AK
 *   ak_fapi_path = HS/SRK/AK       FAPI key path of the AK (FAPI configuration: TSS2_FAPICONF)
 *   ak_cert  = /path/ak.pem         PEM certificate sent instead of the bare key
 *   eventlog = /sys/kernel/security/tpm0/binary_bios_measurements
 *   ima      = /sys/kernel/security/ima/binary_runtime_measurements
 *   sha1     = no                   offer SHA-1 as measurement algorithm
 *   root     = /                    prefix of every path in file requests
 *   nonce_len = 20                  DH nonce length (17..255)
 *   debug    = 0                    log level of [IMC] and [PTS] lines (0..4)
 */
#ifndef IMCATT_CONF_H
#define IMCATT_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "ts_error.h"

#define IMCATT_CONF_SECTION "imc-attestation"
#define IMCATT_CONF_DEFAULT_EVENTLOG "/sys/kernel/security/tpm0/binary_bios_measurements"
#define IMCATT_CONF_DEFAULT_IMA "/sys/kernel/security/ima/binary_runtime_measurements"
#define IMCATT_CONF_DEFAULT_NONCE_LEN 20

typedef struct imcatt_conf {
	char *tcti;           /* NULL: libudev discovery, else device:/dev/tpmrm0 */
	uint32_t ak_handle;   /* TPM_AK_FAPI when ak_fapi_path is set */
	char *ak_fapi_path;   /* FAPI key path of the AK, e.g. HS/SRK/AK; NULL: use ak_handle */
	uint8_t ak_blob_type; /* the FAPI key's ESAPI blob, read once at start */
	uint8_t *ak_blob;
	size_t ak_blob_len;
	char *ak_cert;        /* NULL: send the AK public key */
	char *eventlog;
	char *ima;
	bool sha1;
	char *root;           /* never NULL; "" means "/" */
	unsigned nonce_len;
	int debug;            /* -1 when not set */
} imcatt_conf;

/*
 * Reads the section from conf (NULL: every default). Invalid values are
 * logged by conf.h with file, line and key and return TS_E_CONFIG.
 */
TS_MUST_CHECK int imcatt_conf_load(const conf_t *conf, imcatt_conf *out);
void imcatt_conf_free(imcatt_conf *c);

#endif
