"""The features give the search engine their documents through a registry (app.search.documents):
what create_app registers, and what the registry refuses."""
import pytest

from app.collectives.search import SEARCH_DOCUMENTS as COLLECTIVES
from app.forum.search import SEARCH_DOCUMENTS as FORUM
from app.models.forum import Thread
from app.search.documents import Registry, Scope, Source, _scope, is_scope, registry, watch


def test_create_app_registers_every_feature_in_rebuild_order(app):
    with app.app_context():
        found = registry()
    assert list(found.sources) == ["thread", "post", "labquestion", "labreply", "knowledge",
                                   "collective"]
    assert set(found.scopes) == {"thread_posts", "group", "question_replies", "lab"}
    assert {model.__name__ for model in found.watches} == {
        "Thread", "Post", "ForumGroup", "LabQuestion", "LabReply", "Lab", "KnowledgeItem",
        "Collective"}


def test_a_type_described_twice_is_refused():
    with pytest.raises(ValueError, match="'thread' is described twice"):
        Registry.of(FORUM + (Source("thread", Thread, lambda s, w=(): [], lambda s: 0),))
    with pytest.raises(ValueError, match="described twice"):
        Registry.of(COLLECTIVES + COLLECTIVES)


def test_only_descriptions_are_accepted():
    with pytest.raises(TypeError):
        Registry.of(["thread"])


def test_the_usual_watch_makes_document_and_scope_jobs(app, monkeypatch):
    changed_columns = set()
    monkeypatch.setattr("app.search.documents.changed",
                        lambda row, columns: bool(changed_columns & set(columns)))
    spec = watch(Thread, "thread", {"title", "created_at"}, "thread_posts", {"title"})
    thread = Thread(id=7, title="Zon")
    assert spec.jobs(thread, True, False) == [("thread", 7)]  # new: no scope yet
    assert spec.jobs(thread, False, True) == [("thread", 7), ("thread_posts", 7)]
    assert spec.jobs(thread, False, False) == []
    changed_columns.add("created_at")
    assert spec.jobs(thread, False, False) == [("thread", 7)]
    changed_columns.add("title")
    assert spec.jobs(thread, False, False) == [("thread", 7), ("thread_posts", 7)]


def test_a_scope_of_no_registered_type_is_no_scope(app):
    with app.app_context():
        assert is_scope("group") and not is_scope("post")
        assert _scope("nothing", 1, None) is None
    assert Scope("x", lambda s, i: ("x:1", [])).documents(None, 1) == ("x:1", [])
