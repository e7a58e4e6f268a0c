/*
 * Decoding of event data and device paths. Expected values come from the
 * output tpm2-tools ships as expected for four of the logs in
 * tests/data/eventlog (the *.tpm2-tools-fixture.yaml files), and from device
 * path layouts of the UEFI Specification.
 */
#include <json-c/json.h>

#include "test_util.h"
#include "eventlog.h"
#include "eventlog_decode.h"

static unsigned char *load_log(const char *name, size_t *len)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "eventlog/%s", name);
	return test_read_file(test_data_path(rel), len);
}

static char *load_text(const char *name)
{
	size_t len;
	unsigned char *buf = load_log(name, &len);
	char *text = realloc(buf, len + 1);

	ck_assert_ptr_nonnull(text);
	text[len] = '\0';
	return text;
}

/* Start of the "- EventNum: n" block, or NULL. */
static const char *yaml_event(const char *yaml, size_t n)
{
	char marker[32];
	const char *p;

	snprintf(marker, sizeof(marker), "- EventNum: %zu\n", n);
	p = strstr(yaml, marker);
	return p;
}

/* The value of the nth "key:" line inside event n's block, unquoted, malloc()ed. */
static char *yaml_value(const char *yaml, size_t event, const char *key, int nth)
{
	const char *block = yaml_event(yaml, event), *end, *p;
	char pattern[64];

	ck_assert_msg(block != NULL, "no EventNum %zu in the fixture", event);
	end = strstr(block + 1, "\n- EventNum:");
	if (!end)
		end = block + strlen(block);
	snprintf(pattern, sizeof(pattern), " %s: ", key);
	p = block;
	for (int i = 0; i <= nth; i++) {
		p = strstr(p + 1, pattern);
		ck_assert_msg(p && p < end, "no %s #%d in EventNum %zu", key, nth, event);
	}
	p += strlen(pattern);
	{
		size_t len = strcspn(p, "\n");
		char *v;

		if ((p[0] == '\'' || p[0] == '"') && len >= 2 && p[len - 1] == p[0]) {
			p++;
			len -= 2;
		}
		v = strndup(p, len);
		ck_assert_ptr_nonnull(v);
		return v;
	}
}

static size_t yaml_count(const char *yaml, size_t event, const char *key)
{
	const char *block = yaml_event(yaml, event), *end, *p;
	char pattern[64];
	size_t n = 0;

	end = strstr(block + 1, "\n- EventNum:");
	snprintf(pattern, sizeof(pattern), " %s: ", key);
	for (p = strstr(block, pattern); p && p < end; p = strstr(p + 1, pattern))
		n++;
	return n;
}

struct decoded {
	unsigned char *data;
	eventlog_t *log;
	char *yaml;
};

static void decoded_open(struct decoded *d, const char *log)
{
	size_t len;
	char yaml_name[160];

	snprintf(yaml_name, sizeof(yaml_name), "%s.tpm2-tools-fixture.yaml", log);
	d->data = load_log(log, &len);
	d->log = NULL;
	ck_assert_int_eq(eventlog_parse(d->data, len, NULL, &d->log, NULL), TS_OK);
	d->yaml = load_text(yaml_name);
}

static void decoded_close(struct decoded *d)
{
	eventlog_destroy(d->log);
	free(d->data);
	free(d->yaml);
}

static json_object *decode_event(struct decoded *d, size_t i)
{
	json_object *o = NULL;

	ck_assert_int_eq(eventlog_decode(eventlog_get_event(d->log, i), 0, &o), TS_OK);
	return o;
}

static const char *get_str(json_object *o, const char *path)
{
	char buf[128], *save = NULL;
	json_object *cur = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		if (k[0] >= '0' && k[0] <= '9')
			cur = json_object_array_get_idx(cur, (size_t)atoi(k));
		else if (!json_object_object_get_ex(cur, k, &cur))
			cur = NULL;
		ck_assert_msg(cur != NULL, "no %s in %s", path, json_object_to_json_string(o));
	}
	return json_object_get_string(cur);
}

