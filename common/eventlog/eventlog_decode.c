#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "eventlog_decode.h"
#include "eventlog_text.h"
#include "reader.h"

/* Hex strings in brief mode stop after this many bytes. */
#define BRIEF_HEX_BYTES 32

/* GUIDs in EFI byte order (UEFI Specification; Linux include/linux/efi.h). */
static const uint8_t EFI_GLOBAL_VARIABLE[16] = {
	0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c };
static const uint8_t EFI_IMAGE_SECURITY_DATABASE[16] = {
	0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f };
static const uint8_t EFI_CERT_SHA256[16] = {
	0x26, 0x16, 0xc4, 0xc1, 0x4c, 0x50, 0x92, 0x40, 0xac, 0xa9, 0x41, 0xf9, 0x36, 0x93, 0x43, 0x28 };
static const uint8_t EFI_CERT_X509[16] = {
	0xa1, 0x59, 0xc0, 0xa5, 0xe4, 0x94, 0xa7, 0x4a, 0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72 };
static const uint8_t EFI_CERT_X509_SHA256[16] = {
	0x92, 0xa4, 0xd2, 0x3b, 0xc0, 0x96, 0x79, 0x40, 0xb4, 0x20, 0xfc, 0xf9, 0x8e, 0xf1, 0x03, 0xed };

/* Linux EFI stub tags of EV_EVENT_TAG (drivers/firmware/efi/libstub/efistub.h). */
#define LINUX_INITRD_EVENT_TAG_ID       0x8F3B22ECu
#define LINUX_LOAD_OPTIONS_EVENT_TAG_ID 0x8F3B22EDu

/* A reader over the event data whose offsets are those of the whole log. */
static void data_reader(const eventlog_event_t *ev, reader_t *r)
{
	reader_init(r, ev->data, ev->data_len);
	r->base = ev->data_offset;
}

static int add(json_object *o, const char *key, json_object *v)
{
	if (!v)
		return TS_E_NOMEM;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return TS_E_NOMEM;
	}
	return TS_OK;
}

static int add_str(json_object *o, const char *key, const char *s)
{
	return add(o, key, json_object_new_string(s));
}

static int add_strn(json_object *o, const char *key, const uint8_t *s, size_t len)
{
	/* Empty event data has no pointer at all. */
	if (len == 0)
		return add_str(o, key, "");
	return add(o, key, json_object_new_string_len((const char *)s, (int)len));
}

static int add_u64(json_object *o, const char *key, uint64_t v)
{
	return add(o, key, json_object_new_uint64(v));
}

static int add_bool(json_object *o, const char *key, bool v)
{
	return add(o, key, json_object_new_boolean(v));
}

/* Addresses are shown as "0x..." like tpm2-tools prints them. */
static int add_addr(json_object *o, const char *key, uint64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "0x%" PRIx64, v);
	return add_str(o, key, text);
}

static int add_guid(json_object *o, const char *key, const uint8_t *guid)
{
	char text[EVENTLOG_TEXT_GUID_SIZE];

	eventlog_text_guid(guid, text);
	return add_str(o, key, text);
}

static int add_hex(json_object *o, const char *key, const uint8_t *p, size_t len, unsigned flags)
{
	size_t shown = len;
	bool cut = false;
	char *text;
	int rc;

	if ((flags & EVENTLOG_DECODE_BRIEF) && len > BRIEF_HEX_BYTES) {
		shown = BRIEF_HEX_BYTES;
		cut = true;
	}
	text = malloc(shown * 2 + 4);
	if (!text)
		return TS_E_NOMEM;
	for (size_t i = 0; i < shown; i++)
		snprintf(text + 2 * i, 3, "%02x", p[i]);
	strcpy(text + 2 * shown, cut ? "..." : "");
	rc = add_str(o, key, text);
	free(text);
	return rc;
}

/* Records why the data did not decode (the first reason wins) and keeps going. */
__attribute__((format(printf, 2, 3)))
static int undecodable(json_object *o, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	if (json_object_object_get_ex(o, "undecodable", NULL))
		return TS_OK;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return add_str(o, "undecodable", msg);
}

/* "undecodable" plus the raw data, for data that did not decode at all. */
__attribute__((format(printf, 4, 5)))
static int undecodable_hex(json_object *o, const eventlog_event_t *ev, unsigned flags, const char *fmt, ...)
{
	char msg[192];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rc = undecodable(o, "%s", msg);
	if (rc == TS_OK && !json_object_object_get_ex(o, "hex", NULL))
		rc = add_hex(o, "hex", ev->data, ev->data_len, flags);
	return rc;
}

/* Event data without trailing NULs. */
static size_t trim_nul(const uint8_t *p, size_t len)
{
	while (len > 0 && p[len - 1] == 0)
		len--;
	return len;
}

/* Text as "string", anything else as "hex" (not an error). */
static int decode_generic(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	size_t len = trim_nul(ev->data, ev->data_len);

	if (len > 0 && eventlog_text_is_printable(ev->data, len))
		return add_strn(o, "string", ev->data, len);
	return add_hex(o, "hex", ev->data, ev->data_len, flags);
}

/*
 * Converts NUL-terminated or unterminated UTF-16LE text (systemd-boot logs its
 * EV_IPL strings so) to UTF-8. Returns NULL if the data is not such text.
 */
