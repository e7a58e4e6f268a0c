/*
 * Linux IMA evidence against reference file digests.
 *
 * strongSwan's IMC sends one Simple Component Evidence per IMA record: the
 * measurement is the template hash in the PCR bank's algorithm, and the
 * policy URI names the file as "<algo>:<path>" (ima-ng) or "<path>" (the
 * legacy ima template). Reference digests are file digests (file_hashes,
 * lowercase hex), so each candidate is turned into the template hash it
 * would give and compared with the measurement.
 *
 * A file without any reference is "unknown", with references none of which
 * match it "differs", and a name that cannot be read "failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "attest/meas_algo.h"
#include "imvatt.h"
#include "log.h"

/* Buffer the legacy ima template hashes its file name in. */
#define IMVATT_IMA_LEGACY_NAME_LEN 256

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int imvatt_ima_template_hash(uint16_t bank_algo, const char *digest_algo, const uint8_t *digest, size_t digest_len,
			     const char *name, bool empty_sig, uint8_t *out, size_t *out_len)
{
	const EVP_MD *md = meas_algo_evp_md(bank_algo);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t name_len = strlen(name);
	unsigned int len = 0;
	uint8_t le[4];
	int ok;

	if (!md || !ctx) {
		EVP_MD_CTX_free(ctx);
		return md ? TS_E_NOMEM : TS_E_UNSUPPORTED;
	}
	ok = EVP_DigestInit_ex(ctx, md, NULL);
	if (digest_algo) {
		/* ima-ng: le32(len) "algo" ':' NUL digest, then le32(len) name NUL. */
		size_t algo_len = strlen(digest_algo);

		put_le32(le, (uint32_t)(algo_len + 2 + digest_len));
		ok = ok && EVP_DigestUpdate(ctx, le, 4) && EVP_DigestUpdate(ctx, digest_algo, algo_len) &&
		     EVP_DigestUpdate(ctx, ":", 2) && EVP_DigestUpdate(ctx, digest, digest_len);
		put_le32(le, (uint32_t)(name_len + 1));
		ok = ok && EVP_DigestUpdate(ctx, le, 4) && EVP_DigestUpdate(ctx, name, name_len + 1);
		/* ima-sig adds a third field, the signature: le32(0) when the file has none. */
		if (empty_sig) {
			put_le32(le, 0);
			ok = ok && EVP_DigestUpdate(ctx, le, 4);
		}
	} else {
		/* Legacy ima: d (20 octets), then the name zero-filled to 256 octets. */
		uint8_t buf[IMVATT_IMA_LEGACY_NAME_LEN] = { 0 };

		memcpy(buf, name, name_len < sizeof(buf) ? name_len : sizeof(buf));
		ok = ok && EVP_DigestUpdate(ctx, digest, digest_len) && EVP_DigestUpdate(ctx, buf, sizeof(buf));
	}
	ok = ok && EVP_DigestFinal_ex(ctx, out, &len);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return TS_E_CRYPTO;
	*out_len = len;
	return TS_OK;
}

