"""Knowledge base pages (/kennisbank)."""
from app.blueprints.knowledge.routes import bp  # noqa: F401
