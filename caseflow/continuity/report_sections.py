"""Parts of the monthly partnership report that other domains add (a pathway's own counts):
each registers a template and a function giving its context for the viewer and month, so the
report imports no pathway and a pathway imports nothing of the measure's services.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportSection:
    template: str
    load: Callable  # (viewer, month Period) -> dict for the template, or None to leave it out


_sections: list[ReportSection] = []


def section(template: str) -> Callable:
    """Register a report section drawn by template with what the function returns."""

    def register(load: Callable) -> Callable:
        if all(existing.template != template for existing in _sections):
            _sections.append(ReportSection(template, load))
        return load

    return register


def sections_for(viewer, month) -> list[tuple[str, dict]]:
    """(template, context) of each registered section this viewer is shown, in order."""
    shown = []
    for part in _sections:
        context = part.load(viewer, month)
        if context is not None:
            shown.append((part.template, context))
    return shown
