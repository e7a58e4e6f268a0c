# Unit tests of PB-TNC: codecs, state machine, language preference.
PB_TEST_LIBS = $(top_builddir)/tnccs/libtnccs.la $(COMMON_LIBS)
check_PROGRAMS += test_pb_batch test_pb_msg test_pb_state test_pb_lang
TESTS += test_pb_batch test_pb_msg test_pb_state test_pb_lang
test_pb_batch_SOURCES = test_pb_batch.c
test_pb_batch_LDADD = $(PB_TEST_LIBS)
test_pb_msg_SOURCES = test_pb_msg.c
test_pb_msg_LDADD = $(PB_TEST_LIBS)
test_pb_state_SOURCES = test_pb_state.c
test_pb_state_LDADD = $(PB_TEST_LIBS)
test_pb_lang_SOURCES = test_pb_lang.c
test_pb_lang_LDADD = $(PB_TEST_LIBS)
