# Sources of common/eventlog/: PCR bank emulation, the TCG PC Client firmware
# event log parser, the decoder of its event data, and the tnc-eventlog program.
libtnccommon_la_SOURCES += \
	eventlog/pcr_bank.c eventlog/pcr_bank.h \
	eventlog/pcr_set.c eventlog/pcr_set.h \
	eventlog/eventlog.c eventlog/eventlog.h \
	eventlog/eventlog_decode.c eventlog/eventlog_decode.h \
	eventlog/eventlog_text.c eventlog/eventlog_text.h

bin_PROGRAMS += tnc-eventlog
tnc_eventlog_SOURCES = eventlog/tnc_eventlog.c
tnc_eventlog_LDADD = libtnccommon.la
