/*
 * One PB-TNC session (RFC 5793) on top of the IMC/IMV host: the contract of
 * tnccs_session.h.
 *
 * Client: start() notifies the IMCs of CREATE and HANDSHAKE, calls BeginHandshake
 * and sends CDATA with PB-Language-Preference and the IMC messages. Each
 * SDATA is delivered to the IMCs, BatchEnding follows, and their replies go
 * into the next CDATA. RESULT is reported to the IMCs as ACCESS_*; then the
 * client sends CRETRY if an IMC requested a retry, else CLOSE.
 *
 * Server: each CDATA (or CRETRY) is delivered to the IMVs, BatchEnding
 * follows. The server sends RESULT once every IMV has provided a
 * recommendation; if the IMVs sent nothing, or the round trip limit is
 * reached, it first solicits the missing recommendations. Otherwise it
 * sends SDATA with the IMV messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "log.h"
#include "pb_batch.h"
#include "pb_lang.h"
#include "pb_msg.h"
#include "pb_state.h"
#include "tnccs_session.h"

/* Octets a RESULT batch needs besides PA messages: Assessment-Result and Access-Recommendation. */
#define RESULT_FIXED_SIZE (2 * (PB_MSG_HEADER_LEN + 4))
/* PB-Reason-String: header, text length, language length, then text and language. */
#define REASON_FIXED_SIZE (PB_MSG_HEADER_LEN + 4 + 1)
/* PB-Remediation-Parameters: header, vendor and type, URI. */
#define REMEDIATION_FIXED_SIZE (PB_MSG_HEADER_LEN + 8)

struct tnccs_session {
	tnccs_host_t *host;
	host_conn_t *conn;
	unsigned long conn_id;
	bool is_server;
	pb_role role;
	pb_state state;
	pb_limits limits;
	writer_t batch;            /* the batch being built, reused */
	uint8_t language[320];     /* client: the PB-Language-Preference value */
	size_t language_len;

	bool created;              /* the modules saw CREATE */
	bool in_handshake;         /* the modules saw HANDSHAKE for the current exchange */
	uint32_t round_trips;      /* CDATA (server) or SDATA (client) batches of this handshake */

	bool have_result;
	tnccs_result *result;      /* allocated for the first RESULT batch, so a waiting session stays small */
};

int tnccs_session_create(tnccs_host_t *host, bool is_server, const tnccs_conn_info *info,
			 tnccs_session_t **out)
{
	tnccs_session_t *s;
	int rc;

	if (!host || !info || !out || host_is_server(host) != is_server)
		return TS_E_INVALID;
	s = calloc(1, sizeof(*s));
	if (!s)
		return TS_E_NOMEM;
	s->host = host;
	s->conn_id = info->conn_id;
	s->is_server = is_server;
	s->role = is_server ? PB_ROLE_SERVER : PB_ROLE_CLIENT;
	pb_state_init(&s->state, s->role);

	rc = host_conn_create(host, info, &s->conn);
	if (rc != TS_OK)
		goto fail;
	pb_limits_default(&s->limits);
	s->limits.max_batch_size = host_conn_max_batch_size(s->conn);
	writer_init(&s->batch, s->limits.max_batch_size);

	if (!is_server) {
		/* The configured tags as an Accept-Language header, e.g. "Accept-Language: en". */
		pb_lang_pref pref;
		writer_t w;

		writer_init(&w, sizeof(s->language));
		rc = pb_lang_from_list(host_get_options(host)->language, &pref);
		if (rc == TS_OK)
			rc = pb_lang_build(&pref, &w);
		if (rc == TS_OK)
			rc = writer_status(&w);
		if (rc != TS_OK) {
			log_error(LOG_SUBSYS_TNC, "the language list \"%s\" is invalid (%s)",
				  host_get_options(host)->language, ts_strerror(rc));
			writer_free(&w);
			rc = TS_E_CONFIG;
			goto fail;
		}
		memcpy(s->language, writer_data(&w), writer_len(&w));
		s->language_len = writer_len(&w);
		writer_free(&w);
	}
	*out = s;
	return TS_OK;
fail:
	tnccs_session_destroy(s);
	return rc;
}

