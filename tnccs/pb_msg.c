/*
 * PB-TNC message codecs: RFC 5793 sections 4.2 to 4.11 and the TCG
 * PB-PDP-Referral (TCG TNC PDP Discovery and Validation 1.0, as strongSwan
 * 6.0.6 implements it). Layouts are drawn above each value codec, and offsets
 * in the diagrams are relative to the start of the message header.
 *
 * An Invalid Parameter offset points at the invalid field. That is the flags
 * octet for a wrong NOSKIP flag, and the Vendor ID or Message Type for a
 * reserved value or a type the receiver's role may not receive. A length that
 * breaks the type's rule points at the Message Length, and an invalid value
 * inside the Message Value at that value.
 */
#include <string.h>

#include "pb_lang.h"
#include "pb_msg.h"

/* NOSKIP rule of a message type. */
enum noskip_rule {
	NOSKIP_ANY,
	NOSKIP_SET,
	NOSKIP_CLEAR,
};

/* Receiving rules of one known message type (RFC 5793 section 4.3 table). */
typedef struct msg_rule {
	uint32_t vendor_id;
	uint32_t type;
	enum noskip_rule noskip;
	uint32_t min_len;        /* Message Length, header included */
	bool exact_len;          /* Message Length must equal min_len */
	bool server_only;        /* a server that receives it reports Invalid Parameter */
	bool result_only;        /* a client ignores it outside a RESULT batch */
} msg_rule;

static const msg_rule msg_rules[] = {
	{ PB_VENDOR_IETF, PB_MSG_EXPERIMENTAL, NOSKIP_ANY, 12, false, false, false },
	{ PB_VENDOR_IETF, PB_MSG_PA, NOSKIP_SET, 24, false, false, false },
	{ PB_VENDOR_IETF, PB_MSG_ASSESSMENT_RESULT, NOSKIP_SET, 16, true, true, true },
	{ PB_VENDOR_IETF, PB_MSG_ACCESS_RECOMMENDATION, NOSKIP_CLEAR, 16, true, true, true },
	{ PB_VENDOR_IETF, PB_MSG_REMEDIATION_PARAMETERS, NOSKIP_CLEAR, 20, false, true, false },
	{ PB_VENDOR_IETF, PB_MSG_ERROR, NOSKIP_SET, 20, false, false, false },
	{ PB_VENDOR_IETF, PB_MSG_LANGUAGE_PREFERENCE, NOSKIP_CLEAR, 12, false, false, false },
	{ PB_VENDOR_IETF, PB_MSG_REASON_STRING, NOSKIP_CLEAR, 17, false, true, false },
	{ PB_VENDOR_TCG, PB_TCG_MSG_PDP_REFERRAL, NOSKIP_CLEAR, 20, false, false, false },
};

static const msg_rule *find_rule(uint32_t vendor_id, uint32_t type)
{
	for (size_t i = 0; i < sizeof(msg_rules) / sizeof(msg_rules[0]); i++) {
		if (msg_rules[i].vendor_id == vendor_id && msg_rules[i].type == type)
			return &msg_rules[i];
	}
	return NULL;
}

/* ---- PB-Error constructors ---- */

static void error_init(pb_error_msg *err, uint16_t code, const char *detail)
{
	memset(err, 0, sizeof(*err));
	err->fatal = true;
	err->vendor_id = PB_VENDOR_IETF;
	err->code = code;
	err->detail = detail;
}

void pb_msg_error_invalid_parameter(pb_error_msg *err, uint32_t offset, const char *detail)
{
	error_init(err, PB_ERROR_INVALID_PARAMETER, detail);
	err->has_offset = true;
	err->offset = offset;
}

void pb_msg_error_unexpected_batch_type(pb_error_msg *err, const char *detail)
{
	error_init(err, PB_ERROR_UNEXPECTED_BATCH_TYPE, detail);
}

void pb_msg_error_local(pb_error_msg *err, const char *detail)
{
	error_init(err, PB_ERROR_LOCAL_ERROR, detail);
}

void pb_msg_error_unsupported_mandatory(pb_error_msg *err, uint32_t msg_offset, const char *detail)
{
	error_init(err, PB_ERROR_UNSUPPORTED_MANDATORY_MSG, detail);
	err->has_offset = true;
	err->offset = msg_offset;
}

void pb_msg_error_version_not_supported(pb_error_msg *err, uint8_t bad_version)
{
	error_init(err, PB_ERROR_VERSION_NOT_SUPPORTED, "PB-TNC version");
	err->bad_version = bad_version;
	err->max_version = 2;
	err->min_version = 2;
}

/* Offsets handed to the error constructors are batch offsets; batches are below 4 GiB. */
static uint32_t off32(size_t offset)
{
	return offset > UINT32_MAX ? UINT32_MAX : (uint32_t)offset;
}

