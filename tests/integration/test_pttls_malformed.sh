#!/bin/sh
# Malformed and out-of-phase PT-TLS input against tnc-server: the openssl CLI
# (s_client) sends hand-made PT-TLS messages over TLS, and the PT-TLS Error
# code in the server's reply is checked against RFC 6876 §3.9 for each
# violation. The server must keep serving well-behaved clients afterwards.
# Last, hand-made PB-TNC CLOSE batches check that the server processes one
# without PB-PA messages on its event loop thread and still delivers the
# PB-PA messages of another to the IMV.
. "$(dirname "$0")/lib.sh"
require_programs

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
CLIENT_TNC=$WORK/tnc_config.client
SERVER_TNC=$WORK/tnc_config.server
CLIENT_CONF=$WORK/tncsuite.conf
write_tnc_config "$CLIENT_TNC" "IMC \"Test\" $(module_path imc-test)"
write_tnc_config "$SERVER_TNC" "IMV \"Test\" $(module_path imv-test)"
printf 'alice:wonderland\n' > "$WORK/users"
chmod 600 "$WORK/users"

# write_conf EXTRA...: the server configuration with 4 KiB messages and a 2 s idle limit.
write_conf() {
	{
		printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\ntnc_config = %s\n' "$PORT" "$SERVER_TNC"
		printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
		printf 'max_message_size = 4096\nidle_timeout = 2\ndebug = tls=2\n'
		for line in "$@"; do
			echo "$line"
		done
		printf '[imc-test]\nrounds = 1\n[imv-test]\nrounds = 1\n'
	} > "$CLIENT_CONF"
	export TNCSUITE_CONF="$CLIENT_CONF"
}

# bytes HEX...: writes the bytes given as hex pairs (spaces allowed) to stdout.
bytes() {
	for h in $(echo "$*" | sed 's/\([0-9a-fA-F][0-9a-fA-F]\)/\1 /g'); do
		# shellcheck disable=SC2059
		printf "\\$(printf '%03o' "0x$h")"
	done
}

VERSION_REQUEST="00000000 00000001 00000014 00000000 00010101"

# send_raw NAME HEX: sends the bytes over TLS and stores the server's reply in $WORK/NAME.reply.
send_raw() {
	bytes "$2" > "$WORK/$1.in"
	timeout 15 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$WORK/ca/ca.crt" -quiet \
		< "$WORK/$1.in" > "$WORK/$1.reply" 2>"$WORK/$1.err"
}

# reply_types NAME: "TYPE:ERRORCODE" of every PT-TLS message in the reply (ERRORCODE - if not an error).
reply_types() {
	od -An -v -tx1 "$WORK/$1.reply" | tr -d ' \n' | awk '
	function hex(t,   v, i) {
		v = 0;
		for (i = 1; i <= length(t); i++)
			v = v * 16 + index("0123456789abcdef", substr(t, i, 1)) - 1;
		return v;
	}
	{
		s = $0; out = "";
		while (length(s) >= 32) {
			type = hex(substr(s, 9, 8)); len = hex(substr(s, 17, 8));
			if (len < 16 || 2 * len > length(s)) break;
			code = "-";
			if (type == 8 && len >= 24) code = hex(substr(s, 41, 8));
			out = out type ":" code " ";
			s = substr(s, 2 * len + 1);
		}
		print out;
	}'
}

# expect_error NAME HEX CODE: the reply must contain a PT-TLS Error with CODE.
expect_error() {
	send_raw "$1" "$2"
	types=$(reply_types "$1")
	case " $types" in
	*" 8:$3 "*)
		pass "$1" ;;
	*)
		fail "$1" "expected PT-TLS Error code $3; reply messages (type:code): '$types'" ;;
	esac
}

write_conf
start_server "$CLIENT_CONF" || { fail start "tnc-server did not start"; tnc_finish; }

# Header violations: Invalid Parameter (6).
expect_error length-below-16 "00000000 00000001 00000008 00000000" 6
expect_error length-zero "00000000 00000007 00000000 00000000" 6
expect_error reserved-vendor "00ffffff 00000001 00000014 00000000 00010101" 6
expect_error reserved-type "$VERSION_REQUEST 00000000 ffffffff 00000010 00000001" 6
expect_error length-above-maximum "$VERSION_REQUEST 00000000 00000007 00010000 00000001" 6
expect_error version-request-wrong-length "00000000 00000001 00000013 00000000 000101" 6

# Version negotiation: Version Not Supported (2).
expect_error version-not-supported "00000000 00000001 00000014 00000000 00020202" 2

# Messages outside their phase: Invalid Message (4).
expect_error batch-before-negotiation "00000000 00000007 00000018 00000000 0200000100000008" 4
expect_error second-version-request "$VERSION_REQUEST 00000000 00000001 00000014 00000001 00010101" 4
expect_error experimental-type "$VERSION_REQUEST 00000000 00000000 00000010 00000001" 4
expect_error sasl-selection-in-data-phase "$VERSION_REQUEST 00000000 00000004 00000016 00000001 05504c41494e" 4
expect_error version-response-from-client "$VERSION_REQUEST 00000000 00000002 00000014 00000001 00000001" 4

