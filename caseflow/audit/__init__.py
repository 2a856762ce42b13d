"""The audit log: who accessed or changed what, about whom, why, and with what outcome."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")
