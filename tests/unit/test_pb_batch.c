/*
 * PB-TNC batches. The 22 batches of two real strongSwan 6.0.6 sessions are
 * parsed, checked against their outline, rebuilt byte for byte and driven
 * through both state machines. Batch header violations must give the PB-Error
 * code and offset that RFC 5793 section 4.1 requires. Batches are built from
 * values and described for logs.
 */
#include "test_util.h"
#include "conf.h"
#include "pb_batch.h"

/* ---- Fixtures: hex dumps of tests/data/pb/runN-pb_tnc_batches.txt ---- */

#define RUN_BATCHES 11

typedef struct dump_batch {
	unsigned char *data;
	size_t len;
	size_t announced;   /* "NNN bytes" on the batch's title line */
} dump_batch;

/*
 * Reads the dump: a title line "#N time dir (...) LEN bytes", then lines
 * "    OOOO: hh hh ..." with the offset of their first byte.
 */
static void load_run(int run, dump_batch batches[RUN_BATCHES])
{
	char name[64];
	size_t len;
	unsigned char *text;
	char *line, *save = NULL;
	int cur = -1;

	snprintf(name, sizeof(name), "pb/run%d-pb_tnc_batches.txt", run);
	text = test_read_file(test_data_path(name), &len);
	text = realloc(text, len + 1);
	ck_assert_ptr_nonnull(text);
	text[len] = '\0';
	memset(batches, 0, RUN_BATCHES * sizeof(*batches));

	for (line = strtok_r((char *)text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned offset;
		int n, consumed;

		if (line[0] == '#') {
			const char *bytes = strstr(line, " bytes");
			const char *p = bytes;

			ck_assert_int_eq(sscanf(line, "#%d", &n), 1);
			ck_assert_int_eq(n, cur + 2);
			cur = n - 1;
			ck_assert_int_lt(cur, RUN_BATCHES);
			ck_assert_ptr_nonnull(bytes);
			while (p > line && p[-1] != ' ')
				p--;
			batches[cur].announced = strtoul(p, NULL, 10);
			batches[cur].data = malloc(batches[cur].announced);
			ck_assert_ptr_nonnull(batches[cur].data);
			continue;
		}
		/* Hex lines only: four spaces, four hex digits, a colon. */
		if (cur < 0 || strlen(line) < 10 || strncmp(line, "    ", 4) != 0 || line[8] != ':' ||
		    sscanf(line, "    %4x: %n", &offset, &consumed) != 1)
			continue;
		ck_assert_uint_eq(offset, batches[cur].len);
		for (char *p = line + consumed; *p; ) {
			unsigned byte;

			if (*p == ' ') {
				p++;
				continue;
			}
			ck_assert_int_eq(sscanf(p, "%2x", &byte), 1);
			ck_assert_uint_lt(batches[cur].len, batches[cur].announced);
			batches[cur].data[batches[cur].len++] = (unsigned char)byte;
			p += 2;
		}
	}
	free(text);
	ck_assert_int_eq(cur, RUN_BATCHES - 1);
	for (int i = 0; i < RUN_BATCHES; i++)
		ck_assert_uint_eq(batches[i].len, batches[i].announced);
}

static void free_run(dump_batch batches[RUN_BATCHES])
{
	for (int i = 0; i < RUN_BATCHES; i++)
		free(batches[i].data);
}

/* ---- The expected outline (spec README, "Checked against a real exchange") ---- */

#define OS_VENDOR 0
#define OS_SUBTYPE 1
#define PTS_VENDOR 0x005597
#define PTS_SUBTYPE 1
#define ANY 0xFFFF

typedef struct expected_msg {
	uint32_t type;            /* IETF PB message type */
	uint8_t flags;
	/* PB-PA */
	uint32_t pa_vendor, pa_subtype;
	bool excl;
	uint16_t collector, validator;
	size_t attributes;        /* attributes in the PA-TNC message */
	/* PB-Assessment-Result / PB-Access-Recommendation */
	uint32_t value;
} expected_msg;

typedef struct expected_batch {
	pb_batch_type type;
	bool from_server;
	size_t length;
	size_t count;
	expected_msg msgs[3];
} expected_batch;

#define PA(v, s, x, c, val, n) { PB_MSG_PA, 0x80, v, s, x, c, val, n, 0 }

static const expected_batch exchange[RUN_BATCHES] = {
	{ PB_BATCH_CDATA, false, 266, 2, {
		{ PB_MSG_LANGUAGE_PREFERENCE, 0x00, 0, 0, false, 0, 0, 0, 0 },
		PA(OS_VENDOR, OS_SUBTYPE, false, 1, ANY, 7) } },
	{ PB_BATCH_SDATA, true, 140, 2, {
		PA(OS_VENDOR, OS_SUBTYPE, false, ANY, 1, 1),
		PA(PTS_VENDOR, PTS_SUBTYPE, false, ANY, 2, 3) } },
	{ PB_BATCH_CDATA, false, 92, 1, { PA(PTS_VENDOR, PTS_SUBTYPE, true, 2, 2, 3) } },
	{ PB_BATCH_SDATA, true, 56, 1, { PA(PTS_VENDOR, PTS_SUBTYPE, false, ANY, 2, 1) } },
	{ PB_BATCH_CDATA, false, 144, 1, { PA(PTS_VENDOR, PTS_SUBTYPE, true, 2, 2, 1) } },
	{ PB_BATCH_SDATA, true, 172, 1, { PA(PTS_VENDOR, PTS_SUBTYPE, false, ANY, 2, 3) } },
	{ PB_BATCH_CDATA, false, 172, 1, { PA(PTS_VENDOR, PTS_SUBTYPE, true, 2, 2, 2) } },
	{ PB_BATCH_SDATA, true, 93, 1, { PA(PTS_VENDOR, PTS_SUBTYPE, false, ANY, 2, 3) } },
	/* Symlinks, 105 Simple Component Evidence, Simple Evidence Final */
	{ PB_BATCH_CDATA, false, 9163, 1, { PA(PTS_VENDOR, PTS_SUBTYPE, true, 2, 2, 107) } },
	{ PB_BATCH_RESULT, true, 88, 3, {
		PA(PTS_VENDOR, PTS_SUBTYPE, false, ANY, 2, 1),
		{ PB_MSG_ASSESSMENT_RESULT, 0x80, 0, 0, false, 0, 0, 0, 0 },
		{ PB_MSG_ACCESS_RECOMMENDATION, 0x00, 0, 0, false, 0, 0, 0, 1 } } },
	{ PB_BATCH_CLOSE, false, 8, 0, { { 0 } } },
};

/*
 * Counts the attributes of a PA-TNC message (RFC 5792: 8-octet header with
 * version 1, then attributes whose 12-octet header ends in their length),
 * independently of the PB-TNC code under test.
 */
static size_t count_pa_attributes(const uint8_t *body, size_t len)
{
	size_t pos = 8, n = 0;

	ck_assert_uint_ge(len, 8);
	ck_assert_uint_eq(body[0], 1);
	while (pos < len) {
		uint32_t alen;

		ck_assert_uint_le(pos + 12, len);
		alen = (uint32_t)body[pos + 8] << 24 | (uint32_t)body[pos + 9] << 16 |
		       (uint32_t)body[pos + 10] << 8 | body[pos + 11];
		ck_assert_uint_ge(alen, 12);
		ck_assert_uint_le(alen, len - pos);
		pos += alen;
		n++;
	}
	return n;
}

static void check_outline(int run, int index, const pb_batch *batch, const dump_batch *raw)
{
	const expected_batch *want = &exchange[index];

	ck_assert_msg(batch->type == want->type, "run %d batch #%d type %s", run, index + 1,
		      pb_batch_type_name(batch->type));
	ck_assert_uint_eq(batch->version, 2);
	ck_assert_int_eq(batch->from_server, want->from_server);
	ck_assert_uint_eq(batch->length, want->length);
	ck_assert_uint_eq(raw->len, want->length);
	ck_assert_uint_eq(batch->count, want->count);
	ck_assert_uint_eq(batch->skipped, 0);

	for (size_t i = 0; i < want->count; i++) {
		const expected_msg *wm = &want->msgs[i];
		const pb_msg *m = &batch->msgs[i];

		ck_assert_uint_eq(m->vendor_id, PB_VENDOR_IETF);
		ck_assert_uint_eq(m->type, wm->type);
		ck_assert_uint_eq(m->flags, wm->flags);
		switch (wm->type) {
		case PB_MSG_PA:
			ck_assert_uint_eq(m->pa.vendor_id, wm->pa_vendor);
			ck_assert_uint_eq(m->pa.subtype, wm->pa_subtype);
			ck_assert_int_eq(m->pa.excl, wm->excl);
			ck_assert_uint_eq(m->pa.collector_id, wm->collector);
			ck_assert_uint_eq(m->pa.validator_id, wm->validator);
			ck_assert_uint_eq(count_pa_attributes(m->pa.body, m->pa.body_len), wm->attributes);
			/* The PA-TNC message fills the PB-PA value after its 12 fixed octets. */
			ck_assert_uint_eq(m->pa.body_len + 12, m->value_len);
			break;
		case PB_MSG_LANGUAGE_PREFERENCE:
			ck_assert_uint_eq(m->value_len, 19);
			ck_assert_mem_eq(m->value, "Accept-Language: en", 19);
			break;
		case PB_MSG_ASSESSMENT_RESULT:
			ck_assert_uint_eq(m->assessment_result, wm->value);
			break;
		case PB_MSG_ACCESS_RECOMMENDATION:
			ck_assert_uint_eq(m->access_recommendation, wm->value);
			break;
		}
	}
}

static void check_run(int run)
{
	dump_batch raw[RUN_BATCHES];
	pb_limits limits;

	pb_limits_default(&limits);
	load_run(run, raw);
	for (int i = 0; i < RUN_BATCHES; i++) {
		pb_role receiver = exchange[i].from_server ? PB_ROLE_CLIENT : PB_ROLE_SERVER;
		pb_batch *batch = NULL;
		pb_error_msg err;

		ck_assert_msg(pb_batch_parse(raw[i].data, raw[i].len, receiver, &limits, &batch, &err) == TS_OK,
			      "run %d batch #%d: %s at offset %u", run, i + 1,
			      err.detail ? err.detail : "?", err.offset);
		check_outline(run, i, batch, &raw[i]);
		pb_batch_destroy(batch);
	}
	free_run(raw);
}

START_TEST(batch_strongswan_run1_outline)
{
	check_run(1);
}
END_TEST

START_TEST(batch_strongswan_run2_outline)
{
	check_run(2);
}
END_TEST

/* Both state machines follow the real exchange batch by batch. */
START_TEST(batch_strongswan_states)
{
	dump_batch raw[RUN_BATCHES];
	pb_state client, server;
	pb_limits limits;

	pb_limits_default(&limits);
	pb_state_init(&client, PB_ROLE_CLIENT);
	pb_state_init(&server, PB_ROLE_SERVER);
	load_run(1, raw);
	for (int i = 0; i < RUN_BATCHES; i++) {
		pb_state *sender = exchange[i].from_server ? &server : &client;
		pb_state *receiver = exchange[i].from_server ? &client : &server;
		pb_batch *batch = NULL;
		pb_error_msg err;

		ck_assert_int_eq(pb_state_send(sender, exchange[i].type), TS_OK);
		ck_assert_int_eq(pb_batch_receive(receiver, raw[i].data, raw[i].len, &limits, &batch, &err),
				 TS_OK);
		ck_assert_ptr_nonnull(batch);
		ck_assert_int_eq(receiver->id, sender->id);
		pb_batch_destroy(batch);
	}
	ck_assert_int_eq(client.id, PB_STATE_END);
	ck_assert_int_eq(server.id, PB_STATE_END);
	free_run(raw);
}
END_TEST

/* Every parsed batch, rebuilt from its messages, equals the bytes strongSwan sent. */
START_TEST(batch_strongswan_rebuild_exact)
{
	for (int run = 1; run <= 2; run++) {
		dump_batch raw[RUN_BATCHES];
		pb_limits limits;

		pb_limits_default(&limits);
		load_run(run, raw);
		for (int i = 0; i < RUN_BATCHES; i++) {
			pb_role receiver = exchange[i].from_server ? PB_ROLE_CLIENT : PB_ROLE_SERVER;
			pb_role sender = exchange[i].from_server ? PB_ROLE_SERVER : PB_ROLE_CLIENT;
			pb_batch *batch = NULL;
			pb_error_msg err;
			writer_t w;

			ck_assert_int_eq(pb_batch_parse(raw[i].data, raw[i].len, receiver, &limits, &batch, &err),
					 TS_OK);
			writer_init(&w, SIZE_MAX);
			ck_assert_int_eq(pb_batch_build(&w, sender, batch->type, batch->msgs, batch->count), TS_OK);
			ck_assert_uint_eq(writer_len(&w), raw[i].len);
			ck_assert_mem_eq(writer_data(&w), raw[i].data, raw[i].len);
			writer_free(&w);
			pb_batch_destroy(batch);
		}
		free_run(raw);
	}
}
END_TEST

/* ---- Header violations ---- */

typedef struct header_case {
	const char *name;
	const char *hex;
	pb_role receiver;
	uint16_t code;
	bool has_offset;
	uint32_t offset;
} header_case;

static const header_case header_cases[] = {
	{ "empty input", "", PB_ROLE_SERVER, PB_ERROR_INVALID_PARAMETER, true, 0 },
	{ "shorter than the header", "02 00 00 01 00 00", PB_ROLE_SERVER,
	  PB_ERROR_INVALID_PARAMETER, true, 0 },
	{ "D bit set towards the server", "02 80 00 01 00 00 00 08", PB_ROLE_SERVER,
	  PB_ERROR_INVALID_PARAMETER, true, 1 },
	{ "D bit clear towards the client", "02 00 00 02 00 00 00 08", PB_ROLE_CLIENT,
	  PB_ERROR_INVALID_PARAMETER, true, 1 },
	{ "batch type 0", "02 00 00 00 00 00 00 08", PB_ROLE_SERVER, PB_ERROR_INVALID_PARAMETER, true, 3 },
	{ "batch type 7", "02 00 00 07 00 00 00 08", PB_ROLE_SERVER, PB_ERROR_INVALID_PARAMETER, true, 3 },
	{ "batch type 15", "02 00 00 0f 00 00 00 08", PB_ROLE_SERVER, PB_ERROR_INVALID_PARAMETER, true, 3 },
	{ "batch length below 8", "02 00 00 01 00 00 00 04", PB_ROLE_SERVER,
	  PB_ERROR_INVALID_PARAMETER, true, 4 },
	{ "batch length above the octets", "02 00 00 01 00 00 00 09", PB_ROLE_SERVER,
	  PB_ERROR_INVALID_PARAMETER, true, 4 },
	{ "batch length below the octets", "02 00 00 01 00 00 00 08 00", PB_ROLE_SERVER,
	  PB_ERROR_INVALID_PARAMETER, true, 4 },
	{ "huge batch length", "02 00 00 01 ff ff ff ff", PB_ROLE_SERVER, PB_ERROR_LOCAL_ERROR, false, 0 },
};

START_TEST(batch_header_violations)
{
	const header_case *c = &header_cases[_i];
	pb_limits limits;
	pb_batch *batch = NULL;
	pb_error_msg err;
	size_t len;
	unsigned char *data = test_hex(c->hex, &len);

	pb_limits_default(&limits);
	ck_assert_msg(pb_batch_parse(data, len, c->receiver, &limits, &batch, &err) == TS_E_PROTOCOL,
		      "case '%s' was accepted", c->name);
	ck_assert_ptr_null(batch);
	ck_assert_msg(err.code == c->code, "case '%s': code %u", c->name, err.code);
	ck_assert_int_eq(err.fatal, true);
	ck_assert_uint_eq(err.vendor_id, PB_VENDOR_IETF);
	ck_assert_int_eq(err.has_offset, c->has_offset);
	ck_assert_msg(err.offset == c->offset, "case '%s': offset %u", c->name, err.offset);
	ck_assert_ptr_nonnull(err.detail);
	free(data);
}
END_TEST

/* Versions 1, 3 and the reserved values get Version Not Supported {bad, 2, 2}. */
START_TEST(batch_version_not_supported)
{
	static const uint8_t versions[] = { 0x00, 0x01, 0x03, 0x09, 0x0a, 0x0d, 0x20, 0x3c, 0xff };
	pb_limits limits;

	pb_limits_default(&limits);
	for (size_t i = 0; i < sizeof(versions); i++) {
		uint8_t data[8] = { versions[i], 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08 };
		pb_batch *batch = NULL;
		pb_error_msg err;

		ck_assert_int_eq(pb_batch_parse(data, sizeof(data), PB_ROLE_SERVER, &limits, &batch, &err),
				 TS_E_PROTOCOL);
		ck_assert_uint_eq(err.code, PB_ERROR_VERSION_NOT_SUPPORTED);
		ck_assert_int_eq(err.fatal, true);
		ck_assert_uint_eq(err.bad_version, versions[i]);
		ck_assert_uint_eq(err.max_version, 2);
		ck_assert_uint_eq(err.min_version, 2);
	}
}
END_TEST

/* The reply to a version 1 batch, laid out by hand from RFC 5793 sections 4.1 and 4.9. */
START_TEST(batch_version_error_reply_bytes)
{
	static const char *expected =
		"02 80 00 06 00 00 00 20"              /* version 2, D=1, CLOSE, length 32 */
		"80 00 00 00 00 00 00 05 00 00 00 18"  /* NOSKIP, IETF, PB-Error, length 24 */
		"80 00 00 00 00 04 00 00"              /* fatal, IETF, Version Not Supported */
		"01 02 02 00";                         /* bad 1, max 2, min 2, reserved */
	uint8_t data[8] = { 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08 };
	pb_state state;
	pb_limits limits;
	pb_batch *batch = NULL;
	pb_error_msg err;
	writer_t w;
	size_t len;
	unsigned char *want = test_hex(expected, &len);

	pb_limits_default(&limits);
	pb_state_init(&state, PB_ROLE_SERVER);
	ck_assert_int_eq(pb_batch_receive(&state, data, sizeof(data), &limits, &batch, &err), TS_E_PROTOCOL);
	ck_assert_int_eq(state.id, PB_STATE_INIT);
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_batch_build_error(&w, &state, PB_ROLE_SERVER, &err), TS_OK);
	ck_assert_int_eq(state.id, PB_STATE_END);
	ck_assert_uint_eq(writer_len(&w), len);
	ck_assert_mem_eq(writer_data(&w), want, len);
	writer_free(&w);
	free(want);
}
END_TEST

