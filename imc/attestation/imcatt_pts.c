/*
 * PTS negotiation on the attested side: segmentation contract, protocol
 * capabilities, measurement algorithm, DH nonce, TPM version information
 * and the attestation identity key, as strongSwan 6.0.6's IMV expects them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "agent_msg.h"
#include "attest/meas_algo.h"
#include "attest/tpm2_ak.h"
#include "imcatt.h"
#include "log.h"
#include "pts/pts_caps.h"
#include "pts/pts_dh.h"
#include "pts/pts_meas_algo.h"
#include "pts/pts_tpm.h"

tpm_t *imcatt_pts_tpm(imcatt_state *state)
{
	const imcatt_conf *conf = &state->module->conf;
	tpm_t *tpm = NULL;
	uint32_t banks = 0;

	if (state->tpm || state->tpm_failed)
		return state->tpm;
	if (tpm_open(conf->tcti, &tpm) != TS_OK || tpm_get_banks(tpm, &banks) != TS_OK) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: no usable TPM (tcti '%s'); TPM evidence is not available",
			 conf->tcti ? conf->tcti : "libudev discovery");
		tpm_close(tpm);
		state->tpm_failed = true;
		return NULL;
	}
	if (conf->ak_blob && tpm_set_ak_blob(tpm, conf->ak_blob_type, conf->ak_blob, conf->ak_blob_len) != TS_OK) {
		tpm_close(tpm);
		state->tpm_failed = true;
		return NULL;
	}
	state->tpm = tpm;
	state->tpm_banks = banks;
	return tpm;
}

/* The largest PA-TNC message this side accepts on the connection (IF-IMC attribute 0x00559701). */
static uint32_t own_max_msg_size(imcatt_state *state)
{
	uint32_t max = tnc_agent_get_attribute_u32(state->module->agent, state->conn,
						   TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, 0);

	if (max == 0 || max == 0xFFFFFFFFu || max > AGENT_MSG_MAX_SIZE)
		max = AGENT_MSG_MAX_SIZE;
	return max;
}

int imcatt_pts_contract(imcatt_reply *r, const pa_msg *msg, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	seg_attr_contract req, resp;
	seg_contract c;
	seg_limits limits;
	size_t bad = 0;
	writer_t w;
	int rc;

	rc = seg_attr_contract_decode(attr->value, attr->value_len, &req, &bad);
	if (rc == TS_OK)
		rc = seg_contract_respond(&c, PTS_PEN_TCG, PTS_MSG_SUBTYPE, &req, own_max_msg_size(state), &resp,
					  &bad);
	if (rc != TS_OK)
		return imcatt_reply_invalid(r, msg, pa_attr_value_offset(attr) + bad, "segmentation contract");

	if (state->seg) {
		seg_engine_set_contract(state->seg, &c);
	} else {
		seg_engine_default_limits(&limits);
		state->seg = seg_engine_create(&c, &limits);
		if (!state->seg)
			return TS_E_NOMEM;
	}
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, state->conn,
		 "attestation: segmentation contract: max message size 0x%08x, max segment size %u", resp.max_msg_size,
		 resp.max_seg_size);

	writer_init(&w, 64);
	rc = seg_attr_contract_encode(&resp, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PTS_PEN_TCG, SEG_ATTR_CONTRACT_RESP, &w);
	writer_free(&w);
	return rc;
}

int imcatt_pts_next_segment(imcatt_reply *r, const pa_msg *msg, const pa_attr *attr)
{
	seg_attr_next req;
	seg_error err = { 0 };
	size_t bad = 0;
	bool last = false;
	writer_t env;
	int rc;

	rc = seg_attr_next_decode(attr->value, attr->value_len, &req, &bad);
	if (rc != TS_OK)
		return imcatt_reply_invalid(r, msg, pa_attr_value_offset(attr) + bad, "next segment");
	if (!r->state->seg)
		return imcatt_reply_invalid(r, msg, pa_attr_value_offset(attr) + 1, "base message id");

	writer_init(&env, AGENT_MSG_MAX_SIZE);
	rc = seg_engine_next(r->state->seg, &req, &env, &last, &err);
	if (rc == TS_OK && writer_len(&env) > 0)
		rc = imcatt_reply_add(r, 0, PTS_PEN_TCG, SEG_ATTR_ENVELOPE, &env);
	else if (rc != TS_OK)
		rc = imcatt_reply_invalid(r, msg, pa_attr_value_offset(attr) + err.offset, "base message id");
	writer_free(&env);
	return rc;
}

