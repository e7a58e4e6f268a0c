#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "ietf_attr.h"
#include "log.h"
#include "pa_msg.h"
#include "pa_registry.h"
#include "reader.h"

/* Offsets of the attribute header fields, from the attribute's start. */
#define ATTR_VENDOR_OFFSET 1
#define ATTR_TYPE_OFFSET 4
#define ATTR_LENGTH_OFFSET 8

/* Offsets in PA-TNC Errors are 32 bits wide. */
static uint32_t error_offset(size_t offset)
{
	return offset > UINT32_MAX ? UINT32_MAX : (uint32_t)offset;
}

static void set_invalid_parameter(pa_msg_error *e, size_t offset, const char *field)
{
	e->error.vendor = PA_VENDOR_IETF;
	e->error.code = IETF_PA_ERROR_INVALID_PARAMETER;
	e->error.offset = error_offset(offset);
	e->field = field;
}

/* Attribute header scan: checks each header and collects the attributes. */
static int scan_attributes(reader_t *r, size_t max_attrs, pa_attr **ret_attrs, size_t *ret_count,
			   pa_msg_error *e)
{
	pa_attr *attrs = NULL;
	size_t count = 0, cap = 0;
	int rc = TS_OK;

	while (reader_remaining(r) > 0) {
		size_t at = reader_offset(r);
		uint8_t flags;
		uint32_t vendor, type, length;
		const uint8_t *value;
		pa_attr *attr;

		if (count == max_attrs) {
			set_invalid_parameter(e, at, "attribute count");
			rc = TS_E_TOO_LARGE;
			goto out;
		}
		if (reader_remaining(r) < PA_ATTR_HEADER_LEN) {
			set_invalid_parameter(e, at, "PA-TNC attribute header");
			rc = TS_E_TRUNCATED;
			goto out;
		}
		/* The remaining check above covers these four reads. */
		if (reader_u8(r, &flags) != TS_OK || reader_u24(r, &vendor) != TS_OK ||
		    reader_u32(r, &type) != TS_OK || reader_u32(r, &length) != TS_OK) {
			rc = TS_E_TRUNCATED;
			goto out;
		}

		if (vendor == PA_VENDOR_IETF && type == IETF_ATTR_PA_TNC_ERROR)
			e->may_reply = false;
		if (vendor == PA_VENDOR_RESERVED) {
			set_invalid_parameter(e, at + ATTR_VENDOR_OFFSET, "PA-TNC Attribute Vendor ID");
			rc = TS_E_INVALID;
			goto out;
		}
		if (type == PA_TYPE_RESERVED) {
			set_invalid_parameter(e, at + ATTR_TYPE_OFFSET, "PA-TNC Attribute Type");
			rc = TS_E_INVALID;
			goto out;
		}
		if (length < PA_ATTR_HEADER_LEN) {
			set_invalid_parameter(e, at + ATTR_LENGTH_OFFSET, "PA-TNC Attribute Length");
			rc = TS_E_INVALID;
			goto out;
		}
		if (reader_bytes(r, length - PA_ATTR_HEADER_LEN, &value) != TS_OK) {
			set_invalid_parameter(e, at + ATTR_LENGTH_OFFSET, "PA-TNC Attribute Length");
			rc = TS_E_TRUNCATED;
			goto out;
		}

		if (count == cap) {
			size_t new_cap = cap ? cap * 2 : 8;
			pa_attr *grown;

			if (new_cap > max_attrs)
				new_cap = max_attrs;
			grown = realloc(attrs, new_cap * sizeof(*attrs));
			if (!grown) {
				rc = TS_E_NOMEM;
				goto out;
			}
			attrs = grown;
			cap = new_cap;
		}
		attr = &attrs[count++];
		attr->flags = flags;
		attr->vendor = vendor;
		attr->type = type;
		attr->value = length > PA_ATTR_HEADER_LEN ? value : NULL;
		attr->value_len = length - PA_ATTR_HEADER_LEN;
		attr->offset = at;
		attr->info = NULL;
	}

	*ret_attrs = attrs;
	*ret_count = count;
	attrs = NULL;
out:
	free(attrs);
	return rc;
}

