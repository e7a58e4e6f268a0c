#!/bin/sh
# Attestation under load on loopback, against one tnc-server and one config.db:
#
#  1. LOAD_SEQ (default 200) sequential attestations of one endpoint (the
#     first registers, the others verify; all allowed). 200 took 7 s on the
#     2-core test machine (about 35 ms each), so the full count is the
#     default; LOAD_FULL=1 is accepted and also means 200.
#  2. LOAD_ENDPOINTS (default 20) endpoints at once, each with its own swtpm,
#     AK and device: a round in which all register, then a round in which the
#     endpoints with an even number present a changed boot measurement and
#     must be isolated while the others are allowed.
#
# Then config.db must hold exactly the expected rows: one session and one
# result per attestation, one device per AK, one component_hashes row per
# extend and device.
. "$(dirname "$0")/lib.sh"
. "$TOP_SRCDIR/tests/integration/attest-lib.sh"

LOAD_SEQ=${LOAD_SEQ:-200}
LOAD_ENDPOINTS=${LOAD_ENDPOINTS:-20}

attest_require
setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }

LOG=$DATA/eventlog/ovmf/ovmf-grub-linuxefi-1.bin
BANKS=sha1,sha256,sha384,sha512
N=$($REPLAY count "$LOG" sha256)
DB=$WORK/config.db
new_db "$DB" &&
	"$TNC_DB" -d "$DB" policy-add "TPM BIOS Measurements" TPMRA isolate no-access B >/dev/null &&
	"$TNC_DB" -d "$DB" enforcement-add 1 1 0 >/dev/null || fail db-setup "tnc-db failed"

# add_endpoint DIR: swtpm, AK, replayed log, trusted device; sets KEYID.
add_endpoint() {
	tpm_start "$1/tpm" && provision "$1" && replay_bios "$LOG" "$BANKS" || return 1
	endpoint "$1" "$LOG"
	"$TNC_DB" -d "$DB" device-add "$KEYID" "$PRODUCT" >/dev/null &&
		"$TNC_DB" -d "$DB" device-trust "$KEYID" >/dev/null 2>&1
}

gateway "$DB" || { fail gateway "tnc-server did not start"; tnc_finish; }

# --- 1. sequential ---------------------------------------------------------------
EP=$WORK/seq
add_endpoint "$EP" || { fail seq-setup "swtpm, tnc-provision, tpm2_pcrextend or tnc-db failed"; tnc_finish; }
bad=0
start=$(date +%s)
for i in $(seq 1 "$LOAD_SEQ"); do
	attest "$EP"
	if [ "$i" -eq 1 ]; then
		want="registered $N BIOS evidence measurements; TPM quote verified"
	else
		want="$N BIOS measurements equal the registered ones; TPM quote verified"
	fi
	if [ "$STATUS" -ne 0 ] || ! grep -q "^Reason: TPMRA 'B': $want\$" "$OUT"; then
		bad=$((bad + 1))
		[ "$bad" -le 3 ] && { echo "attestation $i: exit status $STATUS"; sed 's/^/    /' "$OUT"; }
	else
		rm -f "$OUT"
	fi
done
secs=$(($(date +%s) - start))
echo "$LOAD_SEQ sequential attestations in $secs s"
if [ "$bad" -eq 0 ]; then
	pass "seq-$LOAD_SEQ-allowed"
else
	fail "seq-$LOAD_SEQ-allowed" "$bad of $LOAD_SEQ attestations had another verdict"
fi

# --- 2. concurrent endpoints ---------------------------------------------------------
ok=1
for i in $(seq 1 "$LOAD_ENDPOINTS"); do
	add_endpoint "$WORK/ep$i" || { ok=0; break; }
done
[ "$ok" -eq 1 ] || { fail par-setup "endpoint $i: swtpm, tnc-provision, tpm2_pcrextend or tnc-db failed"; tnc_finish; }

# round NAME: all endpoints at once; each writes its exit status to DIR/status.
round() {
	pids=""
	for i in $(seq 1 "$LOAD_ENDPOINTS"); do
		(attest "$WORK/ep$i"; echo "$STATUS" > "$WORK/ep$i/status"; cp "$OUT" "$WORK/ep$i/last.out") &
		pids="$pids $!"
	done
	for pid in $pids; do
		wait "$pid"
	done
}

