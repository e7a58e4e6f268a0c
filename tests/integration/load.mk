# Load and fault tests of tnc-server (loopback only). LOAD_FULL=1 runs the
# full counts (1,000 sequential, 100 concurrent handshakes) instead of the
# CI defaults (200 and 50).
TESTS += \
	test_load_handshakes.sh \
	test_fault_killed.sh \
	test_fault_slow.sh \
	test_fault_sigterm.sh \
	test_fault_db.sh
EXTRA_DIST += \
	test_load_handshakes.sh \
	test_fault_killed.sh \
	test_fault_slow.sh \
	test_fault_sigterm.sh \
	test_fault_db.sh
