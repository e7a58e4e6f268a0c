/*
 * The IMC/IMV host: the TNC client (TNCC) or TNC server (TNCS) side of the
 * TCG IF-IMC 1.3 and IF-IMV 1.4 APIs.
 *
 * A host loads the modules listed in a tnc_config file with dlopen,
 * initializes them, hands them its bind function and routes PA messages
 * between the PB-TNC layer and the modules. One host serves every
 * connection of a program; each connection has a host_conn_t, which
 * tnccs_session.c drives from its PB-TNC state machine:
 *
 *   client: host_conn_create, host_conn_notify(CREATE), ...(HANDSHAKE),
 *           host_conn_begin_handshake, then per received batch
 *           host_conn_deliver for each PB-PA message and host_conn_batch_ending;
 *           the messages the IMCs sent are taken with host_conn_take_messages.
 *   server: the same without begin_handshake; host_conn_all_recommended,
 *           host_conn_solicit and host_conn_get_recommendation decide the
 *           RESULT batch.
 *
 * Thread safety: host functions may be called from several threads, each
 * working on its own host_conn_t; one host_conn_t is driven by one thread
 * at a time. Modules may call the bound TNCC/TNCS functions from any thread.
 * Send calls are accepted only from the thread that is inside that module's
 * callback for that connection; the other functions look the connection up
 * under a lock.
 *
 * A module that misbehaves (returns an error, sends outside a callback or
 * for an unknown connection, passes invalid arguments) is logged with its
 * name and gets an error result; a module that returns TNC_RESULT_FATAL is
 * no longer called and counts as an IMV without a recommendation.
 */
#ifndef HOST_H
#define HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tncif.h"
#include "tncifimv.h"
#include "tnccs_session.h"
#include "ts_error.h"

struct conf;

/*
 * How the TNCS combines the IMV recommendations into one. An IMV that gave
 * no recommendation at all, even when solicited (or that failed), counts as
 * NO_ACCESS with evaluation ERROR under DEFAULT and ALL, and is left out
 * under ANY, so a silent or broken IMV never opens access.
 */
typedef enum host_policy {
	/*
	 * The most restrictive recommendation wins: no access, then isolate,
	 * then allow; NO_RECOMMENDATION only when no IMV gave another. The
	 * evaluation is the worst one: error, major, minor, compliant, then
	 * don't know.
	 */
	HOST_POLICY_DEFAULT,
	/*
	 * Every IMV must agree: the common recommendation and evaluation when
	 * all IMVs gave the same, else NO_RECOMMENDATION (sent as access
	 * denied) and DONT_KNOW.
	 */
	HOST_POLICY_ALL,
	/*
	 * One IMV suffices: allow if any IMV allows, else isolate if any
	 * isolates, else no access if any denies. The evaluation is the best
	 * one: compliant, minor, major, error, then don't know.
	 */
	HOST_POLICY_ANY,
} host_policy;

/* Defaults of host_options. */
#define HOST_DEFAULT_MAX_ROUND_TRIPS   20
#define HOST_DEFAULT_MAX_BATCH_SIZE    (2 * 1024 * 1024)
#define HOST_DEFAULT_MAX_RETRIES       2
#define HOST_DEFAULT_MAX_EXTRA_IDS     8
#define HOST_DEFAULT_LANGUAGE          "en"
/* Upper bounds the configuration cannot exceed. */
#define HOST_MAX_MODULES               32
#define HOST_MAX_IDS                   512   /* primary and additional IDs together */
#define HOST_MAX_TYPES                 256   /* entries in one ReportMessageTypes list */
#define HOST_MAX_REASON_LEN            1024
#define HOST_MAX_LANGUAGE_LEN          256

/* PB-TNC overhead around one PA message: 12 message header + 12 PB-PA header. */
#define HOST_PB_PA_OVERHEAD            24
/* PB-TNC batch header. */
#define HOST_PB_BATCH_HEADER           8

