/*
 * Benchmark of common/ima: verification of an IMA list against 100,000
 * reference digests, parsing and PCR replay. Each is reported in entries per
 * second and as a ratio to plain SHA-256 over the same list bytes, measured
 * in the same run because absolute times on a shared machine are noisy.
 *
 * Usage: bench_ima [entries [references]]   (defaults: 200000, 100000)
 *
 * The list is synthetic ima-ng with SHA-256 file digests and correct SHA-1
 * template hashes: 90% of the entries name a reference path with its
 * digest, 5% a reference path with another digest, 5% a path without
 * reference. Paths look like "/usr/lib/x86_64-linux-gnu/lib<n>.so.<m>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "ima/ima.h"

#define ROUNDS 5

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_ima: %s failed: %d\n", what, rc);
	exit(1);
}

static void path_of(char *out, size_t size, uint32_t i)
{
	snprintf(out, size, "/usr/lib/x86_64-linux-gnu/lib%u.so.%u", i, i % 7);
}

static void digest_of(uint8_t out[32], uint32_t i)
{
	unsigned int len;

	if (EVP_Digest(&i, sizeof(i), out, &len, EVP_sha256(), NULL) != 1)
		die("EVP_Digest", 0);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Appends one ima-ng record for `path` and `digest` to buf at *len. */
static void append_record(uint8_t *buf, size_t *len, const char *path, const uint8_t digest[32])
{
	uint8_t *rec = buf + *len;
	uint8_t *data;
	uint32_t name_len = (uint32_t)strlen(path) + 1;
	uint32_t data_len = 4 + 8 + 32 + 4 + name_len;
	unsigned int md_len;

	put_le32(rec, 10);
	put_le32(rec + 24, 6);
	memcpy(rec + 28, "ima-ng", 6);
	put_le32(rec + 34, data_len);
	data = rec + 38;
	put_le32(data, 8 + 32);
	memcpy(data + 4, "sha256:", 8); /* with the NUL */
	memcpy(data + 12, digest, 32);
	put_le32(data + 44, name_len);
	memcpy(data + 48, path, name_len);
	if (EVP_Digest(data, data_len, rec + 4, &md_len, EVP_sha1(), NULL) != 1)
		die("EVP_Digest", 0);
	*len += 38 + data_len;
}

/* Best of ROUNDS wall-clock times of one operation, in seconds. */
#define BEST_OF(best, stmt)                                   \
	do {                                                  \
		(best) = 1e30;                                \
		for (int round_ = 0; round_ < ROUNDS; round_++) { \
			double t0_ = now();                   \
			stmt;                                 \
			double t_ = now() - t0_;              \
			if (t_ < (best))                      \
				(best) = t_;                  \
		}                                             \
	} while (0)

int main(int argc, char **argv)
{
	size_t entries = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	uint32_t nrefs = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 100000;
	uint8_t *buf = malloc(entries * 128 + 1);
	size_t len = 0;
	ima_refs *refs = NULL;
	ima_list *list = NULL;
	ima_limits limits;
	ima_verify_counts counts;
	uint8_t digest[32], pcr[IMA_DIGEST_MAX], sha[32];
	char path[96];
	size_t pcr_len;
	unsigned int sha_len;
	double t_sha, t_parse, t_check, t_lookup, t_verify, t_all, t_replay1, t_replay256;
	int rc;

	if (!buf || entries == 0 || nrefs == 0)
		die("setup", 0);

	/* references and list */
	rc = ima_refs_create(&refs);
	if (rc != TS_OK)
		die("ima_refs_create", rc);
	for (uint32_t i = 0; i < nrefs; i++) {
		path_of(path, sizeof(path), i);
		digest_of(digest, i);
		rc = ima_refs_add(refs, path, strlen(path), IMA_HASH_SHA256, digest, 32);
		if (rc != TS_OK)
			die("ima_refs_add", rc);
	}
	srand(1);
	for (size_t i = 0; i < entries; i++) {
		uint32_t r = (uint32_t)rand() % nrefs;
		unsigned kind = (unsigned)rand() % 100;

		path_of(path, sizeof(path), kind < 95 ? r : nrefs + r);
		digest_of(digest, kind < 90 ? r : r + 1);
		append_record(buf, &len, path, digest);
	}
	ima_limits_default(&limits);
	limits.max_entries = entries;

	/* baseline: SHA-256 over the list bytes */
	BEST_OF(t_sha, if (EVP_Digest(buf, len, sha, &sha_len, EVP_sha256(), NULL) != 1)
				die("EVP_Digest", 0));

	BEST_OF(t_parse, {
		ima_list_destroy(list);
		list = NULL;
		rc = ima_list_parse_binary(buf, len, IMA_HASH_SHA1, &limits, &list, NULL);
		if (rc != TS_OK)
			die("ima_list_parse_binary", rc);
	});
	BEST_OF(t_check, if ((rc = ima_template_check_list(list, NULL)) != TS_OK)
				 die("ima_template_check_list", rc));
	BEST_OF(t_lookup, if ((rc = ima_refs_verify_list(refs, list, IMA_VERIFY_SKIP_TEMPLATE_HASH,
							 NULL, &counts)) != TS_OK)
				  die("ima_refs_verify_list", rc));
	BEST_OF(t_verify, if ((rc = ima_refs_verify_list(refs, list, 0, NULL, &counts)) != TS_OK)
				  die("ima_refs_verify_list", rc));
	BEST_OF(t_all, {
		ima_list *l = NULL;

		rc = ima_list_parse_binary(buf, len, IMA_HASH_SHA1, &limits, &l, NULL);
		if (rc == TS_OK)
			rc = ima_refs_verify_list(refs, l, 0, NULL, &counts);
		if (rc != TS_OK)
			die("parse and verify", rc);
		ima_list_destroy(l);
	});
	BEST_OF(t_replay1, if ((rc = ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_SHA1,
						    IMA_REPLAY_BANK_HASH, pcr, &pcr_len)) != TS_OK)
				   die("ima_replay_pcr", rc));
	BEST_OF(t_replay256, if ((rc = ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_SHA256,
						      IMA_REPLAY_BANK_HASH, pcr, &pcr_len)) != TS_OK)
				     die("ima_replay_pcr", rc));

	printf("list: %zu ima-ng entries, %zu bytes; %u reference paths\n", entries, len, nrefs);
	printf("verdicts: %zu match, %zu mismatch, %zu unknown, %zu bad template\n", counts.match,
	       counts.mismatch, counts.unknown, counts.bad_template);
	printf("%-44s %12s %10s %10s\n", "operation (best of 5)", "entries/s", "MB/s", "x SHA-256");
#define ROW(name, t)                                                                   \
	printf("%-44s %12.0f %10.1f %10.2f\n", name, (double)entries / (t), (double)len / (t) / 1e6, \
	       (t) / t_sha)
	ROW("SHA-256 over the list bytes (baseline)", t_sha);
	ROW("parse (binary)", t_parse);
	ROW("template hash check (SHA-1)", t_check);
	ROW("verify: reference lookup only", t_lookup);
	ROW("verify: template hash + reference lookup", t_verify);
	ROW("parse + template hash + reference lookup", t_all);
	ROW("replay PCR 10, SHA-1 bank", t_replay1);
	ROW("replay PCR 10, SHA-256 bank (bank hash)", t_replay256);
#undef ROW

	ima_list_destroy(list);
	ima_refs_destroy(refs);
	free(buf);
	return 0;
}
