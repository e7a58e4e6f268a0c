/*
 * Functional component evidence and the TPM 2.0 quote.
 *
 * Boot component (ITA-HSR "Linux IMA", qualifier K + trusted platform,
 * 0x21): one Simple Component Evidence per extend of the firmware event log
 * in the selected bank, in log order; EV_NO_ACTION events are not extends.
 * IMA component (qualifier K + operating system, 0x22): one per record of
 * the binary IMA list, with the template hash in the selected bank and the
 * event name in the policy URI, as strongSwan 6.0.6 sends it.
 *
 * Simple Evidence Final carries a TPM2_Quote over every PCR the evidence
 * touched, in the selected bank, qualified with the DH nonce secret, in
 * strongSwan's TPM 2.0 quote info format (flag 0x10).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent_msg.h"
#include "attest/meas_algo.h"
#include "attest/tpm2_ak.h"
#include "attest/tpm2_quote.h"
#include "attest/tpm2_quote_info.h"
#include "eventlog/eventlog.h"
#include "ima/ima.h"
#include "imcatt.h"
#include "log.h"
#include "pts/pts_comp.h"
#include "pts/pts_sce.h"
#include "pts/pts_sef.h"

/* Largest IMA list read; a list beyond it is reported as unreadable. */
#define IMCATT_EVIDENCE_MAX_IMA_SIZE (256u * 1024 * 1024)

/* Component qualifiers strongSwan uses for the two ITA-HSR "Linux IMA" components. */
#define IMCATT_QUAL_BOOT (PTS_COMP_QUAL_KERNEL | PTS_COMP_QUAL_TRUSTED_PLATFORM)
#define IMCATT_QUAL_IMA (PTS_COMP_QUAL_KERNEL | PTS_COMP_QUAL_OS)

/*
 * Reads a whole file of at most max octets. Files in securityfs report size
 * 0, so this reads until end of file instead of trusting st_size.
 */
static int read_file(const char *path, size_t max, uint8_t **out, size_t *out_len, time_t *ctime_out)
{
	struct stat st;
	uint8_t *buf = NULL, *grown;
	size_t len = 0, cap = 0;
	int fd, rc = TS_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? TS_E_NOT_FOUND : TS_E_IO;
	if (fstat(fd, &st) == 0 && ctime_out)
		*ctime_out = st.st_ctime;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap >= max) {
				rc = TS_E_TOO_LARGE;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > max)
				cap = max;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				rc = TS_E_NOMEM;
				break;
			}
			buf = grown;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = TS_E_IO;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (rc != TS_OK) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = len;
	return TS_OK;
}

/* Reads and parses the firmware log; logs why it cannot. */
static int load_eventlog(const imcatt_conf *conf, TNC_ConnectionID conn, uint8_t **data, eventlog_t **log,
			 time_t *ctime_out)
{
	eventlog_error_t err = { 0 };
	size_t len = 0;
	int rc;

	rc = read_file(conf->eventlog, EVENTLOG_DEFAULT_MAX_LOG_SIZE, data, &len, ctime_out);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, conn, "attestation: cannot read the event log %s: %s",
			 conf->eventlog, ts_strerror(rc));
		return rc;
	}
	rc = eventlog_parse(*data, len, NULL, log, &err);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, conn,
			 "attestation: malformed event log %s: event %zu, offset %zu: %s", conf->eventlog, err.index,
			 err.offset, err.message);
		free(*data);
		*data = NULL;
	}
	return rc;
}

uint8_t imcatt_evidence_startup_locality(const imcatt_conf *conf)
{
	uint8_t *data = NULL;
	eventlog_t *log = NULL;
	uint8_t locality = 0;

	if (load_eventlog(conf, 0, &data, &log, NULL) == TS_OK)
		locality = eventlog_get_startup_locality(log);
	eventlog_destroy(log);
	free(data);
	return locality;
}

