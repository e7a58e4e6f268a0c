# The attestation scenarios of vm-tests/run (sourced by it; uses lib.sh).
#
# One tnc-server runs on 127.0.0.1 at a free port for the whole run, with
# imv-os.so and imv-attestation.so and a fresh config.db. Machine "dev" (its
# own swtpm state and OVMF variables) boots four times:
#   first-boot   no AK yet: the guest provisions one, attests, the server
#                registers the boot measurements; access must be allowed
#   second-boot  same firmware, kernel, initrd, command line: allowed
#   cmdline      one more kernel argument: not allowed, and the reason names
#                PCR 9 and the event (the EFI stub's LoadOptions tag)
#   kernel       the kernel image with 4 KiB appended: not allowed, and the
#                reason names PCR 4 and the EV_EFI_BOOT_SERVICES_APPLICATION
#                event
# Machine "ima" boots twice with ima_policy=tcb: the first boot registers,
# the second is allowed, and the server checked the IMA measurements.

VM_AK_HANDLE=0x81010002
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

# What the attestation scenarios lack, or nothing.
attest_missing() {
	local miss="" f
	for f in tnc-server imv-os.so imv-attestation.so tnc-db; do
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

# vm_server_start DIR: CA, server certificate for $VM_SERVER_NAME, config,
# config.db, then tnc-server on 127.0.0.1:$VM_SERVER_PORT.
vm_server_start() {
	local d=$1 i db
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
	cat > "$d/tnc_config" <<EOF
IMV "OS" $(tnc_path imv-os.so)
IMV "Attestation" $(tnc_path imv-attestation.so)
EOF
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

[tnc-db]
database = $db

[imv-os]
database = $db

[imv-attestation]
database = $db
EOF
	"$(tnc_path tnc-db)" -c "$d/tncsuite.conf" -d "$db" init >"$d/tnc-db-init.log" 2>&1 ||
		{ vm_log "tnc-db init failed: $(tail -n 2 "$d/tnc-db-init.log")"; return 1; }
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

vm_server_stop() {
	[ -n "${VM_SERVER_PID:-}" ] || return 0
	vm_stop_pid "$VM_SERVER_PID"
	wait "$VM_SERVER_PID" 2>/dev/null
	VM_SERVER_PID=
}

# The payload the guest unpacks at /: /cfg with the client's configuration.
vm_attest_payload() {
	local p=$VM_WORK/payload
	rm -rf "$p"
	mkdir -p "$p/cfg"
	cp "$VM_SERVER_DIR/ca.crt" "$p/cfg/ca.crt"
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
EOF
	cat > "$p/cfg/vm.env" <<EOF
MODE=attest
AK_HANDLE=$VM_AK_HANDLE
PROVISION_CMD="tnc-provision -c /cfg/tncsuite.conf -H $VM_AK_HANDLE"
CLIENT_ARGS="-c /cfg/tncsuite.conf"
EOF
	vm_payload "$VM_WORK/payload.tar" "$p"
	echo "$VM_WORK/payload.tar"
}

attest_ready=
# Starts the server once; prints why the scenarios cannot run, if so.
attest_setup() {
	if [ -n "$attest_ready" ]; then
		[ "$attest_ready" = yes ] && return 0
		echo "$attest_ready"; return 1
	fi
	local miss
	miss=$(attest_missing)
	if [ -n "$miss" ]; then
		attest_ready="not built yet: $miss"
		echo "$attest_ready"; return 1
	fi
	if ! vm_server_start "$VM_WORK/server"; then
		attest_ready="tnc-server setup failed (see $VM_WORK/server)"
		echo "$attest_ready"; return 1
	fi
	VM_PAYLOAD=$(vm_attest_payload)
	export VM_PAYLOAD
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

# scenario_expect SCENARIO WANT_RC BOOTDIR TEXT: result line from $vrc
expect_rc() {
	local sc=$1 want=$2 b=$3 text=$4
	if [ "$vrc" = "$want" ]; then
		result PASS "$sc" "$(secs "$start")" "$text; boot $(boot_secs "$b") s; $verdict"
		return 0
	fi
	result FAIL "$sc" "$(secs "$start")" "expected rc=$want, got: $verdict (see $b/console.log, $VM_SERVER_DIR/server.log)"
	return 1
}

dev_state=   # "registered" after first-boot passed
scenario_first_boot() {
	local start why m=$VM_WORK/dev
	start=$(date +%s%N)
	why=$(attest_setup) || { result SKIP first-boot 0 "$why"; return; }
	vm_machine_new "$m" || { result FAIL first-boot "$(secs "$start")" "machine setup"; return; }
	attest_boot first-boot "$m" first || return
	grep -q 'VMTEST: ak provision rc=0' "$m/boots/first/console.log" ||
		{ result FAIL first-boot "$(secs "$start")" "AK provisioning failed: $m/boots/first/out/provision.log"; return; }
	expect_rc first-boot 0 "$m/boots/first" "AK provisioned, measurements registered, allowed" &&
		dev_state=registered
}

need_dev() {   # need_dev SCENARIO
	[ "$dev_state" = registered ] && return 0
	local why
	if ! why=$(attest_setup); then result SKIP "$1" 0 "$why"; return 1; fi
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

# check_reason SCENARIO BOOTDIR PCR EVENT_REGEX: not allowed, and the reason
# names the PCR and the event
check_reason() {
	local sc=$1 b=$2 pcr=$3 ev=$4 what=$5
	if [ "$vrc" = 0 ] || [ -z "$vrc" ]; then
		result FAIL "$sc" "$(secs "$start")" "$what was allowed: $verdict"
		return
	fi
	if ! echo "$vreason" | grep -Eqi "pcr[ =:]*$pcr([^0-9]|$)"; then
		result FAIL "$sc" "$(secs "$start")" "reason does not name PCR $pcr: $verdict"
		return
	fi
	if ! echo "$vreason" | grep -Eqi "$ev"; then
		result FAIL "$sc" "$(secs "$start")" "reason does not name the event ($ev): $verdict"
		return
	fi
	result PASS "$sc" "$(secs "$start")" "$what detected; boot $(boot_secs "$b") s; $verdict"
}

scenario_cmdline() {
	local start m=$VM_WORK/dev
	start=$(date +%s%N)
	need_dev cmdline || return
	attest_boot cmdline "$m" cmdline "vmtest.changed=1" || return
	check_reason cmdline "$m/boots/cmdline" 9 'EV_EVENT_TAG|LoadOptions' "changed command line"
}

scenario_kernel() {
	local start m=$VM_WORK/dev
	start=$(date +%s%N)
	need_dev kernel || return
	VM_KERNEL=$VM_BUILD/vmlinuz-changed attest_boot kernel "$m" kernel || return
	check_reason kernel "$m/boots/kernel" 4 'EV_EFI_BOOT_SERVICES_APPLICATION' "changed kernel image"
}

scenario_ima() {
	local start why m=$VM_WORK/ima n
	start=$(date +%s%N)
	why=$(attest_setup) || { result SKIP ima 0 "$why"; return; }
	vm_machine_new "$m" || { result FAIL ima "$(secs "$start")" "machine setup"; return; }
	attest_boot ima "$m" first "ima_policy=tcb" || return
	[ "$vrc" = 0 ] || { result FAIL ima "$(secs "$start")" "first IMA boot not allowed: $verdict"; return; }
	attest_boot ima "$m" second "ima_policy=tcb" || return
	n=$(sed -n 's/^VMTEST: ima entries=//p' "$m/boots/second/console.log" | tr -d '\r')
	if [ "${n:-0}" -le 1 ]; then
		result FAIL ima "$(secs "$start")" "the guest measured ${n:-no} IMA entries"
		return
	fi
	expect_rc ima 0 "$m/boots/second" "IMA on ($n entries at the end), registered then verified, allowed"
}