start=$(date +%s)
round register
bad=0
for i in $(seq 1 "$LOAD_ENDPOINTS"); do
	if [ "$(cat "$WORK/ep$i/status")" != 0 ] ||
		! grep -q "^Reason: TPMRA 'B': registered $N BIOS evidence measurements; TPM quote verified\$" "$WORK/ep$i/last.out"; then
		bad=$((bad + 1))
		[ "$bad" -le 3 ] && { echo "endpoint $i:"; sed 's/^/    /' "$WORK/ep$i/last.out"; }
	fi
done
if [ "$bad" -eq 0 ]; then pass "par-$LOAD_ENDPOINTS-register"; else fail "par-$LOAD_ENDPOINTS-register" "$bad endpoints wrong"; fi

for i in $(seq 2 2 "$LOAD_ENDPOINTS"); do
	$REPLAY mutate "$LOG" "$WORK/ep$i/eventlog.bin" 4 sha256 >/dev/null
done
round verify
secs2=$(($(date +%s) - start))
echo "2 rounds of $LOAD_ENDPOINTS concurrent attestations in $secs2 s"
bad=0
for i in $(seq 1 "$LOAD_ENDPOINTS"); do
	if [ $((i % 2)) -eq 0 ]; then
		want=2 reason="1 of $N BIOS measurements differ from the registered ones"
	else
		want=0 reason="$N BIOS measurements equal the registered ones; TPM quote verified\$"
	fi
	if [ "$(cat "$WORK/ep$i/status")" != "$want" ] || ! grep -q "^Reason: TPMRA 'B': $reason" "$WORK/ep$i/last.out"; then
		bad=$((bad + 1))
		[ "$bad" -le 3 ] && { echo "endpoint $i (want $want):"; sed 's/^/    /' "$WORK/ep$i/last.out"; }
	fi
done
if [ "$bad" -eq 0 ]; then pass "par-$LOAD_ENDPOINTS-verdicts"; else fail "par-$LOAD_ENDPOINTS-verdicts" "$bad endpoints wrong"; fi

gateway_stop load

# --- config.db ---------------------------------------------------------------------
SESSIONS=$((LOAD_SEQ + 2 * LOAD_ENDPOINTS))
ISOLATED=$((LOAD_ENDPOINTS / 2))
sql_is db-sessions "$DB" "SELECT count(*) FROM sessions" "$SESSIONS"
sql_is db-results "$DB" "SELECT count(*) FROM results" "$SESSIONS"
sql_is db-sessions-isolated "$DB" "SELECT count(*) FROM sessions WHERE rec = 2" "$ISOLATED"
sql_is db-sessions-allowed "$DB" "SELECT count(*) FROM sessions WHERE rec = 0" "$((SESSIONS - ISOLATED))"
sql_is db-results-per-session "$DB" "SELECT count(*) FROM sessions AS s WHERE (SELECT count(*) FROM results AS r WHERE r.session = s.id) != 1" 0
sql_is db-devices "$DB" "SELECT count(*) FROM devices" "$((LOAD_ENDPOINTS + 1))"
sql_is db-component-hashes "$DB" "SELECT count(*) FROM component_hashes" "$((N * (LOAD_ENDPOINTS + 1)))"
sql_is db-hashes-per-device "$DB" "SELECT count(*) FROM devices AS d WHERE (SELECT count(*) FROM component_hashes AS h WHERE h.key = d.id) != $N" 0
sql_is db-sessions-per-device "$DB" "SELECT group_concat(n) FROM (SELECT count(*) AS n FROM sessions GROUP BY device ORDER BY n DESC LIMIT 2)" "$LOAD_SEQ,2"
sql_is db-integrity "$DB" "PRAGMA integrity_check" ok

for i in $(seq 1 "$LOAD_ENDPOINTS"); do
	tpm_stop "$WORK/ep$i/tpm"
done
tpm_stop "$EP/tpm"
attest_finish
