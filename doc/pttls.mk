# Documentation of this area (none yet).
