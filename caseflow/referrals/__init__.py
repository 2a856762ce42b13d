"""Referrals from custody to community treatment: handover, acceptance, appointments, the clock."""

from flask import Blueprint

bp = Blueprint("referrals", __name__)