void tnccs_session_destroy(tnccs_session_t *s)
{
	if (!s)
		return;
	host_conn_destroy(s->conn);
	writer_free(&s->batch);
	free(s->result);
	free(s);
}

bool tnccs_session_finished(const tnccs_session_t *s)
{
	return pb_state_is_end(&s->state);
}

int tnccs_session_get_result(const tnccs_session_t *s, tnccs_result *out)
{
	if (!s->have_result)
		return TS_E_STATE;
	*out = *s->result;
	return TS_OK;
}

/* Allocates the result record on first use. */
static int alloc_result(tnccs_session_t *s)
{
	if (!s->result)
		s->result = calloc(1, sizeof(*s->result));
	return s->result ? TS_OK : TS_E_NOMEM;
}

/* The largest batch that can go into out: the session's limit or the room left in out. */
static size_t batch_limit(const tnccs_session_t *s, const writer_t *out)
{
	size_t max = s->limits.max_batch_size;
	size_t room = out->max > out->len ? out->max - out->len : 0;

	return room < max ? room : max;
}

/* Room for module messages in the next batch: the batch limit minus what the session adds. */
static void set_send_budget(tnccs_session_t *s, const writer_t *out, size_t extra)
{
	size_t max = batch_limit(s, out);

	extra += PB_BATCH_HEADER_LEN;
	host_conn_set_send_budget(s->conn, max > extra ? max - extra : 0);
}

/*
 * The server's reserve for what a RESULT batch always carries besides the
 * IMV messages. Reason strings are added only as far as they fit.
 */
static size_t result_reserve(const tnccs_session_t *s)
{
	const host_options *o = host_get_options(s->host);

	return RESULT_FIXED_SIZE +
	       (o->remediation_uri[0] ? REMEDIATION_FIXED_SIZE + strlen(o->remediation_uri) : 0);
}

static void log_batch(const tnccs_session_t *s, const char *direction, const pb_batch *b,
		      const uint8_t *data, size_t len)
{
	if (log_enabled(LOG_SUBSYS_TNC, LOG_LEVEL_INFO)) {
		char text[512];

		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id, "%s %s", direction,
			 pb_batch_describe(b, text, sizeof(text)));
	}
	log_hexdump(LOG_SUBSYS_TNC, direction, data, len);
}

/* Appends one PB-PA message for every message the modules queued, then clears the queue. */
static int add_module_messages(tnccs_session_t *s)
{
	size_t count;
	const host_msg *msgs = host_conn_messages(s->conn, &count);
	int rc = TS_OK;

	for (size_t i = 0; i < count && rc == TS_OK; i++) {
		pb_msg m;

		pb_msg_init_pa(&m, msgs[i].exclusive, msgs[i].vendor_id, msgs[i].subtype,
			       msgs[i].collector_id, msgs[i].validator_id, msgs[i].body, msgs[i].len);
		rc = pb_msg_write(&s->batch, &m);
	}
	host_conn_clear_messages(s->conn);
	return rc;
}

/*
 * Finishes the batch begun at `start` in s->batch, moves the state and
 * copies the batch into out.
 */
static int send_batch(tnccs_session_t *s, pb_batch_type type, size_t start, writer_t *out)
{
	int rc;

	rc = pb_batch_finish(&s->batch, start);
	if (rc == TS_OK)
		rc = writer_status(&s->batch);
	if (rc != TS_OK)
		return rc;
	rc = pb_state_send(&s->state, type);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, s->conn_id,
			 "cannot send %s in state %s", pb_batch_type_name(type),
			 pb_state_name(s->state.id));
		return rc;
	}
	rc = writer_bytes(out, writer_data(&s->batch), writer_len(&s->batch));
	if (rc != TS_OK)
		return rc;
	if (log_enabled(LOG_SUBSYS_TNC, LOG_LEVEL_INFO)) {
		pb_batch *b = NULL;
		pb_error_msg err;

		/* Describe what was sent by parsing it back as the peer will. */
		if (pb_batch_parse(writer_data(&s->batch), writer_len(&s->batch),
				   s->is_server ? PB_ROLE_CLIENT : PB_ROLE_SERVER, &s->limits, &b,
				   &err) == TS_OK)
			log_batch(s, "sent", b, writer_data(&s->batch), writer_len(&s->batch));
		pb_batch_destroy(b);
	}
	writer_reset(&s->batch);
	return TS_OK;
}

