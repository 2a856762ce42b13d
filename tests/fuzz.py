"""What the fuzz tests of every form share: hostile values, sending a form with some of its
fields changed, and the checks every answer must pass (SECURITY.md, Reliability and Tooling).

"Bad input of any kind (Unicode, very long text, wrong dates, missing fields, forged ids) gets a
message beside the field, never a 500; nothing already saved is lost."

Each example starts from a form that would be accepted, then changes up to three of its fields
(a hostile value, several values for one field, or the field left out) and may add forged fields
the form does not have (``status``, ``person_id``...). For every answer:

* never a 5xx, on the answer or on the page a redirect leads to;
* nothing sent is echoed unescaped: ``<script>`` payloads never appear as markup, and template
  payloads (``x{{7*7}}y``) never render as ``x49y``;
* nothing is saved half-way: unless the form succeeded (a redirect to a page showing the
  success banner), no watched table changed at all (tests/security/state.py); when it
  succeeded, the saved values read back as sent, after the documented clean-up: control
  characters dropped and spaces trimmed (caseflow.forms.strip), identifiers compacted and
  upper-cased (people.identifiers.compact), names of organisations and staff with runs of
  spaces collapsed, email addresses lower-cased.

The tests live beside each package (tests/*/test_fuzz_forms.py); the ``actor`` fixture reaches
them through ``pytest_plugins`` in tests/conftest.py. The 500s these tests found are pinned by
regression tests with their exact inputs, since a fixed example budget may not draw them.

Examples share one rolled-back transaction per test (the suite's fixture); each example makes
the records it acts on, so earlier examples cannot change what a later one expects.
"""

import hashlib
import itertools
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from bs4 import BeautifulSoup
from hypothesis import strategies as st

from caseflow.auth.models import User, UserSession
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.forms import strip
from caseflow.organisations.models import LocalAuthority, OrganisationKind
from caseflow.people.identifiers import compact
from caseflow.security import form_tokens
from tests.factories import (
    ORGANISATION_FOR_ROLE,
    OrganisationFactory,
    UserFactory,
)
from tests.helpers import check_title_and_errors, signed_in_client
from tests.security.state import changed_tables, database_state

HOME_AREA = "E08000025"


AWAY_AREA = "E06000026"


TODAY = local_today()


# Hostile values ---------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


IMG = '"><img src=x onerror=alert(1)>'


TEMPLATE = "x{{7*7}}y"


PAYLOADS = [
    SCRIPT,
    IMG,
    TEMPLATE,
    "x${7*7}y",
    "x{% if true %}49{% endif %}y",
    "'; DROP TABLE people;--",
    "Robert'); DROP TABLE users;--",
    "\x00",
    "a\x00b",
    "\x07\x1b[31mred\x1b[0m",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e\u2066\u2069",
    "\ufeffBOM",
    "\u2028line\u2029",
    "\x85",
    "\r\n\r\n",
    "   ",
    "",
    "e\u0301",  # e + combining accent
    "\U0001d54f\U0001f600",  # outside the basic plane
    "Ǆİß",
    "A" * 10_001,
    SCRIPT * 400,
    "\x00" * 10_000,
]


SURROGATE_FREE = st.characters(exclude_categories=["Cs"])


LONG_TEXT = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["a", "é", "<", "\x00", "\u202e", "\U0001d54f", "{{7*7}}"]),
    st.integers(10_000, 12_000),
)


TEXT = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(SURROGATE_FREE, max_size=40),
    LONG_TEXT,
    st.builds(
        lambda a, b: a + b, st.sampled_from(PAYLOADS[:8]), st.text(SURROGATE_FREE, max_size=10)
    ),
)


ARABIC_INDIC = 0x0660  # the digit zero of each script


FULL_WIDTH = 0xFF10


def in_digits(text: str, zero: int) -> str:
    """text with its ASCII digits written in another script's digits."""
    return "".join(chr(zero + int(c)) if c in "0123456789" else c for c in text)


IDENTIFIERS = st.sampled_from(
    [
        "943 476 5919",
        in_digits("9434765919", ARABIC_INDIC),
        in_digits("9434765919", FULL_WIDTH),
        "¹²³⁴⁵⁶⁷⁸⁹⁰",  # superscripts: isdigit() is true, int() fails
        "9434765918",  # wrong check digit
        "a1234bc",
        in_digits("A1234BC", ARABIC_INDIC),
        "X 123 456",
        "2012/0052494X",
        "0" * 10,
        "-943476591",
    ]
)


IDENTIFIER = st.one_of(IDENTIFIERS, TEXT)