int imcatt_pts_caps(imcatt_reply *r, const pa_attr *attr)
{
	pts_caps offered, answer;
	uint16_t own = 0;
	writer_t w;
	int rc;

	rc = pts_caps_decode(attr->value, attr->value_len, &offered, NULL);
	if (rc != TS_OK)
		return rc;
	/* Local validation and current evidence are not implemented; D and T need a TPM. */
	if (imcatt_pts_tpm(r->state))
		own = PTS_PROTO_CAPS_D | PTS_PROTO_CAPS_T;
	answer.flags = offered.flags & own;
	r->state->caps = answer.flags;
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, r->state->conn,
		 "attestation: PTS capabilities offered 0x%04x, supported 0x%04x", offered.flags, answer.flags);

	writer_init(&w, 16);
	rc = pts_caps_encode(&answer, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PTS_PEN_TCG, PTS_ATTR_PROTO_CAPS, &w);
	writer_free(&w);
	return rc;
}

/*
 * The measurement algorithms this platform can offer: those with a PCR bank,
 * and of these, those the firmware log has digests for (when it has any).
 */
static uint16_t supported_algos(imcatt_state *state)
{
	uint16_t set = 0, in_log;
	uint32_t banks;

	if (imcatt_pts_tpm(state))
		banks = state->tpm_banks;
	else
		banks = TPM_BANK_SHA1 | TPM_BANK_SHA256 | TPM_BANK_SHA384;
	if (banks & TPM_BANK_SHA256)
		set |= PTS_MEAS_ALGO_SHA256;
	if (banks & TPM_BANK_SHA384)
		set |= PTS_MEAS_ALGO_SHA384;
	if ((banks & TPM_BANK_SHA1) && state->module->conf.sha1)
		set |= PTS_MEAS_ALGO_SHA1;
	in_log = imcatt_evidence_log_algos(&state->module->conf);
	if (set & in_log)
		set &= in_log;
	return set;
}

int imcatt_pts_meas_algo(imcatt_reply *r, const pa_attr *attr)
{
	pts_meas_algo offered, sel;
	uint16_t supported = supported_algos(r->state), chosen = 0;
	uint8_t info[4];
	writer_t w;
	int rc;

	rc = pts_meas_algo_decode(attr->value, attr->value_len, &offered, NULL);
	if (rc != TS_OK)
		return rc;
	if (meas_algo_select(offered.algos, supported, &chosen) != TS_OK) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, r->state->conn,
			 "attestation: no common measurement algorithm: offered 0x%04x, the TPM's PCR banks and "
			 "the configuration allow 0x%04x", offered.algos, supported);
		/* Error information: reserved (2), supported hash algorithm set (2). */
		info[0] = 0;
		info[1] = 0;
		info[2] = (uint8_t)(supported >> 8);
		info[3] = (uint8_t)supported;
		return imcatt_reply_pts_error(r, IMCATT_PTS_ERR_HASH_NOT_SUPPORTED, info, sizeof(info));
	}
	r->state->meas_algo = chosen;
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, r->state->conn, "attestation: measurement algorithm %s",
		 meas_algo_name(chosen));

	sel.algos = chosen;
	writer_init(&w, 16);
	rc = pts_meas_algo_selection_encode(&sel, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PTS_PEN_TCG, PTS_ATTR_MEAS_ALGO_SELECTION, &w);
	writer_free(&w);
	return rc;
}

