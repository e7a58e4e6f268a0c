#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imv_os_eval.h"
#include "log.h"
#include "pa/ietf_factory_default_pwd.h"
#include "pa/ietf_forwarding_enabled.h"
#include "reader.h"
#include "tncifimv.h"

/* --- Debian version ordering ------------------------------------------------ */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Sort weight of a character in the non-digit part of a version. '~' sorts
 * before everything, even before the end of the part, and letters sort
 * before all other characters. Digits and the end weigh 0.
 */
static int char_order(const char *p, const char *end)
{
	if (p >= end || is_digit(*p))
		return 0;
	if (*p == '~')
		return -1;
	if (isalpha((unsigned char)*p))
		return (unsigned char)*p;
	return (unsigned char)*p + 256;
}

/* Compares an upstream version or a Debian revision: non-digit and digit runs in turn. */
static int compare_fragment(const char *a, const char *a_end, const char *b, const char *b_end)
{
	while (a < a_end || b < b_end) {
		int first_diff = 0;

		while ((a < a_end && !is_digit(*a)) || (b < b_end && !is_digit(*b))) {
			int ca = char_order(a, a_end), cb = char_order(b, b_end);

			if (ca != cb)
				return ca - cb;
			a++;
			b++;
		}

		/* Digit runs compare as numbers: leading zeros do not count, a longer run is larger. */
		while (a < a_end && *a == '0')
			a++;
		while (b < b_end && *b == '0')
			b++;
		while (a < a_end && is_digit(*a) && b < b_end && is_digit(*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < a_end && is_digit(*a))
			return 1;
		if (b < b_end && is_digit(*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

typedef struct version_parts {
	unsigned long long epoch;
	const char *upstream, *upstream_end;
	const char *revision, *revision_end;
} version_parts;

static void split_version(const char *v, version_parts *p)
{
	const char *colon = strchr(v, ':');
	const char *end = v + strlen(v);
	const char *dash;

	p->epoch = 0;
	p->upstream = v;
	if (colon && colon > v && strspn(v, "0123456789") == (size_t)(colon - v)) {
		p->epoch = strtoull(v, NULL, 10);
		p->upstream = colon + 1;
	}
	/* The revision follows the last hyphen; without one it is empty. */
	dash = strrchr(p->upstream, '-');
	p->upstream_end = dash ? dash : end;
	p->revision = dash ? dash + 1 : end;
	p->revision_end = end;
}

int imv_os_version_compare(const char *a, const char *b)
{
	version_parts pa, pb;
	int rc;

	split_version(a, &pa);
	split_version(b, &pb);
	if (pa.epoch != pb.epoch)
		return pa.epoch < pb.epoch ? -1 : 1;
	rc = compare_fragment(pa.upstream, pa.upstream_end, pb.upstream, pb.upstream_end);
	if (rc)
		return rc;
	return compare_fragment(pa.revision, pa.revision_end, pb.revision, pb.revision_end);
}

/* --- text checks -------------------------------------------------------------- */

bool imv_os_text_ok(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		size_t n;
		uint8_t lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7F)
				return false;
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 4;
		else
			return false;
		/* The second octet rules out overlong forms, surrogates and code points past U+10FFFF. */
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		else if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k < n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return false;
		/* C1 controls U+0080-U+009F. */
		if (c == 0xC2 && s[i + 1] < 0xA0)
			return false;
		i += n;
	}
	return true;
}

/* --- package versions of a product -------------------------------------------- */

typedef struct pkg_version {
	char *name;
	char *release;
	bool security;
	bool blacklist;
} pkg_version;

struct imv_os_pkgdb {
	size_t count;
	pkg_version *rows;
};

static int compare_rows(const void *a, const void *b)
{
	return strcmp(((const pkg_version *)a)->name, ((const pkg_version *)b)->name);
}

void imv_os_pkgdb_free(imv_os_pkgdb *pkgdb)
{
	if (!pkgdb)
		return;
	for (size_t i = 0; i < pkgdb->count; i++) {
		free(pkgdb->rows[i].name);
		free(pkgdb->rows[i].release);
	}
	free(pkgdb->rows);
	free(pkgdb);
}

size_t imv_os_pkgdb_count(const imv_os_pkgdb *pkgdb)
{
	return pkgdb ? pkgdb->count : 0;
}

int imv_os_pkgdb_load(db_t *db, int64_t product, imv_os_pkgdb **out)
{
	imv_os_pkgdb *pkgdb = calloc(1, sizeof(*pkgdb));
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0;
	bool row = false;
	int rc;

	if (!pkgdb)
		return TS_E_NOMEM;
	rc = db_stmt(db, "SELECT p.name, v.release, v.security, v.blacklist FROM versions AS v "
			"JOIN packages AS p ON p.id = v.package WHERE v.product = ? AND v.release IS NOT NULL "
			"AND (v.security != 0 OR v.blacklist != 0)", &stmt);
	if (rc != TS_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, product);
	while ((rc = db_step(db, stmt, &row)) == TS_OK && row) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);
		const char *release = (const char *)sqlite3_column_text(stmt, 1);
		pkg_version *r;

		if (!name || !release)
			continue;
		if (pkgdb->count == IMV_OS_MAX_VERSIONS) {
			log_error(LOG_SUBSYS_IMV, "product %lld has more than %d security or blacklist versions",
				  (long long)product, IMV_OS_MAX_VERSIONS);
			rc = TS_E_TOO_LARGE;
			break;
		}
		if (pkgdb->count == cap) {
			size_t next = cap ? cap * 2 : 256;
			pkg_version *grown = realloc(pkgdb->rows, next * sizeof(*grown));

			if (!grown) {
				rc = TS_E_NOMEM;
				break;
			}
			pkgdb->rows = grown;
			cap = next;
		}
		r = &pkgdb->rows[pkgdb->count];
		r->name = strdup(name);
		r->release = strdup(release);
		r->security = sqlite3_column_int(stmt, 2) != 0;
		r->blacklist = sqlite3_column_int(stmt, 3) != 0;
		pkgdb->count++;
		if (!r->name || !r->release) {
			rc = TS_E_NOMEM;
			break;
		}
	}
	db_stmt_done(db, stmt);
out:
	if (rc != TS_OK) {
		imv_os_pkgdb_free(pkgdb);
		return rc;
	}
	if (pkgdb->count)
		qsort(pkgdb->rows, pkgdb->count, sizeof(*pkgdb->rows), compare_rows);
	*out = pkgdb;
	return TS_OK;
}

/* Index of the first row named name, or pkgdb->count if there is none. */
static size_t find_first(const imv_os_pkgdb *pkgdb, const char *name)
{
	size_t lo = 0, hi = pkgdb->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(pkgdb->rows[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pkgdb->count && strcmp(pkgdb->rows[lo].name, name) == 0 ? lo : pkgdb->count;
}

/* --- PCKGS ---------------------------------------------------------------------- */

void imv_os_pkg_check_init(imv_os_pkg_check *check)
{
	memset(check, 0, sizeof(*check));
}

/* Appends one entry to a list of at most IMV_OS_MAX_LISTED entries. */
static void list_append(char *list, size_t size, size_t index, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void list_append(char *list, size_t size, size_t index, const char *fmt, ...)
{
	size_t used = strlen(list);
	va_list ap;

	if (index >= IMV_OS_MAX_LISTED || used + 2 >= size)
		return;
	if (index > 0)
		used += (size_t)snprintf(list + used, size - used, ", ");
	va_start(ap, fmt);
	vsnprintf(list + used, size - used, fmt, ap);
	va_end(ap);
}

void imv_os_pkg_check_add(imv_os_pkg_check *check, const imv_os_pkgdb *pkgdb, const uint8_t *name,
			  size_t name_len, const uint8_t *version, size_t version_len)
{
	char n[256], v[256];
	const char *newest = NULL;
	bool blacklisted = false, known = false;

	check->checked++;
	if (name_len >= sizeof(n) || version_len >= sizeof(v) || !imv_os_text_ok(name, name_len) ||
	    !imv_os_text_ok(version, version_len)) {
		check->unknown++;
		return;
	}
	memcpy(n, name, name_len);
	n[name_len] = '\0';
	memcpy(v, version, version_len);
	v[version_len] = '\0';

	for (size_t i = pkgdb ? find_first(pkgdb, n) : 0; pkgdb && i < pkgdb->count; i++) {
		const pkg_version *r = &pkgdb->rows[i];

		if (strcmp(r->name, n) != 0)
			break;
		known = true;
		if (r->blacklist && strcmp(r->release, v) == 0)
			blacklisted = true;
		if (r->security && (!newest || imv_os_version_compare(r->release, newest) > 0))
			newest = r->release;
	}

	if (!known) {
		check->unknown++;
	} else if (blacklisted) {
		list_append(check->blacklisted_list, sizeof(check->blacklisted_list), check->blacklisted,
			    "%s %s", n, v);
		check->blacklisted++;
	} else if (newest && imv_os_version_compare(v, newest) < 0) {
		list_append(check->outdated_list, sizeof(check->outdated_list), check->outdated,
			    "%s %s (security version %s)", n, v, newest);
		check->outdated++;
	}
}

/* Writes the list, followed by "and N more" when entries were left out. */
static void list_format(char *out, size_t size, const char *list, size_t count)
{
	if (count > IMV_OS_MAX_LISTED)
		snprintf(out, size, "%s and %zu more", list, count - IMV_OS_MAX_LISTED);
	else
		snprintf(out, size, "%s", list);
}

int imv_os_pkg_check_finish(const imv_os_pkg_check *check, char *result, size_t result_size,
			    char *remediation, size_t remediation_size)
{
	char blacklisted[IMV_OS_MAX_TEXT + 32], outdated[IMV_OS_MAX_TEXT + 32];
	size_t used;

	if (!check->blacklisted && !check->outdated) {
		snprintf(result, result_size, "%zu packages checked, none blacklisted or outdated "
			 "(%zu without security or blacklist versions)", check->checked, check->unknown);
		snprintf(remediation, remediation_size, "%s", "");
		return PM_EVAL_COMPLIANT;
	}

	list_format(blacklisted, sizeof(blacklisted), check->blacklisted_list, check->blacklisted);
	list_format(outdated, sizeof(outdated), check->outdated_list, check->outdated);
	used = (size_t)snprintf(result, result_size, "%zu packages checked", check->checked);
	if (check->blacklisted && used < result_size)
		used += (size_t)snprintf(result + used, result_size - used, ", %zu blacklisted: %s",
					 check->blacklisted, blacklisted);
	if (check->outdated && used < result_size)
		snprintf(result + used, result_size - used, ", %zu with security updates: %s", check->outdated,
			 outdated);

	used = 0;
	remediation[0] = '\0';
	if (check->blacklisted)
		used = (size_t)snprintf(remediation, remediation_size, "Remove the blacklisted packages %s.",
					blacklisted);
	if (check->outdated && used < remediation_size)
		snprintf(remediation + used, remediation_size - used, "%sInstall the security updates of %s.",
			 used ? " " : "", outdated);
	return check->blacklisted ? PM_EVAL_NONCOMPLIANT_MAJOR : PM_EVAL_NONCOMPLIANT_MINOR;
}

/* --- FWDEN, PWDEN ------------------------------------------------------------------ */

int imv_os_eval_forwarding(uint32_t status, char *result, size_t result_size, char *remediation,
			   size_t remediation_size)
{
	remediation[0] = '\0';
	switch (status) {
	case IETF_FORWARDING_DISABLED:
		snprintf(result, result_size, "IP forwarding is disabled");
		return PM_EVAL_COMPLIANT;
	case IETF_FORWARDING_ENABLED:
		snprintf(result, result_size, "IP forwarding is enabled");
		snprintf(remediation, remediation_size, "Disable IP forwarding (sysctl net.ipv4.ip_forward=0 "
			 "and net.ipv6.conf.all.forwarding=0).");
		return PM_EVAL_NONCOMPLIANT_MAJOR;
	default:
		snprintf(result, result_size, "the client does not know whether IP forwarding is enabled");
		return PM_EVAL_DONT_KNOW;
	}
}

int imv_os_eval_default_password(uint32_t enabled, char *result, size_t result_size, char *remediation,
				 size_t remediation_size)
{
	remediation[0] = '\0';
	switch (enabled) {
	case IETF_FACTORY_DEFAULT_PWD_DISABLED:
		snprintf(result, result_size, "no factory default password is enabled");
		return PM_EVAL_COMPLIANT;
	case IETF_FACTORY_DEFAULT_PWD_ENABLED:
		snprintf(result, result_size, "a factory default password is enabled");
		snprintf(remediation, remediation_size, "Change the factory default passwords.");
		return PM_EVAL_NONCOMPLIANT_MAJOR;
	default:
		snprintf(result, result_size, "invalid Factory Default Password Enabled value %u", enabled);
		return PM_EVAL_ERROR;
	}
}
