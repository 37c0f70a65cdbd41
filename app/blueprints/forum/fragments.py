"""Pieces of the thread page rendered once and kept per process, and URLs built once per page.

A thread page shows 20 posts; rendering each post's heading (photo or initials, the name linked to
the profile, role badge, collective, permalink and date) through the people macros costs more than
the page's queries. The heading depends on the post (id, number, date), on its author (name,
photo, role, collective or organisation) and on two answers about whoever is looking (may they
open this person's profile, may they see photos). All of these are in the key, so a rename, a new
photo, a role change or a collective's new name gives a new key and the old entry simply ages out:
nothing has to be deleted.

The buttons under a post (its footer) are kept the same way, keyed by what they show: the post's
state and thanks, the viewer's own thanks and bookmark, and the answers of the permission checks,
which are asked anew on every request; the forms' CSRF token is filled in per request. What a
post says is never cached (a hidden post's text is shown by the page only to moderators).
"""
import re
from typing import NamedTuple

from flask import current_app, g, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.blueprints.forum.routes import bp, thread_url
from app.blueprints.messages.routes import may_message
from app.caching import BoundedCache
from app.permissions import (
    TEMPLATE_CHECKS,
    can_bookmark,
    can_delete_post,
    can_edit_post,
    can_moderate_forum,
    can_report_post,
    can_thank,
    can_view_profiles,
)

MAX_ENTRIES = 2000  # per cache, some 2,000 × 1.5 KB: a few MB per worker at most


headings = BoundedCache(MAX_ENTRIES)
footers = BoundedCache(MAX_ENTRIES)
thread_rows = BoundedCache(MAX_ENTRIES)


def author_version(person):
    """Everything about `person` a post heading shows (None for a former member)."""
    if person is None or person.is_deleted:
        return None
    return (person.id, person.name, person.avatar_name, person.role, person.is_staff,
            person.is_partner, person.is_collective_member,
            person.collective.name if person.collective_id and person.collective else None,
            person.partner_organisation.name if person.partner_organisation else None)


def name_version(person):
    """What a plain linked name shows of `person` (None for a former member)."""
    if person is None or person.is_deleted:
        return None
    return person.id, person.name


def _sees_profiles(viewer):
    """Whether `viewer` may open people's profiles and see their photos, asked once per request
    (can_view_profile(viewer, person) is this and "not a former member")."""
    if "forum_sees_profiles" not in g:
        g.forum_sees_profiles = can_view_profiles(viewer)
    return g.forum_sees_profiles


def heading_key(post, viewer):
    """The heading's key: its author's version and what the viewer may see of people."""
    return ("heading", author_version(post.author), _sees_profiles(viewer))


def _render(macro, post):
    module = current_app.jinja_env.get_template("forum/_post_heading.html").module
    return Markup(getattr(module, macro)(post))


_BETWEEN_TAGS = re.compile(r">\s+<")


def compact(html):
    """A kept fragment without its template's indentation: whitespace between tags becomes one
    newline (which shows exactly as the run of spaces did; the fragments hold no <pre>)."""
    return Markup(_BETWEEN_TAGS.sub(">\n<", str(html)))


@bp.app_template_global("forum_post_heading")
def post_heading(post):
    """A post's author on the thread page (photo or initials, linked name, badge, collective): the
    same for every post of theirs."""
    return headings.get_or_make(heading_key(post, current_user), lambda: _render("author_line", post))


@bp.app_template_global("forum_post_stamp")
def post_stamp(post):
    """A post's permalink and date ("#3 · 27 november 2026 om 14:05") on the thread page."""
    return headings.get_or_make(("stamp", post.id, post.number, post.created_at),
                                  lambda: _render("stamp", post))


def thread_row_key(thread, last_read, posts_per_page, viewer):
    """Everything a thread's line in a group's list shows: its address (group, title), state,
    counts and dates, its starter and last poster, what the viewer may see of people, and how far
    they read it (only whether it is unread, and where, matters)."""
    unread = thread.last_post_number > last_read
    return ("thread-row", thread.id, thread.group.slug, thread.title, thread.pinned, thread.locked,
            thread.post_count, thread.last_post_number, thread.created_at, thread.last_post_at,
            author_version(thread.author), name_version(thread.last_poster),
            _sees_profiles(viewer), unread, last_read if unread else None, posts_per_page)


@bp.app_template_global("forum_thread_row")
def thread_row(thread, last_read, posts_per_page):
    """A thread's line in a group's list: rendered once per key and kept."""
    return thread_rows.get_or_make(
        thread_row_key(thread, last_read, posts_per_page, current_user),
        lambda: compact(getattr(current_app.jinja_env.get_template("forum/_thread_row.html").module,
                                "row")(thread, last_read, posts_per_page)))


class FooterChecks(NamedTuple):
    """The answers of the permission checks a post's footer shows buttons for."""
    quote: bool
    edit: bool
    delete: bool
    message: bool
    report: bool
    thank: bool
    bookmark: bool
    moderate: bool