static int invalid(pb_error_msg *err, size_t offset, const char *detail)
{
	pb_msg_error_invalid_parameter(err, off32(offset), detail);
	return TS_E_PROTOCOL;
}

/* ---- Value parsers. v spans the Message Value; msg_off is the header's batch offset. ---- */

/*
 * PB-PA (RFC 5793 section 4.5):
 *   12  Flags (bit 0 EXCL) | 13..15 PA Message Vendor ID
 *   16  PA Subtype (32)
 *   20  Posture Collector Identifier (16) | 22 Posture Validator Identifier (16)
 *   24  PA Message Body ...
 */
static int parse_pa(reader_t *v, pb_msg *m, pb_error_msg *err)
{
	pb_pa_msg *pa = &m->pa;
	size_t vendor_off, subtype_off;
	uint8_t flags;

	if (reader_u8(v, &flags) != TS_OK)
		return invalid(err, reader_offset(v), "PB-PA flags");
	vendor_off = reader_offset(v);
	if (reader_u24(v, &pa->vendor_id) != TS_OK)
		return invalid(err, vendor_off, "PB-PA vendor id");
	subtype_off = reader_offset(v);
	if (reader_u32(v, &pa->subtype) != TS_OK)
		return invalid(err, subtype_off, "PB-PA subtype");
	if (reader_u16(v, &pa->collector_id) != TS_OK || reader_u16(v, &pa->validator_id) != TS_OK)
		return invalid(err, reader_offset(v), "PB-PA collector or validator id");
	if (pa->vendor_id == PB_VENDOR_RESERVED)
		return invalid(err, vendor_off, "PB-PA vendor id 0xFFFFFF is reserved");
	if (pa->subtype == PB_PA_SUBTYPE_RESERVED)
		return invalid(err, subtype_off, "PB-PA subtype 0xFFFFFFFF is reserved");
	pa->excl = (flags & PB_PA_FLAG_EXCL) != 0;
	reader_rest(v, &pa->body, &pa->body_len);
	return TS_OK;
}

/*
 * PB-Assessment-Result (RFC 5793 section 4.6):
 *   12  Assessment Result (32): 0 compliant .. 4 insufficient information
 */
static int parse_assessment_result(reader_t *v, pb_msg *m, pb_error_msg *err)
{
	size_t off = reader_offset(v);

	if (reader_u32(v, &m->assessment_result) != TS_OK)
		return invalid(err, off, "PB-Assessment-Result value");
	if (m->assessment_result > PB_ASSESSMENT_DONT_KNOW)
		return invalid(err, off, "PB-Assessment-Result value is not 0..4");
	return TS_OK;
}

/*
 * PB-Access-Recommendation (RFC 5793 section 4.7):
 *   12  Reserved (16) | 14 Access Recommendation Code (16): 1 allowed, 2 denied, 3 quarantined
 */
static int parse_access_recommendation(reader_t *v, pb_msg *m, pb_error_msg *err)
{
	uint16_t reserved;
	size_t off;

	if (reader_u16(v, &reserved) != TS_OK)
		return invalid(err, reader_offset(v), "PB-Access-Recommendation reserved field");
	off = reader_offset(v);
	if (reader_u16(v, &m->access_recommendation) != TS_OK)
		return invalid(err, off, "PB-Access-Recommendation code");
	if (m->access_recommendation < PB_ACCESS_ALLOWED || m->access_recommendation > PB_ACCESS_QUARANTINED)
		return invalid(err, off, "PB-Access-Recommendation code is not 1..3");
	return TS_OK;
}

static bool has_nul(const uint8_t *p, size_t len)
{
	return len > 0 && memchr(p, 0, len) != NULL;
}

/*
 * A length-prefixed UTF-8 string and a language tag, as in PB-Reason-String
 * and the Remediation-String parameters:
 *   String Length (32) | String (no NUL) | Lang Code Len (8) | Lang Code (no NUL)
 * The whole window must be used; len_off is where trailing bytes are blamed
 * (the Message Length field).
 */
static int parse_string_lang(reader_t *v, const char *what, bool allow_empty, size_t len_off,
			     const uint8_t **text, size_t *text_len,
			     const uint8_t **lang, size_t *lang_len, pb_error_msg *err)
{
	size_t str_off = reader_offset(v);
	size_t lang_off;

	if (reader_vec32(v, text, text_len) != TS_OK)
		return invalid(err, str_off, what);
	if (!allow_empty && *text_len == 0)
		return invalid(err, str_off, what);
	if (has_nul(*text, *text_len))
		return invalid(err, str_off + 4, what);
	lang_off = reader_offset(v);
	if (reader_vec8(v, lang, lang_len) != TS_OK)
		return invalid(err, lang_off, what);
	if (has_nul(*lang, *lang_len))
		return invalid(err, lang_off + 1, what);
	if (reader_expect_end(v) != TS_OK)
		return invalid(err, len_off, what);
	return TS_OK;
}

