/*
 * Server work per full attestation, in memory. A TNCC session of the real
 * tnccs code runs imc-os and bench-imc-attest (imc-attestation with a
 * software TPM). A TNCS session runs imv-os and imv-attestation. The two
 * hand their PB-TNC batches to each other without sockets or TLS, and only
 * the CPU time of the server-side calls counts (bench_session.h).
 *
 * Two phases are measured apart:
 *   first contact  the boot measurements of the device are deleted from
 *                  config.db before each session (outside the timed
 *                  calls), so imv-attestation registers all of them;
 *   steady state   every session compares all boot measurements with the
 *                  registered ones.
 * Every session verifies the quote. Every session must end allowed, and every
 * session must have stored an allowing TPMRA result that states all
 * measurements were registered (first contact) or equal the registered ones
 * (steady state) and that the quote verified, or the program exits with
 * status 1.
 *
 * Usage:
 *   bench_server_attest --client-tnc FILE --server-tnc FILE --db CONFIG_DB
 *                       [-n STEADY] [--first FIRST] [--no-baseline]
 *   bench_server_attest --write-eventlog FILE [--events N]
 *
 * The second form writes the synthetic firmware event log the benchmark
 * uses: a TCG crypto-agile log (PC Client Platform Firmware Profile,
 * TCG_PCR_EVENT2 entries after a Spec ID event) with SHA-256 digests only
 * and N (default 136) measured events spread over PCRs 0-9 and 14 like a
 * UEFI boot with GRUB. Each digest is the SHA-256 of its event data (for
 * a GRUB command, of the command without prefix and NUL), as
 * tpm2_eventlog checks.
 * tests/bench/attest-setup prepares everything else; the modules read
 * $TNCSUITE_CONF.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "bench_server_util.h"
#include "bench_session.h"
#include "host.h"
#include "log.h"
#include "writer.h"

#define DEFAULT_EVENTS 136
#define MAX_EVENTS 100000
#define EVENTLOG_MAX_SIZE (64u * 1024 * 1024)

/* TCG PC Client event types (PC Client Platform Firmware Profile, 10.4.1). */
enum {
	EV_S_CRTM_VERSION = 0x00000008,
	EV_SEPARATOR = 0x00000004,
	EV_NO_ACTION = 0x00000003,
	EV_IPL = 0x0000000D,
	EV_EFI_VARIABLE_DRIVER_CONFIG = 0x80000001,
	EV_EFI_VARIABLE_BOOT = 0x80000002,
	EV_EFI_BOOT_SERVICES_APPLICATION = 0x80000003,
	EV_EFI_BOOT_SERVICES_DRIVER = 0x80000004,
	EV_EFI_ACTION = 0x80000007,
	EV_EFI_PLATFORM_FIRMWARE_BLOB = 0x80000008,
	EV_EFI_HANDOFF_TABLES = 0x80000009,
	EV_EFI_VARIABLE_AUTHORITY = 0x800000E0,
};

#define TPM_ALG_SHA256 0x000B
/* GRUB's prefix of the commands it measures into PCR 8. */
#define GRUB_CMD_PREFIX "grub_cmd: "
#define SHA256_LEN 32

/* One group of events of the synthetic log: count events of one type in one PCR. */
typedef struct event_group {
	unsigned pcr;
	uint32_t type;
	unsigned count;
	size_t data_len;          /* octets of variable data or text; the layout of the type adds more */
} event_group;

/*
 * 136 extends, laid out like a UEFI boot with GRUB: firmware (PCR 0-7),
 * GRUB commands (PCR 8), files GRUB loaded (PCR 9), MOK lists (PCR 14).
 * The last group grows or shrinks to make --events.
 */
