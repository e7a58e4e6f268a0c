#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog.h"
#include "reader.h"

struct eventlog {
	eventlog_format format;
	eventlog_specid_t specid;          /* valid for the crypto-agile format */
	eventlog_algorithm_t sha1_alg;     /* the one bank of a legacy log */
	eventlog_event_t *events;
	size_t count;
	size_t capacity;
	uint8_t startup_locality;
};

static const char SPECID_SIGNATURE[16] = "Spec ID Event03";       /* with its NUL */
static const char STARTUP_LOCALITY_SIGNATURE[16] = "StartupLocality"; /* with its NUL */
static const char HCRTM_DATA[5] = { 'H', 'C', 'R', 'T', 'M' };

static const struct {
	uint32_t type;
	const char *name;
} type_names[] = {
	{ EV_PREBOOT_CERT, "EV_PREBOOT_CERT" },
	{ EV_POST_CODE, "EV_POST_CODE" },
	{ EV_UNUSED, "EV_UNUSED" },
	{ EV_NO_ACTION, "EV_NO_ACTION" },
	{ EV_SEPARATOR, "EV_SEPARATOR" },
	{ EV_ACTION, "EV_ACTION" },
	{ EV_EVENT_TAG, "EV_EVENT_TAG" },
	{ EV_S_CRTM_CONTENTS, "EV_S_CRTM_CONTENTS" },
	{ EV_S_CRTM_VERSION, "EV_S_CRTM_VERSION" },
	{ EV_CPU_MICROCODE, "EV_CPU_MICROCODE" },
	{ EV_PLATFORM_CONFIG_FLAGS, "EV_PLATFORM_CONFIG_FLAGS" },
	{ EV_TABLE_OF_DEVICES, "EV_TABLE_OF_DEVICES" },
	{ EV_COMPACT_HASH, "EV_COMPACT_HASH" },
	{ EV_IPL, "EV_IPL" },
	{ EV_IPL_PARTITION_DATA, "EV_IPL_PARTITION_DATA" },
	{ EV_NONHOST_CODE, "EV_NONHOST_CODE" },
	{ EV_NONHOST_CONFIG, "EV_NONHOST_CONFIG" },
	{ EV_NONHOST_INFO, "EV_NONHOST_INFO" },
	{ EV_OMIT_BOOT_DEVICE_EVENTS, "EV_OMIT_BOOT_DEVICE_EVENTS" },
	{ EV_EFI_EVENT_BASE, "EV_EFI_EVENT_BASE" },
	{ EV_EFI_VARIABLE_DRIVER_CONFIG, "EV_EFI_VARIABLE_DRIVER_CONFIG" },
	{ EV_EFI_VARIABLE_BOOT, "EV_EFI_VARIABLE_BOOT" },
	{ EV_EFI_BOOT_SERVICES_APPLICATION, "EV_EFI_BOOT_SERVICES_APPLICATION" },
	{ EV_EFI_BOOT_SERVICES_DRIVER, "EV_EFI_BOOT_SERVICES_DRIVER" },
	{ EV_EFI_RUNTIME_SERVICES_DRIVER, "EV_EFI_RUNTIME_SERVICES_DRIVER" },
	{ EV_EFI_GPT_EVENT, "EV_EFI_GPT_EVENT" },
	{ EV_EFI_ACTION, "EV_EFI_ACTION" },
	{ EV_EFI_PLATFORM_FIRMWARE_BLOB, "EV_EFI_PLATFORM_FIRMWARE_BLOB" },
	{ EV_EFI_HANDOFF_TABLES, "EV_EFI_HANDOFF_TABLES" },
	{ EV_EFI_PLATFORM_FIRMWARE_BLOB2, "EV_EFI_PLATFORM_FIRMWARE_BLOB2" },
	{ EV_EFI_HANDOFF_TABLES2, "EV_EFI_HANDOFF_TABLES2" },
	{ EV_EFI_VARIABLE_BOOT2, "EV_EFI_VARIABLE_BOOT2" },
	{ EV_EFI_GPT_EVENT2, "EV_EFI_GPT_EVENT2" },
	{ EV_EFI_HCRTM_EVENT, "EV_EFI_HCRTM_EVENT" },
	{ EV_EFI_VARIABLE_AUTHORITY, "EV_EFI_VARIABLE_AUTHORITY" },
	{ EV_EFI_SPDM_FIRMWARE_BLOB, "EV_EFI_SPDM_FIRMWARE_BLOB" },
	{ EV_EFI_SPDM_FIRMWARE_CONFIG, "EV_EFI_SPDM_FIRMWARE_CONFIG" },
	{ EV_EFI_SPDM_DEVICE_POLICY, "EV_EFI_SPDM_DEVICE_POLICY" },
	{ EV_EFI_SPDM_DEVICE_AUTHORITY, "EV_EFI_SPDM_DEVICE_AUTHORITY" },
};

