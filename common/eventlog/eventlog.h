/*
 * TCG PC Client firmware event log parser and replay.
 *
 * Reads the log Linux exposes as /sys/kernel/security/tpm0/binary_bios_measurements
 * in both formats of the TCG PC Client Platform Firmware Profile:
 *   - legacy SHA-1 (TCG_PCClientPCREvent only, TPM 1.2 and some TPM 2.0 firmware),
 *   - crypto agile (a TCG_PCClientPCREvent carrying the "Spec ID Event03"
 *     header, then TCG_PCR_EVENT2 entries with one digest per bank).
 * All integers are little-endian. Events point into the caller's buffer, which
 * must outlive the parsed log.
 *
 * A log that cannot be parsed fails with an eventlog_error_t naming the event
 * index, the byte offset of the field at fault and what was wrong.
 */
#ifndef EVENTLOG_H
#define EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcr_set.h"
#include "ts_error.h"

/* Event types (TCG PC Client Platform Firmware Profile, "Event Types"). */
#define EV_PREBOOT_CERT                  0x00000000u
#define EV_POST_CODE                     0x00000001u
#define EV_UNUSED                        0x00000002u
#define EV_NO_ACTION                     0x00000003u
#define EV_SEPARATOR                     0x00000004u
#define EV_ACTION                        0x00000005u
#define EV_EVENT_TAG                     0x00000006u
#define EV_S_CRTM_CONTENTS               0x00000007u
#define EV_S_CRTM_VERSION                0x00000008u
#define EV_CPU_MICROCODE                 0x00000009u
#define EV_PLATFORM_CONFIG_FLAGS         0x0000000Au
#define EV_TABLE_OF_DEVICES              0x0000000Bu
#define EV_COMPACT_HASH                  0x0000000Cu
#define EV_IPL                           0x0000000Du
#define EV_IPL_PARTITION_DATA            0x0000000Eu
#define EV_NONHOST_CODE                  0x0000000Fu
#define EV_NONHOST_CONFIG                0x00000010u
#define EV_NONHOST_INFO                  0x00000011u
#define EV_OMIT_BOOT_DEVICE_EVENTS       0x00000012u
#define EV_EFI_EVENT_BASE                0x80000000u
#define EV_EFI_VARIABLE_DRIVER_CONFIG    0x80000001u
#define EV_EFI_VARIABLE_BOOT             0x80000002u
#define EV_EFI_BOOT_SERVICES_APPLICATION 0x80000003u
#define EV_EFI_BOOT_SERVICES_DRIVER      0x80000004u
#define EV_EFI_RUNTIME_SERVICES_DRIVER   0x80000005u
#define EV_EFI_GPT_EVENT                 0x80000006u
#define EV_EFI_ACTION                    0x80000007u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB    0x80000008u
#define EV_EFI_HANDOFF_TABLES            0x80000009u
#define EV_EFI_PLATFORM_FIRMWARE_BLOB2   0x8000000Au
#define EV_EFI_HANDOFF_TABLES2           0x8000000Bu
#define EV_EFI_VARIABLE_BOOT2            0x8000000Cu
#define EV_EFI_GPT_EVENT2                0x8000000Du
#define EV_EFI_HCRTM_EVENT               0x80000010u
#define EV_EFI_VARIABLE_AUTHORITY        0x800000E0u
#define EV_EFI_SPDM_FIRMWARE_BLOB        0x800000E1u
#define EV_EFI_SPDM_FIRMWARE_CONFIG      0x800000E2u
#define EV_EFI_SPDM_DEVICE_POLICY        0x800000E3u
#define EV_EFI_SPDM_DEVICE_AUTHORITY     0x800000E4u

/* Default limits. A log or event beyond them is rejected with TS_E_TOO_LARGE. */
#define EVENTLOG_DEFAULT_MAX_LOG_SIZE   (16u * 1024 * 1024)
#define EVENTLOG_DEFAULT_MAX_EVENTS     100000u
#define EVENTLOG_DEFAULT_MAX_EVENT_SIZE (1u * 1024 * 1024)
/* Fixed limits of the crypto-agile header. */
#define EVENTLOG_MAX_ALGORITHMS  8    /* banks in the Spec ID event */
#define EVENTLOG_MAX_DIGEST_SIZE 128  /* bytes, for algorithms this code cannot hash */

typedef struct eventlog_limits {
	size_t max_log_size;    /* bytes of the whole log */
	size_t max_events;      /* events including the Spec ID event */
	size_t max_event_size;  /* EventSize of one event */
} eventlog_limits_t;

typedef enum eventlog_format {
	EVENTLOG_FORMAT_SHA1,          /* legacy TCG_PCClientPCREvent entries */
	EVENTLOG_FORMAT_CRYPTO_AGILE,  /* Spec ID Event03 + TCG_PCR_EVENT2 */
} eventlog_format;

typedef struct eventlog_algorithm {
	uint16_t alg_id;       /* TPM_ALG_ID */
	uint16_t digest_size;  /* from the Spec ID event */
} eventlog_algorithm_t;

