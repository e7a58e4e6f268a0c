#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "policy_manager.h"
#include "reader.h"
#include "tncifimv.h"

const char *pm_workitem_type_name(int type)
{
	static const char *const names[] = {
		"RESVD", "PCKGS", "UNSRC", "FWDEN", "PWDEN", "FREFM", "FMEAS", "FMETA", "DREFM",
		"DMEAS", "DMETA", "TCPOP", "TCPBL", "UDPOP", "UDPBL", "SWIDT", "TPMRA",
	};

	return type >= 0 && type <= PM_WORKITEM_TYPE_MAX ? names[type] : "unknown";
}

const char *pm_rec_name(int rec)
{
	switch (rec) {
	case PM_REC_ALLOW:     return "allow";
	case PM_REC_NO_ACCESS: return "no access";
	case PM_REC_ISOLATE:   return "isolate";
	case PM_REC_NONE:      return "no recommendation";
	}
	return "unknown";
}

const char *pm_eval_name(int eval)
{
	switch (eval) {
	case PM_EVAL_COMPLIANT:          return "compliant";
	case PM_EVAL_NONCOMPLIANT_MINOR: return "non-compliant minor";
	case PM_EVAL_NONCOMPLIANT_MAJOR: return "non-compliant major";
	case PM_EVAL_ERROR:              return "error";
	case PM_EVAL_DONT_KNOW:          return "don't know";
	}
	return "unknown";
}

/*
 * Runs a one-row query with up to three integer parameters and stores the
 * first column in *out. *found is set when there was a row.
 */
static int query_id(db_t *db, const char *sql, const int64_t *params, size_t n, bool *found,
		    int64_t *out)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	int rc;

	rc = db_stmt(db, sql, &stmt);
	if (rc != TS_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		sqlite3_bind_int64(stmt, (int)i + 1, params[i]);
	rc = db_step(db, stmt, &row);
	if (rc == TS_OK && row)
		*out = sqlite3_column_int64(stmt, 0);
	db_stmt_done(db, stmt);
	if (rc == TS_OK)
		*found = row;
	return rc;
}

