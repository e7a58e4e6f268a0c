# Benchmark of common/eventlog: parse + replay into all banks against SHA-256
# over the same bytes. Run: make -C tests/bench bench_eventlog && tests/bench/bench_eventlog
EXTRA_PROGRAMS += bench_eventlog
bench_targets += bench_eventlog
bench_eventlog_SOURCES = bench_eventlog.c
bench_eventlog_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common/eventlog -DTOP_SRCDIR='"$(abs_top_srcdir)"'
bench_eventlog_LDADD = $(top_builddir)/common/libtnccommon.la $(OPENSSL_LIBS)
