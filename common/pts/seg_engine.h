/*
 * IF-M segmentation engine for one (PA message type, contract): splits
 * outgoing attributes into Segment Envelopes and reassembles incoming ones
 * (TCG IF-M Segmentation 1.0, procedure as in strongSwan 6.0.6 seg_env.c).
 *
 * Sender (the contract responder): seg_engine_split() returns the first
 * envelope (flags S|M) to send in place of the base attribute; each Next
 * Segment the peer sends yields one more envelope from seg_engine_next(),
 * M set while more follows, flags 0 on the last.
 *
 * Receiver (the contract issuer): seg_engine_receive() takes one envelope.
 * Until the last segment, its result tells the caller to send a Next Segment
 * for the Base Message ID. The last segment returns the whole base attribute.
 *
 * Everything the peer controls is bounded by seg_limits. Each rejected
 * envelope drops its reassembly and fills a seg_error with the PA-TNC error
 * to send: code Invalid Parameter, the offset of the offending field within
 * the envelope's value (the caller adds the envelope's position in its
 * PA-TNC message) and the Base Message ID.
 */
#ifndef SEG_ENGINE_H
#define SEG_ENGINE_H

#include <stdbool.h>

#include "seg_contract.h"

/* IETF PA-TNC error code (RFC 5792) sent for every rejected envelope. */
#define SEG_ENGINE_PA_ERROR_INVALID_PARAMETER 1u

typedef struct seg_limits {
	uint32_t max_msg_size;   /* largest base attribute accepted, header included */
	uint32_t max_seg_size;   /* largest segment value accepted */
	size_t max_reasm_size;   /* octets buffered across all reassemblies */
	uint32_t max_segments;   /* segments of one message, in either direction */
	uint32_t max_time_ms;    /* from first to last segment of one message */
	uint32_t max_pending;    /* messages in reassembly, and outgoing, at once */
} seg_limits;

/* Defaults: 16 MiB messages and buffer, 4096 segments, 60 s, 8 pending. */
#define SEG_ENGINE_DEFAULT_MAX_MSG_SIZE (16u * 1024 * 1024)
#define SEG_ENGINE_DEFAULT_MAX_REASM_SIZE (16u * 1024 * 1024)
#define SEG_ENGINE_DEFAULT_MAX_SEGMENTS 4096u
#define SEG_ENGINE_DEFAULT_MAX_TIME_MS 60000u
#define SEG_ENGINE_DEFAULT_MAX_PENDING 8u

typedef struct seg_engine seg_engine;

typedef struct seg_error {
	uint32_t pa_error_code;  /* SEG_ENGINE_PA_ERROR_INVALID_PARAMETER */
	size_t offset;           /* within the envelope value */
	uint32_t base_msg_id;
	const char *reason;      /* static text for the log line */
} seg_error;

typedef struct seg_rx_result {
	bool complete;           /* false: send Next Segment for base_msg_id */
	uint32_t base_msg_id;
	/* Set when complete: the reassembled base attribute. */
	uint8_t attr_flags;
	uint32_t attr_vendor;
	uint32_t attr_type;
	uint8_t *value;          /* malloc()ed, the caller frees it; NULL when empty */
	size_t value_len;
} seg_rx_result;

void seg_engine_default_limits(seg_limits *limits);

/*
 * Creates an engine for contract c (copied). Returns NULL when out of memory
 * or when max_pending or max_segments is 0.
 */
seg_engine *seg_engine_create(const seg_contract *c, const seg_limits *limits);
void seg_engine_destroy(seg_engine *e);

/* The contract in use; a later Contract Request may update it. */
void seg_engine_set_contract(seg_engine *e, const seg_contract *c);

/*
 * Sender: prepares one base attribute. When the contract does not require
 * segmentation, sets *segmented to false and writes nothing: send the
 * attribute whole. Otherwise writes the value of the first Segment Envelope
 * to env, sets *segmented and *base_msg_id, and keeps the rest for
 * seg_engine_next(). room is the number of octets left in the PA-TNC message
 * being built (SIZE_MAX when unknown); the first segment is cut to fit it.
 * Returns TS_E_TOO_LARGE when the attribute exceeds the contract's Max
 * Message Size, needs more than max_segments segments or the room is too
 * small, and TS_E_BUSY when max_pending messages are already outgoing.
 */
TS_MUST_CHECK int seg_engine_split(seg_engine *e, uint8_t attr_flags, uint32_t attr_vendor,
				   uint32_t attr_type, const uint8_t *value, size_t len,
				   size_t room, writer_t *env, bool *segmented,
				   uint32_t *base_msg_id);

/*
 * Sender: handles a Next Segment request. Writes the next envelope value to env and
 * sets *last when it is the final one (or when the request cancels, in which
 * case nothing is written). Returns TS_E_NOT_FOUND with err filled for a
 * Base Message ID that has nothing outgoing.
 */
TS_MUST_CHECK int seg_engine_next(seg_engine *e, const seg_attr_next *req, writer_t *env,
				  bool *last, seg_error *err);

/*
 * Receiver: takes one Segment Envelope at time now_ms (any monotonic clock in
 * milliseconds). On TS_OK, out->complete tells whether the base attribute is complete.
 * On failure (TS_E_PROTOCOL, TS_E_TOO_LARGE, TS_E_TIMEOUT, TS_E_NOMEM) the
 * reassembly of that Base Message ID is dropped and err says what to send.
 */
TS_MUST_CHECK int seg_engine_receive(seg_engine *e, const seg_attr_env *env, uint64_t now_ms,
				     seg_rx_result *out, seg_error *err);

/* Receiver: drops a reassembly, as after sending a cancelling Next Segment. */
void seg_engine_cancel(seg_engine *e, uint32_t base_msg_id);

/* Drops reassemblies older than max_time_ms; returns how many. */
size_t seg_engine_expire(seg_engine *e, uint64_t now_ms);

/* Octets buffered in reassemblies, and messages in reassembly / outgoing. */
size_t seg_engine_buffered(const seg_engine *e);
size_t seg_engine_rx_pending(const seg_engine *e);
size_t seg_engine_tx_pending(const seg_engine *e);

/*
 * Writes the 8 octets that stand for the "offending message header" in a
 * PA-TNC Error about a reassembled attribute: FF FF FF FF and the 32-bit
 * Base Message ID (strongSwan's convention).
 */
void seg_engine_error_header(uint32_t base_msg_id, uint8_t out[8]);

#endif