int imcatt_pts_dh_params(imcatt_reply *r, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	dh_nonce_config cfg;
	pts_dh_params_req req;
	pts_dh_params_resp resp;
	uint16_t supported, group = 0;
	size_t nonce_len = state->module->conf.nonce_len;
	uint8_t info[4];
	writer_t w;
	int rc;

	rc = pts_dh_params_req_decode(attr->value, attr->value_len, &req, NULL);
	if (rc != TS_OK)
		return rc;
	dh_nonce_config_init(&cfg);
	supported = dh_nonce_supported_groups(&cfg);
	if (dh_nonce_select_group(req.dh_groups, supported, &group) != TS_OK) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: no common DH group: offered 0x%04x, supported 0x%04x", req.dh_groups, supported);
		info[0] = 0;
		info[1] = 0;
		info[2] = (uint8_t)(supported >> 8);
		info[3] = (uint8_t)supported;
		return imcatt_reply_pts_error(r, IMCATT_PTS_ERR_DH_GROUPS_NOT_SUPPORTED, info, sizeof(info));
	}
	/* A longer minimum than configured is met by a longer nonce; one octet caps both at 255. */
	if (req.min_nonce_len > nonce_len)
		nonce_len = req.min_nonce_len;

	dh_nonce_destroy(state->dh);
	state->dh = NULL;
	state->secret_len = 0;
	rc = dh_nonce_create(group, nonce_len, &state->dh);
	if (rc != TS_OK)
		return rc;

	memset(&resp, 0, sizeof(resp));
	resp.dh_group = group;
	resp.hash_algos = state->meas_algo ? state->meas_algo : supported_algos(state);
	dh_nonce_get_nonce(state->dh, &resp.nonce.data, &resp.nonce.len);
	dh_nonce_get_public(state->dh, &resp.pub_value.data, &resp.pub_value.len);
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, state->conn, "attestation: DH group %s, nonce of %zu octets",
		 dh_nonce_group_name(group), nonce_len);

	writer_init(&w, 1024);
	rc = pts_dh_params_resp_encode(&resp, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PTS_PEN_TCG, PTS_ATTR_DH_NONCE_PARAMS_RESP, &w);
	writer_free(&w);
	return rc;
}

int imcatt_pts_dh_finish(imcatt_reply *r, const pa_msg *msg, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	pts_dh_finish fin;
	size_t bad = 0;
	int rc;

	rc = pts_dh_finish_decode(attr->value, attr->value_len, &fin, &bad);
	if (rc != TS_OK)
		return rc;
	if (!state->dh) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: DH Nonce Finish without a preceding DH Nonce Parameters Request");
		return imcatt_reply_invalid(r, msg, pa_attr_value_offset(attr), "DH nonce finish");
	}
	if (!meas_algo_is_single(fin.hash_algo) || (state->meas_algo && fin.hash_algo != state->meas_algo)) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: DH Nonce Finish selects hash 0x%04x, not the offered 0x%04x", fin.hash_algo,
			 state->meas_algo);
		return imcatt_reply_invalid(r, msg, pa_attr_value_offset(attr) + 2, "selected hash algorithm");
	}
	rc = dh_nonce_set_peer(state->dh, fin.pub_value.data, fin.pub_value.len, fin.nonce.data, fin.nonce.len);
	if (rc == TS_OK)
		rc = dh_nonce_compute_secret(state->dh, DH_NONCE_RESPONDER, fin.hash_algo, state->secret,
					     sizeof(state->secret), &state->secret_len);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: DH Nonce Finish rejected: %s", ts_strerror(rc));
		state->secret_len = 0;
		return imcatt_reply_invalid(r, msg, pa_attr_value_offset(attr) + 4, "initiator public value");
	}
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, state->conn,
		 "attestation: DH nonce exchange done, %zu-octet secret", state->secret_len);
	return TS_OK;
}

int imcatt_pts_tpm_version(imcatt_reply *r, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	tpm_version_info info;
	pts_tpm_version2 ver;
	tpm_t *tpm = imcatt_pts_tpm(state);
	writer_t w;
	int rc;

	if (!tpm || tpm_get_version_info(tpm, &info) != TS_OK) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: cannot read the TPM version information");
		return imcatt_reply_pts_error_attr(r, IMCATT_PTS_ERR_TPM_VERSION_NOT_SUPPORTED, attr);
	}
	memset(&ver, 0, sizeof(ver));
	ver.locality = imcatt_evidence_startup_locality(&state->module->conf);
	ver.revision = info.spec_revision;
	ver.year = info.spec_year;
	ver.manufacturer[0] = (uint8_t)(info.manufacturer >> 24);
	ver.manufacturer[1] = (uint8_t)(info.manufacturer >> 16);
	ver.manufacturer[2] = (uint8_t)(info.manufacturer >> 8);
	ver.manufacturer[3] = (uint8_t)info.manufacturer;
	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, state->conn,
		 "attestation: TPM 2.0 revision %u, year %u, startup locality %u", ver.revision, ver.year,
		 ver.locality);

	writer_init(&w, 64);
	rc = pts_tpm_version2_encode(&ver, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PTS_PEN_TCG, PTS_ATTR_TPM_VERSION_INFO, &w);
	writer_free(&w);
	return rc;
}

