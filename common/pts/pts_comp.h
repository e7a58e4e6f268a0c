/*
 * Component functional names and the evidence requests of the TCG PTS IF-M
 * binding 1.0 (strongSwan's tcg_pts_attr_req_func_comp_evid.c cites 3.14).
 *
 * Component Functional Name, 8 octets embedded in other attributes:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       Component Functional Name Vendor ID     |Fam| Qualifier |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Component Functional Name                    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Family 0 is the binary enumeration (the only one strongSwan accepts; the
 * decoder keeps the value so the platform can answer with PTS error 8).
 * Qualifier: 0x20 K (kernel), 0x10 S (sub-component), low 4 bits the type.
 *
 * Request Functional Component Evidence (0x00100000): one or more entries
 * of 12 octets until the value ends:
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |T|V|C|P| Rsvd  |            Sub-component Depth                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Component Functional Name (8 octets, above) ...        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Generate Attestation Evidence (0x00200000): four reserved octets.
 */
#ifndef PTS_COMP_H
#define PTS_COMP_H

#include "pts_attr.h"

#define PTS_COMP_NAME_LEN 8
#define PTS_COMP_REQ_ENTRY_LEN 12
/* Entries accepted in one Request Functional Component Evidence. */
#define PTS_COMP_REQ_MAX_ENTRIES 256

/* Qualifier bits and types. */
#define PTS_COMP_QUAL_KERNEL 0x20u
#define PTS_COMP_QUAL_SUB 0x10u
#define PTS_COMP_QUAL_TYPE_MASK 0x0Fu
#define PTS_COMP_QUAL_UNKNOWN 0x0u
#define PTS_COMP_QUAL_TRUSTED_PLATFORM 0x1u
#define PTS_COMP_QUAL_OS 0x2u
#define PTS_COMP_QUAL_GUI 0x3u
#define PTS_COMP_QUAL_APP 0x4u
#define PTS_COMP_QUAL_NETWORKING 0x5u
#define PTS_COMP_QUAL_LIBRARY 0x6u
#define PTS_COMP_QUAL_TNC_DEFINED 0x7u
#define PTS_COMP_QUAL_ALL 0xFu
#define PTS_COMP_QUAL_WILDCARD 0x3Fu

/* Names in the TCG namespace. */
#define PTS_COMP_TCG_IGNORE 0u
#define PTS_COMP_TCG_CRTM 1u
#define PTS_COMP_TCG_BIOS 2u
#define PTS_COMP_TCG_PLATFORM_EXT 3u
#define PTS_COMP_TCG_BOARD 4u
#define PTS_COMP_TCG_INIT_LOADER 5u
#define PTS_COMP_TCG_OPT_ROMS 6u

/* Names in the ITA-HSR namespace. */
#define PTS_COMP_ITA_IGNORE 0u
#define PTS_COMP_ITA_TGRUB 1u
#define PTS_COMP_ITA_TBOOT 2u
#define PTS_COMP_ITA_IMA 3u

/* Request flags. */
#define PTS_COMP_REQ_FLAG_T 0x80u  /* transitive trust chain */
#define PTS_COMP_REQ_FLAG_V 0x40u  /* verify locally */
#define PTS_COMP_REQ_FLAG_C 0x20u  /* current evidence */
#define PTS_COMP_REQ_FLAG_P 0x10u  /* PCR information */

typedef struct pts_comp_name {
	uint32_t vendor;     /* 24-bit PEN */
	uint8_t family;      /* 2 bits, 0 = binary enumeration */
	uint8_t qualifier;   /* 6 bits */
	uint32_t name;
} pts_comp_name;

typedef struct pts_comp_req_entry {
	uint8_t flags;       /* PTS_COMP_REQ_FLAG_* */
	uint32_t depth;      /* 24-bit sub-component depth */
	pts_comp_name name;
} pts_comp_req_entry;

typedef struct pts_comp_req {
	size_t count;
	pts_comp_req_entry *entries;  /* owned, free with pts_comp_req_free() */
} pts_comp_req;

/* Appends an 8-octet name; fails for a vendor, family or qualifier out of range. */
TS_MUST_CHECK int pts_comp_name_encode(const pts_comp_name *name, writer_t *w);
/* Reads an 8-octet name from r; on failure *bad_offset is where it starts. */
TS_MUST_CHECK int pts_comp_name_decode(reader_t *r, pts_comp_name *out, size_t *bad_offset);

TS_MUST_CHECK int pts_comp_req_encode(const pts_comp_req *req, writer_t *w);
/* Decodes into a new entry array; the caller frees it with pts_comp_req_free(). */
TS_MUST_CHECK int pts_comp_req_decode(const uint8_t *value, size_t len, pts_comp_req *out,
				      size_t *bad_offset);
void pts_comp_req_free(pts_comp_req *req);

TS_MUST_CHECK int pts_comp_gen_evid_encode(writer_t *w);
TS_MUST_CHECK int pts_comp_gen_evid_decode(const uint8_t *value, size_t len,
					   size_t *bad_offset);

#endif
