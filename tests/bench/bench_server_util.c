/*
 * Helpers shared by the server benchmarks; see bench_server_util.h.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "bench_server_util.h"

/* Each baseline runs at least this long, so clock resolution does not matter. */
#define BASELINE_MIN_SECONDS 0.3

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench: %s failed\n", what);
	exit(1);
}

double bench_baseline_verify(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	EVP_PKEY_CTX *sign_ctx = NULL, *verify_ctx = NULL;
	unsigned char digest[32], sig[80];
	size_t sig_len = sizeof(sig);
	unsigned long n = 0;
	double start, elapsed;

	if (!key)
		die("EVP_EC_gen(P-256)");
	memset(digest, 0x5a, sizeof(digest));
	sign_ctx = EVP_PKEY_CTX_new(key, NULL);
	if (!sign_ctx || EVP_PKEY_sign_init(sign_ctx) != 1 ||
	    EVP_PKEY_sign(sign_ctx, sig, &sig_len, digest, sizeof(digest)) != 1)
		die("ECDSA signing");
	verify_ctx = EVP_PKEY_CTX_new(key, NULL);
	if (!verify_ctx || EVP_PKEY_verify_init(verify_ctx) != 1)
		die("EVP_PKEY_verify_init");

	start = bench_now();
	do {
		for (int i = 0; i < 64; i++, n++)
			if (EVP_PKEY_verify(verify_ctx, sig, sig_len, digest, sizeof(digest)) != 1)
				die("ECDSA verification");
		elapsed = bench_now() - start;
	} while (elapsed < BASELINE_MIN_SECONDS);

	EVP_PKEY_CTX_free(verify_ctx);
	EVP_PKEY_CTX_free(sign_ctx);
	EVP_PKEY_free(key);
	return elapsed / (double)n;
}

double bench_baseline_sha256(size_t bytes)
{
	unsigned char *data = malloc(bytes ? bytes : 1);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len;
	unsigned long n = 0;
	double start, elapsed;

	if (!data)
		die("malloc");
	for (size_t i = 0; i < bytes; i++)
		data[i] = (unsigned char)(i * 7);
	start = bench_now();
	do {
		for (int i = 0; i < 64; i++, n++)
			if (EVP_Digest(data, bytes, md, &md_len, EVP_sha256(), NULL) != 1)
				die("EVP_Digest");
		elapsed = bench_now() - start;
	} while (elapsed < BASELINE_MIN_SECONDS);
	free(data);
	return elapsed / (double)n;
}

double bench_proc_cpu(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long utime, stime;
	size_t got;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	got = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[got] = '\0';
	/* The command name may contain spaces; the fields after it start past the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* After ')': state(3) ... utime is field 14, stime field 15 of the whole line. */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
		return -1;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

long bench_proc_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

long bench_proc_fd_count(pid_t pid)
{
	char path[64];
	struct dirent *de;
	long n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

void bench_report(const char *name, double seconds, double verify_s, double sha_s)
{
	printf("%-40s %10.1f us  = %7.2f ECDSA-P256 verifications = %8.1f SHA-256 runs\n", name,
	       seconds * 1e6, seconds / verify_s, seconds / sha_s);
}

int bench_budget(const char *name, double value, double limit, const char *unit, int at_least)
{
	int met = at_least ? value >= limit : value <= limit;

	printf("budget %s: %.3f %s %s %.3f %s: %s\n", name, value, unit, at_least ? ">=" : "<=", limit,
	       unit, met ? "met" : "missed");
	return met;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_quantile(double *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}
