"""Reading the emails Caseflow wrote to the outbox folder (tests never send email)."""

import re
from pathlib import Path

LINK = re.compile(r"https?://[^\s/]+/set-up/[A-Za-z0-9_\-]+")


def read_outbox_message(path: Path) -> dict[str, str]:
    """One file: "Name: value" header lines, a blank line, then the body."""
    head, _, body = path.read_text().partition("\n\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    return {**{key.lower(): value for key, value in fields.items()}, "body": body}


class Outbox:
    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self, to: str | None = None) -> list[dict[str, str]]:
        if not self.folder.exists():
            return []
        found = [read_outbox_message(path) for path in sorted(self.folder.glob("*.txt"))]
        return [message for message in found if to is None or message["to"] == to]

    def links(self, to: str) -> list[str]:
        return [link for message in self.messages(to) for link in LINK.findall(message["body"])]

    def latest_link(self, to: str) -> str:
        links = self.links(to)
        assert links, f"no set-up link was emailed to {to}"
        return links[-1]


def path_of(link: str) -> str:
    """The link as the test client requests it: its path."""
    return "/" + link.split("/", 3)[3]


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]
