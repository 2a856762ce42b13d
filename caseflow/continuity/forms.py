"""The measure's page forms: choosing the period."""

from flask_wtf import FlaskForm

from caseflow.forms import select_field, submit


class PeriodForm(FlaskForm):
    """Sent with GET, so the chosen period is in the page's address; it changes nothing."""

    class Meta:
        csrf = False

    period = select_field("Period", [], hint="By release date")
    submit = submit("Show")

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.period.choices = list(periods)
