# Helpers of the attestation integration scripts (tests/integration/test_attest_*.sh),
# sourced after tests/integration/lib.sh:
#   . "$TOP_SRCDIR/tests/integration/attest-lib.sh"
#
# An endpoint is a directory under $WORK with its own swtpm (Unix socket), its
# AK made by tnc-provision, its event log copy and its tncsuite.conf. The
# gateway is one tnc-server with imv-os.so and imv-attestation.so and one
# config.db made by tnc-db. Every swtpm started here is stopped by its PID at
# exit. PCR extends come from tests/data/e2e/replay.py, a parser that shares
# no code with tncsuite.

TNC_DB=${TNC_DB:-$TOP_BUILDDIR/imv/tnc-db}
TNC_PROVISION=${TNC_PROVISION:-$TOP_BUILDDIR/imc/tnc-provision}
REPLAY="python3 $TOP_SRCDIR/tests/data/e2e/replay.py"
DATA=$TOP_SRCDIR/tests/data
IMC_OS=$(module_path imc-os)
IMC_ATT=$TOP_BUILDDIR/imc/.libs/imc-attestation.so
IMV_OS=$(module_path imv-os)
IMV_ATT=$(module_path imv-attestation)
PRODUCT="Debian 12 $(uname -m)"
export TSS2_LOG=all+none

attest_tpm_pids=""

attest_cleanup() {
	for pid in $attest_tpm_pids; do
		kill "$pid" 2>/dev/null
	done
	tnc_cleanup
}
trap attest_cleanup EXIT

# attest_require: skips the script when a program, module or tool is missing.
attest_require() {
	for f in "$TNC_SERVER" "$TNC_CLIENT" "$TNC_DB" "$TNC_PROVISION" "$IMC_OS" "$IMC_ATT" "$IMV_OS" "$IMV_ATT"; do
		if [ ! -f "$f" ]; then
			skip "$(basename "$0")" "$f was not built"
			tnc_finish
		fi
	done
	for t in swtpm swtpm_setup swtpm_ioctl tpm2_pcrextend sqlite3 python3; do
		if ! command -v "$t" >/dev/null; then
			skip "$(basename "$0")" "$t is not installed"
			tnc_finish
		fi
	done
}

# tpm_start DIR [FLAGS]: swtpm with its state in DIR/state (created when missing)
# and its sockets in DIR; FLAGS default to not-need-init,startup-clear.
# Sets TCTI and TPM_PID.
tpm_start() {
	mkdir -p "$1/state"
	rm -f "$1/swtpm.pid"
	swtpm socket --tpm2 --tpmstate dir="$1/state" \
		--server type=unixio,path="$1/tpm.sock" --ctrl type=unixio,path="$1/tpm.sock.ctrl" \
		--flags "${2:-not-need-init,startup-clear}" --pid file="$1/swtpm.pid" \
		--log file="$1/swtpm.log" --daemon || return 1
	for _ in $(seq 1 100); do
		[ -S "$1/tpm.sock" ] && [ -s "$1/swtpm.pid" ] && break
		sleep 0.05
	done
	TPM_PID=$(cat "$1/swtpm.pid")
	attest_tpm_pids="$attest_tpm_pids $TPM_PID"
	TCTI="swtpm:path=$1/tpm.sock"
}

# tpm_stop DIR: shuts the TPM down cleanly and sends SIGTERM to swtpm by its
# PID; swtpm takes about a second to exit, so attest_finish waits for all.
tpm_stop() {
	pid=$(cat "$1/swtpm.pid" 2>/dev/null) || return 0
	TPM2TOOLS_TCTI="swtpm:path=$1/tpm.sock" tpm2_shutdown -c >/dev/null 2>&1
	kill "$pid" 2>/dev/null
}

# attest_finish: waits up to 5 s for every swtpm to exit, then tnc_finish.
attest_finish() {
	for _ in $(seq 1 100); do
		alive=0
		for pid in $attest_tpm_pids; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		[ "$alive" -eq 0 ] && break
		sleep 0.05
	done
	tnc_finish
}

# provision DIR: an AK at 0x81010002 of the TPM at TCTI; sets KEYID.
provision() {
	"$TNC_PROVISION" --tcti "$TCTI" --handle 0x81010002 > "$1/provision.out" 2>&1 || {
		sed 's/^/    /' "$1/provision.out"
		return 1
	}
	KEYID=$(sed -n 's/^keyid: *\([0-9a-f]\{40\}\)$/\1/p' "$1/provision.out" | head -n 1)
	[ -n "$KEYID" ] || return 1
	# The AK survives unclean swtpm stops only below the lockout threshold.
	TPM2TOOLS_TCTI=$TCTI tpm2_dictionarylockout -s -n 1000 -t 1 -l 1 >/dev/null 2>&1
	return 0
}

# replay_bios LOG BANKS: extends the events of LOG into the TPM at TCTI (banks
# comma-separated).
replay_bios() {
	$REPLAY bios "$1" "$2" > "$WORK/extends.$$" || return 1
	[ -s "$WORK/extends.$$" ] || return 0
	TPM2TOOLS_TCTI=$TCTI xargs -n 16 tpm2_pcrextend < "$WORK/extends.$$"
}

