from flask import Blueprint

bp = Blueprint("collectives", __name__, url_prefix="/collectieven")
