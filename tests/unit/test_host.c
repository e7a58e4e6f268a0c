/*
 * Tests of the IMC/IMV host with the real imc-test.so and imv-test.so:
 * loading, binding, attributes, routing, recommendation policies and
 * misbehaving modules. A small in-memory pump moves the messages between a
 * TNCC and a TNCS connection the way PB-TNC batches would. The PB-TNC
 * session itself is tested in test_tnccs_session.c.
 */
#include "test_host_util.h"

#include <pthread.h>

#include "conf.h"
#include "host.h"
#include "host_internal.h"
#include "log.h"

/* The outcome of one pumped handshake (or several, with retries). */
typedef struct pump_result {
	TNC_IMV_Action_Recommendation rec;
	TNC_IMV_Evaluation_Result eval;
	unsigned round_trips;     /* of the last handshake */
	unsigned handshakes;
	char reason[512];
	char reason_lang[64];
	unsigned reasons;
} pump_result;

static void transfer(host_conn_t *from, host_conn_t *to)
{
	size_t count;
	const host_msg *msgs = host_conn_messages(from, &count);

	for (size_t i = 0; i < count; i++)
		host_conn_deliver(to, &msgs[i]);
	host_conn_clear_messages(from);
}

/* Runs the handshakes of one connection between a TNCC and a TNCS. */
static void pump(tnccs_host_t *client, tnccs_host_t *server, unsigned long conn_id,
		 pump_result *res)
{
	static const char lang[] = "Accept-Language: en";
	tnccs_conn_info info = {
		.conn_id = conn_id,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.peer_cert_subject = "CN=client.example.org",
	};
	uint32_t max_round_trips = host_get_options(server)->max_round_trips;
	host_conn_t *cc = NULL, *sc = NULL;
	bool retry = true;

	memset(res, 0, sizeof(*res));
	ck_assert_int_eq(host_conn_create(client, &info, &cc), TS_OK);
	ck_assert_int_eq(host_conn_create(server, &info, &sc), TS_OK);
	host_conn_notify(cc, TNC_CONNECTION_STATE_CREATE);
	host_conn_notify(sc, TNC_CONNECTION_STATE_CREATE);
	host_conn_set_language(sc, (const uint8_t *)lang, strlen(lang));

	while (retry) {
		TNC_ConnectionState state;
		size_t count;

		res->handshakes++;
		host_conn_notify(cc, TNC_CONNECTION_STATE_HANDSHAKE);
		host_conn_begin_handshake(cc);
		host_conn_notify(sc, TNC_CONNECTION_STATE_HANDSHAKE);

		for (res->round_trips = 1;; res->round_trips++) {
			transfer(cc, sc);
			host_conn_batch_ending(sc);
			if (host_conn_all_recommended(sc))
				break;
			host_conn_messages(sc, &count);
			if (count == 0 || res->round_trips >= max_round_trips) {
				host_conn_solicit(sc);
				break;
			}
			transfer(sc, cc);
			host_conn_batch_ending(cc);
		}
		/* Messages of the last server batch go to the client with the result. */
		transfer(sc, cc);

		host_conn_get_recommendation(sc, &res->rec, &res->eval);
		state = host_access_state(host_access_code(res->rec));
		host_conn_notify(sc, state);
		host_conn_notify(cc, state);
		retry = host_conn_take_retry(cc, NULL);
	}

	res->reason[0] = '\0';
	while (host_conn_get_reason(sc, res->reasons, res->reason, sizeof(res->reason),
				    res->reason_lang, sizeof(res->reason_lang)))
		res->reasons++;
	if (res->reasons)
		ck_assert(host_conn_get_reason(sc, 0, res->reason, sizeof(res->reason),
					       res->reason_lang, sizeof(res->reason_lang)));
	host_conn_destroy(cc);
	host_conn_destroy(sc);
}

static tnccs_host_t *make_host(bool is_server, const host_options *opts)
{
	tnccs_host_t *host = NULL;

	ck_assert_int_eq(host_create(is_server, opts, &host), TS_OK);
	return host;
}

static void load(tnccs_host_t *host, const char *name, const char *path)
{
	char err[512] = "";

	ck_assert_msg(host_load_module(host, name, path, err, sizeof(err)) == TS_OK, "%s", err);
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

/* Loading */

START_TEST(host_load_missing_library)
{
	tnccs_host_t *host = make_host(false, NULL);
	char err[512];

	ck_assert_int_eq(host_load_module(host, "X", "/nonexistent/imc-x.so", err, sizeof(err)),
			 TS_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(err, "cannot load IMC \"X\""));
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/imc-x.so"));
	ck_assert_uint_eq(host_module_count(host), 0);
	host_destroy(host);
}
END_TEST

START_TEST(host_load_wrong_side)
{
	tnccs_host_t *host = make_host(false, NULL);
	char err[512];

	/* An IMV exports TNC_IMV_*, so an IMC host finds no TNC_IMC_Initialize. */
	ck_assert_int_eq(host_load_module(host, "V", th_built_module("imv"), err, sizeof(err)),
			 TS_E_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "lacks the mandatory function TNC_IMC_Initialize"));
	ck_assert_uint_eq(host_module_count(host), 0);
	host_destroy(host);
}
END_TEST

START_TEST(host_load_same_file_twice)
{
	tnccs_host_t *host = make_host(true, NULL);
	char err[512];

	load(host, "A", th_built_module("imv"));
	ck_assert_int_eq(host_load_module(host, "B", th_built_module("imv"), err, sizeof(err)),
			 TS_E_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "is loaded already as \"A\""));
	ck_assert_uint_eq(host_module_count(host), 1);
	host_destroy(host);
}
END_TEST

START_TEST(host_load_tnc_config_sides)
{
	tnccs_host_t *client = make_host(false, NULL), *server;
	host_options opts;
	char text[2048], err[512];

	host_options_init(&opts);
	snprintf(opts.tnc_config, sizeof(opts.tnc_config), "%s", th_path("tnc_config"));
	server = make_host(true, &opts);

	snprintf(text, sizeof(text),
		 "# test modules\nIMC \"Test\" %s\nIMV \"Test A\" %s\nIMV \"Test B\" %s\n",
		 th_built_module("imc"), th_built_module("imv"), th_module_copy("imv", "imv-test-b"));
	th_write("tnc_config", text);

	ck_assert_int_eq(host_load_tnc_config(client, th_path("tnc_config"), err, sizeof(err)), TS_OK);
	/* The server takes the path from its options. */
	ck_assert_int_eq(host_load_tnc_config(server, NULL, err, sizeof(err)), TS_OK);
	ck_assert_uint_eq(host_module_count(client), 1);
	ck_assert_str_eq(host_module_name(client, 0), "Test");
	ck_assert_uint_eq(host_module_id(client, 0), 1);
	ck_assert_uint_eq(host_module_count(server), 2);
	ck_assert_str_eq(host_module_name(server, 1), "Test B");
	ck_assert_uint_eq(host_module_id(server, 0), 1);
	ck_assert_uint_eq(host_module_id(server, 1), 2);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_load_tnc_config_error)
{
	tnccs_host_t *server = make_host(true, NULL);
	char text[2048], err[512];

	snprintf(text, sizeof(text), "IMV \"Test\" %s\nIMV \"Gone\" /nonexistent/imv.so\n",
		 th_built_module("imv"));
	th_write("tnc_config", text);
	ck_assert_int_eq(host_load_tnc_config(server, th_path("tnc_config"), err, sizeof(err)),
			 TS_E_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(err, "tnc_config:2: cannot load IMV \"Gone\""));
	ck_assert_uint_eq(host_module_count(server), 1);
	host_destroy(server);
}
END_TEST

