# TPM 2.0 access through tpm2-tss.
libtnccommon_la_SOURCES += tpm/tpm.c tpm/tpm.h
