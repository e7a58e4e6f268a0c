#include "pts_verif.h"

int pts_verif_encode(const pts_verif *res, writer_t *w)
{
	size_t off;

	if (pts_attr_check_text(res->xml.data, res->xml.len, 1, &off) != TS_OK)
		return TS_E_INVALID;
	writer_bytes(w, res->xml.data, res->xml.len);
	return writer_status(w);
}

int pts_verif_decode(const uint8_t *value, size_t len, pts_verif *out, size_t *bad_offset)
{
	static const char attr[] = "Verification Result";
	size_t off;

	if (len == 0)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "XML document", 0, bad_offset);
	if (pts_attr_check_text(value, len, 1, &off) != TS_OK)
		return pts_attr_fail(TS_E_INVALID, attr, "XML document", off, bad_offset);
	out->xml.data = value;
	out->xml.len = len;
	return TS_OK;
}
