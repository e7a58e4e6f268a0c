/*
 * PA-TNC messages (RFC 5792 section 3.6) and attribute headers (section 4.1):
 * parsing with the NOSKIP rule, and a builder with a size limit.
 *
 * Message header, 8 octets:
 *
 *     0                   1                   2                   3
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *    |    Version    |                    Reserved                   |
 *    +---------------+-----------------------------------------------+
 *    |                      Message Identifier                       |
 *    +---------------------------------------------------------------+
 *
 * then zero or more attributes, each with a 12-octet header:
 *
 *    +---------------+-----------------------------------------------+
 *    |     Flags     |            PA-TNC Attribute Vendor ID         |
 *    +---------------+-----------------------------------------------+
 *    |                     PA-TNC Attribute Type                     |
 *    +---------------------------------------------------------------+
 *    |      PA-TNC Attribute Length (header included, >= 12)         |
 *    +---------------------------------------------------------------+
 *    |                  Attribute Value (Length - 12)                 |
 *
 * pa_msg_parse() first checks every attribute header, then looks each type
 * up in the registry (pa_registry.h). A message is accepted or rejected as
 * a whole. A rejected message hands out no attribute, only the PA-TNC Error
 * that the receiver should send back.
 */
#ifndef PA_MSG_H
#define PA_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pa_attr_info.h"
#include "ietf_pa_tnc_error.h"
#include "ts_error.h"
#include "writer.h"

#define PA_MSG_VERSION 1
#define PA_MSG_HEADER_LEN 8
#define PA_ATTR_HEADER_LEN 12

/* Attribute flags: bit 0 (0x80) is NOSKIP, bits 1-7 are reserved. */
#define PA_ATTR_FLAG_NOSKIP 0x80

/* SMI Private Enterprise Numbers used as PA-TNC vendor ids (24 bits). */
#define PA_VENDOR_IETF 0x000000
#define PA_VENDOR_TCG 0x005597
#define PA_VENDOR_ITA 0x00902A
#define PA_VENDOR_RESERVED 0xFFFFFF
#define PA_TYPE_RESERVED 0xFFFFFFFFu

/*
 * Default attribute count limit per received message. A full strongSwan
 * attestation sends about 110 attributes in one message (one Simple
 * Component Evidence per boot event), so this leaves room for long logs.
 */
#define PA_MSG_DEFAULT_MAX_ATTRS 16384

typedef struct pa_msg_limits {
	size_t max_attrs;  /* attributes per message; 0 means PA_MSG_DEFAULT_MAX_ATTRS */
} pa_msg_limits;

/* One attribute of a parsed message. Pointers go into the parsed buffer. */
typedef struct pa_attr {
	uint8_t flags;              /* PA_ATTR_FLAG_NOSKIP and reserved bits, as received */
	uint32_t vendor;
	uint32_t type;
	const uint8_t *value;       /* NULL when value_len is 0 */
	size_t value_len;           /* Length - 12 */
	size_t offset;              /* of the attribute header within the message */
	const pa_attr_info *info;   /* registry entry; NULL for a skipped unknown type */
} pa_attr;

/* Value offset within the message, for PA-TNC Error offsets. */
static inline size_t pa_attr_value_offset(const pa_attr *attr)
{
	return attr->offset + PA_ATTR_HEADER_LEN;
}

/*
 * A parsed message. It points into the bytes given to pa_msg_parse(), which
 * must outlive it. Unknown attributes without NOSKIP are listed with info ==
 * NULL so a caller may log them; handlers skip them.
 */
typedef struct pa_msg {
	uint8_t header[PA_MSG_HEADER_LEN];  /* copy, for PA-TNC Errors about this message */
	uint32_t msg_id;
	size_t count;
	pa_attr *attrs;
} pa_msg;

/* Why a message was rejected, and the PA-TNC Error attribute to send back. */
typedef struct pa_msg_error {
	ietf_pa_tnc_error error;  /* error.info is NULL: codes 1-3 carry their fields */
	const char *field;        /* static name of the offending field, for logs */
	/*
	 * false when the offending message itself carries a PA-TNC Error
	 * attribute, because RFC 5792 section 4.2.8 forbids sending an error
	 * in reply to an error.
	 */
	bool may_reply;
} pa_msg_error;

/*
 * Parses a PA-TNC message. On success *out is a new message (pa_msg_free).
 * On failure *out is untouched and *err describes the PA-TNC Error to send:
 *  - Version != 1: Version Not Supported (max = min = 1), TS_E_UNSUPPORTED.
 *  - an unknown type with NOSKIP: Attribute Type Not Supported with the
 *    attribute's flags, vendor and type, TS_E_UNSUPPORTED.
 *  - a header shorter than 8 octets, a truncated attribute header, Length
 *    below 12 or past the end, vendor 0xFFFFFF, type 0xFFFFFFFF, a known
 *    type whose length is out of its registered range, or a value whose
 *    layout is invalid: Invalid Parameter with the offset of the bad field
 *    from the start of the message, and TS_E_INVALID, TS_E_TRUNCATED or
 *    TS_E_TRAILING.
 *  - more than limits->max_attrs attributes: Invalid Parameter at the first
 *    attribute past the limit, TS_E_TOO_LARGE.
 * TS_E_NOMEM leaves err->error.code at 0 (nothing to send).
 * limits may be NULL for the defaults; err may be NULL.
 */
