from app.blueprints.notifications.routes import bp  # noqa: F401
