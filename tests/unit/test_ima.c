/*
 * Unit tests of common/ima: binary and text list parsing, template hashes,
 * PCR 10 replay, boot_aggregate and verification against references.
 *
 * Expected values come from files next to the fixtures, never from the code
 * under test. Those files are evmctl output (ima-evm-utils 1.4), PCR 10 read
 * in the VM that wrote the list, tpm2-tss's expected parse results,
 * tpm2_checkquote output and openssl-refs.txt (made with the openssl CLI).
 */
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "ima/ima.h"
#include "test_util.h"

#define MAX_REF_LINES 1024

/* One entry line of an evmctl -v ima_measurement output or ASCII list. */
struct ref_line {
	unsigned pcr;
	char template_hash[129];
	char template_name[32];
	char digest[160];      /* "alg:hex" (d-ng) or "hex" (d) */
	char name[512];
	char extra[2048];      /* sig or buf hex, "" when absent */
};

static struct ref_line ref_lines[MAX_REF_LINES];

/* Reads entry lines ("10 <hash> <template> ...") of an evmctl output. */
static size_t read_ref_lines(const char *file)
{
	FILE *f = fopen(test_data_path(file), "r");
	char line[8192];
	size_t n = 0;

	ck_assert_msg(f != NULL, "cannot open %s", file);
	while (fgets(line, sizeof(line), f)) {
		struct ref_line *l = &ref_lines[n];
		int fields;

		if (line[0] < '0' || line[0] > '9')
			continue;
		ck_assert_uint_lt(n, MAX_REF_LINES);
		memset(l, 0, sizeof(*l));
		fields = sscanf(line, "%u %128s %31s %159s %511s %2047s", &l->pcr, l->template_hash,
				l->template_name, l->digest, l->name, l->extra);
		ck_assert_int_ge(fields, 5);
		n++;
	}
	fclose(f);
	return n;
}

/* Finds "<key>" at the start of a line of `file` and returns word `word` (0-based) after it. */
static const char *find_ref_value(const char *file, const char *key, int word)
{
	static char value[256];
	FILE *f = fopen(test_data_path(file), "r");
	char line[8192];
	bool found = false;

	ck_assert_msg(f != NULL, "cannot open %s", file);
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = line, *tok, *save = NULL;

		while (*p == ' ')
			p++;
		if (strncmp(p, key, strlen(key)) != 0)
			continue;
		tok = strtok_r(p + strlen(key), " \t\n", &save);
		for (int i = 0; tok && i < word; i++)
			tok = strtok_r(NULL, " \t\n", &save);
		ck_assert_msg(tok != NULL, "no word %d after '%s' in %s", word, key, file);
		snprintf(value, sizeof(value), "%s", tok);
		found = true;
	}
	fclose(f);
	ck_assert_msg(found, "'%s' not found in %s", key, file);
	return value;
}

static const char *hex(const uint8_t *p, size_t len)
{
	static char buf[2][4096];
	static int which;
	char *out = buf[which ^= 1];

	ck_assert_uint_lt(len * 2, sizeof(buf[0]));
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * len] = 0;
	return out;
}

static char *lower(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	}
	return s;
}

static ima_list *parse_bin(const char *file, ima_hash_alg alg)
{
	ima_parse_error err;
	ima_list *list = NULL;
	size_t len;
	uint8_t *data = test_read_file(test_data_path(file), &len);
	int rc = ima_list_parse_binary(data, len, alg, NULL, &list, &err);

	ck_assert_msg(rc == TS_OK, "%s: %s at entry %zu offset %zu: %s", file, ts_strerror(rc),
		      err.entry, err.offset, err.message);
	free(data);
	return list;
}

static ima_list *parse_text(const char *file, ima_hash_alg alg)
{
	ima_parse_error err;
	ima_list *list = NULL;
	size_t len;
	uint8_t *data = test_read_file(test_data_path(file), &len);
	int rc = ima_ascii_parse((const char *)data, len, alg, NULL, &list, &err);

	ck_assert_msg(rc == TS_OK, "%s: %s at line %zu offset %zu: %s: %s", file,
		      ts_strerror(rc), err.line, err.offset, err.field, err.message);
	free(data);
	return list;
}

/* Compares every entry of a list with the lines of an evmctl output or text list. */
static void check_against_lines(const ima_list *list, size_t nlines)
{
	ck_assert_uint_eq(ima_list_count(list), nlines);
	for (size_t i = 0; i < nlines; i++) {
		const ima_entry *e = ima_list_entry(list, i);
		const struct ref_line *l = &ref_lines[i];
		char digest[200], name[512];

		ck_assert_uint_eq(e->pcr, l->pcr);
		ck_assert_str_eq(hex(e->template_hash, 20), l->template_hash);
		ck_assert_uint_eq(e->template_name_len, strlen(l->template_name));
		ck_assert_mem_eq(e->template_name, l->template_name, e->template_name_len);
		if (e->template_id == IMA_TEMPLATE_IMA)
			snprintf(digest, sizeof(digest), "%s", hex(e->digest, e->digest_len));
		else
			snprintf(digest, sizeof(digest), "%.*s:%s", (int)e->digest_alg_name_len,
				 e->digest_alg_name, hex(e->digest, e->digest_len));
		ck_assert_str_eq(digest, l->digest);
		snprintf(name, sizeof(name), "%.*s", (int)e->file_name_len, e->file_name);
		ck_assert_str_eq(name, l->name);
		if (e->template_id == IMA_TEMPLATE_IMA_BUF)
			ck_assert_str_eq(hex(e->buf, e->buf_len), l->extra);
		if (e->template_id == IMA_TEMPLATE_IMA_SIG)
			ck_assert_str_eq(hex(e->sig, e->sig_len), l->extra);
	}
}

static void check_replay(const ima_list *list, ima_hash_alg bank, const char *expected_hex)
{
	uint8_t pcr[IMA_DIGEST_MAX];
	size_t pcr_len = 0;

	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 10, bank, IMA_REPLAY_BANK_HASH, pcr, &pcr_len),
			 TS_OK);
	ck_assert_uint_eq(pcr_len, ima_hash_alg_size(bank));
	ck_assert_str_eq(hex(pcr, pcr_len), expected_hex);
}

/* --- binary lists ------------------------------------------------------- */

START_TEST(binary_vm_ima_sig)
{
	ima_list *list = parse_bin("ima/ima-tcb-ima-sig-1.bin", IMA_HASH_SHA1);
	size_t n = read_ref_lines("ima/ima-tcb-ima-sig-1.bin.evmctl.txt");

	ck_assert_uint_eq(n, 62);
	check_against_lines(list, n);
	ck_assert_int_eq(ima_list_entry(list, 0)->template_id, IMA_TEMPLATE_IMA_SIG);
	ck_assert_int_eq(ima_list_entry(list, 0)->digest_alg, IMA_HASH_SHA256);
	ck_assert_uint_eq(ima_list_violations(list), 0);
	ck_assert_int_eq(ima_template_check_list(list, NULL), TS_OK);
	ima_list_destroy(list);
}
END_TEST