static void check_type_names(const char *log_name)
{
	struct decoded d;

	decoded_open(&d, log_name);
	for (size_t i = 0; i < eventlog_get_count(d.log); i++) {
		char *expected = yaml_value(d.yaml, i, "EventType", 0);
		const char *name = eventlog_type_name(eventlog_get_event(d.log, i)->type);

		ck_assert_ptr_nonnull(name);
		ck_assert_str_eq(name, expected);
		free(expected);
	}
	decoded_close(&d);
}

START_TEST(eventlog_type_names)
{
	check_type_names("tpm2tools-event-gce-ubuntu-2104-log.bin");
	check_type_names("tpm2tools-event-moklisttrusted.bin");
	check_type_names("tpm2tools-event-postcode.bin");
	check_type_names("tpm2tools-event-sd-boot-fedora37.bin");
	ck_assert_ptr_null(eventlog_type_name(0x12345678));
}
END_TEST

static void expect_yaml_str(struct decoded *d, json_object *o, const char *path, size_t event, const char *key, int nth)
{
	char *expected = yaml_value(d->yaml, event, key, nth);

	ck_assert_str_eq(get_str(o, path), expected);
	free(expected);
}

START_TEST(eventlog_decode_secure_boot)
{
	struct decoded d;
	json_object *o;
	char *enabled;

	decoded_open(&d, "tpm2tools-event-gce-ubuntu-2104-log.bin");
	o = decode_event(&d, 3);
	expect_yaml_str(&d, o, "variable_guid", 3, "VariableName", 0);
	expect_yaml_str(&d, o, "unicode_name", 3, "UnicodeName", 0);
	expect_yaml_str(&d, o, "variable_data_length", 3, "VariableDataLength", 0);
	enabled = yaml_value(d.yaml, 3, "Enabled", 0);
	ck_assert_str_eq(enabled, "No");
	ck_assert_str_eq(get_str(o, "secure_boot"), "false");
	free(enabled);
	json_object_put(o);
	decoded_close(&d);
}
END_TEST

START_TEST(eventlog_decode_device_paths)
{
	struct decoded d;
	json_object *o;

	decoded_open(&d, "tpm2tools-event-gce-ubuntu-2104-log.bin");
	/* EV_EFI_BOOT_SERVICES_APPLICATION: shim, then GRUB. */
	o = decode_event(&d, 23);
	expect_yaml_str(&d, o, "device_path", 23, "DevicePath", 0);
	expect_yaml_str(&d, o, "image_length_in_memory", 23, "ImageLengthInMemory", 0);
	expect_yaml_str(&d, o, "length_of_device_path", 23, "LengthOfDevicePath", 0);
	json_object_put(o);
	o = decode_event(&d, 27);
	expect_yaml_str(&d, o, "device_path", 27, "DevicePath", 0);
	json_object_put(o);
	/* Boot#### load options: firmware volume file, PCI/SCSI disk, BBS entry. */
	o = decode_event(&d, 11);
	expect_yaml_str(&d, o, "load_option.device_path", 11, "DevicePath", 0);
	expect_yaml_str(&d, o, "load_option.description", 11, "Description", 0);
	json_object_put(o);
	o = decode_event(&d, 12);
	expect_yaml_str(&d, o, "load_option.device_path", 12, "DevicePath", 0);
	expect_yaml_str(&d, o, "load_option.file_path_list_length", 12, "FilePathListLength", 0);
	json_object_put(o);
	o = decode_event(&d, 13);
	expect_yaml_str(&d, o, "load_option.device_path", 13, "DevicePath", 0);
	json_object_put(o);
	decoded_close(&d);

	decoded_open(&d, "tpm2tools-event-moklisttrusted.bin");
	o = decode_event(&d, 10);  /* Offset() node of an option ROM */
	expect_yaml_str(&d, o, "device_path", 10, "DevicePath", 0);
	json_object_put(o);
	o = decode_event(&d, 25);  /* PCI bridge, GPT partition, file */
	expect_yaml_str(&d, o, "device_path", 25, "DevicePath", 0);
	json_object_put(o);
	decoded_close(&d);
}
END_TEST

