/*
 * Tests of imv-os: the workitem checks against a real config.db made with
 * db_init(), and the module itself (the built imv-os.so) driven through
 * IF-IMV by a small recording TNCS written for this test. The TNCS only
 * records what the module sends and provides. The handshake through the
 * real TNCS is in test_imc_os_handshake.c.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

#include "db/db.h"
#include "os/imv_os_eval.h"
#include "pa/ietf_assessment_result.h"
#include "pa/ietf_attr.h"
#include "pa/ietf_attr_request.h"
#include "pa/ietf_factory_default_pwd.h"
#include "pa/ietf_forwarding_enabled.h"
#include "pa/ietf_installed_packages.h"
#include "pa/ietf_product_info.h"
#include "pa/ietf_remediation.h"
#include "pa/ietf_string_version.h"
#include "pa/pa_msg.h"
#include "pa/pa_registry.h"
#include "policy_manager.h"
#include "pts/ita_attr.h"
#include "pts/pts_attr_info.h"
#include "tncifimv.h"
#include "writer.h"

static char dir[64];
static char config_db[128];
static db_t *db;

static void setup(void)
{
	strcpy(dir, "/tmp/test_imv_os.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(config_db, sizeof(config_db), "%s/config.db", dir);
	ck_assert_int_eq(db_init(config_db, 2000, &db), TS_OK);
}

static void teardown(void)
{
	char cmd[128];

	db_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void sql(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ck_assert_int_eq(db_exec(db, text), TS_OK);
}

static long long query_int(const char *text)
{
	sqlite3_stmt *stmt;
	long long v;

	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), text, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

static const char *query_text(const char *text)
{
	static char out[2048];
	sqlite3_stmt *stmt;

	ck_assert_int_eq(sqlite3_prepare_v2(db_handle(db), text, -1, &stmt, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(stmt), SQLITE_ROW);
	snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return out;
}

/* The id of product `name`, inserted if missing. */
static long long product_id(const char *name)
{
	char text[256];

	sql("INSERT INTO products (name) SELECT '%s' WHERE NOT EXISTS (SELECT 1 FROM products WHERE name = '%s')",
	    name, name);
	snprintf(text, sizeof(text), "SELECT id FROM products WHERE name = '%s'", name);
	return query_int(text);
}

static void add_version(const char *product, const char *package, const char *release, int security,
			int blacklist)
{
	long long prod = product_id(product);

	sql("INSERT INTO packages (name) SELECT '%s' WHERE NOT EXISTS (SELECT 1 FROM packages WHERE name = '%s')",
	    package, package);
	sql("INSERT INTO versions (product, package, release, security, blacklist) "
	    "SELECT %lld, id, '%s', %d, %d FROM packages WHERE name = '%s'", prod, release, security, blacklist,
	    package);
}

/* A policy of `type` enforced on the Default group (max_age 0: run every time). */
static void add_policy(int id, int type, int rec_fail, int rec_noresult)
{
	sql("INSERT INTO policies (id, type, name, argument, rec_fail, rec_noresult) VALUES (%d, %d, 'policy %d', '', %d, %d)",
	    id, type, id, rec_fail, rec_noresult);
	sql("INSERT INTO enforcements (policy, group_id, max_age) VALUES (%d, 1, 0)", id);
}

/* --- Debian version ordering ---------------------------------------------------- */

START_TEST(version_policy_examples)
{
	/* Debian Policy 5.6.12: "~~" < "~~a" < "~" < "" < "a" in a non-digit part. */
	static const char *const ordered[] = { "1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a" };

	for (size_t i = 0; i + 1 < sizeof(ordered) / sizeof(ordered[0]); i++) {
		ck_assert_int_lt(imv_os_version_compare(ordered[i], ordered[i + 1]), 0);
		ck_assert_int_gt(imv_os_version_compare(ordered[i + 1], ordered[i]), 0);
	}
	ck_assert_int_eq(imv_os_version_compare("1.01", "1.1"), 0);
	ck_assert_int_eq(imv_os_version_compare("0:1.0", "1.0"), 0);
	ck_assert_int_gt(imv_os_version_compare("1:0.1", "2.0"), 0);
	ck_assert_int_gt(imv_os_version_compare("1.2.10", "1.2.9"), 0);
	ck_assert_int_lt(imv_os_version_compare("1.0", "1.0-1"), 0);
	ck_assert_int_lt(imv_os_version_compare("2.36-9+deb12u3", "2.36-9+deb12u4"), 0);
	ck_assert_int_lt(imv_os_version_compare("3.0.11-1~deb12u1", "3.0.11-1"), 0);
}
END_TEST

START_TEST(version_matches_dpkg)
{
	static const char *const versions[] = {
		"1.0", "1.0-1", "1.0-1.1", "1:0.9", "2:1", "1.0~rc1-1", "1.0+dfsg-2", "1.0a", "1.0.0",
		"10", "9.9.9", "1.0-1~bpo12+1", "1.0-1+b1", "0.0", "2.36-9+deb12u4", "2.36-10", "1-2-3",
		"1.0-0", "a", "1.0.", "1.0~", "1.0-~",
	};
	size_t n = sizeof(versions) / sizeof(versions[0]);
	char cmd[256];

	if (system("command -v dpkg >/dev/null") != 0)
		return;
	/* dpkg --compare-versions is the reference implementation; every pair is compared both ways. */
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < n; k++) {
			int mine = imv_os_version_compare(versions[i], versions[k]);
			int lt;

			snprintf(cmd, sizeof(cmd), "dpkg --compare-versions '%s' lt '%s' 2>/dev/null", versions[i],
				 versions[k]);
			lt = system(cmd) == 0;
			ck_assert_msg((mine < 0) == lt, "%s vs %s: ours %d, dpkg lt %d", versions[i], versions[k],
				      mine, lt);
		}
	}
}
END_TEST

