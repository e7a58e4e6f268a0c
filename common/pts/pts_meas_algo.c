#include "pts_meas_algo.h"

static int decode(const uint8_t *value, size_t len, const char *attr, uint16_t *algos,
		  size_t *bad_offset)
{
	reader_t r;
	uint16_t reserved;

	reader_init(&r, value, len);
	if (reader_u16(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "reserved", 0, bad_offset);
	if (reader_u16(&r, algos) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "hash algorithm set", 2, bad_offset);
	if (reader_expect_end(&r) != TS_OK)
		return pts_attr_fail(TS_E_TRAILING, attr, "end of value", 4, bad_offset);
	return TS_OK;
}

int pts_meas_algo_encode(const pts_meas_algo *req, writer_t *w)
{
	writer_u16(w, 0);
	writer_u16(w, req->algos);
	return writer_status(w);
}

int pts_meas_algo_decode(const uint8_t *value, size_t len, pts_meas_algo *out,
			 size_t *bad_offset)
{
	uint16_t algos;
	int rc = decode(value, len, "PTS Measurement Algorithm Request", &algos, bad_offset);

	if (rc != TS_OK)
		return rc;
	out->algos = algos;
	return TS_OK;
}

int pts_meas_algo_selection_encode(const pts_meas_algo *sel, writer_t *w)
{
	if (pts_attr_hash_len(sel->algos) == 0)
		return TS_E_INVALID;
	return pts_meas_algo_encode(sel, w);
}

int pts_meas_algo_selection_decode(const uint8_t *value, size_t len, pts_meas_algo *out,
				   size_t *bad_offset)
{
	static const char attr[] = "PTS Measurement Algorithm Selection";
	uint16_t algo;
	int rc = decode(value, len, attr, &algo, bad_offset);

	if (rc != TS_OK)
		return rc;
	if (pts_attr_hash_len(algo) == 0)
		return pts_attr_fail(TS_E_INVALID, attr, "hash algorithm", 2, bad_offset);
	out->algos = algo;
	return TS_OK;
}