static char *utf16_text(const uint8_t *p, size_t len)
{
	bool lossy = false;
	char *text;

	if (len < 2 || len % 2 != 0)
		return NULL;
	text = eventlog_text_from_utf16(p, len / 2, &lossy);
	if (!text)
		return NULL;
	/* The text must end at the first NUL and be followed by NULs only. */
	for (size_t i = 0; i < len / 2; i++) {
		if ((p[2 * i] | p[2 * i + 1]) == 0) {
			if (trim_nul(p + 2 * i, len - 2 * i) != 0)
				lossy = true;
			break;
		}
	}
	if (lossy || !eventlog_text_is_printable((const uint8_t *)text, strlen(text))) {
		free(text);
		return NULL;
	}
	return text;
}

/* EV_ACTION, EV_EFI_ACTION, EV_IPL and other events whose data is text. */
static int decode_string(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	size_t len = trim_nul(ev->data, ev->data_len);
	char *text;
	int rc;

	if (eventlog_text_is_printable(ev->data, len))
		return add_strn(o, "string", ev->data, len);
	text = utf16_text(ev->data, ev->data_len);
	if (!text)
		return undecodable_hex(o, ev, flags, "data at offset %zu is not printable text", ev->data_offset);
	rc = add_str(o, "string", text);
	if (rc == TS_OK)
		rc = add_str(o, "encoding", "utf-16le");
	free(text);
	return rc;
}

/* UEFI_PLATFORM_FIRMWARE_BLOB: BlobBase (8) | BlobLength (8) */
static int decode_blob(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	reader_t r;
	uint64_t base, length;
	int rc;

	data_reader(ev, &r);
	if (reader_u64_le(&r, &base) != TS_OK || reader_u64_le(&r, &length) != TS_OK || reader_remaining(&r) != 0)
		return undecodable_hex(o, ev, flags, "firmware blob at offset %zu has %zu bytes, expected 16",
				       ev->data_offset, ev->data_len);
	rc = add_addr(o, "blob_base", base);
	if (rc == TS_OK)
		rc = add_u64(o, "blob_length", length);
	return rc;
}

/* UEFI_PLATFORM_FIRMWARE_BLOB2: size (1) | description | BlobBase (8) | BlobLength (8) */
static int decode_blob2(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	reader_t r;
	uint8_t desc_size;
	const uint8_t *desc;
	uint64_t base, length;
	int rc;

	data_reader(ev, &r);
	if (reader_u8(&r, &desc_size) != TS_OK || reader_bytes(&r, desc_size, &desc) != TS_OK ||
	    reader_u64_le(&r, &base) != TS_OK || reader_u64_le(&r, &length) != TS_OK)
		return undecodable_hex(o, ev, flags, "UEFI_PLATFORM_FIRMWARE_BLOB2 truncated at offset %zu",
				       reader_offset(&r));
	if (eventlog_text_is_printable(desc, trim_nul(desc, desc_size)))
		rc = add_strn(o, "blob_description", desc, trim_nul(desc, desc_size));
	else
		rc = add_hex(o, "blob_description_hex", desc, desc_size, flags);
	if (rc == TS_OK)
		rc = add_addr(o, "blob_base", base);
	if (rc == TS_OK)
		rc = add_u64(o, "blob_length", length);
	if (rc == TS_OK && reader_remaining(&r) != 0)
		rc = undecodable_hex(o, ev, flags, "%zu unexpected bytes at offset %zu",
				     reader_remaining(&r), reader_offset(&r));
	return rc;
}

/* EV_POST_CODE and EV_S_CRTM_CONTENTS: a string or a firmware blob. */
static int decode_string_or_blob(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	size_t len = trim_nul(ev->data, ev->data_len);

	if (len > 0 && eventlog_text_is_printable(ev->data, len))
		return add_strn(o, "string", ev->data, len);
	return decode_blob(ev, flags, o);
}

static int decode_separator(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	static const uint8_t error_value[4] = { 0xff, 0xff, 0xff, 0xff };
	int rc;

	if (ev->data_len != 4)
		return undecodable_hex(o, ev, flags, "separator at offset %zu has %zu bytes, expected 4",
				       ev->data_offset, ev->data_len);
	rc = add_hex(o, "value", ev->data, 4, flags);
	if (rc == TS_OK)
		rc = add_bool(o, "error", memcmp(ev->data, error_value, 4) == 0);
	return rc;
}

/* EV_S_CRTM_VERSION: a NUL-terminated UTF-16LE string (OVMF logs an empty one). */
static int decode_crtm_version(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	char *text;
	int rc;

	if (ev->data_len > 0 && trim_nul(ev->data, ev->data_len) == 0)
		return add_str(o, "version", "");
	text = utf16_text(ev->data, ev->data_len);
	if (!text)
		return undecodable_hex(o, ev, flags, "version at offset %zu is not UTF-16 text", ev->data_offset);
	rc = add_str(o, "version", text);
	free(text);
	return rc;
}

/* TCG_PCClientTaggedEvent: taggedEventID (4) | taggedEventDataSize (4) | data */
static int decode_event_tag(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	reader_t r;
	uint32_t id, size;
	const uint8_t *data;
	char text[16];
	int rc;

	data_reader(ev, &r);
	if (reader_u32_le(&r, &id) != TS_OK || reader_u32_le(&r, &size) != TS_OK)
		return undecodable_hex(o, ev, flags, "tagged event header truncated at offset %zu", reader_offset(&r));
	if (reader_bytes(&r, size, &data) != TS_OK)
		return undecodable_hex(o, ev, flags, "taggedEventDataSize %u at offset %zu exceeds the %zu bytes left",
				       size, reader_offset(&r) - 4, reader_remaining(&r));
	snprintf(text, sizeof(text), "0x%08x", id);
	rc = add_str(o, "tagged_event_id", text);
	if (rc == TS_OK && id == LINUX_LOAD_OPTIONS_EVENT_TAG_ID)
		rc = add_str(o, "tag_name", "Linux LoadOptions");
	else if (rc == TS_OK && id == LINUX_INITRD_EVENT_TAG_ID)
		rc = add_str(o, "tag_name", "Linux initrd");
	if (rc == TS_OK)
		rc = add_u64(o, "tagged_event_data_size", size);
	if (rc == TS_OK) {
		size_t len = trim_nul(data, size);

		if (len > 0 && eventlog_text_is_printable(data, len))
			rc = add_strn(o, "tagged_event_string", data, len);
		else
			rc = add_hex(o, "tagged_event_data", data, size, flags);
	}
	if (rc == TS_OK && reader_remaining(&r) != 0)
		rc = undecodable_hex(o, ev, flags, "%zu unexpected bytes at offset %zu",
				     reader_remaining(&r), reader_offset(&r));
	return rc;
}

