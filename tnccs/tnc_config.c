#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "tnc_config.h"

const char *tnc_config_kind_name(tnc_config_kind kind)
{
	return kind == TNC_CONFIG_IMC ? "IMC" : "IMV";
}

void tnc_config_free(tnc_config_t *config)
{
	if (!config)
		return;
	for (size_t i = 0; i < config->count; i++) {
		free(config->entries[i].name);
		free(config->entries[i].path);
	}
	free(config->entries);
	free(config->file);
	free(config);
}

/* Logs the error and copies it into err (if any); returns TS_E_CONFIG. */
__attribute__((format(printf, 5, 6)))
static int syntax_error(const char *file, unsigned line, char *err, size_t err_size,
			const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line == 0) {
		log_error(LOG_SUBSYS_CFG, "%s: %s", file, msg);
		if (err && err_size)
			snprintf(err, err_size, "%s: %s", file, msg);
	} else {
		log_error(LOG_SUBSYS_CFG, "%s:%u: %s", file, line, msg);
		if (err && err_size)
			snprintf(err, err_size, "%s:%u: %s", file, line, msg);
	}
	return TS_E_CONFIG;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Parses one line that is neither empty nor a comment into *entry.
 * `p` points at its first non-blank character; the line ends at `end`.
 */
static int parse_entry(const char *file, unsigned lineno, const char *p, const char *end,
		       tnc_config_entry *entry, char *err, size_t err_size)
{
	const char *name, *name_end, *path, *path_end, *keyword = p;
	char shown[64];

	/* Keyword. */
	while (p < end && !is_blank(*p))
		p++;
	if (p - keyword == 3 && memcmp(keyword, "IMC", 3) == 0)
		entry->kind = TNC_CONFIG_IMC;
	else if (p - keyword == 3 && memcmp(keyword, "IMV", 3) == 0)
		entry->kind = TNC_CONFIG_IMV;
	else
		return syntax_error(file, lineno, err, err_size,
				    "unknown keyword '%s', expected IMC or IMV",
				    log_escape(shown, sizeof(shown), keyword, (size_t)(p - keyword)));
	while (p < end && is_blank(*p))
		p++;

	/* Quoted name. */
	if (p == end || *p != '"')
		return syntax_error(file, lineno, err, err_size,
				    "expected the module name in double quotes");
	name = ++p;
	name_end = memchr(name, '"', (size_t)(end - name));
	if (!name_end)
		return syntax_error(file, lineno, err, err_size,
				    "missing closing '\"' after the module name");
	if (name_end == name)
		return syntax_error(file, lineno, err, err_size, "empty module name");
	if (name_end - name > TNC_CONFIG_MAX_NAME)
		return syntax_error(file, lineno, err, err_size,
				    "module name longer than %d characters", TNC_CONFIG_MAX_NAME);
	for (const char *c = name; c < name_end; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return syntax_error(file, lineno, err, err_size,
					    "control character in the module name");
	p = name_end + 1;

	/* Path: absolute, up to the next blank. */
	if (p == end || !is_blank(*p))
		return syntax_error(file, lineno, err, err_size,
				    "expected a blank and the library path after the name");
	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return syntax_error(file, lineno, err, err_size, "missing library path");
	path = p;
	while (p < end && !is_blank(*p))
		p++;
	path_end = p;
	if (*path != '/')
		return syntax_error(file, lineno, err, err_size,
				    "library path '%s' is not absolute",
				    log_escape(shown, sizeof(shown), path, (size_t)(path_end - path)));
	while (p < end && is_blank(*p))
		p++;
	if (p != end)
		return syntax_error(file, lineno, err, err_size,
				    "unexpected text '%s' after the library path (paths cannot contain blanks)",
				    log_escape(shown, sizeof(shown), p, (size_t)(end - p)));

	entry->name = strndup(name, (size_t)(name_end - name));
	entry->path = strndup(path, (size_t)(path_end - path));
	entry->line = lineno;
	if (!entry->name || !entry->path) {
		free(entry->name);
		free(entry->path);
		entry->name = entry->path = NULL;
		return TS_E_NOMEM;
	}
	return TS_OK;
}

static bool duplicate_name(const tnc_config_t *config, const tnc_config_entry *entry)
{
	for (size_t i = 0; i < config->count; i++)
		if (config->entries[i].kind == entry->kind &&
		    strcmp(config->entries[i].name, entry->name) == 0)
			return true;
	return false;
}

int tnc_config_parse(const char *name, const char *text, size_t len, tnc_config_t **out,
		     char *err, size_t err_size)
{
	tnc_config_t *config;
	const char *p = text, *text_end = text + len;
	unsigned lineno = 0;
	int rc = TS_E_NOMEM;

	config = calloc(1, sizeof(*config));
	if (!config)
		return TS_E_NOMEM;
	config->file = strdup(name);
	config->entries = calloc(TNC_CONFIG_MAX_ENTRIES, sizeof(*config->entries));
	if (!config->file || !config->entries)
		goto out;

	while (p < text_end) {
		const char *nl = memchr(p, '\n', (size_t)(text_end - p));
		const char *line_end = nl ? nl : text_end;
		const char *next = nl ? nl + 1 : text_end;
		tnc_config_entry entry = { 0 };

		lineno++;
		if (line_end - p > TNC_CONFIG_MAX_LINE) {
			rc = syntax_error(name, lineno, err, err_size,
					  "line longer than %d characters", TNC_CONFIG_MAX_LINE);
			goto out;
		}
		if (memchr(p, '\0', (size_t)(line_end - p))) {
			rc = syntax_error(name, lineno, err, err_size, "NUL character in the line");
			goto out;
		}
		/* Tolerate CRLF line ends and trailing blanks. */
		while (line_end > p && (line_end[-1] == '\r' || is_blank(line_end[-1])))
			line_end--;
		while (p < line_end && is_blank(*p))
			p++;
		if (p == line_end || *p == '#') {
			p = next;
			continue;
		}

		rc = parse_entry(name, lineno, p, line_end, &entry, err, err_size);
		if (rc != TS_OK)
			goto out;
		if (duplicate_name(config, &entry)) {
			rc = syntax_error(name, lineno, err, err_size, "%s \"%s\" is listed twice",
					  tnc_config_kind_name(entry.kind), entry.name);
			free(entry.name);
			free(entry.path);
			goto out;
		}
		if (config->count == TNC_CONFIG_MAX_ENTRIES) {
			rc = syntax_error(name, lineno, err, err_size,
					  "more than %d modules listed", TNC_CONFIG_MAX_ENTRIES);
			free(entry.name);
			free(entry.path);
			goto out;
		}
		config->entries[config->count++] = entry;
		p = next;
	}

	*out = config;
	config = NULL;
	rc = TS_OK;
out:
	tnc_config_free(config);
	return rc;
}

int tnc_config_load(const char *path, tnc_config_t **out, char *err, size_t err_size)
{
	FILE *f;
	char *text = NULL;
	struct stat st;
	size_t len;
	int rc;

	f = fopen(path, "r");
	if (!f) {
		int saved = errno;

		rc = saved == ENOENT ? TS_E_NOT_FOUND : TS_E_IO;
		log_error(LOG_SUBSYS_CFG, "cannot open %s: %s", path, strerror(saved));
		if (err && err_size)
			snprintf(err, err_size, "%s: %s", path, strerror(saved));
		return rc;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = syntax_error(path, 0, err, err_size, "not a regular file");
		goto out;
	}
	if (st.st_size > TNC_CONFIG_MAX_FILE_SIZE) {
		rc = syntax_error(path, 0, err, err_size, "file larger than %d bytes",
				  TNC_CONFIG_MAX_FILE_SIZE);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		rc = TS_E_NOMEM;
		goto out;
	}
	len = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		log_error(LOG_SUBSYS_CFG, "cannot read %s", path);
		if (err && err_size)
			snprintf(err, err_size, "%s: read error", path);
		rc = TS_E_IO;
		goto out;
	}
	rc = tnc_config_parse(path, text, len, out, err, err_size);
out:
	free(text);
	fclose(f);
	return rc;
}