START_TEST(host_one_per_side)
{
	tnccs_host_t *a = make_host(true, NULL), *b = NULL, *c = make_host(false, NULL);

	ck_assert_int_eq(host_create(true, NULL, &b), TS_E_STATE);
	host_destroy(a);
	ck_assert_int_eq(host_create(true, NULL, &b), TS_OK);
	host_destroy(b);
	host_destroy(c);
}
END_TEST

START_TEST(host_extra_ids_limit)
{
	host_options opts;
	tnccs_host_t *client;
	char err[512];

	host_options_init(&opts);
	opts.max_extra_ids = 2;
	client = make_host(false, &opts);
	th_conf("[imc-test]\nextra_ids = 3\n");
	/* The third ReserveAdditionalIMCID fails, so ProvideBindFunction fails. */
	ck_assert_int_eq(host_load_module(client, "C", th_built_module("imc"), err, sizeof(err)),
			 TS_E_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "ProvideBindFunction returned OTHER"));
	host_destroy(client);
}
END_TEST

START_TEST(host_module_config_error)
{
	tnccs_host_t *server = make_host(true, NULL);
	char err[512];

	th_conf("[imv-test]\nrecommendation = perhaps\n");
	ck_assert_int_eq(host_load_module(server, "V", th_built_module("imv"), err, sizeof(err)),
			 TS_E_INVALID);
	ck_assert_ptr_nonnull(strstr(err, "Initialize returned FATAL"));
	host_destroy(server);
}
END_TEST

/* Binding and attributes */