class PageViewer:
    """Whoever is looking at the thread page, with the answers about them alone (and about
    writing to each author, and the per-post checks for each shape of post), asked once per
    request."""

    def __init__(self, user):
        self.user = user
        self.bookmark = can_bookmark(user)
        self.moderate = can_moderate_forum(user)
        self.token = generate_csrf()
        self._messages = {}
        self._answers = {}

    def may_message(self, person):
        if person is None:
            return False
        if person.id not in self._messages:
            self._messages[person.id] = bool(may_message(person))
        return self._messages[person.id]

    def post_answers(self, post):
        """(edit, delete, report, thank) for `post`: asked once per shape of post (see
        post_shape), since every post of the page is in the same thread."""
        shape = post_shape(self.user, post)
        if shape not in self._answers:
            user = self.user
            self._answers[shape] = (can_edit_post(user, post), can_delete_post(user, post),
                                    can_report_post(user, post), can_thank(user, post))
        return self._answers[shape]


def post_shape(user, post):
    """What can_edit_post, can_delete_post, can_report_post and can_thank look at in a post of the
    page's thread: whether `user` wrote it and whether it is deleted or hidden.
    tests/web/test_forum_fragments.py checks that the answers per shape are those of each post."""
    mine = post.author_id is not None and post.author_id == getattr(user, "id", None)
    return mine, post.deleted_at is None, post.hidden_at is None


def page_viewer():
    if "forum_page_viewer" not in g:
        g.forum_page_viewer = PageViewer(current_user._get_current_object())
    return g.forum_page_viewer


def footer_checks(viewer, post, replying):
    """Asked per request (never cached across requests): what `viewer` (a PageViewer) may do with
    `post`; `replying`: the page has a reply form (so posts can be quoted)."""
    edit, delete, report, thank = viewer.post_answers(post)
    return FooterChecks(
        quote=bool(replying and post.is_visible),
        edit=edit,
        delete=delete,
        message=bool(post.is_visible and viewer.may_message(post.author)),
        report=report,
        thank=thank,
        bookmark=viewer.bookmark,
        moderate=viewer.moderate,
    )


# Where the footer's forms carry the CSRF token: rendered into the cached HTML and replaced by the
# viewer's token on every request. Markup, so it is written as is; the same text in anything a
# person wrote would have been escaped ("&lt;!--…"), so only the slots are ever replaced.
CSRF_SLOT = Markup("<!--csrf-token-->")


def footer_key(post, info, mark, may, this_page):
    """Everything the footer shows: the post's number and state, its thanks (count, names, whether
    the viewer gave one), the viewer's bookmark of it, the author's name (in the labels) and the
    answers of the checks."""
    author = post.author
    return ("footer", post.id, post.number, post.hidden_at, post.deleted_at, post.hidden_reason,
            post.edit_count, post.author_id,
            None if author is None or author.is_deleted else author.name,
            post.thanks_count, (info.count, tuple(info.names), info.mine) if info else None,
            (mark.id, bool(mark.note), mark.remind_on, mark.reminded_at) if mark else None,
            may, this_page)


@bp.app_template_global("forum_post_footer")
def post_footer(post, thanks, marks, urls, replying):
    """The buttons under a post (thanks, quoting, editing, bookmarks, moderation): rendered once
    per key and kept; the checks are asked anew for every request, and the CSRF token is the
    viewer's own."""
    viewer = page_viewer()
    info = (thanks or {}).get(post.id)
    mark = (marks or {}).get(("post", post.id))
    may = footer_checks(viewer, post, replying)

    def render():
        template = current_app.jinja_env.get_template("forum/_post_footer.html")
        return compact(template.render(**TEMPLATE_CHECKS, post=post, info=info, mark=mark, may=may,
                                       urls=urls, current_user=viewer.user,
                                       csrf_token=lambda: CSRF_SLOT))

    html = footers.get_or_make(footer_key(post, info, mark, may, urls["this_page"]), render)
    return Markup(html.replace(CSRF_SLOT, viewer.token))


@bp.app_template_global("url_with_id")
def url_with_id(endpoint, id_name, **values):
    """url_for once per page for links that differ only in one id: url_with_id('forum.edit_post',
    'post_id')(12) is url_for('forum.edit_post', post_id=12), built by putting the id into the
    address url_for gave for a stand-in id."""
    return _with_id(url_for(endpoint, **{id_name: STAND_IN}, **values))


@bp.app_template_global("forum_quote_urls")
def quote_urls(thread, page):
    """The "Citeren" links of a thread page: a function of the quoted post's id."""
    return _with_id(thread_url(thread, pagina=page, citeer=STAND_IN))


STAND_IN = 987654321012  # above any id (MAX_ID), so it occurs in the address only where it is put


def _with_id(address):
    before, found, after = address.partition(str(STAND_IN))
    assert found, address

    def build(identifier):
        return f"{before}{int(identifier)}{after}"

    return build
