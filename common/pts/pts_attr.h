/*
 * Numbers shared by the TCG PTS, IF-M segmentation and ITA-HSR attribute
 * codecs in common/pts/.
 *
 * Sources: TCG "Attestation PTS Protocol: Binding to TNC IF-M" v1.0 (type
 * numbers and layouts as strongSwan 6.0.6 implements them), TCG "IF-M
 * Segmentation" 1.0, and strongSwan's private ITA-HSR namespace (PEN 36906).
 * All integers on the wire are big-endian.
 *
 * Every codec in this directory has the same shape: X_encode() appends the
 * attribute value (the 12-octet PA-TNC attribute header excluded) to a
 * writer_t, and X_decode() reads a whole value through common/reader.h,
 * rejects trailing bytes and, on failure, stores the offset of the offending
 * field within the value in *bad_offset. Byte fields of a decoded struct
 * point into the caller's value buffer and stay valid while it lives.
 */
#ifndef PTS_ATTR_H
#define PTS_ATTR_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "ts_error.h"
#include "writer.h"

/* Private Enterprise Numbers of the two attribute namespaces. */
#define PTS_PEN_TCG 0x005597u
#define PTS_PEN_ITA 0x00902Au

/* PA message type of PTS: vendor TCG, subtype 1. */
#define PTS_MSG_SUBTYPE 0x00000001u

/* TCG PTS attribute types (vendor 0x005597). */
enum pts_attr_type {
	PTS_ATTR_REQ_PROTO_CAPS = 0x01000000,
	PTS_ATTR_PROTO_CAPS = 0x02000000,
	PTS_ATTR_DH_NONCE_PARAMS_REQ = 0x03000000,
	PTS_ATTR_DH_NONCE_PARAMS_RESP = 0x04000000,
	PTS_ATTR_DH_NONCE_FINISH = 0x05000000,
	PTS_ATTR_MEAS_ALGO = 0x06000000,
	PTS_ATTR_MEAS_ALGO_SELECTION = 0x07000000,
	PTS_ATTR_GET_TPM_VERSION_INFO = 0x08000000,
	PTS_ATTR_TPM_VERSION_INFO = 0x09000000,
	PTS_ATTR_REQ_TEMPL_REF_MANI_SET_META = 0x0A000000,
	PTS_ATTR_TEMPL_REF_MANI_SET_META = 0x0B000000,
	PTS_ATTR_UPDATE_TEMPL_REF_MANI = 0x0C000000,
	PTS_ATTR_GET_AIK = 0x0D000000,
	PTS_ATTR_AIK = 0x0E000000,
	PTS_ATTR_REQ_FUNC_COMP_EVID = 0x00100000,
	PTS_ATTR_GEN_ATTEST_EVID = 0x00200000,
	PTS_ATTR_SIMPLE_COMP_EVID = 0x00300000,
	PTS_ATTR_SIMPLE_EVID_FINAL = 0x00400000,
	PTS_ATTR_VERIFICATION_RESULT = 0x00500000,
	PTS_ATTR_INTEGRITY_REPORT = 0x00600000,
	PTS_ATTR_REQ_FILE_META = 0x00700000,
	PTS_ATTR_WIN_FILE_META = 0x00800000,
	PTS_ATTR_UNIX_FILE_META = 0x00900000,
	PTS_ATTR_REQ_REGISTRY_VALUE = 0x00A00000,
	PTS_ATTR_REGISTRY_VALUE = 0x00B00000,
	PTS_ATTR_REQ_FILE_MEAS = 0x00C00000,
	PTS_ATTR_FILE_MEAS = 0x00D00000,
	PTS_ATTR_REQ_INTEG_MEAS_LOG = 0x00E00000,
	PTS_ATTR_INTEG_MEAS_LOG = 0x00F00000,
};

