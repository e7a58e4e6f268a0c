#!/bin/sh
# Database faults under load, with imc-os and imv-os: a config.db locked
# by another writer for longer than the IMV's busy timeout (5 s), a
# read-only config.db, and a full file system under config.db (a small
# tmpfs mounted and removed here), then many concurrent attestations while
# another process keeps taking short write locks.
#
# For every fault: clients get an answer and are never allowed, the server
# logs a line naming the fault, keeps running and allows clients again once
# the fault is gone, and config.db passes PRAGMA integrity_check. Throughout,
# every allowed client must have its session stored as allowed in config.db
# (no access granted without the OS checks), and with IP forwarding on and a
# policy that isolates for it, no client may ever be allowed.
# The contention phase runs 200 attestations, 32 at a time, or with
# LOAD_FULL=1 10,000, 256 at a time. Clients killed mid-handshake and a
# SIGTERM during attestations must leave config.db intact.
. "$(dirname "$0")/lib.sh"

TNC_DB=${TNC_DB:-$TOP_BUILDDIR/imv/tnc-db}
IMC=$(module_path imc-os)
IMV=$(module_path imv-os)
for f in "$TNC_SERVER" "$TNC_DB" "$IMC" "$IMV"; do
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
if [ "${LOAD_FULL:-0}" = 1 ]; then
	contention_n=10000 contention_c=256
else
	contention_n=200 contention_c=32
fi

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
CLIENT_TNC=$WORK/tnc_config.client
SERVER_TNC=$WORK/tnc_config.server
CONF=$WORK/tncsuite.conf
ROOT=$WORK/root
MNT=$WORK/mnt
DB=$MNT/config.db
write_tnc_config "$CLIENT_TNC" "IMC \"OS\" $IMC"
write_tnc_config "$SERVER_TNC" "IMV \"OS\" $IMV"
mounted=no
trap 'cleanup_mount; tnc_cleanup' EXIT

# config.db lives on a 32 MiB tmpfs (room for the WAL, which reaches 4 MiB
# before SQLite checkpoints it), so the file system can be filled, and a
# read-only bind mount of it gives a read-only config.db. These tests run as
# root, which ignores file modes, so chmod cannot make config.db read-only.
# Without permission to mount, the full-disk and read-only cases are skipped
# and config.db stays in the scratch directory.
RO=$WORK/ro
mkdir -p "$MNT" "$RO"
if mount -t tmpfs -o size=32m,mode=0700 tncsuite-test "$MNT" 2>/dev/null; then
	mounted=yes
fi
ro_mounted=no
cleanup_mount() {
	if [ "$ro_mounted" = yes ]; then
		umount "$RO" 2>/dev/null || umount -l "$RO"
		ro_mounted=no
	fi
	if [ "$mounted" = yes ]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT"
		mounted=no
	fi
}

# make_root FORWARDING: a Debian 12 endpoint whose IPv4 forwarding is FORWARDING (0 or 1).
make_root() {
	rm -rf "$ROOT"
	mkdir -p "$ROOT/etc" "$ROOT/proc/sys/net/ipv4" "$ROOT/proc/sys/net/ipv6/conf/all" "$ROOT/var/lib/dpkg"
	printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$ROOT/etc/os-release"
	printf 'cpu  1 2 3 4\nbtime 1796415860\n' > "$ROOT/proc/stat"
	echo "$1" > "$ROOT/proc/sys/net/ipv4/ip_forward"
	echo 0 > "$ROOT/proc/sys/net/ipv6/conf/all/forwarding"
	printf 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.9-1\n' > "$ROOT/var/lib/dpkg/status"
}

# The IP forwarding policy: isolate when forwarding is on, so a fault that
# skipped the check could only show up as an allowed client.
"$TNC_DB" -d "$DB" init >/dev/null &&
	"$TNC_DB" -d "$DB" policy-add "IP Forwarding Enabled" FWDEN isolate no-access >/dev/null &&
	"$TNC_DB" -d "$DB" enforcement-add 1 1 0 >/dev/null ||
	{ fail db-setup "tnc-db could not create $DB"; cleanup_mount; tnc_finish; }
# write_conf DATABASE: tncsuite.conf for both sides.
write_conf() {
	{
		printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\n' "$PORT"
		printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
		printf 'tnc_config = %s\nworkers = 4\nmax_connections = 2000\n' "$SERVER_TNC"
		printf '[imc-os]\nroot = %s\ndevice_id = fault-device-1\n' "$ROOT"
		printf '[imv]\ndatabase = %s\n' "$1"
	} > "$CONF"
}
write_conf "$DB"
export TNCSUITE_CONF="$CONF"
start_server "$CONF" || { fail start "tnc-server did not start"; cleanup_mount; tnc_finish; }

