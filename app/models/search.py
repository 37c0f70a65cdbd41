"""Index jobs: what the search index must still learn, written in the same transaction as the change.

app.search applies them with one writer at a time and deletes a job only once the index holds it,
so a crash or a busy index delays an update but never loses it.
"""
from app.extensions import db
from app.timeutil import utcnow


class SearchJob(db.Model):
    __tablename__ = "search_jobs"

    id = db.Column(db.Integer, primary_key=True)
    # What to (re)index or remove, e.g. ("post", 12); the indexer reads the current row itself.
    doc_type = db.Column(db.String(20), nullable=False)
    doc_id = db.Column(db.Integer, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=True, index=True)
    last_error = db.Column(db.String(500), nullable=True)

    __table_args__ = (db.Index("ix_search_jobs_doc", "doc_type", "doc_id"),)
