from app.blueprints.bookmarks.routes import bp  # noqa: F401
