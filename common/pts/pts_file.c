#include <stdlib.h>

#include "pts_file.h"

static int file_type_valid(uint8_t t)
{
	switch (t) {
	case PTS_FILE_OTHER:
	case PTS_FILE_FIFO:
	case PTS_FILE_CHAR:
	case PTS_FILE_DIR:
	case PTS_FILE_BLOCK:
	case PTS_FILE_REGULAR:
	case PTS_FILE_SYMLINK:
	case PTS_FILE_SOCKET:
		return 1;
	default:
		return 0;
	}
}

static int text_valid(pts_bytes t)
{
	size_t off;

	return pts_attr_check_text(t.data, t.len, 1, &off) == TS_OK;
}

/* Reads the rest of the value as a path: non-empty, no NUL. */
static int decode_path(reader_t *r, const char *attr, pts_bytes *path, size_t *bad_offset)
{
	size_t start = reader_offset(r), off;

	reader_rest(r, &path->data, &path->len);
	if (path->len == 0)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "path", start, bad_offset);
	if (pts_attr_check_text(path->data, path->len, 1, &off) != TS_OK)
		return pts_attr_fail(TS_E_INVALID, attr, "path", start + off, bad_offset);
	return TS_OK;
}

int pts_file_req_meas_encode(const pts_file_req_meas *req, writer_t *w)
{
	if (!text_valid(req->path))
		return TS_E_INVALID;
	writer_u8(w, req->directory ? PTS_FILE_FLAG_DIRECTORY : 0);
	writer_u8(w, 0);
	writer_u16(w, req->request_id);
	writer_u32(w, req->delimiter);
	writer_bytes(w, req->path.data, req->path.len);
	return writer_status(w);
}

int pts_file_req_meas_decode(const uint8_t *value, size_t len, pts_file_req_meas *out,
			     size_t *bad_offset)
{
	static const char attr[] = "Request File Measurement";
	reader_t r;
	uint8_t flags, reserved;
	uint16_t id;
	uint32_t delimiter;
	pts_bytes path;
	int rc;

	reader_init(&r, value, len);
	if (reader_u8(&r, &flags) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "flags", 0, bad_offset);
	if (reader_u8(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "reserved", 1, bad_offset);
	if (reader_u16(&r, &id) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "request ID", 2, bad_offset);
	if (reader_u32(&r, &delimiter) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "delimiter", 4, bad_offset);
	rc = decode_path(&r, attr, &path, bad_offset);
	if (rc != TS_OK)
		return rc;

	out->directory = (flags & PTS_FILE_FLAG_DIRECTORY) != 0;
	out->request_id = id;
	out->delimiter = delimiter;
	out->path = path;
	return TS_OK;
}

int pts_file_meas_encode(const pts_file_meas *meas, writer_t *w)
{
	if (meas->count > PTS_FILE_MAX_FILES)
		return TS_E_TOO_LARGE;

	writer_u64(w, meas->count);
	writer_u16(w, meas->request_id);
	writer_u16(w, meas->meas_len);
	for (size_t i = 0; i < meas->count; i++) {
		const pts_file_meas_entry *f = &meas->files[i];

		if (f->measurement.len != meas->meas_len || !text_valid(f->filename))
			return TS_E_INVALID;
		writer_bytes(w, f->measurement.data, f->measurement.len);
		writer_vec16(w, f->filename.data, f->filename.len);
	}
	return writer_status(w);
}

/* Checks a file count against the limit and against the octets left (min_entry each). */
static int check_count(uint64_t count, const reader_t *r, size_t min_entry, const char *attr,
		       size_t *bad_offset)
{
	if (count > PTS_FILE_MAX_FILES)
		return pts_attr_fail(TS_E_TOO_LARGE, attr, "number of files", 0, bad_offset);
	if (count > reader_remaining(r) / min_entry)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "number of files", 0, bad_offset);
	return TS_OK;
}

