"""Documents from the database: which rows are searchable (visible rows only) and the document
each becomes, with its audience, scopes, link and a version hash that `check()` compares. Jobs
name either one document (a type and an id) or a scope (every document under a group, thread,
lab or question); this module loads both, many rows a query."""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime

from app.extensions import db
from app.markup import html_text
from app.slugs import thread_slug
from app.search.schema import AUDIENCE_FORUM, AUDIENCE_LABS, AUDIENCE_PUBLIC, SCHEMA_VERSION

log = logging.getLogger(__name__)

# -- documents from the database -------------------------------------------------------------------

def _url(endpoint, values, fallback):
    """The path for a stored link; `fallback` when the route does not exist (yet)."""
    from flask import url_for
    from werkzeug.routing import BuildError

    try:
        return url_for(endpoint, **values)
    except (BuildError, RuntimeError, ValueError):
        return fallback


def _finish(doc):
    payload = json.dumps(
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in sorted(doc.items())},
        sort_keys=True, default=str, ensure_ascii=False,
    )
    doc["version"] = SCHEMA_VERSION + ":" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]
    return doc


def _thread_doc(thread, opening):
    group = thread.group
    values = {"group_slug": group.slug, "thread_id": thread.id, "slug": thread_slug(thread.title)}
    text = html_text(opening.body_html) if opening is not None and opening.is_visible else ""
    return _finish({
        "id": f"thread:{thread.id}", "kind": "discussie", "audience": AUDIENCE_FORUM,
        "scopes": f"group:{group.id}", "title": thread.title, "display_title": thread.title,
        "text": text, "members_text": "", "where": f"Forum · {group.name}",
        "link": ("forum.thread", values),
        "path": _url("forum.thread", values,
                     f"/forum/{group.slug}/{thread.id}-{values['slug']}"),
        "date": thread.created_at,
    })


def _post_doc(post, thread):
    group = thread.group
    values = {"post_id": post.id}
    return _finish({
        "id": f"post:{post.id}", "kind": "discussie", "audience": AUDIENCE_FORUM,
        "scopes": f"group:{group.id} thread:{thread.id}",
        # The thread's title is shown, not searched: a title word would match every reply.
        "title": "", "display_title": thread.title,
        "text": html_text(post.body_html), "members_text": "", "where": f"Forum · {group.name}",
        "link": ("forum.post_permalink", values),
        "path": _url("forum.post_permalink", values, f"/forum/bericht/{post.id}"),
        "date": post.created_at,
    })


def _question_doc(question):
    lab = question.lab
    values = {"lab_slug": lab.slug, "question_id": question.id}
    text = html_text(question.body_html)
    context = html_text(question.context_html)
    return _finish({
        "id": f"labquestion:{question.id}", "kind": "labvraag", "audience": AUDIENCE_LABS,
        "scopes": f"lab:{lab.id}", "title": question.title, "display_title": question.title,
        "text": (text + " " + context).strip(), "members_text": "", "where": lab.name,
        "link": ("labs.question", values),
        "path": _url("labs.question", values, f"/labs/{lab.slug}/vragen/{question.id}"),
        "date": question.created_at,
    })


def _reply_doc(reply, question):
    lab = question.lab
    values = {"lab_slug": lab.slug, "question_id": question.id, "_anchor": f"antwoord-{reply.id}"}
    return _finish({
        "id": f"labreply:{reply.id}", "kind": "labvraag", "audience": AUDIENCE_LABS,
        "scopes": f"lab:{lab.id} question:{question.id}", "title": "",
        "display_title": question.title, "text": html_text(reply.body_html), "members_text": "",
        "where": lab.name, "link": ("labs.question", values),
        "path": _url("labs.question", values,
                     f"/labs/{lab.slug}/vragen/{question.id}#antwoord-{reply.id}"),
        "date": reply.created_at,
    })


def _knowledge_doc(item):
    values = {"slug": item.slug}
    return _finish({
        "id": f"knowledge:{item.id}", "kind": "kennis", "audience": AUDIENCE_PUBLIC,
        "scopes": "", "title": item.title, "display_title": item.title,
        "text": item.summary or "", "members_text": html_text(item.body_html),
        "where": item.kind_label,
        "link": ("knowledge.item", values),
        "path": _url("knowledge.item", values, f"/kennisbank/{item.slug}"),
        "date": item.published_at or item.created_at,
    })


