# PA-TNC (RFC 5792): message and attribute codecs, the attribute registry and
# the IETF attributes.
libtnccommon_la_SOURCES += \
	pa/pa_attr_info.h \
	pa/pa_codec.h \
	pa/pa_msg.c pa/pa_msg.h \
	pa/pa_registry.c pa/pa_registry.h \
	pa/ietf_attr.c pa/ietf_attr.h \
	pa/ietf_pa_tnc_error.c pa/ietf_pa_tnc_error.h \
	pa/ietf_attr_request.c pa/ietf_attr_request.h \
	pa/ietf_product_info.c pa/ietf_product_info.h \
	pa/ietf_numeric_version.c pa/ietf_numeric_version.h \
	pa/ietf_string_version.c pa/ietf_string_version.h \
	pa/ietf_op_status.c pa/ietf_op_status.h \
	pa/ietf_port_filter.c pa/ietf_port_filter.h \
	pa/ietf_installed_packages.c pa/ietf_installed_packages.h \
	pa/ietf_assessment_result.c pa/ietf_assessment_result.h \
	pa/ietf_remediation.c pa/ietf_remediation.h \
	pa/ietf_forwarding_enabled.c pa/ietf_forwarding_enabled.h \
	pa/ietf_factory_default_pwd.c pa/ietf_factory_default_pwd.h