START_TEST(binary_vm_critical_data)
{
	ima_list *list = parse_bin("ima/ima-tcb-critical-data-1.bin", IMA_HASH_SHA1);
	size_t n = read_ref_lines("ima/ima-tcb-critical-data-1.bin.evmctl.txt");
	const ima_entry *e;

	ck_assert_uint_eq(n, 10);
	check_against_lines(list, n);
	e = ima_list_entry(list, 1);
	ck_assert_int_eq(e->template_id, IMA_TEMPLATE_IMA_BUF);
	ck_assert_uint_eq(e->buf_len, strlen("6.1.0-57-amd64"));
	ck_assert_mem_eq(e->buf, "6.1.0-57-amd64", e->buf_len);
	ck_assert_int_eq(ima_template_check_list(list, NULL), TS_OK);
	ima_list_destroy(list);
}
END_TEST

/*
 * The tpm2-tss excerpts end inside a record: the whole file is rejected at
 * the first incomplete record, and the complete records before it parse.
 */
static void check_cut_tss_list(const char *file, const char *expected_file,
			       const char *evmctl_file, ima_template template_id)
{
	size_t len, expected = (size_t)atoi(find_ref_value(expected_file, "entries", 0));
	uint8_t *data = test_read_file(test_data_path(file), &len);
	size_t n = read_ref_lines(evmctl_file);
	ima_parse_error err;
	ima_list *list = NULL;

	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, &err),
			 TS_E_TRUNCATED);
	ck_assert_ptr_null(list);
	ck_assert_uint_eq(err.entry, expected);
	ck_assert_uint_lt(err.record_offset, len);
	ck_assert_uint_ge(err.offset, err.record_offset);

	ck_assert_int_eq(ima_list_parse_binary(data, err.record_offset, IMA_HASH_SHA1, NULL, &list,
					       &err),
			 TS_OK);
	ck_assert_uint_eq(n, expected);
	check_against_lines(list, n);
	ck_assert_int_eq(ima_list_entry(list, 0)->template_id, template_id);
	ck_assert_int_eq(ima_template_check_list(list, NULL), TS_OK);
	ima_list_destroy(list);
	free(data);
}

START_TEST(binary_tss_legacy_cut)
{
	check_cut_tss_list("ima/tss-sml-ima-sha1.bin", "ima/tss-sml-ima-sha1.bin.expected.txt",
			   "ima/tss-sml-ima-sha1.bin.evmctl.txt", IMA_TEMPLATE_IMA);
}
END_TEST

START_TEST(binary_tss_ima_sig_cut)
{
	check_cut_tss_list("ima/tss-sml-ima-sig-sha256.bin",
			   "ima/tss-sml-ima-sig-sha256.bin.expected.txt",
			   "ima/tss-sml-ima-sig-sha256.bin.evmctl.txt", IMA_TEMPLATE_IMA_SIG);
}
END_TEST

/* tpm2-tss's expected.txt lists template hashes and names, independently of evmctl. */
START_TEST(binary_tss_expected_hashes)
{
	static const char *const files[][2] = {
		{ "ima/tss-sml-ima-sha1.bin", "ima/tss-sml-ima-sha1.bin.expected.txt" },
		{ "ima/tss-sml-ima-sig-sha256.bin", "ima/tss-sml-ima-sig-sha256.bin.expected.txt" },
	};

	for (size_t f = 0; f < 2; f++) {
		size_t len;
		uint8_t *data = test_read_file(test_data_path(files[f][0]), &len);
		ima_parse_error err;
		ima_list *list = NULL;
		FILE *ef = fopen(test_data_path(files[f][1]), "r");
		char line[1024], th[64], name[512];
		size_t i = 0;

		ck_assert_int_ne(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, &err),
				 TS_OK);
		ck_assert_int_eq(ima_list_parse_binary(data, err.record_offset, IMA_HASH_SHA1, NULL,
						       &list, &err),
				 TS_OK);
		ck_assert_ptr_nonnull(ef);
		while (fgets(line, sizeof(line), ef)) {
			const ima_entry *e;

			if (sscanf(line, "%63s %511s", th, name) != 2 || strlen(th) != 40)
				continue;
			e = ima_list_entry(list, i++);
			ck_assert_ptr_nonnull(e);
			ck_assert_str_eq(hex(e->template_hash, 20), th);
			ck_assert_uint_eq(e->file_name_len, strlen(name));
			ck_assert_mem_eq(e->file_name, name, e->file_name_len);
		}
		ck_assert_uint_eq(i, ima_list_count(list));
		fclose(ef);
		ima_list_destroy(list);
		free(data);
	}
}
END_TEST

START_TEST(binary_invalidated_rejected)
{
	size_t len;
	uint8_t *data = test_read_file(test_data_path("ima/tss-sml-ima-ng-sha1-invalidated.bin"),
				       &len);
	ima_parse_error err;
	ima_list *list = NULL;

	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, &err),
			 TS_E_TRUNCATED);
	ck_assert_ptr_null(list);
	ck_assert_uint_eq(err.entry, 0);
	ck_assert_uint_eq(err.record_offset, 0);
	/* 4 PCR + 20 digest + 4 name length + "ima-ng" (6): the data length is at 34 */
	ck_assert_uint_eq(err.offset, 34);
	ck_assert_str_eq(err.field, "template data length");
	free(data);
}
END_TEST

/* --- replay --------------------------------------------------------------- */

START_TEST(replay_vm_ima_sig_sha256)
{
	ima_list *list = parse_bin("ima/ima-tcb-ima-sig-1.bin", IMA_HASH_SHA1);
	char expected[129];

	snprintf(expected, sizeof(expected), "%s",
		 find_ref_value("ima/ima-tcb-ima-sig-1.pcr10.txt", "sha256 10", 0));
	check_replay(list, IMA_HASH_SHA256, expected);
	check_replay(list, IMA_HASH_SHA256,
		     find_ref_value("ima/ima-tcb-ima-sig-1.bin.evmctl.txt", "sha256: PCRAgg", 1));
	ima_list_destroy(list);
}
END_TEST

START_TEST(replay_vm_critical_data_banks)
{
	ima_list *list = parse_bin("ima/ima-tcb-critical-data-1.bin", IMA_HASH_SHA1);
	char expected[129];

	snprintf(expected, sizeof(expected), "%s",
		 find_ref_value("ima/ima-tcb-critical-data-1.pcr10.txt", "sha1 10", 0));
	check_replay(list, IMA_HASH_SHA1, expected);
	snprintf(expected, sizeof(expected), "%s",
		 find_ref_value("ima/ima-tcb-critical-data-1.pcr10.txt", "sha256 10", 0));
	check_replay(list, IMA_HASH_SHA256, expected);
	ima_list_destroy(list);
}
END_TEST

