# The policy manager and tnc-db (none yet).
