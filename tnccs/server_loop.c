#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* accept4, signalfd */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "host.h"
#include "log.h"
#include "pb_batch.h"
#include "pttls_tls.h"
#include "server_loop.h"
#include "server_pool.h"

/* Largest chunk read from TLS at once: one TLS record. */
#define READ_CHUNK 16384
#define EPOLL_BATCH 64
/* How often the loop looks for connections past their time limits. */
#define TIMER_TICK_MS 250

/* A TLS context, a host and a user file, shared by the connections that started under them. */
typedef struct server_gen {
	SSL_CTX *ctx;
	tnccs_host_t *host;
	pttls_userdb *users;
	unsigned refs;         /* open connections plus one while current */
} server_gen;

typedef enum conn_state {
	CONN_TLS_HANDSHAKE,
	CONN_PTTLS,
	CONN_CLOSING,          /* write what is queued, then close */
} conn_state;

typedef struct server_conn {
	struct server_conn *prev, *next;     /* list of open connections */
	struct server_conn *done_next;       /* completion queue, under server->done_lock */
	server_t *server;
	unsigned long id;
	int fd;
	SSL *ssl;
	conn_state state;
	server_gen *gen;
	pttls_config pttls_cfg;
	pttls_conn_t *pt;
	tnccs_session_t *session;
	char peer[64];
	char *peer_subject;
	uint64_t started_ms;
	uint64_t last_input_ms;              /* last bytes from the socket, or the end of a worker job */
	uint64_t octets_received;            /* read from the socket so far, TLS records included */
	uint64_t deadline_ms;                /* connection time limit */
	unsigned idle_timeout_ms;
	uint32_t events;                     /* current epoll interest */
	bool want_write;                     /* the last SSL call needs the socket writable */

	/* The batch a worker is processing; the connection is left alone meanwhile. */
	bool dead;                           /* closed; freed at the end of the loop iteration */
	bool busy;
	bool doomed;                         /* close as soon as the worker is done */
	const uint8_t *job_batch;            /* points into the PT-TLS input buffer */
	size_t job_len;
	writer_t job_out;
	int job_rc;
} server_conn;

/*
 * The PB-TNC session of a closed connection, on its way to a worker that
 * destroys it. Destroying it notifies the IMVs (NotifyConnectionChange
 * DELETE), and an IMV may do slow work there: imv-os and imv-attestation
 * stop their config.db session, which waits up to the busy timeout while
 * another process holds the database's write lock. So the event loop only
 * closes the socket and TLS and frees its own state, and a worker does the
 * rest, the way it processes batches:
 *
 * - A connection is torn down only when no worker runs a batch of it
 *   (conn_close() waits for the job), so the IMVs never see DELETE while a
 *   batch of the connection is processed.
 * - The teardown holds the connection's reference on its server_gen, so the
 *   host (and with it TNC_IMV_Terminate) is destroyed only after every
 *   IMV saw DELETE. The reference is released on the loop thread, like
 *   every server_gen reference.
 * - A pending teardown counts against max_connections, and SIGTERM and
 *   server_quiesce() wait for the pending teardowns as for the open
 *   connections. server_destroy() runs the queued ones (server_pool_destroy
 *   runs every queued job) before it releases the host.
 */
typedef struct server_teardown {
	struct server_teardown *next;        /* teardowns_done, under server->done_lock */
	server_t *server;
	unsigned long id;
	tnccs_session_t *session;
	server_gen *gen;
	uint64_t queued_ms;
} server_teardown;

struct server {
	server_settings settings;
	int listen_fd;
	int epoll_fd;
	int signal_fd;
	int event_fd;                        /* workers wake the loop through it */
	uint16_t port;
	server_pool_t *pool;
	server_gen *current;
	server_conn *conns;
	server_conn *graveyard;              /* closed connections not yet freed */
	unsigned conn_count;
	unsigned teardown_count;             /* sessions of closed connections not yet destroyed */
	unsigned long next_id;
	bool draining;                       /* SIGTERM seen: no new connections */
	uint64_t drain_deadline_ms;
	bool pausing;                        /* server_quiesce(): waiting for connections to end */
	uint64_t pause_deadline_ms;
	uint64_t next_timer_ms;

