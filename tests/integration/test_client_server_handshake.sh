#!/bin/sh
# tnc-client against tnc-server over PT-TLS on loopback, with imc-test and
# imv-test: handshakes of several rounds, many messages per batch, exclusive
# delivery, handshake retries, the three recommendation policies and the
# exit status of tnc-client for each recommendation.
. "$(dirname "$0")/lib.sh"
require_programs

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
IMC=$(module_path imc-test)
IMV=$(module_path imv-test)
cp "$IMV" "$WORK/imv-test-b.so"
CLIENT_TNC=$WORK/tnc_config.client
SERVER_TNC=$WORK/tnc_config.server
CLIENT_CONF=$WORK/tncsuite.conf
write_tnc_config "$CLIENT_TNC" "IMC \"Test\" $IMC"

# scenario POLICY 'IMC KEYS' 'IMV KEYS' ['IMV-B KEYS']: writes the configuration
# (one IMV, or two when IMV-B keys are given) and starts tnc-server.
scenario() {
	policy=$1 imc_keys=$2 imv_keys=$3 imv_b_keys=${4:-}
	STATS=$WORK/stats.$(date +%s%N)
	if [ -n "$imv_b_keys" ]; then
		write_tnc_config "$SERVER_TNC" "IMV \"Test\" $IMV" "IMV \"Test B\" $WORK/imv-test-b.so"
	else
		write_tnc_config "$SERVER_TNC" "IMV \"Test\" $IMV"
	fi
	{
		printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\n' "$PORT"
		printf 'cert = %s\nkey = %s\n' "$WORK/ca/server.crt" "$WORK/ca/server.key"
		printf 'tnc_config = %s\nrecommendation_policy = %s\nworkers = 2\n' "$SERVER_TNC" "$policy"
		printf '[tnc-client]\n'
		printf '[imc-test]\nstats_file = %s\n' "$STATS"
		echo "$imc_keys" | tr ';' '\n'
		printf '[imv-test]\nstats_file = %s\n' "$STATS"
		echo "$imv_keys" | tr ';' '\n'
		printf '[imv-test-b]\nstats_file = %s\n' "$STATS"
		echo "$imv_b_keys" | tr ';' '\n'
	} > "$CLIENT_CONF"
	export TNCSUITE_CONF="$CLIENT_CONF"
	start_server "$CLIENT_CONF"
}

# end_scenario NAME: SIGTERM must stop the server with status 0.
end_scenario() {
	if stop_server; then
		pass "$1 server stops on SIGTERM"
	else
		fail "$1 server stops on SIGTERM" "exit status $?; log:"
		sed 's/^/    /' "$SERVER_LOG"
	fi
}

