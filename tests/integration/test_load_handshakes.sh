#!/bin/sh
# tnc-server under load: sequential and concurrent tnc-client runs (200 and
# 50 by default, 1,000 and 100 with LOAD_FULL=1), each allowed only after
# the IMV received all 110 messages of 90 octets, then a load-generator run
# (bench_server_load, built here when missing) with 32 concurrent clients.
# Afterwards the server must hold no connection and no more descriptors than
# before, and its memory must not keep growing from one run to the next.
. "$(dirname "$0")/lib.sh"
require_programs

if [ "${LOAD_FULL:-0}" = 1 ]; then
	seq_n=1000 conc_n=100 gen_n=10000
else
	seq_n=200 conc_n=50 gen_n=2000
fi

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
CLIENT_TNC=$WORK/tnc_config.client
SERVER_TNC=$WORK/tnc_config.server
CLIENT_CONF=$WORK/tncsuite.conf
STATS=$WORK/stats
write_tnc_config "$CLIENT_TNC" "IMC \"Test\" $(module_path imc-test)"
write_tnc_config "$SERVER_TNC" "IMV \"Test\" $(module_path imv-test)"
{
	printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\ntnc_config = %s\n' "$PORT" "$SERVER_TNC"
	printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
	printf 'max_connections = 500\nidle_timeout = 20\nworkers = 2\n'
	printf '[imc-test]\nrounds = 1\nmessages = 110\nmessage_size = 90\n'
	printf '[imv-test]\nrounds = 1\nmessages = 1\nmessage_size = 90\nexpect_messages = 110\n'
	printf 'stats_file = %s\n' "$STATS"
} > "$CLIENT_CONF"
export TNCSUITE_CONF="$CLIENT_CONF"

start_server "$CLIENT_CONF" || { fail start "tnc-server did not start"; tnc_finish; }
fds_before=$(ls "/proc/$SERVER_PID/fd" | wc -l)

# stats_count: lines of imv-test connections that received all 110 messages.
stats_count() {
	c=$(grep -c '^imv imv-test .*received=110 ' "$STATS" 2>/dev/null)
	echo "${c:-0}"
}

# wait_idle: waits up to 5 s until the server has no more descriptors open than at start.
wait_idle() {
	for _ in $(seq 1 50); do
		[ "$(ls "/proc/$SERVER_PID/fd" | wc -l)" -le "$fds_before" ] && return 0
		sleep 0.1
	done
	return 1
}

# 1. Sequential tnc-client runs.
ok=0
first_bad=""
i=0
while [ $i -lt "$seq_n" ]; do
	if "$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 20 \
		--config "$CLIENT_CONF" --tnc-config "$CLIENT_TNC" >"$WORK/seq.out" 2>&1; then
		ok=$((ok + 1))
	elif [ -z "$first_bad" ]; then
		first_bad=$i
		cp "$WORK/seq.out" "$WORK/seq.bad"
	fi
	i=$((i + 1))
done
if [ "$ok" -eq "$seq_n" ]; then
	pass "load-sequential-$seq_n-allowed"
else
	fail "load-sequential-$seq_n-allowed" "$ok of $seq_n allowed; run $first_bad printed:"
	sed 's/^/    /' "$WORK/seq.bad"
fi
n=$(stats_count)
if [ "$n" -eq "$seq_n" ]; then
	pass load-sequential-imv-counts
else
	fail load-sequential-imv-counts "$n of $seq_n IMV connections received all 110 messages"
fi
rss_after_seq=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status")

# 2. Concurrent tnc-client runs, all started at once.
pids=""
i=0
while [ $i -lt "$conc_n" ]; do
	"$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 60 \
		--config "$CLIENT_CONF" --tnc-config "$CLIENT_TNC" >"$WORK/c$i.out" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
ok=0
bad=""
i=0
for pid in $pids; do
	if wait "$pid" && grep -q '^Access recommendation: allow$' "$WORK/c$i.out"; then
		ok=$((ok + 1))
	else
		bad="$bad c$i"
	fi
	i=$((i + 1))
done
if [ "$ok" -eq "$conc_n" ]; then
	pass "load-concurrent-$conc_n-allowed"
else
	fail "load-concurrent-$conc_n-allowed" "$ok of $conc_n allowed; failed:$bad"
	for c in $bad; do
		sed "s/^/    $c: /" "$WORK/$c.out" | head -n 5
	done
fi
n=$(stats_count)
if [ "$n" -eq $((seq_n + conc_n)) ]; then
	pass load-concurrent-imv-counts
else
	fail load-concurrent-imv-counts "$n of $((seq_n + conc_n)) IMV connections received all 110 messages"
fi

# 3. The load generator: 32 threads, gen_n handshakes, then the same again;
# the second run must not grow the server's memory by more than 2 MiB.
GEN=$TOP_BUILDDIR/tests/bench/bench_server_load
make -s -C "$TOP_BUILDDIR/tests/bench" bench_server_load >/dev/null 2>&1
if [ -x "$GEN" ]; then
	gen_run() {
		"$GEN" --mode handshakes --port "$PORT" --ca "$WORK/ca/ca.crt" --client-tnc "$CLIENT_TNC" \
			--server-pid "$SERVER_PID" -c 32 -n "$gen_n" >"$WORK/gen.$1.out" 2>&1
	}
	if gen_run 1 && grep -q ", 0 failed," "$WORK/gen.1.out"; then
		pass "load-generator-$gen_n-32-concurrent"
	else
		fail "load-generator-$gen_n-32-concurrent" "bench_server_load reported:"
		sed 's/^/    /' "$WORK/gen.1.out"
	fi
	rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
	gen_run 2
	rss2=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
	if grep -q __asan_init "$TNC_SERVER"; then
		# ASan keeps freed memory in its quarantine, so RSS grows anyway.
		skip load-memory-stable "tnc-server is built with AddressSanitizer"
	elif [ $((rss2 - rss1)) -le 2048 ]; then
		pass load-memory-stable
	else
		fail load-memory-stable "RSS grew from $rss1 KiB to $rss2 KiB over $gen_n more handshakes" \
			"(after the sequential runs: $rss_after_seq KiB)"
	fi
	grep -E '^(rate|server CPU)' "$WORK/gen.2.out" | sed 's/^/    /'
else
	skip load-generator "bench_server_load could not be built"
fi

# 4. Everything closed again, and the server stops cleanly.
if wait_idle; then
	pass load-descriptors-released
else
	fail load-descriptors-released "$(ls "/proc/$SERVER_PID/fd" | wc -l) descriptors open, $fds_before at start"
fi
if kill -0 "$SERVER_PID" 2>/dev/null && stop_server; then
	pass load-server-clean-exit
else
	fail load-server-clean-exit "tnc-server died or exited with an error"
fi
tnc_finish
