# A short run of the benchmarks, so that they keep working (nothing timed).
TESTS += test_bench_smoke.sh
EXTRA_DIST += test_bench_smoke.sh
