# TCG PTS, IF-M segmentation and ITA-HSR attribute codecs, the segmentation
# engine and the registry table of these namespaces.
libtnccommon_la_SOURCES += \
	pts/pts_attr.c pts/pts_attr.h \
	pts/pts_caps.c pts/pts_caps.h \
	pts/pts_meas_algo.c pts/pts_meas_algo.h \
	pts/pts_dh.c pts/pts_dh.h \
	pts/pts_tpm.c pts/pts_tpm.h \
	pts/pts_comp.c pts/pts_comp.h \
	pts/pts_sce.c pts/pts_sce.h \
	pts/pts_sef.c pts/pts_sef.h \
	pts/pts_file.c pts/pts_file.h \
	pts/pts_verif.c pts/pts_verif.h \
	pts/ita_attr.c pts/ita_attr.h \
	pts/seg_attr.c pts/seg_attr.h \
	pts/seg_contract.c pts/seg_contract.h \
	pts/seg_engine.c pts/seg_engine.h \
	pts/pts_attr_info.c pts/pts_attr_info.h
