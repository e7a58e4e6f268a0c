/*
 * Tests of the module-side agent. The host here is a small recording TNCC/
 * TNCS written for the test; tests of the real hosts loading real modules
 * live with the hosts.
 */
#include "test_util.h"
#include "tnc_agent.h"
#include "tncifimc.h"
#include "tncifimv.h"

/* What the recording host saw. */
static struct {
	bool offer_long;        /* whether the bind function offers the Long functions */
	int report_calls;
	TNC_VendorID reported_vendor;
	TNC_MessageSubtype reported_subtype;
	TNC_MessageType reported_legacy;
	int sends;
	TNC_UInt32 sent_flags, sent_dst;
	TNC_VendorID sent_vendor;
	TNC_MessageSubtype sent_subtype;
	char sent_body[64];
	TNC_UInt32 recommendation, evaluation;
	int recommendations;
	char reason[64];
} host;

static TNC_Result host_report(TNC_UInt32 id, TNC_MessageTypeList types, TNC_UInt32 count)
{
	host.report_calls++;
	host.reported_legacy = count ? types[0] : 0;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result host_report_long(TNC_UInt32 id, TNC_VendorIDList vendors,
				   TNC_MessageSubtypeList subtypes, TNC_UInt32 count)
{
	host.report_calls++;
	host.reported_vendor = count ? vendors[0] : 0;
	host.reported_subtype = count ? subtypes[0] : 0;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result host_send(TNC_UInt32 id, TNC_ConnectionID conn, TNC_BufferReference msg,
			    TNC_UInt32 len, TNC_MessageType type)
{
	host.sends++;
	host.sent_flags = 0;
	host.sent_vendor = TNC_MESSAGETYPE_VENDOR(type);
	host.sent_subtype = TNC_MESSAGETYPE_SUBTYPE(type);
	snprintf(host.sent_body, sizeof(host.sent_body), "%.*s", (int)len, (char *)msg);
	return TNC_RESULT_SUCCESS;
}

static TNC_Result host_send_long(TNC_UInt32 id, TNC_ConnectionID conn, TNC_UInt32 flags,
				 TNC_BufferReference msg, TNC_UInt32 len, TNC_VendorID vendor,
				 TNC_MessageSubtype subtype, TNC_UInt32 dst)
{
	host.sends++;
	host.sent_flags = flags;
	host.sent_dst = dst;
	host.sent_vendor = vendor;
	host.sent_subtype = subtype;
	snprintf(host.sent_body, sizeof(host.sent_body), "%.*s", (int)len, (char *)msg);
	return TNC_RESULT_SUCCESS;
}

static TNC_Result host_provide(TNC_UInt32 id, TNC_ConnectionID conn, TNC_UInt32 rec, TNC_UInt32 eval)
{
	host.recommendations++;
	host.recommendation = rec;
	host.evaluation = eval;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result host_get_attribute(TNC_UInt32 id, TNC_ConnectionID conn, TNC_AttributeID attr,
				     TNC_UInt32 buf_len, TNC_BufferReference buf, TNC_UInt32 *out_len)
{
	static const unsigned char max_size[4] = { 0x00, 0x01, 0x00, 0x00 };

	if (attr != TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE)
		return TNC_RESULT_INVALID_PARAMETER;
	if (buf_len >= 4)
		memcpy(buf, max_size, 4);
	*out_len = 4;
	return TNC_RESULT_SUCCESS;
}

static TNC_Result host_set_attribute(TNC_UInt32 id, TNC_ConnectionID conn, TNC_AttributeID attr,
				     TNC_UInt32 len, TNC_BufferReference buf)
{
	if (attr == TNC_ATTRIBUTEID_REASON_STRING)
		snprintf(host.reason, sizeof(host.reason), "%.*s", (int)len, (char *)buf);
	return TNC_RESULT_SUCCESS;
}

static TNC_Result host_bind(TNC_UInt32 id, char *name, void **fn)
{
	static const struct { const char *suffix; void *fn; bool is_long; } table[] = {
		{ "ReportMessageTypes", (void *)host_report, false },
		{ "ReportMessageTypesLong", (void *)host_report_long, true },
		{ "SendMessage", (void *)host_send, false },
		{ "SendMessageLong", (void *)host_send_long, true },
		{ "ProvideRecommendation", (void *)host_provide, false },
		{ "GetAttribute", (void *)host_get_attribute, false },
		{ "SetAttribute", (void *)host_set_attribute, false },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(name + strlen("TNC_TNCx_"), table[i].suffix) != 0)
			continue;
		if (table[i].is_long && !host.offer_long)
			break;
		*fn = table[i].fn;
		return TNC_RESULT_SUCCESS;
	}
	*fn = NULL;
	return TNC_RESULT_INVALID_PARAMETER;
}

/* The module under test: echoes every message back, exclusively to its sender. */
static int creates, frees, changes;

static TNC_Result mod_create(tnc_agent_t *agent, TNC_ConnectionID conn, void **state)
{
	creates++;
	*state = strdup("state");
	return TNC_RESULT_SUCCESS;
}

static void mod_free(void *state)
{
	frees++;
	free(state);
}

static void mod_change(tnc_agent_t *agent, TNC_ConnectionID conn, void *state, TNC_ConnectionState s)
{
	changes++;
}

static TNC_Result mod_begin(tnc_agent_t *agent, TNC_ConnectionID conn, void *state)
{
	return tnc_agent_send(agent, conn, false, TNC_IMVID_ANY, 0, 1, (const uint8_t *)"hello", 5);
}

static TNC_Result mod_receive(tnc_agent_t *agent, TNC_ConnectionID conn, void *state,
			      const tnc_agent_msg *msg)
{
	ck_assert_str_eq(state, "state");
	return tnc_agent_send(agent, conn, true, msg->src_id, msg->vendor, msg->subtype, msg->data,
			      msg->len);
}

static const tnc_agent_ops ops = {
	.conn_create = mod_create,
	.conn_free = mod_free,
	.conn_change = mod_change,
	.begin_handshake = mod_begin,
	.receive = mod_receive,
};

static tnc_agent_t *make_agent(tnc_agent_side side, bool offer_long)
{
	static const TNC_VendorID vendors[] = { 0x005597 };
	static const TNC_MessageSubtype subtypes[] = { 1 };
	tnc_agent_t *agent = NULL;
	TNC_Version actual = 0;

	memset(&host, 0, sizeof(host));
	host.offer_long = offer_long;
	creates = frees = changes = 0;
	ck_assert_int_eq(tnc_agent_create(side, "test", &ops, vendors, subtypes, 1, NULL, &agent), TS_OK);
	ck_assert_uint_eq(tnc_agent_initialize(agent, 5, 1, 1, &actual), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(actual, 1);
	ck_assert_uint_eq(tnc_agent_provide_bind_function(agent, 5, host_bind), TNC_RESULT_SUCCESS);
	return agent;
}

START_TEST(agent_version_negotiation)
{
	tnc_agent_t *agent = NULL;
	TNC_Version actual = 0;

	ck_assert_int_eq(tnc_agent_create(TNC_AGENT_IMC, "v", &ops, NULL, NULL, 0, NULL, &agent), TS_OK);
	ck_assert_uint_eq(tnc_agent_begin_handshake(agent, 1, 1), TNC_RESULT_NOT_INITIALIZED);
	ck_assert_uint_eq(tnc_agent_initialize(agent, 1, 2, 3, &actual), TNC_RESULT_NO_COMMON_VERSION);
	ck_assert_uint_eq(tnc_agent_initialize(agent, 1, 1, 3, &actual), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(actual, 1);
	ck_assert_uint_eq(tnc_agent_initialize(agent, 1, 1, 3, &actual), TNC_RESULT_ALREADY_INITIALIZED);
	tnc_agent_destroy(agent);
}
END_TEST

START_TEST(agent_reports_long_types)
{
	tnc_agent_t *agent = make_agent(TNC_AGENT_IMC, true);

	ck_assert_int_eq(host.report_calls, 1);
	ck_assert_uint_eq(host.reported_vendor, 0x005597);
	ck_assert_uint_eq(host.reported_subtype, 1);
	tnc_agent_destroy(agent);
}
END_TEST

START_TEST(agent_reports_legacy_types)
{
	tnc_agent_t *agent = make_agent(TNC_AGENT_IMC, false);

	ck_assert_int_eq(host.report_calls, 1);
	ck_assert_uint_eq(host.reported_legacy, 0x00559701);
	tnc_agent_destroy(agent);
}
END_TEST

START_TEST(agent_connection_lifecycle)
{
	tnc_agent_t *agent = make_agent(TNC_AGENT_IMC, true);

	ck_assert_uint_eq(tnc_agent_notify_connection_change(agent, 5, 9, TNC_CONNECTION_STATE_CREATE),
			  TNC_RESULT_SUCCESS);
	ck_assert_int_eq(creates, 1);
	ck_assert_uint_eq(tnc_agent_notify_connection_change(agent, 5, 9, TNC_CONNECTION_STATE_CREATE),
			  TNC_RESULT_INVALID_PARAMETER);
	ck_assert_int_eq(frees, 1);
	ck_assert_uint_eq(tnc_agent_notify_connection_change(agent, 5, 9, TNC_CONNECTION_STATE_HANDSHAKE),
			  TNC_RESULT_SUCCESS);
	ck_assert_int_eq(changes, 1);

	ck_assert_uint_eq(tnc_agent_begin_handshake(agent, 5, 9), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(host.sends, 1);
	ck_assert_str_eq(host.sent_body, "hello");
	ck_assert_uint_eq(host.sent_flags, 0);
	ck_assert_uint_eq(host.sent_dst, TNC_IMVID_ANY);

	ck_assert_uint_eq(tnc_agent_begin_handshake(agent, 5, 10), TNC_RESULT_INVALID_PARAMETER);
	ck_assert_uint_eq(tnc_agent_begin_handshake(agent, 6, 9), TNC_RESULT_INVALID_PARAMETER);

	ck_assert_uint_eq(tnc_agent_notify_connection_change(agent, 5, 9, TNC_CONNECTION_STATE_DELETE),
			  TNC_RESULT_SUCCESS);
	ck_assert_int_eq(frees, 2);
	ck_assert_uint_eq(tnc_agent_notify_connection_change(agent, 5, 9, TNC_CONNECTION_STATE_DELETE),
			  TNC_RESULT_INVALID_PARAMETER);
	tnc_agent_destroy(agent);
}
END_TEST

START_TEST(agent_receive_long_and_legacy)
{
	tnc_agent_t *agent = make_agent(TNC_AGENT_IMV, true);
	unsigned char body[] = "ping";

	ck_assert_uint_eq(tnc_agent_notify_connection_change(agent, 5, 3, TNC_CONNECTION_STATE_CREATE),
			  TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(tnc_agent_receive_message_long(agent, 5, 3, 0, body, 4, 0x005597, 1, 7, 5),
			  TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(host.sent_flags, TNC_MESSAGE_FLAGS_EXCLUSIVE);
	ck_assert_uint_eq(host.sent_dst, 7);
	ck_assert_uint_eq(host.sent_vendor, 0x005597);
	ck_assert_str_eq(host.sent_body, "ping");

	/* The legacy form splits the 32-bit type; the sender is unknown. */
	ck_assert_uint_eq(tnc_agent_receive_message(agent, 5, 3, body, 4, 0x00000001), TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(host.sent_vendor, 0);
	ck_assert_uint_eq(host.sent_subtype, 1);
	ck_assert_uint_eq(host.sent_dst, TNC_IMCID_ANY);
	ck_assert_uint_eq(tnc_agent_receive_message(agent, 5, 3, NULL, 4, 1), TNC_RESULT_INVALID_PARAMETER);
	tnc_agent_destroy(agent);
}
END_TEST

START_TEST(agent_exclusive_needs_long)
{
	tnc_agent_t *agent = make_agent(TNC_AGENT_IMC, false);

	ck_assert_uint_eq(tnc_agent_send(agent, 1, true, 2, 0, 1, (const uint8_t *)"x", 1),
			  TNC_RESULT_NO_LONG_MESSAGE_TYPES);
	ck_assert_uint_eq(tnc_agent_send(agent, 1, false, TNC_IMVID_ANY, 0x1000000, 1,
					 (const uint8_t *)"x", 1), TNC_RESULT_NO_LONG_MESSAGE_TYPES);
	ck_assert_uint_eq(tnc_agent_send(agent, 1, false, TNC_IMVID_ANY, 0, 1, (const uint8_t *)"x", 1),
			  TNC_RESULT_SUCCESS);
	ck_assert_int_eq(host.sends, 1);
	tnc_agent_destroy(agent);
}
END_TEST

START_TEST(agent_imv_recommendation)
{
	tnc_agent_t *agent = make_agent(TNC_AGENT_IMV, true);

	ck_assert_uint_eq(tnc_agent_notify_connection_change(agent, 5, 3, TNC_CONNECTION_STATE_CREATE),
			  TNC_RESULT_SUCCESS);
	/* Without a callback, a solicited IMV answers "no recommendation". */
	ck_assert_uint_eq(tnc_agent_solicit_recommendation(agent, 5, 3), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(host.recommendations, 1);
	ck_assert_uint_eq(host.recommendation, TNC_IMV_ACTION_RECOMMENDATION_NO_RECOMMENDATION);
	ck_assert_uint_eq(host.evaluation, TNC_IMV_EVALUATION_RESULT_DONT_KNOW);
	ck_assert_uint_eq(tnc_agent_set_reason(agent, 3, "en", "PCR 4 differs"), TNC_RESULT_SUCCESS);
	ck_assert_str_eq(host.reason, "PCR 4 differs");
	ck_assert_uint_eq(tnc_agent_get_attribute_u32(agent, 3, TNC_ATTRIBUTEID_MAX_MESSAGE_SIZE, 0), 65536);
	ck_assert_uint_eq(tnc_agent_get_attribute_u32(agent, 3, TNC_ATTRIBUTEID_MAX_ROUND_TRIPS, 42), 42);
	tnc_agent_destroy(agent);
}
END_TEST

START_TEST(agent_imc_cannot_recommend)
{
	tnc_agent_t *agent = make_agent(TNC_AGENT_IMC, true);

	ck_assert_uint_eq(tnc_agent_provide_recommendation(agent, 1, 0, 0), TNC_RESULT_ILLEGAL_OPERATION);
	ck_assert_uint_eq(tnc_agent_set_reason(agent, 1, "en", "x"), TNC_RESULT_ILLEGAL_OPERATION);
	tnc_agent_destroy(agent);
}
END_TEST

START_TEST(agent_terminate_frees_states)
{
	tnc_agent_t *agent = make_agent(TNC_AGENT_IMC, true);

	for (TNC_ConnectionID c = 1; c <= 3; c++)
		ck_assert_uint_eq(tnc_agent_notify_connection_change(agent, 5, c, TNC_CONNECTION_STATE_CREATE),
				  TNC_RESULT_SUCCESS);
	ck_assert_uint_eq(tnc_agent_terminate(agent, 5), TNC_RESULT_SUCCESS);
	ck_assert_int_eq(frees, 3);
	ck_assert_uint_eq(tnc_agent_begin_handshake(agent, 5, 1), TNC_RESULT_NOT_INITIALIZED);
	tnc_agent_destroy(agent);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("tnc_agent");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, agent_version_negotiation);
	tcase_add_test(tc, agent_reports_long_types);
	tcase_add_test(tc, agent_reports_legacy_types);
	tcase_add_test(tc, agent_connection_lifecycle);
	tcase_add_test(tc, agent_receive_long_and_legacy);
	tcase_add_test(tc, agent_exclusive_needs_long);
	tcase_add_test(tc, agent_imv_recommendation);
	tcase_add_test(tc, agent_imc_cannot_recommend);
	tcase_add_test(tc, agent_terminate_frees_states);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
