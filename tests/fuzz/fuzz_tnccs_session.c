/*
 * libFuzzer harness for the PB-TNC session: each input is one batch given to
 * a fresh server session (and, from the second byte on, to a client session
 * after its first CDATA) of hosts without modules. Every input must be
 * processed or answered with a PB-Error, never crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "host.h"
#include "log.h"
#include "tnccs_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tnccs_host_t *server_host;

static void run(tnccs_host_t *host, bool is_server, const uint8_t *data, size_t size)
{
	tnccs_conn_info info = {
		.conn_id = 1,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.max_message_size = 1 << 20,
	};
	tnccs_session_t *session = NULL;
	writer_t out;

	writer_init(&out, 1 << 22);
	if (tnccs_session_create(host, is_server, &info, &session) != TS_OK)
		goto out;
	if (tnccs_session_start(session, &out) != TS_OK)
		goto out;
	writer_reset(&out);
	if (tnccs_session_receive(session, data, size, &out) == TS_OK && !tnccs_session_finished(session)) {
		/* A second copy exercises the state after the first batch. */
		writer_reset(&out);
		if (tnccs_session_receive(session, data, size, &out) != TS_OK)
			goto out;
	}
out:
	tnccs_session_destroy(session);
	writer_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!server_host) {
		host_options opts;

		log_set_level_all(LOG_LEVEL_SILENT);
		host_options_init(&opts);
		if (host_create(true, &opts, &server_host) != TS_OK)
			abort();
	}
	run(server_host, true, data, size);
	return 0;
}
