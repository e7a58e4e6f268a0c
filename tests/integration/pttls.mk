# PT-TLS, tnc-client and tnc-server on loopback; certificates are made at
# test time with the openssl CLI (see lib.sh).
TESTS += \
	test_pttls_tls.sh \
	test_pttls_malformed.sh \
	test_client_server_handshake.sh \
	test_client_server_concurrent.sh
EXTRA_DIST += lib.sh \
	test_pttls_tls.sh \
	test_pttls_malformed.sh \
	test_client_server_handshake.sh \
	test_client_server_concurrent.sh