def _collective_doc(collective):
    values = {"slug": collective.slug}
    place = ", ".join(part for part in (collective.municipality, collective.province) if part)
    text = " ".join(part for part in (collective.description or "", place,
                                      collective.sector_label) if part)
    return _finish({
        "id": f"collective:{collective.id}", "kind": "collectief", "audience": AUDIENCE_PUBLIC,
        "scopes": "", "title": collective.name, "display_title": collective.name,
        # The badge already says "Collectief" (and "Kennisbank" above): "where" adds the place.
        "text": text, "members_text": "", "where": collective.municipality,
        "link": ("collectives.detail", values),
        "path": _url("collectives.detail", values, f"/collectieven/{collective.slug}"),
        "date": collective.created_at,
    })


# Which rows make documents, as queries: each yields (doc id, doc) for visible rows only.

def _models():
    from app.models.collectives import Collective
    from app.models.forum import ForumGroup, Post, Thread
    from app.models.knowledge import STATUS_PUBLISHED, KnowledgeItem
    from app.models.labs import Lab, LabQuestion, LabReply

    return locals()


def _thread_docs(session, where=()):
    m = _models()
    Thread, Post = m["Thread"], m["Post"]
    threads = session.execute(
        db.select(Thread).where(Thread.deleted_at.is_(None), *where).order_by(Thread.id)
    ).scalars().all()
    if not threads:
        return
    openings = {}
    ids = [t.id for t in threads]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for post in session.execute(
            db.select(Post).where(Post.thread_id.in_(chunk), Post.number == 1)
        ).scalars():
            openings[post.thread_id] = post
    for thread in threads:
        yield _thread_doc(thread, openings.get(thread.id))


def _post_docs(session, where=()):
    m = _models()
    Thread, Post = m["Thread"], m["Post"]
    rows = session.execute(
        db.select(Post, Thread).join(Thread, Post.thread_id == Thread.id)
        .where(Post.number > 1, Post.deleted_at.is_(None), Post.hidden_at.is_(None),
               Thread.deleted_at.is_(None), *where)
        .order_by(Post.id)
        .execution_options(yield_per=1000)
    )
    for post, thread in rows:
        yield _post_doc(post, thread)


def _question_docs(session, where=()):
    LabQuestion = _models()["LabQuestion"]
    for question in session.execute(
        db.select(LabQuestion).where(LabQuestion.hidden_at.is_(None), *where).order_by(LabQuestion.id)
    ).scalars():
        yield _question_doc(question)


def _reply_docs(session, where=()):
    m = _models()
    LabQuestion, LabReply = m["LabQuestion"], m["LabReply"]
    rows = session.execute(
        db.select(LabReply, LabQuestion).join(LabQuestion, LabReply.question_id == LabQuestion.id)
        .where(LabReply.hidden_at.is_(None), LabReply.deleted_at.is_(None),
               LabQuestion.hidden_at.is_(None), *where)
        .order_by(LabReply.id)
    )
    for reply, question in rows:
        yield _reply_doc(reply, question)


def _knowledge_docs(session, where=()):
    m = _models()
    KnowledgeItem = m["KnowledgeItem"]
    for item in session.execute(
        db.select(KnowledgeItem).where(KnowledgeItem.status == m["STATUS_PUBLISHED"], *where)
        .order_by(KnowledgeItem.id)
    ).scalars():
        yield _knowledge_doc(item)


def _collective_docs(session, where=()):
    Collective = _models()["Collective"]
    for collective in session.execute(
        db.select(Collective).where(*where).order_by(Collective.id)
    ).scalars():
        yield _collective_doc(collective)


def all_documents(session):
    """Every document the database says should be in the index."""
    yield from _thread_docs(session)
    yield from _post_docs(session)
    yield from _question_docs(session)
    yield from _reply_docs(session)
    yield from _knowledge_docs(session)
    yield from _collective_docs(session)