/*
 * UEFI_HANDOFF_TABLE_POINTERS: NumberOfTables (8) | n x { VendorGuid (16) | VendorTable (8) }
 * UEFI_HANDOFF_TABLE_POINTERS2 puts TableDescriptionSize (1) and the description in front.
 */
static int decode_handoff_tables(const eventlog_event_t *ev, unsigned flags, json_object *o, bool v2)
{
	reader_t r;
	uint64_t count;
	json_object *tables;
	int rc = TS_OK;

	data_reader(ev, &r);
	if (v2) {
		uint8_t desc_size;
		const uint8_t *desc;

		if (reader_u8(&r, &desc_size) != TS_OK || reader_bytes(&r, desc_size, &desc) != TS_OK)
			return undecodable_hex(o, ev, flags, "table description truncated at offset %zu", reader_offset(&r));
		if (eventlog_text_is_printable(desc, trim_nul(desc, desc_size)))
			rc = add_strn(o, "table_description", desc, trim_nul(desc, desc_size));
		if (rc != TS_OK)
			return rc;
	}
	if (reader_u64_le(&r, &count) != TS_OK)
		return undecodable_hex(o, ev, flags, "NumberOfTables truncated at offset %zu", reader_offset(&r));
	if (count > reader_remaining(&r) / 24)
		return undecodable_hex(o, ev, flags, "NumberOfTables %" PRIu64 " at offset %zu exceeds the data",
				       count, reader_offset(&r) - 8);
	rc = add_u64(o, "number_of_tables", count);
	tables = json_object_new_array();
	if (rc == TS_OK)
		rc = add(o, "tables", tables);
	for (uint64_t i = 0; rc == TS_OK && i < count; i++) {
		const uint8_t *guid;
		uint64_t table;
		json_object *t = json_object_new_object();

		if (!t)
			return TS_E_NOMEM;
		if (reader_bytes(&r, 16, &guid) != TS_OK || reader_u64_le(&r, &table) != TS_OK) {
			json_object_put(t);
			return undecodable(o, "handoff table %" PRIu64 " truncated at offset %zu", i, reader_offset(&r));
		}
		rc = add_guid(t, "vendor_guid", guid);
		if (rc == TS_OK)
			rc = add_addr(t, "vendor_table", table);
		if (rc == TS_OK && json_object_array_add(tables, t) != 0)
			rc = TS_E_NOMEM;
		if (rc != TS_OK)
			json_object_put(t);
	}
	if (rc == TS_OK && reader_remaining(&r) != 0)
		rc = undecodable_hex(o, ev, flags, "%zu unexpected bytes at offset %zu",
				     reader_remaining(&r), reader_offset(&r));
	return rc;
}

/* Appends the device path in `r` as "device_path", or reports why it did not decode. */
static int add_devpath(json_object *o, reader_t *r, const uint8_t *raw, size_t raw_len, unsigned flags)
{
	struct printbuf *pb = printbuf_new();
	char err[160];
	int rc;

	if (!pb)
		return TS_E_NOMEM;
	rc = eventlog_text_devpath(r, pb, err, sizeof(err));
	if (rc == TS_OK) {
		rc = add_strn(o, "device_path", (const uint8_t *)pb->buf, (size_t)pb->bpos);
	} else if (rc != TS_E_NOMEM) {
		rc = undecodable(o, "%s", err);
		if (rc == TS_OK)
			rc = add_hex(o, "device_path_hex", raw, raw_len, flags);
	}
	printbuf_free(pb);
	return rc;
}

/*
 * UEFI_IMAGE_LOAD_EVENT (PC Client PFP):
 *   ImageLocationInMemory (8) | ImageLengthInMemory (8) | ImageLinkTimeAddress (8) |
 *   LengthOfDevicePath (8) | DevicePath (LengthOfDevicePath)
 */
static int decode_image_load(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	reader_t r, path;
	uint64_t location, length, link, path_len;
	int rc;

	data_reader(ev, &r);
	if (reader_u64_le(&r, &location) != TS_OK || reader_u64_le(&r, &length) != TS_OK ||
	    reader_u64_le(&r, &link) != TS_OK || reader_u64_le(&r, &path_len) != TS_OK)
		return undecodable_hex(o, ev, flags, "UEFI_IMAGE_LOAD_EVENT truncated at offset %zu", reader_offset(&r));
	rc = add_addr(o, "image_location_in_memory", location);
	if (rc == TS_OK)
		rc = add_u64(o, "image_length_in_memory", length);
	if (rc == TS_OK)
		rc = add_addr(o, "image_link_time_address", link);
	if (rc == TS_OK)
		rc = add_u64(o, "length_of_device_path", path_len);
	if (rc != TS_OK)
		return rc;
	if (path_len > reader_remaining(&r))
		return undecodable_hex(o, ev, flags, "LengthOfDevicePath %" PRIu64 " at offset %zu exceeds the %zu bytes left",
				       path_len, reader_offset(&r) - 8, reader_remaining(&r));
	if (reader_sub(&r, (size_t)path_len, &path) != TS_OK)
		return undecodable(o, "device path truncated at offset %zu", reader_offset(&r));
	rc = add_devpath(o, &path, path.data, path.len, flags);
	if (rc == TS_OK && reader_remaining(&r) != 0)
		rc = undecodable_hex(o, ev, flags, "%zu unexpected bytes after the device path at offset %zu",
				     reader_remaining(&r), reader_offset(&r));
	return rc;
}