START_TEST(host_bind_every_function)
{
	static const char *const tncc[] = {
		"TNC_TNCC_ReportMessageTypes", "TNC_TNCC_ReportMessageTypesLong",
		"TNC_TNCC_SendMessage", "TNC_TNCC_SendMessageLong", "TNC_TNCC_SendMessageSOH",
		"TNC_TNCC_RequestHandshakeRetry", "TNC_TNCC_GetAttribute", "TNC_TNCC_SetAttribute",
		"TNC_TNCC_ReserveAdditionalIMCID",
	};
	static const char *const tncs[] = {
		"TNC_TNCS_ReportMessageTypes", "TNC_TNCS_ReportMessageTypesLong",
		"TNC_TNCS_SendMessage", "TNC_TNCS_SendMessageLong", "TNC_TNCS_SendMessageSOH",
		"TNC_TNCS_RequestHandshakeRetry", "TNC_TNCS_ProvideRecommendation",
		"TNC_TNCS_GetAttribute", "TNC_TNCS_SetAttribute", "TNC_TNCS_ReserveAdditionalIMVID",
	};
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	void *fn;

	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	for (size_t i = 0; i < sizeof(tncc) / sizeof(tncc[0]); i++) {
		fn = NULL;
		ck_assert_int_eq(host_imc_bind(1, (char *)tncc[i], &fn), TNC_RESULT_SUCCESS);
		ck_assert_ptr_nonnull(fn);
	}
	for (size_t i = 0; i < sizeof(tncs) / sizeof(tncs[0]); i++) {
		fn = NULL;
		ck_assert_int_eq(host_imv_bind(1, (char *)tncs[i], &fn), TNC_RESULT_SUCCESS);
		ck_assert_ptr_nonnull(fn);
	}
	/* The TNCC has no ProvideRecommendation; unknown names and IDs are invalid. */
	ck_assert_int_eq(host_imc_bind(1, "TNC_TNCS_ProvideRecommendation", &fn),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_ptr_null(fn);
	ck_assert_int_eq(host_imv_bind(1, "TNC_TNCS_Nothing", &fn), TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(host_imv_bind(77, "TNC_TNCS_SendMessage", &fn),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(host_imv_bind(1, NULL, &fn), TNC_RESULT_INVALID_PARAMETER);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

static TNC_TNCS_GetAttributePointer tncs_get_attribute(void)
{
	void *fn = NULL;

	ck_assert_int_eq(host_imv_bind(1, "TNC_TNCS_GetAttribute", &fn), TNC_RESULT_SUCCESS);
	return (TNC_TNCS_GetAttributePointer)fn;
}

START_TEST(host_attributes_imv)
{
	tnccs_conn_info info = {
		.conn_id = 42,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.max_message_size = 65536,
		.peer_cert_subject = "CN=pc",
		.sasl_identity = "bob",
	};
	/* Identity list (IF-IMV 1.4): count 2; X.500 DN "CN=pc", machine, X.509
	 * certificate; user name "bob", user, method unknown. */
	static const char identities_hex[] =
		"00000002"
		"00005597 00000006 00000005 434e3d7063 00005597 00000001 00005597 00000001"
		"00005597 00000005 00000003 626f62 00005597 00000002 00005597 00000000";
	static const char lang[] = "Accept-Language: de, en";
	tnccs_host_t *server = make_host(true, NULL);
	TNC_TNCS_GetAttributePointer get;
	host_conn_t *conn = NULL;
	uint8_t buf[256];
	TNC_UInt32 len = 0;
	unsigned char *expected;
	size_t expected_len;

	load(server, "V", th_built_module("imv"));
	get = tncs_get_attribute();
	ck_assert_int_eq(host_conn_create(server, &info, &conn), TS_OK);
	host_conn_set_language(conn, (const uint8_t *)lang, strlen(lang));

	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_MAX_ROUND_TRIPS, sizeof(buf), buf, &len), 0);
	ck_assert_uint_eq(len, 4);
	ck_assert_mem_eq(buf, "\x00\x00\x00\x32", 4);   /* the default of 50 */

	/* 65536 - 8 (batch header) - 24 (PB-PA headers) */
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, sizeof(buf), buf, &len), 0);
	ck_assert_mem_eq(buf, "\x00\x00\xff\xe0", 4);

	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_HAS_LONG_TYPES, sizeof(buf), buf, &len), 0);
	ck_assert_uint_eq(len, 1);
	ck_assert_uint_eq(buf[0], 1);
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_HAS_EXCLUSIVE, sizeof(buf), buf, &len), 0);
	ck_assert_uint_eq(buf[0], 1);
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_HAS_SOH, sizeof(buf), buf, &len), 0);
	ck_assert_uint_eq(buf[0], 0);

	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_IFTNCCS_PROTOCOL, sizeof(buf), buf, &len), 0);
	ck_assert_uint_eq(len, 9);
	ck_assert_str_eq((char *)buf, "IF-TNCCS");
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_IFTNCCS_VERSION, sizeof(buf), buf, &len), 0);
	ck_assert_str_eq((char *)buf, "2.0");
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_IFT_PROTOCOL, sizeof(buf), buf, &len), 0);
	ck_assert_str_eq((char *)buf, "IF-T for TLS");
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_IFT_VERSION, sizeof(buf), buf, &len), 0);
	ck_assert_str_eq((char *)buf, "2.0");

	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_PRIMARY_IMV_ID, sizeof(buf), buf, &len), 0);
	ck_assert_mem_eq(buf, "\x00\x00\x00\x01", 4);
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_PRIMARY_IMC_ID, sizeof(buf), buf, &len),
			 TNC_RESULT_INVALID_PARAMETER);

	/* The Accept-Language header name is stripped; no NUL is added. */
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_PREFERRED_LANGUAGE, sizeof(buf), buf, &len), 0);
	ck_assert_uint_eq(len, 6);
	ck_assert_mem_eq(buf, "de, en", 6);

	expected = test_hex(identities_hex, &expected_len);
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_AR_IDENTITIES, sizeof(buf), buf, &len), 0);
	ck_assert_uint_eq(len, expected_len);
	ck_assert_mem_eq(buf, expected, expected_len);
	free(expected);

	/* Too small a buffer: the length only. Unsupported and unknown attributes. */
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_IFT_PROTOCOL, 4, buf, &len),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_uint_eq(len, 13);
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_TLS_UNIQUE, sizeof(buf), buf, &len),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_DHPN, sizeof(buf), buf, &len),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(get(1, 42, 0x12345, sizeof(buf), buf, &len), TNC_RESULT_INVALID_PARAMETER);

	/*
	 * Without a transport limit: 2097104, the value strongSwan 6.0.6 gives
	 * its IMCs and IMVs over PT-TLS (seen in its segmentation contracts).
	 */
	{
		tnccs_conn_info plain = { .conn_id = 43 };
		host_conn_t *other = NULL;

		ck_assert_int_eq(host_conn_create(server, &plain, &other), TS_OK);
		ck_assert_int_eq(get(1, 43, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, sizeof(buf), buf, &len), 0);
		ck_assert_mem_eq(buf, "\x00\x1f\xff\xd0", 4);
		host_conn_destroy(other);
	}

	/* Unknown connection, the host itself, bad arguments. */
	ck_assert_int_eq(get(1, 43, TNC_ATTRIBUTEID_IFT_VERSION, sizeof(buf), buf, &len),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(get(1, TNC_CONNECTIONID_ANY, TNC_ATTRIBUTEID_HAS_LONG_TYPES, sizeof(buf),
			     buf, &len), 0);
	ck_assert_int_eq(get(1, TNC_CONNECTIONID_ANY, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, sizeof(buf),
			     buf, &len), TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(get(1, 42, TNC_ATTRIBUTEID_IFT_VERSION, sizeof(buf), buf, NULL),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(get(9, 42, TNC_ATTRIBUTEID_IFT_VERSION, sizeof(buf), buf, &len),
			 TNC_RESULT_INVALID_PARAMETER);

	host_conn_destroy(conn);
	host_destroy(server);
}
END_TEST

START_TEST(host_attributes_imc)
{
	tnccs_conn_info info = { .conn_id = 7 };
	host_options opts;
	tnccs_host_t *client;
	host_conn_t *conn = NULL;
	TNC_TNCC_GetAttributePointer get;
	TNC_TNCC_SetAttributePointer set;
	void *fn = NULL;
	uint8_t buf[64];
	TNC_UInt32 len = 0;

	host_options_init(&opts);
	snprintf(opts.language, sizeof(opts.language), "fr, en");
	opts.max_batch_size = 1000;
	client = make_host(false, &opts);
	load(client, "C", th_built_module("imc"));
	ck_assert_int_eq(host_imc_bind(1, "TNC_TNCC_GetAttribute", &fn), 0);
	get = (TNC_TNCC_GetAttributePointer)fn;
	ck_assert_int_eq(host_imc_bind(1, "TNC_TNCC_SetAttribute", &fn), 0);
	set = (TNC_TNCC_SetAttributePointer)fn;
	ck_assert_int_eq(host_conn_create(client, &info, &conn), TS_OK);

	ck_assert_int_eq(get(1, 7, TNC_ATTRIBUTEID_PREFERRED_LANGUAGE, sizeof(buf), buf, &len), 0);
	ck_assert_uint_eq(len, 6);
	ck_assert_mem_eq(buf, "fr, en", 6);
	ck_assert_int_eq(get(1, 7, TNC_ATTRIBUTEID_PRIMARY_IMC_ID, sizeof(buf), buf, &len), 0);
	ck_assert_mem_eq(buf, "\x00\x00\x00\x01", 4);
	/* The transport gave no limit: the configured 1000 - 32. */
	ck_assert_int_eq(get(1, 7, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, sizeof(buf), buf, &len), 0);
	ck_assert_mem_eq(buf, "\x00\x00\x03\xc8", 4);
	/* IMV-side attributes and transport attributes the connection lacks. */
	ck_assert_int_eq(get(1, 7, TNC_ATTRIBUTEID_AR_IDENTITIES, sizeof(buf), buf, &len),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(get(1, 7, TNC_ATTRIBUTEID_IFT_PROTOCOL, sizeof(buf), buf, &len),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(set(1, 7, TNC_ATTRIBUTEID_REASON_STRING, 2, (uint8_t *)"x"),
			 TNC_RESULT_INVALID_PARAMETER);
	host_conn_destroy(conn);
	host_destroy(client);
}
END_TEST

START_TEST(host_reason_string_checks)
{
	tnccs_conn_info info = { .conn_id = 5 };
	tnccs_host_t *server = make_host(true, NULL);
	host_conn_t *conn = NULL;
	TNC_TNCS_SetAttributePointer set;
	void *fn = NULL;
	char reason[64], lang[16];
	static uint8_t overlong[] = { 'a', 0xC0, 0xAF };
	static uint8_t surrogate[] = { 0xED, 0xA0, 0x80 };
	static uint8_t umlaut[] = { 'G', 'r', 0xC3, 0xBC, 'n' };

	load(server, "V", th_built_module("imv"));
	ck_assert_int_eq(host_imv_bind(1, "TNC_TNCS_SetAttribute", &fn), 0);
	set = (TNC_TNCS_SetAttributePointer)fn;
	ck_assert_int_eq(host_conn_create(server, &info, &conn), TS_OK);

	ck_assert_int_eq(set(1, 5, TNC_ATTRIBUTEID_REASON_STRING, sizeof(overlong), overlong),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(set(1, 5, TNC_ATTRIBUTEID_REASON_STRING, sizeof(surrogate), surrogate),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(set(1, 5, TNC_ATTRIBUTEID_REASON_STRING, 4, (uint8_t *)"a\0b"),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(set(1, 5, TNC_ATTRIBUTEID_REASON_LANGUAGE, 5, (uint8_t *)"e n\0"),
			 TNC_RESULT_INVALID_PARAMETER);
	ck_assert(!host_conn_get_reason(conn, 0, reason, sizeof(reason), lang, sizeof(lang)));

	ck_assert_int_eq(set(1, 5, TNC_ATTRIBUTEID_REASON_STRING, sizeof(umlaut), umlaut), 0);
	ck_assert_int_eq(set(1, 5, TNC_ATTRIBUTEID_REASON_LANGUAGE, 3, (uint8_t *)"de\0"), 0);
	ck_assert(host_conn_get_reason(conn, 0, reason, sizeof(reason), lang, sizeof(lang)));
	ck_assert_str_eq(reason, "Gr\xc3\xbcn");
	ck_assert_str_eq(lang, "de");
	ck_assert(!host_conn_get_reason(conn, 1, reason, sizeof(reason), lang, sizeof(lang)));
	/* An empty value clears the reason. */
	ck_assert_int_eq(set(1, 5, TNC_ATTRIBUTEID_REASON_STRING, 0, NULL), 0);
	ck_assert(!host_conn_get_reason(conn, 0, reason, sizeof(reason), lang, sizeof(lang)));
	host_conn_destroy(conn);
	host_destroy(server);
}
END_TEST

START_TEST(host_conn_id_in_use)
{
	tnccs_conn_info info = { .conn_id = 9 };
	tnccs_host_t *server = make_host(true, NULL);
	host_conn_t *a = NULL, *b = NULL;

	ck_assert_int_eq(host_conn_create(server, &info, &a), TS_OK);
	ck_assert_int_eq(host_conn_create(server, &info, &b), TS_E_STATE);
	ck_assert_ptr_null(b);
	info.conn_id = TNC_CONNECTIONID_ANY;
	ck_assert_int_eq(host_conn_create(server, &info, &b), TS_E_INVALID);
	/* Modules cannot be added while a connection exists. */
	ck_assert_int_eq(host_load_module(server, "V", th_built_module("imv"), NULL, 0), TS_E_STATE);
	host_conn_destroy(a);
	host_destroy(server);
}
END_TEST

/* The minimal legacy IMV that tests/unit builds next to this program. */
static const char *legacy_module(void)
{
	static char path[1024];
	const char *top = getenv("TOP_BUILDDIR");

	snprintf(path, sizeof(path), "%s/tests/unit/.libs/test_host_legacy_imv.so",
		 top && *top ? top : TOP_BUILDDIR);
	ck_assert_msg(access(path, R_OK) == 0, "module %s not built", path);
	return path;
}

START_TEST(host_legacy_receive)
{
	tnccs_conn_info info = { .conn_id = 11 };
	tnccs_host_t *server = make_host(true, NULL);
	host_conn_t *conn = NULL;
	static const uint8_t body[3] = "abc";
	host_msg msg = {
		.vendor_id = 0x5597, .subtype = 0x42, .collector_id = 1,
		.validator_id = TNC_IMVID_ANY, .body = body, .len = sizeof(body),
	};
	TNC_IMV_Action_Recommendation rec;
	TNC_IMV_Evaluation_Result eval;
	unsigned char *log;
	size_t log_len;

	setenv("LEGACY_IMV_LOG", th_path("legacy.log"), 1);
	load(server, "Legacy", legacy_module());
	ck_assert_int_eq(host_conn_create(server, &info, &conn), TS_OK);
	/* The module exports no NotifyConnectionChange and no BatchEnding. */
	host_conn_notify(conn, TNC_CONNECTION_STATE_CREATE);
	host_conn_notify(conn, TNC_CONNECTION_STATE_HANDSHAKE);

	host_conn_deliver(conn, &msg);          /* 0x00559742 */
	msg.subtype = 0x1FF;
	host_conn_deliver(conn, &msg);          /* does not fit a legacy type */
	msg.subtype = 0xFF;
	host_conn_deliver(conn, &msg);          /* would read as the wildcard */
	msg.vendor_id = 0;
	msg.subtype = 1;
	host_conn_deliver(conn, &msg);          /* not subscribed */
	msg.vendor_id = 0x5597;
	msg.subtype = 0x43;
	msg.exclusive = true;
	msg.validator_id = 1;
	host_conn_deliver(conn, &msg);          /* exclusive to this IMV */
	msg.validator_id = 2;
	host_conn_deliver(conn, &msg);          /* exclusive to another IMV */
	msg.exclusive = false;
	msg.subtype = 0x44;
	msg.body = NULL;
	msg.len = 0;
	host_conn_deliver(conn, &msg);          /* an empty message */
	host_conn_batch_ending(conn);

	ck_assert(!host_conn_all_recommended(conn));
	host_conn_solicit(conn);
	ck_assert(host_conn_all_recommended(conn));
	host_conn_get_recommendation(conn, &rec, &eval);
	ck_assert_uint_eq(rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_uint_eq(eval, TNC_IMV_EVALUATION_RESULT_COMPLIANT);
	host_conn_destroy(conn);

	log = test_read_file(th_path("legacy.log"), &log_len);
	ck_assert_uint_eq(log_len, 66);
	ck_assert_mem_eq(log, "type=0x00559742 len=3\ntype=0x00559743 len=3\ntype=0x00559744 len=0\n", 66);
	free(log);
	host_destroy(server);
}
END_TEST

START_TEST(host_version_negotiation_fails)
{
	tnccs_host_t *server = make_host(true, NULL);
	char err[512];

	setenv("LEGACY_IMV_NO_VERSION", "1", 1);
	ck_assert_int_eq(host_load_module(server, "Legacy", legacy_module(), err, sizeof(err)),
			 TS_E_UNSUPPORTED);
	ck_assert_str_eq(err, "IMV \"Legacy\" supports no API version in [1, 1]");
	ck_assert_uint_eq(host_module_count(server), 0);
	unsetenv("LEGACY_IMV_NO_VERSION");
	host_destroy(server);
}
END_TEST

START_TEST(host_calls_outside_callbacks)
{
	tnccs_conn_info info = { .conn_id = 12 };
	tnccs_host_t *server = make_host(true, NULL);
	host_conn_t *conn = NULL;
	TNC_TNCS_ProvideRecommendationPointer provide;
	TNC_TNCS_SendMessagePointer send;
	TNC_TNCS_RequestHandshakeRetryPointer retry;
	TNC_IMV_Action_Recommendation rec;
	TNC_IMV_Evaluation_Result eval;
	uint8_t byte = 0;
	void *fn = NULL;

	th_conf("[imv-test]\nstats_file = stats\n");
	load(server, "V", th_built_module("imv"));
	ck_assert_int_eq(host_imv_bind(1, "TNC_TNCS_ProvideRecommendation", &fn), 0);
	provide = (TNC_TNCS_ProvideRecommendationPointer)fn;
	ck_assert_int_eq(host_imv_bind(1, "TNC_TNCS_SendMessage", &fn), 0);
	send = (TNC_TNCS_SendMessagePointer)fn;
	ck_assert_int_eq(host_imv_bind(1, "TNC_TNCS_RequestHandshakeRetry", &fn), 0);
	retry = (TNC_TNCS_RequestHandshakeRetryPointer)fn;
	ck_assert_int_eq(host_conn_create(server, &info, &conn), TS_OK);
	host_conn_notify(conn, TNC_CONNECTION_STATE_CREATE);
	host_conn_notify(conn, TNC_CONNECTION_STATE_HANDSHAKE);

	/* Sending needs a callback; recommending does not. */
	ck_assert_int_eq(send(1, 12, &byte, 1, 1), TNC_RESULT_ILLEGAL_OPERATION);
	ck_assert_int_eq(send(1, 13, &byte, 1, 1), TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(provide(1, 13, 0, 0), TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(provide(1, 12, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE,
				 TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MINOR), TNC_RESULT_SUCCESS);
	ck_assert(host_conn_all_recommended(conn));
	/* An IMV that recommended is not solicited. */
	host_conn_solicit(conn);
	host_conn_get_recommendation(conn, &rec, &eval);
	ck_assert_uint_eq(rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_uint_eq(eval, TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MINOR);

	/* The TNCS cannot start a retry; an IMC reason is invalid for an IMV. */
	ck_assert_int_eq(retry(1, 12, TNC_RETRY_REASON_IMV_SERIOUS_EVENT), TNC_RESULT_CANT_RETRY);
	ck_assert_int_eq(retry(1, 12, TNC_RETRY_REASON_IMC_PERIODIC), TNC_RESULT_INVALID_PARAMETER);

	/* HANDSHAKE clears the recommendation. */
	host_conn_notify(conn, TNC_CONNECTION_STATE_HANDSHAKE);
	ck_assert(!host_conn_all_recommended(conn));
	host_conn_destroy(conn);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "solicited"), 0);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "handshakes"), 2);
	host_destroy(server);
}
END_TEST

/* Handshakes */

START_TEST(host_rounds_and_messages)
{
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	pump_result res;

	th_conf("[imc-test]\nrounds = 3\nmessages = 5\nmessage_size = 100\nstats_file = stats\n"
		"[imv-test]\nrounds = 3\nmessages = 4\nmessage_size = 300\nexpect_messages = 15\n"
		"stats_file = stats\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	pump(client, server, 1, &res);

	/* Three CDATA rounds of 5 messages; two SDATA replies of 4 messages. */
	ck_assert_uint_eq(res.round_trips, 3);
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_uint_eq(res.eval, TNC_IMV_EVALUATION_RESULT_COMPLIANT);
	ck_assert_uint_eq(res.reasons, 1);
	ck_assert_str_eq(res.reason, "imv-test: received 15 messages in 3 batches, 0 bad");
	ck_assert_str_eq(res.reason_lang, "en");
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "received"), 15);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "bad"), 0);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "solicited"), 0);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "state"),
			 TNC_CONNECTION_STATE_ACCESS_ALLOWED);
	ck_assert_str_eq(th_stat_text("stats", "imv imv-test", 0, "lang"), "en");
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "identities"), 1);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "received"), 8);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "rounds"), 3);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "bad"), 0);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "state"),
			 TNC_CONNECTION_STATE_ACCESS_ALLOWED);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_wrong_count_denies)
{
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	pump_result res;

	th_conf("[imc-test]\nrounds = 2\nmessages = 3\n"
		"[imv-test]\nrounds = 2\nexpect_messages = 7\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	pump(client, server, 1, &res);
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
	ck_assert_uint_eq(res.eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	ck_assert_str_eq(res.reason, "imv-test: expected 7 messages, received 6");
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_legacy_api_and_types)
{
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	pump_result res;

	/* TCG vendor, subtype 0x42, reported and sent through the legacy functions. */
	th_conf("[imc-test]\nlegacy_api = yes\nvendor_id = 0x5597\nsubtype = 0x42\nmessages = 2\n"
		"[imv-test]\nlegacy_api = yes\nvendor_id = 0x5597\nsubtype = 0x42\nexpect_messages = 4\n"
		"[imv-test-other]\nvendor_id = 0x5597\nsubtype = 0x43\nprovide = solicit\n"
		"stats_file = stats\n"
		"[imv-test-all]\nwildcard = yes\nprovide = solicit\nstats_file = stats\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	load(server, "Other", th_module_copy("imv", "imv-test-other"));
	load(server, "All", th_module_copy("imv", "imv-test-all"));
	pump(client, server, 3, &res);
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_str_eq(res.reason, "imv-test: received 4 messages in 2 batches, 0 bad");
	/* Another subtype of the same vendor gets nothing; the wildcard IMV gets all. */
	ck_assert_int_eq(th_stat("stats", "imv imv-test-other", 0, "received"), 0);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-all", 0, "received"), 4);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_exclusive_delivery)
{
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	pump_result res;

	/*
	 * Round 1 goes to both IMVs. Both reply, B last, so the IMC's round 2
	 * goes exclusively to B. A then never receives a second batch and is
	 * solicited.
	 */
	th_conf("[imc-test]\nrounds = 2\nexclusive = yes\nstats_file = stats\n"
		"[imv-test-a]\nrounds = 2\nexclusive = yes\nstats_file = stats\n"
		"[imv-test-b]\nrounds = 2\nexclusive = yes\nstats_file = stats\n");
	load(client, "C", th_built_module("imc"));
	load(server, "A", th_module_copy("imv", "imv-test-a"));
	load(server, "B", th_module_copy("imv", "imv-test-b"));
	pump(client, server, 1, &res);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-a", 0, "received"), 1);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-a", 0, "solicited"), 1);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-b", 0, "received"), 2);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-b", 0, "solicited"), 0);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-b", 0, "bad"), 0);
	/* Each IMV replied to round 1 with one exclusive message to the IMC. */
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "received"), 2);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "bad"), 0);
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_exclusive_to_unknown_dropped)
{
	tnccs_host_t *server = make_host(true, NULL);
	tnccs_conn_info info = { .conn_id = 4 };
	host_conn_t *conn = NULL;
	uint8_t body[20] = "TNCTC";
	host_msg msg = {
		.exclusive = true, .vendor_id = 0, .subtype = 0, .collector_id = 1,
		.validator_id = 9, .body = body, .len = sizeof(body),
	};

	th_conf("[imv-test]\nstats_file = stats\n");
	load(server, "V", th_built_module("imv"));
	ck_assert_int_eq(host_conn_create(server, &info, &conn), TS_OK);
	host_conn_notify(conn, TNC_CONNECTION_STATE_CREATE);
	host_conn_notify(conn, TNC_CONNECTION_STATE_HANDSHAKE);
	host_conn_deliver(conn, &msg);     /* for IMV 9, which does not exist */
	msg.validator_id = 1;
	msg.exclusive = false;
	host_conn_deliver(conn, &msg);     /* not exclusive: IMV 1 gets it (malformed) */
	host_conn_destroy(conn);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "bad"), 1);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "received"), 0);
	host_destroy(server);
}
END_TEST

