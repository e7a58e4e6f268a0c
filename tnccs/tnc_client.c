/*
 * tnc-client: runs one TNC handshake with the IMCs of tnc_config against a
 * tnc-server over PT-TLS, prints the outcome and exits with a status that
 * encodes it. See doc/tnc-client.8.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "conf.h"
#include "host.h"
#include "log.h"
#include "pttls_conn.h"
#include "pttls_tls.h"
#include "tnccs_session.h"

#define SECTION "tnc-client"
#define DEFAULT_TNC_CONFIG "/etc/tnc_config"
#define DEFAULT_TIMEOUT_S 30
#define READ_CHUNK 16384

/* Exit statuses; doc/tnc-client.8 lists the same. */
enum {
	EXIT_ALLOW = 0,
	EXIT_USAGE = 1,            /* bad option or configuration, or an internal error */
	EXIT_ISOLATE = 2,
	EXIT_NO_ACCESS = 3,
	EXIT_NO_RECOMMENDATION = 4,
	EXIT_CONNECT = 5,          /* server unreachable, refused or timed out */
	EXIT_TLS = 6,              /* TLS handshake failed, e.g. untrusted server certificate */
	EXIT_PROTOCOL = 7,         /* PT-TLS or PB-TNC violation, or the server ended the session */
	EXIT_AUTH = 8,             /* SASL authentication failed */
};

static const char *const known_keys[] = {
	"server", "port", "server_name", "ca", "cert", "key", "sasl_user", "sasl_password", "timeout",
	"max_message_size", "tnc_config", "debug",
	"max_round_trips", "max_batch_size", "max_retries", "max_extra_ids", "language", NULL,
};

typedef struct client_opts {
	const char *config;
	const char *tnc_config;
	const char *debug;
	const char *server;
	const char *port;
	const char *server_name;
	const char *ca;
	const char *cert;
	const char *key;
	const char *user;
	const char *password;
	long timeout_s;
	bool quiet;
} client_opts;

/* A connected socket with TLS on top and one deadline for the whole run. */
typedef struct client_io {
	int fd;
	SSL *ssl;
	uint64_t deadline_ms;
} client_io;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tnc-client [OPTIONS] [SERVER]\n"
		"Runs one TNC handshake with the IMCs of tnc_config against a PT-TLS server and\n"
		"prints the access recommendation.\n\n"
		"  -s, --server HOST       server name or address (or the SERVER argument; key: server)\n"
		"  -p, --port PORT         server port (default %d)\n"
		"  -n, --server-name NAME  name the server certificate must carry (default: HOST)\n"
		"      --ca FILE           CA certificates (PEM) that verify the server\n"
		"      --cert FILE         client certificate chain (PEM)\n"
		"      --key FILE          private key of the client certificate (PEM)\n"
		"  -u, --user NAME         SASL PLAIN user name\n"
		"  -w, --password TEXT     SASL PLAIN password (visible to other users: prefer the config file)\n"
		"  -T, --timeout SECONDS   time limit for the whole run (default %d)\n"
		"  -c, --config FILE       configuration file (default: $TNCSUITE_CONF, else %s/tncsuite/tncsuite.conf)\n"
		"  -t, --tnc-config FILE   IMC list (default: tnc_config key, else %s)\n"
		"  -d, --debug LEVELS      log levels, e.g. 2 or tls=3,tnc=2 (0 silent .. 4 hex dumps)\n"
		"  -q, --quiet             print nothing; the exit status tells the outcome\n"
		"  -h, --help              show this help\n\n"
		"Exit status: 0 allow, 2 isolate, 3 no access, 4 no recommendation, 5 connection error,\n"
		"6 TLS error, 7 protocol error, 8 authentication failed, 1 usage or configuration error.\n",
		PTTLS_PORT, DEFAULT_TIMEOUT_S, SYSCONFDIR, DEFAULT_TNC_CONFIG);
}

