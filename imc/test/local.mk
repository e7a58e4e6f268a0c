# imc-test.so: the IMC used by the host and session tests (see imc_test.c).
# AM_CFLAGS carries $(MODULE_CFLAGS); automake needs -module spelled out.
# Built as a shared module for the tests only, never installed (-rpath forces the .so).
noinst_LTLIBRARIES += test/imc-test.la
test_imc_test_la_SOURCES = test/imc_test.c
test_imc_test_la_LDFLAGS = -module -rpath $(abs_builddir) $(AM_LDFLAGS) $(MODULE_LDFLAGS) -export-symbols-regex '^TNC_IMC_'
test_imc_test_la_LIBADD = $(top_builddir)/common/libtnccommon.la
