/*
 * IETF PA-TNC Error (RFC 5792 section 4.2.8).
 * The byte diagram is in ietf_pa_tnc_error.h.
 */
#include <string.h>

#include "ietf_pa_tnc_error.h"
#include "pa_codec.h"
#include "reader.h"

/* Error Information lengths of the IETF codes that have a fixed layout. */
#define INVALID_PARAMETER_INFO_LEN 12
#define VERSION_NOT_SUPPORTED_INFO_LEN 12
#define ATTR_TYPE_NOT_SUPPORTED_INFO_LEN 16

static bool has_fixed_layout(uint32_t vendor, uint32_t code)
{
	return vendor == 0 && (code == IETF_PA_ERROR_INVALID_PARAMETER ||
			       code == IETF_PA_ERROR_VERSION_NOT_SUPPORTED ||
			       code == IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED);
}

static size_t fixed_info_len(uint32_t code)
{
	switch (code) {
	case IETF_PA_ERROR_INVALID_PARAMETER:
		return INVALID_PARAMETER_INFO_LEN;
	case IETF_PA_ERROR_VERSION_NOT_SUPPORTED:
		return VERSION_NOT_SUPPORTED_INFO_LEN;
	default:
		return ATTR_TYPE_NOT_SUPPORTED_INFO_LEN;
	}
}

/* Decodes the Error Information of codes 1-3 into e; r is past the fixed part. */
static int decode_fixed_info(reader_t *r, ietf_pa_tnc_error *e, size_t *bad_offset)
{
	size_t info_at = reader_offset(r);
	uint16_t reserved;
	int rc;

	size_t expected = fixed_info_len(e->code);

	if (reader_remaining(r) < expected)
		return pa_codec_fail(bad_offset, info_at, TS_E_TRUNCATED);
	if (reader_remaining(r) > expected)
		return pa_codec_fail(bad_offset, info_at + expected, TS_E_TRAILING);
	rc = reader_copy(r, e->msg_info, sizeof(e->msg_info));
	if (rc != TS_OK)
		return pa_codec_fail(bad_offset, info_at, rc);

	switch (e->code) {
	case IETF_PA_ERROR_INVALID_PARAMETER:
		rc = reader_u32(r, &e->offset);
		break;
	case IETF_PA_ERROR_VERSION_NOT_SUPPORTED:
		rc = reader_u8(r, &e->max_version);
		if (rc == TS_OK)
			rc = reader_u8(r, &e->min_version);
		if (rc == TS_OK)
			rc = reader_u16(r, &reserved);
		break;
	default:
		rc = reader_u8(r, &e->attr_flags);
		if (rc == TS_OK)
			rc = reader_u24(r, &e->attr_vendor);
		if (rc == TS_OK)
			rc = reader_u32(r, &e->attr_type);
		break;
	}
	if (rc != TS_OK)
		return pa_codec_fail(bad_offset, reader_offset(r), rc);
	return TS_OK;
}

int ietf_pa_tnc_error_decode(const uint8_t *value, size_t len, ietf_pa_tnc_error *out,
			     size_t *bad_offset)
{
	ietf_pa_tnc_error e;
	reader_t r;
	uint8_t reserved;
	int rc;

	memset(&e, 0, sizeof(e));
	reader_init(&r, value, len);
	if (reader_u8(&r, &reserved) != TS_OK || reader_u24(&r, &e.vendor) != TS_OK)
		return pa_codec_fail(bad_offset, 0, TS_E_TRUNCATED);
	if (reader_u32(&r, &e.code) != TS_OK)
		return pa_codec_fail(bad_offset, 4, TS_E_TRUNCATED);

	if (has_fixed_layout(e.vendor, e.code)) {
		rc = decode_fixed_info(&r, &e, bad_offset);
		if (rc != TS_OK)
			return rc;
	} else {
		reader_rest(&r, &e.info, &e.info_len);
	}

	*out = e;
	return TS_OK;
}

int ietf_pa_tnc_error_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	ietf_pa_tnc_error e;

	return ietf_pa_tnc_error_decode(value, len, &e, bad_offset);
}

int ietf_pa_tnc_error_encode(const ietf_pa_tnc_error *in, writer_t *w)
{
	writer_u8(w, 0);
	writer_u24(w, in->vendor);
	writer_u32(w, in->code);
	if (!has_fixed_layout(in->vendor, in->code)) {
		writer_bytes(w, in->info, in->info_len);
		return writer_status(w);
	}

	writer_bytes(w, in->msg_info, sizeof(in->msg_info));
	switch (in->code) {
	case IETF_PA_ERROR_INVALID_PARAMETER:
		writer_u32(w, in->offset);
		break;
	case IETF_PA_ERROR_VERSION_NOT_SUPPORTED:
		writer_u8(w, in->max_version);
		writer_u8(w, in->min_version);
		writer_u16(w, 0);
		break;
	default:
		writer_u8(w, in->attr_flags);
		writer_u24(w, in->attr_vendor);
		writer_u32(w, in->attr_type);
		break;
	}
	return writer_status(w);
}

const char *ietf_pa_tnc_error_code_name(uint32_t vendor, uint32_t code)
{
	if (vendor != 0)
		return NULL;
	switch (code) {
	case IETF_PA_ERROR_RESERVED:
		return "Reserved";
	case IETF_PA_ERROR_INVALID_PARAMETER:
		return "Invalid Parameter";
	case IETF_PA_ERROR_VERSION_NOT_SUPPORTED:
		return "Version Not Supported";
	case IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED:
		return "Attribute Type Not Supported";
	case IETF_PA_ERROR_SWIMA:
		return "SWIMA Error";
	case IETF_PA_ERROR_SWIMA_SUBSCRIPTION_DENIED:
		return "SWIMA Subscription Denied";
	case IETF_PA_ERROR_SWIMA_RESPONSE_TOO_LARGE:
		return "SWIMA Response Too Large";
	case IETF_PA_ERROR_SWIMA_SUBSCRIPTION_FULFILLMENT:
		return "SWIMA Subscription Fulfillment Error";
	case IETF_PA_ERROR_SWIMA_SUBSCRIPTION_ID_REUSE:
		return "SWIMA Subscription ID Reuse";
	default:
		return NULL;
	}
}