/* The old padded-SHA-1 rule gives another SHA-256 value, so the modes differ. */
START_TEST(replay_padded_mode_differs)
{
	ima_list *list = parse_bin("ima/ima-tcb-critical-data-1.bin", IMA_HASH_SHA1);
	uint8_t padded[IMA_DIGEST_MAX], bank[IMA_DIGEST_MAX];
	size_t len;

	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_SHA256, IMA_REPLAY_PADDED_SHA1,
					padded, &len),
			 TS_OK);
	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_SHA256, IMA_REPLAY_BANK_HASH,
					bank, &len),
			 TS_OK);
	ck_assert_uint_eq(len, 32);
	ck_assert_int_ne(memcmp(padded, bank, len), 0);
	/* SHA-384 and SHA-512 banks replay too. */
	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_SHA384, IMA_REPLAY_BANK_HASH,
					bank, &len),
			 TS_OK);
	ck_assert_uint_eq(len, 48);
	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_SHA512, IMA_REPLAY_BANK_HASH,
					bank, &len),
			 TS_OK);
	ck_assert_uint_eq(len, 64);
	/* No entry names PCR 11, so it stays zero. */
	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 11, IMA_HASH_SHA256, IMA_REPLAY_BANK_HASH,
					bank, &len),
			 TS_OK);
	ck_assert_str_eq(hex(bank, len),
			 "0000000000000000000000000000000000000000000000000000000000000000");
	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_MD5, IMA_REPLAY_BANK_HASH,
					bank, &len),
			 TS_E_UNSUPPORTED);
	ima_list_destroy(list);
}
END_TEST

/*
 * The quote in the same VM was taken after entry 59 of 62; tpm2_checkquote
 * printed the quoted PCR 10.
 */
START_TEST(replay_quote_prefix)
{
	ima_list *list = parse_bin("ima/ima-tcb-ima-sig-1.bin", IMA_HASH_SHA1);
	char quoted_hex[129];
	uint8_t *quoted, *final;
	size_t quoted_len, final_len, count = 0;
	ima_replay_mode mode = IMA_REPLAY_PADDED_SHA1;

	snprintf(quoted_hex, sizeof(quoted_hex), "%s",
		 find_ref_value("ima/ovmf-sha256-quote.checkquote.txt", "10:", 0) + 2);
	quoted = test_hex(lower(quoted_hex), &quoted_len);
	ck_assert_int_eq(ima_replay_find_prefix(list, 10, IMA_HASH_SHA256, quoted, quoted_len,
						&count, &mode),
			 TS_OK);
	ck_assert_uint_eq(count, 59);
	ck_assert_int_eq(mode, IMA_REPLAY_BANK_HASH);

	final = test_hex(find_ref_value("ima/ima-tcb-ima-sig-1.pcr10.txt", "sha256 10", 0),
			 &final_len);
	ck_assert_int_eq(ima_replay_find_prefix(list, 10, IMA_HASH_SHA256, final, final_len, &count,
						NULL),
			 TS_OK);
	ck_assert_uint_eq(count, 62);

	final[0] ^= 1;
	ck_assert_int_eq(ima_replay_find_prefix(list, 10, IMA_HASH_SHA256, final, final_len, &count,
						NULL),
			 TS_E_VERIFY);
	free(quoted);
	free(final);
	ima_list_destroy(list);
}
END_TEST

/* --- text lists ---------------------------------------------------------- */

/* The text and binary lists of one VM capture decode to the same entries. */
static void check_text_equals_binary(const char *text_file, const char *bin_file)
{
	ima_list *text = parse_text(text_file, IMA_HASH_SHA1);
	ima_list *bin = parse_bin(bin_file, IMA_HASH_SHA1);

	ck_assert_uint_eq(ima_list_count(text), ima_list_count(bin));
	for (size_t i = 0; i < ima_list_count(bin); i++) {
		const ima_entry *t = ima_list_entry(text, i), *b = ima_list_entry(bin, i);

		ck_assert_mem_eq(t->template_hash, b->template_hash, 20);
		ck_assert_uint_eq(t->data_len, b->data_len);
		ck_assert_mem_eq(t->data, b->data, b->data_len);
		ck_assert_uint_eq(t->sig_len, b->sig_len);
	}
	ck_assert_int_eq(ima_template_check_list(text, NULL), TS_OK);
	ima_list_destroy(text);
	ima_list_destroy(bin);
}

START_TEST(text_vm_lists)
{
	ima_list *list;

	check_text_equals_binary("ima/ima-tcb-ima-sig-1.txt", "ima/ima-tcb-ima-sig-1.bin");
	check_text_equals_binary("ima/ima-tcb-critical-data-1.txt",
				 "ima/ima-tcb-critical-data-1.bin");
	list = parse_text("ima/ima-tcb-ima-sig-1.txt", IMA_HASH_SHA1);
	check_replay(list, IMA_HASH_SHA256,
		     find_ref_value("ima/ima-tcb-ima-sig-1.pcr10.txt", "sha256 10", 0));
	ima_list_destroy(list);
	/* The text list is also an independent reading of the same entries. */
	list = parse_text("ima/ima-tcb-critical-data-1.txt", IMA_HASH_SHA1);
	check_against_lines(list, read_ref_lines("ima/ima-tcb-critical-data-1.txt"));
	ima_list_destroy(list);
}
END_TEST

START_TEST(text_keylime_826)
{
	ima_list *list = parse_text("ima/keylime-ascii_runtime_measurements-ima-ng.txt",
				    IMA_HASH_SHA1);
	size_t n = read_ref_lines("ima/keylime-ascii_runtime_measurements-ima-ng.txt");

	ck_assert_uint_eq(n, 826);
	check_against_lines(list, n);
	ck_assert_int_eq(ima_template_check_list(list, NULL), TS_OK);
	check_replay(list, IMA_HASH_SHA1,
		     find_ref_value("ima/openssl-refs.txt",
				    "replay-sha1 keylime-ascii_runtime_measurements-ima-ng.txt", 0));
	ima_list_destroy(list);
}
END_TEST

