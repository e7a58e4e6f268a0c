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

/*
 * A config.db made by another tool lacks the sessions_connection index:
 * db_open adds it, and opening goes on without it when the lock is taken.
 */
START_TEST(db_open_adds_session_index)
{
	static const char count_sql[] =
		"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'sessions_connection'";
	db_t *db = NULL;
	sqlite3 *other;

	ck_assert_int_eq(db_init(path, 0, &db), TS_OK);
	ck_assert_int_eq(query_int(db_handle(db), count_sql), 1);
	ck_assert_int_eq(db_exec(db, "DROP INDEX sessions_connection"), TS_OK);
	db_close(db);

	/* Another connection holds the write lock: the open succeeds without the index. */
	ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(db_open(path, 200, &db), TS_OK);
	ck_assert_int_eq(query_int(db_handle(db), count_sql), 0);
	db_close(db);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);

	ck_assert_int_eq(db_open(path, 0, &db), TS_OK);
	ck_assert_int_eq(query_int(db_handle(db), count_sql), 1);
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

/* Statements of a connection, whether or not a cache owns them. */
static int count_stmts(sqlite3 *h)
{
	int n = 0;

	for (sqlite3_stmt *st = sqlite3_next_stmt(h, NULL); st; st = sqlite3_next_stmt(h, st))
		n++;
	return n;
}

/* An initialized config.db plus table t (v INTEGER UNIQUE) holding `rows` rows 1, 2, ... */
static db_t *open_with_table(int busy_timeout_ms, int rows)
{
	db_t *db = NULL;

	ck_assert_int_eq(db_init(path, busy_timeout_ms, &db), TS_OK);
	ck_assert_int_eq(db_exec(db, "CREATE TABLE t (v INTEGER UNIQUE)"), TS_OK);
	for (int i = 1; i <= rows; i++) {
		char sql[64];

		snprintf(sql, sizeof(sql), "INSERT INTO t (v) VALUES (%d)", i);
		ck_assert_int_eq(db_exec(db, sql), TS_OK);
	}
	return db;
}

/* Runs a cached "INSERT INTO t (v) VALUES (?)" and returns db_step's result. */
static int insert_value(db_t *db, int v, sqlite3_stmt **used)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	ck_assert_int_eq(db_stmt(db, "INSERT INTO t (v) VALUES (?)", &stmt), TS_OK);
	ck_assert_int_eq(sqlite3_bind_int(stmt, 1, v), SQLITE_OK);
	rc = db_step(db, stmt, NULL);
	db_stmt_done(db, stmt);
	*used = stmt;
	return rc;
}

START_TEST(db_stmt_reuses_statement)
{
	static const char sql[] = "SELECT count(*) FROM t";
	char copy[sizeof(sql)];
	sqlite3_stmt *first = NULL, *stmt = NULL;
	bool row = false;
	db_t *db = open_with_table(0, 3);
	int cached = count_stmts(db_handle(db));  /* db_init()'s BEGIN and COMMIT */

	ck_assert_int_eq(db_stmt(db, sql, &first), TS_OK);
	ck_assert_int_eq(db_step(db, first, &row), TS_OK);
	ck_assert(row);
	ck_assert_int_eq(sqlite3_column_int(first, 0), 3);
	db_stmt_done(db, first);

	ck_assert_int_eq(db_stmt(db, sql, &stmt), TS_OK);
	ck_assert_ptr_eq(stmt, first);
	ck_assert_int_eq(db_step(db, stmt, &row), TS_OK);
	ck_assert_int_eq(sqlite3_column_int(stmt, 0), 3);
	db_stmt_done(db, stmt);

	/* The same text at another address finds the same statement. */
	memcpy(copy, sql, sizeof(sql));
	ck_assert_int_eq(db_stmt(db, copy, &stmt), TS_OK);
	ck_assert_ptr_eq(stmt, first);
	db_stmt_done(db, stmt);
	/* Handing it back twice is harmless. */
	db_stmt_done(db, stmt);
	db_stmt_done(db, NULL);

	ck_assert_int_eq(count_stmts(db_handle(db)), cached + 1);
	db_close(db);
}
END_TEST

