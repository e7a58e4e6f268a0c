# Fuzz harnesses of this area (none yet), e.g.
# if FUZZING
# noinst_PROGRAMS += fuzz_x
# endif
