/*
 * The per-connection part of the IMC/IMV host: the connection registry,
 * the calls into modules for one connection, message routing, the Send
 * functions and GetAttribute. See host.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "host_internal.h"
#include "log.h"
#include "writer.h"

/* Passed for an empty message, so modules never get a NULL buffer. */
static uint8_t empty_message[1];

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void conn_free(host_conn_t *conn)
{
	if (!conn)
		return;
	host_conn_clear_messages(conn);
	free(conn->msgs);
	free(conn->bodies);
	if (conn->verdicts) {
		for (size_t i = 0; i < conn->host->module_count; i++) {
			free(conn->verdicts[i].reason);
			free(conn->verdicts[i].reason_lang);
		}
		free(conn->verdicts);
	}
	free(conn->language);
	free(conn->ift_protocol);
	free(conn->ift_version);
	free(conn->peer_cert_subject);
	free(conn->sasl_identity);
	pthread_mutex_destroy(&conn->lock);
	free(conn);
}

int host_conn_create(tnccs_host_t *host, const tnccs_conn_info *info, host_conn_t **out)
{
	host_conn_t *conn, *other;
	size_t bucket;
	uint32_t batch;
	int rc = TS_OK;

	if (info->conn_id == TNC_CONNECTIONID_ANY || info->conn_id > 0xFFFFFFFFUL) {
		log_error(LOG_SUBSYS_TNC, "connection ID %lu cannot be given to modules",
			  info->conn_id);
		return TS_E_INVALID;
	}
	conn = calloc(1, sizeof(*conn));
	if (!conn)
		return TS_E_NOMEM;
	pthread_mutex_init(&conn->lock, NULL);
	conn->host = host;
	conn->id = info->conn_id;
	conn->ift_protocol = dup_or_null(info->ift_protocol);
	conn->ift_version = dup_or_null(info->ift_version);
	conn->peer_cert_subject = dup_or_null(info->peer_cert_subject);
	conn->sasl_identity = dup_or_null(info->sasl_identity);
	conn->verdicts = calloc(host->module_count ? host->module_count : 1, sizeof(*conn->verdicts));
	if (!conn->verdicts || (info->ift_protocol && !conn->ift_protocol) ||
	    (info->ift_version && !conn->ift_version) ||
	    (info->peer_cert_subject && !conn->peer_cert_subject) ||
	    (info->sasl_identity && !conn->sasl_identity)) {
		conn_free(conn);
		return TS_E_NOMEM;
	}

	/* The smaller of the transport's and the configured batch limit. */
	batch = host->options.max_batch_size;
	if (info->max_message_size && info->max_message_size < batch)
		batch = info->max_message_size;
	if (batch < HOST_PB_BATCH_HEADER + HOST_PB_PA_OVERHEAD)
		batch = HOST_PB_BATCH_HEADER + HOST_PB_PA_OVERHEAD;
	conn->max_batch_size = batch;
	conn->max_message_size = batch - HOST_PB_BATCH_HEADER - HOST_PB_PA_OVERHEAD;
	conn->send_budget = batch - HOST_PB_BATCH_HEADER;

	bucket = conn->id % HOST_CONN_BUCKETS;
	pthread_rwlock_wrlock(&host->conns_lock);
	for (other = host->conn_buckets[bucket]; other; other = other->next_in_bucket)
		if (other->id == conn->id)
			break;
	if (other) {
		rc = TS_E_STATE;
	} else {
		conn->next_in_bucket = host->conn_buckets[bucket];
		host->conn_buckets[bucket] = conn;
		host->conn_count++;
	}
	pthread_rwlock_unlock(&host->conns_lock);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_TNC, "connection ID %lu is in use already", conn->id);
		conn_free(conn);
		return rc;
	}
	*out = conn;
	return TS_OK;
}

