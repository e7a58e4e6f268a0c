/*
 * TCG IF-M Segmentation 1.0 attributes (vendor 0x005597), with the layouts
 * strongSwan 6.0.6 sends (tcg_seg_attr_seg_contract.c, _seg_env.c,
 * _next_seg.c).
 *
 * Segmentation Contract Request (0x21) and Response (0x22):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Max Message Size (0xFFFFFFFF: no limit)            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Max Segment Size (0xFFFFFFFF: never segment)       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Segment Envelope (0x23):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |M|S| Reserved  |                Base Message ID                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Segment Value ...                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * M (0x80) = more segments follow, S (0x40) = first segment. The first
 * segment starts with the base attribute's complete 12-octet PA-TNC header.
 *
 * Next Segment (0x24) and Cancel (0x25):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Flags     |                Base Message ID                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Next Segment's C (cancel) flag: strongSwan's layout comment places it at
 * 0x80 while its code writes and tests 0x01. The decoder takes either as
 * cancel; the encoder writes SEG_ATTR_NEXT_CANCEL_STRONGSWAN (0x01).
 * NOTE: strongSwan registers only the name of the Cancel attribute (0x25).
 * This code gives it the Next Segment layout with a zero flags octet.
 */
#ifndef SEG_ATTR_H
#define SEG_ATTR_H

#include <stdbool.h>

#include "pts_attr.h"

#define SEG_ATTR_CONTRACT_LEN 8
#define SEG_ATTR_ENV_HEADER_LEN 4
#define SEG_ATTR_NEXT_LEN 4

#define SEG_ATTR_NO_LIMIT 0xFFFFFFFFu        /* Max Message Size: no limit */
#define SEG_ATTR_NO_SEGMENTATION 0xFFFFFFFFu /* Max Segment Size: never segment */

#define SEG_ATTR_ENV_FLAG_MORE 0x80u
#define SEG_ATTR_ENV_FLAG_START 0x40u

#define SEG_ATTR_NEXT_CANCEL_SPEC 0x80u
#define SEG_ATTR_NEXT_CANCEL_STRONGSWAN 0x01u

#define SEG_ATTR_MAX_BASE_MSG_ID 0xFFFFFFu

typedef struct seg_attr_contract {
	uint32_t max_msg_size;
	uint32_t max_seg_size;
} seg_attr_contract;

typedef struct seg_attr_env {
	uint8_t flags;           /* SEG_ATTR_ENV_FLAG_* */
	uint32_t base_msg_id;    /* 24-bit */
	pts_bytes segment;
} seg_attr_env;

typedef struct seg_attr_next {
	bool cancel;
	uint32_t base_msg_id;    /* 24-bit */
} seg_attr_next;

TS_MUST_CHECK int seg_attr_contract_encode(const seg_attr_contract *c, writer_t *w);
TS_MUST_CHECK int seg_attr_contract_decode(const uint8_t *value, size_t len,
					   seg_attr_contract *out, size_t *bad_offset);

TS_MUST_CHECK int seg_attr_env_encode(const seg_attr_env *env, writer_t *w);
TS_MUST_CHECK int seg_attr_env_decode(const uint8_t *value, size_t len, seg_attr_env *out,
				      size_t *bad_offset);

TS_MUST_CHECK int seg_attr_next_encode(const seg_attr_next *next, writer_t *w);
TS_MUST_CHECK int seg_attr_next_decode(const uint8_t *value, size_t len, seg_attr_next *out,
				       size_t *bad_offset);

/* Cancel (0x25): only the Base Message ID is carried. */
TS_MUST_CHECK int seg_attr_cancel_encode(uint32_t base_msg_id, writer_t *w);
TS_MUST_CHECK int seg_attr_cancel_decode(const uint8_t *value, size_t len,
					 uint32_t *base_msg_id, size_t *bad_offset);

#endif
