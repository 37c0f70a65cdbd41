"""What the labs give the search engine: questions (with their context) and replies, for members,
partners and staff ("labs" audience), and which changes re-index them."""
from app.extensions import db
from app.markup import html_text
from app.models.labs import Lab, LabQuestion, LabReply
from app.search.documents import Scope, Source, Within, document_path, finish, watch
from app.search.schema import AUDIENCE_LABS


def question_document(question):
    lab = question.lab
    values = {"lab_slug": lab.slug, "question_id": question.id}
    text = html_text(question.body_html)
    context = html_text(question.context_html)
    return finish({
        "id": f"labquestion:{question.id}", "kind": "labvraag", "audience": AUDIENCE_LABS,
        "scopes": f"lab:{lab.id}", "title": question.title, "display_title": question.title,
        "text": (text + " " + context).strip(), "members_text": "", "where": lab.name,
        "link": ("labs.question", values),
        "path": document_path("labs.question", values, f"/labs/{lab.slug}/vragen/{question.id}"),
        "date": question.created_at,
    })


def reply_document(reply, question):
    lab = question.lab
    values = {"lab_slug": lab.slug, "question_id": question.id, "_anchor": f"antwoord-{reply.id}"}
    return finish({
        "id": f"labreply:{reply.id}", "kind": "labvraag", "audience": AUDIENCE_LABS,
        "scopes": f"lab:{lab.id} question:{question.id}", "title": "",
        "display_title": question.title, "text": html_text(reply.body_html), "members_text": "",
        "where": lab.name, "link": ("labs.question", values),
        "path": document_path("labs.question", values,
                              f"/labs/{lab.slug}/vragen/{question.id}#antwoord-{reply.id}"),
        "date": reply.created_at,
    })


# Which rows are searchable, for the documents and their count alike.
VISIBLE_QUESTION = (LabQuestion.hidden_at.is_(None),)
VISIBLE_REPLY = (LabReply.hidden_at.is_(None), LabReply.deleted_at.is_(None),
                 LabQuestion.hidden_at.is_(None))


def question_documents(session, where=()):
    for question in session.execute(
        db.select(LabQuestion).where(*VISIBLE_QUESTION, *where).order_by(LabQuestion.id)
    ).scalars():
        yield question_document(question)


def reply_documents(session, where=()):
    rows = session.execute(
        db.select(LabReply, LabQuestion).join(LabQuestion, LabReply.question_id == LabQuestion.id)
        .where(*VISIBLE_REPLY, *where).order_by(LabReply.id)
    )
    for reply, question in rows:
        yield reply_document(reply, question)


def count_questions(session):
    return session.execute(db.select(db.func.count()).select_from(LabQuestion)
                           .where(*VISIBLE_QUESTION)).scalar_one()


def count_replies(session):
    return session.execute(
        db.select(db.func.count()).select_from(LabReply)
        .join(LabQuestion, LabReply.question_id == LabQuestion.id)
        .where(*VISIBLE_REPLY)).scalar_one()


def _question_scope(session, question_id):
    return f"question:{question_id}", list(reply_documents(session,
                                                           (LabReply.question_id == question_id,)))


def _lab_scope(session, lab_id):
    return f"lab:{lab_id}", (list(question_documents(session, (LabQuestion.lab_id == lab_id,)))
                             + list(reply_documents(session, (LabQuestion.lab_id == lab_id,))))


SEARCH_DOCUMENTS = (
    Source("labquestion", LabQuestion, question_documents, count_questions),
    Source("labreply", LabReply, reply_documents, count_replies),
    Scope("question_replies", _question_scope),
    Scope("lab", _lab_scope),
    watch(LabQuestion, "labquestion", {"title", "body_source", "body_html", "context_source",
                                       "context_html", "hidden_at", "lab_id"},
          "question_replies", {"title", "hidden_at", "lab_id"}),
    watch(LabReply, "labreply", {"body_source", "body_html", "hidden_at", "deleted_at",
                                 "question_id"}),
    watch(Lab, scope_type="lab", scope_columns={"name", "slug"}),
    Within("lab"),  # similar questions: a search among one lab's questions (app/labs/similar.py)
)
