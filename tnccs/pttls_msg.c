#include <string.h>

#include "pttls_msg.h"
#include "reader.h"

static const char *const type_names[] = {
	[PTTLS_MSG_EXPERIMENTAL] = "Experimental",
	[PTTLS_MSG_VERSION_REQUEST] = "Version Request",
	[PTTLS_MSG_VERSION_RESPONSE] = "Version Response",
	[PTTLS_MSG_SASL_MECHANISMS] = "SASL Mechanisms",
	[PTTLS_MSG_SASL_MECHANISM_SELECTION] = "SASL Mechanism Selection",
	[PTTLS_MSG_SASL_AUTH_DATA] = "SASL Authentication Data",
	[PTTLS_MSG_SASL_RESULT] = "SASL Result",
	[PTTLS_MSG_PB_TNC_BATCH] = "PB-TNC Batch",
	[PTTLS_MSG_ERROR] = "PT-TLS Error",
};

static const char *const error_names[] = {
	[PTTLS_ERR_RESERVED] = "Reserved",
	[PTTLS_ERR_MALFORMED_MESSAGE] = "Malformed Message",
	[PTTLS_ERR_VERSION_NOT_SUPPORTED] = "Version Not Supported",
	[PTTLS_ERR_TYPE_NOT_SUPPORTED] = "Type Not Supported",
	[PTTLS_ERR_INVALID_MESSAGE] = "Invalid Message",
	[PTTLS_ERR_SASL_MECHANISM_ERROR] = "SASL Mechanism Error",
	[PTTLS_ERR_INVALID_PARAMETER] = "Invalid Parameter",
};

const char *pttls_msg_type_name(uint32_t vendor, uint32_t type)
{
	if (vendor != PTTLS_VENDOR_IETF)
		return "vendor-specific";
	if (type < sizeof(type_names) / sizeof(type_names[0]))
		return type_names[type];
	return "unknown";
}

const char *pttls_error_code_name(uint32_t vendor, uint32_t code)
{
	if (vendor != PTTLS_VENDOR_IETF)
		return "vendor-specific";
	if (code < sizeof(error_names) / sizeof(error_names[0]))
		return error_names[code];
	return "unknown";
}

static int fail(pttls_fault *fault, int rc, uint32_t code, size_t offset, const char *field, uint32_t value)
{
	fault->code = code;
	fault->offset = offset;
	fault->field = field;
	fault->value = value;
	return rc;
}

bool pttls_msg_valid_mech_name(const char *name, size_t len)
{
	if (len < 1 || len > PTTLS_SASL_MECH_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

int pttls_msg_parse_header(const uint8_t *data, size_t len, const pttls_parse_opts *opts,
			   pttls_header *out, pttls_fault *fault)
{
	pttls_header h;
	uint8_t reserved;
	reader_t r;

	reader_init(&r, data, len);
	if (reader_u8(&r, &reserved) != TS_OK || reader_u24(&r, &h.vendor) != TS_OK ||
	    reader_u32(&r, &h.type) != TS_OK || reader_u32(&r, &h.length) != TS_OK ||
	    reader_u32(&r, &h.msg_id) != TS_OK)
		return fail(fault, TS_E_TRUNCATED, PTTLS_ERR_MALFORMED_MESSAGE, reader_offset(&r),
			    "header", (uint32_t)len);

	/* The Reserved octet is ignored on receipt. */
	if (h.vendor == PTTLS_VENDOR_RESERVED)
		return fail(fault, TS_E_INVALID, PTTLS_ERR_INVALID_PARAMETER, 1, "Message Type Vendor ID",
			    h.vendor);
	if (h.type == PTTLS_TYPE_RESERVED)
		return fail(fault, TS_E_INVALID, PTTLS_ERR_INVALID_PARAMETER, 4, "Message Type", h.type);
	if (h.length < PTTLS_HEADER_LEN)
		return fail(fault, TS_E_INVALID, PTTLS_ERR_INVALID_PARAMETER, 8, "Message Length", h.length);
	if (h.length > opts->max_length)
		return fail(fault, TS_E_TOO_LARGE, PTTLS_ERR_INVALID_PARAMETER, 8, "Message Length", h.length);

	*out = h;
	return TS_OK;
}

/*
 * Version Request value (RFC 6876 §3.7.1):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Reserved   |   Min Vers    |   Max Vers    |   Pref Vers   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Version Response value (RFC 6876 §3.7.2):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Reserved                   |    Version    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int parse_version(reader_t *r, bool request, pttls_msg *m, pttls_fault *fault)
{
	uint8_t reserved[3];

	if (reader_remaining(r) != 4)
		return fail(fault, TS_E_INVALID, PTTLS_ERR_INVALID_PARAMETER, 8, "Message Length",
			    (uint32_t)(PTTLS_HEADER_LEN + reader_remaining(r)));
	if (request) {
		if (reader_copy(r, reserved, 1) != TS_OK ||
		    reader_u8(r, &m->u.version_request.min_version) != TS_OK ||
		    reader_u8(r, &m->u.version_request.max_version) != TS_OK ||
		    reader_u8(r, &m->u.version_request.pref_version) != TS_OK)
			return TS_E_TRUNCATED;  /* not reached: the length was checked */
	} else {
		if (reader_copy(r, reserved, 3) != TS_OK ||
		    reader_u8(r, &m->u.version_response.version) != TS_OK)
			return TS_E_TRUNCATED;
	}
	return TS_OK;
}

