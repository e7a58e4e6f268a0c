/*
 * IETF PA-TNC Error attribute (RFC 5792 section 4.2.8; codes 4-8 from
 * RFC 8412 section 10.4).
 *
 *     0                   1                   2                   3
 *    +---------------+-----------------------------------------------+
 *    |   Reserved    |        PA-TNC Error Code Vendor ID            |
 *    +---------------+-----------------------------------------------+
 *    |                      PA-TNC Error Code                        |
 *    +---------------------------------------------------------------+
 *    |                 Error Information (variable)                  |
 *
 * Error Information of the IETF codes 1-3 starts with a copy of the first
 * 8 octets (the header) of the offending PA-TNC message:
 *    1 Invalid Parameter:            header(8) | Offset(4)
 *    2 Version Not Supported:        header(8) | Max Version(1) |
 *                                    Min Version(1) | Reserved(2)
 *    3 Attribute Type Not Supported: header(8) | Flags(1) | Vendor ID(3) |
 *                                    Attribute Type(4)
 * The SWIMA codes 4-8 and codes of other vendors are kept as raw bytes.
 */
#ifndef IETF_PA_TNC_ERROR_H
#define IETF_PA_TNC_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

enum {
	IETF_PA_ERROR_RESERVED = 0,
	IETF_PA_ERROR_INVALID_PARAMETER = 1,
	IETF_PA_ERROR_VERSION_NOT_SUPPORTED = 2,
	IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED = 3,
	IETF_PA_ERROR_SWIMA = 4,
	IETF_PA_ERROR_SWIMA_SUBSCRIPTION_DENIED = 5,
	IETF_PA_ERROR_SWIMA_RESPONSE_TOO_LARGE = 6,
	IETF_PA_ERROR_SWIMA_SUBSCRIPTION_FULFILLMENT = 7,
	IETF_PA_ERROR_SWIMA_SUBSCRIPTION_ID_REUSE = 8,
};

/* Value octets before the Error Information. */
#define IETF_PA_TNC_ERROR_FIXED_LEN 8
/* The copied header of the offending message in codes 1-3. */
#define IETF_PA_TNC_ERROR_MSG_INFO_LEN 8

typedef struct ietf_pa_tnc_error {
	uint32_t vendor;   /* Error Code Vendor ID, 0 for IETF */
	uint32_t code;     /* IETF_PA_ERROR_* when vendor is 0 */
	/* IETF codes 1-3 */
	uint8_t msg_info[IETF_PA_TNC_ERROR_MSG_INFO_LEN];  /* offending message header */
	uint32_t offset;                        /* code 1 */
	uint8_t max_version;                    /* code 2 */
	uint8_t min_version;                    /* code 2 */
	uint8_t attr_flags;                     /* code 3 */
	uint32_t attr_vendor;                   /* code 3 */
	uint32_t attr_type;                     /* code 3 */
	/* every other code: the whole Error Information, not owned */
	const uint8_t *info;
	size_t info_len;
} ietf_pa_tnc_error;

/*
 * Decodes the value of a PA-TNC Error attribute. For IETF codes 1-3 the
 * Error Information must have exactly its defined length. On error
 * *bad_offset (may be NULL) is the offset of the bad field in the value.
 */
TS_MUST_CHECK int ietf_pa_tnc_error_decode(const uint8_t *value, size_t len,
					   ietf_pa_tnc_error *out, size_t *bad_offset);
/* Registry check: the same rules as the decoder. */
int ietf_pa_tnc_error_validate(const uint8_t *value, size_t len, size_t *bad_offset);
/* Appends the value; TS_E_INVALID for a vendor above 24 bits. */
TS_MUST_CHECK int ietf_pa_tnc_error_encode(const ietf_pa_tnc_error *in, writer_t *w);

/* Returns the code's name ("Invalid Parameter"), or NULL for a non-IETF or unknown code. */
const char *ietf_pa_tnc_error_code_name(uint32_t vendor, uint32_t code);

#endif
