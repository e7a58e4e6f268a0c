/*
 * Event log parser and replay.
 *
 * Expected PCR values come from the reference files in tests/data/eventlog:
 * values published by each log's source project, tpm2-tools' replay and PCRs
 * read in a VM. See tests/data/eventlog/SOURCES.md.
 */
#include <ctype.h>

#include <openssl/evp.h>

#include "test_util.h"
#include "eventlog.h"

/* ---- helpers ---- */

static unsigned char *load_log(const char *name, size_t *len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "eventlog/%s", name);
	return test_read_file(test_data_path(rel), len);
}

static char *load_text(const char *name)
{
	size_t len;
	unsigned char *buf = load_log(name, &len);
	char *text = realloc(buf, len + 1);

	ck_assert_ptr_nonnull(text);
	text[len] = '\0';
	return text;
}

static void to_hex(const uint8_t *p, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * len] = '\0';
}

static uint16_t alg_from_name(const char *name)
{
	static const struct { const char *name; uint16_t id; } names[] = {
		{ "sha1", PCR_BANK_ALG_SHA1 }, { "sha256", PCR_BANK_ALG_SHA256 },
		{ "sha384", PCR_BANK_ALG_SHA384 }, { "sha512", PCR_BANK_ALG_SHA512 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].id;
	ck_abort_msg("unknown bank name %s in a reference file", name);
	return 0;
}

struct ref_pcr {
	char bank[16];
	unsigned index;
	char hex[2 * PCR_BANK_MAX_DIGEST_SIZE + 1];
};

/*
 * Reads reference PCRs from "bank:index hex" or "bank index hex" lines, or
 * from the "pcrs:" section of tpm2-tools YAML ("  sha1:" then "    0  : 0x..").
 */
static size_t load_refs(const char *name, struct ref_pcr *refs, size_t max)
{
	char *text = load_text(name);
	char bank[16] = "";
	size_t n = 0;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		struct ref_pcr r;
		char hex[160];

		if (line[0] == '#' || strncmp(line, "pcrs:", 5) == 0)
			continue;
		if (sscanf(line, " %15[a-z0-9]:%u %159s", r.bank, &r.index, hex) == 3 ||
		    sscanf(line, "%15[a-z0-9] %u %159s", r.bank, &r.index, hex) == 3) {
			/* bank:index hex, or bank index hex */
		} else if (sscanf(line, " %u : 0x%159s", &r.index, hex) == 2 && bank[0]) {
			strcpy(r.bank, bank);
		} else if (sscanf(line, "  %15[a-z0-9]:", bank) == 1) {
			continue;
		} else {
			continue;
		}
		ck_assert_uint_lt(n, max);
		ck_assert_uint_lt(strlen(hex), sizeof(r.hex));
		for (char *p = hex; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		strcpy(r.hex, hex);
		refs[n++] = r;
	}
	free(text);
	return n;
}

/* ---- the corpus: every log against every reference file ---- */

struct corpus_log {
	const char *log;
	const char *refs[3];
};

#define MASTER(name) name ".tpm2-tools-master.pcrs.yaml"
#define PUBLISHED(name) name ".expected-pcrs.txt"

static const struct corpus_log corpus[] = {
	{ "evepcr-14.5_stable.bin", { PUBLISHED("evepcr-14.5_stable.bin"), MASTER("evepcr-14.5_stable.bin") } },
	{ "fwupd-binary_bios_measurements-v1.bin",
	  { PUBLISHED("fwupd-binary_bios_measurements-v1.bin"), MASTER("fwupd-binary_bios_measurements-v1.bin") } },
	{ "goattest-coreos_36_shielded_vm_no_secure_boot_eventlog.bin",
	  { MASTER("goattest-coreos_36_shielded_vm_no_secure_boot_eventlog.bin") } },
	{ "goattest-crypto_agile_eventlog.bin", { MASTER("goattest-crypto_agile_eventlog.bin") } },
	{ "goattest-linux_tpm12-eventlog.bin",
	  { PUBLISHED("goattest-linux_tpm12-eventlog.bin"), MASTER("goattest-linux_tpm12-eventlog.bin") } },
	{ "goattest-sb_cert_eventlog.bin", { MASTER("goattest-sb_cert_eventlog.bin") } },
	{ "goattest-ubuntu_2104_shielded_vm_no_secure_boot_eventlog.bin",
	  { PUBLISHED("goattest-ubuntu_2104_shielded_vm_no_secure_boot_eventlog.bin"),
	    MASTER("goattest-ubuntu_2104_shielded_vm_no_secure_boot_eventlog.bin") } },
	{ "goattest-windows_gcp_shielded_vm-eventlog.bin",
	  { PUBLISHED("goattest-windows_gcp_shielded_vm-eventlog.bin"),
	    MASTER("goattest-windows_gcp_shielded_vm-eventlog.bin") } },
	{ "gotpmtools-confidential-gke-debug-251000_eventlog.bin",
	  { PUBLISHED("gotpmtools-confidential-gke-debug-251000_eventlog.bin"),
	    MASTER("gotpmtools-confidential-gke-debug-251000_eventlog.bin") } },
	{ "gotpmtools-cos-101-amd-sev.bin",
	  { PUBLISHED("gotpmtools-cos-101-amd-sev.bin"), MASTER("gotpmtools-cos-101-amd-sev.bin") } },
	{ "gotpmtools-debian-10.bin", { PUBLISHED("gotpmtools-debian-10.bin"), MASTER("gotpmtools-debian-10.bin") } },
	{ "gotpmtools-glinux-alex.bin", { PUBLISHED("gotpmtools-glinux-alex.bin"), MASTER("gotpmtools-glinux-alex.bin") } },
	{ "gotpmtools-rhel8-uefi.bin", { PUBLISHED("gotpmtools-rhel8-uefi.bin"), MASTER("gotpmtools-rhel8-uefi.bin") } },
	{ "gotpmtools-ubuntu-2404-amd-sevsnp.bin",
	  { PUBLISHED("gotpmtools-ubuntu-2404-amd-sevsnp.bin"), MASTER("gotpmtools-ubuntu-2404-amd-sevsnp.bin") } },
	{ "hirs-TpmLogSHA1.bin", { PUBLISHED("hirs-TpmLogSHA1.bin"), MASTER("hirs-TpmLogSHA1.bin") } },
	{ "hirs-laptop_default_binary_bios_measurements.bin",
	  { MASTER("hirs-laptop_default_binary_bios_measurements.bin") } },
	{ "keylime-binary_bios_measurements-secureboot.bin",
	  { MASTER("keylime-binary_bios_measurements-secureboot.bin") } },
	{ "tcglogparser-binary_bios_measurements.bin", { MASTER("tcglogparser-binary_bios_measurements.bin") } },
	{ "tpm2tools-event-bootorder.bin", { MASTER("tpm2tools-event-bootorder.bin") } },
	{ "tpm2tools-event-gce-ubuntu-2104-log.bin",
	  { PUBLISHED("tpm2tools-event-gce-ubuntu-2104-log.bin"), MASTER("tpm2tools-event-gce-ubuntu-2104-log.bin") } },
	{ "tpm2tools-event-moklisttrusted.bin", { MASTER("tpm2tools-event-moklisttrusted.bin") } },
	{ "tpm2tools-event-postcode.bin", { MASTER("tpm2tools-event-postcode.bin") } },
	{ "tpm2tools-event-sd-boot-fedora37.bin", { MASTER("tpm2tools-event-sd-boot-fedora37.bin") } },
	{ "tpm2tools-event-uefi-sha1-log.bin", { MASTER("tpm2tools-event-uefi-sha1-log.bin") } },
	{ "tpm2tools-specid-vendordata.bin", { MASTER("tpm2tools-specid-vendordata.bin") } },
	{ "tss-binary_measurements_pc_client.bin", { MASTER("tss-binary_measurements_pc_client.bin") } },
	{ "tss-specid-vendordata.bin", { MASTER("tss-specid-vendordata.bin") } },
	{ "ovmf/ovmf-direct-boot-1.bin", { "ovmf/ovmf-direct-boot-1.pcrs.txt", "ovmf/ovmf-direct-boot-1.pcrs.yaml" } },
	{ "ovmf/ovmf-direct-boot-2-cmdline-changed.bin",
	  { "ovmf/ovmf-direct-boot-2-cmdline-changed.pcrs.txt", "ovmf/ovmf-direct-boot-2-cmdline-changed.pcrs.yaml" } },
	{ "ovmf/ovmf-grub-linuxefi-1.bin", { "ovmf/ovmf-grub-linuxefi-1.pcrs.txt", "ovmf/ovmf-grub-linuxefi-1.pcrs.yaml" } },
	{ "ovmf/ovmf-direct-boot-sha256-quote.bin",
	  { "ovmf/ovmf-direct-boot-sha256-quote.pcrs.txt", "ovmf/ovmf-direct-boot-sha256-quote.pcrs.yaml" } },
};

/*
 * PCRs the platform extended after the firmware log ended, so no replay of
 * the log can reach the published value (see tests/data/eventlog/SOURCES.md).
 */
static bool not_replayable(const char *log, const struct ref_pcr *r)
{
	if (r->index == 10 && (strncmp(log, "ovmf/", 5) == 0 || strcmp(log, "goattest-linux_tpm12-eventlog.bin") == 0))
		return true;  /* IMA */
	return r->index == 14 && strcmp(log, "evepcr-14.5_stable.bin") == 0;
}

START_TEST(eventlog_corpus_replay)
{
	const struct corpus_log *c = &corpus[_i];
	struct ref_pcr *refs = calloc(512, sizeof(*refs));
	unsigned char *data;
	size_t len, compared = 0;
	eventlog_t *log = NULL;
	eventlog_error_t err;
	pcr_set_t *set = NULL;
	int rc;

	ck_assert_ptr_nonnull(refs);
	data = load_log(c->log, &len);
	rc = eventlog_parse(data, len, NULL, &log, &err);
	ck_assert_msg(rc == TS_OK, "%s: event %zu at offset %zu: %s", c->log, err.index, err.offset, err.message);
	ck_assert_int_eq(pcr_set_create(&set), TS_OK);
	ck_assert_int_eq(eventlog_replay(log, set, &err), TS_OK);

	for (size_t f = 0; f < 3 && c->refs[f]; f++) {
		size_t n = load_refs(c->refs[f], refs, 512);
		uint32_t listed[PCR_SET_NUM_BANKS] = { 0 };
		bool is_yaml = strstr(c->refs[f], ".yaml") != NULL;

		for (size_t k = 0; k < n; k++) {
			pcr_bank_t *bank = pcr_set_get_bank(set, alg_from_name(refs[k].bank));
			const uint8_t *value;
			size_t vlen;
			char hex[2 * PCR_BANK_MAX_DIGEST_SIZE + 1];

			ck_assert_ptr_nonnull(bank);
			if (not_replayable(c->log, &refs[k]))
				continue;
			ck_assert_int_eq(pcr_bank_read(bank, refs[k].index, &value, &vlen), TS_OK);
			to_hex(value, vlen, hex);
			ck_assert_msg(strcmp(hex, refs[k].hex) == 0, "%s: %s PCR %u is %s, %s says %s",
				      c->log, refs[k].bank, refs[k].index, hex, c->refs[f], refs[k].hex);
			for (size_t b = 0; b < PCR_SET_NUM_BANKS; b++)
				if (pcr_set_get_bank_at(set, b) == bank)
					listed[b] |= UINT32_C(1) << refs[k].index;
			compared++;
		}
		/* tpm2-tools lists exactly the PCRs the log extends. */
		for (size_t b = 0; is_yaml && b < PCR_SET_NUM_BANKS; b++)
			ck_assert_uint_eq(pcr_bank_get_extended(pcr_set_get_bank_at(set, b)), listed[b]);
	}
	/* The two synthetic Spec ID samples extend nothing. */
	if (strstr(c->log, "specid-vendordata") == NULL)
		ck_assert_uint_gt(compared, 0);

	pcr_set_destroy(set);
	eventlog_destroy(log);
	free(data);
	free(refs);
}
END_TEST

START_TEST(eventlog_formats_and_counts)
{
	/* Formats, event counts and banks as tests/data/eventlog/INDEX.tsv lists them. */
	static const struct { const char *log; eventlog_format format; size_t events; size_t banks; } cases[] = {
		{ "fwupd-binary_bios_measurements-v1.bin", EVENTLOG_FORMAT_SHA1, 108, 1 },
		{ "goattest-crypto_agile_eventlog.bin", EVENTLOG_FORMAT_CRYPTO_AGILE, 27, 1 },
		{ "gotpmtools-glinux-alex.bin", EVENTLOG_FORMAT_CRYPTO_AGILE, 29, 2 },
		{ "gotpmtools-rhel8-uefi.bin", EVENTLOG_FORMAT_CRYPTO_AGILE, 83, 3 },
		{ "evepcr-14.5_stable.bin", EVENTLOG_FORMAT_CRYPTO_AGILE, 193, 4 },
		{ "tpm2tools-event-uefi-sha1-log.bin", EVENTLOG_FORMAT_SHA1, 17, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		unsigned char *data = load_log(cases[i].log, &len);
		eventlog_t *log = NULL;
		const eventlog_algorithm_t *algs;

		ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, NULL), TS_OK);
		ck_assert_int_eq(eventlog_get_format(log), cases[i].format);
		ck_assert_uint_eq(eventlog_get_count(log), cases[i].events);
		ck_assert_uint_eq(eventlog_get_algorithms(log, &algs), cases[i].banks);
		eventlog_destroy(log);
		free(data);
	}
}
END_TEST

