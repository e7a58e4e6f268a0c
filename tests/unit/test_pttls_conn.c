/*
 * PT-TLS protocol state machine. A client and a server connection object
 * exchange their output in memory (no TLS) through version negotiation,
 * SASL and Data Transport. Each protocol violation must draw the PT-TLS
 * Error code that RFC 6876 §3.9 assigns to it.
 */
#include <unistd.h>

#include "test_util.h"

#include "pttls_conn.h"
#include "writer.h"

#define MAX_MSG 65536

static char userfile[64];
static pttls_userdb *users;

static void setup_users(void)
{
	/* bob's entry is SHA-256("s4lt" || "secret"), computed with: printf s4ltsecret | sha256sum */
	static const char text[] =
		"# test users\n"
		"alice:wonderland\n"
		"bob:{SHA256}s4lt$56fb59a0918a8e898cc46532428936acd1717e608c197eef668b7c6ef2f3c655\n";
	int fd;

	snprintf(userfile, sizeof(userfile), "/tmp/test_pttls_users.XXXXXX");
	fd = mkstemp(userfile);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (int)sizeof(text) - 1);
	close(fd);
	ck_assert_int_eq(pttls_userdb_load(userfile, &users), TS_OK);
}

static void teardown_users(void)
{
	pttls_userdb_free(users);
	users = NULL;
	unlink(userfile);
}

/* A client that presents a TLS certificate, so it may select EXTERNAL. */
static pttls_conn_t *make_cert_client(const char *user, const char *password)
{
	pttls_config cfg = {
		.max_message_size = MAX_MSG,
		.sasl_user = user,
		.sasl_password = password,
		.client_cert = true,
	};
	pttls_conn_t *c = NULL;

	ck_assert_int_eq(pttls_conn_create(&cfg, false, 1, &c), TS_OK);
	ck_assert_int_eq(pttls_conn_start(c), TS_OK);
	return c;
}

static pttls_conn_t *make(bool is_server, const pttls_userdb *db, const char *user, const char *password)
{
	pttls_config cfg = {
		.max_message_size = MAX_MSG,
		.users = db,
		.sasl_user = user,
		.sasl_password = password,
	};
	pttls_conn_t *c = NULL;

	ck_assert_int_eq(pttls_conn_create(&cfg, is_server, is_server ? 2 : 1, &c), TS_OK);
	ck_assert_int_eq(pttls_conn_start(c), TS_OK);
	return c;
}

/* Moves every queued output message of from into to. Returns how many moved. */
static int pump(pttls_conn_t *from, pttls_conn_t *to)
{
	const uint8_t *msg;
	size_t len;
	int n = 0;

	while ((msg = pttls_conn_out_peek(from, &len)) != NULL) {
		ck_assert_int_eq(pttls_conn_feed(to, msg, len), TS_OK);
		pttls_conn_out_pop(from);
		n++;
	}
	return n;
}

/* Feeds raw hex into c. */
static void feed_hex(pttls_conn_t *c, const char *hex)
{
	size_t len;
	unsigned char *data = test_hex(hex, &len);

	ck_assert_int_eq(pttls_conn_feed(c, data, len), TS_OK);
	free(data);
}

/* Pops the next output message of c and returns its type; the Error code goes to *code. */
static uint32_t pop_type(pttls_conn_t *c, uint32_t *code)
{
	const uint8_t *msg;
	size_t len;
	uint32_t type;

	msg = pttls_conn_out_peek(c, &len);
	ck_assert_ptr_nonnull(msg);
	ck_assert_uint_ge(len, 16);
	type = (uint32_t)msg[4] << 24 | (uint32_t)msg[5] << 16 | (uint32_t)msg[6] << 8 | msg[7];
	if (type == PTTLS_MSG_ERROR && code) {
		ck_assert_uint_ge(len, 24);
		*code = (uint32_t)msg[20] << 24 | (uint32_t)msg[21] << 16 | (uint32_t)msg[22] << 8 | msg[23];
	}
	pttls_conn_out_pop(c);
	return type;
}

/* Runs negotiation to Data Transport on both sides. */
static void negotiate(pttls_conn_t *client, pttls_conn_t *server)
{
	pttls_event ev;

	for (int round = 0; round < 4; round++) {
		pump(client, server);
		ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
		ck_assert_int_ne(ev.type, PTTLS_EV_CLOSE);
		pump(server, client);
		ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
		ck_assert_int_ne(ev.type, PTTLS_EV_CLOSE);
		if (pttls_conn_get_phase(client) == PTTLS_PHASE_DATA &&
		    pttls_conn_get_phase(server) == PTTLS_PHASE_DATA)
			return;
	}
	ck_abort_msg("negotiation did not finish");
}