# An unknown type is skipped with Type Not Supported (3); the connection stays
# open, so the well-formed PB-TNC batch after it still gets a PB-TNC reply.
send_raw unknown-type "$VERSION_REQUEST 00000000 00000009 00000012 00000001 abcd"
types=$(reply_types unknown-type)
case " $types" in
*" 8:3 "*) pass unknown-type-not-supported ;;
*) fail unknown-type-not-supported "reply messages (type:code): '$types'" ;;
esac

# A well-formed PT-TLS message carrying a broken PB-TNC batch (version 1) is the
# session's business: the reply is a PB-TNC batch (type 7), not a PT-TLS Error.
send_raw bad-pb-batch "$VERSION_REQUEST 00000000 00000007 00000018 00000001 0100000100000008"
types=$(reply_types bad-pb-batch)
case " $types" in
*" 7:- "*) pass bad-pb-batch-answered-by-pb-tnc ;;
*) fail bad-pb-batch-answered-by-pb-tnc "reply messages (type:code): '$types'" ;;
esac

# Every rejected connection was logged with its connection ID.
if grep -q "conn [0-9]*: invalid PT-TLS header: Message Length 8 at offset 8" "$SERVER_LOG"; then
	pass violation-logged-with-conn-id
else
	fail violation-logged-with-conn-id "no such line in the server log"
fi

# The server still serves a well-behaved client.
run_client client-after-violations 0
stop_server || fail server-stop "exit status $?"

# SASL violations, with a server that requires SASL PLAIN.
write_conf "users = $WORK/users"
start_server "$CLIENT_CONF" || { fail start "tnc-server did not start"; tnc_finish; }
expect_error sasl-mech-len-zero "$VERSION_REQUEST 00000000 00000004 00000011 00000001 00" 1
expect_error sasl-unoffered-mechanism "$VERSION_REQUEST 00000000 00000004 00000019 00000001 0845585445524e414c" 5
expect_error sasl-malformed-plain "$VERSION_REQUEST 00000000 00000004 00000019 00000001 05504c41494e 616263" 5
expect_error batch-before-authentication "$VERSION_REQUEST 00000000 00000007 00000018 00000001 0200000100000008" 4
run_client sasl-client-after-violations 0 --user alice --password wonderland
stop_server || fail sasl-server-stop "exit status $?"

# CLOSE batches (RFC 5793 B-Type 6) after an empty CDATA batch, each in a
# PT-TLS PB-TNC Batch message (type 7). The second CLOSE carries one PB-PA
# message (NOSKIP set, PA vendor 0, subtype 0, collector 1, validator 0xFFFF,
# a 4-octet body), which imv-test subscribes to and counts as bad.
CDATA_EMPTY="00000000 00000007 00000018 00000001 02000001 00000008"
CLOSE_EMPTY="00000000 00000007 00000018 00000002 02000006 00000008"
CLOSE_PA="00000000 00000007 00000034 00000002 02000006 00000024
	80000000 00000001 0000001c 00000000 00000000 0001ffff 61626364"
LOOP_LINE="processing a CLOSE batch of 8 octets on the event loop thread"
STATS=$WORK/imv.stats
write_conf "debug = tls=2,tnc=3"
echo "stats_file = $STATS" >> "$CLIENT_CONF"
start_server "$CLIENT_CONF" || { fail start "tnc-server did not start"; tnc_finish; }

send_raw close-empty "$VERSION_REQUEST $CDATA_EMPTY $CLOSE_EMPTY"
case " $(reply_types close-empty)" in
*" 7:- "*) pass close-empty-after-result ;;
*) fail close-empty-after-result "reply messages (type:code): '$(reply_types close-empty)'" ;;
esac
wait_lines "$STATS" "^imv " 1
n=$(grep -c "$LOOP_LINE" "$SERVER_LOG")
if [ "${n:-0}" -eq 1 ] && grep -q "PB-TNC session finished" "$SERVER_LOG"; then
	pass close-empty-on-loop-thread
else
	fail close-empty-on-loop-thread "${n:-0} lines '$LOOP_LINE', 1 expected, and a finished session"
fi

send_raw close-with-pa "$VERSION_REQUEST $CDATA_EMPTY $CLOSE_PA"
wait_lines "$STATS" "^imv " 2
n2=$(grep -c "$LOOP_LINE" "$SERVER_LOG")
if [ "${n2:-0}" -eq "${n:-0}" ]; then
	pass close-with-pa-to-worker
else
	fail close-with-pa-to-worker "the event loop thread processed the CLOSE batch with a PB-PA message"
fi
bad=$(grep "^imv " "$STATS" | sed -n 2p | tr ' ' '\n' | sed -n 's/^bad=//p')
if [ "$bad" = 1 ]; then
	pass close-with-pa-delivered
else
	fail close-with-pa-delivered "imv-test counted bad=$bad, expected 1 (stats: $(cat "$STATS"))"
fi
stop_server || fail close-server-stop "exit status $?"

tnc_finish
