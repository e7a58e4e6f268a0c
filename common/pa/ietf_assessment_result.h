/*
 * IETF Assessment Result (RFC 5792 section 4.2.9), 4 octets.
 *
 *     0                   1                   2                   3
 *    +---------------------------------------------------------------+
 *    |                      Assessment Result                        |
 *    +---------------------------------------------------------------+
 *
 * Values 0-4, numbered like TNC_IMV_EVALUATION_RESULT_* and
 * PB-Assessment-Result.
 */
#ifndef IETF_ASSESSMENT_RESULT_H
#define IETF_ASSESSMENT_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_ASSESSMENT_RESULT_LEN 4

enum {
	IETF_ASSESSMENT_COMPLIANT = 0,
	IETF_ASSESSMENT_NONCOMPLIANT_MINOR = 1,
	IETF_ASSESSMENT_NONCOMPLIANT_MAJOR = 2,
	IETF_ASSESSMENT_ERROR = 3,
	IETF_ASSESSMENT_DONT_KNOW = 4,
};

TS_MUST_CHECK int ietf_assessment_result_decode(const uint8_t *value, size_t len,
						uint32_t *out, size_t *bad_offset);
int ietf_assessment_result_validate(const uint8_t *value, size_t len, size_t *bad_offset);
/* TS_E_INVALID above 4. */
TS_MUST_CHECK int ietf_assessment_result_encode(uint32_t result, writer_t *w);

#endif
