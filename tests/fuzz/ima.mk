# Fuzz harness of common/ima (binary and text measurement lists).
if FUZZING
noinst_PROGRAMS += fuzz_ima
fuzz_ima_SOURCES = fuzz_ima.c
fuzz_ima_LDADD = $(FUZZ_COMMON_LIBS)
endif
