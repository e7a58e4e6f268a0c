# Unit tests of the PCR banks, the event log parser and its event data decoder.
check_PROGRAMS += test_pcr_bank test_eventlog test_eventlog_decode
TESTS += test_pcr_bank test_eventlog test_eventlog_decode
test_pcr_bank_SOURCES = test_pcr_bank.c
test_pcr_bank_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common/eventlog
test_pcr_bank_LDADD = $(COMMON_LIBS)
test_eventlog_SOURCES = test_eventlog.c
test_eventlog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common/eventlog
test_eventlog_LDADD = $(COMMON_LIBS) $(OPENSSL_LIBS)
test_eventlog_decode_SOURCES = test_eventlog_decode.c
test_eventlog_decode_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common/eventlog
test_eventlog_decode_LDADD = $(COMMON_LIBS) $(JSONC_LIBS)
