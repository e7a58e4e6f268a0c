#include "test_util.h"
#include "pb_batch.h"
#include "pb_lang.h"

START_TEST(pb_lang_placeholder)
{
	pb_limits l;

	pb_limits_default(&l);
	ck_assert_uint_eq(l.max_msg_count, PB_DEFAULT_MAX_MSG_COUNT);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pb_lang");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, pb_lang_placeholder);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
