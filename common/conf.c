#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "log.h"

/* Limits on what a configuration file may contain. */
#define CONF_FILE_MAX (1024 * 1024)
#define CONF_LINE_MAX 4096

typedef struct conf_entry {
	char *section;
	char *key;
	char *value;
	unsigned line;
} conf_entry;

struct conf {
	char *name;
	char *dir;        /* directory of the file, for relative paths */
	conf_entry *entries;
	size_t count;
	size_t cap;
};

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

const char *conf_default_path(void)
{
	const char *env = getenv("TNCSUITE_CONF");

	if (env && *env)
		return env;
	return SYSCONFDIR "/tncsuite/tncsuite.conf";
}

conf_t *conf_new_empty(void)
{
	conf_t *conf = calloc(1, sizeof(*conf));

	if (!conf)
		return NULL;
	conf->name = strdup("(defaults)");
	conf->dir = strdup(".");
	if (!conf->name || !conf->dir) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}

void conf_free(conf_t *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->count; i++) {
		free(conf->entries[i].section);
		free(conf->entries[i].key);
		free(conf->entries[i].value);
	}
	free(conf->entries);
	free(conf->name);
	free(conf->dir);
	free(conf);
}

const char *conf_name(const conf_t *conf)
{
	return conf->name;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int add_entry(conf_t *conf, const char *section, const char *key, const char *value,
		     unsigned line)
{
	conf_entry *e;

	if (conf->count == conf->cap) {
		size_t cap = conf->cap ? conf->cap * 2 : 16;
		conf_entry *p = realloc(conf->entries, cap * sizeof(*p));

		if (!p)
			return TS_E_NOMEM;
		conf->entries = p;
		conf->cap = cap;
	}
	e = &conf->entries[conf->count];
	e->section = strdup(section);
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = line;
	if (!e->section || !e->key || !e->value) {
		free(e->section);
		free(e->key);
		free(e->value);
		return TS_E_NOMEM;
	}
	conf->count++;
	return TS_OK;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.:/", *s))
			return false;
	return true;
}

/* Parses one line; section is updated in place when the line opens a section. */
static int parse_line(conf_t *conf, char *line, unsigned lineno, char *section, size_t section_size)
{
	char *s = trim(line), *eq, *key, *value;
	size_t n;

	if (*s == '\0' || *s == '#' || *s == ';')
		return TS_OK;

	if (*s == '[') {
		char *end = strchr(s, ']');

		if (!end || *trim(end + 1) != '\0') {
			log_error(LOG_SUBSYS_CFG, "%s:%u: invalid section header, expected [name]",
				  conf->name, lineno);
			return TS_E_CONFIG;
		}
		*end = '\0';
		s = trim(s + 1);
		if (!valid_name(s) || strlen(s) >= section_size) {
			log_error(LOG_SUBSYS_CFG, "%s:%u: invalid section name '%s'", conf->name, lineno, s);
			return TS_E_CONFIG;
		}
		strcpy(section, s);
		return TS_OK;
	}

	eq = strchr(s, '=');
	if (!eq) {
		log_error(LOG_SUBSYS_CFG, "%s:%u: expected 'key = value'", conf->name, lineno);
		return TS_E_CONFIG;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!valid_name(key)) {
		log_error(LOG_SUBSYS_CFG, "%s:%u: invalid key name '%s'", conf->name, lineno, key);
		return TS_E_CONFIG;
	}
	n = strlen(value);
	if (n > 0 && value[0] == '"') {
		if (n < 2 || value[n - 1] != '"') {
			log_error(LOG_SUBSYS_CFG, "%s:%u: key '%s': missing closing quote",
				  conf->name, lineno, key);
			return TS_E_CONFIG;
		}
		value[n - 1] = '\0';
		value++;
	}
	return add_entry(conf, section, key, value, lineno);
}

int conf_parse(const char *name, const char *text, size_t len, conf_t **out)
{
	char section[128] = "";
	char line[CONF_LINE_MAX];
	conf_t *conf;
	const char *slash;
	unsigned lineno = 0;
	size_t pos = 0;
	int rc = TS_OK;

	conf = calloc(1, sizeof(*conf));
	if (!conf)
		return TS_E_NOMEM;
	conf->name = strdup(name);
	slash = strrchr(name, '/');
	conf->dir = slash ? strndup(name, (size_t)(slash - name) + (slash == name)) : strdup(".");
	if (!conf->name || !conf->dir) {
		rc = TS_E_NOMEM;
		goto out;
	}

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		if (n >= sizeof(line)) {
			log_error(LOG_SUBSYS_CFG, "%s:%u: line longer than %d bytes", name, lineno,
				  CONF_LINE_MAX - 1);
			rc = TS_E_CONFIG;
			goto out;
		}
		if (memchr(text + pos, '\0', n)) {
			log_error(LOG_SUBSYS_CFG, "%s:%u: NUL byte in line", name, lineno);
			rc = TS_E_CONFIG;
			goto out;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		rc = parse_line(conf, line, lineno, section, sizeof(section));
		if (rc != TS_OK)
			goto out;
		pos += n + (nl ? 1 : 0);
	}

	*out = conf;
	conf = NULL;
out:
	conf_free(conf);
	return rc;
}

int conf_load(const char *path, conf_t **out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (!f) {
		int err = errno;

		/* A missing file is often fine (defaults apply); the caller decides and logs. */
		if (err == ENOENT) {
			log_debug(LOG_SUBSYS_CFG, "no configuration file %s", path);
			return TS_E_NOT_FOUND;
		}
		log_error(LOG_SUBSYS_CFG, "cannot open configuration file %s: %s", path, strerror(err));
		return TS_E_IO;
	}
	text = malloc(CONF_FILE_MAX + 1);
	if (!text) {
		fclose(f);
		return TS_E_NOMEM;
	}
	len = fread(text, 1, CONF_FILE_MAX + 1, f);
	if (ferror(f)) {
		log_error(LOG_SUBSYS_CFG, "cannot read configuration file %s", path);
		rc = TS_E_IO;
	} else if (len > CONF_FILE_MAX) {
		log_error(LOG_SUBSYS_CFG, "configuration file %s is larger than %d bytes", path,
			  CONF_FILE_MAX);
		rc = TS_E_TOO_LARGE;
	} else {
		rc = conf_parse(path, text, len, out);
	}
	fclose(f);
	free(text);
	return rc;
}

/* The last entry for section/key, so a repeated key keeps its last value. */
static const conf_entry *find(const conf_t *conf, const char *section, const char *key)
{
	if (!conf)
		return NULL;
	for (size_t i = conf->count; i > 0; i--) {
		const conf_entry *e = &conf->entries[i - 1];

		if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

bool conf_has_section(const conf_t *conf, const char *section)
{
	if (!conf)
		return false;
	for (size_t i = 0; i < conf->count; i++)
		if (strcmp(conf->entries[i].section, section) == 0)
			return true;
	return false;
}

const char *conf_get_str(const conf_t *conf, const char *section, const char *key, const char *def)
{
	const conf_entry *e = find(conf, section, key);

	return e ? e->value : def;
}

static int invalid(const conf_t *conf, const conf_entry *e, const char *expected)
{
	log_error(LOG_SUBSYS_CFG, "%s:%u: [%s] %s = '%s': %s", conf->name, e->line, e->section,
		  e->key, e->value, expected);
	return TS_E_CONFIG;
}

int conf_get_int(const conf_t *conf, const char *section, const char *key, long long def,
		 long long min, long long max, long long *out)
{
	const conf_entry *e = find(conf, section, key);
	char *end;
	long long v;

	if (!e) {
		*out = def;
		return TS_OK;
	}
	errno = 0;
	v = strtoll(e->value, &end, 0);
	if (errno || end == e->value || *end != '\0')
		return invalid(conf, e, "expected an integer");
	if (v < min || v > max) {
		char msg[96];

		snprintf(msg, sizeof(msg), "expected an integer from %lld to %lld", min, max);
		return invalid(conf, e, msg);
	}
	*out = v;
	return TS_OK;
}

int conf_get_bool(const conf_t *conf, const char *section, const char *key, bool def, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	const conf_entry *e = find(conf, section, key);

	if (!e) {
		*out = def;
		return TS_OK;
	}
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(e->value, yes[i]) == 0) {
			*out = true;
			return TS_OK;
		}
		if (strcasecmp(e->value, no[i]) == 0) {
			*out = false;
			return TS_OK;
		}
	}
	return invalid(conf, e, "expected yes or no");
}

int conf_get_size(const conf_t *conf, const char *section, const char *key, uint64_t def,
		  uint64_t max, uint64_t *out)
{
	static const struct { const char *suffix; unsigned shift; } units[] = {
		{ "", 0 }, { "B", 0 },
		{ "K", 10 }, { "KiB", 10 }, { "M", 20 }, { "MiB", 20 }, { "G", 30 }, { "GiB", 30 },
	};
	const conf_entry *e = find(conf, section, key);
	unsigned long long v;
	char *end;

	if (!e) {
		*out = def;
		return TS_OK;
	}
	if (!isdigit((unsigned char)e->value[0]))
		return invalid(conf, e, "expected a size such as 4096, 64K or 2M");
	errno = 0;
	v = strtoull(e->value, &end, 10);
	if (errno)
		return invalid(conf, e, "size out of range");
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) != 0)
			continue;
		if (v > (UINT64_MAX >> units[i].shift) || (v << units[i].shift) > max) {
			char msg[96];

			snprintf(msg, sizeof(msg), "size above the maximum of %llu bytes",
				 (unsigned long long)max);
			return invalid(conf, e, msg);
		}
		*out = (uint64_t)v << units[i].shift;
		return TS_OK;
	}
	return invalid(conf, e, "unknown size unit, expected K, M or G");
}

