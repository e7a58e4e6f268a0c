/*
 * The TNCS functions of IF-IMV 1.4 that IMVs bind by name, and the
 * recommendations, evaluations and reason strings IMVs give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_internal.h"
#include "log.h"

static tnccs_host_t *tncs(void)
{
	return atomic_load(&host_active_tncs);
}

static TNC_Result tncs_report_message_types(TNC_IMVID imv_id, TNC_MessageTypeList types,
					    TNC_UInt32 count)
{
	return host_report_types(tncs(), imv_id, true, types, NULL, NULL, count);
}

static TNC_Result tncs_report_message_types_long(TNC_IMVID imv_id, TNC_VendorIDList vendors,
						 TNC_MessageSubtypeList subtypes, TNC_UInt32 count)
{
	return host_report_types(tncs(), imv_id, false, NULL, vendors, subtypes, count);
}

static TNC_Result tncs_send_message(TNC_IMVID imv_id, TNC_ConnectionID conn_id,
				    TNC_BufferReference message, TNC_UInt32 length,
				    TNC_MessageType type)
{
	if (type > 0xFFFFFFFFUL)
		type = TNC_MESSAGETYPE_ANY;
	return host_send(tncs(), imv_id, conn_id, 0, message, length, TNC_MESSAGETYPE_VENDOR(type),
			 TNC_MESSAGETYPE_SUBTYPE(type), TNC_IMCID_ANY);
}

static TNC_Result tncs_send_message_long(TNC_IMVID imv_id, TNC_ConnectionID conn_id,
					 TNC_UInt32 flags, TNC_BufferReference message,
					 TNC_UInt32 length, TNC_VendorID vendor_id,
					 TNC_MessageSubtype subtype, TNC_UInt32 imc_id)
{
	return host_send(tncs(), imv_id, conn_id, flags, message, length, vendor_id, subtype, imc_id);
}

static TNC_Result tncs_send_message_soh(TNC_IMVID imv_id, TNC_ConnectionID conn_id,
					TNC_BufferReference entry, TNC_UInt32 length)
{
	return TNC_RESULT_NO_SOH_SUPPORT;
}

/*
 * NOTE: a TNCS may start a retry only with SRETRY in the Decided state, and
 * a session answers each received batch with exactly one batch, so after
 * RESULT the client's CLOSE ends it before the server has a turn. IMV retry
 * requests are therefore refused with CANT_RETRY.
 */
static TNC_Result tncs_request_handshake_retry(TNC_IMVID imv_id, TNC_ConnectionID conn_id,
					       TNC_RetryReason reason)
{
	tnccs_host_t *host = tncs();
	host_module *module = host_module_by_id(host, imv_id);
	host_conn_t *conn;

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, conn_id,
			 "RequestHandshakeRetry with the unknown IMV ID %lu", imv_id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (reason < TNC_RETRY_REASON_IMV_IMPORTANT_POLICY_CHANGE ||
	    reason > TNC_RETRY_REASON_IMV_PERIODIC) {
		host_complain(module, conn_id, "requested a retry for the invalid IMV reason %lu",
			      reason);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	conn = host_conn_lock(host, conn_id);
	if (!conn) {
		host_complain(module, conn_id, "requested a retry of an unknown connection");
		return TNC_RESULT_INVALID_PARAMETER;
	}
	host_conn_unlock(conn);
	log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, conn_id,
		 "IMV \"%s\" requested a handshake retry (reason %lu); the TNCS cannot start one",
		 module->name, reason);
	return TNC_RESULT_CANT_RETRY;
}

static TNC_Result tncs_provide_recommendation(TNC_IMVID imv_id, TNC_ConnectionID conn_id,
					      TNC_IMV_Action_Recommendation recommendation,
					      TNC_IMV_Evaluation_Result evaluation)
{
	tnccs_host_t *host = tncs();
	host_module *module = host_module_by_id(host, imv_id);
	host_conn_verdict *verdict;
	host_conn_t *conn;

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, conn_id,
			 "ProvideRecommendation with the unknown IMV ID %lu", imv_id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (recommendation > TNC_IMV_ACTION_RECOMMENDATION_NO_RECOMMENDATION ||
	    evaluation > TNC_IMV_EVALUATION_RESULT_DONT_KNOW) {
		host_complain(module, conn_id,
			      "provided the invalid recommendation %lu with evaluation %lu",
			      recommendation, evaluation);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	conn = host_conn_lock(host, conn_id);
	if (!conn) {
		host_complain(module, conn_id, "provided a recommendation for an unknown connection");
		return TNC_RESULT_INVALID_PARAMETER;
	}
	verdict = &conn->verdicts[module->index];
	verdict->have_recommendation = true;
	verdict->recommendation = recommendation;
	verdict->evaluation = evaluation;
	host_conn_unlock(conn);

	log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, conn_id,
		 "IMV \"%s\" recommends %s, evaluation %s", module->name,
		 host_recommendation_name(recommendation), host_evaluation_name(evaluation));
	return TNC_RESULT_SUCCESS;
}

