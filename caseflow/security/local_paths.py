"""The one rule for an address taken from a request and then redirected to (a sign-in's
``next``, the page a kept form was on): only a path on this site, never another host, scheme or
protocol-relative address, which a browser would follow off the site."""

from urllib.parse import urlsplit


def is_local_path(target: str | None) -> bool:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target))
