# Shared helpers of the integration scripts; source it with
#   . "$(dirname "$0")/lib.sh"
#
# It gives each script a scratch directory ($WORK, removed at exit), a CA and
# certificates made with the openssl CLI, a free loopback port, tnc-server
# started in the background and stopped by its PID, and pass/fail/skip
# counting. tnc_finish prints "RESULT: N passed, N failed, N skipped", which
# scripts/count-results reads, and sets the exit status (77 = all skipped).
#
# Everything runs on 127.0.0.1 only.

TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$TOP_SRCDIR/build}
TNC_SERVER=${TNC_SERVER:-$TOP_BUILDDIR/tnccs/tnc-server}
TNC_CLIENT=${TNC_CLIENT:-$TOP_BUILDDIR/tnccs/tnc-client}

tnc_passed=0
tnc_failed=0
tnc_skipped=0
tnc_server_pids=""

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tnc-it.XXXXXX")

tnc_cleanup() {
	for pid in $tnc_server_pids; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
	done
	if [ -n "${KEEP_WORK:-}" ]; then
		echo "scratch directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap tnc_cleanup EXIT

pass() {
	tnc_passed=$((tnc_passed + 1))
	echo "PASS: $1"
}

# fail NAME WHY
fail() {
	tnc_failed=$((tnc_failed + 1))
	echo "FAIL: $1: $2"
}

# skip NAME WHY
skip() {
	tnc_skipped=$((tnc_skipped + 1))
	echo "SKIP: $1: $2"
}

# Builds the load generator of tests/bench when needed and sets GEN to it;
# without it the script is skipped.
need_load_generator() {
	GEN=$TOP_BUILDDIR/tests/bench/bench_server_load
	make -s -C "$TOP_BUILDDIR/tests/bench" bench_server_load >/dev/null 2>&1
	if [ ! -x "$GEN" ]; then
		skip "$(basename "$0")" "bench_server_load could not be built"
		tnc_finish
	fi
}

tnc_finish() {
	echo "RESULT: $tnc_passed passed, $tnc_failed failed, $tnc_skipped skipped"
	if [ "$tnc_failed" -gt 0 ]; then
		exit 1
	fi
	if [ "$tnc_passed" -eq 0 ] && [ "$tnc_skipped" -gt 0 ]; then
		exit 77
	fi
	exit 0
}

# Skips the whole script when the programs or the test modules are missing.
require_programs() {
	for f in "$TNC_SERVER" "$TNC_CLIENT" "$(module_path imc-test)" "$(module_path imv-test)"; do
		if [ ! -x "$f" ] && [ ! -f "$f" ]; then
			skip "$(basename "$0")" "$f was not built"
			tnc_finish
		fi
	done
}

# module_path NAME: the built module NAME.so (imc-test, imv-test, ...).
module_path() {
	case $1 in
	imc-*) dir=imc/${1#imc-} ;;
	imv-*) dir=imv/${1#imv-} ;;
	*) dir=. ;;
	esac
	if [ -f "$TOP_BUILDDIR/$dir/.libs/$1.so" ]; then
		echo "$TOP_BUILDDIR/$dir/.libs/$1.so"
	else
		echo "$TOP_BUILDDIR/$dir/$1.so"
	fi
}

# make_ca DIR: a self-signed CA in DIR/ca.crt and DIR/ca.key (EC P-256).
make_ca() {
	mkdir -p "$1"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=tncsuite test CA $(basename "$1")" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout "$1/ca.key" -out "$1/ca.crt" 2>/dev/null
}

# make_cert CADIR NAME SAN [EKU]: DIR/NAME.crt and NAME.key signed by the CA in CADIR,
# e.g. make_cert "$WORK/ca" server "DNS:localhost,IP:127.0.0.1" serverAuth
make_cert() {
	ca=$1 name=$2 san=$3 eku=${4:-serverAuth}
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
		-keyout "$ca/$name.key" -out "$ca/$name.csr" 2>/dev/null || return 1
	printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$san" "$eku" \
		> "$ca/$name.ext"
	openssl x509 -req -in "$ca/$name.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -CAcreateserial \
		-days 2 -extfile "$ca/$name.ext" -out "$ca/$name.crt" 2>/dev/null || return 1
	chmod 600 "$ca/$name.key"
}

