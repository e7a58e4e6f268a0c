/*
 * OpenSSL set-up for PT-TLS (RFC 6876 §3.4): TLS 1.2 or 1.3, the server
 * authenticated by its certificate, the client optionally by its own.
 */
#ifndef PTTLS_TLS_H
#define PTTLS_TLS_H

#include <stdbool.h>

#include <openssl/ssl.h>

#include "ts_error.h"

/* How the server treats client certificates. */
typedef enum pttls_client_cert {
	PTTLS_CLIENT_CERT_NONE,      /* do not ask for one */
	PTTLS_CLIENT_CERT_OPTIONAL,  /* ask; verify one if sent */
	PTTLS_CLIENT_CERT_REQUIRED,  /* ask; fail the handshake without a valid one */
} pttls_client_cert;

/*
 * Server context with its certificate chain (PEM) and key. ca (PEM file)
 * verifies client certificates; it is needed unless client_cert is NONE.
 */
TS_MUST_CHECK int pttls_tls_server_ctx(const char *cert, const char *key, const char *ca,
				       pttls_client_cert client_cert, SSL_CTX **out);

/*
 * Client context that verifies the server against the CA file ca (PEM);
 * cert and key (both or neither) are the client's own certificate.
 */
TS_MUST_CHECK int pttls_tls_client_ctx(const char *ca, const char *cert, const char *key, SSL_CTX **out);

/*
 * Sets the name the server certificate must carry: a DNS name matched
 * against subjectAltName DNS entries without wildcards and without the
 * subject CN (RFC 6876 §3.4.2.1), or an IP address matched against IP
 * entries. Also sends it as SNI when it is a DNS name.
 */
TS_MUST_CHECK int pttls_tls_set_peer_name(SSL *ssl, const char *name);

/* Logs and clears OpenSSL's error queue, one line per error, prefixed by what failed. */
void pttls_tls_log_errors(unsigned long conn_id, const char *what);

/* The first OpenSSL error as text into buf, for messages to the user. */
const char *pttls_tls_error_text(char *buf, size_t size);

/* The verified peer certificate's subject as a one-line string (malloc()ed), or NULL. */
char *pttls_tls_peer_subject(SSL *ssl);

/* Turns Nagle's algorithm off, so no message waits for a delayed ACK. */
TS_MUST_CHECK int pttls_tls_set_nodelay(int fd);

#endif
