/*
 * Binary IMA measurement list (securityfs binary_runtime_measurements).
 *
 * Layout of one record (Linux security/integrity/ima/ima_fs.c,
 * ima_measurements_show()). Integers are in the kernel's byte order, which is
 * little-endian on the machines this suite supports, and on every machine
 * when the kernel runs with ima_canonical_fmt.
 *
 *   +------------+---------------------+-----------+---------------+
 *   | PCR (4)    | template digest (D) | name len  | template name |
 *   +------------+---------------------+-----------+---------------+
 *   | data len (4, absent for `ima`)   | template data (data len)    |
 *   +----------------------------------+-----------------------------+
 *
 * D is the size of the list's digest algorithm (20 for SHA-1). Template data
 * of every template except `ima` is a sequence of fields, each a 4-byte
 * length and that many bytes (Linux Documentation/security/IMA-templates.rst):
 *
 *   d-ng:  algorithm name, ':', NUL, digest    ("sha256:\0" + 32 bytes)
 *   n-ng:  file name, NUL
 *   sig:   security.ima xattr value, or empty
 *   buf:   the measured buffer
 *
 * The legacy `ima` template has no data length: its data is a 20-byte digest
 * (d) followed by a 4-byte length and the file name without NUL (n).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ima_internal.h"

/* Fixed size of the digest in the legacy `ima` template. */
#define IMA_LEGACY_DIGEST_LEN 20

static const struct {
	const char *name;
	size_t size;
	uint16_t tpm_alg;
} hash_algs[IMA_HASH_COUNT] = {
	[IMA_HASH_UNKNOWN] = { "unknown", 0, 0 },
	[IMA_HASH_MD5] = { "md5", 16, 0 },
	[IMA_HASH_SHA1] = { "sha1", 20, 0x0004 },
	[IMA_HASH_SHA256] = { "sha256", 32, 0x000B },
	[IMA_HASH_SHA384] = { "sha384", 48, 0x000C },
	[IMA_HASH_SHA512] = { "sha512", 64, 0x000D },
};

size_t ima_hash_alg_size(ima_hash_alg alg)
{
	return (unsigned)alg < IMA_HASH_COUNT ? hash_algs[alg].size : 0;
}

const char *ima_hash_alg_name(ima_hash_alg alg)
{
	return (unsigned)alg < IMA_HASH_COUNT ? hash_algs[alg].name : "unknown";
}

ima_hash_alg ima_hash_alg_from_name(const char *name, size_t len)
{
	for (int alg = IMA_HASH_MD5; alg < IMA_HASH_COUNT; alg++) {
		if (strlen(hash_algs[alg].name) == len && memcmp(hash_algs[alg].name, name, len) == 0)
			return (ima_hash_alg)alg;
	}
	return IMA_HASH_UNKNOWN;
}

ima_hash_alg ima_hash_alg_from_tpm(uint16_t tpm_alg)
{
	for (int alg = IMA_HASH_SHA1; alg < IMA_HASH_COUNT; alg++) {
		if (hash_algs[alg].tpm_alg == tpm_alg)
			return (ima_hash_alg)alg;
	}
	return IMA_HASH_UNKNOWN;
}

void ima_limits_default(ima_limits *limits)
{
	limits->max_entries = 1000000;
	limits->max_template_name_len = 255;
	limits->max_file_name_len = 4096;
	limits->max_template_data_len = 65536;
	limits->reject_opaque_templates = false;
}

