"""Worklists: who needs acting on, soonest first. Sorted, filtered and paged in SQL.

Names are encrypted and cannot be sorted, so lists sort by dates (days left follows the release
date), status and organisation; only the rows on the page shown are decrypted.
"""

from datetime import date, timedelta

from sqlalchemy import (
    Select,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import contains_eager, joinedload, load_only

from caseflow import worklist_tabs as worklist_tabs_index
from caseflow.dates import local_today
from caseflow.domain import NotFound
from caseflow.extensions import db
from caseflow.kept_statements import same_sql
from caseflow.organisations.models import organisation_areas
from caseflow.paging import Page
from caseflow.people.codes import COMMUNITY_TREATMENT_NEEDS
from caseflow.people.models import CustodyEpisode
from caseflow.referrals.clock import WINDOW_DAYS, breached_sql, running_sql
from caseflow.referrals.codes import LIVE_STATUSES, SENT_STATUSES, AppointmentOutcome, Status
from caseflow.referrals.models import Appointment, Referral, ReferralEvent
from caseflow.referrals.worklist_pages import (
    PERSON_SHOWN,
    REFERRAL_SHOWN,
    built_once,
    episode_shown,
    list_page,
    release_shown,
    worked_page,
)
from caseflow.security.access import Role
from caseflow.security.scope import caseload_people, scope_key, viewing, visible_referrals

RELEASING_WITHIN = timedelta(weeks=12)
BREACH_LOOKBACK = timedelta(days=90)


def _first_start(episode_id_column):
    """The release's first treatment start, on any of its referrals (None while none has one):
    the clock belongs to the release, so a late start on any referral is a late start."""
    return (
        select(func.min(Referral.treatment_start_date))
        .where(Referral.episode_id == episode_id_column)
        .scalar_subquery()
    )


def _sent_referral(episode_id_column):
    return exists().where(
        Referral.episode_id == episode_id_column, Referral.status.in_(SENT_STATUSES)
    )


def releasing_without_referral(user, *, page: int = 1, today: date | None = None) -> Page:
    """Releasing within 12 weeks, with a treatment need, and no referral sent."""
    today = today or local_today()

    def conditions():
        return (
            CustodyEpisode.actual_release_date.is_(None),
            CustodyEpisode.expected_release_date.is_not(None),
            CustodyEpisode.expected_release_date <= today + RELEASING_WITHIN,
            CustodyEpisode.treatment_need.in_(COMMUNITY_TREATMENT_NEEDS),
            ~_sent_referral(CustodyEpisode.id),
        )

    return worked_page(
        user, ("releasing", today), conditions, CustodyEpisode.expected_release_date, page
    )


def sent_not_accepted(user, *, page: int = 1) -> Page:
    return _referral_page(
        user,
        "awaiting-acceptance",
        lambda query: query.where(
            Referral.referring_organisation_id == user.organisation_id,
            Referral.status == Status.SENT,
        ).order_by(Referral.sent_at, Referral.id),
        page,
    )


def clock_running(user, *, page: int = 1, today: date | None = None) -> Page:
    """Released within 21 days with no treatment start: the people to act on now. A release
    type with no community clock (another secure setting, deported, outside England) is not
    on it (``clock.running_sql``)."""
    today = today or local_today()

    def conditions():
        return (
            running_sql(
                CustodyEpisode.actual_release_date,
                _first_start(CustodyEpisode.id),
                today,
                release_type=CustodyEpisode.release_type,
            ),
            CustodyEpisode.treatment_need.in_(COMMUNITY_TREATMENT_NEEDS),
        )

    return worked_page(
        user, ("clock-running", today), conditions, CustodyEpisode.actual_release_date, page
    )


# Keyworkers --------------------------------------------------------------------------------


def _referrals_shown(other_end) -> Select:
    return (
        select(Referral)
        # An outer join: a community referral has no custody episode, and is listed last.
        .outerjoin(Referral.episode)
        .options(
            load_only(*REFERRAL_SHOWN),
            contains_eager(Referral.episode).load_only(*release_shown(CustodyEpisode)),
            joinedload(Referral.person).load_only(*PERSON_SHOWN),
            # The other end of the handover, which each row names (the viewer's own end is the
            # viewer's organisation on every row of the list): loaded with the rows, not one
            # query per organisation as the page is drawn.
            joinedload(other_end),
        )
    )


def _referral_page(user, name: str, listed, page: int, *, other_end=Referral.provider) -> Page:
    """A page of the referrals listed(query) keeps of those the user may see, with the other end
    of each handover from the user's organisation. What listed adds names nothing but the user's
    organisation, so the statement is built once for the list and everyone with the user's
    scope key, the scope rule's condition kept in it with the viewer as a parameter."""
    return list_page(
        lambda: listed(_referrals_shown(other_end)).where(visible_referrals(user, kept=True)),
        page,
        {},
        key=(name, scope_key(user)),
        params=viewing(user),
    )


_BY_DAYS_LEFT = (
    CustodyEpisode.actual_release_date.is_(None),
    CustodyEpisode.actual_release_date,
    CustodyEpisode.expected_release_date,
    Referral.id,
)


def incoming(user, *, page: int = 1) -> Page:
    return _referral_page(
        user,
        "incoming",
        lambda query: query.where(
            Referral.provider_id == user.organisation_id, Referral.status == Status.SENT
        ).order_by(*_BY_DAYS_LEFT),
        page,
        other_end=Referral.referring_organisation,
    )


def accepted_without_start(user, *, page: int = 1) -> Page:
    """Sorted by days left: the earliest release first; not yet released last."""
    return _referral_page(
        user,
        "accepted",
        lambda query: query.where(
            Referral.provider_id == user.organisation_id, Referral.status == Status.ACCEPTED
        ).order_by(*_BY_DAYS_LEFT),
        page,
        other_end=Referral.referring_organisation,
    )


def in_treatment(user, *, page: int = 1) -> Page:
    """The provider's people in treatment (engaged referrals): the longest in treatment first,
    the ones nearest handing on to routine care."""
    return _referral_page(
        user,
        "in-treatment",
        lambda query: query.where(
            Referral.provider_id == user.organisation_id, Referral.status == Status.ENGAGED
        ).order_by(Referral.treatment_start_date, Referral.id),
        page,
        other_end=Referral.referring_organisation,
    )


def redirected_elsewhere(user, *, page: int = 1) -> Page:
    """Referrals this provider passed to another or rejected: its own part of the history,
    without the person, whom it no longer has a relationship with. Its own records, so no
    condition of the scope rule: the statement is built once for the organisation and page."""

    def query() -> Select:
        return (
            select(ReferralEvent)
            .options(
                joinedload(ReferralEvent.referral).joinedload(Referral.provider),
                joinedload(ReferralEvent.referral).joinedload(Referral.referring_organisation),
            )
            .where(
                or_(
                    and_(
                        ReferralEvent.kind == "redirect",
                        ReferralEvent.from_provider_id == user.organisation_id,
                    ),
                    and_(
                        ReferralEvent.kind == "reject",
                        ReferralEvent.organisation_id == user.organisation_id,
                    ),
                )
            )
            .order_by(ReferralEvent.occurred_at.desc(), ReferralEvent.id)
        )

    return list_page(query, page, {}, key=("redirected", user.organisation_id))


def appointments_this_week(user, *, page: int = 1, today: date | None = None) -> Page:
    """This week's appointments that are happening or happened: not one cancelled, nor one
    moved to another day (its new booking is listed on its own day)."""
    today = today or local_today()
    monday = today - timedelta(days=today.weekday())

    def query() -> Select:
        return (
            select(Appointment)
            .join(Appointment.referral)
            # Each row shows the referral's person, clock (its release) and where it came from.
            .options(
                contains_eager(Appointment.referral).options(
                    joinedload(Referral.person),
                    joinedload(Referral.episode),
                    joinedload(Referral.referring_organisation),
                )
            )
            .where(
                Referral.provider_id == user.organisation_id,
                Appointment.outcome.not_in(
                    (AppointmentOutcome.CANCELLED, AppointmentOutcome.REBOOKED)
                ),
                Appointment.appointment_date >= monday,
                Appointment.appointment_date < monday + timedelta(days=7),
            )
            .order_by(Appointment.appointment_date, Appointment.appointment_time, Appointment.id)
        )

    return list_page(
        lambda: query().where(visible_referrals(user, kept=True)),
        page,
        {},
        key=("appointments", scope_key(user), monday),
        params=viewing(user),
    )


# Managers ----------------------------------------------------------------------------------

FLAGS = {
    "all": "All cases at risk",
    "day7": "Day 7 or more without treatment",
    "day14": "Day 14 or more without treatment",
    "day21": "Day 21 (last day)",
    "breached": "Breached (not started by day 21)",
}


def area_at_risk(
    user,
    *,
    flag: str = "all",
    local_authority: str | None = None,
    page: int = 1,
    today: date | None = None,
) -> Page:
    """Every case in the partnership's area whose clock is running, and recent breaches: not
    started by day 21, so a late start (day 22 or later) is a breach too. Release types with
    no community clock are on neither (``clock.running_sql``, ``clock.breached_sql``)."""
    today = today or local_today()
    flag = flag if flag in FLAGS else "all"
    caseload = caseload_people(user)

    def query() -> Select:
        released = CustodyEpisode.actual_release_date
        first_start = _first_start(CustodyEpisode.id)
        release_type = CustodyEpisode.release_type
        areas = select(organisation_areas.c.local_authority_code).where(
            organisation_areas.c.organisation_id == user.organisation_id
        )
        running = running_sql(released, first_start, today, release_type=release_type)
        breached = and_(
            breached_sql(released, first_start, today, release_type=release_type),
            released >= today - BREACH_LOOKBACK,
        )
        by_flag = {
            "all": or_(running, breached),
            "day7": and_(running, released <= today - timedelta(days=7)),
            "day14": and_(running, released <= today - timedelta(days=14)),
            "day21": and_(running, released == today - timedelta(days=WINDOW_DAYS)),
            "breached": breached,
        }
        query = (
            select(CustodyEpisode)
            .join(CustodyEpisode.person)
            .options(*episode_shown(CustodyEpisode))
            .where(
                caseload,
                CustodyEpisode.destination_local_authority_code.in_(areas),
                CustodyEpisode.treatment_need.in_(COMMUNITY_TREATMENT_NEEDS),
                by_flag[flag],
            )
            # Cases that can still be saved first, fewest days left first; breaches after them.
            .order_by(case((breached, 1), else_=0), released, CustodyEpisode.id)
        )
        if local_authority:
            query = query.where(CustodyEpisode.destination_local_authority_code == local_authority)
        return query

    filters = {"flag": flag, "local_authority": local_authority or ""}
    caseload_sql = same_sql(caseload)
    if caseload_sql is None:  # a condition SQLAlchemy cannot key is built on each request
        return list_page(query(), page, filters)
    key = ("at-risk", caseload_sql, user.organisation_id, today, flag, local_authority or "")
    return list_page(query, page, filters, key=key)


def offered_filters(user, name: str, args) -> dict[str, str | None]:
    """A worklist's filters from its query string, as the codes the page offers.

    Anything the page did not offer (an unknown flag, another partnership's area, 6,000
    characters) means the filter's default, so nothing typed into the address reaches the list's
    query or its audit row.
    """
    if name != "at-risk":
        return {}
    flag = args.get("flag")
    area = args.get("local_authority")
    area_codes = {authority.ons_code for authority in user.organisation.areas}
    return {
        "flag": flag if flag in FLAGS else "all",
        "local_authority": area if area in area_codes else None,
    }


def latest_referrals(user, episode_ids: list) -> dict:
    """The referral of each episode shown that the viewer may see, in one query: the live one
    (there is at most one per release), else the most recent. Another team's draft, or a
    referral given back, says nothing to a list. A list of releases shows of it its status, its
    reference and its treatment start (the clock), so neither end of the handover is read."""
    if not episode_ids:
        return {}
    shown = built_once(
        ("latest referrals",),
        lambda: (
            select(Referral)
            .options(load_only(*REFERRAL_SHOWN))
            # The last of each episode wins below: ended referrals first, then the live one.
            .order_by(case((Referral.status.in_(LIVE_STATUSES), 1), else_=0), Referral.created_at)
        ),
    )
    referrals = db.session.scalars(
        shown.where(Referral.episode_id.in_(episode_ids), visible_referrals(user))
    )
    return {referral.episode_id: referral for referral in referrals}


# The lists, and which roles land on which. ----------------------------------------------

# name: (title, query, kind of row)
WORKLISTS = {
    "releasing": ("Releasing soon without a referral", releasing_without_referral, "episode"),
    "awaiting-acceptance": ("Sent, waiting to be accepted", sent_not_accepted, "referral"),
    "clock-running": ("Released, clock running", clock_running, "episode"),
    "incoming": ("Incoming referrals", incoming, "referral"),
    "accepted": ("Accepted, no treatment start yet", accepted_without_start, "referral"),
    "in-treatment": ("In treatment", in_treatment, "referral"),
    "appointments": ("Appointments this week", appointments_this_week, "appointment"),
    "redirected": ("Redirected or rejected", redirected_elsewhere, "redirect"),
    "at-risk": ("Cases at risk in your area", area_at_risk, "episode"),
}

ROLE_WORKLISTS = {
    Role.PRISON_HEALTHCARE: ("releasing", "awaiting-acceptance", "clock-running"),
    Role.PROBATION: ("releasing", "awaiting-acceptance", "clock-running"),
    Role.KEYWORKER: ("incoming", "accepted", "in-treatment", "appointments", "redirected"),
    Role.MANAGER: ("at-risk",),
}


for _name, (_title, _query, _kind) in WORKLISTS.items():
    worklist_tabs_index.worklist(
        "referrals.worklist",
        _title,
        [role for role, names in ROLE_WORKLISTS.items() if _name in names],
        name=_name,
    )


def worklists_for(role: str) -> tuple[str, ...]:
    return ROLE_WORKLISTS.get(role, ())


def worklist_tabs(user) -> list[tuple[str, str]]:
    """(name, title) of each worklist the user's role works from, the one they land on first."""
    return [(name, WORKLISTS[name][0]) for name in worklists_for(user.role)]


def worklist_named(actor, name: str) -> tuple:
    """(title, query, kind) of the worklist named in the address. A list the actor's role does
    not have is answered as if there were no such list."""
    if name not in worklists_for(actor.role):
        raise NotFound("No such worklist")
    return WORKLISTS[name]
