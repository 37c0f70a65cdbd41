"""Clients whose every request runs in its own application context, as in production.

conftest's app now uses `IsolatedClient` for every test client (see its docstring); this module
keeps the names some test modules import: `isolated_client(app)` for a second browser, and the
`client` fixture.
"""
import pytest

from tests.conftest import IsolatedClient


def isolated_client(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def client(app):
    return isolated_client(app)
