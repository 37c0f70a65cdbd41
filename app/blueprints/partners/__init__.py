"""Partners: the application at /partner-worden and accepting a partner invitation.

The moderators' side (vetting, organisations, research access) lives in
app/blueprints/admin/partners.py; the shared work in services.py here.
"""
from app.blueprints.partners.routes import bp  # noqa: F401
