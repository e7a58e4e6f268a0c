#include "test_util.h"
#include "log.h"
#include "tnc_config.h"

/* Parses text and returns the error message; the parse must fail with TS_E_CONFIG. */
static const char *parse_error(const char *text)
{
	static char err[512];
	tnc_config_t *config = NULL;

	err[0] = '\0';
	ck_assert_int_eq(tnc_config_parse("/etc/tnc_config", text, strlen(text), &config, err,
					  sizeof(err)), TS_E_CONFIG);
	ck_assert_ptr_null(config);
	return err;
}

START_TEST(tnc_config_parses_fixture)
{
	tnc_config_t *config = NULL;
	char err[256] = "";

	ck_assert_int_eq(tnc_config_load(test_data_path("host/tnc_config"), &config, err,
					 sizeof(err)), TS_OK);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(config->count, 4);

	ck_assert_int_eq(config->entries[0].kind, TNC_CONFIG_IMC);
	ck_assert_str_eq(config->entries[0].name, "OS");
	ck_assert_str_eq(config->entries[0].path, "/usr/local/lib/ipsec/imcvs/imc-os.so");
	ck_assert_uint_eq(config->entries[0].line, 4);

	ck_assert_int_eq(config->entries[1].kind, TNC_CONFIG_IMC);
	ck_assert_str_eq(config->entries[1].name, "Attestation");
	ck_assert_str_eq(config->entries[1].path, "/usr/local/lib/ipsec/imcvs/imc-attestation.so");
	ck_assert_uint_eq(config->entries[1].line, 5);

	ck_assert_int_eq(config->entries[2].kind, TNC_CONFIG_IMV);
	ck_assert_str_eq(config->entries[2].name, "OS");
	ck_assert_uint_eq(config->entries[2].line, 9);

	/* Leading blanks, a tab and a name with blanks. */
	ck_assert_int_eq(config->entries[3].kind, TNC_CONFIG_IMV);
	ck_assert_str_eq(config->entries[3].name, "Test IMV 2");
	ck_assert_str_eq(config->entries[3].path, "/opt/tnc/imv-test.so");
	ck_assert_uint_eq(config->entries[3].line, 11);
	tnc_config_free(config);
}
END_TEST

START_TEST(tnc_config_crlf_and_empty)
{
	static const char text[] = "IMC \"A\" /a.so\r\n\r\n# x\r\n  \t\nIMV \"B\"\t/b.so  \r\n";
	tnc_config_t *config = NULL;

	ck_assert_int_eq(tnc_config_parse("t", text, strlen(text), &config, NULL, 0), TS_OK);
	ck_assert_uint_eq(config->count, 2);
	ck_assert_str_eq(config->entries[0].path, "/a.so");
	ck_assert_str_eq(config->entries[1].path, "/b.so");
	ck_assert_uint_eq(config->entries[1].line, 5);
	tnc_config_free(config);

	ck_assert_int_eq(tnc_config_parse("t", "", 0, &config, NULL, 0), TS_OK);
	ck_assert_uint_eq(config->count, 0);
	tnc_config_free(config);
}
END_TEST

