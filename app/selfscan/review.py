"""Reviewing a submitted self-scan: possible duplicates, approving it (a collective page) or rejecting it.

Functions take the acting person as their first argument, flush and never commit: the view owns
the transaction, so audit entries and e-mails exist exactly when the change they describe does.
"""
import difflib
import re
import unicodedata
from datetime import timedelta

from sqlalchemy import or_

from app.extensions import db
from app.mail import queue_mail
from app.models.audit import record
from app.models.collectives import COUNTRIES, SECTORS, Collective
from app.models.selfscan import (
    SCAN_APPROVED,
    SCAN_REJECTED,
    SCAN_SUBMITTED,
    SelfScan,
    SelfScanAnswer,
)
from app.selfscan.questionnaire import (
    available_versions,
    current_questionnaire,
    load_questionnaire,
)
from app.slugs import slugify as make_slug
from app.timeutil import utcnow
from app.tokens import issue_token
from app.urls import external_url

PURPOSE_INVITE_REPRESENTATIVE = "invite-representative"
INVITATION_LIFETIME = timedelta(days=7)
SIMILAR_RATIO = 0.8
MAX_DUPLICATES = 20


# -- reading a scan ----------------------------------------------------------------------------

def questionnaire_for(scan):
    """The questionnaire version the scan was filled in with (the current one if it is gone)."""
    try:
        return load_questionnaire(scan.questionnaire_version)
    except (FileNotFoundError, ValueError, KeyError):
        return current_questionnaire()


def scan_profile(scan, answers=None):
    """The well-known answers of a scan: name, sector, municipality, province, country."""
    questionnaire = questionnaire_for(scan)
    answers = scan.answer_map() if answers is None else answers
    name = questionnaire.profile_value(answers, "name")
    sector = questionnaire.profile_value(answers, "sector")
    location = questionnaire.profile_value(answers, "location")
    location = location if isinstance(location, dict) else {}
    return {
        "name": name if isinstance(name, str) else "",
        "sector": sector if sector in SECTORS else "",
        "sector_label": SECTORS.get(sector, "") if isinstance(sector, str) else "",
        "municipality": str(location.get("municipality") or ""),
        "province": str(location.get("province") or ""),
        "country": location.get("country") if location.get("country") in COUNTRIES else "NL",
    }


def slugify(text):
    """A collective's page address from its name."""
    return make_slug(text, max_length=70, fallback="collectief")


def unique_slug(name):
    """slugify(name), with -2, -3 … appended while another collective has it."""
    base = slugify(name)
    taken = set(db.session.execute(
        db.select(Collective.slug).where(or_(Collective.slug == base, Collective.slug.like(base + "-%")))
    ).scalars())
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


# -- possible duplicates -----------------------------------------------------------------------

# Words that say what kind of organisation it is, not which one.
NAME_NOISE = {
    "cooperatie", "cooperatieve", "coop", "stichting", "vereniging", "ua", "ba", "wa", "de", "het",
    "een", "van", "en",
}
NOISE_SUFFIX = re.compile(r"(cooperatie|cooperatieve|coop|vereniging|stichting)$")


