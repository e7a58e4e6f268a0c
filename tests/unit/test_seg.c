/*
 * IF-M segmentation: the attribute codecs, contract negotiation with the
 * numbers of the reference exchange, split and reassembly of attributes
 * above 64 KiB, and the abuse cases a peer can produce.
 */
#include "test_util.h"
#include "test_pts_walk.h"

#include "pts/pts_attr_info.h"
#include "pts/seg_attr.h"
#include "pts/seg_contract.h"
#include "pts/seg_engine.h"

#define TCG PTS_PEN_TCG

static void assert_written(writer_t *w, const char *hex)
{
	size_t n;
	unsigned char *want = test_hex(hex, &n);

	ck_assert_int_eq(writer_status(w), TS_OK);
	ck_assert_uint_eq(writer_len(w), n);
	ck_assert_mem_eq(writer_data(w), want, n);
	free(want);
	writer_free(w);
}

/* ---- attribute codecs ---- */

START_TEST(contract_attr_byte_exact)
{
	seg_attr_contract c = { SEG_ATTR_NO_LIMIT, 2097080 }, out;
	uint8_t v[] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x1f, 0xff, 0xb8, 0x00 };
	size_t bad;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(seg_attr_contract_encode(&c, &w), TS_OK);
	assert_written(&w, "ffffffff 001fffb8");
	ck_assert_int_eq(seg_attr_contract_decode(v, 8, &out, &bad), TS_OK);
	ck_assert_uint_eq(out.max_msg_size, 0xFFFFFFFF);
	ck_assert_uint_eq(out.max_seg_size, 2097080);
	ck_assert_int_eq(seg_attr_contract_decode(v, 9, &out, &bad), TS_E_TRAILING);
	ck_assert_uint_eq(bad, 8);
	ck_assert_int_eq(seg_attr_contract_decode(v, 7, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 4);
	ck_assert_int_eq(seg_attr_contract_decode(v, 3, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 0);
}
END_TEST

START_TEST(env_attr_byte_exact)
{
	static const uint8_t seg[] = { 0xaa, 0xbb };
	seg_attr_env env = { SEG_ATTR_ENV_FLAG_START | SEG_ATTR_ENV_FLAG_MORE, 0x010203, { seg, 2 } };
	seg_attr_env out;
	uint8_t v[] = { 0x80, 0x00, 0x00, 0x07, 0x11 };
	size_t bad;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(seg_attr_env_encode(&env, &w), TS_OK);
	assert_written(&w, "c0 010203 aabb");
	ck_assert_int_eq(seg_attr_env_decode(v, sizeof(v), &out, &bad), TS_OK);
	ck_assert_uint_eq(out.flags, SEG_ATTR_ENV_FLAG_MORE);
	ck_assert_uint_eq(out.base_msg_id, 7);
	ck_assert_uint_eq(out.segment.len, 1);
	ck_assert_int_eq(seg_attr_env_decode(v, 3, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 1);
	ck_assert_int_eq(seg_attr_env_decode(v, 0, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 0);
	env.base_msg_id = 0x1000000;
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(seg_attr_env_encode(&env, &w), TS_E_INVALID);
	writer_free(&w);
}
END_TEST

START_TEST(next_and_cancel_byte_exact)
{
	seg_attr_next next = { false, 5 }, cancel = { true, 5 }, out;
	uint8_t spec_cancel[] = { 0x80, 0, 0, 5 }, ss_cancel[] = { 0x01, 0, 0, 5 }, plain[] = { 0, 0, 0, 5 };
	uint32_t id;
	size_t bad;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(seg_attr_next_encode(&next, &w), TS_OK);
	ck_assert_int_eq(seg_attr_next_encode(&cancel, &w), TS_OK);
	ck_assert_int_eq(seg_attr_cancel_encode(5, &w), TS_OK);
	assert_written(&w, "00000005 01000005 00000005");

	ck_assert_int_eq(seg_attr_next_decode(plain, 4, &out, &bad), TS_OK);
	ck_assert(!out.cancel);
	ck_assert_uint_eq(out.base_msg_id, 5);
	ck_assert_int_eq(seg_attr_next_decode(spec_cancel, 4, &out, &bad), TS_OK);
	ck_assert(out.cancel);
	ck_assert_int_eq(seg_attr_next_decode(ss_cancel, 4, &out, &bad), TS_OK);
	ck_assert(out.cancel);
	ck_assert_int_eq(seg_attr_next_decode(plain, 3, &out, &bad), TS_E_TRUNCATED);
	ck_assert_uint_eq(bad, 1);
	ck_assert_int_eq(seg_attr_cancel_decode(plain, 4, &id, &bad), TS_OK);
	ck_assert_uint_eq(id, 5);
	ck_assert_int_eq(seg_attr_cancel_decode(plain, 2, &id, &bad), TS_E_TRUNCATED);
}
END_TEST

/* ---- contracts ---- */

START_TEST(interop_contract)
{
	walk_attr a[16];
	const walk_attr *x;
	size_t len, n, bad;
	uint8_t *buf;
	seg_attr_contract req, resp, mine;
	seg_contract issuer, responder;
	writer_t w;

	buf = test_read_file(test_data_path("pts/run1-batch02.bin"), &len);
	n = walk_batch(buf, len, a, 16);
	x = walk_find(a, n, TCG, SEG_ATTR_CONTRACT_REQ, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->flags, 0);
	ck_assert_uint_eq(x->msg_vendor, TCG);
	ck_assert_uint_eq(x->msg_subtype, 1);
	ck_assert_int_eq(seg_attr_contract_decode(x->value, x->len, &req, &bad), TS_OK);
	ck_assert_uint_eq(req.max_msg_size, 0xFFFFFFFF);
	ck_assert_uint_eq(req.max_seg_size, 2097080);

	/* Our issuer, given strongSwan's PT-TLS MAX_MESSAGE_SIZE, builds the same request. */
	ck_assert_int_eq(seg_contract_request(&issuer, TCG, 1, 2097104, &mine), TS_OK);
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(seg_attr_contract_encode(&mine, &w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), x->len);
	ck_assert_mem_eq(writer_data(&w), x->value, x->len);
	writer_free(&w);
	free(buf);

	buf = test_read_file(test_data_path("pts/run1-batch03.bin"), &len);
	n = walk_batch(buf, len, a, 16);
	x = walk_find(a, n, TCG, SEG_ATTR_CONTRACT_RESP, 0);
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(seg_attr_contract_decode(x->value, x->len, &resp, &bad), TS_OK);
	ck_assert_uint_eq(resp.max_msg_size, 0xFFFFFFFF);
	ck_assert_uint_eq(resp.max_seg_size, 2097080);

	/* Our responder, given the same message size, builds the same response. */
	ck_assert_int_eq(seg_contract_respond(&responder, TCG, 1, &req, 2097104, &mine, &bad), TS_OK);
	ck_assert_uint_eq(mine.max_msg_size, resp.max_msg_size);
	ck_assert_uint_eq(mine.max_seg_size, resp.max_seg_size);
	ck_assert(!responder.issuer);
	ck_assert_int_eq(seg_contract_apply_response(&issuer, &resp, &bad), TS_OK);
	ck_assert_uint_eq(issuer.max_seg_size, 2097080);
	free(buf);
}
END_TEST

START_TEST(contract_negotiation_lowers)
{
	seg_contract issuer, responder;
	seg_attr_contract req, resp, tiny = { SEG_ATTR_NO_LIMIT, 12 };
	size_t bad = 0;
	bool seg;

	/* strongSwan over EAP with max_batch_size 32754: MAX_MESSAGE_SIZE 32722, segments 32698. */
	ck_assert_int_eq(seg_contract_request(&issuer, TCG, 1, 2097104, &req), TS_OK);
	ck_assert_int_eq(seg_contract_respond(&responder, TCG, 1, &req, 32722, &resp, &bad), TS_OK);
	ck_assert_uint_eq(resp.max_seg_size, 32698);
	ck_assert_uint_eq(responder.max_seg_size, 32698);
	ck_assert_int_eq(seg_contract_apply_response(&issuer, &resp, &bad), TS_OK);
	ck_assert_uint_eq(issuer.max_seg_size, 32698);
	ck_assert(!seg_contract_is_null(&issuer));

	/* A value of up to max segment + 4 goes out whole. */
	ck_assert_int_eq(seg_contract_check_size(&responder, 32702, &seg), TS_OK);
	ck_assert(!seg);
	ck_assert_int_eq(seg_contract_check_size(&responder, 32703, &seg), TS_OK);
	ck_assert(seg);

	/* A segment size that cannot hold the base header is rejected at offset 4. */
	ck_assert_int_eq(seg_contract_respond(&responder, TCG, 1, &tiny, 32722, &resp, &bad),
			 TS_E_INVALID);
	ck_assert_uint_eq(bad, 4);
	ck_assert_uint_eq(responder.max_seg_size, 32698);
	ck_assert_int_eq(seg_contract_request(&issuer, TCG, 1, 36, &req), TS_E_INVALID);
}
END_TEST

START_TEST(contract_null_and_size_limit)
{
	seg_contract c = { TCG, 1, false, SEG_ATTR_NO_LIMIT, SEG_ATTR_NO_SEGMENTATION };
	bool seg;

	ck_assert(seg_contract_is_null(&c));
	ck_assert_int_eq(seg_contract_check_size(&c, 100000000, &seg), TS_OK);
	ck_assert(!seg);
	c.max_msg_size = 1000;
	ck_assert_int_eq(seg_contract_check_size(&c, 988, &seg), TS_OK);
	ck_assert_int_eq(seg_contract_check_size(&c, 989, &seg), TS_E_TOO_LARGE);
}
END_TEST

/* ---- split and reassembly ---- */

static uint8_t *make_value(size_t len, uint32_t seed)
{
	uint8_t *v = malloc(len);

	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		v[i] = (uint8_t)(seed >> 16);
	}
	return v;
}

/* Sends one attribute of len octets through split, envelopes and reassembly. */
static void round_trip(size_t len, uint32_t seg_size, size_t room)
{
	seg_contract c = { TCG, 1, false, SEG_ATTR_NO_LIMIT, seg_size };
	seg_limits limits;
	seg_engine *tx, *rx;
	uint8_t *value = make_value(len, (uint32_t)len);
	size_t expect_segments, segments = 0, first_len;
	seg_rx_result res;
	seg_error err;
	writer_t w;
	bool segmented, last = false;
	uint32_t id;

	seg_engine_default_limits(&limits);
	tx = seg_engine_create(&c, &limits);
	c.issuer = true;
	rx = seg_engine_create(&c, &limits);
	ck_assert_ptr_nonnull(tx);
	ck_assert_ptr_nonnull(rx);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(seg_engine_split(tx, 0x80, TCG, 0x00300000, value, len, room, &w,
					  &segmented, &id), TS_OK);
	ck_assert(segmented);
	ck_assert_uint_eq(seg_engine_tx_pending(tx), 1);
	first_len = room - 16 < seg_size ? room - 16 : seg_size;
	expect_segments = 1 + (12 + len - first_len + seg_size - 1) / seg_size;

	for (;;) {
		seg_attr_env env;
		size_t bad;
		uint8_t *copy;
		size_t n = writer_len(&w);

		/* The receiver decodes the envelope value from a buffer of its own. */
		copy = malloc(n);
		memcpy(copy, writer_data(&w), n);
		writer_reset(&w);
		ck_assert_int_eq(seg_attr_env_decode(copy, n, &env, &bad), TS_OK);
		ck_assert_uint_eq(env.base_msg_id, id);
		if (segments == 0) {
			uint8_t hdr[12] = { 0x80, 0x00, 0x55, 0x97, 0x00, 0x30, 0x00, 0x00,
					    (uint8_t)((12 + len) >> 24), (uint8_t)((12 + len) >> 16),
					    (uint8_t)((12 + len) >> 8), (uint8_t)(12 + len) };

			ck_assert_uint_eq(env.flags, 0xC0);
			ck_assert_uint_eq(env.segment.len, first_len);
			ck_assert_mem_eq(env.segment.data, hdr, 12);
		} else if (!last) {
			ck_assert_uint_eq(env.flags, 0x80);
			ck_assert_uint_eq(env.segment.len, seg_size);
		} else {
			ck_assert_uint_eq(env.flags, 0x00);
			ck_assert_uint_le(env.segment.len, seg_size);
		}
		segments++;

		ck_assert_int_eq(seg_engine_receive(rx, &env, segments, &res, &err), TS_OK);
		free(copy);
		if (res.complete)
			break;
		ck_assert(!last);

		/* The receiver requests more, and the sender returns the next envelope. */
		{
			seg_attr_next next = { false, res.base_msg_id };

			ck_assert_int_eq(seg_engine_next(tx, &next, &w, &last, &err), TS_OK);
		}
	}

	ck_assert(last);
	ck_assert_uint_eq(segments, expect_segments);
	ck_assert_uint_eq(res.attr_flags, 0x80);
	ck_assert_uint_eq(res.attr_vendor, TCG);
	ck_assert_uint_eq(res.attr_type, 0x00300000);
	ck_assert_uint_eq(res.value_len, len);
	ck_assert_mem_eq(res.value, value, len);
	ck_assert_uint_eq(seg_engine_tx_pending(tx), 0);
	ck_assert_uint_eq(seg_engine_rx_pending(rx), 0);
	ck_assert_uint_eq(seg_engine_buffered(rx), 0);

	free(res.value);
	free(value);
	writer_free(&w);
	seg_engine_destroy(tx);
	seg_engine_destroy(rx);
}

START_TEST(split_reassemble_above_64k)
{
	round_trip(65537, 1000, SIZE_MAX);
	round_trip(200000, 32698, SIZE_MAX);
	round_trip(1048576, 65466, SIZE_MAX);
	/* Only 500 octets left in the current PA-TNC message for the first segment. */
	round_trip(70000, 4096, 500);
	/* A value that ends exactly on a segment boundary. */
	round_trip(3 * 1000 - 12 + 5 * 1000, 1000, SIZE_MAX);
}
END_TEST

START_TEST(split_not_needed)
{
	seg_contract c = { TCG, 1, false, SEG_ATTR_NO_LIMIT, 1000 };
	seg_limits limits;
	seg_engine *e;
	uint8_t value[1004] = { 0 };
	writer_t w;
	bool segmented = true;
	uint32_t id = 77;

	seg_engine_default_limits(&limits);
	e = seg_engine_create(&c, &limits);
	ck_assert_ptr_nonnull(e);
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(seg_engine_split(e, 0, TCG, 0x00300000, value, sizeof(value), SIZE_MAX, &w,
					  &segmented, &id), TS_OK);
	ck_assert(!segmented);
	ck_assert_uint_eq(id, 77);
	ck_assert_uint_eq(writer_len(&w), 0);
	ck_assert_uint_eq(seg_engine_tx_pending(e), 0);

	/* Above the contract's Max Message Size: oversized, not segmented. */
	c.max_msg_size = 1015;
	seg_engine_set_contract(e, &c);
	ck_assert_int_eq(seg_engine_split(e, 0, TCG, 0x00300000, value, sizeof(value), SIZE_MAX, &w,
					  &segmented, &id), TS_E_TOO_LARGE);
	writer_free(&w);
	seg_engine_destroy(e);
}
END_TEST

START_TEST(sender_limits_and_cancel)
{
	seg_contract c = { TCG, 1, false, SEG_ATTR_NO_LIMIT, 100 };
	seg_limits limits;
	seg_engine *e;
	uint8_t *value = make_value(1000, 1);
	seg_attr_next next;
	seg_error err;
	writer_t w;
	bool segmented, last;
	uint32_t id, id2;

	seg_engine_default_limits(&limits);
	limits.max_segments = 10;
	limits.max_pending = 2;
	e = seg_engine_create(&c, &limits);
	ck_assert_ptr_nonnull(e);
	writer_init(&w, SIZE_MAX);

	/* 1012 octets need 11 segments of 100. */
	ck_assert_int_eq(seg_engine_split(e, 0, TCG, 1, value, 1000, SIZE_MAX, &w, &segmented, &id),
			 TS_E_TOO_LARGE);
	ck_assert_int_eq(seg_engine_split(e, 0, TCG, 1, value, 988, SIZE_MAX, &w, &segmented, &id),
			 TS_OK);
	ck_assert_int_eq(seg_engine_split(e, 0, TCG, 1, value, 988, SIZE_MAX, &w, &segmented, &id2),
			 TS_OK);
	ck_assert_uint_ne(id, id2);
	ck_assert_int_eq(seg_engine_split(e, 0, TCG, 1, value, 988, SIZE_MAX, &w, &segmented, &id2),
			 TS_E_BUSY);
	/* No room for even a minimal first segment. */
	ck_assert_int_eq(seg_engine_split(e, 0, TCG, 1, value, 988, 28, &w, &segmented, &id2),
			 TS_E_TOO_LARGE);

	/* A Next Segment for an unknown ID, then a cancel. */
	next.cancel = false;
	next.base_msg_id = 0x123456;
	ck_assert_int_eq(seg_engine_next(e, &next, &w, &last, &err), TS_E_NOT_FOUND);
	ck_assert_uint_eq(err.pa_error_code, SEG_ENGINE_PA_ERROR_INVALID_PARAMETER);
	ck_assert_uint_eq(err.offset, 1);
	next.cancel = true;
	next.base_msg_id = id;
	writer_reset(&w);
	ck_assert_int_eq(seg_engine_next(e, &next, &w, &last, &err), TS_OK);
	ck_assert(last);
	ck_assert_uint_eq(writer_len(&w), 0);
	ck_assert_uint_eq(seg_engine_tx_pending(e), 1);

	writer_free(&w);
	free(value);
	seg_engine_destroy(e);
}
END_TEST

/* ---- abuse on the receiving side ---- */

typedef struct rx_fixture {
	seg_engine *e;
	seg_limits limits;
	uint8_t buf[4096];
} rx_fixture;

static void rx_setup(rx_fixture *f, uint32_t seg_size)
{
	seg_contract c = { TCG, 1, true, SEG_ATTR_NO_LIMIT, seg_size };

	f->e = seg_engine_create(&c, &f->limits);
	ck_assert_ptr_nonnull(f->e);
}

/* A first segment announcing a base attribute of value_len octets. */
static seg_attr_env first_env(rx_fixture *f, uint32_t id, uint32_t type, uint32_t value_len,
			      size_t data_len, bool more)
{
	seg_attr_env env;
	uint32_t attr_len = value_len + 12;

	ck_assert_uint_le(12 + data_len, sizeof(f->buf));
	memset(f->buf, 0x5A, sizeof(f->buf));
	f->buf[0] = 0;
	f->buf[1] = 0x00;
	f->buf[2] = 0x55;
	f->buf[3] = 0x97;
	f->buf[4] = (uint8_t)(type >> 24);
	f->buf[5] = (uint8_t)(type >> 16);
	f->buf[6] = (uint8_t)(type >> 8);
	f->buf[7] = (uint8_t)type;
	f->buf[8] = (uint8_t)(attr_len >> 24);
	f->buf[9] = (uint8_t)(attr_len >> 16);
	f->buf[10] = (uint8_t)(attr_len >> 8);
	f->buf[11] = (uint8_t)attr_len;
	env.flags = SEG_ATTR_ENV_FLAG_START | (more ? SEG_ATTR_ENV_FLAG_MORE : 0);
	env.base_msg_id = id;
	env.segment.data = f->buf;
	env.segment.len = 12 + data_len;
	return env;
}

static seg_attr_env more_env(rx_fixture *f, uint32_t id, size_t len, bool more)
{
	seg_attr_env env = { more ? SEG_ATTR_ENV_FLAG_MORE : 0, id, { f->buf, len } };

	ck_assert_uint_le(len, sizeof(f->buf));
	return env;
}

START_TEST(abuse_unsolicited_segment)
{
	rx_fixture f;
	seg_attr_env env;
	seg_rx_result res;
	seg_error err;

	seg_engine_default_limits(&f.limits);
	rx_setup(&f, 1000);
	env = more_env(&f, 9, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.pa_error_code, 1);
	ck_assert_uint_eq(err.offset, 1);
	ck_assert_uint_eq(err.base_msg_id, 9);
	ck_assert_ptr_nonnull(err.reason);
	ck_assert_uint_eq(seg_engine_rx_pending(f.e), 0);

	/* Base Message ID 0 is never handed out. */
	env = first_env(&f, 0, 0x00300000, 2000, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.offset, 1);
	seg_engine_destroy(f.e);
}
END_TEST

START_TEST(abuse_wrong_base_id)
{
	rx_fixture f;
	seg_attr_env env;
	seg_rx_result res;
	seg_error err;

	seg_engine_default_limits(&f.limits);
	rx_setup(&f, 1000);
	env = first_env(&f, 5, 0x00300000, 1500, 500, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	ck_assert(!res.complete);
	ck_assert_uint_eq(res.base_msg_id, 5);

	/* A continuation for another ID is rejected; message 5 stays intact. */
	env = more_env(&f, 6, 1000, false);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.offset, 1);
	ck_assert_uint_eq(err.base_msg_id, 6);
	ck_assert_uint_eq(seg_engine_rx_pending(f.e), 1);

	/* A second start for ID 5 is rejected too. */
	env = first_env(&f, 5, 0x00300000, 1500, 500, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.offset, 1);

	env = more_env(&f, 5, 1000, false);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	ck_assert(res.complete);
	ck_assert_uint_eq(res.value_len, 1500);
	free(res.value);

	/* A base attribute that is itself a Segment Envelope. */
	env = first_env(&f, 7, SEG_ATTR_ENVELOPE, 1500, 500, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.offset, 8);
	/* A base attribute length below the header size. */
	env = first_env(&f, 7, 0x00300000, 0, 0, true);
	f.buf[11] = 11;
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.offset, 12);
	/* A first segment shorter than the base header. */
	env = first_env(&f, 7, 0x00300000, 100, 0, true);
	env.segment.len = 11;
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.offset, 4);
	ck_assert_uint_eq(seg_engine_rx_pending(f.e), 0);
	seg_engine_destroy(f.e);
}
END_TEST