bool ima_is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int ima_parse_fail(const ima_parse_pos *pos, int code, size_t offset, const char *field,
		   const char *fmt, ...)
{
	ima_parse_error *err = pos->err;
	va_list ap;

	if (!err)
		return code;
	memset(err, 0, sizeof(*err));
	err->code = code;
	err->entry = pos->entry;
	err->record_offset = pos->record_offset;
	err->offset = offset;
	err->line = pos->line;
	err->field = field;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

int ima_list_new(ima_hash_alg alg, ima_list **ret_list)
{
	ima_list *list;

	if (ima_hash_alg_size(alg) == 0 || alg == IMA_HASH_MD5)
		return TS_E_UNSUPPORTED;
	list = calloc(1, sizeof(*list));
	if (!list)
		return TS_E_NOMEM;
	list->alg = alg;
	list->hash_len = ima_hash_alg_size(alg);
	*ret_list = list;
	return TS_OK;
}

void ima_list_destroy(ima_list *list)
{
	if (!list)
		return;
	free(list->entries);
	free(list->bytes);
	free(list);
}

size_t ima_list_count(const ima_list *list)
{
	return list->count;
}

const ima_entry *ima_list_entry(const ima_list *list, size_t index)
{
	return index < list->count ? &list->entries[index] : NULL;
}

ima_hash_alg ima_list_alg(const ima_list *list)
{
	return list->alg;
}

size_t ima_list_violations(const ima_list *list)
{
	return list->violations;
}

int ima_list_append(ima_list *list, const ima_entry *e, const ima_limits *limits,
		    const ima_parse_pos *pos)
{
	if (list->count >= limits->max_entries)
		return ima_parse_fail(pos, TS_E_TOO_LARGE, pos->record_offset, "entry count",
				      "more than %zu entries", limits->max_entries);
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 64;
		ima_entry *grown;

		if (cap > limits->max_entries)
			cap = limits->max_entries;
		grown = realloc(list->entries, cap * sizeof(*grown));
		if (!grown)
			return TS_E_NOMEM;
		list->entries = grown;
		list->cap = cap;
	}
	list->entries[list->count++] = *e;
	if (e->violation)
		list->violations++;
	return TS_OK;
}

ima_template ima_list_template_id(const char *name, size_t len)
{
	static const struct {
		const char *name;
		ima_template id;
	} known[] = {
		{ "ima", IMA_TEMPLATE_IMA },
		{ "ima-ng", IMA_TEMPLATE_IMA_NG },
		{ "ima-sig", IMA_TEMPLATE_IMA_SIG },
		{ "ima-buf", IMA_TEMPLATE_IMA_BUF },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strlen(known[i].name) == len && memcmp(known[i].name, name, len) == 0)
			return known[i].id;
	}
	return IMA_TEMPLATE_OPAQUE;
}

/* Offset of the reader's cursor as reported to the caller. */
static size_t pos_offset(const ima_parse_pos *pos, const reader_t *r)
{
	return pos->base + reader_offset(r);
}

/* Reads a 4-byte length and points *out at that many bytes. */
static int read_field(reader_t *r, const ima_parse_pos *pos, const char *field,
		      const uint8_t **out, size_t *len)
{
	size_t start = pos_offset(pos, r);
	uint32_t n;

	if (reader_u32_le(r, &n) != TS_OK)
		return ima_parse_fail(pos, TS_E_TRUNCATED, start, field,
				      "length missing, %zu bytes left", reader_remaining(r));
	if (reader_bytes(r, n, out) != TS_OK)
		return ima_parse_fail(pos, TS_E_TRUNCATED, start, field,
				      "length %u exceeds the %zu bytes left", n, reader_remaining(r));
	*len = n;
	return TS_OK;
}

/*
 * d-ng: "<algorithm>:" NUL digest. An empty algorithm name means SHA-1, as
 * strongSwan reads it.
 */
