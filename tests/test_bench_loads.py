"""`make bench` is not part of `make test` (it times things), but it must keep loading: its bulk
path builds the same rows the services write, from the same code lists and models."""

import importlib


def test_the_benchmark_modules_import():
    for name in ("bench.bulk", "bench.measure"):
        assert importlib.import_module(name).__name__ == name