START_TEST(eventlog_decode_separator_action_gpt)
{
	struct decoded d;
	json_object *o;
	char *text;

	decoded_open(&d, "tpm2tools-event-gce-ubuntu-2104-log.bin");
	o = decode_event(&d, 15);
	expect_yaml_str(&d, o, "value", 15, "Event", 0);
	ck_assert_str_eq(get_str(o, "error"), "false");
	json_object_put(o);

	/* EV_EFI_ACTION: the fixture prints the text on the line after "Event: |-". */
	o = decode_event(&d, 14);
	text = yaml_value(d.yaml, 14, "EventSize", 0);
	ck_assert_uint_eq(strlen(get_str(o, "string")), (size_t)atoi(text));
	free(text);
	ck_assert_ptr_nonnull(strstr(yaml_event(d.yaml, 14), get_str(o, "string")));
	json_object_put(o);

	o = decode_event(&d, 22);
	expect_yaml_str(&d, o, "disk_guid", 22, "DiskGUID", 0);
	expect_yaml_str(&d, o, "number_of_partitions", 22, "NumberOfPartitions", 0);
	expect_yaml_str(&d, o, "header.size_of_partition_entry", 22, "SizeOfPartitionEntry", 0);
	for (int i = 0; i < 3; i++) {
		char path[64];

		snprintf(path, sizeof(path), "partitions.%d.unique_partition_guid", i);
		expect_yaml_str(&d, o, path, 22, "UniquePartitionGUID", i);
		snprintf(path, sizeof(path), "partitions.%d.partition_type_guid", i);
		expect_yaml_str(&d, o, path, 22, "PartitionTypeGUID", i);
	}
	json_object_put(o);

	/* EV_IPL from shim: the fixture shows "MokList\0". */
	o = decode_event(&d, 24);
	text = yaml_value(d.yaml, 24, "String", 0);
	ck_assert_str_eq(text, "MokList\\0");
	ck_assert_str_eq(get_str(o, "string"), "MokList");
	free(text);
	json_object_put(o);
	decoded_close(&d);
}
END_TEST

START_TEST(eventlog_decode_signature_lists)
{
	struct decoded d;
	json_object *o;
	char count[16];

	decoded_open(&d, "tpm2tools-event-gce-ubuntu-2104-log.bin");
	o = decode_event(&d, 4);  /* PK */
	expect_yaml_str(&d, o, "signature_lists.0.signature_type", 4, "SignatureType", 0);
	expect_yaml_str(&d, o, "signature_lists.0.signature_list_size", 4, "SignatureListSize", 0);
	expect_yaml_str(&d, o, "signature_lists.0.signature_size", 4, "SignatureSize", 0);
	expect_yaml_str(&d, o, "signature_lists.0.signatures.0.signature_owner", 4, "SignatureOwner", 0);
	ck_assert_str_eq(get_str(o, "signature_lists.0.signature_type_name"), "x509");
	json_object_put(o);

	o = decode_event(&d, 6);  /* db */
	snprintf(count, sizeof(count), "%zu", yaml_count(d.yaml, 6, "SignatureOwner"));
	ck_assert_str_eq(get_str(o, "signature_count"), count);
	json_object_put(o);

	o = decode_event(&d, 7);  /* an empty dbx */
	ck_assert_str_eq(get_str(o, "variable_data_length"), "0");
	ck_assert_str_eq(get_str(o, "signature_count"), "0");
	json_object_put(o);
	decoded_close(&d);
}
END_TEST

