"""The measure's page forms: choosing the period."""

import threading

from flask_wtf import FlaskForm
from markupsafe import Markup

from caseflow.forms import select_field, submit

# The period chooser as drawn, by what it shows. Drawing a select of twenty-odd periods through
# the GOV.UK macros costs more than the rest of the dashboard's own markup; what it shows is the
# same for everyone on a day (the periods offered, the one chosen, any error), never personal.
# Bounded: the periods offered change once a month, so old ones are simply forgotten.
_drawn: dict[tuple, Markup] = {}
_drawn_lock = threading.Lock()
DRAWN_LIMIT = 32


class PeriodForm(FlaskForm):
    """Sent with GET, so the chosen period is in the page's address; it changes nothing."""

    class Meta:
        csrf = False

    period = select_field("Period", [], hint="By release date")
    submit = submit("Show")

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.period.choices = list(periods)

    def chooser(self) -> Markup:
        """The period's select and the Show button, as the GOV.UK macros draw them; drawn once
        for each set of periods offered, period chosen and error shown. The key holds the
        chosen period only when it is one offered (the select marks no other), never whatever
        an address sent."""
        offered = tuple(self.period.choices)
        chosen = self.period.data if self.period.data in {code for code, _ in offered} else None
        key = (offered, chosen, tuple(self.period.errors))
        with _drawn_lock:
            drawn = _drawn.get(key)
        if drawn is None:
            button = self.submit(params={"classes": "govuk-button--secondary"})
            drawn = self.period() + Markup("\n  ") + button
            with _drawn_lock:
                if len(_drawn) >= DRAWN_LIMIT:
                    _drawn.clear()
                _drawn[key] = drawn
        return drawn
