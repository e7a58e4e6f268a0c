#include "pts_dh.h"

size_t pts_dh_pub_len(uint16_t group)
{
	switch (group) {
	case PTS_DH_GROUP_MODP1024:
		return 128;
	case PTS_DH_GROUP_MODP1536:
		return 192;
	case PTS_DH_GROUP_MODP2048:
		return 256;
	case PTS_DH_GROUP_ECP256:
		return 64;
	case PTS_DH_GROUP_ECP384:
		return 96;
	default:
		return 0;
	}
}

int pts_dh_params_req_encode(const pts_dh_params_req *req, writer_t *w)
{
	writer_u8(w, 0);
	writer_u8(w, req->min_nonce_len);
	writer_u16(w, req->dh_groups);
	return writer_status(w);
}

int pts_dh_params_req_decode(const uint8_t *value, size_t len, pts_dh_params_req *out,
			     size_t *bad_offset)
{
	static const char attr[] = "DH Nonce Parameters Request";
	reader_t r;
	uint8_t reserved, min_nonce_len;
	uint16_t groups;

	reader_init(&r, value, len);
	if (reader_u8(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "reserved", 0, bad_offset);
	if (reader_u8(&r, &min_nonce_len) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "minimum nonce length", 1, bad_offset);
	if (reader_u16(&r, &groups) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "DH group set", 2, bad_offset);
	if (reader_expect_end(&r) != TS_OK)
		return pts_attr_fail(TS_E_TRAILING, attr, "end of value", 4, bad_offset);

	out->min_nonce_len = min_nonce_len;
	out->dh_groups = groups;
	return TS_OK;
}

int pts_dh_params_resp_encode(const pts_dh_params_resp *resp, writer_t *w)
{
	if (resp->nonce.len == 0 || resp->nonce.len > UINT8_MAX)
		return TS_E_INVALID;
	if (resp->pub_value.len != pts_dh_pub_len(resp->dh_group))
		return TS_E_INVALID;

	writer_u24(w, 0);
	writer_u8(w, (uint8_t)resp->nonce.len);
	writer_u16(w, resp->dh_group);
	writer_u16(w, resp->hash_algos);
	writer_bytes(w, resp->nonce.data, resp->nonce.len);
	writer_bytes(w, resp->pub_value.data, resp->pub_value.len);
	return writer_status(w);
}

int pts_dh_params_resp_decode(const uint8_t *value, size_t len, pts_dh_params_resp *out,
			      size_t *bad_offset)
{
	static const char attr[] = "DH Nonce Parameters Response";
	reader_t r;
	uint32_t reserved;
	uint8_t nonce_len;
	uint16_t group, algos;
	pts_bytes nonce, pub;

	reader_init(&r, value, len);
	if (reader_u24(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "reserved", 0, bad_offset);
	if (reader_u8(&r, &nonce_len) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "nonce length", 3, bad_offset);
	if (nonce_len == 0)
		return pts_attr_fail(TS_E_INVALID, attr, "nonce length", 3, bad_offset);
	if (reader_u16(&r, &group) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "selected DH group", 4, bad_offset);
	if (pts_dh_pub_len(group) == 0)
		return pts_attr_fail(TS_E_INVALID, attr, "selected DH group", 4, bad_offset);
	if (reader_u16(&r, &algos) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "hash algorithm set", 6, bad_offset);
	if (reader_bytes(&r, nonce_len, &nonce.data) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "responder nonce", 8, bad_offset);
	nonce.len = nonce_len;

	/* The public value is the rest, and its length follows from the group. */
	if (reader_remaining(&r) < pts_dh_pub_len(group))
		return pts_attr_fail(TS_E_TRUNCATED, attr, "responder public value",
				     reader_offset(&r), bad_offset);
	if (reader_remaining(&r) > pts_dh_pub_len(group))
		return pts_attr_fail(TS_E_TRAILING, attr, "responder public value",
				     reader_offset(&r) + pts_dh_pub_len(group), bad_offset);
	reader_rest(&r, &pub.data, &pub.len);

	out->dh_group = group;
	out->hash_algos = algos;
	out->nonce = nonce;
	out->pub_value = pub;
	return TS_OK;
}

int pts_dh_finish_encode(const pts_dh_finish *fin, writer_t *w)
{
	if (fin->nonce.len == 0 || fin->nonce.len > UINT8_MAX || fin->pub_value.len == 0)
		return TS_E_INVALID;

	writer_u8(w, 0);
	writer_u8(w, (uint8_t)fin->nonce.len);
	writer_u16(w, fin->hash_algo);
	writer_bytes(w, fin->pub_value.data, fin->pub_value.len);
	writer_bytes(w, fin->nonce.data, fin->nonce.len);
	return writer_status(w);
}

int pts_dh_finish_decode(const uint8_t *value, size_t len, pts_dh_finish *out,
			 size_t *bad_offset)
{
	static const char attr[] = "DH Nonce Finish";
	reader_t r;
	uint8_t reserved, nonce_len;
	uint16_t algo;
	pts_bytes pub, nonce;
	size_t pub_len;

	reader_init(&r, value, len);
	if (reader_u8(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "reserved", 0, bad_offset);
	if (reader_u8(&r, &nonce_len) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "nonce length", 1, bad_offset);
	if (nonce_len == 0)
		return pts_attr_fail(TS_E_INVALID, attr, "nonce length", 1, bad_offset);
	if (reader_u16(&r, &algo) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "selected hash algorithm", 2, bad_offset);
	if (pts_attr_hash_len(algo) == 0)
		return pts_attr_fail(TS_E_INVALID, attr, "selected hash algorithm", 2, bad_offset);

	/* What remains is public value and nonce; the public value may not be empty. */
	if (reader_remaining(&r) <= nonce_len)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "initiator public value", 4, bad_offset);
	pub_len = reader_remaining(&r) - nonce_len;
	if (reader_bytes(&r, pub_len, &pub.data) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "initiator public value", 4, bad_offset);
	pub.len = pub_len;
	reader_rest(&r, &nonce.data, &nonce.len);

	out->hash_algo = algo;
	out->pub_value = pub;
	out->nonce = nonce;
	return TS_OK;
}
