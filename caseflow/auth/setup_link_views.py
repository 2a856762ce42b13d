"""The page a set-up link opens: choose a password, then set up the authenticator app.

Only the token is in the path. A GET shows the form and changes nothing (a mail scanner that
follows the link uses nothing up); the POST uses the link, and sign-in carries on at the
authenticator step, as it does after a typed password.
"""

from flask import redirect, render_template

from caseflow import errors
from caseflow.auth import bp, forms, setup_links
from caseflow.auth.views import begin_second_step
from caseflow.security.access import PUBLIC, requires

# Why the link cannot be used: (status, heading, what to do). The page names no account.
UNUSABLE = {
    setup_links.Unusable.UNKNOWN: (
        404,
        "This link does not work",
        "Check you copied the whole link from the email. If it still does not work, ask a "
        "Caseflow administrator to send you a new link.",
    ),
    setup_links.Unusable.EXPIRED: (
        410,
        "This link has expired",
        "Links work for 24 hours. Ask a Caseflow administrator to send you a new link.",
    ),
    setup_links.Unusable.USED: (
        410,
        "This link has already been used",
        "Each link works once. If you chose your password with it, sign in. If you did not, "
        "tell a Caseflow administrator at once and ask them to send you a new link.",
    ),
    setup_links.Unusable.SUPERSEDED: (
        410,
        "A newer link has been sent",
        "Use the link in the most recent email from Caseflow, or ask a Caseflow administrator "
        "to send you a new link.",
    ),
    setup_links.Unusable.DISABLED: (
        410,
        "This account is disabled",
        "Ask a Caseflow administrator to re-enable it and send you a new link.",
    ),
}


def _unusable(reason: str):
    status, title, advice = UNUSABLE[reason]
    return render_template("auth/set_up_link_unusable.html", title=title, advice=advice), status


@bp.route("/set-up/<token>", methods=["GET", "POST"])
@requires(PUBLIC)
def set_up_account(token: str):
    form = forms.ChoosePasswordForm()
    try:
        user = setup_links.account_for_link(token)

        def page(stale: bool = False):
            return render_template("auth/choose_password.html", form=form, email=user.email)

        # A password the rules refuse is shown beside the field; the link stays usable.
        errors.on_form(form, page)
        if form.validate_on_submit():
            return redirect(
                begin_second_step(setup_links.choose_password(token, form.password.data))
            )
    except setup_links.LinkUnusable as refused:
        return _unusable(refused.reason)
    return page()