/* An Invalid Parameter reply from the client: CLOSE, D=0, fatal, offset 3. */
START_TEST(batch_invalid_parameter_reply_bytes)
{
	static const char *expected =
		"02 00 00 06 00 00 00 20"
		"80 00 00 00 00 00 00 05 00 00 00 18"
		"80 00 00 00 00 01 00 00"
		"00 00 00 03";
	uint8_t data[8] = { 0x02, 0x80, 0x00, 0x09, 0x00, 0x00, 0x00, 0x08 };
	pb_state state;
	pb_limits limits;
	pb_batch *batch = NULL;
	pb_error_msg err;
	writer_t w;
	size_t len;
	unsigned char *want = test_hex(expected, &len);

	pb_limits_default(&limits);
	pb_state_init(&state, PB_ROLE_CLIENT);
	ck_assert_int_eq(pb_batch_receive(&state, data, sizeof(data), &limits, &batch, &err), TS_E_PROTOCOL);
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_batch_build_error(&w, &state, PB_ROLE_CLIENT, &err), TS_OK);
	ck_assert_uint_eq(writer_len(&w), len);
	ck_assert_mem_eq(writer_data(&w), want, len);
	writer_free(&w);
	free(want);
}
END_TEST

/* An Unexpected Batch Type carries no parameters (RFC 5793 section 4.9.1). */
START_TEST(batch_unexpected_type_reply_bytes)
{
	static const char *expected =
		"02 80 00 06 00 00 00 1c"
		"80 00 00 00 00 00 00 05 00 00 00 14"
		"80 00 00 00 00 00 00 00";
	/* A server in Init receives CRETRY. */
	uint8_t data[8] = { 0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x08 };
	pb_state state;
	pb_limits limits;
	pb_batch *batch = NULL;
	pb_error_msg err;
	writer_t w;
	size_t len;
	unsigned char *want = test_hex(expected, &len);

	pb_limits_default(&limits);
	pb_state_init(&state, PB_ROLE_SERVER);
	ck_assert_int_eq(pb_batch_receive(&state, data, sizeof(data), &limits, &batch, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.code, PB_ERROR_UNEXPECTED_BATCH_TYPE);
	ck_assert_int_eq(state.id, PB_STATE_INIT);
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_batch_build_error(&w, &state, PB_ROLE_SERVER, &err), TS_OK);
	ck_assert_uint_eq(writer_len(&w), len);
	ck_assert_mem_eq(writer_data(&w), want, len);
	writer_free(&w);
	free(want);
}
END_TEST

