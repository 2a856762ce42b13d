"""`make bench`: Caseflow's performance benchmark (see ../shared/design/PERFORMANCE.md).

It creates a fresh PostgreSQL database, applies the migrations, bulk-loads a synthetic data set
with a fixed seed (bench.bulk), measures the pages through the Flask test client at two sizes in
the same run (bench.measure), and prints one markdown table of figures, targets and PASS/MISS.

It is a benchmark, not a test: nothing in the test suite times anything.

Environment:
    BENCH_DATABASE_URL  names the two databases to create and drop (its name + _small, _large)
                        (default postgresql://postgres@127.0.0.1:5432/caseflow_bench)
    BENCH_KEEP=1        keep both databases at the end
    BENCH_SCALE         multiplies both sizes (default 1: 2,500 and 25,000 releases)
    BENCH_DASHBOARD_ROUNDS  timed rounds of the continuity dashboard figure (default 20)
"""
