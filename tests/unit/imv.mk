check_PROGRAMS += test_policy_manager
TESTS += test_policy_manager
test_policy_manager_SOURCES = test_policy_manager.c
test_policy_manager_LDADD = $(top_builddir)/imv/libimvpolicy.la $(COMMON_LIBS) -lpthread
