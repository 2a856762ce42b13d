"""The administrators' pages: organisations and staff accounts.

Each change is a POST with a CSRF token; GET pages only show. The rules and the audit rows
live in services.py (organisations) and accounts.py (users).
"""

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow import errors
from caseflow.organisations import accounts, bp, forms, services
from caseflow.security.access import requires


def _regions():
    regions = services.local_authorities_by_region()
    return regions, [authority for _, authorities in regions for authority in authorities]


# Organisations


@bp.route("/organisations")
@requires("organisation.view")
def list_organisations():
    return render_template("organisations/list.html", organisations=services.list_organisations())


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires("organisation.manage")
def new_organisation():
    regions, authorities = _regions()
    form = forms.OrganisationForm(local_authorities=authorities)

    def page(stale: bool = False):
        return render_template(
            "organisations/new.html",
            form=form,
            regions=regions,
            area_kinds=sorted(services.AREA_KINDS),
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        organisation = services.add_organisation(
            current_user, name=form.name.data, kind=form.kind.data, areas=form.areas.data
        )
        flash(f"Organisation added: {organisation.name}", "success")
        return redirect(url_for(".show_organisation", organisation_id=organisation.id))
    return page()


@bp.route("/organisations/<uuid:organisation_id>")
@requires("organisation.view")
def show_organisation(organisation_id: uuid.UUID):
    organisation = services.get_organisation(organisation_id)
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        covers_areas=services.kind_covers_areas(organisation.kind),
        users=accounts.users_of(organisation.id),
    )


@bp.route("/organisations/<uuid:organisation_id>/edit", methods=["GET", "POST"])
@requires("organisation.manage")
def edit_organisation(organisation_id: uuid.UUID):
    organisation = services.get_organisation(organisation_id)
    covers_areas = services.kind_covers_areas(organisation.kind)
    regions, authorities = _regions()
    current = None
    if request.method == "GET":
        current = {"name": organisation.name, "areas": sorted(organisation.area_codes)}
    form = forms.EditOrganisationForm(
        data=current, local_authorities=authorities, covers_areas=covers_areas
    )

    def page(stale: bool = False):
        return render_template(
            "organisations/edit.html",
            form=form,
            organisation=organisation,
            covers_areas=covers_areas,
            regions=regions,
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        changed = services.update_organisation(
            current_user,
            organisation_id,
            name=form.name.data,
            areas=form.areas.data if covers_areas else None,
        )
        if changed:
            flash("Organisation updated", "success")
        else:
            flash("No changes made", "info")
        return redirect(url_for(".show_organisation", organisation_id=organisation_id))
    return page()


# Users


@bp.route("/users")
@requires("user.view")
def list_users():
    return render_template("organisations/users.html", users=accounts.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
@requires("user.manage")
def new_user():
    form = forms.NewUserForm(organisations=services.organisations_by_name())
    if request.method == "GET":
        # "Add a user" from an organisation's page chooses that organisation; nothing else.
        chosen = request.args.get("organisation", "")
        if chosen in {value for value, _ in form.organisation.choices if value}:
            form.organisation.data = chosen

    def page(stale: bool = False):
        return render_template("organisations/new_user.html", form=form)

    errors.on_form(form, page)
    if form.validate_on_submit():
        user = accounts.add_user(
            current_user,
            email=form.email.data,
            display_name=form.display_name.data,
            role=form.role.data,
            organisation_id=uuid.UUID(form.organisation.data),
        )
        flash(
            f"Account added for {user.display_name}. Caseflow has emailed them a link to "
            "choose their password and set up their authenticator app. It works once, "
            "for 24 hours.",
            "success",
        )
        return redirect(url_for(".show_user", user_id=user.id))
    return page()


@bp.route("/users/<uuid:user_id>")
@requires("user.view")
def show_user(user_id: uuid.UUID):
    user = accounts.get_user(user_id)
    return render_template(
        "organisations/show_user.html",
        user=user,
        has_second_factor=accounts.has_second_factor(user),
        password=accounts.password_state(user),
        yourself=user.id == current_user.id,
    )


@bp.route("/users/<uuid:user_id>/edit", methods=["GET", "POST"])
@requires("user.manage")
def edit_user(user_id: uuid.UUID):
    user = accounts.get_user(user_id)
    current = None
    if request.method == "GET":
        current = {"role": user.role, "organisation": str(user.organisation_id)}
    form = forms.ChangeUserForm(data=current, organisations=services.organisations_by_name())

    def page(stale: bool = False):
        return render_template(
            "organisations/edit_user.html",
            form=form,
            user=user,
            yourself=user.id == current_user.id,
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        changed = accounts.change_user(
            current_user,
            user_id,
            role=form.role.data,
            organisation_id=uuid.UUID(form.organisation.data),
        )
        if changed:
            flash(f"{user.display_name}'s account updated", "success")
        else:
            flash("No changes made", "info")
        return redirect(url_for(".show_user", user_id=user_id))
    return page()


# action in the URL: (service operation, page title, button, message when done)
USER_ACTIONS = {
    "disable": (
        accounts.disable,
        "Disable {name}'s account",
        "Disable account",
        "{name}'s account is disabled and they have been signed out",
    ),
    "enable": (
        accounts.enable,
        "Re-enable {name}'s account",
        "Re-enable account",
        "{name}'s account is enabled again",
    ),
    "reset-second-factor": (
        accounts.reset_second_factor,
        "Reset {name}'s second factor",
        "Reset second factor",
        "{name}'s second factor is reset and they have been signed out. "
        "They set up their authenticator app again at their next sign-in",
    ),
    "reset-password": (
        accounts.reset_password,
        "Reset {name}'s password",
        "Reset password and send link",
        "{name}'s password is reset and they have been signed out. Caseflow has emailed them a "
        "link to choose a new password and set up their authenticator app again",
    ),
}


@bp.route(
    "/users/<uuid:user_id>/<any(disable, enable, 'reset-second-factor', 'reset-password'):action>",
    methods=["GET", "POST"],
)
@requires("user.manage")
def user_action(user_id: uuid.UUID, action: str):
    operation, title, button, done = USER_ACTIONS[action]
    user = accounts.get_user(user_id)
    form = forms.ConfirmForm()

    def page(stale: bool = False):
        # Why the change was refused is shown above the button; any other problem with the
        # post gets the general message.
        problem = next(iter(form.submit.errors), None)
        if problem is None and form.errors:
            problem = "Sorry, there is a problem with that request. Try again"
        return render_template(
            "organisations/user_action.html",
            form=form,
            user=user,
            action=action,
            title=title.format(name=user.display_name),
            button=button,
            problem=problem,
            yourself=user.id == current_user.id,
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        operation(current_user, user_id)
        flash(done.format(name=user.display_name), "success")
        return redirect(url_for(".show_user", user_id=user_id))
    return page()