START_TEST(handshake_without_sasl)
{
	static const uint8_t cdata[] = { 0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08 };
	static const uint8_t sdata[] = { 0x02, 0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08 };
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	pttls_event ev;

	/* Client: Version Request. Server: Version Response + empty SASL Mechanisms. */
	ck_assert_int_eq(pump(client, server), 1);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_READY);
	ck_assert_int_eq(pump(server, client), 2);
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_READY);
	ck_assert_int_eq(pttls_conn_get_phase(client), PTTLS_PHASE_DATA);

	/* Several batches in flight at once, both directions. */
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pttls_conn_send_batch(client, cdata, sizeof(cdata)), TS_OK);
	ck_assert_int_eq(pump(client, server), 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
		ck_assert_int_eq(ev.type, PTTLS_EV_BATCH);
		ck_assert_uint_eq(ev.len, sizeof(cdata));
		ck_assert_mem_eq(ev.data, cdata, sizeof(cdata));
	}
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_NONE);

	ck_assert_int_eq(pttls_conn_send_batch(server, sdata, sizeof(sdata)), TS_OK);
	pump(server, client);
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_BATCH);
	ck_assert_mem_eq(ev.data, sdata, sizeof(sdata));
	ck_assert_ptr_null(pttls_conn_get_sasl_identity(server));

	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(message_ids_count_from_zero)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	const uint8_t *msg;
	pttls_event ev;
	size_t len;

	msg = pttls_conn_out_peek(client, &len);
	ck_assert_uint_eq(msg[15], 0);
	pump(client, server);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	msg = pttls_conn_out_peek(server, &len);
	ck_assert_uint_eq(msg[15], 0);
	pttls_conn_out_pop(server);
	msg = pttls_conn_out_peek(server, &len);
	ck_assert_uint_eq(msg[15], 1);
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(byte_by_byte_input)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	const uint8_t *msg;
	pttls_event ev;
	size_t len;

	msg = pttls_conn_out_peek(client, &len);
	for (size_t i = 0; i < len; i++) {
		ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
		ck_assert_int_eq(ev.type, PTTLS_EV_NONE);
		ck_assert_int_eq(pttls_conn_feed(server, msg + i, 1), TS_OK);
	}
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_READY);
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_plain_accepted)
{
	pttls_conn_t *client = make(false, NULL, "alice", "wonderland");
	pttls_conn_t *server = make(true, users, NULL, NULL);

	negotiate(client, server);
	ck_assert_str_eq(pttls_conn_get_sasl_identity(server), "alice");
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_plain_hashed_password)
{
	pttls_conn_t *client = make(false, NULL, "bob", "secret");
	pttls_conn_t *server = make(true, users, NULL, NULL);

	negotiate(client, server);
	ck_assert_str_eq(pttls_conn_get_sasl_identity(server), "bob");
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_plain_wrong_password)
{
	pttls_conn_t *client = make(false, NULL, "alice", "looking-glass");
	pttls_conn_t *server = make(true, users, NULL, NULL);
	pttls_event ev;

	pump(client, server);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	pump(server, client);
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_NONE);
	pump(client, server);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert_int_eq(ev.error, TS_E_VERIFY);
	ck_assert_uint_eq(pop_type(server, NULL), PTTLS_MSG_SASL_RESULT);
	ck_assert_ptr_null(pttls_conn_get_sasl_identity(server));
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_failure_reaches_client)
{
	pttls_conn_t *client = make(false, NULL, "mallory", "x");
	pttls_conn_t *server = make(true, users, NULL, NULL);
	pttls_event ev;

	for (int i = 0; i < 2; i++) {
		pump(client, server);
		ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
		pump(server, client);
		ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	}
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert_int_eq(ev.error, TS_E_VERIFY);
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_without_credentials)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_conn_t *server = make(true, users, NULL, NULL);
	pttls_event ev;
	uint32_t code = 0;

	pump(client, server);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	pump(server, client);
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert_uint_eq(ev.pttls_error, PTTLS_ERR_SASL_MECHANISM_ERROR);
	ck_assert_uint_eq(pop_type(client, &code), PTTLS_MSG_ERROR);
	ck_assert_uint_eq(code, PTTLS_ERR_SASL_MECHANISM_ERROR);
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_challenge_without_initial_response)
{
	pttls_conn_t *server = make(true, users, NULL, NULL);
	pttls_event ev;

	feed_hex(server, "00 000000 00000001 00000014 00000000  00010101");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_uint_eq(pop_type(server, NULL), PTTLS_MSG_VERSION_RESPONSE);
	ck_assert_uint_eq(pop_type(server, NULL), PTTLS_MSG_SASL_MECHANISMS);
	/* Selection of PLAIN without an initial response. */
	feed_hex(server, "00 000000 00000004 00000016 00000001  05 504c41494e");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_NONE);
	ck_assert_uint_eq(pop_type(server, NULL), PTTLS_MSG_SASL_AUTH_DATA);
	/* "\0alice\0wonderland" */
	feed_hex(server, "00 000000 00000005 00000021 00000002  00 616c696365 00 776f6e6465726c616e64");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_READY);
	ck_assert_uint_eq(pop_type(server, NULL), PTTLS_MSG_SASL_RESULT);
	ck_assert_uint_eq(pop_type(server, NULL), PTTLS_MSG_SASL_MECHANISMS);
	ck_assert_str_eq(pttls_conn_get_sasl_identity(server), "alice");
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(client_accepts_one_octet_result)
{
	pttls_conn_t *client = make(false, NULL, "alice", "wonderland");
	pttls_event ev;

	pttls_conn_out_pop(client);
	feed_hex(client, "00 000000 00000002 00000014 00000000  00000001");
	feed_hex(client, "00 000000 00000003 00000016 00000001  05 504c41494e");
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_uint_eq(pop_type(client, NULL), PTTLS_MSG_SASL_MECHANISM_SELECTION);
	/* strongSwan's 1-octet SASL Result Success, then the empty list. */
	feed_hex(client, "00 000000 00000006 00000011 00000002  00");
	feed_hex(client, "00 000000 00000003 00000010 00000003");
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_READY);
	pttls_conn_destroy(client);
}
END_TEST

