/*
 * IETF String Version (RFC 5792 section 4.2.4).
 * The byte diagram is in ietf_string_version.h.
 */
#include "ietf_string_version.h"
#include "pa_codec.h"
#include "reader.h"

/* Reads one length-prefixed string and rejects a NUL inside it. */
static int read_string(reader_t *r, const uint8_t **s, size_t *s_len, size_t *bad_offset)
{
	size_t at = reader_offset(r);
	size_t nul;

	if (reader_vec8(r, s, s_len) != TS_OK)
		return pa_codec_fail(bad_offset, at, TS_E_TRUNCATED);
	nul = pa_codec_find_nul(*s, *s_len);
	if (nul < *s_len)
		return pa_codec_fail(bad_offset, at + 1 + nul, TS_E_INVALID);
	return TS_OK;
}

int ietf_string_version_decode(const uint8_t *value, size_t len, ietf_string_version *out,
			       size_t *bad_offset)
{
	ietf_string_version v;
	reader_t r;
	int rc;

	reader_init(&r, value, len);
	rc = read_string(&r, &v.version, &v.version_len, bad_offset);
	if (rc == TS_OK)
		rc = read_string(&r, &v.build, &v.build_len, bad_offset);
	if (rc == TS_OK)
		rc = read_string(&r, &v.config, &v.config_len, bad_offset);
	if (rc != TS_OK)
		return rc;
	if (reader_expect_end(&r) != TS_OK)
		return pa_codec_fail(bad_offset, reader_offset(&r), TS_E_TRAILING);

	*out = v;
	return TS_OK;
}

int ietf_string_version_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	ietf_string_version v;

	return ietf_string_version_decode(value, len, &v, bad_offset);
}

static bool is_valid_string(const uint8_t *s, size_t len)
{
	return len <= IETF_STRING_VERSION_MAX_STRING && pa_codec_find_nul(s, len) == len;
}

int ietf_string_version_encode(const ietf_string_version *in, writer_t *w)
{
	if (!is_valid_string(in->version, in->version_len) ||
	    !is_valid_string(in->build, in->build_len) ||
	    !is_valid_string(in->config, in->config_len))
		return TS_E_INVALID;
	writer_vec8(w, in->version, in->version_len);
	writer_vec8(w, in->build, in->build_len);
	writer_vec8(w, in->config, in->config_len);
	return writer_status(w);
}