START_TEST(abuse_reassembly_overflow)
{
	rx_fixture f;
	seg_attr_env env;
	seg_rx_result res;
	seg_error err;

	seg_engine_default_limits(&f.limits);
	f.limits.max_reasm_size = 100000;
	f.limits.max_msg_size = 80012;
	rx_setup(&f, 1000);

	/* One message above the max message size. */
	env = first_env(&f, 1, 0x00300000, 80001, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_TOO_LARGE);
	ck_assert_uint_eq(err.offset, 12);
	ck_assert_uint_eq(err.pa_error_code, 1);

	/* Two messages that together exceed the reassembly buffer. */
	env = first_env(&f, 2, 0x00300000, 80000, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	ck_assert_uint_eq(seg_engine_buffered(f.e), 80000);
	env = first_env(&f, 3, 0x00300000, 20001, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_TOO_LARGE);
	ck_assert_uint_eq(err.offset, 12);
	env = first_env(&f, 3, 0x00300000, 20000, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	ck_assert_uint_eq(seg_engine_buffered(f.e), 100000);

	/* Segments past the announced length drop that message. */
	seg_engine_cancel(f.e, 3);
	env = first_env(&f, 4, 0x00300000, 150, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	env = more_env(&f, 4, 51, false);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.offset, 4 + 50);
	ck_assert_uint_eq(seg_engine_rx_pending(f.e), 1);

	/* A segment above the contract's segment size. */
	env = more_env(&f, 2, 1001, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_TOO_LARGE);
	ck_assert_uint_eq(err.offset, 4);
	ck_assert_uint_eq(seg_engine_rx_pending(f.e), 0);
	ck_assert_uint_eq(seg_engine_buffered(f.e), 0);
	seg_engine_destroy(f.e);
}
END_TEST

START_TEST(abuse_message_never_ends)
{
	rx_fixture f;
	seg_attr_env env;
	seg_rx_result res;
	seg_error err;
	int rc = TS_OK;
	uint32_t i;

	/* Empty segments with M set, until the segment limit. */
	seg_engine_default_limits(&f.limits);
	f.limits.max_segments = 10;
	rx_setup(&f, 1000);
	env = first_env(&f, 1, 0x00300000, 5000, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	for (i = 2; i <= 20 && rc == TS_OK; i++) {
		env = more_env(&f, 1, 0, true);
		rc = seg_engine_receive(f.e, &env, 0, &res, &err);
	}
	ck_assert_int_eq(rc, TS_E_TOO_LARGE);
	ck_assert_uint_eq(i - 1, 11);
	ck_assert_uint_eq(seg_engine_rx_pending(f.e), 0);
	ck_assert_uint_eq(seg_engine_buffered(f.e), 0);
	seg_engine_destroy(f.e);

	/* A message whose next segment comes too late. */
	seg_engine_default_limits(&f.limits);
	f.limits.max_time_ms = 1000;
	rx_setup(&f, 1000);
	env = first_env(&f, 1, 0x00300000, 5000, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 5000, &res, &err), TS_OK);
	env = more_env(&f, 1, 1000, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 6000, &res, &err), TS_OK);
	env = more_env(&f, 1, 1000, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 6001, &res, &err), TS_E_TIMEOUT);
	ck_assert_uint_eq(seg_engine_rx_pending(f.e), 0);

	/* Or none at all: expiry drops it. */
	env = first_env(&f, 2, 0x00300000, 5000, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 10000, &res, &err), TS_OK);
	ck_assert_uint_eq(seg_engine_expire(f.e, 11000), 0);
	ck_assert_uint_eq(seg_engine_expire(f.e, 11001), 1);
	ck_assert_uint_eq(seg_engine_rx_pending(f.e), 0);

	/* A last segment that leaves the base attribute short. */
	env = first_env(&f, 3, 0x00300000, 500, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	env = more_env(&f, 3, 399, false);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.offset, 4 + 399);
	seg_engine_destroy(f.e);
}
END_TEST