START_TEST(text_keylime_digest_algs)
{
	static const struct {
		const char *file;
		ima_hash_alg alg;
		size_t violations;
	} cases[] = {
		{ "ima/keylime-ima-log-sha1.txt", IMA_HASH_SHA1, 1 },
		{ "ima/keylime-ima-log-sha256.txt", IMA_HASH_SHA256, 0 },
		{ "ima/keylime-ima-log-sha384.txt", IMA_HASH_SHA384, 1 },
		{ "ima/keylime-ima-log-sha512.txt", IMA_HASH_SHA512, 1 },
		{ "ima/rustkeylime-ima_log.txt", IMA_HASH_SHA256, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ima_list *list = parse_text(cases[i].file, IMA_HASH_SHA1);
		size_t n = read_ref_lines(cases[i].file);

		check_against_lines(list, n);
		ck_assert_int_eq(ima_list_entry(list, 0)->digest_alg, cases[i].alg);
		ck_assert_uint_eq(ima_list_entry(list, 0)->digest_len, ima_hash_alg_size(cases[i].alg));
		ck_assert_uint_eq(ima_list_violations(list), cases[i].violations);
		ck_assert_int_eq(ima_template_check_list(list, NULL), TS_OK);
		ima_list_destroy(list);
	}
}
END_TEST

/* A zero template hash is a violation: the replay extends 0xff..ff. */
START_TEST(text_violation_replay)
{
	ima_list *list = parse_text("ima/keylime-ima-log-sha1.txt", IMA_HASH_SHA1);

	ck_assert(ima_list_entry(list, 0)->violation);
	check_replay(list, IMA_HASH_SHA1,
		     find_ref_value("ima/openssl-refs.txt", "replay-sha1 keylime-ima-log-sha1.txt", 0));
	ima_list_destroy(list);
	list = parse_text("ima/keylime-ima-log-sha512.txt", IMA_HASH_SHA1);
	check_replay(list, IMA_HASH_SHA1,
		     find_ref_value("ima/openssl-refs.txt", "replay-sha1 keylime-ima-log-sha512.txt",
				    0));
	ima_list_destroy(list);
}
END_TEST

START_TEST(text_keylime_sig_and_buf)
{
	ima_list *list = parse_text("ima/keylime-test-ima-sig-measurements.txt", IMA_HASH_SHA1);
	size_t n = read_ref_lines("ima/keylime-test-ima-sig-measurements.txt");
	const ima_entry *e;

	check_against_lines(list, n);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(ima_list_entry(list, 0)->sig_len, 0);
	e = ima_list_entry(list, 3);
	ck_assert_int_eq(e->template_id, IMA_TEMPLATE_IMA_SIG);
	/* signature v2 header: type 03, version 02, hash algorithm 04 (sha256) */
	ck_assert_uint_gt(e->sig_len, 3);
	ck_assert_mem_eq(e->sig, "\x03\x02\x04", 3);
	e = ima_list_entry(list, 5);
	ck_assert_int_eq(e->template_id, IMA_TEMPLATE_IMA_BUF);
	ck_assert_uint_eq(e->file_name_len, 4);
	ck_assert_mem_eq(e->file_name, ".ima", 4);
	ck_assert_int_eq(ima_template_check_list(list, NULL), TS_OK);
	ima_list_destroy(list);
}
END_TEST

START_TEST(text_invalid_list)
{
	size_t len;
	uint8_t *data = test_read_file(test_data_path("ima/rustkeylime-invalid_ima_log.txt"), &len);
	ima_parse_error err;
	ima_list *list = NULL;

	ck_assert_int_eq(ima_ascii_parse((const char *)data, len, IMA_HASH_SHA1, NULL, &list, &err),
			 TS_E_INVALID);
	ck_assert_ptr_null(list);
	ck_assert_uint_eq(err.entry, 0);
	ck_assert_uint_eq(err.line, 1);
	ck_assert_uint_eq(err.offset, 0);
	ck_assert_str_eq(err.field, "PCR index");
	free(data);
}
END_TEST

static int text_error(const char *text, ima_parse_error *err)
{
	ima_list *list = NULL;
	int rc = ima_ascii_parse(text, strlen(text), IMA_HASH_SHA1, NULL, &list, err);

	ck_assert_ptr_null(list);
	return rc;
}

#define TH "0123456789abcdef0123456789abcdef01234567"
#define D20 "00112233445566778899aabbccddeeff00112233"

START_TEST(text_malformed_lines)
{
	ima_parse_error err;
	const char *good = "10 " TH " ima-ng sha1:" D20 " /a\n";
	size_t good_len = strlen(good);
	char text[1024];

	/* A bad second line names entry 1, line 2 and an offset inside it. */
	snprintf(text, sizeof(text), "%s10 " TH " ima-ng sha1:" D20 "zz /b\n", good);
	ck_assert_int_eq(text_error(text, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.entry, 1);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_uint_eq(err.record_offset, good_len);
	ck_assert_uint_gt(err.offset, good_len);

	ck_assert_int_eq(text_error("10 0123 ima-ng sha1:" D20 " /a\n", &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "template digest");
	ck_assert_int_eq(text_error("10 " TH " ima-ng sha256:" D20 " /a\n", &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "d-ng");
	ck_assert_uint_eq(err.offset, strlen("10 " TH " ima-ng sha256:"));
	ck_assert_int_eq(text_error("10 " TH " ima-ng sha1" D20 " /a\n", &err), TS_E_INVALID);
	ck_assert_int_eq(text_error("10 " TH " ima-sig sha1:" D20 "\n", &err), TS_E_INVALID);
	ck_assert_int_eq(text_error("10 " TH " ima-sig sha1:" D20 " /a 0\n", &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "sig");
	ck_assert_int_eq(text_error("99 " TH " ima-ng sha1:" D20 " /a\n", &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "PCR index");
	ck_assert_int_eq(text_error("10 " TH " ima-ng sha1:" D20 " /a\n\n", &err), TS_E_INVALID);
	ck_assert_uint_eq(err.line, 2);
	ck_assert_int_eq(text_error("10 " TH " ima " D20 "00 /a\n", &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "d");

	/* An unknown template cannot be rebuilt from text. */
	snprintf(text, sizeof(text), "%s10 " TH " ima-modsig sha1:" D20 " /b  \n", good);
	ck_assert_int_eq(text_error(text, &err), TS_E_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err.message, "'ima-modsig'"));
	ck_assert_uint_eq(err.entry, 1);
	ck_assert_str_eq(err.field, "template name");
	ck_assert_uint_eq(err.offset, good_len + strlen("10 " TH " "));

	/* A one-digit PCR is printed with a leading space; no final newline is fine. */
	{
		ima_list *list = NULL;
		const char *t = " 9 " TH " ima-ng :" D20 " /with space";

		ck_assert_int_eq(ima_ascii_parse(t, strlen(t), IMA_HASH_SHA1, NULL, &list, &err),
				 TS_OK);
		ck_assert_uint_eq(ima_list_entry(list, 0)->pcr, 9);
		ck_assert_int_eq(ima_list_entry(list, 0)->digest_alg, IMA_HASH_SHA1);
		ck_assert_uint_eq(ima_list_entry(list, 0)->file_name_len, strlen("/with space"));
		ima_list_destroy(list);
	}
}
END_TEST

/* --- malformed binary input ------------------------------------------------ */

/*
 * Every cut of a valid list either ends on a record boundary and parses, or
 * fails with TS_E_TRUNCATED naming the record that was cut.
 */
static void check_cuts(const char *file)
{
	ima_list *full = parse_bin(file, IMA_HASH_SHA1);
	size_t len, n = ima_list_count(full);
	uint8_t *data = test_read_file(test_data_path(file), &len);

	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		ima_parse_error err;
		ima_list *list = NULL;
		size_t complete = 0;
		int rc;

		while (complete < n && ima_list_entry(full, complete)->offset < cut)
			complete++;
		memcpy(copy, data, cut);
		rc = ima_list_parse_binary(copy, cut, IMA_HASH_SHA1, NULL, &list, &err);
		if (complete < n && ima_list_entry(full, complete)->offset == cut) {
			/* a boundary: all records before the cut parse */
			ck_assert_int_eq(rc, TS_OK);
			ck_assert_uint_eq(ima_list_count(list), complete);
			ima_list_destroy(list);
		} else {
			ck_assert_int_eq(rc, TS_E_TRUNCATED);
			ck_assert_ptr_null(list);
			ck_assert_uint_eq(err.entry, complete - 1);
			ck_assert_uint_eq(err.record_offset, ima_list_entry(full, complete - 1)->offset);
			ck_assert_uint_ge(err.offset, err.record_offset);
			ck_assert_uint_le(err.offset, cut);
		}
		free(copy);
	}
	free(data);
	ima_list_destroy(full);
}

START_TEST(binary_cut_everywhere)
{
	check_cuts("ima/ima-tcb-critical-data-1.bin");
	check_cuts("ima/ima-tcb-ima-sig-1.bin");
}
END_TEST

/* Builds one ima-ng record with the given fields (lengths in host order). */
static size_t build_record(uint8_t *out, uint32_t pcr, const char *tname, const uint8_t *data,
			   uint32_t data_len)
{
	size_t n = 0;
	uint32_t name_len = (uint32_t)strlen(tname);

	memcpy(out + n, &pcr, 4), n += 4;
	memset(out + n, 0x11, 20), n += 20;
	memcpy(out + n, &name_len, 4), n += 4;
	memcpy(out + n, tname, name_len), n += name_len;
	memcpy(out + n, &data_len, 4), n += 4;
	memcpy(out + n, data, data_len), n += data_len;
	return n;
}

static size_t build_field(uint8_t *out, const void *bytes, uint32_t len)
{
	memcpy(out, &len, 4);
	memcpy(out + 4, bytes, len);
	return 4 + len;
}

static int parse_record(const uint8_t *rec, size_t len, const ima_limits *limits,
			ima_parse_error *err)
{
	ima_list *list = NULL;
	int rc = ima_list_parse_binary(rec, len, IMA_HASH_SHA1, limits, &list, err);

	ima_list_destroy(list);
	return rc;
}

START_TEST(binary_malformed_fields)
{
	uint8_t rec[1024], data[512];
	size_t n, len;
	ima_parse_error err;
	uint8_t dng[2 + 5 + 20] = "sha1:";

	memset(dng + 6, 0xaa, 20);
	/* a valid ima-ng record first */
	n = build_field(data, dng, 26);
	n += build_field(data + n, "/x", 3);
	len = build_record(rec, 10, "ima-ng", data, (uint32_t)n);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_OK);

	/* PCR 24 is out of range */
	len = build_record(rec, 24, "ima-ng", data, (uint32_t)n);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "PCR index");
	ck_assert_uint_eq(err.offset, 0);

	/* name of n-ng without its NUL */
	n = build_field(data, dng, 26);
	n += build_field(data + n, "/x", 2);
	len = build_record(rec, 10, "ima-ng", data, (uint32_t)n);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "n-ng");
	ck_assert_uint_eq(err.offset, 4 + 20 + 4 + 6 + 4 + 30 + 4);

	/* d-ng without ':' NUL */
	n = build_field(data, "sha1", 4);
	n += build_field(data + n, "/x", 3);
	len = build_record(rec, 10, "ima-ng", data, (uint32_t)n);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "d-ng");

	/* a SHA-1 digest of the wrong size */
	n = build_field(data, dng, 25);
	n += build_field(data + n, "/x", 3);
	len = build_record(rec, 10, "ima-ng", data, (uint32_t)n);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_INVALID);

	/* a field length beyond the template data */
	n = build_field(data, dng, 26);
	n += build_field(data + n, "/x", 3);
	memset(data + 30, 0xff, 4);
	len = build_record(rec, 10, "ima-ng", data, (uint32_t)n);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_TRUNCATED);
	ck_assert_str_eq(err.field, "n-ng");
	ck_assert_uint_eq(err.offset, 4 + 20 + 4 + 6 + 4 + 30);

	/* bytes after the last field of ima-ng */
	n = build_field(data, dng, 26);
	n += build_field(data + n, "/x", 3);
	data[n++] = 0;
	len = build_record(rec, 10, "ima-ng", data, (uint32_t)n);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_TRAILING);
	ck_assert_str_eq(err.field, "template data");

	/* template name length 0, and beyond the limit */
	len = build_record(rec, 10, "", data, 0);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "template name length");
	ck_assert_uint_eq(err.offset, 24);
	memset(rec + 24, 0xff, 4);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "template name length");

	/* template data length beyond the limit */
	{
		ima_limits limits;

		ima_limits_default(&limits);
		limits.max_template_data_len = 16;
		n = build_field(data, dng, 26);
		n += build_field(data + n, "/x", 3);
		len = build_record(rec, 10, "ima-ng", data, (uint32_t)n);
		ck_assert_int_eq(parse_record(rec, len, &limits, &err), TS_E_TOO_LARGE);
		ck_assert_str_eq(err.field, "template data length");
		ck_assert_uint_eq(err.offset, 34);
		limits.max_template_data_len = 4096;
		limits.max_file_name_len = 1;
		ck_assert_int_eq(parse_record(rec, len, &limits, &err), TS_E_TOO_LARGE);
		ck_assert_str_eq(err.field, "n-ng");
	}

	/* a template name that is not printable */
	len = build_record(rec, 10, "ima\x01ng", data, 0);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_INVALID);
	ck_assert_str_eq(err.field, "template name");

	/* the legacy template limits its name to 255 bytes */
	{
		uint8_t legacy[4 + 20 + 4 + 3 + 20 + 4 + 256];
		uint32_t v;

		n = 0;
		v = 10, memcpy(legacy, &v, 4), n += 4;
		memset(legacy + n, 0x22, 20), n += 20;
		v = 3, memcpy(legacy + n, &v, 4), n += 4;
		memcpy(legacy + n, "ima", 3), n += 3;
		memset(legacy + n, 0x33, 20), n += 20;
		v = 256, memcpy(legacy + n, &v, 4), n += 4;
		memset(legacy + n, 'a', 256), n += 256;
		ck_assert_int_eq(parse_record(legacy, n, NULL, &err), TS_E_INVALID);
		ck_assert_str_eq(err.field, "n");
		ck_assert_uint_eq(err.offset, 51);
	}
}
END_TEST

