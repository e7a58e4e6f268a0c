/*
 * IETF Factory Default Password Enabled (RFC 5792 section 4.2.12).
 * The byte diagram is in ietf_factory_default_pwd.h.
 */
#include "ietf_factory_default_pwd.h"
#include "pa_codec.h"
#include "reader.h"

int ietf_factory_default_pwd_decode(const uint8_t *value, size_t len, uint32_t *out,
				    size_t *bad_offset)
{
	reader_t r;
	uint32_t enabled;

	reader_init(&r, value, len);
	if (reader_u32(&r, &enabled) != TS_OK)
		return pa_codec_fail(bad_offset, 0, TS_E_TRUNCATED);
	if (reader_expect_end(&r) != TS_OK)
		return pa_codec_fail(bad_offset, IETF_FACTORY_DEFAULT_PWD_LEN, TS_E_TRAILING);
	if (enabled > IETF_FACTORY_DEFAULT_PWD_ENABLED)
		return pa_codec_fail(bad_offset, 0, TS_E_INVALID);
	*out = enabled;
	return TS_OK;
}

int ietf_factory_default_pwd_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	uint32_t enabled;

	return ietf_factory_default_pwd_decode(value, len, &enabled, bad_offset);
}

int ietf_factory_default_pwd_encode(uint32_t enabled, writer_t *w)
{
	if (enabled > IETF_FACTORY_DEFAULT_PWD_ENABLED)
		return TS_E_INVALID;
	writer_u32(w, enabled);
	return writer_status(w);
}