/*
 * NOSKIP rule (RFC 5792 section 4.1): one unsupported attribute with NOSKIP
 * set rejects the whole message, so every type is looked up before any
 * value is checked.
 */
static int apply_noskip(pa_attr *attrs, size_t count, pa_msg_error *e)
{
	for (size_t i = 0; i < count; i++) {
		pa_attr *attr = &attrs[i];

		attr->info = pa_registry_lookup(attr->vendor, attr->type);
		if (attr->info || !(attr->flags & PA_ATTR_FLAG_NOSKIP))
			continue;

		e->error.vendor = PA_VENDOR_IETF;
		e->error.code = IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED;
		e->error.attr_flags = attr->flags;
		e->error.attr_vendor = attr->vendor;
		e->error.attr_type = attr->type;
		e->field = "PA-TNC Attribute Type";
		return TS_E_UNSUPPORTED;
	}
	return TS_OK;
}

/* Checks each known attribute's length range and value layout. */
static int validate_values(const pa_attr *attrs, size_t count, pa_msg_error *e)
{
	for (size_t i = 0; i < count; i++) {
		const pa_attr *attr = &attrs[i];
		const pa_attr_info *info = attr->info;
		size_t bad = 0;
		int rc;

		if (!info)
			continue;
		if (attr->value_len < info->min_value_len || attr->value_len > info->max_value_len) {
			set_invalid_parameter(e, attr->offset + ATTR_LENGTH_OFFSET,
					      "PA-TNC Attribute Length");
			return TS_E_INVALID;
		}
		if (!info->validate)
			continue;
		rc = info->validate(attr->value, attr->value_len, &bad);
		if (rc == TS_E_NOMEM)
			return rc;
		if (rc != TS_OK) {
			if (bad > attr->value_len)
				bad = attr->value_len;
			set_invalid_parameter(e, pa_attr_value_offset(attr) + bad, info->name);
			return rc;
		}
	}
	return TS_OK;
}

static void log_rejected(const pa_msg_error *e, int rc)
{
	char name[PA_ATTR_NAME_MAX];

	switch (e->error.code) {
	case IETF_PA_ERROR_VERSION_NOT_SUPPORTED:
		log_debug(LOG_SUBSYS_PA, "PA-TNC message rejected: version %u not supported",
			  e->error.msg_info[0]);
		break;
	case IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED:
		log_debug(LOG_SUBSYS_PA, "PA-TNC message rejected: unsupported attribute %s with NOSKIP",
			  pa_registry_name(e->error.attr_vendor, e->error.attr_type, name, sizeof(name)));
		break;
	case IETF_PA_ERROR_INVALID_PARAMETER:
		log_debug(LOG_SUBSYS_PA, "PA-TNC message rejected: invalid %s at offset %u (%s)",
			  e->field, (unsigned)e->error.offset, ts_strerror(rc));
		break;
	default:
		log_debug(LOG_SUBSYS_PA, "PA-TNC message rejected: %s", ts_strerror(rc));
		break;
	}
}

