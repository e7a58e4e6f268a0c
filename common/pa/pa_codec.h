/*
 * Helpers shared by the attribute codecs of this directory (not a public
 * interface).
 */
#ifndef PA_CODEC_H
#define PA_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Stores the offset of a bad field when the caller asked for it, and returns rc. */
static inline int pa_codec_fail(size_t *bad_offset, size_t offset, int rc)
{
	if (bad_offset)
		*bad_offset = offset;
	return rc;
}

/*
 * Index of the first NUL octet in s, or len if there is none.
 * NOTE: the codecs check UTF-8 strings for NUL octets only, not for valid
 * UTF-8 sequences.
 */
static inline size_t pa_codec_find_nul(const uint8_t *s, size_t len)
{
	const uint8_t *nul = len ? memchr(s, 0, len) : NULL;

	return nul ? (size_t)(nul - s) : len;
}

#endif
