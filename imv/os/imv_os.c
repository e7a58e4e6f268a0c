/*
 * imv-os.so: the Operating System IMV.
 *
 * It subscribes to IETF/Operating System (PA vendor 0, subtype 1). Once a
 * message has brought Product Information, String Version and the ITA-HSR
 * Device ID, it attaches the connection's session in config.db through
 * the policy manager, with the access requestor's identities when the
 * TNCS provides TNC_ATTRIBUTEID_AR_IDENTITIES. It then evaluates the
 * session's workitems PCKGS, UNSRC, FWDEN and PWDEN (imv_os_eval.h) and
 * requests missing attributes with one IETF Attribute Request per round.
 * At the end of the batch that completes the evaluation it sends
 * Assessment Result (and Remediation Instructions when not compliant) and
 * provides the recommendation that pm_combine() derives. Without
 * workitems that is allow with evaluation "don't know".
 *
 * Fail closed: when config.db cannot be opened, the session cannot be
 * attached or a result cannot be recorded, or the client never sends its
 * identification, the recommendation is `fail_closed` with a reason
 * string, never allow. On the final connection state the session is
 * stopped, which moves the results into the results table.
 *
 * Configuration (file named by TNCSUITE_CONF):
 *
 *   [imv]     database = LOCALSTATEDIR/lib/tncsuite/config.db  (shared by all IMVs)
 *   [imv-os]  fail_closed = no-access     or isolate
 *             remediation_uri =           URI sent with Remediation Instructions
 *             debug =                     log levels, "3" or "imv=3,db=2"
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_msg.h"
#include "conf.h"
#include "db/db.h"
#include "imv_os_eval.h"
#include "log.h"
#include "pa/ietf_assessment_result.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_attr_request.h"
#include "pa/ietf_factory_default_pwd.h"
#include "pa/ietf_forwarding_enabled.h"
#include "pa/ietf_installed_packages.h"
#include "pa/ietf_numeric_version.h"
#include "pa/ietf_op_status.h"
#include "pa/ietf_pa_tnc_error.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_remediation.h"
#include "pa/ietf_string_version.h"
#include "pa/pa_registry.h"
#include "policy_manager.h"
#include "pts/ita_attr.h"
#include "pts/pts_attr_info.h"
#include "tnc_agent.h"
#include "tncifimv.h"

#define IMV_OS_NAME "imv-os"
#define IMV_OS_SECTION "imv-os"
#define IMV_OS_DEFAULT_DATABASE LOCALSTATEDIR "/lib/tncsuite/config.db"
/* Maximum length of a product name, version string or device ID accepted from a client. */
#define IMV_OS_MAX_STRING 255
#define IMV_OS_LANG "en"
/* Database connections one module keeps; that many connections can wait for config.db at once. */
#define IMV_OS_DB_POOL 4

/* The workitem types this IMV evaluates. */
static const int imv_os_types[] = { PM_WORKITEM_PCKGS, PM_WORKITEM_UNSRC, PM_WORKITEM_FWDEN, PM_WORKITEM_PWDEN };
#define IMV_OS_TYPE_COUNT (sizeof(imv_os_types) / sizeof(imv_os_types[0]))

typedef struct imv_os_module {
	tnc_agent_t *agent;
	char *db_path;
	int fail_closed_rec;        /* PM_REC_NO_ACCESS or PM_REC_ISOLATE */
	char *remediation_uri;      /* or NULL */
	/*
	 * A pool of database connections, each opened on first use and lent to
	 * one TNC connection at a time, so several can wait out a busy
	 * config.db in parallel.
	 */
	pthread_mutex_t pool_lock;
	pthread_cond_t pool_free;
	db_t *pool[IMV_OS_DB_POOL];
	bool pool_busy[IMV_OS_DB_POOL];
} imv_os_module;

/* Attributes that an Attribute Request of this IMV requests. */
enum imv_os_need {
	NEED_PRODUCT = 1 << 0,
	NEED_STRING_VERSION = 1 << 1,
	NEED_DEVICE_ID = 1 << 2,
	NEED_FORWARDING = 1 << 3,
	NEED_DEFAULT_PWD = 1 << 4,
	NEED_PACKAGES = 1 << 5,
};

typedef struct imv_os_conn {
	imv_os_module *module;
	TNC_ConnectionID id;

	/* What the client sent in this handshake. */
	char product[IMV_OS_MAX_STRING + 1];
	char version[IMV_OS_MAX_STRING + 1];
	bool have_version;          /* String Version arrived; its version may be empty */
	char device_id[IMV_OS_MAX_STRING + 1];
	bool have_forwarding;
	uint32_t forwarding;
	bool have_default_pwd;
	uint32_t default_pwd;
	bool packages_received;
	imv_os_pkg_check packages;
	unsigned requested;         /* NEED_* already requested */

	/* The session in config.db. */
	bool attached;
	bool stopped;
	pm_session session;
	pm_workitem *items;
	size_t item_count;
	imv_os_pkgdb *pkgdb;        /* NULL without a PCKGS workitem */

	/* The verdict. */
	bool decided;
	bool provided;
	int rec;
	int eval;
	char reason[IMV_OS_MAX_TEXT];
	char remediation[IMV_OS_MAX_TEXT];
} imv_os_conn;

