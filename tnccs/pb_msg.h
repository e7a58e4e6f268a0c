/*
 * PB-TNC messages (RFC 5793 sections 4.2 to 4.11) and the TCG PB-PDP-Referral.
 *
 * Every message starts with a 12-octet header:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |N|  Reserved   |            PB-TNC Vendor ID                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      PB-TNC Message Type                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          PB-TNC Message Length (header included)              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Message Value (Length - 12 octets) ...          |
 *
 * N is the NOSKIP flag. A parsed pb_msg points into the batch it came from,
 * so the received bytes must outlive it. A pb_msg to send points at the
 * caller's bytes until pb_msg_write() has copied them.
 *
 * Received violations are reported as a pb_error_msg: the PB-Error to send
 * back, with its IETF code and, for Invalid Parameter, the offset of the
 * invalid field counted from the first octet of the batch.
 */
#ifndef PB_MSG_H
#define PB_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pb_state.h"
#include "reader.h"
#include "ts_error.h"
#include "writer.h"

#define PB_MSG_HEADER_LEN 12
#define PB_MSG_FLAG_NOSKIP 0x80

/* SMI Private Enterprise Numbers used as vendor ids. */
#define PB_VENDOR_IETF 0x000000
#define PB_VENDOR_TCG 0x005597
#define PB_VENDOR_RESERVED 0xFFFFFF   /* never valid in a vendor id field */
#define PB_MSG_TYPE_RESERVED 0xFFFFFFFFu
#define PB_PA_SUBTYPE_RESERVED 0xFFFFFFFFu

/* IETF PB-TNC message types (vendor 0). */
typedef enum pb_msg_type {
	PB_MSG_EXPERIMENTAL = 0,
	PB_MSG_PA = 1,
	PB_MSG_ASSESSMENT_RESULT = 2,
	PB_MSG_ACCESS_RECOMMENDATION = 3,
	PB_MSG_REMEDIATION_PARAMETERS = 4,
	PB_MSG_ERROR = 5,
	PB_MSG_LANGUAGE_PREFERENCE = 6,
	PB_MSG_REASON_STRING = 7,
} pb_msg_type;

/* TCG PB-TNC message types (vendor PB_VENDOR_TCG). */
#define PB_TCG_MSG_PDP_REFERRAL 1

/* PB-PA flags and the "any collector / validator" id. */
#define PB_PA_FLAG_EXCL 0x80
#define PB_PA_ID_ANY 0xFFFF

/* PB-Assessment-Result values (equal to TNC_IMV_EVALUATION_RESULT_*). */
enum {
	PB_ASSESSMENT_COMPLIANT = 0,
	PB_ASSESSMENT_NONCOMPLIANT_MINOR = 1,
	PB_ASSESSMENT_NONCOMPLIANT_MAJOR = 2,
	PB_ASSESSMENT_ERROR = 3,
	PB_ASSESSMENT_DONT_KNOW = 4,
};

/* PB-Access-Recommendation codes. */
enum {
	PB_ACCESS_ALLOWED = 1,
	PB_ACCESS_DENIED = 2,
	PB_ACCESS_QUARANTINED = 3,
};

/* IETF PB-Remediation-Parameters types. */
enum {
	PB_REMEDIATION_URI = 1,
	PB_REMEDIATION_STRING = 2,
};

/* PB-Error flags and IETF error codes (RFC 5793 section 4.9.1). */
#define PB_ERROR_FLAG_FATAL 0x80
enum {
	PB_ERROR_UNEXPECTED_BATCH_TYPE = 0,
	PB_ERROR_INVALID_PARAMETER = 1,
	PB_ERROR_LOCAL_ERROR = 2,
	PB_ERROR_UNSUPPORTED_MANDATORY_MSG = 3,
	PB_ERROR_VERSION_NOT_SUPPORTED = 4,
};

/* PB-PDP-Referral identifier types (vendor PB_VENDOR_TCG). */
enum {
	PB_PDP_ID_FQDN = 0,
	PB_PDP_ID_IPV4 = 1,
	PB_PDP_ID_IPV6 = 2,
};