# replay_ima LIST BANKS: the IMA measurement list into PCR 10.
replay_ima() {
	$REPLAY ima "$1" "$2" > "$WORK/extends.$$" || return 1
	TPM2TOOLS_TCTI=$TCTI xargs -n 16 tpm2_pcrextend < "$WORK/extends.$$"
}

# make_root DIR FORWARDING [PACKAGE VERSION]: a fake Debian 12 root for imc-os.
make_root() {
	mkdir -p "$1/etc" "$1/proc/sys/net/ipv4" "$1/proc/sys/net/ipv6/conf/all" "$1/var/lib/dpkg"
	printf 'NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$1/etc/os-release"
	printf 'cpu  1 2 3 4\nbtime 1796415860\n' > "$1/proc/stat"
	echo "$2" > "$1/proc/sys/net/ipv4/ip_forward"
	echo 0 > "$1/proc/sys/net/ipv6/conf/all/forwarding"
	printf 'Package: %s\nStatus: install ok installed\nVersion: %s\n\n' "${3:-openssl}" "${4:-3.0.11-1~deb12u2}" \
		> "$1/var/lib/dpkg/status"
	printf 'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n' >> "$1/var/lib/dpkg/status"
}

# endpoint DIR LOG [IMA] [EXTRA-IMC-ATTESTATION-LINES]: DIR/tncsuite.conf and
# DIR/tnc_config of an endpoint whose TPM is at TCTI; the IMC reads a copy of
# LOG (DIR/eventlog.bin) and of IMA (DIR/ima.bin).
endpoint() {
	mkdir -p "$1"
	[ -d "$1/root" ] || make_root "$1/root" 0
	cp "$2" "$1/eventlog.bin"
	{
		printf '[tnc-client]\ntnc_config = %s\n' "$1/tnc_config"
		printf '[imc-os]\nroot = %s\ntcti = %s\nak_handle = 0x81010002\n' "$1/root" "$TCTI"
		printf '[imc-attestation]\ntcti = %s\nak_handle = 0x81010002\neventlog = %s\n' "$TCTI" "$1/eventlog.bin"
		if [ -n "${3:-}" ]; then
			cp "$3" "$1/ima.bin"
			printf 'ima = %s\n' "$1/ima.bin"
		fi
		printf '%s\n' "${4:-}"
	} > "$1/tncsuite.conf"
	write_tnc_config "$1/tnc_config" "IMC \"OS\" $IMC_OS" "IMC \"Attestation\" $IMC_ATT"
}

# gateway DB [IMV-ATTESTATION-LINES] [SERVER-LINES]: $WORK/server.conf, then starts
# tnc-server on a free port (sets PORT, SERVER_PID, SERVER_LOG).
gateway() {
	PORT=$(free_port)
	{
		printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\n' "$PORT"
		printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
		printf 'tnc_config = %s\nmax_connections = 256\n%s\n' "$WORK/tnc_config.server" "${3:-}"
		printf '[imv]\ndatabase = %s\n' "$1"
		printf '[imv-attestation]\n%s\n' "${2:-}"
	} > "$WORK/server.conf"
	write_tnc_config "$WORK/tnc_config.server" "IMV \"OS\" $IMV_OS" "IMV \"Attestation\" $IMV_ATT"
	TNCSUITE_CONF=$WORK/server.conf start_server "$WORK/server.conf"
}

gateway_stop() {
	if stop_server; then
		pass "$1: tnc-server stops on SIGTERM"
	else
		fail "$1: tnc-server stops on SIGTERM" "exit status $?; log tail:"
		tail -n 20 "$SERVER_LOG" | sed 's/^/    /'
	fi
}

# new_db DB: an empty config.db.
new_db() {
	rm -f "$1" "$1-wal" "$1-shm"
	"$TNC_DB" -d "$1" init >/dev/null
}

# attest DIR: one tnc-client run of the endpoint in DIR (plus $CLIENT_ARGS);
# sets STATUS and OUT.
attest() {
	OUT=$1/client.$(date +%s%N).out
	TNCSUITE_CONF=$1/tncsuite.conf "$TNC_CLIENT" --server 127.0.0.1 --port "$PORT" \
		--ca "$WORK/ca/ca.crt" --timeout 60 --config "$1/tncsuite.conf" ${CLIENT_ARGS:-} > "$OUT" 2>&1
	STATUS=$?
}

# check NAME DIR WANT_STATUS REASON_ERE: attest DIR, then compare the exit
# status and the printed reason with the expected ones.
check() {
	attest "$2"
	if [ "$STATUS" -ne "$3" ]; then
		fail "$1" "tnc-client exited with $STATUS, expected $3; output:"
		sed 's/^/    /' "$OUT"
		return 1
	fi
	if [ -n "$4" ] && ! grep -Eq "$4" "$OUT"; then
		fail "$1" "exit status $STATUS as expected, but no output line matches '$4':"
		sed 's/^/    /' "$OUT"
		return 1
	fi
	pass "$1"
}

# sql_is NAME DB QUERY VALUE: the value QUERY returns from DB.
sql_is() {
	got=$(sqlite3 "$2" "$3" 2>&1)
	if [ "$got" = "$4" ]; then
		pass "$1"
	else
		fail "$1" "'$3' gave '$got', expected '$4'"
	fi
}
