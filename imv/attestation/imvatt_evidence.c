/*
 * Functional component evidence and the TPM 2.0 quote.
 *
 * A TPMRA workitem's argument letters select the components: B the firmware
 * event log (ITA-HSR Linux IMA, qualifier 0x21), I the IMA runtime list
 * (qualifier 0x22). Every Simple Component Evidence is extended into an
 * emulated PCR bank of the negotiated algorithm, whose PCR 0 starts at the
 * locality of the TPM Version Information. Simple Evidence Final carries the
 * quote. Its PCR digest must equal the digest of the emulated PCRs, and its
 * selection must cover every PCR the evidence extended. Its signature must
 * verify with the AK over the quote info rebuilt with this session's DH
 * secret, so a quote made for other nonces fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/meas_algo.h"
#include "imvatt.h"
#include "ima/ima.h"
#include "log.h"
#include "pts/pts_sef.h"

static const struct {
	char letter;
	uint8_t qualifier;
	const char *name;
} comp_defs[IMVATT_COMP_COUNT] = {
	[IMVATT_COMP_BIOS] = { 'B', PTS_COMP_QUAL_KERNEL | PTS_COMP_QUAL_TRUSTED_PLATFORM, "BIOS" },
	[IMVATT_COMP_IMA] = { 'I', PTS_COMP_QUAL_KERNEL | PTS_COMP_QUAL_OS, "IMA" },
};

/* Longest IMA event name (policy URI) kept. */
#define IMVATT_MAX_URI_LEN 4352

static int comp_of_letter(char c)
{
	for (int i = 0; i < IMVATT_COMP_COUNT; i++)
		if (comp_defs[i].letter == c)
			return i;
	return -1;
}

int imvatt_evidence_request(imvatt_state *s)
{
	pts_comp_req_entry entries[IMVATT_COMP_COUNT];
	pts_comp_req req = { .count = 0, .entries = entries };
	pts_bytes root = { (const uint8_t *)"/", 1 };
	TPM2_ALG_ID bank_alg = 0;
	writer_t w;
	int rc;

	/* Which components the TPMRA workitems ask for. */
	for (size_t i = 0; i < s->item_count; i++) {
		pm_workitem *item = &s->items[i];
		bool any = false;

		if (item->type != PM_WORKITEM_TPMRA || item->done)
			continue;
		for (const char *p = item->arg_str; *p; p++) {
			int k = comp_of_letter(*p);

			if (*p == ' ')
				continue;
			if (k < 0) {
				imvatt_result_set(s, item, PM_EVAL_ERROR,
						  "component letter '%c' in argument '%s' is not supported (use B and I)",
						  *p, item->arg_str);
				any = false;
				break;
			}
			any = true;
			if (!s->comps[k].requested) {
				s->comps[k].requested = true;
				s->comps[k].item = item;
			}
		}
		if (!any && !item->done)
			imvatt_result_set(s, item, PM_EVAL_ERROR,
					  "the TPMRA policy argument '%s' names no component (use B and I)", item->arg_str);
	}
	for (int k = 0; k < IMVATT_COMP_COUNT; k++) {
		if (!s->comps[k].requested)
			continue;
		entries[req.count++] = (pts_comp_req_entry){
			.flags = PTS_COMP_REQ_FLAG_P,
			.depth = 0,
			.name = { .vendor = PTS_PEN_ITA, .family = 0, .qualifier = comp_defs[k].qualifier,
				  .name = PTS_COMP_ITA_IMA },
		};
	}
	if (req.count == 0)
		return TS_OK;

	rc = meas_algo_to_tpm_alg(s->meas_algo, &bank_alg);
	if (rc == TS_OK)
		rc = pcr_bank_create(bank_alg, &s->bank);
	if (rc == TS_OK)
		rc = pcr_bank_reset(s->bank, s->locality);
	if (rc != TS_OK) {
		imvatt_fail(s, "cannot emulate PCRs of %s: %s", meas_algo_name(s->meas_algo), ts_strerror(rc));
		return rc;
	}

	writer_init(&w, 1024);
	rc = ita_attr_get_symlinks_encode(&root, &w);
	if (rc == TS_OK)
		rc = imvatt_out_add(s, 0, PTS_PEN_ITA, ITA_ATTR_GET_SYMLINKS, &w);
	writer_reset(&w);
	if (rc == TS_OK)
		rc = pts_comp_req_encode(&req, &w);
	if (rc == TS_OK)
		rc = imvatt_out_add(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_REQ_FUNC_COMP_EVID, &w);
	writer_reset(&w);
	if (rc == TS_OK)
		rc = pts_comp_gen_evid_encode(&w);
	if (rc == TS_OK)
		rc = imvatt_out_add(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_GEN_ATTEST_EVID, &w);
	writer_free(&w);
	return rc;
}

