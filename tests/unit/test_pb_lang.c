/*
 * Accept-Language values of PB-Language-Preference: parsing per RFC 3282 and
 * RFC 2616 section 14.4, building in the form strongSwan 6.0.6 accepts, and
 * language selection by q-value.
 */
#include "test_util.h"
#include "pb_lang.h"

static int parse(const char *text, pb_lang_pref *pref, size_t *err_offset)
{
	return pb_lang_parse((const uint8_t *)text, strlen(text), pref, err_offset);
}

START_TEST(lang_parse_strongswan_value)
{
	pb_lang_pref pref;
	size_t off;

	ck_assert_int_eq(parse("Accept-Language: en", &pref, &off), TS_OK);
	ck_assert_uint_eq(pref.count, 1);
	ck_assert_str_eq(pref.ranges[0].tag, "en");
	ck_assert_uint_eq(pref.ranges[0].q, 1000);
}
END_TEST

START_TEST(lang_parse_list_with_q)
{
	pb_lang_pref pref;
	size_t off;

	ck_assert_int_eq(parse("Accept-Language: da, en-gb;q=0.8, en;q=0.7, *;q=0", &pref, &off), TS_OK);
	ck_assert_uint_eq(pref.count, 4);
	ck_assert_str_eq(pref.ranges[0].tag, "da");
	ck_assert_uint_eq(pref.ranges[0].q, 1000);
	ck_assert_str_eq(pref.ranges[1].tag, "en-gb");
	ck_assert_uint_eq(pref.ranges[1].q, 800);
	ck_assert_str_eq(pref.ranges[2].tag, "en");
	ck_assert_uint_eq(pref.ranges[2].q, 700);
	ck_assert_str_eq(pref.ranges[3].tag, "*");
	ck_assert_uint_eq(pref.ranges[3].q, 0);
}
END_TEST

/* White space, empty list elements, no space after the colon, any case. */
START_TEST(lang_parse_lenient_forms)
{
	static const char *accepted[] = {
		"Accept-Language:en",
		"accept-language: EN",
		"Accept-Language: fr, en",
		"Accept-Language:\tfr ,en ; q = 0.5",
		"Accept-Language: ,, fr,,en,",
		"Accept-Language: es-419",
		"Accept-Language: en;Q=1.000",
		"Accept-Language: en;q=0.001",
		"Accept-Language: en ",
	};
	pb_lang_pref pref;
	size_t off;

	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		ck_assert_msg(parse(accepted[i], &pref, &off) == TS_OK, "'%s' rejected at %zu", accepted[i], off);
		ck_assert_uint_ge(pref.count, 1);
	}
	ck_assert_int_eq(parse("Accept-Language: ,, fr,,en,", &pref, &off), TS_OK);
	ck_assert_uint_eq(pref.count, 2);
	ck_assert_int_eq(parse("Accept-Language:\tfr ,en ; q = 0.5", &pref, &off), TS_OK);
	ck_assert_uint_eq(pref.ranges[1].q, 500);
	ck_assert_int_eq(parse("Accept-Language: en;q=0.001", &pref, &off), TS_OK);
	ck_assert_uint_eq(pref.ranges[0].q, 1);
}
END_TEST

/* The RFC's "no preference" (empty), and strongSwan's header with an empty list. */
START_TEST(lang_parse_no_preference)
{
	pb_lang_pref pref;
	size_t off;

	pref.count = 99;
	ck_assert_int_eq(pb_lang_parse(NULL, 0, &pref, &off), TS_OK);
	ck_assert_uint_eq(pref.count, 0);
	pref.count = 99;
	ck_assert_int_eq(parse("Accept-Language: ", &pref, &off), TS_OK);
	ck_assert_uint_eq(pref.count, 0);
}
END_TEST