START_TEST(eventlog_startup_locality)
{
	size_t len;
	unsigned char *data = load_log("gotpmtools-glinux-alex.bin", &len);
	eventlog_t *log = NULL;

	/* The log carries a StartupLocality event of 3, and its published PCR 0 needs it. */
	ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, NULL), TS_OK);
	ck_assert_uint_eq(eventlog_get_startup_locality(log), 3);
	eventlog_destroy(log);
	free(data);

	data = load_log("gotpmtools-rhel8-uefi.bin", &len);
	ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, NULL), TS_OK);
	ck_assert_uint_eq(eventlog_get_startup_locality(log), 0);
	eventlog_destroy(log);
	free(data);
}
END_TEST

START_TEST(eventlog_replay_locality3)
{
	/* PCRs read from swtpm started at locality 3, extended event by event with this log. */
	static const char log_name[] = "goattest-ubuntu_2104_shielded_vm_no_secure_boot_eventlog.bin";
	struct ref_pcr refs[64];
	size_t len, n;
	unsigned char *data = load_log(log_name, &len);
	eventlog_t *log = NULL;
	pcr_set_t *set = NULL;
	char hex[2 * PCR_BANK_MAX_DIGEST_SIZE + 1];

	ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, NULL), TS_OK);
	ck_assert_uint_eq(eventlog_get_startup_locality(log), 0);
	ck_assert_int_eq(pcr_set_create(&set), TS_OK);
	ck_assert_int_eq(eventlog_replay_locality(log, set, 3, NULL), TS_OK);
	n = load_refs("goattest-ubuntu_2104_shielded_vm_no_secure_boot_eventlog.bin.swtpm-locality3-pcrs.txt", refs, 64);
	ck_assert_uint_eq(n, 33);
	for (size_t k = 0; k < n; k++) {
		const uint8_t *value;
		size_t vlen;

		ck_assert_int_eq(pcr_bank_read(pcr_set_get_bank(set, alg_from_name(refs[k].bank)), refs[k].index,
					       &value, &vlen), TS_OK);
		to_hex(value, vlen, hex);
		ck_assert_str_eq(hex, refs[k].hex);
	}
	ck_assert_int_eq(eventlog_replay_locality(log, set, 5, NULL), TS_E_INVALID);
	pcr_set_destroy(set);
	eventlog_destroy(log);
	free(data);
}
END_TEST