const char *eventlog_type_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return NULL;
}

void eventlog_limits_default(eventlog_limits_t *limits)
{
	limits->max_log_size = EVENTLOG_DEFAULT_MAX_LOG_SIZE;
	limits->max_events = EVENTLOG_DEFAULT_MAX_EVENTS;
	limits->max_event_size = EVENTLOG_DEFAULT_MAX_EVENT_SIZE;
}

/* Records code, place and message in err (may be NULL) and returns code. */
__attribute__((format(printf, 5, 6)))
static int fail(eventlog_error_t *err, int code, size_t index, size_t offset, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	err->index = index;
	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

static const char *alg_label(uint16_t alg_id, char *buf, size_t size)
{
	const char *name = pcr_bank_alg_name(alg_id);

	if (name)
		return name;
	snprintf(buf, size, "0x%04x", alg_id);
	return buf;
}

struct walk_state {
	reader_t r;
	const eventlog_limits_t *limits;
	eventlog_error_t *err;
	size_t index;
};

static int read_u32(struct walk_state *s, uint32_t *v, const char *field)
{
	size_t left = reader_remaining(&s->r);

	if (reader_u32_le(&s->r, v) != TS_OK)
		return fail(s->err, TS_E_TRUNCATED, s->index, reader_offset(&s->r),
			    "%s truncated: %zu of 4 bytes left", field, left);
	return TS_OK;
}

/* EventSize and the event data, common to both entry formats. */
static int read_event_data(struct walk_state *s, eventlog_event_t *ev)
{
	uint32_t size;
	size_t size_offset = reader_offset(&s->r);
	const uint8_t *p;
	int rc;

	rc = read_u32(s, &size, "EventSize");
	if (rc != TS_OK)
		return rc;
	if (size > s->limits->max_event_size)
		return fail(s->err, TS_E_TOO_LARGE, s->index, size_offset,
			    "EventSize %u exceeds the limit of %zu bytes", size, s->limits->max_event_size);
	ev->data_offset = reader_offset(&s->r);
	if (reader_bytes(&s->r, size, &p) != TS_OK)
		return fail(s->err, TS_E_TRUNCATED, s->index, ev->data_offset,
			    "event data truncated: EventSize %u, %zu bytes left",
			    size, reader_remaining(&s->r));
	ev->data = size ? p : NULL;
	ev->data_len = size;
	return TS_OK;
}

static int check_pcr_index(struct walk_state *s, const eventlog_event_t *ev)
{
	/* EV_NO_ACTION events extend nothing, so their PCRIndex is not checked. */
	if (ev->pcr >= PCR_BANK_NUM_PCRS && ev->type != EV_NO_ACTION)
		return fail(s->err, TS_E_INVALID, s->index, ev->offset,
			    "PCRIndex %u out of range 0..%d", ev->pcr, PCR_BANK_NUM_PCRS - 1);
	return TS_OK;
}

/*
 * TCG_PCClientPCREvent (PC Client PFP, legacy SHA-1 format):
 *
 *   0       4          8                    28         32
 *   +-------+----------+--------------------+----------+------------+
 *   | PCR   | EventType| SHA-1 digest (20)  | EventSize| Event data |
 *   +-------+----------+--------------------+----------+------------+
 */
static int read_sha1_event(struct walk_state *s, eventlog_event_t *ev)
{
	const uint8_t *digest;
	int rc;

	memset(ev, 0, sizeof(*ev));
	ev->index = s->index;
	ev->offset = reader_offset(&s->r);

	rc = read_u32(s, &ev->pcr, "PCRIndex");
	if (rc == TS_OK)
		rc = read_u32(s, &ev->type, "EventType");
	if (rc != TS_OK)
		return rc;
	if (reader_bytes(&s->r, 20, &digest) != TS_OK)
		return fail(s->err, TS_E_TRUNCATED, s->index, reader_offset(&s->r),
			    "SHA-1 digest truncated: %zu of 20 bytes left", reader_remaining(&s->r));
	ev->digest_count = 1;
	ev->digests[0].alg_id = PCR_BANK_ALG_SHA1;
	ev->digests[0].size = 20;
	ev->digests[0].value = digest;

	rc = read_event_data(s, ev);
	if (rc != TS_OK)
		return rc;
	return check_pcr_index(s, ev);
}

/*
 * TCG_PCR_EVENT2 (PC Client PFP, crypto-agile format):
 *
 *   PCRIndex (4) | EventType (4) | digests.count (4)
 *   count x { hashAlg (2) | digest (digestSize of hashAlg in the Spec ID event) }
 *   EventSize (4) | Event data (EventSize)
 */
static int read_event2(struct walk_state *s, const eventlog_specid_t *specid, eventlog_event_t *ev)
{
	uint32_t count;
	size_t count_offset;
	char label[8];
	int rc;

	memset(ev, 0, sizeof(*ev));
	ev->index = s->index;
	ev->offset = reader_offset(&s->r);

	rc = read_u32(s, &ev->pcr, "PCRIndex");
	if (rc == TS_OK)
		rc = read_u32(s, &ev->type, "EventType");
	count_offset = reader_offset(&s->r);
	if (rc == TS_OK)
		rc = read_u32(s, &count, "digest count");
	if (rc != TS_OK)
		return rc;
	if (count != specid->num_algorithms)
		return fail(s->err, TS_E_INVALID, s->index, count_offset,
			    "digest count %u differs from the %zu algorithms of the Spec ID event",
			    count, specid->num_algorithms);

	for (uint32_t i = 0; i < count; i++) {
		eventlog_digest_t *d = &ev->digests[i];
		size_t alg_offset = reader_offset(&s->r);
		size_t j;

		if (reader_u16_le(&s->r, &d->alg_id) != TS_OK)
			return fail(s->err, TS_E_TRUNCATED, s->index, alg_offset,
				    "hashAlg of digest %u truncated: %zu of 2 bytes left",
				    i, reader_remaining(&s->r));
		for (j = 0; j < specid->num_algorithms; j++)
			if (specid->algorithms[j].alg_id == d->alg_id)
				break;
		if (j == specid->num_algorithms)
			return fail(s->err, TS_E_INVALID, s->index, alg_offset,
				    "digest %u has algorithm 0x%04x, which the Spec ID event does not list",
				    i, d->alg_id);
		for (uint32_t k = 0; k < i; k++)
			if (ev->digests[k].alg_id == d->alg_id)
				return fail(s->err, TS_E_INVALID, s->index, alg_offset,
					    "digest %u repeats algorithm %s", i,
					    alg_label(d->alg_id, label, sizeof(label)));
		d->size = specid->algorithms[j].digest_size;
		if (reader_bytes(&s->r, d->size, &d->value) != TS_OK)
			return fail(s->err, TS_E_TRUNCATED, s->index, reader_offset(&s->r),
				    "%s digest truncated: %zu of %u bytes left",
				    alg_label(d->alg_id, label, sizeof(label)),
				    reader_remaining(&s->r), d->size);
	}
	ev->digest_count = count;

	rc = read_event_data(s, ev);
	if (rc != TS_OK)
		return rc;
	return check_pcr_index(s, ev);
}

/* True when the first event carries the crypto-agile Spec ID header. */
static bool is_specid_event(const eventlog_event_t *ev)
{
	return ev->pcr == 0 && ev->type == EV_NO_ACTION && ev->data_len >= sizeof(SPECID_SIGNATURE) &&
	       memcmp(ev->data, SPECID_SIGNATURE, sizeof(SPECID_SIGNATURE)) == 0;
}

/*
 * TCG_EfiSpecIDEvent (PC Client PFP), the data of the first event:
 *
 *   off     len  field
 *   0       16   signature "Spec ID Event03\0"
 *   16      4    platformClass
 *   20      1    specVersionMinor
 *   21      1    specVersionMajor
 *   22      1    specErrata
 *   23      1    uintnSize
 *   24      4    numberOfAlgorithms N (1 .. EVENTLOG_MAX_ALGORITHMS)
 *   28      4N   N x { algorithmId (2) | digestSize (2) }
 *   28+4N   1    vendorInfoSize V
 *   29+4N   V    vendorInfo
 */
static int read_specid(struct walk_state *s, const eventlog_event_t *ev, eventlog_specid_t *specid)
{
	reader_t d;
	uint32_t num;
	size_t field_offset;
	char label[8];

	memset(specid, 0, sizeof(*specid));
	for (size_t i = 0; i < 20; i++)
		if (ev->digests[0].value[i] != 0)
			return fail(s->err, TS_E_INVALID, s->index, ev->offset + 8,
				    "Spec ID event digest is not all zero");

	/* A window over the event data whose offsets stay those of the log. */
	reader_init(&d, ev->data, ev->data_len);
	d.base = ev->data_offset;

	if (reader_skip(&d, sizeof(SPECID_SIGNATURE)) != TS_OK ||
	    reader_u32_le(&d, &specid->platform_class) != TS_OK ||
	    reader_u8(&d, &specid->spec_version_minor) != TS_OK ||
	    reader_u8(&d, &specid->spec_version_major) != TS_OK ||
	    reader_u8(&d, &specid->spec_errata) != TS_OK ||
	    reader_u8(&d, &specid->uintn_size) != TS_OK)
		return fail(s->err, TS_E_TRUNCATED, s->index, reader_offset(&d),
			    "Spec ID event truncated: EventSize %zu is too small for its header",
			    ev->data_len);

	field_offset = reader_offset(&d);
	if (reader_u32_le(&d, &num) != TS_OK)
		return fail(s->err, TS_E_TRUNCATED, s->index, field_offset,
			    "Spec ID numberOfAlgorithms truncated: %zu of 4 bytes left",
			    reader_remaining(&d));
	if (num == 0)
		return fail(s->err, TS_E_INVALID, s->index, field_offset,
			    "Spec ID numberOfAlgorithms is 0");
	if (num > EVENTLOG_MAX_ALGORITHMS)
		return fail(s->err, TS_E_TOO_LARGE, s->index, field_offset,
			    "Spec ID numberOfAlgorithms %u exceeds the limit of %d",
			    num, EVENTLOG_MAX_ALGORITHMS);

	for (uint32_t i = 0; i < num; i++) {
		eventlog_algorithm_t *a = &specid->algorithms[i];
		size_t known;

		size_t left = reader_remaining(&d);

		field_offset = reader_offset(&d);
		if (left < 4 || reader_u16_le(&d, &a->alg_id) != TS_OK ||
		    reader_u16_le(&d, &a->digest_size) != TS_OK)
			return fail(s->err, TS_E_TRUNCATED, s->index, field_offset,
				    "Spec ID algorithm %u truncated: %zu of 4 bytes left", i, left);
		known = pcr_bank_alg_digest_size(a->alg_id);
		if (a->digest_size == 0 || a->digest_size > EVENTLOG_MAX_DIGEST_SIZE ||
		    (known && known != a->digest_size))
			return fail(s->err, TS_E_INVALID, s->index, field_offset,
				    "Spec ID algorithm %s has an invalid digestSize %u",
				    alg_label(a->alg_id, label, sizeof(label)), a->digest_size);
		for (uint32_t k = 0; k < i; k++)
			if (specid->algorithms[k].alg_id == a->alg_id)
				return fail(s->err, TS_E_INVALID, s->index, field_offset,
					    "Spec ID lists algorithm %s twice",
					    alg_label(a->alg_id, label, sizeof(label)));
	}
	specid->num_algorithms = num;

	field_offset = reader_offset(&d);
	{
		uint8_t vsize;
		const uint8_t *vinfo;

		if (reader_u8(&d, &vsize) != TS_OK)
			return fail(s->err, TS_E_TRUNCATED, s->index, field_offset,
				    "Spec ID vendorInfoSize truncated: EventSize %zu ends before it",
				    ev->data_len);
		specid->vendor_info_size = vsize;
		if (vsize > 0 && reader_remaining(&d) == 0) {
			/*
			 * Workaround: EventSize stopped at vendorInfoSize. tpm2-tss and
			 * tpm2-tools then take vendorInfo from the bytes after the event
			 * and continue behind it; do the same, and say so.
			 */
			field_offset = reader_offset(&s->r);
			if (reader_bytes(&s->r, vsize, &vinfo) != TS_OK)
				return fail(s->err, TS_E_TRUNCATED, s->index, field_offset,
					    "Spec ID vendorInfo truncated: %u bytes after EventSize %zu, %zu left",
					    vsize, ev->data_len, reader_remaining(&s->r));
			specid->vendor_info_outside_event = true;
		} else if (reader_bytes(&d, vsize, &vinfo) != TS_OK) {
			return fail(s->err, TS_E_TRUNCATED, s->index, reader_offset(&d),
				    "Spec ID vendorInfo truncated: %zu of %u bytes left",
				    reader_remaining(&d), vsize);
		}
		specid->vendor_info = vsize ? vinfo : NULL;
	}
	if (reader_expect_end(&d) != TS_OK)
		return fail(s->err, TS_E_TRAILING, s->index, reader_offset(&d),
			    "%zu unexpected bytes after the Spec ID vendorInfo", reader_remaining(&d));
	return TS_OK;
}

int eventlog_walk(const uint8_t *data, size_t len, const eventlog_limits_t *limits,
		  eventlog_walk_cb cb, void *ctx, eventlog_error_t *err)
{
	eventlog_limits_t defaults;
	struct walk_state s;
	eventlog_specid_t specid;
	eventlog_event_t ev;
	bool agile;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!limits) {
		eventlog_limits_default(&defaults);
		limits = &defaults;
	}
	if (len > limits->max_log_size)
		return fail(err, TS_E_TOO_LARGE, 0, 0, "log of %zu bytes exceeds the limit of %zu bytes",
			    len, limits->max_log_size);
	if (len == 0)
		return fail(err, TS_E_TRUNCATED, 0, 0, "the log is empty");

	reader_init(&s.r, data, len);
	s.limits = limits;
	s.err = err;
	s.index = 0;

	/* The first entry always has the legacy layout. */
	rc = read_sha1_event(&s, &ev);
	if (rc != TS_OK)
		return rc;
	agile = is_specid_event(&ev);
	if (agile) {
		rc = read_specid(&s, &ev, &specid);
		if (rc != TS_OK)
			return rc;
	}
	if (cb) {
		rc = cb(&ev, agile ? &specid : NULL, ctx);
		if (rc != TS_OK)
			return rc;
	}

	while (reader_remaining(&s.r) > 0) {
		s.index++;
		if (s.index >= limits->max_events)
			return fail(err, TS_E_TOO_LARGE, s.index, reader_offset(&s.r),
				    "the log has more than %zu events", limits->max_events);
		rc = agile ? read_event2(&s, &specid, &ev) : read_sha1_event(&s, &ev);
		if (rc != TS_OK)
			return rc;
		if (cb) {
			rc = cb(&ev, agile ? &specid : NULL, ctx);
			if (rc != TS_OK)
				return rc;
		}
	}
	return TS_OK;
}