static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;
static imv_os_module *module;

static const char *const known_keys[] = { "fail_closed", "remediation_uri", "debug", NULL };

/* --- configuration and database ------------------------------------------- */

static int config_load(imv_os_module *m)
{
	conf_t *conf = NULL;
	const char *debug, *fail_closed, *uri;
	int rc;

	rc = conf_load(conf_default_path(), &conf);
	if (rc == TS_E_NOT_FOUND) {
		log_info(LOG_SUBSYS_IMV, "%s: no configuration file %s, using the defaults", IMV_OS_NAME,
			 conf_default_path());
		conf = conf_new_empty();
		rc = conf ? TS_OK : TS_E_NOMEM;
	}
	if (rc != TS_OK)
		return rc;

	rc = TS_E_CONFIG;
	debug = conf_get_str(conf, IMV_OS_SECTION, "debug", NULL);
	if (debug && log_parse_levels(debug) != 0) {
		log_error(LOG_SUBSYS_IMV, "%s: invalid debug value '%s' in [%s]", IMV_OS_NAME, debug,
			  IMV_OS_SECTION);
		goto out;
	}
	conf_warn_unknown(conf, IMV_OS_SECTION, known_keys);

	fail_closed = conf_get_str(conf, IMV_OS_SECTION, "fail_closed", "no-access");
	if (strcmp(fail_closed, "no-access") == 0) {
		m->fail_closed_rec = PM_REC_NO_ACCESS;
	} else if (strcmp(fail_closed, "isolate") == 0) {
		m->fail_closed_rec = PM_REC_ISOLATE;
	} else {
		log_error(LOG_SUBSYS_IMV, "%s: invalid fail_closed value '%s' in [%s]: use no-access or isolate",
			  IMV_OS_NAME, fail_closed, IMV_OS_SECTION);
		goto out;
	}
	uri = conf_get_str(conf, IMV_OS_SECTION, "remediation_uri", NULL);
	if (uri && *uri && !(m->remediation_uri = strdup(uri))) {
		rc = TS_E_NOMEM;
		goto out;
	}
	rc = conf_get_path(conf, "imv", "database", IMV_OS_DEFAULT_DATABASE, &m->db_path);
out:
	conf_free(conf);
	return rc;
}

/*
 * Lends a database connection of the pool (waiting for a free one) and
 * puts it into *out and its slot into *slot. Give it back with
 * db_release(), also on failure.
 */
static int db_acquire(imv_os_module *m, TNC_ConnectionID conn, db_t **out, size_t *slot)
{
	size_t i = IMV_OS_DB_POOL;
	int rc;

	pthread_mutex_lock(&m->pool_lock);
	for (;;) {
		/* An open connection is preferred to one that still has to be opened. */
		for (size_t k = 0; k < IMV_OS_DB_POOL; k++)
			if (!m->pool_busy[k] && (i == IMV_OS_DB_POOL || (m->pool[k] && !m->pool[i])))
				i = k;
		if (i < IMV_OS_DB_POOL)
			break;
		pthread_cond_wait(&m->pool_free, &m->pool_lock);
	}
	m->pool_busy[i] = true;
	pthread_mutex_unlock(&m->pool_lock);
	*slot = i;

	if (!m->pool[i]) {
		/* A failure is not cached, so the next call tries again. */
		rc = db_open(m->db_path, 0, &m->pool[i]);
		if (rc != TS_OK) {
			log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, conn, "%s: cannot open the database %s: %s",
				 IMV_OS_NAME, m->db_path, ts_strerror(rc));
			m->pool[i] = NULL;
			return rc;
		}
	}
	*out = m->pool[i];
	return TS_OK;
}

static void db_release(imv_os_module *m, size_t slot)
{
	pthread_mutex_lock(&m->pool_lock);
	m->pool_busy[slot] = false;
	pthread_cond_signal(&m->pool_free);
	pthread_mutex_unlock(&m->pool_lock);
}

/* --- verdict ------------------------------------------------------------------ */

static void decide(imv_os_conn *c, int rec, int eval, const char *reason)
{
	c->decided = true;
	c->rec = rec;
	c->eval = eval;
	snprintf(c->reason, sizeof(c->reason), "%s", reason ? reason : "");
	log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, c->id, "%s: %s, evaluation %s%s%s", IMV_OS_NAME,
		 pm_rec_name(rec), pm_eval_name(eval), c->reason[0] ? ": " : "", c->reason);
}

