"""The Dual diagnosis pathway's pages."""

from caseflow.pathways.dual_diagnosis import bp  # noqa: F401  (routes attach to it)
