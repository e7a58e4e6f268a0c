/*
 * In-process PB-TNC handshakes: a client session with imc-test.so and a
 * server session with imv-test.so exchange real PB-TNC batches, in memory
 * and over a socketpair.
 */
#include "test_host_util.h"

#include <pthread.h>
#include <sys/socket.h>

#include "host.h"
#include "log.h"
#include "pb_batch.h"
#include "pb_msg.h"
#include "tnccs_session.h"

#define MAX_BATCHES 64

/* What pump() saw. */
typedef struct exchange {
	int rc_client;              /* last result of a client call */
	int rc_server;
	size_t count;               /* batches sent, both directions */
	uint8_t types[MAX_BATCHES]; /* B-Type of each batch, in order */
	uint8_t *first;             /* copy of the first batch */
	size_t first_len;
	uint8_t *result;            /* copy of the RESULT batch */
	size_t result_len;
	tnccs_result client_result;
	int client_result_rc;
	tnccs_result server_result;
	int server_result_rc;
} exchange;

static void record(exchange *x, const writer_t *w)
{
	const uint8_t *data = writer_data(w);
	size_t len = writer_len(w);

	ck_assert_uint_ge(len, 8);
	if (x->count < MAX_BATCHES)
		x->types[x->count] = data[3] & 0x0F;
	if (x->count == 0) {
		x->first = malloc(len);
		memcpy(x->first, data, len);
		x->first_len = len;
	}
	if ((data[3] & 0x0F) == PB_BATCH_RESULT && !x->result) {
		x->result = malloc(len);
		memcpy(x->result, data, len);
		x->result_len = len;
	}
	x->count++;
}

static void exchange_free(exchange *x)
{
	free(x->first);
	free(x->result);
}

/* Moves batches between the two sessions until neither has one to send. */
static void pump_sessions(tnccs_session_t *client, tnccs_session_t *server, exchange *x)
{
	writer_t to_server, to_client;

	memset(x, 0, sizeof(*x));
	writer_init(&to_server, SIZE_MAX);
	writer_init(&to_client, SIZE_MAX);

	ck_assert_int_eq(tnccs_session_start(server, &to_client), TS_OK);
	ck_assert_uint_eq(writer_len(&to_client), 0);
	x->rc_client = tnccs_session_start(client, &to_server);

	while (writer_len(&to_server) > 0 && x->count < MAX_BATCHES) {
		record(x, &to_server);
		writer_reset(&to_client);
		x->rc_server = tnccs_session_receive(server, writer_data(&to_server),
						     writer_len(&to_server), &to_client);
		writer_reset(&to_server);
		if (writer_len(&to_client) == 0)
			break;
		record(x, &to_client);
		x->rc_client = tnccs_session_receive(client, writer_data(&to_client),
						     writer_len(&to_client), &to_server);
	}
	x->client_result_rc = tnccs_session_get_result(client, &x->client_result);
	x->server_result_rc = tnccs_session_get_result(server, &x->server_result);
	writer_free(&to_server);
	writer_free(&to_client);
}

static tnccs_host_t *client_host, *server_host;

/* Creates both hosts with the built test modules (server: the IMVs named). */
static void make_hosts(const host_options *client_opts, const host_options *server_opts,
		       const char *const *imvs, size_t imv_count)
{
	char err[512] = "";

	ck_assert_int_eq(host_create(false, client_opts, &client_host), TS_OK);
	ck_assert_int_eq(host_create(true, server_opts, &server_host), TS_OK);
	ck_assert_msg(host_load_module(client_host, "Test", th_built_module("imc"), err,
				       sizeof(err)) == TS_OK, "%s", err);
	if (!imvs) {
		ck_assert_msg(host_load_module(server_host, "Test", th_built_module("imv"), err,
					       sizeof(err)) == TS_OK, "%s", err);
		return;
	}
	for (size_t i = 0; i < imv_count; i++)
		ck_assert_msg(host_load_module(server_host, imvs[i], th_module_copy("imv", imvs[i]),
					       err, sizeof(err)) == TS_OK, "%s", err);
}

static void free_hosts(void)
{
	host_destroy(client_host);
	host_destroy(server_host);
	client_host = server_host = NULL;
}