START_TEST(text_ok_cases)
{
	ck_assert(imv_os_text_ok((const uint8_t *)"Debian", 6));
	ck_assert(imv_os_text_ok((const uint8_t *)"\xc3\xa9t\xc3\xa9", 5));
	ck_assert(!imv_os_text_ok((const uint8_t *)"a\x01", 2));
	ck_assert(!imv_os_text_ok((const uint8_t *)"a\x7f", 2));
	ck_assert(!imv_os_text_ok((const uint8_t *)"\xff", 1));
	ck_assert(!imv_os_text_ok((const uint8_t *)"\xc2\x85", 2));
	ck_assert(!imv_os_text_ok((const uint8_t *)"\xe2\x82", 2));
	ck_assert(!imv_os_text_ok((const uint8_t *)"\xed\xa0\x80", 3));
}
END_TEST

/* --- PCKGS, FWDEN, PWDEN ---------------------------------------------------------- */

static void seed_versions(void)
{
	add_version("Debian 12 x86_64", "openssl", "3.0.11-1~deb12u1", 1, 0);
	add_version("Debian 12 x86_64", "openssl", "3.0.11-1~deb12u2", 1, 0);
	add_version("Debian 12 x86_64", "openssl", "3.0.9-1", 0, 1);
	add_version("Debian 12 x86_64", "libc6", "2.36-9+deb12u4", 1, 0);
	add_version("Debian 12 x86_64", "bash", "5.2.15-2+b2", 0, 0);
	/* Rows of another product must not count. */
	add_version("Debian 11 x86_64", "bash", "5.1-2", 0, 1);
	add_version("Debian 11 x86_64", "libc6", "9.99-1", 1, 0);
}

static void check_pkg(imv_os_pkg_check *check, const imv_os_pkgdb *pkgdb, const char *name,
		      const char *version)
{
	imv_os_pkg_check_add(check, pkgdb, (const uint8_t *)name, strlen(name), (const uint8_t *)version,
			     strlen(version));
}

START_TEST(pckgs_blacklisted_and_outdated)
{
	char result[4096], remediation[4096];
	imv_os_pkgdb *pkgdb = NULL;
	imv_os_pkg_check check;

	seed_versions();
	ck_assert_int_eq(imv_os_pkgdb_load(db, product_id("Debian 12 x86_64"), &pkgdb), TS_OK);
	/* Four rows are marked security or blacklist; bash 5.2.15-2+b2 is neither. */
	ck_assert_uint_eq(imv_os_pkgdb_count(pkgdb), 4);

	imv_os_pkg_check_init(&check);
	check_pkg(&check, pkgdb, "openssl", "3.0.9-1");
	check_pkg(&check, pkgdb, "libc6", "2.36-9+deb12u3");
	check_pkg(&check, pkgdb, "bash", "5.1-2");
	check_pkg(&check, pkgdb, "zlib1g", "1:1.2.13.dfsg-1");
	ck_assert_uint_eq(check.checked, 4);
	ck_assert_uint_eq(check.blacklisted, 1);
	ck_assert_uint_eq(check.outdated, 1);
	ck_assert_uint_eq(check.unknown, 2);
	ck_assert_int_eq(imv_os_pkg_check_finish(&check, result, sizeof(result), remediation, sizeof(remediation)),
			 PM_EVAL_NONCOMPLIANT_MAJOR);
	ck_assert_str_eq(result, "4 packages checked, 1 blacklisted: openssl 3.0.9-1, 1 with security updates: "
				 "libc6 2.36-9+deb12u3 (security version 2.36-9+deb12u4)");
	ck_assert_str_eq(remediation, "Remove the blacklisted packages openssl 3.0.9-1. Install the security "
				      "updates of libc6 2.36-9+deb12u3 (security version 2.36-9+deb12u4).");
	imv_os_pkgdb_free(pkgdb);
}
END_TEST

START_TEST(pckgs_outdated_security_version)
{
	char result[4096], remediation[4096];
	imv_os_pkgdb *pkgdb = NULL;
	imv_os_pkg_check check;

	seed_versions();
	ck_assert_int_eq(imv_os_pkgdb_load(db, product_id("Debian 12 x86_64"), &pkgdb), TS_OK);
	imv_os_pkg_check_init(&check);
	/* Older than the newer of the two openssl security versions. */
	check_pkg(&check, pkgdb, "openssl", "3.0.11-1~deb12u1");
	ck_assert_int_eq(imv_os_pkg_check_finish(&check, result, sizeof(result), remediation, sizeof(remediation)),
			 PM_EVAL_NONCOMPLIANT_MINOR);
	ck_assert_str_eq(result, "1 packages checked, 1 with security updates: openssl 3.0.11-1~deb12u1 "
				 "(security version 3.0.11-1~deb12u2)");
	imv_os_pkgdb_free(pkgdb);
}
END_TEST

START_TEST(pckgs_all_current)
{
	char result[4096], remediation[4096];
	imv_os_pkgdb *pkgdb = NULL;
	imv_os_pkg_check check;

	seed_versions();
	ck_assert_int_eq(imv_os_pkgdb_load(db, product_id("Debian 12 x86_64"), &pkgdb), TS_OK);
	imv_os_pkg_check_init(&check);
	check_pkg(&check, pkgdb, "openssl", "3.0.11-1~deb12u2");
	/* Newer than the security version is fine too. */
	check_pkg(&check, pkgdb, "libc6", "2.36-9+deb12u5");
	check_pkg(&check, pkgdb, "bash", "5.2.15-2+b2");
	ck_assert_int_eq(imv_os_pkg_check_finish(&check, result, sizeof(result), remediation, sizeof(remediation)),
			 PM_EVAL_COMPLIANT);
	ck_assert_str_eq(result, "3 packages checked, none blacklisted or outdated (1 without security or "
				 "blacklist versions)");
	ck_assert_str_eq(remediation, "");
	imv_os_pkgdb_free(pkgdb);
}
END_TEST