/* PB-PA (type 1): a PA-TNC message and its addressing. */
typedef struct pb_pa_msg {
	bool excl;               /* deliver only to the named collector or validator */
	uint32_t vendor_id;      /* PA Message Vendor ID (24 bits) */
	uint32_t subtype;        /* PA Subtype */
	uint16_t collector_id;   /* Posture Collector Identifier (IMC id), PB_PA_ID_ANY for none */
	uint16_t validator_id;   /* Posture Validator Identifier (IMV id), PB_PA_ID_ANY for none */
	const uint8_t *body;     /* PA message body (a PA-TNC message) */
	size_t body_len;
} pb_pa_msg;

/*
 * PB-Remediation-Parameters (type 4). For IETF type 1 (URI), `params` is the
 * URI. For IETF type 2 (string), `text` and `lang` are set and `params` spans
 * the whole encoded parameters. Other vendors or types keep only `params`.
 */
typedef struct pb_remediation_msg {
	uint32_t vendor_id;
	uint32_t type;
	const uint8_t *params;
	size_t params_len;
	const uint8_t *text;     /* UTF-8, no NUL */
	size_t text_len;
	const uint8_t *lang;     /* RFC 4646 language tag, may be empty */
	size_t lang_len;
} pb_remediation_msg;

/*
 * PB-Error (type 5), also used to report a violation found in a received
 * batch. `offset` is valid when has_offset is set: for IETF codes 1 and 3, and
 * for the extra offset strongSwan appends to codes 0 and 2. The version fields
 * are valid when code is PB_ERROR_VERSION_NOT_SUPPORTED. `params` spans the
 * raw Error Parameters of a parsed message.
 */
typedef struct pb_error_msg {
	bool fatal;
	uint32_t vendor_id;      /* Error Code Vendor ID, 0 for IETF */
	uint16_t code;
	bool has_offset;
	uint32_t offset;
	uint8_t bad_version;
	uint8_t max_version;
	uint8_t min_version;
	const uint8_t *params;
	size_t params_len;
	const char *detail;      /* locally found errors: the invalid field, for logs; else NULL */
} pb_error_msg;

/* PB-Reason-String (type 7). */
typedef struct pb_reason_msg {
	const uint8_t *text;     /* UTF-8, not empty, no NUL */
	size_t text_len;
	const uint8_t *lang;     /* RFC 4646 language tag, may be empty */
	size_t lang_len;
} pb_reason_msg;

/*
 * TCG PB-PDP-Referral. For identifier vendor PB_VENDOR_TCG and types FQDN,
 * IPv4 and IPv6, protocol, port and fqdn or addr are decoded; `id` always
 * spans the raw PDP Identifier.
 */
typedef struct pb_pdp_referral_msg {
	uint32_t id_vendor;
	uint32_t id_type;
	const uint8_t *id;
	size_t id_len;
	uint8_t protocol;        /* 0 is the only protocol defined (PT-TLS) */
	uint16_t port;
	const uint8_t *fqdn;     /* FQDN type: the name, no NUL */
	size_t fqdn_len;
	uint8_t addr[16];        /* IPv4 (first 4 octets) or IPv6 address */
} pb_pdp_referral_msg;

/* One PB-TNC message. Which union member is valid depends on vendor_id and type. */
typedef struct pb_msg {
	uint8_t flags;           /* PB_MSG_FLAG_NOSKIP and the reserved bits as received */
	uint32_t vendor_id;      /* PB-TNC Vendor ID (24 bits) */
	uint32_t type;           /* PB-TNC Message Type, scoped by vendor_id */
	uint32_t offset;         /* received: offset of the header within the batch */
	const uint8_t *value;    /* received: the Message Value; sent: experimental and unknown types */
	size_t value_len;
	union {
		pb_pa_msg pa;                         /* IETF PB_MSG_PA */
		uint32_t assessment_result;           /* IETF PB_MSG_ASSESSMENT_RESULT */
		uint16_t access_recommendation;       /* IETF PB_MSG_ACCESS_RECOMMENDATION */
		pb_remediation_msg remediation;       /* IETF PB_MSG_REMEDIATION_PARAMETERS */
		pb_error_msg error;                   /* IETF PB_MSG_ERROR */
		pb_reason_msg reason;                 /* IETF PB_MSG_REASON_STRING */
		pb_pdp_referral_msg pdp_referral;     /* TCG PB_TCG_MSG_PDP_REFERRAL */
	};
	/* IETF PB_MSG_LANGUAGE_PREFERENCE: the Accept-Language header is `value` (see pb_lang.h). */
} pb_msg;