/*
 * PB-Remediation-Parameters (RFC 5793 section 4.8):
 *   12  Reserved (8) | 13..15 Remediation Parameters Vendor ID
 *   16  Remediation Parameters Type (32)
 *   20  Remediation Parameters ...
 * IETF type 1: the URI. IETF type 2: a string and language tag (4.8.1).
 */
static int parse_remediation(reader_t *v, size_t msg_off, pb_msg *m, pb_error_msg *err)
{
	pb_remediation_msg *rem = &m->remediation;
	uint8_t reserved;

	if (reader_u8(v, &reserved) != TS_OK || reader_u24(v, &rem->vendor_id) != TS_OK ||
	    reader_u32(v, &rem->type) != TS_OK)
		return invalid(err, reader_offset(v), "PB-Remediation-Parameters header");
	rem->text = rem->lang = NULL;
	rem->text_len = rem->lang_len = 0;

	if (rem->vendor_id == PB_VENDOR_IETF && rem->type == PB_REMEDIATION_STRING) {
		reader_t params = *v;

		rem->params = reader_current(v);
		rem->params_len = reader_remaining(v);
		return parse_string_lang(&params, "PB-Remediation-Parameters string", true, msg_off + 8,
					 &rem->text, &rem->text_len, &rem->lang, &rem->lang_len, err);
	}
	if (rem->vendor_id == PB_VENDOR_IETF && rem->type == PB_REMEDIATION_URI &&
	    reader_remaining(v) == 0)
		return invalid(err, msg_off + 8, "PB-Remediation-Parameters URI is empty");
	reader_rest(v, &rem->params, &rem->params_len);
	return TS_OK;
}

/*
 * PB-Error (RFC 5793 section 4.9):
 *   12  Flags (bit 0 FATAL) | 13..15 Error Code Vendor ID
 *   16  Error Code (16) | 18 Reserved (16)
 *   20  Error Parameters ...
 * IETF parameters: an Offset (32) for codes 1 and 3, and Bad, Max and Min
 * Version and a reserved octet for code 4. Codes 0 and 2 have none, but
 * strongSwan 6.0.6 appends an Offset to them too, which is accepted.
 */
static int parse_error(reader_t *v, size_t msg_off, pb_msg *m, pb_error_msg *err)
{
	pb_error_msg *e = &m->error;
	uint8_t flags, reserved8;
	uint16_t reserved16;
	size_t plen;

	memset(e, 0, sizeof(*e));
	if (reader_u8(v, &flags) != TS_OK || reader_u24(v, &e->vendor_id) != TS_OK ||
	    reader_u16(v, &e->code) != TS_OK || reader_u16(v, &reserved16) != TS_OK)
		return invalid(err, reader_offset(v), "PB-Error header");
	e->fatal = (flags & PB_ERROR_FLAG_FATAL) != 0;
	e->params = reader_current(v);
	e->params_len = plen = reader_remaining(v);
	if (e->vendor_id != PB_VENDOR_IETF)
		return reader_skip(v, plen);

	switch (e->code) {
	case PB_ERROR_INVALID_PARAMETER:
	case PB_ERROR_UNSUPPORTED_MANDATORY_MSG:
		if (plen != 4 || reader_u32(v, &e->offset) != TS_OK)
			return invalid(err, msg_off + 8, "PB-Error offset parameter needs 4 octets");
		e->has_offset = true;
		return TS_OK;
	case PB_ERROR_UNEXPECTED_BATCH_TYPE:
	case PB_ERROR_LOCAL_ERROR:
		if (plen == 0)
			return TS_OK;
		if (plen != 4 || reader_u32(v, &e->offset) != TS_OK)
			return invalid(err, msg_off + 8, "PB-Error parameters of this code are empty");
		e->has_offset = true;
		return TS_OK;
	case PB_ERROR_VERSION_NOT_SUPPORTED:
		if (plen != 4 || reader_u8(v, &e->bad_version) != TS_OK ||
		    reader_u8(v, &e->max_version) != TS_OK || reader_u8(v, &e->min_version) != TS_OK ||
		    reader_u8(v, &reserved8) != TS_OK)
			return invalid(err, msg_off + 8, "PB-Error version parameters need 4 octets");
		return TS_OK;
	default:
		/* An unknown IETF code: kept raw for the log. */
		return reader_skip(v, plen);
	}
}

/* PB-Language-Preference (RFC 5793 section 4.10): 12 Accept-Language header ... */
static int parse_language_preference(reader_t *v, pb_error_msg *err)
{
	pb_lang_pref pref;
	size_t err_off = 0;
	const uint8_t *value;
	size_t len;
	size_t off = reader_offset(v);

	reader_rest(v, &value, &len);
	if (pb_lang_parse(value, len, &pref, &err_off) != TS_OK)
		return invalid(err, off + err_off, "PB-Language-Preference value");
	return TS_OK;
}

