/*
 * tnc-eventlog: prints a TCG PC Client firmware event log and the PCR values
 * it replays to, for people or as one JSON object.
 *
 * Exit status: 0 success, 1 the log could not be parsed or replayed,
 * 2 usage error, 3 the file could not be read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "eventlog.h"
#include "eventlog_decode.h"
#include "pcr_set.h"

enum {
	EXIT_OK = 0,
	EXIT_PARSE = 1,
	EXIT_USAGE = 2,
	EXIT_IO = 3,
};

static const char *program = "tnc-eventlog";

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [--json] FILE\n"
		"Parse a TCG PC Client firmware event log (for example\n"
		"/sys/kernel/security/tpm0/binary_bios_measurements), print its events\n"
		"and the PCR values replayed from them. FILE '-' reads standard input.\n"
		"\n"
		"  -j, --json   print one JSON object with members \"events\" and \"pcrs\"\n"
		"  -h, --help   print this help and exit\n"
		"\n"
		"Exit status: 0 success, 1 invalid log, 2 usage error, 3 read error.\n",
		program);
}

/* Reads the whole file. A file longer than `limit` bytes fails with TS_E_TOO_LARGE. */
static int read_file(const char *path, size_t limit, uint8_t **out, size_t *out_len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = TS_OK;

	if (!f)
		return TS_E_IO;
	for (;;) {
		size_t n;

		if (len == cap) {
			size_t grown = cap ? cap * 2 : 65536;
			uint8_t *p;

			if (cap > limit) {
				rc = TS_E_TOO_LARGE;
				goto out;
			}
			p = realloc(buf, grown);
			if (!p) {
				rc = TS_E_NOMEM;
				goto out;
			}
			buf = p;
			cap = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		rc = TS_E_IO;
		goto out;
	}
	if (len > limit) {
		rc = TS_E_TOO_LARGE;
		goto out;
	}

	*out = buf;
	*out_len = len;
	buf = NULL;
out:
	if (f != stdin)
		fclose(f);
	free(buf);
	return rc;
}

static void print_hex(FILE *out, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x", p[i]);
}

/* Prints decoded data as indented "key: value" lines. */
static void print_value(FILE *out, json_object *v, int indent);

static void print_object(FILE *out, json_object *o, int indent)
{
	json_object_object_foreach(o, key, val) {
		enum json_type t = json_object_get_type(val);

		fprintf(out, "%*s%s:", indent, "", key);
		if (t == json_type_object || t == json_type_array) {
			fputc('\n', out);
			print_value(out, val, indent + 2);
		} else {
			fputc(' ', out);
			print_value(out, val, 0);
		}
	}
}

static void print_value(FILE *out, json_object *v, int indent)
{
	switch (json_object_get_type(v)) {
	case json_type_object:
		print_object(out, v, indent);
		break;
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *item = json_object_array_get_idx(v, i);

			if (json_object_get_type(item) == json_type_object) {
				fprintf(out, "%*s- item %zu\n", indent, "", i);
				print_object(out, item, indent + 2);
			} else {
				fprintf(out, "%*s- ", indent, "");
				print_value(out, item, 0);
			}
		}
		break;
	default:
		fprintf(out, "%s\n", json_object_get_string(v));
		break;
	}
}

static int print_text(const char *path, const eventlog_t *log, const pcr_set_t *set)
{
	const eventlog_algorithm_t *algs;
	size_t num_algs = eventlog_get_algorithms(log, &algs);
	const eventlog_specid_t *specid = eventlog_get_specid(log);

	printf("%s: %s log, %zu event%s, startup locality %u, banks:", path,
	       eventlog_get_format(log) == EVENTLOG_FORMAT_CRYPTO_AGILE ? "crypto-agile" : "SHA-1",
	       eventlog_get_count(log), eventlog_get_count(log) == 1 ? "" : "s",
	       eventlog_get_startup_locality(log));
	for (size_t a = 0; a < num_algs; a++) {
		const char *name = pcr_bank_alg_name(algs[a].alg_id);

		if (name)
			printf(" %s", name);
		else
			printf(" 0x%04x", algs[a].alg_id);
	}
	printf("\n");
	if (specid && specid->vendor_info_outside_event)
		printf("note: the Spec ID event's vendorInfo lies outside its EventSize\n");

	for (size_t i = 0; i < eventlog_get_count(log); i++) {
		const eventlog_event_t *ev = eventlog_get_event(log, i);
		const char *type = eventlog_type_name(ev->type);
		json_object *data = NULL;

		printf("\nevent %zu at offset %zu: PCR %u, ", ev->index, ev->offset, ev->pcr);
		if (type)
			printf("%s", type);
		else
			printf("type 0x%08x", ev->type);
		printf(", %zu bytes of data\n", ev->data_len);
		for (size_t d = 0; d < ev->digest_count; d++) {
			const char *name = pcr_bank_alg_name(ev->digests[d].alg_id);

			if (name)
				printf("  %-8s ", name);
			else
				printf("  0x%04x   ", ev->digests[d].alg_id);
			print_hex(stdout, ev->digests[d].value, ev->digests[d].size);
			printf("\n");
		}
		if (eventlog_decode(ev, EVENTLOG_DECODE_BRIEF, &data) != TS_OK) {
			fprintf(stderr, "%s: out of memory\n", program);
			return EXIT_IO;
		}
		print_object(stdout, data, 2);
		json_object_put(data);
	}

	printf("\nPCRs replayed from the log (only those the log extends):\n");
	for (size_t a = 0; a < num_algs; a++) {
		const pcr_bank_t *bank = pcr_set_get_bank(set, algs[a].alg_id);
		uint32_t extended;

		if (!bank) {
			printf("  0x%04x: not replayed (no implementation of this algorithm)\n", algs[a].alg_id);
			continue;
		}
		extended = pcr_bank_get_extended(bank);
		printf("  %s:\n", pcr_bank_get_name(bank));
		for (unsigned i = 0; i < PCR_BANK_NUM_PCRS; i++) {
			const uint8_t *value;
			size_t len;

			if (!(extended & (UINT32_C(1) << i)) || pcr_bank_read(bank, i, &value, &len) != TS_OK)
				continue;
			printf("    %2u: ", i);
			print_hex(stdout, value, len);
			printf("\n");
		}
	}
	return EXIT_OK;
}

