"""The pseudonymised research export: the self-scans of consenting collectives as CSV, and a codebook.

What is in it
    One row per sent self-scan (statuses submitted, approved and completed) whose sender consented
    to research use (`consent_research`, asked in every scan). Drafts are never exported. Rejected
    scans are left out too: a moderator rejects a scan because it is not a citizens' collective,
    a duplicate or a test, so its answers would distort the research data.

    Columns: a pseudonym, the questionnaire version, the month of sending, the status, country and
    province, one column per question key, and the 0-100 score per scored dimension. Never exported:
    names, e-mail addresses, free-text answers (type "text"), the municipality (type
    "municipality": only its province and country are), websites and database ids.

    Answers are exported only when they have the form the question allows (an option code, a 1-5
    scale value, a whole number), so even a malformed stored value can never leak free text.

The pseudonym
    "C-" + the first 16 hex characters of HMAC-SHA256(key, "collective:<id>"), the same for every
    scan of a collective and in every export made with the same key. A scan without a collective
    (still waiting for review, or its collective was removed) gets "S-" + HMAC(key, "scan:<id>").
    The key is RESEARCH_PSEUDONYM_KEY; when that is not set, HMAC-SHA256(SECRET_KEY, PSEUDONYM_LABEL),
    so pseudonyms then change when SECRET_KEY changes. Without the key, nobody can link a pseudonym
    to a collective; the database ids inside the hash are never exported themselves.
"""
import csv
import hashlib
import hmac
import io
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.audit import record
from app.models.collectives import COUNTRIES, PROVINCES_BE, PROVINCES_NL
from app.models.selfscan import SCAN_APPROVED, SCAN_COMPLETED, SCAN_SUBMITTED, SelfScan
from app.selfscan.questionnaire import (
    SCALE_OPTIONS,
    available_versions,
    load_questionnaire,
)

# Exported statuses and their codes in the CSV (Dutch, like the answer codes).
EXPORTED_STATUSES = {
    SCAN_SUBMITTED: ("ingediend", "Ingestuurd, wacht nog op beoordeling door een moderator"),
    SCAN_APPROVED: ("goedgekeurd", "Goedgekeurd: de eerste scan van een collectief met een pagina"),
    SCAN_COMPLETED: ("herhaalscan", "Een latere scan van een bestaand collectief (geen beoordeling nodig)"),
}
# Question types never exported: free text, and the municipality (only its province and country are).
EXCLUDED_TYPES = {"text", "municipality"}
PSEUDONYM_LABEL = b"CollectieveKracht research export pseudonym v1"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MULTI_SEPARATOR = ";"

TYPE_LABELS = {
    "single": "één keuze (code)",
    "multi": "meerdere keuzes (codes gescheiden door ;)",
    "scale": "stelling, 1-5 (1 = helemaal oneens, 5 = helemaal eens)",
    "number": "geheel getal",
    "year": "jaartal",
}


@dataclass
class Column:
    name: str
    label: str
    kind: str  # a question type, or a Dutch description for the extra columns
    description: str = ""
    codes: list = field(default_factory=list)  # [(code, Dutch label)]
    reversed: bool = False
    versions: tuple = ()
    question: object = None  # the Question of the newest version that has this key

    @property
    def kind_label(self):
        return TYPE_LABELS.get(self.kind, self.kind)


# -- columns ----------------------------------------------------------------------------------

def _questionnaires():
    return [load_questionnaire(version) for version in available_versions()]


def excluded_question_keys():
    """Question keys never exported: a key of an excluded type in any version stays out."""
    return {q.key for qn in _questionnaires() for q in qn.questions() if q.type in EXCLUDED_TYPES}


def excluded_questions_by_type():
    """{"text": [keys], "municipality": [keys]}: what the export page lists as left out."""
    found = {kind: set() for kind in sorted(EXCLUDED_TYPES)}
    for questionnaire in _questionnaires():
        for question in questionnaire.questions():
            if question.type in EXCLUDED_TYPES:
                found[question.type].add(question.key)
    return {kind: sorted(keys) for kind, keys in found.items()}


