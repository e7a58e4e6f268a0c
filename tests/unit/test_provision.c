/*
 * Tests of tnc-provision, run as a program against a private swtpm. The
 * keyid it prints is checked with the openssl command-line tool.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tpm/tpm.h"
#include "test_swtpm.h"
#include "test_util.h"

typedef struct run_result {
	int status;        /* exit status, or -1 */
	char out[8192];    /* stdout */
	char err[8192];    /* stderr */
} run_result;

static test_swtpm swtpm;
static char workdir[64];

static void read_all(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Runs tnc-provision with `args`; stdout and stderr go to files in the work directory. */
static void run_provision(const char *args, run_result *res)
{
	const char *top = getenv("TOP_BUILDDIR");
	char cmd[2048], out[128], err[128];
	int rc;

	snprintf(out, sizeof(out), "%s/out.txt", workdir);
	snprintf(err, sizeof(err), "%s/err.txt", workdir);
	snprintf(cmd, sizeof(cmd), "%s/imc/tnc-provision %s >%s 2>%s", top && *top ? top : TOP_BUILDDIR, args, out,
		 err);
	rc = system(cmd);
	res->status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	read_all(out, res->out, sizeof(res->out));
	read_all(err, res->err, sizeof(res->err));
	/* Under ASan+UBSan a report would hide behind an expected exit status of 1. */
	ck_assert_ptr_null(strstr(res->err, "Sanitizer"));
	ck_assert_ptr_null(strstr(res->err, "runtime error"));
}

/* The value after "keyid: " in the output. */
static void keyid_of(const run_result *res, char keyid[41])
{
	const char *p = strstr(res->out, "keyid: ");

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, "keyid: %40s", keyid), 1);
	ck_assert_uint_eq(strlen(keyid), 40);
}

/* SHA-1 of the DER public key in the output's PEM block, computed by the openssl tool. */
static void openssl_keyid(const run_result *res, char keyid[41], char *text, size_t text_size)
{
	char pem[128], cmd[512], out[128];
	const char *begin = strstr(res->out, "-----BEGIN PUBLIC KEY-----");
	FILE *f;

	ck_assert_ptr_nonnull(begin);
	snprintf(pem, sizeof(pem), "%s/key.pem", workdir);
	f = fopen(pem, "w");
	ck_assert_ptr_nonnull(f);
	fputs(begin, f);
	fclose(f);

	snprintf(out, sizeof(out), "%s/keyid.txt", workdir);
	snprintf(cmd, sizeof(cmd), "openssl pkey -pubin -in %s -outform DER | openssl dgst -sha1 -r > %s", pem, out);
	ck_assert_int_eq(system(cmd), 0);
	read_all(out, text, text_size);
	ck_assert_int_eq(sscanf(text, "%40s", keyid), 1);

	snprintf(cmd, sizeof(cmd), "openssl pkey -pubin -in %s -noout -text > %s", pem, out);
	ck_assert_int_eq(system(cmd), 0);
	read_all(out, text, text_size);
}

/*
 * A failed assertion ends the forked test process at once, so each test
 * records its swtpm and directories in a file, and the parent process
 * stops and removes what is left at exit.
 */
static char run_list[64];

static void track(pid_t pid, const char *dir)
{
	FILE *f = fopen(run_list, "a");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "%d %s\n", (int)pid, dir);
	fclose(f);
}

static void stop_tracked(void)
{
	char dir[128], path[64], cmdline[64], cmd[256];
	FILE *f = fopen(run_list, "r");
	int pid;

	while (f && fscanf(f, "%d %127s", &pid, dir) == 2) {
		FILE *c;
		size_t n = 0;

		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		c = fopen(path, "r");
		if (c) {
			n = fread(cmdline, 1, sizeof(cmdline) - 1, c);
			fclose(c);
		}
		cmdline[n] = '\0';
		if (strcmp(cmdline, "swtpm") == 0)
			kill(pid, SIGTERM);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", dir);
	}
	if (f)
		fclose(f);
	unlink(run_list);
}

static void setup(void)
{
	setenv("TSS2_LOG", "all+none", 1);
	/* No configuration file unless a test writes one. */
	setenv("TNCSUITE_CONF", "/nonexistent/tncsuite.conf", 1);
	ck_assert_int_eq(test_swtpm_start(&swtpm), 0);
	track(swtpm.pid, swtpm.dir);
	strcpy(workdir, "/tmp/test_provision.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(workdir));
	track(0, workdir);
}

/* Whether the process is gone or a zombie (a daemon whose new parent does not reap it). */
static bool process_ended(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	char *p;
	bool ended = true;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) != NULL)
		ended = p[1] == ' ' && p[2] == 'Z';
	fclose(f);
	return ended;
}

static void teardown(void)
{
	char cmd[128];

	if (swtpm.pid > 0 && kill(swtpm.pid, SIGTERM) == 0) {
		for (int i = 0; i < 200 && !process_ended(swtpm.pid); i++)
			usleep(10000);
		swtpm.pid = 0;
	}
	test_swtpm_stop(&swtpm);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", workdir);
}