/* Templates other than the four decoded ones stay opaque unless rejected. */
START_TEST(binary_unknown_template)
{
	uint8_t rec[1024], data[512];
	size_t n, len;
	uint8_t dng[2 + 5 + 20] = "sha1:";
	ima_parse_error err;
	ima_limits limits;
	ima_list *list = NULL;
	uint8_t digest[IMA_DIGEST_MAX];
	size_t digest_len;
	const ima_entry *e;

	n = build_field(data, dng, 26);
	n += build_field(data + n, "/x", 3);
	n += build_field(data + n, "", 0);
	n += build_field(data + n, "\x01\x02", 2);
	len = build_record(rec, 10, "ima-modsig", data, (uint32_t)n);

	ck_assert_int_eq(ima_list_parse_binary(rec, len, IMA_HASH_SHA1, NULL, &list, &err), TS_OK);
	e = ima_list_entry(list, 0);
	ck_assert_int_eq(e->template_id, IMA_TEMPLATE_OPAQUE);
	ck_assert_ptr_null(e->file_name);
	ck_assert_uint_eq(e->data_len, n);
	/* its template hash is still SHA-1 over the data, here compared with OpenSSL's one-shot */
	ck_assert_int_eq(ima_template_hash(e, IMA_HASH_SHA1, digest, &digest_len), TS_OK);
	{
		uint8_t md[EVP_MAX_MD_SIZE];
		unsigned int md_len;

		ck_assert_int_eq(EVP_Digest(data, n, md, &md_len, EVP_sha1(), NULL), 1);
		ck_assert_uint_eq(md_len, digest_len);
		ck_assert_mem_eq(md, digest, md_len);
	}
	ima_list_destroy(list);

	ima_limits_default(&limits);
	limits.reject_opaque_templates = true;
	ck_assert_int_eq(parse_record(rec, len, &limits, &err), TS_E_UNSUPPORTED);
	ck_assert_str_eq(err.field, "template name");
	ck_assert_uint_eq(err.offset, 28);
	ck_assert_uint_eq(err.entry, 0);

	/* opaque data must still be a sequence of length-prefixed fields */
	data[n++] = 7;
	len = build_record(rec, 10, "ima-modsig", data, (uint32_t)n);
	ck_assert_int_eq(parse_record(rec, len, NULL, &err), TS_E_TRUNCATED);
	ck_assert_str_eq(err.field, "template field");
}
END_TEST