struct parse_ctx {
	eventlog_t *log;
	eventlog_error_t *err;
};

/*
 * StartupLocality event (PC Client PFP): EV_NO_ACTION in PCR 0 whose 17 data
 * bytes are "StartupLocality\0" and the locality.
 */
static bool is_startup_locality(const eventlog_event_t *ev)
{
	return ev->type == EV_NO_ACTION && ev->pcr == 0 && ev->data_len == 17 &&
	       memcmp(ev->data, STARTUP_LOCALITY_SIGNATURE, sizeof(STARTUP_LOCALITY_SIGNATURE)) == 0;
}

static int collect_event(const eventlog_event_t *ev, const eventlog_specid_t *specid, void *opaque)
{
	struct parse_ctx *p = opaque;
	eventlog_t *log = p->log;

	if (ev->index == 0 && specid) {
		log->format = EVENTLOG_FORMAT_CRYPTO_AGILE;
		log->specid = *specid;
	}
	if (log->count == log->capacity) {
		size_t cap = log->capacity ? log->capacity * 2 : 128;
		eventlog_event_t *grown = realloc(log->events, cap * sizeof(*grown));

		if (!grown)
			return fail(p->err, TS_E_NOMEM, ev->index, ev->offset, "out of memory");
		log->events = grown;
		log->capacity = cap;
	}
	log->events[log->count++] = *ev;
	return TS_OK;
}

