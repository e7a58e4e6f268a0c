/*
 * PB-TNC batch codec, RFC 5793 section 4.1. The header layout and the way a
 * session uses these functions are in pb_batch.h.
 *
 * Offsets of header faults follow strongSwan 6.0.6, which points at the
 * octet holding the invalid field: 0 for a batch shorter than its header,
 * 1 for the D bit, 3 for the B-Type and 4 for the Batch Length.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pb_batch.h"

void pb_limits_default(pb_limits *limits)
{
	limits->max_batch_size = PB_DEFAULT_MAX_BATCH_SIZE;
	limits->max_msg_count = PB_DEFAULT_MAX_MSG_COUNT;
}

int pb_limits_load(const conf_t *conf, const char *section, pb_limits *out)
{
	uint64_t size;
	long long count;
	int rc;

	rc = conf_get_size(conf, section, PB_CONF_MAX_BATCH_SIZE, PB_DEFAULT_MAX_BATCH_SIZE,
			   PB_MAX_BATCH_SIZE_LIMIT, &size);
	if (rc != TS_OK)
		return rc;
	if (size < PB_BATCH_HEADER_LEN) {
		log_error(LOG_SUBSYS_CFG, "%s: [%s] %s = %llu is invalid: a batch has at least %d octets",
			  conf_name(conf), section, PB_CONF_MAX_BATCH_SIZE, (unsigned long long)size,
			  PB_BATCH_HEADER_LEN);
		return TS_E_CONFIG;
	}
	rc = conf_get_int(conf, section, PB_CONF_MAX_BATCH_MESSAGES, PB_DEFAULT_MAX_MSG_COUNT, 1,
			  PB_MAX_MSG_COUNT_LIMIT, &count);
	if (rc != TS_OK)
		return rc;

	out->max_batch_size = (size_t)size;
	out->max_msg_count = (size_t)count;
	return TS_OK;
}

int pb_batch_parse_header(const uint8_t *data, size_t len, pb_role receiver,
			  const pb_limits *limits, pb_batch *out, pb_error_msg *err)
{
	reader_t r;
	uint8_t version, direction, reserved, type_octet;
	uint32_t length;
	bool from_server;

	/* Version first: another version may have another header layout. */
	reader_init(&r, data, len);
	if (reader_u8(&r, &version) != TS_OK) {
		pb_msg_error_invalid_parameter(err, 0, "batch is shorter than its 8-octet header");
		return TS_E_PROTOCOL;
	}
	if (version != PB_VERSION) {
		pb_msg_error_version_not_supported(err, version);
		return TS_E_PROTOCOL;
	}
	if (reader_u8(&r, &direction) != TS_OK || reader_u8(&r, &reserved) != TS_OK ||
	    reader_u8(&r, &type_octet) != TS_OK || reader_u32(&r, &length) != TS_OK) {
		pb_msg_error_invalid_parameter(err, 0, "batch is shorter than its 8-octet header");
		return TS_E_PROTOCOL;
	}

	/*
	 * Batch Length: within the limit, at least the header and equal to what
	 * arrived. A batch over the local limit breaks no rule of the RFC, so it
	 * gets a Local Error rather than Invalid Parameter.
	 */
	if (length > limits->max_batch_size || len > limits->max_batch_size) {
		pb_msg_error_local(err, "batch exceeds the configured maximum batch size");
		return TS_E_PROTOCOL;
	}
	if (length < PB_BATCH_HEADER_LEN || length != len) {
		pb_msg_error_invalid_parameter(err, 4, "batch length differs from the octets received");
		return TS_E_PROTOCOL;
	}

	/* B-Type in 1..6, and a D bit that names the peer's role. */
	type_octet &= PB_BATCH_TYPE_MASK;
	if (type_octet < PB_BATCH_TYPE_MIN || type_octet > PB_BATCH_TYPE_MAX) {
		pb_msg_error_invalid_parameter(err, 3, "batch type is not 1..6");
		return TS_E_PROTOCOL;
	}
	from_server = (direction & PB_BATCH_FLAG_DIRECTION) != 0;
	if (from_server == (receiver == PB_ROLE_SERVER)) {
		pb_msg_error_invalid_parameter(err, 1, "batch direction bit names this end as sender");
		return TS_E_PROTOCOL;
	}

	memset(out, 0, sizeof(*out));
	out->version = version;
	out->from_server = from_server;
	out->type = (pb_batch_type)type_octet;
	out->length = length;
	return TS_OK;
}

