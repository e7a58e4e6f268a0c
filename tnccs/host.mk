# The IMC/IMV host (IF-IMC 1.3, IF-IMV 1.4), the tnc_config parser and the
# PB-TNC session that drives them (tnccs_session.h).
libtnccs_la_SOURCES += \
	tnc_config.c tnc_config.h \
	host.c host.h host_internal.h \
	host_conn.c \
	host_imc.c \
	host_imv.c \
	tnccs_session.c tnccs_session.h