START_TEST(eventlog_decode_undecodable)
{
	/* A variable event whose UnicodeNameLength runs past the data: reported, not fatal. */
	uint8_t data[40] = { 0 };
	eventlog_event_t ev = { .index = 3, .pcr = 7, .type = EV_EFI_VARIABLE_DRIVER_CONFIG };
	json_object *o = NULL;

	data[16] = 0xff;  /* UnicodeNameLength */
	ev.data = data;
	ev.data_len = sizeof(data);
	ev.data_offset = 1000;
	ck_assert_int_eq(eventlog_decode(&ev, 0, &o), TS_OK);
	ck_assert_str_eq(get_str(o, "undecodable"),
			 "UnicodeNameLength 255 at offset 1016 exceeds the 8 bytes left");
	ck_assert_uint_eq(strlen(get_str(o, "hex")), 80);
	json_object_put(o);

	/* A separator of the wrong size. */
	ev.type = EV_SEPARATOR;
	ev.data_len = 3;
	ck_assert_int_eq(eventlog_decode(&ev, 0, &o), TS_OK);
	ck_assert_str_eq(get_str(o, "undecodable"), "separator at offset 1000 has 3 bytes, expected 4");
	json_object_put(o);

	/* An image load event whose device path node claims more than is there. */
	{
		uint8_t img[32 + 6] = { 0 };

		img[24] = 6;     /* LengthOfDevicePath */
		img[32] = 1;     /* hardware */
		img[33] = 1;     /* PCI */
		img[34] = 0x20;  /* node length 32 */
		ev.type = EV_EFI_BOOT_SERVICES_APPLICATION;
		ev.data = img;
		ev.data_len = sizeof(img);
		ck_assert_int_eq(eventlog_decode(&ev, 0, &o), TS_OK);
		ck_assert_str_eq(get_str(o, "undecodable"),
				 "device path node at offset 1032 has length 32, only 6 bytes left");
		ck_assert_str_eq(get_str(o, "length_of_device_path"), "6");
		json_object_put(o);
	}
}
END_TEST