/* A buffer reused for other SQL text must not return the statement of the old text. */
START_TEST(db_stmt_reused_buffer)
{
	char sql[64];
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	db_t *db = open_with_table(0, 0);
	int cached = count_stmts(db_handle(db));

	for (int i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", 100 + i);
		ck_assert_int_eq(db_stmt(db, sql, &stmt), TS_OK);
		ck_assert_int_eq(db_step(db, stmt, &row), TS_OK);
		ck_assert(row);
		ck_assert_int_eq(sqlite3_column_int(stmt, 0), 100 + i);
		db_stmt_done(db, stmt);
	}
	ck_assert_int_eq(count_stmts(db_handle(db)), cached + 3);
	db_close(db);
}
END_TEST

START_TEST(db_stmt_clears_bindings)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	db_t *db = open_with_table(0, 0);

	ck_assert_int_eq(db_stmt(db, "SELECT ?", &stmt), TS_OK);
	ck_assert_int_eq(sqlite3_bind_int(stmt, 1, 42), SQLITE_OK);
	ck_assert_int_eq(db_step(db, stmt, &row), TS_OK);
	ck_assert_int_eq(sqlite3_column_int(stmt, 0), 42);
	db_stmt_done(db, stmt);

	/* Unbound parameters are NULL. */
	ck_assert_int_eq(db_stmt(db, "SELECT ?", &stmt), TS_OK);
	ck_assert_int_eq(db_step(db, stmt, &row), TS_OK);
	ck_assert(row);
	ck_assert_int_eq(sqlite3_column_type(stmt, 0), SQLITE_NULL);
	db_stmt_done(db, stmt);
	db_close(db);
}
END_TEST

START_TEST(db_stmt_reusable_after_constraint_error)
{
	sqlite3_stmt *first = NULL, *stmt = NULL;
	db_t *db = open_with_table(0, 0);

	ck_assert_int_eq(insert_value(db, 1, &first), TS_OK);
	ck_assert_int_eq(insert_value(db, 1, &stmt), TS_E_DB);
	ck_assert_ptr_eq(stmt, first);
	ck_assert_int_eq(insert_value(db, 2, &stmt), TS_OK);
	ck_assert_ptr_eq(stmt, first);
	ck_assert_int_eq(query_int(db_handle(db), "SELECT count(*) FROM t"), 2);
	ck_assert_int_eq(query_int(db_handle(db), "SELECT max(v) FROM t"), 2);
	db_close(db);
}
END_TEST

START_TEST(db_stmt_reusable_after_busy)
{
	sqlite3_stmt *first = NULL, *stmt = NULL;
	sqlite3 *other;
	db_t *db = open_with_table(50, 0);

	ck_assert_int_eq(insert_value(db, 1, &first), TS_OK);
	ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(insert_value(db, 2, &stmt), TS_E_BUSY);
	ck_assert_ptr_eq(stmt, first);
	ck_assert_int_eq(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);

	ck_assert_int_eq(insert_value(db, 2, &stmt), TS_OK);
	ck_assert_ptr_eq(stmt, first);
	ck_assert_int_eq(query_int(db_handle(db), "SELECT count(*) FROM t"), 2);
	db_close(db);
}
END_TEST

/* Another connection changes the schema; the cached statement is prepared again on its next step. */
START_TEST(db_stmt_survives_schema_change)
{
	sqlite3_stmt *first = NULL, *stmt = NULL;
	sqlite3 *other;
	bool row = false;
	db_t *db = open_with_table(0, 2);

	ck_assert_int_eq(db_stmt(db, "SELECT * FROM t ORDER BY v", &first), TS_OK);
	ck_assert_int_eq(sqlite3_column_count(first), 1);
	db_stmt_done(db, first);

	ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "ALTER TABLE t ADD COLUMN w TEXT DEFAULT 'x'", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(other);

	ck_assert_int_eq(db_stmt(db, "SELECT * FROM t ORDER BY v", &stmt), TS_OK);
	ck_assert_ptr_eq(stmt, first);
	ck_assert_int_eq(db_step(db, stmt, &row), TS_OK);
	ck_assert(row);
	ck_assert_int_eq(sqlite3_column_count(stmt), 2);
	ck_assert_str_eq((const char *)sqlite3_column_text(stmt, 1), "x");
	db_stmt_done(db, stmt);
	db_close(db);
}
END_TEST

