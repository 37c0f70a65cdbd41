from app.blueprints.account.routes import bp  # noqa: F401
