/*
 * The event loop of tnc-server: one thread owns every socket, runs OpenSSL
 * on non-blocking sockets under epoll and the PT-TLS state machine of each
 * connection; a worker pool runs the PB-TNC sessions (and so the IMVs).
 *
 * Signals: the caller blocks SIGTERM, SIGINT and SIGHUP before creating
 * threads; the loop reads them from a signalfd. SIGTERM and SIGINT stop it
 * (server_run returns SERVER_STOPPED once connections are done or the
 * shutdown time limit has passed); SIGHUP makes server_run return
 * SERVER_RELOAD with every connection kept.
 *
 * A reload replaces the modules, and one process cannot hold two instances of
 * the same module library (dlopen returns the loaded one), so the caller
 * loads the new settings, lets the old connections end with
 * server_quiesce(), unloads the old modules with server_release_host(),
 * loads the new ones and installs them with server_reload().
 */
#ifndef SERVER_LOOP_H
#define SERVER_LOOP_H

#include <stdint.h>

#include <openssl/ssl.h>

#include "pttls_conn.h"
#include "tnccs_session.h"
#include "ts_error.h"

/* Defaults of the [tnc-server] keys. */
#define SERVER_DEFAULT_ADDRESS "0.0.0.0"
#define SERVER_DEFAULT_MAX_CONNECTIONS 1024
#define SERVER_DEFAULT_CONNECTION_TIMEOUT_MS 60000
#define SERVER_DEFAULT_IDLE_TIMEOUT_MS 30000
#define SERVER_DEFAULT_SHUTDOWN_TIMEOUT_MS 10000
#define SERVER_DEFAULT_BACKLOG 1024

typedef struct server_settings {
	char address[64];                 /* IPv4 or IPv6 literal to listen on */
	uint16_t port;
	unsigned max_connections;         /* open connections; more are closed at once */
	unsigned connection_timeout_ms;   /* whole life of one connection */
	unsigned idle_timeout_ms;         /* time without any received byte */
	unsigned shutdown_timeout_ms;     /* how long SIGTERM waits for open connections */
	unsigned workers;                 /* threads that process PB-TNC batches */
	pttls_config pttls;
} server_settings;

typedef enum server_exit {
	SERVER_STOPPED,
	SERVER_RELOAD,
	SERVER_QUIESCED,
} server_exit;

typedef struct server server_t;

/*
 * Binds the listening socket and starts the workers. ctx, host and users
 * (the SASL user file, NULL for no SASL; settings->pttls.users is ignored)
 * become the server's: it frees them when no connection uses them any more.
 */
TS_MUST_CHECK int server_create(const server_settings *settings, SSL_CTX *ctx, tnccs_host_t *host,
				pttls_userdb *users, server_t **out);

/* Runs until a signal; returns SERVER_STOPPED, SERVER_RELOAD or a negative code. */
TS_MUST_CHECK int server_run(server_t *server);

/*
 * Stops accepting and runs the loop until no connection is left, closing the
 * rest after shutdown_timeout. Returns SERVER_QUIESCED, or SERVER_STOPPED
 * when SIGTERM or SIGINT arrived meanwhile, or a negative code.
 */
TS_MUST_CHECK int server_quiesce(server_t *server);

/* Unloads the current host (its modules), TLS context and user file. Only after server_quiesce(). */
void server_release_host(server_t *server);

/*
 * New connections use the new limits, TLS context and host from now on;
 * open connections keep the ones they started with. After server_quiesce()
 * it accepts connections again. The listening address and the number of
 * workers are not changed. ctx, host and users are taken over.
 */
void server_reload(server_t *server, const server_settings *settings, SSL_CTX *ctx, tnccs_host_t *host,
		   pttls_userdb *users);

/* The port actually bound (useful with port 0). */
uint16_t server_port(const server_t *server);

void server_destroy(server_t *server);

#endif