/* Keeps the first evidence problem of a component. */
static int comp_error(imvatt_comp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int comp_error(imvatt_comp *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->error[0]) {
		va_start(ap, fmt);
		vsnprintf(c->error, sizeof(c->error), fmt, ap);
		va_end(ap);
	}
	return TS_OK;
}

static int append_meas(imvatt_comp *c, const imvatt_meas *m)
{
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 128;
		imvatt_meas *p = realloc(c->meas, cap * sizeof(*p));

		if (!p)
			return TS_E_NOMEM;
		c->meas = p;
		c->cap = cap;
	}
	c->meas[c->count++] = *m;
	return TS_OK;
}

int imvatt_evidence_sce(imvatt_state *s, const uint8_t *value, size_t len)
{
	size_t digest_len = meas_algo_digest_len(s->meas_algo);
	imvatt_meas m = { 0 };
	imvatt_comp *c;
	const uint8_t *after = NULL;
	size_t after_len = 0;
	pts_sce sce;
	int k = -1, rc;

	if (!s->proto.evidence_requested || !s->bank || s->proto.sef_received) {
		imvatt_fail(s, "the endpoint sent Simple Component Evidence %s", s->proto.sef_received
			    ? "after Simple Evidence Final" : "that was not requested");
		return TS_E_PROTOCOL;
	}
	if (++s->meas_total > s->mod->conf.max_measurements) {
		imvatt_fail(s, "the endpoint sent more than %zu measurements (max_measurements)",
			    s->mod->conf.max_measurements);
		return TS_E_TOO_LARGE;
	}
	rc = pts_sce_decode(value, len, &sce, NULL);
	if (rc != TS_OK) {
		imvatt_fail(s, "a Simple Component Evidence attribute is invalid: %s", ts_strerror(rc));
		return rc;
	}
	for (int i = 0; i < IMVATT_COMP_COUNT; i++)
		if (sce.name.vendor == PTS_PEN_ITA && sce.name.name == PTS_COMP_ITA_IMA &&
		    sce.name.qualifier == comp_defs[i].qualifier)
			k = i;
	if (k < 0 || !s->comps[k].requested) {
		imvatt_fail(s, "the endpoint sent evidence of a component that was not requested (vendor 0x%06x, name %u, qualifier 0x%02x)",
			    sce.name.vendor, sce.name.name, sce.name.qualifier);
		return TS_E_PROTOCOL;
	}
	c = &s->comps[k];

	/* Checks of the measurement itself; a bad one makes the component fail. */
	if (sce.depth != 0 || sce.meas_type != PTS_SCE_MEAS_TYPE_HASH)
		return comp_error(c, "%s event %zu: sub-component depth %u or measurement type 0x%02x is not supported",
				  comp_defs[k].name, c->count + 1, sce.depth, sce.meas_type);
	if (sce.hash_algo != s->meas_algo || sce.measurement.len != digest_len)
		return comp_error(c, "%s event %zu: hash algorithm 0x%04x differs from the negotiated %s",
				  comp_defs[k].name, c->count + 1, sce.hash_algo, meas_algo_name(s->meas_algo));
	if (sce.extended_pcr >= PCR_BANK_NUM_PCRS)
		return comp_error(c, "%s event %zu: PCR %u does not exist", comp_defs[k].name, c->count + 1,
				  sce.extended_pcr);
	/*
	 * NOTE: transform 2 (IMA's SHA-1 template hash zero-padded into a
	 * larger bank) is accepted, but the file check recomputes template
	 * hashes in the bank's algorithm, so such files count as differing.
	 */
	if (sce.transform != PTS_SCE_TRANSFORM_NO && sce.transform != PTS_SCE_TRANSFORM_MATCH &&
	    !(k == IMVATT_COMP_IMA && sce.transform == PTS_SCE_TRANSFORM_LONG))
		return comp_error(c, "%s event %zu: PCR transform %u is not supported", comp_defs[k].name,
				  c->count + 1, sce.transform);

	m.pcr = sce.extended_pcr;
	memcpy(m.digest, sce.measurement.data, digest_len);
	m.digest_len = digest_len;
	if (k == IMVATT_COMP_IMA) {
		if (sce.policy_uri.len == 0 || sce.policy_uri.len > IMVATT_MAX_URI_LEN ||
		    memchr(sce.policy_uri.data, 0, sce.policy_uri.len))
			return comp_error(c, "IMA event %zu: the file name (policy URI) is missing or invalid", c->count + 1);
		m.name = malloc(sce.policy_uri.len + 1);
		if (!m.name)
			return TS_E_NOMEM;
		memcpy(m.name, sce.policy_uri.data, sce.policy_uri.len);
		m.name[sce.policy_uri.len] = '\0';
	}

	rc = pcr_bank_extend(s->bank, m.pcr, m.digest, m.digest_len);
	if (rc == TS_OK && (sce.flags & PTS_SCE_FLAG_PCR)) {
		rc = pcr_bank_read(s->bank, m.pcr, &after, &after_len);
		if (rc == TS_OK && (sce.pcr_after.len != after_len || memcmp(sce.pcr_after.data, after, after_len) != 0))
			comp_error(c, "%s event %zu: the PCR %u value after the extend differs from the replayed one",
				   comp_defs[k].name, c->count + 1, m.pcr);
	}
	if (rc == TS_OK)
		rc = append_meas(c, &m);
	if (rc != TS_OK) {
		free(m.name);
		return rc;
	}
	s->evidence_pcrs |= 1u << m.pcr;
	return TS_OK;
}

