"""Dual diagnosis pathway (DOMAIN.md, Pathways; NICE NG58, QS188, QS14)."""

from flask import Blueprint

bp = Blueprint("dual_diagnosis", __name__, url_prefix="/dual-diagnosis")

# What the pathway registers with the shared parts loads with the package: its tables (subject
# access), its scope relationship, its notifications, the person page's section and timeline
# entries, the worklist tabs and the continuity measure's breakdown.
from caseflow.pathways.dual_diagnosis import person_page, worklists  # noqa: E402, F401