uint16_t imcatt_evidence_log_algos(const imcatt_conf *conf)
{
	const eventlog_algorithm_t *algs;
	uint8_t *data = NULL;
	eventlog_t *log = NULL;
	uint16_t set = 0, bit;
	size_t n;

	if (load_eventlog(conf, 0, &data, &log, NULL) != TS_OK)
		return 0;
	n = eventlog_get_algorithms(log, &algs);
	for (size_t i = 0; i < n; i++)
		if (meas_algo_from_tpm_alg(algs[i].alg_id, &bit) == TS_OK)
			set |= bit;
	eventlog_destroy(log);
	free(data);
	return set;
}

static void format_time(time_t t, char out[PTS_SCE_TIME_LEN + 1])
{
	struct tm tm;

	if (t <= 0 || !gmtime_r(&t, &tm) || strftime(out, PTS_SCE_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) !=
	    PTS_SCE_TIME_LEN)
		memcpy(out, PTS_SCE_TIME_UNKNOWN, PTS_SCE_TIME_LEN + 1);
}

static int add_sce(imcatt_reply *r, const pts_sce *sce)
{
	writer_t w;
	int rc;

	writer_init(&w, AGENT_MSG_MAX_SIZE);
	rc = pts_sce_encode(sce, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PTS_PEN_TCG, PTS_ATTR_SIMPLE_COMP_EVID, &w);
	writer_free(&w);
	return rc;
}

/*
 * Sends the boot evidence. Returns TS_OK, a failure to build the reply, or
 * TS_E_NOT_FOUND / TS_E_INVALID when the log gives no evidence (logged).
 */
static int boot_evidence(imcatt_reply *r, const pts_comp_name *name)
{
	imcatt_state *state = r->state;
	uint16_t algo = state->meas_algo;
	TPM2_ALG_ID bank = 0;
	uint8_t *data = NULL;
	eventlog_t *log = NULL;
	const eventlog_algorithm_t *algs;
	size_t nalgs, count = 0;
	time_t ctime_log = 0;
	pts_sce sce;
	bool has_bank = false;
	int rc;

	if (meas_algo_to_tpm_alg(algo, &bank) != TS_OK)
		return TS_E_STATE;
	rc = load_eventlog(&state->module->conf, state->conn, &data, &log, &ctime_log);
	if (rc != TS_OK)
		return TS_E_INVALID;

	nalgs = eventlog_get_algorithms(log, &algs);
	for (size_t i = 0; i < nalgs; i++)
		has_bank |= algs[i].alg_id == bank;
	if (!has_bank) {
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, state->conn,
			 "attestation: the event log %s has no %s digests", state->module->conf.eventlog,
			 meas_algo_name(algo));
		rc = TS_E_NOT_FOUND;
		goto out;
	}

	memset(&sce, 0, sizeof(sce));
	sce.name = *name;
	sce.meas_type = PTS_SCE_MEAS_TYPE_HASH;
	sce.hash_algo = algo;
	sce.transform = PTS_SCE_TRANSFORM_MATCH;
	format_time(ctime_log, sce.meas_time);

	/* Check every event before sending any, so a bad log yields only the error. */
	for (size_t i = 0; i < eventlog_get_count(log); i++) {
		const eventlog_event_t *ev = eventlog_get_event(log, i);
		bool found = false;

		if (ev->type == EV_NO_ACTION)
			continue;
		for (size_t d = 0; d < ev->digest_count; d++)
			found |= ev->digests[d].alg_id == bank;
		if (!found || ev->pcr >= TPM_PCR_COUNT) {
			log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, state->conn,
				 "attestation: event %zu of the event log (offset %zu) has %s", i, ev->offset,
				 found ? "a PCR index above 23" : "no digest of the selected bank");
			rc = TS_E_INVALID;
			goto out;
		}
	}
	for (size_t i = 0; i < eventlog_get_count(log); i++) {
		const eventlog_event_t *ev = eventlog_get_event(log, i);

		if (ev->type == EV_NO_ACTION)
			continue;
		for (size_t d = 0; d < ev->digest_count; d++) {
			if (ev->digests[d].alg_id != bank)
				continue;
			sce.extended_pcr = ev->pcr;
			sce.measurement.data = ev->digests[d].value;
			sce.measurement.len = ev->digests[d].size;
			break;
		}
		rc = add_sce(r, &sce);
		if (rc != TS_OK)
			goto out;
		state->evidence_pcrs |= 1u << ev->pcr;
		count++;
	}
	log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, state->conn,
		 "attestation: sent %zu boot evidence measurements (%s), startup locality %u", count,
		 meas_algo_name(algo), eventlog_get_startup_locality(log));
	rc = TS_OK;