/* Reads the configured AK certificate as DER. */
static int read_ak_cert(const char *path, uint8_t **der, size_t *der_len)
{
	FILE *f = fopen(path, "r");
	X509 *cert = NULL;
	unsigned char *buf = NULL;
	int len;

	if (!f) {
		log_error(LOG_SUBSYS_IMC, "attestation: cannot open the AK certificate %s", path);
		return TS_E_NOT_FOUND;
	}
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!cert) {
		log_error(LOG_SUBSYS_IMC, "attestation: %s contains no PEM certificate", path);
		return TS_E_INVALID;
	}
	len = i2d_X509(cert, &buf);
	X509_free(cert);
	if (len <= 0)
		return TS_E_CRYPTO;
	*der = buf;
	*der_len = (size_t)len;
	return TS_OK;
}

bool imcatt_pts_is_ak(const TPMT_PUBLIC *pub)
{
	TPMA_OBJECT need = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_FIXEDTPM;

	return (pub->objectAttributes & need) == need && !(pub->objectAttributes & TPMA_OBJECT_DECRYPT);
}

/* Reads the AK public key from the TPM as DER SubjectPublicKeyInfo. */
static int read_ak_spki(imcatt_state *state, uint8_t **der, size_t *der_len)
{
	tpm_t *tpm = imcatt_pts_tpm(state);
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	EVP_PKEY *key = NULL;
	TPM2B_PUBLIC tpub;
	unsigned char *buf = NULL;
	int rc, len;

	if (!tpm)
		return TS_E_NOT_FOUND;
	rc = tpm_read_public(tpm, state->module->conf.ak_handle, &pub, &pub_len);
	if (rc != TS_OK)
		return rc;
	rc = tpm2_ak_parse_public(pub, pub_len, &tpub, NULL);
	if (rc == TS_OK && !imcatt_pts_is_ak(&tpub.publicArea)) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: the key at 0x%08x is not a restricted signing key (attributes 0x%08x); "
			 "check ak_handle", state->module->conf.ak_handle, tpub.publicArea.objectAttributes);
		rc = TS_E_INVALID;
	}
	if (rc == TS_OK)
		rc = tpm2_ak_from_tpmt_public(&tpub.publicArea, &key);
	free(pub);
	if (rc != TS_OK)
		return rc;
	len = i2d_PUBKEY(key, &buf);
	EVP_PKEY_free(key);
	if (len <= 0)
		return TS_E_CRYPTO;
	*der = buf;
	*der_len = (size_t)len;
	return TS_OK;
}

int imcatt_pts_aik(imcatt_reply *r, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	const imcatt_conf *conf = &state->module->conf;
	pts_tpm_aik aik = { 0 };
	uint8_t *der = NULL;
	size_t der_len = 0;
	uint8_t keyid[TPM2_AK_KEYID_LEN];
	char hex[TPM2_AK_KEYID_HEX_LEN + 1];
	writer_t w;
	int rc;

	if (conf->ak_cert) {
		rc = read_ak_cert(conf->ak_cert, &der, &der_len);
		aik.naked_key = false;
	} else {
		rc = read_ak_spki(state, &der, &der_len);
		aik.naked_key = true;
	}
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, state->conn,
			 "attestation: no attestation key to send (%s at %s 0x%08x): %s",
			 conf->ak_cert ? "certificate" : "TPM key", conf->ak_cert ? conf->ak_cert : "handle",
			 conf->ak_cert ? 0 : conf->ak_handle, ts_strerror(rc));
		return imcatt_reply_pts_error_attr(r, IMCATT_PTS_ERR_NOT_SUPPORTED, attr);
	}
	if (aik.naked_key && tpm2_ak_keyid_spki(der, der_len, keyid) == TS_OK) {
		tpm2_ak_keyid_hex(keyid, hex);
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, state->conn, "attestation: sending AK public key, keyid %s",
			 hex);
	}
	aik.blob.data = der;
	aik.blob.len = der_len;
	writer_init(&w, AGENT_MSG_MAX_SIZE);
	rc = pts_tpm_aik_encode(&aik, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PTS_PEN_TCG, PTS_ATTR_AIK, &w);
	writer_free(&w);
	OPENSSL_free(der);
	return rc;
}
