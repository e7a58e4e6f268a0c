# Full attestation benchmarks (run them with tests/bench/run-benchmarks BUILD_DIR):
# bench-imc-attest.so   imc-attestation's own sources with a software TPM
#                       (bench_soft_tpm.c): pre-generated evidence, software AK
# bench_server_attest   server work per full attestation (imv-os and
#                       imv-attestation) in memory; also writes the synthetic
#                       136-event firmware log the benchmarks use
EXTRA_LTLIBRARIES += bench-imc-attest.la
bench_targets += bench-imc-attest.la
bench_imc_attest_la_SOURCES = bench_imc_attest.c bench_soft_tpm.c bench_soft_tpm.h
bench_imc_attest_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/imc/attestation \
	-DSYSCONFDIR='"$(sysconfdir)"' -DLOCALSTATEDIR='"$(localstatedir)"'
bench_imc_attest_la_CFLAGS = $(AM_CFLAGS) $(MODULE_CFLAGS) $(TSS2_ESYS_CFLAGS) $(TSS2_MU_CFLAGS)
# -rpath makes libtool build a shared module although it is never installed.
bench_imc_attest_la_LDFLAGS = -module $(AM_LDFLAGS) $(MODULE_LDFLAGS) -rpath $(abs_builddir) \
	-export-symbols-regex '^TNC_IMC_'
bench_imc_attest_la_LIBADD = $(top_builddir)/common/libtnccommon.la $(TSS2_MU_LIBS)

EXTRA_PROGRAMS += bench_server_attest
bench_targets += bench_server_attest
EXTRA_DIST += attest-setup
bench_server_attest_SOURCES = bench_server_attest.c bench_session.c bench_session.h \
	bench_server_util.c bench_server_util.h
bench_server_attest_CFLAGS = $(AM_CFLAGS) $(TSS2_MU_CFLAGS)
bench_server_attest_LDADD = $(top_builddir)/tnccs/libtnccs.la $(OPENSSL_LIBS) $(SQLITE3_LIBS) -ldl -lpthread
