from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app import team, uploads
from app.blueprints.forum.routes import thread_url
from app.blueprints.public.forms import ContactForm
from app.contact import submit_contact_message
from app.extensions import limiter
from app.forum.queries import latest_threads
from app.health import STATUS_OK, worker_health
from app.knowledge.queries import find_item, latest_items
from app.permissions import can_read_forum

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    threads = []
    if can_read_forum(current_user):  # thread titles are for members, partners and staff only
        threads = [
            {"title": t.title, "url": thread_url(t), "group_name": t.group.name,
             "last_activity": t.last_post_at}
            for t in latest_threads(limit=5)
        ]
    return render_template("public/index.html", latest_knowledge=latest_items(limit=3),
                           latest_threads=threads)


# The knowledge item the FAQ's answer about scientific knowledge points to (the address a
# moderator's item with the title "Wetenschappelijke kennis uitgelegd" gets).
SCIENCE_EXPLAINED_SLUG = "wetenschappelijke-kennis-uitgelegd"


@bp.route("/over-ons")
def about():
    return render_template("public/about.html", team_members=team.ordered_members())


@bp.route("/over-ons/team/<photo_name>")
def team_photo(photo_name):
    """A team member's photo; only the photo of someone on the team, nothing else in UPLOAD_DIR."""
    if team.member_with_photo(photo_name) is None:
        abort(404)
    return uploads.photo_response(photo_name)


@bp.route("/veelgestelde-vragen")
def faq():
    # Linked only while it is published, so the FAQ never points to a missing page.
    science_item = find_item(SCIENCE_EXPLAINED_SLUG)
    if science_item is not None and not science_item.is_published:
        science_item = None
    return render_template("public/faq.html", science_item=science_item)


@bp.route("/privacy")
def privacy():
    return render_template("public/privacy.html")


@bp.route("/cookies")
def cookies():
    return render_template("public/cookies.html")


@bp.route("/contact", methods=["GET", "POST"])
@limiter.limit("5 per hour;20 per day", methods=["POST"])
def contact():
    form = ContactForm()
    if current_user.is_authenticated and not form.is_submitted():
        form.name.data = current_user.name
        form.email.data = current_user.email
    if form.validate_on_submit():
        submit_contact_message(form.name.data, form.email.data, form.subject.data,
                               form.message.data, user=current_user if current_user.is_authenticated else None)
        flash("Dank je wel voor je bericht. We antwoorden meestal binnen twee werkdagen.", "success")
        return redirect(url_for("public.contact"))
    return render_template("public/contact.html", form=form), 400 if form.errors else 200


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """For load balancers and monitoring: 200 while this process reaches the database, with the
    background worker's health beside it (`?worker=1`: 503 unless the worker is "ok" too)."""
    try:
        worker = worker_health().as_dict()  # its queries show the database is reachable
    except SQLAlchemyError:  # a 503: the unit of work rolls back
        return jsonify(status="error", database="unreachable"), 503, {"Cache-Control": "no-store"}
    code = 200
    if request.args.get("worker") and worker["status"] != STATUS_OK:
        code = 503
    return jsonify(status="ok", database="ok", worker=worker), code, {"Cache-Control": "no-store"}