# port_in_use PORT: true when something listens on 127.0.0.1:PORT.
port_in_use() {
	ss -Htln 2>/dev/null | awk '{print $4}' | grep -Eq "[:.]$1\$"
}

# free_port: prints a TCP port that nothing listens on.
free_port() {
	for _ in $(seq 1 50); do
		p=$(( (($$ * 7919) + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ')) % 30000 + 20000 ))
		if ! port_in_use "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# start_server CONF [ARGS...]: starts tnc-server in the background. Sets SERVER_PID
# and SERVER_LOG; waits until it listens on its port (key port of CONF).
start_server() {
	conf=$1
	shift
	port=$(sed -n 's/^[[:space:]]*port[[:space:]]*=[[:space:]]*\([0-9]*\).*/\1/p' "$conf" | head -n 1)
	SERVER_LOG=$WORK/server.$(date +%s%N).log
	"$TNC_SERVER" --foreground --config "$conf" "$@" >"$SERVER_LOG" 2>&1 &
	SERVER_PID=$!
	tnc_server_pids="$tnc_server_pids $SERVER_PID"
	for _ in $(seq 1 100); do
		if grep -q "listening on" "$SERVER_LOG" 2>/dev/null && port_in_use "$port"; then
			return 0
		fi
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			echo "tnc-server exited at start; its log:"
			cat "$SERVER_LOG"
			return 1
		fi
		sleep 0.05
	done
	echo "tnc-server did not start listening on port $port within 5 s"
	return 1
}

# stop_server [SIGNAL]: sends SIGTERM (or SIGNAL) to SERVER_PID, waits at most 15 s,
# and returns the server's exit status (124 when it had to be killed).
stop_server() {
	sig=${1:-TERM}
	kill -"$sig" "$SERVER_PID" 2>/dev/null || return 1
	for _ in $(seq 1 150); do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			wait "$SERVER_PID"
			return $?
		fi
		sleep 0.1
	done
	kill -KILL "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	return 124
}

# wait_lines FILE PATTERN COUNT: waits up to 5 s until FILE has COUNT lines matching
# PATTERN. Modules write their stats lines when the server deletes the connection,
# which may come a moment after tnc-client has exited.
wait_lines() {
	for _ in $(seq 1 50); do
		if [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ] 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# write_tnc_config FILE LINE...: one IMC or IMV line each, e.g. 'IMV "Test" /path/imv-test.so'.
write_tnc_config() {
	file=$1
	shift
	: > "$file"
	for line in "$@"; do
		echo "$line" >> "$file"
	done
}

# run_client NAME WANT_STATUS [ARGS...]: runs tnc-client with the standard test
# options plus ARGS, records PASS or FAIL on its exit status, keeps its output
# in CLIENT_OUT (stdout and stderr).
run_client() {
	name=$1 want=$2
	shift 2
	CLIENT_OUT=$WORK/client.$name.out
	"$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" --ca "$WORK/ca/ca.crt" --timeout 20 \
		--config "$CLIENT_CONF" --tnc-config "$CLIENT_TNC" "$@" >"$CLIENT_OUT" 2>&1
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass "$name"
		return 0
	fi
	fail "$name" "tnc-client exited with $got, expected $want; output:"
	sed 's/^/    /' "$CLIENT_OUT"
	return 1
}

# expect_output NAME PATTERN: the last client output must match the extended regex.
expect_output() {
	if grep -Eq "$2" "$CLIENT_OUT"; then
		pass "$1"
	else
		fail "$1" "output does not match '$2':"
		sed 's/^/    /' "$CLIENT_OUT"
	fi
}

# setup_pki: CA and server certificate for 127.0.0.1, ::1 and localhost in $WORK/ca,
# a client certificate from the same CA, and an unrelated CA in $WORK/other.
setup_pki() {
	make_ca "$WORK/ca" &&
	make_cert "$WORK/ca" server "DNS:localhost,IP:127.0.0.1,IP:::1" serverAuth &&
	make_cert "$WORK/ca" client "DNS:client.test" clientAuth &&
	make_ca "$WORK/other" &&
	make_cert "$WORK/other" server "DNS:localhost,IP:127.0.0.1" serverAuth
}