def question_columns():
    """One column per exported question key: the newest version's order first, then older keys."""
    questionnaires = list(reversed(_questionnaires()))  # newest first
    excluded = excluded_question_keys()
    columns, seen = [], {}
    for questionnaire in questionnaires:
        for question in questionnaire.questions():
            if question.key in excluded:
                continue
            if question.key in seen:
                seen[question.key].versions += (questionnaire.version,)
                continue
            column = Column(
                name=question.key, label=question.label, kind=question.type,
                codes=list(SCALE_OPTIONS if question.type == "scale" else question.options),
                reversed=question.reversed, versions=(questionnaire.version,), question=question,
            )
            notes = [question.help] if question.help else []
            if question.type == "multi" and question.max_choices:
                notes.append(f"Hoogstens {question.max_choices} keuzes.")
            if question.type in ("number", "year"):
                bounds = [f"{word} {value}" for word, value in
                          (("minimaal", question.min), ("maximaal", question.max)) if value is not None]
                if bounds:
                    notes.append("Toegestaan: " + ", ".join(bounds) + ".")
            column.description = " ".join(notes)
            seen[question.key] = column
            columns.append(column)
    for column in columns:
        column.versions = tuple(sorted(column.versions))
    return columns


def scored_dimensions():
    """[(key, label, description)] of every scored dimension in any version, newest order first."""
    dims, seen = [], set()
    for questionnaire in reversed(_questionnaires()):
        for key, dim in questionnaire.dimensions.items():
            if dim.get("scored") and key not in seen:
                seen.add(key)
                dims.append((key, dim["label"], dim.get("description", "")))
    return dims


def extra_columns():
    """The columns that are not a question: pseudonym, version, month, status, place."""
    return [
        Column("pseudoniem", "Pseudoniem van het collectief",
               "code (C- of S- en 16 hexadecimale tekens)",
               "Gelijk voor alle scans van hetzelfde collectief en in elke export. Begint met C- "
               "voor een collectief; met S- voor een scan zonder collectief (nog niet beoordeeld, "
               "of het collectief bestaat niet meer): die krijgt na goedkeuring het C-pseudoniem "
               "van het collectief."),
        Column("vragenlijst_versie", "Versie van de vragenlijst", "geheel getal",
               "De versie waarmee de scan is ingevuld; elke vraagkolom zegt in welke versies hij "
               "voorkomt."),
        Column("ingestuurd_maand", "Maand van insturen", "jaar-maand (JJJJ-MM)",
               "Jaar en maand waarin de scan is ingestuurd (JJJJ-MM, UTC). De precieze datum wordt "
               "niet gedeeld."),
        Column("status", "Status van de scan", "code", "",
               codes=[(code, label) for code, label in EXPORTED_STATUSES.values()]),
        Column("land", "Land", "code (NL of BE)",
               "Uit het antwoord op de vestigingsvraag; ontbreekt dat, dan het land van het collectief.",
               codes=list(COUNTRIES.items())),
        Column("provincie", "Provincie", "naam van de provincie",
               "Uit het antwoord op de vestigingsvraag (de gemeente zelf wordt nooit gedeeld); "
               "ontbreekt dat, dan de provincie van het collectief. Waarden: "
               + ", ".join(PROVINCES_NL) + " (Nederland); " + ", ".join(PROVINCES_BE)
               + " (België)."),
    ]


def score_columns():
    return [
        Column(f"score_{key}", f"Score {label}", "geheel getal 0-100",
               f"{description} Score 0-100, berekend uit de stellingen van deze dimensie (zie "
               "'Hoe de scores gemaakt zijn'); leeg bij te weinig antwoorden.")
        for key, label, description in scored_dimensions()
    ]


def columns():
    """Every column of the CSV, in order."""
    return extra_columns() + question_columns() + score_columns()


# -- pseudonyms -------------------------------------------------------------------------------

