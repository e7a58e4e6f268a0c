#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "log.h"
#include "pttls_conn.h"

/* Longest SASL identity kept: a user name (255 octets) or a certificate subject, cut to fit. */
#define PTTLS_SASL_IDENTITY_MAX 512

/* The step a connection has reached inside its phase. */
typedef enum conn_state {
	ST_SERVER_WAIT_VERSION,     /* server: Version Request expected */
	ST_SERVER_WAIT_SELECTION,   /* server: SASL Mechanism Selection expected */
	ST_SERVER_WAIT_AUTH_DATA,   /* server: SASL Authentication Data expected */
	ST_CLIENT_WAIT_VERSION,     /* client: Version Response expected */
	ST_CLIENT_WAIT_MECHANISMS,  /* client: SASL Mechanisms expected */
	ST_CLIENT_WAIT_RESULT,      /* client: SASL Result or Authentication Data expected */
	ST_DATA,                    /* Data Transport */
	ST_CLOSED,
} conn_state;

typedef struct out_msg {
	struct out_msg *next;
	size_t len;
	uint8_t data[];
} out_msg;

struct pttls_conn {
	pttls_config cfg;
	bool is_server;
	unsigned long id;
	conn_state state;
	uint32_t next_msg_id;       /* Message Identifier of our next message */

	uint8_t *in;                /* received, unprocessed bytes */
	size_t in_len;
	size_t in_cap;
	size_t in_start;            /* first unprocessed byte; data before it was handed out */

	out_msg *out_head;
	out_msg *out_tail;
	size_t out_bytes;           /* octets queued, limited by out_limit() */

	char sasl_identity[PTTLS_SASL_IDENTITY_MAX];
	const char *sasl_mech;      /* the mechanism that succeeded, or NULL */
	bool sasl_done;
	char tls_peer[PTTLS_SASL_IDENTITY_MAX];  /* verified client certificate subject, or "" */
};

static pttls_parse_opts parse_opts(const pttls_conn_t *c)
{
	pttls_parse_opts o = {
		.max_length = c->cfg.max_message_size,
		.sasl_result_one_octet = false,
	};
	return o;
}

int pttls_conn_create(const pttls_config *cfg, bool is_server, unsigned long conn_id, pttls_conn_t **out)
{
	pttls_conn_t *c;

	if (cfg->max_message_size < PTTLS_HEADER_LEN)
		return TS_E_INVALID;
	c = calloc(1, sizeof(*c));
	if (!c)
		return TS_E_NOMEM;
	c->cfg = *cfg;
	c->is_server = is_server;
	c->id = conn_id;
	c->state = is_server ? ST_SERVER_WAIT_VERSION : ST_CLIENT_WAIT_VERSION;
	*out = c;
	return TS_OK;
}

void pttls_conn_destroy(pttls_conn_t *c)
{
	out_msg *m, *next;

	if (!c)
		return;
	for (m = c->out_head; m; m = next) {
		next = m->next;
		OPENSSL_cleanse(m->data, m->len);
		free(m);
	}
	if (c->in)
		OPENSSL_cleanse(c->in, c->in_len);
	free(c->in);
	free(c);
}

/*
 * Most octets the output queue may hold: two maximum messages plus room for
 * small ones. A peer that sends without reading (e.g. a flood of unknown
 * types, each drawing an error) hits it and is disconnected.
 */
static size_t out_limit(const pttls_conn_t *c)
{
	return 2 * (size_t)c->cfg.max_message_size + 65536;
}

