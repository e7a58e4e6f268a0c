/*
 * The PT-TLS protocol of one connection (RFC 6876 §3.4-§3.9), without I/O.
 *
 * The caller moves bytes: it feeds what it reads from TLS into
 * pttls_conn_feed(), calls pttls_conn_next() until it returns
 * PTTLS_EV_NONE, and writes every queued output message with one SSL_write
 * each (pttls_conn_out_peek / pttls_conn_out_pop). The state machine runs
 * version negotiation and the SASL exchange, and hands each PB-TNC batch of
 * the Data Transport phase to the caller. Every violation queues a PT-TLS
 * Error with its code and the first 1024 octets of the offending message.
 *
 * SASL: a server with a user file requires SASL. It offers PLAIN, and
 * EXTERNAL first when the client's TLS certificate was verified
 * (pttls_conn_set_tls_peer); EXTERNAL then authenticates the client as its
 * certificate subject. Authorization identities are rejected (RFC 6876
 * §3.8.2). A client prefers EXTERNAL when it has a certificate, else PLAIN.
 */
#ifndef PTTLS_CONN_H
#define PTTLS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pttls_msg.h"
#include "pttls_sasl.h"
#include "ts_error.h"

typedef struct pttls_conn pttls_conn_t;

/* Settings shared by the connections of one program. */
typedef struct pttls_config {
	uint32_t max_message_size;    /* largest PT-TLS message, header included */
	bool sasl_result_one_octet;   /* send a 1-octet SASL Result code (strongSwan) */
	/* Server: require SASL PLAIN against users; without users, no SASL. */
	const pttls_userdb *users;
	/* Client: credentials for PLAIN, or NULL to accept only "no SASL". */
	const char *sasl_user;
	const char *sasl_password;
	/* Client: it presents a TLS certificate, so it may select EXTERNAL. */
	bool client_cert;
} pttls_config;

typedef enum pttls_event_type {
	PTTLS_EV_NONE,     /* no complete message buffered */
	PTTLS_EV_READY,    /* negotiation finished: Data Transport begins */
	PTTLS_EV_BATCH,    /* a PB-TNC batch arrived: ev->data, ev->len */
	PTTLS_EV_CLOSE,    /* the connection must end once the output is written */
} pttls_event_type;

typedef struct pttls_event {
	pttls_event_type type;
	const uint8_t *data;  /* valid until the next call of pttls_conn_next or _feed */
	size_t len;
	int error;            /* PTTLS_EV_CLOSE: TS_OK, or why the connection failed */
	uint32_t pttls_error; /* the PT-TLS Error code sent or received, if any */
	bool error_received;  /* the peer sent the PT-TLS Error */
} pttls_event;

/* The phase a connection is in, for tests and log lines. */
typedef enum pttls_phase {
	PTTLS_PHASE_VERSION,     /* waiting for Version Request or Response */
	PTTLS_PHASE_SASL,        /* SASL Mechanisms and their exchange */
	PTTLS_PHASE_DATA,        /* Data Transport */
	PTTLS_PHASE_CLOSED,
} pttls_phase;

TS_MUST_CHECK int pttls_conn_create(const pttls_config *cfg, bool is_server, unsigned long conn_id,
				    pttls_conn_t **out);
void pttls_conn_destroy(pttls_conn_t *conn);

/* Server: records the verified TLS client certificate subject; call before any input. */
void pttls_conn_set_tls_peer(pttls_conn_t *conn, const char *subject);

/* Client: queues the Version Request. Server: does nothing. */
TS_MUST_CHECK int pttls_conn_start(pttls_conn_t *conn);

/*
 * Appends received bytes. Returns TS_E_TOO_LARGE if more than one maximum
 * message plus one header would be buffered (the caller reads less while a
 * batch is being processed).
 */
TS_MUST_CHECK int pttls_conn_feed(pttls_conn_t *conn, const uint8_t *data, size_t len);

/* Processes the next complete buffered message; see pttls_event_type. */
TS_MUST_CHECK int pttls_conn_next(pttls_conn_t *conn, pttls_event *ev);

/* Queues one PB-TNC batch (Data Transport phase only). */
TS_MUST_CHECK int pttls_conn_send_batch(pttls_conn_t *conn, const uint8_t *batch, size_t len);

/* Queues a PT-TLS Error of the given code, e.g. when the peer timed out. */
TS_MUST_CHECK int pttls_conn_send_error(pttls_conn_t *conn, uint32_t code);

/* Output queue: the oldest message not yet written, or NULL. */
const uint8_t *pttls_conn_out_peek(const pttls_conn_t *conn, size_t *len);
void pttls_conn_out_pop(pttls_conn_t *conn);
bool pttls_conn_out_empty(const pttls_conn_t *conn);

pttls_phase pttls_conn_get_phase(const pttls_conn_t *conn);
/* Server: the SASL identity the client authenticated as (user name or certificate subject), or NULL. */
const char *pttls_conn_get_sasl_identity(const pttls_conn_t *conn);
/* Octets buffered but not yet processed. */
size_t pttls_conn_buffered(const pttls_conn_t *conn);
/*
 * Octets allocated for input. pttls_conn_next() frees the buffer when it
 * returns PTTLS_EV_NONE with nothing buffered, so this is 0 while the
 * connection waits between messages.
 */
size_t pttls_conn_input_capacity(const pttls_conn_t *conn);

#endif
