/*
 * A fixed pool of worker threads for tnc-server: the event loop hands each
 * received PB-TNC batch to a worker, so IMV calls never block the loop.
 */
#ifndef SERVER_POOL_H
#define SERVER_POOL_H

#include "ts_error.h"

#define SERVER_POOL_MAX_WORKERS 64

typedef struct server_pool server_pool_t;
typedef void (*server_job_fn)(void *arg);

/* Starts `workers` threads (1..SERVER_POOL_MAX_WORKERS). */
TS_MUST_CHECK int server_pool_create(unsigned workers, server_pool_t **out);

/* Queues fn(arg) for the next free worker; jobs start in submission order. */
TS_MUST_CHECK int server_pool_submit(server_pool_t *pool, server_job_fn fn, void *arg);

/* Runs the jobs still queued, then stops and joins the workers. */
void server_pool_destroy(server_pool_t *pool);

#endif
