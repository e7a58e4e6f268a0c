/*
 * Attribute registry: the built-in IETF table, tables added by other
 * namespaces, names for logs, and the parser's use of added tables.
 * check(1) runs each test in its own process, so tables added by one test
 * do not leak into the next.
 */
#include <pthread.h>
#include <stdint.h>

#include "test_util.h"
#include "pa/ietf_attr.h"
#include "pa/pa_msg.h"
#include "pa/pa_registry.h"
#include "ts_error.h"

/* Rejects a value whose first octet is not 0, at offset 0. */
static int validate_first_zero(const uint8_t *value, size_t len, size_t *bad_offset)
{
	if (len > 0 && value[0] != 0) {
		*bad_offset = 0;
		return TS_E_INVALID;
	}
	return TS_OK;
}

/* Two TCG types with their real numbers (IF-M Segmentation and PTS). */
static const pa_attr_info tcg_table[] = {
	{ PA_VENDOR_TCG, 0x21, "Segmentation Contract Request", 8, 8, NULL },
	{ PA_VENDOR_TCG, 0x01000000, "Request PTS Protocol Capabilities", 4, 4,
	  validate_first_zero },
};

START_TEST(registry_ietf_builtin)
{
	static const char *const names[] = {
		NULL, "Attribute Request", "Product Information", "Numeric Version",
		"String Version", "Operational Status", "Port Filter", "Installed Packages",
		"PA-TNC Error", "Assessment Result", "Remediation Instructions",
		"Forwarding Enabled", "Factory Default Password Enabled",
	};
	const pa_attr_info *info;

	for (uint32_t type = 1; type <= 12; type++) {
		info = pa_registry_lookup(PA_VENDOR_IETF, type);
		ck_assert_ptr_nonnull(info);
		ck_assert_str_eq(info->name, names[type]);
		ck_assert_uint_eq(info->type, type);
	}
	ck_assert_ptr_null(pa_registry_lookup(PA_VENDOR_IETF, 0));
	ck_assert_ptr_null(pa_registry_lookup(PA_VENDOR_IETF, 13));
	ck_assert_ptr_null(pa_registry_lookup(PA_VENDOR_TCG, 2));

	/* Fixed sizes from RFC 5792 section 4.2, the 12-octet header excluded. */
	info = pa_registry_lookup(PA_VENDOR_IETF, IETF_ATTR_NUMERIC_VERSION);
	ck_assert_uint_eq(info->min_value_len, 16);
	ck_assert_uint_eq(info->max_value_len, 16);
	info = pa_registry_lookup(PA_VENDOR_IETF, IETF_ATTR_OPERATIONAL_STATUS);
	ck_assert_uint_eq(info->min_value_len, 24);
	ck_assert_uint_eq(info->max_value_len, 24);
	info = pa_registry_lookup(PA_VENDOR_IETF, IETF_ATTR_PRODUCT_INFORMATION);
	ck_assert_uint_eq(info->min_value_len, 5);
	info = pa_registry_lookup(PA_VENDOR_IETF, IETF_ATTR_PA_TNC_ERROR);
	ck_assert_uint_eq(info->min_value_len, 8);
}
END_TEST

START_TEST(registry_add_and_lookup)
{
	const pa_attr_info *info;

	ck_assert_ptr_null(pa_registry_lookup(PA_VENDOR_TCG, 0x21));
	ck_assert_int_eq(pa_registry_add(tcg_table, 2), TS_OK);
	info = pa_registry_lookup(PA_VENDOR_TCG, 0x21);
	ck_assert_ptr_eq(info, &tcg_table[0]);
	ck_assert_ptr_eq(pa_registry_lookup(PA_VENDOR_TCG, 0x01000000), &tcg_table[1]);
	/* The same table again, and the IETF table, are no-ops. */
	ck_assert_int_eq(pa_registry_add(tcg_table, 2), TS_OK);
	ck_assert_int_eq(pa_registry_add(ietf_attr_infos, ietf_attr_info_count), TS_OK);
}
END_TEST

