"""The one pager: page numbers clamped, the next page known without counting, totals when asked,
and the one partial that draws previous and next.

Seven organisations named "Pager 1" to "Pager 7", three to a page: pages 1 and 2 are full, page 3
holds "Pager 7" alone. Every expected value below is worked out from that by hand.
"""

import re

import pytest
from bs4 import BeautifulSoup
from flask import render_template_string
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.organisations.models import Organisation
from caseflow.paging import LAST_PAGE, Page, page_number, page_of
from tests.factories import OrganisationFactory

SIZE = 3


@pytest.fixture
def seven(app):
    for number in range(1, 8):
        OrganisationFactory(name=f"Pager {number}")
    db.session.flush()
    return (
        select(Organisation)
        .where(Organisation.name.startswith("Pager "))
        .order_by(Organisation.name, Organisation.id)
    )


def names(page) -> list[str]:
    return [organisation.name for organisation in page.rows]


@pytest.mark.parametrize(
    ("sent", "number"),
    [
        (1, 1),
        (2, 2),
        ("3", 3),
        (0, 1),
        (-4, 1),
        ("-4", 1),
        ("abc", 1),
        ("2.5", 1),
        ("", 1),
        (None, 1),
        ("9" * 30, LAST_PAGE),
        (LAST_PAGE + 1, LAST_PAGE),
    ],
)
def test_page_numbers_are_whole_numbers_from_one_to_the_last_page(sent, number):
    assert page_number(sent) == number
    assert LAST_PAGE == 100_000


def test_pages_follow_the_querys_order_and_know_their_neighbours_without_a_count(seven):
    first, second, third = (page_of(seven, number, size=SIZE) for number in (1, 2, 3))
    assert names(first) == ["Pager 1", "Pager 2", "Pager 3"]
    assert names(second) == ["Pager 4", "Pager 5", "Pager 6"]
    assert names(third) == ["Pager 7"]
    assert [(p.page, p.has_previous, p.has_next) for p in (first, second, third)] == [
        (1, False, True),
        (2, True, True),
        (3, True, False),
    ]
    assert (first.total, first.pages) == (None, None)


def test_a_page_number_out_of_range_is_clamped_to_one(seven):
    for sent in (0, -1, "zzz", None):
        shown = page_of(seven, sent, size=SIZE)
        assert (shown.page, names(shown)) == (1, ["Pager 1", "Pager 2", "Pager 3"])


def test_past_the_end_is_empty_unless_the_list_keeps_to_its_last_page(seven):
    empty = page_of(seven, 4, size=SIZE)
    assert (empty.page, empty.rows, empty.has_next, empty.has_previous) == (4, [], False, True)
    last = page_of(seven, 4, size=SIZE, count=True, clamp_to_last=True)
    assert (last.page, names(last), last.has_next) == (3, ["Pager 7"], False)
    far = page_of(seven, "9" * 30, size=SIZE, count=True, clamp_to_last=True)
    assert (far.page, names(far)) == (3, ["Pager 7"])


def test_clamping_to_the_last_page_needs_the_exact_count(seven):
    with pytest.raises(ValueError, match="exact total"):
        page_of(seven, 1, size=SIZE, clamp_to_last=True)
    with pytest.raises(ValueError, match="exact total"):
        page_of(seven, 1, size=SIZE, count_up_to=5, clamp_to_last=True)


def test_an_exact_total_and_the_pages_it_fills(seven):
    shown = page_of(seven, 2, size=SIZE, count=True)
    assert (shown.total, shown.pages, shown.more_than_counted) == (7, 3, False)
    # Seven rows, seven to a page: one full page and no next one.
    whole = page_of(seven, 1, size=7, count=True)
    assert (whole.pages, whole.has_next, len(whole.rows)) == (1, False, 7)
    six = page_of(seven, 1, size=6, count=True)
    assert (six.pages, six.has_next, len(six.rows)) == (2, True, 6)


def test_a_count_stopped_early_says_more_than(seven):
    capped = page_of(seven, 1, size=SIZE, count_up_to=5)
    # Counting stops at the sixth row: one more than 5 means "more than 5".
    assert (capped.total, capped.more_than_counted, capped.pages) == (6, True, None)
    roomy = page_of(seven, 1, size=SIZE, count_up_to=10)
    assert (roomy.total, roomy.more_than_counted, roomy.pages) == (7, False, 3)


