/*
 * libFuzzer harness for IF-M segmentation reassembly (common/pts/seg_engine).
 *
 * Input: octet 0 picks the contract's Max Segment Size (13 + octet * 7),
 * octet 1 the segment limit (1 + octet % 64) and, with bit 0x80, a split of
 * the rest of the input. Without it, the rest is a sequence of records, each
 * a 2-octet length and a Segment Envelope value, fed to the receiver 100 ms
 * apart. The harness checks the engine's bounds after every step, and that
 * split plus reassembly returns the input unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pts/seg_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bounds(const seg_engine *e, const seg_limits *limits)
{
	if (seg_engine_buffered(e) > limits->max_reasm_size)
		abort();
	if (seg_engine_rx_pending(e) > limits->max_pending)
		abort();
}

/* Splits value and reassembles it; the result must equal the input. */
static void split_and_reassemble(const seg_contract *c, const seg_limits *limits,
				 const uint8_t *value, size_t len)
{
	seg_contract rc_contract = *c;
	seg_engine *tx = seg_engine_create(c, limits), *rx;
	seg_rx_result res = { 0 };
	seg_error err;
	writer_t w;
	bool segmented = false, last = false;
	uint32_t id;
	int rc;

	rc_contract.issuer = true;
	rx = seg_engine_create(&rc_contract, limits);
	if (!tx || !rx)
		abort();
	writer_init(&w, SIZE_MAX);
	rc = seg_engine_split(tx, 0, PTS_PEN_TCG, 0x00300000, value, len, SIZE_MAX, &w,
			      &segmented, &id);
	if (rc != TS_OK || !segmented)
		goto out;

	for (;;) {
		seg_attr_env env;
		seg_attr_next next;
		size_t bad;

		if (seg_attr_env_decode(writer_data(&w), writer_len(&w), &env, &bad) != TS_OK)
			abort();
		if (seg_engine_receive(rx, &env, 0, &res, &err) != TS_OK)
			abort();
		if (res.complete)
			break;
		next.cancel = false;
		next.base_msg_id = res.base_msg_id;
		writer_reset(&w);
		if (seg_engine_next(tx, &next, &w, &last, &err) != TS_OK)
			abort();
	}
	if (res.value_len != len || (len && memcmp(res.value, value, len) != 0))
		abort();
	free(res.value);
out:
	writer_free(&w);
	seg_engine_destroy(tx);
	seg_engine_destroy(rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	seg_contract c = { PTS_PEN_TCG, 1, true, SEG_ATTR_NO_LIMIT, 0 };
	seg_limits limits;
	seg_engine *e;
	reader_t r;
	uint64_t now = 0;

	if (size < 2)
		return 0;
	c.max_seg_size = 13 + (uint32_t)data[0] * 7;
	seg_engine_default_limits(&limits);
	limits.max_segments = 1 + data[1] % 64;
	limits.max_reasm_size = 4096;
	limits.max_msg_size = 8192;
	limits.max_pending = 4;
	limits.max_time_ms = 1000;

	if (data[1] & 0x80) {
		limits.max_segments = 4096;
		limits.max_reasm_size = 1u << 20;
		limits.max_msg_size = 1u << 20;
		split_and_reassemble(&c, &limits, data + 2, size - 2);
		return 0;
	}

	e = seg_engine_create(&c, &limits);
	if (!e)
		abort();
	reader_init(&r, data + 2, size - 2);
	while (reader_remaining(&r) > 0) {
		const uint8_t *rec;
		size_t rec_len, bad;
		seg_attr_env env;
		seg_rx_result res;
		seg_error err;
		int rc;

		if (reader_vec16(&r, &rec, &rec_len) != TS_OK)
			break;
		now += 100;
		if (seg_attr_env_decode(rec, rec_len, &env, &bad) != TS_OK)
			continue;
		rc = seg_engine_receive(e, &env, now, &res, &err);
		if (rc == TS_OK && res.complete)
			free(res.value);
		if (rc != TS_OK && (err.pa_error_code != SEG_ENGINE_PA_ERROR_INVALID_PARAMETER ||
				    err.offset > rec_len))
			abort();
		check_bounds(e, &limits);
		if (now % 700 == 0)
			seg_engine_expire(e, now);
	}
	seg_engine_destroy(e);
	return 0;
}
