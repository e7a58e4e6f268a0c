/*
 * End-to-end attestation in one process: a PB-TNC client session with
 * imc-attestation.so (on swtpm) and a small OS IMC, and a server session
 * with imv-attestation.so, exchanging real PB-TNC batches in memory.
 * The firmware event log is extended into swtpm's PCRs first, so the quote
 * the IMC takes matches the log it sends.
 */
#include "test_host_util.h"
#include "test_swtpm.h"

#include <openssl/pem.h>
#include <openssl/sha.h>

#include "db/db.h"
#include "eventlog/eventlog.h"
#include "host.h"
#include "tnccs_session.h"

#define AK_HANDLE "0x81010002"
#define LOG_FIXTURE "eventlog/goattest-ubuntu_2104_shielded_vm_no_secure_boot_eventlog.bin"

/* Access Recommendation codes of RFC 5793. */
enum { ALLOWED = 1, DENIED = 2, QUARANTINED = 3 };

static test_swtpm swtpm;
static char ak_keyid[41];
static tnccs_host_t *client_host, *server_host;

static void run_tool(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run_tool(const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "command failed: %.200s", cmd);
}

/* Provisions an ECC AK with tpm2-tools and stores its keyid (SHA-1 of the SubjectPublicKeyInfo). */
static void provision_ak(void)
{
	uint8_t spki[256], keyid[20], *p = spki;
	EVP_PKEY *key;
	FILE *f;

	run_tool("cd '%s' && tpm2_createek -c ek.ctx -G ecc -u ek.pub >/dev/null && tpm2_flushcontext -t && "
		 "tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pem -f pem -n ak.name >/dev/null && "
		 "tpm2_flushcontext -t && tpm2_flushcontext -s && tpm2_evictcontrol -c ak.ctx " AK_HANDLE " >/dev/null && "
		 "tpm2_flushcontext -t", th_dir);
	f = fopen(th_path("ak.pem"), "r");
	ck_assert_ptr_nonnull(f);
	key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(key);
	ck_assert_int_gt(i2d_PUBKEY(key, &p), 0);
	EVP_PKEY_free(key);
	ck_assert_ptr_nonnull(SHA1(spki, (size_t)(p - spki), keyid));
	for (size_t i = 0; i < 20; i++)
		snprintf(ak_keyid + 2 * i, 3, "%02x", keyid[i]);
}

/* Extends the SHA-256 digest of every extend event of the log into swtpm, in log order. */
static size_t extend_log(void)
{
	size_t len, pos, count = 0;
	uint8_t *data = test_read_file(test_data_path(LOG_FIXTURE), &len);
	eventlog_t *log = NULL;
	static char cmd[16384];

	ck_assert_int_eq(eventlog_parse(data, len, NULL, &log, NULL), TS_OK);
	pos = (size_t)snprintf(cmd, sizeof(cmd), "tpm2_pcrextend");
	for (size_t i = 0; i < eventlog_get_count(log); i++) {
		const eventlog_event_t *e = eventlog_get_event(log, i);

		if (e->type == 3 /* EV_NO_ACTION */)
			continue;
		for (size_t k = 0; k < e->digest_count; k++) {
			if (e->digests[k].alg_id != 0x000B)
				continue;
			pos += (size_t)snprintf(cmd + pos, sizeof(cmd) - pos, " %u:sha256=", e->pcr);
			for (size_t n = 0; n < 32; n++)
				pos += (size_t)snprintf(cmd + pos, sizeof(cmd) - pos, "%02x", e->digests[k].value[n]);
			count++;
		}
	}
	ck_assert_uint_lt(pos, sizeof(cmd) - 1);
	run_tool("%s >/dev/null", cmd);
	eventlog_destroy(log);
	free(data);
	return count;
}

static void setup(void)
{
	char conf[4096], db_file[320];
	db_t *db = NULL;
	char sql[512];

	th_setup();
	th_log_levels();
	ck_assert_msg(test_swtpm_start(&swtpm) == 0, "cannot start swtpm");
	setenv("TPM2TOOLS_TCTI", swtpm.tcti, 1);
	provision_ak();
	ck_assert_uint_eq(extend_log(), 105);

	snprintf(db_file, sizeof(db_file), "%s", th_path("config.db"));
	ck_assert_int_eq(db_init(db_file, 0, &db), TS_OK);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO policies (type, name, argument, rec_fail, rec_noresult) VALUES (16, 'TPM BIOS', 'B', 2, 2);"
		 "INSERT INTO enforcements (policy, group_id, max_age) VALUES (1, 1, 0);"
		 "INSERT INTO products (name) VALUES ('Debian 12 x86_64');"
		 "INSERT INTO devices (value, description, product, trusted, inactive) VALUES ('%s', '', 1, 1, 0);",
		 ak_keyid);
	ck_assert_int_eq(db_exec(db, sql), TS_OK);
	db_close(db);

	ck_assert_int_lt(snprintf(conf, sizeof(conf),
		 "[imc-attestation]\ntcti = %s\nak_handle = " AK_HANDLE "\neventlog = %s\nima = %s\n"
		 "[test-osimc]\ndevice_id = %s\n"
		 "[imv]\ndatabase = %s\n"
		 "[imv-attestation]\nhash_algorithm = sha256\nfail_closed = no-access\nuntrusted_ak = isolate\n",
		 swtpm.tcti, test_data_path(LOG_FIXTURE), th_path("no-ima-list"), ak_keyid, db_file), (int)sizeof(conf));
	th_conf(conf);
}

