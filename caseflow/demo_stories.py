"""The demo people's stories: each planned, then every step of every story run at its moment.

Reception, a case note, the referral drafted, sent and accepted, release, appointments booked
and attended or missed, treatment start: each step goes through the same services as the pages,
with the clock (``dates.clock_at``) set to when it happens, so timelines read as weeks and
months of work. Steps of all stories run in time order, so the audit log's ids and times still
rise together.
"""

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from caseflow.dates import LONDON, clock_at, local_today
from caseflow.demo import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    WEST_MIDLANDS,
    demo_nhs_number,
    demo_prison_number,
)
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.organisations import services as organisations
from caseflow.people import codes, custody
from caseflow.people import services as people
from caseflow.referrals.services import appointments, handover
from caseflow.security.access import Role


def load_people(count: int, users) -> None:
    """People with custody episodes before and after release, through the same services.

    Each person's story (reception, referral drafted, sent, accepted, release, appointments,
    treatment start, case notes) is planned first, then every step of every story runs in time
    order at its own moment (``dates.clock_at``): timelines read as weeks and months of work,
    and the audit log's ids and times still rise together.
    """
    # A fixed seed, so every run builds the same synthetic people; nothing secret comes from it.
    rng = random.Random(20261122)  # noqa: S311  # nosec B311  # repeatable demo data
    prison_staff = [u for u in users if u.role == Role.PRISON_HEALTHCARE]
    probation = next(u for u in users if u.role == Role.PROBATION)
    keyworkers = {u.organisation_id: u for u in users if u.role == Role.KEYWORKER}
    today = local_today()
    latest = utcnow() - timedelta(minutes=5)
    steps: list[tuple[datetime, int, Callable[[], None]]] = []
    used_nhs, used_prison = set(), set()
    for number in range(count):
        actor = probation if number % 10 == 9 else prison_staff[number % len(prison_staff)]
        nhs = demo_nhs_number(rng)
        prison_number = demo_prison_number(rng)
        if nhs in used_nhs or prison_number in used_prison:
            continue
        used_nhs.add(nhs)
        used_prison.add(prison_number)
        story = _plan_story(rng, actor, nhs, prison_number, keyworkers, today)
        for moment, step in _in_order_before(story, latest):
            steps.append((moment, len(steps), step))
    for moment, _, step in sorted(steps, key=lambda entry: entry[:2]):
        with clock_at(moment):
            step()
            db.session.flush()  # defaults and audit seals are taken now, at the step's moment


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A London working-day moment on ``day``, in UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def _in_order_before(story: list[tuple[datetime, Callable[[], None]]], latest: datetime):
    """The story's steps, each strictly after the one before and none after ``latest``: a step
    planned for later than that (a referral to send next week) moves back to just before now."""
    ordered, ceiling = [], latest
    for moment, step in reversed(story):
        moment = min(moment, ceiling)
        ordered.append((moment, step))
        ceiling = moment - timedelta(minutes=1)
    return list(reversed(ordered))


def _plan_story(rng: random.Random, actor, nhs, prison_number, keyworkers, today):
    """The steps of one person's story, each with the moment it happens."""
    state: dict = {}
    in_custody = actor.role == Role.PRISON_HEALTHCARE
    details = dict(
        given_name=rng.choice(GIVEN_NAMES),
        family_name=rng.choice(FAMILY_NAMES),
        date_of_birth=today - timedelta(days=rng.randrange(19 * 365, 60 * 365)),
        nhs_number=nhs if rng.random() < 0.85 else None,
        prison_number=prison_number if in_custody else None,
        crn=f"{rng.choice('BCDX')}{rng.randrange(100000, 1000000)}",
        sex=rng.choice(["male"] * 8 + ["female"] * 2),
        ethnic_group=rng.choice(list(codes.EthnicGroup)),
        flags=[flag for flag in codes.PersonFlag if rng.random() < 0.1],
    )

    def add_person():
        state["person"] = people.create_person(actor, **details)

    if not in_custody:
        return [
            (at(today - timedelta(days=rng.randrange(1, 60)), 11, rng.randrange(60)), add_person)
        ]
    episode = _plan_episode(rng, today)
    # Caseflow has been in use since STARTED_DAYS_AGO: someone received earlier was added then.
    recorded = max(episode["reception_date"], today - timedelta(days=STARTED_DAYS_AGO - 1))
    episode["last_dose_date"] = None if episode["opioid_substitution"] == "none" else recorded
    release_facts = episode.pop("release")

    def add_episode():
        state["episode"] = custody.add_custody_episode(actor, state["person"].id, **episode)

    story = [(at(recorded, 10, rng.randrange(60)), add_person)]
    story.append((at(recorded, 11, rng.randrange(60)), add_episode))
    note_day = recorded + timedelta(days=rng.randrange(1, 15))
    story.append((at(note_day, 14, rng.randrange(60)), _note(actor, state, RECEPTION_NOTE)))
    expected = episode["expected_release_date"]
    if release_facts is not None:

        def release():
            found = state["episode"]
            state["episode"] = custody.record_release(
                actor, state["person"].id, found.id, version=found.version, **release_facts
            )

        story.append((at(expected, 9, rng.randrange(60)), release))
    story.extend(_plan_referral(rng, actor, state, episode, release_facts, keyworkers, today))
    return sorted(story, key=lambda entry: entry[0])


def _note(actor, state, text):
    return lambda: people.add_case_note(actor, state["person"].id, text=text)


RECEPTION_NOTE = "Demo: seen on the wing; wants treatment arranged before release."
AFTER_RELEASE_NOTE = "Demo: started treatment; keeping in touch weekly."
STARTED_DAYS_AGO = 200


