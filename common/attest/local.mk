# Sources of common/attest/: PTS DH nonce, measurement algorithms, TPM 2.0
# quote verification, AK public keys, strongSwan's TPM 2.0 quote info.
libtnccommon_la_SOURCES += \
	attest/meas_algo.c attest/meas_algo.h \
	attest/dh_nonce.c attest/dh_nonce.h \
	attest/tpm2_ak.c attest/tpm2_ak.h \
	attest/tpm2_quote.c attest/tpm2_quote.h attest/tpm2_quote_check.h \
	attest/tpm2_quote_info.c attest/tpm2_quote_info.h \
	attest/tpm2_rc.c attest/tpm2_rc.h