START_TEST(abuse_too_many_pending)
{
	rx_fixture f;
	seg_attr_env env;
	seg_rx_result res;
	seg_error err;

	seg_engine_default_limits(&f.limits);
	f.limits.max_pending = 3;
	rx_setup(&f, 1000);
	for (uint32_t id = 1; id <= 3; id++) {
		env = first_env(&f, id, 0x00300000, 5000, 100, true);
		ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	}
	env = first_env(&f, 4, 0x00300000, 5000, 100, true);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_E_TOO_LARGE);
	ck_assert_uint_eq(err.base_msg_id, 4);
	ck_assert_uint_eq(seg_engine_rx_pending(f.e), 3);
	seg_engine_destroy(f.e);
}
END_TEST

START_TEST(single_segment_message)
{
	rx_fixture f;
	seg_attr_env env;
	seg_rx_result res;
	seg_error err;

	/* S without M: the whole attribute in one envelope. */
	seg_engine_default_limits(&f.limits);
	rx_setup(&f, 1000);
	env = first_env(&f, 1, 0x00300000, 10, 10, false);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	ck_assert(res.complete);
	ck_assert_uint_eq(res.value_len, 10);
	ck_assert_uint_eq(res.value[0], 0x5A);
	free(res.value);
	/* An empty base value. */
	env = first_env(&f, 2, 0x00300000, 0, 0, false);
	ck_assert_int_eq(seg_engine_receive(f.e, &env, 0, &res, &err), TS_OK);
	ck_assert(res.complete);
	ck_assert_uint_eq(res.value_len, 0);
	ck_assert_ptr_null(res.value);
	seg_engine_destroy(f.e);
}
END_TEST

