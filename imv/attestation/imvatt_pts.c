/*
 * PTS negotiation of the attestation IMV, in the order of the reference
 * exchange:
 *
 *   IMV: Segmentation Contract Request, Request PTS Protocol Capabilities,
 *        PTS Measurement Algorithm Request
 *   IMC: Contract Response, PTS Protocol Capabilities, Algorithm Selection
 *   IMV: file requests (FMEAS ...), DH Nonce Parameters Request
 *   IMC: file replies, DH Nonce Parameters Response
 *   IMV: DH Nonce Finish, Get TPM Version Information, Get AIK
 *   IMC: TPM Version Information, Attestation Identity Key
 *   IMV: Get Symlinks, Request Functional Component Evidence, Generate
 *        Attestation Evidence (imvatt_evidence.c)
 */
#include <stdlib.h>
#include <string.h>

#include "attest/meas_algo.h"
#include "imvatt.h"
#include "log.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_pa_tnc_error.h"
#include "pts/pts_caps.h"
#include "pts/pts_dh.h"
#include "pts/pts_meas_algo.h"
#include "pts/pts_tpm.h"
#include "pts/seg_attr.h"

/* PTS error codes this IMV reacts to (TCG PTS IF-M binding, error vendor 0x005597). */
#define PTS_ERROR_TPM_VERSION_NOT_SUPPORTED 9u

/* Capabilities the verifier offers: local verification, DH nonces, TPM evidence. */
#define IMVATT_CAPS (PTS_PROTO_CAPS_V | PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T)

typedef int (*encode_fn)(const void *arg, writer_t *w);

/* Encodes one attribute with fn and queues it. */
static int add_attr(imvatt_state *s, uint8_t flags, uint32_t vendor, uint32_t type, encode_fn fn, const void *arg)
{
	writer_t w;
	int rc;

	writer_init(&w, 4096);
	rc = fn(arg, &w);
	if (rc == TS_OK)
		rc = imvatt_out_add(s, flags, vendor, type, &w);
	writer_free(&w);
	return rc;
}

static int enc_contract(const void *arg, writer_t *w) { return seg_attr_contract_encode(arg, w); }
static int enc_caps(const void *arg, writer_t *w) { return pts_caps_encode(arg, w); }
static int enc_algo(const void *arg, writer_t *w) { return pts_meas_algo_encode(arg, w); }
static int enc_dh_req(const void *arg, writer_t *w) { return pts_dh_params_req_encode(arg, w); }
static int enc_dh_finish(const void *arg, writer_t *w) { return pts_dh_finish_encode(arg, w); }
static int enc_get_version(const void *arg, writer_t *w) { return pts_tpm_get_version_encode(w); }
static int enc_get_aik(const void *arg, writer_t *w) { return pts_tpm_get_aik_encode(w); }

bool imvatt_pts_wants_tpm(const imvatt_state *s)
{
	for (size_t i = 0; i < s->item_count; i++)
		if (s->items[i].type == PM_WORKITEM_TPMRA && !s->items[i].done)
			return true;
	return false;
}

/* Ends every open TPMRA workitem with the same result. */
static void fail_tpmra(imvatt_state *s, int evaluation, const char *text)
{
	for (size_t i = 0; i < s->item_count; i++)
		if (s->items[i].type == PM_WORKITEM_TPMRA && !s->items[i].done)
			imvatt_result_set(s, &s->items[i], evaluation, "%s", text);
}

int imvatt_pts_start(imvatt_state *s)
{
	uint32_t max = tnc_agent_get_attribute_u32(s->mod->agent, s->conn, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, 0);
	seg_attr_contract req;
	pts_caps caps = { .flags = IMVATT_CAPS };
	pts_meas_algo algo = { .algos = s->mod->conf.meas_algos };
	int rc;

	if (max == 0 || max == 0xFFFFFFFFu || max > SEG_ENGINE_DEFAULT_MAX_MSG_SIZE)
		max = SEG_ENGINE_DEFAULT_MAX_MSG_SIZE;
	rc = seg_contract_request(&s->contract, PTS_PEN_TCG, PTS_MSG_SUBTYPE, max, &req);
	if (rc == TS_OK)
		rc = add_attr(s, 0, PTS_PEN_TCG, SEG_ATTR_CONTRACT_REQ, enc_contract, &req);
	if (rc == TS_OK)
		rc = add_attr(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_REQ_PROTO_CAPS, enc_caps, &caps);
	if (rc == TS_OK)
		rc = add_attr(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_MEAS_ALGO, enc_algo, &algo);
	if (rc == TS_OK)
		s->proto.pts_started = true;
	return rc;
}

