/*
 * Workitem results and the IMV's recommendation.
 *
 * Each workitem ends with an evaluation and a text that config.db keeps
 * (through the policy manager) and that the reason string repeats. The
 * IMV's recommendation is the most severe over its workitems. Fail closed:
 * a database error, a workitem without result or an ERROR result never
 * yields allow. Such a result takes the configured fail_closed
 * recommendation when its policy would allow it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent_msg.h"
#include "imvatt.h"
#include "log.h"
#include "pa/ietf_assessment_result.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_remediation.h"
#include "tncifimv.h"

static int severity(int rec)
{
	switch (rec) {
	case PM_REC_NO_ACCESS: return 3;
	case PM_REC_ISOLATE:   return 2;
	case PM_REC_ALLOW:     return 1;
	default:               return 0;
	}
}

void imvatt_text(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

int imvatt_result_most_severe(int a, int b)
{
	return severity(b) > severity(a) ? b : a;
}

void imvatt_result_set(imvatt_state *s, pm_workitem *item, int evaluation, const char *fmt, ...)
{
	char text[IMVATT_TEXT_MAX * 2];
	va_list ap;
	int rc = TS_E_STATE;

	if (item->done)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);

	if ((evaluation == PM_EVAL_ERROR || evaluation == PM_EVAL_DONT_KNOW) &&
	    severity(item->rec_noresult) <= severity(PM_REC_ALLOW))
		item->rec_noresult = s->mod->conf.fail_closed_rec;
	if (s->db)
		rc = pm_workitem_set_result(s->db, item, text, evaluation);
	if (rc != TS_OK) {
		/* The row keeps no result; this IMV still remembers the workitem as failed. */
		imvatt_fail(s, "cannot record the result of workitem %lld in config.db: %s", (long long)item->id,
			    ts_strerror(rc));
		item->done = true;
		item->evaluation = PM_EVAL_ERROR;
		item->rec_final = s->mod->conf.fail_closed_rec;
	}
	log_conn(LOG_SUBSYS_IMV, evaluation == PM_EVAL_COMPLIANT ? LOG_LEVEL_INFO : LOG_LEVEL_ERROR, s->conn,
		 "%s: workitem %lld (%s '%s'): %s, %s", IMVATT_NAME, (long long)item->id,
		 pm_workitem_type_name(item->type), item->arg_str, pm_eval_name(evaluation), text);
}

bool imvatt_result_ready(const imvatt_state *s)
{
	if (s->fatal[0])
		return true;
	for (size_t i = 0; i < s->item_count; i++)
		if (!s->items[i].done)
			return false;
	return s->attached;
}

/* The result text of a workitem still pending when the TNCS requests the recommendation. */
static const char *pending_text(const imvatt_state *s, const pm_workitem *w)
{
	const imvatt_proto *p = &s->proto;

	if (imvatt_files_is_type(w->type))
		return "no result: the endpoint did not answer the file request";
	if (!p->caps_received || !p->algo_received)
		return "no result: the attestation IMC did not answer (no PTS capabilities or measurement algorithm)";
	if (!p->dh_finished)
		return "no result: the endpoint did not complete the DH nonce exchange";
	if (!p->aik_received)
		return "no result: the endpoint sent no Attestation Identity Key";
	if (!p->sef_received)
		return "incomplete evidence: no Simple Evidence Final with the TPM quote arrived";
	return "no result: the evidence was not evaluated";
}

/* Reason string: the results that are not compliant, or a summary when all are. */
static void build_reason(imvatt_state *s)
{
	size_t n = 0;

	s->reason[0] = '\0';
	if (s->fatal[0]) {
		imvatt_text(s->reason, sizeof(s->reason), "attestation failed: %s", s->fatal);
		return;
	}
	if (s->item_count == 0) {
		snprintf(s->reason, sizeof(s->reason), "no attestation policy applies to device %s",
			 s->device_id ? s->device_id : "(unknown)");
		return;
	}
	for (size_t i = 0; i < s->item_count && n < sizeof(s->reason); i++) {
		const pm_workitem *w = &s->items[i];

		if (s->eval != PM_EVAL_COMPLIANT && w->evaluation == PM_EVAL_COMPLIANT)
			continue;
		n += (size_t)snprintf(s->reason + n, sizeof(s->reason) - n, "%s%s '%s': %s", n ? "; " : "",
				      pm_workitem_type_name(w->type), w->arg_str, w->result ? w->result : "no result");
	}
}

/* Replaces what this batch would send by the Assessment Result (and Remediation Instructions). */
static void queue_assessment(imvatt_state *s)
{
	writer_t w;
	int rc;

	if (s->out_started) {
		pa_msg_builder_free(&s->out);
		s->out_started = false;
	}
	s->out_failed = false;
	writer_init(&w, IMVATT_TEXT_MAX + 64);
	rc = ietf_assessment_result_encode((uint32_t)s->eval, &w);
	if (rc == TS_OK)
		rc = imvatt_out_add(s, 0, PA_VENDOR_IETF, IETF_ATTR_ASSESSMENT_RESULT, &w);
	if (rc == TS_OK && s->eval != PM_EVAL_COMPLIANT && s->eval != PM_EVAL_DONT_KNOW) {
		ietf_remediation rem = {
			.vendor = PA_VENDOR_IETF,
			.type = IETF_REMEDIATION_STRING,
			.string = (const uint8_t *)s->reason,
			.string_len = strlen(s->reason),
			.lang = (const uint8_t *)"en",
			.lang_len = 2,
		};

		writer_reset(&w);
		rc = ietf_remediation_encode(&rem, &w);
		if (rc == TS_OK)
			rc = imvatt_out_add(s, 0, PA_VENDOR_IETF, IETF_ATTR_REMEDIATION_INSTRUCTIONS, &w);
	}
	writer_free(&w);
	if (rc != TS_OK)
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, s->conn, "%s: cannot build the Assessment Result: %s",
			 IMVATT_NAME, ts_strerror(rc));
}

TNC_Result imvatt_result_decide(imvatt_state *s, bool solicited)
{
	TNC_Result rc;

	if (s->decided)
		return tnc_agent_provide_recommendation(s->mod->agent, s->conn, (TNC_UInt32)s->rec, (TNC_UInt32)s->eval);

	/* Every workitem without a result gets one now, so config.db records why it failed. */
	for (size_t i = 0; i < s->item_count; i++) {
		pm_workitem *w = &s->items[i];

		if (!w->done)
			imvatt_result_set(s, w, PM_EVAL_ERROR, "%s", s->fatal[0] ? s->fatal : pending_text(s, w));
	}
	if (s->fatal[0]) {
		s->rec = s->mod->conf.fail_closed_rec;
		s->eval = PM_EVAL_ERROR;
	} else {
		pm_combine(s->items, s->item_count, &s->rec, &s->eval);
	}
	build_reason(s);
	s->decided = true;
	log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, s->conn, "%s: %s (%s)%s: %s", IMVATT_NAME, pm_rec_name(s->rec),
		 pm_eval_name(s->eval), solicited ? ", solicited" : "", s->reason);

	queue_assessment(s);
	tnc_agent_set_reason(s->mod->agent, s->conn, "en", s->reason);
	rc = tnc_agent_provide_recommendation(s->mod->agent, s->conn, (TNC_UInt32)s->rec, (TNC_UInt32)s->eval);
	return rc;
}
