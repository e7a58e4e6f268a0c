/*
 * Accept-Language values of PB-Language-Preference (RFC 5793 section 4.10,
 * syntax of RFC 3282 and RFC 2616 section 14.4). The grammar is in pb_lang.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pb_lang.h"

static bool is_alpha(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Cursor over one value; `pos` is the offset reported on errors. */
typedef struct lang_cursor {
	const uint8_t *p;
	size_t len;
	size_t pos;
} lang_cursor;

static bool at_end(const lang_cursor *c)
{
	return c->pos >= c->len;
}

static uint8_t peek(const lang_cursor *c)
{
	return at_end(c) ? 0 : c->p[c->pos];
}

static void skip_ws(lang_cursor *c)
{
	while (!at_end(c) && is_ws(c->p[c->pos]))
		c->pos++;
}

/* language-range = 1*8ALPHA *( "-" 1*8alphanum ) / "*", copied into tag. */
static int parse_range(lang_cursor *c, char tag[PB_LANG_MAX_TAG_LEN + 1])
{
	size_t start = c->pos;
	size_t sub = 0;          /* characters in the current subtag */
	bool first = true;       /* in the primary subtag, which is letters only */

	if (peek(c) == '*') {
		c->pos++;
		strcpy(tag, "*");
		return TS_OK;
	}
	while (!at_end(c)) {
		uint8_t ch = c->p[c->pos];

		if (ch == '-') {
			if (sub == 0)
				return TS_E_INVALID;
			first = false;
			sub = 0;
		} else if (is_alpha(ch) || (!first && is_digit(ch))) {
			if (++sub > 8)
				return TS_E_INVALID;
		} else {
			break;
		}
		c->pos++;
	}
	if (sub == 0)
		return TS_E_INVALID;
	if (c->pos - start > PB_LANG_MAX_TAG_LEN) {
		c->pos = start;
		return TS_E_TOO_LARGE;
	}
	memcpy(tag, c->p + start, c->pos - start);
	tag[c->pos - start] = '\0';
	return TS_OK;
}

/* qvalue = "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3"0" ], in thousandths. */
static int parse_qvalue(lang_cursor *c, uint16_t *q)
{
	uint8_t lead = peek(c);
	unsigned value = 0, scale = 100;
	int digits = 0;

	if (lead != '0' && lead != '1')
		return TS_E_INVALID;
	c->pos++;
	if (peek(c) == '.') {
		c->pos++;
		while (!at_end(c) && is_digit(c->p[c->pos])) {
			if (++digits > 3 || (lead == '1' && c->p[c->pos] != '0'))
				return TS_E_INVALID;
			value += (unsigned)(c->p[c->pos] - '0') * scale;
			scale /= 10;
			c->pos++;
		}
	}
	*q = (uint16_t)(lead == '1' ? 1000 : value);
	return TS_OK;
}

/* [ ";" "q" "=" qvalue ] with optional white space around each token. */
static int parse_weight(lang_cursor *c, uint16_t *q)
{
	*q = 1000;
	skip_ws(c);
	if (peek(c) != ';')
		return TS_OK;
	c->pos++;
	skip_ws(c);
	if (lower(peek(c)) != 'q')
		return TS_E_INVALID;
	c->pos++;
	skip_ws(c);
	if (peek(c) != '=')
		return TS_E_INVALID;
	c->pos++;
	skip_ws(c);
	return parse_qvalue(c, q);
}

/* The list after the header name: ranges separated by commas, empty elements allowed. */
static int parse_list(lang_cursor *c, pb_lang_pref *pref)
{
	for (;;) {
		pb_lang_range range;
		int rc;

		skip_ws(c);
		if (at_end(c))
			return TS_OK;
		if (peek(c) == ',') {
			c->pos++;
			continue;
		}
		if (pref->count == PB_LANG_MAX_RANGES)
			return TS_E_TOO_LARGE;
		rc = parse_range(c, range.tag);
		if (rc != TS_OK)
			return rc;
		rc = parse_weight(c, &range.q);
		if (rc != TS_OK)
			return rc;
		pref->ranges[pref->count++] = range;
		skip_ws(c);
		if (!at_end(c) && peek(c) != ',')
			return TS_E_INVALID;
	}
}