	pthread_mutex_t done_lock;
	server_conn *done;                   /* connections whose job finished */
	server_teardown *teardowns_done;     /* teardowns that a worker finished */
};

/* epoll user data: the listening socket, the signalfd and the eventfd are tagged by these. */
static char tag_listen, tag_signal, tag_event;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void gen_release(server_gen *gen)
{
	if (!gen || --gen->refs > 0)
		return;
	SSL_CTX_free(gen->ctx);
	if (gen->host)
		host_destroy(gen->host);
	pttls_userdb_free(gen->users);
	free(gen);
}

static server_gen *gen_new(SSL_CTX *ctx, tnccs_host_t *host, pttls_userdb *users)
{
	server_gen *gen = calloc(1, sizeof(*gen));

	if (!gen)
		return NULL;
	gen->ctx = ctx;
	gen->host = host;
	gen->users = users;
	gen->refs = 1;
	return gen;
}

static int listen_on(const char *address, uint16_t port, int *out_fd, uint16_t *out_port)
{
	struct sockaddr_storage ss;
	socklen_t ss_len;
	int fd = -1, one = 1;
	int rc = TS_E_IO;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, address, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		ss_len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, address, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		ss_len = sizeof(*sin6);
	} else {
		log_error(LOG_SUBSYS_APP, "invalid listen address '%s': expected an IPv4 or IPv6 address", address);
		return TS_E_CONFIG;
	}

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, ss_len) != 0 || listen(fd, SERVER_DEFAULT_BACKLOG) != 0)
		goto fail;
	ss_len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &ss_len) != 0)
		goto fail;
	*out_port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						  : ((struct sockaddr_in6 *)&ss)->sin6_port);
	*out_fd = fd;
	return TS_OK;
fail:
	log_error(LOG_SUBSYS_APP, "cannot listen on %s port %u: %s", address, port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int epoll_add(server_t *s, int fd, void *tag, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = tag };

	return epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0 ? TS_OK : TS_E_IO;
}

int server_create(const server_settings *settings, SSL_CTX *ctx, tnccs_host_t *host, pttls_userdb *users,
		  server_t **out)
{
	server_t *s = calloc(1, sizeof(*s));
	sigset_t sigs;
	int rc = TS_E_IO;

	if (!s)
		return TS_E_NOMEM;
	s->settings = *settings;
	s->listen_fd = s->epoll_fd = s->signal_fd = s->event_fd = -1;
	s->next_id = 1;
	pthread_mutex_init(&s->done_lock, NULL);

	rc = listen_on(settings->address, settings->port, &s->listen_fd, &s->port);
	if (rc != TS_OK)
		goto fail;
	rc = TS_E_IO;
	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	s->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	s->signal_fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s->epoll_fd < 0 || s->event_fd < 0 || s->signal_fd < 0) {
		log_error(LOG_SUBSYS_APP, "cannot set up the event loop: %s", strerror(errno));
		goto fail;
	}
	if (epoll_add(s, s->listen_fd, &tag_listen, EPOLLIN) != TS_OK ||
	    epoll_add(s, s->signal_fd, &tag_signal, EPOLLIN) != TS_OK ||
	    epoll_add(s, s->event_fd, &tag_event, EPOLLIN) != TS_OK) {
		log_error(LOG_SUBSYS_APP, "epoll_ctl failed: %s", strerror(errno));
		goto fail;
	}
	rc = server_pool_create(settings->workers, &s->pool);
	if (rc != TS_OK)
		goto fail;
	s->current = gen_new(ctx, host, users);
	if (!s->current) {
		rc = TS_E_NOMEM;
		goto fail;
	}
	*out = s;
	return TS_OK;
fail:
	server_destroy(s);
	SSL_CTX_free(ctx);
	if (host)
		host_destroy(host);
	pttls_userdb_free(users);
	return rc;
}

uint16_t server_port(const server_t *s)
{
	return s->port;
}