static void make_sessions(unsigned long conn_id, tnccs_session_t **client,
			  tnccs_session_t **server)
{
	tnccs_conn_info info = {
		.conn_id = conn_id,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.max_message_size = 0,
		.sasl_identity = "alice",
	};

	ck_assert_int_eq(tnccs_session_create(client_host, false, &info, client), TS_OK);
	ck_assert_int_eq(tnccs_session_create(server_host, true, &info, server), TS_OK);
}

/* Runs one session to its end with fresh sessions on the existing hosts. */
static void run_once(unsigned long conn_id, exchange *x)
{
	tnccs_session_t *client = NULL, *server = NULL;

	make_sessions(conn_id, &client, &server);
	pump_sessions(client, server, x);
	ck_assert(tnccs_session_finished(client));
	ck_assert(tnccs_session_finished(server));
	tnccs_session_destroy(client);
	tnccs_session_destroy(server);
}

static void setup(void)
{
	th_setup();
	th_conf("");
	th_log_levels();
}

static void teardown(void)
{
	th_cleanup();
}

/* Access Recommendation codes of RFC 5793: 1 allowed, 2 denied, 3 quarantined. */
enum { ALLOWED = 1, DENIED = 2, QUARANTINED = 3 };

START_TEST(session_two_rounds_allow)
{
	exchange x;

	th_conf("[imc-test]\nrounds = 2\nstats_file = stats\n"
		"[imv-test]\nrounds = 2\nexpect_messages = 2\nstats_file = stats\n");
	make_hosts(NULL, NULL, NULL, 0);
	run_once(1, &x);

	ck_assert_int_eq(x.rc_client, TS_OK);
	ck_assert_int_eq(x.rc_server, TS_OK);
	ck_assert_uint_eq(x.count, 5);
	ck_assert_uint_eq(x.types[0], PB_BATCH_CDATA);
	ck_assert_uint_eq(x.types[1], PB_BATCH_SDATA);
	ck_assert_uint_eq(x.types[2], PB_BATCH_CDATA);
	ck_assert_uint_eq(x.types[3], PB_BATCH_RESULT);
	ck_assert_uint_eq(x.types[4], PB_BATCH_CLOSE);
	ck_assert_int_eq(x.client_result_rc, TS_OK);
	ck_assert_uint_eq(x.client_result.access_recommendation, ALLOWED);
	ck_assert_uint_eq(x.client_result.assessment_result, 0);
	ck_assert_str_eq(x.client_result.reason, "imv-test: received 2 messages in 2 batches, 0 bad");
	ck_assert_int_eq(x.server_result_rc, TS_OK);
	ck_assert_uint_eq(x.server_result.access_recommendation, ALLOWED);
	ck_assert_str_eq(x.server_result.reason, x.client_result.reason);

	/* Both sides' modules saw the result and DELETE. */
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "state"),
			 TNC_CONNECTION_STATE_ACCESS_ALLOWED);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "state"),
			 TNC_CONNECTION_STATE_ACCESS_ALLOWED);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "received"), 1);
	ck_assert_str_eq(th_stat_text("stats", "imv imv-test", 0, "lang"), "en");
	/* The SASL identity is one AR identity. */
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "identities"), 1);
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_first_batch_layout)
{
	/*
	 * RFC 5793: batch header (version 2, D=0, CDATA), then
	 * PB-Language-Preference (NOSKIP clear, vendor 0, type 6, length 31,
	 * "Accept-Language: en"), then PB-PA (NOSKIP, type 1, length 24 + 64,
	 * EXCL clear, PA vendor 0, subtype 0, collector 1, validator 0xFFFF).
	 */
	static const char expected_hex[] =
		"02000001 0000007f"
		"00000000 00000006 0000001f" "4163636570742d4c616e67756167653a20656e"
		"80000000 00000001 00000058" "00000000 00000000 0001ffff";
	unsigned char *expected;
	size_t expected_len;
	exchange x;

	th_conf("[imc-test]\nrounds = 1\nmessage_size = 64\n[imv-test]\nrounds = 1\n");
	make_hosts(NULL, NULL, NULL, 0);
	run_once(1, &x);
	expected = test_hex(expected_hex, &expected_len);
	ck_assert_uint_eq(x.first_len, 8 + 31 + 24 + 64);
	ck_assert_mem_eq(x.first, expected, expected_len);
	/* The PA message body follows: imc-test's "TNCT" magic. */
	ck_assert_mem_eq(x.first + expected_len, "TNCTC", 5);
	free(expected);

	/* One round: CDATA, RESULT, CLOSE. */
	ck_assert_uint_eq(x.count, 3);
	ck_assert_uint_eq(x.types[1], PB_BATCH_RESULT);
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_many_rounds_and_messages)
{
	exchange x;

	th_conf("[imc-test]\nrounds = 6\nmessages = 40\nmessage_size = 300\nstats_file = stats\n"
		"[imv-test]\nrounds = 6\nmessages = 25\nmessage_size = 1000\nexpect_messages = 240\n"
		"stats_file = stats\n");
	make_hosts(NULL, NULL, NULL, 0);
	run_once(1, &x);
	ck_assert_uint_eq(x.count, 6 + 5 + 2);
	ck_assert_uint_eq(x.client_result.access_recommendation, ALLOWED);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "received"), 5 * 25);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "bad"), 0);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "received"), 240);
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_exclusive_delivery)
{
	static const char *const imvs[] = { "imv-test-a", "imv-test-b" };
	exchange x;
	pb_batch *b = NULL;
	pb_error_msg err;
	pb_limits limits;

	th_conf("[imc-test]\nrounds = 2\nexclusive = yes\nstats_file = stats\n"
		"[imv-test-a]\nrounds = 2\nexclusive = yes\nstats_file = stats\n"
		"[imv-test-b]\nrounds = 2\nexclusive = yes\nstats_file = stats\n");
	make_hosts(NULL, NULL, imvs, 2);
	run_once(1, &x);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-a", 0, "received"), 1);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-b", 0, "received"), 2);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-a", 0, "solicited"), 1);
	ck_assert_uint_eq(x.client_result.access_recommendation, ALLOWED);

	/* The RESULT batch: two reason strings, one per IMV. */
	pb_limits_default(&limits);
	ck_assert_int_eq(pb_batch_parse(x.result, x.result_len, PB_ROLE_CLIENT, &limits, &b, &err),
			 TS_OK);
	ck_assert_uint_eq(b->count, 4);
	ck_assert_uint_eq(b->msgs[0].type, PB_MSG_ASSESSMENT_RESULT);
	ck_assert_uint_eq(b->msgs[1].type, PB_MSG_ACCESS_RECOMMENDATION);
	ck_assert_uint_eq(b->msgs[2].type, PB_MSG_REASON_STRING);
	ck_assert_uint_eq(b->msgs[3].type, PB_MSG_REASON_STRING);
	ck_assert_uint_eq(b->msgs[3].reason.lang_len, 2);
	ck_assert_mem_eq(b->msgs[3].reason.lang, "en", 2);
	pb_batch_destroy(b);
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_client_retry)
{
	exchange x;

	th_conf("[imc-test]\nretries = 1\nstats_file = stats\n[imv-test]\nstats_file = stats\n");
	make_hosts(NULL, NULL, NULL, 0);
	run_once(1, &x);
	/* CDATA SDATA CDATA RESULT, CRETRY SDATA CDATA RESULT, CLOSE */
	ck_assert_uint_eq(x.count, 9);
	ck_assert_uint_eq(x.types[4], PB_BATCH_CRETRY);
	ck_assert_uint_eq(x.types[5], PB_BATCH_SDATA);
	ck_assert_uint_eq(x.types[7], PB_BATCH_RESULT);
	ck_assert_uint_eq(x.types[8], PB_BATCH_CLOSE);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "handshakes"), 2);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "handshakes"), 2);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "received"), 2);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "total"), 4);
	ck_assert_uint_eq(x.client_result.access_recommendation, ALLOWED);
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_server_round_trip_limit)
{
	host_options opts;
	exchange x;

	host_options_init(&opts);
	opts.max_round_trips = 2;
	th_conf("[imc-test]\nrounds = 10\n[imv-test]\nrounds = 10\nrecommendation = isolate\n"
		"stats_file = stats\n");
	make_hosts(NULL, &opts, NULL, 0);
	run_once(1, &x);
	/* CDATA SDATA CDATA RESULT CLOSE */
	ck_assert_uint_eq(x.count, 5);
	ck_assert_uint_eq(x.types[3], PB_BATCH_RESULT);
	ck_assert_uint_eq(x.client_result.access_recommendation, QUARANTINED);
	ck_assert_uint_eq(x.client_result.assessment_result, 1);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "solicited"), 1);
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_client_round_trip_limit)
{
	host_options opts;
	exchange x;

	host_options_init(&opts);
	opts.max_round_trips = 1;
	th_conf("[imc-test]\nrounds = 5\n[imv-test]\nrounds = 5\n");
	make_hosts(&opts, NULL, NULL, 0);
	run_once(1, &x);
	/* CDATA SDATA CDATA SDATA, then the client gives up with a fatal Local Error. */
	ck_assert_uint_eq(x.count, 5);
	ck_assert_uint_eq(x.types[4], PB_BATCH_CLOSE);
	ck_assert_int_eq(x.rc_server, TS_OK);
	ck_assert_int_eq(x.client_result_rc, TS_E_STATE);
	ck_assert_int_eq(x.server_result_rc, TS_E_STATE);
	exchange_free(&x);
	free_hosts();
}
END_TEST

