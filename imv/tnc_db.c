/*
 * tnc-db: administration of config.db.
 *
 * Lists are table-driven: each list command is one SELECT whose columns are
 * printed as an aligned text table or, with --json, as an array of objects
 * (json-c). Changes run in one transaction each and are logged.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "db/db.h"
#include "log.h"
#include "policy_manager.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

#define TNC_DB_DEFAULT_PATH LOCALSTATEDIR "/lib/tncsuite/config.db"

/* Exit codes. */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,   /* database or I/O error */
	EXIT_USAGE = 2,   /* invalid command line */
	EXIT_NOT_FOUND = 3,
};

typedef struct options {
	const char *db_path;
	bool json;
	int argc;
	char **argv;
} options;

typedef struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(db_t *db, const options *opt);
	bool creates;     /* works on a missing file (init) */
} command;

/* Prints a query's rows as a text table or a JSON array. */
static int print_query(db_t *db, const options *opt, const char *sql, const char *param)
{
	sqlite3_stmt *stmt = NULL;
	json_object *array = NULL;
	int rows = 0, columns, rc;
	bool row = false;

	rc = db_prepare(db, sql, &stmt);
	if (rc != TS_OK)
		return EXIT_ERROR;
	if (param)
		sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
	columns = sqlite3_column_count(stmt);
	if (opt->json)
		array = json_object_new_array();
	else {
		for (int c = 0; c < columns; c++)
			printf("%s%s", c ? "\t" : "", sqlite3_column_name(stmt, c));
		printf("\n");
	}

	while ((rc = db_step(db, stmt, &row)) == TS_OK && row) {
		json_object *obj = opt->json ? json_object_new_object() : NULL;

		for (int c = 0; c < columns; c++) {
			const char *name = sqlite3_column_name(stmt, c);
			int type = sqlite3_column_type(stmt, c);

			if (opt->json) {
				json_object *v = NULL;

				if (type == SQLITE_INTEGER)
					v = json_object_new_int64(sqlite3_column_int64(stmt, c));
				else if (type == SQLITE_TEXT)
					v = json_object_new_string((const char *)sqlite3_column_text(stmt, c));
				else if (type == SQLITE_BLOB) {
					/* Blobs (digests, identities) are shown in lowercase hex. */
					const unsigned char *b = sqlite3_column_blob(stmt, c);
					int n = sqlite3_column_bytes(stmt, c);
					char *hex = malloc((size_t)n * 2 + 1);

					for (int i = 0; hex && i < n; i++)
						snprintf(hex + 2 * i, 3, "%02x", b[i]);
					if (hex) {
						hex[2 * n] = '\0';
						v = json_object_new_string(hex);
					}
					free(hex);
				}
				json_object_object_add(obj, name, v);
			} else {
				if (c)
					printf("\t");
				if (type == SQLITE_BLOB) {
					const unsigned char *b = sqlite3_column_blob(stmt, c);

					for (int i = 0; i < sqlite3_column_bytes(stmt, c); i++)
						printf("%02x", b[i]);
				} else if (type != SQLITE_NULL) {
					printf("%s", sqlite3_column_text(stmt, c));
				}
			}
		}
		if (opt->json)
			json_object_array_add(array, obj);
		else
			printf("\n");
		rows++;
	}
	sqlite3_finalize(stmt);
	if (opt->json) {
		printf("%s\n", json_object_to_json_string_ext(array, JSON_C_TO_STRING_PRETTY));
		json_object_put(array);
	}
	return rc == TS_OK ? EXIT_OK : EXIT_ERROR;
}

