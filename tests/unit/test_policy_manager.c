#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"
#include "policy_manager.h"

static char dir[64];
static char path[128];
static db_t *db;

static void setup(void)
{
	strcpy(dir, "/tmp/test_pm.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.db", dir);
	ck_assert_int_eq(db_init(path, 2000, &db), TS_OK);
}

static void teardown(void)
{
	char cmd[128];

	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static long long query_int(const char *sql)
{
	sqlite3_stmt *stmt;
	long long v;

	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), sql, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

/* A TPMRA policy (fail: isolate, no result: no access) enforced on the Default group. */
static void add_tpm_policy(int max_age)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO policies (id, type, name, argument, rec_fail, rec_noresult) "
		 "VALUES (19, 16, 'TPM BIOS Measurements', 'B', 2, 1);"
		 "INSERT INTO enforcements (policy, group_id, max_age) VALUES (19, 1, %d);", max_age);
	ck_assert_int_eq(db_exec(db, sql), TS_OK);
}

static const int attest_types[] = { PM_WORKITEM_TPMRA };
static const uint8_t user[] = "alice";

static pm_session attach(unsigned long conn, const char *device)
{
	pm_identity ident = { .type = 5, .value = user, .len = 5 };
	pm_session_info info = {
		.connection = conn,
		.product = "Debian 12 x86_64",
		.device = device,
		.identities = &ident,
		.identity_count = 1,
	};
	pm_session s;

	ck_assert_int_eq(pm_session_attach(db, &info, &s), TS_OK);
	return s;
}

START_TEST(pm_new_device_joins_default)
{
	pm_workitem *items = NULL;
	size_t n = 0;
	pm_session s;

	add_tpm_policy(0);
	s = attach(1, "0123abcd");
	ck_assert(s.created);
	ck_assert(!s.device_trusted);
	ck_assert_int_eq(query_int("SELECT count(*) FROM products WHERE name = 'Debian 12 x86_64'"), 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM groups_members WHERE group_id = 1"), 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM devices WHERE created IS NOT NULL"), 1);
	ck_assert_int_eq(query_int("SELECT identity FROM sessions"), 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions_identities"), 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM identities WHERE typeof(value) = 'blob'"), 1);

	ck_assert_int_eq(pm_workitems_load(db, s.id, attest_types, 1, &items, &n), TS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(items[0].type, PM_WORKITEM_TPMRA);
	ck_assert_str_eq(items[0].arg_str, "B");
	ck_assert_int_eq(items[0].rec_fail, PM_REC_ISOLATE);
	ck_assert_int_eq(items[0].rec_noresult, PM_REC_NO_ACCESS);
	ck_assert(!items[0].done);
	pm_workitems_free(items, n);
}
END_TEST

START_TEST(pm_second_imv_shares_session)
{
	pm_session a, b;

	add_tpm_policy(0);
	a = attach(7, "dev1");
	b = attach(7, "dev1");
	ck_assert(a.created);
	ck_assert(!b.created);
	ck_assert_int_eq(a.id, b.id);
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 1);
	/* Another connection of the same device gets its own session. */
	ck_assert_int_ne(attach(8, "dev1").id, a.id);
}
END_TEST

/*
 * A session 30 s old is inside the sharing window but was created before this
 * test process started, as a session of an earlier tnc-server process with the
 * same connection ID would be. It must not be shared.
 */
START_TEST(pm_session_of_earlier_process_not_shared)
{
	pm_session a, b;
	char sql[128];

	add_tpm_policy(0);
	a = attach(9, "dev1");
	snprintf(sql, sizeof(sql), "UPDATE sessions SET time = time - 30 WHERE id = %lld", (long long)a.id);
	ck_assert_int_eq(db_exec(db, sql), TS_OK);
	b = attach(9, "dev1");
	ck_assert(b.created);
	ck_assert_int_ne(b.id, a.id);
}
END_TEST

START_TEST(pm_stop_writes_results)
{
	pm_workitem *items = NULL;
	size_t n = 0;
	pm_session s;
	int rec, eval;

	add_tpm_policy(0);
	s = attach(1, "dev");
	ck_assert_int_eq(pm_workitems_load(db, s.id, attest_types, 1, &items, &n), TS_OK);
	ck_assert_int_eq(pm_workitem_set_result(db, &items[0], "105 boot measurements registered",
						PM_EVAL_COMPLIANT), TS_OK);
	pm_combine(items, n, &rec, &eval);
	ck_assert_int_eq(rec, PM_REC_ALLOW);
	ck_assert_int_eq(eval, PM_EVAL_COMPLIANT);
	ck_assert_int_eq(pm_session_stop(db, s.id, rec, attest_types, 1), TS_OK);
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM results WHERE policy = 19 AND rec = 0"), 1);
	ck_assert_int_eq(query_int("SELECT rec FROM sessions"), 0);
	pm_workitems_free(items, n);
}
END_TEST