/* Builds and sends a data batch (CDATA, SDATA, CRETRY) with the module messages. */
static int send_data(tnccs_session_t *s, pb_batch_type type, bool with_language, writer_t *out)
{
	size_t start;
	int rc;

	writer_reset(&s->batch);
	rc = pb_batch_begin(&s->batch, s->role, type, &start);
	if (rc == TS_OK && with_language && s->language_len) {
		pb_msg m;

		pb_msg_init_language_preference(&m, (const char *)s->language, s->language_len);
		rc = pb_msg_write(&s->batch, &m);
	}
	if (rc == TS_OK)
		rc = add_module_messages(s);
	if (rc == TS_OK)
		rc = send_batch(s, type, start, out);
	return rc;
}

/* Writes the CLOSE batch with a fatal PB-Error; the state moves to End. */
static int send_error(tnccs_session_t *s, const pb_error_msg *err, writer_t *out)
{
	int rc;

	log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, s->conn_id, "sending fatal PB-Error %s: %s",
		 pb_error_code_name(err->vendor_id, err->code), err->detail ? err->detail : "");
	writer_reset(&s->batch);
	rc = pb_batch_build_error(&s->batch, &s->state, s->role, err);
	if (rc == TS_OK)
		rc = writer_status(&s->batch);
	if (rc == TS_OK)
		rc = writer_bytes(out, writer_data(&s->batch), writer_len(&s->batch));
	pb_state_close(&s->state);
	writer_reset(&s->batch);
	return rc;
}

/* Ends the session with a fatal Local Error for a failure on this side; returns `why`. */
static int fail_local(tnccs_session_t *s, int why, const char *detail, writer_t *out)
{
	pb_error_msg err;

	pb_msg_error_local(&err, detail);
	if (send_error(s, &err, out) != TS_OK)
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, s->conn_id,
			 "cannot write the Local Error batch either");
	return why;
}

static void notify_created(tnccs_session_t *s)
{
	if (s->created)
		return;
	host_conn_notify(s->conn, TNC_CONNECTION_STATE_CREATE);
	s->created = true;
}

/* Notifies the modules that a handshake starts (again); resets the round trip count. */
static void begin_handshake(tnccs_session_t *s)
{
	notify_created(s);
	host_conn_notify(s->conn, TNC_CONNECTION_STATE_HANDSHAKE);
	s->in_handshake = true;
	s->round_trips = 0;
	if (!s->is_server)
		host_conn_begin_handshake(s->conn);
}

int tnccs_session_start(tnccs_session_t *s, writer_t *out)
{
	int rc;

	if (s->state.id != PB_STATE_INIT || s->created)
		return TS_E_STATE;
	if (s->is_server) {
		notify_created(s);
		return TS_OK;
	}

	/* The first CDATA carries PB-Language-Preference before the IMC messages. */
	set_send_budget(s, out, PB_MSG_HEADER_LEN + s->language_len);
	begin_handshake(s);
	rc = send_data(s, PB_BATCH_CDATA, true, out);
	if (rc != TS_OK)
		return fail_local(s, rc, "cannot build the first CDATA batch", out);
	return TS_OK;
}

/* Hands one received PB-PA message to the modules. */
static void deliver_pa(tnccs_session_t *s, const pb_pa_msg *pa)
{
	host_msg msg = {
		.exclusive = pa->excl,
		.vendor_id = pa->vendor_id,
		.subtype = pa->subtype,
		.collector_id = pa->collector_id,
		.validator_id = pa->validator_id,
		.body = pa->body,
		.len = pa->body_len,
	};

	host_conn_deliver(s->conn, &msg);
}

/*
 * Handles the messages every batch type may carry: PB-Error and
 * PB-PDP-Referral, and logs PB-Language-Preference. Returns true when a
 * received PB-Error was fatal.
 */