/*
 * EFI_SIGNATURE_LIST (UEFI Specification), repeated until the data ends:
 *   SignatureType (16) | SignatureListSize (4) | SignatureHeaderSize (4) | SignatureSize (4) |
 *   SignatureHeader (SignatureHeaderSize) | n x { SignatureOwner (16) | SignatureData (SignatureSize - 16) }
 */
static int decode_signature_lists(reader_t *r, unsigned flags, json_object *o)
{
	json_object *lists = json_object_new_array();
	uint64_t total = 0;
	int rc;

	rc = add(o, "signature_lists", lists);
	while (rc == TS_OK && reader_remaining(r) > 0) {
		size_t list_offset = reader_offset(r);
		const uint8_t *type;
		uint32_t list_size, header_size, sig_size;
		reader_t body;
		size_t count;
		json_object *list, *sigs = NULL;

		if (reader_bytes(r, 16, &type) != TS_OK || reader_u32_le(r, &list_size) != TS_OK ||
		    reader_u32_le(r, &header_size) != TS_OK || reader_u32_le(r, &sig_size) != TS_OK)
			return undecodable(o, "EFI_SIGNATURE_LIST header at offset %zu truncated", list_offset);
		if (list_size < 28 || reader_sub(r, list_size - 28u, &body) != TS_OK)
			return undecodable(o, "SignatureListSize %u at offset %zu does not fit the data",
					   list_size, list_offset + 16);
		if (header_size > reader_remaining(&body) || sig_size < 16 ||
		    (reader_remaining(&body) - header_size) % sig_size != 0)
			return undecodable(o, "EFI_SIGNATURE_LIST at offset %zu: SignatureSize %u does not divide the list",
					   list_offset, sig_size);
		if (reader_skip(&body, header_size) != TS_OK)
			return undecodable(o, "SignatureHeader truncated at offset %zu", reader_offset(&body));
		count = reader_remaining(&body) / sig_size;

		list = json_object_new_object();
		if (!list)
			return TS_E_NOMEM;
		rc = add_guid(list, "signature_type", type);
		if (rc == TS_OK)
			rc = add_str(list, "signature_type_name",
				     memcmp(type, EFI_CERT_X509, 16) == 0 ? "x509" :
				     memcmp(type, EFI_CERT_SHA256, 16) == 0 ? "sha256" :
				     memcmp(type, EFI_CERT_X509_SHA256, 16) == 0 ? "x509_sha256" : "other");
		if (rc == TS_OK)
			rc = add_u64(list, "signature_list_size", list_size);
		if (rc == TS_OK)
			rc = add_u64(list, "signature_header_size", header_size);
		if (rc == TS_OK)
			rc = add_u64(list, "signature_size", sig_size);
		if (rc == TS_OK)
			rc = add_u64(list, "signature_count", count);
		if (rc == TS_OK && !(flags & EVENTLOG_DECODE_BRIEF)) {
			sigs = json_object_new_array();
			rc = add(list, "signatures", sigs);
		}
		for (size_t i = 0; rc == TS_OK && sigs && i < count; i++) {
			const uint8_t *owner, *sig;
			json_object *s = json_object_new_object();

			if (!s) {
				rc = TS_E_NOMEM;
				break;
			}
			if (reader_bytes(&body, 16, &owner) != TS_OK ||
			    reader_bytes(&body, sig_size - 16u, &sig) != TS_OK) {
				json_object_put(s);
				rc = undecodable(o, "EFI_SIGNATURE_DATA truncated at offset %zu", reader_offset(&body));
				break;
			}
			rc = add_guid(s, "signature_owner", owner);
			if (rc == TS_OK)
				rc = add_hex(s, "signature_data", sig, sig_size - 16u, flags);
			if (rc == TS_OK && json_object_array_add(sigs, s) != 0)
				rc = TS_E_NOMEM;
			if (rc != TS_OK)
				json_object_put(s);
		}
		if (rc == TS_OK && json_object_array_add(lists, list) != 0)
			rc = TS_E_NOMEM;
		if (rc != TS_OK)
			json_object_put(list);
		total += count;
	}
	if (rc == TS_OK)
		rc = add_u64(o, "signature_count", total);
	return rc;
}

/*
 * EFI_LOAD_OPTION (UEFI Specification, Boot#### variables):
 *   Attributes (4) | FilePathListLength (2) | Description (UTF-16, NUL-terminated) |
 *   FilePathList (FilePathListLength) | OptionalData (the rest)
 */
