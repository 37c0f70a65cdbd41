from flask import Blueprint, render_template, request

from app import staff_queue
from app.extensions import db
from app.models.accounts import STATUS_SUSPENDED, User
from app.models.audit import ACTION_LABELS, AuditLog
from app.models.collectives import JOIN_PENDING, JoinRequest
from app.models.public import ContactMessage
from app.pagination import page_arg
from app.permissions import can_view_admin, require

bp = Blueprint("admin", __name__, url_prefix="/beheer")

PER_PAGE = 50


@bp.route("")
@require(can_view_admin)
def index():
    return render_template("admin/index.html", counts=dashboard_counts())


def _count(model, *conditions):
    return db.session.execute(
        db.select(db.func.count()).select_from(model).where(*conditions)
    ).scalar_one()


def dashboard_counts():
    """What waits for the moderators, for the tiles of /beheer (the header counts the same)."""
    return {
        **staff_queue.waiting(),
        "join_requests": _count(JoinRequest, JoinRequest.status == JOIN_PENDING),
        "suspended": _count(User, User.status == STATUS_SUSPENDED),
    }


@bp.route("/audit")
@require(can_view_admin)
def audit_log():
    action = request.args.get("actie", "")
    action = action if action in ACTION_LABELS else ""  # anything else: no filter, never an error
    query = db.select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    if action:
        query = query.where(AuditLog.action == action)
    pagination = db.paginate(query, page=page_arg(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/audit.html", pagination=pagination, action=action,
                           actions=sorted(ACTION_LABELS.items(), key=lambda item: item[1]))


@bp.route("/contact")
@require(can_view_admin)
def contact_messages():
    pagination = db.paginate(
        db.select(ContactMessage).order_by(ContactMessage.created_at.desc(), ContactMessage.id.desc()),
        page=page_arg(), per_page=PER_PAGE, error_out=False,
    )
    return render_template("admin/contact.html", pagination=pagination)
