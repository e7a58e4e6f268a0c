/*
 * File workitems of the attestation IMV:
 *
 *   FMEAS / DMEAS  measure a file / every file of a directory and compare
 *                  with file_hashes of the session's product
 *   FREFM / DREFM  measure and store the digests as references of the
 *                  product's generic version (package '')
 *   FMETA / DMETA  collect Unix file metadata
 *
 * workitems.arg_int is files.id (F*) or directories.id (D*). The low 16
 * bits of the workitem id are the request id of Request File Measurement,
 * which the File Measurement reply echoes. Unix-Style File Metadata carries
 * no request id, so replies are matched to metadata workitems in request
 * order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/meas_algo.h"
#include "imvatt.h"
#include "log.h"
#include "pts/pts_file.h"

bool imvatt_files_is_type(int type)
{
	return type >= PM_WORKITEM_FREFM && type <= PM_WORKITEM_DMETA;
}

static bool is_dir_type(int type)
{
	return type == PM_WORKITEM_DREFM || type == PM_WORKITEM_DMEAS || type == PM_WORKITEM_DMETA;
}

static bool is_meta_type(int type)
{
	return type == PM_WORKITEM_FMETA || type == PM_WORKITEM_DMETA;
}

/* The path of a workitem's file or directory; TS_E_NOT_FOUND when the row is missing. */
static int target_path(db_t *db, const pm_workitem *w, char *out, size_t size)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	int rc;

	rc = db_stmt(db, is_dir_type(w->type) ? "SELECT path, NULL FROM directories WHERE id = ?"
		: "SELECT d.path, f.name FROM files AS f JOIN directories AS d ON f.dir = d.id WHERE f.id = ?", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, w->arg_int);
	rc = db_step(db, stmt, &row);
	if (rc == TS_OK && !row)
		rc = TS_E_NOT_FOUND;
	if (rc == TS_OK) {
		const char *dir = (const char *)sqlite3_column_text(stmt, 0);
		const char *name = (const char *)sqlite3_column_text(stmt, 1);
		int n;

		if (!dir || (!is_dir_type(w->type) && !name))
			rc = TS_E_NOT_FOUND;
		else if (name)
			n = snprintf(out, size, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
		else
			n = snprintf(out, size, "%s", dir);
		if (rc == TS_OK && (n < 0 || (size_t)n >= size))
			rc = TS_E_TOO_LARGE;
	}
	db_stmt_done(db, stmt);
	return rc;
}

int imvatt_files_request(imvatt_state *s)
{
	writer_t w;
	int rc = TS_OK;

	writer_init(&w, 8192);
	for (size_t i = 0; i < s->item_count && rc == TS_OK; i++) {
		pm_workitem *item = &s->items[i];
		char path[4096];

		if (!imvatt_files_is_type(item->type) || item->done)
			continue;
		rc = target_path(s->db, item, path, sizeof(path));
		if (rc == TS_E_NOT_FOUND || rc == TS_E_TOO_LARGE) {
			imvatt_result_set(s, item, PM_EVAL_ERROR, "%s %lld of the policy is not in config.db",
					  is_dir_type(item->type) ? "directory" : "file", (long long)item->arg_int);
			rc = TS_OK;
			continue;
		}
		if (rc != TS_OK) {
			imvatt_fail(s, "cannot read the workitem targets from config.db: %s", ts_strerror(rc));
			break;
		}
		writer_reset(&w);
		if (is_meta_type(item->type)) {
			pts_file_req_meta req = { .directory = is_dir_type(item->type),
						  .delimiter = PTS_FILE_DELIM_SLASH,
						  .path = { (const uint8_t *)path, strlen(path) } };

			rc = pts_file_req_meta_encode(&req, &w);
			if (rc == TS_OK)
				rc = imvatt_out_add(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_REQ_FILE_META, &w);
		} else {
			pts_file_req_meas req = { .directory = is_dir_type(item->type),
						  .request_id = (uint16_t)(item->id & 0xFFFF),
						  .delimiter = PTS_FILE_DELIM_SLASH,
						  .path = { (const uint8_t *)path, strlen(path) } };

			rc = pts_file_req_meas_encode(&req, &w);
			if (rc == TS_OK)
				rc = imvatt_out_add(s, PA_ATTR_FLAG_NOSKIP, PTS_PEN_TCG, PTS_ATTR_REQ_FILE_MEAS, &w);
		}
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_INFO, s->conn, "%s: %s %s for workitem %lld", IMVATT_NAME,
			 is_meta_type(item->type) ? "file metadata of" : "file measurement of", path, (long long)item->id);
	}
	writer_free(&w);
	return rc;
}