START_TEST(error_header_pseudo)
{
	uint8_t hdr[8];

	seg_engine_error_header(0x00ABCDEF, hdr);
	ck_assert_mem_eq(hdr, "\xff\xff\xff\xff\x00\xab\xcd\xef", 8);
}
END_TEST

START_TEST(registry_seg_entries)
{
	const pa_attr_info *info = pts_attr_info_find(TCG, SEG_ATTR_CONTRACT_REQ);

	ck_assert_ptr_nonnull(info);
	ck_assert_uint_eq(info->min_value_len, 8);
	ck_assert_uint_eq(info->max_value_len, 8);
	info = pts_attr_info_find(TCG, SEG_ATTR_ENVELOPE);
	ck_assert_ptr_nonnull(info);
	ck_assert_uint_eq(info->min_value_len, 4);
	info = pts_attr_info_find(TCG, SEG_ATTR_NEXT_SEGMENT);
	ck_assert_ptr_nonnull(info);
	ck_assert_str_eq(info->name, "Next Segment");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("seg");
	TCase *tc = tcase_create("codec");
	TCase *te = tcase_create("engine");

	tcase_add_test(tc, contract_attr_byte_exact);
	tcase_add_test(tc, env_attr_byte_exact);
	tcase_add_test(tc, next_and_cancel_byte_exact);
	tcase_add_test(tc, interop_contract);
	tcase_add_test(tc, contract_negotiation_lowers);
	tcase_add_test(tc, contract_null_and_size_limit);
	tcase_add_test(tc, registry_seg_entries);
	suite_add_tcase(s, tc);

	tcase_add_test(te, split_reassemble_above_64k);
	tcase_add_test(te, split_not_needed);
	tcase_add_test(te, sender_limits_and_cancel);
	tcase_add_test(te, abuse_unsolicited_segment);
	tcase_add_test(te, abuse_wrong_base_id);
	tcase_add_test(te, abuse_reassembly_overflow);
	tcase_add_test(te, abuse_message_never_ends);
	tcase_add_test(te, abuse_too_many_pending);
	tcase_add_test(te, single_segment_message);
	tcase_add_test(te, error_header_pseudo);
	suite_add_tcase(s, te);
	return s;
}

TEST_MAIN()
