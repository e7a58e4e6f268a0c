#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <openssl/evp.h>

#include "imc_os_info.h"
#include "log.h"
#include "pa/ietf_forwarding_enabled.h"

/* Maximum length of a raw os-release value before cleaning. */
#define RAW_VALUE_MAX 1024
#define PATH_MAX_LEN 4096

int imc_os_path(const char *root, const char *path, char *out, size_t out_size)
{
	int n;

	if (!root || !*root || strcmp(root, "/") == 0)
		root = "";
	n = snprintf(out, out_size, "%s%s", root, path);
	if (n < 0 || (size_t)n >= out_size) {
		log_error(LOG_SUBSYS_IMC, "path %s below root %s is too long", path, root);
		return TS_E_TOO_LARGE;
	}
	return TS_OK;
}

int imc_os_read_file(const char *path, size_t max, char **out, size_t *out_len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *grown;
	size_t len = 0, cap = 0, n;
	int rc = TS_OK;

	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? TS_E_NOT_FOUND : TS_E_IO;
	for (;;) {
		if (cap - len < 2) {
			size_t next = cap ? cap * 2 : 4096;

			if (next > max + 2)
				next = max + 2;
			if (next <= cap) {
				rc = TS_E_TOO_LARGE;
				goto out;
			}
			grown = realloc(buf, next);
			if (!grown) {
				rc = TS_E_NOMEM;
				goto out;
			}
			buf = grown;
			cap = next;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (len > max) {
			rc = TS_E_TOO_LARGE;
			goto out;
		}
		if (n == 0) {
			if (ferror(f))
				rc = TS_E_IO;
			break;
		}
	}
out:
	fclose(f);
	if (rc != TS_OK) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return TS_OK;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is invalid. */
static size_t utf8_sequence_len(const uint8_t *s, size_t len)
{
	uint8_t c = s[0];
	size_t n;
	uint8_t lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	/* The second octet excludes overlong forms, surrogates and code points past U+10FFFF. */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

size_t imc_os_clean_utf8(const uint8_t *src, size_t len, char *dst, size_t dst_size)
{
	size_t in = 0, used = 0, replaced = 0;

	while (in < len) {
		size_t n = utf8_sequence_len(src + in, len - in);
		/* C0 controls, DEL and the C1 controls U+0080-U+009F (encoded C2 80 .. C2 9F). */
		bool control = (n == 1 && (src[in] < 0x20 || src[in] == 0x7F)) ||
			       (n == 2 && src[in] == 0xC2 && src[in + 1] < 0xA0);

		if (n == 0 || control) {
			if (used + 1 >= dst_size)
				break;
			dst[used++] = '?';
			replaced++;
			in += n ? n : 1;
			continue;
		}
		if (used + n >= dst_size)
			break;
		memcpy(dst + used, src + in, n);
		used += n;
		in += n;
	}
	dst[used] = '\0';
	return replaced;
}

/* Parses the value after '=' of an os-release line into out; returns the end of the line. */
static const char *parse_release_value(const char *p, char *out, size_t out_size)
{
	size_t n = 0;

#define PUT(ch) do { if (n + 1 < out_size) out[n++] = (ch); } while (0)
	while (*p && *p != '\n') {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1] && strchr("$\"\\`", p[1]))
					p++;
				else if (*p == '\\' && p[1] == '\n') {
					p++;
					continue;
				}
				PUT(*p);
			}
			if (*p == '"')
				p++;
		} else if (*p == '\'') {
			for (p++; *p && *p != '\''; p++)
				PUT(*p);
			if (*p == '\'')
				p++;
		} else if (*p == '\\' && p[1] && p[1] != '\n') {
			PUT(p[1]);
			p += 2;
		} else if (*p == ' ' || *p == '\t' || *p == '\r') {
			/* Unquoted white space ends the value, as it ends a shell word. */
			break;
		} else {
			PUT(*p);
			p++;
		}
	}
#undef PUT
	out[n] = '\0';
	while (*p && *p != '\n')
		p++;
	return p;
}

