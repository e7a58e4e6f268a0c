/*
 * IETF Attribute Request (RFC 5792 section 4.2.1): n >= 1 entries of
 *
 *     0                   1                   2                   3
 *    +---------------+-----------------------------------------------+
 *    |   Reserved    |          PA-TNC Attribute Vendor ID           |
 *    +---------------+-----------------------------------------------+
 *    |                     PA-TNC Attribute Type                     |
 *    +---------------------------------------------------------------+
 *
 * Attribute Request (1) and PA-TNC Error (8) must not be requested, and the
 * reserved vendor 0xFFFFFF and type 0xFFFFFFFF are rejected as well.
 */
#ifndef IETF_ATTR_REQUEST_H
#define IETF_ATTR_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_ATTR_REQUEST_ENTRY_LEN 8

typedef struct ietf_attr_request_entry {
	uint32_t vendor;
	uint32_t type;
} ietf_attr_request_entry;

typedef struct ietf_attr_request {
	size_t count;
	ietf_attr_request_entry *entries;  /* malloc()ed by the decoder */
} ietf_attr_request;

/* Decodes the value; free the result with ietf_attr_request_free(). */
TS_MUST_CHECK int ietf_attr_request_decode(const uint8_t *value, size_t len,
					   ietf_attr_request *out, size_t *bad_offset);
int ietf_attr_request_validate(const uint8_t *value, size_t len, size_t *bad_offset);
TS_MUST_CHECK int ietf_attr_request_encode(const ietf_attr_request_entry *entries, size_t count,
					   writer_t *w);
void ietf_attr_request_free(ietf_attr_request *req);

#endif
