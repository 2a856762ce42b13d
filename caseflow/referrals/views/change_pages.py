"""The page every change to a referral is made on, and where the change leads: one place, so each
change page names the referral alike, explains on the page a change that cannot be made now, and
answers a stale or refused form the same way (``caseflow.errors.on_form``).
"""

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow import errors
from caseflow.referrals.services import page_actions, reading


def change_page(
    form,
    referral_id: uuid.UUID,
    *,
    action: str,
    title: str,
    warning=False,
    template: str | None = None,
    versioned: bool = False,
    **context,
):
    """The page of one change to a referral, named as the page its form is shown on: a change
    that cannot be made is explained on the referral's own page. A ``versioned`` form carries
    the referral's version as shown, and after a stale save the version saved since."""

    def page(stale: bool = False):
        referral = reading.view_referral(current_user, referral_id, page=action, independent=stale)
        if versioned and (request.method == "GET" or stale):
            form.show_version(referral.version)
        return render_template(
            template or "referrals/change.html",
            form=form,
            referral=referral,
            title=title,
            warning=warning,
            clock=reading.clock_summary(referral),
            refusal=page_actions.refusal_of(current_user, referral, action),
            **context,
        )

    errors.on_form(form, page, record_url=url_for("referrals.show", referral_id=referral_id))
    return page


def done(message: str, referral_id: uuid.UUID):
    """After a change: back to the referral's page, which says what was done."""
    flash(message, "success")
    return redirect(url_for("referrals.show", referral_id=referral_id))
