/*
 * tnc-server: the TNC server (PB-TNC server with the IMVs of tnc_config)
 * behind a PT-TLS listener. See doc/tnc-server.8.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "host.h"
#include "log.h"
#include "pttls_tls.h"
#include "server_loop.h"
#include "server_pool.h"

#define SECTION "tnc-server"
#define DEFAULT_TNC_CONFIG "/etc/tnc_config"

/* Keys of [tnc-server]: this program's and the IMV host's. */
static const char *const known_keys[] = {
	"address", "port", "cert", "key", "ca", "client_cert", "users", "max_connections",
	"max_message_size", "connection_timeout", "idle_timeout", "shutdown_timeout", "workers",
	"sasl_result_octets", "tnc_config", "debug",
	"max_round_trips", "max_batch_size", "max_retries", "max_extra_ids", "recommendation_policy",
	"language", "remediation_uri", NULL,
};

typedef struct options {
	const char *config;
	const char *tnc_config;
	const char *debug;
	bool foreground;
} options;

/* Everything loaded from the configuration, replaced as a whole on SIGHUP. */
typedef struct loaded {
	server_settings settings;
	SSL_CTX *ctx;
	tnccs_host_t *host;
	pttls_userdb *users;
	host_options host_opts;
	char tnc_config[4096];    /* IMV list the host is (to be) loaded from */
} loaded;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: tnc-server [OPTIONS]\n"
		"Runs the TNC server: accepts PT-TLS connections and assesses clients with the IMVs\n"
		"listed in tnc_config.\n\n"
		"  -f, --foreground        stay in the foreground and log to stderr (else: daemon, syslog)\n"
		"  -c, --config FILE       configuration file (default: $TNCSUITE_CONF, else %s/tncsuite/tncsuite.conf)\n"
		"  -t, --tnc-config FILE   IMV list (default: tnc_config key, else %s)\n"
		"  -d, --debug LEVELS      log levels, e.g. 2 or tls=3,tnc=2 (0 silent .. 4 hex dumps)\n"
		"  -h, --help              show this help\n",
		SYSCONFDIR, DEFAULT_TNC_CONFIG);
}

/* One worker per online CPU, at least 2 so a slow IMV call does not stall every client. */
static long long default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return 2;
	return n > SERVER_POOL_MAX_WORKERS ? SERVER_POOL_MAX_WORKERS : n;
}

static int get_seconds_ms(const conf_t *conf, const char *key, unsigned def_ms, unsigned *out)
{
	long long v;
	int rc = conf_get_int(conf, SECTION, key, def_ms / 1000, 1, 86400, &v);

	if (rc == TS_OK)
		*out = (unsigned)v * 1000;
	return rc;
}

static int parse_client_cert(const char *text, pttls_client_cert *out)
{
	if (strcmp(text, "none") == 0)
		*out = PTTLS_CLIENT_CERT_NONE;
	else if (strcmp(text, "optional") == 0)
		*out = PTTLS_CLIENT_CERT_OPTIONAL;
	else if (strcmp(text, "required") == 0)
		*out = PTTLS_CLIENT_CERT_REQUIRED;
	else
		return TS_E_CONFIG;
	return TS_OK;
}

static void loaded_free(loaded *l)
{
	SSL_CTX_free(l->ctx);
	if (l->host)
		host_destroy(l->host);
	pttls_userdb_free(l->users);
	memset(l, 0, sizeof(*l));
}

