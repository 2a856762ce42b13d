import uuid

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from caseflow import errors, timeline
from caseflow.organisations import services as organisations
from caseflow.people import (
    after_release,
    bp,
    contacts,
    custody,
    custody_rules,
    details,
    forms,
    limits,
    measure_forms,
    services,
)
from caseflow.people import timeline as _timeline  # noqa: F401  (registers the person page parts)
from caseflow.people.break_glass import grant_break_glass
from caseflow.people.codes import ContactKind
from caseflow.security.access import requires


def _form_data(form, *exclude: str) -> dict:
    skip = {"csrf_token", "submit", "version", "loaded", "token", *exclude}
    return {name: field.data for name, field in form._fields.items() if name not in skip}


@bp.route("/find", methods=["GET", "POST"])
@requires("person.search")
def find():
    form = forms.FindPersonForm()
    result = None
    errors.on_form(
        form, lambda stale=False: render_template("people/find.html", form=form, result=None)
    )
    if form.validate_on_submit():
        result = services.search(current_user, **_form_data(form))
        # The match stays on the server: only this session may ask to break glass for it.
        if result.out_of_scope_match:
            session["break_glass_candidate"] = str(result.out_of_scope_match)
        elif session.get("break_glass_candidate"):
            session.pop("break_glass_candidate")
    return render_template("people/find.html", form=form, result=result)


@bp.route("/emergency-access", methods=["GET", "POST"])
@requires("break_glass.use")
def break_glass():
    candidate = session.get("break_glass_candidate")
    if not candidate:
        flash("Search for the person by NHS number, prison number or CRN first.", "warning")
        return redirect(url_for("people.find"))
    form = forms.BreakGlassForm()

    def page(stale: bool = False):
        return render_template("people/break_glass.html", form=form)

    errors.on_form(form, page)
    if form.validate_on_submit():
        person_id = uuid.UUID(candidate)
        grant_break_glass(
            current_user, person_id, password=form.password.data, reason=form.reason.data
        )
        session.pop("break_glass_candidate", None)
        session.regenerate()  # a new session id for the raised access
        return redirect(url_for("people.show", person_id=person_id))
    return page()


@bp.route("/new", methods=["GET", "POST"])
@requires("person.create")
def new_person():
    # The person is not there yet: the form's token is bound to the organisation recording them.
    form = forms.PersonForm(subject=current_user.organisation_id)

    def page(stale: bool = False):
        return render_template("people/new.html", form=form)

    errors.on_form(form, page)
    if form.validate_on_submit():
        added = services.add_person(
            current_user,
            token=form.token.data or None,
            confirmed_new=form.confirmed_new.data,
            **_form_data(form, "confirmed_new"),
        )
        if added.person is None:
            # Possibly someone already recorded in the caseload: a warning with their record,
            # and a way to add anyway.
            return render_template("people/new.html", form=form, duplicates=added.duplicates)
        person = added.person
        flash("Person added", "success")
        if custody.holds_custody(current_user):
            return redirect(url_for("people.new_episode", person_id=person.id))
        return redirect(url_for("people.show", person_id=person.id))
    return page()


@bp.route("/<uuid:person_id>")
@requires("person.view")
def show(person_id: uuid.UUID):
    person = services.view_person(current_user, person_id)
    return _person_page(person, forms.CaseNoteForm(subject=person_id))


def _person_page(person, note_form):
    return render_template(
        "people/show.html",
        person=person,
        sections=timeline.sections_for(current_user, person),
        timeline=timeline.timeline_for(current_user, person),
        note_form=note_form,
        grant=services.emergency_access(current_user, person.id),
        custody=custody_rules.custody_actions(current_user, person),
        # What of the person's treatment this viewer may see (people/limits.py).
        treatment_details=limits.sees_treatment_details(current_user),
        changes_shown=lambda episode: limits.changes_shown(current_user, episode),
        may_change_details=details.may_change_details(current_user, person),
    )


