#!/bin/sh
# tnc-client with imc-os against tnc-server with imv-os over PT-TLS on
# loopback. The IMC reads a fake Debian 12 root directory, and the IMV a
# config.db made and filled with tnc-db. Each scenario checks tnc-client's
# exit status and the device, session and result rows with sqlite3.
. "$(dirname "$0")/lib.sh"

TNC_DB=${TNC_DB:-$TOP_BUILDDIR/imv/tnc-db}
IMC=$(module_path imc-os)
IMV=$(module_path imv-os)
for f in "$TNC_SERVER" "$TNC_CLIENT" "$TNC_DB" "$IMC" "$IMV"; do
	if [ ! -f "$f" ]; then
		skip "$(basename "$0")" "$f was not built"
		# run_parallel N: runs N clients at once and sets STATUSES to their sorted exit statuses.
run_parallel() {
	pids=""
	for i in $(seq 1 "$1"); do
		"$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 30 \
			--config "$CLIENT_CONF" --tnc-config "$CLIENT_TNC" --quiet &
		pids="$pids $!"
	done
	STATUSES=""
	for pid in $pids; do
		wait "$pid"
		STATUSES="$STATUSES $?"
	done
	STATUSES=$(echo $STATUSES | tr ' ' '\n' | sort -n | tr '\n' ' ')
}