static bool handle_common(tnccs_session_t *s, const pb_msg *m)
{
	char text[256], offset[32] = "";

	if (m->vendor_id == PB_VENDOR_TCG && m->type == PB_TCG_MSG_PDP_REFERRAL) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id,
			 "ignored a PB-PDP-Referral (identifier type %u)", m->pdp_referral.id_type);
		return false;
	}
	if (m->vendor_id != PB_VENDOR_IETF)
		return false;
	if (m->type == PB_MSG_ERROR) {
		const pb_error_msg *e = &m->error;

		if (e->has_offset)
			snprintf(offset, sizeof(offset), " at batch offset %u", e->offset);
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, s->conn_id,
			 "received %s PB-Error %s (vendor %u, code %u)%s",
			 e->fatal ? "fatal" : "non-fatal", pb_error_code_name(e->vendor_id, e->code),
			 e->vendor_id, e->code, offset);
		return e->fatal;
	}
	/* server_receive() stored it before HANDSHAKE. */
	if (m->type == PB_MSG_LANGUAGE_PREFERENCE && s->is_server)
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, s->conn_id, "client language preference \"%s\"",
			 log_escape(text, sizeof(text), m->value, m->value_len));
	return false;
}

/* Delivers the PB-PA messages of a batch and handles the others; true on a fatal PB-Error. */
static bool process_messages(tnccs_session_t *s, const pb_batch *b)
{
	bool fatal = false;

	for (size_t i = 0; i < b->count; i++) {
		const pb_msg *m = &b->msgs[i];

		if (m->vendor_id == PB_VENDOR_IETF && m->type == PB_MSG_PA)
			deliver_pa(s, &m->pa);
		else if (handle_common(s, m))
			fatal = true;
	}
	return fatal;
}

/* Server: RESULT with the combined recommendation, reasons and remediation. */
static int send_result(tnccs_session_t *s, writer_t *out)
{
	const host_options *o = host_get_options(s->host);
	TNC_IMV_Action_Recommendation rec;
	TNC_IMV_Evaluation_Result eval;
	uint16_t code;
	size_t start;
	pb_msg m;
	int rc;

	host_conn_get_recommendation(s->conn, &rec, &eval);
	code = host_access_code(rec);
	rc = alloc_result(s);
	if (rc != TS_OK)
		return rc;

	writer_reset(&s->batch);
	rc = pb_batch_begin(&s->batch, s->role, PB_BATCH_RESULT, &start);
	if (rc == TS_OK)
		rc = add_module_messages(s);
	if (rc == TS_OK) {
		pb_msg_init_assessment_result(&m, (uint32_t)eval);
		rc = pb_msg_write(&s->batch, &m);
	}
	if (rc == TS_OK) {
		pb_msg_init_access_recommendation(&m, code);
		rc = pb_msg_write(&s->batch, &m);
	}
	for (size_t i = 0; rc == TS_OK; i++) {
		char reason[HOST_MAX_REASON_LEN + 1], lang[256];
		size_t size, reserve;

		if (!host_conn_get_reason(s->conn, i, reason, sizeof(reason), lang, sizeof(lang)))
			break;
		if (i == 0)
			log_escape(s->result->reason, sizeof(s->result->reason), reason, strlen(reason));
		size = REASON_FIXED_SIZE + strlen(reason) + strlen(lang);
		reserve = result_reserve(s) - RESULT_FIXED_SIZE;
		if (writer_len(&s->batch) + size + reserve > batch_limit(s, out)) {
			log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id,
				 "reason string %zu does not fit the RESULT batch and is left out", i);
			continue;
		}
		pb_msg_init_reason_string(&m, reason, strlen(reason), lang, strlen(lang));
		rc = pb_msg_write(&s->batch, &m);
	}
	if (rc == TS_OK && code != PB_ACCESS_ALLOWED && o->remediation_uri[0]) {
		pb_msg_init_remediation_uri(&m, o->remediation_uri, strlen(o->remediation_uri));
		rc = pb_msg_write(&s->batch, &m);
	}
	if (rc == TS_OK)
		rc = send_batch(s, PB_BATCH_RESULT, start, out);
	if (rc != TS_OK)
		return rc;

	s->result->access_recommendation = code;
	s->result->assessment_result = (uint32_t)eval;
	s->have_result = true;
	s->in_handshake = false;
	log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id,
		 "recommendation %s (policy %s), evaluation %s, after %u round trips",
		 host_recommendation_name(rec), host_policy_name(o->policy),
		 host_evaluation_name(eval), s->round_trips);
	host_conn_notify(s->conn, host_access_state(code));
	return TS_OK;
}

