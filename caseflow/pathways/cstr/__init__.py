"""Community Sentence Treatment Requirements pathway (DOMAIN.md, Pathways)."""

from flask import Blueprint

bp = Blueprint("cstr", __name__, url_prefix="/cstr")
