#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "seg_engine.h"

/* One outgoing base attribute: header and value, and how much is sent. */
typedef struct seg_tx {
	uint32_t id;
	uint8_t *attr;
	size_t len;
	size_t pos;
	uint32_t segments;
} seg_tx;

/* One incoming base attribute in reassembly. */
typedef struct seg_rx {
	uint32_t id;
	uint8_t flags;
	uint32_t vendor;
	uint32_t type;
	uint8_t *value;
	size_t len;              /* value length announced in the base header */
	size_t filled;
	uint32_t segments;
	uint64_t started_ms;
	bool awaiting;           /* a Next Segment was requested for this ID */
} seg_rx;

struct seg_engine {
	seg_contract contract;
	seg_limits limits;
	uint32_t last_id;        /* last Base Message ID handed out */
	seg_tx *tx;              /* limits.max_pending slots, id 0 = free */
	seg_rx *rx;
	size_t buffered;
};

void seg_engine_default_limits(seg_limits *limits)
{
	limits->max_msg_size = SEG_ENGINE_DEFAULT_MAX_MSG_SIZE;
	limits->max_seg_size = SEG_ATTR_NO_SEGMENTATION;
	limits->max_reasm_size = SEG_ENGINE_DEFAULT_MAX_REASM_SIZE;
	limits->max_segments = SEG_ENGINE_DEFAULT_MAX_SEGMENTS;
	limits->max_time_ms = SEG_ENGINE_DEFAULT_MAX_TIME_MS;
	limits->max_pending = SEG_ENGINE_DEFAULT_MAX_PENDING;
}

seg_engine *seg_engine_create(const seg_contract *c, const seg_limits *limits)
{
	seg_engine *e = calloc(1, sizeof(*e));

	if (!e || limits->max_pending == 0 || limits->max_segments == 0)
		goto fail;
	e->contract = *c;
	e->limits = *limits;
	e->tx = calloc(limits->max_pending, sizeof(*e->tx));
	e->rx = calloc(limits->max_pending, sizeof(*e->rx));
	if (!e->tx || !e->rx)
		goto fail;
	return e;
fail:
	seg_engine_destroy(e);
	return NULL;
}

static void tx_drop(seg_tx *t)
{
	free(t->attr);
	memset(t, 0, sizeof(*t));
}

static void rx_drop(seg_engine *e, seg_rx *x)
{
	e->buffered -= x->len;
	free(x->value);
	memset(x, 0, sizeof(*x));
}

void seg_engine_destroy(seg_engine *e)
{
	if (!e)
		return;
	for (uint32_t i = 0; e->tx && i < e->limits.max_pending; i++)
		tx_drop(&e->tx[i]);
	for (uint32_t i = 0; e->rx && i < e->limits.max_pending; i++)
		if (e->rx[i].id)
			rx_drop(e, &e->rx[i]);
	free(e->tx);
	free(e->rx);
	free(e);
}

void seg_engine_set_contract(seg_engine *e, const seg_contract *c)
{
	e->contract = *c;
}

static seg_tx *tx_find(seg_engine *e, uint32_t id)
{
	for (uint32_t i = 0; i < e->limits.max_pending; i++)
		if (e->tx[i].id == id)
			return &e->tx[i];
	return NULL;
}

static seg_rx *rx_find(seg_engine *e, uint32_t id)
{
	for (uint32_t i = 0; i < e->limits.max_pending; i++)
		if (e->rx[i].id == id)
			return &e->rx[i];
	return NULL;
}

/* The next unused 24-bit Base Message ID, never 0 (0 marks a free slot). */
static uint32_t next_id(seg_engine *e)
{
	do {
		e->last_id = (e->last_id + 1) & SEG_ATTR_MAX_BASE_MSG_ID;
	} while (e->last_id == 0 || tx_find(e, e->last_id));
	return e->last_id;
}

/* Segment value size in use: the contract's, capped by the local limit. */
static size_t seg_size(const seg_engine *e)
{
	uint32_t s = e->contract.max_seg_size;

	if (e->limits.max_seg_size < s)
		s = e->limits.max_seg_size;
	return s;
}

