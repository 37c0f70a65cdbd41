"""The search page (/zoeken)."""
from app.blueprints.search.routes import bp  # noqa: F401
