/*
 * IETF Assessment Result (RFC 5792 section 4.2.9).
 * The byte diagram is in ietf_assessment_result.h.
 */
#include "ietf_assessment_result.h"
#include "pa_codec.h"
#include "reader.h"

int ietf_assessment_result_decode(const uint8_t *value, size_t len, uint32_t *out,
				  size_t *bad_offset)
{
	reader_t r;
	uint32_t result;

	reader_init(&r, value, len);
	if (reader_u32(&r, &result) != TS_OK)
		return pa_codec_fail(bad_offset, 0, TS_E_TRUNCATED);
	if (reader_expect_end(&r) != TS_OK)
		return pa_codec_fail(bad_offset, IETF_ASSESSMENT_RESULT_LEN, TS_E_TRAILING);
	if (result > IETF_ASSESSMENT_DONT_KNOW)
		return pa_codec_fail(bad_offset, 0, TS_E_INVALID);
	*out = result;
	return TS_OK;
}

int ietf_assessment_result_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	uint32_t result;

	return ietf_assessment_result_decode(value, len, &result, bad_offset);
}

int ietf_assessment_result_encode(uint32_t result, writer_t *w)
{
	if (result > IETF_ASSESSMENT_DONT_KNOW)
		return TS_E_INVALID;
	writer_u32(w, result);
	return writer_status(w);
}