void host_conn_destroy(host_conn_t *conn)
{
	tnccs_host_t *host;
	host_conn_t **link;

	if (!conn)
		return;
	host = conn->host;
	if (conn->notified)
		host_conn_notify(conn, TNC_CONNECTION_STATE_DELETE);

	pthread_rwlock_wrlock(&host->conns_lock);
	for (link = &host->conn_buckets[conn->id % HOST_CONN_BUCKETS]; *link;
	     link = &(*link)->next_in_bucket) {
		if (*link == conn) {
			*link = conn->next_in_bucket;
			host->conn_count--;
			break;
		}
	}
	pthread_rwlock_unlock(&host->conns_lock);

	/* Wait for a bound function of another thread that still holds the lock. */
	pthread_mutex_lock(&conn->lock);
	pthread_mutex_unlock(&conn->lock);
	conn_free(conn);
}

TNC_ConnectionID host_conn_id(const host_conn_t *conn)
{
	return conn->id;
}

uint32_t host_conn_max_batch_size(const host_conn_t *conn)
{
	return conn->max_batch_size;
}

host_conn_t *host_conn_lock(tnccs_host_t *host, TNC_ConnectionID conn_id)
{
	host_call *call = host_current_call;
	host_conn_t *conn;

	if (call && call->conn && call->conn->host == host && call->conn->id == conn_id) {
		pthread_mutex_lock(&call->conn->lock);
		return call->conn;
	}
	pthread_rwlock_rdlock(&host->conns_lock);
	for (conn = host->conn_buckets[conn_id % HOST_CONN_BUCKETS]; conn;
	     conn = conn->next_in_bucket)
		if (conn->id == conn_id)
			break;
	if (conn)
		pthread_mutex_lock(&conn->lock);
	pthread_rwlock_unlock(&host->conns_lock);
	return conn;
}

void host_conn_unlock(host_conn_t *conn)
{
	pthread_mutex_unlock(&conn->lock);
}

void host_conn_notify(host_conn_t *conn, TNC_ConnectionState state)
{
	tnccs_host_t *host = conn->host;
	char name[64];

	if (state == TNC_CONNECTION_STATE_HANDSHAKE) {
		/* A new handshake: recommendations and reasons start over. */
		pthread_mutex_lock(&conn->lock);
		for (size_t i = 0; i < host->module_count; i++) {
			host_conn_verdict *v = &conn->verdicts[i];

			free(v->reason);
			free(v->reason_lang);
			memset(v, 0, sizeof(*v));
		}
		pthread_mutex_unlock(&conn->lock);
	}
	if (state == TNC_CONNECTION_STATE_CREATE)
		conn->notified = true;
	else if (state == TNC_CONNECTION_STATE_DELETE)
		conn->notified = false;

	snprintf(name, sizeof(name), "NotifyConnectionChange(%s)", host_state_name(state));
	for (size_t i = 0; i < host->module_count; i++) {
		host_module *module = host->modules[i];
		host_call call;
		TNC_Result rc;

		if (!host_module_usable(module) || !module->notify)
			continue;
		host_call_enter(&call, conn, module, false);
		rc = module->notify(module->id, conn->id, state);
		host_call_leave(&call);
		host_check_result(module, conn, name, rc);
	}
}

/* The (module ID, connection ID) callbacks call_each() can make. */
typedef enum conn_callback {
	CALLBACK_BEGIN_HANDSHAKE,
	CALLBACK_BATCH_ENDING,
} conn_callback;

/* Calls BeginHandshake or BatchEnding on every module that exports it. */
static void call_each(host_conn_t *conn, conn_callback which)
{
	tnccs_host_t *host = conn->host;
	const char *name = which == CALLBACK_BEGIN_HANDSHAKE ? "BeginHandshake" : "BatchEnding";

	for (size_t i = 0; i < host->module_count; i++) {
		host_module *module = host->modules[i];
		host_conn_fn fn;
		host_call call;
		TNC_Result rc;

		fn = which == CALLBACK_BEGIN_HANDSHAKE ? module->begin_handshake : module->batch_ending;
		if (!host_module_usable(module) || !fn)
			continue;
		host_call_enter(&call, conn, module, true);
		rc = fn(module->id, conn->id);
		host_call_leave(&call);
		host_check_result(module, conn, name, rc);
	}
}

