"""The referral's draft: the new referral form, the edit form of a draft, and the "Are you sure"
page before a draft is deleted. Saving a draft, sent at once if asked, is the handover service's
(``services.handover``); the forms' fields map to its fields here.
"""

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow import errors
from caseflow.people import services as people
from caseflow.referrals import bp, forms
from caseflow.referrals.services import deletion, handover, reading, starting
from caseflow.security.access import requires


def _handover_data(form) -> dict:
    needs = set(form.other_needs.data or ())
    return {
        "provider_id": uuid.UUID(form.provider.data),
        "consent": form.consent.data,
        "consent_override_reason": form.consent_override_reason.data,
        "substance_group": form.substance_group.data,
        "opioid_medicine": form.opioid_medicine.data,
        "opioid_dose": form.opioid_dose.data,
        "last_dose_date": form.last_dose_date.data,
        "bridging_prescription": form.bridging_prescription.data == "yes",
        "long_acting_injectable": form.long_acting_injectable.data == "yes",
        "naloxone_on_release": form.naloxone_on_release.data == "yes",
        "mental_health_need": "mental_health_need" in needs,
        "housing_need": "housing_need" in needs,
        "risks": form.risks.data,
        "contact_after_release": form.contact_after_release.data,
    }


def _prefill_from_episode(form, episode) -> None:
    """Carry what custody already recorded, so nobody types it twice."""
    form.substance_group.data = episode.substance_group
    form.opioid_medicine.data = episode.opioid_substitution
    form.last_dose_date.data = episode.last_dose_date
    form.bridging_prescription.data = "yes" if episode.bridging_prescription else "no"
    form.long_acting_injectable.data = (
        "yes" if episode.opioid_substitution == "lai_buprenorphine" else "no"
    )
    form.naloxone_on_release.data = "yes" if episode.naloxone_issued else "no"
    if episode.accommodation_on_release in ("no_fixed_abode", "rough_sleeping"):
        form.other_needs.data = ["housing_need"]


def _referral_values(referral) -> dict:
    """The draft as saved, in the edit form's terms (field name to value)."""
    values = {"provider": str(referral.provider_id)}
    for name in (
        "consent",
        "consent_override_reason",
        "substance_group",
        "opioid_medicine",
        "opioid_dose",
        "last_dose_date",
        "risks",
        "contact_after_release",
    ):
        values[name] = getattr(referral, name)
    for name in ("bridging_prescription", "long_acting_injectable", "naloxone_on_release"):
        values[name] = "yes" if getattr(referral, name) else "no"
    values["other_needs"] = [need for need in forms.OTHER_NEEDS if getattr(referral, need)]
    return values


@bp.route("/people/<uuid:person_id>/referrals/new", methods=["GET", "POST"])
@requires("referral.create")
def new_referral(person_id: uuid.UUID):
    start = starting.start_referral(current_user, person_id)
    episode, providers = start.episode, start.providers
    if start.live is not None and request.method == "GET":
        # One live referral per release and pathway: the way on is the live one. A form sent
        # anyway is refused by the service (or, sent twice, lands on the referral it made).
        shown = people.view_person(current_user, person_id, page="new referral")
        return render_template(
            "referrals/already_live.html",
            person=shown,
            live=start.live,
            link_to_live=start.live_visible_to(current_user),
            community=start.community,
        )
    form = forms.NewReferralForm(
        providers=providers,
        released_on=episode.actual_release_date if episode else None,
        subject=person_id,
    )
    if request.method == "GET" and episode is not None:
        _prefill_from_episode(form, episode)

    def page(stale: bool = False):
        shown = people.view_person(
            current_user, person_id, page="new referral", starting_record=True
        )
        return render_template(
            "referrals/new.html", form=form, person=shown, episode=episode, providers=providers
        )

    # A referral made elsewhere at the same moment is refused; this page then shows it.
    errors.on_form(form, page, record_url=url_for("referrals.new_referral", person_id=person_id))
    if form.validate_on_submit():
        saved = handover.save_new_referral(
            current_user, person_id, token=form.token.data or None, **_handover_data(form)
        )
        return _saved_draft(saved.referral.id, check_answers=form.send.data)
    return page()


def _saved_draft(referral_id: uuid.UUID, *, check_answers: bool):
    """After the draft form: on to checking the answers before sending (GOV.UK's check answers
    pattern: the referral is sent from that page, naming the provider), or back to the draft.
    Either way the draft is saved, and the page says so."""
    flash("Referral saved as a draft", "success")
    if check_answers:
        return redirect(url_for("referrals.send", referral_id=referral_id))
    return redirect(url_for("referrals.show", referral_id=referral_id))


@bp.route("/referrals/<uuid:referral_id>/edit", methods=["GET", "POST"])
@requires("referral.create")
def edit(referral_id: uuid.UUID):
    # Read once for the form, its page and its save; the page shows neither the referral's
    # history nor its appointments, so they are not read.
    referral = reading.find_visible_referral(current_user, referral_id, history=False)
    providers = starting.providers_offered(referral)
    form = forms.ReferralForm(
        providers=providers,
        released_on=referral.episode.actual_release_date if referral.episode else None,
    )
    if request.method == "GET":
        form.load(_referral_values(referral), referral.version)

    def page(stale: bool = False):
        if not stale:
            shown = reading.record_view(current_user, referral, page="edit")
            return render_template("referrals/edit.html", form=form, referral=shown, stale=False)
        # A stale page is answered with an error status, so its view is audited on its own;
        # its transaction was rolled back, so the referral is read again as saved since, and
        # merged with what was typed, so saving again keeps both people's changes.
        shown = reading.view_referral(
            current_user, referral_id, page="edit", independent=True, history=False
        )
        form.reconcile(_referral_values(shown), shown.version)
        return render_template("referrals/edit.html", form=form, referral=shown, stale=True)

    record_page = url_for("referrals.show", referral_id=referral_id)
    errors.on_form(form, page, record_url=record_page)
    if form.validate_on_submit():
        handover.save_draft(
            current_user,
            referral_id,
            version=form.version.data,
            found=referral,
            **_handover_data(form),
        )
        return _saved_draft(referral_id, check_answers=form.send.data)
    return page()


@bp.route("/referrals/<uuid:referral_id>/delete", methods=["GET", "POST"])
@requires("referral.delete")
def delete_draft(referral_id: uuid.UUID):
    """GOV.UK's "Are you sure" page, then the deletion: nothing is deleted by a GET."""
    form = forms.ConfirmForm()
    record_page = url_for("referrals.show", referral_id=referral_id)

    def page(stale: bool = False):
        referral = deletion.draft_to_delete(current_user, referral_id)
        return render_template("referrals/delete.html", form=form, referral=referral)

    errors.on_form(form, page, record_url=record_page)
    if form.validate_on_submit():
        person_id = deletion.delete_draft(current_user, referral_id)
        flash("Draft referral deleted", "success")
        return redirect(url_for("people.show", person_id=person_id))
    return page()