@bp.route("/<uuid:person_id>/details", methods=["GET", "POST"])
@requires("person.update")
def change_details(person_id: uuid.UUID):
    form = forms.PersonDetailsForm()

    def page(stale: bool = False):
        # A stale page is answered with an error status, so its view is audited on its own.
        person = details.person_for_change(current_user, person_id, independent=stale)
        if request.method == "GET":
            form.load(details.stored_values(person), person.version)
        elif stale:
            # Merged with what was typed, so saving again keeps both people's changes.
            form.reconcile(details.stored_values(person), person.version)
        return render_template("people/change_details.html", form=form, person=person, stale=stale)

    errors.on_form(form, page)
    if form.validate_on_submit():
        details.change_details(
            current_user, person_id, version=form.version.data, **_form_data(form)
        )
        flash("Personal details saved", "success")
        return redirect(url_for("people.show", person_id=person_id))
    return page()


@bp.route("/<uuid:person_id>/notes", methods=["POST"])
@requires("casenote.create")
def add_note(person_id: uuid.UUID):
    form = forms.CaseNoteForm(subject=person_id)

    def page(stale: bool = False):
        person = services.view_person(current_user, person_id, page="case note")
        return _person_page(person, form)

    errors.on_form(form, page)
    if form.validate_on_submit():
        services.add_case_note(
            current_user, person_id, text=form.text.data, token=form.token.data or None
        )
        flash("Case note added", "success")
        return redirect(url_for("people.show", person_id=person_id, _anchor="timeline"))
    return page()


@bp.route("/<uuid:person_id>/custody/new", methods=["GET", "POST"])
@requires("custody.create")
def new_episode(person_id: uuid.UUID):
    form = forms.CustodyEpisodeForm(local_authorities=organisations.local_authorities())

    def page(stale: bool = False):
        person = services.view_person(
            current_user, person_id, page="new custody episode", starting_record=True
        )
        return render_template("people/new_episode.html", form=form, person=person)

    errors.on_form(form, page)
    if form.validate_on_submit():
        data = _form_data(form, "destination_local_authority")
        data["destination_local_authority_code"] = form.destination_local_authority.data
        data["naloxone_issued"] = data["naloxone_issued"] == "yes"
        data["bridging_prescription"] = data["bridging_prescription"] == "yes"
        custody.add_custody_episode(current_user, person_id, **data)
        flash("Custody episode added", "success")
        return redirect(url_for("people.show", person_id=person_id))
    return page()


# change in the URL: (form, service operation, page title, message when done)
EPISODE_CHANGES = {
    "release": (
        forms.ReleaseForm,
        custody.record_release,
        "Record release",
        "Release recorded",
    ),
    "expected-release": (
        forms.ExpectedReleaseForm,
        custody.move_expected_release,
        "Change expected release date",
        "Expected release date changed",
    ),
    "transfer": (
        forms.TransferForm,
        custody.transfer,
        "Record a transfer to another prison",
        "Transfer recorded",
    ),
    "treatment-need": (
        measure_forms.TreatmentNeedForm,
        custody.correct_treatment_need,
        "Correct the community treatment need",
        "Treatment need corrected",
    ),
}
CHANGE_URL = (
    "/<uuid:person_id>/custody/<uuid:episode_id>"
    "/<any(release, 'expected-release', transfer, 'treatment-need'):change>"
)


# What a change form shows from the episode as saved: its own dates and codes (the reason for
# a change belongs to the change, and the prison to transfer to is not the one holding it).
EPISODE_VALUES = (
    "expected_release_date",
    "actual_release_date",
    "release_type",
    "unplanned_release",
)


def _episode_values(form, episode) -> dict:
    return {name: getattr(episode, name) for name in EPISODE_VALUES if name in form._fields}


