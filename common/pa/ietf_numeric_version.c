/*
 * IETF Numeric Version (RFC 5792 section 4.2.3).
 * The byte diagram is in ietf_numeric_version.h.
 */
#include "ietf_numeric_version.h"
#include "pa_codec.h"
#include "reader.h"

int ietf_numeric_version_decode(const uint8_t *value, size_t len, ietf_numeric_version *out,
				size_t *bad_offset)
{
	ietf_numeric_version v;
	reader_t r;

	if (len < IETF_NUMERIC_VERSION_LEN)
		return pa_codec_fail(bad_offset, len, TS_E_TRUNCATED);
	if (len > IETF_NUMERIC_VERSION_LEN)
		return pa_codec_fail(bad_offset, IETF_NUMERIC_VERSION_LEN, TS_E_TRAILING);

	reader_init(&r, value, len);
	if (reader_u32(&r, &v.major) != TS_OK || reader_u32(&r, &v.minor) != TS_OK ||
	    reader_u32(&r, &v.build) != TS_OK || reader_u16(&r, &v.sp_major) != TS_OK ||
	    reader_u16(&r, &v.sp_minor) != TS_OK)
		return pa_codec_fail(bad_offset, reader_offset(&r), TS_E_TRUNCATED);

	*out = v;
	return TS_OK;
}

int ietf_numeric_version_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	ietf_numeric_version v;

	return ietf_numeric_version_decode(value, len, &v, bad_offset);
}

int ietf_numeric_version_encode(const ietf_numeric_version *in, writer_t *w)
{
	writer_u32(w, in->major);
	writer_u32(w, in->minor);
	writer_u32(w, in->build);
	writer_u16(w, in->sp_major);
	writer_u16(w, in->sp_minor);
	return writer_status(w);
}