/*
 * PB-Reason-String (RFC 5793 section 4.11):
 *   12  Reason String Length (32, not 0)
 *   16  Reason String (UTF-8, no NUL)
 *   ..  Lang Code Len (8) | Reason String Language Code
 * Message Length must be 17 + both lengths.
 */
static int parse_reason(reader_t *v, size_t msg_off, pb_msg *m, pb_error_msg *err)
{
	pb_reason_msg *rs = &m->reason;

	return parse_string_lang(v, "PB-Reason-String", false, msg_off + 8,
				 &rs->text, &rs->text_len, &rs->lang, &rs->lang_len, err);
}

/*
 * PB-PDP-Referral (TCG vendor 0x005597, type 1):
 *   12  Reserved (8) | 13..15 PDP Identifier Vendor ID
 *   16  PDP Identifier Type (32): 0 FQDN, 1 IPv4, 2 IPv6 for vendor 0x005597
 *   20  PDP Identifier ...
 * Identifier for the TCG types:
 *   20  Reserved (8) | 21 Protocol (8, 0 = PT-TLS) | 22 Port (16)
 *   24  FQDN octets (no NUL) | IPv4 address (4) | IPv6 address (16)
 */
static int parse_pdp_referral(reader_t *v, pb_msg *m, pb_error_msg *err)
{
	pb_pdp_referral_msg *pdp = &m->pdp_referral;
	reader_t id;
	uint8_t reserved;
	size_t id_off, addr_off, want;

	memset(pdp, 0, sizeof(*pdp));
	if (reader_u8(v, &reserved) != TS_OK || reader_u24(v, &pdp->id_vendor) != TS_OK ||
	    reader_u32(v, &pdp->id_type) != TS_OK)
		return invalid(err, reader_offset(v), "PB-PDP-Referral header");
	id_off = reader_offset(v);
	id = *v;
	reader_rest(v, &pdp->id, &pdp->id_len);
	if (pdp->id_vendor != PB_VENDOR_TCG || pdp->id_type > PB_PDP_ID_IPV6)
		return TS_OK;

	if (reader_u8(&id, &reserved) != TS_OK || reader_u8(&id, &pdp->protocol) != TS_OK ||
	    reader_u16(&id, &pdp->port) != TS_OK)
		return invalid(err, id_off, "PB-PDP-Referral identifier is shorter than 4 octets");
	addr_off = reader_offset(&id);
	if (pdp->id_type == PB_PDP_ID_FQDN) {
		reader_rest(&id, &pdp->fqdn, &pdp->fqdn_len);
		if (pdp->fqdn_len == 0 || has_nul(pdp->fqdn, pdp->fqdn_len))
			return invalid(err, addr_off, "PB-PDP-Referral FQDN is empty or contains NUL");
		return TS_OK;
	}
	want = pdp->id_type == PB_PDP_ID_IPV4 ? 4 : 16;
	if (reader_remaining(&id) != want || reader_copy(&id, pdp->addr, want) != TS_OK)
		return invalid(err, addr_off, "PB-PDP-Referral address length");
	return TS_OK;
}

static int parse_value(reader_t *v, size_t msg_off, pb_msg *m, pb_error_msg *err)
{
	if (m->vendor_id == PB_VENDOR_TCG)
		return parse_pdp_referral(v, m, err);

	switch (m->type) {
	case PB_MSG_PA:
		return parse_pa(v, m, err);
	case PB_MSG_ASSESSMENT_RESULT:
		return parse_assessment_result(v, m, err);
	case PB_MSG_ACCESS_RECOMMENDATION:
		return parse_access_recommendation(v, m, err);
	case PB_MSG_REMEDIATION_PARAMETERS:
		return parse_remediation(v, msg_off, m, err);
	case PB_MSG_ERROR:
		return parse_error(v, msg_off, m, err);
	case PB_MSG_LANGUAGE_PREFERENCE:
		return parse_language_preference(v, err);
	case PB_MSG_REASON_STRING:
		return parse_reason(v, msg_off, m, err);
	}
	return TS_OK;
}

/* Checks the rules of a known type that do not depend on the value. */
static int check_rule(const msg_rule *rule, const pb_msg *m, uint32_t len, pb_role receiver,
		      pb_error_msg *err)
{
	bool noskip = (m->flags & PB_MSG_FLAG_NOSKIP) != 0;

	if ((rule->noskip == NOSKIP_SET && !noskip) || (rule->noskip == NOSKIP_CLEAR && noskip))
		return invalid(err, m->offset, rule->noskip == NOSKIP_SET ?
			       "NOSKIP flag must be set for this message type" :
			       "NOSKIP flag must be clear for this message type");
	if (len < rule->min_len || (rule->exact_len && len != rule->min_len))
		return invalid(err, (size_t)m->offset + 8, "message length invalid for this message type");
	if (rule->server_only && receiver == PB_ROLE_SERVER)
		return invalid(err, (size_t)m->offset + 4, "message type only a PB-TNC server may send");
	return TS_OK;
}

