/*
 * PT-TLS message codec (RFC 6876 §3.5, §3.6, §3.8, §3.9).
 *
 * Every PT-TLS message starts with a 16-octet header; the value that follows
 * depends on the message type. The parsers read untrusted bytes through
 * common/reader.h and, on failure, fill a pttls_fault with the PT-TLS Error
 * code to send, the field and its offset in the message.
 */
#ifndef PTTLS_MSG_H
#define PTTLS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define PTTLS_PORT 271
#define PTTLS_VERSION 1
#define PTTLS_HEADER_LEN 16
#define PTTLS_VENDOR_IETF 0
#define PTTLS_VENDOR_RESERVED 0xFFFFFFu
#define PTTLS_TYPE_RESERVED 0xFFFFFFFFu
/* A PT-TLS Error carries at most this many octets of the offending message. */
#define PTTLS_ERROR_COPY_MAX 1024
/* A SASL mechanism name has a 5-bit length field and 1..20 characters (RFC 4422). */
#define PTTLS_SASL_MECH_NAME_MAX 20
/* Most SASL mechanism names one SASL Mechanisms message may list. */
#define PTTLS_SASL_MECHS_MAX 16
/*
 * Default maximum of a whole PT-TLS message, header included: 2 MiB, which
 * carries strongSwan's largest PB-TNC batch over TLS (2 097 136 octets).
 */
#define PTTLS_MAX_MESSAGE_DEFAULT (2u * 1024 * 1024)

/* Message types of vendor 0 (RFC 6876 §3.6, IANA "pt-tls-parameters"). */
typedef enum pttls_msg_type {
	PTTLS_MSG_EXPERIMENTAL = 0,
	PTTLS_MSG_VERSION_REQUEST = 1,
	PTTLS_MSG_VERSION_RESPONSE = 2,
	PTTLS_MSG_SASL_MECHANISMS = 3,
	PTTLS_MSG_SASL_MECHANISM_SELECTION = 4,
	PTTLS_MSG_SASL_AUTH_DATA = 5,
	PTTLS_MSG_SASL_RESULT = 6,
	PTTLS_MSG_PB_TNC_BATCH = 7,
	PTTLS_MSG_ERROR = 8,
} pttls_msg_type;

/* PT-TLS Error codes of vendor 0 (RFC 6876 §3.9). */
typedef enum pttls_error_code {
	PTTLS_ERR_RESERVED = 0,
	PTTLS_ERR_MALFORMED_MESSAGE = 1,
	PTTLS_ERR_VERSION_NOT_SUPPORTED = 2,
	PTTLS_ERR_TYPE_NOT_SUPPORTED = 3,
	PTTLS_ERR_INVALID_MESSAGE = 4,
	PTTLS_ERR_SASL_MECHANISM_ERROR = 5,
	PTTLS_ERR_INVALID_PARAMETER = 6,
} pttls_error_code;

/* SASL Result codes (RFC 6876 §3.8.10). */
typedef enum pttls_sasl_result {
	PTTLS_SASL_SUCCESS = 0,
	PTTLS_SASL_FAILURE = 1,
	PTTLS_SASL_ABORT = 2,
	PTTLS_SASL_MECHANISM_FAILURE = 3,
} pttls_sasl_result;

/*
 * PT-TLS message header (RFC 6876 §3.5):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Reserved   |           Message Type Vendor ID              |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Message Type                         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Message Length                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Message Identifier                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Message Value (e.g. PB-TNC Batch) ...         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Message Length counts the whole message, header included.
 */
typedef struct pttls_header {
	uint32_t vendor;   /* 24-bit SMI PEN, 0 = IETF */
	uint32_t type;
	uint32_t length;
	uint32_t msg_id;
} pttls_header;

/* Where and why a message was rejected, and the PT-TLS Error code to send in reply. */
typedef struct pttls_fault {
	uint32_t code;      /* pttls_error_code */
	size_t offset;      /* offset of the offending field in the message */
	const char *field;  /* name of the offending field */
	uint32_t value;     /* the value seen, where it is a number */
} pttls_fault;

/* Decoding choices that depend on the peer. */
typedef struct pttls_parse_opts {
	uint32_t max_length;  /* largest Message Length accepted */
	/*
	 * Read a SASL Result code as 1 octet, as strongSwan writes it, instead
	 * of the 2 octets of RFC 6876. A value of exactly 1 octet is always
	 * read as a 1-octet code.
	 */
	bool sasl_result_one_octet;
} pttls_parse_opts;

typedef struct pttls_sasl_mech {
	char name[PTTLS_SASL_MECH_NAME_MAX + 1];
} pttls_sasl_mech;