out:
	eventlog_destroy(log);
	free(data);
	return rc;
}

/* The template hash that the kernel extended into the bank, for one IMA record. */
static int ima_measurement(const ima_entry *e, ima_hash_alg list_alg, ima_hash_alg bank, uint8_t *out,
			   size_t *out_len)
{
	size_t size = ima_hash_alg_size(bank);

	if (e->violation) {
		memset(out, 0xFF, size);
		*out_len = size;
		return TS_OK;
	}
	if (bank == list_alg) {
		memcpy(out, e->template_hash, size);
		*out_len = size;
		return TS_OK;
	}
	return ima_template_hash(e, bank, out, out_len);
}

/*
 * The template digest algorithm of an IMA list file: the per-bank files of
 * newer kernels end in "_<algo>" (binary_runtime_measurements_sha256), the
 * classic file lists SHA-1 template digests.
 */
static ima_hash_alg ima_list_alg_of(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *suffix = strrchr(base ? base : path, '_');
	ima_hash_alg alg;

	if (!suffix)
		return IMA_HASH_SHA1;
	alg = ima_hash_alg_from_name(suffix + 1, strlen(suffix + 1));
	return alg == IMA_HASH_UNKNOWN ? IMA_HASH_SHA1 : alg;
}

static int ima_evidence(imcatt_reply *r, const pts_comp_name *name)
{
	imcatt_state *state = r->state;
	const char *path = state->module->conf.ima;
	uint16_t algo = state->meas_algo;
	TPM2_ALG_ID tpm_alg = 0;
	ima_hash_alg bank;
	ima_list *list = NULL;
	ima_parse_error err = { 0 };
	uint8_t *data = NULL, digest[IMA_DIGEST_MAX];
	char *uri = NULL;
	size_t len = 0, digest_len = 0;
	time_t ctime_list = 0;
	pts_sce sce;
	int rc;

	if (meas_algo_to_tpm_alg(algo, &tpm_alg) != TS_OK)
		return TS_E_STATE;
	bank = ima_hash_alg_from_tpm(tpm_alg);
	rc = read_file(path, IMCATT_EVIDENCE_MAX_IMA_SIZE, &data, &len, &ctime_list);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, state->conn, "attestation: cannot read the IMA list %s: %s",
			 path, ts_strerror(rc));
		return TS_E_INVALID;
	}
	rc = ima_list_parse_binary(data, len, ima_list_alg_of(path), NULL, &list, &err);
	free(data);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, state->conn,
			 "attestation: malformed IMA list %s: entry %zu, offset %zu: %s: %s", path, err.entry, err.offset,
			 err.field ? err.field : "?", err.message);
		return TS_E_INVALID;
	}

	memset(&sce, 0, sizeof(sce));
	sce.name = *name;
	sce.meas_type = PTS_SCE_MEAS_TYPE_HASH;
	sce.hash_algo = algo;
	sce.transform = PTS_SCE_TRANSFORM_MATCH;
	format_time(ctime_list, sce.meas_time);

	for (size_t i = 0; i < ima_list_count(list); i++) {
		const ima_entry *e = ima_list_entry(list, i);

		if (e->pcr >= TPM_PCR_COUNT) {
			log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, state->conn,
				 "attestation: IMA entry %zu names PCR %u", i, e->pcr);
			rc = TS_E_INVALID;
			goto out;
		}
		rc = ima_measurement(e, ima_list_alg(list), bank, digest, &digest_len);
		if (rc != TS_OK)
			goto out;

		/* The event name in the policy URI: "<algo>:<path>" (d-ng) or "<path>" (ima). */
		free(uri);
		uri = NULL;
		sce.flags = 0;
		sce.policy_uri.len = 0;
		if (e->file_name) {
			size_t n = e->template_id == IMA_TEMPLATE_IMA ? 0 : e->digest_alg_name_len + 1;

			uri = malloc(n + e->file_name_len + 1);
			if (!uri) {
				rc = TS_E_NOMEM;
				goto out;
			}
			if (n) {
				memcpy(uri, e->digest_alg_name, n - 1);
				uri[n - 1] = ':';
			}
			memcpy(uri + n, e->file_name, e->file_name_len);
			sce.flags = PTS_SCE_VALIDATION_PASSED;
			sce.policy_uri.data = (const uint8_t *)uri;
			sce.policy_uri.len = n + e->file_name_len;
		}
		sce.extended_pcr = e->pcr;
		sce.measurement.data = digest;
		sce.measurement.len = digest_len;
		rc = add_sce(r, &sce);
		if (rc != TS_OK)
			goto out;
		state->evidence_pcrs |= 1u << e->pcr;
	}
	log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, state->conn, "attestation: sent %zu IMA evidence measurements (%s)",
		 ima_list_count(list), meas_algo_name(algo));
	rc = TS_OK;