/* Moves a built message from w to the output queue and counts its identifier. */
static int enqueue(pttls_conn_t *c, writer_t *w)
{
	out_msg *m;
	int rc = writer_status(w);

	if (rc != TS_OK)
		goto out;
	if (writer_len(w) > out_limit(c) - c->out_bytes) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id,
			 "output queue full (%zu octets): the peer does not read", c->out_bytes);
		rc = TS_E_TOO_LARGE;
		goto out;
	}
	m = malloc(sizeof(*m) + writer_len(w));
	if (!m) {
		rc = TS_E_NOMEM;
		goto out;
	}
	m->next = NULL;
	m->len = writer_len(w);
	memcpy(m->data, writer_data(w), m->len);
	c->out_bytes += m->len;
	if (c->out_tail)
		c->out_tail->next = m;
	else
		c->out_head = m;
	c->out_tail = m;
	if (log_enabled(LOG_SUBSYS_TLS, LOG_LEVEL_DEBUG)) {
		uint32_t type = (uint32_t)m->data[4] << 24 | (uint32_t)m->data[5] << 16 |
				(uint32_t)m->data[6] << 8 | m->data[7];

		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_DEBUG, c->id, "sending %s (id %u, %zu octets)",
			 pttls_msg_type_name(0, type), c->next_msg_id, m->len);
	}
	log_hexdump(LOG_SUBSYS_TLS, "PT-TLS message sent", m->data, m->len);
	c->next_msg_id++;  /* wraps to 0 after 2^32 - 1 */
out:
	if (w->data)
		OPENSSL_cleanse(w->data, w->cap);
	writer_free(w);
	return rc;
}

const uint8_t *pttls_conn_out_peek(const pttls_conn_t *c, size_t *len)
{
	if (!c->out_head)
		return NULL;
	*len = c->out_head->len;
	return c->out_head->data;
}

void pttls_conn_out_pop(pttls_conn_t *c)
{
	out_msg *m = c->out_head;

	if (!m)
		return;
	c->out_head = m->next;
	if (!c->out_head)
		c->out_tail = NULL;
	c->out_bytes -= m->len;
	OPENSSL_cleanse(m->data, m->len);
	free(m);
}

bool pttls_conn_out_empty(const pttls_conn_t *c)
{
	return c->out_head == NULL;
}

pttls_phase pttls_conn_get_phase(const pttls_conn_t *c)
{
	switch (c->state) {
	case ST_SERVER_WAIT_VERSION:
	case ST_CLIENT_WAIT_VERSION:
		return PTTLS_PHASE_VERSION;
	case ST_SERVER_WAIT_SELECTION:
	case ST_SERVER_WAIT_AUTH_DATA:
	case ST_CLIENT_WAIT_MECHANISMS:
	case ST_CLIENT_WAIT_RESULT:
		return PTTLS_PHASE_SASL;
	case ST_DATA:
		return PTTLS_PHASE_DATA;
	case ST_CLOSED:
		break;
	}
	return PTTLS_PHASE_CLOSED;
}

const char *pttls_conn_get_sasl_identity(const pttls_conn_t *c)
{
	return c->sasl_done && c->sasl_identity[0] ? c->sasl_identity : NULL;
}

size_t pttls_conn_buffered(const pttls_conn_t *c)
{
	return c->in_len - c->in_start;
}

size_t pttls_conn_input_capacity(const pttls_conn_t *c)
{
	return c->in_cap;
}

void pttls_conn_set_tls_peer(pttls_conn_t *c, const char *subject)
{
	snprintf(c->tls_peer, sizeof(c->tls_peer), "%s", subject ? subject : "");
}

int pttls_conn_start(pttls_conn_t *c)
{
	writer_t w;

	if (c->is_server)
		return TS_OK;
	/* Versions 1..1, preferring 1: the only PT-TLS version there is. */
	writer_init(&w, c->cfg.max_message_size);
	if (pttls_msg_build_version_request(&w, c->next_msg_id, PTTLS_VERSION, PTTLS_VERSION,
					    PTTLS_VERSION) != TS_OK) {
		writer_free(&w);
		return TS_E_NOMEM;
	}
	return enqueue(c, &w);
}

/* Wipes and frees the processed input buffer, because SASL messages may have carried a password. */
static void release_input(pttls_conn_t *c)
{
	if (c->in)
		OPENSSL_cleanse(c->in, c->in_len);
	free(c->in);
	c->in = NULL;
	c->in_cap = 0;
	c->in_len = 0;
	c->in_start = 0;
}

