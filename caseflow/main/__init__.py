"""The start page for each role, and the health check."""

from flask import Blueprint

bp = Blueprint("main", __name__)