/* Applies the rules for PCR 0's reset value: H-CRTM beats StartupLocality. */
static int find_startup_locality(eventlog_t *log, eventlog_error_t *err)
{
	bool seen = false;

	log->startup_locality = 0;
	for (size_t i = 0; i < log->count; i++) {
		const eventlog_event_t *ev = &log->events[i];

		if (ev->type == EV_EFI_HCRTM_EVENT && ev->pcr == 0) {
			if (ev->data_len != sizeof(HCRTM_DATA) || memcmp(ev->data, HCRTM_DATA, sizeof(HCRTM_DATA)) != 0)
				return fail(err, TS_E_INVALID, ev->index, ev->data_offset,
					    "EV_EFI_HCRTM_EVENT data is not \"HCRTM\"");
			log->startup_locality = 4;
			return TS_OK;
		}
		if (!seen && is_startup_locality(ev)) {
			uint8_t locality = ev->data[16];

			if (locality > 4)
				return fail(err, TS_E_INVALID, ev->index, ev->data_offset + 16,
					    "StartupLocality %u is not a TPM locality (0..4)", locality);
			log->startup_locality = locality;
			seen = true;
		}
	}
	return TS_OK;
}

int eventlog_parse(const uint8_t *data, size_t len, const eventlog_limits_t *limits,
		   eventlog_t **out, eventlog_error_t *err)
{
	eventlog_t *log = calloc(1, sizeof(*log));
	struct parse_ctx p = { .log = log, .err = err };
	int rc;

	if (!log)
		return fail(err, TS_E_NOMEM, 0, 0, "out of memory");
	log->format = EVENTLOG_FORMAT_SHA1;
	log->sha1_alg.alg_id = PCR_BANK_ALG_SHA1;
	log->sha1_alg.digest_size = 20;

	rc = eventlog_walk(data, len, limits, collect_event, &p, err);
	if (rc != TS_OK)
		goto out;
	rc = find_startup_locality(log, err);
	if (rc != TS_OK)
		goto out;

	*out = log;
	log = NULL;
out:
	eventlog_destroy(log);
	return rc;
}

