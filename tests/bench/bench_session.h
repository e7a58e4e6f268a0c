/*
 * In-memory TNC handshakes for the server benchmarks: a TNCC and a TNCS
 * session of the real tnccs code hand their PB-TNC batches to each other
 * without sockets or TLS, and the CPU time of each side is counted apart.
 */
#ifndef BENCH_SESSION_H
#define BENCH_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "tnccs_session.h"

/* Largest PB-TNC batch either side accepts. */
#define BENCH_SESSION_MAX_BATCH (4u * 1024 * 1024)

typedef struct bench_run_stats {
	double server_cpu;        /* seconds in server-side calls */
	double client_cpu;        /* seconds in client-side calls */
	size_t server_bytes;      /* batch octets the server received and sent */
	unsigned batches;         /* batches exchanged, both directions */
} bench_run_stats;

/* Creates an IMC (client) or IMV (server) host with the modules of tnc_config; exits 1 on failure. */
tnccs_host_t *bench_load_host(bool is_server, const char *tnc_config);

/*
 * Runs one handshake between fresh sessions and adds its costs to st.
 * Server work is every call of the server session (create, start, each
 * receive, destroy), made through the functions named server_side_*, so
 * `valgrind --tool=callgrind --toggle-collect='server_side_*'` profiles
 * the server alone. Exits 1 unless the handshake ends with access allowed.
 */
void bench_run_handshake(tnccs_host_t *client_host, tnccs_host_t *server_host, unsigned long conn_id,
			 bench_run_stats *st);

#endif
