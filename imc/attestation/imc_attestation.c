/*
 * imc-attestation.so: the TCG PTS attestation IMC (PA message type TCG/PTS,
 * vendor 0x005597, subtype 1).
 *
 * Every TNC_IMC_* entry point forwards to one tnc_agent. The IMC replies to
 * each received PTS message within the same call, exclusively to the sending
 * IMV. A reply larger than the connection's PA-TNC message size goes out as
 * several messages.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "agent_msg.h"
#include "conf.h"
#include "imcatt.h"
#include "log.h"
#include "pa/ietf_attr.h"
#include "pa/pa_registry.h"
#include "pts/pts_attr_info.h"
#include "tncifimc.h"

static imcatt_module *module;
static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;

static TNC_Result conn_create(tnc_agent_t *agent, TNC_ConnectionID conn, void **out)
{
	imcatt_state *state = calloc(1, sizeof(*state));

	if (!state)
		return TNC_RESULT_FATAL;
	state->conn = conn;
	state->module = tnc_agent_context(agent);
	*out = state;
	return TNC_RESULT_SUCCESS;
}

static void conn_free(void *ptr)
{
	imcatt_state *state = ptr;

	if (!state)
		return;
	tpm_close(state->tpm);
	dh_nonce_destroy(state->dh);
	seg_engine_destroy(state->seg);
	OPENSSL_cleanse(state->secret, sizeof(state->secret));
	free(state);
}

/* Dispatches one attribute; returns a failure only when no reply can be built. */
static int handle_attr(imcatt_reply *r, const pa_msg *msg, const pa_attr *attr)
{
	if (attr->vendor == PTS_PEN_ITA && attr->type == ITA_ATTR_GET_SYMLINKS)
		return imcatt_files_symlinks(r, attr);
	if (attr->vendor != PTS_PEN_TCG)
		return TS_OK;

	switch (attr->type) {
	case SEG_ATTR_CONTRACT_REQ:
		return imcatt_pts_contract(r, msg, attr);
	case SEG_ATTR_NEXT_SEGMENT:
		return imcatt_pts_next_segment(r, msg, attr);
	case PTS_ATTR_REQ_PROTO_CAPS:
		return imcatt_pts_caps(r, attr);
	case PTS_ATTR_MEAS_ALGO:
		return imcatt_pts_meas_algo(r, attr);
	case PTS_ATTR_DH_NONCE_PARAMS_REQ:
		return imcatt_pts_dh_params(r, attr);
	case PTS_ATTR_DH_NONCE_FINISH:
		return imcatt_pts_dh_finish(r, msg, attr);
	case PTS_ATTR_GET_TPM_VERSION_INFO:
		return imcatt_pts_tpm_version(r, attr);
	case PTS_ATTR_GET_AIK:
		return imcatt_pts_aik(r, attr);
	case PTS_ATTR_REQ_FUNC_COMP_EVID:
		return imcatt_evidence_request(r, msg, attr);
	case PTS_ATTR_GEN_ATTEST_EVID:
		return imcatt_evidence_final(r, attr);
	case PTS_ATTR_REQ_FILE_MEAS:
		return imcatt_files_measure(r, attr);
	case PTS_ATTR_REQ_FILE_META:
		return imcatt_files_metadata(r, attr);
	default:
		break;
	}

	/* A known request this IMC does not serve, sent with NOSKIP, gets "not supported". */
	if (attr->flags & PA_ATTR_FLAG_NOSKIP) {
		pa_msg_error err;
		writer_t w;
		int rc;

		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, r->state->conn,
			 "attestation: attribute type 0x%08x is not supported", attr->type);
		pa_msg_error_attr_not_supported(msg, attr, &err);
		writer_init(&w, 256);
		rc = ietf_pa_tnc_error_encode(&err.error, &w);
		if (rc == TS_OK)
			rc = imcatt_reply_add(r, 0, PA_VENDOR_IETF, IETF_ATTR_PA_TNC_ERROR, &w);
		writer_free(&w);
		return rc;
	}
	return TS_OK;
}