/* Server: the reply to a CDATA or CRETRY batch whose messages were delivered. */
static int server_reply(tnccs_session_t *s, writer_t *out)
{
	uint32_t max_round_trips = host_get_options(s->host)->max_round_trips;
	size_t queued;
	const char *why = NULL;

	if (!host_conn_all_recommended(s->conn)) {
		host_conn_messages(s->conn, &queued);
		if (queued == 0)
			why = "the IMVs sent no messages";
		else if (s->round_trips >= max_round_trips)
			why = "the round trip limit is reached";
		if (!why)
			return send_data(s, PB_BATCH_SDATA, false, out);
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id,
			 "soliciting recommendations: %s (%u round trips)", why, s->round_trips);
		host_conn_solicit(s->conn);
	}
	return send_result(s, out);
}

static int server_receive(tnccs_session_t *s, const pb_batch *b, writer_t *out)
{
	bool fatal;

	switch (b->type) {
	case PB_BATCH_CDATA:
	case PB_BATCH_CRETRY:
		/*
		 * The language preference comes before HANDSHAKE, so IMVs can read
		 * it when a handshake starts.
		 */
		for (size_t i = 0; i < b->count; i++)
			if (b->msgs[i].vendor_id == PB_VENDOR_IETF &&
			    b->msgs[i].type == PB_MSG_LANGUAGE_PREFERENCE)
				host_conn_set_language(s->conn, b->msgs[i].value, b->msgs[i].value_len);
		if (b->type == PB_BATCH_CRETRY || !s->in_handshake) {
			if (b->type == PB_BATCH_CRETRY)
				log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id,
					 "the client requested a handshake retry");
			begin_handshake(s);
		}
		s->round_trips++;
		set_send_budget(s, out, result_reserve(s));
		fatal = process_messages(s, b);
		if (fatal) {
			pb_state_close(&s->state);
			return TS_OK;
		}
		host_conn_batch_ending(s->conn);
		return server_reply(s, out);
	case PB_BATCH_CLOSE:
		process_messages(s, b);
		if (!s->have_result)
			log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id,
				 "the client closed the session before a result");
		return TS_OK;
	default:
		/* pb_state_receive() lets no other batch type through to a server. */
		return fail_local(s, TS_E_STATE, "unexpected batch type", out);
	}
}

/* Client: records the RESULT batch and reports it to the IMCs. */
static int client_take_result(tnccs_session_t *s, const pb_batch *b)
{
	char text[2048], lang[64];
	size_t used = 0;
	int rc = alloc_result(s);

	if (rc != TS_OK)
		return rc;
	memset(s->result, 0, sizeof(*s->result));
	for (size_t i = 0; i < b->count; i++) {
		const pb_msg *m = &b->msgs[i];

		if (m->vendor_id != PB_VENDOR_IETF)
			continue;
		switch (m->type) {
		case PB_MSG_ASSESSMENT_RESULT:
			s->result->assessment_result = m->assessment_result;
			break;
		case PB_MSG_ACCESS_RECOMMENDATION:
			s->result->access_recommendation = m->access_recommendation;
			break;
		case PB_MSG_REASON_STRING:
			log_escape(text, sizeof(text), m->reason.text, m->reason.text_len);
			log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id, "reason [%s]: %s",
				 log_escape(lang, sizeof(lang), m->reason.lang, m->reason.lang_len), text);
			/* Every IMV may give a reason; keep them all, joined by "; ". */
			if (m->reason.text_len > 0 && used + 3 < sizeof(s->result->reason)) {
				if (used > 0) {
					memcpy(s->result->reason + used, "; ", 2);
					used += 2;
				}
				log_escape(s->result->reason + used, sizeof(s->result->reason) - used,
					   m->reason.text, m->reason.text_len);
				used += strlen(s->result->reason + used);
			}
			break;
		case PB_MSG_REMEDIATION_PARAMETERS:
			if (m->remediation.vendor_id == PB_VENDOR_IETF &&
			    m->remediation.type == PB_REMEDIATION_STRING)
				log_escape(text, sizeof(text), m->remediation.text, m->remediation.text_len);
			else
				log_escape(text, sizeof(text), m->remediation.params,
					   m->remediation.params_len);
			log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id, "remediation: %s", text);
			break;
		default:
			break;
		}
	}
	s->have_result = true;
	s->in_handshake = false;
	log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id,
		 "result: access recommendation %u, assessment result %u",
		 s->result->access_recommendation, s->result->assessment_result);
	return TS_OK;
}

