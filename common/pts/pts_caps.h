/*
 * Request PTS Protocol Capabilities (0x01000000) and PTS Protocol
 * Capabilities (0x02000000), TCG PTS IF-M binding 1.0 (strongSwan's
 * tcg_pts_attr_proto_caps.c cites section 3.7). Both share one layout:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Reserved            |        Flags (C V D T X)      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The request carries the verifier's capabilities, the reply the subset the
 * platform supports. Reserved is written as zero and ignored on receipt.
 */
#ifndef PTS_CAPS_H
#define PTS_CAPS_H

#include "pts_attr.h"

#define PTS_CAPS_VALUE_LEN 4

typedef struct pts_caps {
	uint16_t flags;  /* PTS_PROTO_CAPS_* bits */
} pts_caps;

TS_MUST_CHECK int pts_caps_encode(const pts_caps *caps, writer_t *w);
TS_MUST_CHECK int pts_caps_decode(const uint8_t *value, size_t len, pts_caps *out,
				  size_t *bad_offset);

#endif
