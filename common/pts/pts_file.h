/*
 * File attributes of the TCG PTS IF-M binding 1.0, with the layouts of
 * strongSwan 6.0.6 (tcg_pts_attr_req_file_meas.c, _file_meas.c,
 * _req_file_meta.c, _unix_file_meta.c).
 *
 * Request File Measurement (0x00C00000):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |D|   Flags     |   Reserved    |          Request ID           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Delimiter                            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Fully Qualified File Pathname (rest) ...           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * File Measurement (0x00D00000):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Number of Files included (8 octets)            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Request ID           |      Measurement Length M     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  per file: Measurement (M), Filename Length (2), Filename ... |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Request File Metadata (0x00700000); the delimiter is one octet here:
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |D|   Flags     |   Delimiter   |           Reserved            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Fully Qualified File Pathname (rest) ...           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Unix-Style File Metadata (0x00900000):
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Number of Files included (8 octets)            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  per file:                                                    |
 *  |  Record Length (2) = 52 + filename length | Type | Reserved   |
 *  |  File Size, Create Time, Last Modify Time, Last Access Time,  |
 *  |  Owner ID, Group ID (8 octets each), Filename ...             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Paths and file names carry no NUL. The file count is checked against the
 * octets left and against PTS_FILE_MAX_FILES before anything is allocated.
 */
#ifndef PTS_FILE_H
#define PTS_FILE_H

#include <stdbool.h>

#include "pts_attr.h"

/* Files accepted in one File Measurement or Unix-Style File Metadata. */
#define PTS_FILE_MAX_FILES 65536

#define PTS_FILE_FLAG_DIRECTORY 0x80u
#define PTS_FILE_DELIM_SLASH 0x2Fu
#define PTS_FILE_DELIM_BACKSLASH 0x5Cu

#define PTS_FILE_META_RECORD_FIXED 52

/* Unix file types. */
enum pts_file_type {
	PTS_FILE_OTHER = 0,
	PTS_FILE_FIFO = 1,
	PTS_FILE_CHAR = 2,
	PTS_FILE_DIR = 4,
	PTS_FILE_BLOCK = 6,
	PTS_FILE_REGULAR = 8,
	PTS_FILE_SYMLINK = 10,
	PTS_FILE_SOCKET = 12,
};

typedef struct pts_file_req_meas {
	bool directory;          /* measure every file in the directory */
	uint16_t request_id;
	uint32_t delimiter;
	pts_bytes path;          /* non-empty, no NUL */
} pts_file_req_meas;

typedef struct pts_file_meas_entry {
	pts_bytes measurement;
	pts_bytes filename;
} pts_file_meas_entry;

typedef struct pts_file_meas {
	uint16_t request_id;
	uint16_t meas_len;       /* the same for every file */
	size_t count;
	pts_file_meas_entry *files;  /* owned, free with pts_file_meas_free() */
} pts_file_meas;

typedef struct pts_file_req_meta {
	bool directory;
	uint8_t delimiter;
	pts_bytes path;          /* non-empty, no NUL */
} pts_file_req_meta;

typedef struct pts_file_meta_entry {
	uint8_t type;            /* enum pts_file_type */
	uint64_t size;
	uint64_t created;        /* Unix seconds */
	uint64_t modified;
	uint64_t accessed;
	uint64_t owner;
	uint64_t group;
	pts_bytes filename;
} pts_file_meta_entry;

typedef struct pts_file_meta {
	size_t count;
	pts_file_meta_entry *files;  /* owned, free with pts_file_meta_free() */
} pts_file_meta;

TS_MUST_CHECK int pts_file_req_meas_encode(const pts_file_req_meas *req, writer_t *w);
TS_MUST_CHECK int pts_file_req_meas_decode(const uint8_t *value, size_t len,
					   pts_file_req_meas *out, size_t *bad_offset);

TS_MUST_CHECK int pts_file_meas_encode(const pts_file_meas *meas, writer_t *w);
TS_MUST_CHECK int pts_file_meas_decode(const uint8_t *value, size_t len, pts_file_meas *out,
				       size_t *bad_offset);
void pts_file_meas_free(pts_file_meas *meas);

TS_MUST_CHECK int pts_file_req_meta_encode(const pts_file_req_meta *req, writer_t *w);
TS_MUST_CHECK int pts_file_req_meta_decode(const uint8_t *value, size_t len,
					   pts_file_req_meta *out, size_t *bad_offset);

TS_MUST_CHECK int pts_file_meta_encode(const pts_file_meta *meta, writer_t *w);
TS_MUST_CHECK int pts_file_meta_decode(const uint8_t *value, size_t len, pts_file_meta *out,
				       size_t *bad_offset);
void pts_file_meta_free(pts_file_meta *meta);

#endif
