/*
 * The checks behind imv-os's workitems, independent of IF-IMV:
 *
 *   PCKGS  each installed package is looked up in config.db's versions of
 *          the session's product. A version marked blacklist is
 *          non-compliant (major); a version older than the newest version
 *          marked security, by Debian's version ordering, is non-compliant
 *          (minor). Packages config.db does not know are counted only.
 *   FWDEN  IP forwarding enabled is non-compliant (major).
 *   PWDEN  a factory default password enabled is non-compliant (major).
 *
 * Each check yields an evaluation (PM_EVAL_*), a result text for
 * workitems.result and, when not compliant, a remediation text.
 */
#ifndef IMV_OS_EVAL_H
#define IMV_OS_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db.h"
#include "policy_manager.h"
#include "ts_error.h"

/* Maximum number of versions rows of one product that PCKGS loads. */
#define IMV_OS_MAX_VERSIONS 1000000
/* Maximum number of packages named in one result text; the rest are only counted. */
#define IMV_OS_MAX_LISTED 20
#define IMV_OS_MAX_TEXT 2048

/*
 * Compares two Debian package versions ([epoch:]upstream[-revision]) by the
 * rules of Debian Policy section 5.6.12: returns <0, 0 or >0.
 */
int imv_os_version_compare(const char *a, const char *b);

/* Returns whether len octets of s are valid UTF-8 without control characters (U+0000-U+001F, U+007F-U+009F). */
bool imv_os_text_ok(const uint8_t *s, size_t len);

/* The security and blacklist versions of one product, sorted by package name. */
typedef struct imv_os_pkgdb imv_os_pkgdb;

/*
 * Loads the versions rows of product that have a release and are marked
 * security or blacklist. TS_E_TOO_LARGE past IMV_OS_MAX_VERSIONS rows.
 */
TS_MUST_CHECK int imv_os_pkgdb_load(db_t *db, int64_t product, imv_os_pkgdb **out);
void imv_os_pkgdb_free(imv_os_pkgdb *pkgdb);
size_t imv_os_pkgdb_count(const imv_os_pkgdb *pkgdb);

/* The running PCKGS check over every Installed Packages attribute of a session. */
typedef struct imv_os_pkg_check {
	size_t checked;
	size_t unknown;      /* packages config.db has no security or blacklist entry for */
	size_t blacklisted;
	size_t outdated;     /* older than the newest security version */
	char blacklisted_list[IMV_OS_MAX_TEXT];
	char outdated_list[IMV_OS_MAX_TEXT];
} imv_os_pkg_check;

void imv_os_pkg_check_init(imv_os_pkg_check *check);

/* Checks one installed package (name and version are not NUL-terminated). */
void imv_os_pkg_check_add(imv_os_pkg_check *check, const imv_os_pkgdb *pkgdb, const uint8_t *name,
			  size_t name_len, const uint8_t *version, size_t version_len);

/*
 * Writes the result text and the remediation text (empty when compliant)
 * and returns the evaluation: PM_EVAL_NONCOMPLIANT_MAJOR with blacklisted
 * packages, PM_EVAL_NONCOMPLIANT_MINOR with outdated ones only, else
 * PM_EVAL_COMPLIANT.
 */
int imv_os_pkg_check_finish(const imv_os_pkg_check *check, char *result, size_t result_size,
			    char *remediation, size_t remediation_size);

/* Evaluates FWDEN for a Forwarding Enabled value (IETF_FORWARDING_*). */
int imv_os_eval_forwarding(uint32_t status, char *result, size_t result_size, char *remediation,
			   size_t remediation_size);

/* Evaluates PWDEN for a Factory Default Password Enabled value. */
int imv_os_eval_default_password(uint32_t enabled, char *result, size_t result_size, char *remediation,
				 size_t remediation_size);

#endif
