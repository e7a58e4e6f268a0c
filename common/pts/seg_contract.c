#include "seg_contract.h"

int seg_contract_request(seg_contract *c, uint32_t msg_vendor, uint32_t msg_subtype,
			 uint32_t max_pa_msg_size, seg_attr_contract *req)
{
	if (max_pa_msg_size < SEG_CONTRACT_OVERHEAD + SEG_CONTRACT_MIN_SEG_SIZE)
		return TS_E_INVALID;

	c->msg_vendor = msg_vendor;
	c->msg_subtype = msg_subtype;
	c->issuer = true;
	c->max_msg_size = SEG_ATTR_NO_LIMIT;
	c->max_seg_size = max_pa_msg_size - SEG_CONTRACT_OVERHEAD;
	req->max_msg_size = c->max_msg_size;
	req->max_seg_size = c->max_seg_size;
	return TS_OK;
}

/* Checks the sizes of a received request or response. */
static int sizes_valid(const seg_attr_contract *a, size_t *bad_offset)
{
	if (a->max_seg_size < SEG_CONTRACT_MIN_SEG_SIZE) {
		if (bad_offset)
			*bad_offset = 4;
		return TS_E_INVALID;
	}
	if (a->max_msg_size < SEG_CONTRACT_ATTR_HEADER_LEN) {
		if (bad_offset)
			*bad_offset = 0;
		return TS_E_INVALID;
	}
	return TS_OK;
}

int seg_contract_respond(seg_contract *c, uint32_t msg_vendor, uint32_t msg_subtype,
			 const seg_attr_contract *req, uint32_t own_max_pa_msg_size,
			 seg_attr_contract *resp, size_t *bad_offset)
{
	uint32_t seg = req->max_seg_size;
	int rc = sizes_valid(req, bad_offset);

	if (rc != TS_OK)
		return rc;
	if (own_max_pa_msg_size < SEG_CONTRACT_OVERHEAD + SEG_CONTRACT_MIN_SEG_SIZE)
		return TS_E_INVALID;

	/* Lower the segment size to what fits into one of our own PA-TNC messages. */
	if (seg != SEG_ATTR_NO_SEGMENTATION && seg > own_max_pa_msg_size - SEG_CONTRACT_OVERHEAD)
		seg = own_max_pa_msg_size - SEG_CONTRACT_OVERHEAD;

	c->msg_vendor = msg_vendor;
	c->msg_subtype = msg_subtype;
	c->issuer = false;
	c->max_msg_size = req->max_msg_size;
	c->max_seg_size = seg;
	resp->max_msg_size = req->max_msg_size;
	resp->max_seg_size = seg;
	return TS_OK;
}

int seg_contract_apply_response(seg_contract *c, const seg_attr_contract *resp,
				size_t *bad_offset)
{
	int rc = sizes_valid(resp, bad_offset);

	if (rc != TS_OK)
		return rc;
	if (resp->max_seg_size < c->max_seg_size)
		c->max_seg_size = resp->max_seg_size;
	return TS_OK;
}

bool seg_contract_is_null(const seg_contract *c)
{
	return c->max_msg_size == SEG_ATTR_NO_LIMIT && c->max_seg_size == SEG_ATTR_NO_SEGMENTATION;
}

int seg_contract_check_size(const seg_contract *c, size_t value_len, bool *segment)
{
	uint64_t attr_len = (uint64_t)SEG_CONTRACT_ATTR_HEADER_LEN + value_len;

	if (c->max_msg_size != SEG_ATTR_NO_LIMIT && attr_len > c->max_msg_size)
		return TS_E_TOO_LARGE;
	/*
	 * An unsegmented attribute takes 12 + value octets of the PA-TNC
	 * message, an envelope 12 + 4 + segment octets, so a value of up to
	 * Max Segment Size + 4 octets still goes out whole.
	 */
	*segment = c->max_seg_size != SEG_ATTR_NO_SEGMENTATION &&
		   (uint64_t)value_len > (uint64_t)c->max_seg_size + SEG_ATTR_ENV_HEADER_LEN;
	return TS_OK;
}
