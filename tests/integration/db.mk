TESTS += test_tnc_db.sh
EXTRA_DIST += test_tnc_db.sh
# imc-os against imv-os through tnc-client and tnc-server on loopback.
TESTS += test_os_e2e.sh
EXTRA_DIST += test_os_e2e.sh
