# imv-attestation.so, the TCG PTS attestation IMV. Its code is a convenience
# library too, so the unit tests can call its steps directly; the module
# exports only the TNC_IMV_* entry points.
noinst_LTLIBRARIES += attestation/libimvatt.la
attestation_libimvatt_la_SOURCES = \
	attestation/imvatt.h \
	attestation/imv_attestation.c \
	attestation/imvatt_ak.c \
	attestation/imvatt_compare.c \
	attestation/imvatt_conf.c \
	attestation/imvatt_evidence.c \
	attestation/imvatt_files.c \
	attestation/imvatt_ima.c \
	attestation/imvatt_pts.c \
	attestation/imvatt_result.c
attestation_libimvatt_la_CFLAGS = $(AM_CFLAGS) $(TSS2_MU_CFLAGS)
attestation_libimvatt_la_LIBADD = libimvpolicy.la

pkglib_LTLIBRARIES += attestation/imv-attestation.la
attestation_imv_attestation_la_SOURCES =
attestation_imv_attestation_la_LDFLAGS = $(AM_LDFLAGS) -module $(MODULE_LDFLAGS) -export-symbols-regex '^TNC_IMV_'
attestation_imv_attestation_la_LIBADD = attestation/libimvatt.la