static int process_contract(imvatt_state *s, const uint8_t *value, size_t len)
{
	seg_attr_contract resp;
	seg_limits limits;
	int rc;

	rc = seg_attr_contract_decode(value, len, &resp, NULL);
	if (rc == TS_OK)
		rc = seg_contract_apply_response(&s->contract, &resp, NULL);
	if (rc != TS_OK) {
		imvatt_fail(s, "the segmentation contract response is invalid: %s", ts_strerror(rc));
		return rc;
	}
	seg_engine_default_limits(&limits);
	if (s->seg) {
		seg_engine_set_contract(s->seg, &s->contract);
		return TS_OK;
	}
	s->seg = seg_engine_create(&s->contract, &limits);
	return s->seg ? TS_OK : TS_E_NOMEM;
}

static int process_caps(imvatt_state *s, const uint8_t *value, size_t len)
{
	pts_caps caps;
	int rc = pts_caps_decode(value, len, &caps, NULL);

	if (rc != TS_OK)
		return rc;
	s->caps = caps.flags;
	s->proto.caps_received = true;
	log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, s->conn, "%s: PTS capabilities 0x%04x", IMVATT_NAME, caps.flags);
	return TS_OK;
}

static int process_algo(imvatt_state *s, const uint8_t *value, size_t len)
{
	pts_meas_algo sel;
	int rc = pts_meas_algo_selection_decode(value, len, &sel, NULL);

	if (rc != TS_OK)
		return rc;
	if (!(sel.algos & s->mod->conf.meas_algos)) {
		imvatt_fail(s, "the endpoint selected measurement algorithm %s, which was not offered (offered 0x%04x)",
			    meas_algo_name(sel.algos), s->mod->conf.meas_algos);
		return TS_E_PROTOCOL;
	}
	s->meas_algo = sel.algos;
	s->proto.algo_received = true;
	log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, s->conn, "%s: measurement algorithm %s", IMVATT_NAME,
		 meas_algo_name(sel.algos));
	return TS_OK;
}

/* DH Nonce Parameters Response: derives the secret and replies with DH Nonce Finish. */
static int process_dh_resp(imvatt_state *s, const uint8_t *value, size_t len)
{
	const imvatt_conf *c = &s->mod->conf;
	pts_dh_params_resp resp;
	pts_dh_finish fin;
	uint16_t hash = 0;
	int rc;

	if (!s->proto.dh_requested || s->dh) {
		imvatt_fail(s, "the endpoint sent an unrequested DH Nonce Parameters Response");
		return TS_E_PROTOCOL;
	}
	rc = pts_dh_params_resp_decode(value, len, &resp, NULL);
	if (rc != TS_OK)
		return rc;
	if (!(resp.dh_group & c->dh_groups)) {
		imvatt_fail(s, "the endpoint selected DH group %s, which was not offered",
			    dh_nonce_group_name(resp.dh_group));
		return TS_E_PROTOCOL;
	}
	if (dh_nonce_check_nonce_len(&c->dh, resp.nonce.len) != TS_OK) {
		imvatt_fail(s, "the endpoint's nonce has %zu octets; at least %zu are required", resp.nonce.len,
			    c->dh.min_nonce_len);
		return TS_E_PROTOCOL;
	}
	if (meas_algo_select(resp.hash_algos, c->meas_algos, &hash) != TS_OK) {
		imvatt_fail(s, "the endpoint offers no usable nonce hash algorithm (0x%04x)", resp.hash_algos);
		return TS_E_PROTOCOL;
	}

	/* Our nonce has the responder's length, as strongSwan requires. */
	rc = dh_nonce_create(resp.dh_group, resp.nonce.len, &s->dh);
	if (rc == TS_OK)
		rc = dh_nonce_set_peer(s->dh, resp.pub_value.data, resp.pub_value.len, resp.nonce.data,
				       resp.nonce.len);
	if (rc == TS_OK)
		rc = dh_nonce_compute_secret(s->dh, DH_NONCE_INITIATOR, hash, s->secret, sizeof(s->secret),
					     &s->secret_len);
	if (rc != TS_OK) {
		imvatt_fail(s, "the DH nonce exchange failed: %s", ts_strerror(rc));
		return rc;
	}

	fin.hash_algo = hash;
	dh_nonce_get_public(s->dh, &fin.pub_value.data, &fin.pub_value.len);
	dh_nonce_get_nonce(s->dh, &fin.nonce.data, &fin.nonce.len);
	rc = add_attr(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_DH_NONCE_FINISH, enc_dh_finish, &fin);
	if (rc == TS_OK)
		rc = add_attr(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_GET_TPM_VERSION_INFO, enc_get_version, NULL);
	if (rc == TS_OK)
		rc = add_attr(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_GET_AIK, enc_get_aik, NULL);
	if (rc == TS_OK)
		s->proto.dh_finished = true;
	log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, s->conn, "%s: DH group %s, nonce hash %s", IMVATT_NAME,
		 dh_nonce_group_name(resp.dh_group), meas_algo_name(hash));
	return rc;
}