/* Whether text is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates). */
static bool valid_utf8(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		uint32_t cp;
		size_t n;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

/* A language tag: printable US-ASCII, without blanks. */
static bool valid_language_tag(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

TNC_Result host_imv_set_attribute(tnccs_host_t *host, TNC_UInt32 id, TNC_ConnectionID conn_id,
				  TNC_AttributeID attribute, TNC_UInt32 length,
				  const uint8_t *buffer)
{
	host_module *module = host_module_by_id(host, id);
	host_conn_verdict *verdict;
	host_conn_t *conn;
	char *value = NULL;
	size_t len = length;

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, conn_id,
			 "SetAttribute with the unknown IMV ID %lu", id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (attribute != TNC_ATTRIBUTEID_REASON_STRING &&
	    attribute != TNC_ATTRIBUTEID_REASON_LANGUAGE) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, conn_id,
			 "IMV \"%s\" tried to set the attribute 0x%lx, which the TNCS does not take",
			 module->name, attribute);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (!buffer && length > 0) {
		host_complain(module, conn_id, "SetAttribute(0x%lx) with a NULL buffer", attribute);
		return TNC_RESULT_INVALID_PARAMETER;
	}

	/* The value may end in one NUL; the text itself must not contain one. */
	if (len > 0 && buffer[len - 1] == '\0')
		len--;
	if (len > 0 && memchr(buffer, '\0', len)) {
		host_complain(module, conn_id, "SetAttribute(0x%lx) with a NUL inside the text",
			      attribute);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (attribute == TNC_ATTRIBUTEID_REASON_STRING &&
	    (len > HOST_MAX_REASON_LEN || !valid_utf8(buffer, len))) {
		host_complain(module, conn_id,
			      "set a reason string that is not UTF-8 of at most %d octets (%zu octets)",
			      HOST_MAX_REASON_LEN, len);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	/* PB-Reason-String carries the language tag length in one octet. */
	if (attribute == TNC_ATTRIBUTEID_REASON_LANGUAGE &&
	    (len > 255 || !valid_language_tag(buffer, len))) {
		host_complain(module, conn_id,
			      "set a reason language that is not a printable ASCII tag of at most 255 octets");
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (len > 0) {
		value = strndup((const char *)buffer, len);
		if (!value)
			return TNC_RESULT_FATAL;
	}

	conn = host_conn_lock(host, conn_id);
	if (!conn) {
		free(value);
		host_complain(module, conn_id, "SetAttribute(0x%lx) for an unknown connection",
			      attribute);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	verdict = &conn->verdicts[module->index];
	if (attribute == TNC_ATTRIBUTEID_REASON_STRING) {
		free(verdict->reason);
		verdict->reason = value;
	} else {
		free(verdict->reason_lang);
		verdict->reason_lang = value;
	}
	host_conn_unlock(conn);
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncs_get_attribute(TNC_IMVID imv_id, TNC_ConnectionID conn_id,
				     TNC_AttributeID attribute, TNC_UInt32 buffer_len,
				     TNC_BufferReference buffer, TNC_UInt32 *value_len)
{
	return host_get_attribute(tncs(), imv_id, conn_id, attribute, buffer_len, buffer, value_len);
}

static TNC_Result tncs_set_attribute(TNC_IMVID imv_id, TNC_ConnectionID conn_id,
				     TNC_AttributeID attribute, TNC_UInt32 length,
				     TNC_BufferReference buffer)
{
	return host_imv_set_attribute(tncs(), imv_id, conn_id, attribute, length, buffer);
}

static TNC_Result tncs_reserve_additional_imv_id(TNC_IMVID imv_id, TNC_UInt32 *out)
{
	return host_reserve_id(tncs(), imv_id, out);
}

/* Every TNCS function of IF-IMV 1.4, by the name an IMV asks for. */
static const struct {
	const char *name;
	void *function;
} tncs_functions[] = {
	{ "TNC_TNCS_ReportMessageTypes", (void *)tncs_report_message_types },
	{ "TNC_TNCS_ReportMessageTypesLong", (void *)tncs_report_message_types_long },
	{ "TNC_TNCS_SendMessage", (void *)tncs_send_message },
	{ "TNC_TNCS_SendMessageLong", (void *)tncs_send_message_long },
	{ "TNC_TNCS_SendMessageSOH", (void *)tncs_send_message_soh },
	{ "TNC_TNCS_RequestHandshakeRetry", (void *)tncs_request_handshake_retry },
	{ "TNC_TNCS_ProvideRecommendation", (void *)tncs_provide_recommendation },
	{ "TNC_TNCS_GetAttribute", (void *)tncs_get_attribute },
	{ "TNC_TNCS_SetAttribute", (void *)tncs_set_attribute },
	{ "TNC_TNCS_ReserveAdditionalIMVID", (void *)tncs_reserve_additional_imv_id },
};

TNC_Result host_imv_bind(TNC_IMVID imv_id, char *name, void **out)
{
	tnccs_host_t *host = tncs();
	host_module *module = host_module_by_id(host, imv_id);

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_error(LOG_SUBSYS_TNC, "BindFunction with the unknown IMV ID %lu", imv_id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (!name || !out) {
		host_complain(module, TNC_CONNECTIONID_ANY, "BindFunction with a NULL %s",
			      name ? "output" : "name");
		return TNC_RESULT_INVALID_PARAMETER;
	}
	for (size_t i = 0; i < sizeof(tncs_functions) / sizeof(tncs_functions[0]); i++) {
		if (strcmp(name, tncs_functions[i].name) == 0) {
			*out = tncs_functions[i].function;
			return TNC_RESULT_SUCCESS;
		}
	}
	log_debug(LOG_SUBSYS_TNC, "IMV \"%s\" asked for the unknown function %.64s", module->name,
		  name);
	*out = NULL;
	return TNC_RESULT_INVALID_PARAMETER;
}

bool host_conn_all_recommended(host_conn_t *conn)
{
	tnccs_host_t *host = conn->host;
	bool all = true;

	pthread_mutex_lock(&conn->lock);
	for (size_t i = 0; i < host->module_count; i++)
		if (host_module_usable(host->modules[i]) && !conn->verdicts[i].have_recommendation)
			all = false;
	pthread_mutex_unlock(&conn->lock);
	return all;
}

/* Higher is more restrictive; NO_RECOMMENDATION ranks lowest. */
static int restrictiveness(TNC_IMV_Action_Recommendation rec)
{
	switch (rec) {
	case TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS:
		return 3;
	case TNC_IMV_ACTION_RECOMMENDATION_ISOLATE:
		return 2;
	case TNC_IMV_ACTION_RECOMMENDATION_ALLOW:
		return 1;
	default:
		return 0;
	}
}

/* Higher is more access; NO_RECOMMENDATION ranks lowest. */
static int openness(TNC_IMV_Action_Recommendation rec)
{
	switch (rec) {
	case TNC_IMV_ACTION_RECOMMENDATION_ALLOW:
		return 3;
	case TNC_IMV_ACTION_RECOMMENDATION_ISOLATE:
		return 2;
	case TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS:
		return 1;
	default:
		return 0;
	}
}

/* Higher is a worse evaluation; DONT_KNOW ranks lowest. */
static int severity(TNC_IMV_Evaluation_Result eval)
{
	switch (eval) {
	case TNC_IMV_EVALUATION_RESULT_ERROR:
		return 4;
	case TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MAJOR:
		return 3;
	case TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MINOR:
		return 2;
	case TNC_IMV_EVALUATION_RESULT_COMPLIANT:
		return 1;
	default:
		return 0;
	}
}

/* Higher is a better evaluation; DONT_KNOW ranks lowest. */
static int goodness(TNC_IMV_Evaluation_Result eval)
{
	return eval == TNC_IMV_EVALUATION_RESULT_DONT_KNOW ? 0 : 5 - severity(eval);
}

void host_conn_get_recommendation(host_conn_t *conn, TNC_IMV_Action_Recommendation *out_rec,
				  TNC_IMV_Evaluation_Result *out_eval)
{
	tnccs_host_t *host = conn->host;
	TNC_IMV_Action_Recommendation rec = TNC_IMV_ACTION_RECOMMENDATION_NO_RECOMMENDATION;
	TNC_IMV_Evaluation_Result eval = TNC_IMV_EVALUATION_RESULT_DONT_KNOW;
	bool first = true, rec_differs = false, eval_differs = false;

	pthread_mutex_lock(&conn->lock);
	for (size_t i = 0; i < host->module_count; i++) {
		const host_conn_verdict *v = &conn->verdicts[i];
		TNC_IMV_Action_Recommendation r = v->recommendation;
		TNC_IMV_Evaluation_Result e = v->evaluation;

		/*
		 * Fail closed: an IMV that gave no recommendation, even when
		 * solicited, or that failed, counts as no access with an error
		 * under the default and all policies, and is left out under any.
		 */
		if (!v->have_recommendation) {
			if (host->options.policy == HOST_POLICY_ANY)
				continue;
			r = TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS;
			e = TNC_IMV_EVALUATION_RESULT_ERROR;
		}

		switch (host->options.policy) {
		case HOST_POLICY_DEFAULT:
			if (restrictiveness(r) > restrictiveness(rec))
				rec = r;
			if (severity(e) > severity(eval))
				eval = e;
			break;
		case HOST_POLICY_ALL:
			if (first) {
				rec = r;
				eval = e;
			}
			rec_differs = rec_differs || r != rec;
			eval_differs = eval_differs || e != eval;
			break;
		case HOST_POLICY_ANY:
			if (openness(r) > openness(rec))
				rec = r;
			if (goodness(e) > goodness(eval))
				eval = e;
			break;
		}
		first = false;
	}
	pthread_mutex_unlock(&conn->lock);

	if (rec_differs)
		rec = TNC_IMV_ACTION_RECOMMENDATION_NO_RECOMMENDATION;
	if (eval_differs)
		eval = TNC_IMV_EVALUATION_RESULT_DONT_KNOW;
	*out_rec = rec;
	*out_eval = eval;
}

bool host_conn_get_reason(host_conn_t *conn, size_t i, char *reason, size_t reason_size,
			  char *lang, size_t lang_size)
{
	tnccs_host_t *host = conn->host;
	bool found = false;
	size_t seen = 0;

	pthread_mutex_lock(&conn->lock);
	for (size_t m = 0; m < host->module_count && !found; m++) {
		const host_conn_verdict *v = &conn->verdicts[m];

		if (!v->reason)
			continue;
		if (seen++ == i) {
			snprintf(reason, reason_size, "%s", v->reason);
			snprintf(lang, lang_size, "%s", v->reason_lang ? v->reason_lang : "");
			found = true;
		}
	}
	pthread_mutex_unlock(&conn->lock);
	return found;
}

uint16_t host_access_code(TNC_IMV_Action_Recommendation rec)
{
	switch (rec) {
	case TNC_IMV_ACTION_RECOMMENDATION_ALLOW:
		return 1;   /* Access Allowed */
	case TNC_IMV_ACTION_RECOMMENDATION_ISOLATE:
		return 3;   /* Quarantined */
	default:
		return 2;   /* Access Denied, also for NO_RECOMMENDATION */
	}
}

TNC_ConnectionState host_access_state(uint16_t code)
{
	switch (code) {
	case 1:
		return TNC_CONNECTION_STATE_ACCESS_ALLOWED;
	case 3:
		return TNC_CONNECTION_STATE_ACCESS_ISOLATED;
	default:
		return TNC_CONNECTION_STATE_ACCESS_NONE;
	}
}

const char *host_recommendation_name(TNC_IMV_Action_Recommendation rec)
{
	static const char *const names[] = { "allow", "no access", "isolate", "no recommendation" };

	return rec < sizeof(names) / sizeof(names[0]) ? names[rec] : "unknown";
}

const char *host_evaluation_name(TNC_IMV_Evaluation_Result eval)
{
	static const char *const names[] = {
		"compliant", "non-compliant minor", "non-compliant major", "error", "don't know",
	};

	return eval < sizeof(names) / sizeof(names[0]) ? names[eval] : "unknown";
}
