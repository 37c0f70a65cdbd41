"""Pieces of the thread page rendered once and kept per process, and URLs built once per page.

A thread page shows 20 posts; rendering each post's heading (photo or initials, the name linked to
the profile, role badge, collective, permalink and date) through the people macros costs more than
the page's queries. The heading depends on the post (id, number, date), on its author (name,
photo, role, collective or organisation) and on two answers about whoever is looking (may they
open this person's profile, may they see photos). All of these are in the key, so a rename, a new
photo, a role change or a collective's new name gives a new key and the old entry simply ages out:
nothing has to be deleted. The cache holds headings only: what a post says, and the buttons under
it, are decided per request (a hidden post's text is shown by the page only to moderators).
"""
import threading
from collections import OrderedDict

from flask import current_app, g, url_for
from flask_login import current_user
from markupsafe import Markup

from app.blueprints.forum.routes import bp, thread_url
from app.permissions import can_view_profiles

MAX_ENTRIES = 2000  # some 2,000 × 1.5 KB: a few MB per worker at most


class FragmentCache:
    """A bounded least-recently-used map of rendered HTML, safe for threaded workers."""

    def __init__(self, max_entries=MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key, render):
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        rendered = render()
        with self._lock:
            self._entries[key] = rendered
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return rendered

    def __len__(self):
        return len(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()


headings = FragmentCache()


def author_version(person):
    """Everything about `person` a post heading shows (None for a former member)."""
    if person is None or person.is_deleted:
        return None
    return (person.id, person.name, person.avatar_name, person.role, person.is_staff,
            person.is_partner, person.is_collective_member,
            person.collective.name if person.collective_id and person.collective else None,
            person.partner_organisation.name if person.partner_organisation else None)


def heading_key(post, viewer):
    """The heading's key: its author's version and what the viewer may see of people (asked once
    per request: can_view_profile(viewer, person) is this and "not a former member")."""
    if "forum_sees_profiles" not in g:
        g.forum_sees_profiles = can_view_profiles(viewer)
    return ("heading", author_version(post.author), g.forum_sees_profiles)


def _render(macro, post):
    module = current_app.jinja_env.get_template("forum/_post_heading.html").module
    return Markup(getattr(module, macro)(post))


@bp.app_template_global("forum_post_heading")
def post_heading(post):
    """A post's author on the thread page (photo or initials, linked name, badge, collective): the
    same for every post of theirs."""
    return headings.get_or_render(heading_key(post, current_user), lambda: _render("author_line", post))


@bp.app_template_global("forum_post_stamp")
def post_stamp(post):
    """A post's permalink and date ("#3 · 27 november 2026 om 14:05") on the thread page."""
    return headings.get_or_render(("stamp", post.id, post.number, post.created_at),
                                  lambda: _render("stamp", post))


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
