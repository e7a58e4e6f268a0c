# imc-test.so (not written yet).
