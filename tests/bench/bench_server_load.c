/*
 * Load generator for tnc-server on loopback, built on the same PT-TLS and
 * PB-TNC code as tnc-client (pttls_conn, tnccs_session, the IMC host with
 * the modules of a tnc_config file).
 *
 *   handshakes  -c N concurrent threads run -n full handshakes in all: TCP
 *               connect, a full TLS handshake (no resumption), PT-TLS
 *               version negotiation, the PB-TNC handshake with access
 *               allowed, close. Reports handshakes per second, latency, the
 *               outcomes (any but "allowed" counts as failed) and, with
 *               --server-pid, the server's CPU time per handshake from
 *               /proc/PID/stat.
 *   tls         like handshakes, but each connection ends after the TLS
 *               handshake (close_notify): the TLS share of the server CPU.
 *   idle        opens -n connections up to the Data Transport phase and
 *               holds them; with --server-pid, reports the server's RSS
 *               growth per connection. Raises RLIMIT_NOFILE to its hard limit.
 *   slow        one connection that sends one byte a second (--stage tls:
 *               the TLS ClientHello; --stage pttls: the PT-TLS Version
 *               Request inside TLS) until the server closes it; prints after
 *               how many seconds. Exit status 0 once closed, 1 if still open
 *               after --timeout seconds.
 *   abort       one connection that kills its own process with SIGKILL at
 *               --stage tcp, tls, version, batch (after sending the first
 *               PB-TNC batch) or partial (after half of that batch's PT-TLS
 *               message).
 *
 * Common options: --port P (required), --address A (127.0.0.1), --ca FILE
 * (the server's CA, required except for abort at tcp), --client-tnc FILE
 * (the IMCs; handshakes, abort), --timeout S (per connection, 30).
 * The IMCs read $TNCSUITE_CONF. Loopback addresses only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench_server_util.h"
#include "host.h"
#include "log.h"
#include "pttls_conn.h"
#include "pttls_tls.h"
#include "tnccs_session.h"

#define READ_CHUNK 16384

typedef struct lg_opts {
	const char *mode;
	const char *address;
	unsigned port;
	const char *ca;
	const char *client_tnc;
	const char *stage;
	pid_t server_pid;
	unsigned concurrency;
	unsigned long count;
	unsigned timeout_s;
	bool tls_only;          /* mode tls: handshakes stop after the TLS handshake */
} lg_opts;

static lg_opts opts = {
	.address = "127.0.0.1",
	.concurrency = 1,
	.count = 100,
	.timeout_s = 30,
};
static SSL_CTX *ssl_ctx;
static tnccs_host_t *imc_host;
static pttls_config pt_cfg = { .max_message_size = PTTLS_MAX_MESSAGE_DEFAULT };
static atomic_ulong next_index;
static atomic_ulong failures;
/* Handshakes by outcome: [0] connection failed, [1 + code] PB-Access-Recommendation code. */
static atomic_ulong outcomes[5];
static double *latencies;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_server_load: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A blocking TCP connection to the server with send and receive timeouts. */
static int tcp_connect(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opts.port) };
	struct timeval tv = { .tv_sec = opts.timeout_s };
	int fd, one = 1;

	if (inet_pton(AF_INET, opts.address, &sin.sin_addr) != 1)
		die("invalid IPv4 address '%s'", opts.address);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static SSL *tls_connect(int fd)
{
	SSL *ssl = SSL_new(ssl_ctx);

	if (!ssl)
		return NULL;
	if (SSL_set_fd(ssl, fd) != 1 || pttls_tls_set_peer_name(ssl, opts.address) != TS_OK ||
	    SSL_connect(ssl) != 1) {
		ERR_clear_error();
		SSL_free(ssl);
		return NULL;
	}
	return ssl;
}

/* Writes every queued PT-TLS message, one SSL_write each. */
static int flush_out(SSL *ssl, pttls_conn_t *pt)
{
	const uint8_t *msg;
	size_t len;

	while ((msg = pttls_conn_out_peek(pt, &len)) != NULL) {
		if (SSL_write(ssl, msg, (int)len) != (int)len)
			return -1;
		pttls_conn_out_pop(pt);
	}
	return 0;
}

