"""The writing aids of the Markdown text boxes in the forum and the labs (static/js/editor.js):
the live preview endpoint and the place a page's boxes write to."""
from app.blueprints.editor.routes import bp  # noqa: F401