static const event_group layout[] = {
	{ 0, EV_S_CRTM_VERSION, 1, 16 },
	{ 0, EV_EFI_PLATFORM_FIRMWARE_BLOB, 3, 16 },
	{ 1, EV_EFI_HANDOFF_TABLES, 2, 24 },
	{ 1, EV_EFI_VARIABLE_BOOT, 12, 120 },
	{ 7, EV_EFI_VARIABLE_DRIVER_CONFIG, 5, 900 },
	{ 0, EV_SEPARATOR, 1, 4 },
	{ 1, EV_SEPARATOR, 1, 4 },
	{ 2, EV_SEPARATOR, 1, 4 },
	{ 3, EV_SEPARATOR, 1, 4 },
	{ 4, EV_SEPARATOR, 1, 4 },
	{ 5, EV_SEPARATOR, 1, 4 },
	{ 6, EV_SEPARATOR, 1, 4 },
	{ 7, EV_SEPARATOR, 1, 4 },
	{ 2, EV_EFI_BOOT_SERVICES_DRIVER, 4, 80 },
	{ 5, EV_EFI_ACTION, 1, 40 },
	{ 4, EV_EFI_ACTION, 1, 40 },
	{ 7, EV_EFI_VARIABLE_AUTHORITY, 3, 800 },
	{ 4, EV_EFI_BOOT_SERVICES_APPLICATION, 3, 200 },
	{ 14, EV_IPL, 3, 60 },
	{ 9, EV_IPL, 30, 60 },
	{ 5, EV_EFI_ACTION, 2, 47 },
	{ 8, EV_IPL, 57, 50 },
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_server_attest: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * Appends one TCG_PCR_EVENT2 (all integers little-endian):
 *   PCRIndex(4) EventType(4) digests.count(4) {hashAlg(2) digest(32)}
 *   EventSize(4) Event(EventSize)
 */
static void write_event2(writer_t *w, unsigned pcr, uint32_t type, const uint8_t *data, size_t len,
			 const uint8_t *hashed, size_t hashed_len)
{
	uint8_t digest[SHA256_LEN];
	unsigned int digest_len = 0;

	if (EVP_Digest(hashed, hashed_len, digest, &digest_len, EVP_sha256(), NULL) != 1 || digest_len != SHA256_LEN)
		die("SHA-256 of event data failed");
	writer_u32_le(w, pcr);
	writer_u32_le(w, type);
	writer_u32_le(w, 1);
	writer_u16_le(w, TPM_ALG_SHA256);
	writer_bytes(w, digest, sizeof(digest));
	writer_u32_le(w, (uint32_t)len);
	writer_bytes(w, data, len);
}

/*
 * Appends the Spec ID event in the SHA-1 TCG_PCClientPCREvent format:
 *   PCRIndex(4)=0 EventType(4)=EV_NO_ACTION Digest(20)=0 EventSize(4)
 *   TCG_EfiSpecIDEvent: Signature "Spec ID Event03\0"(16) platformClass(4)
 *   specVersionMinor(1)=0 specVersionMajor(1)=2 specErrata(1)=2
 *   uintnSize(1)=2 numberOfAlgorithms(4)=1 {algorithmId(2) digestSize(2)}
 *   vendorInfoSize(1)=0
 */
static void write_specid(writer_t *w)
{
	static const char signature[16] = "Spec ID Event03";

	writer_u32_le(w, 0);
	writer_u32_le(w, EV_NO_ACTION);
	writer_zeros(w, 20);
	writer_u32_le(w, 16 + 4 + 4 + 4 + 4 + 1);
	writer_bytes(w, signature, sizeof(signature));
	writer_u32_le(w, 0);
	writer_u8(w, 0);
	writer_u8(w, 2);
	writer_u8(w, 2);
	writer_u8(w, 2);
	writer_u32_le(w, 1);
	writer_u16_le(w, TPM_ALG_SHA256);
	writer_u16_le(w, SHA256_LEN);
	writer_u8(w, 0);
}

static size_t put_u64_le(uint8_t *out, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
	return 8;
}

/* Writes an ASCII name as UCS-2LE without terminator; returns the octets written. */
static size_t put_ucs2(uint8_t *out, const char *name)
{
	size_t n = 0;

	for (; *name; name++) {
		out[n++] = (uint8_t)*name;
		out[n++] = 0;
	}
	return n;
}

/* A pattern of len octets that differs per event. */
static size_t put_filler(uint8_t *out, size_t len, unsigned index)
{
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)('a' + (i + index) % 26);
	return len;
}

