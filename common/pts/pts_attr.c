#include "log.h"
#include "pts_attr.h"

int pts_attr_fail(int rc, const char *attr, const char *field, size_t offset,
		  size_t *bad_offset)
{
	log_debug(LOG_SUBSYS_PTS, "%s: %s field '%s' at value offset %zu",
		  attr, ts_strerror(rc), field, offset);
	if (bad_offset)
		*bad_offset = offset;
	return rc;
}

size_t pts_attr_hash_len(uint16_t algo)
{
	switch (algo) {
	case PTS_MEAS_ALGO_SHA1:
		return 20;
	case PTS_MEAS_ALGO_SHA256:
		return 32;
	case PTS_MEAS_ALGO_SHA384:
		return 48;
	case PTS_MEAS_ALGO_SHA512:
		return 64;
	default:
		return 0;
	}
}

int pts_attr_reserved_encode(writer_t *w)
{
	return writer_u32(w, 0);
}

int pts_attr_reserved_decode(const uint8_t *value, size_t len, const char *attr,
			     size_t *bad_offset)
{
	reader_t r;
	uint32_t reserved;

	reader_init(&r, value, len);
	if (reader_u32(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "reserved", 0, bad_offset);
	if (reader_expect_end(&r) != TS_OK)
		return pts_attr_fail(TS_E_TRAILING, attr, "end of value", reader_offset(&r),
				     bad_offset);
	return TS_OK;
}

int pts_attr_check_text(const uint8_t *text, size_t len, int require_nonempty,
			size_t *bad_offset)
{
	if (require_nonempty && len == 0) {
		*bad_offset = 0;
		return TS_E_INVALID;
	}
	for (size_t i = 0; i < len; i++) {
		if (text[i] == 0) {
			*bad_offset = i;
			return TS_E_INVALID;
		}
	}
	return TS_OK;
}