static int read_bank_pcr(void *ctx, TPM2_ALG_ID bank, uint32_t index, const uint8_t **value, size_t *len)
{
	const pcr_bank_t *b = ctx;

	if (bank != pcr_bank_get_alg(b) || index >= PCR_BANK_NUM_PCRS)
		return TS_E_NOT_FOUND;
	return pcr_bank_read(b, index, value, len);
}

int imvatt_evidence_verify_quote(const uint8_t *value, size_t len, uint16_t meas_algo, const pcr_bank_t *bank,
				 uint32_t evidence_pcrs, EVP_PKEY *ak, const uint8_t *secret, size_t secret_len,
				 char *problem)
{
	tpm2_quote_info *info = NULL;
	tpm2_quote_status status = TPM2_QUOTE_OK;
	TPM2_ALG_ID bank_alg = 0;
	uint8_t flags = 0, reserved = 0;
	uint16_t comp_hash = 0;
	size_t offset = 0;
	reader_t r;
	int rc;

	problem[0] = '\0';
	reader_init(&r, value, len);
	rc = reader_u8(&r, &flags);
	if (rc == TS_OK)
		rc = reader_u8(&r, &reserved);
	if (rc == TS_OK)
		rc = reader_u16(&r, &comp_hash);
	if (rc != TS_OK) {
		snprintf(problem, IMVATT_TEXT_MAX, "Simple Evidence Final is truncated");
		return rc;
	}
	if ((flags & PTS_SEF_FLAG_QUOTE_MASK) == PTS_SEF_QUOTE_NONE) {
		snprintf(problem, IMVATT_TEXT_MAX, "the endpoint sent no TPM quote");
		return TS_E_VERIFY;
	}
	if ((flags & PTS_SEF_FLAG_QUOTE_MASK) != PTS_SEF_QUOTE_TPM2) {
		snprintf(problem, IMVATT_TEXT_MAX, "TPM 1.2 quotes (kind 0x%02x) are not supported",
			 flags & PTS_SEF_FLAG_QUOTE_MASK);
		return TS_E_UNSUPPORTED;
	}
	info = calloc(1, sizeof(*info));
	if (!info)
		return TS_E_NOMEM;
	rc = tpm2_quote_info_parse(&r, info, &offset);
	/* NOTE: an evidence signature (flag 0x20) is not checked; strongSwan ignores it too. */
	if (rc == TS_OK && !(flags & PTS_SEF_FLAG_EVID_SIG))
		rc = reader_expect_end(&r);
	if (rc != TS_OK) {
		snprintf(problem, IMVATT_TEXT_MAX, "the TPM quote is malformed at offset %zu: %s", offset,
			 ts_strerror(rc));
		goto out;
	}

	/* One bank of the negotiated algorithm, covering every PCR the evidence extended. */
	rc = meas_algo_to_tpm_alg(meas_algo, &bank_alg);
	if (rc != TS_OK || !bank || pcr_bank_get_alg(bank) != bank_alg) {
		snprintf(problem, IMVATT_TEXT_MAX, "no emulated PCRs of the measurement algorithm");
		rc = TS_E_STATE;
		goto out;
	}
	if (info->pcr_select.count != 1 || info->pcr_select.pcrSelections[0].hash != bank_alg) {
		snprintf(problem, IMVATT_TEXT_MAX, "the quote does not select exactly the %s PCR bank",
			 meas_algo_name(meas_algo));
		rc = TS_E_VERIFY;
		goto out;
	}
	for (unsigned i = 0; i < PCR_BANK_NUM_PCRS; i++) {
		const TPMS_PCR_SELECTION *sel = &info->pcr_select.pcrSelections[0];
		bool selected = i / 8 < sel->sizeofSelect && (sel->pcrSelect[i / 8] & (1u << (i % 8)));

		if ((evidence_pcrs & (1u << i)) && !selected) {
			snprintf(problem, IMVATT_TEXT_MAX, "the quote does not cover PCR %u, which the evidence extended", i);
			rc = TS_E_VERIFY;
			goto out;
		}
	}

	rc = tpm2_quote_info_verify(info, comp_hash, ak, TPM2_ALG_NULL, secret, secret_len, read_bank_pcr,
				    (void *)bank, &status);
	switch (status) {
	case TPM2_QUOTE_OK:
		break;
	case TPM2_QUOTE_BAD_PCR_DIGEST:
		snprintf(problem, IMVATT_TEXT_MAX,
			 "the quoted PCR digest differs from the PCRs replayed from the evidence: the evidence does not describe this boot");
		break;
	case TPM2_QUOTE_BAD_SIGNATURE:
	case TPM2_QUOTE_BAD_QUALIFYING_DATA:
		snprintf(problem, IMVATT_TEXT_MAX,
			 "the quote signature does not verify with the AK over this session's nonces (a replayed or forged quote)");
		break;
	case TPM2_QUOTE_UNSUPPORTED:
		snprintf(problem, IMVATT_TEXT_MAX, "the quote uses an unsupported signature scheme or hash (0x%04x)",
			 comp_hash);
		break;
	default:
		snprintf(problem, IMVATT_TEXT_MAX, "the TPM quote could not be checked: %s",
			 tpm2_quote_status_name(status));
		break;
	}
	if (rc == TS_OK && status != TPM2_QUOTE_OK)
		rc = TS_E_VERIFY;
out:
	free(info);
	return rc;
}

