/*
 * Benchmark: parse a firmware event log and replay it into all PCR banks,
 * in MB/s of log, next to plain SHA-256 over the same bytes measured in the
 * same run (the ratio is what stays comparable on a shared machine).
 *
 * Usage: bench_eventlog [SECONDS] [LOG...]
 * Without LOG it measures four logs from tests/data/eventlog: EVE (four
 * banks, 193 small events), GCE Ubuntu (three banks), a Keylime OVMF log
 * (SHA-256 only) and a fwupd laptop log (legacy SHA-1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "eventlog.h"
#include "pcr_set.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size);
		if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)size;
	}
	fclose(f);
	return buf;
}

/* Parses and replays `data` until `seconds` pass. Returns MB/s (1 MB = 10^6 bytes). */
static double bench_replay(const unsigned char *data, size_t len, double seconds, size_t *events)
{
	pcr_set_t *set = NULL;
	double start = now(), elapsed;
	size_t rounds = 0;

	if (pcr_set_create(&set) != TS_OK)
		return -1;
	do {
		for (int i = 0; i < 16; i++) {
			eventlog_t *log = NULL;
			eventlog_error_t err;

			if (eventlog_parse(data, len, NULL, &log, &err) != TS_OK ||
			    eventlog_replay(log, set, &err) != TS_OK) {
				fprintf(stderr, "bench_eventlog: event %zu at offset %zu: %s\n",
					err.index, err.offset, err.message);
				eventlog_destroy(log);
				pcr_set_destroy(set);
				return -1;
			}
			*events = eventlog_get_count(log);
			eventlog_destroy(log);
		}
		rounds += 16;
		elapsed = now() - start;
	} while (elapsed < seconds);
	pcr_set_destroy(set);
	return (double)rounds * (double)len / elapsed / 1e6;
}

/* SHA-256 over the same bytes, one digest per pass, through EVP. */
static double bench_sha256(const unsigned char *data, size_t len, double seconds)
{
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char digest[32];
	unsigned int digest_len;
	double start = now(), elapsed;
	size_t rounds = 0;

	if (!md || !ctx)
		return -1;
	do {
		for (int i = 0; i < 16; i++) {
			if (EVP_DigestInit_ex2(ctx, md, NULL) != 1 || EVP_DigestUpdate(ctx, data, len) != 1 ||
			    EVP_DigestFinal_ex(ctx, digest, &digest_len) != 1)
				return -1;
		}
		rounds += 16;
		elapsed = now() - start;
	} while (elapsed < seconds);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return (double)rounds * (double)len / elapsed / 1e6;
}

int main(int argc, char **argv)
{
	static const char *const defaults[] = {
		TOP_SRCDIR "/tests/data/eventlog/evepcr-14.5_stable.bin",
		TOP_SRCDIR "/tests/data/eventlog/goattest-ubuntu_2104_shielded_vm_no_secure_boot_eventlog.bin",
		TOP_SRCDIR "/tests/data/eventlog/keylime-binary_bios_measurements-secureboot.bin",
		TOP_SRCDIR "/tests/data/eventlog/fwupd-binary_bios_measurements-v1.bin",
	};
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	const char *const *logs = argc > 2 ? (const char *const *)argv + 2 : defaults;
	int count = argc > 2 ? argc - 2 : (int)(sizeof(defaults) / sizeof(defaults[0]));
	int status = 0;

	if (seconds <= 0) {
		fprintf(stderr, "Usage: %s [SECONDS] [LOG...]\n", argv[0]);
		return 2;
	}
	printf("%-62s %8s %7s %12s %12s %7s\n", "log", "bytes", "events", "replay MB/s", "SHA-256 MB/s", "ratio");
	for (int i = 0; i < count; i++) {
		size_t len = 0, events = 0;
		unsigned char *data = read_all(logs[i], &len);
		double replay, sha;
		const char *name;

		if (!data) {
			fprintf(stderr, "bench_eventlog: cannot read %s\n", logs[i]);
			status = 1;
			continue;
		}
		replay = bench_replay(data, len, seconds, &events);
		sha = bench_sha256(data, len, seconds);
		name = strrchr(logs[i], '/') ? strrchr(logs[i], '/') + 1 : logs[i];
		if (replay < 0 || sha < 0) {
			status = 1;
		} else {
			printf("%-62s %8zu %7zu %12.1f %12.1f %7.3f\n", name, len, events, replay, sha, replay / sha);
			if (replay < 200)
				printf("  below the 200 MB/s target\n");
		}
		free(data);
	}
	return status;
}
