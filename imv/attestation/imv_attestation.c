/*
 * imv-attestation.so: the TCG PTS attestation IMV (IF-IMV 1.4).
 *
 * It subscribes to TCG/PTS and to IETF/Operating System. The IETF/OS
 * message of the OS IMC carries Product Information, String Version and the
 * ITA-HSR Device ID, which identify the session in config.db. The policy
 * manager then lists the workitems (TPMRA, FMEAS, FMETA, DMEAS, DMETA,
 * FREFM, DREFM) this IMV evaluates. The PTS exchange follows the reference
 * flow: segmentation contract, capabilities and algorithm, DH nonce, TPM
 * version and AIK, then evidence and quote.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_msg.h"
#include "imvatt.h"
#include "log.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_attr_request.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_string_version.h"
#include "pa/pa_registry.h"
#include "pts/pts_attr_info.h"
#include "pts/seg_attr.h"
#include "tncifimv.h"

/* The workitem types this IMV evaluates. */
static const int handled_types[] = {
	PM_WORKITEM_FREFM, PM_WORKITEM_FMEAS, PM_WORKITEM_FMETA, PM_WORKITEM_DREFM,
	PM_WORKITEM_DMEAS, PM_WORKITEM_DMETA, PM_WORKITEM_TPMRA,
};
#define HANDLED_TYPE_COUNT (sizeof(handled_types) / sizeof(handled_types[0]))

static imvatt_module module;
static bool module_ready;

/*
 * Open config.db handles kept for later connections: opening one and
 * checking the schema costs about 0.7 ms of CPU, more than the rest of an
 * attestation. A connection borrows one handle at a time.
 */
#define IMVATT_DB_POOL_SIZE 8

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static db_t *pool[IMVATT_DB_POOL_SIZE];
static size_t pool_count;

static int db_borrow(const imvatt_conf *c, db_t **out)
{
	db_t *db = NULL;

	pthread_mutex_lock(&pool_lock);
	if (pool_count > 0)
		db = pool[--pool_count];
	pthread_mutex_unlock(&pool_lock);
	if (db) {
		*out = db;
		return TS_OK;
	}
	return db_open(c->db_path, c->busy_timeout_ms, out);
}

/* Gives a handle back, with no transaction left open; closes it when the pool is full. */
static void db_give_back(db_t *db)
{
	if (!db)
		return;
	db_rollback(db);
	pthread_mutex_lock(&pool_lock);
	if (pool_count < IMVATT_DB_POOL_SIZE) {
		pool[pool_count++] = db;
		db = NULL;
	}
	pthread_mutex_unlock(&pool_lock);
	db_close(db);
}

static void db_pool_close(void)
{
	pthread_mutex_lock(&pool_lock);
	while (pool_count > 0)
		db_close(pool[--pool_count]);
	pthread_mutex_unlock(&pool_lock);
}

/* Maximum length of the product name, version or device ID accepted from the OS IMC. */
#define IMVATT_MAX_ID_LEN 255

void imvatt_fail(imvatt_state *s, const char *fmt, ...)
{
	va_list ap;

	if (s->fatal[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->fatal, sizeof(s->fatal), fmt, ap);
	va_end(ap);
	log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, s->conn, "%s: %s", IMVATT_NAME, s->fatal);
}

int imvatt_out_add(imvatt_state *s, uint8_t flags, uint32_t vendor, uint32_t type, const writer_t *value)
{
	int rc;

	if (!s->out_started) {
		rc = agent_msg_begin(s->mod->agent, s->conn, &s->out);
		if (rc != TS_OK)
			return rc;
		s->out_started = true;
	}
	rc = pa_msg_builder_add(&s->out, flags, vendor, type, writer_data(value), writer_len(value));
	if (rc != TS_OK) {
		/*
		 * NOTE: requests are small; a message that overflows the host's
		 * limit is not split over several messages here.
		 */
		s->out_failed = true;
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, s->conn, "%s: cannot add attribute 0x%06x/0x%08x: %s",
			 IMVATT_NAME, vendor, type, ts_strerror(rc));
	}
	return rc;
}

