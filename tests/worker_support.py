"""Running the background worker in tests: one round of every job, as `flask worker --once`
does, but also running the jobs that are not due yet by the shared schedule."""
from app.worker import Worker


def worker_round(app, only=None):
    """Run every job (or those named in `only`) once; {name: outcome}."""
    return Worker(app, only=only).run_once(force=True)
