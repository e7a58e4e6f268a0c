# Linux IMA measurement lists: parsers, template hashes, PCR 10 replay,
# boot_aggregate and verification against reference digests.
libtnccommon_la_SOURCES += \
	ima/ima.h ima/ima_internal.h \
	ima/ima_list.c \
	ima/ima_ascii.c \
	ima/ima_template.c \
	ima/ima_replay.c \
	ima/ima_boot.c \
	ima/ima_refs.c
