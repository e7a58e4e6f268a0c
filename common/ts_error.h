/*
 * Result codes shared by every tncsuite library function.
 *
 * Functions return TS_OK (zero) on success and one of the negative codes below
 * on failure; ts_strerror() turns a code into text for log lines.
 */
#ifndef TS_ERROR_H
#define TS_ERROR_H

#define TS_MUST_CHECK __attribute__((warn_unused_result))

typedef enum ts_error {
	TS_OK = 0,
	TS_E_TRUNCATED = -1,    /* input ended before the field did */
	TS_E_TRAILING = -2,     /* unexpected bytes after the last field */
	TS_E_INVALID = -3,      /* a field holds a value the format forbids */
	TS_E_UNSUPPORTED = -4,  /* valid, but not implemented or not enabled */
	TS_E_TOO_LARGE = -5,    /* a size or count exceeds its configured limit */
	TS_E_NOMEM = -6,        /* memory allocation failed */
	TS_E_IO = -7,           /* a read, write or socket call failed (see errno) */
	TS_E_NOT_FOUND = -8,    /* a file, key, row or handle does not exist */
	TS_E_STATE = -9,        /* the call is not allowed in the current state */
	TS_E_CRYPTO = -10,      /* an OpenSSL operation failed */
	TS_E_VERIFY = -11,      /* a signature, digest or nonce did not match */
	TS_E_TPM = -12,         /* the TPM or tpm2-tss returned an error */
	TS_E_DB = -13,          /* the database returned an error */
	TS_E_BUSY = -14,        /* a resource stayed busy past its time limit */
	TS_E_TIMEOUT = -15,     /* an operation did not finish in time */
	TS_E_PROTOCOL = -16,    /* the peer broke the protocol */
	TS_E_CONFIG = -17,      /* a configuration file or value is invalid */
	TS_E_CLOSED = -18,      /* the peer closed the connection */
} ts_error;

/* Returns a static, human-readable description of a ts_error code. */
const char *ts_strerror(int code);

#endif