int pb_lang_parse(const uint8_t *value, size_t len, pb_lang_pref *out, size_t *err_offset)
{
	static const size_t header_len = sizeof(PB_LANG_HEADER) - 1;
	lang_cursor c = { value, len, 0 };
	pb_lang_pref pref;
	int rc;

	pref.count = 0;
	if (len == 0)
		goto done;

	/* US-ASCII without control characters, tab aside. */
	for (size_t i = 0; i < len; i++) {
		if ((value[i] < 0x20 && value[i] != '\t') || value[i] > 0x7E) {
			*err_offset = i;
			return TS_E_INVALID;
		}
	}
	if (len < header_len || strncasecmp((const char *)value, PB_LANG_HEADER, header_len) != 0) {
		*err_offset = 0;
		return TS_E_INVALID;
	}
	c.pos = header_len;
	rc = parse_list(&c, &pref);
	if (rc != TS_OK) {
		*err_offset = c.pos;
		return rc;
	}

done:
	*out = pref;
	return TS_OK;
}

static bool valid_range(const char *tag)
{
	lang_cursor c = { (const uint8_t *)tag, strlen(tag), 0 };
	char copy[PB_LANG_MAX_TAG_LEN + 1];

	return parse_range(&c, copy) == TS_OK && at_end(&c);
}

int pb_lang_build(const pb_lang_pref *pref, writer_t *w)
{
	if (pref->count > PB_LANG_MAX_RANGES)
		return TS_E_INVALID;
	for (size_t i = 0; i < pref->count; i++) {
		if (!valid_range(pref->ranges[i].tag) || pref->ranges[i].q > 1000)
			return TS_E_INVALID;
	}
	if (pref->count == 0)
		return writer_status(w);

	writer_bytes(w, PB_LANG_HEADER " ", sizeof(PB_LANG_HEADER));
	for (size_t i = 0; i < pref->count; i++) {
		const pb_lang_range *range = &pref->ranges[i];

		if (i > 0)
			writer_bytes(w, ", ", 2);
		writer_bytes(w, range->tag, strlen(range->tag));
		if (range->q < 1000) {
			char q[16];
			int n;

			/* Thousandths without trailing zeros: 500 -> "0.5", 0 -> "0". */
			if (range->q == 0) {
				n = snprintf(q, sizeof(q), ";q=0");
			} else {
				unsigned v = range->q;
				int digits = 3;

				while (v % 10 == 0) {
					v /= 10;
					digits--;
				}
				n = snprintf(q, sizeof(q), ";q=0.%0*u", digits, v);
			}
			writer_bytes(w, q, (size_t)n);
		}
	}
	return writer_status(w);
}

int pb_lang_from_list(const char *list, pb_lang_pref *out)
{
	writer_t w;
	size_t err_offset;
	int rc;

	if (list == NULL || list[strspn(list, " \t")] == '\0') {
		out->count = 1;
		strcpy(out->ranges[0].tag, PB_LANG_DEFAULT);
		out->ranges[0].q = 1000;
		return TS_OK;
	}

	writer_init(&w, 4096);
	writer_bytes(&w, PB_LANG_HEADER, sizeof(PB_LANG_HEADER) - 1);
	writer_bytes(&w, list, strlen(list));
	rc = writer_status(&w);
	if (rc == TS_OK)
		rc = pb_lang_parse(writer_data(&w), writer_len(&w), out, &err_offset);
	writer_free(&w);
	return rc;
}

bool pb_lang_matches(const char *range, const char *tag, size_t tag_len)
{
	size_t rlen = strlen(range);

	if (strcmp(range, "*") == 0)
		return true;
	if (rlen > tag_len || strncasecmp(range, tag, rlen) != 0)
		return false;
	return rlen == tag_len || tag[rlen] == '-';
}

/*
 * The quality of one tag: the q of the longest matching range ("*" counts
 * as the shortest), or 0 when no range matches (RFC 2616 section 14.4).
 */
static unsigned tag_quality(const pb_lang_pref *pref, const char *tag)
{
	size_t best_len = 0;
	unsigned q = 0;
	bool found = false;

	for (size_t i = 0; i < pref->count; i++) {
		const pb_lang_range *range = &pref->ranges[i];
		size_t rlen = strcmp(range->tag, "*") == 0 ? 0 : strlen(range->tag);

		if (!pb_lang_matches(range->tag, tag, strlen(tag)))
			continue;
		if (!found || rlen > best_len) {
			found = true;
			best_len = rlen;
			q = range->q;
		}
	}
	return q;
}

int pb_lang_select(const pb_lang_pref *pref, const char *const *available, size_t n)
{
	pb_lang_pref fallback;
	unsigned best_q = 0;
	int best = -1;

	if (pref->count == 0) {
		fallback.count = 1;
		strcpy(fallback.ranges[0].tag, PB_LANG_DEFAULT);
		fallback.ranges[0].q = 1000;
		pref = &fallback;
	}
	for (size_t i = 0; i < n && i <= (size_t)INT32_MAX; i++) {
		unsigned q = tag_quality(pref, available[i]);

		if (q > best_q) {
			best_q = q;
			best = (int)i;
		}
	}
	return best;
}
