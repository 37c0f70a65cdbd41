"""The search page (/zoeken)."""
from flask import Blueprint

bp = Blueprint("search", __name__)
