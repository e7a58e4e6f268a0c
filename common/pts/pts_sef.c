#include <string.h>

#include "pts_sef.h"

#define ATTR "Simple Evidence Final"

static int quote_kind_valid(uint8_t kind)
{
	return kind == PTS_SEF_QUOTE_NONE || kind == PTS_SEF_QUOTE_TPM2 ||
	       kind == PTS_SEF_QUOTE_INFO || kind == PTS_SEF_QUOTE_INFO2 ||
	       kind == PTS_SEF_QUOTE_INFO2_CAP_VER;
}

int pts_sef_encode(const pts_sef *sef, writer_t *w)
{
	uint8_t kind = sef->flags & PTS_SEF_FLAG_QUOTE_MASK;
	int evid = (sef->flags & PTS_SEF_FLAG_EVID_SIG) != 0;

	if (!quote_kind_valid(kind) || (sef->flags & 0x0F) != 0)
		return TS_E_INVALID;
	if (evid != (sef->evid_sig.len != 0))
		return TS_E_INVALID;
	if (kind == PTS_SEF_QUOTE_TPM2 &&
	    (sef->clock_info.len != PTS_SEF_TPM2_CLOCK_INFO_LEN ||
	     sef->firmware_version.len != PTS_SEF_TPM2_FW_VERSION_LEN))
		return TS_E_INVALID;

	writer_u8(w, sef->flags);
	writer_u8(w, 0);
	writer_u16(w, sef->comp_hash_algo);
	if (kind != PTS_SEF_QUOTE_NONE) {
		writer_vec32(w, sef->pcr_composite.data, sef->pcr_composite.len);
		if (kind == PTS_SEF_QUOTE_TPM2) {
			writer_vec16(w, sef->qualified_signer.data, sef->qualified_signer.len);
			writer_vec16(w, sef->clock_info.data, sef->clock_info.len);
			writer_vec16(w, sef->firmware_version.data, sef->firmware_version.len);
			writer_vec16(w, sef->pcr_select.data, sef->pcr_select.len);
		}
		writer_vec32(w, sef->quote_sig.data, sef->quote_sig.len);
	}
	if (evid)
		writer_bytes(w, sef->evid_sig.data, sef->evid_sig.len);
	return writer_status(w);
}

/* Reads one length-prefixed field of `width` octets (2 or 4). */
static int read_vec(reader_t *r, int width, pts_bytes *out, const char *field,
		    size_t *bad_offset)
{
	size_t off = reader_offset(r);
	int rc = width == 2 ? reader_vec16(r, &out->data, &out->len)
			    : reader_vec32(r, &out->data, &out->len);

	if (rc != TS_OK)
		return pts_attr_fail(rc, ATTR, field, off, bad_offset);
	return TS_OK;
}

static int decode_tpm2(reader_t *r, pts_sef *s, size_t *bad_offset)
{
	size_t off;
	int rc;

	rc = read_vec(r, 2, &s->qualified_signer, "qualified signer", bad_offset);
	if (rc != TS_OK)
		return rc;

	off = reader_offset(r);
	rc = read_vec(r, 2, &s->clock_info, "clock info", bad_offset);
	if (rc != TS_OK)
		return rc;
	if (s->clock_info.len != PTS_SEF_TPM2_CLOCK_INFO_LEN)
		return pts_attr_fail(TS_E_INVALID, ATTR, "clock info length", off, bad_offset);

	off = reader_offset(r);
	rc = read_vec(r, 2, &s->firmware_version, "firmware version", bad_offset);
	if (rc != TS_OK)
		return rc;
	if (s->firmware_version.len != PTS_SEF_TPM2_FW_VERSION_LEN)
		return pts_attr_fail(TS_E_INVALID, ATTR, "firmware version length", off,
				     bad_offset);

	return read_vec(r, 2, &s->pcr_select, "PCR selection", bad_offset);
}

int pts_sef_decode(const uint8_t *value, size_t len, pts_sef *out, size_t *bad_offset)
{
	pts_sef s;
	reader_t r;
	uint8_t reserved, kind;
	int rc;

	memset(&s, 0, sizeof(s));
	reader_init(&r, value, len);
	if (reader_u8(&r, &s.flags) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "flags", 0, bad_offset);
	kind = s.flags & PTS_SEF_FLAG_QUOTE_MASK;
	if (!quote_kind_valid(kind))
		return pts_attr_fail(TS_E_INVALID, ATTR, "flags", 0, bad_offset);
	if (reader_u8(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "reserved", 1, bad_offset);
	if (reader_u16(&r, &s.comp_hash_algo) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "composite hash algorithm", 2,
				     bad_offset);

	if (kind != PTS_SEF_QUOTE_NONE) {
		rc = read_vec(&r, 4, &s.pcr_composite, "PCR composite", bad_offset);
		if (rc != TS_OK)
			return rc;
		if (kind == PTS_SEF_QUOTE_TPM2) {
			rc = decode_tpm2(&r, &s, bad_offset);
			if (rc != TS_OK)
				return rc;
		}
		rc = read_vec(&r, 4, &s.quote_sig, "quote signature", bad_offset);
		if (rc != TS_OK)
			return rc;
	}

	if (s.flags & PTS_SEF_FLAG_EVID_SIG) {
		if (reader_remaining(&r) == 0)
			return pts_attr_fail(TS_E_TRUNCATED, ATTR, "evidence signature",
					     reader_offset(&r), bad_offset);
		reader_rest(&r, &s.evid_sig.data, &s.evid_sig.len);
	}
	if (reader_expect_end(&r) != TS_OK)
		return pts_attr_fail(TS_E_TRAILING, ATTR, "end of value", reader_offset(&r),
				     bad_offset);

	*out = s;
	return TS_OK;
}