static char *dup_text(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s) {
		memcpy(s, p, len);
		s[len] = '\0';
	}
	return s;
}

/* Stores a string field of the OS message, replacing an earlier one. */
static int store_text(char **slot, const uint8_t *p, size_t len)
{
	char *copy;

	if (len == 0 || len > IMVATT_MAX_ID_LEN || memchr(p, 0, len))
		return TS_E_INVALID;
	copy = dup_text(p, len);
	if (!copy)
		return TS_E_NOMEM;
	free(*slot);
	*slot = copy;
	return TS_OK;
}

/* Product Information, String Version and Device ID of an IETF/OS message. */
static void process_os(imvatt_state *s, const pa_msg *msg)
{
	char *version = NULL;

	for (size_t i = 0; i < msg->count; i++) {
		const pa_attr *a = &msg->attrs[i];
		int rc = TS_OK;

		if (a->vendor == PA_VENDOR_IETF && a->type == IETF_ATTR_PRODUCT_INFORMATION) {
			ietf_product_info info;

			rc = ietf_product_info_decode(a->value, a->value_len, &info, NULL);
			if (rc == TS_OK)
				rc = store_text(&s->product_name, info.name, info.name_len);
		} else if (a->vendor == PA_VENDOR_IETF && a->type == IETF_ATTR_STRING_VERSION) {
			ietf_string_version sv;

			rc = ietf_string_version_decode(a->value, a->value_len, &sv, NULL);
			if (rc == TS_OK && sv.version_len > 0)
				rc = store_text(&version, sv.version, sv.version_len);
		} else if (a->vendor == PA_VENDOR_ITA && a->type == ITA_ATTR_DEVICE_ID) {
			pts_bytes id;

			rc = ita_attr_device_id_decode(a->value, a->value_len, &id, NULL);
			if (rc == TS_OK)
				rc = store_text(&s->device_id, id.data, id.len);
		}
		if (rc != TS_OK)
			log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, s->conn, "%s: ignoring invalid IETF/OS attribute %u: %s",
				 IMVATT_NAME, (unsigned)a->type, ts_strerror(rc));
	}
	/* The product string is "<name> <version>", as strongSwan stores it in products.name. */
	if (s->product_name && version) {
		size_t n = strlen(s->product_name) + 1 + strlen(version) + 1;
		char *p = malloc(n);

		if (p) {
			snprintf(p, n, "%s %s", s->product_name, version);
			free(s->product);
			s->product = p;
		}
	} else if (s->product_name && !s->product) {
		s->product = strdup(s->product_name);
	}
	free(version);
}

