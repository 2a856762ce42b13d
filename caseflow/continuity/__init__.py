"""The continuity-of-care measure: its rules as data, periods, the SQL that computes it, the
reconciliation from the audit log, and the command line."""

from flask import Blueprint

bp = Blueprint("continuity", __name__, url_prefix="/continuity")
