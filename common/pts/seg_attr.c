#include "seg_attr.h"

int seg_attr_contract_encode(const seg_attr_contract *c, writer_t *w)
{
	writer_u32(w, c->max_msg_size);
	writer_u32(w, c->max_seg_size);
	return writer_status(w);
}

int seg_attr_contract_decode(const uint8_t *value, size_t len, seg_attr_contract *out,
			     size_t *bad_offset)
{
	static const char attr[] = "Segmentation Contract";
	reader_t r;
	uint32_t max_msg, max_seg;

	reader_init(&r, value, len);
	if (reader_u32(&r, &max_msg) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "max message size", 0, bad_offset);
	if (reader_u32(&r, &max_seg) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "max segment size", 4, bad_offset);
	if (reader_expect_end(&r) != TS_OK)
		return pts_attr_fail(TS_E_TRAILING, attr, "end of value", 8, bad_offset);

	out->max_msg_size = max_msg;
	out->max_seg_size = max_seg;
	return TS_OK;
}

int seg_attr_env_encode(const seg_attr_env *env, writer_t *w)
{
	if (env->base_msg_id > SEG_ATTR_MAX_BASE_MSG_ID)
		return TS_E_INVALID;
	writer_u8(w, env->flags);
	writer_u24(w, env->base_msg_id);
	writer_bytes(w, env->segment.data, env->segment.len);
	return writer_status(w);
}

int seg_attr_env_decode(const uint8_t *value, size_t len, seg_attr_env *out,
			size_t *bad_offset)
{
	static const char attr[] = "Segment Envelope";
	reader_t r;
	uint8_t flags;
	uint32_t id;
	pts_bytes seg;

	reader_init(&r, value, len);
	if (reader_u8(&r, &flags) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "flags", 0, bad_offset);
	if (reader_u24(&r, &id) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "base message ID", 1, bad_offset);
	reader_rest(&r, &seg.data, &seg.len);

	out->flags = flags;
	out->base_msg_id = id;
	out->segment = seg;
	return TS_OK;
}

static int encode_id(uint8_t flags, uint32_t id, writer_t *w)
{
	if (id > SEG_ATTR_MAX_BASE_MSG_ID)
		return TS_E_INVALID;
	writer_u8(w, flags);
	writer_u24(w, id);
	return writer_status(w);
}

static int decode_id(const uint8_t *value, size_t len, const char *attr, uint8_t *flags,
		     uint32_t *id, size_t *bad_offset)
{
	reader_t r;

	reader_init(&r, value, len);
	if (reader_u8(&r, flags) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "flags", 0, bad_offset);
	if (reader_u24(&r, id) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "base message ID", 1, bad_offset);
	if (reader_expect_end(&r) != TS_OK)
		return pts_attr_fail(TS_E_TRAILING, attr, "end of value", 4, bad_offset);
	return TS_OK;
}

int seg_attr_next_encode(const seg_attr_next *next, writer_t *w)
{
	return encode_id(next->cancel ? SEG_ATTR_NEXT_CANCEL_STRONGSWAN : 0, next->base_msg_id, w);
}

int seg_attr_next_decode(const uint8_t *value, size_t len, seg_attr_next *out,
			 size_t *bad_offset)
{
	uint8_t flags;
	uint32_t id;
	int rc = decode_id(value, len, "Next Segment", &flags, &id, bad_offset);

	if (rc != TS_OK)
		return rc;
	out->cancel = (flags & (SEG_ATTR_NEXT_CANCEL_SPEC | SEG_ATTR_NEXT_CANCEL_STRONGSWAN)) != 0;
	out->base_msg_id = id;
	return TS_OK;
}

int seg_attr_cancel_encode(uint32_t base_msg_id, writer_t *w)
{
	return encode_id(0, base_msg_id, w);
}

int seg_attr_cancel_decode(const uint8_t *value, size_t len, uint32_t *base_msg_id,
			   size_t *bad_offset)
{
	uint8_t flags;
	uint32_t id;
	int rc = decode_id(value, len, "Cancel", &flags, &id, bad_offset);

	if (rc != TS_OK)
		return rc;
	*base_msg_id = id;
	return TS_OK;
}
