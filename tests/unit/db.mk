check_PROGRAMS += test_db
TESTS += test_db
test_db_SOURCES = test_db.c
test_db_LDADD = $(COMMON_LIBS)