def test_an_empty_list_is_one_empty_page(seven):
    nothing = seven.where(Organisation.name == "No such organisation")
    shown = page_of(nothing, 5, size=SIZE, count=True, clamp_to_last=True)
    assert (shown.page, shown.rows, shown.total, shown.pages, shown.has_next) == (
        1,
        [],
        0,
        1,
        False,
    )


def test_several_columns_come_back_as_rows_and_filters_ride_along(seven):
    query = seven.with_only_columns(Organisation.name, Organisation.kind)
    shown = page_of(query, 3, size=SIZE, filters={"flag": "day7"})
    assert [tuple(row) for row in shown.rows] == [("Pager 7", "prison")]
    assert shown.filters == {"flag": "day7"}
    described = shown.map(lambda row: row.name.upper())
    assert (described.rows, described.page, described.has_previous) == (["PAGER 7"], 3, True)


# Drawing a page's neighbours: the one partial every paged list uses. -------------------------

PARTIAL = '{% from "layout/_pagination.html" import pagination %}'


def drawn(app, source: str, **context):
    with app.test_request_context():
        return BeautifulSoup(render_template_string(PARTIAL + source, **context), "html.parser")


def test_links_carry_the_lists_own_arguments_and_name_the_page(app):
    middle = Page(rows=[], page=2, size=SIZE, has_next=True, filters={"flag": "day7"})
    soup = drawn(
        app,
        '{{ pagination(page, "referrals.worklist", dict(page.filters, name="at-risk")) }}',
        page=middle,
    )
    nav = soup.select_one("nav.govuk-pagination")
    assert nav["aria-label"] == "Pagination"
    assert soup.select_one(".govuk-pagination__prev a")["href"] == (
        "/worklists/at-risk?flag=day7&page=1"
    )
    assert soup.select_one(".govuk-pagination__next a")["href"] == (
        "/worklists/at-risk?flag=day7&page=3"
    )


def test_a_second_list_on_a_page_pages_under_its_own_name_and_anchor(app):
    first = Page(rows=[], page=1, size=SIZE, has_next=True)
    soup = drawn(
        app,
        '{{ pagination(page, "audit.break_glass_list", param="accounts_page",'
        ' anchor="#accounts-heading", label="Clinical accounts pages") }}',
        page=first,
    )
    assert soup.select_one("nav")["aria-label"] == "Clinical accounts pages"
    assert soup.select_one(".govuk-pagination__prev") is None
    assert soup.select_one(".govuk-pagination__next a")["href"] == (
        "/audit/break-glass?accounts_page=2#accounts-heading"
    )


def test_a_posted_search_pages_with_buttons_that_resubmit_its_form(app):
    last = Page(rows=[], page=3, size=SIZE, has_next=False)
    soup = drawn(app, '{{ pagination(page, label="Pages of results") }}', page=last)
    assert soup.select_one("nav")["aria-label"] == "Pages of results"
    assert [(b.get_text(strip=True), b["name"], b["value"]) for b in soup.select("button")] == [
        ("Previous page", "page", "2")
    ]
    assert soup.select("a") == []


def test_a_single_page_draws_no_pagination(app):
    alone = Page(rows=[], page=1, size=SIZE, has_next=False)
    assert (
        drawn(app, '{{ pagination(page, "audit.break_glass_list") }}', page=alone).text.strip()
        == ""
    )
    assert drawn(app, "{{ pagination(page) }}", page=alone).text.strip() == ""


def _markup(soup) -> str:
    # Markup as a browser reads it: whitespace between and around elements does not count.
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(soup))).strip()


@pytest.mark.parametrize(("number", "has_next"), [(1, True), (2, True), (2, False)])
def test_the_pagination_drawn_is_govuk_paginations_own_markup(app, number, has_next):
    page = Page(rows=[], page=number, size=SIZE, has_next=has_next, filters={"flag": "day7"})
    ours = drawn(
        app,
        '{{ pagination(page, "referrals.worklist", dict(page.filters, name="at-risk"), '
        'label="Pages of cases") }}',
        page=page,
    )
    govuk = drawn(
        app,
        '{% from "govuk_frontend_jinja/components/pagination/macro.html" import govukPagination %}'
        "{{ govukPagination({"
        '"previous": {"href": url_for("referrals.worklist", name="at-risk", flag="day7", '
        "page=page.page - 1)} if page.has_previous else None,"
        '"next": {"href": url_for("referrals.worklist", name="at-risk", flag="day7", '
        "page=page.page + 1)} if page.has_next else None,"
        '"landmarkLabel": "Pages of cases"}) }}',
        page=page,
    )
    assert _markup(ours) == _markup(govuk)
