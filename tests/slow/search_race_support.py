"""The child processes of tests/slow/test_search_concurrency.py, started with multiprocessing's spawn
(like gunicorn workers, each with its own app, connections and searchers).

Writers post 50 documents a round, applying index jobs inline as a web process with
SEARCH_APPLY=inline does; searchers search through the search page the whole time. Every process
reports what went wrong (exceptions, log records of WARNING and up, a page saying search is
unavailable) through a queue; the parent checks the index between rounds."""
import logging
import os

UNAVAILABLE = "Zoeken lukt op dit moment niet helemaal"
WRITERS = 4
SEARCHERS = 2
POSTS_PER_ROUND = 50
SEARCH_PASSWORD = "een-lang-wachtwoord-42"


def round_tag(round_number, writer):
    """A word only the posts of this writer in this round contain (letters only: one token)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return f"race{letters[round_number // 26]}{letters[round_number % 26]}{letters[writer]}woord"


class _Collect(logging.Handler):
    def __init__(self, sink, who):
        super().__init__(level=logging.WARNING)
        self.sink, self.who = sink, who

    def emit(self, record):
        self.sink.put((self.who, logging.Formatter().format(record)[-2000:]))


def _app(database_uri, index_dir, **settings):
    os.environ["APP_ENV"] = "testing"
    from app import create_app
    from config import TestingConfig

    settings.update(SQLALCHEMY_DATABASE_URI=database_uri, SEARCH_INDEX_DIR=index_dir)
    return create_app(type("RaceConfig", (TestingConfig,), settings))


def writer(number, database_uri, index_dir, author_email, group_slug, rounds, start, end,
           writers_done, problems):
    # A short wait for the lock, as a request's: when another writer holds it, the jobs stay for
    # the next one (here the next commit of any writer, or the parent after the round).
    app = _app(database_uri, index_dir, SEARCH_APPLY="inline", SEARCH_LOCK_TIMEOUT=0.05)
    logging.getLogger().addHandler(_Collect(problems, f"writer {number}"))
    from app.forum import services
    from app.extensions import db
    from app.models.accounts import User
    from app.models.forum import ForumGroup

    with app.app_context():
        for round_number in range(rounds):
            start.wait(120)
            user = db.session.execute(db.select(User).filter_by(email=author_email)).scalar_one()
            group = db.session.execute(
                db.select(ForumGroup).filter_by(slug=group_slug)).scalar_one()
            tag = round_tag(round_number, number)
            thread = None
            for n in range(POSTS_PER_ROUND):
                body = f"{tag} volgnummer {n}"
                try:
                    if thread is None:
                        thread, _ = services.create_thread(user, group, f"Draad {tag}", body,
                                                           enforce_limits=False)
                    else:
                        services.post_reply(user, thread, body, enforce_limits=False)
                    db.session.commit()  # the index jobs are applied right after this commit
                except Exception as exc:
                    db.session.rollback()
                    problems.put((f"writer {number}", repr(exc)))
            db.session.remove()
            with writers_done.get_lock():
                writers_done.value += 1
            end.wait(120)


def searcher(number, database_uri, index_dir, reader_email, rounds, start, end, writers_done,
             problems, searches):
    # Searching without pause, but second in line for the two cores: the writers set the pace.
    os.nice(10)
    # Rate limits off: these two search far faster than the 60 a minute a person may.
    app = _app(database_uri, index_dir, SEARCH_APPLY="inline", WTF_CSRF_ENABLED=False,
               RATELIMIT_ENABLED=False)
    logging.getLogger().addHandler(_Collect(problems, f"searcher {number}"))
    client = app.test_client()
    response = client.post("/inloggen", data={"email": reader_email, "password": SEARCH_PASSWORD})
    if response.status_code != 302:
        problems.put((f"searcher {number}", f"login failed: {response.status_code}"))
    done = 0
    for round_number in range(rounds):
        start.wait(120)
        turn = 0
        while True:
            finished = writers_done.value >= WRITERS  # one more search after the writers end
            tag = round_tag(round_number, turn % WRITERS)
            turn += 1
            try:
                page = client.get(f"/zoeken?q={tag}")
                text = page.get_data(as_text=True)
                if page.status_code != 200 or UNAVAILABLE in text:
                    problems.put((f"searcher {number}",
                                   f"{tag}: status {page.status_code}, unavailable="
                                   f"{UNAVAILABLE in text}"))
                done += 1
            except Exception as exc:
                problems.put((f"searcher {number}", repr(exc)))
            if finished:
                break
        end.wait(120)
    searches.put(done)