/* Handles one TCG/PTS attribute, whole or reassembled from Segment Envelopes. */
static int process_pts_attr(imvatt_state *s, uint8_t flags, uint32_t vendor, uint32_t type,
			    const uint8_t *value, size_t len)
{
	seg_attr_env env;
	seg_rx_result rx = { 0 };
	seg_error err = { 0 };
	struct timespec now;
	writer_t w;
	int rc;

	if (!(vendor == PTS_PEN_TCG && type == SEG_ATTR_ENVELOPE))
		return imvatt_pts_process(s, flags, vendor, type, value, len);

	if (!s->seg) {
		imvatt_fail(s, "the endpoint sent a Segment Envelope without a segmentation contract");
		return TS_E_PROTOCOL;
	}
	rc = seg_attr_env_decode(value, len, &env, NULL);
	if (rc != TS_OK)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &now);
	rc = seg_engine_receive(s->seg, &env, (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000,
				&rx, &err);
	if (rc != TS_OK) {
		imvatt_fail(s, "a segmented attribute was rejected: %s", err.reason ? err.reason : ts_strerror(rc));
		return rc;
	}
	if (!rx.complete) {
		seg_attr_next next = { .cancel = false, .base_msg_id = rx.base_msg_id };

		writer_init(&w, SEG_ATTR_NEXT_LEN);
		rc = seg_attr_next_encode(&next, &w);
		if (rc == TS_OK)
			rc = imvatt_out_add(s, 0, PTS_PEN_TCG, SEG_ATTR_NEXT_SEGMENT, &w);
		writer_free(&w);
		return rc;
	}

	/* The reassembled attribute gets the registry's checks a whole one gets from pa_msg_parse(). */
	{
		const pa_attr_info *info = pa_registry_lookup(rx.attr_vendor, rx.attr_type);
		size_t bad = 0;

		if (!info) {
			rc = (rx.attr_flags & PA_ATTR_FLAG_NOSKIP) ? TS_E_UNSUPPORTED : TS_OK;
		} else if (rx.value_len < info->min_value_len || rx.value_len > info->max_value_len) {
			rc = TS_E_INVALID;
		} else if (info->validate) {
			rc = info->validate(rx.value, rx.value_len, &bad);
		}
		if (rc == TS_OK && info)
			rc = imvatt_pts_process(s, rx.attr_flags, rx.attr_vendor, rx.attr_type, rx.value,
						rx.value_len);
		else if (rc != TS_OK)
			imvatt_fail(s, "the reassembled attribute 0x%06x/0x%08x is invalid at offset %zu: %s",
				    rx.attr_vendor, rx.attr_type, bad, ts_strerror(rc));
	}
	free(rx.value);
	return rc;
}

static TNC_Result on_receive(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, const tnc_agent_msg *m)
{
	imvatt_state *s = state;
	pa_msg *msg = NULL;

	if (agent_msg_receive(agent, conn, m, &msg) != TS_OK) {
		/* The sender got the PA-TNC Error; evidence from it is incomplete now. */
		if (m->vendor == PA_VENDOR_TCG)
			imvatt_fail(s, "the endpoint sent an invalid PTS message");
		return TNC_RESULT_SUCCESS;
	}
	if (m->vendor == PA_VENDOR_IETF && m->subtype == IETF_PA_SUBTYPE_OPERATING_SYSTEM) {
		process_os(s, msg);
	} else if (m->vendor == PA_VENDOR_TCG && m->subtype == PTS_MSG_SUBTYPE) {
		if (m->src_id != TNC_IMCID_ANY)
			s->imc_id = m->src_id;
		for (size_t i = 0; i < msg->count && !s->decided; i++) {
			const pa_attr *a = &msg->attrs[i];
			int rc;

			if (!a->info)
				continue;
			rc = process_pts_attr(s, a->flags, a->vendor, a->type, a->value, a->value_len);
			if (rc != TS_OK)
				log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, conn, "%s: attribute 0x%06x/0x%08x: %s",
					 IMVATT_NAME, a->vendor, a->type, ts_strerror(rc));
		}
	}
	pa_msg_free(msg);
	return TNC_RESULT_SUCCESS;
}

