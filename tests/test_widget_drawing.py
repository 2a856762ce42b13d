"""Caseflow draws govuk-frontend-wtf's widgets from their templates in the application's
environment (caseflow.widgets.draw_widget) instead of through flask.render_template, which ran the
context processors and template signals once per field. The HTML must be the library's own, for
every kind of widget Caseflow uses, with and without errors, with and without params.
"""

import copy
import importlib
import pkgutil

import pytest
from flask.signals import before_render_template
from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, PasswordField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

import caseflow
from caseflow import forms, widgets
from caseflow.forms import (
    DateInput,
    radio_field,
    select_field,
    submit,
    text_area,
    text_field,
    time_field,
    yes_no_field,
)
from caseflow.widgets import CharacterCount, SelectInput

# The widget classes this test draws both ways; every field of every Caseflow form must use one.
COVERED = {
    GovTextInput,
    GovTextArea,
    CharacterCount,
    GovRadioInput,
    GovCheckboxesInput,
    GovCheckboxInput,
    SelectInput,
    GovDateInput,
    GovPasswordInput,
    GovSubmitInput,
}

AREAS = [(f"a{n}", f"Area {n}") for n in range(30)]


class EveryWidget(FlaskForm):
    class Meta:
        csrf = False

    name = text_field(
        "Name", DataRequired(message="Enter the name"), max_length=10, hint="As known"
    )
    at = time_field("Time of the appointment")
    note = text_area("Note", DataRequired(message="Enter the note"), max_length=20)
    plain = TextAreaField("Plain", [DataRequired(message="Enter it")], widget=GovTextArea())
    kind = radio_field("Kind", [("a", "A"), ("b", "B <b>")], InputRequired(message="Choose"))
    agreed = yes_no_field("Agreed?", "Say yes or no")
    needs = SelectMultipleField(
        "Needs",
        choices=[("x", "X"), ("y", "Y")],
        validators=[DataRequired(message="Choose a need")],
        widget=GovCheckboxesInput(),
    )
    consent = BooleanField("Consents", [DataRequired(message="Tick it")], widget=GovCheckboxInput())
    prison = select_field("Prison", [("", ""), ("p", "P")], DataRequired(message="Choose one"))
    area = select_field("Area", [("", ""), *AREAS], DataRequired(message="Choose an area"))
    born = DateInput(
        "Date of birth", required="Enter the date of birth", plausible=forms.DATE_OF_BIRTH
    )
    secret = PasswordField(
        "Password", [DataRequired(message="Enter it")], widget=GovPasswordInput()
    )
    save = submit("Save")


PARAMS = {
    "note": {"rows": 3},
    "kind": {"items": [{"conditional": {"html": "<p>more</p>"}}, {}]},
    "save": {"classes": "govuk-button--secondary"},
    "name": {"classes": "govuk-input--width-10"},
    "born": {"hint": {"text": "For example, 27 3 1980"}},
}

SENT = {
    "empty": MultiDict(),
    "wrong": MultiDict(
        [
            ("name", "far too long a name"),
            ("at", "half past"),
            ("note", "x" * 30),
            ("kind", "c"),
            ("needs", "z"),
            ("prison", "q"),
            ("area", "a3"),
            ("born", "31"),
            ("born", "2"),
            ("born", "1990"),
        ]
    ),
    "right": MultiDict(
        [
            ("name", "Ann"),
            ("note", "A note"),
            ("plain", "text"),
            ("kind", "b"),
            ("agreed", "yes"),
            ("needs", "x"),
            ("needs", "y"),
            ("consent", "y"),
            ("prison", "p"),
            ("area", "a3"),
            ("born", "3"),
            ("born", "4"),
            ("born", "1980"),
            ("secret", "pw"),
        ]
    ),
}


def _drawn(form, with_params: bool) -> list[str]:
    # A copy each time: the library takes a radio's items out of the params it is given.
    return [
        str(
            field(params=copy.deepcopy(PARAMS[field.name]))
            if with_params and field.name in PARAMS
            else field()
        )
        for field in form
    ]


@pytest.mark.parametrize("sent", sorted(SENT))
@pytest.mark.parametrize("with_params", [False, True])
def test_every_widget_draws_the_librarys_html(app, monkeypatch, sent, with_params):
    with app.test_request_context():
        form = EveryWidget(formdata=SENT[sent] or None)
        if sent != "empty":
            form.validate()
            assert form.errors if sent == "wrong" else not form.errors
        ours = _drawn(form, with_params)
        with monkeypatch.context() as patched:
            patched.setattr(GovFormBase, "render", widgets.LIBRARY_DRAW)
            theirs = _drawn(form, with_params)
    assert GovFormBase.render is widgets.draw_widget
    assert ours == theirs
    assert all(html.strip() for html in ours)
    if sent == "wrong":
        assert sum("govuk-error-message" in html for html in ours) >= 8


def test_a_widget_is_drawn_without_the_page_signals(app):
    # Page signals are for pages: the kept input's refill looks for a form among a page's values.
    pages = []

    def drawn(sender, template, context, **extra):
        pages.append(template.name)

    before_render_template.connect(drawn, app)
    try:
        with app.test_request_context():
            html = EveryWidget()
            assert "Name" in str(html.name())
    finally:
        before_render_template.disconnect(drawn, app)
    assert pages == []


def _caseflow_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(caseflow.__path__, "caseflow."):
        if module.name.rsplit(".", 1)[-1] in {"forms", "versioned_forms"}:
            importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.startswith("caseflow."):
                found.append(subclass)
    return found


def test_every_widget_caseflow_uses_is_drawn_both_ways_above():
    kinds = set()
    for form in _caseflow_forms():
        for name in dir(form):
            unbound = getattr(form, name, None)
            if not hasattr(unbound, "field_class"):
                continue
            widget = unbound.kwargs.get("widget") or unbound.field_class.widget
            if isinstance(widget, GovFormBase):
                kinds.add(type(widget))
    assert kinds, "no Caseflow form found"
    assert kinds <= COVERED, f"not drawn both ways by this test: {kinds - COVERED}"


def test_only_a_blank_widget_is_kept_and_by_every_param(app):
    kept = app.jinja_env.globals["rendered_once"].kept
    with app.test_request_context():
        blank = EveryWidget()
        first = [str(field()) for field in blank]
        widget_keys = [key for key in kept if key[0] == "caseflow.widgets widget"]
        kept_templates = {key[1] for key in widget_keys}
        # Text boxes, text areas and the button; not radios, checkboxes, selects or the date's
        # boxes, whose choices' words may come from records.
        assert "govuk_frontend_wtf/charactercount.html" in kept_templates
        assert "govuk_frontend_wtf/button.html" in kept_templates
        assert not kept_templates & {
            "govuk_frontend_wtf/radios.html",
            "govuk_frontend_wtf/select.html",
            "govuk_frontend_wtf/checkboxes.html",
        }
        assert [str(field()) for field in EveryWidget()] == first
        for sent in ("wrong", "right"):
            form = EveryWidget(formdata=SENT[sent])
            form.validate()
            drawn = [str(field()) for field in form]
            assert drawn != first
        everything_kept = repr(list(kept))
        for typed in ("far too long a name", "half past", "x" * 30, "A note", "'Ann'", "'pw'"):
            assert typed not in everything_kept
        # Another label is another key: HTML is only ever reused for the same params.
        assert "Another" in str(blank.name(params={"label": {"text": "Another"}}))
        assert "Another" not in str(blank.name())
