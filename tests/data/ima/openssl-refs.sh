#!/bin/sh
# Recomputes openssl-refs.txt with the openssl command-line tool only, as an
# independent reference for test_ima. It contains PCR 10 replays of text
# lists in the SHA-1 bank, from the listed template hashes (an all-zero hash
# extends 0xff..ff), and boot aggregates of the OVMF boot PCRs.
# Usage: sh openssl-refs.sh > openssl-refs.txt   (run in this directory)
set -eu

replay_sha1() {
	pcr=0000000000000000000000000000000000000000
	while read -r _ th _; do
		[ "$th" = 0000000000000000000000000000000000000000 ] &&
			th=ffffffffffffffffffffffffffffffffffffffff
		pcr=$(printf '%s%s' "$pcr" "$th" | xxd -r -p | openssl dgst -sha1 -r | cut -d' ' -f1)
	done < "$1"
	echo "replay-sha1 $1 $pcr"
}

# boot_aggregate: H(PCR0..7) for sha1, H(PCR0..9) for other banks
boot_aggregate() {
	last=9
	[ "$2" = sha1 ] && last=7
	agg=$(awk -v b="$2" -v n="$last" '$1 == b && $2 <= n { printf "%s", $3 }' "$1" |
		xxd -r -p | openssl dgst "-$2" -r | cut -d' ' -f1)
	echo "boot-aggregate $1 $2 $agg"
}

replay_sha1 keylime-ascii_runtime_measurements-ima-ng.txt
replay_sha1 keylime-ima-log-sha1.txt
replay_sha1 keylime-ima-log-sha512.txt
for bank in sha1 sha256 sha384 sha512; do
	boot_aggregate ovmf-direct-boot-1.pcrs.txt $bank
done
boot_aggregate ovmf-sha256-quote.pcrs.txt sha256
