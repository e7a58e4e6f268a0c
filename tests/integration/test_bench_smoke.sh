#!/bin/sh
# Keeps the benchmarks of tests/bench working: builds them and runs the full
# attestation benchmark briefly. Nothing here is timed. bench_server_attest
# checks its own results: it exits 1 unless every session ends allowed and
# stores the expected TPMRA result (136 measurements registered on first
# contact, then equal to the registered ones, and the quote verified).
. "$(dirname "$0")/lib.sh"

if make -s -C "$TOP_BUILDDIR/tests/bench" bench >"$WORK/make.log" 2>&1; then
	pass "benchmarks build"
else
	fail "benchmarks build" "make bench failed: $(tail -n 5 "$WORK/make.log")"
	tnc_finish
fi

if "$TOP_SRCDIR/tests/bench/attest-setup" "$TOP_BUILDDIR" "$WORK/att" >"$WORK/setup.log" 2>&1; then
	pass "attestation benchmark set-up"
else
	fail "attestation benchmark set-up" "$(tail -n 5 "$WORK/setup.log")"
	tnc_finish
fi

if TNCSUITE_CONF=$WORK/att/tncsuite.conf "$TOP_BUILDDIR/tests/bench/bench_server_attest" \
	--client-tnc "$WORK/att/tnc_config.client" --server-tnc "$WORK/att/tnc_config.server" \
	--db "$WORK/att/config.db" -n 10 --first 3 --no-baseline >"$WORK/attest.log" 2>&1; then
	pass "attestation benchmark: 3 first contacts and 10 steady-state sessions allowed"
else
	fail "attestation benchmark" "$(tail -n 5 "$WORK/attest.log")"
fi

# Checked apart from the benchmark: every stored session is allowed, and there
# are at least the 13 measured ones (the benchmark adds a few warm-up sessions).
total=$(sqlite3 "$WORK/att/config.db" "SELECT count(*) FROM sessions" 2>&1)
allowed=$(sqlite3 "$WORK/att/config.db" "SELECT count(*) FROM sessions WHERE rec = 0" 2>&1)
if [ "$allowed" = "$total" ] && [ "$total" -ge 13 ] 2>/dev/null; then
	pass "all $total stored sessions allowed"
else
	fail "stored sessions" "expected at least 13 sessions, all allowed; found $total, $allowed allowed"
fi

if "$TOP_BUILDDIR/tests/bench/bench_ima" 2000 1000 >"$WORK/ima.log" 2>&1; then
	pass "IMA benchmark runs"
else
	fail "IMA benchmark" "$(tail -n 5 "$WORK/ima.log")"
fi

tnc_finish
