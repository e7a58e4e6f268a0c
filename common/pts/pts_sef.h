/*
 * Simple Evidence Final (0x00400000), TCG PTS IF-M binding 1.0 (section
 * 3.15.2 as cited by strongSwan's tcg_pts_attr_simple_evid_final.c), with
 * strongSwan 6.0.6's non-standard TPM 2.0 quote kind (flag 0x10):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Flags     |   Reserved    | Composite Hash Algorithm      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  PCR Composite Length C (4)          -- only with a quote --  |
 *  |  PCR Composite (C) / TPM 2.0 pcrDigest ...                    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  TPM 2.0 only, each a 2-octet length and the bytes:           |
 *  |  qualified signer (TPM2B_NAME contents), clock info (17),     |
 *  |  firmware version (8), PCR selection (TPML_PCR_SELECTION)     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Quote Signature Length S (4)        -- only with a quote --  |
 *  |  Quote Signature (S) ...                                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Evidence Signature (rest)           -- only with flag 0x20 --|
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Quote kind (flags & 0xD0): 0x00 none, 0x40 TPM 1.2 TPM_QUOTE_INFO, 0x80
 * TPM_QUOTE_INFO2, 0xC0 TPM_QUOTE_INFO2 with version info, 0x10 TPM 2.0.
 * In TPM 2.0 mode the composite hash algorithm is the quote's signature hash
 * as a PTS_MEAS_ALGO_* bit. An ECDSA signature is r || s, each padded to the
 * curve size.
 *
 * NOTE: where kind 0xC0 appends TPM_CAP_VERSION_INFO was not verified. The
 * codec reads 0xC0 like 0x80, so a value that carries it is expected to fail
 * to decode.
 */
#ifndef PTS_SEF_H
#define PTS_SEF_H

#include "pts_attr.h"

#define PTS_SEF_FLAG_QUOTE_MASK 0xD0u
#define PTS_SEF_QUOTE_NONE 0x00u
#define PTS_SEF_QUOTE_TPM2 0x10u
#define PTS_SEF_QUOTE_INFO 0x40u
#define PTS_SEF_QUOTE_INFO2 0x80u
#define PTS_SEF_QUOTE_INFO2_CAP_VER 0xC0u
#define PTS_SEF_FLAG_EVID_SIG 0x20u

#define PTS_SEF_TPM2_CLOCK_INFO_LEN 17
#define PTS_SEF_TPM2_FW_VERSION_LEN 8

typedef struct pts_sef {
	uint8_t flags;                /* quote kind | PTS_SEF_FLAG_EVID_SIG */
	uint16_t comp_hash_algo;      /* PTS_MEAS_ALGO_* bit or 0 */
	pts_bytes pcr_composite;      /* with a quote */
	pts_bytes qualified_signer;   /* TPM 2.0 only */
	pts_bytes clock_info;         /* TPM 2.0 only, 17 octets */
	pts_bytes firmware_version;   /* TPM 2.0 only, 8 octets */
	pts_bytes pcr_select;         /* TPM 2.0 only */
	pts_bytes quote_sig;          /* with a quote */
	pts_bytes evid_sig;           /* with PTS_SEF_FLAG_EVID_SIG, non-empty */
} pts_sef;

TS_MUST_CHECK int pts_sef_encode(const pts_sef *sef, writer_t *w);
TS_MUST_CHECK int pts_sef_decode(const uint8_t *value, size_t len, pts_sef *out,
				 size_t *bad_offset);

#endif
