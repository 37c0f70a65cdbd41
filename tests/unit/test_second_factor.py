"""The second-factor service: codes per RFC 6238 within one step of drift, no replay (also not by
two requests at once), single-use hashed recovery codes, and who may turn it off or reset it."""
import re

import pyotp
import pytest

from app.accounts import second_factor
from app.accounts import sessions
from app.extensions import db
from app.models.accounts import RecoveryCode, UserSession
from app.models.audit import AuditLog
from tests.factories import make_user
from tests.support import outbox, reload

NOW = 1_800_000_000  # a fixed moment: step 60,000,000


@pytest.fixture
def person():
    user = make_user(email="p@example.org", name="Pien")
    user.totp_secret = second_factor.new_secret()
    user.totp_enabled_at = user.created_at
    db.session.commit()
    return user


def code_at(user, moment):
    return pyotp.TOTP(user.totp_secret).at(moment)


def test_a_code_is_accepted_within_one_step_of_drift_and_not_beyond(app, person):
    secret = person.totp_secret
    for drift, step in ((-30, 59_999_999), (0, 60_000_000), (30, 60_000_001)):
        assert second_factor.matching_step(secret, code_at(person, NOW + drift), NOW) == step
    for drift in (-90, -60, 60, 90):
        code = code_at(person, NOW + drift)
        if code not in {code_at(person, NOW + d) for d in (-30, 0, 30)}:
            assert second_factor.matching_step(secret, code, NOW) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x", None, 123456])
def test_malformed_codes_are_refused(app, person, code):
    assert second_factor.matching_step(person.totp_secret, code, NOW) is None


def test_spaces_in_a_code_are_ignored(app, person):
    code = code_at(person, NOW)
    assert second_factor.matching_step(person.totp_secret, f" {code[:3]} {code[3:]} ", NOW) is not None


def test_an_accepted_code_and_every_earlier_one_are_used_up(app, person):
    assert second_factor.accept_code(person, code_at(person, NOW), NOW)
    db.session.commit()
    assert not second_factor.accept_code(person, code_at(person, NOW), NOW)  # replay
    assert not second_factor.accept_code(person, code_at(person, NOW - 30), NOW)  # older
    assert second_factor.accept_code(person, code_at(person, NOW + 30), NOW + 30)  # the next one
    assert reload(person).totp_last_step == 60_000_001


def test_two_sessions_with_the_same_code_cannot_both_pass(app, person):
    """The second request's check is a conditional UPDATE: it sees the first one's step."""
    code = code_at(person, NOW)
    assert second_factor.accept_code(person, code, NOW)
    db.session.commit()
    stale = reload(person)
    stale.totp_last_step = None  # what a request that loaded the person earlier would believe
    db.session.expunge(stale)
    assert not second_factor.accept_code(stale, code, NOW)


def test_recovery_codes_are_ten_hashed_and_single_use(app, person):
    codes = second_factor.issue_recovery_codes(person)
    db.session.commit()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    hashes = db.session.execute(db.select(RecoveryCode.code_hash)).scalars().all()
    assert all(code.replace("-", "") not in hashes for code in codes)
    assert second_factor.use_recovery_code(person, codes[0].upper())
    assert not second_factor.use_recovery_code(person, codes[0])
    assert second_factor.remaining_recovery_codes(person) == 9
    assert second_factor.check(person, codes[1].replace("-", " ")) == "recovery"
    assert second_factor.check(person, "abcde-fghjk") is None


def test_recovery_codes_of_one_person_do_not_work_for_another(app, person):
    other = make_user(email="o@example.org", name="Otto")
    other.totp_secret, other.totp_enabled_at = second_factor.new_secret(), other.created_at
    codes = second_factor.issue_recovery_codes(person)
    db.session.commit()
    assert not second_factor.use_recovery_code(other, codes[0])


def test_enable_with_a_wrong_code_changes_nothing(app):
    user = make_user(email="n@example.org", name="Nel")
    secret = second_factor.new_secret()
    wrong = next(c for c in ("000000", "111111", "222222")
                 if second_factor.matching_step(secret, c) is None)
    with pytest.raises(second_factor.SecondFactorError):
        second_factor.enable(user, secret, wrong)
    with pytest.raises(second_factor.SecondFactorError):
        second_factor.enable(user, "not-a-secret", "123456")
    assert not user.has_second_factor and user.totp_secret is None


def test_enable_ends_other_sessions_and_tells_the_person(app):
    user = make_user(email="n@example.org", name="Nel")
    sessions.start(user)
    here = sessions.start(user)
    db.session.commit()
    secret = second_factor.new_secret()
    codes = second_factor.enable(user, secret, second_factor.current_code(secret))
    db.session.commit()
    assert len(codes) == 10
    assert [row.id for row in db.session.execute(db.select(UserSession)).scalars()] == [here.id]
    assert outbox("n@example.org")[-1].subject == "Tweestapsverificatie staat aan"


def test_who_must_have_one_cannot_disable_it(app, person):
    person.role = "moderator"
    with pytest.raises(second_factor.SecondFactorError, match="verplicht"):
        second_factor.disable(person)
    person.role = "partner"
    person.research_access = True
    assert person.needs_second_factor
    person.research_access = False
    assert not person.needs_second_factor
    second_factor.disable(person)
    assert not person.has_second_factor


def test_a_staff_reset_is_audited_mailed_and_signs_out(app, person):
    actor = make_user(email="mod@example.org", name="Mod", role="moderator")
    sessions.start(person)
    second_factor.issue_recovery_codes(person)
    db.session.commit()
    with pytest.raises(second_factor.SecondFactorError):
        second_factor.reset_by_staff(actor, actor, "zelf")
    second_factor.reset_by_staff(actor, person, "Telefoon kwijt, gebeld")
    db.session.commit()
    person = reload(person)
    assert not person.has_second_factor
    assert db.session.execute(db.select(RecoveryCode)).first() is None
    assert db.session.execute(db.select(UserSession)).first() is None
    entry = db.session.execute(db.select(AuditLog)).scalars().one()
    assert (entry.action, entry.actor_id, entry.target_id) == (
        "member.second_factor_reset", actor.id, person.id)
    assert outbox("p@example.org")[-1].subject.startswith("Je tweestapsverificatie is uitgezet")
    with pytest.raises(second_factor.SecondFactorError):
        second_factor.reset_by_staff(actor, person, "nog eens")


def test_the_qr_code_is_svg_of_an_otpauth_uri_with_the_issuer(app, person):
    uri = second_factor.provisioning_uri(person, person.totp_secret)
    assert uri.startswith("otpauth://totp/") and "issuer=CollectieveKracht" in uri
    assert person.totp_secret in uri
    svg = second_factor.qr_svg(uri)
    assert svg.startswith("<svg") and "<path" in svg and "http" not in svg
    assert second_factor.grouped("ABCDEFGH") == "ABCD EFGH"