/* An added table may define IETF types that the built-in table lacks. */
START_TEST(registry_add_ietf_type)
{
	static const pa_attr_info swima[] = {
		{ PA_VENDOR_IETF, IETF_ATTR_SWIMA_REQUEST, "SWIMA Request", 12, UINT32_MAX, NULL },
	};
	char buf[PA_ATTR_NAME_MAX];

	ck_assert_int_eq(pa_registry_add(swima, 1), TS_OK);
	ck_assert_ptr_eq(pa_registry_lookup(PA_VENDOR_IETF, IETF_ATTR_SWIMA_REQUEST), &swima[0]);
	ck_assert_ptr_nonnull(pa_registry_lookup(PA_VENDOR_IETF, IETF_ATTR_PRODUCT_INFORMATION));
	ck_assert_str_eq(pa_registry_name(0, 13, buf, sizeof(buf)), "IETF/SWIMA Request");
}
END_TEST

START_TEST(registry_rejects_bad_tables)
{
	static const pa_attr_info duplicate[] = {
		{ PA_VENDOR_TCG, 0x21, "Segmentation Contract Request", 8, 8, NULL },
	};
	static const pa_attr_info duplicate_inside[] = {
		{ PA_VENDOR_ITA, 8, "Device ID", 0, UINT32_MAX, NULL },
		{ PA_VENDOR_ITA, 8, "Device ID", 0, UINT32_MAX, NULL },
	};
	static const pa_attr_info reserved_vendor[] = {
		{ PA_VENDOR_RESERVED, 1, "x", 0, 0, NULL },
	};
	static const pa_attr_info reserved_type[] = {
		{ PA_VENDOR_ITA, PA_TYPE_RESERVED, "x", 0, 0, NULL },
	};
	static const pa_attr_info min_above_max[] = {
		{ PA_VENDOR_ITA, 1, "x", 5, 4, NULL },
	};
	static const pa_attr_info ietf_clash[] = {
		{ PA_VENDOR_ITA, 20, "fine", 0, 0, NULL },
		{ PA_VENDOR_IETF, 2, "Product Information", 5, 5, NULL },
	};

	ck_assert_int_eq(pa_registry_add(tcg_table, 2), TS_OK);
	ck_assert_int_eq(pa_registry_add(duplicate, 1), TS_E_INVALID);
	ck_assert_int_eq(pa_registry_add(duplicate_inside, 2), TS_E_INVALID);
	ck_assert_int_eq(pa_registry_add(reserved_vendor, 1), TS_E_INVALID);
	ck_assert_int_eq(pa_registry_add(reserved_type, 1), TS_E_INVALID);
	ck_assert_int_eq(pa_registry_add(min_above_max, 1), TS_E_INVALID);
	ck_assert_int_eq(pa_registry_add(ietf_clash, 2), TS_E_INVALID);
	/* Nothing of a rejected table is added. */
	ck_assert_ptr_null(pa_registry_lookup(PA_VENDOR_ITA, 20));
	ck_assert_int_eq(pa_registry_add(NULL, 1), TS_E_INVALID);
}
END_TEST

START_TEST(registry_table_limit)
{
	static pa_attr_info tables[PA_REGISTRY_MAX_TABLES + 1][1];

	for (size_t i = 0; i <= PA_REGISTRY_MAX_TABLES; i++)
		tables[i][0] = (pa_attr_info){ PA_VENDOR_ITA, (uint32_t)(100 + i), "t", 0, 0, NULL };
	for (size_t i = 0; i < PA_REGISTRY_MAX_TABLES; i++)
		ck_assert_int_eq(pa_registry_add(tables[i], 1), TS_OK);
	ck_assert_int_eq(pa_registry_add(tables[PA_REGISTRY_MAX_TABLES], 1), TS_E_TOO_LARGE);
	ck_assert_ptr_nonnull(pa_registry_lookup(PA_VENDOR_ITA, 100 + PA_REGISTRY_MAX_TABLES - 1));
}
END_TEST

