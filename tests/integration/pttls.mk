# Integration scripts of this area (none yet).
