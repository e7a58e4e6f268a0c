/*
 * libFuzzer harness for the PT-TLS codec and state machine: the input is
 * parsed as one message in both SASL Result readings, then fed as a byte
 * stream to a server connection (with and without SASL PLAIN) and to a client
 * connection, which answer it as they would on the wire.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "pttls_conn.h"
#include "pttls_msg.h"

static pttls_userdb *users;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/fuzz_pttls_users.XXXXXX";
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	log_set_level_all(LOG_LEVEL_SILENT);
	if (fd >= 0) {
		if (write(fd, "alice:wonderland\n", 17) == 17 && pttls_userdb_load(path, &users) != TS_OK)
			users = NULL;
		close(fd);
		unlink(path);
	}
	return 0;
}

/* Feeds the input in two pieces and drains every event and output message. */
static void run_conn(const uint8_t *data, size_t size, bool is_server, const pttls_userdb *db)
{
	pttls_config cfg = {
		.max_message_size = 65536,
		.users = db,
		.sasl_user = is_server ? NULL : "alice",
		.sasl_password = is_server ? NULL : "wonderland",
	};
	pttls_conn_t *c = NULL;
	size_t half = size / 2;
	pttls_event ev;
	size_t len;

	if (pttls_conn_create(&cfg, is_server, 1, &c) != TS_OK)
		return;
	if (pttls_conn_start(c) != TS_OK)
		goto out;
	for (int piece = 0; piece < 2; piece++) {
		const uint8_t *p = piece == 0 ? data : data + half;
		size_t n = piece == 0 ? half : size - half;

		if (pttls_conn_feed(c, p, n) != TS_OK)
			break;
		for (int i = 0; i < 1000; i++) {
			if (pttls_conn_next(c, &ev) != TS_OK || ev.type == PTTLS_EV_NONE || ev.type == PTTLS_EV_CLOSE)
				break;
			/* Answer a batch with a batch, as a session would. */
			if (ev.type == PTTLS_EV_BATCH && pttls_conn_send_batch(c, ev.data, ev.len > 64 ? 64 : ev.len) != TS_OK)
				break;
		}
	}
	while (pttls_conn_out_peek(c, &len))
		pttls_conn_out_pop(c);
out:
	pttls_conn_destroy(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pttls_parse_opts opts = { .max_length = 65536, .sasl_result_one_octet = false };
	pttls_header hdr;
	pttls_fault fault;
	pttls_msg m;

	(void)pttls_msg_parse_header(data, size, &opts, &hdr, &fault);
	(void)pttls_msg_parse(data, size, &opts, &m, &fault);
	opts.sasl_result_one_octet = true;
	(void)pttls_msg_parse(data, size, &opts, &m, &fault);

	run_conn(data, size, true, NULL);
	run_conn(data, size, true, users);
	run_conn(data, size, false, NULL);
	return 0;
}
