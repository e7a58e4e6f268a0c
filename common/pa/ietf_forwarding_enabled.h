/*
 * IETF Forwarding Enabled (RFC 5792 section 4.2.11), 4 octets.
 *
 *     0                   1                   2                   3
 *    +---------------------------------------------------------------+
 *    |                      Forwarding Enabled                       |
 *    +---------------------------------------------------------------+
 *
 * 0 disabled, 1 enabled, 2 unknown.
 */
#ifndef IETF_FORWARDING_ENABLED_H
#define IETF_FORWARDING_ENABLED_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_FORWARDING_ENABLED_LEN 4

enum {
	IETF_FORWARDING_DISABLED = 0,
	IETF_FORWARDING_ENABLED = 1,
	IETF_FORWARDING_UNKNOWN = 2,
};

TS_MUST_CHECK int ietf_forwarding_enabled_decode(const uint8_t *value, size_t len,
						 uint32_t *out, size_t *bad_offset);
int ietf_forwarding_enabled_validate(const uint8_t *value, size_t len, size_t *bad_offset);
/* TS_E_INVALID above 2. */
TS_MUST_CHECK int ietf_forwarding_enabled_encode(uint32_t status, writer_t *w);

#endif