int imvatt_ima_template_matches(uint16_t bank_algo, const char *digest_algo, const uint8_t *digest,
				size_t digest_len, const char *name, const uint8_t *expected, size_t expected_len,
				bool *match)
{
	uint8_t tmpl[64];
	size_t tmpl_len = 0;
	int rc;

	*match = false;
	/* ima-ng, then ima-sig of an unsigned file; the legacy ima template has one form. */
	for (int sig = 0; sig < (digest_algo ? 2 : 1) && !*match; sig++) {
		rc = imvatt_ima_template_hash(bank_algo, digest_algo, digest, digest_len, name, sig == 1, tmpl,
					      &tmpl_len);
		if (rc != TS_OK)
			return rc;
		*match = tmpl_len == expected_len && memcmp(tmpl, expected, tmpl_len) == 0;
	}
	return TS_OK;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes exactly `len` octets of hex; false for anything else. */
static bool hex_decode(const char *hex, uint8_t *out, size_t len)
{
	if (!hex || strlen(hex) != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

typedef enum ref_verdict { REF_OK, REF_UNKNOWN, REF_DIFFER } ref_verdict;

/*
 * Looks path up in file_hashes and compares the template hash of each
 * reference digest under the recorded file name with m.
 */
static int check_path(sqlite3_stmt *stmt, db_t *db, int64_t product, uint16_t bank_algo, uint16_t file_algo,
		      const char *digest_algo, const char *path, const char *name, const imvatt_meas *m,
		      ref_verdict *out)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	size_t dir_len;
	bool row = false, any = false;
	int rc;

	if (!slash)
		return TS_E_INVALID;
	dir_len = slash == path ? 1 : (size_t)(slash - path);
	if (dir_len >= sizeof(dir))
		return TS_E_INVALID;
	memcpy(dir, path, dir_len);
	dir[dir_len] = '\0';

	sqlite3_reset(stmt);
	sqlite3_bind_int64(stmt, 1, product);
	sqlite3_bind_int(stmt, 2, file_algo);
	sqlite3_bind_text(stmt, 3, dir, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 4, slash + 1, -1, SQLITE_TRANSIENT);
	*out = REF_UNKNOWN;
	while ((rc = db_step(db, stmt, &row)) == TS_OK && row) {
		uint8_t digest[64];
		size_t len = meas_algo_digest_len(file_algo);
		bool match = false;

		any = true;
		if (!hex_decode((const char *)sqlite3_column_text(stmt, 0), digest, len))
			continue;
		rc = imvatt_ima_template_matches(bank_algo, digest_algo, digest, len, name, m->digest,
						 m->digest_len, &match);
		if (rc != TS_OK)
			return rc;
		if (match) {
			*out = REF_OK;
			return TS_OK;
		}
	}
	if (rc == TS_OK && any)
		*out = REF_DIFFER;
	return rc;
}

/* The same path with a symlinked directory prefix swapped ("/bin/x" <-> "/usr/bin/x"), or false. */
static bool swap_prefix(const ita_attr_symlinks *links, size_t i, bool forward, const char *path, char *out,
			size_t size)
{
	const ita_attr_symlink *l = &links->links[i];
	const pts_bytes *from = forward ? &l->symlink : &l->dir;
	const pts_bytes *to = forward ? &l->dir : &l->symlink;
	size_t n = strlen(path);

	if (n <= from->len || memcmp(path, from->data, from->len) != 0 || path[from->len] != '/')
		return false;
	if (to->len + n - from->len + 1 > size)
		return false;
	memcpy(out, to->data, to->len);
	memcpy(out + to->len, path + from->len, n - from->len + 1);
	return true;
}

static void first_problem(imvatt_ima_counts *c, const char *what, const char *path)
{
	char esc[256];

	if (!c->first_problem[0])
		snprintf(c->first_problem, sizeof(c->first_problem), "%s %s", log_escape(esc, sizeof(esc), path,
			 strlen(path)), what);
}

int imvatt_ima_check_files(db_t *db, int64_t product, uint16_t bank_algo, const imvatt_meas *meas, size_t count,
			   const ita_attr_symlinks *links, imvatt_ima_counts *out)
{
	imvatt_ima_counts c = { 0 };
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = db_stmt(db, "SELECT fh.hash FROM file_hashes AS fh JOIN files AS f ON fh.file = f.id "
			"JOIN directories AS d ON f.dir = d.id JOIN versions AS v ON fh.version = v.id "
			"WHERE v.product = ? AND fh.algo = ? AND d.path = ? AND f.name = ? ORDER BY v.time DESC", &stmt);
	if (rc != TS_OK)
		return rc;
	for (size_t i = 0; i < count && rc == TS_OK; i++) {
		const char *uri = meas[i].name;
		const char *colon = uri[0] == '/' ? NULL : strchr(uri, ':');
		char algo[16] = "", alt[4096];
		const char *path = colon ? colon + 1 : uri;
		uint16_t file_algo = MEAS_ALGO_SHA1;
		ref_verdict v = REF_UNKNOWN;

		if (colon) {
			size_t n = (size_t)(colon - uri);

			if (n >= sizeof(algo) || (n > 0 && meas_algo_from_name(memcpy(algo, uri, n), &file_algo) != TS_OK)) {
				c.failed++;
				first_problem(&c, "names an unknown digest algorithm", uri);
				continue;
			}
		}
		if (path[0] != '/') {
			c.failed++;
			first_problem(&c, "is not an absolute path", uri);
			continue;
		}
		rc = check_path(stmt, db, product, bank_algo, file_algo, colon ? algo : NULL, path, path, &meas[i], &v);
		for (size_t k = 0; rc == TS_OK && v == REF_UNKNOWN && links && k < links->count; k++)
			for (int dir = 0; dir < 2 && rc == TS_OK && v == REF_UNKNOWN; dir++)
				if (swap_prefix(links, k, dir == 0, path, alt, sizeof(alt)))
					rc = check_path(stmt, db, product, bank_algo, file_algo, colon ? algo : NULL,
							alt, path, &meas[i], &v);
		if (rc == TS_E_INVALID) {
			c.failed++;
			first_problem(&c, "cannot be split into directory and name", uri);
			rc = TS_OK;
			continue;
		}
		if (rc != TS_OK)
			break;
		if (v == REF_OK) {
			c.ok++;
		} else if (v == REF_DIFFER) {
			c.differ++;
			first_problem(&c, "differs from its reference digests", path);
		} else {
			c.unknown++;
			first_problem(&c, "has no reference digest", path);
		}
	}
	db_stmt_done(db, stmt);
	if (rc == TS_OK)
		*out = c;
	return rc;
}