START_TEST(pm_max_age_skips_recent_pass)
{
	pm_workitem *items = NULL;
	size_t n = 0;
	pm_session s;

	add_tpm_policy(3600);
	s = attach(1, "dev");
	ck_assert_int_eq(pm_workitems_load(db, s.id, attest_types, 1, &items, &n), TS_OK);
	ck_assert_int_eq(pm_workitem_set_result(db, &items[0], "ok", PM_EVAL_COMPLIANT), TS_OK);
	ck_assert_int_eq(pm_session_stop(db, s.id, PM_REC_ALLOW, attest_types, 1), TS_OK);
	pm_workitems_free(items, n);

	/* The pass is younger than max_age, so the next session has no workitem. */
	s = attach(2, "dev");
	ck_assert(s.created);
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 0);

	/* With max_age 0 the policy runs every time. */
	ck_assert_int_eq(db_exec(db, "UPDATE enforcements SET max_age = 0"), TS_OK);
	s = attach(3, "dev");
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 1);
}
END_TEST

START_TEST(pm_failed_pass_reruns)
{
	pm_workitem *items = NULL;
	size_t n = 0;
	pm_session s;
	int rec, eval;

	add_tpm_policy(3600);
	s = attach(1, "dev");
	ck_assert_int_eq(pm_workitems_load(db, s.id, attest_types, 1, &items, &n), TS_OK);
	ck_assert_int_eq(pm_workitem_set_result(db, &items[0], "PCR 4 differs", PM_EVAL_NONCOMPLIANT_MINOR),
			 TS_OK);
	ck_assert_int_eq(items[0].rec_final, PM_REC_ISOLATE);
	pm_combine(items, n, &rec, &eval);
	ck_assert_int_eq(rec, PM_REC_ISOLATE);
	ck_assert_int_eq(eval, PM_EVAL_NONCOMPLIANT_MINOR);
	ck_assert_int_eq(pm_session_stop(db, s.id, rec, attest_types, 1), TS_OK);
	pm_workitems_free(items, n);

	s = attach(2, "dev");
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 1);
}
END_TEST

START_TEST(pm_product_default_and_parents)
{
	pm_session s;

	ck_assert_int_eq(db_exec(db,
		"INSERT INTO products (id, name) VALUES (104, 'Debian 12 x86_64');"
		"INSERT INTO groups (id, name, parent) VALUES (2, 'Linux', 1), (17, 'Debian x86_64', 2);"
		"INSERT INTO groups_product_defaults (group_id, product_id) VALUES (17, 104);"
		"INSERT INTO policies (id, type, name, rec_fail, rec_noresult) VALUES "
		"  (1, 1, 'Installed Packages', 2, 2), (3, 3, 'IP Forwarding', 1, 1), (4, 4, 'Default Password', 1, 1);"
		"INSERT INTO enforcements (policy, group_id, max_age, rec_fail) VALUES "
		"  (1, 1, 0, NULL), (3, 2, 0, 2), (4, 17, 0, NULL);"), TS_OK);
	s = attach(1, "dev");
	ck_assert_int_eq(s.product_id, 104);
	ck_assert_int_eq(query_int("SELECT group_id FROM groups_members"), 17);
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 3);
	/* The enforcement on group 2 overrides rec_fail of policy 3. */
	ck_assert_int_eq(query_int("SELECT rec_fail FROM workitems WHERE type = 3"), PM_REC_ISOLATE);
	ck_assert_int_eq(query_int("SELECT rec_fail FROM workitems WHERE type = 4"), PM_REC_NO_ACCESS);
}
END_TEST

START_TEST(pm_group_cycle_rejected)
{
	pm_session_info info = { .connection = 1, .product = "P", .device = "d" };
	pm_session s;

	ck_assert_int_eq(db_exec(db, "UPDATE groups SET parent = 1 WHERE id = 1"), TS_OK);
	ck_assert_int_eq(pm_session_attach(db, &info, &s), TS_E_INVALID);
	/* Nothing of the failed session is left behind. */
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM devices"), 0);
}
END_TEST

