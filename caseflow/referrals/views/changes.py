"""The changes to a referral after its draft: each action of the lifecycle on a page of its own
(one view each, so each declares its permission, registered from the transition table), the
provider assigning a keyworker, and the correction of a treatment start.
"""

import uuid

from flask import flash, redirect, request, url_for
from flask_login import current_user

from caseflow.referrals import bp, forms
from caseflow.referrals.services import handover, keyworkers, reading, redirection, treatment_start
from caseflow.referrals.transitions import TRANSITIONS
from caseflow.referrals.views.change_pages import change_page, done
from caseflow.security.access import requires


def _change(referral_id: uuid.UUID, action: str):
    transition = TRANSITIONS[action]
    extra, context = {}, {}
    if action == "redirect":
        # The providers serving where the person is going: the destination recorded, or the one
        # chosen on the page (by GET) or carried by the form (POST).
        choice = redirection.redirect_choice(
            current_user, referral_id, request.values.get("local_authority_code")
        )
        extra = {"providers": choice.providers}
        context = {
            "choice": choice,
            "destination_form": forms.DestinationChoiceForm(
                formdata=None,
                local_authorities=choice.local_authorities,
                local_authority_code=choice.destination.ons_code if choice.destination else "",
            ),
        }
    form = transition.form(**extra)
    if action == "redirect" and choice.destination is not None:
        form.local_authority_code.data = choice.destination.ons_code
    if transition.form is forms.ConfirmForm:
        form.confirm.label.text = transition.label
    page = change_page(
        form,
        referral_id,
        action=action,
        title=transition.title,
        warning=transition.warning,
        template=transition.page,
        **context,
    )
    if form.validate_on_submit():
        data = {
            name: field.data
            for name, field in form._fields.items()
            if name not in ("csrf_token", "confirm")
        }
        if "provider" in data:
            data["provider_id"] = uuid.UUID(data.pop("provider"))
        handover.change_status(current_user, referral_id, action, **data)
        if not reading.still_visible(current_user, referral_id):
            # A provider that redirects or rejects a referral no longer holds it: home instead.
            flash(transition.done_message, "success")
            return redirect(url_for("main.home"))
        return done(transition.done_message, referral_id)
    return page()


def _register_change_view(action: str) -> None:
    permission = TRANSITIONS[action].permission

    def view(referral_id: uuid.UUID):
        return _change(referral_id, action)

    view.__name__ = f"change_{action}"
    bp.add_url_rule(
        f"/referrals/<uuid:referral_id>/{action}",
        endpoint=f"{action}",
        view_func=requires(permission)(view),
        methods=["GET", "POST"],
    )


for _action in TRANSITIONS:
    _register_change_view(_action)


@bp.route("/referrals/<uuid:referral_id>/assign", methods=["GET", "POST"])
@requires("referral.assign")
def assign(referral_id: uuid.UUID):
    form = forms.AssignForm(keyworkers=keyworkers.colleagues_who_can_be_assigned(current_user))
    page = change_page(form, referral_id, action="assign", title="Assign a keyworker")
    if form.validate_on_submit():
        keyworker_id = uuid.UUID(form.keyworker.data)
        keyworkers.assign_keyworker(current_user, referral_id, keyworker_id)
        return done("Keyworker assigned", referral_id)
    return page()


@bp.route("/referrals/<uuid:referral_id>/treatment-start", methods=["GET", "POST"])
@requires("treatment.correct")
def correct_treatment_start(referral_id: uuid.UUID):
    form = forms.TreatmentStartCorrectionForm()
    page = change_page(
        form,
        referral_id,
        action="correct treatment start",
        title="Correct the treatment start",
        versioned=True,
    )
    if form.validate_on_submit():
        treatment_start.correct_treatment_start(
            current_user,
            referral_id,
            version=form.version.data,
            treatment_start_date=form.treatment_start_date.data,
            reason=form.reason.data,
        )
        return done("Treatment start corrected", referral_id)
    return page()