START_TEST(eventlog_empty_log)
{
	size_t len;
	unsigned char *data = load_log("keylime-binary_bios_measurements-empty.bin", &len);
	eventlog_t *log = NULL;
	eventlog_error_t err;

	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, &err), TS_E_TRUNCATED);
	ck_assert_ptr_null(log);
	ck_assert_uint_eq(err.index, 0);
	ck_assert_uint_eq(err.offset, 0);
	ck_assert_str_eq(err.message, "the log is empty");
	free(data);
}
END_TEST

START_TEST(eventlog_specid_vendor_info)
{
	size_t len;
	unsigned char *data;
	eventlog_t *log = NULL;
	const eventlog_specid_t *specid;
	static const uint8_t deadbeef[4] = { 0xde, 0xad, 0xbe, 0xef };

	/* tpm2-tss sample: EventSize 41 covers the 4 vendorInfo bytes. */
	data = load_log("tss-specid-vendordata.bin", &len);
	ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, NULL), TS_OK);
	specid = eventlog_get_specid(log);
	ck_assert_ptr_nonnull(specid);
	ck_assert_uint_eq(specid->vendor_info_size, 4);
	ck_assert_mem_eq(specid->vendor_info, deadbeef, 4);
	ck_assert(!specid->vendor_info_outside_event);
	ck_assert_uint_eq(specid->num_algorithms, 2);
	ck_assert_uint_eq(eventlog_get_count(log), 1);
	eventlog_destroy(log);
	free(data);

	/* tpm2-tools sample: EventSize 37 stops before vendorInfo. The parser accepts and flags it. */
	data = load_log("tpm2tools-specid-vendordata.bin", &len);
	ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, NULL), TS_OK);
	specid = eventlog_get_specid(log);
	ck_assert(specid->vendor_info_outside_event);
	ck_assert_mem_eq(specid->vendor_info, deadbeef, 4);
	ck_assert_uint_eq(eventlog_get_count(log), 1);
	eventlog_destroy(log);
	free(data);
}
END_TEST