/* Waits until the socket is readable (or writable); TS_E_TIMEOUT at the deadline. */
static int io_wait(const client_io *io, bool for_write)
{
	for (;;) {
		uint64_t now = now_ms();
		struct pollfd p = { .fd = io->fd, .events = for_write ? POLLOUT : POLLIN };
		int n;

		if (now >= io->deadline_ms)
			return TS_E_TIMEOUT;
		n = poll(&p, 1, (int)(io->deadline_ms - now));
		if (n > 0)
			return TS_OK;
		if (n < 0 && errno != EINTR)
			return TS_E_IO;
	}
}

/* Connects to the first address of host that accepts; non-blocking, bounded by the deadline. */
static int tcp_connect(const char *host, const char *port, client_io *io, char *err, size_t err_size)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
	struct addrinfo *res = NULL, *ai;
	int rc, last_errno = 0;

	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, err_size, "cannot resolve %s port %s: %s", host, port, gai_strerror(rc));
		return TS_E_IO;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		socklen_t len = sizeof(last_errno);

		if (fd < 0) {
			last_errno = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			io->fd = fd;
			break;
		}
		if (errno != EINPROGRESS) {
			last_errno = errno;
			close(fd);
			continue;
		}
		io->fd = fd;
		rc = io_wait(io, true);
		if (rc == TS_E_TIMEOUT) {
			close(fd);
			io->fd = -1;
			freeaddrinfo(res);
			snprintf(err, err_size, "cannot connect to %s port %s: timed out", host, port);
			return TS_E_TIMEOUT;
		}
		if (rc == TS_OK && getsockopt(fd, SOL_SOCKET, SO_ERROR, &last_errno, &len) == 0 && last_errno == 0)
			break;
		close(fd);
		io->fd = -1;
	}
	freeaddrinfo(res);
	if (io->fd < 0) {
		snprintf(err, err_size, "cannot connect to %s port %s: %s", host, port,
			 strerror(last_errno ? last_errno : ECONNREFUSED));
		return TS_E_IO;
	}
	if (pttls_tls_set_nodelay(io->fd) != TS_OK)
		log_error(LOG_SUBSYS_TLS, "cannot set TCP_NODELAY: %s", strerror(errno));
	return TS_OK;
}

/* Runs the TLS handshake; on failure explains it in err. */
static int tls_connect(client_io *io, SSL_CTX *ctx, const char *name, char *err, size_t err_size)
{
	io->ssl = SSL_new(ctx);
	if (!io->ssl || SSL_set_fd(io->ssl, io->fd) != 1) {
		snprintf(err, err_size, "cannot set up TLS: out of memory");
		return TS_E_NOMEM;
	}
	if (pttls_tls_set_peer_name(io->ssl, name) != TS_OK) {
		snprintf(err, err_size, "invalid server name '%s'", name);
		return TS_E_CONFIG;
	}
	for (;;) {
		int ret, e, rc;
		long verify;

		ERR_clear_error();
		ret = SSL_connect(io->ssl);
		if (ret == 1)
			break;
		e = SSL_get_error(io->ssl, ret);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			rc = io_wait(io, e == SSL_ERROR_WANT_WRITE);
			if (rc != TS_OK) {
				snprintf(err, err_size, "TLS handshake timed out");
				return TS_E_TIMEOUT;
			}
			continue;
		}
		verify = SSL_get_verify_result(io->ssl);
		if (verify == X509_V_OK &&
		    ((e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) ||
		     ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
			/* A plain EOF or reset: the server dropped the connection (e.g. max_connections). */
			snprintf(err, err_size, "the server closed the connection during the TLS handshake");
			return TS_E_CLOSED;
		}
		if (verify != X509_V_OK) {
			snprintf(err, err_size, "server certificate verification failed: %s",
				 X509_verify_cert_error_string(verify));
		} else {
			char ossl[256];

			if (ERR_peek_error())
				snprintf(err, err_size, "TLS handshake failed: %s",
					 pttls_tls_error_text(ossl, sizeof(ossl)));
			else
				snprintf(err, err_size, "TLS handshake failed: the server closed the connection");
		}
		pttls_tls_log_errors(0, "TLS handshake");
		return TS_E_CRYPTO;
	}
	log_info(LOG_SUBSYS_TLS, "%s with %s, server certificate verified for '%s'", SSL_get_version(io->ssl),
		 SSL_get_cipher_name(io->ssl), name);
	return TS_OK;
}