START_TEST(binary_limits)
{
	size_t len;
	uint8_t *data = test_read_file(test_data_path("ima/ima-tcb-ima-sig-1.bin"), &len);
	ima_parse_error err;
	ima_limits limits;
	ima_list *list = NULL;

	ima_limits_default(&limits);
	limits.max_entries = 5;
	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, &limits, &list, &err),
			 TS_E_TOO_LARGE);
	ck_assert_ptr_null(list);
	ck_assert_uint_eq(err.entry, 5);
	ck_assert_str_eq(err.field, "entry count");

	/* the SHA-1 list read as a SHA-256 one misreads the name length */
	ck_assert_int_ne(ima_list_parse_binary(data, len, IMA_HASH_SHA256, NULL, &list, &err), TS_OK);
	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_MD5, NULL, &list, &err),
			 TS_E_UNSUPPORTED);
	ck_assert_ptr_null(list);

	/* an empty list is valid */
	ck_assert_int_eq(ima_list_parse_binary(NULL, 0, IMA_HASH_SHA1, NULL, &list, &err), TS_OK);
	ck_assert_uint_eq(ima_list_count(list), 0);
	ck_assert_ptr_null(ima_list_entry(list, 0));
	ima_list_destroy(list);
	free(data);
}
END_TEST

/* Input offset of an entry's file digest: its record starts 4 bytes before the template hash. */
static size_t digest_offset(const ima_entry *e)
{
	return e->offset + (size_t)(e->digest - (e->template_hash - 4));
}

/* A template hash that does not match its data is found. */
START_TEST(template_hash_tampered)
{
	size_t len, bad = 0;
	uint8_t *data = test_read_file(test_data_path("ima/ima-tcb-ima-sig-1.bin"), &len);
	ima_list *list = NULL;
	ima_parse_error err;
	const ima_entry *e;

	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, &err), TS_OK);
	e = ima_list_entry(list, 7);
	data[digest_offset(e)] ^= 1;
	ima_list_destroy(list);
	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, &err), TS_OK);
	ck_assert_int_eq(ima_template_check_list(list, &bad), TS_E_VERIFY);
	ck_assert_uint_eq(bad, 7);
	ima_list_destroy(list);
	free(data);
}
END_TEST

/* --- boot_aggregate -------------------------------------------------------- */

static void read_boot_pcrs(const char *file, ima_hash_alg alg, ima_boot_pcrs *pcrs)
{
	char key[32];

	memset(pcrs, 0, sizeof(*pcrs));
	pcrs->alg = alg;
	for (int i = 0; i < IMA_BOOT_PCR_COUNT; i++) {
		size_t len;
		uint8_t *v;

		snprintf(key, sizeof(key), "%s %d ", ima_hash_alg_name(alg), i);
		v = test_hex(find_ref_value(file, key, 0), &len);
		ck_assert_uint_eq(len, ima_hash_alg_size(alg));
		memcpy(pcrs->value[i], v, len);
		free(v);
	}
}

START_TEST(boot_aggregate_vm_list)
{
	ima_list *list = parse_bin("ima/ima-tcb-ima-sig-1.bin", IMA_HASH_SHA1);
	ima_boot_pcrs banks[2];
	uint8_t agg[IMA_DIGEST_MAX];
	size_t agg_len;

	read_boot_pcrs("ima/ovmf-sha256-quote.pcrs.txt", IMA_HASH_SHA256, &banks[0]);
	ck_assert_int_eq(ima_boot_aggregate_compute(&banks[0], agg, &agg_len), TS_OK);
	/* evmctl printed the boot_aggregate entry as sha256:<digest> */
	read_ref_lines("ima/ima-tcb-ima-sig-1.bin.evmctl.txt");
	ck_assert_str_eq(ref_lines[0].name, "boot_aggregate");
	ck_assert_str_eq(hex(agg, agg_len), ref_lines[0].digest + strlen("sha256:"));
	ck_assert_int_eq(ima_boot_aggregate_check(list, banks, 1), TS_OK);

	/* the SHA-1 bank is not the one the entry names */
	read_boot_pcrs("ima/ovmf-direct-boot-1.pcrs.txt", IMA_HASH_SHA1, &banks[1]);
	ck_assert_int_eq(ima_boot_aggregate_check(list, &banks[1], 1), TS_E_NOT_FOUND);
	ck_assert_int_eq(ima_boot_aggregate_check(list, banks, 2), TS_OK);

	/* a changed PCR 9 (kernel command line) changes the aggregate */
	banks[0].value[9][0] ^= 1;
	ck_assert_int_eq(ima_boot_aggregate_check(list, banks, 1), TS_E_VERIFY);
	ima_list_destroy(list);

	/* a list whose first entry is not boot_aggregate */
	list = parse_text("ima/keylime-test-ima-sig-measurements.txt", IMA_HASH_SHA1);
	ck_assert_int_eq(ima_boot_aggregate_check(list, banks, 1), TS_E_VERIFY);
	ima_list_destroy(list);
	{
		const char *t = "10 " TH " ima-ng sha256:" D20 "001122334455667788990011 /init\n";

		ck_assert_int_eq(ima_ascii_parse(t, strlen(t), IMA_HASH_SHA1, NULL, &list, NULL),
				 TS_OK);
		ck_assert_int_eq(ima_boot_aggregate_check(list, banks, 1), TS_E_INVALID);
		ima_list_destroy(list);
	}
}
END_TEST

/* SHA-1 uses PCR 0-7, other banks PCR 0-9 (openssl-refs.txt from the openssl CLI). */
START_TEST(boot_aggregate_all_banks)
{
	static const ima_hash_alg algs[] = { IMA_HASH_SHA1, IMA_HASH_SHA256, IMA_HASH_SHA384,
					     IMA_HASH_SHA512 };

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		ima_boot_pcrs pcrs;
		uint8_t agg[IMA_DIGEST_MAX];
		size_t agg_len;
		char key[128];

		read_boot_pcrs("ima/ovmf-direct-boot-1.pcrs.txt", algs[i], &pcrs);
		ck_assert_int_eq(ima_boot_aggregate_compute(&pcrs, agg, &agg_len), TS_OK);
		snprintf(key, sizeof(key), "boot-aggregate ovmf-direct-boot-1.pcrs.txt %s",
			 ima_hash_alg_name(algs[i]));
		ck_assert_str_eq(hex(agg, agg_len), find_ref_value("ima/openssl-refs.txt", key, 0));
		/* PCR 8 and 9 count for every bank but SHA-1 */
		pcrs.value[8][0] ^= 1;
		ck_assert_int_eq(ima_boot_aggregate_compute(&pcrs, agg, &agg_len), TS_OK);
		if (algs[i] == IMA_HASH_SHA1)
			ck_assert_str_eq(hex(agg, agg_len),
					 find_ref_value("ima/openssl-refs.txt", key, 0));
		else
			ck_assert_str_ne(hex(agg, agg_len),
					 find_ref_value("ima/openssl-refs.txt", key, 0));
	}
}
END_TEST

