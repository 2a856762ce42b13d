"""The load driver of `make load` and the fault drill: virtual users over HTTP, and their figures.

Each virtual user is a thread with one keep-alive connection and its own session cookie, acting
as a person at work would: open a worklist, follow a name to the person page, read a referral,
add a case note, change a draft referral, and (a manager) the continuity dashboard and report.
It reads the pages it is sent, so it only follows links and sends forms the page offered.

Every answer is kept as a Sample (what, status, milliseconds, the X-Request-Id), and every write
that was answered with success is kept as a Write, so the fault drill can check afterwards that
each one is in the database with its audit rows.
"""

import http.client
import math
import random
import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

TIMEOUT_SECONDS = 30
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PERSON_LINK = re.compile(rf'href="(/people/{UUID})"')
REFERRAL_LINK = re.compile(rf'href="(/referrals/{UUID})"')


# Pages and forms ------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def values(self, **changes: str) -> list[tuple[str, str]]:
        """The form as the page filled it, with some fields set to new values."""
        kept = [(name, value) for name, value in self.fields if name not in changes]
        return kept + list(changes.items())

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)


class _FormParser(HTMLParser):
    """Every form on a page with what a browser would send: hidden and text inputs, checked
    radios and boxes, each select's chosen option and each textarea's text (no buttons)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            form.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []
        elif tag == "select" and a.get("name"):
            self._select, self._first_option, self._chosen = a["name"], None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a and not self._chosen:
                form.fields.append((self._select, value))
                self._chosen = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            self.forms[-1].fields.append((self._textarea, "".join(self._text)))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if not self._chosen and self._first_option is not None:
                self.forms[-1].fields.append((self._select, self._first_option))
            self._select = None


def forms_of(html: str, page: str = "") -> list[Form]:
    """The page's forms; one without an action is sent to the page itself, as a browser does."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        form.action = form.action or page
    return parser.forms


def form_posting_to(html: str, ending: str, page: str = "") -> Form | None:
    posting = (f for f in forms_of(html, page) if f.method == "post" and f.action.endswith(ending))
    return next(posting, None)


def links(html: str, pattern: re.Pattern) -> list[str]:
    return list(dict.fromkeys(pattern.findall(html)))


# HTTP -----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no answer (refused, reset, timed out)
    text: str
    location: str
    request_id: str


class Client:
    """One keep-alive connection with its cookies (sent over plain HTTP on loopback: the
    ``__Host-`` cookie is Secure, so a browser's jar would not send it)."""

    def __init__(self, host: str, port: int, cookies: dict[str, str] | None = None):
        self.host, self.port = host, port
        self.cookies = dict(cookies or {})
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> Answer:
        from urllib.parse import urlencode

        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=TIMEOUT_SECONDS
                )
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.close()
            return Answer(0, "", "", "")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, cookie = pair.partition("=")
                self.cookies[key.strip()] = cookie.strip()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Answer(
            response.status,
            text,
            response.getheader("Location", ""),
            response.getheader("X-Request-Id", ""),
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


# What happened --------------------------------------------------------------------------------


def is_clean_failure(answer: Answer) -> bool:
    """No answer (the connection was cut), or one of Caseflow's own pages (its title ends
    " - Caseflow") without a traceback: never a bare server error."""
    if answer.status == 0:
        return True
    return " - Caseflow</title>" in answer.text and "Traceback" not in answer.text


@dataclass
class Sample:
    what: str
    status: int
    ms: float
    ok: bool
    request_id: str
    audited: bool
    at: float
    # A failure answered as Caseflow's own error page (or not answered at all), never a
    # traceback or a server's default page.
    clean: bool = True


@dataclass
class Write:
    """A write answered with success: a case note (its one-time token) or a draft edit."""

    kind: str  # "note" or "draft"
    record_id: str  # the person's id for a note, the referral's for a draft
    value: str  # the note's creation token, or the risks text the draft was saved with
    request_id: str
    at: float


@dataclass
class Record:
    samples: list[Sample] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    # Draft edits sent whose answer never came: they may or may not have been saved.
    unanswered: list[Write] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self, *args) -> None:
        with self.lock:
            self.samples.append(Sample(*args))

    def wrote(self, write: Write, answered: bool = True) -> None:
        with self.lock:
            (self.writes if answered else self.unanswered).append(write)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


@dataclass
class Summary:
    requests: int
    errors: int
    seconds: float
    p50: float
    p95: float
    p99: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def summarise(samples: list[Sample], seconds: float) -> Summary:
    times = [s.ms for s in samples]
    errors = sum(1 for s in samples if not s.ok)
    return Summary(
        len(samples),
        errors,
        seconds,
        percentile(times, 0.50),
        percentile(times, 0.95),
        percentile(times, 0.99),
    )


