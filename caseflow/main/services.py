"""What the landing and health pages need."""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from caseflow.extensions import db


def database_answers() -> bool:
    """One round trip to the database: the health check a load balancer asks for.

    False when the database cannot be reached or refuses, so the load balancer is told this
    server cannot serve (503) rather than shown an error; the next check tries again on a fresh
    connection (pool_pre_ping).
    """
    try:
        return db.session.execute(text("SELECT 1")).scalar() == 1
    except SQLAlchemyError:
        db.session.rollback()
        return False