/* Feeds one message to a fresh server (after negotiation if data is set) and checks the Error code. */
static void server_rejects(bool data, const char *hex, uint32_t want)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	pttls_event ev;
	uint32_t code = 0xFFFF;

	if (data)
		negotiate(client, server);
	feed_hex(server, hex);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert_uint_eq(ev.pttls_error, want);
	ck_assert_uint_eq(pop_type(server, &code), PTTLS_MSG_ERROR);
	ck_assert_uint_eq(code, want);
	ck_assert_int_eq(pttls_conn_get_phase(server), PTTLS_PHASE_CLOSED);
	/* Nothing more is processed after a fatal error. */
	feed_hex(server, "00 000000 00000007 00000018 00000000  0200000100000008");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_NONE);
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}

START_TEST(batch_before_negotiation)
{
	server_rejects(false, "00 000000 00000007 00000018 00000000  0200000100000008", PTTLS_ERR_INVALID_MESSAGE);
}
END_TEST

START_TEST(second_version_request)
{
	server_rejects(true, "00 000000 00000001 00000014 00000001  00010101", PTTLS_ERR_INVALID_MESSAGE);
}
END_TEST

START_TEST(version_not_supported)
{
	server_rejects(false, "00 000000 00000001 00000014 00000000  00020302", PTTLS_ERR_VERSION_NOT_SUPPORTED);
}
END_TEST

START_TEST(experimental_is_invalid)
{
	server_rejects(true, "00 000000 00000000 00000010 00000001", PTTLS_ERR_INVALID_MESSAGE);
}
END_TEST

START_TEST(sasl_message_in_data_phase)
{
	server_rejects(true, "00 000000 00000004 00000016 00000001  05 504c41494e", PTTLS_ERR_INVALID_MESSAGE);
}
END_TEST

START_TEST(length_below_header)
{
	server_rejects(false, "00 000000 00000001 00000008 00000000", PTTLS_ERR_INVALID_PARAMETER);
}
END_TEST

START_TEST(length_above_maximum)
{
	/* 65537 > MAX_MSG: rejected from the header alone, before buffering the value. */
	server_rejects(true, "00 000000 00000007 00010001 00000000", PTTLS_ERR_INVALID_PARAMETER);
}
END_TEST