/* RESULT carries exactly one PB-Assessment-Result and at most one PB-Access-Recommendation. */
static int check_result_batch(const pb_batch *batch, pb_error_msg *err)
{
	size_t results = 0, recommendations = 0;

	for (size_t i = 0; i < batch->count; i++) {
		const pb_msg *m = &batch->msgs[i];

		if (m->vendor_id != PB_VENDOR_IETF)
			continue;
		if (m->type == PB_MSG_ASSESSMENT_RESULT && ++results > 1) {
			pb_msg_error_invalid_parameter(err, m->offset, "second PB-Assessment-Result in RESULT batch");
			return TS_E_PROTOCOL;
		}
		if (m->type == PB_MSG_ACCESS_RECOMMENDATION && ++recommendations > 1) {
			pb_msg_error_invalid_parameter(err, m->offset,
						       "second PB-Access-Recommendation in RESULT batch");
			return TS_E_PROTOCOL;
		}
	}
	if (results == 0) {
		pb_msg_error_invalid_parameter(err, 3, "RESULT batch without PB-Assessment-Result");
		return TS_E_PROTOCOL;
	}
	return TS_OK;
}

/*
 * Parses every message after the header into batch->msgs. All headers are
 * checked before anything is returned, so a NOSKIP message that cannot be
 * processed fails the whole batch.
 */
static int parse_messages(const uint8_t *data, size_t len, pb_role receiver, const pb_limits *limits,
			  pb_batch *batch, pb_error_msg *err)
{
	reader_t r;
	size_t seen = 0, cap = 0;
	pb_msg *msgs = NULL;
	int rc = TS_OK;

	reader_init(&r, data, len);
	if (reader_skip(&r, PB_BATCH_HEADER_LEN) != TS_OK) {
		pb_msg_error_invalid_parameter(err, 0, "batch is shorter than its 8-octet header");
		return TS_E_PROTOCOL;
	}

	while (reader_remaining(&r) > 0) {
		pb_msg m;
		pb_msg_verdict verdict;

		if (seen == limits->max_msg_count) {
			pb_msg_error_local(err, "batch exceeds the configured maximum message count");
			rc = TS_E_PROTOCOL;
			goto out;
		}
		rc = pb_msg_parse(&r, receiver, batch->type, &m, &verdict, err);
		if (rc != TS_OK)
			goto out;
		seen++;
		if (verdict == PB_MSG_SKIP) {
			batch->skipped++;
			log_debug(LOG_SUBSYS_TNC, "skipping %s message (vendor %u, type %u) at offset %u",
				  pb_msg_type_name(m.vendor_id, m.type), m.vendor_id, m.type, m.offset);
			continue;
		}
		if (batch->count == cap) {
			size_t new_cap = cap ? cap * 2 : 4;
			pb_msg *grown = realloc(msgs, new_cap * sizeof(*msgs));

			if (grown == NULL) {
				pb_msg_error_local(err, "out of memory");
				rc = TS_E_NOMEM;
				goto out;
			}
			msgs = grown;
			cap = new_cap;
		}
		msgs[batch->count++] = m;
	}

	batch->msgs = msgs;
	msgs = NULL;
	if (batch->type == PB_BATCH_RESULT && receiver == PB_ROLE_CLIENT)
		rc = check_result_batch(batch, err);

out:
	free(msgs);
	return rc;
}

static int parse_body(const uint8_t *data, size_t len, pb_role receiver, const pb_limits *limits,
		      const pb_batch *header, pb_batch **out, pb_error_msg *err)
{
	pb_batch *batch = malloc(sizeof(*batch));
	int rc;

	if (batch == NULL) {
		pb_msg_error_local(err, "out of memory");
		return TS_E_NOMEM;
	}
	*batch = *header;
	rc = parse_messages(data, len, receiver, limits, batch, err);
	if (rc != TS_OK)
		goto out;
	*out = batch;
	batch = NULL;

out:
	pb_batch_destroy(batch);
	return rc;
}

int pb_batch_parse(const uint8_t *data, size_t len, pb_role receiver,
		   const pb_limits *limits, pb_batch **out, pb_error_msg *err)
{
	pb_batch header;
	int rc = pb_batch_parse_header(data, len, receiver, limits, &header, err);

	if (rc != TS_OK)
		return rc;
	return parse_body(data, len, receiver, limits, &header, out, err);
}