START_TEST(eventlog_devpath_nodes)
{
	/* Node bytes written from the UEFI Specification's device path layouts. */
	static const struct { const char *hex; const char *text; } cases[] = {
		{ "02010c00d041030a00000000" "7fff0400", "PciRoot(0x0)" },
		{ "01010600021f" "7fff0400", "Pci(0x1f,0x2)" },
		{ "030b2500" "525400123456" "0000000000000000000000000000000000000000000000000000" "01" "7fff0400",
		  "MAC(525400123456,1)" },
		{ "03180c00" "687474703a2f2f78" "7fff0400", "Uri(http://x)" },
		{ "04040a00" "410042000000" "7fff0400", "File(AB)" },
		{ "03120a00010002000300" "7fff0400", "Sata(0x1,0x2,0x3)" },
		{ "0a0b0600abcd" "7fff0400", "Node(type=10,subtype=11,len=6)" },
		{ "01010600021f" "7f010400" "01010600031f" "7fff0400", "Pci(0x1f,0x2),Pci(0x1f,0x3)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		unsigned char *bytes = test_hex(cases[i].hex, &len);
		char *text = NULL;

		ck_assert_int_eq(eventlog_decode_devpath(bytes, len, &text, NULL, 0), TS_OK);
		ck_assert_str_eq(text, cases[i].text);
		free(text);
		free(bytes);
	}
}
END_TEST

START_TEST(eventlog_devpath_malformed)
{
	static const struct { const char *hex; int rc; const char *err; } cases[] = {
		{ "0101", TS_E_TRUNCATED, "device path node header at offset 0 truncated" },
		{ "01010300", TS_E_INVALID, "device path node at offset 0 has length 3, below 4" },
		{ "01010800aabb", TS_E_TRUNCATED, "device path node at offset 0 has length 8, only 6 bytes left" },
		{ "01010500aa", TS_E_TRUNCATED, "device path node type 1 subtype 1 at offset 0: length 5 is too short" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		unsigned char *bytes = test_hex(cases[i].hex, &len);
		char *text = NULL, err[160] = "";

		ck_assert_int_eq(eventlog_decode_devpath(bytes, len, &text, err, sizeof(err)), cases[i].rc);
		ck_assert_str_eq(err, cases[i].err);
		ck_assert_ptr_null(text);
		free(bytes);
	}
}
END_TEST

START_TEST(eventlog_event_json)
{
	struct decoded d;
	json_object *o = NULL;
	char *digest;

	decoded_open(&d, "tpm2tools-event-gce-ubuntu-2104-log.bin");
	ck_assert_int_eq(eventlog_decode_event(eventlog_get_event(d.log, 15), 0, &o), TS_OK);
	ck_assert_str_eq(get_str(o, "index"), "15");
	ck_assert_str_eq(get_str(o, "type"), "EV_SEPARATOR");
	expect_yaml_str(&d, o, "pcr", 15, "PCRIndex", 0);
	digest = yaml_value(d.yaml, 15, "Digest", 1);  /* the sha256 one */
	ck_assert_str_eq(get_str(o, "digests.sha256"), digest);
	free(digest);
	ck_assert_str_eq(get_str(o, "data.value"), "00000000");
	json_object_put(o);
	decoded_close(&d);
}
END_TEST

START_TEST(eventlog_decode_post_code_blob)
{
	struct decoded d;
	json_object *o;
	char *base, *length;

	decoded_open(&d, "tpm2tools-event-postcode.bin");
	o = decode_event(&d, 2);
	base = yaml_value(d.yaml, 2, "BlobBase", 0);
	length = yaml_value(d.yaml, 2, "BlobLength", 0);
	ck_assert_str_eq(get_str(o, "blob_base"), base);
	ck_assert_uint_eq(strtoull(get_str(o, "blob_length"), NULL, 10), strtoull(length, NULL, 16));
	free(base);
	free(length);
	json_object_put(o);
	decoded_close(&d);
}
END_TEST

/* Turns the fixture's escaped string ("\x20\0c\0...") into its printable characters. */
static char *unescape_fixture(const char *s)
{
	char *out = malloc(strlen(s) + 1), *p = out;

	ck_assert_ptr_nonnull(out);
	while (*s) {
		if (s[0] == '\\' && s[1] == '0') {
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
			char hex[3] = { s[2], s[3], 0 };

			*p++ = (char)strtol(hex, NULL, 16);
			s += 4;
		} else {
			*p++ = *s++;
		}
	}
	*p = '\0';
	return out;
}

START_TEST(eventlog_decode_utf16_ipl_and_tag)
{
	struct decoded d;
	json_object *o;
	char *raw, *expected, *hex;

	/* systemd-boot logs the kernel command line as UTF-16LE. */
	decoded_open(&d, "tpm2tools-event-sd-boot-fedora37.bin");
	o = decode_event(&d, 23);
	raw = yaml_value(d.yaml, 23, "String", 0);
	expected = unescape_fixture(raw);
	ck_assert_str_eq(get_str(o, "string"), expected);
	ck_assert_str_eq(get_str(o, "encoding"), "utf-16le");
	free(raw);
	free(expected);
	json_object_put(o);

	/* EV_EVENT_TAG of the Linux EFI stub: id, size, then "Linux initrd\0". */
	o = decode_event(&d, 25);
	hex = yaml_value(d.yaml, 25, "Event", 0);
	ck_assert_uint_eq(strlen(hex), 42);
	ck_assert_str_eq(get_str(o, "tagged_event_id"), "0x8f3b22ec");
	ck_assert_str_eq(get_str(o, "tagged_event_data_size"), "13");
	{
		size_t len;
		unsigned char *bytes = test_hex(hex + 16, &len);

		ck_assert_str_eq(get_str(o, "tagged_event_string"), (const char *)bytes);
		free(bytes);
	}
	free(hex);
	json_object_put(o);
	decoded_close(&d);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("eventlog_decode");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, eventlog_type_names);
	tcase_add_test(tc, eventlog_decode_secure_boot);
	tcase_add_test(tc, eventlog_decode_device_paths);
	tcase_add_test(tc, eventlog_decode_separator_action_gpt);
	tcase_add_test(tc, eventlog_decode_signature_lists);
	tcase_add_test(tc, eventlog_decode_post_code_blob);
	tcase_add_test(tc, eventlog_decode_utf16_ipl_and_tag);
	tcase_add_test(tc, eventlog_decode_undecodable);
	tcase_add_test(tc, eventlog_devpath_nodes);
	tcase_add_test(tc, eventlog_devpath_malformed);
	tcase_add_test(tc, eventlog_event_json);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
