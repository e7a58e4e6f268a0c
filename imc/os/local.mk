# imc-os.so: the Operating System IMC. Its sources also form libimcos.la,
# which the unit tests link to reach the attribute sources directly.
# AM_CFLAGS carries $(MODULE_CFLAGS); automake needs -module spelled out.
noinst_LTLIBRARIES += os/libimcos.la
os_libimcos_la_SOURCES = \
	os/imc_os_info.c os/imc_os_info.h \
	os/imc_os_device.c os/imc_os_device.h \
	os/imc_os_attrs.c os/imc_os_attrs.h

pkglib_LTLIBRARIES += os/imc-os.la
os_imc_os_la_SOURCES = os/imc_os.c
os_imc_os_la_LDFLAGS = -module $(AM_LDFLAGS) $(MODULE_LDFLAGS) -export-symbols-regex '^TNC_IMC_'
os_imc_os_la_LIBADD = os/libimcos.la $(top_builddir)/common/libtnccommon.la
