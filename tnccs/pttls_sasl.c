#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "log.h"
#include "pttls_sasl.h"
#include "reader.h"

#define USERDB_LINE_MAX 1024
#define SHA256_PREFIX "{SHA256}"

typedef struct userdb_entry {
	char *name;
	char *salt;          /* NULL for a plain-text password */
	char *secret;        /* the password, or the lower-case hex digest */
} userdb_entry;

struct pttls_userdb {
	userdb_entry *users;
	size_t count;
};

/* Finds the next NUL in [from, len), or len if there is none. */
static size_t find_nul(const uint8_t *data, size_t from, size_t len)
{
	const uint8_t *p = from < len ? memchr(data + from, 0, len - from) : NULL;

	return p ? (size_t)(p - data) : len;
}

int pttls_sasl_plain_parse(const uint8_t *data, size_t len, pttls_sasl_plain *out)
{
	size_t first, second;
	pttls_sasl_plain p;
	reader_t r;

	if (!data || len == 0)
		return TS_E_TRUNCATED;
	first = find_nul(data, 0, len);
	if (first == len)
		return TS_E_INVALID;
	second = find_nul(data, first + 1, len);
	if (second == len)
		return TS_E_INVALID;

	reader_init(&r, data, len);
	p.authzid_len = first;
	p.authcid_len = second - first - 1;
	p.passwd_len = len - second - 1;
	if (reader_bytes(&r, p.authzid_len, &p.authzid) != TS_OK || reader_skip(&r, 1) != TS_OK ||
	    reader_bytes(&r, p.authcid_len, &p.authcid) != TS_OK || reader_skip(&r, 1) != TS_OK ||
	    reader_bytes(&r, p.passwd_len, &p.passwd) != TS_OK)
		return TS_E_TRUNCATED;
	/* A third NUL would sit inside passwd. */
	if (memchr(p.passwd, 0, p.passwd_len))
		return TS_E_INVALID;
	if (p.authcid_len < 1 || p.authcid_len > PTTLS_SASL_PLAIN_FIELD_MAX ||
	    p.passwd_len < 1 || p.passwd_len > PTTLS_SASL_PLAIN_FIELD_MAX ||
	    p.authzid_len > PTTLS_SASL_PLAIN_FIELD_MAX)
		return TS_E_INVALID;

	*out = p;
	return TS_OK;
}

int pttls_sasl_plain_build(writer_t *w, const char *user, const char *password)
{
	size_t ulen = strlen(user), plen = strlen(password);

	if (ulen < 1 || ulen > PTTLS_SASL_PLAIN_FIELD_MAX || plen < 1 || plen > PTTLS_SASL_PLAIN_FIELD_MAX)
		return TS_E_INVALID;
	/* No authorization identity (RFC 6876 §3.8.2). */
	writer_u8(w, 0);
	writer_bytes(w, user, ulen);
	writer_u8(w, 0);
	return writer_bytes(w, password, plen);
}

void pttls_userdb_free(pttls_userdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->count; i++) {
		free(db->users[i].name);
		free(db->users[i].salt);
		if (db->users[i].secret)
			OPENSSL_cleanse(db->users[i].secret, strlen(db->users[i].secret));
		free(db->users[i].secret);
	}
	free(db->users);
	free(db);
}

static bool is_lower_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Splits "name:password" into an entry; returns false on a malformed line. */
static bool parse_line(char *line, userdb_entry *e)
{
	char *colon = strchr(line, ':');
	char *secret, *dollar;

	if (!colon || colon == line)
		return false;
	*colon = '\0';
	secret = colon + 1;
	if (*secret == '\0')
		return false;

	e->name = strdup(line);
	if (strncmp(secret, SHA256_PREFIX, strlen(SHA256_PREFIX)) == 0) {
		secret += strlen(SHA256_PREFIX);
		dollar = strchr(secret, '$');
		if (!dollar || strlen(dollar + 1) != 64 || !is_lower_hex(dollar + 1, 64))
			return false;
		*dollar = '\0';
		e->salt = strdup(secret);
		e->secret = strdup(dollar + 1);
		return e->name && e->salt && e->secret;
	}
	e->salt = NULL;
	e->secret = strdup(secret);
	return e->name && e->secret;
}

int pttls_userdb_load(const char *path, pttls_userdb **out)
{
	char line[USERDB_LINE_MAX];
	pttls_userdb *db = NULL;
	unsigned lineno = 0;
	struct stat st;
	FILE *f = NULL;
	int rc = TS_E_CONFIG;

	f = fopen(path, "r");
	if (!f) {
		log_error(LOG_SUBSYS_CFG, "cannot open SASL user file %s: %s", path, strerror(errno));
		rc = errno == ENOENT ? TS_E_NOT_FOUND : TS_E_IO;
		goto out;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & S_IROTH))
		log_error(LOG_SUBSYS_CFG, "SASL user file %s is readable by all users; chmod o-r it", path);

	db = calloc(1, sizeof(*db));
	if (!db) {
		rc = TS_E_NOMEM;
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		userdb_entry e = { 0 };
		userdb_entry *grown;

		lineno++;
		if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
			log_error(LOG_SUBSYS_CFG, "%s:%u: line longer than %d characters", path, lineno,
				  USERDB_LINE_MAX - 1);
			goto out;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (db->count == PTTLS_USERDB_MAX_USERS) {
			log_error(LOG_SUBSYS_CFG, "%s:%u: more than %d users", path, lineno, PTTLS_USERDB_MAX_USERS);
			goto out;
		}
		grown = realloc(db->users, (db->count + 1) * sizeof(*grown));
		if (!grown) {
			rc = TS_E_NOMEM;
			goto out;
		}
		db->users = grown;
		if (!parse_line(line, &e)) {
			free(e.name);
			free(e.salt);
			free(e.secret);
			OPENSSL_cleanse(line, sizeof(line));
			log_error(LOG_SUBSYS_CFG, "%s:%u: expected name:password or name:{SHA256}SALT$HEX",
				  path, lineno);
			goto out;
		}
		db->users[db->count++] = e;
		OPENSSL_cleanse(line, sizeof(line));
	}
	*out = db;
	db = NULL;
	rc = TS_OK;
out:
	if (f)
		fclose(f);
	pttls_userdb_free(db);
	return rc;
}

/* Hex SHA-256 of salt || password into hex (65 bytes). */
static bool sha256_hex(const char *salt, const uint8_t *password, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, salt, strlen(salt)) == 1 &&
	     EVP_DigestUpdate(ctx, password, len) == 1 &&
	     EVP_DigestFinal_ex(ctx, md, &md_len) == 1 && md_len == 32;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return false;
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return true;
}

bool pttls_userdb_verify(const pttls_userdb *db, const uint8_t *user, size_t user_len,
			 const uint8_t *password, size_t password_len)
{
	for (size_t i = 0; i < db->count; i++) {
		const userdb_entry *e = &db->users[i];
		char hex[65];
		bool ok;

		if (strlen(e->name) != user_len || memcmp(e->name, user, user_len) != 0)
			continue;
		if (!e->salt) {
			ok = strlen(e->secret) == password_len &&
			     CRYPTO_memcmp(e->secret, password, password_len) == 0;
			return ok;
		}
		if (!sha256_hex(e->salt, password, password_len, hex))
			return false;
		ok = CRYPTO_memcmp(hex, e->secret, 64) == 0;
		OPENSSL_cleanse(hex, sizeof(hex));
		return ok;
	}
	return false;
}
