#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog_text.h"

void eventlog_text_guid(const uint8_t g[16], char out[EVENTLOG_TEXT_GUID_SIZE])
{
	snprintf(out, EVENTLOG_TEXT_GUID_SIZE,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
		 g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

static size_t put_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

char *eventlog_text_from_utf16(const uint8_t *p, size_t units, bool *lossy)
{
	/* Each code unit yields at most 3 bytes; a surrogate pair 4 bytes for 2 units. */
	char *out = malloc(units * 3 + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < units; i++) {
		uint32_t cp = (uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8;

		if (cp == 0)
			break;
		if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < units) {
			uint32_t lo = (uint32_t)p[2 * i + 2] | (uint32_t)p[2 * i + 3] << 8;

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				cp = 0xfffd;
				*lossy = true;
			}
		} else if (cp >= 0xd800 && cp <= 0xdfff) {
			cp = 0xfffd;
			*lossy = true;
		}
		n += put_utf8(cp, out + n);
	}
	out[n] = '\0';
	return out;
}

bool eventlog_text_is_printable(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		size_t extra;
		uint32_t cp;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			extra = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			extra = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (extra > len - i - 1)
			return false;
		for (size_t k = 1; k <= extra; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* Reject overlong forms, surrogates and values past U+10FFFF. */
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += extra + 1;
	}
	return true;
}

/* ---- UEFI device paths (UEFI Specification, "Device Path Protocol") ---- */

struct node {
	uint8_t type;
	uint8_t subtype;
	uint16_t len;
	size_t offset;    /* of the node header in the log */
	reader_t body;    /* the node after its 4-byte header */
};

static int node_short(const struct node *n, char *err, size_t err_size)
{
	snprintf(err, err_size, "device path node type %u subtype %u at offset %zu: length %u is too short",
		 n->type, n->subtype, n->offset, n->len);
	return TS_E_TRUNCATED;
}

static void append_guid(struct printbuf *pb, const uint8_t *g)
{
	char text[EVENTLOG_TEXT_GUID_SIZE];

	eventlog_text_guid(g, text);
	printbuf_memappend(pb, text, (int)strlen(text));
}

static void append_hex(struct printbuf *pb, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sprintbuf(pb, "%02x", p[i]);
}

/* Appends text that came from the log with anything unprintable as \xNN. */
static void append_escaped(struct printbuf *pb, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f)
			printbuf_memappend(pb, (const char *)&c, 1);
		else
			sprintbuf(pb, "\\x%02x", c);
	}
}

static void append_ipv4(struct printbuf *pb, const uint8_t *a)
{
	sprintbuf(pb, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static void append_ipv6(struct printbuf *pb, const uint8_t *a)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(AF_INET6, a, text, sizeof(text)))
		printbuf_memappend(pb, text, (int)strlen(text));
}

/* "VenHw(guid)" or "VenHw(guid,hex)": a GUID followed by vendor data. */
static int format_vendor(struct node *n, struct printbuf *pb, const char *name, char *err, size_t err_size)
{
	const uint8_t *guid, *rest;
	size_t rest_len;

	if (reader_bytes(&n->body, 16, &guid) != TS_OK)
		return node_short(n, err, err_size);
	reader_rest(&n->body, &rest, &rest_len);
	sprintbuf(pb, "%s(", name);
	append_guid(pb, guid);
	if (rest_len) {
		printbuf_memappend(pb, ",", 1);
		append_hex(pb, rest, rest_len);
	}
	printbuf_memappend(pb, ")", 1);
	return TS_OK;
}

static int format_hardware(struct node *n, struct printbuf *pb, char *err, size_t err_size)
{
	reader_t *b = &n->body;
	uint8_t u8a, u8b;
	uint32_t u32;
	uint64_t u64a, u64b;

	switch (n->subtype) {
	case 1: /* PCI: Function (1), Device (1) */
		if (reader_u8(b, &u8a) != TS_OK || reader_u8(b, &u8b) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "Pci(0x%x,0x%x)", u8b, u8a);
		return TS_OK;
	case 2: /* PC Card: Function (1) */
		if (reader_u8(b, &u8a) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "PcCard(0x%x)", u8a);
		return TS_OK;
	case 3: /* Memory mapped: type (4), start (8), end (8) */
		if (reader_u32_le(b, &u32) != TS_OK || reader_u64_le(b, &u64a) != TS_OK ||
		    reader_u64_le(b, &u64b) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "MemoryMapped(0x%x,0x%" PRIx64 ",0x%" PRIx64 ")", u32, u64a, u64b);
		return TS_OK;
	case 4:
		return format_vendor(n, pb, "VenHw", err, err_size);
	case 5: /* Controller: number (4) */
		if (reader_u32_le(b, &u32) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "Ctrl(0x%x)", u32);
		return TS_OK;
	case 6: /* BMC: interface type (1), base address (8) */
		if (reader_u8(b, &u8a) != TS_OK || reader_u64_le(b, &u64a) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "BMC(0x%x,0x%" PRIx64 ")", u8a, u64a);
		return TS_OK;
	}
	return TS_E_UNSUPPORTED;
}

