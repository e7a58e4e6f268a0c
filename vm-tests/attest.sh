# The attestation scenarios of vm-tests/run (sourced by it; uses lib.sh).
#
# tnc-server runs on 127.0.0.1 at a free port with imv-os.so (when built),
# imv-attestation.so and a fresh config.db; one server per TPMRA policy.
# Each machine (its own swtpm state and OVMF variables) gets an AK enrolled
# on the host before its first boot.
#
# Machine "dev" boots four times against the policy TPMRA B:
#   first-boot   the server registers the boot measurements; allowed
#   second-boot  same firmware, kernel, initrd, command line: allowed
#   cmdline      one more kernel argument: refused, and the reason names
#                PCR 9 and the EFI stub's LoadOptions event
#   kernel       the kernel image with 4 KiB appended: refused, and the
#                reason names PCR 4 and the EV_EFI_BOOT_SERVICES_APPLICATION
#                event
# Machines "ima" and "ima-sig" boot with ima_policy=tcb against TPMRA BI.
# The transport scenario needs only imv-test.so on the server side.

VM_AK_HANDLE=0x81010002
# The product imc-os reports for the initramfs: its /etc/os-release is the
# host's, the guest machine is x86_64.
VM_PRODUCT=$(. /etc/os-release && echo "${ID^} ${VERSION_ID:-unknown} x86_64")
VM_SERVER_NAME=tnc-server.vmtest
VM_SERVER_PID=
VM_SERVER_DIR=

# path of a tncsuite file in the build tree (real ELF files, not libtool
# wrappers)
tnc_path() {
	local p
	for p in $(find "$TNC_BUILD" -name "$1" \( -type f -o -type l \) 2>/dev/null | sort); do
		head -c 4 "$p" | grep -q ELF && { echo "$p"; return 0; }
	done
	return 1
}

# Prints the programs the attestation scenarios lack (nothing when all are
# built). With an argument, checks for imv-test.so instead of the real IMVs,
# as the transport scenario needs.
attest_missing() {
	local miss="" f imvs="imv-attestation.so"   # imv-os.so is loaded when built
	[ -n "${1:-}" ] && imvs=imv-test.so
	for f in tnc-server $imvs tnc-db; do
		tnc_path "$f" >/dev/null || miss="$miss $f"
	done
	for f in tnc-client tnc-provision imc-os.so imc-attestation.so; do
		grep -q "^tncsuite $f " "$VM_BUILD/initramfs.manifest" 2>/dev/null || miss="$miss $f"
	done
	echo "${miss# }"
}

vm_free_port() {
	local p i
	for i in $(seq 50); do
		p=$((20000 + (RANDOM * 7 + $$ + i) % 40000))
		[ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ] && { echo $p; return 0; }
	done
	return 1
}

