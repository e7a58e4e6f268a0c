/*
 * IETF Port Filter (RFC 5792 section 4.2.6): n >= 1 entries of
 *
 *     0                   1                   2                   3
 *    +-------------+-+---------------+-------------------------------+
 *    |  Reserved   |B|   Protocol    |          Port Number          |
 *    +-------------+-+---------------+-------------------------------+
 *
 * B (0x01) set means blocked. All entries of one protocol share one B
 * value, and a (protocol, port) pair appears at most once.
 */
#ifndef IETF_PORT_FILTER_H
#define IETF_PORT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"
#include "writer.h"

#define IETF_PORT_FILTER_ENTRY_LEN 4
#define IETF_PORT_FILTER_BLOCKED 0x01

typedef struct ietf_port_filter_entry {
	bool blocked;
	uint8_t protocol;   /* IP protocol number: 6 TCP, 17 UDP */
	uint16_t port;
} ietf_port_filter_entry;

typedef struct ietf_port_filter {
	size_t count;
	ietf_port_filter_entry *entries;  /* malloc()ed by the decoder */
} ietf_port_filter;

/* Decodes the value; free the result with ietf_port_filter_free(). */
TS_MUST_CHECK int ietf_port_filter_decode(const uint8_t *value, size_t len,
					  ietf_port_filter *out, size_t *bad_offset);
int ietf_port_filter_validate(const uint8_t *value, size_t len, size_t *bad_offset);
/* TS_E_INVALID for no entries, mixed B values per protocol or duplicates. */
TS_MUST_CHECK int ietf_port_filter_encode(const ietf_port_filter_entry *entries, size_t count,
					  writer_t *w);
void ietf_port_filter_free(ietf_port_filter *pf);

#endif