static void teardown(void)
{
	host_destroy(client_host);
	host_destroy(server_host);
	client_host = server_host = NULL;
	test_swtpm_stop(&swtpm);
	th_cleanup();
}

static const char *built(const char *dir, const char *name)
{
	static char path[4][1024];
	static int next;
	const char *top = getenv("TOP_BUILDDIR");
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s/.libs/%s.so", top && *top ? top : TOP_BUILDDIR, dir, name);
	ck_assert_msg(access(p, R_OK) == 0, "module %s not built", p);
	return p;
}

static void make_hosts(void)
{
	char err[512] = "";

	ck_assert_int_eq(host_create(false, NULL, &client_host), TS_OK);
	ck_assert_int_eq(host_create(true, NULL, &server_host), TS_OK);
	ck_assert_msg(host_load_module(client_host, "OS", built("tests/unit", "test_imv_attestation_osimc"), err,
				       sizeof(err)) == TS_OK, "%s", err);
	ck_assert_msg(host_load_module(client_host, "Attestation", built("imc", "imc-attestation"), err,
				       sizeof(err)) == TS_OK, "%s", err);
	ck_assert_msg(host_load_module(server_host, "Attestation", built("imv/attestation", "imv-attestation"), err,
				       sizeof(err)) == TS_OK, "%s", err);
}

/* Runs one handshake to its end; returns what the client learned. */
static tnccs_result handshake(unsigned long conn_id, size_t *batches)
{
	tnccs_conn_info info = {
		.conn_id = conn_id,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.max_message_size = 0,
		.sasl_identity = "alice",
	};
	tnccs_session_t *client = NULL, *server = NULL;
	tnccs_result result = { 0 };
	writer_t to_server, to_client;
	size_t count = 0;

	ck_assert_int_eq(tnccs_session_create(client_host, false, &info, &client), TS_OK);
	ck_assert_int_eq(tnccs_session_create(server_host, true, &info, &server), TS_OK);
	writer_init(&to_server, SIZE_MAX);
	writer_init(&to_client, SIZE_MAX);
	ck_assert_int_eq(tnccs_session_start(server, &to_client), TS_OK);
	ck_assert_int_eq(tnccs_session_start(client, &to_server), TS_OK);
	while (writer_len(&to_server) > 0 && count < 64) {
		count++;
		writer_reset(&to_client);
		ck_assert_int_eq(tnccs_session_receive(server, writer_data(&to_server), writer_len(&to_server), &to_client),
				 TS_OK);
		writer_reset(&to_server);
		if (writer_len(&to_client) == 0)
			break;
		count++;
		ck_assert_int_eq(tnccs_session_receive(client, writer_data(&to_client), writer_len(&to_client), &to_server),
				 TS_OK);
	}
	ck_assert(tnccs_session_finished(client));
	ck_assert_int_eq(tnccs_session_get_result(client, &result), TS_OK);
	tnccs_session_destroy(client);
	tnccs_session_destroy(server);
	writer_free(&to_server);
	writer_free(&to_client);
	*batches = count;
	return result;
}

static long long db_count(const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	ck_assert_int_eq(sqlite3_open(th_path("config.db"), &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

START_TEST(e2e_register_then_compare)
{
	tnccs_result r;
	size_t batches = 0;

	make_hosts();

	/* First handshake: the 105 boot measurements are registered. */
	r = handshake(1, &batches);
	ck_assert_str_eq(r.reason, "TPMRA 'B': registered 105 BIOS evidence measurements; TPM quote verified");
	ck_assert_uint_eq(r.access_recommendation, ALLOWED);
	ck_assert_uint_eq(r.assessment_result, 0);
	ck_assert_int_eq(db_count("SELECT count(*) FROM component_hashes"), 105);
	/* CDATA/SDATA pairs as in the reference exchange, then RESULT and CLOSE. */
	ck_assert_uint_eq(batches, 11);

	/* Second handshake: compared with the registered references. */
	r = handshake(2, &batches);
	ck_assert_uint_eq(r.access_recommendation, ALLOWED);
	ck_assert_str_eq(r.reason, "TPMRA 'B': 105 BIOS measurements equal the registered ones; TPM quote verified");
	ck_assert_int_eq(db_count("SELECT count(*) FROM results WHERE rec = 0"), 2);

	/* A PCR the log does not explain: the quote no longer matches the evidence. */
	run_tool("tpm2_pcrextend 4:sha256=%064d >/dev/null", 7);
	r = handshake(3, &batches);
	ck_assert_uint_eq(r.access_recommendation, QUARANTINED);
	ck_assert_ptr_nonnull(strstr(r.reason, "quoted PCR digest differs"));

	/* An untrusted AK. */
	{
		db_t *db = NULL;

		ck_assert_int_eq(db_open(th_path("config.db"), 0, &db), TS_OK);
		ck_assert_int_eq(db_exec(db, "UPDATE devices SET trusted = 0"), TS_OK);
		db_close(db);
	}
	r = handshake(4, &batches);
	ck_assert_uint_eq(r.access_recommendation, QUARANTINED);
	ck_assert_ptr_nonnull(strstr(r.reason, "is not trusted"));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("imv_attestation_e2e");
	TCase *tc = tcase_create("handshake");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, e2e_register_then_compare);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
