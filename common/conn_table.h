/*
 * Per-connection state of an IMC or IMV module, safe for several threads.
 *
 * A TNC server calls a module for many connections at once from its worker
 * threads. The table maps a TNC_ConnectionID to the module's state for that
 * connection and serialises the calls for one connection: conn_table_get()
 * returns the entry locked, conn_table_put() unlocks it. An entry removed
 * while another thread holds it is freed when that thread puts it back.
 */
#ifndef CONN_TABLE_H
#define CONN_TABLE_H

#include <stddef.h>

#include "ts_error.h"

typedef struct conn_table conn_table_t;

/* Frees a module's per-connection state; called without the table lock. */
typedef void (*conn_table_free_fn)(void *state, void *ctx);

conn_table_t *conn_table_create(size_t max_connections, conn_table_free_fn free_state, void *ctx);
/* Frees every remaining state and the table. No other thread may use it. */
void conn_table_destroy(conn_table_t *table);

/*
 * Adds state for conn. TS_E_INVALID if conn is present already (the state
 * stays the caller's), TS_E_TOO_LARGE at the connection limit.
 */
TS_MUST_CHECK int conn_table_add(conn_table_t *table, unsigned long conn, void *state);

typedef struct conn_entry conn_ref;

/*
 * The state of conn, locked for the caller, or NULL if conn is unknown. On
 * success *ref is set; hand it to conn_table_put() when done.
 */
void *conn_table_get(conn_table_t *table, unsigned long conn, conn_ref **ref);
/* Unlocks the state returned by conn_table_get(). */
void conn_table_put(conn_table_t *table, conn_ref *ref);

/* Removes conn and frees its state once no thread has it locked. TS_E_NOT_FOUND if unknown. */
int conn_table_remove(conn_table_t *table, unsigned long conn);

size_t conn_table_count(conn_table_t *table);

#endif
