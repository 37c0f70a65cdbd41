"""What all self-scans together show (/inzichten)."""
from app.blueprints.insights.routes import bp  # noqa: F401