START_TEST(test_provision_ecc_then_refuse)
{
	run_result res;
	char args[512], keyid[41], expected[41], text[4096];
	tpm_t *tpm = NULL;
	uint8_t *pub1 = NULL, *pub2 = NULL;
	size_t len1 = 0, len2 = 0;

	snprintf(args, sizeof(args), "--tcti %s", swtpm.tcti);
	run_provision(args, &res);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(res.out, "handle: 0x81010002\n"));
	keyid_of(&res, keyid);
	openssl_keyid(&res, expected, text, sizeof(text));
	ck_assert_str_eq(keyid, expected);
	ck_assert_ptr_nonnull(strstr(text, "prime256v1"));

	/* A second run keeps the key and fails. */
	ck_assert_int_eq(tpm_open(swtpm.tcti, &tpm), TS_OK);
	ck_assert_int_eq(tpm_read_public(tpm, 0x81010002, &pub1, &len1), TS_OK);
	tpm_close(tpm);
	run_provision(args, &res);
	ck_assert_int_eq(res.status, 1);
	ck_assert_ptr_nonnull(strstr(res.err, "--force"));
	ck_assert_int_eq(tpm_open(swtpm.tcti, &tpm), TS_OK);
	ck_assert_int_eq(tpm_read_public(tpm, 0x81010002, &pub2, &len2), TS_OK);
	tpm_close(tpm);
	ck_assert_uint_eq(len1, len2);
	ck_assert_mem_eq(pub1, pub2, len1);
	free(pub1);
	free(pub2);
}
END_TEST

START_TEST(test_provision_force_rsa)
{
	run_result res;
	char args[512], ecc_keyid[41], keyid[41], expected[41], text[4096];

	snprintf(args, sizeof(args), "--tcti %s", swtpm.tcti);
	run_provision(args, &res);
	ck_assert_int_eq(res.status, 0);
	keyid_of(&res, ecc_keyid);

	snprintf(args, sizeof(args), "--tcti %s --type rsa --force", swtpm.tcti);
	run_provision(args, &res);
	ck_assert_int_eq(res.status, 0);
	keyid_of(&res, keyid);
	openssl_keyid(&res, expected, text, sizeof(text));
	ck_assert_str_eq(keyid, expected);
	ck_assert_str_ne(keyid, ecc_keyid);
	ck_assert_ptr_nonnull(strstr(text, "2048 bit"));
}
END_TEST

START_TEST(test_provision_config_handle)
{
	run_result res;
	char conf[128], args[256];
	tpm_t *tpm = NULL;
	uint8_t *pub = NULL;
	size_t len = 0;
	FILE *f;

	/* TCTI and handle come from [imc-attestation]. */
	snprintf(conf, sizeof(conf), "%s/tncsuite.conf", workdir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "[imc-attestation]\ntcti = %s\nak_handle = 0x81010005\n", swtpm.tcti);
	fclose(f);
	snprintf(args, sizeof(args), "--config %s", conf);
	run_provision(args, &res);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(res.out, "handle: 0x81010005\n"));
	ck_assert_int_eq(tpm_open(swtpm.tcti, &tpm), TS_OK);
	ck_assert_int_eq(tpm_read_public(tpm, 0x81010005, &pub, &len), TS_OK);
	ck_assert_int_eq(tpm_read_public(tpm, 0x81010002, &pub, &len), TS_E_NOT_FOUND);
	tpm_close(tpm);
	free(pub);
}
END_TEST

START_TEST(test_provision_usage_errors)
{
	run_result res;
	char args[512];

	snprintf(args, sizeof(args), "--tcti %s --type dsa", swtpm.tcti);
	run_provision(args, &res);
	ck_assert_int_eq(res.status, 2);
	ck_assert_ptr_nonnull(strstr(res.err, "dsa"));
	snprintf(args, sizeof(args), "--tcti %s --handle 0x80000001", swtpm.tcti);
	run_provision(args, &res);
	ck_assert_int_eq(res.status, 2);
	ck_assert_ptr_nonnull(strstr(res.err, "0x81xxxxxx"));
	run_provision("--no-such-option", &res);
	ck_assert_int_eq(res.status, 2);
	run_provision("--config /nonexistent/file.conf", &res);
	ck_assert_int_eq(res.status, 1);
	run_provision("--help", &res);
	ck_assert_int_eq(res.status, 0);
	ck_assert_ptr_nonnull(strstr(res.out, "--force"));
}
END_TEST

START_TEST(test_provision_no_tpm)
{
	run_result res;

	run_provision("--tcti swtpm:path=/nonexistent/tpm.sock", &res);
	ck_assert_int_eq(res.status, 1);
	ck_assert_ptr_nonnull(strstr(res.err, "no TPM"));
	ck_assert_ptr_null(strstr(res.out, "keyid"));
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("provision");
	TCase *tc = tcase_create("provision");

	snprintf(run_list, sizeof(run_list), "/tmp/test_provision_swtpms.%d", (int)getpid());
	if (atexit(stop_tracked) != 0)
		abort();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_provision_ecc_then_refuse);
	tcase_add_test(tc, test_provision_force_rsa);
	tcase_add_test(tc, test_provision_config_handle);
	tcase_add_test(tc, test_provision_usage_errors);
	tcase_add_test(tc, test_provision_no_tpm);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