int imvatt_evidence_sef(imvatt_state *s, const uint8_t *value, size_t len)
{
	int rc;

	if (!s->proto.evidence_requested || !s->bank || s->proto.sef_received) {
		imvatt_fail(s, "the endpoint sent an unexpected Simple Evidence Final");
		return TS_E_PROTOCOL;
	}
	s->proto.sef_received = true;
	rc = imvatt_evidence_verify_quote(value, len, s->meas_algo, s->bank, s->evidence_pcrs, s->ak, s->secret,
					  s->secret_len, s->quote_problem);
	s->quote_ok = rc == TS_OK;
	if (s->quote_ok)
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_INFO, s->conn, "%s: TPM quote verified", IMVATT_NAME);
	else
		log_conn(LOG_SUBSYS_PTS, LOG_LEVEL_ERROR, s->conn, "%s: TPM quote rejected: %s", IMVATT_NAME,
			 s->quote_problem);
	return imvatt_evidence_finish(s);
}

/* Outcome of one component: an evaluation and a text. */
typedef struct comp_outcome {
	int eval;
	char text[IMVATT_TEXT_MAX];
} comp_outcome;

static void outcome_compare(const imvatt_compare_result *cr, const char *name, bool quote_ok, comp_outcome *o)
{
	if (cr->registered) {
		o->eval = PM_EVAL_COMPLIANT;
		imvatt_text(o->text, sizeof(o->text), "registered %zu %s evidence measurements", cr->count, name);
	} else if (cr->stored == 0) {
		o->eval = quote_ok ? PM_EVAL_ERROR : PM_EVAL_NONCOMPLIANT_MAJOR;
		imvatt_text(o->text, sizeof(o->text), "%zu %s measurements not registered because %s", cr->count, name,
			 quote_ok ? "none arrived" : "the quote failed");
	} else if (cr->differences) {
		o->eval = PM_EVAL_NONCOMPLIANT_MINOR;
		imvatt_text(o->text, sizeof(o->text), "%zu of %zu %s measurements differ from the registered ones (%zu registered), first: %s",
			 cr->differences, cr->count, name, cr->stored, cr->first);
	} else {
		o->eval = PM_EVAL_COMPLIANT;
		imvatt_text(o->text, sizeof(o->text), "%zu %s measurements equal the registered ones", cr->count, name);
	}
}