int pa_msg_parse(const uint8_t *data, size_t len, const pa_msg_limits *limits, pa_msg **out,
		 pa_msg_error *err)
{
	size_t max_attrs = limits && limits->max_attrs ? limits->max_attrs : PA_MSG_DEFAULT_MAX_ATTRS;
	pa_msg_error e;
	pa_msg *msg = NULL;
	reader_t r;
	uint8_t version, reserved[3];
	int rc;

	memset(&e, 0, sizeof(e));
	e.may_reply = true;
	if (len > 0)
		memcpy(e.error.msg_info, data, len < PA_MSG_HEADER_LEN ? len : PA_MSG_HEADER_LEN);

	msg = calloc(1, sizeof(*msg));
	if (!msg) {
		rc = TS_E_NOMEM;
		goto out;
	}
	memcpy(msg->header, e.error.msg_info, PA_MSG_HEADER_LEN);

	/* Header: a wrong version wins over a short header. */
	reader_init(&r, data, len);
	if (reader_u8(&r, &version) == TS_OK && version != PA_MSG_VERSION) {
		e.error.vendor = PA_VENDOR_IETF;
		e.error.code = IETF_PA_ERROR_VERSION_NOT_SUPPORTED;
		e.error.max_version = PA_MSG_VERSION;
		e.error.min_version = PA_MSG_VERSION;
		e.field = "PA-TNC Version";
		rc = TS_E_UNSUPPORTED;
		goto out;
	}
	if (len < PA_MSG_HEADER_LEN || reader_copy(&r, reserved, sizeof(reserved)) != TS_OK ||
	    reader_u32(&r, &msg->msg_id) != TS_OK) {
		set_invalid_parameter(&e, 0, "PA-TNC message header");
		rc = TS_E_TRUNCATED;
		goto out;
	}

	rc = scan_attributes(&r, max_attrs, &msg->attrs, &msg->count, &e);
	if (rc != TS_OK)
		goto out;
	rc = apply_noskip(msg->attrs, msg->count, &e);
	if (rc != TS_OK)
		goto out;
	rc = validate_values(msg->attrs, msg->count, &e);
	if (rc != TS_OK)
		goto out;

	*out = msg;
	msg = NULL;
out:
	if (rc != TS_OK && rc != TS_E_NOMEM)
		log_rejected(&e, rc);
	if (rc != TS_OK && err)
		*err = e;
	pa_msg_free(msg);
	return rc;
}

/* Starts an error about an accepted message. */
static void init_error_for(const pa_msg *msg, pa_msg_error *err)
{
	memset(err, 0, sizeof(*err));
	memcpy(err->error.msg_info, msg->header, PA_MSG_HEADER_LEN);
	err->may_reply = pa_msg_find(msg, PA_VENDOR_IETF, IETF_ATTR_PA_TNC_ERROR, NULL) == NULL;
}

void pa_msg_error_invalid_parameter(const pa_msg *msg, size_t offset, const char *field,
				    pa_msg_error *err)
{
	init_error_for(msg, err);
	set_invalid_parameter(err, offset, field);
}

void pa_msg_error_attr_not_supported(const pa_msg *msg, const pa_attr *attr, pa_msg_error *err)
{
	init_error_for(msg, err);
	err->error.vendor = PA_VENDOR_IETF;
	err->error.code = IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED;
	err->error.attr_flags = attr->flags;
	err->error.attr_vendor = attr->vendor;
	err->error.attr_type = attr->type;
	err->field = "PA-TNC Attribute Type";
}

void pa_msg_free(pa_msg *msg)
{
	if (!msg)
		return;
	free(msg->attrs);
	free(msg);
}

const pa_attr *pa_msg_find(const pa_msg *msg, uint32_t vendor, uint32_t type, size_t *pos)
{
	for (size_t i = pos ? *pos : 0; i < msg->count; i++) {
		if (msg->attrs[i].vendor == vendor && msg->attrs[i].type == type) {
			if (pos)
				*pos = i;
			return &msg->attrs[i];
		}
	}
	return NULL;
}

int pa_msg_builder_init(pa_msg_builder *b, uint32_t msg_id, size_t max_len)
{
	int rc;

	writer_init(&b->w, max_len);
	b->attr_start = SIZE_MAX;
	b->count = 0;
	writer_u8(&b->w, PA_MSG_VERSION);
	writer_u24(&b->w, 0);
	writer_u32(&b->w, msg_id);
	rc = writer_status(&b->w);
	if (rc != TS_OK)
		writer_free(&b->w);
	return rc;
}

void pa_msg_builder_free(pa_msg_builder *b)
{
	writer_free(&b->w);
	b->attr_start = SIZE_MAX;
	b->count = 0;
}

/* Drops the open attribute and clears the writer's sticky error. */
static void builder_drop_attr(pa_msg_builder *b)
{
	writer_truncate(&b->w, b->attr_start);
	b->attr_start = SIZE_MAX;
}