/* Opens config.db, attaches the session and loads this IMV's workitems. */
static void attach_session(imvatt_state *s)
{
	pm_identity ids[PM_MAX_IDENTITIES];
	uint8_t *id_buf = NULL;
	pm_session_info info = {
		.connection = s->conn,
		.product = s->product,
		.device = s->device_id,
		.identities = ids,
	};
	int rc;

	s->os_complete = true;
	if (!s->mod->conf.db_path) {
		imvatt_fail(s, "no database is configured ([imv] database)");
		return;
	}
	rc = db_borrow(&s->mod->conf, &s->db);
	if (rc != TS_OK) {
		imvatt_fail(s, "cannot open the policy database %s: %s", s->mod->conf.db_path, ts_strerror(rc));
		return;
	}
	/* Whichever IMV creates the shared session records the identities. */
	info.identity_count = pm_read_identities(s->mod->agent, s->conn, IMVATT_NAME, &id_buf, ids);
	rc = pm_session_attach(s->db, &info, &s->session);
	free(id_buf);
	if (rc != TS_OK) {
		imvatt_fail(s, "cannot set up the policy session of device %s: %s", s->device_id, ts_strerror(rc));
		return;
	}
	s->attached = true;
	rc = pm_workitems_load(s->db, s->session.id, handled_types, HANDLED_TYPE_COUNT, &s->items,
			       &s->item_count);
	if (rc != TS_OK) {
		imvatt_fail(s, "cannot load the workitems of session %lld: %s", (long long)s->session.id,
			    ts_strerror(rc));
		return;
	}
	log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, s->conn, "%s: session %lld, device %s (%s): %zu workitems",
		 IMVATT_NAME, (long long)s->session.id, s->device_id, s->product, s->item_count);
}

/* Asks the OS IMC once for what identifies the session. */
static void request_os_info(imvatt_state *s)
{
	ietf_attr_request_entry entries[3];
	size_t n = 0;
	writer_t w;
	int rc;

	if (!s->product_name) {
		entries[n++] = (ietf_attr_request_entry){ PA_VENDOR_IETF, IETF_ATTR_PRODUCT_INFORMATION };
		entries[n++] = (ietf_attr_request_entry){ PA_VENDOR_IETF, IETF_ATTR_STRING_VERSION };
	}
	if (!s->device_id)
		entries[n++] = (ietf_attr_request_entry){ PA_VENDOR_ITA, ITA_ATTR_DEVICE_ID };
	s->os_requested = true;
	writer_init(&w, 64);
	rc = ietf_attr_request_encode(entries, n, &w);
	if (rc == TS_OK)
		rc = agent_msg_begin(s->mod->agent, s->conn, &s->out_os);
	if (rc == TS_OK) {
		s->out_os_started = true;
		rc = pa_msg_builder_add(&s->out_os, 0, PA_VENDOR_IETF, IETF_ATTR_ATTRIBUTE_REQUEST,
					writer_data(&w), writer_len(&w));
	}
	writer_free(&w);
	if (rc != TS_OK)
		imvatt_fail(s, "cannot request the product information and device ID: %s", ts_strerror(rc));
}

static TNC_Result send_pending(imvatt_state *s)
{
	TNC_Result rc = TNC_RESULT_SUCCESS, rc2;

	if (s->out_os_started) {
		s->out_os_started = false;
		rc = agent_msg_send(s->mod->agent, s->conn, PA_VENDOR_IETF, IETF_PA_SUBTYPE_OPERATING_SYSTEM,
				    TNC_IMCID_ANY, &s->out_os);
	}
	if (s->out_started) {
		s->out_started = false;
		if (pa_msg_builder_count(&s->out) == 0) {
			pa_msg_builder_free(&s->out);
			return rc;
		}
		rc2 = agent_msg_send(s->mod->agent, s->conn, PA_VENDOR_TCG, PTS_MSG_SUBTYPE, s->imc_id, &s->out);
		if (rc == TNC_RESULT_SUCCESS)
			rc = rc2;
	}
	return rc;
}

static TNC_Result on_batch_ending(tnc_agent_t *agent, TNC_ConnectionID conn, void *state)
{
	imvatt_state *s = state;
	TNC_Result rc;

	if (s->decided)
		return TNC_RESULT_SUCCESS;

	if (!s->os_complete && !s->fatal[0]) {
		if (s->product && s->device_id)
			attach_session(s);
		else if (!s->os_requested)
			request_os_info(s);
		else
			imvatt_fail(s, "the endpoint sent no %s", s->device_id ? "product information" : "device ID");
	}
	if (s->os_complete && !s->fatal[0] && s->out_failed)
		imvatt_fail(s, "a request did not fit into one PA-TNC message");
	if (s->os_complete && !s->fatal[0] && imvatt_pts_next(s) != TS_OK && !s->fatal[0])
		imvatt_fail(s, "cannot build the next PTS request");

	if (s->fatal[0] || (s->os_complete && imvatt_result_ready(s))) {
		rc = imvatt_result_decide(s, false);
		send_pending(s);
		return rc;
	}
	return send_pending(s);
}