/*
 * Writes event data in the layout of its type (PC Client Platform Firmware
 * Profile, 10.4), so tools that decode event data (tpm2_eventlog) accept
 * the log. The layouts: UEFI_VARIABLE_DATA for variables,
 * UEFI_IMAGE_LOAD_EVENT (no device path) for drivers and applications,
 * UEFI_PLATFORM_FIRMWARE_BLOB,
 * UEFI_HANDOFF_TABLE_POINTERS with one table, NUL-terminated text for
 * EV_IPL and EV_EFI_ACTION, UCS-2 text for EV_S_CRTM_VERSION. Variable
 * names avoid those whose data tools decode further (Boot####, PK, db).
 * Returns the length.
 */
static size_t make_data(unsigned index, const event_group *g, uint8_t *out)
{
	static const uint8_t guid[16] = { 0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11,
					  0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c };
	char text[64];
	size_t n = 0;
	int len;

	switch (g->type) {
	case EV_SEPARATOR:
		memset(out, 0, 4);
		return 4;
	case EV_S_CRTM_VERSION:
		n = put_ucs2(out, "bench 1.0");
		out[n++] = 0;
		out[n++] = 0;
		return n;
	case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		n = put_u64_le(out, 0xFF000000u + index * 0x10000u);
		return n + put_u64_le(out + n, 0x10000);
	case EV_EFI_HANDOFF_TABLES:
		n = put_u64_le(out, 1);
		memcpy(out + n, guid, sizeof(guid));
		n += sizeof(guid);
		return n + put_u64_le(out + n, 0x7F000000u + index * 0x1000u);
	case EV_EFI_VARIABLE_BOOT:
	case EV_EFI_VARIABLE_DRIVER_CONFIG:
	case EV_EFI_VARIABLE_AUTHORITY:
		len = snprintf(text, sizeof(text), "BenchVariable%04u", index);
		memcpy(out, guid, sizeof(guid));
		n = sizeof(guid);
		n += put_u64_le(out + n, (uint64_t)len);
		n += put_u64_le(out + n, g->data_len);
		n += put_ucs2(out + n, text);
		return n + put_filler(out + n, g->data_len, index);
	case EV_EFI_BOOT_SERVICES_DRIVER:
	case EV_EFI_BOOT_SERVICES_APPLICATION:
		n = put_u64_le(out, 0x7E000000u + index * 0x100000u);
		n += put_u64_le(out + n, 0x100000);
		n += put_u64_le(out + n, 0);
		return n + put_u64_le(out + n, 0);
	default:
		/* EV_IPL and EV_EFI_ACTION: text, NUL-terminated. */
		len = snprintf(text, sizeof(text), "%sbench event %u pcr %u ",
			       g->pcr == 8 && g->type == EV_IPL ? GRUB_CMD_PREFIX : "", index, g->pcr);
		memcpy(out, text, (size_t)len);
		n = (size_t)len + put_filler(out + len, g->data_len > (size_t)len ? g->data_len - (size_t)len : 0, index);
		out[n++] = 0;
		return n;
	}
}

