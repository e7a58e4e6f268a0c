/*
 * A minimal OS IMC for the end-to-end attestation test: in BeginHandshake
 * it sends the IETF/Operating System message that identifies the endpoint
 * to imv-attestation (Product Information "Debian", String Version
 * "12 x86_64" and the ITA-HSR Device ID from [test-osimc] device_id).
 * It replaces imc-os, which this test does not build.
 */
#include <stdlib.h>
#include <string.h>

#include "agent_msg.h"
#include "conf.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_string_version.h"
#include "pts/ita_attr.h"
#include "tncifimc.h"

static tnc_agent_t *agent;
static char device_id[64];

static int add(pa_msg_builder *b, uint32_t vendor, uint32_t type, writer_t *w)
{
	int rc = pa_msg_builder_add(b, 0, vendor, type, writer_data(w), writer_len(w));

	writer_reset(w);
	return rc;
}

static TNC_Result begin(tnc_agent_t *a, TNC_ConnectionID conn, void *state)
{
	ietf_product_info pi = { .name = (const uint8_t *)"Debian", .name_len = 6 };
	ietf_string_version sv = { .version = (const uint8_t *)"12 x86_64", .version_len = 9 };
	pts_bytes id = { (const uint8_t *)device_id, strlen(device_id) };
	pa_msg_builder b;
	writer_t w;
	int rc;

	writer_init(&w, 256);
	rc = agent_msg_begin(a, conn, &b);
	if (rc == TS_OK)
		rc = ietf_product_info_encode(&pi, &w);
	if (rc == TS_OK)
		rc = add(&b, PA_VENDOR_IETF, IETF_ATTR_PRODUCT_INFORMATION, &w);
	if (rc == TS_OK)
		rc = ietf_string_version_encode(&sv, &w);
	if (rc == TS_OK)
		rc = add(&b, PA_VENDOR_IETF, IETF_ATTR_STRING_VERSION, &w);
	if (rc == TS_OK)
		rc = ita_attr_device_id_encode(&id, &w);
	if (rc == TS_OK)
		rc = add(&b, PA_VENDOR_ITA, ITA_ATTR_DEVICE_ID, &w);
	writer_free(&w);
	if (rc != TS_OK) {
		pa_msg_builder_free(&b);
		return TNC_RESULT_FATAL;
	}
	return agent_msg_send(a, conn, PA_VENDOR_IETF, IETF_PA_SUBTYPE_OPERATING_SYSTEM, TNC_IMVID_ANY, &b);
}

static const tnc_agent_ops ops = { .begin_handshake = begin };

TNC_IMC_API TNC_Result TNC_IMC_Initialize(TNC_IMCID id, TNC_Version min, TNC_Version max, TNC_Version *actual)
{
	static const TNC_VendorID vendors[] = { PA_VENDOR_IETF };
	static const TNC_MessageSubtype subtypes[] = { IETF_PA_SUBTYPE_OPERATING_SYSTEM };
	conf_t *conf = NULL;

	if (conf_load(conf_default_path(), &conf) != TS_OK)
		return TNC_RESULT_FATAL;
	strncpy(device_id, conf_get_str(conf, "test-osimc", "device_id", "unknown"), sizeof(device_id) - 1);
	conf_free(conf);
	if (tnc_agent_create(TNC_AGENT_IMC, "test-osimc", &ops, vendors, subtypes, 1, NULL, &agent) != TS_OK)
		return TNC_RESULT_FATAL;
	return tnc_agent_initialize(agent, id, min, max, actual);
}

TNC_IMC_API TNC_Result TNC_IMC_NotifyConnectionChange(TNC_IMCID id, TNC_ConnectionID conn, TNC_ConnectionState state)
{
	return tnc_agent_notify_connection_change(agent, id, conn, state);
}

TNC_IMC_API TNC_Result TNC_IMC_BeginHandshake(TNC_IMCID id, TNC_ConnectionID conn)
{
	return tnc_agent_begin_handshake(agent, id, conn);
}

TNC_IMC_API TNC_Result TNC_IMC_Terminate(TNC_IMCID id)
{
	TNC_Result rc = tnc_agent_terminate(agent, id);

	tnc_agent_destroy(agent);
	agent = NULL;
	return rc;
}

TNC_IMC_API TNC_Result TNC_IMC_ProvideBindFunction(TNC_IMCID id, TNC_TNCC_BindFunctionPointer bind)
{
	return tnc_agent_provide_bind_function(agent, id, (tnc_agent_bind_fn)bind);
}