static int format_acpi(struct node *n, struct printbuf *pb, char *err, size_t err_size)
{
	reader_t *b = &n->body;
	uint32_t hid, uid, cid;

	switch (n->subtype) {
	case 1: /* ACPI: _HID (4), _UID (4) */
		if (reader_u32_le(b, &hid) != TS_OK || reader_u32_le(b, &uid) != TS_OK)
			return node_short(n, err, err_size);
		/* A compressed EISA id "PNPxxxx" has 0x41d0 in its low 16 bits. */
		if ((hid & 0xffff) == 0x41d0) {
			uint32_t pnp = hid >> 16;

			if (pnp == 0x0a03)
				sprintbuf(pb, "PciRoot(0x%x)", uid);
			else if (pnp == 0x0a08)
				sprintbuf(pb, "PcieRoot(0x%x)", uid);
			else if (pnp == 0x0604)
				sprintbuf(pb, "Floppy(0x%x)", uid);
			else
				sprintbuf(pb, "Acpi(PNP%04X,0x%x)", pnp, uid);
		} else {
			sprintbuf(pb, "Acpi(0x%08x,0x%x)", hid, uid);
		}
		return TS_OK;
	case 2: /* Expanded ACPI: _HID (4), _UID (4), _CID (4), then three strings */
		if (reader_u32_le(b, &hid) != TS_OK || reader_u32_le(b, &uid) != TS_OK ||
		    reader_u32_le(b, &cid) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "AcpiEx(0x%x,0x%x,0x%x)", hid, cid, uid);
		return TS_OK;
	case 3: /* _ADR: one or more 4-byte values */
		if (reader_u32_le(b, &uid) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "AcpiAdr(0x%x", uid);
		while (reader_u32_le(b, &uid) == TS_OK)
			sprintbuf(pb, ",0x%x", uid);
		printbuf_memappend(pb, ")", 1);
		return TS_OK;
	}
	return TS_E_UNSUPPORTED;
}

static int format_ipv4(struct node *n, struct printbuf *pb, char *err, size_t err_size)
{
	const uint8_t *local, *remote, *gateway = NULL, *mask = NULL;
	uint16_t lport, rport, proto;
	uint8_t is_static;

	if (reader_bytes(&n->body, 4, &local) != TS_OK || reader_bytes(&n->body, 4, &remote) != TS_OK ||
	    reader_u16_le(&n->body, &lport) != TS_OK || reader_u16_le(&n->body, &rport) != TS_OK ||
	    reader_u16_le(&n->body, &proto) != TS_OK || reader_u8(&n->body, &is_static) != TS_OK)
		return node_short(n, err, err_size);
	/* UEFI 2.0 nodes end here; later versions add gateway and subnet mask. */
	if (reader_remaining(&n->body) >= 8 &&
	    (reader_bytes(&n->body, 4, &gateway) != TS_OK || reader_bytes(&n->body, 4, &mask) != TS_OK))
		return node_short(n, err, err_size);
	printbuf_memappend(pb, "IPv4(", 5);
	append_ipv4(pb, remote);
	if (proto == 6)
		printbuf_memappend(pb, ",TCP", 4);
	else if (proto == 17)
		printbuf_memappend(pb, ",UDP", 4);
	else
		sprintbuf(pb, ",0x%x", proto);
	sprintbuf(pb, ",%s,", is_static ? "Static" : "DHCP");
	append_ipv4(pb, local);
	if (gateway) {
		printbuf_memappend(pb, ",", 1);
		append_ipv4(pb, gateway);
		printbuf_memappend(pb, ",", 1);
		append_ipv4(pb, mask);
	}
	printbuf_memappend(pb, ")", 1);
	return TS_OK;
}

