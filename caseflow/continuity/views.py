"""The continuity measure's pages."""

from caseflow.continuity import bp, services  # noqa: F401