void server_reload(server_t *s, const server_settings *settings, SSL_CTX *ctx, tnccs_host_t *host,
		   pttls_userdb *users)
{
	server_gen *gen = gen_new(ctx, host, users);

	if (!gen) {
		log_error(LOG_SUBSYS_APP, "reload failed: out of memory; keeping the old settings");
		SSL_CTX_free(ctx);
		if (host)
			host_destroy(host);
		pttls_userdb_free(users);
		return;
	}
	s->settings.max_connections = settings->max_connections;
	s->settings.connection_timeout_ms = settings->connection_timeout_ms;
	s->settings.idle_timeout_ms = settings->idle_timeout_ms;
	s->settings.shutdown_timeout_ms = settings->shutdown_timeout_ms;
	s->settings.pttls = settings->pttls;
	gen_release(s->current);
	s->current = gen;
	if (s->pausing) {
		s->pausing = false;
		if (s->listen_fd >= 0 && epoll_add(s, s->listen_fd, &tag_listen, EPOLLIN) != TS_OK)
			log_error(LOG_SUBSYS_APP, "cannot accept connections again: %s", strerror(errno));
	}
}

static void conn_set_events(server_conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	if (events == c->events)
		return;
	if (epoll_ctl(c->server->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = events;
}

static void teardown_run(void *arg);

/*
 * Hands a closed connection's session and its server_gen reference to a
 * worker (see server_teardown). Without a worker (server_destroy() has
 * stopped the pool, or no memory) it destroys the session on this thread.
 */
static void conn_queue_teardown(server_conn *c)
{
	server_t *s = c->server;
	server_teardown *t = calloc(1, sizeof(*t));

	if (t) {
		t->server = s;
		t->id = c->id;
		t->session = c->session;
		t->gen = c->gen;
		t->queued_ms = now_ms();
		if (s->pool && server_pool_submit(s->pool, teardown_run, t) == TS_OK) {
			s->teardown_count++;
			return;
		}
		free(t);
	}
	if (s->pool)
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, c->id,
			 "cannot hand the connection teardown to a worker; the IMVs are notified on the event loop thread");
	tnccs_session_destroy(c->session);
	gen_release(c->gen);
}

/*
 * Closes a connection and releases what it holds; never while a worker holds
 * it. A worker destroys the PB-TNC session (conn_queue_teardown). The
 * structure itself is freed by free_graveyard(), because events for it may
 * still wait in the current epoll batch.
 */
static void conn_destroy(server_conn *c)
{
	server_t *s = c->server;

	if (c->dead)
		return;
	log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "closed connection from %s", c->peer);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->conn_count--;

	epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	pttls_conn_destroy(c->pt);
	writer_free(&c->job_out);
	SSL_free(c->ssl);
	close(c->fd);
	free(c->peer_subject);
	if (c->session)
		conn_queue_teardown(c);
	else
		gen_release(c->gen);
	c->session = NULL;
	c->pt = NULL;
	c->ssl = NULL;
	c->peer_subject = NULL;
	c->gen = NULL;
	c->dead = true;
	c->next = s->graveyard;
	c->prev = NULL;
	s->graveyard = c;
}

static void free_graveyard(server_t *s)
{
	while (s->graveyard) {
		server_conn *c = s->graveyard;

		s->graveyard = c->next;
		free(c);
	}
}

/* Sends TLS close_notify without waiting for the peer's, then frees the connection. */
static void conn_close(server_conn *c)
{
	if (c->busy) {
		c->doomed = true;
		return;
	}
	if (c->state != CONN_TLS_HANDSHAKE && c->ssl)
		SSL_shutdown(c->ssl);
	conn_destroy(c);
}

/* The outcome of one SSL call: done, retry later, or dead. */
typedef enum io_result { IO_OK, IO_AGAIN, IO_CLOSED, IO_FAILED } io_result;

