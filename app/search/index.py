"""The index on disk: where it lives (SEARCH_INDEX_DIR), opening or creating it, one cached
searcher per thread that is renewed when the index changes, and the writer that holds both the
per-process lock and Whoosh's file lock, so there is one writer at a time across processes. The
process-wide state of the index (the write lock, the per-thread searchers, the directories written
to) lives here and only here."""
from __future__ import annotations

import os
import shutil
import threading

from whoosh import index as whoosh_index

from app.search.evaluation import _SEGMENT_CACHE
from app.search.schema import SCHEMA

# -- the index on disk -----------------------------------------------------------------------------

_process_lock = threading.Lock()  # one writer per process (the file lock covers other processes)
_local = threading.local()        # per thread: {index dir: searcher}
_used_dirs = set()                # index dirs this process wrote to (tests reset only those)


def index_dir():
    from flask import current_app

    configured = current_app.config.get("SEARCH_INDEX_DIR") or "search_index"
    return os.path.abspath(configured)


class IndexUnavailable(Exception):
    """The index directory is missing and cannot be made, unreadable or broken."""


def open_index(create=True):
    """The index in SEARCH_INDEX_DIR (made, empty, when it is not there yet)."""
    path = index_dir()
    try:
        if whoosh_index.exists_in(path):
            ix = whoosh_index.open_dir(path)
            if set(ix.schema.names()) != set(SCHEMA.names()):
                raise IndexUnavailable(f"index in {path} has another schema: run `search rebuild`")
            return ix
        if not create:
            raise IndexUnavailable(f"no index in {path}")
        os.makedirs(path, exist_ok=True)
        lock_path = os.path.join(path, "CREATE.lock")
        with open(lock_path, "a") as lock_file:
            import fcntl

            fcntl.flock(lock_file, fcntl.LOCK_EX)  # several workers starting at once make one index
            try:
                if not whoosh_index.exists_in(path):
                    whoosh_index.create_in(path, SCHEMA)
                    _used_dirs.add(path)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        return whoosh_index.open_dir(path)
    except IndexUnavailable:
        raise
    except Exception as exc:  # OSError, EmptyIndexError, corrupt files, …
        raise IndexUnavailable(f"{type(exc).__name__}: {exc}") from exc


def _searcher():
    """A searcher of the current index for this thread, renewed when the index changed (a new
    generation, or a new directory swapped in by a rebuild)."""
    path = index_dir()
    cache = getattr(_local, "searchers", None)
    if cache is None:
        cache = _local.searchers = {}
    searcher, inode = cache.get(path, (None, None))
    try:
        current_inode = os.stat(path).st_ino if os.path.isdir(path) else None
        if searcher is not None and (inode != current_inode or not searcher.up_to_date()):
            # A new searcher, not searcher.refresh(): Whoosh-Reloaded's refresh reuses segment
            # readers by segment id and so misses deletions made since.
            try:
                searcher.close()
            except Exception:
                pass
            searcher = None
        if searcher is None:
            searcher = open_index().searcher()
            current_inode = os.stat(path).st_ino
    except IndexUnavailable:
        cache.pop(path, None)
        raise
    except Exception as exc:
        cache.pop(path, None)
        raise IndexUnavailable(f"{type(exc).__name__}: {exc}") from exc
    cache[path] = (searcher, current_inode)
    return searcher


def _forget_searchers(path=None):
    cache = getattr(_local, "searchers", None) or {}
    for key in list(cache):
        if path is None or key == path:
            try:
                cache.pop(key)[0].close()
            except Exception:
                pass


def reset_index_for_tests(path=None):
    """Remove the index (of `path`, or those this process wrote to): cheap when there is none."""
    paths = set(_used_dirs)
    if path:
        paths.add(os.path.abspath(path))
    existing = [p for p in paths if os.path.exists(p)]
    _used_dirs.clear()
    if not existing:
        return
    _forget_searchers()
    for p in existing:
        shutil.rmtree(p, ignore_errors=True)
    _SEGMENT_CACHE.clear()


class IndexBusy(Exception):
    """Another process or thread holds the index's write lock."""


def _writer(ix, timeout):
    from whoosh.index import LockError

    if not _process_lock.acquire(timeout=max(timeout, 0.001)):
        raise IndexBusy()
    try:
        return _LockedWriter(ix.writer(timeout=timeout, delay=0.05))
    except LockError:
        _process_lock.release()
        raise IndexBusy() from None
    except Exception:
        _process_lock.release()
        raise


class _LockedWriter:
    """A Whoosh writer that also releases the per-process lock when it is done."""

    def __init__(self, writer):
        self.writer = writer
        self._released = False

    def _release(self):
        if not self._released:
            self._released = True
            _process_lock.release()

    def commit(self, **kwargs):
        try:
            self.writer.commit(**kwargs)
        finally:
            self._release()

    def cancel(self):
        try:
            self.writer.cancel()
        finally:
            self._release()

    def __getattr__(self, name):
        return getattr(self.writer, name)
