"""Hypothesis settings for the security tests (SECURITY.md, Tooling).

"ci": a fixed budget of examples, the same examples every run (derandomize), no deadline (a
request on a loaded 2-core runner can take longer than Hypothesis's 200 ms default), and no
example database written into the working tree. Tests here use the suite's function-scoped
fixtures (the rolled-back transaction, signed-in clients) across all their examples on purpose.

Set HYPOTHESIS_PROFILE=dev for a longer, randomised local run.
"""

import os

from hypothesis import HealthCheck, settings

FUNCTION_SCOPED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=FUNCTION_SCOPED,
)
settings.register_profile(
    "dev",
    max_examples=200,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=FUNCTION_SCOPED,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