static io_result ssl_result(server_conn *c, int ret, const char *what)
{
	int err = SSL_get_error(c->ssl, ret);

	switch (err) {
	case SSL_ERROR_WANT_READ:
		c->want_write = false;
		return IO_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		c->want_write = true;
		return IO_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return IO_CLOSED;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0) {
			if (errno == 0 || errno == ECONNRESET || errno == EPIPE)
				return IO_CLOSED;
			log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "%s failed: %s", what, strerror(errno));
			return IO_FAILED;
		}
		/* fall through */
	default:
		pttls_tls_log_errors(c->id, what);
		return IO_FAILED;
	}
}

/* Writes queued PT-TLS messages, one SSL_write (one TLS record up to 16 KiB) each. */
static io_result conn_flush(server_conn *c)
{
	const uint8_t *msg;
	size_t len;

	while (c->pt && (msg = pttls_conn_out_peek(c->pt, &len)) != NULL) {
		int n;

		ERR_clear_error();
		n = SSL_write(c->ssl, msg, (int)len);
		if (n <= 0)
			return ssl_result(c, n, "SSL_write");
		pttls_conn_out_pop(c->pt);
	}
	c->want_write = false;
	return IO_OK;
}

static void job_run(void *arg);

/*
 * Returns true for a CLOSE batch without PB-PA messages: processing it calls
 * no IMV, so the loop thread does it without the round trip to a worker.
 * Every other batch, and any batch that does not parse, goes to a worker,
 * which also sends the PB-Error for it.
 */
static bool batch_needs_no_worker(const uint8_t *data, size_t len)
{
	pb_batch header, *batch = NULL;
	pb_limits limits;
	pb_error_msg err;
	bool imv_free = true;

	pb_limits_default(&limits);
	if (pb_batch_parse_header(data, len, PB_ROLE_SERVER, &limits, &header, &err) != TS_OK ||
	    header.type != PB_BATCH_CLOSE)
		return false;
	if (pb_batch_parse(data, len, PB_ROLE_SERVER, &limits, &batch, &err) != TS_OK)
		return false;
	for (size_t i = 0; i < batch->count; i++)
		if (batch->msgs[i].vendor_id == PB_VENDOR_IETF && batch->msgs[i].type == PB_MSG_PA)
			imv_free = false;
	pb_batch_destroy(batch);
	return imv_free;
}

/*
 * Queues the reply to a processed batch, and marks the connection for
 * closing once the session ended or failed. Loop thread only.
 */
static void conn_finish_batch(server_conn *c)
{
	c->job_batch = NULL;
	c->last_input_ms = now_ms();
	if (writer_len(&c->job_out) > 0 &&
	    pttls_conn_send_batch(c->pt, writer_data(&c->job_out), writer_len(&c->job_out)) != TS_OK) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "cannot queue a PB-TNC batch of %zu octets",
			 writer_len(&c->job_out));
		c->state = CONN_CLOSING;
	}
	writer_free(&c->job_out);
	if (c->job_rc != TS_OK) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, c->id, "PB-TNC session failed: %s",
			 ts_strerror(c->job_rc));
		c->state = CONN_CLOSING;
	} else if (tnccs_session_finished(c->session)) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, c->id, "PB-TNC session finished");
		c->state = CONN_CLOSING;
	}
}

/* Creates the PB-TNC session once negotiation is done. */
static int conn_start_session(server_conn *c)
{
	tnccs_conn_info info = {
		.conn_id = c->id,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.max_message_size = c->pttls_cfg.max_message_size - PTTLS_HEADER_LEN,
		.peer_cert_subject = c->peer_subject,
		.sasl_identity = pttls_conn_get_sasl_identity(c->pt),
	};
	writer_t first;
	int rc;

	rc = tnccs_session_create(c->gen->host, true, &info, &c->session);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, c->id, "cannot create the PB-TNC session: %s",
			 ts_strerror(rc));
		return rc;
	}
	writer_init(&first, info.max_message_size);
	rc = tnccs_session_start(c->session, &first);
	if (rc == TS_OK && writer_len(&first) > 0)
		rc = pttls_conn_send_batch(c->pt, writer_data(&first), writer_len(&first));
	writer_free(&first);
	return rc;
}

