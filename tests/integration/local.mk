# Integration test scripts (none yet).