/* Runs one statement with text parameters (NULL binds NULL) inside the caller's transaction. */
static int run_change(db_t *db, const char *sql, const char *const *params, size_t n, int64_t *changes)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = db_prepare(db, sql, &stmt);
	if (rc != TS_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (params[i])
			sqlite3_bind_text(stmt, (int)i + 1, params[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(stmt, (int)i + 1);
	}
	rc = db_step(db, stmt, NULL);
	if (changes)
		*changes = sqlite3_changes(db_handle(db));
	sqlite3_finalize(stmt);
	return rc;
}

/* Runs one change with text/integer parameters in its own transaction. */
static int change(db_t *db, const char *sql, const char *const *params, size_t n, int64_t *changes)
{
	int rc;

	rc = db_begin(db);
	if (rc != TS_OK)
		return EXIT_ERROR;
	rc = run_change(db, sql, params, n, changes);
	if (rc == TS_OK)
		rc = db_commit(db);
	if (rc != TS_OK) {
		db_rollback(db);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static int need_args(const options *opt, int n, const char *usage)
{
	if (opt->argc < n) {
		fprintf(stderr, "tnc-db: missing arguments, usage: tnc-db %s\n", usage);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * Checks that `id` is a decimal row id of `table`: EXIT_USAGE when it is not
 * a number, EXIT_NOT_FOUND when no such row exists.
 */
static int require_row(db_t *db, const char *table, const char *id, const char *what)
{
	sqlite3_stmt *stmt = NULL;
	char sql[96], *end;
	bool row = false;
	long long v = strtoll(id, &end, 10);
	int rc;

	if (*id == '\0' || *end != '\0' || v <= 0) {
		fprintf(stderr, "tnc-db: invalid %s id '%s': expected a positive number\n", what, id);
		return EXIT_USAGE;
	}
	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE id = ?", table);
	rc = db_prepare(db, sql, &stmt);
	if (rc != TS_OK)
		return EXIT_ERROR;
	sqlite3_bind_int64(stmt, 1, v);
	rc = db_step(db, stmt, &row);
	sqlite3_finalize(stmt);
	if (rc != TS_OK)
		return EXIT_ERROR;
	if (!row) {
		fprintf(stderr, "tnc-db: %s %s not found\n", what, id);
		return EXIT_NOT_FOUND;
	}
	return EXIT_OK;
}

/* Looks a device up by row id or by its device ID (value); returns the row id as text. */
static int resolve_device(db_t *db, const char *key, char *out, size_t out_size)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	int rc;

	rc = db_prepare(db, "SELECT id FROM devices WHERE CAST(id AS TEXT) = ?1 OR value = ?1 "
			"ORDER BY id LIMIT 1", &stmt);
	if (rc != TS_OK)
		return EXIT_ERROR;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = db_step(db, stmt, &row);
	if (rc == TS_OK && row)
		snprintf(out, out_size, "%lld", (long long)sqlite3_column_int64(stmt, 0));
	sqlite3_finalize(stmt);
	if (rc != TS_OK)
		return EXIT_ERROR;
	if (!row) {
		fprintf(stderr, "tnc-db: device '%s' not found (give its id or its device ID)\n", key);
		return EXIT_NOT_FOUND;
	}
	return EXIT_OK;
}

static int cmd_init(db_t *db, const options *opt)
{
	printf("tnc-db: database %s is ready\n", db_path(db));
	return EXIT_OK;
}

static int cmd_devices(db_t *db, const options *opt)
{
	return print_query(db, opt,
		"SELECT d.id, d.value AS device_id, p.name AS product, d.trusted, d.created, d.description, "
		"(SELECT count(*) FROM sessions AS s WHERE s.device = d.id) AS sessions, "
		"(SELECT count(*) FROM component_hashes AS c WHERE c.key = d.id) AS measurements "
		"FROM devices AS d LEFT JOIN products AS p ON d.product = p.id ORDER BY d.id", NULL);
}

static int cmd_device_add(db_t *db, const options *opt)
{
	const char *params[2];
	int rc = need_args(opt, 2, "device-add DEVICE_ID PRODUCT");
	int64_t n = 0;

	if (rc != EXIT_OK)
		return rc;
	params[0] = opt->argv[1];
	rc = change(db, "INSERT INTO products (name) SELECT ?1 WHERE NOT EXISTS "
		    "(SELECT 1 FROM products WHERE name = ?1)", params, 1, NULL);
	if (rc != EXIT_OK)
		return rc;
	params[0] = opt->argv[0];
	params[1] = opt->argv[1];
	/* The same row the IMVs create on first sight: (value, product), not trusted. */
	rc = change(db, "INSERT INTO devices (value, description, product, trusted, inactive) "
		    "SELECT ?1, '', p.id, 0, 0 FROM products AS p WHERE p.name = ?2 AND NOT EXISTS "
		    "(SELECT 1 FROM devices AS d WHERE d.value = ?1 AND d.product = p.id)", params, 2, &n);
	if (rc == EXIT_OK)
		printf(n ? "device %s (%s) added\n" : "device %s (%s) exists already\n", opt->argv[0],
		       opt->argv[1]);
	return rc;
}

static int cmd_device_show(db_t *db, const options *opt)
{
	char id[32];
	int rc = need_args(opt, 1, "device-show DEVICE");

	if (rc == EXIT_OK)
		rc = resolve_device(db, opt->argv[0], id, sizeof(id));
	if (rc != EXIT_OK)
		return rc;
	rc = print_query(db, opt,
		"SELECT d.id, d.value AS device_id, p.name AS product, d.trusted, d.created, d.inactive, "
		"d.description, (SELECT group_concat(g.name, ', ') FROM groups_members AS m "
		"JOIN groups AS g ON m.group_id = g.id WHERE m.device_id = d.id) AS groups, "
		"(SELECT max(s.time) FROM sessions AS s WHERE s.device = d.id) AS last_session "
		"FROM devices AS d LEFT JOIN products AS p ON d.product = p.id WHERE d.id = ?", id);
	return rc;
}

static int set_trust(db_t *db, const options *opt, const char *value)
{
	const char *params[2];
	char id[32];
	int rc = need_args(opt, 1, "device-trust|device-untrust DEVICE");

	if (rc == EXIT_OK)
		rc = resolve_device(db, opt->argv[0], id, sizeof(id));
	if (rc != EXIT_OK)
		return rc;
	params[0] = value;
	params[1] = id;
	rc = change(db, "UPDATE devices SET trusted = CAST(? AS INTEGER) WHERE id = ?", params, 2, NULL);
	if (rc == EXIT_OK)
		printf("device %s (%s): AK %s\n", id, opt->argv[0], value[0] == '1' ? "trusted" : "no longer trusted");
	return rc;
}

static int cmd_device_trust(db_t *db, const options *opt)
{
	return set_trust(db, opt, "1");
}

static int cmd_device_untrust(db_t *db, const options *opt)
{
	return set_trust(db, opt, "0");
}

static int cmd_device_measurements(db_t *db, const options *opt)
{
	char id[32];
	int rc = need_args(opt, 1, "device-measurements DEVICE");

	if (rc == EXIT_OK)
		rc = resolve_device(db, opt->argv[0], id, sizeof(id));
	if (rc != EXIT_OK)
		return rc;
	return print_query(db, opt,
		"SELECT h.seq_no, h.pcr, a.name AS algorithm, c.label AS component, h.hash "
		"FROM component_hashes AS h JOIN components AS c ON h.component = c.id "
		"LEFT JOIN algorithms AS a ON h.algo = a.id WHERE h.key = ? "
		"ORDER BY h.component, h.algo, h.seq_no", id);
}

static int cmd_device_reset(db_t *db, const options *opt)
{
	const char *params[1];
	int64_t n = 0;
	char id[32];
	int rc = need_args(opt, 1, "device-reset DEVICE");

	if (rc == EXIT_OK)
		rc = resolve_device(db, opt->argv[0], id, sizeof(id));
	if (rc != EXIT_OK)
		return rc;
	params[0] = id;
	rc = change(db, "DELETE FROM component_hashes WHERE key = ?", params, 1, &n);
	if (rc == EXIT_OK) {
		log_printf(LOG_SUBSYS_DB, LOG_LEVEL_ERROR,
			   "device %s (%s): %lld registered measurements deleted; the next attestation registers new ones",
			   id, opt->argv[0], (long long)n);
		printf("%lld measurements deleted\n", (long long)n);
	}
	return rc;
}

static int cmd_groups(db_t *db, const options *opt)
{
	return print_query(db, opt,
		"SELECT g.id, g.name, g.parent, (SELECT count(*) FROM groups_members AS m "
		"WHERE m.group_id = g.id) AS members FROM groups AS g ORDER BY g.id", NULL);
}

static int cmd_group_add(db_t *db, const options *opt)
{
	const char *params[2];
	int rc = need_args(opt, 1, "group-add NAME [PARENT_ID]");

	if (rc == EXIT_OK && opt->argc > 1)
		rc = require_row(db, "groups", opt->argv[1], "group");
	if (rc != EXIT_OK)
		return rc;
	params[0] = opt->argv[0];
	params[1] = opt->argc > 1 ? opt->argv[1] : NULL;
	rc = change(db, "INSERT INTO groups (id, name, parent) VALUES "
		    "((SELECT coalesce(max(id), 0) + 1 FROM groups), ?, CAST(? AS INTEGER))", params, 2, NULL);
	if (rc == EXIT_OK)
		printf("group '%s' added with id %lld\n", opt->argv[0],
		       (long long)sqlite3_last_insert_rowid(db_handle(db)));
	return rc;
}

static int cmd_group_member(db_t *db, const options *opt)
{
	const char *params[2];
	char id[32];
	int rc = need_args(opt, 2, "group-member GROUP_ID DEVICE");

	if (rc == EXIT_OK)
		rc = require_row(db, "groups", opt->argv[0], "group");
	if (rc == EXIT_OK)
		rc = resolve_device(db, opt->argv[1], id, sizeof(id));
	if (rc != EXIT_OK)
		return rc;
	params[0] = opt->argv[0];
	params[1] = id;
	return change(db, "INSERT OR IGNORE INTO groups_members (group_id, device_id) "
		      "VALUES (CAST(? AS INTEGER), CAST(? AS INTEGER))", params, 2, NULL);
}

static int cmd_group_default(db_t *db, const options *opt)
{
	const char *params[2];
	int rc = need_args(opt, 2, "group-default GROUP_ID PRODUCT");

	if (rc == EXIT_OK)
		rc = require_row(db, "groups", opt->argv[0], "group");
	if (rc != EXIT_OK)
		return rc;
	params[0] = opt->argv[1];
	rc = change(db, "INSERT INTO products (name) SELECT ?1 WHERE NOT EXISTS "
		    "(SELECT 1 FROM products WHERE name = ?1)", params, 1, NULL);
	if (rc != EXIT_OK)
		return rc;
	params[0] = opt->argv[0];
	params[1] = opt->argv[1];
	return change(db, "INSERT OR IGNORE INTO groups_product_defaults (group_id, product_id) "
		      "SELECT CAST(?1 AS INTEGER), id FROM products WHERE name = ?2", params, 2, NULL);
}

static int cmd_policies(db_t *db, const options *opt)
{
	return print_query(db, opt,
		"SELECT id, type, name, argument, rec_fail, rec_noresult, file, dir FROM policies ORDER BY id",
		NULL);
}

/* Parses a workitem type given by number or by name (TPMRA, PCKGS, ...). */
static int parse_type(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s && *end == '\0')
		return v >= 0 && v <= PM_WORKITEM_TYPE_MAX ? (int)v : -1;
	for (int t = 0; t <= PM_WORKITEM_TYPE_MAX; t++)
		if (strcasecmp(s, pm_workitem_type_name(t)) == 0)
			return t;
	return -1;
}

/* Parses a recommendation: allow, no-access (block), isolate, none, or 0..3. */
static int parse_rec(const char *s)
{
	if (!strcmp(s, "0") || !strcasecmp(s, "allow"))
		return PM_REC_ALLOW;
	if (!strcmp(s, "1") || !strcasecmp(s, "no-access") || !strcasecmp(s, "block"))
		return PM_REC_NO_ACCESS;
	if (!strcmp(s, "2") || !strcasecmp(s, "isolate"))
		return PM_REC_ISOLATE;
	if (!strcmp(s, "3") || !strcasecmp(s, "none"))
		return PM_REC_NONE;
	return -1;
}

static int cmd_policy_add(db_t *db, const options *opt)
{
	const char *usage = "policy-add NAME TYPE FAIL NORESULT [ARGUMENT]";
	const char *params[5];
	char type_s[16], fail_s[16], nores_s[16];
	int type, fail, nores;
	int rc = need_args(opt, 4, usage);

	if (rc != EXIT_OK)
		return rc;
	type = parse_type(opt->argv[1]);
	fail = parse_rec(opt->argv[2]);
	nores = parse_rec(opt->argv[3]);
	if (type < 0 || fail < 0 || nores < 0) {
		fprintf(stderr, "tnc-db: invalid %s '%s'; usage: tnc-db %s\n",
			type < 0 ? "type" : "recommendation",
			type < 0 ? opt->argv[1] : (fail < 0 ? opt->argv[2] : opt->argv[3]), usage);
		return EXIT_USAGE;
	}
	snprintf(type_s, sizeof(type_s), "%d", type);
	snprintf(fail_s, sizeof(fail_s), "%d", fail);
	snprintf(nores_s, sizeof(nores_s), "%d", nores);
	params[0] = opt->argv[0];
	params[1] = type_s;
	params[2] = fail_s;
	params[3] = nores_s;
	params[4] = opt->argc > 4 ? opt->argv[4] : "";
	rc = change(db, "INSERT INTO policies (name, type, rec_fail, rec_noresult, argument, file, dir) "
		    "VALUES (?, CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER), ?, 0, 0)",
		    params, 5, NULL);
	if (rc == EXIT_OK)
		printf("policy '%s' added with id %lld\n", opt->argv[0],
		       (long long)sqlite3_last_insert_rowid(db_handle(db)));
	return rc;
}

static int cmd_enforcements(db_t *db, const options *opt)
{
	return print_query(db, opt,
		"SELECT e.id, p.name AS policy, g.name AS 'group', e.rec_fail, e.rec_noresult, e.max_age "
		"FROM enforcements AS e JOIN policies AS p ON e.policy = p.id "
		"JOIN groups AS g ON e.group_id = g.id ORDER BY e.id", NULL);
}

static int cmd_enforcement_add(db_t *db, const options *opt)
{
	const char *params[3];
	int rc = need_args(opt, 2, "enforcement-add POLICY_ID GROUP_ID [MAX_AGE_SECONDS]");
	const char *max_age = opt->argc > 2 ? opt->argv[2] : "0";
	char *end;

	if (rc == EXIT_OK)
		rc = require_row(db, "policies", opt->argv[0], "policy");
	if (rc == EXIT_OK)
		rc = require_row(db, "groups", opt->argv[1], "group");
	if (rc != EXIT_OK)
		return rc;
	if (*max_age == '\0' || strtoll(max_age, &end, 10) < 0 || *end != '\0') {
		fprintf(stderr, "tnc-db: invalid MAX_AGE '%s': expected seconds, 0 or more\n", max_age);
		return EXIT_USAGE;
	}
	{
		sqlite3_stmt *stmt = NULL;
		bool row = false;

		if (db_prepare(db, "SELECT id FROM enforcements WHERE policy = CAST(? AS INTEGER) AND "
			       "group_id = CAST(? AS INTEGER)", &stmt) != TS_OK)
			return EXIT_ERROR;
		sqlite3_bind_text(stmt, 1, opt->argv[0], -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, opt->argv[1], -1, SQLITE_STATIC);
		rc = db_step(db, stmt, &row) == TS_OK ? EXIT_OK : EXIT_ERROR;
		if (rc == EXIT_OK && row) {
			fprintf(stderr, "tnc-db: policy %s is enforced on group %s already (enforcement %lld)\n",
				opt->argv[0], opt->argv[1], (long long)sqlite3_column_int64(stmt, 0));
			rc = EXIT_USAGE;
		}
		sqlite3_finalize(stmt);
		if (rc != EXIT_OK)
			return rc;
	}
	params[0] = opt->argv[0];
	params[1] = opt->argv[1];
	params[2] = max_age;
	rc = change(db, "INSERT INTO enforcements (policy, group_id, max_age) "
		    "VALUES (CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER))", params, 3, NULL);
	if (rc == EXIT_OK)
		printf("enforcement added with id %lld\n", (long long)sqlite3_last_insert_rowid(db_handle(db)));
	return rc;
}

static int delete_row(db_t *db, const options *opt, const char *sql, const char *what)
{
	const char *params[1];
	int64_t n = 0;
	int rc = need_args(opt, 1, what);

	if (rc != EXIT_OK)
		return rc;
	params[0] = opt->argv[0];
	rc = change(db, sql, params, 1, &n);
	if (rc == EXIT_OK && n == 0) {
		fprintf(stderr, "tnc-db: no row with id %s\n", opt->argv[0]);
		return EXIT_NOT_FOUND;
	}
	return rc;
}

static int cmd_enforcement_delete(db_t *db, const options *opt)
{
	return delete_row(db, opt, "DELETE FROM enforcements WHERE id = CAST(? AS INTEGER)",
			  "enforcement-delete ID");
}

static int cmd_policy_delete(db_t *db, const options *opt)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	int rc = need_args(opt, 1, "policy-delete ID");

	if (rc == EXIT_OK)
		rc = require_row(db, "policies", opt->argv[0], "policy");
	if (rc != EXIT_OK)
		return rc;
	if (db_prepare(db, "SELECT id FROM enforcements WHERE policy = CAST(? AS INTEGER) LIMIT 1", &stmt) != TS_OK)
		return EXIT_ERROR;
	sqlite3_bind_text(stmt, 1, opt->argv[0], -1, SQLITE_STATIC);
	rc = db_step(db, stmt, &row) == TS_OK ? EXIT_OK : EXIT_ERROR;
	if (rc == EXIT_OK && row) {
		fprintf(stderr, "tnc-db: policy %s is used by enforcement %lld; delete that first\n", opt->argv[0],
			(long long)sqlite3_column_int64(stmt, 0));
		rc = EXIT_USAGE;
	}
	sqlite3_finalize(stmt);
	if (rc != EXIT_OK)
		return rc;
	return delete_row(db, opt, "DELETE FROM policies WHERE id = CAST(? AS INTEGER)", "policy-delete ID");
}

static int cmd_products(db_t *db, const options *opt)
{
	return print_query(db, opt, "SELECT id, name FROM products ORDER BY id", NULL);
}

static int cmd_product_add(db_t *db, const options *opt)
{
	const char *params[1];
	int64_t added = 0;
	int rc = need_args(opt, 1, "product-add NAME");

	if (rc != EXIT_OK)
		return rc;
	params[0] = opt->argv[0];
	rc = change(db, "INSERT INTO products (name) SELECT ?1 WHERE NOT EXISTS "
		    "(SELECT 1 FROM products WHERE name = ?1)", params, 1, &added);
	if (rc == EXIT_OK)
		printf("product '%s' %s\n", opt->argv[0], added ? "added" : "exists already");
	return rc;
}

static int cmd_packages(db_t *db, const options *opt)
{
	return print_query(db, opt,
		"SELECT k.name AS package, v.release, p.name AS product, v.security, v.blacklist "
		"FROM versions AS v JOIN packages AS k ON v.package = k.id JOIN products AS p ON v.product = p.id "
		"ORDER BY k.name, p.name, v.release", NULL);
}

static int cmd_package_add(db_t *db, const options *opt)
{
	const char *params[5];
	int rc = need_args(opt, 3, "package-add PACKAGE PRODUCT RELEASE [security|blacklist]");
	const char *flag = opt->argc > 3 ? opt->argv[3] : "";

	if (rc != EXIT_OK)
		return rc;
	if (*flag && strcmp(flag, "security") && strcmp(flag, "blacklist")) {
		fprintf(stderr, "tnc-db: invalid flag '%s', expected security or blacklist\n", flag);
		return EXIT_USAGE;
	}
	/* Package, product and version in one transaction: all three rows or none. */
	if (db_begin(db) != TS_OK)
		return EXIT_ERROR;
	params[0] = opt->argv[0];
	rc = run_change(db, "INSERT INTO packages (name) SELECT ?1 WHERE NOT EXISTS "
			"(SELECT 1 FROM packages WHERE name = ?1)", params, 1, NULL);
	params[0] = opt->argv[1];
	if (rc == TS_OK)
		rc = run_change(db, "INSERT INTO products (name) SELECT ?1 WHERE NOT EXISTS "
				"(SELECT 1 FROM products WHERE name = ?1)", params, 1, NULL);
	params[0] = opt->argv[0];
	params[1] = opt->argv[1];
	params[2] = opt->argv[2];
	params[3] = strcmp(flag, "security") == 0 ? "1" : "0";
	params[4] = strcmp(flag, "blacklist") == 0 ? "1" : "0";
	if (rc == TS_OK)
		rc = run_change(db, "INSERT INTO versions (package, product, release, security, blacklist, time) "
				"SELECT k.id, p.id, ?3, CAST(?4 AS INTEGER), CAST(?5 AS INTEGER), strftime('%s', 'now') "
				"FROM packages AS k, products AS p WHERE k.name = ?1 AND p.name = ?2", params, 5, NULL);
	if (rc == TS_OK)
		rc = db_commit(db);
	if (rc != TS_OK) {
		db_rollback(db);
		return EXIT_ERROR;
	}
	printf("package %s %s for %s added%s%s\n", opt->argv[0], opt->argv[2], opt->argv[1], *flag ? " as " : "",
	       flag);
	return EXIT_OK;
}

static int cmd_sessions(db_t *db, const options *opt)
{
	return print_query(db, opt,
		"SELECT s.id, s.time, s.connection, d.value AS device_id, p.name AS product, s.rec "
		"FROM sessions AS s LEFT JOIN devices AS d ON s.device = d.id "
		"LEFT JOIN products AS p ON s.product = p.id ORDER BY s.id DESC LIMIT 1000", NULL);
}

static int cmd_results(db_t *db, const options *opt)
{
	if (opt->argc > 0)
		return print_query(db, opt,
			"SELECT r.session, p.name AS policy, r.rec, r.result FROM results AS r "
			"JOIN policies AS p ON r.policy = p.id WHERE r.session = CAST(? AS INTEGER) "
			"ORDER BY r.id", opt->argv[0]);
	return print_query(db, opt,
		"SELECT r.session, p.name AS policy, r.rec, r.result FROM results AS r "
		"JOIN policies AS p ON r.policy = p.id ORDER BY r.id DESC LIMIT 1000", NULL);
}

static const command commands[] = {
	{ "init", "", "create config.db, or add what an existing file lacks", cmd_init, true },
	{ "devices", "", "list devices", cmd_devices, false },
	{ "device-add", "DEVICE_ID PRODUCT", "add a device before its first attestation, e.g. to trust its AK",
	  cmd_device_add, false },
	{ "device-show", "DEVICE", "show one device (by id or device ID)", cmd_device_show, false },
	{ "device-trust", "DEVICE", "mark the device's AK as trusted", cmd_device_trust, false },
	{ "device-untrust", "DEVICE", "mark the device's AK as not trusted", cmd_device_untrust, false },
	{ "device-measurements", "DEVICE", "list the device's registered boot measurements",
	  cmd_device_measurements, false },
	{ "device-reset", "DEVICE", "delete the device's registered measurements (after a firmware update)",
	  cmd_device_reset, false },
	{ "groups", "", "list groups", cmd_groups, false },
	{ "group-add", "NAME [PARENT_ID]", "add a group", cmd_group_add, false },
	{ "group-member", "GROUP_ID DEVICE", "add a device to a group", cmd_group_member, false },
	{ "group-default", "GROUP_ID PRODUCT", "make new devices of PRODUCT join the group", cmd_group_default,
	  false },
	{ "policies", "", "list policies", cmd_policies, false },
	{ "policy-add", "NAME TYPE FAIL NORESULT [ARGUMENT]",
	  "add a policy; TYPE e.g. TPMRA, PCKGS, FWDEN; FAIL/NORESULT allow|isolate|no-access|none",
	  cmd_policy_add, false },
	{ "policy-delete", "ID", "delete a policy that no enforcement uses", cmd_policy_delete, false },
	{ "enforcements", "", "list enforcements", cmd_enforcements, false },
	{ "enforcement-add", "POLICY_ID GROUP_ID [MAX_AGE]", "enforce a policy on a group", cmd_enforcement_add,
	  false },
	{ "enforcement-delete", "ID", "delete an enforcement", cmd_enforcement_delete, false },
	{ "products", "", "list products", cmd_products, false },
	{ "product-add", "NAME", "add a product, e.g. \"Debian 12 x86_64\"", cmd_product_add, false },
	{ "packages", "", "list package versions", cmd_packages, false },
	{ "package-add", "PACKAGE PRODUCT RELEASE [security|blacklist]", "add a package version",
	  cmd_package_add, false },
	{ "sessions", "", "list the latest 1000 sessions", cmd_sessions, false },
	{ "results", "[SESSION]", "list workitem results", cmd_results, false },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: tnc-db [OPTIONS] COMMAND [ARGS]\n"
		"Administer config.db, the database of the tncsuite IMVs (shared with strongTNC).\n\n"
		"Options:\n"
		"  -d, --db PATH      database file (default: [tnc-db] database in the configuration,\n"
		"                     else [imv] database, else %s)\n"
		"  -c, --config FILE  configuration file (default: $TNCSUITE_CONF, else %s)\n"
		"  -j, --json         print lists as JSON\n"
		"  -h, --help         print this help; 'tnc-db COMMAND --help' describes one command\n\n"
		"Commands:\n", TNC_DB_DEFAULT_PATH, SYSCONFDIR "/tncsuite/tncsuite.conf");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-20s %-40s %s\n", commands[i].name, commands[i].args, commands[i].help);
	fprintf(f, "\nExit status: 0 success, 1 database error, 2 invalid command line, 3 not found.\n");
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL;
	options opt = { 0 };
	const command *cmd = NULL;
	conf_t *conf = NULL;
	char *db_from_conf = NULL;
	db_t *db = NULL;
	int c, rc;

	log_set_program("tnc-db");
	while ((c = getopt_long(argc, argv, "+d:c:jh", long_options, NULL)) != -1) {
		switch (c) {
		case 'd':
			opt.db_path = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "tnc-db: unknown command '%s'; 'tnc-db --help' lists the commands\n", argv[optind]);
		return EXIT_USAGE;
	}
	opt.argc = argc - optind - 1;
	opt.argv = argv + optind + 1;
	if (opt.argc > 0 && (!strcmp(opt.argv[0], "--help") || !strcmp(opt.argv[0], "-h"))) {
		printf("Usage: tnc-db [OPTIONS] %s %s\n%s\n", cmd->name, cmd->args, cmd->help);
		return EXIT_OK;
	}

	/* The database path: --db, else the configuration, else the default. */
	if (!opt.db_path) {
		const char *path = config_path ? config_path : conf_default_path();
		const char *section;

		/* A missing default configuration is fine; a missing --config file is not. */
		if ((config_path || access(path, F_OK) == 0) && conf_load(path, &conf) != TS_OK) {
			fprintf(stderr, "tnc-db: cannot load the configuration %s\n", path);
			return EXIT_ERROR;
		}

		/* A relative path is taken relative to the configuration file, as the IMVs take it. */
		section = conf_get_str(conf, "tnc-db", "database", NULL) ? "tnc-db" : "imv";
		if (conf_get_path(conf, section, "database", TNC_DB_DEFAULT_PATH, &db_from_conf) != TS_OK) {
			fprintf(stderr, "tnc-db: invalid [%s] database in %s\n", section, path);
			conf_free(conf);
			return EXIT_ERROR;
		}
		opt.db_path = db_from_conf;
	}

	rc = cmd->creates ? db_init(opt.db_path, 0, &db) : db_open(opt.db_path, 0, &db);
	if (rc != TS_OK) {
		fprintf(stderr, "tnc-db: cannot use database %s: %s\n", opt.db_path, ts_strerror(rc));
		conf_free(conf);
		free(db_from_conf);
		return rc == TS_E_NOT_FOUND ? EXIT_NOT_FOUND : EXIT_ERROR;
	}
	rc = cmd->run(db, &opt);
	db_close(db);
	conf_free(conf);
	free(db_from_conf);
	return rc;
}
