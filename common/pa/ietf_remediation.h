/*
 * IETF Remediation Instructions (RFC 5792 section 4.2.10).
 *
 *     0                   1                   2                   3
 *    +---------------+-----------------------------------------------+
 *    |   Reserved    |      Remediation Parameters Vendor ID         |
 *    +---------------+-----------------------------------------------+
 *    |                 Remediation Parameters Type                   |
 *    +---------------------------------------------------------------+
 *    |               Remediation Parameters (variable)               |
 *
 * IETF parameter types:
 *   1 Remediation URI:    the URI (RFC 3986) fills the parameters.
 *   2 Remediation String: String Length (4) | String (UTF-8, no NUL) |
 *                         Lang Code Len (1) | Lang Code (RFC 4646 tag)
 * Parameters of other vendors or types are kept as raw bytes.
 */
#ifndef IETF_REMEDIATION_H
#define IETF_REMEDIATION_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_REMEDIATION_FIXED_LEN 8

enum {
	IETF_REMEDIATION_RESERVED = 0,
	IETF_REMEDIATION_URI = 1,
	IETF_REMEDIATION_STRING = 2,
};

/* Byte fields are not NUL-terminated; decoded ones point into the value. */
typedef struct ietf_remediation {
	uint32_t vendor;          /* Remediation Parameters Vendor ID */
	uint32_t type;            /* IETF_REMEDIATION_* when vendor is 0 */
	const uint8_t *params;    /* the whole Remediation Parameters field */
	size_t params_len;
	/* IETF type 1 */
	const uint8_t *uri;
	size_t uri_len;
	/* IETF type 2 */
	const uint8_t *string;
	size_t string_len;
	const uint8_t *lang;
	size_t lang_len;
} ietf_remediation;

TS_MUST_CHECK int ietf_remediation_decode(const uint8_t *value, size_t len,
					  ietf_remediation *out, size_t *bad_offset);
int ietf_remediation_validate(const uint8_t *value, size_t len, size_t *bad_offset);
/*
 * Appends the value. For IETF type 1 the parameters are built from uri,
 * for IETF type 2 from string and lang. For any other (vendor, type),
 * params is copied as it is.
 */
TS_MUST_CHECK int ietf_remediation_encode(const ietf_remediation *in, writer_t *w);

#endif
