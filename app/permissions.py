"""Who may do what: one function per question, used by views and templates alike.

Views call `require(check)`; templates get the same functions through the context processor in
create_app(), so a button is shown exactly when the action behind it is allowed.
"""
from functools import wraps

from flask import abort
from flask_login import current_user

from app.extensions import login_manager
from app.models.labs import REPLY_ANSWER
from app.search.schema import AUDIENCE_FORUM, AUDIENCE_LABS, AUDIENCE_PUBLIC


def can_moderate(user):
    return bool(user and user.is_authenticated and user.is_moderator)


def can_administer(user):
    return bool(user and user.is_authenticated and user.is_admin)


def can_view_admin(user):
    return can_moderate(user)


def require(check):
    """Decorator: 401 (login) for visitors, 403 for people the check refuses."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


TEMPLATE_CHECKS = {
    "can_moderate": can_moderate,
    "can_administer": can_administer,
    "can_view_admin": can_view_admin,
}


# -- self-scans, collectives and membership (one place for each question) ---------------------

def can_review_scans(user):
    return can_moderate(user)


def can_manage_members(user):
    return can_moderate(user)


def can_appoint_staff(user):
    """Only administrators make someone a moderator or administrator (or undo that)."""
    return can_administer(user)


def is_member_of(user, collective):
    return bool(
        user and user.is_authenticated and collective is not None
        and user.is_collective_member and user.collective_id == collective.id
    )


def can_see_member_list(user, collective):
    """Who belongs to a collective is for the platform's own people: members of an approved
    collective, partners and staff (the same people who read the forum), not for any fresh
    account. The privacy statement says so."""
    return can_read_forum(user)


def can_edit_collective(user, collective):
    return bool(user and user.is_authenticated and (user.represents(collective) or can_moderate(user)))


def can_decide_join_requests(user, collective):
    return can_edit_collective(user, collective)


def can_request_to_join(user, collective):
    """A verified person without a collective (and not staff or partner) may ask to join."""
    return bool(
        user and user.is_authenticated and user.email_verified and user.collective_id is None
        and user.role == "member"
    )


def can_start_rescan(user, collective):
    return bool(user and user.is_authenticated and user.represents(collective))


def can_view_scan_report(user, scan):
    """Members of the scan's collective and moderators; the submitter uses the private link."""
    if not (user and user.is_authenticated):
        return False
    if can_moderate(user):
        return True
    return scan.collective_id is not None and is_member_of(user, scan.collective)


TEMPLATE_CHECKS.update({
    "can_review_scans": can_review_scans,
    "can_manage_members": can_manage_members,
    "can_appoint_staff": can_appoint_staff,
    "is_member_of": is_member_of,
    "can_see_member_list": can_see_member_list,
    "can_edit_collective": can_edit_collective,
    "can_decide_join_requests": can_decide_join_requests,
    "can_request_to_join": can_request_to_join,
    "can_start_rescan": can_start_rescan,
    "can_view_scan_report": can_view_scan_report,
})


def can_view_collective_dashboard(user, collective):
    """A collective's dashboard (latest report, join requests): its members and moderators."""
    return is_member_of(user, collective) or can_moderate(user)


TEMPLATE_CHECKS["can_view_collective_dashboard"] = can_view_collective_dashboard


# -- forum (discussion groups) ------------------------------------------------------------------

def can_read_forum(user):
    """Threads and posts are for members of an approved collective, partners and staff."""
    return bool(
        user and user.is_authenticated and user.is_active
        and (user.is_staff or user.is_partner or user.is_collective_member)
    )


def can_moderate_forum(user):
    return can_moderate(user)


def can_post(user, thread=None):
    """Start a thread (thread=None) or reply to `thread`: not in a deleted thread, and only
    moderators in a locked one."""
    if not can_read_forum(user):
        return False
    if thread is None:
        return True
    if thread.deleted_at is not None:
        return False
    return not thread.locked or can_moderate_forum(user)


def _is_author(user, post):
    return post.author_id is not None and post.author_id == user.id


