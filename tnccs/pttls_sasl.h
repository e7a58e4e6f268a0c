/*
 * SASL PLAIN (RFC 4616) for PT-TLS, and the user file the server checks
 * PLAIN credentials against.
 *
 * User file: one "name:password" per line; '#' starts a comment line. The
 * password is either plain text or "{SHA256}SALT$HEX", where HEX is the
 * SHA-256 digest of SALT followed by the password, in lower-case hex.
 */
#ifndef PTTLS_SASL_H
#define PTTLS_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define PTTLS_SASL_PLAIN "PLAIN"
/* RFC 4616 limits authcid and passwd to 255 octets each. */
#define PTTLS_SASL_PLAIN_FIELD_MAX 255
/* Most users one user file may hold. */
#define PTTLS_USERDB_MAX_USERS 100000

typedef struct pttls_userdb pttls_userdb;

/* A decoded PLAIN message; pointers point into the message. */
typedef struct pttls_sasl_plain {
	const uint8_t *authzid;
	size_t authzid_len;
	const uint8_t *authcid;
	size_t authcid_len;
	const uint8_t *passwd;
	size_t passwd_len;
} pttls_sasl_plain;

/*
 * PLAIN message (RFC 4616 §2):  [authzid] NUL authcid NUL passwd
 * authcid and passwd must be 1..255 octets and contain no NUL.
 */
TS_MUST_CHECK int pttls_sasl_plain_parse(const uint8_t *data, size_t len, pttls_sasl_plain *out);
TS_MUST_CHECK int pttls_sasl_plain_build(writer_t *w, const char *user, const char *password);

/* Loads a user file; TS_E_NOT_FOUND if it is missing, TS_E_CONFIG on a bad line. */
TS_MUST_CHECK int pttls_userdb_load(const char *path, pttls_userdb **out);
void pttls_userdb_free(pttls_userdb *db);
/* Checks a user name and password; compares secrets in constant time. */
bool pttls_userdb_verify(const pttls_userdb *db, const uint8_t *user, size_t user_len,
			 const uint8_t *password, size_t password_len);

#endif
