#include <stdlib.h>

#include "pts_comp.h"

#define ATTR_REQ "Request Functional Component Evidence"

int pts_comp_name_encode(const pts_comp_name *name, writer_t *w)
{
	if (name->vendor > 0xFFFFFF || name->family > 3 || name->qualifier > 0x3F)
		return TS_E_INVALID;
	writer_u24(w, name->vendor);
	writer_u8(w, (uint8_t)(name->family << 6 | name->qualifier));
	writer_u32(w, name->name);
	return writer_status(w);
}

int pts_comp_name_decode(reader_t *r, pts_comp_name *out, size_t *bad_offset)
{
	size_t start = reader_offset(r);
	uint32_t vendor, name;
	uint8_t bits;

	if (reader_remaining(r) < PTS_COMP_NAME_LEN) {
		*bad_offset = start;
		return TS_E_TRUNCATED;
	}
	/* The length check above makes these reads succeed. */
	if (reader_u24(r, &vendor) != TS_OK || reader_u8(r, &bits) != TS_OK ||
	    reader_u32(r, &name) != TS_OK) {
		*bad_offset = start;
		return TS_E_TRUNCATED;
	}

	out->vendor = vendor;
	out->family = bits >> 6;
	out->qualifier = bits & 0x3F;
	out->name = name;
	return TS_OK;
}

int pts_comp_req_encode(const pts_comp_req *req, writer_t *w)
{
	if (req->count == 0 || req->count > PTS_COMP_REQ_MAX_ENTRIES)
		return TS_E_INVALID;

	for (size_t i = 0; i < req->count; i++) {
		const pts_comp_req_entry *e = &req->entries[i];
		int rc;

		if (e->depth > 0xFFFFFF)
			return TS_E_INVALID;
		writer_u8(w, e->flags);
		writer_u24(w, e->depth);
		rc = pts_comp_name_encode(&e->name, w);
		if (rc != TS_OK)
			return rc;
	}
	return writer_status(w);
}

int pts_comp_req_decode(const uint8_t *value, size_t len, pts_comp_req *out,
			size_t *bad_offset)
{
	pts_comp_req_entry *entries = NULL;
	size_t count, off;
	reader_t r;
	int rc;

	/* Every entry is 12 octets; a short last entry is reported where it starts. */
	if (len == 0)
		return pts_attr_fail(TS_E_TRUNCATED, ATTR_REQ, "first entry", 0, bad_offset);
	if (len % PTS_COMP_REQ_ENTRY_LEN != 0) {
		off = len - len % PTS_COMP_REQ_ENTRY_LEN;
		return pts_attr_fail(TS_E_TRUNCATED, ATTR_REQ, "entry", off, bad_offset);
	}
	count = len / PTS_COMP_REQ_ENTRY_LEN;
	if (count > PTS_COMP_REQ_MAX_ENTRIES)
		return pts_attr_fail(TS_E_TOO_LARGE, ATTR_REQ, "entry",
				     PTS_COMP_REQ_MAX_ENTRIES * PTS_COMP_REQ_ENTRY_LEN, bad_offset);

	entries = calloc(count, sizeof(*entries));
	if (!entries)
		return TS_E_NOMEM;

	reader_init(&r, value, len);
	for (size_t i = 0; i < count; i++) {
		pts_comp_req_entry *e = &entries[i];

		off = reader_offset(&r);
		if (reader_u8(&r, &e->flags) != TS_OK || reader_u24(&r, &e->depth) != TS_OK) {
			rc = pts_attr_fail(TS_E_TRUNCATED, ATTR_REQ, "flags and depth", off,
					   bad_offset);
			goto out;
		}
		rc = pts_comp_name_decode(&r, &e->name, &off);
		if (rc != TS_OK) {
			rc = pts_attr_fail(rc, ATTR_REQ, "component functional name", off,
					   bad_offset);
			goto out;
		}
	}
	if (reader_expect_end(&r) != TS_OK) {
		rc = pts_attr_fail(TS_E_TRAILING, ATTR_REQ, "end of value", reader_offset(&r),
				   bad_offset);
		goto out;
	}

	out->count = count;
	out->entries = entries;
	entries = NULL;
	rc = TS_OK;
out:
	free(entries);
	return rc;
}

void pts_comp_req_free(pts_comp_req *req)
{
	if (!req)
		return;
	free(req->entries);
	req->entries = NULL;
	req->count = 0;
}

int pts_comp_gen_evid_encode(writer_t *w)
{
	return pts_attr_reserved_encode(w);
}

int pts_comp_gen_evid_decode(const uint8_t *value, size_t len, size_t *bad_offset)
{
	return pts_attr_reserved_decode(value, len, "Generate Attestation Evidence", bad_offset);
}