typedef struct session_policy_case {
	const char *policy;
	const char *recs[3];
	uint32_t access;
	uint32_t assessment;
} session_policy_case;

/*
 * Expected PB results from the policy definitions (see host.h) and the
 * mapping allow -> 1, isolate -> 3, no access or none -> 2. Each IMV's
 * evaluation follows its recommendation: allow compliant (0), isolate minor
 * (1), no access major (2).
 */
static const session_policy_case session_policy_cases[] = {
	{ "default", { "allow", "isolate", "allow" }, QUARANTINED, 1 },
	{ "default", { "allow", "allow", "no_access" }, DENIED, 2 },
	{ "all", { "allow", "allow", "allow" }, ALLOWED, 0 },
	{ "all", { "allow", "allow", "isolate" }, DENIED, 4 },
	{ "any", { "no_access", "no_access", "isolate" }, QUARANTINED, 1 },
	{ "any", { "no_access", "allow", "isolate" }, ALLOWED, 0 },
};

START_TEST(session_recommendation_policies)
{
	static const char *const imvs[] = { "imv-test-a", "imv-test-b", "imv-test-c" };
	const session_policy_case *pc = &session_policy_cases[_i];
	host_options opts;
	char conf[1024];
	size_t n;
	exchange x;

	host_options_init(&opts);
	ck_assert_int_eq(host_policy_parse(pc->policy, &opts.policy), TS_OK);
	n = (size_t)snprintf(conf, sizeof(conf), "[imc-test]\nrounds = 2\n");
	for (int i = 0; i < 3; i++)
		n += (size_t)snprintf(conf + n, sizeof(conf) - n,
				      "[%s]\nrounds = 2\nrecommendation = %s\n", imvs[i], pc->recs[i]);
	th_conf(conf);
	make_hosts(NULL, &opts, imvs, 3);
	run_once(1, &x);
	ck_assert_int_eq(x.client_result_rc, TS_OK);
	ck_assert_msg(x.client_result.access_recommendation == pc->access,
		      "policy %s case %d: access %u, expected %u", pc->policy, _i,
		      x.client_result.access_recommendation, pc->access);
	ck_assert_msg(x.client_result.assessment_result == pc->assessment,
		      "policy %s case %d: assessment %u, expected %u", pc->policy, _i,
		      x.client_result.assessment_result, pc->assessment);
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_remediation_uri)
{
	host_options opts;
	exchange x;
	pb_batch *b = NULL;
	pb_error_msg err;
	pb_limits limits;
	bool found = false;

	host_options_init(&opts);
	snprintf(opts.remediation_uri, sizeof(opts.remediation_uri), "https://fix.example.org/");
	th_conf("[imc-test]\n[imv-test]\nrecommendation = no_access\nreason = \"patch level too old\"\n"
		"reason_language = de\n");
	make_hosts(NULL, &opts, NULL, 0);
	run_once(1, &x);
	ck_assert_uint_eq(x.client_result.access_recommendation, DENIED);
	ck_assert_uint_eq(x.client_result.assessment_result, 2);
	ck_assert_str_eq(x.client_result.reason, "patch level too old");

	pb_limits_default(&limits);
	ck_assert_int_eq(pb_batch_parse(x.result, x.result_len, PB_ROLE_CLIENT, &limits, &b, &err),
			 TS_OK);
	for (size_t i = 0; i < b->count; i++) {
		const pb_msg *m = &b->msgs[i];

		if (m->type == PB_MSG_REASON_STRING) {
			ck_assert_uint_eq(m->reason.lang_len, 2);
			ck_assert_mem_eq(m->reason.lang, "de", 2);
		}
		if (m->type != PB_MSG_REMEDIATION_PARAMETERS)
			continue;
		found = true;
		ck_assert_uint_eq(m->remediation.type, PB_REMEDIATION_URI);
		ck_assert_uint_eq(m->remediation.params_len, 24);
		ck_assert_mem_eq(m->remediation.params, "https://fix.example.org/", 24);
	}
	ck_assert(found);
	pb_batch_destroy(b);
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_server_without_imvs)
{
	exchange x;

	ck_assert_int_eq(host_create(false, NULL, &client_host), TS_OK);
	ck_assert_int_eq(host_create(true, NULL, &server_host), TS_OK);
	ck_assert_int_eq(host_load_module(client_host, "Test", th_built_module("imc"), NULL, 0), TS_OK);
	run_once(1, &x);
	/* Nothing can recommend: access denied, "don't know". */
	ck_assert_uint_eq(x.count, 3);
	ck_assert_uint_eq(x.client_result.access_recommendation, DENIED);
	ck_assert_uint_eq(x.client_result.assessment_result, 4);
	ck_assert_str_eq(x.client_result.reason, "");
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_failing_imv)
{
	static const char *const imvs[] = { "imv-test-a", "imv-test-b" };
	exchange x;

	th_conf("[imc-test]\n[imv-test-a]\nmisbehave = fatal\n[imv-test-b]\n");
	make_hosts(NULL, NULL, imvs, 2);
	run_once(1, &x);
	ck_assert(host_module_failed(server_host, 0));
	ck_assert_uint_eq(x.client_result.access_recommendation, DENIED);
	ck_assert_uint_eq(x.client_result.assessment_result, 3);
	exchange_free(&x);
	free_hosts();
}
END_TEST