int pts_file_meas_decode(const uint8_t *value, size_t len, pts_file_meas *out,
			 size_t *bad_offset)
{
	static const char attr[] = "File Measurement";
	pts_file_meas_entry *files = NULL;
	reader_t r;
	uint64_t count;
	uint16_t id, meas_len;
	size_t off;
	int rc;

	reader_init(&r, value, len);
	if (reader_u64(&r, &count) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "number of files", 0, bad_offset);
	if (reader_u16(&r, &id) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "request ID", 8, bad_offset);
	if (reader_u16(&r, &meas_len) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "measurement length", 10, bad_offset);
	rc = check_count(count, &r, (size_t)meas_len + 2, attr, bad_offset);
	if (rc != TS_OK)
		return rc;

	if (count > 0) {
		files = calloc((size_t)count, sizeof(*files));
		if (!files)
			return TS_E_NOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		pts_file_meas_entry *f = &files[i];

		off = reader_offset(&r);
		if (reader_bytes(&r, meas_len, &f->measurement.data) != TS_OK) {
			rc = pts_attr_fail(TS_E_TRUNCATED, attr, "measurement", off, bad_offset);
			goto out;
		}
		f->measurement.len = meas_len;
		off = reader_offset(&r);
		if (reader_vec16(&r, &f->filename.data, &f->filename.len) != TS_OK) {
			rc = pts_attr_fail(TS_E_TRUNCATED, attr, "filename", off, bad_offset);
			goto out;
		}
		if (!text_valid(f->filename)) {
			rc = pts_attr_fail(TS_E_INVALID, attr, "filename", off, bad_offset);
			goto out;
		}
	}
	if (reader_expect_end(&r) != TS_OK) {
		rc = pts_attr_fail(TS_E_TRAILING, attr, "end of value", reader_offset(&r),
				   bad_offset);
		goto out;
	}

	out->request_id = id;
	out->meas_len = meas_len;
	out->count = (size_t)count;
	out->files = files;
	files = NULL;
	rc = TS_OK;
out:
	free(files);
	return rc;
}

void pts_file_meas_free(pts_file_meas *meas)
{
	if (!meas)
		return;
	free(meas->files);
	meas->files = NULL;
	meas->count = 0;
}

int pts_file_req_meta_encode(const pts_file_req_meta *req, writer_t *w)
{
	if (!text_valid(req->path))
		return TS_E_INVALID;
	writer_u8(w, req->directory ? PTS_FILE_FLAG_DIRECTORY : 0);
	writer_u8(w, req->delimiter);
	writer_u16(w, 0);
	writer_bytes(w, req->path.data, req->path.len);
	return writer_status(w);
}

int pts_file_req_meta_decode(const uint8_t *value, size_t len, pts_file_req_meta *out,
			     size_t *bad_offset)
{
	static const char attr[] = "Request File Metadata";
	reader_t r;
	uint8_t flags, delimiter;
	uint16_t reserved;
	pts_bytes path;
	int rc;

	reader_init(&r, value, len);
	if (reader_u8(&r, &flags) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "flags", 0, bad_offset);
	if (reader_u8(&r, &delimiter) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "delimiter", 1, bad_offset);
	if (reader_u16(&r, &reserved) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "reserved", 2, bad_offset);
	rc = decode_path(&r, attr, &path, bad_offset);
	if (rc != TS_OK)
		return rc;

	out->directory = (flags & PTS_FILE_FLAG_DIRECTORY) != 0;
	out->delimiter = delimiter;
	out->path = path;
	return TS_OK;
}

