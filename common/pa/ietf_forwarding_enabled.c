/*
 * IETF Forwarding Enabled (RFC 5792 section 4.2.11).
 * The byte diagram is in ietf_forwarding_enabled.h.
 */
#include "ietf_forwarding_enabled.h"
#include "pa_codec.h"
#include "reader.h"

int ietf_forwarding_enabled_decode(const uint8_t *value, size_t len, uint32_t *out,
				   size_t *bad_offset)
{
	reader_t r;
	uint32_t status;

	reader_init(&r, value, len);
	if (reader_u32(&r, &status) != TS_OK)
		return pa_codec_fail(bad_offset, 0, TS_E_TRUNCATED);
	if (reader_expect_end(&r) != TS_OK)
		return pa_codec_fail(bad_offset, IETF_FORWARDING_ENABLED_LEN, TS_E_TRAILING);
	if (status > IETF_FORWARDING_UNKNOWN)
		return pa_codec_fail(bad_offset, 0, TS_E_INVALID);
	*out = status;
	return TS_OK;
}

int ietf_forwarding_enabled_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	uint32_t status;

	return ietf_forwarding_enabled_decode(value, len, &status, bad_offset);
}

int ietf_forwarding_enabled_encode(uint32_t status, writer_t *w)
{
	if (status > IETF_FORWARDING_UNKNOWN)
		return TS_E_INVALID;
	writer_u32(w, status);
	return writer_status(w);
}
