/*
 * What host.c, host_imc.c and host_imv.c share: the host, module and
 * connection structures and the call context that tells a bound function
 * which module callback the current thread is in.
 */
#ifndef HOST_INTERNAL_H
#define HOST_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "tncifimc.h"
#include "tncifimv.h"

/*
 * Entry points of a module. IMC and IMV functions of the same role have the
 * same C signature (every argument is a TNC_UInt32 or a pointer), so one set
 * of pointer types serves both sides.
 */
typedef TNC_Result (*host_initialize_fn)(TNC_UInt32 id, TNC_Version min_version,
					 TNC_Version max_version, TNC_Version *actual_version);
typedef TNC_Result (*host_notify_fn)(TNC_UInt32 id, TNC_ConnectionID conn_id,
				     TNC_ConnectionState state);
/* BeginHandshake, BatchEnding and SolicitRecommendation. */
typedef TNC_Result (*host_conn_fn)(TNC_UInt32 id, TNC_ConnectionID conn_id);
typedef TNC_Result (*host_receive_fn)(TNC_UInt32 id, TNC_ConnectionID conn_id,
				      TNC_BufferReference message, TNC_UInt32 length,
				      TNC_MessageType type);
typedef TNC_Result (*host_receive_long_fn)(TNC_UInt32 id, TNC_ConnectionID conn_id,
					   TNC_UInt32 flags, TNC_BufferReference message,
					   TNC_UInt32 length, TNC_VendorID vendor_id,
					   TNC_MessageSubtype subtype, TNC_UInt32 source_id,
					   TNC_UInt32 destination_id);
typedef TNC_Result (*host_terminate_fn)(TNC_UInt32 id);
/* TNC_TNCC_BindFunctionPointer and TNC_TNCS_BindFunctionPointer are the same type. */
typedef TNC_Result (*host_bind_fn)(TNC_UInt32 id, char *name, void **out);
typedef TNC_Result (*host_provide_bind_fn)(TNC_UInt32 id, host_bind_fn bind);

typedef struct host_module {
	tnccs_host_t *host;
	size_t index;             /* in host->modules */
	char *name;
	char *path;
	void *handle;             /* from dlopen */
	TNC_UInt32 id;            /* primary IMC or IMV ID */

	host_initialize_fn initialize;
	host_notify_fn notify;
	host_conn_fn begin_handshake;   /* IMC only */
	host_conn_fn solicit;           /* IMV only */
	host_receive_fn receive;
	host_receive_long_fn receive_long;
	host_conn_fn batch_ending;
	host_terminate_fn terminate;
	host_provide_bind_fn provide_bind;

	bool initialized;         /* Initialize succeeded, Terminate is due */
	atomic_bool failed;       /* returned TNC_RESULT_FATAL: never called again */
	atomic_uint complaints;   /* misbehaviour seen, for rate-limited logging */

	/* Subscribed message types, under host->types_lock. */
	uint32_t *type_vendors;
	uint32_t *type_subtypes;
	size_t type_count;

	uint32_t extra_ids;       /* reserved additional IDs, under host->ids_lock */
} host_module;

#define HOST_CONN_BUCKETS 256

struct tnccs_host {
	bool is_server;
	host_options options;

	host_module *modules[HOST_MAX_MODULES];
	size_t module_count;

	/* IMC/IMV ID -> module; written under ids_lock, read without it. */
	_Atomic(host_module *) id_owner[HOST_MAX_IDS];
	TNC_UInt32 next_id;
	pthread_mutex_t ids_lock;

	pthread_rwlock_t types_lock;

	/* Connections by ID, for bound functions called outside a callback. */
	pthread_rwlock_t conns_lock;
	host_conn_t *conn_buckets[HOST_CONN_BUCKETS];
	size_t conn_count;
};

/* What one IMV told the TNCS about one connection. */
typedef struct host_conn_verdict {
	bool have_recommendation;
	TNC_IMV_Action_Recommendation recommendation;
	TNC_IMV_Evaluation_Result evaluation;
	char *reason;            /* UTF-8 without NUL, or NULL */
	char *reason_lang;       /* RFC 4646 tag, or NULL */
} host_conn_verdict;

struct host_conn {
	tnccs_host_t *host;
	host_conn_t *next_in_bucket;
	TNC_ConnectionID id;

