# tnc-client and tnc-server, and the tnc-server event loop and worker pool.
bin_PROGRAMS += tnc-client
sbin_PROGRAMS += tnc-server
tnc_client_SOURCES = tnc_client.c
tnc_client_LDADD = libtnccs.la $(OPENSSL_LIBS)
tnc_server_SOURCES = tnc_server.c \
	server_loop.c server_loop.h \
	server_pool.c server_pool.h
tnc_server_LDADD = libtnccs.la $(OPENSSL_LIBS) -lpthread

# The systemd unit goes with the data; its path and ExecStart follow the prefix.
systemdunitdir = $(prefix)/lib/systemd/system
systemdunit_DATA = tnc-server.service
EXTRA_DIST += tnc-server.service.in
CLEANFILES = tnc-server.service
tnc-server.service: tnc-server.service.in Makefile
	$(AM_V_GEN)sed -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/tnc-server.service.in > $@
