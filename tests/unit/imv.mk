check_PROGRAMS += test_policy_manager
TESTS += test_policy_manager
test_policy_manager_SOURCES = test_policy_manager.c
test_policy_manager_LDADD = $(top_builddir)/imv/libimvpolicy.la $(COMMON_LIBS) -lpthread

# imv-os: the workitem checks against a real config.db, and the built
# imv-os.so driven through IF-IMV by a recording TNCS (TOP_BUILDDIR).
check_PROGRAMS += test_imv_os
TESTS += test_imv_os
test_imv_os_SOURCES = test_imv_os.c
test_imv_os_LDADD = $(top_builddir)/imv/os/libimvos.la $(top_builddir)/imv/libimvpolicy.la $(COMMON_LIBS) -lpthread

# imv-attestation: the strongSwan 6.0.6 exchange replayed, swtpm quotes, config.db failures.
check_PROGRAMS += test_imv_attestation
TESTS += test_imv_attestation
test_imv_attestation_SOURCES = test_imv_attestation.c
test_imv_attestation_CFLAGS = $(AM_CFLAGS) $(TSS2_MU_CFLAGS)
test_imv_attestation_LDADD = $(top_builddir)/imv/attestation/libimvatt.la $(COMMON_LIBS) $(TSS2_MU_LIBS) \
	$(OPENSSL_LIBS) $(SQLITE3_LIBS) -lpthread

# imc-attestation.so and a minimal OS IMC against imv-attestation.so through
# the PB-TNC sessions, on swtpm.
check_PROGRAMS += test_imv_attestation_e2e
TESTS += test_imv_attestation_e2e
test_imv_attestation_e2e_SOURCES = test_imv_attestation_e2e.c test_host_util.h
test_imv_attestation_e2e_CFLAGS = $(AM_CFLAGS) -Wno-unused-function
test_imv_attestation_e2e_LDADD = $(top_builddir)/tnccs/libtnccs.la $(COMMON_LIBS) $(SQLITE3_LIBS) $(OPENSSL_LIBS) -lpthread
check_LTLIBRARIES += test_imv_attestation_osimc.la
test_imv_attestation_osimc_la_SOURCES = test_imv_attestation_osimc.c
test_imv_attestation_osimc_la_CFLAGS = $(AM_CFLAGS) $(MODULE_CFLAGS)
test_imv_attestation_osimc_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere -export-symbols-regex '^TNC_IMC_'
test_imv_attestation_osimc_la_LIBADD = $(COMMON_LIBS)
EXTRA_test_imv_attestation_e2e_DEPENDENCIES = test_imv_attestation_osimc.la
