/*
 * PB-TNC state machine against the transition table of RFC 5793 section 3.2:
 * every (role, state, batch type) for sending and for receiving.
 */
#include "test_util.h"
#include "pb_batch.h"
#include "pb_state.h"

enum { I = PB_STATE_INIT, SW = PB_STATE_SERVER_WORKING, CW = PB_STATE_CLIENT_WORKING,
       D = PB_STATE_DECIDED, E = PB_STATE_END };
/* Table cells: a next state, NO for "not allowed", IGN for "received and ignored". */
enum { NO = -1, IGN = -2 };
#define NSTATES 5
#define NTYPES 6   /* CDATA, SDATA, RESULT, CRETRY, SRETRY, CLOSE */

/* [state][batch type - 1] -> next state after sending. */
static const int client_send[NSTATES][NTYPES] = {
	/*        CDATA SDATA RESULT CRETRY SRETRY CLOSE */
	[I]  = { SW,   NO,   NO,    NO,    NO,    E },
	[SW] = { NO,   NO,   NO,    NO,    NO,    E },
	[CW] = { SW,   NO,   NO,    NO,    NO,    E },
	[D]  = { NO,   NO,   NO,    SW,    NO,    E },
	[E]  = { NO,   NO,   NO,    NO,    NO,    NO },
};
static const int server_send[NSTATES][NTYPES] = {
	[I]  = { NO,   CW,   NO,    NO,    NO,    E },
	[SW] = { NO,   CW,   D,     NO,    NO,    E },
	[CW] = { NO,   NO,   NO,    NO,    NO,    E },
	[D]  = { NO,   NO,   NO,    NO,    SW,    E },
	[E]  = { NO,   NO,   NO,    NO,    NO,    NO },
};
/* [state][batch type - 1] -> next state after receiving. */
static const int client_recv[NSTATES][NTYPES] = {
	[I]  = { NO,   CW,   NO,    NO,    NO,    E },
	[SW] = { NO,   CW,   D,     NO,    IGN,   E },
	[CW] = { NO,   NO,   NO,    NO,    NO,    E },
	[D]  = { NO,   NO,   NO,    NO,    SW,    E },
	[E]  = { NO,   NO,   NO,    NO,    NO,    IGN },
};
static const int server_recv[NSTATES][NTYPES] = {
	[I]  = { SW,   NO,   NO,    NO,    NO,    E },
	[SW] = { NO,   NO,   NO,    IGN,   NO,    E },
	[CW] = { SW,   NO,   NO,    IGN,   NO,    E },
	[D]  = { NO,   NO,   NO,    SW,    NO,    E },
	[E]  = { NO,   NO,   NO,    NO,    NO,    IGN },
};

static void check_send_table(pb_role role, const int table[NSTATES][NTYPES])
{
	for (int from = 0; from < NSTATES; from++) {
		for (int t = 0; t < NTYPES; t++) {
			pb_state st = { role, (pb_state_id)from };
			pb_batch_type type = (pb_batch_type)(t + 1);
			int want = table[from][t];
			int rc;

			ck_assert_int_eq(pb_state_may_send(&st, type), want != NO);
			rc = pb_state_send(&st, type);
			if (want == NO) {
				ck_assert_msg(rc == TS_E_STATE, "%s may not send %s in %s",
					      pb_role_name(role), pb_batch_type_name(type),
					      pb_state_name((pb_state_id)from));
				ck_assert_int_eq(st.id, from);
			} else {
				ck_assert_msg(rc == TS_OK, "%s sends %s in %s", pb_role_name(role),
					      pb_batch_type_name(type), pb_state_name((pb_state_id)from));
				ck_assert_int_eq(st.id, want);
			}
		}
	}
}

static void check_recv_table(pb_role role, const int table[NSTATES][NTYPES])
{
	for (int from = 0; from < NSTATES; from++) {
		for (int t = 0; t < NTYPES; t++) {
			pb_state st = { role, (pb_state_id)from };
			pb_batch_type type = (pb_batch_type)(t + 1);
			int want = table[from][t];
			pb_error_msg err;
			bool ignore = false;
			int rc;

			memset(&err, 0, sizeof(err));
			rc = pb_state_receive(&st, type, &ignore, &err);
			if (want == NO) {
				ck_assert_msg(rc == TS_E_PROTOCOL, "%s must reject %s in %s",
					      pb_role_name(role), pb_batch_type_name(type),
					      pb_state_name((pb_state_id)from));
				ck_assert_int_eq(st.id, from);
				ck_assert_uint_eq(err.code, PB_ERROR_UNEXPECTED_BATCH_TYPE);
				ck_assert_int_eq(err.fatal, true);
				ck_assert_uint_eq(err.vendor_id, PB_VENDOR_IETF);
			} else if (want == IGN) {
				ck_assert_msg(rc == TS_OK, "%s accepts %s in %s", pb_role_name(role),
					      pb_batch_type_name(type), pb_state_name((pb_state_id)from));
				ck_assert_int_eq(ignore, true);
				ck_assert_int_eq(st.id, from);
			} else {
				ck_assert_msg(rc == TS_OK, "%s accepts %s in %s", pb_role_name(role),
					      pb_batch_type_name(type), pb_state_name((pb_state_id)from));
				ck_assert_int_eq(ignore, false);
				ck_assert_int_eq(st.id, want);
			}
		}
	}
}

START_TEST(state_client_send_table)
{
	check_send_table(PB_ROLE_CLIENT, client_send);
}
END_TEST

START_TEST(state_server_send_table)
{
	check_send_table(PB_ROLE_SERVER, server_send);
}
END_TEST

START_TEST(state_client_receive_table)
{
	check_recv_table(PB_ROLE_CLIENT, client_recv);
}
END_TEST

