# Byte reader and writer, result codes, logging, configuration.
libtnccommon_la_SOURCES += \
	ts_error.c ts_error.h \
	reader.c reader.h \
	writer.c writer.h \
	log.c log.h \
	conf.c conf.h \
	conn_table.c conn_table.h \
	tnc_agent.c tnc_agent.h \
	agent_msg.c agent_msg.h