/*
 * SASL Mechanisms value (RFC 6876 §3.8.7): zero or more entries of
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Rsvd | Mech Len|   Mechanism Name (variable length) ...        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Rsvd is 3 bits ignored on receipt; Mech Len is 5 bits, 1..20.
 */
static int parse_mech(reader_t *r, pttls_sasl_mech *mech, pttls_fault *fault)
{
	size_t at = reader_offset(r);
	const uint8_t *name;
	uint8_t octet;
	size_t len;

	if (reader_u8(r, &octet) != TS_OK)
		return fail(fault, TS_E_TRUNCATED, PTTLS_ERR_MALFORMED_MESSAGE, at, "Mech Len", 0);
	len = octet & 0x1F;
	if (len == 0)
		return fail(fault, TS_E_INVALID, PTTLS_ERR_MALFORMED_MESSAGE, at, "Mech Len", 0);
	if (reader_bytes(r, len, &name) != TS_OK)
		return fail(fault, TS_E_TRUNCATED, PTTLS_ERR_MALFORMED_MESSAGE, at, "Mech Len", (uint32_t)len);
	if (!pttls_msg_valid_mech_name((const char *)name, len))
		return fail(fault, TS_E_INVALID, PTTLS_ERR_MALFORMED_MESSAGE, at + 1, "Mechanism Name", 0);
	memcpy(mech->name, name, len);
	mech->name[len] = '\0';
	return TS_OK;
}

static int parse_mechanisms(reader_t *r, pttls_msg *m, pttls_fault *fault)
{
	size_t count = 0;
	int rc;

	while (reader_remaining(r) > 0) {
		if (count == PTTLS_SASL_MECHS_MAX)
			return fail(fault, TS_E_TOO_LARGE, PTTLS_ERR_MALFORMED_MESSAGE, reader_offset(r),
				    "Mechanism Name", (uint32_t)count);
		rc = parse_mech(r, &m->u.sasl_mechanisms.mechs[count], fault);
		if (rc != TS_OK)
			return rc;
		count++;
	}
	m->u.sasl_mechanisms.count = count;
	return TS_OK;
}

/*
 * SASL Mechanism Selection value (RFC 6876 §3.8.8):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Rsvd | Mech Len|   Mechanism Name (variable length) ...        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |   Optional Initial Mechanism Response (rest of the message)   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int parse_selection(reader_t *r, pttls_msg *m, pttls_fault *fault)
{
	int rc = parse_mech(r, &m->u.sasl_selection.mech, fault);

	if (rc != TS_OK)
		return rc;
	reader_rest(r, &m->u.sasl_selection.initial, &m->u.sasl_selection.initial_len);
	return TS_OK;
}

/*
 * SASL Result value (RFC 6876 §3.8.10):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Result Code          |  Optional Result Data ...     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * strongSwan (at least up to 6.0) writes and reads Result Code as 1 octet.
 * A 1-octet value is therefore read as a 1-octet code. A longer value is
 * read in the configured width. When the RFC reading gives an unknown code
 * but the first octet alone is a known one, the 1-octet reading is taken.
 */
static int parse_sasl_result(reader_t *r, const pttls_parse_opts *opts, pttls_msg *m, pttls_fault *fault)
{
	size_t at = reader_offset(r);
	size_t left = reader_remaining(r);
	uint16_t code;
	uint8_t first;

	if (left == 0)
		return fail(fault, TS_E_TRUNCATED, PTTLS_ERR_INVALID_PARAMETER, at, "Result Code", 0);
	first = reader_current(r)[0];

	if (left == 1 || opts->sasl_result_one_octet ||
	    (((uint32_t)first << 8 | reader_current(r)[1]) > PTTLS_SASL_MECHANISM_FAILURE &&
	     first <= PTTLS_SASL_MECHANISM_FAILURE)) {
		code = first;
		if (reader_skip(r, 1) != TS_OK)
			return TS_E_TRUNCATED;
	} else if (reader_u16(r, &code) != TS_OK) {
		return TS_E_TRUNCATED;
	}
	if (code > PTTLS_SASL_MECHANISM_FAILURE)
		return fail(fault, TS_E_INVALID, PTTLS_ERR_INVALID_PARAMETER, at, "Result Code", code);

	m->u.sasl_result.code = code;
	reader_rest(r, &m->u.sasl_result.data, &m->u.sasl_result.data_len);
	return TS_OK;
}