START_TEST(host_additional_imc_ids)
{
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	pump_result res;

	/* Messages come from IMC IDs 1, 2 and 3; the IMV replies to ID 3 exclusively. */
	th_conf("[imc-test]\nextra_ids = 2\nmessages = 3\nrounds = 2\nstats_file = stats\n"
		"[imv-test]\nexclusive = yes\nmessages = 2\nexpect_messages = 6\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	pump(client, server, 1, &res);
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "received"), 2);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "bad"), 0);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_send_budget)
{
	tnccs_host_t *client = make_host(false, NULL);
	tnccs_conn_info info = { .conn_id = 2 };
	host_conn_t *conn = NULL;
	const host_msg *msgs;
	size_t count;

	/* 3 x (24 + 100) octets fit into 400, the fourth does not. */
	th_conf("[imc-test]\nmessages = 5\nmessage_size = 100\n");
	load(client, "C", th_built_module("imc"));
	ck_assert_int_eq(host_conn_create(client, &info, &conn), TS_OK);
	host_conn_set_send_budget(conn, 400);
	host_conn_notify(conn, TNC_CONNECTION_STATE_CREATE);
	host_conn_notify(conn, TNC_CONNECTION_STATE_HANDSHAKE);
	host_conn_begin_handshake(conn);
	msgs = host_conn_messages(conn, &count);
	ck_assert_uint_eq(count, 3);
	ck_assert_uint_eq(msgs[2].len, 100);
	ck_assert_uint_eq(msgs[2].collector_id, 1);
	ck_assert_uint_eq(msgs[2].validator_id, TNC_IMVID_ANY);
	ck_assert(!msgs[2].exclusive);
	host_conn_clear_messages(conn);
	msgs = host_conn_messages(conn, &count);
	ck_assert_uint_eq(count, 0);
	host_conn_destroy(conn);
	host_destroy(client);
}
END_TEST