START_TEST(state_server_receive_table)
{
	check_recv_table(PB_ROLE_SERVER, server_recv);
}
END_TEST

/* The sequence of the strongSwan 6.0.6 exchange: CDATA, SDATA x4 rounds, RESULT, CLOSE. */
START_TEST(state_full_exchange_both_ends)
{
	pb_state client, server;
	pb_error_msg err;
	bool ignore;

	pb_state_init(&client, PB_ROLE_CLIENT);
	pb_state_init(&server, PB_ROLE_SERVER);
	ck_assert_int_eq(client.id, PB_STATE_INIT);
	for (int round = 0; round < 4; round++) {
		ck_assert_int_eq(pb_state_send(&client, PB_BATCH_CDATA), TS_OK);
		ck_assert_int_eq(pb_state_receive(&server, PB_BATCH_CDATA, &ignore, &err), TS_OK);
		ck_assert_int_eq(client.id, PB_STATE_SERVER_WORKING);
		ck_assert_int_eq(server.id, PB_STATE_SERVER_WORKING);
		ck_assert_int_eq(pb_state_send(&server, PB_BATCH_SDATA), TS_OK);
		ck_assert_int_eq(pb_state_receive(&client, PB_BATCH_SDATA, &ignore, &err), TS_OK);
		ck_assert_int_eq(client.id, PB_STATE_CLIENT_WORKING);
		ck_assert_int_eq(server.id, PB_STATE_CLIENT_WORKING);
	}
	ck_assert_int_eq(pb_state_send(&client, PB_BATCH_CDATA), TS_OK);
	ck_assert_int_eq(pb_state_receive(&server, PB_BATCH_CDATA, &ignore, &err), TS_OK);
	ck_assert_int_eq(pb_state_send(&server, PB_BATCH_RESULT), TS_OK);
	ck_assert_int_eq(pb_state_receive(&client, PB_BATCH_RESULT, &ignore, &err), TS_OK);
	ck_assert_int_eq(client.id, PB_STATE_DECIDED);
	ck_assert_int_eq(server.id, PB_STATE_DECIDED);
	ck_assert_int_eq(pb_state_send(&client, PB_BATCH_CLOSE), TS_OK);
	ck_assert_int_eq(pb_state_receive(&server, PB_BATCH_CLOSE, &ignore, &err), TS_OK);
	ck_assert_int_eq(pb_state_is_end(&client), true);
	ck_assert_int_eq(pb_state_is_end(&server), true);
}
END_TEST

/* Both ends ask for a retry in Decided at the same time; they meet in Server Working. */
START_TEST(state_crossed_retries)
{
	pb_state client = { PB_ROLE_CLIENT, PB_STATE_DECIDED };
	pb_state server = { PB_ROLE_SERVER, PB_STATE_DECIDED };
	pb_error_msg err;
	bool ignore = false;

	ck_assert_int_eq(pb_state_send(&client, PB_BATCH_CRETRY), TS_OK);
	ck_assert_int_eq(pb_state_send(&server, PB_BATCH_SRETRY), TS_OK);
	ck_assert_int_eq(pb_state_receive(&client, PB_BATCH_SRETRY, &ignore, &err), TS_OK);
	ck_assert_int_eq(ignore, true);
	ck_assert_int_eq(pb_state_receive(&server, PB_BATCH_CRETRY, &ignore, &err), TS_OK);
	ck_assert_int_eq(ignore, true);
	ck_assert_int_eq(client.id, PB_STATE_SERVER_WORKING);
	ck_assert_int_eq(server.id, PB_STATE_SERVER_WORKING);
	ck_assert_int_eq(pb_state_send(&server, PB_BATCH_SDATA), TS_OK);
	ck_assert_int_eq(pb_state_receive(&client, PB_BATCH_SDATA, &ignore, &err), TS_OK);
	ck_assert_int_eq(ignore, false);
	ck_assert_int_eq(client.id, PB_STATE_CLIENT_WORKING);
}
END_TEST

START_TEST(state_close_from_transport)
{
	pb_state st;

	pb_state_init(&st, PB_ROLE_SERVER);
	pb_state_close(&st);
	ck_assert_int_eq(pb_state_is_end(&st), true);
	ck_assert_int_eq(pb_state_may_send(&st, PB_BATCH_CLOSE), false);
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(pb_state_name(PB_STATE_INIT), "Init");
	ck_assert_str_eq(pb_state_name(PB_STATE_SERVER_WORKING), "Server Working");
	ck_assert_str_eq(pb_state_name(PB_STATE_CLIENT_WORKING), "Client Working");
	ck_assert_str_eq(pb_state_name(PB_STATE_DECIDED), "Decided");
	ck_assert_str_eq(pb_state_name(PB_STATE_END), "End");
	ck_assert_str_eq(pb_batch_type_name(PB_BATCH_CDATA), "CDATA");
	ck_assert_str_eq(pb_batch_type_name(PB_BATCH_CLOSE), "CLOSE");
	ck_assert_str_eq(pb_batch_type_name(0), "unknown");
	ck_assert_str_eq(pb_batch_type_name(7), "unknown");
	ck_assert_str_eq(pb_role_name(PB_ROLE_CLIENT), "client");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("pb_state");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, state_client_send_table);
	tcase_add_test(tc, state_server_send_table);
	tcase_add_test(tc, state_client_receive_table);
	tcase_add_test(tc, state_server_receive_table);
	tcase_add_test(tc, state_full_exchange_both_ends);
	tcase_add_test(tc, state_crossed_retries);
	tcase_add_test(tc, state_close_from_transport);
	tcase_add_test(tc, state_names);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
