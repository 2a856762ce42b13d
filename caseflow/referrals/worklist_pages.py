"""The pages of a worklist: how the release lists are found from the team's own records and cut
to a page, and which columns a list's rows read (a list's statement is kept and counted by
caseflow.kept_pages). The lists themselves (which releases or referrals, in what order) are in
caseflow.referrals.worklists.
"""

from sqlalchemy import Select, func, select, union
from sqlalchemy.orm import contains_eager, joinedload, load_only

from caseflow import kept_pages
from caseflow.extensions import db
from caseflow.kept_pages import SKIPPED, built_once, kept_page
from caseflow.kept_statements import same_sql
from caseflow.paging import Page, page_number
from caseflow.people.models import CustodyEpisode, Person
from caseflow.planning import custom_plans
from caseflow.referrals.models import Referral
from caseflow.security.scope import caseload_people, worked_episodes

PAGE_SIZE = 25

# Where a page starts is bound when a list's statement runs, so one kept statement serves
# every page of a list (caseflow.kept_pages).


def skipping(number: int) -> dict:
    return kept_pages.skipping(number, PAGE_SIZE)


# A list reads what its rows show (worklist_rows.py, templates/referrals/worklist.html) and no
# more: the person's name and prison number; the release's dates, type and destination; the
# referral's status, treatment start and both ends. None of the person's other encrypted fields
# (address, phone, identifiers), nor the referral's, travels with the rows.
PERSON_SHOWN = (Person._given_name, Person._family_name, Person._prison_number)
REFERRAL_SHOWN = (
    Referral.person_id,
    Referral.episode_id,
    Referral.referring_organisation_id,
    Referral.provider_id,
    Referral.status,
    Referral.treatment_start_date,
)


def release_shown(episode) -> tuple:
    return (
        episode.person_id,
        episode.expected_release_date,
        episode.actual_release_date,
        episode.release_type,
        episode.destination_local_authority_code,
    )


def episode_shown(episode) -> tuple:
    return (
        load_only(*release_shown(episode)),
        contains_eager(episode.person).load_only(*PERSON_SHOWN),
        joinedload(episode.destination),
    )


def list_page(
    query, page: int, filters: dict, *, key: tuple | None = None, params: dict | None = None
) -> Page:
    """A worklist page says how many cases the list holds, and a page past the end is the last
    (``kept_pages.kept_page``).

    With a key (naming everything the list's query is built from, the viewer's ``scope_key``
    where it holds the scope rule's ``kept=True`` conditions), query is a function building it,
    and the list's statement is built once for that key, for every page; params are what it
    runs with (the viewer, ``scope.viewing``).
    """
    build = query if key is not None else (lambda: query)
    return kept_page(key, build, page, size=PAGE_SIZE, params=params, filters=filters)


def worked_page(user, list_key: tuple, conditions, sort_by, page: int) -> Page:
    """A page of the releases meeting conditions of people in the user's caseload, found from
    the team's own records (``scope.worked_episodes``, each within the caseload), in sort_by's
    order (then the id), with how many the list holds: one statement.

    Several sources are each queried with the list's conditions, so each reads its own index
    (migration 0019), and the list is the union of what they find: an OR of them would have
    PostgreSQL read every release in the country. The union is of each release's id and sort
    date alone, so it compares two columns to drop a release two sources found, and it is
    counted, sorted and cut to the page (``count(*) OVER ()``, LIMIT) before the page's rows are
    read by primary key with their person: how much the list costs follows the list's own
    length, never the size of the table, which PostgreSQL would otherwise walk in the list's
    order to stop at the first page, or read whole to join the union back to it.

    conditions is a function giving the list's conditions; list_key names the list and every
    value those conditions hold (the day), so the statement is built once for the key, the
    team's sources as the scope rule gives them, for every page (``built_once``).
    """
    number = page_number(page)
    sources = worked_episodes(user)
    sources_sql = same_sql(caseload_people(user)) if sources is None else same_sql(*sources)

    def listed():
        found = [
            select(CustodyEpisode.id, sort_by.label("sort_by")).where(source, *conditions())
            for source in sources or ()
        ]
        if sources is None:
            found = [
                select(CustodyEpisode.id, sort_by.label("sort_by"))
                .join(CustodyEpisode.person)
                .where(caseload_people(user), *conditions())
            ]
        return (union(*found) if len(found) > 1 else found[0]).subquery("listed")

    def page_statement() -> Select:
        found = listed()
        shown = (
            select(found.c.id, found.c.sort_by, func.count().over().label("total"))
            .order_by(found.c.sort_by, found.c.id)
            .limit(PAGE_SIZE + 1)
            .offset(SKIPPED)
            .subquery("shown")
        )
        return (
            select(CustodyEpisode, shown.c.total)
            .join(shown, shown.c.id == CustodyEpisode.id)
            .join(CustodyEpisode.person)
            .options(*episode_shown(CustodyEpisode))
            .order_by(shown.c.sort_by, shown.c.id)
        )

    key = None if sources_sql is None else (*list_key, sources is None, sources_sql)
    statement = built_once(key, page_statement)
    custom_plans()
    rows = db.session.execute(statement, skipping(number)).all()
    if not rows and number > 1:
        # Past the end: the last page instead, whose number needs the count.
        total = db.session.scalar(select(func.count()).select_from(listed())) or 0
        last = max(1, -(-total // PAGE_SIZE))
        if last < number:
            return worked_page(user, list_key, conditions, sort_by, last)
    return Page(
        rows=[episode for episode, _total in rows[:PAGE_SIZE]],
        page=number,
        size=PAGE_SIZE,
        has_next=len(rows) > PAGE_SIZE,
        total=rows[0].total if rows else 0,
    )


# Referrers (prison healthcare, probation) --------------------------------------------------