START_TEST(session_bad_version)
{
	/* RFC 5793: a CLOSE batch (version 2, D=1) with only a fatal Version
	 * Not Supported error: bad version 1, max 2, min 2. */
	static const char expected_hex[] =
		"02800006 00000020"
		"80000000 00000005 00000018"
		"80000000 00040000 01020200";
	static const uint8_t batch[] = { 1, 0, 0, 1, 0, 0, 0, 8 };
	unsigned char *expected;
	size_t expected_len;
	tnccs_session_t *client = NULL, *server = NULL;
	writer_t out;

	make_hosts(NULL, NULL, NULL, 0);
	make_sessions(1, &client, &server);
	writer_init(&out, SIZE_MAX);
	ck_assert_int_eq(tnccs_session_start(server, &out), TS_OK);
	ck_assert_int_eq(tnccs_session_receive(server, batch, sizeof(batch), &out), TS_E_PROTOCOL);
	expected = test_hex(expected_hex, &expected_len);
	ck_assert_uint_eq(writer_len(&out), expected_len);
	ck_assert_mem_eq(writer_data(&out), expected, expected_len);
	ck_assert(tnccs_session_finished(server));

	/* The client receives that batch: the fatal error ends the session quietly. */
	writer_reset(&out);
	ck_assert_int_eq(tnccs_session_start(client, &out), TS_OK);
	writer_reset(&out);
	ck_assert_int_eq(tnccs_session_receive(client, expected, expected_len, &out), TS_OK);
	ck_assert_uint_eq(writer_len(&out), 0);
	ck_assert(tnccs_session_finished(client));
	ck_assert_int_eq(tnccs_session_receive(client, expected, expected_len, &out), TS_E_STATE);

	free(expected);
	writer_free(&out);
	tnccs_session_destroy(client);
	tnccs_session_destroy(server);
	free_hosts();
}
END_TEST

