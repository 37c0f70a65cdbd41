from app.blueprints.messages.routes import bp  # noqa: F401