/* Writes every queued PT-TLS message with one SSL_write each. */
static int io_flush(client_io *io, pttls_conn_t *pt)
{
	const uint8_t *msg;
	size_t len;

	while ((msg = pttls_conn_out_peek(pt, &len)) != NULL) {
		int n, e;

		ERR_clear_error();
		n = SSL_write(io->ssl, msg, (int)len);
		if (n > 0) {
			pttls_conn_out_pop(pt);
			continue;
		}
		e = SSL_get_error(io->ssl, n);
		if (e == SSL_ERROR_SSL)
			return TS_E_CRYPTO;
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			pttls_tls_log_errors(0, "SSL_write");
			return TS_E_IO;
		}
		if (io_wait(io, e == SSL_ERROR_WANT_WRITE) != TS_OK)
			return TS_E_TIMEOUT;
	}
	return TS_OK;
}

/* Reads once (waiting up to the deadline); TS_E_CLOSED when the server closed TLS. */
static int io_read(client_io *io, uint8_t *buf, size_t size, size_t *got)
{
	for (;;) {
		int n, e;

		ERR_clear_error();
		n = SSL_read(io->ssl, buf, (int)size);
		if (n > 0) {
			*got = (size_t)n;
			return TS_OK;
		}
		e = SSL_get_error(io->ssl, n);
		if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0))
			return TS_E_CLOSED;
		if (e == SSL_ERROR_SSL)
			return TS_E_CRYPTO;
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			pttls_tls_log_errors(0, "SSL_read");
			return TS_E_IO;
		}
		if (io_wait(io, e == SSL_ERROR_WANT_WRITE) != TS_OK)
			return TS_E_TIMEOUT;
	}
}

static const char *access_name(uint32_t code)
{
	switch (code) {
	case 1:
		return "allow";
	case 2:
		return "no access";
	case 3:
		return "isolate";
	default:
		return "no recommendation";
	}
}

static const char *assessment_name(uint32_t code)
{
	static const char *const names[] = {
		"compliant", "non-compliant minor", "non-compliant major", "error", "don't know",
	};

	return code < 5 ? names[code] : "unknown";
}

/* Prints the outcome and maps it to the exit status. */
static int report_result(const tnccs_session_t *session, bool quiet)
{
	tnccs_result result;

	if (tnccs_session_get_result(session, &result) != TS_OK) {
		if (!quiet)
			printf("Access recommendation: no recommendation\n"
			       "Assessment result: none (the server sent no result)\n");
		return EXIT_NO_RECOMMENDATION;
	}
	if (!quiet) {
		printf("Access recommendation: %s\n", access_name(result.access_recommendation));
		printf("Assessment result: %s\n", assessment_name(result.assessment_result));
		if (result.reason[0])
			printf("Reason: %s\n", result.reason);
	}
	switch (result.access_recommendation) {
	case 1:
		return EXIT_ALLOW;
	case 2:
		return EXIT_NO_ACCESS;
	case 3:
		return EXIT_ISOLATE;
	default:
		return EXIT_NO_RECOMMENDATION;
	}
}