/* ---- truncation at every cut point, on exact-size copies so ASan reports reads past the end ---- */

static void check_every_cut(const char *name)
{
	size_t len;
	unsigned char *data = load_log(name, &len);
	eventlog_t *full = NULL;
	size_t count;

	ck_assert_int_eq(eventlog_parse(data, len, NULL, &full, NULL), TS_OK);
	count = eventlog_get_count(full);

	for (size_t cut = 0; cut < len; cut++) {
		unsigned char *copy = malloc(cut ? cut : 1);
		eventlog_t *log = NULL;
		eventlog_error_t err;
		size_t k = 0;
		int rc;

		memcpy(copy, data, cut);
		/* The event that contains byte `cut`. */
		while (k + 1 < count && eventlog_get_event(full, k + 1)->offset <= cut)
			k++;
		rc = eventlog_parse(copy, cut, NULL, &log, &err);
		if (cut > 0 && k > 0 && eventlog_get_event(full, k)->offset == cut) {
			/* A log cut between two events is a shorter valid log. */
			ck_assert_msg(rc == TS_OK, "%s cut at %zu: %s", name, cut, err.message);
			ck_assert_uint_eq(eventlog_get_count(log), k);
			eventlog_destroy(log);
		} else {
			ck_assert_msg(rc == TS_E_TRUNCATED, "%s cut at %zu: rc %d", name, cut, rc);
			ck_assert_ptr_null(log);
			ck_assert_uint_eq(err.index, k);
			ck_assert_uint_ge(err.offset, eventlog_get_event(full, k)->offset);
			ck_assert_uint_le(err.offset, cut);
		}
		free(copy);
	}
	eventlog_destroy(full);
	free(data);
}

