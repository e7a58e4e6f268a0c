/*
 * libFuzzer harness for the firmware event log parser, its replay into the
 * emulated PCR banks and the decoder of every event's data. A crash, a
 * sanitizer report or a failed invariant below is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "eventlog.h"
#include "eventlog_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pcr_set_t *set;
	eventlog_t *log = NULL;
	eventlog_error_t err;
	/* An exact-size copy, so reads past the end hit ASan's redzone. */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (!set && pcr_set_create(&set) != TS_OK)
		abort();

	if (eventlog_parse(copy, size, NULL, &log, &err) == TS_OK) {
		/* Replay may reject a log, naming a place inside it. */
		if (eventlog_replay(log, set, &err) != TS_OK && err.offset > size)
			abort();
		for (size_t i = 0; i < eventlog_get_count(log); i++) {
			const eventlog_event_t *ev = eventlog_get_event(log, i);
			json_object *o = NULL;

			if (ev->data_offset + ev->data_len > size)
				abort();
			if (eventlog_decode_event(ev, i % 2 ? EVENTLOG_DECODE_BRIEF : 0, &o) == TS_OK) {
				json_object_to_json_string(o);
				json_object_put(o);
			}
		}
		eventlog_destroy(log);
	} else if (err.offset > size) {
		abort();
	}
	free(copy);
	return 0;
}
