from app.blueprints.admin.routes import bp  # noqa: F401
from app.blueprints.admin import members, selfscans  # noqa: F401,E402  (views on the same bp)
