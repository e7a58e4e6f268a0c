# Benchmarks (none yet). Add each to EXTRA_PROGRAMS and bench_targets.
