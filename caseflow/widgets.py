"""Caseflow's GOV.UK widgets: the two it adds to govuk-frontend-wtf's (a character count whose
limit is the field's own, a select that a long list turns into an autocomplete), the items a
conditional reveal gives radios, and how every widget of the library is drawn (``draw_widget``,
put in place of the library's own by ``caseflow.forms.init_app``), blank ones kept per process.

Apart from ``caseflow.forms`` because how a field is shown is not what it accepts: the fields,
their messages and date ranges stay there with the rules they enforce, and the drawing, which
reads the application's templates and keeps HTML in ``caseflow.templating``'s store, is here.
"""

from flask import current_app
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSelect, GovSubmitInput
from markupsafe import Markup
from wtforms.validators import Length

# Caseflow's widgets and their params ------------------------------------------------------------


def max_length_of(field) -> int | None:
    """The most characters the field takes, from its Length validator."""
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max > 0]
    return min(limits) if limits else None


class CharacterCount(GovCharacterCount):
    """A text area with GOV.UK's character count, its limit read from the field's own Length
    validator, so the page states the limit the form enforces."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("maxlength", max_length_of(field))
        return params


class SelectInput(GovSelect):
    """GOV.UK's select. A long one (every local authority, every provider) is marked for
    GOV.UK's accessible autocomplete, which caseflow.js puts in its place: without JavaScript it
    stays a plain select."""

    LONG = 20  # more choices than this, and typing a few letters beats scrolling

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if len(params["items"]) > self.LONG:
            params["attributes"] = {**params["attributes"], "data-caseflow-autocomplete": "true"}
        return params


def revealing(field, reveals: dict) -> list[dict]:
    """The ``items`` of a radios or checkboxes field with GOV.UK's conditional reveal: under each
    answer named in ``reveals``, its follow-up question (rendered HTML). Without JavaScript the
    follow-up questions are all shown; GOV.UK Frontend hides those whose answer is not chosen.
    A single checkbox (a BooleanField) has one item: name it by ``True``."""
    choices = getattr(field, "choices", None)
    values = [value for value, *_ in choices] if choices is not None else [True]
    return [{"conditional": {"html": reveals[v]}} if v in reveals else {} for v in values]


# Drawing every widget ---------------------------------------------------------------------------

# How govuk-frontend-wtf draws a widget: through flask.render_template, kept for the test that
# checks Caseflow's way draws the same HTML (tests/test_widget_drawing.py).
LIBRARY_DRAW = GovFormBase.render


class _Unkeyable(Exception):
    """A widget's params hold a value the kept HTML cannot be keyed by."""


def _key_of(value):
    # Each value with its type: "1", 1 and True, or a str and Markup, can draw differently.
    if isinstance(value, dict):
        return (dict, tuple((name, _key_of(item)) for name, item in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(_key_of(item) for item in value))
    if value is None or isinstance(value, (str, int, float)):
        return (type(value), value)
    raise _Unkeyable


def _blank(widget: GovFormBase, params: dict) -> bool:
    """A widget as an empty form shows it: nothing typed or chosen in it (a button's value is
    its own, "y", unless a post sent another), no error beside it, and no list of choices or
    boxes (whose words may come from records). Its HTML comes from the field's definition and
    the page's params alone."""
    own_value = isinstance(widget, GovSubmitInput) and params.get("value") == "y"
    return (
        (own_value or params.get("value") in (None, ""))
        and "errorMessage" not in params
        and "items" not in params
    )


def draw_widget(widget: GovFormBase, params: dict) -> Markup:
    """A govuk-frontend-wtf widget's HTML, from its template in the application's environment.

    The library draws each field with ``flask.render_template``, which runs every context
    processor (the CSRF token, the signed-in user, the worklist tabs) and the template signals
    once per field. A widget's template reads only ``params``, and the GOV.UK macro it imports
    sees the environment's globals alone, as it does through render_template: the HTML is the
    same (tests/test_widget_drawing.py). Nothing that listens for a page being drawn (the kept
    input's refill, which looks for a form among the page's values) wanted a widget's.

    A blank widget (the person page's case note, a new record's text boxes) is drawn once per
    process for its params and kept with the layout's fragments (caseflow.templating
    rendered_once), in their environment without the application's globals: the key is every
    param, so no one is given HTML drawn from anything they did not send themselves.
    """
    environment = current_app.jinja_env
    name = widget.template
    # While templates reload from disk (development) nothing is kept, and the application's
    # environment notices a changed template by itself.
    if not environment.auto_reload and _blank(widget, params):
        try:
            key = ("caseflow.widgets widget", name, _key_of(params))
        except _Unkeyable:
            pass
        else:
            return environment.globals["rendered_once"].keep(
                key, lambda bare: bare.get_template(name).make_module({"params": params}).__html__()
            )
    # The template's HTML, escaped as every page is (Jinja marks it safe to insert as it is).
    return environment.get_template(name).make_module({"params": params}).__html__()