static json_object *hex_string(const uint8_t *p, size_t len)
{
	char text[2 * PCR_BANK_MAX_DIGEST_SIZE + 1];

	for (size_t i = 0; i < len; i++)
		snprintf(text + 2 * i, 3, "%02x", p[i]);
	text[2 * len] = '\0';
	return json_object_new_string(text);
}

/* Builds {"sha1": {"0": "hex", ...}, ...} for the banks of the log. */
static json_object *pcrs_to_json(const eventlog_t *log, const pcr_set_t *set)
{
	const eventlog_algorithm_t *algs;
	size_t num_algs = eventlog_get_algorithms(log, &algs);
	json_object *pcrs = json_object_new_object();

	for (size_t a = 0; pcrs && a < num_algs; a++) {
		const pcr_bank_t *bank = pcr_set_get_bank(set, algs[a].alg_id);
		json_object *values;

		if (!bank)
			continue;
		values = json_object_new_object();
		if (!values || json_object_object_add(pcrs, pcr_bank_get_name(bank), values) != 0) {
			json_object_put(values);
			json_object_put(pcrs);
			return NULL;
		}
		for (unsigned i = 0; i < PCR_BANK_NUM_PCRS; i++) {
			const uint8_t *value;
			size_t len;
			char key[4];

			if (!(pcr_bank_get_extended(bank) & (UINT32_C(1) << i)) ||
			    pcr_bank_read(bank, i, &value, &len) != TS_OK)
				continue;
			snprintf(key, sizeof(key), "%u", i);
			if (json_object_object_add(values, key, hex_string(value, len)) != 0) {
				json_object_put(pcrs);
				return NULL;
			}
		}
	}
	return pcrs;
}

static int print_json(const eventlog_t *log, const pcr_set_t *set)
{
	const eventlog_specid_t *specid = eventlog_get_specid(log);
	json_object *root = json_object_new_object();
	json_object *events = json_object_new_array();
	json_object *pcrs = NULL;
	int status = EXIT_IO;

	if (!root || !events)
		goto out;
	json_object_object_add(root, "format", json_object_new_string(
		eventlog_get_format(log) == EVENTLOG_FORMAT_CRYPTO_AGILE ? "crypto-agile" : "sha1"));
	json_object_object_add(root, "startup_locality",
			       json_object_new_int(eventlog_get_startup_locality(log)));
	if (specid && specid->vendor_info_outside_event)
		json_object_object_add(root, "warning", json_object_new_string(
			"the Spec ID event's vendorInfo lies outside its EventSize"));
	for (size_t i = 0; i < eventlog_get_count(log); i++) {
		json_object *ev = NULL;

		if (eventlog_decode_event(eventlog_get_event(log, i), 0, &ev) != TS_OK ||
		    json_object_array_add(events, ev) != 0) {
			json_object_put(ev);
			goto out;
		}
	}
	json_object_object_add(root, "events", events);
	events = NULL;
	pcrs = pcrs_to_json(log, set);
	if (!pcrs || json_object_object_add(root, "pcrs", pcrs) != 0) {
		json_object_put(pcrs);
		goto out;
	}

	printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	status = EXIT_OK;
out:
	if (status != EXIT_OK)
		fprintf(stderr, "%s: out of memory\n", program);
	json_object_put(events);
	json_object_put(root);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	eventlog_limits_t limits;
	eventlog_error_t err;
	eventlog_t *log = NULL;
	pcr_set_t *set = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	bool json = false;
	const char *path;
	int status = EXIT_IO;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s: expected exactly one FILE argument\n", program);
		usage(stderr);
		return EXIT_USAGE;
	}
	path = argv[optind];

	eventlog_limits_default(&limits);
	rc = read_file(path, limits.max_log_size, &data, &len);
	if (rc != TS_OK) {
		if (rc == TS_E_IO)
			fprintf(stderr, "%s: cannot read %s: %s\n", program, path, strerror(errno));
		else if (rc == TS_E_TOO_LARGE)
			fprintf(stderr, "%s: %s exceeds the limit of %zu bytes\n", program, path, limits.max_log_size);
		else
			fprintf(stderr, "%s: cannot read %s: %s\n", program, path, ts_strerror(rc));
		goto out;
	}

	rc = eventlog_parse(data, len, &limits, &log, &err);
	if (rc == TS_OK) {
		rc = pcr_set_create(&set);
		if (rc != TS_OK) {
			fprintf(stderr, "%s: cannot create the PCR banks: %s\n", program, ts_strerror(rc));
			goto out;
		}
		rc = eventlog_replay(log, set, &err);
	}
	if (rc != TS_OK) {
		fprintf(stderr, "%s: %s: event %zu at offset %zu: %s\n", program, path,
			err.index, err.offset, err.message);
		status = EXIT_PARSE;
		goto out;
	}

	status = json ? print_json(log, set) : print_text(path, log, set);
	if (fflush(stdout) != 0 && status == EXIT_OK) {
		fprintf(stderr, "%s: cannot write the output: %s\n", program, strerror(errno));
		status = EXIT_IO;
	}
out:
	pcr_set_destroy(set);
	eventlog_destroy(log);
	free(data);
	return status;
}
