#include <pthread.h>
#include <sched.h>

#include "test_util.h"
#include "conn_table.h"

static int freed;

static void count_free(void *state, void *ctx)
{
	(void)ctx;
	freed++;
	free(state);
}

START_TEST(conn_table_add_get_remove)
{
	conn_table_t *t = conn_table_create(2, count_free, NULL);
	conn_ref *ref = NULL;
	int *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b)), *c = malloc(sizeof(*c));

	freed = 0;
	*a = 1;
	*b = 2;
	ck_assert_int_eq(conn_table_add(t, 10, a), TS_OK);
	ck_assert_int_eq(conn_table_add(t, 10, c), TS_E_INVALID);
	ck_assert_int_eq(conn_table_add(t, 11, b), TS_OK);
	ck_assert_int_eq(conn_table_add(t, 12, c), TS_E_TOO_LARGE);
	free(c);
	ck_assert_uint_eq(conn_table_count(t), 2);

	ck_assert_ptr_eq(conn_table_get(t, 10, &ref), a);
	conn_table_put(t, ref);
	ck_assert_ptr_null(conn_table_get(t, 99, &ref));
	ck_assert_int_eq(conn_table_remove(t, 10), TS_OK);
	ck_assert_int_eq(freed, 1);
	ck_assert_int_eq(conn_table_remove(t, 10), TS_E_NOT_FOUND);
	conn_table_destroy(t);
	ck_assert_int_eq(freed, 2);
}
END_TEST

START_TEST(conn_table_remove_while_held)
{
	conn_table_t *t = conn_table_create(4, count_free, NULL);
	conn_ref *ref = NULL;
	int *a = malloc(sizeof(*a));

	freed = 0;
	ck_assert_int_eq(conn_table_add(t, 7, a), TS_OK);
	ck_assert_ptr_eq(conn_table_get(t, 7, &ref), a);
	/* Removal while held defers the free to the holder's put. */
	ck_assert_int_eq(conn_table_remove(t, 7), TS_OK);
	ck_assert_int_eq(freed, 0);
	ck_assert_uint_eq(conn_table_count(t), 0);
	conn_table_put(t, ref);
	ck_assert_int_eq(freed, 1);
	conn_table_destroy(t);
}
END_TEST

#define THREADS 4
#define ROUNDS 2000

typedef struct worker_arg {
	conn_table_t *table;
	unsigned long conn;
} worker_arg;

/* Increments the counter of one connection; the entry lock makes it exact. */
static void *bump(void *p)
{
	worker_arg *arg = p;

	for (int i = 0; i < ROUNDS; i++) {
		conn_ref *ref = NULL;
		long *counter = conn_table_get(arg->table, arg->conn, &ref);

		if (!counter)
			continue;
		long v = *counter;
		sched_yield();
		*counter = v + 1;
		conn_table_put(arg->table, ref);
	}
	return NULL;
}

START_TEST(conn_table_threads_serialize)
{
	conn_table_t *t = conn_table_create(8, NULL, NULL);
	pthread_t th[THREADS];
	worker_arg args[THREADS];
	long counter = 0;

	ck_assert_int_eq(conn_table_add(t, 1, &counter), TS_OK);
	for (int i = 0; i < THREADS; i++) {
		args[i].table = t;
		args[i].conn = 1;
		ck_assert_int_eq(pthread_create(&th[i], NULL, bump, &args[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	ck_assert_int_eq(counter, THREADS * ROUNDS);
	conn_table_destroy(t);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("conn_table");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, conn_table_add_get_remove);
	tcase_add_test(tc, conn_table_remove_while_held);
	tcase_add_test(tc, conn_table_threads_serialize);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN()
