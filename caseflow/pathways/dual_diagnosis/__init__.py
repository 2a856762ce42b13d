"""Dual diagnosis pathway (DOMAIN.md, Pathways)."""

from flask import Blueprint

bp = Blueprint("dual_diagnosis", __name__, url_prefix="/dual-diagnosis")