bool imc_os_release_value(const char *text, const char *key, char *out, size_t out_size)
{
	size_t key_len = strlen(key);
	bool found = false;
	const char *p = text;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, key_len) == 0 && p[key_len] == '=') {
			/* A later assignment overrides an earlier one, as in a shell. */
			p = parse_release_value(p + key_len + 1, out, out_size);
			found = true;
		} else {
			while (*p && *p != '\n')
				p++;
		}
		if (*p == '\n')
			p++;
	}
	return found;
}

/* Distributions whose Product Vendor ID is known, by os-release ID. */
static const struct known_os {
	const char *id;
	const char *name;
	uint32_t vendor;
} known_os[] = {
	{ "debian", "Debian", IMC_OS_PEN_DEBIAN },
	{ "ubuntu", "Ubuntu", IMC_OS_PEN_CANONICAL },
	{ "fedora", "Fedora", IMC_OS_PEN_FEDORA },
	{ "rhel", "Red Hat Enterprise Linux", IMC_OS_PEN_REDHAT },
};

/* Cleans a raw value into out and logs when octets had to be replaced. */
static void clean_field(const char *file, const char *field, const char *raw, char *out, size_t out_size)
{
	size_t replaced = imc_os_clean_utf8((const uint8_t *)raw, strlen(raw), out, out_size);

	if (replaced)
		log_info(LOG_SUBSYS_IMC, "%s: %s contains %zu invalid UTF-8 or control octets, sent as '?'",
			 file, field, replaced);
}

/* "22.04.1" -> 22, 4, 1; parts that are not decimal numbers stay 0. */
static void parse_numeric_version(const char *v, imc_os_product *p)
{
	uint32_t *parts[] = { &p->major, &p->minor, &p->build };

	for (size_t i = 0; i < 3 && isdigit((unsigned char)*v); i++) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(v, &end, 10);
		if (errno || n > UINT32_MAX)
			return;
		*parts[i] = (uint32_t)n;
		if (*end != '.')
			return;
		v = end + 1;
	}
}

/* Reads the first line of debian_version, e.g. "trixie/sid", into raw. */
static void read_debian_version(const char *root, char *raw, size_t raw_size)
{
	char path[PATH_MAX_LEN];
	char *text = NULL;
	size_t len;

	if (imc_os_path(root, "/etc/debian_version", path, sizeof(path)) != TS_OK ||
	    imc_os_read_file(path, IMC_OS_MAX_SMALL_FILE, &text, &len) != TS_OK)
		return;
	snprintf(raw, raw_size, "%.*s", (int)strcspn(text, "\r\n"), text);
	free(text);
}

int imc_os_read_product(const char *root, imc_os_product *out)
{
	static const char *const files[] = { "/etc/os-release", "/usr/lib/os-release" };
	char path[PATH_MAX_LEN], id[RAW_VALUE_MAX], raw[RAW_VALUE_MAX];
	imc_os_product p = { 0 };
	const char *file = NULL;
	char *text = NULL;
	struct utsname uts;
	size_t len;
	int rc = TS_E_NOT_FOUND;

	for (size_t i = 0; i < 2 && rc == TS_E_NOT_FOUND; i++) {
		rc = imc_os_path(root, files[i], path, sizeof(path));
		if (rc == TS_OK)
			rc = imc_os_read_file(path, IMC_OS_MAX_SMALL_FILE, &text, &len);
		file = files[i];
	}
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_IMC, "cannot read /etc/os-release or /usr/lib/os-release below %s: %s",
			  root && *root ? root : "/", ts_strerror(rc));
		return rc;
	}

	/* os-release(5): ID defaults to "linux" and NAME to "Linux". */
	if (!imc_os_release_value(text, "ID", id, sizeof(id)))
		strcpy(id, "linux");
	for (size_t i = 0; i < sizeof(known_os) / sizeof(known_os[0]); i++) {
		if (strcmp(id, known_os[i].id) == 0) {
			snprintf(p.name, sizeof(p.name), "%s", known_os[i].name);
			p.vendor = known_os[i].vendor;
		}
	}
	if (!p.name[0]) {
		if (imc_os_release_value(text, "NAME", raw, sizeof(raw)))
			clean_field(file, "NAME", raw, p.name, sizeof(p.name));
		if (!p.name[0])
			snprintf(p.name, sizeof(p.name), "Linux");
	}

	raw[0] = '\0';
	if (!imc_os_release_value(text, "VERSION_ID", raw, sizeof(raw)) && strcmp(id, "debian") == 0)
		read_debian_version(root, raw, sizeof(raw));
	clean_field(file, "VERSION_ID", raw, p.version, sizeof(p.version));
	parse_numeric_version(p.version, &p);

	if (uname(&uts) == 0)
		clean_field("uname", "machine", uts.machine, p.arch, sizeof(p.arch));
	else
		log_error(LOG_SUBSYS_IMC, "uname failed: %s", strerror(errno));

	free(text);
	*out = p;
	return TS_OK;
}

