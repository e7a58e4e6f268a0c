/*
 * IETF String Version (RFC 5792 section 4.2.4): three strings, each with a
 * one-octet length, no NUL and no padding.
 *
 *    +-------------+----------------------------------------+
 *    | Version Len | Product Version Number (Version Len)    |
 *    +-------------+----------------------------------------+
 *    | Build Num Len | Internal Build Number (Build Num Len) |
 *    +-------------+----------------------------------------+
 *    | Config. Len | Configuration Version Number            |
 *    +-------------+----------------------------------------+
 */
#ifndef IETF_STRING_VERSION_H
#define IETF_STRING_VERSION_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_STRING_VERSION_MIN_LEN 3
#define IETF_STRING_VERSION_MAX_STRING 255

/* Strings are not NUL-terminated; decoded ones point into the value. */
typedef struct ietf_string_version {
	const uint8_t *version;
	size_t version_len;
	const uint8_t *build;
	size_t build_len;
	const uint8_t *config;
	size_t config_len;
} ietf_string_version;

TS_MUST_CHECK int ietf_string_version_decode(const uint8_t *value, size_t len,
					     ietf_string_version *out, size_t *bad_offset);
int ietf_string_version_validate(const uint8_t *value, size_t len, size_t *bad_offset);
/* TS_E_INVALID if a string is longer than 255 octets. */
TS_MUST_CHECK int ietf_string_version_encode(const ietf_string_version *in, writer_t *w);

#endif
