#!/bin/sh
# TLS and authentication between tnc-client and tnc-server on loopback:
# untrusted and misnamed server certificates, an unreachable port, a server
# that never answers, SASL PLAIN (plain-text and salted SHA-256 entries) and
# required client certificates, each with its tnc-client exit status.
. "$(dirname "$0")/lib.sh"
require_programs

setup_pki || { fail pki "cannot create certificates with openssl"; tnc_finish; }
PORT=$(free_port)
CLIENT_TNC=$WORK/tnc_config.client
SERVER_TNC=$WORK/tnc_config.server
CLIENT_CONF=$WORK/tncsuite.conf
write_tnc_config "$CLIENT_TNC" "IMC \"Test\" $(module_path imc-test)"
write_tnc_config "$SERVER_TNC" "IMV \"Test\" $(module_path imv-test)"

# The salted entry for bob: SHA-256 over "s4lt" followed by the password, by sha256sum.
bob_hash=$(printf '%s' "s4ltcorrect horse" | sha256sum | cut -d' ' -f1)
printf 'alice:wonderland\nbob:{SHA256}s4lt$%s\n' "$bob_hash" > "$WORK/users"
chmod 600 "$WORK/users"

# server_conf EXTRA...: [tnc-server] with the given extra lines, written to $CLIENT_CONF.
server_conf() {
	{
		printf '[tnc-server]\naddress = 127.0.0.1\nport = %s\ntnc_config = %s\n' "$PORT" "$SERVER_TNC"
		for line in "$@"; do
			echo "$line"
		done
		printf '[imc-test]\nrounds = 1\n[imv-test]\nrounds = 1\n'
	} > "$CLIENT_CONF"
	export TNCSUITE_CONF="$CLIENT_CONF"
}

# 1. The server's certificate comes from a CA the client does not trust.
server_conf "cert = $WORK/other/server.crt" "key = $WORK/other/server.key"
start_server "$CLIENT_CONF" || fail start "tnc-server did not start"
run_client untrusted-server-cert 6
expect_output untrusted-server-cert-message 'server certificate verification failed'
stop_server || fail untrusted-server-stop "exit status $?"

# 2. A trusted certificate that does not carry the expected name.
server_conf "cert = $WORK/ca/server.crt" "key = $WORK/ca/server.key"
start_server "$CLIENT_CONF" || fail start "tnc-server did not start"
run_client wrong-server-name 6 --server-name tnc.example.org
expect_output wrong-server-name-message 'verification failed'
run_client localhost-name-matches 0 --server-name localhost

# 3. A server that accepts TCP but never answers: stopped with SIGSTOP.
kill -STOP "$SERVER_PID"
start=$(date +%s)
run_client silent-server-timeout 5 --timeout 2
elapsed=$(( $(date +%s) - start ))
if [ "$elapsed" -le 5 ]; then
	pass silent-server-timeout-bounded
else
	fail silent-server-timeout-bounded "tnc-client took $elapsed s with --timeout 2"
fi
kill -CONT "$SERVER_PID"
stop_server || fail plain-server-stop "exit status $?"

# 4. Nothing listens on the port.
run_client unreachable-port 5
expect_output unreachable-port-message 'cannot connect to 127.0.0.1 port'

# 5. SASL PLAIN against the user file.
server_conf "cert = $WORK/ca/server.crt" "key = $WORK/ca/server.key" "users = $WORK/users" "debug = tls=2"
start_server "$CLIENT_CONF" || fail start "tnc-server did not start"
run_client sasl-plain-accepted 0 --user alice --password wonderland
run_client sasl-hashed-accepted 0 --user bob --password "correct horse"
run_client sasl-wrong-password 8 --user alice --password looking-glass
expect_output sasl-wrong-password-message 'SASL authentication failed'
run_client sasl-unknown-user 8 --user carol --password x
run_client sasl-no-credentials 8
if grep -q "conn [0-9]*: SASL PLAIN authenticated user 'alice'" "$SERVER_LOG"; then
	pass sasl-server-log
else
	fail sasl-server-log "no authentication line in the server log"
fi
stop_server || fail sasl-server-stop "exit status $?"

# 6. Client certificates required.
server_conf "cert = $WORK/ca/server.crt" "key = $WORK/ca/server.key" "ca = $WORK/ca/ca.crt" \
	"client_cert = required" "debug = tls=2"
start_server "$CLIENT_CONF" || fail start "tnc-server did not start"
run_client client-cert-missing 6
run_client client-cert-accepted 0 --cert "$WORK/ca/client.crt" --key "$WORK/ca/client.key"
make_cert "$WORK/other" rogue "DNS:rogue.test" clientAuth
run_client client-cert-untrusted 6 --cert "$WORK/other/rogue.crt" --key "$WORK/other/rogue.key"
if grep -q "conn [0-9]*: .*client certificate: .*CN=client" "$SERVER_LOG"; then
	pass client-cert-subject-logged
else
	fail client-cert-subject-logged "server log has no client certificate subject"
fi
stop_server || fail client-cert-server-stop "exit status $?"

# 7. Usage errors exit with 1.
run_client missing-ca-file 1 --ca "$WORK/nonexistent.crt"
run_client bad-timeout-option 1 --timeout 0

tnc_finish
