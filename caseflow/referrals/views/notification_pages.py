"""The signed-in person's notifications: the list, opening one (marked read, then on to its
record's own page), and marking them all read.
"""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from caseflow import notifications as notifications_service
from caseflow.notifications import mark_read, notifications_for
from caseflow.referrals import bp, forms
from caseflow.security.access import SIGNED_IN, requires


@bp.route("/notifications")
@requires(SIGNED_IN)
def notifications():
    return render_template(
        "referrals/notifications.html",
        items=notifications_for(current_user),
        form=forms.ConfirmForm(),
    )


@bp.route("/notifications/open", methods=["POST"])
@requires(SIGNED_IN)
def open_notification():
    """Clicking a notification: marked read, then on to its record (a POST, as it changes
    something; where it goes is the record's own page, never a value from the request)."""
    form = forms.OpenNotificationForm()
    if not form.validate_on_submit():
        return redirect(url_for("referrals.notifications"))
    link = notifications_service.open_notification(current_user, form.notification.data)
    if link is None:
        flash("Marked as read. Your team no longer sees that record.", "success")
        return redirect(url_for("referrals.notifications"))
    return redirect(url_for(link[0], **link[1]))


@bp.route("/notifications/read", methods=["POST"])
@requires(SIGNED_IN)
def mark_notifications_read():
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        mark_read(current_user)
        flash("Notifications marked as read", "success")
    return redirect(url_for("referrals.notifications"))
