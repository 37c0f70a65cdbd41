"""Posting limits: a pause between posts, a daily maximum for new accounts, and a rate limit behind
them; a clear Dutch message and the typed text kept."""
from datetime import timedelta

import pytest

from app.accounts import limits
from app.extensions import db
from app.forum import services
from app.models.accounts import User
from app.timeutil import utcnow
from tests.factories import make_group, start_thread
from tests.fixtures.forum import Cast, posts_of, thread_path, threads
from tests.support import login, submit, text


@pytest.fixture
def cast():
    return Cast()


@pytest.fixture
def thread(cast):
    thread, _ = start_thread(make_group("Energie", slug="energie"), cast.partner,
                             now=utcnow() - timedelta(hours=1))
    return thread


def reply(client, thread, body):
    return submit(client, f"/forum/energie/{thread.id}/reageren", {"body": body},
                  page=thread_path(thread))


def age(user, days):
    user = db.session.get(User, user.id)
    user.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return user


def fill_today(user, thread, count):
    """`count` earlier posts of `user` within the last day (minutes apart, limits not applied)."""
    start = utcnow() - timedelta(hours=20)
    for number in range(count):
        services.post_reply(user, thread, f"Bericht {number}", now=start + timedelta(minutes=number),
                            enforce_limits=False)
    db.session.commit()


# -- the pause between posts -------------------------------------------------------------------------

def test_second_post_within_fifteen_seconds_is_refused_with_the_text_kept(client, cast, thread):
    age(cast.member, 60)
    login(client, "lid@example.org")
    assert reply(client, thread, "Mijn eerste reactie").status_code == 302
    response = reply(client, thread, "Mijn tweede reactie, meteen erachteraan")
    page = text(response)
    assert response.status_code == 429
    assert "Je plaatste net al een bericht in het forum. Wacht nog" in page
    assert "seconden en probeer het dan opnieuw" in page
    assert "Mijn tweede reactie, meteen erachteraan</textarea>" in page
    assert [p.body_source for p in posts_of(thread)][1:] == ["Mijn eerste reactie"]


def test_new_thread_right_after_a_reply_is_refused_too(client, cast, thread):
    login(client, "lid@example.org")
    reply(client, thread, "Een reactie")
    response = submit(client, "/forum/energie/nieuw",
                      {"title": "Nog een onderwerp", "body": "En nog iets"})
    assert response.status_code == 429
    assert "Wacht nog" in text(response) and 'value="Nog een onderwerp"' in text(response)
    assert len(threads()) == 1


def test_the_message_counts_the_seconds_still_to_wait(cast, thread):
    now = utcnow()
    services.post_reply(cast.member, thread, "Net geplaatst", now=now, enforce_limits=False)
    with pytest.raises(limits.PostingLimit, match="Wacht nog 15 seconden"):
        limits.check_posting_limit(cast.member, now)
    with pytest.raises(limits.PostingLimit, match="Wacht nog 5 seconden"):
        limits.check_posting_limit(cast.member, now + timedelta(seconds=10))
    with pytest.raises(limits.PostingLimit, match="Wacht nog 1 seconde en"):
        limits.check_posting_limit(cast.member, now + timedelta(seconds=14, milliseconds=500))
    limits.check_posting_limit(cast.member, now + timedelta(seconds=15))  # allowed again


def test_after_the_pause_posting_works_again(client, cast, thread):
    services.post_reply(cast.member, thread, "Eerder", now=utcnow() - timedelta(seconds=16),
                        enforce_limits=False)
    db.session.commit()
    login(client, "lid@example.org")
    assert reply(client, thread, "Later").status_code == 302
    assert posts_of(thread)[-1].body_source == "Later"


# -- the daily maximum of new accounts ----------------------------------------------------------------