def pseudonym_key():
    """The HMAC key: RESEARCH_PSEUDONYM_KEY, else one derived from SECRET_KEY with a fixed label."""
    configured = current_app.config.get("RESEARCH_PSEUDONYM_KEY")
    if configured:
        return configured.encode("utf-8") if isinstance(configured, str) else bytes(configured)
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    return hmac.new(secret, PSEUDONYM_LABEL, hashlib.sha256).digest()


def pseudonym(scan, key=None):
    """C-<16 hex> for the scan's collective, or S-<16 hex> for a scan without a collective."""
    key = key or pseudonym_key()
    if scan.collective_id is not None:
        prefix, message = "C-", f"collective:{scan.collective_id}"
    else:
        prefix, message = "S-", f"scan:{scan.id}"
    return prefix + hmac.new(key, message.encode("ascii"), hashlib.sha256).hexdigest()[:16]


# -- rows -------------------------------------------------------------------------------------

def export_query():
    """The scans in the export: sent (not draft, not rejected), with research consent."""
    return (
        db.select(SelfScan)
        .where(SelfScan.status.in_(list(EXPORTED_STATUSES)),
               SelfScan.consent_research.is_(True),
               SelfScan.submitted_at.is_not(None))
        .order_by(SelfScan.submitted_at, SelfScan.id)
    )


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def export_value(question, value):
    """An answer as CSV cell: only values of the form the question allows, anything else empty."""
    if value is None or question is None:
        return ""
    if question.type == "single":
        return value if isinstance(value, str) and value in dict(question.options) else ""
    if question.type == "multi":
        if not isinstance(value, list):
            return ""
        allowed = dict(question.options)
        return MULTI_SEPARATOR.join(v for v in value if isinstance(v, str) and v in allowed)
    if question.type == "scale":
        return value if _is_int(value) and 1 <= value <= 5 else ""
    if question.type in ("number", "year"):
        return value if _is_int(value) and value >= 0 else ""
    return ""  # text, municipality and any unknown type: never exported


def safe_cell(value):
    """Guard against formula injection: text starting with = + - @ (or tab, CR) gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _place(scan, answers, questionnaire):
    """(country code, province) from the location answer, else from the collective's page.

    Only known country codes and province names are ever returned: never a free-typed place.
    """
    provinces = set(PROVINCES_NL) | set(PROVINCES_BE)
    location_key = questionnaire.profile_keys.get("location")
    location = answers.get(location_key) if location_key else None
    if not isinstance(location, dict):
        location = {}
    collective = scan.collective
    country = location.get("country")
    if not (isinstance(country, str) and country in COUNTRIES):
        country = collective.country if collective is not None else None
    province = location.get("province")
    if not (isinstance(province, str) and province in provinces):
        province = collective.province if collective is not None else None
    return (country if country in COUNTRIES else "", province if province in provinces else "")


def scan_row(scan, key, question_cols, dims):
    questionnaire = load_questionnaire(scan.questionnaire_version)
    answers = scan.answer_map()
    country, province = _place(scan, answers, questionnaire)
    scores = scan.scores or {}
    row = [
        pseudonym(scan, key),
        scan.questionnaire_version,
        scan.submitted_at.strftime("%Y-%m"),
        EXPORTED_STATUSES[scan.status][0],
        country,
        province,
    ]
    for column in question_cols:
        row.append(export_value(questionnaire.question(column.name), answers.get(column.name)))
    for dim_key, _label, _description in dims:
        score = scores.get(dim_key)
        row.append(score if _is_int(score) and 0 <= score <= 100 else "")
    return [safe_cell(value) for value in row]


@dataclass
class ResearchExport:
    columns: list
    rows: list

    @property
    def row_count(self):
        return len(self.rows)

    def csv_text(self):
        """The CSV as text (comma-separated, header row, CRLF line ends as in RFC 4180)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([column.name for column in self.columns])
        writer.writerows(self.rows)
        return out.getvalue()

    def csv_bytes(self):
        """UTF-8 with a byte-order mark, so Excel reads ë and ö right."""
        return self.csv_text().encode("utf-8-sig")