static void hex_encode(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xF];
	}
	out[2 * len] = '\0';
}

/* The base name of a reported file name (a directory listing gives base names, a file request may give the path). */
static void base_name(const pts_bytes *name, char *out, size_t size)
{
	size_t off = name->len, n;

	while (off > 0 && name->data[off - 1] != '/')
		off--;
	n = name->len - off;

	if (n >= size)
		n = size - 1;
	memcpy(out, name->data + off, n);
	out[n] = '\0';
	if (memchr(out, 0, n))
		out[0] = '\0';
}

/* Reference digests of one file (by id, or by directory and name) for the product and algorithm. */
static int compare_file(db_t *db, int64_t product, uint16_t algo, const pm_workitem *w, const char *name,
			const char *hex, int *verdict)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false, any = false;
	int rc;

	rc = db_stmt(db, is_dir_type(w->type)
		? "SELECT fh.hash FROM file_hashes AS fh JOIN files AS f ON fh.file = f.id JOIN versions AS v "
		  "ON fh.version = v.id WHERE v.product = ? AND fh.algo = ? AND f.dir = ? AND f.name = ?"
		: "SELECT fh.hash FROM file_hashes AS fh JOIN versions AS v ON fh.version = v.id "
		  "WHERE v.product = ? AND fh.algo = ? AND fh.file = ?", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, product);
	sqlite3_bind_int(stmt, 2, algo);
	sqlite3_bind_int64(stmt, 3, w->arg_int);
	if (is_dir_type(w->type))
		sqlite3_bind_text(stmt, 4, name, -1, SQLITE_TRANSIENT);
	*verdict = 0;
	while ((rc = db_step(db, stmt, &row)) == TS_OK && row) {
		const char *ref = (const char *)sqlite3_column_text(stmt, 0);

		any = true;
		if (ref && strcasecmp(ref, hex) == 0) {
			*verdict = 1;
			break;
		}
	}
	if (rc == TS_OK && *verdict == 0)
		*verdict = any ? -1 : 0;
	db_stmt_done(db, stmt);
	return rc;
}

static int find_generic_version(db_t *db, int64_t product, int64_t *version)
{
	sqlite3_stmt *stmt = NULL;
	int64_t package = 0;
	bool row = false;
	int rc;

	rc = db_stmt(db, "SELECT id FROM packages WHERE name = ''", &stmt);
	if (rc == TS_OK)
		rc = db_step(db, stmt, &row);
	if (rc == TS_OK && row)
		package = sqlite3_column_int64(stmt, 0);
	db_stmt_done(db, stmt);
	if (rc == TS_OK && !row) {
		rc = db_exec(db, "INSERT INTO packages (name) VALUES ('')");
		package = sqlite3_last_insert_rowid(db_handle(db));
	}
	if (rc != TS_OK)
		return rc;
	rc = db_stmt(db, "SELECT id FROM versions WHERE product = ? AND package = ? AND release IS NULL", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, product);
	sqlite3_bind_int64(stmt, 2, package);
	rc = db_step(db, stmt, &row);
	if (rc == TS_OK && row)
		*version = sqlite3_column_int64(stmt, 0);
	db_stmt_done(db, stmt);
	if (rc != TS_OK || row)
		return rc;
	rc = db_stmt(db, "INSERT INTO versions (product, package) VALUES (?, ?)", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, product);
	sqlite3_bind_int64(stmt, 2, package);
	rc = db_step(db, stmt, NULL);
	db_stmt_done(db, stmt);
	if (rc == TS_OK)
		*version = sqlite3_last_insert_rowid(db_handle(db));
	return rc;
}