/*
 * PT-TLS Error value (RFC 6876 §3.9):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Reserved   |           Error Code Vendor ID                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Error Code                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Copy of Original Message (at most 1024 octets) ...           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int parse_error(reader_t *r, pttls_msg *m, pttls_fault *fault)
{
	uint8_t reserved;

	if (reader_u8(r, &reserved) != TS_OK || reader_u24(r, &m->u.error.vendor) != TS_OK ||
	    reader_u32(r, &m->u.error.code) != TS_OK)
		return fail(fault, TS_E_TRUNCATED, PTTLS_ERR_INVALID_PARAMETER, 8, "Message Length",
			    (uint32_t)(r->base + r->len));
	if (reader_remaining(r) > PTTLS_ERROR_COPY_MAX)
		return fail(fault, TS_E_TOO_LARGE, PTTLS_ERR_MALFORMED_MESSAGE, reader_offset(r),
			    "Copy of Original Message", (uint32_t)reader_remaining(r));
	reader_rest(r, &m->u.error.copy, &m->u.error.copy_len);
	return TS_OK;
}

int pttls_msg_parse(const uint8_t *data, size_t len, const pttls_parse_opts *opts, pttls_msg *out,
		    pttls_fault *fault)
{
	pttls_msg m;
	reader_t r, value;
	int rc;

	memset(&m, 0, sizeof(m));
	rc = pttls_msg_parse_header(data, len, opts, &m.hdr, fault);
	if (rc != TS_OK)
		return rc;
	if (m.hdr.length != len)
		return fail(fault, TS_E_INVALID, PTTLS_ERR_INVALID_PARAMETER, 8, "Message Length",
			    m.hdr.length);

	reader_init(&r, data, len);
	if (reader_skip(&r, PTTLS_HEADER_LEN) != TS_OK ||
	    reader_sub(&r, len - PTTLS_HEADER_LEN, &value) != TS_OK)
		return TS_E_TRUNCATED;  /* not reached: the length was checked */

	if (m.hdr.vendor != PTTLS_VENDOR_IETF || m.hdr.type > PTTLS_MSG_ERROR) {
		out->hdr = m.hdr;
		return fail(fault, TS_E_UNSUPPORTED, PTTLS_ERR_TYPE_NOT_SUPPORTED, 4, "Message Type",
			    m.hdr.type);
	}

	switch ((pttls_msg_type)m.hdr.type) {
	case PTTLS_MSG_VERSION_REQUEST:
	case PTTLS_MSG_VERSION_RESPONSE:
		rc = parse_version(&value, m.hdr.type == PTTLS_MSG_VERSION_REQUEST, &m, fault);
		break;
	case PTTLS_MSG_SASL_MECHANISMS:
		rc = parse_mechanisms(&value, &m, fault);
		break;
	case PTTLS_MSG_SASL_MECHANISM_SELECTION:
		rc = parse_selection(&value, &m, fault);
		break;
	case PTTLS_MSG_SASL_RESULT:
		rc = parse_sasl_result(&value, opts, &m, fault);
		break;
	case PTTLS_MSG_ERROR:
		rc = parse_error(&value, &m, fault);
		break;
	case PTTLS_MSG_EXPERIMENTAL:
	case PTTLS_MSG_SASL_AUTH_DATA:
	case PTTLS_MSG_PB_TNC_BATCH:
		reader_rest(&value, &m.u.value.data, &m.u.value.len);
		rc = TS_OK;
		break;
	}
	if (rc != TS_OK)
		return rc;
	if (reader_expect_end(&value) != TS_OK)
		return fail(fault, TS_E_TRAILING, PTTLS_ERR_INVALID_PARAMETER, reader_offset(&value),
			    "Message Length", m.hdr.length);

	*out = m;
	return TS_OK;
}