/* A batch type not allowed in the state is rejected before its messages are read. */
START_TEST(batch_state_checked_before_messages)
{
	/* SDATA to a client in Client Working, holding a message with a reserved type. */
	static const char *hex = "02 80 00 02 00 00 00 14  00 00 00 00 ff ff ff ff 00 00 00 0c";
	pb_state state = { PB_ROLE_CLIENT, PB_STATE_CLIENT_WORKING };
	pb_limits limits;
	pb_batch *batch = NULL;
	pb_error_msg err;
	size_t len;
	unsigned char *data = test_hex(hex, &len);

	pb_limits_default(&limits);
	ck_assert_int_eq(pb_batch_receive(&state, data, len, &limits, &batch, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.code, PB_ERROR_UNEXPECTED_BATCH_TYPE);
	/* The same batch in Server Working reaches the message and its reserved type. */
	state.id = PB_STATE_SERVER_WORKING;
	ck_assert_int_eq(pb_batch_receive(&state, data, len, &limits, &batch, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.code, PB_ERROR_INVALID_PARAMETER);
	ck_assert_uint_eq(err.offset, 12);
	ck_assert_int_eq(state.id, PB_STATE_SERVER_WORKING);
	free(data);
}
END_TEST

/* A crossed CRETRY is accepted without a batch; a CLOSE moves to End. */
START_TEST(batch_receive_ignored_and_close)
{
	uint8_t cretry[8] = { 0x02, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x08 };
	uint8_t close[8] = { 0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x08 };
	pb_state state = { PB_ROLE_SERVER, PB_STATE_SERVER_WORKING };
	pb_limits limits;
	pb_batch *batch = (pb_batch *)&state;
	pb_error_msg err;

	pb_limits_default(&limits);
	ck_assert_int_eq(pb_batch_receive(&state, cretry, sizeof(cretry), &limits, &batch, &err), TS_OK);
	ck_assert_ptr_null(batch);
	ck_assert_int_eq(state.id, PB_STATE_SERVER_WORKING);
	ck_assert_int_eq(pb_batch_receive(&state, close, sizeof(close), &limits, &batch, &err), TS_OK);
	ck_assert_ptr_nonnull(batch);
	ck_assert_uint_eq(batch->count, 0);
	ck_assert_int_eq(state.id, PB_STATE_END);
	pb_batch_destroy(batch);
}
END_TEST

/* Batch size and message count limits give a Local Error, which has no parameters. */
START_TEST(batch_limits)
{
	/* CDATA with two empty PB-Experimental messages: 8 + 12 + 12 octets. */
	static const char *hex = "02 00 00 01 00 00 00 20"
				 "00 00 00 00 00 00 00 00 00 00 00 0c"
				 "00 00 00 00 00 00 00 00 00 00 00 0c";
	pb_limits limits = { 32, 2 };
	pb_batch *batch = NULL;
	pb_error_msg err;
	size_t len;
	unsigned char *data = test_hex(hex, &len);

	ck_assert_int_eq(pb_batch_parse(data, len, PB_ROLE_SERVER, &limits, &batch, &err), TS_OK);
	ck_assert_uint_eq(batch->count, 0);
	ck_assert_uint_eq(batch->skipped, 2);
	pb_batch_destroy(batch);

	limits.max_batch_size = 31;
	ck_assert_int_eq(pb_batch_parse(data, len, PB_ROLE_SERVER, &limits, &batch, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.code, PB_ERROR_LOCAL_ERROR);
	ck_assert_int_eq(err.has_offset, false);

	limits.max_batch_size = 32;
	limits.max_msg_count = 1;
	ck_assert_int_eq(pb_batch_parse(data, len, PB_ROLE_SERVER, &limits, &batch, &err), TS_E_PROTOCOL);
	ck_assert_uint_eq(err.code, PB_ERROR_LOCAL_ERROR);
	free(data);
}
END_TEST

/* Reserved header bits are ignored on receipt (RFC 5793 section 4.1). */
START_TEST(batch_reserved_bits_ignored)
{
	uint8_t data[8] = { 0x02, 0x7f, 0xff, 0xf1, 0x00, 0x00, 0x00, 0x08 };
	pb_limits limits;
	pb_batch *batch = NULL;
	pb_error_msg err;

	pb_limits_default(&limits);
	ck_assert_int_eq(pb_batch_parse(data, sizeof(data), PB_ROLE_SERVER, &limits, &batch, &err), TS_OK);
	ck_assert_int_eq(batch->type, PB_BATCH_CDATA);
	ck_assert_int_eq(batch->from_server, false);
	pb_batch_destroy(batch);
}
END_TEST

/* RESULT: exactly one PB-Assessment-Result, at most one PB-Access-Recommendation. */
START_TEST(batch_result_rules)
{
#define ar "80 00 00 00 00 00 00 02 00 00 00 10 00 00 00 00"
#define rec "00 00 00 00 00 00 00 03 00 00 00 10 00 00 00 01"
	static const struct {
		const char *msgs[3];
		int rc;
		uint32_t offset;
	} cases[] = {
		{ { ar, NULL, NULL }, TS_OK, 0 },
		{ { ar, rec, NULL }, TS_OK, 0 },
		{ { NULL, NULL, NULL }, TS_E_PROTOCOL, 3 },
		{ { rec, NULL, NULL }, TS_E_PROTOCOL, 3 },
		{ { ar, ar, NULL }, TS_E_PROTOCOL, 24 },
		{ { ar, rec, rec }, TS_E_PROTOCOL, 40 },
	};
	pb_limits limits;

	pb_limits_default(&limits);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char hex[512];
		size_t len, n = 0;
		unsigned char *data;
		pb_batch *batch = NULL;
		pb_error_msg err;

		for (int k = 0; k < 3; k++)
			n += cases[i].msgs[k] ? 1 : 0;
		snprintf(hex, sizeof(hex), "02 80 00 03 00 00 00 %02zx %s %s %s", 8 + 16 * n,
			 cases[i].msgs[0] ? cases[i].msgs[0] : "", cases[i].msgs[1] ? cases[i].msgs[1] : "",
			 cases[i].msgs[2] ? cases[i].msgs[2] : "");
		data = test_hex(hex, &len);
		ck_assert_msg(pb_batch_parse(data, len, PB_ROLE_CLIENT, &limits, &batch, &err) == cases[i].rc,
			      "RESULT case %zu", i);
		if (cases[i].rc == TS_OK) {
			ck_assert_uint_eq(batch->count, n);
			pb_batch_destroy(batch);
		} else {
			ck_assert_uint_eq(err.code, PB_ERROR_INVALID_PARAMETER);
			ck_assert_uint_eq(err.offset, cases[i].offset);
		}
		free(data);
	}
#undef ar
#undef rec
}
END_TEST

/* ---- Building ---- */

/* The RESULT batch #10 of run 1, built from values instead of parsed messages. */
START_TEST(batch_build_result_from_values)
{
	static const char *batch10 =
		"02 80 00 03 00 00 00 58 80 00 00 00 00 00 00 01"
		"00 00 00 30 00 00 55 97 00 00 00 01 ff ff 00 02"
		"01 00 00 00 a1 86 22 74 00 00 00 00 00 00 00 09"
		"00 00 00 10 00 00 00 00 80 00 00 00 00 00 00 02"
		"00 00 00 10 00 00 00 00 00 00 00 00 00 00 00 03"
		"00 00 00 10 00 00 00 01";
	size_t len;
	unsigned char *want = test_hex(batch10, &len);
	pb_msg msgs[3];
	pb_state state = { PB_ROLE_SERVER, PB_STATE_SERVER_WORKING };
	writer_t w;
	size_t start;

	/* The PA-TNC message is bytes 0x20..0x37 of the batch. */
	pb_msg_init_pa(&msgs[0], false, PTS_VENDOR, PTS_SUBTYPE, PB_PA_ID_ANY, 2, want + 0x20, 24);
	pb_msg_init_assessment_result(&msgs[1], PB_ASSESSMENT_COMPLIANT);
	pb_msg_init_access_recommendation(&msgs[2], PB_ACCESS_ALLOWED);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_state_may_send(&state, PB_BATCH_RESULT), true);
	ck_assert_int_eq(pb_batch_begin(&w, PB_ROLE_SERVER, PB_BATCH_RESULT, &start), TS_OK);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pb_msg_write(&w, &msgs[i]), TS_OK);
	ck_assert_int_eq(pb_batch_finish(&w, start), TS_OK);
	ck_assert_int_eq(pb_state_send(&state, PB_BATCH_RESULT), TS_OK);
	ck_assert_uint_eq(writer_len(&w), len);
	ck_assert_mem_eq(writer_data(&w), want, len);
	writer_free(&w);
	free(want);
}
END_TEST