/* TCG IF-M segmentation attribute types (vendor 0x005597). */
enum seg_attr_type {
	SEG_ATTR_CONTRACT_REQ = 0x00000021,
	SEG_ATTR_CONTRACT_RESP = 0x00000022,
	SEG_ATTR_ENVELOPE = 0x00000023,
	SEG_ATTR_NEXT_SEGMENT = 0x00000024,
	SEG_ATTR_CANCEL = 0x00000025,
	SEG_ATTR_OVERSIZED_MSG = 0x00000026,
	SEG_ATTR_CONTRACT_EXEMPTION = 0x00000027,
};

/* ITA-HSR attribute types (vendor 0x00902A). */
enum ita_attr_type {
	ITA_ATTR_COMMAND = 1,
	ITA_ATTR_DUMMY = 2,
	ITA_ATTR_GET_SETTINGS = 3,
	ITA_ATTR_SETTINGS = 4,
	ITA_ATTR_START_ANGEL = 5,
	ITA_ATTR_STOP_ANGEL = 6,
	ITA_ATTR_ECHO = 7,
	ITA_ATTR_DEVICE_ID = 8,
	ITA_ATTR_GET_SYMLINKS = 9,
	ITA_ATTR_SYMLINKS = 10,
};

/* PTS protocol capability flags (low bits of a 16-bit field). */
#define PTS_PROTO_CAPS_X 0x0001u  /* XML-based evidence */
#define PTS_PROTO_CAPS_T 0x0002u  /* trusted platform (TPM) evidence */
#define PTS_PROTO_CAPS_D 0x0004u  /* DH nonce negotiation */
#define PTS_PROTO_CAPS_V 0x0008u  /* local verification */
#define PTS_PROTO_CAPS_C 0x0010u  /* current (in-memory) evidence */

/* PTS hash algorithm bits, also the algorithms.id numbers of config.db. */
#define PTS_MEAS_ALGO_NONE 0x0000u
#define PTS_MEAS_ALGO_SHA1 0x8000u
#define PTS_MEAS_ALGO_SHA256 0x4000u
#define PTS_MEAS_ALGO_SHA384 0x2000u
#define PTS_MEAS_ALGO_SHA512 0x1000u
#define PTS_MEAS_ALGO_ALL 0xF000u

/* PTS DH group bits. */
#define PTS_DH_GROUP_MODP1024 0x8000u
#define PTS_DH_GROUP_MODP1536 0x4000u
#define PTS_DH_GROUP_MODP2048 0x2000u
#define PTS_DH_GROUP_ECP256 0x1000u
#define PTS_DH_GROUP_ECP384 0x0800u
#define PTS_DH_GROUP_ALL 0xF800u

/* A byte field of a decoded attribute: a view into the value, not a copy. */
typedef struct pts_bytes {
	const uint8_t *data;
	size_t len;
} pts_bytes;

/*
 * Logs a decode failure at debug level, naming the attribute, the field and
 * its offset, stores the offset in *bad_offset (when not NULL) and returns rc.
 */
int pts_attr_fail(int rc, const char *attr, const char *field, size_t offset,
		  size_t *bad_offset);

/* Digest length of one PTS hash algorithm bit, 0 for none or an unknown value. */
size_t pts_attr_hash_len(uint16_t algo);

/* True when v has exactly one bit set. */
static inline int pts_attr_single_bit(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/*
 * Get TPM Version Information, Get Attestation Identity Key and Generate
 * Attestation Evidence all carry four reserved octets:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           Reserved                            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The encoder writes zeros; the decoder ignores the reserved value but
 * requires exactly four octets.
 */
TS_MUST_CHECK int pts_attr_reserved_encode(writer_t *w);
TS_MUST_CHECK int pts_attr_reserved_decode(const uint8_t *value, size_t len,
					   const char *attr, size_t *bad_offset);

/*
 * Checks that a text field has no NUL octet and, when require_nonempty is
 * set, is not empty. Returns TS_OK or TS_E_INVALID with the offset of the
 * first NUL (or of the field when it is empty) in *bad_offset.
 */
TS_MUST_CHECK int pts_attr_check_text(const uint8_t *text, size_t len, int require_nonempty,
				      size_t *bad_offset);

#endif
