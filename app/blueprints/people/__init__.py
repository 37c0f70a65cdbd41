from app.blueprints.people.routes import bp  # noqa: F401