static int format_ipv6(struct node *n, struct printbuf *pb, char *err, size_t err_size)
{
	const uint8_t *local, *remote;
	uint16_t lport, rport, proto;

	if (reader_bytes(&n->body, 16, &local) != TS_OK || reader_bytes(&n->body, 16, &remote) != TS_OK ||
	    reader_u16_le(&n->body, &lport) != TS_OK || reader_u16_le(&n->body, &rport) != TS_OK ||
	    reader_u16_le(&n->body, &proto) != TS_OK)
		return node_short(n, err, err_size);
	printbuf_memappend(pb, "IPv6(", 5);
	append_ipv6(pb, remote);
	sprintbuf(pb, ",0x%x,", proto);
	append_ipv6(pb, local);
	printbuf_memappend(pb, ")", 1);
	return TS_OK;
}

static int format_messaging(struct node *n, struct printbuf *pb, char *err, size_t err_size)
{
	reader_t *b = &n->body;
	uint8_t u8a, u8b;
	uint16_t u16a, u16b, u16c;
	uint32_t u32;
	uint64_t u64a, u64b;
	const uint8_t *p;
	size_t len;

	switch (n->subtype) {
	case 1: /* ATAPI: primary/secondary (1), master/slave (1), LUN (2) */
		if (reader_u8(b, &u8a) != TS_OK || reader_u8(b, &u8b) != TS_OK || reader_u16_le(b, &u16a) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "Ata(%u,%u,%u)", u8a, u8b, u16a);
		return TS_OK;
	case 2: /* SCSI: target (2), LUN (2) */
		if (reader_u16_le(b, &u16a) != TS_OK || reader_u16_le(b, &u16b) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "SCSI(%u,%u)", u16a, u16b);
		return TS_OK;
	case 3: /* Fibre Channel: reserved (4), WWN (8), LUN (8) */
		if (reader_u32_le(b, &u32) != TS_OK || reader_u64_le(b, &u64a) != TS_OK || reader_u64_le(b, &u64b) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "Fibre(0x%" PRIx64 ",0x%" PRIx64 ")", u64a, u64b);
		return TS_OK;
	case 5: /* USB: parent port (1), interface (1) */
		if (reader_u8(b, &u8a) != TS_OK || reader_u8(b, &u8b) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "USB(0x%x,0x%x)", u8a, u8b);
		return TS_OK;
	case 10:
		return format_vendor(n, pb, "VenMsg", err, err_size);
	case 11: /* MAC: address (32), interface type (1) */
		if (reader_bytes(b, 32, &p) != TS_OK || reader_u8(b, &u8a) != TS_OK)
			return node_short(n, err, err_size);
		/* Ethernet (type 0 or 1) uses the first 6 bytes of the 32. */
		printbuf_memappend(pb, "MAC(", 4);
		append_hex(pb, p, u8a <= 1 ? 6 : 32);
		sprintbuf(pb, ",%u)", u8a);
		return TS_OK;
	case 12:
		return format_ipv4(n, pb, err, err_size);
	case 13:
		return format_ipv6(n, pb, err, err_size);
	case 15: /* USB class: vendor (2), product (2), class, subclass, protocol (1 each) */
		if (reader_u16_le(b, &u16a) != TS_OK || reader_u16_le(b, &u16b) != TS_OK ||
		    reader_bytes(b, 3, &p) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "UsbClass(0x%x,0x%x,0x%x,0x%x,0x%x)", u16a, u16b, p[0], p[1], p[2]);
		return TS_OK;
	case 17: /* Device logical unit: LUN (1) */
		if (reader_u8(b, &u8a) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "Unit(0x%x)", u8a);
		return TS_OK;
	case 18: /* SATA: HBA port (2), port multiplier port (2), LUN (2) */
		if (reader_u16_le(b, &u16a) != TS_OK || reader_u16_le(b, &u16b) != TS_OK ||
		    reader_u16_le(b, &u16c) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "Sata(0x%x,0x%x,0x%x)", u16a, u16b, u16c);
		return TS_OK;
	case 20: /* VLAN: id (2) */
		if (reader_u16_le(b, &u16a) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "Vlan(%u)", u16a);
		return TS_OK;
	case 23: /* NVMe namespace: id (4), IEEE EUI-64 (8) */
		if (reader_u32_le(b, &u32) != TS_OK || reader_bytes(b, 8, &p) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "NVMe(0x%x,%02X-%02X-%02X-%02X-%02X-%02X-%02X-%02X)", u32,
			  p[7], p[6], p[5], p[4], p[3], p[2], p[1], p[0]);
		return TS_OK;
	case 24: /* URI: the URI without terminator */
		reader_rest(b, &p, &len);
		printbuf_memappend(pb, "Uri(", 4);
		append_escaped(pb, (const char *)p, len);
		printbuf_memappend(pb, ")", 1);
		return TS_OK;
	case 26: /* SD: slot (1) */
	case 29: /* eMMC: slot (1) */
		if (reader_u8(b, &u8a) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "%s(0x%x)", n->subtype == 26 ? "SD" : "eMMC", u8a);
		return TS_OK;
	}
	return TS_E_UNSUPPORTED;
}

