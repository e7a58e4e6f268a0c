#!/bin/sh
# tnc-db as an administrator uses it: create config.db, add a policy and an
# enforcement, read them back as text and JSON, and check the exit codes.
set -u
top_build=${TOP_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tnc_db="$top_build/imv/tnc-db"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/config.db"
passed=0 failed=0

check() {
	name=$1
	shift
	if "$@" >"$work/out" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $name"
		sed 's/^/  /' "$work/out"
	fi
}

expect_exit() {
	want=$1
	shift
	"$@" >/dev/null 2>&1
	got=$?
	[ "$got" -eq "$want" ] || { echo "exit status $got, expected $want: $*"; return 1; }
}

check "init creates the file" "$tnc_db" -d "$db" init
check "schema has 28 tables" sh -c "[ \"\$(sqlite3 '$db' \"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'\")\" = 28 ]"
check "policy-add" "$tnc_db" -d "$db" policy-add "TPM BIOS" TPMRA isolate no-access B
check "enforcement-add" "$tnc_db" -d "$db" enforcement-add 1 1 3600
check "policies as JSON" sh -c "'$tnc_db' -d '$db' --json policies | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert len(rows) == 1, rows
assert rows[0][\"type\"] == 16, rows
assert rows[0][\"argument\"] == \"B\", rows
assert rows[0][\"rec_fail\"] == 2, rows
assert rows[0][\"rec_noresult\"] == 1, rows
'"
check "enforcement stored" sh -c "[ \"\$(sqlite3 '$db' 'SELECT policy, group_id, max_age FROM enforcements')\" = '1|1|3600' ]"
check "group-add with parent" "$tnc_db" -d "$db" group-add Linux 1
check "group-default" "$tnc_db" -d "$db" group-default 2 "Debian 12 x86_64"
check "product default stored" sh -c "[ \"\$(sqlite3 '$db' 'SELECT group_id FROM groups_product_defaults')\" = 2 ]"
check "package-add" "$tnc_db" -d "$db" package-add openssl "Debian 12 x86_64" 3.0.19-1 security
check "package-add says what it added" sh -c "'$tnc_db' -d '$db' package-add zlib1g 'Debian 12 x86_64' 1:1.2.13 blacklist | grep -qx 'package zlib1g 1:1.2.13 for Debian 12 x86_64 added as blacklist'"
check "product-add twice" sh -c "'$tnc_db' -d '$db' product-add 'Fedora 41' | grep -qx \"product 'Fedora 41' added\" &&
'$tnc_db' -d '$db' product-add 'Fedora 41' | grep -qx \"product 'Fedora 41' exists already\""
check "packages listed" sh -c "'$tnc_db' -d '$db' packages | grep -q 'openssl	3.0.19-1	Debian 12 x86_64	1	0'"
check "device trust and reset" sh -c "
sqlite3 '$db' \"INSERT INTO devices (value, product) VALUES ('abc123', 1);
INSERT INTO component_hashes (component, key, seq_no, pcr, algo, hash) VALUES (3, 1, 1, 0, 16384, x'00ff')\" &&
'$tnc_db' -d '$db' device-trust abc123 &&
[ \"\$(sqlite3 '$db' 'SELECT trusted FROM devices')\" = 1 ] &&
'$tnc_db' -d '$db' device-measurements abc123 | grep -q '00ff' &&
'$tnc_db' -d '$db' device-reset 1 &&
[ \"\$(sqlite3 '$db' 'SELECT count(*) FROM component_hashes')\" = 0 ]"
check "device-add then trust" sh -c "'$tnc_db' -d '$db' device-add 00aa11 'Debian 12 x86_64' &&
'$tnc_db' -d '$db' device-add 00aa11 'Debian 12 x86_64' | grep -q 'exists already' &&
'$tnc_db' -d '$db' device-trust 00aa11 | grep -q 'AK trusted' &&
[ \"\$(sqlite3 '$db' \"SELECT trusted FROM devices WHERE value = '00aa11'\")\" = 1 ]"
check "enforcement of a missing policy exits 3" expect_exit 3 "$tnc_db" -d "$db" enforcement-add 99 1 0
check "enforcement with a bad id exits 2" expect_exit 2 "$tnc_db" -d "$db" enforcement-add abc 1
check "duplicate enforcement exits 2" expect_exit 2 "$tnc_db" -d "$db" enforcement-add 1 1 0
check "negative max age exits 2" expect_exit 2 "$tnc_db" -d "$db" enforcement-add 1 2 -5
check "member of a missing group exits 3" expect_exit 3 "$tnc_db" -d "$db" group-member 77 abc123
check "policy in use is kept" sh -c "! '$tnc_db' -d '$db' policy-delete 1 2>&1 | grep -q 'used by enforcement 1' && exit 1;
[ \"\$(sqlite3 '$db' 'SELECT count(*) FROM policies WHERE id = 1')\" = 1 ]"
check "unknown device exits 3" expect_exit 3 "$tnc_db" -d "$db" device-show nosuch
check "missing file exits 3" expect_exit 3 "$tnc_db" -d "$work/none.db" devices
check "invalid type exits 2" expect_exit 2 "$tnc_db" -d "$db" policy-add x BOGUS allow allow
check "unknown command exits 2" expect_exit 2 "$tnc_db" -d "$db" frobnicate
check "help on a command" sh -c "'$tnc_db' policy-add --help | grep -q 'Usage: tnc-db'"
check "foreign file rejected" sh -c "sqlite3 '$work/foreign.db' 'CREATE TABLE t (x)' && '$tnc_db' -d '$work/foreign.db' devices 2>&1 | grep -q \"table 'products' is missing\""
check "relative database next to the configuration" sh -c "mkdir -p '$work/conf' &&
printf '[imv]\ndatabase = rel.db\n' > '$work/conf/tncsuite.conf' &&
cd / && '$tnc_db' -c '$work/conf/tncsuite.conf' init >/dev/null && [ -f '$work/conf/rel.db' ]"

echo "RESULT: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