TS_MUST_CHECK int pa_msg_parse(const uint8_t *data, size_t len, const pa_msg_limits *limits,
			       pa_msg **out, pa_msg_error *err);

/* Frees a parsed message; NULL is allowed. */
void pa_msg_free(pa_msg *msg);

/*
 * Fills *err for a problem that a handler finds in an accepted message, so
 * the same reply path applies: Invalid Parameter at a message offset (use
 * pa_attr_value_offset() plus the offset within the value), or Attribute
 * Type Not Supported for an attribute the handler does not process.
 */
void pa_msg_error_invalid_parameter(const pa_msg *msg, size_t offset, const char *field,
				    pa_msg_error *err);
void pa_msg_error_attr_not_supported(const pa_msg *msg, const pa_attr *attr, pa_msg_error *err);

/* Returns the first attribute of (vendor, type) at or after index *pos, or NULL. */
const pa_attr *pa_msg_find(const pa_msg *msg, uint32_t vendor, uint32_t type, size_t *pos);

/*
 * Message builder. The writer's max bounds the whole message, header
 * included. An attribute that does not fit is removed again, so the caller
 * can send the message built so far and put that attribute in the next one.
 */
typedef struct pa_msg_builder {
	writer_t w;
	size_t attr_start;  /* offset of the open attribute's header; SIZE_MAX if none */
	size_t count;
} pa_msg_builder;

/* Starts a message with the given Message Identifier, at most max_len octets. */
TS_MUST_CHECK int pa_msg_builder_init(pa_msg_builder *b, uint32_t msg_id, size_t max_len);
/* Frees the buffer; the builder may be initialized again. */
void pa_msg_builder_free(pa_msg_builder *b);

/*
 * Opens an attribute and returns the writer to append its value to:
 *
 *     rc = pa_msg_builder_attr_begin(b, 0, PA_VENDOR_IETF, type, &w);
 *     if (rc == TS_OK && (rc = ietf_x_encode(&x, w)) != TS_OK)
 *             pa_msg_builder_attr_cancel(b);
 *     if (rc == TS_OK)
 *             rc = pa_msg_builder_attr_end(b);
 *
 * TS_E_INVALID for a reserved vendor or type or a vendor above 24 bits,
 * TS_E_STATE while another attribute is open.
 */
TS_MUST_CHECK int pa_msg_builder_attr_begin(pa_msg_builder *b, uint8_t flags, uint32_t vendor,
					    uint32_t type, writer_t **value);
/* Drops the open attribute, e.g. after its encoder failed; no-op if none is open. */
void pa_msg_builder_attr_cancel(pa_msg_builder *b);

/*
 * Writes the Length of the open attribute. If appending its value failed
 * (TS_E_TOO_LARGE past max_len, TS_E_NOMEM, TS_E_INVALID from an encoder),
 * the attribute is removed, the builder is usable again and that code is
 * returned.
 */
TS_MUST_CHECK int pa_msg_builder_attr_end(pa_msg_builder *b);

/* Adds one attribute whose value is already encoded; same errors as above. */
TS_MUST_CHECK int pa_msg_builder_add(pa_msg_builder *b, uint8_t flags, uint32_t vendor,
				     uint32_t type, const uint8_t *value, size_t value_len);

/* Number of attributes added so far. */
static inline size_t pa_msg_builder_count(const pa_msg_builder *b)
{
	return b->count;
}

/* Octets used so far, header included. */
static inline size_t pa_msg_builder_len(const pa_msg_builder *b)
{
	return writer_len(&b->w);
}

/*
 * Hands the finished message to the caller (free() it) and leaves the
 * builder empty. TS_E_STATE while an attribute is open.
 */
TS_MUST_CHECK int pa_msg_builder_finish(pa_msg_builder *b, uint8_t **out, size_t *out_len);

/* Draws a random Message Identifier (OpenSSL RAND_bytes). */
TS_MUST_CHECK int pa_msg_new_id(uint32_t *msg_id);

/*
 * Builds the reply to a rejected message: a version 1 PA-TNC message whose
 * only attribute is err->error (flags 0). TS_E_STATE if err->may_reply is
 * false or err->error.code is 0.
 */
TS_MUST_CHECK int pa_msg_build_error_reply(const pa_msg_error *err, uint32_t msg_id,
					   size_t max_len, uint8_t **out, size_t *out_len);

#endif
