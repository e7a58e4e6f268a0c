#include <stdlib.h>

#include "agent_msg.h"
#include "log.h"

static bool is_any(TNC_UInt32 id)
{
	return id == TNC_IMCID_ANY || id == TNC_IMVID_ANY;
}

int agent_msg_receive(tnc_agent_t *agent, TNC_ConnectionID conn, const tnc_agent_msg *msg, pa_msg **out)
{
	pa_msg_error err = { 0 };
	uint8_t *reply = NULL;
	size_t reply_len = 0;
	uint32_t id = 0;
	int rc;

	rc = pa_msg_parse(msg->data, msg->len, NULL, out, &err);
	if (rc == TS_OK)
		return TS_OK;

	log_conn(LOG_SUBSYS_PA, LOG_LEVEL_ERROR, conn,
		 "%s: rejected a PA-TNC message of type 0x%06lx/0x%02lx: %s in field '%s' (%s, offset %u)",
		 tnc_agent_name(agent), msg->vendor, msg->subtype, ts_strerror(rc),
		 err.field ? err.field : "?", ietf_pa_tnc_error_code_name(err.error.vendor, err.error.code), (unsigned)err.error.offset);
	if (err.error.code == 0 || !err.may_reply)
		return rc;
	if (pa_msg_new_id(&id) != TS_OK ||
	    pa_msg_build_error_reply(&err, id, AGENT_MSG_MAX_SIZE, &reply, &reply_len) != TS_OK)
		return rc;
	tnc_agent_send(agent, conn, !is_any(msg->src_id), msg->src_id, msg->vendor, msg->subtype, reply,
		       reply_len);
	free(reply);
	return rc;
}

int agent_msg_begin(tnc_agent_t *agent, TNC_ConnectionID conn, pa_msg_builder *b)
{
	uint32_t max = tnc_agent_get_attribute_u32(agent, conn, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, 0);
	uint32_t id = 0;
	int rc;

	/* 0 and 0xFFFFFFFF both mean "no limit stated". */
	if (max == 0 || max == 0xFFFFFFFFu || max > AGENT_MSG_MAX_SIZE)
		max = AGENT_MSG_MAX_SIZE;
	rc = pa_msg_new_id(&id);
	if (rc != TS_OK)
		return rc;
	return pa_msg_builder_init(b, id, max);
}

TNC_Result agent_msg_send(tnc_agent_t *agent, TNC_ConnectionID conn, TNC_VendorID vendor,
			  TNC_MessageSubtype subtype, TNC_UInt32 dst_id, pa_msg_builder *b)
{
	uint8_t *data = NULL;
	size_t len = 0;
	TNC_Result rc;

	if (pa_msg_builder_finish(b, &data, &len) != TS_OK) {
		pa_msg_builder_free(b);
		return TNC_RESULT_FATAL;
	}
	pa_msg_builder_free(b);
	log_conn(LOG_SUBSYS_PA, LOG_LEVEL_DEBUG, conn, "%s: sending a %zu-byte PA-TNC message",
		 tnc_agent_name(agent), len);
	log_hexdump(LOG_SUBSYS_PA, "PA-TNC message", data, len);
	rc = tnc_agent_send(agent, conn, !is_any(dst_id), dst_id, vendor, subtype, data, len);
	free(data);
	return rc;
}