NOT_UUIDS = [
    "not-a-uuid",
    "0",
    "-1",
    "' OR 1=1 --",
    "00000000-0000-0000-0000-000000000000",
    "{12345678-1234-5678-1234-567812345678}",
    "urn:uuid:12345678-1234-5678-1234-567812345678",
    "12345678123456781234567812345678",
    str(uuid.UUID(int=2**128 - 1)),
]


DAY_PARTS = [
    "31",
    "30",
    "29",
    "2",
    "1",
    "0",
    "00",
    "-1",
    "32",
    "99",
    "1.5",
    " 7 ",
    "x",
    "",
    "١٢",
    "²",
]


MONTH_PARTS = ["2", "02", "12", "13", "0", "-1", "1e1", "x", "", in_digits("1", ARABIC_INDIC)]


YEAR_PARTS = ["2024", "2023", "1900", "1899", "0000", "0", "-2024", "99999", "20x4", ""]


YEAR_PARTS.append(in_digits("2024", FULL_WIDTH))


DATE = st.one_of(
    st.tuples(
        st.sampled_from(DAY_PARTS), st.sampled_from(MONTH_PARTS), st.sampled_from(YEAR_PARTS)
    ).map(list),
    st.lists(st.sampled_from(DAY_PARTS + YEAR_PARTS), min_size=0, max_size=5),  # wrong count
    st.lists(TEXT, min_size=3, max_size=3),
)


INTEGER = st.one_of(
    st.sampled_from(
        ["", "abc", "-1", "0", "1.5", "1e3", "9" * 30, "9" * 5000, "0x10", " 1 ", "\u0661"]
    ),
    TEXT,
)


def ids_strategy(real_ids) -> st.SearchStrategy:
    """Forged ids: random UUIDs, things that are not UUIDs, and real ids of other records."""
    options = [st.uuids().map(str), st.sampled_from(NOT_UUIDS), TEXT]
    if real_ids:
        options.append(st.sampled_from([str(i) for i in real_ids]))
    return st.one_of(options)


# Fields a form does not have, sent anyway: nothing may be assigned from them.
FORGED_FIELDS = [
    "id",
    "status",
    "person_id",
    "referral_id",
    "provider_id",
    "organisation_id",
    "recorded_by_organisation_id",
    "referring_organisation_id",
    "role",
    "active",
    "user_id",
    "prison_id",
]


def values_for(kind: str, real_ids) -> st.SearchStrategy:
    return {
        "text": TEXT,
        "password": TEXT,
        "hidden": TEXT,
        "choice": st.one_of(TEXT, st.sampled_from(["", " ", "none", "None", "yes", "y", "0"])),
        "ident": IDENTIFIER,
        "id": ids_strategy(real_ids),
        "date": DATE,
        "int": INTEGER,
        "multi": st.lists(st.one_of(TEXT, ids_strategy(real_ids)), max_size=4),
    }[kind]


# Reading back what was sent ---------------------------------------------------------------------


def first(value):
    if isinstance(value, list):
        return value[0] if value else None
    return value


def as_text(value) -> str | None:
    """A text field as stored: control characters dropped, trimmed, empty as None."""
    text = strip(first(value))
    return text or None


def as_identifier(value) -> str | None:
    text = as_text(value)
    return compact(text) if text else None


def as_collapsed(value) -> str:
    return " ".join((as_text(value) or "").split())


def as_date(value) -> date | None:
    if not isinstance(value, list) or len(value) != 3:
        return None
    day, month, year = (part.strip()[:4] for part in value)
    if not (day or month or year):
        return None
    return date(int(year), int(month), int(day))


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


# Sending forms ------------------------------------------------------------------------------------


def csrf_from(response) -> str:
    field = BeautifulSoup(response.data, "html.parser").find("input", {"name": "csrf_token"})
    return field["value"]


def issued(kind: str, me: "Actor", subject_id) -> str:
    """The one-time token the form's page would carry for this user and record."""
    return form_tokens.issue(kind, me.user.id, subject_id)


@dataclass
class Actor:
    user: User
    client: object
    token: str


def make_user(role: str, **fields) -> User:
    organisation = fields.pop("organisation", None) or OrganisationFactory(
        kind=ORGANISATION_FOR_ROLE[role]
    )
    if organisation.kind in (OrganisationKind.TREATMENT_PROVIDER, OrganisationKind.PARTNERSHIP):
        organisation.areas = [db.session.get(LocalAuthority, HOME_AREA)]
    return UserFactory(role=role, organisation=organisation, **fields)


@pytest.fixture
def actor(app):
    """actor(role): one signed-in user of the role for all the examples of a test."""
    made = {}

    def get(role: str) -> Actor:
        if role not in made:
            user = make_user(role)
            db.session.commit()
            client = signed_in_client(app, user)
            made[role] = Actor(user, client, csrf_from(client.get("/notifications")))
        return made[role]

    return get


