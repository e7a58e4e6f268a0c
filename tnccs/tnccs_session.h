/*
 * One PB-TNC session (one TNC handshake) on one connection, independent of
 * the transport.
 *
 * The transport (PT-TLS in pttls.c, or a socketpair in tests) moves whole
 * PB-TNC batches: it hands every batch it receives to
 * tnccs_session_receive(), and sends every batch the session writes into
 * `out`. The session drives the PB-TNC state machine and the IMCs or IMVs of
 * its host.
 *
 * This header is the contract between the PB-TNC layer (pb_*.c, host.c) and
 * the transports; both sides build against it.
 */
#ifndef TNCCS_SESSION_H
#define TNCCS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

typedef struct tnccs_host tnccs_host_t;       /* loaded IMCs or IMVs, shared by sessions */
typedef struct tnccs_session tnccs_session_t;

/* What the transport knows about the connection, for IF-IMC/IF-IMV attributes. */
typedef struct tnccs_conn_info {
	unsigned long conn_id;          /* also the TNC_ConnectionID given to modules */
	const char *ift_protocol;       /* "IF-T for TLS" */
	const char *ift_version;        /* "2.0" */
	uint32_t max_message_size;      /* largest PB-TNC batch the transport carries */
	const char *peer_cert_subject;  /* TLS client certificate subject, or NULL */
	const char *sasl_identity;      /* authenticated SASL user name, or NULL */
} tnccs_conn_info;

/* The outcome of a finished session, as the client sees it in the RESULT batch. */
typedef struct tnccs_result {
	uint32_t access_recommendation;  /* PB-Access-Recommendation: 1 allowed, 2 denied, 3 quarantined; 0 none */
	uint32_t assessment_result;      /* PB-Assessment-Result: 0 compliant .. 4 don't know */
	char reason[4096];               /* the PB-Reason-Strings joined by "; ", escaped; may be empty */
} tnccs_result;

/* Creates a session for one connection; the host must outlive it. */
TS_MUST_CHECK int tnccs_session_create(tnccs_host_t *host, bool is_server,
				       const tnccs_conn_info *info, tnccs_session_t **out);
void tnccs_session_destroy(tnccs_session_t *session);

/*
 * Client: starts the handshake and writes the first CDATA batch into out.
 * Server: writes nothing (the client speaks first).
 */
TS_MUST_CHECK int tnccs_session_start(tnccs_session_t *session, writer_t *out);

/*
 * Processes one received batch. Writes the batch to send in reply into out,
 * or leaves out empty when there is nothing to send. A protocol violation
 * writes a PB-Error batch and returns TS_E_PROTOCOL; the transport sends out,
 * then ends the connection.
 */
TS_MUST_CHECK int tnccs_session_receive(tnccs_session_t *session, const uint8_t *batch, size_t len,
					writer_t *out);

/* True once the session reached the PB-TNC End state; the transport then closes. */
bool tnccs_session_finished(const tnccs_session_t *session);

/* The outcome; TS_E_STATE if no RESULT batch was exchanged. */
TS_MUST_CHECK int tnccs_session_get_result(const tnccs_session_t *session, tnccs_result *out);

#endif
