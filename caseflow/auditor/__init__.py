"""The auditor's pages: searching and exporting the log, reviewing break-glass access, account
events beside it, and subject access. The recorder they read is ``caseflow.audit``."""

from flask import Blueprint

# Named "audit", so the pages keep their /audit/ addresses and endpoint names.
bp = Blueprint("audit", __name__, url_prefix="/audit")
