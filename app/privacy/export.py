"""A copy of everything the platform keeps about a person (the privacy download).

The data of every feature is collected here, read only; see services.py for deleting.
"""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app import bookmarks, messages, reactions
from app.extensions import db
from app.models.accounts import ROLE_REPRESENTATIVE
from app.models.collectives import JoinRequest
from app.models.drafts import Draft
from app.models.forum import (
    ForumGroup,
    GroupWatch,
    Post,
    PostReport,
    PostRevision,
    Thread,
    ThreadRead,
    ThreadWatch,
)
from app.models.images import PostImage
from app.models.labs import LabQuestion, LabReply, LabRevision, PartnerApplication
from app.models.notifications import Notification
from app.models.public import ContactMessage
from app.models.selfscan import SelfScan
from app.timeutil import utcnow
from app.urls import site_path

EXPORT_FORMAT_VERSION = 1


# -- the copy of someone's data ---------------------------------------------------------------------

def _when(value):
    """A stored time (naive UTC) as ISO 8601 with a Z, or None."""
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def _rows(query):
    return db.session.execute(query).scalars().all()


def _account(user):
    # Never the password hash or the session token: the first is a secret even when hashed, the
    # second is the login cookie itself.
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "email_verified_at": _when(user.email_verified_at),
        "role": user.role,
        "role_label": user.role_label,
        "status": user.status,
        "suspended_until": _when(user.suspended_until),
        "suspension_reason": user.suspension_reason,
        "notify_email": user.notify_email,
        "last_digest_at": _when(user.last_digest_at),
        "created_at": _when(user.created_at),
        "last_login_at": _when(user.last_login_at),
        # Partners: their organisation, labs and research access (when the labs feature has them).
        "partner_organisation": getattr(getattr(user, "partner_organisation", None), "name", None),
        "labs": [getattr(lab, "name", str(lab)) for lab in (getattr(user, "labs", None) or [])],
        "research_access": bool(getattr(user, "research_access", False)),
        # Whether two-step sign-in is on and since when; the secret and recovery codes are not
        # exported (they sign in, they do not describe the person).
        "second_factor_enabled_at": _when(user.totp_enabled_at),
        # The profile (/leden/<id>-<name>): the text as written, and where the photo is.
        "profile": {
            "bio": user.bio_source or "",
            "photo": (site_path("people.avatar", user_id=user.id, photo_name=user.avatar_name)
                      if user.avatar_name else None),
            "photo_updated_at": _when(user.avatar_updated_at),
        },
    }


def _collective(user):
    collective = user.collective
    if collective is None:
        return None
    return {
        "id": collective.id,
        "name": collective.name,
        "slug": collective.slug,
        "role": "representative" if user.role == ROLE_REPRESENTATIVE else "member",
        "role_label": "Vertegenwoordiger" if user.role == ROLE_REPRESENTATIVE else "Lid",
    }


def _join_requests(user):
    requests = _rows(
        select(JoinRequest).options(selectinload(JoinRequest.collective))
        .where(JoinRequest.user_id == user.id).order_by(JoinRequest.id)
    )
    return [
        {
            "id": request.id,
            "collective": getattr(request.collective, "name", None),
            "collective_slug": getattr(request.collective, "slug", None),
            "message": request.message,
            "status": request.status,
            "created_at": _when(request.created_at),
            "decided_at": _when(request.decided_at),
        }
        for request in requests
    ]


def _selfscans(user):
    """Scans this person started, or whose contact (or resume link) address is theirs.

    Matching by address only counts for a confirmed address: otherwise anyone could register with
    someone else's address and download what that person filled in.
    """
    conditions = [SelfScan.started_by_id == user.id]
    email = (user.email or "").lower()
    if user.email_verified and email:
        conditions += [func.lower(SelfScan.contact_email) == email,
                       func.lower(SelfScan.resume_link_sent_to) == email]
    scans = _rows(
        select(SelfScan).options(selectinload(SelfScan.answers), selectinload(SelfScan.collective))
        .where(or_(*conditions)).order_by(SelfScan.id)
    )
    result = []
    for scan in scans:
        # Answers are kept per question key; the questionnaire version says which wording was shown.
        result.append({
            "id": scan.id,
            "started_by_you": scan.started_by_id == user.id,
            "status": scan.status,
            "questionnaire_version": scan.questionnaire_version,
            "collective": getattr(scan.collective, "name", None),
            "contact_name": scan.contact_name,
            "contact_email": scan.contact_email,
            "resume_link_sent_to": scan.resume_link_sent_to,
            "consent_privacy": scan.consent_privacy,
            "consent_research": scan.consent_research,
            "consent_version": scan.consent_version,
            "consent_at": _when(scan.consent_at),
            "created_at": _when(scan.created_at),
            "updated_at": _when(scan.updated_at),
            "submitted_at": _when(scan.submitted_at),
            "reviewed_at": _when(scan.reviewed_at),
            "rejection_reason": scan.rejection_reason,
            "scores": scan.scores,
            "answers": {answer.question_key: answer.value for answer in scan.answers},
        })
    return result


