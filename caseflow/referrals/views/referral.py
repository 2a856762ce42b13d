"""The referral's own page: what it says of the handover and the clock, the actions this viewer
may take now in their groups, the appointments and what may be done to each, and the person's
contacts.
"""

import uuid

from flask import render_template
from flask_login import current_user

from caseflow.people import contacts as people_contacts
from caseflow.referrals import bp
from caseflow.referrals.services import appointments, page_actions, reading
from caseflow.security.access import requires


@bp.route("/referrals/<uuid:referral_id>")
@requires("referral.view")
def show(referral_id: uuid.UUID):
    referral = reading.view_referral(current_user, referral_id)
    return render_template(
        "referrals/show.html",
        referral=referral,
        clock=reading.clock_summary(referral),
        action_groups=page_actions.action_groups_for(current_user, referral),
        appointment_actions=appointments.appointment_actions_for(current_user, referral),
        contacts=people_contacts.contacts_for(current_user, referral.person),
    )