/* Handles one event of the PT-TLS layer. Returns -1 to go on, or the exit status. */
static int handle_event(const pttls_event *ev, pttls_conn_t *pt, tnccs_host_t *host, tnccs_conn_info *info,
			tnccs_session_t **session, const client_opts *o)
{
	writer_t out;
	int rc;

	switch (ev->type) {
	case PTTLS_EV_NONE:
		return -1;
	case PTTLS_EV_READY:
		rc = tnccs_session_create(host, false, info, session);
		if (rc != TS_OK) {
			fprintf(stderr, "tnc-client: cannot create the PB-TNC session: %s\n", ts_strerror(rc));
			return EXIT_USAGE;
		}
		writer_init(&out, info->max_message_size);
		rc = tnccs_session_start(*session, &out);
		if (rc == TS_OK && writer_len(&out) > 0)
			rc = pttls_conn_send_batch(pt, writer_data(&out), writer_len(&out));
		writer_free(&out);
		if (rc != TS_OK) {
			fprintf(stderr, "tnc-client: cannot start the TNC handshake: %s\n", ts_strerror(rc));
			return EXIT_PROTOCOL;
		}
		return -1;
	case PTTLS_EV_BATCH:
		writer_init(&out, info->max_message_size);
		rc = tnccs_session_receive(*session, ev->data, ev->len, &out);
		if (writer_len(&out) > 0 && pttls_conn_send_batch(pt, writer_data(&out), writer_len(&out)) != TS_OK)
			rc = rc == TS_OK ? TS_E_TOO_LARGE : rc;
		writer_free(&out);
		if (rc != TS_OK) {
			fprintf(stderr, "tnc-client: PB-TNC session failed: %s (--debug tnc=2 shows the cause)\n",
				ts_strerror(rc));
			return EXIT_PROTOCOL;
		}
		return -1;
	case PTTLS_EV_CLOSE:
		if (ev->error == TS_E_VERIFY) {
			fprintf(stderr, "tnc-client: SASL authentication failed%s\n",
				o->user ? " (check the user name and password)" : " (the server requires SASL)");
			return EXIT_AUTH;
		}
		if (ev->error_received)
			fprintf(stderr, "tnc-client: the server sent PT-TLS Error '%s' (code %u)\n",
				pttls_error_code_name(0, ev->pttls_error), ev->pttls_error);
		else
			fprintf(stderr, "tnc-client: PT-TLS protocol error: sent '%s' to the server\n",
				pttls_error_code_name(0, ev->pttls_error));
		return EXIT_PROTOCOL;
	}
	return -1;
}

/*
 * Reports a TLS error after the handshake and frees the connection state.
 * In TLS 1.3 a rejected client certificate shows up here: the server's
 * alert arrives after the client's side of the handshake has finished.
 */
static int tls_failure(pttls_conn_t *pt, tnccs_session_t *session)
{
	char ossl[256];

	fprintf(stderr, "tnc-client: TLS error: %s\n", pttls_tls_error_text(ossl, sizeof(ossl)));
	pttls_tls_log_errors(0, "TLS");
	tnccs_session_destroy(session);
	pttls_conn_destroy(pt);
	return EXIT_TLS;
}

