# imc-os.so (not written yet).
