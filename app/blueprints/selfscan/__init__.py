from app.blueprints.selfscan.routes import bp  # noqa: F401
