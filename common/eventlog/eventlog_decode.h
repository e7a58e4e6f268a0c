/*
 * Decoding of firmware event data for reports: UEFI variables (SecureBoot,
 * PK/KEK/db/dbx signature lists, BootOrder, Boot####), image load events with
 * their device paths as text, GPT, separators, action and IPL strings,
 * firmware blobs, handoff tables, EV_EVENT_TAG, EV_S_CRTM_VERSION and the
 * EV_NO_ACTION headers (Spec ID, StartupLocality).
 *
 * Event data that does not decode never fails the log: the JSON object then
 * has a member "undecodable" with the reason and byte offset, and the data
 * as "hex".
 */
#ifndef EVENTLOG_DECODE_H
#define EVENTLOG_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json_object.h>

#include "eventlog.h"
#include "ts_error.h"

/* Flags of eventlog_decode(). */
#define EVENTLOG_DECODE_BRIEF 0x1u  /* cut hex after 32 bytes, leave out signature entries */

/*
 * Decodes the data of `ev` into a new JSON object (*out, freed with
 * json_object_put). Returns TS_E_NOMEM only; malformed data is reported
 * inside the object.
 */
TS_MUST_CHECK int eventlog_decode(const eventlog_event_t *ev, unsigned flags, json_object **out);

/*
 * Builds the whole JSON description of one event: index, offset, pcr, type
 * name, digests per bank (lowercase hex), event_size and the decoded "data".
 */
TS_MUST_CHECK int eventlog_decode_event(const eventlog_event_t *ev, unsigned flags, json_object **out);

/*
 * Converts a UEFI device path to text in the usual UEFI notation, e.g.
 * "PciRoot(0x0)/Pci(0x3,0x0)/SCSI(1,0)/HD(15,GPT,<guid>,0x2800,0x35000)/File(\EFI\BOOT\BOOTX64.EFI)".
 * Nodes without a text form become "Node(type=T,subtype=S,len=L)".
 * *out is malloc()ed. On malformed input returns TS_E_TRUNCATED, TS_E_INVALID
 * or TS_E_TOO_LARGE and writes the reason, with its offset from `data`, to
 * `err` (may be NULL).
 */
TS_MUST_CHECK int eventlog_decode_devpath(const uint8_t *data, size_t len, char **out,
					   char *err, size_t err_size);

#endif
