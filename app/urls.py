"""Absolute addresses of the site for links that leave it (e-mails, the resume link of a self-scan):
the one builder, from BASE_URL, so it works without a request (the worker) and never trusts a
request's Host header."""
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint, **values):
    """The absolute URL of `endpoint` with `values`; or, when `endpoint` is a site path ("/…", as
    stored in a notification), that path on the site."""
    base = current_app.config["BASE_URL"]
    if endpoint.startswith("/"):
        return base.rstrip("/") + endpoint
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)