def can_edit_post(user, post):
    """Authors edit their own visible posts in an open thread; moderators any post not deleted."""
    if not can_read_forum(user) or post.deleted_at is not None:
        return False
    if can_moderate_forum(user):
        return True
    thread = post.thread
    return (
        _is_author(user, post) and post.hidden_at is None
        and thread.deleted_at is None and not thread.locked
    )


def can_delete_post(user, post):
    """Authors delete their own posts (a placeholder stays); moderators any post."""
    if not can_read_forum(user) or post.deleted_at is not None or post.thread.deleted_at is not None:
        return False
    return _is_author(user, post) or can_moderate_forum(user)


def can_report_post(user, post):
    """Readers report visible posts of others."""
    return bool(
        can_read_forum(user) and post.is_visible and not _is_author(user, post)
        and post.thread.deleted_at is None
    )


def can_view_post_history(user, post=None):
    """Moderators read the history of every post; an author that of their own post (it says
    "bewerkt op", so they may see what it said before)."""
    if can_moderate_forum(user):
        return True
    return bool(post is not None and can_read_forum(user) and _is_author(user, post)
                and post.thread.deleted_at is None)


TEMPLATE_CHECKS.update({
    "can_read_forum": can_read_forum,
    "can_moderate_forum": can_moderate_forum,
    "can_post": can_post,
    "can_edit_post": can_edit_post,
    "can_delete_post": can_delete_post,
    "can_report_post": can_report_post,
    "can_view_post_history": can_view_post_history,
})


# -- profiles (/leden) ----------------------------------------------------------------------------

def can_view_profiles(user):
    """People's pages and photos: for those who read the forum, where their names appear."""
    return can_read_forum(user)


def can_view_profile(user, person):
    """`person`'s page, for readers of the forum; a deleted account has none."""
    return bool(can_view_profiles(user) and person is not None and not person.is_deleted)


TEMPLATE_CHECKS.update({
    "can_view_profiles": can_view_profiles,
    "can_view_profile": can_view_profile,
})


# -- labs ---------------------------------------------------------------------------------------

def can_view_lab_questions(user):
    """Lab questions and answers are for members of an approved collective, partners and staff.

    The lab overview pages (purpose, partner organisations) are public."""
    return bool(
        user and user.is_authenticated and user.is_active
        and (user.is_staff or user.is_partner or user.is_collective_member)
    )


def can_ask_question(user, lab=None):
    """A member of an approved collective asks on behalf of that collective (in any lab; a Belgian
    collective sees the notice about the Dutch-only labs on the form)."""
    return bool(can_view_lab_questions(user) and user.is_collective_member)


def is_partner_of_lab(user, lab_id):
    return bool(
        user and user.is_authenticated and user.is_partner
        and any(lab.id == lab_id for lab in user.labs)
    )


def can_read_question(user, question):
    """Who reads a question and its answers (and so may be mentioned there): lab readers; a hidden
    question moderators only."""
    return can_view_lab_questions(user) and (question.hidden_at is None or can_moderate(user))


def can_answer(user, question):
    """Partners of the question's own lab, and moderators."""
    if not can_read_question(user, question):
        return False
    return can_moderate(user) or is_partner_of_lab(user, question.lab_id)


def _of_asking_collective(user, question):
    return bool(
        question.collective_id is not None and user.is_collective_member
        and user.collective_id == question.collective_id
    )


def can_respond(user, question):
    """Members of the asking collective (the asker among them), and moderators."""
    if not can_read_question(user, question):
        return False
    return can_moderate(user) or _of_asking_collective(user, question)


def can_accept(user, question):
    """The asker, a fellow member of the asking collective, or a moderator (also to un-accept)."""
    if not can_read_question(user, question):
        return False
    is_asker = question.author_id is not None and question.author_id == user.id
    return can_moderate(user) or is_asker or _of_asking_collective(user, question)


def can_edit_question(user, question):
    """The asker, and moderators."""
    if not can_read_question(user, question):
        return False
    return can_moderate(user) or (question.author_id is not None and question.author_id == user.id)


def can_edit_reply(user, reply):
    """The writer of an answer or response, and moderators."""
    if reply.deleted_at is not None or not can_read_question(user, reply.question):
        return False
    if can_moderate(user):
        return True
    return reply.hidden_at is None and reply.author_id is not None and reply.author_id == user.id


