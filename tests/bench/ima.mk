# Benchmark of common/ima: list verification against 100,000 references,
# parse and replay. Run: make -C tests/bench bench_ima && tests/bench/bench_ima
EXTRA_PROGRAMS += bench_ima
bench_targets += bench_ima
bench_ima_SOURCES = bench_ima.c
bench_ima_LDADD = $(top_builddir)/common/libtnccommon.la
