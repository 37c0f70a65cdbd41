"""Images in posts: the upload behind the text boxes (images.js) and the pictures themselves."""
from app.blueprints.images.routes import bp  # noqa: F401
