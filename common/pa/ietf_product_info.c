/*
 * IETF Product Information (RFC 5792 section 4.2.2).
 * The byte diagram is in ietf_product_info.h.
 */
#include "ietf_product_info.h"
#include "pa_codec.h"
#include "reader.h"

int ietf_product_info_decode(const uint8_t *value, size_t len, ietf_product_info *out,
			     size_t *bad_offset)
{
	ietf_product_info info;
	reader_t r;
	size_t nul;

	reader_init(&r, value, len);
	if (reader_u24(&r, &info.vendor) != TS_OK)
		return pa_codec_fail(bad_offset, 0, TS_E_TRUNCATED);
	if (reader_u16(&r, &info.product_id) != TS_OK)
		return pa_codec_fail(bad_offset, 3, TS_E_TRUNCATED);
	if (info.vendor == 0 && info.product_id != 0)
		return pa_codec_fail(bad_offset, 3, TS_E_INVALID);
	reader_rest(&r, &info.name, &info.name_len);
	nul = pa_codec_find_nul(info.name, info.name_len);
	if (nul < info.name_len)
		return pa_codec_fail(bad_offset, IETF_PRODUCT_INFO_FIXED_LEN + nul, TS_E_INVALID);

	*out = info;
	return TS_OK;
}

int ietf_product_info_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	ietf_product_info info;

	return ietf_product_info_decode(value, len, &info, bad_offset);
}

int ietf_product_info_encode(const ietf_product_info *in, writer_t *w)
{
	if (in->vendor == 0 && in->product_id != 0)
		return TS_E_INVALID;
	if (pa_codec_find_nul(in->name, in->name_len) < in->name_len)
		return TS_E_INVALID;
	writer_u24(w, in->vendor);
	writer_u16(w, in->product_id);
	writer_bytes(w, in->name, in->name_len);
	return writer_status(w);
}