void eventlog_destroy(eventlog_t *log)
{
	if (!log)
		return;
	free(log->events);
	free(log);
}

eventlog_format eventlog_get_format(const eventlog_t *log)
{
	return log->format;
}

const eventlog_specid_t *eventlog_get_specid(const eventlog_t *log)
{
	return log->format == EVENTLOG_FORMAT_CRYPTO_AGILE ? &log->specid : NULL;
}

size_t eventlog_get_count(const eventlog_t *log)
{
	return log->count;
}

const eventlog_event_t *eventlog_get_event(const eventlog_t *log, size_t i)
{
	return i < log->count ? &log->events[i] : NULL;
}

size_t eventlog_get_algorithms(const eventlog_t *log, const eventlog_algorithm_t **algs)
{
	if (log->format == EVENTLOG_FORMAT_CRYPTO_AGILE) {
		*algs = log->specid.algorithms;
		return log->specid.num_algorithms;
	}
	*algs = &log->sha1_alg;
	return 1;
}

uint8_t eventlog_get_startup_locality(const eventlog_t *log)
{
	return log->startup_locality;
}

int eventlog_replay(const eventlog_t *log, pcr_set_t *set, eventlog_error_t *err)
{
	return eventlog_replay_locality(log, set, log->startup_locality, err);
}

