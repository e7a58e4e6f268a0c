# Unit tests of common/ima.
check_PROGRAMS += test_ima
TESTS += test_ima
test_ima_SOURCES = test_ima.c
test_ima_LDADD = $(COMMON_LIBS)
