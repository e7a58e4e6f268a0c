#include <stdlib.h>

#include "ita_attr.h"

/*
 * Checks UTF-8 (RFC 3629: no overlong forms, no surrogates, at most
 * U+10FFFF) without NUL. Returns TS_OK or TS_E_INVALID with the offset of
 * the first bad octet.
 */
static int utf8_check(const uint8_t *s, size_t len, size_t *bad)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		size_t n;
		uint32_t cp, min;

		if (c == 0)
			goto bad;
		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0) {
			n = 1, cp = c & 0x1F, min = 0x80;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2, cp = c & 0x0F, min = 0x800;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			goto bad;
		}
		if (n > len - i - 1)
			goto bad;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += n + 1;
	}
	return TS_OK;
bad:
	*bad = i;
	return TS_E_INVALID;
}

static int encode_string(const pts_bytes *s, writer_t *w)
{
	size_t off;

	if (s->len == 0 || utf8_check(s->data, s->len, &off) != TS_OK)
		return TS_E_INVALID;
	writer_bytes(w, s->data, s->len);
	return writer_status(w);
}

static int decode_string(const uint8_t *value, size_t len, const char *attr,
			 const char *field, pts_bytes *out, size_t *bad_offset)
{
	size_t off;

	if (len == 0)
		return pts_attr_fail(TS_E_TRUNCATED, attr, field, 0, bad_offset);
	if (utf8_check(value, len, &off) != TS_OK)
		return pts_attr_fail(TS_E_INVALID, attr, field, off, bad_offset);
	out->data = value;
	out->len = len;
	return TS_OK;
}

int ita_attr_device_id_encode(const pts_bytes *id, writer_t *w)
{
	return encode_string(id, w);
}

int ita_attr_device_id_decode(const uint8_t *value, size_t len, pts_bytes *out,
			      size_t *bad_offset)
{
	return decode_string(value, len, "Device ID", "device ID", out, bad_offset);
}

int ita_attr_get_symlinks_encode(const pts_bytes *path, writer_t *w)
{
	return encode_string(path, w);
}

int ita_attr_get_symlinks_decode(const uint8_t *value, size_t len, pts_bytes *out,
				 size_t *bad_offset)
{
	return decode_string(value, len, "Get Symlinks", "path", out, bad_offset);
}

int ita_attr_symlinks_encode(const ita_attr_symlinks *links, writer_t *w)
{
	size_t off;

	if (links->count > ITA_ATTR_MAX_SYMLINKS)
		return TS_E_TOO_LARGE;
	writer_u32(w, (uint32_t)links->count);
	for (size_t i = 0; i < links->count; i++) {
		const ita_attr_symlink *l = &links->links[i];

		if (l->symlink.len == 0 || l->dir.len == 0 ||
		    utf8_check(l->symlink.data, l->symlink.len, &off) != TS_OK ||
		    utf8_check(l->dir.data, l->dir.len, &off) != TS_OK)
			return TS_E_INVALID;
		writer_vec16(w, l->symlink.data, l->symlink.len);
		writer_vec16(w, l->dir.data, l->dir.len);
	}
	return writer_status(w);
}

/* Reads one 2-octet-length path: non-empty UTF-8. */
static int decode_path(reader_t *r, const char *field, pts_bytes *out, size_t *bad_offset)
{
	static const char attr[] = "Symlinks";
	size_t start = reader_offset(r), off;

	if (reader_vec16(r, &out->data, &out->len) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, field, start, bad_offset);
	if (out->len == 0)
		return pts_attr_fail(TS_E_INVALID, attr, field, start, bad_offset);
	if (utf8_check(out->data, out->len, &off) != TS_OK)
		return pts_attr_fail(TS_E_INVALID, attr, field, start + 2 + off, bad_offset);
	return TS_OK;
}

int ita_attr_symlinks_decode(const uint8_t *value, size_t len, ita_attr_symlinks *out,
			     size_t *bad_offset)
{
	static const char attr[] = "Symlinks";
	ita_attr_symlink *links = NULL;
	reader_t r;
	uint32_t count;
	int rc;

	reader_init(&r, value, len);
	if (reader_u32(&r, &count) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "number of symlinks", 0, bad_offset);
	if (count > ITA_ATTR_MAX_SYMLINKS)
		return pts_attr_fail(TS_E_TOO_LARGE, attr, "number of symlinks", 0, bad_offset);
	/* Each entry needs at least two lengths and two one-octet paths. */
	if (count > reader_remaining(&r) / 6)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "number of symlinks", 0, bad_offset);

	if (count > 0) {
		links = calloc(count, sizeof(*links));
		if (!links)
			return TS_E_NOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		rc = decode_path(&r, "symlink", &links[i].symlink, bad_offset);
		if (rc != TS_OK)
			goto out;
		rc = decode_path(&r, "directory", &links[i].dir, bad_offset);
		if (rc != TS_OK)
			goto out;
	}
	if (reader_expect_end(&r) != TS_OK) {
		rc = pts_attr_fail(TS_E_TRAILING, attr, "end of value", reader_offset(&r),
				   bad_offset);
		goto out;
	}

	out->count = count;
	out->links = links;
	links = NULL;
	rc = TS_OK;
out:
	free(links);
	return rc;
}

void ita_attr_symlinks_free(ita_attr_symlinks *links)
{
	if (!links)
		return;
	free(links->links);
	links->links = NULL;
	links->count = 0;
}
