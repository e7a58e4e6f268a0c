# Unit tests of the TCG PTS, ITA-HSR and IF-M segmentation codecs (common/pts/).
check_PROGRAMS += test_pts_attr test_ita_attr test_seg
TESTS += test_pts_attr test_ita_attr test_seg
test_pts_attr_SOURCES = test_pts_attr.c test_pts_walk.h
test_pts_attr_LDADD = $(COMMON_LIBS)
test_ita_attr_SOURCES = test_ita_attr.c test_pts_walk.h
test_ita_attr_LDADD = $(COMMON_LIBS)
test_seg_SOURCES = test_seg.c
test_seg_LDADD = $(COMMON_LIBS)
