/*
 * INI-style configuration files.
 *
 *   # comment            ; comment
 *   [section]
 *   key = value          (a value may be quoted: key = "two words")
 *
 * Keys before the first section belong to the section "". A key given twice
 * in a section keeps its last value. Getters return the default when a key is
 * absent and log an error naming file, line and key when a value is invalid.
 */
#ifndef CONF_H
#define CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ts_error.h"

typedef struct conf conf_t;

/* The configuration path: $TNCSUITE_CONF if set, else the installed default. */
const char *conf_default_path(void);

/*
 * Parses the file at path into *out. A syntax error is logged with file and
 * line and returns TS_E_CONFIG; a missing file returns TS_E_NOT_FOUND without
 * an error line, so a caller that needs the file logs that itself.
 */
TS_MUST_CHECK int conf_load(const char *path, conf_t **out);
/* Parses text held in memory; `name` stands for the file name in messages. */
TS_MUST_CHECK int conf_parse(const char *name, const char *text, size_t len, conf_t **out);
/* An empty configuration, where every getter returns its default. */
conf_t *conf_new_empty(void);
void conf_free(conf_t *conf);

/* The file name given to conf_load or conf_parse. */
const char *conf_name(const conf_t *conf);

/* Whether the section exists at all. */
bool conf_has_section(const conf_t *conf, const char *section);

/* The raw value, or def when the key is absent. The string lives as long as conf. */
const char *conf_get_str(const conf_t *conf, const char *section, const char *key, const char *def);

/* An integer in [min, max]; decimal, or hexadecimal with 0x. */
TS_MUST_CHECK int conf_get_int(const conf_t *conf, const char *section, const char *key,
			       long long def, long long min, long long max, long long *out);

/* yes/no, true/false, on/off, 1/0 (case-insensitive). */
TS_MUST_CHECK int conf_get_bool(const conf_t *conf, const char *section, const char *key,
				bool def, bool *out);

/* A byte count with an optional suffix: K, M, G (powers of 1024), also KiB, MiB, GiB. */
TS_MUST_CHECK int conf_get_size(const conf_t *conf, const char *section, const char *key,
				uint64_t def, uint64_t max, uint64_t *out);

/*
 * A path; a relative value is taken relative to the directory of the
 * configuration file. *out is malloc()ed (NULL if the key is absent and def
 * is NULL); the caller frees it.
 */
TS_MUST_CHECK int conf_get_path(const conf_t *conf, const char *section, const char *key,
				const char *def, char **out);

/*
 * Logs every key of `section` that is not in the NULL-terminated list
 * `known`, to catch misspelt keys. Returns how many it found.
 */
int conf_warn_unknown(const conf_t *conf, const char *section, const char *const *known);

#endif