def pending_client(app, user, **data):
    """A client half-way through signing in (password given, code still to come)."""
    token = secrets.token_urlsafe(32)
    pending = {"id": str(user.id), "since": time.time(), "next": None}
    db.session.add(
        UserSession(
            id=hashlib.sha256(token.encode()).hexdigest(),
            data=json.dumps({"pending_user": pending, **data}),
        )
    )
    db.session.commit()
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], token)
    return client


MARKUP = [
    (SCRIPT, SCRIPT),
    ("<script>", "<script>"),
    ("<img src=x onerror=alert(1)>", "<img src=x onerror"),
    (TEMPLATE, "x49y"),
    ("x${7*7}y", "x49y"),
]


def sent_strings(sent: dict):
    for value in sent.values():
        yield from value if isinstance(value, list) else [value]


def assert_escaped(response, sent: dict, where: str) -> None:
    if not response.content_type.startswith("text/html"):
        return
    html = response.get_data(as_text=True)
    for value in sent_strings(sent):
        for payload, rendered in MARKUP:
            if payload in value:
                assert rendered not in html, f"{where}: {payload!r} came back as {rendered!r}"


@dataclass
class Outcome:
    response: object
    sent: dict
    page: object  # the page a redirect led to, if any
    changed: list[str]
    banner: str | None
    succeeded: bool

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def location(self) -> str:
        return self.response.headers.get("Location", "")

    def record_id(self, pattern: str) -> uuid.UUID:
        match = re.search(pattern + r"/([0-9a-f-]{36})", self.location)
        assert match, self.location
        return uuid.UUID(match.group(1))


def banner_of(response) -> str | None:
    banner = BeautifulSoup(response.data, "html.parser").select_one(
        ".govuk-notification-banner--success"
    )
    return banner.get_text(" ", strip=True) if banner else None


def fuzz_post(
    data, client, token, url, spec: dict, valid: dict, real_ids=(), succeeded_when=None
) -> Outcome:
    """Post valid with up to three fields made hostile, and check what every answer must be.

    Success is a redirect to a page with the success banner, or what succeeded_when(response)
    says for a form that shows none.
    """
    sent = dict(valid)
    changed_fields = (
        data.draw(
            st.lists(st.sampled_from(sorted(spec)), max_size=3, unique=True),
            label="fields changed",
        )
        if spec
        else []
    )
    for name in changed_fields:
        how = data.draw(st.sampled_from(["value", "value", "missing", "several"]), label=name)
        if how == "missing":
            sent.pop(name, None)
        elif how == "value" or spec[name] == "date":
            sent[name] = data.draw(values_for(spec[name], real_ids), label=name)
        else:
            strategy = values_for(spec[name], real_ids)
            sent[name] = data.draw(st.lists(strategy, min_size=2, max_size=3), label=name)
    forged = data.draw(
        st.dictionaries(st.sampled_from(FORGED_FIELDS), ids_strategy(real_ids), max_size=2),
        label="forged fields",
    )
    sent.update({name: value for name, value in forged.items() if name not in spec})

    before = database_state()
    response = client.post(url, data={**sent, "csrf_token": token})
    assert response.status_code < 500, f"POST {url} answered {response.status_code}"
    changed = changed_tables(before)
    assert_escaped(response, sent, f"POST {url}")
    redirected = response.status_code in (301, 302, 303)
    if response.mimetype == "text/html" and response.data and not redirected:
        # The form again: titled, and its problems in the error summary (tests/helpers.py).
        check_title_and_errors(BeautifulSoup(response.data, "html.parser"), response.status_code)
    page = None
    if redirected and response.headers["Location"].startswith("/"):
        page = client.get(response.headers["Location"], follow_redirects=True)
        assert page.status_code < 500, f"GET {response.headers['Location']} after POST {url}"
        assert_escaped(page, sent, f"the page after POST {url}")
    banner = banner_of(page) if page is not None else None
    succeeded = succeeded_when(response) if succeeded_when else banner is not None
    outcome = Outcome(response, sent, page, changed, banner, succeeded)
    if not outcome.succeeded:
        assert changed == [], (
            f"POST {url} was refused ({response.status_code}) yet changed {changed}"
        )
    return outcome


def refused_leaves_nothing(outcome: Outcome) -> None:
    """For forms that only show things: whatever the answer, nothing changed."""
    assert outcome.changed == [], outcome.changed


SERIAL = itertools.count(1)


FORGED_TOKENS = pytest.mark.parametrize(
    "token", ["x" * 65, "a\x00b", "é" * 64], ids=["65-characters", "nul", "non-ascii"]
)
