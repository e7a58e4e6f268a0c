/*
 * Logging with subsystem tags and a level per subsystem.
 *
 * Levels: 0 silent, 1 errors and service events (start, stop, verdicts),
 * 2 one line per protocol step, 3 debugging detail, 4 hex dumps of messages.
 * Each line carries the subsystem tag, e.g. "[TLS]", and goes to stderr or to
 * syslog. A line about a connection starts with "conn N:" (see log_conn).
 * Lines are written with one write(2) each, so threads do not interleave.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum log_subsys {
	LOG_SUBSYS_TNC,  /* PB-TNC and the IMC/IMV hosts */
	LOG_SUBSYS_IMC,
	LOG_SUBSYS_IMV,
	LOG_SUBSYS_PTS,  /* PTS protocol, event log, IMA, quote verification */
	LOG_SUBSYS_TLS,  /* PT-TLS and TLS */
	LOG_SUBSYS_TPM,
	LOG_SUBSYS_DB,
	LOG_SUBSYS_CFG,
	LOG_SUBSYS_PA,   /* PA-TNC codecs */
	LOG_SUBSYS_APP,  /* program-level messages */
	LOG_SUBSYS_COUNT
} log_subsys;

enum {
	LOG_LEVEL_SILENT = 0,
	LOG_LEVEL_ERROR = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
	LOG_LEVEL_DUMP = 4,
	LOG_LEVEL_DEFAULT = LOG_LEVEL_ERROR,
};

void log_set_level(log_subsys subsys, int level);
void log_set_level_all(int level);
int log_get_level(log_subsys subsys);
/* Sends lines to syslog under `ident` instead of stderr (ident NULL: back to stderr). */
void log_use_syslog(const char *ident);
/* Prefixes every line with the program name, e.g. "tnc-server". */
void log_set_program(const char *name);
/* The tag without brackets ("TLS"), and its inverse, case-insensitive (-1 if unknown). */
const char *log_subsys_name(log_subsys subsys);
int log_subsys_from_name(const char *name);

/*
 * Applies a level specification such as "2" or "tls=3,db=1" or "all=2,pts=4".
 * Returns 0, or -1 with nothing changed if the text is invalid.
 */
int log_parse_levels(const char *spec);

/*
 * Puts the log settings (levels, syslog ident, program name) into the
 * environment variables TNCSUITE_LOG_LEVELS, TNCSUITE_LOG_SYSLOG and
 * TNCSUITE_LOG_PROGRAM. A host calls it before it loads a module: every module
 * has its own copy of this logger, and applies these variables when it is
 * loaded (log_import_env() runs as a constructor). Call it only while no
 * other thread may read the environment; it leaves variables that already
 * hold the right value alone.
 */
void log_export_env(void);
/* Applies the settings log_export_env() put into the environment, if any. */
void log_import_env(void);

static inline bool log_enabled(log_subsys subsys, int level);
extern int log_levels[LOG_SUBSYS_COUNT];

static inline bool log_enabled(log_subsys subsys, int level)
{
	return level <= log_levels[subsys];
}

void log_printf(log_subsys subsys, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, with "conn N: " put before the message. */
void log_conn_printf(log_subsys subsys, int level, unsigned long conn_id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A hex dump at level 4, 16 bytes per line, headed by `label`. */
void log_hexdump(log_subsys subsys, const char *label, const void *data, size_t len);

/*
 * Copies untrusted text into dst for logging: printable ASCII stays, other
 * bytes become \xNN, and the result is cut to fit (ending in "..." if cut).
 * Returns dst.
 */
char *log_escape(char *dst, size_t dst_size, const void *text, size_t len);

#define log_error(subsys, ...) \
	do { if (log_enabled(subsys, LOG_LEVEL_ERROR)) log_printf(subsys, LOG_LEVEL_ERROR, __VA_ARGS__); } while (0)
#define log_info(subsys, ...) \
	do { if (log_enabled(subsys, LOG_LEVEL_INFO)) log_printf(subsys, LOG_LEVEL_INFO, __VA_ARGS__); } while (0)
#define log_debug(subsys, ...) \
	do { if (log_enabled(subsys, LOG_LEVEL_DEBUG)) log_printf(subsys, LOG_LEVEL_DEBUG, __VA_ARGS__); } while (0)
#define log_conn(subsys, level, conn_id, ...) \
	do { if (log_enabled(subsys, level)) log_conn_printf(subsys, level, conn_id, __VA_ARGS__); } while (0)

#endif