START_TEST(pckgs_list_is_capped)
{
	char result[8192], remediation[8192], name[32], more[64];
	imv_os_pkgdb *pkgdb = NULL;
	imv_os_pkg_check check;

	ck_assert_int_eq(db_begin(db), TS_OK);
	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "pkg%02d", i);
		add_version("Debian 12 x86_64", name, "1.0", 0, 1);
	}
	ck_assert_int_eq(db_commit(db), TS_OK);
	ck_assert_int_eq(imv_os_pkgdb_load(db, product_id("Debian 12 x86_64"), &pkgdb), TS_OK);
	imv_os_pkg_check_init(&check);
	for (int i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "pkg%02d", i);
		check_pkg(&check, pkgdb, name, "1.0");
	}
	ck_assert_uint_eq(check.blacklisted, 30);
	ck_assert_int_eq(imv_os_pkg_check_finish(&check, result, sizeof(result), remediation, sizeof(remediation)),
			 PM_EVAL_NONCOMPLIANT_MAJOR);
	snprintf(more, sizeof(more), "pkg%02d 1.0 and %d more", IMV_OS_MAX_LISTED - 1, 30 - IMV_OS_MAX_LISTED);
	ck_assert_ptr_nonnull(strstr(result, more));
	ck_assert_ptr_null(strstr(result, "pkg29"));
	imv_os_pkgdb_free(pkgdb);
}
END_TEST

START_TEST(fwden_and_pwden)
{
	char result[256], remediation[256];

	ck_assert_int_eq(imv_os_eval_forwarding(IETF_FORWARDING_ENABLED, result, sizeof(result), remediation,
						sizeof(remediation)), PM_EVAL_NONCOMPLIANT_MAJOR);
	ck_assert_str_eq(result, "IP forwarding is enabled");
	ck_assert_str_ne(remediation, "");
	ck_assert_int_eq(imv_os_eval_forwarding(IETF_FORWARDING_DISABLED, result, sizeof(result), remediation,
						sizeof(remediation)), PM_EVAL_COMPLIANT);
	ck_assert_str_eq(result, "IP forwarding is disabled");
	ck_assert_str_eq(remediation, "");
	ck_assert_int_eq(imv_os_eval_forwarding(IETF_FORWARDING_UNKNOWN, result, sizeof(result), remediation,
						sizeof(remediation)), PM_EVAL_DONT_KNOW);

	ck_assert_int_eq(imv_os_eval_default_password(IETF_FACTORY_DEFAULT_PWD_ENABLED, result, sizeof(result),
						      remediation, sizeof(remediation)), PM_EVAL_NONCOMPLIANT_MAJOR);
	ck_assert_str_eq(result, "a factory default password is enabled");
	ck_assert_int_eq(imv_os_eval_default_password(IETF_FACTORY_DEFAULT_PWD_DISABLED, result, sizeof(result),
						      remediation, sizeof(remediation)), PM_EVAL_COMPLIANT);
}
END_TEST

/* Appends one AR identity in the IF-IMV 1.4 layout. */
static void put_identity(writer_t *w, uint32_t vendor, uint32_t type, const char *value)
{
	writer_u32(w, vendor);
	writer_u32(w, type);
	writer_vec32(w, value, strlen(value));
	writer_u32(w, TNC_VENDORID_TCG_NEW);
	writer_u32(w, TNC_SUBJECT_USER);
	writer_u32(w, TNC_VENDORID_TCG_NEW);
	writer_u32(w, TNC_AUTH_PASSWORD);
}

START_TEST(identities_parse)
{
	pm_identity ids[4];
	size_t count = 99;
	writer_t w;

	writer_init(&w, 4096);
	writer_u32(&w, 4);
	put_identity(&w, TNC_VENDORID_TCG_NEW, TNC_ID_USERNAME, "alice");
	put_identity(&w, 0x001234, TNC_ID_USERNAME, "other-vendor");
	put_identity(&w, TNC_VENDORID_TCG_NEW, TNC_ID_IPV4_ADDR, "");
	put_identity(&w, TNC_VENDORID_TCG_NEW, TNC_ID_IPV4_ADDR, "192.0.2.7");
	ck_assert_int_eq(writer_status(&w), TS_OK);
	ck_assert_int_eq(pm_parse_identities(writer_data(&w), writer_len(&w), ids, 4, &count), TS_OK);
	ck_assert_uint_eq(count, 2);
	ck_assert_uint_eq(ids[0].type, TNC_ID_USERNAME);
	ck_assert_uint_eq(ids[0].len, 5);
	ck_assert_mem_eq(ids[0].value, "alice", 5);
	ck_assert_uint_eq(ids[1].type, TNC_ID_IPV4_ADDR);

	/* At most max are kept. */
	ck_assert_int_eq(pm_parse_identities(writer_data(&w), writer_len(&w), ids, 1, &count), TS_OK);
	ck_assert_uint_eq(count, 1);
	/* Truncated by one octet, and with one octet too many. */
	ck_assert_int_eq(pm_parse_identities(writer_data(&w), writer_len(&w) - 1, ids, 4, &count),
			 TS_E_TRUNCATED);
	writer_u8(&w, 0);
	ck_assert_int_eq(pm_parse_identities(writer_data(&w), writer_len(&w), ids, 4, &count), TS_E_TRAILING);
	writer_free(&w);

	/* A count the buffer cannot hold is rejected before any loop. */
	writer_init(&w, 64);
	writer_u32(&w, 0xFFFFFFFF);
	ck_assert_int_eq(pm_parse_identities(writer_data(&w), writer_len(&w), ids, 4, &count),
			 TS_E_TRUNCATED);
	writer_free(&w);
}
END_TEST

/* --- the module, through a recording TNCS ------------------------------------------ */

#define CONN 7
#define IMV_ID 1
#define IMC_ID 3
#define MAX_SENT 16

typedef struct sent_msg {
	TNC_UInt32 flags;
	TNC_UInt32 dst;
	TNC_VendorID vendor;
	TNC_MessageSubtype subtype;
	uint8_t *data;
	size_t len;
} sent_msg;

static struct {
	sent_msg sent[MAX_SENT];
	int sent_count;
	int recommendations;
	TNC_UInt32 rec;
	TNC_UInt32 eval;
	char reason[1024];
	char reason_lang[16];
	bool with_identities;
} tncs;

