"""Unit tests for the password rules and the redirect-target check (app.validators)."""
import pytest

from app.validators import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    has_control_characters,
    normalise_email,
    password_problem,
    safe_next_url,
)

TOO_SHORT = "minstens 10 tekens"
TOO_LONG = "hoogstens 200 tekens"
COMMON = "door veel mensen gebruikt"


def test_limits_are_the_designed_ones():
    assert MIN_PASSWORD_LENGTH == 10
    assert MAX_PASSWORD_LENGTH == 200


@pytest.mark.parametrize("password", ["", None, "k", "9-tekens!", "vlq#8zr2p"])
def test_shorter_than_ten_is_refused(password):
    assert password is None or len(password) < 10
    assert TOO_SHORT in password_problem(password)


def test_nine_refused_ten_accepted():
    assert TOO_SHORT in password_problem("vlq#8zr2p")  # 9
    assert password_problem("vlq#8zr2pm") is None  # 10


def test_length_counts_characters_not_bytes():
    # 9 characters but 18 bytes in UTF-8: still too short.
    assert TOO_SHORT in password_problem("éàüöïçñßø")
    assert password_problem("éàüöïçñßøæ") is None


def test_two_hundred_accepted_two_hundred_and_one_refused():
    words = "lantaarnpaal fietsenrek kerktoren molenwiek zonnepaneel buurthuis "
    base = (words * 4)[:200]
    assert len(base) == 200
    assert password_problem(base) is None
    assert TOO_LONG in password_problem(base + "x")
    assert TOO_LONG in password_problem("y" * 100_000)


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password1234",
        "PASSWORD1234",
        "wachtwoord123",
        "Wachtwoord123",
        "qwertyuiop",
        "1234567890",
        "welkom1234",
        "collectievekracht",
        "Kracht-demo-2026",
        " wachtwoord123 ",
        # a common word with a few digits or signs around it is just as easy to guess
        "password12345",
        "Wachtwoord2026!",
        "!welkom1234",
    ],
)
def test_common_passwords_are_refused(password):
    problem = password_problem(password)
    assert problem is not None
    assert "raden" in problem


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaaaa", "abababababab", "abcabcabcabcabc", "0123456789", "abcdefghijkl",
     "9876543210", "zyxwvutsrqpo", "1212121212121"],
)
def test_repeats_and_sequences_are_refused(password):
    assert "raden" in (password_problem(password) or "")


@pytest.mark.parametrize(
    "password",
    [
        "paarse olifant danst op het dak",  # a passphrase
        "koffiekopjesonderdeboom",  # all lowercase, no digits, no signs: fine
        "de buurtmolen draait weer",
        "ZONNEPANELEN OP HET DORPSHUIS",  # all capitals: fine
        "3871 9204 5566",  # only digits, but not a known one
        "vlq#8zr2pm",
        "🌻🌞🚲🏡🌳🐝🍎🥕🌧️⚡",  # emoji count as characters
    ],
)
def test_no_composition_rules(password):
    assert password_problem(password) is None


def test_password_like_the_email_address_is_refused():
    assert "e-mailadres" in password_problem("janneke.devries1", email="janneke.devries@example.org")
    assert password_problem("janneke.devries-fietst-graag", email="janneke.devries@example.org") is None


def test_password_equal_to_the_name_is_refused():
    assert "naam" in password_problem("Marieke van Dam", name="Marieke van Dam")


def test_messages_are_dutch_sentences():
    for password in ("kort", "x" * 201, "password1234"):
        problem = password_problem(password)
        assert "wachtwoord" in problem.lower() and problem.endswith(".")


# -- safe_next_url -----------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["/", "/account", "/forum/energie?pagina=2", "/kennisbank#boven",
                                    "/zoeken?q=co%C3%B6peratie"])
def test_local_paths_are_allowed(target):
    assert safe_next_url(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "//evil.example/account",
        "///evil.example",
        "https://evil.example",
        "http://evil.example/account",
        "HTTPS://evil.example",
        "javascript:alert(1)",
        "evil.example",
        "account",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",  # browsers drop tabs and newlines: this would become //evil.example
        "/\n/evil.example",
        "/\r/evil.example",
        "\t//evil.example",
        " //evil.example",
        "/account\x00",
        "/\x1b[31m",
        "/\u202eevil",
        "/" + "a" * 600,
        ["/account"],
        42,
    ],
)
def test_anything_else_is_refused(target):
    assert safe_next_url(target) is None


# -- small helpers -----------------------------------------------------------------------------

def test_control_characters_are_recognised():
    for value in ("a\x00b", "\x1b[0m", "links\u202erechts", "\u2066x", "a\x7fb", "zero\u200bwidth",
                  "\ufeffbom"):
        assert has_control_characters(value), repr(value)
    for value in ("", "Gewone naam", "Zoë d'Hondt-Ślęzak", "李小龙", "👩‍👩‍👧‍👦", "نیم‌فاصله"):
        assert not has_control_characters(value), repr(value)


def test_normalise_email():
    assert normalise_email("  Persoon@Example.ORG ") == "persoon@example.org"
    # Decomposed and composed forms of the same address are the same address.
    assert normalise_email("zoe\u0308@example.org") == normalise_email("zo\u00eb@example.org")
    assert normalise_email(None) is None