	char *ift_protocol;
	char *ift_version;
	char *peer_cert_subject;
	char *sasl_identity;
	uint32_t max_batch_size;
	uint32_t max_message_size;  /* of one PA message */
	bool notified;              /* the modules saw CREATE */

	/*
	 * Guards the fields below it up to the message queue: modules may
	 * change them from any thread.
	 */
	pthread_mutex_t lock;
	host_conn_verdict *verdicts;  /* one per module (TNCS) */
	char *language;               /* TNCS: the client's Accept-Language value */
	bool retry_requested;         /* TNCC */
	TNC_RetryReason retry_reason;
	uint32_t retries;             /* TNCC: retries taken by the session */

	/* Messages sent by modules; only the driving thread touches these. */
	host_msg *msgs;
	uint8_t **bodies;
	size_t msg_count;
	size_t msg_cap;
	size_t send_budget;
	size_t send_used;
};

/*
 * The module callback the current thread is in. Send functions accept a
 * message only when this names the sending module and the connection and
 * allows sending.
 */
typedef struct host_call {
	host_conn_t *conn;
	host_module *module;
	bool may_send;
	struct host_call *outer;
} host_call;

extern __thread host_call *host_current_call;

/* The one TNCC and the one TNCS of this process, for the bound functions. */
extern _Atomic(tnccs_host_t *) host_active_tncc;
extern _Atomic(tnccs_host_t *) host_active_tncs;

void host_call_enter(host_call *call, host_conn_t *conn, host_module *module, bool may_send);
void host_call_leave(host_call *call);

/*
 * Logs a non-success result of a module call with the module name; after
 * TNC_RESULT_FATAL the module is marked failed. Returns rc.
 */
TNC_Result host_check_result(host_module *module, const host_conn_t *conn, const char *function,
			     TNC_Result rc);

/* Logs misbehaviour of a module, rate-limited per module. */
void host_complain(host_module *module, TNC_ConnectionID conn_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The module that owns ID id (primary or additional), or NULL. */
host_module *host_module_by_id(tnccs_host_t *host, TNC_UInt32 id);

/* Whether module is usable: loaded, initialized and not failed. */
bool host_module_usable(const host_module *module);

/*
 * Finds connection conn_id and returns it with conn->lock held, or NULL.
 * Uses the current call context when it names that connection.
 */
host_conn_t *host_conn_lock(tnccs_host_t *host, TNC_ConnectionID conn_id);
void host_conn_unlock(host_conn_t *conn);

/* Bound functions both sides share, behind the TNC_TNCC_ and TNC_TNCS_ wrappers. */
/* Legacy lists pass types; long lists pass vendors and subtypes. */
TNC_Result host_report_types(tnccs_host_t *host, TNC_UInt32 id, bool legacy,
			     const TNC_MessageType *types, const TNC_VendorID *vendors,
			     const TNC_MessageSubtype *subtypes, TNC_UInt32 count);
TNC_Result host_send(tnccs_host_t *host, TNC_UInt32 id, TNC_ConnectionID conn_id,
		     TNC_UInt32 flags, const uint8_t *message, TNC_UInt32 length,
		     TNC_VendorID vendor_id, TNC_MessageSubtype subtype, TNC_UInt32 destination_id);
TNC_Result host_get_attribute(tnccs_host_t *host, TNC_UInt32 id, TNC_ConnectionID conn_id,
			      TNC_AttributeID attribute, TNC_UInt32 buffer_len, uint8_t *buffer,
			      TNC_UInt32 *value_len);
TNC_Result host_reserve_id(tnccs_host_t *host, TNC_UInt32 id, TNC_UInt32 *out);

/* The bind functions handed to IMCs (host_imc.c) and IMVs (host_imv.c). */
TNC_Result host_imc_bind(TNC_IMCID imc_id, char *name, void **out);
TNC_Result host_imv_bind(TNC_IMVID imv_id, char *name, void **out);

/* host_imv.c: TNCS SetAttribute for reason strings. */
TNC_Result host_imv_set_attribute(tnccs_host_t *host, TNC_UInt32 id, TNC_ConnectionID conn_id,
				  TNC_AttributeID attribute, TNC_UInt32 length,
				  const uint8_t *buffer);

#endif