static int find_or_add_product(db_t *db, const char *name, int64_t *id)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	int rc;

	rc = db_stmt(db, "SELECT id FROM products WHERE name = ?", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = db_step(db, stmt, &row);
	if (rc == TS_OK && row)
		*id = sqlite3_column_int64(stmt, 0);
	db_stmt_done(db, stmt);
	if (rc != TS_OK || row)
		return rc;

	rc = db_stmt(db, "INSERT INTO products (name) VALUES (?)", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = db_step(db, stmt, NULL);
	db_stmt_done(db, stmt);
	if (rc == TS_OK)
		*id = sqlite3_last_insert_rowid(db_handle(db));
	return rc;
}

static int find_or_add_device(db_t *db, const char *value, int64_t product, pm_session *s)
{
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	int rc;

	rc = db_stmt(db, "SELECT id, trusted FROM devices WHERE value = ? AND product = ?", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, product);
	rc = db_step(db, stmt, &row);
	if (rc == TS_OK && row) {
		s->device_id = sqlite3_column_int64(stmt, 0);
		s->device_trusted = sqlite3_column_int(stmt, 1) == 1;
	}
	db_stmt_done(db, stmt);
	if (rc != TS_OK || row)
		return rc;

	rc = db_stmt(db, "INSERT INTO devices (value, description, product, trusted, inactive) "
			"VALUES (?, '', ?, 0, 0)", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_text(stmt, 1, value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, product);
	rc = db_step(db, stmt, NULL);
	db_stmt_done(db, stmt);
	if (rc == TS_OK) {
		s->device_id = sqlite3_last_insert_rowid(db_handle(db));
		s->device_trusted = false;
	}
	return rc;
}

/* Adds the identities and links them to the session; the first becomes sessions.identity. */
static int add_identities(db_t *db, const pm_session_info *info, int64_t session)
{
	bool first = true;
	int rc = TS_OK;

	for (size_t i = 0; i < info->identity_count && rc == TS_OK; i++) {
		const pm_identity *ident = &info->identities[i];
		sqlite3_stmt *stmt = NULL;
		int64_t id = 0;
		bool row = false;

		if (ident->len == 0)
			continue;
		/* The value is bound as a BLOB, as strongSwan and strongTNC expect. */
		rc = db_stmt(db, "INSERT OR IGNORE INTO identities (type, value) VALUES (?, ?)", &stmt);
		if (rc != TS_OK)
			break;
		sqlite3_bind_int64(stmt, 1, ident->type);
		sqlite3_bind_blob(stmt, 2, ident->value, (int)ident->len, SQLITE_STATIC);
		rc = db_step(db, stmt, NULL);
		db_stmt_done(db, stmt);
		if (rc != TS_OK)
			break;

		rc = db_stmt(db, "SELECT id FROM identities WHERE type = ? AND value = ?", &stmt);
		if (rc != TS_OK)
			break;
		sqlite3_bind_int64(stmt, 1, ident->type);
		sqlite3_bind_blob(stmt, 2, ident->value, (int)ident->len, SQLITE_STATIC);
		rc = db_step(db, stmt, &row);
		if (rc == TS_OK && row)
			id = sqlite3_column_int64(stmt, 0);
		db_stmt_done(db, stmt);
		if (rc != TS_OK || !row)
			break;

		rc = db_stmt(db, "INSERT OR IGNORE INTO sessions_identities (session_id, identity_id) "
				"VALUES (?, ?)", &stmt);
		if (rc != TS_OK)
			break;
		sqlite3_bind_int64(stmt, 1, session);
		sqlite3_bind_int64(stmt, 2, id);
		rc = db_step(db, stmt, NULL);
		db_stmt_done(db, stmt);

		if (rc == TS_OK && first) {
			rc = db_stmt(db, "UPDATE sessions SET identity = ? WHERE id = ?", &stmt);
			if (rc != TS_OK)
				break;
			sqlite3_bind_int64(stmt, 1, id);
			sqlite3_bind_int64(stmt, 2, session);
			rc = db_step(db, stmt, NULL);
			db_stmt_done(db, stmt);
			first = false;
		}
	}
	return rc;
}

/* The arg_int of a new workitem: the target file or directory, or the next SWIMA event id. */
static int workitem_arg_int(db_t *db, int type, const char *arg_str, int64_t file, int64_t dir,
			    int64_t device, int64_t *out)
{
	int64_t last = 0;
	bool found = false;
	int rc;

	*out = 0;
	if (type >= PM_WORKITEM_FREFM && type <= PM_WORKITEM_FMETA) {
		*out = file;
	} else if (type >= PM_WORKITEM_DREFM && type <= PM_WORKITEM_DMETA) {
		*out = dir;
	} else if (type == PM_WORKITEM_SWIDT && strchr(arg_str, 'R')) {
		rc = query_id(db, "SELECT eid FROM swid_events WHERE device = ? ORDER BY eid DESC LIMIT 1",
			      &device, 1, &found, &last);
		if (rc != TS_OK)
			return rc;
		*out = found ? last + 1 : 1;
	}
	return TS_OK;
}

/* Whether the device passed this policy in a session younger than max_age seconds. */
static int recently_allowed(db_t *db, int64_t policy, int64_t device, int64_t max_age, bool *allowed)
{
	int64_t params[3] = { policy, device, (int64_t)time(NULL) - max_age };
	int64_t rec = -1;
	bool found = false;
	int rc;

	*allowed = false;
	if (max_age <= 0)
		return TS_OK;
	rc = query_id(db, "SELECT r.rec FROM results AS r JOIN sessions AS s ON r.session = s.id "
		      "WHERE r.policy = ? AND s.device = ? AND s.time > ? ORDER BY s.time DESC, r.id DESC "
		      "LIMIT 1", params, 3, &found, &rec);
	if (rc == TS_OK)
		*allowed = found && rec == PM_REC_ALLOW;
	return rc;
}

/* Adds workitems for the enforcements of `group` and of each of its ancestors. */
static int walk_group(db_t *db, int64_t group, const pm_session *s, size_t *added)
{
	for (int depth = 0; group > 0; depth++) {
		sqlite3_stmt *stmt = NULL;
		int64_t parent = 0;
		bool found = false;
		bool row = true;
		int rc;

		if (depth >= PM_MAX_GROUP_DEPTH) {
			log_error(LOG_SUBSYS_DB, "group chain deeper than %d at group %lld: a cycle in groups.parent?",
				  PM_MAX_GROUP_DEPTH, (long long)group);
			return TS_E_INVALID;
		}
		rc = db_stmt(db, "SELECT e.id, e.rec_fail, e.rec_noresult, e.max_age, p.id, p.type, "
				"p.argument, p.rec_fail, p.rec_noresult, p.file, p.dir "
				"FROM enforcements AS e JOIN policies AS p ON e.policy = p.id "
				"WHERE e.group_id = ? ORDER BY e.id", &stmt);
		if (rc != TS_OK)
			return rc;
		sqlite3_bind_int64(stmt, 1, group);

		while (rc == TS_OK) {
			sqlite3_stmt *ins = NULL;
			int64_t enforcement, policy, arg_int = 0;
			int rec_fail, rec_noresult, type;
			const char *arg;
			bool skip = false;

			rc = db_step(db, stmt, &row);
			if (rc != TS_OK || !row)
				break;
			enforcement = sqlite3_column_int64(stmt, 0);
			policy = sqlite3_column_int64(stmt, 4);
			type = sqlite3_column_int(stmt, 5);
			arg = (const char *)sqlite3_column_text(stmt, 6);
			arg = arg ? arg : "";
			/* A non-zero enforcement value overrides the policy's, as in strongSwan. */
			rec_fail = sqlite3_column_int(stmt, 1) ? sqlite3_column_int(stmt, 1)
							       : sqlite3_column_int(stmt, 7);
			rec_noresult = sqlite3_column_int(stmt, 2) ? sqlite3_column_int(stmt, 2)
								   : sqlite3_column_int(stmt, 8);

			rc = recently_allowed(db, policy, s->device_id, sqlite3_column_int64(stmt, 3), &skip);
			if (rc != TS_OK || skip)
				continue;
			rc = workitem_arg_int(db, type, arg, sqlite3_column_int64(stmt, 9),
					      sqlite3_column_int64(stmt, 10), s->device_id, &arg_int);
			if (rc != TS_OK)
				break;
			if (*added >= PM_MAX_WORKITEMS) {
				rc = TS_E_TOO_LARGE;
				break;
			}

			rc = db_stmt(db, "INSERT INTO workitems (session, enforcement, type, arg_str, "
					"arg_int, rec_fail, rec_noresult) VALUES (?, ?, ?, ?, ?, ?, ?)", &ins);
			if (rc != TS_OK)
				break;
			sqlite3_bind_int64(ins, 1, s->id);
			sqlite3_bind_int64(ins, 2, enforcement);
			sqlite3_bind_int(ins, 3, type);
			sqlite3_bind_text(ins, 4, arg, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 5, arg_int);
			sqlite3_bind_int(ins, 6, rec_fail);
			sqlite3_bind_int(ins, 7, rec_noresult);
			rc = db_step(db, ins, NULL);
			db_stmt_done(db, ins);
			if (rc == TS_OK)
				(*added)++;
		}
		db_stmt_done(db, stmt);
		if (rc != TS_OK)
			return rc;

		rc = query_id(db, "SELECT parent FROM groups WHERE id = ?", &group, 1, &found, &parent);
		if (rc != TS_OK)
			return rc;
		group = found ? parent : 0;
	}
	return TS_OK;
}

/* Derives the workitems of a new session (imv_policy_manager start). */
static int start_session(db_t *db, const pm_session *s, size_t *added)
{
	int64_t created = 0, group = 0;
	bool found = false, has_created = false;
	sqlite3_stmt *stmt = NULL;
	bool row = false;
	int rc;

	rc = db_stmt(db, "SELECT created FROM devices WHERE id = ?", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, s->device_id);
	rc = db_step(db, stmt, &row);
	if (rc == TS_OK && row && sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		has_created = true;
		created = sqlite3_column_int64(stmt, 0);
	}
	db_stmt_done(db, stmt);
	if (rc != TS_OK)
		return rc;
	(void)created;

	if (has_created) {
		/* A known device: the groups it is a member of, and their ancestors. */
		int64_t *groups = NULL;
		size_t n = 0, cap = 0;

		rc = db_stmt(db, "SELECT group_id FROM groups_members WHERE device_id = ? ORDER BY id", &stmt);
		if (rc != TS_OK)
			return rc;
		sqlite3_bind_int64(stmt, 1, s->device_id);
		while ((rc = db_step(db, stmt, &row)) == TS_OK && row) {
			if (n == cap) {
				int64_t *p = realloc(groups, (cap ? cap * 2 : 8) * sizeof(*p));

				if (!p) {
					rc = TS_E_NOMEM;
					break;
				}
				groups = p;
				cap = cap ? cap * 2 : 8;
			}
			groups[n++] = sqlite3_column_int64(stmt, 0);
		}
		db_stmt_done(db, stmt);
		for (size_t i = 0; i < n && rc == TS_OK; i++)
			rc = walk_group(db, groups[i], s, added);
		free(groups);
		return rc;
	}

	/* A new device joins its product's default group, else group 1 (Default). */
	rc = query_id(db, "SELECT group_id FROM groups_product_defaults WHERE product_id = ? ORDER BY id "
		      "LIMIT 1", &s->product_id, 1, &found, &group);
	if (rc != TS_OK)
		return rc;
	if (!found)
		group = 1;

	rc = db_stmt(db, "INSERT OR IGNORE INTO groups_members (group_id, device_id) VALUES (?, ?)", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, group);
	sqlite3_bind_int64(stmt, 2, s->device_id);
	rc = db_step(db, stmt, NULL);
	db_stmt_done(db, stmt);
	if (rc != TS_OK)
		return rc;

	rc = db_stmt(db, "UPDATE devices SET created = ? WHERE id = ?", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, (int64_t)time(NULL));
	sqlite3_bind_int64(stmt, 2, s->device_id);
	rc = db_step(db, stmt, NULL);
	db_stmt_done(db, stmt);
	if (rc != TS_OK)
		return rc;
	return walk_group(db, group, s, added);
}

/*
 * Returns when this process started, in seconds since the epoch, or 0 if
 * /proc cannot tell. Both IMVs of a tnc-server get the same value, and a
 * session created before it belongs to an earlier server process whose
 * connection IDs this one may use again.
 */
static int64_t process_start_time(void)
{
	char buf[1024], *p;
	unsigned long long start_ticks = 0, boot_time = 0;
	long ticks_per_second = sysconf(_SC_CLK_TCK);
	size_t n;
	FILE *f;

	f = fopen("/proc/self/stat", "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Field 22 (starttime); counting starts after the ")" that ends field 2. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &start_ticks) != 1)
		return 0;

	f = fopen("/proc/stat", "r");
	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %llu", &boot_time) == 1)
			break;
	fclose(f);
	if (!boot_time || ticks_per_second <= 0)
		return 0;
	return (int64_t)(boot_time + start_ticks / (unsigned long long)ticks_per_second);
}

static int64_t process_start;
static pthread_once_t process_start_once = PTHREAD_ONCE_INIT;

/*
 * btime in /proc/stat is rounded to whole seconds, so the computed start time
 * can be up to a second late. The margin keeps this process's sessions shareable.
 */
#define PROCESS_START_MARGIN_SECONDS 2

static void read_process_start(void)
{
	int64_t start = process_start_time();

	process_start = start > PROCESS_START_MARGIN_SECONDS ? start - PROCESS_START_MARGIN_SECONDS : 0;
}

int pm_session_attach(db_t *db, const pm_session_info *info, pm_session *out)
{
	pm_session s = { 0 };
	int64_t params[4];
	sqlite3_stmt *stmt = NULL;
	size_t added = 0;
	bool found = false;
	int rc;

	rc = db_begin(db);
	if (rc != TS_OK)
		goto out;
	rc = find_or_add_product(db, info->product, &s.product_id);
	if (rc == TS_OK)
		rc = find_or_add_device(db, info->device, s.product_id, &s);
	if (rc != TS_OK)
		goto out;

	/* Another IMV of this connection may have created the session already. */
	params[0] = (int64_t)info->connection;
	params[1] = s.device_id;
	params[2] = s.product_id;
	pthread_once(&process_start_once, read_process_start);
	params[3] = (int64_t)time(NULL) - PM_SESSION_SHARE_SECONDS;
	if (params[3] < process_start)
		params[3] = process_start;
	rc = query_id(db, "SELECT id FROM sessions WHERE connection = ? AND device = ? AND product = ? "
		      "AND time >= ? AND rec = 3 ORDER BY id DESC LIMIT 1", params, 4, &found, &s.id);
	if (rc != TS_OK)
		goto out;

	if (!found) {
		rc = db_stmt(db, "INSERT INTO sessions (time, connection, product, device, identity) "
				"VALUES (?, ?, ?, ?, NULL)", &stmt);
		if (rc != TS_OK)
			goto out;
		sqlite3_bind_int64(stmt, 1, (int64_t)time(NULL));
		sqlite3_bind_int64(stmt, 2, (int64_t)info->connection);
		sqlite3_bind_int64(stmt, 3, s.product_id);
		sqlite3_bind_int64(stmt, 4, s.device_id);
		rc = db_step(db, stmt, NULL);
		db_stmt_done(db, stmt);
		if (rc != TS_OK)
			goto out;
		s.id = sqlite3_last_insert_rowid(db_handle(db));
		s.created = true;

		rc = add_identities(db, info, s.id);
		if (rc == TS_OK)
			rc = start_session(db, &s, &added);
		if (rc != TS_OK)
			goto out;
	}
	rc = db_commit(db);
out:
	if (rc != TS_OK) {
		db_rollback(db);
		log_conn(LOG_SUBSYS_DB, LOG_LEVEL_ERROR, info->connection,
			 "cannot set up the session of device %s: %s", info->device, ts_strerror(rc));
		return rc;
	}
	if (s.created)
		log_conn(LOG_SUBSYS_DB, LOG_LEVEL_INFO, info->connection,
			 "session %lld for device %s (%s): %zu workitems", (long long)s.id, info->device,
			 info->product, added);
	*out = s;
	return TS_OK;
}

void pm_workitems_free(pm_workitem *items, size_t count)
{
	if (!items)
		return;
	for (size_t i = 0; i < count; i++) {
		free(items[i].arg_str);
		free(items[i].result);
	}
	free(items);
}

static bool type_in(int type, const int *types, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (types[i] == type)
			return true;
	return false;
}

int pm_workitems_load(db_t *db, int64_t session, const int *types, size_t type_count,
		      pm_workitem **out, size_t *count)
{
	sqlite3_stmt *stmt = NULL;
	pm_workitem *items = NULL;
	size_t n = 0;
	bool row = false;
	int rc;

	rc = db_stmt(db, "SELECT id, type, arg_str, arg_int, rec_fail, rec_noresult, rec_final, result "
			"FROM workitems WHERE session = ? ORDER BY id", &stmt);
	if (rc != TS_OK)
		return rc;
	sqlite3_bind_int64(stmt, 1, session);
	while ((rc = db_step(db, stmt, &row)) == TS_OK && row) {
		const char *arg = (const char *)sqlite3_column_text(stmt, 2);
		const char *result = (const char *)sqlite3_column_text(stmt, 7);
		pm_workitem *w, *p;
		int type = sqlite3_column_int(stmt, 1);

		if (!type_in(type, types, type_count))
			continue;
		if (n >= PM_MAX_WORKITEMS) {
			rc = TS_E_TOO_LARGE;
			break;
		}
		p = realloc(items, (n + 1) * sizeof(*items));
		if (!p) {
			rc = TS_E_NOMEM;
			break;
		}
		items = p;
		w = &items[n];
		memset(w, 0, sizeof(*w));
		n++;
		w->id = sqlite3_column_int64(stmt, 0);
		w->type = type;
		w->arg_str = strdup(arg ? arg : "");
		w->arg_int = sqlite3_column_int64(stmt, 3);
		w->rec_fail = sqlite3_column_int(stmt, 4);
		w->rec_noresult = sqlite3_column_int(stmt, 5);
		w->done = result != NULL;
		w->rec_final = w->done ? sqlite3_column_int(stmt, 6) : PM_REC_NONE;
		if (!w->done)
			w->evaluation = PM_EVAL_DONT_KNOW;
		else if (w->rec_final == PM_REC_ALLOW)
			w->evaluation = PM_EVAL_COMPLIANT;
		else if (w->rec_final == w->rec_fail)
			w->evaluation = PM_EVAL_NONCOMPLIANT_MINOR;
		else
			w->evaluation = PM_EVAL_ERROR;
		w->result = result ? strdup(result) : NULL;
		if (!w->arg_str || (result && !w->result)) {
			rc = TS_E_NOMEM;
			break;
		}
	}
	db_stmt_done(db, stmt);
	if (rc != TS_OK) {
		pm_workitems_free(items, n);
		return rc;
	}
	*out = items;
	*count = n;
	return TS_OK;
}

int pm_workitem_set_result(db_t *db, pm_workitem *item, const char *result, int evaluation)
{
	sqlite3_stmt *stmt = NULL;
	char *copy;
	int rec, rc;

	switch (evaluation) {
	case PM_EVAL_COMPLIANT:
		rec = PM_REC_ALLOW;
		break;
	case PM_EVAL_NONCOMPLIANT_MINOR:
	case PM_EVAL_NONCOMPLIANT_MAJOR:
		rec = item->rec_fail;
		break;
	default:
		rec = item->rec_noresult;
		break;
	}
	copy = strdup(result);
	if (!copy)
		return TS_E_NOMEM;

	rc = db_stmt(db, "UPDATE workitems SET result = ?, rec_final = ? WHERE id = ?", &stmt);
	if (rc == TS_OK) {
		sqlite3_bind_text(stmt, 1, result, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 2, rec);
		sqlite3_bind_int64(stmt, 3, item->id);
		rc = db_step(db, stmt, NULL);
		db_stmt_done(db, stmt);
	}
	if (rc != TS_OK) {
		free(copy);
		return rc;
	}
	free(item->result);
	item->result = copy;
	item->rec_final = rec;
	item->evaluation = evaluation;
	item->done = true;
	return TS_OK;
}

/* Severity order of recommendations: no access > isolate > allow > none. */
static int rec_severity(int rec)
{
	switch (rec) {
	case PM_REC_NO_ACCESS: return 3;
	case PM_REC_ISOLATE:   return 2;
	case PM_REC_ALLOW:     return 1;
	default:               return 0;
	}
}

/* Severity order of evaluations: error > major > minor > compliant > don't know. */
static int eval_severity(int eval)
{
	switch (eval) {
	case PM_EVAL_ERROR:              return 4;
	case PM_EVAL_NONCOMPLIANT_MAJOR: return 3;
	case PM_EVAL_NONCOMPLIANT_MINOR: return 2;
	case PM_EVAL_COMPLIANT:          return 1;
	default:                         return 0;
	}
}

void pm_combine(const pm_workitem *items, size_t count, int *rec, int *eval)
{
	int r = PM_REC_NONE, e = PM_EVAL_DONT_KNOW;

	if (count == 0) {
		*rec = PM_REC_ALLOW;
		*eval = PM_EVAL_DONT_KNOW;
		return;
	}
	for (size_t i = 0; i < count; i++) {
		int wr, we;

		if (!items[i].done) {
			/* Fail closed: an unevaluated workitem is an error. */
			wr = items[i].rec_noresult;
			we = PM_EVAL_ERROR;
		} else {
			wr = items[i].rec_final;
			we = items[i].evaluation;
		}
		if (rec_severity(wr) > rec_severity(r))
			r = wr;
		if (eval_severity(we) > eval_severity(e))
			e = we;
	}
	/* A workitem whose policy sets "no recommendation" must not become allow. */
	*rec = r == PM_REC_NONE ? PM_REC_NO_ACCESS : r;
	*eval = e;
}

/* Types that no tncsuite IMV evaluates; whichever IMV stops first clears them. */
static bool unhandled_type(int type)
{
	return type < PM_WORKITEM_PCKGS || (type >= PM_WORKITEM_TCPOP && type <= PM_WORKITEM_SWIDT) ||
	       type > PM_WORKITEM_TYPE_MAX;
}

int pm_session_stop(db_t *db, int64_t session, int final_rec, const int *types, size_t type_count)
{
	sqlite3_stmt *sel = NULL, *stmt = NULL;
	bool row = false;
	int rc;

	rc = db_begin(db);
	if (rc != TS_OK)
		return rc;

	rc = db_stmt(db, "UPDATE sessions SET rec = ? WHERE id = ?", &stmt);
	if (rc != TS_OK)
		goto out;
	sqlite3_bind_int(stmt, 1, final_rec);
	sqlite3_bind_int64(stmt, 2, session);
	rc = db_step(db, stmt, NULL);
	db_stmt_done(db, stmt);
	if (rc != TS_OK)
		goto out;

	rc = db_stmt(db, "SELECT w.id, w.type, w.result, w.rec_final, e.policy FROM workitems AS w "
			"JOIN enforcements AS e ON w.enforcement = e.id WHERE w.session = ?", &sel);
	if (rc != TS_OK)
		goto out;
	sqlite3_bind_int64(sel, 1, session);
	while ((rc = db_step(db, sel, &row)) == TS_OK && row) {
		int64_t id = sqlite3_column_int64(sel, 0);
		int type = sqlite3_column_int(sel, 1);

		if (!type_in(type, types, type_count) && !unhandled_type(type))
			continue;
		if (sqlite3_column_type(sel, 2) != SQLITE_NULL) {
			rc = db_stmt(db, "INSERT INTO results (session, policy, rec, result) VALUES (?, ?, ?, ?)",
					&stmt);
			if (rc != TS_OK)
				break;
			sqlite3_bind_int64(stmt, 1, session);
			sqlite3_bind_int64(stmt, 2, sqlite3_column_int64(sel, 4));
			sqlite3_bind_int(stmt, 3, sqlite3_column_int(sel, 3));
			sqlite3_bind_text(stmt, 4, (const char *)sqlite3_column_text(sel, 2), -1, SQLITE_TRANSIENT);
			rc = db_step(db, stmt, NULL);
			db_stmt_done(db, stmt);
			if (rc != TS_OK)
				break;
		}
		rc = db_stmt(db, "DELETE FROM workitems WHERE id = ?", &stmt);
		if (rc != TS_OK)
			break;
		sqlite3_bind_int64(stmt, 1, id);
		rc = db_step(db, stmt, NULL);
		db_stmt_done(db, stmt);
		if (rc != TS_OK)
			break;
	}
	db_stmt_done(db, sel);
	if (rc == TS_OK)
		rc = db_commit(db);
out:
	if (rc != TS_OK) {
		db_rollback(db);
		log_error(LOG_SUBSYS_DB, "cannot close session %lld: %s", (long long)session, ts_strerror(rc));
	}
	return rc;
}

/* --- AR identities ---------------------------------------------------------------- */

/* Octets of one identity without its value. */
#define IDENTITY_FIXED_LEN 28

int pm_parse_identities(const uint8_t *buf, size_t len, pm_identity *out, size_t max, size_t *count)
{
	uint32_t n, type_vendor, type, subject_vendor, subject, auth_vendor, auth;
	const uint8_t *value;
	size_t value_len, stored = 0;
	reader_t r;

	reader_init(&r, buf, len);
	if (reader_u32(&r, &n) != TS_OK)
		return TS_E_TRUNCATED;
	/* Every identity takes at least IDENTITY_FIXED_LEN octets, which bounds the loop. */
	if (n > reader_remaining(&r) / IDENTITY_FIXED_LEN)
		return TS_E_TRUNCATED;
	for (uint32_t i = 0; i < n; i++) {
		if (reader_u32(&r, &type_vendor) != TS_OK || reader_u32(&r, &type) != TS_OK ||
		    reader_vec32(&r, &value, &value_len) != TS_OK || reader_u32(&r, &subject_vendor) != TS_OK ||
		    reader_u32(&r, &subject) != TS_OK || reader_u32(&r, &auth_vendor) != TS_OK ||
		    reader_u32(&r, &auth) != TS_OK)
			return TS_E_TRUNCATED;
		if (type_vendor != TNC_VENDORID_TCG_NEW || value_len == 0 || stored == max)
			continue;
		out[stored].type = type;
		out[stored].value = value;
		out[stored].len = value_len;
		stored++;
	}
	if (reader_expect_end(&r) != TS_OK)
		return TS_E_TRAILING;
	*count = stored;
	return TS_OK;
}

size_t pm_read_identities(tnc_agent_t *agent, TNC_ConnectionID conn, const char *imv_name, uint8_t **buf,
			  pm_identity *ids)
{
	size_t len = 0, count = 0;
	TNC_Result result;

	*buf = malloc(PM_MAX_IDENTITY_BUFFER);
	if (!*buf)
		return 0;
	result = tnc_agent_get_attribute(agent, conn, TNC_ATTRIBUTEID_AR_IDENTITIES, *buf, PM_MAX_IDENTITY_BUFFER,
					 &len);
	if (result != TNC_RESULT_SUCCESS || len > PM_MAX_IDENTITY_BUFFER) {
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_DEBUG, conn, "%s: the TNCS provides no AR identities", imv_name);
		return 0;
	}
	if (pm_parse_identities(*buf, len, ids, PM_MAX_IDENTITIES, &count) != TS_OK) {
		log_conn(LOG_SUBSYS_IMV, LOG_LEVEL_ERROR, conn, "%s: the TNCS sent malformed AR identities",
			 imv_name);
		return 0;
	}
	return count;
}
