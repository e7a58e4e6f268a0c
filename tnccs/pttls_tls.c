#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "log.h"
#include "pttls_tls.h"

void pttls_tls_log_errors(unsigned long conn_id, const char *what)
{
	unsigned long e;
	char buf[256];

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		if (conn_id)
			log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, conn_id, "%s: %s", what, buf);
		else
			log_error(LOG_SUBSYS_TLS, "%s: %s", what, buf);
	}
}

const char *pttls_tls_error_text(char *buf, size_t size)
{
	unsigned long e = ERR_peek_error();

	if (!e) {
		snprintf(buf, size, "no OpenSSL error recorded");
		return buf;
	}
	ERR_error_string_n(e, buf, size);
	return buf;
}

/* Settings shared by both sides: TLS 1.2 or 1.3 and no renegotiation after set-up. */
static SSL_CTX *new_ctx(const SSL_METHOD *method)
{
	SSL_CTX *ctx = SSL_CTX_new(method);

	if (!ctx)
		return NULL;
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* PT-TLS forbids renegotiation after the TLS set-up phase (RFC 6876 §3.4.2.1). */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	/*
	 * A retried SSL_write may pass a moved buffer of the same message, and
	 * idle connections give their 16 KiB record buffers back.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	return ctx;
}

static int load_identity(SSL_CTX *ctx, const char *cert, const char *key)
{
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		log_error(LOG_SUBSYS_TLS, "cannot load certificate chain %s", cert);
		pttls_tls_log_errors(0, "certificate");
		return TS_E_CONFIG;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		log_error(LOG_SUBSYS_TLS, "cannot load private key %s", key);
		pttls_tls_log_errors(0, "private key");
		return TS_E_CONFIG;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		log_error(LOG_SUBSYS_TLS, "private key %s does not match certificate %s", key, cert);
		pttls_tls_log_errors(0, "private key");
		return TS_E_CONFIG;
	}
	return TS_OK;
}

static int load_ca(SSL_CTX *ctx, const char *ca)
{
	if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		log_error(LOG_SUBSYS_TLS, "cannot load CA certificates from %s", ca);
		pttls_tls_log_errors(0, "CA file");
		return TS_E_CONFIG;
	}
	return TS_OK;
}

int pttls_tls_server_ctx(const char *cert, const char *key, const char *ca, pttls_client_cert client_cert,
			 SSL_CTX **out)
{
	SSL_CTX *ctx = NULL;
	int rc = TS_E_CONFIG;

	if (!cert || !key) {
		log_error(LOG_SUBSYS_TLS, "the server needs a certificate and a private key");
		goto out;
	}
	if (client_cert != PTTLS_CLIENT_CERT_NONE && !ca) {
		log_error(LOG_SUBSYS_TLS, "verifying client certificates needs a CA file");
		goto out;
	}
	ctx = new_ctx(TLS_server_method());
	if (!ctx) {
		rc = TS_E_CRYPTO;
		pttls_tls_log_errors(0, "SSL_CTX_new");
		goto out;
	}
	/* tnc-client never resumes a TLS session, so session tickets are wasted work. */
	SSL_CTX_set_num_tickets(ctx, 0);
	/*
	 * Read what the socket has into the record buffer at once, not each
	 * record header and body with a read() of their own.
	 */
	SSL_CTX_set_read_ahead(ctx, 1);
	rc = load_identity(ctx, cert, key);
	if (rc != TS_OK)
		goto out;
	if (client_cert != PTTLS_CLIENT_CERT_NONE) {
		STACK_OF(X509_NAME) *names;

		rc = load_ca(ctx, ca);
		if (rc != TS_OK)
			goto out;
		names = SSL_load_client_CA_file(ca);
		if (names)
			SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
				   (client_cert == PTTLS_CLIENT_CERT_REQUIRED ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
				   NULL);
	}
	/* Resumed sessions keep working across tnc-client runs; the cache is per process. */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"tnc-server", 10);
	*out = ctx;
	ctx = NULL;
	rc = TS_OK;
out:
	SSL_CTX_free(ctx);
	return rc;
}

int pttls_tls_client_ctx(const char *ca, const char *cert, const char *key, SSL_CTX **out)
{
	SSL_CTX *ctx = NULL;
	int rc = TS_E_CONFIG;

	if (!ca) {
		log_error(LOG_SUBSYS_TLS, "no CA file to verify the server certificate with");
		goto out;
	}
	if (!cert != !key) {
		log_error(LOG_SUBSYS_TLS, "a client certificate needs its private key, and the other way round");
		goto out;
	}
	ctx = new_ctx(TLS_client_method());
	if (!ctx) {
		rc = TS_E_CRYPTO;
		pttls_tls_log_errors(0, "SSL_CTX_new");
		goto out;
	}
	rc = load_ca(ctx, ca);
	if (rc != TS_OK)
		goto out;
	if (cert) {
		rc = load_identity(ctx, cert, key);
		if (rc != TS_OK)
			goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	*out = ctx;
	ctx = NULL;
	rc = TS_OK;
out:
	SSL_CTX_free(ctx);
	return rc;
}

static bool is_ip_address(const char *name)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

int pttls_tls_set_peer_name(SSL *ssl, const char *name)
{
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);

	/* No wildcards and no fallback to the subject CN (RFC 6876 §3.4.2.1). */
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_WILDCARDS |
					X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
	if (is_ip_address(name))
		return X509_VERIFY_PARAM_set1_ip_asc(param, name) == 1 ? TS_OK : TS_E_INVALID;
	if (SSL_set_tlsext_host_name(ssl, name) != 1)
		return TS_E_INVALID;
	return X509_VERIFY_PARAM_set1_host(param, name, 0) == 1 ? TS_OK : TS_E_INVALID;
}

char *pttls_tls_peer_subject(SSL *ssl)
{
	X509 *peer = SSL_get1_peer_certificate(ssl);
	char *subject = NULL, *line;

	if (peer && SSL_get_verify_result(ssl) == X509_V_OK) {
		line = X509_NAME_oneline(X509_get_subject_name(peer), NULL, 0);
		if (line)
			subject = strdup(line);
		OPENSSL_free(line);
	}
	X509_free(peer);
	return subject;
}

int pttls_tls_set_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0 ? TS_OK : TS_E_IO;
}