def build_export():
    """All rows of the export (a few thousand scans at most: built in memory)."""
    key = pseudonym_key()
    question_cols = question_columns()
    dims = scored_dimensions()
    scans = db.session.execute(
        export_query().options(selectinload(SelfScan.answers), selectinload(SelfScan.collective))
    ).scalars().all()
    rows = [scan_row(scan, key, question_cols, dims) for scan in scans]
    return ResearchExport(columns=extra_columns() + question_cols + score_columns(), rows=rows)


def export_summary():
    """Counts for the export page: scans in the export, their collectives (and scans without one,
    e.g. waiting for review), and sent scans overall."""
    in_export = export_query().order_by(None).subquery()
    scans, collectives, unlinked = db.session.execute(
        db.select(db.func.count(), db.func.count(db.distinct(in_export.c.collective_id)),
                  db.func.coalesce(db.func.sum(db.case((in_export.c.collective_id.is_(None), 1),
                                                       else_=0)), 0))
        .select_from(in_export)
    ).one()
    sent = db.session.execute(
        db.select(db.func.count()).select_from(SelfScan)
        .where(SelfScan.status.in_(list(EXPORTED_STATUSES)))
    ).scalar_one()
    return {"scans": scans, "collectives": collectives, "without_collective": unlinked,
            "sent": sent, "without_consent": sent - scans}


# -- audit ------------------------------------------------------------------------------------

def record_download(actor, what, rows):
    """An audit entry for a download of the CSV ("csv") or the codebook ("codebook")."""
    if what == "csv":
        summary = f"Onderzoeksexport (CSV) gedownload: {rows} {'rij' if rows == 1 else 'rijen'}"
    else:
        summary = f"Codeboek van de onderzoeksexport gedownload: {rows} kolommen"
    return record(actor, f"research.download_{what}", None, summary, rows=rows)


# -- codebook ---------------------------------------------------------------------------------

def _md(text):
    """Text for inside a Markdown table cell or list: no pipes or line breaks breaking the layout."""
    return " ".join(str(text).split()).replace("|", "\\|")