START_TEST(session_unexpected_batch_type)
{
	/* A client that opens with CRETRY: fatal Unexpected Batch Type (code 0) in CLOSE. */
	static const uint8_t batch[] = { 2, 0, 0, PB_BATCH_CRETRY, 0, 0, 0, 8 };
	tnccs_session_t *client = NULL, *server = NULL;
	pb_batch *b = NULL;
	pb_error_msg err;
	pb_limits limits;
	writer_t out;

	make_hosts(NULL, NULL, NULL, 0);
	make_sessions(1, &client, &server);
	writer_init(&out, SIZE_MAX);
	ck_assert_int_eq(tnccs_session_start(server, &out), TS_OK);
	ck_assert_int_eq(tnccs_session_receive(server, batch, sizeof(batch), &out), TS_E_PROTOCOL);
	pb_limits_default(&limits);
	ck_assert_int_eq(pb_batch_parse(writer_data(&out), writer_len(&out), PB_ROLE_CLIENT, &limits,
					&b, &err), TS_OK);
	ck_assert_uint_eq(b->type, PB_BATCH_CLOSE);
	ck_assert_uint_eq(b->count, 1);
	ck_assert_uint_eq(b->msgs[0].type, PB_MSG_ERROR);
	ck_assert(b->msgs[0].error.fatal);
	ck_assert_uint_eq(b->msgs[0].error.code, PB_ERROR_UNEXPECTED_BATCH_TYPE);
	pb_batch_destroy(b);
	writer_free(&out);
	tnccs_session_destroy(client);
	tnccs_session_destroy(server);
	free_hosts();
}
END_TEST

