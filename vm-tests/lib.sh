# Shared functions of the VM scenarios: source it from bash.
#
# A "machine" is a directory with a swtpm state and its own copy of the OVMF
# variable store, so reboots of one machine keep its TPM keys (the AK) and
# its boot variables, while two machines share nothing. A "boot" starts
# swtpm on that state, runs QEMU (OVMF, -kernel/-initrd/-append, so the
# firmware measures the kernel and the EFI stub measures the command line
# and the initrd) under timeout, and collects the console log and the
# guest's /out directory.
#
# Networking: QEMU user mode with restrict=on, so the guest reaches nothing
# but one guestfwd rule: 10.0.2.100:271 inside the guest is connected, for
# each connection, to 127.0.0.1:PORT on the host. No bridge, no tap device.
#
# Variables (set before calling vm_boot):
#   VM_BUILD    kernel and initramfs directory (default vm-tests/build)
#   VM_ACCEL    kvm or tcg (default: vm_probe_accel)
#   VM_TIMEOUT  seconds one boot may take (default 240, sized for TCG)

VM_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_BUILD=${VM_BUILD:-$VM_TESTS_DIR/build}
VM_TIMEOUT=${VM_TIMEOUT:-240}
VM_OVMF_CODE=${VM_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
VM_OVMF_VARS=${VM_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
VM_GUEST_SERVER=10.0.2.100
VM_GUEST_PORT=271
# the fixed part of the kernel command line of every boot
VM_APPEND_BASE="console=ttyS0 root=/dev/ram0 panic=-1 quiet"

vm_log() { echo "[vm] $*" >&2; }

# Prints the Debian packages whose programs or files are missing; returns 1
# when there is any.
vm_missing_packages() {
	local miss=""
	command -v qemu-system-x86_64 >/dev/null || miss="$miss qemu-system-x86"
	[ -f "$VM_OVMF_CODE" ] && [ -f "$VM_OVMF_VARS" ] || miss="$miss ovmf"
	command -v swtpm >/dev/null || miss="$miss swtpm"
	command -v swtpm_ioctl >/dev/null || miss="$miss swtpm-tools"
	[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx nc || miss="$miss busybox-static"
	command -v cpio >/dev/null || miss="$miss cpio"
	command -v tpm2 >/dev/null || miss="$miss tpm2-tools"
	command -v openssl >/dev/null || miss="$miss openssl"
	command -v sqlite3 >/dev/null || miss="$miss sqlite3"
	command -v ss >/dev/null || miss="$miss iproute2"
	command -v timeout >/dev/null || miss="$miss coreutils"
	[ -e /usr/lib/x86_64-linux-gnu/libtss2-tcti-device.so.0 ] || miss="$miss libtss2-tcti-device0"
	[ -z "$miss" ] && return 0
	echo "$miss"
	return 1
}

# Prints "kvm" when a KVM guest really runs OVMF to its boot manager here,
# else "tcg". /dev/kvm existing is not enough: on a nested paravirtual host
# it opens, but the guest dies with "KVM internal error" and QEMU hangs.
vm_probe_accel() {
	if [ -n "${VM_ACCEL:-}" ]; then echo "$VM_ACCEL"; return; fi
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then echo tcg; return; fi
	local d pid ok=1 i
	d=$(mktemp -d)
	cp "$VM_OVMF_VARS" "$d/vars.fd"
	timeout 15 qemu-system-x86_64 -machine q35 -accel kvm -m 256 -nodefaults -display none \
		-no-reboot \
		-drive if=pflash,format=raw,unit=0,readonly=on,file="$VM_OVMF_CODE" \
		-drive if=pflash,format=raw,unit=1,file="$d/vars.fd" \
		-serial file:"$d/con.log" >"$d/err.log" 2>&1 &
	pid=$!
	for i in $(seq 150); do
		if grep -q BdsDxe "$d/con.log" 2>/dev/null; then ok=0; break; fi
		if grep -qE 'KVM internal error|failed to initialize kvm|Could not access KVM' \
			"$d/err.log" 2>/dev/null; then break; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "$d"
	if [ $ok = 0 ]; then echo kvm; else echo tcg; fi
}

# vm_machine_new DIR: a fresh machine (empty TPM, fresh OVMF variables).
# VM_TPM_BANKS (e.g. "sha256" or "sha1,sha256") makes the TPM with
# swtpm_setup and only those banks; empty keeps swtpm's four banks.
vm_machine_new() {
	local m=$1
	rm -rf "$m"
	mkdir -p "$m/tpmstate" "$m/boots"
	cp "$VM_OVMF_VARS" "$m/vars.fd"
	if [ -n "${VM_TPM_BANKS:-}" ]; then
		swtpm_setup --tpm2 --tpmstate "$m/tpmstate" --pcr-banks "$VM_TPM_BANKS" \
			--config /dev/null --overwrite >"$m/swtpm_setup.log" 2>&1 || {
			vm_log "swtpm_setup failed: $(tail -n 3 "$m/swtpm_setup.log")"
			return 1
		}
	fi
}

# Stops the QEMU and swtpm of a boot still running (from a signal trap).
VM_CURRENT_PIDS=
vm_stop_current() {
	local pid
	for pid in $VM_CURRENT_PIDS; do vm_stop_pid "$pid"; done
	VM_CURRENT_PIDS=
}

# Kills a process by PID and waits for it up to 5 s, then SIGKILL.
vm_stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
}

# vm_boot MACHINE NAME [KERNEL_ARGS]
#   env: VM_KERNEL (default $VM_BUILD/vmlinuz), VM_INITRD, VM_PAYLOAD (tar
#   unpacked at / in the guest), VM_SERVER_PORT (host port that
#   10.0.2.100:271 forwards to; no network device without it)
# Writes MACHINE/boots/NAME/{console.log,qemu.log,swtpm.log,out/,boot.time}
# and prints "NAME accel=... rc=... wall_ms=...". Returns 0 when the guest
# reached the end of /init.
vm_boot() {
	local m=$1 name=$2 extra=${3:-}
	local b=$m/boots/$name accel start rc qpid spid
	local kernel=${VM_KERNEL:-$VM_BUILD/vmlinuz} initrd=${VM_INITRD:-$VM_BUILD/initramfs.cpio.gz}
	accel=$(vm_probe_accel)
	rm -rf "$b"
	mkdir -p "$b/out"
	truncate -s 64M "$b/out.img"
	# swtpm: one per boot, on the machine's state; -t ends it when QEMU
	# closes the socket. The kernel sends TPM2_Shutdown at power-off, so
	# the state is saved cleanly and the AK keeps its dictionary-attack
	# counter at zero.
	swtpm socket --tpm2 --tpmstate dir="$m/tpmstate" \
		--ctrl type=unixio,path="$b/swtpm.sock" \
		--pid file="$b/swtpm.pid" --log file="$b/swtpm.log",level=1 -t -d || {
		vm_log "$name: swtpm did not start"
		return 2
	}
	spid=$(cat "$b/swtpm.pid" 2>/dev/null)
	local net=() in=()
	if [ -n "${VM_SERVER_PORT:-}" ]; then
		net=(-netdev "user,id=n0,restrict=on,guestfwd=tcp:$VM_GUEST_SERVER:$VM_GUEST_PORT-cmd:/bin/busybox nc 127.0.0.1 $VM_SERVER_PORT"
			-device virtio-net-pci,netdev=n0)
	fi
	if [ -n "${VM_PAYLOAD:-}" ]; then
		in=(-drive if=none,id=in,format=raw,readonly=on,file="$VM_PAYLOAD"
			-device virtio-blk-pci,drive=in,serial=testin)
	fi
	start=$(date +%s%N)
	timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 -machine q35 -accel "$accel" -m 1024 -smp 1 \
		-nodefaults -display none -no-reboot \
		-drive if=pflash,format=raw,unit=0,readonly=on,file="$VM_OVMF_CODE" \
		-drive if=pflash,format=raw,unit=1,file="$m/vars.fd" \
		-chardev socket,id=chrtpm,path="$b/swtpm.sock" \
		-tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-crb,tpmdev=tpm0 \
		-serial file:"$b/console.log" \
		-drive if=none,id=out,format=raw,file="$b/out.img" \
		-device virtio-blk-pci,drive=out,serial=testout \
		"${in[@]}" "${net[@]}" \
		-kernel "$kernel" -initrd "$initrd" \
		-append "$VM_APPEND_BASE${extra:+ $extra}" >"$b/qemu.log" 2>&1 &
	qpid=$!
	echo "$qpid" > "$b/qemu.pid"
	VM_CURRENT_PIDS="$qpid $spid"
	wait "$qpid"
	rc=$?
	VM_CURRENT_PIDS=
	local ms=$((($(date +%s%N) - start) / 1000000))
	echo "$ms" > "$b/boot.ms"
	# swtpm exits by itself after QEMU; make sure it did.
	vm_stop_pid "$spid"
	tar xf "$b/out.img" -C "$b/out" 2>/dev/null
	rm -f "$b/out.img"
	echo "$name accel=$accel rc=$rc wall_ms=$ms"
	[ $rc = 124 ] && vm_log "$name: QEMU timed out after ${VM_TIMEOUT}s"
	grep -q 'VMTEST: done' "$b/console.log" 2>/dev/null || {
		vm_log "$name: the guest did not finish; see $b/console.log and $b/qemu.log"
		return 3
	}
	return 0
}

# vm_payload OUT.tar DIR: a tar of DIR's contents (unpacked at / in the guest)
vm_payload() {
	(cd "$2" && tar cf "$1" --owner=0 --group=0 .)
}

# vm_verdict BOOTDIR: prints the verdict line the guest wrote, without the
# "VMTEST: verdict " prefix
vm_verdict() {
	sed -n 's/^VMTEST: verdict //p' "$1/console.log" | tr -d '\r' | tail -n 1
}

# vm_replay_check BOOTDIR: replays the guest's event log into a fresh host
# swtpm and compares PCR 0-9 of every bank the guest read with the
# replayed ones. Prints one line per bank, returns 1 on any difference.
vm_replay_check() {
	local b=$1 d spid port ok=0 alg yaml
	[ -s "$b/out/eventlog.bin" ] || { vm_log "no event log in $b/out"; return 1; }
	d=$(mktemp -d)
	mkdir "$d/state"
	# tpm2_eventlog computes the replay as well; the swtpm replay below
	# checks it against a real TPM's extend.
	tpm2_eventlog "$b/out/eventlog.bin" > "$d/eventlog.yaml" 2>"$d/eventlog.err" || {
		vm_log "tpm2_eventlog failed: $(head -n 3 "$d/eventlog.err")"
		rm -rf "$d"; return 1
	}
	swtpm socket --tpm2 --tpmstate dir="$d/state" \
		--server type=unixio,path="$d/tpm.sock" --ctrl type=unixio,path="$d/tpm.sock.ctrl" \
		--flags not-need-init,startup-clear --pid file="$d/swtpm.pid" -d || {
		rm -rf "$d"; return 1
	}
	spid=$(cat "$d/swtpm.pid")
	export TPM2TOOLS_TCTI="swtpm:path=$d/tpm.sock"
	# one tpm2_pcrextend per event, every bank of the event at once
	awk '
		function flush() {
			if (pcr != "" && type != "EV_NO_ACTION" && digs != "") print pcr ":" digs
			pcr = ""; digs = ""; type = ""
		}
		/^pcrs:/ { exit }
		/^- EventNum: / { flush(); next }
		/^  PCRIndex: / { pcr = $2; next }
		/^  EventType: / { type = $2; next }
		/^  - AlgorithmId: / { alg = $3; next }
		/^    Digest: "/ { gsub(/"/, "", $2); digs = digs (digs == "" ? "" : ",") alg "=" $2 }
		END { flush() }' "$d/eventlog.yaml" > "$d/extends.txt"
	local n=0 ev
	while read -r ev; do
		[ -n "$ev" ] || continue
		tpm2_pcrextend "$ev" 2>>"$d/extend.err" || { ok=1; break; }
		n=$((n + 1))
	done < "$d/extends.txt"
	for f in "$b"/out/pcrs-sha*.txt; do
		case $f in *-final.txt) continue ;; esac
		alg=$(basename "$f" .txt); alg=${alg#pcrs-}
		tpm2_pcrread "$alg:0,1,2,3,4,5,6,7,8,9" 2>/dev/null |
			awk '/^ *[0-9]+ *: 0x/ { gsub(/ /, ""); split($0, a, ":0x"); print a[1], toupper(a[2]) }' > "$d/host-$alg.txt"
		awk '$1 <= 9 { print $1, toupper($2) }' "$f" > "$d/guest-$alg.txt"
		if [ -s "$d/host-$alg.txt" ] && cmp -s "$d/host-$alg.txt" "$d/guest-$alg.txt"; then
			echo "replay $alg PCR 0-9: equal ($n events)"
		else
			echo "replay $alg PCR 0-9: DIFFERENT"
			diff "$d/guest-$alg.txt" "$d/host-$alg.txt" | sed 's/^/  /' | head -n 12
			ok=1
		fi
	done
	unset TPM2TOOLS_TCTI
	vm_stop_pid "$spid"
	rm -rf "$d"
	return $ok
}

# vm_event_digest EVENTLOG.bin PCR ALG HEX: prints the ALG digest of the
# first event of PCR whose event data (as hex) contains HEX.
vm_event_digest() {
	tpm2_eventlog "$1" 2>/dev/null | awk -v pcr="$2" -v want="$3" -v pat="$4" '
		/^pcrs:/ { exit }
		/^- EventNum: / { p = ""; d = ""; next }
		/^  PCRIndex: / { p = $2; next }
		/^  - AlgorithmId: / { alg = $3; next }
		/^    Digest: "/ { if (alg == want) { d = $2; gsub(/"/, "", d) } next }
		/^  Event: "/ { if (p == pcr && index(tolower($2), tolower(pat))) { print d; exit } }'
}

# vm_changed_pcrs BOOT1 BOOT2 [ALG]: the PCRs 0-9 whose values differ
# between two boots, comma-separated
vm_changed_pcrs() {
	local alg=${3:-sha256}
	join "$1/out/pcrs-$alg.txt" "$2/out/pcrs-$alg.txt" |
		awk '$1 <= 9 && $2 != $3 { printf "%s%s", sep, $1; sep = "," }'
}
