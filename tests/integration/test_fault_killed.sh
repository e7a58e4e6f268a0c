#!/bin/sh
# Clients killed mid-handshake: load-generator processes that SIGKILL
# themselves after the TCP connect, the TLS handshake, the PT-TLS version
# exchange, the first PB-TNC batch or half of that batch's PT-TLS message,
# and tnc-client processes killed at random moments, all while other clients
# run full handshakes. The others must all be allowed, the server must stay
# up, log each early close and release every descriptor.
. "$(dirname "$0")/lib.sh"
require_programs

need_load_generator

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
CLIENT_TNC=$WORK/tnc_config.client
SERVER_TNC=$WORK/tnc_config.server
CONF=$WORK/tncsuite.conf
CLIENT_CONF=$CONF
write_tnc_config "$CLIENT_TNC" "IMC \"Test\" $(module_path imc-test)"
write_tnc_config "$SERVER_TNC" "IMV \"Test\" $(module_path imv-test)"
{
	printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\ntnc_config = %s\n' "$PORT" "$SERVER_TNC"
	printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
	printf 'max_connections = 500\nidle_timeout = 10\nworkers = 2\ndebug = 1,tls=2\n'
	printf '[imc-test]\nrounds = 1\nmessages = 110\nmessage_size = 90\n'
	printf '[imv-test]\nrounds = 1\nmessages = 1\nmessage_size = 90\nexpect_messages = 110\n'
} > "$CONF"
export TNCSUITE_CONF="$CONF"

start_server "$CONF" || { fail start "tnc-server did not start"; tnc_finish; }
fds_before=$(ls "/proc/$SERVER_PID/fd" | wc -l)

# Full handshakes in the background while the others die.
"$GEN" --mode handshakes --port "$PORT" --ca "$WORK/ca/ca.crt" --client-tnc "$CLIENT_TNC" \
	-c 4 -n 600 >"$WORK/others.out" 2>&1 &
others=$!

# 1. Ten self-killing clients per stage, started at once.
for stage in tcp tls version batch partial; do
	pids=""
	for _ in $(seq 1 10); do
		"$GEN" --mode abort --stage "$stage" --port "$PORT" --ca "$WORK/ca/ca.crt" \
			--client-tnc "$CLIENT_TNC" >>"$WORK/abort.$stage.out" 2>&1 &
		pids="$pids $!"
	done
	killed=0
	for pid in $pids; do
		wait "$pid"
		# 137 = 128 + SIGKILL: the process reached the stage and died there.
		[ $? -eq 137 ] && killed=$((killed + 1))
	done
	if [ "$killed" -eq 10 ]; then
		pass "killed-at-$stage"
	else
		fail "killed-at-$stage" "only $killed of 10 clients reached the stage; output:"
		sed 's/^/    /' "$WORK/abort.$stage.out" | head -n 5
	fi
done

# 2. tnc-client processes killed after 0 to 49 ms, whatever they are doing.
for i in $(seq 1 20); do
	"$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 20 \
		--config "$CONF" --tnc-config "$CLIENT_TNC" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$(( $(od -An -N1 -tu1 /dev/urandom | tr -d ' ') % 50 / 10 ))$(( i % 10 ))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
pass killed-tnc-client-runs

# 3. The others were all served.
wait "$others"
if grep -q "600 handshakes, 4 concurrent, 0 failed" "$WORK/others.out"; then
	pass killed-others-all-allowed
else
	fail killed-others-all-allowed "the concurrent clients reported:"
	sed 's/^/    /' "$WORK/others.out"
fi
run_client killed-server-still-serves 0
if kill -0 "$SERVER_PID" 2>/dev/null; then
	pass killed-server-alive
else
	fail killed-server-alive "tnc-server exited"
fi

# 4. Each early close has a log line with its connection ID.
early=$(grep -cE "conn [0-9]+: .*(client closed the connection early|unexpected eof|Connection reset|TLS handshake with .* failed)" \
	"$SERVER_LOG")
if [ "${early:-0}" -ge 40 ]; then
	pass killed-closes-logged
else
	fail killed-closes-logged "only ${early:-0} log lines name an early close (at least 40 expected)"
fi

# 5. Every connection is gone: the kernel closed the dead clients' sockets.
released=no
for _ in $(seq 1 100); do
	if [ "$(ls "/proc/$SERVER_PID/fd" | wc -l)" -le "$fds_before" ]; then
		released=yes
		break
	fi
	sleep 0.1
done
if [ "$released" = yes ]; then
	pass killed-descriptors-released
else
	fail killed-descriptors-released "$(ls "/proc/$SERVER_PID/fd" | wc -l) descriptors open, $fds_before at start"
fi
if stop_server; then
	pass killed-server-clean-exit
else
	fail killed-server-clean-exit "exit status $?"
fi
tnc_finish
