# PT-TLS (RFC 6876): the message codec, the protocol state machine of one
# connection, SASL PLAIN and the OpenSSL set-up.
libtnccs_la_SOURCES += \
	pttls_msg.c pttls_msg.h \
	pttls_sasl.c pttls_sasl.h \
	pttls_conn.c pttls_conn.h \
	pttls_tls.c pttls_tls.h