void host_conn_begin_handshake(host_conn_t *conn)
{
	if (conn->host->is_server)
		return;
	call_each(conn, CALLBACK_BEGIN_HANDSHAKE);
}

void host_conn_batch_ending(host_conn_t *conn)
{
	call_each(conn, CALLBACK_BATCH_ENDING);
}

void host_conn_solicit(host_conn_t *conn)
{
	tnccs_host_t *host = conn->host;

	if (!host->is_server)
		return;
	for (size_t i = 0; i < host->module_count; i++) {
		host_module *module = host->modules[i];
		bool have;
		host_call call;
		TNC_Result rc;

		if (!host_module_usable(module))
			continue;
		pthread_mutex_lock(&conn->lock);
		have = conn->verdicts[i].have_recommendation;
		pthread_mutex_unlock(&conn->lock);
		/* IF-IMV: never solicit an IMV that has provided a recommendation. */
		if (have)
			continue;
		host_call_enter(&call, conn, module, true);
		rc = module->solicit(module->id, conn->id);
		host_call_leave(&call);
		host_check_result(module, conn, "SolicitRecommendation", rc);
	}
}

static bool subscribed(const host_module *module, uint32_t vendor, uint32_t subtype)
{
	for (size_t i = 0; i < module->type_count; i++) {
		uint32_t v = module->type_vendors[i], s = module->type_subtypes[i];

		/* The two wildcard forms: everything, and every subtype of one vendor. */
		if (v == TNC_VENDORID_ANY && s == TNC_SUBTYPE_ANY)
			return true;
		if (v == vendor && (s == TNC_SUBTYPE_ANY || s == subtype))
			return true;
	}
	return false;
}

static void deliver_to(host_conn_t *conn, host_module *module, const host_msg *msg)
{
	bool server = conn->host->is_server;
	TNC_UInt32 source = server ? msg->collector_id : msg->validator_id;
	TNC_UInt32 destination = server ? msg->validator_id : msg->collector_id;
	TNC_BufferReference body = msg->len ? (TNC_BufferReference)(uintptr_t)msg->body : empty_message;
	host_call call;
	TNC_Result rc;

	/*
	 * NOTE: modules get the received bytes themselves, not a copy, because
	 * IF-IMC and IF-IMV forbid modifying them. A module that writes into
	 * them anyway changes what the next subscriber receives.
	 */
	if (module->receive_long) {
		host_call_enter(&call, conn, module, true);
		rc = module->receive_long(module->id, conn->id,
					  msg->exclusive ? TNC_MESSAGE_FLAGS_EXCLUSIVE : 0, body,
					  msg->len, msg->vendor_id, msg->subtype, source, destination);
		host_call_leave(&call);
		host_check_result(module, conn, "ReceiveMessageLong", rc);
		return;
	}
	/* A legacy type has an 8-bit subtype, and 0xFF would read as the wildcard. */
	if (!module->receive || msg->subtype >= TNC_SUBTYPE_ANY) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, conn->id,
			 "%s \"%s\" cannot receive vendor 0x%06x subtype 0x%08x without ReceiveMessageLong",
			 server ? "IMV" : "IMC", module->name, msg->vendor_id, msg->subtype);
		return;
	}
	host_call_enter(&call, conn, module, true);
	rc = module->receive(module->id, conn->id, body, msg->len,
			     TNC_MESSAGETYPE_PACK(msg->vendor_id, msg->subtype));
	host_call_leave(&call);
	host_check_result(module, conn, "ReceiveMessage", rc);
}

