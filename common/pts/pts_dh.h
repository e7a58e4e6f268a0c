/*
 * DH nonce negotiation attributes of the TCG PTS IF-M binding 1.0, with the
 * layouts strongSwan 6.0.6 sends (tcg_pts_attr_dh_nonce_*.c).
 *
 * DH Nonce Parameters Request (0x03000000), verifier to platform:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Reserved    |  Min. Nonce   |       D-H Group Set           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * DH Nonce Parameters Response (0x04000000), platform to verifier:
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Reserved                    |   Nonce Len   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Selected D-H Group     |      Hash Algorithm Set       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Responder Nonce (Nonce Len octets) ...                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Responder DH Public Value (rest) ...                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * DH Nonce Finish (0x05000000), verifier to platform; note that the public
 * value comes before the nonce here:
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Reserved    |   Nonce Len   |   Selected Hash Algorithm     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Initiator DH Public Value (length - 4 - Nonce Len) ... |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Initiator Nonce (Nonce Len octets) ...                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Public values: MODP groups g^x big-endian at the prime length, ECP groups
 * x || y without the 0x04 prefix. The decoders require a non-empty nonce and
 * public value; the response's public value must have its group's length.
 */
#ifndef PTS_DH_H
#define PTS_DH_H

#include "pts_attr.h"

/* The smallest nonce strongSwan accepts; the wire allows 1..255 octets. */
#define PTS_DH_MIN_NONCE_LEN 17

typedef struct pts_dh_params_req {
	uint8_t min_nonce_len;   /* 0: no minimum */
	uint16_t dh_groups;      /* PTS_DH_GROUP_* bits offered */
} pts_dh_params_req;

typedef struct pts_dh_params_resp {
	uint16_t dh_group;       /* exactly one PTS_DH_GROUP_* bit */
	uint16_t hash_algos;     /* PTS_MEAS_ALGO_* bits offered for the nonce hash */
	pts_bytes nonce;         /* 1..255 octets */
	pts_bytes pub_value;
} pts_dh_params_resp;

typedef struct pts_dh_finish {
	uint16_t hash_algo;      /* exactly one PTS_MEAS_ALGO_* bit */
	pts_bytes pub_value;
	pts_bytes nonce;         /* 1..255 octets */
} pts_dh_finish;

/* Public value length of one DH group bit, 0 for an unknown value. */
size_t pts_dh_pub_len(uint16_t group);

TS_MUST_CHECK int pts_dh_params_req_encode(const pts_dh_params_req *req, writer_t *w);
TS_MUST_CHECK int pts_dh_params_req_decode(const uint8_t *value, size_t len,
					   pts_dh_params_req *out, size_t *bad_offset);

TS_MUST_CHECK int pts_dh_params_resp_encode(const pts_dh_params_resp *resp, writer_t *w);
TS_MUST_CHECK int pts_dh_params_resp_decode(const uint8_t *value, size_t len,
					    pts_dh_params_resp *out, size_t *bad_offset);

TS_MUST_CHECK int pts_dh_finish_encode(const pts_dh_finish *fin, writer_t *w);
TS_MUST_CHECK int pts_dh_finish_decode(const uint8_t *value, size_t len, pts_dh_finish *out,
				       size_t *bad_offset);

#endif
