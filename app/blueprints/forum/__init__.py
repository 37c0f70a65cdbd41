"""Discussion groups. The views are spread over modules that share the blueprint of routes.py:
routes (groups), posts (thread pages and post actions), thanks ("Bedankt") and moderation
(moderators' actions)."""
from app.blueprints.forum.routes import bp  # noqa: F401
from app.blueprints.forum import fragments, moderation, posts, thanks  # noqa: F401,E402  (their views join bp)
