/*
 * PB-TNC batches (RFC 5793 section 4.1): parse a received batch into its
 * messages, and build a batch to send.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Version    |D|                 Reserved              | B-Type|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            Batch Length (this header included)                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            PB-TNC messages (pb_msg.h), back to back ...       |
 *
 * Version is 2. D is set when the server sends. The reserved bits are sent as
 * zero and ignored on receipt.
 *
 * How a session uses this layer
 * -----------------------------
 * Per connection the session keeps a pb_state (pb_state.h) and a pb_limits.
 *
 * Receiving: hand every batch from the transport to pb_batch_receive().
 *   - TS_OK and *out != NULL: act on out->msgs[0 .. out->count - 1] in order
 *     (unknown and ignorable messages are already dropped), then
 *     pb_batch_destroy(). The received bytes must stay alive meanwhile,
 *     because the messages point into them. A received PB-Error with the
 *     fatal flag ends the session after the batch: call pb_state_close() and
 *     send nothing.
 *   - TS_OK and *out == NULL: the batch was a crossed retry, or a CLOSE in
 *     End, to be ignored.
 *   - TS_E_PROTOCOL: *err contains the fatal PB-Error. Log err->detail, write
 *     the reply with pb_batch_build_error(), which also moves the state to
 *     End, send it and close the transport.
 *   - TS_E_NOMEM: *err contains a Local Error, to be sent the same way.
 *   After a received CLOSE the state is End, so close the transport.
 *   pb_batch_describe() gives a one-line outline of a batch for the log.
 *
 * Sending: check pb_state_may_send(), then
 *     pb_batch_begin(out, role, type, &start);
 *     pb_msg_init_pa(&m, ...); pb_msg_write(out, &m); ...
 *     pb_batch_finish(out, start);
 *     pb_state_send(state, type);
 *   or pb_batch_build() for an array of messages. The writer's own maximum
 *   (set by the transport) bounds the batch size. The first CDATA batch of a
 *   client carries "Accept-Language: ..." from pb_lang_build() (pb_lang.h).
 */
#ifndef PB_BATCH_H
#define PB_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "pb_msg.h"
#include "pb_state.h"
#include "ts_error.h"
#include "writer.h"

#define PB_VERSION 2
#define PB_BATCH_HEADER_LEN 8
#define PB_BATCH_FLAG_DIRECTION 0x80  /* octet 1: set when the server sends */
#define PB_BATCH_TYPE_MASK 0x0F       /* octet 3: B-Type in the low nibble */

/*
 * Default limits on a received batch. The batch size equals strongSwan
 * 6.0.6's default maximum PB-TNC batch over PT-TLS (128 * 16384 - 16 octets),
 * so every batch it sends by default fits. The message count allows one
 * PB-PA per IMC or IMV per batch with a wide margin.
 */
#define PB_DEFAULT_MAX_BATCH_SIZE 2097136
#define PB_DEFAULT_MAX_MSG_COUNT 1024

typedef struct pb_limits {
	size_t max_batch_size;   /* octets, header included */
	size_t max_msg_count;    /* messages in one batch, skipped ones included */
} pb_limits;

/* A parsed batch. msgs point into the received bytes. */
typedef struct pb_batch {
	uint8_t version;
	bool from_server;        /* the D bit */
	pb_batch_type type;
	uint32_t length;         /* Batch Length, header included */
	pb_msg *msgs;            /* messages to act on, in batch order */
	size_t count;
	size_t skipped;          /* messages dropped as unknown, experimental or ignorable */
} pb_batch;

/* Fills *limits with the PB_DEFAULT_* values. */
void pb_limits_default(pb_limits *limits);

/* Configuration keys read by pb_limits_load(), and their bounds. */
#define PB_CONF_MAX_BATCH_SIZE "pb_max_batch_size"
#define PB_CONF_MAX_BATCH_MESSAGES "pb_max_batch_messages"
#define PB_MAX_BATCH_SIZE_LIMIT 0xFFFFFFFFu   /* Batch Length is a 32-bit field */
#define PB_MAX_MSG_COUNT_LIMIT 65536

