#include <fcntl.h>
#include <unistd.h>

#include "test_util.h"
#include "log.h"

/* Runs fn with stderr redirected to a temporary file and returns what it wrote. */
static char *capture_stderr(void (*fn)(void))
{
	char path[] = "/tmp/test_log.XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	static char buf[8192];
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	dup2(fd, STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return buf;
}

static void write_lines(void)
{
	log_set_program(NULL);
	log_set_level_all(LOG_LEVEL_ERROR);
	log_set_level(LOG_SUBSYS_TLS, LOG_LEVEL_DEBUG);
	log_error(LOG_SUBSYS_DB, "db error %d", 5);
	log_info(LOG_SUBSYS_DB, "hidden db info");
	log_debug(LOG_SUBSYS_TLS, "tls debug");
	log_conn(LOG_SUBSYS_TNC, LOG_LEVEL_ERROR, 42, "batch rejected");
}

START_TEST(log_levels_and_tags)
{
	char *out = capture_stderr(write_lines);

	ck_assert_str_eq(out, "[DB] db error 5\n[TLS] tls debug\n[TNC] conn 42: batch rejected\n");
}
END_TEST

static void write_dump(void)
{
	static const uint8_t data[18] = { 'A', 'B', 0x00, 0xff };

	log_set_level(LOG_SUBSYS_PA, LOG_LEVEL_DUMP);
	log_hexdump(LOG_SUBSYS_PA, "attr", data, sizeof(data));
	log_set_level(LOG_SUBSYS_PA, LOG_LEVEL_DEBUG);
	log_hexdump(LOG_SUBSYS_PA, "hidden", data, sizeof(data));
}

START_TEST(log_hexdump_level4)
{
	char *out = capture_stderr(write_dump);

	ck_assert_str_eq(out,
		"[PA] attr (18 bytes)\n"
		"[PA]   0000: 41 42 00 ff 00 00 00 00 00 00 00 00 00 00 00 00  AB..............\n"
		"[PA]   0010: 00 00                                            ..\n");
}
END_TEST

START_TEST(log_parse_level_specs)
{
	log_set_level_all(1);
	ck_assert_int_eq(log_parse_levels("tls=3,DB=0"), 0);
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_TLS), 3);
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_DB), 0);
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_TNC), 1);
	ck_assert_int_eq(log_parse_levels("2"), 0);
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_DB), 2);
	ck_assert_int_eq(log_parse_levels("all=4,pts=1"), 0);
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_PTS), 1);
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_IMV), 4);
	/* An invalid spec changes nothing. */
	ck_assert_int_eq(log_parse_levels("tls=1,nosuch=2"), -1);
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_TLS), 4);
	ck_assert_int_eq(log_parse_levels("tls=5"), -1);
	ck_assert_int_eq(log_parse_levels("tls="), -1);
	ck_assert_int_eq(log_parse_levels("=2"), -1);
}
END_TEST

START_TEST(log_env_export_import)
{
	log_set_level_all(1);
	log_set_level(LOG_SUBSYS_TLS, 3);
	log_set_program("host");
	log_use_syslog(NULL);
	log_export_env();
	ck_assert_str_eq(getenv("TNCSUITE_LOG_LEVELS"), "TNC=1,IMC=1,IMV=1,PTS=1,TLS=3,TPM=1,DB=1,CFG=1,PA=1,APP=1");
	ck_assert_str_eq(getenv("TNCSUITE_LOG_PROGRAM"), "host");
	ck_assert_ptr_null(getenv("TNCSUITE_LOG_SYSLOG"));

	/* What a freshly loaded module does with them. */
	log_set_level_all(0);
	log_set_program(NULL);
	log_import_env();
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_TLS), 3);
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_DB), 1);

	/* An invalid level list changes nothing. */
	setenv("TNCSUITE_LOG_LEVELS", "tls=9", 1);
	log_import_env();
	ck_assert_int_eq(log_get_level(LOG_SUBSYS_TLS), 3);
	unsetenv("TNCSUITE_LOG_LEVELS");
	unsetenv("TNCSUITE_LOG_PROGRAM");
	log_set_program(NULL);
}
END_TEST

START_TEST(log_escape_untrusted)
{
	char buf[16];

	ck_assert_str_eq(log_escape(buf, sizeof(buf), "ok", 2), "ok");
	ck_assert_str_eq(log_escape(buf, sizeof(buf), "a\nb\\", 4), "a\\x0ab\\x5c");
	ck_assert_str_eq(log_escape(buf, sizeof(buf), "0123456789abcdefghij", 20), "0123456789ab...");
	ck_assert_str_eq(log_escape(buf, sizeof(buf), "0123456789abcde", 15), "0123456789abcde");
	ck_assert_str_eq(log_escape(buf, sizeof(buf), "\x01\x02\x03\x04", 4), "\\x01\\x02\\x03...");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, log_levels_and_tags);
	tcase_add_test(tc, log_hexdump_level4);
	tcase_add_test(tc, log_parse_level_specs);
	tcase_add_test(tc, log_escape_untrusted);
	tcase_add_test(tc, log_env_export_import);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
