from app.blueprints.auth.routes import bp  # noqa: F401
from app.blueprints.auth import invitations  # noqa: F401,E402  (views on the same bp)
