#!/bin/sh
# Runs tnc-eventlog on real firmware event logs. The PCRs of --json must
# equal the reference values in tests/data/eventlog, which were published by
# each log's source, replayed by tpm2-tools or read in a VM. Bad logs must fail
# with the event index and byte offset.
# Ends with "RESULT: N passed, N failed, N skipped".
set -u

top_src=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
top_build=${TOP_BUILDDIR:-$top_src/build}
prog=$top_build/common/tnc-eventlog
data=$top_src/tests/data/eventlog
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $1"; }

if [ ! -x "$prog" ]; then
	echo "tnc-eventlog not found at $prog"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
have_python=no
command -v python3 >/dev/null 2>&1 && have_python=yes

# Compares the "pcrs" member of a --json output with reference files.
# PCR 10 (IMA) and EVE's PCR 14 are extended after the firmware log ends,
# so they are skipped where a reference lists them.
compare_pcrs() {
	python3 - "$@" <<'EOF'
import json, re, sys
out, refs = sys.argv[1], sys.argv[2:]
mine = json.load(open(out))["pcrs"]
skip = {10} | ({14} if "evepcr" in refs[0] else set())
bad = 0
for ref in refs:
    rows = []
    bank = None
    for line in open(ref):
        if line.startswith("#") or line.startswith("pcrs:"):
            continue
        m = re.match(r"^(\w+)[: ](\d+)\s+([0-9a-fA-F]+)\s*$", line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(3).lower()))
            continue
        m = re.match(r"^  (\w+):\s*$", line)
        if m:
            bank = m.group(1)
            continue
        m = re.match(r"^\s+(\d+)\s*:\s*0x([0-9a-fA-F]+)", line)
        if m:
            rows.append((bank, m.group(1), m.group(2).lower()))
    for bank, index, value in rows:
        got = mine.get(bank, {}).get(index)
        if got is None:
            # Not extended by the log: the reference must show a reset value.
            reset = set(value) == {"0"} or (17 <= int(index) <= 22 and set(value) == {"f"})
            if not reset and int(index) not in skip:
                print("%s: %s PCR %s missing from the output" % (ref, bank, index))
                bad += 1
        elif got != value:
            print("%s: %s PCR %s is %s, expected %s" % (ref, bank, index, got, value))
            bad += 1
    if ref.endswith(".yaml"):
        listed = {(b, i) for b, i, _ in rows}
        extra = [(b, i) for b in mine for i in mine[b] if (b, i) not in listed]
        if extra:
            print("%s: output has PCRs the reference does not list: %s" % (ref, extra))
            bad += 1
sys.exit(1 if bad else 0)
EOF
}

# --help and usage errors.
if "$prog" --help >"$work/help" 2>&1 && grep -q -- "--json" "$work/help"; then
	pass "help"
else
	fail "help"
fi
"$prog" >/dev/null 2>&1
[ $? -eq 2 ] && pass "no FILE is a usage error" || fail "no FILE is a usage error"
"$prog" "$work/does-not-exist" >/dev/null 2>"$work/err"
[ $? -eq 3 ] && grep -q "cannot read" "$work/err" && pass "missing file" || fail "missing file"

# Final PCRs of --json against the references, for logs of both formats.
for entry in \
	"gotpmtools-glinux-alex.bin gotpmtools-glinux-alex.bin.expected-pcrs.txt gotpmtools-glinux-alex.bin.tpm2-tools-master.pcrs.yaml" \
	"gotpmtools-rhel8-uefi.bin gotpmtools-rhel8-uefi.bin.expected-pcrs.txt gotpmtools-rhel8-uefi.bin.tpm2-tools-master.pcrs.yaml" \
	"gotpmtools-confidential-gke-debug-251000_eventlog.bin gotpmtools-confidential-gke-debug-251000_eventlog.bin.expected-pcrs.txt" \
	"hirs-TpmLogSHA1.bin hirs-TpmLogSHA1.bin.expected-pcrs.txt hirs-TpmLogSHA1.bin.tpm2-tools-master.pcrs.yaml" \
	"evepcr-14.5_stable.bin evepcr-14.5_stable.bin.expected-pcrs.txt evepcr-14.5_stable.bin.tpm2-tools-master.pcrs.yaml" \
	"ovmf/ovmf-grub-linuxefi-1.bin ovmf/ovmf-grub-linuxefi-1.pcrs.txt ovmf/ovmf-grub-linuxefi-1.pcrs.yaml"
do
	# shellcheck disable=SC2086
	set -- $entry
	log=$1
	shift
	name="pcrs of $log"
	if ! "$prog" --json "$data/$log" >"$work/out.json" 2>"$work/err"; then
		fail "$name (exit status $?: $(cat "$work/err"))"
		continue
	fi
	if [ "$have_python" = no ]; then
		skip "$name (python3 not found)"
		continue
	fi
	refs=
	for r in "$@"; do
		refs="$refs $data/$r"
	done
	# shellcheck disable=SC2086
	if compare_pcrs "$work/out.json" $refs; then
		pass "$name"
	else
		fail "$name"
	fi
done

# The JSON lists every event with its index, offset and type name.
if [ "$have_python" = yes ]; then
	"$prog" --json "$data/tpm2tools-event-sd-boot-fedora37.bin" >"$work/out.json" 2>/dev/null
	if python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
ev = doc["events"]
assert len(ev) == 28, len(ev)
assert [e["index"] for e in ev] == list(range(28))
assert ev[0]["type"] == "EV_NO_ACTION", ev[0]["type"]
assert ev[0]["offset"] == 0, ev[0]["offset"]
assert all("sha256" in e["digests"] for e in ev[1:])
separators = [e for e in ev if e["type"] == "EV_SEPARATOR"]
assert separators
assert all(e["data"]["value"] == "00000000" for e in separators)
' "$work/out.json"; then
		pass "json events"
	else
		fail "json events"
	fi
else
	skip "json events (python3 not found)"
fi

# Output for people.
if "$prog" "$data/tpm2tools-event-uefi-sha1-log.bin" >"$work/out.txt" 2>&1 &&
	grep -q "SHA-1 log, 17 events" "$work/out.txt" &&
	grep -q "EV_SEPARATOR" "$work/out.txt" &&
	grep -q "PCRs replayed from the log" "$work/out.txt"; then
	pass "text output"
else
	fail "text output"
fi

# Bad logs: a clean error naming the event and the offset.
"$prog" --json "$data/keylime-binary_bios_measurements-empty.bin" >/dev/null 2>"$work/err"
status=$?
if [ $status -eq 1 ] && grep -q "event 0 at offset 0: the log is empty" "$work/err"; then
	pass "empty log rejected"
else
	fail "empty log rejected (status $status: $(cat "$work/err"))"
fi
head -c 1000 "$data/gotpmtools-rhel8-uefi.bin" >"$work/cut.bin"
"$prog" "$work/cut.bin" >/dev/null 2>"$work/err"
status=$?
if [ $status -eq 1 ] && grep -Eq "event [0-9]+ at offset [0-9]+: .*truncated" "$work/err"; then
	pass "truncated log rejected"
else
	fail "truncated log rejected (status $status: $(cat "$work/err"))"
fi

echo "RESULT: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
