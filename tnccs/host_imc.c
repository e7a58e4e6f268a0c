/*
 * The TNCC functions of IF-IMC 1.3 that IMCs bind by name, and the
 * handshake retry requests of IMCs.
 */
#include <string.h>

#include "host_internal.h"
#include "log.h"

static tnccs_host_t *tncc(void)
{
	return atomic_load(&host_active_tncc);
}

static TNC_Result tncc_report_message_types(TNC_IMCID imc_id, TNC_MessageTypeList types,
					    TNC_UInt32 count)
{
	return host_report_types(tncc(), imc_id, true, types, NULL, NULL, count);
}

static TNC_Result tncc_report_message_types_long(TNC_IMCID imc_id, TNC_VendorIDList vendors,
						 TNC_MessageSubtypeList subtypes, TNC_UInt32 count)
{
	return host_report_types(tncc(), imc_id, false, NULL, vendors, subtypes, count);
}

static TNC_Result tncc_send_message(TNC_IMCID imc_id, TNC_ConnectionID conn_id,
				    TNC_BufferReference message, TNC_UInt32 length,
				    TNC_MessageType type)
{
	/* A legacy type packs vendor and subtype; wider values are invalid. */
	if (type > 0xFFFFFFFFUL)
		type = TNC_MESSAGETYPE_ANY;
	return host_send(tncc(), imc_id, conn_id, 0, message, length, TNC_MESSAGETYPE_VENDOR(type),
			 TNC_MESSAGETYPE_SUBTYPE(type), TNC_IMVID_ANY);
}

static TNC_Result tncc_send_message_long(TNC_IMCID imc_id, TNC_ConnectionID conn_id,
					 TNC_UInt32 flags, TNC_BufferReference message,
					 TNC_UInt32 length, TNC_VendorID vendor_id,
					 TNC_MessageSubtype subtype, TNC_UInt32 imv_id)
{
	return host_send(tncc(), imc_id, conn_id, flags, message, length, vendor_id, subtype, imv_id);
}

static TNC_Result tncc_send_message_soh(TNC_IMCID imc_id, TNC_ConnectionID conn_id,
					TNC_BufferReference entry, TNC_UInt32 length)
{
	return TNC_RESULT_NO_SOH_SUPPORT;
}

static TNC_Result tncc_request_handshake_retry(TNC_IMCID imc_id, TNC_ConnectionID conn_id,
					       TNC_RetryReason reason)
{
	tnccs_host_t *host = tncc();
	host_module *module = host_module_by_id(host, imc_id);
	host_conn_t *conn;
	TNC_Result rc;

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, conn_id,
			 "RequestHandshakeRetry with the unknown IMC ID %lu", imc_id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (reason > TNC_RETRY_REASON_IMC_PERIODIC) {
		host_complain(module, conn_id, "requested a retry for the invalid IMC reason %lu",
			      reason);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	conn = host_conn_lock(host, conn_id);
	if (!conn) {
		host_complain(module, conn_id, "requested a retry of an unknown connection");
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (conn->retries >= host->options.max_retries) {
		rc = TNC_RESULT_WONT_RETRY;
	} else {
		conn->retry_requested = true;
		conn->retry_reason = reason;
		rc = TNC_RESULT_SUCCESS;
	}
	host_conn_unlock(conn);

	if (rc == TNC_RESULT_SUCCESS)
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, conn_id,
			 "IMC \"%s\" requested a handshake retry (reason %lu)", module->name, reason);
	else
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_INFO, conn_id,
			 "IMC \"%s\" requested a handshake retry, refused after %u retries",
			 module->name, host->options.max_retries);
	return rc;
}

static TNC_Result tncc_get_attribute(TNC_IMCID imc_id, TNC_ConnectionID conn_id,
				     TNC_AttributeID attribute, TNC_UInt32 buffer_len,
				     TNC_BufferReference buffer, TNC_UInt32 *value_len)
{
	return host_get_attribute(tncc(), imc_id, conn_id, attribute, buffer_len, buffer, value_len);
}

/* The TNCC has no attribute an IMC can set. */
static TNC_Result tncc_set_attribute(TNC_IMCID imc_id, TNC_ConnectionID conn_id,
				     TNC_AttributeID attribute, TNC_UInt32 length,
				     TNC_BufferReference buffer)
{
	tnccs_host_t *host = tncc();
	host_module *module = host_module_by_id(host, imc_id);

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (module)
		log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_DEBUG, conn_id,
			 "IMC \"%s\" tried to set the attribute 0x%lx, which the TNCC does not take",
			 module->name, attribute);
	return TNC_RESULT_INVALID_PARAMETER;
}

static TNC_Result tncc_reserve_additional_imc_id(TNC_IMCID imc_id, TNC_UInt32 *out)
{
	return host_reserve_id(tncc(), imc_id, out);
}

/* Every TNCC function of IF-IMC 1.3, by the name an IMC asks for. */
static const struct {
	const char *name;
	void *function;
} tncc_functions[] = {
	{ "TNC_TNCC_ReportMessageTypes", (void *)tncc_report_message_types },
	{ "TNC_TNCC_ReportMessageTypesLong", (void *)tncc_report_message_types_long },
	{ "TNC_TNCC_SendMessage", (void *)tncc_send_message },
	{ "TNC_TNCC_SendMessageLong", (void *)tncc_send_message_long },
	{ "TNC_TNCC_SendMessageSOH", (void *)tncc_send_message_soh },
	{ "TNC_TNCC_RequestHandshakeRetry", (void *)tncc_request_handshake_retry },
	{ "TNC_TNCC_GetAttribute", (void *)tncc_get_attribute },
	{ "TNC_TNCC_SetAttribute", (void *)tncc_set_attribute },
	{ "TNC_TNCC_ReserveAdditionalIMCID", (void *)tncc_reserve_additional_imc_id },
};

TNC_Result host_imc_bind(TNC_IMCID imc_id, char *name, void **out)
{
	tnccs_host_t *host = tncc();
	host_module *module = host_module_by_id(host, imc_id);

	if (!host)
		return TNC_RESULT_NOT_INITIALIZED;
	if (!module) {
		log_error(LOG_SUBSYS_TNC, "BindFunction with the unknown IMC ID %lu", imc_id);
		return TNC_RESULT_INVALID_PARAMETER;
	}
	if (!name || !out) {
		host_complain(module, TNC_CONNECTIONID_ANY, "BindFunction with a NULL %s",
			      name ? "output" : "name");
		return TNC_RESULT_INVALID_PARAMETER;
	}
	for (size_t i = 0; i < sizeof(tncc_functions) / sizeof(tncc_functions[0]); i++) {
		if (strcmp(name, tncc_functions[i].name) == 0) {
			*out = tncc_functions[i].function;
			return TNC_RESULT_SUCCESS;
		}
	}
	log_debug(LOG_SUBSYS_TNC, "IMC \"%s\" asked for the unknown function %.64s", module->name,
		  name);
	*out = NULL;
	return TNC_RESULT_INVALID_PARAMETER;
}

bool host_conn_take_retry(host_conn_t *conn, TNC_RetryReason *reason)
{
	bool requested;

	pthread_mutex_lock(&conn->lock);
	requested = conn->retry_requested;
	if (requested) {
		conn->retry_requested = false;
		conn->retries++;
		if (reason)
			*reason = conn->retry_reason;
	}
	pthread_mutex_unlock(&conn->lock);
	return requested;
}
