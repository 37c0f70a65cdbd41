"""The partner labs. The views are spread over modules that share the blueprint of routes.py."""
from app.blueprints.labs.routes import bp  # noqa: F401
from app.blueprints.labs import questions  # noqa: F401,E402  (question pages and their actions)
from app.blueprints.labs import helpful  # noqa: F401,E402  ("Dit hielp mij" on answers)
from app.blueprints.labs import similar  # noqa: F401,E402  (similar questions, for the ask form)
