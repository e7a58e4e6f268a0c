check_PROGRAMS += test_tpm
TESTS += test_tpm
EXTRA_DIST += test_swtpm.h
test_tpm_SOURCES = test_tpm.c
test_tpm_CFLAGS = $(AM_CFLAGS) $(TSS2_ESYS_CFLAGS) $(TSS2_MU_CFLAGS)
test_tpm_LDADD = $(COMMON_LIBS) $(TSS2_MU_LIBS) $(OPENSSL_LIBS)

# imc-attestation.so driven through TNC_IMC_* against swtpm, and tnc-provision.
check_PROGRAMS += test_imc_attestation
TESTS += test_imc_attestation
test_imc_attestation_SOURCES = test_imc_attestation.c
test_imc_attestation_CFLAGS = $(AM_CFLAGS) $(TSS2_ESYS_CFLAGS) $(TSS2_MU_CFLAGS)
test_imc_attestation_LDADD = $(COMMON_LIBS) $(TSS2_MU_LIBS) $(OPENSSL_LIBS) -ldl
check_PROGRAMS += test_provision
TESTS += test_provision
test_provision_SOURCES = test_provision.c
test_provision_CFLAGS = $(AM_CFLAGS) $(TSS2_ESYS_CFLAGS) $(TSS2_MU_CFLAGS)
test_provision_LDADD = $(COMMON_LIBS) $(TSS2_MU_LIBS) $(OPENSSL_LIBS)
