/*
 * ITA-HSR attributes (vendor 0x00902A), strongSwan 6.0.6's private
 * namespace; no IETF or TCG specification defines them.
 *
 * Device ID (8) and Get Symlinks (9): the whole value is one UTF-8 string
 * without a NUL octet (a device key, or the directory tree to scan, "/").
 *
 * Symlinks (10):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Number of Symlinks                       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Symlink Length         |  Symlink Path ...             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       Directory Length        |  Directory Path ...           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  (the last two rows once per symlink)
 *
 * Strings are checked to be valid UTF-8 without NUL; paths are non-empty.
 */
#ifndef ITA_ATTR_H
#define ITA_ATTR_H

#include "pts_attr.h"

/* Symlinks accepted in one Symlinks attribute. */
#define ITA_ATTR_MAX_SYMLINKS 65536

typedef struct ita_attr_symlink {
	pts_bytes symlink;
	pts_bytes dir;
} ita_attr_symlink;

typedef struct ita_attr_symlinks {
	size_t count;
	ita_attr_symlink *links;  /* owned, free with ita_attr_symlinks_free() */
} ita_attr_symlinks;

/* Device ID: a non-empty UTF-8 string. */
TS_MUST_CHECK int ita_attr_device_id_encode(const pts_bytes *id, writer_t *w);
TS_MUST_CHECK int ita_attr_device_id_decode(const uint8_t *value, size_t len, pts_bytes *out,
					    size_t *bad_offset);

/* Get Symlinks: a non-empty UTF-8 path. */
TS_MUST_CHECK int ita_attr_get_symlinks_encode(const pts_bytes *path, writer_t *w);
TS_MUST_CHECK int ita_attr_get_symlinks_decode(const uint8_t *value, size_t len,
					       pts_bytes *out, size_t *bad_offset);

TS_MUST_CHECK int ita_attr_symlinks_encode(const ita_attr_symlinks *links, writer_t *w);
TS_MUST_CHECK int ita_attr_symlinks_decode(const uint8_t *value, size_t len,
					   ita_attr_symlinks *out, size_t *bad_offset);
void ita_attr_symlinks_free(ita_attr_symlinks *links);

#endif