static int write_env(writer_t *w, uint8_t flags, uint32_t id, const uint8_t *data, size_t n)
{
	seg_attr_env env = { .flags = flags, .base_msg_id = id, .segment = { data, n } };

	return seg_attr_env_encode(&env, w);
}

int seg_engine_split(seg_engine *e, uint8_t attr_flags, uint32_t attr_vendor,
		     uint32_t attr_type, const uint8_t *value, size_t len, size_t room,
		     writer_t *env, bool *segmented, uint32_t *base_msg_id)
{
	size_t size = seg_size(e), first, total;
	seg_tx *slot;
	writer_t attr;
	uint32_t id;
	bool need;
	int rc;

	rc = seg_contract_check_size(&e->contract, len, &need);
	if (rc != TS_OK)
		return rc;
	if (!need) {
		*segmented = false;
		return TS_OK;
	}

	/* The first segment must fit into what is left of the PA-TNC message. */
	if (room < SEG_CONTRACT_ATTR_HEADER_LEN + SEG_ATTR_ENV_HEADER_LEN + SEG_CONTRACT_MIN_SEG_SIZE)
		return TS_E_TOO_LARGE;
	first = room - SEG_CONTRACT_ATTR_HEADER_LEN - SEG_ATTR_ENV_HEADER_LEN;
	if (first > size)
		first = size;
	if (size < SEG_CONTRACT_MIN_SEG_SIZE)
		return TS_E_TOO_LARGE;

	/* Count the segments up front so that no message outgrows the limit. */
	total = SEG_CONTRACT_ATTR_HEADER_LEN + len;
	if (total - first > (size_t)(e->limits.max_segments - 1) * size)
		return TS_E_TOO_LARGE;

	slot = tx_find(e, 0);
	if (!slot)
		return TS_E_BUSY;

	writer_init(&attr, SIZE_MAX);
	writer_u8(&attr, attr_flags);
	writer_u24(&attr, attr_vendor);
	writer_u32(&attr, attr_type);
	writer_u32(&attr, (uint32_t)total);
	writer_bytes(&attr, value, len);
	if (total > UINT32_MAX)
		rc = TS_E_TOO_LARGE;
	else
		rc = writer_status(&attr);
	if (rc != TS_OK) {
		writer_free(&attr);
		return rc;
	}

	id = next_id(e);
	rc = write_env(env, SEG_ATTR_ENV_FLAG_START | SEG_ATTR_ENV_FLAG_MORE, id,
		       writer_data(&attr), first);
	if (rc != TS_OK) {
		writer_free(&attr);
		return rc;
	}

	slot->id = id;
	slot->len = total;
	slot->pos = first;
	slot->segments = 1;
	slot->attr = writer_steal(&attr, &total);
	if (!slot->attr) {
		memset(slot, 0, sizeof(*slot));
		return TS_E_NOMEM;
	}
	log_debug(LOG_SUBSYS_PTS, "segmenting attribute 0x%06x/0x%08x of %zu octets as base "
		  "message %u, first segment %zu octets", attr_vendor, attr_type, len, id, first);
	*segmented = true;
	*base_msg_id = id;
	return TS_OK;
}

static void set_error(seg_error *err, size_t offset, uint32_t id, const char *reason)
{
	log_debug(LOG_SUBSYS_PTS, "segment of base message %u rejected: %s (offset %zu)", id,
		  reason, offset);
	if (!err)
		return;
	err->pa_error_code = SEG_ENGINE_PA_ERROR_INVALID_PARAMETER;
	err->offset = offset;
	err->base_msg_id = id;
	err->reason = reason;
}

int seg_engine_next(seg_engine *e, const seg_attr_next *req, writer_t *env, bool *last,
		    seg_error *err)
{
	seg_tx *t = req->base_msg_id ? tx_find(e, req->base_msg_id) : NULL;
	size_t n;
	bool more;
	int rc;

	if (!t) {
		set_error(err, 1, req->base_msg_id, "no outgoing message with this base message ID");
		return TS_E_NOT_FOUND;
	}
	if (req->cancel) {
		tx_drop(t);
		*last = true;
		return TS_OK;
	}

	n = t->len - t->pos;
	if (n > seg_size(e))
		n = seg_size(e);
	more = t->pos + n < t->len;
	rc = write_env(env, more ? SEG_ATTR_ENV_FLAG_MORE : 0, t->id, t->attr + t->pos, n);
	if (rc != TS_OK)
		return rc;

	t->pos += n;
	t->segments++;
	*last = !more;
	if (!more)
		tx_drop(t);
	return TS_OK;
}