def test_new_account_reaches_its_daily_maximum(client, cast, thread):
    age(cast.member, 2)
    fill_today(cast.member, thread, limits.NEW_ACCOUNT_DAILY_MAX)
    login(client, "lid@example.org")
    response = reply(client, thread, "Nummer eenentwintig")
    page = text(response)
    assert response.status_code == 429
    assert "In je eerste week kun je hoogstens 20 berichten per dag plaatsen." in page
    assert "Nummer eenentwintig</textarea>" in page
    assert len(posts_of(thread)) == 1 + limits.NEW_ACCOUNT_DAILY_MAX


def test_new_account_below_the_maximum_may_post(client, cast, thread):
    age(cast.member, 2)
    fill_today(cast.member, thread, limits.NEW_ACCOUNT_DAILY_MAX - 1)
    login(client, "lid@example.org")
    assert reply(client, thread, "Nummer twintig").status_code == 302


def test_posts_older_than_a_day_do_not_count(cast, thread):
    user = age(cast.member, 3)
    start = utcnow() - timedelta(days=2)
    for number in range(limits.NEW_ACCOUNT_DAILY_MAX):
        services.post_reply(user, thread, f"Eergisteren {number}", now=start + timedelta(minutes=number),
                            enforce_limits=False)
    limits.check_posting_limit(user)  # no exception


def test_older_account_is_not_held_to_the_daily_maximum(client, cast, thread):
    age(cast.member, limits.NEW_ACCOUNT_DAYS + 1)
    fill_today(cast.member, thread, limits.NEW_ACCOUNT_DAILY_MAX + 5)
    login(client, "lid@example.org")
    assert reply(client, thread, "Nog steeds welkom").status_code == 302
    assert posts_of(thread)[-1].body_source == "Nog steeds welkom"


def test_staff_are_not_limited(cast, thread):
    moderator = age(cast.moderator, 1)
    fill_today(moderator, thread, limits.NEW_ACCOUNT_DAILY_MAX + 1)
    services.post_reply(moderator, thread, "Direct erachteraan", now=utcnow())
    services.post_reply(moderator, thread, "En nog een", now=utcnow())


# -- the rate limit behind them -----------------------------------------------------------------------

def test_rate_limit_stops_a_flood_of_requests(client, cast, thread):
    login(client, "lid@example.org")
    page = thread_path(thread)
    statuses = [
        submit(client, f"/forum/energie/{thread.id}/reageren",
               {"body": f"Voorbeeld {number}", "preview": "Voorbeeld"}, page=page).status_code
        for number in range(41)
    ]
    assert statuses[:40] == [200] * 40
    assert statuses[40] == 429
    response = submit(client, "/forum/energie/nieuw", {"title": "Nog een poging", "body": "x"},
                      page=page)
    assert response.status_code == 429 and "Even rustig aan" in text(response)
    assert len(posts_of(thread)) == 1


def test_feature_refusals_are_user_errors_with_their_status():
    """One user-facing error base class: the Dutch message shown as is and the page's status."""
    from app.accounts.members import MemberActionError
    from app.collectives.services import JoinError
    from app.forum.moderation import ModerationError
    from app.accounts.limits import PostingLimit
    from app.forum.services import ForumError
    from app.labs.services import LabError
    from app.partners.services import PartnerActionError
    from app.errors import UserError
    from app.uploads import UploadRejected

    statuses = {cls: cls("Dit kan niet.").status for cls in (
        MemberActionError, JoinError, ModerationError, ForumError, PostingLimit, LabError,
        PartnerActionError, UploadRejected)}
    assert all(issubclass(cls, UserError) for cls in statuses)
    assert statuses[PostingLimit] == 429
    assert {statuses[cls] for cls in (JoinError, ModerationError, ForumError, LabError)} == {409}
    assert statuses[MemberActionError] == statuses[UploadRejected] == 400
    assert str(PostingLimit("Wacht even.")) == "Wacht even."


def test_a_lab_question_right_after_a_forum_reply_is_fine(client, cast, thread):
    login(client, "lid@example.org")
    reply(client, thread, "Een reactie in het forum")
    response = submit(client, "/labs/financelab/vragen/nieuw",
                      {"title": "Hoe financieren we een buurtbatterij?",
                       "body": "Wie heeft ervaring met een ledenlening?"})
    assert response.status_code == 302, text(response)
