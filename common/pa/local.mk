# Sources of common/pa/ (none yet).