/* The same SQL requested while its cached statement still steps gets a private statement. */
START_TEST(db_stmt_nested_request)
{
	static const char sql[] = "SELECT v FROM t ORDER BY v";
	sqlite3_stmt *outer = NULL, *inner = NULL, *again = NULL;
	bool row = false;
	db_t *db = open_with_table(0, 2);
	int cached = count_stmts(db_handle(db));

	ck_assert_int_eq(db_stmt(db, sql, &outer), TS_OK);
	ck_assert_int_eq(db_step(db, outer, &row), TS_OK);
	ck_assert_int_eq(sqlite3_column_int(outer, 0), 1);

	ck_assert_int_eq(db_stmt(db, sql, &inner), TS_OK);
	ck_assert_ptr_ne(inner, outer);
	ck_assert_int_eq(count_stmts(db_handle(db)), cached + 2);
	ck_assert_int_eq(db_step(db, inner, &row), TS_OK);
	ck_assert(row);
	ck_assert_int_eq(sqlite3_column_int(inner, 0), 1);
	db_stmt_done(db, inner);
	/* The private statement is finalized, the cached one keeps its place. */
	ck_assert_int_eq(count_stmts(db_handle(db)), cached + 1);
	ck_assert_int_eq(db_step(db, outer, &row), TS_OK);
	ck_assert(row);
	ck_assert_int_eq(sqlite3_column_int(outer, 0), 2);
	db_stmt_done(db, outer);

	ck_assert_int_eq(db_stmt(db, sql, &again), TS_OK);
	ck_assert_ptr_eq(again, outer);
	db_stmt_done(db, again);
	db_close(db);
}
END_TEST

START_TEST(db_stmt_cache_full)
{
	sqlite3_stmt *held[DB_STMT_CACHE_MAX], *second = NULL, *stmt = NULL, *extra = NULL;
	char sql[64];
	bool row = false;
	db_t *db = open_with_table(0, 0);

	/* One more statement than fit: the least recently requested ("SELECT 0") makes room. */
	for (int i = 0; i <= DB_STMT_CACHE_MAX; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		ck_assert_int_eq(db_stmt(db, sql, &stmt), TS_OK);
		ck_assert_int_eq(db_step(db, stmt, &row), TS_OK);
		ck_assert_int_eq(sqlite3_column_int(stmt, 0), i);
		db_stmt_done(db, stmt);
		if (i == 1)
			second = stmt;
	}
	ck_assert_int_eq(count_stmts(db_handle(db)), DB_STMT_CACHE_MAX);
	ck_assert_int_eq(db_stmt(db, "SELECT 1", &stmt), TS_OK);
	ck_assert_ptr_eq(stmt, second);
	db_stmt_done(db, stmt);

	/* With every cached statement in use, a new request gets a private statement. */
	for (int i = 0; i < DB_STMT_CACHE_MAX; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", 1000 + i);
		ck_assert_int_eq(db_stmt(db, sql, &held[i]), TS_OK);
	}
	ck_assert_int_eq(count_stmts(db_handle(db)), DB_STMT_CACHE_MAX);
	ck_assert_int_eq(db_stmt(db, "SELECT 'extra'", &extra), TS_OK);
	ck_assert_int_eq(count_stmts(db_handle(db)), DB_STMT_CACHE_MAX + 1);
	ck_assert_int_eq(db_step(db, extra, &row), TS_OK);
	ck_assert_str_eq((const char *)sqlite3_column_text(extra, 0), "extra");
	db_stmt_done(db, extra);
	ck_assert_int_eq(count_stmts(db_handle(db)), DB_STMT_CACHE_MAX);
	for (int i = 0; i < DB_STMT_CACHE_MAX; i++) {
		ck_assert_int_eq(db_step(db, held[i], &row), TS_OK);
		ck_assert_int_eq(sqlite3_column_int(held[i], 0), 1000 + i);
		db_stmt_done(db, held[i]);
	}
	db_close(db);
}
END_TEST