def codebook_markdown(export_columns=None):
    """The codebook: every column of the CSV with its question, type, codes and how it is made."""
    export_columns = export_columns or columns()
    excluded = sorted(excluded_question_keys())
    versions = ", ".join(str(v) for v in available_versions())
    dimension_labels = {key: dim["label"] for questionnaire in _questionnaires()
                        for key, dim in questionnaire.dimensions.items()}
    lines = [
        "# Codeboek onderzoeksexport zelfscans CollectieveKracht",
        "",
        f"Dit codeboek beschrijft elke kolom van `zelfscans.csv`. Vragenlijstversies: {versions}.",
        "",
        "## Het bestand",
        "",
        "- Eén rij per ingestuurde zelfscan van een collectief dat toestemming gaf voor gebruik "
        "voor onderzoek (die toestemming wordt bij elke scan opnieuw gevraagd).",
        "- Meegenomen: scans met status ingediend, goedgekeurd en herhaalscan. Niet meegenomen: "
        "concepten (niet ingestuurd) en afgewezen scans (geen burgercollectief, dubbel of een test).",
        "- Tekencodering UTF-8 met byte-order mark (BOM), zodat Excel letters als ë en ö goed "
        "toont. Scheidingsteken: komma; regeleinde CRLF; de eerste rij bevat de kolomnamen; "
        "velden met een komma of puntkomma staan tussen dubbele aanhalingstekens.",
        "- In Excel met Nederlandse instellingen: Gegevens > Van tekst/CSV, en kies komma als "
        "scheidingsteken. R: `read.csv(\"zelfscans.csv\", fileEncoding = \"UTF-8-BOM\")`.",
        "- Ontbrekend antwoord: een leeg veld.",
        "- Meerkeuzevragen: de codes van de gekozen antwoorden, gescheiden door een puntkomma "
        "(bijvoorbeeld `geld;arbeid`).",
        "- Stellingen: 1 tot en met 5 zoals ingevuld (1 = helemaal oneens, 2 = oneens, "
        "3 = neutraal, 4 = eens, 5 = helemaal eens). Ook omgekeerde stellingen staan er zoals "
        "ingevuld; ze zijn hieronder gemarkeerd als **omgekeerd**.",
        "- Een tekstveld dat begint met `=`, `+`, `-` of `@` krijgt een apostrof ervoor, zodat een "
        "spreadsheet het niet als formule uitvoert. Omdat er geen vrije tekst in de export zit, "
        "komt dat in de praktijk niet voor.",
        "",
        "## Wat er niet in staat",
        "",
        "Namen van collectieven en personen, e-mailadressen, websites, de gemeente (alleen "
        "provincie en land), de precieze datum (alleen jaar en maand), id's uit de database en "
        "alle antwoorden in vrije tekst. Deze vragen ontbreken daarom: "
        + ", ".join(f"`{key}`" for key in excluded) + ".",
        "",
        "Let op: een combinatie van sector, provincie, oprichtingsjaar en ledental kan een klein "
        "collectief herkenbaar maken. Publiceer daarom geen losse rijen of groepen kleiner dan "
        "vijf collectieven.",
        "",
        "## Het pseudoniem",
        "",
        "`pseudoniem` is een sleutel-hash (HMAC-SHA256) van het interne nummer van het collectief "
        "met een geheime sleutel van het platform; in de export staan de eerste 16 hexadecimale "
        "tekens met `C-` ervoor. Alle scans van hetzelfde collectief hebben hetzelfde pseudoniem, "
        "ook in latere exports, zolang de sleutel niet verandert. Zonder de sleutel is een "
        "pseudoniem niet terug te rekenen naar een collectief. Een scan die (nog) niet bij een "
        "collectief hoort, krijgt een pseudoniem van de scan zelf, met `S-` ervoor; na "
        "goedkeuring krijgt die scan het `C-`-pseudoniem van het collectief.",
        "",
        "## Hoe de scores gemaakt zijn",
        "",
        "Elke gescoorde dimensie heeft stellingen (1-5). Een antwoord telt als "
        "(waarde - 1) / 4 × 100, dus 1 = 0, 3 = 50 en 5 = 100; bij een omgekeerde stelling wordt "
        "de waarde eerst 6 - waarde. De score is het gemiddelde van de beantwoorde stellingen van "
        "de dimensie, afgerond op een heel getal (half naar boven). Is minder dan de helft van de "
        "stellingen beantwoord, dan is de score leeg. De score is berekend bij het insturen en "
        "daarna niet meer veranderd.",
        "",
        "## Overzicht van de kolommen",
        "",
        "| kolom | omschrijving | soort | omgekeerd |",
        "|---|---|---|---|",
    ]
    for column in export_columns:
        lines.append(f"| `{column.name}` | {_md(column.label)} | {_md(column.kind_label)} | "
                     f"{'ja' if column.reversed else ''} |")
    lines += ["", "## De kolommen", ""]
    for column in export_columns:
        lines.append(f"### `{column.name}`")
        lines.append("")
        if column.question is not None:
            lines.append(f"- Vraag: {_md(column.label)}")
            dimension = column.question.dimension
            lines.append(f"- Dimensie: {_md(dimension_labels.get(dimension, dimension))}")
            lines.append(f"- In vragenlijstversie(s): {', '.join(str(v) for v in column.versions)}")
        else:
            lines.append(f"- Omschrijving: {_md(column.label)}")
        lines.append(f"- Soort: {_md(column.kind_label)}")
        if column.kind == "scale":
            lines.append("- Omgekeerd: " + (
                "**ja** (instemmen is hier het zwakkere antwoord; in de score telt 6 - waarde)"
                if column.reversed else "nee"))
        if column.description:
            lines.append(f"- Toelichting: {_md(column.description)}")
        if column.codes:
            lines.append("- Codes:")
            for code, label in column.codes:
                lines.append(f"  - `{code}` = {_md(label)}")
        lines.append("")
    return "\n".join(lines)
