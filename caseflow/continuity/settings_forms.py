"""The administrator's form for a new version of the measure's settings: the date it takes
effect, window, target, and where each code counts (one select per code of each mapping)."""

from flask_wtf import FlaskForm
from wtforms.validators import InputRequired, ValidationError

from caseflow.continuity.rules import AFTER_RELEASE_EXCLUSIONS, Placement, Settings
from caseflow.continuity.settings_admin import MAPPED_CODES, PLACEMENTS
from caseflow.forms import DateInput, select_field, submit, text_field
from caseflow.people.codes import ReleaseType, TreatmentNeed

# The words a select shows for each placement, per mapping.
PLACEMENT_WORDS = {
    "release_types": {p.value: p.label for p in Placement},
    "treatment_needs": {
        Placement.COHORT.value: "In the cohort",
        Placement.NOT_IN_COHORT.value: "Not in the cohort",
    },
    "exclusions": {
        Placement.EXCLUDED.value: "Excluded (the rule applies)",
        Placement.COHORT.value: "Stays in the cohort (the rule does not apply)",
    },
}
CODE_WORDS = {
    "release_types": {code.value: code.label for code in ReleaseType},
    "treatment_needs": {code.value: code.label for code in TreatmentNeed},
    "exclusions": {reason.value: reason.label for reason in AFTER_RELEASE_EXCLUSIONS},
}
MAPPING_HEADINGS = {
    "release_types": "Release types",
    "treatment_needs": "Treatment needs",
    "exclusions": "Exclusions after release",
}


def whole_number(message: str):
    def check(_form, field):
        if not (field.data or "").isdigit():
            raise ValidationError(message)

    return check


def field_name(mapping: str, code: str) -> str:
    return f"{mapping}__{code}"


class SettingsForm(FlaskForm):
    effective_from = DateInput(
        "Date the settings take effect",
        required="Enter the date the settings take effect",
        description="Periods ending on or after this date are measured with these settings. "
        "For example, 1 4 2027",
    )
    window_days = text_field(
        "Window in days",
        InputRequired(message="Enter the window in days"),
        whole_number("Window must be a whole number of days, like 21"),
        max_length=3,
        name="Window",
        hint="Treatment started on release day or within this many days after counts as met",
    )
    target_percent = text_field(
        "Target percentage",
        InputRequired(message="Enter the target percentage"),
        whole_number("Target must be a whole number, like 75"),
        max_length=3,
        name="Target",
    )
    submit = submit("Save new settings")

    def mapping_fields(self, mapping: str) -> list:
        return [self[field_name(mapping, code)] for code in MAPPED_CODES[mapping]]

    def mapping(self, mapping: str) -> dict[str, str]:
        return {code: self[field_name(mapping, code)].data for code in MAPPED_CODES[mapping]}

    def settings(self) -> Settings:
        """What the form says, as a version of the settings (checked by the service)."""
        return Settings(
            effective_from=self.effective_from.data,
            window_days=int(self.window_days.data),
            target_percent=int(self.target_percent.data),
            release_types=self.mapping("release_types"),
            treatment_needs=self.mapping("treatment_needs"),
            exclusions=self.mapping("exclusions"),
        )

    def fill_from(self, settings) -> None:
        """Start from the settings in effect, unless the form was sent."""
        self.window_days.data = str(settings.window_days)
        self.target_percent.data = str(settings.target_percent)
        for mapping in MAPPED_CODES:
            for code in MAPPED_CODES[mapping]:
                self[field_name(mapping, code)].data = getattr(settings, mapping).get(code, "")


for _mapping, _codes in MAPPED_CODES.items():
    for _code in _codes:
        setattr(
            SettingsForm,
            field_name(_mapping, _code),
            select_field(
                CODE_WORDS[_mapping][_code],
                [("", "Choose where it counts")]
                + [(p, PLACEMENT_WORDS[_mapping][p]) for p in PLACEMENTS[_mapping]],
                InputRequired(message="Choose where this code counts"),
            ),
        )
