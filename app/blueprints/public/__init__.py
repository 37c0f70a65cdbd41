from app.blueprints.public.routes import bp  # noqa: F401