static struct {
	void *handle;
	TNC_IMV_InitializePointer initialize;
	TNC_IMV_ProvideBindFunctionPointer provide_bind;
	TNC_IMV_NotifyConnectionChangePointer notify;
	TNC_IMV_ReceiveMessageLongPointer receive_long;
	TNC_IMV_BatchEndingPointer batch_ending;
	TNC_IMV_SolicitRecommendationPointer solicit;
	TNC_IMV_TerminatePointer terminate;
} imv;

static TNC_Result tncs_report_long(TNC_IMVID id, TNC_VendorIDList vendors, TNC_MessageSubtypeList subtypes,
				   TNC_UInt32 count)
{
	ck_assert_uint_eq(count, 1);
	ck_assert_uint_eq(vendors[0], 0);
	ck_assert_uint_eq(subtypes[0], 1);
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncs_send_long(TNC_IMVID id, TNC_ConnectionID conn, TNC_UInt32 flags, TNC_BufferReference msg,
				 TNC_UInt32 len, TNC_VendorID vendor, TNC_MessageSubtype subtype, TNC_UInt32 dst)
{
	sent_msg *s;

	ck_assert_int_lt(tncs.sent_count, MAX_SENT);
	s = &tncs.sent[tncs.sent_count++];
	s->flags = flags;
	s->dst = dst;
	s->vendor = vendor;
	s->subtype = subtype;
	s->data = malloc(len);
	ck_assert_ptr_nonnull(s->data);
	memcpy(s->data, msg, len);
	s->len = len;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncs_provide(TNC_IMVID id, TNC_ConnectionID conn, TNC_IMV_Action_Recommendation rec,
			       TNC_IMV_Evaluation_Result eval)
{
	tncs.recommendations++;
	tncs.rec = rec;
	tncs.eval = eval;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result put_value(const void *value, size_t len, TNC_UInt32 buf_len, TNC_BufferReference buf,
			    TNC_UInt32 *out_len)
{
	*out_len = len;
	if (buf_len < len)
		return TNC_RESULT_INVALID_PARAMETER;
	memcpy(buf, value, len);
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncs_get_attribute(TNC_IMVID id, TNC_ConnectionID conn, TNC_AttributeID attr,
				     TNC_UInt32 buf_len, TNC_BufferReference buf, TNC_UInt32 *out_len)
{
	static const uint8_t max_size[4] = { 0x00, 0x20, 0x00, 0x00 };
	TNC_Result rc;
	writer_t w;

	if (attr == TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE)
		return put_value(max_size, 4, buf_len, buf, out_len);
	if (attr != TNC_ATTRIBUTEID_AR_IDENTITIES || !tncs.with_identities)
		return TNC_RESULT_INVALID_PARAMETER;
	writer_init(&w, 4096);
	writer_u32(&w, 1);
	put_identity(&w, TNC_VENDORID_TCG_NEW, TNC_ID_USERNAME, "carol");
	rc = put_value(writer_data(&w), writer_len(&w), buf_len, buf, out_len);
	writer_free(&w);
	return rc;
}

static TNC_Result tncs_set_attribute(TNC_IMVID id, TNC_ConnectionID conn, TNC_AttributeID attr,
				     TNC_UInt32 len, TNC_BufferReference buf)
{
	if (attr == TNC_ATTRIBUTEID_REASON_STRING)
		snprintf(tncs.reason, sizeof(tncs.reason), "%.*s", (int)len, (const char *)buf);
	else if (attr == TNC_ATTRIBUTEID_REASON_LANGUAGE)
		snprintf(tncs.reason_lang, sizeof(tncs.reason_lang), "%.*s", (int)len, (const char *)buf);
	else
		return TNC_RESULT_INVALID_PARAMETER;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result tncs_bind(TNC_IMVID id, char *name, void **fn)
{
	static const struct {
		const char *name;
		void *fn;
	} table[] = {
		{ "TNC_TNCS_ReportMessageTypesLong", (void *)tncs_report_long },
		{ "TNC_TNCS_SendMessageLong", (void *)tncs_send_long },
		{ "TNC_TNCS_ProvideRecommendation", (void *)tncs_provide },
		{ "TNC_TNCS_GetAttribute", (void *)tncs_get_attribute },
		{ "TNC_TNCS_SetAttribute", (void *)tncs_set_attribute },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(name, table[i].name) == 0) {
			*fn = table[i].fn;
			return TNC_RESULT_SUCCESS;
		}
	}
	*fn = NULL;
	return TNC_RESULT_INVALID_PARAMETER;
}

static void *sym(const char *name)
{
	void *p = dlsym(imv.handle, name);

	ck_assert_msg(p != NULL, "imv-os.so has no %s", name);
	return p;
}

/* Writes tncsuite.conf (config.db plus extra lines) and loads a fresh imv-os.so. */
static TNC_Result load_imv(const char *extra)
{
	char conf_path[192], so[1024];
	const char *top = getenv("TOP_BUILDDIR");
	TNC_Version version = 0;
	TNC_Result rc;
	FILE *f;

	snprintf(conf_path, sizeof(conf_path), "%s/tncsuite.conf", dir);
	f = fopen(conf_path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[imv]\ndatabase = %s\n[imv-os]\n%s\n", config_db, extra ? extra : "");
	ck_assert_int_eq(fclose(f), 0);
	setenv("TNCSUITE_CONF", conf_path, 1);

	snprintf(so, sizeof(so), "%s/imv/os/.libs/imv-os.so", top && *top ? top : TOP_BUILDDIR);
	imv.handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(imv.handle != NULL, "cannot load %s: %s", so, dlerror());
	imv.initialize = (TNC_IMV_InitializePointer)sym("TNC_IMV_Initialize");
	imv.provide_bind = (TNC_IMV_ProvideBindFunctionPointer)sym("TNC_IMV_ProvideBindFunction");
	imv.notify = (TNC_IMV_NotifyConnectionChangePointer)sym("TNC_IMV_NotifyConnectionChange");
	imv.receive_long = (TNC_IMV_ReceiveMessageLongPointer)sym("TNC_IMV_ReceiveMessageLong");
	imv.batch_ending = (TNC_IMV_BatchEndingPointer)sym("TNC_IMV_BatchEnding");
	imv.solicit = (TNC_IMV_SolicitRecommendationPointer)sym("TNC_IMV_SolicitRecommendation");
	imv.terminate = (TNC_IMV_TerminatePointer)sym("TNC_IMV_Terminate");

	rc = imv.initialize(IMV_ID, 1, 1, &version);
	if (rc != TNC_RESULT_SUCCESS)
		return rc;
	ck_assert_uint_eq(version, 1);
	ck_assert_uint_eq(imv.provide_bind(IMV_ID, tncs_bind), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(imv.notify(IMV_ID, CONN, TNC_CONNECTION_STATE_CREATE), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(imv.notify(IMV_ID, CONN, TNC_CONNECTION_STATE_HANDSHAKE), TNC_RESULT_SUCCESS);
	return TNC_RESULT_SUCCESS;
}

static void unload_imv(void)
{
	ck_assert_uint_eq(imv.notify(IMV_ID, CONN, TNC_CONNECTION_STATE_DELETE), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(imv.terminate(IMV_ID), TNC_RESULT_SUCCESS);
	dlclose(imv.handle);
	for (int i = 0; i < tncs.sent_count; i++)
		free(tncs.sent[i].data);
	memset(&tncs, 0, sizeof(tncs));
}

static void deliver(const uint8_t *msg, size_t len)
{
	ck_assert_uint_eq(imv.receive_long(IMV_ID, CONN, 0, (TNC_BufferReference)msg, len, 0, 1, IMC_ID, TNC_IMVID_ANY),
			  TNC_RESULT_SUCCESS);
}

static void end_batch(void)
{
	ck_assert_uint_eq(imv.batch_ending(IMV_ID, CONN), TNC_RESULT_SUCCESS);
}

/* What the client IMC sends; a NULL string or a negative number leaves that attribute out. */
typedef struct client_facts {
	const char *product;
	const char *version;
	const char *device;
	int forwarding;
	int default_pwd;
} client_facts;

static const client_facts debian = { "Debian", "12 x86_64", "8cb3c7e3d94d84e8578949d3f271a09d987b069b", 0, 0 };

static void add_attr(pa_msg_builder *b, uint32_t vendor, uint32_t type, const writer_t *value)
{
	ck_assert_int_eq(pa_msg_builder_add(b, 0, vendor, type, writer_data(value), writer_len(value)), TS_OK);
}

/* Builds the first message of an OS IMC with the given facts and delivers it. */
static void deliver_facts(const client_facts *f)
{
	pa_msg_builder b;
	uint8_t *data = NULL;
	size_t len = 0;
	writer_t w;

	ck_assert_int_eq(pa_msg_builder_init(&b, 42, 65536), TS_OK);
	if (f->product) {
		ietf_product_info pi = { .vendor = 9586, .name = (const uint8_t *)f->product,
					 .name_len = strlen(f->product) };

		writer_init(&w, 1024);
		ck_assert_int_eq(ietf_product_info_encode(&pi, &w), TS_OK);
		add_attr(&b, 0, IETF_ATTR_PRODUCT_INFORMATION, &w);
		writer_free(&w);
	}
	if (f->version) {
		ietf_string_version sv = { .version = (const uint8_t *)f->version, .version_len = strlen(f->version) };

		writer_init(&w, 1024);
		ck_assert_int_eq(ietf_string_version_encode(&sv, &w), TS_OK);
		add_attr(&b, 0, IETF_ATTR_STRING_VERSION, &w);
		writer_free(&w);
	}
	if (f->forwarding >= 0) {
		writer_init(&w, 16);
		ck_assert_int_eq(ietf_forwarding_enabled_encode((uint32_t)f->forwarding, &w), TS_OK);
		add_attr(&b, 0, IETF_ATTR_FORWARDING_ENABLED, &w);
		writer_free(&w);
	}
	if (f->default_pwd >= 0) {
		writer_init(&w, 16);
		ck_assert_int_eq(ietf_factory_default_pwd_encode((uint32_t)f->default_pwd, &w), TS_OK);
		add_attr(&b, 0, IETF_ATTR_FACTORY_DEFAULT_PWD_ENABLED, &w);
		writer_free(&w);
	}
	if (f->device) {
		pts_bytes id = { .data = (const uint8_t *)f->device, .len = strlen(f->device) };

		writer_init(&w, 1024);
		ck_assert_int_eq(ita_attr_device_id_encode(&id, &w), TS_OK);
		add_attr(&b, PA_VENDOR_ITA, ITA_ATTR_DEVICE_ID, &w);
		writer_free(&w);
	}
	ck_assert_int_eq(pa_msg_builder_finish(&b, &data, &len), TS_OK);
	pa_msg_builder_free(&b);
	deliver(data, len);
	free(data);
}

/* Delivers one Installed Packages attribute with name/version pairs. */
static void deliver_packages(const char *const *pairs, size_t count)
{
	ietf_package pkgs[16];
	pa_msg_builder b;
	uint8_t *data = NULL;
	size_t len = 0;
	writer_t w;

	ck_assert_uint_le(count, 16);
	for (size_t i = 0; i < count; i++) {
		pkgs[i].name = (const uint8_t *)pairs[2 * i];
		pkgs[i].name_len = strlen(pairs[2 * i]);
		pkgs[i].version = (const uint8_t *)pairs[2 * i + 1];
		pkgs[i].version_len = strlen(pairs[2 * i + 1]);
	}
	writer_init(&w, 65536);
	ck_assert_int_eq(ietf_installed_packages_encode(pkgs, count, &w), TS_OK);
	ck_assert_int_eq(pa_msg_builder_init(&b, 43, 65536), TS_OK);
	add_attr(&b, 0, IETF_ATTR_INSTALLED_PACKAGES, &w);
	writer_free(&w);
	ck_assert_int_eq(pa_msg_builder_finish(&b, &data, &len), TS_OK);
	pa_msg_builder_free(&b);
	deliver(data, len);
	free(data);
}

/* Parses sent message i, checks its type and addressing, and returns it (pa_msg_free). */
static pa_msg *sent(int i)
{
	pa_msg *msg = NULL;

	ck_assert_int_lt(i, tncs.sent_count);
	ck_assert_uint_eq(tncs.sent[i].vendor, 0);
	ck_assert_uint_eq(tncs.sent[i].subtype, 1);
	ck_assert_uint_eq(tncs.sent[i].flags, 0);
	ck_assert_uint_eq(tncs.sent[i].dst, TNC_IMCID_ANY);
	ck_assert_int_eq(pa_msg_parse(tncs.sent[i].data, tncs.sent[i].len, NULL, &msg, NULL), TS_OK);
	return msg;
}

/* The Assessment Result of a sent message; it must be the first attribute. */
static uint32_t assessment_of(const pa_msg *msg)
{
	uint32_t v = 99;

	ck_assert_uint_ge(msg->count, 1);
	ck_assert_uint_eq(msg->attrs[0].type, IETF_ATTR_ASSESSMENT_RESULT);
	ck_assert_int_eq(ietf_assessment_result_decode(msg->attrs[0].value, msg->attrs[0].value_len, &v, NULL), TS_OK);
	return v;
}

/* The requested types of an Attribute Request message, as "vendor/type" words. */
static const char *requested_of(const pa_msg *msg)
{
	static char out[256];
	ietf_attr_request req;
	size_t used = 0;

	ck_assert_uint_eq(msg->count, 1);
	ck_assert_uint_eq(msg->attrs[0].type, IETF_ATTR_ATTRIBUTE_REQUEST);
	ck_assert_int_eq(ietf_attr_request_decode(msg->attrs[0].value, msg->attrs[0].value_len, &req, NULL), TS_OK);
	out[0] = '\0';
	for (size_t i = 0; i < req.count; i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%x/%u", i ? " " : "",
					 req.entries[i].vendor, req.entries[i].type);
	ietf_attr_request_free(&req);
	return out;
}

START_TEST(module_no_workitems_allows)
{
	uint8_t *ref;
	size_t ref_len;
	pa_msg *msg;

	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	/* The first message strongSwan 6.0.6's OS IMC sent in the recorded exchange. */
	ref = test_read_file(test_data_path("os/strongswan-imc-os-msg.bin"), &ref_len);
	deliver(ref, ref_len);
	free(ref);
	end_batch();

	/* As in the recorded exchange: one message with only Assessment Result 4 (don't know). */
	ck_assert_int_eq(tncs.sent_count, 1);
	msg = sent(0);
	ck_assert_uint_eq(msg->count, 1);
	ck_assert_uint_eq(assessment_of(msg), IETF_ASSESSMENT_DONT_KNOW);
	pa_msg_free(msg);
	ck_assert_int_eq(tncs.recommendations, 1);
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_uint_eq(tncs.eval, TNC_IMV_EVALUATION_RESULT_DONT_KNOW);

	ck_assert_str_eq(query_text("SELECT name FROM products WHERE id = (SELECT product FROM sessions)"),
			 "Debian 12 x86_64");
	ck_assert_str_eq(query_text("SELECT value FROM devices"), "8cb3c7e3d94d84e8578949d3f271a09d987b069b");
	ck_assert_int_eq(query_int("SELECT connection FROM sessions"), CONN);
	ck_assert_int_eq(query_int("SELECT rec FROM sessions"), PM_REC_NONE);

	ck_assert_uint_eq(imv.notify(IMV_ID, CONN, TNC_CONNECTION_STATE_ACCESS_ALLOWED), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(query_int("SELECT rec FROM sessions"), PM_REC_ALLOW);
	unload_imv();
}
END_TEST

START_TEST(module_fwden_on_isolates)
{
	client_facts f = debian;
	ietf_remediation rem;
	pa_msg *msg;

	/* IP forwarding enforced: non-compliant isolates, no result denies. */
	add_policy(3, PM_WORKITEM_FWDEN, PM_REC_ISOLATE, PM_REC_NO_ACCESS);
	tncs.with_identities = true;
	ck_assert_uint_eq(load_imv("remediation_uri = https://remediation.example/os"), TNC_RESULT_SUCCESS);
	f.forwarding = IETF_FORWARDING_ENABLED;
	deliver_facts(&f);
	end_batch();

	ck_assert_int_eq(tncs.sent_count, 1);
	msg = sent(0);
	ck_assert_uint_eq(msg->count, 3);
	ck_assert_uint_eq(assessment_of(msg), IETF_ASSESSMENT_NONCOMPLIANT_MAJOR);
	ck_assert_uint_eq(msg->attrs[1].type, IETF_ATTR_REMEDIATION_INSTRUCTIONS);
	ck_assert_int_eq(ietf_remediation_decode(msg->attrs[1].value, msg->attrs[1].value_len, &rem, NULL), TS_OK);
	ck_assert_uint_eq(rem.type, IETF_REMEDIATION_STRING);
	ck_assert_uint_eq(rem.lang_len, 2);
	ck_assert_mem_eq(rem.lang, "en", 2);
	ck_assert_int_eq(ietf_remediation_decode(msg->attrs[2].value, msg->attrs[2].value_len, &rem, NULL), TS_OK);
	ck_assert_uint_eq(rem.type, IETF_REMEDIATION_URI);
	ck_assert_uint_eq(rem.uri_len, strlen("https://remediation.example/os"));
	pa_msg_free(msg);

	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_uint_eq(tncs.eval, TNC_IMV_EVALUATION_RESULT_NONCOMPLIANT_MAJOR);
	ck_assert_str_eq(tncs.reason, "IP forwarding is enabled");
	ck_assert_str_eq(tncs.reason_lang, "en");
	/* The TNCS's identity became the session's identity. */
	ck_assert_int_eq(query_int("SELECT count(*) FROM identities WHERE type = 5 AND value = CAST('carol' AS BLOB)"), 1);
	ck_assert_int_eq(query_int("SELECT identity FROM sessions"), query_int("SELECT id FROM identities"));
	ck_assert_str_eq(query_text("SELECT result FROM workitems"), "IP forwarding is enabled");

	ck_assert_uint_eq(imv.notify(IMV_ID, CONN, TNC_CONNECTION_STATE_ACCESS_ISOLATED), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(query_int("SELECT rec FROM sessions"), PM_REC_ISOLATE);
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 0);
	ck_assert_int_eq(query_int("SELECT rec FROM results WHERE policy = 3"), PM_REC_ISOLATE);
	ck_assert_str_eq(query_text("SELECT result FROM results"), "IP forwarding is enabled");
	unload_imv();
}
END_TEST

START_TEST(module_fwden_off_allows)
{
	pa_msg *msg;

	add_policy(3, PM_WORKITEM_FWDEN, PM_REC_ISOLATE, PM_REC_NO_ACCESS);
	add_policy(4, PM_WORKITEM_PWDEN, PM_REC_NO_ACCESS, PM_REC_NO_ACCESS);
	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	deliver_facts(&debian);
	end_batch();
	msg = sent(0);
	ck_assert_uint_eq(msg->count, 1);
	ck_assert_uint_eq(assessment_of(msg), IETF_ASSESSMENT_COMPLIANT);
	pa_msg_free(msg);
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_uint_eq(tncs.eval, TNC_IMV_EVALUATION_RESULT_COMPLIANT);
	ck_assert_str_eq(tncs.reason, "");
	ck_assert_uint_eq(imv.notify(IMV_ID, CONN, TNC_CONNECTION_STATE_ACCESS_ALLOWED), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(query_int("SELECT count(*) FROM results WHERE rec = 0"), 2);
	unload_imv();
}
END_TEST

START_TEST(module_pwden_requested_when_missing)
{
	client_facts f = debian;
	pa_msg *msg;

	add_policy(4, PM_WORKITEM_PWDEN, PM_REC_NO_ACCESS, PM_REC_ISOLATE);
	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	f.default_pwd = -1;
	deliver_facts(&f);
	end_batch();
	ck_assert_int_eq(tncs.sent_count, 1);
	msg = sent(0);
	ck_assert_str_eq(requested_of(msg), "0/12");
	pa_msg_free(msg);
	ck_assert_int_eq(tncs.recommendations, 0);

	/* The client does not answer: the workitem ends without a result, which isolates here. */
	end_batch();
	ck_assert_int_eq(tncs.sent_count, 2);
	msg = sent(1);
	ck_assert_uint_eq(assessment_of(msg), IETF_ASSESSMENT_ERROR);
	pa_msg_free(msg);
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_str_eq(tncs.reason, "no Factory Default Password Enabled attribute was received");
	unload_imv();
}
END_TEST

START_TEST(module_pckgs_blacklisted)
{
	static const char *const installed[] = { "openssl", "3.0.9-1", "libc6", "2.36-9+deb12u4", "vim", "2:9.0" };
	pa_msg *msg;

	seed_versions();
	add_policy(1, PM_WORKITEM_PCKGS, PM_REC_NO_ACCESS, PM_REC_ISOLATE);
	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	deliver_facts(&debian);
	end_batch();
	msg = sent(0);
	ck_assert_str_eq(requested_of(msg), "0/7");
	pa_msg_free(msg);

	deliver_packages(installed, 3);
	end_batch();
	ck_assert_int_eq(tncs.sent_count, 2);
	msg = sent(1);
	ck_assert_uint_eq(assessment_of(msg), IETF_ASSESSMENT_NONCOMPLIANT_MAJOR);
	ck_assert_uint_eq(msg->count, 2);
	pa_msg_free(msg);
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
	ck_assert_str_eq(tncs.reason, "3 packages checked, 1 blacklisted: openssl 3.0.9-1");
	unload_imv();
}
END_TEST

START_TEST(module_pckgs_current_allows)
{
	static const char *const installed[] = { "openssl", "3.0.11-1~deb12u2", "libc6", "2.36-9+deb12u4" };

	seed_versions();
	add_policy(1, PM_WORKITEM_PCKGS, PM_REC_NO_ACCESS, PM_REC_ISOLATE);
	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	deliver_facts(&debian);
	end_batch();
	deliver_packages(installed, 2);
	end_batch();
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	ck_assert_uint_eq(tncs.eval, TNC_IMV_EVALUATION_RESULT_COMPLIANT);
	ck_assert_uint_eq(imv.notify(IMV_ID, CONN, TNC_CONNECTION_STATE_ACCESS_ALLOWED), TNC_RESULT_SUCCESS);
	ck_assert_str_eq(query_text("SELECT result FROM results"),
			 "2 packages checked, none blacklisted or outdated (0 without security or blacklist versions)");
	unload_imv();
}
END_TEST

START_TEST(module_solicit_before_packages)
{
	seed_versions();
	add_policy(1, PM_WORKITEM_PCKGS, PM_REC_NO_ACCESS, PM_REC_ISOLATE);
	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	deliver_facts(&debian);
	end_batch();
	ck_assert_int_eq(tncs.sent_count, 1);

	/* The TNCS wants the verdict before the packages arrived: no result, so rec_noresult. */
	ck_assert_uint_eq(imv.solicit(IMV_ID, CONN), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(tncs.sent_count, 1);
	ck_assert_int_eq(tncs.recommendations, 1);
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_uint_eq(tncs.eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	unload_imv();
}
END_TEST

START_TEST(module_missing_device_id_fails_closed)
{
	client_facts f = debian;
	pa_msg *msg;

	ck_assert_uint_eq(load_imv("fail_closed = isolate"), TNC_RESULT_SUCCESS);
	f.device = NULL;
	deliver_facts(&f);
	end_batch();
	msg = sent(0);
	ck_assert_str_eq(requested_of(msg), "902a/8");
	pa_msg_free(msg);
	end_batch();
	ck_assert_int_eq(tncs.recommendations, 1);
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_uint_eq(tncs.eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	ck_assert_str_eq(tncs.reason, "the client sent no product information, string version or device ID");
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions"), 0);
	unload_imv();
}
END_TEST

START_TEST(module_empty_version_accepted)
{
	client_facts f = debian;

	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	f.version = "";
	deliver_facts(&f);
	end_batch();
	ck_assert_int_eq(tncs.recommendations, 1);
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ALLOW);
	/* Without a version the product string is the name alone. */
	ck_assert_str_eq(query_text("SELECT name FROM products WHERE id = (SELECT product FROM sessions)"), "Debian");
	unload_imv();
}
END_TEST

START_TEST(module_invalid_product_name_ignored)
{
	client_facts f = debian;
	pa_msg *msg;

	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	f.product = "Deb\x1b[2Jian";
	deliver_facts(&f);
	end_batch();
	msg = sent(0);
	ck_assert_str_eq(requested_of(msg), "0/2");
	pa_msg_free(msg);
	unload_imv();
}
END_TEST

START_TEST(module_missing_database_fails_closed)
{
	pa_msg *msg;

	ck_assert_int_eq(unlink(config_db), 0);
	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	deliver_facts(&debian);
	end_batch();
	msg = sent(0);
	ck_assert_uint_eq(assessment_of(msg), IETF_ASSESSMENT_ERROR);
	pa_msg_free(msg);
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
	ck_assert_uint_eq(tncs.eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	ck_assert_str_eq(tncs.reason, "the policy for this endpoint could not be set up (not found)");
	unload_imv();
}
END_TEST

START_TEST(module_missing_table_fails_closed)
{
	sql("DROP TABLE workitems");
	ck_assert_uint_eq(load_imv("fail_closed = isolate"), TNC_RESULT_SUCCESS);
	deliver_facts(&debian);
	end_batch();
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_uint_eq(tncs.eval, TNC_IMV_EVALUATION_RESULT_ERROR);
	ck_assert_ptr_nonnull(strstr(tncs.reason, "could not be set up"));
	unload_imv();
}
END_TEST

START_TEST(module_busy_database_fails_closed)
{
	sqlite3 *holder;

	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	/* Another writer keeps the write lock past the module's busy timeout. */
	ck_assert_int_eq(sqlite3_open(config_db, &holder), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	deliver_facts(&debian);
	end_batch();
	ck_assert_int_eq(sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(holder);
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_NO_ACCESS);
	ck_assert_str_eq(tncs.reason, "the policy for this endpoint could not be set up (resource busy)");
	unload_imv();
}
END_TEST

START_TEST(module_retry_starts_new_session)
{
	add_policy(3, PM_WORKITEM_FWDEN, PM_REC_ISOLATE, PM_REC_NO_ACCESS);
	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	deliver_facts(&debian);
	end_batch();
	ck_assert_uint_eq(imv.notify(IMV_ID, CONN, TNC_CONNECTION_STATE_ACCESS_ALLOWED), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(imv.notify(IMV_ID, CONN, TNC_CONNECTION_STATE_HANDSHAKE), TNC_RESULT_SUCCESS);
	deliver_facts(&debian);
	end_batch();
	ck_assert_int_eq(tncs.recommendations, 2);
	ck_assert_int_eq(query_int("SELECT count(*) FROM sessions"), 2);
	/* DELETE without a final state closes the open session as no access. */
	unload_imv();
	ck_assert_int_eq(query_int("SELECT rec FROM sessions ORDER BY id DESC LIMIT 1"), PM_REC_NO_ACCESS);
	ck_assert_int_eq(query_int("SELECT count(*) FROM workitems"), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM results"), 2);
}
END_TEST

START_TEST(module_bad_config_rejected)
{
	ck_assert_uint_eq(load_imv("fail_closed = allow"), TNC_RESULT_FATAL);
	dlclose(imv.handle);
}
END_TEST

START_TEST(module_unsrc_not_checked)
{
	add_policy(2, PM_WORKITEM_UNSRC, PM_REC_ISOLATE, PM_REC_ISOLATE);
	ck_assert_uint_eq(load_imv(NULL), TNC_RESULT_SUCCESS);
	deliver_facts(&debian);
	end_batch();
	ck_assert_uint_eq(tncs.rec, TNC_IMV_ACTION_RECOMMENDATION_ISOLATE);
	ck_assert_uint_eq(tncs.eval, TNC_IMV_EVALUATION_RESULT_DONT_KNOW);
	ck_assert_str_eq(tncs.reason, "package sources are not checked by imv-os");
	unload_imv();
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("imv_os");
	TCase *version = tcase_create("version");
	TCase *eval = tcase_create("eval");
	TCase *module = tcase_create("module");

	tcase_add_test(version, version_policy_examples);
	tcase_add_test(version, version_matches_dpkg);
	tcase_add_test(version, text_ok_cases);
	suite_add_tcase(s, version);

	tcase_add_checked_fixture(eval, setup, teardown);
	tcase_add_test(eval, pckgs_blacklisted_and_outdated);
	tcase_add_test(eval, pckgs_outdated_security_version);
	tcase_add_test(eval, pckgs_all_current);
	tcase_add_test(eval, pckgs_list_is_capped);
	tcase_add_test(eval, fwden_and_pwden);
	tcase_add_test(eval, identities_parse);
	suite_add_tcase(s, eval);

	tcase_add_checked_fixture(module, setup, teardown);
	tcase_set_timeout(module, 60);
	tcase_add_test(module, module_no_workitems_allows);
	tcase_add_test(module, module_fwden_on_isolates);
	tcase_add_test(module, module_fwden_off_allows);
	tcase_add_test(module, module_pwden_requested_when_missing);
	tcase_add_test(module, module_pckgs_blacklisted);
	tcase_add_test(module, module_pckgs_current_allows);
	tcase_add_test(module, module_solicit_before_packages);
	tcase_add_test(module, module_missing_device_id_fails_closed);
	tcase_add_test(module, module_empty_version_accepted);
	tcase_add_test(module, module_invalid_product_name_ignored);
	tcase_add_test(module, module_missing_database_fails_closed);
	tcase_add_test(module, module_missing_table_fails_closed);
	tcase_add_test(module, module_busy_database_fails_closed);
	tcase_add_test(module, module_retry_starts_new_session);
	tcase_add_test(module, module_bad_config_rejected);
	tcase_add_test(module, module_unsrc_not_checked);
	suite_add_tcase(s, module);
	return s;
}

TEST_MAIN()
