"""The person page's summary list (templates/people/_summary_list.html) writes what GOV.UK
Frontend's govukSummaryList writes for the same rows: the page keeps GOV.UK's markup."""

import pytest

GOVUK = (
    '{% from "govuk_frontend_jinja/components/summary-list/macro.html" import govukSummaryList %}'
)
OURS = '{% from "people/_summary_list.html" import summary_list %}'
TYPED = '{% from "layout/_text.html" import typed_text %}'

CHANGE = {
    "items": [{"href": "/people/1/details#name", "text": "Change", "visuallyHiddenText": "name"}]
}
TWO = {
    "items": [
        {"href": "/a?x=1&y=2", "text": "Change", "visuallyHiddenText": "the <date>"},
        {"href": "/b", "text": "Remove"},
    ]
}

ROWS = {
    "text only": "[{'key': {'text': 'Name'}, 'value': {'text': name}}, "
    "{'key': {'text': 'Sex'}, 'value': {'text': 'Not recorded'}}]",
    "html, escaped text and typed text over lines": "[{'key': {'text': 'Address'}, "
    "'value': {'html': typed_text(address)}}, {'key': {'text': 'Name & title'}, "
    "'value': {'text': name}}, {'key': {'text': 'Tag'}, "
    "'value': {'html': '<strong class=\"govuk-tag\">Open</strong>'}}]",
    "every row with an action": "[{'key': {'text': 'Name'}, 'value': {'text': name}, "
    "'actions': change}, {'key': {'text': 'Phone'}, 'value': {'text': '0121'}, "
    "'actions': change}]",
    "some rows with actions, some with none or an empty one": "[{'key': {'text': 'Name'}, "
    "'value': {'text': name}, 'actions': change}, {'key': {'text': 'Phone'}, "
    "'value': {'text': '0121'}, 'actions': {}}, {'key': {'text': 'CRN'}, "
    "'value': {'text': 'C1'}, 'actions': missing}, {'key': {'text': 'Email'}, "
    "'value': {'html': 'a<br>b'}, 'actions': {'items': []}}]",
    "two actions in a row": "[{'key': {'text': 'Date'}, 'value': {'text': 'Today'}, "
    "'actions': two}, {'key': {'text': 'Name'}, 'value': {'text': name}}]",
    "no rows": "[]",
}


@pytest.mark.parametrize("name", ROWS)
def test_it_writes_what_the_govuk_macro_writes(app, name):
    values = {
        "name": "Zoë <O'Brien> & co",
        "address": "1 High Street\nBirmingham\nB1 1AA",
        "change": CHANGE,
        "two": TWO,
    }
    rows = ROWS[name]
    with app.test_request_context():
        env = app.jinja_env
        theirs = env.from_string(f"{GOVUK}{TYPED}{{{{ govukSummaryList({{'rows': {rows}}}) }}}}")
        ours = env.from_string(f"{OURS}{TYPED}{{{{ summary_list({rows}) }}}}")
        expected = theirs.render(**values)
        assert ours.render(**values) == expected
    assert "govuk-summary-list" in expected