/* A decoded message. Pointers point into the buffer given to pttls_msg_parse(). */
typedef struct pttls_msg {
	pttls_header hdr;
	union {
		struct {
			uint8_t min_version;
			uint8_t max_version;
			uint8_t pref_version;
		} version_request;
		struct {
			uint8_t version;
		} version_response;
		struct {
			size_t count;
			pttls_sasl_mech mechs[PTTLS_SASL_MECHS_MAX];
		} sasl_mechanisms;
		struct {
			pttls_sasl_mech mech;
			const uint8_t *initial;   /* optional initial response, NULL if absent */
			size_t initial_len;
		} sasl_selection;
		struct {
			uint16_t code;            /* pttls_sasl_result */
			const uint8_t *data;      /* optional additional data, NULL if absent */
			size_t data_len;
		} sasl_result;
		struct {
			uint32_t vendor;
			uint32_t code;
			const uint8_t *copy;      /* start of the offending message, NULL if absent */
			size_t copy_len;
		} error;
		/* Experimental, SASL Authentication Data and PB-TNC Batch: the whole value. */
		struct {
			const uint8_t *data;
			size_t len;
		} value;
	} u;
} pttls_msg;

/* The name of a message type or an error code, for log lines. */
const char *pttls_msg_type_name(uint32_t vendor, uint32_t type);
const char *pttls_error_code_name(uint32_t vendor, uint32_t code);

/*
 * Decodes the 16-octet header at the start of data (len >= 16). Rejects a
 * reserved vendor or type, a Message Length below 16 and a Message Length
 * above opts->max_length, all with Invalid Parameter.
 */
TS_MUST_CHECK int pttls_msg_parse_header(const uint8_t *data, size_t len, const pttls_parse_opts *opts,
					 pttls_header *out, pttls_fault *fault);

/*
 * Decodes one whole message of exactly len octets: the header, then the
 * value of a known type. Returns TS_OK; TS_E_UNSUPPORTED for a type this
 * codec does not know (fault->code is Type Not Supported, out->hdr is set);
 * or another negative code with fault filled in. out is written only on
 * TS_OK, except out->hdr on TS_E_UNSUPPORTED.
 */
TS_MUST_CHECK int pttls_msg_parse(const uint8_t *data, size_t len, const pttls_parse_opts *opts,
				  pttls_msg *out, pttls_fault *fault);

/*
 * Builders. Each appends one whole message (header and value) to w and
 * returns TS_OK or the writer's error; on error, w is left in its failed
 * state and must be reset by the caller.
 */
TS_MUST_CHECK int pttls_msg_build(writer_t *w, uint32_t vendor, uint32_t type, uint32_t msg_id,
				  const void *value, size_t len);
TS_MUST_CHECK int pttls_msg_build_version_request(writer_t *w, uint32_t msg_id, uint8_t min_version,
						  uint8_t max_version, uint8_t pref_version);
TS_MUST_CHECK int pttls_msg_build_version_response(writer_t *w, uint32_t msg_id, uint8_t version);
/* An empty list (count 0) ends the SASL phase. Names must be valid SASL mechanism names. */
TS_MUST_CHECK int pttls_msg_build_sasl_mechanisms(writer_t *w, uint32_t msg_id, const char *const *mechs,
						  size_t count);
/* initial may be NULL for no initial response. */
TS_MUST_CHECK int pttls_msg_build_sasl_selection(writer_t *w, uint32_t msg_id, const char *mech,
						 const uint8_t *initial, size_t initial_len);
TS_MUST_CHECK int pttls_msg_build_sasl_auth_data(writer_t *w, uint32_t msg_id, const uint8_t *data,
						 size_t len);
/* one_octet writes the code in 1 octet, as strongSwan expects, instead of 2. */
TS_MUST_CHECK int pttls_msg_build_sasl_result(writer_t *w, uint32_t msg_id, uint16_t code,
					      const uint8_t *data, size_t len, bool one_octet);
/* Copies at most PTTLS_ERROR_COPY_MAX octets of orig (may be NULL). */
TS_MUST_CHECK int pttls_msg_build_error(writer_t *w, uint32_t msg_id, uint32_t code,
					const uint8_t *orig, size_t orig_len);
TS_MUST_CHECK int pttls_msg_build_batch(writer_t *w, uint32_t msg_id, const uint8_t *batch, size_t len);

/* True for a name of 1..20 characters from A-Z, 0-9, '-' and '_' (RFC 4422 §3.1). */
bool pttls_msg_valid_mech_name(const char *name, size_t len);

#endif
