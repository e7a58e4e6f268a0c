# PT-TLS: the message codec and the state machine of one connection.
if FUZZING
noinst_PROGRAMS += fuzz_pttls_msg
fuzz_pttls_msg_SOURCES = fuzz_pttls_msg.c
fuzz_pttls_msg_LDADD = $(FUZZ_TNCCS_LIBS) $(FUZZ_COMMON_LIBS) $(OPENSSL_LIBS)
endif