/* Handles PT-TLS events of buffered input; returns false once the connection was closed. */
static bool conn_process(server_conn *c)
{
	for (;;) {
		pttls_event ev;
		int rc = pttls_conn_next(c->pt, &ev);

		if (rc != TS_OK) {
			log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "PT-TLS processing failed: %s",
				 ts_strerror(rc));
			c->state = CONN_CLOSING;
			return true;
		}
		switch (ev.type) {
		case PTTLS_EV_NONE:
			return true;
		case PTTLS_EV_READY:
			if (conn_start_session(c) != TS_OK) {
				c->state = CONN_CLOSING;
				return true;
			}
			break;
		case PTTLS_EV_BATCH:
			if (!c->session) {
				c->state = CONN_CLOSING;
				return true;
			}
			/* The batch stays in the PT-TLS buffer: nothing touches it until the job is done. */
			c->job_batch = ev.data;
			c->job_len = ev.len;
			writer_init(&c->job_out, c->pttls_cfg.max_message_size - PTTLS_HEADER_LEN);
			if (batch_needs_no_worker(ev.data, ev.len)) {
				log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, c->id,
					 "processing a CLOSE batch of %zu octets on the event loop thread", ev.len);
				c->job_rc = tnccs_session_receive(c->session, c->job_batch, c->job_len, &c->job_out);
				conn_finish_batch(c);
				if (c->state != CONN_PTTLS)
					return true;
				break;
			}
			c->busy = true;
			if (server_pool_submit(c->server->pool, job_run, c) != TS_OK) {
				c->busy = false;
				c->state = CONN_CLOSING;
			}
			return true;
		case PTTLS_EV_CLOSE:
			if (ev.error == TS_E_VERIFY)
				log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "client authentication failed");
			c->state = CONN_CLOSING;
			return true;
		}
	}
}

/* Reads what TLS has and feeds the state machine until a batch is taken or no data is left. */
static io_result conn_read(server_conn *c)
{
	uint8_t buf[READ_CHUNK];

	while (!c->busy && c->state == CONN_PTTLS) {
		size_t limit = (size_t)c->pttls_cfg.max_message_size + PTTLS_HEADER_LEN;
		size_t room = limit - pttls_conn_buffered(c->pt);
		int n;

		if (room > sizeof(buf))
			room = sizeof(buf);
		if (room == 0)
			break;  /* not reached: the header check keeps a partial message below the limit */
		ERR_clear_error();
		n = SSL_read(c->ssl, buf, (int)room);
		if (n <= 0)
			return ssl_result(c, n, "SSL_read");
		if (pttls_conn_feed(c->pt, buf, (size_t)n) != TS_OK) {
			c->state = CONN_CLOSING;
			return IO_OK;
		}
		conn_process(c);

		/* Backpressure: read no more while the peer does not take our output. */
		if (!pttls_conn_out_empty(c->pt)) {
			io_result w = conn_flush(c);

			if (w != IO_OK)
				return w;
		}
	}
	return IO_OK;
}

/*
 * Updates last_input_ms when the socket delivered bytes since the previous
 * call. Bytes of an incomplete TLS record or handshake message count too.
 */
static void conn_note_input(server_conn *c)
{
	uint64_t octets = BIO_number_read(SSL_get_rbio(c->ssl));

	if (octets != c->octets_received) {
		c->octets_received = octets;
		c->last_input_ms = now_ms();
	}
}

