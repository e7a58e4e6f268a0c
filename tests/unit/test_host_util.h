/*
 * Scaffolding for the tests that load imc-test.so and imv-test.so: a
 * temporary directory per test with a tncsuite.conf (named by
 * TNCSUITE_CONF), copies of the modules under other names, and readers
 * for the statistics lines the modules append to their stats_file.
 */
#ifndef TEST_HOST_UTIL_H
#define TEST_HOST_UTIL_H

/* Include this header first: nftw needs _GNU_SOURCE before any system header. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "test_util.h"

static char th_dir[256];

static int th_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes the directory of the test (registered with atexit by th_setup). */
static void th_cleanup(void)
{
	if (th_dir[0])
		nftw(th_dir, th_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	th_dir[0] = '\0';
}

/* Creates the test's directory and points TNCSUITE_CONF into it. */
static void th_setup(void)
{
	char conf[320];

	snprintf(th_dir, sizeof(th_dir), "/tmp/tncsuite-host-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(th_dir));
	atexit(th_cleanup);
	snprintf(conf, sizeof(conf), "%s/tncsuite.conf", th_dir);
	setenv("TNCSUITE_CONF", conf, 1);
}

/* Log levels from $TEST_LOG (for example "tnc=4"); silent by default. */
static void th_log_levels(void)
{
	const char *spec = getenv("TEST_LOG");

	log_set_level_all(LOG_LEVEL_SILENT);
	if (spec && log_parse_levels(spec) != 0)
		fprintf(stderr, "TEST_LOG=%s is not a valid level list\n", spec);
}

/* Path of a file inside the test's directory, in one of four rotating buffers. */
static const char *th_path(const char *name)
{
	static char paths[4][1024];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, sizeof(paths[0]), "%s/%.500s", th_dir, name);
	return p;
}

static void th_write(const char *name, const char *text)
{
	FILE *f = fopen(th_path(name), "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Writes tncsuite.conf; the stats files of the modules are relative to it. */
static void th_conf(const char *text)
{
	th_write("tncsuite.conf", text);
}

/* The built module ("imc" or "imv") in the build tree. */
static const char *th_built_module(const char *kind)
{
	static char path[2][1024];
	const char *top = getenv("TOP_BUILDDIR");
	char *p = path[kind[2] == 'v'];

	snprintf(p, sizeof(path[0]), "%s/%s/test/.libs/%s-test.so", top && *top ? top : TOP_BUILDDIR,
		 kind, kind);
	ck_assert_msg(access(p, R_OK) == 0, "module %s not built", p);
	return p;
}

/*
 * Copies the built module to NAME.so in the test's directory and returns
 * that path. A copy is a different file, so dlopen loads it as a module of
 * its own, and it reads the configuration section [NAME].
 */
static const char *th_module_copy(const char *kind, const char *name)
{
	char file[300];
	const char *dst;
	unsigned char *data;
	size_t len;
	int fd;

	data = test_read_file(th_built_module(kind), &len);
	snprintf(file, sizeof(file), "%s.so", name);
	dst = th_path(file);
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	free(data);
	return dst;
}

/*
 * The value of `key` in the n-th (from 0) statistics line of the file that
 * starts with `who` (for example "imv imv-test-a"), or -1 if there is none.
 */
static long th_stat(const char *file, const char *who, int n, const char *key)
{
	FILE *f = fopen(th_path(file), "r");
	char line[2048], pattern[64];
	long value = -1;

	if (!f)
		return -1;
	snprintf(pattern, sizeof(pattern), " %s=", key);
	while (fgets(line, sizeof(line), f)) {
		const char *p;

		if (strncmp(line, who, strlen(who)) != 0 || line[strlen(who)] != ' ')
			continue;
		if (n-- > 0)
			continue;
		p = strstr(line, pattern);
		if (p)
			value = strtol(p + strlen(pattern), NULL, 10);
		break;
	}
	fclose(f);
	return value;
}

/* The text after `key=` up to the end of the n-th line of `who`, copied into out. */
static const char *th_stat_text(const char *file, const char *who, int n, const char *key)
{
	static char out[512];
	FILE *f = fopen(th_path(file), "r");
	char line[2048], pattern[64];

	out[0] = '\0';
	if (!f)
		return out;
	snprintf(pattern, sizeof(pattern), " %s=", key);
	while (fgets(line, sizeof(line), f)) {
		const char *p;

		if (strncmp(line, who, strlen(who)) != 0 || line[strlen(who)] != ' ')
			continue;
		if (n-- > 0)
			continue;
		p = strstr(line, pattern);
		if (p)
			snprintf(out, sizeof(out), "%.*s", (int)strcspn(p + strlen(pattern), " \n"),
				 p + strlen(pattern));
		break;
	}
	fclose(f);
	return out;
}

/* Lines in the file that start with `who`. */
static int th_stat_lines(const char *file, const char *who)
{
	FILE *f = fopen(th_path(file), "r");
	char line[2048];
	int count = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, who, strlen(who)) == 0 && line[strlen(who)] == ' ')
			count++;
	fclose(f);
	return count;
}

#endif
