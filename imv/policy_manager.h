/*
 * The policy manager: sessions and workitems in config.db.
 *
 * This is the start/stop logic of strongSwan's imv_policy_manager, built
 * into the IMVs. pm_session_attach() finds or creates the product, device,
 * identities and session of a connection and, for a new session, derives
 * its workitems from the enforcements of the device's groups. Each IMV
 * evaluates the workitems of the types it handles, records results with
 * pm_workitem_set_result(), and on the final connection state calls
 * pm_session_stop(), which copies the results into the results table and
 * deletes the workitems.
 *
 * Both tncsuite IMVs see the same first batch (product information and
 * device ID), so the first one to call pm_session_attach() creates the
 * session and the second attaches to it: a session is shared when it has
 * the same connection ID, device and product, is undecided (rec 3), and was
 * created less than PM_SESSION_SHARE_SECONDS ago and not before this process
 * started (a restarted tnc-server counts connection IDs from 1 again).
 *
 * Fail closed: a caller that gets an error here must not recommend allow.
 */
#ifndef POLICY_MANAGER_H
#define POLICY_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "tnc_agent.h"
#include "ts_error.h"

/* Window in which a second IMV attaches to the session the first created. */
#define PM_SESSION_SHARE_SECONDS 60
/* A group chain deeper than this is taken as a cycle in groups.parent. */
#define PM_MAX_GROUP_DEPTH 32
#define PM_MAX_WORKITEMS 1024

/* Workitem types (workitems.type, policies.type). */
enum pm_workitem_type {
	PM_WORKITEM_PCKGS = 1,   /* installed packages */
	PM_WORKITEM_UNSRC = 2,   /* unknown package source */
	PM_WORKITEM_FWDEN = 3,   /* IP forwarding enabled */
	PM_WORKITEM_PWDEN = 4,   /* factory default password enabled */
	PM_WORKITEM_FREFM = 5,   /* file reference measurement */
	PM_WORKITEM_FMEAS = 6,   /* file measurement */
	PM_WORKITEM_FMETA = 7,   /* file metadata */
	PM_WORKITEM_DREFM = 8,   /* directory reference measurement */
	PM_WORKITEM_DMEAS = 9,   /* directory measurement */
	PM_WORKITEM_DMETA = 10,  /* directory metadata */
	PM_WORKITEM_TCPOP = 11,
	PM_WORKITEM_TCPBL = 12,
	PM_WORKITEM_UDPOP = 13,
	PM_WORKITEM_UDPBL = 14,
	PM_WORKITEM_SWIDT = 15,  /* software inventory */
	PM_WORKITEM_TPMRA = 16,  /* TPM remote attestation */
	PM_WORKITEM_TYPE_MAX = 16,
};

/* Recommendation codes as config.db stores them (same values as TNC_IMV_ACTION_RECOMMENDATION_*). */
enum pm_rec {
	PM_REC_ALLOW = 0,
	PM_REC_NO_ACCESS = 1,
	PM_REC_ISOLATE = 2,
	PM_REC_NONE = 3,
};

/* Evaluation results (same values as TNC_IMV_EVALUATION_RESULT_*). */
enum pm_eval {
	PM_EVAL_COMPLIANT = 0,
	PM_EVAL_NONCOMPLIANT_MINOR = 1,
	PM_EVAL_NONCOMPLIANT_MAJOR = 2,
	PM_EVAL_ERROR = 3,
	PM_EVAL_DONT_KNOW = 4,
};

/* Maximum number of identities taken from TNC_ATTRIBUTEID_AR_IDENTITIES. */
#define PM_MAX_IDENTITIES 16
/* Size of the buffer the AR identities are read into. */
#define PM_MAX_IDENTITY_BUFFER (64 * 1024)

/* An access-requestor identity (identities.type uses the TCG identity types). */
typedef struct pm_identity {
	uint32_t type;
	const uint8_t *value;
	size_t len;
} pm_identity;

typedef struct pm_session_info {
	unsigned long connection;
	const char *product;       /* "Debian 12 x86_64" */
	const char *device;        /* device ID, e.g. the AK keyid in lowercase hex */
	const pm_identity *identities;
	size_t identity_count;
} pm_session_info;

typedef struct pm_session {
	int64_t id;
	int64_t device_id;
	int64_t product_id;
	bool device_trusted;       /* devices.trusted */
	bool created;              /* this call created the session and its workitems */
} pm_session;

typedef struct pm_workitem {
	int64_t id;
	int type;
	char *arg_str;             /* never NULL */
	int64_t arg_int;
	int rec_fail;
	int rec_noresult;
	bool done;                 /* a result was recorded */
	int evaluation;            /* PM_EVAL_* once done; derived from rec_final for loaded rows */
	int rec_final;
	char *result;              /* NULL until done */
} pm_workitem;

/* Finds or creates the session of a connection, in one transaction. */
TS_MUST_CHECK int pm_session_attach(db_t *db, const pm_session_info *info, pm_session *out);

/*
 * Loads the session's workitems whose type is in types[0..type_count) into
 * a malloc()ed array (free with pm_workitems_free).
 */
TS_MUST_CHECK int pm_workitems_load(db_t *db, int64_t session, const int *types, size_t type_count,
				    pm_workitem **out, size_t *count);
void pm_workitems_free(pm_workitem *items, size_t count);

/*
 * Records a workitem's result: COMPLIANT yields allow, NONCOMPLIANT_* its
 * rec_fail, ERROR and DONT_KNOW its rec_noresult. Updates *item too.
 */
TS_MUST_CHECK int pm_workitem_set_result(db_t *db, pm_workitem *item, const char *result, int evaluation);

/*
 * Combines workitems into one recommendation and evaluation: the most severe
 * wins (no access > isolate > allow; error > major > minor > compliant). A
 * workitem without a result counts as an error with its rec_noresult. No
 * workitems at all: allow with "don't know".
 */
void pm_combine(const pm_workitem *items, size_t count, int *rec, int *eval);

/*
 * Ends the session for the IMV that handles `types`: writes sessions.rec,
 * copies the finished workitems of those types (and of types no tncsuite IMV
 * handles) into results, and deletes them, in one transaction.
 */
TS_MUST_CHECK int pm_session_stop(db_t *db, int64_t session, int final_rec, const int *types,
				  size_t type_count);

const char *pm_workitem_type_name(int type);
const char *pm_rec_name(int rec);
const char *pm_eval_name(int eval);

/*
 * Parses an IF-IMV 1.4 AR identities buffer (uint32 count, then per
 * identity: type vendor, type, uint32 value length and value, subject
 * vendor and type, authentication method vendor and method) and keeps the
 * TCG identities with a non-empty value, at most max. Values point into
 * buf. TS_E_TRUNCATED or TS_E_TRAILING for a malformed buffer.
 */
TS_MUST_CHECK int pm_parse_identities(const uint8_t *buf, size_t len, pm_identity *out, size_t max,
				      size_t *count);

/*
 * Reads the AR identities the TNCS holds for conn and parses them into ids
 * (at most PM_MAX_IDENTITIES). The values point into *buf, which the caller
 * frees. Returns how many were kept: 0 when the TNCS has none, or when its
 * buffer is malformed (logged with imv_name).
 */
size_t pm_read_identities(tnc_agent_t *agent, TNC_ConnectionID conn, const char *imv_name, uint8_t **buf,
			  pm_identity *ids);

#endif