int pa_msg_builder_attr_begin(pa_msg_builder *b, uint8_t flags, uint32_t vendor, uint32_t type,
			      writer_t **value)
{
	int rc;

	if (b->attr_start != SIZE_MAX || writer_status(&b->w) != TS_OK)
		return TS_E_STATE;
	if (vendor >= PA_VENDOR_RESERVED || type == PA_TYPE_RESERVED)
		return TS_E_INVALID;

	b->attr_start = writer_len(&b->w);
	writer_u8(&b->w, flags);
	writer_u24(&b->w, vendor);
	writer_u32(&b->w, type);
	writer_u32(&b->w, 0);  /* Length, written by pa_msg_builder_attr_end() */
	rc = writer_status(&b->w);
	if (rc != TS_OK) {
		builder_drop_attr(b);
		return rc;
	}
	*value = &b->w;
	return TS_OK;
}

void pa_msg_builder_attr_cancel(pa_msg_builder *b)
{
	if (b->attr_start != SIZE_MAX)
		builder_drop_attr(b);
}

int pa_msg_builder_attr_end(pa_msg_builder *b)
{
	size_t length;
	int rc;

	if (b->attr_start == SIZE_MAX)
		return TS_E_STATE;
	rc = writer_status(&b->w);
	length = writer_len(&b->w) - b->attr_start;
	if (rc == TS_OK && length > UINT32_MAX)
		rc = TS_E_TOO_LARGE;
	if (rc == TS_OK)
		rc = writer_put_u32_at(&b->w, b->attr_start + ATTR_LENGTH_OFFSET, (uint32_t)length);
	if (rc != TS_OK) {
		builder_drop_attr(b);
		return rc;
	}
	b->attr_start = SIZE_MAX;
	b->count++;
	return TS_OK;
}

int pa_msg_builder_add(pa_msg_builder *b, uint8_t flags, uint32_t vendor, uint32_t type,
		       const uint8_t *value, size_t value_len)
{
	writer_t *w;
	int rc = pa_msg_builder_attr_begin(b, flags, vendor, type, &w);

	if (rc != TS_OK)
		return rc;
	writer_bytes(w, value, value_len);
	return pa_msg_builder_attr_end(b);
}

int pa_msg_builder_finish(pa_msg_builder *b, uint8_t **out, size_t *out_len)
{
	uint8_t *data;
	size_t len;

	if (b->attr_start != SIZE_MAX)
		return TS_E_STATE;
	data = writer_steal(&b->w, &len);
	if (!data)
		return writer_status(&b->w) != TS_OK ? writer_status(&b->w) : TS_E_NOMEM;
	b->count = 0;
	*out = data;
	*out_len = len;
	return TS_OK;
}

int pa_msg_new_id(uint32_t *msg_id)
{
	uint8_t buf[4];

	if (RAND_bytes(buf, sizeof(buf)) != 1)
		return TS_E_CRYPTO;
	*msg_id = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	return TS_OK;
}

int pa_msg_build_error_reply(const pa_msg_error *err, uint32_t msg_id, size_t max_len,
			     uint8_t **out, size_t *out_len)
{
	pa_msg_builder b;
	writer_t *w;
	int rc;

	if (!err->may_reply ||
	    (err->error.vendor == PA_VENDOR_IETF && err->error.code == IETF_PA_ERROR_RESERVED))
		return TS_E_STATE;

	rc = pa_msg_builder_init(&b, msg_id, max_len);
	if (rc != TS_OK)
		return rc;
	rc = pa_msg_builder_attr_begin(&b, 0, PA_VENDOR_IETF, IETF_ATTR_PA_TNC_ERROR, &w);
	if (rc != TS_OK)
		goto out;
	rc = ietf_pa_tnc_error_encode(&err->error, w);
	if (rc != TS_OK) {
		pa_msg_builder_attr_cancel(&b);
		goto out;
	}
	rc = pa_msg_builder_attr_end(&b);
	if (rc != TS_OK)
		goto out;
	rc = pa_msg_builder_finish(&b, out, out_len);
out:
	pa_msg_builder_free(&b);
	return rc;
}