static int decode_load_option(reader_t *r, unsigned flags, json_object *o)
{
	json_object *opt = json_object_new_object();
	uint32_t attributes;
	uint16_t path_len;
	size_t units = 0;
	const uint8_t *desc;
	reader_t path;
	char *text;
	bool lossy = false;
	int rc;

	if (!opt)
		return TS_E_NOMEM;
	rc = add(o, "load_option", opt);
	if (rc != TS_OK)
		return rc;
	if (reader_u32_le(r, &attributes) != TS_OK || reader_u16_le(r, &path_len) != TS_OK)
		return undecodable(o, "EFI_LOAD_OPTION truncated at offset %zu", reader_offset(r));
	rc = add_u64(opt, "attributes", attributes);
	if (rc == TS_OK)
		rc = add_bool(opt, "active", attributes & 1);
	if (rc == TS_OK)
		rc = add_u64(opt, "file_path_list_length", path_len);
	if (rc != TS_OK)
		return rc;

	/* The description ends at the first NUL code unit. */
	desc = reader_current(r);
	while (units < reader_remaining(r) / 2 && (desc[2 * units] | desc[2 * units + 1]) != 0)
		units++;
	if (units == reader_remaining(r) / 2)
		return undecodable(o, "load option description at offset %zu has no terminating NUL", reader_offset(r));
	text = eventlog_text_from_utf16(desc, units, &lossy);
	if (!text)
		return TS_E_NOMEM;
	rc = add_str(opt, "description", text);
	free(text);
	if (rc != TS_OK)
		return rc;
	if (reader_skip(r, 2 * units + 2) != TS_OK)
		return undecodable(o, "load option description truncated at offset %zu", reader_offset(r));

	if (reader_sub(r, path_len, &path) != TS_OK)
		return undecodable(o, "FilePathListLength %u exceeds the %zu bytes left at offset %zu",
				   path_len, reader_remaining(r), reader_offset(r));
	rc = add_devpath(opt, &path, path.data, path.len, flags);
	if (rc == TS_OK && reader_remaining(r) > 0) {
		const uint8_t *rest;
		size_t rest_len;

		reader_rest(r, &rest, &rest_len);
		rc = add_hex(opt, "optional_data", rest, rest_len, flags);
	}
	/* Surface a device path problem at the top, where readers look for it. */
	if (rc == TS_OK && json_object_object_get_ex(opt, "undecodable", NULL))
		rc = undecodable(o, "%s", json_object_get_string(json_object_object_get(opt, "undecodable")));
	return rc;
}

static bool is_boot_option_name(const char *name)
{
	if (strlen(name) != 8 || strncmp(name, "Boot", 4) != 0)
		return false;
	for (int i = 4; i < 8; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'A' && name[i] <= 'F')))
			return false;
	return true;
}

/* Interprets VariableData by the variable's GUID and name. */
static int decode_variable_data(const eventlog_event_t *ev, unsigned flags, json_object *o,
				const uint8_t *guid, const char *name, reader_t *data)
{
	bool global = memcmp(guid, EFI_GLOBAL_VARIABLE, 16) == 0;
	bool secdb = memcmp(guid, EFI_IMAGE_SECURITY_DATABASE, 16) == 0;
	size_t len = reader_remaining(data);
	const uint8_t *p = reader_current(data);

	if (global && strcmp(name, "SecureBoot") == 0) {
		if (len != 1)
			return undecodable(o, "SecureBoot data at offset %zu has %zu bytes, expected 1",
					   reader_offset(data), len);
		if (p[0] > 1)
			return undecodable(o, "SecureBoot value %u at offset %zu is neither 0 nor 1",
					   p[0], reader_offset(data));
		return add_bool(o, "secure_boot", p[0] == 1);
	}
	if (ev->type != EV_EFI_VARIABLE_AUTHORITY &&
	    ((global && (strcmp(name, "PK") == 0 || strcmp(name, "KEK") == 0)) ||
	     (secdb && (strcmp(name, "db") == 0 || strcmp(name, "dbx") == 0 ||
			strcmp(name, "dbt") == 0 || strcmp(name, "dbr") == 0))))
		return decode_signature_lists(data, flags, o);
	if (global && strcmp(name, "BootOrder") == 0) {
		json_object *order = json_object_new_array();
		int rc = add(o, "boot_order", order);
		uint16_t num;
		char text[12];

		if (rc == TS_OK && len % 2 != 0)
			return undecodable(o, "BootOrder at offset %zu has an odd length %zu", reader_offset(data), len);
		while (rc == TS_OK && reader_u16_le(data, &num) == TS_OK) {
			snprintf(text, sizeof(text), "Boot%04X", num);
			if (json_object_array_add(order, json_object_new_string(text)) != 0)
				rc = TS_E_NOMEM;
		}
		return rc;
	}
	if (global && is_boot_option_name(name) && ev->type != EV_EFI_VARIABLE_AUTHORITY)
		return decode_load_option(data, flags, o);
	if (ev->type == EV_EFI_VARIABLE_AUTHORITY && secdb && len >= 16) {
		/* One EFI_SIGNATURE_DATA without a size field: owner GUID, then the data. */
		int rc = add_guid(o, "signature_owner", p);

		if (rc == TS_OK)
			rc = add_hex(o, "signature_data", p + 16, len - 16, flags);
		return rc;
	}
	if (len > 0 && eventlog_text_is_printable(p, trim_nul(p, len)) && trim_nul(p, len) > 0)
		return add_strn(o, "variable_data_string", p, trim_nul(p, len));
	return add_hex(o, "variable_data", p, len, flags);
}

/*
 * UEFI_VARIABLE_DATA (PC Client PFP):
 *   VariableName GUID (16) | UnicodeNameLength (8) | VariableDataLength (8) |
 *   UnicodeName (2 x UnicodeNameLength) | VariableData (VariableDataLength)
 */
