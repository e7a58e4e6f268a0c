# imv-test.so: the IMV used by the host and session tests (see imv_test.c).
# AM_CFLAGS carries $(MODULE_CFLAGS); automake needs -module spelled out.
pkglib_LTLIBRARIES += test/imv-test.la
test_imv_test_la_SOURCES = test/imv_test.c
test_imv_test_la_LDFLAGS = -module $(AM_LDFLAGS) $(MODULE_LDFLAGS) -export-symbols-regex '^TNC_IMV_'
test_imv_test_la_LIBADD = $(top_builddir)/common/libtnccommon.la
