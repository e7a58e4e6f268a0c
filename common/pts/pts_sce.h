/*
 * Simple Component Evidence (0x00300000), TCG PTS IF-M binding 1.0 (section
 * 3.15.1 as cited by strongSwan's tcg_pts_attr_simple_comp_evid.c), one per
 * measurement:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |P| Vld | Rsvd  |            Sub-component Depth                |  0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Component Functional Name (8 octets) ...               |  4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Meas. Type   |                Extended into PCR              | 12
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Hash Algorithm         | PCR Transform |   Reserved    | 16
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Measurement Date/Time, "YYYY-MM-DDThh:mm:ssZ" (20 octets) | 20
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | Policy URI Length (only when Vld is failed or passed)         | 40
 *  |                               | Policy URI ...                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | PCR Value Length L (only with P) | PCR Before (L), After (L)  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Component Measurement (rest of the value) ...          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The decoder checks that the hash algorithm is one known bit (or none) and
 * that the measurement has its digest length, that the PCR transform is 0..3,
 * and that the time has the form above (all zeros in its digits means the
 * time is unknown). strongSwan writes measurement type 0x80 and rejects other
 * values; the decoder keeps the value for the caller to judge.
 */
#ifndef PTS_SCE_H
#define PTS_SCE_H

#include "pts_attr.h"
#include "pts_comp.h"

#define PTS_SCE_FIXED_LEN 40
#define PTS_SCE_TIME_LEN 20

#define PTS_SCE_FLAG_PCR 0x80u            /* PCR before/after present */
#define PTS_SCE_VALIDATION_MASK 0x60u
#define PTS_SCE_VALIDATION_NONE 0x00u
#define PTS_SCE_VALIDATION_UNABLE 0x20u
#define PTS_SCE_VALIDATION_FAILED 0x40u
#define PTS_SCE_VALIDATION_PASSED 0x60u

#define PTS_SCE_MEAS_TYPE_HASH 0x80u

#define PTS_SCE_TRANSFORM_NO 0u
#define PTS_SCE_TRANSFORM_MATCH 1u
#define PTS_SCE_TRANSFORM_LONG 2u   /* hash shorter than the PCR, padded */
#define PTS_SCE_TRANSFORM_SHORT 3u  /* hash longer than the PCR */

typedef struct pts_sce {
	uint8_t flags;           /* PTS_SCE_FLAG_PCR | PTS_SCE_VALIDATION_* */
	uint32_t depth;          /* 24-bit sub-component depth */
	pts_comp_name name;
	uint8_t meas_type;       /* PTS_SCE_MEAS_TYPE_HASH */
	uint32_t extended_pcr;   /* 24-bit */
	uint16_t hash_algo;      /* one PTS_MEAS_ALGO_* bit, or none */
	uint8_t transform;       /* PTS_SCE_TRANSFORM_* */
	char meas_time[PTS_SCE_TIME_LEN + 1];  /* NUL-terminated */
	pts_bytes policy_uri;    /* only with validation failed or passed */
	pts_bytes pcr_before;    /* only with PTS_SCE_FLAG_PCR; same length as pcr_after */
	pts_bytes pcr_after;
	pts_bytes measurement;
} pts_sce;

/* The measurement time strongSwan and this decoder take as "unknown". */
#define PTS_SCE_TIME_UNKNOWN "0000-00-00T00:00:00Z"

TS_MUST_CHECK int pts_sce_encode(const pts_sce *sce, writer_t *w);
TS_MUST_CHECK int pts_sce_decode(const uint8_t *value, size_t len, pts_sce *out,
				 size_t *bad_offset);

#endif
