"""Sending email. One function, send_email, whatever carries the message.

Production hands each message to GOV.UK Notify, which holds the wording of each template (its id
is configured). Development and tests write each message to a file of its own in the outbox
folder instead, in the local wording below, so nothing leaves the machine and a developer can open
the link. Nothing here logs an address, a name or a link: they are the message, not its record.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from notifications_python_client.errors import APIError, TokenError
from requests import RequestException

from caseflow.models import utcnow

NOTIFY = "notify"
OUTBOX = "outbox"


@dataclass(frozen=True)
class Template:
    config_key: str  # where the Notify template id is configured
    subject: str
    body: str  # the outbox's copy of the wording; ((name)) marks a field, as Notify does


TEMPLATES: dict[str, Template] = {
    "set_up": Template(
        config_key="NOTIFY_SETUP_TEMPLATE_ID",
        subject="((subject))",
        body=(
            "Dear ((name)),\n\n"
            "((reason))\n\n"
            "Use this link to choose your password and set up your authenticator app:\n\n"
            "((link))\n\n"
            "The link works once, until ((expires)). If it has stopped working, ask a Caseflow "
            "administrator to send you a new one.\n\n"
            "If you did not expect this email, do not use the link. Tell your manager.\n"
        ),
    ),
}


@dataclass(frozen=True)
class EmailMessage:
    to: str
    template: str  # a key of TEMPLATES
    personalisation: Mapping[str, str] = field(default_factory=dict)
    # Passed to Notify to find the message later: an id, never personal data.
    reference: str | None = None


class DeliveryFailed(RuntimeError):
    """The message could not be handed over. It says nothing about the message itself."""


def send_email(message: EmailMessage) -> str:
    """Send one message; returns where it went (Notify's id, or the outbox file's name)."""
    if message.template not in TEMPLATES:
        raise ValueError(f"No email template {message.template!r}")
    if current_app.config["EMAIL_DELIVERY"] == NOTIFY:
        return _send_through_notify(message)
    return _write_to_outbox(message)


def outbox_dir() -> Path:
    return Path(current_app.config["OUTBOX_DIR"])


def _notify_client():
    # Built once per app from the configured key. Tests put a fake client here instead, so the
    # suite never reaches the network.
    client = current_app.extensions.get("notify_client")
    if client is None:
        from notifications_python_client.notifications import NotificationsAPIClient

        client = NotificationsAPIClient(current_app.config["NOTIFY_API_KEY"])
        current_app.extensions["notify_client"] = client
    return client


def _send_through_notify(message: EmailMessage) -> str:
    template_id = current_app.config[TEMPLATES[message.template].config_key]
    try:
        response = _notify_client().send_email_notification(
            email_address=message.to,
            template_id=template_id,
            personalisation=dict(message.personalisation),
            reference=message.reference,
        )
    except (APIError, TokenError, RequestException) as error:
        # The exception's text can echo the request (the address): only its type is logged.
        current_app.logger.error("GOV.UK Notify refused an email: %s", type(error).__name__)
        raise DeliveryFailed("The email could not be sent") from None
    return str(response.get("id", ""))


def _fill(text: str, fields: Mapping[str, str]) -> str:
    for name, value in fields.items():
        text = text.replace(f"(({name}))", value)
    return text


def _write_to_outbox(message: EmailMessage) -> str:
    template = TEMPLATES[message.template]
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.txt"
    headers = {
        "to": message.to,
        "subject": _fill(template.subject, message.personalisation),
        "template": message.template,
        "reference": message.reference,
    }
    text = (
        "\n".join(f"{key.title()}: {value}" for key, value in headers.items() if value)
        + "\n\n"
        + _fill(template.body, message.personalisation)
    )
    path = folder / name
    # The file holds a working link: readable by its owner only.
    path.touch(mode=0o600)
    path.write_text(text)
    return name