static TNC_Result receive(tnc_agent_t *agent, TNC_ConnectionID conn, void *ptr, const tnc_agent_msg *in)
{
	imcatt_state *state = ptr;
	pa_msg *msg = NULL;
	imcatt_reply reply;
	TNC_Result res;
	int rc;

	if (in->vendor != PTS_PEN_TCG || in->subtype != PTS_MSG_SUBTYPE)
		return TNC_RESULT_SUCCESS;
	if (agent_msg_receive(agent, conn, in, &msg) != TS_OK)
		return TNC_RESULT_SUCCESS;

	imcatt_reply_init(&reply, state, in->src_id);
	for (size_t i = 0; i < msg->count; i++) {
		const pa_attr *attr = &msg->attrs[i];

		if (!attr->info)
			continue;
		rc = handle_attr(&reply, msg, attr);
		/* Registered layouts were checked by pa_msg_parse; a decode failure here is still the peer's. */
		if (rc == TS_E_INVALID || rc == TS_E_TRUNCATED || rc == TS_E_TRAILING)
			rc = imcatt_reply_invalid(&reply, msg, pa_attr_value_offset(attr), "attribute value");
		if (rc != TS_OK) {
			log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, conn,
				 "attestation: cannot build the reply to attribute 0x%06x/0x%08x: %s", attr->vendor,
				 attr->type, ts_strerror(rc));
			break;
		}
	}
	res = imcatt_reply_send(&reply);
	pa_msg_free(msg);
	return res;
}

static const tnc_agent_ops imcatt_ops = {
	.conn_create = conn_create,
	.conn_free = conn_free,
	.receive = receive,
};

static void module_free(imcatt_module *m)
{
	if (!m)
		return;
	tnc_agent_destroy(m->agent);
	imcatt_conf_free(&m->conf);
	free(m);
}

/* Loads the configuration and creates the agent. */
static int module_create(imcatt_module **out)
{
	static const TNC_VendorID vendors[] = { PTS_PEN_TCG };
	static const TNC_MessageSubtype subtypes[] = { PTS_MSG_SUBTYPE };
	imcatt_module *m = calloc(1, sizeof(*m));
	conf_t *conf = NULL;
	int rc;

	if (!m)
		return TS_E_NOMEM;
	rc = conf_load(conf_default_path(), &conf);
	if (rc == TS_E_NOT_FOUND)
		rc = TS_OK;
	if (rc == TS_OK)
		rc = imcatt_conf_load(conf, &m->conf);
	conf_free(conf);
	if (rc != TS_OK)
		goto out;
	if (m->conf.debug >= 0) {
		log_set_level(LOG_SUBSYS_IMC, m->conf.debug);
		log_set_level(LOG_SUBSYS_PTS, m->conf.debug);
		log_set_level(LOG_SUBSYS_TPM, m->conf.debug);
	}
	/*
	 * A FAPI AK is read once now, before any connection opens the TPM: a
	 * TPM that serves one client at a time would block FAPI later.
	 */
	if (m->conf.ak_fapi_path) {
		rc = tpm_fapi_get_ak_blob(m->conf.ak_fapi_path, &m->conf.ak_blob_type, &m->conf.ak_blob,
					  &m->conf.ak_blob_len);
		if (rc != TS_OK)
			log_error(LOG_SUBSYS_IMC, "imc-attestation: the FAPI AK %s is not usable; TPM evidence "
				  "will fail", m->conf.ak_fapi_path);
		rc = TS_OK;
	}
	rc = pa_registry_add(pts_attr_infos, pts_attr_info_count);
	if (rc != TS_OK)
		goto out;
	rc = tnc_agent_create(TNC_AGENT_IMC, "imc-attestation", &imcatt_ops, vendors, subtypes, 1, m, &m->agent);
	if (rc != TS_OK)
		goto out;
	*out = m;
	m = NULL;
out:
	module_free(m);
	return rc;
}

