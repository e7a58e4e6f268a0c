# The policy manager, linked into each IMV and into tnc-db.
noinst_LTLIBRARIES += libimvpolicy.la
libimvpolicy_la_SOURCES = policy_manager.c policy_manager.h
libimvpolicy_la_CFLAGS = $(TS_CFLAGS) $(SQLITE3_CFLAGS)
libimvpolicy_la_LIBADD = $(top_builddir)/common/libtnccommon.la