static void write_eventlog(const char *path, unsigned events)
{
	const size_t groups = sizeof(layout) / sizeof(layout[0]);
	unsigned fixed = 0, written = 0;
	uint8_t data[2048];
	writer_t w;
	FILE *f;

	for (size_t i = 0; i + 1 < groups; i++)
		fixed += layout[i].count;
	if (events <= fixed)
		die("--events must be above %u", fixed);

	writer_init(&w, EVENTLOG_MAX_SIZE);
	write_specid(&w);
	for (size_t i = 0; i < groups; i++) {
		event_group g = layout[i];

		if (i + 1 == groups)
			g.count = events - fixed;
		for (unsigned k = 0; k < g.count; k++) {
			size_t len = make_data(written, &g, data);

			/* GRUB measures a command (EV_IPL in PCR 8) without its prefix and NUL. */
			if (g.pcr == 8 && g.type == EV_IPL)
				write_event2(&w, g.pcr, g.type, data, len, data + strlen(GRUB_CMD_PREFIX),
					     len - strlen(GRUB_CMD_PREFIX) - 1);
			else
				write_event2(&w, g.pcr, g.type, data, len, data, len);
			written++;
		}
	}
	if (writer_status(&w) != TS_OK)
		die("the event log does not fit in %u octets", EVENTLOG_MAX_SIZE);
	f = fopen(path, "wb");
	if (!f || fwrite(writer_data(&w), 1, writer_len(&w), f) != writer_len(&w) || fclose(f) != 0)
		die("cannot write %s", path);
	printf("bench_server_attest: wrote %s: %u measured events, %zu octets, SHA-256 bank\n", path, written,
	       writer_len(&w));
	writer_free(&w);
}

static void db_exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		die("%s: %s", sql, err ? err : sqlite3_errmsg(db));
}

static long db_count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		die("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static long db_max_session(sqlite3 *db)
{
	return db_count(db, "SELECT coalesce(max(id), 0) FROM sessions");
}

/*
 * Checks the stored TPMRA results of the sessions after `after`: each must
 * allow and state that all `events` measurements were registered (first
 * contact) or equal the registered ones, and that the quote verified.
 */
static void check_results(sqlite3 *db, long after, unsigned long sessions, bool first, long events)
{
	char pattern[160], sql[512];
	long good;

	if (first)
		snprintf(pattern, sizeof(pattern), "registered %ld BIOS evidence measurements%%TPM quote verified%%",
			 events);
	else
		snprintf(pattern, sizeof(pattern),
			 "%ld BIOS measurements equal the registered ones%%TPM quote verified%%", events);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM results WHERE session > %ld AND rec = 0 AND result LIKE '%s'", after,
		 pattern);
	good = db_count(db, sql);
	if (good != (long)sessions)
		die("%ld of %lu %s sessions stored a TPMRA result like '%s'; see the results table of config.db",
		    good, sessions, first ? "first-contact" : "steady-state", pattern);
}

/* The number of measurements the IMC will send: the extends of the log the first contact registered. */
static long registered_events(sqlite3 *db)
{
	return db_count(db, "SELECT count(*) FROM component_hashes");
}