/*
 * Drops the processed bytes at the front of the buffer. Only pttls_conn_feed
 * calls it, once per call, so many small messages in one read cost one move.
 */
static void compact(pttls_conn_t *c)
{
	if (c->in_start == 0)
		return;
	memmove(c->in, c->in + c->in_start, c->in_len - c->in_start);
	c->in_len -= c->in_start;
	c->in_start = 0;
}

int pttls_conn_feed(pttls_conn_t *c, const uint8_t *data, size_t len)
{
	size_t limit = (size_t)c->cfg.max_message_size + PTTLS_HEADER_LEN;
	size_t need;

	compact(c);
	if (len > limit - c->in_len)
		return TS_E_TOO_LARGE;
	need = c->in_len + len;
	if (need > c->in_cap) {
		size_t cap = c->in_cap ? c->in_cap : 4096;
		uint8_t *p;

		while (cap < need)
			cap *= 2;
		if (cap > limit)
			cap = limit;
		p = realloc(c->in, cap);
		if (!p)
			return TS_E_NOMEM;
		c->in = p;
		c->in_cap = cap;
	}
	if (len > 0)
		memcpy(c->in + c->in_len, data, len);
	c->in_len += len;
	return TS_OK;
}

/* Queues a PT-TLS Error that quotes the offending message. */
static int queue_error(pttls_conn_t *c, uint32_t code, const uint8_t *orig, size_t orig_len)
{
	writer_t w;

	writer_init(&w, c->cfg.max_message_size);
	if (pttls_msg_build_error(&w, c->next_msg_id, code, orig, orig_len) != TS_OK) {
		writer_free(&w);
		return TS_E_NOMEM;
	}
	return enqueue(c, &w);
}

int pttls_conn_send_error(pttls_conn_t *c, uint32_t code)
{
	return queue_error(c, code, NULL, 0);
}

/* Sends a fatal PT-TLS Error and turns the event into a close. */
static int fatal(pttls_conn_t *c, pttls_event *ev, uint32_t code, const uint8_t *orig, size_t orig_len,
		 int error)
{
	int rc = queue_error(c, code, orig, orig_len);

	c->state = ST_CLOSED;
	ev->type = PTTLS_EV_CLOSE;
	ev->error = error;
	ev->pttls_error = code;
	ev->error_received = false;
	return rc;
}

int pttls_conn_send_batch(pttls_conn_t *c, const uint8_t *batch, size_t len)
{
	writer_t w;

	if (c->state != ST_DATA)
		return TS_E_STATE;
	if (len > c->cfg.max_message_size - PTTLS_HEADER_LEN)
		return TS_E_TOO_LARGE;
	writer_init(&w, c->cfg.max_message_size);
	if (pttls_msg_build_batch(&w, c->next_msg_id, batch, len) != TS_OK) {
		int rc = writer_status(&w);

		writer_free(&w);
		return rc;
	}
	return enqueue(c, &w);
}

/*
 * Server: the mechanisms to offer (EXTERNAL only with a verified client
 * certificate), or none once authenticated or without a user file.
 */
static int server_send_mechanisms(pttls_conn_t *c)
{
	static const char *const with_external[] = { PTTLS_SASL_EXTERNAL, PTTLS_SASL_PLAIN };
	static const char *const plain_only[] = { PTTLS_SASL_PLAIN };
	bool offer = c->cfg.users && !c->sasl_done;
	bool external = c->tls_peer[0] != '\0';
	writer_t w;

	writer_init(&w, c->cfg.max_message_size);
	if (pttls_msg_build_sasl_mechanisms(&w, c->next_msg_id, external ? with_external : plain_only,
					    offer ? (external ? 2 : 1) : 0) != TS_OK) {
		writer_free(&w);
		return TS_E_NOMEM;
	}
	return enqueue(c, &w);
}