START_TEST(batch_build_empty_close_and_limits)
{
	static const uint8_t close[8] = { 0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x08 };
	writer_t w;
	size_t start;
	pb_msg m;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_batch_build(&w, PB_ROLE_CLIENT, PB_BATCH_CLOSE, NULL, 0), TS_OK);
	ck_assert_uint_eq(writer_len(&w), 8);
	ck_assert_mem_eq(writer_data(&w), close, 8);
	writer_free(&w);

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_batch_begin(&w, PB_ROLE_CLIENT, (pb_batch_type)0, &start), TS_E_INVALID);
	ck_assert_int_eq(pb_batch_begin(&w, PB_ROLE_CLIENT, (pb_batch_type)7, &start), TS_E_INVALID);
	ck_assert_uint_eq(writer_len(&w), 0);
	writer_free(&w);

	/* The writer's maximum bounds the batch. */
	writer_init(&w, 20);
	pb_msg_init_assessment_result(&m, 0);
	ck_assert_int_eq(pb_batch_build(&w, PB_ROLE_SERVER, PB_BATCH_RESULT, &m, 1), TS_E_TOO_LARGE);
	writer_free(&w);
}
END_TEST

/* ---- Logging outline and configured limits ---- */

START_TEST(batch_describe_outline)
{
	dump_batch raw[RUN_BATCHES];
	pb_limits limits;
	pb_batch *batch = NULL;
	pb_error_msg err;
	char line[256], tiny[12];

	pb_limits_default(&limits);
	load_run(1, raw);
	ck_assert_int_eq(pb_batch_parse(raw[9].data, raw[9].len, PB_ROLE_CLIENT, &limits, &batch, &err), TS_OK);
	ck_assert_str_eq(pb_batch_describe(batch, line, sizeof(line)),
			 "RESULT 88 octets: PB-PA 0x005597/1 imc 65535 imv 2, PB-Assessment-Result 0, "
			 "PB-Access-Recommendation 1");
	ck_assert_str_eq(pb_batch_describe(batch, tiny, sizeof(tiny)), "RESULT 88 o");
	pb_batch_destroy(batch);

	ck_assert_int_eq(pb_batch_parse(raw[0].data, raw[0].len, PB_ROLE_SERVER, &limits, &batch, &err), TS_OK);
	ck_assert_str_eq(pb_batch_describe(batch, line, sizeof(line)),
			 "CDATA 266 octets: PB-Language-Preference, PB-PA 0x000000/1 imc 1 imv 65535");
	pb_batch_destroy(batch);

	ck_assert_int_eq(pb_batch_parse(raw[2].data, raw[2].len, PB_ROLE_SERVER, &limits, &batch, &err), TS_OK);
	ck_assert_str_eq(pb_batch_describe(batch, line, sizeof(line)),
			 "CDATA 92 octets: PB-PA 0x005597/1 excl imc 2 imv 2");
	pb_batch_destroy(batch);
	free_run(raw);
}
END_TEST