/* Advances one connection as far as its socket allows, then sets its epoll interest. */
static void conn_drive(server_conn *c)
{
	bool woken_while_busy = false;
	io_result r = IO_OK;

	if (c->dead)
		return;
	if (c->busy) {
		/* Output may still go out: the worker touches only the session, not TLS or PT-TLS output. */
		r = conn_flush(c);
		if (r == IO_CLOSED || r == IO_FAILED)
			c->doomed = true;
		woken_while_busy = true;
		goto interest;
	}
	if (c->doomed) {
		conn_close(c);
		return;
	}
	if (c->state == CONN_TLS_HANDSHAKE) {
		int ret;

		ERR_clear_error();
		ret = SSL_do_handshake(c->ssl);
		if (ret != 1) {
			r = ssl_result(c, ret, "TLS handshake");
			if (r != IO_AGAIN) {
				log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "TLS handshake with %s failed",
					 c->peer);
				conn_destroy(c);
				return;
			}
			goto interest;
		}
		c->peer_subject = pttls_tls_peer_subject(c->ssl);
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "%s with %s, client certificate: %s",
			 SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl),
			 c->peer_subject ? c->peer_subject : "none");
		if (pttls_conn_create(&c->pttls_cfg, true, c->id, &c->pt) != TS_OK) {
			conn_destroy(c);
			return;
		}
		pttls_conn_set_tls_peer(c->pt, c->peer_subject);
		c->state = CONN_PTTLS;
	}

	/* Messages already buffered come before new input. */
	if (c->state == CONN_PTTLS)
		conn_process(c);
	r = conn_flush(c);
	if (r == IO_OK && c->state == CONN_PTTLS && !c->busy) {
		r = conn_read(c);
		if (r == IO_OK || r == IO_AGAIN) {
			io_result w = conn_flush(c);

			if (w != IO_OK)
				r = w;
		}
	}
	if (r == IO_CLOSED || r == IO_FAILED) {
		if (r == IO_CLOSED && c->state == CONN_PTTLS && !c->busy &&
		    !(c->session && tnccs_session_finished(c->session)))
			log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "client closed the connection early");
		conn_close(c);
		return;
	}
	if (c->state == CONN_CLOSING && pttls_conn_out_empty(c->pt)) {
		conn_close(c);
		return;
	}
interest:
	conn_note_input(c);
	/*
	 * EPOLLIN stays on when a batch goes to a worker, because the client
	 * waits for the reply and sends nothing meanwhile. If it sends all the
	 * same, the level-triggered loop would spin until the worker is done, so
	 * the first such wake-up turns EPOLLIN off.
	 */
	conn_set_events(c, c->want_write ? EPOLLOUT : (woken_while_busy ? 0 : EPOLLIN));
}

static void wake_loop(server_t *s)
{
	uint64_t increment = 1;

	if (write(s->event_fd, &increment, sizeof(increment)) < 0)
		log_error(LOG_SUBSYS_APP, "cannot wake the event loop: %s", strerror(errno));
}

/* Worker thread: runs the PB-TNC session on one batch, then wakes the loop. */
static void job_run(void *arg)
{
	server_conn *c = arg;
	server_t *s = c->server;

	c->job_rc = tnccs_session_receive(c->session, c->job_batch, c->job_len, &c->job_out);
	pthread_mutex_lock(&s->done_lock);
	c->done_next = s->done;
	s->done = c;
	pthread_mutex_unlock(&s->done_lock);
	wake_loop(s);
}

/* Worker thread: destroys a closed connection's session (the IMVs see DELETE), then wakes the loop. */
static void teardown_run(void *arg)
{
	server_teardown *t = arg;
	server_t *s = t->server;

	tnccs_session_destroy(t->session);
	t->session = NULL;
	pthread_mutex_lock(&s->done_lock);
	t->next = s->teardowns_done;
	s->teardowns_done = t;
	pthread_mutex_unlock(&s->done_lock);
	wake_loop(s);
}

/* Loop thread: takes the results of finished jobs. */
static void handle_done(server_t *s)
{
	server_conn *list, *c, *next;
	server_teardown *teardowns, *t;
	uint64_t count;

	if (read(s->event_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_error(LOG_SUBSYS_APP, "cannot read the wake-up counter: %s", strerror(errno));
	pthread_mutex_lock(&s->done_lock);
	list = s->done;
	s->done = NULL;
	teardowns = s->teardowns_done;
	s->teardowns_done = NULL;
	pthread_mutex_unlock(&s->done_lock);

	while ((t = teardowns) != NULL) {
		teardowns = t->next;
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, t->id, "IMVs notified of the deleted connection after %llu ms",
			 (unsigned long long)(now_ms() - t->queued_ms));
		gen_release(t->gen);
		s->teardown_count--;
		free(t);
	}
	for (c = list; c; c = next) {
		next = c->done_next;
		c->busy = false;
		conn_finish_batch(c);
		conn_drive(c);
	}
}

static void format_peer(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
		snprintf(buf, size, "%s:%u", host, port);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
		snprintf(buf, size, "[%s]:%u", host, port);
	}
}