START_TEST(pm_combine_fails_closed)
{
	pm_workitem items[2] = {
		{ .type = 1, .rec_fail = 2, .rec_noresult = 1, .done = true, .rec_final = 0,
		  .evaluation = PM_EVAL_COMPLIANT },
		{ .type = 16, .rec_fail = 2, .rec_noresult = 1, .done = false },
	};
	pm_workitem none = { .type = 16, .rec_fail = 0, .rec_noresult = 3, .done = false };
	int rec, eval;

	pm_combine(NULL, 0, &rec, &eval);
	ck_assert_int_eq(rec, PM_REC_ALLOW);
	ck_assert_int_eq(eval, PM_EVAL_DONT_KNOW);
	pm_combine(items, 1, &rec, &eval);
	ck_assert_int_eq(rec, PM_REC_ALLOW);
	pm_combine(items, 2, &rec, &eval);
	ck_assert_int_eq(rec, PM_REC_NO_ACCESS);
	ck_assert_int_eq(eval, PM_EVAL_ERROR);
	/* "No recommendation" for a missing result still never turns into allow. */
	pm_combine(&none, 1, &rec, &eval);
	ck_assert_int_eq(rec, PM_REC_NO_ACCESS);
}
END_TEST

START_TEST(pm_stop_leaves_other_imv_items)
{
	static const int os_types[] = { PM_WORKITEM_PCKGS, PM_WORKITEM_FWDEN, PM_WORKITEM_PWDEN };
	pm_session s;

	ck_assert_int_eq(db_exec(db,
		"INSERT INTO policies (id, type, name, rec_fail, rec_noresult) VALUES "
		"  (3, 3, 'IP Forwarding', 1, 1), (19, 16, 'TPM', 2, 2), (9, 13, 'UDP ports', 1, 1);"
		"INSERT INTO enforcements (policy, group_id, max_age) VALUES (3, 1, 0), (19, 1, 0), (9, 1, 0);"),
		TS_OK);
	s = attach(1, "dev");
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 3);
	ck_assert_int_eq(pm_session_stop(db, s.id, PM_REC_NO_ACCESS, os_types, 3), TS_OK);
	/* The OS IMV removed its item and the unhandled UDP one; the TPM item waits for its IMV. */
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 1);
	ck_assert_int_eq(query_int("SELECT type FROM workitems"), PM_WORKITEM_TPMRA);
	ck_assert_int_eq(query_int("SELECT count(*) FROM results"), 0);
}
END_TEST

/* Statements of the connection that have started and not been reset, so may hold a read transaction. */
static int count_busy_stmts(sqlite3 *h)
{
	int n = 0;

	for (sqlite3_stmt *st = sqlite3_next_stmt(h, NULL); st; st = sqlite3_next_stmt(h, st))
		n += sqlite3_stmt_busy(st) != 0;
	return n;
}

static int count_stmts(sqlite3 *h)
{
	int n = 0;

	for (sqlite3_stmt *st = sqlite3_next_stmt(h, NULL); st; st = sqlite3_next_stmt(h, st))
		n++;
	return n;
}

