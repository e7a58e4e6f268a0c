#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db/db.h"
#include "log.h"

/* A statement of the cache (db_stmt). */
struct db_stmt_entry {
	const char *key;        /* address sql was last requested with */
	char *sql;              /* own copy of the text */
	sqlite3_stmt *stmt;
	uint64_t last_use;      /* db->stmt_clock at the last request */
	bool in_use;            /* handed out, not yet back through db_stmt_done() */
};

struct db {
	sqlite3 *handle;
	char *path;
	/* Cached statements in stmts[0 .. stmt_count - 1]. */
	struct db_stmt_entry stmts[DB_STMT_CACHE_MAX];
	size_t stmt_count;
	uint64_t stmt_clock;    /* counts db_stmt() requests */
};

/* The tables and columns tncsuite reads or writes; a file without them is rejected. */
static const struct {
	const char *table;
	const char *columns;  /* space-separated */
} required[] = {
	{ "products", "id name" },
	{ "devices", "id description value product trusted created inactive" },
	{ "identities", "id type value" },
	{ "sessions", "id time connection identity device product rec" },
	{ "sessions_identities", "id session_id identity_id" },
	{ "results", "id session policy rec result" },
	{ "packages", "id name blacklist" },
	{ "versions", "id product package release security blacklist time" },
	{ "directories", "id path" },
	{ "files", "id dir name" },
	{ "algorithms", "id name" },
	{ "file_hashes", "id file version device size algo hash mutable" },
	{ "components", "id vendor_id name qualifier label" },
	{ "component_hashes", "id component key seq_no pcr algo hash" },
	{ "groups", "id name parent" },
	{ "groups_members", "id group_id device_id" },
	{ "groups_product_defaults", "id group_id product_id" },
	{ "policies", "id type name argument rec_fail rec_noresult file dir" },
	{ "enforcements", "id policy group_id rec_fail rec_noresult max_age" },
	{ "workitems", "id session enforcement type arg_str arg_int rec_fail rec_noresult rec_final result" },
};

int db_error(int sqlite_rc)
{
	switch (sqlite_rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return TS_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return TS_E_BUSY;
	case SQLITE_NOMEM:
		return TS_E_NOMEM;
	case SQLITE_CANTOPEN:
		return TS_E_NOT_FOUND;
	case SQLITE_FULL:
	case SQLITE_IOERR:
		return TS_E_IO;
	default:
		return TS_E_DB;
	}
}

static int log_failure(db_t *db, int rc, const char *what)
{
	log_error(LOG_SUBSYS_DB, "%s: %s failed: %s", db->path, what, sqlite3_errmsg(db->handle));
	return db_error(rc) == TS_OK ? TS_E_DB : db_error(rc);
}

static int open_handle(const char *path, int flags, int busy_timeout_ms, db_t **out)
{
	db_t *db = calloc(1, sizeof(*db));
	int rc;

	if (!db)
		return TS_E_NOMEM;
	db->path = strdup(path);
	if (!db->path) {
		free(db);
		return TS_E_NOMEM;
	}
	rc = sqlite3_open_v2(path, &db->handle, flags | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int err = db->handle ? log_failure(db, rc, "open") : TS_E_NOMEM;

		db_close(db);
		return err;
	}
	sqlite3_extended_result_codes(db->handle, 1);
	sqlite3_busy_timeout(db->handle, busy_timeout_ms > 0 ? busy_timeout_ms : DB_BUSY_TIMEOUT_MS_DEFAULT);

	/*
	 * WAL lets sessions read while another one writes. Foreign-key checks
	 * stay off, as strongSwan's IMVs expect (SQLite's default).
	 */
	rc = sqlite3_exec(db->handle, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_READONLY) {
		int err = log_failure(db, rc, "enabling WAL mode");

		db_close(db);
		return err;
	}
	*out = db;
	return TS_OK;
}