static void finish_bios(imvatt_state *s, comp_outcome *o)
{
	imvatt_comp *c = &s->comps[IMVATT_COMP_BIOS];
	imvatt_compare_result cr;
	int rc;

	if (c->error[0]) {
		o->eval = PM_EVAL_NONCOMPLIANT_MAJOR;
		imvatt_text(o->text, sizeof(o->text), "%s", c->error);
		return;
	}
	if (c->count == 0) {
		o->eval = PM_EVAL_ERROR;
		imvatt_text(o->text, sizeof(o->text), "no BIOS evidence arrived (the endpoint sent no firmware event log)");
		return;
	}
	rc = imvatt_compare(s->db, s->session.device_id, PTS_PEN_ITA, PTS_COMP_ITA_IMA,
			    PTS_COMP_QUAL_KERNEL | PTS_COMP_QUAL_TRUSTED_PLATFORM, s->meas_algo, c->meas, c->count,
			    s->quote_ok, &cr);
	if (rc != TS_OK) {
		imvatt_fail(s, "cannot compare the BIOS measurements with config.db: %s", ts_strerror(rc));
		o->eval = PM_EVAL_ERROR;
		imvatt_text(o->text, sizeof(o->text), "database error: %s", ts_strerror(rc));
		return;
	}
	outcome_compare(&cr, "BIOS", s->quote_ok, o);
}

/* Boot aggregate of the emulated PCRs: SHA-1 over PCR 0-7, other banks over PCR 0-9. */
static int boot_aggregate(const pcr_bank_t *bank, uint16_t algo, uint8_t *out, size_t *out_len)
{
	ima_boot_pcrs pcrs = { 0 };
	unsigned n = algo == MEAS_ALGO_SHA1 ? 8 : IMA_BOOT_PCR_COUNT;

	pcrs.alg = algo == MEAS_ALGO_SHA1 ? IMA_HASH_SHA1 : algo == MEAS_ALGO_SHA256 ? IMA_HASH_SHA256
		 : algo == MEAS_ALGO_SHA384 ? IMA_HASH_SHA384 : IMA_HASH_SHA512;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *v;
		size_t len;
		int rc = pcr_bank_read(bank, i, &v, &len);

		if (rc != TS_OK)
			return rc;
		memcpy(pcrs.value[i], v, len);
	}
	return ima_boot_aggregate_compute(&pcrs, out, out_len);
}

