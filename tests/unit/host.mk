# Unit tests of the IMC/IMV host, the tnc_config parser and the PB-TNC
# session. test_host and test_tnccs_session load imc-test.so and imv-test.so
# from the build tree (TOP_BUILDDIR), which the imc/ and imv/ directories
# build before tests/.
HOST_TEST_LIBS = $(top_builddir)/tnccs/libtnccs.la $(COMMON_LIBS) -lpthread

check_PROGRAMS += test_tnc_config test_host test_tnccs_session
TESTS += test_tnc_config test_host test_tnccs_session
EXTRA_DIST += test_host_util.h
test_tnc_config_SOURCES = test_tnc_config.c
test_tnc_config_LDADD = $(HOST_TEST_LIBS)
test_host_SOURCES = test_host.c test_host_util.h
test_host_LDADD = $(HOST_TEST_LIBS)
test_tnccs_session_SOURCES = test_tnccs_session.c test_host_util.h
test_tnccs_session_LDADD = $(HOST_TEST_LIBS)
