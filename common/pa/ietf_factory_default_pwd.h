/*
 * IETF Factory Default Password Enabled (RFC 5792 section 4.2.12), 4 octets.
 *
 *     0                   1                   2                   3
 *    +---------------------------------------------------------------+
 *    |               Factory Default Password Enabled                |
 *    +---------------------------------------------------------------+
 *
 * 0 no factory default password is enabled, 1 one is enabled.
 */
#ifndef IETF_FACTORY_DEFAULT_PWD_H
#define IETF_FACTORY_DEFAULT_PWD_H

#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_FACTORY_DEFAULT_PWD_LEN 4

enum {
	IETF_FACTORY_DEFAULT_PWD_DISABLED = 0,
	IETF_FACTORY_DEFAULT_PWD_ENABLED = 1,
};

TS_MUST_CHECK int ietf_factory_default_pwd_decode(const uint8_t *value, size_t len,
						  uint32_t *out, size_t *bad_offset);
int ietf_factory_default_pwd_validate(const uint8_t *value, size_t len, size_t *bad_offset);
/* TS_E_INVALID above 1. */
TS_MUST_CHECK int ietf_factory_default_pwd_encode(uint32_t enabled, writer_t *w);

#endif