TNC_IMC_API TNC_Result TNC_IMC_Initialize(TNC_IMCID imcID, TNC_Version minVersion, TNC_Version maxVersion,
					  TNC_Version *pOutActualVersion)
{
	imcatt_module *m = NULL;
	TNC_Result res;

	pthread_mutex_lock(&module_lock);
	if (module) {
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_ALREADY_INITIALIZED;
	}
	if (module_create(&m) != TS_OK) {
		pthread_mutex_unlock(&module_lock);
		log_error(LOG_SUBSYS_IMC, "imc-attestation: initialization failed");
		return TNC_RESULT_FATAL;
	}
	res = tnc_agent_initialize(m->agent, imcID, minVersion, maxVersion, pOutActualVersion);
	if (res == TNC_RESULT_SUCCESS) {
		module = m;
		log_info(LOG_SUBSYS_IMC, "imc-attestation: initialized as IMC %lu", (unsigned long)imcID);
	} else {
		module_free(m);
	}
	pthread_mutex_unlock(&module_lock);
	return res;
}

TNC_IMC_API TNC_Result TNC_IMC_NotifyConnectionChange(TNC_IMCID imcID, TNC_ConnectionID connectionID,
						      TNC_ConnectionState newState)
{
	if (!module)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_notify_connection_change(module->agent, imcID, connectionID, newState);
}

TNC_IMC_API TNC_Result TNC_IMC_BeginHandshake(TNC_IMCID imcID, TNC_ConnectionID connectionID)
{
	if (!module)
		return TNC_RESULT_NOT_INITIALIZED;
	/* Like strongSwan's attestation IMC, this one waits for the IMV's requests. */
	return tnc_agent_begin_handshake(module->agent, imcID, connectionID);
}

TNC_IMC_API TNC_Result TNC_IMC_ReceiveMessage(TNC_IMCID imcID, TNC_ConnectionID connectionID,
					      TNC_BufferReference messageBuffer, TNC_UInt32 messageLength,
					      TNC_MessageType messageType)
{
	if (!module)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_receive_message(module->agent, imcID, connectionID, messageBuffer, messageLength,
					 messageType);
}

TNC_IMC_API TNC_Result TNC_IMC_ReceiveMessageLong(TNC_IMCID imcID, TNC_ConnectionID connectionID,
						  TNC_UInt32 messageFlags, TNC_BufferReference message,
						  TNC_UInt32 messageLength, TNC_VendorID messageVendorID,
						  TNC_MessageSubtype messageSubtype, TNC_UInt32 sourceIMVID,
						  TNC_UInt32 destinationIMCID)
{
	if (!module)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_receive_message_long(module->agent, imcID, connectionID, messageFlags, message,
					      messageLength, messageVendorID, messageSubtype, sourceIMVID,
					      destinationIMCID);
}

TNC_IMC_API TNC_Result TNC_IMC_BatchEnding(TNC_IMCID imcID, TNC_ConnectionID connectionID)
{
	if (!module)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_batch_ending(module->agent, imcID, connectionID);
}

TNC_IMC_API TNC_Result TNC_IMC_Terminate(TNC_IMCID imcID)
{
	TNC_Result res;

	pthread_mutex_lock(&module_lock);
	if (!module) {
		pthread_mutex_unlock(&module_lock);
		return TNC_RESULT_NOT_INITIALIZED;
	}
	res = tnc_agent_terminate(module->agent, imcID);
	if (res == TNC_RESULT_SUCCESS) {
		module_free(module);
		module = NULL;
	}
	pthread_mutex_unlock(&module_lock);
	return res;
}

TNC_IMC_API TNC_Result TNC_IMC_ProvideBindFunction(TNC_IMCID imcID, TNC_TNCC_BindFunctionPointer bindFunction)
{
	if (!module)
		return TNC_RESULT_NOT_INITIALIZED;
	return tnc_agent_provide_bind_function(module->agent, imcID, (tnc_agent_bind_fn)bindFunction);
}
