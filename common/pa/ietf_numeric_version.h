/*
 * IETF Numeric Version (RFC 5792 section 4.2.3), 16 octets.
 *
 *     0                   1                   2                   3
 *    +---------------------------------------------------------------+
 *    |                     Major Version Number                      |
 *    +---------------------------------------------------------------+
 *    |                     Minor Version Number                      |
 *    +---------------------------------------------------------------+
 *    |                         Build Number                          |
 *    +-------------------------------+-------------------------------+
 *    |      Service Pack Major       |      Service Pack Minor       |
 *    +-------------------------------+-------------------------------+
 */
#ifndef IETF_NUMERIC_VERSION_H
#define IETF_NUMERIC_VERSION_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_NUMERIC_VERSION_LEN 16

typedef struct ietf_numeric_version {
	uint32_t major;
	uint32_t minor;
	uint32_t build;
	uint16_t sp_major;
	uint16_t sp_minor;
} ietf_numeric_version;

TS_MUST_CHECK int ietf_numeric_version_decode(const uint8_t *value, size_t len,
					      ietf_numeric_version *out, size_t *bad_offset);
int ietf_numeric_version_validate(const uint8_t *value, size_t len, size_t *bad_offset);
TS_MUST_CHECK int ietf_numeric_version_encode(const ietf_numeric_version *in, writer_t *w);

#endif
