# tnc-eventlog on real event logs from tests/data/eventlog.
TESTS += test_eventlog.sh
EXTRA_DIST += test_eventlog.sh