out:
	free(uri);
	ima_list_destroy(list);
	return rc;
}

int imcatt_evidence_request(imcatt_reply *r, const pa_msg *msg, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	pts_comp_req req = { 0 };
	uint32_t code = 0;
	int rc;

	rc = pts_comp_req_decode(attr->value, attr->value_len, &req, NULL);
	if (rc != TS_OK)
		return rc;

	for (size_t i = 0; i < req.count && code == 0; i++) {
		const pts_comp_req_entry *e = &req.entries[i];

		/* Unsupported request flags get the PTS codes strongSwan 6.0.6's IMC sends for them. */
		if (e->flags & PTS_COMP_REQ_FLAG_T)
			code = IMCATT_PTS_ERR_UNABLE_TRUSTED_CHAIN;
		else if (e->flags & PTS_COMP_REQ_FLAG_V)
			code = IMCATT_PTS_ERR_UNABLE_LOCAL_VALIDATION;
		else if (e->flags & PTS_COMP_REQ_FLAG_C)
			code = IMCATT_PTS_ERR_UNABLE_CURRENT_EVIDENCE;
		else if ((e->flags & PTS_COMP_REQ_FLAG_P) && !(state->caps & PTS_PROTO_CAPS_T))
			code = IMCATT_PTS_ERR_UNABLE_DETERMINE_PCR;
		else if (e->name.family != 0)
			code = IMCATT_PTS_ERR_INVALID_NAME_FAMILY;
		else if (e->depth != 0 || e->name.vendor != PTS_PEN_ITA || e->name.name != PTS_COMP_ITA_IMA ||
			 (e->name.qualifier != IMCATT_QUAL_BOOT && e->name.qualifier != IMCATT_QUAL_IMA))
			code = IMCATT_PTS_ERR_NOT_SUPPORTED;
		if (code)
			log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, state->conn,
				 "attestation: cannot serve evidence request %zu: flags 0x%02x, depth %u, component "
				 "0x%06x/%u qualifier 0x%02x name %u", i, e->flags, e->depth, e->name.vendor,
				 e->name.family, e->name.qualifier, e->name.name);
	}
	if (code == 0 && (!state->meas_algo || !imcatt_pts_tpm(state))) {
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, state->conn,
			 "attestation: evidence requested without %s", state->meas_algo ? "a TPM" :
			 "a negotiated measurement algorithm");
		code = IMCATT_PTS_ERR_UNABLE_CURRENT_EVIDENCE;
	}
	if (code) {
		rc = imcatt_reply_pts_error_attr(r, code, attr);
		goto out;
	}

	for (size_t i = 0; i < req.count; i++) {
		const pts_comp_req_entry *e = &req.entries[i];

		if (e->name.qualifier == IMCATT_QUAL_BOOT)
			rc = boot_evidence(r, &e->name);
		else
			rc = ima_evidence(r, &e->name);
		if (rc == TS_E_INVALID || rc == TS_E_NOT_FOUND || rc == TS_E_STATE)
			rc = imcatt_reply_pts_error_attr(r, IMCATT_PTS_ERR_UNABLE_CURRENT_EVIDENCE, attr);
		if (rc != TS_OK)
			goto out;
	}
