# Sources of common/pts/ (none yet).