/* Reads once and feeds the bytes to pt; -1 on close, timeout or error. */
static int read_into(SSL *ssl, pttls_conn_t *pt)
{
	uint8_t buf[READ_CHUNK];
	int n = SSL_read(ssl, buf, sizeof(buf));

	if (n <= 0)
		return -1;
	return pttls_conn_feed(pt, buf, (size_t)n) == TS_OK ? 0 : -1;
}

/* Runs PT-TLS until the Data Transport phase (version negotiation, no SASL). */
static int pttls_negotiate(SSL *ssl, pttls_conn_t *pt)
{
	pttls_event ev;

	if (pttls_conn_start(pt) != TS_OK || flush_out(ssl, pt) != 0)
		return -1;
	for (;;) {
		if (read_into(ssl, pt) != 0)
			return -1;
		do {
			if (pttls_conn_next(pt, &ev) != TS_OK || ev.type == PTTLS_EV_CLOSE)
				return -1;
			if (ev.type == PTTLS_EV_READY)
				return flush_out(ssl, pt);
		} while (ev.type != PTTLS_EV_NONE);
		if (flush_out(ssl, pt) != 0)
			return -1;
	}
}

/*
 * One full handshake on a new connection. stop_at (abort mode) names the
 * stage after which the process kills itself; NULL runs to the end.
 * Returns the PB-Access-Recommendation of the RESULT batch (1 allowed,
 * 2 access denied, 3 quarantined), 0 when the session ended without one,
 * or -1 when the connection failed. The TLS-only mode returns 1.
 */
static int run_one(unsigned long conn_id, const char *stop_at)
{
	tnccs_conn_info info = {
		.conn_id = conn_id,
		.ift_protocol = "IF-T for TLS",
		.ift_version = "2.0",
		.max_message_size = pt_cfg.max_message_size - PTTLS_HEADER_LEN,
	};
	tnccs_session_t *session = NULL;
	pttls_conn_t *pt = NULL;
	tnccs_result result;
	writer_t out;
	pttls_event ev;
	SSL *ssl = NULL;
	int fd, ret = -1;

	writer_init(&out, info.max_message_size);
	fd = tcp_connect();
	if (fd < 0)
		goto out;
	if (stop_at && strcmp(stop_at, "tcp") == 0)
		raise(SIGKILL);
	ssl = tls_connect(fd);
	if (!ssl)
		goto out;
	if (stop_at && strcmp(stop_at, "tls") == 0)
		raise(SIGKILL);
	if (opts.tls_only) {
		SSL_shutdown(ssl);
		ret = 1;
		goto out;
	}
	if (pttls_conn_create(&pt_cfg, false, conn_id, &pt) != TS_OK || pttls_negotiate(ssl, pt) != 0)
		goto out;
	if (stop_at && strcmp(stop_at, "version") == 0)
		raise(SIGKILL);

	if (tnccs_session_create(imc_host, false, &info, &session) != TS_OK ||
	    tnccs_session_start(session, &out) != TS_OK)
		goto out;
	if (stop_at && strcmp(stop_at, "partial") == 0) {
		const uint8_t *msg;
		size_t len;

		if (pttls_conn_send_batch(pt, writer_data(&out), writer_len(&out)) != TS_OK)
			goto out;
		msg = pttls_conn_out_peek(pt, &len);
		SSL_write(ssl, msg, (int)(len / 2));
		raise(SIGKILL);
	}
	if (pttls_conn_send_batch(pt, writer_data(&out), writer_len(&out)) != TS_OK || flush_out(ssl, pt) != 0)
		goto out;
	if (stop_at && strcmp(stop_at, "batch") == 0)
		raise(SIGKILL);

	/* Round trips until the client session sent CLOSE. */
	while (!tnccs_session_finished(session)) {
		if (read_into(ssl, pt) != 0)
			goto out;
		for (;;) {
			if (pttls_conn_next(pt, &ev) != TS_OK || ev.type == PTTLS_EV_CLOSE)
				goto out;
			if (ev.type == PTTLS_EV_NONE)
				break;
			if (ev.type != PTTLS_EV_BATCH)
				continue;
			writer_reset(&out);
			if (tnccs_session_receive(session, ev.data, ev.len, &out) != TS_OK)
				goto out;
			if (writer_len(&out) > 0 &&
			    pttls_conn_send_batch(pt, writer_data(&out), writer_len(&out)) != TS_OK)
				goto out;
			if (tnccs_session_finished(session))
				break;
		}
		if (flush_out(ssl, pt) != 0)
			goto out;
	}
	ret = tnccs_session_get_result(session, &result) == TS_OK ? (int)result.access_recommendation : 0;
	SSL_shutdown(ssl);
out:
	writer_free(&out);
	tnccs_session_destroy(session);
	pttls_conn_destroy(pt);
	SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	return ret;
}

