"""Browser tests: Debian's Chromium driven by Playwright against a live Caseflow server.

The server runs in a thread on its own database, which it commits to for real, loaded with the
synthetic demo data. Every page a test visits is checked with axe-core (WCAG 2.2 AA).

Run on several processes (pytest-xdist), the browser tests are one group that a single worker
runs in order (WORKER_GROUPS in tests/conftest.py): one server, one Chromium, one database.
"""

import threading
from pathlib import Path

import flask_migrate
import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from caseflow import demo
from caseflow.extensions import db
from tests import databases
from tests.conftest import make_test_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(database_url):
    url = databases.scratch_database(database_url, "browser")
    app = make_test_app(url)
    with app.app_context():
        flask_migrate.upgrade()
        demo.load(people=40)
        db.session.commit()
        password = demo.demo_password()
    # Port 0: the system picks a free one as the server binds, so no other process (another
    # worker's server, a private PostgreSQL) can take it between choosing and binding.
    server = make_server("localhost", 0, app, threaded=True)
    port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://localhost:{port}", "app": app, "password": password}
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    databases.drop_scratch(url)


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context()
    # An init script runs outside the page's CSP, so axe can be injected without weakening it.
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page) -> None:
    """Run axe on the current page; fail with each violation named."""
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_22_AA,
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert problems == [], f"axe found problems on {page.url}:\n" + "\n".join(problems)


def current_code(live_server, email: str) -> str:
    """The demo account's authenticator code now. Each sign-in in a test starts afresh, as if
    the previous code's 30 seconds had passed, because a code is never accepted twice."""
    import time

    from caseflow.auth.services import user_by_email
    from caseflow.security import mfa

    with live_server["app"].app_context():
        user = user_by_email(email)
        user.totp_last_step = None
        db.session.commit()
        return mfa.code_for_step(user.totp_secret, int(time.time() // mfa.STEP_SECONDS))


def sign_in(page, live_server, email: str) -> None:
    """Both steps: password, then the code from the authenticator, axe on each page."""
    page.goto(live_server["url"] + "/sign-in")
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(live_server["password"])
    page.get_by_role("button", name="Sign in").click()
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_be_visible()
    assert_accessible(page)
    code_field.fill(current_code(live_server, email))
    page.get_by_role("button", name="Continue").click()
