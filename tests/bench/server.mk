# Benchmarks of this area (none yet).