/* Reads [tnc-server], the TLS credentials, the user file and the IMV host settings. */
static int load_all(const options *opt, loaded *out)
{
	char *cert = NULL, *key = NULL, *ca = NULL, *users = NULL, *tnc_config = NULL;
	const char *client_cert_text, *debug;
	pttls_client_cert client_cert;
	conf_t *conf = NULL;
	loaded l = { 0 };
	long long v;
	uint64_t size;
	int rc;

	rc = conf_load(opt->config, &conf);
	if (rc == TS_E_NOT_FOUND) {
		log_error(LOG_SUBSYS_CFG, "configuration file %s not found", opt->config);
		goto out;
	}
	if (rc != TS_OK)
		goto out;
	conf_warn_unknown(conf, SECTION, known_keys);

	debug = opt->debug ? opt->debug : conf_get_str(conf, SECTION, "debug", NULL);
	if (debug && log_parse_levels(debug) != 0) {
		log_error(LOG_SUBSYS_CFG, "invalid log levels '%s': expected e.g. 2 or tls=3,tnc=2", debug);
		rc = TS_E_CONFIG;
		goto out;
	}

	snprintf(l.settings.address, sizeof(l.settings.address), "%s",
		 conf_get_str(conf, SECTION, "address", SERVER_DEFAULT_ADDRESS));
	if ((rc = conf_get_int(conf, SECTION, "port", PTTLS_PORT, 0, 65535, &v)) != TS_OK)
		goto out;
	l.settings.port = (uint16_t)v;
	if ((rc = conf_get_int(conf, SECTION, "max_connections", SERVER_DEFAULT_MAX_CONNECTIONS, 1, 1000000,
			       &v)) != TS_OK)
		goto out;
	l.settings.max_connections = (unsigned)v;
	if ((rc = conf_get_int(conf, SECTION, "workers", default_workers(), 1, SERVER_POOL_MAX_WORKERS, &v)) != TS_OK)
		goto out;
	l.settings.workers = (unsigned)v;
	if ((rc = get_seconds_ms(conf, "connection_timeout", SERVER_DEFAULT_CONNECTION_TIMEOUT_MS,
				 &l.settings.connection_timeout_ms)) != TS_OK ||
	    (rc = get_seconds_ms(conf, "idle_timeout", SERVER_DEFAULT_IDLE_TIMEOUT_MS,
				 &l.settings.idle_timeout_ms)) != TS_OK ||
	    (rc = get_seconds_ms(conf, "shutdown_timeout", SERVER_DEFAULT_SHUTDOWN_TIMEOUT_MS,
				 &l.settings.shutdown_timeout_ms)) != TS_OK)
		goto out;
	if ((rc = conf_get_size(conf, SECTION, "max_message_size", PTTLS_MAX_MESSAGE_DEFAULT, UINT32_MAX,
				&size)) != TS_OK)
		goto out;
	if (size < 1024) {
		log_error(LOG_SUBSYS_CFG, "%s: max_message_size %llu is below the minimum of 1024 octets",
			  conf_name(conf), (unsigned long long)size);
		rc = TS_E_CONFIG;
		goto out;
	}
	l.settings.pttls.max_message_size = (uint32_t)size;
	if ((rc = conf_get_int(conf, SECTION, "sasl_result_octets", 2, 1, 2, &v)) != TS_OK)
		goto out;
	l.settings.pttls.sasl_result_one_octet = v == 1;

	/* TLS: certificate and key are mandatory, the CA only for client certificates. */
	if ((rc = conf_get_path(conf, SECTION, "cert", SYSCONFDIR "/tncsuite/server.crt", &cert)) != TS_OK ||
	    (rc = conf_get_path(conf, SECTION, "key", SYSCONFDIR "/tncsuite/server.key", &key)) != TS_OK ||
	    (rc = conf_get_path(conf, SECTION, "ca", NULL, &ca)) != TS_OK ||
	    (rc = conf_get_path(conf, SECTION, "users", NULL, &users)) != TS_OK ||
	    (rc = conf_get_path(conf, SECTION, "tnc_config", DEFAULT_TNC_CONFIG, &tnc_config)) != TS_OK)
		goto out;
	client_cert_text = conf_get_str(conf, SECTION, "client_cert", ca ? "optional" : "none");
	if (parse_client_cert(client_cert_text, &client_cert) != TS_OK) {
		log_error(LOG_SUBSYS_CFG, "%s: client_cert '%s' is invalid: expected none, optional or required",
			  conf_name(conf), client_cert_text);
		rc = TS_E_CONFIG;
		goto out;
	}
	rc = pttls_tls_server_ctx(cert, key, ca, client_cert, &l.ctx);
	if (rc != TS_OK)
		goto out;
	if (users) {
		rc = pttls_userdb_load(users, &l.users);
		if (rc != TS_OK)
			goto out;
		l.settings.pttls.users = l.users;
	}

	/* The IMV host settings; the IMVs themselves are loaded by load_host(). */
	host_options_init(&l.host_opts);
	l.host_opts.max_batch_size = l.settings.pttls.max_message_size - PTTLS_HEADER_LEN;
	if ((rc = host_options_from_conf(conf, SECTION, &l.host_opts)) != TS_OK)
		goto out;
	if (l.host_opts.max_batch_size > l.settings.pttls.max_message_size - PTTLS_HEADER_LEN) {
		log_error(LOG_SUBSYS_CFG, "%s: max_batch_size %u does not fit in max_message_size %u; using %u",
			  conf_name(conf), l.host_opts.max_batch_size, l.settings.pttls.max_message_size,
			  l.settings.pttls.max_message_size - PTTLS_HEADER_LEN);
		l.host_opts.max_batch_size = l.settings.pttls.max_message_size - PTTLS_HEADER_LEN;
	}
	snprintf(l.tnc_config, sizeof(l.tnc_config), "%s", opt->tnc_config ? opt->tnc_config : tnc_config);

	*out = l;
	memset(&l, 0, sizeof(l));
	rc = TS_OK;
out:
	loaded_free(&l);
	free(cert);
	free(key);
	free(ca);
	free(users);
	free(tnc_config);
	conf_free(conf);
	return rc;
}

