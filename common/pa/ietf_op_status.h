/*
 * IETF Operational Status (RFC 5792 section 4.2.5), 24 octets.
 *
 *     0                   1                   2                   3
 *    +---------------+---------------+-------------------------------+
 *    |    Status     |    Result     |           Reserved            |
 *    +---------------+---------------+-------------------------------+
 *    |   Last Use: 20 ASCII octets "YYYY-MM-DDTHH:MM:SSZ" (UTC)      |
 *    +---------------------------------------------------------------+
 *
 * Last Use is "0000-00-00T00:00:00Z" when unknown. Seconds may be 60
 * (leap second). Unknown Status and Result values decode as 0.
 */
#ifndef IETF_OP_STATUS_H
#define IETF_OP_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_OP_STATUS_LEN 24
#define IETF_OP_STATUS_TIME_LEN 20
#define IETF_OP_STATUS_TIME_UNKNOWN "0000-00-00T00:00:00Z"

enum {
	IETF_OP_STATUS_UNKNOWN = 0,
	IETF_OP_STATUS_NOT_INSTALLED = 1,
	IETF_OP_STATUS_INSTALLED_NOT_OPERATIONAL = 2,
	IETF_OP_STATUS_OPERATIONAL = 3,
};

enum {
	IETF_OP_RESULT_UNKNOWN = 0,
	IETF_OP_RESULT_SUCCESS = 1,
	IETF_OP_RESULT_SUCCESS_WITH_ERRORS = 2,
	IETF_OP_RESULT_UNSUCCESSFUL = 3,
};

typedef struct ietf_op_status {
	uint8_t status;   /* IETF_OP_STATUS_* */
	uint8_t result;   /* IETF_OP_RESULT_* */
	char last_use[IETF_OP_STATUS_TIME_LEN + 1];  /* NUL-terminated */
} ietf_op_status;

TS_MUST_CHECK int ietf_op_status_decode(const uint8_t *value, size_t len,
					ietf_op_status *out, size_t *bad_offset);
int ietf_op_status_validate(const uint8_t *value, size_t len, size_t *bad_offset);
/* TS_E_INVALID if last_use is not a valid time string. */
TS_MUST_CHECK int ietf_op_status_encode(const ietf_op_status *in, writer_t *w);

/* Formats t as a Last Use string in UTC; t == 0 gives the unknown string. */
TS_MUST_CHECK int ietf_op_status_format_time(time_t t, char out[IETF_OP_STATUS_TIME_LEN + 1]);

#endif