static void decide_fail_closed(imv_os_conn *c, const char *reason)
{
	log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, c->id, "%s: failing closed: %s", IMV_OS_NAME, reason);
	decide(c, c->module->fail_closed_rec, PM_EVAL_ERROR, reason);
}

/* Appends text to buf, separated by "; ". */
static void append_text(char *buf, size_t size, const char *text)
{
	size_t used = strlen(buf);

	if (!text[0] || used + 3 >= size)
		return;
	snprintf(buf + used, size - used, "%s%s", used ? "; " : "", text);
}

/* Combines the workitems into the verdict; the reason lists what was not compliant. */
static void decide_from_items(imv_os_conn *c)
{
	char reason[IMV_OS_MAX_TEXT] = "";
	int rec, eval;

	pm_combine(c->items, c->item_count, &rec, &eval);
	for (size_t i = 0; i < c->item_count; i++)
		if (c->items[i].done && c->items[i].evaluation != PM_EVAL_COMPLIANT && c->items[i].result)
			append_text(reason, sizeof(reason), c->items[i].result);
	decide(c, rec, eval, reason);
}

/* --- session --------------------------------------------------------------------- */

/* Whether the session has a workitem of type; with open_only, one still without a result. */
static bool has_item(const imv_os_conn *c, int type, bool open_only)
{
	for (size_t i = 0; i < c->item_count; i++)
		if (c->items[i].type == type && !(open_only && c->items[i].done))
			return true;
	return false;
}

/* Attaches the session and loads its workitems; fails closed on any error. */
static void attach(imv_os_conn *c)
{
	imv_os_module *m = c->module;
	pm_identity ids[PM_MAX_IDENTITIES];
	char product[2 * IMV_OS_MAX_STRING + 2];
	uint8_t *id_buf = NULL;
	pm_session_info info = { 0 };
	db_t *db = NULL;
	size_t slot = 0;
	int rc;

	snprintf(product, sizeof(product), "%s%s%s", c->product, c->version[0] ? " " : "", c->version);
	info.connection = c->id;
	info.product = product;
	info.device = c->device_id;
	info.identities = ids;
	info.identity_count = pm_read_identities(m->agent, c->id, IMV_OS_NAME, &id_buf, ids);

	rc = db_acquire(m, c->id, &db, &slot);
	if (rc != TS_OK)
		goto out;
	rc = pm_session_attach(db, &info, &c->session);
	if (rc != TS_OK)
		goto out;
	rc = pm_workitems_load(db, c->session.id, imv_os_types, IMV_OS_TYPE_COUNT, &c->items, &c->item_count);
	if (rc != TS_OK)
		goto out;
	c->attached = true;
	if (has_item(c, PM_WORKITEM_PCKGS, false) && imv_os_pkgdb_load(db, c->session.product_id, &c->pkgdb) != TS_OK)
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, c->id,
			 "%s: cannot read the package versions of product %lld", IMV_OS_NAME,
			 (long long)c->session.product_id);
out:
	db_release(m, slot);
	free(id_buf);
	if (rc != TS_OK) {
		char reason[256];

		snprintf(reason, sizeof(reason), "the policy for this endpoint could not be set up (%s)",
			 ts_strerror(rc));
		decide_fail_closed(c, reason);
		return;
	}
	log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, c->id,
		 "%s: %s session %lld for device '%s', product '%s', %zu identities, %zu workitems",
		 IMV_OS_NAME, c->session.created ? "created" : "joined", (long long)c->session.id, c->device_id,
		 product, info.identity_count, c->item_count);
}

/* Stops the session with the final recommendation. */
static void stop_session(imv_os_conn *c, int final_rec)
{
	imv_os_module *m = c->module;
	db_t *db = NULL;
	size_t slot = 0;
	int rc;

	if (!c->attached || c->stopped)
		return;
	c->stopped = true;
	rc = db_acquire(m, c->id, &db, &slot);
	if (rc == TS_OK)
		rc = pm_session_stop(db, c->session.id, final_rec, imv_os_types, IMV_OS_TYPE_COUNT);
	db_release(m, slot);
	if (rc != TS_OK)
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, c->id, "%s: cannot stop session %lld: %s",
			 IMV_OS_NAME, (long long)c->session.id, ts_strerror(rc));
	else
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, c->id, "%s: session %lld stopped with %s",
			 IMV_OS_NAME, (long long)c->session.id, pm_rec_name(final_rec));
}