@bp.route(CHANGE_URL, methods=["GET", "POST"])
@requires("custody.update")
def change_episode(person_id: uuid.UUID, episode_id: uuid.UUID, change: str):
    form_class, operation, title, done = EPISODE_CHANGES[change]
    extra = {"prisons": organisations.prisons()} if change == "transfer" else {}
    form = form_class(**extra)

    def page(stale: bool = False):
        # A stale page is answered with an error status, so its view is audited on its own.
        episode = custody.view_episode(
            current_user, person_id, episode_id, page=change, independent=stale
        )
        if request.method == "GET":
            # A change asks for the new values, so its form opens blank.
            form.load(_episode_values(form, episode), episode.version, fill=False)
        elif stale:
            # Merged with what was typed, so saving again keeps both people's changes.
            form.reconcile(_episode_values(form, episode), episode.version)
        return render_template(
            "people/change_episode.html",
            form=form,
            title=title,
            episode=episode,
            person=episode.person,
            stale=stale,
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        data = _form_data(form)
        if change == "transfer":
            data["prison_id"] = uuid.UUID(data.pop("prison"))
        operation(current_user, person_id, episode_id, version=form.version.data, **data)
        flash(done, "success")
        if change == "transfer":
            # The receiving prison now holds the person; this prison no longer sees them.
            return redirect(url_for("main.home"))
        return redirect(url_for("people.show", person_id=person_id))
    return page()


CONTACT_URL = (
    "/<uuid:person_id>/contacts"
    "/<any('prison-offender-manager', 'community-offender-manager'):contact>"
)


@bp.route(CONTACT_URL, methods=["GET", "POST"])
@requires("contact.offender_manager")
def change_contact(person_id: uuid.UUID, contact: str):
    return _contact_page(person_id, contacts.kind_of(contact))


@bp.route("/<uuid:person_id>/contacts/keyworker", methods=["GET", "POST"])
@requires("contact.keyworker")
def change_keyworker_contact(person_id: uuid.UUID):
    return _contact_page(person_id, ContactKind.KEYWORKER)


def _contact_page(person_id: uuid.UUID, kind):
    form = forms.ContactForm()

    def page(stale: bool = False):
        # A stale page is answered with an error status, so its view is audited on its own.
        person, held = contacts.contact_for_change(current_user, person_id, kind, independent=stale)
        saved = {name: getattr(held, name) for name in contacts.FIELDS} if held else None
        if request.method == "GET" and held is not None:
            form.load(saved, held.version)
        elif stale and held is not None:
            # Merged with what was typed, so saving again keeps both people's changes.
            form.reconcile(saved, held.version)
        return render_template(
            "people/change_contact.html",
            form=form,
            person=person,
            kind=kind,
            held=held,
            stale=stale,
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        data = _form_data(form)
        contacts.save_contact(current_user, person_id, kind, version=form.version.data, **data)
        flash(f"{kind.label} saved", "success")
        return redirect(url_for("people.show", person_id=person_id, _anchor="contacts"))
    return page()


# A death, a removal from the country: facts learnt after release (people/after_release.py).


@bp.route("/<uuid:person_id>/death", methods=["GET", "POST"])
@requires("death.record")
def record_death(person_id: uuid.UUID):
    form = measure_forms.DeathForm()

    def page(stale: bool = False):
        person = after_release.person_for_page(
            current_user, person_id, "death.record", page="death", independent=stale
        )
        if request.method == "GET" or stale:
            form.show_version(person.version)
        if request.method == "GET" and person.date_of_death:
            form.date_of_death.data = person.date_of_death
            form.source.data = person.date_of_death_source
        return render_template(
            "people/after_release.html",
            form=form,
            title="Record date of death",
            person=person,
            stale=stale,
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        after_release.record_death(
            current_user,
            person_id,
            version=form.version.data,
            date_of_death=form.date_of_death.data,
            source=form.source.data,
        )
        flash("Date of death recorded", "success")
        return redirect(url_for("people.show", person_id=person_id))
    return page()


@bp.route("/<uuid:person_id>/removal", methods=["GET", "POST"])
@requires("removal.record")
def record_removal(person_id: uuid.UUID):
    form = measure_forms.RemovalForm()

    def page(stale: bool = False):
        person = after_release.person_for_page(
            current_user, person_id, "removal.record", page="removal", independent=stale
        )
        episode = after_release.latest_release(person)
        if episode is not None and (request.method == "GET" or stale):
            form.show_version(episode.version)
        return render_template(
            "people/after_release.html",
            form=form,
            title="Record removal from the country",
            person=person,
            episode=episode,
            stale=stale,
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        after_release.record_removal(
            current_user, person_id, version=form.version.data, removed_on=form.removed_on.data
        )
        flash("Removal from the country recorded", "success")
        return redirect(url_for("people.show", person_id=person_id))
    return page()
