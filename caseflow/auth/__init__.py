"""Signing in and out, and the people who use Caseflow."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