static int decode_variable(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	reader_t r, data;
	const uint8_t *guid, *name_raw;
	uint64_t name_len, data_len;
	char *name;
	bool lossy = false;
	int rc;

	data_reader(ev, &r);
	if (reader_bytes(&r, 16, &guid) != TS_OK || reader_u64_le(&r, &name_len) != TS_OK ||
	    reader_u64_le(&r, &data_len) != TS_OK)
		return undecodable_hex(o, ev, flags, "UEFI_VARIABLE_DATA header truncated at offset %zu", reader_offset(&r));
	if (name_len > reader_remaining(&r) / 2)
		return undecodable_hex(o, ev, flags, "UnicodeNameLength %" PRIu64 " at offset %zu exceeds the %zu bytes left",
				       name_len, ev->data_offset + 16, reader_remaining(&r));
	if (reader_bytes(&r, (size_t)name_len * 2, &name_raw) != TS_OK)
		return undecodable_hex(o, ev, flags, "UnicodeName truncated at offset %zu", reader_offset(&r));
	if (data_len > reader_remaining(&r))
		return undecodable_hex(o, ev, flags, "VariableDataLength %" PRIu64 " at offset %zu exceeds the %zu bytes left",
				       data_len, ev->data_offset + 24, reader_remaining(&r));
	if (reader_sub(&r, (size_t)data_len, &data) != TS_OK)
		return undecodable_hex(o, ev, flags, "VariableData truncated at offset %zu", reader_offset(&r));

	name = eventlog_text_from_utf16(name_raw, (size_t)name_len, &lossy);
	if (!name)
		return TS_E_NOMEM;
	rc = add_guid(o, "variable_guid", guid);
	if (rc == TS_OK)
		rc = add_str(o, "unicode_name", name);
	if (rc == TS_OK)
		rc = add_u64(o, "unicode_name_length", name_len);
	if (rc == TS_OK)
		rc = add_u64(o, "variable_data_length", data_len);
	if (rc == TS_OK)
		rc = decode_variable_data(ev, flags, o, guid, name, &data);
	if (rc == TS_OK && reader_remaining(&r) != 0)
		rc = undecodable_hex(o, ev, flags, "%zu unexpected bytes after VariableData at offset %zu",
				     reader_remaining(&r), reader_offset(&r));
	free(name);
	return rc;
}

/*
 * UEFI_GPT_DATA (PC Client PFP): the GPT header (HeaderSize bytes, 92 used) |
 * NumberOfPartitions (8) | that many entries of SizeOfPartitionEntry bytes:
 *   PartitionTypeGUID (16) | UniquePartitionGUID (16) | StartingLBA (8) | EndingLBA (8) |
 *   Attributes (8) | PartitionName (72, UTF-16)
 */
static int decode_gpt(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	reader_t r;
	const uint8_t *sig, *disk_guid;
	uint32_t revision, header_size, header_crc, reserved, num_entries, entry_size, array_crc;
	uint64_t my_lba, alt_lba, first_lba, last_lba, entry_lba, count;
	json_object *hdr, *parts;
	int rc;

	data_reader(ev, &r);
	if (reader_bytes(&r, 8, &sig) != TS_OK || reader_u32_le(&r, &revision) != TS_OK ||
	    reader_u32_le(&r, &header_size) != TS_OK || reader_u32_le(&r, &header_crc) != TS_OK ||
	    reader_u32_le(&r, &reserved) != TS_OK || reader_u64_le(&r, &my_lba) != TS_OK ||
	    reader_u64_le(&r, &alt_lba) != TS_OK || reader_u64_le(&r, &first_lba) != TS_OK ||
	    reader_u64_le(&r, &last_lba) != TS_OK || reader_bytes(&r, 16, &disk_guid) != TS_OK ||
	    reader_u64_le(&r, &entry_lba) != TS_OK || reader_u32_le(&r, &num_entries) != TS_OK ||
	    reader_u32_le(&r, &entry_size) != TS_OK || reader_u32_le(&r, &array_crc) != TS_OK)
		return undecodable_hex(o, ev, flags, "GPT header truncated at offset %zu", reader_offset(&r));
	if (memcmp(sig, "EFI PART", 8) != 0)
		return undecodable_hex(o, ev, flags, "GPT signature at offset %zu is not \"EFI PART\"", ev->data_offset);
	if (header_size < 92 || reader_skip(&r, header_size - 92u) != TS_OK)
		return undecodable_hex(o, ev, flags, "GPT HeaderSize %u at offset %zu is invalid",
				       header_size, ev->data_offset + 12);
	if (reader_u64_le(&r, &count) != TS_OK)
		return undecodable_hex(o, ev, flags, "NumberOfPartitions truncated at offset %zu", reader_offset(&r));
	if (entry_size < 128 || count > reader_remaining(&r) / entry_size)
		return undecodable_hex(o, ev, flags, "%" PRIu64 " partitions of %u bytes at offset %zu do not fit the data",
				       count, entry_size, reader_offset(&r));

	rc = add_guid(o, "disk_guid", disk_guid);
	hdr = json_object_new_object();
	if (rc == TS_OK)
		rc = add(o, "header", hdr);
	if (rc == TS_OK)
		rc = add_strn(hdr, "signature", sig, 8);
	if (rc == TS_OK)
		rc = add_u64(hdr, "revision", revision);
	if (rc == TS_OK)
		rc = add_u64(hdr, "header_size", header_size);
	if (rc == TS_OK)
		rc = add_u64(hdr, "my_lba", my_lba);
	if (rc == TS_OK)
		rc = add_u64(hdr, "alternate_lba", alt_lba);
	if (rc == TS_OK)
		rc = add_u64(hdr, "first_usable_lba", first_lba);
	if (rc == TS_OK)
		rc = add_u64(hdr, "last_usable_lba", last_lba);
	if (rc == TS_OK)
		rc = add_u64(hdr, "partition_entry_lba", entry_lba);
	if (rc == TS_OK)
		rc = add_u64(hdr, "number_of_partition_entries", num_entries);
	if (rc == TS_OK)
		rc = add_u64(hdr, "size_of_partition_entry", entry_size);
	if (rc == TS_OK)
		rc = add_u64(o, "number_of_partitions", count);
	parts = json_object_new_array();
	if (rc == TS_OK)
		rc = add(o, "partitions", parts);

	for (uint64_t i = 0; rc == TS_OK && i < count; i++) {
		reader_t e;
		const uint8_t *type, *unique, *name_raw;
		uint64_t start, end, attrs;
		json_object *p = json_object_new_object();
		char *name;
		bool lossy = false;

		if (!p)
			return TS_E_NOMEM;
		if (reader_sub(&r, entry_size, &e) != TS_OK || reader_bytes(&e, 16, &type) != TS_OK ||
		    reader_bytes(&e, 16, &unique) != TS_OK || reader_u64_le(&e, &start) != TS_OK ||
		    reader_u64_le(&e, &end) != TS_OK || reader_u64_le(&e, &attrs) != TS_OK ||
		    reader_bytes(&e, 72, &name_raw) != TS_OK) {
			json_object_put(p);
			return undecodable(o, "partition entry %" PRIu64 " truncated at offset %zu", i, reader_offset(&r));
		}
		name = eventlog_text_from_utf16(name_raw, 36, &lossy);
		if (!name) {
			json_object_put(p);
			return TS_E_NOMEM;
		}
		rc = add_guid(p, "partition_type_guid", type);
		if (rc == TS_OK)
			rc = add_guid(p, "unique_partition_guid", unique);
		if (rc == TS_OK)
			rc = add_u64(p, "starting_lba", start);
		if (rc == TS_OK)
			rc = add_u64(p, "ending_lba", end);
		if (rc == TS_OK)
			rc = add_u64(p, "attributes", attrs);
		if (rc == TS_OK)
			rc = add_str(p, "partition_name", name);
		free(name);
		if (rc == TS_OK && json_object_array_add(parts, p) != 0)
			rc = TS_E_NOMEM;
		if (rc != TS_OK)
			json_object_put(p);
	}
	if (rc == TS_OK && reader_remaining(&r) != 0)
		rc = undecodable_hex(o, ev, flags, "%zu unexpected bytes after the partition entries at offset %zu",
				 reader_remaining(&r), reader_offset(&r));
	return rc;
}