static void handle_accept(server_t *s)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		server_conn *c;
		char peer[64];
		int fd;

		fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_error(LOG_SUBSYS_APP, "accept failed: %s", strerror(errno));
			return;
		}
		format_peer(&ss, peer, sizeof(peer));
		if (s->conn_count + s->teardown_count >= s->settings.max_connections) {
			log_error(LOG_SUBSYS_APP,
				  "rejecting connection from %s: %u connections are open and %u being torn down "
				  "(max_connections)",
				  peer, s->conn_count, s->teardown_count);
			close(fd);
			continue;
		}
		if (pttls_tls_set_nodelay(fd) != TS_OK)
			log_error(LOG_SUBSYS_APP, "cannot set TCP_NODELAY: %s", strerror(errno));

		c = calloc(1, sizeof(*c));
		if (!c || !(c->ssl = SSL_new(s->current->ctx)) || SSL_set_fd(c->ssl, fd) != 1) {
			log_error(LOG_SUBSYS_APP, "cannot set up a connection from %s: out of memory", peer);
			if (c)
				SSL_free(c->ssl);
			free(c);
			close(fd);
			continue;
		}
		SSL_set_accept_state(c->ssl);
		c->server = s;
		c->id = s->next_id++;
		c->fd = fd;
		c->state = CONN_TLS_HANDSHAKE;
		c->gen = s->current;
		c->gen->refs++;
		c->pttls_cfg = s->settings.pttls;
		c->pttls_cfg.users = c->gen->users;
		snprintf(c->peer, sizeof(c->peer), "%s", peer);
		c->started_ms = c->last_input_ms = now_ms();
		c->deadline_ms = c->started_ms + s->settings.connection_timeout_ms;
		c->idle_timeout_ms = s->settings.idle_timeout_ms;
		writer_init(&c->job_out, 0);
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->conn_count++;
		c->events = EPOLLIN;
		if (epoll_add(s, fd, c, EPOLLIN) != TS_OK) {
			log_conn(LOG_SUBSYS_APP, LOG_LEVEL_ERROR, c->id, "epoll_ctl failed: %s", strerror(errno));
			conn_destroy(c);
			continue;
		}
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "connection from %s", peer);
		/* The client's ClientHello may be there already. */
		conn_drive(c);
	}
}

/* Closes connections past their time limits. */
static void check_timers(server_t *s, uint64_t now)
{
	server_conn *c, *next;

	for (c = s->conns; c; c = next) {
		next = c->next;
		if (c->busy || c->doomed)
			continue;
		if (now >= c->deadline_ms) {
			log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id,
				 "closing connection from %s: connection_timeout of %u ms reached", c->peer,
				 s->settings.connection_timeout_ms);
			conn_close(c);
		} else if (now - c->last_input_ms >= c->idle_timeout_ms) {
			log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id,
				 "closing connection from %s: nothing received for %u ms (idle_timeout)", c->peer,
				 c->idle_timeout_ms);
			conn_close(c);
		} else if (c->state == CONN_TLS_HANDSHAKE && now - c->started_ms >= c->idle_timeout_ms) {
			/* A handshake sent a byte at a time never goes idle: this limit ends it. */
			log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id,
				 "closing connection from %s: TLS handshake not finished within idle_timeout of %u ms "
				 "(%llu octets received)",
				 c->peer, c->idle_timeout_ms, (unsigned long long)c->octets_received);
			conn_close(c);
		}
	}
}

