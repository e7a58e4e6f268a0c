/*
 * Verification Result (0x00500000), TCG PTS IF-M binding 1.0.
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Verification Result, XML (whole value) ...             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * NOTE: strongSwan 6.0.6 registers only the name of this XML-based
 * attribute and the PTS specification text was not available, so the value
 * is carried as one opaque, non-empty XML document without a NUL octet.
 */
#ifndef PTS_VERIF_H
#define PTS_VERIF_H

#include "pts_attr.h"

typedef struct pts_verif {
	pts_bytes xml;
} pts_verif;

TS_MUST_CHECK int pts_verif_encode(const pts_verif *res, writer_t *w);
TS_MUST_CHECK int pts_verif_decode(const uint8_t *value, size_t len, pts_verif *out,
				   size_t *bad_offset);

#endif