int eventlog_replay_locality(const eventlog_t *log, pcr_set_t *set, uint8_t startup_locality,
			     eventlog_error_t *err)
{
	const eventlog_algorithm_t *algs;
	size_t num_algs = eventlog_get_algorithms(log, &algs);
	pcr_bank_t *banks[EVENTLOG_MAX_ALGORITHMS];
	char label[8];
	int rc;

	rc = pcr_set_reset(set, startup_locality);
	if (rc != TS_OK)
		return fail(err, rc, 0, 0, "cannot reset the PCR banks for startup locality %u", startup_locality);
	for (size_t a = 0; a < num_algs; a++)
		banks[a] = pcr_set_get_bank(set, algs[a].alg_id);

	for (size_t i = 0; i < log->count; i++) {
		const eventlog_event_t *ev = &log->events[i];

		if (ev->type == EV_NO_ACTION)
			continue;
		for (size_t a = 0; a < num_algs; a++) {
			const eventlog_digest_t *d = NULL;

			if (!banks[a])
				continue;
			/* Digests usually come in Spec ID order, so try index a first. */
			if (a < ev->digest_count && ev->digests[a].alg_id == algs[a].alg_id) {
				d = &ev->digests[a];
			} else {
				for (size_t k = 0; k < ev->digest_count; k++)
					if (ev->digests[k].alg_id == algs[a].alg_id)
						d = &ev->digests[k];
			}
			if (!d)
				return fail(err, TS_E_INVALID, ev->index, ev->offset, "event has no %s digest",
					    alg_label(algs[a].alg_id, label, sizeof(label)));
			rc = pcr_bank_extend(banks[a], ev->pcr, d->value, d->size);
			if (rc != TS_OK)
				return fail(err, rc, ev->index, ev->offset, "cannot extend PCR %u of bank %s",
					    ev->pcr, pcr_bank_get_name(banks[a]));
		}
	}
	return TS_OK;
}
