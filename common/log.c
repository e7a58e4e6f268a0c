#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX 2048

int log_levels[LOG_SUBSYS_COUNT] = {
	[0 ... LOG_SUBSYS_COUNT - 1] = LOG_LEVEL_DEFAULT,
};

static const char *const subsys_names[LOG_SUBSYS_COUNT] = {
	[LOG_SUBSYS_TNC] = "TNC",
	[LOG_SUBSYS_IMC] = "IMC",
	[LOG_SUBSYS_IMV] = "IMV",
	[LOG_SUBSYS_PTS] = "PTS",
	[LOG_SUBSYS_TLS] = "TLS",
	[LOG_SUBSYS_TPM] = "TPM",
	[LOG_SUBSYS_DB] = "DB",
	[LOG_SUBSYS_CFG] = "CFG",
	[LOG_SUBSYS_PA] = "PA",
	[LOG_SUBSYS_APP] = "APP",
};

#define LOG_ENV_LEVELS "TNCSUITE_LOG_LEVELS"
#define LOG_ENV_SYSLOG "TNCSUITE_LOG_SYSLOG"
#define LOG_ENV_PROGRAM "TNCSUITE_LOG_PROGRAM"

static bool to_syslog;
static char syslog_ident[64];
static char program[64];

void log_set_level(log_subsys subsys, int level)
{
	if ((unsigned)subsys < LOG_SUBSYS_COUNT)
		log_levels[subsys] = level;
}

void log_set_level_all(int level)
{
	for (int i = 0; i < LOG_SUBSYS_COUNT; i++)
		log_levels[i] = level;
}

int log_get_level(log_subsys subsys)
{
	return (unsigned)subsys < LOG_SUBSYS_COUNT ? log_levels[subsys] : 0;
}