/*
 * Adds the indexes tncsuite relies on to a config.db made by another tool
 * (strongTNC, strongSwan's scripts, an older tnc-db). Without
 * sessions_connection, every attestation scans the whole sessions table.
 * It tries once without waiting for a lock, and a failure only costs speed,
 * so it is logged at info level and the handle stays usable.
 */
static void add_missing_indexes(db_t *db, int busy_timeout_ms)
{
	sqlite3_stmt *stmt = NULL;
	bool present = false;
	int rc;

	rc = sqlite3_prepare_v2(db->handle, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND "
				"name = 'sessions_connection'", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		present = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_OK || present)
		return;

	sqlite3_busy_timeout(db->handle, 0);
	rc = sqlite3_exec(db->handle, "CREATE INDEX IF NOT EXISTS sessions_connection ON sessions (connection)",
			  NULL, NULL, NULL);
	sqlite3_busy_timeout(db->handle, busy_timeout_ms > 0 ? busy_timeout_ms : DB_BUSY_TIMEOUT_MS_DEFAULT);
	if (rc != SQLITE_OK)
		log_info(LOG_SUBSYS_DB, "%s: cannot add the index sessions_connection (%s); session lookups "
			 "will scan the sessions table", db->path, sqlite3_errmsg(db->handle));
}

int db_open(const char *path, int busy_timeout_ms, db_t **out)
{
	struct stat st;
	db_t *db = NULL;
	int rc;

	if (stat(path, &st) != 0) {
		log_error(LOG_SUBSYS_DB, "cannot open database %s: %s (create it with 'tnc-db init')",
			  path, strerror(errno));
		return errno == ENOENT ? TS_E_NOT_FOUND : TS_E_IO;
	}
	rc = open_handle(path, SQLITE_OPEN_READWRITE, busy_timeout_ms, &db);
	if (rc != TS_OK)
		return rc;
	rc = db_check_schema(db);
	if (rc != TS_OK) {
		db_close(db);
		return rc;
	}
	add_missing_indexes(db, busy_timeout_ms);
	*out = db;
	return TS_OK;
}

int db_init(const char *path, int busy_timeout_ms, db_t **out)
{
	db_t *db = NULL;
	int rc;

	rc = open_handle(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busy_timeout_ms, &db);
	if (rc != TS_OK)
		return rc;
	rc = db_begin(db);
	if (rc == TS_OK)
		rc = db_exec(db, db_schema_sql);
	if (rc == TS_OK)
		rc = db_commit(db);
	if (rc != TS_OK) {
		db_rollback(db);
		db_close(db);
		return rc;
	}
	rc = db_check_schema(db);
	if (rc != TS_OK) {
		db_close(db);
		return rc;
	}
	*out = db;
	return TS_OK;
}

void db_close(db_t *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->stmt_count; i++) {
		struct db_stmt_entry *e = &db->stmts[i];

		if (e->in_use)
			log_error(LOG_SUBSYS_DB, "%s: statement '%s' is still in use at close; "
				  "its caller did not call db_stmt_done()", db->path, e->sql);
		sqlite3_finalize(e->stmt);
		free(e->sql);
	}
	if (db->handle)
		sqlite3_close_v2(db->handle);
	free(db->path);
	free(db);
}

sqlite3 *db_handle(db_t *db)
{
	return db->handle;
}

const char *db_path(const db_t *db)
{
	return db->path;
}

/* Whether `column` appears in the space-separated list `columns`. */
static bool has_word(const char *columns, const char *column)
{
	size_t n = strlen(column);

	for (const char *p = columns; (p = strstr(p, column)) != NULL; p += n) {
		bool starts = p == columns || p[-1] == ' ';
		bool ends = p[n] == '\0' || p[n] == ' ';

		if (starts && ends)
			return true;
	}
	return false;
}

