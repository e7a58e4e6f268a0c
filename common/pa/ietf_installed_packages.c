/*
 * IETF Installed Packages (RFC 5792 section 4.2.7).
 * The byte diagram is in ietf_installed_packages.h.
 */
#include <stdlib.h>

#include "ietf_installed_packages.h"
#include "pa_codec.h"
#include "reader.h"

/* Reads one length-prefixed name or version and rejects a NUL inside it. */
static int read_string(reader_t *r, const uint8_t **s, size_t *s_len, size_t *bad_offset)
{
	size_t at = reader_offset(r);
	size_t nul;

	if (reader_vec8(r, s, s_len) != TS_OK)
		return pa_codec_fail(bad_offset, at, TS_E_TRUNCATED);
	nul = pa_codec_find_nul(*s, *s_len);
	if (nul < *s_len)
		return pa_codec_fail(bad_offset, at + 1 + nul, TS_E_INVALID);
	return TS_OK;
}

/* Walks the packages; stores them in packages when it is not NULL. */
static int walk(const uint8_t *value, size_t len, uint16_t *ret_count, ietf_package *packages,
		size_t *bad_offset)
{
	reader_t r;
	uint16_t reserved, count;

	reader_init(&r, value, len);
	if (reader_u16(&r, &reserved) != TS_OK)
		return pa_codec_fail(bad_offset, 0, TS_E_TRUNCATED);
	if (reader_u16(&r, &count) != TS_OK)
		return pa_codec_fail(bad_offset, 2, TS_E_TRUNCATED);

	for (size_t i = 0; i < count; i++) {
		ietf_package p;
		int rc;

		rc = read_string(&r, &p.name, &p.name_len, bad_offset);
		if (rc == TS_OK)
			rc = read_string(&r, &p.version, &p.version_len, bad_offset);
		if (rc != TS_OK)
			return rc;
		if (packages)
			packages[i] = p;
	}
	if (reader_expect_end(&r) != TS_OK)
		return pa_codec_fail(bad_offset, reader_offset(&r), TS_E_TRAILING);
	if (ret_count)
		*ret_count = count;
	return TS_OK;
}

int ietf_installed_packages_decode(const uint8_t *value, size_t len, ietf_installed_packages *out,
				   size_t *bad_offset)
{
	ietf_package *packages = NULL;
	uint16_t count;
	int rc;

	rc = walk(value, len, &count, NULL, bad_offset);
	if (rc != TS_OK)
		return rc;
	if (count > 0) {
		packages = calloc(count, sizeof(*packages));
		if (!packages)
			return TS_E_NOMEM;
		rc = walk(value, len, NULL, packages, bad_offset);
		if (rc != TS_OK) {
			free(packages);
			return rc;
		}
	}
	out->count = count;
	out->packages = packages;
	return TS_OK;
}

int ietf_installed_packages_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	return walk(value, len, NULL, NULL, bad_offset);
}

static bool is_valid_string(const uint8_t *s, size_t len)
{
	return len <= IETF_INSTALLED_PACKAGES_MAX_STRING && pa_codec_find_nul(s, len) == len;
}

int ietf_installed_packages_encode(const ietf_package *packages, size_t count, writer_t *w)
{
	if (count > IETF_INSTALLED_PACKAGES_MAX_COUNT)
		return TS_E_INVALID;
	for (size_t i = 0; i < count; i++) {
		if (!is_valid_string(packages[i].name, packages[i].name_len) ||
		    !is_valid_string(packages[i].version, packages[i].version_len))
			return TS_E_INVALID;
	}

	writer_u16(w, 0);
	writer_u16(w, (uint16_t)count);
	for (size_t i = 0; i < count; i++) {
		writer_vec8(w, packages[i].name, packages[i].name_len);
		writer_vec8(w, packages[i].version, packages[i].version_len);
	}
	return writer_status(w);
}

void ietf_installed_packages_free(ietf_installed_packages *ip)
{
	if (!ip)
		return;
	free(ip->packages);
	ip->packages = NULL;
	ip->count = 0;
}