/* The files row of a directory entry, added when missing. */
static int find_file(db_t *db, int64_t dir, const char *name, int64_t *file)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	int rc;

	rc = db_stmt(db, "SELECT id FROM files WHERE dir = ? AND name = ?", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, dir);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
	rc = db_step(db, stmt, &row);
	if (rc == TS_OK && row)
		*file = sqlite3_column_int64(stmt, 0);
	db_stmt_done(db, stmt);
	if (rc != TS_OK || row)
		return rc;
	rc = db_stmt(db, "INSERT INTO files (dir, name) VALUES (?, ?)", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, dir);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_TRANSIENT);
	rc = db_step(db, stmt, NULL);
	db_stmt_done(db, stmt);
	if (rc == TS_OK)
		*file = sqlite3_last_insert_rowid(db_handle(db));
	return rc;
}

/* Stores the measurements as references of the generic version, in one transaction. */
static int store_refs(imvatt_state *s, const pm_workitem *w, const pts_file_meas *meas)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	int64_t version = 0;
	int rc;

	rc = db_begin(s->db);
	if (rc == TS_OK)
		rc = find_generic_version(s->db, s->session.product_id, &version);
	if (rc == TS_OK)
		rc = db_stmt(s->db, "DELETE FROM file_hashes WHERE file = ? AND version = ? AND algo = ?", &del);
	if (rc == TS_OK)
		rc = db_stmt(s->db, "INSERT INTO file_hashes (file, version, algo, hash) VALUES (?, ?, ?, ?)", &ins);
	for (size_t i = 0; rc == TS_OK && i < meas->count; i++) {
		char name[256], hex[2 * 64 + 1];
		int64_t file = w->arg_int;

		if (is_dir_type(w->type)) {
			base_name(&meas->files[i].filename, name, sizeof(name));
			if (!name[0])
				continue;
			rc = find_file(s->db, w->arg_int, name, &file);
		}
		hex_encode(meas->files[i].measurement.data, meas->files[i].measurement.len, hex);
		if (rc == TS_OK) {
			sqlite3_reset(del);
			sqlite3_bind_int64(del, 1, file);
			sqlite3_bind_int64(del, 2, version);
			sqlite3_bind_int(del, 3, s->meas_algo);
			rc = db_step(s->db, del, NULL);
		}
		if (rc == TS_OK) {
			sqlite3_reset(ins);
			sqlite3_bind_int64(ins, 1, file);
			sqlite3_bind_int64(ins, 2, version);
			sqlite3_bind_int(ins, 3, s->meas_algo);
			sqlite3_bind_text(ins, 4, hex, -1, SQLITE_TRANSIENT);
			rc = db_step(s->db, ins, NULL);
		}
	}
	db_stmt_done(s->db, del);
	db_stmt_done(s->db, ins);
	if (rc == TS_OK)
		rc = db_commit(s->db);
	if (rc != TS_OK)
		db_rollback(s->db);
	return rc;
}

