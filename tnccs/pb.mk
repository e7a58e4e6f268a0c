# PB-TNC (RFC 5793): batch and message codecs, the state machine and the
# Accept-Language values of PB-Language-Preference.
libtnccs_la_SOURCES += \
	pb_batch.c pb_batch.h \
	pb_msg.c pb_msg.h \
	pb_state.c pb_state.h \
	pb_lang.c pb_lang.h