START_TEST(session_start_rules)
{
	tnccs_session_t *client = NULL, *server = NULL, *other = NULL;
	tnccs_conn_info info = { .conn_id = 1 };
	writer_t out;

	make_hosts(NULL, NULL, NULL, 0);
	make_sessions(1, &client, &server);
	/* The connection ID is in use on both hosts; the sides must match. */
	ck_assert_int_eq(tnccs_session_create(server_host, true, &info, &other), TS_E_STATE);
	info.conn_id = 2;
	ck_assert_int_eq(tnccs_session_create(server_host, false, &info, &other), TS_E_INVALID);
	writer_init(&out, SIZE_MAX);
	ck_assert_int_eq(tnccs_session_start(client, &out), TS_OK);
	ck_assert_int_eq(tnccs_session_start(client, &out), TS_E_STATE);
	ck_assert_int_eq(tnccs_session_get_result(client, &(tnccs_result){ 0 }), TS_E_STATE);
	writer_free(&out);
	tnccs_session_destroy(client);
	tnccs_session_destroy(server);
	free_hosts();
}
END_TEST

/* Over a socketpair: each side in its own thread, batches framed by a 4-octet length. */

typedef struct peer {
	tnccs_session_t *session;
	int fd;
	int rc;
	unsigned batches;
} peer;

static int write_frame(int fd, const writer_t *w)
{
	uint8_t len[4] = {
		(uint8_t)(w->len >> 24), (uint8_t)(w->len >> 16), (uint8_t)(w->len >> 8), (uint8_t)w->len,
	};

	if (write(fd, len, 4) != 4)
		return -1;
	for (size_t done = 0; done < w->len;) {
		ssize_t n = write(fd, w->data + done, w->len - done);

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static uint8_t *read_frame(int fd, size_t *len)
{
	uint8_t hdr[4], *buf;
	size_t need, done = 0;

	for (size_t got = 0; got < 4;) {
		ssize_t n = read(fd, hdr + got, 4 - got);

		if (n <= 0)
			return NULL;
		got += (size_t)n;
	}
	need = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	buf = malloc(need ? need : 1);
	while (buf && done < need) {
		ssize_t n = read(fd, buf + done, need - done);

		if (n <= 0) {
			free(buf);
			return NULL;
		}
		done += (size_t)n;
	}
	*len = need;
	return buf;
}

static void *peer_main(void *arg)
{
	peer *p = arg;
	writer_t out;

	writer_init(&out, SIZE_MAX);
	p->rc = tnccs_session_start(p->session, &out);
	if (p->rc == TS_OK && writer_len(&out) > 0)
		p->rc = write_frame(p->fd, &out);
	while (p->rc == TS_OK && !tnccs_session_finished(p->session)) {
		size_t len;
		uint8_t *batch = read_frame(p->fd, &len);

		if (!batch)
			break;
		p->batches++;
		writer_reset(&out);
		p->rc = tnccs_session_receive(p->session, batch, len, &out);
		free(batch);
		if (writer_len(&out) > 0 && write_frame(p->fd, &out) != 0)
			p->rc = TS_E_IO;
	}
	writer_free(&out);
	shutdown(p->fd, SHUT_WR);
	return NULL;
}

START_TEST(session_over_socketpair)
{
	tnccs_session_t *client = NULL, *server = NULL;
	int fds[2];
	pthread_t tc, ts;
	peer pc, ps;
	tnccs_result result;

	/* Large batches exceed the socket buffer, so both threads must run. */
	th_conf("[imc-test]\nrounds = 4\nmessages = 20\nmessage_size = 20000\nstats_file = stats\n"
		"[imv-test]\nrounds = 4\nmessages = 10\nmessage_size = 30000\nexpect_messages = 80\n");
	make_hosts(NULL, NULL, NULL, 0);
	make_sessions(7, &client, &server);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	pc = (peer){ client, fds[0], 0, 0 };
	ps = (peer){ server, fds[1], 0, 0 };
	ck_assert_int_eq(pthread_create(&ts, NULL, peer_main, &ps), 0);
	ck_assert_int_eq(pthread_create(&tc, NULL, peer_main, &pc), 0);
	ck_assert_int_eq(pthread_join(tc, NULL), 0);
	ck_assert_int_eq(pthread_join(ts, NULL), 0);
	close(fds[0]);
	close(fds[1]);

	ck_assert_int_eq(pc.rc, TS_OK);
	ck_assert_int_eq(ps.rc, TS_OK);
	ck_assert_uint_eq(pc.batches, 4);   /* 3 SDATA and RESULT */
	ck_assert_uint_eq(ps.batches, 5);   /* 4 CDATA and CLOSE */
	ck_assert_int_eq(tnccs_session_get_result(client, &result), TS_OK);
	ck_assert_uint_eq(result.access_recommendation, ALLOWED);
	tnccs_session_destroy(client);
	tnccs_session_destroy(server);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "received"), 30);
	free_hosts();
}
END_TEST

