"""What the landing and health pages need."""

from sqlalchemy import text

from caseflow.extensions import db


def database_answers() -> bool:
    """One round trip to the database: the health check a load balancer asks for."""
    return db.session.execute(text("SELECT 1")).scalar() == 1
