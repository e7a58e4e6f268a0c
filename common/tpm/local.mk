# Sources of common/tpm/ (none yet).
