#include "ts_error.h"

const char *ts_strerror(int code)
{
	switch ((ts_error)code) {
	case TS_OK:            return "success";
	case TS_E_TRUNCATED:   return "input truncated";
	case TS_E_TRAILING:    return "unexpected trailing bytes";
	case TS_E_INVALID:     return "invalid value";
	case TS_E_UNSUPPORTED: return "not supported";
	case TS_E_TOO_LARGE:   return "size limit exceeded";
	case TS_E_NOMEM:       return "out of memory";
	case TS_E_IO:          return "input/output error";
	case TS_E_NOT_FOUND:   return "not found";
	case TS_E_STATE:       return "not allowed in this state";
	case TS_E_CRYPTO:      return "cryptographic operation failed";
	case TS_E_VERIFY:      return "verification failed";
	case TS_E_TPM:         return "TPM error";
	case TS_E_DB:          return "database error";
	case TS_E_BUSY:        return "resource busy";
	case TS_E_TIMEOUT:     return "timed out";
	case TS_E_PROTOCOL:    return "protocol violation";
	case TS_E_CONFIG:      return "invalid configuration";
	case TS_E_CLOSED:      return "connection closed by peer";
	}
	return "unknown error";
}