START_TEST(reserved_type)
{
	server_rejects(false, "00 000000 ffffffff 00000010 00000000", PTTLS_ERR_INVALID_PARAMETER);
}
END_TEST

START_TEST(malformed_version_request)
{
	server_rejects(false, "00 000000 00000001 00000013 00000000  000101", PTTLS_ERR_INVALID_PARAMETER);
}
END_TEST

START_TEST(malformed_selection)
{
	pttls_conn_t *server = make(true, users, NULL, NULL);
	pttls_event ev;
	uint32_t code = 0;

	feed_hex(server, "00 000000 00000001 00000014 00000000  00010101");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	pop_type(server, NULL);
	pop_type(server, NULL);
	feed_hex(server, "00 000000 00000004 00000011 00000001  00");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert_uint_eq(pop_type(server, &code), PTTLS_MSG_ERROR);
	ck_assert_uint_eq(code, PTTLS_ERR_MALFORMED_MESSAGE);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(unknown_mechanism_selected)
{
	pttls_conn_t *server = make(true, users, NULL, NULL);
	pttls_event ev;
	uint32_t code = 0;

	feed_hex(server, "00 000000 00000001 00000014 00000000  00010101");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	pop_type(server, NULL);
	pop_type(server, NULL);
	/* "EXTERNAL" was not offered. */
	feed_hex(server, "00 000000 00000004 00000019 00000001  08 45585445524e414c");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert_uint_eq(pop_type(server, &code), PTTLS_MSG_ERROR);
	ck_assert_uint_eq(code, PTTLS_ERR_SASL_MECHANISM_ERROR);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(unknown_type_skipped)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	pttls_event ev;
	uint32_t code = 0;

	negotiate(client, server);
	/* Type 9, then a batch: the first draws Type Not Supported, the second still arrives. */
	feed_hex(server, "00 000000 00000009 00000012 00000004  abcd");
	feed_hex(server, "00 000000 00000007 00000018 00000005  0200000100000008");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_BATCH);
	ck_assert_uint_eq(pop_type(server, &code), PTTLS_MSG_ERROR);
	ck_assert_uint_eq(code, PTTLS_ERR_TYPE_NOT_SUPPORTED);
	/* The peer's Type Not Supported is not fatal either. */
	feed_hex(client, "00 000000 00000008 00000018 00000006  00000000 00000003");
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_NONE);
	ck_assert_int_eq(pttls_conn_get_phase(client), PTTLS_PHASE_DATA);
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(error_received_is_fatal)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_event ev;

	pttls_conn_out_pop(client);
	feed_hex(client, "00 000000 00000008 00000018 00000000  00000000 00000002");
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert(ev.error_received);
	ck_assert_uint_eq(ev.pttls_error, PTTLS_ERR_VERSION_NOT_SUPPORTED);
	/* A PT-TLS Error is never sent in reply to a PT-TLS Error. */
	ck_assert(pttls_conn_out_empty(client));
	pttls_conn_destroy(client);
}
END_TEST

START_TEST(malformed_error_not_answered)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_event ev;

	pttls_conn_out_pop(client);
	feed_hex(client, "00 000000 00000008 00000014 00000000  00000000");
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert(pttls_conn_out_empty(client));
	pttls_conn_destroy(client);
}
END_TEST