/* Starts a reassembly from a first segment (S set). */
static int rx_start(seg_engine *e, const seg_attr_env *env, uint64_t now_ms, seg_rx **out,
		    seg_error *err)
{
	uint32_t id = env->base_msg_id;
	uint8_t flags;
	uint32_t vendor, type, attr_len;
	seg_rx *x;
	reader_t r;

	if (rx_find(e, id)) {
		set_error(err, 1, id, "first segment for a base message ID already in reassembly");
		return TS_E_PROTOCOL;
	}

	/* The base attribute header: offsets are within the envelope value. */
	reader_init(&r, env->segment.data, env->segment.len);
	if (reader_u8(&r, &flags) != TS_OK || reader_u24(&r, &vendor) != TS_OK ||
	    reader_u32(&r, &type) != TS_OK || reader_u32(&r, &attr_len) != TS_OK) {
		set_error(err, SEG_ATTR_ENV_HEADER_LEN, id, "first segment shorter than an attribute header");
		return TS_E_PROTOCOL;
	}
	if (vendor == PTS_PEN_TCG && (type == SEG_ATTR_ENVELOPE || type == SEG_ATTR_NEXT_SEGMENT ||
				      type == SEG_ATTR_CANCEL)) {
		set_error(err, SEG_ATTR_ENV_HEADER_LEN + 4, id, "base attribute is itself a segmentation attribute");
		return TS_E_PROTOCOL;
	}
	if (attr_len < SEG_CONTRACT_ATTR_HEADER_LEN) {
		set_error(err, SEG_ATTR_ENV_HEADER_LEN + 8, id, "base attribute length below 12");
		return TS_E_PROTOCOL;
	}
	if (attr_len > e->limits.max_msg_size ||
	    (e->contract.max_msg_size != SEG_ATTR_NO_LIMIT && attr_len > e->contract.max_msg_size)) {
		set_error(err, SEG_ATTR_ENV_HEADER_LEN + 8, id, "base attribute length above the max message size");
		return TS_E_TOO_LARGE;
	}
	if (attr_len - SEG_CONTRACT_ATTR_HEADER_LEN > e->limits.max_reasm_size - e->buffered) {
		set_error(err, SEG_ATTR_ENV_HEADER_LEN + 8, id, "reassembly buffer limit reached");
		return TS_E_TOO_LARGE;
	}
	x = rx_find(e, 0);
	if (!x) {
		set_error(err, 1, id, "too many messages in reassembly");
		return TS_E_TOO_LARGE;
	}

	x->len = attr_len - SEG_CONTRACT_ATTR_HEADER_LEN;
	if (x->len > 0) {
		x->value = malloc(x->len);
		if (!x->value) {
			set_error(err, 1, id, "out of memory");
			return TS_E_NOMEM;
		}
	}
	x->id = id;
	x->flags = flags;
	x->vendor = vendor;
	x->type = type;
	x->filled = 0;
	x->segments = 0;
	x->started_ms = now_ms;
	e->buffered += x->len;
	*out = x;
	return TS_OK;
}

/* Appends segment data; data_off is where it starts within the envelope value. */
static int rx_append(seg_rx *x, const uint8_t *data, size_t n, size_t data_off, seg_error *err)
{
	if (n > x->len - x->filled) {
		set_error(err, data_off + (x->len - x->filled), x->id,
			  "segments longer than the base attribute length");
		return TS_E_PROTOCOL;
	}
	if (n > 0)
		memcpy(x->value + x->filled, data, n);
	x->filled += n;
	return TS_OK;
}