static TNC_Result on_solicit(tnc_agent_t *agent, TNC_ConnectionID conn, void *state)
{
	imvatt_state *s = state;
	TNC_Result rc;

	if (s->decided)
		return tnc_agent_provide_recommendation(agent, conn, (TNC_UInt32)s->rec, (TNC_UInt32)s->eval);
	if (!s->os_complete)
		imvatt_fail(s, "the endpoint sent no product information and device ID");
	rc = imvatt_result_decide(s, true);
	send_pending(s);
	return rc;
}

static TNC_Result on_conn_create(tnc_agent_t *agent, TNC_ConnectionID conn, void **state)
{
	imvatt_state *s = calloc(1, sizeof(*s));

	if (!s)
		return TNC_RESULT_FATAL;
	s->mod = tnc_agent_context(agent);
	s->conn = conn;
	s->imc_id = TNC_IMCID_ANY;
	*state = s;
	return TNC_RESULT_SUCCESS;
}

/* Ends the policy session with the final access decision. */
static void stop_session(imvatt_state *s, int final_rec)
{
	int rc;

	if (!s->attached || s->stopped || !s->db)
		return;
	s->stopped = true;
	rc = pm_session_stop(s->db, s->session.id, final_rec, handled_types, HANDLED_TYPE_COUNT);
	if (rc != TS_OK)
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, s->conn, "%s: cannot close session %lld: %s",
			 IMVATT_NAME, (long long)s->session.id, ts_strerror(rc));
}

static void on_conn_change(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, TNC_ConnectionState new_state)
{
	imvatt_state *s = state;

	switch (new_state) {
	case TNC_CONNECTION_STATE_ACCESS_ALLOWED:
		stop_session(s, PM_REC_ALLOW);
		break;
	case TNC_CONNECTION_STATE_ACCESS_ISOLATED:
		stop_session(s, PM_REC_ISOLATE);
		break;
	case TNC_CONNECTION_STATE_ACCESS_NONE:
		stop_session(s, PM_REC_NO_ACCESS);
		break;
	case TNC_CONNECTION_STATE_HANDSHAKE:
		/*
		 * NOTE: a retried handshake on a decided connection does not
		 * start a new assessment; the IMV repeats its decision when the
		 * TNCS solicits it.
		 */
		break;
	default:
		break;
	}
}

static void on_conn_free(void *state)
{
	imvatt_state *s = state;

	if (!s)
		return;
	/* A connection that ended without a decision leaves no pending workitems. */
	stop_session(s, PM_REC_NONE);
	if (s->out_started)
		pa_msg_builder_free(&s->out);
	if (s->out_os_started)
		pa_msg_builder_free(&s->out_os);
	imvatt_evidence_free(s);
	seg_engine_destroy(s->seg);
	dh_nonce_destroy(s->dh);
	EVP_PKEY_free(s->ak);
	pm_workitems_free(s->items, s->item_count);
	db_give_back(s->db);
	free(s->product);
	free(s->product_name);
	free(s->device_id);
	OPENSSL_cleanse(s->secret, sizeof(s->secret));
	free(s);
}

static const tnc_agent_ops ops = {
	.conn_create = on_conn_create,
	.conn_free = on_conn_free,
	.conn_change = on_conn_change,
	.receive = on_receive,
	.batch_ending = on_batch_ending,
	.solicit_recommendation = on_solicit,
};

