#include "test_util.h"
#include "conf.h"

static const char sample[] =
	"# tncsuite test configuration\n"
	"top = 1\n"
	"\n"
	"[tnc-server]\n"
	"  port = 2710 \n"
	"; another comment\n"
	"address = \"127.0.0.1\"\n"
	"foreground = yes\n"
	"max_message_size = 64K\n"
	"ca = certs/ca.pem\n"
	"ca_abs = /etc/ca.pem\n"
	"port = 2711\n"
	"bad_int = 12x\n"
	"bad_bool = maybe\n"
	"bad_size = 3T\n"
	"[imc-attestation]\n"
	"tcti = swtpm:path=/tmp/tpm.sock\n";

static conf_t *load_sample(void)
{
	conf_t *conf = NULL;

	ck_assert_int_eq(conf_parse("/etc/tncsuite/test.conf", sample, strlen(sample), &conf), TS_OK);
	ck_assert_ptr_nonnull(conf);
	return conf;
}

START_TEST(conf_strings_and_sections)
{
	conf_t *conf = load_sample();

	ck_assert_str_eq(conf_get_str(conf, "", "top", NULL), "1");
	ck_assert_str_eq(conf_get_str(conf, "tnc-server", "address", NULL), "127.0.0.1");
	ck_assert_str_eq(conf_get_str(conf, "imc-attestation", "tcti", NULL), "swtpm:path=/tmp/tpm.sock");
	ck_assert_str_eq(conf_get_str(conf, "tnc-server", "missing", "dflt"), "dflt");
	ck_assert(conf_has_section(conf, "imc-attestation"));
	ck_assert(!conf_has_section(conf, "imv-os"));
	conf_free(conf);
}
END_TEST

START_TEST(conf_typed_getters)
{
	conf_t *conf = load_sample();
	long long port;
	bool fg;
	uint64_t size;
	char *path;

	/* A repeated key keeps its last value. */
	ck_assert_int_eq(conf_get_int(conf, "tnc-server", "port", 271, 1, 65535, &port), TS_OK);
	ck_assert_int_eq(port, 2711);
	ck_assert_int_eq(conf_get_int(conf, "tnc-server", "nope", 271, 1, 65535, &port), TS_OK);
	ck_assert_int_eq(port, 271);
	ck_assert_int_eq(conf_get_int(conf, "tnc-server", "port", 0, 1, 1000, &port), TS_E_CONFIG);
	ck_assert_int_eq(conf_get_int(conf, "tnc-server", "bad_int", 0, 0, 100, &port), TS_E_CONFIG);

	ck_assert_int_eq(conf_get_bool(conf, "tnc-server", "foreground", false, &fg), TS_OK);
	ck_assert(fg);
	ck_assert_int_eq(conf_get_bool(conf, "tnc-server", "bad_bool", false, &fg), TS_E_CONFIG);

	ck_assert_int_eq(conf_get_size(conf, "tnc-server", "max_message_size", 0, UINT64_MAX, &size), TS_OK);
	ck_assert_uint_eq(size, 65536);
	ck_assert_int_eq(conf_get_size(conf, "tnc-server", "max_message_size", 0, 1024, &size), TS_E_CONFIG);
	ck_assert_int_eq(conf_get_size(conf, "tnc-server", "bad_size", 0, UINT64_MAX, &size), TS_E_CONFIG);

	ck_assert_int_eq(conf_get_path(conf, "tnc-server", "ca", NULL, &path), TS_OK);
	ck_assert_str_eq(path, "/etc/tncsuite/certs/ca.pem");
	free(path);
	ck_assert_int_eq(conf_get_path(conf, "tnc-server", "ca_abs", NULL, &path), TS_OK);
	ck_assert_str_eq(path, "/etc/ca.pem");
	free(path);
	ck_assert_int_eq(conf_get_path(conf, "tnc-server", "nope", NULL, &path), TS_OK);
	ck_assert_ptr_null(path);
	conf_free(conf);
}
END_TEST

START_TEST(conf_syntax_errors)
{
	static const char *const bad[] = {
		"[unclosed\n",
		"[a] trailing\n",
		"no equals sign\n",
		"= value\n",
		"key = \"unterminated\n",
		"[bad name]\n",
	};
	conf_t *conf = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(conf_parse("bad.conf", bad[i], strlen(bad[i]), &conf), TS_E_CONFIG);
		ck_assert_ptr_null(conf);
	}
	ck_assert_int_eq(conf_parse("nul.conf", "a = b\0c\n", 8, &conf), TS_E_CONFIG);
}
END_TEST

START_TEST(conf_missing_file)
{
	conf_t *conf = NULL;

	ck_assert_int_eq(conf_load("/nonexistent/tncsuite.conf", &conf), TS_E_NOT_FOUND);
	ck_assert_ptr_null(conf);
}
END_TEST

START_TEST(conf_unknown_keys)
{
	static const char *const known[] = { "port", "address", "foreground", NULL };
	conf_t *conf = load_sample();

	ck_assert_int_eq(conf_warn_unknown(conf, "tnc-server", known), 6);
	conf_free(conf);
}
END_TEST

START_TEST(conf_default_path_env)
{
	setenv("TNCSUITE_CONF", "/tmp/x.conf", 1);
	ck_assert_str_eq(conf_default_path(), "/tmp/x.conf");
	unsetenv("TNCSUITE_CONF");
	const char *def = conf_default_path();
	const char *suffix = "/tncsuite/tncsuite.conf";

	ck_assert_uint_ge(strlen(def), strlen(suffix));
	ck_assert_str_eq(def + strlen(def) - strlen(suffix), suffix);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, conf_strings_and_sections);
	tcase_add_test(tc, conf_typed_getters);
	tcase_add_test(tc, conf_syntax_errors);
	tcase_add_test(tc, conf_missing_file);
	tcase_add_test(tc, conf_unknown_keys);
	tcase_add_test(tc, conf_default_path_env);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