START_TEST(eventlog_truncated_agile)
{
	check_every_cut("tpm2tools-event-sd-boot-fedora37.bin");
}
END_TEST

START_TEST(eventlog_truncated_sha1)
{
	check_every_cut("tpm2tools-event-uefi-sha1-log.bin");
}
END_TEST

/* ---- hand-built logs for single-field faults ---- */

struct build {
	uint8_t buf[4096];
	size_t len;
};

static void put_u8(struct build *b, uint8_t v)
{
	ck_assert_uint_lt(b->len, sizeof(b->buf));
	b->buf[b->len++] = v;
}

static void put_u16(struct build *b, uint16_t v)
{
	put_u8(b, (uint8_t)v);
	put_u8(b, (uint8_t)(v >> 8));
}

static void put_u32(struct build *b, uint32_t v)
{
	put_u16(b, (uint16_t)v);
	put_u16(b, (uint16_t)(v >> 16));
}

static void put_fill(struct build *b, uint8_t v, size_t n)
{
	while (n--)
		put_u8(b, v);
}

/* Spec ID event for `n` algorithms (TCG PC Client PFP layout, little-endian). */
static void put_specid(struct build *b, const uint16_t *algs, const uint16_t *sizes, uint32_t n)
{
	put_u32(b, 0);               /* PCRIndex */
	put_u32(b, EV_NO_ACTION);
	put_fill(b, 0, 20);          /* digest */
	put_u32(b, 29 + 4 * n);      /* EventSize */
	for (const char *s = "Spec ID Event03"; *s; s++)
		put_u8(b, (uint8_t)*s);
	put_u8(b, 0);
	put_u32(b, 0);               /* platformClass */
	put_u8(b, 0);
	put_u8(b, 2);
	put_u8(b, 0);
	put_u8(b, 2);                /* uintnSize */
	put_u32(b, n);
	for (uint32_t i = 0; i < n; i++) {
		put_u16(b, algs[i]);
		put_u16(b, sizes[i]);
	}
	put_u8(b, 0);                /* vendorInfoSize */
}

/* TCG_PCR_EVENT2 with every digest filled with `fill`. */
static size_t put_event2(struct build *b, uint32_t pcr, uint32_t type, const uint16_t *algs,
			 const uint16_t *sizes, uint32_t n, uint8_t fill, const void *data, uint32_t len)
{
	size_t offset = b->len;

	put_u32(b, pcr);
	put_u32(b, type);
	put_u32(b, n);
	for (uint32_t i = 0; i < n; i++) {
		put_u16(b, algs[i]);
		put_fill(b, fill, sizes[i]);
	}
	put_u32(b, len);
	for (uint32_t i = 0; i < len; i++)
		put_u8(b, ((const uint8_t *)data)[i]);
	return offset;
}

static const uint16_t sha256_only[1] = { PCR_BANK_ALG_SHA256 };
static const uint16_t size_32[1] = { 32 };
static const uint8_t separator_data[4] = { 0, 0, 0, 0 };

static int parse_build(const struct build *b, eventlog_error_t *err)
{
	unsigned char *copy = malloc(b->len);
	eventlog_t *log = NULL;
	int rc;

	memcpy(copy, b->buf, b->len);
	rc = eventlog_parse(copy, b->len, NULL, &log, err);
	eventlog_destroy(log);
	free(copy);
	return rc;
}

