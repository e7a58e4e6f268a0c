# Sources of common/attest/ (none yet).