static int server_send_result(pttls_conn_t *c, uint16_t code)
{
	writer_t w;

	writer_init(&w, c->cfg.max_message_size);
	if (pttls_msg_build_sasl_result(&w, c->next_msg_id, code, NULL, 0, c->cfg.sasl_result_one_octet) != TS_OK) {
		writer_free(&w);
		return TS_E_NOMEM;
	}
	return enqueue(c, &w);
}

static int handle_version_request(pttls_conn_t *c, const pttls_msg *m, const uint8_t *raw, pttls_event *ev)
{
	const uint8_t min_version = m->u.version_request.min_version;
	const uint8_t max_version = m->u.version_request.max_version;
	writer_t w;
	int rc;

	if (min_version > PTTLS_VERSION || max_version < PTTLS_VERSION || min_version > max_version) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id,
			 "client offers PT-TLS versions %u..%u, but only version %u is supported",
			 min_version, max_version, PTTLS_VERSION);
		return fatal(c, ev, PTTLS_ERR_VERSION_NOT_SUPPORTED, raw, m->hdr.length, TS_E_PROTOCOL);
	}
	writer_init(&w, c->cfg.max_message_size);
	if (pttls_msg_build_version_response(&w, c->next_msg_id, PTTLS_VERSION) != TS_OK) {
		writer_free(&w);
		return TS_E_NOMEM;
	}
	rc = enqueue(c, &w);
	if (rc != TS_OK)
		return rc;
	rc = server_send_mechanisms(c);
	if (rc != TS_OK)
		return rc;
	if (c->cfg.users) {
		c->state = ST_SERVER_WAIT_SELECTION;
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "PT-TLS version %u agreed, SASL PLAIN required",
			 PTTLS_VERSION);
		return TS_OK;
	}
	c->state = ST_DATA;
	ev->type = PTTLS_EV_READY;
	log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "PT-TLS version %u agreed, no SASL", PTTLS_VERSION);
	return TS_OK;
}

/* Server: checks PLAIN credentials and ends the SASL phase either way. */
static int server_check_plain(pttls_conn_t *c, const uint8_t *data, size_t len, const uint8_t *raw,
			      size_t raw_len, pttls_event *ev)
{
	char user[PTTLS_SASL_PLAIN_FIELD_MAX * 4 + 1];
	pttls_sasl_plain p;
	int rc;

	if (pttls_sasl_plain_parse(data, len, &p) != TS_OK) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "malformed SASL PLAIN message (%zu octets)", len);
		return fatal(c, ev, PTTLS_ERR_SASL_MECHANISM_ERROR, raw, raw_len, TS_E_PROTOCOL);
	}
	log_escape(user, sizeof(user), p.authcid, p.authcid_len);
	if (p.authzid_len > 0 || !pttls_userdb_verify(c->cfg.users, p.authcid, p.authcid_len, p.passwd,
							p.passwd_len)) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "SASL PLAIN authentication of user '%s' failed%s",
			 user, p.authzid_len > 0 ? " (an authorization identity is not allowed)" : "");
		rc = server_send_result(c, PTTLS_SASL_FAILURE);
		c->state = ST_CLOSED;
		ev->type = PTTLS_EV_CLOSE;
		ev->error = TS_E_VERIFY;
		return rc;
	}
	memcpy(c->sasl_identity, p.authcid, p.authcid_len);
	c->sasl_identity[p.authcid_len] = '\0';
	c->sasl_mech = PTTLS_SASL_PLAIN;
	c->sasl_done = true;
	log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "SASL PLAIN authenticated user '%s'", user);

	rc = server_send_result(c, PTTLS_SASL_SUCCESS);
	if (rc == TS_OK)
		rc = server_send_mechanisms(c);
	if (rc != TS_OK)
		return rc;
	c->state = ST_DATA;
	ev->type = PTTLS_EV_READY;
	return TS_OK;
}