typedef struct host_options {
	/*
	 * Round trips (CDATA and SDATA pairs) of one handshake. At the limit the
	 * TNCS solicits the missing recommendations and sends RESULT; a TNCC
	 * closes a session whose server exceeds it. Given to modules as
	 * TNC_ATTRIBUTEID_MAX_ROUND_TRIPS.
	 */
	uint32_t max_round_trips;
	/* Largest PB-TNC batch, used when the transport gives no limit. */
	uint32_t max_batch_size;
	/* Retries (CRETRY) one client session may request. */
	uint32_t max_retries;
	/* IDs one module may add with ReserveAdditionalIMCID/IMVID. */
	uint32_t max_extra_ids;
	/* TNCS only. */
	host_policy policy;
	/* TNCC: language tags of PB-Language-Preference, e.g. "en" or "de, en". */
	char language[HOST_MAX_LANGUAGE_LEN];
	/*
	 * TNCS: Remediation-URI sent in PB-Remediation-Parameters of a RESULT
	 * batch that does not allow access; empty: none.
	 */
	char remediation_uri[HOST_MAX_REASON_LEN];
} host_options;

/* Fills o with the defaults above. */
void host_options_init(host_options *o);

/*
 * Reads the keys max_round_trips, max_batch_size, max_retries,
 * max_extra_ids, recommendation_policy (default, all or any), language and
 * remediation_uri from `section` of conf over the values already in o.
 * Returns TS_E_CONFIG (logged with file, line and key) for an invalid value.
 */
TS_MUST_CHECK int host_options_from_conf(const struct conf *conf, const char *section,
					 host_options *o);

/* "default", "all", "any"; host_policy_parse returns TS_E_INVALID for others. */
const char *host_policy_name(host_policy policy);
TS_MUST_CHECK int host_policy_parse(const char *text, host_policy *out);

/* Creates a host without modules: a TNCC (is_server false) or a TNCS. */
TS_MUST_CHECK int host_create(bool is_server, const host_options *options, tnccs_host_t **out);

/*
 * Loads the IMC lines (TNCC) or IMV lines (TNCS) of a tnc_config file (NULL:
 * /etc/tnc_config). A syntax error or a module that fails to load stops
 * loading and returns the error; modules loaded before it stay loaded. The
 * error is logged and, when err is not NULL, written into it.
 */
TS_MUST_CHECK int host_load_tnc_config(tnccs_host_t *host, const char *path, char *err,
				       size_t err_size);

/*
 * Loads one module: dlopen, resolves the entry points, Initialize with
 * version negotiation, ProvideBindFunction. Returns TS_E_NOT_FOUND when the
 * library cannot be opened, TS_E_INVALID when a mandatory function is
 * missing, TS_E_UNSUPPORTED when the module has no common API version, and
 * TS_E_STATE when sessions exist already.
 */
TS_MUST_CHECK int host_load_module(tnccs_host_t *host, const char *name, const char *path,
				   char *err, size_t err_size);

/* Terminates and unloads every module. No session may be left. */
void host_destroy(tnccs_host_t *host);

bool host_is_server(const tnccs_host_t *host);
const host_options *host_get_options(const tnccs_host_t *host);
size_t host_module_count(const tnccs_host_t *host);
/* Name and primary ID of module i (0 <= i < host_module_count), or NULL. */
const char *host_module_name(const tnccs_host_t *host, size_t i);
TNC_UInt32 host_module_id(const tnccs_host_t *host, size_t i);
/* Whether module i returned TNC_RESULT_FATAL and is no longer called. */
bool host_module_failed(const tnccs_host_t *host, size_t i);

/* The per-connection part. */
typedef struct host_conn host_conn_t;

/* One PA message on its way between the PB-TNC layer and the modules. */
typedef struct host_msg {
	bool exclusive;           /* PB-PA EXCL flag */
	uint32_t vendor_id;       /* PA Message Vendor ID, 24 bits */
	uint32_t subtype;         /* PA Subtype */
	uint16_t collector_id;    /* Posture Collector Identifier (IMC ID) */
	uint16_t validator_id;    /* Posture Validator Identifier (IMV ID) */
	const uint8_t *body;      /* PA-TNC message */
	size_t len;
} host_msg;

