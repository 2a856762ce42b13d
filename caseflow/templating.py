"""Filters and globals the templates share: framework-level only.

The words for a stored code come from the code list its domain declares (caseflow.codes), through
the one ``label`` filter; no domain vocabulary is kept here.
"""

from collections.abc import Callable

from flask import Flask
from flask_login import current_user
from jinja2 import Environment, Template, meta, pass_context
from markupsafe import Markup

from caseflow.codes import label, tag_class
from caseflow.dates import display, display_date_time
from caseflow.people.identifiers import format_nhs_number
from caseflow.security.access import role_may


@pass_context
def permitted(_context, permission: str) -> bool:
    """Whether the signed-in person's role has an activity.

    pass_context stops Jinja folding `"x" | permitted` into a constant when it compiles a
    template, which would fix the answer for everyone to that of the first person to load it.
    """
    return current_user.is_authenticated and role_may(current_user.role, permission)


class CaseflowTemplate(Template):
    """Jinja's template, with a cheaper test of whether an import can share the cached module.

    Every ``{% from ... import %}`` asks the imported template for its module, and Jinja makes a
    new one when the importing page has globals the imported template lacks. It finds out by
    subtracting one ChainMap's keys from a set, testing each key against each map in Python:
    with Caseflow's globals and the GOV.UK macros' imports of each other, a fifth of the
    layout's rendering time. ``set.difference`` asks the same question in C. The answer, and
    so every module used, is unchanged (tests/test_layout_rendering.py).
    """

    def _get_default_module(self, ctx=None):
        if ctx is not None and not ctx.globals_keys.difference(self.globals):
            ctx = None  # no global the module lacks: the cached module is the one to use
        return super()._get_default_module(ctx)


# How many fragments rendered_once keeps; past it, it starts again (a fragment's values are few:
# the menu's differ by role, page and unread count; a blank form widget's by its field).
KEPT_FRAGMENTS = 512


class FragmentReadsTooMuch(RuntimeError):
    """A fragment for rendered_once names a variable it was not given (a request's, a user's)."""


def rendered_once(app: Flask):
    """A template global: the HTML of a fragment that is the same for everyone given the same
    values (the skip link and phase banner with none, the menu with its items), rendered once
    per process for each set of values and kept.

    A fragment sees only the values it is given, which must be hashable (they are the key). It
    is drawn in an environment of its own, with the application's loader and Jinja's own filters
    and tests but none of the application's globals, filters or tests, so neither it nor any
    template it imports or includes can reach a request or a person (a nonce, a CSRF token,
    ``permitted``, the signed-in user): a filter or test of the application's is an error when
    the fragment is first drawn, and a fragment naming a variable it was not given is refused.
    While templates reload from disk (development), nothing is kept.

    ``rendered_once.keep(key, draw)`` is the same store for HTML drawn from values that are not
    hashable as they are (a form widget's params, caseflow.widgets): ``draw`` is given the same
    bare environment to draw in, and the caller's key must hold everything drawn from.
    """
    environment = app.jinja_env
    # The same syntax and whitespace handling as the pages, so the HTML is theirs.
    bare = Environment(
        loader=environment.loader,
        autoescape=True,
        extensions=[type(e) for e in environment.extensions.values()],
        trim_blocks=environment.trim_blocks,
        lstrip_blocks=environment.lstrip_blocks,
        keep_trailing_newline=environment.keep_trailing_newline,
    )
    kept: dict[tuple, Markup] = {}
    checked: set[str] = set()

    def keep(key: tuple, draw: Callable[[Environment], Markup]) -> Markup:
        html = kept.get(key)
        if html is not None:
            return html
        if environment.auto_reload:
            bare.cache.clear()  # development: the template as it is on disk now
        html = draw(bare)
        if not environment.auto_reload:
            if len(kept) >= KEPT_FRAGMENTS:
                kept.clear()
            kept[key] = html
        return html

    def fragment(name: str, **values) -> Markup:
        key = (name, tuple(sorted(values.items())))
        html = kept.get(key)
        if html is not None:
            return html
        if name not in checked:
            source = environment.loader.get_source(environment, name)[0]
            unknown = meta.find_undeclared_variables(bare.parse(source)) - set(values)
            if unknown:
                raise FragmentReadsTooMuch(f"{name} names {', '.join(sorted(unknown))}")
            checked.add(name)
        # The module's HTML, escaped as every page is (Jinja marks it safe to insert as it is).
        return keep(key, lambda drawing: drawing.get_template(name).make_module(values).__html__())

    fragment.keep = keep
    fragment.kept = kept  # for the tests: what is kept, by key
    return fragment


def compile_all(app: Flask) -> int:
    """Compile every page template into the environment's cache ahead of the first request
    (gunicorn.conf.py does it in the master, before the workers are forked from it); how many.
    Jinja's cache holds 400 templates by default, all of Caseflow's and the GOV.UK macros."""
    environment = app.jinja_env
    names = [name for name in environment.list_templates() if name.endswith(".html")]
    for name in names:
        environment.get_template(name)
    return len(names)


def init_app(app: Flask) -> None:
    # Set before the first template is loaded (create_app calls this before any is drawn).
    app.jinja_env.template_class = CaseflowTemplate
    app.jinja_env.globals["rendered_once"] = rendered_once(app)
    app.add_template_filter(label, "label")  # code | label("sex")
    app.add_template_filter(tag_class, "tag_class")  # code | tag_class("referral_status")
    app.add_template_filter(display_date_time, "date_time")
    app.add_template_filter(display, "long_date")
    app.add_template_filter(lambda v: format_nhs_number(v) if v else "", "nhs_number")
    app.add_template_filter(lambda flag: "Yes" if flag else "No", "yes_no")
    app.add_template_filter(permitted, "permitted")
