#!/bin/sh
# Attestation of other endpoint profiles on loopback, each with its own swtpm,
# AK, config.db and tnc-server:
#
#  1. a TPM with only a SHA-1 PCR bank (swtpm_setup --pcr-banks sha1, with
#     private configuration files) and a SHA-1-only legacy event log; the
#     IMV asks for SHA-1 (hash_algorithm = sha1), the IMC offers it (sha1 = yes);
#  2. a log with SHA-1, SHA-256 and SHA-384 digests on a TPM with all banks:
#     one attestation pair (register, verify) in each bank the IMV negotiates;
#  3. a log with a StartupLocality 3 event on a swtpm started at locality 3,
#     so that PCR 0 starts at 00..03 as on the machine that wrote the log.
#
# Expected counts come from tests/data/e2e/replay.py, which shares no code
# with tncsuite; PCR 0 of profile 3 is checked against the value the log's
# source project published.
. "$(dirname "$0")/lib.sh"
. "$TOP_SRCDIR/tests/integration/attest-lib.sh"

attest_require
setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }

# trusted_db DB POLICY-ARGUMENT: a TPMRA policy for the Default group and the
# device of KEYID trusted.
trusted_db() {
	new_db "$1" &&
		"$TNC_DB" -d "$1" policy-add "TPM BIOS Measurements" TPMRA isolate no-access "$2" >/dev/null &&
		"$TNC_DB" -d "$1" enforcement-add 1 1 0 >/dev/null &&
		"$TNC_DB" -d "$1" device-add "$KEYID" "$PRODUCT" >/dev/null &&
		"$TNC_DB" -d "$1" device-trust "$KEYID" >/dev/null 2>&1
}

# attest_pair NAME DIR DB COUNT ALGO-ID: registers, then verifies, COUNT measurements in one bank.
attest_pair() {
	check "$1-register" "$2" 0 "^Reason: TPMRA 'B': registered $4 BIOS evidence measurements; TPM quote verified$"
	check "$1-verify" "$2" 0 "^Reason: TPMRA 'B': $4 BIOS measurements equal the registered ones; TPM quote verified$"
	sql_is "$1-rows" "$3" "SELECT count(*) FROM component_hashes WHERE algo = $5" "$4"
}

# --- 1. SHA-1 only -------------------------------------------------------------
LOG1=$DATA/eventlog/hirs-TpmLogSHA1.bin
EP=$WORK/sha1
mkdir -p "$EP/tpm/state" "$EP/ca"
cat > "$EP/localca.conf" <<EOF
statedir = $EP/ca
signingkey = $EP/ca/signkey.pem
issuercert = $EP/ca/issuercert.pem
certserial = $EP/ca/certserial
EOF
cat > "$EP/swtpm_setup.conf" <<EOF
create_certs_tool = /usr/bin/swtpm_localca
create_certs_tool_config = $EP/localca.conf
create_certs_tool_options = /etc/swtpm-localca.options
active_pcr_banks = sha1
EOF
if swtpm_setup --tpm2 --config "$EP/swtpm_setup.conf" --tpmstate "$EP/tpm/state" --pcr-banks sha1 \
	--overwrite >"$EP/swtpm_setup.log" 2>&1 && tpm_start "$EP/tpm" && provision "$EP" &&
	replay_bios "$LOG1" sha1; then
	banks=$(TPM2TOOLS_TCTI=$TCTI tpm2_getcap pcrs | grep -c '^  - sha[0-9]*: \[ [0-9]')
	if [ "$banks" -eq 1 ]; then pass sha1-only-tpm; else fail sha1-only-tpm "$banks banks have PCRs"; fi
	endpoint "$EP" "$LOG1" "" "sha1 = yes"
	trusted_db "$EP/config.db" B || fail sha1-db "tnc-db failed"
	if gateway "$EP/config.db" "hash_algorithm = sha1"; then
		attest_pair sha1 "$EP" "$EP/config.db" "$($REPLAY count "$LOG1" sha1)" 32768
		gateway_stop sha1
	else
		fail sha1-gateway "tnc-server did not start"
	fi
	tpm_stop "$EP/tpm"
else
	fail sha1-tpm-setup "swtpm_setup, swtpm, tnc-provision or tpm2_pcrextend failed"
	sed 's/^/    /' "$EP/swtpm_setup.log"
fi