# stat_of WHO KEY: the value of KEY= in the last stats line of WHO ("imc imc-test", "imv imv-test").
stat_of() {
	grep "^$1 " "$STATS" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# expect_stat NAME WHO KEY VALUE
expect_stat() {
	got=$(stat_of "$2" "$3")
	if [ "$got" = "$4" ]; then
		pass "$1"
	else
		fail "$1" "$2 $3=$got, expected $4 (stats: $(cat "$STATS" 2>/dev/null))"
	fi
}

# 1. Three rounds of five messages each way; the IMV allows. imv-test answers
# every batch but the last, where it recommends instead: the IMC gets 2 x 5.
scenario default "rounds = 3;messages = 5" "rounds = 3;messages = 5;recommendation = allow"
run_client allow-3-rounds 0
expect_output allow-prints-recommendation '^Access recommendation: allow$'
expect_output allow-prints-assessment '^Assessment result: compliant$'
expect_stat allow-imv-got-all-messages "imv imv-test" received 15
expect_stat allow-imc-got-all-messages "imc imc-test" received 10
end_scenario allow

# 2. Many messages per batch: 300 messages of 200 octets in each of two rounds
# (the IMV answers the first round only).
scenario default "rounds = 2;messages = 300;message_size = 200" \
	"rounds = 2;messages = 300;message_size = 200;expect_messages = 600"
run_client many-messages-per-batch 0
expect_stat many-messages-imv-count "imv imv-test" received 600
expect_stat many-messages-imc-count "imc imc-test" received 300
end_scenario many-messages

# 3. Each recommendation maps to its exit status and is printed with the reason.
scenario default "rounds = 1" "rounds = 1;recommendation = isolate;reason = patch level too old"
run_client isolate-exit-status 2
expect_output isolate-prints-recommendation '^Access recommendation: isolate$'
expect_output isolate-prints-reason '^Reason: patch level too old$'
end_scenario isolate

scenario default "rounds = 1" "rounds = 1;recommendation = no_access;evaluation = major"
run_client no-access-exit-status 3
expect_output no-access-prints-recommendation '^Access recommendation: no access$'
expect_output no-access-prints-assessment '^Assessment result: non-compliant major$'
end_scenario no-access

# An IMV that never recommends: the TNCS solicits, gets nothing and denies access.
scenario default "rounds = 1" "rounds = 1;provide = never"
run_client no-recommendation-denied 3
expect_output no-recommendation-prints-no-access '^Access recommendation: no access$'
end_scenario no-recommendation

# 4. Exclusive delivery: the IMC sends round 1 to every subscriber, then answers
# with EXCL set to the IMV whose message came last, so only that IMV receives
# round 2: one IMV gets 3 messages and the other 6 (without EXCL both get 6).
scenario default "rounds = 2;messages = 3;exclusive = yes" \
	"rounds = 2;messages = 1" "rounds = 2;messages = 1"
run_client exclusive-handshake 0
counts=$(printf '%s\n%s\n' "$(stat_of "imv imv-test" received)" "$(stat_of "imv imv-test-b" received)" |
	sort -n | tr '\n' ' ')
if [ "$counts" = "3 6 " ]; then
	pass exclusive-delivery-one-imv
else
	fail exclusive-delivery-one-imv "the two IMVs received '$counts' messages; expected '3 6 '"
fi
end_scenario exclusive

# 5. Handshake retry requested by the IMC after the first result.
scenario default "rounds = 1;retries = 1" "rounds = 1"
run_client retry-handshake 0
expect_stat retry-two-handshakes "imv imv-test" handshakes 2
end_scenario retry

# 6. The three policies with one IMV allowing and one isolating.
scenario default "rounds = 1" "rounds = 1;recommendation = allow" "rounds = 1;recommendation = isolate"
run_client policy-default-most-restrictive 2
end_scenario policy-default

scenario all "rounds = 1" "rounds = 1;recommendation = allow" "rounds = 1;recommendation = isolate"
run_client policy-all-disagree-denied 3
end_scenario policy-all

scenario all "rounds = 1" "rounds = 1;recommendation = isolate" "rounds = 1;recommendation = isolate"
run_client policy-all-agree 2
end_scenario policy-all-agree

scenario any "rounds = 1" "rounds = 1;recommendation = allow" "rounds = 1;recommendation = isolate"
run_client policy-any-one-allows 0
end_scenario policy-any

# 7. IMC and IMV on the legacy (non-Long) message API.
scenario default "rounds = 2;legacy_api = yes" "rounds = 2;legacy_api = yes"
run_client legacy-api 0
end_scenario legacy-api

# 8. A server that needs more round trips than the client allows: the client
# ends the session with a PB-Error, and that is a protocol error.
scenario default "rounds = 4" "rounds = 4"
printf '[tnc-client]\nmax_round_trips = 1\n' >> "$CLIENT_CONF"
run_client client-round-trip-limit 7
expect_output client-round-trip-limit-message 'PB-TNC session failed'
end_scenario round-trip-limit

# 9. --quiet prints nothing and still reports through the exit status.
scenario default "rounds = 1" "rounds = 1;recommendation = isolate"
run_client quiet-exit-status 2 --quiet
if [ ! -s "$CLIENT_OUT" ]; then
	pass quiet-prints-nothing
else
	fail quiet-prints-nothing "output: $(cat "$CLIENT_OUT")"
fi
end_scenario quiet

tnc_finish