int pb_msg_parse(reader_t *r, pb_role receiver, pb_batch_type batch_type,
		 pb_msg *out, pb_msg_verdict *verdict, pb_error_msg *err)
{
	reader_t cur = *r;
	reader_t value;
	pb_msg m;
	const msg_rule *rule;
	size_t msg_off = reader_offset(&cur);
	uint32_t len;
	int rc;

	memset(&m, 0, sizeof(m));
	m.offset = off32(msg_off);

	/* Header: flags, vendor, type, length. */
	if (reader_remaining(&cur) < PB_MSG_HEADER_LEN)
		return invalid(err, msg_off, "message header is truncated");
	if (reader_u8(&cur, &m.flags) != TS_OK || reader_u24(&cur, &m.vendor_id) != TS_OK ||
	    reader_u32(&cur, &m.type) != TS_OK || reader_u32(&cur, &len) != TS_OK)
		return invalid(err, msg_off, "message header is truncated");
	if (len < PB_MSG_HEADER_LEN)
		return invalid(err, msg_off + 8, "message length is below 12");
	if (reader_sub(&cur, len - PB_MSG_HEADER_LEN, &value) != TS_OK)
		return invalid(err, msg_off + 8, "message length exceeds the batch");
	if (m.vendor_id == PB_VENDOR_RESERVED)
		return invalid(err, msg_off + 1, "message vendor id 0xFFFFFF is reserved");
	if (m.type == PB_MSG_TYPE_RESERVED)
		return invalid(err, msg_off + 4, "message type 0xFFFFFFFF is reserved");
	m.value = reader_current(&value);
	m.value_len = reader_remaining(&value);

	/* Unknown and experimental types: skipped, or a batch-wide failure under NOSKIP. */
	rule = find_rule(m.vendor_id, m.type);
	if (rule == NULL || (m.vendor_id == PB_VENDOR_IETF && m.type == PB_MSG_EXPERIMENTAL)) {
		if (m.flags & PB_MSG_FLAG_NOSKIP) {
			pb_msg_error_unsupported_mandatory(err, m.offset,
							   "unsupported message type with NOSKIP");
			return TS_E_PROTOCOL;
		}
		*verdict = PB_MSG_SKIP;
		goto done;
	}

	rc = check_rule(rule, &m, len, receiver, err);
	if (rc != TS_OK)
		return rc;
	rc = parse_value(&value, msg_off, &m, err);
	if (rc != TS_OK)
		return rc;

	/* A client ignores results outside RESULT (RFC 5793 sections 4.6 and 4.7). */
	*verdict = rule->result_only && batch_type != PB_BATCH_RESULT ? PB_MSG_SKIP : PB_MSG_ACCEPT;

done:
	*r = cur;
	*out = m;
	return TS_OK;
}

/* ---- Writing ---- */

static bool valid_lang(const char *lang, size_t len)
{
	return len <= 255 && !has_nul((const uint8_t *)lang, len);
}