out:
	pts_comp_req_free(&req);
	return rc;
}

/* Reads the AK as an EVP_PKEY, for the width of ECDSA r and s. */
static EVP_PKEY *read_ak(imcatt_state *state)
{
	uint8_t *pub = NULL;
	size_t pub_len = 0;
	EVP_PKEY *key = NULL;

	if (tpm_read_public(state->tpm, state->module->conf.ak_handle, &pub, &pub_len) != TS_OK)
		return NULL;
	if (tpm2_ak_from_tpm2b_public(pub, pub_len, &key) != TS_OK)
		key = NULL;
	free(pub);
	return key;
}

int imcatt_evidence_final(imcatt_reply *r, const pa_attr *attr)
{
	imcatt_state *state = r->state;
	TPM2_ALG_ID bank = 0;
	uint8_t *attest = NULL, *sig = NULL;
	size_t attest_len = 0, sig_len = 0;
	TPMS_ATTEST tpms;
	TPMT_SIGNATURE tsig;
	tpm2_quote_info *info = NULL;
	uint16_t comp_hash = 0;
	EVP_PKEY *ak = NULL;
	writer_t w;
	int rc;

	writer_init(&w, AGENT_MSG_MAX_SIZE);
	rc = pts_comp_gen_evid_decode(attr->value, attr->value_len, NULL);
	if (rc != TS_OK)
		goto out;
	if (state->secret_len == 0 || !imcatt_pts_tpm(state) || meas_algo_to_tpm_alg(state->meas_algo, &bank) != TS_OK ||
	    state->evidence_pcrs == 0) {
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, state->conn,
			 "attestation: cannot quote: %s", state->secret_len == 0 ? "no DH nonce exchange finished" :
			 !state->tpm ? "no TPM" : state->evidence_pcrs == 0 ? "no evidence was requested" :
			 "no measurement algorithm");
		rc = imcatt_reply_pts_error_attr(r, IMCATT_PTS_ERR_UNABLE_CURRENT_EVIDENCE, attr);
		goto out;
	}

	/* Quote the touched PCRs in the selected bank with the nonce secret as qualifying data. */
	rc = tpm_quote(state->tpm, state->module->conf.ak_handle, bank, state->evidence_pcrs, state->secret,
		       state->secret_len, &attest, &attest_len, &sig, &sig_len);
	if (rc == TS_OK)
		rc = tpm2_quote_parse(attest, attest_len, &tpms, NULL);
	if (rc == TS_OK)
		rc = tpm2_quote_parse_signature(sig, sig_len, &tsig, NULL);
	ak = rc == TS_OK ? read_ak(state) : NULL;
	if (rc == TS_OK && !ak)
		rc = TS_E_NOT_FOUND;
	info = rc == TS_OK ? calloc(1, sizeof(*info)) : NULL;
	if (rc == TS_OK && !info)
		rc = TS_E_NOMEM;
	if (rc == TS_OK)
		rc = tpm2_quote_info_from_quote(&tpms, &tsig, ak, info, &comp_hash);
	if (rc != TS_OK) {
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, state->conn,
			 "attestation: TPM quote with the AK at 0x%08x failed: %s", state->module->conf.ak_handle,
			 ts_strerror(rc));
		rc = imcatt_reply_pts_error_attr(r, IMCATT_PTS_ERR_UNABLE_CURRENT_EVIDENCE, attr);
		goto out;
	}

	/* Flags, reserved, composite hash algorithm, then the quote info fields. */
	writer_u8(&w, PTS_SEF_QUOTE_TPM2);
	writer_u8(&w, 0);
	writer_u16(&w, comp_hash);
	rc = tpm2_quote_info_build(info, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PTS_PEN_TCG, PTS_ATTR_SIMPLE_EVID_FINAL, &w);
	log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, state->conn,
		 "attestation: sent Simple Evidence Final, quote over PCR mask 0x%06x in bank 0x%04x",
		 state->evidence_pcrs, bank);
out:
	writer_free(&w);
	EVP_PKEY_free(ak);
	free(info);
	free(attest);
	free(sig);
	return rc;
}
