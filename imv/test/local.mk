# imv-test.so: the IMV used by the host and session tests (see imv_test.c).
# AM_CFLAGS carries $(MODULE_CFLAGS); automake needs -module spelled out.
# Built as a shared module for the tests only, never installed (-rpath forces the .so).
noinst_LTLIBRARIES += test/imv-test.la
test_imv_test_la_SOURCES = test/imv_test.c
test_imv_test_la_LDFLAGS = -module -rpath $(abs_builddir) $(AM_LDFLAGS) $(MODULE_LDFLAGS) -export-symbols-regex '^TNC_IMV_'
test_imv_test_la_LIBADD = $(top_builddir)/common/libtnccommon.la