def _forum(user):
    threads = db.session.execute(
        select(Thread, ForumGroup.name)
        .outerjoin(ForumGroup, ForumGroup.id == Thread.group_id)
        .where(Thread.author_id == user.id).order_by(Thread.id)
    ).all()
    posts = db.session.execute(
        select(Post, Thread.title)
        .outerjoin(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == user.id).order_by(Post.id)
    ).all()
    revisions = _rows(
        select(PostRevision).join(Post, Post.id == PostRevision.post_id)
        .where(Post.author_id == user.id).order_by(PostRevision.id)
    )
    reports = _rows(select(PostReport).where(PostReport.reporter_id == user.id).order_by(PostReport.id))
    thread_watches = _rows(select(ThreadWatch).where(ThreadWatch.user_id == user.id)
                           .order_by(ThreadWatch.thread_id))
    group_watches = _rows(select(GroupWatch).where(GroupWatch.user_id == user.id)
                          .order_by(GroupWatch.group_id))
    reads = _rows(select(ThreadRead).where(ThreadRead.user_id == user.id).order_by(ThreadRead.thread_id))
    return {
        "threads_started": [
            {
                "id": thread.id,
                "title": thread.title,
                "group": group_name,
                "created_at": _when(thread.created_at),
                "deleted_at": _when(thread.deleted_at),
            }
            for thread, group_name in threads
        ],
        "posts": [
            {
                "id": post.id,
                "thread_id": post.thread_id,
                "thread_title": thread_title,
                "number": post.number,
                "body_source": post.body_source,
                "created_at": _when(post.created_at),
                "edited_at": _when(post.edited_at),
                "edit_count": post.edit_count,
                "deleted_at": _when(post.deleted_at),
                "hidden_at": _when(post.hidden_at),
                "hidden_reason": post.hidden_reason,
            }
            for post, thread_title in posts
        ],
        "post_revisions": [
            {
                "post_id": revision.post_id,
                "body_source": revision.body_source,
                "written_at": _when(revision.written_at),
                "replaced_at": _when(revision.replaced_at),
            }
            for revision in revisions
        ],
        "reports_filed": [
            {
                "post_id": report.post_id,
                "reason": report.reason,
                "created_at": _when(report.created_at),
                "resolved_at": _when(report.resolved_at),
                "resolution": report.resolution,
            }
            for report in reports
        ],
        "thread_watches": [
            {"thread_id": watch.thread_id, "watching": watch.watching, "created_at": _when(watch.created_at)}
            for watch in thread_watches
        ],
        "group_watches": [
            {"group_id": watch.group_id, "created_at": _when(watch.created_at)} for watch in group_watches
        ],
        "read_positions": [
            {"thread_id": read.thread_id, "last_read_number": read.last_read_number,
             "updated_at": _when(read.updated_at)}
            for read in reads
        ],
    }


def _labs(user):
    """Lab questions and replies this person wrote (with earlier versions), and partner
    applications from their confirmed address."""
    questions = _rows(select(LabQuestion).options(selectinload(LabQuestion.lab))
                      .where(LabQuestion.author_id == user.id).order_by(LabQuestion.id))
    replies = _rows(select(LabReply).where(LabReply.author_id == user.id).order_by(LabReply.id))
    question_ids = [question.id for question in questions]
    reply_ids = [reply.id for reply in replies]
    revisions = _rows(
        select(LabRevision).where(or_(LabRevision.question_id.in_(question_ids),
                                      LabRevision.reply_id.in_(reply_ids)))
        .order_by(LabRevision.id)
    ) if question_ids or reply_ids else []
    applications = []
    email = (user.email or "").lower()
    if user.email_verified and email:
        applications = _rows(select(PartnerApplication)
                             .where(func.lower(PartnerApplication.contact_email) == email)
                             .order_by(PartnerApplication.id))
    return {
        "questions": [
            {
                "id": question.id,
                "lab": getattr(question.lab, "name", None),
                "title": question.title,
                "body_source": question.body_source,
                "context_source": question.context_source,
                "status": question.status,
                "created_at": _when(question.created_at),
                "edited_at": _when(question.edited_at),
                "hidden_at": _when(question.hidden_at),
            }
            for question in questions
        ],
        "replies": [
            {
                "id": reply.id,
                "question_id": reply.question_id,
                "kind": reply.kind,
                "body_source": reply.body_source,
                "created_at": _when(reply.created_at),
                "edited_at": _when(reply.edited_at),
                "accepted_at": _when(reply.accepted_at),
                "hidden_at": _when(reply.hidden_at),
                "deleted_at": _when(reply.deleted_at),
            }
            for reply in replies
        ],
        "revisions": [
            {
                "question_id": revision.question_id,
                "reply_id": revision.reply_id,
                "title": revision.title,
                "body_source": revision.body_source,
                "context_source": revision.context_source,
                "written_at": _when(revision.written_at),
                "replaced_at": _when(revision.replaced_at),
            }
            for revision in revisions
        ],
        "partner_applications": [
            {
                "organisation_name": application.organisation_name,
                "kind": application.kind,
                "website": application.website,
                "labs": application.lab_slugs,
                "contact_name": application.contact_name,
                "contact_email": application.contact_email,
                "contact_role": application.contact_role,
                "motivation": application.motivation,
                "status": application.status,
                "created_at": _when(application.created_at),
                "decided_at": _when(application.decided_at),
                "refusal_reason": application.refusal_reason,
            }
            for application in applications
        ],
    }


