#!/bin/sh
# One tnc-server under load and control: 50 concurrent tnc-client runs with
# every result checked, the max_connections limit, the idle time limit,
# SIGHUP reloading the IMV configuration for new connections, and SIGTERM
# ending the server with status 0 while connections are open.
. "$(dirname "$0")/lib.sh"
require_programs

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
CLIENT_TNC=$WORK/tnc_config.client
SERVER_TNC=$WORK/tnc_config.server
CLIENT_CONF=$WORK/tncsuite.conf
STATS=$WORK/stats
write_tnc_config "$CLIENT_TNC" "IMC \"Test\" $(module_path imc-test)"
write_tnc_config "$SERVER_TNC" "IMV \"Test\" $(module_path imv-test)"

# write_conf RECOMMENDATION MAX_CONNECTIONS
write_conf() {
	{
		printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\ntnc_config = %s\n' "$PORT" "$SERVER_TNC"
		printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
		printf 'max_connections = %s\nidle_timeout = 3\nshutdown_timeout = 5\nworkers = 2\n' "$2"
		printf '[imc-test]\nrounds = 3\nmessages = 4\nstats_file = %s\n' "$STATS"
		printf '[imv-test]\nrounds = 3\nmessages = 4\nexpect_messages = 12\nrecommendation = %s\n' "$1"
		printf 'stats_file = %s\n' "$STATS"
	} > "$CLIENT_CONF"
	export TNCSUITE_CONF="$CLIENT_CONF"
}

write_conf allow 200
start_server "$CLIENT_CONF" || { fail start "tnc-server did not start"; tnc_finish; }

# 1. 50 clients at once; each must be allowed after exchanging all 12 messages
# (expect_messages turns any other count into no access).
i=0
pids=""
while [ $i -lt 50 ]; do
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
if [ "$ok" -eq 50 ]; then
	pass concurrent-50-all-allowed
else
	fail concurrent-50-all-allowed "$ok of 50 allowed; failed:$bad"
	for c in $bad; do
		sed "s/^/    $c: /" "$WORK/$c.out"
	done
fi
n=$(grep -c '^imv imv-test .*received=12 ' "$STATS" 2>/dev/null)
if [ "${n:-0}" -eq 50 ]; then
	pass concurrent-50-imv-counts
else
	fail concurrent-50-imv-counts "$n of 50 IMV connections received all 12 messages"
fi
ids=$(grep '^imv imv-test ' "$STATS" 2>/dev/null | sed 's/.* conn=\([0-9]*\) .*/\1/' | sort -u | wc -l)
if [ "$ids" -eq 50 ]; then
	pass concurrent-50-distinct-connection-ids
else
	fail concurrent-50-distinct-connection-ids "$ids distinct connection IDs"
fi
stop_server || fail concurrent-server-stop "exit status $?"

# 2. max_connections: with a limit of 2, two idle TLS connections fill the server
# and the third client is turned away; after they time out, clients work again.
write_conf allow 2
start_server "$CLIENT_CONF" || { fail start "tnc-server did not start"; tnc_finish; }
for k in 1 2; do
	sleep 10 | openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$WORK/ca/ca.crt" -quiet \
		>/dev/null 2>&1 &
	eval "idle$k=\$!"
done
sleep 1
run_client max-connections-reject 5 --timeout 5
if grep -q "rejecting connection from 127.0.0.1.*max_connections" "$SERVER_LOG"; then
	pass max-connections-logged
else
	fail max-connections-logged "no rejection line in the server log"
fi
# idle_timeout = 3 closes the two idle connections.
sleep 3
run_client after-idle-timeout 0
if grep -q "conn [0-9]*: closing connection from .*idle_timeout" "$SERVER_LOG"; then
	pass idle-timeout-logged
else
	fail idle-timeout-logged "no idle_timeout line in the server log"
fi
kill "$idle1" "$idle2" 2>/dev/null
wait "$idle1" "$idle2" 2>/dev/null

# 3. SIGHUP: the IMV now isolates; new connections get the new recommendation.
write_conf isolate 200
kill -HUP "$SERVER_PID"
for _ in $(seq 1 50); do
	grep -q "configuration reloaded" "$SERVER_LOG" && break
	sleep 0.1
done
run_client reload-new-recommendation 2
if kill -0 "$SERVER_PID" 2>/dev/null; then
	pass reload-server-alive
else
	fail reload-server-alive "tnc-server exited after SIGHUP"
fi

# 4. SIGTERM with an idle connection open: the server waits at most
# shutdown_timeout, closes it, and exits with status 0.
sleep 10 | openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$WORK/ca/ca.crt" -quiet >/dev/null 2>&1 &
idle=$!
sleep 0.5
start=$(date +%s)
if stop_server; then
	pass sigterm-exit-zero
else
	fail sigterm-exit-zero "exit status $?"
fi
elapsed=$(( $(date +%s) - start ))
if [ "$elapsed" -le 6 ]; then
	pass sigterm-bounded-by-shutdown-timeout
else
	fail sigterm-bounded-by-shutdown-timeout "shutdown took $elapsed s"
fi
kill "$idle" 2>/dev/null
wait "$idle" 2>/dev/null

tnc_finish
