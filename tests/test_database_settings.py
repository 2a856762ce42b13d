"""How Caseflow's connections to PostgreSQL are set up."""

import pytest
from sqlalchemy import text

from caseflow.extensions import db


@pytest.mark.postgres
def test_postgres_compiles_no_query_with_jit(app):
    # The measure's cohort query spent over ten times longer JIT-compiling than running (make
    # bench): every connection the app opens has it off.
    assert db.session.execute(text("SHOW jit")).scalar() == "off"
