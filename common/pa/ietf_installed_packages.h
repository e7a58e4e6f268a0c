/*
 * IETF Installed Packages (RFC 5792 section 4.2.7).
 *
 *     0                   1                   2                   3
 *    +-------------------------------+-------------------------------+
 *    |           Reserved            |         Package Count         |
 *    +---------------+---------------+-------------------------------+
 *    | Pkg Name Len  |  Package Name (Pkg Name Len octets)           |
 *    +---------------+-----------------------------------------------+
 *    |  Version Len  |  Package Version Number (Version Len octets)  |
 *    +---------------+-----------------------------------------------+
 *                      ... Package Count times
 *
 * Names and versions are UTF-8 without NUL, at most 255 octets each.
 */
#ifndef IETF_INSTALLED_PACKAGES_H
#define IETF_INSTALLED_PACKAGES_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_INSTALLED_PACKAGES_FIXED_LEN 4
#define IETF_INSTALLED_PACKAGES_MAX_COUNT 65535
#define IETF_INSTALLED_PACKAGES_MAX_STRING 255

/* Strings are not NUL-terminated; decoded ones point into the value. */
typedef struct ietf_package {
	const uint8_t *name;
	size_t name_len;
	const uint8_t *version;
	size_t version_len;
} ietf_package;

typedef struct ietf_installed_packages {
	size_t count;
	ietf_package *packages;  /* malloc()ed by the decoder; NULL when count is 0 */
} ietf_installed_packages;

/* Decodes the value; free the result with ietf_installed_packages_free(). */
TS_MUST_CHECK int ietf_installed_packages_decode(const uint8_t *value, size_t len,
						 ietf_installed_packages *out, size_t *bad_offset);
int ietf_installed_packages_validate(const uint8_t *value, size_t len, size_t *bad_offset);
/* TS_E_INVALID past 65535 packages or for a string longer than 255 octets. */
TS_MUST_CHECK int ietf_installed_packages_encode(const ietf_package *packages, size_t count,
						 writer_t *w);
void ietf_installed_packages_free(ietf_installed_packages *ip);

#endif
