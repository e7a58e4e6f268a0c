# imv-attestation.so (not written yet).
