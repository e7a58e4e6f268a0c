#include <stdlib.h>
#include <string.h>

#include "agent_msg.h"
#include "imcatt.h"
#include "log.h"
#include "pa/ietf_attr.h"

void imcatt_reply_init(imcatt_reply *r, imcatt_state *state, TNC_UInt32 dst_id)
{
	memset(r, 0, sizeof(*r));
	r->state = state;
	r->dst_id = dst_id;
}

static int reply_start(imcatt_reply *r)
{
	int rc;

	if (r->started)
		return TS_OK;
	rc = agent_msg_begin(r->state->module->agent, r->state->conn, &r->b);
	if (rc == TS_OK)
		r->started = true;
	return rc;
}

/* Sends the message built so far and starts the next one. */
static int reply_flush(imcatt_reply *r)
{
	TNC_Result res;

	if (!r->started || pa_msg_builder_count(&r->b) == 0)
		return TS_OK;
	res = agent_msg_send(r->state->module->agent, r->state->conn, PTS_PEN_TCG, PTS_MSG_SUBTYPE, r->dst_id,
			     &r->b);
	r->started = false;
	if (res != TNC_RESULT_SUCCESS)
		return TS_E_IO;
	return reply_start(r);
}

/* Adds a value whole, flushing once when the current message is full. */
static int reply_add_raw(imcatt_reply *r, uint8_t flags, uint32_t vendor, uint32_t type, const uint8_t *value,
			 size_t len)
{
	int rc = pa_msg_builder_add(&r->b, flags, vendor, type, value, len);

	if (rc == TS_E_TOO_LARGE && pa_msg_builder_count(&r->b) > 0) {
		rc = reply_flush(r);
		if (rc == TS_OK)
			rc = pa_msg_builder_add(&r->b, flags, vendor, type, value, len);
	}
	return rc;
}

int imcatt_reply_add(imcatt_reply *r, uint8_t flags, uint32_t vendor, uint32_t type, const writer_t *value)
{
	writer_t env;
	bool segmented = false;
	uint32_t base_id = 0;
	size_t room;
	int rc;

	rc = writer_status(value);
	if (rc != TS_OK)
		return rc;
	rc = reply_start(r);
	if (rc != TS_OK)
		return rc;
	/* An envelope already carries one segment of a larger attribute. */
	if (!r->state->seg || (vendor == PTS_PEN_TCG && type == SEG_ATTR_ENVELOPE))
		return reply_add_raw(r, flags, vendor, type, writer_data(value), writer_len(value));

	/* The first envelope must fit into the message being built; else start a new one. */
	room = r->b.w.max - pa_msg_builder_len(&r->b);
	if (room < PA_ATTR_HEADER_LEN + SEG_ATTR_ENV_HEADER_LEN + SEG_CONTRACT_MIN_SEG_SIZE &&
	    pa_msg_builder_count(&r->b) > 0) {
		rc = reply_flush(r);
		if (rc != TS_OK)
			return rc;
		room = r->b.w.max - pa_msg_builder_len(&r->b);
	}
	room = room > PA_ATTR_HEADER_LEN ? room - PA_ATTR_HEADER_LEN : 0;

	writer_init(&env, AGENT_MSG_MAX_SIZE);
	rc = seg_engine_split(r->state->seg, flags, vendor, type, writer_data(value), writer_len(value), room,
			      &env, &segmented, &base_id);
	if (rc == TS_OK && !segmented)
		rc = reply_add_raw(r, flags, vendor, type, writer_data(value), writer_len(value));
	else if (rc == TS_OK) {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, r->state->conn,
			 "attestation: attribute 0x%06x/0x%08x of %zu octets goes out in segments, base message id %u",
			 vendor, type, writer_len(value), base_id);
		rc = reply_add_raw(r, 0, PTS_PEN_TCG, SEG_ATTR_ENVELOPE, writer_data(&env), writer_len(&env));
	} else {
		log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, r->state->conn,
			 "attestation: cannot segment attribute 0x%06x/0x%08x of %zu octets: %s", vendor, type,
			 writer_len(value), ts_strerror(rc));
	}
	writer_free(&env);
	return rc;
}

int imcatt_reply_pts_error(imcatt_reply *r, uint32_t code, const uint8_t *info, size_t info_len)
{
	ietf_pa_tnc_error err = { .vendor = PTS_PEN_TCG, .code = code, .info = info, .info_len = info_len };
	writer_t w;
	int rc;

	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_INFO, r->state->conn, "attestation: sending PTS error %u", code);
	writer_init(&w, AGENT_MSG_MAX_SIZE);
	rc = ietf_pa_tnc_error_encode(&err, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PA_VENDOR_IETF, IETF_ATTR_PA_TNC_ERROR, &w);
	writer_free(&w);
	return rc;
}

int imcatt_reply_pts_error_attr(imcatt_reply *r, uint32_t code, const pa_attr *attr)
{
	return imcatt_reply_pts_error(r, code, attr->value, attr->value_len);
}

int imcatt_reply_invalid(imcatt_reply *r, const pa_msg *msg, size_t offset, const char *field)
{
	pa_msg_error perr;
	writer_t w;
	int rc;

	log_conn(LOG_SUBSYS_IMC, LOG_LEVEL_ERROR, r->state->conn,
		 "attestation: invalid %s at message offset %zu", field, offset);
	pa_msg_error_invalid_parameter(msg, offset, field, &perr);
	writer_init(&w, AGENT_MSG_MAX_SIZE);
	rc = ietf_pa_tnc_error_encode(&perr.error, &w);
	if (rc == TS_OK)
		rc = imcatt_reply_add(r, 0, PA_VENDOR_IETF, IETF_ATTR_PA_TNC_ERROR, &w);
	writer_free(&w);
	return rc;
}

TNC_Result imcatt_reply_send(imcatt_reply *r)
{
	int rc = reply_flush(r);

	if (r->started)
		pa_msg_builder_free(&r->b);
	r->started = false;
	return rc == TS_OK ? TNC_RESULT_SUCCESS : TNC_RESULT_FATAL;
}