typedef struct session_worker {
	unsigned long first_id;
	int runs;
	int allowed;
} session_worker;

static void *session_worker_main(void *arg)
{
	session_worker *w = arg;

	for (int i = 0; i < w->runs; i++) {
		exchange x;

		run_once(w->first_id + (unsigned long)i, &x);
		if (x.client_result.access_recommendation == ALLOWED)
			w->allowed++;
		exchange_free(&x);
	}
	return NULL;
}

START_TEST(session_concurrent_sessions)
{
	enum { THREADS = 4, RUNS = 20 };
	pthread_t threads[THREADS];
	session_worker workers[THREADS];

	th_conf("[imc-test]\nrounds = 3\nmessages = 4\nstats_file = stats\n"
		"[imv-test]\nrounds = 3\nexpect_messages = 12\nstats_file = stats\n");
	make_hosts(NULL, NULL, NULL, 0);
	for (int t = 0; t < THREADS; t++) {
		workers[t] = (session_worker){ 100UL * (unsigned long)(t + 1), RUNS, 0 };
		ck_assert_int_eq(pthread_create(&threads[t], NULL, session_worker_main, &workers[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
		ck_assert_int_eq(workers[t].allowed, RUNS);
	}
	ck_assert_int_eq(th_stat_lines("stats", "imv imv-test"), THREADS * RUNS);
	free_hosts();
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("tnccs_session");
	TCase *tc = tcase_create("handshake");
	TCase *err_tc = tcase_create("errors");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, session_two_rounds_allow);
	tcase_add_test(tc, session_first_batch_layout);
	tcase_add_test(tc, session_many_rounds_and_messages);
	tcase_add_test(tc, session_exclusive_delivery);
	tcase_add_test(tc, session_client_retry);
	tcase_add_test(tc, session_server_round_trip_limit);
	tcase_add_test(tc, session_client_round_trip_limit);
	tcase_add_loop_test(tc, session_recommendation_policies, 0,
			    (int)(sizeof(session_policy_cases) / sizeof(session_policy_cases[0])));
	tcase_add_test(tc, session_remediation_uri);
	tcase_add_test(tc, session_server_without_imvs);
	tcase_add_test(tc, session_failing_imv);
	tcase_add_test(tc, session_over_socketpair);
	tcase_add_test(tc, session_concurrent_sessions);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(err_tc, setup, teardown);
	tcase_add_test(err_tc, session_bad_version);
	tcase_add_test(err_tc, session_unexpected_batch_type);
	tcase_add_test(err_tc, session_start_rules);
	suite_add_tcase(s, err_tc);
	return s;
}

TEST_MAIN()