START_TEST(lang_parse_invalid)
{
	static const struct {
		const char *text;
		size_t offset;
	} cases[] = {
		{ "Accept-Language", 0 },
		{ "Accept: en", 0 },
		{ " Accept-Language: en", 0 },
		{ "Accept-Language: e1", 18 },
		{ "Accept-Language: 1e", 17 },
		{ "Accept-Language: en-", 20 },
		{ "Accept-Language: en--gb", 20 },
		{ "Accept-Language: abcdefghi", 25 },
		{ "Accept-Language: en-abcdefghi", 28 },
		{ "Accept-Language: en;q=2", 22 },
		{ "Accept-Language: en;q=1.5", 24 },
		{ "Accept-Language: en;q=0.1234", 27 },
		{ "Accept-Language: en;x=1", 20 },
		{ "Accept-Language: en;q", 21 },
		{ "Accept-Language: en fr", 20 },
		{ "Accept-Language: en (comment)", 20 },
		{ "Accept-Language: en\r\n", 19 },
		{ "Accept-Language: \xc3\xa9", 17 },
		{ "Accept-Language: **", 18 },
	};
	pb_lang_pref pref;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t off = 12345;

		pref.count = 77;
		ck_assert_msg(parse(cases[i].text, &pref, &off) == TS_E_INVALID, "'%s' accepted", cases[i].text);
		ck_assert_msg(off == cases[i].offset, "'%s': offset %zu, expected %zu", cases[i].text, off,
			      cases[i].offset);
		ck_assert_uint_eq(pref.count, 77);
	}
}
END_TEST

START_TEST(lang_parse_limits)
{
	char text[512];
	pb_lang_pref pref;
	size_t off, n;

	/* PB_LANG_MAX_RANGES ranges fit, one more does not. */
	n = (size_t)snprintf(text, sizeof(text), "Accept-Language: ");
	for (int i = 0; i < PB_LANG_MAX_RANGES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%sx%c", i ? "," : "", 'a' + i);
	ck_assert_int_eq(parse(text, &pref, &off), TS_OK);
	ck_assert_uint_eq(pref.count, PB_LANG_MAX_RANGES);
	snprintf(text + n, sizeof(text) - n, ",zz");
	ck_assert_int_eq(parse(text, &pref, &off), TS_E_TOO_LARGE);
	ck_assert_uint_eq(off, n + 1);

	/* A 63-character range fits, 64 do not: "abcdefg", 6 x "-abcdefgh" and "-a" are 63. */
	strcpy(text, "Accept-Language: abcdefg");
	for (int i = 0; i < 6; i++)
		strcat(text, "-abcdefgh");
	strcat(text, "-a");
	ck_assert_int_eq(parse(text, &pref, &off), TS_OK);
	ck_assert_uint_eq(strlen(pref.ranges[0].tag), 64 - 1);
	strcat(text, "b");
	ck_assert_int_eq(parse(text, &pref, &off), TS_E_TOO_LARGE);
	ck_assert_uint_eq(off, 17);
}
END_TEST

static void check_build(const pb_lang_pref *pref, const char *expected)
{
	writer_t w;

	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_lang_build(pref, &w), TS_OK);
	ck_assert_uint_eq(writer_len(&w), strlen(expected));
	if (strlen(expected) > 0)
		ck_assert_mem_eq(writer_data(&w), expected, strlen(expected));
	writer_free(&w);
}

START_TEST(lang_build_forms)
{
	pb_lang_pref pref = { 0 };
	writer_t w;

	/* No preference writes nothing. */
	check_build(&pref, "");

	pref.count = 1;
	strcpy(pref.ranges[0].tag, "en");
	pref.ranges[0].q = 1000;
	check_build(&pref, "Accept-Language: en");

	pref.count = 5;
	strcpy(pref.ranges[1].tag, "de-CH");
	pref.ranges[1].q = 500;
	strcpy(pref.ranges[2].tag, "fr");
	pref.ranges[2].q = 250;
	strcpy(pref.ranges[3].tag, "it");
	pref.ranges[3].q = 1;
	strcpy(pref.ranges[4].tag, "*");
	pref.ranges[4].q = 0;
	check_build(&pref, "Accept-Language: en, de-CH;q=0.5, fr;q=0.25, it;q=0.001, *;q=0");

	/* Invalid tags and q values are not written. */
	strcpy(pref.ranges[2].tag, "f r");
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_lang_build(&pref, &w), TS_E_INVALID);
	ck_assert_uint_eq(writer_len(&w), 0);
	strcpy(pref.ranges[2].tag, "fr");
	pref.ranges[2].q = 1001;
	ck_assert_int_eq(pb_lang_build(&pref, &w), TS_E_INVALID);
	ck_assert_uint_eq(writer_len(&w), 0);
	writer_free(&w);
}
END_TEST

