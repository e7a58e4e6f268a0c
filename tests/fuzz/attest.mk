if FUZZING
noinst_PROGRAMS += fuzz_attest
fuzz_attest_SOURCES = fuzz_attest.c
fuzz_attest_CFLAGS = $(AM_CFLAGS) $(TSS2_ESYS_CFLAGS)
fuzz_attest_LDADD = $(FUZZ_COMMON_LIBS)
endif
