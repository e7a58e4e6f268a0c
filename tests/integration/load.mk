# Load and fault tests (none yet).