/* Forgets everything of a handshake, after stopping its session if that is still open. */
static void conn_clear(imv_os_conn *c)
{
	imv_os_module *m = c->module;
	TNC_ConnectionID id = c->id;

	stop_session(c, PM_REC_NO_ACCESS);
	pm_workitems_free(c->items, c->item_count);
	imv_os_pkgdb_free(c->pkgdb);
	memset(c, 0, sizeof(*c));
	c->module = m;
	c->id = id;
	imv_os_pkg_check_init(&c->packages);
}

/* --- evaluation ------------------------------------------------------------------ */

/* Records a workitem result; a database failure fails the connection closed. */
static bool record(imv_os_conn *c, pm_workitem *item, const char *result, int eval, const char *remediation)
{
	imv_os_module *m = c->module;
	db_t *db = NULL;
	size_t slot = 0;
	int rc;

	rc = db_acquire(m, c->id, &db, &slot);
	if (rc == TS_OK)
		rc = pm_workitem_set_result(db, item, result, eval);
	db_release(m, slot);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, c->id, "%s: cannot record the %s result: %s",
			 IMV_OS_NAME, pm_workitem_type_name(item->type), ts_strerror(rc));
		decide_fail_closed(c, "a workitem result could not be recorded in the database");
		return false;
	}
	log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, c->id, "%s: %s: %s (%s)", IMV_OS_NAME,
		 pm_workitem_type_name(item->type), result, pm_eval_name(eval));
	if (remediation && eval != PM_EVAL_COMPLIANT)
		append_text(c->remediation, sizeof(c->remediation), remediation);
	return true;
}

/*
 * Evaluates every open workitem whose attribute has arrived. A missing
 * attribute is added to *needs once. When that request went unanswered, or
 * with `final` set because the TNCS solicits a verdict, the workitem ends
 * in ERROR. Returns false when the connection failed closed.
 */
static bool evaluate(imv_os_conn *c, bool final, unsigned *needs)
{
	for (size_t i = 0; i < c->item_count; i++) {
		pm_workitem *item = &c->items[i];
		char result[IMV_OS_MAX_TEXT + 256], remediation[IMV_OS_MAX_TEXT + 256];
		unsigned need = 0;
		bool have = false;
		int eval = PM_EVAL_ERROR;

		if (item->done)
			continue;
		remediation[0] = '\0';
		switch (item->type) {
		case PM_WORKITEM_FWDEN:
			need = NEED_FORWARDING;
			have = c->have_forwarding;
			if (have)
				eval = imv_os_eval_forwarding(c->forwarding, result, sizeof(result), remediation,
							      sizeof(remediation));
			else
				snprintf(result, sizeof(result), "no Forwarding Enabled attribute was received");
			break;
		case PM_WORKITEM_PWDEN:
			need = NEED_DEFAULT_PWD;
			have = c->have_default_pwd;
			if (have)
				eval = imv_os_eval_default_password(c->default_pwd, result, sizeof(result),
								    remediation, sizeof(remediation));
			else
				snprintf(result, sizeof(result),
					 "no Factory Default Password Enabled attribute was received");
			break;
		case PM_WORKITEM_PCKGS:
			need = NEED_PACKAGES;
			have = c->packages_received || !c->pkgdb;
			if (!c->pkgdb)
				snprintf(result, sizeof(result), "the package versions could not be read from the database");
			else if (have)
				eval = imv_os_pkg_check_finish(&c->packages, result, sizeof(result), remediation,
							       sizeof(remediation));
			else
				snprintf(result, sizeof(result), "no Installed Packages attribute was received");
			break;
		case PM_WORKITEM_UNSRC:
			/* NOTE: strongSwan requests the package sources with ITA Get Settings; imv-os does not. */
			have = true;
			eval = PM_EVAL_DONT_KNOW;
			snprintf(result, sizeof(result), "package sources are not checked by imv-os");
			break;
		default:
			continue;
		}

		if (!have && !final && !(c->requested & need)) {
			*needs |= need;
			continue;
		}
		if (!record(c, item, result, eval, remediation))
			return false;
	}
	return true;
}

/* --- messages ---------------------------------------------------------------------- */

