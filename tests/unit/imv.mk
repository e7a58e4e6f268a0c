check_PROGRAMS += test_policy_manager
TESTS += test_policy_manager
test_policy_manager_SOURCES = test_policy_manager.c
test_policy_manager_LDADD = $(top_builddir)/imv/libimvpolicy.la $(COMMON_LIBS) -lpthread

# imv-os: the workitem checks against a real config.db, and the built
# imv-os.so driven through IF-IMV by a recording TNCS (TOP_BUILDDIR).
check_PROGRAMS += test_imv_os
TESTS += test_imv_os
test_imv_os_SOURCES = test_imv_os.c
test_imv_os_LDADD = $(top_builddir)/imv/os/libimvos.la $(top_builddir)/imv/libimvpolicy.la $(COMMON_LIBS) -lpthread