static int decode_specid(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	reader_t r;
	uint32_t platform_class, num;
	uint8_t minor, major, errata, uintn, vsize;
	const uint8_t *vinfo;
	json_object *spec = json_object_new_object(), *algs;
	int rc;

	rc = add(o, "spec_id", spec);
	if (rc != TS_OK)
		return rc;
	data_reader(ev, &r);
	if (reader_skip(&r, 16) != TS_OK || reader_u32_le(&r, &platform_class) != TS_OK || reader_u8(&r, &minor) != TS_OK ||
	    reader_u8(&r, &major) != TS_OK || reader_u8(&r, &errata) != TS_OK ||
	    reader_u8(&r, &uintn) != TS_OK || reader_u32_le(&r, &num) != TS_OK)
		return undecodable_hex(o, ev, flags, "Spec ID header truncated at offset %zu", reader_offset(&r));
	rc = add_str(spec, "signature", "Spec ID Event03");
	if (rc == TS_OK)
		rc = add_u64(spec, "platform_class", platform_class);
	if (rc == TS_OK)
		rc = add_u64(spec, "spec_version_minor", minor);
	if (rc == TS_OK)
		rc = add_u64(spec, "spec_version_major", major);
	if (rc == TS_OK)
		rc = add_u64(spec, "spec_errata", errata);
	if (rc == TS_OK)
		rc = add_u64(spec, "uintn_size", uintn);
	if (rc == TS_OK)
		rc = add_u64(spec, "number_of_algorithms", num);
	algs = json_object_new_array();
	if (rc == TS_OK)
		rc = add(spec, "algorithms", algs);
	for (uint32_t i = 0; rc == TS_OK && i < num; i++) {
		uint16_t id, size;
		json_object *a;
		const char *name;
		char text[8];

		if (reader_u16_le(&r, &id) != TS_OK || reader_u16_le(&r, &size) != TS_OK)
			return undecodable(o, "Spec ID algorithm %u truncated at offset %zu", i, reader_offset(&r));
		name = pcr_bank_alg_name(id);
		if (!name) {
			snprintf(text, sizeof(text), "0x%04x", id);
			name = text;
		}
		a = json_object_new_object();
		if (!a)
			return TS_E_NOMEM;
		rc = add_str(a, "algorithm_id", name);
		if (rc == TS_OK)
			rc = add_u64(a, "digest_size", size);
		if (rc == TS_OK && json_object_array_add(algs, a) != 0)
			rc = TS_E_NOMEM;
		if (rc != TS_OK)
			json_object_put(a);
	}
	if (rc != TS_OK)
		return rc;
	/* vendorInfo may lie after EventSize; the parser reports that case. */
	if (reader_u8(&r, &vsize) != TS_OK)
		return undecodable(o, "Spec ID vendorInfoSize truncated at offset %zu", reader_offset(&r));
	rc = add_u64(spec, "vendor_info_size", vsize);
	if (rc == TS_OK && reader_bytes(&r, vsize, &vinfo) == TS_OK)
		rc = add_hex(spec, "vendor_info", vinfo, vsize, flags);
	else if (rc == TS_OK)
		rc = add_bool(spec, "vendor_info_outside_event", true);
	return rc;
}