static void finish_ima(imvatt_state *s, comp_outcome *o)
{
	imvatt_comp *c = &s->comps[IMVATT_COMP_IMA];
	uint8_t agg[IMA_DIGEST_MAX];
	size_t agg_len = 0;
	bool agg_match = false;
	imvatt_ima_counts counts = { 0 };
	imvatt_compare_result cr = { 0 };
	imvatt_meas agg_meas = { .pcr = 10 };
	const char *colon, *prefix = "";
	char algo_name[16] = "";
	int rc;

	if (c->error[0]) {
		o->eval = PM_EVAL_NONCOMPLIANT_MAJOR;
		imvatt_text(o->text, sizeof(o->text), "%s", c->error);
		return;
	}
	if (c->count == 0) {
		o->eval = PM_EVAL_ERROR;
		imvatt_text(o->text, sizeof(o->text), "no IMA evidence arrived (is IMA enabled on the endpoint?)");
		return;
	}

	/* The first entry is the boot_aggregate over the firmware's PCRs. */
	colon = strchr(c->meas[0].name, ':');
	if (strcmp(colon ? colon + 1 : c->meas[0].name, "boot_aggregate") != 0) {
		o->eval = PM_EVAL_NONCOMPLIANT_MAJOR;
		imvatt_text(o->text, sizeof(o->text), "the first IMA measurement is not boot_aggregate");
		return;
	}
	if (!s->comps[IMVATT_COMP_BIOS].requested || s->comps[IMVATT_COMP_BIOS].count == 0) {
		o->eval = PM_EVAL_ERROR;
		imvatt_text(o->text, sizeof(o->text),
			 "the IMA boot_aggregate cannot be checked without BIOS evidence: use the TPMRA argument BI");
		return;
	}
	if (colon && (size_t)(colon - c->meas[0].name) < sizeof(algo_name))
		memcpy(algo_name, c->meas[0].name, (size_t)(colon - c->meas[0].name));
	rc = boot_aggregate(s->bank, s->meas_algo, agg, &agg_len);
	if (rc == TS_OK)
		rc = imvatt_ima_template_matches(s->meas_algo, colon ? algo_name : NULL, agg, agg_len,
						 "boot_aggregate", c->meas[0].digest, c->meas[0].digest_len,
						 &agg_match);
	if (rc != TS_OK || !agg_match) {
		o->eval = PM_EVAL_NONCOMPLIANT_MAJOR;
		imvatt_text(o->text, sizeof(o->text),
			 "the IMA boot_aggregate differs from the PCRs 0-9 replayed from the BIOS evidence");
		return;
	}
	memcpy(agg_meas.digest, agg, agg_len);
	agg_meas.digest_len = agg_len;
	rc = imvatt_compare(s->db, s->session.device_id, PTS_PEN_ITA, PTS_COMP_ITA_IMA,
			    PTS_COMP_QUAL_KERNEL | PTS_COMP_QUAL_OS, s->meas_algo, &agg_meas, 1, s->quote_ok, &cr);
	if (rc == TS_OK)
		rc = imvatt_ima_check_files(s->db, s->session.product_id, s->meas_algo, c->meas + 1, c->count - 1,
					    &s->symlinks, &counts);
	if (rc != TS_OK) {
		imvatt_fail(s, "cannot check the IMA measurements with config.db: %s", ts_strerror(rc));
		o->eval = PM_EVAL_ERROR;
		imvatt_text(o->text, sizeof(o->text), "database error: %s", ts_strerror(rc));
		return;
	}
	o->eval = PM_EVAL_COMPLIANT;
	if (cr.differences || counts.differ || counts.failed)
		o->eval = PM_EVAL_NONCOMPLIANT_MINOR;
	else if (counts.unknown)
		o->eval = PM_EVAL_NONCOMPLIANT_MINOR;  /* unknown files are never silently allowed */
	if (cr.registered)
		prefix = "registered the IMA boot aggregate; ";
	else if (cr.differences)
		prefix = "the IMA boot aggregate differs from the registered one; ";
	imvatt_text(o->text, sizeof(o->text), "%sprocessed %zu IMA file measurements: %zu ok, %zu unknown, %zu differ, %zu failed%s%s%s",
		 prefix,
		 c->count - 1, counts.ok, counts.unknown, counts.differ, counts.failed,
		 counts.first_problem[0] ? " (first: " : "", counts.first_problem, counts.first_problem[0] ? ")" : "");
}