# vm_server_start DIR [TNC_CONFIG [EXTRA_CONF [TPMRA_ARG]]]: CA, server
# certificate for $VM_SERVER_NAME, config, config.db, then tnc-server on
# 127.0.0.1:$VM_SERVER_PORT. TNC_CONFIG replaces the IMV list (default
# imv-os.so when built, and imv-attestation.so); EXTRA_CONF is appended to
# the config; TPMRA_ARG is the argument of the TPM remote attestation policy
# every device gets (default B: the firmware log; BI adds the IMA list).
vm_server_start() {
	local d=$1 imvs=${2:-} extra=${3:-} tpmra=${4:-B} i db
	VM_SERVER_DIR=$d
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=vm-tests CA" -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=$VM_SERVER_NAME" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null &&
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile <(printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$VM_SERVER_NAME") \
		-out "$d/server.crt" 2>/dev/null || { vm_log "openssl failed"; return 1; }
	VM_SERVER_PORT=$(vm_free_port) || { vm_log "no free port"; return 1; }
	export VM_SERVER_PORT
	db=$d/config.db
	if [ -n "$imvs" ]; then
		echo "$imvs" > "$d/tnc_config"
	else
		: > "$d/tnc_config"
		tnc_path imv-os.so >/dev/null && printf 'IMV "OS" %s\n' "$(tnc_path imv-os.so)" >> "$d/tnc_config"
		printf 'IMV "Attestation" %s\n' "$(tnc_path imv-attestation.so)" >> "$d/tnc_config"
	fi
	# The CA that certifies the machines' AKs at enrollment (vm_enroll).
	mkdir -p "$d/akca"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=vm-tests AK CA" -keyout "$d/akca.key" -out "$d/akca/ca.crt" 2>/dev/null ||
		{ vm_log "openssl failed"; return 1; }
	cat > "$d/tncsuite.conf" <<EOF
[tnc-server]
address = 127.0.0.1
port = $VM_SERVER_PORT
cert = $d/server.crt
key = $d/server.key
tnc_config = $d/tnc_config
recommendation_policy = default
connection_timeout = 600
idle_timeout = 300
workers = 2
debug = tnc=2,imv=2,pts=2,db=2

[imv]
database = $db

[tnc-db]
database = $db

[imv-attestation]
ca_dir = $d/akca
debug = 2
$extra
EOF
	# config.db: every device of the Default group (1) must pass TPM
	# remote attestation of the firmware log (B) and maybe the IMA list (I).
	{
		tnc_db init &&
		tnc_db product-add "$VM_PRODUCT" &&
		tnc_db policy-add "VM boot" TPMRA no-access no-access "$tpmra" &&
		tnc_db enforcement-add 1 1
	} >"$d/tnc-db.log" 2>&1 || { vm_log "tnc-db failed: $(tail -n 2 "$d/tnc-db.log")"; return 1; }
	TNCSUITE_CONF=$d/tncsuite.conf timeout -k 5 3600 "$(tnc_path tnc-server)" -f -c "$d/tncsuite.conf" \
		>"$d/server.log" 2>&1 &
	VM_SERVER_PID=$!
	for i in $(seq 100); do
		[ -n "$(ss -Htln "sport = :$VM_SERVER_PORT" 2>/dev/null)" ] && return 0
		kill -0 "$VM_SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	vm_log "tnc-server did not start: $(tail -n 3 "$d/server.log")"
	return 1
}

tnc_db() {
	"$(tnc_path tnc-db)" -c "$VM_SERVER_DIR/tncsuite.conf" -d "$VM_SERVER_DIR/config.db" "$@"
}

# vm_enroll MACHINE: the factory step. Creates the machine's AK in its swtpm
# with tnc-provision on the host, and certifies the AK's public key with
# the AK CA of the server's ca_dir, so the first attestation is trusted.
# Sets VM_AK_KEYID; writes MACHINE/enroll/{ak.pem,ak.crt}.
vm_enroll() {
	local m=$1 d=$1/enroll spid
	mkdir -p "$d"
	swtpm socket --tpm2 --tpmstate dir="$m/tpmstate" \
		--server type=unixio,path="$d/tpm.sock" --ctrl type=unixio,path="$d/tpm.sock.ctrl" \
		--flags not-need-init,startup-clear --pid file="$d/swtpm.pid" -d || return 1
	spid=$(cat "$d/swtpm.pid")
	timeout 60 "$(tnc_path tnc-provision)" -T "swtpm:path=$d/tpm.sock" -H "$VM_AK_HANDLE" \
		>"$d/provision.out" 2>"$d/provision.err"
	local rc=$?
	# an orderly shutdown, so the AK's dictionary-attack counter stays 0
	TPM2TOOLS_TCTI="swtpm:path=$d/tpm.sock" tpm2_shutdown -c >/dev/null 2>&1
	swtpm_ioctl --unix "$d/tpm.sock.ctrl" -s >/dev/null 2>&1
	vm_stop_pid "$spid"
	[ $rc = 0 ] || { vm_log "tnc-provision failed: $(tail -n 2 "$d/provision.err")"; return 1; }
	sed -n '/BEGIN PUBLIC KEY/,/END PUBLIC KEY/p' "$d/provision.out" > "$d/ak.pem"
	VM_AK_KEYID=$(openssl pkey -pubin -in "$d/ak.pem" -outform DER 2>/dev/null | sha1sum | cut -c1-40)
	grep -qi "$VM_AK_KEYID" "$d/provision.out" ||
		{ vm_log "tnc-provision printed another keyid than SHA-1(SPKI) $VM_AK_KEYID"; return 1; }
	# The CSR is signed by a throwaway key; -force_pubkey puts the AK in.
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/csr.key" \
		-subj "/CN=vm-tests AK $VM_AK_KEYID" -out "$d/ak.csr" 2>/dev/null &&
	openssl x509 -req -in "$d/ak.csr" -force_pubkey "$d/ak.pem" -CA "$VM_SERVER_DIR/akca/ca.crt" \
		-CAkey "$VM_SERVER_DIR/akca.key" -CAcreateserial -days 2 -out "$d/ak.crt" 2>/dev/null ||
		{ vm_log "cannot certify the AK"; return 1; }
}

vm_server_stop() {
	[ -n "${VM_SERVER_PID:-}" ] || return 0
	vm_stop_pid "$VM_SERVER_PID"
	wait "$VM_SERVER_PID" 2>/dev/null
	VM_SERVER_PID=
}

# vm_attest_payload [AK_CERT]: the payload the guest unpacks at /: /cfg
# with the client's configuration (and the AK certificate). Prints its path.
vm_attest_payload() {
	local p=$VM_WORK/payload akcert=${1:-} tar
	tar=$VM_WORK/payload${akcert:+-$(basename "$(dirname "$(dirname "$akcert")")")}.tar
	rm -rf "$p"
	mkdir -p "$p/cfg"
	cp "$VM_SERVER_DIR/ca.crt" "$p/cfg/ca.crt"
	[ -n "$akcert" ] && cp "$akcert" "$p/cfg/ak.crt"
	cat > "$p/cfg/tnc_config" <<EOF
IMC "OS" /usr/local/lib/tncsuite/imc-os.so
IMC "Attestation" /usr/local/lib/tncsuite/imc-attestation.so
EOF
	cat > "$p/cfg/tncsuite.conf" <<EOF
[tnc-client]
server = $VM_GUEST_SERVER
port = $VM_GUEST_PORT
server_name = $VM_SERVER_NAME
ca = /cfg/ca.crt
tnc_config = /cfg/tnc_config
timeout = 180
debug = tnc=2,imc=2,pts=2,tpm=2

[imc-os]
ak_handle = $VM_AK_HANDLE
tcti = device:/dev/tpmrm0

[imc-attestation]
tcti = device:/dev/tpmrm0
ak_handle = $VM_AK_HANDLE
${akcert:+ak_cert = /cfg/ak.crt}
EOF
	cat > "$p/cfg/vm.env" <<EOF
MODE=attest
AK_HANDLE=$VM_AK_HANDLE
PROVISION_CMD="tnc-provision -c /cfg/tncsuite.conf -H $VM_AK_HANDLE"
CLIENT_ARGS="-c /cfg/tncsuite.conf"
EOF
	vm_payload "$tar" "$p"
	echo "$tar"
}

attest_ready= attest_policy=
# attest_setup [TPMRA_ARG]: starts the server for that policy unless it
# runs already (not in a subshell: it sets VM_SERVER_PID); returns 1 with
# the reason in $attest_ready when the scenarios cannot run.
attest_setup() {
	local miss tpmra=${1:-B}
	if [ -n "$attest_ready" ] && [ "$attest_policy" = "$tpmra" ]; then
		[ "$attest_ready" = yes ]
		return
	fi
	vm_server_stop
	attest_policy=$tpmra
	miss=$(attest_missing)
	if [ -n "$miss" ]; then
		attest_ready="not built yet: $miss"
		return 1
	fi
	if ! vm_server_start "$VM_WORK/server-$tpmra" "" "" "$tpmra"; then
		vm_server_stop
		attest_ready="tnc-server setup failed (see $VM_WORK/server-$tpmra)"
		return 1
	fi
	attest_ready=yes
}

# attest_boot SCENARIO MACHINE BOOT [KERNEL_ARGS]: boots, sets $verdict
# (rc=N access=... reason=...), $vrc and $vreason; returns 1 with a
# result line when the boot itself failed.
attest_boot() {
	local sc=$1 m=$2 bn=$3 extra=${4:-}
	verdict= vrc= vreason=
	if ! vm_boot "$m" "$bn" "$extra" >/dev/null; then
		result FAIL "$sc" "$(secs "$start")" "boot failed: $m/boots/$bn/console.log"
		return 1
	fi
	verdict=$(vm_verdict "$m/boots/$bn")
	vrc=$(echo "$verdict" | sed -n 's/^rc=\([0-9]*\).*/\1/p')
	vreason=$(echo "$verdict" | sed -n 's/.* reason=//p')
	if [ -z "$verdict" ]; then
		result FAIL "$sc" "$(secs "$start")" "no verdict on the console: $m/boots/$bn/console.log"
		return 1
	fi
}

# expect_rc SCENARIO WANT_RC BOOTDIR TEXT: result line from $vrc
expect_rc() {
	local sc=$1 want=$2 b=$3 text=$4
	if [ "$vrc" = "$want" ]; then
		result PASS "$sc" "$(secs "$start")" "$text; boot $(boot_secs "$b") s; $verdict"
		return 0
	fi
	result FAIL "$sc" "$(secs "$start")" "expected rc=$want, got: $verdict (see $b/console.log, $VM_SERVER_DIR/server.log)"
	return 1
}

# transport: the guest's tnc-client with both IMCs reaches, through the
# guestfwd rule, a tnc-server that loads only imv-test.so (which allows
# after one batch). This covers PT-TLS, the server name check, AK
# provisioning and module loading inside the VM, without the real IMVs.
scenario_transport() {
	local start miss m=$VM_WORK/transport rc
	start=$(date +%s%N)
	miss=$(attest_missing test)
	[ -z "$miss" ] || { result SKIP transport 0 "not built yet: $miss"; return; }
	if ! vm_server_start "$VM_WORK/server-transport" "IMV \"Test\" $(tnc_path imv-test.so)" \
		"$(printf '[imv-test]\nwildcard = yes\nrounds = 1\nrecommendation = allow\nreason = vm-tests transport')"; then
		result FAIL transport "$(secs "$start")" "tnc-server setup failed (see $VM_WORK/server-transport)"
		vm_server_stop
		return
	fi
	vm_machine_new "$m"
	VM_PAYLOAD=$(vm_attest_payload) attest_boot transport "$m" first
	rc=$?
	vm_server_stop
	[ $rc = 0 ] || return
	grep -q 'VMTEST: ak provision rc=0' "$m/boots/first/console.log" ||
		{ result FAIL transport "$(secs "$start")" "AK provisioning failed: $m/boots/first/out/provision.log"; return; }
	case $vreason in
	*"vm-tests transport"*) expect_rc transport 0 "$m/boots/first" "PT-TLS through guestfwd to imv-test, allowed" ;;
	*) result FAIL transport "$(secs "$start")" "unexpected verdict: $verdict" ;;
	esac
}