/* Encoded Message Value length of msg, or TS_E_INVALID for values the RFC forbids to send. */
static int value_len(const pb_msg *m, uint64_t *out)
{
	if (m->vendor_id > 0xFFFFFF || m->vendor_id == PB_VENDOR_RESERVED || m->type == PB_MSG_TYPE_RESERVED)
		return TS_E_INVALID;

	if (m->vendor_id == PB_VENDOR_TCG && m->type == PB_TCG_MSG_PDP_REFERRAL) {
		const pb_pdp_referral_msg *pdp = &m->pdp_referral;

		if (pdp->id_vendor != PB_VENDOR_TCG || pdp->id_type > PB_PDP_ID_IPV6) {
			if (pdp->id_vendor > 0xFFFFFF)
				return TS_E_INVALID;
			*out = 8 + (uint64_t)pdp->id_len;
			return TS_OK;
		}
		if (pdp->id_type == PB_PDP_ID_FQDN) {
			if (pdp->fqdn_len == 0 || has_nul(pdp->fqdn, pdp->fqdn_len))
				return TS_E_INVALID;
			*out = 12 + (uint64_t)pdp->fqdn_len;
		} else {
			*out = 12 + (pdp->id_type == PB_PDP_ID_IPV4 ? 4 : 16);
		}
		return TS_OK;
	}
	if (m->vendor_id != PB_VENDOR_IETF || m->type > PB_MSG_REASON_STRING || m->type == PB_MSG_EXPERIMENTAL) {
		*out = m->value_len;
		return TS_OK;
	}

	switch (m->type) {
	case PB_MSG_PA:
		if (m->pa.vendor_id >= PB_VENDOR_RESERVED || m->pa.subtype == PB_PA_SUBTYPE_RESERVED)
			return TS_E_INVALID;
		*out = 12 + (uint64_t)m->pa.body_len;
		return TS_OK;
	case PB_MSG_ASSESSMENT_RESULT:
		if (m->assessment_result > PB_ASSESSMENT_DONT_KNOW)
			return TS_E_INVALID;
		*out = 4;
		return TS_OK;
	case PB_MSG_ACCESS_RECOMMENDATION:
		if (m->access_recommendation < PB_ACCESS_ALLOWED || m->access_recommendation > PB_ACCESS_QUARANTINED)
			return TS_E_INVALID;
		*out = 4;
		return TS_OK;
	case PB_MSG_REMEDIATION_PARAMETERS: {
		const pb_remediation_msg *rem = &m->remediation;

		if (rem->vendor_id > 0xFFFFFF)
			return TS_E_INVALID;
		if (rem->vendor_id == PB_VENDOR_IETF && rem->type == PB_REMEDIATION_STRING) {
			if (has_nul(rem->text, rem->text_len) || rem->text_len > UINT32_MAX ||
			    !valid_lang((const char *)rem->lang, rem->lang_len))
				return TS_E_INVALID;
			*out = 8 + 4 + (uint64_t)rem->text_len + 1 + rem->lang_len;
			return TS_OK;
		}
		if (rem->vendor_id == PB_VENDOR_IETF && rem->type == PB_REMEDIATION_URI && rem->params_len == 0)
			return TS_E_INVALID;
		*out = 8 + (uint64_t)rem->params_len;
		return TS_OK;
	}
	case PB_MSG_ERROR: {
		const pb_error_msg *e = &m->error;

		if (e->vendor_id > 0xFFFFFF)
			return TS_E_INVALID;
		if (e->vendor_id != PB_VENDOR_IETF) {
			*out = 8 + (uint64_t)e->params_len;
			return TS_OK;
		}
		switch (e->code) {
		case PB_ERROR_INVALID_PARAMETER:
		case PB_ERROR_UNSUPPORTED_MANDATORY_MSG:
		case PB_ERROR_VERSION_NOT_SUPPORTED:
			*out = 12;
			return TS_OK;
		case PB_ERROR_UNEXPECTED_BATCH_TYPE:
		case PB_ERROR_LOCAL_ERROR:
			*out = 8;
			return TS_OK;
		}
		*out = 8 + (uint64_t)e->params_len;
		return TS_OK;
	}
	case PB_MSG_LANGUAGE_PREFERENCE:
		*out = m->value_len;
		return TS_OK;
	case PB_MSG_REASON_STRING: {
		const pb_reason_msg *rs = &m->reason;

		if (rs->text_len == 0 || rs->text_len > UINT32_MAX || has_nul(rs->text, rs->text_len) ||
		    !valid_lang((const char *)rs->lang, rs->lang_len))
			return TS_E_INVALID;
		*out = 4 + (uint64_t)rs->text_len + 1 + rs->lang_len;
		return TS_OK;
	}
	}
	return TS_E_INVALID;
}

/* The flags octet to send: the NOSKIP rule of known types, else the caller's flags. */
static uint8_t send_flags(const pb_msg *m)
{
	const msg_rule *rule = find_rule(m->vendor_id, m->type);

	if (rule == NULL || rule->noskip == NOSKIP_ANY)
		return m->flags;
	return rule->noskip == NOSKIP_SET ? PB_MSG_FLAG_NOSKIP : 0;
}