static void report_phase(const char *phase, unsigned long n, const bench_run_stats *st, double verify_s,
			 double sha_s, bool baseline)
{
	char name[96];
	double per = st->server_cpu / (double)n;

	printf("%s: %lu attestations, %.1f batches and %zu batch octets each\n", phase, n,
	       (double)st->batches / (double)n, st->server_bytes / n);
	snprintf(name, sizeof(name), "server CPU per attestation (%s)", phase);
	if (baseline) {
		bench_report(name, per, verify_s, sha_s);
		bench_report("  client CPU per attestation", st->client_cpu / (double)n, verify_s, sha_s);
	} else {
		printf("%-40s %10.1f us\n", name, per * 1e6);
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_server_attest --client-tnc FILE --server-tnc FILE --db CONFIG_DB [-n STEADY]\n"
		"                           [--first FIRST] [--no-baseline]\n"
		"       bench_server_attest --write-eventlog FILE [--events N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "client-tnc", required_argument, NULL, 'c' },
		{ "server-tnc", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'd' },
		{ "attestations", required_argument, NULL, 'n' },
		{ "first", required_argument, NULL, 'f' },
		{ "no-baseline", no_argument, NULL, 'B' },
		{ "write-eventlog", required_argument, NULL, 'w' },
		{ "events", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	const char *client_tnc = NULL, *server_tnc = NULL, *db_path = NULL, *eventlog_out = NULL;
	unsigned long n = 1000, first = 100, warmup, conn = 1;
	unsigned long events = DEFAULT_EVENTS;
	bench_run_stats st_first = { 0 }, st_steady = { 0 }, warm = { 0 };
	tnccs_host_t *client_host, *server_host;
	double verify_s = 0, sha_first = 0, sha_steady = 0;
	bool baseline = true;
	long registered, mark;
	sqlite3 *db = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:s:d:n:f:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			client_tnc = optarg;
			break;
		case 's':
			server_tnc = optarg;
			break;
		case 'd':
			db_path = optarg;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'f':
			first = strtoul(optarg, NULL, 10);
			break;
		case 'B':
			baseline = false;
			break;
		case 'w':
			eventlog_out = optarg;
			break;
		case 'e':
			events = strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (eventlog_out) {
		if (events == 0 || events > MAX_EVENTS)
			die("--events must be 1..%u", MAX_EVENTS);
		write_eventlog(eventlog_out, (unsigned)events);
		return 0;
	}
	if (!client_tnc || !server_tnc || !db_path || n + first == 0)
		usage();
	log_set_level_all(0);

	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		die("cannot open %s: %s", db_path, sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, 5000);
	client_host = bench_load_host(false, client_tnc);
	server_host = bench_load_host(true, server_tnc);

	/* Warm caches and allocator pools: two first contacts and some steady sessions, not counted. */
	warmup = n / 10 + 1;
	for (int i = 0; i < 2; i++) {
		db_exec(db, "DELETE FROM component_hashes");
		bench_run_handshake(client_host, server_host, conn++, &warm);
	}
	registered = registered_events(db);
	if (registered <= 0)
		die("the first contact registered no boot measurement; is the TPMRA policy with argument B in config.db?");
	for (unsigned long i = 0; i < warmup; i++)
		bench_run_handshake(client_host, server_host, conn++, &warm);

	mark = db_max_session(db);
	for (unsigned long i = 0; i < first; i++) {
		db_exec(db, "DELETE FROM component_hashes");
		bench_run_handshake(client_host, server_host, conn++, &st_first);
	}
	if (first)
		check_results(db, mark, first, true, registered);

	mark = db_max_session(db);
	for (unsigned long i = 0; i < n; i++)
		bench_run_handshake(client_host, server_host, conn++, &st_steady);
	if (n)
		check_results(db, mark, n, false, registered);

	if (baseline) {
		verify_s = bench_baseline_verify();
		if (first)
			sha_first = bench_baseline_sha256(st_first.server_bytes / first);
		if (n)
			sha_steady = bench_baseline_sha256(st_steady.server_bytes / n);
	}
	printf("bench_server_attest: imv-os and imv-attestation in memory, %ld boot measurements, every session "
	       "allowed with the quote verified\n", registered);
	if (baseline)
		bench_report("baseline: ECDSA P-256 verification", verify_s, verify_s, verify_s);
	if (first) {
		if (baseline)
			bench_report("baseline: SHA-256 over the batch octets", sha_first, verify_s, sha_first);
		report_phase("first contact", first, &st_first, verify_s, sha_first, baseline);
	}
	if (n) {
		if (baseline)
			bench_report("baseline: SHA-256 over the batch octets", sha_steady, verify_s, sha_steady);
		report_phase("steady state", n, &st_steady, verify_s, sha_steady, baseline);
		bench_budget("server CPU per attestation, TLS excluded", st_steady.server_cpu / (double)n * 1e3, 0.3,
			     "ms", 0);
	}

	host_destroy(server_host);
	host_destroy(client_host);
	sqlite3_close(db);
	return 0;
}