def normalise_name(name):
    """A name without accents, punctuation, case and words like "coöperatie" or "u.a."."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\b[ubw]\.\s*a\.?", " ", text)
    words = []
    for word in re.findall(r"[a-z0-9]+", text):
        if word in NAME_NOISE:
            continue
        # Compounds: "energiecoöperatie" is about energie, "bewonersvereniging" about bewoners.
        word = NOISE_SUFFIX.sub("", word) or word
        words.append(word)
    return " ".join(words)


def names_similar(a, b):
    """True for nearly the same name, or one name contained (as whole words) in the other."""
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return False
    if left == right or f" {left} " in f" {right} " or f" {right} " in f" {left} ":
        return True
    return difflib.SequenceMatcher(None, left, right).ratio() >= SIMILAR_RATIO


def _same_place(a, b):
    return bool(a and b) and a.strip().casefold() == b.strip().casefold()


def _reasons(profile, name, municipality):
    reasons = []
    if names_similar(profile["name"], name):
        reasons.append("vergelijkbare naam")
    if _same_place(profile["municipality"], municipality):
        reasons.append("zelfde gemeente")
    return reasons


def find_duplicates(scan, profile):
    """Existing collectives and other scans that might be the same collective.

    Returns {"collectives": [(collective, reasons)], "scans": [(scan, name, municipality, reasons)]}.
    """
    collectives = []
    for collective in db.session.execute(
        db.select(Collective).where(Collective.id != (scan.collective_id or 0)).order_by(Collective.name)
    ).scalars():
        reasons = _reasons(profile, collective.name, collective.municipality)
        if reasons:
            collectives.append((collective, reasons))

    # The name and municipality answers of other reviewed or waiting scans, over every version.
    name_keys, place_keys = set(), set()
    for version in available_versions():
        keys = load_questionnaire(version).profile_keys
        name_keys.add(keys.get("name"))
        place_keys.add(keys.get("location"))
    rows = db.session.execute(
        db.select(SelfScanAnswer.scan_id, SelfScanAnswer.question_key, SelfScanAnswer.value)
        .join(SelfScan, SelfScan.id == SelfScanAnswer.scan_id)
        .where(
            SelfScan.id != scan.id,
            SelfScan.status.in_([SCAN_SUBMITTED, SCAN_APPROVED, SCAN_REJECTED]),
            SelfScanAnswer.question_key.in_((name_keys | place_keys) - {None}),
        )
    ).all()
    found = {}
    for scan_id, key, value in rows:
        entry = found.setdefault(scan_id, {"name": "", "municipality": ""})
        if key in name_keys and isinstance(value, str):
            entry["name"] = value
        elif key in place_keys and isinstance(value, dict):
            entry["municipality"] = str(value.get("municipality") or "")
    matches = {sid: _reasons(profile, e["name"], e["municipality"]) for sid, e in found.items()}
    matches = {sid: reasons for sid, reasons in matches.items() if reasons}
    scans = []
    if matches:
        others = db.session.execute(
            db.select(SelfScan).where(SelfScan.id.in_(list(matches)[:500]))
            .order_by(SelfScan.submitted_at.desc(), SelfScan.id.desc())
        ).scalars()
        for other in others:
            entry = found[other.id]
            scans.append((other, entry["name"], entry["municipality"], matches[other.id]))
    return {"collectives": collectives[:MAX_DUPLICATES], "scans": scans[:MAX_DUPLICATES]}


# -- approving and rejecting -------------------------------------------------------------------

def _claim_scan(actor, scan, new_status, **values):
    """Move a submitted scan to its final status; False when someone else reviewed it first.

    A conditional UPDATE, so of two moderators (or two clicks) exactly one gets the scan.
    """
    now = utcnow()
    result = db.session.execute(
        db.update(SelfScan)
        .where(SelfScan.id == scan.id, SelfScan.status == SCAN_SUBMITTED)
        .values(status=new_status, reviewed_by_id=actor.id, reviewed_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    scan.status, scan.reviewed_by_id, scan.reviewed_at = new_status, actor.id, now
    for key, value in values.items():
        setattr(scan, key, value)
    return True


def approve_selfscan(actor, scan, data):
    """Create the collective of a submitted scan and invite its contact person.

    `data` holds name, slug, sector, municipality, province, country, description. Returns the
    new collective, or None when the scan was already reviewed (nothing is created then).
    """
    if not _claim_scan(actor, scan, SCAN_APPROVED):
        return None
    collective = Collective(
        name=data["name"], slug=data["slug"], sector=data["sector"],
        municipality=data["municipality"], province=data.get("province") or None,
        country=data["country"], description=data.get("description") or "",
    )
    db.session.add(collective)
    db.session.flush()
    scan.collective_id = collective.id
    record(actor, "selfscan.approve", scan,
           f"Zelfscan #{scan.id} goedgekeurd; collectief {collective.name} "
           f"(/collectieven/{collective.slug}) aangemaakt",
           collective_id=collective.id)
    invite_representative(scan, collective)
    db.session.flush()
    return collective


def invite_representative(scan, collective):
    """E-mail the scan's contact person a single-use link (7 days) to create their account."""
    email = (scan.contact_email or "").strip().lower()
    if not email:
        return None
    raw = issue_token(
        PURPOSE_INVITE_REPRESENTATIVE, email=email,
        payload={"collective_id": collective.id, "scan_id": scan.id},
        lifetime=INVITATION_LIFETIME,
    )
    queue_mail(
        email,
        f"{collective.name} staat op CollectieveKracht: maak je account aan",
        "invitation_representative",
        name=scan.contact_name or "",
        collective=collective,
        accept_url=external_url("auth.accept_invitation", token=raw),
        days=INVITATION_LIFETIME.days,
    )
    return raw


def reject_selfscan(actor, scan, reason):
    """Reject a submitted scan and e-mail the reason; False when it was already reviewed."""
    if not _claim_scan(actor, scan, SCAN_REJECTED, rejection_reason=reason):
        return False
    profile = scan_profile(scan)
    record(actor, "selfscan.reject", scan,
           f"Zelfscan #{scan.id} ({profile['name'] or 'zonder naam'}) afgewezen")
    if scan.contact_email:
        queue_mail(
            scan.contact_email.strip().lower(),
            "Jullie zelfscan bij CollectieveKracht",
            "review_rejected",
            name=scan.contact_name or "",
            collective_name=profile["name"],
            reason=reason,
            contact_url=external_url("public.contact"),
        )
    return True
