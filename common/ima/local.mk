# Sources of common/ima/ (none yet).
