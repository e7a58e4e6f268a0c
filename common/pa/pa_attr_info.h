/*
 * Static facts about one PA-TNC attribute type, for the attribute registry.
 *
 * Each namespace (IETF in common/pa/, TCG PTS and ITA-HSR in common/pts/)
 * provides a table of these; the registry looks types up by (vendor, type)
 * to name them, to check their value length and layout before a handler sees
 * them, and to apply the NOSKIP rule to types it does not know.
 */
#ifndef PA_ATTR_INFO_H
#define PA_ATTR_INFO_H

#include <stddef.h>
#include <stdint.h>

typedef struct pa_attr_info {
	uint32_t vendor;          /* PEN: 0 IETF, 0x005597 TCG, 0x00902A ITA */
	uint32_t type;
	const char *name;         /* e.g. "Product Information" */
	uint32_t min_value_len;   /* value octets, the 12-octet header excluded */
	uint32_t max_value_len;   /* UINT32_MAX when unbounded; equal to min for fixed sizes */
	/*
	 * Checks the value's layout. Returns TS_OK, or a ts_error code with
	 * *bad_offset set to the offset of the offending field within the value.
	 * NULL when the length check is all there is.
	 */
	int (*validate)(const uint8_t *value, size_t len, size_t *bad_offset);
} pa_attr_info;

#endif
