"""Forms for the records the continuity measure needs beyond the release itself: a death, a
removal from the country after release, a corrected treatment need."""

from wtforms.validators import InputRequired

from caseflow.forms import DateInput, radio_field, reason_field, submit
from caseflow.people.codes import DeathSource, TreatmentNeed
from caseflow.people.forms import VersionedForm


class DeathForm(VersionedForm):
    date_of_death = DateInput("Date of death", required="Enter the date of death")
    source = radio_field(
        "Who told you of the death?",
        DeathSource.choices(),
        InputRequired(message="Select who told you of the death"),
    )
    submit = submit("Record date of death")


class RemovalForm(VersionedForm):
    removed_on = DateInput(
        "Date the person was deported or removed from the country",
        required="Enter the date of removal",
    )
    submit = submit("Record removal")


class TreatmentNeedForm(VersionedForm):
    treatment_need = radio_field(
        "Community treatment need",
        TreatmentNeed.choices(),
        InputRequired(message="Select the community treatment need"),
    )
    reason = reason_field("Reason for the correction", "Enter the reason for the correction")
    submit = submit("Correct treatment need")
