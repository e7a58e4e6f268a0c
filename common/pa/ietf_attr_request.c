/*
 * IETF Attribute Request (RFC 5792 section 4.2.1).
 * The byte diagram is in ietf_attr_request.h.
 */
#include <stdlib.h>

#include "ietf_attr.h"
#include "ietf_attr_request.h"
#include "pa_codec.h"
#include "pa_msg.h"
#include "reader.h"

/* Types that an Attribute Request must not name (RFC 5792 section 4.2.1). */
static bool is_requestable(uint32_t vendor, uint32_t type)
{
	if (vendor == PA_VENDOR_RESERVED || type == PA_TYPE_RESERVED)
		return false;
	return !(vendor == PA_VENDOR_IETF &&
		 (type == IETF_ATTR_ATTRIBUTE_REQUEST || type == IETF_ATTR_PA_TNC_ERROR));
}

/* Walks the entries; stores them in entries when it is not NULL. */
static int walk(const uint8_t *value, size_t len, ietf_attr_request_entry *entries,
		size_t *bad_offset)
{
	reader_t r;

	if (len == 0)
		return pa_codec_fail(bad_offset, 0, TS_E_TRUNCATED);
	if (len % IETF_ATTR_REQUEST_ENTRY_LEN != 0)
		return pa_codec_fail(bad_offset, len - len % IETF_ATTR_REQUEST_ENTRY_LEN,
				     TS_E_TRUNCATED);

	reader_init(&r, value, len);
	for (size_t i = 0; reader_remaining(&r) > 0; i++) {
		size_t at = reader_offset(&r);
		uint8_t reserved;
		uint32_t vendor, type;

		if (reader_u8(&r, &reserved) != TS_OK || reader_u24(&r, &vendor) != TS_OK ||
		    reader_u32(&r, &type) != TS_OK)
			return pa_codec_fail(bad_offset, at, TS_E_TRUNCATED);
		if (vendor == PA_VENDOR_RESERVED)
			return pa_codec_fail(bad_offset, at + 1, TS_E_INVALID);
		if (!is_requestable(vendor, type))
			return pa_codec_fail(bad_offset, at + 4, TS_E_INVALID);
		if (entries) {
			entries[i].vendor = vendor;
			entries[i].type = type;
		}
	}
	return TS_OK;
}

int ietf_attr_request_decode(const uint8_t *value, size_t len, ietf_attr_request *out,
			     size_t *bad_offset)
{
	ietf_attr_request_entry *entries;
	size_t count = len / IETF_ATTR_REQUEST_ENTRY_LEN;
	int rc;

	rc = walk(value, len, NULL, bad_offset);
	if (rc != TS_OK)
		return rc;
	entries = calloc(count, sizeof(*entries));
	if (!entries)
		return TS_E_NOMEM;
	rc = walk(value, len, entries, bad_offset);
	if (rc != TS_OK) {
		free(entries);
		return rc;
	}
	out->count = count;
	out->entries = entries;
	return TS_OK;
}

int ietf_attr_request_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	return walk(value, len, NULL, bad_offset);
}

int ietf_attr_request_encode(const ietf_attr_request_entry *entries, size_t count, writer_t *w)
{
	if (count == 0)
		return TS_E_INVALID;
	for (size_t i = 0; i < count; i++) {
		if (!is_requestable(entries[i].vendor, entries[i].type))
			return TS_E_INVALID;
		writer_u8(w, 0);
		writer_u24(w, entries[i].vendor);
		writer_u32(w, entries[i].type);
	}
	return writer_status(w);
}

void ietf_attr_request_free(ietf_attr_request *req)
{
	if (!req)
		return;
	free(req->entries);
	req->entries = NULL;
	req->count = 0;
}