/* What pb_msg_parse() did with a message. */
typedef enum pb_msg_verdict {
	PB_MSG_ACCEPT,   /* a message the session acts on */
	PB_MSG_SKIP,     /* unknown or experimental type without NOSKIP, or one the receiver ignores */
} pb_msg_verdict;

/*
 * Parses the message at the cursor of r, a reader over the whole batch (so
 * offsets are batch offsets), as received by `receiver` in a batch of
 * `batch_type`. Checks the header, the NOSKIP rule, the length and value rules
 * of the type and who may send it. On TS_OK the cursor is past the message and
 * *verdict is whether to act on it. On TS_E_PROTOCOL *err contains the fatal
 * PB-Error to send, and the cursor and *out are unchanged.
 */
TS_MUST_CHECK int pb_msg_parse(reader_t *r, pb_role receiver, pb_batch_type batch_type,
			       pb_msg *out, pb_msg_verdict *verdict, pb_error_msg *err);

/*
 * Appends msg to w: header, then the value encoded from the union member of
 * its type (or msg->value for experimental and unknown types). NOSKIP is set
 * as RFC 5793 requires for IETF and TCG types and taken from msg->flags for
 * others. Returns TS_E_INVALID, with w unchanged, for a value the RFC forbids
 * to send: the reserved message vendor or type, a reserved PA vendor or
 * subtype, an unknown assessment result or access recommendation, an empty
 * or NUL-containing reason string, a language tag over 255 octets, or a vendor
 * id over 24 bits. Otherwise returns the writer's status.
 */
TS_MUST_CHECK int pb_msg_write(writer_t *w, const pb_msg *msg);

/*
 * Message constructors for sending. They fill *msg completely and keep
 * pointers to the caller's bytes.
 */
void pb_msg_init_experimental(pb_msg *msg, bool noskip, const uint8_t *value, size_t len);
void pb_msg_init_pa(pb_msg *msg, bool excl, uint32_t vendor_id, uint32_t subtype,
		    uint16_t collector_id, uint16_t validator_id, const uint8_t *body, size_t body_len);
void pb_msg_init_assessment_result(pb_msg *msg, uint32_t result);
void pb_msg_init_access_recommendation(pb_msg *msg, uint16_t code);
void pb_msg_init_remediation_uri(pb_msg *msg, const char *uri, size_t len);
void pb_msg_init_remediation_string(pb_msg *msg, const char *text, size_t text_len,
				    const char *lang, size_t lang_len);
void pb_msg_init_error(pb_msg *msg, const pb_error_msg *error);
/* value is the whole header, e.g. "Accept-Language: en"; len 0 withdraws a preference. */
void pb_msg_init_language_preference(pb_msg *msg, const char *value, size_t len);
void pb_msg_init_reason_string(pb_msg *msg, const char *text, size_t text_len,
			       const char *lang, size_t lang_len);
void pb_msg_init_pdp_referral_fqdn(pb_msg *msg, uint8_t protocol, uint16_t port,
				   const char *fqdn, size_t fqdn_len);
void pb_msg_init_pdp_referral_ipv4(pb_msg *msg, uint8_t protocol, uint16_t port, const uint8_t addr[4]);
void pb_msg_init_pdp_referral_ipv6(pb_msg *msg, uint8_t protocol, uint16_t port, const uint8_t addr[16]);

/*
 * PB-Error constructors for violations: fatal IETF errors with their
 * parameters. `detail` names the invalid field for log lines (a static string).
 */
void pb_msg_error_invalid_parameter(pb_error_msg *err, uint32_t offset, const char *detail);
void pb_msg_error_unexpected_batch_type(pb_error_msg *err, const char *detail);
void pb_msg_error_local(pb_error_msg *err, const char *detail);
void pb_msg_error_unsupported_mandatory(pb_error_msg *err, uint32_t msg_offset, const char *detail);
void pb_msg_error_version_not_supported(pb_error_msg *err, uint8_t bad_version);

/* "PB-PA", "PB-Error", "PB-PDP-Referral", ...; "unknown" for others. */
const char *pb_msg_type_name(uint32_t vendor_id, uint32_t type);
/* "Invalid Parameter", ...; "unknown" for other vendors or codes. */
const char *pb_error_code_name(uint32_t vendor_id, uint16_t code);

#endif
