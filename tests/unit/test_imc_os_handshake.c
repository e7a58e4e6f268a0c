/*
 * In-process handshakes between the built imc-os.so and imv-os.so: a
 * client and a server PB-TNC session, each with its real host loading
 * the module from the build tree, exchange batches in memory. The IMC
 * reads a fake root directory, the IMV a config.db made with db_init(),
 * and the tests check the rows and the recommendation the policy calls
 * for.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "test_util.h"

#include "db/db.h"
#include "host.h"
#include "log.h"
#include "pb_batch.h"
#include "policy_manager.h"
#include "tnccs_session.h"

#define MAX_BATCHES 32

/* Access Recommendation codes of RFC 5793. */
enum { ALLOWED = 1, DENIED = 2, QUARANTINED = 3 };

static char th_dir[64];
static db_t *db;
static tnccs_host_t *client_host, *server_host;

/* Path of a file inside the test's directory, in one of four rotating buffers. */
static const char *th_path(const char *name)
{
	static char paths[4][1024];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s/%s", th_dir, name);
	return p;
}

/* Writes a file below the test directory, creating its directories. */
static void put_file(const char *rel, const char *text)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s", th_path(rel));
	for (char *p = path + strlen(th_dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
		*p = '/';
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* A Debian 12 endpoint below root/ with IP forwarding as given. */
static void make_root(bool forwarding)
{
	put_file("root/etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
					"NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n");
	put_file("root/proc/stat", "cpu  1 2 3 4\nbtime 1796415860\n");
	put_file("root/proc/sys/net/ipv4/ip_forward", forwarding ? "1\n" : "0\n");
	put_file("root/proc/sys/net/ipv6/conf/all/forwarding", "0\n");
	put_file("root/etc/machine-id", "3d1219c7c4c5404aaa1f6d2a48adfda4\n");
	put_file("root/var/lib/dpkg/status",
		 "Package: openssl\nStatus: install ok installed\nVersion: 3.0.9-1\n\n"
		 "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n\n"
		 "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\n");
}

/* Writes tncsuite.conf, which TNCSUITE_CONF names. */
static void th_conf(const char *text)
{
	FILE *f = fopen(th_path("tncsuite.conf"), "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* tncsuite.conf for both modules; extra lines go into [imc-os]. */
static void write_conf(const char *imc_extra)
{
	char text[2048];

	snprintf(text, sizeof(text), "[imc-os]\nroot = root\n%s\n[imv]\ndatabase = %s\n", imc_extra,
		 th_path("config.db"));
	th_conf(text);
}

static void setup(void)
{
	const char *spec = getenv("TEST_LOG");

	strcpy(th_dir, "/tmp/test_imc_os_hs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(th_dir));
	setenv("TNCSUITE_CONF", th_path("tncsuite.conf"), 1);
	/* The hosts log nothing unless TEST_LOG sets levels, e.g. TEST_LOG=tnc=3. */
	log_set_level_all(LOG_LEVEL_SILENT);
	if (spec && log_parse_levels(spec) != 0)
		fprintf(stderr, "TEST_LOG=%s is not a valid level list\n", spec);
	ck_assert_int_eq(db_init(th_path("config.db"), 2000, &db), TS_OK);
}

static void teardown(void)
{
	char cmd[128];

	host_destroy(client_host);
	host_destroy(server_host);
	client_host = server_host = NULL;
	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", th_dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void sql(const char *text)
{
	ck_assert_int_eq(db_exec(db, text), TS_OK);
}

static long long query_int(const char *text)
{
	sqlite3_stmt *stmt;
	long long v;

	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), text, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static const char *query_text(const char *text)
{
	static char out[2048];
	sqlite3_stmt *stmt;

	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), text, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return out;
}

/* "Debian 12 <machine>": the product string of the fake root on this machine. */
static const char *debian_product(void)
{
	static char name[128];
	struct utsname uts;

	ck_assert_int_eq(uname(&uts), 0);
	snprintf(name, sizeof(name), "Debian 12 %s", uts.machine);
	return name;
}

/* The built module ("imc" or "imv") in the build tree. */
static const char *built_os_module(const char *kind)
{
	static char path[2][1024];
	const char *top = getenv("TOP_BUILDDIR");
	char *p = path[kind[2] == 'v'];

	snprintf(p, sizeof(path[0]), "%s/%s/os/.libs/%s-os.so", top && *top ? top : TOP_BUILDDIR, kind, kind);
	ck_assert_msg(access(p, R_OK) == 0, "module %s not built", p);
	return p;
}

static void make_hosts(void)
{
	char err[512] = "";

	ck_assert_int_eq(host_create(false, NULL, &client_host), TS_OK);
	ck_assert_int_eq(host_create(true, NULL, &server_host), TS_OK);
	ck_assert_msg(host_load_module(client_host, "OS", built_os_module("imc"), err, sizeof(err)) == TS_OK,
		      "%s", err);
	ck_assert_msg(host_load_module(server_host, "OS", built_os_module("imv"), err, sizeof(err)) == TS_OK,
		      "%s", err);
}

typedef struct exchange {
	size_t count;
	uint8_t types[MAX_BATCHES];   /* B-Type of each batch, in order */
	tnccs_result client_result;
	int client_result_rc;
} exchange;

/* Runs one handshake on connection conn_id and records the batch types. */
static void run_handshake(unsigned long conn_id, exchange *x)
{
	tnccs_conn_info info = {
		.conn_id = conn_id,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.sasl_identity = "alice",
	};
	tnccs_session_t *client = NULL, *server = NULL;
	writer_t to_server, to_client;

	memset(x, 0, sizeof(*x));
	ck_assert_int_eq(tnccs_session_create(client_host, false, &info, &client), TS_OK);
	ck_assert_int_eq(tnccs_session_create(server_host, true, &info, &server), TS_OK);
	writer_init(&to_server, SIZE_MAX);
	writer_init(&to_client, SIZE_MAX);
	ck_assert_int_eq(tnccs_session_start(server, &to_client), TS_OK);
	ck_assert_int_eq(tnccs_session_start(client, &to_server), TS_OK);

	while (writer_len(&to_server) > 0 && x->count < MAX_BATCHES) {
		x->types[x->count++] = writer_data(&to_server)[3] & 0x0F;
		writer_reset(&to_client);
		ck_assert_int_eq(tnccs_session_receive(server, writer_data(&to_server), writer_len(&to_server),
						       &to_client), TS_OK);
		writer_reset(&to_server);
		if (writer_len(&to_client) == 0)
			break;
		x->types[x->count++] = writer_data(&to_client)[3] & 0x0F;
		ck_assert_int_eq(tnccs_session_receive(client, writer_data(&to_client), writer_len(&to_client),
						       &to_server), TS_OK);
	}
	ck_assert(tnccs_session_finished(client));
	ck_assert(tnccs_session_finished(server));
	x->client_result_rc = tnccs_session_get_result(client, &x->client_result);
	tnccs_session_destroy(client);
	tnccs_session_destroy(server);
	writer_free(&to_server);
	writer_free(&to_client);
}

/* IP forwarding enforced on the Default group: non-compliant isolates. */
static void enforce_fwden(void)
{
	sql("INSERT INTO policies (id, type, name, argument, rec_fail, rec_noresult) "
	    "VALUES (3, 3, 'IP Forwarding Enabled', '', 2, 1);"
	    "INSERT INTO enforcements (policy, group_id, max_age) VALUES (3, 1, 0);");
}

START_TEST(handshake_no_policy_allows)
{
	exchange x;

	make_root(true);
	write_conf("device_id = test-device-1");
	make_hosts();
	run_handshake(11, &x);

	/* CDATA with the OS attributes, RESULT at once (no workitems), CLOSE. */
	ck_assert_uint_eq(x.count, 3);
	ck_assert_uint_eq(x.types[0], PB_BATCH_CDATA);
	ck_assert_uint_eq(x.types[1], PB_BATCH_RESULT);
	ck_assert_uint_eq(x.types[2], PB_BATCH_CLOSE);
	ck_assert_int_eq(x.client_result_rc, TS_OK);
	ck_assert_uint_eq(x.client_result.access_recommendation, ALLOWED);
	ck_assert_uint_eq(x.client_result.assessment_result, PM_EVAL_DONT_KNOW);

	ck_assert_str_eq(query_text("SELECT value FROM devices"), "test-device-1");
	ck_assert_str_eq(query_text("SELECT p.name FROM sessions AS s JOIN products AS p ON p.id = s.product"),
			 debian_product());
	ck_assert_int_eq(query_int("SELECT connection FROM sessions"), 11);
	ck_assert_int_eq(query_int("SELECT rec FROM sessions"), PM_REC_ALLOW);
	/* The SASL user became the session's identity. */
	ck_assert_int_eq(query_int("SELECT count(*) FROM identities WHERE type = 5 AND value = CAST('alice' AS BLOB)"), 1);
	ck_assert_int_eq(query_int("SELECT identity FROM sessions"), query_int("SELECT id FROM identities"));
}
END_TEST

START_TEST(handshake_fwden_on_isolates)
{
	exchange x;

	make_root(true);
	write_conf("device_id = test-device-1");
	enforce_fwden();
	make_hosts();
	run_handshake(12, &x);

	ck_assert_uint_eq(x.count, 3);
	ck_assert_uint_eq(x.client_result.access_recommendation, QUARANTINED);
	ck_assert_uint_eq(x.client_result.assessment_result, PM_EVAL_NONCOMPLIANT_MAJOR);
	ck_assert_str_eq(x.client_result.reason, "IP forwarding is enabled");

	ck_assert_int_eq(query_int("SELECT rec FROM sessions"), PM_REC_ISOLATE);
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM results"), 1);
	ck_assert_int_eq(query_int("SELECT rec FROM results WHERE policy = 3"), PM_REC_ISOLATE);
	ck_assert_str_eq(query_text("SELECT result FROM results"), "IP forwarding is enabled");
}
END_TEST

START_TEST(handshake_fwden_off_allows)
{
	exchange x;

	make_root(false);
	write_conf("device_id = test-device-1");
	enforce_fwden();
	make_hosts();
	run_handshake(13, &x);

	ck_assert_uint_eq(x.client_result.access_recommendation, ALLOWED);
	ck_assert_uint_eq(x.client_result.assessment_result, PM_EVAL_COMPLIANT);
	ck_assert_int_eq(query_int("SELECT rec FROM sessions"), PM_REC_ALLOW);
	ck_assert_int_eq(query_int("SELECT rec FROM results WHERE policy = 3"), PM_REC_ALLOW);
	ck_assert_str_eq(query_text("SELECT result FROM results"), "IP forwarding is disabled");
}
END_TEST

START_TEST(handshake_packages_blacklisted)
{
	char product[256];
	exchange x;

	make_root(false);
	write_conf("device_id = test-device-1");

	snprintf(product, sizeof(product), "INSERT INTO products (id, name) VALUES (104, '%s')", debian_product());
	sql(product);
	sql("INSERT INTO packages (id, name) VALUES (1, 'openssl'), (2, 'libc6');"
	    "INSERT INTO versions (product, package, release, security, blacklist) VALUES "
	    "(104, 1, '3.0.9-1', 0, 1), (104, 2, '2.36-9+deb12u4', 1, 0);"
	    "INSERT INTO policies (id, type, name, argument, rec_fail, rec_noresult) "
	    "VALUES (1, 1, 'Installed Packages', '', 1, 2);"
	    "INSERT INTO enforcements (policy, group_id, max_age) VALUES (1, 1, 0);");
	make_hosts();
	run_handshake(14, &x);

	/* The IMV requests Installed Packages in an SDATA round trip. */
	ck_assert_uint_eq(x.count, 5);
	ck_assert_uint_eq(x.types[1], PB_BATCH_SDATA);
	ck_assert_uint_eq(x.types[2], PB_BATCH_CDATA);
	ck_assert_uint_eq(x.types[3], PB_BATCH_RESULT);
	ck_assert_uint_eq(x.client_result.access_recommendation, DENIED);
	ck_assert_uint_eq(x.client_result.assessment_result, PM_EVAL_NONCOMPLIANT_MAJOR);
	ck_assert_str_eq(x.client_result.reason, "3 packages checked, 1 blacklisted: openssl 3.0.9-1");
	ck_assert_int_eq(query_int("SELECT product FROM sessions"), 104);
	ck_assert_int_eq(query_int("SELECT rec FROM sessions"), PM_REC_NO_ACCESS);
	ck_assert_int_eq(query_int("SELECT rec FROM results WHERE policy = 1"), PM_REC_NO_ACCESS);
}
END_TEST

START_TEST(handshake_machine_id_device)
{
	char cmd[512], expected[33];
	unsigned int b[16];
	const char *hex;
	FILE *p;
	char line[128] = "";
	exchange x;

	make_root(false);
	write_conf("");
	make_hosts();
	run_handshake(15, &x);
	ck_assert_uint_eq(x.client_result.access_recommendation, ALLOWED);

	/* The device ID is systemd's app-specific ID of the machine ID, computed here with openssl. */
	snprintf(cmd, sizeof(cmd), "printf '0ba567eaebf24b46bfafe55f00d8856b' | xxd -r -p | "
		 "openssl dgst -sha256 -mac HMAC -macopt hexkey:3d1219c7c4c5404aaa1f6d2a48adfda4 -r");
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_int_eq(pclose(p), 0);
	hex = line;
	for (int i = 0; i < 16; i++)
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &b[i]), 1);
	b[6] = (b[6] & 0x0F) | 0x40;
	b[8] = (b[8] & 0x3F) | 0x80;
	for (int i = 0; i < 16; i++)
		snprintf(expected + 2 * i, 3, "%02x", b[i]);
	ck_assert_str_eq(query_text("SELECT value FROM devices"), expected);
}
END_TEST

START_TEST(handshake_missing_database_denies)
{
	exchange x;

	make_root(false);
	write_conf("device_id = test-device-1");
	th_conf("[imc-os]\nroot = root\ndevice_id = test-device-1\n[imv]\ndatabase = no-such.db\n"
		"[imv-os]\nfail_closed = isolate\n");
	make_hosts();
	run_handshake(16, &x);
	ck_assert_uint_eq(x.client_result.access_recommendation, QUARANTINED);
	ck_assert_uint_eq(x.client_result.assessment_result, PM_EVAL_ERROR);
	ck_assert_str_eq(x.client_result.reason, "the policy for this endpoint could not be set up (not found)");
}
END_TEST

START_TEST(handshake_two_connections_share_device)
{
	exchange x;

	make_root(true);
	write_conf("device_id = test-device-1");
	enforce_fwden();
	make_hosts();
	run_handshake(21, &x);
	ck_assert_uint_eq(x.client_result.access_recommendation, QUARANTINED);
	run_handshake(22, &x);
	ck_assert_uint_eq(x.client_result.access_recommendation, QUARANTINED);
	ck_assert_int_eq(query_int("SELECT count(*) FROM devices"), 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions"), 2);
	ck_assert_int_eq(query_int("SELECT count(*) FROM results WHERE rec = 2"), 2);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("imc_os_handshake");
	TCase *tc = tcase_create("handshake");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, handshake_no_policy_allows);
	tcase_add_test(tc, handshake_fwden_on_isolates);
	tcase_add_test(tc, handshake_fwden_off_allows);
	tcase_add_test(tc, handshake_packages_blacklisted);
	tcase_add_test(tc, handshake_machine_id_device);
	tcase_add_test(tc, handshake_missing_database_denies);
	tcase_add_test(tc, handshake_two_connections_share_device);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
