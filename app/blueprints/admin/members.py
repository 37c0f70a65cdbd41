from app.blueprints.admin.routes import bp  # noqa: F401