START_TEST(registry_names)
{
	char buf[PA_ATTR_NAME_MAX];

	ck_assert_str_eq(pa_registry_name(0, 2, buf, sizeof(buf)), "IETF/Product Information");
	ck_assert_str_eq(pa_registry_name(0, 13, buf, sizeof(buf)), "IETF/SWIMA Request");
	ck_assert_str_eq(pa_registry_name(0, 22, buf, sizeof(buf)), "vendor 0x000000, type 0x00000016");
	ck_assert_str_eq(pa_registry_name(0x00abcd, 7, buf, sizeof(buf)),
			 "vendor 0x00abcd, type 0x00000007");
	ck_assert_str_eq(pa_registry_name(PA_VENDOR_TCG, 0x21, buf, sizeof(buf)),
			 "vendor 0x005597, type 0x00000021");
	ck_assert_int_eq(pa_registry_add(tcg_table, 2), TS_OK);
	ck_assert_str_eq(pa_registry_name(PA_VENDOR_TCG, 0x21, buf, sizeof(buf)),
			 "TCG/Segmentation Contract Request");
	ck_assert_str_eq(pa_registry_vendor_name(PA_VENDOR_ITA), "ITA-HSR");
	ck_assert_ptr_null(pa_registry_vendor_name(0x00abcd));
	/* A small buffer is cut, not overrun. */
	ck_assert_str_eq(pa_registry_name(0, 2, buf, 5), "IETF");
}
END_TEST

/* The parser applies added tables: NOSKIP types become known and are validated. */
START_TEST(registry_used_by_parser)
{
	size_t len;
	unsigned char *data = test_hex("01 000000 00000001 80 005597 01000000 00000010 0000000e", &len);
	pa_msg *msg = NULL;
	pa_msg_error err;

	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, &err), TS_E_UNSUPPORTED);
	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_ATTR_TYPE_NOT_SUPPORTED);

	ck_assert_int_eq(pa_registry_add(tcg_table, 2), TS_OK);
	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, &err), TS_OK);
	ck_assert_ptr_eq(msg->attrs[0].info, &tcg_table[1]);
	pa_msg_free(msg);

	/* validate() rejects a non-zero first octet: offset 8 + 12 + 0. */
	data[20] = 1;
	ck_assert_int_eq(pa_msg_parse(data, len, NULL, &msg, &err), TS_E_INVALID);
	ck_assert_uint_eq(err.error.code, IETF_PA_ERROR_INVALID_PARAMETER);
	ck_assert_uint_eq(err.error.offset, 20);
	ck_assert_str_eq(err.field, "Request PTS Protocol Capabilities");
	free(data);
}
END_TEST

static void *lookup_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20000; i++) {
		const pa_attr_info *info = pa_registry_lookup(PA_VENDOR_TCG, 0x21);

		if (info && info != &tcg_table[0])
			return (void *)1;
		if (!pa_registry_lookup(PA_VENDOR_IETF, 2))
			return (void *)1;
	}
	return NULL;
}

/* Lookups from several threads while a table is added. */
START_TEST(registry_concurrent_lookup)
{
	pthread_t threads[4];
	void *result;

	for (size_t i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&threads[i], NULL, lookup_loop, NULL), 0);
	ck_assert_int_eq(pa_registry_add(tcg_table, 2), TS_OK);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(threads[i], &result), 0);
		ck_assert_ptr_null(result);
	}
	ck_assert_ptr_eq(pa_registry_lookup(PA_VENDOR_TCG, 0x21), &tcg_table[0]);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pa_registry");
	TCase *tc = tcase_create("registry");

	tcase_add_test(tc, registry_ietf_builtin);
	tcase_add_test(tc, registry_add_and_lookup);
	tcase_add_test(tc, registry_add_ietf_type);
	tcase_add_test(tc, registry_rejects_bad_tables);
	tcase_add_test(tc, registry_table_limit);
	tcase_add_test(tc, registry_names);
	tcase_add_test(tc, registry_used_by_parser);
	tcase_add_test(tc, registry_concurrent_lookup);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
