# The policy manager, linked into each IMV and into tnc-db.
noinst_LTLIBRARIES += libimvpolicy.la
libimvpolicy_la_SOURCES = policy_manager.c policy_manager.h
libimvpolicy_la_CFLAGS = $(TS_CFLAGS) $(MODULE_CFLAGS) $(SQLITE3_CFLAGS)
libimvpolicy_la_LIBADD = $(top_builddir)/common/libtnccommon.la

bin_PROGRAMS += tnc-db
tnc_db_SOURCES = tnc_db.c
tnc_db_CFLAGS = $(TS_CFLAGS) $(SQLITE3_CFLAGS) $(JSONC_CFLAGS)
tnc_db_LDADD = libimvpolicy.la $(top_builddir)/common/libtnccommon.la $(JSONC_LIBS) $(SQLITE3_LIBS)