TNC_IMV_API TNC_Result TNC_IMV_Initialize(TNC_IMVID imv_id, TNC_Version min_version, TNC_Version max_version,
					  TNC_Version *actual_version)
{
	static const TNC_VendorID vendors[] = { PA_VENDOR_TCG, PA_VENDOR_IETF };
	static const TNC_MessageSubtype subtypes[] = { PTS_MSG_SUBTYPE, IETF_PA_SUBTYPE_OPERATING_SYSTEM };
	TNC_Result result;
	int rc;

	if (module_ready)
		return TNC_RESULT_ALREADY_INITIALIZED;
	rc = pa_registry_add(pts_attr_infos, pts_attr_info_count);
	if (rc != TS_OK)
		return TNC_RESULT_FATAL;
	rc = imvatt_conf_read(&module.conf);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_IMV, "%s: the configuration is invalid: %s", IMVATT_NAME, ts_strerror(rc));
		return TNC_RESULT_FATAL;
	}
	rc = tnc_agent_create(TNC_AGENT_IMV, IMVATT_NAME, &ops, vendors, subtypes, 2, &module, &module.agent);
	if (rc != TS_OK) {
		imvatt_conf_free(&module.conf);
		return TNC_RESULT_FATAL;
	}
	result = tnc_agent_initialize(module.agent, imv_id, min_version, max_version, actual_version);
	if (result != TNC_RESULT_SUCCESS) {
		tnc_agent_destroy(module.agent);
		module.agent = NULL;
		imvatt_conf_free(&module.conf);
		return result;
	}
	module_ready = true;
	return TNC_RESULT_SUCCESS;
}

TNC_IMV_API TNC_Result TNC_IMV_NotifyConnectionChange(TNC_IMVID imv_id, TNC_ConnectionID conn,
						      TNC_ConnectionState new_state)
{
	if (!module_ready)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_notify_connection_change(module.agent, imv_id, conn, new_state);
}

TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessage(TNC_IMVID imv_id, TNC_ConnectionID conn, TNC_BufferReference msg,
					      TNC_UInt32 len, TNC_MessageType type)
{
	if (!module_ready)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_receive_message(module.agent, imv_id, conn, msg, len, type);
}

TNC_IMV_API TNC_Result TNC_IMV_ReceiveMessageLong(TNC_IMVID imv_id, TNC_ConnectionID conn, TNC_UInt32 flags,
						  TNC_BufferReference msg, TNC_UInt32 len, TNC_VendorID vendor,
						  TNC_MessageSubtype subtype, TNC_UInt32 src_imc_id,
						  TNC_UInt32 dst_imv_id)
{
	if (!module_ready)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_receive_message_long(module.agent, imv_id, conn, flags, msg, len, vendor, subtype,
					      src_imc_id, dst_imv_id);
}

TNC_IMV_API TNC_Result TNC_IMV_SolicitRecommendation(TNC_IMVID imv_id, TNC_ConnectionID conn)
{
	if (!module_ready)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_solicit_recommendation(module.agent, imv_id, conn);
}

TNC_IMV_API TNC_Result TNC_IMV_BatchEnding(TNC_IMVID imv_id, TNC_ConnectionID conn)
{
	if (!module_ready)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_batch_ending(module.agent, imv_id, conn);
}

TNC_IMV_API TNC_Result TNC_IMV_Terminate(TNC_IMVID imv_id)
{
	TNC_Result rc;

	if (!module_ready)
		return TNC_RESULT_NOT_INITIALIZED;
	rc = tnc_agent_terminate(module.agent, imv_id);
	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	tnc_agent_destroy(module.agent);
	module.agent = NULL;
	db_pool_close();
	imvatt_conf_free(&module.conf);
	module_ready = false;
	return TNC_RESULT_SUCCESS;
}

TNC_IMV_API TNC_Result TNC_IMV_ProvideBindFunction(TNC_IMVID imv_id, TNC_TNCS_BindFunctionPointer bind)
{
	if (!module_ready)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_provide_bind_function(module.agent, imv_id, (tnc_agent_bind_fn)bind);
}
