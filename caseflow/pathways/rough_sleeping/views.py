"""The Rough sleeping pathway's pages."""

from caseflow.pathways.rough_sleeping import bp  # noqa: F401  (routes attach to it)