START_TEST(batch_limits_from_conf)
{
	static const char text[] = "[tnc-server]\npb_max_batch_size = 64K\npb_max_batch_messages = 10\n"
				   "[bad-size]\npb_max_batch_size = 4\n"
				   "[bad-count]\npb_max_batch_messages = 0\n"
				   "[huge]\npb_max_batch_size = 4G\n";
	pb_limits limits;
	conf_t *conf = NULL;

	ck_assert_int_eq(conf_parse("test.conf", text, sizeof(text) - 1, &conf), TS_OK);
	pb_limits_default(&limits);
	ck_assert_int_eq(pb_limits_load(conf, "tnc-server", &limits), TS_OK);
	ck_assert_uint_eq(limits.max_batch_size, 65536);
	ck_assert_uint_eq(limits.max_msg_count, 10);

	ck_assert_int_eq(pb_limits_load(conf, "absent", &limits), TS_OK);
	ck_assert_uint_eq(limits.max_batch_size, PB_DEFAULT_MAX_BATCH_SIZE);
	ck_assert_uint_eq(limits.max_msg_count, PB_DEFAULT_MAX_MSG_COUNT);

	ck_assert_int_eq(pb_limits_load(conf, "bad-size", &limits), TS_E_CONFIG);
	ck_assert_int_eq(pb_limits_load(conf, "bad-count", &limits), TS_E_CONFIG);
	ck_assert_int_eq(pb_limits_load(conf, "huge", &limits), TS_E_CONFIG);
	ck_assert_uint_eq(limits.max_batch_size, PB_DEFAULT_MAX_BATCH_SIZE);
	conf_free(conf);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pb_batch");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, batch_strongswan_run1_outline);
	tcase_add_test(tc, batch_strongswan_run2_outline);
	tcase_add_test(tc, batch_strongswan_states);
	tcase_add_test(tc, batch_strongswan_rebuild_exact);
	tcase_add_loop_test(tc, batch_header_violations, 0, sizeof(header_cases) / sizeof(header_cases[0]));
	tcase_add_test(tc, batch_version_not_supported);
	tcase_add_test(tc, batch_version_error_reply_bytes);
	tcase_add_test(tc, batch_invalid_parameter_reply_bytes);
	tcase_add_test(tc, batch_unexpected_type_reply_bytes);
	tcase_add_test(tc, batch_state_checked_before_messages);
	tcase_add_test(tc, batch_receive_ignored_and_close);
	tcase_add_test(tc, batch_limits);
	tcase_add_test(tc, batch_reserved_bits_ignored);
	tcase_add_test(tc, batch_result_rules);
	tcase_add_test(tc, batch_build_result_from_values);
	tcase_add_test(tc, batch_build_empty_close_and_limits);
	tcase_add_test(tc, batch_describe_outline);
	tcase_add_test(tc, batch_limits_from_conf);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
