# Server benchmarks (run all of them with tests/bench/run-benchmarks BUILD_DIR):
# bench_server_session  server work per handshake, sessions pumped in memory
# bench_server_load     PT-TLS load generator: handshakes per second, idle
#                       connections, slow and aborting clients
EXTRA_PROGRAMS += bench_server_session bench_server_load
bench_targets += bench_server_session bench_server_load
EXTRA_DIST += run-benchmarks
bench_server_session_SOURCES = bench_server_session.c bench_session.c bench_session.h \
	bench_server_util.c bench_server_util.h
bench_server_session_LDADD = $(top_builddir)/tnccs/libtnccs.la $(OPENSSL_LIBS) -ldl -lpthread
bench_server_load_SOURCES = bench_server_load.c bench_server_util.c bench_server_util.h
bench_server_load_LDADD = $(top_builddir)/tnccs/libtnccs.la $(OPENSSL_LIBS) -ldl -lpthread