START_TEST(host_max_round_trips_solicits)
{
	host_options opts;
	tnccs_host_t *client, *server;
	pump_result res;

	host_options_init(&opts);
	opts.max_round_trips = 3;
	client = make_host(false, NULL);
	server = make_host(true, &opts);
	th_conf("[imc-test]\nrounds = 10\n[imv-test]\nrounds = 10\nstats_file = stats\n"
		"recommendation = isolate\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	pump(client, server, 1, &res);
	ck_assert_uint_eq(res.round_trips, 3);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "solicited"), 1);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "received"), 3);
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_uint_eq(res.eval, TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MINOR);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_imc_retry)
{
	host_options opts;
	tnccs_host_t *client, *server;
	pump_result res;

	/* The IMC requests 3 retries; the TNCC grants max_retries = 2. */
	host_options_init(&opts);
	opts.max_retries = 2;
	client = make_host(false, &opts);
	server = make_host(true, NULL);
	th_conf("[imc-test]\nretries = 3\nstats_file = stats\n"
		"[imv-test]\nstats_file = stats\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	pump(client, server, 1, &res);
	ck_assert_uint_eq(res.handshakes, 3);
	ck_assert_int_eq(th_stat("stats", "imc imc-test", 0, "handshakes"), 3);
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "handshakes"), 3);
	/* Each handshake carries two rounds of one message to the IMV. */
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "total"), 6);
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