int imvatt_files_measurement(imvatt_state *s, const uint8_t *value, size_t len)
{
	pts_file_meas meas = { 0 };
	pm_workitem *w = NULL;
	size_t ok = 0, differ = 0, unknown = 0;
	char first[IMVATT_TEXT_MAX] = "";
	int rc;

	rc = pts_file_meas_decode(value, len, &meas, NULL);
	if (rc != TS_OK)
		return rc;
	for (size_t i = 0; i < s->item_count; i++) {
		pm_workitem *x = &s->items[i];

		if (!x->done && imvatt_files_is_type(x->type) && !is_meta_type(x->type) &&
		    (uint16_t)(x->id & 0xFFFF) == meas.request_id)
			w = x;
	}
	if (!w) {
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, s->conn, "%s: File Measurement for unknown request %u",
			 IMVATT_NAME, meas.request_id);
		goto out;
	}
	if (meas.count > 0 && meas.meas_len != meas_algo_digest_len(s->meas_algo)) {
		imvatt_result_set(s, w, PM_EVAL_ERROR, "the file digests have %u octets, not those of %s",
				  meas.meas_len, meas_algo_name(s->meas_algo));
		goto out;
	}
	if (meas.count == 0) {
		imvatt_result_set(s, w, PM_EVAL_ERROR, "the endpoint measured no file");
		goto out;
	}
	if (w->type == PM_WORKITEM_FREFM || w->type == PM_WORKITEM_DREFM) {
		rc = store_refs(s, w, &meas);
		if (rc != TS_OK)
			imvatt_fail(s, "cannot store reference measurements: %s", ts_strerror(rc));
		else
			imvatt_result_set(s, w, PM_EVAL_COMPLIANT, "stored %zu %s reference measurements", meas.count,
					  meas_algo_name(s->meas_algo));
		goto out;
	}

	for (size_t i = 0; i < meas.count; i++) {
		char name[256], hex[2 * 64 + 1], esc[128];
		int verdict = 0;

		base_name(&meas.files[i].filename, name, sizeof(name));
		hex_encode(meas.files[i].measurement.data, meas.files[i].measurement.len, hex);
		rc = compare_file(s->db, s->session.product_id, s->meas_algo, w, name, hex, &verdict);
		if (rc != TS_OK) {
			imvatt_fail(s, "cannot read reference measurements: %s", ts_strerror(rc));
			goto out;
		}
		if (verdict > 0)
			ok++;
		else if (verdict < 0)
			differ++;
		else
			unknown++;
		if (verdict <= 0 && !first[0])
			snprintf(first, sizeof(first), "%s %s", log_escape(esc, sizeof(esc), meas.files[i].filename.data,
				 meas.files[i].filename.len), verdict < 0 ? "differs from its reference" : "has no reference");
	}
	/* An unknown file is never silently allowed. */
	imvatt_result_set(s, w, differ || unknown ? PM_EVAL_NONCOMPLIANT_MINOR : PM_EVAL_COMPLIANT,
			  "%zu files measured: %zu ok, %zu differ, %zu unknown%s%s", meas.count, ok, differ, unknown,
			  first[0] ? "; first: " : "", first);
out:
	pts_file_meas_free(&meas);
	return TS_OK;
}

int imvatt_files_metadata(imvatt_state *s, const uint8_t *value, size_t len)
{
	pts_file_meta meta = { 0 };
	pm_workitem *w = NULL;
	char esc[128] = "";
	int rc;

	rc = pts_file_meta_decode(value, len, &meta, NULL);
	if (rc != TS_OK)
		return rc;
	for (size_t i = 0; i < s->item_count && !w; i++)
		if (!s->items[i].done && is_meta_type(s->items[i].type))
			w = &s->items[i];
	if (!w) {
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, s->conn, "%s: unrequested Unix-Style File Metadata", IMVATT_NAME);
	} else if (meta.count == 0) {
		imvatt_result_set(s, w, PM_EVAL_ERROR, "the endpoint sent metadata of no file");
	} else {
		const pts_file_meta_entry *f = &meta.files[0];

		log_escape(esc, sizeof(esc), f->filename.data, f->filename.len);
		imvatt_result_set(s, w, PM_EVAL_COMPLIANT,
				  "metadata of %zu files received; first: %s type %u, %llu bytes, owner %llu, group %llu, modified %llu",
				  meta.count, esc, f->type, (unsigned long long)f->size, (unsigned long long)f->owner,
				  (unsigned long long)f->group, (unsigned long long)f->modified);
	}
	pts_file_meta_free(&meta);
	return TS_OK;
}