/* Contents of the TCG_EfiSpecIDEvent ("Spec ID Event03") header. */
typedef struct eventlog_specid {
	uint32_t platform_class;
	uint8_t spec_version_minor;
	uint8_t spec_version_major;
	uint8_t spec_errata;
	uint8_t uintn_size;
	size_t num_algorithms;
	eventlog_algorithm_t algorithms[EVENTLOG_MAX_ALGORITHMS];
	const uint8_t *vendor_info;
	size_t vendor_info_size;
	/*
	 * True when vendorInfo lay outside the Spec ID EventSize (EventSize was
	 * 29 + 4N instead of 29 + 4N + vendorInfoSize). The next event then
	 * starts after vendorInfo, as tpm2-tss and tpm2-tools read it.
	 */
	bool vendor_info_outside_event;
} eventlog_specid_t;

typedef struct eventlog_digest {
	uint16_t alg_id;
	uint16_t size;
	const uint8_t *value;
} eventlog_digest_t;

typedef struct eventlog_event {
	size_t index;         /* 0-based position in the log */
	size_t offset;        /* byte offset of the event's PCRIndex field */
	uint32_t pcr;
	uint32_t type;
	size_t digest_count;
	eventlog_digest_t digests[EVENTLOG_MAX_ALGORITHMS];
	const uint8_t *data;  /* NULL when data_len is 0 */
	size_t data_len;
	size_t data_offset;   /* byte offset of the event data */
} eventlog_event_t;

/* Where and why a log could not be parsed or replayed. */
typedef struct eventlog_error {
	int code;             /* TS_E_* */
	size_t index;         /* event index */
	size_t offset;        /* byte offset of the field at fault */
	char message[192];    /* e.g. "digest count 5 differs from the 2 algorithms ..." */
} eventlog_error_t;

typedef struct eventlog eventlog_t;

/*
 * Called once per event in log order, the Spec ID event included (index 0).
 * `specid` is NULL for a legacy log. A non-zero return stops the walk and
 * becomes its result.
 */
typedef int (*eventlog_walk_cb)(const eventlog_event_t *event,
				const eventlog_specid_t *specid, void *ctx);

/* Fills `limits` with the EVENTLOG_DEFAULT_* values. */
void eventlog_limits_default(eventlog_limits_t *limits);

/*
 * Walks the log, checking every field, and calls `cb` (may be NULL) for each
 * event. `limits` NULL means the defaults. On failure, `err` (may be NULL)
 * names the event index and offset.
 */
TS_MUST_CHECK int eventlog_walk(const uint8_t *data, size_t len, const eventlog_limits_t *limits,
				eventlog_walk_cb cb, void *ctx, eventlog_error_t *err);

/*
 * Parses the whole log into an array of events. The caller frees *out with
 * eventlog_destroy(); `data` must outlive it.
 */
TS_MUST_CHECK int eventlog_parse(const uint8_t *data, size_t len, const eventlog_limits_t *limits,
				 eventlog_t **out, eventlog_error_t *err);
void eventlog_destroy(eventlog_t *log);

eventlog_format eventlog_get_format(const eventlog_t *log);
/* The Spec ID header, or NULL for a legacy SHA-1 log. */
const eventlog_specid_t *eventlog_get_specid(const eventlog_t *log);
size_t eventlog_get_count(const eventlog_t *log);
/* Event i, or NULL past the end. */
const eventlog_event_t *eventlog_get_event(const eventlog_t *log, size_t i);
/* Banks of the log: from the Spec ID event, or SHA-1 alone for a legacy log. */
size_t eventlog_get_algorithms(const eventlog_t *log, const eventlog_algorithm_t **algs);

/*
 * Locality TPM2_Startup ran at, as the log states it: 4 when PCR 0 has an
 * EV_EFI_HCRTM_EVENT, else the locality of the StartupLocality event, else 0.
 */
uint8_t eventlog_get_startup_locality(const eventlog_t *log);

/*
 * Resets `set` for the log's startup locality and extends, in log order, the
 * digest of every event except EV_NO_ACTION into the bank of its algorithm.
 * Banks of the log that `set` lacks (SM3, SHA-3) are skipped. Fails with an
 * error naming the event if an event lacks the digest of one of the log's
 * banks.
 */
TS_MUST_CHECK int eventlog_replay(const eventlog_t *log, pcr_set_t *set, eventlog_error_t *err);

/*
 * The same with PCR 0 started at `startup_locality` (0..4) whatever the log
 * states. A verifier of strongSwan evidence needs this: strongSwan's IMV
 * seeds PCR 0 from the TPM Version Information (locality 3 unless the TPM
 * manufacturer is Intel), not from the log.
 */
TS_MUST_CHECK int eventlog_replay_locality(const eventlog_t *log, pcr_set_t *set,
					   uint8_t startup_locality, eventlog_error_t *err);

/* "EV_SEPARATOR" etc., or NULL for a type this code does not name. */
const char *eventlog_type_name(uint32_t type);

#endif
