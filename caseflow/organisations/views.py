from flask import render_template

from caseflow.auth import services as accounts
from caseflow.organisations import bp, services
from caseflow.security.access import requires


@bp.route("/organisations")
@requires("organisation.view")
def list_organisations():
    return render_template("organisations/list.html", organisations=services.list_organisations())


@bp.route("/users")
@requires("user.view")
def list_users():
    return render_template("organisations/users.html", users=accounts.list_users())
