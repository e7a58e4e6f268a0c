/*
 * Registry of the PA-TNC attribute types this program understands, keyed by
 * (vendor, type).
 *
 * The IETF table (ietf_attr.h) is always present. Other namespaces add
 * theirs once, e.g. pa_registry_add(pts_attr_infos, pts_attr_info_count).
 * pa_msg_parse() looks every received attribute up here: a known type gets
 * its length range and validate() checked, an unknown one is skipped, or
 * rejects the whole message when it carries NOSKIP.
 *
 * All functions are thread-safe. Tables are not copied: they must stay
 * valid (static const) for the life of the program.
 */
#ifndef PA_REGISTRY_H
#define PA_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "pa_attr_info.h"
#include "ts_error.h"

/* Tables that pa_registry_add() accepts besides the built-in IETF one. */
#define PA_REGISTRY_MAX_TABLES 16

/* Buffer size that always fits a pa_registry_name() result. */
#define PA_ATTR_NAME_MAX 96

/*
 * Adds a table of attribute types. Adding the same table again is a no-op.
 * TS_E_INVALID if an entry repeats a registered (vendor, type), has a
 * reserved vendor or type, or has min_value_len > max_value_len;
 * TS_E_TOO_LARGE past PA_REGISTRY_MAX_TABLES. Nothing is added on error.
 */
TS_MUST_CHECK int pa_registry_add(const pa_attr_info *table, size_t count);

/* Returns the entry of (vendor, type), or NULL if no table lists it. */
const pa_attr_info *pa_registry_lookup(uint32_t vendor, uint32_t type);

/* Returns "IETF", "TCG" or "ITA-HSR", or NULL for another vendor. */
const char *pa_registry_vendor_name(uint32_t vendor);

/*
 * Writes a name for logs into buf and returns buf: "IETF/Product
 * Information" for a registered or well-known type, "vendor 0x00abcd, type
 * 0x00000007" otherwise. size should be PA_ATTR_NAME_MAX.
 */
const char *pa_registry_name(uint32_t vendor, uint32_t type, char *buf, size_t size);

#endif
