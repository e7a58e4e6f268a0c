# imv-os.so (not written yet).