static void write_value(writer_t *w, const pb_msg *m)
{
	if (m->vendor_id == PB_VENDOR_TCG && m->type == PB_TCG_MSG_PDP_REFERRAL) {
		const pb_pdp_referral_msg *pdp = &m->pdp_referral;

		writer_u8(w, 0);
		writer_u24(w, pdp->id_vendor);
		writer_u32(w, pdp->id_type);
		if (pdp->id_vendor != PB_VENDOR_TCG || pdp->id_type > PB_PDP_ID_IPV6) {
			writer_bytes(w, pdp->id, pdp->id_len);
			return;
		}
		writer_u8(w, 0);
		writer_u8(w, pdp->protocol);
		writer_u16(w, pdp->port);
		if (pdp->id_type == PB_PDP_ID_FQDN)
			writer_bytes(w, pdp->fqdn, pdp->fqdn_len);
		else
			writer_bytes(w, pdp->addr, pdp->id_type == PB_PDP_ID_IPV4 ? 4 : 16);
		return;
	}
	if (m->vendor_id != PB_VENDOR_IETF || m->type == PB_MSG_EXPERIMENTAL ||
	    m->type == PB_MSG_LANGUAGE_PREFERENCE || m->type > PB_MSG_REASON_STRING) {
		writer_bytes(w, m->value, m->value_len);
		return;
	}

	switch (m->type) {
	case PB_MSG_PA:
		writer_u8(w, m->pa.excl ? PB_PA_FLAG_EXCL : 0);
		writer_u24(w, m->pa.vendor_id);
		writer_u32(w, m->pa.subtype);
		writer_u16(w, m->pa.collector_id);
		writer_u16(w, m->pa.validator_id);
		writer_bytes(w, m->pa.body, m->pa.body_len);
		break;
	case PB_MSG_ASSESSMENT_RESULT:
		writer_u32(w, m->assessment_result);
		break;
	case PB_MSG_ACCESS_RECOMMENDATION:
		writer_u16(w, 0);
		writer_u16(w, m->access_recommendation);
		break;
	case PB_MSG_REMEDIATION_PARAMETERS:
		writer_u8(w, 0);
		writer_u24(w, m->remediation.vendor_id);
		writer_u32(w, m->remediation.type);
		if (m->remediation.vendor_id == PB_VENDOR_IETF && m->remediation.type == PB_REMEDIATION_STRING) {
			writer_vec32(w, m->remediation.text, m->remediation.text_len);
			writer_vec8(w, m->remediation.lang, m->remediation.lang_len);
		} else {
			writer_bytes(w, m->remediation.params, m->remediation.params_len);
		}
		break;
	case PB_MSG_ERROR: {
		const pb_error_msg *e = &m->error;

		writer_u8(w, e->fatal ? PB_ERROR_FLAG_FATAL : 0);
		writer_u24(w, e->vendor_id);
		writer_u16(w, e->code);
		writer_u16(w, 0);
		if (e->vendor_id != PB_VENDOR_IETF) {
			writer_bytes(w, e->params, e->params_len);
			break;
		}
		switch (e->code) {
		case PB_ERROR_INVALID_PARAMETER:
		case PB_ERROR_UNSUPPORTED_MANDATORY_MSG:
			writer_u32(w, e->offset);
			break;
		case PB_ERROR_VERSION_NOT_SUPPORTED:
			writer_u8(w, e->bad_version);
			writer_u8(w, e->max_version);
			writer_u8(w, e->min_version);
			writer_u8(w, 0);
			break;
		case PB_ERROR_UNEXPECTED_BATCH_TYPE:
		case PB_ERROR_LOCAL_ERROR:
			break;
		default:
			writer_bytes(w, e->params, e->params_len);
			break;
		}
		break;
	}
	case PB_MSG_REASON_STRING:
		writer_vec32(w, m->reason.text, m->reason.text_len);
		writer_vec8(w, m->reason.lang, m->reason.lang_len);
		break;
	}
}

int pb_msg_write(writer_t *w, const pb_msg *msg)
{
	uint64_t vlen;
	int rc = value_len(msg, &vlen);

	if (rc != TS_OK)
		return rc;
	if (vlen > UINT32_MAX - PB_MSG_HEADER_LEN)
		return TS_E_TOO_LARGE;

	writer_u8(w, send_flags(msg));
	writer_u24(w, msg->vendor_id);
	writer_u32(w, msg->type);
	writer_u32(w, (uint32_t)(vlen + PB_MSG_HEADER_LEN));
	write_value(w, msg);
	return writer_status(w);
}

/* ---- Constructors ---- */

static void init_ietf(pb_msg *msg, uint32_t type)
{
	memset(msg, 0, sizeof(*msg));
	msg->vendor_id = PB_VENDOR_IETF;
	msg->type = type;
}

void pb_msg_init_experimental(pb_msg *msg, bool noskip, const uint8_t *value, size_t len)
{
	init_ietf(msg, PB_MSG_EXPERIMENTAL);
	msg->flags = noskip ? PB_MSG_FLAG_NOSKIP : 0;
	msg->value = value;
	msg->value_len = len;
}

void pb_msg_init_pa(pb_msg *msg, bool excl, uint32_t vendor_id, uint32_t subtype,
		    uint16_t collector_id, uint16_t validator_id, const uint8_t *body, size_t body_len)
{
	init_ietf(msg, PB_MSG_PA);
	msg->pa.excl = excl;
	msg->pa.vendor_id = vendor_id;
	msg->pa.subtype = subtype;
	msg->pa.collector_id = collector_id;
	msg->pa.validator_id = validator_id;
	msg->pa.body = body;
	msg->pa.body_len = body_len;
}

