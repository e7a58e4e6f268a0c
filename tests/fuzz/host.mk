if FUZZING
noinst_PROGRAMS += fuzz_tnccs_session
fuzz_tnccs_session_SOURCES = fuzz_tnccs_session.c
fuzz_tnccs_session_LDADD = $(FUZZ_TNCCS_LIBS) $(FUZZ_COMMON_LIBS)
endif
