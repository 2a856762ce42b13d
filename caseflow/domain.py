"""Errors a service raises. Views catch none: ``caseflow.errors`` answers each, the same way on
every page (a page of its own, or the form's page with the message beside its field)."""


class DomainError(Exception):
    """Something the person asked for cannot be done; the message is for the page."""


class NotFound(DomainError):
    """Absent, or out of the person's scope: answered the same way (404)."""


class NotPermitted(DomainError):
    """The person's role may not do this (403)."""


class StaleRecord(DomainError):
    """Someone else changed the record since the form was opened (409)."""


class InvalidChange(DomainError):
    """The change breaks a rule of the record; the message says which."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidTransition(DomainError):
    """A record cannot move that way from where it is now; the message says why, on the
    record's own page."""
