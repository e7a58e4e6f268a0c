# imc-attestation.so, the TCG PTS attestation IMC, and tnc-provision, which
# creates its attestation key. The module exports only TNC_IMC_* (libtool
# keeps every other symbol of the static libtnccommon local).
pkglib_LTLIBRARIES += imc-attestation.la
imc_attestation_la_SOURCES = \
	attestation/imc_attestation.c \
	attestation/imcatt.h \
	attestation/imcatt_conf.c attestation/imcatt_conf.h \
	attestation/imcatt_reply.c \
	attestation/imcatt_pts.c \
	attestation/imcatt_evidence.c \
	attestation/imcatt_files.c
imc_attestation_la_CFLAGS = $(AM_CFLAGS) $(MODULE_CFLAGS)
imc_attestation_la_LDFLAGS = $(AM_LDFLAGS) -module $(MODULE_LDFLAGS) -export-symbols-regex '^TNC_IMC_'
imc_attestation_la_LIBADD = $(top_builddir)/common/libtnccommon.la

# Own directory variables, so no other fragment's bin_PROGRAMS is needed.
imcattbindir = $(bindir)
imcattbin_PROGRAMS = tnc-provision
tnc_provision_SOURCES = attestation/tnc_provision_cli.c \
	attestation/tnc_provision.c attestation/tnc_provision.h \
	attestation/imcatt_conf.c attestation/imcatt_conf.h
tnc_provision_CFLAGS = $(TS_CFLAGS) $(OPENSSL_CFLAGS) $(TSS2_ESYS_CFLAGS) $(TSS2_MU_CFLAGS)
tnc_provision_LDADD = $(top_builddir)/common/libtnccommon.la

imcattman8dir = $(mandir)/man8
dist_imcattman8_DATA = attestation/tnc-provision.8
