/*
 * IETF Operational Status (RFC 5792 section 4.2.5).
 * The byte diagram is in ietf_op_status.h.
 */
#include <string.h>

#include "ietf_op_status.h"
#include "pa_codec.h"
#include "reader.h"

/* Offset of Last Use within the value. */
#define LAST_USE_OFFSET 4

static unsigned two_digits(const char *s)
{
	return (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
}

static bool is_leap_year(unsigned year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/*
 * Checks an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SSZ" of exactly 20 octets,
 * or the unknown-time string. Returns the index of the first bad character,
 * or IETF_OP_STATUS_TIME_LEN when the string is valid.
 */
static size_t check_time(const char *s)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
	static const unsigned month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned year, month, day;

	for (size_t i = 0; i < IETF_OP_STATUS_TIME_LEN; i++) {
		bool ok = pattern[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == pattern[i];

		if (!ok)
			return i;
	}
	if (memcmp(s, IETF_OP_STATUS_TIME_UNKNOWN, IETF_OP_STATUS_TIME_LEN) == 0)
		return IETF_OP_STATUS_TIME_LEN;

	year = two_digits(s) * 100 + two_digits(s + 2);
	month = two_digits(s + 5);
	day = two_digits(s + 8);
	if (month < 1 || month > 12)
		return 5;
	if (day < 1 || day > month_days[month - 1] + (month == 2 && is_leap_year(year)))
		return 8;
	if (two_digits(s + 11) > 23)
		return 11;
	if (two_digits(s + 14) > 59)
		return 14;
	if (two_digits(s + 17) > 60)  /* 60 is a leap second */
		return 17;
	return IETF_OP_STATUS_TIME_LEN;
}

int ietf_op_status_decode(const uint8_t *value, size_t len, ietf_op_status *out,
			  size_t *bad_offset)
{
	ietf_op_status st;
	reader_t r;
	uint16_t reserved;
	size_t bad;

	if (len < IETF_OP_STATUS_LEN)
		return pa_codec_fail(bad_offset, len, TS_E_TRUNCATED);
	if (len > IETF_OP_STATUS_LEN)
		return pa_codec_fail(bad_offset, IETF_OP_STATUS_LEN, TS_E_TRAILING);

	memset(&st, 0, sizeof(st));
	reader_init(&r, value, len);
	if (reader_u8(&r, &st.status) != TS_OK || reader_u8(&r, &st.result) != TS_OK ||
	    reader_u16(&r, &reserved) != TS_OK ||
	    reader_copy(&r, st.last_use, IETF_OP_STATUS_TIME_LEN) != TS_OK)
		return pa_codec_fail(bad_offset, reader_offset(&r), TS_E_TRUNCATED);

	bad = check_time(st.last_use);
	if (bad < IETF_OP_STATUS_TIME_LEN)
		return pa_codec_fail(bad_offset, LAST_USE_OFFSET + bad, TS_E_INVALID);

	/* RFC 5792 section 4.2.5: unknown values are treated as 0. */
	if (st.status > IETF_OP_STATUS_OPERATIONAL)
		st.status = IETF_OP_STATUS_UNKNOWN;
	if (st.result > IETF_OP_RESULT_UNSUCCESSFUL)
		st.result = IETF_OP_RESULT_UNKNOWN;

	*out = st;
	return TS_OK;
}

int ietf_op_status_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	ietf_op_status st;

	return ietf_op_status_decode(value, len, &st, bad_offset);
}

int ietf_op_status_encode(const ietf_op_status *in, writer_t *w)
{
	if (strnlen(in->last_use, sizeof(in->last_use)) != IETF_OP_STATUS_TIME_LEN ||
	    check_time(in->last_use) < IETF_OP_STATUS_TIME_LEN)
		return TS_E_INVALID;
	writer_u8(w, in->status);
	writer_u8(w, in->result);
	writer_u16(w, 0);
	writer_bytes(w, in->last_use, IETF_OP_STATUS_TIME_LEN);
	return writer_status(w);
}

int ietf_op_status_format_time(time_t t, char out[IETF_OP_STATUS_TIME_LEN + 1])
{
	struct tm tm;

	if (t == 0) {
		memcpy(out, IETF_OP_STATUS_TIME_UNKNOWN, IETF_OP_STATUS_TIME_LEN + 1);
		return TS_OK;
	}
	if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return TS_E_INVALID;
	if (strftime(out, IETF_OP_STATUS_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) !=
	    IETF_OP_STATUS_TIME_LEN)
		return TS_E_INVALID;
	return TS_OK;
}