START_TEST(eventlog_digest_count_too_high)
{
	struct build b = { .len = 0 };
	eventlog_error_t err;
	size_t ev;

	put_specid(&b, sha256_only, size_32, 1);
	ev = put_event2(&b, 7, EV_SEPARATOR, sha256_only, size_32, 1, 0xaa, separator_data, 4);
	b.buf[ev + 8] = 5;  /* digests.count */
	ck_assert_int_eq(parse_build(&b, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.index, 1);
	ck_assert_uint_eq(err.offset, ev + 8);
	ck_assert_str_eq(err.message, "digest count 5 differs from the 1 algorithms of the Spec ID event");
}
END_TEST

START_TEST(eventlog_unknown_digest_alg)
{
	struct build b = { .len = 0 };
	eventlog_error_t err;
	size_t ev;

	put_specid(&b, sha256_only, size_32, 1);
	put_event2(&b, 7, EV_SEPARATOR, sha256_only, size_32, 1, 0xaa, separator_data, 4);
	ev = put_event2(&b, 7, EV_SEPARATOR, sha256_only, size_32, 1, 0xaa, separator_data, 4);
	b.buf[ev + 12] = 0x99;  /* hashAlg of the first digest */
	ck_assert_int_eq(parse_build(&b, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.index, 2);
	ck_assert_uint_eq(err.offset, ev + 12);
}
END_TEST

START_TEST(eventlog_specid_too_many_algs)
{
	static const uint16_t algs[9] = { 4, 0xb, 0xc, 0xd, 0x12, 0x27, 0x28, 0x29, 0x50 };
	static const uint16_t sizes[9] = { 20, 32, 48, 64, 32, 32, 48, 64, 16 };
	struct build b = { .len = 0 };
	eventlog_error_t err;

	put_specid(&b, algs, sizes, 9);
	ck_assert_int_eq(parse_build(&b, &err), TS_E_TOO_LARGE);
	ck_assert_uint_eq(err.index, 0);
	ck_assert_uint_eq(err.offset, 32 + 24);  /* numberOfAlgorithms */

	b.len = 0;
	put_specid(&b, algs, sizes, 0);
	ck_assert_int_eq(parse_build(&b, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.offset, 32 + 24);
}
END_TEST

START_TEST(eventlog_specid_bad_digest_size)
{
	static const uint16_t algs[2] = { PCR_BANK_ALG_SHA1, PCR_BANK_ALG_SHA256 };
	static const uint16_t sizes[2] = { 20, 20 };
	struct build b = { .len = 0 };
	eventlog_error_t err;

	put_specid(&b, algs, sizes, 2);
	ck_assert_int_eq(parse_build(&b, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.index, 0);
	ck_assert_uint_eq(err.offset, 32 + 28 + 4);  /* the second algorithm entry */
}
END_TEST

START_TEST(eventlog_unknown_bank_from_header)
{
	/* An algorithm this code cannot hash: its digest size comes from the Spec ID event. */
	static const uint16_t algs[2] = { 0x0099, PCR_BANK_ALG_SHA256 };
	static const uint16_t sizes[2] = { 40, 32 };
	struct build b = { .len = 0 };
	unsigned char *copy;
	eventlog_t *log = NULL;
	pcr_set_t *set = NULL;
	const eventlog_event_t *ev;
	uint8_t expected[32], start[64] = { 0 };
	const uint8_t *value;
	size_t len;
	unsigned int md_len = 0;

	put_specid(&b, algs, sizes, 2);
	put_event2(&b, 4, EV_SEPARATOR, algs, sizes, 2, 0x5a, separator_data, 4);
	copy = malloc(b.len);
	memcpy(copy, b.buf, b.len);
	ck_assert_int_eq(eventlog_parse(copy, b.len, NULL, &log, NULL), TS_OK);
	ev = eventlog_get_event(log, 1);
	ck_assert_uint_eq(ev->digest_count, 2);
	ck_assert_uint_eq(ev->digests[0].size, 40);
	ck_assert_uint_eq(ev->digests[1].size, 32);

	/* SHA-256 PCR 4 = SHA-256(32 zero bytes || 32 bytes of 0x5a), computed here with OpenSSL. */
	memset(start + 32, 0x5a, 32);
	ck_assert_int_eq(EVP_Digest(start, 64, expected, &md_len, EVP_sha256(), NULL), 1);
	ck_assert_int_eq(pcr_set_create(&set), TS_OK);
	ck_assert_int_eq(eventlog_replay(log, set, NULL), TS_OK);
	ck_assert_int_eq(pcr_bank_read(pcr_set_get_bank(set, PCR_BANK_ALG_SHA256), 4, &value, &len), TS_OK);
	ck_assert_mem_eq(value, expected, 32);
	pcr_set_destroy(set);
	eventlog_destroy(log);
	free(copy);
}
END_TEST

START_TEST(eventlog_hcrtm_locality)
{
	struct build b = { .len = 0 };
	unsigned char *copy;
	eventlog_t *log = NULL;
	pcr_set_t *set = NULL;
	uint8_t start[64] = { 0 }, expected[32];
	const uint8_t *value;
	size_t len;
	unsigned int md_len = 0;
	static const char locality3[17] = "StartupLocality\0\3";

	put_specid(&b, sha256_only, size_32, 1);
	put_event2(&b, 0, EV_NO_ACTION, sha256_only, size_32, 1, 0, locality3, 17);
	put_event2(&b, 0, EV_EFI_HCRTM_EVENT, sha256_only, size_32, 1, 0x11, "HCRTM", 5);
	copy = malloc(b.len);
	memcpy(copy, b.buf, b.len);
	ck_assert_int_eq(eventlog_parse(copy, b.len, NULL, &log, NULL), TS_OK);
	/* H-CRTM starts PCR 0 at ...04 and overrides StartupLocality. */
	ck_assert_uint_eq(eventlog_get_startup_locality(log), 4);

	start[31] = 4;
	memset(start + 32, 0x11, 32);
	ck_assert_int_eq(EVP_Digest(start, 64, expected, &md_len, EVP_sha256(), NULL), 1);
	ck_assert_int_eq(pcr_set_create(&set), TS_OK);
	ck_assert_int_eq(eventlog_replay(log, set, NULL), TS_OK);
	ck_assert_int_eq(pcr_bank_read(pcr_set_get_bank(set, PCR_BANK_ALG_SHA256), 0, &value, &len), TS_OK);
	ck_assert_mem_eq(value, expected, 32);
	pcr_set_destroy(set);
	eventlog_destroy(log);
	free(copy);
}
END_TEST

START_TEST(eventlog_no_action_not_extended)
{
	struct build b = { .len = 0 };
	unsigned char *copy;
	eventlog_t *log = NULL;
	pcr_set_t *set = NULL;

	put_specid(&b, sha256_only, size_32, 1);
	/* A non-zero digest on EV_NO_ACTION must still not be extended. */
	put_event2(&b, 5, EV_NO_ACTION, sha256_only, size_32, 1, 0x77, "SP800-155 Event3", 16);
	copy = malloc(b.len);
	memcpy(copy, b.buf, b.len);
	ck_assert_int_eq(eventlog_parse(copy, b.len, NULL, &log, NULL), TS_OK);
	ck_assert_int_eq(pcr_set_create(&set), TS_OK);
	ck_assert_int_eq(eventlog_replay(log, set, NULL), TS_OK);
	ck_assert_uint_eq(pcr_bank_get_extended(pcr_set_get_bank(set, PCR_BANK_ALG_SHA256)), 0);
	pcr_set_destroy(set);
	eventlog_destroy(log);
	free(copy);
}
END_TEST

START_TEST(eventlog_bad_fields)
{
	struct build b = { .len = 0 };
	eventlog_error_t err;
	size_t ev;
	static const char bad_locality[17] = "StartupLocality\0\7";

	/* PCRIndex out of range. */
	put_specid(&b, sha256_only, size_32, 1);
	ev = put_event2(&b, 24, EV_SEPARATOR, sha256_only, size_32, 1, 0, separator_data, 4);
	ck_assert_int_eq(parse_build(&b, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.index, 1);
	ck_assert_uint_eq(err.offset, ev);

	/* A repeated digest algorithm. */
	b.len = 0;
	{
		static const uint16_t algs[2] = { PCR_BANK_ALG_SHA256, PCR_BANK_ALG_SHA1 };
		static const uint16_t sizes[2] = { 32, 20 };
		static const uint16_t twice[2] = { PCR_BANK_ALG_SHA256, PCR_BANK_ALG_SHA256 };
		static const uint16_t twice_sizes[2] = { 32, 32 };

		put_specid(&b, algs, sizes, 2);
		ev = put_event2(&b, 1, EV_SEPARATOR, twice, twice_sizes, 2, 0, separator_data, 4);
		ck_assert_int_eq(parse_build(&b, &err), TS_E_INVALID);
		ck_assert_uint_eq(err.offset, ev + 12 + 2 + 32);
	}

	/* StartupLocality outside 0..4. */
	b.len = 0;
	put_specid(&b, sha256_only, size_32, 1);
	ev = put_event2(&b, 0, EV_NO_ACTION, sha256_only, size_32, 1, 0, bad_locality, 17);
	ck_assert_int_eq(parse_build(&b, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.index, 1);
	ck_assert_uint_eq(err.offset, ev + 50 + 16);  /* header 50 bytes, then "StartupLocality\0" */

	/* Spec ID event with a non-zero digest. */
	b.len = 0;
	put_specid(&b, sha256_only, size_32, 1);
	b.buf[10] = 1;
	ck_assert_int_eq(parse_build(&b, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.offset, 8);
}
END_TEST

START_TEST(eventlog_off_by_one_sizes)
{
	struct build b = { .len = 0 };
	eventlog_error_t err;
	size_t ev1, ev2;

	put_specid(&b, sha256_only, size_32, 1);
	ev1 = put_event2(&b, 7, EV_SEPARATOR, sha256_only, size_32, 1, 0, separator_data, 4);
	ev2 = put_event2(&b, 7, EV_SEPARATOR, sha256_only, size_32, 1, 0, separator_data, 4);
	ck_assert_int_eq(parse_build(&b, &err), TS_OK);

	/* EventSize of the last event one too large: its data runs past the end. */
	b.buf[ev2 + 46] = 5;
	ck_assert_int_eq(parse_build(&b, &err), TS_E_TRUNCATED);
	ck_assert_uint_eq(err.index, 2);
	ck_assert_uint_eq(err.offset, ev2 + 50);
	b.buf[ev2 + 46] = 4;

	/* EventSize of the first event one too small: the next header is misread. */
	b.buf[ev1 + 46] = 3;
	ck_assert_int_lt(parse_build(&b, &err), 0);
	ck_assert_uint_eq(err.index, 2);
	b.buf[ev1 + 46] = 4;

	/* Spec ID EventSize one too large: a byte trails vendorInfo. */
	b.buf[28] = 34;
	ck_assert_int_eq(parse_build(&b, &err), TS_E_TRAILING);
	ck_assert_uint_eq(err.index, 0);
	/* One too small: vendorInfoSize is cut off. */
	b.buf[28] = 32;
	ck_assert_int_eq(parse_build(&b, &err), TS_E_TRUNCATED);
	ck_assert_uint_eq(err.index, 0);
	ck_assert_uint_eq(err.offset, 32 + 32);
	/* Two bytes short of the first algorithm entry. */
	b.buf[28] = 30;
	ck_assert_int_eq(parse_build(&b, &err), TS_E_TRUNCATED);
	ck_assert_uint_eq(err.offset, 32 + 28);
	ck_assert_str_eq(err.message, "Spec ID algorithm 0 truncated: 2 of 4 bytes left");
}
END_TEST

START_TEST(eventlog_limits_enforced)
{
	size_t len;
	unsigned char *data = load_log("gotpmtools-rhel8-uefi.bin", &len);
	eventlog_limits_t limits;
	eventlog_t *log = NULL;
	eventlog_error_t err;

	eventlog_limits_default(&limits);
	limits.max_events = 5;
	ck_assert_int_eq(eventlog_parse(data, len, &limits, &log, &err), TS_E_TOO_LARGE);
	ck_assert_uint_eq(err.index, 5);

	eventlog_limits_default(&limits);
	limits.max_event_size = 64;
	ck_assert_int_eq(eventlog_parse(data, len, &limits, &log, &err), TS_E_TOO_LARGE);
	ck_assert_uint_gt(err.index, 0);

	eventlog_limits_default(&limits);
	limits.max_log_size = len - 1;
	ck_assert_int_eq(eventlog_parse(data, len, &limits, &log, &err), TS_E_TOO_LARGE);
	ck_assert_uint_eq(err.offset, 0);
	ck_assert_ptr_null(log);
	free(data);
}
END_TEST

static int count_cb(const eventlog_event_t *ev, const eventlog_specid_t *specid, void *ctx)
{
	size_t *seen = ctx;

	ck_assert_uint_eq(ev->index, *seen);
	ck_assert_ptr_nonnull(specid);
	(*seen)++;
	return TS_OK;
}

START_TEST(eventlog_walk_callback)
{
	size_t len, seen = 0;
	unsigned char *data = load_log("tpm2tools-event-sd-boot-fedora37.bin", &len);

	ck_assert_int_eq(eventlog_walk(data, len, NULL, count_cb, &seen, NULL), TS_OK);
	ck_assert_uint_eq(seen, 28);  /* tests/data/eventlog/INDEX.tsv */
	free(data);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("eventlog");
	TCase *corpus_tc = tcase_create("corpus");
	TCase *faults = tcase_create("faults");

	tcase_add_loop_test(corpus_tc, eventlog_corpus_replay, 0, sizeof(corpus) / sizeof(corpus[0]));
	tcase_add_test(corpus_tc, eventlog_formats_and_counts);
	tcase_add_test(corpus_tc, eventlog_startup_locality);
	tcase_add_test(corpus_tc, eventlog_replay_locality3);
	tcase_add_test(corpus_tc, eventlog_empty_log);
	tcase_add_test(corpus_tc, eventlog_specid_vendor_info);
	tcase_add_test(corpus_tc, eventlog_walk_callback);
	suite_add_tcase(s, corpus_tc);

	tcase_add_test(faults, eventlog_truncated_agile);
	tcase_add_test(faults, eventlog_truncated_sha1);
	tcase_add_test(faults, eventlog_digest_count_too_high);
	tcase_add_test(faults, eventlog_unknown_digest_alg);
	tcase_add_test(faults, eventlog_specid_too_many_algs);
	tcase_add_test(faults, eventlog_specid_bad_digest_size);
	tcase_add_test(faults, eventlog_unknown_bank_from_header);
	tcase_add_test(faults, eventlog_hcrtm_locality);
	tcase_add_test(faults, eventlog_no_action_not_extended);
	tcase_add_test(faults, eventlog_bad_fields);
	tcase_add_test(faults, eventlog_off_by_one_sizes);
	tcase_add_test(faults, eventlog_limits_enforced);
	suite_add_tcase(s, faults);

	return s;
}

TEST_MAIN()
