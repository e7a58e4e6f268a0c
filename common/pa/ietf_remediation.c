/*
 * IETF Remediation Instructions (RFC 5792 section 4.2.10).
 * The byte diagram is in ietf_remediation.h.
 */
#include <string.h>

#include "ietf_remediation.h"
#include "pa_codec.h"
#include "reader.h"

/* Decodes the parameters of a Remediation String; r covers just them. */
static int decode_string(reader_t *r, ietf_remediation *rem, size_t *bad_offset)
{
	size_t at = reader_offset(r);
	size_t nul;

	if (reader_vec32(r, &rem->string, &rem->string_len) != TS_OK)
		return pa_codec_fail(bad_offset, at, TS_E_TRUNCATED);
	/* RFC 5792 section 4.2.10: a NUL in the string is an Invalid Parameter. */
	nul = pa_codec_find_nul(rem->string, rem->string_len);
	if (nul < rem->string_len)
		return pa_codec_fail(bad_offset, at + 4 + nul, TS_E_INVALID);

	at = reader_offset(r);
	if (reader_vec8(r, &rem->lang, &rem->lang_len) != TS_OK)
		return pa_codec_fail(bad_offset, at, TS_E_TRUNCATED);
	if (reader_expect_end(r) != TS_OK)
		return pa_codec_fail(bad_offset, reader_offset(r), TS_E_TRAILING);
	return TS_OK;
}

int ietf_remediation_decode(const uint8_t *value, size_t len, ietf_remediation *out,
			    size_t *bad_offset)
{
	ietf_remediation rem;
	reader_t r;
	uint8_t reserved;
	int rc;

	memset(&rem, 0, sizeof(rem));
	reader_init(&r, value, len);
	if (reader_u8(&r, &reserved) != TS_OK || reader_u24(&r, &rem.vendor) != TS_OK)
		return pa_codec_fail(bad_offset, 0, TS_E_TRUNCATED);
	if (reader_u32(&r, &rem.type) != TS_OK)
		return pa_codec_fail(bad_offset, 4, TS_E_TRUNCATED);
	rem.params = reader_current(&r);
	rem.params_len = reader_remaining(&r);
	if (rem.params_len == 0)
		rem.params = NULL;

	if (rem.vendor == 0 && rem.type == IETF_REMEDIATION_URI) {
		if (rem.params_len == 0)
			return pa_codec_fail(bad_offset, IETF_REMEDIATION_FIXED_LEN, TS_E_TRUNCATED);
		rem.uri = rem.params;
		rem.uri_len = rem.params_len;
	} else if (rem.vendor == 0 && rem.type == IETF_REMEDIATION_STRING) {
		rc = decode_string(&r, &rem, bad_offset);
		if (rc != TS_OK)
			return rc;
	}

	*out = rem;
	return TS_OK;
}

int ietf_remediation_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	ietf_remediation rem;

	return ietf_remediation_decode(value, len, &rem, bad_offset);
}

int ietf_remediation_encode(const ietf_remediation *in, writer_t *w)
{
	writer_u8(w, 0);
	writer_u24(w, in->vendor);
	writer_u32(w, in->type);

	if (in->vendor == 0 && in->type == IETF_REMEDIATION_URI) {
		if (in->uri_len == 0)
			return TS_E_INVALID;
		writer_bytes(w, in->uri, in->uri_len);
	} else if (in->vendor == 0 && in->type == IETF_REMEDIATION_STRING) {
		if (pa_codec_find_nul(in->string, in->string_len) < in->string_len ||
		    in->string_len > UINT32_MAX)
			return TS_E_INVALID;
		writer_vec32(w, in->string, in->string_len);
		writer_vec8(w, in->lang, in->lang_len);
	} else {
		writer_bytes(w, in->params, in->params_len);
	}
	return writer_status(w);
}