/* --- reference verification ------------------------------------------------ */

/* Loads the file digests that evmctl printed for the VM list as references. */
static ima_refs *refs_from_evmctl(size_t *n)
{
	ima_refs *refs = NULL;

	*n = read_ref_lines("ima/ima-tcb-ima-sig-1.bin.evmctl.txt");
	ck_assert_int_eq(ima_refs_create(&refs), TS_OK);
	for (size_t i = 1; i < *n; i++) {
		const char *colon = strchr(ref_lines[i].digest, ':');

		ck_assert_ptr_nonnull(colon);
		ck_assert_int_eq(ima_refs_add_hex(refs, ref_lines[i].name, IMA_HASH_SHA256, colon + 1),
				 TS_OK);
	}
	return refs;
}

START_TEST(refs_match_mismatch_unknown)
{
	ima_list *list = parse_bin("ima/ima-tcb-ima-sig-1.bin", IMA_HASH_SHA1);
	ima_verdict verdicts[62];
	ima_verify_counts c;
	ima_refs *refs;
	size_t n;

	/* all 61 file entries known: 59 distinct paths (two files measured twice) */
	refs = refs_from_evmctl(&n);
	ck_assert_uint_eq(ima_refs_count(refs), 59);
	ck_assert_int_eq(ima_refs_verify_list(refs, list, 0, verdicts, &c), TS_OK);
	ck_assert_uint_eq(c.boot_aggregate, 1);
	ck_assert_uint_eq(c.match, 61);
	ck_assert_uint_eq(c.mismatch, 0);
	ck_assert_uint_eq(c.unknown, 0);
	ck_assert_int_eq(verdicts[0], IMA_VERDICT_BOOT_AGGREGATE);
	ima_refs_destroy(refs);

	/* drop /init, give /bin/busybox another digest, add a SHA-1 one for /test.sh */
	ck_assert_int_eq(ima_refs_create(&refs), TS_OK);
	for (size_t i = 1; i < n; i++) {
		const char *digest = strchr(ref_lines[i].digest, ':') + 1;

		if (strcmp(ref_lines[i].name, "/init") == 0)
			continue;
		if (strcmp(ref_lines[i].name, "/bin/busybox") == 0)
			digest = "00" "3d9f2889d6782537624a4e1a10e68a2ddd53e0ee8bac02676f27308f42ec6b";
		if (strcmp(ref_lines[i].name, "/test.sh") == 0) {
			ck_assert_int_eq(ima_refs_add_hex(refs, "/test.sh", IMA_HASH_SHA1, D20), TS_OK);
			continue;
		}
		ck_assert_int_eq(ima_refs_add_hex(refs, ref_lines[i].name, IMA_HASH_SHA256, digest),
				 TS_OK);
	}
	ck_assert_int_eq(ima_refs_verify_list(refs, list, 0, verdicts, &c), TS_OK);
	ck_assert_uint_eq(c.match, 58);
	ck_assert_uint_eq(c.mismatch, 1);
	ck_assert_uint_eq(c.unknown, 2);
	ck_assert_uint_eq(c.violation, 0);
	ck_assert_uint_eq(c.bad_template, 0);
	ck_assert_str_eq(ref_lines[1].name, "/init");
	ck_assert_int_eq(verdicts[1], IMA_VERDICT_UNKNOWN);
	ck_assert_str_eq(ref_lines[2].name, "/bin/busybox");
	ck_assert_int_eq(verdicts[2], IMA_VERDICT_MISMATCH);
	ck_assert_str_eq(ref_lines[9].name, "/test.sh");
	ck_assert_int_eq(verdicts[9], IMA_VERDICT_UNKNOWN);
	ck_assert_str_eq(ima_verdict_name(verdicts[2]), "mismatch");

	/* invalid references are rejected */
	ck_assert_int_eq(ima_refs_add_hex(refs, "/x", IMA_HASH_SHA256, "00"), TS_E_INVALID);
	ck_assert_int_eq(ima_refs_add_hex(refs, "/x", IMA_HASH_SHA1, D20 "0"), TS_E_INVALID);
	ck_assert_int_eq(ima_refs_add_hex(refs, "", IMA_HASH_SHA1, D20), TS_E_INVALID);
	ck_assert_int_eq(ima_refs_add_hex(refs, "/x", IMA_HASH_UNKNOWN, D20), TS_E_INVALID);
	ck_assert_int_eq(ima_refs_add_hex(refs, "/x", IMA_HASH_SHA1,
					  "0g112233445566778899aabbccddeeff00112233"),
			 TS_E_INVALID);
	ima_refs_destroy(refs);
	ima_list_destroy(list);
}
END_TEST

/* A file digest changed in the data is caught by the template hash first. */
START_TEST(refs_bad_template_and_violation)
{
	size_t len, n;
	uint8_t *data = test_read_file(test_data_path("ima/ima-tcb-ima-sig-1.bin"), &len);
	ima_refs *refs = refs_from_evmctl(&n);
	ima_list *list = NULL;
	ima_verdict verdicts[62];
	ima_verify_counts c;
	const ima_entry *e;
	size_t at;

	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, NULL), TS_OK);
	e = ima_list_entry(list, 3);
	at = digest_offset(e);
	ima_list_destroy(list);
	data[at] ^= 0x80;
	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, NULL), TS_OK);
	ck_assert_int_eq(ima_refs_verify_list(refs, list, 0, verdicts, &c), TS_OK);
	ck_assert_uint_eq(c.bad_template, 1);
	ck_assert_int_eq(verdicts[3], IMA_VERDICT_BAD_TEMPLATE);
	ck_assert_uint_eq(c.match, 60);
	ck_assert_int_eq(ima_refs_verify_list(refs, list, IMA_VERIFY_SKIP_TEMPLATE_HASH, verdicts,
					      &c),
			 TS_OK);
	ck_assert_int_eq(verdicts[3], IMA_VERDICT_MISMATCH);
	ima_list_destroy(list);

	/* violations are counted on their own, never as matches */
	list = parse_text("ima/keylime-ima-log-sha1.txt", IMA_HASH_SHA1);
	ck_assert_int_eq(ima_refs_verify_list(refs, list, 0, NULL, &c), TS_OK);
	ck_assert_uint_eq(c.violation, 1);
	ck_assert_uint_eq(c.unknown, 1);
	ck_assert_uint_eq(c.match, 0);
	ima_list_destroy(list);
	ima_refs_destroy(refs);
	free(data);
}
END_TEST

/* The table grows past 100,000 paths and still finds each one. */
START_TEST(refs_many_paths)
{
	ima_refs *refs = NULL;
	char path[64];
	uint8_t digest[32] = { 0 };
	ima_entry e = { .template_id = IMA_TEMPLATE_IMA_NG, .digest_alg = IMA_HASH_SHA256,
			.digest = digest, .digest_len = 32, .file_name = path };

	ck_assert_int_eq(ima_refs_create(&refs), TS_OK);
	for (uint32_t i = 0; i < 120000; i++) {
		snprintf(path, sizeof(path), "/usr/lib/file-%u.so", i);
		memcpy(digest, &i, 4);
		ck_assert_int_eq(ima_refs_add(refs, path, strlen(path), IMA_HASH_SHA256, digest, 32),
				 TS_OK);
	}
	ck_assert_uint_eq(ima_refs_count(refs), 120000);
	for (uint32_t i = 0; i < 120000; i += 7) {
		snprintf(path, sizeof(path), "/usr/lib/file-%u.so", i);
		e.file_name_len = strlen(path);
		memcpy(digest, &i, 4);
		ck_assert_int_eq(ima_refs_verify_entry(refs, &e), IMA_VERDICT_MATCH);
		digest[31] = 1;
		ck_assert_int_eq(ima_refs_verify_entry(refs, &e), IMA_VERDICT_MISMATCH);
		digest[31] = 0;
	}
	snprintf(path, sizeof(path), "/usr/lib/file-%u.so", 120000u);
	e.file_name_len = strlen(path);
	ck_assert_int_eq(ima_refs_verify_entry(refs, &e), IMA_VERDICT_UNKNOWN);
	ima_refs_destroy(refs);
}
END_TEST

