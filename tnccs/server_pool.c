#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "log.h"
#include "server_pool.h"

typedef struct pool_job {
	struct pool_job *next;
	server_job_fn fn;
	void *arg;
} pool_job;

struct server_pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pool_job *head;
	pool_job *tail;
	bool stopping;
	unsigned count;
	pthread_t threads[SERVER_POOL_MAX_WORKERS];
};

static void *worker_main(void *arg)
{
	server_pool_t *pool = arg;

	for (;;) {
		pool_job *job;

		pthread_mutex_lock(&pool->lock);
		while (!pool->head && !pool->stopping)
			pthread_cond_wait(&pool->wake, &pool->lock);
		job = pool->head;
		if (!job) {
			/* Stopping with an empty queue. */
			pthread_mutex_unlock(&pool->lock);
			return NULL;
		}
		pool->head = job->next;
		if (!pool->head)
			pool->tail = NULL;
		pthread_mutex_unlock(&pool->lock);

		job->fn(job->arg);
		free(job);
	}
}

int server_pool_create(unsigned workers, server_pool_t **out)
{
	server_pool_t *pool;
	sigset_t all, old;
	int rc = TS_OK;

	if (workers < 1 || workers > SERVER_POOL_MAX_WORKERS)
		return TS_E_INVALID;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return TS_E_NOMEM;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);

	/* Workers take no signals: the event loop handles them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned i = 0; i < workers; i++) {
		if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
			log_error(LOG_SUBSYS_APP, "cannot start worker thread %u of %u", i + 1, workers);
			rc = TS_E_NOMEM;
			break;
		}
		pool->count++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != TS_OK) {
		server_pool_destroy(pool);
		return rc;
	}
	*out = pool;
	return TS_OK;
}

int server_pool_submit(server_pool_t *pool, server_job_fn fn, void *arg)
{
	pool_job *job = malloc(sizeof(*job));

	if (!job)
		return TS_E_NOMEM;
	job->next = NULL;
	job->fn = fn;
	job->arg = arg;
	pthread_mutex_lock(&pool->lock);
	if (pool->stopping) {
		pthread_mutex_unlock(&pool->lock);
		free(job);
		return TS_E_STATE;
	}
	if (pool->tail)
		pool->tail->next = job;
	else
		pool->head = job;
	pool->tail = job;
	pthread_cond_signal(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	return TS_OK;
}

void server_pool_destroy(server_pool_t *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->count; i++)
		pthread_join(pool->threads[i], NULL);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->wake);
	free(pool);
}