void log_use_syslog(const char *ident)
{
	if (ident) {
		/* openlog() keeps the pointer, so it gets our own copy. */
		snprintf(syslog_ident, sizeof(syslog_ident), "%s", ident);
		openlog(syslog_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		to_syslog = true;
	} else {
		if (to_syslog)
			closelog();
		to_syslog = false;
	}
}

void log_set_program(const char *name)
{
	snprintf(program, sizeof(program), "%s", name ? name : "");
}

const char *log_subsys_name(log_subsys subsys)
{
	return (unsigned)subsys < LOG_SUBSYS_COUNT ? subsys_names[subsys] : "???";
}

int log_subsys_from_name(const char *name)
{
	for (int i = 0; i < LOG_SUBSYS_COUNT; i++)
		if (strcasecmp(name, subsys_names[i]) == 0)
			return i;
	return -1;
}

static int parse_level(const char *s, size_t n)
{
	if (n != 1 || s[0] < '0' || s[0] > '4')
		return -1;
	return s[0] - '0';
}

int log_parse_levels(const char *spec)
{
	int levels[LOG_SUBSYS_COUNT];
	const char *p = spec;

	memcpy(levels, log_levels, sizeof(levels));
	while (*p) {
		const char *end = strchr(p, ',');
		const char *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int level;

		eq = memchr(p, '=', n);
		if (!eq) {
			/* A bare level applies to every subsystem. */
			level = parse_level(p, n);
			if (level < 0)
				return -1;
			for (int i = 0; i < LOG_SUBSYS_COUNT; i++)
				levels[i] = level;
		} else {
			char name[16];
			size_t name_len = (size_t)(eq - p);

			level = parse_level(eq + 1, n - name_len - 1);
			if (level < 0 || name_len == 0 || name_len >= sizeof(name))
				return -1;
			memcpy(name, p, name_len);
			name[name_len] = '\0';
			if (strcasecmp(name, "all") == 0) {
				for (int i = 0; i < LOG_SUBSYS_COUNT; i++)
					levels[i] = level;
			} else {
				int sub = log_subsys_from_name(name);

				if (sub < 0)
					return -1;
				levels[sub] = level;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	memcpy(log_levels, levels, sizeof(levels));
	return 0;
}

/* Sets or removes one variable, leaving it alone when it already has that value. */
static void set_env(const char *name, const char *value)
{
	const char *current = getenv(name);

	if (!value || !value[0]) {
		if (current)
			unsetenv(name);
		return;
	}
	if (!current || strcmp(current, value) != 0)
		setenv(name, value, 1);
}

void log_export_env(void)
{
	char spec[LOG_SUBSYS_COUNT * 8];
	size_t n = 0;

	for (int i = 0; i < LOG_SUBSYS_COUNT; i++) {
		int k = snprintf(spec + n, sizeof(spec) - n, "%s%s=%d", i ? "," : "", subsys_names[i], log_levels[i]);

		if (k < 0 || (size_t)k >= sizeof(spec) - n)
			return;
		n += (size_t)k;
	}
	set_env(LOG_ENV_LEVELS, spec);
	set_env(LOG_ENV_SYSLOG, to_syslog ? syslog_ident : NULL);
	set_env(LOG_ENV_PROGRAM, program);
}

void log_import_env(void)
{
	const char *levels = getenv(LOG_ENV_LEVELS);
	const char *ident = getenv(LOG_ENV_SYSLOG);
	const char *name = getenv(LOG_ENV_PROGRAM);

	/* An invalid value changes nothing: log_parse_levels() applies all or none. */
	if (levels)
		(void)log_parse_levels(levels);
	if (name)
		log_set_program(name);
	if (ident && ident[0])
		log_use_syslog(ident);
}

/* A module's copy of the logger takes the settings of the host that loads it. */
__attribute__((constructor)) static void log_import_at_load(void)
{
	log_import_env();
}

static void emit(log_subsys subsys, int level, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void emit(log_subsys subsys, int level, const char *prefix, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	size_t n = 0;
	int k;

	if (!to_syslog && program[0]) {
		k = snprintf(line, sizeof(line), "%s: ", program);
		n = k > 0 ? (size_t)k : 0;
	}
	k = snprintf(line + n, sizeof(line) - n, "[%s] %s", log_subsys_name(subsys), prefix);
	if (k > 0)
		n += (size_t)k;
	if (n < sizeof(line)) {
		k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		if (k > 0)
			n += (size_t)k;
	}
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;

	if (to_syslog) {
		line[n] = '\0';
		syslog(level <= LOG_LEVEL_ERROR ? LOG_ERR : (level == LOG_LEVEL_INFO ? LOG_INFO : LOG_DEBUG),
		       "%s", line);
		return;
	}
	line[n++] = '\n';
	/* One write per line keeps lines whole when several threads log. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void log_printf(log_subsys subsys, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(subsys, level, "", fmt, ap);
	va_end(ap);
}

void log_conn_printf(log_subsys subsys, int level, unsigned long conn_id, const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "conn %lu: ", conn_id);
	va_start(ap, fmt);
	emit(subsys, level, prefix, fmt, ap);
	va_end(ap);
}

void log_hexdump(log_subsys subsys, const char *label, const void *data, size_t len)
{
	const uint8_t *p = data;

	if (!log_enabled(subsys, LOG_LEVEL_DUMP))
		return;
	log_printf(subsys, LOG_LEVEL_DUMP, "%s (%zu bytes)", label, len);
	for (size_t off = 0; off < len; off += 16) {
		char hex[16 * 3 + 1], text[17];
		size_t i;

		for (i = 0; i < 16 && off + i < len; i++) {
			snprintf(hex + 3 * i, 4, "%02x ", p[off + i]);
			text[i] = isprint(p[off + i]) ? (char)p[off + i] : '.';
		}
		hex[3 * i] = '\0';
		text[i] = '\0';
		log_printf(subsys, LOG_LEVEL_DUMP, "  %04zx: %-48s %s", off, hex, text);
	}
}

static size_t escaped_len(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;
}

char *log_escape(char *dst, size_t dst_size, const void *text, size_t len)
{
	const unsigned char *s = text;
	size_t total = 0, limit, n = 0;

	if (dst_size == 0)
		return dst;
	for (size_t i = 0; i < len && total < dst_size; i++)
		total += escaped_len(s[i]);

	/* When the text does not fit, keep room for "..." after the part that does. */
	limit = total < dst_size ? dst_size - 1 : (dst_size > 4 ? dst_size - 4 : 0);
	for (size_t i = 0; i < len; i++) {
		size_t k = escaped_len(s[i]);

		if (n + k > limit)
			break;
		if (k == 1)
			dst[n] = (char)s[i];
		else
			snprintf(dst + n, 5, "\\x%02x", s[i]);
		n += k;
	}
	if (total >= dst_size && dst_size > 4) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
	return dst;
}
