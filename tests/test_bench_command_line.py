"""`make bench` prints the settings it ran with beside its table (README copies it): a database
address may hold a password, so none of the bench's database URLs is ever printed."""

from bench import measure


def test_the_command_names_the_run_s_settings_but_no_database_address(monkeypatch):
    secret = "postgresql://bench:s3cret-password@db.internal:5432/caseflow_bench"
    for name in ("BENCH_DATABASE_URL", "BENCH_AUDIT_URL", "BENCH_PARTITIONS_URL"):
        monkeypatch.setenv(name, secret)
    monkeypatch.setenv("BENCH_SCALE", "10")

    shown = measure.command()

    assert "s3cret-password" not in shown
    assert "_URL" not in shown
    assert "BENCH_SCALE=10" in shown
    assert shown.endswith("make bench")