/*
 * Server: EXTERNAL (RFC 4422 appendix A) takes the identity from the verified
 * TLS client certificate. An initial response would be an authorization
 * identity, which PT-TLS does not allow.
 */
static int server_check_external(pttls_conn_t *c, const pttls_msg *m, pttls_event *ev)
{
	int rc;

	if (m->u.sasl_selection.initial_len > 0) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id,
			 "SASL EXTERNAL with an authorization identity (%zu octets) is not allowed",
			 m->u.sasl_selection.initial_len);
		rc = server_send_result(c, PTTLS_SASL_FAILURE);
		c->state = ST_CLOSED;
		ev->type = PTTLS_EV_CLOSE;
		ev->error = TS_E_VERIFY;
		return rc;
	}
	snprintf(c->sasl_identity, sizeof(c->sasl_identity), "%s", c->tls_peer);
	c->sasl_mech = PTTLS_SASL_EXTERNAL;
	c->sasl_done = true;
	log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "SASL EXTERNAL authenticated '%s'", c->sasl_identity);

	rc = server_send_result(c, PTTLS_SASL_SUCCESS);
	if (rc == TS_OK)
		rc = server_send_mechanisms(c);
	if (rc != TS_OK)
		return rc;
	c->state = ST_DATA;
	ev->type = PTTLS_EV_READY;
	return TS_OK;
}

static int handle_selection(pttls_conn_t *c, const pttls_msg *m, const uint8_t *raw, pttls_event *ev)
{
	writer_t w;
	int rc;

	if (strcmp(m->u.sasl_selection.mech.name, PTTLS_SASL_EXTERNAL) == 0 && c->tls_peer[0])
		return server_check_external(c, m, ev);
	if (strcmp(m->u.sasl_selection.mech.name, PTTLS_SASL_PLAIN) != 0) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "client selected SASL mechanism %s, not offered",
			 m->u.sasl_selection.mech.name);
		return fatal(c, ev, PTTLS_ERR_SASL_MECHANISM_ERROR, raw, m->hdr.length, TS_E_PROTOCOL);
	}
	if (m->u.sasl_selection.initial_len > 0)
		return server_check_plain(c, m->u.sasl_selection.initial, m->u.sasl_selection.initial_len, raw,
					  m->hdr.length, ev);

	/* No initial response: ask for the credentials with an empty challenge (RFC 4422 §5). */
	writer_init(&w, c->cfg.max_message_size);
	if (pttls_msg_build_sasl_auth_data(&w, c->next_msg_id, NULL, 0) != TS_OK) {
		writer_free(&w);
		return TS_E_NOMEM;
	}
	rc = enqueue(c, &w);
	c->state = ST_SERVER_WAIT_AUTH_DATA;
	return rc;
}

/* Client: selects EXTERNAL without an initial response. */
static int client_select_external(pttls_conn_t *c)
{
	writer_t w;

	writer_init(&w, c->cfg.max_message_size);
	if (pttls_msg_build_sasl_selection(&w, c->next_msg_id, PTTLS_SASL_EXTERNAL, NULL, 0) != TS_OK) {
		writer_free(&w);
		return TS_E_NOMEM;
	}
	c->sasl_mech = PTTLS_SASL_EXTERNAL;
	c->state = ST_CLIENT_WAIT_RESULT;
	return enqueue(c, &w);
}

/*
 * Client: picks EXTERNAL when offered and a client certificate is in use,
 * else PLAIN when offered and configured, else fails with SASL Mechanism Error.
 */
