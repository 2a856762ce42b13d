"""Organisations, the local authorities they serve, and the admin pages that list them."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/admin")
