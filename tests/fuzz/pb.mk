# PB-TNC batch parser; seed corpus: the 22 batches of two strongSwan 6.0.6 sessions.
if FUZZING
noinst_PROGRAMS += fuzz_pb_batch
fuzz_pb_batch_SOURCES = fuzz_pb_batch.c
fuzz_pb_batch_LDADD = $(FUZZ_TNCCS_LIBS) $(FUZZ_COMMON_LIBS)
endif