static int handle_mechanisms(pttls_conn_t *c, const pttls_msg *m, const uint8_t *raw, pttls_event *ev)
{
	bool plain_offered = false, external_offered = false;
	writer_t w, plain;
	int rc;

	if (m->u.sasl_mechanisms.count == 0) {
		c->state = ST_DATA;
		ev->type = PTTLS_EV_READY;
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "PT-TLS negotiation finished%s%s",
			 c->sasl_done ? " after SASL " : ", no SASL", c->sasl_done ? c->sasl_mech : "");
		return TS_OK;
	}
	for (size_t i = 0; i < m->u.sasl_mechanisms.count; i++) {
		if (strcmp(m->u.sasl_mechanisms.mechs[i].name, PTTLS_SASL_PLAIN) == 0)
			plain_offered = true;
		if (strcmp(m->u.sasl_mechanisms.mechs[i].name, PTTLS_SASL_EXTERNAL) == 0)
			external_offered = true;
	}
	if (!c->sasl_done && external_offered && c->cfg.client_cert)
		return client_select_external(c);
	if (!plain_offered || !c->cfg.sasl_user || !c->cfg.sasl_password || c->sasl_done) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id,
			 "server requires SASL (first mechanism %s), but %s", m->u.sasl_mechanisms.mechs[0].name,
			 c->sasl_done ? "SASL already succeeded" :
			 !plain_offered ? "no offered mechanism is usable" :
			 "no SASL user and password are configured");
		return fatal(c, ev, PTTLS_ERR_SASL_MECHANISM_ERROR, raw, m->hdr.length, TS_E_VERIFY);
	}

	writer_init(&plain, PTTLS_SASL_PLAIN_FIELD_MAX * 2 + 2);
	rc = pttls_sasl_plain_build(&plain, c->cfg.sasl_user, c->cfg.sasl_password);
	if (rc != TS_OK) {
		writer_free(&plain);
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "SASL user or password is empty or too long");
		return fatal(c, ev, PTTLS_ERR_SASL_MECHANISM_ERROR, raw, m->hdr.length, TS_E_CONFIG);
	}
	writer_init(&w, c->cfg.max_message_size);
	rc = pttls_msg_build_sasl_selection(&w, c->next_msg_id, PTTLS_SASL_PLAIN, writer_data(&plain),
					    writer_len(&plain));
	OPENSSL_cleanse(plain.data, plain.cap);
	writer_free(&plain);
	if (rc != TS_OK) {
		writer_free(&w);
		return rc;
	}
	c->sasl_mech = PTTLS_SASL_PLAIN;
	c->state = ST_CLIENT_WAIT_RESULT;
	return enqueue(c, &w);
}

/* Client: answers the server's challenge: PLAIN credentials, or empty data for EXTERNAL. */
static int client_send_credentials(pttls_conn_t *c)
{
	writer_t w, plain;
	int rc = TS_OK;

	writer_init(&plain, PTTLS_SASL_PLAIN_FIELD_MAX * 2 + 2);
	if (c->sasl_mech && strcmp(c->sasl_mech, PTTLS_SASL_PLAIN) == 0)
		rc = pttls_sasl_plain_build(&plain, c->cfg.sasl_user, c->cfg.sasl_password);
	writer_init(&w, c->cfg.max_message_size);
	if (rc == TS_OK)
		rc = pttls_msg_build_sasl_auth_data(&w, c->next_msg_id, writer_data(&plain), writer_len(&plain));
	if (plain.data)
		OPENSSL_cleanse(plain.data, plain.cap);
	writer_free(&plain);
	if (rc != TS_OK) {
		writer_free(&w);
		return rc;
	}
	return enqueue(c, &w);
}

static int handle_result(pttls_conn_t *c, const pttls_msg *m, pttls_event *ev)
{
	static const char *const names[] = { "success", "failure", "abort", "mechanism failure" };
	uint16_t code = m->u.sasl_result.code;

	if (code == PTTLS_SASL_SUCCESS) {
		c->sasl_done = true;
		c->state = ST_CLIENT_WAIT_MECHANISMS;
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "SASL %s succeeded", c->sasl_mech);
		return TS_OK;
	}
	log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "SASL authentication failed: server sent SASL Result %s",
		 names[code]);
	c->state = ST_CLOSED;
	ev->type = PTTLS_EV_CLOSE;
	ev->error = TS_E_VERIFY;
	return TS_OK;
}