static int decode_digest_ng(const uint8_t *p, size_t len, size_t offset, ima_entry *e,
			    const ima_parse_pos *pos)
{
	const uint8_t *colon = memchr(p, ':', len < IMA_ALG_NAME_MAX + 1 ? len : IMA_ALG_NAME_MAX + 1);
	size_t name_len, digest_len;
	ima_hash_alg alg;

	if (!colon)
		return ima_parse_fail(pos, TS_E_INVALID, offset, "d-ng",
				      "no ':' within the first %d bytes", IMA_ALG_NAME_MAX + 1);
	name_len = (size_t)(colon - p);
	if (name_len + 2 > len || colon[1] != 0)
		return ima_parse_fail(pos, TS_E_INVALID, offset, "d-ng",
				      "algorithm name not followed by ':' and NUL");
	for (size_t i = 0; i < name_len; i++) {
		uint8_t c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return ima_parse_fail(pos, TS_E_INVALID, offset + i, "d-ng",
					      "invalid byte 0x%02x in the algorithm name", c);
	}
	alg = name_len == 0 ? IMA_HASH_SHA1 : ima_hash_alg_from_name((const char *)p, name_len);
	digest_len = len - name_len - 2;
	if (digest_len == 0 || digest_len > IMA_DIGEST_MAX)
		return ima_parse_fail(pos, TS_E_INVALID, offset, "d-ng",
				      "digest of %zu bytes, expected 1 to %d", digest_len,
				      IMA_DIGEST_MAX);
	if (alg != IMA_HASH_UNKNOWN && digest_len != ima_hash_alg_size(alg))
		return ima_parse_fail(pos, TS_E_INVALID, offset, "d-ng",
				      "%s digest of %zu bytes, expected %zu", ima_hash_alg_name(alg),
				      digest_len, ima_hash_alg_size(alg));
	e->digest_alg = alg;
	e->digest_alg_name = (const char *)p;
	e->digest_alg_name_len = name_len;
	e->digest = p + name_len + 2;
	e->digest_len = digest_len;
	return TS_OK;
}

/* A file name must fit the limit and hold no NUL (n-ng: except its last byte). */
static int check_name(const uint8_t *p, size_t len, size_t offset, const char *field,
		      const ima_limits *limits, const ima_parse_pos *pos)
{
	if (len > limits->max_file_name_len)
		return ima_parse_fail(pos, TS_E_TOO_LARGE, offset, field,
				      "name of %zu bytes exceeds the limit of %zu", len,
				      limits->max_file_name_len);
	if (memchr(p, 0, len))
		return ima_parse_fail(pos, TS_E_INVALID, offset, field, "NUL inside the name");
	return TS_OK;
}

static int decode_name_ng(const uint8_t *p, size_t len, size_t offset, ima_entry *e,
			  const ima_limits *limits, const ima_parse_pos *pos)
{
	int rc;

	if (len == 0 || p[len - 1] != 0)
		return ima_parse_fail(pos, TS_E_INVALID, offset, "n-ng",
				      "name of %zu bytes not terminated by NUL", len);
	rc = check_name(p, len - 1, offset, "n-ng", limits, pos);
	if (rc != TS_OK)
		return rc;
	e->file_name = (const char *)p;
	e->file_name_len = len - 1;
	return TS_OK;
}

/* Legacy `ima` data: d (20 bytes), then n as a 4-byte length and the name. */
static int decode_legacy(reader_t *r, ima_entry *e, const ima_limits *limits,
			 const ima_parse_pos *pos)
{
	const uint8_t *start = reader_current(r);
	size_t name_offset;
	const uint8_t *name;
	size_t name_len;
	int rc;

	if (reader_bytes(r, IMA_LEGACY_DIGEST_LEN, &e->digest) != TS_OK)
		return ima_parse_fail(pos, TS_E_TRUNCATED, pos_offset(pos, r), "d",
				      "20-byte digest, %zu bytes left", reader_remaining(r));
	name_offset = pos_offset(pos, r);
	rc = read_field(r, pos, "n", &name, &name_len);
	if (rc != TS_OK)
		return rc;
	/* The kernel hashes the name in a 256-byte buffer, so it is shorter. */
	if (name_len >= IMA_LEGACY_NAME_BUF)
		return ima_parse_fail(pos, TS_E_INVALID, name_offset, "n",
				      "name of %zu bytes, the ima template allows %d", name_len,
				      IMA_LEGACY_NAME_BUF - 1);
	rc = check_name(name, name_len, name_offset, "n", limits, pos);
	if (rc != TS_OK)
		return rc;
	e->digest_alg = IMA_HASH_SHA1;
	e->digest_alg_name = "sha1";
	e->digest_alg_name_len = 4;
	e->digest_len = IMA_LEGACY_DIGEST_LEN;
	e->file_name = (const char *)name;
	e->file_name_len = name_len;
	e->data = start;
	e->data_len = (size_t)(reader_current(r) - start);
	return TS_OK;
}

