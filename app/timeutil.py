"""Time in one convention: naive UTC datetimes in the database, Dutch time on screen."""
from datetime import datetime, timezone


def utcnow():
    """Now, as a naive UTC datetime (how every timestamp column stores time)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