static int decode_no_action(const eventlog_event_t *ev, unsigned flags, json_object *o)
{
	if (ev->index == 0 && ev->data_len >= 16 && memcmp(ev->data, "Spec ID Event03", 16) == 0)
		return decode_specid(ev, flags, o);
	if (ev->data_len == 17 && memcmp(ev->data, "StartupLocality", 16) == 0)
		return add_u64(o, "startup_locality", ev->data[16]);
	if (ev->data_len >= 16 && memchr(ev->data, 0, 16) && eventlog_text_is_printable(ev->data, strlen((const char *)ev->data))) {
		/* Other EV_NO_ACTION payloads start with a 16-byte signature (e.g. "SP800-155 Event3"). */
		int rc = add_str(o, "signature", (const char *)ev->data);

		if (rc == TS_OK)
			rc = add_hex(o, "hex", ev->data, ev->data_len, flags);
		return rc;
	}
	return decode_generic(ev, flags, o);
}

int eventlog_decode(const eventlog_event_t *ev, unsigned flags, json_object **out)
{
	json_object *o = json_object_new_object();
	int rc;

	if (!o)
		return TS_E_NOMEM;

	switch (ev->type) {
	case EV_EFI_VARIABLE_DRIVER_CONFIG:
	case EV_EFI_VARIABLE_BOOT:
	case EV_EFI_VARIABLE_BOOT2:
	case EV_EFI_VARIABLE_AUTHORITY:
		rc = decode_variable(ev, flags, o);
		break;
	case EV_EFI_BOOT_SERVICES_APPLICATION:
	case EV_EFI_BOOT_SERVICES_DRIVER:
	case EV_EFI_RUNTIME_SERVICES_DRIVER:
		rc = decode_image_load(ev, flags, o);
		break;
	case EV_EFI_GPT_EVENT:
		rc = decode_gpt(ev, flags, o);
		break;
	case EV_SEPARATOR:
		rc = decode_separator(ev, flags, o);
		break;
	case EV_ACTION:
	case EV_EFI_ACTION:
	case EV_IPL:
	case EV_EFI_HCRTM_EVENT:
	case EV_OMIT_BOOT_DEVICE_EVENTS:
		rc = decode_string(ev, flags, o);
		break;
	case EV_POST_CODE:
	case EV_S_CRTM_CONTENTS:
		rc = decode_string_or_blob(ev, flags, o);
		break;
	case EV_EFI_PLATFORM_FIRMWARE_BLOB:
		rc = decode_blob(ev, flags, o);
		break;
	case EV_EFI_PLATFORM_FIRMWARE_BLOB2:
		rc = decode_blob2(ev, flags, o);
		break;
	case EV_S_CRTM_VERSION:
		rc = decode_crtm_version(ev, flags, o);
		break;
	case EV_EVENT_TAG:
		rc = decode_event_tag(ev, flags, o);
		break;
	case EV_EFI_HANDOFF_TABLES:
	case EV_EFI_HANDOFF_TABLES2:
		rc = decode_handoff_tables(ev, flags, o, ev->type == EV_EFI_HANDOFF_TABLES2);
		break;
	case EV_NO_ACTION:
		rc = decode_no_action(ev, flags, o);
		break;
	default:
		rc = decode_generic(ev, flags, o);
		break;
	}
	if (rc != TS_OK) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return TS_OK;
}

int eventlog_decode_event(const eventlog_event_t *ev, unsigned flags, json_object **out)
{
	json_object *o = json_object_new_object(), *digests = NULL, *data = NULL;
	const char *type_name = eventlog_type_name(ev->type);
	char text[16];
	int rc;

	if (!o)
		return TS_E_NOMEM;
	if (!type_name) {
		snprintf(text, sizeof(text), "0x%08x", ev->type);
		type_name = text;
	}
	rc = add_u64(o, "index", ev->index);
	if (rc == TS_OK)
		rc = add_u64(o, "offset", ev->offset);
	if (rc == TS_OK)
		rc = add_u64(o, "pcr", ev->pcr);
	if (rc == TS_OK)
		rc = add_str(o, "type", type_name);
	if (rc == TS_OK)
		rc = add_u64(o, "type_value", ev->type);
	digests = json_object_new_object();
	if (rc == TS_OK)
		rc = add(o, "digests", digests);
	for (size_t i = 0; rc == TS_OK && i < ev->digest_count; i++) {
		const char *name = pcr_bank_alg_name(ev->digests[i].alg_id);
		char label[8];

		if (!name) {
			snprintf(label, sizeof(label), "0x%04x", ev->digests[i].alg_id);
			name = label;
		}
		rc = add_hex(digests, name, ev->digests[i].value, ev->digests[i].size, 0);
	}
	if (rc == TS_OK)
		rc = add_u64(o, "event_size", ev->data_len);
	if (rc == TS_OK)
		rc = eventlog_decode(ev, flags, &data);
	if (rc == TS_OK)
		rc = add(o, "data", data);
	if (rc != TS_OK) {
		json_object_put(o);
		return rc;
	}
	*out = o;
	return TS_OK;
}

int eventlog_decode_devpath(const uint8_t *data, size_t len, char **out, char *err, size_t err_size)
{
	struct printbuf *pb = printbuf_new();
	reader_t r;
	char local_err[160];
	int rc;

	if (!pb)
		return TS_E_NOMEM;
	reader_init(&r, data, len);
	rc = eventlog_text_devpath(&r, pb, err ? err : local_err, err ? err_size : sizeof(local_err));
	if (rc == TS_OK) {
		*out = strndup(pb->buf ? pb->buf : "", (size_t)pb->bpos);
		if (!*out)
			rc = TS_E_NOMEM;
	}
	printbuf_free(pb);
	return rc;
}
