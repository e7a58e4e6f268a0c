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
#include "host.h"
#include "log.h"
#include "tnccs_session.h"
#include "writer.h"

#define MAX_BATCH (4u * 1024 * 1024)
#define MAX_ROUND_TRIPS_PUMPED 64

typedef struct run_stats {
	double server_cpu;        /* seconds in server-side calls */
	double client_cpu;        /* seconds in client-side calls */
	size_t server_bytes;      /* batch octets the server received and sent */
	unsigned batches;         /* batches exchanged, both directions */
} run_stats;

static void die(const char *what, int rc)
{
	fprintf(stderr, "bench_server_session: %s: %s\n", what, ts_strerror(rc));
	exit(1);
}

static tnccs_host_t *load_host(bool is_server, const char *tnc_config)
{
	host_options options;
	tnccs_host_t *host = NULL;
	char err[512] = "";
	int rc;

	host_options_init(&options);
	options.max_batch_size = MAX_BATCH;
	rc = host_create(is_server, &options, &host);
	if (rc != TS_OK)
		die("host_create", rc);
	rc = host_load_tnc_config(host, tnc_config, err, sizeof(err));
	if (rc != TS_OK) {
		fprintf(stderr, "bench_server_session: cannot load %s: %s\n", tnc_config, err);
		exit(1);
	}
	if (host_module_count(host) == 0) {
		fprintf(stderr, "bench_server_session: %s lists no module\n", tnc_config);
		exit(1);
	}
	return host;
}

/* Runs one handshake between fresh sessions and adds its costs to st. */
static void run_handshake(tnccs_host_t *client_host, tnccs_host_t *server_host, unsigned long conn_id,
			  run_stats *st)
{
	tnccs_conn_info info = {
		.conn_id = conn_id,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.max_message_size = MAX_BATCH,
	};
	tnccs_session_t *client = NULL, *server = NULL;
	writer_t to_server, to_client;
	tnccs_result result;
	double t0;
	int rc, trips = 0;

	writer_init(&to_server, MAX_BATCH);
	writer_init(&to_client, MAX_BATCH);

	t0 = bench_thread_cpu();
	rc = tnccs_session_create(client_host, false, &info, &client);
	if (rc == TS_OK)
		rc = tnccs_session_start(client, &to_server);
	st->client_cpu += bench_thread_cpu() - t0;
	if (rc != TS_OK)
		die("client session start", rc);

	t0 = bench_thread_cpu();
	rc = tnccs_session_create(server_host, true, &info, &server);
	if (rc == TS_OK)
		rc = tnccs_session_start(server, &to_client);
	st->server_cpu += bench_thread_cpu() - t0;
	if (rc != TS_OK)
		die("server session start", rc);

	/* Hand each batch to the other side until neither has anything to send. */
	while (writer_len(&to_server) > 0) {
		if (++trips > MAX_ROUND_TRIPS_PUMPED)
			die("handshake", TS_E_PROTOCOL);
		st->server_bytes += writer_len(&to_server);
		st->batches++;
		writer_reset(&to_client);
		t0 = bench_thread_cpu();
		rc = tnccs_session_receive(server, writer_data(&to_server), writer_len(&to_server), &to_client);
		st->server_cpu += bench_thread_cpu() - t0;
		if (rc != TS_OK)
			die("server receive", rc);
		if (writer_len(&to_client) == 0)
			break;

		st->server_bytes += writer_len(&to_client);
		st->batches++;
		writer_reset(&to_server);
		t0 = bench_thread_cpu();
		rc = tnccs_session_receive(client, writer_data(&to_client), writer_len(&to_client), &to_server);
		st->client_cpu += bench_thread_cpu() - t0;
		if (rc != TS_OK)
			die("client receive", rc);
	}

	if (!tnccs_session_finished(server) || !tnccs_session_finished(client))
		die("handshake did not finish", TS_E_STATE);
	rc = tnccs_session_get_result(client, &result);
	if (rc != TS_OK)
		die("client result", rc);
	if (result.access_recommendation != 1) {
		fprintf(stderr, "bench_server_session: handshake %lu ended with access recommendation %u (%s)\n",
			conn_id, result.access_recommendation, result.reason);
		exit(1);
	}

	t0 = bench_thread_cpu();
	tnccs_session_destroy(server);
	st->server_cpu += bench_thread_cpu() - t0;
	t0 = bench_thread_cpu();
	tnccs_session_destroy(client);
	st->client_cpu += bench_thread_cpu() - t0;
	writer_free(&to_server);
	writer_free(&to_client);
}

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
	run_stats st = { 0 }, warm = { 0 };
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

	client_host = load_host(false, client_tnc);
	server_host = load_host(true, server_tnc);

	/* Warm caches and allocator pools; these handshakes are not counted. */
	warmup = n / 10 + 1;
	for (unsigned long i = 0; i < warmup; i++)
		run_handshake(client_host, server_host, 1 + i, &warm);

	wall = bench_now();
	for (unsigned long i = 0; i < n; i++)
		run_handshake(client_host, server_host, 1 + warmup + i, &st);
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