static int format_harddrive(struct node *n, struct printbuf *pb, char *err, size_t err_size)
{
	uint32_t part;
	uint64_t start, size;
	const uint8_t *sig;
	uint8_t format, sig_type;

	if (reader_u32_le(&n->body, &part) != TS_OK || reader_u64_le(&n->body, &start) != TS_OK ||
	    reader_u64_le(&n->body, &size) != TS_OK || reader_bytes(&n->body, 16, &sig) != TS_OK ||
	    reader_u8(&n->body, &format) != TS_OK || reader_u8(&n->body, &sig_type) != TS_OK)
		return node_short(n, err, err_size);
	sprintbuf(pb, "HD(%u,", part);
	if (sig_type == 2) {
		printbuf_memappend(pb, "GPT,", 4);
		append_guid(pb, sig);
	} else if (sig_type == 1) {
		sprintbuf(pb, "MBR,0x%08x", (uint32_t)sig[0] | (uint32_t)sig[1] << 8 |
			  (uint32_t)sig[2] << 16 | (uint32_t)sig[3] << 24);
	} else {
		sprintbuf(pb, "%u,0", sig_type);
	}
	sprintbuf(pb, ",0x%" PRIx64 ",0x%" PRIx64 ")", start, size);
	return TS_OK;
}

static int format_media(struct node *n, struct printbuf *pb, char *err, size_t err_size)
{
	reader_t *b = &n->body;
	uint32_t u32;
	uint64_t u64a, u64b;
	const uint8_t *p;
	size_t len;

	switch (n->subtype) {
	case 1:
		return format_harddrive(n, pb, err, err_size);
	case 2: /* CD-ROM: boot entry (4), start (8), size (8) */
		if (reader_u32_le(b, &u32) != TS_OK || reader_u64_le(b, &u64a) != TS_OK || reader_u64_le(b, &u64b) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "CDROM(0x%x,0x%" PRIx64 ",0x%" PRIx64 ")", u32, u64a, u64b);
		return TS_OK;
	case 3:
		return format_vendor(n, pb, "VenMedia", err, err_size);
	case 4: { /* File path: UTF-16LE, usually NUL-terminated */
		bool lossy = false;
		char *text;

		reader_rest(b, &p, &len);
		text = eventlog_text_from_utf16(p, len / 2, &lossy);
		if (!text)
			return TS_E_NOMEM;
		printbuf_memappend(pb, "File(", 5);
		append_escaped(pb, text, strlen(text));
		printbuf_memappend(pb, ")", 1);
		free(text);
		return TS_OK;
	}
	case 5: /* Media protocol: GUID */
	case 6: /* PI firmware file: GUID */
	case 7: /* PI firmware volume: GUID */
		if (reader_bytes(b, 16, &p) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "%s(", n->subtype == 5 ? "Media" : n->subtype == 6 ? "FvFile" : "FvVol");
		append_guid(pb, p);
		printbuf_memappend(pb, ")", 1);
		return TS_OK;
	case 8: /* Relative offset range: reserved (4), start (8), end (8) */
		if (reader_u32_le(b, &u32) != TS_OK || reader_u64_le(b, &u64a) != TS_OK || reader_u64_le(b, &u64b) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "Offset(0x%" PRIx64 ",0x%" PRIx64 ")", u64a, u64b);
		return TS_OK;
	case 9: { /* RAM disk: start (8), end (8), type GUID (16), instance (2) */
		uint16_t instance;

		if (reader_u64_le(b, &u64a) != TS_OK || reader_u64_le(b, &u64b) != TS_OK ||
		    reader_bytes(b, 16, &p) != TS_OK || reader_u16_le(b, &instance) != TS_OK)
			return node_short(n, err, err_size);
		sprintbuf(pb, "RamDisk(0x%" PRIx64 ",0x%" PRIx64 ",%u,", u64a, u64b, instance);
		append_guid(pb, p);
		printbuf_memappend(pb, ")", 1);
		return TS_OK;
	}
	}
	return TS_E_UNSUPPORTED;
}