int seg_engine_receive(seg_engine *e, const seg_attr_env *env, uint64_t now_ms,
		       seg_rx_result *out, seg_error *err)
{
	uint32_t id = env->base_msg_id;
	bool start = env->flags & SEG_ATTR_ENV_FLAG_START;
	bool more = env->flags & SEG_ATTR_ENV_FLAG_MORE;
	size_t data_off = SEG_ATTR_ENV_HEADER_LEN;
	const uint8_t *data = env->segment.data;
	size_t n = env->segment.len;
	seg_rx *x = NULL;
	int rc;

	if (id == 0) {
		set_error(err, 1, id, "base message ID 0");
		return TS_E_PROTOCOL;
	}
	if (n > seg_size(e)) {
		x = rx_find(e, id);
		rc = TS_E_TOO_LARGE;
		set_error(err, data_off, id, "segment above the max segment size");
		goto fail;
	}

	if (start) {
		rc = rx_start(e, env, now_ms, &x, err);
		if (rc != TS_OK)
			return rc;   /* nothing to drop: an existing reassembly stays */
		data += SEG_CONTRACT_ATTR_HEADER_LEN;
		n -= SEG_CONTRACT_ATTR_HEADER_LEN;
		data_off += SEG_CONTRACT_ATTR_HEADER_LEN;
	} else {
		x = rx_find(e, id);
		if (!x || !x->awaiting) {
			set_error(err, 1, id, x ? "segment that was not requested"
						: "segment for an unknown base message ID");
			rc = TS_E_PROTOCOL;
			goto fail;
		}
	}

	x->awaiting = false;
	x->segments++;
	if (x->segments > e->limits.max_segments) {
		set_error(err, 0, id, "too many segments for one message");
		rc = TS_E_TOO_LARGE;
		goto fail;
	}
	if (now_ms - x->started_ms > e->limits.max_time_ms) {
		set_error(err, 0, id, "message not complete within the time limit");
		rc = TS_E_TIMEOUT;
		goto fail;
	}
	rc = rx_append(x, data, n, data_off, err);
	if (rc != TS_OK)
		goto fail;

	if (more) {
		x->awaiting = true;
		memset(out, 0, sizeof(*out));
		out->complete = false;
		out->base_msg_id = id;
		return TS_OK;
	}
	if (x->filled < x->len) {
		set_error(err, data_off + n, id, "last segment leaves the base attribute short");
		rc = TS_E_PROTOCOL;
		goto fail;
	}

	/* Complete: hand the buffer over and free the slot. */
	memset(out, 0, sizeof(*out));
	out->complete = true;
	out->base_msg_id = id;
	out->attr_flags = x->flags;
	out->attr_vendor = x->vendor;
	out->attr_type = x->type;
	out->value = x->value;
	out->value_len = x->len;
	x->value = NULL;
	rx_drop(e, x);
	return TS_OK;

fail:
	if (x)
		rx_drop(e, x);
	return rc;
}

void seg_engine_cancel(seg_engine *e, uint32_t base_msg_id)
{
	seg_rx *x = base_msg_id ? rx_find(e, base_msg_id) : NULL;

	if (x)
		rx_drop(e, x);
}

size_t seg_engine_expire(seg_engine *e, uint64_t now_ms)
{
	size_t dropped = 0;

	for (uint32_t i = 0; i < e->limits.max_pending; i++) {
		seg_rx *x = &e->rx[i];

		if (x->id && now_ms - x->started_ms > e->limits.max_time_ms) {
			log_debug(LOG_SUBSYS_PTS, "reassembly of base message %u timed out", x->id);
			rx_drop(e, x);
			dropped++;
		}
	}
	return dropped;
}

size_t seg_engine_buffered(const seg_engine *e)
{
	return e->buffered;
}

size_t seg_engine_rx_pending(const seg_engine *e)
{
	size_t n = 0;

	for (uint32_t i = 0; i < e->limits.max_pending; i++)
		n += e->rx[i].id != 0;
	return n;
}

size_t seg_engine_tx_pending(const seg_engine *e)
{
	size_t n = 0;

	for (uint32_t i = 0; i < e->limits.max_pending; i++)
		n += e->tx[i].id != 0;
	return n;
}

void seg_engine_error_header(uint32_t base_msg_id, uint8_t out[8])
{
	memset(out, 0xFF, 4);
	out[4] = (uint8_t)(base_msg_id >> 24);
	out[5] = (uint8_t)(base_msg_id >> 16);
	out[6] = (uint8_t)(base_msg_id >> 8);
	out[7] = (uint8_t)base_msg_id;
}
