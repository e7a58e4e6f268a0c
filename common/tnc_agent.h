/*
 * The module side of IF-IMC 1.3 and IF-IMV 1.4, shared by every IMC and IMV.
 *
 * A module creates one agent in TNC_IMC_Initialize (or TNC_IMV_Initialize)
 * and forwards each TNC_IMC_* / TNC_IMV_* entry point to the matching
 * tnc_agent_* function. The agent negotiates the API version, binds the
 * TNCC or TNCS functions, reports the module's message types, keeps
 * per-connection state (created on CREATE, freed on DELETE) and calls the
 * module's callbacks with that state locked, so two threads never work on
 * one connection at once while different connections run in parallel.
 *
 * Messages go out through tnc_agent_send(). The module's PA-TNC layer builds
 * the message body first; that is where IF-M segmentation splits attributes
 * larger than the peer's segment size.
 */
#ifndef TNC_AGENT_H
#define TNC_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tncif.h"
#include "ts_error.h"

typedef struct tnc_agent tnc_agent_t;

typedef enum tnc_agent_side {
	TNC_AGENT_IMC,
	TNC_AGENT_IMV,
} tnc_agent_side;

/* A received message as the TNCC or TNCS delivered it. */
typedef struct tnc_agent_msg {
	TNC_UInt32 flags;            /* TNC_MESSAGE_FLAGS_EXCLUSIVE or 0 */
	TNC_VendorID vendor;
	TNC_MessageSubtype subtype;
	TNC_UInt32 src_id;           /* sending IMV (for an IMC) or IMC (for an IMV); *_ANY if unknown */
	TNC_UInt32 dst_id;
	const uint8_t *data;
	size_t len;
} tnc_agent_msg;

/* The module's callbacks, all optional. `state` is the connection's state. */
typedef struct tnc_agent_ops {
	/* Creates the state of a new connection (may leave *state NULL). */
	TNC_Result (*conn_create)(tnc_agent_t *agent, TNC_ConnectionID conn, void **state);
	/* Frees it after DELETE or at Terminate. */
	void (*conn_free)(void *state);
	/* Every other state change: HANDSHAKE, ACCESS_ALLOWED, ACCESS_ISOLATED, ACCESS_NONE. */
	void (*conn_change)(tnc_agent_t *agent, TNC_ConnectionID conn, void *state,
			    TNC_ConnectionState new_state);
	/* IMC only. */
	TNC_Result (*begin_handshake)(tnc_agent_t *agent, TNC_ConnectionID conn, void *state);
	TNC_Result (*receive)(tnc_agent_t *agent, TNC_ConnectionID conn, void *state,
			      const tnc_agent_msg *msg);
	TNC_Result (*batch_ending)(tnc_agent_t *agent, TNC_ConnectionID conn, void *state);
	/* IMV only: the TNCS wants a recommendation now. */
	TNC_Result (*solicit_recommendation)(tnc_agent_t *agent, TNC_ConnectionID conn, void *state);
} tnc_agent_ops;

/* Limits on the agent's own bookkeeping. */
#define TNC_AGENT_MAX_CONNECTIONS 65536
#define TNC_AGENT_MAX_TYPES 16

/* The bind function types of IF-IMC and IF-IMV have the same signature. */
typedef TNC_Result (*tnc_agent_bind_fn)(TNC_UInt32 id, char *function_name, void **function);

/*
 * Creates an agent named `name` (for log lines) that subscribes to the
 * `count` message types vendors[i]/subtypes[i]; ctx is the module's.
 */
TS_MUST_CHECK int tnc_agent_create(tnc_agent_side side, const char *name, const tnc_agent_ops *ops,
				   const TNC_VendorID *vendors, const TNC_MessageSubtype *subtypes,
				   size_t count, void *ctx, tnc_agent_t **out);
void tnc_agent_destroy(tnc_agent_t *agent);

void *tnc_agent_context(const tnc_agent_t *agent);
const char *tnc_agent_name(const tnc_agent_t *agent);
TNC_UInt32 tnc_agent_id(const tnc_agent_t *agent);

/* The entry points, with the arguments and results of the TNC_IMC_* / TNC_IMV_* functions. */
TNC_Result tnc_agent_initialize(tnc_agent_t *agent, TNC_UInt32 id, TNC_Version min_version,
				TNC_Version max_version, TNC_Version *actual_version);
TNC_Result tnc_agent_provide_bind_function(tnc_agent_t *agent, TNC_UInt32 id, tnc_agent_bind_fn bind);
TNC_Result tnc_agent_notify_connection_change(tnc_agent_t *agent, TNC_UInt32 id,
					      TNC_ConnectionID conn, TNC_ConnectionState new_state);
TNC_Result tnc_agent_begin_handshake(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn);
TNC_Result tnc_agent_receive_message(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn,
				     TNC_BufferReference msg, TNC_UInt32 len, TNC_MessageType type);
TNC_Result tnc_agent_receive_message_long(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn,
					  TNC_UInt32 flags, TNC_BufferReference msg, TNC_UInt32 len,
					  TNC_VendorID vendor, TNC_MessageSubtype subtype,
					  TNC_UInt32 src_id, TNC_UInt32 dst_id);
TNC_Result tnc_agent_batch_ending(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn);
TNC_Result tnc_agent_solicit_recommendation(tnc_agent_t *agent, TNC_UInt32 id, TNC_ConnectionID conn);
/* Frees every connection's state; the module then destroys the agent. */
TNC_Result tnc_agent_terminate(tnc_agent_t *agent, TNC_UInt32 id);

/*
 * Sends a PA message on conn. With `exclusive`, only the module dst_id gets
 * it (this needs SendMessageLong from the host); otherwise pass
 * TNC_IMVID_ANY or TNC_IMCID_ANY.
 */
TNC_Result tnc_agent_send(tnc_agent_t *agent, TNC_ConnectionID conn, bool exclusive,
			  TNC_UInt32 dst_id, TNC_VendorID vendor, TNC_MessageSubtype subtype,
			  const uint8_t *msg, size_t len);
TNC_Result tnc_agent_request_retry(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_RetryReason reason);

/*
 * Reads a connection attribute into buf (size buf_len). On success *out_len
 * is the attribute's full length, which may exceed buf_len.
 */
TNC_Result tnc_agent_get_attribute(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_AttributeID attr,
				   void *buf, size_t buf_len, size_t *out_len);
/* A 4-octet big-endian attribute such as TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, or def. */
uint32_t tnc_agent_get_attribute_u32(tnc_agent_t *agent, TNC_ConnectionID conn,
				     TNC_AttributeID attr, uint32_t def);
TNC_Result tnc_agent_set_attribute(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_AttributeID attr,
				   const void *buf, size_t len);

/* IMV only: the recommendation and evaluation for conn (TNC_IMV_ACTION_RECOMMENDATION_*, _EVALUATION_RESULT_*). */
TNC_Result tnc_agent_provide_recommendation(tnc_agent_t *agent, TNC_ConnectionID conn,
					    TNC_UInt32 recommendation, TNC_UInt32 evaluation);
/* IMV only: a reason string for conn, in language lang (e.g. "en"). */
TNC_Result tnc_agent_set_reason(tnc_agent_t *agent, TNC_ConnectionID conn, const char *lang,
				const char *reason);

#endif