static int format_bbs(struct node *n, struct printbuf *pb, char *err, size_t err_size)
{
	static const char *const types[] = { NULL, "Floppy", "HD", "CDROM", "PCMCIA", "USB", "Network" };
	uint16_t dev_type, status;
	const uint8_t *desc;
	size_t len, desc_len;

	if (n->subtype != 1)
		return TS_E_UNSUPPORTED;
	if (reader_u16_le(&n->body, &dev_type) != TS_OK || reader_u16_le(&n->body, &status) != TS_OK)
		return node_short(n, err, err_size);
	reader_rest(&n->body, &desc, &len);
	desc_len = len ? strnlen((const char *)desc, len) : 0;

	printbuf_memappend(pb, "BBS(", 4);
	if (dev_type >= 1 && dev_type <= 6)
		sprintbuf(pb, "%s,", types[dev_type]);
	else
		sprintbuf(pb, "0x%x,", dev_type);
	append_escaped(pb, (const char *)desc, desc_len);
	sprintbuf(pb, ",0x%x)", status);
	return TS_OK;
}

/*
 * EFI_DEVICE_PATH_PROTOCOL node (UEFI Specification, "Generic Device Path
 * Structures"), repeated until End of Entire Device Path:
 *
 *   0      1         2            4
 *   +------+---------+------------+-------------------+
 *   | Type | SubType | Length (2) | data (Length - 4) |
 *   +------+---------+------------+-------------------+
 */
int eventlog_text_devpath(reader_t *r, struct printbuf *pb, char *err, size_t err_size)
{
	size_t count = 0;
	bool need_slash = false;

	while (reader_remaining(r) > 0) {
		struct node n;
		int rc;

		n.offset = reader_offset(r);
		if (++count > EVENTLOG_TEXT_DEVPATH_MAX_NODES) {
			snprintf(err, err_size, "device path at offset %zu has more than %d nodes",
				 n.offset, EVENTLOG_TEXT_DEVPATH_MAX_NODES);
			return TS_E_TOO_LARGE;
		}
		if (reader_u8(r, &n.type) != TS_OK || reader_u8(r, &n.subtype) != TS_OK ||
		    reader_u16_le(r, &n.len) != TS_OK) {
			snprintf(err, err_size, "device path node header at offset %zu truncated", n.offset);
			return TS_E_TRUNCATED;
		}
		if (n.len < 4) {
			snprintf(err, err_size, "device path node at offset %zu has length %u, below 4",
				 n.offset, n.len);
			return TS_E_INVALID;
		}
		if (reader_sub(r, n.len - 4u, &n.body) != TS_OK) {
			snprintf(err, err_size, "device path node at offset %zu has length %u, only %zu bytes left",
				 n.offset, n.len, reader_remaining(r) + 4);
			return TS_E_TRUNCATED;
		}

		if (n.type == 0x7f) {
			/* End of this instance (0x01) or of the entire path (0xff). */
			if (reader_remaining(r) > 0)
				printbuf_memappend(pb, ",", 1);
			need_slash = false;
			continue;
		}
		if (need_slash)
			printbuf_memappend(pb, "/", 1);
		need_slash = true;

		switch (n.type) {
		case 1: rc = format_hardware(&n, pb, err, err_size); break;
		case 2: rc = format_acpi(&n, pb, err, err_size); break;
		case 3: rc = format_messaging(&n, pb, err, err_size); break;
		case 4: rc = format_media(&n, pb, err, err_size); break;
		case 5: rc = format_bbs(&n, pb, err, err_size); break;
		default: rc = TS_E_UNSUPPORTED; break;
		}
		if (rc == TS_E_UNSUPPORTED) {
			sprintbuf(pb, "Node(type=%u,subtype=%u,len=%u)", n.type, n.subtype, n.len);
			rc = TS_OK;
		}
		if (rc != TS_OK)
			return rc;
	}
	return TS_OK;
}
