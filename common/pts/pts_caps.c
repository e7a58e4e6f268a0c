#include "pts_caps.h"

#define ATTR "PTS Protocol Capabilities"

int pts_caps_encode(const pts_caps *caps, writer_t *w)
{
	writer_u16(w, 0);
	writer_u16(w, caps->flags);
	return writer_status(w);
}

int pts_caps_decode(const uint8_t *value, size_t len, pts_caps *out, size_t *bad_offset)
{
	reader_t r;
	uint16_t reserved, flags;

	reader_init(&r, value, len);
	if (reader_u16(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "reserved", 0, bad_offset);
	if (reader_u16(&r, &flags) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "flags", 2, bad_offset);
	if (reader_expect_end(&r) != TS_OK)
		return pts_attr_fail(TS_E_TRAILING, ATTR, "end of value", 4, bad_offset);

	out->flags = flags;
	return TS_OK;
}
