"""What all self-scans together show (/inzichten)."""
from flask import Blueprint

bp = Blueprint("insights", __name__)