/* Handles a PT-TLS Error from the peer; only Type Not Supported and Reserved are not fatal. */
static int handle_error(pttls_conn_t *c, const pttls_msg *m, pttls_event *ev)
{
	uint32_t vendor = m->u.error.vendor, code = m->u.error.code;

	if (vendor == PTTLS_VENDOR_IETF && (code == PTTLS_ERR_TYPE_NOT_SUPPORTED || code == PTTLS_ERR_RESERVED)) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id, "peer sent PT-TLS Error %s; continuing",
			 pttls_error_code_name(vendor, code));
		return TS_OK;
	}
	log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "peer sent PT-TLS Error %s (vendor %u, code %u)",
		 pttls_error_code_name(vendor, code), vendor, code);
	c->state = ST_CLOSED;
	ev->type = PTTLS_EV_CLOSE;
	ev->error = TS_E_PROTOCOL;
	ev->pttls_error = code;
	ev->error_received = true;
	return TS_OK;
}

/* Dispatches one well-formed message of a known type by state. */
static int handle(pttls_conn_t *c, const pttls_msg *m, const uint8_t *raw, pttls_event *ev)
{
	uint32_t type = m->hdr.type;

	if (type == PTTLS_MSG_ERROR)
		return handle_error(c, m, ev);

	switch (c->state) {
	case ST_SERVER_WAIT_VERSION:
		if (type == PTTLS_MSG_VERSION_REQUEST)
			return handle_version_request(c, m, raw, ev);
		break;
	case ST_SERVER_WAIT_SELECTION:
		if (type == PTTLS_MSG_SASL_MECHANISM_SELECTION)
			return handle_selection(c, m, raw, ev);
		break;
	case ST_SERVER_WAIT_AUTH_DATA:
		if (type == PTTLS_MSG_SASL_AUTH_DATA)
			return server_check_plain(c, m->u.value.data, m->u.value.len, raw, m->hdr.length, ev);
		break;
	case ST_CLIENT_WAIT_VERSION:
		if (type != PTTLS_MSG_VERSION_RESPONSE)
			break;
		if (m->u.version_response.version != PTTLS_VERSION) {
			log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id,
				 "server chose PT-TLS version %u, which was not offered",
				 m->u.version_response.version);
			return fatal(c, ev, PTTLS_ERR_VERSION_NOT_SUPPORTED, raw, m->hdr.length, TS_E_PROTOCOL);
		}
		c->state = ST_CLIENT_WAIT_MECHANISMS;
		return TS_OK;
	case ST_CLIENT_WAIT_MECHANISMS:
		if (type == PTTLS_MSG_SASL_MECHANISMS)
			return handle_mechanisms(c, m, raw, ev);
		break;
	case ST_CLIENT_WAIT_RESULT:
		if (type == PTTLS_MSG_SASL_RESULT)
			return handle_result(c, m, ev);
		if (type == PTTLS_MSG_SASL_AUTH_DATA)
			return client_send_credentials(c);
		break;
	case ST_DATA:
		if (type == PTTLS_MSG_PB_TNC_BATCH) {
			ev->type = PTTLS_EV_BATCH;
			ev->data = m->u.value.data;
			ev->len = m->u.value.len;
			return TS_OK;
		}
		break;
	case ST_CLOSED:
		return TS_OK;
	}

	/* A known type that is not valid now, including a second Version Request and Experimental. */
	log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "unexpected %s (id %u) in the %s phase",
		 pttls_msg_type_name(m->hdr.vendor, type), m->hdr.msg_id,
		 pttls_conn_get_phase(c) == PTTLS_PHASE_VERSION ? "version negotiation" :
		 pttls_conn_get_phase(c) == PTTLS_PHASE_SASL ? "SASL" : "data transport");
	return fatal(c, ev, PTTLS_ERR_INVALID_MESSAGE, raw, m->hdr.length, TS_E_PROTOCOL);
}