def count_documents(session):
    """How many documents all_documents() will give (for the progress bar)."""
    m = _models()
    Thread, Post = m["Thread"], m["Post"]
    LabQuestion, LabReply = m["LabQuestion"], m["LabReply"]
    KnowledgeItem, Collective = m["KnowledgeItem"], m["Collective"]
    count = db.func.count()
    total = session.execute(db.select(count).select_from(Thread).where(Thread.deleted_at.is_(None))).scalar_one()
    total += session.execute(
        db.select(count).select_from(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Post.number > 1, Post.deleted_at.is_(None), Post.hidden_at.is_(None),
               Thread.deleted_at.is_(None))).scalar_one()
    total += session.execute(db.select(count).select_from(LabQuestion)
                             .where(LabQuestion.hidden_at.is_(None))).scalar_one()
    total += session.execute(
        db.select(count).select_from(LabReply).join(LabQuestion, LabReply.question_id == LabQuestion.id)
        .where(LabReply.hidden_at.is_(None), LabReply.deleted_at.is_(None),
               LabQuestion.hidden_at.is_(None))).scalar_one()
    total += session.execute(db.select(count).select_from(KnowledgeItem)
                             .where(KnowledgeItem.status == m["STATUS_PUBLISHED"])).scalar_one()
    total += session.execute(db.select(count).select_from(Collective)).scalar_one()
    return total


# Jobs: a document type with an id (that one document), or a scope (all documents under it).

def _single(doc_type, doc_id, session):
    """The document for one row, or None when it should not be in the index."""
    m = _models()
    if doc_type == "thread":
        docs = list(_thread_docs(session, (m["Thread"].id == doc_id,)))
    elif doc_type == "post":
        docs = list(_post_docs(session, (m["Post"].id == doc_id,)))
    elif doc_type == "labquestion":
        docs = list(_question_docs(session, (m["LabQuestion"].id == doc_id,)))
    elif doc_type == "labreply":
        docs = list(_reply_docs(session, (m["LabReply"].id == doc_id,)))
    elif doc_type == "knowledge":
        docs = list(_knowledge_docs(session, (m["KnowledgeItem"].id == doc_id,)))
    elif doc_type == "collective":
        docs = list(_collective_docs(session, (m["Collective"].id == doc_id,)))
    else:
        raise ValueError(f"unknown doc type {doc_type!r}")
    return docs[0] if docs else None


_ID_COLUMNS = {
    "thread": ("Thread", _thread_docs), "post": ("Post", _post_docs),
    "labquestion": ("LabQuestion", _question_docs), "labreply": ("LabReply", _reply_docs),
    "knowledge": ("KnowledgeItem", _knowledge_docs), "collective": ("Collective", _collective_docs),
}


def _load_singles(doc_type, doc_ids, session):
    """({doc key: doc} for the visible rows among doc_ids, {doc_id: error} for rows that failed),
    500 rows a query; a failing chunk is retried row by row so one bad row blocks only itself."""
    found, failed = {}, {}
    if doc_type not in _ID_COLUMNS:
        return found, {doc_id: f"unknown doc type {doc_type!r}" for doc_id in doc_ids}
    model_name, documents = _ID_COLUMNS[doc_type]
    column = _models()[model_name].id
    for start in range(0, len(doc_ids), 500):
        chunk = doc_ids[start:start + 500]
        try:
            found.update((doc["id"], doc) for doc in documents(session, (column.in_(chunk),)))
        except Exception:
            session.rollback()
            for doc_id in chunk:
                try:
                    doc = _single(doc_type, doc_id, session)
                    if doc is not None:
                        found[doc["id"]] = doc
                except Exception as exc:
                    log.exception("Search: could not index %s %s", doc_type, doc_id)
                    session.rollback()
                    failed[doc_id] = f"{type(exc).__name__}: {exc}"
    return found, failed


def _scope(doc_type, doc_id, session):
    """(index scope term, documents that should be under it) for a scope job."""
    m = _models()
    Thread, Post, LabQuestion, LabReply = m["Thread"], m["Post"], m["LabQuestion"], m["LabReply"]
    if doc_type == "thread_posts":
        return f"thread:{doc_id}", list(_post_docs(session, (Post.thread_id == doc_id,)))
    if doc_type == "group":
        return f"group:{doc_id}", (list(_thread_docs(session, (Thread.group_id == doc_id,)))
                                   + list(_post_docs(session, (Thread.group_id == doc_id,))))
    if doc_type == "question_replies":
        return f"question:{doc_id}", list(_reply_docs(session, (LabReply.question_id == doc_id,)))
    if doc_type == "lab":
        return f"lab:{doc_id}", (list(_question_docs(session, (LabQuestion.lab_id == doc_id,)))
                                 + list(_reply_docs(session, (LabQuestion.lab_id == doc_id,))))
    return None


SCOPE_TYPES = ("thread_posts", "group", "question_replies", "lab")
SINGLE_TYPES = ("thread", "post", "labquestion", "labreply", "knowledge", "collective")
