/*
 * In-memory TNC handshakes; see bench_session.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench_server_util.h"
#include "bench_session.h"
#include "host.h"
#include "writer.h"

#define MAX_ROUND_TRIPS_PUMPED 64

static void die(const char *call, int rc)
{
	fprintf(stderr, "bench: %s failed: %s\n", call, ts_strerror(rc));
	exit(1);
}

tnccs_host_t *bench_load_host(bool is_server, const char *tnc_config)
{
	host_options options;
	tnccs_host_t *host = NULL;
	char err[512] = "";
	int rc;

	host_options_init(&options);
	options.max_batch_size = BENCH_SESSION_MAX_BATCH;
	rc = host_create(is_server, &options, &host);
	if (rc != TS_OK)
		die("host_create", rc);
	rc = host_load_tnc_config(host, tnc_config, err, sizeof(err));
	if (rc != TS_OK) {
		fprintf(stderr, "bench: cannot load %s: %s\n", tnc_config, err);
		exit(1);
	}
	if (host_module_count(host) == 0) {
		fprintf(stderr, "bench: %s lists no module\n", tnc_config);
		exit(1);
	}
	return host;
}

/* The server's calls, kept out of line so callgrind can collect them alone. */
__attribute__((noinline)) static int server_side_start(tnccs_host_t *host, const tnccs_conn_info *info,
						       tnccs_session_t **session, writer_t *out)
{
	int rc = tnccs_session_create(host, true, info, session);

	if (rc == TS_OK)
		rc = tnccs_session_start(*session, out);
	return rc;
}

__attribute__((noinline)) static int server_side_receive(tnccs_session_t *session, const writer_t *in,
							 writer_t *out)
{
	return tnccs_session_receive(session, writer_data(in), writer_len(in), out);
}

__attribute__((noinline)) static void server_side_destroy(tnccs_session_t *session)
{
	tnccs_session_destroy(session);
}

void bench_run_handshake(tnccs_host_t *client_host, tnccs_host_t *server_host, unsigned long conn_id,
			 bench_run_stats *st)
{
	tnccs_conn_info info = {
		.conn_id = conn_id,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.max_message_size = BENCH_SESSION_MAX_BATCH,
	};
	tnccs_session_t *client = NULL, *server = NULL;
	writer_t to_server, to_client;
	tnccs_result result;
	double t0;
	int rc, trips = 0;

	writer_init(&to_server, BENCH_SESSION_MAX_BATCH);
	writer_init(&to_client, BENCH_SESSION_MAX_BATCH);

	t0 = bench_thread_cpu();
	rc = tnccs_session_create(client_host, false, &info, &client);
	if (rc == TS_OK)
		rc = tnccs_session_start(client, &to_server);
	st->client_cpu += bench_thread_cpu() - t0;
	if (rc != TS_OK)
		die("client session start", rc);

	t0 = bench_thread_cpu();
	rc = server_side_start(server_host, &info, &server, &to_client);
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
		rc = server_side_receive(server, &to_server, &to_client);
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
		fprintf(stderr, "bench: handshake %lu ended with access recommendation %u (%s)\n", conn_id,
			result.access_recommendation, result.reason);
		exit(1);
	}

	t0 = bench_thread_cpu();
	server_side_destroy(server);
	st->server_cpu += bench_thread_cpu() - t0;
	t0 = bench_thread_cpu();
	tnccs_session_destroy(client);
	st->client_cpu += bench_thread_cpu() - t0;
	writer_free(&to_server);
	writer_free(&to_client);
}
