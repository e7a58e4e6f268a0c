# Connection teardown off the event loop thread: a killed client's IMV
# teardown waits for a locked config.db without stalling other clients.
TESTS += test_fault_db_teardown.sh
EXTRA_DIST += test_fault_db_teardown.sh
