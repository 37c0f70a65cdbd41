"""Knowledge base pages (/kennisbank)."""
from flask import Blueprint

bp = Blueprint("knowledge", __name__)
