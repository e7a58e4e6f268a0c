# config.db access. db_schema.sql is compiled into db_schema_sql.c as a C
# string and installed for operators who create the file with sqlite3.
libtnccommon_la_SOURCES += db/db.c db/db.h
nodist_libtnccommon_la_SOURCES = db/db_schema_sql.c
BUILT_SOURCES = db/db_schema_sql.c
CLEANFILES = db/db_schema_sql.c
EXTRA_DIST += db/db_schema.sql
dist_pkgdata_DATA = db/db_schema.sql

db/db_schema_sql.c: db/db_schema.sql
	$(AM_V_GEN)mkdir -p db && { \
	  echo '/* Generated from db_schema.sql by the build; do not edit. */'; \
	  echo 'extern const char db_schema_sql[];'; \
	  echo 'const char db_schema_sql[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $(srcdir)/db/db_schema.sql; \
	  echo ';'; \
	} > $@
