from app.blueprints.collectives.routes import bp  # noqa: F401
