from flask import Blueprint

bp = Blueprint("selfscan", __name__, url_prefix="/zelfscan")