int conf_get_path(const conf_t *conf, const char *section, const char *key, const char *def,
		  char **out)
{
	const conf_entry *e = find(conf, section, key);
	const char *value = e ? e->value : def;
	char *path;

	if (!value) {
		*out = NULL;
		return TS_OK;
	}
	if (e && *value == '\0')
		return invalid(conf, e, "expected a path");
	if (value[0] == '/' || !e) {
		path = strdup(value);
	} else {
		size_t n = strlen(conf->dir) + 1 + strlen(value) + 1;

		path = malloc(n);
		if (path)
			snprintf(path, n, "%s/%s", conf->dir, value);
	}
	if (!path)
		return TS_E_NOMEM;
	*out = path;
	return TS_OK;
}

int conf_warn_unknown(const conf_t *conf, const char *section, const char *const *known)
{
	int unknown = 0;

	if (!conf)
		return 0;
	for (size_t i = 0; i < conf->count; i++) {
		const conf_entry *e = &conf->entries[i];
		bool found = false;

		if (strcmp(e->section, section) != 0)
			continue;
		for (const char *const *k = known; *k; k++)
			if (strcmp(*k, e->key) == 0)
				found = true;
		if (!found) {
			log_error(LOG_SUBSYS_CFG, "%s:%u: [%s] unknown key '%s'", conf->name, e->line,
				  section, e->key);
			unknown++;
		}
	}
	return unknown;
}
