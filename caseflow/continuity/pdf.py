"""A page's HTML made into a PDF on the server, with WeasyPrint.

WeasyPrint fetches what the HTML links to (stylesheets) through ``url_fetcher``. Only
Caseflow's own static files are served to it, read from the static folder: nothing is fetched
over the network, so a report can never pull in, or leak to, anything outside Caseflow.
"""

from pathlib import Path
from urllib.parse import urlparse

from flask import current_app

BASE_URL = "https://caseflow.invalid/"


def _static_only(url: str, *_args, **_kwargs):
    from weasyprint.urls import URLFetcherResponse

    path = urlparse(url).path
    prefix = current_app.static_url_path.rstrip("/") + "/"
    folder = Path(current_app.static_folder).resolve()
    wanted = (folder / path.removeprefix(prefix)).resolve()
    if not path.startswith(prefix) or folder not in wanted.parents or not wanted.is_file():
        raise ValueError("A report links only to Caseflow's own static files")
    return URLFetcherResponse(
        url, body=wanted.read_bytes(), headers={"Content-Type": "text/css; charset=utf-8"}
    )


def pdf_of(html: str) -> bytes:
    from weasyprint import HTML  # loaded on first use: it brings pango with it

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_static_only).write_pdf()
