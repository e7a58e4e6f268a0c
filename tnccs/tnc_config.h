/*
 * The tnc_config file: which IMCs a TNC client and which IMVs a TNC server
 * load (TCG TNC IF-IMC/IF-IMV Unix platform binding, default /etc/tnc_config).
 *
 *   # comment (the first non-blank character is '#')
 *   IMC "OS"          /usr/lib/tncsuite/imc-os.so
 *   IMV "Attestation" /usr/lib/tncsuite/imv-attestation.so
 *
 * One entry per line: the keyword IMC or IMV, the module name in double
 * quotes (not empty, without '"'), and the absolute path of the shared
 * library, separated by blanks. Empty lines are ignored. Anything else,
 * including text after the path, is an error that names the file and the line,
 * because the file is small and written by hand, and a silently skipped line
 * leaves an endpoint or a gateway without a module. Paths cannot contain
 * blanks; strongSwan's parser ends a path at the first blank as well.
 */
#ifndef TNC_CONFIG_H
#define TNC_CONFIG_H

#include <stddef.h>

#include "ts_error.h"

#define TNC_CONFIG_DEFAULT_PATH "/etc/tnc_config"

/* Limits on one file; the defaults are far above any real deployment. */
#define TNC_CONFIG_MAX_ENTRIES   64
#define TNC_CONFIG_MAX_LINE      4096
#define TNC_CONFIG_MAX_NAME      128
#define TNC_CONFIG_MAX_FILE_SIZE (1024 * 1024)

typedef enum tnc_config_kind {
	TNC_CONFIG_IMC,
	TNC_CONFIG_IMV,
} tnc_config_kind;

typedef struct tnc_config_entry {
	tnc_config_kind kind;
	char *name;
	char *path;
	unsigned line;  /* line number in the file, from 1 */
} tnc_config_entry;

typedef struct tnc_config {
	char *file;  /* the name used in error messages */
	tnc_config_entry *entries;
	size_t count;
} tnc_config_t;

/*
 * Reads and parses the file at path. A missing or unreadable file returns
 * TS_E_NOT_FOUND or TS_E_IO, a syntax error TS_E_CONFIG. The error is logged
 * ([CFG]) and, when err is not NULL, also written into err as one line that
 * starts with "FILE:LINE: ".
 */
TS_MUST_CHECK int tnc_config_load(const char *path, tnc_config_t **out, char *err,
				  size_t err_size);

/* Parses text held in memory; `name` stands for the file in messages. */
TS_MUST_CHECK int tnc_config_parse(const char *name, const char *text, size_t len,
				   tnc_config_t **out, char *err, size_t err_size);

void tnc_config_free(tnc_config_t *config);

/* "IMC" or "IMV". */
const char *tnc_config_kind_name(tnc_config_kind kind);

#endif
