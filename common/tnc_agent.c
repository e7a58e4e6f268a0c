#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn_table.h"
#include "log.h"
#include "tnc_agent.h"
#include "tncifimc.h"
#include "tncifimv.h"

/*
 * The host functions an agent binds. IF-IMC and IF-IMV give each TNCC
 * function a TNCS twin with the same signature, so one set of pointers
 * serves both sides. Only the names passed to the bind function differ.
 */
typedef struct host_functions {
	TNC_TNCC_ReportMessageTypesPointer report_message_types;
	TNC_TNCC_ReportMessageTypesLongPointer report_message_types_long;
	TNC_TNCC_SendMessagePointer send_message;
	TNC_TNCC_SendMessageLongPointer send_message_long;
	TNC_TNCC_RequestHandshakeRetryPointer request_handshake_retry;
	TNC_TNCC_GetAttributePointer get_attribute;
	TNC_TNCC_SetAttributePointer set_attribute;
	TNC_TNCS_ProvideRecommendationPointer provide_recommendation;
} host_functions;

struct tnc_agent {
	tnc_agent_side side;
	char *name;
	tnc_agent_ops ops;
	void *ctx;
	TNC_UInt32 id;
	bool initialized;
	TNC_VendorID vendors[TNC_AGENT_MAX_TYPES];
	TNC_MessageSubtype subtypes[TNC_AGENT_MAX_TYPES];
	size_t type_count;
	host_functions host;
	conn_table_t *conns;
};

static log_subsys subsys_of(const tnc_agent_t *agent)
{
	return agent->side == TNC_AGENT_IMC ? LOG_SUBSYS_IMC : LOG_SUBSYS_IMV;
}

static void free_state(void *state, void *ctx)
{
	tnc_agent_t *agent = ctx;

	if (agent->ops.conn_free)
		agent->ops.conn_free(state);
}

int tnc_agent_create(tnc_agent_side side, const char *name, const tnc_agent_ops *ops,
		     const TNC_VendorID *vendors, const TNC_MessageSubtype *subtypes, size_t count,
		     void *ctx, tnc_agent_t **out)
{
	tnc_agent_t *agent;

	if (count > TNC_AGENT_MAX_TYPES)
		return TS_E_TOO_LARGE;
	agent = calloc(1, sizeof(*agent));
	if (!agent)
		return TS_E_NOMEM;
	agent->side = side;
	agent->name = strdup(name);
	agent->ops = *ops;
	agent->ctx = ctx;
	agent->type_count = count;
	if (count) {
		memcpy(agent->vendors, vendors, count * sizeof(*vendors));
		memcpy(agent->subtypes, subtypes, count * sizeof(*subtypes));
	}
	agent->conns = conn_table_create(TNC_AGENT_MAX_CONNECTIONS, free_state, agent);
	if (!agent->name || !agent->conns) {
		tnc_agent_destroy(agent);
		return TS_E_NOMEM;
	}
	*out = agent;
	return TS_OK;
}

void tnc_agent_destroy(tnc_agent_t *agent)
{
	if (!agent)
		return;
	conn_table_destroy(agent->conns);
	free(agent->name);
	free(agent);
}

void *tnc_agent_context(const tnc_agent_t *agent)
{
	return agent->ctx;
}

const char *tnc_agent_name(const tnc_agent_t *agent)
{
	return agent->name;
}

TNC_UInt32 tnc_agent_id(const tnc_agent_t *agent)
{
	return agent->id;
}