def by_kind(samples: list[Sample]) -> dict[str, list[Sample]]:
    grouped: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        grouped[sample.what].append(sample)
    return dict(sorted(grouped.items()))


# Virtual users --------------------------------------------------------------------------------


@dataclass
class Actor:
    """Who a virtual user is: a session cookie, its worklists, the drafts it alone edits."""

    role: str
    cookies: dict[str, str]
    worklists: list[str]
    drafts: list[str] = field(default_factory=list)


class VirtualUser:
    def __init__(self, actor: Actor, host: str, port: int, record: Record, seed: int):
        self.actor, self.record = actor, record
        self.client = Client(host, port, actor.cookies)
        self.rng = random.Random(seed)  # noqa: S311 (a repeatable mix, nothing secret)
        self.people: list[str] = []
        self.referrals: list[str] = []

    def timed(
        self, what: str, method: str, path: str, form=None, *, expect=(200,), audited=True
    ) -> Answer:
        started = time.perf_counter()
        answer = self.client.request(method, path, form)
        ms = (time.perf_counter() - started) * 1000
        ok = answer.status in expect
        clean = ok or is_clean_failure(answer)
        self.record.sample(
            what, answer.status, ms, ok, answer.request_id, audited and ok, started, clean
        )
        return answer

    # One action each; each returns nothing and records what it did.

    def worklist(self) -> None:
        answer = self.timed("worklist", "GET", self.rng.choice(self.actor.worklists))
        if answer.status == 200:
            self.people = links(answer.text, PERSON_LINK) or self.people
            self.referrals = links(answer.text, REFERRAL_LINK) or self.referrals

    def person(self) -> str | None:
        if not self.people:
            return None
        answer = self.timed("person page", "GET", self.rng.choice(self.people))
        return answer.text if answer.status == 200 else None

    def referral(self) -> None:
        if self.referrals:
            self.timed("referral page", "GET", self.rng.choice(self.referrals))

    def note(self) -> None:
        if not self.people:
            return
        path = self.rng.choice(self.people)
        answer = self.timed("person page", "GET", path)
        form = form_posting_to(answer.text, "/notes", path) if answer.status == 200 else None
        if form is None:
            return
        text = f"Load test note {uuid.uuid4().hex[:12]}: phoned, no answer, will try again."
        sent = self.timed("case note", "POST", form.action, form.values(text=text), expect=(302,))
        write = Write("note", path.rsplit("/", 1)[-1], form.value("token") or "", "", time.time())
        if sent.status == 302:
            write.request_id = sent.request_id
            self.record.wrote(write)

    def draft(self) -> None:
        if not self.actor.drafts:
            return
        referral = self.rng.choice(self.actor.drafts)
        page = f"/referrals/{referral}/edit"
        answer = self.timed("draft edit page", "GET", page)
        form = form_posting_to(answer.text, "/edit", page) if answer.status == 200 else None
        if form is None:
            return
        risks = f"Load test {uuid.uuid4().hex[:12]}: no known risks to staff."
        values = form.values(risks=risks, save_draft="Save as draft")
        sent = self.timed("draft save", "POST", form.action, values, expect=(302,))
        write = Write("draft", referral, risks, sent.request_id, time.time())
        if sent.status == 302:
            self.record.wrote(write)
        elif sent.status == 0:
            self.record.wrote(write, answered=False)

    def dashboard(self) -> None:
        page = self.rng.choice(("/continuity/", "/continuity/breakdown", "/continuity/report"))
        self.timed("dashboard", "GET", page)

    def mix(self) -> list[tuple[Callable[[], object], int]]:
        if self.actor.role == "manager":
            return [(self.dashboard, 3), (self.worklist, 1)]
        drafts = [(self.draft, 1)] if self.actor.drafts else []
        return [(self.worklist, 4), (self.person, 4), (self.referral, 2), (self.note, 1), *drafts]

    def run(self, until: float) -> None:
        actions, weights = zip(*self.mix(), strict=True)
        self.worklist()
        while time.monotonic() < until:
            self.rng.choices(actions, weights)[0]()
        self.client.close()


def bare(host: str, port: int, record: Record, until: float) -> None:
    """The floor: the health check (one SELECT 1 on the same stack), as fast as it answers."""
    client = Client(host, port)
    while time.monotonic() < until:
        started = time.perf_counter()
        answer = client.request("GET", "/healthz")
        ms = (time.perf_counter() - started) * 1000
        record.sample("healthz", answer.status, ms, answer.status == 200, "", False, started)
    client.close()


def run_threads(targets: list[Callable[[], None]]) -> float:
    """Start every target at once, wait for all; the seconds it took."""
    started = time.monotonic()
    threads = [threading.Thread(target=target, daemon=True) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started
