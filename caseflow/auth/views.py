"""Sign-in in two steps (password, then a code from an authenticator app), and sign-out."""

import time
import uuid

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from caseflow.auth import bp, forms, services
from caseflow.security import kept_input, mfa, throttle
from caseflow.security.access import PUBLIC, SIGNED_IN, requires
from caseflow.security.local_paths import is_local_path

# Between the password and the code, the session holds only who is half-way and since when.
PENDING_SECONDS = 5 * 60


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, scheme or protocol-relative address."""
    return target if is_local_path(target) else url_for("main.home")


def _pending_user():
    pending = session.get("pending_user")
    if not pending or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        # The half-way state has lapsed: forget it, and any seed being enrolled with it.
        session.pop("pending_user", None)
        session.pop("pending_secret", None)
        return None
    return services.load_user(pending["id"])


def begin_second_step(user, next_target: str | None = None, kept: dict | None = None) -> str:
    """After a password (typed, or just chosen through a set-up link): where the code comes next.

    The session then holds only who is half-way and since when, and what a form sent after the
    last session ended carried, sealed (caseflow.security.kept_input).
    """
    session.clear()
    session["pending_user"] = {"id": str(user.id), "since": time.time(), "next": next_target}
    if kept:
        session["pending_user"]["kept"] = kept_input.seal(kept, user.id)
    if services.needs_enrolment(user):
        return url_for("auth.set_up_code")
    return url_for("auth.enter_code")


def _finish_sign_in(user):
    pending = session.get("pending_user", {})
    target, kept = pending.get("next"), pending.get("kept")
    session.clear()
    session.regenerate()
    login_user(user)
    services.record_sign_in(user)
    if kept:
        # Back to the form whose sending found the session ended, to see it refilled.
        kept_input.keep_in_session(kept)
        return safe_next(kept["to"])
    return safe_next(target)


def sign_in_keeping(kept: kept_input.Carried):
    """The sign-in page answering a form sent after the session ended, carrying what it held,
    sealed to the account whose session it was (401: the form was not acted on)."""
    form = forms.SignInForm(formdata=None)
    return render_template("auth/sign_in.html", form=form, kept=kept), 401


@bp.route("/sign-in", methods=["GET", "POST"])
@requires(PUBLIC)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = forms.SignInForm()
    if form.validate_on_submit():
        step = services.check_password(form.email.data, form.password.data, request.remote_addr)
        if not step.wait.allowed:
            form.email.errors.append(
                "Too many attempts to sign in to this account. " + throttle.wait_advice(step.wait)
            )
            return render_template("auth/sign_in.html", form=form)
        user = step.user
        if user is None:
            form.email.errors.append("Enter a correct email address and password")
            return render_template("auth/sign_in.html", form=form)
        # What a form sent after the session ended held goes on only if it was this account's.
        kept = kept_input.opened_for(user.id)
        return redirect(begin_second_step(user, request.args.get("next"), kept=kept))
    # The page drawn again carries, still sealed, what a form sent after the session ended held
    # (its template reads it back from what was sent: kept_from_sign_in).
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@requires(PUBLIC)
def enter_code():
    user = _pending_user()
    if user is None or services.needs_enrolment(user):
        flash("Sign in again: the page was open too long.", "warning")
        return redirect(url_for("auth.sign_in"))
    form = forms.CodeForm()
    if form.validate_on_submit():
        step = services.check_code(user, form.code.data, request.remote_addr)
        if step.user is not None:
            return redirect(_finish_sign_in(user))
        if step.wait.allowed:
            form.code.errors.append("Enter the code shown in your authenticator app now")
        else:
            form.code.errors.append("Too many attempts. " + throttle.wait_advice(step.wait))
    return render_template("auth/code.html", form=form)


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
@requires(PUBLIC)
def set_up_code():
    user = _pending_user()
    if user is None or not services.needs_enrolment(user):
        session.pop("pending_secret", None)
        return redirect(url_for("auth.sign_in"))
    # The session holds the seed only sealed, like the stored one; it goes at session.clear()
    # when enrolment ends.
    secret, sealed = services.enrolment_secret(user, session.get("pending_secret"))
    if session.get("pending_secret") != sealed:
        session["pending_secret"] = sealed
    form = forms.EnrolmentForm()
    if form.validate_on_submit():
        codes = services.complete_enrolment(user, secret, form.code.data)
        if codes is not None:
            _finish_sign_in(user)
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append("Enter the code shown in your authenticator app now")
    uri = mfa.provisioning_uri(secret, user.email)
    return render_template(
        "auth/set_up.html", form=form, secret=secret, qr_code=mfa.qr_code_svg(uri)
    )


@bp.route("/sign-out", methods=["POST"])
@requires(PUBLIC)
def sign_out():
    if current_user.is_authenticated:
        services.record_sign_out(current_user)
    logout_user()
    session.end()  # the row goes, and no token is sent back
    response = render_template("auth/signed_out.html")
    return response, 200, {"Clear-Site-Data": '"cache", "cookies", "storage"'}


@bp.route("/session/keep-alive", methods=["POST"])
@requires(SIGNED_IN)
def keep_alive():
    """The 'stay signed in' button: any signed-in request resets the idle clock."""
    session["kept_alive"] = uuid.uuid4().hex[:8]
    return "", 204


# The page a set-up link opens lives in its own module, on this blueprint.
from caseflow.auth import setup_link_views  # noqa: E402, F401
