"""Addresses of the site built without a request (the worker, commands): absolute ones for links
that leave it (e-mails, the resume link of a self-scan), from BASE_URL, so they never trust a
request's Host header; and site paths, as notifications store them."""
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


def site_path(endpoint, **values):
    """The path of `endpoint` with `values` on this site ("/forum/bericht/12"), without a request."""
    return current_app.url_map.bind("localhost").build(endpoint, values)