START_TEST(db_stmt_rejects_bad_sql)
{
	sqlite3_stmt *stmt = NULL;
	db_t *db = open_with_table(0, 0);
	int cached = count_stmts(db_handle(db));

	ck_assert_int_eq(db_stmt(db, "SELECT 1; SELECT 2", &stmt), TS_E_INVALID);
	ck_assert_int_eq(db_stmt(db, "  ", &stmt), TS_E_INVALID);
	ck_assert_int_eq(db_stmt(db, "SELECT * FROM no_such_table", &stmt), TS_E_DB);
	ck_assert_ptr_null(stmt);
	ck_assert_int_eq(count_stmts(db_handle(db)), cached);

	ck_assert_int_eq(db_stmt(db, "SELECT 1;\n", &stmt), TS_OK);
	ck_assert_ptr_nonnull(stmt);
	db_stmt_done(db, stmt);
	db_close(db);
}
END_TEST

/*
 * A statement that has returned a row keeps a read transaction open, and
 * checkpoints cannot pass its snapshot, so db_stmt_done() must end it.
 */
START_TEST(db_stmt_done_ends_read_transaction)
{
	sqlite3_stmt *stmt = NULL;
	sqlite3 *other;
	bool row = false;
	int log_frames = -1, done_frames = -1;
	db_t *db = open_with_table(0, 3);

	ck_assert_int_eq(db_stmt(db, "SELECT v FROM t", &stmt), TS_OK);
	ck_assert_int_eq(db_step(db, stmt, &row), TS_OK);
	ck_assert(row);

	ck_assert_int_eq(sqlite3_open(path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "INSERT INTO t (v) VALUES (10)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_wal_checkpoint_v2(other, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
						   &done_frames), SQLITE_OK);
	ck_assert_int_gt(log_frames, 0);
	ck_assert_int_lt(done_frames, log_frames);

	db_stmt_done(db, stmt);
	ck_assert_int_eq(sqlite3_stmt_busy(stmt), 0);
	ck_assert_int_eq(sqlite3_wal_checkpoint_v2(other, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
						   &done_frames), SQLITE_OK);
	ck_assert_int_eq(done_frames, log_frames);
	/* TRUNCATE needs every reader gone; it fails with SQLITE_BUSY otherwise. */
	ck_assert_int_eq(sqlite3_wal_checkpoint_v2(other, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	db_close(db);
}
END_TEST

/*
 * db_close() finalizes the cached statements, also one still in use: no
 * SQLite memory stays allocated afterwards (a connection with unfinalized
 * statements would stay open as a zombie after sqlite3_close_v2).
 */
START_TEST(db_close_finalizes_statements)
{
	sqlite3_stmt *stmt = NULL;
	sqlite3_int64 before;
	bool row = false;
	db_t *db = open_with_table(0, 2);

	db_close(db);
	before = sqlite3_memory_used();

	ck_assert_int_eq(db_open(path, 0, &db), TS_OK);
	ck_assert_int_gt(sqlite3_memory_used(), before);
	ck_assert_int_eq(db_begin(db), TS_OK);
	ck_assert_int_eq(db_commit(db), TS_OK);
	ck_assert_int_eq(db_stmt(db, "SELECT v FROM t", &stmt), TS_OK);
	db_stmt_done(db, stmt);
	ck_assert_int_eq(db_stmt(db, "SELECT count(*) FROM t", &stmt), TS_OK);
	ck_assert_int_eq(db_step(db, stmt, &row), TS_OK);
	/* Not handed back: db_close() logs it and finalizes it anyway. */
	ck_assert_int_eq(count_stmts(db_handle(db)), 4);
	db_close(db);
	ck_assert_int_eq(sqlite3_memory_used(), before);
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
	tcase_add_test(tc, db_open_adds_session_index);
	tcase_add_test(tc, db_delete_device_with_foreign_keys);
	tcase_add_test(tc, db_blob_storage_classes);
	tcase_add_test(tc, db_stmt_reuses_statement);
	tcase_add_test(tc, db_stmt_reused_buffer);
	tcase_add_test(tc, db_stmt_clears_bindings);
	tcase_add_test(tc, db_stmt_reusable_after_constraint_error);
	tcase_add_test(tc, db_stmt_reusable_after_busy);
	tcase_add_test(tc, db_stmt_survives_schema_change);
	tcase_add_test(tc, db_stmt_nested_request);
	tcase_add_test(tc, db_stmt_cache_full);
	tcase_add_test(tc, db_stmt_rejects_bad_sql);
	tcase_add_test(tc, db_stmt_done_ends_read_transaction);
	tcase_add_test(tc, db_close_finalizes_statements);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
