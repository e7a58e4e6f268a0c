# Unit tests of common/attest/. test_tpm2_quote starts swtpm and runs
# tpm2-tools for its real-quote cases (skipped with a message when absent).
check_PROGRAMS += test_meas_algo test_dh_nonce test_tpm2_quote
TESTS += test_meas_algo test_dh_nonce test_tpm2_quote
test_meas_algo_SOURCES = test_meas_algo.c
test_meas_algo_LDADD = $(COMMON_LIBS)
test_dh_nonce_SOURCES = test_dh_nonce.c
test_dh_nonce_LDADD = $(COMMON_LIBS)
test_tpm2_quote_SOURCES = test_tpm2_quote.c
test_tpm2_quote_LDADD = $(COMMON_LIBS)