/* Recommendation policies */

typedef struct policy_case {
	const char *policy;
	const char *recs[3];       /* of IMVs a, b, c; NULL: fewer IMVs; "never": silent */
	TNC_IMV_Action_Recommendation rec;
	TNC_IMV_Evaluation_Result eval;
} policy_case;

/*
 * Expected results from the policy definitions: default takes the most
 * restrictive recommendation and the worst evaluation, all needs agreement,
 * any takes the most open recommendation and the best evaluation. A silent
 * IMV counts as no access with an error, except under any. Each IMV's
 * evaluation follows its recommendation: allow compliant, isolate minor,
 * no access major, no recommendation don't know.
 */
static const policy_case policy_cases[] = {
	{ "default", { "allow", "isolate", "no_access" }, 1, 2 },
	{ "default", { "allow", "isolate", NULL }, 2, 1 },
	{ "default", { "allow", "allow", NULL }, 0, 0 },
	{ "default", { "allow", "no_recommendation", NULL }, 0, 0 },
	{ "default", { "no_recommendation", NULL, NULL }, 3, 4 },
	{ "default", { "allow", "never", NULL }, 1, 3 },
	{ "all", { "allow", "allow", "allow" }, 0, 0 },
	{ "all", { "allow", "isolate", NULL }, 3, 4 },
	{ "all", { "isolate", "isolate", NULL }, 2, 1 },
	{ "all", { "allow", "never", NULL }, 3, 4 },
	{ "any", { "no_access", "isolate", "allow" }, 0, 0 },
	{ "any", { "no_access", "isolate", NULL }, 2, 1 },
	{ "any", { "no_access", "no_recommendation", NULL }, 1, 2 },
	{ "any", { "no_access", "never", NULL }, 1, 2 },
	{ "any", { "never", NULL, NULL }, 3, 4 },
};

START_TEST(host_recommendation_policies)
{
	const policy_case *pc = &policy_cases[_i];
	static const char *const names[] = { "imv-test-a", "imv-test-b", "imv-test-c" };
	host_options opts;
	tnccs_host_t *client, *server;
	char conf[2048];
	size_t n;
	pump_result res;

	host_options_init(&opts);
	ck_assert_int_eq(host_policy_parse(pc->policy, &opts.policy), TS_OK);
	client = make_host(false, NULL);
	server = make_host(true, &opts);

	n = (size_t)snprintf(conf, sizeof(conf), "[imc-test]\nrounds = 1\n");
	for (int i = 0; i < 3 && pc->recs[i]; i++) {
		bool never = strcmp(pc->recs[i], "never") == 0;

		n += (size_t)snprintf(conf + n, sizeof(conf) - n,
				      "[%s]\nrounds = 1\nrecommendation = %s\nprovide = %s\n",
				      names[i], never ? "allow" : pc->recs[i],
				      never ? "never" : "last_round");
	}
	th_conf(conf);
	load(client, "C", th_built_module("imc"));
	for (int i = 0; i < 3 && pc->recs[i]; i++)
		load(server, names[i], th_module_copy("imv", names[i]));
	pump(client, server, 1, &res);
	ck_assert_msg(res.rec == pc->rec, "policy %s case %d: recommendation %lu, expected %lu",
		      pc->policy, _i, res.rec, pc->rec);
	ck_assert_msg(res.eval == pc->eval, "policy %s case %d: evaluation %lu, expected %lu",
		      pc->policy, _i, res.eval, pc->eval);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_options_from_conf_keys)
{
	static const char text[] =
		"[tnc-server]\nrecommendation_policy = Any\nmax_round_trips = 7\n"
		"tnc_config = modules/tnc_config\n"
		"max_batch_size = 64K\nmax_retries = 0\nlanguage = de\n"
		"remediation_uri = https://remediation.example.org/\n"
		"[bad-policy]\nrecommendation_policy = most\n"
		"[bad-size]\nmax_batch_size = 16\n"
		"[bad-trips]\nmax_round_trips = 0\n";
	conf_t *conf = NULL;
	host_options o;

	ck_assert_int_eq(conf_parse("/etc/tncsuite/test.conf", text, strlen(text), &conf), TS_OK);
	host_options_init(&o);
	ck_assert_str_eq(o.tnc_config, "/etc/tnc_config");
	ck_assert_int_eq(host_options_from_conf(conf, "tnc-server", &o), TS_OK);
	ck_assert_str_eq(o.tnc_config, "/etc/tncsuite/modules/tnc_config");
	ck_assert_int_eq(o.policy, HOST_POLICY_ANY);
	ck_assert_uint_eq(o.max_round_trips, 7);
	ck_assert_uint_eq(o.max_batch_size, 65536);
	ck_assert_uint_eq(o.max_retries, 0);
	ck_assert_str_eq(o.language, "de");
	ck_assert_str_eq(o.remediation_uri, "https://remediation.example.org/");

	host_options_init(&o);
	ck_assert_int_eq(host_options_from_conf(conf, "bad-policy", &o), TS_E_CONFIG);
	ck_assert_int_eq(o.policy, HOST_POLICY_DEFAULT);
	ck_assert_int_eq(host_options_from_conf(conf, "bad-size", &o), TS_E_CONFIG);
	ck_assert_uint_eq(o.max_batch_size, HOST_DEFAULT_MAX_BATCH_SIZE);
	ck_assert_int_eq(host_options_from_conf(conf, "bad-trips", &o), TS_E_CONFIG);
	ck_assert_int_eq(host_options_from_conf(conf, "absent", &o), TS_OK);
	ck_assert_uint_eq(o.max_round_trips, HOST_DEFAULT_MAX_ROUND_TRIPS);
	ck_assert_str_eq(host_policy_name(HOST_POLICY_ALL), "all");
	conf_free(conf);
}
END_TEST

