/*
 * Access to config.db, the SQLite database shared with strongTNC and
 * strongSwan's IMVs (schema in db_schema.sql).
 *
 * Connections run in WAL mode with a busy timeout, so readers never wait
 * for writers and a writer waits a bounded time for another writer before
 * the call fails with TS_E_BUSY. Every multi-row change runs inside
 * db_begin()/db_commit(); db_begin() takes the write lock at once
 * (BEGIN IMMEDIATE), so a transaction never fails halfway on a lock upgrade.
 * All SQL uses prepared statements.
 */
#ifndef DB_H
#define DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "ts_error.h"

typedef struct db db_t;

/* Default time a statement waits for another process's write lock. */
#define DB_BUSY_TIMEOUT_MS_DEFAULT 5000

/* The schema as SQL text (db_schema.sql), for `tnc-db init` and tests. */
extern const char db_schema_sql[];

/*
 * Opens an existing config.db and checks that the tables tncsuite needs are
 * there; a missing table is logged by name and returns TS_E_DB. A missing
 * file returns TS_E_NOT_FOUND. busy_timeout_ms 0 picks the default.
 */
TS_MUST_CHECK int db_open(const char *path, int busy_timeout_ms, db_t **out);

/*
 * Creates config.db at path, or completes an existing one: creates every
 * table and index that is missing and the seed rows (group Default, the
 * algorithms, the PTS components), in one transaction. Existing rows stay.
 */
TS_MUST_CHECK int db_init(const char *path, int busy_timeout_ms, db_t **out);

void db_close(db_t *db);

/* The underlying handle, for statements outside the cache (db_stmt). */
sqlite3 *db_handle(db_t *db);
const char *db_path(const db_t *db);

/* Checks that every table and column tncsuite uses exists; logs what is missing. */
TS_MUST_CHECK int db_check_schema(db_t *db);

/* Starts a write transaction (BEGIN IMMEDIATE); TS_E_BUSY when the lock stays taken. */
TS_MUST_CHECK int db_begin(db_t *db);
TS_MUST_CHECK int db_commit(db_t *db);
/* Rolls back; safe to call when no transaction is open. */
void db_rollback(db_t *db);

/*
 * Prepares sql; on failure logs the SQLite message with the statement and
 * returns TS_E_DB.
 */
TS_MUST_CHECK int db_prepare(db_t *db, const char *sql, sqlite3_stmt **out);

/*
 * Statement cache of a handle, so that statements run in every session are
 * prepared once per handle instead of once per use.
 *
 * db_stmt() returns a statement for sql that the handle owns. The first
 * request prepares it (sqlite3_prepare_v3 with SQLITE_PREPARE_PERSISTENT);
 * later requests return the same statement, reset and with no bindings.
 * The caller binds, steps, and on every path hands the statement back with
 * db_stmt_done(), never with sqlite3_finalize(). A statement that has not
 * been handed back may keep a read transaction open, and an open read
 * transaction stops WAL checkpoints of every connection at that point.
 *
 * sql is looked up by its address first and then by its text, so it need
 * not be a string literal, but literals make the lookup cheapest. It must
 * be a single statement (only whitespace may follow it), else TS_E_INVALID.
 * A prepare failure is logged and returns TS_E_DB (or TS_E_BUSY, TS_E_NOMEM).
 *
 * Requesting SQL whose cached statement is still in use (nested use) gives
 * a private statement, which db_stmt_done() finalizes. When the cache is
 * full (DB_STMT_CACHE_MAX statements), the least recently requested one not
 * in use is finalized to make room. When all of them are in use, the
 * request gets a private statement. db_close() finalizes the cached
 * statements.
 *
 * The cache has no lock: a handle and its statements must be used by one
 * thread at a time, as the handle pools of imv-os and imv-attestation lend
 * them.
 */
/*
 * The policy manager and imv-attestation use 43 distinct statements on one
 * handle. A cached statement of theirs takes about 2.7 KB
 * (SQLITE_DBSTATUS_STMT_USED, SQLite 3.40.1), so a full cache takes about
 * 170 KB.
 */
#define DB_STMT_CACHE_MAX 64

TS_MUST_CHECK int db_stmt(db_t *db, const char *sql, sqlite3_stmt **out);

/*
 * Hands back a statement that db_stmt() returned for the same db: resets it
 * and clears its bindings, or finalizes it when it is a private one. NULL
 * is ignored. Calling it twice for the same cached statement is harmless.
 */
void db_stmt_done(db_t *db, sqlite3_stmt *stmt);

/*
 * Steps a statement: TS_OK for a row (*has_row true) or for completion
 * (*has_row false), TS_E_BUSY or TS_E_DB (logged) on failure. has_row may be
 * NULL for statements that return no rows.
 */
TS_MUST_CHECK int db_step(db_t *db, sqlite3_stmt *stmt, bool *has_row);

/* Runs SQL text without parameters (one or more statements). */
TS_MUST_CHECK int db_exec(db_t *db, const char *sql);

/* Maps an SQLite result code to a ts_error code. */
int db_error(int sqlite_rc);

#endif
