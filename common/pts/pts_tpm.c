#include <string.h>

#include "pts_tpm.h"

int pts_tpm_get_version_encode(writer_t *w)
{
	return pts_attr_reserved_encode(w);
}

int pts_tpm_get_version_decode(const uint8_t *value, size_t len, size_t *bad_offset)
{
	return pts_attr_reserved_decode(value, len, "Get TPM Version Information", bad_offset);
}

int pts_tpm_version_encode(const pts_tpm_version *ver, writer_t *w)
{
	if (ver->info.len == 0)
		return TS_E_INVALID;
	writer_bytes(w, ver->info.data, ver->info.len);
	return writer_status(w);
}

int pts_tpm_version_decode(const uint8_t *value, size_t len, pts_tpm_version *out,
			   size_t *bad_offset)
{
	if (len == 0)
		return pts_attr_fail(TS_E_TRUNCATED, "TPM Version Information", "version info", 0,
				     bad_offset);
	out->info.data = value;
	out->info.len = len;
	return TS_OK;
}

int pts_tpm_version2_decode(const pts_bytes *info, pts_tpm_version2 *out, size_t *bad_offset)
{
	static const char attr[] = "TPM Version Information";
	reader_t r;
	uint16_t tag;
	uint8_t reserved, locality;
	uint32_t revision, year;
	uint8_t manufacturer[4];

	reader_init(&r, info->data, info->len);
	if (reader_u16(&r, &tag) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "tag", 0, bad_offset);
	if (tag != PTS_TPM_VERSION2_TAG)
		return pts_attr_fail(TS_E_UNSUPPORTED, attr, "tag", 0, bad_offset);
	if (reader_u8(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "reserved", 2, bad_offset);
	if (reader_u8(&r, &locality) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "locality", 3, bad_offset);
	if (reader_u32(&r, &revision) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "revision", 4, bad_offset);
	if (reader_u32(&r, &year) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "year", 8, bad_offset);
	if (reader_copy(&r, manufacturer, sizeof(manufacturer)) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "manufacturer", 12, bad_offset);
	if (reader_expect_end(&r) != TS_OK)
		return pts_attr_fail(TS_E_TRAILING, attr, "end of value", 16, bad_offset);

	out->locality = locality;
	out->revision = revision;
	out->year = year;
	memcpy(out->manufacturer, manufacturer, sizeof(manufacturer));
	return TS_OK;
}

int pts_tpm_version2_encode(const pts_tpm_version2 *ver, writer_t *w)
{
	writer_u16(w, PTS_TPM_VERSION2_TAG);
	writer_u8(w, 0);
	writer_u8(w, ver->locality);
	writer_u32(w, ver->revision);
	writer_u32(w, ver->year);
	writer_bytes(w, ver->manufacturer, sizeof(ver->manufacturer));
	return writer_status(w);
}

int pts_tpm_get_aik_encode(writer_t *w)
{
	return pts_attr_reserved_encode(w);
}

int pts_tpm_get_aik_decode(const uint8_t *value, size_t len, size_t *bad_offset)
{
	return pts_attr_reserved_decode(value, len, "Get Attestation Identity Key", bad_offset);
}

int pts_tpm_aik_encode(const pts_tpm_aik *aik, writer_t *w)
{
	if (aik->blob.len == 0)
		return TS_E_INVALID;
	writer_u8(w, aik->naked_key ? PTS_TPM_AIK_FLAG_NAKED : 0);
	writer_bytes(w, aik->blob.data, aik->blob.len);
	return writer_status(w);
}

int pts_tpm_aik_decode(const uint8_t *value, size_t len, pts_tpm_aik *out, size_t *bad_offset)
{
	static const char attr[] = "Attestation Identity Key";
	reader_t r;
	uint8_t flags;
	pts_bytes blob;

	reader_init(&r, value, len);
	if (reader_u8(&r, &flags) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "flags", 0, bad_offset);
	if (reader_remaining(&r) == 0)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "key blob", 1, bad_offset);
	reader_rest(&r, &blob.data, &blob.len);

	out->naked_key = (flags & PTS_TPM_AIK_FLAG_NAKED) != 0;
	out->blob = blob;
	return TS_OK;
}