void host_conn_deliver(host_conn_t *conn, const host_msg *msg)
{
	tnccs_host_t *host = conn->host;
	host_module *target = NULL;
	size_t delivered = 0;

	if (msg->exclusive) {
		target = host_module_by_id(host, host->is_server ? msg->validator_id : msg->collector_id);
		if (!target) {
			log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, conn->id,
				 "dropped an exclusive message for the unknown %s ID %u",
				 host->is_server ? "IMV" : "IMC",
				 host->is_server ? msg->validator_id : msg->collector_id);
			return;
		}
	}

	for (size_t i = 0; i < host->module_count; i++) {
		host_module *module = host->modules[i];
		bool is_subscribed;

		if (!host_module_usable(module) || (target && module != target))
			continue;
		pthread_rwlock_rdlock(&host->types_lock);
		is_subscribed = subscribed(module, msg->vendor_id, msg->subtype);
		pthread_rwlock_unlock(&host->types_lock);
		if (!is_subscribed)
			continue;
		deliver_to(conn, module, msg);
		delivered++;
	}
	if (delivered == 0)
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, conn->id,
			 "no %s takes PA messages of vendor 0x%06x subtype 0x%08x%s",
			 host->is_server ? "IMV" : "IMC", msg->vendor_id, msg->subtype,
			 msg->exclusive ? " for the exclusive destination" : "");
}

void host_conn_set_send_budget(host_conn_t *conn, size_t octets)
{
	conn->send_budget = octets;
}

const host_msg *host_conn_messages(const host_conn_t *conn, size_t *count)
{
	*count = conn->msg_count;
	return conn->msgs;
}

void host_conn_clear_messages(host_conn_t *conn)
{
	for (size_t i = 0; i < conn->msg_count; i++)
		free(conn->bodies[i]);
	conn->msg_count = 0;
	conn->send_used = 0;
}

static int queue_message(host_conn_t *conn, const host_msg *msg)
{
	uint8_t *copy;

	if (conn->msg_count == conn->msg_cap) {
		size_t cap = conn->msg_cap ? conn->msg_cap * 2 : 16;
		host_msg *msgs = realloc(conn->msgs, cap * sizeof(*msgs));
		uint8_t **bodies;

		if (!msgs)
			return TS_E_NOMEM;
		conn->msgs = msgs;
		bodies = realloc(conn->bodies, cap * sizeof(*bodies));
		if (!bodies)
			return TS_E_NOMEM;
		conn->bodies = bodies;
		conn->msg_cap = cap;
	}
	copy = malloc(msg->len ? msg->len : 1);
	if (!copy)
		return TS_E_NOMEM;
	if (msg->len)
		memcpy(copy, msg->body, msg->len);
	conn->bodies[conn->msg_count] = copy;
	conn->msgs[conn->msg_count] = *msg;
	conn->msgs[conn->msg_count].body = copy;
	conn->msg_count++;
	return TS_OK;
}

/* Whether some connection with this ID exists (for choosing the error of a bad Send). */
static bool conn_exists(tnccs_host_t *host, TNC_ConnectionID conn_id)
{
	host_conn_t *conn = host_conn_lock(host, conn_id);

	if (!conn)
		return false;
	host_conn_unlock(conn);
	return true;
}

