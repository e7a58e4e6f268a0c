/*
 * The value of PB-Language-Preference (RFC 5793 section 4.10): an
 * Accept-Language header as defined by RFC 3282, header name included.
 *
 *   "Accept-Language:" [WS] language-q *( [WS] "," [WS] language-q ) [WS]
 *   language-q     = language-range [ [WS] ";" [WS] "q" [WS] "=" [WS] qvalue ]
 *   language-range = 1*8ALPHA *( "-" 1*8alphanum ) / "*"
 *   qvalue         = "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3"0" ]
 *
 * The header name is case-insensitive, WS is space or tab, and empty list
 * elements (RFC 2616 "#rule") are allowed. Comments, control characters and
 * non-ASCII octets are rejected.
 *
 * A zero-length value means "no preference" and withdraws an earlier one.
 * NOTE: strongSwan 6.0.6 rejects a zero-length value and any value that does
 * not start with "Accept-Language: " (with one space) by a fatal Invalid
 * Parameter. pb_lang_build() always writes that prefix, and a session that
 * has no preference to withdraw sends no PB-Language-Preference at all.
 */
#ifndef PB_LANG_H
#define PB_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define PB_LANG_HEADER "Accept-Language:"
/* The language assumed when the peer has no preference (RFC 5793 section 4.10). */
#define PB_LANG_DEFAULT "en"
/* Limits on a received preference. */
#define PB_LANG_MAX_RANGES 16
#define PB_LANG_MAX_TAG_LEN 63

typedef struct pb_lang_range {
	char tag[PB_LANG_MAX_TAG_LEN + 1];  /* language-range, NUL-terminated, or "*" */
	uint16_t q;                         /* quality in thousandths, 0..1000 */
} pb_lang_range;

typedef struct pb_lang_pref {
	size_t count;                       /* 0: no preference */
	pb_lang_range ranges[PB_LANG_MAX_RANGES];
} pb_lang_pref;

/*
 * Parses an Accept-Language value of len octets into *out. A zero-length
 * value, or a header with an empty list, gives count 0. On TS_E_INVALID or
 * TS_E_TOO_LARGE (more than PB_LANG_MAX_RANGES ranges or a range longer than
 * PB_LANG_MAX_TAG_LEN) *err_offset is the offset of the first invalid octet and
 * *out is unchanged.
 */
TS_MUST_CHECK int pb_lang_parse(const uint8_t *value, size_t len, pb_lang_pref *out,
				size_t *err_offset);

/*
 * Appends "Accept-Language: " and the ranges, e.g. "Accept-Language: de, en;q=0.5"
 * (q omitted when 1000). With count 0 nothing is written (the RFC's "no
 * preference"). TS_E_INVALID if a range is not a valid language-range or q > 1000.
 */
TS_MUST_CHECK int pb_lang_build(const pb_lang_pref *pref, writer_t *w);

/*
 * Parses an operator's list such as "de, en;q=0.5" (without the header name)
 * into *out; NULL or an empty string gives PB_LANG_DEFAULT.
 */
TS_MUST_CHECK int pb_lang_from_list(const char *list, pb_lang_pref *out);

/*
 * Picks the best of n available language tags for pref, by the highest q
 * of a matching range (RFC 2616 section 14.4: a range matches a tag equal to
 * it or starting with it followed by "-", "*" matches any tag; ties go to the
 * earlier available tag; q=0 means "not acceptable"). With no preference,
 * PB_LANG_DEFAULT is matched as if it had q=1. Returns the index, or -1 if
 * none is acceptable.
 */
int pb_lang_select(const pb_lang_pref *pref, const char *const *available, size_t n);

/* Whether language tag `tag` matches language-range `range` (case-insensitive). */
bool pb_lang_matches(const char *range, const char *tag, size_t tag_len);

#endif