int db_check_schema(db_t *db)
{
	int missing = 0;

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		char sql[128], found[512] = "";
		sqlite3_stmt *stmt = NULL;
		const char *p;

		snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", required[i].table);
		if (db_prepare(db, sql, &stmt) != TS_OK)
			return TS_E_DB;
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(stmt, 1);

			if (name && strlen(found) + strlen(name) + 2 < sizeof(found)) {
				strcat(found, name);
				strcat(found, " ");
			}
		}
		sqlite3_finalize(stmt);

		if (found[0] == '\0') {
			log_error(LOG_SUBSYS_DB, "%s: table '%s' is missing; is this a config.db? "
				  "('tnc-db init' adds missing tables)", db->path, required[i].table);
			missing++;
			continue;
		}
		/* Walk the required columns one word at a time. */
		for (p = required[i].columns; *p;) {
			char column[32];
			size_t n = strcspn(p, " ");

			snprintf(column, sizeof(column), "%.*s", (int)n, p);
			if (!has_word(found, column)) {
				log_error(LOG_SUBSYS_DB, "%s: column '%s.%s' is missing", db->path,
					  required[i].table, column);
				missing++;
			}
			p += n;
			while (*p == ' ')
				p++;
		}
	}
	return missing ? TS_E_DB : TS_OK;
}

/* Runs one statement without parameters or result rows through the statement cache. */
static int exec_cached(db_t *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = db_stmt(db, sql, &stmt);
	if (rc != TS_OK)
		return rc;
	rc = db_step(db, stmt, NULL);
	db_stmt_done(db, stmt);
	return rc;
}

int db_begin(db_t *db)
{
	return exec_cached(db, "BEGIN IMMEDIATE");
}

int db_commit(db_t *db)
{
	return exec_cached(db, "COMMIT");
}

void db_rollback(db_t *db)
{
	if (!sqlite3_get_autocommit(db->handle))
		sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
}

int db_prepare(db_t *db, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(db->handle, sql, -1, out, NULL);

	if (rc != SQLITE_OK) {
		log_error(LOG_SUBSYS_DB, "%s: cannot prepare '%s': %s", db->path, sql,
			  sqlite3_errmsg(db->handle));
		return db_error(rc) == TS_OK ? TS_E_DB : db_error(rc);
	}
	return TS_OK;
}

/* Prepares a statement for db_stmt(): exactly one statement, nothing but whitespace after it. */
static int stmt_prepare(db_t *db, const char *sql, unsigned int flags, sqlite3_stmt **out)
{
	sqlite3_stmt *stmt = NULL;
	const char *tail = NULL;
	int rc;

	rc = sqlite3_prepare_v3(db->handle, sql, -1, flags, &stmt, &tail);
	if (rc != SQLITE_OK) {
		log_error(LOG_SUBSYS_DB, "%s: cannot prepare '%s': %s", db->path, sql,
			  sqlite3_errmsg(db->handle));
		return db_error(rc) == TS_OK ? TS_E_DB : db_error(rc);
	}
	while (tail && isspace((unsigned char)*tail))
		tail++;
	if (!stmt || (tail && *tail)) {
		log_error(LOG_SUBSYS_DB, "%s: cannot prepare '%s': expected exactly one SQL statement",
			  db->path, sql);
		sqlite3_finalize(stmt);
		return TS_E_INVALID;
	}
	*out = stmt;
	return TS_OK;
}

/* The cache entry for sql: by address first (the common case of a string literal), then by text. */
static struct db_stmt_entry *stmt_find(db_t *db, const char *sql)
{
	for (size_t i = 0; i < db->stmt_count; i++)
		if (db->stmts[i].key == sql && strcmp(db->stmts[i].sql, sql) == 0)
			return &db->stmts[i];
	for (size_t i = 0; i < db->stmt_count; i++) {
		if (strcmp(db->stmts[i].sql, sql) == 0) {
			db->stmts[i].key = sql;
			return &db->stmts[i];
		}
	}
	return NULL;
}

