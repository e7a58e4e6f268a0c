/*
 * Shared scaffolding for the check(1) unit tests.
 *
 * Each test program defines `static Suite *make_suite(void)` and ends with
 * TEST_MAIN(). check's own assertions print both compared values
 * (ck_assert_int_eq, ck_assert_str_eq, ck_assert_mem_eq); use those rather
 * than a bare ck_assert.
 */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif
#ifndef TOP_BUILDDIR
#define TOP_BUILDDIR "."
#endif

/* Path of a fixture under tests/data/, in a static buffer. */
static inline const char *test_data_path(const char *name)
{
	static char path[4096];
	const char *top = getenv("TOP_SRCDIR");

	snprintf(path, sizeof(path), "%s/tests/data/%s", top && *top ? top : TOP_SRCDIR, name);
	return path;
}

/* Reads a whole file into a malloc()ed buffer; fails the test if it cannot. */
static inline unsigned char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		if (k == 0)
			break;
		n += k;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Decodes a hex string (spaces allowed) into a malloc()ed buffer. */
static inline unsigned char *test_hex(const char *hex, size_t *len)
{
	unsigned char *buf = malloc(strlen(hex) / 2 + 1);
	size_t n = 0;
	int hi = -1;

	ck_assert_ptr_nonnull(buf);
	for (const char *p = hex; *p; p++) {
		int v;

		if (*p == ' ' || *p == '\n' || *p == ':')
			continue;
		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			v = *p - 'A' + 10;
		else
			ck_abort_msg("invalid hex character '%c' in test vector", *p);
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (unsigned char)(hi << 4 | v);
			hi = -1;
		}
	}
	ck_assert_msg(hi < 0, "odd number of hex digits in test vector");
	*len = n;
	return buf;
}

#define TEST_MAIN()                                                   \
	int main(void)                                                \
	{                                                             \
		SRunner *runner = srunner_create(make_suite());       \
		int failed;                                           \
		srunner_run_all(runner, CK_NORMAL);                   \
		failed = srunner_ntests_failed(runner);               \
		srunner_free(runner);                                 \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;     \
	}

#endif