/* The PT-TLS and PB-TNC exchange after the TLS handshake. */
static int run_session(client_io *io, tnccs_host_t *host, const pttls_config *pcfg, const client_opts *o)
{
	tnccs_conn_info info = {
		.conn_id = 1,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.max_message_size = pcfg->max_message_size - PTTLS_HEADER_LEN,
		.peer_cert_subject = NULL,
		.sasl_identity = o->user,
	};
	tnccs_session_t *session = NULL;
	pttls_conn_t *pt = NULL;
	uint8_t buf[READ_CHUNK];
	int status = EXIT_PROTOCOL, rc;

	if (pttls_conn_create(pcfg, false, info.conn_id, &pt) != TS_OK || pttls_conn_start(pt) != TS_OK) {
		status = EXIT_USAGE;
		goto out;
	}
	for (;;) {
		size_t got = 0, room;
		pttls_event ev;
		int verdict = -1;

		rc = io_flush(io, pt);
		if (rc == TS_E_IO) {
			/* A reset after a TLS alert: read the alert to report the real cause. */
			uint8_t alert[64];
			size_t n;

			if (io_read(io, alert, sizeof(alert), &n) == TS_E_CRYPTO)
				rc = TS_E_CRYPTO;
		}
		if (rc == TS_E_CRYPTO)
			return tls_failure(pt, session);
		if (rc != TS_OK) {
			fprintf(stderr, "tnc-client: %s while sending to the server\n",
				rc == TS_E_TIMEOUT ? "timed out" : "connection failed");
			status = rc == TS_E_TIMEOUT ? EXIT_CONNECT : EXIT_PROTOCOL;
			goto out;
		}
		if (session && tnccs_session_finished(session))
			break;

		/* Never read more than the PT-TLS layer may buffer: one maximum message plus a header. */
		room = (size_t)pcfg->max_message_size + PTTLS_HEADER_LEN - pttls_conn_buffered(pt);
		rc = io_read(io, buf, room < sizeof(buf) ? room : sizeof(buf), &got);
		if (rc == TS_E_TIMEOUT) {
			fprintf(stderr, "tnc-client: timed out after %ld s waiting for the server\n", o->timeout_s);
			status = EXIT_CONNECT;
			goto out;
		}
		if (rc == TS_E_CLOSED) {
			fprintf(stderr, "tnc-client: the server closed the connection before the handshake finished\n");
			status = EXIT_PROTOCOL;
			goto out;
		}
		if (rc == TS_E_CRYPTO)
			return tls_failure(pt, session);
		if (rc != TS_OK) {
			fprintf(stderr, "tnc-client: reading from the server failed\n");
			status = EXIT_PROTOCOL;
			goto out;
		}
		if (pttls_conn_feed(pt, buf, got) != TS_OK) {
			status = EXIT_PROTOCOL;
			goto out;
		}
		do {
			rc = pttls_conn_next(pt, &ev);
			if (rc != TS_OK) {
				status = EXIT_PROTOCOL;
				goto out;
			}
			verdict = handle_event(&ev, pt, host, &info, &session, o);
		} while (verdict < 0 && ev.type != PTTLS_EV_NONE && !(session && tnccs_session_finished(session)));
		if (verdict >= 0) {
			/* Send the PT-TLS Error or the PB-TNC CLOSE batch before leaving. */
			if (io_flush(io, pt) != TS_OK)
				log_info(LOG_SUBSYS_TLS, "could not send the last message to the server");
			status = verdict;
			goto out;
		}
	}
	SSL_shutdown(io->ssl);
	status = report_result(session, o->quiet);
out:
	tnccs_session_destroy(session);
	pttls_conn_destroy(pt);
	return status;
}

