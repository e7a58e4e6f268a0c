# imv-test.so (not written yet).