int pb_batch_receive(pb_state *state, const uint8_t *data, size_t len,
		     const pb_limits *limits, pb_batch **out, pb_error_msg *err)
{
	pb_batch header;
	pb_batch *batch = NULL;
	pb_state next = *state;
	bool ignore = false;
	int rc;

	rc = pb_batch_parse_header(data, len, state->role, limits, &header, err);
	if (rc != TS_OK)
		return rc;
	rc = pb_state_receive(&next, header.type, &ignore, err);
	if (rc != TS_OK)
		return rc;
	if (!ignore) {
		rc = parse_body(data, len, state->role, limits, &header, &batch, err);
		if (rc != TS_OK)
			return rc;
	}
	*state = next;
	*out = batch;
	return TS_OK;
}

void pb_batch_destroy(pb_batch *batch)
{
	if (batch == NULL)
		return;
	free(batch->msgs);
	free(batch);
}

/* Appends formatted text to buf at *pos, cutting it at size. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = (size_t)n >= size - *pos ? size : *pos + (size_t)n;
}

static void describe_msg(const pb_msg *m, char *buf, size_t size, size_t *pos)
{
	append(buf, size, pos, "%s", pb_msg_type_name(m->vendor_id, m->type));
	if (m->vendor_id != PB_VENDOR_IETF)
		return;

	switch (m->type) {
	case PB_MSG_PA:
		append(buf, size, pos, " 0x%06x/%u%s imc %u imv %u", m->pa.vendor_id, m->pa.subtype,
		       m->pa.excl ? " excl" : "", m->pa.collector_id, m->pa.validator_id);
		break;
	case PB_MSG_ASSESSMENT_RESULT:
		append(buf, size, pos, " %u", m->assessment_result);
		break;
	case PB_MSG_ACCESS_RECOMMENDATION:
		append(buf, size, pos, " %u", m->access_recommendation);
		break;
	case PB_MSG_ERROR:
		append(buf, size, pos, " %s%s", m->error.fatal ? "fatal " : "",
		       pb_error_code_name(m->error.vendor_id, m->error.code));
		if (m->error.has_offset)
			append(buf, size, pos, " at %u", m->error.offset);
		break;
	}
}

char *pb_batch_describe(const pb_batch *batch, char *buf, size_t size)
{
	size_t pos = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	append(buf, size, &pos, "%s %u octets", pb_batch_type_name(batch->type), batch->length);
	for (size_t i = 0; i < batch->count; i++) {
		append(buf, size, &pos, i == 0 ? ": " : ", ");
		describe_msg(&batch->msgs[i], buf, size, &pos);
	}
	if (batch->skipped > 0)
		append(buf, size, &pos, " (%zu skipped)", batch->skipped);
	return buf;
}

int pb_batch_begin(writer_t *w, pb_role sender, pb_batch_type type, size_t *start)
{
	size_t at = writer_len(w);

	if (type < PB_BATCH_TYPE_MIN || type > PB_BATCH_TYPE_MAX)
		return TS_E_INVALID;
	writer_u8(w, PB_VERSION);
	writer_u8(w, sender == PB_ROLE_SERVER ? PB_BATCH_FLAG_DIRECTION : 0);
	writer_u8(w, 0);
	writer_u8(w, (uint8_t)type);
	writer_u32(w, 0);
	if (writer_status(w) != TS_OK)
		return writer_status(w);
	*start = at;
	return TS_OK;
}

int pb_batch_finish(writer_t *w, size_t start)
{
	size_t len;

	if (writer_status(w) != TS_OK)
		return writer_status(w);
	if (start > writer_len(w) || writer_len(w) - start < PB_BATCH_HEADER_LEN)
		return TS_E_INVALID;
	len = writer_len(w) - start;
	if (len > UINT32_MAX)
		return TS_E_TOO_LARGE;
	return writer_put_u32_at(w, start + 4, (uint32_t)len);
}

int pb_batch_build(writer_t *w, pb_role sender, pb_batch_type type, const pb_msg *msgs, size_t count)
{
	size_t start;
	int rc = pb_batch_begin(w, sender, type, &start);

	for (size_t i = 0; rc == TS_OK && i < count; i++)
		rc = pb_msg_write(w, &msgs[i]);
	if (rc == TS_OK)
		rc = pb_batch_finish(w, start);
	return rc;
}

int pb_batch_build_error(writer_t *w, pb_state *state, pb_role sender, const pb_error_msg *err)
{
	pb_msg msg;
	pb_error_msg fatal = *err;

	/* Every error this layer sends ends the session, so it is fatal (RFC 5793 section 4.9). */
	fatal.fatal = true;
	pb_msg_init_error(&msg, &fatal);
	if (state != NULL)
		pb_state_close(state);
	return pb_batch_build(w, sender, PB_BATCH_CLOSE, &msg, 1);
}