void imc_os_version_string(const imc_os_product *p, char *out, size_t out_size)
{
	snprintf(out, out_size, "%s%s%s", p->version, p->version[0] && p->arch[0] ? " " : "", p->arch);
}

void imc_os_product_string(const imc_os_product *p, char *out, size_t out_size)
{
	char version[IMC_OS_MAX_VERSION + IMC_OS_MAX_ARCH + 2];

	imc_os_version_string(p, version, sizeof(version));
	snprintf(out, out_size, "%s%s%s", p->name, version[0] ? " " : "", version);
}

/* Reads a small file below root; logs anything but success. */
static int read_root_file(const char *root, const char *file, char **text)
{
	char path[PATH_MAX_LEN];
	size_t len;
	int rc;

	rc = imc_os_path(root, file, path, sizeof(path));
	if (rc == TS_OK)
		rc = imc_os_read_file(path, IMC_OS_MAX_SMALL_FILE, text, &len);
	if (rc != TS_OK)
		log_info(LOG_SUBSYS_IMC, "cannot read %s: %s", path, ts_strerror(rc));
	return rc;
}

static int boot_time_from_stat(const char *text, time_t *out)
{
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, "btime ", 6) == 0) {
			long long t;
			char *end;

			errno = 0;
			t = strtoll(p + 6, &end, 10);
			if (errno || end == p + 6 || (*end != '\n' && *end != '\0') || t <= 0)
				return TS_E_INVALID;
			*out = (time_t)t;
			return TS_OK;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return TS_E_NOT_FOUND;
}

static int boot_time_from_uptime(const char *text, time_t now, time_t *out)
{
	char *end;
	double up;

	errno = 0;
	up = strtod(text, &end);
	if (errno || end == text || (*end != ' ' && *end != '\n') || !(up >= 0) || up > (double)now)
		return TS_E_INVALID;
	*out = now - (time_t)up;
	return TS_OK;
}

int imc_os_read_boot_time(const char *root, time_t now, time_t *out)
{
	char *text = NULL;
	int rc;

	rc = read_root_file(root, "/proc/stat", &text);
	if (rc == TS_OK) {
		rc = boot_time_from_stat(text, out);
		if (rc != TS_OK)
			log_info(LOG_SUBSYS_IMC, "/proc/stat has no valid btime line");
		free(text);
		if (rc == TS_OK)
			return TS_OK;
	}

	rc = read_root_file(root, "/proc/uptime", &text);
	if (rc != TS_OK)
		return rc;
	rc = boot_time_from_uptime(text, now, out);
	if (rc != TS_OK)
		log_info(LOG_SUBSYS_IMC, "/proc/uptime does not start with a valid uptime");
	free(text);
	return rc;
}

