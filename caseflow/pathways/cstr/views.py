"""The Community Sentence Treatment Requirements pathway's pages."""

from caseflow.pathways.cstr import bp  # noqa: F401  (routes attach to it)
