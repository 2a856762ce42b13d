"""Hypothesis over every form in Caseflow (SECURITY.md, Reliability and Tooling).

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

The 500s this file found (fixed in db96f75 while it was written) are pinned by the regression
tests at the end with their exact inputs, since a fixed example budget may not draw them.

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
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from caseflow.auditor.models import BreakGlassReview
from caseflow.auth.models import User, UserSession
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.forms import strip
from caseflow.models import utcnow
from caseflow.notifications import Notification
from caseflow.organisations.models import LocalAuthority, Organisation, OrganisationKind
from caseflow.people.identifiers import compact
from caseflow.people.models import (
    BreakGlassGrant,
    CaseNote,
    CustodyChange,
    CustodyEpisode,
    Person,
)
from caseflow.referrals.models import Appointment, Referral, ReferralEvent
from caseflow.security import form_tokens
from tests.factories import (
    ORGANISATION_FOR_ROLE,
    TEST_PASSWORD,
    AppointmentFactory,
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    person_in_custody_at,
    provider_serving,
    valid_nhs_number,
)
from tests.helpers import current_code, signed_in_client
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
    page = None
    if response.status_code in (301, 302, 303) and response.headers["Location"].startswith("/"):
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


# Sign-in ----------------------------------------------------------------------------------------

SIGN_IN = {"email": "text", "password": "password"}
CODE = {"code": "text"}


@given(data=st.data())
def test_sign_in(app, data):
    user = make_user("probation")
    db.session.commit()
    client = app.test_client()
    token = csrf_from(client.get("/sign-in"))
    outcome = fuzz_post(
        data, client, token, "/sign-in", SIGN_IN, {"email": user.email, "password": TEST_PASSWORD}
    )
    refused_leaves_nothing(outcome)
    assert outcome.status in (200, 302)


@given(data=st.data())
def test_code(app, data):
    user = make_user("probation")
    client = pending_client(app, user)
    token = csrf_from(client.get("/sign-in/code"))
    outcome = fuzz_post(data, client, token, "/sign-in/code", CODE, {"code": "000000"})
    refused_leaves_nothing(outcome)


@given(data=st.data())
def test_set_up_code(app, data):
    user = make_user("probation", totp_secret=None, totp_enrolled_at=None)
    client = pending_client(app, user)
    token = csrf_from(client.get("/sign-in/set-up"))
    outcome = fuzz_post(data, client, token, "/sign-in/set-up", CODE, {"code": "000000"})
    refused_leaves_nothing(outcome)


NEXT = st.one_of(
    st.sampled_from(
        [
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "http:evil.example",
            "javascript:alert(1)",
            "/\t/evil.example",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            " //evil.example",
            "/people/find?x=//evil.example",
            "/\x00//evil.example",
            "/\u202e//evil.example",
        ]
    ),
    TEXT,
)


@given(next_url=NEXT)
def test_sign_in_next_stays_on_this_site(app, next_url):
    user = make_user("probation")
    db.session.commit()
    client = app.test_client()
    token = csrf_from(client.get("/sign-in"))
    response = client.post(
        "/sign-in",
        query_string={"next": next_url},
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, response.status_code
    code_token = csrf_from(client.get("/sign-in/code"))
    response = client.post(
        "/sign-in/code", data={"code": current_code(user), "csrf_token": code_token}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    parts_of = urlsplit(location)
    assert location.startswith("/") and not location.startswith("//"), location
    assert not parts_of.scheme and not parts_of.netloc and "\\" not in location, location


# People -----------------------------------------------------------------------------------------

FIND = {
    "nhs_number": "ident",
    "prison_number": "ident",
    "crn": "ident",
    "family_name": "text",
    "date_of_birth": "date",
}


@given(data=st.data())
def test_find_a_person(actor, data):
    me = actor("prison_healthcare")
    person = person_in_custody_at(me.user.organisation)
    db.session.commit()
    valid = {"nhs_number": person.nhs_number}
    outcome = fuzz_post(data, me.client, me.token, "/people/find", FIND, valid)
    refused_leaves_nothing(outcome)
    assert outcome.status == 200


PERSON = {
    "given_name": "text",
    "family_name": "text",
    "date_of_birth": "date",
    "sex": "choice",
    "ethnic_group": "choice",
    "nhs_number": "ident",
    "prison_number": "ident",
    "crn": "ident",
    "pnc_number": "ident",
    "address": "text",
    "phone": "text",
    "flags": "multi",
}
SERIAL = itertools.count(1)


def valid_person() -> dict:
    n = next(SERIAL)
    return {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": ["10", "12", "1985"],
        "sex": "female",
        "ethnic_group": "white",
        "nhs_number": valid_nhs_number(600_000 + n),
        "prison_number": f"Z{n % 10000:04d}ZZ",
        "crn": f"Z{n % 1_000_000:06d}",
        "pnc_number": "2012/0052494X",
        "address": "1 High Street",
        "phone": "07700900456",
        "flags": ["safeguarding"],
    }


@given(data=st.data())
def test_add_a_person(actor, data):
    me = actor("probation")
    outcome = fuzz_post(data, me.client, me.token, "/people/new", PERSON, valid_person())
    if outcome.succeeded:
        sent = outcome.sent
        person = db.session.get(Person, outcome.record_id("/people"))
        assert person.given_name == as_text(sent["given_name"])
        assert person.family_name == as_text(sent["family_name"])
        assert person.date_of_birth == as_date(sent["date_of_birth"])
        assert person.sex == first(sent["sex"])
        assert person.ethnic_group == first(sent["ethnic_group"])
        for name in ("nhs_number", "prison_number", "crn", "pnc_number"):
            assert getattr(person, name) == as_identifier(sent.get(name)), name
        assert person.address == as_text(sent.get("address"))
        assert person.phone == as_text(sent.get("phone"))
        flags = sent.get("flags") or []
        assert person.safeguarding == ("safeguarding" in flags)
        assert person.recorded_by_organisation_id == me.user.organisation_id


EPISODE = {
    "reception_date": "date",
    "expected_release_date": "date",
    "expected_release_unknown_reason": "choice",
    "destination_local_authority": "choice",
    "accommodation_on_release": "choice",
    "treatment_need": "choice",
    "substance_group": "choice",
    "opioid_substitution": "choice",
    "last_dose_date": "date",
    "naloxone_issued": "choice",
    "bridging_prescription": "choice",
}
VALID_EPISODE = {
    "reception_date": parts(TODAY - timedelta(days=10)),
    "expected_release_date": parts(TODAY + timedelta(days=60)),
    "expected_release_unknown_reason": "",
    "destination_local_authority": HOME_AREA,
    "accommodation_on_release": "settled",
    "treatment_need": "in_treatment",
    "substance_group": "opiate",
    "opioid_substitution": "methadone",
    "last_dose_date": parts(TODAY - timedelta(days=1)),
    "naloxone_issued": "yes",
    "bridging_prescription": "no",
}


@given(data=st.data())
def test_add_a_custody_episode(actor, data):
    me = actor("prison_healthcare")
    person = PersonFactory(recorded_by=me.user.organisation)
    other = PersonFactory()
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/people/{person.id}/custody/new",
        EPISODE,
        VALID_EPISODE,
        real_ids=[other.id],
    )
    if outcome.succeeded:
        sent = outcome.sent
        episode = db.session.scalar(
            select(CustodyEpisode).where(CustodyEpisode.person_id == person.id)
        )
        assert episode.prison_id == me.user.organisation_id
        assert episode.reception_date == as_date(sent["reception_date"])
        assert episode.expected_release_date == as_date(sent.get("expected_release_date"))
        assert episode.destination_local_authority_code == first(
            sent["destination_local_authority"]
        )
        assert episode.treatment_need == first(sent["treatment_need"])
        assert episode.last_dose_date == as_date(sent.get("last_dose_date"))


CHANGES = {
    "release": (
        {
            "version": "int",
            "actual_release_date": "date",
            "release_type": "choice",
            "unplanned_release": "choice",
            "reason": "text",
        },
        {
            "version": "1",
            "actual_release_date": parts(TODAY),
            "release_type": "licence",
            "reason": "Released on licence",
        },
    ),
    "expected-release": (
        {"version": "int", "expected_release_date": "date", "reason": "text"},
        {
            "version": "1",
            "expected_release_date": parts(TODAY + timedelta(days=90)),
            "reason": "Parole date set",
        },
    ),
    "transfer": (
        {"version": "int", "prison": "id", "reason": "text"},
        {"version": "1", "reason": "Moved for a course"},
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
@given(data=st.data())
def test_change_a_custody_episode(actor, data, change):
    me = actor("prison_healthcare")
    person = person_in_custody_at(me.user.organisation)
    episode = db.session.scalar(select(CustodyEpisode).where(CustodyEpisode.person_id == person.id))
    elsewhere = OrganisationFactory(kind=OrganisationKind.PRISON)
    provider = provider_serving(HOME_AREA)
    other_episode = CustodyEpisodeFactory()
    db.session.commit()
    spec, valid = CHANGES[change]
    valid = {**valid, "prison": str(elsewhere.id)} if change == "transfer" else valid
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/people/{person.id}/custody/{episode.id}/{change}",
        spec,
        valid,
        real_ids=[provider.id, other_episode.id, other_episode.prison_id, person.id],
    )
    if outcome.succeeded:
        sent = outcome.sent
        db.session.refresh(episode)
        note = db.session.scalar(
            select(CustodyChange).where(CustodyChange.episode_id == episode.id)
        )
        assert note.reason == as_text(sent["reason"])
        if change == "release":
            assert episode.actual_release_date == as_date(sent["actual_release_date"])
            assert episode.release_type == first(sent["release_type"])
        elif change == "expected-release":
            assert episode.expected_release_date == as_date(sent["expected_release_date"])
        else:
            assert str(episode.prison_id) == first(sent["prison"])
        assert episode.person_id == person.id


CASE_NOTE = {"text": "text", "token": "hidden"}


@given(data=st.data())
def test_add_a_case_note(actor, data):
    me = actor("prison_healthcare")
    person = person_in_custody_at(me.user.organisation)
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/people/{person.id}/notes",
        CASE_NOTE,
        {"text": "Spoke on the phone", "token": issued("case_note", me, person.id)},
    )
    if outcome.succeeded:
        notes = list(db.session.scalars(select(CaseNote).where(CaseNote.person_id == person.id)))
        assert [note.text for note in notes] == [as_text(outcome.sent["text"])]
        assert notes[0].organisation_id == me.user.organisation_id


BREAK_GLASS = {"password": "password", "reason": "text"}


@given(data=st.data())
def test_break_glass(actor, data):
    me = actor("keyworker")
    person = person_in_custody_at(OrganisationFactory(kind=OrganisationKind.PRISON))
    db.session.commit()
    # The exact identifier search that offers emergency access to this one person.
    found = me.client.post(
        "/people/find", data={"nhs_number": person.nhs_number, "csrf_token": me.token}
    )
    assert found.status_code == 200
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        "/people/emergency-access",
        BREAK_GLASS,
        {"password": TEST_PASSWORD, "reason": "Arrived without a referral"},
        # Emergency access shows the record, with its banner, rather than a success message.
        succeeded_when=lambda response: response.headers.get("Location") == f"/people/{person.id}",
    )
    grants = list(
        db.session.scalars(select(BreakGlassGrant).where(BreakGlassGrant.person_id == person.id))
    )
    if outcome.succeeded:
        assert [grant.reason for grant in grants] == [as_text(outcome.sent["reason"])]
        assert grants[0].user_id == me.user.id
    else:
        assert grants == []


# Referrals --------------------------------------------------------------------------------------

REFERRAL = {
    "token": "hidden",
    "provider": "id",
    "consent": "choice",
    "consent_override_reason": "text",
    "substance_group": "choice",
    "opioid_medicine": "choice",
    "opioid_dose": "text",
    "last_dose_date": "date",
    "bridging_prescription": "choice",
    "long_acting_injectable": "choice",
    "naloxone_on_release": "choice",
    "other_needs": "multi",
    "risks": "text",
    "contact_after_release": "text",
    "send": "choice",
}
REFERRAL_VALUES = {
    "consent": "overridden",
    "consent_override_reason": "Risk of overdose outweighs",
    "substance_group": "opiate",
    "opioid_medicine": "methadone",
    "opioid_dose": "60ml daily",
    "last_dose_date": parts(TODAY - timedelta(days=4)),
    "bridging_prescription": "yes",
    "long_acting_injectable": "no",
    "naloxone_on_release": "yes",
    "other_needs": ["housing_need"],
    "risks": "History of overdose",
    "contact_after_release": "07700900456",
    "send": "Save and send",
}


def check_handover(referral: Referral, sent: dict) -> None:
    assert str(referral.provider_id) == first(sent["provider"])
    assert referral.consent == first(sent["consent"])
    if referral.consent == "overridden":
        assert referral.consent_override_reason == as_text(sent["consent_override_reason"])
    else:
        assert referral.consent_override_reason is None
    assert referral.opioid_dose == as_text(sent.get("opioid_dose"))
    assert referral.risks == as_text(sent.get("risks"))
    assert referral.contact_after_release == as_text(sent.get("contact_after_release"))
    assert referral.last_dose_date == as_date(sent.get("last_dose_date"))
    assert referral.housing_need == ("housing_need" in (sent.get("other_needs") or []))


def released_at(prison, area=HOME_AREA) -> Person:
    person = PersonFactory(recorded_by=prison)
    CustodyEpisodeFactory(
        person=person,
        prison=prison,
        destination_local_authority_code=area,
        actual_release_date=TODAY - timedelta(days=3),
    )
    return person


@given(data=st.data())
def test_create_a_referral(actor, data):
    me = actor("prison_healthcare")
    person = released_at(me.user.organisation)
    provider = provider_serving(HOME_AREA)
    far_provider = provider_serving(AWAY_AREA)
    db.session.commit()
    token = issued("referral", me, person.id)
    valid = {**REFERRAL_VALUES, "provider": str(provider.id), "token": token}
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/people/{person.id}/referrals/new",
        REFERRAL,
        valid,
        real_ids=[far_provider.id, person.id, me.user.organisation_id],
    )
    if outcome.succeeded:
        referral = db.session.get(Referral, outcome.record_id("/referrals"))
        assert referral.person_id == person.id
        assert referral.referring_organisation_id == me.user.organisation_id
        assert referral.status == ("sent" if "send" in outcome.sent else "draft")
        check_handover(referral, outcome.sent)


@given(data=st.data())
def test_edit_a_draft_referral(actor, data):
    me = actor("prison_healthcare")
    referral = ReferralFactory(
        status="draft", episode__prison=me.user.organisation, referred_by_id=me.user.id
    )
    far_provider = provider_serving(AWAY_AREA)
    db.session.commit()
    spec = {**REFERRAL, "version": "int"}
    del spec["token"]
    valid = {**REFERRAL_VALUES, "provider": str(referral.provider_id), "version": "1"}
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/referrals/{referral.id}/edit",
        spec,
        valid,
        real_ids=[far_provider.id, referral.person_id],
    )
    if outcome.succeeded:
        db.session.refresh(referral)
        assert referral.status == ("sent" if "send" in outcome.sent else "draft")
        check_handover(referral, outcome.sent)


# action: (role acting, side, status before, fields, valid values, status after)
ACTIONS = {
    "send": ("prison_healthcare", "referrer", "draft", {}, {}, "sent"),
    "accept": ("keyworker", "provider", "sent", {}, {}, "accepted"),
    "reject": (
        "keyworker",
        "provider",
        "sent",
        {"reason_code": "choice", "reason": "text"},
        {"reason_code": "other", "reason": "Not for us"},
        "rejected",
    ),
    "redirect": (
        "keyworker",
        "provider",
        "sent",
        {"provider": "id", "reason": "text"},
        {"reason": "Closer to home"},
        "sent",
    ),
    "withdraw": (
        "prison_healthcare",
        "referrer",
        "sent",
        {"reason": "text"},
        {"reason": "Made in error"},
        "withdrawn",
    ),
    "engage": (
        "keyworker",
        "provider",
        "accepted",
        {"treatment_start_date": "date"},
        {"treatment_start_date": parts(TODAY)},
        "engaged",
    ),
    "close": (
        "keyworker",
        "provider",
        "accepted",
        {"reason_code": "choice", "reason": "text"},
        {"reason_code": "lost_contact", "reason": "No answer"},
        "closed",
    ),
}


def referral_for(me: Actor, side: str, status: str) -> Referral:
    if side == "provider":
        return ReferralFactory(status=status, provider_id=me.user.organisation_id)
    return ReferralFactory(
        status=status, episode__prison=me.user.organisation, referred_by_id=me.user.id
    )


@pytest.mark.parametrize("action", sorted(ACTIONS))
@given(data=st.data())
def test_referral_actions(actor, data, action):
    role, side, before, spec, valid, after = ACTIONS[action]
    me = actor(role)
    referral = referral_for(me, side, before)
    new_provider = provider_serving(HOME_AREA)
    db.session.commit()
    if action == "redirect":
        valid = {**valid, "provider": str(new_provider.id)}
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/referrals/{referral.id}/{action}",
        spec,
        valid,
        real_ids=[new_provider.id, referral.provider_id, referral.person_id],
    )
    db.session.refresh(referral)
    if outcome.succeeded:
        sent = outcome.sent
        assert referral.status == after
        event = db.session.scalar(
            select(ReferralEvent).where(
                ReferralEvent.referral_id == referral.id, ReferralEvent.kind == action
            )
        )
        if "reason" in spec:
            assert event.reason == as_text(sent.get("reason"))
        if action == "redirect":
            assert str(referral.provider_id) == first(sent["provider"])
        if action == "engage":
            assert referral.treatment_start_date == as_date(sent["treatment_start_date"])
        if action in ("reject", "close"):
            assert event.reason_code == first(sent["reason_code"])
    else:
        assert referral.status == before


APPOINTMENT = {"token": "hidden", "appointment_date": "date", "appointment_time": "text"}


@given(data=st.data())
def test_book_an_appointment(actor, data):
    me = actor("keyworker")
    referral = referral_for(me, "provider", "accepted")
    db.session.commit()
    valid = {
        "token": issued("appointment", me, referral.id),
        "appointment_date": parts(TODAY),
        "appointment_time": "09:30",
    }
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/referrals/{referral.id}/appointments/new",
        APPOINTMENT,
        valid,
    )
    if outcome.succeeded:
        booked = list(
            db.session.scalars(select(Appointment).where(Appointment.referral_id == referral.id))
        )
        assert len(booked) == 1
        assert booked[0].appointment_date == as_date(outcome.sent["appointment_date"])
        assert booked[0].appointment_time == as_text(outcome.sent.get("appointment_time"))


@given(data=st.data())
def test_record_attendance(actor, data):
    me = actor("keyworker")
    appointment = AppointmentFactory(referral=referral_for(me, "provider", "accepted"))
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/appointments/{appointment.id}/attendance",
        {"outcome": "choice"},
        {"outcome": "attended"},
    )
    db.session.refresh(appointment)
    if outcome.succeeded:
        assert appointment.outcome == first(outcome.sent["outcome"])
    else:
        assert appointment.outcome == "offered"


@given(data=st.data())
def test_assign_a_keyworker(actor, data):
    me = actor("keyworker")
    referral = referral_for(me, "provider", "accepted")
    colleague = UserFactory(role="keyworker", organisation=me.user.organisation)
    stranger = UserFactory(role="keyworker")
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/referrals/{referral.id}/assign",
        {"keyworker": "id"},
        {"keyworker": str(colleague.id)},
        real_ids=[stranger.id, referral.person_id],
    )
    db.session.refresh(referral)
    if outcome.succeeded:
        assert str(referral.assigned_keyworker_id) == first(outcome.sent["keyworker"])
        assert referral.assigned_keyworker.organisation_id == me.user.organisation_id


# Administration ---------------------------------------------------------------------------------

ORGANISATION = {"name": "text", "kind": "choice", "areas": "multi"}


@given(data=st.data())
def test_add_an_organisation(actor, data):
    me = actor("admin")
    valid = {"name": f"Fuzz organisation {next(SERIAL)}", "kind": "community_treatment_provider"}
    valid["areas"] = [HOME_AREA, AWAY_AREA]
    outcome = fuzz_post(data, me.client, me.token, "/admin/organisations/new", ORGANISATION, valid)
    if outcome.succeeded:
        organisation = db.session.get(Organisation, outcome.record_id("/admin/organisations"))
        assert organisation.name == as_collapsed(outcome.sent["name"])
        assert organisation.kind == first(outcome.sent["kind"])
        assert organisation.area_codes == set(outcome.sent.get("areas") or [])


@given(data=st.data())
def test_edit_an_organisation(actor, data):
    me = actor("admin")
    organisation = provider_serving(HOME_AREA)
    db.session.commit()
    valid = {"name": f"Renamed {next(SERIAL)}", "areas": [AWAY_AREA]}
    spec = {"name": "text", "areas": "multi"}
    outcome = fuzz_post(
        data, me.client, me.token, f"/admin/organisations/{organisation.id}/edit", spec, valid
    )
    if outcome.succeeded:
        db.session.refresh(organisation)
        assert organisation.name == as_collapsed(outcome.sent["name"])
        assert organisation.area_codes == set(outcome.sent.get("areas") or [])


NEW_USER = {
    "display_name": "text",
    "email": "text",
    "role": "choice",
    "organisation": "id",
}


@given(data=st.data())
def test_add_a_user(actor, data):
    me = actor("admin")
    provider = provider_serving(HOME_AREA)
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    db.session.commit()
    valid = {
        "display_name": "Grace Hopper",
        "email": f"fuzz-{next(SERIAL)}@test.caseflow.test",
        "role": "keyworker",
        "organisation": str(provider.id),
    }
    outcome = fuzz_post(
        data, me.client, me.token, "/admin/users/new", NEW_USER, valid, real_ids=[prison.id]
    )
    if outcome.succeeded:
        user = db.session.get(User, outcome.record_id("/admin/users"))
        sent = outcome.sent
        assert user.display_name == as_collapsed(sent["display_name"])
        assert user.email == (as_text(sent["email"]) or "").lower()
        assert user.role == first(sent["role"])
        assert str(user.organisation_id) == first(sent["organisation"])


@given(data=st.data())
def test_change_a_user(actor, data):
    me = actor("admin")
    provider = provider_serving(HOME_AREA)
    target = UserFactory(role="keyworker", organisation=provider)
    elsewhere = provider_serving(AWAY_AREA)
    prison = OrganisationFactory(kind=OrganisationKind.PRISON)
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/admin/users/{target.id}/edit",
        {"role": "choice", "organisation": "id"},
        {"role": "keyworker", "organisation": str(elsewhere.id)},
        real_ids=[prison.id, me.user.organisation_id],
    )
    db.session.refresh(target)
    if outcome.succeeded:
        assert target.role == first(outcome.sent["role"])
        assert str(target.organisation_id) == first(outcome.sent["organisation"])
    else:
        assert (target.role, target.organisation_id) == ("keyworker", provider.id)


@pytest.mark.parametrize("action", ["disable", "enable", "reset-second-factor"])
@given(data=st.data())
def test_account_actions(actor, data, action):
    me = actor("admin")
    target = UserFactory(role="keyworker", active=action != "enable")
    db.session.commit()
    outcome = fuzz_post(data, me.client, me.token, f"/admin/users/{target.id}/{action}", {}, {})
    db.session.refresh(target)
    assert target.role == "keyworker"  # nothing forged was assigned
    if not outcome.succeeded:
        assert target.active == (action != "enable")


# Buttons: forms with nothing but a CSRF token --------------------------------------------------


@pytest.mark.parametrize("url", ["/notifications/read", "/session/keep-alive", "/sign-out"])
@given(data=st.data())
def test_buttons(app, data, url):
    user = make_user("keyworker")
    referral = ReferralFactory(status="sent", provider_id=user.organisation_id)
    db.session.add(
        Notification(
            user_id=user.id,
            record_type="referral",
            record_id=referral.id,
            person_id=referral.person_id,
            kind="send",
        )
    )
    db.session.commit()
    client = signed_in_client(app, user)  # a new one each time: signing out ends it
    token = csrf_from(client.get("/notifications"))
    outcome = fuzz_post(data, client, token, url, {}, {})
    assert outcome.status in (200, 204, 302)
    unread = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).all()
    if url == "/notifications/read":
        assert outcome.succeeded and unread == []
    else:
        assert outcome.changed == [] and len(unread) == 1


# The audit log ----------------------------------------------------------------------------------

LOG_SEARCH = {
    "email": "text",
    "nhs_number": "ident",
    "prison_number": "ident",
    "organisation": "id",
    "action": "choice",
    "outcome": "choice",
    "date_from": "date",
    "date_to": "date",
}


@pytest.mark.parametrize("url", ["/audit/", "/audit/export"])
@given(data=st.data())
def test_search_and_export_the_log(actor, data, url):
    me = actor("auditor")
    person = person_in_custody_at(OrganisationFactory(kind=OrganisationKind.PRISON))
    db.session.commit()
    spec = {**LOG_SEARCH, "page": "int"} if url == "/audit/" else LOG_SEARCH
    valid = {
        "email": me.user.email,
        "nhs_number": person.nhs_number,
        "action": "view",
        "date_from": parts(TODAY - timedelta(days=7)),
        "date_to": parts(TODAY),
        "page": "1",
    }
    outcome = fuzz_post(
        data, me.client, me.token, url, spec, valid, real_ids=[me.user.organisation_id]
    )
    refused_leaves_nothing(outcome)
    assert outcome.status == 200


@given(data=st.data())
def test_review_break_glass(actor, data):
    me = actor("auditor")
    holder = make_user("keyworker")
    person = person_in_custody_at(OrganisationFactory(kind=OrganisationKind.PRISON))
    grant = BreakGlassGrant(
        user_id=holder.id,
        organisation_id=holder.organisation_id,
        person_id=person.id,
        reason="Arrived without a referral",
        expires_at=utcnow() + timedelta(hours=1),
    )
    db.session.add(grant)
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/audit/break-glass/{grant.id}",
        {"verdict": "choice", "note": "text"},
        {"verdict": "appropriate", "note": "Checked with the team"},
    )
    reviews = list(
        db.session.scalars(select(BreakGlassReview).where(BreakGlassReview.grant_id == grant.id))
    )
    if outcome.succeeded:
        assert [(r.verdict, r.note) for r in reviews] == [
            (first(outcome.sent["verdict"]), as_text(outcome.sent.get("note")))
        ]
    else:
        assert reviews == []


@given(data=st.data())
def test_subject_access(actor, data):
    me = actor("auditor")
    person = person_in_custody_at(OrganisationFactory(kind=OrganisationKind.PRISON))
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        "/audit/subject-access",
        {"nhs_number": "ident", "prison_number": "ident"},
        {"nhs_number": person.nhs_number},
    )
    refused_leaves_nothing(outcome)
    assert outcome.status == 200


# Regressions: the bugs this file found, with the inputs that found them ---------------------


@pytest.mark.parametrize("url", ["/people/new", "/people/find"])
def test_regression_superscript_nhs_number_is_a_message(actor, url):
    """Was a 500: nhs_check_digit called int() on digits str.isdigit() accepts but int() cannot
    read (superscripts), raising ValueError out of nhs_number_check, which WTForms does not
    catch."""
    me = actor("probation")
    response = me.client.post(
        url, data={**valid_person(), "nhs_number": "¹²³⁴⁵⁶⁷⁸⁹⁰", "csrf_token": me.token}
    )
    assert response.status_code == 200
    assert "Enter a valid NHS number" in response.get_data(as_text=True)


FORGED_TOKENS = pytest.mark.parametrize(
    "token", ["x" * 65, "a\x00b", "é" * 64], ids=["65-characters", "nul", "non-ascii"]
)


@FORGED_TOKENS
def test_regression_forged_case_note_token(actor, token):
    """Was a 500: the hidden one-time token had no limit or filter, so over 64 characters
    overflowed creation_token varchar(64), and a NUL could not be sent to PostgreSQL. A token
    not issued for the form is now refused with a 400 page (tests/security/test_one_time_tokens.py)
    and nothing is saved."""
    me = actor("prison_healthcare")
    person = person_in_custody_at(me.user.organisation)
    db.session.commit()
    response = me.client.post(
        f"/people/{person.id}/notes",
        data={"text": "Spoke on the phone", "token": token, "csrf_token": me.token},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(CaseNote).where(CaseNote.person_id == person.id)) is None


@FORGED_TOKENS
def test_regression_forged_referral_token(actor, token):
    me = actor("prison_healthcare")
    person = released_at(me.user.organisation)
    provider = provider_serving(HOME_AREA)
    db.session.commit()
    data = {**REFERRAL_VALUES, "provider": str(provider.id), "token": token}
    response = me.client.post(
        f"/people/{person.id}/referrals/new", data={**data, "csrf_token": me.token}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(Referral).where(Referral.person_id == person.id)) is None


@FORGED_TOKENS
def test_regression_forged_appointment_token(actor, token):
    me = actor("keyworker")
    referral = referral_for(me, "provider", "accepted")
    db.session.commit()
    response = me.client.post(
        f"/referrals/{referral.id}/appointments/new",
        data={"appointment_date": parts(TODAY), "token": token, "csrf_token": me.token},
    )
    assert response.status_code == 400
    booked = select(Appointment).where(Appointment.referral_id == referral.id)
    assert db.session.scalar(booked) is None


def test_regression_same_nhs_number_in_other_digits_is_not_a_second_record(actor):
    """Was a second record: identifier checks took any Unicode decimal digit (str.isdigit,
    regex \\d), and the blind index's NFKC does not fold Arabic-Indic digits to ASCII, so the
    duplicate check missed the same NHS number typed in another script."""
    me = actor("probation")
    first_try = me.client.post(
        "/people/new", data={**valid_person(), "nhs_number": "9434765919", "csrf_token": me.token}
    )
    assert first_try.status_code == 302
    for digits in (ARABIC_INDIC, FULL_WIDTH):
        again = me.client.post(
            "/people/new",
            data={
                **valid_person(),
                "nhs_number": in_digits("9434765919", digits),
                "csrf_token": me.token,
            },
        )
        assert again.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_regression_worklist_filter_with_a_nul(actor):
    """Was a 500 on PostgreSQL: the at-risk list's local_authority argument went into SQL as
    typed, and a NUL is a DataError there."""
    me = actor("manager")
    response = me.client.get("/worklists/at-risk", query_string={"local_authority": "E08\x00"})
    assert response.status_code == 200


# The worklist filters are the one GET form (flag and area, page): fuzzed too. ----------------


@given(
    flag=st.one_of(st.sampled_from(["all", "day7", "breached", ""]), TEXT),
    area=st.one_of(st.sampled_from([HOME_AREA, AWAY_AREA, ""]), TEXT),
    page=INTEGER,
)
def test_worklist_filters(actor, flag, area, page):
    me = actor("manager")
    response = me.client.get(
        "/worklists/at-risk", query_string={"flag": flag, "local_authority": area, "page": page}
    )
    assert response.status_code == 200
    assert_escaped(response, {"flag": flag, "area": area, "page": page}, "the at-risk worklist")