# expect_statuses NAME WANT: WANT lists the sorted exit statuses, e.g. "2 2 2 ".
expect_statuses() {
	if [ "$STATUSES" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "exit statuses '$STATUSES', expected '$2'"
	fi
}

# 6. Eight clients at once with forwarding on: every one is isolated in a session of its own.
make_root 1
fresh_db
"$TNC_DB" -d "$DB" policy-add "IP Forwarding Enabled" FWDEN isolate no-access >/dev/null &&
	"$TNC_DB" -d "$DB" enforcement-add 1 1 0 >/dev/null || fail concurrent-policy "tnc-db could not add the policy"
scenario "$DB"
run_parallel 8
expect_statuses concurrent-all-isolated "2 2 2 2 2 2 2 2 "
expect_sql concurrent-sessions "SELECT count(*) FROM sessions WHERE rec = 2" 8
expect_sql concurrent-results "SELECT count(*) FROM results WHERE rec = 2" 8
expect_sql concurrent-one-device "SELECT count(*) FROM devices" 1

# 7. Fail closed under a locked database. Another writer holds config.db for
# 9 s, longer than the IMV's busy timeout of 5 s, which both clients wait
# out in parallel. Both get no access, although forwarding is off and they
# would be allowed otherwise.
make_root 0
(echo "BEGIN IMMEDIATE;"; sleep 9; echo "ROLLBACK;") | sqlite3 "$DB" &
lock_pid=$!
sleep 0.5
run_parallel 2
wait "$lock_pid"
expect_statuses locked-db-fails-closed "3 3 "
end_scenario concurrent

tnc_finish
	fi
done
if ! command -v sqlite3 >/dev/null; then
	skip "$(basename "$0")" "the sqlite3 command line tool is not installed"
	# run_parallel N: runs N clients at once and sets STATUSES to their sorted exit statuses.
run_parallel() {
	pids=""
	for i in $(seq 1 "$1"); do
		"$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 30 \
			--config "$CLIENT_CONF" --tnc-config "$CLIENT_TNC" --quiet &
		pids="$pids $!"
	done
	STATUSES=""
	for pid in $pids; do
		wait "$pid"
		STATUSES="$STATUSES $?"
	done
	STATUSES=$(echo $STATUSES | tr ' ' '\n' | sort -n | tr '\n' ' ')
}

# expect_statuses NAME WANT: WANT lists the sorted exit statuses, e.g. "2 2 2 ".
expect_statuses() {
	if [ "$STATUSES" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "exit statuses '$STATUSES', expected '$2'"
	fi
}

# 6. Eight clients at once with forwarding on: every one is isolated in a session of its own.
make_root 1
fresh_db
"$TNC_DB" -d "$DB" policy-add "IP Forwarding Enabled" FWDEN isolate no-access >/dev/null &&
	"$TNC_DB" -d "$DB" enforcement-add 1 1 0 >/dev/null || fail concurrent-policy "tnc-db could not add the policy"
scenario "$DB"
run_parallel 8
expect_statuses concurrent-all-isolated "2 2 2 2 2 2 2 2 "
expect_sql concurrent-sessions "SELECT count(*) FROM sessions WHERE rec = 2" 8
expect_sql concurrent-results "SELECT count(*) FROM results WHERE rec = 2" 8
expect_sql concurrent-one-device "SELECT count(*) FROM devices" 1

# 7. Fail closed under a locked database. Another writer holds config.db for
# 9 s, longer than the IMV's busy timeout of 5 s, which both clients wait
# out in parallel. Both get no access, although forwarding is off and they
# would be allowed otherwise.
make_root 0
(echo "BEGIN IMMEDIATE;"; sleep 9; echo "ROLLBACK;") | sqlite3 "$DB" &
lock_pid=$!
sleep 0.5
run_parallel 2
wait "$lock_pid"
expect_statuses locked-db-fails-closed "3 3 "
end_scenario concurrent

tnc_finish
fi

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
CLIENT_TNC=$WORK/tnc_config.client
SERVER_TNC=$WORK/tnc_config.server
CLIENT_CONF=$WORK/tncsuite.conf
DB=$WORK/config.db
ROOT=$WORK/root
write_tnc_config "$CLIENT_TNC" "IMC \"OS\" $IMC"
write_tnc_config "$SERVER_TNC" "IMV \"OS\" $IMV"

# make_root FORWARDING: a Debian 12 endpoint whose IPv4 forwarding is FORWARDING (0 or 1).
make_root() {
	rm -rf "$ROOT"
	mkdir -p "$ROOT/etc" "$ROOT/proc/sys/net/ipv4" "$ROOT/proc/sys/net/ipv6/conf/all" "$ROOT/var/lib/dpkg"
	printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$ROOT/etc/os-release"
	printf 'cpu  1 2 3 4\nbtime 1796415860\n' > "$ROOT/proc/stat"
	echo "$1" > "$ROOT/proc/sys/net/ipv4/ip_forward"
	echo 0 > "$ROOT/proc/sys/net/ipv6/conf/all/forwarding"
	printf 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.9-1\n\n' > "$ROOT/var/lib/dpkg/status"
	printf 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n' >> "$ROOT/var/lib/dpkg/status"
}

# scenario DATABASE [IMV-OS KEYS]: writes tncsuite.conf for both sides and starts tnc-server.
scenario() {
	{
		printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\n' "$PORT"
		printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
		printf 'ca = %s\nclient_cert = optional\n' "$WORK/ca/ca.crt"
		printf 'tnc_config = %s\nworkers = 2\n' "$SERVER_TNC"
		printf '[tnc-client]\n'
		printf '[imc-os]\nroot = %s\ndevice_id = e2e-device-1\n' "$ROOT"
		printf '[imv]\ndatabase = %s\n' "$1"
		printf '[imv-os]\n%s\n' "${2:-}"
	} > "$CLIENT_CONF"
	export TNCSUITE_CONF="$CLIENT_CONF"
	start_server "$CLIENT_CONF"
}

end_scenario() {
	if stop_server; then
		pass "$1 server stops on SIGTERM"
	else
		fail "$1 server stops on SIGTERM" "exit status $?; log:"
		sed 's/^/    /' "$SERVER_LOG"
	fi
}

# expect_sql NAME QUERY VALUE: the single value QUERY returns from config.db.
expect_sql() {
	got=$(sqlite3 "$DB" "$2" 2>&1)
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "'$2' gave '$got', expected '$3'"
	fi
}

fresh_db() {
	rm -f "$DB" "$DB-wal" "$DB-shm"
	"$TNC_DB" -d "$DB" init >/dev/null || fail "tnc-db init" "cannot create $DB"
}

client() {
	run_client "$@" --cert "$WORK/ca/client.crt" --key "$WORK/ca/client.key"
}

# 1. No policy: allow with evaluation "don't know", one device and one session.
make_root 1
fresh_db
scenario "$DB"
client no-policy-allows 0
expect_output no-policy-assessment "^Assessment result: don't know$"
expect_sql no-policy-device "SELECT value FROM devices" e2e-device-1
expect_sql no-policy-product "SELECT p.name FROM sessions s JOIN products p ON p.id = s.product" \
	"Debian 12 $(uname -m)"
expect_sql no-policy-session-allowed "SELECT rec FROM sessions" 0
# The client certificate subject is the session's identity (type 6, X.500 DN).
expect_sql no-policy-identity "SELECT i.type FROM sessions s JOIN identities i ON i.id = s.identity" 6
end_scenario no-policy

# 2. IP forwarding enforced (fail: isolate) with forwarding on: isolate.
fresh_db
"$TNC_DB" -d "$DB" policy-add "IP Forwarding Enabled" FWDEN isolate no-access >/dev/null &&
	"$TNC_DB" -d "$DB" enforcement-add 1 1 0 >/dev/null || fail fwden-policy "tnc-db could not add the policy"
scenario "$DB"
client fwden-on-isolates 2
expect_output fwden-on-reason '^Reason: IP forwarding is enabled$'
expect_sql fwden-on-session "SELECT rec FROM sessions" 2
expect_sql fwden-on-result "SELECT rec || ' ' || result FROM results" "2 IP forwarding is enabled"
expect_sql fwden-on-workitems-gone "SELECT count(*) FROM workitems" 0

# 3. The same policy with forwarding off: allow, and a compliant result row.
make_root 0
client fwden-off-allows 0
expect_output fwden-off-assessment '^Assessment result: compliant$'
expect_sql fwden-off-sessions "SELECT count(*) FROM sessions" 2
expect_sql fwden-off-result "SELECT rec || ' ' || result FROM results ORDER BY id DESC LIMIT 1" \
	"0 IP forwarding is disabled"
expect_sql fwden-off-one-device "SELECT count(*) FROM devices" 1
end_scenario fwden

# 4. Installed packages with a blacklisted version (fail: no access).
fresh_db
"$TNC_DB" -d "$DB" product-add "Debian 12 $(uname -m)" >/dev/null &&
	"$TNC_DB" -d "$DB" package-add openssl "Debian 12 $(uname -m)" 3.0.9-1 blacklist >/dev/null &&
	"$TNC_DB" -d "$DB" policy-add "Installed Packages" PCKGS no-access isolate >/dev/null &&
	"$TNC_DB" -d "$DB" enforcement-add 1 1 0 >/dev/null || fail pckgs-policy "tnc-db could not add the policy"
scenario "$DB"
client pckgs-blacklisted-denied 3
expect_output pckgs-reason '^Reason: 2 packages checked, 1 blacklisted: openssl 3.0.9-1$'
expect_sql pckgs-result "SELECT rec FROM results" 1
end_scenario pckgs

# 5. Fail closed: a database that does not exist gives isolate (as configured), never allow.
scenario "$WORK/missing.db" "fail_closed = isolate"
client missing-db-fails-closed 2
expect_output missing-db-reason '^Reason: the policy for this endpoint could not be set up \(not found\)$'
end_scenario missing-db

# run_parallel N: runs N clients at once and sets STATUSES to their sorted exit statuses.
run_parallel() {
	pids=""
	for i in $(seq 1 "$1"); do
		"$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 30 \
			--config "$CLIENT_CONF" --tnc-config "$CLIENT_TNC" --quiet &
		pids="$pids $!"
	done
	STATUSES=""
	for pid in $pids; do
		wait "$pid"
		STATUSES="$STATUSES $?"
	done
	STATUSES=$(echo $STATUSES | tr ' ' '\n' | sort -n | tr '\n' ' ')
}

# expect_statuses NAME WANT: WANT lists the sorted exit statuses, e.g. "2 2 2 ".
expect_statuses() {
	if [ "$STATUSES" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "exit statuses '$STATUSES', expected '$2'"
	fi
}

# 6. Eight clients at once with forwarding on: every one is isolated in a session of its own.
make_root 1
fresh_db
"$TNC_DB" -d "$DB" policy-add "IP Forwarding Enabled" FWDEN isolate no-access >/dev/null &&
	"$TNC_DB" -d "$DB" enforcement-add 1 1 0 >/dev/null || fail concurrent-policy "tnc-db could not add the policy"
scenario "$DB"
run_parallel 8
expect_statuses concurrent-all-isolated "2 2 2 2 2 2 2 2 "
expect_sql concurrent-sessions "SELECT count(*) FROM sessions WHERE rec = 2" 8
expect_sql concurrent-results "SELECT count(*) FROM results WHERE rec = 2" 8
expect_sql concurrent-one-device "SELECT count(*) FROM devices" 1

# 7. Fail closed under a locked database. Another writer holds config.db for
# 9 s, longer than the IMV's busy timeout of 5 s, which both clients wait
# out in parallel. Both get no access, although forwarding is off and they
# would be allowed otherwise.
make_root 0
(echo "BEGIN IMMEDIATE;"; sleep 9; echo "ROLLBACK;") | sqlite3 "$DB" &
lock_pid=$!
sleep 0.5
run_parallel 2
wait "$lock_pid"
expect_statuses locked-db-fails-closed "3 3 "
end_scenario concurrent

tnc_finish
