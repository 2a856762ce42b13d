"""Code lists: the codes Caseflow stores and reports on, each written once beside its words.

A code list is a StrEnum whose members carry their label: ``FEMALE = "female", "Female"``. The
member is the code itself (a plain string in the database and in SQL comparisons, so nothing
stored changes); ``choices()`` gives a form its options in the list's order and ``label_of()``
gives a page its words. Each list is declared with a ``key`` by which templates name it in the
``label`` filter (``person.sex | label("sex")``), so the templates need no dictionaries of their
own and a code added to a list appears everywhere at once.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Self

NOT_RECORDED = "Not recorded"

_lists: dict[str, type["CodeList"]] = {}


class CodeList(StrEnum):
    """A StrEnum whose members are ``CODE = "code", "Label"``, or ``CODE = "code", "Label",
    "govuk-tag--blue"`` for a list whose codes are shown as tags (statuses, flags): the colour is
    written once beside the code, so every page shows a status or flag in the same colour."""

    label: str
    tag_class: str

    def __new__(cls, value: str, label: str, tag_class: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.tag_class = tag_class
        return member

    def __init_subclass__(cls, *, key: str, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if key in _lists and _lists[key].__qualname__ != cls.__qualname__:
            raise ValueError(f"Two code lists are called {key!r}")
        _lists[key] = cls

    @classmethod
    def choices(
        cls, blank: str | None = None, *, only: Iterable[Self] | None = None
    ) -> list[tuple[str, str]]:
        """(code, label) pairs for a form, in the list's order; ``blank`` first when given.

        ``only`` narrows the options to the members a form may offer (still in list order).
        """
        offered = set(only) if only is not None else None
        pairs = [
            (member.value, member.label) for member in cls if offered is None or member in offered
        ]
        return [("", blank), *pairs] if blank else pairs

    @classmethod
    def has(cls, code: object) -> bool:
        """Whether a value is one of the list's codes. Safe on anything a form or address sends
        (``code in List`` refuses a plain string on Python 3.11)."""
        try:
            cls(code)
        except ValueError:
            return False
        return True

    @classmethod
    def label_of(cls, code: str | None, *, missing: str = NOT_RECORDED) -> str:
        """The words for a stored code; ``missing`` when none is stored; an unknown code as
        itself, so a value from before a list changed still shows rather than failing the page."""
        if code is None or code == "":
            return missing
        try:
            return cls(code).label
        except ValueError:
            return str(code)


def code_list(key: str) -> type[CodeList]:
    """The code list declared with ``key``. An unknown key is a mistake in a template: it fails."""
    return _lists[key]


def code_lists() -> dict[str, type[CodeList]]:
    """Every code list declared so far, by key."""
    return dict(_lists)


def label(code: str | None, key: str) -> str:
    """The template filter: ``code | label("key")``."""
    return code_list(key).label_of(code)


def tag_class(code: str | None, key: str) -> str:
    """The template filter ``code | tag_class("key")``: the GOV.UK tag class a list gives its
    member (a referral's status colour, a person's flag), or none."""
    codes = code_list(key)
    try:
        return codes(code).tag_class
    except ValueError:
        return ""
