/*
 * Helpers shared by the server benchmarks: clocks, the baseline measured in
 * the same run (one ECDSA P-256 signature verification, SHA-256 over a given
 * number of bytes), and the CPU time and memory of another process read from
 * /proc.
 */
#ifndef BENCH_SERVER_UTIL_H
#define BENCH_SERVER_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Monotonic wall-clock time and this thread's CPU time, in seconds. */
double bench_now(void);
double bench_thread_cpu(void);

/* Seconds for one ECDSA P-256 verification (EVP_PKEY_verify of a SHA-256 digest). */
double bench_baseline_verify(void);

/* Seconds for one SHA-256 over `bytes` octets (EVP_Digest). */
double bench_baseline_sha256(size_t bytes);

/* CPU time (user + system) of process pid in seconds, or -1 when /proc cannot be read. */
double bench_proc_cpu(pid_t pid);

/* Resident set size of process pid in KiB (VmRSS), or -1. */
long bench_proc_rss_kib(pid_t pid);

/* Number of open file descriptors of process pid, or -1. */
long bench_proc_fd_count(pid_t pid);

/* Prints "name value unit" and the ratios to the two baselines in one line. */
void bench_report(const char *name, double seconds, double verify_s, double sha_s);

/*
 * Prints "budget NAME: VALUE <= LIMIT UNIT: met" (or missed; >= when
 * at_least) and returns 1 when the budget is met, else 0.
 */
int bench_budget(const char *name, double value, double limit, const char *unit, int at_least);

/* Sorts v (n values) and returns the q-quantile (0..1). */
double bench_quantile(double *v, size_t n, double q);

#endif