allowed_total=0

# attest NAME COUNT CONCURRENCY: runs COUNT attestations; sets ALLOWED, ISOLATED,
# DENIED, NONE, ERRORS from the load generator's results line.
attest() {
	"$GEN" --mode handshakes --port "$PORT" --ca "$WORK/ca/ca.crt" --client-tnc "$CLIENT_TNC" \
		-c "$3" -n "$2" --timeout 60 >"$WORK/gen.$1.out" 2>&1
	set -- $(sed -n 's/^results: \([0-9]*\) allowed, \([0-9]*\) isolated, \([0-9]*\) no access, \([0-9]*\) without recommendation, \([0-9]*\) connection errors$/\1 \2 \3 \4 \5/p' \
		"$WORK/gen.$1.out")
	ALLOWED=${1:-0} ISOLATED=${2:-0} DENIED=${3:-0} NONE=${4:-0} ERRORS=${5:-0}
	allowed_total=$((allowed_total + ALLOWED))
}

# expect_outcome NAME ALLOWED ISOLATED DENIED: the last attest counts, nothing else.
expect_outcome() {
	if [ "$ALLOWED $ISOLATED $DENIED $NONE $ERRORS" = "$2 $3 $4 0 0" ]; then
		pass "$1"
	else
		fail "$1" "allowed $ALLOWED, isolated $ISOLATED, no access $DENIED, none $NONE, errors $ERRORS;" \
			"expected $2 allowed, $3 isolated, $4 no access"
	fi
}

# check_db NAME [UNSEEN]: integrity_check passes and every allowed client has an
# allowed session row. UNSEEN (default 0) more rows may exist: sessions the server
# allowed after checking them, whose clients died before reading the result.
check_db() {
	ok=$(sqlite3 "$DB" "PRAGMA integrity_check" 2>&1)
	if [ "$ok" = ok ]; then
		pass "$1-integrity"
	else
		fail "$1-integrity" "integrity_check: $ok"
	fi
	rows=$(sqlite3 "$DB" "SELECT count(*) FROM sessions WHERE rec = 0" 2>&1)
	if [ "$rows" -ge "$allowed_total" ] 2>/dev/null && [ "$rows" -le $((allowed_total + ${2:-0})) ]; then
		pass "$1-allowed-sessions-stored"
		allowed_total=$rows
	else
		fail "$1-allowed-sessions-stored" "$allowed_total clients allowed (plus up to ${2:-0} unseen)," \
			"$rows sessions stored as allowed"
	fi
}

# expect_log NAME REGEX: the server log has a matching line.
expect_log() {
	if grep -Eq "$2" "$SERVER_LOG"; then
		pass "$1"
	else
		fail "$1" "no server log line matches '$2'"
	fi
}

# 1. A healthy database: forwarding off allows, forwarding on isolates.
make_root 0
attest healthy-off 20 4
expect_outcome healthy-forwarding-off-allowed 20 0 0
make_root 1
attest healthy-on 20 4
expect_outcome healthy-forwarding-on-isolated 0 20 0
check_db healthy

# 2. Locked: another writer holds config.db until all 8 clients are done;
# each waits out the busy timeout and must get no access (fail closed).
# With 4 workers that takes two rounds of 5 s: a session waiting for the
# database occupies its worker.
make_root 0
(
	echo "BEGIN EXCLUSIVE;"
	while [ ! -f "$WORK/stop-lock" ]; do
		sleep 0.2
	done
	echo "ROLLBACK;"
) | sqlite3 "$DB" &
lock_pid=$!
sleep 0.5
start=$(date +%s)
attest locked 8 8
elapsed=$(( $(date +%s) - start ))
touch "$WORK/stop-lock"
expect_outcome locked-fails-closed 0 0 8
if [ "$elapsed" -le 20 ]; then
	pass locked-answered-in-time
else
	fail locked-answered-in-time "the locked clients waited $elapsed s"
fi
wait "$lock_pid"
expect_log locked-logged "\[DB\].*(database is locked|busy)"
attest after-lock 8 4
expect_outcome locked-then-allowed-again 8 0 0
check_db locked

