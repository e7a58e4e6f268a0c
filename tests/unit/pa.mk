# Unit tests of the PA-TNC layer (common/pa/).
check_PROGRAMS += test_pa_msg test_pa_registry test_ietf_attrs
TESTS += test_pa_msg test_pa_registry test_ietf_attrs
test_pa_msg_SOURCES = test_pa_msg.c
test_pa_msg_LDADD = $(COMMON_LIBS)
test_pa_registry_SOURCES = test_pa_registry.c
test_pa_registry_LDADD = $(COMMON_LIBS) -lpthread
test_ietf_attrs_SOURCES = test_ietf_attrs.c
test_ietf_attrs_LDADD = $(COMMON_LIBS)
