/*
 * Text IMA measurement list (securityfs ascii_runtime_measurements), one
 * record per line, fields separated by one space (Linux ima_fs.c,
 * ima_ascii_measurements_show()):
 *
 *   PCR template-hash template-name field1 field2 ...
 *   10 <40 hex> ima-ng sha256:<64 hex> /usr/bin/bash
 *
 * PCR is printed "%2d", d-ng as "<algorithm>:<hex>", d as hex, n and n-ng as
 * the raw name, sig and buf as hex. An empty field keeps its separating
 * space, so an ima-sig line without a signature ends in a space.
 *
 * Each line is turned back into the binary record the kernel would have
 * written, and the resulting buffer is decoded by the binary parser, so
 * both formats yield identical entries and template data.
 */
#include <stdlib.h>
#include <string.h>

#include "ima_internal.h"
#include "log.h"
#include "writer.h"

/* Appended to the converted list while it is built; freed by the caller. */
typedef struct ascii_state {
	writer_t out;
	size_t *line_offsets;   /* text offset of each converted line */
	size_t count;
	size_t cap;
} ascii_state;

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes 2n hex digits into out[n]. Returns false on an invalid digit. */
static bool hex_decode(const uint8_t *hex, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(hex[2 * i]);
		int lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* Points *tok at the bytes up to the next space and consumes the space too. */
static bool next_token(reader_t *line, const uint8_t **tok, size_t *len)
{
	const uint8_t *start = reader_current(line);
	const uint8_t *space = memchr(start, ' ', reader_remaining(line));
	const uint8_t *unused;

	if (!space)
		return false;
	*len = (size_t)(space - start);
	return reader_bytes(line, *len, tok) == TS_OK && reader_bytes(line, 1, &unused) == TS_OK;
}

/* Writes hex text as raw bytes, preceded by its 4-byte length when `prefixed`. */
static int write_hex(writer_t *w, const uint8_t *hex, size_t hex_len, bool prefixed,
		     const ima_parse_pos *pos, size_t offset, const char *field)
{
	size_t n = hex_len / 2;
	size_t at;

	if (hex_len % 2 != 0)
		return ima_parse_fail(pos, TS_E_INVALID, offset, field,
				      "odd number (%zu) of hex digits", hex_len);
	if (prefixed)
		writer_u32_le(w, (uint32_t)n);
	if (writer_reserve(w, n, &at) != TS_OK)
		return writer_status(w);
	if (!hex_decode(hex, n, w->data + at))
		return ima_parse_fail(pos, TS_E_INVALID, offset, field, "invalid hex digit");
	return TS_OK;
}

/* "<algorithm>:<hex>" written as a d-ng field: name ':' NUL digest. */
static int write_digest_ng(writer_t *w, const uint8_t *tok, size_t len,
			   const ima_parse_pos *pos, size_t offset)
{
	const uint8_t *colon = memchr(tok, ':', len);
	size_t name_len, hex_len;
	ima_hash_alg alg;

	if (!colon || (size_t)(colon - tok) > IMA_ALG_NAME_MAX)
		return ima_parse_fail(pos, TS_E_INVALID, offset, "d-ng",
				      "expected <algorithm>:<hex digest>");
	name_len = (size_t)(colon - tok);
	hex_len = len - name_len - 1;
	alg = name_len == 0 ? IMA_HASH_SHA1 : ima_hash_alg_from_name((const char *)tok, name_len);
	if (alg != IMA_HASH_UNKNOWN && hex_len != 2 * ima_hash_alg_size(alg))
		return ima_parse_fail(pos, TS_E_INVALID, offset + name_len + 1, "d-ng",
				      "%zu hex digits for %s, expected %zu", hex_len,
				      ima_hash_alg_name(alg), 2 * ima_hash_alg_size(alg));
	if (hex_len == 0 || hex_len > 2 * IMA_DIGEST_MAX)
		return ima_parse_fail(pos, TS_E_INVALID, offset + name_len + 1, "d-ng",
				      "%zu hex digits, expected 2 to %d", hex_len,
				      2 * IMA_DIGEST_MAX);
	writer_u32_le(w, (uint32_t)(name_len + 2 + hex_len / 2));
	writer_bytes(w, tok, name_len);
	writer_bytes(w, ":", 2); /* ':' and the NUL of the literal */
	return write_hex(w, colon + 1, hex_len, false, pos, offset + name_len + 1, "d-ng");
}

static int write_name_ng(writer_t *w, const uint8_t *name, size_t len,
			 const ima_limits *limits, const ima_parse_pos *pos, size_t offset)
{
	if (len > limits->max_file_name_len)
		return ima_parse_fail(pos, TS_E_TOO_LARGE, offset, "n-ng",
				      "name of %zu bytes exceeds the limit of %zu", len,
				      limits->max_file_name_len);
	writer_u32_le(w, (uint32_t)(len + 1));
	writer_bytes(w, name, len);
	return writer_u8(w, 0);
}

/* The fields after the template name, written as template data. */
static int write_fields(writer_t *w, reader_t *line, ima_template id,
			const ima_limits *limits, const ima_parse_pos *pos)
{
	size_t offset = reader_offset(line);
	const uint8_t *tok, *rest, *space;
	size_t tok_len, rest_len;
	int rc;

	if (!next_token(line, &tok, &tok_len))
		return ima_parse_fail(pos, TS_E_INVALID, offset, id == IMA_TEMPLATE_IMA ? "d" : "d-ng",
				      "missing field separator after the digest");

	if (id == IMA_TEMPLATE_IMA) {
		/* d: 40 hex digits; n: the rest of the line */
		if (tok_len != 40)
			return ima_parse_fail(pos, TS_E_INVALID, offset, "d",
					      "%zu hex digits, expected 40", tok_len);
		rc = write_hex(w, tok, tok_len, false, pos, offset, "d");
		if (rc != TS_OK)
			return rc;
		offset = reader_offset(line);
		reader_rest(line, &rest, &rest_len);
		if (rest_len >= IMA_LEGACY_NAME_BUF || rest_len > limits->max_file_name_len)
			return ima_parse_fail(pos, TS_E_TOO_LARGE, offset, "n",
					      "name of %zu bytes is too long", rest_len);
		writer_u32_le(w, (uint32_t)rest_len);
		return writer_bytes(w, rest, rest_len);
	}

	rc = write_digest_ng(w, tok, tok_len, pos, offset);
	if (rc != TS_OK)
		return rc;
	offset = reader_offset(line);
	reader_rest(line, &rest, &rest_len);
	if (id == IMA_TEMPLATE_IMA_NG)
		return write_name_ng(w, rest, rest_len, limits, pos, offset);

	/* ima-sig and ima-buf: the name ends at the last space, hex follows. */
	space = NULL;
	for (size_t i = rest_len; i > 0 && !space; i--) {
		if (rest[i - 1] == ' ')
			space = &rest[i - 1];
	}
	if (!space)
		return ima_parse_fail(pos, TS_E_INVALID, offset,
				      id == IMA_TEMPLATE_IMA_SIG ? "sig" : "buf",
				      "missing field separator after the name");
	rc = write_name_ng(w, rest, (size_t)(space - rest), limits, pos, offset);
	if (rc != TS_OK)
		return rc;
	offset += (size_t)(space - rest) + 1;
	return write_hex(w, space + 1, rest_len - (size_t)(space - rest) - 1, true, pos, offset,
			 id == IMA_TEMPLATE_IMA_SIG ? "sig" : "buf");
}

/* Converts one line (without its newline) into a binary record. */
static int convert_line(ascii_state *st, reader_t *line, ima_hash_alg list_alg,
			const ima_limits *limits, const ima_parse_pos *pos)
{
	size_t hash_len = ima_hash_alg_size(list_alg);
	writer_t *w = &st->out;
	const uint8_t *tok;
	size_t tok_len, offset, data_at, data_start;
	uint32_t pcr = 0;
	ima_template id;
	int rc;

	/* PCR: "%2d", so a one-digit index has a leading space */
	offset = reader_offset(line);
	if (reader_remaining(line) > 0 && *reader_current(line) == ' ' &&
	    reader_skip(line, 1) != TS_OK)
		return TS_E_TRUNCATED;
	if (!next_token(line, &tok, &tok_len) || tok_len == 0 || tok_len > 2)
		return ima_parse_fail(pos, TS_E_INVALID, offset, "PCR index",
				      "expected a decimal number and a space");
	for (size_t i = 0; i < tok_len; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return ima_parse_fail(pos, TS_E_INVALID, offset, "PCR index",
					      "invalid character 0x%02x", tok[i]);
		pcr = pcr * 10 + (uint32_t)(tok[i] - '0');
	}

	/* template hash */
	offset = reader_offset(line);
	if (!next_token(line, &tok, &tok_len) || tok_len != 2 * hash_len)
		return ima_parse_fail(pos, TS_E_INVALID, offset, "template digest",
				      "expected %zu hex digits and a space", 2 * hash_len);
	writer_u32_le(w, pcr);
	rc = write_hex(w, tok, tok_len, false, pos, offset, "template digest");
	if (rc != TS_OK)
		return rc;

	/* template name */
	offset = reader_offset(line);
	if (!next_token(line, &tok, &tok_len) || tok_len == 0)
		return ima_parse_fail(pos, TS_E_INVALID, offset, "template name",
				      "missing, or not followed by a space");
	id = ima_list_template_id((const char *)tok, tok_len);
	if (id == IMA_TEMPLATE_OPAQUE) {
		char shown[48];

		log_escape(shown, sizeof(shown), tok, tok_len);
		return ima_parse_fail(pos, TS_E_UNSUPPORTED, offset, "template name",
				      "template '%s' cannot be decoded from text", shown);
	}
	writer_u32_le(w, (uint32_t)tok_len);
	writer_bytes(w, tok, tok_len);

	/* template data, with its length patched in afterwards */
	data_at = 0;
	if (id != IMA_TEMPLATE_IMA && writer_reserve(w, 4, &data_at) != TS_OK)
		return writer_status(w);
	data_start = writer_len(w);
	offset = reader_offset(line);
	rc = write_fields(w, line, id, limits, pos);
	if (rc != TS_OK)
		return rc;
	if (writer_status(w) != TS_OK)
		return writer_status(w);
	if (id != IMA_TEMPLATE_IMA) {
		size_t data_len = writer_len(w) - data_start;

		if (data_len > limits->max_template_data_len)
			return ima_parse_fail(pos, TS_E_TOO_LARGE, offset, "template data",
					      "%zu bytes exceed the limit of %zu", data_len,
					      limits->max_template_data_len);
		/* writer_put_u32_at() is big-endian; the list is little-endian. */
		for (int i = 0; i < 4; i++)
			w->data[data_at + (size_t)i] = (uint8_t)(data_len >> (8 * i));
	}
	return TS_OK;
}

static int remember_line(ascii_state *st, size_t offset)
{
	if (st->count == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		size_t *grown = realloc(st->line_offsets, cap * sizeof(*grown));

		if (!grown)
			return TS_E_NOMEM;
		st->line_offsets = grown;
		st->cap = cap;
	}
	st->line_offsets[st->count++] = offset;
	return TS_OK;
}

int ima_ascii_parse(const char *text, size_t len, ima_hash_alg list_alg,
		    const ima_limits *limits, ima_list **ret_list, ima_parse_error *err)
{
	ascii_state st = { .line_offsets = NULL };
	ima_parse_pos pos = { .err = err };
	ima_parse_error bin_err;
	ima_limits defaults;
	ima_list *list = NULL;
	reader_t r;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!limits) {
		ima_limits_default(&defaults);
		limits = &defaults;
	}
	if (ima_hash_alg_size(list_alg) == 0 || list_alg == IMA_HASH_MD5)
		return ima_parse_fail(&pos, TS_E_UNSUPPORTED, 0, "list algorithm",
				      "%s cannot be a template digest", ima_hash_alg_name(list_alg));
	writer_init(&st.out, SIZE_MAX);

	/* Convert line by line; a final newline is optional. */
	reader_init(&r, text, len);
	while (reader_remaining(&r) > 0) {
		const uint8_t *nl = memchr(reader_current(&r), '\n', reader_remaining(&r));
		size_t line_len = nl ? (size_t)(nl - reader_current(&r)) : reader_remaining(&r);
		reader_t line;

		pos.entry = st.count;
		pos.line = st.count + 1;
		pos.record_offset = reader_offset(&r);
		if (st.count >= limits->max_entries) {
			rc = ima_parse_fail(&pos, TS_E_TOO_LARGE, pos.record_offset, "entry count",
					    "more than %zu entries", limits->max_entries);
			goto out;
		}
		if (reader_sub(&r, line_len, &line) != TS_OK ||
		    (nl && reader_skip(&r, 1) != TS_OK)) {
			rc = TS_E_TRUNCATED;
			goto out;
		}
		rc = remember_line(&st, pos.record_offset);
		if (rc == TS_OK)
			rc = convert_line(&st, &line, list_alg, limits, &pos);
		if (rc != TS_OK)
			goto out;
	}
	if (writer_status(&st.out) != TS_OK) {
		rc = writer_status(&st.out);
		goto out;
	}

	/* Decode the converted records; map a failure back to its line. */
	rc = ima_list_parse_binary(writer_data(&st.out), writer_len(&st.out), list_alg, limits,
				   &list, &bin_err);
	if (rc != TS_OK) {
		if (bin_err.code != TS_OK && bin_err.entry < st.count) {
			pos.entry = bin_err.entry;
			pos.line = bin_err.entry + 1;
			pos.record_offset = st.line_offsets[bin_err.entry];
			ima_parse_fail(&pos, rc, pos.record_offset,
				       bin_err.field ? bin_err.field : "entry", "%s",
				       bin_err.message);
		}
		goto out;
	}
	for (size_t i = 0; i < list->count; i++)
		list->entries[i].offset = st.line_offsets[i];

	*ret_list = list;
	list = NULL;
	rc = TS_OK;
out:
	ima_list_destroy(list);
	writer_free(&st.out);
	free(st.line_offsets);
	return rc;
}
