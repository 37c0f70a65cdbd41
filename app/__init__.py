"""The application factory: the composition root, outside the layers (docs/architecture.md).

It imports the blueprints, the models, the commands and the permission rules inside the
functions that register them, as Flask's factory pattern does: importing any module of the
package (app.extensions, app.models …, as the worker, migrations and tests do) runs this
__init__, and it should not load the whole web layer each time. No cycle hides behind these
imports; they wire the layers together once an app is built.
"""
import logging

from flask import Flask, render_template, request
from flask_babel import format_date, format_datetime, format_decimal
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_from_env

from app.assets import register_assets
from app.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
# Not the bare name `mail`: importing the submodule app.mail rebinds that name on this package.
from app.extensions import mail as mail_extension
from app.unit_of_work import register_unit_of_work
from app.validators import IdConverter


def create_app(config_class=None):
    config_class = config_class or config_from_env()
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    config_class.init_app(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if app.config.get("PROXY_COUNT"):
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    register_extensions(app)
    register_unit_of_work(app)
    app.url_map.converters["id"] = IdConverter
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_assets(app, headers=security_headers(app))
    register_commands(app)
    register_search_index(app)
    return app


def register_extensions(app):
    from app import models  # noqa: F401  (every table known to Flask-Migrate)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail_extension.init_app(app)
    babel.init_app(app, locale_selector=lambda: "nl", timezone_selector=lambda: "Europe/Amsterdam")
    bootstrap.init_app(app)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in om deze pagina te bekijken."
    login_manager.login_message_category = "info"
    # "basic": a changed IP or browser marks the session not fresh; "strong" would log out people
    # whose mobile network changes address, and clear the remember cookie of every visitor.
    login_manager.session_protection = "basic"

    from app.accounts import sessions

    @login_manager.user_loader
    def load_user(session_token):
        # None for an ended, idle or too old session and for a suspended person: logged out.
        return sessions.load(session_token)


def register_blueprints(app):
    from app.blueprints.account import bp as account_bp
    from app.blueprints.admin import bp as admin_bp
    from app.blueprints.auth import bp as auth_bp
    from app.blueprints.bookmarks import bp as bookmarks_bp
    from app.blueprints.collectives import bp as collectives_bp
    from app.blueprints.editor import bp as editor_bp
    from app.blueprints.forum import bp as forum_bp
    from app.blueprints.images import bp as images_bp
    from app.blueprints.insights import bp as insights_bp
    from app.blueprints.knowledge import bp as knowledge_bp
    from app.blueprints.labs import bp as labs_bp
    from app.blueprints.mentions import bp as mentions_bp
    from app.blueprints.messages import bp as messages_bp
    from app.blueprints.notifications import bp as notifications_bp
    from app.blueprints.partners import bp as partners_bp
    from app.blueprints.people import bp as people_bp
    from app.blueprints.public import bp as public_bp
    from app.blueprints.search import bp as search_bp
    from app.blueprints.selfscan import bp as selfscan_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(selfscan_bp)
    app.register_blueprint(collectives_bp)
    app.register_blueprint(forum_bp)
    app.register_blueprint(labs_bp)
    app.register_blueprint(images_bp)
    app.register_blueprint(mentions_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(bookmarks_bp)
    app.register_blueprint(messages_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(knowledge_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(search_bp)


ERROR_TITLES = {
    400: "Dit verzoek klopt niet",
    401: "Log eerst in",
    403: "Geen toegang",
    404: "Pagina niet gevonden",
    405: "Dit kan zo niet",
    413: "Te groot",
    429: "Even rustig aan",
    500: "Er ging iets mis",
}

# Used when even the layout cannot be rendered (say, the database is down while it loads the
# person for the header): still Dutch, still no stack trace.
FALLBACK_ERROR_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{title} · CollectieveKracht</title></head>
<body><main><h1>{title}</h1><p>Er ging bij ons iets mis. Probeer het over een paar minuten
opnieuw.</p><p><a href="/">Naar de startpagina</a></p></main></body></html>"""


def _rollback_quietly():
    """Leave the database as it was before the request: nothing half-done is committed."""
    try:
        db.session.rollback()
    except Exception:  # a dead connection cannot be rolled back; it is discarded anyway
        pass


def register_errorhandlers(app):
    def render_error(code, description=None, headers=None):
        title = ERROR_TITLES.get(code, "Er ging iets mis" if code >= 500 else "Dit verzoek klopt niet")
        try:
            body = render_template("errors/error.html", code=code, title=title, description=description)
        except Exception:
            app.logger.exception("Error page %s could not be rendered", code)
            _rollback_quietly()
            body = FALLBACK_ERROR_PAGE.format(title=title)
        return body, code, headers or {}

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            "Het formulier is verlopen of niet compleet verstuurd. Ga terug, laad de pagina "
            "opnieuw en probeer het nog eens.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        code = error.code or 500
        if code >= 500:
            _rollback_quietly()  # abort(500) and friends undo half-done work too
        if code == 429:
            return render_error(
                429,
                "Je hebt dit te vaak geprobeerd in korte tijd. Wacht een paar minuten en probeer "
                "het dan opnieuw.",
            )
        if code == 413:
            return render_error(413, "Wat je verstuurde is groter dan we kunnen aannemen.")
        if code == 405 and getattr(error, "valid_methods", None):
            return render_error(405, headers={"Allow": ", ".join(error.valid_methods)})
        return render_error(code)

    @app.errorhandler(Exception)
    def unexpected_error(error):
        _rollback_quietly()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def security_headers(app):
    """The headers every answer carries, static files (served by WhiteNoise) included."""
    headers = {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'self'; object-src 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if app.config.get("HSTS"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def register_security_headers(app):
    fixed = security_headers(app)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        for name, value in fixed.items():
            headers.setdefault(name, value)
        if current_user.is_authenticated and "Cache-Control" not in headers:
            headers["Cache-Control"] = "private, no-store"
        return response


def register_template_helpers(app):
    @app.template_filter("datum")
    def datum(value):
        """27 november 2026"""
        return format_date(value, "d MMMM y") if value else ""

    @app.template_filter("getal")
    def getal(value, digits=None):
        """Numbers in Dutch notation: 1.234,5 — a dash for a missing value."""
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            return value
        if digits is not None:
            return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")
        return format_decimal(value)

    @app.template_filter("datumtijd")
    def datumtijd(value):
        """27 november 2026 om 14:05 (Dutch time)"""
        return format_datetime(value, "d MMMM y 'om' HH:mm") if value else ""

    from app.permissions import TEMPLATE_CHECKS

    @app.context_processor
    def inject_globals():
        from app.header import header_counts

        return {"site_name": "CollectieveKracht", **header_counts(), **TEMPLATE_CHECKS}


def register_commands(app):
    from app.commands import register

    register(app)


def register_search_index(app):
    # Index jobs are queued by session events and applied after each commit (app.search). The
    # features say what they index, the permission rules who may see it; the engine imports
    # neither. The order of the documents is the order a rebuild adds them in.
    from app.collectives.search import SEARCH_DOCUMENTS as COLLECTIVES
    from app.forum.search import SEARCH_DOCUMENTS as FORUM
    from app.knowledge.search import SEARCH_DOCUMENTS as KNOWLEDGE
    from app.labs.search import SEARCH_DOCUMENTS as LABS
    from app.permissions import search_rights
    from app.search import register_search

    register_search(app, rights=search_rights, documents=FORUM + LABS + KNOWLEDGE + COLLECTIVES)