/* Sends one Attribute Request for the attributes in needs. */
static TNC_Result send_request(imv_os_conn *c, unsigned needs)
{
	static const struct {
		unsigned need;
		ietf_attr_request_entry entry;
	} table[] = {
		{ NEED_PRODUCT, { PA_VENDOR_IETF, IETF_ATTR_PRODUCT_INFORMATION } },
		{ NEED_STRING_VERSION, { PA_VENDOR_IETF, IETF_ATTR_STRING_VERSION } },
		{ NEED_DEVICE_ID, { PA_VENDOR_ITA, ITA_ATTR_DEVICE_ID } },
		{ NEED_FORWARDING, { PA_VENDOR_IETF, IETF_ATTR_FORWARDING_ENABLED } },
		{ NEED_DEFAULT_PWD, { PA_VENDOR_IETF, IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED } },
		{ NEED_PACKAGES, { PA_VENDOR_IETF, IETF_ATTR_INSTALLED_PACKAGES } },
	};
	ietf_attr_request_entry entries[sizeof(table) / sizeof(table[0])];
	size_t count = 0;
	pa_msg_builder b;
	writer_t *w;
	int rc;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (needs & table[i].need)
			entries[count++] = table[i].entry;
	c->requested |= needs;
	log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, c->id, "%s: requesting %zu attributes", IMV_OS_NAME, count);

	if (agent_msg_begin(c->module->agent, c->id, &b) != TS_OK)
		return TNC_RESULT_FATAL;
	rc = pa_msg_builder_attr_begin(&b, 0, PA_VENDOR_IETF, IETF_ATTR_ATTRIBUTE_REQUEST, &w);
	if (rc == TS_OK && (rc = ietf_attr_request_encode(entries, count, w)) != TS_OK)
		pa_msg_builder_attr_cancel(&b);
	if (rc == TS_OK)
		rc = pa_msg_builder_attr_end(&b);
	if (rc != TS_OK) {
		pa_msg_builder_free(&b);
		return TNC_RESULT_FATAL;
	}
	return agent_msg_send(c->module->agent, c->id, PA_VENDOR_IETF, IETF_PA_SUBTYPE_OPERATING_SYSTEM,
			      TNC_IMCID_ANY, &b);
}

static int add_remediation(pa_msg_builder *b, uint32_t type, const char *text)
{
	ietf_remediation rem = { .vendor = PA_VENDOR_IETF, .type = type };
	writer_t *w;
	int rc;

	if (type == IETF_REMEDIATION_URI) {
		rem.uri = (const uint8_t *)text;
		rem.uri_len = strlen(text);
	} else {
		rem.string = (const uint8_t *)text;
		rem.string_len = strlen(text);
		rem.lang = (const uint8_t *)IMV_OS_LANG;
		rem.lang_len = strlen(IMV_OS_LANG);
	}
	rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_IETF, IETF_ATTR_REMEDIATION_INSTRUCTIONS, &w);
	if (rc == TS_OK && (rc = ietf_remediation_encode(&rem, w)) != TS_OK)
		pa_msg_builder_attr_cancel(b);
	return rc == TS_OK ? pa_msg_builder_attr_end(b) : rc;
}

/* Sends Assessment Result (and Remediation Instructions) and provides the recommendation. */
static TNC_Result send_verdict(imv_os_conn *c, bool may_send)
{
	tnc_agent_t *agent = c->module->agent;
	bool noncompliant = c->eval == PM_EVAL_NONCOMPLIANT_MINOR || c->eval == PM_EVAL_NONCOMPLIANT_MAJOR;
	TNC_Result result = TNC_RESULT_SUCCESS;
	pa_msg_builder b;
	writer_t *w;
	int rc;

	if (c->provided)
		return TNC_RESULT_SUCCESS;
	c->provided = true;

	/* SolicitRecommendation is no point at which an IMV may send. */
	if (may_send && agent_msg_begin(agent, c->id, &b) == TS_OK) {
		rc = pa_msg_builder_attr_begin(&b, 0, PA_VENDOR_IETF, IETF_ATTR_ASSESSMENT_RESULT, &w);
		if (rc == TS_OK && (rc = ietf_assessment_result_encode((uint32_t)c->eval, w)) != TS_OK)
			pa_msg_builder_attr_cancel(&b);
		if (rc == TS_OK)
			rc = pa_msg_builder_attr_end(&b);
		if (rc == TS_OK && noncompliant && c->remediation[0])
			rc = add_remediation(&b, IETF_REMEDIATION_STRING, c->remediation);
		if (rc == TS_OK && noncompliant && c->module->remediation_uri)
			rc = add_remediation(&b, IETF_REMEDIATION_URI, c->module->remediation_uri);
		if (rc == TS_OK) {
			result = agent_msg_send(agent, c->id, PA_VENDOR_IETF, IETF_PA_SUBTYPE_OPERATING_SYSTEM,
						TNC_IMCID_ANY, &b);
		} else {
			log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, c->id, "%s: cannot build the assessment: %s",
				 IMV_OS_NAME, ts_strerror(rc));
			pa_msg_builder_free(&b);
		}
	}

	if (c->reason[0] && tnc_agent_set_reason(agent, c->id, IMV_OS_LANG, c->reason) != TNC_RESULT_SUCCESS)
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_DEBUG, c->id, "%s: the TNCS takes no reason string",
			 IMV_OS_NAME);
	if (tnc_agent_provide_recommendation(agent, c->id, (TNC_UInt32)c->rec, (TNC_UInt32)c->eval) !=
	    TNC_RESULT_SUCCESS)
		result = TNC_RESULT_FATAL;
	return result;
}

