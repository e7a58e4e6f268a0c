/*
 * TPM identity attributes of the TCG PTS IF-M binding 1.0.
 *
 * Get TPM Version Information (0x08000000) and Get Attestation Identity Key
 * (0x0D000000): four reserved octets, see pts_attr_reserved_encode().
 *
 * TPM Version Information (0x09000000): the whole value is an opaque version
 * blob. TPM 1.2 sends TPM_CAP_VERSION_INFO; for TPM 2.0, which PTS 1.0 does
 * not cover, strongSwan 6.0.6 sends its own 16-octet structure:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Tag (0x0200)         |   Reserved    |   Locality    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     TPM2_PT_REVISION                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     TPM2_PT_YEAR                              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     TPM2_PT_MANUFACTURER (4 ASCII)            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Attestation Identity Key (0x0E000000):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |C|  Reserved   |  AIK: DER X.509 certificate or, with the      |
 *  +-+-+-+-+-+-+-+-+  naked-key flag 0x80, DER SubjectPublicKeyInfo|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#ifndef PTS_TPM_H
#define PTS_TPM_H

#include <stdbool.h>

#include "pts_attr.h"

#define PTS_TPM_VERSION2_LEN 16
#define PTS_TPM_VERSION2_TAG 0x0200u
#define PTS_TPM_AIK_FLAG_NAKED 0x80u

typedef struct pts_tpm_version {
	pts_bytes info;          /* opaque, at least one octet */
} pts_tpm_version;

/* strongSwan's 16-octet TPM 2.0 version structure inside TPM Version Information. */
typedef struct pts_tpm_version2 {
	uint8_t locality;        /* TPM start-up locality */
	uint32_t revision;       /* e.g. 164 for revision 1.64 */
	uint32_t year;
	uint8_t manufacturer[4]; /* e.g. "IBM\0" */
} pts_tpm_version2;

typedef struct pts_tpm_aik {
	bool naked_key;          /* true: SubjectPublicKeyInfo, false: X.509 certificate */
	pts_bytes blob;          /* DER, at least one octet */
} pts_tpm_aik;

TS_MUST_CHECK int pts_tpm_get_version_encode(writer_t *w);
TS_MUST_CHECK int pts_tpm_get_version_decode(const uint8_t *value, size_t len,
					     size_t *bad_offset);

TS_MUST_CHECK int pts_tpm_version_encode(const pts_tpm_version *ver, writer_t *w);
TS_MUST_CHECK int pts_tpm_version_decode(const uint8_t *value, size_t len,
					 pts_tpm_version *out, size_t *bad_offset);

/*
 * Reads the TPM 2.0 structure from a version blob. Returns TS_E_UNSUPPORTED
 * when the blob is not 16 octets with tag 0x0200 (a TPM 1.2 blob, say).
 */
TS_MUST_CHECK int pts_tpm_version2_decode(const pts_bytes *info, pts_tpm_version2 *out,
					  size_t *bad_offset);
TS_MUST_CHECK int pts_tpm_version2_encode(const pts_tpm_version2 *ver, writer_t *w);

TS_MUST_CHECK int pts_tpm_get_aik_encode(writer_t *w);
TS_MUST_CHECK int pts_tpm_get_aik_decode(const uint8_t *value, size_t len, size_t *bad_offset);

TS_MUST_CHECK int pts_tpm_aik_encode(const pts_tpm_aik *aik, writer_t *w);
TS_MUST_CHECK int pts_tpm_aik_decode(const uint8_t *value, size_t len, pts_tpm_aik *out,
				     size_t *bad_offset);

#endif