/* A /proc/sys flag: decimal digits and a newline; 1 when non-zero. */
static int read_sys_flag(const char *root, const char *file, bool *on)
{
	char *text = NULL;
	size_t digits;
	int rc;

	rc = read_root_file(root, file, &text);
	if (rc != TS_OK)
		return rc;
	digits = strspn(text, "0123456789");
	if (digits == 0 || digits > 10 || strspn(text + digits, " \t\r\n") != strlen(text + digits)) {
		char shown[64];

		log_info(LOG_SUBSYS_IMC, "%s contains '%s', which is not a number", file,
			 log_escape(shown, sizeof(shown), text, strlen(text)));
		free(text);
		return TS_E_INVALID;
	}
	*on = strtoul(text, NULL, 10) != 0;
	free(text);
	return TS_OK;
}

int imc_os_read_forwarding(const char *root, uint32_t *out)
{
	bool v4 = false, v6 = false;
	int rc4 = read_sys_flag(root, "/proc/sys/net/ipv4/ip_forward", &v4);
	int rc6 = read_sys_flag(root, "/proc/sys/net/ipv6/conf/all/forwarding", &v6);

	if (rc4 != TS_OK && rc6 != TS_OK)
		return TS_E_NOT_FOUND;
	*out = (v4 || v6) ? IETF_FORWARDING_ENABLED : IETF_FORWARDING_DISABLED;
	return TS_OK;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 32 hex digits into 16 octets; false if text is anything else. */
static bool parse_id128(const char *text, size_t len, uint8_t out[16])
{
	if (len != IMC_OS_MACHINE_ID_HEX_LEN)
		return false;
	for (size_t i = 0; i < 16; i++) {
		int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

int imc_os_read_machine_device_id(const char *root, char out[IMC_OS_MACHINE_ID_HEX_LEN + 1])
{
	static const char *const files[] = { "/etc/machine-id", "/var/lib/dbus/machine-id" };
	uint8_t machine[16], app[16], mac[EVP_MAX_MD_SIZE];
	size_t mac_len = 0, len = 0;
	char *text = NULL;
	int rc = TS_E_NOT_FOUND;

	for (size_t i = 0; i < 2 && rc == TS_E_NOT_FOUND; i++)
		rc = read_root_file(root, files[i], &text);
	if (rc != TS_OK)
		return rc;
	len = strcspn(text, "\n");
	if (!parse_id128(text, len, machine) || strspn(text + len, "\n") != strlen(text + len)) {
		char shown[64];

		log_error(LOG_SUBSYS_IMC, "the machine ID '%s' is not 32 hex digits",
			  log_escape(shown, sizeof(shown), text, strlen(text)));
		free(text);
		return TS_E_INVALID;
	}
	free(text);

	if (!parse_id128(IMC_OS_APP_ID, strlen(IMC_OS_APP_ID), app) ||
	    !EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, machine, sizeof(machine), app, sizeof(app),
		       mac, sizeof(mac), &mac_len) || mac_len < 16) {
		log_error(LOG_SUBSYS_IMC, "HMAC-SHA256 over the machine ID failed");
		return TS_E_CRYPTO;
	}
	/* Version 4, variant 1 UUID bits, as systemd sets them. */
	mac[6] = (mac[6] & 0x0F) | 0x40;
	mac[8] = (mac[8] & 0x3F) | 0x80;
	for (size_t i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	return TS_OK;
}

/* One stanza of the dpkg status file while it is being read. */
typedef struct dpkg_entry {
	char *name;
	char *version;
	bool installed;
} dpkg_entry;

static void dpkg_entry_clear(dpkg_entry *e)
{
	free(e->name);
	free(e->version);
	memset(e, 0, sizeof(*e));
}

/* A name or version that can be sent as it is: 1..255 octets of clean UTF-8. */
static bool package_string_ok(const char *s)
{
	char clean[256];
	size_t len = s ? strlen(s) : 0;

	return len >= 1 && len <= 255 && imc_os_clean_utf8((const uint8_t *)s, len, clean, sizeof(clean)) == 0 &&
	       strlen(clean) == len;
}

/* Moves a finished stanza into pkgs when it describes an installed package. */
static int dpkg_entry_finish(dpkg_entry *e, size_t max, imc_os_packages *pkgs, size_t *cap,
			     size_t *skipped)
{
	imc_os_package *grown;

	if (!e->installed)
		goto out;
	if (!package_string_ok(e->name) || !package_string_ok(e->version)) {
		(*skipped)++;
		goto out;
	}
	if (pkgs->count == max)
		return TS_E_TOO_LARGE;
	if (pkgs->count == *cap) {
		size_t next = *cap ? *cap * 2 : 1024;

		grown = realloc(pkgs->list, next * sizeof(*grown));
		if (!grown)
			return TS_E_NOMEM;
		pkgs->list = grown;
		*cap = next;
	}
	pkgs->list[pkgs->count].name = e->name;
	pkgs->list[pkgs->count].version = e->version;
	pkgs->count++;
	e->name = e->version = NULL;
out:
	dpkg_entry_clear(e);
	return TS_OK;
}

/* The value of "Field: value" when line starts with field (case-insensitive), else NULL. */
static const char *field_value(const char *line, const char *field)
{
	size_t n = strlen(field);

	if (strncasecmp(line, field, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

static char *dup_trimmed(const char *s)
{
	size_t len = strlen(s);

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return strndup(s, len);
}

/* "install ok installed": the third word is the package state. */
static bool status_installed(const char *status)
{
	char want[32], flag[32], state[32];

	return sscanf(status, "%31s %31s %31s", want, flag, state) == 3 && strcmp(state, "installed") == 0;
}

int imc_os_read_dpkg(const char *root, size_t max, imc_os_packages *out)
{
	char path[PATH_MAX_LEN];
	imc_os_packages pkgs = { 0 };
	dpkg_entry e = { 0 };
	size_t cap = 0, skipped = 0, line_cap = 0;
	char *line = NULL;
	ssize_t n;
	FILE *f;
	int rc;

	if (max == 0)
		max = IMC_OS_MAX_PACKAGES;
	rc = imc_os_path(root, "/var/lib/dpkg/status", path, sizeof(path));
	if (rc != TS_OK)
		return rc;
	f = fopen(path, "r");
	if (!f) {
		rc = errno == ENOENT || errno == ENOTDIR ? TS_E_NOT_FOUND : TS_E_IO;
		log_info(LOG_SUBSYS_IMC, "cannot read %s: %s", path, strerror(errno));
		return rc;
	}

	while ((n = getline(&line, &line_cap, f)) >= 0) {
		const char *v;
		char **slot = NULL;

		if (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n')) {
			rc = dpkg_entry_finish(&e, max, &pkgs, &cap, &skipped);
			if (rc != TS_OK)
				goto out;
			continue;
		}
		if ((v = field_value(line, "Package")) != NULL)
			slot = &e.name;
		else if ((v = field_value(line, "Version")) != NULL)
			slot = &e.version;
		else if ((v = field_value(line, "Status")) != NULL)
			e.installed = status_installed(v);
		if (slot) {
			free(*slot);
			*slot = dup_trimmed(v);
			if (!*slot) {
				rc = TS_E_NOMEM;
				goto out;
			}
		}
	}
	if (ferror(f)) {
		rc = TS_E_IO;
		goto out;
	}
	rc = dpkg_entry_finish(&e, max, &pkgs, &cap, &skipped);
out:
	fclose(f);
	free(line);
	dpkg_entry_clear(&e);
	if (rc != TS_OK) {
		log_error(LOG_SUBSYS_IMC, "reading %s failed after %zu packages: %s", path, pkgs.count,
			  ts_strerror(rc));
		imc_os_packages_free(&pkgs);
		return rc;
	}
	if (skipped)
		log_info(LOG_SUBSYS_IMC, "%s: skipped %zu installed packages with an empty, too long or "
			 "invalid name or version", path, skipped);
	*out = pkgs;
	return TS_OK;
}

void imc_os_packages_free(imc_os_packages *pkgs)
{
	for (size_t i = 0; i < pkgs->count; i++) {
		free(pkgs->list[i].name);
		free(pkgs->list[i].version);
	}
	free(pkgs->list);
	pkgs->list = NULL;
	pkgs->count = 0;
}