/* --- received attributes ------------------------------------------------------------ */

/*
 * Copies a client string into out when it is clean UTF-8 of at most
 * IMV_OS_MAX_STRING octets, and not empty unless allow_empty. Returns
 * whether it did.
 */
static bool take_string(imv_os_conn *c, const char *field, const uint8_t *s, size_t len, bool allow_empty,
			char *out)
{
	char shown[128];

	if ((len == 0 && !allow_empty) || len > IMV_OS_MAX_STRING || !imv_os_text_ok(s, len)) {
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, c->id,
			 "%s: ignoring the invalid %s '%s' (%zu octets; %d to %d octets of UTF-8 text expected)",
			 IMV_OS_NAME, field, log_escape(shown, sizeof(shown), s, len), len, allow_empty ? 0 : 1,
			 IMV_OS_MAX_STRING);
		return false;
	}
	if (len)
		memcpy(out, s, len);
	out[len] = '\0';
	return true;
}

static void take_attr(imv_os_conn *c, const pa_attr *attr)
{
	ietf_product_info pi;
	ietf_string_version sv;
	ietf_numeric_version nv;
	ietf_op_status os;
	ietf_pa_tnc_error err;
	pts_bytes dev;
	char name[PA_ATTR_NAME_MAX];

	if (attr->vendor == PA_VENDOR_ITA && attr->type == ITA_ATTR_DEVICE_ID) {
		if (ita_attr_device_id_decode(attr->value, attr->value_len, &dev, NULL) == TS_OK)
			take_string(c, "device ID", dev.data, dev.len, false, c->device_id);
		return;
	}
	if (attr->vendor != PA_VENDOR_IETF) {
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_DEBUG, c->id, "%s: ignoring %s", IMV_OS_NAME,
			 pa_registry_name(attr->vendor, attr->type, name, sizeof(name)));
		return;
	}
	/* The registry checked every value's layout, so the decoders below succeed. */
	switch (attr->type) {
	case IETF_ATTR_PRODUCT_INFORMATION:
		if (ietf_product_info_decode(attr->value, attr->value_len, &pi, NULL) == TS_OK)
			take_string(c, "product name", pi.name, pi.name_len, false, c->product);
		break;
	case IETF_ATTR_STRING_VERSION:
		if (ietf_string_version_decode(attr->value, attr->value_len, &sv, NULL) == TS_OK)
			c->have_version = take_string(c, "product version", sv.version, sv.version_len, true,
						      c->version);
		break;
	case IETF_ATTR_NUMERIC_VERSION:
		if (ietf_numeric_version_decode(attr->value, attr->value_len, &nv, NULL) == TS_OK)
			log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_DEBUG, c->id, "%s: numeric version %u.%u.%u", IMV_OS_NAME,
				 nv.major, nv.minor, nv.build);
		break;
	case IETF_ATTR_OPERATIONAL_STATUS:
		if (ietf_op_status_decode(attr->value, attr->value_len, &os, NULL) == TS_OK)
			log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_DEBUG, c->id, "%s: operational status %u, result %u, last use %s",
				 IMV_OS_NAME, os.status, os.result, os.last_use);
		break;
	case IETF_ATTR_FORWARDING_ENABLED:
		c->have_forwarding = ietf_forwarding_enabled_decode(attr->value, attr->value_len, &c->forwarding,
								    NULL) == TS_OK;
		break;
	case IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED:
		c->have_default_pwd = ietf_factory_default_pwd_decode(attr->value, attr->value_len,
								      &c->default_pwd, NULL) == TS_OK;
		break;
	case IETF_ATTR_INSTALLED_PACKAGES:
		/* Checked after the session is attached, see take_packages(). */
		break;
	case IETF_ATTR_PA_TNC_ERROR:
		if (ietf_pa_tnc_error_decode(attr->value, attr->value_len, &err, NULL) == TS_OK) {
			const char *code = ietf_pa_tnc_error_code_name(err.vendor, err.code);

			log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, c->id,
				 "%s: the IMC reported PA-TNC error %s (vendor 0x%06x, code %u)", IMV_OS_NAME,
				 code ? code : "?", err.vendor, err.code);
		}
		break;
	default:
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_DEBUG, c->id, "%s: ignoring %s", IMV_OS_NAME,
			 pa_registry_name(attr->vendor, attr->type, name, sizeof(name)));
		break;
	}
}

