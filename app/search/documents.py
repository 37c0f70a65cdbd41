"""Documents from the database, as the features describe them.

The engine imports no feature. Each feature that has searchable rows gives the engine a few
descriptions through `register_search(app, documents=...)` (create_app collects them):
- a `Source` per document type: which rows are visible and the document each becomes (with its
  audience, scopes, link and text), loaded many rows a query, and how many there are;
- a `Scope` per scope job: every document under a group, thread, lab or question, for a change
  that touches them all (a renamed group, a hidden question);
- a `Watch` per model: which index jobs a flushed change of one of its rows makes;
- a `Collapse` per kind whose hits belong together (the posts of one thread): a search may show
  them as one hit per thread, with the number of matching documents it stands for;
- a `Within` per scope prefix a search may be narrowed to without collapsing ("lab:3").

This module keeps the registry and what every source shares: the version hash that `check()`
compares, the stored link, and loading the documents of many jobs at once. Jobs name either one
document (a type and an id) or a scope (a scope type and an id).
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

from flask import current_app, url_for
from sqlalchemy import inspect as sa_inspect
from werkzeug.routing import BuildError

from app.search.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

CHUNK = 500  # rows a query when many jobs are loaded at once


# -- what a feature describes ----------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """One type of document: `documents(session, where=())` yields the documents of the visible
    rows (many rows a query; `where` narrows the rows), `count(session)` says how many there are.
    Jobs of this type name a row of `model` by its id; the document's id is "<doc_type>:<id>"."""

    doc_type: str
    model: type
    documents: Callable[..., Iterable[dict]]
    count: Callable[..., int]


@dataclass(frozen=True)
class Scope:
    """A scope job: `documents(session, row_id)` gives (the index scope term, the documents that
    should be under it); the index drops whatever else carries the term."""

    scope_type: str
    documents: Callable[..., tuple]


@dataclass(frozen=True)
class Watch:
    """`jobs(row, is_new, is_deleted)` gives the (doc type, id) jobs a flushed row makes."""

    model: type
    jobs: Callable[..., Iterable[tuple]]


@dataclass(frozen=True)
class Collapse:
    """Hits of `kind` belong together per `prefix`: the document whose id is "<prefix>:<n>" and
    the documents that carry the scope term "<prefix>:<n>" (a thread and its replies). A collapsed
    search shows them as one hit, and the key "<prefix>:<n>" narrows a search to them."""

    kind: str
    prefix: str

    def owns(self, key):
        """Is `key` one of this collapse's keys ("thread:12"; not "thread:x", not "post:12")?"""
        start = self.prefix + ":"
        number = key[len(start):]
        return key.startswith(start) and number.isascii() and number.isdigit()


@dataclass(frozen=True)
class Within:
    """A search may be narrowed to the documents carrying the scope term "<prefix>:<n>" (a lab's
    questions and replies, "lab:3"), each a hit of its own, without collapsing them anywhere."""

    prefix: str

    def owns(self, key):
        start = self.prefix + ":"
        number = key[len(start):]
        return key.startswith(start) and number.isascii() and number.isdigit()


def changed(row, columns):
    """True when one of `columns` of `row` changed in this flush."""
    state = sa_inspect(row)
    for name in columns:
        attr = state.attrs.get(name) if name in state.attrs else None
        if attr is not None and attr.history.has_changes():
            return True
    return False


def watch(model, doc_type=None, columns=(), scope_type=None, scope_columns=()):
    """The usual Watch: a job for the row's own document when it is new, deleted or one of
    `columns` changed; a scope job when an existing row is deleted or one of `scope_columns`
    changed (a title shown on every reply, a group's name on every thread)."""
    columns, scope_columns = frozenset(columns), frozenset(scope_columns)

    def jobs(row, is_new, is_deleted):
        found = []
        if doc_type and (is_new or is_deleted or changed(row, columns)):
            found.append((doc_type, row.id))
        if scope_type and not is_new and (is_deleted or changed(row, scope_columns)):
            found.append((scope_type, row.id))
        return found

    return Watch(model, jobs)


