#include <string.h>

#include "pts_sce.h"

#define ATTR "Simple Component Evidence"

static int has_policy_uri(uint8_t flags)
{
	uint8_t v = flags & PTS_SCE_VALIDATION_MASK;

	return v == PTS_SCE_VALIDATION_FAILED || v == PTS_SCE_VALIDATION_PASSED;
}

/* Checks "YYYY-MM-DDThh:mm:ssZ": digits everywhere but the separators. */
static int time_valid(const char *t)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";

	for (size_t i = 0; i < PTS_SCE_TIME_LEN; i++) {
		if (pattern[i] == 'd') {
			if (t[i] < '0' || t[i] > '9')
				return 0;
		} else if (t[i] != pattern[i]) {
			return 0;
		}
	}
	return 1;
}

static int measurement_len_valid(uint16_t algo, size_t len)
{
	if (algo == PTS_MEAS_ALGO_NONE)
		return len == 0;
	return pts_attr_hash_len(algo) == len;
}

int pts_sce_encode(const pts_sce *sce, writer_t *w)
{
	int rc;

	/* Refuse what the decoder would reject. */
	if (sce->depth > 0xFFFFFF || sce->extended_pcr > 0xFFFFFF ||
	    sce->transform > PTS_SCE_TRANSFORM_SHORT || !time_valid(sce->meas_time) ||
	    !measurement_len_valid(sce->hash_algo, sce->measurement.len))
		return TS_E_INVALID;
	if (!has_policy_uri(sce->flags) && sce->policy_uri.len != 0)
		return TS_E_INVALID;
	if (sce->policy_uri.len > UINT16_MAX)
		return TS_E_INVALID;
	if (sce->flags & PTS_SCE_FLAG_PCR) {
		if (sce->pcr_before.len != sce->pcr_after.len || sce->pcr_before.len > UINT16_MAX)
			return TS_E_INVALID;
	} else if (sce->pcr_before.len != 0 || sce->pcr_after.len != 0) {
		return TS_E_INVALID;
	}

	writer_u8(w, sce->flags);
	writer_u24(w, sce->depth);
	rc = pts_comp_name_encode(&sce->name, w);
	if (rc != TS_OK)
		return rc;
	writer_u8(w, sce->meas_type);
	writer_u24(w, sce->extended_pcr);
	writer_u16(w, sce->hash_algo);
	writer_u8(w, sce->transform);
	writer_u8(w, 0);
	writer_bytes(w, sce->meas_time, PTS_SCE_TIME_LEN);
	if (has_policy_uri(sce->flags))
		writer_vec16(w, sce->policy_uri.data, sce->policy_uri.len);
	if (sce->flags & PTS_SCE_FLAG_PCR) {
		writer_u16(w, (uint16_t)sce->pcr_before.len);
		writer_bytes(w, sce->pcr_before.data, sce->pcr_before.len);
		writer_bytes(w, sce->pcr_after.data, sce->pcr_after.len);
	}
	writer_bytes(w, sce->measurement.data, sce->measurement.len);
	return writer_status(w);
}

/* Reads the 40-octet fixed part. */
static int decode_fixed(reader_t *r, pts_sce *s, size_t *bad_offset)
{
	uint8_t reserved;
	size_t off;
	int rc;

	if (reader_u8(r, &s->flags) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "flags", 0, bad_offset);
	if (reader_u24(r, &s->depth) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "sub-component depth", 1, bad_offset);
	rc = pts_comp_name_decode(r, &s->name, &off);
	if (rc != TS_OK)
		return pts_attr_fail(rc, ATTR, "component functional name", off, bad_offset);
	if (reader_u8(r, &s->meas_type) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "measurement type", 12, bad_offset);
	if (reader_u24(r, &s->extended_pcr) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "extended PCR", 13, bad_offset);
	if (reader_u16(r, &s->hash_algo) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "hash algorithm", 16, bad_offset);
	if (s->hash_algo != PTS_MEAS_ALGO_NONE && pts_attr_hash_len(s->hash_algo) == 0)
		return pts_attr_fail(TS_E_INVALID, ATTR, "hash algorithm", 16, bad_offset);
	if (reader_u8(r, &s->transform) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "PCR transform", 18, bad_offset);
	if (s->transform > PTS_SCE_TRANSFORM_SHORT)
		return pts_attr_fail(TS_E_INVALID, ATTR, "PCR transform", 18, bad_offset);
	if (reader_u8(r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "reserved", 19, bad_offset);
	if (reader_copy(r, s->meas_time, PTS_SCE_TIME_LEN) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR, "measurement time", 20, bad_offset);
	s->meas_time[PTS_SCE_TIME_LEN] = '\0';
	if (!time_valid(s->meas_time))
		return pts_attr_fail(TS_E_INVALID, ATTR, "measurement time", 20, bad_offset);
	return TS_OK;
}

int pts_sce_decode(const uint8_t *value, size_t len, pts_sce *out, size_t *bad_offset)
{
	pts_sce s;
	reader_t r;
	size_t off;
	uint16_t pcr_len;
	int rc;

	memset(&s, 0, sizeof(s));
	reader_init(&r, value, len);
	rc = decode_fixed(&r, &s, bad_offset);
	if (rc != TS_OK)
		return rc;

	if (has_policy_uri(s.flags)) {
		off = reader_offset(&r);
		if (reader_vec16(&r, &s.policy_uri.data, &s.policy_uri.len) != TS_OK)
			return pts_attr_fail(TS_E_TRUNCATED, ATTR, "policy URI", off, bad_offset);
		if (pts_attr_check_text(s.policy_uri.data, s.policy_uri.len, 0, &off) != TS_OK)
			return pts_attr_fail(TS_E_INVALID, ATTR, "policy URI",
					     reader_offset(&r) - s.policy_uri.len + off, bad_offset);
	}

	if (s.flags & PTS_SCE_FLAG_PCR) {
		off = reader_offset(&r);
		if (reader_u16(&r, &pcr_len) != TS_OK)
			return pts_attr_fail(TS_E_TRUNCATED, ATTR, "PCR value length", off,
					     bad_offset);
		if (reader_bytes(&r, pcr_len, &s.pcr_before.data) != TS_OK)
			return pts_attr_fail(TS_E_TRUNCATED, ATTR, "PCR before", off + 2,
					     bad_offset);
		if (reader_bytes(&r, pcr_len, &s.pcr_after.data) != TS_OK)
			return pts_attr_fail(TS_E_TRUNCATED, ATTR, "PCR after",
					     off + 2 + pcr_len, bad_offset);
		s.pcr_before.len = pcr_len;
		s.pcr_after.len = pcr_len;
	}

	off = reader_offset(&r);
	reader_rest(&r, &s.measurement.data, &s.measurement.len);
	if (!measurement_len_valid(s.hash_algo, s.measurement.len)) {
		size_t want = pts_attr_hash_len(s.hash_algo);

		if (s.measurement.len < want)
			return pts_attr_fail(TS_E_TRUNCATED, ATTR, "measurement", off, bad_offset);
		return pts_attr_fail(TS_E_TRAILING, ATTR, "end of value", off + want, bad_offset);
	}

	*out = s;
	return TS_OK;
}