dev_state=   # "registered" after first-boot passed
scenario_first_boot() {
	local start m=$VM_WORK/dev
	start=$(date +%s%N)
	attest_setup B || { result SKIP first-boot 0 "$attest_ready"; return; }
	vm_machine_new "$m" && vm_enroll "$m" ||
		{ result FAIL first-boot "$(secs "$start")" "machine setup or AK enrollment failed"; return; }
	VM_PAYLOAD=$(vm_attest_payload "$m/enroll/ak.crt")
	attest_boot first-boot "$m" first || return
	grep -q 'VMTEST: ak present' "$m/boots/first/console.log" ||
		{ result FAIL first-boot "$(secs "$start")" "the enrolled AK is not in the guest's TPM"; return; }
	expect_rc first-boot 0 "$m/boots/first" "AK $VM_AK_KEYID enrolled, measurements registered, allowed" &&
		dev_state=registered
}

need_dev() {   # need_dev SCENARIO
	[ "$dev_state" = registered ] && return 0
	if ! attest_setup B; then result SKIP "$1" 0 "$attest_ready"; return 1; fi
	result SKIP "$1" 0 "first-boot did not pass"
	return 1
}

scenario_second_boot() {
	local start m=$VM_WORK/dev
	start=$(date +%s%N)
	need_dev second-boot || return
	attest_boot second-boot "$m" second || return
	grep -q 'VMTEST: ak present' "$m/boots/second/console.log" ||
		{ result FAIL second-boot "$(secs "$start")" "the AK did not survive the reboot"; return; }
	expect_rc second-boot 0 "$m/boots/second" "same boot verified, allowed"
}

