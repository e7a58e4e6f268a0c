# Fuzz harnesses of the PA-TNC layer.
if FUZZING
noinst_PROGRAMS += fuzz_pa_msg
fuzz_pa_msg_SOURCES = fuzz_pa_msg.c
fuzz_pa_msg_LDADD = $(FUZZ_COMMON_LIBS)
endif