/* Loads the IMVs of l->tnc_config into a new host. */
static int load_host(loaded *l)
{
	char err[256] = "";
	int rc;

	rc = host_create(true, &l->host_opts, &l->host);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_TNC, "cannot create the IMV host: %s", ts_strerror(rc));
		return rc;
	}
	rc = host_load_tnc_config(l->host, l->tnc_config, err, sizeof(err));
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_TNC, "cannot load the IMVs of %s: %s", l->tnc_config, err);
		host_destroy(l->host);
		l->host = NULL;
		return rc;
	}
	log_info(LOG_SUBSYS_APP, "%zu IMVs loaded from %s, recommendation policy %s", host_module_count(l->host),
		 l->tnc_config, host_policy_name(l->host_opts.policy));
	return TS_OK;
}

/*
 * SIGHUP: checks the new configuration, lets open connections end, then
 * swaps the modules. Returns SERVER_RELOAD when the server runs on (with the
 * new or the old configuration), SERVER_STOPPED on SIGTERM meanwhile, or a
 * negative code when no IMVs could be loaded at all.
 */
static int reload(const options *opt, server_t *server, loaded *cur)
{
	loaded next = { 0 };
	int rc;

	if (load_all(opt, &next) != TS_OK) {
		log_error(LOG_SUBSYS_APP, "reload failed; keeping the running configuration");
		return SERVER_RELOAD;
	}
	rc = server_quiesce(server);
	if (rc != SERVER_QUIESCED) {
		loaded_free(&next);
		return rc;
	}
	server_release_host(server);
	if (load_host(&next) != TS_OK) {
		/* Fall back to the IMVs that ran before, with the new TLS settings. */
		log_error(LOG_SUBSYS_APP, "reload: loading the previous IMV list %s again", cur->tnc_config);
		next.host_opts = cur->host_opts;
		snprintf(next.tnc_config, sizeof(next.tnc_config), "%s", cur->tnc_config);
		if (load_host(&next) != TS_OK) {
			loaded_free(&next);
			return TS_E_CONFIG;
		}
	}
	server_reload(server, &next.settings, next.ctx, next.host, next.users);
	cur->settings = next.settings;
	cur->host_opts = next.host_opts;
	snprintf(cur->tnc_config, sizeof(cur->tnc_config), "%s", next.tnc_config);
	log_error(LOG_SUBSYS_APP, "configuration reloaded: %zu IMVs from %s", host_module_count(next.host),
		  next.tnc_config);
	return SERVER_RELOAD;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return TS_E_IO;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return TS_E_IO;
	if (chdir("/") != 0)
		return TS_E_IO;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_use_syslog("tnc-server");
	return TS_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "tnc-config", required_argument, NULL, 't' },
		{ "debug", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	options opt = { 0 };
	server_t *server = NULL;
	loaded cur = { 0 };
	sigset_t sigs;
	int ch, rc, status = 1;

	log_set_program("tnc-server");
	while ((ch = getopt_long(argc, argv, "fc:t:d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			opt.foreground = true;
			break;
		case 'c':
			opt.config = optarg;
			break;
		case 't':
			opt.tnc_config = optarg;
			break;
		case 'd':
			opt.debug = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tnc-server: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (opt.debug && log_parse_levels(opt.debug) != 0) {
		fprintf(stderr, "tnc-server: invalid --debug '%s': expected e.g. 2 or tls=3,tnc=2\n", opt.debug);
		return 2;
	}
	if (!opt.config)
		opt.config = conf_default_path();
	/* The IMVs read the file named by TNCSUITE_CONF: give them the same one. */
	if (setenv("TNCSUITE_CONF", opt.config, 1) != 0) {
		fprintf(stderr, "tnc-server: cannot set TNCSUITE_CONF: %s\n", strerror(errno));
		return 1;
	}

	/* Before any thread exists: the loop takes these signals from a signalfd. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();

	if (!opt.foreground && daemonize() != TS_OK) {
		fprintf(stderr, "tnc-server: cannot become a daemon: %s\n", strerror(errno));
		return 1;
	}
	if (load_all(&opt, &cur) != TS_OK || load_host(&cur) != TS_OK)
		goto out;
	rc = server_create(&cur.settings, cur.ctx, cur.host, cur.users, &server);
	/* The server owns the TLS context, the host and the user file now, or freed them. */
	cur.ctx = NULL;
	cur.host = NULL;
	cur.users = NULL;
	if (rc != TS_OK)
		goto out;
	log_error(LOG_SUBSYS_APP, "listening on %s port %u (PT-TLS), %u workers, max %u connections",
		  cur.settings.address, server_port(server), cur.settings.workers, cur.settings.max_connections);

	for (;;) {
		rc = server_run(server);
		if (rc == SERVER_RELOAD)
			rc = reload(&opt, server, &cur);
		if (rc != SERVER_RELOAD)
			break;
	}
	if (rc == SERVER_STOPPED) {
		log_error(LOG_SUBSYS_APP, "stopped");
		status = 0;
	}
out:
	server_destroy(server);
	loaded_free(&cur);
	return status;
}