def can_view_lab_history(user):
    return can_moderate(user)


TEMPLATE_CHECKS.update({
    "can_view_lab_questions": can_view_lab_questions,
    "can_ask_question": can_ask_question,
    "can_answer": can_answer,
    "can_respond": can_respond,
    "can_accept": can_accept,
    "can_edit_question": can_edit_question,
    "can_edit_reply": can_edit_reply,
    "can_view_lab_history": can_view_lab_history,
})


# -- thanks, "Dit hielp mij" and bookmarks -----------------------------------------------------

def can_read_thread(user, thread):
    """A thread page: forum readers; a deleted thread moderators only."""
    return can_read_forum(user) and (thread.deleted_at is None or can_moderate_forum(user))


def can_read_post(user, post):
    """A post's text: readers of its thread; a deleted or hidden post moderators only."""
    return can_read_thread(user, post.thread) and (post.is_visible or can_moderate_forum(user))


def can_thank(user, post):
    """"Bedankt" (and taking it back): forum readers, on a visible post of someone else in a
    thread that is not deleted."""
    return bool(can_read_forum(user) and post.is_visible and post.thread.deleted_at is None
                and not _is_author(user, post))


def can_mark_helpful(user, reply):
    """"Dit hielp mij" (and taking it back): readers of the question, on a visible answer (not a
    response) of someone else."""
    return bool(
        can_read_question(user, reply.question) and reply.kind == REPLY_ANSWER
        and reply.hidden_at is None and reply.deleted_at is None
        and not (reply.author_id is not None and reply.author_id == user.id)
    )


def can_bookmark(user):
    """Bookmarks are for signed-in people (of what they may read: app.bookmarks checks that)."""
    return bool(user and user.is_authenticated and user.is_active)


TEMPLATE_CHECKS.update({
    "can_thank": can_thank,
    "can_mark_helpful": can_mark_helpful,
    "can_bookmark": can_bookmark,
})


# -- partners -----------------------------------------------------------------------------------

def can_vet_partners(user):
    """Moderators vet partner applications and manage which labs a partner is in."""
    return can_moderate(user)


def can_grant_research_access(user):
    """Only administrators give (or take) a Sciencelab partner access to the research export."""
    return can_administer(user)


TEMPLATE_CHECKS.update({
    "can_vet_partners": can_vet_partners,
    "can_grant_research_access": can_grant_research_access,
})


# -- knowledge base, insights and the research export ------------------------------------------

def can_read_knowledge(user):
    """The members-only part of knowledge items (body, attachments): members of an approved
    collective, partners and staff. Titles and summaries of published items are public."""
    return bool(
        user and user.is_authenticated and user.is_active
        and (user.is_staff or user.is_partner or user.is_collective_member)
    )


def can_edit_knowledge(user):
    """Moderators create, edit, publish and unpublish items (and see unpublished ones)."""
    return can_moderate(user)


def can_view_insights(user):
    """What all self-scans together show: members, partners and staff."""
    return can_read_knowledge(user)


def can_export_research(user):
    """Administrators, and Sciencelab partners an administrator gave research access."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if can_administer(user):
        return True
    return bool(
        user.is_partner and user.research_access
        and any(lab.slug == "sciencelab" for lab in user.labs)
    )


TEMPLATE_CHECKS.update({
    "can_read_knowledge": can_read_knowledge,
    "can_edit_knowledge": can_edit_knowledge,
    "can_view_insights": can_view_insights,
    "can_export_research": can_export_research,
})


# -- the public pages ---------------------------------------------------------------------------

def can_manage_team(user):
    """Only administrators add, edit, order and remove the team on /over-ons (not moderators)."""
    return can_administer(user)


TEMPLATE_CHECKS.update({
    "can_manage_team": can_manage_team,
})


def search_rights(user):
    """What a searcher may find (registered with the search engine by create_app): the audiences
    of documents they may read, and whether they search the knowledge base's members-only text."""
    audiences = {AUDIENCE_PUBLIC}
    if can_read_forum(user):
        audiences.add(AUDIENCE_FORUM)
    if can_view_lab_questions(user):
        audiences.add(AUDIENCE_LABS)
    return frozenset(audiences), bool(can_read_knowledge(user))
