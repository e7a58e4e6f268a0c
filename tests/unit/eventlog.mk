# Unit tests of the event log parser, its event data decoder and the PCR banks.
check_PROGRAMS += test_pcr_bank test_eventlog
TESTS += test_pcr_bank test_eventlog
test_pcr_bank_SOURCES = test_pcr_bank.c
test_pcr_bank_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common/eventlog
test_pcr_bank_LDADD = $(COMMON_LIBS)
test_eventlog_SOURCES = test_eventlog.c
test_eventlog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common/eventlog
test_eventlog_LDADD = $(COMMON_LIBS) $(OPENSSL_LIBS) $(JSONC_LIBS)
