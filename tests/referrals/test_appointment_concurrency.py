"""Two keyworkers changing one booked appointment at once: exactly one wins, and the other is
told what became of it (PostgreSQL row locks)."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.dates import local_today
from caseflow.domain import InvalidTransition
from caseflow.extensions import db
from caseflow.referrals.models import Appointment, ReferralEvent
from caseflow.referrals.services import appointments
from tests.factories import AppointmentFactory, UserFactory
from tests.referrals.test_concurrency import _waiting_on_a_lock


@pytest.mark.postgres
@pytest.mark.parametrize(("first", "second"), [("cancel", "move"), ("move", "cancel")])
def test_two_keyworkers_changing_one_appointment_at_once_give_one_winner(
    committed_app, first, second
):
    app = committed_app
    with app.app_context():
        appointment = AppointmentFactory(appointment_date=local_today() + timedelta(days=2))
        provider = appointment.referral.provider
        one = UserFactory(role="keyworker", organisation=provider)
        two = UserFactory(role="keyworker", organisation=provider)
        db.session.commit()
        ids = {
            "appointment": appointment.id,
            "referral": appointment.referral_id,
            "one": one.id,
            "two": two.id,
        }

    first_done = threading.Event()
    release_first = threading.Event()
    outcome: dict = {}

    def act(who: str, change: str, *, hold: bool) -> None:
        with app.app_context():
            actor = db.session.get(User, ids[who])
            try:
                if change == "cancel":
                    appointments.cancel_appointment(actor, ids["appointment"], reason="Closed")
                else:
                    appointments.move_appointment(
                        actor,
                        ids["appointment"],
                        appointment_date=local_today() + timedelta(days=9),
                        appointment_time=None,
                    )
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

    told = {
        "cancel": "This appointment was cancelled.",
        "move": "This appointment was moved: the new one is in the list.",
    }
    assert outcome == {"one": "won", "two": told[first]}
    with app.app_context():
        stored = db.session.scalars(
            select(Appointment).where(Appointment.referral_id == ids["referral"])
        ).all()
        history = db.session.scalars(
            select(ReferralEvent.kind).where(ReferralEvent.referral_id == ids["referral"])
        ).all()
        if first == "cancel":
            assert [a.outcome for a in stored] == ["cancelled"]
            assert history == ["appointment_cancelled"]
        else:
            assert sorted(a.outcome for a in stored) == ["offered", "rebooked"]
            assert history == ["appointment_moved"]
