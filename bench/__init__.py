"""`make bench`: Caseflow's performance benchmark (see ../shared/design/PERFORMANCE.md).

It creates a fresh PostgreSQL database, applies the migrations, bulk-loads a synthetic data set
with a fixed seed (bench.bulk) and five years of audit log sealed into the chain
(bench.audit_history), measures the pages through the Flask test client at two sizes in
the same run (bench.measure), and prints one markdown table of figures, targets and PASS/MISS.

It is a benchmark, not a test: nothing in the test suite times anything.

Environment:
    BENCH_DATABASE_URL  names the two databases to create and drop (its name + _small, _large)
                        (default postgresql://postgres@127.0.0.1:5432/caseflow_bench)
    BENCH_KEEP=1        keep both databases at the end, with the files that serve each beside
                        them in BENCH_KEEP_DIR (default instance/bench; see bench/kept.py)
    BENCH_SCALE         multiplies both sizes (default 1: 2,500 and 25,000 releases)
    BENCH_DASHBOARD_ROUNDS  timed rounds of the continuity dashboard figure (default 20)
    BENCH_AUDIT_ROWS_PER_RELEASE  audit rows loaded per release (default 42: 10.5M at 250,000)
    BENCH_VERIFY_WHOLE=1  verify the whole audit chain at both sizes (default: the whole chain
                        up to 200,000 rows, 40 windows of 2,500 rows past that)
"""