START_TEST(host_access_mapping)
{
	/* RFC 5793 PB-Access-Recommendation codes: 1 allowed, 2 denied, 3 quarantined. */
	ck_assert_uint_eq(host_access_code(TNC_IMV_ACTION_RECOMMENDATION_ALLOW), 1);
	ck_assert_uint_eq(host_access_code(TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS), 2);
	ck_assert_uint_eq(host_access_code(TNC_IMV_ACTION_RECOMMENDATION_ISOLATE), 3);
	ck_assert_uint_eq(host_access_code(TNC_IMV_ACTION_RECOMMENDATION_NO_RECOMMENDATION), 2);
	ck_assert_uint_eq(host_access_state(1), TNC_CONNECTION_STATE_ACCESS_ALLOWED);
	ck_assert_uint_eq(host_access_state(2), TNC_CONNECTION_STATE_ACCESS_NONE);
	ck_assert_uint_eq(host_access_state(3), TNC_CONNECTION_STATE_ACCESS_ISOLATED);
}
END_TEST

/* Misbehaving modules */

START_TEST(host_misbehaving_imv_contained)
{
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	pump_result res;

	th_conf("[imc-test]\n"
		"[imv-test]\nmisbehave = send_outside,send_unknown_conn,bad_args,error_result\n"
		"stats_file = stats\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	pump(client, server, 1, &res);

	/*
	 * Send in NotifyConnectionChange: ILLEGAL_OPERATION (8). Each of the
	 * two batches then brings eight calls that get INVALID_PARAMETER (6):
	 * send and recommend for an unknown connection, a reserved type, an
	 * invalid recommendation, an invalid evaluation, a NULL buffer, a reason
	 * that is not UTF-8 and a destination wider than 16 bits.
	 */
	ck_assert_str_eq(th_stat_text("stats", "imv imv-test", 0, "results"),
			 "8,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6,6");
	ck_assert(!host_module_failed(server, 0));
	ck_assert_int_eq(th_stat("stats", "imv imv-test", 0, "received"), 2);
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_misbehaving_imc_contained)
{
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	pump_result res;

	th_conf("[imc-test]\nmisbehave = send_outside,send_unknown_conn,bad_args\n"
		"stats_file = stats\n[imv-test]\nexpect_messages = 2\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	pump(client, server, 1, &res);
	ck_assert_str_eq(th_stat_text("stats", "imc imc-test", 0, "results"), "8,6,6,6,6,6,6,6,6,6");
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

START_TEST(host_fatal_imv_fails_closed)
{
	host_options opts;
	tnccs_host_t *client, *server;
	pump_result res;

	th_conf("[imc-test]\n[imv-test-a]\nmisbehave = fatal\nstats_file = stats\n"
		"[imv-test-b]\nstats_file = stats\n");
	client = make_host(false, NULL);

	/* default: the failed IMV counts as no access. */
	server = make_host(true, NULL);
	load(client, "C", th_built_module("imc"));
	load(server, "A", th_module_copy("imv", "imv-test-a"));
	load(server, "B", th_module_copy("imv", "imv-test-b"));
	pump(client, server, 1, &res);
	ck_assert(host_module_failed(server, 0));
	ck_assert(!host_module_failed(server, 1));
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
	ck_assert_uint_eq(res.eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	/* The failed IMV was not called again, not even for DELETE. */
	ck_assert_int_eq(th_stat_lines("stats", "imv imv-test-a"), 0);
	ck_assert_int_eq(th_stat("stats", "imv imv-test-b", 0, "received"), 2);
	host_destroy(server);

	/* any: B's allow suffices. */
	host_options_init(&opts);
	opts.policy = HOST_POLICY_ANY;
	server = make_host(true, &opts);
	load(server, "A", th_module_copy("imv", "imv-test-a"));
	load(server, "B", th_module_copy("imv", "imv-test-b"));
	pump(client, server, 2, &res);
	ck_assert_uint_eq(res.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	host_destroy(server);
	host_destroy(client);
}
END_TEST

/* Concurrency */

typedef struct worker {
	tnccs_host_t *client, *server;
	unsigned long first_id;
	int runs;
	int allowed;
} worker;

static void *worker_main(void *arg)
{
	worker *w = arg;

	for (int i = 0; i < w->runs; i++) {
		pump_result res;

		pump(w->client, w->server, w->first_id + (unsigned long)i, &res);
		if (res.rec == TNC_IMV_ACTION_RECOMMENDATION_ALLOW)
			w->allowed++;
	}
	return NULL;
}

START_TEST(host_concurrent_connections)
{
	enum { THREADS = 4, RUNS = 25 };
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	pthread_t threads[THREADS];
	worker workers[THREADS];

	th_conf("[imc-test]\nrounds = 3\nmessages = 3\nstats_file = stats\n"
		"[imv-test]\nrounds = 3\nexpect_messages = 9\nstats_file = stats\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	for (int t = 0; t < THREADS; t++) {
		workers[t] = (worker){ client, server, 1000UL * (unsigned long)(t + 1), RUNS, 0 };
		ck_assert_int_eq(pthread_create(&threads[t], NULL, worker_main, &workers[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
		ck_assert_int_eq(workers[t].allowed, RUNS);
	}
	ck_assert_int_eq(th_stat_lines("stats", "imv imv-test"), THREADS * RUNS);
	ck_assert_int_eq(th_stat_lines("stats", "imc imc-test"), THREADS * RUNS);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

/* A module thread that calls bound functions for connections other threads create and delete. */
typedef struct rogue {
	atomic_int stop;
	unsigned long first_id, count;
	atomic_uint calls;
	unsigned unexpected;
} rogue;

static void *rogue_main(void *arg)
{
	rogue *r = arg;
	void *fn = NULL;
	TNC_TNCS_GetAttributePointer get;
	TNC_TNCS_SendMessagePointer send;
	TNC_TNCS_ProvideRecommendationPointer provide;
	uint32_t seed = 1;

	ck_assert_int_eq(host_imv_bind(1, "TNC_TNCS_GetAttribute", &fn), 0);
	get = (TNC_TNCS_GetAttributePointer)fn;
	ck_assert_int_eq(host_imv_bind(1, "TNC_TNCS_SendMessage", &fn), 0);
	send = (TNC_TNCS_SendMessagePointer)fn;
	ck_assert_int_eq(host_imv_bind(1, "TNC_TNCS_ProvideRecommendation", &fn), 0);
	provide = (TNC_TNCS_ProvideRecommendationPointer)fn;

	while (!atomic_load(&r->stop)) {
		TNC_ConnectionID id;
		uint8_t buf[8], byte = 0;
		TNC_UInt32 len = 0;
		TNC_Result rc;

		seed = seed * 1103515245 + 12345;
		id = r->first_id + (seed >> 8) % r->count;
		rc = get(1, id, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, sizeof(buf), buf, &len);
		if (rc != TNC_RESULT_SUCCESS && rc != TNC_RESULT_INVALID_PARAMETER)
			r->unexpected++;
		rc = send(1, id, &byte, 1, 1);
		if (rc != TNC_RESULT_ILLEGAL_OPERATION && rc != TNC_RESULT_INVALID_PARAMETER)
			r->unexpected++;
		/* The same verdict the IMV gives, so the results do not change. */
		rc = provide(1, id, TNC_IMV_ACTION_RECOMMENDATION_ALLOW,
			     TNC_IMV_EVALUATION_RESULT_COMPLIANT);
		if (rc != TNC_RESULT_SUCCESS && rc != TNC_RESULT_INVALID_PARAMETER)
			r->unexpected++;
		atomic_fetch_add(&r->calls, 1);
	}
	return NULL;
}

START_TEST(host_foreign_thread_calls)
{
	enum { THREADS = 3, RUNS = 30 };
	tnccs_host_t *client = make_host(false, NULL), *server = make_host(true, NULL);
	pthread_t threads[THREADS], rogue_thread;
	worker workers[THREADS];
	rogue r = { 0, 1000, THREADS * 1000, 0, 0 };

	th_conf("[imc-test]\nrounds = 2\nmessages = 2\n[imv-test]\nrounds = 2\n");
	load(client, "C", th_built_module("imc"));
	load(server, "V", th_built_module("imv"));
	ck_assert_int_eq(pthread_create(&rogue_thread, NULL, rogue_main, &r), 0);
	/* On a loaded machine the handshakes could end before the rogue thread runs at all. */
	while (atomic_load(&r.calls) == 0)
		usleep(1000);
	for (int t = 0; t < THREADS; t++) {
		workers[t] = (worker){ client, server, 1000UL * (unsigned long)(t + 1), RUNS, 0 };
		ck_assert_int_eq(pthread_create(&threads[t], NULL, worker_main, &workers[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
		ck_assert_int_eq(workers[t].allowed, RUNS);
	}
	atomic_store(&r.stop, 1);
	ck_assert_int_eq(pthread_join(rogue_thread, NULL), 0);
	ck_assert_uint_gt(atomic_load(&r.calls), 0);
	ck_assert_uint_eq(r.unexpected, 0);
	host_destroy(client);
	host_destroy(server);
}
END_TEST

/*
 * Loads imv-test, which logs "initialized" at level 2, into a server host
 * whose IMV level is `level`, and returns what the module wrote to stderr.
 */
static char *module_log_at_level(int level)
{
	static char text[4096];
	const char *path = th_path("stderr.txt");
	int fd, saved;
	FILE *f;
	size_t n;
	tnccs_host_t *server;

	th_conf("[imv-test]\nrounds = 1\n");
	log_set_program("test-host");
	log_set_level(LOG_SUBSYS_IMV, level);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	server = make_host(true, NULL);
	load(server, "V", th_built_module("imv"));
	host_destroy(server);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);

	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

/* A module has its own copy of the logger, set up from the host's settings when it is loaded. */
START_TEST(host_module_inherits_log_level)
{
	const char *text = module_log_at_level(LOG_LEVEL_INFO);

	ck_assert_ptr_nonnull(strstr(text, "test-host: [IMV] imv-test [imv-test] initialized"));
}
END_TEST

START_TEST(host_module_inherits_quiet_level)
{
	const char *text = module_log_at_level(LOG_LEVEL_ERROR);

	ck_assert_ptr_null(strstr(text, "initialized"));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("host");
	TCase *load_tc = tcase_create("load");
	TCase *api_tc = tcase_create("api");
	TCase *run_tc = tcase_create("handshake");
	TCase *policy_tc = tcase_create("policy");
	TCase *bad_tc = tcase_create("misbehaviour");

	tcase_add_checked_fixture(load_tc, setup, teardown);
	tcase_add_test(load_tc, host_load_missing_library);
	tcase_add_test(load_tc, host_load_wrong_side);
	tcase_add_test(load_tc, host_load_same_file_twice);
	tcase_add_test(load_tc, host_load_tnc_config_sides);
	tcase_add_test(load_tc, host_load_tnc_config_error);
	tcase_add_test(load_tc, host_one_per_side);
	tcase_add_test(load_tc, host_extra_ids_limit);
	tcase_add_test(load_tc, host_module_config_error);
	suite_add_tcase(s, load_tc);

	tcase_add_checked_fixture(api_tc, setup, teardown);
	tcase_add_test(api_tc, host_bind_every_function);
	tcase_add_test(api_tc, host_attributes_imv);
	tcase_add_test(api_tc, host_attributes_imc);
	tcase_add_test(api_tc, host_reason_string_checks);
	tcase_add_test(api_tc, host_conn_id_in_use);
	tcase_add_test(api_tc, host_options_from_conf_keys);
	tcase_add_test(api_tc, host_access_mapping);
	tcase_add_test(api_tc, host_legacy_receive);
	tcase_add_test(api_tc, host_version_negotiation_fails);
	tcase_add_test(api_tc, host_calls_outside_callbacks);
	tcase_add_test(api_tc, host_module_inherits_log_level);
	tcase_add_test(api_tc, host_module_inherits_quiet_level);
	suite_add_tcase(s, api_tc);

	tcase_add_checked_fixture(run_tc, setup, teardown);
	tcase_add_test(run_tc, host_rounds_and_messages);
	tcase_add_test(run_tc, host_wrong_count_denies);
	tcase_add_test(run_tc, host_legacy_api_and_types);
	tcase_add_test(run_tc, host_exclusive_delivery);
	tcase_add_test(run_tc, host_exclusive_to_unknown_dropped);
	tcase_add_test(run_tc, host_additional_imc_ids);
	tcase_add_test(run_tc, host_send_budget);
	tcase_add_test(run_tc, host_max_round_trips_solicits);
	tcase_add_test(run_tc, host_imc_retry);
	tcase_add_test(run_tc, host_concurrent_connections);
	tcase_add_test(run_tc, host_foreign_thread_calls);
	suite_add_tcase(s, run_tc);

	tcase_add_checked_fixture(policy_tc, setup, teardown);
	tcase_add_loop_test(policy_tc, host_recommendation_policies, 0,
			    (int)(sizeof(policy_cases) / sizeof(policy_cases[0])));
	suite_add_tcase(s, policy_tc);

	tcase_add_checked_fixture(bad_tc, setup, teardown);
	tcase_add_test(bad_tc, host_misbehaving_imv_contained);
	tcase_add_test(bad_tc, host_misbehaving_imc_contained);
	tcase_add_test(bad_tc, host_fatal_imv_fails_closed);
	suite_add_tcase(s, bad_tc);
	return s;
}

TEST_MAIN()