/* Runs every Installed Packages attribute of a message through the PCKGS check. */
static void take_packages(imv_os_conn *c, const pa_msg *pa)
{
	ietf_installed_packages ip;

	for (size_t i = 0; i < pa->count; i++) {
		const pa_attr *attr = &pa->attrs[i];

		if (attr->vendor != PA_VENDOR_IETF || attr->type != IETF_ATTR_INSTALLED_PACKAGES)
			continue;
		if (!c->attached || !c->pkgdb || !has_item(c, PM_WORKITEM_PCKGS, true)) {
			log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_DEBUG, c->id,
				 "%s: ignoring Installed Packages: no open PCKGS workitem", IMV_OS_NAME);
			continue;
		}
		if (ietf_installed_packages_decode(attr->value, attr->value_len, &ip, NULL) != TS_OK)
			continue;
		for (size_t k = 0; k < ip.count; k++)
			imv_os_pkg_check_add(&c->packages, c->pkgdb, ip.packages[k].name, ip.packages[k].name_len,
					     ip.packages[k].version, ip.packages[k].version_len);
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, c->id, "%s: checked %zu installed packages", IMV_OS_NAME,
			 ip.count);
		ietf_installed_packages_free(&ip);
		c->packages_received = true;
	}
}

static unsigned missing_identification(const imv_os_conn *c)
{
	return (c->product[0] ? 0 : NEED_PRODUCT) | (c->have_version ? 0 : NEED_STRING_VERSION) |
	       (c->device_id[0] ? 0 : NEED_DEVICE_ID);
}

/* --- agent callbacks ------------------------------------------------------------------ */

static TNC_Result conn_create(tnc_agent_t *agent, TNC_ConnectionID conn, void **state)
{
	imv_os_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return TNC_RESULT_FATAL;
	c->module = tnc_agent_context(agent);
	c->id = conn;
	imv_os_pkg_check_init(&c->packages);
	*state = c;
	return TNC_RESULT_SUCCESS;
}

static void conn_free(void *state)
{
	imv_os_conn *c = state;

	if (!c)
		return;
	conn_clear(c);
	free(c);
}

static void conn_change(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, TNC_ConnectionState new_state)
{
	imv_os_conn *c = state;

	switch (new_state) {
	case TNC_CONNECTION_STATE_HANDSHAKE:
		conn_clear(c);
		break;
	case TNC_CONNECTION_STATE_ACCESS_ALLOWED:
		stop_session(c, PM_REC_ALLOW);
		break;
	case TNC_CONNECTION_STATE_ACCESS_ISOLATED:
		stop_session(c, PM_REC_ISOLATE);
		break;
	case TNC_CONNECTION_STATE_ACCESS_NONE:
		stop_session(c, PM_REC_NO_ACCESS);
		break;
	default:
		break;
	}
}

static TNC_Result receive(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, const tnc_agent_msg *msg)
{
	imv_os_conn *c = state;
	pa_msg *pa = NULL;

	if (agent_msg_receive(agent, conn, msg, &pa) != TS_OK)
		return TNC_RESULT_SUCCESS;
	if (c->decided) {
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_DEBUG, conn, "%s: ignoring a message after the verdict",
			 IMV_OS_NAME);
		pa_msg_free(pa);
		return TNC_RESULT_SUCCESS;
	}
	for (size_t i = 0; i < pa->count; i++)
		take_attr(c, &pa->attrs[i]);
	if (!c->attached && missing_identification(c) == 0)
		attach(c);
	take_packages(c, pa);
	pa_msg_free(pa);
	return TNC_RESULT_SUCCESS;
}

static TNC_Result batch_ending(tnc_agent_t *agent, TNC_ConnectionID conn, void *state)
{
	imv_os_conn *c = state;
	unsigned needs = 0;

	if (c->provided)
		return TNC_RESULT_SUCCESS;
	if (!c->decided && !c->attached) {
		needs = missing_identification(c) & ~c->requested;
		if (needs)
			return send_request(c, needs);
		decide_fail_closed(c, "the client sent no product information, string version or device ID");
	}
	if (!c->decided && evaluate(c, false, &needs)) {
		if (needs)
			return send_request(c, needs);
		decide_from_items(c);
	}
	return send_verdict(c, true);
}

static TNC_Result solicit_recommendation(tnc_agent_t *agent, TNC_ConnectionID conn, void *state)
{
	imv_os_conn *c = state;
	unsigned needs = 0;

	if (!c->decided) {
		if (!c->attached)
			decide_fail_closed(c, "the client sent no product information, string version or device ID");
		else if (evaluate(c, true, &needs))
			decide_from_items(c);
	}
	return send_verdict(c, false);
}

static const tnc_agent_ops imv_os_ops = {
	.conn_create = conn_create,
	.conn_free = conn_free,
	.conn_change = conn_change,
	.receive = receive,
	.batch_ending = batch_ending,
	.solicit_recommendation = solicit_recommendation,
};

/* --- entry points ------------------------------------------------------------------------ */

