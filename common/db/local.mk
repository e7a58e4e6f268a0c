# Sources of common/db/ (none yet).