static int client_receive(tnccs_session_t *s, const pb_batch *b, writer_t *out)
{
	uint32_t max_round_trips = host_get_options(s->host)->max_round_trips;
	TNC_RetryReason reason;
	size_t dropped;
	int rc;

	switch (b->type) {
	case PB_BATCH_SDATA:
		if (++s->round_trips > max_round_trips)
			return fail_local(s, TS_E_TOO_LARGE,
					  "the server exceeded the round trip limit", out);
		set_send_budget(s, out, 0);
		if (process_messages(s, b)) {
			pb_state_close(&s->state);
			return TS_OK;
		}
		host_conn_batch_ending(s->conn);
		return send_data(s, PB_BATCH_CDATA, false, out);

	case PB_BATCH_RESULT:
		set_send_budget(s, out, 0);
		if (process_messages(s, b)) {
			pb_state_close(&s->state);
			return TS_OK;
		}
		host_conn_batch_ending(s->conn);
		rc = client_take_result(s, b);
		if (rc != TS_OK)
			return rc;
		/* Without PB-Access-Recommendation the client cannot assume access. */
		host_conn_notify(s->conn, host_access_state((uint16_t)s->result->access_recommendation));

		if (host_conn_take_retry(s->conn, &reason)) {
			log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id,
				 "an IMC requested a handshake retry (reason %lu)", reason);
			begin_handshake(s);
			return send_data(s, PB_BATCH_CRETRY, false, out);
		}
		host_conn_messages(s->conn, &dropped);
		if (dropped)
			log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, s->conn_id,
				 "dropped %zu IMC messages sent after the result", dropped);
		host_conn_clear_messages(s->conn);
		return send_data(s, PB_BATCH_CLOSE, false, out);

	case PB_BATCH_SRETRY:
		/*
		 * The server restarts the handshake; it sends SDATA next, which
		 * carries the IMC messages of BeginHandshake back with the replies.
		 */
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, s->conn_id,
			 "the server requested a handshake retry");
		set_send_budget(s, out, 0);
		begin_handshake(s);
		if (process_messages(s, b))
			pb_state_close(&s->state);
		return TS_OK;

	case PB_BATCH_CLOSE:
		process_messages(s, b);
		if (!s->have_result)
			log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, s->conn_id,
				 "the server closed the session without a result");
		return TS_OK;

	default:
		return fail_local(s, TS_E_STATE, "unexpected batch type", out);
	}
}

int tnccs_session_receive(tnccs_session_t *s, const uint8_t *data, size_t len, writer_t *out)
{
	pb_batch *b = NULL;
	pb_error_msg err;
	int rc;

	if (pb_state_is_end(&s->state)) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, s->conn_id,
			 "ignored a batch of %zu octets after the session ended", len);
		return TS_E_STATE;
	}
	notify_created(s);

	memset(&err, 0, sizeof(err));
	rc = pb_batch_receive(&s->state, data, len, &s->limits, &b, &err);
	if (rc == TS_E_PROTOCOL) {
		log_hexdump(LOG_SUBSYS_TNC, "invalid batch", data, len);
		if (send_error(s, &err, out) != TS_OK)
			log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, s->conn_id,
				 "cannot write the PB-Error batch");
		return TS_E_PROTOCOL;
	}
	if (rc != TS_OK)
		return fail_local(s, rc, "cannot process the batch", out);
	if (!b) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, s->conn_id,
			 "ignored a crossed retry batch or a CLOSE after the end");
		return TS_OK;
	}
	log_batch(s, "received", b, data, len);

	rc = s->is_server ? server_receive(s, b, out) : client_receive(s, b, out);
	pb_batch_destroy(b);
	if (rc != TS_OK && rc != TS_E_PROTOCOL && !pb_state_is_end(&s->state))
		rc = fail_local(s, rc, "cannot build the reply batch", out);
	return rc;
}
