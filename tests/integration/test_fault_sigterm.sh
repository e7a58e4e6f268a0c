#!/bin/sh
# SIGTERM during load: 8 load-generator clients and a loop of tnc-client runs
# keep tnc-server busy when it receives SIGTERM. It must log the signal, stop
# within shutdown_timeout with status 0 and free its port. Every line the
# IMV wrote must be complete, and no client may have been allowed without
# the IMV having received all its messages (the IMV's connections with all
# 110 messages must be at least as many as the allowed clients).
. "$(dirname "$0")/lib.sh"
require_programs

need_load_generator

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
	printf 'shutdown_timeout = 5\nworkers = 2\n'
	printf '[imc-test]\nrounds = 1\nmessages = 110\nmessage_size = 90\n'
	printf '[imv-test]\nrounds = 1\nmessages = 1\nmessage_size = 90\nexpect_messages = 110\n'
	printf 'stats_file = %s\n' "$STATS"
} > "$CLIENT_CONF"
export TNCSUITE_CONF="$CLIENT_CONF"

start_server "$CLIENT_CONF" || { fail start "tnc-server did not start"; tnc_finish; }

"$GEN" --mode handshakes --port "$PORT" --ca "$WORK/ca/ca.crt" --client-tnc "$CLIENT_TNC" \
	-c 8 -n 20000 --timeout 10 >"$WORK/gen.out" 2>&1 &
gen=$!
(
	allowed=0
	while :; do
		"$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 10 \
			--config "$CLIENT_CONF" --tnc-config "$CLIENT_TNC" >/dev/null 2>&1
		rc=$?
		[ "$rc" -eq 0 ] && allowed=$((allowed + 1))
		echo "$rc" >>"$WORK/loop.status"
		# 5 = connection refused: the server is gone.
		[ "$rc" -eq 5 ] && break
	done
	echo "$allowed" >"$WORK/loop.allowed"
) &
loop=$!

sleep 1.5
start=$(date +%s%N)
stop_server TERM
status=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$status" -eq 0 ]; then
	pass sigterm-load-exit-zero
else
	fail sigterm-load-exit-zero "exit status $status after $ms ms"
fi
if [ "$ms" -le 6000 ]; then
	pass sigterm-load-within-shutdown-timeout
else
	fail sigterm-load-within-shutdown-timeout "shutdown took $ms ms"
fi
if grep -q "SIGTERM received: shutting down, [0-9]* connections open" "$SERVER_LOG" &&
	grep -q "\] stopped$" "$SERVER_LOG"; then
	pass sigterm-load-logged
else
	fail sigterm-load-logged "no SIGTERM and stopped lines in the server log"
fi
if port_in_use "$PORT"; then
	fail sigterm-load-port-released "port $PORT is still in use"
else
	pass sigterm-load-port-released
fi

wait "$gen"
wait "$loop"
gen_total=$(sed -n 's/^bench_server_load: \([0-9]*\) handshakes, .*/\1/p' "$WORK/gen.out")
gen_failed=$(sed -n 's/.* concurrent, \([0-9]*\) failed.*/\1/p' "$WORK/gen.out")
allowed=$(( ${gen_total:-0} - ${gen_failed:-0} + $(cat "$WORK/loop.allowed" 2>/dev/null || echo 0) ))
if [ "$allowed" -gt 0 ]; then
	pass sigterm-load-was-serving
else
	fail sigterm-load-was-serving "no client was allowed before SIGTERM"
fi
# tnc-client statuses: 0 allowed, 5 connection failed, 7 protocol or closed.
bad=$(grep -cvE '^(0|5|7)$' "$WORK/loop.status")
if [ "${bad:-0}" -eq 0 ]; then
	pass sigterm-load-client-statuses
else
	fail sigterm-load-client-statuses "$bad tnc-client runs ended with another status: $(sort -u "$WORK/loop.status" | tr '\n' ' ')"
fi

# The IMV's lines: all complete, and one with all 110 messages per allowed client.
lines=$(wc -l <"$STATS")
complete=$(grep -cE '^imv imv-test conn=[0-9]+ handshakes=[0-9]+ batches=[0-9]+ received=[0-9]+ .* results=.*$' "$STATS")
if [ "$lines" -gt 0 ] && [ "$lines" -eq "$complete" ] && [ "$(tail -c 1 "$STATS" | od -An -c | tr -d ' ')" = '\n' ]; then
	pass sigterm-load-no-half-written-lines
else
	fail sigterm-load-no-half-written-lines "$complete of $lines IMV lines are complete"
fi
full=$(grep -c ' received=110 ' "$STATS")
if [ "$full" -ge "$allowed" ]; then
	pass sigterm-load-no-allow-without-messages
else
	fail sigterm-load-no-allow-without-messages "$allowed clients allowed, only $full IMV sessions received all messages"
fi
echo "    $allowed clients allowed, $full complete IMV sessions, $lines IMV lines"
tnc_finish