/* Every entry point checks that it was initialized and called with our own id. */
static TNC_Result check_id(const tnc_agent_t *agent, TNC_UInt32 id)
{
	if (!agent || !agent->initialized)
		return TNC_RESULT_NOT_INITIALIZED;
	if (id != agent->id) {
		log_error(subsys_of(agent), "%s: called with id %lu, but initialized as %lu",
			  agent->name, id, agent->id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	return TNC_RESULT_SUCCESS;
}

TNC_Result tnc_agent_initialize(tnc_agent_t *agent, TNC_UInt32 id, TNC_Version min_version,
				TNC_Version max_version, TNC_Version *actual_version)
{
	if (agent->initialized)
		return TNC_RESULT_ALREADY_INITIALIZED;
	/* Version 1 is the only API version of IF-IMC 1.1-1.3 and IF-IMV 1.1-1.4. */
	if (min_version > TNC_IFIMC_VERSION_1 || max_version < TNC_IFIMC_VERSION_1) {
		log_error(subsys_of(agent), "%s: no common API version (host offers %lu..%lu, we speak 1)",
			  agent->name, min_version, max_version);
		return TNC_RESULT_NO_COMMON_VERSION;
	}
	if (actual_version)
		*actual_version = TNC_IFIMC_VERSION_1;
	agent->id = id;
	agent->initialized = true;
	log_info(subsys_of(agent), "%s: initialized with id %lu", agent->name, id);
	return TNC_RESULT_SUCCESS;
}

/* Binds one host function by its IF-IMC or IF-IMV name; missing optional ones stay NULL. */
static void bind_one(tnc_agent_t *agent, tnc_agent_bind_fn bind, const char *suffix, void *slot)
{
	char name[64];
	void *fn = NULL;

	snprintf(name, sizeof(name), "%s%s", agent->side == TNC_AGENT_IMC ? "TNC_TNCC_" : "TNC_TNCS_",
		 suffix);
	if (bind(agent->id, name, &fn) != TNC_RESULT_SUCCESS)
		fn = NULL;
	memcpy(slot, &fn, sizeof(fn));
}

static TNC_Result report_types(tnc_agent_t *agent)
{
	TNC_MessageType legacy[TNC_AGENT_MAX_TYPES];
	TNC_VendorID vendors[TNC_AGENT_MAX_TYPES];
	TNC_MessageSubtype subtypes[TNC_AGENT_MAX_TYPES];

	memcpy(vendors, agent->vendors, sizeof(vendors));
	memcpy(subtypes, agent->subtypes, sizeof(subtypes));
	if (agent->host.report_message_types_long)
		return agent->host.report_message_types_long(agent->id, vendors, subtypes,
							     agent->type_count);
	if (!agent->host.report_message_types)
		return TNC_RESULT_FATAL;
	for (size_t i = 0; i < agent->type_count; i++) {
		if (!TNC_MESSAGETYPE_FITS(vendors[i], subtypes[i]))
			return TNC_RESULT_INVALID_PARAMETER;
		legacy[i] = TNC_MESSAGETYPE_PACK(vendors[i], subtypes[i]);
	}
	return agent->host.report_message_types(agent->id, legacy, agent->type_count);
}

TNC_Result tnc_agent_provide_bind_function(tnc_agent_t *agent, TNC_UInt32 id, tnc_agent_bind_fn bind)
{
	TNC_Result rc = check_id(agent, id);

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	if (!bind)
		return TNC_RESULT_INVALID_PARAMETER;

	bind_one(agent, bind, "ReportMessageTypes", &agent->host.report_message_types);
	bind_one(agent, bind, "ReportMessageTypesLong", &agent->host.report_message_types_long);
	bind_one(agent, bind, "SendMessage", &agent->host.send_message);
	bind_one(agent, bind, "SendMessageLong", &agent->host.send_message_long);
	bind_one(agent, bind, "RequestHandshakeRetry", &agent->host.request_handshake_retry);
	bind_one(agent, bind, "GetAttribute", &agent->host.get_attribute);
	bind_one(agent, bind, "SetAttribute", &agent->host.set_attribute);
	if (agent->side == TNC_AGENT_IMV) {
		bind_one(agent, bind, "ProvideRecommendation", &agent->host.provide_recommendation);
		if (!agent->host.provide_recommendation) {
			log_error(LOG_SUBSYS_IMV, "%s: the TNCS has no TNC_TNCS_ProvideRecommendation",
				  agent->name);
			return TNC_RESULT_FATAL;
		}
	}
	if (!agent->host.send_message && !agent->host.send_message_long) {
		log_error(subsys_of(agent), "%s: the host offers no SendMessage function", agent->name);
		return TNC_RESULT_FATAL;
	}

	rc = report_types(agent);
	if (rc != TNC_RESULT_SUCCESS)
		log_error(subsys_of(agent), "%s: reporting message types failed with result %lu",
			  agent->name, rc);
	return rc;
}

TNC_Result tnc_agent_notify_connection_change(tnc_agent_t *agent, TNC_UInt32 id,
					      TNC_ConnectionID conn, TNC_ConnectionState new_state)
{
	TNC_Result rc = check_id(agent, id);
	conn_ref *ref = NULL;
	void *state = NULL;
	int err;

	if (rc != TNC_RESULT_SUCCESS)
		return rc;

	switch (new_state) {
	case TNC_CONNECTION_STATE_CREATE:
		if (agent->ops.conn_create) {
			rc = agent->ops.conn_create(agent, conn, &state);
			if (rc != TNC_RESULT_SUCCESS)
				return rc;
		}
		err = conn_table_add(agent->conns, conn, state);
		if (err != TS_OK) {
			log_conn(subsys_of(agent), LOG_LEVEL_ERROR, conn, "%s: cannot add connection: %s",
				 agent->name, ts_strerror(err));
			if (state && agent->ops.conn_free)
				agent->ops.conn_free(state);
			return err == TS_E_INVALID ? TNC_RESULT_INVALID_PARAMETER : TNC_RESULT_FATAL;
		}
		return TNC_RESULT_SUCCESS;

	case TNC_CONNECTION_STATE_DELETE:
		if (conn_table_remove(agent->conns, conn) != TS_OK)
			return TNC_RESULT_INVALID_PARAMETER;
		return TNC_RESULT_SUCCESS;

	default:
		state = conn_table_get(agent->conns, conn, &ref);
		if (!ref)
			return TNC_RESULT_INVALID_PARAMETER;
		if (agent->ops.conn_change)
			agent->ops.conn_change(agent, conn, state, new_state);
		conn_table_put(agent->conns, ref);
		return TNC_RESULT_SUCCESS;
	}
}

/* Runs one callback with the connection's state locked. */
typedef TNC_Result (*conn_call)(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, const void *arg);

static TNC_Result with_conn(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn, conn_call call,
			    const void *arg)
{
	TNC_Result rc = check_id(agent, id);
	conn_ref *ref = NULL;
	void *state;

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	state = conn_table_get(agent->conns, conn, &ref);
	if (!ref) {
		log_conn(subsys_of(agent), LOG_LEVEL_ERROR, conn, "%s: unknown connection", agent->name);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	rc = call(agent, conn, state, arg);
	conn_table_put(agent->conns, ref);
	return rc;
}

static TNC_Result call_begin(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, const void *arg)
{
	return agent->ops.begin_handshake ? agent->ops.begin_handshake(agent, conn, state)
					  : TNC_RESULT_SUCCESS;
}

TNC_Result tnc_agent_begin_handshake(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn)
{
	return with_conn(agent, id, conn, call_begin, NULL);
}

static TNC_Result call_receive(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, const void *arg)
{
	return agent->ops.receive ? agent->ops.receive(agent, conn, state, arg) : TNC_RESULT_SUCCESS;
}

TNC_Result tnc_agent_receive_message(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn,
				     TNC_BufferReference msg, TNC_UInt32 len, TNC_MessageType type)
{
	tnc_agent_msg m = {
		.flags = 0,
		.vendor = TNC_MESSAGETYPE_VENDOR(type),
		.subtype = TNC_MESSAGETYPE_SUBTYPE(type),
		.src_id = agent->side == TNC_AGENT_IMC ? TNC_IMVID_ANY : TNC_IMCID_ANY,
		.dst_id = agent->side == TNC_AGENT_IMC ? TNC_IMCID_ANY : TNC_IMVID_ANY,
		.data = msg,
		.len = len,
	};

	if (!msg && len)
		return TNC_RESULT_INVALID_PARAMETER;
	return with_conn(agent, id, conn, call_receive, &m);
}

TNC_Result tnc_agent_receive_message_long(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn,
					  TNC_UInt32 flags, TNC_BufferReference msg, TNC_UInt32 len,
					  TNC_VendorID vendor, TNC_MessageSubtype subtype,
					  TNC_UInt32 src_id, TNC_UInt32 dst_id)
{
	tnc_agent_msg m = {
		.flags = flags,
		.vendor = vendor,
		.subtype = subtype,
		.src_id = src_id,
		.dst_id = dst_id,
		.data = msg,
		.len = len,
	};

	if (!msg && len)
		return TNC_RESULT_INVALID_PARAMETER;
	return with_conn(agent, id, conn, call_receive, &m);
}

static TNC_Result call_batch_ending(tnc_agent_t *agent, TNC_ConnectionID conn, void *state,
				    const void *arg)
{
	return agent->ops.batch_ending ? agent->ops.batch_ending(agent, conn, state)
				       : TNC_RESULT_SUCCESS;
}

TNC_Result tnc_agent_batch_ending(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn)
{
	return with_conn(agent, id, conn, call_batch_ending, NULL);
}

static TNC_Result call_solicit(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, const void *arg)
{
	if (agent->ops.solicit_recommendation)
		return agent->ops.solicit_recommendation(agent, conn, state);
	/* A module without a solicit callback still provides one: no recommendation. */
	return tnc_agent_provide_recommendation(agent, conn,
						TNC_IMV_ACTION_RECOMMENDATION_NO_RECOMMENDATION,
						TNC_IMV_EVALUATION_RESULT_DONT_KNOW);
}

TNC_Result tnc_agent_solicit_recommendation(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn)
{
	return with_conn(agent, id, conn, call_solicit, NULL);
}

TNC_Result tnc_agent_terminate(tnc_agent_t *agent, TNC_UInt32 id)
{
	TNC_Result rc = check_id(agent, id);

	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	conn_table_destroy(agent->conns);
	agent->conns = conn_table_create(TNC_AGENT_MAX_CONNECTIONS, free_state, agent);
	agent->initialized = false;
	log_info(subsys_of(agent), "%s: terminated", agent->name);
	return agent->conns ? TNC_RESULT_SUCCESS : TNC_RESULT_FATAL;
}

TNC_Result tnc_agent_send(tnc_agent_t *agent, TNC_ConnectionID conn, bool exclusive, TNC_UInt32 dst_id,
			  TNC_VendorID vendor, TNC_MessageSubtype subtype, const uint8_t *msg, size_t len)
{
	TNC_Result rc;

	if (len > 0xFFFFFFFFUL)
		return TNC_RESULT_EXCEEDED_MAX_MESSAGE_SIZE;
	if (agent->host.send_message_long) {
		rc = agent->host.send_message_long(agent->id, conn,
						   exclusive ? TNC_MESSAGE_FLAGS_EXCLUSIVE : 0,
						   (TNC_BufferReference)msg, len, vendor, subtype,
						   dst_id);
	} else if (!exclusive && agent->host.send_message && TNC_MESSAGETYPE_FITS(vendor, subtype)) {
		rc = agent->host.send_message(agent->id, conn, (TNC_BufferReference)msg, len,
					      TNC_MESSAGETYPE_PACK(vendor, subtype));
	} else {
		log_conn(subsys_of(agent), LOG_LEVEL_ERROR, conn,
			 "%s: the host cannot send this message (exclusive or long type) without SendMessageLong",
			 agent->name);
		return TNC_RESULT_NO_LONG_MESSAGE_TYPES;
	}
	if (rc != TNC_RESULT_SUCCESS)
		log_conn(subsys_of(agent), LOG_LEVEL_ERROR, conn,
			 "%s: sending a %zu-byte message of type 0x%06lx/0x%02lx failed with result %lu",
			 agent->name, len, vendor, subtype, rc);
	return rc;
}

TNC_Result tnc_agent_request_retry(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_RetryReason reason)
{
	if (!agent->host.request_handshake_retry)
		return TNC_RESULT_CANT_RETRY;
	return agent->host.request_handshake_retry(agent->id, conn, reason);
}

TNC_Result tnc_agent_get_attribute(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_AttributeID attr,
				   void *buf, size_t buf_len, size_t *out_len)
{
	TNC_UInt32 len = 0;
	TNC_Result rc;

	if (!agent->host.get_attribute)
		return TNC_RESULT_INVALID_PARAMETER;
	rc = agent->host.get_attribute(agent->id, conn, attr, buf_len, buf, &len);
	if (rc == TNC_RESULT_SUCCESS)
		*out_len = len;
	return rc;
}

uint32_t tnc_agent_get_attribute_u32(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_AttributeID attr,
				     uint32_t def)
{
	uint8_t buf[4];
	size_t len = 0;

	if (tnc_agent_get_attribute(agent, conn, attr, buf, sizeof(buf), &len) != TNC_RESULT_SUCCESS ||
	    len != sizeof(buf))
		return def;
	return (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
}

TNC_Result tnc_agent_set_attribute(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_AttributeID attr,
				   const void *buf, size_t len)
{
	if (!agent->host.set_attribute)
		return TNC_RESULT_INVALID_PARAMETER;
	return agent->host.set_attribute(agent->id, conn, attr, len, (TNC_BufferReference)buf);
}

TNC_Result tnc_agent_provide_recommendation(tnc_agent_t *agent, TNC_ConnectionID conn,
					    TNC_UInt32 recommendation, TNC_UInt32 evaluation)
{
	if (agent->side != TNC_AGENT_IMV || !agent->host.provide_recommendation)
		return TNC_RESULT_ILLEGAL_OPERATION;
	log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, conn, "%s: recommendation %lu, evaluation %lu",
		 agent->name, recommendation, evaluation);
	return agent->host.provide_recommendation(agent->id, conn, recommendation, evaluation);
}

TNC_Result tnc_agent_set_reason(tnc_agent_t *agent, TNC_ConnectionID conn, const char *lang,
				const char *reason)
{
	TNC_Result rc;

	if (agent->side != TNC_AGENT_IMV)
		return TNC_RESULT_ILLEGAL_OPERATION;
	rc = tnc_agent_set_attribute(agent, conn, TNC_ATTRIBUTEID_REASON_STRING, reason, strlen(reason));
	if (rc == TNC_RESULT_SUCCESS && lang)
		rc = tnc_agent_set_attribute(agent, conn, TNC_ATTRIBUTEID_REASON_LANGUAGE, lang,
					     strlen(lang));
	return rc;
}
