/*
 * Registration and comparison of component measurements in
 * component_hashes (config.db), keyed by (component, device, seq_no, algo).
 *
 * The first attestation of a device stores every measurement with seq_no
 * 1, 2, ... in one transaction. Later attestations compare measurement n
 * with the row of seq_no n: its PCR and its digest. Missing and extra
 * measurements are differences too. `tnc-db device-reset` deletes the rows,
 * and the next attestation registers again.
 *
 * NOTE: the texts name PCR and event number but not the event type, because
 * neither Simple Component Evidence nor component_hashes carries it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "imvatt.h"
#include "log.h"

static int find_component(db_t *db, uint32_t vendor, uint32_t name, uint8_t qualifier, int64_t *id)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	int rc;

	rc = db_stmt(db, "SELECT id FROM components WHERE vendor_id = ? AND name = ? AND qualifier = ?", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, vendor);
	sqlite3_bind_int64(stmt, 2, name);
	sqlite3_bind_int(stmt, 3, qualifier);
	rc = db_step(db, stmt, &row);
	if (rc == TS_OK && row)
		*id = sqlite3_column_int64(stmt, 0);
	db_stmt_done(db, stmt);
	if (rc == TS_OK && !row)
		rc = TS_E_NOT_FOUND;
	return rc;
}

static int register_all(db_t *db, int64_t component, int64_t device, uint16_t algo, const imvatt_meas *meas,
			size_t count)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = db_begin(db);
	if (rc != TS_OK)
		return rc;
	rc = db_stmt(db, "INSERT INTO component_hashes (component, key, seq_no, pcr, algo, hash) "
			"VALUES (?, ?, ?, ?, ?, ?)", &stmt);
	for (size_t i = 0; rc == TS_OK && i < count; i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_int64(stmt, 1, component);
		sqlite3_bind_int64(stmt, 2, device);
		sqlite3_bind_int64(stmt, 3, (int64_t)i + 1);
		sqlite3_bind_int64(stmt, 4, meas[i].pcr);
		sqlite3_bind_int(stmt, 5, algo);
		sqlite3_bind_blob(stmt, 6, meas[i].digest, (int)meas[i].digest_len, SQLITE_STATIC);
		rc = db_step(db, stmt, NULL);
	}
	db_stmt_done(db, stmt);
	if (rc == TS_OK)
		rc = db_commit(db);
	if (rc != TS_OK)
		db_rollback(db);
	return rc;
}

/* Counts a difference and keeps the text of the first one. */
/* Lowercase hex of a digest, cut to fit out. */
static void hex_text(const uint8_t *data, size_t len, char *out, size_t out_size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 3 <= out_size; i++, n += 2)
		snprintf(out + n, 3, "%02x", data[i]);
	out[n] = '\0';
}

static void note(imvatt_compare_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(imvatt_compare_result *r, const char *fmt, ...)
{
	va_list ap;

	if (r->differences++ == 0) {
		va_start(ap, fmt);
		vsnprintf(r->first, sizeof(r->first), fmt, ap);
		va_end(ap);
	}
}

int imvatt_compare(db_t *db, int64_t device, uint32_t comp_vendor, uint32_t comp_name, uint8_t qualifier,
		   uint16_t algo, const imvatt_meas *meas, size_t count, bool allow_register,
		   imvatt_compare_result *out)
{
	imvatt_compare_result r = { .count = count };
	sqlite3_stmt *stmt = NULL;
	int64_t component = 0;
	size_t expected_seq = 1;
	bool row = false;
	int rc;

	rc = find_component(db, comp_vendor, comp_name, qualifier, &component);
	if (rc != TS_OK)
		return rc;

	rc = db_stmt(db, "SELECT seq_no, pcr, hash FROM component_hashes WHERE component = ? AND key = ? "
			"AND algo = ? ORDER BY seq_no", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, component);
	sqlite3_bind_int64(stmt, 2, device);
	sqlite3_bind_int(stmt, 3, algo);
	while ((rc = db_step(db, stmt, &row)) == TS_OK && row) {
		int64_t seq = sqlite3_column_int64(stmt, 0);
		int64_t pcr = sqlite3_column_int64(stmt, 1);
		const void *hash = sqlite3_column_blob(stmt, 2);
		size_t hash_len = (size_t)sqlite3_column_bytes(stmt, 2);
		const imvatt_meas *m;

		r.stored++;
		if (seq != (int64_t)expected_seq) {
			note(&r, "registered event %zu is missing from config.db (found seq_no %lld)", expected_seq,
			     (long long)seq);
			expected_seq = seq > 0 ? (size_t)seq : expected_seq;
		}
		expected_seq++;
		if (seq < 1 || (uint64_t)seq > count) {
			note(&r, "PCR %lld event %lld: registered, but the endpoint did not send it", (long long)pcr,
			     (long long)seq);
			continue;
		}
		m = &meas[seq - 1];
		if ((int64_t)m->pcr != pcr)
			note(&r, "event %lld: registered for PCR %lld, received for PCR %u", (long long)seq,
			     (long long)pcr, m->pcr);
		else if (hash_len != m->digest_len || memcmp(hash, m->digest, hash_len) != 0) {
			char registered[2 * 64 + 1], received[2 * 64 + 1];

			hex_text(hash, hash_len, registered, sizeof(registered));
			hex_text(m->digest, m->digest_len, received, sizeof(received));
			note(&r, "PCR %u event %lld: digest differs from the registered value (registered %s, "
			     "received %s)", m->pcr, (long long)seq, registered, received);
		}
	}
	db_stmt_done(db, stmt);
	if (rc != TS_OK)
		return rc;

	if (r.stored == 0) {
		if (allow_register && count > 0) {
			rc = register_all(db, component, device, algo, meas, count);
			if (rc != TS_OK)
				return rc;
			r.registered = true;
		}
	} else if (count > r.stored) {
		/* One difference per measurement the references do not have. */
		for (size_t i = r.stored; i < count; i++)
			note(&r, "PCR %u event %zu: not registered (%zu measurements received, %zu registered)",
			     meas[i].pcr, i + 1, count, r.stored);
	}
	*out = r;
	return TS_OK;
}
