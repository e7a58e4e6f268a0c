# imv-os.so: the Operating System IMV. The workitem checks also form
# libimvos.la, which the unit tests link directly.
# AM_CFLAGS carries $(MODULE_CFLAGS); automake needs -module spelled out.
# libimvpolicy.la already contains libtnccommon, so the module links only it.
noinst_LTLIBRARIES += os/libimvos.la
os_libimvos_la_SOURCES = os/imv_os_eval.c os/imv_os_eval.h

pkglib_LTLIBRARIES += os/imv-os.la
os_imv_os_la_SOURCES = os/imv_os.c
os_imv_os_la_LDFLAGS = -module $(AM_LDFLAGS) $(MODULE_LDFLAGS) -export-symbols-regex '^TNC_IMV_'
os_imv_os_la_LIBADD = os/libimvos.la libimvpolicy.la
