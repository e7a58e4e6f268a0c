/*
 * IF-M segmentation contracts (TCG IF-M Segmentation 1.0, negotiation as
 * strongSwan 6.0.6 does it in seg_contract.c and imc_msg.c / imv_msg.c).
 *
 * The issuer (an IMV in practice) sends a Contract Request for one PA
 * message type. The responder (the IMC) stores it, lowers the Max Segment
 * Size to what its own PA-TNC message size allows and replies with a
 * Contract Response. The issuer then lowers its own segment size to the
 * response's. The responder segments what it sends, and the issuer
 * reassembles it.
 *
 * Sizes: a segment value is at most MAX_MESSAGE_SIZE - 24, where 24 = 8
 * (PA-TNC message header) + 12 (attribute header) + 4 (envelope header). Over
 * PT-TLS strongSwan's MAX_MESSAGE_SIZE of 2097104 gives 2097080.
 */
#ifndef SEG_CONTRACT_H
#define SEG_CONTRACT_H

#include <stdbool.h>

#include "seg_attr.h"

#define SEG_CONTRACT_OVERHEAD 24
#define SEG_CONTRACT_ATTR_HEADER_LEN 12
/* The first segment contains the 12-octet base header and at least one value octet. */
#define SEG_CONTRACT_MIN_SEG_SIZE 13

typedef struct seg_contract {
	uint32_t msg_vendor;     /* PA message type the contract applies to */
	uint32_t msg_subtype;
	bool issuer;             /* true: this side sent the request */
	uint32_t max_msg_size;   /* SEG_ATTR_NO_LIMIT or octets, base attribute header included */
	uint32_t max_seg_size;   /* SEG_ATTR_NO_SEGMENTATION or octets of segment value */
} seg_contract;

/*
 * Issuer: fills a contract and the Contract Request for a PA message type,
 * from the connection's maximum PA-TNC message size (IF-IMV attribute
 * 0x00559701): no message size limit, segments of max_pa_msg_size - 24.
 * Fails with TS_E_INVALID if max_pa_msg_size leaves no room for a segment.
 */
TS_MUST_CHECK int seg_contract_request(seg_contract *c, uint32_t msg_vendor, uint32_t msg_subtype,
				       uint32_t max_pa_msg_size, seg_attr_contract *req);

/*
 * Responder: stores the received request in c, lowering the segment size to
 * own_max_pa_msg_size - 24, and fills the Contract Response. Fails with
 * TS_E_INVALID and *bad_offset 4 (the Max Segment Size field) when the
 * requested segment size is below SEG_CONTRACT_MIN_SEG_SIZE; c and resp are
 * then left unchanged.
 */
TS_MUST_CHECK int seg_contract_respond(seg_contract *c, uint32_t msg_vendor,
				       uint32_t msg_subtype, const seg_attr_contract *req,
				       uint32_t own_max_pa_msg_size, seg_attr_contract *resp,
				       size_t *bad_offset);

/*
 * Issuer: applies a Contract Response, taking the smaller segment size.
 * Fails with TS_E_INVALID like seg_contract_respond().
 */
TS_MUST_CHECK int seg_contract_apply_response(seg_contract *c, const seg_attr_contract *resp,
					      size_t *bad_offset);

/* True when the contract never segments and sets no size limit. */
bool seg_contract_is_null(const seg_contract *c);

/*
 * Decides how an attribute with a value of value_len octets goes out: sets
 * *segment when it must be split into Segment Envelopes. Returns
 * TS_E_TOO_LARGE when the whole attribute exceeds the Max Message Size.
 */
TS_MUST_CHECK int seg_contract_check_size(const seg_contract *c, size_t value_len,
					  bool *segment);

#endif