int pts_file_meta_encode(const pts_file_meta *meta, writer_t *w)
{
	if (meta->count > PTS_FILE_MAX_FILES)
		return TS_E_TOO_LARGE;

	writer_u64(w, meta->count);
	for (size_t i = 0; i < meta->count; i++) {
		const pts_file_meta_entry *f = &meta->files[i];

		if (!file_type_valid(f->type) || !text_valid(f->filename) ||
		    f->filename.len > UINT16_MAX - PTS_FILE_META_RECORD_FIXED)
			return TS_E_INVALID;
		writer_u16(w, (uint16_t)(PTS_FILE_META_RECORD_FIXED + f->filename.len));
		writer_u8(w, f->type);
		writer_u8(w, 0);
		writer_u64(w, f->size);
		writer_u64(w, f->created);
		writer_u64(w, f->modified);
		writer_u64(w, f->accessed);
		writer_u64(w, f->owner);
		writer_u64(w, f->group);
		writer_bytes(w, f->filename.data, f->filename.len);
	}
	return writer_status(w);
}

/* Reads one record, from its 2-octet length to the end of its filename. */
static int decode_meta_record(reader_t *r, pts_file_meta_entry *f, size_t *bad_offset)
{
	static const char attr[] = "Unix-Style File Metadata";
	size_t start = reader_offset(r);
	uint16_t rec_len;
	uint8_t reserved;
	reader_t rec;

	if (reader_u16(r, &rec_len) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "record length", start, bad_offset);
	if (rec_len <= PTS_FILE_META_RECORD_FIXED)
		return pts_attr_fail(TS_E_INVALID, attr, "record length", start, bad_offset);
	/* The record length counts its own two octets. */
	if (reader_sub(r, rec_len - 2u, &rec) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "record length", start, bad_offset);

	/* The sub-reader holds at least 50 octets, so the fixed fields cannot fail. */
	if (reader_u8(&rec, &f->type) != TS_OK || reader_u8(&rec, &reserved) != TS_OK ||
	    reader_u64(&rec, &f->size) != TS_OK || reader_u64(&rec, &f->created) != TS_OK ||
	    reader_u64(&rec, &f->modified) != TS_OK || reader_u64(&rec, &f->accessed) != TS_OK ||
	    reader_u64(&rec, &f->owner) != TS_OK || reader_u64(&rec, &f->group) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "record", start, bad_offset);
	if (!file_type_valid(f->type))
		return pts_attr_fail(TS_E_INVALID, attr, "file type", start + 2, bad_offset);
	reader_rest(&rec, &f->filename.data, &f->filename.len);
	if (!text_valid(f->filename))
		return pts_attr_fail(TS_E_INVALID, attr, "filename",
				     start + PTS_FILE_META_RECORD_FIXED, bad_offset);
	return TS_OK;
}

int pts_file_meta_decode(const uint8_t *value, size_t len, pts_file_meta *out,
			 size_t *bad_offset)
{
	static const char attr[] = "Unix-Style File Metadata";
	pts_file_meta_entry *files = NULL;
	reader_t r;
	uint64_t count;
	int rc;

	reader_init(&r, value, len);
	if (reader_u64(&r, &count) != TS_OK)
		return pts_attr_fail(TS_E_TRUNCATED, attr, "number of files", 0, bad_offset);
	rc = check_count(count, &r, PTS_FILE_META_RECORD_FIXED + 1, attr, bad_offset);
	if (rc != TS_OK)
		return rc;

	if (count > 0) {
		files = calloc((size_t)count, sizeof(*files));
		if (!files)
			return TS_E_NOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		rc = decode_meta_record(&r, &files[i], bad_offset);
		if (rc != TS_OK)
			goto out;
	}
	if (reader_expect_end(&r) != TS_OK) {
		rc = pts_attr_fail(TS_E_TRAILING, attr, "end of value", reader_offset(&r),
				   bad_offset);
		goto out;
	}

	out->count = (size_t)count;
	out->files = files;
	files = NULL;
	rc = TS_OK;
out:
	free(files);
	return rc;
}

void pts_file_meta_free(pts_file_meta *meta)
{
	if (!meta)
		return;
	free(meta->files);
	meta->files = NULL;
	meta->count = 0;
}
