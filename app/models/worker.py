"""The background worker's schedule: one row per job, shared by every worker process.

A row says when the job is next due and, while one worker runs a job that must run once at a time,
until when that worker holds it (a lease, taken with a conditional UPDATE, so workers on several
machines never run it twice at once). It also keeps what the last run did, for
`flask worker --status` and /healthz.
"""
from app.extensions import db


class WorkerJob(db.Model):
    __tablename__ = "worker_jobs"

    name = db.Column(db.String(40), primary_key=True)
    next_run_at = db.Column(db.DateTime, nullable=True)  # None: due now
    running_until = db.Column(db.DateTime, nullable=True)  # lease of the worker running it
    last_started_at = db.Column(db.DateTime, nullable=True)
    last_finished_at = db.Column(db.DateTime, nullable=True)
    last_ok_at = db.Column(db.DateTime, nullable=True)
    last_duration_ms = db.Column(db.Integer, nullable=True)
    last_result = db.Column(db.String(200), nullable=True)
    last_error = db.Column(db.String(1000), nullable=True)
    failures = db.Column(db.Integer, nullable=False, default=0)  # in a row; 0 after a good run
    runs = db.Column(db.Integer, nullable=False, default=0)