START_TEST(tnc_config_errors_name_line)
{
	ck_assert_str_eq(parse_error("# modules\nIMX \"A\" /a.so\n"),
			 "/etc/tnc_config:2: unknown keyword 'IMX', expected IMC or IMV");
	ck_assert_str_eq(parse_error("IMCX \"A\" /a.so\n"),
			 "/etc/tnc_config:1: unknown keyword 'IMCX', expected IMC or IMV");
	ck_assert_str_eq(parse_error("IMC A /a.so\n"),
			 "/etc/tnc_config:1: expected the module name in double quotes");
	ck_assert_str_eq(parse_error("IMC \"A /a.so\n"),
			 "/etc/tnc_config:1: missing closing '\"' after the module name");
	ck_assert_str_eq(parse_error("\n\nIMV \"\" /a.so\n"),
			 "/etc/tnc_config:3: empty module name");
	ck_assert_str_eq(parse_error("IMC \"A\"/a.so\n"),
			 "/etc/tnc_config:1: expected a blank and the library path after the name");
	ck_assert_str_eq(parse_error("IMC \"A\"\n"),
			 "/etc/tnc_config:1: expected a blank and the library path after the name");
	ck_assert_str_eq(parse_error("IMC \"A\" lib/a.so\n"),
			 "/etc/tnc_config:1: library path 'lib/a.so' is not absolute");
	ck_assert_str_eq(parse_error("IMC \"A\" /my lib/a.so\n"),
			 "/etc/tnc_config:1: unexpected text 'lib/a.so' after the library path (paths cannot contain blanks)");
	ck_assert_str_eq(parse_error("IMC \"A\" /a.so\nIMC \"A\" /b.so\n"),
			 "/etc/tnc_config:2: IMC \"A\" is listed twice");
	ck_assert_str_eq(parse_error("IMC \"A\x01\" /a.so\n"),
			 "/etc/tnc_config:1: control character in the module name");
	ck_assert_str_eq(parse_error("IMC\n"),
			 "/etc/tnc_config:1: expected the module name in double quotes");
}
END_TEST

START_TEST(tnc_config_same_name_two_kinds)
{
	static const char text[] = "IMC \"OS\" /a.so\nIMV \"OS\" /b.so\n";
	tnc_config_t *config = NULL;

	ck_assert_int_eq(tnc_config_parse("t", text, strlen(text), &config, NULL, 0), TS_OK);
	ck_assert_uint_eq(config->count, 2);
	tnc_config_free(config);
}
END_TEST

START_TEST(tnc_config_limits)
{
	char *text;
	size_t n = 0, cap = (TNC_CONFIG_MAX_ENTRIES + 2) * 32 + TNC_CONFIG_MAX_LINE + 64;
	char err[256];
	tnc_config_t *config = NULL;

	/* One entry too many. */
	text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	for (int i = 0; i <= TNC_CONFIG_MAX_ENTRIES; i++)
		n += (size_t)snprintf(text + n, cap - n, "IMC \"m%d\" /m%d.so\n", i, i);
	ck_assert_int_eq(tnc_config_parse("t", text, n, &config, err, sizeof(err)), TS_E_CONFIG);
	ck_assert_str_eq(err, "t:65: more than 64 modules listed");

	/* A line longer than the limit. */
	memset(text, '#', TNC_CONFIG_MAX_LINE + 1);
	text[TNC_CONFIG_MAX_LINE + 1] = '\n';
	ck_assert_int_eq(tnc_config_parse("t", text, TNC_CONFIG_MAX_LINE + 2, &config, err,
					  sizeof(err)), TS_E_CONFIG);
	ck_assert_str_eq(err, "t:1: line longer than 4096 characters");

	/* A NUL inside a line. */
	ck_assert_int_eq(tnc_config_parse("t", "IMC \"A\"\0 /a.so\n", 15, &config, err,
					  sizeof(err)), TS_E_CONFIG);
	ck_assert_str_eq(err, "t:1: NUL character in the line");
	free(text);
}
END_TEST

START_TEST(tnc_config_missing_file)
{
	tnc_config_t *config = NULL;
	char err[256];

	ck_assert_int_eq(tnc_config_load("/nonexistent/tnc_config", &config, err, sizeof(err)),
			 TS_E_NOT_FOUND);
	ck_assert_str_eq(err, "/nonexistent/tnc_config: No such file or directory");
	ck_assert_int_eq(tnc_config_load("/", &config, err, sizeof(err)), TS_E_CONFIG);
	ck_assert_str_eq(err, "/: not a regular file");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("tnc_config");
	TCase *tc = tcase_create("core");

	/* The errors are checked through the err buffer; keep the log quiet. */
	log_set_level_all(LOG_LEVEL_SILENT);
	tcase_add_test(tc, tnc_config_parses_fixture);
	tcase_add_test(tc, tnc_config_crlf_and_empty);
	tcase_add_test(tc, tnc_config_errors_name_line);
	tcase_add_test(tc, tnc_config_same_name_two_kinds);
	tcase_add_test(tc, tnc_config_limits);
	tcase_add_test(tc, tnc_config_missing_file);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