/* Walks the length-prefixed fields of a template this module does not decode. */
static int decode_opaque(reader_t *r, const ima_parse_pos *pos)
{
	while (reader_remaining(r) > 0) {
		const uint8_t *p;
		size_t len;
		int rc = read_field(r, pos, "template field", &p, &len);

		if (rc != TS_OK)
			return rc;
	}
	return TS_OK;
}

int ima_list_decode_data(reader_t *r, ima_entry *e, const ima_limits *limits,
			 const ima_parse_pos *pos)
{
	const uint8_t *p;
	size_t len, offset;
	int rc;

	if (e->template_id == IMA_TEMPLATE_IMA)
		return decode_legacy(r, e, limits, pos);

	e->data = reader_current(r);
	e->data_len = reader_remaining(r);
	if (e->template_id == IMA_TEMPLATE_OPAQUE)
		return decode_opaque(r, pos);

	offset = pos_offset(pos, r);
	rc = read_field(r, pos, "d-ng", &p, &len);
	if (rc == TS_OK)
		rc = decode_digest_ng(p, len, offset + 4, e, pos);
	if (rc != TS_OK)
		return rc;

	offset = pos_offset(pos, r);
	rc = read_field(r, pos, "n-ng", &p, &len);
	if (rc == TS_OK)
		rc = decode_name_ng(p, len, offset + 4, e, limits, pos);
	if (rc != TS_OK)
		return rc;

	if (e->template_id == IMA_TEMPLATE_IMA_SIG) {
		rc = read_field(r, pos, "sig", &e->sig, &e->sig_len);
		if (rc != TS_OK)
			return rc;
	} else if (e->template_id == IMA_TEMPLATE_IMA_BUF) {
		rc = read_field(r, pos, "buf", &e->buf, &e->buf_len);
		if (rc != TS_OK)
			return rc;
	}

	if (reader_remaining(r) != 0)
		return ima_parse_fail(pos, TS_E_TRAILING, pos_offset(pos, r), "template data",
				      "%zu bytes after the last field of %.*s",
				      reader_remaining(r), (int)e->template_name_len,
				      e->template_name);
	return TS_OK;
}

/* Template names are printable ASCII without spaces, as the kernel defines them. */
static bool template_name_valid(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return false;
	}
	return true;
}

