"""Similar questions: a lab's questions whose words resemble a title being typed or shown.

Found by the search engine among the lab's documents (`within="lab:<id>"`, so only what the
viewer may search), with the title's words OR-ed (the engine ANDs words by default, which would
miss a question sharing three of four words); then one SQL statement keeps the questions that
are still in that lab and visible, answered and solved ones first, then by the engine's rank.

The engine's answer (the ranked question ids) is kept for a few minutes per lab, title and
searcher's rights, so showing a question page again costs that one statement and no search; the
statement and a permission check per question still decide what is shown, so a question hidden
or moved since is never listed.
"""
import re

from flask import current_app

from app import search
from app.caching import BoundedCache
from app.extensions import db
from app.models.labs import QUESTION_OPEN, LabQuestion
from app.permissions import can_read_question, can_view_lab_questions
from app.search.searching import rights_of

SIMILAR_LIMIT = 5
MIN_TITLE_LENGTH = 3     # fewer characters say nothing yet
MAX_WORDS = 8            # the longest words of a title; enough to find its kin
MIN_WORD_LENGTH = 3      # "de", "en", "op": never what makes a question alike
MAX_TITLE = 150          # a title's length (LabQuestion.title): the OR-ed query stays far below
                         # the engine's MAX_QUERY_LENGTH, past which it would AND the words
HITS = 30                # the engine's best documents, replies among them, to pick questions from
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_OPERATORS = {"and", "or", "not", "andnot", "andmaybe"}
_QUESTION_ID = "labquestion:"
KEEP_SECONDS = 300       # a new question shows among the similar ones within five minutes
KEEP_SEARCHES = 1000     # titles kept per worker (a few ids each)


def forget_kept_searches():
    """Empty this app's cache (the tests do, as their databases hand out the same ids again)."""
    current_app.extensions.pop("similar_questions", None)


def _kept_searches():
    """The app's cache of the engine's answers (one per app, so tests start empty)."""
    return current_app.extensions.setdefault(
        "similar_questions", BoundedCache(KEEP_SEARCHES, max_age=KEEP_SECONDS))


def title_query(text):
    """"Subsidie voor een buurtbatterij?" → "subsidie OR voor OR buurtbatterij": the title's
    distinct words of three or more characters (the longest MAX_WORDS, in their order), lower case
    so that none reads as an operator; "" when there is nothing to look for."""
    words = []
    for word in _WORD_RE.findall(str(text or "")[:MAX_TITLE].lower()):
        word = word.strip("_")
        if len(word) >= MIN_WORD_LENGTH and word not in _OPERATORS and word not in words:
            words.append(word)
    longest = set(sorted(words, key=len, reverse=True)[:MAX_WORDS])
    return " OR ".join(word for word in words if word in longest)


def similar_questions(lab, text, viewer, exclude_id=None, limit=SIMILAR_LIMIT):
    """Up to `limit` questions of `lab` like `text` that `viewer` may read: answered and solved ones
    first, then by rank; never a hidden question, never `exclude_id` (the page's own question).
    One search (none when kept) and at most one SQL statement; [] for someone who reads no lab
    questions."""
    if lab is None or not can_view_lab_questions(viewer):
        return []
    text = search.clean_query(text)
    if len(text) < MIN_TITLE_LENGTH:
        return []
    query = title_query(text)
    if not query:
        return []
    audiences, members = rights_of(viewer)
    ranked = [question_id for question_id in _kept_searches().get_or_make(
        (lab.id, query, audiences, members), lambda: _ranked_ids(query, viewer, lab))
        if question_id != exclude_id]
    if not ranked:
        return []
    rank = {question_id: n for n, question_id in enumerate(ranked)}
    questions = db.session.execute(
        db.select(LabQuestion).where(LabQuestion.id.in_(ranked), LabQuestion.lab_id == lab.id,
                                     LabQuestion.hidden_at.is_(None))
    ).scalars().all()
    questions = [question for question in questions if can_read_question(viewer, question)]
    questions.sort(key=lambda q: (q.status == QUESTION_OPEN, rank[q.id]))
    return questions[:max(0, int(limit))]


def _ranked_ids(query, viewer, lab):
    """The ids of the lab's questions among the engine's best HITS documents, best first."""
    results = search.search(query, viewer, kind="labvraag", per_page=HITS, within=f"lab:{lab.id}")
    ranked = []
    for hit in results.hits:
        number = (hit.id or "")[len(_QUESTION_ID):] if (hit.id or "").startswith(_QUESTION_ID) else ""
        if number.isascii() and number.isdigit() and int(number) not in ranked:
            ranked.append(int(number))
    return tuple(ranked)