START_TEST(wrong_version_chosen)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_event ev;
	uint32_t code = 0;

	pttls_conn_out_pop(client);
	feed_hex(client, "00 000000 00000002 00000014 00000000  00000002");
	ck_assert_int_eq(pttls_conn_next(client, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert_uint_eq(pop_type(client, &code), PTTLS_MSG_ERROR);
	ck_assert_uint_eq(code, PTTLS_ERR_VERSION_NOT_SUPPORTED);
	pttls_conn_destroy(client);
}
END_TEST

START_TEST(error_copies_offending_message)
{
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	const uint8_t *msg;
	pttls_event ev;
	size_t len, blen;
	unsigned char *bad = test_hex("00 000000 00000007 00000018 0000002a  0200000100000008", &blen);

	ck_assert_int_eq(pttls_conn_feed(server, bad, blen), TS_OK);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	msg = pttls_conn_out_peek(server, &len);
	ck_assert_ptr_nonnull(msg);
	ck_assert_uint_eq(len, 16 + 8 + blen);
	/* The copy keeps the Message Identifier 0x2a of the offending message. */
	ck_assert_mem_eq(msg + 24, bad, blen);
	free(bad);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(feed_limit)
{
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	static uint8_t chunk[MAX_MSG + 16];

	ck_assert_int_eq(pttls_conn_feed(server, chunk, sizeof(chunk)), TS_OK);
	ck_assert_int_eq(pttls_conn_feed(server, chunk, 1), TS_E_TOO_LARGE);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(send_batch_before_data_phase)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	static const uint8_t batch[8] = { 2 };

	ck_assert_int_eq(pttls_conn_send_batch(client, batch, sizeof(batch)), TS_E_STATE);
	pttls_conn_destroy(client);
}
END_TEST

START_TEST(plain_message_rules)
{
	static const uint8_t good[] = { 0, 'u', 0, 'p' };
	static const uint8_t authzid[] = { 'z', 0, 'u', 0, 'p' };
	static const uint8_t no_second_nul[] = { 0, 'u', 'p' };
	static const uint8_t empty_user[] = { 0, 0, 'p' };
	static const uint8_t empty_password[] = { 0, 'u', 0 };
	static const uint8_t extra_nul[] = { 0, 'u', 0, 'p', 0, 'q' };
	pttls_sasl_plain p;

	ck_assert_int_eq(pttls_sasl_plain_parse(good, sizeof(good), &p), TS_OK);
	ck_assert_uint_eq(p.authzid_len, 0);
	ck_assert_uint_eq(p.authcid_len, 1);
	ck_assert_uint_eq(p.passwd_len, 1);
	ck_assert_int_eq(pttls_sasl_plain_parse(authzid, sizeof(authzid), &p), TS_OK);
	ck_assert_uint_eq(p.authzid_len, 1);
	ck_assert_int_eq(pttls_sasl_plain_parse(no_second_nul, sizeof(no_second_nul), &p), TS_E_INVALID);
	ck_assert_int_eq(pttls_sasl_plain_parse(empty_user, sizeof(empty_user), &p), TS_E_INVALID);
	ck_assert_int_eq(pttls_sasl_plain_parse(empty_password, sizeof(empty_password), &p), TS_E_INVALID);
	ck_assert_int_eq(pttls_sasl_plain_parse(extra_nul, sizeof(extra_nul), &p), TS_E_INVALID);
	ck_assert_int_eq(pttls_sasl_plain_parse(NULL, 0, &p), TS_E_TRUNCATED);
}
END_TEST

START_TEST(userdb_rejects_bad_line)
{
	char path[64] = "/tmp/test_pttls_bad.XXXXXX";
	pttls_userdb *db = NULL;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "nocolon\n", 8), 8);
	close(fd);
	ck_assert_int_eq(pttls_userdb_load(path, &db), TS_E_CONFIG);
	ck_assert_ptr_null(db);
	unlink(path);
	ck_assert_int_eq(pttls_userdb_load("/nonexistent/users", &db), TS_E_NOT_FOUND);
}
END_TEST

START_TEST(unknown_type_flood_closes)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	/* One unknown-type message of 16 octets: each draws a 40-octet error. */
	static const uint8_t unknown[16] = { 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 16 };
	pttls_event ev;
	int closed = 0;

	negotiate(client, server);
	/* 8192 * 40 octets of errors exceed the 2 * 64 KiB + 64 KiB output limit when the peer does not read. */
	for (int round = 0; round < 128 && !closed; round++) {
		for (int i = 0; i < 64; i++)
			ck_assert_int_eq(pttls_conn_feed(server, unknown, sizeof(unknown)), TS_OK);
		ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
		if (ev.type == PTTLS_EV_CLOSE)
			closed = 1;
	}
	ck_assert_int_eq(closed, 1);
	ck_assert_int_eq(ev.error, TS_E_TOO_LARGE);
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(many_small_messages_one_feed)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	static const uint8_t batch[24] = { 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 24, 0, 0, 0, 0,
					   2, 0, 0, 1, 0, 0, 0, 8 };
	uint8_t *all = malloc(MAX_MSG);
	size_t count = MAX_MSG / sizeof(batch);
	pttls_event ev;
	size_t seen = 0;

	ck_assert_ptr_nonnull(all);
	for (size_t i = 0; i < count; i++)
		memcpy(all + i * sizeof(batch), batch, sizeof(batch));
	negotiate(client, server);
	ck_assert_int_eq(pttls_conn_feed(server, all, count * sizeof(batch)), TS_OK);
	for (;;) {
		ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
		if (ev.type != PTTLS_EV_BATCH)
			break;
		seen++;
	}
	ck_assert_uint_eq(seen, count);
	ck_assert_uint_eq(pttls_conn_buffered(server), 0);
	free(all);
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

