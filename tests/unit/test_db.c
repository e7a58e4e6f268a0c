#include <sys/time.h>
#include <unistd.h>

#include "test_util.h"
#include "db/db.h"

static char dir[] = "/tmp/test_db.XXXXXX";
static char path[256];

static void setup(void)
{
	strcpy(dir, "/tmp/test_db.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.db", dir);
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static long long query_int(sqlite3 *h, const char *sql)
{
	sqlite3_stmt *stmt;
	long long v;

	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

START_TEST(db_init_creates_schema)
{
	db_t *db = NULL;

	ck_assert_int_eq(db_init(path, 0, &db), TS_OK);
	ck_assert_int_eq(query_int(db_handle(db),
		"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"), 28);
	ck_assert_int_eq(query_int(db_handle(db), "SELECT count(*) FROM groups WHERE id = 1 AND name = 'Default'"), 1);
	ck_assert_int_eq(query_int(db_handle(db), "SELECT id FROM algorithms WHERE name = 'SHA256'"), 16384);
	ck_assert_int_eq(query_int(db_handle(db), "SELECT count(*) FROM components"), 4);
	ck_assert_int_eq(query_int(db_handle(db),
		"SELECT id FROM components WHERE vendor_id = 36906 AND name = 3 AND qualifier = 34"), 4);
	db_close(db);

	/* A second init keeps rows and adds no duplicates. */
	ck_assert_int_eq(db_init(path, 0, &db), TS_OK);
	ck_assert_int_eq(query_int(db_handle(db), "SELECT count(*) FROM components"), 4);
	ck_assert_int_eq(query_int(db_handle(db), "SELECT count(*) FROM algorithms"), 4);
	db_close(db);

	ck_assert_int_eq(db_open(path, 0, &db), TS_OK);
	db_close(db);
}
END_TEST

START_TEST(db_open_missing_file)
{
	db_t *db = NULL;

	ck_assert_int_eq(db_open(path, 0, &db), TS_E_NOT_FOUND);
	ck_assert_ptr_null(db);
}
END_TEST

START_TEST(db_open_foreign_file)
{
	sqlite3 *h;
	db_t *db = NULL;

	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "CREATE TABLE products (id INTEGER, name TEXT);"
				      "CREATE TABLE devices (id INTEGER);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	ck_assert_int_eq(db_open(path, 0, &db), TS_E_DB);
	ck_assert_ptr_null(db);
}
END_TEST

START_TEST(db_busy_is_bounded)
{
	db_t *db = NULL;
	sqlite3 *other;
	struct timeval t0, t1;
	long ms;

	ck_assert_int_eq(db_init(path, 200, &db), TS_OK);
	ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

	gettimeofday(&t0, NULL);
	ck_assert_int_eq(db_begin(db), TS_E_BUSY);
	gettimeofday(&t1, NULL);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
	ck_assert_int_ge(ms, 150);
	ck_assert_int_lt(ms, 5000);

	/* Reads still work while the other connection holds the write lock. */
	ck_assert_int_eq(query_int(db_handle(db), "SELECT count(*) FROM algorithms"), 4);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	ck_assert_int_eq(db_begin(db), TS_OK);
	ck_assert_int_eq(db_commit(db), TS_OK);
	db_close(db);
}
END_TEST

/* strongTNC turns on foreign keys and deletes a device's sessions first. */
START_TEST(db_delete_device_with_foreign_keys)
{
	db_t *db = NULL;
	sqlite3 *h;

	ck_assert_int_eq(db_init(path, 0, &db), TS_OK);
	h = db_handle(db);
	ck_assert_int_eq(db_exec(db,
		"INSERT INTO products (id, name) VALUES (1, 'Debian 12 x86_64');"
		"INSERT INTO devices (id, value, product) VALUES (1, 'aa', 1);"
		"INSERT INTO identities (id, type, value) VALUES (1, 5, x'616c696365');"
		"INSERT INTO sessions (id, time, connection, identity, device, product) VALUES (1, 1, 1, 1, 1, 1);"
		"INSERT INTO sessions_identities (session_id, identity_id) VALUES (1, 1);"
		"INSERT INTO policies (id, type, name, rec_fail, rec_noresult) VALUES (1, 16, 'TPM', 2, 2);"
		"INSERT INTO results (session, policy, rec, result) VALUES (1, 1, 0, 'ok');"), TS_OK);
	ck_assert_int_eq(db_exec(db, "PRAGMA foreign_keys = ON"), TS_OK);
	ck_assert_int_eq(db_exec(db, "DELETE FROM results WHERE session = 1; DELETE FROM sessions WHERE device = 1;"
				 "DELETE FROM devices WHERE id = 1; DELETE FROM policies WHERE id = 1"), TS_OK);
	ck_assert_int_eq(query_int(h, "SELECT count(*) FROM sessions_identities"), 0);
	ck_assert_int_eq(query_int(h, "SELECT count(*) FROM devices"), 0);
	db_close(db);
}
END_TEST

START_TEST(db_blob_storage_classes)
{
	db_t *db = NULL;
	sqlite3_stmt *stmt = NULL;

	ck_assert_int_eq(db_init(path, 0, &db), TS_OK);
	ck_assert_int_eq(db_prepare(db, "INSERT INTO identities (type, value) VALUES (5, ?)", &stmt), TS_OK);
	ck_assert_int_eq(sqlite3_bind_blob(stmt, 1, "bob", 3, SQLITE_STATIC), SQLITE_OK);
	ck_assert_int_eq(db_step(db, stmt, NULL), TS_OK);
	sqlite3_finalize(stmt);
	ck_assert_int_eq(query_int(db_handle(db), "SELECT count(*) FROM identities WHERE typeof(value) = 'blob'"), 1);
	ck_assert_int_eq(db_prepare(db, "SELECT * FROM no_such_table", &stmt), TS_E_DB);
	db_close(db);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, db_init_creates_schema);
	tcase_add_test(tc, db_open_missing_file);
	tcase_add_test(tc, db_open_foreign_file);
	tcase_add_test(tc, db_busy_is_bounded);
	tcase_add_test(tc, db_delete_device_with_foreign_keys);
	tcase_add_test(tc, db_blob_storage_classes);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
