#!/bin/sh
# The teardown of a connection must not stall the event loop. A client is
# killed in the middle of its handshake while another process holds a write
# lock on config.db. When tnc-server deletes the connection, imv-os stops the
# attached session in config.db and so waits for the lock. Meanwhile another
# client's TLS handshake and a full imv-test handshake must complete at once,
# not after the lock is gone.
#
# The killed client stays in its handshake because its imc-os blocks reading
# /var/lib/dpkg/status, a FIFO here, for the Installed Packages that imv-os
# requests in the second round (the policy has a PCKGS workitem). So imv-os
# has attached the session, and the connection ends without a decision.
#
# The lock is held for LOCK_S (4 s, below the 5 s busy timeout, so the
# teardown succeeds once the lock is gone). The other clients must finish
# within STALL_MAX_MS (2000 ms); while the event loop ran the teardown they
# waited until the lock was released. Last, SIGTERM arrives while another
# such teardown waits: the server must exit with status 0, and imv-os must
# stop that session before it is terminated.
. "$(dirname "$0")/lib.sh"

TNC_DB=${TNC_DB:-$TOP_BUILDDIR/imv/tnc-db}
IMC=$(module_path imc-os)
IMV=$(module_path imv-os)
IMC_TEST=$(module_path imc-test)
IMV_TEST=$(module_path imv-test)
LOCK_S=4
STALL_MAX_MS=2000
for f in "$TNC_SERVER" "$TNC_CLIENT" "$TNC_DB" "$IMC" "$IMV" "$IMC_TEST" "$IMV_TEST"; do
	if [ ! -f "$f" ]; then
		skip "$(basename "$0")" "$f was not built"
		tnc_finish
	fi
done
if ! command -v sqlite3 >/dev/null; then
	skip "$(basename "$0")" "the sqlite3 command line tool is not installed"
	tnc_finish
fi
need_load_generator

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
OS_TNC=$WORK/tnc_config.os
TEST_TNC=$WORK/tnc_config.test
SERVER_TNC=$WORK/tnc_config.server
CONF=$WORK/tncsuite.conf
DB=$WORK/config.db
ROOT=$WORK/root
write_tnc_config "$OS_TNC" "IMC \"OS\" $IMC"
write_tnc_config "$TEST_TNC" "IMC \"Test\" $IMC_TEST"
write_tnc_config "$SERVER_TNC" "IMV \"OS\" $IMV" "IMV \"Test\" $IMV_TEST"

# A Debian 12 endpoint whose package list is a FIFO without a writer.
mkdir -p "$ROOT/etc" "$ROOT/proc/sys/net/ipv4" "$ROOT/proc/sys/net/ipv6/conf/all" "$ROOT/var/lib/dpkg"
printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$ROOT/etc/os-release"
printf 'cpu  1 2 3 4\nbtime 1796415860\n' > "$ROOT/proc/stat"
echo 0 > "$ROOT/proc/sys/net/ipv4/ip_forward"
echo 0 > "$ROOT/proc/sys/net/ipv6/conf/all/forwarding"
mkfifo "$ROOT/var/lib/dpkg/status"

"$TNC_DB" -d "$DB" init >/dev/null &&
	"$TNC_DB" -d "$DB" policy-add "Installed Packages" PCKGS no-access isolate >/dev/null &&
	"$TNC_DB" -d "$DB" enforcement-add 1 1 0 >/dev/null ||
	{ fail db-setup "tnc-db could not create $DB"; tnc_finish; }
{
	printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\n' "$PORT"
	printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
	printf 'tnc_config = %s\nworkers = 2\ndebug = 2\n' "$SERVER_TNC"
	printf '[tnc-client]\n'
	printf '[imc-os]\nroot = %s\ndevice_id = teardown-device-1\n' "$ROOT"
	printf '[imc-test]\nrounds = 1\n'
	printf '[imv-test]\nrounds = 1\n'
	printf '[imv]\ndatabase = %s\n' "$DB"
	printf '[imv-os]\ndebug = 2\n'
} > "$CONF"
export TNCSUITE_CONF="$CONF"
start_server "$CONF" || { fail start "tnc-server did not start"; tnc_finish; }

