/*
 * IETF Port Filter (RFC 5792 section 4.2.6).
 * The byte diagram is in ietf_port_filter.h.
 */
#include <stdlib.h>

#include "ietf_port_filter.h"
#include "pa_codec.h"
#include "reader.h"

/* B value seen per protocol while checking entries. */
enum { B_UNSEEN = 0, B_ALLOWED, B_BLOCKED };

static int compare_keys(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Checks the per-protocol B rule and duplicate (protocol, port) pairs.
 * Returns the index of the first offending entry, or count. keys has room
 * for count scratch values.
 */
static size_t find_conflict(const ietf_port_filter_entry *entries, size_t count, uint64_t *keys)
{
	uint8_t b_seen[256] = { 0 };
	size_t first_dup = count;

	for (size_t i = 0; i < count; i++) {
		uint8_t b = entries[i].blocked ? B_BLOCKED : B_ALLOWED;
		uint8_t *seen = &b_seen[entries[i].protocol];

		if (*seen != B_UNSEEN && *seen != b)
			return i;
		*seen = b;
	}

	/*
	 * Each key is (protocol, port, index), so after sorting the entries of
	 * one pair are adjacent and in message order: the second one of a run
	 * is the duplicate to report.
	 */
	for (size_t i = 0; i < count; i++)
		keys[i] = (uint64_t)entries[i].protocol << 48 | (uint64_t)entries[i].port << 32 | i;
	qsort(keys, count, sizeof(*keys), compare_keys);
	for (size_t i = 1; i < count; i++) {
		size_t index = (size_t)(keys[i] & UINT32_MAX);

		if (keys[i] >> 32 == keys[i - 1] >> 32 && index < first_dup)
			first_dup = index;
	}
	return first_dup;
}

static int decode_entries(const uint8_t *value, size_t len, ietf_port_filter_entry **ret,
			  size_t *ret_count, size_t *bad_offset)
{
	ietf_port_filter_entry *entries = NULL;
	uint64_t *keys = NULL;
	size_t count, conflict;
	reader_t r;
	int rc = TS_OK;

	if (len == 0)
		return pa_codec_fail(bad_offset, 0, TS_E_TRUNCATED);
	if (len % IETF_PORT_FILTER_ENTRY_LEN != 0)
		return pa_codec_fail(bad_offset, len - len % IETF_PORT_FILTER_ENTRY_LEN,
				     TS_E_TRUNCATED);
	count = len / IETF_PORT_FILTER_ENTRY_LEN;
	/* find_conflict() keeps entry indexes in 32 bits. */
	if (count > UINT32_MAX)
		return pa_codec_fail(bad_offset, 0, TS_E_TOO_LARGE);

	entries = calloc(count, sizeof(*entries));
	keys = calloc(count, sizeof(*keys));
	if (!entries || !keys) {
		rc = TS_E_NOMEM;
		goto out;
	}

	reader_init(&r, value, len);
	for (size_t i = 0; i < count; i++) {
		uint8_t flags;

		if (reader_u8(&r, &flags) != TS_OK || reader_u8(&r, &entries[i].protocol) != TS_OK ||
		    reader_u16(&r, &entries[i].port) != TS_OK) {
			rc = pa_codec_fail(bad_offset, i * IETF_PORT_FILTER_ENTRY_LEN, TS_E_TRUNCATED);
			goto out;
		}
		entries[i].blocked = (flags & IETF_PORT_FILTER_BLOCKED) != 0;
	}

	conflict = find_conflict(entries, count, keys);
	if (conflict < count) {
		rc = pa_codec_fail(bad_offset, conflict * IETF_PORT_FILTER_ENTRY_LEN, TS_E_INVALID);
		goto out;
	}

	if (ret) {
		*ret = entries;
		*ret_count = count;
		entries = NULL;
	}
out:
	free(keys);
	free(entries);
	return rc;
}

int ietf_port_filter_decode(const uint8_t *value, size_t len, ietf_port_filter *out,
			    size_t *bad_offset)
{
	ietf_port_filter pf;
	int rc = decode_entries(value, len, &pf.entries, &pf.count, bad_offset);

	if (rc == TS_OK)
		*out = pf;
	return rc;
}

int ietf_port_filter_validate(const uint8_t *value, size_t len, size_t *bad_offset)
{
	return decode_entries(value, len, NULL, NULL, bad_offset);
}

int ietf_port_filter_encode(const ietf_port_filter_entry *entries, size_t count, writer_t *w)
{
	uint64_t *keys;
	size_t conflict;

	if (count == 0)
		return TS_E_INVALID;
	if (count > UINT32_MAX)
		return TS_E_TOO_LARGE;
	keys = calloc(count, sizeof(*keys));
	if (!keys)
		return TS_E_NOMEM;
	conflict = find_conflict(entries, count, keys);
	free(keys);
	if (conflict < count)
		return TS_E_INVALID;

	for (size_t i = 0; i < count; i++) {
		writer_u8(w, entries[i].blocked ? IETF_PORT_FILTER_BLOCKED : 0);
		writer_u8(w, entries[i].protocol);
		writer_u16(w, entries[i].port);
	}
	return writer_status(w);
}

void ietf_port_filter_free(ietf_port_filter *pf)
{
	if (!pf)
		return;
	free(pf->entries);
	pf->entries = NULL;
	pf->count = 0;
}