static int process_version(imvatt_state *s, const uint8_t *value, size_t len)
{
	pts_tpm_version ver;
	pts_tpm_version2 v2;
	int rc = pts_tpm_version_decode(value, len, &ver, NULL);

	if (rc != TS_OK)
		return rc;
	rc = pts_tpm_version2_decode(&ver.info, &v2, NULL);
	if (rc == TS_OK) {
		if (v2.locality > 4) {
			imvatt_fail(s, "the TPM version information states start-up locality %u (0-4 allowed)", v2.locality);
			return TS_E_PROTOCOL;
		}
		s->locality = v2.locality;
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, s->conn,
			 "%s: TPM 2.0 revision %u, year %u, start-up locality %u", IMVATT_NAME, v2.revision, v2.year,
			 v2.locality);
	} else {
		/* A TPM 1.2 blob: its quote formats are not verified by this IMV (see the SEF check). */
		s->locality = 0;
	}
	s->proto.version_received = true;
	return TS_OK;
}

static int process_aik(imvatt_state *s, const uint8_t *value, size_t len)
{
	pts_tpm_aik aik;
	int rc = pts_tpm_aik_decode(value, len, &aik, NULL);

	if (rc != TS_OK)
		return rc;
	if (s->proto.aik_received) {
		imvatt_fail(s, "the endpoint sent a second Attestation Identity Key");
		return TS_E_PROTOCOL;
	}
	s->proto.aik_received = true;
	return imvatt_ak_check(s, aik.naked_key, aik.blob.data, aik.blob.len);
}

static int process_symlinks(imvatt_state *s, const uint8_t *value, size_t len)
{
	uint8_t *copy;
	int rc;

	if (s->symlinks_value)
		return TS_OK;
	copy = malloc(len ? len : 1);
	if (!copy)
		return TS_E_NOMEM;
	memcpy(copy, value, len);
	rc = ita_attr_symlinks_decode(copy, len, &s->symlinks, NULL);
	if (rc != TS_OK) {
		free(copy);
		return rc;
	}
	s->symlinks_value = copy;
	return TS_OK;
}

/* A PA-TNC Error from the IMC. PTS error 9 (no TPM version) is not fatal, as in strongSwan. */
static int process_error(imvatt_state *s, const uint8_t *value, size_t len)
{
	ietf_pa_tnc_error err;
	char text[IMVATT_TEXT_MAX];
	int rc = ietf_pa_tnc_error_decode(value, len, &err, NULL);

	if (rc != TS_OK)
		return rc;
	if (err.vendor == PTS_PEN_TCG && err.code == PTS_ERROR_TPM_VERSION_NOT_SUPPORTED) {
		s->locality = 0;
		s->proto.version_received = true;
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, s->conn,
			 "%s: the endpoint has no TPM version information; PCR 0 starts at locality 0", IMVATT_NAME);
		return TS_OK;
	}
	if (err.vendor == PTS_PEN_TCG)
		snprintf(text, sizeof(text), "the endpoint reported PTS error %u", (unsigned)err.code);
	else
		snprintf(text, sizeof(text), "the endpoint reported PA-TNC error %u (%s)", (unsigned)err.code,
			 ietf_pa_tnc_error_code_name(err.vendor, err.code) ? ietf_pa_tnc_error_code_name(err.vendor, err.code)
									     : "unknown");
	log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, s->conn, "%s: %s", IMVATT_NAME, text);
	s->proto.pending_error = true;
	fail_tpmra(s, PM_EVAL_ERROR, text);
	/* File workitems whose reply will not come end with the same error. */
	for (size_t i = 0; i < s->item_count; i++)
		if (imvatt_files_is_type(s->items[i].type) && !s->items[i].done && s->proto.files_requested)
			imvatt_result_set(s, &s->items[i], PM_EVAL_ERROR, "%s", text);
	return TS_OK;
}

