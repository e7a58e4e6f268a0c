/*
 * Text helpers of the event data decoder: EFI GUIDs, UTF-16LE strings, UEFI
 * device paths. Internal to common/eventlog; the public entry point for device
 * paths is eventlog_decode_devpath() in eventlog_decode.h.
 */
#ifndef EVENTLOG_TEXT_H
#define EVENTLOG_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/printbuf.h>

#include "reader.h"
#include "ts_error.h"

#define EVENTLOG_TEXT_GUID_SIZE 37
/* Maximum number of nodes in one device path (all instances together). */
#define EVENTLOG_TEXT_DEVPATH_MAX_NODES 256

/* Writes an EFI GUID (first three fields little-endian) as 8-4-4-4-12 lowercase hex. */
void eventlog_text_guid(const uint8_t guid[16], char out[EVENTLOG_TEXT_GUID_SIZE]);

/*
 * Converts `units` UTF-16LE code units to a malloc()ed UTF-8 string, stopping
 * at the first NUL. Unpaired surrogates become U+FFFD and set *lossy.
 * Returns NULL when out of memory.
 */
char *eventlog_text_from_utf16(const uint8_t *p, size_t units, bool *lossy);

/* True when p[0..len) is valid UTF-8 without control characters except TAB, LF, CR. */
bool eventlog_text_is_printable(const uint8_t *p, size_t len);

/*
 * Appends the text form of the device path in `r` (all of it) to `pb`.
 * On malformed input returns TS_E_TRUNCATED or TS_E_INVALID with a message
 * in `err` that names the node and its offset.
 */
TS_MUST_CHECK int eventlog_text_devpath(reader_t *r, struct printbuf *pb, char *err, size_t err_size);

#endif