/*
 * Creates the host state of one connection and registers info->conn_id with
 * the host; TS_E_STATE if that ID is in use. Nothing is sent to the modules
 * yet.
 */
TS_MUST_CHECK int host_conn_create(tnccs_host_t *host, const tnccs_conn_info *info,
				   host_conn_t **out);
/* Tells the modules DELETE (if they saw CREATE) and frees the connection. */
void host_conn_destroy(host_conn_t *conn);

TNC_ConnectionID host_conn_id(const host_conn_t *conn);

/* The largest PB-TNC batch of this connection: transport and configured limit. */
uint32_t host_conn_max_batch_size(const host_conn_t *conn);

/*
 * Calls NotifyConnectionChange on every module. HANDSHAKE also forgets the
 * recommendations and reason strings of an earlier handshake.
 */
void host_conn_notify(host_conn_t *conn, TNC_ConnectionState state);

/* TNCC: calls BeginHandshake on every IMC. */
void host_conn_begin_handshake(host_conn_t *conn);

/* Routes one received PB-PA message to the subscribed modules. */
void host_conn_deliver(host_conn_t *conn, const host_msg *msg);

/* Calls BatchEnding on every module. */
void host_conn_batch_ending(host_conn_t *conn);

/*
 * Sets the room in octets, after the PB-TNC batch header and the other
 * messages of the next batch, for the messages modules send. A Send call
 * that does not fit returns TNC_RESULT_EXCEEDED_MAX_MESSAGE_SIZE.
 */
void host_conn_set_send_budget(host_conn_t *conn, size_t octets);

/*
 * The messages the modules sent since the last call, in order. The array
 * and bodies stay valid until host_conn_clear_messages() or the next callback.
 */
const host_msg *host_conn_messages(const host_conn_t *conn, size_t *count);
void host_conn_clear_messages(host_conn_t *conn);

/* TNCS: stores the client's PB-Language-Preference value (header included). */
void host_conn_set_language(host_conn_t *conn, const uint8_t *value, size_t len);

/*
 * TNCC: returns true once and clears the request when an IMC asked for a
 * handshake retry (TNC_TNCC_RequestHandshakeRetry) since the last call.
 */
bool host_conn_take_retry(host_conn_t *conn, TNC_RetryReason *reason);

/* TNCS: whether every IMV still in service has provided a recommendation. */
bool host_conn_all_recommended(host_conn_t *conn);

/* TNCS: calls SolicitRecommendation on every IMV without a recommendation. */
void host_conn_solicit(host_conn_t *conn);

/*
 * TNCS: combines the recommendations by the host's policy (see host_policy).
 * Without any IMV the result is NO_RECOMMENDATION and DONT_KNOW, which is
 * sent as access denied.
 */
void host_conn_get_recommendation(host_conn_t *conn, TNC_IMV_Action_Recommendation *rec,
				  TNC_IMV_Evaluation_Result *eval);

/*
 * TNCS: reason string number i set by the IMVs (TNC_ATTRIBUTEID_REASON_STRING
 * and _LANGUAGE) for this handshake, copied into the buffers (cut to fit).
 * Returns false when there is no reason number i.
 */
bool host_conn_get_reason(host_conn_t *conn, size_t i, char *reason, size_t reason_size,
			  char *lang, size_t lang_size);

/* Maps a recommendation to the PB-Access-Recommendation code (1, 2, 3). */
uint16_t host_access_code(TNC_IMV_Action_Recommendation rec);
/* Maps a PB-Access-Recommendation code to a TNC_CONNECTION_STATE_ACCESS_*. */
TNC_ConnectionState host_access_state(uint16_t code);

const char *host_recommendation_name(TNC_IMV_Action_Recommendation rec);
const char *host_evaluation_name(TNC_IMV_Evaluation_Result eval);
const char *host_state_name(TNC_ConnectionState state);

#endif
