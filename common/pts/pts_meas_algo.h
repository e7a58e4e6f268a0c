/*
 * PTS Measurement Algorithm Request (0x06000000) and PTS Measurement
 * Algorithm Selection (0x07000000), TCG PTS IF-M binding 1.0 (section 3.9 as
 * cited by strongSwan's tcg_pts_attr_meas_algo.c):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Reserved            |       Hash Algorithm Set      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The request offers a set of PTS_MEAS_ALGO_* bits; the selection carries
 * exactly one of them, and its decoder rejects anything else.
 */
#ifndef PTS_MEAS_ALGO_H
#define PTS_MEAS_ALGO_H

#include "pts_attr.h"

#define PTS_MEAS_ALGO_VALUE_LEN 4

typedef struct pts_meas_algo {
	uint16_t algos;  /* PTS_MEAS_ALGO_* bits */
} pts_meas_algo;

/* The request: any set of bits. */
TS_MUST_CHECK int pts_meas_algo_encode(const pts_meas_algo *req, writer_t *w);
TS_MUST_CHECK int pts_meas_algo_decode(const uint8_t *value, size_t len, pts_meas_algo *out,
				       size_t *bad_offset);

/* The selection: exactly one known hash algorithm bit. */
TS_MUST_CHECK int pts_meas_algo_selection_encode(const pts_meas_algo *sel, writer_t *w);
TS_MUST_CHECK int pts_meas_algo_selection_decode(const uint8_t *value, size_t len,
						 pts_meas_algo *out, size_t *bad_offset);

#endif
