/*
 * libFuzzer harness for PB-TNC batches. The input is parsed as received by
 * the client and by the server, and through pb_batch_receive() in every
 * state. The messages of an accepted batch are written again, and the result
 * must parse to the same messages and rebuild to the same bytes. For a
 * rejected batch, the PB-Error reply must parse at the peer. Every accepted
 * PB-Language-Preference value goes through pb_lang_parse and pb_lang_build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb_batch.h"
#include "pb_lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pb_role peer_of(pb_role role)
{
	return role == PB_ROLE_SERVER ? PB_ROLE_CLIENT : PB_ROLE_SERVER;
}

/* A language value that parsed must build to a value that parses to the same ranges. */
static void check_language(const pb_msg *m)
{
	pb_lang_pref pref, back;
	size_t off;
	writer_t w;

	if (pb_lang_parse(m->value, m->value_len, &pref, &off) != TS_OK)
		abort();
	writer_init(&w, SIZE_MAX);
	if (pb_lang_build(&pref, &w) != TS_OK)
		abort();
	if (pb_lang_parse(writer_data(&w), writer_len(&w), &back, &off) != TS_OK || back.count != pref.count)
		abort();
	for (size_t i = 0; i < pref.count; i++) {
		if (strcmp(back.ranges[i].tag, pref.ranges[i].tag) != 0 || back.ranges[i].q != pref.ranges[i].q)
			abort();
	}
	writer_free(&w);
}

/* Rebuilds an accepted batch; the rebuilt bytes must parse and rebuild identically. */
static void check_rebuild(const pb_batch *batch, pb_role receiver, const pb_limits *limits)
{
	pb_role sender = peer_of(receiver);
	pb_batch *again = NULL;
	pb_error_msg err;
	writer_t first, second;

	writer_init(&first, SIZE_MAX);
	if (pb_batch_build(&first, sender, batch->type, batch->msgs, batch->count) != TS_OK)
		abort();
	if (pb_batch_parse(writer_data(&first), writer_len(&first), receiver, limits, &again, &err) != TS_OK)
		abort();
	if (again->count != batch->count || again->type != batch->type)
		abort();
	writer_init(&second, SIZE_MAX);
	if (pb_batch_build(&second, sender, again->type, again->msgs, again->count) != TS_OK)
		abort();
	if (writer_len(&first) != writer_len(&second) ||
	    memcmp(writer_data(&first), writer_data(&second), writer_len(&first)) != 0)
		abort();
	pb_batch_destroy(again);
	writer_free(&second);
	writer_free(&first);
}

/* The CLOSE batch reporting err must be a valid batch for the peer. */
static void check_error_reply(const pb_error_msg *err, pb_role sender, const pb_limits *limits)
{
	pb_batch *reply = NULL;
	pb_error_msg reply_err;
	writer_t w;

	writer_init(&w, SIZE_MAX);
	if (pb_batch_build_error(&w, NULL, sender, err) != TS_OK)
		abort();
	if (pb_batch_parse(writer_data(&w), writer_len(&w), peer_of(sender), limits, &reply, &reply_err) != TS_OK)
		abort();
	if (reply->type != PB_BATCH_CLOSE || reply->count != 1 || reply->msgs[0].error.code != err->code)
		abort();
	pb_batch_destroy(reply);
	writer_free(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pb_limits limits;

	pb_limits_default(&limits);
	for (int role = PB_ROLE_CLIENT; role <= PB_ROLE_SERVER; role++) {
		pb_batch *batch = NULL;
		pb_error_msg err;

		if (pb_batch_parse(data, size, (pb_role)role, &limits, &batch, &err) == TS_OK) {
			for (size_t i = 0; i < batch->count; i++) {
				const pb_msg *m = &batch->msgs[i];

				if (m->vendor_id == PB_VENDOR_IETF && m->type == PB_MSG_LANGUAGE_PREFERENCE)
					check_language(m);
			}
			check_rebuild(batch, (pb_role)role, &limits);
			pb_batch_destroy(batch);
		} else {
			check_error_reply(&err, (pb_role)role, &limits);
		}

		for (int id = PB_STATE_INIT; id <= PB_STATE_END; id++) {
			pb_state state = { (pb_role)role, (pb_state_id)id };

			batch = NULL;
			if (pb_batch_receive(&state, data, size, &limits, &batch, &err) == TS_OK)
				pb_batch_destroy(batch);
			else if (state.id != (pb_state_id)id)
				abort();
		}
	}
	return 0;
}
