/*
 * Server work per full TNC handshake without sockets or TLS: a TNCC session
 * and a TNCS session of the real tnccs code (PB-TNC state machines, IMC and
 * IMV hosts, the modules listed in two tnc_config files) hand their batches
 * to each other in memory. Only the CPU time of the server-side calls
 * (session create, every receive, destroy) is counted as server work.
 *
 * Usage: bench_server_session --client-tnc FILE --server-tnc FILE [-n HANDSHAKES]
 *                             [--no-baseline]
 * --no-baseline skips the timed baseline loops, which would otherwise
 * dominate a callgrind profile.
 *
 * The modules read their settings from $TNCSUITE_CONF (run-benchmarks writes
 * one: imc-test sends 110 PA messages of 90 octets in one batch, as the
 * evidence of a 136-event attestation does). Every handshake must end with
 * access allowed, or the program stops with status 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_server_util.h"
#include "bench_session.h"
#include "host.h"
#include "log.h"

static void usage(void)
{
	fprintf(stderr, "usage: bench_server_session --client-tnc FILE --server-tnc FILE [-n HANDSHAKES]"
		" [--no-baseline]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "client-tnc", required_argument, NULL, 'c' },
		{ "server-tnc", required_argument, NULL, 's' },
		{ "handshakes", required_argument, NULL, 'n' },
		{ "no-baseline", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	const char *client_tnc = NULL, *server_tnc = NULL;
	tnccs_host_t *client_host, *server_host;
	unsigned long n = 2000, warmup;
	bench_run_stats st = { 0 }, warm = { 0 };
	double wall, per_hs, verify_s = 0, sha_s = 0;
	bool baseline = true;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:s:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			client_tnc = optarg;
			break;
		case 's':
			server_tnc = optarg;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'B':
			baseline = false;
			break;
		default:
			usage();
		}
	}
	if (!client_tnc || !server_tnc || n == 0)
		usage();
	log_set_level_all(0);

	client_host = bench_load_host(false, client_tnc);
	server_host = bench_load_host(true, server_tnc);

	/* Warm caches and allocator pools; these handshakes are not counted. */
	warmup = n / 10 + 1;
	for (unsigned long i = 0; i < warmup; i++)
		bench_run_handshake(client_host, server_host, 1 + i, &warm);

	wall = bench_now();
	for (unsigned long i = 0; i < n; i++)
		bench_run_handshake(client_host, server_host, 1 + warmup + i, &st);
	wall = bench_now() - wall;

	per_hs = st.server_cpu / (double)n;
	if (baseline) {
		verify_s = bench_baseline_verify();
		sha_s = bench_baseline_sha256(st.server_bytes / n);
	}

	printf("bench_server_session: %lu handshakes in memory, %.1f batches and %zu batch octets each\n", n,
	       (double)st.batches / (double)n, st.server_bytes / n);
	if (baseline) {
		bench_report("baseline: ECDSA P-256 verification", verify_s, verify_s, sha_s);
		bench_report("baseline: SHA-256 over the batch octets", sha_s, verify_s, sha_s);
		bench_report("server CPU per handshake (no TLS)", per_hs, verify_s, sha_s);
		bench_report("client CPU per handshake (no TLS)", st.client_cpu / (double)n, verify_s, sha_s);
	} else {
		printf("%-40s %10.1f us\n", "server CPU per handshake (no TLS)", per_hs * 1e6);
		printf("%-40s %10.1f us\n", "client CPU per handshake (no TLS)", st.client_cpu / (double)n * 1e6);
	}
	printf("%-40s %10.0f handshakes/s (client and server in one thread)\n", "in-memory rate",
	       (double)n / wall);
	bench_budget("server CPU per attestation, TLS excluded", per_hs * 1e3, 0.3, "ms", 0);

	host_destroy(server_host);
	host_destroy(client_host);
	return 0;
}