static void module_free(imv_os_module *m)
{
	if (!m)
		return;
	/* The agent frees the connection states, which may still stop sessions in the database. */
	tnc_agent_destroy(m->agent);
	for (size_t i = 0; i < IMV_OS_DB_POOL; i++)
		db_close(m->pool[i]);
	free(m->db_path);
	free(m->remediation_uri);
	pthread_cond_destroy(&m->pool_free);
	pthread_mutex_destroy(&m->pool_lock);
	free(m);
}

static tnc_agent_t *agent_get(void)
{
	tnc_agent_t *agent;

	pthread_mutex_lock(&module_lock);
	agent = module ? module->agent : NULL;
	pthread_mutex_unlock(&module_lock);
	return agent;
}

TNC_IMV_API TNC_Result TNC_IMV_Initialize(TNC_IMVID imvID, TNC_Version minVersion, TNC_Version maxVersion,
					  TNC_Version *pOutActualVersion)
{
	static const TNC_VendorID vendors[] = { PA_VENDOR_IETF };
	static const TNC_MessageSubtype subtypes[] = { IETF_PA_SUBTYPE_OPERATING_SYSTEM };
	imv_os_module *m;
	TNC_Result result;

	pthread_mutex_lock(&module_lock);
	if (module) {
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_ALREADY_INITIALIZED;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_FATAL;
	}
	pthread_mutex_init(&m->pool_lock, NULL);
	pthread_cond_init(&m->pool_free, NULL);
	if (config_load(m) != TS_OK || pa_registry_add(pts_attr_infos, pts_attr_info_count) != TS_OK ||
	    tnc_agent_create(TNC_AGENT_IMV, IMV_OS_NAME, &imv_os_ops, vendors, subtypes, 1, m, &m->agent) != TS_OK) {
		log_error(LOG_SUBSYS_IMV, "%s: initialization failed", IMV_OS_NAME);
		module_free(m);
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_FATAL;
	}
	result = tnc_agent_initialize(m->agent, imvID, minVersion, maxVersion, pOutActualVersion);
	if (result == TNC_RESULT_SUCCESS) {
		module = m;
		log_info(LOG_SUBSYS_IMV, "%s: database %s, failing closed with %s", IMV_OS_NAME, m->db_path,
			 pm_rec_name(m->fail_closed_rec));
	} else {
		module_free(m);
	}
	pthread_mutex_unlock(&module_lock);
	return result;
}

TNC_IMV_API TNC_Result TNC_IMV_ProvideBindFunction(TNC_IMVID imvID, TNC_TNCS_BindFunctionPointer bindFunction)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_provide_bind_function(agent, imvID, (tnc_agent_bind_fn)bindFunction);
}

TNC_IMV_API TNC_Result TNC_IMV_NotifyConnectionChange(TNC_IMVID imvID, TNC_ConnectionID connectionID,
						      TNC_ConnectionState newState)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_notify_connection_change(agent, imvID, connectionID, newState);
}

TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessage(TNC_IMVID imvID, TNC_ConnectionID connectionID,
					      TNC_BufferReference messageBuffer, TNC_UInt32 messageLength,
					      TNC_MessageType messageType)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_receive_message(agent, imvID, connectionID, messageBuffer, messageLength,
					 messageType);
}

TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessageLong(TNC_IMVID imvID, TNC_ConnectionID connectionID,
						  TNC_UInt32 messageFlags, TNC_BufferReference message,
						  TNC_UInt32 messageLength, TNC_VendorID messageVendorID,
						  TNC_MessageSubtype messageSubtype, TNC_UInt32 sourceIMCID,
						  TNC_UInt32 destinationIMVID)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_receive_message_long(agent, imvID, connectionID, messageFlags, message,
					      messageLength, messageVendorID, messageSubtype, sourceIMCID,
					      destinationIMVID);
}

TNC_IMV_API TNC_Result TNC_IMV_BatchEnding(TNC_IMVID imvID, TNC_ConnectionID connectionID)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_batch_ending(agent, imvID, connectionID);
}

TNC_IMV_API TNC_Result TNC_IMV_SolicitRecommendation(TNC_IMVID imvID, TNC_ConnectionID connectionID)
{
	tnc_agent_t *agent = agent_get();

	if (!agent)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_solicit_recommendation(agent, imvID, connectionID);
}

TNC_IMV_API TNC_Result TNC_IMV_Terminate(TNC_IMVID imvID)
{
	TNC_Result result;

	pthread_mutex_lock(&module_lock);
	if (!module) {
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_NOT_INITIALIZED;
	}
	result = tnc_agent_terminate(module->agent, imvID);
	if (result == TNC_RESULT_SUCCESS) {
		module_free(module);
		module = NULL;
	}
	pthread_mutex_unlock(&module_lock);
	return result;
}