static int parse_record(reader_t *r, ima_list *list, const ima_limits *limits,
			const ima_parse_pos *pos, ima_entry *e)
{
	const uint8_t *name;
	uint32_t name_len, data_len;
	size_t offset;
	reader_t data;
	int rc;

	memset(e, 0, sizeof(*e));
	e->offset = reader_offset(r);

	/* PCR index and template digest */
	if (reader_u32_le(r, &e->pcr) != TS_OK)
		return ima_parse_fail(pos, TS_E_TRUNCATED, reader_offset(r), "PCR index",
				      "%zu bytes left", reader_remaining(r));
	if (e->pcr >= IMA_PCR_COUNT)
		return ima_parse_fail(pos, TS_E_INVALID, e->offset, "PCR index",
				      "%u is not below %d", e->pcr, IMA_PCR_COUNT);
	if (reader_bytes(r, list->hash_len, &e->template_hash) != TS_OK)
		return ima_parse_fail(pos, TS_E_TRUNCATED, reader_offset(r), "template digest",
				      "%zu bytes expected, %zu left", list->hash_len,
				      reader_remaining(r));
	e->violation = ima_is_zero(e->template_hash, list->hash_len);

	/* template name */
	offset = reader_offset(r);
	if (reader_u32_le(r, &name_len) != TS_OK)
		return ima_parse_fail(pos, TS_E_TRUNCATED, offset, "template name length",
				      "%zu bytes left", reader_remaining(r));
	if (name_len == 0 || name_len > limits->max_template_name_len)
		return ima_parse_fail(pos, TS_E_INVALID, offset, "template name length",
				      "%u, expected 1 to %zu", name_len,
				      limits->max_template_name_len);
	offset = reader_offset(r);
	if (reader_bytes(r, name_len, &name) != TS_OK)
		return ima_parse_fail(pos, TS_E_TRUNCATED, offset, "template name",
				      "%u bytes expected, %zu left", name_len, reader_remaining(r));
	if (!template_name_valid(name, name_len))
		return ima_parse_fail(pos, TS_E_INVALID, offset, "template name",
				      "not printable ASCII");
	e->template_name = (const char *)name;
	e->template_name_len = name_len;
	e->template_id = ima_list_template_id(e->template_name, name_len);
	if (e->template_id == IMA_TEMPLATE_OPAQUE && limits->reject_opaque_templates)
		return ima_parse_fail(pos, TS_E_UNSUPPORTED, offset, "template name",
				      "unknown template '%.*s'", (int)(name_len > 48 ? 48 : name_len),
				      e->template_name);

	/* template data: the legacy template has no length of its own */
	if (e->template_id == IMA_TEMPLATE_IMA)
		return decode_legacy(r, e, limits, pos);

	offset = reader_offset(r);
	if (reader_u32_le(r, &data_len) != TS_OK)
		return ima_parse_fail(pos, TS_E_TRUNCATED, offset, "template data length",
				      "%zu bytes left", reader_remaining(r));
	if (data_len > limits->max_template_data_len)
		return ima_parse_fail(pos, TS_E_TOO_LARGE, offset, "template data length",
				      "%u exceeds the limit of %zu", data_len,
				      limits->max_template_data_len);
	if (reader_sub(r, data_len, &data) != TS_OK)
		return ima_parse_fail(pos, TS_E_TRUNCATED, offset, "template data length",
				      "%u exceeds the %zu bytes left", data_len, reader_remaining(r));
	rc = ima_list_decode_data(&data, e, limits, pos);
	return rc;
}

int ima_list_parse_binary(const uint8_t *data, size_t len, ima_hash_alg list_alg,
			  const ima_limits *limits, ima_list **ret_list, ima_parse_error *err)
{
	ima_limits defaults;
	ima_list *list = NULL;
	ima_parse_pos pos = { .err = err };
	reader_t r;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!limits) {
		ima_limits_default(&defaults);
		limits = &defaults;
	}
	rc = ima_list_new(list_alg, &list);
	if (rc != TS_OK) {
		ima_parse_fail(&pos, rc, 0, "list algorithm", "%s cannot be a template digest",
			       ima_hash_alg_name(list_alg));
		goto out;
	}
	if (len > 0) {
		list->bytes = malloc(len);
		if (!list->bytes) {
			rc = TS_E_NOMEM;
			goto out;
		}
		memcpy(list->bytes, data, len);
	}

	reader_init(&r, list->bytes, len);
	while (reader_remaining(&r) > 0) {
		ima_entry e;

		pos.entry = list->count;
		pos.record_offset = reader_offset(&r);
		rc = parse_record(&r, list, limits, &pos, &e);
		if (rc != TS_OK)
			goto out;
		rc = ima_list_append(list, &e, limits, &pos);
		if (rc != TS_OK)
			goto out;
	}

	*ret_list = list;
	list = NULL;
	rc = TS_OK;
out:
	ima_list_destroy(list);
	return rc;
}