/* The least recently requested entry that is not in use, or NULL when all are in use. */
static struct db_stmt_entry *stmt_oldest_idle(db_t *db)
{
	struct db_stmt_entry *oldest = NULL;

	for (size_t i = 0; i < db->stmt_count; i++) {
		struct db_stmt_entry *e = &db->stmts[i];

		if (!e->in_use && (!oldest || e->last_use < oldest->last_use))
			oldest = e;
	}
	return oldest;
}

/* Finalizes an entry and fills its place with the last one, so the table stays packed. */
static void stmt_evict(db_t *db, struct db_stmt_entry *e)
{
	log_debug(LOG_SUBSYS_DB, "%s: statement cache full (%d), finalizing '%s'", db->path,
		  DB_STMT_CACHE_MAX, e->sql);
	sqlite3_finalize(e->stmt);
	free(e->sql);
	*e = db->stmts[db->stmt_count - 1];
	memset(&db->stmts[db->stmt_count - 1], 0, sizeof(*e));
	db->stmt_count--;
}

int db_stmt(db_t *db, const char *sql, sqlite3_stmt **out)
{
	struct db_stmt_entry *e = stmt_find(db, sql);
	struct db_stmt_entry *victim = NULL;
	sqlite3_stmt *stmt = NULL;
	char *copy = NULL;
	int rc;

	db->stmt_clock++;
	if (e && !e->in_use) {
		/* db_stmt_done() left it reset and without bindings. */
		e->in_use = true;
		e->last_use = db->stmt_clock;
		*out = e->stmt;
		return TS_OK;
	}
	if (e) {
		log_debug(LOG_SUBSYS_DB, "%s: '%s' is still in use, preparing a private statement", db->path, sql);
		return stmt_prepare(db, sql, 0, out);
	}
	if (db->stmt_count == DB_STMT_CACHE_MAX) {
		victim = stmt_oldest_idle(db);
		if (!victim) {
			log_debug(LOG_SUBSYS_DB, "%s: all %d cached statements are in use, preparing a private one",
				  db->path, DB_STMT_CACHE_MAX);
			return stmt_prepare(db, sql, 0, out);
		}
	}

	/* A new entry, made room for only once the statement is prepared. */
	copy = strdup(sql);
	if (!copy)
		return TS_E_NOMEM;
	rc = stmt_prepare(db, sql, SQLITE_PREPARE_PERSISTENT, &stmt);
	if (rc != TS_OK) {
		free(copy);
		return rc;
	}
	if (victim)
		stmt_evict(db, victim);
	e = &db->stmts[db->stmt_count++];
	e->key = sql;
	e->sql = copy;
	e->stmt = stmt;
	e->last_use = db->stmt_clock;
	e->in_use = true;
	*out = stmt;
	return TS_OK;
}

void db_stmt_done(db_t *db, sqlite3_stmt *stmt)
{
	if (!stmt)
		return;
	for (size_t i = 0; i < db->stmt_count; i++) {
		struct db_stmt_entry *e = &db->stmts[i];

		if (e->stmt == stmt) {
			/* The reset also ends the read transaction the statement may hold. */
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			e->in_use = false;
			return;
		}
	}
	/* A private statement of a nested request or of a full cache. */
	sqlite3_finalize(stmt);
}

int db_step(db_t *db, sqlite3_stmt *stmt, bool *has_row)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		if (has_row)
			*has_row = rc == SQLITE_ROW;
		return TS_OK;
	}
	log_error(LOG_SUBSYS_DB, "%s: '%s' failed: %s", db->path, sqlite3_sql(stmt),
		  sqlite3_errmsg(db->handle));
	return db_error(rc) == TS_OK ? TS_E_DB : db_error(rc);
}

int db_exec(db_t *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->handle, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_error(LOG_SUBSYS_DB, "%s: %s", db->path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return db_error(rc) == TS_OK ? TS_E_DB : db_error(rc);
	}
	return TS_OK;
}