@dataclass
class Registry:
    """The sources, scopes and watches of every feature, in the order they were given (a rebuild
    adds documents in that order)."""

    sources: dict = field(default_factory=dict)
    scopes: dict = field(default_factory=dict)
    watches: dict = field(default_factory=dict)
    collapses: dict = field(default_factory=dict)  # kind -> Collapse
    withins: dict = field(default_factory=dict)  # prefix -> Within

    @classmethod
    def of(cls, items):
        registry = cls()
        for item in items:
            if isinstance(item, Source):
                registry._add(registry.sources, item.doc_type, item)
            elif isinstance(item, Scope):
                registry._add(registry.scopes, item.scope_type, item)
            elif isinstance(item, Watch):
                registry._add(registry.watches, item.model, item)
            elif isinstance(item, Collapse):
                registry._add(registry.collapses, item.kind, item)
            elif isinstance(item, Within):
                registry._add(registry.withins, item.prefix, item)
            else:
                raise TypeError(f"not a search description: {item!r}")
        return registry

    @staticmethod
    def _add(into, key, item):
        if key in into:
            raise ValueError(f"search: {key!r} is described twice")
        into[key] = item


def registry():
    """The registry of the running app (empty when no feature registered documents)."""
    settings = current_app.extensions.get("search") or {}
    return settings.get("documents") or Registry()


# -- shared by every source -----------------------------------------------------------------------

def document_path(endpoint, values, fallback):
    """The path for a stored link; `fallback` when the route does not exist (yet)."""
    try:
        return url_for(endpoint, **values)
    except (BuildError, RuntimeError, ValueError):
        return fallback


def finish(doc):
    """The document with its version: a hash of everything in it, which `check()` compares."""
    payload = json.dumps(
        {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in sorted(doc.items())},
        sort_keys=True, default=str, ensure_ascii=False,
    )
    doc["version"] = SCHEMA_VERSION + ":" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]
    return doc


def collapse_for(key):
    """The Collapse a key such as "thread:12" belongs to, or None for anything else."""
    return next((spec for spec in registry().collapses.values() if spec.owns(key or "")), None)


def narrows(key):
    """May a search be narrowed to `key`: a Collapse's key ("thread:12") or a Within's ("lab:3")?"""
    if not isinstance(key, str):
        return False
    return collapse_for(key) is not None or any(spec.owns(key)
                                                 for spec in registry().withins.values())



def all_documents(session):
    """Every document the database says should be in the index."""
    for source in registry().sources.values():
        yield from source.documents(session)


def count_documents(session):
    """How many documents all_documents() will give (for the progress bar)."""
    return sum(source.count(session) for source in registry().sources.values())


def jobs_for_row(row, is_new, is_deleted):
    """The (doc type, id) jobs a flushed row makes; none for a model no feature watches."""
    spec = registry().watches.get(type(row))
    return list(spec.jobs(row, is_new, is_deleted)) if spec is not None else []


def is_scope(doc_type):
    return doc_type in registry().scopes


# -- jobs: a document type with an id (that one document), or a scope (all documents under it) --

def _single(doc_type, doc_id, session):
    """The document for one row, or None when it should not be in the index."""
    source = registry().sources.get(doc_type)
    if source is None:
        raise ValueError(f"unknown doc type {doc_type!r}")
    docs = list(source.documents(session, (source.model.id == doc_id,)))
    return docs[0] if docs else None


def _load_singles(doc_type, doc_ids, session):
    """({doc key: doc} for the visible rows among doc_ids, {doc_id: error} for rows that failed),
    CHUNK rows a query; a failing chunk is retried row by row so one bad row blocks only itself."""
    found, failed = {}, {}
    source = registry().sources.get(doc_type)
    if source is None:
        return found, {doc_id: f"unknown doc type {doc_type!r}" for doc_id in doc_ids}
    column = source.model.id
    for start in range(0, len(doc_ids), CHUNK):
        chunk = doc_ids[start:start + CHUNK]
        try:
            found.update((doc["id"], doc) for doc in source.documents(session, (column.in_(chunk),)))
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
    """(index scope term, documents that should be under it) for a scope job, or None."""
    scope = registry().scopes.get(doc_type)
    return scope.documents(session, doc_id) if scope is not None else None
