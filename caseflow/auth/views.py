from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from caseflow.auth import bp, services
from caseflow.auth.forms import SignInForm
from caseflow.security.access import PUBLIC, requires


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, scheme or protocol-relative address."""
    fallback = url_for("main.home")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return fallback
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@requires(PUBLIC)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()
            session.regenerate()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        form.email.errors.append("Enter a correct email address and password")
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@requires(PUBLIC)
def sign_out():
    if current_user.is_authenticated:
        services.record_sign_out(current_user)
    logout_user()
    session.clear()
    response = render_template("auth/signed_out.html")
    return response, 200, {"Clear-Site-Data": '"cache", "cookies", "storage"'}