TNC_Result host_send(tnccs_host_t *host, TNC_UInt32 id, TNC_ConnectionID conn_id,
		     TNC_UInt32 flags, const uint8_t *message, TNC_UInt32 length,
		     TNC_VendorID vendor_id, TNC_MessageSubtype subtype, TNC_UInt32 destination_id)
{
	host_module *module = host_module_by_id(host, id);
	host_call *call = host_current_call;
	bool exclusive = (flags & TNC_MESSAGE_FLAGS_EXCLUSIVE) != 0;
	host_conn_t *conn;
	host_msg msg;

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, conn_id,
			 "a module sent a message with the unknown ID %lu", id);
		return TNC_RESULT_INVALID_PARAMETER;
	}

	/* Only from inside this module's callback for this connection. */
	if (!call || !call->conn || call->conn->id != conn_id || call->conn->host != host) {
		if (!conn_exists(host, conn_id)) {
			host_complain(module, conn_id, "sent a message for an unknown connection");
			return TNC_RESULT_INVALID_PARAMETER;
		}
		host_complain(module, conn_id, "sent a message outside its callbacks");
		return TNC_RESULT_ILLEGAL_OPERATION;
	}
	if (call->module != module) {
		host_complain(call->module, conn_id, "sent a message with the ID %lu of %s \"%s\"", id,
			      host->is_server ? "IMV" : "IMC", module->name);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (!call->may_send) {
		host_complain(module, conn_id,
			      "sent a message from a callback that allows no messages");
		return TNC_RESULT_ILLEGAL_OPERATION;
	}
	conn = call->conn;

	/* Arguments. */
	if (flags & ~TNC_MESSAGE_FLAGS_EXCLUSIVE) {
		host_complain(module, conn_id, "sent a message with the unknown flags 0x%lx", flags);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (!message && length > 0) {
		host_complain(module, conn_id, "sent a NULL message of length %lu", length);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (vendor_id >= TNC_VENDORID_ANY || subtype == TNC_SUBTYPE_ANY ||
	    subtype >= 0xFFFFFFFFUL) {
		host_complain(module, conn_id,
			      "sent a message with the reserved type vendor 0x%lx subtype 0x%lx",
			      vendor_id, subtype);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (destination_id > 0xFFFF || (exclusive && destination_id == TNC_IMCID_ANY)) {
		host_complain(module, conn_id, "sent a message to the invalid destination ID %lu%s",
			      destination_id, exclusive ? " with the exclusive flag" : "");
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (length > conn->max_message_size ||
	    conn->send_used + HOST_PB_PA_OVERHEAD + length > conn->send_budget) {
		host_complain(module, conn_id,
			      "sent a message of %lu octets, which does not fit the batch (max message size %u, %zu of %zu octets used)",
			      length, conn->max_message_size, conn->send_used, conn->send_budget);
		return TNC_RESULT_EXCEEDED_MAX_MESSAGE_SIZE;
	}

	memset(&msg, 0, sizeof(msg));
	msg.exclusive = exclusive;
	msg.vendor_id = (uint32_t)vendor_id;
	msg.subtype = (uint32_t)subtype;
	if (host->is_server) {
		msg.validator_id = (uint16_t)id;
		msg.collector_id = (uint16_t)destination_id;
	} else {
		msg.collector_id = (uint16_t)id;
		msg.validator_id = (uint16_t)destination_id;
	}
	msg.body = message;
	msg.len = length;
	if (queue_message(conn, &msg) != TS_OK)
		return TNC_RESULT_FATAL;
	conn->send_used += HOST_PB_PA_OVERHEAD + length;
	return TNC_RESULT_SUCCESS;
}

void host_conn_set_language(host_conn_t *conn, const uint8_t *value, size_t len)
{
	static const char prefix[] = "Accept-Language:";
	size_t skip = 0;
	char *copy;

	/* Modules get the language tags without the header name (as strongSwan does). */
	if (len >= sizeof(prefix) - 1 && strncasecmp((const char *)value, prefix, sizeof(prefix) - 1) == 0) {
		skip = sizeof(prefix) - 1;
		while (skip < len && (value[skip] == ' ' || value[skip] == '\t'))
			skip++;
	}
	if (len - skip > HOST_MAX_LANGUAGE_LEN)
		len = skip + HOST_MAX_LANGUAGE_LEN;
	copy = strndup((const char *)value + skip, len - skip);

	pthread_mutex_lock(&conn->lock);
	free(conn->language);
	conn->language = copy;
	pthread_mutex_unlock(&conn->lock);
}

/* Copies a value into the module's buffer, or only its length if it does not fit. */
static TNC_Result put_value(const void *value, size_t len, TNC_UInt32 buffer_len, uint8_t *buffer,
			    TNC_UInt32 *value_len)
{
	*value_len = len;
	if (len > buffer_len)
		return TNC_RESULT_INVALID_PARAMETER;
	if (len)
		memcpy(buffer, value, len);
	return TNC_RESULT_SUCCESS;
}

static TNC_Result put_u32(uint32_t v, TNC_UInt32 buffer_len, uint8_t *buffer, TNC_UInt32 *value_len)
{
	uint8_t be[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return put_value(be, sizeof(be), buffer_len, buffer, value_len);
}

static TNC_Result put_bool(bool v, TNC_UInt32 buffer_len, uint8_t *buffer, TNC_UInt32 *value_len)
{
	uint8_t b = v ? 1 : 0;

	return put_value(&b, 1, buffer_len, buffer, value_len);
}

/* A string attribute: the text and its terminating NUL. */
static TNC_Result put_string(const char *s, TNC_UInt32 buffer_len, uint8_t *buffer,
			     TNC_UInt32 *value_len)
{
	return put_value(s, strlen(s) + 1, buffer_len, buffer, value_len);
}

/*
 * TNC_ATTRIBUTEID_AR_IDENTITIES (IF-IMV 1.4): the TLS client certificate
 * subject (X.500 DN of a machine, X.509 authentication) and the SASL user
 * name. NOTE: the SASL mechanism is not in tnccs_conn_info, so the SASL
 * identity carries the authentication method "unknown".
 */
static TNC_Result put_identities(const host_conn_t *conn, TNC_UInt32 buffer_len, uint8_t *buffer,
				 TNC_UInt32 *value_len)
{
	writer_t w;
	TNC_Result rc;
	uint32_t count = (conn->peer_cert_subject ? 1 : 0) + (conn->sasl_identity ? 1 : 0);

	writer_init(&w, 1024 * 1024);
	writer_u32(&w, count);
	if (conn->peer_cert_subject) {
		writer_u32(&w, TNC_VENDORID_TCG_NEW);
		writer_u32(&w, TNC_ID_X500_DN);
		writer_vec32(&w, conn->peer_cert_subject, strlen(conn->peer_cert_subject));
		writer_u32(&w, TNC_VENDORID_TCG_NEW);
		writer_u32(&w, TNC_SUBJECT_MACHINE);
		writer_u32(&w, TNC_VENDORID_TCG_NEW);
		writer_u32(&w, TNC_AUTH_X509_CERT);
	}
	if (conn->sasl_identity) {
		writer_u32(&w, TNC_VENDORID_TCG_NEW);
		writer_u32(&w, TNC_ID_USERNAME);
		writer_vec32(&w, conn->sasl_identity, strlen(conn->sasl_identity));
		writer_u32(&w, TNC_VENDORID_TCG_NEW);
		writer_u32(&w, TNC_SUBJECT_USER);
		writer_u32(&w, TNC_VENDORID_TCG_NEW);
		writer_u32(&w, TNC_AUTH_UNKNOWN);
	}
	if (writer_status(&w) != TS_OK)
		rc = TNC_RESULT_OTHER;
	else
		rc = put_value(writer_data(&w), writer_len(&w), buffer_len, buffer, value_len);
	writer_free(&w);
	return rc;
}

/* Attributes that do not depend on a connection. */
static bool get_host_attribute(tnccs_host_t *host, const host_module *module,
			       TNC_AttributeID attribute, TNC_UInt32 buffer_len, uint8_t *buffer,
			       TNC_UInt32 *value_len, TNC_Result *rc)
{
	switch (attribute) {
	case TNC_ATTRIBUTEID_MAX_ROUND_TRIPS:
		*rc = put_u32(host->options.max_round_trips, buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_HAS_LONG_TYPES:
	case TNC_ATTRIBUTEID_HAS_EXCLUSIVE:
		/* PB-TNC (IF-TNCCS 2.0) carries both. */
		*rc = put_bool(true, buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_HAS_SOH:
		*rc = put_bool(false, buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_IFTNCCS_PROTOCOL:
		*rc = put_string("IF-TNCCS", buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_IFTNCCS_VERSION:
		*rc = put_string("2.0", buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_PRIMARY_IMC_ID:
		if (host->is_server)
			return false;
		*rc = put_u32((uint32_t)module->id, buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_PRIMARY_IMV_ID:
		if (!host->is_server)
			return false;
		*rc = put_u32((uint32_t)module->id, buffer_len, buffer, value_len);
		return true;
	default:
		return false;
	}
}

/* Attributes of one connection; conn->lock is held. */
static bool get_conn_attribute(host_conn_t *conn, const host_module *module,
			       TNC_AttributeID attribute, TNC_UInt32 buffer_len, uint8_t *buffer,
			       TNC_UInt32 *value_len, TNC_Result *rc)
{
	bool server = conn->host->is_server;
	const host_conn_verdict *verdict = &conn->verdicts[module->index];

	switch (attribute) {
	case TNC_ATTRIBUTEID_PREFERRED_LANGUAGE: {
		/* Without a NUL, as strongSwan's TNCS returns it, so its IMVs parse it. */
		const char *lang = server ? conn->language : conn->host->options.language;

		if (!lang)
			return false;
		*rc = put_value(lang, strlen(lang), buffer_len, buffer, value_len);
		return true;
	}
	case TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE:
		*rc = put_u32(conn->max_message_size, buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_IFT_PROTOCOL:
		if (!conn->ift_protocol)
			return false;
		*rc = put_string(conn->ift_protocol, buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_IFT_VERSION:
		if (!conn->ift_version)
			return false;
		*rc = put_string(conn->ift_version, buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_AR_IDENTITIES:
		if (!server)
			return false;
		*rc = put_identities(conn, buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_REASON_STRING:
		if (!server || !verdict->reason)
			return false;
		*rc = put_string(verdict->reason, buffer_len, buffer, value_len);
		return true;
	case TNC_ATTRIBUTEID_REASON_LANGUAGE:
		if (!server || !verdict->reason_lang)
			return false;
		*rc = put_string(verdict->reason_lang, buffer_len, buffer, value_len);
		return true;
	default:
		return false;
	}
}

TNC_Result host_get_attribute(tnccs_host_t *host, TNC_UInt32 id, TNC_ConnectionID conn_id,
			      TNC_AttributeID attribute, TNC_UInt32 buffer_len, uint8_t *buffer,
			      TNC_UInt32 *value_len)
{
	host_module *module = host_module_by_id(host, id);
	TNC_Result rc = TNC_RESULT_INVALID_PARAMETER;
	host_conn_t *conn;
	bool known;

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, conn_id,
			 "GetAttribute with the unknown module ID %lu", id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (!value_len || (!buffer && buffer_len > 0)) {
		host_complain(module, conn_id, "GetAttribute(0x%lx) with a NULL %s", attribute,
			      value_len ? "buffer" : "value length");
		return TNC_RESULT_INVALID_PARAMETER;
	}

	if (get_host_attribute(host, module, attribute, buffer_len, buffer, value_len, &rc))
		return rc;
	if (conn_id == TNC_CONNECTIONID_ANY) {
		log_debug(LOG_SUBSYS_TNC, "\"%s\" asked for the attribute 0x%lx of the host, which has none",
			  module->name, attribute);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	conn = host_conn_lock(host, conn_id);
	if (!conn) {
		host_complain(module, conn_id, "GetAttribute(0x%lx) for an unknown connection",
			      attribute);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	known = get_conn_attribute(conn, module, attribute, buffer_len, buffer, value_len, &rc);
	host_conn_unlock(conn);
	if (!known)
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, conn_id,
			 "\"%s\" asked for the attribute 0x%lx, which is not available",
			 module->name, attribute);
	return known ? rc : TNC_RESULT_INVALID_PARAMETER;
}

const char *host_state_name(TNC_ConnectionState state)
{
	static const char *const names[] = {
		"CREATE", "HANDSHAKE", "ACCESS_ALLOWED", "ACCESS_ISOLATED", "ACCESS_NONE", "DELETE",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "unknown";
}