/*
 * Reads the limits from `section` of conf: PB_CONF_MAX_BATCH_SIZE (a size
 * such as 2M, 8 octets up to PB_MAX_BATCH_SIZE_LIMIT) and
 * PB_CONF_MAX_BATCH_MESSAGES (1 to PB_MAX_MSG_COUNT_LIMIT). Absent keys keep
 * the defaults. Returns TS_E_CONFIG, with *out unchanged, when a value is
 * invalid; conf logs which one.
 */
TS_MUST_CHECK int pb_limits_load(const conf_t *conf, const char *section, pb_limits *out);

/*
 * Checks the 8-octet batch header of a batch of len octets received by
 * `receiver`: Version (Version Not Supported otherwise), Batch Length
 * against len and the limit, B-Type in 1..6, and the D bit. On TS_OK writes
 * the header fields into *out (msgs NULL, count 0). On TS_E_PROTOCOL *err
 * contains the fatal PB-Error to send.
 */
TS_MUST_CHECK int pb_batch_parse_header(const uint8_t *data, size_t len, pb_role receiver,
					const pb_limits *limits, pb_batch *out, pb_error_msg *err);

/*
 * Parses a whole received batch: the header as above, then every message
 * through pb_msg_parse(), then the batch rules (a RESULT batch contains exactly
 * one PB-Assessment-Result and at most one PB-Access-Recommendation).
 * Does not look at the state. On TS_OK *out is a new batch for
 * pb_batch_destroy(); on TS_E_PROTOCOL *err contains the fatal PB-Error;
 * TS_E_NOMEM otherwise.
 */
TS_MUST_CHECK int pb_batch_parse(const uint8_t *data, size_t len, pb_role receiver,
				 const pb_limits *limits, pb_batch **out, pb_error_msg *err);

/*
 * Header, state check (pb_state_receive), then messages, in the order RFC
 * 5793 requires: a batch type not allowed in the state is rejected without
 * looking at its contents. See the top of this file for the results.
 * The state moves only on TS_OK.
 */
TS_MUST_CHECK int pb_batch_receive(pb_state *state, const uint8_t *data, size_t len,
				   const pb_limits *limits, pb_batch **out, pb_error_msg *err);

void pb_batch_destroy(pb_batch *batch);

/*
 * Writes a one-line outline of batch into buf for log lines, cut to fit
 * size, and returns buf. Example:
 * "RESULT 88 octets: PB-PA 0x005597/1 imc 65535 imv 2, PB-Assessment-Result 0,
 * PB-Access-Recommendation 1". Peer-supplied text is not included.
 */
char *pb_batch_describe(const pb_batch *batch, char *buf, size_t size);

/*
 * Appends a batch header for `sender` with a placeholder length and returns
 * its offset in *start, for pb_batch_finish().
 */
TS_MUST_CHECK int pb_batch_begin(writer_t *w, pb_role sender, pb_batch_type type, size_t *start);

/* Writes the Batch Length of the batch begun at start; TS_E_TOO_LARGE above 2^32 - 1 octets. */
TS_MUST_CHECK int pb_batch_finish(writer_t *w, size_t start);

/* Appends a whole batch of `count` messages. */
TS_MUST_CHECK int pb_batch_build(writer_t *w, pb_role sender, pb_batch_type type,
				 const pb_msg *msgs, size_t count);

/*
 * Appends the CLOSE batch that reports *err, a fatal PB-Error, as its only
 * message, and moves *state to End (state may be NULL). The batch header
 * carries version 2 also when the error is Version Not Supported.
 */
TS_MUST_CHECK int pb_batch_build_error(writer_t *w, pb_state *state, pb_role sender,
				       const pb_error_msg *err);

#endif
