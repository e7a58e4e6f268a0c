TESTS += test_tnc_db.sh
EXTRA_DIST += test_tnc_db.sh
