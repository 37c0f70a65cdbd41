"""Discussion groups. The views are spread over modules that share the blueprint of routes.py."""
from importlib.util import find_spec

from app.blueprints.forum.routes import bp  # noqa: F401
from app.blueprints.forum import posts  # noqa: F401,E402  (thread pages and post actions)

# Moderation views (hide, lock, pin, move …) are built alongside; registered once they exist.
if find_spec("app.blueprints.forum.moderation") is not None:
    from app.blueprints.forum import moderation  # noqa: F401,E402
