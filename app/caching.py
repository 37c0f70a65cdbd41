"""A small in-process cache: bounded, least recently used first out, safe for threaded workers.

For values that are cheap to keep and costly to make again on every request (a thread page's
rendered post headings and footers, the search for a question's similar questions). Each worker
process has its own; nothing in it is a source of truth, so a restart or an eviction only costs
the next request a little time. Keys must hold everything the value depends on (or the value
must be checked again when used), because nothing is ever deleted on a change: a changed
key simply misses, and the old entry ages out.
"""
import threading
import time
from collections import OrderedDict


class BoundedCache:
    """At most `max_entries` values; with `max_age` (seconds) a value older than that is made
    again."""

    def __init__(self, max_entries, max_age=None, clock=time.monotonic):
        self.max_entries = max_entries
        self.max_age = max_age
        self._clock = clock
        self._entries = OrderedDict()  # key -> (made at, value)
        self._lock = threading.Lock()

    def get_or_make(self, key, make):
        """The value kept under `key`, or make() kept and returned."""
        now = self._clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and (self.max_age is None or now - found[0] < self.max_age):
                self._entries.move_to_end(key)
                return found[1]
        value = make()  # outside the lock: two requests may make the same value at once
        with self._lock:
            self._entries[key] = (now, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def __len__(self):
        return len(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()
