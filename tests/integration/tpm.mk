# TPM attestation end to end (swtpm, tnc-provision, tnc-client with imc-os and
# imc-attestation, tnc-server with imv-os and imv-attestation, tnc-db) on
# loopback. The helpers are in attest-lib.sh, the independent log parser in
# tests/data/e2e/replay.py.
EXTRA_DIST += attest-lib.sh
TESTS += test_attest_e2e.sh
EXTRA_DIST += test_attest_e2e.sh
# SHA-1-only TPM and log, several banks, StartupLocality 3.
TESTS += test_attest_profiles.sh
EXTRA_DIST += test_attest_profiles.sh
# 200 sequential attestations and 20 concurrent endpoints on one server.
TESTS += test_attest_load.sh
# An AK made by FAPI (ak_fapi_path).
TESTS += test_attest_fapi.sh
EXTRA_DIST += test_attest_fapi.sh
EXTRA_DIST += test_attest_load.sh