int imvatt_pts_process(imvatt_state *s, uint8_t flags, uint32_t vendor, uint32_t type, const uint8_t *value,
		       size_t len)
{
	if (vendor == PA_VENDOR_IETF && type == IETF_ATTR_PA_TNC_ERROR)
		return process_error(s, value, len);
	if (vendor == PTS_PEN_ITA && type == ITA_ATTR_SYMLINKS)
		return process_symlinks(s, value, len);
	if (vendor != PTS_PEN_TCG)
		return TS_OK;

	switch (type) {
	case SEG_ATTR_CONTRACT_RESP:
		return process_contract(s, value, len);
	case PTS_ATTR_PROTO_CAPS:
		return process_caps(s, value, len);
	case PTS_ATTR_MEAS_ALGO_SELECTION:
		return process_algo(s, value, len);
	case PTS_ATTR_DH_NONCE_PARAMS_RESP:
		return process_dh_resp(s, value, len);
	case PTS_ATTR_TPM_VERSION_INFO:
		return process_version(s, value, len);
	case PTS_ATTR_AIK:
		return process_aik(s, value, len);
	case PTS_ATTR_SIMPLE_COMP_EVID:
		return imvatt_evidence_sce(s, value, len);
	case PTS_ATTR_SIMPLE_EVID_FINAL:
		return imvatt_evidence_sef(s, value, len);
	case PTS_ATTR_FILE_MEAS:
		return imvatt_files_measurement(s, value, len);
	case PTS_ATTR_UNIX_FILE_META:
		return imvatt_files_metadata(s, value, len);
	default:
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_DEBUG, s->conn, "%s: ignoring TCG attribute 0x%08x", IMVATT_NAME, type);
		return TS_OK;
	}
}

/* After capabilities and algorithm: file requests, then the DH nonce request. */
static int request_nonce(imvatt_state *s)
{
	const imvatt_conf *c = &s->mod->conf;
	pts_dh_params_req req = {
		.min_nonce_len = (uint8_t)(c->dh.min_nonce_len > 255 ? 255 : c->dh.min_nonce_len),
		.dh_groups = c->dh_groups,
	};
	int rc;

	if (!s->proto.files_requested) {
		rc = imvatt_files_request(s);
		if (rc != TS_OK)
			return rc;
		s->proto.files_requested = true;
	}
	if (!imvatt_pts_wants_tpm(s)) {
		s->proto.dh_requested = true;
		return TS_OK;
	}
	if (!(s->caps & PTS_PROTO_CAPS_T)) {
		fail_tpmra(s, PM_EVAL_ERROR, "no TPM available: the endpoint does not offer TPM evidence (PTS capability T)");
		s->proto.dh_requested = true;
		return TS_OK;
	}
	if (!(s->caps & PTS_PROTO_CAPS_D)) {
		fail_tpmra(s, PM_EVAL_ERROR,
			   "no DH nonce negotiation: the endpoint does not offer it (PTS capability D), so a quote could be replayed");
		s->proto.dh_requested = true;
		return TS_OK;
	}
	rc = add_attr(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_DH_NONCE_PARAMS_REQ, enc_dh_req, &req);
	if (rc == TS_OK)
		s->proto.dh_requested = true;
	return rc;
}

int imvatt_pts_next(imvatt_state *s)
{
	imvatt_proto *p = &s->proto;

	if (s->item_count == 0 || s->decided)
		return TS_OK;
	if (!p->pts_started)
		return imvatt_pts_start(s);
	if (p->pending_error)
		return TS_OK;
	if (p->caps_received && p->algo_received && !p->dh_requested)
		return request_nonce(s);
	if (p->dh_finished && p->version_received && p->aik_received && !p->evidence_requested &&
	    imvatt_pts_wants_tpm(s)) {
		if (!s->ak_trusted) {
			for (size_t i = 0; i < s->item_count; i++) {
				pm_workitem *w = &s->items[i];

				if (w->type != PM_WORKITEM_TPMRA || w->done)
					continue;
				w->rec_noresult = imvatt_result_most_severe(w->rec_noresult, s->mod->conf.untrusted_ak_rec);
				imvatt_result_set(s, w, PM_EVAL_ERROR, "%s", s->ak_problem);
			}
			p->evidence_requested = true;
			return TS_OK;
		}
		p->evidence_requested = true;
		return imvatt_evidence_request(s);
	}
	/* imvatt_evidence_sef() evaluated the evidence when Simple Evidence Final arrived. */
	return TS_OK;
}