def _notifications(user):
    notifications = _rows(select(Notification).where(Notification.user_id == user.id)
                          .order_by(Notification.id))
    return [
        {
            "kind": notification.kind,
            "text": notification.text,
            "url": notification.url,
            "excerpt": notification.excerpt,
            "created_at": _when(notification.created_at),
            "read_at": _when(notification.read_at),
            "mail_state": notification.mail_state,
            "mailed_at": _when(notification.mailed_at),
        }
        for notification in notifications
    ]


def _contact_messages(user):
    """Messages sent while logged in, or (for a confirmed address) from this person's address."""
    conditions = [ContactMessage.user_id == user.id]
    email = (user.email or "").lower()
    if user.email_verified and email:
        conditions.append(func.lower(ContactMessage.email) == email)
    messages = _rows(select(ContactMessage).where(or_(*conditions)).order_by(ContactMessage.id))
    return [
        {
            "name": message.name,
            "email": message.email,
            "subject": message.subject,
            "message": message.message,
            "created_at": _when(message.created_at),
            "handled_at": _when(message.handled_at),
        }
        for message in messages
    ]


def _images(user):
    """Images this person uploaded for posts: where they are shown, their size and dates. The
    pictures themselves are on the pages of those posts (the file names are ours, random)."""
    images = _rows(select(PostImage).where(PostImage.owner_id == user.id).order_by(PostImage.id))
    return [
        {
            "id": image.id,
            "address": f"/afbeeldingen/{image.id}",
            "type": image.file_type,
            "width": image.width,
            "height": image.height,
            "bytes": image.bytes,
            "forum_post_id": image.forum_post_id,
            "lab_question_id": image.lab_question_id,
            "lab_reply_id": image.lab_reply_id,
            "message_id": image.message_id,
            "uploaded_at": _when(image.created_at),
            "posted_at": _when(image.attached_at),
        }
        for image in images
    ]


def _drafts(user):
    """Unposted texts (only their writer ever sees them); the place says where they belong."""
    drafts = _rows(select(Draft).where(Draft.user_id == user.id).order_by(Draft.id))
    return [
        {
            "place": draft.place,
            "title": draft.title,
            "body": draft.body,
            "context": draft.context,
            "updated_at": _when(draft.updated_at),
        }
        for draft in drafts
    ]


def collect_personal_data(user, now=None):
    """Everything the platform keeps about `user`, as a JSON-ready dict (for the download)."""
    return {
        "about": {
            "site": "CollectieveKracht",
            "format_version": EXPORT_FORMAT_VERSION,
            "created_at": _when(now or utcnow()),
            "explanation": (
                "Dit bestand bevat de gegevens die CollectieveKracht over je bewaart. Tijden staan "
                "in UTC. Je wachtwoord staat er niet in: dat bewaren we alleen als onherleidbare hash."
            ),
        },
        "account": _account(user),
        "collective": _collective(user),
        "join_requests": _join_requests(user),
        "selfscans": _selfscans(user),
        "forum": _forum(user),
        "labs": _labs(user),
        "drafts": _drafts(user),
        # "Bedankt" and "Dit hielp mij" this person gave, and what they bookmarked (with notes).
        "appreciation": reactions.personal_data(user),
        "bookmarks": bookmarks.personal_data(user),
        # Private messages: the conversations they are in, what they wrote, whom they blocked.
        "private_messages": messages.export_for(user),
        "images": _images(user),
        "notifications": _notifications(user),
        "contact_messages": _contact_messages(user),
    }
