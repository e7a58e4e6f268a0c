# libFuzzer harnesses of the PTS, ITA-HSR and segmentation codecs.
if FUZZING
noinst_PROGRAMS += fuzz_pts_attr fuzz_seg
fuzz_pts_attr_SOURCES = fuzz_pts_attr.c
fuzz_pts_attr_LDADD = $(FUZZ_COMMON_LIBS)
fuzz_seg_SOURCES = fuzz_seg.c
fuzz_seg_LDADD = $(FUZZ_COMMON_LIBS)
endif