# check_reason SCENARIO BOOTDIR PCR TYPE DATA WHAT: not allowed, and the
# reason names PCR and an event the guest's own log (read with
# tpm2_eventlog) has in that PCR with that type (and, when DATA is set,
# event data holding DATA, in hex). The event is accepted by type name or
# by its number in the log ("event N", N = tpm2_eventlog's EventNum).
check_reason() {
	local sc=$1 b=$2 pcr=$3 type=$4 data=$5 what=$6 n ev
	if [ "$vrc" = 0 ] || [ -z "$vrc" ]; then
		result FAIL "$sc" "$(secs "$start")" "$what was allowed: $verdict"
		return
	fi
	if ! echo "$vreason" | grep -Eqi "pcr[ =:]*$pcr([^0-9]|$)"; then
		result FAIL "$sc" "$(secs "$start")" "reason does not name PCR $pcr: $verdict"
		return
	fi
	n=$(echo "$vreason" | sed -n "s/.*PCR $pcr[,:]* event \([0-9]*\).*/\1/p")
	if [ -n "$n" ]; then
		ev=$(tpm2_eventlog "$b/out/eventlog.bin" 2>/dev/null | awk -v n="$n" '
			/^pcrs:/ { exit }
			/^- EventNum: / { if (hit) exit; hit = ($3 == n); next }
			hit && /^  PCRIndex: / { p = $2 }
			hit && /^  EventType: / { t = $2 }
			hit && /^  Event: "/ { d = $2 }
			END { print p, t, d }')
		set -- $ev
		if [ "${1:-}" != "$pcr" ] || [ "${2:-}" != "$type" ]; then
			result FAIL "$sc" "$(secs "$start")" "reason names event $n, which is PCR ${1:-?} ${2:-?} in the guest's log, expected PCR $pcr $type: $verdict"
			return
		fi
		if [ -n "$data" ] && ! echo "${3:-}" | grep -qi "$data"; then
			result FAIL "$sc" "$(secs "$start")" "event $n is not the expected $type: $verdict"
			return
		fi
	elif ! echo "$vreason" | grep -qi "$type"; then
		result FAIL "$sc" "$(secs "$start")" "reason names neither the event type $type nor an event number: $verdict"
		return
	fi
	result PASS "$sc" "$(secs "$start")" "$what detected, reason names PCR $pcr ${n:+event $n = }$type; boot $(boot_secs "$b") s; $verdict"
}

scenario_cmdline() {
	local start m=$VM_WORK/dev
	start=$(date +%s%N)
	need_dev cmdline || return
	attest_boot cmdline "$m" cmdline "vmtest.changed=1" || return
	check_reason cmdline "$m/boots/cmdline" 9 EV_EVENT_TAG \
		"$(printf 'LOADED_IMAGE::LoadOptions' | od -An -tx1 | tr -d ' \n')" "changed command line"
}

scenario_kernel() {
	local start m=$VM_WORK/dev
	start=$(date +%s%N)
	need_dev kernel || return
	VM_KERNEL=$VM_BUILD/vmlinuz-changed attest_boot kernel "$m" kernel || return
	check_reason kernel "$m/boots/kernel" 4 EV_EFI_BOOT_SERVICES_APPLICATION "" "changed kernel image"
}

# vm_ima_refs ROOT...: reference digests for every regular file under each
# ROOT (the initramfs tree, the payload tree), computed on the host with
# sha256sum, stored for $VM_PRODUCT under the generic package '' the way
# strongTNC keeps reference measurements. Prints how many rows exist.
vm_ima_refs() {
	local r
	local db=$VM_SERVER_DIR/config.db sql=$VM_SERVER_DIR/ima-refs.sql n
	{
		echo "BEGIN;"
		echo "INSERT INTO packages (name) SELECT '' WHERE NOT EXISTS (SELECT 1 FROM packages WHERE name = '');"
		echo "INSERT INTO versions (product, package, time) SELECT p.id, k.id, strftime('%s','now')"
		echo "  FROM products AS p, packages AS k WHERE p.name = '$VM_PRODUCT' AND k.name = '';"
		for r in "$@"; do
			(cd "$r" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
		done |
		while read -r hash path; do
			path=${path#.}
			dir=$(dirname "$path") name=$(basename "$path")
			echo "INSERT INTO directories (path) SELECT '$dir' WHERE NOT EXISTS (SELECT 1 FROM directories WHERE path = '$dir');"
			echo "INSERT INTO files (dir, name) SELECT id, '$name' FROM directories WHERE path = '$dir';"
			echo "INSERT INTO file_hashes (file, version, algo, hash) SELECT max(f.id), (SELECT max(id) FROM versions), 16384, '$hash' FROM files AS f WHERE f.name = '$name';"
		done
		echo "COMMIT;"
	} > "$sql"
	sqlite3 "$db" < "$sql" || return 1
	n=$(sqlite3 "$db" "SELECT count(*) FROM file_hashes")
	echo "$n"
}

# ima: a second machine whose kernel runs IMA with the tcb policy; the
# server's policy is TPMRA BI (firmware log and IMA list) with reference
# digests for the initramfs and payload files. Boot 1 registers, boot 2 is
# checked. SCENARIO ima uses ima_template=ima-ng (the template strongSwan's
# evidence format describes); ima-sig keeps the Debian kernel's default
# template, ima-sig, whose template hash covers an extra (empty) signature
# field.
scenario_ima() {
	local sc=${1:-ima} start m n refs args="ima_policy=tcb"
	m=$VM_WORK/$sc
	start=$(date +%s%N)
	[ "$sc" = ima ] && args="$args ima_template=ima-ng"
	attest_setup BI || { result SKIP "$sc" 0 "$attest_ready"; return; }
	vm_machine_new "$m" && vm_enroll "$m" ||
		{ result FAIL "$sc" "$(secs "$start")" "machine setup or AK enrollment failed"; return; }
	local VM_PAYLOAD
	VM_PAYLOAD=$(vm_attest_payload "$m/enroll/ak.crt")
	refs=$(vm_ima_refs "$VM_BUILD/root" "$VM_WORK/payload") ||
		{ result FAIL "$sc" "$(secs "$start")" "cannot store the IMA reference digests"; return; }
	attest_boot "$sc" "$m" first "$args" || return
	if [ "$vrc" != 0 ]; then
		case $vreason in
		*"boot_aggregate differs"*)
			vreason="$vreason [imv-attestation recomputes ima-ng template hashes; this kernel logs $(awk 'NR == 1 { print $3 }' "$m/boots/first/out/ima.txt")]" ;;
		esac
		result FAIL "$sc" "$(secs "$start")" "first IMA boot not allowed: rc=$vrc reason=$vreason"
		return
	fi
	attest_boot "$sc" "$m" second "$args" || return
	n=$(sed -n 's/^VMTEST: ima entries=//p' "$m/boots/second/console.log" | tr -d '\r')
	if [ "${n:-0}" -le 1 ]; then
		result FAIL "$sc" "$(secs "$start")" "the guest measured ${n:-no} IMA entries"
		return
	fi
	case $vreason in
	*"IMA file measurements"*) ;;
	*) result FAIL "$sc" "$(secs "$start")" "the reason does not report the IMA check: $verdict"; return ;;
	esac
	[ "$vrc" = 0 ] || { expect_rc "$sc" 0 "$m/boots/second" ""; return; }
	local ok2=$verdict b2=$m/boots/second
	# Boot 3: the same boot, but a file the guest reads (/cfg/vm.env, on the
	# payload disk the firmware does not measure) differs from its
	# reference. Only IMA measures it, and access must be rejected with a
	# reason that names the file.
	local p=$VM_WORK/payload-tampered
	rm -rf "$p" && mkdir -p "$p" && tar xf "$VM_PAYLOAD" -C "$p" && echo "# changed" >> "$p/cfg/vm.env" &&
		vm_payload "$p.tar" "$p"
	VM_PAYLOAD=$p.tar attest_boot "$sc" "$m" tampered "$args" || return
	if [ "$vrc" = 0 ] || ! echo "$vreason" | grep -q '1 differ' || ! echo "$vreason" | grep -q '/cfg/vm.env'; then
		result FAIL "$sc" "$(secs "$start")" "a changed /cfg/vm.env was not reported: $verdict"
		return
	fi
	result PASS "$sc" "$(secs "$start")" "$args: $n IMA entries, $refs reference digests; boot 1 registered, boot 2 allowed ($(boot_secs "$b2") s: $ok2); boot 3 with a changed /cfg/vm.env refused: $verdict"
}
