# PT-TLS: the message codec and the protocol state machine of one connection.
check_PROGRAMS += test_pttls_msg test_pttls_conn
TESTS += test_pttls_msg test_pttls_conn
test_pttls_msg_SOURCES = test_pttls_msg.c
test_pttls_msg_LDADD = $(top_builddir)/tnccs/libtnccs.la $(COMMON_LIBS)
test_pttls_conn_SOURCES = test_pttls_conn.c
test_pttls_conn_LDADD = $(top_builddir)/tnccs/libtnccs.la $(COMMON_LIBS)
