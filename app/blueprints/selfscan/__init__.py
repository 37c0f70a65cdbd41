from app.blueprints.selfscan.routes import bp  # noqa: F401
from app.blueprints.selfscan import report_views  # noqa: F401,E402  (report pages on the same bp)
