"""Two people acting on one referral at once: exactly one wins (PostgreSQL row locks)."""

import threading
import time

import pytest
from sqlalchemy import select, text

from caseflow.auth.models import User
from caseflow.domain import InvalidTransition
from caseflow.extensions import db
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.referrals.services import handover
from tests.factories import ReferralFactory, UserFactory, provider_serving


def _waiting_on_a_lock(app) -> bool:
    with app.app_context(), db.engine.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
        )


@pytest.mark.postgres
@pytest.mark.parametrize(("first", "second"), [("accept", "accept"), ("accept", "redirect")])
def test_two_keyworkers_acting_at_once_give_one_winner(committed_app, first, second):
    app = committed_app
    with app.app_context():
        referral = ReferralFactory(status=Status.SENT)
        one = UserFactory(role="keyworker", organisation=referral.provider)
        two = UserFactory(role="keyworker", organisation=referral.provider)
        elsewhere = provider_serving(name="Elsewhere recovery")
        db.session.commit()
        ids = {"referral": referral.id, "one": one.id, "two": two.id, "elsewhere": elsewhere.id}

    first_done = threading.Event()
    release_first = threading.Event()
    outcome: dict = {}

    def act(who: str, action: str, *, hold: bool) -> None:
        with app.app_context():
            actor = db.session.get(User, ids[who])
            arguments = (
                {"provider_id": ids["elsewhere"], "reason": "moved"} if action == "redirect" else {}
            )
            try:
                handover.change_status(actor, ids["referral"], action, **arguments)
                if hold:
                    first_done.set()
                    release_first.wait(10)
                db.session.commit()
                outcome[who] = "won"
            except InvalidTransition as error:
                db.session.rollback()
                outcome[who] = str(error)
            finally:
                first_done.set()
                db.session.remove()

    winner = threading.Thread(target=act, args=("one", first), kwargs={"hold": True})
    loser = threading.Thread(target=act, args=("two", second), kwargs={"hold": False})
    winner.start()
    assert first_done.wait(10)
    loser.start()
    deadline = time.monotonic() + 10
    while not _waiting_on_a_lock(app):
        assert time.monotonic() < deadline, "the second change never waited for the first"
        time.sleep(0.02)
    release_first.set()
    winner.join(10)
    loser.join(10)

    assert outcome["one"] == "won"
    assert outcome["two"] == "This referral has already been accepted."
    with app.app_context():
        stored = db.session.get(Referral, ids["referral"])
        assert stored.status == Status.ACCEPTED
        assert stored.assigned_keyworker_id == ids["one"]
        events = db.session.scalars(
            select(ReferralEvent).where(ReferralEvent.referral_id == ids["referral"])
        ).all()
        assert [event.kind for event in events] == ["accept"]