def _plan_episode(rng: random.Random, today) -> dict:
    released = rng.random() < 0.5
    if released:
        expected = today - timedelta(days=rng.randrange(0, 120))
    else:
        expected = today + timedelta(days=rng.randrange(1, 140))
    reception = min(today, expected) - timedelta(days=rng.randrange(30, 700))
    substance = rng.choice(list(codes.SubstanceGroup))
    opioid = rng.choice(["none", "none", "methadone", "buprenorphine", "lai_buprenorphine"])
    if substance != codes.SubstanceGroup.OPIATE:
        # Opioid substitution treats opiate dependence: nobody whose substance group is
        # alcohol or non-opiates only is on methadone or buprenorphine.
        opioid = codes.OpioidSubstitution.NONE
    return dict(
        reception_date=reception,
        expected_release_date=expected,
        destination_local_authority_code=rng.choice(list(WEST_MIDLANDS)),
        accommodation_on_release=rng.choice(list(codes.Accommodation)),
        treatment_need=rng.choice(["in_treatment", "in_treatment", "assessed_need", "no_need"]),
        substance_group=substance,
        opioid_substitution=opioid,
        naloxone_issued=rng.random() < 0.7,
        bridging_prescription=rng.random() < 0.3,
        release=None
        if not released
        else dict(
            actual_release_date=expected,
            release_type=rng.choice(
                ["licence", "licence", "sentence_end", "home_detention_curfew"]
            ),
            unplanned_release=False,
            reason="Released as planned (demo data)",
        ),
    )


def _plan_referral(rng: random.Random, actor, state, episode, release_facts, keyworkers, today):
    """Most people with a treatment need are referred; nearly all referrals are sent and
    accepted. The draft is written a week or three before release, sent within days, accepted a
    day or two later, when the keyworker books the first appointment; after release the person
    comes to it or misses it (``_plan_appointments``)."""
    if episode["treatment_need"] == "no_need" or rng.random() > 0.9:
        return []
    provider = organisations.providers_serving(episode["destination_local_authority_code"])[0]
    expected = episode["expected_release_date"]
    drafted = expected - timedelta(days=rng.randrange(8, 22))
    if drafted >= today:
        drafted = today - timedelta(days=rng.randrange(3, 20))  # referred early: a long wait
    sent = drafted + timedelta(days=rng.randrange(0, 4))
    accepted = sent + timedelta(days=rng.randrange(1, 3))

    def draft():
        state["referral"] = handover.create_referral(
            actor,
            state["person"].id,
            provider_id=provider.id,
            consent="given",
            substance_group=episode["substance_group"],
            opioid_medicine=episode["opioid_substitution"],
            opioid_dose="60ml daily" if episode["opioid_substitution"] == "methadone" else None,
            # The latest dose given in custody: the day the referral is written.
            last_dose_date=None if episode["opioid_substitution"] == "none" else drafted,
            bridging_prescription=episode["bridging_prescription"],
            long_acting_injectable=episode["opioid_substitution"] == "lai_buprenorphine",
            naloxone_on_release=episode["naloxone_issued"],
            risks="Demo: overdose risk after release",
            contact_after_release="Demo: via probation",
        )

    story = [(at(drafted, 10, rng.randrange(60)), draft)]
    if rng.random() < 0.05:
        return story  # left as a draft
    story.append((at(sent, 15, rng.randrange(60)), _act(actor, state, "send")))
    keyworker = keyworkers[provider.id]
    if rng.random() < 0.1:
        return story  # waiting to be accepted
    story.append((at(accepted, 11, rng.randrange(60)), _act(keyworker, state, "accept")))
    released = release_facts is not None
    story.extend(_plan_appointments(rng, keyworker, state, expected, accepted, released, today))
    return story


def _act(user, state, action, **inputs):
    return lambda: handover.change_status(user, state["referral"].id, action, **inputs)


def _plan_appointments(
    rng: random.Random, keyworker, state, release_day, accepted, released, today
):
    """The keyworker books a first appointment when accepting, for the first week after release
    (one time in five weeks later: no place in time). The person attends it or misses it; a
    missed one is booked again a week or so on, up to three times. Treatment starts at the first
    appointment attended, and a note follows; an appointment from today on stays booked."""
    if rng.random() < 0.8:
        day = release_day + timedelta(days=rng.randrange(0, 8))
    else:
        day = release_day + timedelta(days=rng.randrange(22, 40))
    booked_at = at(accepted, 12, rng.randrange(60))
    steps = []
    for attempt in range(3):
        steps.append((booked_at, _book(keyworker, state, day)))
        if not released or day >= today:
            return steps  # the day is still to come (or the release is): booked, no more
        attended = rng.random() < (0.7 if attempt == 0 else 0.55)
        outcome = "attended" if attended else "did_not_attend"
        steps.append((at(day, 14, rng.randrange(30)), _attendance(keyworker, state, outcome)))
        if attended:
            engage = _act(keyworker, state, "engage", treatment_start_date=day)
            steps.append((at(day, 16, rng.randrange(60)), engage))
            later = at(day + timedelta(days=rng.randrange(1, 8)), 12, rng.randrange(60))
            steps.append((later, _note(keyworker, state, AFTER_RELEASE_NOTE)))
            return steps
        booked_at = at(day, 14, 30 + rng.randrange(30))
        day += timedelta(days=rng.randrange(5, 12))
    return steps


def _book(keyworker, state, day):
    def book():
        state["appointment"] = appointments.book_appointment(
            keyworker, state["referral"].id, appointment_date=day, appointment_time="10:30"
        )

    return book


def _attendance(keyworker, state, outcome):
    return lambda: appointments.record_attendance(
        keyworker, state["appointment"].id, outcome=outcome
    )
