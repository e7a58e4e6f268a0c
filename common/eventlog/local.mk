# Sources of common/eventlog/ (none yet).
