# Unit tests of imc-os: attribute sources against a fake root directory, the
# device ID (machine ID, AK key files, an AK in swtpm) and the encoded
# attributes.
check_PROGRAMS += test_imc_os
TESTS += test_imc_os
test_imc_os_SOURCES = test_imc_os.c
test_imc_os_CFLAGS = $(AM_CFLAGS) $(TSS2_ESYS_CFLAGS) $(TSS2_MU_CFLAGS)
test_imc_os_LDADD = $(top_builddir)/imc/os/libimcos.la $(COMMON_LIBS) $(OPENSSL_LIBS)

# In-process handshakes of the built imc-os.so and imv-os.so through the
# real PB-TNC sessions and hosts (TOP_BUILDDIR).
check_PROGRAMS += test_imc_os_handshake
TESTS += test_imc_os_handshake
test_imc_os_handshake_SOURCES = test_imc_os_handshake.c
test_imc_os_handshake_LDADD = $(top_builddir)/tnccs/libtnccs.la $(COMMON_LIBS) -lpthread