if [ "$mounted" = yes ]; then
	# 3. Read-only: tnc-server restarted on a read-only bind mount of config.db's file system.
	make_root 0
	stop_server || fail readonly-restart "tnc-server exited with status $?"
	if mount --bind "$MNT" "$RO" 2>/dev/null && ro_mounted=yes &&
		mount -o remount,bind,ro "$RO" 2>/dev/null; then
		write_conf "$RO/config.db"
		start_server "$CONF" || fail readonly-start "tnc-server did not start"
		attest readonly 8 4
		expect_outcome readonly-fails-closed 0 0 8
		expect_log readonly-logged "\[DB\].*(readonly|read-only|unable to open)"
		stop_server || fail readonly-stop "tnc-server exited with status $?"
		umount "$RO" && ro_mounted=no
	else
		skip readonly "cannot make a read-only bind mount"
	fi
	write_conf "$DB"
	start_server "$CONF" || { fail readonly-restart "tnc-server did not start"; tnc_finish; }
	attest after-readonly 8 4
	expect_outcome readonly-then-allowed-again 8 0 0
	check_db readonly

	# 4. Full: a filler file takes the free space of the tmpfs.
	dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
	attest full 8 4
	expect_outcome full-fails-closed 0 0 8
	expect_log full-logged "\[DB\].*(disk is full|database or disk is full|No space)"
	rm -f "$MNT/filler"
	attest after-full 8 4
	expect_outcome full-then-allowed-again 8 0 0
	check_db full
else
	skip readonly "mounting a tmpfs is not permitted here"
	skip full-disk "mounting a tmpfs is not permitted here"
fi

# 5. Contention: many attestations at once while another process first holds
# a write lock for 6 s (past the busy timeout, so some sessions fail closed),
# then takes one for 0.2 s every 0.3 s. With forwarding on, no client may be
# allowed; every outcome is isolate (checked) or no access (failed closed).
make_root 1
(
	printf 'BEGIN IMMEDIATE;\nUPDATE devices SET description = description;\n'
	sleep 6
	printf 'COMMIT;\n'
	while [ ! -f "$WORK/stop-locker" ]; do
		printf 'BEGIN IMMEDIATE;\nUPDATE devices SET description = description;\n'
		sleep 0.2
		printf 'COMMIT;\n'
		sleep 0.1
	done
) | sqlite3 "$DB" >/dev/null 2>&1 &
locker=$!
attest contention "$contention_n" "$contention_c"
touch "$WORK/stop-locker"
wait "$locker"
if [ "$ALLOWED" -eq 0 ] && [ $((ISOLATED + DENIED)) -eq "$contention_n" ]; then
	pass "contention-$contention_n-never-allowed"
else
	fail "contention-$contention_n-never-allowed" "allowed $ALLOWED, isolated $ISOLATED, no access $DENIED," \
		"none $NONE, errors $ERRORS of $contention_n"
fi
if [ "$DENIED" -gt 0 ] && [ "$ISOLATED" -gt 0 ]; then
	pass contention-both-outcomes
else
	fail contention-both-outcomes "expected some sessions isolated and some failed closed"
fi
echo "    contention: $ISOLATED isolated after the check, $DENIED failed closed, of $contention_n"
check_db contention
# 6. Clients killed after sending their first batch, while the server checks
# and stores their sessions: config.db stays intact, and only those sessions
# may be stored as allowed without a client having seen it.
make_root 0
pids=""
for _ in $(seq 1 20); do
	"$GEN" --mode abort --stage batch --port "$PORT" --ca "$WORK/ca/ca.crt" \
		--client-tnc "$CLIENT_TNC" >/dev/null 2>&1 &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid"
done
attest after-killed 8 4
expect_outcome killed-then-allowed 8 0 0
check_db killed 20

# 7. SIGTERM while attestations run: tnc-server stops with status 0, and
# config.db has an allowed session for each allowed client, plus at most one
# per connection in flight (16).
"$GEN" --mode handshakes --port "$PORT" --ca "$WORK/ca/ca.crt" --client-tnc "$CLIENT_TNC" \
	-c 16 -n 100000 --timeout 10 >"$WORK/gen.sigterm.out" 2>&1 &
gen=$!
sleep 1.5
if kill -0 "$SERVER_PID" 2>/dev/null && stop_server; then
	pass db-faults-sigterm-clean-exit
else
	fail db-faults-sigterm-clean-exit "tnc-server died or exited with an error"
fi
wait "$gen"
allowed=$(sed -n 's/^results: \([0-9]*\) allowed, .*/\1/p' "$WORK/gen.sigterm.out")
allowed_total=$((allowed_total + ${allowed:-0}))
echo "    SIGTERM: ${allowed:-0} clients allowed before the server stopped"
check_db sigterm 16
cleanup_mount
tnc_finish
