"""What the forum gives the search engine: threads (with their opening post) and replies, for
members, partners and staff ("forum" audience), and which changes re-index them."""
from app.extensions import db
from app.markup import html_text
from app.models.forum import ForumGroup, Post, Thread
from app.search.documents import (CHUNK, Collapse, Scope, Source, Watch, changed, document_path,
                                  finish, watch)
from app.search.schema import AUDIENCE_FORUM
from app.slugs import thread_slug

# A change of these columns of a post changes its document (or its thread's, for the opening post).
POST_COLUMNS = {"body_source", "body_html", "deleted_at", "hidden_at", "thread_id", "number"}


def thread_document(thread, opening):
    group = thread.group
    values = {"group_slug": group.slug, "thread_id": thread.id, "slug": thread_slug(thread.title)}
    text = html_text(opening.body_html) if opening is not None and opening.is_visible else ""
    return finish({
        "id": f"thread:{thread.id}", "kind": "discussie", "audience": AUDIENCE_FORUM,
        "scopes": f"group:{group.id}", "title": thread.title, "display_title": thread.title,
        "text": text, "members_text": "", "where": f"Forum · {group.name}",
        "link": ("forum.thread", values),
        "path": document_path("forum.thread", values,
                              f"/forum/{group.slug}/{thread.id}-{values['slug']}"),
        "date": thread.created_at,
    })


def post_document(post, thread):
    group = thread.group
    values = {"post_id": post.id}
    return finish({
        "id": f"post:{post.id}", "kind": "discussie", "audience": AUDIENCE_FORUM,
        "scopes": f"group:{group.id} thread:{thread.id}",
        # The thread's title is shown, not searched: a title word would match every reply.
        "title": "", "display_title": thread.title,
        "text": html_text(post.body_html), "members_text": "", "where": f"Forum · {group.name}",
        "link": ("forum.post_permalink", values),
        "path": document_path("forum.post_permalink", values, f"/forum/bericht/{post.id}"),
        "date": post.created_at,
    })


# Which rows are searchable, for the documents and their count alike.
VISIBLE_THREAD = (Thread.deleted_at.is_(None),)
VISIBLE_REPLY = (Post.number > 1, Post.deleted_at.is_(None), Post.hidden_at.is_(None),
                 Thread.deleted_at.is_(None))


def thread_documents(session, where=()):
    threads = session.execute(
        db.select(Thread).where(*VISIBLE_THREAD, *where).order_by(Thread.id)).scalars().all()
    if not threads:
        return
    openings = {}
    ids = [t.id for t in threads]
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for post in session.execute(
            db.select(Post).where(Post.thread_id.in_(chunk), Post.number == 1)
        ).scalars():
            openings[post.thread_id] = post
    for thread in threads:
        yield thread_document(thread, openings.get(thread.id))


def post_documents(session, where=()):
    rows = session.execute(
        db.select(Post, Thread).join(Thread, Post.thread_id == Thread.id)
        .where(*VISIBLE_REPLY, *where).order_by(Post.id).execution_options(yield_per=1000))
    for post, thread in rows:
        yield post_document(post, thread)


def count_threads(session):
    return session.execute(db.select(db.func.count()).select_from(Thread)
                           .where(*VISIBLE_THREAD)).scalar_one()


def count_replies(session):
    return session.execute(
        db.select(db.func.count()).select_from(Post).join(Thread, Post.thread_id == Thread.id)
        .where(*VISIBLE_REPLY)).scalar_one()


def _post_jobs(post, is_new, is_deleted):
    if not (is_new or is_deleted or changed(post, POST_COLUMNS)):
        return []
    # The opening post is the text of its thread's document.
    return [("thread", post.thread_id)] if post.number == 1 else [("post", post.id)]


def _thread_scope(session, thread_id):
    return f"thread:{thread_id}", list(post_documents(session, (Post.thread_id == thread_id,)))


def _group_scope(session, group_id):
    return f"group:{group_id}", (list(thread_documents(session, (Thread.group_id == group_id,)))
                                 + list(post_documents(session, (Thread.group_id == group_id,))))


SEARCH_DOCUMENTS = (
    Source("thread", Thread, thread_documents, count_threads),
    Source("post", Post, post_documents, count_replies),
    Scope("thread_posts", _thread_scope),
    Scope("group", _group_scope),
    watch(Thread, "thread", {"title", "group_id", "deleted_at", "created_at"},
          "thread_posts", {"title", "group_id", "deleted_at"}),
    Watch(Post, _post_jobs),
    watch(ForumGroup, scope_type="group", scope_columns={"name", "slug"}),
    # A thread and its replies are one hit on the search page ("3 berichten in deze discussie"):
    # the thread's document is "thread:<id>", each reply carries the scope term "thread:<id>".
    Collapse("discussie", "thread"),
)