static int worse_eval(int a, int b)
{
	static const int rank[] = { [PM_EVAL_COMPLIANT] = 1, [PM_EVAL_NONCOMPLIANT_MINOR] = 2,
				    [PM_EVAL_NONCOMPLIANT_MAJOR] = 3, [PM_EVAL_ERROR] = 4, [PM_EVAL_DONT_KNOW] = 0 };

	return rank[b] > rank[a] ? b : a;
}

/* Whether a TPMRA workitem still waits for its result. */
static bool tpmra_pending(const imvatt_state *s)
{
	for (size_t i = 0; i < s->item_count; i++)
		if (s->items[i].type == PM_WORKITEM_TPMRA && !s->items[i].done)
			return true;
	return false;
}

int imvatt_evidence_finish(imvatt_state *s)
{
	comp_outcome outcomes[IMVATT_COMP_COUNT];

	/*
	 * The comparison with config.db, and the registration at first contact,
	 * run once per attestation, because afterwards every TPMRA workitem has
	 * its result.
	 */
	if (!s->proto.sef_received || !tpmra_pending(s))
		return TS_OK;
	if (s->comps[IMVATT_COMP_BIOS].requested)
		finish_bios(s, &outcomes[IMVATT_COMP_BIOS]);
	if (s->comps[IMVATT_COMP_IMA].requested)
		finish_ima(s, &outcomes[IMVATT_COMP_IMA]);

	for (size_t i = 0; i < s->item_count; i++) {
		pm_workitem *item = &s->items[i];
		char text[IMVATT_TEXT_MAX * 2] = "";
		int eval = PM_EVAL_COMPLIANT;
		size_t n = 0;

		if (item->type != PM_WORKITEM_TPMRA || item->done)
			continue;
		for (int k = 0; k < IMVATT_COMP_COUNT; k++) {
			if (!strchr(item->arg_str, comp_defs[k].letter))
				continue;
			eval = worse_eval(eval, outcomes[k].eval);
			n += (size_t)snprintf(text + n, n < sizeof(text) ? sizeof(text) - n : 0, "%s; ", outcomes[k].text);
			if (n >= sizeof(text))
				n = sizeof(text) - 1;
		}
		if (s->quote_ok) {
			imvatt_text(text + n, sizeof(text) - n, "TPM quote verified");
		} else {
			eval = worse_eval(eval, strstr(s->quote_problem, "no TPM quote") ? PM_EVAL_ERROR
							     : PM_EVAL_NONCOMPLIANT_MAJOR);
			imvatt_text(text + n, sizeof(text) - n, "TPM quote failed: %s", s->quote_problem);
		}
		imvatt_result_set(s, item, eval, "%s", text);
	}
	return TS_OK;
}

void imvatt_evidence_free(imvatt_state *s)
{
	for (int k = 0; k < IMVATT_COMP_COUNT; k++) {
		for (size_t i = 0; i < s->comps[k].count; i++)
			free(s->comps[k].meas[i].name);
		free(s->comps[k].meas);
		s->comps[k].meas = NULL;
		s->comps[k].count = 0;
	}
	pcr_bank_destroy(s->bank);
	s->bank = NULL;
	ita_attr_symlinks_free(&s->symlinks);
	free(s->symlinks_value);
	s->symlinks_value = NULL;
}
