#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "conn_table.h"

typedef struct conn_entry {
	unsigned long conn;
	void *state;
	pthread_mutex_t lock;   /* held by the thread working on this connection */
	unsigned refs;          /* threads between get and put, guarded by the table lock */
	bool removed;
	struct conn_entry *next;
} conn_entry;

struct conn_table {
	pthread_mutex_t lock;   /* guards the list and every refs/removed field */
	conn_entry *head;
	size_t count;
	size_t max;
	conn_table_free_fn free_state;
	void *ctx;
};

conn_table_t *conn_table_create(size_t max_connections, conn_table_free_fn free_state, void *ctx)
{
	conn_table_t *table = calloc(1, sizeof(*table));

	if (!table)
		return NULL;
	pthread_mutex_init(&table->lock, NULL);
	table->max = max_connections;
	table->free_state = free_state;
	table->ctx = ctx;
	return table;
}

static void free_entry(conn_table_t *table, conn_entry *e)
{
	if (table->free_state && e->state)
		table->free_state(e->state, table->ctx);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void conn_table_destroy(conn_table_t *table)
{
	conn_entry *e, *next;

	if (!table)
		return;
	for (e = table->head; e; e = next) {
		next = e->next;
		free_entry(table, e);
	}
	pthread_mutex_destroy(&table->lock);
	free(table);
}

static conn_entry *find(conn_table_t *table, unsigned long conn)
{
	for (conn_entry *e = table->head; e; e = e->next)
		if (e->conn == conn)
			return e;
	return NULL;
}

int conn_table_add(conn_table_t *table, unsigned long conn, void *state)
{
	conn_entry *e;
	int rc = TS_OK;

	pthread_mutex_lock(&table->lock);
	if (find(table, conn)) {
		rc = TS_E_INVALID;
		goto out;
	}
	if (table->count >= table->max) {
		rc = TS_E_TOO_LARGE;
		goto out;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		rc = TS_E_NOMEM;
		goto out;
	}
	e->conn = conn;
	e->state = state;
	pthread_mutex_init(&e->lock, NULL);
	e->next = table->head;
	table->head = e;
	table->count++;
out:
	pthread_mutex_unlock(&table->lock);
	return rc;
}

void *conn_table_get(conn_table_t *table, unsigned long conn, conn_ref **ref)
{
	conn_entry *e;

	pthread_mutex_lock(&table->lock);
	e = find(table, conn);
	if (e)
		e->refs++;
	pthread_mutex_unlock(&table->lock);
	if (!e)
		return NULL;

	pthread_mutex_lock(&e->lock);
	/* The connection may have been removed while this thread waited. */
	if (e->removed) {
		conn_table_put(table, e);
		return NULL;
	}
	*ref = e;
	return e->state;
}

void conn_table_put(conn_table_t *table, conn_ref *ref)
{
	conn_entry *e = ref;
	bool last;

	pthread_mutex_unlock(&e->lock);
	pthread_mutex_lock(&table->lock);
	e->refs--;
	last = e->removed && e->refs == 0;
	pthread_mutex_unlock(&table->lock);
	if (last)
		free_entry(table, e);
}

int conn_table_remove(conn_table_t *table, unsigned long conn)
{
	conn_entry **pp, *e = NULL;
	bool now = false;

	pthread_mutex_lock(&table->lock);
	for (pp = &table->head; *pp; pp = &(*pp)->next) {
		if ((*pp)->conn == conn) {
			e = *pp;
			*pp = e->next;
			table->count--;
			e->removed = true;
			/* A thread that holds the entry frees it in conn_table_put(). */
			now = e->refs == 0;
			break;
		}
	}
	pthread_mutex_unlock(&table->lock);
	if (!e)
		return TS_E_NOT_FOUND;
	if (now)
		free_entry(table, e);
	return TS_OK;
}

size_t conn_table_count(conn_table_t *table)
{
	size_t n;

	pthread_mutex_lock(&table->lock);
	n = table->count;
	pthread_mutex_unlock(&table->lock);
	return n;
}
