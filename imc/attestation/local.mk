# imc-attestation.so (not written yet).