/* One session from attach to stop, as an IMV runs it. */
static void run_cycle(unsigned long conn, const char *device)
{
	pm_workitem *items = NULL;
	size_t n = 0;
	pm_session s;
	int rec, eval;

	s = attach(conn, device);
	ck_assert_int_eq(count_busy_stmts(db_handle(db)), 0);
	ck_assert_int_eq(pm_workitems_load(db, s.id, attest_types, 1, &items, &n), TS_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(pm_workitem_set_result(db, &items[0], "ok", PM_EVAL_COMPLIANT), TS_OK);
	pm_combine(items, n, &rec, &eval);
	ck_assert_int_eq(pm_session_stop(db, s.id, rec, attest_types, 1), TS_OK);
	ck_assert_int_eq(count_busy_stmts(db_handle(db)), 0);
	pm_workitems_free(items, n);
}

/* The policy manager hands every cached statement back, and later sessions reuse them. */
START_TEST(pm_statements_reset_and_reused)
{
	int cached;

	add_tpm_policy(0);
	/* A new device, then the same device again (it is a group member by then). */
	run_cycle(1, "dev-a");
	run_cycle(2, "dev-a");
	cached = count_stmts(db_handle(db));
	ck_assert_int_gt(cached, 10);
	run_cycle(3, "dev-b");
	run_cycle(4, "dev-b");
	ck_assert_int_eq(count_stmts(db_handle(db)), cached);
	ck_assert_int_eq(query_int("SELECT count(*) FROM results WHERE rec = 0"), 4);
}
END_TEST

START_TEST(pm_busy_database_fails)
{
	pm_session_info info = { .connection = 1, .product = "P", .device = "d" };
	sqlite3 *other;
	db_t *quick = NULL;
	pm_session s;

	ck_assert_int_eq(db_open(path, 100, &quick), TS_OK);
	ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(pm_session_attach(quick, &info, &s), TS_E_BUSY);
	ck_assert_int_eq(count_busy_stmts(db_handle(quick)), 0);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	db_close(quick);
}
END_TEST

/*
 * 20 sessions run in parallel threads, each with its own connection to the
 * file, while a child process keeps taking the write lock. A session that
 * cannot attach or record a result ends in no access; every session that
 * ends in allow must have its workitem evaluated.
 */
#define PM_THREADS 20

typedef struct run_arg {
	int index;
	int final_rec;
	bool attached;
	bool evaluated;
} run_arg;

static void *run_session(void *p)
{
	static const int types[] = { PM_WORKITEM_TPMRA };
	run_arg *arg = p;
	pm_session_info info = { .connection = (unsigned long)arg->index + 100, .product = "Debian 12 x86_64" };
	char device[16];
	pm_workitem *items = NULL;
	size_t n = 0;
	db_t *mine = NULL;
	pm_session s;
	int rec = PM_REC_NO_ACCESS, eval = PM_EVAL_ERROR;

	snprintf(device, sizeof(device), "dev%02d", arg->index);
	info.device = device;
	arg->final_rec = PM_REC_NO_ACCESS;
	if (db_open(path, 300, &mine) != TS_OK)
		return NULL;
	if (pm_session_attach(mine, &info, &s) == TS_OK &&
	    pm_workitems_load(mine, s.id, types, 1, &items, &n) == TS_OK) {
		arg->attached = true;
		arg->evaluated = true;
		for (size_t i = 0; i < n; i++)
			if (pm_workitem_set_result(mine, &items[i], "ok", PM_EVAL_COMPLIANT) != TS_OK)
				arg->evaluated = false;
		pm_combine(items, n, &rec, &eval);
		arg->final_rec = rec;
		if (pm_session_stop(mine, s.id, rec, types, 1) != TS_OK)
			arg->final_rec = PM_REC_NO_ACCESS;
	}
	pm_workitems_free(items, n);
	db_close(mine);
	return NULL;
}

START_TEST(pm_concurrent_sessions_fail_closed)
{
	pthread_t threads[PM_THREADS];
	run_arg args[PM_THREADS];
	pid_t locker;
	int allowed = 0;

	add_tpm_policy(0);
	locker = fork();
	ck_assert_int_ge(locker, 0);
	if (locker == 0) {
		sqlite3 *h;

		/* check's SIGTERM handler would take the whole test down with this child. */
		signal(SIGTERM, SIG_DFL);
		if (sqlite3_open(path, &h) != SQLITE_OK)
			_exit(1);
		sqlite3_busy_timeout(h, 5000);
		/* Hold the write lock for 400 ms out of every 450 ms, for 8 s at most. */
		for (int i = 0; i < 18; i++) {
			sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
			usleep(400000);
			sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
			usleep(50000);
		}
		sqlite3_close(h);
		_exit(0);
	}
	usleep(100000);
	memset(args, 0, sizeof(args));
	for (int i = 0; i < PM_THREADS; i++) {
		args[i].index = i;
		ck_assert_int_eq(pthread_create(&threads[i], NULL, run_session, &args[i]), 0);
	}
	for (int i = 0; i < PM_THREADS; i++)
		pthread_join(threads[i], NULL);
	kill(locker, SIGTERM);
	waitpid(locker, NULL, 0);

	for (int i = 0; i < PM_THREADS; i++) {
		if (args[i].final_rec != PM_REC_ALLOW)
			continue;
		allowed++;
		ck_assert_msg(args[i].attached && args[i].evaluated,
			      "session %d was allowed without its workitem evaluated", i);
	}
	/* Every allowed session in the file has its result row. */
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions AS s WHERE s.rec = 0 AND NOT EXISTS "
				   "(SELECT 1 FROM results AS r WHERE r.session = s.id AND r.rec = 0)"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions WHERE rec = 0"), allowed);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("policy_manager");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pm_new_device_joins_default);
	tcase_add_test(tc, pm_second_imv_shares_session);
	tcase_add_test(tc, pm_session_of_earlier_process_not_shared);
	tcase_add_test(tc, pm_stop_writes_results);
	tcase_add_test(tc, pm_max_age_skips_recent_pass);
	tcase_add_test(tc, pm_failed_pass_reruns);
	tcase_add_test(tc, pm_product_default_and_parents);
	tcase_add_test(tc, pm_group_cycle_rejected);
	tcase_add_test(tc, pm_combine_fails_closed);
	tcase_add_test(tc, pm_stop_leaves_other_imv_items);
	tcase_add_test(tc, pm_statements_reset_and_reused);
	tcase_add_test(tc, pm_busy_database_fails);
	tcase_add_test(tc, pm_concurrent_sessions_fail_closed);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