/* The input buffer is freed once every buffered message was processed, and kept for a partial one. */
START_TEST(input_released_when_consumed)
{
	pttls_conn_t *client = make(false, NULL, NULL, NULL);
	pttls_conn_t *server = make(true, NULL, NULL, NULL);
	size_t batch_len = 16000, len;
	uint8_t *batch = malloc(batch_len);
	const uint8_t *msg;
	pttls_event ev;

	ck_assert_ptr_nonnull(batch);
	for (size_t i = 0; i < batch_len; i++)
		batch[i] = (uint8_t)(i * 7);
	negotiate(client, server);
	ck_assert_uint_gt(pttls_conn_input_capacity(server), 0);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_NONE);
	ck_assert_uint_eq(pttls_conn_input_capacity(server), 0);

	/* A whole message: the buffer stays while the event data points into it. */
	ck_assert_int_eq(pttls_conn_send_batch(client, batch, batch_len), TS_OK);
	ck_assert_int_eq(pump(client, server), 1);
	ck_assert_uint_ge(pttls_conn_input_capacity(server), batch_len + 16);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_BATCH);
	ck_assert_uint_ge(pttls_conn_input_capacity(server), batch_len + 16);
	ck_assert_uint_eq(ev.len, batch_len);
	ck_assert_mem_eq(ev.data, batch, batch_len);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_NONE);
	ck_assert_uint_eq(pttls_conn_input_capacity(server), 0);

	/* Half a message stays buffered until the rest completes it. */
	ck_assert_int_eq(pttls_conn_send_batch(client, batch, batch_len), TS_OK);
	msg = pttls_conn_out_peek(client, &len);
	ck_assert_uint_eq(len, batch_len + 16);
	ck_assert_int_eq(pttls_conn_feed(server, msg, len / 2), TS_OK);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_NONE);
	ck_assert_uint_eq(pttls_conn_buffered(server), len / 2);
	ck_assert_uint_ge(pttls_conn_input_capacity(server), len / 2);
	ck_assert_int_eq(pttls_conn_feed(server, msg + len / 2, len - len / 2), TS_OK);
	pttls_conn_out_pop(client);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_BATCH);
	ck_assert_uint_eq(ev.len, batch_len);
	ck_assert_mem_eq(ev.data, batch, batch_len);
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_NONE);
	ck_assert_uint_eq(pttls_conn_input_capacity(server), 0);

	free(batch);
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_external_with_client_cert)
{
	pttls_conn_t *client = make_cert_client(NULL, NULL);
	pttls_conn_t *server = make(true, users, NULL, NULL);

	pttls_conn_set_tls_peer(server, "/CN=client.test");
	negotiate(client, server);
	ck_assert_str_eq(pttls_conn_get_sasl_identity(server), "/CN=client.test");
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_external_offered_first)
{
	pttls_conn_t *server = make(true, users, NULL, NULL);
	const uint8_t *msg;
	pttls_event ev;
	size_t len, want_len;
	/* SASL Mechanisms: "EXTERNAL" then "PLAIN". */
	unsigned char *want = test_hex("00 000000 00000003 0000001f 00000001  08 45585445524e414c 05 504c41494e",
				       &want_len);

	pttls_conn_set_tls_peer(server, "/CN=client.test");
	feed_hex(server, "00 000000 00000001 00000014 00000000  00010101");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_uint_eq(pop_type(server, NULL), PTTLS_MSG_VERSION_RESPONSE);
	msg = pttls_conn_out_peek(server, &len);
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(msg, want, want_len);
	free(want);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_external_without_cert_rejected)
{
	pttls_conn_t *server = make(true, users, NULL, NULL);
	pttls_event ev;
	uint32_t code = 0;

	feed_hex(server, "00 000000 00000001 00000014 00000000  00010101");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	pop_type(server, NULL);
	pop_type(server, NULL);
	/* EXTERNAL was not offered: no verified client certificate. */
	feed_hex(server, "00 000000 00000004 00000019 00000001  08 45585445524e414c");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert_uint_eq(pop_type(server, &code), PTTLS_MSG_ERROR);
	ck_assert_uint_eq(code, PTTLS_ERR_SASL_MECHANISM_ERROR);
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(sasl_external_authzid_rejected)
{
	pttls_conn_t *server = make(true, users, NULL, NULL);
	pttls_event ev;

	pttls_conn_set_tls_peer(server, "/CN=client.test");
	feed_hex(server, "00 000000 00000001 00000014 00000000  00010101");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	pop_type(server, NULL);
	pop_type(server, NULL);
	/* EXTERNAL with the authorization identity "admin". */
	feed_hex(server, "00 000000 00000004 0000001e 00000001  08 45585445524e414c 61646d696e");
	ck_assert_int_eq(pttls_conn_next(server, &ev), TS_OK);
	ck_assert_int_eq(ev.type, PTTLS_EV_CLOSE);
	ck_assert_int_eq(ev.error, TS_E_VERIFY);
	ck_assert_uint_eq(pop_type(server, NULL), PTTLS_MSG_SASL_RESULT);
	ck_assert_ptr_null(pttls_conn_get_sasl_identity(server));
	pttls_conn_destroy(server);
}
END_TEST

START_TEST(client_without_cert_uses_plain)
{
	pttls_conn_t *client = make(false, NULL, "alice", "wonderland");
	pttls_conn_t *server = make(true, users, NULL, NULL);

	/* EXTERNAL is offered, but this client has no certificate. */
	pttls_conn_set_tls_peer(server, "/CN=client.test");
	negotiate(client, server);
	ck_assert_str_eq(pttls_conn_get_sasl_identity(server), "alice");
	pttls_conn_destroy(client);
	pttls_conn_destroy(server);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pttls_conn");
	TCase *ok = tcase_create("handshake");
	TCase *bad = tcase_create("violations");
	TCase *sasl = tcase_create("sasl");

	tcase_add_checked_fixture(sasl, setup_users, teardown_users);
	tcase_add_checked_fixture(bad, setup_users, teardown_users);
	tcase_add_test(ok, handshake_without_sasl);
	tcase_add_test(ok, message_ids_count_from_zero);
	tcase_add_test(ok, byte_by_byte_input);
	tcase_add_test(ok, input_released_when_consumed);
	tcase_add_test(ok, feed_limit);
	tcase_add_test(ok, send_batch_before_data_phase);
	tcase_add_test(ok, client_accepts_one_octet_result);
	tcase_add_test(sasl, sasl_plain_accepted);
	tcase_add_test(sasl, sasl_plain_hashed_password);
	tcase_add_test(sasl, sasl_plain_wrong_password);
	tcase_add_test(sasl, sasl_failure_reaches_client);
	tcase_add_test(sasl, sasl_without_credentials);
	tcase_add_test(sasl, sasl_challenge_without_initial_response);
	tcase_add_test(sasl, plain_message_rules);
	tcase_add_test(sasl, sasl_external_with_client_cert);
	tcase_add_test(sasl, sasl_external_offered_first);
	tcase_add_test(sasl, sasl_external_without_cert_rejected);
	tcase_add_test(sasl, sasl_external_authzid_rejected);
	tcase_add_test(sasl, client_without_cert_uses_plain);
	tcase_add_test(sasl, userdb_rejects_bad_line);
	tcase_add_test(bad, batch_before_negotiation);
	tcase_add_test(bad, second_version_request);
	tcase_add_test(bad, version_not_supported);
	tcase_add_test(bad, experimental_is_invalid);
	tcase_add_test(bad, sasl_message_in_data_phase);
	tcase_add_test(bad, length_below_header);
	tcase_add_test(bad, length_above_maximum);
	tcase_add_test(bad, reserved_type);
	tcase_add_test(bad, malformed_version_request);
	tcase_add_test(bad, malformed_selection);
	tcase_add_test(bad, unknown_mechanism_selected);
	tcase_add_test(bad, unknown_type_skipped);
	tcase_add_test(bad, error_received_is_fatal);
	tcase_add_test(bad, malformed_error_not_answered);
	tcase_add_test(bad, wrong_version_chosen);
	tcase_add_test(bad, error_copies_offending_message);
	tcase_add_test(bad, unknown_type_flood_closes);
	tcase_add_test(ok, many_small_messages_one_feed);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, sasl);
	suite_add_tcase(s, bad);
	return s;
}

TEST_MAIN()