/* Returns SERVER_STOPPED, SERVER_RELOAD, or -1 to keep running. */
static int handle_signals(server_t *s)
{
	struct signalfd_siginfo si;
	int result = -1;

	while (read(s->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_error(LOG_SUBSYS_APP, "SIGHUP received: reloading the configuration");
			result = SERVER_RELOAD;
		} else if (!s->draining) {
			log_error(LOG_SUBSYS_APP, "%s received: shutting down, %u connections open",
				  si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT", s->conn_count);
			s->draining = true;
			s->drain_deadline_ms = now_ms() + s->settings.shutdown_timeout_ms;
			epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, s->listen_fd, NULL);
			close(s->listen_fd);
			s->listen_fd = -1;
		}
	}
	return result;
}

/* Closes every connection; those whose batch is with a worker close when it returns. */
static void close_all(server_t *s, const char *why)
{
	server_conn *c, *next;

	log_error(LOG_SUBSYS_APP, "%s reached: closing %u connections", why, s->conn_count);
	for (c = s->conns; c; c = next) {
		next = c->next;
		conn_close(c);
	}
	free_graveyard(s);
}

int server_run(server_t *s)
{
	struct epoll_event events[EPOLL_BATCH];

	for (;;) {
		uint64_t now;
		int n, result = -1;

		if (s->draining) {
			now = now_ms();
			if (s->conn_count > 0 && now >= s->drain_deadline_ms)
				close_all(s, "shutdown_timeout");
			if (s->conn_count == 0 && s->teardown_count == 0)
				return SERVER_STOPPED;
		} else if (s->pausing) {
			now = now_ms();
			if (s->conn_count > 0 && now >= s->pause_deadline_ms)
				close_all(s, "shutdown_timeout during reload");
			if (s->conn_count == 0 && s->teardown_count == 0)
				return SERVER_QUIESCED;
		}

		n = epoll_wait(s->epoll_fd, events, EPOLL_BATCH, TIMER_TICK_MS);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error(LOG_SUBSYS_APP, "epoll_wait failed: %s", strerror(errno));
			return TS_E_IO;
		}
		for (int i = 0; i < n; i++) {
			void *tag = events[i].data.ptr;

			if (tag == &tag_listen)
				handle_accept(s);
			else if (tag == &tag_signal)
				result = handle_signals(s);
			else if (tag == &tag_event)
				handle_done(s);
		}
		/* Connections second: a completion above may have closed one reported here. */
		for (int i = 0; i < n; i++) {
			void *tag = events[i].data.ptr;

			if (tag == &tag_listen || tag == &tag_signal || tag == &tag_event)
				continue;
			conn_drive(tag);
		}
		now = now_ms();
		if (now >= s->next_timer_ms) {
			check_timers(s, now);
			s->next_timer_ms = now + TIMER_TICK_MS;
		}
		free_graveyard(s);
		if (result == SERVER_RELOAD)
			return SERVER_RELOAD;
	}
}

int server_quiesce(server_t *s)
{
	int rc;

	if (s->listen_fd >= 0)
		epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, s->listen_fd, NULL);
	s->pausing = true;
	s->pause_deadline_ms = now_ms() + s->settings.shutdown_timeout_ms;
	if (s->conn_count + s->teardown_count > 0)
		log_error(LOG_SUBSYS_APP, "reload: waiting up to %u ms for %u connections to end",
			  s->settings.shutdown_timeout_ms, s->conn_count + s->teardown_count);
	do {
		rc = server_run(s);
	} while (rc == SERVER_RELOAD);
	return rc;
}

void server_release_host(server_t *s)
{
	gen_release(s->current);
	s->current = NULL;
}

void server_destroy(server_t *s)
{
	if (!s)
		return;
	/*
	 * Workers finish their jobs first, queued teardowns included, so no
	 * connection is in use below. The connections still open are torn down
	 * on this thread, before the host is released.
	 */
	server_pool_destroy(s->pool);
	s->pool = NULL;
	if (s->event_fd >= 0)
		handle_done(s);
	while (s->conns) {
		s->conns->busy = false;
		s->conns->doomed = false;
		conn_close(s->conns);
	}
	free_graveyard(s);
	gen_release(s->current);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	if (s->signal_fd >= 0)
		close(s->signal_fd);
	if (s->event_fd >= 0)
		close(s->event_fd);
	pthread_mutex_destroy(&s->done_lock);
	free(s);
}
