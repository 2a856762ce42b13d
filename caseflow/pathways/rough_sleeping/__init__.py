"""Rough sleeping pathway (DOMAIN.md, Pathways)."""

from flask import Blueprint

bp = Blueprint("rough_sleeping", __name__, url_prefix="/rough-sleeping")