# ms_now: milliseconds since the epoch (GNU date).
ms_now() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_log PATTERN: waits up to 10 s for a server log line matching the extended regex.
wait_log() {
	for _ in $(seq 1 200); do
		if grep -Eq "$1" "$SERVER_LOG"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# 1. The client that will be killed: its session is attached, then it blocks on the FIFO.
"$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 60 \
	--config "$CONF" --tnc-config "$OS_TNC" >"$WORK/client.killed.out" 2>&1 &
victim=$!
if wait_log "imv-os: created session"; then
	pass teardown-session-attached
else
	fail teardown-session-attached "imv-os logged no created session; server log:"
	sed 's/^/    /' "$SERVER_LOG"
	kill -KILL "$victim" 2>/dev/null
	tnc_finish
fi
sleep 0.3

# 2. Another process takes the write lock of config.db and holds it for LOCK_S seconds.
(
	printf 'BEGIN IMMEDIATE;\nUPDATE devices SET description = description;\n'
	sleep "$LOCK_S"
	printf 'COMMIT;\n'
) | sqlite3 "$DB" >/dev/null 2>&1 &
locker=$!
locked=no
for _ in $(seq 1 50); do
	if ! sqlite3 "$DB" "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1; then
		locked=yes
		break
	fi
	sleep 0.02
done
if [ "$locked" = yes ]; then
	pass teardown-lock-held
else
	fail teardown-lock-held "the sqlite3 process did not take the write lock of $DB"
fi

# 3. Kill the client; once the server has closed its connection, imv-os waits for the lock.
kill -KILL "$victim"
wait "$victim" 2>/dev/null
wait_log "closed connection from" || fail teardown-closed "the server did not close the killed connection"

# 4. The other clients, both at once, each timed from its start.
# timed NAME COMMAND...: runs COMMAND, then writes "STATUS MILLISECONDS" to $WORK/NAME.time.
timed() {
	name=$1
	shift
	t0=$(ms_now)
	"$@" >"$WORK/$name.out" 2>&1
	status=$?
	echo "$status $(($(ms_now) - t0))" > "$WORK/$name.time"
}
timed tls "$GEN" --mode tls --port "$PORT" --ca "$WORK/ca/ca.crt" -n 1 -c 1 --timeout 20 &
tls_pid=$!
timed full "$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 20 \
	--config "$CONF" --tnc-config "$TEST_TNC" &
full_pid=$!
wait "$tls_pid"
wait "$full_pid"
read -r tls_status tls_ms < "$WORK/tls.time"
# bench_server_load's own latency of the handshake, without its start-up and baseline runs.
tls_us=$(sed -n 's/^latency median *\([0-9]*\)\.[0-9]* us .*/\1/p' "$WORK/tls.out")
if [ -n "$tls_us" ]; then
	tls_ms=$((tls_us / 1000))
fi
read -r full_status full_ms < "$WORK/full.time"
echo "    while the teardown waited for the lock: TLS handshake $tls_ms ms (status $tls_status)," \
	"imv-test handshake $full_ms ms (status $full_status)"
if [ "$tls_status" -eq 0 ] && [ "$tls_ms" -lt "$STALL_MAX_MS" ]; then
	pass teardown-tls-not-stalled
else
	fail teardown-tls-not-stalled "TLS handshake took $tls_ms ms (limit $STALL_MAX_MS), status $tls_status"
fi
# The imv-test client gets no OS attributes, so imv-os fails closed: any verdict is fine,
# only the time counts.
if grep -q "recommendation" "$WORK/full.out" && [ "$full_ms" -lt "$STALL_MAX_MS" ]; then
	pass teardown-handshake-not-stalled
else
	fail teardown-handshake-not-stalled "handshake took $full_ms ms (limit $STALL_MAX_MS), status $full_status; output:"
	sed 's/^/    /' "$WORK/full.out"
fi

# 5. Once the lock is gone, imv-os stops the killed client's session with no access.
wait "$locker"
if wait_log "imv-os: session [0-9]+ stopped with no"; then
	pass teardown-session-stopped
else
	fail teardown-session-stopped "imv-os did not stop the killed client's session; server log:"
	sed 's/^/    /' "$SERVER_LOG"
fi

# 6. SIGTERM while a teardown waits for the lock: the server exits with status 0
# only after imv-os has stopped that session too, before the IMVs are unloaded.
"$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 60 \
	--config "$CONF" --tnc-config "$OS_TNC" >"$WORK/client.killed2.out" 2>&1 &
victim=$!
if ! wait_lines "$SERVER_LOG" "imv-os: [a-z]* session" 2; then
	fail teardown-sigterm "imv-os did not attach the second client's session"
	kill -KILL "$victim" 2>/dev/null
	tnc_finish
fi
sleep 0.3
(
	printf 'BEGIN IMMEDIATE;\nUPDATE devices SET description = description;\n'
	sleep 2
	printf 'COMMIT;\n'
) | sqlite3 "$DB" >/dev/null 2>&1 &
locker=$!
sleep 0.3
kill -KILL "$victim"
wait "$victim" 2>/dev/null
if stop_server; then
	pass teardown-sigterm-exit-status
else
	fail teardown-sigterm-exit-status "tnc-server exited with status $?"
fi
wait "$locker"
stops=$(grep -c "imv-os: session [0-9]* stopped with no" "$SERVER_LOG")
last_stop=$(grep -n "imv-os: session [0-9]* stopped with no" "$SERVER_LOG" | tail -n 1 | cut -d: -f1)
terminated=$(grep -n "imv-os: terminated" "$SERVER_LOG" | cut -d: -f1)
if [ "$stops" -eq 2 ] && [ -n "$terminated" ] && [ "${last_stop:-0}" -lt "$terminated" ]; then
	pass teardown-sigterm-delete-before-terminate
else
	fail teardown-sigterm-delete-before-terminate "$stops sessions stopped (expected 2)," \
		"the last on line ${last_stop:-none}, imv-os terminated on line ${terminated:-none}; log:"
	sed 's/^/    /' "$SERVER_LOG"
fi
tnc_finish
