# Fuzz harness of the firmware event log parser, replay and decoder.
if FUZZING
noinst_PROGRAMS += fuzz_eventlog
fuzz_eventlog_SOURCES = fuzz_eventlog.c
fuzz_eventlog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common/eventlog $(JSONC_CFLAGS)
fuzz_eventlog_LDADD = $(FUZZ_COMMON_LIBS)
endif