static void *handshake_worker(void *arg)
{
	unsigned long i;

	(void)arg;
	while ((i = atomic_fetch_add(&next_index, 1)) < opts.count) {
		double t0 = bench_now();

		int rec = run_one(i + 1, NULL);

		if (rec != 1)
			atomic_fetch_add(&failures, 1);
		atomic_fetch_add(&outcomes[rec >= 0 && rec <= 3 ? rec + 1 : 0], 1);
		latencies[i] = bench_now() - t0;
	}
	return NULL;
}

static int mode_handshakes(void)
{
	pthread_t *threads = calloc(opts.concurrency, sizeof(*threads));
	double cpu0 = 0, cpu1 = 0, wall, verify_s, sha_s, per_hs = 0;

	latencies = calloc(opts.count, sizeof(*latencies));
	if (!threads || !latencies)
		die("out of memory");
	if (opts.server_pid > 0)
		cpu0 = bench_proc_cpu(opts.server_pid);
	wall = bench_now();
	for (unsigned i = 0; i < opts.concurrency; i++)
		if (pthread_create(&threads[i], NULL, handshake_worker, NULL) != 0)
			die("pthread_create failed");
	for (unsigned i = 0; i < opts.concurrency; i++)
		pthread_join(threads[i], NULL);
	wall = bench_now() - wall;
	if (opts.server_pid > 0)
		cpu1 = bench_proc_cpu(opts.server_pid);

	verify_s = bench_baseline_verify();
	sha_s = bench_baseline_sha256(16384);
	printf("bench_server_load: %lu %shandshakes, %u concurrent, %lu failed, %.2f s\n", opts.count,
	       opts.tls_only ? "TLS-only " : "", opts.concurrency, (unsigned long)failures, wall);
	if (!opts.tls_only)
		printf("results: %lu allowed, %lu isolated, %lu no access, %lu without recommendation, "
		       "%lu connection errors\n", (unsigned long)outcomes[2], (unsigned long)outcomes[4],
		       (unsigned long)outcomes[3], (unsigned long)outcomes[1], (unsigned long)outcomes[0]);
	bench_report("baseline: ECDSA P-256 verification", verify_s, verify_s, sha_s);
	bench_report("baseline: SHA-256 over 16 KiB", sha_s, verify_s, sha_s);
	printf("%-40s %10.1f handshakes/s\n", "rate", (double)opts.count / wall);
	bench_report("latency median", bench_quantile(latencies, opts.count, 0.5), verify_s, sha_s);
	bench_report("latency 99th percentile", bench_quantile(latencies, opts.count, 0.99), verify_s, sha_s);
	if (opts.server_pid > 0 && cpu0 >= 0 && cpu1 >= 0) {
		per_hs = (cpu1 - cpu0) / (double)opts.count;
		if (opts.tls_only) {
			bench_report("server CPU per TLS handshake only", per_hs, verify_s, sha_s);
		} else {
			bench_report("server CPU per handshake (TLS incl.)", per_hs, verify_s, sha_s);
			bench_budget("server CPU per attestation, TLS included", per_hs * 1e3, 1.0, "ms", 0);
		}
	}
	if (opts.concurrency >= 32 && !opts.tls_only)
		bench_budget("attestations per second, 32 concurrent", (double)opts.count / wall, 500, "/s", 1);
	free(threads);
	free(latencies);
	return failures ? 1 : 0;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int mode_idle(void)
{
	int *fds = calloc(opts.count, sizeof(*fds));
	long rss0 = -1, rss1 = -1, fds0 = -1;
	unsigned long opened = 0;
	double wall;

	if (!fds)
		die("out of memory");
	raise_nofile();
	if (opts.server_pid > 0) {
		rss0 = bench_proc_rss_kib(opts.server_pid);
		fds0 = bench_proc_fd_count(opts.server_pid);
	}
	wall = bench_now();
	for (; opened < opts.count; opened++) {
		pttls_conn_t *pt = NULL;
		SSL *ssl;
		int fd = tcp_connect();

		if (fd < 0)
			break;
		ssl = tls_connect(fd);
		if (!ssl || pttls_conn_create(&pt_cfg, false, opened + 1, &pt) != TS_OK ||
		    pttls_negotiate(ssl, pt) != 0) {
			pttls_conn_destroy(pt);
			SSL_free(ssl);
			close(fd);
			break;
		}
		/* Keep only the socket: the server keeps its own TLS and PT-TLS state. */
		pttls_conn_destroy(pt);
		SSL_free(ssl);
		fds[opened] = fd;
	}
	wall = bench_now() - wall;
	/* Let the server finish its bookkeeping of the last connections. */
	usleep(500 * 1000);
	if (opts.server_pid > 0)
		rss1 = bench_proc_rss_kib(opts.server_pid);

	printf("bench_server_load: %lu of %lu idle connections open after %.2f s\n", opened, opts.count, wall);
	if (opts.server_pid > 0 && rss0 >= 0 && rss1 >= 0 && opened > 0) {
		double per = (double)(rss1 - rss0) / (double)opened;

		printf("%-40s %10ld KiB before, %ld KiB after, %ld fds before, %ld after\n", "server RSS", rss0,
		       rss1, fds0, bench_proc_fd_count(opts.server_pid));
		printf("%-40s %10.1f KiB\n", "server RSS growth per connection", per);
		bench_budget("memory per idle connection", per, 64, "KiB", 0);
	}
	if (opts.count >= 10000)
		bench_budget("idle connections held open", (double)opened, 10000, "connections", 1);
	for (unsigned long i = 0; i < opened; i++)
		close(fds[i]);
	free(fds);
	return opened == opts.count ? 0 : 1;
}

/* Sends data one byte a second on fd until the peer closes; returns the seconds until then, or -1. */
static double send_slowly(int fd, const uint8_t *data, size_t len, size_t *sent)
{
	double start = bench_now();

	for (*sent = 0;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t byte = *sent < len ? data[*sent] : 0;

		if (send(fd, &byte, 1, MSG_NOSIGNAL) != 1)
			return bench_now() - start;
		/* Counted at once: the server may close right after this byte. */
		(*sent)++;
		/* Readable within the second: an alert, a PT-TLS Error or the close. */
		if (poll(&p, 1, 1000) > 0) {
			uint8_t buf[4096];
			ssize_t n = recv(fd, buf, sizeof(buf), 0);

			if (n <= 0)
				return bench_now() - start;
			while (poll(&p, 1, 0) > 0 && (n = recv(fd, buf, sizeof(buf), 0)) > 0)
				;
			if (n <= 0)
				return bench_now() - start;
		}
		if (bench_now() - start > opts.timeout_s)
			return -1;
	}
}

static int mode_slow(void)
{
	uint8_t hello[4096];
	size_t hello_len = 0, sent = 0;
	double closed_after = -1;
	int fd = tcp_connect();

	if (fd < 0)
		die("cannot connect");
	if (strcmp(opts.stage, "tls") == 0) {
		/* The ClientHello, taken from a memory BIO and sent byte by byte. */
		SSL *ssl = SSL_new(ssl_ctx);
		BIO *rbio = BIO_new(BIO_s_mem()), *wbio = BIO_new(BIO_s_mem());
		int n;

		SSL_set_bio(ssl, rbio, wbio);
		if (pttls_tls_set_peer_name(ssl, opts.address) != TS_OK)
			die("cannot set the server name");
		SSL_connect(ssl);
		n = BIO_read(wbio, hello, sizeof(hello));
		if (n <= 0)
			die("no ClientHello");
		hello_len = (size_t)n;
		closed_after = send_slowly(fd, hello, hello_len, &sent);
		SSL_free(ssl);
	} else {
		/* TLS at full speed, then the PT-TLS Version Request one byte per TLS record. */
		pttls_conn_t *pt = NULL;
		const uint8_t *msg;
		double start = bench_now();
		size_t len;
		SSL *ssl = tls_connect(fd);

		if (!ssl || pttls_conn_create(&pt_cfg, false, 1, &pt) != TS_OK || pttls_conn_start(pt) != TS_OK)
			die("TLS or PT-TLS set-up failed");
		msg = pttls_conn_out_peek(pt, &len);
		/* Non-blocking from here: the server's session tickets must not stall the client. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		for (sent = 0; bench_now() - start <= opts.timeout_s; sent++) {
			uint8_t byte = sent < len ? msg[sent] : 0, buf[256];
			struct pollfd p = { .fd = fd, .events = POLLIN };
			int n;

			if (SSL_write(ssl, &byte, 1) != 1)
				break;
			if (poll(&p, 1, 1000) <= 0)
				continue;
			n = SSL_read(ssl, buf, sizeof(buf));
			if (n <= 0 && SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ)
				break;
		}
		if (bench_now() - start <= opts.timeout_s)
			closed_after = bench_now() - start;
		pttls_conn_destroy(pt);
		SSL_free(ssl);
	}
	close(fd);
	if (closed_after < 0) {
		printf("slow client (%s): still open after %u s, %zu bytes sent\n", opts.stage, opts.timeout_s, sent);
		return 1;
	}
	printf("slow client (%s): closed by the server after %.1f s, %zu bytes sent\n", opts.stage, closed_after,
	       sent);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_server_load --mode handshakes|tls|idle|slow|abort --port P [--address A]\n"
		"       [--ca FILE] [--client-tnc FILE] [-c CONCURRENT] [-n COUNT] [--server-pid PID]\n"
		"       [--stage tcp|tls|version|batch|partial|pttls] [--timeout S]\n");
	exit(2);
}

static void load_imcs(void)
{
	host_options options;
	char err[512] = "";

	if (!opts.client_tnc)
		die("--client-tnc is required for this mode");
	host_options_init(&options);
	if (host_create(false, &options, &imc_host) != TS_OK ||
	    host_load_tnc_config(imc_host, opts.client_tnc, err, sizeof(err)) != TS_OK)
		die("cannot load the IMCs: %s", err);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "address", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "ca", required_argument, NULL, 'C' },
		{ "client-tnc", required_argument, NULL, 't' },
		{ "server-pid", required_argument, NULL, 'P' },
		{ "stage", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm': opts.mode = optarg; break;
		case 'a': opts.address = optarg; break;
		case 'p': opts.port = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'C': opts.ca = optarg; break;
		case 't': opts.client_tnc = optarg; break;
		case 'P': opts.server_pid = (pid_t)strtol(optarg, NULL, 10); break;
		case 's': opts.stage = optarg; break;
		case 'T': opts.timeout_s = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'c': opts.concurrency = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': opts.count = strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (!opts.mode || opts.port == 0 || opts.port > 65535 || opts.concurrency == 0)
		usage();
	if (strncmp(opts.address, "127.", 4) != 0)
		die("'%s' is not a loopback address", opts.address);
	log_set_level_all(0);
	signal(SIGPIPE, SIG_IGN);

	if (opts.ca) {
		if (pttls_tls_client_ctx(opts.ca, NULL, NULL, &ssl_ctx) != TS_OK)
			die("cannot load the CA file %s", opts.ca);
		/* No session cache: every connection runs a full TLS handshake. */
		SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_OFF);
		SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_TICKET);
		SSL_CTX_set_mode(ssl_ctx, SSL_MODE_RELEASE_BUFFERS);
	} else if (!(strcmp(opts.mode, "abort") == 0 && opts.stage && strcmp(opts.stage, "tcp") == 0)) {
		die("--ca is required for this mode");
	}

	if (strcmp(opts.mode, "handshakes") == 0) {
		load_imcs();
		rc = mode_handshakes();
	} else if (strcmp(opts.mode, "tls") == 0) {
		opts.tls_only = true;
		rc = mode_handshakes();
	} else if (strcmp(opts.mode, "idle") == 0) {
		rc = mode_idle();
	} else if (strcmp(opts.mode, "slow") == 0) {
		if (!opts.stage)
			opts.stage = "pttls";
		rc = mode_slow();
	} else if (strcmp(opts.mode, "abort") == 0) {
		if (!opts.stage)
			usage();
		if (strcmp(opts.stage, "tcp") != 0 && strcmp(opts.stage, "tls") != 0)
			load_imcs();
		/* Reaching the end means the stage was never reached: the connection failed. */
		run_one(1, opts.stage);
		fprintf(stderr, "bench_server_load: the connection failed before stage %s\n", opts.stage);
		rc = 1;
	} else {
		usage();
	}
	if (imc_host)
		host_destroy(imc_host);
	SSL_CTX_free(ssl_ctx);
	return rc;
}