/* Whatever pb_lang_build writes, pb_lang_parse reads back unchanged. */
START_TEST(lang_build_parse_round_trip)
{
	pb_lang_pref pref, back;
	writer_t w;
	size_t off;

	ck_assert_int_eq(pb_lang_from_list("de-AT, de;q=0.9, en;q=0.123, *;q=0", &pref), TS_OK);
	ck_assert_uint_eq(pref.count, 4);
	writer_init(&w, SIZE_MAX);
	ck_assert_int_eq(pb_lang_build(&pref, &w), TS_OK);
	ck_assert_int_eq(pb_lang_parse(writer_data(&w), writer_len(&w), &back, &off), TS_OK);
	ck_assert_uint_eq(back.count, pref.count);
	for (size_t i = 0; i < pref.count; i++) {
		ck_assert_str_eq(back.ranges[i].tag, pref.ranges[i].tag);
		ck_assert_uint_eq(back.ranges[i].q, pref.ranges[i].q);
	}
	writer_free(&w);
}
END_TEST

START_TEST(lang_from_list_default)
{
	pb_lang_pref pref;

	ck_assert_int_eq(pb_lang_from_list(NULL, &pref), TS_OK);
	ck_assert_uint_eq(pref.count, 1);
	ck_assert_str_eq(pref.ranges[0].tag, "en");
	ck_assert_int_eq(pb_lang_from_list("  ", &pref), TS_OK);
	ck_assert_str_eq(pref.ranges[0].tag, "en");
	ck_assert_int_eq(pb_lang_from_list("en;q=3", &pref), TS_E_INVALID);
}
END_TEST

START_TEST(lang_matches_prefix)
{
	ck_assert_int_eq(pb_lang_matches("en", "en", 2), true);
	ck_assert_int_eq(pb_lang_matches("en", "EN-gb", 5), true);
	ck_assert_int_eq(pb_lang_matches("en", "eng", 3), false);
	ck_assert_int_eq(pb_lang_matches("en-gb", "en", 2), false);
	ck_assert_int_eq(pb_lang_matches("*", "de", 2), true);
}
END_TEST

START_TEST(lang_select_by_q)
{
	static const char *const available[] = { "en", "de", "fr-CA" };
	pb_lang_pref pref;

	ck_assert_int_eq(pb_lang_from_list("de;q=0.5, en;q=0.4", &pref), TS_OK);
	ck_assert_int_eq(pb_lang_select(&pref, available, 3), 1);
	ck_assert_int_eq(pb_lang_from_list("fr", &pref), TS_OK);
	ck_assert_int_eq(pb_lang_select(&pref, available, 3), 2);
	/* The longest matching range decides: fr-CA is excluded although fr is wanted. */
	ck_assert_int_eq(pb_lang_from_list("fr, fr-CA;q=0, en;q=0.1", &pref), TS_OK);
	ck_assert_int_eq(pb_lang_select(&pref, available, 3), 0);
	/* "*" takes any tag not named; q=0 ranges stay excluded. */
	ck_assert_int_eq(pb_lang_from_list("en;q=0, *", &pref), TS_OK);
	ck_assert_int_eq(pb_lang_select(&pref, available, 3), 1);
	ck_assert_int_eq(pb_lang_from_list("it", &pref), TS_OK);
	ck_assert_int_eq(pb_lang_select(&pref, available, 3), -1);
	/* No preference means English. */
	pref.count = 0;
	ck_assert_int_eq(pb_lang_select(&pref, available + 1, 2), -1);
	ck_assert_int_eq(pb_lang_select(&pref, available, 3), 0);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pb_lang");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, lang_parse_strongswan_value);
	tcase_add_test(tc, lang_parse_list_with_q);
	tcase_add_test(tc, lang_parse_lenient_forms);
	tcase_add_test(tc, lang_parse_no_preference);
	tcase_add_test(tc, lang_parse_invalid);
	tcase_add_test(tc, lang_parse_limits);
	tcase_add_test(tc, lang_build_forms);
	tcase_add_test(tc, lang_build_parse_round_trip);
	tcase_add_test(tc, lang_from_list_default);
	tcase_add_test(tc, lang_matches_prefix);
	tcase_add_test(tc, lang_select_by_q);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