# --- 2. several banks ------------------------------------------------------------
LOG2=$DATA/eventlog/goattest-coreos_36_shielded_vm_no_secure_boot_eventlog.bin
EP=$WORK/multi
if tpm_start "$EP/tpm" && provision "$EP" && replay_bios "$LOG2" sha1,sha256,sha384; then
	endpoint "$EP" "$LOG2" "" "sha1 = yes"
	trusted_db "$EP/config.db" B || fail multi-db "tnc-db failed"
	for bank in sha1:32768 sha256:16384 sha384:8192; do
		if gateway "$EP/config.db" "hash_algorithm = ${bank%:*}"; then
			attest_pair "multi-${bank%:*}" "$EP" "$EP/config.db" "$($REPLAY count "$LOG2" "${bank%:*}")" "${bank#*:}"
			gateway_stop "multi-${bank%:*}"
		else
			fail "multi-${bank%:*}-gateway" "tnc-server did not start"
		fi
	done
	sql_is multi-sessions "$EP/config.db" "SELECT count(*) || ' ' || max(rec) FROM sessions" "6 0"
	sql_is multi-devices "$EP/config.db" "SELECT count(*) FROM devices" 1
	tpm_stop "$EP/tpm"
else
	fail multi-tpm-setup "swtpm, tnc-provision or tpm2_pcrextend failed"
fi

# --- 3. StartupLocality 3 ----------------------------------------------------------
LOG3=$DATA/eventlog/gotpmtools-glinux-alex.bin
EP=$WORK/loc3
LOC=$($REPLAY locality "$LOG3")
if [ "$LOC" -ne 3 ]; then
	fail locality-log "the log states locality $LOC, expected 3"
fi
# TPM2_Startup(SU_CLEAR) sent as raw bytes at locality 3: tag 0x8001, size 12,
# command code 0x144, startup type 0. The swtpm TCTI would set locality 0.
startup_at_locality() {
	swtpm_ioctl --unix "$1/tpm.sock.ctrl" -l "$2" &&
		python3 - "$1/tpm.sock" <<'PY' &&
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(bytes.fromhex("80010000000c0000014400 00".replace(" ", "")))
resp = s.recv(64)
sys.exit(0 if resp == bytes.fromhex("80010000000a00000000") else 1)
PY
		swtpm_ioctl --unix "$1/tpm.sock.ctrl" -l 0
}
if tpm_start "$EP/tpm" not-need-init && startup_at_locality "$EP/tpm" 3 && provision "$EP" &&
	replay_bios "$LOG3" sha1,sha256; then
	want=$(sed -n 's/^sha256:0 \([0-9a-f]*\)$/\1/p' "$LOG3.expected-pcrs.txt")
	got=$(TPM2TOOLS_TCTI=$TCTI tpm2_pcrread sha256:0 | sed -n 's/.*0 *: 0x\([0-9A-Fa-f]*\)$/\1/p' | tr A-F a-f)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		pass locality3-pcr0-published
	else
		fail locality3-pcr0-published "PCR 0 is '$got', the source published '$want'"
	fi
	endpoint "$EP" "$LOG3"
	trusted_db "$EP/config.db" B || fail locality3-db "tnc-db failed"
	if gateway "$EP/config.db"; then
		attest_pair locality3 "$EP" "$EP/config.db" "$($REPLAY count "$LOG3" sha256)" 16384
		# The same log on a TPM started at locality 0: PCR 0 differs, the quote fails.
		EP0=$WORK/loc0
		if tpm_start "$EP0/tpm" && provision "$EP0" && replay_bios "$LOG3" sha1,sha256; then
			endpoint "$EP0" "$LOG3"
			"$TNC_DB" -d "$EP/config.db" device-add "$KEYID" "$PRODUCT" >/dev/null &&
				"$TNC_DB" -d "$EP/config.db" device-trust "$KEYID" >/dev/null 2>&1
			check locality0-quote-fails "$EP0" 2 \
				"^Reason: TPMRA 'B': [0-9]+ BIOS measurements not registered because the quote failed; TPM quote failed: the quoted PCR digest differs"
			tpm_stop "$EP0/tpm"
		else
			fail locality0-tpm-setup "swtpm, tnc-provision or tpm2_pcrextend failed"
		fi
		gateway_stop locality3
	else
		fail locality3-gateway "tnc-server did not start"
	fi
	tpm_stop "$EP/tpm"
else
	fail locality3-tpm-setup "swtpm at locality 3, tnc-provision or tpm2_pcrextend failed"
fi

attest_finish
