#!/bin/sh
# Slow clients: one sends its TLS ClientHello one byte a second, another
# completes TLS and then sends its PT-TLS Version Request one byte a second,
# a third connects and sends nothing. The server must end all three within
# connection_timeout (4 s here), with a log line naming the time limit that
# ended each, and keep serving other clients without delay meanwhile.
. "$(dirname "$0")/lib.sh"
require_programs

need_load_generator

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
CLIENT_TNC=$WORK/tnc_config.client
SERVER_TNC=$WORK/tnc_config.server
CLIENT_CONF=$WORK/tncsuite.conf
write_tnc_config "$CLIENT_TNC" "IMC \"Test\" $(module_path imc-test)"
write_tnc_config "$SERVER_TNC" "IMV \"Test\" $(module_path imv-test)"
{
	printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\ntnc_config = %s\n' "$PORT" "$SERVER_TNC"
	printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
	printf 'idle_timeout = 3\nconnection_timeout = 4\nworkers = 2\n'
	printf '[imc-test]\nrounds = 1\nmessages = 110\nmessage_size = 90\n'
	printf '[imv-test]\nrounds = 1\nmessages = 1\nmessage_size = 90\nexpect_messages = 110\n'
} > "$CLIENT_CONF"
export TNCSUITE_CONF="$CLIENT_CONF"

start_server "$CLIENT_CONF" || { fail start "tnc-server did not start"; tnc_finish; }

for stage in tls pttls; do
	"$GEN" --mode slow --stage "$stage" --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 15 \
		>"$WORK/slow.$stage.out" 2>&1 &
	eval "slow_$stage=\$!"
done
# The silent client (perl-base only) connects, reads until the server closes
# the connection, and prints the seconds that took.
(
	start=$(date +%s%N)
	perl -MIO::Socket::INET -e '
		alarm 15;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $ARGV[0])
			or die "cannot connect to port $ARGV[0]: $!\n";
		1 while sysread($s, my $buf, 512);' "$PORT" || exit 1
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "slow client (silent): closed by the server after $((ms / 1000)).$((ms % 1000 / 100)) s"
) >"$WORK/slow.silent.out" 2>&1 &
slow_silent=$!
sleep 1

# Other clients while the slow ones are connected: each must finish within 2 s.
ok=0 slowest=0
for i in $(seq 1 10); do
	start=$(date +%s%N)
	if "$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 20 \
		--config "$CLIENT_CONF" --tnc-config "$CLIENT_TNC" >"$WORK/other.out" 2>&1; then
		ok=$((ok + 1))
	fi
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$ms" -gt "$slowest" ] && slowest=$ms
done
if [ "$ok" -eq 10 ]; then
	pass slow-others-allowed
else
	fail slow-others-allowed "$ok of 10 allowed; last output:"
	sed 's/^/    /' "$WORK/other.out"
fi
if [ "$slowest" -le 2000 ]; then
	pass slow-others-not-delayed
else
	fail slow-others-not-delayed "the slowest other client took $slowest ms"
fi

for stage in tls pttls silent; do
	eval "pid=\$slow_$stage"
	if wait "$pid"; then
		secs=$(sed -n 's/.*closed by the server after \([0-9]*\)\..*/\1/p' "$WORK/slow.$stage.out")
		if [ -n "$secs" ] && [ "$secs" -ge 3 ] && [ "$secs" -le 6 ]; then
			pass "slow-$stage-closed-in-time"
		else
			fail "slow-$stage-closed-in-time" "$(cat "$WORK/slow.$stage.out")"
		fi
	else
		fail "slow-$stage-closed-in-time" "$(cat "$WORK/slow.$stage.out")"
	fi
done
# The PT-TLS client sends a TLS record each second, so only connection_timeout
# can end it. The ClientHello bytes keep the TLS client from going idle, but
# its handshake must finish within idle_timeout. The silent client is idle.
n=$(grep -cE "closing connection from .*(connection_timeout|idle_timeout)" "$SERVER_LOG")
if [ "${n:-0}" -eq 3 ]; then
	pass slow-timeouts-logged
else
	fail slow-timeouts-logged "${n:-0} timeout lines in the server log, 3 expected"
fi
line=$(grep "TLS handshake not finished within idle_timeout of 3000 ms" "$SERVER_LOG")
octets=$(echo "$line" | sed -n 's/.*(\([0-9]*\) octets received).*/\1/p')
if [ "$(echo "$line" | grep -c .)" -eq 1 ] && [ "${octets:-0}" -ge 2 ]; then
	pass slow-tls-handshake-logged
else
	fail slow-tls-handshake-logged "expected one handshake time limit line with the octets received, got: '$line'"
fi
# The client counts what it sent; the server may close before the last byte arrives.
sent=$(sed -n 's/.*, \([0-9]*\) bytes sent$/\1/p' "$WORK/slow.tls.out")
if [ -n "$sent" ] && [ -n "$octets" ] && [ "$octets" -le "$sent" ] && [ "$octets" -ge $((sent - 1)) ]; then
	pass slow-tls-octets-counted
else
	fail slow-tls-octets-counted "the client sent '$sent' bytes, the server logged '$octets' octets received"
fi
n=$(grep -c "nothing received for 3000 ms (idle_timeout)" "$SERVER_LOG")
if [ "${n:-0}" -eq 1 ]; then
	pass slow-silent-idle-logged
else
	fail slow-silent-idle-logged "${n:-0} 'nothing received' lines, 1 expected (the silent client only)"
fi
if grep -q "connection_timeout of 4000 ms reached" "$SERVER_LOG"; then
	pass slow-pttls-not-idle
else
	fail slow-pttls-not-idle "no connection_timeout line: the byte-a-second client was closed as idle"
fi
if stop_server; then
	pass slow-server-clean-exit
else
	fail slow-server-clean-exit "exit status $?"
fi
tnc_finish
