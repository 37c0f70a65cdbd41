"""The @mention lookup behind the Markdown text boxes of the forum and the labs."""
from app.blueprints.mentions.routes import bp  # noqa: F401
