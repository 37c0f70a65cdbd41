"""The index on disk: where it lives (SEARCH_INDEX_DIR), opening or creating it, one cached
searcher per thread that is renewed when the index changes, and the writer that holds both the
per-process lock and Whoosh's file lock, so there is one writer at a time across processes. The
process-wide state of the index (the write lock, the per-thread searchers, the directories written
to) lives here and only here."""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import threading

from flask import current_app
from whoosh.filedb.filestore import FileStorage
from whoosh.index import _DEF_INDEX_NAME as _INDEX_NAME
from whoosh.util.filelock import try_for
from whoosh.writing import SegmentWriter

from app.search.evaluation import _SEGMENT_CACHE
from app.search.schema import SCHEMA

# -- the index on disk -----------------------------------------------------------------------------

_process_lock = threading.Lock()  # one writer per process (the file lock covers other processes)
_local = threading.local()        # per thread: {index dir: searcher}
_used_dirs = set()                # index dirs this process wrote to (tests reset only those)


def index_dir():
    configured = current_app.config.get("SEARCH_INDEX_DIR") or "search_index"
    return os.path.abspath(configured)


class IndexUnavailable(Exception):
    """The index directory is missing and cannot be made, unreadable or broken."""


class IndexMissing(IndexUnavailable):
    """There is no index (yet): a search finds nothing; only writers make one."""


# How often opening the index for reading is tried again after a file vanished under it. A writer
# in another process writes the new table of contents (_MAIN_<n>.toc) before it deletes the old
# one and the segments no longer used, so a reader that listed generation n-1 and then found its
# file gone finds generation n on the next look: no waiting needed, only a fresh look.
OPEN_TRIES = 20


def _is_vanished_file(exc):
    return isinstance(exc, FileNotFoundError) or (
        isinstance(exc, OSError) and getattr(exc, "errno", None) == errno.ENOENT)


def _storage(path):
    """The index's files, read through ordinary file handles rather than mmap: for a memory-mapped
    segment Whoosh opens every part (postings, stored fields, columns) as a BufferFile, which copies
    it into a BytesIO, so each searcher held a private copy of the whole index (hundreds of MB at
    100,000 posts, again after every change). Read this way, the operating system's page cache
    keeps the hot parts in memory once for all processes, and a new searcher costs next to nothing."""
    return FileStorage(path, supports_mmap=False)


def _index_exists(path):
    return os.path.isdir(path) and _storage(path).index_exists()


def open_index(create=True):
    """The index in SEARCH_INDEX_DIR for reading; made, empty, when it is not there yet and
    `create` (IndexMissing otherwise: the search path never makes an index).

    Readers take no lock: when a writer's clean-up removes a file while it is being opened (the
    table-of-contents race), the index is opened again from the newest generation."""
    path = index_dir()
    for attempt in range(1, OPEN_TRIES + 1):
        try:
            if _index_exists(path):
                return _same_schema(_storage(path).open_index(), path)
            if not create:
                parent = os.path.dirname(path)
                if os.path.exists(parent) and not os.path.isdir(parent):
                    raise IndexUnavailable(f"{path} cannot be made: {parent} is not a directory")
                raise IndexMissing(f"no index in {path}")
            with _write_lock(path, timeout=30.0):
                return _open_locked(path)
        except IndexUnavailable:
            raise
        except Exception as exc:  # OSError, EmptyIndexError, corrupt files, …
            if _is_vanished_file(exc) and attempt < OPEN_TRIES:
                continue
            raise IndexUnavailable(f"{type(exc).__name__}: {exc}") from exc
    raise AssertionError("unreachable")


def _open_locked(path):
    """Open (or create) the index while holding its write lock: no file changes meanwhile."""
    if not _index_exists(path):
        os.makedirs(path, exist_ok=True)
        _storage(path).create_index(SCHEMA)
        _used_dirs.add(path)
    return _same_schema(_storage(path).open_index(), path)


def _same_schema(ix, path):
    if set(ix.schema.names()) != set(SCHEMA.names()):
        raise IndexUnavailable(f"index in {path} has another schema: run `search rebuild`")
    return ix


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
        if searcher is not None and current_inode is None:
            return searcher  # a rebuild is swapping directories: the old files are still open
        if searcher is not None and (inode != current_inode or not searcher.up_to_date()):
            # A new searcher, not searcher.refresh(): Whoosh-Reloaded's refresh reuses segment
            # readers by segment id and so misses deletions made since.
            try:
                searcher.close()
            except Exception:
                pass
            searcher = None
        if searcher is None:
            searcher = open_index(create=False).searcher()
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


def lock_file(path):
    """The write lock's file: next to the index directory, not in it, so it stays put while
    rebuild() swaps directories (a lock inside would move away with the old index)."""
    return os.path.dirname(path), f".{os.path.basename(path)}.writelock"


def _file_lock(folder, name, timeout):
    """A held file lock (Whoosh's), or IndexBusy / IndexUnavailable."""
    try:
        os.makedirs(folder, exist_ok=True)
        lock = FileStorage(folder).lock(name)
        acquired = try_for(lock.acquire, timeout=max(timeout, 0.001), delay=0.02)
    except OSError as exc:  # an unwritable directory, …
        raise IndexUnavailable(f"{type(exc).__name__}: {exc}") from exc
    if not acquired:
        raise IndexBusy()
    return lock


@contextlib.contextmanager
def _write_lock(path, timeout, inner=True):
    """Hold the index's write lock for the `with` block: a per-process lock for threads, a lock
    file beside the index directory for other processes on this machine, and (with `inner`) also
    Whoosh's own lock inside the directory, which any Whoosh writer respects. IndexBusy after
    `timeout` seconds, IndexUnavailable when a lock cannot be made. Only the holder writes,
    creates, swaps or deletes files of the index."""
    if not _process_lock.acquire(timeout=max(timeout, 0.001)):
        raise IndexBusy()
    try:
        with contextlib.ExitStack() as held:
            held.callback(_file_lock(*lock_file(path), timeout).release)
            if inner:  # only now may the directory be made: no rebuild is swapping it
                held.callback(_file_lock(path, f"{_INDEX_NAME}_WRITELOCK", timeout).release)
            yield
    finally:
        _process_lock.release()


@contextlib.contextmanager
def writing(timeout):
    """`with writing(timeout) as writer:` a writer of the index, with the write lock taken
    *before* the index is opened and held until the block ends, so what the block does after
    `writer.commit()` (deleting the applied jobs) happens before any other writer starts.

    IndexBusy when the lock stays taken; IndexUnavailable when the index cannot be opened. The
    writer is cancelled when the block ends without committing."""
    path = index_dir()
    with _write_lock(path, timeout):
        try:
            writer = SegmentWriter(_open_locked(path), _lk=False)
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise IndexUnavailable(f"{type(exc).__name__}: {exc}") from exc
        try:
            yield writer
        finally:
            if not writer.is_closed:
                writer.cancel()
        _used_dirs.add(path)