/* Command-line values win over [tnc-client] keys; returns the exit status on error, else -1. */
static int apply_config(const conf_t *conf, client_opts *o, char **paths, pttls_config *pcfg)
{
	uint64_t size;
	long long v;

	if (!o->server)
		o->server = conf_get_str(conf, SECTION, "server", NULL);
	if (!o->port)
		o->port = conf_get_str(conf, SECTION, "port", "271");
	{
		char *end;
		long port = strtol(o->port, &end, 10);

		if (*o->port == '\0' || *end != '\0' || port < 1 || port > 65535) {
			fprintf(stderr, "tnc-client: invalid port '%s': expected a number from 1 to 65535\n",
				o->port);
			return EXIT_USAGE;
		}
	}
	if (!o->server_name)
		o->server_name = conf_get_str(conf, SECTION, "server_name", o->server);
	if (!o->user)
		o->user = conf_get_str(conf, SECTION, "sasl_user", NULL);
	if (!o->password)
		o->password = conf_get_str(conf, SECTION, "sasl_password", NULL);
	if (o->timeout_s == 0) {
		if (conf_get_int(conf, SECTION, "timeout", DEFAULT_TIMEOUT_S, 1, 3600, &v) != TS_OK)
			return EXIT_USAGE;
		o->timeout_s = (long)v;
	}
	if (conf_get_size(conf, SECTION, "max_message_size", PTTLS_MAX_MESSAGE_DEFAULT, UINT32_MAX, &size) != TS_OK)
		return EXIT_USAGE;
	if (size < 1024) {
		fprintf(stderr, "tnc-client: max_message_size must be at least 1024 octets\n");
		return EXIT_USAGE;
	}
	pcfg->max_message_size = (uint32_t)size;

	/* Paths from the file are relative to its directory. */
	if ((!o->ca && conf_get_path(conf, SECTION, "ca", NULL, &paths[0]) != TS_OK) ||
	    (!o->cert && conf_get_path(conf, SECTION, "cert", NULL, &paths[1]) != TS_OK) ||
	    (!o->key && conf_get_path(conf, SECTION, "key", NULL, &paths[2]) != TS_OK) ||
	    (!o->tnc_config && conf_get_path(conf, SECTION, "tnc_config", DEFAULT_TNC_CONFIG, &paths[3]) != TS_OK))
		return EXIT_USAGE;
	if (!o->ca)
		o->ca = paths[0];
	if (!o->cert)
		o->cert = paths[1];
	if (!o->key)
		o->key = paths[2];
	if (!o->tnc_config)
		o->tnc_config = paths[3];
	if (!o->server) {
		fprintf(stderr, "tnc-client: no server given: use --server HOST or the key server in [%s]\n",
			SECTION);
		return EXIT_USAGE;
	}
	if (!o->ca) {
		fprintf(stderr, "tnc-client: no CA file to verify the server with: use --ca FILE or the key ca\n");
		return EXIT_USAGE;
	}
	if (!o->user != !o->password) {
		fprintf(stderr, "tnc-client: SASL needs both a user name and a password\n");
		return EXIT_USAGE;
	}
	pcfg->sasl_user = o->user;
	pcfg->sasl_password = o->password;
	pcfg->client_cert = o->cert != NULL;
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "server-name", required_argument, NULL, 'n' },
		{ "ca", required_argument, NULL, 'A' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' },
		{ "user", required_argument, NULL, 'u' },
		{ "password", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "config", required_argument, NULL, 'c' },
		{ "tnc-config", required_argument, NULL, 't' },
		{ "debug", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	client_opts o = { 0 };
	client_io io = { .fd = -1 };
	pttls_config pcfg = { 0 };
	host_options host_opts;
	tnccs_host_t *host = NULL;
	SSL_CTX *ctx = NULL;
	conf_t *conf = NULL;
	char *paths[4] = { NULL };
	const char *debug;
	char err[512];
	int ch, rc, status = EXIT_USAGE;

	log_set_program("tnc-client");
	while ((ch = getopt_long(argc, argv, "s:p:n:u:w:T:c:t:d:qh", longopts, NULL)) != -1) {
		char *end;

		switch (ch) {
		case 's': o.server = optarg; break;
		case 'p': o.port = optarg; break;
		case 'n': o.server_name = optarg; break;
		case 'A': o.ca = optarg; break;
		case 'C': o.cert = optarg; break;
		case 'K': o.key = optarg; break;
		case 'u': o.user = optarg; break;
		case 'w': o.password = optarg; break;
		case 'c': o.config = optarg; break;
		case 't': o.tnc_config = optarg; break;
		case 'd': o.debug = optarg; break;
		case 'q': o.quiet = true; break;
		case 'T':
			errno = 0;
			o.timeout_s = strtol(optarg, &end, 10);
			if (errno || *end || o.timeout_s < 1 || o.timeout_s > 3600) {
				fprintf(stderr, "tnc-client: invalid --timeout '%s': expected 1..3600 seconds\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_ALLOW;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc && !o.server)
		o.server = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "tnc-client: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);

	/*
	 * Modules read the file named by TNCSUITE_CONF, so --config must reach
	 * them too: the IMCs are loaded after this.
	 */
	if (o.config && setenv("TNCSUITE_CONF", o.config, 1) != 0) {
		fprintf(stderr, "tnc-client: cannot set TNCSUITE_CONF: %s\n", strerror(errno));
		goto out;
	}

	/* Configuration: a missing default file is fine, a missing --config file is not. */
	rc = conf_load(o.config ? o.config : conf_default_path(), &conf);
	if (rc == TS_E_NOT_FOUND && !o.config && !getenv("TNCSUITE_CONF")) {
		conf = conf_new_empty();
		rc = conf ? TS_OK : TS_E_NOMEM;
	}
	if (rc != TS_OK) {
		fprintf(stderr, "tnc-client: cannot load configuration %s: %s\n",
			o.config ? o.config : conf_default_path(), ts_strerror(rc));
		goto out;
	}
	conf_warn_unknown(conf, SECTION, known_keys);
	debug = o.debug ? o.debug : conf_get_str(conf, SECTION, "debug", NULL);
	if (debug && log_parse_levels(debug) != 0) {
		fprintf(stderr, "tnc-client: invalid log levels '%s': expected e.g. 2 or tls=3,tnc=2\n", debug);
		goto out;
	}
	status = apply_config(conf, &o, paths, &pcfg);
	if (status >= 0)
		goto out;
	status = EXIT_USAGE;

	/* The IMCs. */
	host_options_init(&host_opts);
	host_opts.max_batch_size = pcfg.max_message_size - PTTLS_HEADER_LEN;
	if (host_options_from_conf(conf, SECTION, &host_opts) != TS_OK)
		goto out;
	if (host_opts.max_batch_size > pcfg.max_message_size - PTTLS_HEADER_LEN) {
		fprintf(stderr, "tnc-client: max_batch_size %u does not fit in max_message_size %u; using %u\n",
			host_opts.max_batch_size, pcfg.max_message_size, pcfg.max_message_size - PTTLS_HEADER_LEN);
		host_opts.max_batch_size = pcfg.max_message_size - PTTLS_HEADER_LEN;
	}
	rc = host_create(false, &host_opts, &host);
	if (rc != TS_OK) {
		fprintf(stderr, "tnc-client: cannot create the IMC host: %s\n", ts_strerror(rc));
		goto out;
	}
	rc = host_load_tnc_config(host, o.tnc_config, err, sizeof(err));
	if (rc != TS_OK) {
		fprintf(stderr, "tnc-client: cannot load the IMCs from %s: %s\n", o.tnc_config, err);
		goto out;
	}

	if (pttls_tls_client_ctx(o.ca, o.cert, o.key, &ctx) != TS_OK) {
		fprintf(stderr, "tnc-client: cannot set up TLS with CA file %s%s%s\n", o.ca,
			o.cert ? " and client certificate " : "", o.cert ? o.cert : "");
		goto out;
	}

	/* Connect, TLS, then PT-TLS and PB-TNC, all within one time limit. */
	io.deadline_ms = now_ms() + (uint64_t)o.timeout_s * 1000;
	rc = tcp_connect(o.server, o.port, &io, err, sizeof(err));
	if (rc != TS_OK) {
		fprintf(stderr, "tnc-client: %s\n", err);
		status = EXIT_CONNECT;
		goto out;
	}
	rc = tls_connect(&io, ctx, o.server_name, err, sizeof(err));
	if (rc != TS_OK) {
		fprintf(stderr, "tnc-client: %s\n", err);
		status = rc == TS_E_TIMEOUT || rc == TS_E_CLOSED ? EXIT_CONNECT :
			 rc == TS_E_CONFIG ? EXIT_USAGE : EXIT_TLS;
		goto out;
	}
	status = run_session(&io, host, &pcfg, &o);
out:
	SSL_free(io.ssl);
	if (io.fd >= 0)
		close(io.fd);
	SSL_CTX_free(ctx);
	if (host)
		host_destroy(host);
	for (size_t i = 0; i < 4; i++)
		free(paths[i]);
	conf_free(conf);
	return status;
}