/* Processes one complete buffered message, if there is one. */
static int next_message(pttls_conn_t *c, pttls_event *ev, bool *progress)
{
	pttls_parse_opts opts = parse_opts(c);
	pttls_header hdr;
	pttls_fault fault;
	const uint8_t *raw;
	size_t avail;
	pttls_msg m;
	int rc;

	*progress = false;
	if (c->state == ST_CLOSED)
		return TS_OK;
	avail = c->in_len - c->in_start;
	if (avail < PTTLS_HEADER_LEN)
		return TS_OK;
	raw = c->in + c->in_start;

	/* The header alone decides whether the message may be buffered at all. */
	rc = pttls_msg_parse_header(raw, avail, &opts, &hdr, &fault);
	if (rc == TS_OK && hdr.length > avail)
		return TS_OK;
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id, "invalid PT-TLS header: %s %u at offset %zu (%s)",
			 fault.field, fault.value, fault.offset, ts_strerror(rc));
		rc = fatal(c, ev, fault.code, raw, PTTLS_HEADER_LEN, TS_E_PROTOCOL);
		c->in_start = c->in_len;
		*progress = true;
		return rc;
	}
	c->in_start += hdr.length;
	*progress = true;
	log_hexdump(LOG_SUBSYS_TLS, "PT-TLS message received", raw, hdr.length);

	rc = pttls_msg_parse(raw, hdr.length, &opts, &m, &fault);
	if (rc == TS_E_UNSUPPORTED) {
		/* Type Not Supported is not fatal: the message is skipped. */
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_INFO, c->id,
			 "skipping PT-TLS message of vendor %u type %u (id %u): type not supported",
			 hdr.vendor, hdr.type, hdr.msg_id);
		rc = queue_error(c, PTTLS_ERR_TYPE_NOT_SUPPORTED, raw, hdr.length);
		if (rc == TS_E_TOO_LARGE) {
			c->state = ST_CLOSED;
			ev->type = PTTLS_EV_CLOSE;
			ev->error = rc;
			return TS_OK;
		}
		return rc;
	}
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_ERROR, c->id,
			 "malformed %s message (id %u): %s %u at offset %zu (%s)",
			 pttls_msg_type_name(hdr.vendor, hdr.type), hdr.msg_id, fault.field, fault.value,
			 fault.offset, ts_strerror(rc));
		/* A PT-TLS Error is never sent in reply to a PT-TLS Error (RFC 6876 §3.9). */
		if (hdr.vendor == PTTLS_VENDOR_IETF && hdr.type == PTTLS_MSG_ERROR) {
			c->state = ST_CLOSED;
			ev->type = PTTLS_EV_CLOSE;
			ev->error = TS_E_PROTOCOL;
			return TS_OK;
		}
		return fatal(c, ev, fault.code, raw, hdr.length, TS_E_PROTOCOL);
	}
	log_conn(LOG_SUBSYS_TLS, LOG_LEVEL_DEBUG, c->id, "received %s (id %u, %u octets)",
		 pttls_msg_type_name(hdr.vendor, hdr.type), hdr.msg_id, hdr.length);
	return handle(c, &m, raw, ev);
}

int pttls_conn_next(pttls_conn_t *c, pttls_event *ev)
{
	bool progress = true;
	int rc = TS_OK;

	memset(ev, 0, sizeof(*ev));
	ev->type = PTTLS_EV_NONE;
	/* Messages that produce no event (a Version Response, a skipped type) do not stop the loop. */
	while (progress && rc == TS_OK && ev->type == PTTLS_EV_NONE)
		rc = next_message(c, ev, &progress);

	/*
	 * Waiting with nothing buffered: no event data points into the buffer
	 * any more, so a connection between batches keeps no input memory.
	 */
	if (ev->type == PTTLS_EV_NONE && c->in_start == c->in_len)
		release_input(c);
	return rc;
}