/*
 * A per-bank list (binary_runtime_measurements_sha256) carries SHA-256
 * template digests. This one was made from the VM list by
 * make-sha256-list.py, and its replay must still give the PCR 10 that the VM read.
 */
START_TEST(binary_sha256_list)
{
	ima_list *list = parse_bin("ima/ima-tcb-ima-sig-1.sha256-list.bin", IMA_HASH_SHA256);
	ima_list *sha1_list = parse_bin("ima/ima-tcb-ima-sig-1.bin", IMA_HASH_SHA1);
	uint8_t a[IMA_DIGEST_MAX], b[IMA_DIGEST_MAX];
	size_t a_len, b_len;

	ck_assert_uint_eq(ima_list_count(list), 62);
	ck_assert_int_eq(ima_list_alg(list), IMA_HASH_SHA256);
	ck_assert_int_eq(ima_template_check_list(list, NULL), TS_OK);
	check_replay(list, IMA_HASH_SHA256,
		     find_ref_value("ima/ima-tcb-ima-sig-1.pcr10.txt", "sha256 10", 0));
	/* the SHA-1 bank is recomputed from the data and agrees with the SHA-1 list */
	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_SHA1, IMA_REPLAY_BANK_HASH, a,
					&a_len),
			 TS_OK);
	ck_assert_int_eq(ima_replay_pcr(sha1_list, SIZE_MAX, 10, IMA_HASH_SHA1,
					IMA_REPLAY_BANK_HASH, b, &b_len),
			 TS_OK);
	ck_assert_uint_eq(a_len, 20);
	ck_assert_mem_eq(a, b, 20);
	ima_list_destroy(sha1_list);
	ima_list_destroy(list);
}
END_TEST

/* A zero template digest in a binary list marks a violation. */
START_TEST(binary_violation_entry)
{
	size_t len, n;
	uint8_t *data = test_read_file(test_data_path("ima/ima-tcb-ima-sig-1.bin"), &len);
	ima_refs *refs = refs_from_evmctl(&n);
	ima_list *list = NULL;
	ima_verdict verdicts[62];
	ima_verify_counts c;
	uint8_t before[IMA_DIGEST_MAX], after[IMA_DIGEST_MAX];
	size_t before_len, after_len, at;

	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, NULL), TS_OK);
	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_SHA256, IMA_REPLAY_BANK_HASH,
					before, &before_len),
			 TS_OK);
	at = ima_list_entry(list, 5)->offset + 4;
	ima_list_destroy(list);
	memset(data + at, 0, 20);
	ck_assert_int_eq(ima_list_parse_binary(data, len, IMA_HASH_SHA1, NULL, &list, NULL), TS_OK);
	ck_assert(ima_list_entry(list, 5)->violation);
	ck_assert_uint_eq(ima_list_violations(list), 1);
	ck_assert_int_eq(ima_template_check_list(list, NULL), TS_OK);
	ck_assert_int_eq(ima_refs_verify_list(refs, list, 0, verdicts, &c), TS_OK);
	ck_assert_int_eq(verdicts[5], IMA_VERDICT_VIOLATION);
	ck_assert_uint_eq(c.violation, 1);
	ck_assert_uint_eq(c.match, 60);
	/* the SHA-256 bank now extends 0xff..ff for entry 5 */
	ck_assert_int_eq(ima_replay_pcr(list, SIZE_MAX, 10, IMA_HASH_SHA256, IMA_REPLAY_BANK_HASH,
					after, &after_len),
			 TS_OK);
	ck_assert_int_ne(memcmp(before, after, 32), 0);
	ima_list_destroy(list);
	ima_refs_destroy(refs);
	free(data);
}
END_TEST

START_TEST(hash_alg_names)
{
	ck_assert_int_eq(ima_hash_alg_from_name("sha256", 6), IMA_HASH_SHA256);
	ck_assert_int_eq(ima_hash_alg_from_name("sha25", 5), IMA_HASH_UNKNOWN);
	ck_assert_int_eq(ima_hash_alg_from_name("sm3", 3), IMA_HASH_UNKNOWN);
	ck_assert_int_eq(ima_hash_alg_from_tpm(0x000B), IMA_HASH_SHA256);
	ck_assert_int_eq(ima_hash_alg_from_tpm(0x000C), IMA_HASH_SHA384);
	ck_assert_int_eq(ima_hash_alg_from_tpm(0x0012), IMA_HASH_UNKNOWN);
	ck_assert_uint_eq(ima_hash_alg_size(IMA_HASH_SHA512), 64);
	ck_assert_str_eq(ima_hash_alg_name(IMA_HASH_SHA1), "sha1");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("ima");
	TCase *tc = tcase_create("ima");

	tcase_add_test(tc, binary_vm_ima_sig);
	tcase_add_test(tc, binary_vm_critical_data);
	tcase_add_test(tc, binary_tss_legacy_cut);
	tcase_add_test(tc, binary_tss_ima_sig_cut);
	tcase_add_test(tc, binary_tss_expected_hashes);
	tcase_add_test(tc, binary_invalidated_rejected);
	tcase_add_test(tc, binary_cut_everywhere);
	tcase_add_test(tc, binary_malformed_fields);
	tcase_add_test(tc, binary_unknown_template);
	tcase_add_test(tc, binary_limits);
	tcase_add_test(tc, template_hash_tampered);
	tcase_add_test(tc, replay_vm_ima_sig_sha256);
	tcase_add_test(tc, replay_vm_critical_data_banks);
	tcase_add_test(tc, replay_padded_mode_differs);
	tcase_add_test(tc, replay_quote_prefix);
	tcase_add_test(tc, text_vm_lists);
	tcase_add_test(tc, text_keylime_826);
	tcase_add_test(tc, text_keylime_digest_algs);
	tcase_add_test(tc, text_violation_replay);
	tcase_add_test(tc, text_keylime_sig_and_buf);
	tcase_add_test(tc, text_invalid_list);
	tcase_add_test(tc, text_malformed_lines);
	tcase_add_test(tc, boot_aggregate_vm_list);
	tcase_add_test(tc, boot_aggregate_all_banks);
	tcase_add_test(tc, refs_match_mismatch_unknown);
	tcase_add_test(tc, refs_bad_template_and_violation);
	tcase_add_test(tc, refs_many_paths);
	tcase_add_test(tc, binary_sha256_list);
	tcase_add_test(tc, binary_violation_entry);
	tcase_add_test(tc, hash_alg_names);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
