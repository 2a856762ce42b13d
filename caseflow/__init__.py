"""Caseflow: from prison to community drug and alcohol treatment, without the gap between."""

import importlib
from pathlib import Path

from flask import Flask, make_response
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy.orm.exc import StaleDataError

import config
from caseflow import cli, errors, extensions, forms, logs, navigation, templating
from caseflow.audit import checkpoints as audit_checkpoints
from caseflow.audit import services as audit_services
from caseflow.audit.services import write_independent_events
from caseflow.reporting_db import init_app as init_reporting_db
from caseflow.security import access, headers
from caseflow.security.sessions import write_with_request

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BLUEPRINT_PACKAGES = (
    "main",
    "auth",
    "organisations",
    "people",
    "referrals",
    "auditor",
    "continuity",
    "pathways.dual_diagnosis",
    "pathways.rough_sleeping",
    "pathways.cstr",
)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    app = Flask(
        __name__,
        static_folder="static",
        static_url_path="/assets",
        instance_path=str(config.INSTANCE_DIR),
    )
    app.config.update(config.settings_for(config_name))
    app.config.update(overrides)
    logs.init_app(app)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(PROJECT_ROOT / "templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    extensions.db.init_app(app)
    extensions.planner_settings(app)
    init_reporting_db(app)  # DATABASE_REPLICA_URL: where reporting reads go
    extensions.migrate.init_app(app, extensions.db, directory=str(PROJECT_ROOT / "migrations"))
    forms.init_app(app)  # before CSRF: a file part is refused before any form is read
    extensions.csrf.init_app(app)
    from caseflow.security import kept_input, sessions

    _init_login(app)
    sessions.init_app(app)
    kept_input.init_app(app)  # after CSRF: only a form that passed it is kept from a live session
    for package in BLUEPRINT_PACKAGES:
        # Importing the views module attaches its routes to the package's blueprint.
        importlib.import_module(f"caseflow.{package}.views")
        app.register_blueprint(importlib.import_module(f"caseflow.{package}").bp)
    audit_services.init_app(app)
    audit_checkpoints.init_app(app)

    headers.init_app(app)
    navigation.init_app(app)
    templating.init_app(app)
    access.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    # Registered last, so it runs before every other after-request step: a page that takes the
    # place of a failed commit still gets the security headers.
    app.after_request(_end_transaction)
    return app


def _init_login(app: Flask) -> None:
    from caseflow.auth.services import load_user

    login_manager = extensions.login_manager
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)


def _nothing_to_undo() -> None:
    """What undoes a session write that never happened."""


def _end_transaction(response):
    """One transaction per request: kept when the answer is a success, undone otherwise.

    The commit is the last place two saves of one record can meet (the version check of an
    UPDATE flushed only now): that answer becomes the 409 page with what was typed, in place
    of the success the view thought it had (caseflow.errors).

    The session's row is written in the same transaction, so a request commits once; should
    that commit fail, the session is written afterwards on its own, as for any refusal.
    """
    if response.status_code < 400:
        undo_session_write = _nothing_to_undo
        try:
            # Writing the session flushes the request's changes, so two saves of one record can
            # meet there as well as at the commit: both are inside this try.
            undo_session_write = write_with_request(response)
            extensions.db.session.commit()
        except StaleDataError:
            undo_session_write()
            response = make_response(errors.answer_stale())
        except BaseException:
            undo_session_write()
            raise
    if response.status_code >= 400:
        extensions.db.session.rollback()
    write_independent_events()
    return response