/* Writes the 16-octet header for a value of value_len octets. */
static int build_header(writer_t *w, uint32_t vendor, uint32_t type, uint32_t msg_id, size_t value_len)
{
	if (value_len > UINT32_MAX - PTTLS_HEADER_LEN || vendor > 0xFFFFFF)
		return writer_u24(w, 0x1000000);  /* marks the writer failed with TS_E_INVALID */
	writer_u8(w, 0);
	writer_u24(w, vendor);
	writer_u32(w, type);
	writer_u32(w, (uint32_t)(PTTLS_HEADER_LEN + value_len));
	return writer_u32(w, msg_id);
}

int pttls_msg_build(writer_t *w, uint32_t vendor, uint32_t type, uint32_t msg_id, const void *value, size_t len)
{
	build_header(w, vendor, type, msg_id, len);
	return writer_bytes(w, value, len);
}

int pttls_msg_build_version_request(writer_t *w, uint32_t msg_id, uint8_t min_version, uint8_t max_version,
				    uint8_t pref_version)
{
	build_header(w, PTTLS_VENDOR_IETF, PTTLS_MSG_VERSION_REQUEST, msg_id, 4);
	writer_u8(w, 0);
	writer_u8(w, min_version);
	writer_u8(w, max_version);
	return writer_u8(w, pref_version);
}

int pttls_msg_build_version_response(writer_t *w, uint32_t msg_id, uint8_t version)
{
	build_header(w, PTTLS_VENDOR_IETF, PTTLS_MSG_VERSION_RESPONSE, msg_id, 4);
	writer_zeros(w, 3);
	return writer_u8(w, version);
}

static int build_mech(writer_t *w, const char *mech)
{
	size_t len = strlen(mech);

	if (!pttls_msg_valid_mech_name(mech, len))
		return writer_u24(w, 0x1000000);  /* marks the writer failed with TS_E_INVALID */
	return writer_vec8(w, mech, len);
}

int pttls_msg_build_sasl_mechanisms(writer_t *w, uint32_t msg_id, const char *const *mechs, size_t count)
{
	size_t value_len = 0;

	for (size_t i = 0; i < count; i++)
		value_len += 1 + strlen(mechs[i]);
	build_header(w, PTTLS_VENDOR_IETF, PTTLS_MSG_SASL_MECHANISMS, msg_id, value_len);
	for (size_t i = 0; i < count; i++)
		build_mech(w, mechs[i]);
	return writer_status(w);
}

int pttls_msg_build_sasl_selection(writer_t *w, uint32_t msg_id, const char *mech, const uint8_t *initial,
				   size_t initial_len)
{
	size_t value_len = 1 + strlen(mech) + (initial ? initial_len : 0);

	build_header(w, PTTLS_VENDOR_IETF, PTTLS_MSG_SASL_MECHANISM_SELECTION, msg_id, value_len);
	build_mech(w, mech);
	if (initial)
		writer_bytes(w, initial, initial_len);
	return writer_status(w);
}

int pttls_msg_build_sasl_auth_data(writer_t *w, uint32_t msg_id, const uint8_t *data, size_t len)
{
	return pttls_msg_build(w, PTTLS_VENDOR_IETF, PTTLS_MSG_SASL_AUTH_DATA, msg_id, data, len);
}

int pttls_msg_build_sasl_result(writer_t *w, uint32_t msg_id, uint16_t code, const uint8_t *data, size_t len,
				bool one_octet)
{
	size_t width = one_octet ? 1 : 2;

	if (one_octet && code > 0xFF)
		return writer_u24(w, 0x1000000);  /* marks the writer failed with TS_E_INVALID */
	build_header(w, PTTLS_VENDOR_IETF, PTTLS_MSG_SASL_RESULT, msg_id, width + (data ? len : 0));
	if (one_octet)
		writer_u8(w, (uint8_t)code);
	else
		writer_u16(w, code);
	if (data)
		writer_bytes(w, data, len);
	return writer_status(w);
}

int pttls_msg_build_error(writer_t *w, uint32_t msg_id, uint32_t code, const uint8_t *orig, size_t orig_len)
{
	size_t copy = 0;

	if (orig)
		copy = orig_len < PTTLS_ERROR_COPY_MAX ? orig_len : PTTLS_ERROR_COPY_MAX;

	build_header(w, PTTLS_VENDOR_IETF, PTTLS_MSG_ERROR, msg_id, 8 + copy);
	writer_u8(w, 0);
	writer_u24(w, PTTLS_VENDOR_IETF);
	writer_u32(w, code);
	writer_bytes(w, orig, copy);
	return writer_status(w);
}

int pttls_msg_build_batch(writer_t *w, uint32_t msg_id, const uint8_t *batch, size_t len)
{
	return pttls_msg_build(w, PTTLS_VENDOR_IETF, PTTLS_MSG_PB_TNC_BATCH, msg_id, batch, len);
}