void pb_msg_init_assessment_result(pb_msg *msg, uint32_t result)
{
	init_ietf(msg, PB_MSG_ASSESSMENT_RESULT);
	msg->assessment_result = result;
}

void pb_msg_init_access_recommendation(pb_msg *msg, uint16_t code)
{
	init_ietf(msg, PB_MSG_ACCESS_RECOMMENDATION);
	msg->access_recommendation = code;
}

void pb_msg_init_remediation_uri(pb_msg *msg, const char *uri, size_t len)
{
	init_ietf(msg, PB_MSG_REMEDIATION_PARAMETERS);
	msg->remediation.vendor_id = PB_VENDOR_IETF;
	msg->remediation.type = PB_REMEDIATION_URI;
	msg->remediation.params = (const uint8_t *)uri;
	msg->remediation.params_len = len;
}

void pb_msg_init_remediation_string(pb_msg *msg, const char *text, size_t text_len,
				    const char *lang, size_t lang_len)
{
	init_ietf(msg, PB_MSG_REMEDIATION_PARAMETERS);
	msg->remediation.vendor_id = PB_VENDOR_IETF;
	msg->remediation.type = PB_REMEDIATION_STRING;
	msg->remediation.text = (const uint8_t *)text;
	msg->remediation.text_len = text_len;
	msg->remediation.lang = (const uint8_t *)lang;
	msg->remediation.lang_len = lang_len;
}

void pb_msg_init_error(pb_msg *msg, const pb_error_msg *error)
{
	init_ietf(msg, PB_MSG_ERROR);
	msg->error = *error;
}

void pb_msg_init_language_preference(pb_msg *msg, const char *value, size_t len)
{
	init_ietf(msg, PB_MSG_LANGUAGE_PREFERENCE);
	msg->value = (const uint8_t *)value;
	msg->value_len = len;
}

void pb_msg_init_reason_string(pb_msg *msg, const char *text, size_t text_len,
			       const char *lang, size_t lang_len)
{
	init_ietf(msg, PB_MSG_REASON_STRING);
	msg->reason.text = (const uint8_t *)text;
	msg->reason.text_len = text_len;
	msg->reason.lang = (const uint8_t *)lang;
	msg->reason.lang_len = lang_len;
}

static void init_pdp(pb_msg *msg, uint32_t id_type, uint8_t protocol, uint16_t port)
{
	memset(msg, 0, sizeof(*msg));
	msg->vendor_id = PB_VENDOR_TCG;
	msg->type = PB_TCG_MSG_PDP_REFERRAL;
	msg->pdp_referral.id_vendor = PB_VENDOR_TCG;
	msg->pdp_referral.id_type = id_type;
	msg->pdp_referral.protocol = protocol;
	msg->pdp_referral.port = port;
}

void pb_msg_init_pdp_referral_fqdn(pb_msg *msg, uint8_t protocol, uint16_t port,
				   const char *fqdn, size_t fqdn_len)
{
	init_pdp(msg, PB_PDP_ID_FQDN, protocol, port);
	msg->pdp_referral.fqdn = (const uint8_t *)fqdn;
	msg->pdp_referral.fqdn_len = fqdn_len;
}

void pb_msg_init_pdp_referral_ipv4(pb_msg *msg, uint8_t protocol, uint16_t port, const uint8_t addr[4])
{
	init_pdp(msg, PB_PDP_ID_IPV4, protocol, port);
	memcpy(msg->pdp_referral.addr, addr, 4);
}

void pb_msg_init_pdp_referral_ipv6(pb_msg *msg, uint8_t protocol, uint16_t port, const uint8_t addr[16])
{
	init_pdp(msg, PB_PDP_ID_IPV6, protocol, port);
	memcpy(msg->pdp_referral.addr, addr, 16);
}

/* ---- Names ---- */

const char *pb_msg_type_name(uint32_t vendor_id, uint32_t type)
{
	static const char *const ietf[] = {
		"PB-Experimental", "PB-PA", "PB-Assessment-Result", "PB-Access-Recommendation",
		"PB-Remediation-Parameters", "PB-Error", "PB-Language-Preference", "PB-Reason-String",
	};

	if (vendor_id == PB_VENDOR_IETF && type < sizeof(ietf) / sizeof(ietf[0]))
		return ietf[type];
	if (vendor_id == PB_VENDOR_TCG && type == PB_TCG_MSG_PDP_REFERRAL)
		return "PB-PDP-Referral";
	return "unknown";
}

const char *pb_error_code_name(uint32_t vendor_id, uint16_t code)
{
	static const char *const ietf[] = {
		"Unexpected Batch Type", "Invalid Parameter", "Local Error",
		"Unsupported Mandatory Message", "Version Not Supported",
	};

	if (vendor_id == PB_VENDOR_IETF && code < sizeof(ietf) / sizeof(ietf[0]))
		return ietf[code];
	return "unknown";
}
